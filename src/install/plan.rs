//! Step 1 of the install: deciding what to fetch. Which version a spec means, which
//! archive (or toolchain module zip) holds it and from where, and what vouches for it: the
//! mirror's index, the official index, a `.sha256` sidecar, the record kept with a cached
//! download, or (GOPROXY) the checksum database, consulted when the zip is fetched.

use std::path::{Path, PathBuf};

use gv_core::{Spec, Version, limits};

use super::cache::{cached_archive, cached_versions, first_hex_word, sidecar_path};
use super::goproxy::{self, ProxySource};
use super::{Checksum, InstallError, Options, SdkSource};
use crate::sources::fetch::Http;
use crate::sources::goproxy::ToolchainVersion;
use crate::sources::index::{self, Index, IndexError};
use crate::sources::mirror::Layout;
use crate::sources::parse_archive_name;
use crate::ui;

/// The version to install and how to fetch it.
pub(super) struct Plan<'a> {
    pub(super) version: Version,
    pub(super) fetch: Fetch<'a>,
}

/// Where step 3 gets the SDK from.
pub(super) enum Fetch<'a> {
    /// An archive from go.dev or a mirror.
    Archive { http: Box<Http>, archive: Archive },
    /// A local go.dev archive (`--from-file`).
    File(LocalArchive),
    /// The toolchain module, from the proxies in GOPROXY.
    Module {
        http: Box<Http>,
        toolchain: ToolchainVersion,
        src: &'a ProxySource,
    },
}

/// Everything needed to fetch one archive from go.dev or a mirror.
pub(super) struct Archive {
    pub(super) filename: String,
    pub(super) url: String,
    /// Expected sha256 and what vouches for it.
    pub(super) expected: Option<(String, Checksum)>,
    pub(super) size: Option<u64>,
}

/// A local archive, and what vouches for it (`None`: `--insecure-skip-checksum`).
pub(super) struct LocalArchive {
    pub(super) path: PathBuf,
    pub(super) filename: String,
    pub(super) expected: Option<(String, Checksum)>,
}

/// What `spec` means in `source`, and how to fetch it.
pub(super) fn plan<'a>(
    spec: &Spec,
    opts: &Options,
    source: &'a SdkSource,
) -> Result<Plan<'a>, InstallError> {
    let http = || {
        Http::new()
            .map(Box::new)
            .map_err(|source| InstallError::Fetch {
                file: spec.to_string(),
                source,
            })
    };
    match source {
        SdkSource::Dl => {
            let http = http()?;
            let (version, archive) = archive(&http, spec, opts)?;
            Ok(Plan {
                version,
                fetch: Fetch::Archive { http, archive },
            })
        }
        SdkSource::Goproxy(src) => {
            let http = http()?;
            let toolchain = goproxy::resolve(&http, spec, opts, src)?;
            Ok(Plan {
                version: toolchain.version.clone(),
                fetch: Fetch::Module {
                    http,
                    toolchain,
                    src,
                },
            })
        }
        SdkSource::File(path) => {
            let (version, local) = local_archive(path, spec, opts)?;
            Ok(Plan {
                version,
                fetch: Fetch::File(local),
            })
        }
    }
}

/// The version a go.dev archive's name says it holds, as the spec to install it by.
pub fn file_spec(path: &Path) -> Result<Spec, InstallError> {
    archive_name(path).map(|(_, version, _)| Spec::Exact(version))
}

fn archive_name(path: &Path) -> Result<(String, Version, crate::sources::Platform), InstallError> {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (version, platform) =
        parse_archive_name(&filename).ok_or_else(|| InstallError::ArchiveName {
            path: path.to_path_buf(),
        })?;
    Ok((filename, version, platform))
}

/// A local archive (`--from-file`): its name gives the version and platform, and its
/// checksum is looked up in the release index when one can be had (else a `FILE.sha256`
/// next to it).
fn local_archive(
    path: &Path,
    spec: &Spec,
    opts: &Options,
) -> Result<(Version, LocalArchive), InstallError> {
    let (filename, version, platform) = archive_name(path)?;
    if platform != opts.platform {
        return Err(InstallError::WrongPlatform {
            path: path.to_path_buf(),
            archive: Box::new(platform),
            host: Box::new(opts.platform.clone()),
        });
    }
    if !spec.matches(&version) {
        return Err(InstallError::FileIsAnother {
            path: path.to_path_buf(),
            version: version.to_string(),
            spec: spec.to_string(),
        });
    }
    let mut expected = None;
    if !opts.insecure_skip_checksum {
        if let Ok(http) = Http::new()
            && let Some(index) = checksum_index(&http, opts)
            && let Some(file) = index.find(&version).and_then(|r| r.archive(&platform))
        {
            expected = Some((
                file.sha256.clone(),
                Checksum::Index {
                    url: index.url.clone(),
                },
            ));
        } else if let Ok(text) =
            limits::read_file_string(&sidecar_path(path), limits::CHECKSUM_FILE)
        {
            let sidecar = sidecar_path(path);
            expected = first_hex_word(&text).map(|sha| {
                ui::warn(format!(
                    "the release index has no entry for {}; checking it against {} beside it, which proves the file is intact but not that it is authentic (whoever could replace the archive could replace that file too)",
                    path.display(),
                    sidecar.display()
                ));
                (
                    sha,
                    Checksum::Sidecar {
                        url: sidecar.display().to_string(),
                    },
                )
            });
        }
        if expected.is_none() {
            return Err(InstallError::NoChecksum {
                file: path.display().to_string(),
                why: format!(
                    "the release index has no entry for it and there is no {}",
                    sidecar_path(path).display()
                ),
            });
        }
    } else {
        ui::warn(format!(
            "--insecure-skip-checksum: installing {} WITHOUT verifying its checksum",
            path.display()
        ));
    }
    Ok((
        version,
        LocalArchive {
            path: path.to_path_buf(),
            filename,
            expected,
        },
    ))
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
fn checksum_index(http: &Http, opts: &Options) -> Option<Index> {
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

/// The archive of go.dev or a mirror that `spec` means.
fn archive(http: &Http, spec: &Spec, opts: &Options) -> Result<(Version, Archive), InstallError> {
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
        return Ok((
            release.version.clone(),
            Archive {
                filename: file.filename.clone(),
                url: opts.mirror.file_url(&file.filename),
                expected: Some((
                    file.sha256.to_ascii_lowercase(),
                    Checksum::Index {
                        url: index.url.clone(),
                    },
                )),
                size: (file.size > 0).then_some(file.size),
            },
        ));
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
    Ok((
        version,
        Archive {
            filename,
            url,
            expected,
            size: None,
        },
    ))
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
