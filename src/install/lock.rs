//! One install (or uninstall) of a version at a time: a per-version file lock in
//! `$GV_ROOT/locks/`. The kernel drops a flock when its process dies, even by SIGKILL,
//! so a killed run never blocks the next one; what a killed run leaves behind (temporary
//! directories in `versions/`, partial downloads) is removed by the next run that can
//! take the lock of that version.

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
    let Ok(entries) = std::fs::read_dir(store.versions_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(version) = name.to_str().and_then(Store::work_version) else {
            continue;
        };
        // Free means: ours, or nobody holds its lock (a missing lock file is free too).
        let free = version.as_str() == held.as_str()
            || File::open(store.version_lock(&version)).map_or(true, |f| f.try_lock().is_ok());
        if free {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    // Partial downloads of this version (any platform): `.go1.22.10.*.partial`.
    if let Ok(entries) = std::fs::read_dir(cache.downloads()) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if Cache::is_partial_download_of(&name.to_string_lossy(), held) {
                let _ = std::fs::remove_file(entry.path());
            }
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
}
