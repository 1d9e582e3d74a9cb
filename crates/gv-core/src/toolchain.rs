//! The go command's own rule for which toolchain runs (Go >= 1.21,
//! `src/cmd/go/internal/toolchain/select.go`), so that gv can say in advance what a go
//! command will run, and pick that itself.
//!
//! Go starts from a *minimum* toolchain — its own ("local"), or the one GOTOOLCHAIN names —
//! and, in `auto` or `path` mode, raises it to what the go.work or go.mod in force asks for:
//! the `toolchain` line when it is newer, then the `go` line when that is newer still (a
//! language version such as `go 1.22` names its first release, go1.22.0). Whatever it ends
//! up with runs; when that is not itself, it runs (or downloads) that toolchain.
//!
//! gv plays Go's game with its own selection as the local toolchain: the global default
//! when go.mod or go.work decides, the selected version when GOTOOLCHAIN is exported.

use crate::pinfile::GoMod;
use crate::version::Version;

/// A GOTOOLCHAIN value, read as the go command reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The minimum toolchain; `None` for the go command's own (`local`, `auto`, `path`).
    pub min: Option<Version>,
    /// May go.mod / go.work raise the minimum? (`auto`, `path`, `…+auto`, `…+path`)
    pub follows_module: bool,
}

impl Setting {
    /// `local`: run the go command itself, whatever go.mod says.
    pub const LOCAL: Setting = Setting {
        min: None,
        follows_module: false,
    };

    /// Parses GOTOOLCHAIN; `Err` with the reason Go would give for refusing it. An empty
    /// value is `local` (Go then runs itself).
    pub fn parse(value: &str) -> Result<Setting, String> {
        match value {
            "" | "local" => return Ok(Setting::LOCAL),
            "auto" | "path" => {
                return Ok(Setting {
                    min: None,
                    follows_module: true,
                });
            }
            _ => {}
        }
        let (min, suffix) = match value.split_once('+') {
            Some((min, suffix)) => (min, Some(suffix)),
            None => (value, None),
        };
        let follows_module = match suffix {
            None => false,
            Some("auto" | "path") => true,
            Some(_) => return Err("only version suffixes are +auto and +path".into()),
        };
        let min = match min {
            "local" => None,
            name => {
                let version = crate::version::from_toolchain(name).ok_or_else(|| {
                    format!(
                        "{name:?} is not a toolchain name such as go1.22.10, local, auto or path"
                    )
                })?;
                // Go accepts it here and fails when it looks for the release.
                if version.is_language_version() {
                    return Err(format!(
                        "{name} is a language version, not a toolchain (go{version}.0 is its first release)"
                    ));
                }
                Some(version)
            }
        };
        Ok(Setting {
            min,
            follows_module,
        })
    }

    pub fn is_local(&self) -> bool {
        *self == Setting::LOCAL
    }
}

/// The toolchain the go command runs, given the local one (`local`), a GOTOOLCHAIN
/// setting, and the go.work / go.mod in force (if any). `local` itself when nothing
/// raises it.
pub fn decide(local: &Version, setting: &Setting, module: Option<&GoMod>) -> Version {
    let mut run = setting.min.clone().unwrap_or_else(|| local.clone());
    if setting.follows_module
        && let Some(module) = module
        && !module.toolchain_default
    {
        if let Some(toolchain) = &module.toolchain
            && toolchain > &run
        {
            run = toolchain.clone();
        }
        if let Some(go) = &module.go
            && go > &run
        {
            run = first_release(go);
        }
    }
    run
}

/// The toolchain Go fetches for `module` when the local one is older than everything it
/// asks for: the newer of the toolchain line and the go line's first release; `None` when
/// it asks for nothing (or says `toolchain default`).
pub fn module_target(module: &GoMod) -> Option<Version> {
    if module.toolchain_default {
        return None;
    }
    match (&module.toolchain, &module.go) {
        (Some(t), Some(g)) if g > t => Some(first_release(g)),
        (Some(t), _) => Some(t.clone()),
        (None, Some(g)) => Some(first_release(g)),
        (None, None) => None,
    }
}

/// Does `v` run this module without Go switching away from it (in `auto` mode)? At least
/// the toolchain line and at least the go line, compared as Go compares (`1.22rc1`
/// satisfies `go 1.22`).
pub fn satisfies(v: &Version, module: &GoMod) -> bool {
    module.toolchain_default
        || (module.toolchain.as_ref().is_none_or(|t| v >= t)
            && module.go.as_ref().is_none_or(|g| v >= g))
}

/// The first release of a go line: `1.22` (a language version) is go1.22.0; anything else
/// names a toolchain already (`1.22.3`, `1.23rc1`, `1.20`).
pub fn first_release(go: &Version) -> Version {
    if go.is_language_version() {
        go.minimum_toolchain()
    } else {
        go.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pinfile::parse_go_mod;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn settings_parse_as_go_reads_them() {
        let set = |s: &str| Setting::parse(s).unwrap();
        assert!(set("").is_local());
        assert!(set("local").is_local());
        assert_eq!(
            set("auto"),
            Setting {
                min: None,
                follows_module: true
            }
        );
        assert_eq!(set("path"), set("auto"));
        assert_eq!(set("local+auto"), set("auto"));
        assert_eq!(
            set("go1.22.10"),
            Setting {
                min: Some(v("1.22.10")),
                follows_module: false
            }
        );
        assert_eq!(
            set("go1.22.10+path"),
            Setting {
                min: Some(v("1.22.10")),
                follows_module: true
            }
        );
        assert_eq!(set("go1.22.10-bigcorp").min, Some(v("1.22.10")));
        for bad in [
            "1.22.10",
            "go1.22.10+sometimes",
            "bash",
            "go/1.22",
            "gox",
            "go1.22",
        ] {
            assert!(Setting::parse(bad).is_err(), "{bad}");
        }
    }

    /// The cases of Go's toolchain selection, from select.go's rules.
    #[test]
    fn decide_follows_select_go() {
        let auto = Setting::parse("auto").unwrap();
        let m = |text: &str| parse_go_mod(text);
        let run = |local: &str, setting: &Setting, module: &str| {
            decide(&v(local), setting, Some(&m(module))).to_string()
        };
        assert_eq!(run("1.22.10", &auto, "go 1.22\n"), "1.22.10");
        assert_eq!(
            run("1.22.10", &auto, "go 1.23\n"),
            "1.23.0",
            "a language line's first release"
        );
        assert_eq!(run("1.22.10", &auto, "go 1.23.4\n"), "1.23.4");
        assert_eq!(run("1.22.10", &auto, "go 1.20\n"), "1.22.10");
        assert_eq!(
            run("1.22.10", &auto, "go 1.21\ntoolchain go1.23.4\n"),
            "1.23.4"
        );
        assert_eq!(
            run("1.23.9", &auto, "go 1.21\ntoolchain go1.23.4\n"),
            "1.23.9",
            "an older toolchain line loses to local"
        );
        assert_eq!(
            run("1.22.10", &auto, "go 1.24.1\ntoolchain go1.23.4\n"),
            "1.24.1",
            "the go line above the toolchain line"
        );
        assert_eq!(
            run("1.22.10", &auto, "go 1.24.1\ntoolchain default\n"),
            "1.22.10"
        );
        assert_eq!(
            run("1.22rc1", &auto, "go 1.22\n"),
            "1.22rc1",
            "rc1 satisfies the language version"
        );
        let exact = Setting::parse("go1.21.13").unwrap();
        assert_eq!(
            run("1.22.10", &exact, "go 1.24\n"),
            "1.21.13",
            "no +auto: go.mod is not read"
        );
        let min_auto = Setting::parse("go1.23.9+auto").unwrap();
        assert_eq!(run("1.22.10", &min_auto, "go 1.22\n"), "1.23.9");
        assert_eq!(run("1.22.10", &min_auto, "go 1.24\n"), "1.24.0");
        assert_eq!(run("1.22.10", &Setting::LOCAL, "go 1.24\n"), "1.22.10");
        assert_eq!(decide(&v("1.22.10"), &auto, None).to_string(), "1.22.10");
    }

    /// A small deterministic generator: the same cases on every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize
        }

        fn version(&mut self) -> String {
            let mut v = format!("1.{}", 18 + self.next(9));
            match self.next(4) {
                0 => {}
                1 => v.push_str(["rc1", "rc2", "beta1"][self.next(3)]),
                _ => v.push_str(&format!(".{}", self.next(13))),
            }
            v
        }

        fn setting(&mut self) -> String {
            let junk = ["", "x", " ", "+", "-bigcorp", "go", "/", "\u{0}"];
            let base = match self.next(6) {
                0 => "local".to_string(),
                1 => "auto".to_string(),
                2 => "path".to_string(),
                3 => junk[self.next(junk.len())].to_string(),
                _ => format!("go{}", self.version()),
            };
            let suffix = ["", "", "+auto", "+path", "+local", "+"][self.next(6)];
            format!(
                "{base}{suffix}{}",
                if self.next(10) == 0 {
                    junk[self.next(junk.len())]
                } else {
                    ""
                }
            )
        }

        fn module(&mut self) -> String {
            let mut text = String::from("module m\n");
            if self.next(5) > 0 {
                text.push_str(&format!("go {}\n", self.version()));
            }
            match self.next(4) {
                0 => text.push_str(&format!("toolchain go{}\n", self.version())),
                1 if self.next(3) == 0 => text.push_str("toolchain default\n"),
                _ => {}
            }
            text
        }
    }

    /// 20,000 generated settings, go.mod files and local versions: parsing never fails
    /// loudly, and the decision keeps Go's invariants — never below the minimum; go.mod
    /// read only with +auto/+path; what runs satisfies the module; a local toolchain that
    /// satisfies it runs; one that does not gives way to exactly what go would fetch.
    #[test]
    fn generated_cases_keep_gos_invariants() {
        let mut cases = Lcg(0x5eed_1234_abcd_9876);
        for case in 0..20_000 {
            let text = cases.setting();
            let local = v(&cases.version());
            let module = parse_go_mod(&cases.module());
            let Ok(setting) = Setting::parse(&text) else {
                continue;
            };
            let ctx = format!("case {case}: GOTOOLCHAIN={text:?} local {local} {module:?}");
            if let Some(min) = &setting.min {
                assert!(!min.is_language_version(), "{ctx}");
            }
            let min = setting.min.clone().unwrap_or_else(|| local.clone());
            let run = decide(&local, &setting, Some(&module));
            assert!(run >= min, "{ctx}: {run}");
            if !setting.follows_module {
                assert_eq!(run, min, "{ctx}");
                continue;
            }
            assert!(satisfies(&run, &module), "{ctx}: {run}");
            if setting.min.is_none() && !module.toolchain_default {
                if satisfies(&local, &module) {
                    assert_eq!(run, local, "{ctx}");
                } else {
                    assert_eq!(Some(run), module_target(&module), "{ctx}");
                }
            }
        }
    }

    #[test]
    fn module_targets_and_satisfaction() {
        let target = |text: &str| module_target(&parse_go_mod(text)).map(|v| v.to_string());
        assert_eq!(target("go 1.22\n").as_deref(), Some("1.22.0"));
        assert_eq!(
            target("go 1.22\ntoolchain go1.23.4\n").as_deref(),
            Some("1.23.4")
        );
        assert_eq!(
            target("go 1.23.4\ntoolchain go1.22.10\n").as_deref(),
            Some("1.23.4")
        );
        assert_eq!(
            target("go 1.23.4\ntoolchain go1.23.4\n").as_deref(),
            Some("1.23.4")
        );
        assert_eq!(target("go 1.19\n").as_deref(), Some("1.19"));
        assert_eq!(target("module x\n"), None);
        assert_eq!(target("go 1.22\ntoolchain default\n"), None);

        let module = parse_go_mod("go 1.22\ntoolchain go1.23.4\n");
        assert!(satisfies(&v("1.23.9"), &module));
        assert!(satisfies(&v("1.23.4"), &module));
        assert!(!satisfies(&v("1.23.3"), &module));
        assert!(satisfies(&v("1.22rc1"), &parse_go_mod("go 1.22\n")));
        assert!(!satisfies(&v("1.21.13"), &parse_go_mod("go 1.22\n")));
    }
}
