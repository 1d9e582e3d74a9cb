//! `gv-shim`: installed by `gv rehash` as `GV_ROOT/shims/go`, `gofmt`, … (hard links of
//! this one binary). It runs before every go command, so it does as little as possible:
//! pick the version for the current directory with the same code as `gv current`, build
//! the environment with the same code as `gv env`, and `exec` the real binary — no child
//! left behind, so exit codes and signals are the real tool's.
//!
//! It never reads the release index, never touches the network and never writes to disk.
//! The one exception is opt-in: with `GV_AUTO_INSTALL=1` (or `auto_install = true`) a
//! missing version is installed by running `gv install` first.

#![no_main]

use std::convert::Infallible;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gv_core::config::Config;
use gv_core::notice::{self, Notice};
use gv_core::select::{self, SelectEnv, SelectError, Selection};
use gv_core::text::escape_controls;
use gv_core::{Store, env, hook, platform, shim};

/// Exit codes, shell-style: 127 "command not found" for a version or tool that is not
/// installed, 126 "cannot execute" for a shim loop, 1 for any other gv error.
const EXIT_NOT_FOUND: u8 = 127;
const EXIT_CANNOT_EXECUTE: u8 = 126;

struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::new(1, e.to_string())
    }
}

// `no_main`: the C `main` below skips std's runtime set-up (stack-guard probing through
// /proc/self/maps, a signal alt-stack, SIGPIPE juggling), which a process that execs
// within a millisecond never needs. The arguments come from `main`'s own parameters:
// `std::env::args_os` relies on glibc handing them to initialisers, which musl does not.
#[unsafe(no_mangle)]
extern "C" fn main(argc: std::ffi::c_int, argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    // SAFETY: the C runtime passes `argc` valid NUL-terminated strings in `argv`.
    let mut args = unsafe { platform::args_from_main(argc, argv) }.into_iter();
    let argv0 = args.next().unwrap_or_default();
    match run(&argv0, args) {
        Ok(never) => match never {},
        Err(failure) => {
            eprintln!("gv: error: {}", escape_controls(&failure.message));
            std::ffi::c_int::from(failure.code)
        }
    }
}

fn run(argv0: &OsStr, mut args: std::vec::IntoIter<OsString>) -> Result<Infallible, Failure> {
    let tool = Path::new(argv0)
        .file_name()
        .unwrap_or(argv0)
        .to_str()
        .ok_or_else(|| Failure::new(2, format!("{argv0:?} is not a valid tool name")))?;
    if tool == "gv-shim" {
        if let (Some(cmd), Some(flag), Some(shell), None) =
            (args.next(), args.next(), args.next(), args.next())
            && cmd == "hook-env"
            && flag == "--shell"
            && let Some(syntax) = shell.to_str().and_then(hook::Syntax::of_shell)
        {
            return hook_env(syntax);
        }
        return Err(Failure::new(
            2,
            "gv-shim is not run by this name: `gv rehash` links it as go, gofmt, … in GV_ROOT/shims\n  hint: run `gv rehash`, put GV_ROOT/shims on PATH, then run `go`",
        ));
    }

    let depth = shim::depth(std::env::var_os(shim::DEPTH_ENV).as_deref());
    if depth >= shim::MAX_DEPTH {
        return Err(Failure::new(
            EXIT_CANNOT_EXECUTE,
            format!(
                "the `{tool}` shim ran itself {depth} times in a row ({}={depth}): the `{tool}` it runs is a gv shim again\n  hint: a copy of a gv shim is probably on PATH outside GV_ROOT, or a version's bin/{tool} points back to the shims; `gv which {tool}` shows the target",
                shim::DEPTH_ENV
            ),
        ));
    }

    let store = Store::from_env()?;
    let senv = SelectEnv::from_process();
    let cwd = std::env::current_dir().map_err(|e| {
        format!("cannot read the current directory: {e}\n  hint: cd to a directory that exists")
    })?;
    let found = select::discover(&cwd);
    let config = Config::load(&store, found.project_config.as_deref())?;
    let request = select::request(&store, &senv, &found)?;
    let selection = match select::resolve(&store, &senv, request.clone()) {
        Ok(selection) => selection,
        Err(err @ SelectError::NotInstalled { .. }) => {
            if !shim::auto_install(&config, std::env::var_os(shim::AUTO_INSTALL_ENV).as_deref())? {
                return Err(Failure::new(EXIT_NOT_FOUND, err.to_string()));
            }
            auto_install(&store, &senv, request, err)?
        }
        Err(other) => return Err(other.into()),
    };

    let plan = env::plan(&selection, &config, |name| std::env::var_os(name))?;
    let mut notices = plan.warnings.clone();
    notices.extend(found.foreign.iter().map(select::Foreign::notice));
    warn(notice::unseen(&store, notices));
    let binary = selection.resolved.binary(tool);
    let depth = (depth + 1).to_string();
    let mut set: Vec<(&str, &OsStr)> = plan.changes().collect();
    set.push((shim::DEPTH_ENV, OsStr::new(&depth)));
    let err = platform::exec_with_env(&binary, args, &set);
    Err(exec_failure(tool, &binary, &selection, err))
}

/// `gv-shim hook-env --shell SHELL`: the shell hook's one process per directory change.
/// The same engine as `gv hook-env`, in the small static binary that starts fastest.
fn hook_env(syntax: hook::Syntax) -> Result<Infallible, Failure> {
    let store = Store::from_env()?;
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let out = hook::hook_env(syntax, &store, &SelectEnv::from_process(), &cwd);
    warn(out.warnings);
    let mut stdout = std::io::stdout().lock();
    let written = std::io::Write::write_all(&mut stdout, out.code.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout));
    std::process::exit(if written.is_ok() { 0 } else { 1 })
}

/// Warnings go to stderr with whatever came from files made harmless for the terminal.
fn warn(notices: Vec<Notice>) {
    for notice in notices {
        eprintln!("gv: warning: {}", escape_controls(&notice.text));
    }
}

fn exec_failure(tool: &str, binary: &Path, selection: &Selection, err: std::io::Error) -> Failure {
    let name = selection.resolved.name();
    if err.kind() == std::io::ErrorKind::NotFound {
        let hint = if selection.resolved.goroot().is_some_and(|g| g.is_dir()) {
            format!(
                "this SDK has no `{tool}`; `ls {}` shows what it has, and `gv rehash` drops shims no installed version provides",
                binary.parent().unwrap_or(binary).display()
            )
        } else {
            format!(
                "it was removed meanwhile; reinstall it with `gv install {name}`, or pick another with `gv local`"
            )
        };
        return Failure::new(
            EXIT_NOT_FOUND,
            format!(
                "Go {name} ({}) has no {}\n  hint: {hint}",
                selection.request.origin,
                binary.display()
            ),
        );
    }
    Failure::new(
        EXIT_CANNOT_EXECUTE,
        format!(
            "cannot run {} (Go {name}, {}): {err}\n  hint: check the file's permissions, or reinstall with `gv install {name}`",
            binary.display(),
            selection.request.origin
        ),
    )
}

/// Runs `gv install SPEC` (progress on our stderr, its stdout too, so the go command's
/// stdout stays clean), then selects again.
fn auto_install(
    store: &Store,
    senv: &SelectEnv,
    request: select::Request,
    missing: SelectError,
) -> Result<Selection, Failure> {
    let SelectError::NotInstalled {
        wanted,
        install,
        origin,
    } = &missing
    else {
        return Err(missing.into());
    };
    let Some(gv) = find_gv(store) else {
        return Err(Failure::new(
            EXIT_NOT_FOUND,
            format!(
                "Go {wanted} is not installed ({origin}), and auto-install cannot find the gv command next to this shim or on PATH\n  hint: put gv on PATH, or run `gv install {install}` yourself"
            ),
        ));
    };
    let announce = format!(
        "gv: Go {wanted} is not installed ({origin}); installing it ({}): {} install {install}",
        shim::AUTO_INSTALL_ENV,
        gv.display()
    );
    eprintln!("{}", escape_controls(&announce));
    let status = Command::new(&gv)
        .arg("install")
        .arg(install)
        .stdin(Stdio::null())
        .stdout(platform::stderr_as_stdio())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", gv.display()))?;
    if !status.success() {
        return Err(Failure::new(
            EXIT_NOT_FOUND,
            format!(
                "`gv install {install}` failed ({status}), so Go {wanted} is still not installed ({origin})\n  hint: see gv's message above; retry with `gv install {install}`"
            ),
        ));
    }
    select::resolve(store, senv, request).map_err(|e| Failure::new(EXIT_NOT_FOUND, e.to_string()))
}

/// The gv command: next to this executable (where `cargo install` puts both), else the
/// first `gv` on PATH outside gv's own store.
fn find_gv(store: &Store) -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("gv")))
        .filter(|p| select::is_executable_file(p));
    beside.or_else(|| select::find_outside_store(store, std::env::var_os("PATH").as_deref(), "gv"))
}
