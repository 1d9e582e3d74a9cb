use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::{Resolved, Spec, Version, pinfile};

use super::{Session, UsageError};
use crate::error::Hinted;
use crate::install;
use crate::ui;

/// Remove an installed Go version
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv uninstall 1.22.10         asks before removing
  gv uninstall 1.22.10 --yes   for scripts")]
pub struct Args {
    /// The installed version to remove (exact, or a prefix that matches one version)
    #[arg(value_parser = clap::value_parser!(Spec), value_name = "VERSION", add = super::complete::installed_only())]
    spec: Spec,
    /// Do not ask for confirmation (`-f`/`--force`, goenv's spelling, too)
    #[arg(long, short, short_alias = 'f', alias = "force")]
    yes: bool,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let installed = session.store().installed()?;
    match &args.spec {
        Spec::System => {
            return Err(UsageError::hinted(
                "`system` is the go found on PATH outside gv; gv does not uninstall it",
                "remove it with the tool that installed it (your package manager, or rm -r its GOROOT)",
            )
            .into());
        }
        // Removing "whatever is newest" is a guess nobody should make for you.
        Spec::Latest => {
            return Err(match args.spec.best_match(&installed) {
                Some(newest) => UsageError::hinted(
                    "`latest` names whichever Go is newest, not one installed version",
                    format!(
                        "name it: `{}` (the newest installed)",
                        gv_core::suggest::command(["gv", "uninstall", &newest.to_string()])
                    ),
                ),
                None => UsageError::hinted(
                    "`latest` names whichever Go is newest, not one installed version",
                    "`gv list` shows what is installed",
                ),
            }
            .into());
        }
        _ => {}
    }
    let matching: Vec<&Version> = installed.iter().filter(|v| args.spec.matches(v)).collect();
    let version = match matching.as_slice() {
        [one] => (*one).clone(),
        [] => {
            anyhow::bail!(Hinted::new(
                format!("Go {} is not installed", args.spec),
                "`gv list` shows what is installed"
            ))
        }
        many => {
            let names: Vec<String> = many.iter().map(ToString::to_string).collect();
            return Err(UsageError::new(format!(
                "`{}` matches several installed versions ({}); name one exactly",
                args.spec,
                names.join(", ")
            ))
            .into());
        }
    };

    for warning in warnings(session, &installed, &version) {
        ui::warn(warning);
    }
    if !args.yes && !super::confirm(&format!("remove Go {version}?"), "pass --yes")? {
        ui::info("nothing removed");
        return Ok(ExitCode::FAILURE);
    }
    let goroot = install::uninstall(session.store(), &version)?;
    install::after_store_change(session.store()).context("cannot sync the store")?;
    ui::info(format!("removed Go {version} ({})", goroot.display()));
    Ok(ExitCode::SUCCESS)
}

/// Removing a version that something still asks for is allowed, but said out loud.
fn warnings(session: &Session, installed: &[Version], version: &Version) -> Vec<String> {
    let mut out = Vec::new();
    let global = session.store().global_file();
    if let Ok(Some(entries)) = pinfile::read_go_version(&global)
        && entries
            .specs
            .iter()
            .find_map(|s| s.best_match(installed))
            .is_some_and(|v| v == version)
    {
        out.push(format!(
            "Go {version} is the global default ({}); run `gv global` with another version afterwards",
            global.display()
        ));
    }
    if let Ok(selection) = session.selection()
        && let Resolved::Managed {
            version: active, ..
        } = &selection.resolved
        && active == version
    {
        out.push(format!(
            "Go {version} is the version selected here ({}); go commands here will fail until it is reinstalled",
            selection.request.origin
        ));
    }
    out
}
