//! The zip pass, for go.dev's Windows archives (`go1.22.10.windows-amd64.zip`).
//!
//! A zip is read from its end (the central directory), so it cannot be unpacked as it
//! streams in like a `.tar.gz`: the download is spooled to a file while it is hashed, and
//! only a spool whose size and sha256 matched is opened as a zip at all. It is then
//! unpacked by [`crate::archive::modzip`] with the SDK-zip rules (every name checked before
//! anything is written: no absolute paths, no `..`, no reserved device names, no `:` and so
//! no alternate data streams, no names that collide ignoring case) into `WORK/go`, which
//! the caller publishes as the GOROOT exactly as it publishes an untarred tree.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::error::store_err;
use super::fetch::{Length, check_download};
use super::{Checksum, InstallError, Progress};
use crate::archive::modzip::{self, ZipError, ZipRules};
use crate::archive::pipeline::{CHUNK, Verifying};

/// A verified, unpacked zip.
pub(super) struct Unzipped {
    /// The GOROOT-to-be, inside the work directory.
    pub(super) tree: PathBuf,
    pub(super) sha256: String,
    /// The spool, when it is the download cache's partial file (to keep once published).
    pub(super) cache_copy: Option<File>,
}

/// Spools `source` (into `cache`'s partial file when the download is to be cached, else
/// into `work`), checks it against `length` and `expected`, then unpacks it into `work/go`.
/// `source` is already capped at `length`.
#[allow(clippy::too_many_arguments)]
pub(super) fn spool_and_unpack<R: Read>(
    work: &Path,
    filename: &str,
    source: R,
    cache: Option<(File, PathBuf)>,
    expected: &Option<(String, Checksum)>,
    length: Length,
    progress: Progress,
) -> Result<Unzipped, InstallError> {
    let keep = cache.is_some();
    let (mut spool, spool_path) = match cache {
        Some(cached) => cached,
        None => {
            let path = work.join("download.zip");
            let file = File::create_new(&path).map_err(store_err(&path))?;
            (file, path)
        }
    };
    let bar = progress.clone();
    let mut verifying = Verifying::new(source, None, Box::new(move |n| bar.set(n)));
    let spooled = spool_all(&mut verifying, &mut spool, &spool_path, filename, length);
    progress.finish();
    spooled?;
    let sha256 = verifying.sha256_hex();
    check_download(
        filename,
        verifying.bytes,
        &sha256,
        length.exact_size(),
        expected,
    )?;

    // The spool was locked while it downloaded (a partial nobody holds gets swept); it is
    // read by path now, which Windows refuses through another handle of a locked file.
    let _ = spool.unlock();
    let tree = work.join("go");
    std::fs::create_dir(&tree).map_err(store_err(&tree))?;
    let unpacking = Progress::start(progress.is_quiet(), &format!("extracting {filename}"), None);
    let bar = unpacking.clone();
    let unzipped = modzip::unpack(&spool_path, &tree, &ZipRules::sdk_archive(), &move |n| {
        bar.set(n)
    });
    unpacking.finish();
    unzipped.map_err(|source| unzip_error(filename, source))?;
    Ok(Unzipped {
        tree,
        sha256,
        cache_copy: keep.then_some(spool),
    })
}

/// Copies the download into the spool. A failed read is a broken download or a limit
/// reached; a failed write is the disk's fault, and says where.
fn spool_all(
    source: &mut impl Read,
    spool: &mut File,
    spool_path: &Path,
    filename: &str,
    length: Length,
) -> Result<(), InstallError> {
    let mut buf = vec![0u8; CHUNK];
    let mut got: u64 = 0;
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(length.read_failure(filename, got, e)),
        };
        spool.write_all(&buf[..n]).map_err(store_err(spool_path))?;
        got += n as u64;
    }
    Ok(())
}

fn unzip_error(filename: &str, source: ZipError) -> InstallError {
    InstallError::Unzip {
        file: filename.to_string(),
        source,
    }
}
