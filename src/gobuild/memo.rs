//! What gv remembers between builds (verified binaries, `go list` answers), sealed so
//! that a record someone edited is ignored: each record carries an HMAC-SHA256 of its
//! text under a random key kept beside the records (cache `build/key`, in a directory
//! only its owner can enter). A record that is missing, unreadable, too large or whose
//! seal does not match is simply not there: the work it would have saved is done again,
//! so a memo can make a build faster but never change its answer.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use ring::hmac;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// No record is anywhere near this; a larger file is not one gv wrote.
const RECORD_LIMIT: u64 = 16 << 20;

pub struct Memo {
    dir: PathBuf,
    key: hmac::Key,
}

impl Memo {
    /// The records of `kind` under the cache's build directory; `None` when the cache
    /// cannot be used (no cache directory, a read-only one): builds then remember nothing.
    pub fn open(kind: &str) -> Option<Memo> {
        let cache = gv_core::store::Cache::from_env().ok()?;
        Memo::open_in(&cache.build_memos(), kind)
    }

    pub fn open_in(root: &Path, kind: &str) -> Option<Memo> {
        gv_core::platform::create_private_dir(root).ok()?;
        let key = key(&root.join("key"))?;
        let dir = root.join(kind);
        std::fs::create_dir_all(&dir).ok()?;
        Some(Memo {
            dir,
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
        })
    }

    /// The record `name`, if there is one whose seal matches.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let mut text = String::new();
        std::fs::File::open(self.dir.join(name))
            .ok()?
            .take(RECORD_LIMIT)
            .read_to_string(&mut text)
            .ok()?;
        let (tag, body) = text.split_once('\n')?;
        let tag = hex_decode(tag)?;
        hmac::verify(&self.key, body.as_bytes(), &tag).ok()?;
        serde_json::from_str(body).ok()
    }

    /// Records `value` as `name`, replacing any record of that name in one rename.
    /// Failing to remember is not an error: the next build does the work again.
    pub fn put<T: Serialize>(&self, name: &str, value: &T) {
        let Ok(body) = serde_json::to_string(value) else {
            return;
        };
        let tag = hmac::sign(&self.key, body.as_bytes());
        let text = format!("{}\n{body}", hex(tag.as_ref()));
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, self.dir.join(name)).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Forgets the record `name`.
    pub fn remove(&self, name: &str) {
        let _ = std::fs::remove_file(self.dir.join(name));
    }
}

/// A record's file name for `parts`: a hash, so any text can key a record.
pub fn name_of(parts: &[&[u8]]) -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex(&hash.finalize()[..16])
}

/// The sealing key: read, or made once (32 random bytes) and published with a hard link,
/// which never replaces a key another gv made first.
fn key(path: &Path) -> Option<Vec<u8>> {
    if let Ok(key) = std::fs::read(path)
        && key.len() == 32
    {
        return Some(key);
    }
    let mut fresh = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut fresh).ok()?;
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, fresh).ok()?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Some(fresh.to_vec()),
        // Another gv made one first, or a damaged one is in the way: theirs wins if it
        // is sound; a damaged key is replaced.
        Err(_) => match std::fs::read(path) {
            Ok(key) if key.len() == 32 => Some(key),
            _ => {
                std::fs::write(path, fresh).ok()?;
                Some(fresh.to_vec())
            }
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_someone_edited_is_not_there() {
        let root = tempfile::tempdir().unwrap();
        let memo = Memo::open_in(root.path(), "verdicts").unwrap();
        memo.put("a", &vec!["passed".to_string()]);
        assert_eq!(memo.get::<Vec<String>>("a"), Some(vec!["passed".into()]));
        // The same key on the next run.
        let again = Memo::open_in(root.path(), "verdicts").unwrap();
        assert_eq!(again.get::<Vec<String>>("a"), Some(vec!["passed".into()]));
        let file = root.path().join("verdicts/a");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("passed", "forged")).unwrap();
        assert_eq!(memo.get::<Vec<String>>("a"), None);
        // A record sealed with another key (another cache's) is not trusted either.
        let other = tempfile::tempdir().unwrap();
        let foreign = Memo::open_in(other.path(), "verdicts").unwrap();
        foreign.put("a", &vec!["passed".to_string()]);
        std::fs::copy(other.path().join("verdicts/a"), &file).unwrap();
        assert_eq!(memo.get::<Vec<String>>("a"), None);
        // Garbage, and nothing at all.
        std::fs::write(&file, "zz\n[]").unwrap();
        assert_eq!(memo.get::<Vec<String>>("a"), None);
        memo.remove("a");
        assert_eq!(memo.get::<Vec<String>>("a"), None);
    }

    #[test]
    fn names_separate_their_parts() {
        assert_ne!(name_of(&[b"ab", b"c"]), name_of(&[b"a", b"bc"]));
        assert_eq!(name_of(&[b"x"]).len(), 32);
    }
}
