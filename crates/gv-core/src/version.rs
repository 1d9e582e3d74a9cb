//! Go versions, parsed and ordered exactly as Go's own `go/version` (internal/gover) does,
//! and version *specs* ("1.22", "latest", "system") matched against a set of versions.
//!
//! Ordering rules worth remembering (Go's `src/internal/gover/gover.go` is the reference;
//! the tests below pin each rule):
//! - From 1.21 on, `1.21` is a language version and sorts before every release of it:
//!   `1.21 < 1.21rc1 < 1.21.0`. Before 1.21 a missing patch means `.0`: `1.20 == 1.20.0`.
//! - Pre-release kinds compare as strings: `alpha < beta < rc`.
//! - A `-suffix` (`go1.22.10-bigcorp`) is kept for display but ignored when comparing.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A valid Go version such as `1.22.10`, `1.21rc1`, `1.20` or `1.22.3-bigcorp`.
///
/// Equality and ordering follow Go: `1.20 == 1.20.0`, and the suffix is ignored.
#[derive(Clone, Debug)]
pub struct Version {
    /// The text as written, without any `go` prefix (e.g. `1.22.10`, `1.21rc1`).
    text: String,
    major: u64,
    minor: Option<u64>,
    /// `None` means "no patch": a language version (>= 1.21) or a pre-release.
    patch: Option<u64>,
    /// Pre-release kind (`alpha`, `beta`, `rc`); empty for releases.
    kind: String,
    pre: Option<u64>,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum VersionError {
    #[error("`{0}` is not a Go version (expected something like 1.22.3, 1.22, 1.23rc1)")]
    Invalid(String),
    #[error(
        "`{0}` is not a version spec (expected a version like 1.22.3, a prefix like 1.22, `latest` or `system`)"
    )]
    InvalidSpec(String),
}

impl crate::error::Hint for VersionError {
    fn hint(&self) -> Option<String> {
        None
    }
}

impl Version {
    /// Parses a Go version, accepting an optional `go` prefix and a `-suffix`.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let invalid = || VersionError::Invalid(input.to_string());
        let text = input.trim();
        let text = text.strip_prefix("go").unwrap_or(text);
        let (core, suffix) = text.split_once('-').unwrap_or((text, ""));
        // A version names a directory, a lock and a cache entry, and comes from files and
        // indexes others wrote: its suffix may hold only letters, digits, `.`, `_`, `-`.
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
        if !suffix.bytes().all(plain) {
            return Err(invalid());
        }
        let (major, rest) = cut_int(core).ok_or_else(invalid)?;
        let mut v = Version {
            text: text.to_string(),
            major,
            minor: None,
            patch: None,
            kind: String::new(),
            pre: None,
        };
        if rest.is_empty() {
            // Go reads "1" as 1.0.0.
            v.minor = Some(0);
            v.patch = Some(0);
            return Ok(v);
        }
        let rest = rest.strip_prefix('.').ok_or_else(invalid)?;
        let (minor, rest) = cut_int(rest).ok_or_else(invalid)?;
        v.minor = Some(minor);
        if rest.is_empty() {
            if !(major == 1 && minor >= 21 || major > 1) {
                v.patch = Some(0);
            }
            return Ok(v);
        }
        if let Some(rest) = rest.strip_prefix('.') {
            // Go never had pre-releases of patch releases, and refuses them.
            let (patch, rest) = cut_int(rest).ok_or_else(invalid)?;
            if !rest.is_empty() {
                return Err(invalid());
            }
            v.patch = Some(patch);
            return Ok(v);
        }
        let kind_len = rest.bytes().take_while(|b| !b.is_ascii_digit()).count();
        let (kind, rest) = rest.split_at(kind_len);
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(invalid());
        }
        v.kind = kind.to_string();
        if !rest.is_empty() {
            let (pre, rest) = cut_int(rest).ok_or_else(invalid)?;
            if !rest.is_empty() {
                return Err(invalid());
            }
            v.pre = Some(pre);
        }
        Ok(v)
    }

    /// The version as written, without the `go` prefix: `1.22.10`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The toolchain name Go uses: `go1.22.10`.
    pub fn go_name(&self) -> String {
        format!("go{}", self.text)
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor.unwrap_or(0)
    }

    pub fn patch(&self) -> Option<u64> {
        self.patch
    }

    /// Alpha, beta and rc builds are pre-releases.
    pub fn is_prerelease(&self) -> bool {
        !self.kind.is_empty()
    }

    /// Could Go have released this? Go's version syntax takes any lowercase word as a
    /// pre-release kind (`1.2x` is valid to it), but its releases only ever used `alpha`,
    /// `beta` and `rc`, always with a number: what a person pinning a version may write.
    pub fn is_release_name(&self) -> bool {
        self.kind.is_empty()
            || (matches!(self.kind.as_str(), "alpha" | "beta" | "rc") && self.pre.is_some())
    }

    /// A bare language version such as `1.22` (>= 1.21): it names no toolchain.
    pub fn is_language_version(&self) -> bool {
        self.patch.is_none() && self.kind.is_empty()
    }

    /// The language version (`1.22`) this version belongs to.
    pub fn language(&self) -> (u64, u64) {
        (self.major, self.minor())
    }

    /// The release Go would need at minimum for a go.mod `go` line of this version:
    /// `go 1.22` needs go1.22.0 (the go command appends `.0` itself).
    pub fn minimum_toolchain(&self) -> Version {
        if self.is_language_version() {
            Version::parse(&format!("{}.{}.0", self.major, self.minor()))
                .unwrap_or_else(|_| self.clone())
        } else {
            self.clone()
        }
    }

    fn key(&self) -> (u64, u64, Option<u64>, &str, Option<u64>) {
        (
            self.major,
            self.minor.unwrap_or(0),
            self.patch,
            self.kind.as_str(),
            self.pre,
        )
    }
}

/// Go's `cutInt`: a run of digits without a leading zero.
fn cut_int(s: &str) -> Option<(u64, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || (len > 1 && s.starts_with('0')) {
        return None;
    }
    let (digits, rest) = s.split_at(len);
    Some((digits.parse().ok()?, rest))
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// `Option` orders `None` first, which is exactly Go's rule that a missing patch or
    /// pre-release number sorts before any number; the empty kind sorts before `alpha`.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// What a user asks for: on the command line, in `.go-version`, in `GV_VERSION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// A toolchain named in full: `1.22.3`, `1.21rc1`, `1.20` (= 1.20.0 before 1.21).
    Exact(Version),
    /// `1` or `1.22` (or `22`, as goenv reads it: 1.22): the newest matching version,
    /// stable preferred.
    Prefix { major: u64, minor: Option<u64> },
    /// The newest stable version.
    Latest,
    /// The `go` found on PATH outside gv's directories.
    System,
    /// At least this version: what a go.mod `go` line asks for. Never parsed from text.
    AtLeast(Version),
}

impl Spec {
    pub fn parse(input: &str) -> Result<Spec, VersionError> {
        let text = input.trim();
        match text {
            "latest" | "stable" => return Ok(Spec::Latest),
            "system" => return Ok(Spec::System),
            _ => {}
        }
        let bare = text.strip_prefix("go").unwrap_or(text);
        let version =
            Version::parse(bare).map_err(|_| VersionError::InvalidSpec(input.to_string()))?;
        let dots = bare.split('-').next().unwrap_or("").matches('.').count();
        let plain_numbers = !version.is_prerelease() && !bare.contains('-');
        Ok(match dots {
            // goenv reads a bare `22` as 1.22 (Go has no major version 22).
            0 if plain_numbers && version.major >= 2 => Spec::Prefix {
                major: 1,
                minor: Some(version.major),
            },
            0 if plain_numbers => Spec::Prefix {
                major: version.major,
                minor: None,
            },
            1 if plain_numbers => Spec::Prefix {
                major: version.major,
                minor: Some(version.minor()),
            },
            _ => Spec::Exact(version),
        })
    }

    /// The spec to install for this one: a go.mod minimum (`go 1.22`, at least 1.22.0)
    /// installs the newest release of its series, as `gv install 1.22` does (a
    /// pre-release minimum installs exactly that); `system` is nothing gv installs.
    pub fn for_install(&self) -> Option<Spec> {
        Some(match self {
            Spec::System => return None,
            Spec::AtLeast(min) if !min.is_prerelease() => Spec::Prefix {
                major: min.major(),
                minor: Some(min.minor()),
            },
            Spec::AtLeast(min) => Spec::Exact(min.clone()),
            other => other.clone(),
        })
    }

    /// Does `v` satisfy this spec? `System` matches no managed version.
    pub fn matches(&self, v: &Version) -> bool {
        match self {
            Spec::Exact(want) => want == v,
            Spec::Prefix { major, minor } => {
                v.major == *major && minor.is_none_or(|m| v.minor() == m)
            }
            Spec::Latest => !v.is_prerelease(),
            Spec::System => false,
            Spec::AtLeast(min) => v >= min,
        }
    }

    /// The best version among `candidates` for this spec: the newest match, stable
    /// releases preferred over pre-releases.
    pub fn best_match<'a, I>(&self, candidates: I) -> Option<&'a Version>
    where
        I: IntoIterator<Item = &'a Version>,
    {
        let mut best_stable: Option<&Version> = None;
        let mut best_any: Option<&Version> = None;
        for v in candidates.into_iter().filter(|v| self.matches(v)) {
            if !v.is_prerelease() && best_stable.is_none_or(|b| v > b) {
                best_stable = Some(v);
            }
            if best_any.is_none_or(|b| v > b) {
                best_any = Some(v);
            }
        }
        best_stable.or(best_any)
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Exact(v) => write!(f, "{v}"),
            Spec::Prefix {
                major,
                minor: Some(m),
            } => write!(f, "{major}.{m}"),
            Spec::Prefix { major, minor: None } => write!(f, "{major}"),
            Spec::Latest => f.write_str("latest"),
            Spec::System => f.write_str("system"),
            Spec::AtLeast(min) => write!(f, ">={min}"),
        }
    }
}

impl FromStr for Spec {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Spec::parse(s)
    }
}

/// The version a toolchain name stands for (`go1.22.10`, `go1.22.10-bigcorp`), as Go's
/// `gover.FromToolchain` reads it; `None` for anything else. A language version
/// (`go1.22`) is a valid name here, as in Go, which only finds out it names no release
/// when it tries to fetch it.
pub fn from_toolchain(name: &str) -> Option<Version> {
    if name.contains(['/', '\\']) {
        return None;
    }
    let rest = name.strip_prefix("go")?;
    let end = rest.find([' ', '\t', '-']).unwrap_or(rest.len());
    Version::parse(&rest[..end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Pairs (x, y) with x < y under Go's go/version.Compare, taken from Go's own
    /// gover tests and release history.
    const LESS: &[(&str, &str)] = &[
        ("1", "1.1"),
        ("1.0", "1.1"),
        ("1.5", "1.6"),
        ("1.9", "1.10"),
        ("1.19", "1.20"),
        ("1.19.13", "1.20"),
        ("1.20rc1", "1.20"),
        ("1.20beta1", "1.20rc1"),
        ("1.20rc1", "1.20rc2"),
        ("1.20", "1.20.1"),
        ("1.20.14", "1.21"),
        ("1.21", "1.21rc1"),
        ("1.21", "1.21.0"),
        ("1.21rc1", "1.21rc2"),
        ("1.21rc2", "1.21.0"),
        ("1.21.0", "1.21.1"),
        ("1.21.9", "1.21.10"),
        ("1.21.10", "1.22"),
        ("1.21alpha1", "1.21beta1"),
        ("1.21beta1", "1.21rc1"),
        ("1.21beta1", "1.21beta2"),
        ("1.22", "1.22rc1"),
        ("1.22rc1", "1.22.0"),
        ("1.22.0", "1.22.3"),
        ("1.22.3", "1.22.10"),
        ("1.22.10", "1.23rc1"),
        ("1.23rc2", "1.23.0"),
        ("1.23.9", "1.24"),
        ("1.99", "2"),
        ("1.99.99", "2.0"),
        ("1.21rc", "1.21rc1"),
        ("1.21", "1.21alpha"),
        ("1.9.7", "1.10beta1"),
        ("1.22.3-bigcorp", "1.22.4"),
    ];

    const EQUAL: &[(&str, &str)] = &[
        ("1.20", "1.20.0"),
        ("1", "1.0.0"),
        ("1.19", "1.19.0"),
        ("go1.22.3", "1.22.3"),
        ("1.22.3-bigcorp", "1.22.3"),
        ("1.22.10-bigcorp", "go1.22.10-othercorp"),
    ];

    #[test]
    fn ordering_matches_go() {
        for (x, y) in LESS {
            assert!(v(x) < v(y), "{x} < {y}");
            assert!(v(y) > v(x), "{y} > {x}");
            assert_ne!(v(x), v(y), "{x} != {y}");
        }
        for (x, y) in EQUAL {
            assert_eq!(v(x), v(y), "{x} == {y}");
            assert_eq!(v(x).cmp(&v(y)), Ordering::Equal);
        }
        assert!(LESS.len() + EQUAL.len() >= 30);
    }

    #[test]
    fn sorting_a_release_list() {
        let mut list: Vec<Version> = [
            "1.22.0", "1.21.0", "1.21rc2", "1.20", "1.21", "1.20rc1", "1.22rc1", "1.21.10",
            "1.21.9",
        ]
        .iter()
        .map(|s| v(s))
        .collect();
        list.sort();
        let names: Vec<&str> = list.iter().map(Version::as_str).collect();
        assert_eq!(
            names,
            [
                "1.20rc1", "1.20", "1.21", "1.21rc2", "1.21.0", "1.21.9", "1.21.10", "1.22rc1",
                "1.22.0"
            ]
        );
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "",
            "go",
            "1.",
            "1.22.",
            ".1",
            "01.22",
            "1.022",
            "1.22.03",
            "1.21.3rc1",
            "1.21RC1",
            "1.21rc01",
            "1.21rc1x",
            "-1.21",
            "1..2",
            "1.2.3.4",
            "v1.22",
            "latest1",
            "1.22 3",
            "1.9.2rc2",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        // Go cuts at the first '-' before parsing, so an empty suffix is still valid.
        assert!(Version::parse("1.21-").is_ok());
    }

    /// A version names a directory, a lock file and a cache entry: a suffix from a hostile
    /// index or pin file must not carry a path.
    #[test]
    fn suffixes_cannot_name_paths() {
        for bad in [
            "go1.22.66-A/../../elsewhere/y",
            "1.22.3-a b",
            "1.22.3-x\\y",
            "1.22.3-\u{1b}]52",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Version::parse("1.22.3-corp_2.x-y").is_ok());
    }

    #[test]
    fn accepts_prefixes_and_suffixes() {
        assert_eq!(v("go1.22.3").as_str(), "1.22.3");
        assert_eq!(v("go1.22.3").go_name(), "go1.22.3");
        assert_eq!(v("1.22.10-bigcorp").as_str(), "1.22.10-bigcorp");
        assert!(v("1.23rc1").is_prerelease());
        assert!(v("1.22").is_language_version());
        assert!(
            !v("1.20").is_language_version(),
            "1.20 is the release go1.20"
        );
        assert_eq!(v("1.22").minimum_toolchain().as_str(), "1.22.0");
        assert_eq!(v("1.22.3").minimum_toolchain().as_str(), "1.22.3");
    }

    #[test]
    fn specs() {
        assert_eq!(Spec::parse("latest").unwrap(), Spec::Latest);
        assert_eq!(Spec::parse("system").unwrap(), Spec::System);
        assert_eq!(
            Spec::parse("1.22").unwrap(),
            Spec::Prefix {
                major: 1,
                minor: Some(22)
            }
        );
        assert_eq!(
            Spec::parse("go1").unwrap(),
            Spec::Prefix {
                major: 1,
                minor: None
            }
        );
        assert_eq!(
            Spec::parse("22").unwrap(),
            Spec::parse("1.22").unwrap(),
            "as goenv reads it"
        );
        assert_eq!(Spec::parse("1.22.3").unwrap(), Spec::Exact(v("1.22.3")));
        assert_eq!(Spec::parse("1.23rc1").unwrap(), Spec::Exact(v("1.23rc1")));
        assert!(Spec::parse("1.22.x").is_err());
        assert!(Spec::parse("newest").is_err());
    }

    #[test]
    fn best_match_prefers_newest_stable() {
        let set: Vec<Version> = ["1.21.13", "1.22.3", "1.22.10", "1.23rc1", "1.22rc2", "1.20"]
            .iter()
            .map(|s| v(s))
            .collect();
        let best = |s: &str| {
            Spec::parse(s)
                .unwrap()
                .best_match(&set)
                .map(|v| v.as_str().to_string())
        };
        assert_eq!(best("1.22").as_deref(), Some("1.22.10"));
        assert_eq!(
            best("1.23").as_deref(),
            Some("1.23rc1"),
            "pre-release as fallback"
        );
        assert_eq!(best("1").as_deref(), Some("1.22.10"));
        assert_eq!(best("latest").as_deref(), Some("1.22.10"));
        assert_eq!(best("1.20").as_deref(), Some("1.20"));
        assert_eq!(best("1.20.0").as_deref(), Some("1.20"), "1.20 == 1.20.0");
        assert_eq!(best("1.22.4"), None);
        assert_eq!(best("system"), None);
    }
}
