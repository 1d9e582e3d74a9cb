//! The database through gv's cache, like the release index: a copy younger than [`TTL`]
//! is used as it is, `--offline` uses any copy, and a database that cannot be asked
//! falls back to the last copy with its age said. A refresh asks `index/db.json` first
//! and stops there when nothing changed; otherwise it reads `index/modules.json` and
//! fetches only the `stdlib`/`toolchain` entries whose `modified` differs from the
//! cached copy's. Everything is parsed before it is cached, and `modules.json` is
//! written last, so a cache that has it is whole.
//!
//! Cache layout (`Cache::vulndb_dir`): `db.json`, `modules.json`, `ID/<id>.json` —
//! the database's own documents, uncompressed.

use std::path::Path;
use std::time::{Duration, SystemTime};

use gv_core::limits;
use gv_core::store::Cache;

use super::osv::{self, DbInfo, Entry, Listed};
use super::source::Location;
use super::{Database, VulnDbError};
use crate::sources::fetch::Http;
use crate::sources::index::{Freshness, Mode};

/// How long a cached database is used without asking again: entries change a few times
/// a week.
pub const TTL: Duration = Duration::from_secs(60 * 60);

/// How many entries are fetched at once.
const PARALLEL: usize = 4;

/// Loads the database at `location` through `cache`. `http` may be `None` only with
/// [`Mode::Offline`].
pub fn load(
    http: Option<&Http>,
    location: &Location,
    cache: &Cache,
    mode: Mode,
) -> Result<Database, VulnDbError> {
    let url = location.url();
    let dir = cache.vulndb_dir(&url);
    let cached = read_cache(&dir);
    if let Some((db, age)) = &cached {
        let fresh = mode == Mode::Offline || (mode == Mode::Normal && *age < TTL);
        if fresh {
            return Ok(Database {
                url,
                freshness: Freshness::Cached { age: *age },
                ..db.clone()
            });
        }
    }
    let http = match (mode, http) {
        (Mode::Offline, _) | (_, None) => {
            return Err(VulnDbError::OfflineNoCache { url });
        }
        (_, Some(http)) => http,
    };
    match refresh(http, location, &dir, cached.as_ref().map(|(db, _)| db)) {
        Ok(db) => Ok(Database {
            url,
            freshness: Freshness::Fetched,
            fetched: SystemTime::now(),
            ..db
        }),
        Err(e) => match cached {
            Some((db, age)) => Ok(Database {
                url,
                freshness: Freshness::Stale {
                    age,
                    reason: gv_core::error::Report::with_hints(&e, crate::error::hint_of).message,
                },
                ..db
            }),
            None => Err(e),
        },
    }
}

fn read_cache(dir: &Path) -> Option<(Database, Duration)> {
    let modules_path = dir.join("modules.json");
    let modules = limits::read_file_string(&modules_path, limits::VULNDB_MODULES).ok()?;
    let listed = osv::parse_modules(&modules).ok()?;
    let info = limits::read_file_string(&dir.join("db.json"), limits::VULNDB_SMALL).ok()?;
    let info: DbInfo = serde_json::from_str(&info).ok()?;
    let mut entries = Vec::with_capacity(listed.len());
    for l in &listed {
        let text = limits::read_file_string(&entry_path(dir, &l.id), limits::VULNDB_ENTRY).ok()?;
        let entry = osv::parse_entry(&l.id, &text).ok()?;
        if entry.modified != l.modified {
            return None;
        }
        entries.push(entry);
    }
    let fetched = std::fs::metadata(&modules_path).ok()?.modified().ok()?;
    let age = SystemTime::now()
        .duration_since(fetched)
        .unwrap_or(Duration::ZERO);
    Some((
        Database {
            url: String::new(),
            modified: info.modified,
            entries,
            freshness: Freshness::Fetched,
            fetched,
        },
        age,
    ))
}

/// The cached copy of entry `id` (checked by [`osv::valid_id`] before it got here).
fn entry_path(dir: &Path, id: &str) -> std::path::PathBuf {
    dir.join("ID").join(format!("{id}.json"))
}

fn garbage(what: String, why: impl Into<String>) -> VulnDbError {
    VulnDbError::Garbage {
        what,
        why: why.into(),
    }
}

fn text(bytes: Vec<u8>, what: &str) -> Result<String, VulnDbError> {
    String::from_utf8(bytes).map_err(|_| garbage(what.to_string(), "it is not UTF-8 text"))
}

fn refresh(
    http: &Http,
    location: &Location,
    dir: &Path,
    cached: Option<&Database>,
) -> Result<Database, VulnDbError> {
    let base = location.url();
    let info_text = text(
        location.read(http, "index/db", limits::VULNDB_SMALL)?,
        "index/db.json",
    )?;
    let info: DbInfo = serde_json::from_str(&info_text)
        .map_err(|e| garbage(format!("{base}/index/db.json"), e.to_string()))?;
    if let Some(db) = cached
        && db.modified == info.modified
    {
        // Nothing changed: the copy is as good as new.
        let modules = dir.join("modules.json");
        if let Ok(file) = std::fs::File::options().append(true).open(&modules) {
            let _ = file.set_modified(SystemTime::now());
        }
        return Ok(db.clone());
    }
    let modules_text = text(
        location.read(http, "index/modules", limits::VULNDB_MODULES)?,
        "index/modules.json",
    )?;
    let listed = osv::parse_modules(&modules_text)
        .map_err(|why| garbage(format!("{base}/index/modules.json"), why))?;
    if listed.len() > limits::VULNDB_ENTRIES {
        return Err(VulnDbError::TooMany {
            url: base,
            count: listed.len(),
        });
    }
    let reuse = |l: &Listed| {
        cached
            .and_then(|db| {
                db.entries
                    .iter()
                    .find(|e| e.id == l.id && e.modified == l.modified)
            })
            .cloned()
    };
    let wanted: Vec<&Listed> = listed.iter().filter(|l| reuse(l).is_none()).collect();
    let fetched = fetch_entries(http, location, &wanted)?;
    let mut entries = Vec::with_capacity(listed.len());
    for l in &listed {
        match reuse(l) {
            Some(entry) => entries.push(entry),
            None => {
                let (entry, raw) = fetched
                    .iter()
                    .find(|(e, _)| e.id == l.id)
                    .cloned()
                    .ok_or_else(|| garbage(format!("{base}/ID/{}.json", l.id), "missing"))?;
                if entry.modified != l.modified {
                    return Err(garbage(
                        format!("{base}/ID/{}.json", l.id),
                        "its `modified` is not the one index/modules.json lists",
                    ));
                }
                // A cache that cannot be written only costs a later download.
                let _ = write_plain(&entry_path(dir, &l.id), raw.as_bytes());
                entries.push(entry);
            }
        }
    }
    let _ = crate::fsutil::write_atomic(&dir.join("db.json"), info_text.as_bytes());
    let _ = crate::fsutil::write_atomic(&dir.join("modules.json"), modules_text.as_bytes());
    Ok(Database {
        url: base,
        modified: info.modified,
        entries,
        freshness: Freshness::Fetched,
        fetched: SystemTime::now(),
    })
}

/// Fetches and parses `wanted`, [`PARALLEL`] at a time.
fn fetch_entries(
    http: &Http,
    location: &Location,
    wanted: &[&Listed],
) -> Result<Vec<(Entry, String)>, VulnDbError> {
    let base = location.url();
    let chunk = wanted.len().div_ceil(PARALLEL).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = wanted
            .chunks(chunk)
            .map(|part| {
                let base = &base;
                scope.spawn(move || {
                    part.iter()
                        .map(|l| {
                            let endpoint = format!("ID/{}", l.id);
                            let raw = text(
                                location.read(http, &endpoint, limits::VULNDB_ENTRY)?,
                                &endpoint,
                            )?;
                            let entry = osv::parse_entry(&l.id, &raw)
                                .map_err(|why| garbage(format!("{base}/{endpoint}.json"), why))?;
                            Ok((entry, raw))
                        })
                        .collect::<Result<Vec<_>, VulnDbError>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for worker in workers {
            out.extend(
                worker
                    .join()
                    .unwrap_or_else(|_| Err(garbage(base.clone(), "a fetch thread failed")))?,
            );
        }
        Ok(out)
    })
}

fn write_plain(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
