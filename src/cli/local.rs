use std::process::ExitCode;

use anyhow::bail;
use gv_core::Spec;
use gv_core::select::{GO_VERSION_FILE, Origin};

use super::Session;
use super::latest_patch::{self, LatestPatchArgs, Scope};
use super::pin_args::PinArgs;
use crate::error::Hinted;
use crate::pin;

/// Pin the current directory to a Go version (writes ./.go-version)
///
/// Without a version, prints the version pinned by the nearest .go-version and its path.
/// A version that is neither installed nor a release in the (cached) index is refused.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv local 1.22.10     pin exactly\n  gv local 1.22        newest installed 1.22.x (written as 1.22, which goenv and setup-go read too)\n  gv local 1.22 --exact   write the 1.22.x that is newest today\n  gv local latest      write the newest version (as a number: 1.23.9)\n  gv local system      remove ./.go-version, as goenv does\n  gv local             show the pin that applies here\n  gv local --unset     remove ./.go-version\n  gv local --latest-patch   move the pin here to its newest patch (1.22.3 -> 1.22.10), installing it"
)]
pub struct Args {
    #[command(flatten)]
    setting: PinArgs,
    #[command(flatten)]
    latest: LatestPatchArgs,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    if args.latest.latest_patch {
        return latest_patch::run(session, Scope::Local, &args.latest);
    }
    let here = session.cwd().join(GO_VERSION_FILE);
    if args.setting.unset {
        if !pin::unset(&here)? {
            crate::ui::warn(format!("there is no {} to remove", here.display()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(wanted) = args.setting.spec {
        if wanted.spec == Spec::System {
            return use_system(session, &here);
        }
        let known = pin::Known::load(
            session.store(),
            &session.config().cloned().unwrap_or_default(),
        )?;
        let planned = pin::plan(&known, &wanted, args.setting.exact, args.setting.force)?;
        pin::write(&here, &planned, &wanted.spec)?;
        // A fresh look: the pin just written decides now.
        crate::ide::goland::follow_pin(&session.at(session.cwd().to_path_buf()));
        return Ok(ExitCode::SUCCESS);
    }
    match &session.discovery().pin {
        Some(Err(err)) => Err(err.clone().into()),
        Some(Ok((Origin::GoVersionFile { path } | Origin::ToolVersions { path }, entries))) => {
            for spec in &entries.specs {
                crate::outln!("{}", crate::pin::describe(session.store(), spec)?);
            }
            crate::ui::info(format!("(from {})", path.display()));
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(Hinted::new(
            format!(
                "no .go-version in {} or any directory above it",
                session.cwd().display()
            ),
            "run `gv local 1.22` to pin this directory"
        )),
    }
}

/// `gv local system`, as goenv does it: the local pin goes, and what is in line after it
/// decides here — the system go, where nothing else does.
fn use_system(session: &Session, here: &std::path::Path) -> anyhow::Result<ExitCode> {
    if pin::unset(here)? {
        crate::ui::info(format!("removed {}", here.display()));
    } else {
        crate::ui::info(format!("there is no {} to remove", here.display()));
    }
    let after = session.at(session.cwd().to_path_buf());
    if gv_core::select::find_system_go(session.store(), session.select_env().path.as_deref())
        .is_none()
    {
        crate::ui::warn_hinted(
            "there is no go on PATH outside gv's directories, so there is no system go to use",
            "install Go with your package manager, or pin a managed version with `gv local 1.22`",
        );
    }
    match after.selection() {
        Ok(selection) => crate::ui::info(format!(
            "Go {} applies here now ({})",
            selection.resolved.name(),
            selection.request.origin
        )),
        // Said just above.
        Err(gv_core::SelectError::NothingSelected) => {}
        Err(err) => {
            let report = crate::error::report(&err.into());
            match report.hint {
                Some(hint) => crate::ui::warn_hinted(report.message, hint),
                None => crate::ui::warn(report.message),
            }
        }
    }
    crate::ide::goland::follow_pin(&after);
    Ok(ExitCode::SUCCESS)
}
