//! Known vulnerabilities and end of support of the selected Go, from the cached
//! vulnerability database and release index (never the network: `gv check` fetches).
//! A warning, not a problem: go still runs what gv selected.

use gv_core::select::{Resolved, Selection};

use super::{Check, Inputs};
use crate::sources::index::human_age;
use crate::vulndb::assess::{self, Assessment};

/// The check's name in the report.
const NAME: &str = "vulnerabilities";

/// Nothing when there is no cached database and the line is supported (or unknown).
pub(super) fn check(inputs: &Inputs<'_>, selection: &Selection) -> Option<Check> {
    let Resolved::Managed { version, .. } = &selection.resolved else {
        return None;
    };
    let config = inputs.session.config().ok();
    let (db, support) = assess::cached(inputs.store(), config);
    if db.is_none() && support.is_none() {
        return None;
    }
    let assessment = Assessment::of(version, db.as_ref(), support.as_ref());
    let minimum = config.and_then(|c| c.minimum_go().ok().flatten());
    match assessment.line() {
        Some(line) => {
            let details = assessment.finding_lines();
            let message = if details.is_empty() {
                line
            } else {
                format!("{line} — {}", details.join(" | "))
            };
            let fix = assessment
                .remedy(minimum.as_ref().map(|m| &m.value), &selection.request.origin)
                .unwrap_or_else(|| "`gv check` says more".to_string());
            Some(Check::warning(NAME, message, fix))
        }
        // Without a database, a supported line is no news.
        None => db.map(|db| {
            Check::ok(
                NAME,
                format!(
                    "no known vulnerabilities in Go {version} (vulnerability database fetched {} ago)",
                    human_age(
                        std::time::SystemTime::now()
                            .duration_since(db.fetched)
                            .unwrap_or_default()
                    )
                ),
            )
        }),
    }
}
