//! Trust for project `gv.toml` files.
//!
//! A project's gv.toml comes with whatever repository was cloned, and gv would apply it at
//! the next `cd` or `go` call. Some of what it can set makes the go command run other
//! programs or fetch other code (`GOFLAGS=-toolexec=…`, `GOTOOLCHAIN` + `GOPROXY`), so a
//! project file applies only once the user trusts it:
//!
//! - `gv trust` records the file's path and the sha256 of its content in
//!   `$GV_ROOT/trusted-files`; any change to the content makes it untrusted again;
//! - `trusted_paths` in the user's own config.toml, and `GV_TRUSTED_PATHS`, trust every
//!   gv.toml below the directories they name (never settable from a project file).
//!
//! Pin files (`.go-version`, go.mod, …) are data and need no trust.
//!
//! The check sits on the shim's hot path. The record keeps the file's [`Stamp`] next to
//! its sha256: when the stamp still matches, the content is what was trusted, and no hash
//! is computed. The stamp includes the change time, which any write updates and no user
//! program can set back. Windows lets programs set every file time, so there the file is
//! always hashed (`platform::STAMPS_PROVE_CONTENT`): a gv.toml is small.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::platform::Stamp;
use crate::vars::TRUSTED_PATHS;

/// The user-config key listing trusted directories.
pub use crate::settings::TRUSTED_PATHS as TRUSTED_PATHS_KEY;

const HEADER: &str =
    "# gv trusted project files: sha256, file stamp, path (edit with `gv trust` / `gv untrust`)";

/// Why a project file is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// `gv trust` recorded exactly this content.
    Recorded,
    /// The file lies below a directory the user trusts wholesale.
    Tree { dir: PathBuf, from: TreeSource },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeSource {
    Env,
    UserConfig(PathBuf),
}

impl std::fmt::Display for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trust::Recorded => f.write_str("trusted with `gv trust`"),
            Trust::Tree { dir, from } => {
                write!(f, "trusted: below {}, listed in ", dir.display())?;
                match from {
                    TreeSource::Env => write!(f, "{TRUSTED_PATHS}"),
                    TreeSource::UserConfig(path) => {
                        write!(f, "{TRUSTED_PATHS_KEY} of {}", path.display())
                    }
                }
            }
        }
    }
}

/// A directory whose project files are all trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedTree {
    pub dir: PathBuf,
    pub from: TreeSource,
}

/// What the record file says about one project file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub path: PathBuf,
    pub sha256: String,
    pub stamp: Stamp,
}

/// The verdict on a project file's current content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Trusted(Trust),
    /// Never trusted (`changed: false`), or trusted once with other content.
    Untrusted {
        changed: bool,
    },
}

/// The records of `gv trust`, as kept in `$GV_ROOT/trusted-files`.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub entries: Vec<Record>,
}

impl Records {
    /// Reads the record file; a missing file means nothing is trusted yet. Lines that do
    /// not parse are ignored (they can only make a file untrusted).
    pub fn load(file: &Path) -> io::Result<Records> {
        let bytes = read(file)?;
        let entries = record_lines(&crate::text::lossy(&bytes))
            .filter_map(parse_line)
            .collect();
        Ok(Records { entries })
    }

    /// The record for `path` in the record file (`None`: no file, or no record), as
    /// `load(file)?.find(path)` finds it, but only that record is parsed through: the
    /// shim asks this on every call in a project with a gv.toml, and the file grows with
    /// every project the user trusts.
    pub fn find_in(file: &Path, path: &Path) -> io::Result<Option<Record>> {
        let bytes = read(file)?;
        let names = |line: &&str| {
            line.splitn(3, ' ')
                .nth(2)
                .and_then(decode_path)
                .is_some_and(|p| p == path)
        };
        Ok(record_lines(&crate::text::lossy(&bytes))
            .filter(names)
            .find_map(parse_line))
    }

    pub fn find(&self, path: &Path) -> Option<&Record> {
        self.entries.iter().find(|r| r.path == path)
    }

    /// Adds or replaces the record for `record.path`.
    pub fn upsert(&mut self, record: Record) {
        self.entries.retain(|r| r.path != record.path);
        self.entries.push(record);
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Removes the record for `path`; whether there was one.
    pub fn remove(&mut self, path: &Path) -> bool {
        let before = self.entries.len();
        self.entries.retain(|r| r.path != path);
        self.entries.len() != before
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for r in &self.entries {
            out.push_str(&format!(
                "{} {} {}\n",
                r.sha256,
                r.stamp.encode(),
                encode_path(&r.path)
            ));
        }
        out
    }
}

/// The record file's bytes; a missing file holds no records.
fn read(file: &Path) -> io::Result<Vec<u8>> {
    match std::fs::read(file) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        read => read,
    }
}

/// The lines of the record file that can be records (the header is a comment).
fn record_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.starts_with('#'))
}

fn parse_line(line: &str) -> Option<Record> {
    let mut words = line.splitn(3, ' ');
    let sha256 = words.next()?;
    let stamp = Stamp::decode(words.next()?)?;
    let path = decode_path(words.next()?)?;
    let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    (valid && path.is_absolute()).then(|| Record {
        path,
        sha256: sha256.to_ascii_lowercase(),
        stamp,
    })
}

/// Paths are kept as one word: bytes outside printable ASCII, spaces and `%` are
/// percent-encoded, so any path (newlines, non-UTF-8) round-trips.
fn encode_path(path: &Path) -> String {
    let mut out = String::new();
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode_path(word: &str) -> Option<PathBuf> {
    let bytes = word.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    crate::platform::os_string_from_bytes(out).map(PathBuf::from)
}

/// The sha256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The directories named by `GV_TRUSTED_PATHS` (absolute entries only; `~/` expands).
pub fn trees_from_env(value: Option<OsString>, home: Option<&Path>) -> Vec<TrustedTree> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    std::env::split_paths(&value)
        .filter_map(|dir| expand_home(&dir, home))
        .map(|dir| TrustedTree {
            dir,
            from: TreeSource::Env,
        })
        .collect()
}

/// `~/x` under `home`; `None` for a path that is then still not absolute.
pub fn expand_home(dir: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let dir = match (dir.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        (Ok(_), None) => return None,
        (Err(_), _) => dir.to_path_buf(),
    };
    dir.is_absolute().then_some(dir)
}

/// The verdict on a project file at `path` with content `bytes` and stamp `stamp`.
/// `record` (what the record file says about `path`) is consulted only when no trusted
/// tree covers the file.
pub fn judge(
    path: &Path,
    bytes: &[u8],
    stamp: &Stamp,
    trees: &[TrustedTree],
    record: impl FnOnce() -> Option<Record>,
) -> Verdict {
    if let Some(trust) = by_tree(path, trees) {
        return Verdict::Trusted(trust);
    }
    match record() {
        Some(record)
            if (crate::platform::STAMPS_PROVE_CONTENT && record.stamp == *stamp)
                || record.sha256 == sha256_hex(bytes) =>
        {
            Verdict::Trusted(Trust::Recorded)
        }
        Some(_) => Verdict::Untrusted { changed: true },
        None => Verdict::Untrusted { changed: false },
    }
}

/// The trust a trusted directory gives `path`, if one covers it.
pub fn by_tree(path: &Path, trees: &[TrustedTree]) -> Option<Trust> {
    trees
        .iter()
        .find(|t| below(path, &t.dir))
        .map(|tree| Trust::Tree {
            dir: tree.dir.clone(),
            from: tree.from.clone(),
        })
}

/// Is `path` below `dir`, as written or once symlinks in `dir` are resolved? The paths
/// gv discovers come from the working directory, which the kernel reports without
/// symlinks; a trusted directory may be written through one (`~/src` → `/data/src`).
fn below(path: &Path, dir: &Path) -> bool {
    path.starts_with(dir) || std::fs::canonicalize(dir).is_ok_and(|real| path.starts_with(real))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: u64) -> Stamp {
        Stamp {
            dev: 1,
            ino: n,
            size: 10,
            mtime_ns: 5,
            ctime_ns: 6,
        }
    }

    crate::unix_only! {
    #[test]
    fn records_round_trip_any_path() {
        let mut records = Records::default();
        for path in ["/p/gv.toml", "/it's a dir/\n%x/gv.toml"] {
            records.upsert(Record {
                path: path.into(),
                sha256: "a".repeat(64),
                stamp: stamp(1),
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("trusted-files");
        std::fs::write(&file, records.render() + "garbage line\n").unwrap();
        let loaded = Records::load(&file).unwrap();
        assert_eq!(loaded.entries, records.entries);
        assert!(loaded.find(Path::new("/it's a dir/\n%x/gv.toml")).is_some());
        assert!(
            Records::load(&dir.path().join("none"))
                .unwrap()
                .entries
                .is_empty()
        );
    }
    }

    crate::unix_only! {
    /// `find_in` parses one record through, and finds what `load` then `find` find: the
    /// first valid record for the path, whatever else the file holds. (Unix: the paths
    /// are absolute there.)
    #[test]
    fn finding_one_record_agrees_with_loading_them_all() {
        let sha = "b".repeat(64);
        let stamp = stamp(3).encode();
        let text = format!(
            "{HEADER}\ngarbage\nnot-a-sha {stamp} /a/gv.toml\n{sha} {stamp} /a/gv.toml\n\
             {} {stamp} /a/gv.toml\n{sha} 1:2 /b/gv.toml\n{sha} {stamp} /%63/gv.toml\n\
             {sha} {stamp} relative/gv.toml\n",
            "c".repeat(64)
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("trusted-files");
        std::fs::write(&file, text).unwrap();
        let all = Records::load(&file).unwrap();
        for path in [
            "/a/gv.toml",
            "/b/gv.toml",
            "/c/gv.toml",
            "/d/gv.toml",
            "relative/gv.toml",
        ] {
            let path = Path::new(path);
            let one = Records::find_in(&file, path).unwrap();
            assert_eq!(one.as_ref(), all.find(path), "{}", path.display());
        }
        assert_eq!(
            Records::find_in(&file, Path::new("/a/gv.toml"))
                .unwrap()
                .map(|r| r.sha256),
            Some(sha)
        );
        assert!(
            Records::find_in(&file, Path::new("/c/gv.toml"))
                .unwrap()
                .is_some()
        );
        assert_eq!(
            Records::find_in(&dir.path().join("none"), Path::new("/a/gv.toml")).unwrap(),
            None
        );
    }
    }

    #[test]
    fn a_recorded_file_is_trusted_until_its_content_changes() {
        let path = Path::new("/p/gv.toml");
        let content = b"[env]\nGOFLAGS = \"-v\"\n";
        let records = Records {
            entries: vec![Record {
                path: path.into(),
                sha256: sha256_hex(content),
                stamp: stamp(1),
            }],
        };
        let judge =
            |bytes: &[u8], s: Stamp| judge(path, bytes, &s, &[], || records.find(path).cloned());
        assert_eq!(judge(content, stamp(1)), Verdict::Trusted(Trust::Recorded));
        // Copied elsewhere and back (new stamp), same content: still what was trusted.
        assert_eq!(judge(content, stamp(2)), Verdict::Trusted(Trust::Recorded));
        assert_eq!(
            judge(b"[env]\nGOFLAGS = \"-toolexec=x\"\n", stamp(2)),
            Verdict::Untrusted { changed: true }
        );
        assert_eq!(
            super::judge(Path::new("/q/gv.toml"), content, &stamp(1), &[], || {
                records.find(Path::new("/q/gv.toml")).cloned()
            }),
            Verdict::Untrusted { changed: false }
        );
    }

    crate::unix_only! {
    #[test]
    fn trees_trust_everything_below_them_and_never_read_the_records() {
        let trees = trees_from_env(
            Some("/work:relative:~/src".into()),
            Some(Path::new("/home/me")),
        );
        assert_eq!(
            trees.iter().map(|t| t.dir.clone()).collect::<Vec<_>>(),
            [PathBuf::from("/work"), PathBuf::from("/home/me/src")]
        );
        let verdict = judge(
            Path::new("/home/me/src/a/gv.toml"),
            b"",
            &stamp(1),
            &trees,
            || panic!("records read"),
        );
        assert!(matches!(verdict, Verdict::Trusted(Trust::Tree { .. })));
        assert_eq!(
            judge(
                Path::new("/home/me/srcx/gv.toml"),
                b"",
                &stamp(1),
                &trees,
                || None
            ),
            Verdict::Untrusted { changed: false }
        );
    }
    }
}
