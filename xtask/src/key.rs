//! The release signing key: ed25519, kept as PKCS#8 PEM (what `openssl genpkey
//! -algorithm ed25519` writes, and what `cargo xtask keygen` writes).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine as _;
use gv::release::{keys, sshsig};
use ring::signature::{Ed25519KeyPair, KeyPair};

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

pub struct SigningKey {
    pair: Ed25519KeyPair,
    pub public: sshsig::PublicKey,
}

impl SigningKey {
    pub fn from_pem(text: &str) -> anyhow::Result<SigningKey> {
        let body = text
            .trim()
            .strip_prefix(PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(PEM_END))
            .context("not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)")?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.split_ascii_whitespace().collect::<String>())
            .context("the PEM body is not base64")?;
        // OpenSSL writes PKCS#8 v1 (no public key inside), ring v2: accept both.
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|e| anyhow::anyhow!("not an ed25519 PKCS#8 key: {e}"))?;
        let public = pair
            .public_key()
            .as_ref()
            .try_into()
            .expect("ed25519 public keys are 32 bytes");
        Ok(SigningKey { pair, public })
    }

    /// The OpenSSH public-key line, as packaging/release-keys.pub and the installers hold it.
    pub fn public_line(&self) -> String {
        let name = if self.is_release_key() {
            keys::parse(keys::RELEASE_KEYS)
                .ok()
                .and_then(|ks| ks.into_iter().find(|k| k.key == self.public))
                .map(|k| k.name)
                .unwrap_or_else(|| "gv-release".into())
        } else {
            "gv-release".into()
        };
        sshsig::public_key_line(&self.public, &name)
    }

    /// Whether this is one of gv's release keys (packaging/release-keys.pub).
    pub fn is_release_key(&self) -> bool {
        keys::parse(keys::RELEASE_KEYS).is_ok_and(|ks| ks.iter().any(|k| k.key == self.public))
    }

    /// The armored SSH signature of `message`.
    pub fn sign(&self, namespace: &str, message: &[u8]) -> String {
        let sig = self.pair.sign(&sshsig::signed_data(namespace, message));
        let sig: [u8; 64] = sig
            .as_ref()
            .try_into()
            .expect("ed25519 signatures are 64 bytes");
        sshsig::armor(&self.public, namespace, &sig)
    }
}

/// The key from `--key FILE` or `--key-env VAR`.
pub fn load(file: &Option<PathBuf>, env: &Option<String>) -> anyhow::Result<SigningKey> {
    let text = match (file, env) {
        (Some(file), _) => std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the signing key {}", file.display()))?,
        (None, Some(var)) => std::env::var(var)
            .with_context(|| format!("the signing key variable {var} is not set"))?,
        (None, None) => bail!("give the signing key: --key FILE or --key-env VARIABLE"),
    };
    SigningKey::from_pem(&text)
}

/// Makes a new key in `out` (created, never overwritten; owner-only) and returns its
/// public line.
pub fn generate(out: &Path) -> anyhow::Result<String> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
        .map_err(|e| anyhow::anyhow!("cannot generate a key: {e}"))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
    let mut pem = format!("{PEM_BEGIN}\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).expect("base64"));
        pem.push('\n');
    }
    pem.push_str(PEM_END);
    pem.push('\n');
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    set_owner_only(&mut options);
    use std::io::Write;
    options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?
        .write_all(pem.as_bytes())?;
    Ok(SigningKey::from_pem(&pem)?.public_line())
}

#[cfg(unix)]
fn set_owner_only(options: &mut std::fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600);
}

#[cfg(not(unix))]
fn set_owner_only(_options: &mut std::fs::OpenOptions) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_sign_what_gv_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.pem");
        let line = generate(&file).unwrap();
        assert!(generate(&file).is_err(), "never overwrites a key");
        let key = load(&Some(file), &None).unwrap();
        assert_eq!(key.public_line(), line);
        assert!(!key.is_release_key());
        let armored = key.sign("gv-release", b"sums\n");
        let trusted = keys::parse(&line).unwrap();
        assert!(sshsig::verify(armored.as_bytes(), b"sums\n", "gv-release", &trusted).is_ok());
    }

    /// What `openssl genpkey -algorithm ed25519` writes (PKCS#8 v1) is accepted too.
    #[test]
    fn reads_openssl_keys() {
        // RFC 8032 test 1's secret key, wrapped by `openssl pkey` (PKCS#8 v1).
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
        let key = SigningKey::from_pem(pem).unwrap();
        assert_eq!(
            key.public
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }
}
