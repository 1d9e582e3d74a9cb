use std::process::ExitCode;

use gv_core::SelectError;
use gv_core::config::Config;
use gv_core::env::EnvError;

use super::Context;
use crate::shell::{Shell, hook};
use crate::ui;

/// Print the shell code that applies the Go environment of the current directory
///
/// Called by the hook `gv init` installs, after it has restored what the previous call
/// applied; not meant to be run by hand.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print code for
    #[arg(long, value_enum)]
    shell: Shell,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    // A directory whose version is not installed (or whose pin is broken) must not break
    // the prompt: say why once, apply nothing, and let the shims explain again on use.
    let (selection, found) = match ctx.select() {
        Ok(found) => found,
        // Outside any project with no default set there is simply nothing to apply.
        Err(err)
            if matches!(
                err.downcast_ref::<SelectError>(),
                Some(SelectError::NothingSelected)
            ) =>
        {
            return Ok(ExitCode::SUCCESS);
        }
        Err(err) => {
            ui::warn(format!("{err:#}"));
            return Ok(ExitCode::SUCCESS);
        }
    };
    let applied = Config::load(found.project_config.as_deref())
        .map_err(EnvError::from)
        .and_then(|config| hook::changes(&selection, &config, |name| std::env::var_os(name)));
    let (changes, mut warnings) = match applied {
        Ok(applied) => applied,
        Err(err) => {
            ui::warn(format!("{err:#}"));
            return Ok(ExitCode::SUCCESS);
        }
    };
    let (code, unrepresentable) = hook::render(args.shell, &changes);
    warnings.extend(unrepresentable);
    for warning in warnings {
        ui::warn(warning);
    }
    print!("{code}");
    Ok(ExitCode::SUCCESS)
}
