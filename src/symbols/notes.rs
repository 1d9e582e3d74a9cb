//! ELF notes: the GNU build ID in a binary, a debug file, or the memory image of an
//! executable inside a core dump.
//!
//! Go's linker (1.22–1.25 at least) points its one `PT_NOTE` program header at
//! `.note.go.buildid` only, so the `.note.gnu.build-id` beside it is reachable through the
//! section headers, never through the program headers. A binary on disk has sections;
//! its image in a core does not. [`scan_for_gnu_build_id`] is for that image: it looks
//! for the note's fixed header at every 4-byte boundary of a bounded region (the first
//! page of the executable, where Go puts its notes).

use object::read::elf::{FileHeader as _, NoteIterator};
use object::{Endian as _, Endianness, Object as _, elf};

use super::build_id::{self, BuildId};

/// Offsets in `e_ident`, and the auxiliary vector's entry for the program headers.
pub const EI_CLASS: usize = 4;
pub const EI_DATA: usize = 5;
pub const EI_VERSION: usize = 6;
pub const EI_NIDENT: usize = 16;
pub const AT_PHDR: u64 = 3;

type Notes<'data> = NoteIterator<'data, elf::FileHeader64<Endianness>>;

/// The first GNU build ID among the notes in `data` (a note section or segment, with its
/// alignment `align`), `None` when there is none or the notes are damaged before it.
pub fn gnu_build_id(data: &[u8], align: u64, little: bool) -> Option<BuildId> {
    let endian = Endianness::from_big_endian(!little)?;
    let mut notes = Notes::new(endian, align, data).ok()?;
    while let Ok(Some(note)) = notes.next() {
        if note.name() == elf::ELF_NOTE_GNU && note.n_type(endian) == elf::NT_GNU_BUILD_ID {
            return BuildId::from_bytes(note.desc()).ok();
        }
    }
    None
}

/// The GNU build ID of the ELF file `data`, from its note sections (or, without section
/// headers, its note segments). `Ok(None)`: an ELF file without one. `Err`: not ELF, or
/// damaged where the notes are.
pub fn elf_build_id(data: &[u8]) -> Result<Option<BuildId>, String> {
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    if file.format() != object::BinaryFormat::Elf {
        return Err(format!("it is {:?}, not ELF", file.format()));
    }
    match file.build_id() {
        Ok(Some(desc)) => BuildId::from_bytes(desc)
            .map(Some)
            .map_err(|e| format!("its GNU build ID is unusable: {e}")),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Where the GNU build-ID note's descriptor sits in the ELF file `data` (file offset and
/// length), for a binary linked with a placeholder ID that gv fills in.
pub fn gnu_build_id_location(data: &[u8]) -> Option<(usize, usize)> {
    let header = elf::FileHeader64::<Endianness>::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let sections = header.sections(endian, data).ok()?;
    for section in sections.iter() {
        use object::read::elf::SectionHeader as _;
        if section.sh_type(endian) != elf::SHT_NOTE {
            continue;
        }
        let (start, size) = section.file_range(endian)?;
        let start = usize::try_from(start).ok()?;
        let body = data.get(start..start.checked_add(usize::try_from(size).ok()?)?)?;
        let mut notes = Notes::new(endian, section.sh_addralign(endian), body).ok()?;
        while let Ok(Some(note)) = notes.next() {
            if note.name() == elf::ELF_NOTE_GNU && note.n_type(endian) == elf::NT_GNU_BUILD_ID {
                let desc = note.desc();
                // The descriptor is a sub-slice of `body`: its offset is a pointer difference.
                let at = desc.as_ptr() as usize - body.as_ptr() as usize;
                return Some((start + at, desc.len()));
            }
        }
    }
    None
}

/// A GNU build-ID note anywhere in `region` at a 4-byte boundary (relative to the
/// region's start, which callers align): `namesz` 4, `type` 3, name `GNU\0`, and a
/// descriptor of a length gv accepts that fits in the region.
pub fn scan_for_gnu_build_id(region: &[u8], little: bool) -> Option<BuildId> {
    let word = |at: usize| -> Option<u32> {
        let bytes: [u8; 4] = region.get(at..at + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    };
    let mut at = 0;
    while at + 16 <= region.len() {
        if word(at) == Some(4)
            && word(at + 8) == Some(elf::NT_GNU_BUILD_ID)
            && region.get(at + 12..at + 16) == Some(b"GNU\0")
            && let Some(len) = word(at + 4).map(|l| l as usize)
            && (build_id::MIN_LEN..=build_id::MAX_LEN).contains(&len)
            && let Some(desc) = region.get(at + 16..at + 16 + len)
        {
            return BuildId::from_bytes(desc).ok();
        }
        at += 4;
    }
    None
}

/// One note in the little-endian form Go's linker and the kernel write: for tests and
/// the fixtures that stand in for real binaries and cores.
pub fn encode_note(name: &[u8], kind: u32, desc: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(name.len() as u32 + 1).to_le_bytes());
    out.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(name);
    out.push(0);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out.extend_from_slice(desc);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: [u8; 20] = [
        0x65, 0xa8, 0x45, 0x25, 0xea, 0x1c, 0x9e, 0xfa, 0x4a, 0xe7, 0xcb, 0x99, 0x3a, 0x53, 0xcf,
        0xcf, 0x4b, 0x55, 0x0b, 0x3e,
    ];

    /// Go's two notes, in the order its linker writes them.
    fn go_notes() -> Vec<u8> {
        let mut notes = encode_note(b"Go", 4, b"abc/def/ghi/jkl");
        notes.extend(encode_note(b"GNU", 3, &ID));
        notes
    }

    #[test]
    fn the_gnu_note_is_found_after_go_s_own() {
        let notes = go_notes();
        assert_eq!(gnu_build_id(&notes, 4, true).unwrap().as_bytes(), &ID[..]);
        assert_eq!(
            scan_for_gnu_build_id(&notes, true).unwrap().as_bytes(),
            &ID[..]
        );
        // Only Go's note: none.
        let go_only = encode_note(b"Go", 4, b"abc");
        assert_eq!(gnu_build_id(&go_only, 4, true), None);
        assert_eq!(scan_for_gnu_build_id(&go_only, true), None);
        // Cut inside the descriptor: none, and no panic.
        for cut in 0..notes.len() {
            let _ = gnu_build_id(&notes[..cut], 4, true);
            let found = scan_for_gnu_build_id(&notes[..cut], true);
            assert!(found.is_none() || cut == notes.len(), "{cut}");
        }
        // A GNU note of another type (ABI tag) is not a build ID.
        let abi = encode_note(b"GNU", 1, &[0; 16]);
        assert_eq!(gnu_build_id(&abi, 4, true), None);
        assert_eq!(scan_for_gnu_build_id(&abi, true), None);
    }

    #[test]
    fn an_id_of_an_unusable_length_is_none() {
        let short = encode_note(b"GNU", 3, &[1, 2, 3]);
        assert_eq!(gnu_build_id(&short, 4, true), None);
        assert_eq!(scan_for_gnu_build_id(&short, true), None);
        assert_eq!(
            gnu_build_id(&go_notes(), 3, true),
            Some(BuildId::from_bytes(&ID).unwrap())
        );
        assert_eq!(
            gnu_build_id(&go_notes(), 16, true),
            None,
            "an alignment ELF has not"
        );
    }
}
