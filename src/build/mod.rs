//! `gv build`, `gv test` and `gv run` with a profile: one merged go command line, the
//! selected SDK with the shim's environment, an optional panic-readiness overlay, then
//! `gv verify`'s check of every binary produced against the profile's expectation.
//!
//! Plain `go run` and `go test` always link with `-s -w` and compile with `-dwarf=false`,
//! so a debuggable run has to `go build` (or `go test -c`) and execute the result.

pub mod flags;
pub mod overlay;
pub mod profile;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::inspect::{self, Expectation};
use flags::{FlagError, GoArgs, GoFlag, Shape};
pub use profile::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    /// `go test -c`, then run the test binary in the package directory. The traceback
    /// level reaches it through GOTRACEBACK rather than the overlay (vet cannot see it).
    Test,
    /// `go build`, then run the program.
    Run,
}

impl Mode {
    fn shape(self) -> Shape {
        match self {
            Mode::Run => Shape::Run,
            Mode::Build | Mode::Test => Shape::Build,
        }
    }
}

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

/// The selected SDK and the environment its go command runs with.
pub struct Toolchain {
    pub go: PathBuf,
    pub goroot: PathBuf,
    /// `go1.22.10`, from `$GOROOT/VERSION`.
    pub version: Option<gv_core::Version>,
    /// Variables to set on every child (the shim's injected environment + the profile's).
    pub env: Vec<(String, OsString)>,
}

impl Toolchain {
    pub fn new(goroot: PathBuf, go: PathBuf, env: Vec<(String, OsString)>) -> Toolchain {
        let version = std::fs::read_to_string(goroot.join("VERSION"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .and_then(|line| gv_core::Version::parse(&line).ok());
        Toolchain {
            go,
            goroot,
            version,
            env,
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.go);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// `SetCrashOutput` arrived in Go 1.23.
    pub fn has_crash_output(&self) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| (v.major(), v.minor()) >= (1, 23))
    }
}

pub struct Outcome {
    /// Binaries produced (moved to where the user expects them).
    pub binaries: Vec<PathBuf>,
    /// The exit code the gv command should end with.
    pub code: u8,
}

pub struct Options<'a> {
    pub mode: Mode,
    pub profile: &'a Profile,
    pub planned: Planned,
    pub toolchain: &'a Toolchain,
    pub cwd: &'a Path,
    pub explain: bool,
}

pub fn execute(opts: Options<'_>) -> anyhow::Result<Outcome> {
    let Options {
        mode,
        profile,
        planned,
        toolchain,
        cwd,
        explain,
    } = opts;
    let scratch = tempfile::Builder::new()
        .prefix("gv-build-")
        .tempdir()
        .context("cannot create a temporary directory")?;

    let mut panic = overlay::PanicSettings {
        traceback: profile.traceback.clone(),
        crash_output: profile.crash_output.clone(),
    };
    if panic.crash_output.is_some() && !toolchain.has_crash_output() {
        crate::ui::warn(format!(
            "crash_output needs Go 1.23 or newer (runtime/debug.SetCrashOutput); Go {} is selected, so no crash file is set up",
            toolchain
                .version
                .as_ref()
                .map_or("(unknown)".to_string(), ToString::to_string)
        ));
        panic.crash_output = None;
    }
    // go test -c vets the package, and vet cannot see overlay files: a test binary gets
    // its traceback level from GOTRACEBACK instead (gv runs it, so gv sets it).
    let mut run_env = planned.env.clone();
    if mode == Mode::Test && !panic.is_empty() {
        if let Some(level) = panic.traceback.take()
            && std::env::var_os("GOTRACEBACK").is_none_or(|v| v.is_empty())
        {
            run_env.insert("GOTRACEBACK".to_string(), level);
        }
        if panic.crash_output.take().is_some() {
            crate::ui::warn(
                "crash_output is not applied to test binaries (go vet cannot see the file that sets it up)",
            );
        }
    }
    let mut packages = planned.packages.clone();
    let mut overlay_flag = planned
        .user_overlay
        .as_ref()
        .map(|o| GoFlag::new("overlay", Some(o)).render());
    if !panic.is_empty() {
        let targets = overlay_targets(toolchain, &planned, mode, cwd)?;
        if targets.is_empty() {
            crate::ui::warn(
                "no main package among the packages built: the panic-readiness file is not added",
            );
        } else {
            let dirs: Vec<PathBuf> = targets.iter().map(|(d, _)| d.clone()).collect();
            let package_name = &targets[0].1;
            let user = planned.user_overlay.as_ref().map(|o| cwd.join(o));
            let (path, added) =
                overlay::write(scratch.path(), &dirs, &panic, user.as_deref(), package_name)?;
            overlay_flag = Some(GoFlag::new("overlay", Some(&path.to_string_lossy())).render());
            // Files named on the command line form the whole package: name ours too.
            if packages.iter().all(|p| p.ends_with(".go")) {
                packages.extend(added.iter().map(|p| p.to_string_lossy().into_owned()));
            }
        }
    }

    // Where the binaries go: gv builds into a private directory next to the destination,
    // verifies, then renames into place, so it knows exactly what was produced.
    let (dest_dir, fixed_output) = match (&planned.output, mode) {
        (Some(o), _) if o.ends_with('/') || cwd.join(o).is_dir() => (cwd.join(o), None),
        (Some(o), _) => (cwd.to_path_buf(), Some(cwd.join(o))),
        (None, Mode::Build) => (cwd.to_path_buf(), None),
        (None, Mode::Test | Mode::Run) => (scratch.path().to_path_buf(), None),
    };
    let staging = tempfile::Builder::new()
        .prefix(".gv-build-")
        .tempdir_in(&dest_dir)
        .with_context(|| {
            format!(
                "cannot create a staging directory in {}",
                dest_dir.display()
            )
        })?;
    let output_arg = match &fixed_output {
        Some(path) => path.to_string_lossy().into_owned(),
        None if mode == Mode::Test => staging
            .path()
            .join(test_binary_name(&packages))
            .to_string_lossy()
            .into_owned(),
        None => format!("{}/", staging.path().display()),
    };

    let mut args: Vec<String> = match mode {
        Mode::Test => vec!["test".into(), "-c".into()],
        Mode::Build | Mode::Run => vec!["build".into()],
    };
    args.push(GoFlag::new("o", Some(&output_arg)).render());
    args.extend(planned.flags.iter().cloned());
    args.extend(overlay_flag);
    args.extend(packages.iter().cloned());

    let mut cmd = toolchain.command();
    cmd.args(&args).current_dir(cwd).envs(&planned.env);
    if explain {
        crate::ui::info(format!(
            "gv: running: {}",
            explain_line(toolchain, &planned.env, &args)
        ));
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {}", toolchain.go.display()))?;
    if !status.success() {
        return Ok(Outcome {
            binaries: Vec::new(),
            code: gv_core::platform::exit_code(status),
        });
    }

    let mut binaries = Vec::new();
    match fixed_output {
        Some(path) => binaries.push(path),
        None => {
            let mut produced: Vec<PathBuf> = std::fs::read_dir(staging.path())?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            produced.sort();
            for file in produced {
                let name = file.file_name().map(ToOwned::to_owned).unwrap_or_default();
                let dest = dest_dir.join(name);
                std::fs::rename(&file, &dest)
                    .with_context(|| format!("cannot move the binary to {}", dest.display()))?;
                binaries.push(dest);
            }
        }
    }
    drop(staging);
    if binaries.is_empty() {
        if mode == Mode::Test {
            crate::ui::info("gv: no test files: nothing to run");
        } else {
            crate::ui::info("gv: no main package was built: nothing to verify");
        }
        return Ok(Outcome { binaries, code: 0 });
    }

    let mut failed = false;
    for binary in &binaries {
        failed |= !verify_one(binary, profile)?;
    }
    if failed {
        return Ok(Outcome { binaries, code: 1 });
    }

    let code = match mode {
        Mode::Build => 0,
        Mode::Run => run_binary(
            &binaries[0],
            &planned.program_args,
            cwd,
            toolchain,
            &run_env,
        )?,
        Mode::Test => {
            let dir = package_dirs(toolchain, &planned, &packages, cwd)?
                .into_iter()
                .next()
                .map_or_else(|| cwd.to_path_buf(), |(d, _)| d);
            run_binary(
                &binaries[0],
                &planned.program_args,
                &dir,
                toolchain,
                &run_env,
            )?
        }
    };
    // The scratch directory (and a test or run binary in it) goes away here.
    drop(scratch);
    Ok(Outcome { binaries, code })
}

/// Verifies one binary against the profile; prints one line when fine, the problems when not.
fn verify_one(binary: &Path, profile: &Profile) -> anyhow::Result<bool> {
    let report = inspect::inspect(binary).with_context(|| {
        format!(
            "cannot verify the binary go build produced at {}",
            binary.display()
        )
    })?;
    let Some(expect) = profile.expect else {
        crate::ui::info(format!(
            "gv: built {} (profile {} has no expectation to verify)",
            binary.display(),
            profile.name
        ));
        return Ok(true);
    };
    let verdict = inspect::expect::check(&report, expect);
    if verdict.ok {
        let detail = match &report.dwarf {
            Some(d) => format!(
                "DWARF {} ({}), {} Go packages",
                d.version,
                crate::ui::human_size(d.size_in_file),
                d.packages.len()
            ),
            None => "no DWARF, no symbol table".to_string(),
        };
        crate::ui::info(format!(
            "gv: verified {}: meets the {} profile ({detail})",
            binary.display(),
            profile.name
        ));
        return Ok(true);
    }
    crate::ui::report(&crate::error::Report {
        message: format!(
            "{} does not meet the {} profile's expectation ({expect}):\n{}",
            binary.display(),
            profile.name,
            verdict
                .problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        hint: Some(format!(
            "run `gv verify {} --expect {expect}` for the full report; the binary is left in place",
            binary.display()
        )),
    });
    Ok(false)
}

fn run_binary(
    binary: &Path,
    args: &[String],
    dir: &Path,
    toolchain: &Toolchain,
    profile_env: &BTreeMap<String, String>,
) -> anyhow::Result<u8> {
    let status = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .envs(toolchain.env.iter().map(|(k, v)| (k, v)))
        .envs(profile_env)
        .status()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    Ok(gv_core::platform::exit_code(status))
}

fn test_binary_name(packages: &[String]) -> String {
    let base = packages
        .first()
        .map(|p| p.trim_end_matches('/').rsplit('/').next().unwrap_or("pkg"))
        .filter(|b| !b.is_empty() && *b != "." && *b != "..")
        .unwrap_or("pkg");
    format!("{base}.test")
}

/// Directories and package names `go list` reports for the packages.
fn package_dirs(
    toolchain: &Toolchain,
    planned: &Planned,
    packages: &[String],
    cwd: &Path,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut cmd = toolchain.command();
    cmd.arg("list").arg("-f").arg("{{.Dir}}\t{{.Name}}");
    // Build constraints decide which files (and so which package) exist.
    cmd.args(planned.flags.iter().filter(|f| f.starts_with("-tags=")));
    let listed: Vec<&String> = packages.iter().filter(|p| !p.ends_with(".go")).collect();
    if listed.is_empty() {
        // Files named on the command line: their directory is the package's.
        let dir = packages
            .first()
            .map(|f| cwd.join(f))
            .and_then(|f| f.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| cwd.to_path_buf());
        return Ok(vec![(dir, "main".to_string())]);
    }
    let out = cmd
        .args(listed)
        .current_dir(cwd)
        .envs(&planned.env)
        .output()
        .with_context(|| format!("cannot run {} list", toolchain.go.display()))?;
    if !out.status.success() {
        bail!(
            "go list failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(dir, name)| (PathBuf::from(dir), name.to_string()))
        .collect())
}

/// The packages that receive the panic-readiness file: every main package for build and
/// run; for test, the package under test (its init runs in the test binary).
fn overlay_targets(
    toolchain: &Toolchain,
    planned: &Planned,
    mode: Mode,
    cwd: &Path,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let all = package_dirs(toolchain, planned, &planned.packages, cwd)?;
    Ok(match mode {
        Mode::Test => all.into_iter().take(1).collect(),
        Mode::Build | Mode::Run => all.into_iter().filter(|(_, n)| n == "main").collect(),
    })
}

/// `GOROOT=… CGO_ENABLED=0 /…/go build …`, quoted for a POSIX shell.
fn explain_line(
    toolchain: &Toolchain,
    profile_env: &BTreeMap<String, String>,
    args: &[String],
) -> String {
    let mut words: Vec<String> = Vec::new();
    for (name, value) in &toolchain.env {
        let value = if name == "PATH" {
            format!("{}:$PATH", toolchain.goroot.join("bin").display())
        } else {
            shell_quote(&value.to_string_lossy())
        };
        words.push(format!("{name}={value}"));
    }
    for (name, value) in profile_env {
        words.push(format!("{name}={}", shell_quote(value)));
    }
    words.push(shell_quote(&toolchain.go.to_string_lossy()));
    words.extend(args.iter().map(|a| shell_quote(a)));
    words.join(" ")
}

fn shell_quote(s: &str) -> String {
    gv_core::hook::Syntax::Posix.word(s)
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
    fn explain_quotes_for_the_shell() {
        assert_eq!(shell_quote("-gcflags=all=-N -l"), "'-gcflags=all=-N -l'");
        assert_eq!(shell_quote("./cmd/app"), "./cmd/app");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
