//! Installing a Go SDK into the store. [`install`] is the pipeline, the same for every
//! source ([`SdkSource`]: go.dev or a mirror, the proxies in GOPROXY, a local archive), one
//! module per step:
//!
//! 1. **plan** (`plan`; `goproxy` for the proxies' lists): which version the spec means,
//!    which archive or module zip holds it and from where, and what vouches for it — an
//!    index's or sidecar's sha256, the checksum database, the download cache's record;
//! 2. **lock** (`lock`): one installer per version across processes; what interrupted
//!    runs left is swept;
//! 3. **fetch** (`fetch` with its `unzip` pass for archives, `goproxy` for module zips):
//!    from the download cache, the server or the file, verified as it is unpacked into a
//!    work directory inside the store (download → sha256 → gunzip → untar in one streaming
//!    pass; a zip is spooled first, and a module zip's `h1:` is computed as it unpacks);
//! 4. **prove** (`proof`): an archive's tree is the toolchain module the checksum database
//!    (GOSUMDB) vouches for;
//! 5. **trim** (`proven_set`): when the database is the only authority (a mirror's own
//!    sidecar or index, a local file), the tree keeps only what it proved: no `api/ doc/
//!    misc/ test/`, file modes as go.dev's archives have them;
//! 6. **check** (`publish`): the tree is the SDK meant, and its bin/ holds only Go's
//!    commands;
//! 7. **publish** (`publish`): synced, then renamed to `versions/<version>/`, so a version
//!    directory exists complete and verified, or not at all;
//! 8. **keep** (`cache`): the verified download stays in the download cache, for
//!    `--offline` and reinstalls.
//!
//! Each step hands the next a value ([`plan::Plan`], then [`Unpacked`]); a new step (a
//! proof of the unpacked tree, say) goes between two of them in [`install`] and in this
//! list. `gv install` is a thin loop over [`install`]; after any change to `versions/`,
//! callers run [`after_store_change`].

mod cache;
mod error;
mod fetch;
pub mod goproxy;
mod lock;
mod plan;
pub mod progress;
pub mod proof;
pub mod proven_set;
mod publish;
mod uninstall;
mod unzip;

use std::io;
use std::path::PathBuf;

use gv_core::store::Cache;
use gv_core::{Spec, Store, Version};

use crate::sources::Platform;
use crate::sources::index;
use crate::sources::mirror::{Layout, Mirror};
use crate::sources::sumdb::Verified;
use crate::ui;

use cache::Keep;
use error::store_err;
pub use error::{HashMismatch, InstallError};
use goproxy::ProxySource;
pub use lock::{VersionLock, lock};
use plan::{Fetch, Plan};
pub use plan::{file_spec, listing_index, load_index, mirror_index};
pub use progress::Progress;
pub use proof::{Policy, Proof, ProofError};
use publish::{TempDir, replace_dir, sync_tree};
pub(crate) use publish::{check_and_set_aside, set_aside_foreign_commands, warn_set_aside};
pub use uninstall::{UninstallError, uninstall};

/// Where an SDK comes from.
#[derive(Debug, Clone)]
pub enum SdkSource {
    /// go.dev's downloads, or a mirror laid out like them ([`Options::mirror`]).
    Dl,
    /// The toolchain module from the proxies in GOPROXY, proven by the checksum database.
    Goproxy(Box<ProxySource>),
    /// A local go.dev archive (`--from-file`); its name says which version it holds
    /// ([`file_spec`]).
    File(PathBuf),
}

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

    /// Is `checksum` go.dev's own word on an archive's sha256 — the official index
    /// ([`Options::official_index`]) or the index of one of Google's download sites, fresh or
    /// as the download cache recorded it? A mirror's own index or sidecar, or a file beside a
    /// local archive, is only the word of whoever serves the archive.
    fn go_dev_vouches(&self, checksum: &Checksum) -> bool {
        let (Checksum::Index { url } | Checksum::Cached { url }) = checksum else {
            return false;
        };
        *url == self.official_index
            || (self.mirror.layout == Layout::Indexed && *url == self.mirror.index_url())
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

/// Where the archive (or module zip) came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveSource {
    /// From this URL (credentials hidden).
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
    /// The module zip's `h1:`, proven by the checksum database's record in its signed log.
    Database(Verified),
    /// The `h1:` the checksum database proved when the cached module zip was downloaded.
    CachedProof { h1: String },
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
            Checksum::Cached { .. }
            | Checksum::Database(_)
            | Checksum::CachedProof { .. }
            | Checksum::Unchecked => None,
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
            Checksum::Database(v) => write!(
                f,
                "{} proven by the checksum database {} at {}: record {} of its signed log of {}",
                v.h1, v.name, v.url, v.record, v.tree_size
            ),
            Checksum::CachedProof { h1 } => write!(
                f,
                "{h1}, as the checksum database proved it when it was downloaded"
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
    /// The top-level directories left out because only the checksum database vouched for
    /// the archive, and it does not cover them (see [`proven_set`]), and who else did.
    pub left_out: Option<LeftOut>,
}

/// What an install left out of an archive the checksum database alone proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// `api`, `doc`, `misc`, `test`: those the archive had.
    pub dirs: Vec<&'static str>,
    /// Who vouches for them besides the database: "the mirror", "the file beside it".
    pub vouched_by: &'static str,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dirs: Vec<String> = self.dirs.iter().map(|d| format!("{d}/")).collect();
        write!(
            f,
            "left out {}: only {} vouches for them (the checksum database covers the rest); install from go.dev to get them",
            dirs.join(", "),
            self.vouched_by
        )
    }
}

impl Installed {
    pub fn was_already_installed(&self) -> bool {
        self.source == ArchiveSource::AlreadyInstalled
    }
}

/// What step 3 hands on: a verified tree in a work directory, not yet in the store.
struct Unpacked {
    /// Removed unless the tree is published.
    work: TempDir,
    /// The GOROOT-to-be: the work directory itself, or a folder in it.
    tree: PathBuf,
    /// The archive or module, as messages name it.
    file: String,
    source: ArchiveSource,
    checksum: Checksum,
    /// The verified download, to keep in the cache once the tree is published.
    keep: Option<Keep>,
    /// An archive's tree is to be proven by the checksum database (step 4), with the
    /// proof its cached download recorded, if any; a module zip was proven as it was
    /// fetched.
    to_prove: Option<Option<Proof>>,
}

/// Installs the Go version `spec` names, from `source`. Already installed (and not
/// `force`) is success, reported as [`ArchiveSource::AlreadyInstalled`].
pub fn install(
    store: &Store,
    spec: &Spec,
    opts: &Options,
    source: &SdkSource,
) -> Result<Installed, InstallError> {
    if matches!(spec, Spec::System) {
        return Err(InstallError::System);
    }
    let nothing_to_do = |version: &Version| {
        (!opts.force)
            .then(|| already_installed(store, version))
            .flatten()
    };
    if let Spec::Exact(v) = spec
        && let Some(done) = nothing_to_do(v)
    {
        return Ok(done);
    }

    // 1. plan: the version, and how to fetch it.
    let Plan { version, fetch } = plan::plan(spec, opts, source)?;
    if let Some(done) = nothing_to_do(&version) {
        return Ok(done);
    }

    // 2. lock: one installer per version.
    let _lock = take_lock(store, &version, opts)?;
    if let Some(done) = nothing_to_do(&version) {
        return Ok(done);
    }

    // 3. fetch: verified, unpacked into a work directory.
    let mut unpacked = match fetch {
        Fetch::Archive { http, archive } => fetch::archive(store, &http, &version, archive, opts)?,
        Fetch::File(local) => fetch::file(store, &version, local, opts)?,
        Fetch::Module {
            http,
            toolchain,
            src,
        } => goproxy::fetch(store, &http, &toolchain, opts, src)?,
    };

    // 4. prove: an archive's tree is the toolchain module the checksum database knows.
    let proof = match unpacked.to_prove.take() {
        Some(recorded) => {
            let ask = opts.ask(store, &unpacked.file, &version, recorded);
            Some(proof::prove(&unpacked.tree, &ask).map_err(|e| InstallError::Proof(Box::new(e)))?)
        }
        None => None,
    };

    // 5. trim: with only the database's word for it, only what the database proved.
    let left_out = match &proof {
        Some(Proof::Proven { .. }) if !opts.go_dev_vouches(&unpacked.checksum) => {
            let dirs =
                proven_set::keep_proven(&unpacked.tree).map_err(store_err(&unpacked.tree))?;
            (!dirs.is_empty()).then_some(LeftOut {
                dirs,
                vouched_by: match (&unpacked.source, &unpacked.checksum) {
                    (_, Checksum::Unchecked) => "nothing else",
                    (_, Checksum::Index { .. }) => "the mirror's own index",
                    (ArchiveSource::File { .. }, _) => "the .sha256 file beside it",
                    _ => "the mirror",
                },
            })
        }
        _ => None,
    };

    // 6. check: the SDK meant, with only Go's commands in bin/.
    check_and_set_aside(&unpacked.tree, &version).map_err(|reason| InstallError::NotAnSdk {
        file: unpacked.file.clone(),
        reason,
    })?;

    // 7. publish: durable, then renamed into place whole.
    sync_tree(&unpacked.tree).map_err(store_err(&unpacked.tree))?;
    let goroot = store.version_dir(&version);
    replace_dir(store, &unpacked.tree, &version).map_err(store_err(&goroot))?;
    // An untarred tree was the work directory itself, now renamed away; a zip's work
    // directory still holds the spool, which goes with it.
    unpacked.work.keep = unpacked.tree == unpacked.work.path;

    // 8. keep: the verified download, for --offline and reinstalls, with its proof.
    if let Some(keep) = unpacked.keep {
        keep.keep(proof.as_ref().and_then(Proof::record_line));
    }
    Ok(Installed {
        version,
        goroot,
        source: unpacked.source,
        checksum: Some(unpacked.checksum),
        proof,
        left_out,
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
        left_out: None,
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
