//! Diagnostics: the gv crate's side of error reporting (the rules are in `gv_core::error`)
//! — the list of every error type gv can return, to find the hint anywhere in a chain, and
//! the command-line usage error. Only what prints uses it (the CLI, `gv doctor`): the
//! modules it lists sit below it, and an error that wraps another passes on the inner
//! error's own `hint()` instead of asking this list.

use std::error::Error;

pub use gv_core::error::{Hint, Hinted, Report};

/// The first hint in the chain of `err`, among gv's and gv-core's error types.
pub fn hint_of(err: &(dyn Error + 'static)) -> Option<String> {
    gv_core::error::find_hint(err, |link| {
        own_hint(link).or_else(|| gv_core::diagnostics::core_hint(link))
    })
}

/// `err` as the terminal shows it: the chain once, the hint apart.
pub fn report(err: &anyhow::Error) -> Report {
    let err: &(dyn Error + 'static) = err.as_ref();
    Report::with_hints(err, hint_of)
}

/// Prints `err` as gv reports errors: its chain once, then its hint.
pub fn print(err: &(dyn Error + 'static)) {
    crate::ui::report(&Report::with_hints(err, hint_of));
}

/// The hint of this one error, if it is one of gv's types. A test checks that every type
/// with an `impl Hint` in this crate is listed.
fn own_hint(err: &(dyn Error + 'static)) -> Option<String> {
    gv_core::hint_among!(
        err;
        UsageError,
        crate::gobuild::flags::FlagError,
        crate::gobuild::layout::LayoutError,
        crate::gobuild::profile::ProfileError,
        crate::prune::PruneError,
        crate::sources::goproxy::ProxyError,
        crate::sources::index::IndexError,
        crate::sources::fetch::FetchError,
        crate::sources::mirror::MirrorError,
        crate::sources::sumdb::SumDbError,
        crate::vulndb::VulnDbError,
        crate::ide::vscode::WriteError,
        crate::import::ImportError,
        crate::inspect::InspectError,
        crate::install::InstallError,
        crate::install::HashMismatch,
        crate::install::proof::ProofError,
        crate::install::UninstallError,
        crate::release::UrlError,
        crate::self_update::SelfError,
        crate::shim_dir::ShimError,
        crate::symbols::coredump::CoreError,
        crate::symbols::debuginfod::DebuginfodError,
        crate::symbols::store::StoreError,
        crate::tools::names::NameError,
        crate::trust::TrustError,
    )
}

/// The user's invocation is wrong, not gv's environment: exits with 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> UsageError {
        UsageError {
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error saying what `err` says, with its hint.
    pub fn of(err: &(dyn Error + 'static)) -> UsageError {
        UsageError {
            message: gv_core::error::chain(err),
            hint: hint_of(err),
        }
    }

    pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> UsageError {
        UsageError {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

impl Hint for UsageError {
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

#[cfg(test)]
mod tests {
    /// Every error type with hints must be findable from a chain: each `impl Hint for T` in
    /// the sources appears in `own_hint`'s list (or gv-core's), and no `#[error]` message
    /// carries its hint or repeats its cause.
    #[test]
    fn every_hinted_type_is_listed_and_no_message_embeds_a_hint() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let own = std::fs::read_to_string(root.join("src/error.rs")).unwrap();
        let core = std::fs::read_to_string(root.join("crates/gv-core/src/diagnostics.rs")).unwrap();
        let mut problems = Vec::new();
        for dir in ["src", "crates/gv-core/src", "crates/gv-shim/src"] {
            for path in walk(&root.join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    if let Some(rest) = line
                        .trim()
                        .strip_prefix("impl gv_core::error::Hint for ")
                        .or_else(|| line.trim().strip_prefix("impl crate::error::Hint for "))
                        .or_else(|| line.trim().strip_prefix("impl Hint for "))
                    {
                        let name = rest.trim_end_matches(" {");
                        if !own.contains(&format!("::{name},"))
                            && !own.contains(&format!("{name},"))
                            && !core.contains(&format!("::{name},"))
                            && !core.contains(&format!("{name},"))
                        {
                            problems.push(format!("{}: {name} is not listed", path.display()));
                        }
                    }
                }
                if path.ends_with("error.rs") {
                    continue;
                }
                for (i, line) in text.lines().enumerate() {
                    if line.contains("\\n  hint:") {
                        problems.push(format!(
                            "{}:{}: a hint inside a message",
                            path.display(),
                            i + 1
                        ));
                    }
                    if line.contains("#[error(") && line.contains("{source}") {
                        problems.push(format!(
                            "{}:{}: a message repeats its cause",
                            path.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }
}
