//! Linux only: the system calls macOS lacks, and `/proc`.

use std::ffi::{CString, c_char};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::Translation;

/// Swaps two existing directory entries in one step (`renameat2(RENAME_EXCHANGE)`), so a
/// `--force` reinstall replaces a GOROOT without a moment where none is there. Fails on
/// file systems without it; the caller then falls back to two renames.
///
/// Made as a raw system call: musl (the C library of gv's static release builds) has no
/// `renameat2` wrapper before 1.2.5, and the system call is the same everywhere.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: valid NUL-terminated paths; RENAME_EXCHANGE swaps two existing entries.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Asks the kernel to start writing a freshly written file back now, without waiting: by
/// the time the install syncs once at the end ([`sync_tree`]), most data is already on
/// disk, so durability costs little extra wall time (git's "batch" fsync does the same).
pub fn start_writeback(file: &File) {
    // SAFETY: a valid open fd; SYNC_FILE_RANGE_WRITE only schedules I/O.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Makes a freshly unpacked tree durable before it becomes visible. One `syncfs(2)`
/// instead of an fsync per file: a Go SDK has ~12,000 files, and on ext4 each fsync
/// forces a journal commit, while `syncfs` does one.
pub fn sync_tree(dir: &Path) -> io::Result<()> {
    let handle = File::open(dir)?;
    // SAFETY: a valid open fd.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The name of the process that started gv (`bash`, `-zsh`), from `/proc`.
pub fn parent_process_name() -> Option<String> {
    let parent = std::os::unix::process::parent_id();
    std::fs::read_to_string(format!("/proc/{parent}/comm"))
        .ok()
        .map(|comm| comm.trim_end().to_string())
}

/// Where the kernel writes a core dump, for `gv debug --core`'s hint.
pub const CORE_DUMPS_LAND: &str = "where the file lands depends on /proc/sys/kernel/core_pattern";

/// Linux runs no translated processes gv needs to see through.
pub fn translation() -> Translation {
    Translation::Native
}

/// Stores from earlier gv builds in a place gv no longer looks: none on Linux, where
/// gv has always used the XDG directories.
pub fn legacy_store_dirs() -> Vec<std::path::PathBuf> {
    Vec::new()
}

/// The C library's environment block (POSIX `environ`).
pub(super) fn environ() -> *const *const c_char {
    unsafe extern "C" {
        static environ: *const *const c_char;
    }
    // SAFETY: reading the pointer glibc and musl export; the caller walks it.
    unsafe { environ }
}

#[cfg(test)]
mod tests {
    /// The raw `renameat2` system call (what musl builds need) swaps two directories.
    #[test]
    fn exchange_swaps_two_directories() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("from-a"), "").unwrap();
        super::exchange(&a, &b).unwrap();
        assert!(b.join("from-a").is_file());
        assert!(!a.join("from-a").exists());
        assert!(super::exchange(&a, &dir.path().join("missing")).is_err());
    }
}
