//! Step 5, publish: a binary that passed is renamed into place (one rename within a
//! directory: the destination is either the old file or the new one, never half of
//! either). One that failed never replaces anything: it is kept beside the destination
//! as `NAME.unverified`, so `gv verify` can show why, and the destination is left as it
//! was. With nowhere to land (test and run binaries, several packages built without
//! `-o`), a binary stays in the stage until it has run, then goes with it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::layout::Landing;
use super::stage::Product;

/// The suffix of a binary kept after it failed verification.
pub const UNVERIFIED: &str = "unverified";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Passed and renamed into place.
    Landed(PathBuf),
    /// Passed, with nowhere to land: in the stage until it has run.
    Staged(PathBuf),
    /// Failed: kept as `kept`; `dest` untouched (`existed`: there was a file to keep).
    Kept {
        kept: PathBuf,
        dest: PathBuf,
        existed: bool,
    },
    /// Failed, with nowhere to land: removed with the stage.
    Dropped,
    /// go found the binary already at `dest` up to date: nothing was published, and
    /// `passed` says whether that binary meets the profile.
    InPlace { dest: PathBuf, passed: bool },
}

impl Fate {
    /// Where a binary that passed now is.
    pub fn binary(&self) -> Option<&Path> {
        match self {
            Fate::Landed(path) | Fate::Staged(path) => Some(path),
            Fate::InPlace { dest, passed: true } => Some(dest),
            Fate::Kept { .. } | Fate::Dropped | Fate::InPlace { .. } => None,
        }
    }
}

/// Where `product` lands if it passes; `None` with nowhere to land.
pub fn destination(product: &Product, landing: &Landing) -> Option<PathBuf> {
    match landing {
        Landing::Dir(dir) => Some(dir.join(product.file_name())),
        Landing::File(file) => Some(file.clone()),
        Landing::Nowhere => None,
    }
}

pub fn publish(product: &Product, passed: bool, landing: &Landing) -> anyhow::Result<Fate> {
    let dest = match landing {
        Landing::Dir(dir) => dir.join(product.file_name()),
        Landing::File(file) => file.clone(),
        Landing::Nowhere if passed => return Ok(Fate::Staged(product.file.clone())),
        Landing::Nowhere => return Ok(Fate::Dropped),
    };
    let kept = unverified_name(&dest);
    if passed {
        std::fs::rename(&product.file, &dest)
            .with_context(|| format!("cannot move the binary to {}", dest.display()))?;
        // A rejected build from before would only confuse: this one passed.
        if kept.is_file() {
            let _ = std::fs::remove_file(&kept);
        }
        return Ok(Fate::Landed(dest));
    }
    let existed = dest.exists();
    std::fs::rename(&product.file, &kept)
        .with_context(|| format!("cannot move the binary to {}", kept.display()))?;
    Ok(Fate::Kept {
        kept,
        dest,
        existed,
    })
}

/// go found the binary at `dest` up to date: nothing moves. When it meets the profile, a
/// rejected build kept beside it from before goes, as when a new binary lands.
pub fn in_place(dest: &Path, passed: bool) -> Fate {
    let kept = unverified_name(dest);
    if passed && kept.is_file() {
        let _ = std::fs::remove_file(&kept);
    }
    Fate::InPlace {
        dest: dest.to_path_buf(),
        passed,
    }
}

/// `app` → `app.unverified`, beside it.
pub fn unverified_name(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{UNVERIFIED}"));
    dest.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(dir: &Path, name: &str, content: &str) -> Product {
        let file = dir.join(".gv-build-x").join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, content).unwrap();
        Product {
            file,
            package: None,
        }
    }

    #[test]
    fn a_failed_binary_never_replaces_the_destination() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("app");
        std::fs::write(&dest, "good").unwrap();
        let landing = Landing::File(dest.clone());
        let fate = publish(&staged(root.path(), "app", "bad"), false, &landing).unwrap();
        let kept = root.path().join("app.unverified");
        assert_eq!(
            fate,
            Fate::Kept {
                kept: kept.clone(),
                dest: dest.clone(),
                existed: true
            }
        );
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "good");
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "bad");
        // The next good build lands and takes the rejected one away.
        let fate = publish(&staged(root.path(), "app", "new"), true, &landing).unwrap();
        assert_eq!(fate, Fate::Landed(dest.clone()));
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert!(!kept.exists());
        // Into a directory, under go's name.
        let dir = Landing::Dir(root.path().join("bin"));
        std::fs::create_dir(root.path().join("bin")).unwrap();
        let fate = publish(&staged(root.path(), "tool", "bad"), false, &dir).unwrap();
        assert!(
            matches!(fate, Fate::Kept { existed: false, .. }),
            "{fate:?}"
        );
        assert!(root.path().join("bin/tool.unverified").is_file());
        assert!(!root.path().join("bin/tool").exists());
        // Nowhere to land: passed ones stay staged, failed ones are dropped.
        let product = staged(root.path(), "x.test", "t");
        assert_eq!(
            publish(&product, true, &Landing::Nowhere).unwrap(),
            Fate::Staged(product.file.clone())
        );
        assert_eq!(
            publish(&product, false, &Landing::Nowhere).unwrap(),
            Fate::Dropped
        );
    }

    #[test]
    fn a_binary_left_in_place_that_passes_takes_a_rejected_one_away() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("app");
        std::fs::write(&dest, "good").unwrap();
        let kept = root.path().join("app.unverified");
        std::fs::write(&kept, "bad").unwrap();
        let failed = in_place(&dest, false);
        assert_eq!(failed.binary(), None);
        assert!(kept.is_file(), "a failed check removes nothing");
        let passed = in_place(&dest, true);
        assert_eq!(passed.binary(), Some(dest.as_path()));
        assert!(!kept.exists());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "good");
    }
}
