//! The second round of holes (issue 20), tried as an attacker would: a repository or an
//! SDK archive plants a payload that would leave a marker file if it ran, and each test
//! shows it never appears — while the legitimate part keeps working.
//!
//! - shims exist only for Go's own commands (`go`, `gofmt`), whatever an SDK's `bin/`
//!   holds;
//! - bash completion quotes what it inserts;
//! - every command gv suggests is quoted for the user's shell;
//! - `gv import` obeys only the user's own settings, and checks what it adopts against the
//!   checksum database;
//! - a project's `[env]` holds only variables the go command reads;
//! - pin and config files are judged by their link and by what was opened;
//! - the shim and the hook never ask the C library's name service (a static binary
//!   crashes in it);
//! - outside text is shown escaped, and a `system` go gets gv's GOTOOLCHAIN policy too.

use crate::hostile::{Marker, in_shell};
use crate::support;

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Sandbox, stderr, stdout};

/// `chown -h uid path` (the link itself when `path` is one); the tests run as root, as CI.
fn chown(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .arg("-h")
        .arg(uid.to_string())
        .arg(path)
        .status()
        .expect("chown");
    assert!(
        status.success() && std::fs::symlink_metadata(path).unwrap().uid() == uid,
        "this test plants a file owned by another user, which needs root (CI runs as root)"
    );
}

/// A uid the user database does not know (as in a tree unpacked by root, or a directory
/// bind-mounted into a container).
const UNKNOWN_UID: u32 = 54321;

fn assert_unknown_uid() {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    assert!(
        !passwd
            .lines()
            .any(|l| l.split(':').nth(2) == Some(&UNKNOWN_UID.to_string())),
        "uid {UNKNOWN_UID} must have no passwd entry for this test"
    );
}

// -------------------------------------------------------------------------------------
// Hole 9: the static shim and the hook under a file of an unknown uid.
// -------------------------------------------------------------------------------------

#[test]
fn a_file_of_a_uid_without_a_passwd_entry_crashes_neither_shim_nor_hook() {
    assert_unknown_uid();
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let shim = support::static_shim_binary();
    sb.gv(sb.path())
        .arg("rehash")
        .env("GV_SHIM_BINARY", shim)
        .assert()
        .success();
    let above = sb.write(".go-version", "1.23.9\n");
    chown(&above, UNKNOWN_UID);
    let p = sb.work("p");
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.22.10\n");

    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert_eq!(
        out.status.signal(),
        None,
        "the shim died of a signal: {out:?}"
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "go version go1.22.10 linux/amd64\n");
    let notice = format!(
        "{} is ignored: it belongs to uid {UNKNOWN_UID}, not to you",
        above.display()
    );
    assert!(stderr(&out).contains(&notice), "{}", stderr(&out));

    let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
    let hook = Command::new(shim)
        .args(["hook-env", "--shell", "bash"])
        .current_dir(&p)
        .env_clear()
        .envs(sb.env())
        .output()
        .unwrap();
    assert_eq!(
        hook.status.signal(),
        None,
        "the hook died of a signal: {hook:?}"
    );
    assert!(hook.status.success(), "{hook:?}");
    assert!(stdout(&hook).contains("__gv_set 'GOROOT'"), "{hook:?}");
    assert!(stderr(&hook).contains(&notice), "{}", stderr(&hook));
}
