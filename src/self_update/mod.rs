//! `gv self update` and `gv self uninstall`: gv replacing or removing its own installed
//! binaries, for installs made by install.sh / install.ps1 (or any copy of a release
//! archive). Copies that a package manager owns (cargo, Homebrew, Scoop, Nix) are left to
//! it, with the command that updates them.
//!
//! An update proves the new release before touching anything (the signature of
//! SHA256SUMS by a key gv carries, then the archive's sha256), stages the new binaries
//! beside the old ones, checks that the new gv runs, then renames them into place: each
//! name always points at a whole program, old or new (see [`replace`]). Shims keep
//! running throughout: they are hard links of the old gv-shim until the rehash at the
//! end swaps in a new generation linking the new one.

pub mod fetch;
pub mod installation;
pub mod replace;
pub mod uninstall;
pub mod unpack;
pub mod update;

use std::path::PathBuf;

use thiserror::Error;

pub use installation::{Installation, Manager};

#[derive(Debug, Error)]
pub enum SelfError {
    #[error("cannot find gv's own executable")]
    NoExe(#[source] std::io::Error),
    #[error("{gv} was installed by {manager}, which updates and removes it")]
    Managed { gv: PathBuf, manager: Manager },
    #[error("cannot write to {dir}, where gv is installed")]
    ReadOnly { dir: PathBuf },
    #[error("gv-shim is not next to gv in {dir}")]
    NoShim { dir: PathBuf },
    #[error("gv has no release for this machine ({os} on {arch})")]
    NoTarget { os: String, arch: String },
    /// The download failed (the error names the URL).
    #[error(transparent)]
    Fetch(#[from] crate::sources::fetch::FetchError),
    #[error("cannot read {url}")]
    Read {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url} is larger than {limit} bytes: not a gv release file")]
    TooLarge { url: String, limit: u64 },
    #[error("{url} is not a valid signature of the release's SHA256SUMS")]
    Signature {
        url: String,
        #[source]
        source: crate::release::sshsig::SigError,
    },
    #[error("{url} is not a release's SHA256SUMS")]
    Sums {
        url: String,
        #[source]
        source: crate::release::sums::SumsError,
    },
    #[error("the release at {url} is gv {found}, not {wanted}")]
    WrongVersion {
        url: String,
        found: String,
        wanted: String,
    },
    #[error("the newest release, gv {newest}, is older than this gv ({current}): not downgrading")]
    Downgrade { current: String, newest: String },
    #[error("gv {version} has no archive for {target}")]
    NoArchive { version: String, target: String },
    #[error(
        "{name} does not match the release's SHA256SUMS (expected sha256 {expected}, got {actual}): the download is corrupt or was tampered with"
    )]
    Checksum {
        name: String,
        expected: String,
        actual: String,
    },
    #[error("{name} is not a usable gv archive: {why}")]
    BadArchive { name: String, why: String },
    #[error("the new gv does not run here: {why}")]
    NewGvBroken { why: String },
    #[error("cannot {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Url(#[from] crate::release::UrlError),
    #[error(transparent)]
    Store(#[from] gv_core::store::StoreError),
    #[error(transparent)]
    Shims(#[from] crate::shim_dir::ShimError),
}

impl gv_core::error::Hint for SelfError {
    fn hint(&self) -> Option<String> {
        use gv_core::vars::INSTALL_URL;
        match self {
            SelfError::Managed { manager, .. } => Some(manager.advice().to_string()),
            SelfError::ReadOnly { .. } => Some(
                "gv never asks for sudo: reinstall it somewhere you can write with install.sh (GV_INSTALL_DIR), or update it the way it was installed".into(),
            ),
            SelfError::NoShim { .. } => Some(
                "reinstall gv with install.sh, which puts gv and gv-shim side by side".into(),
            ),
            SelfError::NoTarget { .. } => Some(
                "build it from source: `cargo install --locked gv gv-shim`".into(),
            ),
            SelfError::Fetch(source) => gv_core::error::Hint::hint(source).or_else(|| {
                Some(format!(
                    "check the network, or point {INSTALL_URL} at a mirror of gv's releases"
                ))
            }),
            SelfError::TooLarge { .. } | SelfError::Sums { .. } | SelfError::WrongVersion { .. } => {
                Some(format!("check that {INSTALL_URL} points at gv's releases"))
            }
            SelfError::Signature { .. } | SelfError::Checksum { .. } | SelfError::BadArchive { .. } => Some(
                "nothing was changed; if it happens again, the server or something on the way is serving a file gv's release key did not sign: report it".into(),
            ),
            SelfError::Downgrade { newest, .. } => Some(format!(
                "`gv self update --to {newest}` installs it anyway"
            )),
            SelfError::NoArchive { .. } => Some("`gv self update --to VERSION` picks another release".into()),
            SelfError::NewGvBroken { .. } => Some("nothing was changed; the installed gv is as it was".into()),
            SelfError::Url(e) => gv_core::error::Hint::hint(e),
            SelfError::Shims(e) => gv_core::error::Hint::hint(e),
            SelfError::Store(e) => gv_core::error::Hint::hint(e),
            SelfError::Io { .. } | SelfError::NoExe(_) | SelfError::Read { .. } => None,
        }
    }
}

pub(crate) fn io(
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> SelfError {
    let path = path.to_path_buf();
    move |source| SelfError::Io {
        action,
        path,
        source,
    }
}
