//! Steps 4 and 5 of the install, putting an unpacked SDK into the store whole: check it is
//! the SDK we meant, make it durable, and rename it into place (atomically replacing an old
//! tree with --force). Also the work directory step 3 unpacks into.

use std::io;
use std::path::{Path, PathBuf};

use gv_core::store::Work;
use gv_core::{Store, Version, platform};

use super::InstallError;
use super::error::store_err;

/// Removes the temporary directory unless the install completed.
pub(super) struct TempDir {
    pub(super) path: PathBuf,
    pub(super) keep: bool,
}

impl TempDir {
    /// A new, empty work directory for `version` in `versions/`, where a rename into place
    /// cannot cross file systems. One left by an interrupted run of this process id goes.
    pub(super) fn create(store: &Store, version: &Version) -> Result<TempDir, InstallError> {
        let versions = store.versions_dir();
        std::fs::create_dir_all(&versions).map_err(store_err(&versions))?;
        let work = TempDir {
            path: store.work_dir(Work::Unpacking, version),
            keep: false,
        };
        let _ = std::fs::remove_dir_all(&work.path);
        std::fs::create_dir(&work.path).map_err(store_err(&work.path))?;
        Ok(work)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Does the unpacked tree look like the SDK we meant to install? Its `bin/go` is `go.exe`
/// in a Windows SDK, which may be installed on any machine (`--os windows`).
pub(crate) fn check_sdk(root: &Path, version: &Version) -> Result<(), String> {
    let bin = root.join("bin");
    if !bin.join("go").is_file() && !bin.join("go.exe").is_file() {
        return Err("there is no go/bin/go (or go.exe) in it".to_string());
    }
    // Official SDKs start VERSION with the toolchain name: a mislabelled archive from a
    // mirror without an index is caught here.
    if let Ok(text) =
        gv_core::limits::read_file_string(&root.join("VERSION"), gv_core::limits::PIN_FILE)
    {
        let first = text.lines().next().unwrap_or_default().trim();
        if let Ok(found) = Version::parse(first)
            && found != *version
        {
            return Err(format!(
                "its VERSION file says {first}, not {}",
                version.go_name()
            ));
        }
    }
    Ok(())
}

/// [`check_sdk`], then [`set_aside_foreign_commands`] with a warning naming what was set
/// aside: the last step before any SDK (installed, downloaded through GOPROXY, imported)
/// becomes visible in the store.
pub(crate) fn check_and_set_aside(root: &Path, version: &Version) -> Result<(), String> {
    check_sdk(root, version)?;
    let moved = set_aside_foreign_commands(root).map_err(|e| {
        format!(
            "cannot set aside the commands in its bin/ that are not Go's ({e}); nothing was installed"
        )
    })?;
    warn_set_aside(version, &moved);
    Ok(())
}

/// Says what [`set_aside_foreign_commands`] moved, when it moved anything.
pub(crate) fn warn_set_aside(version: &Version, moved: &[String]) {
    if moved.is_empty() {
        return;
    }
    let names: Vec<String> = moved
        .iter()
        .map(|n| gv_core::text::one_line(n).into_owned())
        .collect();
    crate::ui::warn_hinted(
        format!(
            "Go {version}'s bin/ holds commands that are not Go's ({}): gv moved them to {} (no shims, never on PATH)",
            names.join(", "),
            gv_core::text::path(&Store::set_aside_bin(Path::new("GOROOT")))
        ),
        "a Go release has only go and gofmt in bin/; if you did not expect this, remove the version and install it from go.dev",
    );
}

/// Moves every entry of `root/bin` other than Go's own commands
/// (`gv_core::shim::GO_COMMANDS`) and directories (a cross-compiled tree's
/// `bin/linux_arm64/`) into [`Store::set_aside_bin`]: the SDK's `bin/` goes first on PATH
/// wherever it is selected (the shell hook, `gv exec`, the go command's own children), so
/// a `bin/ls` or `bin/sudo` left there would run in place of the system's. Returns the
/// names moved, sorted.
pub(crate) fn set_aside_foreign_commands(root: &Path) -> io::Result<Vec<String>> {
    let bin = root.join("bin");
    let entries = match std::fs::read_dir(&bin) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let aside = Store::set_aside_bin(root);
    let mut moved = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy().into_owned();
        if gv_core::shim::is_go_command(&text) || entry.file_type()?.is_dir() {
            continue;
        }
        std::fs::create_dir_all(&aside)?;
        std::fs::rename(entry.path(), aside.join(&name))?;
        moved.push(text);
    }
    moved.sort();
    Ok(moved)
}

/// Makes the unpacked tree durable before it becomes visible: one `syncfs` on Linux (the
/// unpacker already started each file's write-back), an fsync per file and one
/// `F_FULLFSYNC` on macOS (see [`gv_core::platform::sync_tree`]).
pub(super) fn sync_tree(dir: &Path) -> io::Result<()> {
    platform::sync_tree(dir)
}

/// Moves the finished tree `tmp` to `version`'s GOROOT, atomically replacing an existing
/// one (--force): at no moment is there a half-installed `versions/<version>`.
pub(super) fn replace_dir(store: &Store, tmp: &Path, version: &Version) -> io::Result<()> {
    let goroot = &store.version_dir(version);
    if !goroot.exists() {
        std::fs::rename(tmp, goroot)?;
    } else if platform::exchange(tmp, goroot).is_ok() {
        // `tmp` now holds the old tree.
        std::fs::remove_dir_all(tmp)?;
    } else {
        let old = store.work_dir(Work::Replaced, version);
        std::fs::rename(goroot, &old)?;
        std::fs::rename(tmp, goroot)?;
        std::fs::remove_dir_all(&old)?;
    }
    platform::sync_dir(goroot.parent().unwrap_or(goroot))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_needs_bin_go_and_the_right_version_file() {
        let dir = tempfile::tempdir().unwrap();
        let v = Version::parse("1.22.10").unwrap();
        assert!(check_sdk(dir.path(), &v).is_err());
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("bin/go"), "").unwrap();
        assert!(check_sdk(dir.path(), &v).is_ok());
        let windows = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(windows.path().join("bin")).unwrap();
        std::fs::write(windows.path().join("bin/go.exe"), "").unwrap();
        assert!(check_sdk(windows.path(), &v).is_ok());
        std::fs::write(dir.path().join("VERSION"), "go1.21.0\ntime x\n").unwrap();
        let err = check_sdk(dir.path(), &v).unwrap_err();
        assert!(err.contains("go1.21.0, not go1.22.10"), "{err}");
    }

    #[test]
    fn only_gos_commands_stay_in_bin() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(bin.join("linux_arm64")).unwrap();
        for name in ["go", "gofmt", "ls", "sudo", "README"] {
            std::fs::write(bin.join(name), "").unwrap();
        }
        // A link too, where links can be made (Windows makes them only with a privilege,
        // and wine makes something else, which goes again).
        let git = bin.join("git");
        let link = platform::symlink(Path::new("/bin/sh"), &git).is_ok()
            && std::fs::symlink_metadata(&git).is_ok_and(|m| m.file_type().is_symlink());
        if !link {
            let _ = std::fs::remove_file(&git).or_else(|_| std::fs::remove_dir(&git));
        }
        let moved = set_aside_foreign_commands(dir.path()).unwrap();
        let expected: &[&str] = if link {
            &["README", "git", "ls", "sudo"]
        } else {
            &["README", "ls", "sudo"]
        };
        assert_eq!(moved, expected);
        let mut left: Vec<String> = std::fs::read_dir(&bin)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["go", "gofmt", "linux_arm64"]);
        let aside = Store::set_aside_bin(dir.path());
        assert!(aside.join("ls").is_file());
        if link {
            assert!(
                std::fs::symlink_metadata(aside.join("git"))
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        assert_eq!(
            set_aside_foreign_commands(dir.path()).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn force_replaces_an_existing_tree_whole() {
        let dir = tempfile::tempdir().unwrap();
        let v = Version::parse("1.22.10").unwrap();
        let store = Store::new(dir.path());
        let (tmp, goroot) = (store.work_dir(Work::Unpacking, &v), store.version_dir(&v));
        for (d, marker) in [(&tmp, "new"), (&goroot, "old")] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join(marker), "").unwrap();
        }
        replace_dir(&store, &tmp, &v).unwrap();
        assert!(goroot.join("new").exists() && !goroot.join("old").exists());
        assert!(!tmp.exists());
        let names: Vec<_> = std::fs::read_dir(store.versions_dir())
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(names.len(), 1, "no leftovers");
    }
}
