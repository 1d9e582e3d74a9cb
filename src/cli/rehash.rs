use std::process::ExitCode;

use super::Session;
use crate::shim_dir;
use crate::ui;

/// Rewrite the go/gofmt/… shims in GV_ROOT/shims (one per tool of the installed SDKs)
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv rehash                        after installing or removing SDKs by hand\n  export PATH=\"${GV_ROOT:-$HOME/.local/share/gv}/shims:$PATH\"   in your shell start-up file\n\nThe shims are hard links of the gv-shim binary (copies where links fail), written to a\nnew directory and swapped in atomically: running shims are never disturbed.\nThe gv-shim binary is looked for next to gv, or at $GV_SHIM_BINARY."
)]
pub struct Args {}

pub fn run(session: &Session, _args: Args) -> anyhow::Result<ExitCode> {
    let done = shim_dir::refresh(session.store())?;
    ui::info(format!(
        "{} shims in {}: {}{}",
        done.names.len(),
        done.dir.display(),
        done.names.join(", "),
        if done.copied {
            " (copied: hard links were not possible)"
        } else {
            ""
        }
    ));
    let on_path = session
        .select_env()
        .path
        .as_ref()
        .is_some_and(|p| std::env::split_paths(p).any(|d| d == done.dir));
    if !on_path {
        ui::warn_hinted(
            format!(
                "{} is not on PATH, so `go` does not go through gv",
                done.dir.display()
            ),
            format!(
                "add `export PATH={}:\"$PATH\"` to your shell's start-up file",
                gv_core::suggest::word(&done.dir.to_string_lossy())
            ),
        );
    }
    Ok(ExitCode::SUCCESS)
}
