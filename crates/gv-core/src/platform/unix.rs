//! Unix (Linux and macOS).

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::Stamp;

/// The user gv runs as (effective uid: what the kernel checks access against).
pub fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The owner of a file.
pub fn owner(meta: &Metadata) -> u32 {
    meta.uid()
}

/// The superuser: files it owns are system files, trusted like the user's own.
pub const ROOT_UID: u32 = 0;

/// The login name of `uid`, when the user database knows it.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: `pwd` is plain data, filled in by getpwuid_r from `buf`, which outlives its
    // use here; `result` is null or points at `pwd`.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name);
        Some(name.to_string_lossy().into_owned())
    }
}

pub fn stamp(meta: &Metadata) -> Stamp {
    Stamp {
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.size(),
        mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
    }
}

/// Opens an existing file for writing without following a symlink in its last component,
/// so a link planted where gv keeps a file cannot redirect the write.
pub fn open_nofollow_for_append(path: &Path) -> io::Result<File> {
    File::options()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(0o600)
        .open(path)
}

/// Can users other than the owner create or remove entries in the directory `meta`
/// describes (group- or world-writable)?
pub fn others_can_write(meta: &Metadata) -> bool {
    meta.permissions().mode() & 0o022 != 0
}

/// Creates `dir` (and its parents) with permissions for its owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A regular file (after symlinks) with an exec bit.
pub fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
