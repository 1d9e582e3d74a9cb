//! What `gv local --latest-patch` and `gv global --latest-patch` decide: the newest patch
//! release of the minor line a pin is on, whether that line is still supported, and the
//! pin file's new text. A pin is a security decision nobody revisits (a `.go-version` of
//! 1.22.3 keeps building with fixes released since); this moves it in one step.
//!
//! Supported lines follow Go's policy (`sources::support`): the two newest minor lines
//! among the index's stable releases.

use std::fmt;

use gv_core::error::Hinted;
use gv_core::{Spec, Version};

use crate::sources::index::Index;
use crate::sources::support::Support;

/// A minor line of Go releases, `1.22`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    pub major: u64,
    pub minor: u64,
}

impl Line {
    pub fn of(version: &Version) -> Line {
        let (major, minor) = version.language();
        Line { major, minor }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The supported minor lines, newest first (the rule is [`Support`]'s, which the
/// vulnerability marks share).
pub fn supported_lines(index: &Index) -> Vec<Line> {
    Support::from_index(index)
        .map(|support| support.lines)
        .unwrap_or_default()
        .into_iter()
        .map(|(major, minor)| Line { major, minor })
        .collect()
}

/// The newest stable release of `line` the index lists.
pub fn newest_patch(index: &Index, line: Line) -> Option<&Version> {
    index
        .releases
        .iter()
        .filter(|r| r.stable && !r.version.is_prerelease() && Line::of(&r.version) == line)
        .map(|r| &r.version)
        .max()
}

/// What a pin's first entry becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The entry as the file has it.
    pub from: Spec,
    /// The newest patch of its line: what is installed, and what the pin selects after.
    pub to: Version,
    pub line: Line,
    pub change: Change,
    /// The supported lines, newest first.
    pub supported: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The entry is rewritten as this version.
    Write,
    /// Already the newest patch (or newer than any the index lists).
    AlreadyNewest,
    /// A `1.22` entry, which selects the newest installed 1.22.x: it stays as written.
    Floats,
}

impl Move {
    pub fn is_supported(&self) -> bool {
        self.supported.contains(&self.line)
    }
}

/// Decides where the first entry of `specs` (a pin file's entries) moves, by `index`.
pub fn decide(specs: &[Spec], index: &Index) -> Result<Move, Hinted> {
    let Some(first) = specs.first() else {
        return Err(Hinted::new(
            "the pin names no version",
            "pin one with `gv local 1.22`",
        ));
    };
    let line = match first {
        Spec::Exact(v) => Line::of(v),
        Spec::Prefix {
            major,
            minor: Some(minor),
        } => Line {
            major: *major,
            minor: *minor,
        },
        other => {
            return Err(Hinted::new(
                format!("`{other}` is on no minor line, so it has no newest patch"),
                "pin a version such as 1.22.3 or 1.22 first (`gv local 1.22`)",
            ));
        }
    };
    let Some(newest) = newest_patch(index, line) else {
        return Err(Hinted::new(
            format!(
                "the release index ({}) has no stable Go {line} release, so `{first}` has no newest patch",
                index.url
            ),
            "`gv ls-remote` lists the releases; pin one of them (`gv local 1.22`)",
        ));
    };
    let (to, change) = match first {
        Spec::Exact(v) if v == newest => (v.clone(), Change::AlreadyNewest),
        Spec::Exact(v) if v > newest && !v.is_prerelease() => (v.clone(), Change::AlreadyNewest),
        Spec::Exact(_) => (newest.clone(), Change::Write),
        _ => (newest.clone(), Change::Floats),
    };
    Ok(Move {
        from: first.clone(),
        to,
        line,
        change,
        supported: supported_lines(index),
    })
}

/// `text` (a version file that [`gv_core::pinfile::parse_go_version`] reads with nothing
/// skipped) with its first entry replaced by `new`; every other byte — the other entries
/// of a goenv list (`1.22.3:1.21.13`), more lines, comments, line ends — as it was.
pub fn replace_first_entry(text: &str, new: &str) -> Option<String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The reader takes the first word of each line that is not a comment; a word of
    // colons only names nothing, and the search goes on.
    let (from, to) = body
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| !word.starts_with('#'))
        .find_map(|word| first_entry(text, std::iter::once(word)))?;
    Some(format!("{}{new}{}", &text[..from], &text[to..]))
}

/// `text` (an asdf `.tool-versions` that [`gv_core::pinfile::parse_tool_versions`] reads
/// with nothing skipped) with the first version of its `golang` line replaced by `new`;
/// the other tools, the fallbacks after it and the comments as they were.
pub fn replace_first_tool_version(text: &str, new: &str) -> Option<String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = body.lines().find(|line| {
        let code = line.split_once('#').map_or(*line, |(code, _)| code);
        matches!(code.split_whitespace().next(), Some("golang" | "go"))
    })?;
    let code = line.split_once('#').map_or(line, |(code, _)| code);
    let (from, to) = first_entry(text, code.split_whitespace().skip(1))?;
    Some(format!("{}{new}{}", &text[..from], &text[to..]))
}

/// Where in `text` the first non-empty `:`-separated entry of `words` (slices of `text`)
/// is, as a byte range.
fn first_entry<'a>(text: &str, words: impl Iterator<Item = &'a str>) -> Option<(usize, usize)> {
    for word in words {
        let lead = word.len() - word.trim_start_matches(':').len();
        if let Some(entry) = word[lead..].split(':').next().filter(|e| !e.is_empty()) {
            // `word` lies inside `text`: its offset is the distance between the two.
            let at = word.as_ptr() as usize - text.as_ptr() as usize + lead;
            return Some((at, at + entry.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::index::{Freshness, Release};

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn index(releases: &[&str]) -> Index {
        Index {
            url: "https://go.dev/dl/?mode=json&include=all".into(),
            releases: releases
                .iter()
                .map(|r| Release {
                    version: v(r),
                    stable: !v(r).is_prerelease(),
                    files: Vec::new(),
                })
                .collect(),
            skipped: Vec::new(),
            freshness: Freshness::Fetched,
        }
    }

    fn spec(s: &str) -> Spec {
        Spec::parse(s).unwrap()
    }

    const RELEASES: &[&str] = &[
        "1.24rc1", "1.23.9", "1.23.0", "1.22.10", "1.22.3", "1.21.13", "1.9.7",
    ];

    #[test]
    fn the_two_newest_stable_lines_are_supported_and_an_rc_is_not_one() {
        let idx = index(RELEASES);
        let lines: Vec<String> = supported_lines(&idx)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(lines, ["1.23", "1.22"]);
        // `stable` is true for 1.9.7 too: it says nothing about support.
        assert!(
            idx.releases
                .iter()
                .any(|r| r.version == v("1.9.7") && r.stable)
        );
    }

    #[test]
    fn a_pin_moves_to_the_newest_patch_of_its_line() {
        let idx = index(RELEASES);
        let moved = decide(&[spec("1.22.3")], &idx).unwrap();
        assert_eq!(moved.to, v("1.22.10"));
        assert_eq!(moved.change, Change::Write);
        assert!(moved.is_supported());

        let same = decide(&[spec("1.22.10"), spec("1.21.13")], &idx).unwrap();
        assert_eq!(same.change, Change::AlreadyNewest);

        let floats = decide(&[spec("1.22")], &idx).unwrap();
        assert_eq!((floats.change, floats.to), (Change::Floats, v("1.22.10")));

        let old = decide(&[spec("1.21.2")], &idx).unwrap();
        assert_eq!(old.to, v("1.21.13"));
        assert!(!old.is_supported());

        // An rc moves to its line's first stable patches once there are some.
        assert_eq!(decide(&[spec("1.23rc1")], &idx).unwrap().to, v("1.23.9"));
        // Newer than the index knows (a stale cache): left alone.
        assert_eq!(
            decide(&[spec("1.23.10")], &idx).unwrap().change,
            Change::AlreadyNewest
        );
    }

    #[test]
    fn pins_on_no_line_or_an_unreleased_one_are_refused() {
        let idx = index(RELEASES);
        for (pin, says) in [
            ("1.99.3", "no stable Go 1.99 release"),
            ("1.24rc1", "no stable Go 1.24 release"),
            ("latest", "on no minor line"),
            ("system", "on no minor line"),
            ("1", "on no minor line"),
        ] {
            let err = decide(&[spec(pin)], &idx).unwrap_err();
            assert!(err.to_string().contains(says), "{pin}: {err}");
        }
    }

    #[test]
    fn only_the_first_entry_is_replaced() {
        for (text, want) in [
            ("1.22.3\n", "1.22.10\n"),
            ("1.22.3", "1.22.10"),
            ("go1.22.3\r\n", "1.22.10\r\n"),
            ("go-1.22.3:1.21.13\n", "1.22.10:1.21.13\n"),
            (":1.22.3:1.21.13\n", ":1.22.10:1.21.13\n"),
            ("::\n1.22.3\n", "::\n1.22.10\n"),
            (
                "\u{feff}# pinned\n\n  1.22.3  # why\n1.21.13\n",
                "\u{feff}# pinned\n\n  1.22.10  # why\n1.21.13\n",
            ),
        ] {
            assert_eq!(
                replace_first_entry(text, "1.22.10").as_deref(),
                Some(want),
                "{text:?}"
            );
        }
        assert_eq!(replace_first_entry("# nothing\n\n", "1.22.10"), None);
    }

    #[test]
    fn only_the_first_go_version_of_a_tool_versions_file_is_replaced() {
        for (text, want) in [
            ("golang 1.22.3\n", "golang 1.22.10\n"),
            (
                "nodejs 20.1.0\n# go 1.21.0\ngolang  1.22.3 1.21.13  # CI\npython 3.12.0\n",
                "nodejs 20.1.0\n# go 1.21.0\ngolang  1.22.10 1.21.13  # CI\npython 3.12.0\n",
            ),
            ("go go1.22.3:1.21.13\r\n", "go 1.22.10:1.21.13\r\n"),
        ] {
            assert_eq!(
                replace_first_tool_version(text, "1.22.10").as_deref(),
                Some(want),
                "{text:?}"
            );
        }
        assert_eq!(
            replace_first_tool_version("nodejs 20.1.0\n", "1.22.10"),
            None
        );
    }

    mod generated {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(crate::test_config::proptest())]

            /// Whatever a version file holds, the replacement never panics, and what it
            /// writes reads back with the new version first and the rest unchanged.
            #[test]
            fn a_replaced_file_reads_back_with_the_new_first_entry(
                text in "[ \t\r\n#:a-z0-9.\u{feff}-]{0,60}",
            ) {
                let before = gv_core::pinfile::parse_go_version(&text);
                let replaced = replace_first_entry(&text, "1.22.10");
                if before.skipped.is_empty() && !before.specs.is_empty() {
                    prop_assert!(replaced.is_some(), "{:?}", text);
                }
                if let Some(after) = replaced {
                    let read = gv_core::pinfile::parse_go_version(&after);
                    if before.skipped.is_empty() && !before.specs.is_empty() {
                        prop_assert_eq!(&read.specs[0], &Spec::parse("1.22.10").unwrap());
                        prop_assert_eq!(&read.specs[1..], &before.specs[1..]);
                        prop_assert!(read.skipped.is_empty());
                    }
                }
            }

            /// The same for `.tool-versions`: the golang line's first version changes,
            /// nothing else a reader sees does.
            #[test]
            fn a_replaced_tool_versions_file_reads_back_with_the_new_first_version(
                text in "(golang|go|nodejs|[ \t\r\n#:a-z0-9.\u{feff}-]){0,20}",
            ) {
                let before = gv_core::pinfile::parse_tool_versions(&text);
                let replaced = replace_first_tool_version(&text, "1.22.10");
                if let Some(before) = before.filter(|b| b.skipped.is_empty() && !b.specs.is_empty()) {
                    let after = replaced.expect("a replacement");
                    let read = gv_core::pinfile::parse_tool_versions(&after).expect("a golang line");
                    prop_assert_eq!(&read.specs[0], &Spec::parse("1.22.10").unwrap());
                    prop_assert_eq!(&read.specs[1..], &before.specs[1..]);
                    prop_assert!(read.skipped.is_empty());
                }
            }
        }
    }
}
