//! Steps 1 and 3 of the install through GOPROXY (`gv install --source goproxy`), verified
//! as the go command verifies its own toolchain switch: the module zip's `h1:` must equal
//! the one in the checksum database's record, and that record must be proven to be in the
//! database's signed, append-only log (see [`crate::sources::sumdb`]).
//!
//! The zip is spooled to the download cache (its central directory is at its end) while
//! the database is consulted on another thread; it is then unpacked, and hashed in the
//! same pass, into `versions/.tmp-<version>-<pid>`. Only a tree whose hash matches goes on
//! to the pipeline's check and publish steps (see [`super`]), under the same per-version
//! lock as every install, and only its zip is kept in the cache with the verified hash
//! beside it (for `--offline`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gv_core::{Spec, Store, Version};

use super::cache::{Keep, Partial};
use super::error::{HashMismatch, store_err};
use super::publish::TempDir;
use super::{ArchiveSource, Checksum, InstallError, Options, Progress, Unpacked};
use crate::archive::modzip::{self, ZipError, ZipRules};
use crate::go_settings::{self, GoSettings, TOOLCHAIN_MODULE};
use crate::sources::fetch::Http;
use crate::sources::goproxy::{self, ProxyError, ProxyList, ToolchainVersion};
use crate::sources::sumdb::{self, SumDbError};
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

impl ProxySource {
    pub fn new(settings: GoSettings) -> Result<ProxySource, InstallError> {
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

/// Step 1 through the proxies: the toolchain `spec` means, from their lists (or, offline,
/// from the download cache's).
pub(super) fn resolve(
    http: &Http,
    spec: &Spec,
    opts: &Options,
    src: &ProxySource,
) -> Result<ToolchainVersion, InstallError> {
    if let Spec::Exact(v) = spec {
        return Ok(ToolchainVersion::new(v.clone(), &opts.platform));
    }
    let list = if opts.offline {
        cached_toolchains(opts)
    } else {
        src.list(http, &opts.platform)?
    };
    goproxy::resolve(&list, spec)
        .cloned()
        .ok_or_else(|| InstallError::NoSuchToolchain {
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
        })
}

/// Step 3 through the proxies: the module zip from the download cache when it holds one
/// verified earlier (no network needed), else downloaded while the checksum database is
/// asked for its `h1:`; unpacked into a work directory and hashed in the same pass, and
/// refused unless the hash is the one vouched for.
pub(super) fn fetch(
    store: &Store,
    http: &Http,
    toolchain: &ToolchainVersion,
    opts: &Options,
    src: &ProxySource,
) -> Result<Unpacked, InstallError> {
    let version = &toolchain.version;
    let module_version = toolchain.module_version();
    let file = format!("{TOOLCHAIN_MODULE}@{module_version}");
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
        let from_cache = unpack(store, version, &module_version, &zip_path, opts, |got| {
            if got == want {
                Ok(())
            } else {
                Err(InstallError::Mismatch(Box::new(HashMismatch {
                    version: module_version.clone(),
                    from: zip_path.display().to_string(),
                    vouch: format!("the hash recorded in {}", hash_path.display()),
                    got: got.to_string(),
                    want: want.to_string(),
                })))
            }
        });
        match from_cache {
            Ok(work) => {
                return Ok(Unpacked {
                    tree: work.path.clone(),
                    work,
                    file,
                    source: ArchiveSource::Cache { path: zip_path },
                    checksum: Checksum::CachedProof {
                        h1: want.to_string(),
                    },
                    keep: None,
                    to_prove: None,
                });
            }
            // The cached copy changed on disk since it was verified: drop it and fetch
            // it again (unless offline, where this is the end of the road).
            Err(e @ (InstallError::Mismatch(_) | InstallError::UnpackModule { .. })) => {
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
        return Err(InstallError::NotCached { file, dir });
    }

    src.check_noproxy()?;
    let database = match (&src.sumdb, src.sumdb_exception()) {
        (_, Some(why)) if !opts.insecure_skip_checksum => {
            return Err(InstallError::Exempt {
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
    let partial = Partial(dir.join(format!(
        ".{module_version}.zip.{}.partial",
        std::process::id()
    )));
    let state_dir = store.sumdb_state();
    let (url, verified) = std::thread::scope(|scope| {
        // The database is asked while the zip downloads.
        let lookup = database.map(|db| {
            let (proxies, state_dir, mv) = (&src.proxies, &state_dir, &module_version);
            scope.spawn(move || db.verify(http, proxies, state_dir, TOOLCHAIN_MODULE, mv))
        });
        let downloaded = download(http, src, &module_version, &partial.0, opts);
        let looked_up = lookup.map(|handle| {
            handle.join().unwrap_or_else(|_| {
                Err(SumDbError::Tiles("the lookup thread panicked".to_string()))
            })
        });
        // A toolchain no proxy has is best reported as that, whatever the database says.
        if let Err(e @ InstallError::Proxy(ProxyError::NotFound { .. })) = downloaded {
            return Err(e);
        }
        let verified = looked_up.transpose()?;
        Ok::<_, InstallError>((downloaded?, verified))
    })?;
    let db_name = match &src.sumdb {
        sumdb::Choice::Database(db) => db.name().to_string(),
        sumdb::Choice::Off => String::new(),
    };
    let mut computed = None;
    let work = unpack(store, version, &module_version, &partial.0, opts, |got| {
        computed = Some(got.to_string());
        match &verified {
            Some(v) if v.h1 != got => Err(InstallError::Mismatch(Box::new(HashMismatch {
                version: module_version.clone(),
                from: url.clone(),
                vouch: format!("the checksum database {db_name}"),
                got: got.to_string(),
                want: v.h1.clone(),
            }))),
            _ => Ok(()),
        }
    })?;
    // Only a zip the database proved is kept: a later install would take it for one.
    let keep = match (&verified, computed) {
        (Some(_), Some(h1)) => Some(Keep::ModuleZip {
            partial,
            zip: zip_path,
            hash: hash_path,
            h1,
        }),
        _ => None,
    };
    Ok(Unpacked {
        tree: work.path.clone(),
        work,
        file,
        source: ArchiveSource::Download { url: url.clone() },
        checksum: verified.map_or(Checksum::Unchecked, Checksum::Database),
        keep,
        to_prove: None,
    })
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
) -> Result<String, InstallError> {
    let what = format!("{TOOLCHAIN_MODULE}@{module_version}.zip");
    let (url, response) = src.proxies.try_each(&what, |base| {
        let url = format!("{base}/{TOOLCHAIN_MODULE}/@v/{module_version}.zip");
        goproxy::open(http, &url).map(|r| (url, r))
    })?;
    let shown = redact_url(&url);
    let size = response.content_length();
    if let Some(size) = size.filter(|s| *s > MAX_ZIP_SIZE) {
        return Err(InstallError::UnpackModule {
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
    let too_large = || InstallError::UnpackModule {
        module: TOOLCHAIN_MODULE.to_string(),
        version: module_version.to_string(),
        source: ZipError::TooLarge(format!(
            "{shown} sent more than Go's limit for a module, 500 MiB"
        )),
    };
    let mut buf = vec![0u8; 256 * 1024];
    let mut got: u64 = 0;
    let interrupted = |got, message: String| InstallError::Interrupted {
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
                    },
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

/// Unpacks `zip` into a new work directory in the store and lets `check` judge its `h1:`.
fn unpack(
    store: &Store,
    version: &Version,
    module_version: &str,
    zip: &Path,
    opts: &Options,
    check: impl FnOnce(&str) -> Result<(), InstallError>,
) -> Result<TempDir, InstallError> {
    let work = TempDir::create(store, version)?;
    let progress = Progress::start(
        opts.quiet,
        &format!("unpacking {TOOLCHAIN_MODULE}@{module_version}"),
        None,
    );
    let bar = progress.clone();
    let rules = ZipRules::toolchain_module(module_version);
    let unzipped = modzip::unpack(zip, &work.path, &rules, &move |n| bar.set(n));
    progress.finish();
    let unzipped = unzipped.map_err(|source| InstallError::UnpackModule {
        module: TOOLCHAIN_MODULE.to_string(),
        version: module_version.to_string(),
        source,
    })?;
    check(&unzipped.h1)?;
    Ok(work)
}
