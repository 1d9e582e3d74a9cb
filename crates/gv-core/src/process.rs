//! The one door to the process's own state: its environment variables, working directory
//! and arguments (rustup's rule: no direct use of process state outside its `process`
//! module). Everything else reads them here, or from a [`crate::session::Session`], which
//! reads them here once; `tests/it/layout.rs` fails on any other read in `src/` and
//! `crates/`, and checks that every variable named in a read is in [`crate::vars`].
//!
//! One door makes the reads countable (what the shim's hot path touches), and gives a
//! test double one place to stand in should the process ever need replacing.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The variable `name`, as the OS holds it (`None`: unset). Usable as a lookup:
/// `env::plan(&selection, &config, process::var_os)`.
///
/// Read from a copy of the environment taken at the first call: gv never changes its
/// own environment (it sets variables only for the programs it runs), and the shim looks
/// up some thirty names per run, which the C library's `getenv` finds by comparing the
/// name with every variable byte by byte (a fifth of the shim's instructions, measured
/// with valgrind); here most variables are passed over on their length alone.
pub fn var_os(name: &str) -> Option<OsString> {
    for (key, value) in environment() {
        let key = key.as_encoded_bytes();
        if key == name.as_bytes() {
            // The first variable of that name, as `getenv` finds it.
            return Some(value.clone());
        }
        if key.eq_ignore_ascii_case(name.as_bytes()) {
            // `Path` for `PATH`: the same variable where the OS ignores case (Windows),
            // another one where it does not. The OS decides.
            return std::env::var_os(name);
        }
    }
    None
}

/// The process's variables, in the OS's order.
fn environment() -> &'static [(OsString, OsString)] {
    static ENVIRONMENT: OnceLock<Vec<(OsString, OsString)>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| std::env::vars_os().collect())
}

/// The variable `name` as text; an error when unset or not UTF-8 (as `std::env::var`).
pub fn var(name: &str) -> Result<String, std::env::VarError> {
    match var_os(name) {
        Some(value) => value.into_string().map_err(std::env::VarError::NotUnicode),
        None => Err(std::env::VarError::NotPresent),
    }
}

/// Every variable, as the OS holds them.
pub fn vars_os() -> std::env::VarsOs {
    std::env::vars_os()
}

/// The working directory.
pub fn current_dir() -> std::io::Result<PathBuf> {
    std::env::current_dir()
}

/// The command-line arguments, the program's name first.
pub fn args_os() -> std::env::ArgsOs {
    std::env::args_os()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy answers as the OS does: every variable this process has, with its value,
    /// and nothing for a name it lacks.
    #[test]
    fn the_copy_answers_as_the_environment_does() {
        let mut seen = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            // A repeated name: the OS, and the copy, give the first one's value.
            if name.is_empty() || name.contains('=') || seen.iter().any(|s| s == name) {
                continue;
            }
            assert_eq!(var_os(name), std::env::var_os(name), "{name}");
            assert_eq!(var_os(name).as_ref(), Some(&value), "{name}");
            seen.push(name.to_string());
        }
        assert!(!seen.is_empty(), "the test process has an environment");
        let absent = "NO_SUCH_VARIABLE_IN_ANY_ENVIRONMENT";
        assert_eq!(var_os(absent), None);
        assert!(matches!(var(absent), Err(std::env::VarError::NotPresent)));
        assert_eq!(var("PATH").ok(), std::env::var("PATH").ok());
    }

    /// A name that differs only in case is the same variable where the OS says so.
    #[test]
    fn a_name_in_another_case_is_what_the_os_says() {
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            let other = name.to_ascii_lowercase();
            if other != name && !other.contains('=') {
                assert_eq!(var_os(&other), std::env::var_os(&other), "{other}");
            }
        }
    }
}
