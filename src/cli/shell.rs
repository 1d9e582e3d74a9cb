use std::process::ExitCode;

use anyhow::bail;
use gv_core::select::SelectEnv;

use super::pin_args::PinArgs;
use super::{Session, UsageError};
use crate::error::Hinted;
use crate::shell::Shell;
use gv_core::vars::VERSION;

/// Use a Go version in this shell only (sets GV_VERSION), or show the override
///
/// Needs the shell integration (`gv init`): a program cannot change its shell's
/// environment, so the `gv` shell function evaluates what this command prints.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv shell 1.22.3      this shell uses Go 1.22.3, whatever the directory pins\n  gv shell             show this shell's override\n  gv shell --unset     back to the pins"
)]
pub struct Args {
    #[command(flatten)]
    setting: PinArgs,
    /// Print code for this shell (the `gv` function passes it)
    #[arg(long, value_enum, hide = true)]
    shell: Option<Shell>,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    if args.setting.spec.is_none() && !args.setting.unset {
        match &session.select_env().gv_version {
            Some(version) => crate::outln!("{version}"),
            None => bail!(Hinted::new(
                format!("this shell has no version override ({VERSION} is not set)"),
                "run `gv shell 1.22` to use Go 1.22 in this shell"
            )),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(shell) = args.shell else {
        return Err(UsageError::hinted(
            "`gv shell` changes this shell's environment, which only the shell integration can do",
            format!(
                "add this line to your shell's rc file and open a new shell:\n    {}",
                Shell::detect().unwrap_or_else(Shell::fallback).rc_line()
            ),
        )
        .into());
    };
    match args.setting.spec {
        Some(wanted) => {
            let known = crate::pin::Known::load(
                session.store(),
                &session.config().cloned().unwrap_or_default(),
            )?;
            let planned =
                crate::pin::plan(&known, &wanted, args.setting.exact, args.setting.force)?;
            for warning in &planned.warnings {
                crate::ui::warn(warning);
            }
            // Said here, where it was asked for, and marked as said: the hook the shell
            // function runs next would otherwise say the same again.
            let pinned = session.with_select_env(SelectEnv {
                gv_version: Some(planned.text.clone()),
                ..session.select_env().clone()
            });
            if let Some(notice) = gv_core::hook::selection_notice(&pinned) {
                gv_core::notice::mark_seen(session.store(), std::slice::from_ref(&notice));
                crate::ui::warn(notice);
            }
            let value = shell.quote(&planned.text);
            crate::outln!(
                "{}",
                match shell {
                    Shell::Bash | Shell::Zsh => format!("export {VERSION}={value}"),
                    Shell::Fish => format!("set -gx {VERSION} {value}"),
                    Shell::Powershell => format!("$env:{VERSION} = {value}"),
                }
            );
        }
        None => crate::outln!(
            "{}",
            match shell {
                Shell::Bash | Shell::Zsh => format!("unset {VERSION}"),
                Shell::Fish => format!("set -e {VERSION}"),
                Shell::Powershell => format!("$env:{VERSION} = $null"),
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
}
