//! The shell hook's engine: the shell code that applies a directory's settings for the
//! programs a shell runs (`gv hook-env`, and `gv-shim hook-env`, which the init scripts
//! call because a small static binary starts in a fraction of gv's time). It runs after
//! the shell has restored everything the previous run applied, so what it sees is the
//! user's own environment — the same input a shim gets.
//!
//! It applies only what other programs than go need: the trusted `[env]` and GOBIN. The
//! Go version itself is the shims' business (they are first on PATH): every go command —
//! typed after a `cd` on the same line, run by a script in another directory, with a
//! one-shot `GV_VERSION=` — picks its own directory's version, which a value fixed at
//! the last prompt could not.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::env::{EnvError, EnvPlan, Source};
use crate::notice::{self, Notice};
use crate::select::{Discovery, SelectError};
use crate::session::{Session, SessionError};
use crate::shell_syntax::{Syntax, is_portable_var_name};
use crate::watch::{self, Watch};

/// What `hook-env` prints: shell code on stdout, warnings on stderr.
#[derive(Debug, Default)]
pub struct HookOutput {
    pub code: String,
    /// Only what was not already said for the same version of the same file (see
    /// [`crate::notice`]): the hook runs at every directory change.
    pub warnings: Vec<Notice>,
}

/// The whole of `hook-env` for the session's directory. It never fails: a directory
/// whose version is not installed (or whose pin is broken) must not break the prompt, so
/// the reason becomes a warning, nothing is applied, and the shims explain again on use.
///
/// When the init script names its stamp file ([`crate::vars::HOOK_STAMP`]), the code ends with
/// the files the shell re-checks at each prompt (see [`crate::watch`]) — even after a
/// warning, so that fixing the file is picked up too.
pub fn hook_env(syntax: Syntax, session: &Session) -> HookOutput {
    // Dated before anything is read: an edit made while this runs looks newer.
    let started = SystemTime::now();
    // Without a stamp (a directory someone else owns, a read-only disk) the hook still
    // applies the environment; edits in place then wait for the next cd. `gv doctor`
    // reports why: a warning here would repeat at every cd.
    let watching = crate::process::var_os(crate::vars::HOOK_STAMP)
        .filter(|stamp| !stamp.is_empty())
        .is_some_and(|stamp| watch::stamp(Path::new(&stamp), started).is_ok());
    let mut out = apply(syntax, session);
    out.warnings.extend(session.notices());
    if watching {
        let candidates =
            watch::candidates(session.store(), session.select_env(), session.discovery());
        let (code, unwatchable) =
            render_watch(syntax, &Watch::classify(candidates, SystemTime::now()));
        out.code.push_str(&code);
        out.warnings.extend(unwatchable);
    }
    out.warnings = notice::unseen(session.store(), std::mem::take(&mut out.warnings));
    if let Ok(selection) = session.selection() {
        out.warnings.extend(crate::verdict::due_for(
            session.store(),
            &selection.resolved,
        ));
    }
    out
}

/// What the hook says when the session's version cannot be used (not installed, a
/// broken pin), about the file that chose it; `None` when it can be, or when nothing is
/// selected at all.
pub fn selection_notice(session: &Session) -> Option<Notice> {
    match session.selection() {
        Ok(_) | Err(SelectError::NothingSelected) => None,
        Err(err) => Some(Notice::of_report(
            deciding_file(&err, session.discovery()),
            crate::diagnostics::report(&err),
        )),
    }
}

/// The environment part of [`hook_env`]: what to set for the session's selection.
fn apply(syntax: Syntax, session: &Session) -> HookOutput {
    let failed = |err: &(dyn std::error::Error + 'static), about: PathBuf| HookOutput {
        code: String::new(),
        warnings: vec![Notice::of_report(about, crate::diagnostics::report(err))],
    };
    if let Some(notice) = selection_notice(session) {
        return HookOutput {
            code: String::new(),
            warnings: vec![notice],
        };
    }
    if session.selection().is_err() {
        // Outside any project with no default set there is simply nothing to apply.
        return HookOutput::default();
    }
    let plan = match session.plan() {
        Ok(plan) => plan,
        Err(err) => {
            let about = match &err {
                SessionError::Env(EnvError::Setting(e)) => e.path.clone(),
                _ => session
                    .discovery()
                    .project_config
                    .clone()
                    .unwrap_or_default(),
            };
            return failed(&err, about);
        }
    };
    let (code, warnings) = render(syntax, &changes(plan));
    HookOutput { code, warnings }
}

/// The file a selection failure is about (none for `GV_VERSION`).
fn deciding_file(err: &SelectError, found: &Discovery) -> PathBuf {
    let about = match err {
        SelectError::NotInstalled { origin, .. } | SelectError::NoSystemGo { origin } => {
            origin.path().map(Path::to_path_buf)
        }
        SelectError::PinFile(e) => Some(e.path().to_path_buf()),
        _ => found.gomod_path.clone(),
    };
    about.unwrap_or_default()
}

/// One change the hook makes: set a variable (its previous value is saved by the shell
/// and put back on restore).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Set { name: String, value: OsString },
}

/// The part of what a shim would inject that other programs than go read, as hook
/// changes: the `[env]` entries and GOBIN, computed against the user's own environment.
/// GOROOT, the SDK's `bin/` and GOTOOLCHAIN are left to the shims, which compute them for
/// each go command's own directory: fixed in the shell, they would follow the shell's
/// directory into every script and `make -C` it starts. The shell restored its own
/// values before asking, so where the user's value wins there is nothing to change.
pub fn changes(plan: &EnvPlan) -> Vec<Change> {
    plan.vars
        .iter()
        .filter(|var| var.is_applied())
        .filter(|var| matches!(var.source, Source::Config { .. } | Source::Gobin { .. }))
        .map(|var| Change::Set {
            name: var.name.clone(),
            value: var.value.clone(),
        })
        .collect()
}

/// Renders the changes as calls to the init script's `__gv_set`. Returns the script and
/// warnings about what could not be expressed.
pub fn render(shell: Syntax, changes: &[Change]) -> (String, Vec<Notice>) {
    let mut out = String::new();
    let mut warnings = Vec::new();
    for change in changes {
        match change {
            Change::Set { name, value } => {
                // The env model admits only portable names; never write another into code.
                if !is_portable_var_name(name) {
                    warnings.push(Notice::new(
                        "",
                        format!(
                            "{} is not a name a shell variable can have; the shell hook skips it",
                            crate::text::one_line(name)
                        ),
                    ));
                    continue;
                }
                match value.to_str() {
                    Some(value) => {
                        let _ =
                            writeln!(out, "__gv_set {} {}", shell.quote(name), shell.quote(value));
                    }
                    None => warnings.push(Notice::new(
                        "",
                        format!("the value of {name} is not valid UTF-8; the shell hook skips it"),
                    )),
                }
            }
        }
    }
    (out, warnings)
}

/// Renders the watch lists as calls to the init script's `__gv_watch` (files that exist)
/// and `__gv_watch_absent` (files that would take over if created). Both are always
/// printed, so each run replaces the previous lists. Returns the script and warnings
/// about paths a shell cannot hold.
pub fn render_watch(shell: Syntax, watch: &Watch) -> (String, Vec<Notice>) {
    let mut out = String::new();
    let mut unwatchable = Vec::new();
    for (function, paths) in [
        ("__gv_watch", &watch.files),
        ("__gv_watch_absent", &watch.absent),
    ] {
        out.push_str(function);
        for path in paths {
            match path.to_str() {
                Some(path) => {
                    out.push(' ');
                    out.push_str(&shell.quote(path));
                }
                None => unwatchable.push(path),
            }
        }
        out.push('\n');
    }
    // One line, not one per path: a non-UTF-8 directory makes every candidate below it so.
    let warnings = match unwatchable.as_slice() {
        [] => Vec::new(),
        [first, rest @ ..] => {
            let more = match rest.len() {
                0 => String::new(),
                n => format!(" (and {n} more watched paths)"),
            };
            vec![Notice::new(
                first,
                format!(
                    "{}{more} is not valid UTF-8, which the shell cannot hold; edits there are picked up at the next cd",
                    first.display()
                ),
            )]
        }
    };
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
        ];
        let (bash, warnings) = render(Syntax::Posix, &changes);
        assert_eq!(bash, "__gv_set 'GODEBUG' 'a=1,b='\\''2'\\'''\n");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].text.contains("A.B"), "{warnings:?}");
        let (fish, _) = render(Syntax::Fish, &changes);
        assert_eq!(fish, bash, "one form both read the same");
    }

    #[test]
    fn renders_both_watch_lists_quoted_even_when_empty() {
        let watch = Watch {
            files: vec!["/p/.go-version".into(), "/it's/gv.toml".into()],
            absent: vec![],
        };
        let (bash, warnings) = render_watch(Syntax::Posix, &watch);
        assert_eq!(
            bash,
            "__gv_watch '/p/.go-version' '/it'\\''s/gv.toml'\n__gv_watch_absent\n"
        );
        assert!(warnings.is_empty());
    }
}
