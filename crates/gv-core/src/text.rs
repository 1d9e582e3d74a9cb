//! Showing text that came from outside: file contents, key names, directory names, index
//! entries. A terminal obeys control characters, so a `.go-version` or a directory name
//! holding `ESC ] 52 ; …` could write the clipboard or rewrite what the user sees; a
//! newline in a directory name could print a line that looks like gv's own
//! (`[ok] everything is fine`); a bidirectional override (U+202E) makes a terminal show
//! the characters after it in another order than the one they run in.
//!
//! The rule, in one place ([`needs_escape`]): every control character (C0, DEL, C1) and
//! every Unicode format character (bidi embeddings, overrides and isolates, zero-width
//! marks, the BOM, tags) and the line and paragraph separators are spelled out as
//! `\u{…}`. Two functions apply it:
//! - [`one_line`] to each piece of outside text where it is put into a message, a
//!   `gv doctor` line or a `gv trust --show` line: it escapes newlines and tabs too;
//! - [`escape_controls`] to a whole message as it is printed, whose own newlines (a hint
//!   on its own line) are gv's and stay.
//!
//! And a URL someone configured may carry a password (`https://user:pass@proxy/`):
//! [`redact_url`] hides it wherever a URL is shown.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// `text` with every control and format character except newline and tab spelled out
/// (`\u{1b}`), so a terminal shows it instead of obeying it. C1 controls (U+0080–U+009F)
/// count too: some terminals treat U+009B as ESC [.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, |c| needs_escape(c) && c != '\n' && c != '\t')
}

/// Like [`escape_controls`], newlines and tabs included: for one piece of outside text
/// (a path, a key, a value) put into a message, and for text that must stay on one line,
/// such as a comment in generated shell code.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, needs_escape)
}

/// `bytes` as text, anything not UTF-8 replaced by U+FFFD, as `String::from_utf8_lossy`
/// does. Checked first with `str::from_utf8`, which passes over ASCII a word at a time:
/// `from_utf8_lossy` checks byte by byte even when all is well, and every file the
/// shim reads (pin, config, trust record) goes through here.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// [`lossy`] for bytes the caller owns: no copy when they are UTF-8.
pub fn lossy_owned(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// A path for a message: [`one_line`] of its text (lossy where it is not UTF-8).
pub fn path(path: &Path) -> String {
    one_line(&path.to_string_lossy()).into_owned()
}

/// The one rule: is `c` something a terminal obeys (a control character) or that
/// changes how the text around it is shown (a Unicode format character: bidi controls,
/// zero-width characters, the BOM, tags; the line and paragraph separators)?
#[inline]
pub fn needs_escape(c: char) -> bool {
    // ASCII first, in one comparison each: messages are mostly ASCII, and the shim prints
    // its own through here.
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control() || is_format(c)
}

/// Unicode's format characters (general category Cf) and separators Zl and Zp.
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

fn escape(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escaped) {
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

/// A URL fit for messages: any `user:password@` is hidden.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{scheme}://xxxxx@{}", &rest[at + 1..]);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path changes nothing: the same text as `from_utf8_lossy` for valid,
    /// invalid and cut-off UTF-8, borrowed when it is valid.
    #[test]
    fn lossy_text_is_what_from_utf8_lossy_gives() {
        let cases: [&[u8]; 7] = [
            b"",
            b"1.22.3\n",
            "caf\u{e9} \u{202e} \u{1f600}".as_bytes(),
            b"bad \xff byte",
            b"cut off \xe2\x82",
            b"\xc0\x80 overlong",
            b"\xed\xa0\x80 surrogate",
        ];
        for bytes in cases {
            let want = String::from_utf8_lossy(bytes);
            assert_eq!(lossy(bytes), want, "{bytes:?}");
            assert_eq!(lossy_owned(bytes.to_vec()), want, "{bytes:?}");
            let borrowed = matches!(lossy(bytes), Cow::Borrowed(_));
            assert_eq!(borrowed, std::str::from_utf8(bytes).is_ok(), "{bytes:?}");
        }
    }

    #[test]
    fn credentials_never_reach_messages() {
        assert_eq!(
            redact_url("https://alice:s3cret@proxy.corp/go"),
            "https://xxxxx@proxy.corp/go"
        );
        assert_eq!(
            redact_url("https://proxy.corp/a@b"),
            "https://proxy.corp/a@b"
        );
    }

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
        assert_eq!(one_line("two\nlines"), "two\\u{a}lines");
        assert!(matches!(escape_controls("x"), Cow::Borrowed(_)));
    }

    /// What reorders or hides text is spelled out like a control character, everywhere.
    #[test]
    fn bidi_and_format_characters_are_spelled_out() {
        for (c, hex) in [
            ('\u{202e}', "202e"),
            ('\u{202a}', "202a"),
            ('\u{2066}', "2066"),
            ('\u{2067}', "2067"),
            ('\u{2068}', "2068"),
            ('\u{2069}', "2069"),
            ('\u{200e}', "200e"),
            ('\u{200f}', "200f"),
            ('\u{200b}', "200b"),
            ('\u{61c}', "61c"),
            ('\u{feff}', "feff"),
            ('\u{2028}', "2028"),
            ('\u{2029}', "2029"),
            ('\u{e0041}', "e0041"),
        ] {
            let text = format!("a{c}b");
            let want = format!("a\\u{{{hex}}}b");
            assert_eq!(escape_controls(&text), want);
            assert_eq!(one_line(&text), want);
        }
        // Letters of right-to-left scripts are text, not controls.
        assert_eq!(one_line("שלום/مرحبا"), "שלום/مرحبا");
        assert_eq!(
            path(Path::new("/tmp/x\n[ok] all is well\u{202e}/gv.toml")),
            "/tmp/x\\u{a}[ok] all is well\\u{202e}/gv.toml"
        );
    }
}
