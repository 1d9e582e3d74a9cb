//! Which Go versions a delve release can debug, and whether a given `dlv` can debug a
//! given Go.
//!
//! The ranges are facts from delve's own `pkg/goversion/compat.go` at each release tag
//! (`MinSupportedVersionOfGoMinor` / `MaxSupportedVersionOfGoMinor`; before v1.4.0 the
//! lower-case `minSupportedVersionOfGoMinor` / `maxSupportedVersionOfGoMinor`). Delve
//! refuses a binary whose Go is below the minimum ("Go version ... is too old for this
//! version of Delve") or above the maximum ("Version of Delve is too old for Go version
//! ..."), comparing language versions only, so `1.24rc1` counts as 1.24. Since v1.24.2 it
//! also refuses DWARF 5 binaries (Go >= 1.25 writes DWARF 5) unless delve itself was built
//! with Go >= 1.25. Releases before v1.3.0 had no check at all.

use std::fmt;
use std::path::Path;
use std::process::Command;

use gv_core::Version;

use super::names::DELVE_MODULE;
use super::stale::{ModVersion, parse_go_version};
use crate::inspect::BuildInfo;

/// The package of the `dlv` command.
pub const DLV_PACKAGE: &str = "github.com/go-delve/delve/cmd/dlv";

/// One delve release and the Go language versions it accepts, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub delve: (u64, u64, u64),
    pub min_go: (u64, u64),
    pub max_go: (u64, u64),
}

const fn r(delve: (u64, u64, u64), min: u64, max: u64) -> Release {
    Release {
        delve,
        min_go: (1, min),
        max_go: (1, max),
    }
}

/// Every delve release with a version check, oldest first.
pub const RELEASES: &[Release] = &[
    r((1, 3, 0), 10, 13),
    r((1, 3, 1), 10, 13),
    r((1, 3, 2), 11, 13),
    r((1, 4, 0), 11, 14),
    r((1, 4, 1), 12, 14),
    r((1, 5, 0), 12, 15),
    r((1, 5, 1), 13, 15),
    r((1, 6, 0), 13, 16),
    r((1, 6, 1), 14, 16),
    r((1, 7, 0), 15, 17),
    r((1, 7, 1), 15, 17),
    r((1, 7, 2), 15, 17),
    r((1, 7, 3), 15, 17),
    r((1, 8, 0), 16, 18),
    r((1, 8, 1), 16, 18),
    r((1, 8, 2), 16, 18),
    r((1, 8, 3), 16, 18),
    r((1, 9, 0), 16, 19),
    r((1, 9, 1), 17, 19),
    r((1, 20, 0), 18, 20),
    r((1, 20, 1), 18, 20),
    r((1, 20, 2), 18, 20),
    r((1, 21, 0), 18, 21),
    r((1, 21, 1), 19, 21),
    r((1, 21, 2), 19, 21),
    r((1, 22, 0), 19, 22),
    r((1, 22, 1), 19, 22),
    r((1, 23, 0), 21, 23),
    r((1, 23, 1), 21, 23),
    r((1, 24, 0), 21, 24),
    r((1, 24, 1), 21, 24),
    r((1, 24, 2), 21, 24),
    r((1, 25, 0), 21, 24),
    r((1, 25, 1), 22, 25),
    r((1, 25, 2), 22, 25),
    r((1, 26, 0), 24, 26),
    r((1, 26, 1), 24, 26),
    r((1, 26, 2), 24, 26),
    r((1, 26, 3), 24, 26),
    r((1, 27, 0), 25, 27),
    r((1, 27, 1), 25, 27),
];

/// The first release that refuses DWARF 5 unless built with Go >= 1.25.
const DWARF5_CHECK_SINCE: (u64, u64, u64) = (1, 24, 2);
/// The first Go that writes DWARF 5.
const DWARF5_GO: (u64, u64) = (1, 25);

/// What gv knows about a `dlv` binary, from its build info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dlv {
    /// `v1.23.0`; `None` when the build info does not say (a `(devel)` build).
    pub version: Option<String>,
    /// The Go that built dlv.
    pub built_with: Option<Version>,
}

impl Dlv {
    /// What the build info of a `dlv` says, or `None` when the binary is not delve's
    /// `cmd/dlv`. A build without module information (Debian's, or one from a GOPATH
    /// checkout) records no version; [`Dlv::probe`] asks the binary then.
    pub fn from_build_info(info: &BuildInfo) -> Option<Dlv> {
        let module = info.main_module.as_deref().and_then(|m| m.split_once(' '));
        let is_delve = info.path.as_deref() == Some(DLV_PACKAGE)
            || module.is_some_and(|(path, _)| path == DELVE_MODULE);
        if !is_delve {
            return None;
        }
        Some(Dlv {
            version: module
                .map(|(_, v)| v)
                .filter(|v| *v != "(devel)")
                .map(str::to_string),
            built_with: parse_go_version(&info.go_version),
        })
    }

    /// The `dlv` at `path`: its build info, and when that records no version, the
    /// `Version: 1.20.2` line of `dlv version` (the user is about to run this binary
    /// anyway). `None` when it is not delve.
    pub fn probe(path: &Path) -> Option<Dlv> {
        let info = crate::inspect::build_info(path).ok().flatten()?;
        let mut dlv = Dlv::from_build_info(&info)?;
        if dlv.version.is_none() {
            dlv.version = Command::new(path)
                .arg("version")
                .stdin(std::process::Stdio::null())
                .output()
                .ok()
                .and_then(|out| version_line(&String::from_utf8_lossy(&out.stdout)));
        }
        Some(dlv)
    }
}

/// `v1.20.2` from `dlv version`'s output (`Version: 1.20.2`).
fn version_line(text: &str) -> Option<String> {
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Version:"))?
        .trim();
    let version = version.strip_prefix('v').unwrap_or(version);
    ModVersion::parse(&format!("v{version}")).map(|_| format!("v{version}"))
}

/// The answer to "can this dlv debug this Go?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok {
        range: Option<Release>,
    },
    /// Delve would refuse: the Go is newer than it supports.
    DelveTooOld {
        delve: String,
        go: String,
        max: (u64, u64),
    },
    /// Delve would refuse: the Go is older than it supports.
    GoTooOld {
        delve: String,
        go: String,
        min: (u64, u64),
    },
    /// Delve would refuse a DWARF 5 binary: dlv itself was built with an older Go.
    Dwarf5 {
        delve: String,
        built_with: String,
    },
    /// gv cannot tell (a delve newer than its table, or one with no version recorded);
    /// delve's own check still runs.
    Unknown {
        why: String,
    },
}

impl Verdict {
    /// Does gv know that delve cannot debug the binary?
    pub fn is_incompatible(&self) -> bool {
        matches!(
            self,
            Verdict::DelveTooOld { .. } | Verdict::GoTooOld { .. } | Verdict::Dwarf5 { .. }
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lang = |(a, b): (u64, u64)| format!("{a}.{b}");
        match self {
            Verdict::Ok { range: Some(r) } => write!(
                f,
                "delve supports Go {} to {}",
                lang(r.min_go),
                lang(r.max_go)
            ),
            Verdict::Ok { range: None } => f.write_str("delve supports this Go"),
            Verdict::DelveTooOld { delve, go, max } => write!(
                f,
                "delve {delve} is too old for Go {go}: it debugs Go up to {} (delve says \"Version of Delve is too old for Go version {go}\")",
                lang(*max)
            ),
            Verdict::GoTooOld { delve, go, min } => write!(
                f,
                "delve {delve} cannot debug Go {go}: it needs Go {} or newer (delve says \"Go version {go} is too old for this version of Delve\")",
                lang(*min)
            ),
            Verdict::Dwarf5 { delve, built_with } => write!(
                f,
                "delve {delve} was built with Go {built_with}, and a delve built with Go older than 1.25 cannot read the DWARF 5 that Go 1.25 and newer write"
            ),
            Verdict::Unknown { why } => f.write_str(why),
        }
    }
}

/// The release whose range applies to `version`: that release, or for a version between
/// releases (a pseudo-version of a development build) the newest release before it.
pub fn range_of(version: &ModVersion) -> Option<&'static Release> {
    RELEASES
        .iter()
        .rev()
        .find(|r| ModVersion::release(r.delve) <= *version)
}

/// Can `dlv` debug a binary built by Go `go`?
pub fn check(dlv: &Dlv, go: &Version) -> Verdict {
    let target = (go.major(), go.minor());
    let Some(text) = dlv.version.as_deref() else {
        return Verdict::Unknown {
            why: "its build info records no delve version (a build from a checkout), so gv cannot tell which Go it supports".into(),
        };
    };
    let Some(version) = ModVersion::parse(text) else {
        return Verdict::Unknown {
            why: format!("`{text}` is not a delve version gv can read"),
        };
    };
    let newest = RELEASES[RELEASES.len() - 1];
    let Some(release) = range_of(&version) else {
        return Verdict::Unknown {
            why: format!("delve {text} predates delve's own Go version check (v1.3.0)"),
        };
    };
    let beyond_table = version > ModVersion::release(newest.delve);
    if target < release.min_go {
        // Minimums never go down from one release to the next, so this holds for a delve
        // newer than the table too.
        return Verdict::GoTooOld {
            delve: text.to_string(),
            go: go.to_string(),
            min: release.min_go,
        };
    }
    if target > release.max_go {
        if beyond_table {
            return Verdict::Unknown {
                why: format!(
                    "delve {text} is newer than gv's table (up to v{}.{}.{}); delve's own check decides",
                    newest.delve.0, newest.delve.1, newest.delve.2
                ),
            };
        }
        return Verdict::DelveTooOld {
            delve: text.to_string(),
            go: go.to_string(),
            max: release.max_go,
        };
    }
    if target >= DWARF5_GO
        && version >= ModVersion::release(DWARF5_CHECK_SINCE)
        && let Some(built) = &dlv.built_with
        && (built.major(), built.minor()) < DWARF5_GO
    {
        return Verdict::Dwarf5 {
            delve: text.to_string(),
            built_with: built.to_string(),
        };
    }
    Verdict::Ok {
        range: Some(*release),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn dlv(version: &str, built_with: &str) -> Dlv {
        Dlv {
            version: Some(version.to_string()),
            built_with: Some(v(built_with)),
        }
    }

    /// One test per row of delve's compat.go history: the row is found for exactly that
    /// release, and delve's decision at each edge of its range is reproduced (the minor
    /// below the minimum is refused as too old, the one above the maximum as too new,
    /// release candidates count as their minor).
    macro_rules! row {
        ($($name:ident: $delve:literal => $min:literal ..= $max:literal;)*) => {$(
            #[test]
            fn $name() {
                let found = range_of(&ModVersion::parse($delve).unwrap()).unwrap();
                assert_eq!(found.min_go, (1, $min), "{}", $delve);
                assert_eq!(found.max_go, (1, $max), "{}", $delve);
                let d = dlv($delve, "1.25.0");
                let at = |minor: u64, suffix: &str| check(&d, &v(&format!("1.{minor}{suffix}")));
                assert!(matches!(at($min, ".0"), Verdict::Ok { .. }), "{}", $delve);
                assert!(matches!(at($max, ".3"), Verdict::Ok { .. }), "{}", $delve);
                assert!(matches!(at($max, "rc1"), Verdict::Ok { .. }), "{}", $delve);
                assert!(matches!(at($min - 1, ".9"), Verdict::GoTooOld { min: (1, $min), .. }), "{}", $delve);
                assert!(matches!(at($max + 1, "rc1"), Verdict::DelveTooOld { max: (1, $max), .. }), "{}", $delve);
                assert!(matches!(at($max + 1, ".0"), Verdict::DelveTooOld { .. }), "{}", $delve);
            }
        )*};
    }

    row! {
        v1_3_0: "v1.3.0" => 10..=13;
        v1_3_1: "v1.3.1" => 10..=13;
        v1_3_2: "v1.3.2" => 11..=13;
        v1_4_0: "v1.4.0" => 11..=14;
        v1_4_1: "v1.4.1" => 12..=14;
        v1_5_0: "v1.5.0" => 12..=15;
        v1_5_1: "v1.5.1" => 13..=15;
        v1_6_0: "v1.6.0" => 13..=16;
        v1_6_1: "v1.6.1" => 14..=16;
        v1_7_0: "v1.7.0" => 15..=17;
        v1_7_1: "v1.7.1" => 15..=17;
        v1_7_2: "v1.7.2" => 15..=17;
        v1_7_3: "v1.7.3" => 15..=17;
        v1_8_0: "v1.8.0" => 16..=18;
        v1_8_1: "v1.8.1" => 16..=18;
        v1_8_2: "v1.8.2" => 16..=18;
        v1_8_3: "v1.8.3" => 16..=18;
        v1_9_0: "v1.9.0" => 16..=19;
        v1_9_1: "v1.9.1" => 17..=19;
        v1_20_0: "v1.20.0" => 18..=20;
        v1_20_1: "v1.20.1" => 18..=20;
        v1_20_2: "v1.20.2" => 18..=20;
        v1_21_0: "v1.21.0" => 18..=21;
        v1_21_1: "v1.21.1" => 19..=21;
        v1_21_2: "v1.21.2" => 19..=21;
        v1_22_0: "v1.22.0" => 19..=22;
        v1_22_1: "v1.22.1" => 19..=22;
        v1_23_0: "v1.23.0" => 21..=23;
        v1_23_1: "v1.23.1" => 21..=23;
        v1_24_0: "v1.24.0" => 21..=24;
        v1_24_1: "v1.24.1" => 21..=24;
        v1_24_2: "v1.24.2" => 21..=24;
        v1_25_0: "v1.25.0" => 21..=24;
        v1_25_1: "v1.25.1" => 22..=25;
        v1_25_2: "v1.25.2" => 22..=25;
        v1_26_0: "v1.26.0" => 24..=26;
        v1_26_1: "v1.26.1" => 24..=26;
        v1_26_2: "v1.26.2" => 24..=26;
        v1_26_3: "v1.26.3" => 24..=26;
        v1_27_0: "v1.27.0" => 25..=27;
        v1_27_1: "v1.27.1" => 25..=27;
    }

    #[test]
    fn every_release_has_a_row_test_and_the_table_is_ordered() {
        assert_eq!(RELEASES.len(), 41);
        for pair in RELEASES.windows(2) {
            assert!(pair[0].delve < pair[1].delve, "{pair:?}");
            assert!(
                pair[0].min_go <= pair[1].min_go,
                "minimums never drop: {pair:?}"
            );
            assert!(pair[0].max_go <= pair[1].max_go, "{pair:?}");
        }
    }

    #[test]
    fn versions_between_releases_use_the_release_before() {
        // A pseudo-version of a commit after v1.25.2 sorts below v1.25.3.
        let pseudo = ModVersion::parse("v1.25.3-0.20250901000000-0123456789ab").unwrap();
        assert_eq!(range_of(&pseudo).unwrap().delve, (1, 25, 2));
        assert_eq!(
            range_of(&ModVersion::parse("v1.23.5").unwrap())
                .unwrap()
                .delve,
            (1, 23, 1)
        );
        assert!(matches!(
            check(&dlv("v1.2.0", "1.12.0"), &v("1.12.1")),
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn a_delve_newer_than_the_table_is_trusted_only_where_it_must_be() {
        let newer = dlv("v1.99.0", "1.27.0");
        assert!(matches!(check(&newer, &v("1.26.1")), Verdict::Ok { .. }));
        assert!(matches!(
            check(&newer, &v("1.28.0")),
            Verdict::Unknown { .. }
        ));
        assert!(matches!(
            check(&newer, &v("1.24.0")),
            Verdict::GoTooOld { .. }
        ));
    }

    #[test]
    fn dwarf5_needs_a_delve_built_with_go_1_25() {
        let verdict = check(&dlv("v1.25.1", "1.24.4"), &v("1.25.0"));
        assert!(matches!(verdict, Verdict::Dwarf5 { .. }), "{verdict:?}");
        assert!(verdict.to_string().contains("DWARF 5"));
        assert!(matches!(
            check(&dlv("v1.25.1", "1.25.0"), &v("1.25.0")),
            Verdict::Ok { .. }
        ));
        // Go 1.24 writes DWARF 4: any build of delve reads it.
        assert!(matches!(
            check(&dlv("v1.25.1", "1.22.0"), &v("1.24.3")),
            Verdict::Ok { .. }
        ));
    }

    fn info(path: &str, module: Option<&str>, go: &str) -> BuildInfo {
        BuildInfo {
            go_version: go.to_string(),
            path: Some(path.to_string()),
            main_module: module.map(str::to_string),
            deps: Vec::new(),
            settings: Default::default(),
        }
    }

    #[test]
    fn dlv_is_recognised_from_its_build_info() {
        let installed = info(
            DLV_PACKAGE,
            Some("github.com/go-delve/delve v1.23.0"),
            "go1.22.10",
        );
        assert_eq!(
            Dlv::from_build_info(&installed),
            Some(Dlv {
                version: Some("v1.23.0".into()),
                built_with: Some(v("1.22.10"))
            })
        );
        // Debian's dlv: no mod line at all.
        let debian = info(DLV_PACKAGE, None, "go1.19.8");
        assert_eq!(Dlv::from_build_info(&debian).unwrap().version, None);
        let other = info(
            "example.com/dlv",
            Some("example.com/dlv v1.0.0"),
            "go1.22.1",
        );
        assert_eq!(Dlv::from_build_info(&other), None);
        assert_eq!(
            version_line("Delve Debugger\nVersion: 1.20.2\nBuild: $Id: e0c2 $\n"),
            Some("v1.20.2".into())
        );
        assert_eq!(version_line("Version: banana"), None);
    }

    #[test]
    fn messages_say_what_delve_would_say() {
        let too_new = check(&dlv("v1.20.2", "1.19.8"), &v("1.22.10"));
        assert_eq!(
            too_new.to_string(),
            "delve v1.20.2 is too old for Go 1.22.10: it debugs Go up to 1.20 (delve says \"Version of Delve is too old for Go version 1.22.10\")"
        );
        assert!(too_new.is_incompatible());
        let none = Dlv {
            version: None,
            built_with: None,
        };
        assert!(!check(&none, &v("1.22.1")).is_incompatible());
    }
}
