//! Installing a Go SDK into the store: resolve a spec against the release index, then
//! download → sha256 → gunzip → untar in one streaming pass into a temporary directory
//! inside the store, compare the checksum, sync, and atomically rename the result to
//! `versions/<version>/`. A version directory therefore either exists complete and
//! verified, or not at all.
//!
//! [`install`] and [`install_archive`] are the library entry points (other features call
//! them); `gv install` is a thin CLI over them. After any change to `versions/`, callers
//! run [`after_store_change`].

mod cache;
pub mod goproxy;
mod lock;
mod plan;
pub mod progress;
pub mod proof;
mod publish;
mod uninstall;
mod unzip;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gv_core::store::{Cache, Work};
use gv_core::{Spec, Store, Version};
use thiserror::Error;

use gv_core::limits::{self, Capped};

use crate::archive::modzip::ZipError;
use crate::archive::pipeline::{self, OnHangUp, Verifying};
use crate::archive::untar::{self, UnpackError};
use crate::sources::fetch::{FetchError, Http};
use crate::sources::index::{self, IndexError};
use crate::sources::mirror::Mirror;
use crate::sources::{Platform, is_zip_archive, parse_archive_name};
use crate::ui;

use cache::{cached_archive, first_hex_word, keep_download, sidecar_path};
pub use lock::{VersionLock, lock};
use plan::{Plan, checksum_index, plan};
pub use plan::{listing_index, load_index, mirror_index};
pub use progress::Progress;
pub use proof::{Policy, Proof, ProofError};
use publish::{TempDir, replace_dir, sync_tree};
pub(crate) use publish::{check_and_set_aside, set_aside_foreign_commands, warn_set_aside};
pub use uninstall::{UninstallError, uninstall};

/// How to install.
#[derive(Debug, Clone)]
pub struct Options {
    pub mirror: Mirror,
    /// The index whose checksums are trusted when the mirror has none.
    pub official_index: String,
    /// gv's cache directory (index and downloads).
    pub cache: Cache,
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
    /// Who must prove an SDK genuine besides its sha256: the checksum database.
    pub proof: Policy,
}

impl Options {
    pub fn new(mirror: Mirror, cache: Cache) -> Options {
        Options {
            mirror,
            official_index: crate::sources::mirror::official_index_url(),
            cache,
            platform: Platform::host(),
            force: false,
            offline: false,
            refresh: false,
            insecure_skip_checksum: false,
            quiet: false,
            proof: Policy::from_env(),
        }
    }

    /// Does this install target another platform than the machine's (`--os`/`--arch`)?
    /// Such SDKs go to [`Store::platform_store`], which selection never reads.
    pub fn is_foreign(&self) -> bool {
        self.platform != Platform::host()
    }

    /// What [`proof::prove`] needs to prove `version` from `archive`.
    fn ask<'a>(
        &'a self,
        store: &Store,
        archive: &'a str,
        version: &'a Version,
        recorded: Option<Proof>,
    ) -> proof::Ask<'a> {
        proof::Ask {
            archive,
            version,
            platform: &self.platform,
            policy: &self.proof,
            state_dir: store.sumdb_state(),
            recorded,
            offline: self.offline,
            insecure: self.insecure_skip_checksum,
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
}

/// Where the archive came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveSource {
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
    /// The sha256 recorded when the cached archive was downloaded and verified against
    /// `url` (an index or a sidecar). Only verified downloads are ever cached.
    Cached { url: String },
    /// None: `--insecure-skip-checksum`, or a local file nothing knows about.
    Unchecked,
}

impl Checksum {
    /// The index or sidecar that proved a fresh download right, if one did.
    pub fn vouching_url(&self) -> Option<&str> {
        match self {
            Checksum::Index { url } | Checksum::Sidecar { url } => Some(url),
            Checksum::Cached { .. } | Checksum::Unchecked => None,
        }
    }
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Checksum::Index { url } => write!(f, "sha256 verified against {url}"),
            Checksum::Sidecar { url } => write!(f, "sha256 verified against {url}"),
            Checksum::Cached { url } => write!(
                f,
                "sha256 verified against the record kept when it was downloaded and checked against {url}"
            ),
            Checksum::Unchecked => f.write_str("checksum NOT verified"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Installed {
    pub version: Version,
    pub goroot: PathBuf,
    pub source: ArchiveSource,
    pub checksum: Option<Checksum>,
    /// What the checksum database said about it (`None`: nothing was installed).
    pub proof: Option<Proof>,
}

impl Installed {
    pub fn was_already_installed(&self) -> bool {
        self.source == ArchiveSource::AlreadyInstalled
    }
}

#[derive(Debug, Error)]
pub enum InstallError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("no Go release matching `{spec}` has an archive for {platform} in {index}")]
    NoSuchRelease {
        spec: String,
        platform: Platform,
        index: String,
        /// What to do: another build (on Apple Silicon, the Intel one for Rosetta 2), or
        /// `gv ls-remote`. Boxed: the error stays small enough to return by value.
        hint: Box<str>,
    },
    #[error("`{spec}` needs a release index to resolve, and none could be read: {cause}")]
    NeedIndex { spec: String, cause: String },
    #[error("`system` is not something gv installs")]
    System,
    #[error("cannot download {file}")]
    Fetch {
        file: String,
        #[source]
        source: FetchError,
    },
    #[error("the download of {url} broke off after {got} bytes: {message}")]
    Interrupted {
        url: String,
        got: u64,
        message: String,
    },
    #[error("the download of {url} is {got} bytes but the release index says {expected}")]
    WrongSize {
        url: String,
        got: u64,
        expected: u64,
    },
    /// The archive went on past the length it may have.
    #[error("the download of {url} goes on past {limit} bytes, {why}")]
    TooLong {
        url: String,
        limit: u64,
        why: String,
    },
    #[error("the download of {url} stopped")]
    TooSlow {
        url: String,
        #[source]
        source: gv_core::limits::LimitError,
    },
    /// The archive unpacks to more than an SDK archive of its size may.
    #[error(
        "{file} unpacks to more than {}, gv's limit for an archive of its size (a Go SDK unpacks to about 4 times its archive)",
        gv_core::limits::human(*limit)
    )]
    Inflates { file: String, limit: u64 },
    #[error(
        "checksum mismatch for {file}:\n  expected sha256 {expected} ({origin})\n  actual   sha256 {actual}"
    )]
    ChecksumMismatch {
        file: String,
        expected: String,
        actual: String,
        origin: String,
    },
    #[error("no sha256 is known for {file}: {why}")]
    NoChecksum { file: String, why: String },
    #[error("cannot unpack {file}")]
    Unpack {
        file: String,
        #[source]
        source: UnpackError,
    },
    #[error("cannot unpack {file}")]
    Unzip {
        file: String,
        #[source]
        source: ZipError,
    },
    #[error("{file} does not contain a Go SDK: {reason}")]
    NotAnSdk { file: String, reason: String },
    #[error("--offline was given and {file} is not in the download cache ({dir})")]
    NotCached { file: String, dir: PathBuf },
    #[error(
        "cannot tell the version of {path}: expected a go.dev archive name like go1.22.3.linux-amd64.tar.gz"
    )]
    ArchiveName { path: PathBuf },
    #[error("{path} is a Go archive for {archive}, but this machine is {host}")]
    WrongPlatform {
        path: PathBuf,
        // Boxed: a Windows PathBuf is larger, and the error is returned by value.
        archive: Box<Platform>,
        host: Box<Platform>,
    },
    #[error("cannot read {path}")]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("cannot update the store at {path}")]
    Store { path: PathBuf, source: io::Error },
    /// Boxed: the error stays small enough to return by value.
    #[error(transparent)]
    Proof(Box<ProofError>),
}

impl gv_core::error::Hint for InstallError {
    fn hint(&self) -> Option<String> {
        match self {
            InstallError::Index(e) => gv_core::error::Hint::hint(e),
            InstallError::NoSuchRelease { hint, .. } => Some(hint.to_string()),
            InstallError::NeedIndex { .. } => Some("give an exact version such as 1.22.10, or fix access to the index".to_string()),
            InstallError::System => Some("install Go with your package manager".to_string()),
            InstallError::Fetch { source, .. } => Some(format!(
                "nothing was installed; {}",
                source.hint().unwrap_or_else(|| "check the network or the mirror (--mirror / GV_GO_MIRROR)".into())
            )),
            InstallError::Interrupted { .. } => Some("nothing was installed; run the command again".to_string()),
            InstallError::WrongSize { .. } => Some("nothing was installed; run the command again, or try another mirror".to_string()),
            InstallError::TooLong { .. } | InstallError::Inflates { .. } => Some("nothing was installed and nothing was cached; the server sent something other than a Go SDK: try another mirror".to_string()),
            InstallError::TooSlow { .. } => Some(format!("nothing was installed; {}", crate::sources::fetch::slow_link_hint())),
            InstallError::ChecksumMismatch { .. } => Some("the archive is corrupt or was tampered with; nothing was installed and it was not cached. Retry, or try another mirror".to_string()),
            InstallError::NoChecksum { .. } => Some("fix access to the official index (GV_GO_INDEX), or pass --insecure-skip-checksum to install it unverified".to_string()),
            InstallError::Unpack { .. } | InstallError::Unzip { .. } => Some("nothing was installed; the archive is damaged or unsafe".to_string()),
            InstallError::NotAnSdk { .. } => Some("nothing was installed".to_string()),
            InstallError::NotCached { .. } => Some("run without --offline once to download it".to_string()),
            InstallError::WrongPlatform { host, archive, .. } => Some(format!("download the {host} archive instead, or install it for its platform with --os {} --arch {}", archive.os, archive.arch)),
            InstallError::Store { .. } => Some("check that GV_ROOT is writable".to_string()),
            InstallError::Proof(e) => gv_core::error::Hint::hint(e.as_ref()),
            _ => None,
        }
    }
}

fn store_err(path: &Path) -> impl FnOnce(io::Error) -> InstallError + '_ {
    move |source| InstallError::Store {
        path: path.to_path_buf(),
        source,
    }
}

/// Installs the Go version `spec` names. Already installed (and not `force`) is success,
/// reported as [`ArchiveSource::AlreadyInstalled`].
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
            archive: Box::new(platform),
            host: Box::new(opts.platform.clone()),
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
    let length = Length::of(None, size);
    length.refuse_announced(&filename, size)?;
    let progress = Progress::start(opts.quiet, &format!("unpacking {}", path.display()), size);
    let ask = opts.ask(store, &filename, &version, None);
    let (goroot, proof) = unpack_stream(
        store, &version, &filename, file, None, &expected, length, progress, &ask,
    )?;
    Ok(Installed {
        version,
        goroot,
        source: ArchiveSource::File {
            path: path.to_path_buf(),
        },
        checksum: Some(expected.map_or(Checksum::Unchecked, |(_, c)| c)),
        proof: Some(proof),
    })
}

/// `version`, when it is installed and there is nothing to do. Nothing to do still
/// sweeps what interrupted runs left (an install killed mid-unpack leaves a whole tree).
fn already_installed(store: &Store, version: &Version) -> Option<Installed> {
    let goroot = store.version_dir(version);
    if !store.is_installed(version) {
        return None;
    }
    lock::sweep_work_dirs(store, None);
    Some(Installed {
        version: version.clone(),
        goroot,
        source: ArchiveSource::AlreadyInstalled,
        checksum: None,
        proof: None,
    })
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
    lock::clean_leftovers(store, version, &opts.cache);
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
    if let Some((path, record)) = cached_archive(opts, &plan.filename) {
        let usable = match (&plan.expected, record) {
            (Some((want, _)), Some((have, _))) => *want == have,
            (None, Some((have, url))) => {
                plan.expected = Some((have, Checksum::Cached { url }));
                true
            }
            (_, None) => false,
        };
        if usable && let Ok(file) = std::fs::File::open(&path) {
            let len = file.metadata().ok().map(|m| m.len());
            let progress = Progress::start(
                opts.quiet,
                &format!("unpacking {} from the download cache", plan.filename),
                len,
            );
            let recorded = proof::recorded_in(&sidecar_path(&path));
            let ask = opts.ask(store, &plan.filename, &plan.version, recorded);
            let (goroot, proof) = unpack_stream(
                store,
                &plan.version,
                &plan.filename,
                file,
                None,
                &plan.expected,
                Length::of(plan.size, len),
                progress,
                &ask,
            )?;
            return Ok(Installed {
                version: plan.version,
                goroot,
                source: ArchiveSource::Cache { path },
                checksum: plan.expected.map(|(_, c)| c),
                proof: Some(proof),
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
    let partial = opts.cache.partial_download(&plan.filename);
    let vouched = plan
        .expected
        .as_ref()
        .and_then(|(_, checksum)| checksum.vouching_url());
    // Locked while it grows: a sweep by another gv (lock::sweep_partials) removes only
    // partials nobody holds, such as one a killed run left.
    let copy = vouched.and_then(|_| {
        std::fs::create_dir_all(&downloads)
            .and_then(|()| std::fs::File::create(&partial))
            .and_then(|file| file.lock().map(|()| file))
            .ok()
    });
    let cache = copy.map(|file| (file, partial.clone()));
    let ask = opts.ask(store, &plan.filename, &plan.version, None);
    let result = unpack_stream(
        store,
        &plan.version,
        &plan.filename,
        response,
        cache,
        &plan.expected,
        length,
        progress,
        &ask,
    );
    let _ = crate::fsutil::remove_if_exists(&partial);
    let (goroot, proof) = result.map_err(|e| e.at_url(&plan.url))?;
    Ok(Installed {
        version: plan.version,
        goroot,
        source: ArchiveSource::Download { url: plan.url },
        checksum: Some(plan.expected.map_or(Checksum::Unchecked, |(_, c)| c)),
        proof: Some(proof),
    })
}

impl InstallError {
    /// The same error about the download at `url` (the pipeline knows only the file name).
    fn at_url(self, url: &str) -> InstallError {
        let url = url.to_string();
        match self {
            InstallError::Interrupted { got, message, .. } => {
                InstallError::Interrupted { url, got, message }
            }
            InstallError::WrongSize { got, expected, .. } => {
                InstallError::WrongSize { url, got, expected }
            }
            InstallError::TooLong { limit, why, .. } => InstallError::TooLong { url, limit, why },
            InstallError::TooSlow { source, .. } => InstallError::TooSlow { url, source },
            other => other,
        }
    }
}

/// How long an archive may be, and who says so: the release index's `size` (which it must
/// then be exactly), else the length the server announced or the file has, never more than
/// gv's cap for any SDK archive ([`limits::SDK_ARCHIVE`]). What it may unpack to follows
/// from it ([`limits::sdk_unpacked`]).
#[derive(Debug, Clone, Copy)]
struct Length {
    limit: u64,
    exact: bool,
    why: &'static str,
}

impl Length {
    fn of(index_size: Option<u64>, announced: Option<u64>) -> Length {
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
    fn refuse_announced(&self, filename: &str, announced: Option<u64>) -> Result<(), InstallError> {
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
    fn exact_size(&self) -> Option<u64> {
        self.exact.then_some(self.limit)
    }

    /// The error for a read of the archive that failed after `got` bytes: a limit reached
    /// (this length, or the transfer rule), or the transfer's own failure.
    fn read_failure(&self, filename: &str, got: u64, e: io::Error) -> InstallError {
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

/// Unpacks `source` into a temporary directory in `versions/`, verified, then syncs and
/// renames it into place; returns the new GOROOT. A `.tar.gz` streams: download+sha256
/// (+ copy to the download cache) → gunzip → untar. A `.zip` (Windows) is spooled and
/// verified first (see [`unzip`]). Neither reads past `length`. Before it is published,
/// the checksum database is asked to prove the tree ([`proof::prove`]).
#[allow(clippy::too_many_arguments)]
fn unpack_stream<R: Read + Send + 'static>(
    store: &Store,
    version: &Version,
    filename: &str,
    source: R,
    cache: Option<(std::fs::File, PathBuf)>,
    expected: &Option<(String, Checksum)>,
    length: Length,
    progress: Progress,
    ask: &proof::Ask<'_>,
) -> Result<(PathBuf, Proof), InstallError> {
    let source = Capped::new(source, length.limit);
    let versions = store.versions_dir();
    std::fs::create_dir_all(&versions).map_err(store_err(&versions))?;
    let mut tmp = TempDir {
        path: store.work_dir(Work::Unpacking, version),
        keep: false,
    };
    let _ = std::fs::remove_dir_all(&tmp.path);
    std::fs::create_dir(&tmp.path).map_err(store_err(&tmp.path))?;

    let cache_path = cache.as_ref().map(|(_, path)| path.clone());
    let (tree, sha256, cache_copy) = if is_zip_archive(filename) {
        let zip = unzip::spool_and_unpack(
            &tmp.path, filename, source, cache, expected, length, progress,
        )?;
        (zip.tree, zip.sha256, zip.cache_copy)
    } else {
        let (sha256, copy) = untar_stream(
            &tmp.path,
            filename,
            source,
            cache.map(|c| c.0),
            expected,
            length,
            progress,
        )?;
        (tmp.path.clone(), sha256, copy)
    };
    let proof = proof::prove(&tree, ask).map_err(|e| InstallError::Proof(Box::new(e)))?;
    check_and_set_aside(&tree, version).map_err(|reason| InstallError::NotAnSdk {
        file: filename.to_string(),
        reason,
    })?;

    sync_tree(&tree).map_err(store_err(&tree))?;
    let goroot = store.version_dir(version);
    replace_dir(store, &tree, version).map_err(store_err(&goroot))?;
    // The untarred tree was the work directory itself, now renamed away; a zip's work
    // directory still holds the spool, which goes with it.
    tmp.keep = tree == tmp.path;

    if let (Some(mut file), Some(path), Some(url)) = (
        cache_copy,
        cache_path,
        expected.as_ref().and_then(|(_, c)| c.vouching_url()),
    ) {
        keep_download(
            &mut file,
            &path,
            filename,
            &sha256,
            url,
            proof.record_line(),
        );
    }
    Ok((goroot, proof))
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
fn check_download(
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
                Checksum::Unchecked => String::new(),
            },
        });
    }
    Ok(())
}

/// The one place that runs after `versions/` changed (an install, an uninstall, an
/// import): makes the change durable, rewrites the shims for the new set of tools, and
/// points `GV_ROOT/current` at the global default, which may only now be installed (or
/// gone).
pub fn after_store_change(store: &Store) -> io::Result<()> {
    let versions = store.versions_dir();
    // Through the platform layer: Windows cannot open a directory as a file at all.
    match gv_core::platform::sync_dir(&versions) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    // The SDK itself is in place; stale shims are worth a warning, not a failed install.
    if let Err(e) = crate::shim_dir::refresh(store) {
        ui::warn_hinted(
            gv_core::error::chain(&e),
            "run `gv rehash` once this is fixed",
        );
    }
    crate::current_link::refresh(store).map(drop)
}
