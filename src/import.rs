//! Adopting SDKs from another manager's store into gv's: `gv import goenv`, and
//! `gv import gotoolchain` for what Go's own toolchain switching downloaded
//! ([`gotoolchain`]).
//!
//! Each SDK is hard-linked into a staging directory inside gv's store and renamed into
//! place only when complete, so an interrupted import never leaves a half-copied GOROOT
//! that gv would take for an installed version. Hard links cost no space and leave the
//! source intact; `--move` renames instead (and copies only across filesystems).

use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use gv_core::pinfile;
use gv_core::{Spec, Store, Version};
use thiserror::Error;

pub mod goenv_rc;
pub mod gotoolchain;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Hard links into gv's store; the source stays as it was.
    Link,
    /// Move the SDK; the source is gone afterwards.
    Move,
}

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("no goenv versions found at {0}")]
    NoGoenv(PathBuf),
    #[error("cannot import {from} into {to}")]
    Io {
        from: PathBuf,
        to: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] gv_core::store::StoreError),
}

impl gv_core::error::Hint for ImportError {
    fn hint(&self) -> Option<String> {
        match self {
            ImportError::NoGoenv(_) => Some(
                "set GOENV_ROOT (or pass --goenv-root) to the goenv directory that holds versions/"
                    .to_string(),
            ),
            ImportError::Store(e) => gv_core::error::Hint::hint(e),
            _ => None,
        }
    }
}

/// What happened to one entry of the source's versions/ directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub name: String,
    pub from: PathBuf,
    /// Where it now lives in gv's store, when adopted.
    pub to: Option<PathBuf>,
    /// Why it was skipped, when it was.
    pub skipped: Option<String>,
    /// What proved it genuine, when something did (the checksum database, for
    /// `gv import gotoolchain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_by: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GoenvReport {
    pub versions: Vec<Outcome>,
    /// goenv's global version (its `version` file), if it has one.
    pub goenv_global: Option<String>,
}

/// The goenv root: your own `GOENV_ROOT` (`lookup`, the environment), else `~/.goenv`. A
/// value the shell hook applied from a project is not yours (see
/// `gv_core::env::users_own`): a repository must not choose what is put in gv's store,
/// where every other project's `go 1.21` line could select it.
pub fn default_goenv_root(lookup: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    gv_core::env::users_own(gv_core::vars::GOENV_ROOT, &lookup)
        .map(PathBuf::from)
        .or_else(|| gv_core::platform::home_dir().map(|h| h.join(".goenv")))
}

/// Adopts every SDK under `goenv_root/versions` that gv does not have yet.
pub fn import_goenv(
    store: &Store,
    goenv_root: &Path,
    method: Method,
) -> Result<GoenvReport, ImportError> {
    let versions = goenv_root.join("versions");
    let mut names: Vec<String> = std::fs::read_dir(&versions)
        .map_err(|_| ImportError::NoGoenv(goenv_root.to_path_buf()))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();

    let mut report = GoenvReport {
        versions: Vec::new(),
        goenv_global: read_goenv_global(goenv_root),
    };
    for name in names {
        let from = versions.join(&name);
        let skip = |reason: &str| Outcome {
            name: name.clone(),
            from: from.clone(),
            to: None,
            skipped: Some(reason.to_string()),
            proven_by: None,
        };
        let outcome = match Version::parse(&name) {
            Err(_) => skip("not a Go version name"),
            Ok(_)
                if !from
                    .join("bin")
                    .join(gv_core::platform::exe_name("go"))
                    .is_file() =>
            {
                skip("incomplete SDK: it has no bin/go")
            }
            Ok(version) => {
                let to = store.version_dir(&version);
                let _lock = lock_version(store, &version, &from, &to)?;
                if to.exists() {
                    skip("already installed in gv")
                } else {
                    adopt(&from, &to, &version, method)?;
                    Outcome {
                        name,
                        from,
                        to: Some(to),
                        skipped: None,
                        proven_by: None,
                    }
                }
            }
        };
        report.versions.push(outcome);
    }
    Ok(report)
}

/// goenv's global version, a `:` list as goenv writes it (`1.22.10:1.21.13`: the first
/// installed entry wins); `None` for none, or for `system` alone, which is gv's default.
fn read_goenv_global(goenv_root: &Path) -> Option<String> {
    let entries = pinfile::read_go_version(&goenv_root.join("version")).ok()??;
    if matches!(entries.specs.as_slice(), [Spec::System]) {
        return None;
    }
    let names: Vec<String> = entries.specs.iter().map(ToString::to_string).collect();
    Some(names.join(":"))
}

/// A program `go install` put in one of goenv's per-version GOPATHs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GoenvTool {
    pub name: String,
    /// The goenv version whose GOPATH holds it.
    pub goenv_version: String,
    pub path: PathBuf,
    /// `PACKAGE@VERSION`, from its build info, when it can be rebuilt with `go install`.
    pub target: Option<String>,
    /// Why it cannot be, when it cannot.
    pub not_rebuildable: Option<String>,
}

/// The GOPATH goenv gives each version: `$GOENV_GOPATH_PREFIX/<version>`, else
/// `~/go/<version>`; none with `GOENV_DISABLE_GOPATH=1`. Your own values only.
pub fn goenv_gopath_prefix(lookup: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let own = |name: &str| gv_core::env::users_own(name, &lookup);
    if own(gv_core::vars::GOENV_DISABLE_GOPATH).is_some_and(|v| v == "1") {
        return None;
    }
    own(gv_core::vars::GOENV_GOPATH_PREFIX)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| gv_core::platform::home_dir().map(|h| h.join("go")))
}

/// The tools in `prefix/<version>/bin` for each of goenv's `versions`, newest version
/// first, one per name (the newest version's build wins: goenv ran it last).
pub fn goenv_gopath_tools(prefix: &Path, versions: &[String]) -> Vec<GoenvTool> {
    let mut versions: Vec<(Version, &String)> = versions
        .iter()
        .filter_map(|name| Some((Version::parse(name).ok()?, name)))
        .collect();
    versions.sort();
    versions.reverse();
    let mut out: Vec<GoenvTool> = Vec::new();
    for (_, name) in versions {
        let Ok(tools) = crate::tools::list(&prefix.join(name).join("bin")) else {
            continue;
        };
        for tool in tools {
            if out.iter().any(|t| t.name == tool.name) {
                continue;
            }
            let (target, why) = match tool.install_target() {
                Ok(target) => (Some(target.to_string()), None),
                Err(why) => (None, Some(why)),
            };
            out.push(GoenvTool {
                name: tool.name.clone(),
                goenv_version: name.clone(),
                path: tool.path.clone(),
                target,
                not_rebuildable: why,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Puts `from` at `to`, whole or not at all.
fn adopt(from: &Path, to: &Path, version: &Version, method: Method) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    };
    let parent = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io)?;
    if method == Method::Move {
        match std::fs::rename(from, to) {
            Ok(()) => return set_aside(to, version).map_err(io),
            // Across filesystems: copy whole, then remove the source.
            Err(e) if e.kind() == ErrorKind::CrossesDevices => {}
            Err(e) => return Err(io(e)),
        }
    }
    // Named like install's work directories, so leftovers of a killed import are cleaned
    // up by the next install of this version.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".tmp-{}-", version.as_str()))
        .tempdir_in(parent)
        .map_err(io)?;
    let tree = staging.path().join("go");
    link_tree(from, &tree).map_err(io)?;
    set_aside(&tree, version).map_err(io)?;
    std::fs::rename(&tree, to).map_err(io)?;
    if method == Method::Move {
        std::fs::remove_dir_all(from).map_err(io)?;
    }
    Ok(())
}

/// What an installed SDK may not keep in `bin/` (anything but Go's commands) is set aside
/// in an imported one too, with the same warning.
fn set_aside(goroot: &Path, version: &Version) -> std::io::Result<()> {
    let moved = crate::install::set_aside_foreign_commands(goroot)?;
    crate::install::warn_set_aside(version, &moved);
    Ok(())
}

/// Recreates `src` at `dst`: directories made, files hard-linked (copied when a link is
/// impossible, e.g. across filesystems), symlinks recreated as they are.
fn link_tree(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::create_dir(dst)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            link_tree(&from, &to)?;
        } else if kind.is_symlink() {
            gv_core::platform::symlink(&std::fs::read_link(&from)?, &to)?;
        } else if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to)?;
        }
    }
    let perms = std::fs::metadata(src)?.permissions();
    std::fs::set_permissions(dst, perms)
}

/// The same per-version lock as install and uninstall, so an import never races them.
fn lock_version(
    store: &Store,
    version: &Version,
    from: &Path,
    to: &Path,
) -> Result<crate::install::VersionLock, ImportError> {
    crate::install::lock(store, version, || {}).map_err(|source| ImportError::Io {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    })
}
