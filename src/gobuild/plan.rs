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
    let mut out = Vec::new();
    for (name, from_profile) in [
        ("gcflags", &profile.gcflags),
        ("ldflags", &profile.ldflags),
        ("asmflags", &profile.asmflags),
    ] {
        let theirs: Vec<String> = user
            .take(name)
            .into_iter()
            .filter_map(|f| f.value)
            .collect();
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
    for (name, on) in [("trimpath", profile.trimpath), ("race", profile.race)] {
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
        // Release has nothing to protect from -w.
        let release = Profile::builtin("release").unwrap();
        let planned = plan(&release, &s(&["-ldflags=-w"]), Mode::Build, |_| None).unwrap();
        assert_eq!(planned.flags, ["-ldflags=-s -w -w", "-trimpath"]);
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
