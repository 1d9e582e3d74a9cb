//! Where gv keeps things: every name on disk comes from [`Store`] (the data directory) or
//! [`Cache`] (the cache directory), and nowhere else.
//!
//! The store is `GV_ROOT`, else `$XDG_DATA_HOME/gv`, else `~/.local/share/gv` — on macOS
//! too (see [`crate::platform::store_dir`]); on Windows `%LOCALAPPDATA%\gv`:
//!
//! ```text
//! versions/<version>/          a complete GOROOT per installed version (e.g. 1.22.10);
//!                              installed means its bin/ exists (Store::is_installed)
//! versions/.tmp-<v>-<pid>/     an install unpacking; renamed to versions/<v> when done
//! versions/.old-<v>-<pid>/     the tree a --force install replaced, being deleted
//! versions/.rm-<v>-<pid>/      a version being uninstalled (renamed away first)
//! shims -> .shims-XXXX/        go, gofmt, …: hard links of gv-shim, one generation per
//!                              rehash, swapped in with one rename (.shims-link-<pid>)
//! .shims.lock                  one rehash at a time
//! version                      the global default, one spec per line (gv global)
//! current -> versions/<v>      the global default's GOROOT, for IDEs (.current.<pid>
//!                              while it is replaced)
//! ide/<name>-<hash> -> …        per-project GOROOT links for GoLand (gv ide goland)
//! trusted-files                project gv.toml files trusted with `gv trust` (trust.rs)
//! sumdb/<name>/latest          the checksum database tree head gv last accepted
//! locks/<version>.lock         one install or uninstall of a version at a time
//! locks/trust.lock             one `gv trust` at a time
//! .hints/notices/              notices already shown, per file (notice.rs)
//! .hints/verdicts/<version>    the day the shim or hook last showed a version's verdict
//! verdicts/<version>           what the vulnerability database and the release index
//!                              say against an installed version, one line (verdict.rs)
//! .hints/<name>                one-time hints already shown (e.g. goenv-version)
//! platforms/<os>-<arch>/       a store of its own (versions/, locks/) for SDKs of another
//!                              platform (gv install --os/--arch): listed, never selected
//! symbols/                     the symbol store, unless GV_SYMBOLS puts it elsewhere:
//!                              .build-id/<xx>/<rest>.debug (debug information) and
//!                              .build-id/<xx>/<rest> (the stripped executable) by GNU build
//!                              ID, .gv/records/<id>.json (see gv's symbols::store)
//! ```
//!
//! The cache is `GV_CACHE_DIR`, else `$XDG_CACHE_HOME/gv`, else `~/.cache/gv` (on
//! Windows `%LOCALAPPDATA%\gv\cache`):
//!
//! ```text
//! downloads/<archive>          archives verified on download, for --offline and reinstalls
//! downloads/<archive>.sha256   their sha256 and what verified it
//! downloads/.<archive>.<pid>.partial   a download in progress, locked by its gv; swept
//!                              by any install once nobody holds it
//! downloads/goproxy/…          toolchain module zips (.zip, .ziphash) from a GOPROXY
//! index/<url>-<hash>.json      release indexes, kept 15 minutes (keyed by the whole URL)
//! vulndb/<url>-<hash>/         a vulnerability database (GOVULNDB): db.json, modules.json,
//!                              ID/<id>.json (entries, refetched when modules.json says
//!                              they changed)
//! hook/<pid>                   the shell hook's stamp files, without XDG_RUNTIME_DIR
//! debug/<hash>/                gv debug's builds, one directory per project
//! build/key                    the key that seals gv build's records (owner only)
//! build/verdicts/<hash>        binaries gv build verified: Go build ID, size, mtime
//! build/lists/<hash>           go list answers, with what they depend on
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::error::Hint;
use crate::pinfile::{self, PinFileError};
use crate::version::{Spec, Version};

#[derive(Debug, Clone, Error)]
pub enum StoreError {
    #[error("cannot find a home for gv's store")]
    NoDataDir,
    #[error("cannot find a cache directory")]
    NoCacheDir,
    #[error("{var}={value:?} is not an absolute path")]
    Relative { var: &'static str, value: String },
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
}

impl Hint for StoreError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::NoDataDir => {
                "set GV_ROOT (or HOME / XDG_DATA_HOME) to a writable directory".into()
            }
            StoreError::NoCacheDir => "set GV_CACHE_DIR (or HOME / XDG_CACHE_HOME)".into(),
            StoreError::Relative { var, value } => format!(
                "gv would find a different directory in every place you work: export {var}=\"$PWD/{value}\" (or another absolute path), or unset it"
            ),
            StoreError::Io { .. } => return None,
        })
    }
}

/// Work in progress in `versions/`: each kind has a name prefix, followed by the version
/// and the process id, so the next run can tell whose it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// An install unpacking (`.tmp-`).
    Unpacking,
    /// The tree a `--force` install replaced (`.old-`).
    Replaced,
    /// A version being uninstalled (`.rm-`).
    Removing,
}

impl Work {
    const ALL: [Work; 3] = [Work::Unpacking, Work::Replaced, Work::Removing];

    fn prefix(self) -> &'static str {
        match self {
            Work::Unpacking => ".tmp-",
            Work::Replaced => ".old-",
            Work::Removing => ".rm-",
        }
    }
}

/// The global default as written by `gv global`, and what it resolves to here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalDefault {
    pub file: PathBuf,
    pub specs: Vec<Spec>,
    /// The newest installed version the first satisfiable spec matches.
    pub installed: Option<Version>,
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
        match absolute_var(crate::vars::ROOT)? {
            Some(root) => Ok(Store::new(root)),
            None => crate::platform::store_dir()
                .map(Store::new)
                .ok_or(StoreError::NoDataDir),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.root.join("versions")
    }

    /// The GOROOT of an installed (or to-be-installed) version.
    pub fn version_dir(&self, version: &Version) -> PathBuf {
        self.versions_dir().join(version.as_str())
    }

    /// Where an installed SDK keeps what its archive had in `bin/` besides Go's commands
    /// (see `shim::GO_COMMANDS`): set aside at install, so that neither a shim nor the
    /// SDK's `bin/` on PATH ever reaches it.
    pub fn set_aside_bin(goroot: &Path) -> PathBuf {
        goroot.join(".gv-set-aside").join("bin")
    }

    /// The one definition of "installed": the version's GOROOT has its `bin/`.
    pub fn is_installed(&self, version: &Version) -> bool {
        self.version_dir(version).join("bin").is_dir()
    }

    /// This process's work-in-progress directory of `kind` for `version`.
    pub fn work_dir(&self, kind: Work, version: &Version) -> PathBuf {
        self.versions_dir().join(format!(
            "{}{}-{}",
            kind.prefix(),
            version.as_str(),
            std::process::id()
        ))
    }

    /// The version a work-in-progress entry of `versions/` belongs to.
    pub fn work_version(name: &str) -> Option<Version> {
        let rest = Work::ALL
            .iter()
            .find_map(|kind| name.strip_prefix(kind.prefix()))?;
        let (version, _pid) = rest.rsplit_once('-')?;
        Version::parse(version).ok()
    }

    pub fn shims_dir(&self) -> PathBuf {
        self.root.join("shims")
    }

    /// Is this entry of the store's root a shim generation?
    pub fn is_shim_generation(name: &str) -> bool {
        name.starts_with(SHIM_GENERATION_PREFIX)
    }

    /// The temporary name the new `shims` link is made under before the swap.
    pub fn shims_link_tmp(&self) -> PathBuf {
        self.root
            .join(format!(".shims-link-{}", std::process::id()))
    }

    pub fn shims_lock(&self) -> PathBuf {
        self.root.join(".shims.lock")
    }

    /// The global default version file (goenv keeps the same file at `$GOENV_ROOT/version`).
    pub fn global_file(&self) -> PathBuf {
        self.root.join("version")
    }

    /// The global default and the installed version it resolves to; `None` when unset.
    pub fn global_default(&self) -> Result<Option<GlobalDefault>, PinFileError> {
        let file = self.global_file();
        if !file.is_file() {
            return Ok(None);
        }
        let Some(entries) = pinfile::read_go_version(&file)? else {
            return Ok(None);
        };
        let specs = entries.specs;
        let installed = self.installed().unwrap_or_default();
        let resolved = specs
            .iter()
            .find_map(|spec| spec.best_match(&installed).cloned());
        Ok(Some(GlobalDefault {
            file,
            specs,
            installed: resolved,
        }))
    }

    /// `current`: a link to the global default's GOROOT for IDEs.
    pub fn current_link(&self) -> PathBuf {
        self.root.join("current")
    }

    /// The temporary name the new `current` link is made under before the swap.
    pub fn current_link_tmp(&self) -> PathBuf {
        self.root.join(format!(".current.{}", std::process::id()))
    }

    /// The symbol store's default place (`GV_SYMBOLS` moves it).
    pub fn symbols_dir(&self) -> PathBuf {
        self.root.join("symbols")
    }

    /// The symbol store: `GV_SYMBOLS` (absolute), else [`Store::symbols_dir`] of the
    /// store [`Store::from_env`] names.
    pub fn symbols_dir_from_env() -> Result<PathBuf, StoreError> {
        match absolute_var(crate::vars::SYMBOLS)? {
            Some(dir) => Ok(dir),
            None => Ok(Store::from_env()?.symbols_dir()),
        }
    }

    /// Per-project GOROOT links for IDEs.
    pub fn ide_links_dir(&self) -> PathBuf {
        self.root.join("ide")
    }

    /// The checksum databases' tree heads gv accepted (`sumdb/<name>/latest`), as Go
    /// keeps them in `$GOPATH/pkg/sumdb`: a later head must be consistent with it.
    pub fn sumdb_state(&self) -> PathBuf {
        self.root.join("sumdb")
    }

    /// The records of `gv trust` (see [`crate::trust`]).
    pub fn trust_records(&self) -> PathBuf {
        self.root.join("trusted-files")
    }

    pub fn locks_dir(&self) -> PathBuf {
        self.root.join("locks")
    }

    /// The lock that serialises installs and uninstalls of `version`.
    pub fn version_lock(&self, version: &Version) -> PathBuf {
        self.locks_dir().join(format!("{}.lock", version.as_str()))
    }

    pub fn trust_lock(&self) -> PathBuf {
        self.locks_dir().join("trust.lock")
    }

    /// The lock that serialises `gv self update` and `gv self uninstall`.
    pub fn self_update_lock(&self) -> PathBuf {
        self.locks_dir().join("self-update.lock")
    }

    /// Markers of notices already shown (see [`crate::notice`]).
    pub fn notices_dir(&self) -> PathBuf {
        self.root.join(".hints").join("notices")
    }

    /// What gv last found against an installed version (see [`crate::verdict`]).
    pub fn verdict_file(&self, version: &str) -> PathBuf {
        self.root.join("verdicts").join(version)
    }

    /// The day a version's verdict was last shown by the shim or the hook.
    pub fn verdict_shown_marker(&self, version: &str) -> PathBuf {
        self.root.join(".hints").join("verdicts").join(version)
    }

    /// The marker of a one-time hint.
    pub fn hint_marker(&self, name: &str) -> PathBuf {
        self.root.join(".hints").join(name)
    }

    /// Is `path` inside gv's own directories? Used to skip shims and managed SDKs when
    /// looking for a system `go`.
    pub fn owns(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// The store that holds SDKs of another platform (`darwin-arm64`, from `gv install
    /// --os/--arch`), laid out like this one. It sits outside `versions/` on purpose:
    /// [`Store::installed`] and selection must never take a build this machine cannot run
    /// for an installed version.
    pub fn platform_store(&self, key: &str) -> Store {
        Store::new(self.root.join("platforms").join(key))
    }

    /// SDKs installed for other platforms: `(os-arch, version)`, sorted.
    pub fn other_platforms(&self) -> Result<Vec<(String, Version)>, StoreError> {
        let dir = self.root.join("platforms");
        let keys = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Io {
                    path: dir,
                    source: Arc::new(source),
                });
            }
        };
        let mut out = Vec::new();
        for key in keys.filter_map(Result::ok) {
            let Some(name) = key.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            for version in self.platform_store(&name).installed()? {
                out.push((name.clone(), version));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Installed versions, in Go order (oldest first). A missing store is an empty list.
    pub fn installed(&self) -> Result<Vec<Version>, StoreError> {
        let dir = self.versions_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Io {
                    path: dir,
                    source: Arc::new(source),
                });
            }
        };
        let mut versions: Vec<Version> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name();
                let name = name.to_str()?;
                if name.starts_with('.') {
                    return None;
                }
                // `go1.22` would parse, but names another directory than its version's.
                Version::parse(name)
                    .ok()
                    .filter(|v| v.as_str() == name && self.is_installed(v))
            })
            .collect();
        versions.sort();
        Ok(versions)
    }
}

/// The name prefix of shim generation directories (`.shims-XXXX`) in the store's root.
pub const SHIM_GENERATION_PREFIX: &str = ".shims-";

/// gv's cache directory: see the layout at the top of this module.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// `GV_CACHE_DIR`, else `$XDG_CACHE_HOME/gv`, else `~/.cache/gv` (a relative
    /// `GV_CACHE_DIR` is refused).
    pub fn from_env() -> Result<Cache, StoreError> {
        match absolute_var(crate::vars::CACHE_DIR)? {
            Some(dir) => Ok(Cache::new(dir)),
            None => crate::platform::cache_dir()
                .map(Cache::new)
                .ok_or(StoreError::NoCacheDir),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn downloads(&self) -> PathBuf {
        self.root.join("downloads")
    }

    /// Toolchain module zips from a GOPROXY, laid out like a module cache
    /// (`golang.org/toolchain/@v/<version>.zip` and `.ziphash`).
    pub fn goproxy_downloads(&self) -> PathBuf {
        self.downloads().join("goproxy")
    }

    /// A download in progress by this process.
    pub fn partial_download(&self, filename: &str) -> PathBuf {
        self.downloads()
            .join(format!(".{filename}.{}.partial", std::process::id()))
    }

    /// Is this entry of `downloads/` (or of `downloads/goproxy/…`) a partial download?
    /// The gv writing one holds a lock on it; one nobody holds was left by a run that died.
    pub fn is_partial_download(name: &str) -> bool {
        name.starts_with('.') && name.ends_with(".partial")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// The cached copy of the release index at `url`, keyed by the whole URL: a readable
    /// form of it, and a hash of it exactly, so `http://` and `https://` of one host (or
    /// two URLs that read alike) never share a file.
    pub fn index_file(&self, url: &str) -> PathBuf {
        use sha2::Digest;
        let readable: String = url
            .chars()
            .take(100)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let hash = sha2::Sha256::digest(url.as_bytes());
        let short: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        self.index_dir().join(format!("{readable}-{short}.json"))
    }

    /// The cached copy of the vulnerability database at `url`, keyed like the release
    /// index.
    pub fn vulndb_dir(&self, url: &str) -> PathBuf {
        let file = self.index_file(url);
        let name = file
            .file_stem()
            .map(|s| s.to_os_string())
            .unwrap_or_default();
        self.root.join("vulndb").join(name)
    }

    /// The shell hook's stamp files when there is no runtime directory.
    pub fn hook_stamps(&self) -> PathBuf {
        self.root.join("hook")
    }

    /// The shims' remembered answers, where there is no runtime directory
    /// ([`crate::answer_cache::dir`]).
    pub fn shim_answers(&self) -> PathBuf {
        self.root.join("answers")
    }

    /// `gv debug`'s build directories.
    pub fn debug_builds(&self) -> PathBuf {
        self.root.join("debug")
    }

    /// What `gv build` remembers between builds (sealed records: build/key,
    /// build/verdicts/, build/lists/).
    pub fn build_memos(&self) -> PathBuf {
        self.root.join("build")
    }

    /// What `gv cache clean` empties: downloads and indexes (stamps and debug builds are
    /// working state, not caches of the network).
    pub fn cleanable(&self) -> Vec<PathBuf> {
        vec![self.downloads(), self.index_dir(), self.root.join("vulndb")]
    }
}

/// The non-empty value of `var` as a path, which must be absolute.
fn absolute_var(var: &'static str) -> Result<Option<PathBuf>, StoreError> {
    match crate::process::var_os(var) {
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
        assert!(!store.is_installed(&Version::parse("1.24.0").unwrap()));
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
            let other = store.platform_store(key);
            std::fs::create_dir_all(other.versions_dir().join("1.23.0/bin")).unwrap();
        }
        let darwin = store.platform_store("darwin-arm64");
        std::fs::create_dir_all(darwin.versions_dir().join(".tmp-1.24.0-1/bin")).unwrap();
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
        assert!(!darwin.root().starts_with(store.versions_dir()));
    }

    #[test]
    fn work_names_carry_their_version() {
        let store = Store::new("/gv");
        let v = Version::parse("1.22.10-bigcorp").unwrap();
        let dir = store.work_dir(Work::Replaced, &v);
        let name = dir.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".old-1.22.10-bigcorp-"), "{name}");
        assert_eq!(
            Store::work_version(name).unwrap().as_str(),
            "1.22.10-bigcorp"
        );
        assert_eq!(
            Store::work_version(".tmp-1.22.10-123").unwrap().as_str(),
            "1.22.10"
        );
        assert!(Store::work_version("1.22.10").is_none());
        assert!(Store::work_version(".tmp-garbage-1").is_none());
    }

    #[test]
    fn the_global_default_resolves_against_what_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert_eq!(store.global_default().unwrap(), None);
        std::fs::create_dir_all(store.versions_dir().join("1.22.10/bin")).unwrap();
        std::fs::write(store.global_file(), "1.25\n1.22\n").unwrap();
        let global = store.global_default().unwrap().unwrap();
        assert_eq!(global.specs.len(), 2);
        assert_eq!(global.installed.unwrap().as_str(), "1.22.10");
    }

    #[test]
    fn cache_names() {
        let cache = Cache::new("/c");
        let official = cache.index_file("https://go.dev/dl/?mode=json&include=all");
        let name = official.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("https___go.dev_dl__mode_json_include_all-")
                && name.ends_with(".json"),
            "{name}"
        );
        assert_ne!(
            official,
            cache.index_file("http://go.dev/dl/?mode=json&include=all"),
            "one host's http:// and https:// are two caches"
        );
        assert_ne!(
            cache.index_file("http://m/a/b"),
            cache.index_file("http://m/a_b"),
            "URLs that read alike are two caches"
        );
        let partial = cache.partial_download("go1.22.10.linux-amd64.tar.gz");
        let name = partial.file_name().unwrap().to_str().unwrap();
        assert!(Cache::is_partial_download(name), "{name}");
        assert!(!Cache::is_partial_download("go1.22.10.linux-amd64.tar.gz"));
    }
}
