//! What gv says about one Go release: its known vulnerabilities (IDs, aliases, the
//! release that fixes them all) and whether its minor line is still supported — as one
//! line for `gv current`, `gv list`, `gv doctor`, the shim and the hook, and as JSON.
//! Also where these commands get the database and the index without the network (the
//! cached copies), and the verdict files they leave for the shim and the hook.

use std::time::{SystemTime, UNIX_EPOCH};

use gv_core::Version;
use gv_core::config::Config;
use gv_core::store::{Cache, Store};
use gv_core::text::one_line;
use serde_json::json;

use super::judge::{self, Finding};
use super::load;
use super::semver::Semver;
use super::source::Location;
use super::{Database, VulnDbError};
use crate::sources::Platform;
use crate::sources::fetch::Http;
use crate::sources::index::{self, Index, Mode};
use crate::sources::mirror::{Layout, Mirror};
use crate::sources::support::Support;

/// How many IDs a one-line mark names before "and N more".
const IDS_IN_A_LINE: usize = 4;

/// What is known against one version.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub version: Version,
    /// `None`: no database to judge by.
    pub findings: Option<Vec<Finding>>,
    /// `None`: no release index to judge by.
    pub support: Option<Support>,
}

impl Assessment {
    pub fn of(version: &Version, db: Option<&Database>, support: Option<&Support>) -> Assessment {
        let platform = Platform::host();
        let now = judge::rfc3339(secs(SystemTime::now()));
        Assessment {
            version: version.clone(),
            findings: db.map(|db| {
                judge::affecting(&db.entries, version, &platform.os, &platform.arch, &now)
            }),
            support: support.cloned(),
        }
    }

    pub fn vulnerable(&self) -> bool {
        self.findings.as_ref().is_some_and(|f| !f.is_empty())
    }

    /// `Some(false)`: the version's line is out of support.
    pub fn supported(&self) -> Option<bool> {
        self.support.as_ref().map(|s| s.covers(&self.version))
    }

    /// The release that fixes every finding (`Err`: one has no fix yet).
    pub fn fix(&self) -> Result<Option<Semver>, String> {
        judge::fix_for_all(self.findings.as_deref().unwrap_or_default()).map_err(str::to_string)
    }

    /// The release to move to, when one fixes everything: `1.22.5`.
    pub fn fixed_in(&self) -> Option<String> {
        self.fix().ok().flatten().map(|s| s.go_version())
    }

    /// "2 known vulnerabilities (GO-2024-0001, GO-2024-0002), fixed in 1.22.5".
    pub fn vulnerabilities_text(&self) -> Option<String> {
        let findings = self.findings.as_ref().filter(|f| !f.is_empty())?;
        let mut ids: Vec<String> = findings
            .iter()
            .take(IDS_IN_A_LINE)
            .map(|f| f.id.clone())
            .collect();
        if findings.len() > IDS_IN_A_LINE {
            ids.push(format!("and {} more", findings.len() - IDS_IN_A_LINE));
        }
        let count = match findings.len() {
            1 => "1 known vulnerability".to_string(),
            n => format!("{n} known vulnerabilities"),
        };
        let line = self.version.language();
        let fix = match self.fix() {
            Ok(Some(fix)) if fix.line() == line => format!("fixed in {}", fix.go_version()),
            Ok(Some(fix)) => format!(
                "no fix in the {}.{} line; fixed in {}",
                line.0,
                line.1,
                fix.go_version()
            ),
            Ok(None) => String::new(),
            Err(id) => format!("{id} has no fix yet"),
        };
        Some(format!("{count} ({}), {fix}", ids.join(", ")))
    }

    /// "the 1.21 line is out of support (supported: 1.23 and 1.22)".
    pub fn support_text(&self) -> Option<String> {
        let support = self.support.as_ref()?;
        if support.covers(&self.version) {
            return None;
        }
        let (major, minor) = self.version.language();
        Some(format!(
            "the {major}.{minor} line is out of support (supported: {})",
            support.describe()
        ))
    }

    /// The one line, or `None` when nothing is known against the version.
    pub fn line(&self) -> Option<String> {
        let parts: Vec<String> = [self.vulnerabilities_text(), self.support_text()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| format!("Go {}: {}", self.version, parts.join("; ")))
    }

    /// The line without the version, for a list of versions: "2 known vulnerabilities
    /// (…), fixed in 1.22.7; out of support".
    pub fn mark(&self) -> Option<String> {
        let mut parts: Vec<String> = self.vulnerabilities_text().into_iter().collect();
        if self.supported() == Some(false) {
            parts.push("out of support".to_string());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The JSON fields `--json` outputs gain.
    pub fn json(&self) -> serde_json::Value {
        json!({
            "vulnerabilities": self.findings.as_ref().map(|findings| findings.iter().map(|f| json!({
                "id": f.id,
                "aliases": f.aliases,
                "summary": f.summary,
                "fixed": f.fixed.as_ref().map(Semver::go_version),
            })).collect::<Vec<_>>()),
            "fixed_in": self.fixed_in(),
            "supported": self.supported(),
        })
    }

    /// Each finding on a line of its own: `GO-2024-0001 (CVE-2024-1): summary; fixed in
    /// 1.22.4` — all outside text escaped.
    pub fn finding_lines(&self) -> Vec<String> {
        self.findings
            .iter()
            .flatten()
            .map(|f| {
                let aliases = if f.aliases.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", one_line(&f.aliases.join(", ")))
                };
                let fix = match &f.fixed {
                    Some(fix) => format!("fixed in {}", fix.go_version()),
                    None => "no fix yet".to_string(),
                };
                let summary = one_line(&f.summary);
                let summary = if summary.chars().count() > 120 {
                    format!("{}…", summary.chars().take(119).collect::<String>())
                } else {
                    summary.into_owned()
                };
                format!("{}{aliases}: {summary}; {fix}", f.id)
            })
            .collect()
    }
}

impl Assessment {
    /// What to do about it: the release to move to (the fix, at least `minimum`; the
    /// newest supported line when this one is out of support), and the command that pins
    /// it where the version came from (`gv global` for the global default, else
    /// `gv local`). `None` when there is nothing to do.
    pub fn remedy(&self, minimum: Option<&Version>, origin: &gv_core::Origin) -> Option<String> {
        let below = minimum.is_some_and(|m| self.version < *m);
        let unsupported = self.supported() == Some(false);
        if !self.vulnerable() && !unsupported && !below {
            return None;
        }
        let pin = if matches!(origin, gv_core::Origin::Global { .. }) {
            "global"
        } else {
            "local"
        };
        let fix = self.fix().ok().flatten();
        let same_line = fix
            .as_ref()
            .is_none_or(|f| f.line() == self.version.language());
        let mut target: Option<String> = fix.map(|f| f.go_version());
        if let Some(m) = minimum.filter(|m| {
            below
                && target
                    .as_deref()
                    .and_then(|t| Version::parse(t).ok())
                    .is_none_or(|t| t < **m)
        }) {
            target = Some(m.to_string());
        }
        if unsupported
            && let Some((major, minor)) = self.support.as_ref().and_then(|s| s.lines.first())
        {
            // A whole line newer: its newest patch, by `gv install`'s rule.
            let newest = format!("{major}.{minor}");
            let newer = target
                .as_deref()
                .and_then(|t| Version::parse(t).ok())
                .is_none_or(|t| t.language() < (*major, *minor));
            if newer {
                target = Some(newest);
            }
        }
        let target = target?;
        let install = gv_core::suggest::command(["gv", "install", &target]);
        let pin_cmd = gv_core::suggest::command(["gv", pin, &target]);
        let mut text = format!("move to Go {target}: `{install}`, then `{pin_cmd}`");
        if self.vulnerable() && same_line && !unsupported {
            text.push_str(&format!(" (or `gv {pin} --latest-patch`)"));
        }
        Some(text)
    }
}

pub(crate) fn secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// GOVULNDB, as the user's environment sets it.
pub fn location() -> Result<Location, VulnDbError> {
    Location::parse(
        gv_core::process::var(gv_core::vars::GOVULNDB)
            .ok()
            .as_deref(),
    )
}

/// The database from the cache only (`gv current`, `gv list`, `gv doctor`): `None` when
/// there is no cached copy, or GOVULNDB cannot be used.
pub fn cached_database(cache: &Cache) -> Option<Database> {
    load::load(None, &location().ok()?, cache, Mode::Offline).ok()
}

/// The release indexes support is judged by, in order: the mirror's own (if it has
/// one), then the official one.
fn index_urls(config: &Config) -> Vec<String> {
    let env = Mirror::env_setting();
    let env = env.as_ref().map(|(var, value)| (*var, value.as_str()));
    let mut urls = Vec::new();
    if let Ok(mirror) = Mirror::choose(None, env, config)
        && mirror.layout != Layout::Plain
    {
        urls.push(mirror.index_url());
    }
    urls.push(crate::sources::mirror::official_index_url());
    urls
}

/// The supported lines from a cached release index, without the network.
pub fn cached_support(config: &Config, cache: &Cache) -> Option<Support> {
    index_urls(config)
        .iter()
        .find_map(|url| index::cached(url, cache))
        .as_ref()
        .and_then(Support::from_index)
}

/// The supported lines from the release index through the cache (`gv check`).
pub fn support(http: &Http, config: &Config, cache: &Cache, mode: Mode) -> Option<Support> {
    let indexes = index_urls(config);
    let index: Option<Index> = indexes
        .iter()
        .find_map(|url| index::load(http, url, cache, mode).ok());
    index.as_ref().and_then(Support::from_index)
}

/// Leaves each version's one line for the shim and the hook (or removes it when
/// nothing is known against the version), dated by the database's fetch.
pub fn write_verdicts(
    store: &Store,
    db: &Database,
    support: Option<&Support>,
    versions: &[Version],
) {
    for version in versions {
        let assessment = Assessment::of(version, Some(db), support);
        let verdict = assessment.line().map(|line| gv_core::verdict::Verdict {
            checked: secs(db.fetched),
            line: format!("{line}; `gv check` says more"),
        });
        gv_core::verdict::write(store, version.as_str(), verdict.as_ref());
    }
}

/// The cached database and supported lines, with every installed version's verdict
/// refreshed from them: what `gv current`, `gv list` and `gv doctor` start from.
pub fn cached(store: &Store, config: Option<&Config>) -> (Option<Database>, Option<Support>) {
    let Ok(cache) = Cache::from_env() else {
        return (None, None);
    };
    let db = cached_database(&cache);
    let support = config.and_then(|c| cached_support(c, &cache));
    if let Some(db) = &db {
        write_verdicts(
            store,
            db,
            support.as_ref(),
            &store.installed().unwrap_or_default(),
        );
    }
    (db, support)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::index::Freshness;

    fn db() -> Database {
        let entry = |id: &str, events: &str| {
            super::super::osv::parse_entry(
                id,
                &format!(
                    r#"{{"id":"{id}","summary":"s\u202e","aliases":["CVE-2024-1"],"affected":[{{"package":{{"name":"stdlib"}},
                      "ranges":[{{"type":"SEMVER","events":{events}}}]}}]}}"#
                ),
            )
            .unwrap()
        };
        Database {
            url: "u".into(),
            modified: "m".into(),
            entries: vec![
                entry(
                    "GO-2024-0001",
                    r#"[{"introduced":"0"},{"fixed":"1.21.11"},{"introduced":"1.22.0-0"},{"fixed":"1.22.4"}]"#,
                ),
                entry("GO-2024-0002", r#"[{"introduced":"0"},{"fixed":"1.22.7"}]"#),
            ],
            freshness: Freshness::Fetched,
            fetched: SystemTime::now(),
        }
    }

    #[test]
    fn one_line_names_ids_the_fix_and_support() {
        let support = Support {
            lines: vec![(1, 23), (1, 22)],
        };
        let v = |t: &str| Version::parse(t).unwrap();
        let a = Assessment::of(&v("1.22.3"), Some(&db()), Some(&support));
        assert_eq!(
            a.line().unwrap(),
            "Go 1.22.3: 2 known vulnerabilities (GO-2024-0001, GO-2024-0002), fixed in 1.22.7"
        );
        let old = Assessment::of(&v("1.21.13"), Some(&db()), Some(&support));
        assert_eq!(
            old.line().unwrap(),
            "Go 1.21.13: 1 known vulnerability (GO-2024-0002), no fix in the 1.21 line; fixed in 1.22.7; the 1.21 line is out of support (supported: 1.23 and 1.22)"
        );
        assert!(
            Assessment::of(&v("1.23.9"), Some(&db()), Some(&support))
                .line()
                .is_none()
        );
        assert!(
            Assessment::of(&v("1.21.13"), None, None).line().is_none(),
            "nothing known"
        );
        let lines = a.finding_lines();
        assert_eq!(
            lines[0],
            "GO-2024-0001 (CVE-2024-1): s\\u{202e}; fixed in 1.22.4"
        );
    }

    /// The fix names where the version came from and moves far enough: past every fix,
    /// to at least `minimum_go`, to a supported line.
    #[test]
    fn the_remedy_moves_far_enough_with_the_right_command() {
        let v = |t: &str| Version::parse(t).unwrap();
        let support = Support {
            lines: vec![(1, 23), (1, 22)],
        };
        let local = gv_core::Origin::GoVersionFile {
            path: "/p/.go-version".into(),
        };
        let global = gv_core::Origin::Global {
            path: "/r/version".into(),
        };
        let a = Assessment::of(&v("1.22.3"), Some(&db()), Some(&support));
        assert_eq!(
            a.remedy(None, &global).unwrap(),
            "move to Go 1.22.7: `gv install 1.22.7`, then `gv global 1.22.7` (or `gv global --latest-patch`)"
        );
        assert_eq!(
            a.remedy(Some(&v("1.22.9")), &local).unwrap(),
            "move to Go 1.22.9: `gv install 1.22.9`, then `gv local 1.22.9` (or `gv local --latest-patch`)"
        );
        let old = Assessment::of(&v("1.21.13"), Some(&db()), Some(&support));
        assert_eq!(
            old.remedy(None, &local).unwrap(),
            "move to Go 1.23: `gv install 1.23`, then `gv local 1.23`"
        );
        let fine = Assessment::of(&v("1.23.9"), Some(&db()), Some(&support));
        assert_eq!(fine.remedy(None, &local), None);
        assert_eq!(
            fine.remedy(Some(&v("1.23.10")), &local).unwrap(),
            "move to Go 1.23.10: `gv install 1.23.10`, then `gv local 1.23.10`"
        );
    }
}
