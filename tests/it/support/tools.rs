//! What the tests run besides gv and Go — shells, gdb, delve, tmux, wine, zig,
//! cargo-zigbuild, Rust's cross targets — provisioned once per test process by
//! scripts/provision-test-tools, so README's one test command works on a fresh machine.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Runs scripts/provision-test-tools once per test process: as root it installs the
/// missing Debian packages itself, and always the pinned zig and cargo-zigbuild into their
/// cache. `Ok` holds the directory with `zig` and `cargo-zigbuild`; `Err` the script's
/// message naming what to install. Never panics: only the tests that need what is
/// missing fail, with `missing`'s message; the message is also written once to the
/// terminal (libtest does not capture a direct write), above all the failures.
pub fn provision() -> &'static Result<PathBuf, String> {
    static TOOLS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-test-tools");
        let result = match Command::new("bash").arg(&script).output() {
            Ok(out) if out.status.success() => Ok(PathBuf::from(
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            )),
            Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            Err(e) => Err(format!("cannot run {}: {e}", script.display())),
        };
        if let Err(message) = &result {
            let _ = writeln!(std::io::stderr(), "\n{message}\n");
        }
        result
    })
}

/// PATH for a child process that runs cargo-zigbuild or zig: their cache first.
pub fn path() -> OsString {
    let dir = match provision() {
        Ok(dir) => dir,
        Err(message) => panic!("zig and cargo-zigbuild are missing:\n{message}"),
    };
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.clone()).chain(std::env::split_paths(&rest)))
        .expect("PATH entries without ':'")
}

/// `cargo-zigbuild` from the cache, with the cache on its PATH (it finds zig there).
pub fn cargo_zigbuild() -> Command {
    let path = path();
    let mut cmd = Command::new("cargo-zigbuild");
    cmd.env("PATH", path);
    cmd
}

/// The failure message of a test that cannot run `what`.
pub fn missing(what: &str) -> String {
    match provision() {
        Err(message) => format!("{what} is missing:\n{message}"),
        Ok(_) => format!(
            "{what} is missing, though scripts/provision-test-tools found all it checks: \
             add it to the script's list"
        ),
    }
}
