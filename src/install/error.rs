//! What can go wrong in an install, from any source, each with what to do about it.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::archive::modzip::ZipError;
use crate::archive::untar::UnpackError;
use crate::go_settings::TOOLCHAIN_MODULE;
use crate::sources::Platform;
use crate::sources::fetch::FetchError;
use crate::sources::goproxy::ProxyError;
use crate::sources::index::IndexError;
use crate::sources::sumdb::SumDbError;

use super::proof::ProofError;

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
    /// The checksum database refused the unpacked tree, or its proof was required and
    /// none could be had. Boxed: the error stays small enough to return by value.
    #[error(transparent)]
    Proof(Box<ProofError>),
    #[error("{path} is the archive of Go {version}, not of `{spec}`")]
    FileIsAnother {
        path: PathBuf,
        version: String,
        spec: String,
    },
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
    #[error("cannot unpack {module}@{version}")]
    UnpackModule {
        module: String,
        version: String,
        #[source]
        source: ZipError,
    },
    #[error(transparent)]
    Mismatch(Box<HashMismatch>),
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
            InstallError::Proxy(e) => gv_core::error::Hint::hint(e),
            InstallError::SumDb(e) => gv_core::error::Hint::hint(e),
            InstallError::NoSuchToolchain { .. } => Some("`gv ls-remote --source goproxy` lists what they have".to_string()),
            InstallError::Exempt { .. } => Some("nothing was installed. Remove the exception, or pass --insecure-skip-checksum to install it unverified".to_string()),
            InstallError::UnpackModule { .. } => Some("nothing was installed; the zip is damaged or unsafe".to_string()),
            InstallError::Mismatch(e) => gv_core::error::Hint::hint(e.as_ref()),
            _ => None,
        }
    }
}

pub(super) fn store_err(path: &Path) -> impl FnOnce(io::Error) -> InstallError + '_ {
    move |source| InstallError::Store {
        path: path.to_path_buf(),
        source,
    }
}

/// The module zip's content is not what the database (or the cache's record) vouches for.
#[derive(Debug, Error)]
#[error(
    "SECURITY ERROR: the zip of {TOOLCHAIN_MODULE}@{version} from {from} is not the one {vouch} vouches for:\n  zip       {got}\n  expected  {want}"
)]
pub struct HashMismatch {
    pub(super) version: String,
    pub(super) from: String,
    pub(super) vouch: String,
    pub(super) got: String,
    pub(super) want: String,
}

impl gv_core::error::Hint for HashMismatch {
    fn hint(&self) -> Option<String> {
        Some("nothing was installed and nothing was cached. The proxy served altered or corrupt content (exactly what this check exists to catch); report it to whoever runs the proxy".into())
    }
}

impl InstallError {
    /// The same error about the download at `url` (the pipeline knows only the file name).
    pub(super) fn at_url(self, url: &str) -> InstallError {
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
