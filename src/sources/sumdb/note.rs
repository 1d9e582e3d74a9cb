//! Signed notes, as the checksum database signs its tree heads: a UTF-8 text, a blank
//! line, then one line per signature, `— <name> <base64(key hash || signature)>`.
//! Verifier keys are written `<name>+<8 hex digits of key hash>+<base64(alg || key)>`
//! (Go's `golang.org/x/mod/sumdb/note`); the only algorithm is Ed25519 (alg 1), checked
//! with ring.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use thiserror::Error;

const ALG_ED25519: u8 = 1;
/// More signature lines than this and the note is refused (Go's limit).
const MAX_SIGNATURES: usize = 100;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NoteError {
    #[error("malformed verifier key `{0}` (expected name+hash+key, as in GOSUMDB)")]
    BadKey(String),
    #[error("the verifier key `{0}` does not match its own hash (a character was lost or changed)")]
    KeyHash(String),
    #[error("unknown signature algorithm in verifier key `{0}` (only Ed25519 is defined)")]
    Algorithm(String),
    #[error("malformed signed note")]
    Malformed,
    #[error("the note's signature by {name} is INVALID: it was forged, or the text was altered")]
    InvalidSignature { name: String },
    #[error("the note is not signed by {want}{}", others_list(.others))]
    NotSigned { want: String, others: Vec<String> },
}

fn others_list(others: &[String]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!(" (only by: {})", others.join(", "))
    }
}

/// The first four bytes (big-endian) of SHA-256(name || "\n" || alg || key).
fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let sum = h.finalize();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// Names have no spaces and no `+`, and are not empty.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// A public key that can verify a database's signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub hash: u32,
    key: [u8; 32],
}

impl Verifier {
    /// Parses `name+hash+base64key`.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let bad = || NoteError::BadKey(vkey.to_string());
        let (name, rest) = vkey.split_once('+').ok_or_else(bad)?;
        let (hash16, key64) = rest.split_once('+').ok_or_else(bad)?;
        let hash = u32::from_str_radix(hash16, 16).map_err(|_| bad())?;
        let key = BASE64.decode(key64).map_err(|_| bad())?;
        if hash16.len() != 8 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        if !valid_name(name) || key.is_empty() {
            return Err(bad());
        }
        if hash != key_hash(name, &key) {
            return Err(NoteError::KeyHash(vkey.to_string()));
        }
        if key[0] != ALG_ED25519 {
            return Err(NoteError::Algorithm(vkey.to_string()));
        }
        let key: [u8; 32] = key[1..].try_into().map_err(|_| bad())?;
        Ok(Verifier {
            name: name.to_string(),
            hash,
            key,
        })
    }

    /// `name+hash+key` for an Ed25519 public key: what GOSUMDB takes.
    pub fn encode(name: &str, public_key: &[u8; 32]) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(public_key);
        format!(
            "{name}+{:08x}+{}",
            key_hash(name, &key),
            BASE64.encode(&key)
        )
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &self.key)
            .verify(msg, sig)
            .is_ok()
    }
}

/// Checks that `msg` is a well-formed note carrying a valid signature by `verifier`, and
/// returns its text. A signature line naming this verifier that does not verify is an
/// error in itself, even if another line would: nobody with the key wrote it.
pub fn open<'a>(msg: &'a [u8], verifier: &Verifier) -> Result<&'a str, NoteError> {
    let text = std::str::from_utf8(msg).map_err(|_| NoteError::Malformed)?;
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed);
    }
    let split = text.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let (body, sigs) = (&text[..split + 1], &text[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let mut verified = false;
    let mut others = Vec::new();
    for (count, line) in sigs.lines().enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::Malformed);
        }
        let line = line.strip_prefix("— ").ok_or(NoteError::Malformed)?;
        let (name, b64) = line.split_once(' ').ok_or(NoteError::Malformed)?;
        let sig = BASE64.decode(b64).map_err(|_| NoteError::Malformed)?;
        if !valid_name(name) || sig.len() < 5 {
            return Err(NoteError::Malformed);
        }
        let hash = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
        if name != verifier.name || hash != verifier.hash {
            others.push(format!("{name}+{hash:08x}"));
            continue;
        }
        if !verifier.verify(body.as_bytes(), &sig[4..]) {
            return Err(NoteError::InvalidSignature {
                name: name.to_string(),
            });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::NotSigned {
            want: format!("{}+{:08x}", verifier.name, verifier.hash),
            others,
        });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example in the documentation of Go's note package.
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const OTHER: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    #[test]
    fn the_go_default_key_parses() {
        let v =
            Verifier::parse("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
                .unwrap();
        assert_eq!((v.name.as_str(), v.hash), ("sum.golang.org", 0x033de0ae));
    }

    #[test]
    fn keys_round_trip_and_bad_ones_are_refused() {
        let v = Verifier::parse(VKEY).unwrap();
        assert_eq!(Verifier::encode(&v.name, &v.key), VKEY);
        assert!(matches!(
            Verifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            Err(NoteError::KeyHash(_))
        ));
        for bad in [
            "",
            "name",
            "name+1234",
            "name+zzzzzzzz+AAAA",
            "a b+c74f20a3+AA==",
        ] {
            assert!(Verifier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_note_signed_by_the_key_opens() {
        let v = Verifier::parse(VKEY).unwrap();
        let msg = format!("{TEXT}\n{SIG}");
        assert_eq!(open(msg.as_bytes(), &v).unwrap(), TEXT);
        // Other signers are allowed alongside.
        let msg = format!("{TEXT}\n{SIG}{OTHER}");
        assert_eq!(open(msg.as_bytes(), &v).unwrap(), TEXT);
    }

    #[test]
    fn forged_altered_and_unsigned_notes_are_refused() {
        let v = Verifier::parse(VKEY).unwrap();
        let altered = format!("{}\n{SIG}", TEXT.replace("answer", "ANSWER"));
        assert_eq!(
            open(altered.as_bytes(), &v),
            Err(NoteError::InvalidSignature {
                name: "PeterNeumann".into()
            })
        );
        let only_other = format!("{TEXT}\n{OTHER}");
        let err = open(only_other.as_bytes(), &v).unwrap_err();
        assert!(err.to_string().contains("only by: EnochRoot+"), "{err}");
        for bad in [
            TEXT.to_string(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", SIG.trim_end()),
            format!("{TEXT}\n- PeterNeumann AAAA\n"),
            format!("bell\x07\n\n{SIG}"),
        ] {
            assert_eq!(
                open(bad.as_bytes(), &v),
                Err(NoteError::Malformed),
                "{bad:?}"
            );
        }
    }
}

/// Signed notes on generated input: well-formed notes with hostile parts (names, base64,
/// signature lengths, control characters, many lines), then a byte changed or cut. Every
/// one is accepted only with a valid signature, or fails with a `NoteError`.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    const VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                prop_oneof![Just("sum.golang.org".to_string()), "[a-z.+ ]{0,12}"],
                proptest::collection::vec(any::<u8>(), 0..80),
            )
                .prop_map(|(name, sig)| format!("— {name} {}", BASE64.encode(sig))),
            "[ -~]{0,40}",
            "\\PC{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(crate::test_config::proptest())]

        #[test]
        fn any_note_opens_only_when_signed_else_fails_typed(
            body in "[ -~\n]{0,200}",
            sigs in proptest::collection::vec(line(), 0..6),
            damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        ) {
            let verifier = Verifier::parse(VKEY).unwrap();
            let mut msg = format!("{body}\n\n{}\n", sigs.join("\n")).into_bytes();
            if let Some((at, byte)) = damage {
                let at = at.index(msg.len());
                msg[at] = byte;
            }
            // Nobody here has the database's private key: no note may open.
            prop_assert!(open(&msg, &verifier).is_err());
        }

        #[test]
        fn any_verifier_key_parses_or_fails_typed(key in "[ -~]{0,90}") {
            match Verifier::parse(&key) {
                Ok(v) => prop_assert!(valid_name(&v.name)),
                Err(NoteError::BadKey(_) | NoteError::KeyHash(_) | NoteError::Algorithm(_)) => {}
                Err(other) => prop_assert!(false, "unexpected: {other}"),
            }
        }
    }
}
