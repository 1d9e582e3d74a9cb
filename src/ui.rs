//! Terminal output: colour that respects NO_COLOR and non-terminals, and the one format
//! for warnings and errors. Data goes to stdout; everything here goes to stderr.

use std::io::IsTerminal;

#[derive(Clone, Copy)]
pub enum Style {
    Bold,
    Green,
    Yellow,
    Red,
    Dim,
}

/// Colour only for a terminal, and never when NO_COLOR is set to anything non-empty
/// (<https://no-color.org>).
pub fn color_enabled(stream_is_terminal: bool) -> bool {
    stream_is_terminal && gv_core::process::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

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

/// Writes data to stdout. A reader that stopped reading (`gv ls-remote --all | head -1`)
/// is not an error: gv stops and exits 0 quietly, as ripgrep does. Any other failure to
/// write exits 1 with a message.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(err) = std::io::stdout().lock().write_fmt(args) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        error(format!("cannot write to standard output: {err}"));
        std::process::exit(1);
    }
}

/// `println!` for gv's data on stdout, with [`write_out`]'s handling of a closed pipe.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::ui::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::ui::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for gv's data on stdout, with [`write_out`]'s handling of a closed pipe.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::ui::write_out(format_args!($($arg)*))
    };
}

/// A size for people: `1.2 GiB`, `181.4 MiB`, `340 KiB`, `12 B` (binary units, as
/// `du -h` and indicatif count).
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB * KIB {
        format!("{:.1} GiB", b / KIB / KIB / KIB)
    } else if b >= KIB * KIB {
        format!("{:.1} MiB", b / KIB / KIB)
    } else if b >= KIB {
        format!("{:.0} KiB", b / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// Paint for stdout. Human output quotes paths and names others chose, so control
/// characters in `text` are spelled out (data for scripts is printed raw, elsewhere).
pub fn out(text: &str, style: Style) -> String {
    paint(
        &gv_core::text::escape_controls(text),
        style,
        color_enabled(std::io::stdout().is_terminal()),
    )
}

fn err_color() -> bool {
    color_enabled(std::io::stderr().is_terminal())
}

/// Writes one message to stderr: `gv: KIND: text`, then the hint on its own line. The
/// text quotes file contents, key names and paths others chose: control characters in it
/// are spelled out, never sent to the terminal.
fn say(label: &str, style: Style, text: &str, hint: Option<&str>) {
    let message = gv_core::error::Report {
        message: text.to_string(),
        hint: hint.map(str::to_string),
    }
    .to_string();
    gv_core::notice::log_message(&message);
    let label = if label.is_empty() {
        String::new()
    } else {
        format!("{} ", paint(label, style, err_color()))
    };
    eprintln!("{label}{}", gv_core::text::escape_controls(&message));
}

pub fn warn(message: impl std::fmt::Display) {
    say("gv: warning:", Style::Yellow, &message.to_string(), None);
}

/// A warning and what to do about it.
pub fn warn_hinted(message: impl std::fmt::Display, hint: impl std::fmt::Display) {
    say(
        "gv: warning:",
        Style::Yellow,
        &message.to_string(),
        Some(&hint.to_string()),
    );
}

pub fn error(message: impl std::fmt::Display) {
    say("gv: error:", Style::Red, &message.to_string(), None);
}

/// An error as reported: its chain once, then its hint.
pub fn report(report: &gv_core::error::Report) {
    say(
        "gv: error:",
        Style::Red,
        &report.message,
        report.hint.as_deref(),
    );
}

/// Warnings from commands that run go for the user (`gv exec`, `gv build`, `gv tools`),
/// like a shim's: each notice once per version of its file. `gv env`, `gv current` and
/// `gv doctor` show them all, on demand.
pub fn warn_once(store: &gv_core::Store, notices: &[gv_core::notice::Notice]) {
    for notice in gv_core::notice::unseen(store, notices.to_vec()) {
        warn(notice);
    }
}

pub fn info(message: impl std::fmt::Display) {
    say("", Style::Bold, &message.to_string(), None);
}

/// A note and what to do next.
pub fn info_hinted(message: impl std::fmt::Display, hint: impl std::fmt::Display) {
    say(
        "",
        Style::Bold,
        &message.to_string(),
        Some(&hint.to_string()),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_like_du() {
        use super::human_size;
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(340 << 10), "340 KiB");
        assert_eq!(human_size(3 << 20), "3.0 MiB");
        assert_eq!(human_size(67_580_000), "64.4 MiB");
        assert_eq!(human_size(5 << 30), "5.0 GiB");
    }
}
