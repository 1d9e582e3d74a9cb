//! Which entries affect a Go release, and which release fixes them: govulncheck's
//! semantics, for the modules that are the release itself (`stdlib` and `toolchain`).
//!
//! An entry affects a version when one of its `stdlib`/`toolchain` blocks does: a block
//! with no SEMVER range affects every version, else one of its ranges must contain the
//! version ([`super::semver::range_contains`]). Blocks whose packages are all for other
//! platforms (`imports[].goos/goarch`) are dropped first, and withdrawn entries skipped.
//! The fix shown is govulncheck's `earliestValidFix`: the lowest `fixed` above the
//! version that no range contains — never modules.json's `fixed`, which is only the
//! newest line's fix.

use super::osv::{Affected, Entry};
use super::semver::{Event, Semver, range_contains};

/// One entry that affects a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: String,
    /// Outside text: CVE and GHSA IDs.
    pub aliases: Vec<String>,
    /// Outside text: one line about it.
    pub summary: String,
    /// The first release that fixes it; `None`: no release does yet.
    pub fixed: Option<Semver>,
}

/// The entries of `entries` that affect `version` on `goos`/`goarch`, by ID; `now` is
/// the current time in RFC 3339 (`2026-12-07T08:00:00Z`), to skip withdrawn entries.
pub fn affecting(
    entries: &[Entry],
    version: &gv_core::Version,
    goos: &str,
    goarch: &str,
    now: &str,
) -> Vec<Finding> {
    let Some(v) = Semver::of_go(version) else {
        return Vec::new();
    };
    let mut out: Vec<Finding> = entries
        .iter()
        .filter(|e| e.withdrawn.as_deref().is_none_or(|w| w > now))
        .filter_map(|entry| {
            let blocks: Vec<&Affected> = entry
                .affected
                .iter()
                .filter(|a| for_platform(a, goos, goarch))
                .collect();
            if !blocks.iter().any(|a| affects(a, &v)) {
                return None;
            }
            Some(Finding {
                id: entry.id.clone(),
                aliases: entry.aliases.clone(),
                summary: entry.summary.clone(),
                fixed: earliest_fix(&blocks, &v),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// govulncheck's pruning by platform: a block whose every package names platforms, none
/// of them this one, does not apply here.
fn for_platform(block: &Affected, goos: &str, goarch: &str) -> bool {
    let matches = |list: &[String], this: &str| list.is_empty() || list.iter().any(|x| x == this);
    block.platforms.is_empty()
        || block
            .platforms
            .iter()
            .any(|(os, arch)| matches(os, goos) && matches(arch, goarch))
}

fn affects(block: &Affected, v: &Semver) -> bool {
    match &block.ranges {
        None => true,
        Some(ranges) => ranges.iter().any(|events| range_contains(events, v)),
    }
}

/// The lowest `fixed` above `v` that none of the blocks' ranges contains.
fn earliest_fix(blocks: &[&Affected], v: &Semver) -> Option<Semver> {
    let ranges: Vec<&Vec<Event>> = blocks
        .iter()
        .filter_map(|b| b.ranges.as_ref())
        .flatten()
        .collect();
    let mut fixes: Vec<&Semver> = ranges
        .iter()
        .flat_map(|events| events.iter())
        .filter_map(|e| match e {
            Event::Fixed(Some(at)) if at > v => Some(at),
            _ => None,
        })
        .collect();
    fixes.sort();
    fixes
        .into_iter()
        .find(|fix| !ranges.iter().any(|events| range_contains(events, fix)))
        .cloned()
}

/// What fixes all of `findings` at once: the highest of their fixes, unless one has
/// none (`Err` with its ID).
pub fn fix_for_all(findings: &[Finding]) -> Result<Option<Semver>, &str> {
    let mut best: Option<&Semver> = None;
    for f in findings {
        match &f.fixed {
            None => return Err(&f.id),
            Some(fix) if best.is_none_or(|b| fix > b) => best = Some(fix),
            Some(_) => {}
        }
    }
    Ok(best.cloned())
}

/// `time` (seconds since the Unix epoch) in RFC 3339, UTC, as OSV writes times.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::super::osv::parse_entry;
    use super::*;

    fn entry(id: &str, ranges: &str, extra: &str) -> Entry {
        let text = format!(
            r#"{{"id":"{id}","modified":"m","summary":"s","aliases":["CVE-1"],{extra}
               "affected":[{{"package":{{"name":"stdlib"}},"ranges":[{{"type":"SEMVER","events":{ranges}}}]}}]}}"#
        );
        parse_entry(id, &text).unwrap()
    }

    fn ids(entries: &[Entry], v: &str) -> Vec<(String, Option<String>)> {
        let v = gv_core::Version::parse(v).unwrap();
        affecting(entries, &v, "linux", "amd64", "2026-12-07T00:00:00Z")
            .into_iter()
            .map(|f| (f.id, f.fixed.map(|s| s.go_version())))
            .collect()
    }

    #[test]
    fn the_fix_shown_is_the_first_in_or_after_the_versions_line() {
        let entries = vec![entry(
            "GO-2024-0001",
            r#"[{"introduced":"0"},{"fixed":"1.21.11"},{"introduced":"1.22.0-0"},{"fixed":"1.22.4"}]"#,
            "",
        )];
        assert_eq!(
            ids(&entries, "1.22.3"),
            [("GO-2024-0001".into(), Some("1.22.4".into()))]
        );
        assert_eq!(
            ids(&entries, "1.21.2"),
            [("GO-2024-0001".into(), Some("1.21.11".into()))]
        );
        assert_eq!(
            ids(&entries, "1.22rc1"),
            [("GO-2024-0001".into(), Some("1.22.4".into()))]
        );
        assert!(ids(&entries, "1.22.4").is_empty() && ids(&entries, "1.21.13").is_empty());
        // Only fixed in a newer line: that line's fix.
        let newer = vec![entry(
            "GO-2024-0002",
            r#"[{"introduced":"0"},{"fixed":"1.22.7"}]"#,
            "",
        )];
        assert_eq!(
            ids(&newer, "1.21.13"),
            [("GO-2024-0002".into(), Some("1.22.7".into()))]
        );
        let unfixed = vec![entry("GO-2024-0003", r#"[{"introduced":"1.20.0"}]"#, "")];
        assert_eq!(ids(&unfixed, "1.23.9"), [("GO-2024-0003".into(), None)]);
    }

    #[test]
    fn withdrawn_entries_and_other_platforms_do_not_count() {
        let withdrawn = entry(
            "GO-2024-0004",
            r#"[{"introduced":"0"}]"#,
            r#""withdrawn":"2025-01-01T00:00:00Z","#,
        );
        assert!(ids(&[withdrawn], "1.22.3").is_empty());
        let windows = parse_entry(
            "GO-2024-0005",
            r#"{"id":"GO-2024-0005","affected":[{"package":{"name":"toolchain"},
               "ecosystem_specific":{"imports":[{"path":"cmd/go","goos":["windows"]}]}}]}"#,
        )
        .unwrap();
        assert!(ids(std::slice::from_ref(&windows), "1.22.3").is_empty());
        let v = gv_core::Version::parse("1.22.3").unwrap();
        assert_eq!(affecting(&[windows], &v, "windows", "amd64", "x").len(), 1);
    }

    #[test]
    fn one_fix_for_all_is_the_highest() {
        let f = |id: &str, fix: Option<&str>| Finding {
            id: id.into(),
            aliases: vec![],
            summary: String::new(),
            fixed: fix.and_then(Semver::parse),
        };
        assert_eq!(
            fix_for_all(&[f("a", Some("1.22.4")), f("b", Some("1.22.6"))])
                .unwrap()
                .unwrap()
                .go_version(),
            "1.22.6"
        );
        assert_eq!(
            fix_for_all(&[f("a", Some("1.22.4")), f("b", None)]),
            Err("b")
        );
        assert_eq!(fix_for_all(&[]), Ok(None));
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_733_529_600 + 3661), "2024-12-07T01:01:01Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
