//! Windows: no `exec`, no permission bits, no uids, junctions instead of directory
//! symlinks, `;` between PATH entries, executables found through `PATHEXT`, and the store
//! under `%LOCALAPPDATA%`.
//!
//! What Windows does differently is decided here; what gv then does about it (shims
//! replaced file by file, say) is decided by the callers through the constants below.

use std::ffi::{OsStr, OsString, c_char, c_int};
use std::fs::{File, Metadata, Permissions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use windows_sys::Win32::Foundation::{
    CloseHandle, FALSE, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, TRUE,
};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, CreateFileW, FILE_FLAG_BACKUP_SEMANTICS,
    FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    GetFileInformationByHandle, OPEN_EXISTING,
};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::IO::DeviceIoControl;
use windows_sys::Win32::System::Ioctl::FSCTL_SET_REPARSE_POINT;
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_BREAKAWAY_OK,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JobObjectExtendedLimitInformation, SetInformationJobObject,
};
use windows_sys::Win32::System::Threading::GetCurrentProcess;

use super::{DiskUse, Stamp, Translation};

/// Windows has no uids: ownership is a SID in an ACL, and gv's directories sit in the
/// user's profile, which only the user (and administrators) can write. Every file counts
/// as the user's own; the README says so (Platforms).
pub fn current_uid() -> u32 {
    0
}

/// See [`current_uid`]: every file is the user's own here.
pub fn owner(_meta: &Metadata) -> u32 {
    0
}

pub const ROOT_UID: u32 = 0;

/// Size and times. Windows lets any program that can write a file set all of its times
/// (`SetFileTime`), so a stamp never proves the content unchanged:
/// [`STAMPS_PROVE_CONTENT`] is false and trust re-hashes the file.
pub fn stamp(meta: &Metadata) -> Stamp {
    Stamp {
        dev: 0,
        ino: 0,
        size: meta.file_size(),
        mtime_ns: i128::from(meta.last_write_time()) * 100,
        ctime_ns: i128::from(meta.creation_time()) * 100,
    }
}

/// Whether an unchanged [`Stamp`] proves unchanged content (no user program can set a
/// file's change time on Unix; on Windows every time can be set).
pub const STAMPS_PROVE_CONTENT: bool = false;

/// Opens a file for appending without following a reparse point (a symlink or junction
/// planted in its place) in its last component.
pub fn open_nofollow_for_append(path: &Path) -> io::Result<File> {
    File::options()
        .create(true)
        .append(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)
}

/// Opens an existing file for reading, a link itself rather than its target.
pub fn open_nofollow_for_reading(path: &Path) -> io::Result<File> {
    File::options()
        .read(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)
}

/// Creates the new file `path` (failing if anything is there); it inherits the profile's
/// ACL (the user's alone).
pub fn create_private_file(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// `bytes` (from [`OsStr::as_encoded_bytes`], kept in a file) as an OS string again:
/// here only when they are UTF-8, which every name that is valid Unicode is.
pub fn os_str_from_bytes(bytes: &[u8]) -> Option<&OsStr> {
    std::str::from_utf8(bytes).ok().map(OsStr::new)
}

/// Opens a file for reading. Nothing blocks on open here: a named pipe lives in its own
/// namespace (`\\.\pipe\`), and the caller checks what it opened.
pub fn open_without_blocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Whether others may write the directory: decided by its ACL, which on Windows is
/// inherited from the user's profile for every directory gv creates. gv reads no ACLs.
pub fn others_can_write(_meta: &Metadata) -> bool {
    false
}

/// Creates `dir` and its parents; they inherit the profile's ACL (the user's alone).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The extensions Windows runs a file by (`PATHEXT`, with Windows' default when unset).
pub fn executable_extensions() -> Vec<String> {
    let value = crate::process::var("PATHEXT")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| ".COM;.EXE;.BAT;.CMD".to_string());
    value
        .split(';')
        .map(str::trim)
        .filter(|e| e.len() > 1 && e.starts_with('.'))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A regular file (after links) whose extension is one of `PATHEXT`'s.
pub fn is_executable_file(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(OsStr::to_str) else {
        return false;
    };
    let ext = format!(".{}", ext.to_ascii_lowercase());
    executable_extensions().contains(&ext) && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The files a command `name` found in `dir` can be, in the order Windows tries them:
/// `name` itself when it already has one of `PATHEXT`'s extensions, else `name` with each.
pub fn executable_candidates(dir: &Path, name: &str) -> Vec<PathBuf> {
    let exts = executable_extensions();
    let has_ext = Path::new(name)
        .extension()
        .and_then(OsStr::to_str)
        .is_some_and(|e| exts.contains(&format!(".{}", e.to_ascii_lowercase())));
    if has_ext {
        return vec![dir.join(name)];
    }
    exts.iter()
        .map(|ext| dir.join(format!("{name}{ext}")))
        .collect()
}

/// A Unix-style mode for diagnostics: only the read-only attribute exists.
pub fn mode(meta: &Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

/// Windows keeps one permission bit: read-only, set when `mode` grants no write.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    permissions.set_readonly(mode & 0o222 == 0);
    std::fs::set_permissions(path, permissions)
}

/// Nothing to do: the file inherits the profile's ACL.
pub fn set_private(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Nothing to do: Windows runs a file by its extension, not a mode bit.
pub fn set_executable(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// No mode to give: files inherit their directory's ACL.
pub fn shared_file_permissions() -> Option<Permissions> {
    None
}

/// Creates the new file `path` (failing if anything is there) for writing.
pub fn create_new_file(path: &Path, _executable: bool) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

pub fn create_shared_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir(dir)
}

pub fn create_shared_dir_all(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Reads into `buf` from offset `pos`. Each call names its own offset (`ReadFile` with an
/// `OVERLAPPED` position), so several threads can share one open file.
pub fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, pos)
}

/// A symbolic link at `link` whose text is `target`: a directory link when `target`
/// (resolved from the link's directory) is a directory. Windows lets only administrators
/// and developer mode create these; archives and imports that carry one fail otherwise.
pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    let resolved = link.parent().unwrap_or(Path::new(".")).join(target);
    if resolved.is_dir() {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    }
}

/// A junction at `link` to the directory `target` (resolved from the link's directory
/// when relative): unlike a directory symlink it needs no administrator rights or
/// developer mode. A junction holds an absolute path, so a moved store needs its links
/// made again (`gv rehash` and any install do).
pub fn link_dir(target: &Path, link: &Path) -> io::Result<()> {
    let target = junction_target(target, link)?;
    std::fs::create_dir(link)?;
    let result = set_junction(link, &target);
    if result.is_err() {
        let _ = std::fs::remove_dir(link);
    }
    result
}

/// `ERROR_INVALID_FUNCTION` and `ERROR_NOT_SUPPORTED`: what a file system without reparse
/// points answers (FAT, some network shares, wine).
fn no_junctions(err: io::Error) -> io::Error {
    match err.raw_os_error() {
        Some(1 | 50) => io::Error::new(
            io::ErrorKind::Unsupported,
            format!("this file system cannot make junctions ({err})"),
        ),
        _ => err,
    }
}

/// Points the directory link `link` at `target` in one step: an existing junction gets its
/// target replaced in place (one `FSCTL_SET_REPARSE_POINT`, which readers see whole);
/// otherwise a new one is made. `_tmp` is the Unix way's temporary name, unused here.
pub fn replace_dir_link(target: &Path, link: &Path, _tmp: &Path) -> io::Result<()> {
    let absolute = junction_target(target, link)?;
    match std::fs::symlink_metadata(link) {
        Ok(meta) if is_reparse_point(&meta) && meta.is_dir() => set_junction(link, &absolute),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a junction", link.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => link_dir(target, link),
        Err(e) => Err(e),
    }
}

/// Where the directory link `link` points, as an absolute path (a junction's target).
pub fn dir_link_target(link: &Path) -> io::Result<PathBuf> {
    let target = std::fs::read_link(link)?;
    Ok(strip_verbatim(&target))
}

/// Does the directory link `link` point at `target` (as given to [`link_dir`])?
pub fn dir_link_points_to(link: &Path, target: &Path) -> bool {
    match (dir_link_target(link), junction_target(target, link)) {
        (Ok(now), Ok(wanted)) => {
            now.as_os_str().to_string_lossy().to_lowercase()
                == wanted.as_os_str().to_string_lossy().to_lowercase()
        }
        _ => false,
    }
}

/// Removes a directory link (a junction is a directory to the file system), treating
/// "already gone" as success.
pub fn remove_dir_link(link: &Path) -> io::Result<bool> {
    match std::fs::remove_dir(link) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn is_reparse_point(meta: &Metadata) -> bool {
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

/// The absolute path a junction for `target` at `link` must hold.
fn junction_target(target: &Path, link: &Path) -> io::Result<PathBuf> {
    let joined = link.parent().unwrap_or(Path::new(".")).join(target);
    Ok(strip_verbatim(&std::path::absolute(joined)?))
}

/// `C:\x` for `\\?\C:\x` (and `\??\C:\x`, a junction's own spelling).
fn strip_verbatim(path: &Path) -> PathBuf {
    let text = path.as_os_str().to_string_lossy();
    for prefix in [r"\\?\", r"\??\"] {
        if let Some(rest) = text.strip_prefix(prefix)
            && rest.as_bytes().get(1) == Some(&b':')
        {
            return PathBuf::from(rest);
        }
    }
    path.to_path_buf()
}

fn wide(path: &Path) -> Vec<u16> {
    path.as_os_str().encode_wide().chain(Some(0)).collect()
}

/// A handle closed on drop.
struct Handle(HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a handle this module opened and nothing else closes.
        unsafe { CloseHandle(self.0) };
    }
}

fn open_handle(path: &Path, access: u32, flags: u32) -> io::Result<Handle> {
    let name = wide(path);
    // SAFETY: `name` is NUL-terminated; null security attributes and template are allowed.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            access,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            std::ptr::null(),
            OPEN_EXISTING,
            flags | FILE_FLAG_BACKUP_SEMANTICS,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        Err(io::Error::last_os_error())
    } else {
        Ok(Handle(handle))
    }
}

/// Writes a mount-point reparse point (a junction) to `absolute` on the directory `link`,
/// replacing the one it has. The layout is `REPARSE_DATA_BUFFER`'s
/// `MountPointReparseBuffer`: the NT path (`\??\C:\…`) and the path shown to users, each
/// NUL-terminated.
fn set_junction(link: &Path, absolute: &Path) -> io::Result<()> {
    const IO_REPARSE_TAG_MOUNT_POINT: u32 = 0xA000_0003;
    let substitute: Vec<u16> = OsStr::new(r"\??\")
        .encode_wide()
        .chain(absolute.as_os_str().encode_wide())
        .collect();
    let print: Vec<u16> = absolute.as_os_str().encode_wide().collect();
    let too_long = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path is too long for a junction",
        )
    };
    let sub_bytes = u16::try_from(substitute.len() * 2).map_err(|_| too_long())?;
    let print_bytes = u16::try_from(print.len() * 2).map_err(|_| too_long())?;
    let paths = u16::try_from((substitute.len() + print.len() + 2) * 2).map_err(|_| too_long())?;
    let data_len = paths.checked_add(8).ok_or_else(too_long)?;
    let mut buf = Vec::with_capacity(usize::from(data_len) + 8);
    buf.extend(IO_REPARSE_TAG_MOUNT_POINT.to_le_bytes());
    buf.extend(data_len.to_le_bytes());
    buf.extend(0u16.to_le_bytes());
    buf.extend(0u16.to_le_bytes());
    buf.extend(sub_bytes.to_le_bytes());
    buf.extend((sub_bytes + 2).to_le_bytes());
    buf.extend(print_bytes.to_le_bytes());
    for unit in substitute.iter().chain(&[0]).chain(&print).chain(&[0]) {
        buf.extend(unit.to_le_bytes());
    }
    let handle = open_handle(link, GENERIC_WRITE, FILE_FLAG_OPEN_REPARSE_POINT)?;
    let mut returned = 0u32;
    // SAFETY: `buf` is a complete reparse buffer of the length passed; no output buffer.
    let ok = unsafe {
        DeviceIoControl(
            handle.0,
            FSCTL_SET_REPARSE_POINT,
            buf.as_ptr().cast(),
            buf.len() as u32,
            std::ptr::null_mut(),
            0,
            &mut returned,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(no_junctions(io::Error::last_os_error()));
    }
    Ok(())
}

/// The file's identity and link count, from its handle (std's `Metadata` does not carry
/// the volume and file index on stable Rust).
fn file_info(path: &Path) -> io::Result<BY_HANDLE_FILE_INFORMATION> {
    let handle = open_handle(path, 0, FILE_FLAG_OPEN_REPARSE_POINT)?;
    // SAFETY: plain data, filled in by the call.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: a valid handle and a writable struct.
    if unsafe { GetFileInformationByHandle(handle.0, &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info)
}

/// Are `a` and `b` the same file (hard links of one file)?
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (file_info(a), file_info(b)) {
        (Ok(x), Ok(y)) => {
            x.dwVolumeSerialNumber == y.dwVolumeSerialNumber
                && x.nFileIndexHigh == y.nFileIndexHigh
                && x.nFileIndexLow == y.nFileIndexLow
        }
        _ => false,
    }
}

pub fn disk_use(path: &Path, meta: &Metadata) -> DiskUse {
    match file_info(path) {
        Ok(info) => DiskUse {
            id: (
                u64::from(info.dwVolumeSerialNumber),
                (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
            ),
            links: u64::from(info.nNumberOfLinks),
            bytes: meta.file_size(),
        },
        // Unreadable: counted on its own, under an identity no real file has.
        Err(_) => DiskUse {
            id: (u64::MAX, meta.file_size()),
            links: 1,
            bytes: meta.file_size(),
        },
    }
}

/// Would Windows let this user write to `path` (a directory: create files in it)? Asks
/// by trying, since the answer lives in ACLs: opens the file for writing, or creates and
/// removes a file in the directory.
pub fn can_write(path: &Path, directory: bool) -> bool {
    if directory {
        let probe = path.join(format!(".gv-write-probe-{}", std::process::id()));
        let made = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .is_ok();
        if made {
            let _ = std::fs::remove_file(&probe);
        }
        made
    } else {
        std::fs::OpenOptions::new().write(true).open(path).is_ok()
    }
}

/// The OS string whose bytes are `bytes`: UTF-8 only (gv records paths as UTF-8 text).
pub fn os_string_from_bytes(bytes: Vec<u8>) -> Option<OsString> {
    String::from_utf8(bytes).ok().map(OsString::from)
}

/// Windows has no `exec`: the program runs as a child with this process's console,
/// handles and environment, and this process exits with its exit code when it ends. Ctrl+C
/// reaches every process on the console; this one ignores it and lets the child decide.
/// Both are in a job object that dies with this process, so killing it (Task Manager, a
/// CI timeout) kills the tool too. Returns only on failure to start.
pub fn exec(cmd: &mut Command) -> io::Error {
    match run_and_wait(cmd) {
        Ok(code) => std::process::exit(code),
        Err(e) => e,
    }
}

/// Runs `cmd` in the job of [`exec`] with Ctrl+C left to it; its exit code.
fn run_and_wait(cmd: &mut Command) -> io::Result<i32> {
    // The job first, so every process the child starts is in it from the start.
    let _job = kill_on_close_job();
    ignore_ctrl_c();
    let status = cmd.status()?;
    // Windows exit codes are 32-bit (an NTSTATUS such as 0xC000013A after Ctrl+C):
    // passed on whole, as the same bits.
    Ok(status.code().unwrap_or(1))
}

/// A console control handler that says "handled": this process survives Ctrl+C and
/// Ctrl+Break while the child, which gets the same event, decides for itself. A handler
/// (unlike `SetConsoleCtrlHandler(NULL, TRUE)`) is not inherited by children.
fn ignore_ctrl_c() {
    unsafe extern "system" fn handled(_event: u32) -> i32 {
        TRUE
    }
    // SAFETY: `handled` is a valid handler for the life of the process.
    unsafe { SetConsoleCtrlHandler(Some(handled), TRUE) };
}

/// Puts this process (and so every child it starts) into a new job object that kills
/// its members when its last handle closes, which happens when this process dies. The
/// handle is leaked on purpose: it must live as long as the process. Children may leave
/// the job on request (`CREATE_BREAKAWAY_FROM_JOB`), as a daemon should. Best effort: a
/// process in a job that forbids nesting keeps running without one.
fn kill_on_close_job() -> Option<HANDLE> {
    // SAFETY: null attributes and name create an anonymous job; the struct is plain
    // data; the handles are valid for the calls.
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return None;
        }
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        info.BasicLimitInformation.LimitFlags =
            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK;
        let set = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            (&raw const info).cast(),
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        );
        if set == FALSE || AssignProcessToJobObject(job, GetCurrentProcess()) == FALSE {
            CloseHandle(job);
            return None;
        }
        Some(job)
    }
}

/// Nothing to do here: Linux's `MADV_POPULATE_WRITE` has no counterpart worth a call
/// (see the Linux version); the pages are faulted in when touched.
pub fn prefault(_stack: usize, _start: usize, _len: usize) -> bool {
    false
}

/// Ends the process the way Ctrl+C does on Windows: with `STATUS_CONTROL_C_EXIT`, the
/// code a console program killed by Ctrl+C has, so cmd.exe asks "Terminate batch job?"
/// and PowerShell's `$LASTEXITCODE` says interrupted rather than an ordinary failure.
pub fn die_of_interrupt() -> ! {
    std::process::exit(windows_sys::Win32::Foundation::STATUS_CONTROL_C_EXIT)
}

/// Runs `cmd` to its end with Ctrl+C left to it: the child gets the console event and
/// decides, while this process survives it to clean up and pass the child's status on.
pub fn status_through_interrupts(cmd: &mut Command) -> io::Result<ExitStatus> {
    ignore_ctrl_c();
    cmd.status()
}

/// Whether `-o PATH` names the null device, as go decides it (`base.IsNull`): `NUL` in
/// any case; `/dev/null` is an ordinary path here.
pub fn is_null_device(path: &str) -> bool {
    path.eq_ignore_ascii_case("NUL")
}

/// Whether the child stopped because the user pressed Ctrl+C.
pub fn interrupted(status: ExitStatus) -> bool {
    status.code() == Some(windows_sys::Win32::Foundation::STATUS_CONTROL_C_EXIT)
}

/// The shell's idea of a child's exit code: Windows codes are 32-bit; anything past 255
/// (an NTSTATUS) becomes 1.
pub fn exit_code(status: ExitStatus) -> u8 {
    status
        .code()
        .and_then(|code| u8::try_from(code).ok())
        .unwrap_or(1)
}

/// stderr as a child's stdout: the shim's auto-install keeps the go command's stdout clean.
pub fn stderr_as_stdio() -> Stdio {
    std::os::windows::io::AsHandle::as_handle(&io::stderr())
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::inherit())
}

/// The arguments the program was started with. Windows passes one command line, not an
/// `argv`: std splits it (`GetCommandLineW`) as the C runtime would, in UTF-16, so the
/// C `main`'s ANSI `argv` is not used.
///
/// # Safety
/// Nothing to uphold here; `unsafe` only to share the Unix signature.
pub unsafe fn args_from_main(_argc: c_int, _argv: *const *const c_char) -> Vec<OsString> {
    crate::process::args_os().collect()
}

/// The name of the tool a shim was started as: the executable's own file name less
/// `.exe`, since the caller chooses `argv[0]` (cmd.exe passes what was typed).
pub fn tool_name(argv0: &OsStr) -> OsString {
    let exe = std::env::current_exe().ok();
    let name = exe
        .as_deref()
        .and_then(Path::file_name)
        .or_else(|| Path::new(argv0).file_name())
        .unwrap_or(argv0);
    let text = name.to_string_lossy();
    match text.len().checked_sub(4) {
        Some(cut) if text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(".exe") => {
            OsString::from(&text[..cut])
        }
        _ => name.to_owned(),
    }
}

/// Windows has no per-login runtime directory: the hook's stamps go under the cache.
pub fn runtime_dir() -> Option<PathBuf> {
    None
}

/// The user's profile directory (`%USERPROFILE%`).
pub fn home_dir() -> Option<PathBuf> {
    dirs::home_dir()
}

/// A known folder from its variable (`LOCALAPPDATA`), else from Windows itself.
fn known_folder(var: &str, fallback: fn() -> Option<PathBuf>) -> Option<PathBuf> {
    crate::process::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(fallback)
}

/// gv's store: `%LOCALAPPDATA%\gv` (machine-local: SDKs do not roam).
pub fn store_dir() -> Option<PathBuf> {
    known_folder("LOCALAPPDATA", dirs::data_local_dir).map(|d| d.join("gv"))
}

/// gv's config directory: `%APPDATA%\gv` (roams with the user's profile).
pub fn config_dir() -> Option<PathBuf> {
    known_folder("APPDATA", dirs::config_dir).map(|d| d.join("gv"))
}

/// gv's cache: `%LOCALAPPDATA%\gv\cache`, inside the store's folder as uv does.
pub fn cache_dir() -> Option<PathBuf> {
    store_dir().map(|d| d.join("cache"))
}

/// Runs `program` with `args` and the current environment with `set` applied, waits, and
/// exits with its code (see [`exec`]). Environment names are case-insensitive here: `Path`
/// is replaced by a `PATH` in `set`, which std's `Command` does. Returns only on failure.
pub fn exec_with_env<'a>(
    program: &Path,
    args: impl Iterator<Item = OsString>,
    set: &[(&'a str, Option<&'a OsStr>)],
) -> io::Error {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (name, value) in set {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    exec(&mut cmd)
}

/// Directory entries are durable on NTFS once its journal commits; there is no directory
/// handle to flush without backup privileges.
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Windows cannot swap two directory entries in one step: the caller falls back to two
/// renames.
pub fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows has no atomic exchange of two paths",
    ))
}

/// Windows has no way to start write-back without waiting, so this waits: each file is
/// flushed (`FlushFileBuffers`) by the unpacking thread that wrote it, through the handle
/// it already has, while the other threads go on writing. Reopening every file afterwards
/// to flush it cost as much again as the unpacking (measured under wine: 27 s for the
/// 12,000 files of an SDK). A failed flush is reported by nothing here; the file's data is
/// still written, only not yet known durable, as after `sync_file_range` on Linux.
pub fn start_writeback(file: &File) {
    let _ = file.sync_data();
}

/// Makes a freshly unpacked tree durable before it becomes visible. Every file was flushed
/// as it was written ([`start_writeback`], which both unpackers call); what is left is the
/// directory entries, which NTFS makes durable with its journal (see [`sync_dir`]).
pub fn sync_tree(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// The executable name of the process that started gv (`pwsh.exe`, `cmd.exe`), from a
/// snapshot of the process list: Windows has no `/proc`.
pub fn parent_process_name() -> Option<String> {
    // SAFETY: a snapshot handle, closed by `Handle`; the entry struct is plain data with
    // its size set as the API requires.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
        if snapshot == INVALID_HANDLE_VALUE {
            return None;
        }
        let snapshot = Handle(snapshot);
        let mut entries = Vec::new();
        let mut entry: PROCESSENTRY32W = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
        let mut more = Process32FirstW(snapshot.0, &mut entry) != 0;
        while more {
            let len = entry.szExeFile.iter().position(|&c| c == 0).unwrap_or(0);
            let name = String::from_utf16_lossy(&entry.szExeFile[..len]);
            entries.push((entry.th32ProcessID, entry.th32ParentProcessID, name));
            more = Process32NextW(snapshot.0, &mut entry) != 0;
        }
        let me = std::process::id();
        let parent = entries.iter().find(|(pid, _, _)| *pid == me)?.1;
        entries
            .into_iter()
            .find(|(pid, _, _)| *pid == parent)
            .map(|(_, _, name)| name)
    }
}

/// Where a crashed program's dump goes, for `gv debug --core`'s hint.
pub const CORE_DUMPS_LAND: &str = "Windows writes no core files by itself: Windows Error Reporting keeps a minidump once LocalDumps is enabled in the registry (HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps), and `dlv core` reads it";

/// gv installs Go for the process's own architecture on Windows.
pub fn translation() -> Translation {
    Translation::Native
}

/// No earlier gv kept its store elsewhere on Windows.
pub fn legacy_store_dirs() -> Vec<PathBuf> {
    Vec::new()
}

/// What separates PATH entries.
pub const PATH_SEPARATOR: &str = ";";

/// Shims cannot be swapped as a whole directory here (a junction cannot be renamed over
/// another, and a running `.exe` cannot be deleted): `gv rehash` replaces them file by
/// file, renaming a running one aside.
pub const SHIMS_IN_PLACE: bool = true;

/// Is this process running under wine rather than Windows? Only the tests ask: wine lacks
/// junctions, which they then expect to fail.
/// Shims remember no answers here (`STAMPS_PROVE_CONTENT` is false), so nothing asks.
pub fn on_network_file_system(_path: &Path) -> bool {
    true
}

#[cfg(test)]
pub(crate) fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
    let ntdll: Vec<u16> = "ntdll.dll".encode_utf16().chain(Some(0)).collect();
    // SAFETY: NUL-terminated names; a null module just means "not wine".
    unsafe {
        let module = GetModuleHandleW(ntdll.as_ptr());
        !module.is_null() && GetProcAddress(module, c"wine_get_version".as_ptr().cast()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `%LOCALAPPDATA%\gv` for the store, its `cache` inside, `%APPDATA%\gv` for config.
    #[test]
    fn gvs_directories_are_the_profiles_known_folders() {
        let local = PathBuf::from(crate::process::var_os("LOCALAPPDATA").expect("LOCALAPPDATA"));
        let roaming = PathBuf::from(crate::process::var_os("APPDATA").expect("APPDATA"));
        assert_eq!(store_dir(), Some(local.join("gv")));
        assert_eq!(cache_dir(), Some(local.join("gv").join("cache")));
        assert_eq!(config_dir(), Some(roaming.join("gv")));
        assert_eq!(runtime_dir(), None, "hook stamps go under the cache");
    }

    /// Environment names are case-insensitive: the `PATH` gv sets replaces the `Path`
    /// Windows (and wine) name it by, instead of giving the child two.
    #[test]
    fn a_childs_path_is_replaced_whatever_its_case() {
        let out = Command::new("cmd")
            .args(["/c", "set"])
            .env("PATH", r"C:\gv-test-bin;C:\windows\system32")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let paths: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.split('=')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case("path"))
            })
            .collect();
        assert_eq!(paths.len(), 1, "{paths:?}");
        assert!(
            paths[0].ends_with(r"=C:\gv-test-bin;C:\windows\system32"),
            "{paths:?}"
        );
    }

    #[test]
    fn the_null_device_is_nul_in_any_case_as_go_decides() {
        assert!(is_null_device("NUL") && is_null_device("nul"));
        assert!(!is_null_device("/dev/null") && !is_null_device("NUL.txt"));
    }

    /// The shim's `exec`: the child's exit code comes back whole, including codes past 255.
    #[test]
    fn a_waited_for_child_gives_its_exit_code() {
        for code in [0, 2, 7, 300] {
            let got = run_and_wait(Command::new("cmd").args(["/c", &format!("exit {code}")]));
            assert_eq!(got.unwrap(), code);
        }
        let missing = run_and_wait(&mut Command::new(r"C:\no\such\tool.exe")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn executables_are_found_through_pathext() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.exe"), "").unwrap();
        std::fs::write(dir.path().join("go"), "").unwrap();
        assert!(is_executable_file(&dir.path().join("go.exe")));
        assert!(
            !is_executable_file(&dir.path().join("go")),
            "no extension: not a program"
        );
        let candidates = executable_candidates(dir.path(), "go");
        assert!(candidates.contains(&dir.path().join("go.exe")));
        assert!(!candidates.contains(&dir.path().join("go")));
        assert_eq!(
            executable_candidates(dir.path(), "go.EXE"),
            [dir.path().join("go.EXE")]
        );
        assert_eq!(PATH_SEPARATOR, ";");
    }

    #[test]
    fn verbatim_prefixes_are_dropped_from_link_targets() {
        assert_eq!(
            strip_verbatim(Path::new(r"\\?\C:\gv\versions")),
            Path::new(r"C:\gv\versions")
        );
        assert_eq!(strip_verbatim(Path::new(r"\??\D:\x")), Path::new(r"D:\x"));
        assert_eq!(
            strip_verbatim(Path::new(r"\\?\UNC\h\s")),
            Path::new(r"\\?\UNC\h\s")
        );
    }
}
