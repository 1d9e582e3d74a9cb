//! One install (or uninstall) of a version at a time: a per-version file lock in
//! `$GV_ROOT/locks/`. The kernel drops a flock when its process dies, even by SIGKILL,
//! so a killed run never blocks the next one; what a killed run leaves behind is removed
//! by the next install of any version: temporary directories in `versions/` whose
//! version lock is free, and partial downloads whose own lock is free (each gv holds a lock
//! on the partial it writes).

use gv_core::store::Cache;
use gv_core::{Store, Version};
use std::fs::{File, TryLockError};
use std::io;

pub struct VersionLock {
    _file: File,
}

/// Takes the lock of `version`, calling `on_wait` first if another process holds it.
pub fn lock(store: &Store, version: &Version, on_wait: impl FnOnce()) -> io::Result<VersionLock> {
    let path = store.version_lock(version);
    std::fs::create_dir_all(path.parent().unwrap_or(store.root()))?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            on_wait();
            file.lock()?;
        }
        Err(TryLockError::Error(e)) => return Err(e),
    }
    Ok(VersionLock { _file: file })
}

/// Removes what killed runs left behind. `held` is the version whose lock the caller
/// holds; other versions are cleaned only if their lock is free (nobody is working on
/// them right now).
pub fn clean_leftovers(store: &Store, held: &Version, cache: &Cache) {
    sweep_work_dirs(store, Some(held));
    sweep_partials(cache);
}

/// Removes the partial downloads under `downloads/` (`goproxy/` included) that no running
/// gv is writing: the writer holds a lock on its partial, and the kernel drops it when the
/// writer dies, even by SIGKILL. A partial of any version goes, not only the one being
/// installed: an abandoned download can be gigabytes.
pub fn sweep_partials(cache: &Cache) {
    let mut dirs = vec![cache.downloads()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file()
                && Cache::is_partial_download(&entry.file_name().to_string_lossy())
                // Closed again before the removal (Windows removes no open file).
                && File::open(&path).is_ok_and(|f| f.try_lock().is_ok())
            {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Removes the work directories in `versions/` (`.tmp-`, `.old-`, `.rm-`) no running gv
/// is using: those of `held`, whose lock the caller has, and those of versions whose lock
/// is free (a missing lock file is free too).
pub fn sweep_work_dirs(store: &Store, held: Option<&Version>) {
    let Ok(entries) = std::fs::read_dir(store.versions_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(version) = name.to_str().and_then(Store::work_version) else {
            continue;
        };
        let free = held.is_some_and(|h| version.as_str() == h.as_str())
            || File::open(store.version_lock(&version)).map_or(true, |f| f.try_lock().is_ok());
        if free {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_blocks_others_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let v = Version::parse("1.22.10").unwrap();
        let held = lock(&store, &v, || panic!("nobody holds it yet")).unwrap();
        let other = File::open(store.version_lock(&v)).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(held);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn only_partials_nobody_holds_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let deep = cache.goproxy_downloads().join("golang.org/toolchain/@v");
        std::fs::create_dir_all(&deep).unwrap();
        let live = cache.partial_download("go1.22.10.linux-amd64.tar.gz");
        let dead = deep.join(".v0.0.1-go1.21.0.linux-amd64.zip.99999.partial");
        let kept = cache.downloads().join("go1.22.10.linux-amd64.tar.gz");
        for path in [&live, &dead, &kept] {
            std::fs::write(path, "x").unwrap();
        }
        let writer = File::options().append(true).open(&live).unwrap();
        writer.lock().unwrap();
        sweep_partials(&cache);
        assert!(live.exists(), "a running download is left alone");
        assert!(!dead.exists(), "an abandoned one goes");
        assert!(kept.exists(), "finished downloads stay");
        drop(writer);
        sweep_partials(&cache);
        assert!(!live.exists());
    }
}
