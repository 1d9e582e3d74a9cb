//! The symbol store: debug information kept by GNU build ID, in the layout gdb's
//! `debug-file-directory`, delve's `debug-info-directories` and elfutils (`debuginfod -F`,
//! `eu-unstrip`) all read as it is:
//!
//! ```text
//! .build-id/65/a84525….debug    the debug twin: DWARF, symbols, notes
//! .build-id/65/a84525…          the stripped executable (debuginfod serves it as
//!                               /buildid/ID/executable; gv debug --core finds it)
//! .gv/records/65a84525….json    what gv knows of the build: Go version, package,
//!                               where the binary landed, when (for list and prune)
//! ```
//!
//! Files are real files (debuginfod skips symbolic links), written to a temporary name
//! in their directory and renamed, so a reader sees a whole file or none. The same build
//! ID twice is the same content: a later build only renews the record's date.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::build_id::BuildId;
use super::limits;
use super::notes;

pub struct SymbolStore {
    root: PathBuf,
}

/// What gv records beside a build's files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `go1.22.10`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go: Option<String>,
    /// The main package's import path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The main package's directory: builds are kept per program by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<PathBuf>,
    /// Where the stripped binary landed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The debuginfod server it came from, for debug information fetched rather than built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it was last built (or fetched), seconds since 1970.
    #[serde(default)]
    pub added: u64,
}

/// One build in the store.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub build_id: BuildId,
    pub debug_file: PathBuf,
    pub debug_size: u64,
    /// The stripped executable, when the store has it.
    pub executable: Option<PathBuf>,
    pub executable_size: u64,
    pub record: Option<Record>,
    /// The record's date, else the debug file's modification time.
    pub added: u64,
}

impl Entry {
    pub fn size(&self) -> u64 {
        self.debug_size + self.executable_size
    }

    /// The program it belongs to, for keeping builds per program.
    pub fn project(&self) -> Option<&Path> {
        self.record.as_ref()?.project.as_deref()
    }
}

/// A twin in the store, checked to carry the build ID it is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub debug_file: PathBuf,
    pub executable: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is filed under build ID {expected} but has {found}")]
    Mismatch {
        path: PathBuf,
        expected: BuildId,
        found: String,
    },
    #[error("cannot write to the symbol store at {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the symbol store at {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl gv_core::error::Hint for StoreError {
    fn hint(&self) -> Option<String> {
        match self {
            StoreError::Mismatch { path, .. } => Some(format!(
                "the file was replaced by another build's; remove it ({}) and rebuild, or fetch it again",
                gv_core::suggest::command(["rm", &*path.to_string_lossy()])
            )),
            StoreError::Write { .. } => Some(format!(
                "set {} to a writable directory, or build with a profile without keep_debug",
                gv_core::vars::SYMBOLS
            )),
            StoreError::Read { .. } => None,
        }
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl SymbolStore {
    pub fn new(root: impl Into<PathBuf>) -> SymbolStore {
        SymbolStore { root: root.into() }
    }

    /// `GV_SYMBOLS`, else `symbols/` in gv's data directory.
    pub fn from_env() -> Result<SymbolStore, gv_core::store::StoreError> {
        gv_core::store::Store::symbols_dir_from_env().map(SymbolStore::new)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn build_id_dir(&self) -> PathBuf {
        self.root.join(".build-id")
    }

    pub fn debug_path(&self, id: &BuildId) -> PathBuf {
        let (dir, rest) = id.split_path();
        self.build_id_dir().join(dir).join(format!("{rest}.debug"))
    }

    pub fn executable_path(&self, id: &BuildId) -> PathBuf {
        let (dir, rest) = id.split_path();
        self.build_id_dir().join(dir).join(rest)
    }

    fn records_dir(&self) -> PathBuf {
        self.root.join(".gv").join("records")
    }

    fn record_path(&self, id: &BuildId) -> PathBuf {
        self.records_dir().join(format!("{id}.json"))
    }

    /// A temporary file in the directory `id`'s files go to, for a writer to fill and
    /// [`SymbolStore::add`] to rename into place.
    pub fn temp_file(&self, id: &BuildId) -> Result<tempfile::NamedTempFile, StoreError> {
        let dir = self
            .debug_path(id)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        let write_error = |source| StoreError::Write {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(write_error)?;
        tempfile::Builder::new()
            .prefix(".gv-")
            .tempfile_in(&dir)
            .map_err(write_error)
    }

    /// Files `debug` (a temporary file from [`SymbolStore::temp_file`], checked by the
    /// caller to carry `id`) and a copy of the stripped executable under `id`, and
    /// records `record`. A build ID already in the store keeps its files.
    pub fn add(
        &self,
        id: &BuildId,
        debug: tempfile::NamedTempFile,
        executable: Option<&Path>,
        mut record: Record,
    ) -> Result<(), StoreError> {
        let debug_path = self.debug_path(id);
        let write_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Write { path, source }
        };
        if self.find(id).is_none() {
            set_readable(debug.path(), false).map_err(write_error(&debug_path))?;
            debug
                .persist(&debug_path)
                .map_err(|e| e.error)
                .map_err(write_error(&debug_path))?;
        }
        if let Some(executable) = executable {
            let exe_path = self.executable_path(id);
            if !exe_path.is_file() {
                let mut copy = self.temp_file(id)?;
                let mut from = std::fs::File::open(executable).map_err(write_error(executable))?;
                std::io::copy(&mut from, copy.as_file_mut()).map_err(write_error(&exe_path))?;
                set_readable(copy.path(), true).map_err(write_error(&exe_path))?;
                copy.persist(&exe_path)
                    .map_err(|e| e.error)
                    .map_err(write_error(&exe_path))?;
            }
        }
        if record.added == 0 {
            record.added = now();
        }
        let path = self.record_path(id);
        let text = serde_json::to_vec_pretty(&record).unwrap_or_default();
        crate::fsutil::write_atomic(&path, &text).map_err(write_error(&path))
    }

    /// Files a stripped executable fetched for `id` (from debuginfod), checked by the
    /// caller, beside its twin.
    pub fn add_executable(
        &self,
        id: &BuildId,
        file: tempfile::NamedTempFile,
    ) -> Result<PathBuf, StoreError> {
        let path = self.executable_path(id);
        set_readable(file.path(), true).map_err(|source| StoreError::Write {
            path: path.clone(),
            source,
        })?;
        file.persist(&path).map_err(|e| StoreError::Write {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(path)
    }

    /// The twin of `id`, if the store has it and it really carries that build ID (delve
    /// loads whatever file has the right name; gv checks first).
    pub fn find(&self, id: &BuildId) -> Option<Found> {
        self.check(id).ok().flatten()
    }

    /// Like [`SymbolStore::find`], but a file under the right name with another build ID
    /// is an error, not a miss.
    pub fn check(&self, id: &BuildId) -> Result<Option<Found>, StoreError> {
        let debug_file = self.debug_path(id);
        if !debug_file.is_file() {
            return Ok(None);
        }
        match file_build_id(&debug_file) {
            Ok(Some(found)) if found == *id => {}
            Ok(found) => {
                return Err(StoreError::Mismatch {
                    path: debug_file,
                    expected: id.clone(),
                    found: found.map_or_else(|| "none".to_string(), |f| f.to_string()),
                });
            }
            Err(e) => {
                return Err(StoreError::Mismatch {
                    path: debug_file,
                    expected: id.clone(),
                    found: format!("none readable ({e})"),
                });
            }
        }
        let exe = self.executable_path(id);
        let executable =
            matches!(file_build_id(&exe), Ok(Some(found)) if found == *id).then_some(exe);
        Ok(Some(Found {
            debug_file,
            executable,
        }))
    }

    /// Every build in the store, newest first (at most [`limits::STORE_ENTRIES`] files
    /// are looked at).
    pub fn list(&self) -> Result<Vec<Entry>, StoreError> {
        let dir = self.build_id_dir();
        let read_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Read { path, source }
        };
        let top = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(read_error(&dir)(e)),
        };
        let mut seen = 0usize;
        let mut out = Vec::new();
        for sub in top.flatten() {
            let prefix = sub.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !sub.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Ok(files) = std::fs::read_dir(sub.path()) else {
                continue;
            };
            for file in files.flatten() {
                seen += 1;
                if seen > limits::STORE_ENTRIES {
                    break;
                }
                let name = file.file_name().to_string_lossy().into_owned();
                let Some(rest) = name.strip_suffix(".debug") else {
                    continue;
                };
                let Ok(id) = BuildId::parse(&format!("{prefix}{rest}")) else {
                    continue;
                };
                let Ok(meta) = std::fs::symlink_metadata(file.path()) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                let exe = self.executable_path(&id);
                let exe_meta = std::fs::symlink_metadata(&exe).ok().filter(|m| m.is_file());
                let record = self.record(&id);
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs());
                out.push(Entry {
                    debug_file: file.path(),
                    debug_size: meta.len(),
                    executable_size: exe_meta.as_ref().map_or(0, |m| m.len()),
                    executable: exe_meta.map(|_| exe),
                    added: record.as_ref().map_or(mtime, |r| r.added),
                    record,
                    build_id: id,
                });
            }
        }
        out.sort_by(|a, b| b.added.cmp(&a.added).then(a.build_id.cmp(&b.build_id)));
        Ok(out)
    }

    /// gv's record of `id`, if it has one that parses (read with a bound).
    pub fn record(&self, id: &BuildId) -> Option<Record> {
        let mut text = Vec::new();
        let file = std::fs::File::open(self.record_path(id)).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        file.take(limits::RECORD).read_to_end(&mut text).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Removes a build's files; returns the bytes freed.
    pub fn remove(&self, entry: &Entry) -> Result<u64, StoreError> {
        let mut freed = 0;
        for (path, size) in [
            (Some(entry.debug_file.clone()), entry.debug_size),
            (entry.executable.clone(), entry.executable_size),
            (Some(self.record_path(&entry.build_id)), 0),
        ] {
            let Some(path) = path else { continue };
            match crate::fsutil::remove_if_exists(&path) {
                Ok(true) => freed += size,
                Ok(false) => {}
                Err(source) => return Err(StoreError::Write { path, source }),
            }
        }
        // The two-digit directory goes when it is empty.
        if let Some(dir) = entry.debug_file.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        Ok(freed)
    }
}

/// Files in the store are readable by all (a debuginfod server may run as another
/// user); the executable keeps its exec bits.
fn set_readable(path: &Path, executable: bool) -> std::io::Result<()> {
    if executable {
        gv_core::platform::set_executable(path)
    } else {
        gv_core::platform::set_mode(path, 0o644)
    }
}

/// The GNU build ID of the ELF file at `path`, reading only its headers and notes.
pub fn file_build_id(path: &Path) -> Result<Option<BuildId>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() == 0 {
        return Err("an empty file".into());
    }
    // SAFETY: a read-only map that lives only for this call; only the headers and
    // notes are touched.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| e.to_string())?;
    notes::elf_build_id(&map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_build_id_layout() {
        let store = SymbolStore::new("/s");
        let id = BuildId::parse("65a84525ea1c9efa4ae7cb993a53cfcf4b550b3e").unwrap();
        assert_eq!(
            store.debug_path(&id),
            Path::new("/s/.build-id/65/a84525ea1c9efa4ae7cb993a53cfcf4b550b3e.debug")
        );
        assert_eq!(
            store.executable_path(&id),
            Path::new("/s/.build-id/65/a84525ea1c9efa4ae7cb993a53cfcf4b550b3e")
        );
    }

    #[test]
    fn a_file_under_the_wrong_name_is_refused_and_garbage_is_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SymbolStore::new(dir.path());
        let id = BuildId::parse(&"ab".repeat(20)).unwrap();
        std::fs::create_dir_all(store.debug_path(&id).parent().unwrap()).unwrap();
        std::fs::write(store.debug_path(&id), b"\x7fELF not really").unwrap();
        assert!(store.find(&id).is_none());
        let err = store.check(&id).unwrap_err();
        assert!(
            err.to_string().contains("is filed under build ID abab"),
            "{err}"
        );
        // Names that are not build IDs, directories, and records are skipped.
        let dd = store.root().join(".build-id/zz");
        std::fs::create_dir_all(&dd).unwrap();
        std::fs::write(dd.join("nothex.debug"), "x").unwrap();
        std::fs::create_dir_all(store.root().join(".build-id/ab/cd.debug")).unwrap();
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].build_id, id);
        assert!(listed[0].record.is_none());
        // A hostile record is ignored, not trusted.
        std::fs::create_dir_all(store.records_dir()).unwrap();
        std::fs::write(store.record_path(&id), vec![b'{'; 200_000]).unwrap();
        assert!(store.record(&id).is_none());
        let freed = store.remove(&listed[0]).unwrap();
        assert_eq!(freed, 15);
        assert!(store.list().unwrap().is_empty());
    }
}
