use std::process::ExitCode;

use super::complete::{Completion, registration};

/// Print the completion script for a shell
///
/// The script asks gv itself what to complete, so new commands and the installed versions
/// (`gv local <TAB>`) are always current. The same scripts are in the repository's
/// completions/ directory.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "`eval \"$(gv init SHELL)\"` already loads them; without gv init:

Examples:
  mkdir -p ~/.local/share/bash-completion/completions
  gv completions bash > ~/.local/share/bash-completion/completions/gv
  mkdir -p ~/.zfunc; gv completions zsh > ~/.zfunc/_gv
  # zsh: and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
  mkdir -p ~/.config/fish/completions
  gv completions fish > ~/.config/fish/completions/gv.fish
  gv completions powershell >> $PROFILE    # in PowerShell
  mkdir -p ~/.config/elvish; gv completions elvish >> ~/.config/elvish/rc.elv"
)]
pub struct Args {
    #[arg(value_enum)]
    shell: Completion,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::out!("{}", registration(args.shell)?);
    Ok(ExitCode::SUCCESS)
}
