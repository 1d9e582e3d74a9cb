use std::process::ExitCode;

use anyhow::bail;

use gv_core::{Resolved, Spec};

use super::{Session, UsageError};
use crate::error::Hinted;

/// Print the absolute path of `go` (or another binary) of the Go version active here
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv which            /home/me/.local/share/gv/versions/1.22.10/bin/go\n  gv which gofmt\n  gv which dlv        a tool in the shared GOBIN (~/go/bin)"
)]
pub struct WhichArgs {
    /// The binary to look up in the SDK's bin/ directory
    #[arg(default_value = "go")]
    command: String,
}

/// Print the GOROOT of the Go version active here, or of the installed VERSION
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv prefix           /home/me/.local/share/gv/versions/1.22.10\n  gv prefix 1.22      the newest installed 1.22.x (`latest`, `system`, `22` too)\n  gv prefix 1.22.10:1.21.13   one GOROOT per entry, joined by `:` (goenv's form)"
)]
pub struct PrefixArgs {
    /// Installed versions (default: the one active here); a `a:b` list, as goenv takes
    #[arg(value_name = "VERSION")]
    versions: Vec<String>,
}

pub fn run_which(session: &Session, args: WhichArgs) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let path = selection.resolved.binary(&args.command);
    if path.is_file() {
        crate::outln!("{}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    // Then the shared GOBIN, where gv tells users to install tools (as goenv's which
    // looks in its per-version GOPATH's bin/ after the SDK's).
    let tool = session
        .gobin()
        .ok()
        .flatten()
        .filter(|_| !args.command.contains(['/', '\\']) && !args.command.starts_with('.'))
        .map(|gobin| gobin.join(gv_core::platform::exe_name(&args.command)))
        .filter(|tool| gv_core::select::is_executable_file(tool));
    let Some(tool) = tool else {
        bail!(Hinted::new(
            format!(
                "Go {} has no `{}` at {}, and the shared GOBIN has none either",
                selection.resolved.name(),
                gv_core::text::one_line(&args.command),
                path.display()
            ),
            "`gv which` looks in the SDK's bin/ directory (go, gofmt), then the shared GOBIN (`gv tools install NAME` puts tools there)"
        ));
    };
    crate::outln!("{}", tool.display());
    Ok(ExitCode::SUCCESS)
}

pub fn run_prefix(session: &Session, args: PrefixArgs) -> anyhow::Result<ExitCode> {
    if !args.versions.is_empty() {
        return prefix_of(session, &args.versions.join(":"));
    }
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

/// goenv's `prefix VERSION…`: each entry's GOROOT among the installed versions (the
/// newest match of `1.22`, `22`, `latest`), `system`'s too; every entry must be there.
fn prefix_of(session: &Session, list: &str) -> anyhow::Result<ExitCode> {
    let specs = gv_core::pinfile::parse_version_list(list).map_err(|e| UsageError::of(&e))?;
    let installed = session.store().installed()?;
    let mut roots = Vec::with_capacity(specs.len());
    for spec in &specs {
        let root = match spec {
            Spec::System => {
                let go = gv_core::select::find_system_go(
                    session.store(),
                    session.select_env().path.as_deref(),
                )
                .ok_or_else(|| {
                    Hinted::new(
                        "no system go: no go on PATH outside gv's directories",
                        "`gv list` shows the installed versions",
                    )
                })?;
                Resolved::System { go: go.clone() }
                    .goroot()
                    .ok_or_else(|| {
                        Hinted::new(
                            format!(
                                "cannot tell the GOROOT of the system go at {}",
                                go.display()
                            ),
                            "run `go env GOROOT`",
                        )
                    })?
            }
            _ => match spec.best_match(&installed) {
                Some(version) => session.store().version_dir(version),
                None => bail!(Hinted::new(
                    format!("Go {spec} is not installed"),
                    format!(
                        "`gv list` shows what is installed; `{}` installs it",
                        gv_core::suggest::command(["gv", "install", &spec.to_string()])
                    )
                )),
            },
        };
        roots.push(gv_core::text::path(&root));
    }
    crate::outln!("{}", roots.join(":"));
    Ok(ExitCode::SUCCESS)
}
