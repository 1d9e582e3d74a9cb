//! What a core dump says about the program that dumped it: the executable's path, the
//! command line, and the executable's GNU build ID — read from the core alone, so
//! `gv debug --core CORE` can find the binary and its debug information in the symbol
//! store without being told.
//!
//! A core is outside input (it may come from another machine, or be made to mislead),
//! and it is large (tens of megabytes, mostly memory): gv reads its ELF header, its
//! program headers, its notes and one small region of memory, each with a bound, and
//! never maps or reads the rest.
//!
//! The build ID is not in the core's notes: the kernel records mappings (`NT_FILE`) and
//! the auxiliary vector (`NT_AUXV`), and dumps the first page of every mapped ELF file
//! (coredump_filter bit 4). `AT_PHDR` in the auxiliary vector is where the executable's
//! program headers are in memory; the `NT_FILE` mapping around it says where the file
//! starts and what it was called; the executable's own notes are in that first page.
//! Because Go's linker points its `PT_NOTE` at Go's own note only
//! ([`super::notes`]), the GNU note is found by looking through the dumped page.

use std::fs::File;
use std::path::Path;

use object::elf;

use super::build_id::BuildId;
use super::limits;
use super::notes::{self, AT_PHDR, EI_CLASS, EI_DATA};

/// What gv learnt from a core.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreInfo {
    /// The executable's path on the machine that dumped the core (`NT_FILE`).
    pub executable: Option<String>,
    /// The command line (`NT_PRPSINFO`'s first 80 bytes of it).
    pub command: Option<String>,
    /// The executable's GNU build ID, from its first page in the core.
    pub build_id: Option<BuildId>,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("cannot read {path}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Bad(String),
}

impl gv_core::error::Hint for CoreError {
    fn hint(&self) -> Option<String> {
        match self {
            CoreError::Bad(_) => Some(
                "pass the core file the kernel wrote (GOTRACEBACK=crash with `ulimit -c unlimited`), whole".into(),
            ),
            CoreError::Read { .. } => None,
        }
    }
}

/// Where a core's bytes come from: a file, or (in tests) memory.
pub trait Source {
    /// The source's length in bytes.
    fn size(&self) -> u64;
    /// Fills `buf` from `offset`; fewer bytes only at the end.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
}

impl Source for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

struct FileSource {
    file: File,
    len: u64,
}

impl Source for FileSource {
    fn size(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match gv_core::platform::read_at(&self.file, &mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}

/// Reads what gv needs from the core file at `path`.
pub fn read(path: &Path) -> Result<CoreInfo, CoreError> {
    let read_error = |source| CoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(CoreError::Bad(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let file = File::open(path).map_err(read_error)?;
    let source = FileSource {
        len: meta.len(),
        file,
    };
    read_from(&source).map_err(|e| match e {
        Failure::Io(source) => read_error(source),
        Failure::Bad(why) => CoreError::Bad(format!(
            "{} is not a core dump gv can read: {why}",
            path.display()
        )),
    })
}

#[derive(Debug)]
pub enum Failure {
    Io(std::io::Error),
    Bad(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

fn bad<T>(why: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Bad(why.into()))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

/// Reads exactly `len` bytes at `offset`, or fails: a core cut short is damaged.
fn exact(
    source: &(impl Source + ?Sized),
    offset: u64,
    len: usize,
    what: &str,
) -> Result<Vec<u8>, Failure> {
    if offset
        .checked_add(len as u64)
        .is_none_or(|end| end > source.size())
    {
        return bad(format!("the file ends before its {what}"));
    }
    let mut buf = vec![0; len];
    if source.read_at(offset, &mut buf)? != len {
        return bad(format!("the file ends before its {what}"));
    }
    Ok(buf)
}

/// A loadable segment of the core: memory at `vaddr`, `filesz` bytes of it dumped at
/// `offset`.
#[derive(Debug, Clone, Copy)]
struct Segment {
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

/// A file mapping from `NT_FILE`.
#[derive(Debug, Clone)]
struct Mapping {
    start: u64,
    end: u64,
    /// In bytes.
    file_offset: u64,
    name: String,
}

/// [`read`] on any source.
pub fn read_from(source: &(impl Source + ?Sized)) -> Result<CoreInfo, Failure> {
    let header = exact(source, 0, 64, "ELF header")?;
    if header[..4] != elf::ELFMAG {
        return bad("it is not an ELF file");
    }
    if header[EI_CLASS] != elf::ELFCLASS64 || header[EI_DATA] != elf::ELFDATA2LSB {
        return bad("gv reads the cores of 64-bit little-endian programs only");
    }
    let kind = u16_at(&header, 16);
    if kind != elf::ET_CORE {
        return bad(format!(
            "it is an ELF file of type {kind}, not a core dump (type 4)"
        ));
    }
    let phoff = u64_at(&header, 0x20);
    let phentsize = u16_at(&header, 0x36);
    let phnum = u16_at(&header, 0x38);
    if phnum == elf::PN_XNUM {
        return bad("it has more program headers than gv reads (65,535)");
    }
    if phentsize != 56 {
        return bad(format!(
            "its program headers are {phentsize} bytes each, not 56"
        ));
    }
    let table = exact(source, phoff, usize::from(phnum) * 56, "program headers")?;
    let mut segments = Vec::new();
    let mut note_segments = Vec::new();
    for ph in table.chunks_exact(56) {
        let (kind, offset, vaddr, filesz) =
            (u32_at(ph, 0), u64_at(ph, 8), u64_at(ph, 16), u64_at(ph, 32));
        if offset
            .checked_add(filesz)
            .is_none_or(|end| end > source.size())
        {
            // A core the kernel stopped writing (disk full, a size limit) ends early:
            // what it has is still worth reading.
            continue;
        }
        match kind {
            elf::PT_LOAD => segments.push(Segment {
                offset,
                vaddr,
                filesz,
            }),
            elf::PT_NOTE => note_segments.push((offset, filesz)),
            _ => {}
        }
    }

    let mut info = CoreInfo::default();
    let mut auxv_phdr = None;
    let mut mappings = Vec::new();
    let mut budget = limits::CORE_NOTES;
    for (offset, filesz) in note_segments {
        let len = filesz.min(budget);
        budget -= len;
        let data = exact(source, offset, len as usize, "notes")?;
        read_notes(&data, &mut info, &mut auxv_phdr, &mut mappings);
        if budget == 0 {
            break;
        }
    }

    // Where the executable's first page is, and its name.
    let exe = match auxv_phdr {
        Some(phdr) => mappings
            .iter()
            .find(|m| m.start <= phdr && phdr < m.end)
            .cloned(),
        None => None,
    }
    .or_else(|| mappings.iter().find(|m| m.file_offset == 0).cloned());
    let base = match (&exe, auxv_phdr) {
        (Some(m), _) => m.start.checked_sub(m.file_offset),
        // No file mappings: the program headers sit in the first page, after the header.
        (None, Some(phdr)) => Some(phdr & !(limits::PAGE - 1)),
        (None, None) => None,
    };
    info.executable = exe.map(|m| m.name);
    if let Some(base) = base {
        let image = read_memory(source, &segments, base, limits::CORE_EXE_HEAD)?;
        if image.len() >= 4 && image[..4] == elf::ELFMAG {
            info.build_id = notes_in_image(&image);
        }
    }
    Ok(info)
}

/// The notes of a core's `PT_NOTE` segment: the command line, the auxiliary vector's
/// `AT_PHDR`, the file mappings.
fn read_notes(
    data: &[u8],
    info: &mut CoreInfo,
    auxv_phdr: &mut Option<u64>,
    mappings: &mut Vec<Mapping>,
) {
    type Notes<'d> = object::read::elf::NoteIterator<'d, elf::FileHeader64<object::LittleEndian>>;
    let Ok(mut notes) = Notes::new(object::LittleEndian, 4, data) else {
        return;
    };
    while let Ok(Some(note)) = notes.next() {
        if note.name() != b"CORE" {
            continue;
        }
        let desc = note.desc();
        match note.n_type(object::LittleEndian) {
            elf::NT_PRPSINFO if desc.len() >= 136 && info.command.is_none() => {
                info.command = Some(c_string(&desc[56..136]));
            }
            elf::NT_AUXV if auxv_phdr.is_none() => {
                *auxv_phdr = desc
                    .chunks_exact(16)
                    .find(|pair| u64_at(pair, 0) == AT_PHDR)
                    .map(|pair| u64_at(pair, 8));
            }
            NT_FILE if mappings.is_empty() => *mappings = file_mappings(desc),
            _ => {}
        }
    }
}

/// `NT_FILE`'s note type ("FILE" as a little-endian number).
const NT_FILE: u32 = 0x4649_4c45;

/// `NT_FILE`: a count, the page size, `count` (start, end, page offset) triples, then
/// `count` NUL-terminated names. A count the note cannot hold is cut to what it can.
fn file_mappings(desc: &[u8]) -> Vec<Mapping> {
    if desc.len() < 16 {
        return Vec::new();
    }
    let page = u64_at(desc, 8);
    let room = (desc.len() - 16) / 24;
    let count = usize::try_from(u64_at(desc, 0))
        .unwrap_or(usize::MAX)
        .min(room);
    let names_at = 16 + count * 24;
    let mut names = desc[names_at..].split(|&b| b == 0);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let at = 16 + i * 24;
        let Some(name) = names.next() else { break };
        let (start, end, pages) = (
            u64_at(desc, at),
            u64_at(desc, at + 8),
            u64_at(desc, at + 16),
        );
        let Some(file_offset) = pages.checked_mul(page) else {
            continue;
        };
        if start < end {
            out.push(Mapping {
                start,
                end,
                file_offset,
                name: String::from_utf8_lossy(name).into_owned(),
            });
        }
    }
    out
}

fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end])
        .trim_end()
        .to_string()
}

/// Up to `len` bytes of the dumped memory at `vaddr` (fewer where the dump ends).
fn read_memory(
    source: &(impl Source + ?Sized),
    segments: &[Segment],
    vaddr: u64,
    len: u64,
) -> Result<Vec<u8>, Failure> {
    let Some(segment) = segments
        .iter()
        .find(|s| s.vaddr <= vaddr && vaddr - s.vaddr < s.filesz)
    else {
        return Ok(Vec::new());
    };
    let skip = vaddr - segment.vaddr;
    let len = len.min(segment.filesz - skip);
    exact(source, segment.offset + skip, len as usize, "memory")
}

/// The GNU build ID in the first bytes of an executable's image: through the notes its
/// program headers name, else anywhere in those bytes ([`notes::scan_for_gnu_build_id`]).
fn notes_in_image(image: &[u8]) -> Option<BuildId> {
    if image.len() >= 64 && image[EI_CLASS] == elf::ELFCLASS64 && image[EI_DATA] == elf::ELFDATA2LSB
    {
        let phoff = usize::try_from(u64_at(image, 0x20)).unwrap_or(usize::MAX);
        let phnum = usize::from(u16_at(image, 0x38));
        for i in 0..phnum {
            let Some(ph) = phoff
                .checked_add(i * 56)
                .and_then(|at| image.get(at..at.checked_add(56)?))
            else {
                break;
            };
            if u32_at(ph, 0) != elf::PT_NOTE {
                continue;
            }
            // From where the notes start to the end of what was dumped: Go's GNU note
            // follows the one its PT_NOTE covers.
            let start = usize::try_from(u64_at(ph, 8)).unwrap_or(usize::MAX);
            if let Some(region) = image.get(start..)
                && let Some(id) = notes::gnu_build_id(region, u64_at(ph, 48), true)
            {
                return Some(id);
            }
        }
    }
    notes::scan_for_gnu_build_id(image, true)
}

/// A core file, written as the kernel writes one, for tests: a `PT_NOTE` with
/// `NT_PRPSINFO`, `NT_AUXV` and `NT_FILE`, and one `PT_LOAD` holding `image` (the
/// executable's first page) at `base`.
#[cfg(test)]
pub fn fixture(exe: &str, command: &str, base: u64, image: &[u8]) -> Vec<u8> {
    let mut prpsinfo = vec![0u8; 136];
    let args = command.as_bytes();
    prpsinfo[56..56 + args.len().min(80)].copy_from_slice(&args[..args.len().min(80)]);
    let mut auxv = Vec::new();
    for (k, v) in [(AT_PHDR, base + 64), (0, 0)] {
        auxv.extend_from_slice(&k.to_le_bytes());
        auxv.extend_from_slice(&v.to_le_bytes());
    }
    let mut file = Vec::new();
    for v in [1u64, 4096, base, base + 4096, 0] {
        file.extend_from_slice(&v.to_le_bytes());
    }
    file.extend_from_slice(exe.as_bytes());
    file.push(0);
    let mut note = notes::encode_note(b"CORE", elf::NT_PRPSINFO, &prpsinfo);
    note.extend(notes::encode_note(b"CORE", elf::NT_AUXV, &auxv));
    note.extend(notes::encode_note(b"CORE", NT_FILE, &file));

    let phoff = 64u64;
    let notes_at = phoff + 2 * 56;
    let load_at = (notes_at + note.len() as u64).next_multiple_of(4096);
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(&elf::ELFMAG);
    out[EI_CLASS] = elf::ELFCLASS64;
    out[EI_DATA] = elf::ELFDATA2LSB;
    out[notes::EI_VERSION] = elf::EV_CURRENT;
    out[16..18].copy_from_slice(&elf::ET_CORE.to_le_bytes());
    out[18..20].copy_from_slice(&elf::EM_X86_64.to_le_bytes());
    out[0x20..0x28].copy_from_slice(&phoff.to_le_bytes());
    out[0x34..0x36].copy_from_slice(&64u16.to_le_bytes());
    out[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    out[0x38..0x3a].copy_from_slice(&2u16.to_le_bytes());
    let phdr = |kind: u32, offset: u64, vaddr: u64, size: u64| {
        let mut p = vec![0u8; 56];
        p[0..4].copy_from_slice(&kind.to_le_bytes());
        p[8..16].copy_from_slice(&offset.to_le_bytes());
        p[16..24].copy_from_slice(&vaddr.to_le_bytes());
        p[32..40].copy_from_slice(&size.to_le_bytes());
        p[40..48].copy_from_slice(&size.max(4096).to_le_bytes());
        p[48..56].copy_from_slice(&4u64.to_le_bytes());
        p
    };
    out.extend(phdr(elf::PT_NOTE, notes_at, 0, note.len() as u64));
    out.extend(phdr(elf::PT_LOAD, load_at, base, image.len() as u64));
    out.extend(&note);
    out.resize(load_at as usize, 0);
    out.extend_from_slice(image);
    out
}

/// The first page of a Go executable as the loader maps it: ELF header, program headers
/// (a `PT_NOTE` covering only Go's note, as Go's linker writes it), then Go's note and
/// the GNU build-ID note at the end of the page.
#[cfg(test)]
pub fn go_image(build_id: &[u8]) -> Vec<u8> {
    let mut notes = notes::encode_note(b"Go", 4, &[b'x'; 83]);
    let go_len = notes.len();
    notes.extend(notes::encode_note(b"GNU", elf::NT_GNU_BUILD_ID, build_id));
    let notes_at = 4096 - notes.len();
    let mut page = vec![0u8; 4096];
    page[..4].copy_from_slice(&elf::ELFMAG);
    page[EI_CLASS] = elf::ELFCLASS64;
    page[EI_DATA] = elf::ELFDATA2LSB;
    page[16..18].copy_from_slice(&elf::ET_EXEC.to_le_bytes());
    page[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
    page[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    page[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
    let ph = &mut page[64..120];
    ph[0..4].copy_from_slice(&elf::PT_NOTE.to_le_bytes());
    ph[8..16].copy_from_slice(&(notes_at as u64).to_le_bytes());
    ph[32..40].copy_from_slice(&(go_len as u64).to_le_bytes());
    ph[48..56].copy_from_slice(&4u64.to_le_bytes());
    page[notes_at..].copy_from_slice(&notes);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: [u8; 20] = [7; 20];

    #[test]
    fn a_core_names_its_executable_and_its_build_id() {
        let core = fixture(
            "/srv/app/crash",
            "./crash --port 80",
            0x40_0000,
            &go_image(&ID),
        );
        let info = read_from(&core[..]).unwrap();
        assert_eq!(info.executable.as_deref(), Some("/srv/app/crash"));
        assert_eq!(info.command.as_deref(), Some("./crash --port 80"));
        assert_eq!(info.build_id.unwrap().as_bytes(), &ID[..]);
    }

    #[test]
    fn a_first_page_without_the_gnu_note_gives_no_id() {
        let mut image = go_image(&ID);
        let at = image.windows(4).rposition(|w| w == b"GNU\0").unwrap();
        image[at..at + 4].copy_from_slice(b"XYZ\0");
        let core = fixture("/a", "a", 0x1000, &image);
        assert_eq!(read_from(&core[..]).unwrap().build_id, None);
    }

    #[test]
    fn what_is_not_a_core_says_what_it_is() {
        let not = |bytes: &[u8]| match read_from(bytes) {
            Err(Failure::Bad(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(not(b"hello").contains("ends before"));
        assert!(not(&[0u8; 100]).contains("not an ELF file"));
        // An executable is ELF, but not a core.
        let mut exe = go_image(&ID);
        exe[notes::EI_VERSION] = elf::EV_CURRENT;
        assert!(not(&exe).contains("not a core dump"), "{}", not(&exe));
        let mut big_endian = fixture("/a", "a", 0x1000, &go_image(&ID));
        big_endian[EI_DATA] = elf::ELFDATA2MSB;
        assert!(not(&big_endian).contains("64-bit little-endian"));
    }
}
