//! Go's `h1:` module hash (`golang.org/x/mod/sumdb/dirhash.Hash1`): the SHA-256 of the
//! lines `"<sha256 hex of the file>  <file name>\n"`, sorted by name (byte order), then
//! base64. It names a module's content independently of how the zip was packed: the same
//! files give the same hash whatever the compression, order or timestamps.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::archive::pipeline::hex;

/// One file of a module: its name as the zip spells it (with the `module@version/`
/// prefix) and the SHA-256 of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSum {
    pub name: String,
    pub sha256: [u8; 32],
}

/// The `h1:` hash of a set of files; `None` if a name contains a newline (Go refuses
/// those too: the line format could not represent them).
pub fn hash1(files: &mut [FileSum]) -> Option<String> {
    if files.iter().any(|f| f.name.contains('\n')) {
        return None;
    }
    files.sort_unstable_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut h = Sha256::new();
    for f in files.iter() {
        h.update(hex(&f.sha256).as_bytes());
        h.update(b"  ");
        h.update(f.name.as_bytes());
        h.update(b"\n");
    }
    Some(format!("h1:{}", BASE64.encode(h.finalize())))
}

/// The `h1:` of a module's go.mod file alone, as the `/go.mod` line of go.sum records it.
pub fn hash1_go_mod(content: &[u8]) -> String {
    let mut files = [FileSum {
        name: "go.mod".to_string(),
        sha256: Sha256::digest(content).into(),
    }];
    hash1(&mut files).expect("no newline in the name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(name: &str, content: &[u8]) -> FileSum {
        FileSum {
            name: name.to_string(),
            sha256: Sha256::digest(content).into(),
        }
    }

    #[test]
    fn order_does_not_matter_content_does() {
        let a = hash1(&mut [sum("m@v/b", b"2"), sum("m@v/a", b"1")]).unwrap();
        let b = hash1(&mut [sum("m@v/a", b"1"), sum("m@v/b", b"2")]).unwrap();
        assert_eq!(a, b);
        let c = hash1(&mut [sum("m@v/a", b"1"), sum("m@v/b", b"3")]).unwrap();
        assert_ne!(a, c);
        assert!(a.starts_with("h1:") && a.len() == 3 + 44);
        assert!(hash1(&mut [sum("bad\nname", b"")]).is_none());
    }

    #[test]
    fn matches_the_definition_by_hand() {
        // sha256("hello") = 2cf24d…; the summary line is "<hex>  m@v/f\n".
        let line = format!("{}  m@v/f\n", hex(&Sha256::digest(b"hello")));
        let want = format!("h1:{}", BASE64.encode(Sha256::digest(line.as_bytes())));
        assert_eq!(hash1(&mut [sum("m@v/f", b"hello")]).unwrap(), want);
    }

    #[test]
    fn the_toolchain_go_mod_hash() {
        // golang.org/toolchain's .mod is one line; its go.sum /go.mod hash follows.
        let h = hash1_go_mod(b"module golang.org/toolchain\n");
        let line = format!(
            "{}  go.mod\n",
            hex(&Sha256::digest(b"module golang.org/toolchain\n"))
        );
        assert_eq!(
            h,
            format!("h1:{}", BASE64.encode(Sha256::digest(line.as_bytes())))
        );
    }
}
