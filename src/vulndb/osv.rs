//! The documents of a vulnerability database laid out like vuln.go.dev, parsed into what
//! gv judges by: `index/db.json` (when it was last modified), `index/modules.json` (which
//! entries name which module), and `ID/GO-YYYY-NNNN.json` (one OSV entry). Only the
//! modules `stdlib` and `toolchain` — the Go release itself — matter to gv.
//!
//! Everything here is outside text: IDs are checked before they name a file or URL
//! ([`valid_id`]), and summaries, aliases and the rest are only ever printed through
//! `gv_core::text`.

use serde::Deserialize;

use super::semver::{Event, Semver};

/// The modules whose entries are about the Go release: the standard library and the
/// go command and other tools.
pub const GO_MODULES: &[&str] = &["stdlib", "toolchain"];

/// Is `id` a Go vulnerability ID (`GO-2024-2887`)? Only such an ID may name a file or a
/// URL: `GO-` + four digits + `-` + at least four digits, and at most 32 characters.
pub fn valid_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("GO-") else {
        return false;
    };
    let Some((year, n)) = rest.split_once('-') else {
        return false;
    };
    id.len() <= 32
        && year.len() == 4
        && n.len() >= 4
        && year.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit())
}

/// `index/db.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct DbInfo {
    /// The newest entry's modification time (RFC 3339), as the database says.
    pub modified: String,
}

/// One entry of `index/modules.json`.
#[derive(Debug, Clone, Deserialize)]
struct RawModule {
    path: String,
    #[serde(default)]
    vulns: Vec<RawModuleVuln>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawModuleVuln {
    id: String,
    modified: String,
}

/// An entry `index/modules.json` lists for one of [`GO_MODULES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    /// When it last changed: a cached copy with another time is fetched again.
    pub modified: String,
}

/// The entries about the Go release that `index/modules.json` lists, each once, by ID.
/// An ID that is not a Go vulnerability ID is an error: the index is not trusted to name
/// files.
pub fn parse_modules(text: &str) -> Result<Vec<Listed>, String> {
    let raw: Vec<RawModule> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out: Vec<Listed> = Vec::new();
    for module in raw
        .into_iter()
        .filter(|m| GO_MODULES.contains(&m.path.as_str()))
    {
        for vuln in module.vulns {
            if !valid_id(&vuln.id) {
                return Err(format!(
                    "it lists `{}`, which is not a Go vulnerability ID (GO-YYYY-NNNN)",
                    gv_core::text::one_line(&vuln.id)
                ));
            }
            if !out.iter().any(|l| l.id == vuln.id) {
                out.push(Listed {
                    id: vuln.id,
                    modified: vuln.modified,
                });
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
struct RawEntry {
    id: String,
    #[serde(default)]
    modified: String,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    affected: Vec<RawAffected>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawAffected {
    package: RawPackage,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    ecosystem_specific: Option<RawEcosystem>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawPackage {
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawEcosystem {
    #[serde(default)]
    imports: Vec<RawImport>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawImport {
    #[serde(default)]
    goos: Vec<String>,
    #[serde(default)]
    goarch: Vec<String>,
}

/// One OSV entry, reduced to what judging a Go release needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub modified: String,
    /// Set: the entry was withdrawn (RFC 3339 time).
    pub withdrawn: Option<String>,
    /// CVE and GHSA IDs, as written (outside text).
    pub aliases: Vec<String>,
    /// One line about it, as written (outside text).
    pub summary: String,
    /// Its `affected` blocks for [`GO_MODULES`].
    pub affected: Vec<Affected>,
}

/// One `affected` block of `stdlib` or `toolchain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub module: String,
    /// The events of each `SEMVER` range; `None` when the block has no SEMVER range at
    /// all, which govulncheck reads as "every version".
    pub ranges: Option<Vec<Vec<Event>>>,
    /// The platforms of its packages (`imports[].goos/goarch`); empty means all.
    pub platforms: Vec<(Vec<String>, Vec<String>)>,
}

/// Parses the entry that should be `id`: another ID inside is an error.
pub fn parse_entry(id: &str, text: &str) -> Result<Entry, String> {
    let raw: RawEntry = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if raw.id != id {
        return Err(format!(
            "it holds `{}`, not {id}",
            gv_core::text::one_line(&raw.id)
        ));
    }
    let affected = raw
        .affected
        .into_iter()
        .filter(|a| GO_MODULES.contains(&a.package.name.as_str()))
        .map(|a| {
            let semver: Vec<Vec<Event>> = a
                .ranges
                .iter()
                .filter(|r| r.kind == "SEMVER")
                .map(|r| r.events.iter().filter_map(event).collect())
                .collect();
            Affected {
                module: a.package.name,
                ranges: (!semver.is_empty()).then_some(semver),
                platforms: a
                    .ecosystem_specific
                    .map(|e| e.imports.into_iter().map(|i| (i.goos, i.goarch)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(Entry {
        id: raw.id,
        modified: raw.modified,
        withdrawn: raw.withdrawn.filter(|w| !w.is_empty()),
        aliases: raw.aliases,
        summary: raw.summary,
        affected,
    })
}

/// An event as Go's semver package orders it: `"0"` and invalid versions come first.
fn event(raw: &RawEvent) -> Option<Event> {
    let at = |v: &str| (v != "0").then(|| Semver::parse(v)).flatten();
    match (&raw.introduced, &raw.fixed) {
        (Some(v), _) => Some(Event::Introduced(at(v))),
        (None, Some(v)) => Some(Event::Fixed(at(v))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_they_name_anything() {
        for good in ["GO-2024-2887", "GO-2022-0001", "GO-2025-12345"] {
            assert!(valid_id(good), "{good}");
        }
        for bad in [
            "GO-2024-288",
            "../GO-2024-2887",
            "GO-2024-2887/../../x",
            "GO-24-2887",
            "go-2024-2887",
            "GO-2024-2887\n",
            "GO-2024-",
            "GHSA-xxxx-yyyy-zzzz",
            "GO-2024-11111111111111111111111111",
        ] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn modules_index_keeps_the_go_release_and_refuses_hostile_ids() {
        let text = r#"[
          {"path":"golang.org/x/net","vulns":[{"id":"GO-2024-0001","modified":"t"}]},
          {"path":"stdlib","vulns":[{"id":"GO-2024-0002","modified":"a","fixed":"1.22.4"},
                                    {"id":"GO-2024-0003","modified":"b"}]},
          {"path":"toolchain","vulns":[{"id":"GO-2024-0002","modified":"a"}]}
        ]"#;
        let listed = parse_modules(text).unwrap();
        let ids: Vec<&str> = listed.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["GO-2024-0002", "GO-2024-0003"]);
        let hostile = r#"[{"path":"stdlib","vulns":[{"id":"../../etc/passwd","modified":"a"}]}]"#;
        assert!(
            parse_modules(hostile)
                .unwrap_err()
                .contains("not a Go vulnerability ID")
        );
        assert!(parse_modules("{}").is_err());
    }

    #[test]
    fn an_entry_keeps_its_go_ranges_and_platforms() {
        let text = r#"{"id":"GO-2024-0002","modified":"2024-06-01T00:00:00Z",
          "aliases":["CVE-2024-1"],"summary":"bad thing in net/http",
          "affected":[
            {"package":{"name":"stdlib","ecosystem":"Go"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.21.11"},{"introduced":"1.22.0-0"},{"fixed":"1.22.4"}]}],
             "ecosystem_specific":{"imports":[{"path":"net/http"}]}},
            {"package":{"name":"toolchain","ecosystem":"Go"},
             "ranges":[{"type":"GIT","events":[{"introduced":"0"}]}],
             "ecosystem_specific":{"imports":[{"path":"cmd/go","goos":["windows"]}]}},
            {"package":{"name":"golang.org/x/net","ecosystem":"Go"}}
          ]}"#;
        let entry = parse_entry("GO-2024-0002", text).unwrap();
        assert_eq!(entry.affected.len(), 2);
        assert_eq!(entry.affected[0].ranges.as_ref().unwrap()[0].len(), 4);
        assert_eq!(
            entry.affected[1].ranges, None,
            "no SEMVER range: every version"
        );
        assert_eq!(
            entry.affected[1].platforms,
            [(vec!["windows".to_string()], vec![])]
        );
        assert!(
            parse_entry("GO-2024-0009", text)
                .unwrap_err()
                .contains("not GO-2024-0009")
        );
    }
}
