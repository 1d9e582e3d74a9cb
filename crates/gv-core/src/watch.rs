//! What the shell hook re-checks at each prompt, so that a pin or a gv.toml edited in
//! place — by an editor, `git checkout`, `echo 1.23 > .go-version` — is applied at the
//! next prompt, while a prompt where nothing changed still runs no process.
//!
//! The shell can compare two files' modification times with a builtin (`[[ a -nt b ]]`,
//! fish's `test a -nt b`) but cannot read a time. So each hook run dates a per-shell stamp
//! file a little before it starts reading, and hands the shell two lists:
//! - the files that decided: a re-run is due once one is newer than the stamp, or gone;
//! - the places where a nearer file would take over: a re-run is due once one exists.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::config;
use crate::platform;
use crate::select::{Discovery, FileKind, SelectEnv};
use crate::store::{self, Store};

/// How far before the hook's start the stamp is dated. File times come from the kernel's
/// coarse clock, which lags the precise one by up to a tick (10 ms at HZ=100): an edit
/// made just after the stamp must still look newer. An edit in this window before the
/// run costs one extra run at the next prompt, nothing more.
const CLOCK_SLACK: Duration = Duration::from_millis(20);

/// Stamps untouched this long belong to shells that are gone. Removing the stamp of a
/// live shell is harmless: every watched file then looks newer, so its next prompt
/// re-runs the hook, which dates a new stamp.
const STALE_STAMP: Duration = Duration::from_secs(24 * 60 * 60);

/// Where the init scripts keep their stamp files: the per-login runtime directory when
/// there is one (`XDG_RUNTIME_DIR`: tmpfs, cleared at logout), else gv's cache directory
/// (macOS has no runtime directory).
pub fn stamp_dir() -> Result<PathBuf, store::StoreError> {
    match platform::runtime_dir() {
        Some(dir) => Ok(dir.join("gv")),
        None => Ok(store::Cache::from_env()?.hook_stamps()),
    }
}

/// The two lists the shell checks at each prompt.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Watch {
    /// Files that exist and decided: re-run when one is newer than the stamp, or gone.
    pub files: Vec<PathBuf>,
    /// Files that do not exist but would decide if created: re-run when one appears.
    pub absent: Vec<PathBuf>,
}

/// Why a stamp directory cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampDirProblem {
    /// Someone else made it (a root shell that kept `XDG_RUNTIME_DIR`, or another user
    /// on a shared cache): they could swap the stamps.
    NotOwned {
        owner: u32,
    },
    /// Others may write it, so they could plant links in place of the stamps.
    SharedWritable,
    NotADirectory,
}

impl std::fmt::Display for StampDirProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StampDirProblem::NotOwned { owner } => write!(
                f,
                "belongs to uid {owner}, not you (uid {})",
                platform::current_uid()
            ),
            StampDirProblem::SharedWritable => {
                f.write_str("can be written by other users, who could plant links in it")
            }
            StampDirProblem::NotADirectory => f.write_str("is not a directory"),
        }
    }
}

/// Is the existing stamp directory `meta` describes one only this user controls?
pub fn check_stamp_dir(meta: &fs::Metadata) -> Result<(), StampDirProblem> {
    if !meta.is_dir() {
        return Err(StampDirProblem::NotADirectory);
    }
    let owner = platform::owner(meta);
    if owner != platform::current_uid() {
        return Err(StampDirProblem::NotOwned { owner });
    }
    if platform::others_can_write(meta) {
        return Err(StampDirProblem::SharedWritable);
    }
    Ok(())
}

/// Dates `stamp` just before `started` (creating it, and its directory, if needed), and
/// clears other shells' stale stamps when this shell's is new. The directory must be
/// this user's and writable by no one else, and the stamp is opened without following a
/// symlink, so no one else can make the hook touch another file.
pub fn stamp(stamp: &Path, started: SystemTime) -> io::Result<()> {
    let dir = stamp.parent().unwrap_or(Path::new("."));
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            platform::create_private_dir(dir)?;
            fs::symlink_metadata(dir)?
        }
        Err(e) => return Err(e),
    };
    check_stamp_dir(&meta)
        .map_err(|problem| io::Error::new(io::ErrorKind::PermissionDenied, problem.to_string()))?;
    let is_new = !stamp.exists();
    let file = platform::open_nofollow_for_append(stamp)?;
    file.set_modified(started.checked_sub(CLOCK_SLACK).unwrap_or(started))?;
    if is_new {
        remove_stale(dir, started, STALE_STAMP);
    }
    Ok(())
}

/// Removes the files in `dir` untouched for longer than `age` (stamps of shells that are
/// gone, answers of directories no longer worked in).
pub(crate) fn remove_stale(dir: &Path, now: SystemTime, age: Duration) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| now.duration_since(modified).unwrap_or_default() > age);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Every file whose appearance, change or removal could change what the hook applies,
/// given what [`crate::select::discover`] found: the places it looked, nearest first up
/// to the deciding file of each kind, of the kinds that can decide here.
pub fn candidates(store: &Store, senv: &SelectEnv, found: &Discovery) -> Vec<PathBuf> {
    // GV_VERSION (set by `gv shell`) beats every file; the gv function re-runs the hook
    // whenever it changes. A pin file beats go.work/go.mod.
    let pins_matter = senv.gv_version.is_none() && senv.goenv_version.is_none();
    let gomod_matters = pins_matter && senv.gomod && found.pin.is_none();
    let mut paths: Vec<PathBuf> = found
        .looked_at
        .iter()
        .filter(|(kind, _)| match kind {
            FileKind::Pin => pins_matter,
            FileKind::Module => gomod_matters,
            FileKind::ProjectConfig => true,
        })
        .map(|(_, path)| path.clone())
        .collect();
    // Behind a pin when no module decides, and behind a go.mod or go.work that does (as
    // the go command's local toolchain), even with a pin farther up.
    if pins_matter {
        paths.push(store.global_file());
    }
    paths.extend(config::user_config_path());
    // `gv trust` in another shell makes the project file apply here too.
    if found.project_config.is_some() {
        paths.push(store.trust_records());
    }
    // Installing or removing a version elsewhere changes what a prefix such as `1.22`
    // resolves to, and whether the pinned version is there at all.
    paths.push(store.versions_dir());
    paths
}

impl Watch {
    /// Sorts `paths` into present and absent files. A file dated after `now` is left out:
    /// it would look changed at every prompt until the clock caught up.
    pub fn classify(paths: Vec<PathBuf>, now: SystemTime) -> Watch {
        let mut watch = Watch::default();
        for path in paths {
            match fs::metadata(&path).and_then(|m| m.modified()) {
                Ok(modified) if modified > now => {}
                Ok(_) => watch.files.push(path),
                Err(err) if err.kind() == io::ErrorKind::NotFound => watch.absent.push(path),
                // Unreadable (permissions, a file where a directory should be): nothing
                // the shell could usefully test either.
                Err(_) => {}
            }
        }
        watch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::{self, GO_VERSION_FILE};
    use std::fs::File;

    fn senv() -> SelectEnv {
        SelectEnv {
            gv_version: None,
            goenv_version: None,
            gomod: true,
            ..SelectEnv::default()
        }
    }

    fn names(paths: &[PathBuf], root: &Path) -> Vec<String> {
        paths
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap_or(p)
                    .display()
                    .to_string()
                    // Windows joins with `\`: compare in one spelling.
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn watches_up_to_the_deciding_files_and_what_could_appear_nearer() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let store = Store::new(root.join("store"));
        std::fs::create_dir_all(store.versions_dir()).unwrap();
        let deep = root.join("p/a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join("p/.go-version"), "1.22.10\n").unwrap();
        std::fs::write(root.join("p/a/gv.toml"), "[env]\n").unwrap();
        std::fs::write(root.join("p/go.mod"), "module m\ngo 1.22\n").unwrap();

        let found = select::discover(&deep, &select::Workspace::Search);
        let paths = candidates(&store, &senv(), &found);
        let watch = Watch::classify(paths, SystemTime::now());
        let files = names(&watch.files, root);
        assert!(files.contains(&"p/.go-version".into()), "{files:?}");
        assert!(files.contains(&"p/a/gv.toml".into()), "{files:?}");
        assert!(files.contains(&"store/versions".into()), "{files:?}");
        assert!(
            !files.iter().any(|f| f.ends_with("go.mod")),
            "a pin decides, so go.mod does not matter: {files:?}"
        );
        let absent = names(&watch.absent, root);
        for nearer in [
            "p/a/b/.go-version",
            "p/a/b/.tool-versions",
            "p/a/b/gv.toml",
            "p/a/.go-version",
        ] {
            assert!(absent.contains(&nearer.into()), "{nearer}: {absent:?}");
        }
        assert!(
            !absent.contains(&"p/.tool-versions".into()),
            ".go-version beats .tool-versions in the same directory: {absent:?}"
        );
        assert!(
            absent.iter().any(|f| f.ends_with("store/version")),
            "the global default is watched even under a pin: a go.mod nearer than the pin \
             decides and stands on it: {absent:?}"
        );
    }

    #[test]
    fn without_a_pin_go_mod_and_the_global_default_are_watched_and_gv_version_skips_pins() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let store = Store::new(root.join("store"));
        let dir = root.join("m");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("go.mod"), "module m\ngo 1.22\n").unwrap();
        let found = select::discover(&dir, &select::Workspace::Search);
        let paths = candidates(&store, &senv(), &found);
        let listed = names(&paths, root);
        assert!(listed.contains(&"m/go.mod".into()), "{listed:?}");
        assert!(listed.contains(&"m/go.work".into()), "{listed:?}");
        assert!(listed.contains(&"store/version".into()), "{listed:?}");

        let shell_override = SelectEnv {
            gv_version: Some("1.22".into()),
            ..senv()
        };
        let paths = candidates(&store, &shell_override, &found);
        assert!(
            !paths
                .iter()
                .any(|p| p.ends_with(GO_VERSION_FILE) || p.ends_with("go.mod")),
            "{paths:?}"
        );
    }

    #[test]
    fn future_dated_files_are_not_watched() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(".go-version");
        std::fs::write(&file, "1.22\n").unwrap();
        let now = SystemTime::now();
        File::options()
            .append(true)
            .open(&file)
            .unwrap()
            .set_modified(now + Duration::from_secs(3600))
            .unwrap();
        let watch = Watch::classify(vec![file], now);
        assert_eq!(watch, Watch::default());
    }

    crate::unix_only! {
    /// The stamp is dated before the run started, so an edit right after it (whose time
    /// comes from the coarse clock) still looks newer; the first stamp makes a private
    /// directory; stale stamps of other shells go when a new shell's stamp is made.
    #[test]
    fn stamp_is_dated_before_the_run_and_old_stamps_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hook");
        let started = SystemTime::now();
        stamp(&dir.join("111"), started).unwrap();
        let old = dir.join("111");
        File::options()
            .append(true)
            .open(&old)
            .unwrap()
            .set_modified(started - STALE_STAMP - Duration::from_secs(60))
            .unwrap();
        let recent = dir.join("222");
        File::create(&recent).unwrap();

        let mine = dir.join("333");
        stamp(&mine, started).unwrap();
        let dated = std::fs::metadata(&mine).unwrap().modified().unwrap();
        assert_eq!(dated, started - CLOCK_SLACK);
        assert!(!old.exists(), "a day-old stamp is swept");
        assert!(recent.exists(), "a live shell's stamp stays");
        assert_eq!(platform::mode(&std::fs::metadata(&dir).unwrap()), 0o700);
    }
    }

    crate::unix_only! {
    /// A stamp planted as a symlink is not followed, and a directory others can write is
    /// not used at all.
    #[test]
    fn stamps_never_follow_links_or_live_in_shared_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hook");
        std::fs::create_dir(&dir).unwrap();
        platform::set_private(&dir).unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let old = std::fs::metadata(&victim).unwrap().modified().unwrap();
        platform::symlink(&victim, &dir.join("42")).unwrap();
        assert!(stamp(&dir.join("42"), SystemTime::now()).is_err());
        assert_eq!(std::fs::metadata(&victim).unwrap().modified().unwrap(), old);

        platform::set_mode(&dir, 0o777).unwrap();
        let err = stamp(&dir.join("43"), SystemTime::now()).unwrap_err();
        assert!(err.to_string().contains("written by other users"), "{err}");
        assert!(!dir.join("43").exists());
    }
    }
}
