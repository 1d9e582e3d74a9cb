//! install.sh and install.ps1 as a release publishes them: the repository's scripts with
//! the signing key's public half written into their key block. With gv's release key
//! that changes nothing (a test checks it), so the committed scripts are exactly what a
//! release ships; a test release gets the same scripts with the test key.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine as _;
use gv::release::keys;

pub const BEGIN: &str = "# BEGIN RELEASE KEY";
pub const END: &str = "# END RELEASE KEY";

/// The published installers, (name, text), for the key `line`.
pub fn render(root: &Path, line: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for name in ["install.sh", "install.ps1"] {
        let text = std::fs::read_to_string(root.join(name))
            .with_context(|| format!("cannot read {name}"))?;
        out.push((name, with_key(name, &text, line)?));
    }
    Ok(out)
}

/// `text` (the script `name`) with its key block holding `line`.
pub fn with_key(name: &str, text: &str, line: &str) -> anyhow::Result<String> {
    let key = keys::parse(line)?
        .into_iter()
        .next()
        .context("no key in the key line")?;
    let block = if name.ends_with(".sh") {
        format!(
            "release_key_ssh='{line}'\nrelease_key_pem='-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----'\n",
            spki_base64(&key.key)
        )
    } else {
        format!("$ReleaseKey = '{line}'\n")
    };
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        bail!("{name} has no `{BEGIN}` … `{END}` block");
    };
    let start = start + text[start..].find('\n').context("marker line")? + 1;
    if end < start {
        bail!("{name}'s key block is out of order");
    }
    Ok(format!("{}{block}{}", &text[..start], &text[end..]))
}

/// The key as OpenSSL reads it: the base64 of its SubjectPublicKeyInfo (RFC 8410).
pub fn spki_base64(key: &[u8; 32]) -> String {
    const PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(key);
    base64::engine::general_purpose::STANDARD.encode(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed installers already hold gv's release key: what a release publishes
    /// is byte for byte what the repository has.
    #[test]
    fn committed_installers_carry_the_release_key() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let release = keys::parse(keys::RELEASE_KEYS).unwrap();
        let line = gv::release::sshsig::public_key_line(&release[0].key, &release[0].name);
        for (name, text) in render(&root, &line).unwrap() {
            let committed = std::fs::read_to_string(root.join(name)).unwrap();
            assert!(
                committed == text,
                "{name}'s key block is not gv's release key (packaging/release-keys.pub)"
            );
        }
    }

    /// The value of `name = '…'` (sh) or `$name = '…'` (PowerShell) in `script`, or of a
    /// here-string `$name = @'…'@`.
    fn assigned(script: &str, name: &str) -> String {
        for prefix in [
            format!("{name}='"),
            format!("${name} = '"),
            format!("${name} = @'\n"),
        ] {
            if let Some(start) = script.find(&prefix) {
                let rest = &script[start + prefix.len()..];
                let end = if prefix.ends_with('\n') {
                    rest.find("\n'@").expect("here-string end")
                } else {
                    rest.find('\'').expect("closing quote")
                };
                return rest[..end].to_string();
            }
        }
        panic!("{name} is not assigned in the script");
    }

    /// What install.sh and install.ps1 must agree on with gv and with each other: where
    /// releases are, the signature namespace, the archive names, the names of files set
    /// aside, and known-good samples that really are good.
    #[test]
    fn the_installers_agree_with_gv() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let sh = std::fs::read_to_string(root.join("install.sh")).unwrap();
        let ps = std::fs::read_to_string(root.join("install.ps1")).unwrap();
        use gv::release::{DEFAULT_BASE_URL, NAMESPACE, sshsig, target::Target};
        assert_eq!(assigned(&sh, "default_url"), DEFAULT_BASE_URL);
        assert_eq!(assigned(&ps, "GvDefaultUrl"), DEFAULT_BASE_URL);
        assert_eq!(assigned(&sh, "namespace"), NAMESPACE);
        assert_eq!(assigned(&ps, "GvNamespace"), NAMESPACE);
        let windows = Target::named(&assigned(&ps, "GvTarget")).expect("a release target");
        assert_eq!(windows.archive, "zip");
        // install.sh builds `ARCH-unknown-linux-musl` and `ARCH-apple-darwin`.
        for triple in ["unknown-linux-musl", "apple-darwin"] {
            assert!(sh.contains(&format!("os_part='{triple}'")), "{triple}");
            for arch in ["x86_64", "aarch64"] {
                assert!(Target::named(&format!("{arch}-{triple}")).is_some());
            }
        }
        // What install.ps1 moves aside, `gv self update` sweeps.
        assert!(ps.contains(&format!("\"{}\"", gv::self_update::replace::OLD_PREFIX)));
        // The ssh-keygen sample is a good signature (so a working ssh-keygen accepts it).
        let (key, sig) = (
            assigned(&sh, "probe_ssh_key"),
            assigned(&sh, "probe_ssh_sig"),
        );
        assert_eq!(assigned(&ps, "ProbeSshKey"), key);
        assert_eq!(assigned(&ps, "ProbeSshSig"), sig);
        let trusted = keys::parse(&key).unwrap();
        sshsig::verify(sig.as_bytes(), b"hello\n", NAMESPACE, &trusted).unwrap();
        // The openssl sample is RFC 8032's second vector, good under ring.
        let probe_sig = assigned(&sh, "probe_sig");
        assert_eq!(assigned(&ps, "ProbeSig"), probe_sig);
        let pem = assigned(&sh, "probe_pem");
        let spki = pem.lines().nth(1).unwrap();
        assert!(ps.contains(spki), "install.ps1's openssl sample key");
        let der = base64::engine::general_purpose::STANDARD
            .decode(spki)
            .unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&probe_sig)
            .unwrap();
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &der[12..])
            .verify(b"r", &raw)
            .unwrap();
    }

    #[test]
    fn the_block_is_replaced_whole() {
        let line =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpl2eX8xKha26LEbYqrE9c4+ivlrS5xyGDI+ZPs/heQ test";
        let script = format!("a\n{BEGIN} (x)\nold\nlines\n{END}\nb\n");
        let out = with_key("install.sh", &script, line).unwrap();
        assert!(out.starts_with(&format!("a\n{BEGIN} (x)\nrelease_key_ssh='{line}'\n")));
        assert!(out.ends_with(&format!("-----END PUBLIC KEY-----'\n{END}\nb\n")));
        assert!(!out.contains("old"));
        let ps = with_key("install.ps1", &script, line).unwrap();
        assert!(ps.contains(&format!("$ReleaseKey = '{line}'\n{END}")));
        assert!(with_key("install.sh", "no block", line).is_err());
    }
}
