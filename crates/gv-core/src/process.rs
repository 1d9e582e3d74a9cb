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

/// The variable `name`, as the OS holds it (`None`: unset). Usable as a lookup:
/// `env::plan(&selection, &config, process::var_os)`.
pub fn var_os(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// The variable `name` as text; an error when unset or not UTF-8 (as `std::env::var`).
pub fn var(name: &str) -> Result<String, std::env::VarError> {
    std::env::var(name)
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
