//! Where the vulnerability database is (GOVULNDB, Go's variable; default
//! https://vuln.go.dev) and how one of its documents is read: over http(s) the `.json.gz`
//! form, as govulncheck fetches it, gunzipped no further than the document's bound; from
//! a `file://` copy the `.json` file, a regular file no bigger than its bound.

use std::io::Read;
use std::path::PathBuf;

use gv_core::limits;

use super::VulnDbError;
use crate::sources::fetch::{FetchError, Http};

/// Go's default vulnerability database.
pub const DEFAULT: &str = "https://vuln.go.dev";

/// A database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An http(s) base URL, without a trailing `/`.
    Http(String),
    /// A directory laid out like vuln.go.dev (`file://` URL).
    File(PathBuf),
}

impl Location {
    /// GOVULNDB's value (unset or empty: the default). One URL: older tools read a comma
    /// list, which gv refuses with a hint rather than guessing which one is meant.
    pub fn parse(value: Option<&str>) -> Result<Location, VulnDbError> {
        let value = value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(DEFAULT);
        let bad = |why: &str| VulnDbError::Setting {
            value: value.to_string(),
            why: why.to_string(),
        };
        if value.contains(',') {
            return Err(bad("it is a list; gv reads one database"));
        }
        let url = reqwest::Url::parse(value).map_err(|_| bad("it is not a URL"))?;
        match url.scheme() {
            "http" | "https" if url.host_str().is_some() => {
                Ok(Location::Http(value.trim_end_matches('/').to_string()))
            }
            // `file://name` is a host and no path: a UNC share's name under Windows, where
            // the url crate would make it a path that is not absolute.
            "file" if url.path() == "/" => Err(bad("it names no directory")),
            "file" => url
                .to_file_path()
                .map(Location::File)
                .map_err(|()| bad("it is not an absolute file:// URL")),
            _ => Err(bad("only http, https and file:// URLs are read")),
        }
    }

    /// The location as shown and as its cache is keyed (passwords hidden when shown).
    pub fn url(&self) -> String {
        match self {
            Location::Http(base) => base.clone(),
            // `file:///srv/vulndb`, `file:///C:/vulndb`: as GOVULNDB would name it.
            Location::File(dir) => reqwest::Url::from_file_path(dir)
                .map_or_else(|()| format!("file://{}", dir.display()), String::from),
        }
    }

    /// Reads `endpoint` (`index/db`, `ID/GO-2024-0001`), at most `limit` bytes of JSON.
    pub fn read(&self, http: &Http, endpoint: &str, limit: u64) -> Result<Vec<u8>, VulnDbError> {
        let what = "a vulnerability database document";
        match self {
            Location::Http(base) => {
                let url = format!("{base}/{endpoint}.json.gz");
                let gz = http
                    .get_capped(&url, limit, what)
                    .map_err(|source| VulnDbError::Fetch { source })?;
                let mut out = Vec::new();
                limits::Capped::new(flate2::read::GzDecoder::new(gz.as_slice()), limit)
                    .read_to_end(&mut out)
                    .map_err(|e| match limits::LimitError::of(&e) {
                        Some(_) => VulnDbError::Fetch {
                            source: FetchError::TooLarge {
                                url: url.clone(),
                                limit,
                                what,
                            },
                        },
                        None => VulnDbError::Garbage {
                            what: url.clone(),
                            why: format!("it is not gzip: {e}"),
                        },
                    })?;
                Ok(out)
            }
            Location::File(dir) => {
                let path = dir.join(format!("{endpoint}.json"));
                limits::read_file(&path, limit).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => VulnDbError::Missing {
                        what: path.display().to_string(),
                    },
                    _ => VulnDbError::Garbage {
                        what: path.display().to_string(),
                        why: match limits::LimitError::of(&e) {
                            Some(limit) => limit.to_string(),
                            None => e.to_string(),
                        },
                    },
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn govulndb_is_one_url() {
        assert_eq!(
            Location::parse(None).unwrap(),
            Location::Http("https://vuln.go.dev".into())
        );
        assert_eq!(
            Location::parse(Some("http://127.0.0.1:8080/db/")).unwrap(),
            Location::Http("http://127.0.0.1:8080/db".into())
        );
        // An absolute path of this platform, and back.
        let dir = PathBuf::from(if gv_core::platform::WINDOWS {
            r"C:\srv\vulndb"
        } else {
            "/srv/vulndb"
        });
        let url = reqwest::Url::from_file_path(&dir).unwrap();
        let location = Location::parse(Some(url.as_str())).unwrap();
        assert_eq!(location, Location::File(dir));
        assert_eq!(location.url(), url.as_str());
        let list = Location::parse(Some("https://a.example,https://b.example")).unwrap_err();
        assert!(list.to_string().contains("a list"), "{list}");
        for bad in ["vuln.go.dev", "ftp://x/", "file://relative", "https://"] {
            assert!(Location::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
