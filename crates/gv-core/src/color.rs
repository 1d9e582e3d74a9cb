//! Colour rules shared by gv and the shim (whose `hook-env` and notices print the same
//! `gv: warning:` lines): colour only on a terminal, never when NO_COLOR is set to anything
//! non-empty (<https://no-color.org>).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Green,
    Yellow,
    Red,
    Dim,
}

/// Whether a stream that is (or is not) a terminal gets colour.
pub fn enabled(stream_is_terminal: bool) -> bool {
    stream_is_terminal && crate::process::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `text` in `style`, or as it is when colour is off.
pub fn paint(text: &str, style: Style, enabled: bool) -> String {
    if !enabled {
        return text.to_string();
    }
    let code = match style {
        Style::Bold => "1",
        Style::Green => "32",
        Style::Yellow => "33",
        Style::Red => "31",
        Style::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_only_when_enabled() {
        assert_eq!(paint("w", Style::Yellow, true), "\x1b[33mw\x1b[0m");
        assert_eq!(paint("w", Style::Yellow, false), "w");
        assert!(!enabled(false));
    }
}
