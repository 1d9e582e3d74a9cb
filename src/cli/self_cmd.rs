//! `gv self update` and `gv self uninstall`.

use std::process::ExitCode;

use clap::Subcommand;

use super::{Session, UsageError};
use crate::release::version::Version;
use crate::self_update::update::{self, Build, Options, Outcome, Standing};
use crate::self_update::{Installation, Manager, uninstall};
use crate::shell::Shell;
use crate::ui;

/// `gv self update --check` when a newer release exists.
pub const EXIT_UPDATE_AVAILABLE: u8 = 3;

/// Update or remove gv itself
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv self update               the newest release, verified, swapped in
  gv self update --check       is there a newer one? (exit code 3 if so)
  gv self uninstall            remove gv and gv-shim, list what else is left")]
pub struct Args {
    #[command(subcommand)]
    command: SelfCommand,
}

#[derive(Debug, Subcommand)]
enum SelfCommand {
    Update(UpdateArgs),
    Uninstall(UninstallArgs),
}

/// Replace gv and gv-shim with the newest release, or the one --to names
///
/// The release's SHA256SUMS must be signed by gv's release key and the archive must match
/// it; only then are the new binaries renamed over the old ones (running shims and go
/// commands are not disturbed), and the shims relinked. A gv that cargo, Homebrew, Scoop
/// or Nix installed is left to them.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv self update               the newest release
  gv self update --to 0.2.0    exactly this release, older ones too
  gv self update --check       exit code 0: up to date; 3: a newer release exists
  gv self update --check --json

Releases come from GV_INSTALL_URL (default: the project's GitHub releases), as install.sh
reads it. Exit codes: 0 done or up to date, 1 error (nothing changed), 2 usage error,
3 (--check only) a newer release exists.")]
pub struct UpdateArgs {
    /// Install this release, even an older one
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    to: Option<Version>,
    /// Only say whether a newer release exists (exit code 3 if it does)
    #[arg(long, conflicts_with = "to")]
    check: bool,
    /// With --check: the answer as JSON on stdout
    #[arg(long, requires = "check")]
    json: bool,
    /// No progress output
    #[arg(long, short)]
    quiet: bool,
}

/// Remove gv and gv-shim; say what else gv keeps (store, config, cache, rc lines)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv self uninstall            asks, removes gv and gv-shim, lists the rest
  gv self uninstall --yes      for scripts
  gv self uninstall --purge    also deletes the store (every Go version), cache and config

The line `gv init` added to your shell's rc file is never edited: gv says where it is.")]
pub struct UninstallArgs {
    /// Also delete the store (installed Go versions, shims), the cache and the config
    #[arg(long)]
    purge: bool,
    /// Do not ask for confirmation
    #[arg(long, short)]
    yes: bool,
}

fn parse_version(text: &str) -> Result<Version, String> {
    Version::parse(text).ok_or_else(|| {
        format!(
            "`{}` is not a gv version (such as 0.2.0)",
            gv_core::text::one_line(text)
        )
    })
}

pub fn run(session: &Session, build: &Build, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        SelfCommand::Update(args) if args.check => check(build, args.json),
        SelfCommand::Update(args) => run_update(session, build, args),
        SelfCommand::Uninstall(args) => run_uninstall(session, args),
    }
}

fn check(build: &Build, json: bool) -> anyhow::Result<ExitCode> {
    let current = build.version();
    let (release, _) = update::newest(build)?;
    let newest = &release.sums.version;
    let standing = update::standing(&current, newest);
    if json {
        crate::outln!(
            "{}",
            serde_json::json!({
                "current": current.to_string(),
                "newest": newest.to_string(),
                "update_available": standing == Standing::Behind,
                "signed_by": release.signed_by.name,
            })
        );
    }
    match standing {
        Standing::UpToDate => {
            if !json {
                ui::info(format!("gv {current} is up to date (the newest release)"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Standing::Ahead => {
            if !json {
                ui::info(format!(
                    "gv {current} is newer than the newest release ({newest})"
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Standing::Behind => {
            if !json {
                let how = Installation::running()
                    .ok()
                    .and_then(|i| Manager::of(&i.gv))
                    .map_or("run `gv self update`", |m| m.advice());
                ui::info_hinted(format!("gv {newest} is available (this is {current})"), how);
            }
            Ok(ExitCode::from(EXIT_UPDATE_AVAILABLE))
        }
    }
}

fn run_update(session: &Session, build: &Build, args: UpdateArgs) -> anyhow::Result<ExitCode> {
    let options = Options {
        to: args.to,
        quiet: args.quiet,
    };
    match update::update(build, session.store(), &options)? {
        Outcome::Already { version } => {
            ui::info(format!("gv {version} is already installed: nothing to do"));
        }
        Outcome::Updated {
            from,
            to,
            dir,
            signed_by,
            rehashed,
        } => {
            let verb = if to < from { "downgraded" } else { "updated" };
            ui::info(format!("{verb} gv {from} → {to} in {}", dir.display()));
            if !args.quiet {
                ui::info(format!(
                    "  SHA256SUMS signed by {signed_by}; the archive matches it"
                ));
                if rehashed {
                    ui::info("  the shims now run the new gv-shim");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_uninstall(session: &Session, args: UninstallArgs) -> anyhow::Result<ExitCode> {
    let installation = Installation::running()?;
    installation.check_ours(false)?;
    let leftovers = uninstall::Leftovers::find(session.store());
    let purge = if args.purge {
        leftovers.purgeable()
    } else {
        Vec::new()
    };
    if !args.yes {
        let mut question = format!("Remove gv and gv-shim from {}", installation.dir.display());
        if !purge.is_empty() {
            let list: Vec<String> = purge.iter().map(|p| p.display().to_string()).collect();
            question.push_str(&format!(", and delete {}", list.join(", ")));
        }
        question.push('?');
        if !super::confirm(&question, "pass --yes to uninstall without asking")? {
            return Err(UsageError::new("nothing was removed").into());
        }
    }
    // No update may run meanwhile; but a store that is not there is not made for a lock.
    let lock = session
        .store()
        .root()
        .is_dir()
        .then(|| installation.lock(session.store()))
        .transpose()?;
    for path in uninstall::remove_binaries(&installation)? {
        ui::info(format!("removed {}", path.display()));
    }
    // The lock file is in the store, which a purge deletes.
    drop(lock);
    uninstall::purge(&purge)?;
    for path in &purge {
        ui::info(format!("deleted {}", path.display()));
    }
    report_leftovers(&leftovers, args.purge);
    Ok(ExitCode::SUCCESS)
}

/// What the user may still want to remove, with the commands to do it, quoted for their
/// shell.
fn report_leftovers(leftovers: &uninstall::Leftovers, purged: bool) {
    let shell = Shell::detect().unwrap_or_else(Shell::fallback);
    let mut kept = Vec::new();
    if !purged {
        if let Some((store, versions)) = &leftovers.store {
            ui::info(format!(
                "kept the store {} ({versions} Go version(s); its shims keep working until it is deleted)",
                store.display()
            ));
            kept.push(store.clone());
        }
        if let Some(cache) = &leftovers.cache {
            ui::info(format!("kept the cache {}", cache.display()));
            kept.push(cache.clone());
        }
        if let Some(config) = &leftovers.config {
            ui::info(format!("kept the config {}", config.display()));
            kept.push(config.clone());
        }
    }
    for (file, line, text) in &leftovers.rc_lines {
        ui::info_hinted(
            format!("{} line {line} still sets gv up: {text}", file.display()),
            "delete that line (gv does not edit your shell's files)",
        );
    }
    if !kept.is_empty() {
        let quoted: Vec<String> = kept
            .iter()
            .map(|p| shell.quote(&p.display().to_string()))
            .collect();
        let command = match shell {
            Shell::Powershell => format!("Remove-Item -Recurse -Force {}", quoted.join(", ")),
            _ => format!("rm -rf {}", quoted.join(" ")),
        };
        ui::info_hinted("to delete them too", format!("run {command}"));
    }
}
