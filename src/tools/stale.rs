//! Which tools to rebuild: a tool is stale when the Go that built it is older than the
//! version selected here (gopls and staticcheck built by an older Go reject newer go.mod
//! syntax and standard-library APIs), when that Go is no longer installed, or when its
//! module has a newer version in the configured proxy.
//!
//! Go versions are compared as language versions (1.22 vs 1.23): a patch release never
//! changes the language or the standard library's API, so a tool built by 1.22.9 is not
//! stale under 1.22.10.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt;
use std::path::Path;
use std::process::Command;

use gv_core::Version;
use serde::Serialize;

use super::Tool;

/// Why a tool should be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// Built by a Go older than the selected one.
    OlderGo { built: String, selected: String },
    /// Built by a Go that gv no longer has.
    GoNotInstalled { built: String },
    /// Its module has a newer version in the proxy.
    ModuleBehind { current: String, newest: String },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::OlderGo { built, selected } => {
                write!(
                    f,
                    "built by go{built}, older than Go {selected} selected here"
                )
            }
            Reason::GoNotInstalled { built } => {
                write!(f, "built by go{built}, which is no longer installed")
            }
            Reason::ModuleBehind { current, newest } => {
                write!(f, "{current} is behind {newest} in the proxy")
            }
        }
    }
}

/// `1.22.10` from a build info's `go1.22.10` (also `go1.22.10 X:boringcrypto`).
pub fn parse_go_version(text: &str) -> Option<Version> {
    let word = text.split_whitespace().next()?;
    Version::parse(word.strip_prefix("go")?).ok()
}

/// The reasons that come from the Go version alone (no proxy involved).
pub fn go_reasons(
    built: &Version,
    selected: Option<&Version>,
    installed: &[Version],
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if let Some(selected) = selected
        && built.language() < selected.language()
    {
        reasons.push(Reason::OlderGo {
            built: built.to_string(),
            selected: selected.to_string(),
        });
    }
    if !installed.iter().any(|v| v == built) {
        reasons.push(Reason::GoNotInstalled {
            built: built.to_string(),
        });
    }
    reasons
}

/// One tool of a GOBIN with its verdict.
#[derive(Debug, Clone)]
pub struct Assessed<'a> {
    pub tool: &'a Tool,
    pub reasons: Vec<Reason>,
    /// What the proxy said is newest for the tool's module (`None`: not asked).
    pub newest: Option<Result<String, String>>,
}

impl Assessed<'_> {
    pub fn is_stale(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// The module version the tool was built from and the newest one, when it is behind.
    pub fn upgrade(&self) -> Option<(&str, &str)> {
        self.reasons.iter().find_map(|r| match r {
            Reason::ModuleBehind { current, newest } => Some((current.as_str(), newest.as_str())),
            _ => None,
        })
    }
}

/// Every tool's verdict against the Go `selected` here, the versions `installed`, and
/// (when the proxy was asked) the newest module versions.
pub fn assess<'a>(
    tools: &'a [Tool],
    selected: Option<&Version>,
    installed: &[Version],
    latest: Option<&Latest>,
) -> Vec<Assessed<'a>> {
    tools
        .iter()
        .map(|tool| {
            let mut reasons = tool
                .go_version()
                .map(|built| go_reasons(&built, selected, installed))
                .unwrap_or_default();
            let newest = match (latest, tool.module()) {
                (Some(latest), Some((module, _))) => latest.get(module).cloned(),
                _ => None,
            };
            if let (Some(Ok(newest)), Some((_, current))) = (&newest, tool.module()) {
                reasons.extend(module_reason(current, newest));
            }
            Assessed {
                tool,
                reasons,
                newest,
            }
        })
        .collect()
}

/// The modules worth asking the proxy about: those of tools installed from a module
/// version (a `(devel)` build has nothing to compare with).
pub fn modules_to_check(tools: &[Tool]) -> Vec<&str> {
    let mut modules: Vec<&str> = tools
        .iter()
        .filter_map(|t| t.module())
        .filter(|(_, version)| *version != "(devel)")
        .map(|(module, _)| module)
        .collect();
    modules.sort_unstable();
    modules.dedup();
    modules
}

/// `Some(reason)` when `newest` is a later module version than `current`.
pub fn module_reason(current: &str, newest: &str) -> Option<Reason> {
    let (Some(a), Some(b)) = (ModVersion::parse(current), ModVersion::parse(newest)) else {
        return None;
    };
    (b > a).then(|| Reason::ModuleBehind {
        current: current.to_string(),
        newest: newest.to_string(),
    })
}

/// What `go list -m -e -json MODULE@latest ...` answered, per module: the newest
/// version, or the error go gave for that module.
pub type Latest = BTreeMap<String, Result<String, String>>;

/// Asks the configured proxy (through the go command, so GOPROXY, GONOPROXY, GOPRIVATE,
/// GOFLAGS and .netrc are the user's) for the newest version of each module, in one run.
/// It runs in an empty directory, so no go.mod or go.work around it interferes.
pub fn latest_versions<'a>(
    go: &Path,
    modules: &[&str],
    env: impl IntoIterator<Item = (&'a str, &'a OsStr)>,
) -> std::io::Result<Latest> {
    let mut out = Latest::new();
    if modules.is_empty() {
        return Ok(out);
    }
    let dir = tempfile::Builder::new().prefix("gv-tools-").tempdir()?;
    let output = Command::new(go)
        .args(["list", "-m", "-e", "-json", "--"])
        .args(modules.iter().map(|m| format!("{m}@latest")))
        .envs(env)
        .env("GOWORK", "off")
        .current_dir(dir.path())
        .output()?;
    #[derive(serde::Deserialize)]
    struct Listed {
        #[serde(rename = "Path")]
        path: String,
        #[serde(rename = "Version")]
        version: Option<String>,
        #[serde(rename = "Error")]
        error: Option<ListError>,
    }
    #[derive(serde::Deserialize)]
    struct ListError {
        #[serde(rename = "Err")]
        err: String,
    }
    for item in serde_json::Deserializer::from_slice(&output.stdout).into_iter::<Listed>() {
        let Ok(item) = item else { break };
        let answer = match (item.error, item.version) {
            (Some(e), _) => Err(e.err),
            (None, Some(v)) => Ok(v),
            (None, None) => Err("no version".to_string()),
        };
        out.insert(item.path, answer);
    }
    // go stops before printing anything when its own set-up fails (a bad GOFLAGS, say):
    // every module gets go's message.
    if out.is_empty() {
        let why = String::from_utf8_lossy(&output.stderr)
            .lines()
            .next()
            .unwrap_or("go list printed nothing")
            .to_string();
        for m in modules {
            out.insert((*m).to_string(), Err(why.clone()));
        }
    }
    Ok(out)
}

/// A module version (semantic version with a `v`), ordered by semver precedence:
/// `v1.2.3-pre < v1.2.3`, pre-release identifiers compared numerically when numeric.
/// Pseudo-versions (`v1.2.4-0.20240101000000-abcdef`) are pre-releases and sort where Go
/// sorts them. Build metadata (`+incompatible`) does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModVersion {
    core: (u64, u64, u64),
    pre: Vec<String>,
}

impl ModVersion {
    pub fn parse(text: &str) -> Option<ModVersion> {
        let text = text.strip_prefix('v')?;
        let text = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, pre.split('.').map(str::to_string).collect()),
            None => (text, Vec::new()),
        };
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let core = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() {
            return None;
        }
        Some(ModVersion { core, pre })
    }

    pub fn release(core: (u64, u64, u64)) -> ModVersion {
        ModVersion {
            core,
            pre: Vec::new(),
        }
    }
}

impl PartialOrd for ModVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ModVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn go_versions_from_build_info() {
        assert_eq!(parse_go_version("go1.22.10"), Some(v("1.22.10")));
        assert_eq!(
            parse_go_version("go1.22.10 X:boringcrypto"),
            Some(v("1.22.10"))
        );
        assert_eq!(parse_go_version("devel go1.24-abcdef"), None);
        assert_eq!(parse_go_version(""), None);
    }

    #[test]
    fn older_language_versions_are_stale_patches_are_not() {
        let installed = [v("1.22.10"), v("1.23.9")];
        assert_eq!(
            go_reasons(&v("1.22.10"), Some(&v("1.23.9")), &installed),
            [Reason::OlderGo {
                built: "1.22.10".into(),
                selected: "1.23.9".into()
            }]
        );
        assert!(go_reasons(&v("1.23.9"), Some(&v("1.23.9")), &installed).is_empty());
        assert!(go_reasons(&v("1.23.9"), Some(&v("1.22.10")), &installed).is_empty());
        // 1.23.8 is gone, but a patch behind is not older.
        assert_eq!(
            go_reasons(&v("1.23.8"), Some(&v("1.23.9")), &installed),
            [Reason::GoNotInstalled {
                built: "1.23.8".into()
            }]
        );
        assert_eq!(go_reasons(&v("1.21.13"), None, &installed).len(), 1);
    }

    #[test]
    fn module_versions_order_like_semver() {
        let order = [
            "v0.0.0-20240101000000-abcdefabcdef",
            "v0.1.0-rc.1",
            "v0.1.0-rc.2",
            "v0.1.0-rc.10",
            "v0.1.0",
            "v0.1.1-0.20240101000000-abcdefabcdef",
            "v0.1.1",
            "v1.0.0",
            "v2.0.0+incompatible",
        ];
        for pair in order.windows(2) {
            let (a, b) = (
                ModVersion::parse(pair[0]).unwrap(),
                ModVersion::parse(pair[1]).unwrap(),
            );
            assert!(a < b, "{} < {}", pair[0], pair[1]);
        }
        assert!(ModVersion::parse("1.0.0").is_none());
        assert!(ModVersion::parse("v1.0").is_none());
        assert!(ModVersion::parse("latest").is_none());
    }

    #[test]
    fn behind_only_when_newer() {
        assert!(module_reason("v1.0.0", "v1.1.0").is_some());
        assert!(module_reason("v1.1.0", "v1.1.0").is_none());
        assert!(module_reason("v2.0.0-rc.1", "v1.9.0").is_none());
        assert!(module_reason("(devel)", "v1.9.0").is_none());
    }
}
