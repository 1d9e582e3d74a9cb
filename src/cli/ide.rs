use std::process::ExitCode;

use anyhow::bail;

use super::{Context, origin_json};
use crate::current_link;

/// Show the GOROOT and IDE settings for the Go version active here
///
/// IDEs should point at a real GOROOT, never at a shim. Use the printed path for this
/// project, or GV_ROOT/current, which always links to the global default's GOROOT and is
/// updated atomically by `gv global`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv ide          GOROOT plus VS Code and GoLand settings for this directory\n  gv ide --json   the same, for scripts"
)]
pub struct Args {
    /// Print a JSON object instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let (selection, _) = ctx.select()?;
    let Some(goroot) = selection.resolved.goroot() else {
        bail!(
            "cannot tell the GOROOT of the system go at {}\n  hint: pin a managed version with `gv local 1.22`",
            selection.resolved.binary("go").display()
        );
    };
    let go = goroot.join("bin/go");
    let vscode = serde_json::json!({
        "go.goroot": goroot,
        "go.alternateTools": { "go": go },
    });
    let global_link = current_link::path(&ctx.store);
    let global_link = global_link.exists().then_some(global_link);

    if args.json {
        let report = serde_json::json!({
            "version": selection.resolved.name(),
            "origin": origin_json(&selection.request.origin),
            "goroot": goroot,
            "go": go,
            "vscode": vscode,
            "goland": { "goroot": goroot },
            "global_goroot_link": global_link,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Go {} ({})\nGOROOT: {}\n",
        selection.resolved.name(),
        selection.request.origin,
        goroot.display()
    );
    println!(
        "VS Code (.vscode/settings.json):\n{}\n",
        serde_json::to_string_pretty(&vscode)?
    );
    println!(
        "GoLand: Settings | Go | GOROOT | Add SDK | Local… and choose\n  {}\n",
        goroot.display()
    );
    match global_link {
        Some(link) => println!(
            "For the global default in every project, point the IDE at\n  {}\n(a link that `gv global` keeps current)",
            link.display()
        ),
        None => println!(
            "Tip: after `gv global VERSION`, {} links to the global default's GOROOT.",
            current_link::path(&ctx.store).display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
