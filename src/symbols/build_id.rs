//! GNU build IDs: the bytes of an ELF `NT_GNU_BUILD_ID` note, which gdb, delve, elfutils
//! and debuginfod all key split debug information on. gv reads them from the binary
//! (never derives them: Go's linker hashes its link-time build ID, not the one it
//! finally writes), and writes them as lowercase hex.

use std::fmt;

/// The shortest ID gv accepts: GNU ld's are 16 (md5, uuid) or 20 bytes (sha1), Go's
/// `-B gobuildid` 20. A shorter one would be a weak key for a store shared by a team.
pub const MIN_LEN: usize = 8;
/// The longest: Go's linker accepts `-B` values up to 32 bytes; elfutils has no limit,
/// but a key longer than a hash is not one.
pub const MAX_LEN: usize = 64;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuildId(Vec<u8>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildIdError {
    #[error("a build ID is {MIN_LEN} to {MAX_LEN} bytes; this one has {0}")]
    Length(usize),
    #[error("a build ID is written in hexadecimal digits, two per byte")]
    NotHex,
}

impl BuildId {
    /// The ID whose note descriptor is `desc`, if its length is one gv accepts.
    pub fn from_bytes(desc: &[u8]) -> Result<BuildId, BuildIdError> {
        if !(MIN_LEN..=MAX_LEN).contains(&desc.len()) {
            return Err(BuildIdError::Length(desc.len()));
        }
        Ok(BuildId(desc.to_vec()))
    }

    /// `65a84525…` (either case) as typed by a user or named by a server.
    pub fn parse(hex: &str) -> Result<BuildId, BuildIdError> {
        let hex = hex.trim();
        if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BuildIdError::NotHex);
        }
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect();
        BuildId::from_bytes(&bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The first 12 hex digits: enough to tell builds apart in a listing.
    pub fn short(&self) -> String {
        let mut hex = self.to_string();
        hex.truncate(12);
        hex
    }

    /// `("65", "a84525…")`: the directory and file name under `.build-id/` that gdb,
    /// delve and elfutils look for.
    pub fn split_path(&self) -> (String, String) {
        let hex = self.to_string();
        (hex[..2].to_string(), hex[2..].to_string())
    }
}

impl fmt::Display for BuildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BuildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BuildId({self})")
    }
}

impl serde::Serialize for BuildId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_bad_text_is_refused() {
        let id = BuildId::parse("65A84525ea1c9efa4ae7cb993a53cfcf4b550b3e").unwrap();
        assert_eq!(id.to_string(), "65a84525ea1c9efa4ae7cb993a53cfcf4b550b3e");
        assert_eq!(id.short(), "65a84525ea1c");
        assert_eq!(
            id.split_path(),
            ("65".into(), "a84525ea1c9efa4ae7cb993a53cfcf4b550b3e".into())
        );
        assert_eq!(BuildId::parse("abc"), Err(BuildIdError::NotHex));
        assert_eq!(
            BuildId::parse("zz00112233445566"),
            Err(BuildIdError::NotHex)
        );
        assert_eq!(
            BuildId::parse("../../etc/passwd"),
            Err(BuildIdError::NotHex)
        );
        assert_eq!(BuildId::parse("0011"), Err(BuildIdError::Length(2)));
        assert_eq!(
            BuildId::parse(&"00".repeat(65)),
            Err(BuildIdError::Length(65))
        );
        assert!(BuildId::parse(&"ab".repeat(8)).is_ok());
    }
}
