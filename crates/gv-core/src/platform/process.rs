//! The one door to the process's own state: its environment variables, working directory
//! and arguments (rustup's rule: no direct use of process state outside its `process`
//! module). Everything else reads them here, or from a [`crate::session::Session`], which
//! reads them here once; `tests/it/layout.rs` fails on any other read in `src/` and
//! `crates/`, and checks that every variable named in a read is in [`crate::vars`].
//!
//! One door makes the reads countable (what the shim's hot path touches), and gives a
//! test double one place to stand in should the process ever need replacing. It is part
//! of the platform layer (re-exported as `gv_core::process`) because on Unix it reads
//! the C library's environment block itself ([`environment`]).

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// The variable `name`, as the OS holds it (`None`: unset). Usable as a lookup:
/// `env::plan(&selection, &config, process::var_os)`.
///
/// Looked up in [`environment`]: the shim looks up some thirty names per run, which the
/// C library's `getenv` finds by comparing the name with every variable byte by byte (a
/// fifth of the shim's instructions, measured with valgrind); here most variables are
/// passed over on their length alone.
pub fn var_os(name: &str) -> Option<OsString> {
    let value = look_up(name);
    if RECORDING.load(Ordering::Relaxed) {
        let mut reads = READS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !reads.iter().any(|(read, _)| read == name) {
            reads.push((name.to_owned(), value.clone()));
        }
    }
    value
}

/// The value of the variable `name` as the environment's own bytes, not noted as a read:
/// for checking a remembered answer, whose reads are its records.
pub fn value_of(name: &[u8]) -> Option<&'static [u8]> {
    environment()
        .iter()
        .find(|var| var.name.as_encoded_bytes() == name)
        .map(|var| var.value.as_encoded_bytes())
}

/// An environment entry's name and value: split at the first `=` after the first byte
/// (a name may begin with one, as Windows' `=C:` does); `None` for an entry with no `=`,
/// which is no variable.
pub fn split_entry(entry: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = entry.iter().skip(1).position(|&b| b == b'=')? + 1;
    Some((entry.get(..eq)?, entry.get(eq + 1..)?))
}

fn look_up(name: &str) -> Option<OsString> {
    for var in environment() {
        let key = var.name.as_encoded_bytes();
        if key == name.as_bytes() {
            // The first variable of that name, as `getenv` finds it.
            return Some(var.value.to_owned());
        }
        if cfg!(windows) && key.eq_ignore_ascii_case(name.as_bytes()) {
            // `Path` for `PATH`: the same variable on Windows, which ignores case; which
            // of two such entries counts is the OS's to say. Elsewhere it is another
            // variable, passed over.
            return std::env::var_os(name);
        }
    }
    None
}

/// Whether [`var_os`] notes what it reads (see [`record_reads`]).
static RECORDING: AtomicBool = AtomicBool::new(false);
/// Every variable [`var_os`] read while recording, with the value it found, once each.
static READS: Mutex<Vec<(String, Option<OsString>)>> = Mutex::new(Vec::new());

/// From now on, [`var_os`] notes each variable it reads and what it found: the shim's
/// remembered answer holds only while every one of them still reads the same
/// (`crate::answer_cache`). This one door is the only way gv reads a variable
/// (`tests/it/layout.rs`), so nothing read escapes the list.
pub fn record_reads() {
    RECORDING.store(true, Ordering::Relaxed);
}

/// The reads noted since [`record_reads`], which stops noting them.
pub fn recorded_reads() -> Vec<(String, Option<OsString>)> {
    RECORDING.store(false, Ordering::Relaxed);
    std::mem::take(
        &mut *READS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
}

/// One of the process's variables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Variable {
    pub name: &'static OsStr,
    pub value: &'static OsStr,
    /// The C library's `NAME=value` string the two are read from.
    #[cfg(unix)]
    entry: &'static std::ffi::CStr,
}

impl Variable {
    /// The C library's `NAME=value` string, to hand on to a program unchanged.
    #[cfg(unix)]
    pub fn entry(&self) -> &'static std::ffi::CStr {
        self.entry
    }
}

/// The process's variables in the OS's order, read at the first call. On Unix they are
/// borrowed from the C library rather than copied as `std::env::vars_os` copies them (an
/// eighth of the shim's instructions went to that copy). An entry with no `=` after its
/// first byte is no variable, and left out, as std leaves it out.
///
/// Why the borrowed strings stay valid: the environment a process starts with lies on
/// its initial stack and is never freed; a C library frees only a string its own
/// `setenv` allocated, when that variable is set again or removed (musl, macOS; glibc
/// never frees). gv sets no variable of its own (it sets them for the programs it runs;
/// `tests/it/layout.rs` checks its code), and the one removal in a dependency,
/// clap_complete's of `GV_COMPLETE` when it answers a completion request, comes first
/// thing in gv's `main` and frees nothing it did not allocate.
pub(crate) fn environment() -> &'static [Variable] {
    static ENVIRONMENT: OnceLock<Vec<Variable>> = OnceLock::new();
    ENVIRONMENT.get_or_init(read_environment)
}

#[cfg(unix)]
fn read_environment() -> Vec<Variable> {
    use std::os::unix::ffi::OsStrExt as _;
    let mut vars = Vec::with_capacity(64);
    // SAFETY: `environ` is the C library's null-terminated array of NUL-terminated
    // strings, and those strings live as long as the process (see `environment`).
    unsafe {
        let mut entry = super::environ();
        while !entry.is_null() && !(*entry).is_null() {
            let string: &'static std::ffi::CStr = std::ffi::CStr::from_ptr(*entry);
            let bytes = string.to_bytes();
            if let Some((name, value)) = split_entry(bytes) {
                vars.push(Variable {
                    name: OsStr::from_bytes(name),
                    value: OsStr::from_bytes(value),
                    entry: string,
                });
            }
            entry = entry.add(1);
        }
    }
    vars
}

/// std's copy, kept for the life of the process.
#[cfg(not(unix))]
fn read_environment() -> Vec<Variable> {
    std::env::vars_os()
        .map(|(name, value)| Variable {
            name: Box::leak(name.into_boxed_os_str()),
            value: Box::leak(value.into_boxed_os_str()),
        })
        .collect()
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

    /// The list answers as the OS does: every variable this process has, with its value,
    /// and nothing for a name it lacks.
    #[test]
    fn the_list_answers_as_the_environment_does() {
        let mut seen = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            // A repeated name: the OS, and the list, give the first one's value.
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

    /// While recording, each variable read is noted once, with what was found, unset
    /// ones too; the list is handed over once, and nothing is noted after.
    #[test]
    fn reads_are_noted_while_recording() {
        let absent = "NO_SUCH_VARIABLE_IN_ANY_ENVIRONMENT";
        record_reads();
        let path = var_os("PATH");
        assert_eq!(var_os(absent), None);
        let _ = var_os("PATH");
        let reads = recorded_reads();
        assert!(reads.contains(&("PATH".to_owned(), path)), "{reads:?}");
        assert!(reads.contains(&(absent.to_owned(), None)), "{reads:?}");
        assert_eq!(reads.iter().filter(|(name, _)| name == "PATH").count(), 1);
        let _ = var_os("PATH");
        assert!(recorded_reads().is_empty(), "not recording any more");
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
