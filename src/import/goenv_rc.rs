//! The lines of a user's shell start-up files that still run goenv, and what replaces
//! each: left in place, goenv's init puts its shims before gv's and exports
//! `GOPATH=~/go/<version>`, which moves the GOBIN gv shares between versions off PATH
//! (`go install` output disappears and the old binary keeps running).

use std::path::{Path, PathBuf};

/// One line that still sets goenv up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GoenvLine {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// The line as written, escaped for showing.
    pub text: String,
    /// What to put instead (`eval "$(gv init bash)"`), or `None`: delete it.
    pub replace_with: Option<String>,
}

/// The start-up files under `home` (gv's own list: bash, zsh, fish, PowerShell) and
/// their lines that run goenv: `goenv init`, a `GOENV_*` setting, goenv's directories on
/// PATH. Comments are passed over; each file is read up to [`gv_core::limits::EDITOR_FILE`].
pub fn goenv_lines(home: &Path) -> Vec<GoenvLine> {
    goenv_lines_in(&crate::self_update::uninstall::rc_files(home))
}

/// [`goenv_lines`] of these files.
pub fn goenv_lines_in(files: &[PathBuf]) -> Vec<GoenvLine> {
    let mut out = Vec::new();
    for file in files {
        let file = file.clone();
        let Ok(text) = gv_core::limits::read_file_string(&file, gv_core::limits::EDITOR_FILE)
        else {
            continue;
        };
        let fish = file.extension().is_some_and(|e| e == "fish");
        let ps = file.extension().is_some_and(|e| e == "ps1");
        let zsh = file
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".z"));
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with('#') || !runs_goenv(code) {
                continue;
            }
            let replace_with = code.contains("goenv init").then(|| {
                if fish {
                    "gv init fish | source".to_string()
                } else if ps {
                    "Invoke-Expression (& gv init powershell | Out-String)".to_string()
                } else if zsh {
                    "eval \"$(gv init zsh)\"".to_string()
                } else {
                    "eval \"$(gv init bash)\"".to_string()
                }
            });
            out.push(GoenvLine {
                file: file.clone(),
                line: i + 1,
                text: gv_core::text::one_line(line.trim()).into_owned(),
                replace_with,
            });
        }
    }
    out
}

/// Does this line of shell code set goenv up?
fn runs_goenv(code: &str) -> bool {
    let code = code.split(" #").next().unwrap_or(code);
    code.contains("goenv init")
        || code.contains("GOENV_")
        || code.contains(".goenv/bin")
        || code.contains(".goenv/shims")
        || code.contains("goenv/shims")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_goenvs_lines_and_says_what_replaces_them() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".bashrc"),
            "alias ll='ls -l'\n# eval \"$(goenv init -)\"\nexport GOENV_ROOT=\"$HOME/.goenv\"\nexport PATH=\"$GOENV_ROOT/bin:$PATH\"\neval \"$(goenv init -)\"\nexport PATH=\"$GOROOT/bin:$PATH\"\necho \u{1b}]52;goenv init\n",
        )
        .unwrap();
        let fish = home.path().join("config.fish");
        std::fs::write(
            &fish,
            "status --is-interactive; and source (goenv init -|psub)\n",
        )
        .unwrap();
        std::fs::write(home.path().join(".zshrc"), "export GOPATH=~/go\n").unwrap();
        let files = [
            home.path().join(".bashrc"),
            home.path().join(".zshrc"),
            fish,
            home.path().join("missing"),
        ];
        let found = goenv_lines_in(&files);
        let lines: Vec<(String, usize, Option<&str>)> = found
            .iter()
            .map(|l| {
                (
                    l.file.file_name().unwrap().to_string_lossy().into_owned(),
                    l.line,
                    l.replace_with.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (".bashrc".to_string(), 3, None),
                (".bashrc".to_string(), 4, None),
                (".bashrc".to_string(), 5, Some("eval \"$(gv init bash)\"")),
                (".bashrc".to_string(), 7, Some("eval \"$(gv init bash)\"")),
                ("config.fish".to_string(), 1, Some("gv init fish | source")),
            ]
        );
        // A hostile line is shown escaped, never obeyed by the terminal.
        assert!(found[3].text.contains("\\u{1b}"), "{}", found[3].text);
    }
}
