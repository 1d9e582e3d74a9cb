//! Things worth saying once, not at every `go` call and every prompt: a gv.toml that is
//! not trusted, a key it cannot set, a pin file another user planted.
//!
//! Each notice is about one file. The shim and the hook show a file's notices when they
//! are new — the first time, or after the file or the notices changed — and record in
//! `$GV_ROOT/.hints/notices/` that they did. `gv env`, `gv current` and `gv doctor` show
//! them all, always.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::store::Store;

/// One thing to tell the user, about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The file the notice is about; a new version of it makes the notice new again.
    pub about: PathBuf,
    pub text: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Notice {
    pub fn new(about: impl Into<PathBuf>, text: impl Into<String>) -> Notice {
        Notice {
            about: about.into(),
            text: text.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Notice {
        self.hint = Some(hint.into());
        self
    }

    /// A notice about `about` saying what an error's report says.
    pub fn of_report(about: impl Into<PathBuf>, report: crate::error::Report) -> Notice {
        Notice {
            about: about.into(),
            text: report.message,
            hint: report.hint,
        }
    }
}

/// The text, and the hint on a line of its own (as a [`crate::error::Report`] shows it).
/// Each is one line: a notice quotes paths and values from projects, and a newline in
/// one of them must not print a line of its own that looks like gv's.
impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let report = crate::error::Report {
            message: crate::text::one_line(&self.text).into_owned(),
            hint: self
                .hint
                .as_deref()
                .map(|h| crate::text::one_line(h).into_owned()),
        };
        report.fmt(f)
    }
}

/// Appends `text` to the message log, when `GV_MESSAGE_LOG` names one. Best effort.
pub fn log_message(text: &str) {
    let Some(path) = crate::process::var_os(crate::vars::MESSAGE_LOG).filter(|p| !p.is_empty())
    else {
        return;
    };
    let record = format!("{text}\n\u{1e}\n");
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, record.as_bytes()));
}

/// The notices not shown before for the current version of their file, in order; records
/// them as shown. Recording is best effort: when the store cannot be written, a notice
/// simply shows again next time.
pub fn unseen(store: &Store, notices: Vec<Notice>) -> Vec<Notice> {
    let fresh: Vec<PathBuf> = by_file(&notices)
        .filter(|(file, digest)| {
            let marker = marker(store, file);
            if std::fs::read_to_string(&marker).is_ok_and(|seen| seen.trim() == digest) {
                return false;
            }
            record(&marker, digest);
            true
        })
        .map(|(file, _)| file.to_path_buf())
        .collect();
    notices
        .into_iter()
        .filter(|n| fresh.contains(&n.about))
        .collect()
}

/// Records `notices` as shown, for a command that has just shown them itself, so that
/// the hook run that follows does not repeat them.
pub fn mark_seen(store: &Store, notices: &[Notice]) {
    for (file, digest) in by_file(notices) {
        record(&marker(store, file), &digest);
    }
}

/// Each file the notices are about, with the digest of what they say about it.
fn by_file(notices: &[Notice]) -> impl Iterator<Item = (&Path, String)> {
    let mut files: Vec<&Path> = notices.iter().map(|n| n.about.as_path()).collect();
    files.sort();
    files.dedup();
    files.into_iter().map(move |file| {
        let texts = notices
            .iter()
            .filter(|n| n.about == *file)
            .map(ToString::to_string);
        (file, digest(file, texts))
    })
}

/// What was said about `file`, and which version of it: the file's stamp plus the texts.
fn digest(file: &Path, texts: impl Iterator<Item = String>) -> String {
    let mut hash = Sha256::new();
    hash.update(file.as_os_str().as_encoded_bytes());
    let stamp = std::fs::metadata(file)
        .map(|m| crate::platform::stamp(&m).encode())
        .unwrap_or_default();
    hash.update(b"\0");
    hash.update(stamp.as_bytes());
    for text in texts {
        hash.update(b"\0");
        hash.update(text.as_bytes());
    }
    hex(&hash.finalize()[..16])
}

fn marker(store: &Store, file: &Path) -> PathBuf {
    let key = Sha256::digest(file.as_os_str().as_encoded_bytes());
    store.notices_dir().join(hex(&key[..12]))
}

fn record(marker: &Path, digest: &str) {
    let Some(dir) = marker.parent() else { return };
    if crate::platform::create_private_dir(dir).is_err() {
        return;
    }
    let tmp = marker.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, format!("{digest}\n")).is_ok() && std::fs::rename(&tmp, marker).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_notice_shows_once_per_version_of_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("store"));
        let file = dir.path().join("gv.toml");
        std::fs::write(&file, "a = 1\n").unwrap();
        let notices = || {
            vec![
                Notice::new(&file, "first"),
                Notice::new(&file, "second"),
                Notice::new(dir.path().join("other"), "third"),
            ]
        };
        assert_eq!(unseen(&store, notices()).len(), 3);
        assert!(unseen(&store, notices()).is_empty(), "shown once");
        // The file changes: its notices are new again; the other file's are not.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "a = 22\n").unwrap();
        let again = unseen(&store, notices());
        assert_eq!(
            again.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["first", "second"]
        );
        // A different text about the same file is new too.
        let changed = vec![Notice::new(&file, "first, reworded")];
        assert_eq!(unseen(&store, changed).len(), 1);
    }
}
