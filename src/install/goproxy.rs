//! Installing a toolchain through GOPROXY (`gv install --source goproxy`), verified as the
//! go command verifies its own toolchain switch: the module zip's `h1:` must equal the one
//! in the checksum database's record, and that record must be proven to be in the
//! database's signed, append-only log (see [`crate::sources::sumdb`]).
//!
//! The zip is spooled to the download cache (its central directory is at its end) while
//! the database is consulted on another thread; it is then unpacked, and hashed in the
//! same pass, into `versions/.tmp-<version>-<pid>`. Only when the hash matches is the tree
//! synced and renamed into place, under the same per-version lock as every install, and
//! the zip kept in the cache with its verified hash beside it (for `--offline`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gv_core::{Spec, Store, Version};
use thiserror::Error;

use super::publish::{TempDir, check_and_set_aside, replace_dir, sync_tree};
use super::{InstallError, Options, Progress, already_installed, store_err, take_lock};
use crate::archive::modzip::{self, ZipError, ZipRules};
use crate::go_settings::{self, GoSettings, TOOLCHAIN_MODULE};
use crate::sources::fetch::Http;
use crate::sources::goproxy::{self, ProxyError, ProxyList, ToolchainVersion};
use crate::sources::sumdb::{self, SumDbError, Verified};
use crate::ui;
use gv_core::limits::{Capped, LimitError, MODULE_ZIP as MAX_ZIP_SIZE};
use gv_core::text::redact_url;

/// Where toolchains come from: GOPROXY, and who vouches for them: GOSUMDB.
#[derive(Debug, Clone)]
pub struct ProxySource {
    pub settings: GoSettings,
    pub proxies: ProxyList,
    pub sumdb: sumdb::Choice,
}

#[derive(Debug, Error)]
pub enum ProxyInstallError {
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    #[error(transparent)]
    SumDb(#[from] SumDbError),
    #[error(
        "no Go toolchain matching `{spec}` for {platform} is listed by the proxies in {setting}"
    )]
    NoSuchToolchain {
        spec: String,
        platform: String,
        setting: String,
    },
    #[error("{why}, so nothing can prove {module}@{version} genuine")]
    Exempt {
        why: String,
        module: String,
        version: String,
    },
    #[error("the download of {url} broke off after {got} bytes: {message}")]
    Interrupted {
        url: String,
        got: u64,
        message: String,
    },
    #[error("cannot unpack {module}@{version}")]
    Unpack {
        module: String,
        version: String,
        #[source]
        source: ZipError,
    },
    #[error(transparent)]
    Mismatch(Box<HashMismatch>),
}

impl gv_core::error::Hint for ProxyInstallError {
    fn hint(&self) -> Option<String> {
        match self {
            ProxyInstallError::Install(e) => gv_core::error::Hint::hint(e),
            ProxyInstallError::Proxy(e) => gv_core::error::Hint::hint(e),
            ProxyInstallError::SumDb(e) => gv_core::error::Hint::hint(e),
            ProxyInstallError::NoSuchToolchain { .. } => Some("`gv ls-remote --source goproxy` lists what they have".to_string()),
            ProxyInstallError::Exempt { .. } => Some("nothing was installed. Remove the exception, or pass --insecure-skip-checksum to install it unverified".to_string()),
            ProxyInstallError::Interrupted { .. } => Some("nothing was installed; run the command again".to_string()),
            ProxyInstallError::Unpack { .. } => Some("nothing was installed; the zip is damaged or unsafe".to_string()),
            ProxyInstallError::Mismatch(e) => e.hint(),
        }
    }
}

/// The zip's content is not what the database (or the cache's record) vouches for.
#[derive(Debug, Error)]
#[error(
    "SECURITY ERROR: the zip of {TOOLCHAIN_MODULE}@{version} from {from} is not the one {vouch} vouches for:\n  zip       {got}\n  expected  {want}"
)]
pub struct HashMismatch {
    version: String,
    from: String,
    vouch: String,
    got: String,
    want: String,
}

impl gv_core::error::Hint for HashMismatch {
    fn hint(&self) -> Option<String> {
        Some("nothing was installed and nothing was cached. The proxy served altered or corrupt content (exactly what this check exists to catch); report it to whoever runs the proxy".into())
    }
}

/// How the install went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Downloaded from this proxy URL (credentials hidden).
    Download {
        url: String,
    },
    /// From the download cache, checked against the hash verified when it was downloaded.
    Cache {
        path: PathBuf,
    },
    AlreadyInstalled,
}

#[derive(Debug, Clone)]
pub struct ProxyInstalled {
    pub version: Version,
    pub goroot: PathBuf,
    pub fetched: Fetched,
    /// What proved the content: the database's record, `None` when it was skipped
    /// (`--insecure-skip-checksum`) or when nothing was installed.
    pub verified: Option<Verified>,
    /// The zip's `h1:` as gv computed it.
    pub h1: Option<String>,
}

impl ProxySource {
    pub fn new(settings: GoSettings) -> Result<ProxySource, ProxyInstallError> {
        let proxies = ProxyList::parse(&settings.goproxy)?;
        let sumdb = sumdb::Choice::parse(&settings.gosumdb)?;
        Ok(ProxySource {
            settings,
            proxies,
            sumdb,
        })
    }

    /// Why the checksum database does not cover toolchains, if it does not.
    pub fn sumdb_exception(&self) -> Option<String> {
        if matches!(self.sumdb, sumdb::Choice::Off) {
            return Some(format!(
                "{} turns the checksum database off",
                self.settings.gosumdb
            ));
        }
        let nosumdb = &self.settings.gonosumdb;
        go_settings::match_prefix_patterns(&nosumdb.value, TOOLCHAIN_MODULE)
            .then(|| format!("{nosumdb} exempts {TOOLCHAIN_MODULE} from the checksum database"))
    }

    fn check_noproxy(&self) -> Result<(), ProxyError> {
        let noproxy = &self.settings.gonoproxy;
        if go_settings::match_prefix_patterns(&noproxy.value, TOOLCHAIN_MODULE) {
            return Err(ProxyError::NoProxy {
                setting: noproxy.to_string(),
            });
        }
        Ok(())
    }

    /// The toolchains the proxies have for `platform`, newest first.
    pub fn list(
        &self,
        http: &Http,
        platform: &crate::sources::Platform,
    ) -> Result<Vec<ToolchainVersion>, ProxyError> {
        self.check_noproxy()?;
        self.proxies.toolchains(http, platform)
    }
}

/// The cached zip of a toolchain and its verified hash, laid out like a module cache:
/// `downloads/goproxy/golang.org/toolchain/@v/<version>.zip` and `.ziphash`.
fn cache_dir(opts: &Options) -> PathBuf {
    opts.cache
        .goproxy_downloads()
        .join(TOOLCHAIN_MODULE)
        .join("@v")
}

/// The toolchains whose zip and verified hash are in the cache, for this platform.
pub fn cached_toolchains(opts: &Options) -> Vec<ToolchainVersion> {
    let Ok(entries) = std::fs::read_dir(cache_dir(opts)) else {
        return Vec::new();
    };
    let mut out: Vec<ToolchainVersion> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let mv = name.strip_suffix(".ziphash")?;
            e.path()
                .with_file_name(format!("{mv}.zip"))
                .is_file()
                .then_some(())?;
            ToolchainVersion::parse(mv)
        })
        .filter(|t| t.platform == opts.platform)
        .collect();
    out.sort_by(|a, b| b.version.cmp(&a.version));
    out
}

/// Installs the toolchain `spec` names through the proxies. Already installed (and not
/// `force`) is success, reported as [`Fetched::AlreadyInstalled`].
pub fn install(
    store: &Store,
    spec: &Spec,
    opts: &Options,
    src: &ProxySource,
) -> Result<ProxyInstalled, ProxyInstallError> {
    if matches!(spec, Spec::System) {
        return Err(InstallError::System.into());
    }
    let done = |version: &Version| {
        already_installed(store, version).map(|i| ProxyInstalled {
            version: i.version,
            goroot: i.goroot,
            fetched: Fetched::AlreadyInstalled,
            verified: None,
            h1: None,
        })
    };
    if let Spec::Exact(v) = spec
        && !opts.force
        && let Some(done) = done(v)
    {
        return Ok(done);
    }
    let http = Http::new().map_err(|source| InstallError::Fetch {
        file: spec.to_string(),
        source,
    })?;
    let toolchain = match spec {
        Spec::Exact(v) => ToolchainVersion::new(v.clone(), &opts.platform),
        _ => {
            let list = if opts.offline {
                cached_toolchains(opts)
            } else {
                src.list(&http, &opts.platform)?
            };
            goproxy::resolve(&list, spec).cloned().ok_or_else(|| {
                ProxyInstallError::NoSuchToolchain {
                    spec: spec.to_string(),
                    platform: opts.platform.to_string(),
                    setting: if opts.offline {
                        format!(
                            "the download cache ({}; --offline)",
                            cache_dir(opts).display()
                        )
                    } else {
                        src.settings.goproxy.to_string()
                    },
                }
            })?
        }
    };
    let version = toolchain.version.clone();
    if !opts.force
        && let Some(done) = done(&version)
    {
        return Ok(done);
    }
    let _lock = take_lock(store, &version, opts)?;
    if !opts.force
        && let Some(done) = done(&version)
    {
        return Ok(done);
    }

    let module_version = toolchain.module_version();
    let dir = cache_dir(opts);
    let zip_path = dir.join(format!("{module_version}.zip"));
    let hash_path = dir.join(format!("{module_version}.ziphash"));

    // A zip verified on an earlier download: reinstall without the network.
    if let Ok(text) = gv_core::limits::read_file_string(&hash_path, gv_core::limits::CHECKSUM_FILE)
        && let Some(want) = text
            .split_whitespace()
            .next()
            .filter(|h| h.starts_with("h1:"))
        && zip_path.is_file()
    {
        let from_cache =
            unpack_and_publish(store, &version, &module_version, &zip_path, opts, |got| {
                if got == want {
                    Ok(())
                } else {
                    Err(ProxyInstallError::Mismatch(Box::new(HashMismatch {
                        version: module_version.clone(),
                        from: zip_path.display().to_string(),
                        vouch: format!("the hash recorded in {}", hash_path.display()),
                        got: got.to_string(),
                        want: want.to_string(),
                    })))
                }
            });
        match from_cache {
            Ok(goroot) => {
                return Ok(ProxyInstalled {
                    version,
                    goroot,
                    fetched: Fetched::Cache { path: zip_path },
                    verified: None,
                    h1: Some(want.to_string()),
                });
            }
            // The cached copy changed on disk since it was verified: drop it and fetch
            // it again (unless offline, where this is the end of the road).
            Err(e @ (ProxyInstallError::Mismatch(_) | ProxyInstallError::Unpack { .. })) => {
                let _ = crate::fsutil::remove_if_exists(&hash_path);
                let _ = crate::fsutil::remove_if_exists(&zip_path);
                if opts.offline {
                    return Err(e);
                }
                ui::warn(format!(
                    "{}; the cached copy was removed and is downloaded again",
                    gv_core::error::chain(&e)
                ));
            }
            Err(e) => return Err(e),
        }
    }
    if opts.offline {
        return Err(InstallError::NotCached {
            file: format!("{TOOLCHAIN_MODULE}@{module_version}"),
            dir,
        }
        .into());
    }

    src.check_noproxy()?;
    let database = match (&src.sumdb, src.sumdb_exception()) {
        (_, Some(why)) if !opts.insecure_skip_checksum => {
            return Err(ProxyInstallError::Exempt {
                why,
                module: TOOLCHAIN_MODULE.to_string(),
                version: module_version,
            });
        }
        (_, Some(why)) => {
            ui::warn(format!(
                "--insecure-skip-checksum: {why}; installing {TOOLCHAIN_MODULE}@{module_version} WITHOUT verifying it"
            ));
            None
        }
        (sumdb::Choice::Database(db), None) => Some(db),
        (sumdb::Choice::Off, None) => None,
    };

    std::fs::create_dir_all(&dir).map_err(store_err(&dir))?;
    let partial = dir.join(format!(
        ".{module_version}.zip.{}.partial",
        std::process::id()
    ));
    let state_dir = store.sumdb_state();
    let result = std::thread::scope(|scope| {
        // The database is asked while the zip downloads.
        let lookup = database.map(|db| {
            let (http, proxies, state_dir, mv) = (&http, &src.proxies, &state_dir, &module_version);
            scope.spawn(move || db.verify(http, proxies, state_dir, TOOLCHAIN_MODULE, mv))
        });
        let downloaded = download(&http, src, &module_version, &partial, opts);
        let looked_up = lookup.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                Err(SumDbError::Tiles("the lookup thread panicked".to_string()))
            })
        });
        // A toolchain no proxy has is best reported as that, whatever the database says.
        if let Err(e @ ProxyInstallError::Proxy(ProxyError::NotFound { .. })) = downloaded {
            return Err(e);
        }
        let verified = looked_up.transpose()?;
        let url = downloaded?;
        let verified_h1 = verified.as_ref().map(|v| v.h1.clone());
        let db_name = match &src.sumdb {
            sumdb::Choice::Database(db) => db.name().to_string(),
            sumdb::Choice::Off => String::new(),
        };
        let mut computed = None;
        let goroot = unpack_and_publish(store, &version, &module_version, &partial, opts, |got| {
            computed = Some(got.to_string());
            match &verified_h1 {
                Some(want) if want != got => {
                    Err(ProxyInstallError::Mismatch(Box::new(HashMismatch {
                        version: module_version.clone(),
                        from: url.clone(),
                        vouch: format!("the checksum database {db_name}"),
                        got: got.to_string(),
                        want: want.clone(),
                    })))
                }
                _ => Ok(()),
            }
        })?;
        Ok::<_, ProxyInstallError>((url, verified, computed, goroot))
    });
    let outcome = match result {
        Ok((url, verified, computed, goroot)) => {
            if let (Some(_), Some(h1)) = (&verified, &computed) {
                keep_zip(&partial, &zip_path, &hash_path, h1);
            }
            Ok(ProxyInstalled {
                version,
                goroot,
                fetched: Fetched::Download { url },
                verified,
                h1: computed,
            })
        }
        Err(e) => Err(e),
    };
    let _ = crate::fsutil::remove_if_exists(&partial);
    outcome
}

/// Streams the zip from the first proxy that has it into `partial`; returns its URL
/// (credentials hidden). The partial is locked while it downloads, the long part; once
/// closed it is read by path (Windows lets no other handle read a locked file), and a
/// sweep in the moment before it is kept costs only the cache copy.
fn download(
    http: &Http,
    src: &ProxySource,
    module_version: &str,
    partial: &Path,
    opts: &Options,
) -> Result<String, ProxyInstallError> {
    let what = format!("{TOOLCHAIN_MODULE}@{module_version}.zip");
    let (url, response) = src.proxies.try_each(&what, |base| {
        let url = format!("{base}/{TOOLCHAIN_MODULE}/@v/{module_version}.zip");
        goproxy::open(http, &url).map(|r| (url, r))
    })?;
    let shown = redact_url(&url);
    let size = response.content_length();
    if let Some(size) = size.filter(|s| *s > MAX_ZIP_SIZE) {
        return Err(ProxyInstallError::Unpack {
            module: TOOLCHAIN_MODULE.to_string(),
            version: module_version.to_string(),
            source: ZipError::TooLarge(format!(
                "{shown} announces {size} bytes (Go's limit for a module is 500 MiB)"
            )),
        });
    }
    let progress = Progress::start(opts.quiet, &format!("downloading {shown}"), size);
    // Locked while it grows, so that only a partial nobody holds is ever swept.
    let file = std::fs::File::create(partial).map_err(store_err(partial))?;
    file.lock().map_err(store_err(partial))?;
    let mut file = file;
    let mut response = Capped::new(response, MAX_ZIP_SIZE);
    let too_large = || ProxyInstallError::Unpack {
        module: TOOLCHAIN_MODULE.to_string(),
        version: module_version.to_string(),
        source: ZipError::TooLarge(format!(
            "{shown} sent more than Go's limit for a module, 500 MiB"
        )),
    };
    let mut buf = vec![0u8; 256 * 1024];
    let mut got: u64 = 0;
    let interrupted = |got, message: String| ProxyInstallError::Interrupted {
        url: shown.clone(),
        got,
        message,
    };
    loop {
        let n = match response.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                progress.finish();
                return Err(match LimitError::of(&e) {
                    Some(LimitError::TooLarge { .. }) => too_large(),
                    Some(other) => InstallError::TooSlow {
                        url: shown.clone(),
                        source: other.clone(),
                    }
                    .into(),
                    None => interrupted(got, e.to_string()),
                });
            }
        };
        file.write_all(&buf[..n]).map_err(store_err(partial))?;
        got += n as u64;
        progress.set(got);
    }
    progress.finish();
    if let Some(size) = size
        && got != size
    {
        return Err(interrupted(got, format!("expected {size} bytes")));
    }
    Ok(shown)
}

/// Unpacks `zip` into a temporary directory in the store, lets `check` judge its `h1:`,
/// then makes it the GOROOT of `version`, whole or not at all.
fn unpack_and_publish(
    store: &Store,
    version: &Version,
    module_version: &str,
    zip: &Path,
    opts: &Options,
    check: impl FnOnce(&str) -> Result<(), ProxyInstallError>,
) -> Result<PathBuf, ProxyInstallError> {
    let versions = store.versions_dir();
    std::fs::create_dir_all(&versions).map_err(store_err(&versions))?;
    let mut tmp = TempDir {
        path: store.work_dir(gv_core::store::Work::Unpacking, version),
        keep: false,
    };
    let _ = std::fs::remove_dir_all(&tmp.path);
    std::fs::create_dir(&tmp.path).map_err(store_err(&tmp.path))?;

    let progress = Progress::start(
        opts.quiet,
        &format!("unpacking {TOOLCHAIN_MODULE}@{module_version}"),
        None,
    );
    let bar = progress.clone();
    let rules = ZipRules::toolchain_module(module_version);
    let unzipped = modzip::unpack(zip, &tmp.path, &rules, &move |n| bar.set(n));
    progress.finish();
    let unzipped = unzipped.map_err(|source| ProxyInstallError::Unpack {
        module: TOOLCHAIN_MODULE.to_string(),
        version: module_version.to_string(),
        source,
    })?;
    check(&unzipped.h1)?;
    let file = format!("{TOOLCHAIN_MODULE}@{module_version}");
    check_and_set_aside(&tmp.path, version).map_err(|reason| InstallError::NotAnSdk {
        file: file.clone(),
        reason,
    })?;
    sync_tree(&tmp.path).map_err(store_err(&tmp.path))?;
    let goroot = store.version_dir(version);
    replace_dir(store, &tmp.path, version).map_err(store_err(&goroot))?;
    tmp.keep = true;
    Ok(goroot)
}

/// Keeps a verified zip and its hash in the cache; the hash is written last, so its
/// presence means the zip beside it was verified. Failures only cost a re-download.
fn keep_zip(partial: &Path, zip_path: &Path, hash_path: &Path, h1: &str) {
    let synced = std::fs::File::open(partial).and_then(|f| f.sync_data());
    if synced.is_ok() && std::fs::rename(partial, zip_path).is_ok() {
        let _ = crate::fsutil::write_atomic(hash_path, format!("{h1}\n").as_bytes());
    }
}
