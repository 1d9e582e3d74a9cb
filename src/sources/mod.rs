//! Where Go SDKs come from — the sources `gv install --source` chooses between: the go.dev
//! release index and the mirrors laid out like it, a GOPROXY with the checksum database
//! that vouches for it, and the HTTP client (with `.netrc` logins) they are fetched with.
//! Also the names go.dev gives its archives, by platform, and which minor lines its index
//! says are still supported. Unpacking what they serve is
//! [`crate::archive`]'s job.

pub mod fetch;
pub mod goproxy;
pub mod index;
pub mod mirror;
pub mod netrc;
pub mod sumdb;
pub mod support;

/// The OS/architecture pair go.dev names archives by (`linux`/`amd64`, `darwin`/`arm64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// The machine gv runs on, in Go's names: its hardware, so an x86_64 gv running under
    /// Rosetta on Apple Silicon still installs arm64 Go (voidint/g#158).
    pub fn host() -> Platform {
        Platform::of_machine(
            std::env::consts::OS,
            std::env::consts::ARCH,
            platform::translation(),
        )
    }

    /// The platform to install Go for on a machine whose OS and CPU Rust names `rust_os`
    /// and `rust_arch`, for a process running `translation`.
    pub fn of_machine(rust_os: &str, rust_arch: &str, translation: Translation) -> Platform {
        Platform {
            os: platform::go_os(rust_os).to_string(),
            arch: platform::go_arch(rust_arch, translation).to_string(),
        }
    }

    /// A platform named by the user (`--os darwin --arch arm64`), in Go's names. Only
    /// lowercase letters and digits: the names become part of file names and URLs.
    pub fn named(os: &str, arch: &str) -> Result<Platform, String> {
        for (what, name) in [("OS", os), ("architecture", arch)] {
            let plain = !name.is_empty()
                && name.len() <= 16
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !plain {
                return Err(format!(
                    "`{}` is not a Go {what} name (GOOS/GOARCH: lowercase letters and digits, such as darwin, linux, arm64, amd64)",
                    gv_core::text::one_line(name)
                ));
            }
        }
        Ok(Platform {
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    /// The platform's name on disk and in archive names: `darwin-arm64`.
    pub fn key(&self) -> String {
        format!("{}-{}", self.os, self.arch)
    }

    /// A hint for a release that has no archive for this platform but has one for
    /// `alternative`: on Apple Silicon, the Intel build runs under Rosetta 2 (Go before
    /// 1.16 has no darwin/arm64 build at all).
    pub fn missing_build_hint(&self, spec: &str, alternative: Option<&Platform>) -> String {
        match alternative {
            Some(alt) if self.os == "darwin" && self.arch == "arm64" && alt.arch == "amd64" => {
                format!(
                    "Go has built for Apple Silicon only since 1.16; `{}` installs the Intel build, which runs under Rosetta 2 (in its own directory, used by path: see `gv list`)",
                    gv_core::suggest::command(["gv", "install", spec, "--arch", "amd64"])
                )
            }
            Some(alt) => {
                format!("it exists for {alt}; `gv ls-remote --all` lists what is available")
            }
            None => "`gv ls-remote --all` lists what is available".to_string(),
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

use gv_core::platform::{self, Translation};

/// Parses `go1.22.3.linux-amd64.tar.gz` (or `go1.22.3.windows-amd64.zip`) into its version
/// and platform. The extension must be the one go.dev uses for that platform (zip for
/// Windows only), so a name decides the unpacker no differently than the index would.
pub fn parse_archive_name(name: &str) -> Option<(gv_core::Version, Platform)> {
    let stem = name
        .strip_suffix(".tar.gz")
        .or_else(|| name.strip_suffix(".zip"))?;
    let (version, platform) = stem.rsplit_once('.')?;
    let (os, arch) = platform.split_once('-')?;
    let version = gv_core::Version::parse(version).ok()?;
    if version.is_language_version() || !name.starts_with("go") {
        return None;
    }
    let platform = Platform {
        os: os.to_string(),
        arch: arch.to_string(),
    };
    (platform.archive_name(&version) == name).then_some((version, platform))
}

/// Is `filename` a zip (go.dev's Windows archives) rather than a `.tar.gz`?
pub fn is_zip_archive(filename: &str) -> bool {
    filename.ends_with(".zip")
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
        let windows = Platform::named("windows", "amd64").unwrap();
        assert_eq!(windows.archive_name(&v), "go1.22.10.windows-amd64.zip");
        assert_eq!(
            parse_archive_name("go1.22.10.windows-amd64.zip"),
            Some((v.clone(), windows))
        );
        assert!(
            parse_archive_name("go1.22.10.windows-amd64.tar.gz").is_none(),
            "go.dev ships Windows as zip only"
        );
        assert!(parse_archive_name("foo.tar.gz").is_none());
        assert!(parse_archive_name("go1.22.linux-amd64.tar.gz").is_none());
    }

    /// The macOS cases, decided on any machine: Apple Silicon gets arm64 Go even when gv
    /// itself is an x86_64 build under Rosetta; an Intel Mac gets amd64.
    #[test]
    fn the_host_platform_is_the_hardware() {
        let mac = |arch, t| Platform::of_machine("macos", arch, t).to_string();
        assert_eq!(mac("aarch64", Translation::Native), "darwin/arm64");
        assert_eq!(mac("x86_64", Translation::Rosetta), "darwin/arm64");
        assert_eq!(mac("x86_64", Translation::Native), "darwin/amd64");
        let linux = Platform::of_machine("linux", "x86_64", Translation::Native);
        assert_eq!(linux.key(), "linux-amd64");
        let v = gv_core::Version::parse("1.22.10").unwrap();
        let mac = Platform::of_machine("macos", "aarch64", Translation::Native);
        assert_eq!(mac.archive_name(&v), "go1.22.10.darwin-arm64.tar.gz");
    }

    #[test]
    fn named_platforms_are_plain_words() {
        assert_eq!(
            Platform::named("darwin", "arm64").unwrap().key(),
            "darwin-arm64"
        );
        for (os, arch) in [
            ("../x", "arm64"),
            ("darwin", "arm 64"),
            ("Darwin", "arm64"),
            ("", "amd64"),
            ("darwin", "a/b"),
        ] {
            assert!(Platform::named(os, arch).is_err(), "{os}/{arch}");
        }
    }

    #[test]
    fn apple_silicon_is_pointed_at_rosetta_for_old_releases() {
        let arm = Platform::named("darwin", "arm64").unwrap();
        let intel = Platform::named("darwin", "amd64").unwrap();
        let hint = arm.missing_build_hint("1.15.15", Some(&intel));
        assert!(
            hint.contains("gv install 1.15.15 --arch amd64") && hint.contains("Rosetta"),
            "{hint}"
        );
        let linux = Platform::named("linux", "riscv64").unwrap();
        assert!(
            !linux
                .missing_build_hint("1.9", Some(&intel))
                .contains("Rosetta")
        );
        assert!(arm.missing_build_hint("1.99", None).contains("ls-remote"));
    }
}
