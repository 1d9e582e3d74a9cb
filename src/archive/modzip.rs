//! Unpacking a zip of a Go SDK safely: the module zips a GOPROXY serves for
//! `golang.org/toolchain` (and, with other [`ZipRules`], go.dev's `.zip` archives).
//!
//! A zip needs its central directory, which sits at its end, so it is unpacked from a file
//! (the spooled download), not a stream. Every entry is checked before anything is
//! written, with Go's own rules for module zips (`golang.org/x/mod/zip`): each name lives
//! under the one expected top folder, is clean (no `..`, no `.` elements, no leading `/`,
//! no `//`), uses only the characters Go allows in module file names (so no `\`, `:` or
//! control characters), is not a reserved Windows name, and collides with no other entry
//! even case-insensitively (module zips and SDK zips alike). Sizes are bounded (Go's
//! 500 MiB for a module; for a go.dev archive [`limits::SDK_ARCHIVE`], and its content by
//! [`limits::sdk_unpacked`], the same rule as a `.tar.gz`) and each entry may not inflate
//! past its declared size. Zip file modes are ignored, as Go ignores them: every
//! entry becomes a plain file (never a symlink or device), executable under `bin/` and
//! `pkg/tool/` like Go makes them after a toolchain download.
//!
//! While writing, the SHA-256 of every file is taken, so the caller gets the module's
//! `h1:` (see [`crate::archive::dirhash`]) from the same single pass.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use gv_core::{limits, platform};
use sha2::{Digest, Sha256};
use thiserror::Error;
use zip::CompressionMethod;
use zip::read::ZipReadOptions;

use crate::archive::dirhash::{self, FileSum};

#[derive(Debug, Error)]
pub enum ZipError {
    #[error("refusing zip entry `{entry}`: {reason}")]
    Unsafe { entry: String, reason: String },
    #[error("the zip is damaged: {0}")]
    Corrupt(String),
    #[error("the zip is too large: {0}")]
    TooLarge(String),
    #[error("cannot read {path}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}")]
    Write { path: PathBuf, source: io::Error },
}

/// How a particular kind of SDK zip is laid out.
#[derive(Debug, Clone)]
pub struct ZipRules {
    /// The folder every entry lives under, with its trailing `/`:
    /// `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/` or `go/`.
    pub prefix: String,
    /// Module-zip rules: a `go.mod` only at the top (a nested one would split the module),
    /// and every `_go.mod` written back as `go.mod`, which is what the module zip renamed
    /// (and what Go copies back after a toolchain download).
    pub module: bool,
    /// The most the zip may hold ([`ZipRules::content_limit`] bounds what it unpacks to).
    pub max_size: u64,
}

impl ZipRules {
    /// The rules of `golang.org/toolchain@<version>` module zips.
    pub fn toolchain_module(module_version: &str) -> ZipRules {
        ZipRules {
            prefix: format!("golang.org/toolchain@{module_version}/"),
            module: true,
            max_size: limits::MODULE_ZIP,
        }
    }

    /// The rules of go.dev's `.zip` archives (Windows): one top folder `go/`, names as
    /// strict as a module's, since the same SDK is published as a module zip too.
    pub fn sdk_archive() -> ZipRules {
        ZipRules {
            prefix: "go/".to_string(),
            module: false,
            max_size: limits::SDK_ARCHIVE,
        }
    }

    /// What a zip of `zip_len` bytes may unpack to: Go's 500 MiB for a module, the
    /// `.tar.gz` rule for an SDK archive.
    pub fn content_limit(&self, zip_len: u64) -> u64 {
        if self.module {
            limits::MODULE_ZIP
        } else {
            limits::sdk_unpacked(Some(zip_len))
        }
    }

    fn limit(&self, zip_len: u64) -> String {
        if self.module {
            "Go's limit for a module is 500 MiB".to_string()
        } else {
            format!(
                "gv's limit for an SDK zip is {}, and for what one of {zip_len} bytes unpacks to {}",
                limits::human(self.max_size),
                limits::human(self.content_limit(zip_len))
            )
        }
    }
}

#[derive(Debug, Clone)]
pub struct Unzipped {
    pub files: u64,
    pub bytes: u64,
    /// The `h1:` of the zip's content, exactly as `go mod download` computes it.
    pub h1: String,
}

/// One entry, checked, and what to do with it.
struct Planned {
    index: usize,
    name: String,
    size: u64,
    /// Where it goes under `dest`; `None` for directory entries (hashed, not written).
    out: Option<PathBuf>,
    exec: bool,
}

/// Unpacks `zip` into the existing, empty directory `dest`. Nothing is written before
/// every entry passed the checks; on an error the caller removes `dest`. `progress` is
/// told the number of bytes written so far.
pub fn unpack(
    zip: &Path,
    dest: &Path,
    rules: &ZipRules,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Unzipped, ZipError> {
    let read_err = |source| ZipError::Read {
        path: zip.to_path_buf(),
        source,
    };
    let file = File::open(zip).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    if len > rules.max_size {
        return Err(ZipError::TooLarge(format!(
            "{len} bytes ({})",
            rules.limit(len)
        )));
    }
    let reader = At::new(Arc::new(file));
    let archive =
        zip::ZipArchive::new(reader.clone()).map_err(|e| ZipError::Corrupt(e.to_string()))?;
    if archive.len() > limits::ZIP_ENTRIES {
        return Err(ZipError::TooLarge(format!("{} entries", archive.len())));
    }
    if archive.has_duplicate_names() {
        return Err(ZipError::Corrupt(
            "two entries have the same name".to_string(),
        ));
    }
    let plan = check(&archive, rules, len)?;

    // Directories first, one thread: the workers then only create files.
    let mut dirs = BTreeSet::new();
    for p in &plan {
        if let Some(parent) = p.out.as_ref().and_then(|o| o.parent()) {
            dirs.insert(parent.to_path_buf());
        }
    }
    for dir in dirs {
        let path = dest.join(dir);
        platform::create_shared_dir_all(&path)
            .map_err(|source| ZipError::Write { path, source })?;
    }

    let sums = extract(&archive, &plan, dest, progress)?;
    let bytes = plan.iter().map(|p| p.size).sum();
    let files = plan.iter().filter(|p| p.out.is_some()).count() as u64;
    let mut sums: Vec<FileSum> = plan
        .iter()
        .zip(sums)
        .map(|(p, sha256)| FileSum {
            name: p.name.clone(),
            sha256,
        })
        .collect();
    let h1 = dirhash::hash1(&mut sums).ok_or_else(|| ZipError::Unsafe {
        entry: "(a name)".to_string(),
        reason: "it contains a newline".to_string(),
    })?;
    Ok(Unzipped { files, bytes, h1 })
}

/// Checks every entry against the rules (names, sizes, methods) without writing anything.
fn check(
    archive: &zip::ZipArchive<At>,
    rules: &ZipRules,
    zip_len: u64,
) -> Result<Vec<Planned>, ZipError> {
    let max_content = rules.content_limit(zip_len);
    let mut plan = Vec::with_capacity(archive.len());
    // Lower-cased paths already seen, and whether each is a directory: two names that
    // differ only in case would overwrite each other on macOS and Windows.
    let mut seen: HashMap<String, bool> = HashMap::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|e| ZipError::Corrupt(e.to_string()))?;
        let raw = entry.name_raw();
        let shown = String::from_utf8_lossy(raw).into_owned();
        let unsafe_entry = |reason: String| ZipError::Unsafe {
            entry: shown.clone(),
            reason,
        };
        let name = std::str::from_utf8(raw)
            .map_err(|_| unsafe_entry("the name is not UTF-8".to_string()))?
            .to_string();
        let rel = name.strip_prefix(&rules.prefix).ok_or_else(|| {
            unsafe_entry(format!(
                "it is outside the zip's top folder {}",
                rules.prefix
            ))
        })?;
        if entry.encrypted() {
            return Err(unsafe_entry("it is encrypted".to_string()));
        }
        if !matches!(
            entry.compression(),
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(unsafe_entry(format!(
                "unsupported compression {:?} (SDK zips use deflate)",
                entry.compression()
            )));
        }
        let size = entry.size();
        total = total
            .checked_add(size)
            .filter(|t| *t <= max_content)
            .ok_or_else(|| {
                ZipError::TooLarge(format!(
                    "its content adds up to more ({})",
                    rules.limit(zip_len)
                ))
            })?;
        if rel.is_empty() {
            plan.push(Planned {
                index,
                name,
                size,
                out: None,
                exec: false,
            });
            continue;
        }
        let (rel, is_dir) = match rel.strip_suffix('/') {
            Some(dir) => (dir, true),
            None => (rel, false),
        };
        check_file_path(rel).map_err(|r| unsafe_entry(r.to_string()))?;
        let mut out_rel = rel.to_string();
        if rules.module && !is_dir {
            let base = rel.rsplit('/').next().unwrap_or(rel);
            if base.eq_ignore_ascii_case("go.mod") && rel != "go.mod" {
                return Err(unsafe_entry(
                    "a go.mod below the top folder (module zips rename them _go.mod)".into(),
                ));
            }
            if base == "_go.mod" {
                out_rel = format!("{}go.mod", &rel[..rel.len() - "_go.mod".len()]);
            }
        }
        // A file must not share a path with another file or a directory, nor sit inside
        // something that is a file; compared case-insensitively, on the written name.
        let folded = out_rel.to_lowercase();
        let mut prefix_end = 0;
        while let Some(i) = folded[prefix_end..].find('/') {
            let parent = &folded[..prefix_end + i];
            if seen.get(parent) == Some(&false) {
                return Err(unsafe_entry(format!(
                    "it would be written inside the file {parent}"
                )));
            }
            seen.insert(parent.to_string(), true);
            prefix_end += i + 1;
        }
        match seen.get(&folded) {
            Some(true) if is_dir => {}
            Some(_) => {
                return Err(unsafe_entry(
                    "another entry has the same name (ignoring case)".to_string(),
                ));
            }
            None => {}
        }
        seen.insert(folded, is_dir);
        let exec = !is_dir && (out_rel.starts_with("bin/") || out_rel.starts_with("pkg/tool/"));
        plan.push(Planned {
            index,
            name,
            size,
            out: (!is_dir).then(|| PathBuf::from(out_rel)),
            exec,
        });
    }
    Ok(plan)
}

/// Go's rules for file paths in module zips (`module.CheckFilePath`).
fn check_file_path(rel: &str) -> Result<(), &'static str> {
    if rel.starts_with('/') {
        return Err("the path is absolute");
    }
    if rel.contains("//") {
        return Err("the path has an empty element");
    }
    for elem in rel.split('/') {
        if elem.is_empty() {
            return Err("the path has an empty element");
        }
        if elem.bytes().all(|b| b == b'.') {
            return Err("the path contains `.` or `..`");
        }
        if elem.ends_with('.') {
            return Err("a path element ends with a dot");
        }
        if !elem.chars().all(file_name_char_ok) {
            return Err("the path has a character Go does not allow in module files");
        }
        let short = elem.split('.').next().unwrap_or(elem);
        if WINDOWS_RESERVED
            .iter()
            .any(|bad| bad.eq_ignore_ascii_case(short))
        {
            return Err("a path element is a reserved name on Windows");
        }
    }
    Ok(())
}

fn file_name_char_ok(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
    } else {
        c.is_alphabetic()
    }
}

const WINDOWS_RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Inflates, hashes and writes the planned entries on a few threads (each with its own
/// reader over the same file); returns each entry's SHA-256, in plan order.
fn extract(
    archive: &zip::ZipArchive<At>,
    plan: &[Planned],
    dest: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<[u8; 32]>, ZipError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let written = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    type Done = Vec<(usize, [u8; 32])>;
    let results: Vec<Result<Done, ZipError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let mut archive = archive.clone();
                let (next, written, failed) = (&next, &written, &failed);
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let mut buf = vec![0u8; 128 * 1024];
                    loop {
                        if failed.load(Ordering::Relaxed) {
                            return Ok(done);
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(p) = plan.get(i) else {
                            return Ok(done);
                        };
                        match extract_one(&mut archive, p, dest, &mut buf, written, progress) {
                            Ok(sum) => done.push((i, sum)),
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(ZipError::Corrupt("an unpacking thread panicked".into()))
                })
            })
            .collect()
    });
    let mut sums = vec![[0u8; 32]; plan.len()];
    for result in results {
        for (i, sum) in result? {
            sums[i] = sum;
        }
    }
    Ok(sums)
}

fn extract_one(
    archive: &mut zip::ZipArchive<At>,
    p: &Planned,
    dest: &Path,
    buf: &mut [u8],
    written: &AtomicU64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<[u8; 32], ZipError> {
    let corrupt = |e: &dyn std::fmt::Display| ZipError::Corrupt(format!("{}: {e}", p.name));
    let options = ZipReadOptions::new().enforce_header_consistency(true);
    let mut entry = archive
        .by_index_with_options(p.index, options)
        .map_err(|e| corrupt(&e))?;
    let mut out = match &p.out {
        Some(rel) => {
            let path = dest.join(rel);
            let file = platform::create_new_file(&path, p.exec)
                .map_err(|source| ZipError::Write { path, source })?;
            Some(file)
        }
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut got: u64 = 0;
    loop {
        let n = match entry.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(&e)),
        };
        got += n as u64;
        if got > p.size {
            return Err(corrupt(&format!(
                "it inflates past its declared size of {} bytes",
                p.size
            )));
        }
        hasher.update(&buf[..n]);
        if let (Some(file), Some(rel)) = (&mut out, &p.out) {
            file.write_all(&buf[..n])
                .map_err(|source| ZipError::Write {
                    path: dest.join(rel),
                    source,
                })?;
        }
        progress(written.fetch_add(n as u64, Ordering::Relaxed) + n as u64);
    }
    if got != p.size {
        return Err(corrupt(&format!(
            "it holds {got} bytes, not the {} it declares",
            p.size
        )));
    }
    if let Some(file) = &out {
        crate::archive::untar::start_writeback(file);
    }
    Ok(hasher.finalize().into())
}

/// A cloneable, buffered reader over a shared file using positioned reads, so several
/// threads can read one zip without sharing a cursor (and without mapping it, which
/// would count the whole zip against gv's memory).
struct At {
    file: Arc<File>,
    pos: u64,
    buf: Vec<u8>,
    buf_start: u64,
    buf_len: usize,
}

impl At {
    const CAPACITY: usize = 64 * 1024;

    fn new(file: Arc<File>) -> At {
        At {
            file,
            pos: 0,
            buf: Vec::new(),
            buf_start: 0,
            buf_len: 0,
        }
    }
}

impl Clone for At {
    fn clone(&self) -> At {
        At::new(self.file.clone())
    }
}

impl Read for At {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let in_buf = self.pos >= self.buf_start && self.pos < self.buf_start + self.buf_len as u64;
        if !in_buf {
            if out.len() >= Self::CAPACITY {
                let n = platform::read_at(&self.file, out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            if self.buf.is_empty() {
                // Zeroed by the allocator, not byte by byte.
                self.buf = vec![0u8; Self::CAPACITY];
            }
            self.buf_len = platform::read_at(&self.file, &mut self.buf, self.pos)?;
            self.buf_start = self.pos;
            if self.buf_len == 0 {
                return Ok(0);
            }
        }
        let offset = (self.pos - self.buf_start) as usize;
        let n = out.len().min(self.buf_len - offset);
        out[..n].copy_from_slice(&self.buf[offset..offset + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for At {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.file.metadata()?.len();
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::other("seek before the start of the zip"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_follow_gos_rules() {
        for ok in [
            "bin/go",
            "src/cmd/go/testdata/script/mod_get_~1.txt",
            "lib/time/zoneinfo.zip",
            "src/_go.mod",
            "a b/c(1)",
            "ünïcödé/x",
        ] {
            assert!(check_file_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "../escape",
            "a/../b",
            "a/./b",
            "a//b",
            "a\\b",
            "c:/x",
            "nul.txt",
            "COM1",
            "trailing.",
            "bell\x07",
            "tab\there",
            "",
        ] {
            assert!(check_file_path(bad).is_err(), "{bad:?}");
        }
    }
}

/// The SDK-zip and module-zip readers on generated zips: entries with hostile names
/// (`..`, absolute, reserved, case twins, control characters, outside the top folder),
/// both methods, any content, then a byte changed anywhere (headers, central directory,
/// sizes). Each zip unpacks or fails with a `ZipError`; nothing panics, nothing lands
/// outside the target, and no more is written than the zip declared and holds.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;
    use zip::write::SimpleFileOptions;

    const MODULE: &str = "v0.0.1-go1.22.10.linux-amd64";

    fn name() -> impl Strategy<Value = String> {
        let top = proptest::sample::select(vec![
            "go/".to_string(),
            format!("golang.org/toolchain@{MODULE}/"),
            String::new(),
            "/".to_string(),
        ]);
        let rest = prop_oneof![
            proptest::sample::select(vec![
                "bin/go", "BIN/GO", "bin/", "../x", "a/../b", "nul.txt", "COM1", "go.mod",
                "a/go.mod", "_go.mod", "a:b", "a\\b", "x.", "a//b", "tab\tx", "",
            ])
            .prop_map(str::to_string),
            "[a-zA-Z0-9_./-]{0,24}",
            "\\PC{0,6}",
        ];
        (top, rest).prop_map(|(t, r)| format!("{t}{r}"))
    }

    fn zip_of(entries: &[(String, Vec<u8>, bool)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, deflate) in entries {
            let method = if *deflate {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            };
            let options = SimpleFileOptions::default().compression_method(method);
            // The writer refuses some names (duplicates): those entries are left out.
            if w.start_file(name.as_str(), options).is_ok() {
                let _ = w.write_all(data);
            }
        }
        w.finish().map(Cursor::into_inner).unwrap_or_default()
    }

    fn unpacks_inside_or_fails_typed(zip: &[u8], rules: &ZipRules) -> Result<(), TestCaseError> {
        let root = crate::fsutil::scratch_dir();
        let file = root.path().join("a.zip");
        std::fs::write(&file, zip).unwrap();
        let dest = root.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        match unpack(&file, &dest, rules, &|_| {}) {
            Ok(done) => prop_assert!(done.bytes <= rules.content_limit(zip.len() as u64)),
            Err(
                ZipError::Unsafe { .. }
                | ZipError::Corrupt(_)
                | ZipError::TooLarge(_)
                | ZipError::Read { .. }
                | ZipError::Write { .. },
            ) => {}
        }
        let mut outside: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        outside.sort();
        prop_assert_eq!(
            outside,
            vec![
                std::ffi::OsString::from("a.zip"),
                std::ffi::OsString::from("dest")
            ]
        );
        Ok(())
    }

    fn damaged(
        entries: &[(String, Vec<u8>, bool)],
        damage: Option<(proptest::sample::Index, u8)>,
    ) -> Vec<u8> {
        let mut zip = zip_of(entries);
        if let Some((at, byte)) = damage
            && !zip.is_empty()
        {
            let at = at.index(zip.len());
            zip[at] = byte;
        }
        zip
    }

    proptest! {
        #![proptest_config(crate::test_config::proptest_on_files())]

        #[test]
        fn any_sdk_zip_unpacks_inside_or_fails_typed(
            entries in proptest::collection::vec(
                (name(), proptest::collection::vec(any::<u8>(), 0..300), any::<bool>()), 0..5),
            damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        ) {
            unpacks_inside_or_fails_typed(&damaged(&entries, damage), &ZipRules::sdk_archive())?;
        }

        #[test]
        fn any_module_zip_unpacks_inside_or_fails_typed(
            entries in proptest::collection::vec(
                (name(), proptest::collection::vec(any::<u8>(), 0..300), any::<bool>()), 0..5),
            damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        ) {
            unpacks_inside_or_fails_typed(
                &damaged(&entries, damage),
                &ZipRules::toolchain_module(MODULE),
            )?;
        }
    }
}
