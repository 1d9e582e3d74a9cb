//! `gv import gotoolchain`: adopt the toolchains that the go command's own switching
//! (`GOTOOLCHAIN=auto`, or `GOTOOLCHAIN=go1.23.9`) left in the module cache, as
//! `$GOMODCACHE/golang.org/toolchain@v0.0.1-go1.23.9.linux-amd64/`.
//!
//! Go verified each one against the checksum database when it downloaded it and recorded
//! the zip's `h1:` in `$GOMODCACHE/cache/download/golang.org/toolchain/@v/<version>.ziphash`.
//! But a module cache is only a directory: anyone who can write it (a repository that set
//! GOMODCACHE, another user) can write a tree and a `.ziphash` that agree. So gv asks the
//! checksum database itself (GOSUMDB, through GOPROXY, with the client `gv install
//! --source goproxy` uses: a signed, append-only log) for the toolchain's `h1:`; the
//! recorded hash must equal it. gv then hard-links the tree into a staging directory in
//! its store, hashes the staged files (exactly the zip's files: the `go.mod` copies Go
//! made of each `_go.mod` are left out of the hash), and renames the tree into place only
//! if the hash equals that one too — so an SDK appears whole and as Go published it, or
//! not at all.
//!
//! Where to look comes from your own settings only: GOMODCACHE or GOPATH as you set them,
//! never a value the shell hook applied from a project (`gv_core::env::users_own`).

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use gv_core::Store;
use sha2::{Digest, Sha256};

use super::{ImportError, Outcome};
use crate::archive::dirhash::{self, FileSum};
use crate::go_settings::TOOLCHAIN_MODULE;
use crate::install::goproxy::ProxySource;
use crate::sources::Platform;
use crate::sources::fetch::Http;
use crate::sources::goproxy::ToolchainVersion;
use crate::sources::sumdb;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ToolchainReport {
    pub gomodcache: PathBuf,
    pub versions: Vec<Outcome>,
}

/// The module cache the go command uses: GOMODCACHE (environment, then `go env -w`),
/// else `<first GOPATH entry>/pkg/mod`, else `~/go/pkg/mod` — each the user's own value
/// (`gv_core::env::users_own`): GOMODCACHE, GOPATH or GOENV that the shell hook applied
/// from a project's gv.toml do not count.
pub fn default_gomodcache(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let lookup = |name: &str| gv_core::env::users_own(name, &env);
    let lookup: &dyn Fn(&str) -> Option<OsString> = &lookup;
    let env_file = crate::go_settings::go_env_file(lookup);
    let setting = |name: &str| {
        lookup(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                env_file
                    .as_ref()
                    .and_then(|f| crate::go_settings::read_go_env_value(f, name))
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
    };
    if let Some(dir) = setting("GOMODCACHE") {
        return Some(dir);
    }
    if let Some(gopath) = setting("GOPATH")
        && let Some(first) = std::env::split_paths(&gopath).next()
        && !first.as_os_str().is_empty()
    {
        return Some(first.join("pkg").join("mod"));
    }
    lookup("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join("go").join("pkg").join("mod"))
}

/// Who vouches for a toolchain before gv adopts it: the checksum database `src` names
/// (GOSUMDB, reached as GOPROXY says), asked over `http`.
pub struct Vouching<'a> {
    pub src: &'a ProxySource,
    pub http: &'a Http,
}

/// Adopts every toolchain for `platform` in `gomodcache` that gv does not have yet and the
/// checksum database vouches for.
pub fn import_gotoolchain(
    store: &Store,
    gomodcache: &Path,
    platform: &Platform,
    vouching: &Vouching<'_>,
) -> Result<ToolchainReport, ImportError> {
    let parent = gomodcache.join("golang.org");
    let prefix = "toolchain@";
    let mut names: Vec<String> = match std::fs::read_dir(&parent) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(prefix))
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut report = ToolchainReport {
        gomodcache: gomodcache.to_path_buf(),
        versions: Vec::new(),
    };
    for dir_name in names {
        let from = parent.join(&dir_name);
        let module_version = &dir_name[prefix.len()..];
        let parsed = ToolchainVersion::parse(module_version);
        // Shown as the Go version when it is one.
        let name = parsed
            .as_ref()
            .map_or_else(|| dir_name.clone(), |t| t.version.to_string());
        let skip = |reason: String| Outcome {
            name: name.clone(),
            from: from.clone(),
            to: None,
            skipped: Some(reason),
            proven_by: None,
        };
        let outcome = match parsed {
            None => skip("not a Go toolchain version".to_string()),
            Some(t) if t.platform != *platform => {
                skip(format!("a toolchain for {}, not {platform}", t.platform))
            }
            Some(t) => {
                let to = store.version_dir(&t.version);
                let _lock = super::lock_version(store, &t.version, &from, &to)?;
                if to.exists() {
                    skip("already installed in gv".to_string())
                } else {
                    let ziphash = gomodcache
                        .join("cache/download")
                        .join(TOOLCHAIN_MODULE)
                        .join("@v")
                        .join(format!("{module_version}.ziphash"));
                    match adopt(store, &from, &to, &t, module_version, &ziphash, vouching)? {
                        Ok(proof) => Outcome {
                            name: name.clone(),
                            from: from.clone(),
                            to: Some(to),
                            skipped: None,
                            proven_by: Some(proof),
                        },
                        Err(reason) => skip(reason),
                    }
                }
            }
        };
        report.versions.push(outcome);
    }
    Ok(report)
}

/// Stages, verifies and publishes one toolchain. The inner `Ok` says what proved it, the
/// inner `Err` why it was skipped.
fn adopt(
    store: &Store,
    from: &Path,
    to: &Path,
    t: &ToolchainVersion,
    module_version: &str,
    ziphash: &Path,
    vouching: &Vouching<'_>,
) -> Result<Result<String, String>, ImportError> {
    let recorded = match gv_core::limits::read_file_string(ziphash, gv_core::limits::CHECKSUM_FILE)
    {
        Ok(text) => match text.split_whitespace().next() {
            Some(h) if h.starts_with("h1:") => h.to_string(),
            _ => return Ok(Err(format!("{} holds no h1: hash", ziphash.display()))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Err(format!(
                "Go recorded no hash for it ({} is missing): it did not finish downloading it",
                ziphash.display()
            )));
        }
        Err(e) => return Ok(Err(format!("cannot read {}: {e}", ziphash.display()))),
    };
    // The hash beside the tree is only a file in a directory: the checksum database
    // says what the toolchain is.
    let verified = match vouch(store, module_version, vouching) {
        Ok(verified) => verified,
        Err(reason) => return Ok(Err(reason)),
    };
    if verified.h1 != recorded {
        return Ok(Err(format!(
            "the hash recorded beside it ({recorded}) is not the one the checksum database {} vouches for ({}): the module cache was written by something other than Go's own download",
            verified.name, verified.h1
        )));
    }
    let want = verified.h1.clone();
    let io = |source| ImportError::Io {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    };
    let versions = store.versions_dir();
    std::fs::create_dir_all(&versions).map_err(io)?;
    // Named like install's work directories, so a killed import's leftovers are removed
    // by the next install of this version.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".tmp-{}-", t.version.as_str()))
        .tempdir_in(&versions)
        .map_err(io)?;
    let tree = staging.path().join("go");
    let mut sums = Vec::new();
    let zip_prefix = format!("{TOOLCHAIN_MODULE}@{module_version}/");
    if let Err(reason) = stage(from, &tree, "", &zip_prefix, &mut sums).map_err(io)? {
        return Ok(Err(reason));
    }
    match dirhash::hash1(&mut sums) {
        Some(got) if got == want => {}
        Some(got) => {
            return Ok(Err(format!(
                "its files do not match the hash Go recorded when it verified the download, which the checksum database vouches for (recorded {want}, found {got}): it was changed since"
            )));
        }
        None => return Ok(Err("a file name contains a newline".to_string())),
    }
    if let Err(reason) = crate::install::check_and_set_aside(&tree, &t.version) {
        return Ok(Err(reason));
    }
    if !gv_core::platform::is_executable_file(
        &tree.join("bin").join(gv_core::platform::exe_name("go")),
    ) {
        return Ok(Err(format!(
            "Go did not finish setting it up (bin/go is not executable); run `{}` once, then import again",
            gv_core::suggest::command([&format!("GOTOOLCHAIN=go{}", t.version), "go", "version"])
        )));
    }
    std::fs::rename(&tree, to).map_err(io)?;
    Ok(Ok(format!(
        "the checksum database {} (record {})",
        verified.name, verified.record
    )))
}

/// What the checksum database says `golang.org/toolchain@module_version` is, or why it
/// cannot say.
fn vouch(
    store: &Store,
    module_version: &str,
    vouching: &Vouching<'_>,
) -> Result<sumdb::Verified, String> {
    let src = vouching.src;
    if let Some(why) = src.sumdb_exception() {
        return Err(format!(
            "{why}, so nothing can prove it genuine (gv adopts only toolchains the checksum database vouches for)"
        ));
    }
    let sumdb::Choice::Database(db) = &src.sumdb else {
        return Err("the checksum database is off, so nothing can prove it genuine".into());
    };
    db.verify(
        vouching.http,
        &src.proxies,
        &store.sumdb_state(),
        TOOLCHAIN_MODULE,
        module_version,
    )
    .map_err(|e| {
        format!(
            "the checksum database cannot vouch for it: {}",
            gv_core::error::chain(&e)
        )
    })
}

/// Recreates `src` at `dst` with hard links (copies where a link is impossible) and
/// collects the SHA-256 of every file the module zip had, read from the staged links.
/// Go's `go.mod` copies of `_go.mod` files are staged but not hashed; a missing copy is
/// made. The inner `Err` is a reason to skip.
fn stage(
    src: &Path,
    dst: &Path,
    rel: &str,
    zip_prefix: &str,
    sums: &mut Vec<FileSum>,
) -> std::io::Result<Result<(), String>> {
    gv_core::platform::create_shared_dir(dst)?;
    let mut entries: Vec<_> = std::fs::read_dir(src)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    let names: Vec<OsString> = entries.iter().map(|e| e.file_name()).collect();
    for entry in entries {
        let name = entry.file_name();
        let Some(text) = name.to_str() else {
            return Ok(Err(format!("{rel}: a file name is not UTF-8")));
        };
        let child_rel = if rel.is_empty() {
            text.to_string()
        } else {
            format!("{rel}/{text}")
        };
        let (from, to) = (entry.path(), dst.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if let Err(reason) = stage(&from, &to, &child_rel, zip_prefix, sums)? {
                return Ok(Err(reason));
            }
            continue;
        }
        if !kind.is_file() {
            return Ok(Err(format!(
                "{child_rel} is not a plain file, which a module zip cannot contain"
            )));
        }
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to)?;
        }
        let is_go_mod_copy = text == "go.mod"
            && names.iter().any(|n| n == "_go.mod")
            && same_content(&to, &dst.join("_go.mod"), &src.join("_go.mod"))?;
        if is_go_mod_copy {
            continue;
        }
        if text == "go.mod" && names.iter().any(|n| n == "_go.mod") {
            return Ok(Err(format!(
                "{child_rel} differs from the _go.mod beside it, so it is not Go's copy"
            )));
        }
        sums.push(FileSum {
            name: format!("{zip_prefix}{child_rel}"),
            sha256: sha256_file(&to)?,
        });
        if text == "_go.mod" && !names.iter().any(|n| n == "go.mod") {
            std::fs::copy(&to, dst.join("go.mod"))?;
        }
    }
    Ok(Ok(()))
}

/// Does `a` hold the same bytes as the `_go.mod` (staged at `b`, or still at `b_src`)?
fn same_content(a: &Path, b: &Path, b_src: &Path) -> std::io::Result<bool> {
    let other = if b.exists() { b } else { b_src };
    Ok(std::fs::read(a)? == std::fs::read(other)?)
}

fn sha256_file(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 128 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    gv_core::unix_only! {
    use super::*;

    #[test]
    fn gomodcache_like_go() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| -> Option<OsString> {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let pick = |pairs| default_gomodcache(&env(pairs));
        assert_eq!(
            pick(&[("GOMODCACHE", "/m"), ("GOPATH", "/g"), ("GOENV", "off")]),
            Some(PathBuf::from("/m"))
        );
        assert_eq!(
            pick(&[("GOPATH", "/g1:/g2"), ("GOENV", "off")]),
            Some(PathBuf::from("/g1/pkg/mod"))
        );
        assert_eq!(
            pick(&[("HOME", "/home/u"), ("GOENV", "off")]),
            Some(PathBuf::from("/home/u/go/pkg/mod"))
        );
    }
    }
}
