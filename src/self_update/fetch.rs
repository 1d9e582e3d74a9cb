//! Fetching a release: its SHA256SUMS, proven by the signature beside it, then an
//! archive, proven by SHA256SUMS. Every read is bounded; every download has the HTTP
//! client's stall timeout.

use std::io::{Read, Seek, Write};

use sha2::{Digest, Sha256};

use super::SelfError;
use crate::install::progress::Progress;
use crate::release::keys::TrustedKey;
use crate::release::sums::{self, Sums};
use crate::release::{NAMESPACE, SUMS, SUMS_SIG, Which, sshsig};
use crate::sources::fetch::Http;

/// A gv archive is ~5–10 MiB; this leaves room to grow and none for abuse.
pub const MAX_ARCHIVE: u64 = 256 * 1024 * 1024;

/// A release's checksums, verified, and where it was found.
#[derive(Debug)]
pub struct Release {
    pub sums: Sums,
    /// The release's own directory (`BASE/download/vVERSION`), where its archives are.
    pub which: Which,
    /// The key that signed it.
    pub signed_by: TrustedKey,
    /// The URL SHA256SUMS came from.
    pub sums_url: String,
}

/// Fetches and verifies the SHA256SUMS of `which` under `base`.
pub fn release(
    http: &Http,
    base: &str,
    which: &Which,
    trusted: &[TrustedKey],
) -> Result<Release, SelfError> {
    let sums_url = which.url(base, SUMS);
    let sig_url = which.url(base, SUMS_SIG);
    let sums_bytes = get_small(http, &sums_url, sums::MAX_SIZE as u64)?;
    let sig_bytes = get_small(http, &sig_url, sshsig::MAX_ARMORED as u64)?;
    let signed_by = sshsig::verify(&sig_bytes, &sums_bytes, NAMESPACE, trusted)
        .map_err(|source| SelfError::Signature {
            url: sig_url.clone(),
            source,
        })?
        .clone();
    let sums = Sums::parse(&sums_bytes).map_err(|source| SelfError::Sums {
        url: sums_url.clone(),
        source,
    })?;
    if let Which::Version(wanted) = which
        && *wanted != sums.version
    {
        return Err(SelfError::WrongVersion {
            url: sums_url,
            found: sums.version.to_string(),
            wanted: wanted.to_string(),
        });
    }
    // Archives come from the release's own directory, not from `latest/`, which may move
    // to another release between two requests.
    let which = Which::Version(sums.version.clone());
    Ok(Release {
        sums,
        which,
        signed_by,
        sums_url,
    })
}

/// Downloads `name` of `release` into an anonymous temporary file (gone when dropped,
/// whatever happens) and checks its sha256 against SHA256SUMS.
pub fn archive(
    http: &Http,
    base: &str,
    release: &Release,
    name: &str,
    expected: &str,
    quiet: bool,
) -> Result<std::fs::File, SelfError> {
    let url = release.which.url(base, name);
    let response = http.get(&url)?;
    let total = response.content_length();
    if total.is_some_and(|t| t > MAX_ARCHIVE) {
        return Err(SelfError::TooLarge {
            url,
            limit: MAX_ARCHIVE,
        });
    }
    let tmp_dir = std::env::temp_dir();
    let mut file =
        tempfile::tempfile().map_err(super::io("create a temporary file in", &tmp_dir))?;
    let progress = Progress::start(quiet, &format!("downloading {url}"), total);
    let mut hasher = Sha256::new();
    let mut body = response.take(MAX_ARCHIVE + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut got: u64 = 0;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                progress.finish();
                return Err(SelfError::Read { url, source });
            }
        };
        got += n as u64;
        if got > MAX_ARCHIVE {
            progress.finish();
            return Err(SelfError::TooLarge {
                url,
                limit: MAX_ARCHIVE,
            });
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(super::io("write a temporary file in", &tmp_dir))?;
        progress.set(got);
    }
    progress.finish();
    if let Some(total) = total
        && got != total
    {
        return Err(SelfError::Read {
            url,
            source: std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the connection closed after {got} of {total} bytes"),
            ),
        });
    }
    let actual = crate::archive::pipeline::hex(&hasher.finalize());
    if actual != expected {
        return Err(SelfError::Checksum {
            name: name.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    file.rewind()
        .map_err(super::io("read a temporary file in", &tmp_dir))?;
    Ok(file)
}

/// GET `url`, at most `limit` bytes.
fn get_small(http: &Http, url: &str, limit: u64) -> Result<Vec<u8>, SelfError> {
    let response = http.get(url)?;
    let mut bytes = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| SelfError::Read {
            url: url.to_string(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(SelfError::TooLarge {
            url: url.to_string(),
            limit,
        });
    }
    Ok(bytes)
}
