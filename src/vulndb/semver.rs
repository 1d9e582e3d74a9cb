//! Versions as the Go vulnerability database writes them — semver without the `v`
//! (`1.22.4`, `1.22.0-0`, `1.27.0-rc.3`) — and Go's release names turned into them the
//! way govulncheck does (`go1.22.3` → `1.22.3`, `go1.22rc1` → `1.22.0-rc.1`), compared
//! by semver's rules, prereleases included: `1.22.0-0 < 1.22.0-rc.1 < 1.22.0`.

use std::cmp::Ordering;
use std::fmt;

/// One semver version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Dot-separated prerelease identifiers (`rc`, `1`); empty for a release.
    pub pre: Vec<Ident>,
}

/// A prerelease identifier: numeric ones sort before alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ident {
    Num(u64),
    Alpha(String),
}

impl Semver {
    /// Parses `1.22.4`, `v1.22.4`, `1.22.0-rc.1` (a `+build` part is ignored, as semver
    /// says). `None` for anything else.
    pub fn parse(text: &str) -> Option<Semver> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.split_once('+').map_or(text, |(core, _)| core);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let mut nums = core.split('.');
        let mut num = || -> Option<u64> {
            let part = nums.next()?;
            let plain = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if plain { part.parse().ok() } else { None }
        };
        let (major, minor, patch) = (num()?, num()?, num()?);
        if nums.next().is_some() {
            return None;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else if id.bytes().all(|b| b.is_ascii_digit()) {
                        id.parse().ok().map(Ident::Num)
                    } else {
                        Some(Ident::Alpha(id.to_string()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(Semver {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// govulncheck's `GoTagToSemver` for a Go version gv knows: `1.22.3` → `1.22.3`,
    /// `1.22rc1` → `1.22.0-rc.1`, `1.20` → `1.20.0`. A `-suffix` (`1.22.10-bigcorp`) is
    /// the release it builds on. Pre-release kinds other than `beta` and `rc` have no
    /// semver form: `None`, which the database never calls affected.
    pub fn of_go(version: &gv_core::Version) -> Option<Semver> {
        let text = version.as_str();
        let text = text.split_once('-').map_or(text, |(core, _)| core);
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let (major, rest) = text.split_at(digits(text));
        let major = major.parse().ok()?;
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        let (minor, rest) = rest.split_at(digits(rest));
        let minor = if minor.is_empty() {
            0
        } else {
            minor.parse().ok()?
        };
        let mut out = Semver {
            major,
            minor,
            patch: 0,
            pre: Vec::new(),
        };
        if rest.is_empty() {
            return Some(out);
        }
        if let Some(patch) = rest.strip_prefix('.') {
            out.patch = patch.parse().ok()?;
            return Some(out);
        }
        let kind_len = rest.bytes().take_while(|b| !b.is_ascii_digit()).count();
        let (kind, n) = rest.split_at(kind_len);
        if !matches!(kind, "rc" | "beta") || n.is_empty() {
            return None;
        }
        out.pre = vec![Ident::Alpha(kind.to_string()), Ident::Num(n.parse().ok()?)];
        Some(out)
    }

    /// The Go release this names, in gv's spelling (`1.22.4`, `1.20`, `1.26rc3`):
    /// govulncheck's `SemverToGoTag`.
    pub fn go_version(&self) -> String {
        let (major, minor, patch) = (self.major, self.minor, self.patch);
        match self.pre.as_slice() {
            [Ident::Alpha(kind), Ident::Num(n)] if patch == 0 => {
                format!("{major}.{minor}{kind}{n}")
            }
            [] if patch == 0 && (major, minor) < (1, 21) => format!("{major}.{minor}"),
            [] => format!("{major}.{minor}.{patch}"),
            _ => self.to_string(),
        }
    }

    /// The minor line (`1.22`).
    pub fn line(&self) -> (u64, u64) {
        (self.major, self.minor)
    }
}

impl Ord for Semver {
    fn cmp(&self, other: &Semver) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A prerelease comes before its release.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Semver) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                Ident::Num(n) => write!(f, "{n}")?,
                Ident::Alpha(s) => f.write_str(s)?,
            }
        }
        Ok(())
    }
}

/// One event of an OSV `SEMVER` range. `None` is before every version: `introduced:
/// "0"`, and (as Go's semver package orders them) a version that is not valid semver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Introduced(Option<Semver>),
    Fixed(Option<Semver>),
}

impl Event {
    fn at(&self) -> Option<&Semver> {
        match self {
            Event::Introduced(v) | Event::Fixed(v) => v.as_ref(),
        }
    }
}

/// `a < b` where `None` is before everything.
fn before(a: Option<&Semver>, b: Option<&Semver>) -> bool {
    match (a, b) {
        (None, other) => other.is_some(),
        (Some(_), None) => false,
        (Some(a), Some(b)) => a < b,
    }
}

/// govulncheck's `ContainsSemver` for one range: the events sorted (the beginning of
/// time first, then by version), walked as half-open `[introduced, fixed)` intervals.
pub fn range_contains(events: &[Event], v: &Semver) -> bool {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| {
        let (x, y) = (a.at(), b.at());
        if before(x, y) {
            Ordering::Less
        } else if before(y, x) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    let mut affected = false;
    for event in sorted {
        match event {
            Event::Introduced(at) if !affected => affected = !before(Some(v), at.as_ref()),
            Event::Fixed(at) if affected => affected = before(Some(v), at.as_ref()),
            _ => {}
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Semver {
        Semver::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn go(text: &str) -> Option<String> {
        Semver::of_go(&gv_core::Version::parse(text).unwrap()).map(|v| v.to_string())
    }

    /// govulncheck's GoTagToSemver table, as gv's versions spell the tags.
    #[test]
    fn go_versions_become_semver_as_govulncheck_makes_them() {
        assert_eq!(go("1.22.3").as_deref(), Some("1.22.3"));
        assert_eq!(go("1.22rc1").as_deref(), Some("1.22.0-rc.1"));
        assert_eq!(go("1.21beta2").as_deref(), Some("1.21.0-beta.2"));
        assert_eq!(go("1.21.0").as_deref(), Some("1.21.0"));
        assert_eq!(go("1.20").as_deref(), Some("1.20.0"));
        assert_eq!(go("1").as_deref(), Some("1.0.0"));
        assert_eq!(go("1.22.10-bigcorp").as_deref(), Some("1.22.10"));
        assert_eq!(go("1.22alpha1"), None, "no semver form: never affected");
        assert_eq!(s("1.20.0").go_version(), "1.20");
        assert_eq!(s("1.21.0").go_version(), "1.21.0");
        assert_eq!(s("1.26.0-rc.3").go_version(), "1.26rc3");
        assert_eq!(s("1.22.4").go_version(), "1.22.4");
    }

    #[test]
    fn prereleases_sort_before_their_release_and_zero_before_rc() {
        assert!(s("1.22.0-0") < s("1.22.0-rc.1"));
        assert!(s("1.22.0-rc.1") < s("1.22.0-rc.2"));
        assert!(s("1.22.0-beta.1") < s("1.22.0-rc.1"));
        assert!(s("1.22.0-rc.2") < s("1.22.0"));
        assert!(s("1.21.13") < s("1.22.0-0"));
        assert!(s("1.22.9") < s("1.22.10"));
        for bad in [
            "1.22",
            "01.2.3",
            "1.2.3-",
            "1.2.3-a..b",
            "x",
            "1.2.3.4",
            "1.2.3-é",
        ] {
            assert!(Semver::parse(bad).is_none(), "{bad}");
        }
    }

    /// A real stdlib range: `introduced 0, fixed 1.21.11, introduced 1.22.0-0, fixed
    /// 1.22.4` (in any order: the events are sorted first).
    #[test]
    fn ranges_are_half_open_intervals() {
        let events = vec![
            Event::Introduced(Some(s("1.22.0-0"))),
            Event::Fixed(Some(s("1.22.4"))),
            Event::Introduced(None),
            Event::Fixed(Some(s("1.21.11"))),
        ];
        let hit = |v: &str| range_contains(&events, &s(v));
        assert!(hit("1.21.10") && hit("1.22.0-rc.1") && hit("1.22.3"));
        assert!(!hit("1.21.11") && !hit("1.21.13") && !hit("1.22.4") && !hit("1.23.0"));
        assert!(
            !range_contains(&[], &s("1.22.3")),
            "no events: nothing inside"
        );
    }
}
