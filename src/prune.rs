//! Giving disk space back: which installed versions nothing selects any more (`gv prune`),
//! the download and index caches (`gv cache clean`), and how much space a tree really
//! holds. Removal itself is the install feature's uninstall, so a prune takes the same
//! locks and leaves the same (nothing) behind as `gv uninstall`.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use gv_core::select::{Resolved, SelectEnv, SelectError};
use gv_core::session::Session;
use gv_core::{Spec, Store, Version, pinfile};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PruneError {
    #[error("{path} does not exist")]
    NoSuchProject { path: PathBuf },
    #[error("cannot tell which version {path} selects")]
    Project {
        path: PathBuf,
        #[source]
        source: SelectError,
    },
    #[error("cannot read the global default {path}")]
    Global {
        path: PathBuf,
        source: pinfile::PinFileError,
    },
    #[error(transparent)]
    Store(#[from] gv_core::store::StoreError),
    #[error("cannot remove {path}")]
    Io { path: PathBuf, source: io::Error },
}

impl gv_core::error::Hint for PruneError {
    fn hint(&self) -> Option<String> {
        match self {
            PruneError::NoSuchProject { .. } => Some(
                "name project directories (or their .go-version / go.mod files) that exist"
                    .to_string(),
            ),
            PruneError::Global { .. } => {
                Some("fix it with `gv global VERSION`; nothing was removed".to_string())
            }
            PruneError::Store(e) => gv_core::error::Hint::hint(e),
            _ => None,
        }
    }
}

/// Why a version stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeepReason {
    Global { path: PathBuf },
    Spec(Spec),
    Project { dir: PathBuf, origin: String },
}

impl std::fmt::Display for KeepReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeepReason::Global { path } => write!(f, "global default ({})", path.display()),
            KeepReason::Spec(spec) => write!(f, "--keep {spec}"),
            KeepReason::Project { dir, origin } => {
                write!(f, "selected in {} ({origin})", dir.display())
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct PrunePlan {
    /// Versions that stay, with every reason (first reason first).
    pub keep: Vec<(Version, Vec<KeepReason>)>,
    /// Versions to remove, with the space each frees.
    pub remove: Vec<(Version, u64)>,
    /// Projects that ask for something not installed, or for the system go.
    pub notes: Vec<String>,
}

/// Decides what `gv prune` removes. Each project directory is evaluated exactly as a shim
/// there would (`select::select`), ignoring `GV_VERSION`/`GOENV_VERSION`, which belong to
/// this shell, not to the project. Any doubt (an unreadable pin file, a missing project)
/// is an error: nothing is removed on a guess.
pub fn plan_prune(
    store: &Store,
    env: &SelectEnv,
    keep: &[Spec],
    projects: &[PathBuf],
) -> Result<PrunePlan, PruneError> {
    let installed = store.installed()?;
    // Keyed by the directory name: `Version`'s equality ignores `-suffix`es, and
    // 1.22.10 and 1.22.10-bigcorp are two installs.
    let mut reasons: HashMap<String, Vec<KeepReason>> = HashMap::new();
    let mut plan = PrunePlan::default();

    let global = store
        .global_default()
        .map_err(|source| PruneError::Global {
            path: store.global_file(),
            source,
        })?;
    if let Some(global) = global
        && let Some(v) = global.installed
    {
        reasons
            .entry(v.to_string())
            .or_default()
            .push(KeepReason::Global { path: global.file });
    }
    for spec in keep {
        for v in installed.iter().filter(|v| spec.matches(v)) {
            reasons
                .entry(v.to_string())
                .or_default()
                .push(KeepReason::Spec(spec.clone()));
        }
    }
    let project_env = SelectEnv {
        gv_version: None,
        goenv_version: None,
        goenv_dir: None,
        ..env.clone()
    };
    for project in projects {
        let dir = if project.is_dir() {
            project.clone()
        } else if project.is_file() {
            project.parent().unwrap_or(Path::new("/")).to_path_buf()
        } else {
            return Err(PruneError::NoSuchProject {
                path: project.clone(),
            });
        };
        let project_session = Session::new(store.clone(), project_env.clone(), dir.clone());
        match project_session.selection().cloned() {
            Ok(selection) => match selection.resolved {
                Resolved::Managed { version, .. } => reasons
                    .entry(version.to_string())
                    .or_default()
                    .push(KeepReason::Project {
                        dir: dir.clone(),
                        origin: selection.request.origin.to_string(),
                    }),
                Resolved::System { .. } => plan.notes.push(format!(
                    "{} uses the system go ({})",
                    dir.display(),
                    selection.request.origin
                )),
            },
            Err(SelectError::NotInstalled { wanted, origin, .. }) => plan.notes.push(format!(
                "{} asks for Go {wanted}, which is not installed ({origin})",
                dir.display()
            )),
            Err(source) => {
                return Err(PruneError::Project {
                    path: dir.clone(),
                    source,
                });
            }
        }
    }
    for v in installed {
        match reasons.remove(v.as_str()) {
            Some(why) => plan.keep.push((v, why)),
            None => {
                let size = disk_usage(&store.version_dir(&v));
                plan.remove.push((v, size));
            }
        }
    }
    Ok(plan)
}

/// Bytes on disk that deleting `path` gives back: blocks of every file, counting a
/// hard-linked file only when all its links are inside the tree (an SDK adopted from
/// goenv with hard links frees nothing while goenv's copy remains).
pub fn disk_usage(path: &Path) -> u64 {
    let mut links: HashMap<(u64, u64), (u64, u64, u64)> = HashMap::new();
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let used = gv_core::platform::disk_use(&p, &meta);
        if meta.is_dir() {
            total += used.bytes;
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if used.links > 1 {
            let seen = links.entry(used.id).or_insert((0, used.links, used.bytes));
            seen.0 += 1;
        } else {
            total += used.bytes;
        }
    }
    total
        + links
            .values()
            .filter(|(seen, nlink, _)| seen >= nlink)
            .map(|(_, _, size)| size)
            .sum::<u64>()
}

/// Removes every entry of the cache directories; returns the space freed.
pub fn clean_cache(dirs: &[PathBuf], dry_run: bool) -> Result<u64, PruneError> {
    let mut freed = 0;
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(PruneError::Io {
                    path: dir.clone(),
                    source,
                });
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            freed += disk_usage(&path);
            if dry_run {
                continue;
            }
            let result = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(PruneError::Io { path, source }),
            }
        }
    }
    Ok(freed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_links_count_only_when_every_link_goes() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join("a"), vec![1u8; 64 * 1024]).unwrap();
        let alone = disk_usage(&tree);
        assert!(alone >= 64 * 1024, "{alone}");
        // Linked from outside: deleting the tree frees nothing of the file.
        std::fs::hard_link(tree.join("a"), dir.path().join("outside")).unwrap();
        assert!(disk_usage(&tree) < 64 * 1024);
        // Both links inside: counted once.
        std::fs::remove_file(dir.path().join("outside")).unwrap();
        std::fs::hard_link(tree.join("a"), tree.join("b")).unwrap();
        assert_eq!(disk_usage(&tree), alone);
    }
}
