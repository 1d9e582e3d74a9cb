//! Unix (Linux and macOS): everything the two share.

use std::ffi::{CString, OsStr, OsString, c_char, c_int};
use std::fs::{File, Metadata, Permissions};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use super::{DiskUse, Stamp};

/// The user gv runs as (effective uid: what the kernel checks access against). Asked once
/// per process: every pin and config file read checks its owner against it.
pub fn current_uid() -> u32 {
    static UID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    // SAFETY: geteuid has no preconditions and cannot fail.
    *UID.get_or_init(|| unsafe { libc::geteuid() })
}

/// The owner of a file.
pub fn owner(meta: &Metadata) -> u32 {
    meta.uid()
}

/// The superuser: files it owns are system files, trusted like the user's own.
pub const ROOT_UID: u32 = 0;

pub fn stamp(meta: &Metadata) -> Stamp {
    Stamp {
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.size(),
        mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
    }
}

/// Whether an unchanged [`Stamp`] proves unchanged content: it includes the change
/// time, which every write updates and no user program can set.
pub const STAMPS_PROVE_CONTENT: bool = true;

/// What separates PATH entries.
pub const PATH_SEPARATOR: &str = ":";

/// Shims are swapped as a whole directory (a symlink renamed over `shims`), not file by
/// file.
pub const SHIMS_IN_PLACE: bool = false;

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

/// What `statfs` says of the file system `path` is on (`None`: it could not say).
pub(crate) fn statfs(path: &Path) -> Option<libc::statfs> {
    let path = CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut fs = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `path` is NUL-terminated; `statfs` fills `fs` when it returns 0.
    if unsafe { libc::statfs(path.as_ptr(), fs.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: filled above.
    Some(unsafe { fs.assume_init() })
}

/// Opens an existing file for reading without following a symlink in its last component
/// and without waiting (a FIFO opens at once): the caller then checks what it opened.
pub fn open_nofollow_for_reading(path: &Path) -> io::Result<File> {
    File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Creates the new file `path` (failing if anything is there, a symlink included) for
/// writing, readable by its owner alone (0600).
pub fn create_private_file(path: &Path) -> io::Result<File> {
    File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// `bytes` (from [`OsStr::as_encoded_bytes`], kept in a file) as an OS string again: on
/// Unix any bytes are one.
pub fn os_str_from_bytes(bytes: &[u8]) -> Option<&OsStr> {
    Some(OsStr::from_bytes(bytes))
}

/// Opens a file for reading without waiting: a FIFO opens at once instead of blocking
/// until a writer comes (the caller then sees what it opened and refuses it), and a
/// terminal does not become the controlling one.
pub fn open_without_blocking(path: &Path) -> io::Result<File> {
    File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

/// Can users other than the owner create or remove entries in the directory `meta`
/// describes (group- or world-writable)?
pub fn others_can_write(meta: &Metadata) -> bool {
    meta.permissions().mode() & 0o022 != 0
}

/// Creates `dir` (and its parents) with permissions for its owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A regular file (after symlinks) with an exec bit.
pub fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The files a command `name` found in `dir` can be: just `dir/name` (Windows adds
/// `PATHEXT`'s extensions).
pub fn executable_candidates(dir: &Path, name: &str) -> Vec<PathBuf> {
    vec![dir.join(name)]
}

/// The name of the tool a shim was started as: the last component of `argv[0]`, which
/// is the name of the link that was run.
pub fn tool_name(argv0: &OsStr) -> OsString {
    Path::new(argv0).file_name().unwrap_or(argv0).to_owned()
}

/// A file's permission bits (`0o755`): for diagnostics and tests of Unix modes.
pub fn mode(meta: &Metadata) -> u32 {
    meta.permissions().mode() & 0o7777
}

/// Sets a file's permission bits outright (ignoring the umask).
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(mode))
}

/// Makes an existing file or directory its owner's alone (0700), whatever the umask gave it.
pub fn set_private(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(0o700))
}

/// Lets every user read and run a file, or read and traverse a directory (0755).
pub fn set_executable(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(0o755))
}

/// Read-only for everyone but the owner (0644, less the umask when given at creation):
/// what a file a user writes normally gets.
pub fn shared_file_permissions() -> Option<Permissions> {
    Some(Permissions::from_mode(0o644))
}

/// Creates the new file `path` (failing if anything is there) for writing, readable by
/// everyone, and runnable by everyone when `executable` (0755/0644 less the umask).
pub fn create_new_file(path: &Path, executable: bool) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if executable { 0o755 } else { 0o644 })
        .open(path)
}

/// Creates the directory `dir` (not its parents), readable and traversable by everyone
/// (0755 less the umask).
pub fn create_shared_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new().mode(0o755).create(dir)
}

/// Creates `dir` and its parents, readable and traversable by everyone (0755 less the umask).
pub fn create_shared_dir_all(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
}

/// Reads into `buf` from offset `pos` without moving the file's cursor (`pread`), so
/// several readers can share one open file (a zip's entries).
pub fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, pos)
}

/// A symbolic link at `link` whose text is `target` (resolved from the link's directory
/// when relative).
pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// A link at `link` to the directory `target`, as a stable name for it (`current`, the
/// shims generation, an IDE's GOROOT): a symlink here, a junction on Windows.
pub fn link_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Points the directory link `link` at `target` in one step: a new link under the
/// temporary name `tmp`, renamed over the old one, so a reader never finds it missing.
pub fn replace_dir_link(target: &Path, link: &Path, tmp: &Path) -> io::Result<()> {
    match std::fs::remove_file(tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    link_dir(target, tmp)?;
    std::fs::rename(tmp, link)
}

/// Where the directory link `link` points, as written (relative links stay relative).
pub fn dir_link_target(link: &Path) -> io::Result<PathBuf> {
    std::fs::read_link(link)
}

/// Does the directory link `link` point at `target` (as given to [`link_dir`])?
pub fn dir_link_points_to(link: &Path, target: &Path) -> bool {
    std::fs::read_link(link).is_ok_and(|now| now == target)
}

/// Removes a directory link, treating "already gone" as success.
pub fn remove_dir_link(link: &Path) -> io::Result<bool> {
    match std::fs::remove_file(link) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Are `a` and `b` the same file (hard links of one inode)?
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

pub fn disk_use(_path: &Path, meta: &Metadata) -> DiskUse {
    DiskUse {
        id: (meta.dev(), meta.ino()),
        links: meta.nlink(),
        bytes: meta.blocks() * 512,
    }
}

/// Would the kernel let this user write to `path` (and, for a directory, enter it)?
/// Asks the kernel (`access(2)`) rather than reading mode bits, so ACLs and root count.
pub fn can_write(path: &Path, directory: bool) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mode = if directory {
        libc::W_OK | libc::X_OK
    } else {
        libc::W_OK
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), mode) == 0 }
}

/// The OS string whose bytes are `bytes` (`None` where a platform cannot represent them;
/// on Unix any bytes are a file name).
pub fn os_string_from_bytes(bytes: Vec<u8>) -> Option<OsString> {
    Some(OsString::from_vec(bytes))
}

/// Replaces this process with `cmd` (keeping its pid, so exit codes and signals are the
/// child's own). Returns only on failure.
pub fn exec(cmd: &mut Command) -> io::Error {
    cmd.exec()
}

/// Ends the process the way an interrupt does, so that whoever ran gv sees an
/// interrupted program (a shell script's loop stops; `$?` is 130), not an error exit.
pub fn die_of_interrupt() -> ! {
    // SAFETY: restoring the default action and raising a signal touch no Rust state.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
    std::process::exit(130)
}

/// The shell's idea of a child's exit code: its own code, or 128 + the signal that killed it.
/// Runs `cmd` to its end with Ctrl-C and Ctrl-\ left to it, as system(3) does: the child,
/// in the terminal's foreground process group with this process, gets them and decides,
/// while this process ignores them, so it lives to clean up after the child and pass its
/// status on. The child starts with the dispositions this process had.
pub fn status_through_interrupts(cmd: &mut Command) -> io::Result<ExitStatus> {
    // SAFETY: sigaction(2) with a zeroed struct set to SIG_IGN and with structs it filled
    // in itself; the pre_exec closure calls only sigaction, which is async-signal-safe.
    unsafe {
        let mut ignore: libc::sigaction = std::mem::zeroed();
        ignore.sa_sigaction = libc::SIG_IGN;
        let mut old_int: libc::sigaction = std::mem::zeroed();
        let mut old_quit: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, &ignore, &mut old_int);
        libc::sigaction(libc::SIGQUIT, &ignore, &mut old_quit);
        let restore = move || {
            libc::sigaction(libc::SIGINT, &old_int, std::ptr::null_mut());
            libc::sigaction(libc::SIGQUIT, &old_quit, std::ptr::null_mut());
        };
        cmd.pre_exec(move || {
            restore();
            Ok(())
        });
        let status = cmd.status();
        restore();
        status
    }
}

/// Whether `-o PATH` names the null device, as go decides it (`base.IsNull`).
pub fn is_null_device(path: &str) -> bool {
    path == "/dev/null"
}

/// Whether the child stopped because the user pressed Ctrl-C.
pub fn interrupted(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGINT)
}

pub fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    status
        .signal()
        .and_then(|signal| u8::try_from(128 + signal).ok())
        .unwrap_or(1)
}

/// stderr as a child's stdout: the shim's auto-install keeps the go command's stdout clean.
pub fn stderr_as_stdio() -> Stdio {
    std::os::fd::AsFd::as_fd(&io::stderr())
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::inherit())
}

/// The arguments a C `main` received.
///
/// # Safety
/// `argv` must hold `argc` valid NUL-terminated strings, as the C runtime passes them.
pub unsafe fn args_from_main(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
    (0..usize::try_from(argc).unwrap_or(0))
        .map(|i| {
            // SAFETY: the caller promises `argc` valid strings in `argv`.
            let arg = unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect()
}

/// The per-login runtime directory (`XDG_RUNTIME_DIR`, a tmpfs cleared at logout on
/// Linux). macOS has none: the caller falls back to the cache.
pub fn runtime_dir() -> Option<PathBuf> {
    crate::process::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
}

/// The user's home directory: `$HOME`, else the user's line in `/etc/passwd`.
///
/// Never the C library's user database (`getpwuid`): the shim is a static binary, and
/// static glibc's NSS loads shared modules at run time, which crashes it (SIGSEGV) for a
/// uid that has no entry in the files. gv-core runs in the shim and the shell hook, so
/// nothing here asks NSS anything (a unit test checks).
pub fn home_dir() -> Option<PathBuf> {
    if let Some(home) = crate::process::var_os("HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    let passwd = File::open("/etc/passwd").ok()?;
    passwd_home(io::BufReader::new(passwd), current_real_uid())
}

/// The real uid, as the C library's fallback for a missing `$HOME` looks it up.
fn current_real_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The home directory of `uid` in a passwd file (`name:pw:uid:gid:gecos:home:shell`).
fn passwd_home(passwd: impl io::BufRead, uid: u32) -> Option<PathBuf> {
    let uid = uid.to_string();
    passwd.split(b'\n').map_while(Result::ok).find_map(|line| {
        let mut fields = line.split(|&b| b == b':');
        (fields.nth(2)? == uid.as_bytes())
            .then(|| fields.nth(2))
            .flatten()
            .filter(|home| home.starts_with(b"/"))
            .map(|home| PathBuf::from(OsStr::from_bytes(home)))
    })
}

/// gv's store: `$XDG_DATA_HOME/gv`, else `~/.local/share/gv`.
pub fn store_dir() -> Option<PathBuf> {
    data_home().map(|d| d.join("gv"))
}

/// gv's config directory: `$XDG_CONFIG_HOME/gv`, else `~/.config/gv`.
pub fn config_dir() -> Option<PathBuf> {
    config_home().map(|d| d.join("gv"))
}

/// gv's cache: `$XDG_CACHE_HOME/gv`, else `~/.cache/gv`.
pub fn cache_dir() -> Option<PathBuf> {
    cache_home().map(|d| d.join("gv"))
}

/// `$XDG_DATA_HOME`, else `~/.local/share` — on macOS too, like uv and mise, instead of
/// `~/Library/Application Support` (a path with a space, and not what gv documents).
pub fn data_home() -> Option<PathBuf> {
    super::xdg_dir(
        crate::process::var_os("XDG_DATA_HOME"),
        home_dir(),
        ".local/share",
    )
}

/// `$XDG_CONFIG_HOME`, else `~/.config`.
pub fn config_home() -> Option<PathBuf> {
    super::xdg_dir(
        crate::process::var_os("XDG_CONFIG_HOME"),
        home_dir(),
        ".config",
    )
}

/// `$XDG_CACHE_HOME`, else `~/.cache`.
pub fn cache_home() -> Option<PathBuf> {
    super::xdg_dir(
        crate::process::var_os("XDG_CACHE_HOME"),
        home_dir(),
        ".cache",
    )
}

/// Replaces this process with `program`, passing `args` (argv[0] is `program` itself, as
/// `Command` would do) and the current environment with `set` applied (a `None` value
/// removes the variable). Returns only on
/// failure. The shim's hot path: `Command::exec` would copy the whole environment into a
/// map, then into a fresh `NAME=value` array — a dozen heap pages for a process that
/// lives under a millisecond. Here the inherited entries ([`crate::process::environment`])
/// are passed through by pointer and only the variables gv sets are allocated; an entry
/// that is no `NAME=value` is left out, as std's `Command` leaves it out whenever it
/// changes a variable.
pub fn exec_with_env<'a>(
    program: &Path,
    args: impl Iterator<Item = OsString>,
    set: &[(&'a str, Option<&'a OsStr>)],
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
        // `None`: removed, by leaving the inherited entry out below.
        let Some(value) = value else {
            continue;
        };
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
    let inherited = super::process::environment()
        .iter()
        .map(|var| (var.name.as_bytes(), var.entry()));
    let envp = envp(
        inherited,
        |name| set.iter().any(|(n, _)| n.as_bytes() == name),
        owned_env.iter().map(CString::as_c_str),
    );
    // SAFETY: every pointer is a live NUL-terminated string (`path`, `owned_args`,
    // `owned_env`, or the inherited environment) and both arrays are null-terminated.
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    io::Error::last_os_error()
}

/// The environment a program is exec'd with, as a null-terminated array: each
/// `inherited` entry (its name, then the whole `NAME=value`) unless `replaced` says its
/// name is set or removed, then the `added` entries. The one rule for the shim's exec,
/// from `main` ([`exec_with_env`]) and from its entry point before the C library starts.
pub fn envp<'a>(
    inherited: impl Iterator<Item = (&'a [u8], &'a std::ffi::CStr)>,
    replaced: impl Fn(&[u8]) -> bool,
    added: impl Iterator<Item = &'a std::ffi::CStr>,
) -> Vec<*const c_char> {
    let room = inherited.size_hint().0 + added.size_hint().0 + 1;
    let mut envp: Vec<*const c_char> = Vec::with_capacity(room);
    envp.extend(
        inherited
            .filter(|(name, _)| !replaced(name))
            .map(|(_, entry)| entry.as_ptr()),
    );
    envp.extend(added.map(std::ffi::CStr::as_ptr));
    envp.push(std::ptr::null());
    envp
}

/// Makes the entries of `dir` (creations, renames, removals) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_comes_from_the_passwd_file_by_uid() {
        let passwd = b"root:x:0:0:root:/root:/bin/bash\n\
                       bad line\n\
                       dev:x:1000:1000:Dev,,,:/home/dev:/bin/zsh\n\
                       rel:x:1001:1001::home/rel:/bin/sh\n";
        assert_eq!(
            passwd_home(&passwd[..], 1000),
            Some(PathBuf::from("/home/dev"))
        );
        assert_eq!(passwd_home(&passwd[..], 0), Some(PathBuf::from("/root")));
        assert_eq!(
            passwd_home(&passwd[..], 1001),
            None,
            "a relative home is none"
        );
        assert_eq!(passwd_home(&passwd[..], 54321), None);
    }

    #[test]
    fn the_null_device_is_dev_null_as_go_decides() {
        assert!(is_null_device("/dev/null"));
        assert!(!is_null_device("NUL") && !is_null_device("/dev/null/"));
    }

    /// Ctrl-C while a child runs is the child's to act on: this process survives it (to
    /// clean up after the child), and the child keeps the default action rather than
    /// inheriting this process's "ignore".
    #[test]
    fn ctrl_c_during_a_child_stops_the_child_and_not_this_process() {
        // Ctrl-C's default action for this process, as in a terminal: a script run in the
        // background (CI) starts everything with SIGINT ignored, which children inherit.
        // SAFETY: setting a signal's disposition to its default touches no Rust state.
        unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
        let mut interrupts_parent = Command::new("sh");
        interrupts_parent.args(["-c", "kill -INT $PPID; sleep 0.2; exit 3"]);
        let status = status_through_interrupts(&mut interrupts_parent).unwrap();
        assert_eq!(status.code(), Some(3));
        assert!(!interrupted(status));

        let mut interrupts_itself = Command::new("sh");
        interrupts_itself.args(["-c", "kill -INT $$; sleep 1; exit 0"]);
        let status = status_through_interrupts(&mut interrupts_itself).unwrap();
        assert!(interrupted(status), "{status:?}");
        assert_eq!(exit_code(status), 130);
    }
}
