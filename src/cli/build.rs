use std::process::ExitCode;

use super::{Session, UsageError};
use crate::gobuild::{self, Mode, Profile, Toolchain, profile::ProfileError};

/// The profile choice and gv's own options, shared by build, test and run. gv's options
/// come first; the first word gv does not know starts the go arguments.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// The debug profile: every package -N -l, uncompressed DWARF, full tracebacks
    #[arg(long, conflicts_with_all = ["release", "profile"])]
    debug: bool,
    /// The release profile: stripped (-trimpath, no DWARF or symbols; its debug
    /// information kept in the symbol store), CGO_ENABLED=0 unless you set it
    #[arg(long, conflicts_with = "profile")]
    release: bool,
    /// A profile by name: debug, dwarf, release, or one from [profile.NAME] in gv.toml
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Print the exact go command (with the environment gv sets) before running it
    #[arg(short = 'v', long)]
    explain: bool,
    /// Arguments for the go command: build flags, then packages (or .go files); after
    /// `--`, the program's (gv run) or the test binary's (gv test) own arguments
    #[arg(allow_hyphen_values = true, num_args = 0.., value_name = "GO ARGS")]
    args: Vec<String>,
    /// (clap takes a leading `--` for itself; what follows it lands here)
    #[arg(last = true, hide = true)]
    after: Vec<String>,
}

impl Common {
    /// The go arguments as typed, `--` included wherever clap saw it.
    fn go_words(&self) -> Vec<String> {
        let mut words = self.args.clone();
        if !self.after.is_empty() {
            words.push("--".to_string());
            words.extend(self.after.iter().cloned());
        }
        words
    }

    fn profile_name(&self) -> &str {
        if self.debug {
            "debug"
        } else if self.release {
            "release"
        } else {
            self.profile.as_deref().unwrap_or(DEFAULT_PROFILE)
        }
    }
}

/// Without a profile flag: go's default build, with its DWARF verified.
const DEFAULT_PROFILE: &str = "dwarf";

/// Build with a profile (go build), then verify the binary meets it
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv build --debug                     every package -N -l, DWARF verified, full tracebacks
  gv build --debug -o app ./cmd/app    your flags are merged with the profile's
  gv build --debug -ldflags='-X main.version=1.2'   one merged -ldflags, nothing dropped
  gv build --release                   stripped and verified; its DWARF kept in the symbol store
  gv build --profile ci -v             a [profile.ci] from gv.toml; -v prints the go command
  gv build --debug -o bin/ ./cmd/...   every main package into bin/ (created if missing)

Binaries land where go build puts them, only once verified; one that fails is kept as
NAME.unverified and never replaces the one there.

Without a profile flag the dwarf profile is used. Exit codes: 0 built and verified,
1 the build failed or the binary does not meet the profile, 2 usage error.")]
pub struct BuildArgs {
    #[command(flatten)]
    common: Common,
}

/// Build a test binary with a profile (go test -c), verify it, then run it
///
/// Plain `go test` links with -s -w: its binaries cannot be debugged. Arguments after
/// `--` go to the test binary (-test.run, -test.v, ...).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv test --debug                           test the package here, debuggable
  gv test --debug ./pkg -- -test.run TestDivide -test.v
  gv test --debug ./...                     each package's test binary, verified, run in its directory")]
pub struct TestArgs {
    #[command(flatten)]
    common: Common,
}

/// Build a program with a profile, verify it, then run it
///
/// Plain `go run` links with -s -w; this builds with the profile and executes the result,
/// passing the exit code through.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv run --debug . 10 0           build ., run it with arguments 10 0
  gv run --debug main.go -- -v    arguments after -- go to the program")]
pub struct RunArgs {
    #[command(flatten)]
    common: Common,
}

pub fn run_build(session: &Session, args: BuildArgs) -> anyhow::Result<ExitCode> {
    run(session, args.common, Mode::Build)
}

pub fn run_test(session: &Session, args: TestArgs) -> anyhow::Result<ExitCode> {
    run(session, args.common, Mode::Test)
}

pub fn run_run(session: &Session, args: RunArgs) -> anyhow::Result<ExitCode> {
    run(session, args.common, Mode::Run)
}

/// The profile `name` as `config` defines it, its warnings said once; an unknown name is
/// a usage error that says when an untrusted gv.toml is why.
pub(super) fn profile(
    session: &Session,
    name: &str,
    config: &gv_core::config::Config,
) -> anyhow::Result<Profile> {
    let (profile, warnings) = match Profile::resolve(name, config) {
        Ok(resolved) => resolved,
        Err(e @ ProfileError::Unknown { .. }) => {
            let mut usage = UsageError::of(&e);
            if let Some(untrusted) = &config.untrusted {
                usage.message.push_str(&format!(
                    " ({} is not trusted, so its profiles do not apply; `gv trust --show` reviews it)",
                    untrusted.path.display()
                ));
            }
            return Err(usage.into());
        }
        Err(e) => return Err(e.into()),
    };
    crate::ui::warn_once(session.store(), &warnings);
    Ok(profile)
}

fn run(session: &Session, common: Common, mode: Mode) -> anyhow::Result<ExitCode> {
    let super::Here {
        selection,
        config,
        plan: env_plan,
    } = session.here()?;
    let profile = profile(session, common.profile_name(), config)?;
    let toolchain = Toolchain::selected(selection, env_plan)?;
    let lookup = gv_core::process::var_os;
    let (profile, keep_notes) = gobuild::keep::for_link(&profile, &toolchain, &lookup)?;
    let mut planned = gobuild::plan(&profile, &common.go_words(), mode, lookup)
        .map_err(|e| UsageError::of(&e))?;
    planned.notes.splice(0..0, keep_notes);

    crate::ui::warn_once(session.store(), &env_plan.warnings);
    let outcome = gobuild::execute(gobuild::Options {
        mode,
        profile: &profile,
        planned,
        toolchain: &toolchain,
        cwd: session.cwd(),
        explain: common.explain,
    })?;
    Ok(ExitCode::from(outcome.code))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    fn common(argv: &[&str]) -> super::Common {
        let cli = crate::cli::Cli::try_parse_from(argv).expect("parses");
        match cli.command {
            crate::cli::Command::Build(a) => a.common,
            crate::cli::Command::Test(a) => a.common,
            crate::cli::Command::Run(a) => a.common,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gv_options_first_then_go_arguments_verbatim() {
        let c = common(&[
            "gv",
            "build",
            "--debug",
            "-v",
            "-o",
            "x",
            "-ldflags=-X a.b=c",
            ".",
        ]);
        assert!(c.debug && c.explain);
        assert_eq!(c.args, ["-o", "x", "-ldflags=-X a.b=c", "."]);
        let c = common(&[
            "gv",
            "test",
            "--profile",
            "ci",
            "./pkg",
            "--",
            "-test.v",
            "-test.run",
            "X",
        ]);
        assert_eq!(c.profile_name(), "ci");
        assert_eq!(c.go_words(), ["./pkg", "--", "-test.v", "-test.run", "X"]);
        let c = common(&["gv", "test", "--debug", "--", "-test.v", "-test.run", "X"]);
        assert_eq!(c.go_words(), ["--", "-test.v", "-test.run", "X"]);
        let c = common(&["gv", "run", "--debug", "-tags", "x", ".", "--", "-v"]);
        assert_eq!(c.go_words(), ["-tags", "x", ".", "--", "-v"]);
        let c = common(&["gv", "run", "--release", ".", "10", "-x"]);
        assert_eq!(c.args, [".", "10", "-x"]);
        assert_eq!(common(&["gv", "build"]).profile_name(), "dwarf");
        assert!(crate::cli::Cli::try_parse_from(["gv", "build", "--debug", "--release"]).is_err());
    }
}
