//! Where Go SDKs come from and how they get onto disk: the go.dev release index, mirrors,
//! HTTP, and the streaming download → sha256 → gunzip → untar pipeline.

pub mod dirhash;
pub mod fetch;
pub mod goenv;
pub mod goproxy;
pub mod index;
pub mod mirror;
pub mod modzip;
pub mod netrc;
pub mod pipeline;
pub mod sumdb;
pub mod unpack;

/// The OS/architecture pair go.dev names archives by (`linux`/`amd64`, `darwin`/`arm64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// The machine gv runs on, in Go's names.
    pub fn host() -> Platform {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "x86" => "386",
            "aarch64" => "arm64",
            // go.dev only ships 32-bit ARM archives built for ARMv6.
            "arm" => "armv6l",
            "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
            "powerpc64" => "ppc64",
            "loongarch64" => "loong64",
            other => other,
        };
        Platform {
            os: os.to_string(),
            arch: arch.to_string(),
        }
    }

    /// The archive go.dev publishes for `version` on this platform.
    pub fn archive_name(&self, version: &gv_core::Version) -> String {
        let ext = if self.os == "windows" {
            "zip"
        } else {
            "tar.gz"
        };
        format!("{}.{}-{}.{ext}", version.go_name(), self.os, self.arch)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)
    }
}

/// Parses `go1.22.3.linux-amd64.tar.gz` into its version and platform.
pub fn parse_archive_name(name: &str) -> Option<(gv_core::Version, Platform)> {
    let stem = name.strip_suffix(".tar.gz")?;
    let (version, platform) = stem.rsplit_once('.')?;
    let (os, arch) = platform.split_once('-')?;
    let version = gv_core::Version::parse(version).ok()?;
    if version.is_language_version() || !name.starts_with("go") {
        return None;
    }
    Some((
        version,
        Platform {
            os: os.to_string(),
            arch: arch.to_string(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_round_trip() {
        let linux = Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        };
        let v = gv_core::Version::parse("1.22.10").unwrap();
        assert_eq!(linux.archive_name(&v), "go1.22.10.linux-amd64.tar.gz");
        let (pv, pp) = parse_archive_name("go1.23rc1.darwin-arm64.tar.gz").unwrap();
        assert_eq!(
            (pv.as_str(), pp.os.as_str(), pp.arch.as_str()),
            ("1.23rc1", "darwin", "arm64")
        );
        assert!(parse_archive_name("go1.22.10.linux-amd64.zip").is_none());
        assert!(parse_archive_name("foo.tar.gz").is_none());
        assert!(parse_archive_name("go1.22.linux-amd64.tar.gz").is_none());
    }
}
