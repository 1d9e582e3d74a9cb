//! `gv self update`: find the release wanted, prove it, and swap it in.

use std::path::PathBuf;

use super::fetch::{self, Release};
use super::replace::{Swap, replace_all};
use super::{Installation, SelfError, unpack};
use crate::release::version::Version;
use crate::release::{self, Which, keys, target};
use crate::sources::fetch::Http;

/// What this gv binary was built as (src/main.rs fills it in).
#[derive(Debug, Clone, Copy)]
pub struct Build {
    pub version: &'static str,
    /// The one key a release build was made to trust instead of gv's release keys.
    pub release_key: Option<&'static str>,
}

impl Build {
    pub fn version(&self) -> Version {
        Version::parse(self.version).unwrap_or_else(|| {
            panic!(
                "gv's own version `{}` is not a semantic version (the release command checks it)",
                self.version
            )
        })
    }

    pub fn trusted_keys(&self) -> Vec<keys::TrustedKey> {
        keys::trusted(self.release_key)
    }
}

pub struct Options {
    /// `--to VERSION`: this release, even if older.
    pub to: Option<Version>,
    pub quiet: bool,
}

/// How this gv compares with a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    UpToDate,
    /// A newer release exists.
    Behind,
    /// This gv is newer than the release (a pre-release, or a newest release withdrawn).
    Ahead,
}

pub fn standing(current: &Version, release: &Version) -> Standing {
    match current.cmp(release) {
        std::cmp::Ordering::Equal => Standing::UpToDate,
        std::cmp::Ordering::Less => Standing::Behind,
        std::cmp::Ordering::Greater => Standing::Ahead,
    }
}

/// The newest release, verified.
pub fn newest(build: &Build) -> Result<(Release, String), SelfError> {
    let base = base()?;
    let http = http()?;
    let release = fetch::release(&http, &base, &Which::Latest, &build.trusted_keys())?;
    Ok((release, base))
}

/// What `gv self update` did.
#[derive(Debug)]
pub enum Outcome {
    /// Already at the release wanted.
    Already { version: Version },
    Updated {
        from: Version,
        to: Version,
        dir: PathBuf,
        signed_by: String,
        /// The shims were rehashed to the new gv-shim.
        rehashed: bool,
    },
}

pub fn update(
    build: &Build,
    store: &gv_core::Store,
    options: &Options,
) -> Result<Outcome, SelfError> {
    let current = build.version();
    let installation = Installation::running()?;
    installation.check_ours(true)?;
    let base = base()?;
    let http = http()?;
    let which = match &options.to {
        Some(v) => Which::Version(v.clone()),
        None => Which::Latest,
    };
    let release = fetch::release(&http, &base, &which, &build.trusted_keys())?;
    let version = release.sums.version.clone();
    match (standing(&current, &version), &options.to) {
        (Standing::UpToDate, _) => return Ok(Outcome::Already { version }),
        (Standing::Ahead, None) => {
            return Err(SelfError::Downgrade {
                current: current.to_string(),
                newest: version.to_string(),
            });
        }
        _ => {}
    }
    let target = target::host().ok_or_else(|| SelfError::NoTarget {
        os: std::env::consts::OS.into(),
        arch: std::env::consts::ARCH.into(),
    })?;
    let (name, sha256) = release
        .sums
        .archive(target)
        .ok_or_else(|| SelfError::NoArchive {
            version: version.to_string(),
            target: target.triple.to_string(),
        })?;
    let sha256 = sha256.to_string();

    let _lock = installation.lock(store)?;
    installation.sweep();
    let archive = fetch::archive(&http, &base, &release, &name, &sha256, options.quiet)?;
    let staged = unpack::binaries(
        archive,
        &name,
        target,
        &version.to_string(),
        &installation.dir,
    )?;
    runs_as(&staged.gv, &version)?;
    replace_all(&[
        Swap {
            new: &staged.shim,
            dest: &installation.shim,
        },
        Swap {
            new: &staged.gv,
            dest: &installation.gv,
        },
    ])?;
    // Renamed into place: nothing left to delete.
    let _ = staged.shim.keep();
    let _ = staged.gv.keep();
    let rehashed = rehash(store, &installation)?;
    Ok(Outcome::Updated {
        from: current,
        to: version,
        dir: installation.dir,
        signed_by: release.signed_by.name,
        rehashed,
    })
}

/// Checks that the staged gv starts here and is the version its release says: a binary
/// for another CPU, or a broken one, is caught before it replaces a working gv.
fn runs_as(gv: &std::path::Path, version: &Version) -> Result<(), SelfError> {
    let out = std::process::Command::new(gv)
        .arg("--version")
        .env_remove(gv_core::vars::COMPLETE)
        .output()
        .map_err(|e| SelfError::NewGvBroken { why: e.to_string() })?;
    let said = String::from_utf8_lossy(&out.stdout);
    let expected = format!("gv {version}");
    if !out.status.success() || said.trim() != expected {
        return Err(SelfError::NewGvBroken {
            why: format!(
                "`gv --version` printed {:?} ({}), not {expected:?}",
                gv_core::text::one_line(said.trim()),
                out.status
            ),
        });
    }
    Ok(())
}

/// Points the shims at the new gv-shim (a new generation, swapped in atomically), if
/// there are shims; a `GV_SHIM_BINARY` the user set is theirs and is kept.
fn rehash(store: &gv_core::Store, installation: &Installation) -> Result<bool, SelfError> {
    if std::fs::symlink_metadata(store.shims_dir()).is_err() {
        return Ok(false);
    }
    let chosen =
        gv_core::process::var_os(gv_core::vars::SHIM_BINARY).is_some_and(|v| !v.is_empty());
    if chosen {
        crate::shim_dir::refresh(store)?;
    } else {
        crate::shim_dir::rehash(store, &installation.shim)?;
    }
    Ok(true)
}

fn base() -> Result<String, SelfError> {
    let from_env = gv_core::process::var(gv_core::vars::INSTALL_URL).ok();
    Ok(release::base_url(from_env.as_deref())?)
}

fn http() -> Result<Http, SelfError> {
    Ok(Http::new()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standings() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(standing(&v("0.1.0"), &v("0.1.0")), Standing::UpToDate);
        assert_eq!(standing(&v("0.1.0"), &v("0.1.1")), Standing::Behind);
        assert_eq!(standing(&v("0.2.0-rc.1"), &v("0.1.9")), Standing::Ahead);
        assert_eq!(standing(&v("0.2.0-rc.1"), &v("0.2.0")), Standing::Behind);
    }
}
