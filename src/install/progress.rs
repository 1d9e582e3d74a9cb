//! Download progress: an indicatif bar (bytes, rate, ETA) on a terminal, a few plain
//! lines otherwise (logs, CI), nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

enum Inner {
    Quiet,
    Bar(ProgressBar),
    Plain {
        total: Option<u64>,
        /// The next percentage worth a line.
        next: AtomicU64,
        start: Instant,
    },
}

/// Plain mode prints a line every this many percent.
const PLAIN_STEP: u64 = 25;

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
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(format!("{what}{size}"));
            return Progress {
                inner: Arc::new(Inner::Bar(bar)),
            };
        }
        eprintln!("{what}{size}");
        Progress {
            inner: Arc::new(Inner::Plain {
                total,
                next: AtomicU64::new(PLAIN_STEP),
                start: Instant::now(),
            }),
        }
    }

    /// `bytes` have arrived so far.
    pub fn set(&self, bytes: u64) {
        match &*self.inner {
            Inner::Quiet => {}
            Inner::Bar(bar) => bar.set_position(bytes),
            Inner::Plain { total, next, start } => {
                let Some(total) = total.filter(|t| *t > 0) else {
                    return;
                };
                let pct = bytes.saturating_mul(100) / total;
                let due = next.load(Ordering::Relaxed);
                if pct >= due && due < 100 {
                    next.store(due + PLAIN_STEP, Ordering::Relaxed);
                    let secs = start.elapsed().as_secs_f64().max(0.001);
                    eprintln!(
                        "  {due}% ({} of {}, {}/s)",
                        HumanBytes(bytes),
                        HumanBytes(total),
                        HumanBytes((bytes as f64 / secs) as u64)
                    );
                }
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
