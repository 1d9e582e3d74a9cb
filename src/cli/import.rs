use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::Spec;

use super::Context;
use crate::import::{self, Method};
use crate::ui::{self, Style};

/// Adopt Go SDKs installed by another version manager
///
/// Hard-links each SDK under $GOENV_ROOT/versions into gv's store (no extra space, the
/// source stays usable), or moves it with --move. goenv's global version becomes gv's
/// global default when gv has none yet. .go-version files already work as they are.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv import goenv                   link ~/.goenv/versions/* into gv\n  gv import goenv --move            move them instead\n  gv import goenv --goenv-root /opt/goenv"
)]
pub struct Args {
    /// The manager to import from
    #[arg(value_enum)]
    from: Source,
    /// Move the SDKs instead of hard-linking them
    #[arg(long)]
    r#move: bool,
    /// goenv's root directory [default: $GOENV_ROOT, else ~/.goenv]
    #[arg(long, value_name = "DIR")]
    goenv_root: Option<PathBuf>,
    /// Print a JSON report instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Source {
    Goenv,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let Source::Goenv = args.from;
    let root = args
        .goenv_root
        .or_else(import::default_goenv_root)
        .context("cannot find goenv: set GOENV_ROOT or pass --goenv-root")?;
    let method = if args.r#move {
        Method::Move
    } else {
        Method::Link
    };
    let report = import::import_goenv(ctx.store(), &root, method)?;
    crate::install::after_store_change(ctx.store())
        .with_context(|| format!("cannot finish updating {}", ctx.store().root().display()))?;

    let global_note = match &report.goenv_global {
        Some(global) if !ctx.store().global_file().exists() => {
            let spec: Spec = global.parse()?;
            crate::pin::write_global(ctx.store(), &spec)?;
            Some(format!("global default set to {global} (from goenv)"))
        }
        Some(global) => Some(format!(
            "kept gv's global default; goenv's was {global} (change it with `gv global {global}`)"
        )),
        None => None,
    };

    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["global"] = serde_json::json!(global_note);
        crate::outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if args.r#move { "moved" } else { "linked" };
    for outcome in &report.versions {
        match (&outcome.to, &outcome.skipped) {
            (Some(to), _) => crate::outln!(
                "{} {} {verb} to {}",
                ui::out("+", Style::Green),
                ui::out(&outcome.name, Style::Bold),
                to.display()
            ),
            (None, Some(reason)) => crate::outln!("  {} skipped: {reason}", outcome.name),
            (None, None) => {}
        }
    }
    if report.versions.is_empty() {
        crate::outln!("no SDKs in {}", root.join("versions").display());
    }
    if let Some(note) = global_note {
        crate::outln!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}
