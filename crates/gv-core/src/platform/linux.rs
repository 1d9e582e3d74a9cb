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

/// Maps in advance the pages a process that is about to exec will touch: `stack` bytes
/// below the caller's frame, and the `len` bytes of writable memory at `start` (the
/// shim's heap). One `madvise(MADV_POPULATE_WRITE)` each (Linux 5.14) instead of a page
/// fault per page, which a virtual machine makes cost microseconds each (measured with
/// `scripts/bench-shim`). Contents are unchanged. Best effort: on an older kernel, or for
/// a range the process has not mapped, the pages are faulted in when touched, as usual;
/// the answer says whether the kernel mapped both.
pub fn prefault(stack: usize, start: usize, len: usize) -> bool {
    const MADV_POPULATE_WRITE: libc::c_int = 23;
    let page = page_size();
    let frame = 0u8;
    let below = std::ptr::addr_of!(frame).addr() & !(page - 1);
    let stack = stack.next_multiple_of(page);
    let heap = start & !(page - 1);
    let heap_len = if len == 0 {
        0
    } else {
        start.saturating_add(len).next_multiple_of(page) - heap
    };
    let mut mapped = true;
    for (addr, len) in [(below.saturating_sub(stack), stack), (heap, heap_len)] {
        if len != 0 {
            // SAFETY: populating changes no memory contents, and the kernel checks the
            // range (an unmapped one fails with ENOMEM, an old kernel with EINVAL).
            mapped &=
                unsafe { libc::madvise(addr as *mut libc::c_void, len, MADV_POPULATE_WRITE) } == 0;
        }
    }
    mapped
}

/// The kernel's page size: 4 KiB on x86-64, 4, 16 or 64 KiB on arm64 kernels.
fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
        .ok()
        .filter(|size| size.is_power_of_two())
        .unwrap_or(4096)
}

/// The C library's environment block (POSIX `environ`).
pub(super) fn environ() -> *const *const c_char {
    unsafe extern "C" {
        static environ: *const *const c_char;
    }
    // SAFETY: reading the pointer glibc and musl export; the caller walks it.
    unsafe { environ }
}

/// Is `path` on a file system served over the network or by a program (NFS, SMB/CIFS,
/// FUSE, 9p, AFS, Ceph, Lustre, GPFS)? Its times come from another machine's clock and
/// `stat` may answer from a cache, so a stamp proves less there. An unreadable answer
/// counts as yes.
pub fn on_network_file_system(path: &Path) -> bool {
    const NETWORK: [u64; 11] = [
        0x6969,      // NFS
        0x517b,      // SMB
        0xff53_4d42, // CIFS
        0xfe53_4d42, // SMB2
        0x6573_5546, // FUSE
        0x0102_1997, // 9P
        0x5346_414f, // AFS
        0x6b41_4653, // kAFS
        0x00c3_6400, // Ceph
        0x0bd0_0bd0, // Lustre
        0x4750_4653, // GPFS
    ];
    let Some(fs) = super::statfs(path) else {
        return true;
    };
    // `f_type` is signed in glibc and unsigned in musl.
    #[allow(clippy::unnecessary_cast)]
    let kind = fs.f_type as u64;
    NETWORK.contains(&kind)
}

#[cfg(test)]
mod tests {
    /// Memory nothing has touched yet is mapped by one call, and keeps its contents.
    #[test]
    fn prefault_maps_untouched_pages_and_changes_nothing() {
        const PAGES: usize = 16;
        let page = super::page_size();
        // Fresh anonymous memory, so no page is there until touched.
        // SAFETY: a private anonymous mapping, unmapped below.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                PAGES * page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(map, libc::MAP_FAILED);
        let resident = || {
            let mut vec = [0u8; PAGES];
            // SAFETY: `vec` has one byte per page of the mapping.
            assert_eq!(
                unsafe { libc::mincore(map, PAGES * page, vec.as_mut_ptr()) },
                0
            );
            vec.iter().filter(|b| *b & 1 == 1).count()
        };
        assert_eq!(resident(), 0);
        // SAFETY: the first byte is inside the mapping.
        unsafe { map.cast::<u8>().write(7) };
        // The heap part only: how much stack lies below a test thread's frame varies.
        let populated = super::prefault(0, map.addr() + 1, PAGES * page - 1);
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        let mut parts = release
            .trim()
            .split(['.', '-'])
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        assert!(
            populated || (major, minor) < (5, 14),
            "Linux {} has MADV_POPULATE_WRITE, yet nothing was mapped",
            release.trim()
        );
        if populated {
            assert_eq!(resident(), PAGES, "every page mapped");
        }
        // SAFETY: as above.
        assert_eq!(unsafe { map.cast::<u8>().read() }, 7, "contents kept");
        // A range nothing maps: refused, nothing else happens.
        assert!(!super::prefault(0, usize::MAX - 3 * page, page));
        // SAFETY: the mapping made above, no longer used.
        unsafe { libc::munmap(map, PAGES * page) };
    }

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
