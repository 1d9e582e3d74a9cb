//! Go toolchains from a module proxy (the GOPROXY protocol): the toolchain for go1.22.10
//! on linux/amd64 is the module `golang.org/toolchain` at version
//! `v0.0.1-go1.22.10.linux-amd64`; a proxy serves `@v/list`, `@v/<version>.info`, `.mod`
//! and `.zip` under `<proxy>/golang.org/toolchain/`.
//!
//! GOPROXY is a list tried in order, as the go command tries it: after an entry followed
//! by `,` the next is tried only when the answer was 404 or 410 ("not here"); after `|`,
//! on any error. `off` stops the list; `direct` means fetching from the module's own
//! origin, which gv does not do for toolchains (see [`ProxyError::Direct`]). A proxy may
//! be a `file://` folder laid out the same way (an air-gapped copy), as for the go command.

use std::io::Read;

use gv_core::{Spec, Version};
use thiserror::Error;

use super::Platform;
use super::fetch::{FetchError, Http};
use crate::go_settings::{Setting, TOOLCHAIN_MODULE};
use gv_core::text::redact_url;

/// The toolchain module's version prefix (`v0.0.1-go1.22.10.linux-amd64`).
const MODULE_VERSION_PREFIX: &str = "v0.0.1-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A proxy URL (ending without `/`), and whether any error (`|`) rather than only
    /// 404/410 (`,`) moves on to the next entry.
    Proxy {
        url: String,
        on_any_error: bool,
    },
    Direct,
    Off,
}

/// A parsed GOPROXY list.
#[derive(Debug, Clone)]
pub struct ProxyList {
    pub entries: Vec<Entry>,
    /// The setting it came from, for messages.
    pub setting: Setting,
}

#[derive(Debug, Error)]
pub enum ProxyError {
    #[error("{setting} is not a usable proxy list: {why}")]
    BadList { setting: String, why: String },
    #[error("{setting} reached `off`: downloading modules is disabled")]
    Off { setting: String },
    #[error(
        "{setting} reached `direct`, and gv fetches toolchains only through a module proxy (golang.org/toolchain has no repository to clone){}",
        earlier.as_ref().map(|e| format!("; before that: {e}")).unwrap_or_default()
    )]
    Direct {
        setting: String,
        earlier: Option<String>,
    },
    #[error("{what} is not on any proxy in {setting}: {cause}")]
    NotFound {
        what: String,
        setting: String,
        cause: String,
    },
    #[error("cannot fetch {what} from the proxies in {setting}: {cause}")]
    Failed {
        what: String,
        setting: String,
        cause: String,
    },
    #[error(
        "{setting} matches {TOOLCHAIN_MODULE}, so Go would fetch it directly, which gv does not do for toolchains"
    )]
    NoProxy { setting: String },
}

impl gv_core::error::Hint for ProxyError {
    fn hint(&self) -> Option<String> {
        match self {
            ProxyError::Direct { .. } => Some("put your proxy first in GOPROXY, or install with --source dl".to_string()),
            ProxyError::BadList { .. } => Some("set GOPROXY to your module proxy, e.g. GOPROXY=https://goproxy.example.com".to_string()),
            ProxyError::Off { .. } => Some("point GOPROXY at a module proxy, or install with --source dl".to_string()),
            ProxyError::NoProxy { .. } => Some("exclude {TOOLCHAIN_MODULE} from GONOPROXY/GOPRIVATE (GONOPROXY=none keeps every module on the proxy)".to_string()),
            _ => None,
        }
    }
}

impl ProxyList {
    /// Parses GOPROXY as the go command does; `file://` is not supported (use a loopback
    /// server or --from-file); an empty list is an error.
    pub fn parse(setting: &Setting) -> Result<ProxyList, ProxyError> {
        let bad = |why: String| ProxyError::BadList {
            setting: setting.to_string(),
            why,
        };
        let mut entries = Vec::new();
        let mut rest = setting.value.as_str();
        while !rest.is_empty() {
            let (item, on_any_error, next) = match rest.find([',', '|']) {
                Some(i) => (&rest[..i], rest.as_bytes()[i] == b'|', &rest[i + 1..]),
                None => (rest, false, ""),
            };
            rest = next;
            let item = item.trim();
            match item {
                "" => continue,
                "off" => {
                    entries.push(Entry::Off);
                    break;
                }
                "direct" => {
                    entries.push(Entry::Direct);
                    break;
                }
                _ => {}
            }
            // Go's shorthand: a bare host (and path) means https.
            let url = if !item.contains("://") {
                format!("https://{item}")
            } else {
                item.to_string()
            };
            let parsed = reqwest::Url::parse(&url)
                .map_err(|_| bad(format!("`{}` is not a URL", redact_url(item))))?;
            match parsed.scheme() {
                "http" | "https" => {}
                "file" if parsed.to_file_path().is_ok() => {}
                _ => {
                    return Err(bad(format!(
                        "`{}`: a proxy is an http(s):// or file:// URL",
                        redact_url(item)
                    )));
                }
            }
            entries.push(Entry::Proxy {
                url: url.trim_end_matches('/').to_string(),
                on_any_error,
            });
        }
        if entries.is_empty() {
            return Err(bad("it is empty".to_string()));
        }
        Ok(ProxyList {
            entries,
            setting: setting.clone(),
        })
    }

    /// Runs `op` against each proxy in turn, moving on as Go does. `what` names the file
    /// for messages.
    pub fn try_each<T>(
        &self,
        what: &str,
        mut op: impl FnMut(&str) -> Result<T, FetchError>,
    ) -> Result<T, ProxyError> {
        let setting = self.setting.to_string();
        let mut not_found: Vec<String> = Vec::new();
        let mut worst: Option<String> = None;
        for entry in &self.entries {
            match entry {
                Entry::Off => return Err(ProxyError::Off { setting }),
                Entry::Direct => {
                    return Err(ProxyError::Direct {
                        setting,
                        earlier: worst.or_else(|| not_found.pop()),
                    });
                }
                Entry::Proxy { url, on_any_error } => match op(url) {
                    Ok(value) => return Ok(value),
                    Err(e) if is_not_found(&e) => not_found.push(redact_url(&e.to_string())),
                    Err(e) => {
                        worst = Some(redact_url(&e.to_string()));
                        if !on_any_error {
                            break;
                        }
                    }
                },
            }
        }
        match worst {
            Some(cause) => Err(ProxyError::Failed {
                what: what.to_string(),
                setting,
                cause,
            }),
            None => Err(ProxyError::NotFound {
                what: what.to_string(),
                setting,
                cause: not_found.join("; "),
            }),
        }
    }

    /// The versions of the toolchain module the proxies list for `platform`, newest first.
    pub fn toolchains(
        &self,
        http: &Http,
        platform: &Platform,
    ) -> Result<Vec<ToolchainVersion>, ProxyError> {
        let text = self.try_each("the toolchain list (@v/list)", |base| {
            let url = format!("{base}/{TOOLCHAIN_MODULE}/@v/list");
            read_limited(http, &url, gv_core::limits::PROXY_ANSWER)
        })?;
        let text = String::from_utf8_lossy(&text);
        let mut out: Vec<ToolchainVersion> = text
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter_map(ToolchainVersion::parse)
            .filter(|t| t.platform == *platform)
            .collect();
        out.sort_by(|a, b| b.version.cmp(&a.version));
        out.dedup_by(|a, b| a.version == b.version);
        Ok(out)
    }
}

/// A response body: over HTTP, or a file of a `file://` proxy.
pub enum Body {
    Http(Box<super::fetch::Response>),
    File(std::fs::File),
}

impl Body {
    pub fn content_length(&self) -> Option<u64> {
        match self {
            Body::Http(r) => r.content_length(),
            Body::File(f) => f.metadata().ok().map(|m| m.len()),
        }
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Body::Http(r) => r.read(buf),
            Body::File(f) => f.read(buf),
        }
    }
}

/// GETs `url`, or opens it for a `file://` URL (a missing file is a 404, as in Go).
pub fn open(http: &Http, url: &str) -> Result<Body, FetchError> {
    if url.starts_with("file://") {
        let path = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .ok_or_else(|| FetchError::Network {
                url: url.to_string(),
                message: "not a local file URL".to_string(),
            })?;
        return match std::fs::File::open(&path) {
            Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => Ok(Body::File(file)),
            Ok(_) => Err(FetchError::NotFound {
                url: url.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FetchError::NotFound {
                url: url.to_string(),
            }),
            Err(e) => Err(FetchError::Network {
                url: url.to_string(),
                message: e.to_string(),
            }),
        };
    }
    http.get(url).map(|r| Body::Http(Box::new(r)))
}

/// GETs `url` into memory, refusing bodies over `limit` bytes.
pub fn read_limited(http: &Http, url: &str, limit: u64) -> Result<Vec<u8>, FetchError> {
    match open(http, url)? {
        Body::Http(response) => response.read_capped(limit, "this answer"),
        Body::File(file) => gv_core::limits::read_capped(file, limit)
            .map_err(|e| FetchError::from_read(url, "this answer", e)),
    }
}

/// 404 and 410 mean "this proxy does not have it" (Go's fs.ErrNotExist).
pub fn is_not_found(e: &FetchError) -> bool {
    matches!(
        e,
        FetchError::NotFound { .. } | FetchError::Status { status: 410, .. }
    )
}

/// A Go toolchain as a module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainVersion {
    pub version: Version,
    pub platform: Platform,
}

impl ToolchainVersion {
    pub fn new(version: Version, platform: &Platform) -> ToolchainVersion {
        ToolchainVersion {
            version,
            platform: platform.clone(),
        }
    }

    /// `v0.0.1-go1.22.10.linux-amd64`. Module versions use GOARCH names, so 32-bit ARM is
    /// `arm` where go.dev's archives say `armv6l`.
    pub fn module_version(&self) -> String {
        let arch = match self.platform.arch.as_str() {
            "armv6l" => "arm",
            other => other,
        };
        format!(
            "{MODULE_VERSION_PREFIX}{}.{}-{arch}",
            self.version.go_name(),
            self.platform.os
        )
    }

    /// Parses a module version. Strict, because the version becomes a directory name:
    /// only a plain Go version (`go1.22.10`, `go1.23rc1`) and lower-case letters and
    /// digits in the platform.
    pub fn parse(module_version: &str) -> Option<ToolchainVersion> {
        let rest = module_version.strip_prefix(MODULE_VERSION_PREFIX)?;
        let (go, platform) = rest.rsplit_once('.')?;
        let (os, arch) = platform.split_once('-')?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !plain(os) || !plain(arch) || !go.starts_with("go") {
            return None;
        }
        if !go[2..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
        {
            return None;
        }
        let version = Version::parse(go).ok()?;
        if version.is_language_version() || version.go_name() != go {
            return None;
        }
        let arch = if arch == "arm" { "armv6l" } else { arch };
        Some(ToolchainVersion {
            version,
            platform: Platform {
                os: os.to_string(),
                arch: arch.to_string(),
            },
        })
    }
}

/// The newest toolchain in `list` that `spec` asks for, by the same rules as the
/// release index: stable preferred, `latest` = newest stable, a go.mod minimum means the
/// newest patch of its minor.
pub fn resolve<'a>(list: &'a [ToolchainVersion], spec: &Spec) -> Option<&'a ToolchainVersion> {
    let spec = spec.for_install()?;
    let candidates = list
        .iter()
        .map(|t| &t.version)
        .filter(|v| !v.is_prerelease() || !matches!(spec, Spec::Latest));
    let best = spec.best_match(candidates)?;
    list.iter().find(|t| &t.version == best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go_settings::SettingOrigin;

    fn setting(value: &str) -> Setting {
        Setting {
            name: "GOPROXY",
            value: value.to_string(),
            origin: SettingOrigin::Environment,
        }
    }

    fn linux() -> Platform {
        Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        }
    }

    gv_core::unix_only! {
    #[test]
    fn proxy_lists_parse_like_go() {
        let list = ProxyList::parse(&setting(
            "https://a.example|b.example/p/, direct,https://never",
        ))
        .unwrap();
        assert_eq!(
            list.entries,
            vec![
                Entry::Proxy {
                    url: "https://a.example".into(),
                    on_any_error: true
                },
                Entry::Proxy {
                    url: "https://b.example/p".into(),
                    on_any_error: false
                },
                Entry::Direct,
            ]
        );
        assert!(ProxyList::parse(&setting(" , ")).is_err());
        assert!(ProxyList::parse(&setting("ftp://srv/proxy")).is_err());
        assert_eq!(
            ProxyList::parse(&setting("file:///srv/proxy/"))
                .unwrap()
                .entries,
            vec![Entry::Proxy {
                url: "file:///srv/proxy".into(),
                on_any_error: false
            }]
        );
        assert_eq!(
            ProxyList::parse(&setting("off")).unwrap().entries,
            vec![Entry::Off]
        );
    }
    }

    #[test]
    fn fallthrough_rules() {
        let list = ProxyList::parse(&setting("http://a,http://b|http://c")).unwrap();
        let not_found = |url: &str| FetchError::NotFound {
            url: url.to_string(),
        };
        let down = |url: &str| FetchError::Network {
            url: url.to_string(),
            message: "refused".into(),
        };
        // `,` after a 404 goes on; `|` after an outage goes on.
        let mut seen = Vec::new();
        let got = list.try_each("x", |base| {
            seen.push(base.to_string());
            match base {
                "http://a" => Err(not_found(base)),
                "http://b" => Err(down(base)),
                _ => Ok(7),
            }
        });
        assert_eq!(got.unwrap(), 7);
        assert_eq!(seen, ["http://a", "http://b", "http://c"]);
        // `,` after an outage stops.
        let list = ProxyList::parse(&setting("http://a,http://b")).unwrap();
        let err = list
            .try_each("x", |base| -> Result<(), _> { Err(down(base)) })
            .unwrap_err();
        assert!(matches!(err, ProxyError::Failed { .. }), "{err}");
        let err = list
            .try_each("x", |base| -> Result<(), _> { Err(not_found(base)) })
            .unwrap_err();
        assert!(matches!(err, ProxyError::NotFound { .. }), "{err}");
        let list = ProxyList::parse(&setting("http://a,direct")).unwrap();
        let err = list
            .try_each("x", |base| -> Result<(), _> { Err(not_found(base)) })
            .unwrap_err();
        assert!(err.to_string().contains("reached `direct`"), "{err}");
    }

    #[test]
    fn module_versions_round_trip_and_hostile_ones_are_refused() {
        let v = ToolchainVersion::new(Version::parse("1.22.10").unwrap(), &linux());
        assert_eq!(v.module_version(), "v0.0.1-go1.22.10.linux-amd64");
        assert_eq!(ToolchainVersion::parse(&v.module_version()), Some(v));
        let rc = ToolchainVersion::parse("v0.0.1-go1.23rc1.darwin-arm64").unwrap();
        assert_eq!(rc.version.as_str(), "1.23rc1");
        let arm = ToolchainVersion::parse("v0.0.1-go1.22.10.linux-arm").unwrap();
        assert_eq!(arm.platform.arch, "armv6l");
        assert_eq!(arm.module_version(), "v0.0.1-go1.22.10.linux-arm");
        for bad in [
            "v0.0.1-go1.22.linux-amd64",
            "v0.0.1-go1.22.10-evil/../x.linux-amd64",
            "v0.0.1-go1.22.10.linux-../amd64",
            "v0.0.2-go1.22.10.linux-amd64",
            "v0.0.1-1.22.10.linux-amd64",
            "v0.0.1-go01.22.10.linux-amd64",
        ] {
            assert!(ToolchainVersion::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn resolves_specs_like_the_release_index() {
        let list: Vec<ToolchainVersion> = ["1.23rc1", "1.22.10", "1.22.9", "1.21.13"]
            .iter()
            .map(|v| ToolchainVersion::new(Version::parse(v).unwrap(), &linux()))
            .collect();
        let pick = |s: &str| {
            resolve(&list, &Spec::parse(s).unwrap()).map(|t| t.version.as_str().to_string())
        };
        assert_eq!(pick("1.22").as_deref(), Some("1.22.10"));
        assert_eq!(pick("latest").as_deref(), Some("1.22.10"));
        assert_eq!(pick("1.23").as_deref(), Some("1.23rc1"));
        assert_eq!(pick("1.20"), None);
    }
}
