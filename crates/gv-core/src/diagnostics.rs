//! Finding the hint for any error in a chain: the list of gv-core's error types, each of
//! which implements [`Hint`](crate::error::Hint). It sits at the top of the crate, used by
//! what reports errors (the shim, the hook, the gv crate's own diagnostics), so the modules
//! it lists import only the `Hint` trait from [`crate::error`], never the list.

use std::error::Error;

use crate::error::{Hinted, Report, find_hint};

/// The first hint in the chain of `err` among gv-core's error types.
pub fn hint_of(err: &(dyn Error + 'static)) -> Option<String> {
    find_hint(err, core_hint)
}

/// The report of `err`, with hints from gv-core's types.
pub fn report(err: &(dyn Error + 'static)) -> Report {
    Report::with_hints(err, hint_of)
}

/// The hint of this one error, if it is one of gv-core's types (the list is checked to be
/// whole by the gv crate's `error` tests).
pub fn core_hint(err: &(dyn Error + 'static)) -> Option<String> {
    crate::hint_among!(
        err;
        crate::store::StoreError,
        crate::config::ConfigError,
        crate::env::EnvError,
        crate::settings::SettingError,
        crate::select::SelectError,
        crate::pinfile::PinFileError,
        crate::version::VersionError,
        crate::session::SessionError,
        Hinted,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_is_found_down_the_chain() {
        let hinted = Hinted::new("no gv.toml here", "name one");
        assert_eq!(hint_of(&hinted), Some("name one".into()));
        #[derive(Debug, thiserror::Error)]
        #[error("cannot go on")]
        struct Wrapper {
            #[source]
            source: Hinted,
        }
        let wrapped = Wrapper { source: hinted };
        assert_eq!(
            hint_of(&wrapped),
            Some("name one".into()),
            "found down the chain"
        );
        let report = report(&wrapped);
        assert_eq!(report.message, "cannot go on: no gv.toml here");
        assert_eq!(report.hint.as_deref(), Some("name one"));
    }
}
