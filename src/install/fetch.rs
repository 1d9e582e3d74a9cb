//! Step 3 for go.dev's archives (from go.dev, a mirror, the download cache or a local
//! file): fetch, verify and unpack in one pass into a work directory inside the store.
//! The download is bounded by the length the index gives (else the one announced, else
//! gv's cap), hashed as it streams, and copied to the download cache only when something
//! vouches for it.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gv_core::limits::{self, Capped};
use gv_core::{Store, Version};

use super::cache::{Keep, Partial, cached_archive};
use super::plan::{Archive, LocalArchive};
use super::publish::TempDir;
use super::{ArchiveSource, Checksum, InstallError, Options, Progress, Unpacked, unzip};
use crate::archive::pipeline::{self, OnHangUp, Verifying};
use crate::archive::untar::{self, UnpackError};
use crate::sources::fetch::Http;
use crate::sources::is_zip_archive;
use crate::ui;

/// An archive from go.dev or a mirror: a verified copy from the download cache when there
/// is one (no network needed), else a download.
pub(super) fn archive(
    store: &Store,
    http: &Http,
    version: &Version,
    mut plan: Archive,
    opts: &Options,
) -> Result<Unpacked, InstallError> {
    // A verified download in the cache: reinstall without the network.
    if let Some((path, record)) = cached_archive(opts, &plan.filename) {
        let usable = match (&plan.expected, record) {
            (Some((want, _)), Some((have, _))) => *want == have,
            (None, Some((have, url))) => {
                plan.expected = Some((have, Checksum::Cached { url }));
                true
            }
            (_, None) => false,
        };
        if usable && let Ok(file) = File::open(&path) {
            let len = file.metadata().ok().map(|m| m.len());
            let progress = Progress::start(
                opts.quiet,
                &format!("unpacking {} from the download cache", plan.filename),
                len,
            );
            let streamed = unpack_stream(
                store,
                version,
                &plan.filename,
                file,
                None,
                &plan.expected,
                Length::of(plan.size, len),
                progress,
            )?;
            return Ok(Unpacked {
                work: streamed.work,
                tree: streamed.tree,
                file: plan.filename,
                to_prove: Some(super::proof::recorded_in(&super::cache::sidecar_path(
                    &path,
                ))),
                source: ArchiveSource::Cache { path },
                checksum: plan.expected.map_or(Checksum::Unchecked, |(_, c)| c),
                keep: None,
            });
        }
    }
    if opts.offline {
        return Err(InstallError::NotCached {
            file: plan.filename,
            dir: opts.cache.downloads(),
        });
    }
    if plan.expected.is_none() && !opts.insecure_skip_checksum {
        return Err(InstallError::NoChecksum {
            file: plan.filename,
            why: "neither an index nor a sidecar provided one".to_string(),
        });
    }
    if plan.expected.is_none() {
        ui::warn(format!(
            "--insecure-skip-checksum: installing {} WITHOUT verifying its checksum",
            plan.filename
        ));
    }
    let response = http.get(&plan.url).map_err(|source| InstallError::Fetch {
        file: plan.filename.clone(),
        source,
    })?;
    let announced = response.content_length();
    let length = Length::of(plan.size, announced);
    length
        .refuse_announced(&plan.filename, announced)
        .map_err(|e| e.at_url(&plan.url))?;
    let progress = Progress::start(
        opts.quiet,
        &format!("downloading {}", plan.url),
        plan.size.or(announced),
    );
    // The verified archive is kept for --offline and reinstalls; it becomes visible
    // under its real name only after the checksum matched. An archive nothing vouched
    // for (--insecure-skip-checksum) is never cached: a later install would take it for
    // a verified one.
    let downloads = opts.cache.downloads();
    let partial = Partial(opts.cache.partial_download(&plan.filename));
    let vouched = plan
        .expected
        .as_ref()
        .and_then(|(_, checksum)| checksum.vouching_url())
        .map(str::to_string);
    // Locked while it grows: a sweep by another gv (lock::sweep_partials) removes only
    // partials nobody holds, such as one a killed run left.
    let copy = vouched.as_ref().and_then(|_| {
        std::fs::create_dir_all(&downloads)
            .and_then(|()| File::create(&partial.0))
            .and_then(|file| file.lock().map(|()| file))
            .ok()
    });
    let cache = copy.map(|file| (file, partial.0.clone()));
    let streamed = unpack_stream(
        store,
        version,
        &plan.filename,
        response,
        cache,
        &plan.expected,
        length,
        progress,
    )
    .map_err(|e| e.at_url(&plan.url))?;
    let keep = match (streamed.copy, vouched) {
        (Some(file), Some(url)) => Some(Keep::Archive {
            file,
            partial,
            filename: plan.filename.clone(),
            sha256: streamed.sha256,
            url,
        }),
        _ => None,
    };
    Ok(Unpacked {
        work: streamed.work,
        tree: streamed.tree,
        file: plan.filename,
        source: ArchiveSource::Download { url: plan.url },
        checksum: plan.expected.map_or(Checksum::Unchecked, |(_, c)| c),
        keep,
        to_prove: Some(None),
    })
}

/// A local archive (`--from-file`), checked against what [`super::plan`] found for it.
pub(super) fn file(
    store: &Store,
    version: &Version,
    local: LocalArchive,
    opts: &Options,
) -> Result<Unpacked, InstallError> {
    let file = File::open(&local.path).map_err(|source| InstallError::ReadFile {
        path: local.path.clone(),
        source,
    })?;
    let size = file.metadata().ok().map(|m| m.len());
    let length = Length::of(None, size);
    length.refuse_announced(&local.filename, size)?;
    let progress = Progress::start(
        opts.quiet,
        &format!("unpacking {}", local.path.display()),
        size,
    );
    let streamed = unpack_stream(
        store,
        version,
        &local.filename,
        file,
        None,
        &local.expected,
        length,
        progress,
    )?;
    Ok(Unpacked {
        work: streamed.work,
        tree: streamed.tree,
        file: local.filename,
        source: ArchiveSource::File { path: local.path },
        checksum: local.expected.map_or(Checksum::Unchecked, |(_, c)| c),
        keep: None,
        to_prove: Some(None),
    })
}

/// How long an archive may be, and who says so: the release index's `size` (which it must
/// then be exactly), else the length the server announced or the file has, never more than
/// gv's cap for any SDK archive ([`limits::SDK_ARCHIVE`]). What it may unpack to follows
/// from it ([`limits::sdk_unpacked`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Length {
    limit: u64,
    exact: bool,
    why: &'static str,
}

impl Length {
    pub(super) fn of(index_size: Option<u64>, announced: Option<u64>) -> Length {
        if let Some(size) = index_size.filter(|s| *s <= limits::SDK_ARCHIVE) {
            return Length {
                limit: size,
                exact: true,
                why: "the size the release index gives",
            };
        }
        if let Some(len) = announced.filter(|l| *l <= limits::SDK_ARCHIVE) {
            return Length {
                limit: len,
                exact: false,
                why: "the length announced for it",
            };
        }
        Length {
            limit: limits::SDK_ARCHIVE,
            exact: false,
            why: "gv's limit for an SDK archive",
        }
    }

    /// Refuses, before a byte is read, an archive announced (or, for a file, sized) past
    /// this length.
    pub(super) fn refuse_announced(
        &self,
        filename: &str,
        announced: Option<u64>,
    ) -> Result<(), InstallError> {
        match announced {
            Some(len) if len > self.limit => Err(InstallError::TooLong {
                url: filename.to_string(),
                limit: self.limit,
                why: self.why.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The size the archive must have, when the index gave one.
    pub(super) fn exact_size(&self) -> Option<u64> {
        self.exact.then_some(self.limit)
    }

    /// The error for a read of the archive that failed after `got` bytes: a limit reached
    /// (this length, or the transfer rule), or the transfer's own failure.
    pub(super) fn read_failure(&self, filename: &str, got: u64, e: io::Error) -> InstallError {
        match limits::LimitError::of(&e) {
            Some(limits::LimitError::TooLarge { .. }) => InstallError::TooLong {
                url: filename.to_string(),
                limit: self.limit,
                why: self.why.to_string(),
            },
            Some(other) => InstallError::TooSlow {
                url: filename.to_string(),
                source: other.clone(),
            },
            None => InstallError::Interrupted {
                url: filename.to_string(),
                got,
                message: e.to_string(),
            },
        }
    }
}

/// Unpacks `source`, verified, into a new work directory in `versions/`. A `.tar.gz`
/// streams: download+sha256 (+ copy to the download cache) → gunzip → untar. A `.zip`
/// (Windows) is spooled and verified first (see [`unzip`]). Neither reads past `length`.
#[allow(clippy::too_many_arguments)]
fn unpack_stream<R: Read + Send + 'static>(
    store: &Store,
    version: &Version,
    filename: &str,
    source: R,
    cache: Option<(File, PathBuf)>,
    expected: &Option<(String, Checksum)>,
    length: Length,
    progress: Progress,
) -> Result<Streamed, InstallError> {
    let source = Capped::new(source, length.limit);
    let work = TempDir::create(store, version)?;
    let (tree, sha256, copy) = if is_zip_archive(filename) {
        let zip = unzip::spool_and_unpack(
            &work.path, filename, source, cache, expected, length, progress,
        )?;
        (zip.tree, zip.sha256, zip.cache_copy)
    } else {
        let (sha256, copy) = untar_stream(
            &work.path,
            filename,
            source,
            cache.map(|c| c.0),
            expected,
            length,
            progress,
        )?;
        (work.path.clone(), sha256, copy)
    };
    Ok(Streamed {
        work,
        tree,
        sha256,
        copy,
    })
}

/// A verified archive, unpacked.
struct Streamed {
    work: TempDir,
    /// The untarred work directory itself, or a zip's `go/` inside it.
    tree: PathBuf,
    sha256: String,
    /// The download cache's copy, still to be kept.
    copy: Option<File>,
}

/// The `.tar.gz` pass into the empty directory `dest`, three threads: download+hash,
/// gunzip, untar (this one). Returns the archive's sha256 and the download cache's copy.
/// What gunzip may produce is capped ([`limits::sdk_unpacked`]), so a gzip bomb stops
/// there, before its checksum is even known.
fn untar_stream<R: Read + Send + 'static>(
    dest: &Path,
    filename: &str,
    source: R,
    cache_file: Option<std::fs::File>,
    expected: &Option<(String, Checksum)>,
    length: Length,
    progress: Progress,
) -> Result<(String, Option<std::fs::File>), InstallError> {
    let bar = progress.clone();
    let verifying = Verifying::new(source, cache_file, Box::new(move |n| bar.set(n)));
    let (compressed, download) = pipeline::spawn("gv-download", verifying, OnHangUp::Finish);
    let unpacked_limit = limits::sdk_unpacked(Some(length.limit));
    let (tar_stream, gunzip) = pipeline::spawn(
        "gv-gunzip",
        Capped::new(flate2::read::GzDecoder::new(compressed), unpacked_limit),
        OnHangUp::Stop,
    );
    let mut tar_stream = tar_stream;
    let unpacked = untar::unpack(&mut tar_stream, dest);
    let mut drained = Ok(0);
    if unpacked.is_ok() {
        // Tar stops at its end marker; the rest (padding, gzip trailer) still counts
        // for the checksum.
        drained = tar_stream.drain();
    }
    drop(tar_stream);
    let gunzip_result = gunzip
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("gunzip thread panicked")));
    let verified = download
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("download thread panicked")));
    progress.finish();

    // Report the most fundamental failure: the transfer, then the checksum, then the
    // archive's content.
    let verified = verified.map_err(|e| length.read_failure(filename, 0, e))?;
    let actual = verified.sha256_hex();
    check_download(
        filename,
        verified.bytes,
        &actual,
        length.exact_size(),
        expected,
    )?;
    let inflates = |e: &io::Error| {
        matches!(
            limits::LimitError::of(e),
            Some(limits::LimitError::TooLarge { .. })
        )
    };
    let unpack_error = |source: UnpackError| match &source {
        UnpackError::Corrupt(e) if inflates(e) => InstallError::Inflates {
            file: filename.to_string(),
            limit: unpacked_limit,
        },
        _ => InstallError::Unpack {
            file: filename.to_string(),
            source,
        },
    };
    unpacked.map_err(unpack_error)?;
    gunzip_result.map_err(|e| unpack_error(UnpackError::Corrupt(e)))?;
    // A bomb behind the tar's end marker, refused while draining it.
    drained.map_err(|e| unpack_error(UnpackError::Corrupt(e)))?;
    Ok((actual, verified.copy))
}

/// Did the whole archive arrive (`size`, when an index gave one), and is it the one the
/// index or sidecar vouched for?
pub(super) fn check_download(
    filename: &str,
    got: u64,
    actual: &str,
    size: Option<u64>,
    expected: &Option<(String, Checksum)>,
) -> Result<(), InstallError> {
    if let Some(want) = size
        && got != want
    {
        return Err(InstallError::WrongSize {
            url: filename.to_string(),
            got,
            expected: want,
        });
    }
    if let Some((want, origin)) = expected
        && want != actual
    {
        return Err(InstallError::ChecksumMismatch {
            file: filename.to_string(),
            expected: want.clone(),
            actual: actual.to_string(),
            origin: match origin {
                Checksum::Index { url } | Checksum::Sidecar { url } => format!("from {url}"),
                Checksum::Cached { url } => {
                    format!("recorded when it was downloaded and checked against {url}")
                }
                // Not sha256 vouchers: never expected of an archive.
                Checksum::Database(_) | Checksum::CachedProof { .. } | Checksum::Unchecked => {
                    String::new()
                }
            },
        });
    }
    Ok(())
}
