use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;

use super::UsageError;
use crate::error::Hinted;
use crate::symbols::store::{self, Entry};
use crate::symbols::{BuildId, SymbolStore};
use crate::ui::{self, Style, human_size};

/// The symbol store: debug information of stripped builds, by GNU build ID
///
/// `gv build --release` (and any profile with keep_debug = true) ships stripped binaries
/// and keeps their DWARF here, laid out as gdb, delve and debuginfod read it:
/// `.build-id/xx/rest.debug`, and the stripped executable as `.build-id/xx/rest`.
/// `gv debug` finds it by the binary's (or core's) build ID.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv symbols list                     every build kept, newest first, with its size
  gv symbols path                     the store's directory (for debuginfod -F, gdb, delve)
  gv symbols path ./app               where ./app's debug information is
  gv symbols prune --keep 5           keep the 5 newest builds of each program
  gv symbols prune --older-than 30d   remove builds not rebuilt for 30 days
  gv symbols list --json              the same, for scripts

The store is GV_SYMBOLS, else $GV_ROOT/symbols.")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List the builds kept, newest first
    #[command(after_help = "Examples:
  gv symbols list           build ID, size, age, Go version and program of each build
  gv symbols list --json    the same, for scripts")]
    List {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print the store's directory, or where a binary's (or build ID's) debug information is
    #[command(after_help = "Examples:
  gv symbols path                         the store's directory
  gv symbols path ./app                   ./app's debug file (exit 1 when it is not kept)
  gv symbols path 65a84525ea1c9efa4ae7cb993a53cfcf4b550b3e

Exit codes: 0 found, 1 not in the store, 2 not a binary or build ID.")]
    Path {
        /// A stripped binary, or a GNU build ID in hex
        #[arg(value_name = "BINARY|BUILD-ID")]
        what: Option<String>,
    },
    /// Remove builds: all but the newest N of each program, or those older than an age
    #[command(after_help = "Examples:
  gv symbols prune --keep 5                   the 5 newest builds of each program stay
  gv symbols prune --older-than 30d           builds last built 30 days ago or more go
  gv symbols prune --keep 3 --older-than 2w   only what both rules would remove goes
  gv symbols prune --keep 5 --dry-run         say what would go, remove nothing

A program is its main package's directory; builds fetched from debuginfod count as one
program. Ages: 90m, 12h, 30d, 2w.")]
    Prune {
        /// Keep the newest N builds of each program
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
        /// Remove builds last built (or fetched) at least this long ago: 12h, 30d, 2w
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        older_than: Option<u64>,
        /// Say what would be removed, and remove nothing
        #[arg(long)]
        dry_run: bool,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = SymbolStore::from_env()?;
    match args.command {
        Command::List { json } => list(&store, json),
        Command::Path { what } => path(&store, what.as_deref()),
        Command::Prune {
            keep,
            older_than,
            dry_run,
            json,
        } => prune(&store, keep, older_than, dry_run, json),
    }
}

fn entry_json(e: &Entry) -> serde_json::Value {
    serde_json::json!({
        "build_id": e.build_id,
        "size": e.size(),
        "debug_file": e.debug_file,
        "debug_size": e.debug_size,
        "executable": e.executable,
        "executable_size": e.executable_size,
        "added": e.added,
        "go": e.record.as_ref().and_then(|r| r.go.clone()),
        "package": e.record.as_ref().and_then(|r| r.package.clone()),
        "project": e.project(),
        "binary": e.record.as_ref().and_then(|r| r.binary.clone()),
        "profile": e.record.as_ref().and_then(|r| r.profile.clone()),
        "source": e.record.as_ref().and_then(|r| r.source.clone()),
    })
}

/// What a listing calls a build's program.
fn program(e: &Entry) -> String {
    let Some(record) = &e.record else {
        return "(no record)".to_string();
    };
    match (&record.package, &record.project, &record.source) {
        (Some(package), Some(project), _) => format!("{package} ({})", project.display()),
        (Some(package), None, _) => package.clone(),
        (None, _, Some(source)) => format!("fetched from {source}"),
        (None, Some(project), None) => project.display().to_string(),
        (None, None, None) => "(no record)".to_string(),
    }
}

/// `5 min`, `3 h`, `12 days`: how long ago, for people.
pub fn ago(added: u64, now: u64) -> String {
    let secs = now.saturating_sub(added);
    match secs {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

fn list(store: &SymbolStore, json: bool) -> anyhow::Result<ExitCode> {
    let entries = store.list()?;
    if json {
        let value = serde_json::json!({
            "root": store.root(),
            "builds": entries.iter().map(entry_json).collect::<Vec<_>>(),
            "size": entries.iter().map(Entry::size).sum::<u64>(),
        });
        crate::outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        crate::outln!(
            "the symbol store at {} is empty: `gv build --release` keeps the debug information of what it builds there",
            store.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let now = store::now();
    crate::outln!(
        "{:<12}  {:>9}  {:<14}  {:<10}  PROGRAM",
        "BUILD ID",
        "SIZE",
        "BUILT",
        "GO"
    );
    for e in &entries {
        crate::outln!(
            "{:<12}  {:>9}  {:<14}  {:<10}  {}",
            e.build_id.short(),
            human_size(e.size()),
            ago(e.added, now),
            e.record
                .as_ref()
                .and_then(|r| r.go.as_deref())
                .unwrap_or("-"),
            ui::out(&program(e), Style::Bold),
        );
    }
    let total: u64 = entries.iter().map(Entry::size).sum();
    crate::outln!(
        "{} build{}, {} in {}",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        human_size(total),
        store.root().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn path(store: &SymbolStore, what: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(what) = what else {
        crate::outln!("{}", store.root().display());
        return Ok(ExitCode::SUCCESS);
    };
    let as_file = Path::new(what);
    let id = if as_file.is_file() {
        match store::file_build_id(as_file) {
            Ok(Some(id)) => id,
            Ok(None) => bail!(UsageError::hinted(
                format!(
                    "{what} has no GNU build ID: no debug information can be kept apart for it"
                ),
                "gv build --release links binaries with one",
            )),
            Err(why) => bail!(UsageError::new(format!(
                "{what} is not an ELF binary gv can read ({why})"
            ))),
        }
    } else {
        BuildId::parse(what).map_err(|e| {
            UsageError::hinted(
                format!("{what} is neither a file nor a build ID: {e}"),
                "pass a stripped binary, or the hex ID `readelf -n BINARY` shows",
            )
        })?
    };
    match store.check(&id)? {
        Some(found) => {
            crate::outln!("{}", found.debug_file.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            ui::info_hinted(
                format!(
                    "the debug information of build ID {id} is not in the symbol store ({})",
                    store.root().display()
                ),
                "gv debug fetches it from the servers DEBUGINFOD_URLS names",
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The builds a prune removes: beyond the newest `keep` of each program, or at least
/// `older_than` seconds old — both, when both are given.
pub fn to_remove(
    entries: &[Entry],
    keep: Option<usize>,
    older_than: Option<u64>,
    now: u64,
) -> Vec<usize> {
    let mut rank: std::collections::HashMap<Option<PathBuf>, usize> = Default::default();
    let mut out = Vec::new();
    // `entries` are newest first.
    for (i, e) in entries.iter().enumerate() {
        let seen = rank.entry(e.project().map(Path::to_path_buf)).or_default();
        *seen += 1;
        let beyond_keep = keep.is_none_or(|k| *seen > k);
        let old = older_than.is_none_or(|age| now.saturating_sub(e.added) >= age);
        if beyond_keep && old {
            out.push(i);
        }
    }
    out
}

fn prune(
    store: &SymbolStore,
    keep: Option<usize>,
    older_than: Option<u64>,
    dry_run: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if keep.is_none() && older_than.is_none() {
        bail!(UsageError::hinted(
            "say what to keep: --keep N (per program), --older-than AGE, or both",
            "gv symbols prune --keep 5 keeps the 5 newest builds of each program",
        ));
    }
    let entries = store.list()?;
    let now = store::now();
    let doomed = to_remove(&entries, keep, older_than, now);
    let mut freed = 0;
    let mut removed = Vec::new();
    for &i in &doomed {
        let e = &entries[i];
        if !dry_run {
            freed += store.remove(e).map_err(|e| {
                anyhow::anyhow!(Hinted::new(
                    e.to_string(),
                    "check the permissions of the symbol store's directory"
                ))
            })?;
        } else {
            freed += e.size();
        }
        removed.push(e);
    }
    if json {
        let value = serde_json::json!({
            "dry_run": dry_run,
            "removed": removed.iter().map(|e| entry_json(e)).collect::<Vec<_>>(),
            "freed": freed,
            "kept": entries.len() - removed.len(),
        });
        crate::outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    for e in &removed {
        crate::outln!(
            "{verb} {} ({}, built {}, {})",
            e.build_id.short(),
            program(e),
            ago(e.added, now),
            human_size(e.size())
        );
    }
    crate::outln!(
        "{} {} build{}, {}; {} kept",
        if dry_run { "would free" } else { "freed" },
        removed.len(),
        if removed.len() == 1 { "" } else { "s" },
        human_size(freed),
        entries.len() - removed.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `90m`, `12h`, `30d`, `2w` (or plain seconds) as seconds.
pub fn parse_age(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not an age: write 90m, 12h, 30d or 2w"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("`{text}`: the unit is one of s, m, h, d, w")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too long an age"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbols::store::Record;

    fn entry(id: u8, project: Option<&str>, added: u64) -> Entry {
        Entry {
            build_id: BuildId::from_bytes(&[id; 20]).unwrap(),
            debug_file: PathBuf::from(format!("/s/{id}.debug")),
            debug_size: 100,
            executable: None,
            executable_size: 0,
            record: project.map(|p| Record {
                project: Some(p.into()),
                added,
                ..Record::default()
            }),
            added,
        }
    }

    #[test]
    fn prune_keeps_per_program_and_by_age() {
        let day = 86_400;
        let now = 100 * day;
        // Newest first, as the store lists them.
        let entries = [
            entry(1, Some("/a"), now - day),
            entry(2, Some("/b"), now - 2 * day),
            entry(3, Some("/a"), now - 3 * day),
            entry(4, Some("/a"), now - 40 * day),
            entry(5, None, now - 50 * day),
        ];
        assert_eq!(to_remove(&entries, Some(1), None, now), [2, 3]);
        assert_eq!(to_remove(&entries, None, Some(30 * day), now), [3, 4]);
        assert_eq!(to_remove(&entries, Some(2), Some(30 * day), now), [3]);
        assert!(to_remove(&entries, Some(5), None, now).is_empty());
    }

    #[test]
    fn ages_parse_with_their_units() {
        assert_eq!(parse_age("90m"), Ok(5400));
        assert_eq!(parse_age("2w"), Ok(14 * 86_400));
        assert_eq!(parse_age("30"), Ok(30));
        assert!(parse_age("d").is_err());
        assert!(parse_age("3y").is_err());
        assert!(parse_age("99999999999999999999d").is_err());
        assert!(parse_age("9999999999999999w").is_err());
        assert_eq!(ago(0, 59), "just now");
        assert_eq!(ago(0, 7200), "2 h ago");
    }
}
