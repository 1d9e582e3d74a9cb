//! Replaces this process with the real tool.
//!
//! `std::process::Command::exec` would copy the whole environment into a map, then into a
//! fresh `NAME=value` array: a dozen heap pages for a process that lives under a
//! millisecond. Here the inherited entries are passed through by pointer and only the
//! variables gv sets are allocated.

use std::ffi::{CString, OsStr, c_char, c_int};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

unsafe extern "C" {
    /// The C library's environment block (POSIX): `NAME=value` strings, null-terminated.
    static environ: *const *const c_char;
    fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char)
    -> c_int;
}

/// Execs `program` with `args` (argv[0] is `program` itself, as `Command` would do) and the
/// current environment with `set` applied. Returns only on failure.
pub fn exec<'a>(
    program: &Path,
    args: impl Iterator<Item = std::ffi::OsString>,
    set: &[(&'a str, &'a OsStr)],
) -> io::Error {
    let Ok(path) = CString::new(program.as_os_str().as_bytes()) else {
        return io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte");
    };
    let mut owned_args = Vec::new();
    for arg in args {
        match CString::new(arg.into_vec()) {
            Ok(arg) => owned_args.push(arg),
            Err(_) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "an argument contains a NUL byte",
                );
            }
        }
    }
    let mut argv: Vec<*const c_char> = Vec::with_capacity(owned_args.len() + 2);
    argv.push(path.as_ptr());
    argv.extend(owned_args.iter().map(|a| a.as_ptr()));
    argv.push(std::ptr::null());

    let mut owned_env = Vec::with_capacity(set.len());
    for (name, value) in set {
        let mut entry = Vec::with_capacity(name.len() + 1 + value.len());
        entry.extend_from_slice(name.as_bytes());
        entry.push(b'=');
        entry.extend_from_slice(value.as_bytes());
        match CString::new(entry) {
            Ok(entry) => owned_env.push(entry),
            Err(_) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("the value for {name} contains a NUL byte"),
                );
            }
        }
    }
    let mut envp: Vec<*const c_char> = Vec::with_capacity(64);
    // SAFETY: `environ` is a null-terminated array of NUL-terminated strings, and this
    // single-threaded process does not change its environment while reading it.
    unsafe {
        let mut entry = environ;
        while !entry.is_null() && !(*entry).is_null() {
            let bytes = std::ffi::CStr::from_ptr(*entry).to_bytes();
            let name = bytes.split(|&b| b == b'=').next().unwrap_or(bytes);
            if !set.iter().any(|(n, _)| n.as_bytes() == name) {
                envp.push(*entry);
            }
            entry = entry.add(1);
        }
    }
    envp.extend(owned_env.iter().map(|e| e.as_ptr()));
    envp.push(std::ptr::null());
    // SAFETY: every pointer is a live NUL-terminated string (`path`, `owned_args`,
    // `owned_env`, or the inherited environment) and both arrays are null-terminated.
    unsafe { execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    io::Error::last_os_error()
}
