//! What the shells gv supports read: how each spells a literal word ([`Syntax`]), which
//! program is which shell ([`shell_name`]), and which names every one of them can assign
//! ([`is_portable_var_name`]). The shell hook's code and the commands gv suggests
//! ([`crate::suggest`]) are both written with it.

use std::path::Path;

/// How a shell spells a literal word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// bash and zsh.
    Posix,
    Fish,
    PowerShell,
}

impl Syntax {
    /// The syntax of a shell by name or program (see [`shell_name`]).
    pub fn of_shell(program: &str) -> Option<Syntax> {
        Some(match shell_name(program)? {
            "fish" => Syntax::Fish,
            "powershell" => Syntax::PowerShell,
            _ => Syntax::Posix,
        })
    }

    /// `text` as one word of this syntax, quoted only when it needs to be (for commands
    /// shown to people: `go build -o app ./cmd/app`).
    pub fn word(self, text: &str) -> String {
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
        if !text.is_empty() && text.chars().all(plain) {
            text.to_string()
        } else {
            self.quote(text)
        }
    }

    /// `text` as one literal word of this syntax.
    pub fn quote(self, text: &str) -> String {
        match self {
            // Quotes and backslashes go outside the single quotes, escaped: fish reads
            // `\\` and `\'` inside single quotes as escapes, sh does not, so this is the
            // one form that sh, bash, zsh and fish all read the same — a command gv
            // suggests is safe to paste into any of them, whichever gv guessed.
            Syntax::Posix | Syntax::Fish => {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('\'');
                for c in text.chars() {
                    match c {
                        '\'' => out.push_str(r"'\''"),
                        '\\' => out.push_str(r"'\\'"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
            // PowerShell ends a single-quoted string at any of five quote characters, and
            // reads each one doubled as itself.
            Syntax::PowerShell => {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('\'');
                for c in text.chars() {
                    if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                        out.push(c);
                    }
                    out.push(c);
                }
                out.push('\'');
                out
            }
        }
    }
}

/// The shell a name or program stands for, as gv names it (`bash`, `zsh`, `fish`,
/// `powershell`): `zsh`, `-zsh` (a login shell), `/usr/bin/fish`, `pwsh`, `pwsh.exe`.
pub fn shell_name(program: &str) -> Option<&'static str> {
    let base = Path::new(program.trim()).file_name()?.to_str()?;
    let base = base.trim_start_matches('-');
    let base = base.strip_suffix(".exe").unwrap_or(base);
    Some(match base {
        "bash" => "bash",
        "zsh" => "zsh",
        "fish" => "fish",
        "pwsh" | "powershell" => "powershell",
        _ => return None,
    })
}

/// Can `name` be a shell variable in every shell we support? `[env]` may hold names that
/// a process environment accepts but no shell can assign (`A.B`); the hook skips those.
pub fn is_portable_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_the_characters_each_shell_treats_specially() {
        let nasty = r#"a'b"c\d $e `f` ;g"#;
        assert_eq!(Syntax::Posix.quote(nasty), r#"'a'\''b"c'\\'d $e `f` ;g'"#);
        assert_eq!(Syntax::Fish.quote(nasty), Syntax::Posix.quote(nasty));
        assert_eq!(Syntax::PowerShell.quote(nasty), r#"'a''b"c\d $e `f` ;g'"#);
        assert_eq!(
            Syntax::PowerShell.quote("\u{2019};New-Item x;\u{2018}\u{201a}\u{201b}"),
            "'\u{2019}\u{2019};New-Item x;\u{2018}\u{2018}\u{201a}\u{201a}\u{201b}\u{201b}'"
        );
    }

    #[test]
    fn only_portable_variable_names_are_applied() {
        assert!(is_portable_var_name("CGO_ENABLED"));
        assert!(is_portable_var_name("_x1"));
        assert!(!is_portable_var_name("1X"));
        assert!(!is_portable_var_name("A.B"));
        assert!(!is_portable_var_name(""));
    }
}
