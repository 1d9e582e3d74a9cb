//! Download and unpack progress: an indicatif bar (bytes, rate, ETA) on a terminal, a few
//! plain lines otherwise (logs, CI), nothing with `--quiet`.
//!
//! The bar sits on a line of its own under the "downloading URL (size)" line and fills the
//! terminal's width (less two columns, see [`Narrowed`]), so it never wraps. Ctrl-C
//! clears it before gv dies (see [`crate::interrupt`]), leaving no half-drawn bar above
//! the shell's prompt.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

enum Inner {
    Quiet,
    Bar(ProgressBar),
    Plain {
        total: Option<u64>,
        start: Instant,
        /// When the last line was printed, and at which percentage.
        last: Mutex<(Instant, u64)>,
    },
}

/// Plain mode reports in steps of this many percent...
const PLAIN_STEP: u64 = 25;
/// ...and no more often than this: a download that is over in a moment needs no
/// progress lines at all, only its outcome.
const PLAIN_EVERY: Duration = Duration::from_secs(2);

impl Progress {
    pub fn quiet() -> Progress {
        Progress {
            inner: Arc::new(Inner::Quiet),
        }
    }

    /// Progress for `total` bytes (if known); says what is happening first.
    pub fn start(quiet: bool, what: &str, total: Option<u64>) -> Progress {
        if quiet {
            return Progress::quiet();
        }
        let size = total
            .map(|t| format!(" ({})", HumanBytes(t)))
            .unwrap_or_default();
        crate::ui::info(format!("{what}{size}"));
        if std::io::stderr().is_terminal() {
            let target = ProgressDrawTarget::term_like_with_hz(
                Box::new(Narrowed(console::Term::buffered_stderr())),
                20,
            );
            let bar = ProgressBar::with_draw_target(total, target);
            let template = if total.is_some() {
                "  [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}"
            } else {
                "  {spinner} {bytes} {binary_bytes_per_sec}"
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            crate::interrupt::clear_on_interrupt(&bar);
            return Progress {
                inner: Arc::new(Inner::Bar(bar)),
            };
        }
        let now = Instant::now();
        Progress {
            inner: Arc::new(Inner::Plain {
                total,
                start: now,
                last: Mutex::new((now, 0)),
            }),
        }
    }

    /// Whether nothing is shown (`--quiet`): a later stage of the same install stays quiet too.
    pub fn is_quiet(&self) -> bool {
        matches!(&*self.inner, Inner::Quiet)
    }

    /// `bytes` have arrived so far.
    pub fn set(&self, bytes: u64) {
        match &*self.inner {
            Inner::Quiet => {}
            Inner::Bar(bar) => bar.set_position(bytes),
            Inner::Plain { total, start, last } => {
                let Some(total) = total.filter(|t| *t > 0) else {
                    return;
                };
                let step = bytes.saturating_mul(100) / total / PLAIN_STEP * PLAIN_STEP;
                let Ok(mut last) = last.lock() else { return };
                let (at, shown) = *last;
                if step <= shown || step >= 100 || at.elapsed() < PLAIN_EVERY {
                    return;
                }
                *last = (Instant::now(), step);
                let secs = start.elapsed().as_secs_f64().max(0.001);
                eprintln!(
                    "  {step}% ({} of {}, {}/s)",
                    HumanBytes(bytes),
                    HumanBytes(total),
                    HumanBytes((bytes as f64 / secs) as u64)
                );
            }
        }
    }

    /// Clears the bar; the caller prints the outcome.
    pub fn finish(&self) {
        if let Inner::Bar(bar) = &*self.inner {
            bar.finish_and_clear();
        }
    }

    /// A line of information, unless quiet (printed above the bar if there is one).
    pub fn say(&self, text: &str) {
        match &*self.inner {
            Inner::Quiet => {}
            Inner::Bar(bar) => bar.println(text),
            Inner::Plain { .. } => eprintln!("{text}"),
        }
    }
}

/// stderr, two columns narrower than the terminal. indicatif pads the bar's line to the
/// full width, leaving the cursor at the right edge, where the `^C` the terminal echoes
/// on Ctrl-C wraps onto a new line: clearing "the bar's line" would then clear that one
/// and leave the bar. Two spare columns keep the echo on the bar's own line.
#[derive(Debug)]
struct Narrowed(console::Term);

impl TermLike for Narrowed {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(2)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}
