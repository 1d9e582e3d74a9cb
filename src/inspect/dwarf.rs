//! What a binary's DWARF says about how it was compiled: present or not, how it is stored,
//! and for every Go compile unit whether the compiler ran with `-N` (no optimisation) and
//! `-l` (no inlining) — read from `DW_AT_producer`, exactly as Delve decides whether a
//! package is "optimized".
//!
//! Only the root entry of each unit is read, so this stays fast on large binaries.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use gimli::{EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection};
use serde::Serialize;

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
#[error("the DWARF debug information is damaged: {0}")]
pub struct DwarfError(pub String);

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
pub fn read(file: &object::File<'_>, file_len: u64) -> Result<Option<Dwarf>, DwarfError> {
    let mut sections = HashMap::new();
    let mut compression = Compression::None;
    let (mut size_in_file, mut size_uncompressed) = (0u64, 0u64);
    for name in SECTIONS {
        let Some(section) = find_section(file, name) else {
            continue;
        };
        let stored = section_sizes(&section, file_len)?;
        size_in_file += stored.in_file;
        size_uncompressed += stored.uncompressed;
        if stored.compression != Compression::None {
            compression = stored.compression;
        }
        sections.insert(*name, section);
    }
    let Some(info_section) = sections.get("info") else {
        return Ok(None);
    };
    if info_section.size() == 0 {
        return Ok(None);
    }
    // Only what the root entries need is decompressed: the bulk (line tables, locations,
    // frames) is never touched.
    let load = |name: &str| -> Result<Cow<'_, [u8]>, DwarfError> {
        match sections.get(name) {
            Some(section) => section_data(section, file_len),
            None => Ok(Cow::Borrowed(&[][..])),
        }
    };
    let info = load("info")?;
    let abbrev = load("abbrev")?;
    let strings = load("str")?;
    let line_strings = load("line_str")?;

    let endian = if file.is_little_endian() {
        RunTimeEndian::Little
    } else {
        RunTimeEndian::Big
    };
    let debug_info = gimli::DebugInfo::from(EndianSlice::new(&info, endian));
    let debug_abbrev = gimli::DebugAbbrev::from(EndianSlice::new(&abbrev, endian));
    let debug_str = gimli::DebugStr::from(EndianSlice::new(&strings, endian));
    let debug_line_str = gimli::DebugLineStr::from(EndianSlice::new(&line_strings, endian));

    let damaged = |e: gimli::Error| DwarfError(e.to_string());
    let mut abbreviations = HashMap::new();
    let mut units = debug_info.units();
    let mut summary = Dwarf {
        compression,
        version: 0,
        size_in_file,
        size_uncompressed,
        units: 0,
        foreign_units: 0,
        packages: Vec::new(),
    };
    while let Some(header) = units.next().map_err(damaged)? {
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
            continue;
        };
        if root.tag() != gimli::DW_TAG_compile_unit {
            continue;
        }
        let string = |attr: gimli::DwAt| -> Result<Option<String>, DwarfError> {
            let value = match root.attr_value(attr).map_err(damaged)? {
                Some(gimli::AttributeValue::String(s)) => s,
                Some(gimli::AttributeValue::DebugStrRef(o)) => {
                    debug_str.get_str(o).map_err(damaged)?
                }
                Some(gimli::AttributeValue::DebugLineStrRef(o)) => {
                    debug_line_str.get_str(o).map_err(damaged)?
                }
                _ => return Ok(None),
            };
            Ok(Some(String::from_utf8_lossy(value.slice()).into_owned()))
        };
        let producer = string(gimli::DW_AT_producer)?;
        let Some(flags) = producer.as_deref().and_then(go_flags) else {
            // Units without a Go producer: C from cgo, or linker-made units.
            if producer.is_some() {
                summary.foreign_units += 1;
            }
            continue;
        };
        let name = string(gimli::DW_AT_name)?.unwrap_or_default();
        add_unit(&mut summary.packages, name, flags);
    }
    for package in &mut summary.packages {
        package.runtime = always_optimised(&package.name, package);
    }
    Ok(Some(summary))
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

struct Stored {
    compression: Compression,
    in_file: u64,
    uncompressed: u64,
}

fn find_section<'data, 'file>(
    file: &'file object::File<'data>,
    name: &str,
) -> Option<object::Section<'data, 'file>> {
    file.section_by_name(&format!(".debug_{name}"))
        .or_else(|| file.section_by_name(&format!(".zdebug_{name}")))
        .or_else(|| file.section_by_name(&format!("__zdebug_{name}")))
}

fn section_sizes(section: &object::Section<'_, '_>, file_len: u64) -> Result<Stored, DwarfError> {
    let in_file = section
        .compressed_file_range()
        .map_or(0, |r| r.compressed_size);
    let compressed = section
        .compressed_data()
        .map_err(|e| DwarfError(format!("{}: {e}", name_of(section))))?;
    let (compression, uncompressed) = match compressed.format {
        object::CompressionFormat::None => match zdebug_size(compressed.data) {
            Some(size) => (Compression::Zdebug, size),
            None => (Compression::None, compressed.data.len() as u64),
        },
        _ if name_of(section).contains("zdebug") => {
            (Compression::Zdebug, compressed.uncompressed_size)
        }
        _ => (Compression::ShfCompressed, compressed.uncompressed_size),
    };
    check_plausible(section, uncompressed, file_len)?;
    Ok(Stored {
        compression,
        in_file,
        uncompressed,
    })
}

/// The uncompressed size of a legacy "ZLIB"-prefixed section.
fn zdebug_size(data: &[u8]) -> Option<u64> {
    let size = data.strip_prefix(b"ZLIB")?.get(..8)?;
    Some(u64::from_be_bytes(size.try_into().ok()?))
}

/// A garbage size field must not make us allocate gigabytes: zlib cannot expand data more
/// than ~1000x, and DWARF is never larger than that.
fn check_plausible(
    section: &object::Section<'_, '_>,
    uncompressed: u64,
    file_len: u64,
) -> Result<(), DwarfError> {
    if uncompressed > file_len.saturating_mul(1032) + (1 << 20) {
        return Err(DwarfError(format!(
            "{} claims {uncompressed} bytes once decompressed, impossible for a {file_len}-byte file",
            name_of(section)
        )));
    }
    Ok(())
}

fn section_data<'data>(
    section: &object::Section<'data, '_>,
    file_len: u64,
) -> Result<Cow<'data, [u8]>, DwarfError> {
    let name = name_of(section);
    let compressed = section
        .compressed_data()
        .map_err(|e| DwarfError(format!("{name}: {e}")))?;
    match compressed.format {
        object::CompressionFormat::None => {
            let Some(size) = zdebug_size(compressed.data) else {
                return Ok(Cow::Borrowed(compressed.data));
            };
            check_plausible(section, size, file_len)?;
            inflate(&compressed.data[12..], size).map_err(|e| DwarfError(format!("{name}: {e}")))
        }
        _ => compressed
            .decompress()
            .map_err(|e| DwarfError(format!("{name}: {e}"))),
    }
}

fn inflate(data: &[u8], size: u64) -> std::io::Result<Cow<'static, [u8]>> {
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    flate2::read::ZlibDecoder::new(data)
        .take(size)
        .read_to_end(&mut out)?;
    if out.len() as u64 != size {
        return Err(std::io::Error::other(format!(
            "decompressed to {} bytes, the header promised {size}",
            out.len()
        )));
    }
    Ok(Cow::Owned(out))
}

fn name_of(section: &object::Section<'_, '_>) -> String {
    section.name().unwrap_or("a debug section").to_string()
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
        assert_eq!(zdebug_size(&data), Some(1234));
        assert_eq!(zdebug_size(b"ZLIB\0\0"), None);
        assert_eq!(zdebug_size(b"\x01\x02"), None);
    }

    #[test]
    fn inflate_rejects_a_short_stream() {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&[7u8; 100]).unwrap();
        let stream = encoder.finish().unwrap();
        assert_eq!(inflate(&stream, 100).unwrap().len(), 100);
        assert!(inflate(&stream, 200).is_err());
        assert!(inflate(&stream[..stream.len() / 2], 100).is_err());
    }
}
