//! Showing text that came from outside: file contents, key names, directory names, index
//! entries. A terminal obeys control characters (and reorders text around bidirectional
//! formatting characters), so a `.go-version` or a directory name
//! holding `ESC ] 52 ; …` could write the clipboard or rewrite what the user sees. Every
//! message gv and the shim print passes through [`escape_controls`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character except newline and tab spelled out (`\u{1b}`), so a
/// terminal shows it instead of obeying it. C1 controls (U+0080–U+009F) count too: some
/// terminals treat U+009B as ESC [.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape_controls`], newlines and tabs included: for text that must stay on one
/// line, such as a comment in generated shell code.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() || is_bidi(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi(c)
}

/// Unicode's bidirectional formatting characters: they reorder what a terminal shows
/// (a file name can display as another: "Trojan Source"), so they are spelled out too.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_spelled_out() {
        assert_eq!(
            escape_controls("plain /p/.go-version"),
            "plain /p/.go-version"
        );
        assert_eq!(
            escape_controls("a\x1b]52;c;aGk=\x07b"),
            "a\\u{1b}]52;c;aGk=\\u{7}b"
        );
        assert_eq!(escape_controls("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(escape_controls("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(
            escape_controls("app\u{202e}gpj.exe \u{2066}x\u{2069}"),
            "app\\u{202e}gpj.exe \\u{2066}x\\u{2069}"
        );
        assert_eq!(one_line("two\nlines"), "two\\u{a}lines");
        assert!(matches!(escape_controls("x"), Cow::Borrowed(_)));
    }
}
