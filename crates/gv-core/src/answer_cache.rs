//! The shims' remembered answers. A shim that worked out which Go runs in a directory,
//! and with which variables, writes that answer down with everything it rests on: the
//! files it read, the places where a nearer file would have taken over, the environment
//! variables it read. The next shim in that directory checks those (a `stat` each, and
//! one per directory for the files that were not there) and execs at once when nothing
//! changed; on any change, or any doubt, it works the answer out afresh as before.
//!
//! Why a remembered answer is never a wrong one:
//! - A file's [`Stamp`] includes its change time, which every write, rename, `chmod` or
//!   `chown` updates and no user program can set. A directory's changes when an entry is
//!   added, removed or renamed in it, so an unchanged directory proves that the files
//!   that were missing from it still are; a changed one has each of them looked up.
//! - A file changed while the shim was reading it could keep the stamp it had just been
//!   given (file times come from a clock that moves in ticks, whole seconds on some file
//!   systems). So an answer is written only when every file and directory it rests on
//!   was last changed well before the shim started ([`settled`]): a file removed or
//!   created meanwhile changed its directory too.
//! - Every variable gv reads goes through [`crate::process::var_os`], which notes what it
//!   read while a shim works out an answer; the answer holds only while each reads the
//!   same.
//! - Only answers whose every input can be checked are kept ([`trustworthy`]), and only
//!   quiet ones: no notice to show, no verdict that could come due.
//!
//! An answer file is a list of fields, each ended by a NUL byte (no path or variable can
//! hold one): `MAGIC`, the working directory, then records, each a letter and its fields:
//!
//! | record | fields | holds while |
//! |---|---|---|
//! | `V` | name, `=value` or `!` | the variable reads the same (`!`: unset) |
//! | `S` | path, stamp | `lstat(path)` gives the same stamp |
//! | `T` | path, stamp | `stat(path)` (through a symlink) gives the same stamp |
//! | `M` | directory, stamp, count, names… | the directory's stamp is the same, or else each name is still missing from it |
//! | `A` | path | the path is still missing (its directory is missing too) |
//! | `G` | GOROOT | — the answer: the tool runs from its `bin/` |
//! | `E` | `NAME=value` | — the answer: a variable set, as the tool's environment holds it |
//! | `R` | name | — the answer: a variable removed |
//! | `.` | | the end: a file cut short holds no answer |
//!
//! Stamps are fixed-width hex ([`stamp_hex`]). Answers live in a directory only this user
//! can write (the per-login runtime directory, else gv's cache: [`read::dir`]), one file
//! per working directory (named by [`read::file_name`]), replaced whole by a rename; a
//! file anyone else could have written is not read. `gv rehash`, which installs a new
//! shim, forgets them all; `GV_SHIM_CACHE=0` turns them off.
//!
//! This module writes answers; [`read`] reads them, for every shim: from `main` through
//! [`lookup`], and on x86-64 Linux from the shim's own entry point before the C library
//! starts (`gv-shim`'s `entry.rs`), so it allocates nothing and cannot panic.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::platform::{self, Stamp};
use crate::select::{Discovery, Resolved};
use crate::session::Session;
use crate::trust::Trust;
use crate::version::Spec;

pub mod read;

use read::{Looked, MAGIC, MAX_BYTES, Probe, check, is_own_file, stamp_hex};

/// How long before the shim started a file must have been changed for its stamp to be
/// trusted, on file systems with fine times (a tick of the kernel's coarse clock is
/// 4–10 ms; exFAT's times are 10 ms apart).
const FINE_SLACK: Duration = Duration::from_millis(50);

/// The same where times are whole seconds (ext3, HFS+; FAT's are two seconds apart),
/// with a tick of the coarse clock to spare.
const COARSE_SLACK: Duration = Duration::from_secs(3);

/// Answers written this long ago are swept when a new one is written: most belong to
/// directories no longer worked in, and one still in use is written again at its next
/// run.
const STALE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What a shim runs: `goroot`'s tool, with these variables set and removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub goroot: PathBuf,
    pub set: Vec<(String, OsString)>,
    pub remove: Vec<String>,
}

/// Where answers are kept ([`read::dir`]'s rule); `None` when there is nowhere.
pub fn dir() -> Option<PathBuf> {
    let (base, rest) = read::dir(|name| crate::process::value_of(name.as_bytes()))?;
    let mut dir = platform::os_str_from_bytes(base)?.to_owned();
    dir.push(rest);
    Some(PathBuf::from(dir))
}

/// Whether answers are kept: not with `GV_SHIM_CACHE=0`, and only where a file's stamp
/// proves its content unchanged (Unix's change time; Windows lets any writer set every
/// time a file has, so its shims work every answer out).
pub fn enabled<'a>(var: impl Fn(&str) -> Option<&'a [u8]>) -> bool {
    platform::STAMPS_PROVE_CONTENT && var(crate::vars::SHIM_CACHE) != Some(b"0")
}

fn file_for(dir: &Path, cwd: &Path) -> PathBuf {
    let name = read::file_name(cwd.as_os_str().as_encoded_bytes());
    dir.join(String::from_utf8_lossy(&name).as_ref())
}

/// The answer remembered for `cwd`, if everything it rests on is as it was. (On x86-64
/// Linux the shim reads it before this, from its own entry point.)
pub fn lookup(cwd: &Path) -> Option<Answer> {
    if !enabled(|name| crate::process::value_of(name.as_bytes())) {
        return None;
    }
    lookup_in(&dir()?, cwd)
}

fn lookup_in(dir: &Path, cwd: &Path) -> Option<Answer> {
    answer_in(&read_own_file(&file_for(dir, cwd))?, cwd)
}

/// The answer `bytes` hold for `cwd`, checked through the standard library.
fn answer_in(bytes: &[u8], cwd: &Path) -> Option<Answer> {
    let answer = check(bytes, cwd.as_os_str().as_encoded_bytes(), &FromStd)?;
    Some(Answer {
        goroot: PathBuf::from(text_of(answer.goroot.to_bytes())?),
        set: answer
            .set()
            .map(|entry| {
                let (name, value) = crate::process::split_entry(entry.to_bytes())?;
                Some((String::from_utf8(name.to_vec()).ok()?, text_of(value)?))
            })
            .collect::<Option<_>>()?,
        remove: answer
            .removed()
            .map(|name| Some(name.to_str().ok()?.to_owned()))
            .collect::<Option<_>>()?,
    })
}

fn text_of(bytes: &[u8]) -> Option<OsString> {
    platform::os_str_from_bytes(bytes).map(OsStr::to_owned)
}

/// The file's content when this user owns it and no one else can write it.
fn read_own_file(path: &Path) -> Option<Vec<u8>> {
    let file = platform::open_nofollow_for_reading(path).ok()?;
    let meta = file.metadata().ok()?;
    if !is_own_file(
        meta.is_file(),
        platform::mode(&meta),
        platform::owner(&meta),
        platform::current_uid(),
        meta.len(),
    ) {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()? + 1);
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// [`Probe`] through the standard library.
struct FromStd;

impl Probe for FromStd {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        crate::process::value_of(name)
    }

    fn look(&self, path: &std::ffi::CStr, follow: bool) -> Looked {
        let Some(path) = platform::os_str_from_bytes(path.to_bytes()) else {
            return Looked::Unreadable;
        };
        looked(if follow {
            fs::metadata(path)
        } else {
            fs::symlink_metadata(path)
        })
    }

    fn look_in(&self, dir: &std::ffi::CStr, name: &[u8]) -> Looked {
        match (text_of(dir.to_bytes()), platform::os_str_from_bytes(name)) {
            (Some(dir), Some(name)) => looked(fs::symlink_metadata(Path::new(&dir).join(name))),
            _ => Looked::Unreadable,
        }
    }
}

fn looked(meta: io::Result<fs::Metadata>) -> Looked {
    match meta {
        Ok(meta) => Looked::Found(platform::stamp(&meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Looked::Missing,
        Err(_) => Looked::Unreadable,
    }
}

fn is_missing(path: &Path) -> bool {
    matches!(fs::symlink_metadata(path), Err(e) if e.kind() == io::ErrorKind::NotFound)
}

/// A shim working out an answer that may be remembered: started before it reads
/// anything, so that what changes meanwhile is seen as unsettled.
pub struct Recording {
    started: SystemTime,
}

impl Recording {
    /// Starts noting the variables read (see [`crate::process::record_reads`]); `None`
    /// when answers are turned off.
    pub fn start() -> Option<Recording> {
        if !enabled(|name| crate::process::value_of(name.as_bytes())) {
            return None;
        }
        let started = SystemTime::now();
        crate::process::record_reads();
        Some(Recording { started })
    }

    /// Writes `session`'s answer down for its directory, when it can be trusted later
    /// (see the module's documentation). `quiet`: the shim had no notice to show. Any
    /// failure leaves no answer, never a wrong one, and costs the next shim nothing more
    /// than working its answer out.
    pub fn remember(self, session: &Session, quiet: bool) {
        let reads = crate::process::recorded_reads();
        if let Some(dir) = dir() {
            self.remember_in(&dir, session, quiet, reads);
        }
    }

    fn remember_in(
        self,
        dir: &Path,
        session: &Session,
        quiet: bool,
        reads: Vec<(String, Option<OsString>)>,
    ) {
        let path = file_for(dir, session.cwd());
        let text = quiet.then(|| self.answer_file(session, reads)).flatten();
        let written = text.is_some_and(|text| write_private(dir, &path, &text).is_ok());
        if !written {
            // An old answer here no longer holds (or the shim would not have worked
            // this one out): drop it rather than check it again on every run.
            let _ = fs::remove_file(&path);
        }
    }

    fn answer_file(
        &self,
        session: &Session,
        reads: Vec<(String, Option<OsString>)>,
    ) -> Option<Vec<u8>> {
        let here = session.here().ok()?;
        let Resolved::Managed { version, goroot } = &here.selection.resolved else {
            return None;
        };
        if !trustworthy(session, here.config, &reads) {
            return None;
        }
        let store = session.store();
        // A verdict comes due once a day: its run must show it, so no answer skips it.
        if !is_missing(&store.verdict_file(version.as_str())) {
            return None;
        }
        let mut out = Vec::with_capacity(4096);
        field(&mut out, MAGIC.as_bytes());
        field(&mut out, session.cwd().as_os_str().as_encoded_bytes());
        for (name, value) in &reads {
            field(&mut out, b"V");
            field(&mut out, name.as_bytes());
            match value {
                Some(value) => {
                    let mut text = Vec::with_capacity(value.len() + 1);
                    text.push(b'=');
                    text.extend_from_slice(value.as_encoded_bytes());
                    field(&mut out, &text);
                }
                None => field(&mut out, b"!"),
            }
        }
        // Missing files, by the directory that would hold them.
        let mut missing: Vec<(PathBuf, Vec<OsString>)> = Vec::new();
        for path in rests_on(session, goroot, version.as_str()) {
            match fs::symlink_metadata(&path) {
                Ok(meta) => {
                    let stamp = platform::stamp(&meta);
                    if !settled(&stamp, self.started) {
                        return None;
                    }
                    record_stamp(&mut out, b"S", &path, &stamp);
                    if meta.file_type().is_symlink() {
                        let stamp = platform::stamp(&fs::metadata(&path).ok()?);
                        if !settled(&stamp, self.started) {
                            return None;
                        }
                        record_stamp(&mut out, b"T", &path, &stamp);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
                        return None;
                    };
                    match missing
                        .iter_mut()
                        .find(|(known, _)| known.as_os_str() == dir.as_os_str())
                    {
                        Some((_, names)) => names.push(name.to_owned()),
                        None => missing.push((dir.to_owned(), vec![name.to_owned()])),
                    }
                }
                // Unreadable: nothing a later check could rely on.
                Err(_) => return None,
            }
        }
        let seen_missing = seen_missing(session.discovery());
        for (dir, names) in missing {
            match fs::metadata(&dir) {
                Ok(meta) => {
                    // A directory changed since the shim started may have lost a file the
                    // answer was worked out from, missing now as if it never counted.
                    // Unless discovery itself found every one of them missing: then its
                    // stamp is not kept, and each is looked up at every check (`/tmp`
                    // and the home directory change often).
                    let stamp = platform::stamp(&meta);
                    let settled = settled(&stamp, self.started);
                    if !settled && !names.iter().all(|name| seen_missing(&dir.join(name))) {
                        return None;
                    }
                    field(&mut out, b"M");
                    field(&mut out, dir.as_os_str().as_encoded_bytes());
                    if settled {
                        field(&mut out, &stamp_hex(&stamp));
                    } else {
                        field(&mut out, b"-");
                    }
                    field(&mut out, names.len().to_string().as_bytes());
                    for name in names {
                        field(&mut out, name.as_encoded_bytes());
                    }
                }
                // No directory (no verdicts yet): each path must still be missing.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    for name in names {
                        field(&mut out, b"A");
                        field(&mut out, dir.join(name).as_os_str().as_encoded_bytes());
                    }
                }
                Err(_) => return None,
            }
        }
        field(&mut out, b"G");
        field(&mut out, goroot.as_os_str().as_encoded_bytes());
        for (name, value) in here.plan.changes() {
            // As the tool's environment will hold it, which a name with `=` cannot.
            if name.is_empty() || name.contains('=') {
                return None;
            }
            field(&mut out, b"E");
            field(
                &mut out,
                &[name.as_bytes(), b"=", value.as_encoded_bytes()].concat(),
            );
        }
        for name in here.plan.removals() {
            field(&mut out, b"R");
            field(&mut out, name.as_bytes());
        }
        field(&mut out, b".");
        (out.len() <= MAX_BYTES).then_some(out)
    }
}

/// Whether discovery looked for `path` and found nothing there: every place it looked
/// but the files that decided (the pin, the go.mod or go.work, the gv.toml). A pin file
/// it passed over (`.tool-versions` with no Go line) counts as missing: without it the
/// answer is the same.
fn seen_missing(found: &Discovery) -> impl Fn(&Path) -> bool + '_ {
    let mut deciding: Vec<&Path> = found
        .gomod_path
        .iter()
        .chain(&found.project_config)
        .map(PathBuf::as_path)
        .collect();
    if let Some(Ok((origin, _))) = &found.pin {
        deciding.extend(origin.path());
    }
    move |path: &Path| {
        let same = |other: &Path| other.as_os_str() == path.as_os_str();
        found.looked_at.iter().any(|(_, looked)| same(looked)) && !deciding.iter().any(|d| same(d))
    }
}

/// Whether the answer rests only on what [`rests_on`] and the variables read can check.
/// Not when:
/// - a Go found on PATH was asked for (`system`, even as a fallback that was passed
///   over): nobody watches PATH's directories;
/// - the project's gv.toml is trusted through a trusted directory written with a
///   symlink, which a retargeted link would change;
/// - the home directory came from /etc/passwd (no `HOME`);
/// - the working directory is on a network file system, whose clock is not this
///   machine's and whose `stat` may answer from a cache.
fn trustworthy(
    session: &Session,
    config: &crate::config::Config,
    reads: &[(String, Option<OsString>)],
) -> bool {
    let asks_for_system = |specs: &[Spec]| specs.iter().any(|s| matches!(s, Spec::System));
    let Ok(request) = session.request() else {
        return false;
    };
    if asks_for_system(&request.specs) {
        return false;
    }
    // Only what the global file asks for: `Store::global_default` would list the installed
    // versions again to resolve it, which the selection has done already.
    if let Ok(Some(global)) = crate::pinfile::read_go_version(&session.store().global_file())
        && asks_for_system(&global.specs)
    {
        return false;
    }
    if let (Some(Trust::Tree { dir, .. }), Some(project)) =
        (&config.trust, &session.discovery().project_config)
        && !project.starts_with(dir)
    {
        return false;
    }
    let no_home = |(name, value): &(String, Option<OsString>)| {
        name == "HOME" && value.as_ref().is_none_or(|v| v.is_empty())
    };
    !reads.iter().any(no_home) && !platform::on_network_file_system(session.cwd())
}

/// Every file and directory the session's answer rests on besides the variables: what
/// the shell hook watches ([`crate::watch::candidates`]: the places discovery looked, the
/// global default, the user's config, the trust records, the store's versions), and
/// more, for the shim runs what the hook only sets up: every place discovery looked, of
/// every kind (GOTOOLCHAIN reads go.mod under a pin too), where `GOENV_DIR` points, each
/// installed version's `bin` (what a prefix, a minimum or a go.mod resolves to), and where
/// the version's verdict would be.
fn rests_on(session: &Session, goroot: &Path, version: &str) -> Vec<PathBuf> {
    let found = session.discovery();
    let store = session.store();
    let mut paths = crate::watch::candidates(store, session.select_env(), found);
    paths.extend(found.looked_at.iter().map(|(_, p)| p.clone()));
    if let Some(dir) = &session.select_env().goenv_dir {
        paths.push(session.cwd().join(dir));
    }
    if let Ok(entries) = fs::read_dir(store.versions_dir()) {
        paths.extend(entries.flatten().map(|entry| entry.path().join("bin")));
    }
    paths.push(goroot.join("bin"));
    paths.push(store.verdict_file(version));
    let mut unique: Vec<PathBuf> = Vec::with_capacity(paths.len());
    for path in paths {
        // Compared as strings: `Path`'s own comparison parses components, which cost
        // ten times the rest of the answer's writing.
        if !unique.iter().any(|p| p.as_os_str() == path.as_os_str()) {
            unique.push(path);
        }
    }
    unique
}

/// Was the file `stamp` describes last changed long enough before `started` that a
/// change made after the shim read it cannot carry the same stamp?
fn settled(stamp: &Stamp, started: SystemTime) -> bool {
    const NS: i128 = 1_000_000_000;
    let slack = if stamp.ctime_ns % NS == 0 {
        COARSE_SLACK
    } else {
        FINE_SLACK
    };
    let Some(limit) = started
        .checked_sub(slack)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
    else {
        return false;
    };
    stamp.ctime_ns < i128::try_from(limit.as_nanos()).unwrap_or(i128::MAX)
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
    out.push(0);
}

fn record_stamp(out: &mut Vec<u8>, tag: &[u8], path: &Path, stamp: &Stamp) {
    field(out, tag);
    field(out, path.as_os_str().as_encoded_bytes());
    field(out, &stamp_hex(stamp));
}

/// Writes `text` to `path` in `dir` (made private if new) by a rename, so a shim reads a
/// whole answer or none; a new file sweeps answers written over a week ago.
fn write_private(dir: &Path, path: &Path, text: &[u8]) -> io::Result<()> {
    let private = |dir: &Path| -> io::Result<()> {
        crate::watch::check_stamp_dir(&fs::symlink_metadata(dir)?)
            .map_err(|problem| io::Error::new(io::ErrorKind::PermissionDenied, problem.to_string()))
    };
    // Someone who can write the parent could swap the whole directory.
    if let Some(parent) = dir.parent() {
        match private(parent) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    if !dir.exists() {
        platform::create_private_dir(dir)?;
    }
    private(dir)?;
    let is_new = !path.exists();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    let written = platform::create_private_file(&tmp)
        .and_then(|mut file| file.write_all(text))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    if is_new {
        crate::watch::remove_stale(dir, SystemTime::now(), STALE);
    }
    written
}

/// Forgets every answer (`gv rehash`: a new shim may answer differently).
pub fn forget_all() -> io::Result<()> {
    let Some(dir) = dir() else { return Ok(()) };
    match fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

// Answers are kept only where stamps prove content (see `enabled`).
#[cfg(test)]
crate::unix_only! {
mod tests {
    use super::*;
    use crate::select::SelectEnv;
    use crate::store::Store;
    use proptest::prelude::*;

    struct Fixture {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        store: Store,
        cwd: PathBuf,
        answers: PathBuf,
    }

    /// A store with 1.22.10 and 1.23.4, a project pinned to 1.22.10 with a gv.toml, and a
    /// working directory two levels below it; old enough to be settled.
    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let store = Store::new(root.join("store"));
        for version in ["1.22.10", "1.23.4"] {
            fs::create_dir_all(store.versions_dir().join(version).join("bin")).unwrap();
        }
        let cwd = root.join("p/a/b");
        fs::create_dir_all(&cwd).unwrap();
        fs::write(root.join("p/.go-version"), "1.22.10\n").unwrap();
        std::thread::sleep(FINE_SLACK * 2);
        Fixture {
            _tmp: tmp,
            answers: root.join("answers"),
            root,
            store,
            cwd,
        }
    }

    fn session(f: &Fixture) -> Session {
        session_with(
            f,
            SelectEnv {
                gomod: true,
                ..SelectEnv::default()
            },
        )
    }

    fn session_with(f: &Fixture, env: SelectEnv) -> Session {
        Session::new(f.store.clone(), env, f.cwd.clone()).with_lookup(Box::new(|_| None))
    }

    /// Variables as a shim would have read them: one set, one unset.
    fn reads() -> Vec<(String, Option<OsString>)> {
        vec![
            ("PATH".into(), crate::process::var_os("PATH")),
            ("NO_SUCH_VARIABLE_ANYWHERE_FOR_GV".into(), None),
        ]
    }

    /// Works the answer out now and remembers it; whether a file was written.
    fn remember(f: &Fixture, reads: Vec<(String, Option<OsString>)>) -> bool {
        let session = session(f);
        let recording = Recording {
            started: SystemTime::now(),
        };
        session.here().unwrap();
        recording.remember_in(&f.answers, &session, true, reads);
        file_for(&f.answers, &f.cwd).exists()
    }

    fn lookup(f: &Fixture) -> Option<Answer> {
        lookup_in(&f.answers, &f.cwd)
    }

    fn remembered(f: &Fixture) -> Answer {
        assert!(remember(f, reads()), "an answer is written");
        lookup(f).expect("and holds while nothing changed")
    }

    #[test]
    fn an_answer_holds_until_what_it_rests_on_changes() {
        let f = fixture();
        let answer = remembered(&f);
        assert_eq!(answer.goroot, f.store.versions_dir().join("1.22.10"));
        let plan = session(&f).plan().unwrap().clone();
        let set: Vec<(String, OsString)> = plan
            .changes()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(answer.set, set, "the variables the plan sets");
        assert_eq!(lookup_in(&f.answers, &f.root), None, "another directory's");
    }

    /// Each change a user makes to what decides, made just after the answer was written
    /// (so within the same second, and often the same clock tick).
    #[test]
    fn every_change_to_a_file_or_directory_it_rests_on_is_seen() {
        type Change = (&'static str, fn(&Fixture));
        let changes: Vec<Change> = vec![
            ("the pin edited, same size", |f| {
                fs::write(f.root.join("p/.go-version"), "1.23.4\n\n").unwrap();
                fs::write(f.root.join("p/.go-version"), "1.22.10\n").unwrap();
            }),
            ("a nearer pin", |f| {
                fs::write(f.cwd.join(".go-version"), "1.23.4\n").unwrap();
            }),
            ("a nearer .tool-versions", |f| {
                fs::write(f.root.join("p/a/.tool-versions"), "golang 1.23.4\n").unwrap();
            }),
            ("a gv.toml above", |f| {
                fs::write(f.root.join("p/a/gv.toml"), "[env]\n").unwrap();
            }),
            ("the pin removed", |f| {
                fs::remove_file(f.root.join("p/.go-version")).unwrap();
            }),
            ("the pin replaced by a link", |f| {
                let pin = f.root.join("p/.go-version");
                fs::rename(&pin, f.root.join("p/old")).unwrap();
                platform::symlink(&f.root.join("p/old"), &pin).unwrap();
            }),
            ("a version installed", |f| {
                fs::create_dir_all(f.store.versions_dir().join("1.22.11/bin")).unwrap();
            }),
            ("the version's bin emptied", |f| {
                fs::write(f.store.versions_dir().join("1.22.10/bin/go"), "").unwrap();
                fs::remove_file(f.store.versions_dir().join("1.22.10/bin/go")).unwrap();
            }),
            ("a verdict written", |f| {
                fs::create_dir_all(f.store.verdict_file("1.22.10").parent().unwrap()).unwrap();
                fs::write(f.store.verdict_file("1.22.10"), "gv-verdict 1\n").unwrap();
            }),
            ("the pin's mode changed", |f| {
                platform::set_mode(&f.root.join("p/.go-version"), 0o600).unwrap();
            }),
        ];
        for (what, change) in changes {
            let f = fixture();
            remembered(&f);
            change(&f);
            assert_eq!(lookup(&f), None, "{what}");
        }
    }

    /// The pin removed after the shim read it but before it wrote the answer down: the
    /// answer must not rest on the pin being missing.
    #[test]
    fn a_file_removed_while_the_answer_was_worked_out_leaves_no_answer() {
        let f = fixture();
        let session = session(&f);
        let recording = Recording {
            started: SystemTime::now(),
        };
        session.here().unwrap();
        fs::remove_file(f.root.join("p/.go-version")).unwrap();
        recording.remember_in(&f.answers, &session, true, reads());
        assert!(!file_for(&f.answers, &f.cwd).exists());
    }

    /// A go.mod nearer than the pin decides, and stands on the global default (Go's local
    /// toolchain); a workspace file named by GOWORK decides once it appears.
    #[test]
    fn what_a_go_mod_or_go_work_stands_on_is_checked() {
        let f = fixture();
        fs::write(f.store.global_file(), "1.23.4\n").unwrap();
        fs::write(f.root.join("p/a/go.mod"), "module m\n\ngo 1.22\n").unwrap();
        std::thread::sleep(FINE_SLACK * 2);
        let answer = remembered(&f);
        assert_eq!(answer.goroot, f.store.versions_dir().join("1.23.4"));
        fs::write(f.store.global_file(), "1.22.10\n").unwrap();
        assert_eq!(lookup(&f), None, "the global default changed");

        let f = fixture();
        let work = f.root.join("ws/go.work");
        let env = SelectEnv {
            gomod: true,
            gowork: crate::select::Workspace::File(work.clone()),
            ..SelectEnv::default()
        };
        let session = session_with(&f, env);
        session.here().unwrap();
        Recording {
            started: SystemTime::now(),
        }
        .remember_in(&f.answers, &session, true, reads());
        assert!(lookup(&f).is_some());
        fs::create_dir_all(work.parent().unwrap()).unwrap();
        fs::write(&work, "go 1.23.4\n").unwrap();
        assert_eq!(lookup(&f), None, "GOWORK's file appeared");
    }

    #[test]
    fn an_answer_that_could_rest_on_path_or_passwd_is_not_kept() {
        let f = fixture();
        fs::write(f.root.join("p/.go-version"), "system\n1.22.10\n").unwrap();
        std::thread::sleep(FINE_SLACK * 2);
        assert!(
            !remember(&f, reads()),
            "system was asked for: a go on PATH would take over"
        );
        let f = fixture();
        assert!(!remember(&f, vec![("HOME".into(), Some(OsString::new()))]));
    }

    #[test]
    fn a_variable_read_with_another_value_is_a_miss() {
        let f = fixture();
        assert!(remember(
            &f,
            vec![("PATH".into(), Some(OsString::from("/elsewhere")))]
        ));
        assert_eq!(lookup(&f), None, "PATH differs");
        let f = fixture();
        assert!(remember(&f, vec![("PATH".into(), None)]));
        assert_eq!(lookup(&f), None, "PATH was unset");
    }

    /// A file changed just before the shim started may change again within the same
    /// tick without its stamp moving: no answer rests on it. A directory changed that
    /// recently is not trusted to prove absence: its names are looked up each time.
    #[test]
    fn what_changed_just_before_is_not_relied_on() {
        let f = fixture();
        fs::write(f.root.join("p/.go-version"), "1.22.10\n").unwrap();
        assert!(!remember(&f, reads()), "the pin was just written");

        let f = fixture();
        fs::write(f.cwd.join("unrelated"), "").unwrap();
        let answer = remembered(&f);
        assert_eq!(answer.goroot, f.store.versions_dir().join("1.22.10"));
        let text = fs::read(file_for(&f.answers, &f.cwd)).unwrap();
        let unsettled = [b"M\0", f.cwd.as_os_str().as_encoded_bytes(), b"\0-\0"].concat();
        assert!(
            text.windows(unsettled.len()).any(|w| w == unsettled),
            "the working directory has no stamp"
        );
        let parent = f.cwd.parent().unwrap();
        let settled = [
            b"M\0",
            parent.as_os_str().as_encoded_bytes(),
            b"\0",
            &stamp_hex(&platform::stamp(&fs::metadata(parent).unwrap())),
            b"\0",
        ]
        .concat();
        assert!(
            text.windows(settled.len()).any(|w| w == settled),
            "its parent has its stamp, which proves its missing files still are"
        );
        fs::write(f.cwd.join("go.mod"), "module m\n").unwrap();
        assert_eq!(lookup(&f), None, "its missing files are looked up");
    }

    #[test]
    fn a_run_with_notices_or_errors_leaves_no_answer() {
        let f = fixture();
        remembered(&f);
        let session = session(&f);
        session.here().unwrap();
        Recording {
            started: SystemTime::now(),
        }
        .remember_in(&f.answers, &session, false, reads());
        assert!(
            !file_for(&f.answers, &f.cwd).exists(),
            "the old one is dropped"
        );

        assert!(
            !remember(&f, vec![("HOME".into(), None)]),
            "without HOME, /etc/passwd decides"
        );
    }

    #[test]
    fn only_a_file_of_this_user_that_no_one_else_can_write_is_read() {
        let f = fixture();
        remembered(&f);
        let file = file_for(&f.answers, &f.cwd);
        platform::set_mode(&file, 0o620).unwrap();
        assert_eq!(lookup(&f), None, "group-writable");
        platform::set_mode(&file, 0o600).unwrap();
        assert!(lookup(&f).is_some());

        let elsewhere = f.root.join("elsewhere");
        fs::rename(&file, &elsewhere).unwrap();
        platform::symlink(&elsewhere, &file).unwrap();
        assert_eq!(lookup(&f), None, "a link is not followed");

        fs::remove_file(&file).unwrap();
        let mut big = fs::read(&elsewhere).unwrap();
        big.resize(MAX_BYTES + 1, b'x');
        fs::write(&file, big).unwrap();
        platform::set_mode(&file, 0o600).unwrap();
        assert_eq!(lookup(&f), None, "too large");
    }

    /// A well-formed answer file with every kind of record, for `cwd`.
    fn sample(cwd: &Path) -> Vec<u8> {
        let mut out = Vec::new();
        for f in [
            MAGIC.as_bytes(),
            cwd.as_os_str().as_encoded_bytes(),
            b"V",
            b"NO_SUCH_VARIABLE_ANYWHERE_FOR_GV",
            b"!",
        ] {
            field(&mut out, f);
        }
        let stamp = platform::stamp(&fs::symlink_metadata(cwd).unwrap());
        record_stamp(&mut out, b"S", cwd, &stamp);
        record_stamp(&mut out, b"T", cwd, &stamp);
        for f in [
            &b"M"[..],
            cwd.as_os_str().as_encoded_bytes(),
            b"-",
            b"2",
            b"go.mod",
            b"go.work",
            b"A",
            b"/no/such/gv/path",
            b"G",
            b"/go",
            b"E",
            b"GOROOT=/go",
            b"R",
            b"GOFLAGS",
            b".",
        ] {
            field(&mut out, f);
        }
        out
    }

    #[test]
    fn a_file_cut_short_anywhere_is_no_answer() {
        let tmp = tempfile::tempdir().unwrap();
        let bytes = sample(tmp.path());
        let answer = answer_in(&bytes, tmp.path()).expect("whole");
        assert_eq!(answer.goroot, Path::new("/go"));
        assert_eq!(answer.set, [("GOROOT".to_owned(), OsString::from("/go"))]);
        assert_eq!(answer.remove, ["GOFLAGS"]);
        for end in 0..bytes.len() {
            assert_eq!(answer_in(&bytes[..end], tmp.path()), None, "cut at {end}");
        }
        let mut longer = bytes.clone();
        field(&mut longer, b"E");
        assert_eq!(answer_in(&longer, tmp.path()), None, "more after the end");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        /// Any bytes written over a valid file, anywhere: no panic, and an answer only
        /// with an absolute GOROOT.
        #[test]
        fn damaged_files_never_panic(at in 0usize..400, junk in proptest::collection::vec(any::<u8>(), 0..24)) {
            let cwd = std::env::temp_dir();
            let mut bytes = sample(&cwd);
            let at = at.min(bytes.len());
            let end = (at + junk.len()).min(bytes.len());
            bytes.splice(at..end, junk);
            if let Some(answer) = answer_in(&bytes, &cwd) {
                prop_assert!(answer.goroot.is_absolute());
            }
        }
    }
}
}
