//! What differs between operating systems, in one place. Everything else in gv is
//! platform-free and calls these functions; `std::os::unix`, `std::os::windows`,
//! `libc` and `windows_sys` appear nowhere else in the product code
//! (`platform_apis_appear_only_in_the_platform_layer` below checks that).
//!
//! - [`unix`]: what Linux and macOS share — file ownership and identity, permissions,
//!   symlinks, opening without following links, `exec`, exit codes, the XDG path layout
//!   (the same on every Unix: `~/.local/share/gv`, `~/.config/gv`, `~/.cache/gv`), the
//!   runtime directory, the shim's lean `execve`.
//! - [`linux`]: `renameat2(RENAME_EXCHANGE)`, one `syncfs` per install with
//!   `sync_file_range` write-back started per file, the parent process through `/proc`,
//!   the shim's pages mapped ahead with `MADV_POPULATE_WRITE` ([`prefault`]).
//! - [`macos`]: `renamex_np(RENAME_SWAP)`, `fsync` per file and one `F_FULLFSYNC`, the
//!   parent process through `proc_name`, Rosetta detection (`sysctl.proc_translated`).
//!
//! - [`windows`]: no `exec` (spawn, wait, pass the exit code on, in a job object that
//!   dies with the shim, Ctrl+C left to the child), junctions for [`link_dir`], `;` in
//!   PATH, `PATHEXT`, no uids or mode bits, `%LOCALAPPDATA%\gv` and `%APPDATA%\gv`.
//!
//! - [`process`]: the door to the process's own state (`gv_core::process`), here because
//!   on Unix it borrows the C library's environment block rather than copying it.
//!
//! File locking needs nothing here: std's `File::lock` is `flock` on Unix and
//! `LockFileEx` on Windows. How the shim is linked (static musl on Linux, dynamic against
//! libSystem on macOS) is decided in `scripts/build-shim`.
//!
//! A new platform adds one module with the same functions.

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
compile_error!(
    "gv supports Linux, macOS and Windows: this platform has no module in \
     crates/gv-core/src/platform (other Unixes need their own linux.rs/macos.rs twin)"
);

pub mod process;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

/// System calls without the C library, for the shim's own entry point.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod raw_syscall;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// What a file costs on disk, for `gv prune`'s and `gv uninstall`'s figures (each
/// platform's `disk_use` fills it in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskUse {
    /// The file's identity, shared by its hard links: (device, inode) on Unix, (volume,
    /// file index) on Windows.
    pub id: (u64, u64),
    /// How many names the file has.
    pub links: u64,
    /// Bytes allocated to it on Unix (blocks, not the apparent size); on Windows the bytes
    /// it holds (the allocation size needs another call; close enough).
    pub bytes: u64,
}

/// May gv obey a file owned by `owner`? Only the user's own files and root's (system
/// files): anyone can write to a shared directory like `/tmp`, and another user's file
/// there must not decide what runs for everyone below it (as git refuses a repository
/// another user owns).
pub fn owned_by_user_or_root(owner: u32) -> bool {
    owner == current_uid() || owner == ROOT_UID
}

/// Whether this is Windows, for the few choices that are not an API (which shell to
/// suggest); anything that calls the OS goes in the platform modules instead.
pub const WINDOWS: bool = cfg!(windows);

/// The file name of the executable for the tool `name`: `go`, or `go.exe` on Windows
/// (where `go.exe` stays `go.exe`).
pub fn exe_name(name: &str) -> String {
    let suffix = std::env::consts::EXE_SUFFIX;
    let has = name.len() >= suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    if has {
        name.to_string()
    } else {
        format!("{name}{suffix}")
    }
}

/// Items for Unix only — tests of symlinks, mode bits, `exec` — written
/// `gv_core::unix_only! { #[test] fn … }`, so that `cfg` stays in this layer. Each such
/// test has a counterpart that runs on Windows, or says in its name why there is none.
#[macro_export]
macro_rules! unix_only {
    ($($item:item)*) => { $( #[cfg(unix)] $item )* };
}

/// Items for Windows only (see [`unix_only!`](crate::unix_only)).
#[macro_export]
macro_rules! windows_only {
    ($($item:item)*) => { $( #[cfg(windows)] $item )* };
}

/// Whether this process runs translated: an x86_64 build of gv on Apple Silicon runs under
/// Rosetta 2, where `std::env::consts::ARCH` says x86_64 but the machine is arm64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Translation {
    Native,
    Rosetta,
}

/// Go's name (`GOARCH`) for the CPU gv should install Go for: the hardware's, not this
/// process's. `process_arch` is Rust's name (`std::env::consts::ARCH`). Platform-free so
/// the macOS decision is tested on Linux too.
pub fn go_arch(process_arch: &str, translation: Translation) -> &str {
    match (process_arch, translation) {
        // Rosetta translates x86_64 code only.
        ("x86_64", Translation::Rosetta) => "arm64",
        ("x86_64", _) => "amd64",
        ("x86", _) => "386",
        ("aarch64", _) => "arm64",
        // go.dev only ships 32-bit ARM archives built for ARMv6.
        ("arm", _) => "armv6l",
        ("powerpc64", _) if cfg!(target_endian = "little") => "ppc64le",
        ("powerpc64", _) => "ppc64",
        ("loongarch64", _) => "loong64",
        (other, _) => other,
    }
}

/// Go's name (`GOOS`) for an OS Rust calls `rust_os` (`std::env::consts::OS`).
pub fn go_os(rust_os: &str) -> &str {
    match rust_os {
        "macos" => "darwin",
        other => other,
    }
}

/// The XDG base directory `value` names (`XDG_DATA_HOME` and the like), else `home`
/// joined with `fallback` (`.local/share`). The spec says a relative value is invalid
/// and must be ignored: it would name a different directory in every place gv runs.
pub fn xdg_dir(
    value: Option<std::ffi::OsString>,
    home: Option<std::path::PathBuf>,
    fallback: &str,
) -> Option<std::path::PathBuf> {
    match value.map(std::path::PathBuf::from) {
        Some(dir) if dir.is_absolute() => Some(dir),
        _ => home.filter(|h| h.is_absolute()).map(|h| h.join(fallback)),
    }
}

/// One version of a file, as the file system identifies it: cheap to read with a `stat`
/// and, because the change time cannot be set by user programs, different after any
/// write to the file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stamp {
    /// The stamp as one word of text, for records kept on disk.
    pub fn encode(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns
        )
    }

    pub fn decode(text: &str) -> Option<Stamp> {
        let mut parts = text.split(':');
        let stamp = Stamp {
            dev: parts.next()?.parse().ok()?,
            ino: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
            mtime_ns: parts.next()?.parse().ok()?,
            ctime_ns: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(stamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the platform can tell (Unix: the change time), a stamp changes with the
    /// content even when size and mtime are put back; Windows cannot tell, which is why
    /// trust re-hashes there (`STAMPS_PROVE_CONTENT`).
    #[test]
    fn stamps_round_trip_and_change_with_content_where_the_platform_can_tell() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "one").unwrap();
        let first = stamp(&std::fs::metadata(&file).unwrap());
        assert_eq!(Stamp::decode(&first.encode()), Some(first));
        assert_eq!(Stamp::decode("1:2:3"), None);
        // Same size, mtime put back: the change time still tells.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "two").unwrap();
        std::fs::File::options()
            .append(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let second = stamp(&std::fs::metadata(&file).unwrap());
        assert_eq!(first.mtime_ns, second.mtime_ns);
        assert_eq!(first != second, STAMPS_PROVE_CONTENT);
    }

    #[test]
    fn go_is_installed_for_the_hardware_even_under_rosetta() {
        assert_eq!(go_arch("x86_64", Translation::Rosetta), "arm64");
        assert_eq!(go_arch("x86_64", Translation::Native), "amd64");
        assert_eq!(go_arch("aarch64", Translation::Native), "arm64");
        assert_eq!(go_arch("arm", Translation::Native), "armv6l");
        assert_eq!(go_arch("riscv64", Translation::Native), "riscv64");
        assert_eq!(go_os("macos"), "darwin");
        assert_eq!(go_os("linux"), "linux");
    }

    /// The same layout on every Unix (macOS included): never `~/Library/Application Support`.
    #[cfg(unix)]
    #[test]
    fn xdg_directories_fall_back_to_home_and_ignore_relative_values() {
        use std::path::PathBuf;
        let home = Some(PathBuf::from("/Users/me"));
        assert_eq!(
            xdg_dir(None, home.clone(), ".local/share"),
            Some(PathBuf::from("/Users/me/.local/share"))
        );
        assert_eq!(
            xdg_dir(Some("/xdg/data".into()), home.clone(), ".local/share"),
            Some(PathBuf::from("/xdg/data"))
        );
        assert_eq!(
            xdg_dir(Some("rel/data".into()), home.clone(), ".config"),
            Some(PathBuf::from("/Users/me/.config"))
        );
        assert_eq!(
            xdg_dir(Some("".into()), home, ".cache"),
            Some(PathBuf::from("/Users/me/.cache"))
        );
        assert_eq!(xdg_dir(None, None, ".cache"), None);
        assert_eq!(xdg_dir(None, Some(PathBuf::from("home")), ".cache"), None);
    }

    /// The layer is the one place: no Unix-only API anywhere else in gv's own code (the
    /// gv package, the shim, gv-core), so a new platform is one new module here.
    #[test]
    fn platform_apis_appear_only_in_the_platform_layer() {
        let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let layer = workspace.join("crates/gv-core/src/platform");
        let mut stack: Vec<_> = ["src", "crates/gv-shim/src", "crates/gv-core/src"]
            .iter()
            .map(|d| workspace.join(d))
            .collect();
        let mut offenders = Vec::new();
        let mut files = 0;
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                if path.canonicalize().ok() == layer.canonicalize().ok() {
                    continue;
                }
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if [
                        "std::os::unix",
                        "std::os::fd",
                        "libc::",
                        "cfg(target_os",
                        "cfg(unix",
                        "std::os::windows",
                        "windows_sys",
                        "cfg(windows",
                        "cfg(not(windows",
                        "cfg(not(unix",
                        "cfg!(",
                        "consts::OS ==",
                    ]
                    .iter()
                    .any(|api| line.contains(api))
                    {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            files > 50,
            "walked only {files} files: is the layout still src/, crates/gv-shim/src/?"
        );
        assert!(
            offenders.is_empty(),
            "platform code outside the layer:\n{}",
            offenders.join("\n")
        );
    }

    /// The shim is a static binary: a call into the C library's name service (users,
    /// groups, hosts) makes static glibc load shared modules, and it crashes. Nothing the
    /// shim and the shell hook run may make one.
    #[test]
    fn the_shim_and_the_hook_never_ask_the_name_service() {
        let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut stack = vec![
            workspace.join("crates/gv-core/src"),
            workspace.join("crates/gv-shim/src"),
        ];
        // Spelled in pieces, so that this test does not find itself.
        let apis = ["pw", "gr", "addrinfo", "hostby"].map(|s| format!("get{s}"));
        let apis: Vec<String> = apis.into_iter().chain([format!("{}::", "dirs")]).collect();
        let mut offenders = Vec::new();
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "windows.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    if apis.iter().any(|api| code.contains(api.as_str())) {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "name-service calls in the shim's code:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn files_are_created_read_and_linked_the_same_way_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b").join(exe_name("tool"));
        create_shared_dir_all(file.parent().unwrap()).unwrap();
        let mut f = create_new_file(&file, true).unwrap();
        std::io::Write::write_all(&mut f, b"0123456789").unwrap();
        assert!(
            create_new_file(&file, false).is_err(),
            "never over an existing file"
        );
        assert!(is_executable_file(&file));
        let mut buf = [0u8; 3];
        let f = std::fs::File::open(&file).unwrap();
        assert_eq!(read_at(&f, &mut buf, 4).unwrap(), 3);
        assert_eq!(&buf, b"456");
        let twin = dir.path().join("twin");
        std::fs::hard_link(&file, &twin).unwrap();
        assert!(same_file(&file, &twin));
        assert!(!same_file(&file, dir.path()));
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(disk_use(&file, &meta).links, 2);
        assert_eq!(disk_use(&file, &meta).id, disk_use(&twin, &meta).id);
        assert!(can_write(dir.path(), true));
        assert!(can_write(&file, false));
        assert_eq!(os_string_from_bytes(b"x".to_vec()), Some("x".into()));
        let sep = PATH_SEPARATOR.chars().next().unwrap();
        let joined = std::env::join_paths(["a", "b"]).unwrap();
        assert_eq!(joined.to_str().unwrap(), format!("a{sep}b"));
    }

    /// `current`, IDE links: a link to a directory, re-pointed in one step. Wine has no
    /// reparse points, so under wine this checks that gv is told so (the callers then
    /// warn); on Windows and Unix that the link works.
    #[test]
    fn directory_links_are_made_and_repointed_except_under_wine_which_has_no_junctions() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, marker) in [("a", "A"), ("b", "B")] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("f"), marker).unwrap();
        }
        let link = dir.path().join("link");
        let tmp = dir.path().join(".link.tmp");
        let made = link_dir(std::path::Path::new("a"), &link);
        if wine_lacks_junctions() {
            assert!(made.is_err(), "wine made a junction: update this test");
            assert!(!link.exists(), "a failed link leaves nothing behind");
            return;
        }
        made.unwrap();
        assert_eq!(std::fs::read_to_string(link.join("f")).unwrap(), "A");
        assert!(dir_link_points_to(&link, std::path::Path::new("a")));
        replace_dir_link(std::path::Path::new("b"), &link, &tmp).unwrap();
        assert_eq!(std::fs::read_to_string(link.join("f")).unwrap(), "B");
        assert!(dir_link_points_to(&link, std::path::Path::new("b")));
        assert!(!dir_link_points_to(&link, std::path::Path::new("a")));
        assert_eq!(dir_link_target(&link).unwrap().file_name().unwrap(), "b");
        assert!(remove_dir_link(&link).unwrap());
        assert!(!remove_dir_link(&link).unwrap());
        assert!(dir.path().join("b/f").is_file(), "the target survives");
    }

    fn wine_lacks_junctions() -> bool {
        #[cfg(windows)]
        return windows::under_wine();
        #[cfg(not(windows))]
        return false;
    }

    #[test]
    fn executables_are_found_by_their_platform_names() {
        let dir = tempfile::tempdir().unwrap();
        let go = dir.path().join(exe_name("go"));
        create_new_file(&go, true).unwrap();
        assert!(is_executable_file(&go));
        assert!(executable_candidates(dir.path(), "go").contains(&go));
        let plain = dir.path().join("notes.txt");
        std::fs::write(&plain, "x").unwrap();
        if cfg!(windows) {
            // Windows runs by extension: a .txt is no program, go.exe is found as `go`.
            assert!(!is_executable_file(&plain));
            assert_eq!(exe_name("go"), "go.exe");
            // The caller picks argv[0] (cmd.exe passes what was typed): the executable's
            // own name decides, less `.exe`.
            let me = std::env::current_exe().unwrap();
            assert_eq!(
                tool_name(std::ffi::OsStr::new("typed")),
                me.file_stem().unwrap()
            );
        } else {
            assert!(!is_executable_file(&plain), "0644 is not executable");
            assert_eq!(exe_name("go"), "go");
            assert_eq!(tool_name(std::ffi::OsStr::new("/x/shims/gofmt")), "gofmt");
        }
    }

    #[test]
    fn this_process_owns_what_it_creates() {
        let dir = tempfile::tempdir().unwrap();
        let meta = std::fs::metadata(dir.path()).unwrap();
        assert_eq!(owner(&meta), current_uid());
    }
}
