//! Which `go` runs: gv's shims must come before any other go on PATH; an exported
//! GOROOT must be the selected SDK's.

use std::path::{Path, PathBuf};

use gv_core::select::{Resolved, Selection};

use super::{Check, Inputs};

/// Which kind of `go` a PATH directory holds, when it is not gv's.
pub(super) fn describe_foreign_go(
    dir: &Path,
    goroot_env: Option<&Path>,
    goenv_shims: Option<&Path>,
) -> String {
    // goenv's shims wherever GOENV_ROOT puts them, not only under a `goenv` directory.
    if goenv_shims == Some(dir) {
        return format!("goenv's shims ({})", dir.display());
    }
    let text = dir.to_string_lossy();
    let manager = [
        (".goenv/shims", "goenv's shims"),
        ("goenv/shims", "goenv's shims"),
        (".gvm/", "gvm"),
        (".asdf/shims", "asdf's shims"),
        ("mise/shims", "mise's shims"),
        ("mise/installs", "a mise-installed Go"),
        (".asdf/installs", "an asdf-installed Go"),
    ]
    .iter()
    .find(|(needle, _)| text.contains(needle))
    .map(|(_, what)| *what);
    if let Some(what) = manager {
        return format!("{what} ({})", dir.display());
    }
    if goroot_env.is_some_and(|g| g.join("bin") == dir) {
        return format!("$GOROOT/bin of an exported GOROOT ({})", dir.display());
    }
    let parent = dir.parent();
    if parent.is_some_and(|p| p.join("src").is_dir() && p.join("VERSION").is_file()) {
        return format!(
            "the bin/ of a Go SDK put on PATH by hand, e.g. by an old rc file ({})",
            dir.display()
        );
    }
    format!(
        "a system go ({})",
        dir.join(gv_core::platform::exe_name("go")).display()
    )
}

/// gv's shims must come before any other `go` on PATH, an SDK of gv's own included: a go
/// found first is what every command, in every directory, runs.
pub(super) fn path_check(inputs: &Inputs<'_>, selection: Option<&Selection>) -> Check {
    const FIX_INIT: &str = "put `eval \"$(gv init bash)\"` (or zsh/fish/powershell) at the END of your shell's rc file, after anything else that changes PATH";
    let shims = inputs.store().shims_dir();
    let path = inputs.var("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let shims_at = dirs.iter().position(|d| *d == shims);
    // The shell hook of an earlier gv put the selected SDK's bin/ first.
    let hook_bin = selection.and_then(|s| match &s.resolved {
        Resolved::Managed { goroot, .. } => Some(goroot.join("bin")),
        Resolved::System { .. } => None,
    });
    let goroot_env = inputs.var("GOROOT").map(PathBuf::from);
    let goenv_shims = super::goenv::goenv_shims(inputs);
    let first_go = dirs.iter().enumerate().find(|(_, d)| {
        d.is_absolute()
            && gv_core::select::is_executable_file(&d.join(gv_core::platform::exe_name("go")))
    });
    let Some(shims_at) = shims_at else {
        let msg = match first_go {
            Some((_, dir)) if inputs.store().owns(dir) => format!(
                "gv's shims ({}) are not on PATH; `go` runs {} directly",
                shims.display(),
                dir.join(gv_core::platform::exe_name("go")).display()
            ),
            Some((_, dir)) => format!(
                "gv's shims ({}) are not on PATH; `go` is {}",
                shims.display(),
                describe_foreign_go(dir, goroot_env.as_deref(), goenv_shims.as_deref())
            ),
            None => format!("gv's shims ({}) are not on PATH", shims.display()),
        };
        return Check::problem("path", msg, FIX_INIT);
    };
    match first_go {
        Some((i, dir))
            if i < shims_at
                && !inputs.store().owns(dir)
                && hook_bin.as_deref() != Some(dir.as_path()) =>
        {
            let what = describe_foreign_go(dir, goroot_env.as_deref(), goenv_shims.as_deref());
            let goenv = what
                .starts_with("goenv")
                .then(|| super::goenv::rc_lines(inputs))
                .filter(|lines| !lines.is_empty());
            let fix = match goenv {
                Some(lines) => format!(
                    "remove goenv's set-up at {} (`gv import goenv` lists each line and what replaces it), then {FIX_INIT}",
                    super::goenv::goenv_places(&lines)
                ),
                None => format!(
                    "remove {} from PATH in your rc file (or uninstall that Go manager), then {FIX_INIT}",
                    dir.display()
                ),
            };
            Check::problem(
                "path",
                format!("`go` resolves to {what}, which comes before gv's shims on PATH"),
                fix,
            )
        }
        Some((i, dir)) if i < shims_at && hook_bin.as_deref() == Some(dir.as_path()) => {
            Check::problem(
                "path",
                format!(
                    "`go` resolves to {}, the selected SDK's bin/, ahead of gv's shims ({}): right here, but every script, `make -C` or `cd x && go` started from this shell runs it too, whatever its directory selects",
                    dir.join(gv_core::platform::exe_name("go")).display(),
                    shims.display()
                ),
                "open a new shell: an earlier gv's shell hook put it there; today's keeps the shims first",
            )
        }
        Some((i, dir)) if i < shims_at => Check::problem(
            "path",
            format!(
                "`go` resolves to {}, an SDK in gv's store that is not the one selected here, ahead of gv's shims on PATH",
                dir.join(gv_core::platform::exe_name("go")).display()
            ),
            format!(
                "remove {} from PATH in your rc file; the shims and the shell hook pick the version per directory",
                dir.display()
            ),
        ),
        _ => Check::ok(
            "path",
            format!("`go` resolves to gv's shims ({} on PATH)", shims.display()),
        ),
    }
}

/// An exported GOROOT that names another SDK mixes two SDKs for anything run outside gv.
pub(super) fn goroot_check(inputs: &Inputs<'_>, selection: Option<&Selection>) -> Check {
    let Some(exported) = inputs.var("GOROOT") else {
        return Check::ok("goroot", "GOROOT is not exported (gv sets it per command)");
    };
    let exported = PathBuf::from(exported);
    let Some(selected) = selection.and_then(|s| s.resolved.goroot()) else {
        return Check::ok(
            "goroot",
            format!(
                "GOROOT={} (no managed version to compare)",
                exported.display()
            ),
        );
    };
    let same = exported == selected
        || std::fs::canonicalize(&exported).ok() == std::fs::canonicalize(&selected).ok();
    if same {
        Check::ok(
            "goroot",
            format!("GOROOT={} matches the selected version", exported.display()),
        )
    } else {
        Check::problem(
            "goroot",
            format!(
                "GOROOT={} is exported but the selected version lives in {}; shims override it, but tools run outside gv mix two SDKs",
                exported.display(),
                selected.display()
            ),
            super::ide::goroot_fix(inputs),
        )
    }
}

#[cfg(test)]
mod tests {
    gv_core::unix_only! {
    use super::*;

    #[test]
    fn foreign_go_is_named() {
        assert!(describe_foreign_go(Path::new("/h/.goenv/shims"), None, None).starts_with("goenv"));
        // A custom GOENV_ROOT: its shims are goenv's, not "a system go".
        let custom = Path::new("/opt/tools/go-versions/shims");
        assert!(describe_foreign_go(custom, None, Some(custom)).starts_with("goenv's shims"));
        assert!(describe_foreign_go(custom, None, None).starts_with("a system go"));
        assert!(describe_foreign_go(Path::new("/h/.asdf/shims"), None, None).starts_with("asdf"));
        assert!(
            describe_foreign_go(Path::new("/h/.local/share/mise/shims"), None, None).starts_with("mise")
        );
        assert!(
            describe_foreign_go(Path::new("/opt/go/bin"), Some(Path::new("/opt/go")), None)
                .contains("$GOROOT/bin")
        );
        assert!(describe_foreign_go(Path::new("/usr/bin"), None, None).contains("/usr/bin/go"));
    }
    }
}
