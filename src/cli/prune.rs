use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::Spec;

use super::Session;
use crate::install;
use crate::prune;
use crate::ui;
use crate::ui::human_size;

/// Remove installed versions that nothing you name still selects
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv prune --dry-run ~/src/api ~/src/cli   what would go, keeping what those projects select
  gv prune --keep 1.22 --yes                keep every 1.22.x and the global default
  gv prune ~/src/api/go.mod                 a pin file or go.mod names its directory

A version stays when it is the global default, matches a --keep spec, or is what a
shim would run in one of the named PROJECT directories (their .go-version,
.tool-versions, go.mod or go.work, exactly as `gv current` decides there; GV_VERSION
is ignored). Everything else is removed, and the space freed is printed.")]
pub struct Args {
    /// Project directories (or their .go-version / .tool-versions / go.mod files) whose
    /// selected version must stay
    #[arg(value_name = "PROJECT")]
    projects: Vec<PathBuf>,
    /// Keep every installed version matching this spec (repeatable): 1.22, 1.23.9, latest
    #[arg(long, value_name = "SPEC", value_parser = clap::value_parser!(Spec))]
    keep: Vec<Spec>,
    /// Show what would be removed, remove nothing
    #[arg(long, short = 'n')]
    dry_run: bool,
    /// Do not ask for confirmation
    #[arg(long, short)]
    yes: bool,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let projects: Vec<PathBuf> = args
        .projects
        .iter()
        .map(|p| session.cwd().join(p))
        .collect();
    let plan = prune::plan_prune(session.store(), session.select_env(), &args.keep, &projects)?;
    for (version, reasons) in &plan.keep {
        let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        crate::outln!("keep    {:<10} {}", version.to_string(), why.join("; "));
    }
    for note in &plan.notes {
        crate::outln!("note    {note}");
    }
    let total: u64 = plan.remove.iter().map(|(_, size)| size).sum();
    let verb = if args.dry_run {
        "would remove"
    } else {
        "remove"
    };
    for (version, size) in &plan.remove {
        crate::outln!(
            "{verb:<7} {:<10} {}",
            version.to_string(),
            human_size(*size)
        );
    }
    if plan.remove.is_empty() {
        crate::outln!("nothing to remove");
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        crate::outln!(
            "would free {} ({} version(s)); run without --dry-run to remove",
            human_size(total),
            plan.remove.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let count = plan.remove.len();
    if !args.yes
        && !super::confirm(
            &format!("remove {count} version(s)?"),
            "pass --yes, or --dry-run to look first",
        )?
    {
        ui::info("nothing removed");
        return Ok(ExitCode::FAILURE);
    }
    let mut freed = 0;
    let mut failed = None;
    for (version, size) in &plan.remove {
        match install::uninstall(session.store(), version) {
            Ok(_) => freed += size,
            // Gone meanwhile (another gv removed it): nothing lost, nothing freed by us.
            Err(install::UninstallError::NotInstalled { .. }) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    install::after_store_change(session.store()).context("cannot sync the store")?;
    if let Some(e) = failed {
        return Err(
            anyhow::Error::new(e).context(format!("stopped after freeing {}", human_size(freed)))
        );
    }
    crate::outln!(
        "removed {} version(s), freed {}",
        plan.remove.len(),
        human_size(freed)
    );
    Ok(ExitCode::SUCCESS)
}
