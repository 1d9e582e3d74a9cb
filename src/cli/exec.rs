use std::ffi::OsString;
use std::process::{Command, ExitCode};

use gv_core::select::SelectError;
use gv_core::session::SessionError;

use super::Session;
use crate::ui;

/// Exit codes, as a shim's: 127 "command not found" (no such version or command), 126
/// "cannot execute".
const EXIT_NOT_FOUND: u8 = 127;
const EXIT_CANNOT_EXECUTE: u8 = 126;

/// Run a command with the Go environment a shim would give it (GOROOT, PATH, GOTOOLCHAIN, [env])
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv exec go version\n  gv exec make test           every go that make runs is the selected SDK's\n  gv exec -- env | grep ^GO   see what the child gets (gv env explains it)"
)]
pub struct Args {
    /// The command and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let super::Here {
        selection, plan, ..
    } = match session.here() {
        Ok(here) => here,
        // As a shim does: 127, the shell's "command not found", when the version is missing.
        Err(SessionError::Select(e @ SelectError::NotInstalled { .. })) => {
            ui::report(&crate::error::report(&e.into()));
            return Ok(ExitCode::from(EXIT_NOT_FOUND));
        }
        Err(e) => return Err(e.into()),
    };
    ui::warn_once(session.store(), &plan.warnings);
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    // PATH in the plan puts the SDK's bin/ first, and Command searches the child's PATH.
    let err = gv_core::platform::exec(plan.apply(Command::new(program).args(rest)));
    ui::report(&crate::error::Report {
        message: format!(
            "cannot run `{}` (with Go {}): {err}",
            program.to_string_lossy(),
            selection.resolved.name()
        ),
        hint: Some(
            if err.kind() == std::io::ErrorKind::NotFound {
                "it is neither in the SDK's bin/ nor on PATH"
            } else {
                "check that it is an executable file"
            }
            .to_string(),
        ),
    });
    Ok(ExitCode::from(
        if err.kind() == std::io::ErrorKind::NotFound {
            EXIT_NOT_FOUND
        } else {
            EXIT_CANNOT_EXECUTE
        },
    ))
}
