//! Unpacking a Go SDK archive safely. Official archives hold one top folder, `go/`, whose
//! contents become the GOROOT. Anything that could write outside the target is refused
//! (not skipped): absolute paths, `..`, entries outside `go/`, links that escape, entries
//! written through a symlink, device files and FIFOs. Exec bits are kept; everything
//! else gets plain 0644/0755 permissions (no setuid, no world-writable files).
//!
//! Links are judged against the tree as unpacked, not as text: a symlink may point at
//! another symlink, so once every entry is in, each link is resolved through the links
//! the archive made, and the whole archive is refused if one ends up outside. Hard links
//! never resolve through a symlink.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use gv_core::platform;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum UnpackError {
    #[error("refusing archive entry `{entry}`: {reason}")]
    Unsafe { entry: String, reason: String },
    #[error("the archive is damaged or not a .tar.gz: {0}")]
    Corrupt(io::Error),
    #[error("cannot write {path}")]
    Write { path: PathBuf, source: io::Error },
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Unpacked {
    pub files: u64,
    pub bytes: u64,
}

/// Unpacks the tar stream `reader` (already decompressed) into the existing directory
/// `dest`, stripping the top `go/` folder.
pub fn unpack(reader: impl Read, dest: &Path) -> Result<Unpacked, UnpackError> {
    let mut archive = tar::Archive::new(reader);
    let mut made_dirs: HashSet<PathBuf> = HashSet::new();
    // Every symlink the archive made (relative path in the GOROOT → its target).
    let mut symlinks: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut stats = Unpacked::default();
    let mut buf = vec![0u8; 128 * 1024];
    for entry in archive.entries().map_err(UnpackError::Corrupt)? {
        let mut entry = entry.map_err(UnpackError::Corrupt)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let unsafe_entry = |reason: &str| UnpackError::Unsafe {
            entry: name.clone(),
            reason: reason.to_string(),
        };
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let rel = inside_go(&entry.path_bytes()).map_err(&unsafe_entry)?;
        if rel.as_os_str().is_empty() {
            continue; // the `go/` folder itself
        }
        if rel.ancestors().skip(1).any(|a| symlinks.contains_key(a)) {
            return Err(unsafe_entry("it would be written through a symbolic link"));
        }
        let path = dest.join(&rel);
        let parent = path.parent().unwrap_or(dest);
        if kind.is_dir() {
            make_dirs(&path, &mut made_dirs)?;
            continue;
        }
        make_dirs(parent, &mut made_dirs)?;
        // A later entry may replace an earlier one (tar semantics), but never by writing
        // through whatever is there.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&path).map_err(|source| write_err(&path, source))?;
            symlinks.remove(&rel);
        }
        if kind.is_file() || kind == tar::EntryType::Continuous {
            let exec = entry.header().mode().map_err(UnpackError::Corrupt)? & 0o111 != 0;
            let mut file = platform::create_new_file(&path, exec)
                .map_err(|source| write_err(&path, source))?;
            loop {
                let n = match entry.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(UnpackError::Corrupt(e)),
                };
                file.write_all(&buf[..n])
                    .map_err(|source| write_err(&path, source))?;
                stats.bytes += n as u64;
            }
            if let Ok(mtime) = entry.header().mtime() {
                let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
                let _ = file.set_modified(when);
            }
            start_writeback(&file);
            stats.files += 1;
        } else if kind.is_symlink() {
            let target = entry
                .link_name_bytes()
                .ok_or_else(|| unsafe_entry("symbolic link without a target"))?;
            let target = PathBuf::from(String::from_utf8_lossy(&target).into_owned());
            if !link_stays_inside(&rel, &target) {
                return Err(unsafe_entry(&format!(
                    "symbolic link to `{}` points outside the SDK",
                    target.display()
                )));
            }
            platform::symlink(&target, &path).map_err(|source| write_err(&path, source))?;
            symlinks.insert(rel, target);
        } else if kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .ok_or_else(|| unsafe_entry("hard link without a target"))?;
            let target_rel = inside_go(&target).map_err(|r| {
                unsafe_entry(&format!(
                    "hard link to `{}`: {r}",
                    String::from_utf8_lossy(&target)
                ))
            })?;
            // Through a symlinked directory, the "same file" could be one outside the SDK.
            if target_rel.ancestors().any(|a| symlinks.contains_key(a)) {
                return Err(unsafe_entry("hard link through a symbolic link"));
            }
            let source = dest.join(&target_rel);
            let is_plain_file = std::fs::symlink_metadata(&source).is_ok_and(|m| m.is_file());
            if !is_plain_file {
                return Err(unsafe_entry(
                    "hard link to something that is not a file unpacked earlier",
                ));
            }
            std::fs::hard_link(&source, &path).map_err(|source| write_err(&path, source))?;
        } else {
            return Err(unsafe_entry(
                "device files, FIFOs and other special files have no place in a Go SDK",
            ));
        }
    }
    for (link, target) in &symlinks {
        resolve_inside(link, target, &symlinks).map_err(|reason| UnpackError::Unsafe {
            entry: format!("go/{}", link.display()),
            reason: format!("symbolic link to `{}` {reason}", target.display()),
        })?;
    }
    Ok(stats)
}

/// How many links one lookup may pass through, as the kernel allows (Linux: 40).
const MAX_LINK_HOPS: usize = 40;

/// Resolves the symlink at `link` (relative to the GOROOT) with `target` through the
/// archive's other `links`, as the kernel would, and fails if any step leaves the GOROOT.
fn resolve_inside(
    link: &Path,
    target: &Path,
    links: &HashMap<PathBuf, PathBuf>,
) -> Result<(), &'static str> {
    let mut at: Vec<OsString> = link
        .parent()
        .map(|p| p.iter().map(OsString::from).collect())
        .unwrap_or_default();
    let mut todo: VecDeque<Component<'_>> = target.components().collect();
    let mut hops = 0;
    while let Some(component) = todo.pop_front() {
        match component {
            Component::RootDir | Component::Prefix(_) => return Err("points outside the SDK"),
            Component::CurDir => {}
            Component::ParentDir => {
                if at.pop().is_none() {
                    return Err("points outside the SDK (through the archive's other links)");
                }
            }
            Component::Normal(part) => {
                at.push(part.to_os_string());
                let here: PathBuf = at.iter().collect();
                if let Some(next) = links.get(&here) {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return Err("is part of a loop of links");
                    }
                    at.pop();
                    for c in next.components().rev() {
                        todo.push_front(c);
                    }
                }
            }
        }
    }
    Ok(())
}

fn write_err(path: &Path, source: io::Error) -> UnpackError {
    UnpackError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn make_dirs(dir: &Path, made: &mut HashSet<PathBuf>) -> Result<(), UnpackError> {
    if made.contains(dir) {
        return Ok(());
    }
    platform::create_shared_dir_all(dir).map_err(|source| write_err(dir, source))?;
    made.insert(dir.to_path_buf());
    Ok(())
}

/// The path of an entry relative to the archive's `go/` folder, if it is a plain
/// relative path inside it.
fn inside_go(raw: &[u8]) -> Result<PathBuf, &'static str> {
    let text = std::str::from_utf8(raw).map_err(|_| "the path is not UTF-8")?;
    let path = Path::new(text);
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("the path contains `..`"),
            Component::RootDir | Component::Prefix(_) => return Err("the path is absolute"),
        }
    }
    match parts.split_first() {
        Some((top, rest)) if *top == "go" => Ok(rest.iter().collect()),
        _ => Err("it is outside the archive's top folder go/"),
    }
}

/// Does a symlink at `link` (relative to the GOROOT) with `target` resolve inside it?
/// Judged on the text alone: together with refusing writes through symlinks, that is
/// enough.
fn link_stays_inside(link: &Path, target: &Path) -> bool {
    if target.has_root() {
        return false;
    }
    let mut depth: usize = link.components().count().saturating_sub(1);
    for component in target.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Starts writing a finished file back to disk without waiting (Linux's
/// `sync_file_range`), so the install's one sync at the end has little left to do.
pub(crate) use platform::start_writeback;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_go() {
        assert_eq!(inside_go(b"go/bin/go").unwrap(), Path::new("bin/go"));
        assert_eq!(inside_go(b"./go/src/").unwrap(), Path::new("src"));
        assert_eq!(inside_go(b"go/").unwrap(), Path::new(""));
        assert!(inside_go(b"go/../escape").is_err());
        assert!(inside_go(b"/etc/passwd").is_err());
        assert!(inside_go(b"other/file").is_err());
        assert!(inside_go(b"../go/x").is_err());
    }

    #[test]
    fn chains_of_links_are_resolved_through_each_other() {
        let links: HashMap<PathBuf, PathBuf> = [
            ("d0/d1/up", "../.."),
            ("escape", "d0/d1/up/../../etc"),
            ("fine", "d0/d1/up/bin/go"),
            ("loop1", "loop2"),
            ("loop2", "loop1"),
        ]
        .into_iter()
        .map(|(l, t)| (PathBuf::from(l), PathBuf::from(t)))
        .collect();
        let check = |l: &str| resolve_inside(Path::new(l), &links[Path::new(l)], &links);
        assert!(check("d0/d1/up").is_ok(), "go/d0/d1/up -> go/");
        assert!(check("fine").is_ok());
        assert!(check("escape").is_err(), "go/ -> .. -> outside");
        assert!(check("loop1").is_err());
    }

    #[test]
    fn symlinks_are_judged_from_where_they_live() {
        let link = |l: &str, t: &str| link_stays_inside(Path::new(l), Path::new(t));
        assert!(link("bin/gofmt", "../pkg/tool/gofmt"));
        assert!(link("misc/a/b", "../../src"));
        assert!(!link("misc/a/b", "../../../etc"));
        assert!(!link("evil", "/etc"));
        assert!(!link("evil", ".."));
        assert!(link("ok", "."));
    }
}

/// gv's unpacker on generated tar streams: headers with hostile names (absolute, `..`,
/// outside `go/`, NUL bytes), every entry type, links anywhere, sizes that lie, then a
/// byte changed. Each stream unpacks or fails with an `UnpackError`; nothing panics,
/// nothing lands outside the target, and no more is written than the stream held.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::sample::select(vec![
                "go/",
                "go/bin/",
                "go/bin/go",
                "go/VERSION",
                "go/a/b/c",
                "go/../x",
                "/etc/x",
                "other/x",
                "go/link/x",
                "go",
                "./go/x",
                "go//x",
                "go/./x",
                "",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
            "go/[a-z./]{0,20}".prop_map(String::into_bytes),
        ]
    }

    /// Name, type flag, mode, data, link name, and the size the header declares (`None`:
    /// the data's own).
    type RawEntry = (Vec<u8>, u8, u32, Vec<u8>, Vec<u8>, Option<u64>);

    fn entry() -> impl Strategy<Value = RawEntry> {
        (
            name(),
            proptest::sample::select(b"0123456789xgLKS\0".to_vec()),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..600),
            prop_oneof![
                proptest::sample::select(vec![
                    "../..",
                    "/etc",
                    "go/bin/go",
                    "bin/go",
                    "link",
                    "x/../../y",
                    ""
                ])
                .prop_map(|s| s.as_bytes().to_vec()),
                proptest::collection::vec(any::<u8>(), 0..40),
            ],
            proptest::option::of(any::<u64>()),
        )
    }

    /// A tar stream with exactly these raw headers (names as bytes, sizes as declared).
    fn tar(entries: &[RawEntry]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, kind, mode, data, link, declared) in entries {
            let mut header = tar::Header::new_gnu();
            {
                let gnu = header.as_gnu_mut().unwrap();
                let n = name.len().min(gnu.name.len());
                gnu.name[..n].copy_from_slice(&name[..n]);
                let l = link.len().min(gnu.linkname.len());
                gnu.linkname[..l].copy_from_slice(&link[..l]);
            }
            header.set_entry_type(tar::EntryType::new(*kind));
            header.set_mode(*mode);
            header.set_size(declared.unwrap_or(data.len() as u64));
            header.set_cksum();
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    proptest! {
        #![proptest_config(crate::test_config::proptest_on_files())]

        #[test]
        fn any_tar_unpacks_inside_or_fails_typed(
            entries in proptest::collection::vec(entry(), 0..5),
            damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        ) {
            let mut stream = tar(&entries);
            if let Some((at, byte)) = damage {
                let at = at.index(stream.len());
                stream[at] = byte;
            }
            let root = crate::fsutil::scratch_dir();
            let dest = root.path().join("dest");
            std::fs::create_dir(&dest).unwrap();
            match unpack(&stream[..], &dest) {
                Ok(stats) => prop_assert!(stats.bytes <= stream.len() as u64),
                Err(UnpackError::Unsafe { .. } | UnpackError::Corrupt(_) | UnpackError::Write { .. }) => {}
            }
            let outside: Vec<_> = std::fs::read_dir(root.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name())
                .collect();
            prop_assert_eq!(outside, vec![std::ffi::OsString::from("dest")]);
        }
    }
}
