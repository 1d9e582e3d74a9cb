use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::Spec;

use super::Session;
use crate::import::{self, Method};
use crate::ui::{self, Style};

/// Adopt Go SDKs installed by another version manager, or by Go itself
///
/// goenv: hard-links each SDK under $GOENV_ROOT/versions into gv's store (no extra space,
/// the source stays usable), or moves it with --move. goenv's global version becomes gv's
/// global default when gv has none yet. .go-version files already work as they are.
///
/// gotoolchain: hard-links the toolchains Go's own switching (GOTOOLCHAIN) downloaded into
/// the module cache, each only if the checksum database (GOSUMDB, through GOPROXY) vouches
/// for the h1: hash Go recorded and its files still match it. Only your own GOENV_ROOT,
/// GOMODCACHE and GOPATH count, never values the shell hook applied from a project.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv import goenv                   link ~/.goenv/versions/* into gv\n  gv import goenv --move            move them instead\n  gv import goenv --goenv-root /opt/goenv\n  gv import gotoolchain             link $GOMODCACHE/golang.org/toolchain@* into gv\n  gv import gotoolchain --gomodcache /ci/cache/mod"
)]
pub struct Args {
    /// The manager to import from
    #[arg(value_enum)]
    from: ImportFrom,
    /// Move the SDKs instead of hard-linking them
    #[arg(long)]
    r#move: bool,
    /// goenv's root directory [default: $GOENV_ROOT, else ~/.goenv]
    #[arg(long, value_name = "DIR")]
    goenv_root: Option<PathBuf>,
    /// Go's module cache [default: GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod]
    #[arg(long, value_name = "DIR")]
    gomodcache: Option<PathBuf>,
    /// Print a JSON report instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ImportFrom {
    /// goenv's SDKs ($GOENV_ROOT/versions)
    Goenv,
    /// toolchains Go downloaded into its module cache (GOTOOLCHAIN switching)
    Gotoolchain,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    if args.from == ImportFrom::Gotoolchain {
        if args.r#move || args.goenv_root.is_some() {
            return Err(super::UsageError::new(
                "--move and --goenv-root are for `gv import goenv`; Go's module cache is only linked from",
            )
            .into());
        }
        return run_gotoolchain(session, args.gomodcache, args.json);
    }
    if args.gomodcache.is_some() {
        return Err(super::UsageError::new("--gomodcache is for `gv import gotoolchain`").into());
    }
    let env = gv_core::process::var_os;
    let root = args
        .goenv_root
        .or_else(|| import::default_goenv_root(&env))
        .context("cannot find goenv: set GOENV_ROOT or pass --goenv-root")?;
    let method = if args.r#move {
        Method::Move
    } else {
        Method::Link
    };
    let report = import::import_goenv(session.store(), &root, method)?;
    crate::install::after_store_change(session.store()).with_context(|| {
        format!(
            "cannot finish updating {}",
            session.store().root().display()
        )
    })?;

    let global_note = match &report.goenv_global {
        Some(global) if !session.store().global_file().exists() => {
            let spec: Spec = global.parse()?;
            crate::pin::set_global_quietly(session.store(), &spec)?;
            Some(format!("global default set to {global} (from goenv)"))
        }
        Some(global) => Some(format!(
            "kept gv's global default; goenv's was {} (change it with `{}`)",
            gv_core::text::one_line(global),
            gv_core::suggest::command(["gv", "global", global])
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
            (None, Some(reason)) => crate::outln!(
                "  {} skipped: {reason}",
                gv_core::text::one_line(&outcome.name)
            ),
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

fn run_gotoolchain(
    session: &Session,
    gomodcache: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    use crate::import::gotoolchain;
    let lookup = gv_core::process::var_os;
    let cache = gomodcache
        .or_else(|| gotoolchain::default_gomodcache(&lookup))
        .context("cannot find Go's module cache: set GOMODCACHE or pass --gomodcache")?;
    let src = crate::cli::install::source::proxy_source(session.config()?)?;
    let http = crate::sources::fetch::Http::new()?;
    let vouching = gotoolchain::Vouching {
        src: &src,
        http: &http,
    };
    let report = gotoolchain::import_gotoolchain(
        session.store(),
        &cache,
        &crate::sources::Platform::host(),
        &vouching,
    )?;
    crate::install::after_store_change(session.store()).with_context(|| {
        format!(
            "cannot finish updating {}",
            session.store().root().display()
        )
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    for outcome in &report.versions {
        match (&outcome.to, &outcome.skipped) {
            (Some(to), _) => println!(
                "{} {} linked to {} (proven by {})",
                ui::out("+", Style::Green),
                ui::out(&outcome.name, Style::Bold),
                to.display(),
                outcome.proven_by.as_deref().unwrap_or("its hash")
            ),
            (None, Some(reason)) => println!(
                "  {} skipped: {}",
                gv_core::text::one_line(&outcome.name),
                gv_core::text::one_line(reason)
            ),
            (None, None) => {}
        }
    }
    if report.versions.is_empty() {
        println!("no toolchains in {}", cache.join("golang.org").display());
    }
    Ok(ExitCode::SUCCESS)
}
