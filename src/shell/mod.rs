//! Shell integration in gv: which shells gv speaks (for `gv init`, `gv shell` and
//! completions), finding the user's shell, and the init scripts (`init/`). The engine the
//! hook runs at each directory change — what to set, quoting, the watch lists — is
//! gv-core's `hook` and `watch`, shared with gv-shim.
//!
//! The design, shared by every shell:
//! - `gv init` prints functions that keep all state in shell variables. Nothing runs on a
//!   prompt where neither `$PWD` nor a watched file changed: a string comparison and a
//!   few file tests.
//! - The shims come first on PATH: the Go version is theirs to pick, per go command and
//!   its own directory. The hook applies only what other programs read — the trusted
//!   `[env]` and GOBIN — and says what is worth saying once.
//! - When the directory changed, the hook first *restores* what it applied before (pure
//!   shell builtins), then runs `gv-shim hook-env` once, which sees the user's own
//!   environment and prints calls to `__gv_set NAME VALUE` for the new place.
//! - `__gv_set` remembers the user's original value in `__GV_O_<NAME>` (only when there
//!   was one) and the applied value in `__GV_N_<NAME>`; restore puts the original back (or
//!   unsets), but only while the variable still holds gv's value, so a change the user
//!   made by hand in the meantime wins. The state is exported so a nested shell restores
//!   correctly too.
//! - The `gv` shell function re-runs the hook after commands that change what applies
//!   here (`gv local`, `gv global`, `gv shell`, `gv install`, `gv uninstall`, `gv prune`,
//!   `gv import`, `gv trust`, `gv untrust`), so a change made with gv is visible at once.

pub mod init;

pub use gv_core::shell_syntax::Syntax;

/// A shell gv can integrate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
}

impl Shell {
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
        }
    }

    /// The shell an executable name (`bash`, `-zsh`, `/usr/bin/fish`, `pwsh`) stands for.
    pub fn from_program(program: &str) -> Option<Shell> {
        let name = gv_core::shell_syntax::shell_name(program)?;
        <Shell as clap::ValueEnum>::from_str(name, false).ok()
    }

    /// The shell that runs gv: the parent process, else `$SHELL`.
    pub fn detect() -> Option<Shell> {
        gv_core::platform::parent_process_name()
            .and_then(|name| Shell::from_program(&name))
            .or_else(|| {
                gv_core::process::var("SHELL")
                    .ok()
                    .and_then(|s| Shell::from_program(&s))
            })
    }

    /// The shell to suggest when none is detected: PowerShell on Windows (cmd.exe has no
    /// prompt to hook; it gets the shims only), bash elsewhere.
    pub fn fallback() -> Shell {
        if gv_core::platform::WINDOWS {
            Shell::Powershell
        } else {
            Shell::Bash
        }
    }

    /// The line to put in the shell's rc file.
    pub fn rc_line(self) -> &'static str {
        match self {
            Shell::Bash => "~/.bashrc:   eval \"$(gv init bash)\"",
            Shell::Zsh => "~/.zshrc:    eval \"$(gv init zsh)\"",
            Shell::Fish => "~/.config/fish/config.fish:   gv init fish | source",
            Shell::Powershell => {
                "$PROFILE:    Invoke-Expression (& gv init powershell | Out-String)"
            }
        }
    }

    /// How this shell spells a literal word.
    pub fn syntax(self) -> Syntax {
        match self {
            Shell::Bash | Shell::Zsh => Syntax::Posix,
            Shell::Fish => Syntax::Fish,
            Shell::Powershell => Syntax::PowerShell,
        }
    }

    /// `text` as one literal word of this shell's syntax.
    pub fn quote(self, text: &str) -> String {
        self.syntax().quote(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_are_recognised_from_process_names_and_paths() {
        assert_eq!(Shell::from_program("bash\n"), Some(Shell::Bash));
        assert_eq!(Shell::from_program("-zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_program("/usr/bin/fish"), Some(Shell::Fish));
        assert_eq!(Shell::from_program("pwsh"), Some(Shell::Powershell));
        assert_eq!(Shell::from_program("python3"), None);
    }
}
