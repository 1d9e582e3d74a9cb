//! What goenv leaves behind that breaks gv: its shims ahead of gv's wherever `GOENV_ROOT`
//! points, and the `GOPATH=~/go/<version>` its init exports, which moves the GOBIN gv
//! shares between versions off PATH (`go install` output disappears, the old binary keeps
//! running). Each names the start-up file line to change.

use std::path::{Path, PathBuf};

use gv_core::Version;

use super::{Check, Inputs};
use crate::import::goenv_rc::{self, GoenvLine};

/// goenv's shims directory for this environment: `$GOENV_ROOT/shims` (your own value).
pub(super) fn goenv_shims(inputs: &Inputs<'_>) -> Option<PathBuf> {
    gv_core::env::users_own(gv_core::vars::GOENV_ROOT, &|n: &str| (inputs.lookup)(n))
        .map(|root| PathBuf::from(root).join("shims"))
}

/// `FILE:LINE` of the start-up file lines that still run goenv, for a fix.
pub(super) fn goenv_places(lines: &[GoenvLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{}:{}", gv_core::text::path(&l.file), l.line))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The start-up file lines under HOME that still run goenv.
pub(super) fn rc_lines(inputs: &Inputs<'_>) -> Vec<GoenvLine> {
    inputs
        .var("HOME")
        .map(|home| goenv_rc::goenv_lines(Path::new(&home)))
        .unwrap_or_default()
}

/// The shared GOBIN must be on PATH, or what `go install` builds is never found. An
/// exported GOPATH (goenv's per-version one above all) moves it there silently; the fix
/// names the line. No line at all when GOPATH moves nothing (the hook check covers a
/// shell without gv's set-up).
pub(super) fn gobin_check(inputs: &Inputs<'_>) -> Option<Check> {
    let gobin = inputs.session.gobin().ok()??;
    let path = inputs.var("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|d| d == gobin) {
        return None;
    }
    let gopath = gv_core::env::users_own("GOPATH", &|n: &str| (inputs.lookup)(n))
        .and_then(|p| std::env::split_paths(&p).next())
        .filter(|first| gobin.parent() == Some(first.as_path()))?;
    let per_version = gopath
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| Version::parse(n).is_ok());
    let message = format!(
        "GOPATH={} is exported, so the shared GOBIN is {}, which is not on PATH: `go install` output is not found and an older copy elsewhere on PATH keeps running",
        gv_core::text::path(&gopath),
        gv_core::text::path(&gobin)
    );
    let home = inputs.var("HOME").map(PathBuf::from);
    let exports: Vec<String> = home
        .as_deref()
        .map(|h| super::ide::rc_exports(h, "GOPATH"))
        .unwrap_or_default()
        .iter()
        .map(|(file, line)| format!("{}:{line}", gv_core::text::path(file)))
        .collect();
    let goenv = rc_lines(inputs);
    let fix = if per_version && !goenv.is_empty() {
        format!(
            "goenv exports a GOPATH per version: remove goenv's set-up at {} and use `eval \"$(gv init bash)\"` (`gv import goenv` lists each line and rebuilds goenv's tools into the shared GOBIN), then open a new shell",
            goenv_places(&goenv)
        )
    } else if !exports.is_empty() {
        format!(
            "remove the GOPATH export at {} (or add its bin/ to PATH), then open a new shell",
            exports.join(", ")
        )
    } else if per_version {
        "a per-version GOPATH like goenv's is exported: unset GOPATH where it is set (goenv's init does it), then open a new shell".to_string()
    } else {
        format!(
            "add {} to PATH, or unset GOPATH where it is exported",
            gv_core::text::path(&gobin)
        )
    };
    Some(Check::problem("gobin", message, fix))
}
