//! The shell integration: is the hook active here, and can it keep its stamp files.

use super::{Check, Inputs, store::writable};

/// The shell hook is optional (the shims alone pick the version per directory), so its
/// absence is reported, never a problem. It exports `__GV_VARS` while it applies anything.
pub(super) fn hook_check(inputs: &Inputs<'_>) -> Check {
    match inputs.var("__GV_VARS") {
        Some(vars) => Check::ok(
            "hook",
            format!(
                "the shell hook is active (applied:{})",
                vars.to_string_lossy()
            ),
        ),
        None => Check::ok(
            "hook",
            "the shell hook is not active in this shell (the shims still select per directory; `gv init` adds each directory's [env] and GOBIN in the shell itself)",
        ),
    }
}

/// The hook dates a stamp file per shell to notice files edited in place. A stamp
/// directory someone else made (a root shell that kept `XDG_RUNTIME_DIR`) silently turns
/// that off: the hook cannot say so at every cd, so doctor does. Nothing to report while
/// the directory does not exist (the first hook run creates it).
pub(super) fn stamp_check() -> Option<Check> {
    use gv_core::watch::StampDirProblem;
    let dir = gv_core::watch::stamp_dir().ok()?;
    let meta = std::fs::symlink_metadata(&dir).ok()?;
    let (why, fix) = match gv_core::watch::check_stamp_dir(&meta) {
        Err(problem @ StampDirProblem::SharedWritable) => {
            (problem.to_string(), format!("chmod go-w {}", dir.display()))
        }
        Err(problem) => (
            problem.to_string(),
            format!(
                "remove it (it holds only empty stamp files): sudo rm -r {}",
                dir.display()
            ),
        ),
        Ok(()) if !writable(&dir) => (
            "is not writable".to_string(),
            format!("chmod u+w {}", dir.display()),
        ),
        Ok(()) => return None,
    };
    Some(Check::problem(
        "hook",
        format!(
            "{} {why}: the shell hook does not use it, so a .go-version or gv.toml edited in place is applied only at the next cd",
            dir.display()
        ),
        fix,
    ))
}
