//! `gv init SHELL`: the code a shell's rc file evaluates. The scripts live next to this
//! file (`init/*`) so they read as shell code; `@@GV@@`, `@@HOOK@@`, `@@SHIMS@@`,
//! `@@STAMPS@@` and `@@GOBIN@@` are filled in with quoted paths.

use std::path::{Path, PathBuf};

use super::Shell;

const BASH: &str = include_str!("init/gv.bash");
const ZSH: &str = include_str!("init/gv.zsh");
const FISH: &str = include_str!("init/gv.fish");
const POWERSHELL: &str = include_str!("init/gv.ps1");

/// Where the script finds its paths.
pub struct Paths<'a> {
    /// gv itself, for the `gv` function.
    pub exe: &'a Path,
    /// What runs the directory-change hook: `gv-shim`, or gv itself.
    pub hook: &'a Path,
    /// GV_ROOT/shims, put on PATH.
    pub shims: &'a Path,
    /// The directory of the per-shell stamp files ([`gv_core::watch::stamp_dir`]).
    pub stamps: &'a Path,
    /// The GOBIN shared by every version, put on PATH when there is one.
    pub gobin: Option<&'a Path>,
}

/// The init script for `shell`.
pub fn script(shell: Shell, paths: &Paths) -> String {
    let template = match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
        Shell::Powershell => POWERSHELL,
    };
    let text = template
        .replace("@@GV@@", &shell.quote(&paths.exe.to_string_lossy()))
        .replace("@@HOOK@@", &shell.quote(&paths.hook.to_string_lossy()))
        .replace("@@SHIMS@@", &shell.quote(&paths.shims.to_string_lossy()))
        .replace("@@STAMPS@@", &shell.quote(&paths.stamps.to_string_lossy()))
        .replace(
            "@@GOBIN@@",
            &shell.quote(&paths.gobin.map(|g| g.to_string_lossy()).unwrap_or_default()),
        );
    match shell {
        Shell::Bash => guard_bash_version(&text),
        _ => text,
    }
}

/// The bash hook needs bash 4.4 (`[[ -v ]]`, `${var@a}`, PROMPT_COMMAND arrays), but macOS
/// ships bash 3.2 as /bin/bash, which cannot even parse it. So what follows the marker is
/// handed to `eval` as one single-quoted word, which any shell can read, and only when
/// `$BASH_VERSION` is new enough; an older bash prints one error naming zsh instead. What
/// comes before the marker (the shims and GOBIN on PATH) is plain POSIX sh and runs in
/// every bash: `go` still follows the pins through the shims.
fn guard_bash_version(text: &str) -> String {
    let (before, after) = text
        .split_once(NEEDS_BASH_4_4)
        .expect("gv.bash has the version marker");
    // No `'` in either: they make a single-quoted printf format, laid out as gv prints an
    // error and its hint.
    let error = "bash %s is too old for the gv shell hook, which needs bash 4.4 or newer (macOS ships bash 3.2 as /bin/bash); the shims are on PATH, so go still follows .go-version and go.mod";
    let hint = "use zsh, the macOS default: put eval \"$(gv init zsh)\" in ~/.zshrc; or install a newer bash (brew install bash) and make it your login shell";
    let message = [
        format!("gv: error: {error}"),
        format!("  hint: {hint}"),
        String::new(),
    ]
    .join("\\n");
    format!(
        "{before}case ${{BASH_VERSION-}} in\n  [0-3].* | 4.[0-3].*)\n    printf '{message}' \"$BASH_VERSION\" >&2\n    ;;\n  *)\n    eval {}\n    ;;\nesac\n",
        super::Shell::Bash.quote(after)
    )
}

const NEEDS_BASH_4_4: &str = "@@NEEDS_BASH_4_4@@\n";

/// The path the hook should call gv by. The path the user invoked (a symlink such as
/// `~/.cargo/bin/gv` or a package manager's stable link) is preferred over the resolved
/// binary, so upgrades that move the real file keep working.
pub fn gv_path(argv0: Option<&str>, path_var: Option<&std::ffi::OsStr>, cwd: &Path) -> PathBuf {
    if let Some(argv0) = argv0.filter(|a| !a.is_empty()) {
        if argv0.contains('/') {
            return cwd.join(argv0);
        }
        if let Some(found) = path_var.and_then(|p| {
            std::env::split_paths(p)
                .filter(|dir| dir.is_absolute())
                .map(|dir| dir.join(argv0))
                .find(|candidate| candidate.is_file())
        }) {
            return found;
        }
    }
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("gv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_have_every_placeholder_filled() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let text = script(
                shell,
                &Paths {
                    exe: Path::new("/o'k/gv"),
                    hook: Path::new("/o'k/gv-shim"),
                    shims: Path::new("/r/shims"),
                    stamps: Path::new("/run/it's"),
                    gobin: Some(Path::new("/h/go/bin")),
                },
            );
            assert!(!text.contains("@@"), "{shell:?}: {text}");
            assert!(text.contains(&shell.quote("/o'k/gv-shim")), "{shell:?}");
            assert!(text.contains(&shell.quote("/o'k/gv")), "{shell:?}");
            assert!(text.contains(&shell.quote("/r/shims")), "{shell:?}");
            assert!(text.contains(&shell.quote("/run/it's")), "{shell:?}");
            assert!(text.contains(&shell.quote("/h/go/bin")), "{shell:?}");
        }
    }

    #[test]
    fn the_invoked_path_is_kept_unresolved() {
        let cwd = Path::new("/home/me");
        assert_eq!(
            gv_path(Some("bin/gv"), None, cwd),
            PathBuf::from("/home/me/bin/gv")
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gv"), "").unwrap();
        let path = std::env::join_paths(["relative", dir.path().to_str().unwrap()]).unwrap();
        assert_eq!(gv_path(Some("gv"), Some(&path), cwd), dir.path().join("gv"));
    }
}
