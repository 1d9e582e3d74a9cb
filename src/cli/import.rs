use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

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
    /// The manager to import from (without it: the sources gv can import from)
    #[arg(value_enum)]
    from: Option<ImportFrom>,
    /// goenv: list the tools in goenv's per-version GOPATHs with the command that rebuilds
    /// each, instead of rebuilding them into the shared GOBIN
    #[arg(long)]
    no_rebuild: bool,
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
    let Some(from) = args.from else {
        use clap::ValueEnum;
        crate::outln!("gv imports from:");
        for source in ImportFrom::value_variants() {
            if let Some(value) = source.to_possible_value() {
                crate::outln!(
                    "  {:<12} {}",
                    value.get_name(),
                    value
                        .get_help()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
            }
        }
        crate::outln!("run `gv import goenv` or `gv import gotoolchain`");
        return Ok(ExitCode::SUCCESS);
    };
    if from == ImportFrom::Gotoolchain {
        if args.no_rebuild {
            return Err(super::UsageError::new("--no-rebuild is for `gv import goenv`").into());
        }
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
            let specs = gv_core::pinfile::parse_version_list(global)?;
            crate::pin::set_global_list_quietly(session.store(), &specs)?;
            Some(format!("global default set to {global} (from goenv)"))
        }
        Some(global) => Some(format!(
            "kept gv's global default; goenv's was {} (change it with `{}`)",
            gv_core::text::one_line(global),
            // `gv global` takes one version: goenv's first choice.
            gv_core::suggest::command(["gv", "global", global.split(':').next().unwrap_or(global)])
        )),
        None => None,
    };

    let names: Vec<String> = report.versions.iter().map(|o| o.name.clone()).collect();
    let prefix = import::goenv_gopath_prefix(&env);
    let tools = prefix
        .as_deref()
        .map(|prefix| import::goenv_gopath_tools(prefix, &names))
        .unwrap_or_default();
    // Run from a shell goenv still sets up, GOPATH is goenv's per-version one, which would
    // make it gv's GOBIN too: the tools go where gv's GOBIN is once goenv's lines are gone.
    let unhooked = prefix
        .as_deref()
        .filter(|prefix| exports_goenv_gopath(prefix))
        .map(|_| without_goenv_gopath(session));
    let session = unhooked.as_ref().unwrap_or(session);
    let rc_lines = gv_core::platform::home_dir()
        .map(|home| import::goenv_rc::goenv_lines(&home))
        .unwrap_or_default();

    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["global"] = serde_json::json!(global_note);
        value["tools"] = serde_json::to_value(&tools)?;
        value["rc_lines"] = serde_json::to_value(&rc_lines)?;
        if !args.no_rebuild && !tools.is_empty() {
            ui::info(
                "--json only reports goenv's tools; rebuild them with `gv import goenv` or the commands listed",
            );
        }
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
    let tools_ok = adopt_tools(session, &tools, args.no_rebuild)?;
    print_rc_lines(&rc_lines);
    Ok(if tools_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Is the exported GOPATH one of goenv's per-version ones (`<prefix>/<version>`)?
fn exports_goenv_gopath(prefix: &std::path::Path) -> bool {
    let Some(gopath) = gv_core::process::var_os("GOPATH") else {
        return false;
    };
    std::env::split_paths(&gopath).next().is_some_and(|first| {
        first.parent() == Some(prefix)
            && first
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| gv_core::Version::parse(n).is_ok())
    })
}

/// This session as it will be once goenv's init is gone: no GOPATH or GOROOT of goenv's.
fn without_goenv_gopath(session: &Session) -> Session {
    Session::new(
        session.store().clone(),
        session.select_env().clone(),
        session.cwd().to_path_buf(),
    )
    .with_lookup(Box::new(|name| match name {
        "GOPATH" | "GOROOT" => None,
        _ => gv_core::process::var_os(name),
    }))
}

/// goenv's per-version GOPATH tools into the shared GOBIN, rebuilt with `go install` as
/// `gv tools reinstall` does (or listed with the command, with `no_rebuild` or when no
/// rebuild is possible). False when a rebuild failed.
fn adopt_tools(
    session: &Session,
    tools: &[import::GoenvTool],
    no_rebuild: bool,
) -> anyhow::Result<bool> {
    if tools.is_empty() {
        return Ok(true);
    }
    let gobin = session.gobin()?;
    let mut ok = true;
    for tool in tools {
        let name = gv_core::text::one_line(&tool.name);
        let from = gv_core::text::path(&tool.path);
        if let Some(gobin) = &gobin
            && gobin.join(&tool.name).exists()
        {
            crate::outln!(
                "  tool {name} skipped: already in {}",
                gv_core::text::path(gobin)
            );
            continue;
        }
        let target = tool.target.as_deref().and_then(|t| {
            let (package, version) = t.rsplit_once('@')?;
            crate::tools::Target::new(package, version).ok()
        });
        let Some(target) = target else {
            crate::outln!(
                "  tool {name} ({from}) cannot be rebuilt: {}",
                gv_core::text::one_line(tool.not_rebuildable.as_deref().unwrap_or("no build info"))
            );
            continue;
        };
        let command = gv_core::suggest::command(["gv", "tools", "install", &target.to_string()]);
        if no_rebuild || gobin.is_none() {
            crate::outln!("  tool {name} ({from}): rebuild it with `{command}`");
            continue;
        }
        match super::tools::rebuild_into_gobin(session, &tool.name, &target) {
            Ok(true) => crate::outln!(
                "{} tool {} rebuilt from {target} into {}",
                ui::out("+", Style::Green),
                ui::out(&name, Style::Bold),
                gobin
                    .as_deref()
                    .map(gv_core::text::path)
                    .unwrap_or_default()
            ),
            Ok(false) => {
                ok = false;
                crate::outln!("  tool {name}: rebuild it later with `{command}`");
            }
            Err(err) => {
                ok = false;
                let report = crate::error::report(&err);
                crate::outln!(
                    "  tool {name} not rebuilt ({}): run `{command}` once a Go is selected",
                    gv_core::text::one_line(&report.message)
                );
            }
        }
    }
    Ok(ok)
}

/// The start-up file lines that still run goenv, and what goes instead.
fn print_rc_lines(lines: &[import::goenv_rc::GoenvLine]) {
    if lines.is_empty() {
        return;
    }
    crate::outln!(
        "goenv is still set up in your shell start-up files; change these lines, then open a new shell:"
    );
    for line in lines {
        crate::outln!(
            "  {}:{}: {}",
            gv_core::text::path(&line.file),
            line.line,
            line.text
        );
        match &line.replace_with {
            Some(with) => crate::outln!("      replace with: {with}"),
            None => crate::outln!("      remove it"),
        }
    }
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
