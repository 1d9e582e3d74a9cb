//! Reading a Go binary the way a debugger would, to answer one question: can this binary be
//! debugged (or, for a release, is it stripped)? [`inspect`] reads ELF, Mach-O and PE with
//! `object`, the build info with [`buildinfo`], and the DWARF with [`dwarf`]; [`expect`]
//! turns the report into a verdict against a profile's expectation.

pub mod bounds;
pub mod buildinfo;
pub mod dwarf;
pub mod expect;
#[cfg(test)]
pub(crate) mod proptests;

use std::path::{Path, PathBuf};

use object::{Object, ObjectSection, ObjectSymbol};
use serde::Serialize;

pub use buildinfo::BuildInfo;
pub use dwarf::Dwarf;
pub use expect::{Expectation, Verdict};

/// Everything `gv verify` reports about one binary.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub path: PathBuf,
    /// `elf`, `macho` or `pe`.
    pub format: &'static str,
    pub arch: String,
    pub size: u64,
    pub build_info: Option<BuildInfo>,
    /// `None`: no DWARF at all.
    pub dwarf: Option<Dwarf>,
    pub symbol_table: bool,
    pub trimpath: bool,
    pub cgo: Cgo,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cgo {
    /// `CGO_ENABLED` from the build settings; `None` when not recorded.
    pub enabled: Option<bool>,
    /// The binary links `runtime/cgo` (C code or the C runtime is in it). `None` when
    /// neither symbols nor DWARF are left to tell.
    pub linked: Option<bool>,
}

impl Inspection {
    pub fn go_version(&self) -> Option<&str> {
        self.build_info.as_ref().map(|b| b.go_version.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{0} is a directory, not a binary")]
    Directory(PathBuf),
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an executable gv can read ({reason})")]
    NotABinary { path: PathBuf, reason: String },
    #[error("{path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("{0} is not a Go binary: it has no Go build information and no Go compile units")]
    NotGo(PathBuf),
    #[error("{path} cannot be verified: {reason}")]
    TooLarge { path: PathBuf, reason: String },
}

impl gv_core::error::Hint for InspectError {
    fn hint(&self) -> Option<String> {
        match self {
            InspectError::Missing(_) => {
                Some("check the path; `go build -o FILE` names the output".to_string())
            }
            InspectError::Directory(v0) => Some(format!(
                "pass the executable file, e.g. {}/app",
                v0.display()
            )),
            InspectError::NotABinary { .. } => {
                Some("gv verify reads ELF, Mach-O and PE binaries built by Go".to_string())
            }
            InspectError::Damaged { .. } => {
                Some("the file may be truncated or only partly copied; rebuild it".to_string())
            }
            InspectError::NotGo(_) => {
                Some("gv verify checks binaries built by `go build`".to_string())
            }
            InspectError::TooLarge { .. } => Some(format!(
                "a real Go binary's debug sections inflate to far less; gv verify inflates at most {} of one section",
                crate::ui::human_size(bounds::SECTION)
            )),
            _ => None,
        }
    }
}

pub fn inspect(path: &Path) -> Result<Inspection, InspectError> {
    let map = map_file(path)?;
    inspect_bytes(path, map.bytes())
}

/// [`inspect`] of a stripped binary together with its debug twin (from the symbol store
/// or a split): what the binary itself holds (format, build info, size), with the DWARF
/// and symbol table the twin holds for it — what a debugger sees of the pair.
pub fn inspect_with_debug(path: &Path, debug: &Path) -> Result<Inspection, InspectError> {
    let map = map_file(path)?;
    let twin = map_file(debug)?;
    let mut report = inspect_bytes(path, map.bytes())?;
    let file = parse_any(debug, twin.bytes())?;
    report.dwarf = read_dwarf(debug, &file)?;
    let cgo_unit = report
        .dwarf
        .as_ref()
        .map(|d| d.package("runtime/cgo").is_some() || d.foreign_units > 0);
    let symbols = SymbolScan::of(&file, cgo_unit.is_none());
    report.symbol_table = symbols.present;
    if let Some(linked) = cgo_unit {
        report.cgo.linked = Some(linked);
    } else if symbols.cgo {
        report.cgo.linked = Some(true);
    }
    Ok(report)
}

/// A file's bytes, mapped (or read where mapping fails), for the length of a call.
struct Mapped {
    map: Option<memmap2::Mmap>,
    data: Vec<u8>,
}

impl Mapped {
    fn bytes(&self) -> &[u8] {
        match &self.map {
            Some(map) => map,
            None => &self.data,
        }
    }
}

fn map_file(path: &Path) -> Result<Mapped, InspectError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InspectError::Missing(path.to_path_buf()));
        }
        Err(source) => {
            return Err(InspectError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(InspectError::Directory(path.to_path_buf()));
    }
    // Opening a FIFO would wait for a writer forever; a device or socket is no binary.
    if !meta.is_file() {
        return Err(InspectError::NotABinary {
            path: path.to_path_buf(),
            reason: "it is a FIFO, socket or device, not a file".to_string(),
        });
    }
    let read_error = |source| InspectError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    if meta.len() == 0 {
        return Ok(Mapped {
            map: None,
            data: Vec::new(),
        });
    }
    // Mapped, not read: a debug binary is tens of megabytes and verification touches only
    // its headers, the build info and the first bytes of each compile unit.
    // SAFETY: the map is read-only and lives only for this call; a file truncated under
    // us by another process can fault, the same risk every debugger and `go version`
    // take with binaries.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => Ok(Mapped {
            map: Some(map),
            data: Vec::new(),
        }),
        Err(_) => Ok(Mapped {
            map: None,
            data: std::fs::read(path).map_err(read_error)?,
        }),
    }
}

/// Only the build info of the executable at `path` (no DWARF, no symbols): what `gv tools`
/// needs for every file of a GOBIN. `Ok(None)`: an executable without Go build info.
pub fn build_info(path: &Path) -> Result<Option<BuildInfo>, InspectError> {
    let read_error = |source| InspectError::Read {
        path: path.to_path_buf(),
        source,
    };
    if !std::fs::metadata(path).map_err(read_error)?.is_file() {
        return Err(InspectError::NotABinary {
            path: path.to_path_buf(),
            reason: "it is not a regular file".to_string(),
        });
    }
    let file = std::fs::File::open(path).map_err(read_error)?;
    // SAFETY: as in `inspect`: a read-only map that lives only for this call.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(read_error)?;
    let parsed = object::File::parse(&*map).map_err(|e| InspectError::NotABinary {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    match read_build_info(&parsed) {
        Ok(info) => Ok(Some(info)),
        Err(buildinfo::BuildInfoError::Missing) => Ok(None),
        Err(e) => Err(InspectError::Damaged {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

/// The Go build ID of the executable at `path` (`ACTION/CONTENT` hashes, as `go tool
/// buildid` prints it), read as the go command reads it to decide whether a build is up
/// to date: ELF's `.note.go.buildid` note, else the quoted ID at the start of the text
/// section. A few kilobytes are touched, not the DWARF. `None`: no Go build ID.
pub fn go_build_id(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    // SAFETY: as in `inspect`: a read-only map that lives only for this call.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let parsed = object::File::parse(&*map).ok()?;
    if let Some(note) = parsed.section_by_name(".note.go.buildid") {
        return elf_go_note(note.data().ok()?, parsed.is_little_endian());
    }
    let text = parsed
        .section_by_name("__text")
        .or_else(|| parsed.section_by_name(".text"))?;
    let data = text.data().ok()?;
    quoted_build_id(&data[..data.len().min(32 << 10)])
}

/// The descriptor of a note named `Go` of type 4 (Go's build ID note).
fn elf_go_note(mut data: &[u8], little: bool) -> Option<String> {
    let word = |b: &[u8]| {
        let b: [u8; 4] = b.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as usize)
    };
    while data.len() >= 12 {
        let (name_len, desc_len, kind) =
            (word(&data[..4])?, word(&data[4..8])?, word(&data[8..12])?);
        let name_end = 12usize.checked_add(name_len.next_multiple_of(4))?;
        let desc_end = name_end.checked_add(desc_len)?;
        let name = data.get(12..12 + name_len)?;
        let desc = data.get(name_end..desc_end)?;
        let name_end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        if kind == 4 && &name[..name_end] == b"Go" {
            return String::from_utf8(desc.to_vec()).ok();
        }
        data = data.get(desc_end.next_multiple_of(4)..)?;
    }
    None
}

/// `\xff Go build ID: "ID"\n \xff` as the linker writes it at the start of the text.
fn quoted_build_id(data: &[u8]) -> Option<String> {
    const MAGIC: &[u8] = b"\xff Go build ID: \"";
    let start = data.windows(MAGIC.len()).position(|w| w == MAGIC)? + MAGIC.len();
    let len = data[start..].iter().take(1024).position(|&b| b == b'"')?;
    String::from_utf8(data[start..start + len].to_vec()).ok()
}

/// [`inspect`] on bytes already in memory; `path` is only for messages.
pub fn inspect_bytes(path: &Path, data: &[u8]) -> Result<Inspection, InspectError> {
    let damaged = |reason: String| InspectError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let file = parse_any(path, data)?;
    let format = match file.format() {
        object::BinaryFormat::Elf => "elf",
        object::BinaryFormat::MachO => "macho",
        object::BinaryFormat::Pe => "pe",
        other => {
            return Err(InspectError::NotABinary {
                path: path.to_path_buf(),
                reason: format!("{other:?} files are not executables"),
            });
        }
    };
    let build_info = match read_build_info(&file) {
        Ok(info) => Some(info),
        Err(buildinfo::BuildInfoError::Missing) => None,
        Err(e) => return Err(damaged(e.to_string())),
    };
    let dwarf = read_dwarf(path, &file)?;
    let go_units = dwarf.as_ref().is_some_and(|d| !d.packages.is_empty());
    if build_info.is_none() && !go_units {
        return Err(InspectError::NotGo(path.to_path_buf()));
    }
    // DWARF answers the cgo question when present; only without it are the symbols
    // scanned (a full scan touches megabytes).
    let cgo_unit = dwarf
        .as_ref()
        .map(|d| d.package("runtime/cgo").is_some() || d.foreign_units > 0);
    let symbols = SymbolScan::of(&file, cgo_unit.is_none());
    let cgo = Cgo {
        enabled: build_info.as_ref().and_then(BuildInfo::cgo_enabled),
        linked: match (cgo_unit, symbols.present) {
            (Some(linked), _) => Some(linked),
            _ if symbols.cgo => Some(true),
            (None, true) => Some(false),
            (None, false) => None,
        },
    };
    Ok(Inspection {
        path: path.to_path_buf(),
        format,
        arch: format!("{:?}", file.architecture()).to_lowercase(),
        size: data.len() as u64,
        trimpath: build_info.as_ref().is_some_and(BuildInfo::trimpath),
        build_info,
        dwarf,
        symbol_table: symbols.present,
        cgo,
    })
}

/// `data` parsed as an executable of any format `object` reads.
fn parse_any<'data>(path: &Path, data: &'data [u8]) -> Result<object::File<'data>, InspectError> {
    object::File::parse(data).map_err(|e| {
        // object cannot tell "not an executable" from "an executable cut short" by its
        // error alone; a known magic number means the latter.
        if object::FileKind::parse(data).is_ok() {
            InspectError::Damaged {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        } else {
            InspectError::NotABinary {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        }
    })
}

fn read_dwarf(path: &Path, file: &object::File<'_>) -> Result<Option<Dwarf>, InspectError> {
    dwarf::read(file).map_err(|e| match e {
        dwarf::DwarfError::Damaged(_) => InspectError::Damaged {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        dwarf::DwarfError::TooLarge { .. } => InspectError::TooLarge {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    })
}

struct SymbolScan {
    present: bool,
    cgo: bool,
}

impl SymbolScan {
    fn of(file: &object::File<'_>, look_for_cgo: bool) -> SymbolScan {
        // runtime/cgo's C half; the runtime's own `_cgo_init` hook is in every binary.
        let is_cgo = |name: &str| matches!(name, "x_cgo_init" | "_x_cgo_init");
        let mut scan = SymbolScan {
            present: false,
            cgo: false,
        };
        for symbol in file.symbols() {
            scan.present = true;
            if !look_for_cgo {
                return scan;
            }
            if symbol.name().is_ok_and(is_cgo) {
                scan.cgo = true;
                break;
            }
        }
        if look_for_cgo && !scan.cgo {
            scan.cgo = file.dynamic_symbols().any(|s| s.name().is_ok_and(is_cgo));
        }
        scan
    }
}

/// The section Go's linker puts build info in, else (PE, or an old ELF) the first writable
/// data section, which Go's own reader scans too.
fn read_build_info(file: &object::File<'_>) -> Result<BuildInfo, buildinfo::BuildInfoError> {
    let named = file
        .section_by_name(".go.buildinfo")
        .or_else(|| file.section_by_name("__go_buildinfo"));
    let section = named.or_else(|| {
        file.sections()
            .find(|s| s.kind() == object::SectionKind::Data && s.size() > 0)
    });
    let Some(section) = section else {
        return Err(buildinfo::BuildInfoError::Missing);
    };
    let region = section
        .data()
        .map_err(|_| buildinfo::BuildInfoError::Damaged("the build-info section is cut short"))?;
    buildinfo::decode(region, |address, len| read_memory(file, address, len))
}

/// Bytes at a virtual address, from whichever section holds them.
fn read_memory<'data>(file: &object::File<'data>, address: u64, len: usize) -> Option<&'data [u8]> {
    file.sections().find_map(|section| {
        let start = section.address();
        let end = start.checked_add(section.size())?;
        if address < start || address >= end {
            return None;
        }
        let data = section.data().ok()?;
        let offset = usize::try_from(address - start).ok()?;
        data.get(offset..offset.checked_add(len)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_binary() {
        for bytes in [
            &b""[..],
            b"hello world",
            &[0u8; 4096],
            b"#!/bin/sh\necho hi\n",
        ] {
            let err = inspect_bytes(Path::new("x"), bytes).unwrap_err();
            assert!(matches!(err, InspectError::NotABinary { .. }), "{err:?}");
        }
    }

    #[test]
    fn a_bare_elf_header_is_damaged_not_a_panic() {
        let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
        bytes.resize(40, 0);
        let err = inspect_bytes(Path::new("x"), &bytes).unwrap_err();
        assert!(
            matches!(
                err,
                InspectError::Damaged { .. } | InspectError::NotABinary { .. }
            ),
            "{err:?}"
        );
    }

    /// Go's linker pads the note name `Go` to four bytes; the text form is quoted.
    #[test]
    fn go_build_ids_are_read_like_the_go_command_reads_them() {
        let id = b"abc/def";
        let mut note = Vec::new();
        note.extend_from_slice(&4u32.to_le_bytes());
        note.extend_from_slice(&(id.len() as u32).to_le_bytes());
        note.extend_from_slice(&4u32.to_le_bytes());
        note.extend_from_slice(b"Go\0\0");
        note.extend_from_slice(id);
        assert_eq!(elf_go_note(&note, true).as_deref(), Some("abc/def"));
        let mut other = note.clone();
        other[12..16].copy_from_slice(b"GNU\0");
        assert_eq!(elf_go_note(&other, true), None);
        assert_eq!(elf_go_note(&note[..20], true), None);
        let text = b"\x00\x01\xff Go build ID: \"abc/def\"\n \xff rest";
        assert_eq!(quoted_build_id(text).as_deref(), Some("abc/def"));
        assert_eq!(quoted_build_id(b"\xff Go build ID: \"unterminated"), None);
        // A Rust binary has no Go build ID.
        assert_eq!(go_build_id(&std::env::current_exe().unwrap()), None);
    }

    /// This test binary is a non-Go ELF (or Mach-O/PE) file: a real "not Go" case.
    #[test]
    fn a_rust_binary_is_not_go() {
        let exe = std::env::current_exe().unwrap();
        let err = inspect(&exe).unwrap_err();
        assert!(matches!(err, InspectError::NotGo(_)), "{err:?}");
        assert!(err.to_string().contains("is not a Go binary"), "{err}");
    }

    #[test]
    fn missing_and_directory_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            inspect(&dir.path().join("nope")),
            Err(InspectError::Missing(_))
        ));
        assert!(matches!(
            inspect(dir.path()),
            Err(InspectError::Directory(_))
        ));
    }
}
