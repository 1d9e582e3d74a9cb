//! goenv's commands that have no gv name of their own (`version-name`, `version-file`,
//! `version-origin`, `root`, `whence`, `shims`, `commands`, `installed`), so that
//! `alias goenv=gv` keeps scripts and CI lines working. They print what goenv prints, in
//! the same places (data on stdout, one line per item), and fail where goenv fails. gv's
//! own commands (`gv current`, `gv list`, `gv prefix`, `gv which`) say more; README's
//! "Coming from goenv" maps one to the other.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use gv_core::select::{Origin, SelectEnv};
use gv_core::{Spec, Version};

use super::Session;
use crate::error::Hinted;

/// goenv's `version-name`: the version that runs here (`gv current` says why)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv version-name              1.22.10 (or `system`)

goenv prints every installed entry of a `1.22.10:1.21.13` list; gv prints the one that
runs (the first installed), as `gv current` does.")]
pub struct VersionNameArgs {}

/// goenv's `version-origin`: what set the version here (a file's path, or a variable)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv version-origin            /home/me/src/api/.go-version
  GV_VERSION=1.22 gv version-origin   GV_VERSION environment variable")]
pub struct VersionOriginArgs {}

/// goenv's `version-file`: the file that pins the version for DIR (default: here)
///
/// Without DIR, and with nothing pinned, prints the global version file (which may not
/// exist yet), as goenv does; with DIR and nothing pinned there, prints nothing and exits 1.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv version-file              /home/me/src/api/.go-version
  gv version-file ~/src/tool   exit 1 when nothing pins that directory")]
pub struct VersionFileArgs {
    /// Where to look (default: `GOENV_DIR`, then the current directory)
    dir: Option<PathBuf>,
}

/// goenv's `root`: the directory of gv's store (GV_ROOT)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv root                      /home/me/.local/share/gv")]
pub struct RootArgs {}

/// goenv's `whence`: the installed versions whose bin/ has COMMAND
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv whence gofmt              1.21.13, 1.22.10 ... one per line
  gv whence --path go          the full paths instead

Exit 1 when no installed version has it. Tools from `go install` live in the shared
GOBIN, whatever the version: `gv tools` lists them.")]
pub struct WhenceArgs {
    /// Print each binary's path instead of its version
    #[arg(long)]
    path: bool,
    /// A program of the SDKs' bin/ directories (go, gofmt)
    command: String,
}

/// goenv's `shims`: the shims in GV_ROOT/shims
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv shims                     /home/me/.local/share/gv/shims/go ...
  gv shims --short             go, gofmt ... one per line")]
pub struct ShimsArgs {
    /// Print the names only
    #[arg(long)]
    short: bool,
}

/// goenv's `commands`: every command gv accepts, one per line
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv commands")]
pub struct CommandsArgs {}

/// goenv's `installed`: the installed version a spec stands for (default: the newest)
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv installed                 the newest installed version
  gv installed 1.22            the newest installed 1.22.x (`22` too, as in goenv)
  gv installed system          `system` when a go outside gv is on PATH")]
pub struct InstalledArgs {
    /// latest, system, 1, 1.22, 22, 1.22.10
    #[arg(value_parser = clap::value_parser!(Spec), value_name = "VERSION")]
    spec: Option<Spec>,
}

pub fn run_version_name(session: &Session, _args: VersionNameArgs) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    crate::outln!("{}", selection.resolved.name());
    Ok(ExitCode::SUCCESS)
}

pub fn run_version_origin(session: &Session, _args: VersionOriginArgs) -> anyhow::Result<ExitCode> {
    // goenv answers from the request alone: a pin naming a missing version has an origin.
    let request = session.request()?;
    let origin = match session.selection() {
        Ok(selection) => selection.request.origin.clone(),
        Err(_) => request.origin.clone(),
    };
    crate::outln!("{}", origin_line(session, &origin));
    Ok(ExitCode::SUCCESS)
}

/// One line, as goenv's `version-origin` gives it: the file, or `VAR environment variable`.
fn origin_line(session: &Session, origin: &Origin) -> String {
    match origin {
        Origin::Env { var } => format!("{var} environment variable"),
        // Nothing pinned: goenv names the global file, where a pin would go.
        Origin::Default => gv_core::text::path(&session.store().global_file()),
        Origin::Toolchain { .. } => origin.to_string(),
        other => other
            .path()
            .map_or_else(|| other.to_string(), gv_core::text::path),
    }
}

pub fn run_version_file(session: &Session, args: VersionFileArgs) -> anyhow::Result<ExitCode> {
    // The files only: `GV_VERSION` and `GOENV_VERSION` are no file.
    let files_only = SelectEnv {
        gv_version: None,
        goenv_version: None,
        goenv_dir: if args.dir.is_some() {
            None
        } else {
            session.select_env().goenv_dir.clone()
        },
        ..session.select_env().clone()
    };
    let dir = match &args.dir {
        Some(dir) => session.cwd().join(dir),
        None => session.cwd().to_path_buf(),
    };
    let here = session.at(dir).with_select_env(files_only);
    let origin = &here.request()?.origin;
    match origin.path() {
        Some(path) if !matches!(origin, Origin::Global { .. }) => {
            crate::outln!("{}", gv_core::text::path(path));
        }
        // Nothing pinned there: goenv prints nothing for a named directory.
        _ if args.dir.is_some() => return Ok(ExitCode::FAILURE),
        _ => crate::outln!("{}", gv_core::text::path(&session.store().global_file())),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_root(session: &Session, _args: RootArgs) -> anyhow::Result<ExitCode> {
    crate::outln!("{}", gv_core::text::path(session.store().root()));
    Ok(ExitCode::SUCCESS)
}

pub fn run_whence(session: &Session, args: WhenceArgs) -> anyhow::Result<ExitCode> {
    if args.command.is_empty()
        || args.command.contains(['/', '\\'])
        || args.command == ".."
        || args.command == "."
    {
        return Err(super::UsageError::new(format!(
            "`{}` is not a command name",
            gv_core::text::escape_controls(&args.command)
        ))
        .into());
    }
    let mut found = false;
    for version in session.store().installed()? {
        let path = session
            .store()
            .version_dir(&version)
            .join("bin")
            .join(gv_core::platform::exe_name(&args.command));
        if gv_core::select::is_executable_file(&path) {
            found = true;
            if args.path {
                crate::outln!("{}", gv_core::text::path(&path));
            } else {
                crate::outln!("{version}");
            }
        }
    }
    Ok(if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn run_shims(session: &Session, args: ShimsArgs) -> anyhow::Result<ExitCode> {
    let dir = session.store().shims_dir();
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot list {}", dir.display())));
        }
    };
    names.sort();
    for name in names {
        if args.short {
            crate::outln!("{}", gv_core::text::escape_controls(&name));
        } else {
            crate::outln!("{}", gv_core::text::path(&dir.join(&name)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_commands(_args: CommandsArgs) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let cli = super::Cli::command();
    let mut names: Vec<String> = Vec::new();
    for sub in cli.get_subcommands() {
        if sub.get_name() == "hook-env" {
            continue;
        }
        names.push(sub.get_name().to_string());
        names.extend(sub.get_all_aliases().map(str::to_string));
    }
    names.sort();
    names.dedup();
    for name in names {
        crate::outln!("{name}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_installed(session: &Session, args: InstalledArgs) -> anyhow::Result<ExitCode> {
    let spec = args.spec.unwrap_or(Spec::Latest);
    if spec == Spec::System {
        if gv_core::select::find_system_go(session.store(), session.select_env().path.as_deref())
            .is_none()
        {
            bail!(Hinted::new(
                "no system go: no go on PATH outside gv's directories",
                "install one with your package manager, or use an installed version (`gv list`)"
            ));
        }
        crate::outln!("system");
        return Ok(ExitCode::SUCCESS);
    }
    let installed = session.store().installed()?;
    match newest(&spec, &installed) {
        Some(version) => {
            crate::outln!("{version}");
            Ok(ExitCode::SUCCESS)
        }
        None if installed.is_empty() => bail!(Hinted::new(
            "no Go versions installed",
            "run `gv install latest`"
        )),
        None => bail!(Hinted::new(
            format!("no installed version matches {spec}"),
            format!(
                "`gv list` shows what is installed; `{}` installs it",
                gv_core::suggest::command(["gv", "install", &spec.to_string()])
            )
        )),
    }
}

/// The installed version `spec` stands for: goenv's `installed` takes the newest match
/// (for `latest`, the newest of all, stable releases preferred as everywhere in gv).
fn newest<'a>(spec: &Spec, installed: &'a [Version]) -> Option<&'a Version> {
    spec.best_match(installed)
}
