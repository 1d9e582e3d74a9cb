//! `gv hook-env`: the shell code that applies the environment of the current directory.
//! It runs after the shell has restored everything the previous run applied, so what it
//! sees is the user's own environment — the same input a shim gets.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::PathBuf;

use gv_core::Selection;
use gv_core::config::Config;
use gv_core::env::{self, EnvError};

use super::{Shell, is_portable_var_name};

/// One change the hook makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Put the SDK's `bin/` first on PATH (removed again on restore).
    PathPrepend(PathBuf),
    /// Set a variable (its previous value is saved by the shell and put back on restore).
    Set { name: String, value: OsString },
}

/// What a shim would inject for `selection` here, as hook changes: the shared plan of
/// [`gv_core::env::plan`] (GOROOT, the SDK's bin/ on PATH, GOTOOLCHAIN, `[env]`), computed
/// against the user's own environment. Returns the changes and the plan's warnings.
pub fn changes(
    selection: &Selection,
    config: &Config,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<(Vec<Change>, Vec<String>), EnvError> {
    let plan = env::plan(selection, config, lookup)?;
    // The shell restored its own values before asking, so where the user's value wins
    // there is nothing to change.
    let changes = plan
        .vars
        .iter()
        .filter(|var| var.is_applied())
        .map(|var| (var.name.as_str(), var.value.as_os_str()))
        .filter_map(|(name, value)| match name {
            // The plan's PATH is "bin + the whole PATH"; the shell only needs the entry
            // it adds, so that leaving removes exactly that one.
            "PATH" => selection
                .resolved
                .goroot()
                .map(|root| Change::PathPrepend(root.join("bin"))),
            _ => Some(Change::Set {
                name: name.to_string(),
                value: value.to_owned(),
            }),
        })
        .collect();
    Ok((changes, plan.warnings))
}

/// Renders the changes as calls to the init script's `__gv_set` / `__gv_path`.
/// Returns the script and warnings about what could not be expressed.
pub fn render(shell: Shell, changes: &[Change]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut warnings = Vec::new();
    for change in changes {
        match change {
            Change::PathPrepend(dir) => match dir.to_str() {
                Some(dir) => {
                    let _ = writeln!(out, "__gv_path {}", shell.quote(dir));
                }
                None => warnings.push(format!(
                    "{} is not valid UTF-8; not adding it to PATH",
                    dir.display()
                )),
            },
            Change::Set { name, value } => {
                if !is_portable_var_name(name) {
                    warnings.push(format!(
                        "[env] {name} is not a name a shell variable can have; the shell hook skips it (shims still inject it)"
                    ));
                    continue;
                }
                match value.to_str() {
                    Some(value) => {
                        let _ =
                            writeln!(out, "__gv_set {} {}", shell.quote(name), shell.quote(value));
                    }
                    None => warnings.push(format!(
                        "the value of {name} is not valid UTF-8; the shell hook skips it"
                    )),
                }
            }
        }
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_quoted_calls_and_skips_what_a_shell_cannot_hold() {
        let changes = [
            Change::Set {
                name: "GODEBUG".into(),
                value: "a=1,b='2'".into(),
            },
            Change::Set {
                name: "A.B".into(),
                value: "x".into(),
            },
            Change::PathPrepend("/gv/versions/1.22.10/bin".into()),
        ];
        let (bash, warnings) = render(Shell::Bash, &changes);
        assert_eq!(
            bash,
            "__gv_set 'GODEBUG' 'a=1,b='\\''2'\\'''\n__gv_path '/gv/versions/1.22.10/bin'\n"
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("A.B"), "{warnings:?}");
        let (fish, _) = render(Shell::Fish, &changes);
        assert!(
            fish.starts_with("__gv_set 'GODEBUG' 'a=1,b=\\'2\\''\n"),
            "{fish}"
        );
    }
}
