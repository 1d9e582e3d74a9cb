//! Removing an installed version: under the same lock as installs, the directory is first
//! renamed out of `versions/` (so it disappears at once, never half-deleted under its
//! real name) and then deleted.

use std::io;
use std::path::PathBuf;

use gv_core::store::Work;
use gv_core::{Store, Version};
use thiserror::Error;

use super::lock;

#[derive(Debug, Error)]
pub enum UninstallError {
    #[error("Go {version} is not installed")]
    NotInstalled { version: String },
    #[error("cannot remove {path}")]
    Io { path: PathBuf, source: io::Error },
}

impl gv_core::error::Hint for UninstallError {
    fn hint(&self) -> Option<String> {
        match self {
            UninstallError::NotInstalled { .. } => {
                Some("`gv list` shows what is installed".to_string())
            }
            UninstallError::Io { .. } => Some("check the permissions of GV_ROOT".to_string()),
        }
    }
}

/// Removes `version` from the store. Returns the GOROOT that was removed.
pub fn uninstall(store: &Store, version: &Version) -> Result<PathBuf, UninstallError> {
    let goroot = store.version_dir(version);
    let io_err = |path: &PathBuf| {
        let path = path.clone();
        move |source| UninstallError::Io { path, source }
    };
    let _lock = lock::lock(store, version, || {
        crate::ui::info(format!(
            "waiting for another gv to finish installing or removing Go {version}..."
        ));
    })
    .map_err(io_err(&goroot))?;
    if !goroot.is_dir() {
        return Err(UninstallError::NotInstalled {
            version: version.to_string(),
        });
    }
    let doomed = store.work_dir(Work::Removing, version);
    std::fs::rename(&goroot, &doomed).map_err(io_err(&goroot))?;
    std::fs::remove_dir_all(&doomed).map_err(io_err(&doomed))?;
    Ok(goroot)
}
