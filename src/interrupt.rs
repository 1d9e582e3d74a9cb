//! Ctrl-C while a progress bar is drawn: clear the bar, then die as interrupted.
//!
//! Without this the half-drawn bar stays above the shell's prompt. What an interrupted
//! install leaves in the store (a `.tmp-` tree, a partial download) is swept by the next
//! install, exactly as after a `kill -9`, so nothing else needs undoing here.

use std::sync::{Mutex, Once};

use indicatif::ProgressBar;

static BARS: Mutex<Vec<ProgressBar>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// Clears `bar` if the user presses Ctrl-C while it is shown.
pub fn clear_on_interrupt(bar: &ProgressBar) {
    HANDLER.call_once(|| {
        // Without a handler Ctrl-C still stops gv, only less tidily: not worth failing for.
        let _ = ctrlc::set_handler(|| {
            if let Ok(bars) = BARS.lock() {
                for bar in bars.iter() {
                    bar.finish_and_clear();
                }
            }
            eprintln!("gv: interrupted");
            gv_core::platform::die_of_interrupt();
        });
    });
    if let Ok(mut bars) = BARS.lock() {
        // A finished bar is off the screen already.
        bars.retain(|b| !b.is_finished());
        bars.push(bar.clone());
    }
}
