//! Commands gv suggests (`review it with `gv trust --show PATH``): what a user copies
//! into a shell and runs. A path or any other outside text in one is a way to run code —
//! pasting a hint naming a directory ``tools$(touch X)`` would run `touch X` — so every
//! suggestion is built here, each word quoted as the shell hook quotes
//! ([`Syntax::quote`]) for the shell the user types into.
//!
//! That shell is the one gv was started from (gv's parent process: the shell for a
//! command typed at the prompt, for the `gv` function and for the hook), else PowerShell
//! on Windows and POSIX sh elsewhere. POSIX quoting is written so that fish reads it the
//! same, so a guess of "sh" is still safe to paste into fish.

use std::path::Path;
use std::sync::OnceLock;

use crate::shell_syntax::Syntax;

/// The syntax suggestions are quoted in (see the module's doc), found once per process.
pub fn syntax() -> Syntax {
    static SYNTAX: OnceLock<Syntax> = OnceLock::new();
    *SYNTAX.get_or_init(|| {
        crate::platform::parent_process_name()
            .and_then(|name| Syntax::of_shell(&name))
            .unwrap_or(if crate::platform::WINDOWS {
                Syntax::PowerShell
            } else {
                Syntax::Posix
            })
    })
}

/// `words` as one command line for the user's shell: gv's own words (`gv`, `trust`,
/// `--show`) as they are, anything else quoted.
pub fn command<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> String {
    command_in(syntax(), words)
}

/// [`command`] in a given syntax.
pub fn command_in<S: AsRef<str>>(syntax: Syntax, words: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word_in(syntax, word.as_ref()));
    }
    out
}

/// One word of a suggested command: as it is when every shell reads it literally, else
/// quoted.
pub fn word_in(syntax: Syntax, text: &str) -> String {
    // Letters, digits and `_./:+-`, and `=` after the first character (zsh expands a
    // leading `=`): literal in sh, bash, zsh, fish and PowerShell alike.
    let plain = |(i, c): (usize, char)| {
        c.is_ascii_alphanumeric() || "_./:+-".contains(c) || (c == '=' && i > 0)
    };
    if !text.is_empty() && text.chars().enumerate().all(plain) {
        text.to_string()
    } else {
        syntax.quote(text)
    }
}

/// One word of a suggested command, for the user's shell (see [`word_in`]).
pub fn word(text: &str) -> String {
    word_in(syntax(), text)
}

/// A path as a word of a suggested command (its text; lossy where it is not UTF-8).
pub fn path(path: &Path) -> std::borrow::Cow<'_, str> {
    path.to_string_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gvs_own_words_stay_and_outside_text_is_quoted() {
        let dir = "/src/tools$(touch X)/gv.toml";
        assert_eq!(
            command_in(Syntax::Posix, ["gv", "trust", "--show", dir]),
            "gv trust --show '/src/tools$(touch X)/gv.toml'"
        );
        assert_eq!(
            command_in(Syntax::Fish, ["gv", "install", "1.22.10"]),
            "gv install 1.22.10"
        );
        assert_eq!(
            command_in(Syntax::PowerShell, ["gv", "trust", "C:\\it's\\gv.toml"]),
            "gv trust 'C:\\it''s\\gv.toml'"
        );
        for risky in [
            "=ls", "~/x", "a b", "", "a;b", "a,b", "@x", "%x", "a*", "x\ny",
        ] {
            assert_ne!(word_in(Syntax::Posix, risky), risky, "{risky:?}");
        }
        assert_eq!(word_in(Syntax::Posix, "GOFLAGS=-x"), "GOFLAGS=-x");
    }
}
