//! Deciding what to fetch: which archive a spec means, from which server, and which
//! checksum vouches for it (the mirror's index, the official index, a `.sha256` sidecar,
//! or the record kept with a cached download).

use gv_core::{Spec, Version, limits};

use super::cache::{cached_archive, cached_versions, first_hex_word};
use super::{Checksum, InstallError, Options};
use crate::sources::fetch::Http;
use crate::sources::index::{self, Index, IndexError};
use crate::sources::mirror::Layout;
use crate::ui;

/// Everything needed to fetch one archive.
pub(super) struct Plan {
    pub(super) version: Version,
    pub(super) filename: String,
    pub(super) url: String,
    /// Expected sha256 and what vouches for it.
    pub(super) expected: Option<(String, Checksum)>,
    pub(super) size: Option<u64>,
}

/// Loads an index, warning when it is an old cached copy used for lack of network.
pub fn load_index(http: &Http, url: &str, opts: &Options) -> Result<Index, IndexError> {
    let index = index::load(http, url, &opts.cache, opts.index_mode())?;
    if let index::Freshness::Stale { age, reason } = &index.freshness {
        ui::warn(format!(
            "using the cached release index from {} ago ({reason})",
            index::human_age(*age)
        ));
    }
    Ok(index)
}

/// The mirror's own index, or `None` for a plain mirror (no index).
pub fn mirror_index(http: &Http, opts: &Options) -> Result<Option<Index>, IndexError> {
    match opts.mirror.layout {
        Layout::Plain => Ok(None),
        Layout::Indexed => load_index(http, &opts.mirror.index_url(), opts).map(Some),
        Layout::Unknown => match load_index(http, &opts.mirror.index_url(), opts) {
            Ok(index) => Ok(Some(index)),
            Err(e) if e.means_no_index() => Ok(None),
            // Offline with nothing cached for the mirror: the official index may be cached.
            Err(IndexError::OfflineNoCache { .. }) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// The index to take checksums from: the mirror's, else the official one.
pub(super) fn checksum_index(http: &Http, opts: &Options) -> Option<Index> {
    if let Ok(Some(index)) = mirror_index(http, opts) {
        return Some(index);
    }
    load_index(http, &opts.official_index, opts).ok()
}

/// The index to list releases from (`gv ls-remote`): the mirror's, else the official.
pub fn listing_index(http: &Http, opts: &Options) -> Result<Index, IndexError> {
    match mirror_index(http, opts)? {
        Some(index) => Ok(index),
        None => load_index(http, &opts.official_index, opts),
    }
}

pub(super) fn plan(http: &Http, spec: &Spec, opts: &Options) -> Result<Plan, InstallError> {
    let mirror_index = mirror_index(http, opts);
    let (index, index_error) = match mirror_index {
        Ok(Some(index)) => (Some(index), None),
        Ok(None) => match load_index(http, &opts.official_index, opts) {
            Ok(index) => (Some(index), None),
            Err(e) => (None, Some(e)),
        },
        Err(e) if opts.offline => (None, Some(e)),
        Err(e) => return Err(e.into()),
    };
    if let Some(index) = index {
        let no_such = || InstallError::NoSuchRelease {
            spec: spec.to_string(),
            platform: opts.platform.clone(),
            index: index.url.clone(),
            hint: opts
                .platform
                .missing_build_hint(&spec.to_string(), other_build(&index, spec, opts).as_ref())
                .into(),
        };
        let release = index.resolve(spec, &opts.platform).ok_or_else(no_such)?;
        let file = release.archive(&opts.platform).ok_or_else(no_such)?;
        return Ok(Plan {
            version: release.version.clone(),
            filename: file.filename.clone(),
            url: opts.mirror.file_url(&file.filename),
            expected: Some((
                file.sha256.to_ascii_lowercase(),
                Checksum::Index {
                    url: index.url.clone(),
                },
            )),
            size: (file.size > 0).then_some(file.size),
        });
    }
    let cause = index_error.map_or_else(|| "no index".to_string(), |e| gv_core::error::chain(&e));
    let version = match spec {
        Spec::Exact(v) => v.clone(),
        // Offline without an index: the newest matching archive in the download cache.
        _ if opts.offline => cached_versions(opts)
            .iter()
            .filter(|v| spec.for_install().is_some_and(|s| s.matches(v)))
            .max()
            .cloned()
            .ok_or_else(|| InstallError::NeedIndex {
                spec: spec.to_string(),
                cause: cause.clone(),
            })?,
        _ => {
            return Err(InstallError::NeedIndex {
                spec: spec.to_string(),
                cause,
            });
        }
    };
    let filename = opts.platform.archive_name(&version);
    let url = opts.mirror.file_url(&filename);
    let expected = if opts.offline || opts.insecure_skip_checksum {
        None
    } else {
        let sidecar = format!("{url}.sha256");
        let read = http
            .get_capped(&sidecar, limits::CHECKSUM_FILE, "a checksum file")
            .map_err(|e| e.to_string())
            .and_then(|t| {
                first_hex_word(&String::from_utf8_lossy(&t))
                    .ok_or_else(|| format!("{sidecar} holds no sha256"))
            });
        match read {
            Ok(sha) => {
                ui::warn(format!(
                    "no release index available ({}); using the checksum in {sidecar}, which \
                     proves the download is intact but not that it is authentic",
                    cause.lines().next().unwrap_or_default()
                ));
                Some((sha, Checksum::Sidecar { url: sidecar }))
            }
            Err(why) => {
                if cached_archive(opts, &filename).is_none_or(|(_, record)| record.is_none()) {
                    return Err(InstallError::NoChecksum {
                        file: filename,
                        why: format!("{cause}; and {why}"),
                    });
                }
                None
            }
        }
    };
    Ok(Plan {
        version,
        filename,
        url,
        expected,
        size: None,
    })
}

/// Another platform of this OS that has a build of `spec` when this one has none: the
/// Intel build on Apple Silicon (Rosetta 2 runs it).
fn other_build(index: &Index, spec: &Spec, opts: &Options) -> Option<crate::sources::Platform> {
    let mut alternatives = vec!["amd64", "arm64", "386"];
    alternatives.retain(|a| *a != opts.platform.arch);
    alternatives.into_iter().find_map(|arch| {
        let other = crate::sources::Platform {
            os: opts.platform.os.clone(),
            arch: arch.to_string(),
        };
        index.resolve(spec, &other).map(|_| other)
    })
}
