//! `gv local --latest-patch` and `gv global --latest-patch`: the pin in force (the
//! `.go-version` or `.tool-versions` that decides here, or the global default) moves to
//! the newest patch of its minor line, installed through the one install pipeline first, so
//! a pin never names a Go that is not there. The decisions are `pin::latest_patch`'s.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::Spec;
use gv_core::error::Hinted;
use gv_core::select::Origin;

use super::Session;
use super::install::{SourceKind, proxy_source, source};
use crate::install::{self, Options, SdkSource};
use crate::pin::latest_patch::{self, Change, Move};
use crate::sources::fetch::Http;
use crate::sources::index::{self, Freshness, Index};
use crate::sources::mirror::Mirror;
use crate::{fsutil, ui};

/// The flags `gv local` and `gv global` share for moving a pin.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LatestPatchArgs {
    /// Move the pin to the newest patch release of its minor line (1.22.3 -> 1.22.10),
    /// installing it first
    #[arg(long, conflicts_with_all = ["spec", "unset"])]
    pub latest_patch: bool,
    /// With --latest-patch: use only the cached release index and downloads
    #[arg(long, requires = "latest_patch")]
    pub offline: bool,
    /// With --latest-patch: print what changed as JSON
    #[arg(long, requires = "latest_patch")]
    pub json: bool,
}

/// Which pin moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The `.go-version` that decides in the current directory.
    Local,
    /// The global default.
    Global,
}

impl Scope {
    fn command(self) -> &'static str {
        match self {
            Scope::Local => "local",
            Scope::Global => "global",
        }
    }
}

pub fn run(session: &Session, scope: Scope, args: &LatestPatchArgs) -> anyhow::Result<ExitCode> {
    let (file, kind) = match scope {
        Scope::Local => local_file(session)?,
        Scope::Global => (session.store().global_file(), PinKind::GoVersion),
    };
    let specs = read_pin(&file, kind, scope)?;

    let config = session.config()?;
    let env = Mirror::env_setting();
    let env = env.as_ref().map(|(var, value)| (*var, value.as_str()));
    let mirror = Mirror::choose(None, env, config).map_err(|e| super::UsageError::of(&e))?;
    let mut opts = Options::new(mirror, gv_core::store::Cache::from_env()?);
    opts.offline = args.offline;
    opts.quiet = args.json;
    opts.proof = install::Policy::load(config).map_err(super::UsageError::new)?;

    let index = install::listing_index(&Http::new()?, &opts)?;
    let index_age = cached_age(&index);
    if args.offline && !args.json {
        let age = index_age.map_or("just now".to_string(), |age| {
            format!("{} ago", index::human_age(age))
        });
        ui::info(format!(
            "--offline: using the cached release index from {age} ({})",
            index.url
        ));
    }
    let moved = latest_patch::decide(&specs, &index)?;
    // The new text, worked out before anything is installed: a file gv could read but not
    // rewrite (not UTF-8, say) is refused while nothing has changed.
    let new_text = match moved.change {
        Change::Write => Some(rewritten(&file, kind, &moved)?),
        Change::AlreadyNewest | Change::Floats => None,
    };

    // Installed before the pin names it: a failed install leaves the file as it was.
    let source_kind = source::choose(
        None,
        gv_core::process::var(gv_core::vars::SOURCE).ok().as_deref(),
        config,
    )?;
    let sdk_source = match source_kind {
        SourceKind::Dl => SdkSource::Dl,
        SourceKind::Goproxy => SdkSource::Goproxy(Box::new(proxy_source(config)?)),
    };
    let installed = install::install(
        session.store(),
        &Spec::Exact(moved.to.clone()),
        &opts,
        &sdk_source,
    )
    .with_context(|| {
        format!(
            "cannot install Go {}; {} is unchanged",
            moved.to,
            file.display()
        )
    })?;
    // Already there is no news here (and `--force` no advice): the line below says it.
    if !installed.was_already_installed() {
        super::install::report(&installed, opts.quiet);
    }

    if let Some(new) = &new_text {
        fsutil::write_atomic(&file, new.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    install::after_store_change(session.store()).context("cannot sync the store")?;
    if scope == Scope::Local {
        crate::ide::goland::follow_pin(&session.at(session.cwd().to_path_buf()));
    }

    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&json(&file, scope, &specs, &moved, &index, index_age))?
        );
    } else {
        say(&file, scope, &specs, &moved);
    }
    Ok(ExitCode::SUCCESS)
}

/// The pin file's text with its first entry moved to `moved.to`.
fn rewritten(file: &Path, kind: PinKind, moved: &Move) -> anyhow::Result<String> {
    let text = gv_core::limits::read_file_string(file, gv_core::limits::PIN_FILE)
        .with_context(|| format!("cannot read {} to rewrite it", file.display()))?;
    let to = moved.to.to_string();
    match kind {
        PinKind::GoVersion => latest_patch::replace_first_entry(&text, &to),
        PinKind::ToolVersions => latest_patch::replace_first_tool_version(&text, &to),
    }
    .with_context(|| format!("cannot find the first version in {}", file.display()))
}

/// How a pin file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinKind {
    /// `.go-version` or the global file: goenv's.
    GoVersion,
    /// asdf's `.tool-versions`, whose `golang` line is the pin.
    ToolVersions,
}

/// The pin file that decides here, or why there is none to move.
fn local_file(session: &Session) -> anyhow::Result<(PathBuf, PinKind)> {
    let request = session.request()?;
    let refuse = |message: String, hint: String| Err(Hinted::new(message, hint).into());
    match &request.origin {
        Origin::GoVersionFile { path } => Ok((path.clone(), PinKind::GoVersion)),
        Origin::ToolVersions { path } => Ok((path.clone(), PinKind::ToolVersions)),
        Origin::Module { path, wants, .. } => module_advice(session, path, wants),
        Origin::Env { var } => refuse(
            format!("{var} decides the Go version here, not a pin file"),
            format!(
                "set {var} to the version you want, or unset it and run `gv local --latest-patch` where a .go-version decides"
            ),
        ),
        Origin::Global { .. } => refuse(
            format!(
                "no .go-version in {} or above it: the global default decides here",
                session.cwd().display()
            ),
            format!(
                "move the global default with `{}`, or pin this directory with `gv local 1.22`",
                gv_core::suggest::command(["gv", "global", "--latest-patch"])
            ),
        ),
        // A request is made before GOTOOLCHAIN moves anything: no origin of its own.
        Origin::Toolchain { .. } | Origin::Default => refuse(
            format!("no .go-version in {} or above it", session.cwd().display()),
            "pin this directory with `gv local 1.22`".to_string(),
        ),
    }
}

/// A go.mod or go.work decides here: its `go`/`toolchain` line is the project's to change,
/// never gv's. Says which line, and what to change it to.
fn module_advice(
    session: &Session,
    path: &Path,
    wants: &gv_core::select::ModuleLine,
) -> anyhow::Result<(PathBuf, PinKind)> {
    let version = match wants {
        gv_core::select::ModuleLine::Toolchain(v) | gv_core::select::ModuleLine::Go(v) => v,
    };
    let line = latest_patch::Line::of(version);
    // The cached index only: this names the target, it installs nothing.
    let newest = session
        .config()
        .ok()
        .and_then(|config| {
            let env = Mirror::env_setting();
            let env = env.as_ref().map(|(var, value)| (*var, value.as_str()));
            let mirror = Mirror::choose(None, env, config).ok()?;
            let mut opts = Options::new(mirror, gv_core::store::Cache::from_env().ok()?);
            opts.offline = true;
            install::listing_index(&Http::new().ok()?, &opts).ok()
        })
        .and_then(|index| latest_patch::newest_patch(&index, line).cloned());
    let hint = match newest {
        Some(newest) => format!(
            "gv leaves go.mod alone: to move this project to Go {newest}, the newest {line} patch, run `{}` in it (Go writes `toolchain {}`), then `gv install`",
            gv_core::suggest::command(["go", "get", &format!("toolchain@{}", newest.go_name())]),
            newest.go_name()
        ),
        None => format!(
            "gv leaves go.mod alone: set its `toolchain` line to the newest {line} patch (`gv ls-remote {line}` lists them), then `gv install`"
        ),
    };
    Err(Hinted::new(
        format!(
            "{} decides the Go version here with its {wants} line; there is no pin file to move",
            path.display()
        ),
        hint,
    )
    .into())
}

/// The entries of the pin file, refused whole when any of it cannot be read: moving the
/// first entry of a file gv half-understands could lose what the rest meant.
fn read_pin(file: &Path, kind: PinKind, scope: Scope) -> anyhow::Result<Vec<Spec>> {
    let none = || -> anyhow::Error {
        match scope {
            Scope::Global => Hinted::new(
                "no global default is set, so there is no pin to move",
                "set one with `gv global 1.22` (or `gv global latest`)",
            )
            .into(),
            Scope::Local => Hinted::new(
                format!("{} names no version", file.display()),
                "pin one with `gv local 1.22`",
            )
            .into(),
        }
    };
    if scope == Scope::Global && !file.exists() {
        return Err(none());
    }
    let entries = match kind {
        PinKind::GoVersion => gv_core::pinfile::read_go_version(file)?,
        PinKind::ToolVersions => gv_core::pinfile::read_tool_versions(file)?,
    };
    let Some(entries) = entries else {
        return Err(none());
    };
    if let Some(skipped) = entries.skipped.first() {
        return Err(Hinted::new(
            format!(
                "{} has an entry gv cannot read (line {}: `{}`, {}), so gv does not rewrite it",
                file.display(),
                skipped.line,
                gv_core::text::one_line(&skipped.text),
                skipped.reason
            ),
            format!(
                "fix that line, or write the pin anew with `gv {} 1.22`",
                scope.command()
            ),
        )
        .into());
    }
    Ok(entries.specs)
}

/// How old the index is, when it came from the cache.
fn cached_age(index: &Index) -> Option<std::time::Duration> {
    match &index.freshness {
        Freshness::Fetched => None,
        Freshness::Cached { age } | Freshness::Stale { age, .. } => Some(*age),
    }
}

/// What changed, in one line, then whether the line is still supported.
fn say(file: &Path, scope: Scope, specs: &[Spec], moved: &Move) {
    let shown = file.display();
    let line = moved.line;
    let list = if specs.len() > 1 {
        let rest: Vec<String> = specs[1..].iter().map(ToString::to_string).collect();
        format!(
            " (its first entry; the fallbacks after it stay: {})",
            rest.join(", ")
        )
    } else {
        String::new()
    };
    ui::info(match moved.change {
        Change::Write => format!(
            "{shown}: {} → {}, the newest Go {line} patch{list}",
            moved.from, moved.to
        ),
        Change::AlreadyNewest => format!(
            "{shown} already pins the newest Go {line} patch, {}{list}",
            moved.to
        ),
        Change::Floats => format!(
            "{shown} pins {}, which selects the newest installed Go {line}.x: now {}{list}",
            moved.from, moved.to
        ),
    });
    if !moved.is_supported() {
        let newest = moved.supported.first();
        let message = format!(
            "Go {line} is out of support: Go fixes only the two newest minor lines ({}), so {line} gets no more security fixes",
            moved
                .supported
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        );
        match newest {
            Some(newest) => ui::warn_hinted(
                message,
                format!(
                    "move to a supported line with `{}`",
                    gv_core::suggest::command(["gv", scope.command(), &newest.to_string()])
                ),
            ),
            None => ui::warn(message),
        }
    }
}

fn json(
    file: &Path,
    scope: Scope,
    specs: &[Spec],
    moved: &Move,
    index: &Index,
    index_age: Option<std::time::Duration>,
) -> serde_json::Value {
    serde_json::json!({
        "scope": scope.command(),
        "file": file.display().to_string(),
        "from": moved.from.to_string(),
        "to": moved.to.to_string(),
        "changed": moved.change == Change::Write,
        "outcome": match moved.change {
            Change::Write => "moved",
            Change::AlreadyNewest => "already-newest",
            Change::Floats => "floats",
        },
        "entries": specs.len(),
        "line": moved.line.to_string(),
        "supported": moved.is_supported(),
        "supported_lines": moved.supported.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "index": {
            "url": index.url,
            "age_seconds": index_age.map(|a| a.as_secs()),
        },
    })
}
