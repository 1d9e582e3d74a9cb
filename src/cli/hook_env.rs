use std::process::ExitCode;

use super::Session;
use crate::shell::Shell;
use crate::ui;

/// Print the shell code that applies the Go environment of the current directory
///
/// Called by the hook `gv init` installs, after it has restored what the previous call
/// applied; not meant to be run by hand. (The init scripts call `gv-shim hook-env`,
/// the same code in a binary that starts faster, when it is installed.)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print code for
    #[arg(long, value_enum)]
    shell: Shell,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let out = gv_core::hook::hook_env(args.shell.syntax(), session);
    for warning in out.warnings {
        ui::warn(warning);
    }
    crate::out!("{}", out.code);
    Ok(ExitCode::SUCCESS)
}
