//! `gv-shim`: installed by `gv rehash` as `GV_ROOT/shims/go`, `gofmt`, … (hard links of
//! this one binary). It runs before every go command, so it does as little as possible:
//! pick the version for the current directory with the same code as `gv current`, build
//! the environment with the same code as `gv env`, and `exec` the real binary — no child
//! left behind, so exit codes and signals are the real tool's. Windows has no `exec`:
//! there the shim waits for the tool and exits with its code (`platform::exec_with_env`).
//!
//! A shim remembers its answer for its directory and, while nothing that answer rests on
//! has changed, the next one in that directory execs at once (`gv_core::answer_cache`):
//! on x86-64 Linux from the shim's own entry point, before the C library starts
//! (`entry.rs`), elsewhere from `run`.
//!
//! It never reads the release index or the vulnerability database and never touches the
//! network (a version's verdict is one small file gv wrote); it writes only the marker of
//! a notice it showed (`GV_ROOT/.hints/`) and its remembered answer. With
//! `GV_AUTO_INSTALL=1` (or `auto_install = true`) a missing version is installed by
//! running `gv install` first.

#![no_main]

#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "musl"))]
mod entry;
mod heap;
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
mod mem;

use std::convert::Infallible;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gv_core::error::{Hinted, Report};
use gv_core::notice::{self, Notice};
use gv_core::select::{self, SelectError, Selection};
use gv_core::session::Session;
use gv_core::text::escape_controls;
use gv_core::{Store, hook, platform, shell_syntax, shim, suggest};

/// Exit codes, shell-style: 127 "command not found" for a version or tool that is not
/// installed, 126 "cannot execute" for a shim loop, 1 for any other gv error.
const EXIT_NOT_FOUND: u8 = 127;
const EXIT_CANNOT_EXECUTE: u8 = 126;

/// Why the shim stops, and the exit code that says so.
struct Failure {
    code: u8,
    report: Report,
}

impl Failure {
    fn new(code: u8, err: &(dyn std::error::Error + 'static)) -> Failure {
        Failure {
            code,
            report: gv_core::diagnostics::report(err),
        }
    }

    fn hinted(code: u8, message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::new(code, &Hinted::new(message, hint))
    }
}

impl<E: std::error::Error + 'static> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::new(1, &e)
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
            // The shim's messages are one line and a hint: a newline in a path they
            // quote is spelled out, never a line of its own.
            let report = Report {
                message: gv_core::text::one_line(&failure.report.message).into_owned(),
                hint: failure
                    .report
                    .hint
                    .as_deref()
                    .map(|h| gv_core::text::one_line(h).into_owned()),
            };
            say("error", &report.to_string());
            std::ffi::c_int::from(failure.code)
        }
    }
}

/// One message on stderr, with whatever came from files made harmless for the terminal.
/// Its label is coloured by gv's own rules (a terminal, no NO_COLOR), as gv's are.
fn say(kind: &str, text: &str) {
    use gv_core::color::{self, Style};
    use std::io::IsTerminal as _;
    gv_core::notice::log_message(text);
    let style = if kind == "error" {
        Style::Red
    } else {
        Style::Yellow
    };
    let label = color::paint(
        &format!("gv: {kind}:"),
        style,
        color::enabled(std::io::stderr().is_terminal()),
    );
    eprintln!("{label} {}", escape_controls(text));
}

fn run(argv0: &OsStr, mut args: std::vec::IntoIter<OsString>) -> Result<Infallible, Failure> {
    let tool = platform::tool_name(argv0);
    let tool = tool.to_str().ok_or_else(|| {
        Failure::hinted(
            2,
            format!("{argv0:?} is not a valid tool name"),
            "shims are named after Go's tools: go, gofmt, …",
        )
    })?;
    if tool == "gv-shim" {
        if let (Some(cmd), Some(flag), Some(shell), None) =
            (args.next(), args.next(), args.next(), args.next())
            && cmd == "hook-env"
            && flag == "--shell"
            && let Some(syntax) = shell.to_str().and_then(shell_syntax::Syntax::of_shell)
        {
            return hook_env(syntax);
        }
        return Err(Failure::hinted(
            2,
            "gv-shim is not run by this name: `gv rehash` links it as go, gofmt, … in GV_ROOT/shims",
            "run `gv rehash`, put GV_ROOT/shims on PATH, then run `go`",
        ));
    }

    // Go's own commands only: a shim by any other name (left by an older gv that made
    // one per file in an SDK's bin/) must not stand in for `ls` or `sudo`.
    if !shim::is_go_command(tool) {
        return Err(Failure::hinted(
            EXIT_NOT_FOUND,
            format!(
                "`{tool}` is not one of Go's commands ({}): gv runs no other program through its shims",
                shim::GO_COMMANDS.join(", ")
            ),
            "this shim was left by an older gv; `gv rehash` removes it",
        ));
    }

    let depth = shim::depth(gv_core::process::var_os(gv_core::vars::SHIM_DEPTH).as_deref());
    if depth >= shim::MAX_DEPTH {
        return Err(Failure::hinted(
            EXIT_CANNOT_EXECUTE,
            format!(
                "the `{tool}` shim ran itself {depth} times in a row ({}={depth}): the `{tool}` it runs is a gv shim again",
                gv_core::vars::SHIM_DEPTH
            ),
            format!(
                "a copy of a gv shim is probably on PATH outside GV_ROOT, or a version's bin/{tool} points back to the shims; `{}` shows the target",
                suggest::command(["gv", "which", tool])
            ),
        ));
    }

    let args: Vec<OsString> = args.collect();
    let cwd = gv_core::process::current_dir()
        .map_err(|e| Failure::from(gv_core::session::SessionError::Cwd(e.into())))?;
    // Where the entry point has looked already (x86-64 Linux), a miss is not looked up
    // again.
    let looked = entry_tried();
    if let Some(answer) = (!looked)
        .then(|| gv_core::answer_cache::lookup(&cwd))
        .flatten()
    {
        let binary = select::sdk_binary(&answer.goroot, tool);
        let set = answer
            .set
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_os_str()));
        let remove = answer.remove.iter().map(String::as_str);
        // Returns only when the exec failed (the version was removed meanwhile, …):
        // then the answer is worked out afresh, and a failure reported as usual.
        let _ = exec(&binary, args.clone(), set, remove, depth);
    }
    // Working an answer out takes ~35 KiB of heap and ~19 KiB of stack, mapped in one go;
    // reusing one takes a few pages, cheaper to fault in as touched (measured: 0.016 ms
    // less per reusing run).
    heap::prefault();
    let recording = gv_core::answer_cache::Recording::start();

    let mut session = Session::from_process_in(cwd)?;
    let auto = || -> Result<bool, Failure> {
        Ok(shim::auto_install(
            session.config()?,
            gv_core::process::var_os(gv_core::vars::AUTO_INSTALL).as_deref(),
        )?)
    };
    match session.selection() {
        Err(err @ SelectError::NotInstalled { .. }) => {
            if !auto()? {
                return Err(Failure::new(EXIT_NOT_FOUND, &err));
            }
            auto_install_missing(&session, &err)?;
            session.reselect();
        }
        // What the go command would run is not installed, and a newer version stands in:
        // with auto-install on, install exactly that one instead.
        Ok(selection) if selection.request.origin.go_would_run().is_some() && auto()? => {
            let wanted = selection.request.origin.go_would_run().cloned();
            if let Some(wanted) = wanted {
                let why = format!(
                    "go would fetch go{wanted} here ({}), which is not installed",
                    selection.request.origin
                );
                // The stand-in still runs when the install fails.
                if let Err(failure) = install(session.store(), Some(&wanted.to_string()), &why) {
                    say("warning", &failure.report.to_string());
                }
                session.reselect();
            }
        }
        _ => {}
    }
    let selection = session
        .selection()
        .map_err(|e| match e {
            e @ SelectError::NotInstalled { .. } => Failure::new(EXIT_NOT_FOUND, &e),
            e => Failure::from(e),
        })?
        .clone();
    let plan = session.plan()?;
    let notices = session.notices();
    let quiet = notices.is_empty();
    warn(notice::unseen(session.store(), notices));
    // Known vulnerabilities or end of support: one precomputed line, once a day.
    warn(
        gv_core::verdict::due_for(session.store(), &selection.resolved)
            .into_iter()
            .collect(),
    );
    if let Some(recording) = recording {
        recording.remember(&session, quiet);
    }
    let binary = selection.resolved.binary(tool);
    let err = exec(&binary, args, plan.changes(), plan.removals(), depth);
    Err(exec_failure(tool, &binary, &selection, err))
}

/// Whether the shim's own entry point looked for a remembered answer (`entry.rs`).
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "musl"))]
fn entry_tried() -> bool {
    entry::tried()
}

/// No entry point of the shim's own here: `main` looks.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64", target_env = "musl")))]
fn entry_tried() -> bool {
    false
}

/// Runs `binary` in this process with `args`, the variables `set` and `remove` changed,
/// and the shim depth counted one up; returns only when that failed.
fn exec<'a>(
    binary: &Path,
    args: Vec<OsString>,
    set: impl Iterator<Item = (&'a str, &'a OsStr)>,
    remove: impl Iterator<Item = &'a str>,
    depth: u32,
) -> std::io::Error {
    let depth = (depth + 1).to_string();
    let mut changes: Vec<(&str, Option<&OsStr>)> =
        set.map(|(name, value)| (name, Some(value))).collect();
    changes.extend(remove.map(|name| (name, None)));
    changes.push((gv_core::vars::SHIM_DEPTH, Some(OsStr::new(&depth))));
    platform::exec_with_env(binary, args.into_iter(), &changes)
}

/// `gv-shim hook-env --shell SHELL`: the shell hook's one process per directory change.
/// The same engine as `gv hook-env`, in the small static binary that starts fastest.
fn hook_env(syntax: shell_syntax::Syntax) -> Result<Infallible, Failure> {
    heap::prefault();
    let out = hook::hook_env(syntax, &Session::from_process()?);
    warn(out.warnings);
    let mut stdout = std::io::stdout().lock();
    let written = std::io::Write::write_all(&mut stdout, out.code.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout));
    std::process::exit(if written.is_ok() { 0 } else { 1 })
}

fn warn(notices: Vec<Notice>) {
    for notice in notices {
        say("warning", &notice.to_string());
    }
}

fn exec_failure(tool: &str, binary: &Path, selection: &Selection, err: std::io::Error) -> Failure {
    let name = selection.resolved.name();
    let origin = &selection.request.origin;
    if err.kind() == std::io::ErrorKind::NotFound {
        let hint = if selection.resolved.goroot().is_some_and(|g| g.is_dir()) {
            format!(
                "this SDK has no `{tool}`; `{}` shows what it has, and `gv rehash` drops shims no installed version provides",
                suggest::command(["ls", &suggest::path(binary.parent().unwrap_or(binary))])
            )
        } else {
            format!(
                "it was removed meanwhile; reinstall it with `{}`, or pick another with `gv local`",
                suggest::command(["gv", "install", &name])
            )
        };
        return Failure::hinted(
            EXIT_NOT_FOUND,
            format!("Go {name} ({origin}) has no {}", binary.display()),
            hint,
        );
    }
    Failure {
        code: EXIT_CANNOT_EXECUTE,
        report: Report {
            message: format!(
                "cannot run {} (Go {name}, {origin}): {err}",
                binary.display()
            ),
            hint: Some(format!(
                "check the file's permissions, or reinstall with `{}`",
                suggest::command(["gv", "install", &name])
            )),
        },
    }
}

/// Installs what a missing selection asks for ([`SelectError::NotInstalled`]'s own
/// install spec). For a go.mod / go.work, `gv install` with no argument: the toolchain go
/// would fetch, or what else satisfies the file when the release index lacks it.
fn auto_install_missing(session: &Session, missing: &SelectError) -> Result<(), Failure> {
    let SelectError::NotInstalled {
        wanted,
        origin,
        install: Some(spec),
    } = missing
    else {
        return Err(Failure::new(EXIT_NOT_FOUND, missing));
    };
    let spec = (!matches!(**origin, gv_core::Origin::Module { .. })).then_some(spec.as_str());
    install(
        session.store(),
        spec,
        &format!("Go {wanted} is not installed ({origin})"),
    )
}

/// Runs `gv install SPEC` (without SPEC: what this directory selects) with progress on
/// our stderr, its stdout too, so the go command's stdout stays clean; `why` says what is
/// missing.
fn install(store: &Store, spec: Option<&str>, why: &str) -> Result<(), Failure> {
    let command = match spec {
        Some(spec) => suggest::command(["gv", "install", spec]),
        None => suggest::command(["gv", "install"]),
    };
    let Some(gv) = find_gv(store) else {
        return Err(Failure::hinted(
            EXIT_NOT_FOUND,
            format!(
                "{why}, and auto-install cannot find the gv command next to this shim or on PATH"
            ),
            format!("put gv on PATH, or run `{command}` yourself"),
        ));
    };
    say(
        "note",
        &format!(
            "{why}; installing it ({}): {} install{}",
            gv_core::vars::AUTO_INSTALL,
            gv.display(),
            spec.map(|s| format!(" {s}")).unwrap_or_default()
        ),
    );
    let status = Command::new(&gv)
        .arg("install")
        .args(spec)
        .stdin(Stdio::null())
        .stdout(platform::stderr_as_stdio())
        .status()?;
    if !status.success() {
        return Err(Failure::hinted(
            EXIT_NOT_FOUND,
            format!("`{command}` failed ({status}); {why}"),
            format!("see gv's message above; retry with `{command}`"),
        ));
    }
    Ok(())
}

/// The gv command: next to this executable (where `cargo install` puts both), else the
/// first `gv` on PATH outside gv's own store.
fn find_gv(store: &Store) -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(platform::exe_name("gv"))))
        .filter(|p| select::is_executable_file(p));
    beside.or_else(|| {
        select::find_outside_store(store, gv_core::process::var_os("PATH").as_deref(), "gv")
    })
}
