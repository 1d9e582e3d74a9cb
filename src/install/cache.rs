//! Step 6 of the install, and the download cache's record: a verified archive is kept in
//! `cache/downloads/` with a `.sha256` beside it, `SHA  FILENAME` then `verified-against
//! URL` (the index or sidecar that proved it right), and `proven-by ...` when the checksum
//! database proved its content ([`super::proof::parse_recorded`]). Only a complete record
//! is trusted, so an archive is reused without its index exactly when it was verified when
//! it was downloaded. A toolchain module zip from GOPROXY is kept like a module cache keeps
//! it, its proven `h1:` in a `.ziphash` beside it. Also the `.sha256` format itself, which a
//! mirror's sidecars and a local archive's checksum file use too.

use std::fs::File;
use std::path::{Path, PathBuf};

use gv_core::{Version, limits};

use super::Options;
use crate::sources::parse_archive_name;

/// The `.sha256` file beside `path`.
pub(super) fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// A sha256 file holds the hex digest, maybe followed by a file name (sha256sum style).
pub(super) fn first_hex_word(text: &str) -> Option<String> {
    let word = text.split_whitespace().next()?.to_ascii_lowercase();
    (word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit())).then_some(word)
}

/// Versions whose archive for this platform sits verified in the download cache.
pub(super) fn cached_versions(opts: &Options) -> Vec<Version> {
    let Ok(entries) = std::fs::read_dir(opts.cache.downloads()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| parse_archive_name(&e.file_name().to_string_lossy()))
        .filter(|(_, p)| p == &opts.platform)
        .map(|(v, _)| v)
        .collect()
}

/// The cached archive, with the sha256 recorded when it was downloaded and the URL that
/// vouched for it then (`None` without a complete record: not to be trusted).
pub(super) fn cached_archive(
    opts: &Options,
    filename: &str,
) -> Option<(PathBuf, Option<(String, String)>)> {
    let path = opts.cache.downloads().join(filename);
    if !path.is_file() {
        return None;
    }
    let record = limits::read_file_string(&sidecar_path(&path), limits::CHECKSUM_FILE)
        .ok()
        .and_then(|text| parse_cache_record(&text));
    Some((path, record))
}

/// `SHA  FILENAME` then `verified-against URL`.
fn parse_cache_record(text: &str) -> Option<(String, String)> {
    let sha = first_hex_word(text)?;
    let url = text.lines().find_map(|line| {
        line.strip_prefix(VERIFIED_AGAINST)?
            .strip_prefix(' ')
            .filter(|url| !url.trim().is_empty())
    })?;
    Some((sha, url.trim().to_string()))
}

/// Publishes a download verified against `verified_against` (an index or sidecar URL) in
/// the cache, with its checksum and where that came from; failures only cost a later
/// re-download.
fn keep_download(
    file: &mut File,
    partial: &Path,
    filename: &str,
    sha: &str,
    verified_against: &str,
    proof_line: Option<String>,
) {
    let Some(dir) = partial.parent() else { return };
    let final_path = dir.join(filename);
    let mut record = format!("{sha}  {filename}\n{VERIFIED_AGAINST} {verified_against}\n");
    if let Some(line) = proof_line {
        record.push_str(&line);
        record.push('\n');
    }
    if file.sync_data().is_ok()
        && crate::fsutil::write_atomic(&sidecar_path(&final_path), record.as_bytes()).is_ok()
    {
        let _ = std::fs::rename(partial, &final_path);
    }
}

/// A download still to be kept in the cache once its tree is published; dropped instead,
/// its partial file goes.
pub(super) enum Keep {
    /// A go.dev archive, with the sha256 record of what verified it.
    Archive {
        file: File,
        partial: Partial,
        filename: String,
        sha256: String,
        url: String,
    },
    /// A toolchain module zip, with the `h1:` the checksum database proved.
    ModuleZip {
        partial: Partial,
        zip: PathBuf,
        hash: PathBuf,
        h1: String,
    },
}

impl Keep {
    /// Keeps the download (an archive with the checksum database's `proof_line`, when it
    /// proved the tree); failures only cost a later re-download.
    pub(super) fn keep(self, proof_line: Option<String>) {
        match self {
            Keep::Archive {
                mut file,
                partial,
                filename,
                sha256,
                url,
            } => {
                keep_download(&mut file, &partial.0, &filename, &sha256, &url, proof_line);
                // Closed before the partial is removed (Windows removes no open file).
                drop(file);
                drop(partial);
            }
            Keep::ModuleZip {
                partial,
                zip,
                hash,
                h1,
            } => keep_zip(&partial.0, &zip, &hash, &h1),
        }
    }
}

/// A download's partial file in the cache, removed when this goes unless it was renamed
/// into the cache first.
pub(super) struct Partial(pub(super) PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = crate::fsutil::remove_if_exists(&self.0);
    }
}

/// Keeps a verified zip and its hash in the cache; the hash is written last, so its
/// presence means the zip beside it was verified. Failures only cost a re-download.
fn keep_zip(partial: &Path, zip_path: &Path, hash_path: &Path, h1: &str) {
    let synced = File::open(partial).and_then(|f| f.sync_data());
    if synced.is_ok() && std::fs::rename(partial, zip_path).is_ok() {
        let _ = crate::fsutil::write_atomic(hash_path, format!("{h1}\n").as_bytes());
    }
}

/// The line of a cached download's `.sha256` naming what its checksum was verified
/// against. A record without it is not trusted (older gv cached unverified archives too).
pub(super) const VERIFIED_AGAINST: &str = "verified-against";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_files_in_both_styles() {
        let sha = "a".repeat(64);
        assert_eq!(first_hex_word(&format!("{sha}\n")), Some(sha.clone()));
        assert_eq!(
            first_hex_word(&format!(
                "{}  go1.22.10.linux-amd64.tar.gz\n",
                sha.to_uppercase()
            )),
            Some(sha)
        );
        assert_eq!(first_hex_word("<html>not found</html>"), None);
        assert_eq!(first_hex_word(""), None);
    }

    #[test]
    fn a_cache_record_counts_only_with_what_verified_it() {
        let sha = "b".repeat(64);
        assert_eq!(
            parse_cache_record(&format!(
                "{sha}  go1.22.10.linux-amd64.tar.gz\nverified-against http://i/dl/?mode=json\n"
            )),
            Some((sha.clone(), "http://i/dl/?mode=json".into()))
        );
        assert_eq!(
            parse_cache_record(&format!("{sha}  go1.22.10.linux-amd64.tar.gz\n")),
            None,
            "a bare sha256 (what gv once wrote for unverified archives too) is not proof"
        );
    }
}
