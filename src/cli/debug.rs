use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use gv_core::select::SelectEnv;

use super::{Session, UsageError};
use crate::debug::{self, Aids, Debugger, Target};
use crate::error::Hinted;
use crate::gobuild::{self, Mode, Toolchain};
use crate::inspect::{self, Expectation};
use crate::symbols::SymbolStore;
use crate::symbols::debuginfod::{self, Artifact};
use crate::symbols::store;
use crate::ui;

/// Build with the debug profile and start delve (or gdb) on it, or debug a binary or a core dump
///
/// The program is built like `gv build --debug` (every package -N -l, DWARF kept, full
/// tracebacks) into a private directory under gv's cache, verified, and then `dlv exec` is
/// run on it in this directory with the selected SDK's GOROOT and PATH, so delve finds the
/// runtime's sources. Before building, gv checks that this dlv can debug the selected Go
/// (delve's own supported range per release) and refuses, with the fix, when it cannot.
///
/// Given a BINARY (a file, not a package) gv debugs it as it is; given a core dump, gv
/// opens it with its BINARY, or without one finds the binary in the symbol store by the
/// build ID in the core. A stripped binary (gv build --release) gets its debug information
/// from the symbol store by its GNU build ID, else from the debuginfod servers
/// DEBUGINFOD_URLS names (fetched into the store), each checked to carry that build ID.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv debug                              build the package here, start dlv on it
  gv debug ./cmd/app -- -port 8080      arguments after -- go to the program
  gv debug -tags integration .          build flags are go build's, merged with the profile's
  gv debug --gdb                        the same under gdb
  gv debug -D --headless -D --listen=:2345    delve as a server for an editor to attach to
  gv debug ./app -- -port 8080          debug a binary as it is (a release one: its DWARF
                                        comes from the symbol store)
  gv debug --core core ./app            open a core dump (GOTRACEBACK=crash + ulimit -c)
  gv debug --core core                  the same; the binary is found by the core's build ID
  gv debug --gdb -D -batch -D -ex -D bt --core core ./app
  DEBUGINFOD_URLS=http://symbols:8002 gv debug --gdb --core core
                                        what this machine lacks is fetched from debuginfod

dlv is looked up in the shared GOBIN, then on PATH; `gv tools install dlv` puts one there.
Exit codes: 1 when the build fails, misses the debug profile, or the debugger cannot read
this Go; otherwise the debugger's own.")]
pub struct Args {
    /// Debug with gdb instead of delve
    #[arg(long)]
    gdb: bool,
    /// Open this core dump instead of building: gv debug --core CORE [BINARY]
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
    /// go build flags and the package (or .go files); or a BINARY to debug as it is; with
    /// --core, the BINARY (optional)
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
        None => match given_binary(session, &args) {
            Some(binary) => open(session, &args, debugger, &binary, None),
            None => run_program(session, &args, debugger),
        },
    }
}

fn run_program(session: &Session, args: &Args, debugger: Debugger) -> anyhow::Result<ExitCode> {
    let super::Here {
        selection,
        config,
        plan,
    } = session.here()?;
    let mut profile = super::build::profile(session, "debug", config)?;
    // The program is debugged at once, with its DWARF in it: nothing to keep apart.
    profile.keep_debug = false;
    ui::warn_once(session.store(), &plan.warnings);
    let mut words = args.args.clone();
    if !args.after.is_empty() {
        words.push("--".into());
        words.extend(args.after.iter().cloned());
    }
    let mut planned = gobuild::plan(&profile, &words, Mode::Build, |name| {
        gv_core::process::var_os(name)
    })
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
    let debugger_path = find_debugger(
        debugger,
        gobin.as_deref(),
        toolchain.version.as_ref(),
        &args.debugger_args,
    )?;

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
        &debug::Aids::default(),
        &args.debugger_args,
    ))
    .envs(plan.changes())
    .envs(&profile_env)
    .current_dir(session.cwd());
    Ok(exec(cmd, &debugger_path))
}

/// `./app` from the user reads better without the `./` in the middle of a path.
fn resolve(session: &Session, p: &Path) -> PathBuf {
    session.cwd().join(
        p.components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect::<PathBuf>(),
    )
}

/// `gv debug BINARY`: one word that names a file (not a `.go` file): a binary to debug
/// as it is, not a package to build.
fn given_binary(session: &Session, args: &Args) -> Option<PathBuf> {
    let [word] = args.args.as_slice() else {
        return None;
    };
    if word.starts_with('-') || word.ends_with(".go") {
        return None;
    }
    let path = resolve(session, Path::new(word));
    path.is_file().then_some(path)
}

fn run_core(
    session: &Session,
    args: &Args,
    debugger: Debugger,
    core: &Path,
) -> anyhow::Result<ExitCode> {
    if !args.after.is_empty() {
        return Err(UsageError::new("a core dump takes no program arguments").into());
    }
    let binary = match args.args.as_slice() {
        [] => None,
        [binary] => Some(resolve(session, Path::new(binary))),
        _ => {
            return Err(UsageError::hinted(
                "--core takes the core file, then at most one BINARY: gv debug --core CORE [BINARY]",
                "the binary must be the one that dumped core; without it, gv finds it in the symbol store by the core's build ID",
            )
            .into());
        }
    };
    let core = resolve(session, core);
    if !core.is_file() {
        bail!(Hinted::new(
            format!("{} is not a file", core.display()),
            format!(
                "a Go program dumps core with GOTRACEBACK=crash and `ulimit -c unlimited`; {}",
                gv_core::platform::CORE_DUMPS_LAND
            )
        ));
    }
    let info = crate::symbols::coredump::read(&core);
    let binary = match binary {
        Some(binary) => {
            if let (Ok(info), Ok(Some(theirs))) = (&info, store::file_build_id(&binary))
                && let Some(dumped) = &info.build_id
                && *dumped != theirs
            {
                bail!(Hinted::new(
                    format!(
                        "{} was dumped by the executable with build ID {dumped}, and {} has build ID {theirs}: it is another build",
                        core.display(),
                        binary.display()
                    ),
                    "give the binary that dumped core, or leave BINARY out: gv finds it in the symbol store by the core's build ID"
                ));
            }
            binary
        }
        None => executable_of(&core, info?)?,
    };
    open(session, args, debugger, &binary, Some(&core))
}

/// The executable that dumped `core`, from the symbol store (or a debuginfod server)
/// by the build ID in the core.
fn executable_of(core: &Path, info: crate::symbols::coredump::CoreInfo) -> anyhow::Result<PathBuf> {
    let named = info
        .executable
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let Some(id) = info.build_id else {
        bail!(UsageError::hinted(
            format!(
                "{} does not say which build of its executable{named} dumped it (no GNU build ID in its memory image)",
                core.display()
            ),
            "give the binary: gv debug --core CORE BINARY"
        ));
    };
    let store = SymbolStore::from_env()?;
    if let Some(found) = store.check(&id)?
        && let Some(executable) = found.executable
    {
        ui::info(format!(
            "gv: {} was dumped by build {}{named}, kept in the symbol store as {}",
            core.display(),
            id.short(),
            executable.display()
        ));
        return Ok(executable);
    }
    if let Some(executable) = fetch_missing(&store, &id, Artifact::Executable)? {
        return Ok(executable);
    }
    bail!(Hinted::new(
        format!(
            "{} was dumped by build {id}{named}, which is not in the symbol store ({})",
            core.display(),
            store.root().display()
        ),
        "give the binary (gv debug --core CORE BINARY), or set DEBUGINFOD_URLS to a debuginfod server that has it"
    ))
}

/// Asks the servers `DEBUGINFOD_URLS` names for `artifact` of `id`, filing it in the
/// store; `None` when none is set or none has it (said as a warning).
fn fetch_missing(
    store: &SymbolStore,
    id: &crate::symbols::BuildId,
    artifact: Artifact,
) -> anyhow::Result<Option<PathBuf>> {
    let value = gv_core::process::var(gv_core::vars::DEBUGINFOD_URLS).unwrap_or_default();
    let (servers, ignored) = debuginfod::servers(&value);
    for url in &ignored {
        ui::warn(format!(
            "{} names {url}, which is not an http or https URL: gv asks only those",
            gv_core::vars::DEBUGINFOD_URLS
        ));
    }
    if servers.is_empty() {
        return Ok(None);
    }
    let http = crate::sources::fetch::Http::new()?;
    let outcome = debuginfod::fetch(&http, store, &servers, id, artifact, false);
    if let Some((path, url)) = outcome.fetched {
        ui::info(format!("gv: fetched {url} into the symbol store"));
        return Ok(Some(path));
    }
    ui::warn(format!(
        "no debuginfod server had build ID {id}:\n{}",
        outcome
            .misses
            .iter()
            .map(|m| format!("  - {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    Ok(None)
}

/// What the debugger needs to show `binary`: for a stripped one, its debug twin (from
/// the symbol store, else a debuginfod server), checked to carry the binary's build ID;
/// for a trimmed one, where its module's sources are.
fn aids_for(binary: &Path, report: &inspect::Inspection) -> anyhow::Result<Aids> {
    let mut aids = Aids {
        trimmed: report.trimpath,
        ..Aids::default()
    };
    if report.dwarf.is_some() || report.format != "elf" {
        return Ok(aids);
    }
    let Ok(Some(id)) = store::file_build_id(binary) else {
        ui::warn(format!(
            "{} has neither DWARF nor a GNU build ID to find its debug information by: the debugger shows no arguments, locals or source lines (gv build --release keeps them apart)",
            binary.display()
        ));
        return Ok(aids);
    };
    let store = SymbolStore::from_env()?;
    let found = match store.check(&id)? {
        Some(found) => Some(found.debug_file),
        None => fetch_missing(&store, &id, Artifact::Debuginfo)?,
    };
    match found {
        Some(debug_file) => {
            ui::info(format!(
                "gv: the debug information of {} (build ID {}) is {}",
                binary.display(),
                id.short(),
                debug_file.display()
            ));
            aids.debug_dir = Some(store.root().to_path_buf());
            aids.module_dir = store
                .record(&id)
                .and_then(|record| module_dir(report, &record));
        }
        None => ui::warn_hinted(
            format!(
                "the debug information of {} (build ID {id}) is not in the symbol store ({}): the debugger shows no arguments, locals or source lines",
                binary.display(),
                store.root().display()
            ),
            format!(
                "set {} to a debuginfod server that has it (`debuginfod -F` serving the store of the machine that built it)",
                gv_core::vars::DEBUGINFOD_URLS
            ),
        ),
    }
    Ok(aids)
}

/// The main module's path and its directory on this machine, from the build's record:
/// the main package's directory, less the package's path inside the module.
fn module_dir(report: &inspect::Inspection, record: &store::Record) -> Option<(String, PathBuf)> {
    let info = report.build_info.as_ref()?;
    let module = info
        .main_module
        .as_deref()?
        .split_whitespace()
        .next()?
        .to_string();
    let package = record.package.as_deref()?;
    let mut dir = record.project.clone()?;
    let inside = package.strip_prefix(module.as_str())?;
    if !inside.is_empty() && !inside.starts_with('/') {
        return None;
    }
    for _ in inside.split('/').filter(|p| !p.is_empty()) {
        dir = dir.parent()?.to_path_buf();
    }
    dir.is_dir().then_some((module, dir))
}

/// Opens `binary` (with `core`, when given) in the debugger, with what it needs to show
/// it.
fn open(
    session: &Session,
    args: &Args,
    debugger: Debugger,
    binary: &Path,
    core: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let report = match inspect::inspect(binary) {
        Ok(report) => report,
        Err(err) => {
            crate::error::print(&err);
            return Ok(ExitCode::from(2));
        }
    };
    let built_with = report
        .go_version()
        .and_then(crate::tools::stale::parse_go_version);
    let aids = aids_for(binary, &report)?;
    if aids.debug_dir.is_none() && report.dwarf.is_some() {
        let verdict = inspect::expect::check(&report, Expectation::Debug);
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
    let debugger_path = find_debugger(
        debugger,
        gobin.as_deref(),
        built_with.as_ref(),
        &args.debugger_args,
    )?;
    let goroot = here.selection.resolved.goroot();
    let target = match core {
        Some(core) => Target::Core { binary, core },
        None => Target::Program {
            binary,
            args: &args.after,
        },
    };
    let mut cmd = Command::new(&debugger_path);
    cmd.args(debug::argv(
        debugger,
        &target,
        goroot.as_deref(),
        &aids,
        &args.debugger_args,
    ))
    .envs(here.plan.changes())
    .current_dir(session.cwd());
    if debugger == Debugger::Delve
        && let Some(home) = delve_config_home(&aids)?
    {
        if core.is_none() {
            ui::info(format!(
                "gv: delve reads the symbol store from its config in XDG_CONFIG_HOME={}, which the program inherits",
                home.display()
            ));
        }
        cmd.env("XDG_CONFIG_HOME", home);
    }
    Ok(exec(cmd, &debugger_path))
}

/// A private `XDG_CONFIG_HOME` whose `dlv/config.yml` points delve at the symbol store
/// (see [`debug::dlv_config`]); `None` when the binary needs no aid.
fn delve_config_home(aids: &Aids) -> anyhow::Result<Option<PathBuf>> {
    let user = debug::user_dlv_config();
    let Some(config) = debug::dlv_config(aids, user.as_deref()) else {
        return Ok(None);
    };
    let cache = gv_core::store::Cache::from_env()?;
    let digest = {
        use sha2::Digest as _;
        sha2::Sha256::digest(config.as_bytes())
    };
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let home = cache.debug_builds().join(format!("dlv-config-{name}"));
    let file = home.join("dlv").join("config.yml");
    gv_core::platform::create_private_dir(&cache.debug_builds())
        .and_then(|()| std::fs::create_dir_all(home.join("dlv")))
        .and_then(|()| crate::fsutil::write_atomic(&file, config.as_bytes()))
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(Some(home))
}

/// The debugger to run, after checking that it can read Go `go`.
fn find_debugger(
    debugger: Debugger,
    gobin: Option<&Path>,
    go: Option<&gv_core::Version>,
    debugger_args: &[String],
) -> anyhow::Result<PathBuf> {
    let path_var = gv_core::process::var_os("PATH");
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
        // delve's own switch for its own check: the user takes the risk, gv says it once.
        let unchecked = debugger_args
            .iter()
            .any(|a| a == "--check-go-version=false");
        match debug::check_delve(&found, go) {
            Ok(None) => {}
            Ok(Some(warning)) => ui::warn(warning),
            Err(refusal) if unchecked => ui::warn(format!(
                "{} (--check-go-version=false: starting it anyway)",
                refusal.message
            )),
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
