//! Splitting a linked Go binary into the executable that ships (no symbol table, no
//! DWARF) and its debug twin (the DWARF, the symbol table and the notes, with every
//! loaded section left as an empty `NOBITS` placeholder at its address), without
//! touching a byte of what the kernel loads.
//!
//! Why gv does this itself: `objcopy --strip-all` trims the last segment's file size and,
//! for Go <= 1.21, zeroes the old section-name table that Go puts inside the read-only
//! segment; `eu-strip` pads the output with zeros for `.bss`; `object`'s ELF builder
//! rewrites the dynamic tables of cgo and PIE binaries. The split here keeps the file up
//! to the end of the loaded image as it is and only appends a new section table, so the
//! executable that ships is the one Go linked, byte for byte, wherever it is loaded.
//!
//! - **stripped**: the input's first `image_end` bytes (every program header's file range
//!   and every loaded section lie inside), then a new `.shstrtab` and a section table of
//!   the loaded sections. Sections it drops that sit inside the image (Go <= 1.21's
//!   `.shstrtab`) keep their bytes.
//! - **debug**: the ELF header and program headers (loadable segments with no file
//!   bytes), every non-loaded section and every note copied whole (compressed DWARF stays
//!   compressed), and every other loaded section as `NOBITS` with its address and size.
//!   Section indices are unchanged, so links between sections stay valid.
//!
//! [`check`] then proves the result: the same program headers, the same bytes up to the
//! end of the image, the same GNU build ID in all three files, the same section addresses
//! and sizes in the twin. Only 64-bit little-endian ELF (amd64, arm64, riscv64, loong64,
//! ppc64le, mips64le) is split; anything else is refused with the reason.

use std::io::{self, Write};
use std::ops::Range;

use object::LittleEndian as LE;
use object::elf::{self, FileHeader64, ProgramHeader64, SectionHeader64};
use object::pod::bytes_of;
use object::read::elf::{FileHeader as _, ProgramHeader as _, SectionHeader as _};

use super::build_id::BuildId;
use super::notes::{self, EI_CLASS, EI_DATA, EI_NIDENT};

const EHDR: usize = size_of::<FileHeader64<LE>>();
const PHDR: usize = size_of::<ProgramHeader64<LE>>();
const SHDR: usize = size_of::<SectionHeader64<LE>>();
/// The file alignment gv gives a copied section at most: `sh_addralign` of a section that
/// is not loaded means nothing to the loader, and a hostile value must not pad the twin
/// by gigabytes.
const MAX_FILE_ALIGN: u64 = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("it is not an ELF file gv can read ({0})")]
    NotElf(String),
    #[error("it is {0}; gv splits 64-bit little-endian ELF executables only")]
    Unsupported(String),
    #[error("its ELF headers are damaged: {0}")]
    Damaged(String),
    #[error(
        "it has no GNU build ID, the key a debugger finds its split debug information by (was it linked with -ldflags=-B none?)"
    )]
    NoBuildId,
    #[error("the split is not faithful: {0}")]
    Unfaithful(String),
}

/// A binary, planned into its two halves. The halves are written from the input with
/// [`Plan::write_stripped`] and [`Plan::write_debug`], so a large binary is never held
/// three times in memory.
#[derive(Debug)]
pub struct Plan {
    pub build_id: BuildId,
    /// Where the loaded image ends: the stripped binary is the input up to here, then
    /// its new section table.
    pub image_end: usize,
    stripped_header: [u8; EHDR],
    stripped_tail: Vec<u8>,
    debug_head: Vec<u8>,
    debug_body: Vec<Piece>,
    debug_tail: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Piece {
    Zeros(usize),
    Copy(Range<usize>),
}

struct Parsed<'a> {
    header: &'a FileHeader64<LE>,
    phdrs: &'a [ProgramHeader64<LE>],
    sections: &'a [SectionHeader64<LE>],
    names: Vec<&'a [u8]>,
}

fn parse(data: &[u8]) -> Result<Parsed<'_>, SplitError> {
    let damaged = |e: object::read::Error| SplitError::Damaged(e.to_string());
    let ident = data
        .get(..EI_NIDENT)
        .ok_or_else(|| SplitError::NotElf("shorter than an ELF header".into()))?;
    if ident[..4] != elf::ELFMAG {
        return Err(SplitError::NotElf("no ELF magic number".into()));
    }
    if ident[EI_CLASS] != elf::ELFCLASS64 || ident[EI_DATA] != elf::ELFDATA2LSB {
        return Err(SplitError::Unsupported(
            match (ident[EI_CLASS], ident[EI_DATA]) {
                (elf::ELFCLASS32, elf::ELFDATA2LSB) => "32-bit little-endian ELF",
                (elf::ELFCLASS32, _) => "32-bit big-endian ELF",
                (elf::ELFCLASS64, _) => "64-bit big-endian ELF",
                _ => "ELF of an unknown class",
            }
            .to_string(),
        ));
    }
    let header = FileHeader64::<LE>::parse(data).map_err(damaged)?;
    let kind = header.e_type(LE);
    if kind != elf::ET_EXEC && kind != elf::ET_DYN {
        return Err(SplitError::Unsupported(format!(
            "an ELF file of type {kind} (not an executable)"
        )));
    }
    if header.e_shoff(LE) != 0
        && (header.e_shnum(LE) == 0 || header.e_shnum(LE) >= elf::SHN_LORESERVE)
    {
        return Err(SplitError::Unsupported(
            "an ELF file with extended section numbering (65,280 sections or more)".into(),
        ));
    }
    if header.e_phnum(LE) == elf::PN_XNUM {
        return Err(SplitError::Unsupported(
            "an ELF file with extended program header numbering".into(),
        ));
    }
    let phdrs = header.program_headers(LE, data).map_err(damaged)?;
    let table = header.sections(LE, data).map_err(damaged)?;
    let sections = header.section_headers(LE, data).map_err(damaged)?;
    let mut names = Vec::with_capacity(sections.len());
    for section in sections {
        names.push(table.section_name(LE, section).map_err(damaged)?);
    }
    for (i, p) in phdrs.iter().enumerate() {
        // An empty range may sit anywhere (a twin's segments have no file bytes).
        let end = p.p_offset(LE).checked_add(p.p_filesz(LE));
        if p.p_filesz(LE) > 0 && end.is_none_or(|end| end > data.len() as u64) {
            return Err(SplitError::Damaged(format!(
                "program header {i} reaches past the end of the file"
            )));
        }
    }
    for (i, s) in sections.iter().enumerate() {
        if let Some((start, size)) = s.file_range(LE)
            && start
                .checked_add(size)
                .is_none_or(|end| end > data.len() as u64)
        {
            return Err(SplitError::Damaged(format!(
                "section {} ({}) reaches past the end of the file",
                i,
                String::from_utf8_lossy(names[i])
            )));
        }
    }
    Ok(Parsed {
        header,
        phdrs,
        sections,
        names,
    })
}

fn loaded(s: &SectionHeader64<LE>) -> bool {
    u64::from(elf::SHF_ALLOC) & s.sh_flags(LE) != 0
}

/// Where the loaded image ends: past the ELF header, the program headers, every
/// segment's file bytes and every loaded section's.
fn image_end(p: &Parsed<'_>) -> u64 {
    let phdrs_end = p.header.e_phoff(LE) + (p.phdrs.len() * PHDR) as u64;
    let segments = p
        .phdrs
        .iter()
        .filter(|ph| ph.p_filesz(LE) > 0)
        .map(|ph| ph.p_offset(LE) + ph.p_filesz(LE));
    let sections = p
        .sections
        .iter()
        .filter(|s| loaded(s))
        .filter_map(|s| s.file_range(LE))
        .map(|(start, size)| start + size);
    segments
        .chain(sections)
        .chain([EHDR as u64, phdrs_end])
        .max()
        .unwrap_or(EHDR as u64)
}

/// The GNU build ID from the note sections of a parsed file.
fn build_id_of(data: &[u8], p: &Parsed<'_>) -> Option<BuildId> {
    p.sections.iter().find_map(|s| {
        if s.sh_type(LE) != elf::SHT_NOTE {
            return None;
        }
        let body = s.data(LE, data).ok()?;
        notes::gnu_build_id(body, s.sh_addralign(LE), true)
    })
}

/// Plans the split of the linked binary `data`.
pub fn plan(data: &[u8]) -> Result<Plan, SplitError> {
    let p = parse(data)?;
    let build_id = build_id_of(data, &p).ok_or(SplitError::NoBuildId)?;
    let image_end = image_end(&p);
    let image_end_usize = usize::try_from(image_end)
        .map_err(|_| SplitError::Damaged("the loaded image is larger than memory".into()))?;
    if image_end_usize > data.len() {
        return Err(SplitError::Damaged(
            "the program headers reach past the end of the file".into(),
        ));
    }

    // The stripped binary: the image, a new .shstrtab, the loaded sections' headers.
    let keep: Vec<usize> = (0..p.sections.len())
        .filter(|&i| i == 0 || loaded(&p.sections[i]))
        .collect();
    let new_index = |old: u32| -> Option<u32> {
        keep.iter()
            .position(|&k| k == old as usize)
            .and_then(|n| u32::try_from(n).ok())
    };
    let mut strtab = vec![0u8];
    let mut name_at = Vec::with_capacity(keep.len() + 1);
    for &i in &keep {
        if i == 0 || p.names[i].is_empty() {
            name_at.push(0);
            continue;
        }
        name_at.push(strtab.len() as u32);
        strtab.extend_from_slice(p.names[i]);
        strtab.push(0);
    }
    let shstrtab_name = strtab.len() as u32;
    strtab.extend_from_slice(b".shstrtab\0");

    let mut tail = strtab.clone();
    let strtab_offset = image_end;
    // The table starts 8-aligned in the file, counted from the image's end.
    let misalign = (image_end as usize + tail.len()) % 8;
    if misalign != 0 {
        tail.extend(std::iter::repeat_n(0, 8 - misalign));
    }
    let shoff = image_end + tail.len() as u64;
    for (n, &i) in keep.iter().enumerate() {
        let mut s = p.sections[i];
        if i != 0 {
            s.sh_name.set(LE, name_at[n]);
            let link = s.sh_link(LE);
            if link != 0 {
                let remapped = new_index(link).ok_or_else(|| {
                    SplitError::Unfaithful(format!(
                        "the loaded section {} links to a section a stripped binary drops",
                        String::from_utf8_lossy(p.names[i])
                    ))
                })?;
                s.sh_link.set(LE, remapped);
            }
            let info_is_index = matches!(s.sh_type(LE), elf::SHT_REL | elf::SHT_RELA)
                || s.sh_flags(LE) & u64::from(elf::SHF_INFO_LINK) != 0;
            let info = s.sh_info(LE);
            if info_is_index && info != 0 {
                let remapped = new_index(info).ok_or_else(|| {
                    SplitError::Unfaithful(format!(
                        "the loaded section {} refers to a section a stripped binary drops",
                        String::from_utf8_lossy(p.names[i])
                    ))
                })?;
                s.sh_info.set(LE, remapped);
            }
        }
        tail.extend_from_slice(bytes_of(&s));
    }
    let shstrtab = SectionHeader64::<LE> {
        sh_name: object::U32::new(LE, shstrtab_name),
        sh_type: object::U32::new(LE, elf::SHT_STRTAB),
        sh_flags: object::U64::new(LE, 0),
        sh_addr: object::U64::new(LE, 0),
        sh_offset: object::U64::new(LE, strtab_offset),
        sh_size: object::U64::new(LE, strtab.len() as u64),
        sh_link: object::U32::new(LE, 0),
        sh_info: object::U32::new(LE, 0),
        sh_addralign: object::U64::new(LE, 1),
        sh_entsize: object::U64::new(LE, 0),
    };
    tail.extend_from_slice(bytes_of(&shstrtab));
    let count = u16::try_from(keep.len() + 1)
        .ok()
        .filter(|&c| c < elf::SHN_LORESERVE)
        .ok_or_else(|| SplitError::Unsupported("an ELF file with too many sections".into()))?;
    let mut header = *p.header;
    header.e_shoff.set(LE, shoff);
    header.e_shnum.set(LE, count);
    header.e_shstrndx.set(LE, count - 1);
    header.e_shentsize.set(LE, SHDR as u16);
    let mut stripped_header = [0u8; EHDR];
    stripped_header.copy_from_slice(bytes_of(&header));

    // The debug twin: the ELF header, the program headers, then the sections.
    let body_start = EHDR + p.phdrs.len() * PHDR;
    let mut body = Vec::new();
    let mut at = body_start;
    let mut headers = Vec::with_capacity(p.sections.len());
    // (old file range, new offset) of each section copied, for the program headers.
    let mut moved: Vec<(Range<u64>, u64)> = Vec::new();
    for (i, section) in p.sections.iter().enumerate() {
        let mut s = *section;
        if i == 0 {
            headers.push(s);
            continue;
        }
        let placeholder =
            s.sh_type(LE) == elf::SHT_NOBITS || (loaded(section) && s.sh_type(LE) != elf::SHT_NOTE);
        if placeholder {
            s.sh_type.set(LE, elf::SHT_NOBITS);
            s.sh_offset.set(LE, at as u64);
        } else {
            let (start, size) = section.file_range(LE).unwrap_or((0, 0));
            let align = match section.sh_addralign(LE) {
                a if a.is_power_of_two() && a <= MAX_FILE_ALIGN => a as usize,
                _ => 1,
            };
            if !at.is_multiple_of(align) {
                let pad = align - at % align;
                body.push(Piece::Zeros(pad));
                at += pad;
            }
            s.sh_offset.set(LE, at as u64);
            moved.push((start..start + size, at as u64));
            // In range: checked by `parse`.
            body.push(Piece::Copy(start as usize..(start + size) as usize));
            at += size as usize;
        }
        headers.push(s);
    }
    let misalign = at % 8;
    if misalign != 0 {
        body.push(Piece::Zeros(8 - misalign));
        at += 8 - misalign;
    }
    let debug_shoff = at as u64;
    let mut debug_tail = Vec::with_capacity(headers.len() * SHDR);
    for s in &headers {
        debug_tail.extend_from_slice(bytes_of(s));
    }
    let mut twin_header = *p.header;
    twin_header
        .e_phoff
        .set(LE, if p.phdrs.is_empty() { 0 } else { EHDR as u64 });
    twin_header
        .e_shoff
        .set(LE, if headers.is_empty() { 0 } else { debug_shoff });
    let mut debug_head = Vec::with_capacity(body_start);
    debug_head.extend_from_slice(bytes_of(&twin_header));
    for ph in p.phdrs {
        let mut ph = *ph;
        let (offset, size) = (ph.p_offset(LE), ph.p_filesz(LE));
        match ph.p_type(LE) {
            elf::PT_LOAD => ph.p_filesz.set(LE, 0),
            elf::PT_PHDR => ph.p_offset.set(LE, EHDR as u64),
            _ => match moved
                .iter()
                .find(|(old, _)| old.start <= offset && offset + size <= old.end && size > 0)
            {
                Some((old, new)) => ph.p_offset.set(LE, new + (offset - old.start)),
                None => ph.p_filesz.set(LE, 0),
            },
        }
        debug_head.extend_from_slice(bytes_of(&ph));
    }
    Ok(Plan {
        build_id,
        image_end: image_end_usize,
        stripped_header,
        stripped_tail: tail,
        debug_head,
        debug_body: body,
        debug_tail,
    })
}

impl Plan {
    /// Writes the executable that ships.
    pub fn write_stripped(&self, data: &[u8], out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.stripped_header)?;
        out.write_all(&data[EHDR..self.image_end])?;
        out.write_all(&self.stripped_tail)
    }

    /// Writes the debug twin.
    pub fn write_debug(&self, data: &[u8], out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.debug_head)?;
        const ZEROS: [u8; 4096] = [0; 4096];
        for piece in &self.debug_body {
            match piece {
                Piece::Zeros(n) => {
                    let mut n = *n;
                    while n > 0 {
                        let chunk = n.min(ZEROS.len());
                        out.write_all(&ZEROS[..chunk])?;
                        n -= chunk;
                    }
                }
                Piece::Copy(range) => out.write_all(&data[range.clone()])?,
            }
        }
        out.write_all(&self.debug_tail)
    }

    pub fn stripped_len(&self) -> u64 {
        (EHDR + (self.image_end - EHDR) + self.stripped_tail.len()) as u64
    }
}

/// What [`check`] found: sizes for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub build_id: BuildId,
    pub stripped_size: u64,
    pub debug_size: u64,
}

/// Proves a split faithful: `stripped` is `full` up to the end of its loaded image, with
/// the same program headers and no symbols or DWARF; `debug` has every section of
/// `full` at the same address with the same size, and DWARF if `full` had it; all three
/// carry the same GNU build ID.
pub fn check(full: &[u8], stripped: &[u8], debug: &[u8]) -> Result<Checked, SplitError> {
    let unfaithful = |what: String| SplitError::Unfaithful(what);
    let f = parse(full)?;
    let s = parse(stripped).map_err(|e| unfaithful(format!("the stripped binary: {e}")))?;
    let d = parse(debug).map_err(|e| unfaithful(format!("the debug file: {e}")))?;
    let id = build_id_of(full, &f).ok_or(SplitError::NoBuildId)?;
    for (name, data, parsed) in [("stripped binary", stripped, &s), ("debug file", debug, &d)] {
        match build_id_of(data, parsed) {
            Some(other) if other == id => {}
            Some(other) => {
                return Err(unfaithful(format!(
                    "the {name} has build ID {other}, the linked binary {id}"
                )));
            }
            None => return Err(unfaithful(format!("the {name} has no GNU build ID"))),
        }
    }

    // The executable: the same header but for the section table, the same program
    // headers, the same bytes up to the end of the image.
    let end = usize::try_from(image_end(&f)).unwrap_or(usize::MAX);
    let header_fields = |h: &[u8]| {
        let mut h = h[..EHDR].to_vec();
        h[0x28..0x30].fill(0); // e_shoff
        h[0x3a..0x40].fill(0); // e_shentsize, e_shnum, e_shstrndx
        h
    };
    if header_fields(full) != header_fields(stripped) {
        return Err(unfaithful(
            "the stripped binary's ELF header differs".into(),
        ));
    }
    if stripped.len() < end || full[EHDR..end] != stripped[EHDR..end] {
        let first = full[EHDR..end.min(full.len())]
            .iter()
            .zip(stripped.get(EHDR..).unwrap_or_default())
            .position(|(a, b)| a != b)
            .map_or(stripped.len(), |at| at + EHDR);
        return Err(unfaithful(format!(
            "the stripped binary differs from the linked one at byte {first:#x}, inside the loaded image (which ends at {end:#x})"
        )));
    }
    if bytes_of_slice(f.phdrs) != bytes_of_slice(s.phdrs) {
        return Err(unfaithful("the program headers differ".into()));
    }
    for (name, section) in s.names.iter().zip(s.sections) {
        let is_shstrtab = *name == b".shstrtab";
        if !loaded(section) && !is_shstrtab && section.sh_type(LE) != elf::SHT_NULL {
            return Err(unfaithful(format!(
                "the stripped binary still has the section {}",
                String::from_utf8_lossy(name)
            )));
        }
    }

    // The twin: every section in its place.
    if d.sections.len() != f.sections.len() {
        return Err(unfaithful(format!(
            "the debug file has {} sections, the linked binary {}",
            d.sections.len(),
            f.sections.len()
        )));
    }
    for (i, (a, b)) in f.sections.iter().zip(d.sections).enumerate() {
        let same = f.names[i] == d.names[i]
            && a.sh_addr(LE) == b.sh_addr(LE)
            && a.sh_size(LE) == b.sh_size(LE)
            && a.sh_flags(LE) == b.sh_flags(LE);
        if !same {
            return Err(unfaithful(format!(
                "section {i} ({}) is not where the linked binary has it",
                String::from_utf8_lossy(f.names[i])
            )));
        }
        let copied = b.sh_type(LE) != elf::SHT_NOBITS;
        if copied && a.data(LE, full).ok() != b.data(LE, debug).ok() {
            return Err(unfaithful(format!(
                "section {} has other bytes in the debug file",
                String::from_utf8_lossy(f.names[i])
            )));
        }
        if !loaded(a) && a.sh_type(LE) != elf::SHT_NOBITS && !copied {
            return Err(unfaithful(format!(
                "the debug file lost the section {}",
                String::from_utf8_lossy(f.names[i])
            )));
        }
    }
    Ok(Checked {
        build_id: id,
        stripped_size: stripped.len() as u64,
        debug_size: debug.len() as u64,
    })
}

fn bytes_of_slice<T: object::pod::Pod>(v: &[T]) -> &[u8] {
    object::pod::bytes_of_slice(v)
}

/// Go <= 1.21 has no `-B gobuildid`; gv links with a placeholder ID of zeros (`-B 0x00…`,
/// constant, so go's own up-to-date check still works) and fills it here with the first
/// bytes of the SHA-256 of the linked file: the same content gets the same ID.
pub fn fill_placeholder_build_id(data: &mut [u8]) -> Option<BuildId> {
    use sha2::Digest as _;
    let (at, len) = notes::gnu_build_id_location(data)?;
    if len != PLACEHOLDER_LEN || data[at..at + len].iter().any(|&b| b != 0) {
        return None;
    }
    let digest = sha2::Sha256::digest(&*data);
    data[at..at + len].copy_from_slice(&digest[..len]);
    BuildId::from_bytes(&data[at..at + len]).ok()
}

/// The length of the placeholder ID (that of Go's own `gobuildid`).
pub const PLACEHOLDER_LEN: usize = 20;

/// `-B 0x0000…`: the linker flag of the placeholder.
pub fn placeholder_flag() -> String {
    format!("-B 0x{}", "00".repeat(PLACEHOLDER_LEN))
}
