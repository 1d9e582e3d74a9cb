//! What a binary's DWARF says about how it was compiled: present or not, how it is stored,
//! and for every Go compile unit whether the compiler ran with `-N` (no optimisation) and
//! `-l` (no inlining) — read from `DW_AT_producer`, exactly as Delve decides whether a
//! package is "optimized".
//!
//! Only what the verdict needs is read: the section headers, `.debug_abbrev`, and the root
//! entry of each unit in `.debug_info` (strings from `.debug_str` only when a unit points
//! there, as C units do). Line tables, locations and frames are never touched. A
//! compressed `.debug_info` has to be inflated from its start to reach every unit: one
//! call of libdeflate into a buffer of the size the header states when that is at most
//! [`bounds::HOLD`], else streamed unit by unit, so memory stays bounded whatever the
//! file claims ([`bounds`]).

use std::collections::HashMap;
use std::io::Read;

use gimli::{EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection};
use serde::Serialize;

use super::bounds::{self, Bounds};

/// How the debug sections are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    None,
    /// ELF `SHF_COMPRESSED` (Go >= 1.19 on ELF, unless `-ldflags=-compressdwarf=false`).
    ShfCompressed,
    /// Legacy `.zdebug_*` sections: "ZLIB", 8-byte big-endian size, zlib stream (Mach-O,
    /// PE, and ELF from Go <= 1.18).
    Zdebug,
}

/// One Go package's compile units (the runtime is split over several units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    /// The compiler flags the producer string lists (`-N -l regabi`).
    pub flags: String,
    /// Compiled without `-N`.
    pub optimised: bool,
    /// Compiled without `-l`.
    pub inlined: bool,
    /// Always optimised by the compiler, whatever the flags: not held against a build.
    pub runtime: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dwarf {
    pub compression: Compression,
    /// DWARF version of the first unit (Go 1.25 and later emit 5).
    pub version: u16,
    /// Bytes the `.debug_*` sections take in the file.
    pub size_in_file: u64,
    /// Bytes they take once decompressed.
    pub size_uncompressed: u64,
    pub units: usize,
    /// Compile units cmd/compile made (a producer of `Go cmd/compile …`).
    pub go_units: usize,
    /// Compile units from another compiler (C code linked through cgo).
    pub foreign_units: usize,
    /// Go packages in unit order, one entry per package.
    pub packages: Vec<Package>,
}

impl Dwarf {
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DwarfError {
    #[error("the DWARF debug information is damaged: {0}")]
    Damaged(String),
    #[error(
        "{section} claims {claimed} bytes once decompressed, more than gv verify inflates ({limit} bytes for {stored} stored)"
    )]
    TooLarge {
        section: String,
        claimed: u64,
        stored: u64,
        limit: u64,
    },
}

fn damaged(why: impl std::fmt::Display) -> DwarfError {
    DwarfError::Damaged(why.to_string())
}

/// Section names as object spells them per format; the `z` variants are tried second.
const SECTIONS: &[&str] = &[
    "abbrev",
    "addr",
    "aranges",
    "frame",
    "info",
    "line",
    "line_str",
    "loc",
    "loclists",
    "ranges",
    "rnglists",
    "str",
    "str_offsets",
    "pubnames",
    "pubtypes",
];

/// Reads the DWARF summary; `Ok(None)` when the binary has no `.debug_info`.
pub fn read(file: &object::File<'_>) -> Result<Option<Dwarf>, DwarfError> {
    read_within(file, Bounds::DEFAULT)
}

/// [`read`] under `bounds`.
pub fn read_within(file: &object::File<'_>, bounds: Bounds) -> Result<Option<Dwarf>, DwarfError> {
    let mut sections: HashMap<&str, Stored<'_>> = HashMap::new();
    let mut compression = Compression::None;
    let (mut size_in_file, mut size_uncompressed) = (0u64, 0u64);
    for name in SECTIONS {
        let Some(section) = find_section(file, name) else {
            continue;
        };
        let stored = Stored::of(&section, bounds)?;
        size_in_file += stored.in_file;
        size_uncompressed += stored.size;
        if stored.compression != Compression::None {
            compression = stored.compression;
        }
        sections.insert(*name, stored);
    }
    let Some(info) = sections.get("info") else {
        return Ok(None);
    };
    if info.size == 0 {
        return Ok(None);
    }
    let endian = if file.is_little_endian() {
        RunTimeEndian::Little
    } else {
        RunTimeEndian::Big
    };
    let abbrev = match sections.get("abbrev") {
        Some(stored) if stored.size > bounds::ABBREV => {
            return Err(stored.too_large(bounds::ABBREV));
        }
        Some(stored) => stored.whole()?,
        None => Vec::new().into(),
    };
    let debug_abbrev = gimli::DebugAbbrev::from(EndianSlice::new(&abbrev, endian));
    let mut summary = Dwarf {
        compression,
        version: 0,
        size_in_file,
        size_uncompressed,
        units: 0,
        go_units: 0,
        foreign_units: 0,
        packages: Vec::new(),
    };
    let mut abbreviations = HashMap::new();
    let mut roots = Vec::new();
    info.each_unit(endian, bounds, |unit| {
        let mut units = gimli::DebugInfo::from(EndianSlice::new(unit, endian)).units();
        let Some(header) = units.next().map_err(damaged)? else {
            return Ok(());
        };
        summary.units += 1;
        if summary.version == 0 {
            summary.version = header.version();
        }
        let offset = header.debug_abbrev_offset();
        let abbrevs = match abbreviations.entry(offset) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(debug_abbrev.abbreviations(offset).map_err(damaged)?)
            }
        };
        let mut cursor = header.entries(abbrevs);
        let Some((_, root)) = cursor.next_dfs().map_err(damaged)? else {
            return Ok(());
        };
        if root.tag() != gimli::DW_TAG_compile_unit {
            return Ok(());
        }
        let text = |attr: gimli::DwAt| -> Result<Text, DwarfError> {
            Ok(match root.attr_value(attr).map_err(damaged)? {
                Some(gimli::AttributeValue::String(s)) => {
                    Text::Here(String::from_utf8_lossy(s.slice()).into_owned())
                }
                Some(gimli::AttributeValue::DebugStrRef(o)) => Text::At("str", o.0 as u64),
                Some(gimli::AttributeValue::DebugLineStrRef(o)) => Text::At("line_str", o.0 as u64),
                _ => Text::Absent,
            })
        };
        roots.push((text(gimli::DW_AT_producer)?, text(gimli::DW_AT_name)?));
        Ok(())
    })?;
    let strings = Strings::fetch(&sections, &roots, bounds)?;
    for (producer, name) in &roots {
        let producer = strings.text(producer)?;
        let Some(flags) = producer.and_then(go_flags) else {
            // Units without a Go producer: C from cgo, or linker-made units.
            if producer.is_some() {
                summary.foreign_units += 1;
            }
            continue;
        };
        let name = strings.text(name)?.unwrap_or_default().to_string();
        summary.go_units += 1;
        add_unit(&mut summary.packages, name, flags);
    }
    for package in &mut summary.packages {
        package.runtime = always_optimised(&package.name, package);
    }
    Ok(Some(summary))
}

/// A string attribute of a root entry: inline, or an offset into a string section.
enum Text {
    Absent,
    Here(String),
    At(&'static str, u64),
}

/// The strings root entries point to, from `.debug_str` and `.debug_line_str`: looked up
/// in the section when it is held, else gathered in one pass over the stream.
struct Strings<'a> {
    held: HashMap<&'static str, std::borrow::Cow<'a, [u8]>>,
    gathered: HashMap<(&'static str, u64), String>,
}

impl<'a> Strings<'a> {
    fn fetch(
        sections: &HashMap<&str, Stored<'a>>,
        roots: &[(Text, Text)],
        bounds: Bounds,
    ) -> Result<Strings<'a>, DwarfError> {
        let mut strings = Strings {
            held: HashMap::new(),
            gathered: HashMap::new(),
        };
        for section in ["str", "line_str"] {
            let mut wanted: Vec<u64> = roots
                .iter()
                .flat_map(|(a, b)| [a, b])
                .filter_map(|t| match t {
                    Text::At(s, offset) if *s == section => Some(*offset),
                    _ => None,
                })
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let Some(stored) = sections.get(section) else {
                return Err(damaged(format!(
                    "a compile unit points into .debug_{section}, which the binary lacks"
                )));
            };
            if stored.size <= bounds.hold {
                strings.held.insert(section, stored.whole()?);
                continue;
            }
            wanted.sort_unstable();
            wanted.dedup();
            for (offset, text) in stored.gather(&wanted)? {
                strings.gathered.insert((section, offset), text);
            }
        }
        Ok(strings)
    }

    fn text<'t>(&'t self, text: &'t Text) -> Result<Option<&'t str>, DwarfError> {
        match text {
            Text::Absent => Ok(None),
            Text::Here(s) => Ok(Some(s)),
            Text::At(section, offset) => {
                if let Some(s) = self.gathered.get(&(*section, *offset)) {
                    return Ok(Some(s));
                }
                let data = self.held.get(section).map_or(&[][..], |d| d);
                let at = usize::try_from(*offset)
                    .ok()
                    .and_then(|o| data.get(o..))
                    .ok_or_else(|| {
                        damaged(format!("a string offset lies outside .debug_{section}"))
                    })?;
                let end = at
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or_else(|| damaged(format!("a string in .debug_{section} has no end")))?;
                Ok(Some(
                    std::str::from_utf8(&at[..end]).unwrap_or("(not UTF-8)"),
                ))
            }
        }
    }
}

/// One debug section as the file stores it.
struct Stored<'data> {
    name: String,
    compression: Compression,
    /// Bytes it takes in the file.
    in_file: u64,
    /// Bytes once inflated (its own size when stored plain).
    size: u64,
    bytes: Bytes<'data>,
}

enum Bytes<'data> {
    Plain(&'data [u8]),
    /// A zlib stream (after ELF's compression header or the `ZLIB` prefix).
    Zlib(&'data [u8]),
    /// Another compression object knows (ELF's zstd), inflated by object.
    Other(object::CompressedData<'data>),
}

impl<'data> Stored<'data> {
    fn of(
        section: &object::Section<'data, '_>,
        bounds: Bounds,
    ) -> Result<Stored<'data>, DwarfError> {
        let name = section.name().unwrap_or("a debug section").to_string();
        let compressed = section
            .compressed_data()
            .map_err(|e| damaged(format!("{name}: {e}")))?;
        let in_file = section
            .compressed_file_range()
            .map_or(0, |r| r.compressed_size);
        let (compression, size, bytes) = match compressed.format {
            object::CompressionFormat::None => match zdebug(compressed.data) {
                Some((size, zlib)) => (Compression::Zdebug, size, Bytes::Zlib(zlib)),
                None => (
                    Compression::None,
                    compressed.data.len() as u64,
                    Bytes::Plain(compressed.data),
                ),
            },
            format => {
                let kind = if name.contains("zdebug") {
                    Compression::Zdebug
                } else {
                    Compression::ShfCompressed
                };
                let bytes = if format == object::CompressionFormat::Zlib {
                    Bytes::Zlib(compressed.data)
                } else {
                    Bytes::Other(compressed)
                };
                (kind, compressed.uncompressed_size, bytes)
            }
        };
        let stored = Stored {
            name,
            compression,
            in_file,
            size,
            bytes,
        };
        if let Bytes::Zlib(data) | Bytes::Other(object::CompressedData { data, .. }) = stored.bytes
        {
            let limit = bounds.inflated(data.len() as u64);
            if stored.size > limit {
                return Err(stored.too_large(limit));
            }
        }
        Ok(stored)
    }

    fn too_large(&self, limit: u64) -> DwarfError {
        DwarfError::TooLarge {
            section: self.name.clone(),
            claimed: self.size,
            stored: self.in_file,
            limit,
        }
    }

    fn damaged(&self, why: impl std::fmt::Display) -> DwarfError {
        damaged(format!("{}: {why}", self.name))
    }

    /// The whole section in memory: borrowed when stored plain, else inflated into a
    /// buffer of exactly the size the header states (one that inflates to any other
    /// size is damaged). Callers check the size against their bound first.
    fn whole(&self) -> Result<std::borrow::Cow<'data, [u8]>, DwarfError> {
        match &self.bytes {
            Bytes::Plain(data) => Ok((*data).into()),
            Bytes::Zlib(zlib) => {
                let size = usize::try_from(self.size).map_err(|_| self.damaged("too large"))?;
                let mut out = vec![0u8; size];
                let got = libdeflater::Decompressor::new()
                    .zlib_decompress(zlib, &mut out)
                    .map_err(|e| match e {
                        libdeflater::DecompressionError::InsufficientSpace => self.damaged(
                            format!("it inflates to more than the {size} bytes its header states"),
                        ),
                        libdeflater::DecompressionError::BadData => {
                            self.damaged("the zlib stream is corrupt")
                        }
                    })?;
                if got != size {
                    return Err(self.damaged(format!(
                        "it inflates to {got} bytes, its header states {size}"
                    )));
                }
                Ok(out.into())
            }
            Bytes::Other(compressed) => compressed.decompress().map_err(|e| self.damaged(e)),
        }
    }

    /// The section as a stream of exactly `size` bytes.
    fn stream(&self) -> Result<Box<dyn Read + 'data>, DwarfError> {
        Ok(match &self.bytes {
            Bytes::Plain(data) => Box::new(*data),
            Bytes::Zlib(zlib) => Box::new(flate2::read::ZlibDecoder::new(*zlib).take(self.size)),
            Bytes::Other(_) => Box::new(std::io::Cursor::new(self.whole()?.into_owned())),
        })
    }

    /// Calls `f` with each unit of this `.debug_info`, its initial length included. Held
    /// (plain, or inflated whole when at most `bounds.hold`): the unit as it is. Streamed:
    /// its first `bounds.root_window` bytes, the length patched to match, so the header
    /// and the root entry parse as they would in the whole unit.
    fn each_unit(
        &self,
        endian: RunTimeEndian,
        bounds: Bounds,
        mut f: impl FnMut(&[u8]) -> Result<(), DwarfError>,
    ) -> Result<(), DwarfError> {
        let cut_short = || self.damaged("a compile unit runs past the end of the section");
        if matches!(self.bytes, Bytes::Plain(_)) || self.size <= bounds.hold {
            let data = self.whole()?;
            let mut at = 0usize;
            while at < data.len() {
                let (prefix, len) = initial_length(&data[at..], endian)
                    .ok_or_else(|| self.damaged("a compile unit header is cut short"))?;
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|len| at.checked_add(prefix)?.checked_add(len))
                    .filter(|&end| end <= data.len())
                    .ok_or_else(cut_short)?;
                f(&data[at..end])?;
                at = end;
            }
            return Ok(());
        }
        let mut stream = self.stream()?;
        let mut left = self.size;
        let mut unit = Vec::new();
        while left > 0 {
            let mut head = [0u8; 12];
            let first = 4.min(left) as usize;
            read_exact(&mut stream, &mut head[..first]).map_err(|e| self.damaged(e))?;
            let escape = matches!(head[..4], [0xff, 0xff, 0xff, 0xff]);
            let prefix = if escape { 12 } else { 4 };
            if escape {
                read_exact(&mut stream, &mut head[4..12]).map_err(|e| self.damaged(e))?;
            }
            let (_, len) = initial_length(&head[..prefix], endian)
                .ok_or_else(|| self.damaged("a compile unit header is cut short"))?;
            let whole = (prefix as u64).checked_add(len).filter(|&w| w <= left);
            let whole = whole.ok_or_else(cut_short)?;
            let keep = len.min(bounds.root_window);
            unit.clear();
            if escape {
                unit.extend_from_slice(&head[..4]);
                unit.extend_from_slice(&endian_bytes8(keep, endian));
            } else {
                unit.extend_from_slice(&endian_bytes4(keep as u32, endian));
            }
            let start = unit.len();
            unit.resize(start + keep as usize, 0);
            read_exact(&mut stream, &mut unit[start..]).map_err(|e| self.damaged(e))?;
            skip(&mut stream, len - keep).map_err(|e| self.damaged(e))?;
            f(&unit)?;
            left -= whole;
        }
        Ok(())
    }

    /// The NUL-terminated strings at `offsets` (sorted), in one pass over the stream;
    /// each cut at [`bounds::STRING`] bytes.
    fn gather(&self, offsets: &[u64]) -> Result<Vec<(u64, String)>, DwarfError> {
        let mut stream = self.stream()?;
        let mut at = 0u64;
        let mut found: Vec<(u64, Vec<u8>)> = Vec::new();
        for &offset in offsets {
            if offset >= self.size {
                return Err(self.damaged("a string offset lies outside the section"));
            }
            // Inside the string read last (a suffix shared by two names): its tail.
            if offset < at {
                let tail = found.last().map_or_else(Vec::new, |(start, bytes)| {
                    let from = usize::try_from(offset - start).unwrap_or(usize::MAX);
                    bytes.get(from..).unwrap_or_default().to_vec()
                });
                found.push((offset, tail));
                continue;
            }
            skip(&mut stream, offset - at).map_err(|e| self.damaged(e))?;
            at = offset;
            let mut bytes = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                if at >= self.size {
                    return Err(self.damaged("a string has no end"));
                }
                read_exact(&mut stream, &mut byte).map_err(|e| self.damaged(e))?;
                at += 1;
                if byte[0] == 0 {
                    break;
                }
                if bytes.len() < bounds::STRING {
                    bytes.push(byte[0]);
                }
            }
            found.push((offset, bytes));
        }
        Ok(found
            .into_iter()
            .map(|(offset, bytes)| (offset, String::from_utf8_lossy(&bytes).into_owned()))
            .collect())
    }
}

/// A unit's initial length: `(bytes it takes, the length)`; `None` when cut short or
/// reserved.
fn initial_length(data: &[u8], endian: RunTimeEndian) -> Option<(usize, u64)> {
    let word = u32::from_ne_bytes(data.get(..4)?.try_into().ok()?);
    let word = match endian {
        RunTimeEndian::Little => u32::from_le(word),
        RunTimeEndian::Big => u32::from_be(word),
    };
    match word {
        0xffff_ffff => {
            let long = u64::from_ne_bytes(data.get(4..12)?.try_into().ok()?);
            Some((
                12,
                match endian {
                    RunTimeEndian::Little => u64::from_le(long),
                    RunTimeEndian::Big => u64::from_be(long),
                },
            ))
        }
        0xffff_fff0.. => None,
        short => Some((4, u64::from(short))),
    }
}

fn endian_bytes4(n: u32, endian: RunTimeEndian) -> [u8; 4] {
    match endian {
        RunTimeEndian::Little => n.to_le_bytes(),
        RunTimeEndian::Big => n.to_be_bytes(),
    }
}

fn endian_bytes8(n: u64, endian: RunTimeEndian) -> [u8; 8] {
    match endian {
        RunTimeEndian::Little => n.to_le_bytes(),
        RunTimeEndian::Big => n.to_be_bytes(),
    }
}

fn read_exact(stream: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<()> {
    stream.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            std::io::Error::other("it is shorter than its header states")
        } else {
            e
        }
    })
}

/// Reads and drops `n` bytes.
fn skip(stream: &mut dyn Read, n: u64) -> std::io::Result<()> {
    let copied = std::io::copy(&mut stream.take(n), &mut std::io::sink())?;
    if copied != n {
        return Err(std::io::Error::other(
            "it is shorter than its header states",
        ));
    }
    Ok(())
}

/// `Go cmd/compile go1.22.10; -N -l regabi` -> `-N -l regabi`; `None` for other compilers.
pub fn go_flags(producer: &str) -> Option<&str> {
    let rest = producer.strip_prefix("Go cmd/compile")?;
    Some(rest.split_once(';').map_or("", |(_, flags)| flags.trim()))
}

fn add_unit(packages: &mut Vec<Package>, name: String, flags: &str) {
    let has = |flag: &str| flags.split_whitespace().any(|f| f == flag);
    let (optimised, inlined) = (!has("-N"), !has("-l"));
    if let Some(existing) = packages.iter_mut().find(|p| p.name == name) {
        // A package is only as debuggable as its least debuggable unit.
        existing.optimised |= optimised;
        existing.inlined |= inlined;
        return;
    }
    packages.push(Package {
        name,
        flags: flags.to_string(),
        optimised,
        inlined,
        runtime: false,
    });
}

/// The packages cmd/compile refuses to build with `-N` (cmd/internal/objabi's runtime
/// package list). A standard-library package that shows `-l` but not `-N` was refused the
/// same way by a newer compiler whose list has grown, so it counts too.
fn always_optimised(name: &str, package: &Package) -> bool {
    const RUNTIME: &[&str] = &[
        "runtime",
        "internal/abi",
        "internal/bytealg",
        "internal/byteorder",
        "internal/chacha8rand",
        "internal/coverage/rtcov",
        "internal/cpu",
        "internal/goarch",
        "internal/godebugs",
        "internal/goexperiment",
        "internal/goos",
        "internal/profilerecord",
        "internal/stringslite",
    ];
    let standard = !name.split('/').next().unwrap_or("").contains('.');
    RUNTIME.contains(&name)
        || name.starts_with("runtime/internal/")
        || name.starts_with("internal/runtime/")
        || (standard && name != "main" && package.optimised && !package.inlined)
}

fn find_section<'data, 'file>(
    file: &'file object::File<'data>,
    name: &str,
) -> Option<object::Section<'data, 'file>> {
    file.section_by_name(&format!(".debug_{name}"))
        .or_else(|| file.section_by_name(&format!(".zdebug_{name}")))
        .or_else(|| file.section_by_name(&format!("__zdebug_{name}")))
}

/// A legacy "ZLIB"-prefixed section: its inflated size and the zlib stream.
fn zdebug(data: &[u8]) -> Option<(u64, &[u8])> {
    let rest = data.strip_prefix(b"ZLIB")?;
    let size = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
    Some((size, &rest[8..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_flags_are_read_like_delve_reads_them() {
        assert_eq!(
            go_flags("Go cmd/compile go1.22.10; -N -l regabi"),
            Some("-N -l regabi")
        );
        assert_eq!(go_flags("Go cmd/compile go1.25.5; regabi"), Some("regabi"));
        assert_eq!(go_flags("Go cmd/compile go1.10"), Some(""));
        assert_eq!(go_flags("GNU C17 12.2.0 -mtune=generic"), None);
    }

    #[test]
    fn a_package_is_as_optimised_as_its_worst_unit() {
        let mut packages = Vec::new();
        add_unit(&mut packages, "reflect".into(), "-N -l regabi");
        add_unit(&mut packages, "reflect".into(), "-l regabi");
        assert_eq!(packages.len(), 1);
        assert!(packages[0].optimised && !packages[0].inlined);
    }

    #[test]
    fn runtime_packages_are_recognised() {
        let package = |name: &str, flags: &str| {
            let mut p = Vec::new();
            add_unit(&mut p, name.into(), flags);
            p.remove(0)
        };
        for name in [
            "runtime",
            "internal/abi",
            "internal/runtime/maps",
            "runtime/internal/sys",
        ] {
            assert!(
                always_optimised(name, &package(name, "-l regabi")),
                "{name}"
            );
        }
        // -l without -N in the standard library: refused -N by the compiler.
        assert!(always_optimised(
            "internal/newthing",
            &package("internal/newthing", "-l")
        ));
        // ... but never the user's code, and never a package with neither flag.
        assert!(!always_optimised("main", &package("main", "-l")));
        assert!(!always_optimised(
            "example.com/x",
            &package("example.com/x", "-l")
        ));
        assert!(!always_optimised("fmt", &package("fmt", "regabi")));
    }

    #[test]
    fn zdebug_header_is_parsed() {
        let mut data = b"ZLIB".to_vec();
        data.extend_from_slice(&1234u64.to_be_bytes());
        data.push(0x78);
        assert_eq!(zdebug(&data), Some((1234, &[0x78u8][..])));
        assert_eq!(zdebug(b"ZLIB\0\0"), None);
        assert_eq!(zdebug(b"\x01\x02"), None);
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn stored(zlib: &[u8], size: u64) -> Stored<'_> {
        Stored {
            name: ".debug_info".into(),
            compression: Compression::ShfCompressed,
            in_file: zlib.len() as u64,
            size,
            bytes: Bytes::Zlib(zlib),
        }
    }

    #[test]
    fn inflating_to_any_other_size_than_stated_is_damage() {
        let stream = zlib(&[7u8; 100]);
        assert_eq!(stored(&stream, 100).whole().unwrap().len(), 100);
        for (data, size) in [
            (&stream[..], 200),
            (&stream[..], 99),
            (&stream[..stream.len() / 2], 100),
        ] {
            let err = stored(data, size).whole().unwrap_err();
            assert!(matches!(err, DwarfError::Damaged(_)), "{err:?}");
        }
    }

    /// Three units of 5, 300 and 9 bytes after their length: held, they come whole;
    /// streamed with a 16-byte window, each comes cut to it with its length patched.
    #[test]
    fn units_come_whole_when_held_and_cut_to_the_window_when_streamed() {
        let mut info = Vec::new();
        for (len, fill) in [(5u32, 1u8), (300, 2), (9, 3)] {
            info.extend_from_slice(&len.to_le_bytes());
            info.extend(std::iter::repeat_n(fill, len as usize));
        }
        let stream = zlib(&info);
        let collect = |bounds: Bounds| {
            let mut units = Vec::new();
            stored(&stream, info.len() as u64)
                .each_unit(RunTimeEndian::Little, bounds, |u| {
                    units.push(u.to_vec());
                    Ok(())
                })
                .map(|()| units)
        };
        let held = collect(Bounds::DEFAULT).unwrap();
        assert_eq!(held.iter().map(Vec::len).collect::<Vec<_>>(), [9, 304, 13]);
        let small = Bounds {
            hold: 8,
            root_window: 16,
            ..Bounds::DEFAULT
        };
        let streamed = collect(small).unwrap();
        assert_eq!(
            streamed.iter().map(Vec::len).collect::<Vec<_>>(),
            [9, 20, 13]
        );
        assert_eq!(&streamed[1][..4], &16u32.to_le_bytes());
        assert!(streamed[1][4..].iter().all(|&b| b == 2));
        assert_eq!(streamed[2][4..], [3u8; 9]);
        // A unit longer than what is left is damage, held or streamed.
        let mut bad = info.clone();
        bad[0] = 200;
        let bad_stream = zlib(&bad);
        for bounds in [Bounds::DEFAULT, small] {
            let err = stored(&bad_stream, bad.len() as u64)
                .each_unit(RunTimeEndian::Little, bounds, |_| Ok(()))
                .unwrap_err();
            assert!(matches!(err, DwarfError::Damaged(_)), "{err:?}");
        }
    }

    #[test]
    fn strings_are_gathered_from_a_stream_in_one_pass() {
        let section = b"alpha\0beta\0gamma\0";
        let stream = zlib(section);
        let got = stored(&stream, section.len() as u64)
            .gather(&[0, 2, 6, 11, 13])
            .unwrap();
        let texts: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(texts, ["alpha", "pha", "beta", "gamma", "mma"]);
        assert!(stored(&stream, section.len() as u64).gather(&[40]).is_err());
    }

    #[test]
    fn a_size_beyond_the_bounds_is_refused_before_inflating() {
        let bounds = Bounds::DEFAULT;
        assert_eq!(
            bounds.inflated(1000),
            1000 * bounds::RATIO + 64 * bounds::KIB
        );
        assert_eq!(bounds.inflated(10 * bounds::GIB), bounds::SECTION);
    }
}
