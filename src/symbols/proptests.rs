//! Property tests for what the symbol store parses and writes, 10,000 generated cases
//! each: ELF notes (the GNU build ID, by notes and by scanning a memory image), core
//! dumps (program headers, `NT_FILE`, `NT_AUXV`, `NT_PRPSINFO`, the executable's first
//! page), and the split of generated ELF executables. Each case is written from a model,
//! then optionally damaged (bytes overwritten, the file cut). Whatever the input, the
//! readers must not panic and must answer with a value or a typed error; reading a core
//! allocates no more than its own size allows; an undamaged input reads back exactly as
//! modelled, and an undamaged executable splits faithfully ([`super::split::check`]).

use object::elf;
use proptest::prelude::*;

use super::coredump::{self, Failure};
use super::notes::{self, encode_note};
use super::split;

#[derive(Debug, Clone)]
struct Damage {
    writes: Vec<(usize, u8)>,
    /// Keep this share (per mille) of the bytes.
    cut: Option<u16>,
}

impl Damage {
    fn is_none(&self) -> bool {
        self.writes.is_empty() && self.cut.is_none()
    }

    fn apply(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        if bytes.is_empty() {
            return bytes;
        }
        for &(at, value) in &self.writes {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        if let Some(keep) = self.cut {
            bytes.truncate(bytes.len() * usize::from(keep) / 1000);
        }
        bytes
    }
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        2 => Just(Damage { writes: Vec::new(), cut: None }),
        3 => (
            prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            prop::option::of(0u16..1000),
        )
            .prop_map(|(writes, cut)| Damage { writes, cut }),
        1 => (0u16..1000).prop_map(|cut| Damage { writes: Vec::new(), cut: Some(cut) }),
    ]
}

fn build_id() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        any::<u8>(),
        super::build_id::MIN_LEN..=super::build_id::MAX_LEN,
    )
}

// ---------------------------------------------------------------------------------------
// Notes in a memory image.
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(crate::test_config::proptest())]

    /// A GNU build-ID note planted at any 4-byte boundary of a region of noise is found
    /// by scanning; noise alone never panics either reader.
    #[test]
    fn a_planted_build_id_note_is_found_in_noise(
        noise in prop::collection::vec(any::<u8>(), 0..2048),
        at in any::<usize>(),
        id in build_id(),
        go_note in any::<bool>(),
    ) {
        let _ = notes::scan_for_gnu_build_id(&noise, true);
        let _ = notes::gnu_build_id(&noise, 4, true);
        let _ = notes::gnu_build_id(&noise, 8, false);
        let mut planted = Vec::new();
        if go_note {
            planted.extend(encode_note(b"Go", 4, b"action/content"));
        }
        planted.extend(encode_note(b"GNU", elf::NT_GNU_BUILD_ID, &id));
        let at = (at % (noise.len() + 1)) & !3;
        let mut region = noise[..at].to_vec();
        region.extend(&planted);
        // Through the notes, from where they start.
        let found = notes::gnu_build_id(&region[at..], 4, true).expect("the planted note");
        prop_assert_eq!(found.as_bytes(), &id[..]);
        // By scanning: the planted note, unless the noise before it holds one too.
        if notes::scan_for_gnu_build_id(&noise[..at], true).is_none() {
            let scanned = notes::scan_for_gnu_build_id(&region, true).expect("scanned");
            prop_assert_eq!(scanned.as_bytes(), &id[..]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Core dumps.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct CoreModel {
    exe: String,
    command: String,
    base: u64,
    id: Vec<u8>,
    /// A first page without the GNU note (a Go <= 1.21 binary linked without -B).
    without_id: bool,
}

fn core_model() -> impl Strategy<Value = CoreModel> {
    (
        "/[a-z]{1,12}(/[a-zA-Z0-9 ._-]{1,20}){0,4}",
        "[ -~]{0,100}",
        (1u64..0x7fff_ffff).prop_map(|p| p * 4096),
        build_id(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(exe, command, base, id, without_id)| CoreModel {
            exe,
            command,
            base,
            id,
            without_id,
        })
}

fn core_bytes(m: &CoreModel) -> Vec<u8> {
    let mut image = coredump::go_image(&m.id);
    if m.without_id {
        let at = image.windows(4).rposition(|w| w == b"GNU\0").unwrap_or(0);
        image[at..at + 4].copy_from_slice(b"NOT\0");
    }
    coredump::fixture(&m.exe, &m.command, m.base, &image)
}

proptest! {
    #![proptest_config(crate::test_config::proptest())]

    #[test]
    fn cores_read_as_modelled_or_fail_typed(model in core_model(), damage in damage()) {
        let bytes = damage.apply(core_bytes(&model));
        let (result, allocated) =
            crate::inspect::proptests::allocated_by(|| coredump::read_from(&bytes[..]));
        // What gv reads is bounded by the file's own size (plus small tables).
        prop_assert!(
            allocated <= 4 * bytes.len() as u64 + (1 << 20),
            "{} bytes allocated for a {}-byte core", allocated, bytes.len()
        );
        match result {
            Ok(info) if damage.is_none() => {
                prop_assert_eq!(info.executable.as_deref(), Some(model.exe.as_str()));
                let shown: String = model.command.chars().take(80).collect();
                prop_assert_eq!(info.command.as_deref(), Some(shown.trim_end()));
                if model.without_id {
                    prop_assert!(info.build_id.is_none());
                } else {
                    prop_assert_eq!(info.build_id.map(|i| i.as_bytes().to_vec()), Some(model.id.clone()));
                }
            }
            Ok(_) | Err(Failure::Bad(_)) => {}
            Err(Failure::Io(e)) => prop_assert!(false, "an I/O error from memory: {}", e),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Splitting generated executables.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Progbits,
    Nobits,
}

#[derive(Debug, Clone)]
struct Loaded {
    kind: Kind,
    size: usize,
    align: u64,
    fill: u8,
}

#[derive(Debug, Clone)]
struct ExeModel {
    loaded: Vec<Loaded>,
    /// Non-loaded sections: (size, align, fill, compressed flag).
    debug: Vec<(usize, u64, u8, bool)>,
    symtab: bool,
    /// Go <= 1.21 puts .shstrtab inside the loaded image.
    shstrtab_inside: bool,
    pie: bool,
    /// `None`: linked without a GNU build ID.
    id: Option<Vec<u8>>,
}

fn exe_model() -> impl Strategy<Value = ExeModel> {
    let loaded = (
        prop_oneof![4 => Just(Kind::Progbits), 1 => Just(Kind::Nobits)],
        0usize..400,
        prop::sample::select(vec![1u64, 4, 8, 16, 32, 4096]),
        any::<u8>(),
    )
        .prop_map(|(kind, size, align, fill)| Loaded {
            kind,
            size,
            align,
            fill,
        });
    (
        prop::collection::vec(loaded, 0..8),
        prop::collection::vec(
            (
                0usize..600,
                prop::sample::select(vec![0u64, 1, 8, 1 << 40]),
                any::<u8>(),
                any::<bool>(),
            ),
            0..6,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.95, build_id()),
    )
        .prop_map(
            |(loaded, debug, symtab, shstrtab_inside, pie, id)| ExeModel {
                loaded,
                debug,
                symtab,
                shstrtab_inside,
                pie,
                id,
            },
        )
}

const BASE: u64 = 0x40_0000;

struct Section {
    name: String,
    kind: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    align: u64,
}

/// A little-endian ELF64 executable from the model: program headers (PT_PHDR, a PT_NOTE
/// over the first note only, as Go writes it, one PT_LOAD over the image), the loaded
/// sections, then the others, then the section table.
fn exe_bytes(m: &ExeModel) -> Vec<u8> {
    let phnum = 3u64;
    let mut out = vec![0u8; (64 + phnum * 56) as usize];
    let mut sections = vec![Section {
        name: String::new(),
        kind: 0,
        flags: 0,
        addr: 0,
        offset: 0,
        size: 0,
        link: 0,
        align: 0,
    }];
    let align_to = |out: &mut Vec<u8>, align: u64| {
        while !(out.len() as u64).is_multiple_of(align.max(1)) {
            out.push(0);
        }
    };
    // Notes first, as Go's linker lays them out.
    let (notes_at, go_note_len) = {
        align_to(&mut out, 4);
        let notes_at = out.len() as u64;
        let go = encode_note(b"Go", 4, b"aaaa/bbbb/cccc/dddd");
        let go_note_len = go.len() as u64;
        sections.push(Section {
            name: ".note.go.buildid".into(),
            kind: elf::SHT_NOTE,
            flags: u64::from(elf::SHF_ALLOC),
            addr: BASE + out.len() as u64,
            offset: out.len() as u64,
            size: go.len() as u64,
            link: 0,
            align: 4,
        });
        out.extend(go);
        if let Some(id) = &m.id {
            let gnu = encode_note(b"GNU", elf::NT_GNU_BUILD_ID, id);
            sections.push(Section {
                name: ".note.gnu.build-id".into(),
                kind: elf::SHT_NOTE,
                flags: u64::from(elf::SHF_ALLOC),
                addr: BASE + out.len() as u64,
                offset: out.len() as u64,
                size: gnu.len() as u64,
                link: 0,
                align: 4,
            });
            out.extend(gnu);
        }
        (notes_at, go_note_len)
    };
    let names: Vec<String> = (0..m.loaded.len()).map(|i| format!(".load{i}")).collect();
    let mut shstrtab_index = None;
    for (i, l) in m.loaded.iter().enumerate() {
        if m.shstrtab_inside && i == m.loaded.len() / 2 {
            shstrtab_index = Some(sections.len());
            sections.push(Section {
                name: ".shstrtab".into(),
                kind: elf::SHT_STRTAB,
                flags: 0,
                addr: 0,
                offset: out.len() as u64,
                size: 0, // filled below
                link: 0,
                align: 1,
            });
            out.extend(std::iter::repeat_n(0u8, 512));
        }
        align_to(&mut out, l.align);
        let offset = out.len() as u64;
        sections.push(Section {
            name: names[i].clone(),
            kind: if l.kind == Kind::Nobits {
                elf::SHT_NOBITS
            } else {
                elf::SHT_PROGBITS
            },
            flags: u64::from(elf::SHF_ALLOC),
            addr: BASE + offset,
            offset,
            size: l.size as u64,
            link: 0,
            align: l.align,
        });
        if l.kind == Kind::Progbits {
            out.extend(std::iter::repeat_n(l.fill, l.size));
        }
    }
    let image_end = out.len() as u64;
    for (i, &(size, align, fill, compressed)) in m.debug.iter().enumerate() {
        align_to(&mut out, align.min(64));
        sections.push(Section {
            name: format!(".debug_x{i}"),
            kind: elf::SHT_PROGBITS,
            flags: if compressed {
                u64::from(elf::SHF_COMPRESSED)
            } else {
                0
            },
            addr: 0,
            offset: out.len() as u64,
            size: size as u64,
            link: 0,
            align,
        });
        out.extend(std::iter::repeat_n(fill, size));
    }
    if m.symtab {
        let strtab_index = sections.len() as u32 + 1;
        align_to(&mut out, 8);
        sections.push(Section {
            name: ".symtab".into(),
            kind: elf::SHT_SYMTAB,
            flags: 0,
            addr: 0,
            offset: out.len() as u64,
            size: 48,
            link: strtab_index,
            align: 8,
        });
        out.extend([0u8; 48]);
        sections.push(Section {
            name: ".strtab".into(),
            kind: elf::SHT_STRTAB,
            flags: 0,
            addr: 0,
            offset: out.len() as u64,
            size: 4,
            link: 0,
            align: 1,
        });
        out.extend(b"\0ab\0");
    }
    let shstrtab_index = match shstrtab_index {
        Some(i) => i,
        None => {
            sections.push(Section {
                name: ".shstrtab".into(),
                kind: elf::SHT_STRTAB,
                flags: 0,
                addr: 0,
                offset: 0,
                size: 0,
                link: 0,
                align: 1,
            });
            sections.len() - 1
        }
    };
    let mut strtab = vec![0u8];
    let mut name_at = Vec::new();
    for s in &sections {
        if s.name.is_empty() {
            name_at.push(0u32);
        } else {
            name_at.push(strtab.len() as u32);
            strtab.extend(s.name.as_bytes());
            strtab.push(0);
        }
    }
    let shstrtab = &mut sections[shstrtab_index];
    shstrtab.size = strtab.len() as u64;
    if shstrtab.offset == 0 {
        shstrtab.offset = out.len() as u64;
        out.extend(&strtab);
    } else {
        let at = shstrtab.offset as usize;
        out[at..at + strtab.len()].copy_from_slice(&strtab);
    }
    align_to(&mut out, 8);
    let shoff = out.len() as u64;
    for (s, name) in sections.iter().zip(&name_at) {
        let mut h = [0u8; 64];
        h[0..4].copy_from_slice(&name.to_le_bytes());
        h[4..8].copy_from_slice(&s.kind.to_le_bytes());
        h[8..16].copy_from_slice(&s.flags.to_le_bytes());
        h[16..24].copy_from_slice(&s.addr.to_le_bytes());
        h[24..32].copy_from_slice(&s.offset.to_le_bytes());
        h[32..40].copy_from_slice(&s.size.to_le_bytes());
        h[40..44].copy_from_slice(&s.link.to_le_bytes());
        h[48..56].copy_from_slice(&s.align.to_le_bytes());
        out.extend(h);
    }
    // The ELF header and program headers.
    out[..4].copy_from_slice(&elf::ELFMAG);
    out[4] = elf::ELFCLASS64;
    out[5] = elf::ELFDATA2LSB;
    out[6] = elf::EV_CURRENT;
    let kind = if m.pie { elf::ET_DYN } else { elf::ET_EXEC };
    out[16..18].copy_from_slice(&kind.to_le_bytes());
    out[18..20].copy_from_slice(&elf::EM_X86_64.to_le_bytes());
    out[20..24].copy_from_slice(&1u32.to_le_bytes());
    out[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
    out[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
    out[0x34..0x36].copy_from_slice(&64u16.to_le_bytes());
    out[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    out[0x38..0x3a].copy_from_slice(&(phnum as u16).to_le_bytes());
    out[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    out[0x3c..0x3e].copy_from_slice(&(sections.len() as u16).to_le_bytes());
    out[0x3e..0x40].copy_from_slice(&(shstrtab_index as u16).to_le_bytes());
    let memsz = sections
        .iter()
        .filter(|s| s.flags & u64::from(elf::SHF_ALLOC) != 0)
        .map(|s| s.addr + s.size - BASE)
        .max()
        .unwrap_or(image_end)
        .max(image_end);
    let phdrs = [
        (elf::PT_PHDR, 64, phnum * 56, phnum * 56),
        (elf::PT_NOTE, notes_at, go_note_len, go_note_len),
        (elf::PT_LOAD, 0, image_end, memsz),
    ];
    for (i, (kind, offset, filesz, memsz)) in phdrs.into_iter().enumerate() {
        let at = 64 + i * 56;
        let p = &mut out[at..at + 56];
        p[0..4].copy_from_slice(&kind.to_le_bytes());
        p[4..8].copy_from_slice(&5u32.to_le_bytes());
        p[8..16].copy_from_slice(&offset.to_le_bytes());
        p[16..24].copy_from_slice(&(BASE + offset).to_le_bytes());
        p[24..32].copy_from_slice(&(BASE + offset).to_le_bytes());
        p[32..40].copy_from_slice(&filesz.to_le_bytes());
        p[40..48].copy_from_slice(&memsz.to_le_bytes());
        p[48..56].copy_from_slice(&(if kind == elf::PT_LOAD { 4096u64 } else { 8 }).to_le_bytes());
    }
    out
}

fn write_halves(plan: &split::Plan, data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (mut stripped, mut debug) = (Vec::new(), Vec::new());
    plan.write_stripped(data, &mut stripped).expect("in memory");
    plan.write_debug(data, &mut debug).expect("in memory");
    (stripped, debug)
}

proptest! {
    #![proptest_config(crate::test_config::proptest())]

    #[test]
    fn executables_split_faithfully_or_are_refused_typed(
        model in exe_model(),
        damage in damage(),
    ) {
        let bytes = damage.apply(exe_bytes(&model));
        let planned = split::plan(&bytes);
        if damage.is_none() {
            let Some(id) = &model.id else {
                prop_assert_eq!(planned.unwrap_err(), split::SplitError::NoBuildId);
                return Ok(());
            };
            let plan = planned.expect("an undamaged executable splits");
            prop_assert_eq!(plan.build_id.as_bytes(), &id[..]);
            let (stripped, debug) = write_halves(&plan, &bytes);
            prop_assert_eq!(plan.stripped_len(), stripped.len() as u64);
            let checked = split::check(&bytes, &stripped, &debug);
            prop_assert!(checked.is_ok(), "{:?}", checked);
            // The image is the input's, byte for byte, but for the section table's place.
            prop_assert_eq!(&stripped[64..plan.image_end], &bytes[64..plan.image_end]);
            // Both halves are ELF that `object` reads, with the ID.
            for half in [&stripped, &debug] {
                let id_read = notes::elf_build_id(half).expect("ELF").expect("an ID");
                prop_assert_eq!(id_read.as_bytes(), &id[..]);
            }
        } else if let Ok(plan) = planned {
            // Damaged, but planned: writing and checking stay typed.
            let (stripped, debug) = write_halves(&plan, &bytes);
            let _ = split::check(&bytes, &stripped, &debug);
        }
    }

    /// A placeholder ID of zeros is filled from the content: the same file gets the same
    /// ID, another file another; a real ID is never touched.
    #[test]
    fn a_placeholder_build_id_is_filled_from_the_content(mut model in exe_model(), fill in any::<u8>()) {
        model.id = Some(vec![0; split::PLACEHOLDER_LEN]);
        let bytes = exe_bytes(&model);
        let (mut a, mut b) = (bytes.clone(), bytes.clone());
        let first = split::fill_placeholder_build_id(&mut a).expect("filled");
        prop_assert_eq!(split::fill_placeholder_build_id(&mut b), Some(first.clone()));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(split::fill_placeholder_build_id(&mut a), None, "filled once");
        if let Some(l) = model.loaded.iter_mut().find(|l| l.kind == Kind::Progbits && l.size > 0 && l.fill != fill) {
            l.fill = fill;
            let mut other = exe_bytes(&model);
            prop_assert_ne!(split::fill_placeholder_build_id(&mut other), Some(first));
        }
    }
}
