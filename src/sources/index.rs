//! The Go release index: go.dev's `?mode=json&include=all` document, cached on disk.
//!
//! The cache is short-lived ([`TTL`]) because new releases matter, but any cached copy
//! beats no copy: when the network fails, the last one is used and its age is reported.

use std::time::{Duration, SystemTime};

use gv_core::limits;
use gv_core::store::Cache;
use gv_core::{Spec, Version};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Platform;
use super::fetch::{FetchError, Http};

/// How long a cached index is used without asking the server again.
pub const TTL: Duration = Duration::from_secs(15 * 60);

/// One downloadable file of a release, exactly as go.dev describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct File {
    pub filename: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub arch: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub version: Version,
    pub stable: bool,
    pub files: Vec<File>,
}

impl Release {
    /// The archive for `platform` (`.tar.gz`, or `.zip` for Windows), if this release has
    /// one. Its `filename` is exactly the name go.dev gives that archive
    /// (`go1.22.10.linux-amd64.tar.gz`): the name becomes a URL and a file in the download
    /// cache, so an index entry naming a path (`/../../elsewhere/x.tar.gz`) is not an
    /// archive at all.
    pub fn archive(&self, platform: &Platform) -> Option<&File> {
        let name = platform.archive_name(&self.version);
        self.files.iter().find(|f| {
            f.kind == "archive"
                && f.os == platform.os
                && f.arch == platform.arch
                && f.filename == name
        })
    }
}

#[derive(Debug, Deserialize)]
struct RawRelease {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<File>,
}

/// How current an index is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Just downloaded.
    Fetched,
    /// From the cache, younger than the TTL (or `--offline`).
    Cached { age: Duration },
    /// From the cache because the server could not be asked.
    Stale { age: Duration, reason: String },
}

#[derive(Debug, Clone)]
pub struct Index {
    pub url: String,
    /// Newest first.
    pub releases: Vec<Release>,
    /// Entries whose version Go itself would not accept (e.g. `go1.9.2rc2`).
    pub skipped: Vec<String>,
    pub freshness: Freshness,
}

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("cannot fetch the Go release index")]
    Fetch {
        #[source]
        source: FetchError,
    },
    #[error("the release index at {url} is not go.dev's JSON format: {message}")]
    Parse { url: String, message: String },
    #[error("--offline was given but there is no cached release index for {url}")]
    OfflineNoCache { url: String },
}

impl gv_core::error::Hint for IndexError {
    fn hint(&self) -> Option<String> {
        match self {
            IndexError::Fetch { source } => Some(source.hint().unwrap_or_else(|| "check the network (HTTPS_PROXY / NO_PROXY are honoured), pick a mirror with --mirror or GV_GO_MIRROR, or use --offline with a cached index".to_string())),
            IndexError::Parse { .. } => Some("GV_GO_MIRROR / --mirror must point at a server laid out like https://go.dev/dl/".to_string()),
            IndexError::OfflineNoCache { .. } => Some("run once with network access, or install a cached download with an exact version".to_string()),
        }
    }
}

impl IndexError {
    /// A 404 or a non-JSON answer means "this server has no index" (a plain mirror),
    /// not "the network is down".
    pub fn means_no_index(&self) -> bool {
        matches!(
            self,
            IndexError::Parse { .. }
                | IndexError::Fetch {
                    source: FetchError::NotFound { .. }
                }
        )
    }
}

/// Parses the index, skipping releases whose version is not a valid Go version.
pub fn parse(url: &str, text: &str) -> Result<(Vec<Release>, Vec<String>), IndexError> {
    let raw: Vec<RawRelease> = serde_json::from_str(text).map_err(|e| IndexError::Parse {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let mut releases = Vec::with_capacity(raw.len());
    let mut skipped = Vec::new();
    for r in raw {
        match Version::parse(&r.version) {
            Ok(version) if !version.is_language_version() => releases.push(Release {
                version,
                stable: r.stable,
                files: r.files,
            }),
            _ => skipped.push(r.version),
        }
    }
    releases.sort_by(|a, b| b.version.cmp(&a.version));
    Ok((releases, skipped))
}

impl Index {
    pub fn find(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }

    /// The newest release matching `spec` that ships an archive for `platform`. Like
    /// selection, stable releases win over pre-releases; `latest` means newest stable.
    /// A go.mod minimum (`go 1.22`) asks for the newest patch of that minor
    /// ([`Spec::for_install`]); `system` matches nothing.
    pub fn resolve(&self, spec: &Spec, platform: &Platform) -> Option<&Release> {
        let spec = spec.for_install()?;
        let candidates: Vec<&Version> = self
            .releases
            .iter()
            .filter(|r| r.archive(platform).is_some())
            .filter(|r| r.stable || !matches!(spec, Spec::Latest))
            .map(|r| &r.version)
            .collect();
        let best = spec.best_match(candidates)?;
        self.find(best)
    }
}

/// How to use the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Use a cached copy younger than the TTL, else fetch (falling back to any cached copy).
    Normal,
    /// Always fetch (`--refresh`), still falling back to the cache when offline.
    Refresh,
    /// Never touch the network (`--offline`).
    Offline,
}

/// Loads the index at `url`, through the cache.
pub fn load(http: &Http, url: &str, cache: &Cache, mode: Mode) -> Result<Index, IndexError> {
    let cached = read_cache(cache, url);
    if let Some((text, age)) = &cached {
        let fresh_enough = mode == Mode::Offline || (mode == Mode::Normal && *age < TTL);
        if fresh_enough && let Ok((releases, skipped)) = parse(url, text) {
            return Ok(Index {
                url: url.to_string(),
                releases,
                skipped,
                freshness: Freshness::Cached { age: *age },
            });
        }
    }
    if mode == Mode::Offline {
        return Err(IndexError::OfflineNoCache {
            url: url.to_string(),
        });
    }
    // Capped before it is held whole, parsed before it is cached: an oversized or broken
    // answer never reaches the cache.
    let fetched = http
        .get_capped(url, limits::RELEASE_INDEX, "a release index")
        .map_err(|source| IndexError::Fetch { source })
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| IndexError::Parse {
                url: url.to_string(),
                message: "it is not UTF-8 text".to_string(),
            })
        })
        .and_then(|text| parse(url, &text).map(|parsed| (text, parsed)));
    match fetched {
        Ok((text, (releases, skipped))) => {
            // A cache that cannot be written only costs a later download.
            let _ = crate::fsutil::write_atomic(&cache.index_file(url), text.as_bytes());
            Ok(Index {
                url: url.to_string(),
                releases,
                skipped,
                freshness: Freshness::Fetched,
            })
        }
        // A server without an index is an answer, not an outage: no stale fallback.
        Err(e) if e.means_no_index() => Err(e),
        Err(e) => {
            let Some((text, age)) = cached else {
                return Err(e);
            };
            let reason = match &e {
                IndexError::Fetch { source } => source.to_string(),
                other => other.to_string(),
            };
            let (releases, skipped) = parse(url, &text).map_err(|_| e)?;
            Ok(Index {
                url: url.to_string(),
                releases,
                skipped,
                freshness: Freshness::Stale { age, reason },
            })
        }
    }
}

/// The cached copy of the index at `url`, however old, without touching the network
/// (what `gv current` and `gv list` judge support by).
pub fn cached(url: &str, cache: &Cache) -> Option<Index> {
    let (text, age) = read_cache(cache, url)?;
    let (releases, skipped) = parse(url, &text).ok()?;
    Some(Index {
        url: url.to_string(),
        releases,
        skipped,
        freshness: Freshness::Cached { age },
    })
}

fn read_cache(cache: &Cache, url: &str) -> Option<(String, Duration)> {
    let path = cache.index_file(url);
    let text = limits::read_file_string(&path, limits::RELEASE_INDEX).ok()?;
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    let age = SystemTime::now()
        .duration_since(modified)
        .unwrap_or(Duration::ZERO);
    Some((text, age))
}

/// "3 minutes", "2 hours", "5 days": how old a cached copy is, for humans.
pub fn human_age(age: Duration) -> String {
    let secs = age.as_secs();
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        60..3600 => (secs / 60, "minute"),
        3600..86400 => (secs / 3600, "hour"),
        _ => (secs / 86400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"[
      {"version":"go1.23rc1","stable":false,"files":[
        {"filename":"go1.23rc1.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.23rc1","sha256":"aa","size":1,"kind":"archive"}]},
      {"version":"go1.22.10","stable":true,"files":[
        {"filename":"go1.22.10.src.tar.gz","os":"","arch":"","version":"go1.22.10","sha256":"bb","size":1,"kind":"source"},
        {"filename":"go1.22.10.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.22.10","sha256":"cc","size":1,"kind":"archive"},
        {"filename":"go1.22.10.windows-amd64.msi","os":"windows","arch":"amd64","version":"go1.22.10","sha256":"dd","size":1,"kind":"installer"},
        {"filename":"go1.22.10.windows-amd64.zip","os":"windows","arch":"amd64","version":"go1.22.10","sha256":"d0","size":1,"kind":"archive"}]},
      {"version":"go1.22.9","stable":true,"files":[
        {"filename":"go1.22.9.darwin-arm64.tar.gz","os":"darwin","arch":"arm64","version":"go1.22.9","sha256":"ee","size":1,"kind":"archive"}]},
      {"version":"go1.9.2rc2","stable":false,"files":[]},
      {"version":"go1.21.0","stable":false,"files":[
        {"filename":"go1.21.0.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.21.0","sha256":"ff","size":1,"kind":"archive"}]}
    ]"#;

    fn linux() -> Platform {
        Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        }
    }

    fn index() -> Index {
        let (releases, skipped) = parse("u", SAMPLE).unwrap();
        Index {
            url: "u".into(),
            releases,
            skipped,
            freshness: Freshness::Fetched,
        }
    }

    #[test]
    fn invalid_versions_are_skipped_not_fatal() {
        let index = index();
        assert_eq!(index.skipped, ["go1.9.2rc2"]);
        let names: Vec<&str> = index.releases.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(
            names,
            ["1.23rc1", "1.22.10", "1.22.9", "1.21.0"],
            "newest first"
        );
    }

    #[test]
    fn resolves_specs_against_the_platform() {
        let index = index();
        let pick = |s: &str| {
            index
                .resolve(&Spec::parse(s).unwrap(), &linux())
                .map(|r| r.version.to_string())
        };
        assert_eq!(pick("1.22").as_deref(), Some("1.22.10"));
        assert_eq!(pick("1.22.9"), None, "no linux archive for 1.22.9");
        assert_eq!(pick("latest").as_deref(), Some("1.22.10"));
        assert_eq!(pick("1.23rc1").as_deref(), Some("1.23rc1"));
        assert_eq!(pick("go1.21.0").as_deref(), Some("1.21.0"));
        let atleast = Spec::AtLeast(Version::parse("1.22.0").unwrap());
        assert_eq!(
            index
                .resolve(&atleast, &linux())
                .map(|r| r.version.to_string())
                .as_deref(),
            Some("1.22.10")
        );
        let file = index.releases[1].archive(&linux()).unwrap();
        assert_eq!(
            (file.filename.as_str(), file.sha256.as_str()),
            ("go1.22.10.linux-amd64.tar.gz", "cc")
        );
        // Windows: the zip, never the installer.
        let windows = Platform::named("windows", "amd64").unwrap();
        let file = index.releases[1].archive(&windows).unwrap();
        assert_eq!(
            (file.filename.as_str(), file.sha256.as_str()),
            ("go1.22.10.windows-amd64.zip", "d0")
        );
    }

    /// An index's `filename` and `version` become paths (download cache, lock, GOROOT):
    /// entries that would name anything but go.dev's own archive name are not archives.
    #[test]
    fn index_fields_never_name_paths() {
        let hostile = r#"[
          {"version": "go1.22.10", "stable": true, "files": [
            {"filename": "/../../elsewhere/x.tar.gz", "os": "linux", "arch": "amd64", "sha256": "aa", "kind": "archive"},
            {"filename": "../go1.22.10.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "sha256": "aa", "kind": "archive"}
          ]},
          {"version": "go1.22.66-A/../../elsewhere/y", "stable": true, "files": [
            {"filename": "go1.22.66-A.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "sha256": "bb", "kind": "archive"}
          ]}
        ]"#;
        let (releases, skipped) = parse("u", hostile).unwrap();
        assert_eq!(skipped, ["go1.22.66-A/../../elsewhere/y"]);
        assert_eq!(releases.len(), 1);
        assert!(releases[0].archive(&linux()).is_none());
    }

    #[test]
    fn garbage_is_a_parse_error() {
        let err = parse("http://m/", "<html>").unwrap_err();
        assert!(err.means_no_index());
        assert!(
            err.to_string().contains("not go.dev's JSON format"),
            "{err}"
        );
    }

    #[test]
    fn ages_read_like_english() {
        assert_eq!(human_age(Duration::from_secs(1)), "1 second");
        assert_eq!(human_age(Duration::from_secs(7200)), "2 hours");
        assert_eq!(human_age(Duration::from_secs(86400 * 3)), "3 days");
    }
}

/// The index parser on generated input: indexes shaped like go.dev's with hostile field
/// values (any version text, wrong types, huge numbers), then cut short or with a byte
/// changed. Every one parses or fails with `IndexError::Parse`; nothing panics, and what
/// comes out is no bigger than what went in.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "go1\\.[0-9]{1,3}(\\.[0-9]{1,3})?((rc|beta)[0-9])?",
            "go1\\.22\\.10\\.(linux|darwin|windows)-(amd64|arm64)\\.(tar\\.gz|zip)",
            "[ -~]{0,16}",
            "\\PC{0,8}",
        ]
    }

    fn field() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => text().prop_map(Value::from),
            1 => any::<u64>().prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<f64>().prop_map(|f| json!(f)),
            1 => Just(Value::Null),
            1 => any::<bool>().prop_map(Value::from),
        ]
    }

    fn file() -> impl Strategy<Value = Value> {
        (text(), field(), field(), field(), field(), field()).prop_map(
            |(filename, os, arch, sha256, size, kind)| {
                json!({"filename": filename, "os": os, "arch": arch, "sha256": sha256,
                       "size": size, "kind": kind})
            },
        )
    }

    fn release() -> impl Strategy<Value = Value> {
        (
            field(),
            field(),
            proptest::collection::vec(file(), 0..3),
        )
            .prop_map(|(version, stable, files)| {
                json!({"version": version, "stable": stable, "files": files})
            })
    }

    proptest! {
        #![proptest_config(crate::test_config::proptest())]

        #[test]
        fn any_index_parses_or_fails_typed(
            releases in proptest::collection::vec(release(), 0..4),
            cut in any::<proptest::sample::Index>(),
            damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
            truncate in any::<bool>(),
        ) {
            let mut bytes = serde_json::to_vec(&releases).unwrap();
            if let Some((at, byte)) = damage {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            let text = String::from_utf8_lossy(&bytes);
            match parse("u", &text) {
                Ok((releases, skipped)) => {
                    prop_assert!(releases.len() + skipped.len() <= text.len());
                    let index = Index {
                        url: "u".into(),
                        releases,
                        skipped,
                        freshness: Freshness::Fetched,
                    };
                    let linux = Platform { os: "linux".into(), arch: "amd64".into() };
                    for spec in ["1.22", "latest", "1.22.10"] {
                        let _ = index.resolve(&Spec::parse(spec).unwrap(), &linux);
                    }
                    for r in &index.releases {
                        if let Some(f) = r.archive(&linux) {
                            prop_assert_eq!(&f.filename, &linux.archive_name(&r.version));
                        }
                    }
                }
                Err(IndexError::Parse { .. }) => {}
                Err(other) => prop_assert!(false, "untyped failure: {other}"),
            }
        }
    }
}
