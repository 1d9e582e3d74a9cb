//! The shims (one per Go command, each the current gv-shim), what the installed SDKs
//! keep in `bin/` besides Go's commands, and the store.

use std::path::Path;

use gv_core::Store;

use super::{Check, Inputs};

/// Each of Go's commands has a shim, each shim is the current gv-shim, and there is no
/// shim by any other name (an older gv made one per file in an SDK's `bin/`).
pub(super) fn shims_check(inputs: &Inputs<'_>) -> Check {
    const FIX: &str = "gv rehash";
    let dir = inputs.store().shims_dir();
    let names = crate::shim_dir::tool_names();
    if !dir.is_dir() {
        return Check::problem("shims", format!("{} does not exist", dir.display()), FIX);
    }
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !dir.join(n).is_file())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Check::problem(
            "shims",
            format!("no shim for {} (Go's own commands)", missing.join(", ")),
            FIX,
        );
    }
    let mut strays: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && !names.contains(n))
        .collect();
    if !strays.is_empty() {
        strays.sort();
        let strays: Vec<String> = strays
            .iter()
            .map(|n| gv_core::text::one_line(n).into_owned())
            .collect();
        return Check::problem(
            "shims",
            format!(
                "shims that are not Go's commands: {} (left by an older gv; they shadow the system's commands of those names, and refuse to run)",
                strays.join(", ")
            ),
            FIX,
        );
    }
    let Some(shim) = &inputs.shim_binary else {
        return Check::problem(
            "shims",
            "cannot find the gv-shim binary to compare the shims with",
            "install gv-shim next to gv (`scripts/install` in gv's source tree) or set GV_SHIM_BINARY",
        );
    };
    let stale: Vec<&str> = names
        .iter()
        .filter(|n| !same_file_or_content(&dir.join(n), shim))
        .map(String::as_str)
        .collect();
    if stale.is_empty() {
        Check::ok(
            "shims",
            format!("{} shims in {}, all current", names.len(), dir.display()),
        )
    } else {
        Check::problem(
            "shims",
            format!(
                "stale shims (not the current gv-shim {}): {}",
                shim.display(),
                stale.join(", ")
            ),
            FIX,
        )
    }
}

/// What the installed SDKs hold in `bin/` besides Go's commands: set aside at install
/// (named, as gv ignored them), or still in `bin/` (an SDK put in the store by hand or by
/// an older gv), where the SDK's `bin/` on PATH would run them in place of the system's.
pub(super) fn sdk_commands_check(store: &Store) -> Check {
    const NAME: &str = "sdk commands";
    let Ok(versions) = store.installed() else {
        return Check::ok(NAME, "no installed SDKs to look at");
    };
    let mut in_bin = Vec::new();
    let mut set_aside = Vec::new();
    for version in versions {
        let goroot = store.version_dir(&version);
        let foreign = |dir: &Path, dirs_too: bool| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| dirs_too || !e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !gv_core::shim::is_go_command(n))
                .map(|n| gv_core::text::one_line(&n).into_owned())
                .collect();
            names.sort();
            names
        };
        let here = foreign(&goroot.join("bin"), false);
        if !here.is_empty() {
            in_bin.push(format!("Go {version}: {}", here.join(", ")));
        }
        let aside = foreign(&Store::set_aside_bin(&goroot), true);
        if !aside.is_empty() {
            set_aside.push(format!("Go {version}: {}", aside.join(", ")));
        }
    }
    let fix = "a Go release has only go and gofmt in bin/: remove the version (`gv uninstall`) and install it from go.dev";
    if !in_bin.is_empty() {
        return Check::problem(
            NAME,
            format!(
                "commands that are not Go's in an SDK's bin/, which goes first on PATH where that version is selected: {}",
                in_bin.join("; ")
            ),
            fix,
        );
    }
    if !set_aside.is_empty() {
        return Check::problem(
            NAME,
            format!(
                "gv ignored commands that are not Go's, found in an SDK's bin/ at install (set aside in GOROOT/.gv-set-aside/bin: no shims, never on PATH): {}",
                set_aside.join("; ")
            ),
            fix,
        );
    }
    Check::ok(NAME, "the installed SDKs have only Go's commands in bin/")
}

/// A hard link of `b`, or a byte-identical copy.
pub(super) fn same_file_or_content(a: &Path, b: &Path) -> bool {
    if gv_core::platform::same_file(a, b) {
        return true;
    }
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    ma.len() == mb.len() && same_content(a, b).unwrap_or(false)
}

/// Compared a chunk at a time: memory stays bounded whatever the files hold.
fn same_content(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let (mut fa, mut fb) = (
        gv_core::limits::open_regular(a)?,
        gv_core::limits::open_regular(b)?,
    );
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(fb.read(&mut bb[..1])? == 0);
        }
        fb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// gv must be able to write the store (installs, rehash) and traverse it.
pub(super) fn store_check(store: &Store) -> Check {
    let root = store.root();
    if !root.exists() {
        return Check::ok(
            "store",
            format!(
                "{} does not exist yet (created by the first install)",
                root.display()
            ),
        );
    }
    if !root.is_dir() {
        return Check::problem(
            "store",
            format!("{} is not a directory", root.display()),
            "move the file aside, or point GV_ROOT at a directory",
        );
    }
    let mut bad = Vec::new();
    for dir in [root.to_path_buf(), store.versions_dir()] {
        if dir.exists() && !writable(&dir) {
            bad.push(dir.display().to_string());
        }
    }
    if bad.is_empty() {
        Check::ok("store", format!("{} is writable", root.display()))
    } else {
        Check::problem(
            "store",
            format!("not writable by you: {}", bad.join(", ")),
            format!(
                "chown -R \"$USER\" {}  (or point GV_ROOT at a directory you own)",
                gv_core::suggest::word(&root.to_string_lossy())
            ),
        )
    }
}

pub(super) fn writable(dir: &Path) -> bool {
    gv_core::platform::can_write(dir, true)
}
