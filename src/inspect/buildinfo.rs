//! The build information every Go binary (Go >= 1.13) carries: the Go version that built it,
//! the main module and its dependencies, and the build settings (`-gcflags`, `-trimpath`,
//! `CGO_ENABLED`, ...) — what `go version -m` prints. Decoded here without Go.
//!
//! Layout (Go's `debug/buildinfo`): a 16-byte-aligned header `\xff Go buildinf:` (14 bytes),
//! a pointer-size byte and a flags byte. With flag bit 1 set (Go >= 1.18) the version and the
//! module text follow the 32-byte header inline, each as a uvarint length plus bytes. With it
//! clear, the header holds two pointers (at offset 16) to Go string headers elsewhere in the
//! binary, in the byte order given by flag bit 0.

use std::collections::BTreeMap;

use serde::Serialize;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const ALIGN: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 0x1;
const FLAG_INLINE: u8 = 0x2;
/// Sentinels around the module text are 16 bytes each; Go checks for the `\n` just before
/// the closing one.
const SENTINEL_LEN: usize = 16;
/// No sane version string or module list is this long; a larger length means garbage.
const MAX_STRING: u64 = 16 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildInfo {
    /// `go1.22.10`
    pub go_version: String,
    /// The main package's import path (`path` line), if recorded.
    pub path: Option<String>,
    /// The main module (`mod` line): path and version.
    pub main_module: Option<String>,
    /// `dep` lines, as `path version`.
    pub deps: Vec<String>,
    /// `build` lines: `-gcflags` -> `all=-N -l`, `CGO_ENABLED` -> `1`, ...
    pub settings: BTreeMap<String, String>,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }

    /// Was the binary built with `-trimpath`?
    pub fn trimpath(&self) -> bool {
        self.setting("-trimpath") == Some("true")
    }

    /// `CGO_ENABLED` as recorded; `None` when the build info does not say.
    pub fn cgo_enabled(&self) -> Option<bool> {
        self.setting("CGO_ENABLED").map(|v| v == "1")
    }
}

/// Why build info could not be read. `Missing` is the normal answer for a non-Go binary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildInfoError {
    #[error("no Go build information found (not a Go binary, or built before Go 1.13)")]
    Missing,
    #[error("the Go build information is damaged: {0}")]
    Damaged(&'static str),
}

/// Finds and decodes build info in `region` (the build-info section, or a data section to
/// scan). `read_memory(address, len)` returns bytes at a virtual address, for the pointer
/// format only.
pub fn decode<'a>(
    region: &'a [u8],
    read_memory: impl Fn(u64, usize) -> Option<&'a [u8]>,
) -> Result<BuildInfo, BuildInfoError> {
    let start = find_header(region).ok_or(BuildInfoError::Missing)?;
    let header = &region[start..];
    if header.len() < HEADER_LEN {
        return Err(BuildInfoError::Damaged("header cut short"));
    }
    let ptr_size = usize::from(header[14]);
    let flags = header[15];
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let mut rest = &header[HEADER_LEN..];
        let version = read_varint_string(&mut rest)?;
        let modinfo = read_varint_string(&mut rest)?;
        (version.to_vec(), modinfo.to_vec())
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::Damaged("pointer size is neither 4 nor 8"));
        }
        let big = flags & FLAG_BIG_ENDIAN != 0;
        let word = |bytes: &[u8]| read_word(bytes, ptr_size, big);
        let version_ptr = word(&header[16..]).ok_or(BuildInfoError::Damaged("header cut short"))?;
        let mod_ptr =
            word(&header[16 + ptr_size..]).ok_or(BuildInfoError::Damaged("header cut short"))?;
        let string_at = |ptr: u64| -> Result<Vec<u8>, BuildInfoError> {
            let dangling = BuildInfoError::Damaged("a string pointer leads outside the binary");
            let string_header = read_memory(ptr, 2 * ptr_size).ok_or(dangling.clone())?;
            let data = word(string_header).ok_or(dangling.clone())?;
            let len = word(&string_header[ptr_size..]).ok_or(dangling.clone())?;
            if len > MAX_STRING {
                return Err(BuildInfoError::Damaged(
                    "a string length is implausibly large",
                ));
            }
            if len == 0 {
                return Ok(Vec::new());
            }
            let len = usize::try_from(len).map_err(|_| dangling.clone())?;
            Ok(read_memory(data, len).ok_or(dangling)?.to_vec())
        };
        (string_at(version_ptr)?, string_at(mod_ptr)?)
    };
    let go_version = String::from_utf8(version)
        .map_err(|_| BuildInfoError::Damaged("the Go version is not UTF-8"))?;
    if go_version.is_empty() {
        return Err(BuildInfoError::Missing);
    }
    let modinfo = strip_sentinels(&modinfo);
    let mut info = BuildInfo {
        go_version,
        path: None,
        main_module: None,
        deps: Vec::new(),
        settings: BTreeMap::new(),
    };
    parse_modinfo(&String::from_utf8_lossy(modinfo), &mut info);
    Ok(info)
}

fn find_header(region: &[u8]) -> Option<usize> {
    let mut offset = 0;
    while offset + MAGIC.len() <= region.len() {
        let found = region[offset..]
            .windows(MAGIC.len())
            .position(|w| w == MAGIC)?
            + offset;
        if found % ALIGN == 0 {
            return Some(found);
        }
        offset = found + 1;
    }
    None
}

fn read_word(bytes: &[u8], size: usize, big: bool) -> Option<u64> {
    let bytes = bytes.get(..size)?;
    let mut buf = [0u8; 8];
    if big {
        buf[8 - size..].copy_from_slice(bytes);
        Some(u64::from_be_bytes(buf))
    } else {
        buf[..size].copy_from_slice(bytes);
        Some(u64::from_le_bytes(buf))
    }
}

fn read_varint_string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], BuildInfoError> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, tail) = rest
            .split_first()
            .ok_or(BuildInfoError::Damaged("a length is cut short"))?;
        *rest = tail;
        if shift > 63 {
            return Err(BuildInfoError::Damaged("a length overflows"));
        }
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    if len > MAX_STRING {
        return Err(BuildInfoError::Damaged(
            "a string length is implausibly large",
        ));
    }
    let len = len as usize;
    if rest.len() < len {
        return Err(BuildInfoError::Damaged("a string is cut short"));
    }
    let (string, tail) = rest.split_at(len);
    *rest = tail;
    Ok(string)
}

/// Go wraps the module text in two 16-byte sentinels; text without them is ignored, as
/// Go's own reader does.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n > 2 * SENTINEL_LEN && modinfo[n - SENTINEL_LEN - 1] == b'\n' {
        &modinfo[SENTINEL_LEN..n - SENTINEL_LEN]
    } else {
        &[]
    }
}

fn parse_modinfo(text: &str, info: &mut BuildInfo) {
    for line in text.lines() {
        let mut fields = line.splitn(2, '\t');
        let (Some(kind), Some(rest)) = (fields.next(), fields.next()) else {
            continue;
        };
        match kind {
            "path" => info.path = Some(rest.to_string()),
            "mod" => info.main_module = Some(module_text(rest)),
            "dep" => info.deps.push(module_text(rest)),
            "build" => {
                if let Some((key, value)) = rest.split_once('=') {
                    info.settings.insert(key.to_string(), unquote(value));
                }
            }
            _ => {}
        }
    }
}

/// `path\tversion\tsum` -> `path version`.
fn module_text(fields: &str) -> String {
    fields
        .split('\t')
        .take(2)
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Values with spaces are Go-quoted (`-gcflags="all=-N -l"`); the common escapes are
/// enough for flags.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped(modinfo: &str) -> Vec<u8> {
        let mut text = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
        text.extend_from_slice(modinfo.as_bytes());
        text.extend_from_slice(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
        text
    }

    const MODINFO: &str = "path\texample.com/divide\nmod\texample.com/divide\t(devel)\t\n\
        dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n\
        build\t-gcflags=\"all=-N -l\"\nbuild\t-trimpath=true\nbuild\tCGO_ENABLED=0\n";

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut blob = vec![0u8; 16]; // something before the aligned header
        blob.extend_from_slice(MAGIC);
        blob.extend_from_slice(&[8, FLAG_INLINE]);
        blob.resize(16 + HEADER_LEN, 0);
        varint(version.len(), &mut blob);
        blob.extend_from_slice(version.as_bytes());
        varint(modinfo.len(), &mut blob);
        blob.extend_from_slice(modinfo);
        blob
    }

    #[test]
    fn decodes_the_inline_format() {
        let blob = inline_blob("go1.22.10", &wrapped(MODINFO));
        let info = decode(&blob, |_, _| None).unwrap();
        assert_eq!(info.go_version, "go1.22.10");
        assert_eq!(info.path.as_deref(), Some("example.com/divide"));
        assert_eq!(
            info.main_module.as_deref(),
            Some("example.com/divide (devel)")
        );
        assert_eq!(info.deps, ["golang.org/x/sys v0.1.0"]);
        assert_eq!(info.setting("-gcflags"), Some("all=-N -l"));
        assert!(info.trimpath());
        assert_eq!(info.cgo_enabled(), Some(false));
    }

    /// The pre-1.18 layout: two pointers to Go string headers, here big-endian 4-byte ones
    /// to exercise the byte-order flag.
    #[test]
    fn decodes_the_pointer_format() {
        let modinfo = wrapped(MODINFO);
        let version = b"go1.17.13".to_vec();
        // "Memory": string headers at 0x1000 and 0x1008, data at 0x2000 and 0x3000.
        let mut memory = std::collections::HashMap::new();
        let header = |data: u32, len: usize| {
            let mut h = data.to_be_bytes().to_vec();
            h.extend_from_slice(&(len as u32).to_be_bytes());
            h
        };
        memory.insert(0x1000u64, header(0x2000, version.len()));
        memory.insert(0x1008u64, header(0x3000, modinfo.len()));
        memory.insert(0x2000u64, version.clone());
        memory.insert(0x3000u64, modinfo.clone());
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[4, FLAG_BIG_ENDIAN]);
        blob.extend_from_slice(&0x1000u32.to_be_bytes());
        blob.extend_from_slice(&0x1008u32.to_be_bytes());
        blob.resize(HEADER_LEN, 0);
        let info = decode(&blob, |addr, len| {
            memory.get(&addr).and_then(|m| m.get(..len))
        })
        .unwrap();
        assert_eq!(info.go_version, "go1.17.13");
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        // A pointer into nowhere is damage, not a panic.
        let err = decode(&blob, |_, _| None).unwrap_err();
        assert!(matches!(err, BuildInfoError::Damaged(_)), "{err:?}");
    }

    #[test]
    fn unaligned_magic_is_not_a_header() {
        let mut blob = vec![0u8; 3];
        blob.extend_from_slice(&inline_blob("go1.22.10", &wrapped(MODINFO))[16..]);
        assert_eq!(decode(&blob, |_, _| None), Err(BuildInfoError::Missing));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let blob = inline_blob("go1.22.10", &wrapped(MODINFO));
        for len in 0..blob.len() {
            let result = decode(&blob[..len], |_, _| None);
            assert!(
                result.is_err(),
                "truncated to {len} bytes decoded: {result:?}"
            );
        }
    }

    #[test]
    fn garbage_lengths_are_damage() {
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&[8, FLAG_INLINE]);
        blob.resize(HEADER_LEN, 0);
        blob.extend_from_slice(&[0xff; 12]);
        assert!(matches!(
            decode(&blob, |_, _| None),
            Err(BuildInfoError::Damaged(_))
        ));
    }

    #[test]
    fn module_text_without_sentinels_is_ignored_like_go_does() {
        let blob = inline_blob("go1.22.10", MODINFO.as_bytes());
        let info = decode(&blob, |_, _| None).unwrap();
        assert!(info.settings.is_empty() && info.path.is_none());
    }
}
