use std::process::ExitCode;

use gv_core::Spec;

use super::Session;
use super::install::{SourceArgs, SourceKind};
use crate::install;
use crate::sources::fetch::Http;
use crate::ui::{self, Style};

/// List Go versions available for download
///
/// Stable releases, oldest first; `--all` adds release candidates and betas. Installed
/// versions are marked.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv ls-remote             every stable release
  gv ls-remote 1.22        the 1.22.x releases
  gv ls-remote --all       including rc and beta releases
  gv ls-remote --json      for scripts
  gv ls-remote --source goproxy   what the GOPROXY proxies have")]
pub struct Args {
    /// Only versions matching this spec (1.22, 1.22.3, latest)
    #[arg(value_parser = clap::value_parser!(Spec), value_name = "VERSION")]
    spec: Option<Spec>,
    /// Include unstable releases (rc, beta)
    #[arg(long)]
    all: bool,
    /// Print a JSON array instead of text
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    source: SourceArgs,
}

impl Args {
    /// `gv ls-remote --all` from `source`: what `gv install --list` prints.
    pub(super) fn every_release(source: SourceArgs) -> Args {
        Args {
            spec: None,
            all: true,
            json: false,
            source,
        }
    }
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let config = session.config()?;
    let opts = args.source.options(config)?;
    if args.source.kind(config)? == SourceKind::Goproxy {
        let src = super::install::proxy_source(config)?;
        return super::install::ls_remote_goproxy(
            session.store(),
            args.spec.as_ref(),
            args.all,
            args.json,
            &opts,
            &src,
        );
    }
    let http = Http::new()?;
    let index = install::listing_index(&http, &opts)?;
    let installed = session.store().installed()?;
    let wanted = |v: &gv_core::Version, stable: bool| {
        let spec_ok = match &args.spec {
            Some(Spec::Latest) => Some(v) == latest(&index).as_ref(),
            Some(spec) => spec.matches(v),
            None => true,
        };
        // Asking for a pre-release by name shows it without --all.
        let named = matches!(&args.spec, Some(Spec::Exact(want)) if want == v);
        spec_ok && (stable || args.all || named)
    };
    let rows: Vec<_> = index
        .releases
        .iter()
        .rev()
        .filter(|r| wanted(&r.version, r.stable))
        .collect();

    if args.json {
        let items: Vec<_> = rows
            .iter()
            .map(|r| {
                let archive = r.archive(&opts.platform);
                serde_json::json!({
                    "version": r.version,
                    "stable": r.stable,
                    "installed": installed.contains(&r.version),
                    "archive": archive.map(|f| serde_json::json!({
                        "filename": f.filename,
                        "size": f.size,
                        "sha256": f.sha256,
                    })),
                })
            })
            .collect();
        crate::outln!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ui::info(format!(
            "no release in {} matches{}",
            index.url,
            args.spec
                .as_ref()
                .map(|s| format!(" `{s}`"))
                .unwrap_or_default()
        ));
        return Ok(ExitCode::FAILURE);
    }
    for r in rows {
        let name = r.version.to_string();
        if installed.contains(&r.version) {
            crate::outln!(
                "{} {} {}",
                ui::out("*", Style::Green),
                ui::out(&name, Style::Bold),
                ui::out("(installed)", Style::Dim)
            );
        } else {
            crate::outln!("  {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn latest(index: &crate::sources::index::Index) -> Option<gv_core::Version> {
    index
        .releases
        .iter()
        .find(|r| r.stable)
        .map(|r| r.version.clone())
}
