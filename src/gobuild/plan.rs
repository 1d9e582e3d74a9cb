//! Step 1, plan: one go command line from a profile and the user's arguments. go honours
//! only the last `-gcflags`/`-ldflags`/`-asmflags` per package and the last `-tags`, so
//! the profile's values and the user's are merged into one flag each; a user flag that
//! would break the profile's promise is refused here, before anything runs.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::Mode;
use super::flags::{self, FlagError, GoArgs, GoFlag};
use super::profile::Profile;
use crate::inspect::Expectation;

/// The go command line and environment a profile and the user's arguments make, before
/// gv adds its own `-o` and `-overlay`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Flags in go's syntax, one argument each, merged.
    pub flags: Vec<String>,
    pub packages: Vec<String>,
    pub program_args: Vec<String>,
    /// The user's `-o`, if any.
    pub output: Option<String>,
    /// The user's `-C DIR`: gv runs go there instead of passing it on (go wants `-C`
    /// first, before the flags gv puts ahead of the user's).
    pub chdir: Option<String>,
    /// The user's `-overlay`, merged with gv's when gv adds one.
    pub user_overlay: Option<String>,
    /// Variables the profile sets (after the user's own environment had its say).
    pub env: BTreeMap<String, String>,
    /// What gv changed in the user's request to keep the profile's promise, said once
    /// before go runs.
    pub notes: Vec<String>,
}

/// Merges a profile into the user's go arguments. `lookup` reads the user's environment
/// (a profile variable yields to a non-empty user value unless forced).
pub fn plan(
    profile: &Profile,
    args: &[String],
    mode: Mode,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<Planned, FlagError> {
    let mut user: GoArgs = flags::parse(args, mode.shape())?;
    check_conflicts(profile, &user)?;
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (name, from_profile) in [
        ("gcflags", &profile.gcflags),
        ("ldflags", &profile.ldflags),
        ("asmflags", &profile.asmflags),
    ] {
        let mut theirs: Vec<String> = user
            .take(name)
            .into_iter()
            .filter_map(|f| f.value)
            .collect();
        if name == "ldflags" && profile.keep_debug {
            // The link keeps what the symbol store needs; gv strips after it.
            let mut dropped = Vec::new();
            for value in &mut theirs {
                let (kept, gone) = flags::without_words(name, value, is_strip_word)?;
                *value = kept;
                dropped.extend(gone);
            }
            if !dropped.is_empty() {
                notes.push(format!(
                    "the {} profile keeps debug information: its link keeps the DWARF and symbols your -ldflags={} would drop, and gv strips the binary after the link",
                    profile.name,
                    dropped.join(" ")
                ));
            }
        }
        for value in flags::merge_per_package(name, from_profile, &theirs)? {
            out.push(GoFlag::new(name, Some(&value)).render());
        }
    }
    let user_tags: Vec<String> = user
        .take("tags")
        .into_iter()
        .filter_map(|f| f.value)
        .collect();
    let tags = flags::merge_tags(
        &profile.tags,
        &user_tags.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    if !tags.is_empty() {
        out.push(GoFlag::new("tags", Some(&tags.join(","))).render());
    }
    let mut trimpath = profile.trimpath;
    if profile.expect == Some(Expectation::Debug) {
        // gdb finds the runtime's Go support (runtime-gdb.py) and the sources by the
        // absolute paths -trimpath would remove.
        let on_command_line = user.take("trimpath").iter().any(|f| {
            f.value
                .as_deref()
                .is_none_or(|v| flags::is_on(&format!("-trimpath={v}"), "-trimpath"))
        });
        let asked: Vec<&str> = [
            (on_command_line, "-trimpath on the command line"),
            (profile.trimpath, "trimpath = true in the profile"),
        ]
        .into_iter()
        .filter_map(|(asked, who)| asked.then_some(who))
        .collect();
        if !asked.is_empty() {
            notes.push(without_trimpath(&profile.name, &asked.join(" and ")));
        }
        trimpath = false;
    }
    for (name, on) in [("trimpath", trimpath), ("race", profile.race)] {
        if on && !user.flags.iter().any(|f| f.name == name) {
            out.push(GoFlag::new(name, None).render());
        }
    }
    let output = user.take("o").pop().and_then(|f| f.value);
    let chdir = user.take("C").pop().and_then(|f| f.value);
    let user_overlay = user.take("overlay").pop().and_then(|f| f.value);
    out.extend(user.flags.iter().map(GoFlag::render));
    let env = profile
        .env
        .iter()
        .filter(|(name, entry)| entry.applies(name, &lookup))
        .map(|(name, entry)| (name.clone(), entry.value.clone()))
        .collect();
    let mut packages = user.packages;
    if packages.is_empty() {
        packages.push(".".to_string());
    }
    Ok(Planned {
        flags: out,
        packages,
        program_args: user.program_args,
        output,
        chdir,
        user_overlay,
        env,
        notes,
    })
}

/// An `-ldflags` word that strips what the symbol store keeps: `-s`, `-w` (on).
pub fn is_strip_word(word: &str) -> bool {
    flags::is_on(word, "-s") || flags::is_on(word, "-w")
}

/// The one line that says the debug profile builds without -trimpath, and who asked.
pub fn without_trimpath(profile: &str, asked_by: &str) -> String {
    format!(
        "the {profile} profile builds without -trimpath ({asked_by} asked for it): gdb needs the absolute source paths to load the Go runtime's support (info goroutines, Go types) and to show the sources"
    )
}

/// `-trimpath` in a GOFLAGS value (go applies GOFLAGS first, so a `-trimpath=false` on
/// the command line overrides it).
pub fn goflags_trim(goflags: &str) -> bool {
    goflags.split_whitespace().any(|w| {
        // `--trimpath` is the same flag.
        let w = if w.starts_with("--") { &w[1..] } else { w };
        flags::is_on(w, "-trimpath")
    })
}

/// A user flag that would break the profile's promise is an error, not a silent override.
fn check_conflicts(profile: &Profile, user: &GoArgs) -> Result<(), FlagError> {
    let Some(expect) = profile.expect else {
        return Ok(());
    };
    if expect == Expectation::Release {
        return Ok(());
    }
    let conflict = |flag: String, why: &str| FlagError::Conflict {
        flag,
        profile: profile.name.clone(),
        why: why.to_string(),
        hint: "drop the flag, or build with --release (or a profile with expect = \"none\")"
            .to_string(),
    };
    for f in &user.flags {
        let Some(value) = &f.value else { continue };
        if f.name != "ldflags" && f.name != "gcflags" {
            continue;
        }
        let words = flags::parse_per_package(&f.name, value)?.args;
        for word in &words {
            // A profile that keeps debug information drops these from the link instead.
            if f.name == "ldflags" && profile.keep_debug && is_strip_word(word) {
                continue;
            }
            let rendered = format!("-{}={value}", f.name);
            if f.name == "ldflags" && flags::is_on(word, "-w") {
                return Err(conflict(
                    rendered,
                    "-w drops the DWARF debug information this profile exists to keep",
                ));
            }
            if f.name == "ldflags" && flags::is_on(word, "-s") {
                return Err(conflict(
                    rendered,
                    "-s drops the symbol table and, since Go 1.22, the DWARF debug information too",
                ));
            }
            if f.name == "gcflags" && (word == "-dwarf=false" || word == "-dwarf=0") {
                return Err(conflict(
                    rendered,
                    "-dwarf=false makes the compiler emit no DWARF debug information",
                ));
            }
        }
    }
    Ok(())
}

impl Planned {
    /// The directory the go command works in: `-C`'s, else `cwd`. Relative `-o` and
    /// `-overlay` paths, and package patterns, are relative to it.
    pub fn workdir(&self, cwd: &Path) -> PathBuf {
        match &self.chdir {
            Some(dir) => cwd.join(dir),
            None => cwd.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn debug() -> Profile {
        Profile::builtin("debug").unwrap()
    }

    #[test]
    fn debug_merges_the_users_ldflags_into_one() {
        let planned = plan(
            &debug(),
            &s(&[
                "-ldflags",
                "-X main.version=1.2",
                "-o",
                "bin/app",
                "./cmd/app",
            ]),
            Mode::Build,
            |_| None,
        )
        .unwrap();
        assert_eq!(
            planned.flags,
            [
                "-gcflags=all=-N -l",
                "-ldflags=-compressdwarf=false -X main.version=1.2"
            ]
        );
        assert_eq!(planned.output.as_deref(), Some("bin/app"));
        assert_eq!(planned.packages, ["./cmd/app"]);
        let gc = planned
            .flags
            .iter()
            .filter(|f| f.starts_with("-gcflags"))
            .count();
        assert_eq!(gc, 1, "never two -gcflags for one pattern");
    }

    #[test]
    fn stripping_flags_conflict_with_debug() {
        for bad in [
            "-ldflags=-w",
            "-ldflags=-s -X a.b=c",
            "-gcflags=all=-dwarf=false",
        ] {
            let err = plan(&debug(), &s(&[bad]), Mode::Build, |_| None).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("conflicts with the debug profile"), "{text}");
            assert!(gv_core::error::Hint::hint(&err).is_some(), "{text}");
        }
        // -w=0 keeps DWARF: no conflict.
        assert!(plan(&debug(), &s(&["-ldflags=-w=0"]), Mode::Build, |_| None).is_ok());
        // A release that keeps no debug information has nothing to protect from -w.
        let mut release = Profile::builtin("release").unwrap();
        release.keep_debug = false;
        let planned = plan(&release, &s(&["-ldflags=-w"]), Mode::Build, |_| None).unwrap();
        assert_eq!(planned.flags, ["-ldflags=-s -w -w", "-trimpath"]);
        assert!(planned.notes.is_empty());
    }

    /// keep_debug: the user's -s/-w leave the link (gv strips after it), said once.
    #[test]
    fn a_profile_that_keeps_debug_information_drops_the_users_strip_flags() {
        let mut keep = Profile::builtin("release").unwrap();
        keep.ldflags = vec!["-B gobuildid".into()];
        let planned = plan(
            &keep,
            &s(&["-ldflags=-s -w -X main.v=1", "."]),
            Mode::Build,
            |_| None,
        )
        .unwrap();
        assert_eq!(
            planned.flags,
            ["-ldflags=-B gobuildid -X main.v=1", "-trimpath"]
        );
        assert_eq!(planned.notes.len(), 1);
        assert!(
            planned.notes[0]
                .contains("its link keeps the DWARF and symbols your -ldflags=-s -w would drop"),
            "{:?}",
            planned.notes
        );
        // A debug profile that keeps its debug information apart takes -s too.
        let mut debug = debug();
        debug.keep_debug = true;
        assert!(plan(&debug, &s(&["-ldflags=-s"]), Mode::Build, |_| None).is_ok());
    }

    /// The debug profile never passes -trimpath, whoever asks; it says who asked.
    #[test]
    fn the_debug_profile_builds_without_trimpath_and_says_so_once() {
        let planned = plan(&debug(), &s(&["-trimpath", "."]), Mode::Build, |_| None).unwrap();
        assert!(
            !planned.flags.iter().any(|f| f.contains("trimpath")),
            "{:?}",
            planned.flags
        );
        assert_eq!(planned.notes.len(), 1);
        assert!(
            planned.notes[0].starts_with("the debug profile builds without -trimpath (-trimpath on the command line asked for it): gdb needs"),
            "{:?}",
            planned.notes
        );
        let mut trimmed = debug();
        trimmed.trimpath = true;
        let planned = plan(&trimmed, &s(&["-trimpath=true"]), Mode::Build, |_| None).unwrap();
        assert_eq!(
            planned.notes.len(),
            1,
            "one line for both: {:?}",
            planned.notes
        );
        assert!(
            planned.notes[0]
                .contains("-trimpath on the command line and trimpath = true in the profile")
        );
        assert!(
            plan(&debug(), &[], Mode::Build, |_| None)
                .unwrap()
                .notes
                .is_empty()
        );
        // Other profiles pass it on.
        let dwarf = Profile::builtin("dwarf").unwrap();
        let planned = plan(&dwarf, &s(&["-trimpath"]), Mode::Build, |_| None).unwrap();
        assert_eq!(planned.flags, ["-trimpath"]);
        assert!(goflags_trim("-mod=mod -trimpath") && goflags_trim("--trimpath=true"));
        assert!(!goflags_trim("-trimpath=false -x") && !goflags_trim(""));
    }

    #[test]
    fn profile_env_yields_to_the_user_unless_forced() {
        let release = Profile::builtin("release").unwrap();
        let planned = plan(&release, &[], Mode::Build, |_| None).unwrap();
        assert_eq!(
            planned.env.get("CGO_ENABLED").map(String::as_str),
            Some("0")
        );
        assert_eq!(planned.packages, ["."]);
        let planned = plan(&release, &[], Mode::Build, |n| {
            (n == "CGO_ENABLED").then(|| "1".into())
        })
        .unwrap();
        assert!(planned.env.is_empty());
        // A value the shell hook applied is not the user's own (the same rule as [env]).
        let planned = plan(&release, &[], Mode::Build, |n| match n {
            "CGO_ENABLED" | "__GV_N_CGO_ENABLED" => Some("1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            planned.env.get("CGO_ENABLED").map(String::as_str),
            Some("0")
        );
    }

    #[test]
    fn run_keeps_program_arguments_apart() {
        let planned = plan(
            &debug(),
            &s(&["-tags", "x", ".", "-v", "10"]),
            Mode::Run,
            |_| None,
        )
        .unwrap();
        assert_eq!(planned.program_args, ["-v", "10"]);
        assert!(planned.flags.contains(&"-tags=x".to_string()));
    }

    #[test]
    fn dash_c_becomes_the_working_directory() {
        let planned = plan(
            &debug(),
            &s(&["-C", "sub", "-o", "bin/", "./..."]),
            Mode::Build,
            |_| None,
        )
        .unwrap();
        assert_eq!(planned.chdir.as_deref(), Some("sub"));
        assert!(
            planned.flags.iter().all(|f| !f.starts_with("-C")),
            "{:?}",
            planned.flags
        );
        assert_eq!(planned.workdir(Path::new("/p")), Path::new("/p/sub"));
    }
}
