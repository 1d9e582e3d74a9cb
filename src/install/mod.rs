//! Installing a Go SDK into the store: resolve a spec against the release index, then
//! download → sha256 → gunzip → untar in one streaming pass into a temporary directory
//! inside the store, compare the checksum, sync, and atomically rename the result to
//! `versions/<version>/`. A version directory therefore either exists complete and
//! verified, or not at all.
//!
//! [`install`] and [`install_archive`] are the library entry points (other features call
//! them); `gv install` is a thin CLI over them. After any change to `versions/`, callers
//! run [`after_store_change`].

mod lock;
pub mod progress;
mod uninstall;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gv_core::{Spec, Store, Version};
use thiserror::Error;

use crate::dist::fetch::{FetchError, Http};
use crate::dist::index::{self, Index, IndexError};
use crate::dist::mirror::{Layout, Mirror};
use crate::dist::pipeline::{self, OnHangUp, Verifying};
use crate::dist::unpack::{self, UnpackError};
use crate::dist::{Platform, parse_archive_name};
use crate::ui;

pub use lock::WORK_PREFIXES;
pub use progress::Progress;
pub use uninstall::{UninstallError, uninstall};

/// How to install.
#[derive(Debug, Clone)]
pub struct Options {
    pub mirror: Mirror,
    /// The index whose checksums are trusted when the mirror has none.
    pub official_index: String,
    /// gv's cache directory (index and downloads).
    pub cache_dir: PathBuf,
    pub platform: Platform,
    /// Reinstall even if installed.
    pub force: bool,
    /// Never use the network: cached index and cached downloads only.
    pub offline: bool,
    /// Fetch the index even if the cached copy is fresh.
    pub refresh: bool,
    /// Install even when no checksum can be found (with a loud warning).
    pub insecure_skip_checksum: bool,
    /// No progress or info lines (warnings and errors still print).
    pub quiet: bool,
}

impl Options {
    pub fn new(mirror: Mirror, cache_dir: PathBuf) -> Options {
        Options {
            mirror,
            official_index: crate::dist::mirror::official_index_url(),
            cache_dir,
            platform: Platform::host(),
            force: false,
            offline: false,
            refresh: false,
            insecure_skip_checksum: false,
            quiet: false,
        }
    }

    fn index_mode(&self) -> index::Mode {
        if self.offline {
            index::Mode::Offline
        } else if self.refresh {
            index::Mode::Refresh
        } else {
            index::Mode::Normal
        }
    }

    pub fn downloads_dir(&self) -> PathBuf {
        self.cache_dir.join("downloads")
    }
}

/// Where the archive came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Download {
        url: String,
    },
    Cache {
        path: PathBuf,
    },
    File {
        path: PathBuf,
    },
    /// Nothing was done: the version was already there.
    AlreadyInstalled,
}

/// What vouched for the archive's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    /// The sha256 from a JSON release index.
    Index { url: String },
    /// A `.sha256` sidecar from the mirror: integrity, not authenticity.
    Sidecar { url: String },
    /// The sha256 recorded when the cached archive was verified on download.
    Cached,
    /// None: `--insecure-skip-checksum`, or a local file nothing knows about.
    Unchecked,
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Checksum::Index { url } => write!(f, "sha256 verified against {url}"),
            Checksum::Sidecar { url } => write!(f, "sha256 verified against {url}"),
            Checksum::Cached => f.write_str("sha256 verified against the cached download's"),
            Checksum::Unchecked => f.write_str("checksum NOT verified"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Installed {
    pub version: Version,
    pub goroot: PathBuf,
    pub source: Source,
    pub checksum: Option<Checksum>,
}

impl Installed {
    pub fn was_already_installed(&self) -> bool {
        self.source == Source::AlreadyInstalled
    }
}

#[derive(Debug, Error)]
pub enum InstallError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(
        "no Go release matching `{spec}` has an archive for {platform} in {index}\n  hint: `gv ls-remote --all` lists what is available"
    )]
    NoSuchRelease {
        spec: String,
        platform: Platform,
        index: String,
    },
    #[error(
        "`{spec}` needs a release index to resolve, and none could be read: {cause}\n  hint: give an exact version such as 1.22.10, or fix access to the index"
    )]
    NeedIndex { spec: String, cause: String },
    #[error("`system` is not something gv installs\n  hint: install Go with your package manager")]
    System,
    #[error(
        "cannot download {file}: {source}\n  hint: nothing was installed; check the network or the mirror (--mirror / GV_GO_MIRROR)"
    )]
    Fetch {
        file: String,
        #[source]
        source: FetchError,
    },
    #[error(
        "the download of {url} broke off after {got} bytes: {message}\n  hint: nothing was installed; run the command again"
    )]
    Interrupted {
        url: String,
        got: u64,
        message: String,
    },
    #[error(
        "the download of {url} is {got} bytes but the release index says {expected}\n  hint: nothing was installed; run the command again, or try another mirror"
    )]
    WrongSize {
        url: String,
        got: u64,
        expected: u64,
    },
    #[error(
        "checksum mismatch for {file}:\n  expected sha256 {expected} ({origin})\n  actual   sha256 {actual}\n  hint: the archive is corrupt or was tampered with; nothing was installed and it was not cached. Retry, or try another mirror"
    )]
    ChecksumMismatch {
        file: String,
        expected: String,
        actual: String,
        origin: String,
    },
    #[error(
        "no sha256 is known for {file}: {why}\n  hint: fix access to the official index (GV_GO_INDEX), or pass --insecure-skip-checksum to install it unverified"
    )]
    NoChecksum { file: String, why: String },
    #[error(
        "cannot unpack {file}: {source}\n  hint: nothing was installed; the archive is damaged or unsafe"
    )]
    Unpack {
        file: String,
        #[source]
        source: UnpackError,
    },
    #[error("{file} does not contain a Go SDK: {reason}\n  hint: nothing was installed")]
    NotAnSdk { file: String, reason: String },
    #[error(
        "--offline was given and {file} is not in the download cache ({dir})\n  hint: run without --offline once to download it"
    )]
    NotCached { file: String, dir: PathBuf },
    #[error(
        "cannot tell the version of {path}: expected a go.dev archive name like go1.22.3.linux-amd64.tar.gz"
    )]
    ArchiveName { path: PathBuf },
    #[error(
        "{path} is a Go archive for {archive}, but this machine is {host}\n  hint: download the {host} archive instead"
    )]
    WrongPlatform {
        path: PathBuf,
        archive: Platform,
        host: Platform,
    },
    #[error("cannot read {path}: {source}")]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("cannot update the store at {path}: {source}\n  hint: check that GV_ROOT is writable")]
    Store { path: PathBuf, source: io::Error },
}

fn store_err(path: &Path) -> impl FnOnce(io::Error) -> InstallError + '_ {
    move |source| InstallError::Store {
        path: path.to_path_buf(),
        source,
    }
}

/// Everything needed to fetch one archive.
struct Plan {
    version: Version,
    filename: String,
    url: String,
    /// Expected sha256 and what vouches for it.
    expected: Option<(String, Checksum)>,
    size: Option<u64>,
}

/// Installs the Go version `spec` names. Already installed (and not `force`) is success,
/// reported as [`Source::AlreadyInstalled`].
pub fn install(store: &Store, spec: &Spec, opts: &Options) -> Result<Installed, InstallError> {
    if matches!(spec, Spec::System) {
        return Err(InstallError::System);
    }
    if let Spec::Exact(v) = spec
        && !opts.force
        && let Some(done) = already_installed(store, v)
    {
        return Ok(done);
    }
    let http = Http::new().map_err(|source| InstallError::Fetch {
        file: spec.to_string(),
        source,
    })?;
    let plan = plan(&http, spec, opts)?;
    if !opts.force
        && let Some(done) = already_installed(store, &plan.version)
    {
        return Ok(done);
    }
    run_plan(store, &http, plan, opts)
}

/// Installs a local archive (`--from-file`). Its checksum is checked against the release
/// index when one can be had (or a `FILE.sha256` next to it).
pub fn install_archive(
    store: &Store,
    path: &Path,
    opts: &Options,
) -> Result<Installed, InstallError> {
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (version, platform) =
        parse_archive_name(&filename).ok_or_else(|| InstallError::ArchiveName {
            path: path.to_path_buf(),
        })?;
    if platform != opts.platform {
        return Err(InstallError::WrongPlatform {
            path: path.to_path_buf(),
            archive: platform,
            host: opts.platform.clone(),
        });
    }
    if !opts.force
        && let Some(done) = already_installed(store, &version)
    {
        return Ok(done);
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
        } else if let Ok(text) = std::fs::read_to_string(sidecar_path(path)) {
            expected = first_hex_word(&text).map(|sha| {
                (
                    sha,
                    Checksum::Sidecar {
                        url: sidecar_path(path).display().to_string(),
                    },
                )
            });
        }
        if expected.is_none() {
            ui::warn(format!(
                "no checksum is known for {} (no release index, no {}); installing it as given",
                path.display(),
                sidecar_path(path).display()
            ));
        }
    }
    let file = std::fs::File::open(path).map_err(|source| InstallError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let _lock = take_lock(store, &version, opts)?;
    if !opts.force
        && let Some(done) = already_installed(store, &version)
    {
        return Ok(done);
    }
    let size = file.metadata().ok().map(|m| m.len());
    let progress = Progress::start(opts.quiet, &format!("unpacking {}", path.display()), size);
    let outcome = unpack_stream(
        store, &version, &filename, file, None, &expected, None, progress,
    )?;
    Ok(Installed {
        version,
        goroot: outcome,
        source: Source::File {
            path: path.to_path_buf(),
        },
        checksum: Some(expected.map_or(Checksum::Unchecked, |(_, c)| c)),
    })
}

fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// A sha256 file holds the hex digest, maybe followed by a file name (sha256sum style).
fn first_hex_word(text: &str) -> Option<String> {
    let word = text.split_whitespace().next()?.to_ascii_lowercase();
    (word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit())).then_some(word)
}

fn already_installed(store: &Store, version: &Version) -> Option<Installed> {
    let goroot = store.version_dir(version);
    goroot.join("bin").is_dir().then(|| Installed {
        version: version.clone(),
        goroot,
        source: Source::AlreadyInstalled,
        checksum: None,
    })
}

/// Loads an index, warning when it is an old cached copy used for lack of network.
pub fn load_index(http: &Http, url: &str, opts: &Options) -> Result<Index, IndexError> {
    let index = index::load(http, url, &opts.cache_dir, opts.index_mode())?;
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

fn plan(http: &Http, spec: &Spec, opts: &Options) -> Result<Plan, InstallError> {
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
    let cause = index_error.map_or_else(|| "no index".to_string(), |e| e.to_string());
    let version = match spec {
        Spec::Exact(v) => v.clone(),
        // Offline without an index: the newest matching archive in the download cache.
        _ if opts.offline => cached_versions(opts)
            .iter()
            .filter(|v| index::install_spec(spec).matches(v))
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
        match http
            .get_text(&sidecar)
            .ok()
            .and_then(|t| first_hex_word(&t))
        {
            Some(sha) => {
                ui::warn(format!(
                    "no release index available ({}); using the checksum in {sidecar}, which \
                     proves the download is intact but not that it is authentic",
                    cause.lines().next().unwrap_or_default()
                ));
                Some((sha, Checksum::Sidecar { url: sidecar }))
            }
            None => {
                if cached_archive(opts, &filename).is_none_or(|(_, sha)| sha.is_none()) {
                    return Err(InstallError::NoChecksum {
                        file: filename,
                        why: format!("{cause}; and {sidecar} could not be read"),
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

/// Versions whose archive for this platform sits verified in the download cache.
fn cached_versions(opts: &Options) -> Vec<Version> {
    let Ok(entries) = std::fs::read_dir(opts.downloads_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| parse_archive_name(&e.file_name().to_string_lossy()))
        .filter(|(_, p)| p == &opts.platform)
        .map(|(v, _)| v)
        .collect()
}

/// The cached archive and the sha256 recorded when it was verified.
fn cached_archive(opts: &Options, filename: &str) -> Option<(PathBuf, Option<String>)> {
    let path = opts.downloads_dir().join(filename);
    if !path.is_file() {
        return None;
    }
    let sha = std::fs::read_to_string(sidecar_path(&path))
        .ok()
        .and_then(|t| first_hex_word(&t));
    Some((path, sha))
}

fn take_lock(
    store: &Store,
    version: &Version,
    opts: &Options,
) -> Result<lock::VersionLock, InstallError> {
    let quiet = opts.quiet;
    let held = lock::lock(store, version, || {
        if !quiet {
            ui::info(format!(
                "waiting for another gv to finish installing or removing Go {version}..."
            ));
        }
    })
    .map_err(store_err(&store.root().join("locks")))?;
    lock::clean_leftovers(store, version, &opts.downloads_dir());
    Ok(held)
}

fn run_plan(
    store: &Store,
    http: &Http,
    mut plan: Plan,
    opts: &Options,
) -> Result<Installed, InstallError> {
    let _lock = take_lock(store, &plan.version, opts)?;
    if !opts.force
        && let Some(done) = already_installed(store, &plan.version)
    {
        return Ok(done);
    }
    // A verified download in the cache: reinstall without the network.
    if let Some((path, cached_sha)) = cached_archive(opts, &plan.filename) {
        let usable = match (&plan.expected, &cached_sha) {
            (Some((want, _)), Some(have)) => want == have,
            (None, Some(have)) => {
                plan.expected = Some((have.clone(), Checksum::Cached));
                true
            }
            (_, None) => false,
        };
        if usable && let Ok(file) = std::fs::File::open(&path) {
            let progress = Progress::start(
                opts.quiet,
                &format!("unpacking {} from the download cache", plan.filename),
                file.metadata().ok().map(|m| m.len()),
            );
            let goroot = unpack_stream(
                store,
                &plan.version,
                &plan.filename,
                file,
                None,
                &plan.expected,
                plan.size,
                progress,
            )?;
            return Ok(Installed {
                version: plan.version,
                goroot,
                source: Source::Cache { path },
                checksum: plan.expected.map(|(_, c)| c),
            });
        }
    }
    if opts.offline {
        return Err(InstallError::NotCached {
            file: plan.filename,
            dir: opts.downloads_dir(),
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
    let size = plan.size.or(response.content_length());
    let progress = Progress::start(opts.quiet, &format!("downloading {}", plan.url), size);
    // The verified archive is kept for --offline and reinstalls; it becomes visible
    // under its real name only after the checksum matched.
    let downloads = opts.downloads_dir();
    let partial = downloads.join(format!(".{}.{}.partial", plan.filename, std::process::id()));
    let copy = std::fs::create_dir_all(&downloads)
        .and_then(|()| std::fs::File::create(&partial))
        .ok();
    let cache = copy.map(|file| (file, partial.clone()));
    let result = unpack_stream(
        store,
        &plan.version,
        &plan.filename,
        response,
        cache,
        &plan.expected,
        plan.size,
        progress,
    );
    let _ = crate::fsutil::remove_if_exists(&partial);
    let goroot = result.map_err(|e| match e {
        InstallError::Interrupted { got, message, .. } => InstallError::Interrupted {
            url: plan.url.clone(),
            got,
            message,
        },
        InstallError::WrongSize { got, expected, .. } => InstallError::WrongSize {
            url: plan.url.clone(),
            got,
            expected,
        },
        other => other,
    })?;
    Ok(Installed {
        version: plan.version,
        goroot,
        source: Source::Download { url: plan.url },
        checksum: Some(plan.expected.map_or(Checksum::Unchecked, |(_, c)| c)),
    })
}

/// Removes the temporary directory unless the install completed.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The streaming pass: `source` → sha256 (+ copy to the download cache) → gunzip → untar
/// into a temporary directory in `versions/`, then verify, sync and rename into place.
/// Returns the new GOROOT.
#[allow(clippy::too_many_arguments)]
fn unpack_stream<R: Read + Send + 'static>(
    store: &Store,
    version: &Version,
    filename: &str,
    source: R,
    cache: Option<(std::fs::File, PathBuf)>,
    expected: &Option<(String, Checksum)>,
    size: Option<u64>,
    progress: Progress,
) -> Result<PathBuf, InstallError> {
    let versions = store.versions_dir();
    std::fs::create_dir_all(&versions).map_err(store_err(&versions))?;
    let tmp = TempDir {
        path: versions.join(format!(".tmp-{}-{}", version.as_str(), std::process::id())),
        keep: false,
    };
    let _ = std::fs::remove_dir_all(&tmp.path);
    std::fs::create_dir(&tmp.path).map_err(store_err(&tmp.path))?;

    let (cache_file, cache_path) = match cache {
        Some((file, path)) => (Some(file), Some(path)),
        None => (None, None),
    };
    let bar = progress.clone();
    let verifying = Verifying::new(source, cache_file, Box::new(move |n| bar.set(n)));
    // Three threads: download+hash, gunzip, untar (this one).
    let (compressed, download) = pipeline::spawn("gv-download", verifying, OnHangUp::Finish);
    let (tar_stream, gunzip) = pipeline::spawn(
        "gv-gunzip",
        flate2::read::GzDecoder::new(compressed),
        OnHangUp::Stop,
    );
    let mut tar_stream = tar_stream;
    let unpacked = unpack::unpack(&mut tar_stream, &tmp.path);
    if unpacked.is_ok() {
        // Tar stops at its end marker; the rest (padding, gzip trailer) still counts
        // for the checksum.
        let _ = tar_stream.drain();
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
    let verified = verified.map_err(|e| InstallError::Interrupted {
        url: filename.to_string(),
        got: 0,
        message: e.to_string(),
    })?;
    if let Some(want) = size
        && verified.bytes != want
    {
        return Err(InstallError::WrongSize {
            url: filename.to_string(),
            got: verified.bytes,
            expected: want,
        });
    }
    let actual = verified.sha256_hex();
    if let Some((want, origin)) = expected
        && *want != actual
    {
        return Err(InstallError::ChecksumMismatch {
            file: filename.to_string(),
            expected: want.clone(),
            actual,
            origin: match origin {
                Checksum::Index { url } | Checksum::Sidecar { url } => format!("from {url}"),
                Checksum::Cached => "recorded when it was downloaded".to_string(),
                Checksum::Unchecked => String::new(),
            },
        });
    }
    let unpack_error = |source| InstallError::Unpack {
        file: filename.to_string(),
        source,
    };
    unpacked.map_err(unpack_error)?;
    gunzip_result.map_err(|e| unpack_error(UnpackError::Corrupt(e)))?;
    check_sdk(&tmp.path, version).map_err(|reason| InstallError::NotAnSdk {
        file: filename.to_string(),
        reason,
    })?;

    sync_tree(&tmp.path).map_err(store_err(&tmp.path))?;
    let goroot = store.version_dir(version);
    replace_dir(&tmp.path, &goroot, version).map_err(store_err(&goroot))?;
    let mut tmp = tmp;
    tmp.keep = true;

    if let (Some(mut file), Some(path)) = (verified.copy, cache_path) {
        keep_download(&mut file, &path, filename, &actual);
    }
    Ok(goroot)
}

/// Does the unpacked tree look like the SDK we meant to install?
fn check_sdk(root: &Path, version: &Version) -> Result<(), String> {
    if !root.join("bin").join("go").is_file() {
        return Err("there is no go/bin/go in it".to_string());
    }
    // Official SDKs start VERSION with the toolchain name: a mislabelled archive from a
    // mirror without an index is caught here.
    if let Ok(text) = std::fs::read_to_string(root.join("VERSION")) {
        let first = text.lines().next().unwrap_or_default().trim();
        if let Ok(found) = Version::parse(first)
            && found != *version
        {
            return Err(format!(
                "its VERSION file says {first}, not {}",
                version.go_name()
            ));
        }
    }
    Ok(())
}

/// Makes the unpacked tree durable before it becomes visible. One `syncfs(2)` instead of
/// an fsync per file: a Go SDK has ~12,000 files, and on ext4 each fsync forces a journal
/// commit, while `syncfs` does one. The unpacker already asked the kernel to start
/// writing each file back (`sync_file_range`), so little is left to wait for here.
fn sync_tree(dir: &Path) -> io::Result<()> {
    let handle = std::fs::File::open(dir)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid open fd.
        if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        handle.sync_all()?;
    }
    Ok(())
}

/// Moves the finished tree to `goroot`, atomically replacing an existing one (--force):
/// at no moment is there a half-installed `versions/<version>`.
fn replace_dir(tmp: &Path, goroot: &Path, version: &Version) -> io::Result<()> {
    if !goroot.exists() {
        std::fs::rename(tmp, goroot)?;
    } else if exchange(tmp, goroot).is_ok() {
        // `tmp` now holds the old tree.
        std::fs::remove_dir_all(tmp)?;
    } else {
        let old =
            goroot.with_file_name(format!(".old-{}-{}", version.as_str(), std::process::id()));
        std::fs::rename(goroot, &old)?;
        std::fs::rename(tmp, goroot)?;
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::File::open(goroot.parent().unwrap_or(goroot))?.sync_all()
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: valid NUL-terminated paths; RENAME_EXCHANGE swaps two existing entries.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Publishes a verified download in the cache with its checksum; failures only cost a
/// later re-download.
fn keep_download(file: &mut std::fs::File, partial: &Path, filename: &str, sha: &str) {
    let Some(dir) = partial.parent() else { return };
    let final_path = dir.join(filename);
    if file.sync_data().is_ok()
        && crate::fsutil::write_atomic(
            &sidecar_path(&final_path),
            format!("{sha}  {filename}\n").as_bytes(),
        )
        .is_ok()
    {
        let _ = std::fs::rename(partial, &final_path);
    }
}

/// The one place that runs after `versions/` changed (an install, an uninstall, an
/// import): makes the change durable, rewrites the shims for the new set of tools, and
/// points `GV_ROOT/current` at the global default, which may only now be installed (or
/// gone).
pub fn after_store_change(store: &Store) -> io::Result<()> {
    let versions = store.versions_dir();
    match std::fs::File::open(&versions) {
        Ok(dir) => dir.sync_all()?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    // The SDK itself is in place; stale shims are worth a warning, not a failed install.
    if let Err(e) = crate::shims::refresh(store) {
        ui::warn(format!("{e}\n  hint: run `gv rehash` once this is fixed"));
    }
    crate::current_link::refresh(store).map(drop)
}

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
    fn an_sdk_needs_bin_go_and_the_right_version_file() {
        let dir = tempfile::tempdir().unwrap();
        let v = Version::parse("1.22.10").unwrap();
        assert!(check_sdk(dir.path(), &v).is_err());
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("bin/go"), "").unwrap();
        assert!(check_sdk(dir.path(), &v).is_ok());
        std::fs::write(dir.path().join("VERSION"), "go1.21.0\ntime x\n").unwrap();
        let err = check_sdk(dir.path(), &v).unwrap_err();
        assert!(err.contains("go1.21.0, not go1.22.10"), "{err}");
    }

    #[test]
    fn force_replaces_an_existing_tree_whole() {
        let dir = tempfile::tempdir().unwrap();
        let v = Version::parse("1.22.10").unwrap();
        let (tmp, goroot) = (dir.path().join(".tmp-x"), dir.path().join("1.22.10"));
        for (d, marker) in [(&tmp, "new"), (&goroot, "old")] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join(marker), "").unwrap();
        }
        replace_dir(&tmp, &goroot, &v).unwrap();
        assert!(goroot.join("new").exists() && !goroot.join("old").exists());
        assert!(!tmp.exists());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no leftovers");
    }
}
