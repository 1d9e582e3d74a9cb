use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use gv_core::select::SelectEnv;

use super::{Session, UsageError};
use crate::debug::{self, Debugger, Target};
use crate::error::Hinted;
use crate::gobuild::{self, Mode, Toolchain};
use crate::inspect::{self, Expectation};
use crate::ui;

/// Build with the debug profile and start delve (or gdb) on it, or open a core dump
///
/// The program is built like `gv build --debug` (every package -N -l, DWARF kept, full
/// tracebacks) into a private directory under gv's cache, verified, and then `dlv exec` is
/// run on it in this directory with the selected SDK's GOROOT and PATH, so delve finds the
/// runtime's sources. Before building, gv checks that this dlv can debug the selected Go
/// (delve's own supported range per release) and refuses, with the fix, when it cannot.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv debug                              build the package here, start dlv on it
  gv debug ./cmd/app -- -port 8080      arguments after -- go to the program
  gv debug -tags integration .          build flags are go build's, merged with the profile's
  gv debug --gdb                        the same under gdb
  gv debug -D --headless -D --listen=:2345    delve as a server for an editor to attach to
  gv debug --core core ./app            open a core dump (GOTRACEBACK=crash + ulimit -c)
  gv debug --gdb -D -batch -D -ex -D bt --core core ./app

dlv is looked up in the shared GOBIN, then on PATH; `gv tools install dlv` puts one there.
Exit codes: 1 when the build fails, misses the debug profile, or the debugger cannot read
this Go; otherwise the debugger's own.")]
pub struct Args {
    /// Debug with gdb instead of delve
    #[arg(long)]
    gdb: bool,
    /// Open this core dump of BINARY instead of building: gv debug --core CORE BINARY
    #[arg(long, value_name = "CORE")]
    core: Option<PathBuf>,
    /// An argument for the debugger itself, before the program; repeat it: -D -batch -D -ex -D bt
    /// (or --debugger-arg=-batch)
    #[arg(
        short = 'D',
        long = "debugger-arg",
        value_name = "ARG",
        allow_hyphen_values = true
    )]
    debugger_args: Vec<String>,
    /// Print the exact go command before building
    #[arg(short = 'v', long)]
    explain: bool,
    /// go build flags and the package (or .go files); with --core, the BINARY
    #[arg(allow_hyphen_values = true, num_args = 0.., value_name = "BUILD ARGS")]
    args: Vec<String>,
    /// (clap takes a leading `--` for itself; what follows it lands here: the program's
    /// arguments)
    #[arg(last = true, hide = true)]
    after: Vec<String>,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let debugger = if args.gdb {
        Debugger::Gdb
    } else {
        Debugger::Delve
    };
    if let Some(refusal) = debug::rosetta_refusal(debugger, gv_core::platform::translation()) {
        bail!(refusal);
    }
    match &args.core {
        Some(core) => run_core(session, &args, debugger, core),
        None => run_program(session, &args, debugger),
    }
}

fn run_program(session: &Session, args: &Args, debugger: Debugger) -> anyhow::Result<ExitCode> {
    let super::Here {
        selection,
        config,
        plan,
    } = session.here()?;
    let profile = super::build::profile(session, "debug", config)?;
    ui::warn_once(session.store(), &plan.warnings);
    let mut words = args.args.clone();
    if !args.after.is_empty() {
        words.push("--".into());
        words.extend(args.after.iter().cloned());
    }
    let mut planned = gobuild::plan(&profile, &words, Mode::Build, |name| std::env::var_os(name))
        .map_err(|e| UsageError::of(&e))?;
    if planned.output.is_some() {
        return Err(UsageError::hinted(
            "gv debug builds into a private directory of its own: drop -o",
            "`gv build --debug -o FILE` keeps a debug binary where you want it",
        )
        .into());
    }
    let toolchain = Toolchain::selected(selection, plan)?;

    // Before building: is there a debugger, and can it read this Go?
    let gobin = plan.get("GOBIN").map(|v| PathBuf::from(&v.value));
    let debugger_path = find_debugger(debugger, gobin.as_deref(), toolchain.version.as_ref())?;

    let cache = gv_core::store::Cache::from_env()?;
    let dir = debug::build_dir(&cache, session.cwd()).with_context(|| {
        format!(
            "cannot create a private build directory in {}",
            cache.debug_builds().display()
        )
    })?;
    planned.output = Some(format!("{}/", dir.display()));
    let program_args = planned.program_args.clone();
    let profile_env = planned.env.clone();
    let outcome = gobuild::execute(gobuild::Options {
        mode: Mode::Build,
        profile: &profile,
        planned,
        toolchain: &toolchain,
        cwd: session.cwd(),
        explain: args.explain,
    })?;
    if outcome.code != 0 {
        return Ok(ExitCode::from(outcome.code));
    }
    let binary = match outcome.binaries.as_slice() {
        [one] => one.clone(),
        [] => bail!(Hinted::new(
            "no main package was built: there is no program to debug",
            "name the main package, e.g. `gv debug ./cmd/app`"
        )),
        several => {
            return Err(UsageError::hinted(
                format!(
                    "{} main packages were built; gv debug debugs one",
                    several.len()
                ),
                "name it, e.g. `gv debug ./cmd/app`",
            )
            .into());
        }
    };
    let target = Target::Program {
        binary: &binary,
        args: &program_args,
    };
    let mut cmd = Command::new(&debugger_path);
    cmd.args(debug::argv(
        debugger,
        &target,
        Some(&toolchain.goroot),
        &args.debugger_args,
    ))
    .envs(plan.changes())
    .envs(&profile_env)
    .current_dir(session.cwd());
    Ok(exec(cmd, &debugger_path))
}

fn run_core(
    session: &Session,
    args: &Args,
    debugger: Debugger,
    core: &Path,
) -> anyhow::Result<ExitCode> {
    let [binary] = args.args.as_slice() else {
        return Err(UsageError::hinted(
            "--core takes the core file, then exactly one BINARY: gv debug --core CORE BINARY",
            "the binary must be the one that dumped core",
        )
        .into());
    };
    if !args.after.is_empty() {
        return Err(UsageError::new("a core dump takes no program arguments").into());
    }
    // `./app` from the user reads better without the `./` in the middle of a path.
    let here = |p: &Path| -> PathBuf {
        session.cwd().join(
            p.components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect::<PathBuf>(),
        )
    };
    let binary = here(Path::new(binary));
    let core = here(core);
    if !core.is_file() {
        bail!(Hinted::new(
            format!("{} is not a file", core.display()),
            format!(
                "a Go program dumps core with GOTRACEBACK=crash and `ulimit -c unlimited`; {}",
                gv_core::platform::CORE_DUMPS_LAND
            )
        ));
    }
    let report = match inspect::inspect(&binary) {
        Ok(report) => report,
        Err(err) => {
            crate::error::print(&err);
            return Ok(ExitCode::from(2));
        }
    };
    let built_with = report
        .go_version()
        .and_then(crate::tools::stale::parse_go_version);
    let verdict = inspect::expect::check(&report, Expectation::Debug);
    if !verdict.ok {
        for problem in &verdict.problems {
            ui::warn(format!("{}: {problem}", binary.display()));
        }
    }
    // The sources a debugger shows are the SDK's that built the binary: use that SDK when
    // it is installed.
    let installed = session.store().installed().unwrap_or_default();
    let exact;
    let here = match &built_with {
        Some(v) if installed.contains(v) => {
            exact = session.with_select_env(SelectEnv {
                gv_version: Some(v.to_string()),
                ..session.select_env().clone()
            });
            exact.here()?
        }
        Some(v) => {
            ui::warn(format!(
                "Go {v} built {} but is not installed; the selected version's GOROOT is used for runtime sources (gv install {v} for the exact ones)",
                binary.display()
            ));
            session.here()?
        }
        None => session.here()?,
    };
    let gobin = here.plan.get("GOBIN").map(|v| PathBuf::from(&v.value));
    let debugger_path = find_debugger(debugger, gobin.as_deref(), built_with.as_ref())?;
    let goroot = here.selection.resolved.goroot();
    let target = Target::Core {
        binary: &binary,
        core: &core,
    };
    let mut cmd = Command::new(&debugger_path);
    cmd.args(debug::argv(
        debugger,
        &target,
        goroot.as_deref(),
        &args.debugger_args,
    ))
    .envs(here.plan.changes())
    .current_dir(session.cwd());
    Ok(exec(cmd, &debugger_path))
}

/// The debugger to run, after checking that it can read Go `go`.
fn find_debugger(
    debugger: Debugger,
    gobin: Option<&Path>,
    go: Option<&gv_core::Version>,
) -> anyhow::Result<PathBuf> {
    let path_var = std::env::var_os("PATH");
    let dirs = debug::search_dirs(gobin, path_var.as_deref());
    let name = debugger.command_name();
    let Some(found) = debug::find_in(name, dirs.iter().map(PathBuf::as_path)) else {
        match debugger {
            Debugger::Delve => bail!(Hinted::new(
                format!(
                    "there is no dlv in {} or on PATH",
                    gobin.map_or("GOBIN".to_string(), |g| g.display().to_string())
                ),
                "`gv tools install dlv` builds delve with the Go selected here into the shared GOBIN, or debug with `gv debug --gdb`"
            )),
            Debugger::Gdb => bail!(Hinted::new(
                "gdb is not on PATH",
                "install it with your package manager (apt-get install gdb)"
            )),
        }
    };
    if debugger == Debugger::Delve {
        match debug::check_delve(&found, go) {
            Ok(None) => {}
            Ok(Some(warning)) => ui::warn(warning),
            Err(refusal) => bail!(refusal),
        }
    }
    Ok(found)
}

/// Replaces gv with the debugger; returns only when that fails.
fn exec(mut cmd: Command, path: &Path) -> ExitCode {
    ui::info(format!(
        "gv: starting {} {}",
        path.display(),
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let err = gv_core::platform::exec(&mut cmd);
    ui::report(&crate::error::Report {
        message: format!("cannot run {}: {err}", path.display()),
        hint: Some("check that it is an executable file".into()),
    });
    ExitCode::from(126)
}
