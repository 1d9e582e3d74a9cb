use std::process::ExitCode;

use anyhow::bail;

use super::Session;
use super::latest_patch::{self, LatestPatchArgs, Scope};
use super::pin_args::PinArgs;
use crate::error::Hinted;
use crate::pin;

/// Set or show the global default Go version
///
/// The global default applies wherever no GV_VERSION, pin file or go.mod decides, and is
/// the version a go.mod or go.work gets when it satisfies it (Go's "local toolchain").
/// GV_ROOT/current always links to its GOROOT, for IDEs (see `gv ide`). A version that is
/// neither installed nor a release in the (cached) index is refused.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv global 1.22       newest installed 1.22.x everywhere by default\n  gv global latest     the newest version, written as a number (1.23.9)\n  gv global            show the global default\n  gv global --unset    fall back to the system go\n  gv global --latest-patch   move the global default to its newest patch, installing it"
)]
pub struct Args {
    #[command(flatten)]
    setting: PinArgs,
    #[command(flatten)]
    latest: LatestPatchArgs,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    if args.latest.latest_patch {
        return latest_patch::run(session, Scope::Global, &args.latest);
    }
    let file = session.store().global_file();
    if args.setting.unset {
        pin::unset_global(session.store())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(wanted) = args.setting.spec {
        let known = pin::Known::load(
            session.store(),
            &session.config().cloned().unwrap_or_default(),
        )?;
        let planned = pin::plan(&known, &wanted, args.setting.exact, args.setting.force)?;
        pin::write_global(session.store(), &planned, &wanted.spec)?;
        return Ok(ExitCode::SUCCESS);
    }
    let specs = if file.is_file() {
        pin::read(&file)?
    } else {
        Vec::new()
    };
    if specs.is_empty() {
        bail!(Hinted::new(
            "no global default is set",
            "run `gv global 1.22` (or `gv global latest`)"
        ));
    }
    for spec in specs {
        crate::outln!("{}", pin::describe(session.store(), &spec)?);
    }
    Ok(ExitCode::SUCCESS)
}
