//! macOS only: APFS's swap rename, its durability rules, `libproc`, and Rosetta.

use std::ffi::{CString, c_char, c_int, c_void};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::Translation;

/// Swaps two existing directory entries in one step (`renamex_np(RENAME_SWAP)`, APFS), so
/// a `--force` reinstall replaces a GOROOT without a moment where none is there. Fails on
/// file systems without it; the caller then falls back to two renames.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: valid NUL-terminated paths; RENAME_SWAP swaps two existing entries.
    let rc = unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// macOS has no way to start write-back without waiting for it; [`sync_tree`] does the work.
pub fn start_writeback(_file: &File) {}

/// Makes a freshly unpacked tree durable before it becomes visible. macOS has no
/// `syncfs`, and its `fsync` hands data to the drive without flushing the drive's cache:
/// so an `fsync` per file and directory (cheap on APFS for that reason), then one
/// `F_FULLFSYNC`, which flushes the drive's cache and with it everything synced before.
pub fn sync_tree(dir: &Path) -> io::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                stack.push(entry?.path());
            }
            File::open(&path)?.sync_all()?;
        } else if meta.is_file() {
            File::open(&path)?.sync_all()?;
        }
    }
    let top = File::open(dir)?;
    // SAFETY: a valid open fd; F_FULLFSYNC takes no argument.
    if unsafe { libc::fcntl(top.as_raw_fd(), libc::F_FULLFSYNC) } == -1 {
        // Not every file system supports it (network volumes): what fsync did stands.
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::ENOTSUP) {
            return Err(err);
        }
    }
    Ok(())
}

/// The name of the process that started gv (`zsh`, `bash`), from `libproc`: macOS has no
/// `/proc`.
pub fn parent_process_name() -> Option<String> {
    let parent = c_int::try_from(std::os::unix::process::parent_id()).ok()?;
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its length, which is what we pass.
    let n = unsafe { libc::proc_name(parent, buf.as_mut_ptr().cast::<c_void>(), buf.len() as u32) };
    let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
    Some(String::from_utf8_lossy(&buf[..n.min(buf.len())]).into_owned())
}

/// Where the kernel writes a core dump, for `gv debug --core`'s hint.
pub const CORE_DUMPS_LAND: &str =
    "macOS writes it to /cores/core.PID (sysctl kern.corefile), which must be writable";

/// Is this process an x86_64 build running under Rosetta 2? `sysctl.proc_translated` is 1
/// there, 0 for a native process, and missing on Intel Macs before Big Sur.
pub fn translation() -> Translation {
    let mut value: c_int = 0;
    let mut size = std::mem::size_of::<c_int>();
    // SAFETY: the name is NUL-terminated; `value` is writable for `size` bytes.
    let rc = unsafe {
        libc::sysctlbyname(
            c"sysctl.proc_translated".as_ptr(),
            (&raw mut value).cast::<c_void>(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc == 0 && value == 1 {
        Translation::Rosetta
    } else {
        Translation::Native
    }
}

/// Where gv builds before the XDG layout kept their store (and config.toml): the
/// `dirs` crate's macOS data directory, `~/Library/Application Support/gv`.
pub fn legacy_store_dirs() -> Vec<PathBuf> {
    super::home_dir()
        .map(|home| vec![home.join("Library/Application Support/gv")])
        .unwrap_or_default()
}

/// Nothing to do here: Linux's `MADV_POPULATE_WRITE` has no counterpart worth a call
/// (see the Linux version); the pages are faulted in when touched.
pub fn prefault(_stack: usize, _start: usize, _len: usize) -> bool {
    false
}

/// The C library's environment block. In a macOS executable `environ` is there too, but
/// Apple documents `_NSGetEnviron()` as the way to reach it (std uses it as well).
pub(super) fn environ() -> *const *const c_char {
    // SAFETY: _NSGetEnviron has no preconditions and returns a valid pointer.
    unsafe { (*libc::_NSGetEnviron()).cast_const().cast() }
}

/// Is `path` on a file system the kernel does not mark local (NFS, SMB, AFP, WebDAV)?
/// Its times come from another machine's clock and `stat` may answer from a cache, so a
/// stamp proves less there. An unreadable answer counts as yes.
pub fn on_network_file_system(path: &Path) -> bool {
    let Some(fs) = super::statfs(path) else {
        return true;
    };
    fs.f_flags & libc::MNT_LOCAL as u32 == 0
}
