//! `gv self uninstall`: removes gv and gv-shim, and says what else of gv's is on this
//! machine (the store with its Go versions, the config, the cache, the rc-file lines)
//! without touching it unless asked to purge.

use std::path::{Path, PathBuf};

use super::replace::OLD_PREFIX;
use super::{Installation, SelfError, io};

/// What of gv remains besides its binaries.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// The store (`GV_ROOT`) and how many Go versions it holds.
    pub store: Option<(PathBuf, usize)>,
    pub config: Option<PathBuf>,
    pub cache: Option<PathBuf>,
    /// Shell start-up files that run `gv init`: (file, line number, line).
    pub rc_lines: Vec<(PathBuf, usize, String)>,
}

impl Leftovers {
    pub fn find(store: &gv_core::Store) -> Leftovers {
        let store_entry = store.root().is_dir().then(|| {
            (
                store.root().to_path_buf(),
                store.installed().map_or(0, |v| v.len()),
            )
        });
        let config = gv_core::config::user_config_path().filter(|p| p.is_file());
        let cache = gv_core::store::Cache::from_env()
            .ok()
            .map(|c| c.root().to_path_buf())
            .filter(|p| p.is_dir());
        let rc_lines = gv_core::platform::home_dir()
            .map(|home| rc_lines(&home))
            .unwrap_or_default();
        Leftovers {
            store: store_entry,
            config,
            cache,
            rc_lines,
        }
    }

    /// The directories and files a purge deletes.
    pub fn purgeable(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        out.extend(self.store.as_ref().map(|(p, _)| p.clone()));
        out.extend(self.cache.clone());
        out.extend(self.config.clone());
        out
    }
}

/// The start-up files gv's set-up line goes in, under `home`.
pub fn rc_files(home: &Path) -> Vec<PathBuf> {
    // gv's config directory is `<XDG config home>/gv` on Unix.
    let config = gv_core::platform::config_dir()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| home.join(".config"));
    let mut files: Vec<PathBuf> = [
        ".bashrc",
        ".bash_profile",
        ".profile",
        ".zshrc",
        ".zprofile",
    ]
    .iter()
    .map(|f| home.join(f))
    .collect();
    if let Some(zdotdir) = gv_core::process::var_os("ZDOTDIR").filter(|d| !d.is_empty()) {
        files.push(PathBuf::from(zdotdir).join(".zshrc"));
    }
    files.push(config.join("fish/config.fish"));
    for ps in ["PowerShell", "WindowsPowerShell"] {
        files.push(
            home.join("Documents")
                .join(ps)
                .join("Microsoft.PowerShell_profile.ps1"),
        );
        files.push(config.join("powershell/Microsoft.PowerShell_profile.ps1"));
    }
    files.dedup();
    files
}

/// Lines of the start-up files under `home` that set gv up (`gv init`).
fn rc_lines(home: &Path) -> Vec<(PathBuf, usize, String)> {
    let mut out = Vec::new();
    for file in rc_files(home) {
        // Start-up files are small: a regular file within the bound for the user's own
        // settings files, or it is passed over.
        let Ok(text) = gv_core::limits::read_file_string(&file, gv_core::limits::EDITOR_FILE)
        else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            if code.contains("gv init") || code.contains("gv-shim") {
                out.push((
                    file.clone(),
                    i + 1,
                    gv_core::text::one_line(line.trim()).into_owned(),
                ));
            }
        }
    }
    out
}

/// Removes gv-shim, then gv (this very program: on Unix its file goes while it runs; on
/// Windows, where a running program cannot be deleted, it is moved to the temporary
/// directory instead, or beside itself under a name the next install sweeps).
pub fn remove_binaries(installation: &Installation) -> Result<Vec<PathBuf>, SelfError> {
    let mut removed = Vec::new();
    for path in [&installation.shim, &installation.gv] {
        if std::fs::symlink_metadata(path).is_err() {
            continue;
        }
        if std::fs::remove_file(path).is_err() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let pid = std::process::id();
            let away = std::env::temp_dir().join(format!("{OLD_PREFIX}{name}-{pid}"));
            let aside = installation.dir.join(format!("{OLD_PREFIX}{name}-{pid}"));
            std::fs::rename(path, &away)
                .or_else(|_| std::fs::rename(path, &aside))
                .map_err(io("remove", path))?;
        }
        removed.push(path.clone());
    }
    Ok(removed)
}

/// Deletes `paths` (directories whole), reporting the first failure.
pub fn purge(paths: &[PathBuf]) -> Result<(), SelfError> {
    for path in paths {
        let result = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("delete", path)(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_set_up_lines_and_nothing_else() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".bashrc"),
            "export EDITOR=vi\neval \"$(gv init bash)\"\n# gv init, commented out\n",
        )
        .unwrap();
        std::fs::create_dir_all(home.path().join(".config/fish")).unwrap();
        std::fs::write(
            home.path().join(".config/fish/config.fish"),
            "gv init fish | source\n",
        )
        .unwrap();
        let lines = rc_lines(home.path());
        let found: Vec<(String, usize)> = lines
            .iter()
            .map(|(p, n, _)| (p.file_name().unwrap().to_string_lossy().into_owned(), *n))
            .collect();
        assert!(found.contains(&(".bashrc".into(), 2)), "{found:?}");
        assert_eq!(found.iter().filter(|(f, _)| f == ".bashrc").count(), 1);
    }

    #[test]
    fn removes_both_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let gv = dir.path().join(gv_core::platform::exe_name("gv"));
        std::fs::write(&gv, "gv").unwrap();
        let installation = Installation::at(&gv);
        std::fs::write(&installation.shim, "shim").unwrap();
        let removed = remove_binaries(&installation).unwrap();
        assert_eq!(removed.len(), 2);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        purge(&[dir.path().join("missing")]).unwrap();
    }
}
