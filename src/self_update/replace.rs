//! Putting new binaries in place of old ones so that every name always holds a whole
//! program, even while it runs.
//!
//! - Unix: the old binary is first hard-linked to a backup name, then the new one is
//!   renamed over it: one atomic step, and a running gv or shim keeps its old file (the
//!   inode lives as long as something runs it). Nothing ever finds the name missing.
//! - Windows refuses to replace or delete a running `.exe` but lets it be renamed: the
//!   old binary is renamed to the backup name, then the new one renamed in. For that
//!   instant the name is free; a program started then fails to start and can be started
//!   again (Windows offers nothing atomic here). The backup, still running, is deleted by
//!   the next update.
//!
//! If a later binary cannot be put in place, the ones already replaced are put back.

use std::path::{Path, PathBuf};

use gv_core::platform;

use super::{SelfError, io};

/// Names of staged new binaries (`.gv-update-XXXXXX`) and of old ones kept until the end
/// (`.gv-old-NAME-PID`), both swept by [`super::Installation::sweep`].
pub const STAGED_PREFIX: &str = ".gv-update-";
pub const OLD_PREFIX: &str = ".gv-old-";

/// One replacement: the staged new file and the name it takes.
pub struct Swap<'a> {
    pub new: &'a Path,
    pub dest: &'a Path,
}

/// Replaces each `dest` with its `new`, in order, undoing all of them if one fails.
pub fn replace_all(swaps: &[Swap<'_>]) -> Result<(), SelfError> {
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for swap in swaps {
        match replace_one(swap) {
            Ok(backup) => done.push((swap.dest.to_path_buf(), backup)),
            Err(e) => {
                for (dest, backup) in done.into_iter().rev() {
                    if let Some(backup) = backup {
                        // Best effort: what cannot be restored keeps the new binary, which
                        // is whole.
                        let _ = std::fs::rename(&backup, &dest);
                    }
                }
                return Err(e);
            }
        }
    }
    for (_, backup) in done {
        if let Some(backup) = backup {
            // Windows: still running; swept by the next update.
            let _ = std::fs::remove_file(backup);
        }
    }
    Ok(())
}

/// Puts `swap.new` at `swap.dest`; returns where the old binary was kept, if there was one.
fn replace_one(swap: &Swap<'_>) -> Result<Option<PathBuf>, SelfError> {
    let dir = swap.dest.parent().unwrap_or(Path::new("."));
    let name = swap
        .dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let backup = dir.join(format!("{OLD_PREFIX}{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&backup);
    let exists = std::fs::symlink_metadata(swap.dest).is_ok();
    if !exists {
        std::fs::rename(swap.new, swap.dest).map_err(io("create", swap.dest))?;
        return Ok(None);
    }
    if platform::WINDOWS {
        std::fs::rename(swap.dest, &backup).map_err(io("move aside", swap.dest))?;
        if let Err(e) = std::fs::rename(swap.new, swap.dest) {
            let _ = std::fs::rename(&backup, swap.dest);
            return Err(io("replace", swap.dest)(e));
        }
    } else {
        std::fs::hard_link(swap.dest, &backup).map_err(io("keep a copy of", swap.dest))?;
        if let Err(e) = std::fs::rename(swap.new, swap.dest) {
            let _ = std::fs::remove_file(&backup);
            return Err(io("replace", swap.dest)(e));
        }
    }
    // The rename is durable once the directory is.
    let _ = platform::sync_dir(dir);
    Ok(Some(backup))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_each_file_and_keeps_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("gv"), dir.path().join("gv-shim"));
        std::fs::write(&a, "old gv").unwrap();
        let (new_a, new_b) = (
            dir.path().join(".gv-update-a"),
            dir.path().join(".gv-update-b"),
        );
        std::fs::write(&new_a, "new gv").unwrap();
        std::fs::write(&new_b, "new shim").unwrap();
        // A running copy: an open handle on the old file keeps reading the old bytes.
        let held = std::fs::File::open(&a).unwrap();
        replace_all(&[
            Swap {
                new: &new_a,
                dest: &a,
            },
            Swap {
                new: &new_b,
                dest: &b,
            },
        ])
        .unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new gv");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new shim");
        let mut old = String::new();
        std::io::Read::read_to_string(&mut &held, &mut old).unwrap();
        assert_eq!(old, "old gv");
        drop(held);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["gv", "gv-shim"]);
    }

    #[test]
    fn a_failure_puts_back_what_was_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("gv-shim"), dir.path().join("gv"));
        std::fs::write(&a, "old shim").unwrap();
        std::fs::write(&b, "old gv").unwrap();
        let new_a = dir.path().join(".gv-update-a");
        std::fs::write(&new_a, "new shim").unwrap();
        let missing = dir.path().join(".gv-update-missing");
        let err = replace_all(&[
            Swap {
                new: &new_a,
                dest: &a,
            },
            Swap {
                new: &missing,
                dest: &b,
            },
        ]);
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old shim");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old gv");
        let backups = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(OLD_PREFIX))
            .count();
        assert_eq!(backups, 0);
    }
}
