use std::process::ExitCode;

use anyhow::bail;
use gv_core::select::{GO_VERSION_FILE, Origin};

use super::Context;
use super::pin_args::PinArgs;
use crate::error::Hinted;
use crate::pin;

/// Pin the current directory to a Go version (writes ./.go-version)
///
/// Without a version, prints the version pinned by the nearest .go-version and its path.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv local 1.22.10     pin exactly\n  gv local 1.22        newest installed 1.22.x\n  gv local             show the pin that applies here\n  gv local --unset     remove ./.go-version"
)]
pub struct Args {
    #[command(flatten)]
    setting: PinArgs,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let here = ctx.cwd().join(GO_VERSION_FILE);
    if args.setting.unset {
        if !pin::unset(&here)? {
            crate::ui::warn(format!("there is no {} to remove", here.display()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(spec) = args.setting.spec {
        pin::write(ctx.store(), &here, &spec)?;
        // A fresh look: the pin just written decides now.
        crate::ide::goland::follow_pin(&ctx.at(ctx.cwd().to_path_buf()));
        return Ok(ExitCode::SUCCESS);
    }
    match &ctx.discovery().pin {
        Some(Err(err)) => Err(err.clone().into()),
        Some(Ok((Origin::GoVersionFile { path } | Origin::ToolVersions { path }, entries))) => {
            for spec in &entries.specs {
                crate::outln!("{spec}");
            }
            crate::ui::info(format!("(from {})", path.display()));
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(Hinted::new(
            format!(
                "no .go-version in {} or any directory above it",
                ctx.cwd().display()
            ),
            "run `gv local 1.22` to pin this directory"
        )),
    }
}
