use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use gv_core::config::{Config, ConfigFile};
use gv_core::text::one_line;
use gv_core::trust::{self, Records, TRUSTED_PATHS_KEY};

use super::Session;
use crate::error::Hinted;
use crate::trust::{self as review, Review};
use crate::ui::{self, Style};
use gv_core::vars::TRUSTED_PATHS;

/// Let a project's gv.toml apply: review what it sets, then trust it
///
/// A project's gv.toml comes with the repository you cloned, and some variables it can
/// set make the go command run other programs or download other code. So gv ignores it
/// until you trust it; pin files (.go-version, go.mod) need no trust. Trust is recorded
/// with the sha256 of the file's content: after any change, the file is ignored again
/// until you trust the new content.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv trust --show          what the gv.toml that applies here would set, risky entries flagged
  gv trust                 trust it (the nearest gv.toml up from here)
  gv trust ~/src/api       trust ~/src/api/gv.toml
  gv trust --list          every trusted file and directory, and whether it changed since
  gv untrust               stop trusting it

To trust every gv.toml below a directory (your own work tree, a CI checkout), list it in
your own config.toml as trusted_paths = [\"~/src/work\"], or set GV_TRUSTED_PATHS.
A project's gv.toml can never set mirror, auto_install, trusted_paths, GOROOT or PATH.")]
pub struct Args {
    /// The gv.toml, or a directory holding one (default: the nearest up from here)
    #[arg(value_name = "PATH", conflicts_with = "list")]
    path: Option<PathBuf>,
    /// Show what the file would set, and whether it is trusted, without trusting it
    #[arg(long)]
    show: bool,
    /// List the trusted files and directories
    #[arg(long, conflicts_with = "show")]
    list: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Stop trusting a project's gv.toml
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv untrust               the nearest gv.toml up from here
  gv untrust ~/src/api     ~/src/api/gv.toml")]
pub struct UntrustArgs {
    /// The gv.toml, or a directory holding one (default: the nearest up from here)
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    if args.list {
        return list(session, args.json);
    }
    let file = target(session, args.path.as_deref())?;
    let parsed =
        ConfigFile::load(&file)?.ok_or_else(|| anyhow::anyhow!("{} vanished", file.display()))?;
    let review = review::review(&parsed);
    if args.show {
        let config = Config::load(session.store(), Some(&file))?;
        let state = match (&config.trust, &config.untrusted) {
            (Some(how), _) => how.to_string(),
            (None, Some(u)) if u.changed => "changed since you trusted it: ignored".to_string(),
            _ => "not trusted: ignored".to_string(),
        };
        if args.json {
            let report = serde_json::json!({
                "path": file,
                "trusted": config.trust.is_some(),
                "state": state,
                "review": review,
            });
            crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            crate::outln!("{} — {state}", gv_core::text::path(&file));
            print_review(&review);
            if config.trust.is_none() {
                crate::outln!(
                    "to trust it: {}",
                    one_line(&gv_core::suggest::command([
                        "gv",
                        "trust",
                        &gv_core::suggest::path(&file)
                    ]))
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !review.errors.is_empty() {
        print_review(&review);
        bail!(Hinted::new(
            format!(
                "{} has values gv refuses (above), so trusting it would only make every go command fail",
                file.display()
            ),
            "fix them, then run `gv trust` again"
        ));
    }
    let record = review::record(session.store(), &file)?;
    if args.json {
        let report = serde_json::json!({
            "path": record.path,
            "sha256": record.sha256,
            "review": review,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        crate::outln!(
            "trusted {} (sha256 {}); it applies from now on, until its content changes:",
            gv_core::text::path(&file),
            &record.sha256[..12]
        );
        print_review(&review);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_untrust(session: &Session, args: UntrustArgs) -> anyhow::Result<ExitCode> {
    let file = target(session, args.path.as_deref())?;
    let removed = review::forget(session.store(), &file)?;
    if removed {
        ui::info(format!("{} is no longer trusted", file.display()));
    } else {
        ui::info(format!(
            "{} was not trusted with `gv trust`",
            file.display()
        ));
    }
    let config = Config::load(session.store(), Some(&file))?;
    if let Some(how) = &config.trust {
        ui::warn_hinted(
            format!("{} still applies: {how}", file.display()),
            format!("remove its directory from {TRUSTED_PATHS_KEY} / {TRUSTED_PATHS}"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The file the user means: the argument (a gv.toml or a directory), else the nearest
/// gv.toml up from here — the one the shims would read.
fn target(session: &Session, path: Option<&Path>) -> anyhow::Result<PathBuf> {
    match path {
        Some(path) => Ok(review::canonical_target(&session.cwd().join(path))?),
        None => match &session.discovery().project_config {
            Some(path) => Ok(review::canonical_target(path)?),
            None => bail!(Hinted::new(
                format!(
                    "there is no gv.toml in {} or above",
                    session.cwd().display()
                ),
                "name the file: `gv trust PATH`"
            )),
        },
    }
}

fn print_review(review: &Review) {
    if review.entries.is_empty() {
        crate::outln!("  (sets nothing gv applies)");
    }
    for entry in &review.entries {
        crate::outln!("  {} = {}", one_line(&entry.key), one_line(&entry.value));
        if let Some(risk) = &entry.risk {
            crate::outln!(
                "      {}",
                ui::out(&format!("! {}", one_line(risk)), Style::Yellow)
            );
        }
    }
    if !review.ignored.is_empty() {
        crate::outln!("ignored even when trusted:");
        for line in &review.ignored {
            crate::outln!("  {}", one_line(line));
        }
    }
    for error in &review.errors {
        crate::outln!("  {} {}", ui::out("error:", Style::Red), one_line(error));
    }
}

fn list(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let records = Records::load(&session.store().trust_records())?;
    let config = Config {
        user: Config::load_user()?,
        ..Config::default()
    };
    let trees = config.trusted_trees(gv_core::process::var_os(gv_core::vars::TRUSTED_PATHS))?;
    let state = |record: &trust::Record| match gv_core::config::read_file(&record.path) {
        Ok(Some(contents)) if trust::sha256_hex(&contents.bytes) == record.sha256 => "trusted",
        Ok(Some(_)) => "changed since trusted: ignored",
        Ok(None) => "missing",
        Err(_) => "unreadable",
    };
    if json {
        let report = serde_json::json!({
            "files": records.entries.iter().map(|r| serde_json::json!({
                "path": r.path,
                "sha256": r.sha256,
                "state": state(r),
            })).collect::<Vec<_>>(),
            "directories": trees.iter().map(|t| serde_json::json!({
                "path": t.dir,
                "from": match &t.from {
                    trust::TreeSource::Env => gv_core::vars::TRUSTED_PATHS.to_string(),
                    trust::TreeSource::UserConfig(path) => path.display().to_string(),
                },
            })).collect::<Vec<_>>(),
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if records.entries.is_empty() && trees.is_empty() {
        ui::info("nothing is trusted yet; `gv trust --show` reviews the gv.toml that applies here");
    }
    for record in &records.entries {
        crate::outln!(
            "{:<32} {}",
            state(record),
            gv_core::text::path(&record.path)
        );
    }
    for tree in &trees {
        let from = match &tree.from {
            trust::TreeSource::Env => gv_core::vars::TRUSTED_PATHS.to_string(),
            trust::TreeSource::UserConfig(path) => {
                format!("{TRUSTED_PATHS_KEY} in {}", path.display())
            }
        };
        crate::outln!(
            "{:<32} {}/ (every gv.toml below it; {from})",
            "trusted directory",
            gv_core::text::path(&tree.dir)
        );
    }
    Ok(ExitCode::SUCCESS)
}
