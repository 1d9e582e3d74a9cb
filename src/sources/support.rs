//! Which Go minor lines are still supported, from the release index: the two newest
//! lines among its stable releases (go.dev's own `?mode=json` lists exactly the newest
//! release of each; Go supports a line until two newer ones exist). The index's `stable`
//! flag only means "not a beta or rc" — go1.9.7 is `stable` too — so it never means
//! supported on its own.

use gv_core::Version;

use crate::sources::index::Index;

/// The supported minor lines, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    pub lines: Vec<(u64, u64)>,
}

impl Support {
    /// From an index; `None` when it holds no stable release at all.
    pub fn from_index(index: &Index) -> Option<Support> {
        Support::from_releases(
            index
                .releases
                .iter()
                .filter(|r| r.stable && !r.version.is_prerelease())
                .map(|r| &r.version),
        )
    }

    pub fn from_releases<'a>(stable: impl Iterator<Item = &'a Version>) -> Option<Support> {
        let mut lines: Vec<(u64, u64)> = stable.map(Version::language).collect();
        lines.sort_unstable_by(|a, b| b.cmp(a));
        lines.dedup();
        lines.truncate(2);
        (!lines.is_empty()).then_some(Support { lines })
    }

    /// Is `version`'s line supported? A line newer than every stable release (a release
    /// candidate of the next one) is.
    pub fn covers(&self, version: &Version) -> bool {
        self.lines
            .last()
            .is_some_and(|oldest| version.language() >= *oldest)
    }

    /// `1.25 and 1.24`, for messages.
    pub fn describe(&self) -> String {
        let names: Vec<String> = self.lines.iter().map(|(a, b)| format!("{a}.{b}")).collect();
        names.join(" and ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support(versions: &[&str]) -> Option<Support> {
        let parsed: Vec<Version> = versions
            .iter()
            .map(|v| Version::parse(v).unwrap())
            .collect();
        Support::from_releases(parsed.iter())
    }

    #[test]
    fn the_two_newest_stable_lines_are_supported() {
        let s = support(&["1.23.9", "1.23.1", "1.22.10", "1.21.13", "1.9.7"]).unwrap();
        assert_eq!(s.lines, [(1, 23), (1, 22)]);
        assert_eq!(s.describe(), "1.23 and 1.22");
        let v = |t: &str| Version::parse(t).unwrap();
        assert!(s.covers(&v("1.22.3")) && s.covers(&v("1.23.9")) && s.covers(&v("1.24rc1")));
        assert!(!s.covers(&v("1.21.13")) && !s.covers(&v("1.9.7")));
        assert!(support(&[]).is_none());
    }
}
