//! The shims directory: finding the `gv-shim` binary and (re)writing `GV_ROOT/shims/`.
//!
//! `shims` is a symlink to a generation directory `.shims-XXXX` holding one hard link of
//! `gv-shim` per tool name. Rehash builds a new generation and renames a new symlink over
//! `shims`: a single atomic step, so a shell looking up `go` sees either the old set or
//! the new one, never a half-written directory. The previous generation is kept until the
//! next rehash, so a lookup that raced the swap still finds its file.
//!
//! On Windows (`platform::SHIMS_IN_PLACE`) no directory link can be renamed over another
//! and a running `.exe` cannot be deleted, so `shims` is a plain directory of `go.exe`,
//! `gofmt.exe`, … replaced one file at a time: each new link is made under a temporary
//! name and renamed over the old one, and a shim that is running (a `go build` in another
//! window) is first renamed aside to `.old-…`, which a later rehash deletes once it has
//! exited. Each file is always whole; the set is new once the rehash returns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gv_core::vars::SHIM_BINARY;
use gv_core::{Store, platform};
use thiserror::Error;

/// The name prefix of a shim renamed aside while it was running (Windows), deleted by a
/// later rehash.
const ASIDE_PREFIX: &str = ".old-";

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
            ShimError::Store(e) => gv_core::error::Hint::hint(e),
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
    let path = match gv_core::process::var_os(gv_core::vars::SHIM_BINARY) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => std::env::current_exe()
            .map_err(ShimError::NoCurrentExe)?
            .with_file_name(platform::exe_name("gv-shim")),
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

/// The tool names to shim: Go's own commands (`go`, `gofmt`; `go.exe`, `gofmt.exe` on
/// Windows), and nothing else, whatever an SDK's `bin/` holds (see
/// `gv_core::shim::GO_COMMANDS`). Every shims directory has them from day one: `go` must
/// resolve (to `system`, or to an auto-install) before the first install.
pub fn tool_names() -> BTreeSet<String> {
    gv_core::shim::GO_COMMANDS
        .iter()
        .map(|s| platform::exe_name(s))
        .collect()
}

/// Rewrites `GV_ROOT/shims` atomically with one link of `shim` per tool name.
pub fn rehash(store: &Store, shim: &Path) -> Result<Rehashed, ShimError> {
    let root = store.root();
    std::fs::create_dir_all(root).map_err(io("create", root))?;
    // Two rehashes at once must not delete each other's generation.
    let lock_path = store.shims_lock();
    let lock = std::fs::File::create(&lock_path).map_err(io("create", &lock_path))?;
    lock.lock().map_err(io("lock", &lock_path))?;

    let names = tool_names();
    if platform::SHIMS_IN_PLACE {
        let copied = replace_in_place(store, shim, &names)?;
        return Ok(Rehashed {
            dir: store.shims_dir(),
            names: names.into_iter().collect(),
            copied,
        });
    }
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
    // The new shim may answer differently from the one whose answers are remembered.
    // Its answers carry gv's version, so what cannot be removed here (another user's
    // runtime directory) is still never read by a different release.
    let _ = gv_core::answer_cache::forget_all();
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

/// The Windows way (see the module's doc): `shims` as a plain directory, each shim
/// replaced by a rename, a running one renamed aside first, shims of tools no installed
/// version has removed. Returns whether the binary had to be copied.
fn replace_in_place(
    store: &Store,
    shim: &Path,
    names: &BTreeSet<String>,
) -> Result<bool, ShimError> {
    let dir = store.shims_dir();
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        platform::remove_dir_link(&dir).map_err(io("remove the link", &dir))?;
    }
    std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
    let pid = std::process::id();
    let mut copied = false;
    for name in names {
        let dest = dir.join(name);
        if platform::same_file(shim, &dest) {
            continue;
        }
        let new = dir.join(format!(".new-{name}-{pid}"));
        crate::fsutil::remove_if_exists(&new).map_err(io("remove", &new))?;
        if std::fs::hard_link(shim, &new).is_err() {
            std::fs::copy(shim, &new).map_err(io("copy the shim to", &new))?;
            copied = true;
        }
        let replaced = std::fs::rename(&new, &dest).or_else(|_| {
            set_aside(&dir, name, &dest)?;
            std::fs::rename(&new, &dest)
        });
        if let Err(e) = replaced {
            let _ = std::fs::remove_file(&new);
            return Err(io("replace", &dest)(e));
        }
    }
    for entry in std::fs::read_dir(&dir).map_err(io("read", &dir))?.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with(ASIDE_PREFIX) {
            // Still running if this fails: the next rehash tries again.
            let _ = std::fs::remove_file(entry.path());
        } else if !name.starts_with('.') && !names.contains(&name) {
            let path = entry.path();
            if std::fs::remove_file(&path).is_err() {
                set_aside(&dir, &name, &path).map_err(io("remove", &path))?;
            }
        }
    }
    Ok(copied)
}

/// Renames the shim `path` (probably running: Windows refuses to delete or replace a
/// running executable but lets it be renamed) to a free `.old-` name in `dir`.
fn set_aside(dir: &Path, name: &str, path: &Path) -> std::io::Result<()> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100 {
        let aside = dir.join(format!("{ASIDE_PREFIX}{name}-{pid}-{n}"));
        if aside.exists() {
            continue;
        }
        match std::fs::rename(path, &aside) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free name to move it aside to")))
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

    /// Windows' way, checked everywhere (on Windows `gv rehash` takes it): shims appear,
    /// are replaced by new links, vanish with their tool, and what was set aside goes.
    #[test]
    fn in_place_rehash_replaces_file_by_file() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("gv"));
        let (old_shim, new_shim) = (tmp.path().join("old-shim"), tmp.path().join("new-shim"));
        std::fs::write(&old_shim, "old").unwrap();
        std::fs::write(&new_shim, "new").unwrap();
        let names =
            |list: &[&str]| -> BTreeSet<String> { list.iter().map(|s| s.to_string()).collect() };
        replace_in_place(&store, &old_shim, &names(&["go", "gofmt", "vet-helper"])).unwrap();
        let dir = store.shims_dir();
        assert!(platform::same_file(&old_shim, &dir.join("go")));
        std::fs::write(dir.join(".old-go-1-0"), "left by a running shim").unwrap();
        std::fs::write(dir.join("not-a-tool-anymore"), "").unwrap();

        replace_in_place(&store, &new_shim, &names(&["go", "gofmt"])).unwrap();
        for name in ["go", "gofmt"] {
            assert!(platform::same_file(&new_shim, &dir.join(name)), "{name}");
            assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), "new");
        }
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["go", "gofmt"],
            "no temporaries, stale shims or set-aside files"
        );
        assert_eq!(
            std::fs::read_to_string(&old_shim).unwrap(),
            "old",
            "the old binary untouched"
        );
    }

    gv_core::unix_only! {
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
            assert_eq!(
                second.names,
                ["go", "gofmt"],
                "Go's commands only, whatever an SDK's bin/ holds"
            );
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
}
