//! How a failure is told: what happened (the error's own message), why (its chain of
//! causes, each printed once), and what to do next (a hint, kept apart from the message
//! so that the CLI, the shim and `gv doctor` can place it).
//!
//! Rules every error type in gv follows:
//! - `Display` states what happened; it never repeats its `#[source]` (the chain prints
//!   the cause) and never carries the hint;
//! - the hint comes from [`Hint`], found for any error in a chain by
//!   [`crate::diagnostics::hint_of`] (gv-core's types) or the gv crate's `error::hint_of`
//!   (which also knows its own);
//! - [`Report`] puts it together: `message: cause: cause` and `  hint: …` on its own line.
//!
//! This module names no other module of the crate: every error type implements [`Hint`],
//! so the list of them ([`crate::diagnostics`]) sits above them all, never here.

use std::error::Error;
use std::fmt;

/// What to do next about an error, when its type knows.
pub trait Hint {
    fn hint(&self) -> Option<String>;
}

/// `what happened: why: why`. A link whose text the report already holds (an error that
/// wraps another transparently, a context that repeats its cause) is not printed again.
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

/// Walks the chain of `err`, asking `here` for each link's hint.
pub fn find_hint(
    err: &(dyn Error + 'static),
    here: impl Fn(&(dyn Error + 'static)) -> Option<String>,
) -> Option<String> {
    let mut next = Some(err);
    while let Some(link) = next {
        if let Some(hint) = here(link) {
            return Some(hint);
        }
        next = link.source();
    }
    None
}

/// The hint of `err` when it is one of the listed error types, each of which implements
/// [`Hint`]: `hint_among!(err; StoreError, ConfigError)`. Each crate lists its own types.
#[macro_export]
macro_rules! hint_among {
    ($err:expr; $($t:ty),* $(,)?) => {{
        let err: &(dyn ::std::error::Error + 'static) = $err;
        None$(.or_else(|| err.downcast_ref::<$t>().and_then($crate::error::Hint::hint)))*
    }};
}

/// An error ready for the terminal: the chain as one message, and the hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub message: String,
    pub hint: Option<String>,
}

impl Report {
    /// The report of `err`, with hints from `hints`: [`crate::diagnostics::hint_of`] for
    /// gv-core's types (the gv crate adds its own).
    pub fn with_hints(
        err: &(dyn Error + 'static),
        hints: impl Fn(&(dyn Error + 'static)) -> Option<String>,
    ) -> Report {
        Report {
            message: chain(err),
            hint: hints(err),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// An error that is only a message and a hint: for failures that have no type of their
/// own (a command-line check, a wrapper's context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

impl Hinted {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Hinted {
        Hinted {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Hinted {}

impl Hint for Hinted {
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read /p/.go-version")]
    struct Outer {
        #[source]
        source: std::io::Error,
    }

    #[test]
    fn each_cause_prints_once_and_the_hint_apart() {
        let err = Outer {
            source: std::io::Error::other("Input/output error (os error 5)"),
        };
        assert_eq!(
            chain(&err),
            "cannot read /p/.go-version: Input/output error (os error 5)"
        );
        let report = Report::with_hints(&err, |_| Some("fix it".into()));
        assert_eq!(
            report.to_string(),
            "cannot read /p/.go-version: Input/output error (os error 5)\n  hint: fix it"
        );
        let hinted = Hinted::new("no gv.toml here", "name one");
        assert_eq!(
            hinted.to_string(),
            "no gv.toml here",
            "the hint stays apart"
        );
    }
}
