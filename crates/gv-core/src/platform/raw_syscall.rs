//! The few system calls the shim makes from its own entry point, before the C library is
//! set up (`gv-shim`'s `entry.rs`): made with the `syscall` instruction itself, since the
//! C library's wrappers report failures through `errno`, which lives in thread-local
//! storage that does not exist yet. Each returns the kernel's answer as it is: a value,
//! or `Err(errno)`. x86-64 Linux only; elsewhere the shim reads its answer from `main`.

use core::arch::asm;
use core::ffi::{CStr, c_char};
use core::mem::MaybeUninit;
use std::ffi::CString;

use super::Stamp;

/// `ENOENT`: no such file or directory.
pub const ENOENT: i32 = libc::ENOENT;

/// A system call with up to four arguments.
///
/// # Safety
/// `number` and its arguments must make a valid call: pointers to live memory of the
/// size the call reads or writes.
unsafe fn syscall4(number: i64, a: usize, b: usize, c: usize, d: usize) -> Result<usize, i32> {
    let ret: isize;
    // SAFETY: the caller's promise; `syscall` clobbers rcx and r11 and nothing else.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") number as isize => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    // The kernel returns -4095..-1 for an error, the errno negated.
    if (-4095..0).contains(&ret) {
        Err(-(ret as i32))
    } else {
        Ok(ret as usize)
    }
}

/// The working directory, at most `max` bytes with its NUL.
pub fn getcwd(max: usize) -> Result<CString, i32> {
    let mut buf = Vec::with_capacity(max);
    // SAFETY: the kernel writes at most `max` bytes into the buffer's spare room.
    let len = unsafe { syscall4(libc::SYS_getcwd, buf.as_mut_ptr() as usize, max, 0, 0)? };
    // SAFETY: the kernel wrote `len` bytes, its NUL last; `len <= max`.
    unsafe { buf.set_len(len.min(max)) };
    // The shim's allocator gives the room not used back.
    buf.shrink_to_fit();
    CString::from_vec_with_nul(buf).map_err(|_| libc::ERANGE)
}

/// The stamp of `path`: `stat` through symlinks when `follow`, else `lstat`, as
/// [`super::stamp`] gives it from the standard library's metadata.
pub fn stamp(path: &CStr, follow: bool) -> Result<Stamp, i32> {
    let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
    let mut st = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: a NUL-terminated path and room for a `struct stat`, which the kernel fills.
    unsafe {
        syscall4(
            libc::SYS_newfstatat,
            libc::AT_FDCWD as usize,
            path.as_ptr() as usize,
            st.as_mut_ptr() as usize,
            flags as usize,
        )?;
    }
    // SAFETY: filled by the successful call.
    Ok(stamp_of(&unsafe { st.assume_init() }))
}

fn stamp_of(st: &libc::stat) -> Stamp {
    let ns = |secs: i64, nsec: i64| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
    Stamp {
        dev: st.st_dev,
        ino: st.st_ino,
        size: st.st_size as u64,
        mtime_ns: ns(st.st_mtime, st.st_mtime_nsec),
        ctime_ns: ns(st.st_ctime, st.st_ctime_nsec),
    }
}

/// An open file, closed when dropped.
pub struct Fd(i32);

/// What [`Fd::stat`] tells of an open file.
pub struct FileInfo {
    pub is_regular: bool,
    pub mode: u32,
    pub owner: u32,
    pub size: u64,
}

impl Fd {
    /// Opens `path` for reading, not through a symlink in its last component (as
    /// [`super::open_nofollow_for_reading`] does).
    pub fn open_nofollow(path: &CStr) -> Result<Fd, i32> {
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: a NUL-terminated path.
        let fd = unsafe {
            syscall4(
                libc::SYS_openat,
                libc::AT_FDCWD as usize,
                path.as_ptr() as usize,
                flags as usize,
                0,
            )?
        };
        Ok(Fd(fd as i32))
    }

    pub fn stat(&self) -> Result<FileInfo, i32> {
        let mut st = MaybeUninit::<libc::stat>::uninit();
        // SAFETY: room for a `struct stat`, which the kernel fills.
        unsafe {
            syscall4(
                libc::SYS_fstat,
                self.0 as usize,
                st.as_mut_ptr() as usize,
                0,
                0,
            )?
        };
        // SAFETY: filled by the successful call.
        let st = unsafe { st.assume_init() };
        Ok(FileInfo {
            is_regular: st.st_mode & libc::S_IFMT == libc::S_IFREG,
            mode: st.st_mode & 0o7777,
            owner: st.st_uid,
            size: st.st_size as u64,
        })
    }

    /// Reads until `buf` is full or the file ends; how much was read.
    pub fn read_to_fill(&self, buf: &mut [u8]) -> Result<usize, i32> {
        let mut filled = 0;
        while let Some(room) = buf.get_mut(filled..).filter(|room| !room.is_empty()) {
            // SAFETY: the kernel writes at most `room.len()` bytes into it.
            let n = match unsafe {
                syscall4(
                    libc::SYS_read,
                    self.0 as usize,
                    room.as_mut_ptr() as usize,
                    room.len(),
                    0,
                )
            } {
                Err(libc::EINTR) => continue,
                read => read?,
            };
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: closes the descriptor this value owns.
        let _ = unsafe { syscall4(libc::SYS_close, self.0 as usize, 0, 0, 0) };
    }
}

/// The effective user id.
pub fn geteuid() -> u32 {
    // SAFETY: takes nothing and cannot fail.
    unsafe { syscall4(libc::SYS_geteuid, 0, 0, 0, 0) }.unwrap_or(u32::MAX as usize) as u32
}

/// Replaces this process with `path`; returns only on failure, with its errno.
///
/// # Safety
/// `argv` and `envp` must be null-terminated arrays of NUL-terminated strings.
#[inline(never)]
pub unsafe fn execve(path: &CStr, argv: *const *const c_char, envp: *const *const c_char) -> i32 {
    // SAFETY: the caller's promise.
    match unsafe {
        syscall4(
            libc::SYS_execve,
            path.as_ptr() as usize,
            argv as usize,
            envp as usize,
            0,
        )
    } {
        Err(errno) => errno,
        Ok(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt as _;

    fn c(path: &std::path::Path) -> std::ffi::CString {
        std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap()
    }

    /// The kernel's own `stat` gives the stamp the standard library's metadata gives.
    #[test]
    fn stamps_are_the_standard_librarys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "some content").unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        for path in [dir.path(), &file, &link, std::path::Path::new("/")] {
            assert_eq!(
                stamp(&c(path), false),
                Ok(super::super::stamp(
                    &std::fs::symlink_metadata(path).unwrap()
                )),
                "{path:?}"
            );
            assert_eq!(
                stamp(&c(path), true),
                Ok(super::super::stamp(&std::fs::metadata(path).unwrap())),
                "{path:?}"
            );
        }
        assert_eq!(stamp(&c(&dir.path().join("none")), false), Err(ENOENT));
    }

    #[test]
    fn files_are_read_whole_and_described() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, vec![7u8; 10_000]).unwrap();
        let fd = Fd::open_nofollow(&c(&file)).unwrap();
        let info = fd.stat().unwrap();
        assert!(info.is_regular);
        assert_eq!(info.size, 10_000);
        assert_eq!(info.owner, super::super::current_uid());
        assert_eq!(geteuid(), super::super::current_uid());
        let mut buf = vec![0; 20_000];
        assert_eq!(fd.read_to_fill(&mut buf), Ok(10_000));
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(Fd::open_nofollow(&c(&link)).err(), Some(libc::ELOOP));
        assert_eq!(
            getcwd(4096).unwrap().to_bytes(),
            crate::process::current_dir()
                .unwrap()
                .as_os_str()
                .as_bytes()
        );
    }
}
