//! Property tests for everything `gv verify` parses (issue 20): ELF, Mach-O and PE
//! containers, DWARF compile units (plain, SHF_COMPRESSED, `.zdebug`, held and streamed)
//! and Go build info, 10,000 generated cases each. Each case is a well-formed binary
//! written from a model (gimli and object write the DWARF and the container), then
//! optionally damaged: bytes overwritten, the file cut, a compressed section's size field
//! made to lie. Whatever the input, the reader must not panic, must answer with a value
//! or a typed error, and must allocate no more than the bound the input's own size allows
//! ([`super::bounds`]); an undamaged binary must read back exactly as modelled, held and
//! streamed alike.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use object::write::{Object, SectionKind};
use object::{Architecture, BinaryFormat, Endianness, SectionFlags};
use proptest::prelude::*;

use super::bounds::{self, Bounds};
use super::{InspectError, buildinfo, dwarf};

// ---------------------------------------------------------------------------------------
// Bytes allocated by this thread, so a case can assert what reading it cost.
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(bytes as u64)));
}

// SAFETY: every call is passed straight to the system allocator; the counter is a
// thread-local cell without a destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size.saturating_sub(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// `f`'s result and the bytes this thread allocated while it ran (an upper bound on the
/// memory it held at any moment).
pub(crate) fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATED.with(Cell::get);
    let value = f();
    (value, ALLOCATED.with(Cell::get) - before)
}

/// What reading `len` bytes of binary may allocate: every section inflated to the most
/// zlib allows, plus the readers' own small tables.
fn memory_bound(len: usize) -> u64 {
    (len as u64).saturating_mul(bounds::RATIO) + 16 * bounds::MIB
}

// ---------------------------------------------------------------------------------------
// The model: what a binary holds, and how it is stored.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Producer {
    /// `Go cmd/compile go1.22.10; FLAGS`
    Go(String),
    /// A C compiler's (cgo).
    C,
    Absent,
}

#[derive(Debug, Clone, Copy)]
enum Strings {
    Inline,
    Str,
    LineStr,
}

#[derive(Debug, Clone)]
struct UnitModel {
    producer: Producer,
    strings: Strings,
    /// Bytes of a child entry after the root, so units come in many sizes.
    filler: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stored {
    Plain,
    /// ELF only.
    Shf,
    Zdebug,
}

#[derive(Debug, Clone)]
struct Model {
    version: u16,
    dwarf64: bool,
    units: Vec<UnitModel>,
    stored: Stored,
    go_version: Option<String>,
    /// What a compressed `.debug_info` claims to inflate to, when not the truth.
    lie: Option<u64>,
}

#[derive(Debug, Clone)]
struct Damage {
    writes: Vec<(usize, u8)>,
    /// Keep this share (per mille) of the file.
    cut: Option<u16>,
}

fn producer() -> impl Strategy<Value = Producer> {
    let flags = prop::sample::select(vec![
        "",
        "-N -l regabi",
        "-l regabi",
        "-N regabi",
        "regabi",
        "-N -l",
        "-dwarf=false",
    ]);
    prop_oneof![
        6 => flags.prop_map(|f| Producer::Go(f.to_string())),
        1 => Just(Producer::C),
        1 => Just(Producer::Absent),
    ]
}

fn unit() -> impl Strategy<Value = UnitModel> {
    (
        producer(),
        prop_oneof![
            Just(Strings::Inline),
            Just(Strings::Str),
            Just(Strings::LineStr)
        ],
        prop_oneof![Just(0usize), 1usize..600],
    )
        .prop_map(|(producer, strings, filler)| UnitModel {
            producer,
            strings,
            filler,
        })
}

fn model(formats: Vec<Stored>) -> impl Strategy<Value = Model> {
    (
        2u16..=5,
        any::<bool>(),
        prop::collection::vec(unit(), 0..12),
        prop::sample::select(formats),
        prop::option::of(prop::sample::select(vec![
            "go1.22.10",
            "go1.25.5",
            "go1.17",
        ])),
        prop::option::weighted(
            0.15,
            prop_oneof![
                Just(0u64),
                Just(u64::MAX),
                Just(3 * bounds::GIB),
                Just(bounds::SECTION + 1),
                0u64..1 << 24,
            ],
        ),
    )
        .prop_map(|(version, dwarf64, units, stored, go_version, lie)| Model {
            version,
            // 64-bit DWARF came with version 3.
            dwarf64: dwarf64 && version >= 3,
            units,
            stored,
            go_version: go_version.map(str::to_string),
            lie,
        })
}

fn damage() -> impl Strategy<Value = Option<Damage>> {
    prop::option::weighted(
        0.7,
        (
            prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
            prop::option::of(0u16..1000),
        )
            .prop_map(|(writes, cut)| Damage { writes, cut }),
    )
}

fn name_of(i: usize) -> String {
    format!("example.com/p{i}")
}

fn producer_text(p: &Producer) -> Option<String> {
    match p {
        Producer::Go(flags) if flags.is_empty() => Some("Go cmd/compile go1.22.10".into()),
        Producer::Go(flags) => Some(format!("Go cmd/compile go1.22.10; {flags}")),
        Producer::C => Some("GNU C17 12.2.0 -mtune=generic -march=x86-64 -O2".into()),
        Producer::Absent => None,
    }
}

/// `.debug_info`, `.debug_abbrev`, `.debug_str` and `.debug_line_str` for the model.
fn write_dwarf(model: &Model) -> Vec<(&'static str, Vec<u8>)> {
    use gimli::write::{AttributeValue, Dwarf, EndianVec, LineProgram, Sections, Unit};
    let encoding = gimli::Encoding {
        format: if model.dwarf64 {
            gimli::Format::Dwarf64
        } else {
            gimli::Format::Dwarf32
        },
        version: model.version,
        address_size: 8,
    };
    let mut dwarf = Dwarf::new();
    for (i, u) in model.units.iter().enumerate() {
        // .debug_line_str exists from DWARF 5 on.
        let strings = match u.strings {
            Strings::LineStr if model.version < 5 => Strings::Str,
            s => s,
        };
        let text = |dwarf: &mut Dwarf, s: String| match strings {
            Strings::Inline => AttributeValue::String(s.into_bytes()),
            Strings::Str => AttributeValue::StringRef(dwarf.strings.add(s)),
            Strings::LineStr => AttributeValue::LineStringRef(dwarf.line_strings.add(s)),
        };
        let producer = producer_text(&u.producer).map(|p| text(&mut dwarf, p));
        let name = text(&mut dwarf, name_of(i));
        let id = dwarf.units.add(Unit::new(encoding, LineProgram::none()));
        let unit = dwarf.units.get_mut(id);
        let root = unit.root();
        let entry = unit.get_mut(root);
        if let Some(producer) = producer {
            entry.set(gimli::DW_AT_producer, producer);
        }
        entry.set(gimli::DW_AT_name, name);
        if u.filler > 0 {
            let child = unit.add(root, gimli::DW_TAG_variable);
            unit.get_mut(child).set(
                gimli::DW_AT_name,
                AttributeValue::String(vec![b'x'; u.filler]),
            );
        }
    }
    let mut sections = Sections::new(EndianVec::new(gimli::LittleEndian));
    dwarf.write(&mut sections).expect("gimli writes the model");
    vec![
        ("info", sections.debug_info.slice().to_vec()),
        ("abbrev", sections.debug_abbrev.slice().to_vec()),
        ("str", sections.debug_str.slice().to_vec()),
        ("line_str", sections.debug_line_str.slice().to_vec()),
    ]
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory")
}

/// A section's name and bytes as the container stores them, and whether it carries
/// ELF's SHF_COMPRESSED.
fn stored_sections(model: &Model) -> Vec<(String, Vec<u8>, bool)> {
    write_dwarf(model)
        .into_iter()
        .filter(|(_, data)| !data.is_empty())
        .map(|(name, data)| {
            let claimed = if name == "info" {
                model.lie.unwrap_or(data.len() as u64)
            } else {
                data.len() as u64
            };
            match model.stored {
                Stored::Plain => (format!(".debug_{name}"), data, false),
                Stored::Shf => {
                    let mut out = Vec::new();
                    out.extend_from_slice(&1u32.to_le_bytes()); // ELFCOMPRESS_ZLIB
                    out.extend_from_slice(&0u32.to_le_bytes());
                    out.extend_from_slice(&claimed.to_le_bytes());
                    out.extend_from_slice(&1u64.to_le_bytes());
                    out.extend(zlib(&data));
                    (format!(".debug_{name}"), out, true)
                }
                Stored::Zdebug => {
                    let mut out = b"ZLIB".to_vec();
                    out.extend_from_slice(&claimed.to_be_bytes());
                    out.extend(zlib(&data));
                    (format!(".zdebug_{name}"), out, false)
                }
            }
        })
        .collect()
}

fn varint(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A Go >= 1.18 build-info blob (inline strings), 16-byte aligned at its start.
fn build_info_blob(go_version: &str, modinfo: &str) -> Vec<u8> {
    let mut blob = b"\xff Go buildinf:".to_vec();
    blob.extend_from_slice(&[8, 2]);
    blob.resize(32, 0);
    varint(go_version.len(), &mut blob);
    blob.extend_from_slice(go_version.as_bytes());
    let mut text = vec![0x30u8; 16];
    text.extend_from_slice(modinfo.as_bytes());
    text.extend_from_slice(&[0xf9; 16]);
    varint(text.len(), &mut blob);
    blob.extend_from_slice(&text);
    blob
}

const MODINFO: &str = "path\texample.com/p\nmod\texample.com/p\t(devel)\t\n\
    build\t-gcflags=\"all=-N -l\"\nbuild\tCGO_ENABLED=0\n";

fn elf(model: &Model) -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    if let Some(go) = &model.go_version {
        let id = obj.add_section(Vec::new(), b".go.buildinfo".to_vec(), SectionKind::Data);
        obj.append_section_data(id, &build_info_blob(go, MODINFO), 16);
    }
    for (name, data, compressed) in stored_sections(model) {
        let id = obj.add_section(Vec::new(), name.into_bytes(), SectionKind::Debug);
        obj.append_section_data(id, &data, 1);
        if compressed {
            obj.section_mut(id).flags = SectionFlags::Elf {
                sh_flags: u64::from(object::elf::SHF_COMPRESSED),
            };
        }
    }
    obj.write().expect("object writes ELF")
}

fn macho(model: &Model) -> Vec<u8> {
    let mut obj = Object::new(
        BinaryFormat::MachO,
        Architecture::X86_64,
        Endianness::Little,
    );
    if let Some(go) = &model.go_version {
        let id = obj.add_section(
            b"__DATA".to_vec(),
            b"__go_buildinfo".to_vec(),
            SectionKind::Data,
        );
        obj.append_section_data(id, &build_info_blob(go, MODINFO), 16);
    }
    for (name, data, _) in stored_sections(model) {
        // Mach-O spells `.debug_x` as `__debug_x`, at most 16 bytes.
        let mut name = format!("__{}", &name[1..]).into_bytes();
        name.truncate(16);
        let id = obj.add_section(b"__DWARF".to_vec(), name, SectionKind::Debug);
        obj.append_section_data(id, &data, 1);
    }
    obj.write().expect("object writes Mach-O")
}

/// A PE32+ executable as Go's linker lays one out: the build info at the start of the
/// first data section, DWARF in sections whose long names live in the COFF string table.
fn pe(model: &Model) -> Vec<u8> {
    const IMAGE_SCN_CNT_INITIALIZED_DATA: u32 = 0x40;
    const IMAGE_SCN_MEM_READ: u32 = 0x4000_0000;
    const IMAGE_SCN_MEM_WRITE: u32 = 0x8000_0000;
    const IMAGE_SCN_MEM_DISCARDABLE: u32 = 0x0200_0000;
    let mut sections: Vec<(String, Vec<u8>, u32)> = Vec::new();
    if let Some(go) = &model.go_version {
        sections.push((
            ".data".into(),
            build_info_blob(go, MODINFO),
            IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE,
        ));
    }
    for (name, data, _) in stored_sections(model) {
        sections.push((
            name,
            data,
            IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_DISCARDABLE,
        ));
    }
    let headers = 0x40 + 4 + 20 + 240 + 40 * sections.len();
    let align = |n: usize| n.next_multiple_of(0x200);
    let mut out = vec![0u8; align(headers)];
    out[..2].copy_from_slice(b"MZ");
    out[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    let mut strtab: Vec<u8> = Vec::new();
    let mut at = 0x40;
    let put = |out: &mut Vec<u8>, at: &mut usize, bytes: &[u8]| {
        out[*at..*at + bytes.len()].copy_from_slice(bytes);
        *at += bytes.len();
    };
    put(&mut out, &mut at, b"PE\0\0");
    let file_header_at = at;
    put(&mut out, &mut at, &0x8664u16.to_le_bytes());
    put(&mut out, &mut at, &(sections.len() as u16).to_le_bytes());
    at += 4 + 4 + 4; // time stamp, symbol table (patched below), symbol count
    put(&mut out, &mut at, &240u16.to_le_bytes());
    put(&mut out, &mut at, &0x22u16.to_le_bytes()); // executable, large address aware
    let optional_at = at;
    put(&mut out, &mut at, &0x20bu16.to_le_bytes());
    out[optional_at + 32..optional_at + 36].copy_from_slice(&0x1000u32.to_le_bytes());
    out[optional_at + 36..optional_at + 40].copy_from_slice(&0x200u32.to_le_bytes());
    out[optional_at + 108..optional_at + 112].copy_from_slice(&16u32.to_le_bytes());
    at = optional_at + 240;
    let mut address = 0x1000u32;
    let mut data_at = out.len();
    let mut bodies = Vec::new();
    for (name, data, characteristics) in &sections {
        let mut raw_name = [0u8; 8];
        if name.len() <= 8 {
            raw_name[..name.len()].copy_from_slice(name.as_bytes());
        } else {
            let label = format!("/{}", 4 + strtab.len());
            raw_name[..label.len()].copy_from_slice(label.as_bytes());
            strtab.extend_from_slice(name.as_bytes());
            strtab.push(0);
        }
        put(&mut out, &mut at, &raw_name);
        put(&mut out, &mut at, &(data.len() as u32).to_le_bytes());
        put(&mut out, &mut at, &address.to_le_bytes());
        put(&mut out, &mut at, &(align(data.len()) as u32).to_le_bytes());
        put(&mut out, &mut at, &(data_at as u32).to_le_bytes());
        at += 12;
        put(&mut out, &mut at, &characteristics.to_le_bytes());
        address += (data.len() as u32).next_multiple_of(0x1000).max(0x1000);
        bodies.push((data_at, data));
        data_at += align(data.len());
    }
    out.resize(data_at, 0);
    for (offset, data) in bodies {
        out[offset..offset + data.len()].copy_from_slice(data);
    }
    // The COFF string table right after the (empty) symbol table.
    out[file_header_at + 8..file_header_at + 12].copy_from_slice(&(data_at as u32).to_le_bytes());
    out.extend_from_slice(&(4 + strtab.len() as u32).to_le_bytes());
    out.extend_from_slice(&strtab);
    out
}

fn damaged(mut bytes: Vec<u8>, damage: &Option<Damage>) -> Vec<u8> {
    let Some(damage) = damage else { return bytes };
    if !bytes.is_empty() {
        for &(at, byte) in &damage.writes {
            let len = bytes.len();
            bytes[at % len] = byte;
        }
    }
    if let Some(share) = damage.cut {
        bytes.truncate(bytes.len() * usize::from(share) / 1000);
    }
    bytes
}

/// The reader's answer for `bytes`, held to its promises: no panic (the test would fail),
/// a typed error, memory within the bound.
fn read_checked(bytes: &[u8]) -> Result<super::Inspection, InspectError> {
    let (result, allocated) = allocated_by(|| super::inspect_bytes(Path::new("case"), bytes));
    assert!(
        allocated <= memory_bound(bytes.len()),
        "reading {} bytes allocated {allocated}",
        bytes.len()
    );
    if let Err(e) = &result {
        assert!(
            matches!(
                e,
                InspectError::NotABinary { .. }
                    | InspectError::Damaged { .. }
                    | InspectError::NotGo(_)
                    | InspectError::TooLarge { .. }
            ),
            "{e:?}"
        );
        assert!(!e.to_string().is_empty());
    }
    result
}

/// An undamaged binary reads back as modelled.
fn check_round_trip(model: &Model, report: &Result<super::Inspection, InspectError>) {
    if let Some(lie) = model.lie {
        // A size field that lies is refused: too large, or damage when inflating.
        let real = write_dwarf(model)[0].1.len() as u64;
        if lie != real && model.stored != Stored::Plain && !model.units.is_empty() {
            assert!(report.is_err() || model.go_version.is_some(), "{report:?}");
            return;
        }
    }
    let go_units: Vec<(usize, &String)> = model
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| match &u.producer {
            Producer::Go(flags) => Some((i, flags)),
            _ => None,
        })
        .collect();
    if model.go_version.is_none() && go_units.is_empty() {
        assert!(matches!(report, Err(InspectError::NotGo(_))), "{report:?}");
        return;
    }
    let report = report.as_ref().expect("an undamaged binary reads");
    assert_eq!(report.go_version(), model.go_version.as_deref());
    let Some(dwarf) = &report.dwarf else {
        assert!(model.units.is_empty(), "{model:?}");
        return;
    };
    assert_eq!(dwarf.units, model.units.len());
    assert_eq!(dwarf.version, model.version);
    let foreign = model
        .units
        .iter()
        .filter(|u| matches!(u.producer, Producer::C))
        .count();
    assert_eq!(dwarf.foreign_units, foreign);
    assert_eq!(dwarf.packages.len(), go_units.len());
    for (i, flags) in go_units {
        let package = dwarf.package(&name_of(i)).expect("each Go unit's package");
        let has = |f: &str| flags.split_whitespace().any(|w| w == f);
        assert_eq!(package.optimised, !has("-N"), "{flags}");
        assert_eq!(package.inlined, !has("-l"), "{flags}");
    }
}

proptest! {
    #![proptest_config(crate::test_config::proptest())]

    #[test]
    fn elf_binaries_read_as_modelled_or_fail_typed(
        model in model(vec![Stored::Plain, Stored::Shf, Stored::Zdebug]),
        damage in damage(),
    ) {
        let bytes = damaged(elf(&model), &damage);
        let report = read_checked(&bytes);
        if damage.is_none() {
            check_round_trip(&model, &report);
        }
    }

    #[test]
    fn macho_binaries_read_as_modelled_or_fail_typed(
        model in model(vec![Stored::Plain, Stored::Zdebug]),
        damage in damage(),
    ) {
        let bytes = damaged(macho(&model), &damage);
        let report = read_checked(&bytes);
        if damage.is_none() {
            check_round_trip(&model, &report);
        }
    }

    #[test]
    fn pe_binaries_read_as_modelled_or_fail_typed(
        model in model(vec![Stored::Plain, Stored::Zdebug]),
        damage in damage(),
    ) {
        let bytes = damaged(pe(&model), &damage);
        let report = read_checked(&bytes);
        if damage.is_none() {
            check_round_trip(&model, &report);
        }
    }

    /// The streaming path (a `.debug_info` larger than what is held) gives the held
    /// path's answer, and keeps to its bounds on damaged input too.
    #[test]
    fn streamed_dwarf_reads_as_held_dwarf(
        model in model(vec![Stored::Shf, Stored::Zdebug]),
        damage in damage(),
        window in 160u64..400,
    ) {
        let bytes = damaged(elf(&model), &damage);
        let Ok(file) = object::File::parse(&*bytes) else { return Ok(()) };
        let small = Bounds { hold: 0, root_window: window, ..Bounds::DEFAULT };
        let (streamed, allocated) = allocated_by(|| dwarf::read_within(&file, small));
        prop_assert!(allocated <= memory_bound(bytes.len()), "allocated {}", allocated);
        let held = dwarf::read(&file);
        if damage.is_none() && model.lie.is_none() {
            prop_assert_eq!(streamed, held);
        }
    }

    #[test]
    fn build_info_decodes_or_fails_typed(
        prefix in prop::collection::vec(any::<u8>(), 0..48),
        go_version in "go1\\.[0-9]{1,2}(\\.[0-9]{1,2})?",
        modinfo in "[ -~\t\n]{0,200}",
        writes in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in prop::option::of(0usize..400),
        pointer_format in any::<bool>(),
        memory in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        // Aligned like the real section, or not at all.
        let mut blob = prefix.clone();
        blob.resize(prefix.len().next_multiple_of(16), 0);
        let mut header = build_info_blob(&go_version, &modinfo);
        if pointer_format {
            header.truncate(32);
            header[15] = 0; // pointers, little-endian
        }
        blob.extend_from_slice(&header);
        let pristine = writes.is_empty() && cut.is_none();
        for &(at, byte) in &writes {
            let len = blob.len();
            blob[at % len] = byte;
        }
        if let Some(cut) = cut {
            blob.truncate(cut.min(blob.len()));
        }
        let read_memory = |address: u64, len: usize| {
            let at = usize::try_from(address).ok()?;
            memory.get(at..at.checked_add(len)?)
        };
        let (decoded, allocated) = allocated_by(|| buildinfo::decode(&blob, read_memory));
        prop_assert!(allocated <= 4 * blob.len() as u64 + 64 * bounds::KIB + 4 * memory.len() as u64);
        match decoded {
            Ok(info) => {
                if pristine && !pointer_format {
                    prop_assert_eq!(info.go_version, go_version);
                }
            }
            Err(buildinfo::BuildInfoError::Missing | buildinfo::BuildInfoError::Damaged(_)) => {
                prop_assert!(!pristine || pointer_format);
            }
        }
    }
}
