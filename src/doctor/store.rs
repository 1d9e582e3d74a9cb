//! The shims (one per tool of the installed SDKs, each the current gv-shim) and the store.

use std::path::Path;

use gv_core::Store;

use super::{Check, Inputs};

/// Every tool of every installed SDK has a shim, and each shim is the current gv-shim.
pub(super) fn shims_check(inputs: &Inputs<'_>) -> Check {
    const FIX: &str = "gv rehash";
    let dir = inputs.store().shims_dir();
    let names = match crate::shims::tool_names(inputs.store()) {
        Ok(names) => names,
        Err(e) => return Check::error("shims", &e, FIX),
    };
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
            format!(
                "no shim for {} (installed SDKs have these tools)",
                missing.join(", ")
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

/// A hard link of `b`, or a byte-identical copy.
pub(super) fn same_file_or_content(a: &Path, b: &Path) -> bool {
    if gv_core::platform::same_file(a, b) {
        return true;
    }
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    ma.len() == mb.len() && matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
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
