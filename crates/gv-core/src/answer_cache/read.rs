//! Reading a remembered answer: the one reader every shim uses, whether it runs from the
//! shim's own entry point, before the C library is set up (`gv-shim`'s `entry.rs`, on
//! x86-64 Linux), or from `main` through [`super::lookup`]. So it allocates nothing,
//! touches no thread-local state and cannot panic: it borrows the file's bytes, asks a
//! [`Probe`] for variables and stamps, and every index is checked.

use core::ffi::CStr;

use crate::platform::Stamp;

/// The first field of every answer file: a new gv never reads an older one's answers.
pub const MAGIC: &str = concat!("gv-answer 2 ", env!("CARGO_PKG_VERSION"));

/// The most an answer file may hold; a real one is well under 4 KiB.
pub const MAX_BYTES: usize = 64 * 1024;

/// What a file's `stat` told.
pub enum Looked {
    Found(Stamp),
    Missing,
    /// Any other failure: nothing a check could rely on.
    Unreadable,
}

/// What a check asks of the process and the file system.
pub trait Probe {
    /// The value of the variable `name` (the first entry by that name), as `NAME=value`
    /// entries are read by [`crate::process::split_entry`].
    fn var(&self, name: &[u8]) -> Option<&[u8]>;
    /// `stat` (through symlinks when `follow`) or `lstat` of `path`.
    fn look(&self, path: &CStr, follow: bool) -> Looked;
    /// `lstat` of the file `name` in `dir` (see [`join_into`]).
    fn look_in(&self, dir: &CStr, name: &[u8]) -> Looked;
}

/// Whether an answer file may be read: a regular file this user owns that nobody else
/// can write (others could plant an answer), within [`MAX_BYTES`].
pub fn is_own_file(is_regular: bool, mode: u32, owner: u32, euid: u32, size: u64) -> bool {
    is_regular && owner == euid && mode & 0o022 == 0 && size <= MAX_BYTES as u64
}

/// Where answers are kept, as a directory named by a variable and what follows it:
/// `$XDG_RUNTIME_DIR/gv/answers` (a per-login tmpfs), else `answers` in gv's cache
/// (`$GV_CACHE_DIR`, else `$XDG_CACHE_HOME/gv`, else `$HOME/.cache/gv`; the same rule as
/// [`crate::store::Cache::from_env`]). `None` when none applies: a relative
/// `GV_CACHE_DIR` (refused), or no `HOME` (the home directory would come from
/// /etc/passwd, and an answer is never written without `HOME`).
pub fn dir<'a>(var: impl Fn(&str) -> Option<&'a [u8]>) -> Option<(&'a [u8], &'static str)> {
    let absolute = |value: &[u8]| value.first() == Some(&b'/');
    if let Some(run) = var("XDG_RUNTIME_DIR").filter(|v| absolute(v)) {
        return Some((run, "/gv/answers"));
    }
    if let Some(cache) = var(crate::vars::CACHE_DIR).filter(|v| !v.is_empty()) {
        return absolute(cache).then_some((cache, "/answers"));
    }
    if let Some(cache) = var("XDG_CACHE_HOME").filter(|v| absolute(v)) {
        return Some((cache, "/gv/answers"));
    }
    let home = var("HOME").filter(|v| absolute(v))?;
    Some((home, "/.cache/gv/answers"))
}

/// The name of the file that holds the answer for the working directory `cwd`: 64-bit
/// FNV-1a in hex, the same for every gv and Rust version. The path itself is inside, so
/// two directories whose names hash alike never take each other's answer.
pub fn file_name(cwd: &[u8]) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in cwd {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut out = [0; 16];
    for (i, digit) in out.iter_mut().enumerate() {
        *digit = DIGITS[((hash >> (60 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// A remembered answer, borrowed from its file: run `goroot`'s tool with [`Answer::set`]
/// set and [`Answer::removed`] removed.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub goroot: &'a CStr,
    /// The `E` and `R` records, checked.
    changes: &'a [u8],
}

impl<'a> Answer<'a> {
    /// The variables set, each as its `NAME=value` entry.
    pub fn set(&self) -> impl Iterator<Item = &'a CStr> {
        self.records(b"E")
    }

    /// The names of the variables removed.
    pub fn removed(&self) -> impl Iterator<Item = &'a CStr> {
        self.records(b"R")
    }

    fn records(&self, wanted: &'static [u8]) -> impl Iterator<Item = &'a CStr> {
        let mut fields = Fields(self.changes);
        core::iter::from_fn(move || {
            loop {
                let tag = fields.next()?;
                let value = fields.next()?;
                if tag.to_bytes() == wanted {
                    return Some(value);
                }
            }
        })
    }
}

/// The answer in `bytes` when it is for `cwd` and every check in it holds. The checks
/// are made as they are read, so the first that fails ends the reading. The format is
/// the module's table ([`super`]).
pub fn check<'a>(bytes: &'a [u8], cwd: &[u8], probe: &impl Probe) -> Option<Answer<'a>> {
    let mut fields = Fields(bytes);
    if fields.bytes()? != MAGIC.as_bytes() || fields.bytes()? != cwd {
        return None;
    }
    // The answer's own records (`G`, then `E` and `R`) come last: once `G` is read, no
    // check may follow.
    let mut goroot = None;
    let mut changes = &[][..];
    loop {
        let before = fields.0;
        match (fields.bytes()?, goroot) {
            (b"V", None) => {
                let name = fields.bytes()?;
                let now = probe.var(name);
                match fields.bytes()? {
                    [b'=', was @ ..] if now == Some(was) => {}
                    b"!" if now.is_none() => {}
                    _ => return None,
                }
            }
            (tag @ (b"S" | b"T"), None) => {
                let path = fields.next()?;
                let Looked::Found(stamp) = probe.look(path, tag == b"T") else {
                    return None;
                };
                if fields.bytes()? != stamp_hex(&stamp) {
                    return None;
                }
            }
            (b"A", None) => {
                if !matches!(probe.look(fields.next()?, false), Looked::Missing) {
                    return None;
                }
            }
            (b"M", None) => {
                let dir = fields.next()?;
                let stamp = fields.bytes()?;
                let count: usize = core::str::from_utf8(fields.bytes()?).ok()?.parse().ok()?;
                let unchanged = stamp != b"-"
                    && matches!(probe.look(dir, true), Looked::Found(now) if stamp == stamp_hex(&now));
                for _ in 0..count {
                    let name = fields.bytes()?;
                    if !unchanged && !missing_in(probe, dir, name) {
                        return None;
                    }
                }
            }
            (b"G", None) => {
                let dir = fields.next()?;
                if dir.to_bytes().first() != Some(&b'/') {
                    return None;
                }
                goroot = Some(dir);
                changes = fields.0;
            }
            // `NAME=value` for a variable set, `NAME` for one removed; read by
            // `Answer::set` and `Answer::removed`.
            (b"E", Some(_)) => {
                let entry = fields.bytes()?;
                if !entry.iter().skip(1).any(|&b| b == b'=') {
                    return None;
                }
            }
            (b"R", Some(_)) => {
                let name = fields.bytes()?;
                if name.is_empty() || name.contains(&b'=') {
                    return None;
                }
            }
            (b".", Some(goroot)) => {
                // The end mark, then nothing: a file cut short is no answer.
                let changes = changes.get(..changes.len().checked_sub(before.len())?)?;
                return fields.0.is_empty().then_some(Answer { goroot, changes });
            }
            _ => return None,
        }
    }
}

/// Whether `dir/name` is missing; `name` is one file name, as discovery looks them up.
fn missing_in(probe: &impl Probe, dir: &CStr, name: &[u8]) -> bool {
    !name.is_empty() && !name.contains(&b'/') && matches!(probe.look_in(dir, name), Looked::Missing)
}

/// `dir`, a `/` unless it ends with one (as `Path::join` puts it), and `name`, written
/// into `room` with a NUL; `None` when that does not fit.
pub fn join_into<'a>(room: &'a mut [u8], dir: &[u8], name: &[u8]) -> Option<&'a CStr> {
    let slash: &[u8] = if dir.last() == Some(&b'/') { b"" } else { b"/" };
    let len = dir.len() + slash.len() + name.len();
    let path = room.get_mut(..=len)?;
    for (slot, byte) in path
        .iter_mut()
        .zip(dir.iter().chain(slash).chain(name).chain(&[0]))
    {
        *slot = *byte;
    }
    CStr::from_bytes_with_nul(path).ok()
}

/// The NUL-terminated fields of an answer file.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a CStr> {
        let end = nul_at(self.0)?;
        let (field, rest) = (self.0.get(..=end)?, self.0.get(end + 1..)?);
        self.0 = rest;
        // SAFETY: `end` is the first NUL, and the field ends with it.
        Some(unsafe { CStr::from_bytes_with_nul_unchecked(field) })
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        self.next().map(CStr::to_bytes)
    }
}

/// Where the first NUL byte in `bytes` is, eight bytes at a time: most of an answer
/// file is long fields (stamps, paths), and `CStr`'s own search goes a byte at a time.
fn nul_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::MAX / 0xff;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().ok()?);
        // The high bit set in each byte that is zero, exactly so for the lowest one.
        let zeros = word.wrapping_sub(ONES) & !word & (ONES << 7);
        if zeros != 0 {
            return Some(at + (zeros.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    tail.iter().position(|&b| b == 0).map(|i| at + i)
}

/// A stamp as fixed-width hex: a file's stamp is checked by writing the one it has now
/// the same way and comparing the bytes, ~10 times cheaper than parsing decimal numbers
/// (valgrind: decoding was a quarter of a reusing run's instructions).
pub fn stamp_hex(stamp: &Stamp) -> [u8; STAMP_HEX] {
    // Big-endian, so each number reads as hex; the times in two's complement, so a time
    // before 1970 is written, and compared, too.
    let (mtime, ctime) = (stamp.mtime_ns as u128, stamp.ctime_ns as u128);
    let words = [
        stamp.dev,
        stamp.ino,
        stamp.size,
        (mtime >> 64) as u64,
        mtime as u64,
        (ctime >> 64) as u64,
        ctime as u64,
    ];
    let mut out = [0; STAMP_HEX];
    for (digits, word) in out.chunks_exact_mut(16).zip(words) {
        digits.copy_from_slice(&hex_u64(word));
    }
    out
}

/// `x` as 16 hex digits, a nibble per byte at once rather than a digit at a time (the
/// shim writes a stamp this way for every file it checks).
fn hex_u64(x: u64) -> [u8; 16] {
    const ONES: u128 = u128::MAX / 0xff;
    // Each nibble moved to a byte of its own, the most significant first.
    let mut v = u128::from(x);
    v = (v | (v << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    v = (v | (v << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f;
    // A 1 in each byte whose nibble is 10 or more, which is a letter: `a` is `0` + 0x31.
    let letters = ((v + ONES * 6) >> 4) & ONES;
    (v + ONES * u128::from(b'0') + letters * (u128::from(b'a' - b'0') - 10)).to_be_bytes()
}

pub const STAMP_HEX: usize = 16 * 3 + 32 * 2;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn answers_live_in_the_runtime_directory_else_in_gvs_cache() {
        let dir_with = |vars: &[(&str, &str)]| {
            dir(|name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_bytes())
            })
            .map(|(base, rest)| String::from_utf8_lossy(base).into_owned() + rest)
        };
        let home = ("HOME", "/home/u");
        assert_eq!(
            dir_with(&[("XDG_RUNTIME_DIR", "/run/user/1"), home]).as_deref(),
            Some("/run/user/1/gv/answers")
        );
        assert_eq!(
            dir_with(&[("XDG_RUNTIME_DIR", "run"), ("GV_CACHE_DIR", "/c"), home]).as_deref(),
            Some("/c/answers"),
            "a relative runtime directory is none"
        );
        assert_eq!(
            dir_with(&[("GV_CACHE_DIR", "c"), home]),
            None,
            "refused, as gv refuses it"
        );
        assert_eq!(
            dir_with(&[("GV_CACHE_DIR", ""), ("XDG_CACHE_HOME", "/x"), home]).as_deref(),
            Some("/x/gv/answers")
        );
        assert_eq!(
            dir_with(&[("XDG_CACHE_HOME", "x"), home]).as_deref(),
            Some("/home/u/.cache/gv/answers")
        );
        assert_eq!(dir_with(&[("HOME", "")]), None, "no home: no answers");
    }

    #[test]
    fn the_first_nul_is_found_wherever_it_is() {
        for len in 0..40 {
            for nul in 0..len {
                let mut bytes = vec![0x80u8; len];
                bytes[nul] = 0;
                if let Some(later) = bytes.get_mut(nul + 1) {
                    *later = 0;
                }
                assert_eq!(nul_at(&bytes), Some(nul), "{len} bytes, NUL at {nul}");
            }
            assert_eq!(nul_at(&vec![1; len]), None);
        }
        assert_eq!(nul_at(b"\x01\x01\x01\x01\x01\x01\x01\x00"), Some(7));
        assert_eq!(nul_at(b"\xff\x00"), Some(1));
    }

    #[test]
    fn a_name_is_joined_to_its_directory_as_path_join_does() {
        let mut room = [0xff; 16];
        assert_eq!(join_into(&mut room, b"/d", b"go.mod"), Some(c"/d/go.mod"));
        assert_eq!(join_into(&mut room, b"/", b"go.mod"), Some(c"/go.mod"));
        assert_eq!(
            join_into(&mut room, b"/dir", b"0123456789a"),
            None,
            "too long"
        );
        assert_eq!(join_into(&mut room, b"/d", b"a\0b"), None, "a NUL inside");
    }

    #[test]
    fn stamps_are_written_as_fixed_width_hex() {
        let stamp = Stamp {
            dev: 0xfedc_ba98_7654_3210,
            ino: 0,
            size: 0x0123_4567_89ab_cdef,
            mtime_ns: -1,
            ctime_ns: 1_765_000_000_123_456_789,
        };
        let expected = format!(
            "{:016x}{:016x}{:016x}{:032x}{:032x}",
            stamp.dev, stamp.ino, stamp.size, stamp.mtime_ns as u128, stamp.ctime_ns
        );
        assert_eq!(String::from_utf8_lossy(&stamp_hex(&stamp)), expected);
        for x in [
            0,
            9,
            10,
            15,
            16,
            0x9999,
            0xaaaa,
            u64::MAX,
            0x0f0f_f0f0_1234_abcd,
        ] {
            assert_eq!(hex_u64(x), *format!("{x:016x}").as_bytes(), "{x:#x}");
        }
    }

    #[test]
    fn answer_files_are_named_by_fnv_1a_of_the_directory() {
        // The published test vectors of 64-bit FNV-1a.
        assert_eq!(&file_name(b""), b"cbf29ce484222325");
        assert_eq!(&file_name(b"a"), b"af63dc4c8601ec8c");
        assert_eq!(&file_name(b"foobar"), b"85944171f73967e8");
    }

    #[test]
    fn only_a_private_regular_file_of_this_user_within_the_bound_is_read() {
        assert!(is_own_file(true, 0o600, 1000, 1000, 4000));
        assert!(is_own_file(true, 0o644, 1000, 1000, MAX_BYTES as u64));
        assert!(
            !is_own_file(false, 0o600, 1000, 1000, 4000),
            "not a regular file"
        );
        assert!(
            !is_own_file(true, 0o620, 1000, 1000, 4000),
            "group-writable"
        );
        assert!(
            !is_own_file(true, 0o602, 1000, 1000, 4000),
            "world-writable"
        );
        assert!(!is_own_file(true, 0o600, 0, 1000, 4000), "someone else's");
        assert!(!is_own_file(true, 0o600, 1000, 1000, MAX_BYTES as u64 + 1));
    }

    /// A file system where every path has one stamp, and nothing is missing but
    /// `/missing…`; one variable is set.
    struct Fake;

    impl Probe for Fake {
        fn var(&self, name: &[u8]) -> Option<&[u8]> {
            (name == b"SET").then_some(b"yes")
        }

        fn look(&self, path: &CStr, _follow: bool) -> Looked {
            if path.to_bytes().starts_with(b"/missing") {
                Looked::Missing
            } else {
                Looked::Found(STAMP)
            }
        }

        fn look_in(&self, dir: &CStr, name: &[u8]) -> Looked {
            let mut room = [0; 64];
            match join_into(&mut room, dir.to_bytes(), name) {
                Some(path) => self.look(path, false),
                None => Looked::Unreadable,
            }
        }
    }

    const STAMP: Stamp = Stamp {
        dev: 1,
        ino: 2,
        size: 3,
        mtime_ns: -4,
        ctime_ns: 5,
    };

    fn file(records: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for field in [MAGIC.as_bytes(), b"/cwd"].iter().chain(records) {
            out.extend_from_slice(field);
            out.push(0);
        }
        out
    }

    #[test]
    fn every_record_is_checked_and_the_answer_read() {
        let stamp = stamp_hex(&STAMP);
        let good: Vec<&[u8]> = vec![
            b"V",
            b"SET",
            b"=yes",
            b"V",
            b"UNSET",
            b"!",
            b"S",
            b"/f",
            &stamp,
            b"T",
            b"/f",
            &stamp,
            b"A",
            b"/missing/x",
            b"M",
            b"/missing",
            b"-",
            b"1",
            b"x",
            b"M",
            b"/d",
            &stamp,
            b"1",
            b"x",
            b"G",
            b"/go",
            b"E",
            b"A=1",
            b"R",
            b"B",
            b"E",
            b"C=2=3",
            b".",
        ];
        let bytes = file(&good);
        let answer = check(&bytes, b"/cwd", &Fake).expect("every check holds");
        assert_eq!(answer.goroot.to_bytes(), b"/go");
        let set: Vec<&[u8]> = answer.set().map(CStr::to_bytes).collect();
        assert_eq!(set, [&b"A=1"[..], b"C=2=3"]);
        let removed: Vec<&[u8]> = answer.removed().map(CStr::to_bytes).collect();
        assert_eq!(removed, [b"B"]);
        assert!(
            check(&bytes, b"/other", &Fake).is_none(),
            "another directory's"
        );

        // A name under the unsettled directory is there after all: a miss.
        let mut changed = good.clone();
        changed[15] = b"/d";
        let not_missing = file(&changed);
        assert!(check(&not_missing, b"/cwd", &Fake).is_none());
        for (at, to) in [
            (2, &b"no"[..]), // a variable's value
            (4, b"SET"),     // unset, but set
            (8, b"00"),      // a stamp
            (13, b"/here"),  // must be missing
            (21, b"00"),     // a directory's stamp
            (25, b"go"),     // a relative GOROOT
            (27, b"=1"),     // no name
            (29, b"B=1"),    // a removed name with a value
            (32, b"E"),      // no end mark
        ] {
            let mut broken = good.clone();
            broken[at] = to;
            assert!(
                check(&file(&broken), b"/cwd", &Fake).is_none(),
                "field {at}"
            );
        }
        // A check after the answer's own records is no answer.
        let mut late = good.clone();
        late.splice(30..30, [&b"V"[..], b"SET", b"=yes"]);
        assert!(check(&file(&late), b"/cwd", &Fake).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        /// Any sequence of fields, known tags or not: the reader never panics (it runs
        /// before the C library is set up, where a panic cannot even be reported), and
        /// an answer always has an absolute GOROOT and well-formed variables.
        #[test]
        fn any_fields_never_panic(records in proptest::collection::vec(
            prop_oneof![
                Just(b"V".to_vec()), Just(b"S".to_vec()), Just(b"T".to_vec()),
                Just(b"A".to_vec()), Just(b"M".to_vec()), Just(b"G".to_vec()),
                Just(b"E".to_vec()), Just(b"R".to_vec()), Just(b".".to_vec()),
                Just(b"SET".to_vec()), Just(b"=yes".to_vec()), Just(b"!".to_vec()),
                Just(b"/go".to_vec()), Just(b"/missing".to_vec()), Just(b"-".to_vec()),
                Just(b"2".to_vec()), Just(b"A=1".to_vec()),
                Just(stamp_hex(&STAMP).to_vec()),
                proptest::collection::vec(1u8..=255, 0..8),
            ],
            0..40,
        ), cut in any::<prop::sample::Index>()) {
            let records: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
            let bytes = file(&records);
            let bytes = &bytes[..cut.index(bytes.len() + 1)];
            if let Some(answer) = check(bytes, b"/cwd", &Fake) {
                prop_assert!(answer.goroot.to_bytes().starts_with(b"/"));
                for entry in answer.set() {
                    prop_assert!(entry.to_bytes().iter().skip(1).any(|&b| b == b'='));
                }
            }
        }
    }
}
