//! A release's `SHA256SUMS`: one `HASH  NAME` line per published file, as `sha256sum`
//! writes it, and nothing else. The file is signed (`SHA256SUMS.sig`), so once its
//! signature is checked it says which release this is and what each archive must hash to.
//!
//! It is read strictly: a size cap, lowercase hex, two spaces, plain file names (no
//! paths), no name twice, and every gv archive in it of one version.

use thiserror::Error;

use super::target::{self, Target};
use super::version::Version;

/// Far more than a release's dozen lines.
pub const MAX_SIZE: usize = 64 * 1024;
const MAX_NAME: usize = 128;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SumsError {
    #[error("SHA256SUMS is larger than {MAX_SIZE} bytes")]
    TooLarge,
    #[error("SHA256SUMS line {line} is not `SHA256  FILE`")]
    BadLine { line: usize },
    #[error("SHA256SUMS names {name} twice")]
    Duplicate { name: String },
    #[error("SHA256SUMS lists no gv archive")]
    NoArchive,
    #[error("SHA256SUMS lists archives of two versions ({a} and {b})")]
    MixedVersions { a: String, b: String },
}

/// A parsed SHA256SUMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sums {
    /// The release these are the checksums of (from its archives' names).
    pub version: Version,
    /// (file name, lowercase hex sha256), in the file's order.
    pub files: Vec<(String, String)>,
}

impl Sums {
    pub fn parse(bytes: &[u8]) -> Result<Sums, SumsError> {
        if bytes.len() > MAX_SIZE {
            return Err(SumsError::TooLarge);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| SumsError::BadLine { line: 1 })?;
        let mut files: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad = || SumsError::BadLine { line: i + 1 };
            let (hash, name) = line.split_once("  ").ok_or_else(bad)?;
            let hex = hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hex || !plain_name(name) {
                return Err(bad());
            }
            if files.iter().any(|(n, _)| n == name) {
                return Err(SumsError::Duplicate {
                    name: name.to_string(),
                });
            }
            files.push((name.to_string(), hash.to_string()));
        }
        let mut version: Option<(Version, &str)> = None;
        for (name, _) in &files {
            let Some(found) = archive_version(name) else {
                continue;
            };
            match &version {
                None => version = Some((found, name)),
                Some((v, first)) if *v != found => {
                    return Err(SumsError::MixedVersions {
                        a: first.to_string(),
                        b: name.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        let (version, _) = version.ok_or(SumsError::NoArchive)?;
        Ok(Sums { version, files })
    }

    /// The sha256 listed for `name`.
    pub fn sha256(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, h)| h.as_str())
    }

    /// The archive for `target`, with its sha256.
    pub fn archive(&self, target: &Target) -> Option<(String, &str)> {
        let name = target.archive_name(&self.version.to_string());
        self.sha256(&name).map(|hash| (name, hash))
    }

    /// The text of a SHA256SUMS over `files` (name, sha256), sorted by name.
    pub fn render(files: &[(String, String)]) -> String {
        let mut sorted: Vec<&(String, String)> = files.iter().collect();
        sorted.sort();
        sorted
            .iter()
            .map(|(name, hash)| format!("{hash}  {name}\n"))
            .collect()
    }
}

/// A file name and nothing else: no directories, no leading dot, no spaces or controls.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

/// The version in a gv archive's name (`gv-0.2.0-x86_64-unknown-linux-musl.tar.gz`), for
/// the targets gv knows; other files (install.sh) have none.
fn archive_version(name: &str) -> Option<Version> {
    let rest = name.strip_prefix("gv-")?;
    target::ALL.iter().find_map(|t| {
        let suffix = format!("-{}.{}", t.triple, t.archive);
        Version::parse(rest.strip_suffix(&suffix)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn line(name: &str) -> String {
        format!("{H}  {name}\n")
    }

    #[test]
    fn reads_a_release() {
        let text = [
            line("gv-0.2.0-aarch64-apple-darwin.tar.gz"),
            line("gv-0.2.0-x86_64-pc-windows-gnu.zip"),
            line("gv-0.2.0-x86_64-unknown-linux-musl.tar.gz"),
            line("install.ps1"),
            line("install.sh"),
        ]
        .concat();
        let sums = Sums::parse(text.as_bytes()).unwrap();
        assert_eq!(sums.version.to_string(), "0.2.0");
        let linux = Target::named("x86_64-unknown-linux-musl").unwrap();
        assert_eq!(
            sums.archive(linux),
            Some(("gv-0.2.0-x86_64-unknown-linux-musl.tar.gz".to_string(), H))
        );
        let arm_linux = Target::named("aarch64-unknown-linux-musl").unwrap();
        assert_eq!(sums.archive(arm_linux), None);
        assert_eq!(Sums::render(&sums.files), text);
    }

    #[test]
    fn refuses_anything_else() {
        let ok = line("gv-0.2.0-x86_64-unknown-linux-musl.tar.gz");
        let cases: &[(String, SumsError)] = &[
            (
                format!("{ok}{}", H.to_uppercase() + "  install.sh\n"),
                SumsError::BadLine { line: 2 },
            ),
            (
                format!("{ok}{H} *install.sh\n"),
                SumsError::BadLine { line: 2 },
            ),
            (format!("{ok}{H}  ../gv\n"), SumsError::BadLine { line: 2 }),
            (format!("{ok}{H}  a/gv\n"), SumsError::BadLine { line: 2 }),
            (
                format!("{ok}{H}  .hidden\n"),
                SumsError::BadLine { line: 2 },
            ),
            (format!("{ok}{H}  a b\n"), SumsError::BadLine { line: 2 }),
            (
                format!("{ok}{H}  \u{1b}[2J\n"),
                SumsError::BadLine { line: 2 },
            ),
            (format!("{ok}\n"), SumsError::BadLine { line: 2 }),
            (
                format!("{ok}{ok}"),
                SumsError::Duplicate {
                    name: "gv-0.2.0-x86_64-unknown-linux-musl.tar.gz".into(),
                },
            ),
            (line("install.sh"), SumsError::NoArchive),
            (
                format!("{ok}{}", line("gv-0.3.0-aarch64-apple-darwin.tar.gz")),
                SumsError::MixedVersions {
                    a: "gv-0.2.0-x86_64-unknown-linux-musl.tar.gz".into(),
                    b: "gv-0.3.0-aarch64-apple-darwin.tar.gz".into(),
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Sums::parse(text.as_bytes()).as_ref(), Err(want), "{text:?}");
        }
        let huge = ok.repeat(MAX_SIZE / ok.len() + 1);
        assert_eq!(Sums::parse(huge.as_bytes()), Err(SumsError::TooLarge));
    }

    /// 10,000 generated files, mutations of a valid one: the parser never panics, and a
    /// file it accepts lists only plain names with well-formed hashes.
    #[test]
    fn generated_files_never_yield_a_bad_entry() {
        let good = [
            line("gv-0.2.0-x86_64-unknown-linux-musl.tar.gz"),
            line("gv-0.2.0-x86_64-pc-windows-gnu.zip"),
            line("install.sh"),
        ]
        .concat()
        .into_bytes();
        let mut state: u64 = 0x1234_5678_9abc_def1;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let specials = b"/ .\n\r\t*-\\\0";
        for _ in 0..10_000 {
            let mut input = good.clone();
            for _ in 0..=(next() % 3) {
                let at = (next() as usize) % input.len();
                match next() % 3 {
                    0 => input[at] = specials[(next() as usize) % specials.len()],
                    1 => input[at] = next() as u8,
                    _ => {
                        input.remove(at);
                    }
                }
            }
            if let Ok(sums) = Sums::parse(&input) {
                for (name, hash) in &sums.files {
                    assert!(plain_name(name), "{name:?}");
                    assert_eq!(hash.len(), 64);
                }
            }
        }
    }
}
