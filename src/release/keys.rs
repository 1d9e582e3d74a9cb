//! The keys gv trusts for its own releases.
//!
//! gv's release keys are in `packaging/release-keys.pub`, one OpenSSH public-key line each
//! (the private halves are secrets of the release workflow; RELEASING.md says how they
//! were made and how to rotate them). install.sh and install.ps1 carry the same key, and
//! a test checks that all three agree.
//!
//! A gv built by the release command for another key (a test release; a company's or a
//! fork's own releases: `cargo xtask dist --trust-key FILE`) trusts that key only: the
//! key is compiled in, never taken from the environment at run time, so nothing a
//! process inherits can change whom `gv self update` believes.

use super::sshsig::{self, PublicKey};

/// gv's release keys, as committed.
pub const RELEASE_KEYS: &str = include_str!("../../packaging/release-keys.pub");

/// A trusted key and its name (the key line's comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub name: String,
    pub key: PublicKey,
}

/// The keys in `text`: one `ssh-ed25519 BASE64 NAME` line each; blank lines and `#`
/// comments are skipped.
pub fn parse(text: &str) -> Result<Vec<TrustedKey>, sshsig::SigError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let key = sshsig::parse_public_key_line(line)?;
            let name = line
                .split_whitespace()
                .nth(2)
                .unwrap_or("unnamed")
                .to_string();
            Ok(TrustedKey { name, key })
        })
        .collect()
}

/// The keys this gv trusts: the one it was built for (`built_for`, a key line given to
/// the release command), else gv's release keys.
pub fn trusted(built_for: Option<&str>) -> Vec<TrustedKey> {
    let text = built_for.unwrap_or(RELEASE_KEYS);
    // Both are fixed when gv is built, and the release command checks a --trust-key line
    // before it builds with it; the unit test below checks the committed file.
    parse(text).expect("the trusted keys compiled into gv are valid key lines")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_keys_parse() {
        let keys = parse(RELEASE_KEYS).unwrap();
        assert!(!keys.is_empty(), "packaging/release-keys.pub lists no key");
        assert_eq!(trusted(None), keys);
    }

    #[test]
    fn a_build_key_replaces_the_release_keys() {
        let line =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpl2eX8xKha26LEbYqrE9c4+ivlrS5xyGDI+ZPs/heQ test";
        let keys = trusted(Some(line));
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].name, "test");
        assert!(parse("ssh-rsa AAAA x").is_err());
        assert!(parse("# only a comment\n\n").unwrap().is_empty());
    }
}
