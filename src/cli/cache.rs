use std::process::ExitCode;

use gv_core::store::Cache;

use crate::prune;
use crate::ui::human_size;

/// Manage gv's download and release-index caches
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv cache clean --dry-run   how much space the caches hold
  gv cache clean             empty them (installed versions are untouched)

The cache lives in $GV_CACHE_DIR, else $XDG_CACHE_HOME/gv (~/.cache/gv).")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Empty the download and index caches, printing the space freed
    #[command(after_help = "Examples:
  gv cache clean --dry-run   how much would be freed, deleting nothing
  gv cache clean             delete downloaded archives and indexes (installed versions stay)")]
    Clean {
        /// Show what would be freed, delete nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Command::Clean { dry_run } = args.command;
    let dirs = Cache::from_env()?.cleanable();
    let freed = prune::clean_cache(&dirs, dry_run)?;
    let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    if dry_run {
        crate::outln!("would free {} ({})", human_size(freed), shown.join(", "));
    } else {
        crate::outln!("freed {} ({})", human_size(freed), shown.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
