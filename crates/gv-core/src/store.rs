//! Where gv keeps things. The store is `GV_ROOT`, else `$XDG_DATA_HOME/gv`, else
//! `~/.local/share/gv` — on macOS too (see [`crate::platform::data_home`]):
//!
//! ```text
//! versions/<version>/   a complete GOROOT per installed version (e.g. versions/1.22.10)
//! shims/                go, gofmt, ... (the shim binary, hard-linked); a symlink to the
//!                       current `.shims-XXXX/` generation, swapped atomically by rehash
//! version               the global default version, one spec per line
//! trusted-files         project gv.toml files trusted with `gv trust` (see trust.rs)
//! platforms/<os>-<arch>/<version>/   SDKs for another platform (`gv install --os/--arch`):
//!                       listed by `gv list`, never selected or shimmed
//! .hints/notices/       which notices the shim and hook already showed (see notice.rs)
//! ```
//!
//! Entries of `versions/` whose name starts with `.` are work in progress (temporary
//! unpack directories) and are never reported as installed.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::version::Version;

pub const ROOT_ENV: &str = "GV_ROOT";
pub const CACHE_ENV: &str = "GV_CACHE_DIR";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "cannot find a home for gv's store: set GV_ROOT (or HOME / XDG_DATA_HOME) to a writable directory"
    )]
    NoDataDir,
    #[error("cannot find a cache directory: set GV_CACHE_DIR (or HOME / XDG_CACHE_HOME)")]
    NoCacheDir,
    #[error(
        "{var}={value:?} is not an absolute path: gv would look for its store relative to each directory you work in\n  hint: export {var}=\"$PWD/{value}\" (or another absolute path), or unset it"
    )]
    Relative { var: &'static str, value: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// The store named by `GV_ROOT`, else `$XDG_DATA_HOME/gv`, else `~/.local/share/gv`.
    /// A relative `GV_ROOT` is refused: it would name a different store in every
    /// directory, and put relative directories on PATH.
    pub fn from_env() -> Result<Store, StoreError> {
        match absolute_var(ROOT_ENV)? {
            Some(root) => Ok(Store::new(root)),
            None => crate::platform::data_home()
                .map(|d| Store::new(d.join("gv")))
                .ok_or(StoreError::NoDataDir),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.root.join("versions")
    }

    /// Where SDKs of another platform (`darwin-arm64`, from `gv install --os/--arch`) live.
    /// Outside `versions/` on purpose: [`Store::installed`] and selection must never take
    /// a build this machine cannot run for an installed version.
    pub fn platform_dir(&self, key: &str) -> PathBuf {
        self.root.join("platforms").join(key)
    }

    /// The GOROOT of an installed (or to-be-installed) version.
    pub fn version_dir(&self, version: &Version) -> PathBuf {
        self.versions_dir().join(version.as_str())
    }

    pub fn shims_dir(&self) -> PathBuf {
        self.root.join("shims")
    }

    /// The records of `gv trust` (see [`crate::trust`]).
    pub fn trust_records(&self) -> PathBuf {
        self.root.join("trusted-files")
    }

    /// Markers of notices already shown (see [`crate::notice`]).
    pub fn notices_dir(&self) -> PathBuf {
        self.root.join(".hints").join("notices")
    }

    /// The global default version file (goenv keeps the same file at `$GOENV_ROOT/version`).
    pub fn global_file(&self) -> PathBuf {
        self.root.join("version")
    }

    /// Is `path` inside gv's own directories? Used to skip shims and managed SDKs when
    /// looking for a system `go`.
    pub fn owns(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// Installed versions, in Go order (oldest first). A missing store is an empty list.
    pub fn installed(&self) -> Result<Vec<Version>, StoreError> {
        versions_in(self.versions_dir())
    }

    /// SDKs installed for other platforms: `(os-arch, version)`, sorted.
    pub fn other_platforms(&self) -> Result<Vec<(String, Version)>, StoreError> {
        let dir = self.root.join("platforms");
        let keys = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(StoreError::Io { path: dir, source }),
        };
        let mut out = Vec::new();
        for key in keys.filter_map(Result::ok) {
            let Some(name) = key.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            for version in versions_in(self.platform_dir(&name))? {
                out.push((name.clone(), version));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// The complete SDKs in `dir`, in Go order; names starting with `.` are work in progress.
fn versions_in(dir: PathBuf) -> Result<Vec<Version>, StoreError> {
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Io { path: dir, source }),
    };
    let mut versions: Vec<Version> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let name = name.to_str()?;
            if name.starts_with('.') || !entry.path().join("bin").is_dir() {
                return None;
            }
            Version::parse(name).ok()
        })
        .collect();
    versions.sort();
    Ok(versions)
}

/// gv's cache directory (downloads, release index): `GV_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/gv`, else `~/.cache/gv`.
pub fn cache_dir() -> Result<PathBuf, StoreError> {
    match absolute_var(CACHE_ENV)? {
        Some(dir) => Ok(dir),
        None => crate::platform::cache_home()
            .map(|d| d.join("gv"))
            .ok_or(StoreError::NoCacheDir),
    }
}

/// The non-empty value of `var` as a path, which must be absolute.
fn absolute_var(var: &'static str) -> Result<Option<PathBuf>, StoreError> {
    match std::env::var_os(var) {
        Some(value) if !value.is_empty() => {
            let path = PathBuf::from(value);
            if path.is_absolute() {
                Ok(Some(path))
            } else {
                Err(StoreError::Relative {
                    var,
                    value: path.to_string_lossy().into_owned(),
                })
            }
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_ignores_work_in_progress_and_junk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(
            store.installed().unwrap().is_empty(),
            "missing store is empty"
        );
        for name in [
            "1.22.10",
            "1.21.13",
            "1.22rc1",
            ".tmp-1.23.0",
            "not-a-version",
        ] {
            std::fs::create_dir_all(store.versions_dir().join(name).join("bin")).unwrap();
        }
        std::fs::create_dir_all(store.versions_dir().join("1.24.0")).unwrap(); // no bin/
        let names: Vec<String> = store
            .installed()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["1.21.13", "1.22rc1", "1.22.10"]);
    }

    /// An SDK built for another platform (`gv install --os darwin --arch arm64`) is listed
    /// as such and never counts as installed for this machine — not even under a name
    /// like `1.23.0-darwin-arm64`, which Go's version syntax would read as go1.23.0.
    #[test]
    fn other_platforms_sdks_are_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        std::fs::create_dir_all(store.versions_dir().join("1.22.10/bin")).unwrap();
        for key in ["darwin-arm64", "windows-amd64"] {
            std::fs::create_dir_all(store.platform_dir(key).join("1.23.0/bin")).unwrap();
        }
        std::fs::create_dir_all(store.platform_dir("darwin-arm64").join(".tmp-1.24.0-1/bin"))
            .unwrap();
        let installed: Vec<String> = store
            .installed()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(installed, ["1.22.10"]);
        let other: Vec<String> = store
            .other_platforms()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        assert_eq!(other, ["darwin-arm64 1.23.0", "windows-amd64 1.23.0"]);
        assert!(
            !store
                .platform_dir("darwin-arm64")
                .starts_with(store.versions_dir())
        );
    }
}
