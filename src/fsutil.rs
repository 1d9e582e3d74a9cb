//! Small filesystem helpers that keep gv's files whole: every write goes to a temporary
//! sibling and is renamed into place, so a reader never sees half a file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
/// The file is readable by everyone (0644 less the umask), like any file a user writes:
/// a `.go-version` in a shared checkout must be readable by the other users' shims.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    if let Some(permissions) = gv_core::platform::shared_file_permissions() {
        builder.permissions(permissions);
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes a file, treating "already gone" as success.
pub fn remove_if_exists(path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A scratch directory for tests that create thousands of small trees (the property
/// tests of the unpackers): in memory where the system has one (`/dev/shm`), else in the
/// temporary directory. On a disk every file's write-back would cost milliseconds.
#[cfg(test)]
pub(crate) fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    tempfile::Builder::new()
        .prefix("gv-prop-")
        .tempdir_in(shm)
        .or_else(|_| tempfile::tempdir())
        .expect("a scratch directory")
}
