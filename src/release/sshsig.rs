//! SSH signatures (OpenSSH's `PROTOCOL.sshsig`, made by `ssh-keygen -Y sign`) with
//! ed25519 keys: the format of a release's `SHA256SUMS.sig`.
//!
//! Why this format: the signature must be checkable by the installers on a fresh machine,
//! with no Rust and nothing installed. `ssh-keygen -Y verify` (OpenSSH ≥ 8.1: macOS,
//! Windows 10/11, most Linux desktops) checks it natively; OpenSSL ≥ 1.1.1 checks it too,
//! as a plain ed25519 signature over [`signed_data`], which a POSIX shell can assemble
//! with `printf` (install.sh does); and gv checks it here with ring. One file, three
//! independent verifiers.
//!
//! Only what gv's releases use is accepted: an `ssh-ed25519` key, the `sha512` hash, and
//! the namespace the caller expects. Everything is bounded: the armored text is read
//! only up to [`MAX_ARMORED`] bytes and every length field is checked against what is left.

use base64::Engine as _;
use sha2::{Digest, Sha512};
use thiserror::Error;

/// ed25519 public key, 32 bytes.
pub type PublicKey = [u8; 32];

const MAGIC: &[u8; 6] = b"SSHSIG";
const VERSION: u32 = 1;
const KEY_TYPE: &str = "ssh-ed25519";
const HASH: &str = "sha512";
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";
/// An ed25519 SSH signature is about 300 bytes armored; anything much larger is not one.
pub const MAX_ARMORED: usize = 4096;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SigError {
    #[error("it is not an SSH signature ({0})")]
    Malformed(&'static str),
    #[error("it was made with a {0} key, and gv's releases are signed with ed25519 keys")]
    KeyType(String),
    #[error("it signs for `{found}`, not for `{expected}`")]
    Namespace { expected: String, found: String },
    #[error("it was made by a key gv does not trust ({0})")]
    UntrustedKey(String),
    #[error("the signature does not match the file: the file was changed after it was signed")]
    BadSignature,
}

/// A parsed SSH signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub public_key: PublicKey,
    pub namespace: String,
    pub signature: [u8; 64],
}

/// What the signer signs: the magic, the namespace, an empty reserved field, the hash's
/// name and the message's SHA-512.
pub fn signed_data(namespace: &str, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(6 + 4 + namespace.len() + 4 + 4 + HASH.len() + 4 + 64);
    out.extend_from_slice(MAGIC);
    put_string(&mut out, namespace.as_bytes());
    put_string(&mut out, b"");
    put_string(&mut out, HASH.as_bytes());
    put_string(&mut out, &Sha512::digest(message));
    out
}

/// The OpenSSH wire form of an ed25519 public key (`string "ssh-ed25519" string key`).
pub fn public_key_blob(key: &PublicKey) -> Vec<u8> {
    let mut out = Vec::new();
    put_string(&mut out, KEY_TYPE.as_bytes());
    put_string(&mut out, key);
    out
}

/// The key as an OpenSSH public-key line: `ssh-ed25519 AAAA… comment`.
pub fn public_key_line(key: &PublicKey, comment: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(public_key_blob(key));
    format!("{KEY_TYPE} {b64} {comment}").trim_end().to_string()
}

/// Reads an OpenSSH public-key line (`ssh-ed25519 AAAA… [comment]`).
pub fn parse_public_key_line(line: &str) -> Result<PublicKey, SigError> {
    let mut fields = line.split_whitespace();
    let kind = fields.next().ok_or(SigError::Malformed("an empty key"))?;
    if kind != KEY_TYPE {
        return Err(SigError::KeyType(printable(kind)));
    }
    let blob = base64::engine::general_purpose::STANDARD
        .decode(
            fields
                .next()
                .ok_or(SigError::Malformed("a key without data"))?,
        )
        .map_err(|_| SigError::Malformed("a key that is not base64"))?;
    let mut r = Reader(&blob);
    let key = read_key(&mut r)?;
    r.end()?;
    Ok(key)
}

/// The armored signature of `message` by `signature` made with `key`, as
/// `ssh-keygen -Y sign` writes it (base64 in lines of 70).
pub fn armor(key: &PublicKey, namespace: &str, signature: &[u8; 64]) -> String {
    let mut blob = Vec::new();
    blob.extend_from_slice(MAGIC);
    blob.extend_from_slice(&VERSION.to_be_bytes());
    put_string(&mut blob, &public_key_blob(key));
    put_string(&mut blob, namespace.as_bytes());
    put_string(&mut blob, b"");
    put_string(&mut blob, HASH.as_bytes());
    let mut sig = Vec::new();
    put_string(&mut sig, KEY_TYPE.as_bytes());
    put_string(&mut sig, signature);
    put_string(&mut blob, &sig);
    let b64 = base64::engine::general_purpose::STANDARD.encode(blob);
    let mut out = String::from(BEGIN);
    out.push('\n');
    for line in b64.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// Parses an armored SSH signature (any line wrapping, `\r\n` too).
pub fn parse(armored: &[u8]) -> Result<Signature, SigError> {
    if armored.len() > MAX_ARMORED {
        return Err(SigError::Malformed("far too long"));
    }
    let text = std::str::from_utf8(armored).map_err(|_| SigError::Malformed("not text"))?;
    let body = text
        .trim()
        .strip_prefix(BEGIN)
        .and_then(|rest| rest.strip_suffix(END))
        .ok_or(SigError::Malformed("no BEGIN/END SSH SIGNATURE lines"))?;
    let b64: String = body.split_ascii_whitespace().collect();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| SigError::Malformed("its body is not base64"))?;
    let mut r = Reader(&blob);
    if r.take(6)? != MAGIC {
        return Err(SigError::Malformed("no SSHSIG magic"));
    }
    if r.u32()? != VERSION {
        return Err(SigError::Malformed("an unknown version"));
    }
    let public_key = {
        let mut k = Reader(r.string()?);
        let key = read_key(&mut k)?;
        k.end()?;
        key
    };
    let namespace = std::str::from_utf8(r.string()?)
        .map_err(|_| SigError::Malformed("a namespace that is not text"))?
        .to_string();
    r.string()?; // reserved
    let hash = r.string()?;
    if hash != HASH.as_bytes() {
        return Err(SigError::Malformed("a hash other than sha512"));
    }
    let signature = {
        let mut s = Reader(r.string()?);
        let kind = s.string()?;
        if kind != KEY_TYPE.as_bytes() {
            return Err(SigError::KeyType(printable(&String::from_utf8_lossy(kind))));
        }
        let sig: [u8; 64] = s
            .string()?
            .try_into()
            .map_err(|_| SigError::Malformed("an ed25519 signature that is not 64 bytes"))?;
        s.end()?;
        sig
    };
    r.end()?;
    Ok(Signature {
        public_key,
        namespace,
        signature,
    })
}

/// Checks that `armored` is a signature of `message` for `namespace` by one of `trusted`;
/// returns that key.
pub fn verify<'a>(
    armored: &[u8],
    message: &[u8],
    namespace: &str,
    trusted: &'a [super::keys::TrustedKey],
) -> Result<&'a super::keys::TrustedKey, SigError> {
    let sig = parse(armored)?;
    if sig.namespace != namespace {
        return Err(SigError::Namespace {
            expected: namespace.to_string(),
            found: printable(&sig.namespace),
        });
    }
    let Some(trusted) = trusted.iter().find(|t| t.key == sig.public_key) else {
        return Err(SigError::UntrustedKey(fingerprint(&sig.public_key)));
    };
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &trusted.key)
        .verify(&signed_data(namespace, message), &sig.signature)
        .map_err(|_| SigError::BadSignature)?;
    Ok(trusted)
}

/// The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64
/// of the SHA-256 of its wire form.
pub fn fingerprint(key: &PublicKey) -> String {
    let digest = sha2::Sha256::digest(public_key_blob(key));
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

fn printable(text: &str) -> String {
    gv_core::text::one_line(&text.chars().take(64).collect::<String>()).into_owned()
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("SSH strings here are small");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn read_key(r: &mut Reader<'_>) -> Result<PublicKey, SigError> {
    let kind = r.string()?;
    if kind != KEY_TYPE.as_bytes() {
        return Err(SigError::KeyType(printable(&String::from_utf8_lossy(kind))));
    }
    r.string()?
        .try_into()
        .map_err(|_| SigError::Malformed("an ed25519 key that is not 32 bytes"))
}

/// A cursor over SSH wire data; every read is checked against what is left.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SigError> {
        if self.0.len() < n {
            return Err(SigError::Malformed("it is cut short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, SigError> {
        let bytes: [u8; 4] = self.take(4)?.try_into().expect("4 bytes");
        Ok(u32::from_be_bytes(bytes))
    }

    fn string(&mut self) -> Result<&'a [u8], SigError> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    fn end(&self) -> Result<(), SigError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(SigError::Malformed("trailing data"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::TrustedKey;
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    const NS: &str = "gv-release";

    fn key(seed: u8) -> Ed25519KeyPair {
        Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap()
    }

    fn sign(pair: &Ed25519KeyPair, ns: &str, message: &[u8]) -> String {
        let public: PublicKey = pair.public_key().as_ref().try_into().unwrap();
        let sig: [u8; 64] = pair
            .sign(&signed_data(ns, message))
            .as_ref()
            .try_into()
            .unwrap();
        armor(&public, ns, &sig)
    }

    fn public(pair: &Ed25519KeyPair) -> PublicKey {
        pair.public_key().as_ref().try_into().unwrap()
    }

    fn named(name: &str, key: PublicKey) -> TrustedKey {
        TrustedKey {
            name: name.to_string(),
            key,
        }
    }

    #[test]
    fn a_signature_verifies_and_names_its_key() {
        let pair = key(1);
        let armored = sign(&pair, NS, b"hello\n");
        let trusted = [
            named("other", public(&key(2))),
            named("release", public(&pair)),
        ];
        assert_eq!(
            verify(armored.as_bytes(), b"hello\n", NS, &trusted).map(|k| k.name.as_str()),
            Ok("release")
        );
        assert_eq!(
            verify(armored.as_bytes(), b"hellO\n", NS, &trusted),
            Err(SigError::BadSignature)
        );
        assert!(matches!(
            verify(armored.as_bytes(), b"hello\n", NS, &trusted[..1]),
            Err(SigError::UntrustedKey(_))
        ));
        assert!(matches!(
            verify(armored.as_bytes(), b"hello\n", "file", &trusted),
            Err(SigError::Namespace { .. })
        ));
        // Any wrapping and line ending.
        let rewrapped = armored.replace('\n', "\r\n");
        assert!(verify(rewrapped.as_bytes(), b"hello\n", NS, &trusted).is_ok());
    }

    /// The layout ssh-keygen writes, byte for byte: a signature made by
    /// `ssh-keygen -Y sign -n gv-release` with a throwaway key (generated for this test) over
    /// "hello\n" is accepted, and its key line parses.
    #[test]
    fn reads_what_ssh_keygen_writes() {
        let key_line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpl2eX8xKha26LEbYqrE9c4+ivlrS5xyGDI+ZPs/heQ throwaway";
        let armored = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgOmXZ5fzEqFrbosRtiqsT1zj6K+
WtLnHIYMj5k+z+F5AAAAAKZ3YtcmVsZWFzZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gt
ZWQyNTUxOQAAAEDk7dPnffIp8IAjHVtJdniP48FxiTGYSuxlHEH27za4NKAz8HWBOjHKz2
FqGCAzv5tpxVJcTPoRT/xICwxRdOYL
-----END SSH SIGNATURE-----
";
        let key = parse_public_key_line(key_line).unwrap();
        let trusted = [named("throwaway", key)];
        assert_eq!(
            verify(armored.as_bytes(), b"hello\n", NS, &trusted).map(|k| k.name.as_str()),
            Ok("throwaway")
        );
        assert_eq!(public_key_line(&key, "throwaway"), key_line);
    }

    /// RFC 8032's second test vector, through ring: the raw ed25519 check install.sh does
    /// with OpenSSL is the same primitive.
    #[test]
    fn rfc8032_vector() {
        let public = hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        let sig = hex(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        );
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public)
            .verify(&[0x72], &sig)
            .unwrap();
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// 20,000 generated inputs: random bytes, and valid signatures with a byte changed,
    /// cut or inserted anywhere. The parser never panics, and nothing altered verifies.
    #[test]
    fn generated_garbage_and_mutations_never_verify() {
        let pair = key(7);
        let trusted = [named("release", public(&pair))];
        let message = b"abc  gv-1.0.0-x86_64-unknown-linux-musl.tar.gz\n";
        let good = sign(&pair, NS, message);
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..20_000 {
            let mut input = good.clone().into_bytes();
            match case % 4 {
                0 => {
                    let len = (next() % 600) as usize;
                    input = (0..len).map(|_| next() as u8).collect();
                }
                1 => {
                    let at = (next() as usize) % input.len();
                    let was = input[at];
                    input[at] = loop {
                        let b = next() as u8;
                        if b != was {
                            break b;
                        }
                    };
                }
                2 => input.truncate((next() as usize) % input.len()),
                _ => {
                    let at = (next() as usize) % input.len();
                    input.insert(at, next() as u8);
                }
            }
            let result = verify(&input, message, NS, &trusted);
            if result.is_ok() {
                // Only rewrites that change nothing (whitespace in the body) may verify.
                assert_eq!(
                    parse(&input).unwrap(),
                    parse(good.as_bytes()).unwrap(),
                    "case {case}"
                );
            }
        }
    }
}
