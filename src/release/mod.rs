//! gv's own releases: what one is, where it is published, and how a copy of it is
//! proven genuine. `gv self update` reads releases; the release command (`cargo xtask`)
//! writes them with this same code, so the two cannot disagree.
//!
//! A release is a directory of files under a base URL laid out like GitHub's releases:
//!
//! ```text
//! BASE/download/v0.2.0/gv-0.2.0-x86_64-unknown-linux-musl.tar.gz   (one per target)
//! BASE/download/v0.2.0/SHA256SUMS        sha256 of every file of the release
//! BASE/download/v0.2.0/SHA256SUMS.sig    SSH signature of SHA256SUMS (namespace gv-release)
//! BASE/latest/download/FILE              the newest release's FILE (a redirect)
//! ```
//!
//! Trust flows one way: the signature, by a key gv carries ([`keys`]), vouches for
//! SHA256SUMS; SHA256SUMS names the version and vouches for each archive.

pub mod keys;
pub mod sshsig;
pub mod sums;
pub mod target;
pub mod version;

use thiserror::Error;

/// The SSH signature namespace of release checksums: a signature made for anything
/// else with the same key (a git commit, a file) is not accepted as one.
pub const NAMESPACE: &str = "gv-release";

/// The checksums file of a release, and its signature.
pub const SUMS: &str = "SHA256SUMS";
pub const SUMS_SIG: &str = "SHA256SUMS.sig";

/// The project's home (Cargo.toml's `repository`).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where releases are published unless `GV_INSTALL_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/releases");

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("{name} is not an http(s) URL: {value}")]
    NotHttp { name: &'static str, value: String },
    #[error("{name} uses plain http for a host other than this machine: {value}")]
    PlainHttp { name: &'static str, value: String },
}

impl gv_core::error::Hint for UrlError {
    fn hint(&self) -> Option<String> {
        Some(format!(
            "set {} to an https URL laid out like {DEFAULT_BASE_URL} (plain http only for 127.0.0.1 and localhost)",
            gv_core::vars::INSTALL_URL
        ))
    }
}

/// The base URL releases come from: `GV_INSTALL_URL` (as install.sh reads it), else
/// [`DEFAULT_BASE_URL`]. Plain http is refused except to this machine: the signature
/// would still catch a changed file, but not an old release replayed by whoever sits
/// on the network.
pub fn base_url(from_env: Option<&str>) -> Result<String, UrlError> {
    let name = gv_core::vars::INSTALL_URL;
    let value = match from_env {
        Some(v) if !v.trim().is_empty() => v.trim(),
        _ => DEFAULT_BASE_URL,
    };
    let shown = || gv_core::text::one_line(value).into_owned();
    let url = reqwest::Url::parse(value).map_err(|_| UrlError::NotHttp {
        name,
        value: shown(),
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(UrlError::PlainHttp {
                name,
                value: shown(),
            });
        }
        _ => {
            return Err(UrlError::NotHttp {
                name,
                value: shown(),
            });
        }
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Which release: the newest, or a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Latest,
    Version(version::Version),
}

impl Which {
    /// The URL of `file` in this release under `base`.
    pub fn url(&self, base: &str, file: &str) -> String {
        match self {
            Which::Latest => format!("{base}/latest/download/{file}"),
            Which::Version(v) => format!("{base}/download/v{v}/{file}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(base_url(None).unwrap(), DEFAULT_BASE_URL);
        assert!(DEFAULT_BASE_URL.starts_with("https://"));
        assert_eq!(
            base_url(Some("https://mirror.example/gv/releases/")).unwrap(),
            "https://mirror.example/gv/releases"
        );
        assert_eq!(
            base_url(Some("http://127.0.0.1:8080/r")).unwrap(),
            "http://127.0.0.1:8080/r"
        );
        assert!(base_url(Some("http://localhost/r")).is_ok());
        assert!(base_url(Some("http://[::1]:9/r")).is_ok());
        assert!(matches!(
            base_url(Some("http://mirror.example/r")),
            Err(UrlError::PlainHttp { .. })
        ));
        assert!(matches!(
            base_url(Some("file:///tmp/r")),
            Err(UrlError::NotHttp { .. })
        ));
        assert!(matches!(
            base_url(Some("mirror.example")),
            Err(UrlError::NotHttp { .. })
        ));
        assert_eq!(base_url(Some("  ")).unwrap(), DEFAULT_BASE_URL);
    }

    #[test]
    fn release_urls() {
        let v = version::Version::parse("0.2.0").unwrap();
        assert_eq!(
            Which::Version(v).url("https://h/r", SUMS),
            "https://h/r/download/v0.2.0/SHA256SUMS"
        );
        assert_eq!(
            Which::Latest.url("https://h/r", SUMS_SIG),
            "https://h/r/latest/download/SHA256SUMS.sig"
        );
    }
}
