use std::process::ExitCode;

use anyhow::bail;

use super::Session;
use crate::error::Hinted;

/// Print the absolute path of `go` (or another binary) of the Go version active here
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv which            /home/me/.local/share/gv/versions/1.22.10/bin/go\n  gv which gofmt"
)]
pub struct WhichArgs {
    /// The binary to look up in the SDK's bin/ directory
    #[arg(default_value = "go")]
    command: String,
}

/// Print the GOROOT of the Go version active here
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv prefix           /home/me/.local/share/gv/versions/1.22.10"
)]
pub struct PrefixArgs {}

pub fn run_which(session: &Session, args: WhichArgs) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let path = selection.resolved.binary(&args.command);
    if !path.is_file() {
        bail!(Hinted::new(
            format!(
                "Go {} has no `{}` at {}",
                selection.resolved.name(),
                args.command,
                path.display()
            ),
            "`gv which` looks in the SDK's bin/ directory (go, gofmt)"
        ));
    }
    crate::outln!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn run_prefix(session: &Session, _args: PrefixArgs) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    match selection.resolved.goroot() {
        Some(root) => {
            crate::outln!("{}", root.display());
            Ok(ExitCode::SUCCESS)
        }
        None => bail!(Hinted::new(
            format!(
                "cannot tell the GOROOT of the system go at {}",
                selection.resolved.binary("go").display()
            ),
            "run `go env GOROOT`"
        )),
    }
}
