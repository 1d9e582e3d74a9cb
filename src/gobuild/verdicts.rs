//! Verdicts gv build already reached: a binary it verified and put in place is not read
//! again while it is the same binary. "The same" is the Go build ID (a hash of everything
//! that went into the link, and of the result), the size and the modification time, for
//! the same expectation and the same gv; a record is kept per destination and sealed
//! ([`super::memo`]), so an edited record, a changed binary or a newer gv means the
//! binary is verified again.

use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::memo::{self, Memo};
use crate::inspect::Expectation;

/// What identifies a binary on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub build_id: String,
    pub size: u64,
    /// Modification time, nanoseconds since 1970.
    pub mtime: u128,
}

impl Stamp {
    /// The stamp of the binary at `path`; `None` without a Go build ID.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let build_id = crate::inspect::go_build_id(path)?;
        Some(Stamp {
            build_id,
            size: meta.len(),
            mtime: mtime(&meta)?,
        })
    }

    /// The same binary, whatever its modification time.
    pub fn same_binary(&self, other: &Stamp) -> bool {
        self.build_id == other.build_id && self.size == other.size
    }
}

pub fn mtime(meta: &std::fs::Metadata) -> Option<u128> {
    Some(
        meta.modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos(),
    )
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    gv: String,
    expect: Expectation,
    stamp: Stamp,
    /// What the DWARF holds, in the words of the verdict line.
    detail: String,
}

pub struct Verdicts {
    memo: Memo,
}

impl Verdicts {
    pub fn open() -> Option<Verdicts> {
        Memo::open("verdicts").map(|memo| Verdicts { memo })
    }

    #[cfg(test)]
    pub fn open_in(root: &Path) -> Option<Verdicts> {
        Memo::open_in(root, "verdicts").map(|memo| Verdicts { memo })
    }

    fn name(dest: &Path, expect: Expectation) -> String {
        memo::name_of(&[
            dest.as_os_str().as_encoded_bytes(),
            expect.name().as_bytes(),
        ])
    }

    /// The detail of the verdict recorded for `dest` when it was exactly `stamp`.
    pub fn recall(&self, dest: &Path, expect: Expectation, stamp: &Stamp) -> Option<String> {
        let record: Record = self.memo.get(&Verdicts::name(dest, expect))?;
        (record.gv == env!("CARGO_PKG_VERSION")
            && record.expect == expect
            && record.stamp == *stamp)
            .then_some(record.detail)
    }

    /// `dest`, now `stamp`, meets `expect`.
    pub fn remember(&self, dest: &Path, expect: Expectation, stamp: Stamp, detail: &str) {
        let record = Record {
            gv: env!("CARGO_PKG_VERSION").to_string(),
            expect,
            stamp,
            detail: detail.to_string(),
        };
        self.memo.put(&Verdicts::name(dest, expect), &record);
    }

    /// Whatever was recorded for `dest` no longer holds.
    pub fn forget(&self, dest: &Path, expect: Expectation) {
        self.memo.remove(&Verdicts::name(dest, expect));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(id: &str, size: u64, mtime: u128) -> Stamp {
        Stamp {
            build_id: id.into(),
            size,
            mtime,
        }
    }

    #[test]
    fn a_verdict_holds_only_for_the_same_binary_and_expectation() {
        let root = tempfile::tempdir().unwrap();
        let verdicts = Verdicts::open_in(root.path()).unwrap();
        let dest = Path::new("/p/app");
        let s = stamp("a/b", 10, 5);
        verdicts.remember(dest, Expectation::Debug, s.clone(), "DWARF 4");
        assert_eq!(
            verdicts.recall(dest, Expectation::Debug, &s).as_deref(),
            Some("DWARF 4")
        );
        for other in [
            stamp("a/c", 10, 5),
            stamp("a/b", 11, 5),
            stamp("a/b", 10, 6),
        ] {
            assert_eq!(verdicts.recall(dest, Expectation::Debug, &other), None);
        }
        assert_eq!(verdicts.recall(dest, Expectation::Dwarf, &s), None);
        assert_eq!(
            verdicts.recall(Path::new("/p/other"), Expectation::Debug, &s),
            None
        );
        verdicts.forget(dest, Expectation::Debug);
        assert_eq!(verdicts.recall(dest, Expectation::Debug, &s), None);
    }
}
