//! Where the running gv is installed, and whether it is gv's to update: a copy a package
//! manager installed is that manager's to replace, or its records would lie.

use std::fmt;
use std::path::{Path, PathBuf};

use gv_core::platform;

use super::{SelfError, io};

/// The installed gv and gv-shim, side by side.
#[derive(Debug, Clone)]
pub struct Installation {
    pub dir: PathBuf,
    pub gv: PathBuf,
    pub shim: PathBuf,
}

/// Who else may own the installed files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Cargo,
    Homebrew,
    Scoop,
    Nix,
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Manager::Cargo => "cargo (cargo install, cargo binstall or scripts/install)",
            Manager::Homebrew => "Homebrew",
            Manager::Scoop => "Scoop",
            Manager::Nix => "Nix",
        })
    }
}

impl Manager {
    /// How to update or remove gv its way.
    pub fn advice(&self) -> &'static str {
        match self {
            Manager::Cargo => {
                "update it with `cargo install --locked gv gv-shim` (or `cargo binstall gv gv-shim`; from a checkout: `scripts/install`), remove it with `cargo uninstall gv gv-shim`"
            }
            Manager::Homebrew => {
                "update it with `brew upgrade gv`, remove it with `brew uninstall gv`"
            }
            Manager::Scoop => {
                "update it with `scoop update gv`, remove it with `scoop uninstall gv`"
            }
            Manager::Nix => "update it through Nix (your profile, flake or configuration)",
        }
    }

    /// The manager that owns a gv installed at `exe` (its real path, links resolved).
    pub fn of(exe: &Path) -> Option<Manager> {
        let dir = exe.parent()?;
        // cargo keeps a record of what it installed next to its bin/.
        let cargo_records = dir
            .parent()
            .map(|home| [home.join(".crates2.json"), home.join(".crates.toml")]);
        if cargo_records.is_some_and(|records| records.iter().any(|r| r.is_file()))
            && dir.file_name().is_some_and(|n| n == "bin")
        {
            return Some(Manager::Cargo);
        }
        let parts: Vec<String> = exe
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
            .collect();
        let has = |a: &str, b: &str| parts.windows(2).any(|w| w[0] == a && w[1] == b);
        if has("cellar", "gv") {
            Some(Manager::Homebrew)
        } else if has("scoop", "apps") || has("scoop", "shims") {
            Some(Manager::Scoop)
        } else if has("nix", "store") {
            Some(Manager::Nix)
        } else {
            None
        }
    }
}

impl Installation {
    /// The running gv's installation (its real location, links resolved), with no check
    /// of who owns it.
    pub fn running() -> Result<Installation, SelfError> {
        let exe = std::env::current_exe().map_err(SelfError::NoExe)?;
        let exe = std::fs::canonicalize(&exe)
            .map(|p| plain(&p))
            .unwrap_or(exe);
        Ok(Installation::at(&exe))
    }

    /// The installation whose gv is `exe`.
    pub fn at(exe: &Path) -> Installation {
        let dir = exe.parent().unwrap_or(Path::new(".")).to_path_buf();
        Installation {
            gv: exe.to_path_buf(),
            shim: dir.join(platform::exe_name("gv-shim")),
            dir,
        }
    }

    /// Refuses unless gv may replace these files itself: no package manager owns them,
    /// the directory is writable, and gv-shim is there (if `need_shim`).
    pub fn check_ours(&self, need_shim: bool) -> Result<(), SelfError> {
        if let Some(manager) = Manager::of(&self.gv) {
            return Err(SelfError::Managed {
                gv: self.gv.clone(),
                manager,
            });
        }
        if !platform::can_write(&self.dir, true) {
            return Err(SelfError::ReadOnly {
                dir: self.dir.clone(),
            });
        }
        if need_shim && !self.shim.is_file() {
            return Err(SelfError::NoShim {
                dir: self.dir.clone(),
            });
        }
        Ok(())
    }

    /// Leftovers of an update that was killed: staged binaries and (Windows) old ones
    /// that were still running. Called under the update lock, so none is in use by
    /// another update.
    pub fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(super::replace::STAGED_PREFIX)
                || name.starts_with(super::replace::OLD_PREFIX)
            {
                // Still running (Windows): the next update tries again.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Locks out other updates of this installation until the returned file is dropped.
    pub fn lock(&self, store: &gv_core::Store) -> Result<std::fs::File, SelfError> {
        let path = store.self_update_lock();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        let file = std::fs::File::create(&path).map_err(io("create", &path))?;
        file.lock().map_err(io("lock", &path))?;
        Ok(file)
    }
}

/// A path without Windows' `\\?\` prefix (what canonicalize returns there), for messages
/// and for the programs gv starts.
fn plain(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    match text.strip_prefix(r"\\?\") {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => PathBuf::from(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_managers_are_recognised_by_path() {
        let of = |p: &str| Manager::of(Path::new(p));
        assert_eq!(
            of("/opt/homebrew/Cellar/gv/0.2.0/bin/gv"),
            Some(Manager::Homebrew)
        );
        assert_eq!(
            of("/home/linuxbrew/.linuxbrew/Cellar/gv/0.2.0/bin/gv"),
            Some(Manager::Homebrew)
        );
        assert_eq!(
            of(r"C:\Users\me\scoop\apps\gv\0.2.0\gv.exe"
                .replace('\\', "/")
                .as_str()),
            Some(Manager::Scoop)
        );
        assert_eq!(of("/nix/store/abc-gv-0.2.0/bin/gv"), Some(Manager::Nix));
        assert_eq!(of("/home/me/.local/bin/gv"), None);
        assert_eq!(of("/usr/local/bin/gv"), None);
    }

    #[test]
    fn cargo_installs_are_recognised_by_cargos_records() {
        let home = tempfile::tempdir().unwrap();
        let bin = home.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        assert_eq!(Manager::of(&bin.join("gv")), None);
        std::fs::write(home.path().join(".crates2.json"), "{}").unwrap();
        assert_eq!(Manager::of(&bin.join("gv")), Some(Manager::Cargo));
    }

    #[test]
    fn verbatim_prefixes_are_dropped() {
        assert_eq!(
            plain(Path::new(r"\\?\C:\gv\gv.exe")),
            PathBuf::from(r"C:\gv\gv.exe")
        );
        assert_eq!(
            plain(Path::new("/home/me/gv")),
            PathBuf::from("/home/me/gv")
        );
    }
}
