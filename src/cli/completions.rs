use std::process::ExitCode;

use super::complete::{Completion, registration};

/// Print the completion script for a shell
///
/// The script asks gv itself what to complete, so new commands and the installed versions
/// (`gv local <TAB>`) are always current. The same scripts are in the repository's
/// completions/ directory.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv completions bash > ~/.local/share/bash-completion/completions/gv\n  gv completions zsh > \"${fpath[1]}/_gv\"\n  gv completions fish > ~/.config/fish/completions/gv.fish\n  gv completions powershell >> $PROFILE\n  gv completions elvish >> ~/.config/elvish/rc.elv"
)]
pub struct Args {
    #[arg(value_enum)]
    shell: Completion,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::out!("{}", registration(args.shell)?);
    Ok(ExitCode::SUCCESS)
}
