//! The shims directory: finding the `gv-shim` binary and (re)writing `GV_ROOT/shims/`.
//!
//! `shims` is a symlink to a generation directory `.shims-XXXX` holding one hard link of
//! `gv-shim` per tool name. Rehash builds a new generation and renames a new symlink over
//! `shims`: a single atomic step, so a shell looking up `go` sees either the old set or
//! the new one, never a half-written directory. The previous generation is kept until the
//! next rehash, so a lookup that raced the swap still finds its file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gv_core::vars::SHIM_BINARY;
use gv_core::{Store, platform};
use thiserror::Error;

/// Tools every shims directory has, even before the first install: `go` must resolve
/// (to `system`, or to an auto-install) from day one.
const ALWAYS: &[&str] = &["go", "gofmt"];

#[derive(Debug, Error)]
pub enum ShimError {
    #[error("cannot find the gv-shim binary at {path}")]
    NoShimBinary { path: PathBuf },
    #[error("cannot find gv's own executable: {0}")]
    NoCurrentExe(std::io::Error),
    #[error("cannot {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] gv_core::store::StoreError),
}

impl gv_core::error::Hint for ShimError {
    fn hint(&self) -> Option<String> {
        match self {
            ShimError::NoShimBinary { .. } => Some(format!(
                "install it next to gv with `scripts/install` (from gv's source tree), or set {SHIM_BINARY} to its path"
            )),
            ShimError::NoCurrentExe(_) => Some(format!("set {SHIM_BINARY} to the gv-shim binary")),
            ShimError::Io { .. } => Some("check that GV_ROOT is writable".to_string()),
            ShimError::Store(e) => crate::error::hint_of(e),
        }
    }
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ShimError {
    let path = path.to_path_buf();
    move |source| ShimError::Io {
        action,
        path,
        source,
    }
}

/// The `gv-shim` binary: `GV_SHIM_BINARY`, else next to the running gv (where
/// `cargo install` puts both packages' binaries).
pub fn shim_binary() -> Result<PathBuf, ShimError> {
    let path = match std::env::var_os(gv_core::vars::SHIM_BINARY) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => std::env::current_exe()
            .map_err(ShimError::NoCurrentExe)?
            .with_file_name("gv-shim"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(ShimError::NoShimBinary { path })
    }
}

/// Finds the shim binary and rehashes: the one call for code that changed `versions/`.
pub fn refresh(store: &Store) -> Result<Rehashed, ShimError> {
    rehash(store, &shim_binary()?)
}

/// What a rehash wrote.
#[derive(Debug)]
pub struct Rehashed {
    pub dir: PathBuf,
    pub names: Vec<String>,
    /// Hard links failed (e.g. another filesystem) and the binary was copied.
    pub copied: bool,
}

/// The tool names to shim: every executable in an installed SDK's `bin/`, plus go/gofmt.
pub fn tool_names(store: &Store) -> Result<BTreeSet<String>, ShimError> {
    let mut names: BTreeSet<String> = ALWAYS.iter().map(|s| s.to_string()).collect();
    for version in store.installed()? {
        let bin = store.version_dir(&version).join("bin");
        let Ok(entries) = std::fs::read_dir(&bin) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if gv_core::select::is_executable_file(&entry.path()) && !name.starts_with('.') {
                names.insert(name);
            }
        }
    }
    Ok(names)
}

/// Rewrites `GV_ROOT/shims` atomically with one link of `shim` per tool name.
pub fn rehash(store: &Store, shim: &Path) -> Result<Rehashed, ShimError> {
    let root = store.root();
    std::fs::create_dir_all(root).map_err(io("create", root))?;
    // Two rehashes at once must not delete each other's generation.
    let lock_path = store.shims_lock();
    let lock = std::fs::File::create(&lock_path).map_err(io("create", &lock_path))?;
    lock.lock().map_err(io("lock", &lock_path))?;

    let names = tool_names(store)?;
    let generation = tempfile::Builder::new()
        .prefix(gv_core::store::SHIM_GENERATION_PREFIX)
        .tempdir_in(root)
        .map_err(io("create a directory in", root))?
        .keep();
    // tempdir makes it 0700; other users running this go need to traverse it.
    let result = platform::set_executable(&generation)
        .map_err(io("set permissions of", &generation))
        .and_then(|()| fill_generation(&generation, shim, &names))
        .and_then(|copied| swap(store, &generation).map(|previous| (copied, previous)));
    let (copied, previous) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&generation);
            return Err(e);
        }
    };
    remove_old_generations(root, &generation, previous.as_deref());
    Ok(Rehashed {
        dir: store.shims_dir(),
        names: names.into_iter().collect(),
        copied,
    })
}

fn fill_generation(dir: &Path, shim: &Path, names: &BTreeSet<String>) -> Result<bool, ShimError> {
    let mut copied = false;
    for name in names {
        let dest = dir.join(name);
        if std::fs::hard_link(shim, &dest).is_err() {
            std::fs::copy(shim, &dest).map_err(io("copy the shim to", &dest))?;
            platform::set_executable(&dest).map_err(io("set permissions of", &dest))?;
            copied = true;
        }
    }
    Ok(copied)
}

/// Points `shims` at `generation` with one rename; returns the generation it replaced.
fn swap(store: &Store, generation: &Path) -> Result<Option<PathBuf>, ShimError> {
    let root = store.root();
    let shims = store.shims_dir();
    let target = generation.file_name().expect("tempdir has a name");
    let previous = match std::fs::symlink_metadata(&shims) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::read_link(&shims).ok().map(|t| root.join(t))
        }
        Ok(_) => {
            // A plain directory (made by hand or an older gv): move it aside first, as a
            // symlink cannot be renamed over a directory.
            let aside = root.join(format!(
                "{}old-{}",
                gv_core::store::SHIM_GENERATION_PREFIX,
                std::process::id()
            ));
            std::fs::rename(&shims, &aside).map_err(io("move aside", &shims))?;
            Some(aside)
        }
        Err(_) => None,
    };
    let link = store.shims_link_tmp();
    let _ = std::fs::remove_file(&link);
    platform::link_dir(Path::new(target), &link).map_err(io("create", &link))?;
    std::fs::rename(&link, &shims).map_err(io("replace", &shims))?;
    Ok(previous)
}

/// Best effort: a generation that cannot be removed now is removed by a later rehash.
fn remove_old_generations(root: &Path, current: &Path, previous: Option<&Path>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_generation = entry
            .file_name()
            .to_str()
            .is_some_and(Store::is_shim_generation);
        if is_generation && path != current && Some(path.as_path()) != previous {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rehash_swaps_generations_and_keeps_the_previous_one() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("gv"));
        let shim = tmp.path().join("gv-shim");
        std::fs::write(&shim, "#!/bin/sh\n").unwrap();
        // A plain directory from before: moved aside, not lost mid-swap.
        std::fs::create_dir_all(store.shims_dir()).unwrap();
        std::fs::write(store.shims_dir().join("stale"), "").unwrap();

        let first = rehash(&store, &shim).unwrap();
        assert_eq!(first.names, ["go", "gofmt"]);
        assert!(store.shims_dir().join("go").is_file());
        assert!(!store.shims_dir().join("stale").exists());
        let gen1 = std::fs::read_link(store.shims_dir()).unwrap();

        let bin = store.versions_dir().join("1.22.10/bin");
        std::fs::create_dir_all(&bin).unwrap();
        for (name, mode) in [("go", 0o755), ("vet-helper", 0o755), ("README", 0o644)] {
            std::fs::write(bin.join(name), "").unwrap();
            platform::set_mode(&bin.join(name), mode).unwrap();
        }
        let second = rehash(&store, &shim).unwrap();
        assert_eq!(second.names, ["go", "gofmt", "vet-helper"]);
        assert!(tmp.path().join("gv").join(&gen1).is_dir(), "previous kept");
        rehash(&store, &shim).unwrap();
        assert!(!tmp.path().join("gv").join(&gen1).exists(), "older removed");
        let generations = std::fs::read_dir(store.root())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(gv_core::store::SHIM_GENERATION_PREFIX)
            })
            .count();
        assert_eq!(generations, 2);
    }
}
