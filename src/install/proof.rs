//! The checksum database's proof for an SDK from any source: go.dev, a mirror, a local
//! archive. Every Go release since 1.21 is also the module
//! `golang.org/toolchain@v0.0.1-go<version>.<os>-<arch>`, whose `h1:` the checksum database
//! (GOSUMDB) vouches for. That module is the release archive itself, laid out by Go's
//! release tooling (`cmd/distpack`): every regular file of the archive's `go/` tree except
//! the top-level `api/`, `doc/`, `misc/` and `test/`, each `go.mod` renamed `_go.mod` (so
//! the module has no nested modules), under the prefix `golang.org/toolchain@<version>/`.
//! So gv computes that `h1:` from the unpacked tree and asks the database for the record,
//! with the same signed-note, consistency and inclusion checks the GOPROXY source uses
//! ([`crate::sources::sumdb`]). A mirror then has to be neither trusted nor reachable from
//! go.dev: the database proves what it served, or the install is refused.
//!
//! The proof covers the archive's files except those four directories, and not their
//! modes (the module has none): when nothing but the database vouches for the archive,
//! the install keeps only what it proved ([`super::proven_set`]). Releases before 1.21, GOSUMDB=off, a GONOSUMDB/GOPRIVATE
//! match and an unreachable database leave the sha256 checks alone, and say so;
//! `require_checksum_database = true` in the user's config makes the proof mandatory.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use gv_core::Version;
use gv_core::config::Config;

use super::goproxy::ProxySource;
use crate::archive::dirhash::{self, FileSum};
use crate::go_settings::{self, GoSettings, TOOLCHAIN_MODULE};
use crate::sources::Platform;
use crate::sources::fetch::Http;
use crate::sources::goproxy::ToolchainVersion;
use crate::sources::sumdb::{self, SumDbError};

/// The user's config key that makes the database's proof mandatory.
pub const REQUIRE_KEY: &str = gv_core::settings::REQUIRE_CHECKSUM_DATABASE;

/// The top-level directories of a release archive that the toolchain module leaves out
/// (`cmd/distpack`: `api/**`, `doc/**`, `misc/**`, `test/**` match the first path element).
pub(super) const NOT_IN_MODULE: [&str; 4] = ["api", "doc", "misc", "test"];

/// The first Go release that is also a toolchain module.
const FIRST_MODULE_MINOR: (u64, u64) = (1, 21);

/// Who may vouch for an archive, and whether someone must.
#[derive(Debug, Clone)]
pub struct Policy {
    /// GOPROXY (a proxy may serve the database), GOSUMDB, GONOSUMDB/GOPRIVATE, as the go
    /// command would see them; `None` when they could not be read.
    pub settings: Option<GoSettings>,
    /// `require_checksum_database = true`: without a proof, nothing is installed.
    pub require: bool,
}

impl Policy {
    /// Go's settings from the environment and the `go env -w` file; the proof optional.
    pub fn from_env() -> Policy {
        Policy::read(&Config::default(), false)
    }

    /// The settings as [`Policy::from_env`], the user's config's `[env]` over them, and
    /// [`REQUIRE_KEY`] from the user's config (a project may not set it).
    pub fn load(config: &Config) -> Result<Policy, String> {
        let require = config
            .require_checksum_database()
            .map_err(|e| e.to_string())?
            .is_some_and(|setting| setting.value);
        Ok(Policy::read(config, require))
    }

    fn read(config: &Config, require: bool) -> Policy {
        let lookup = |name: &str| gv_core::process::var_os(name);
        Policy {
            settings: go_settings::load(config, &lookup).ok(),
            require,
        }
    }
}

/// What proved an SDK, or why nothing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// The database's record vouches for the `h1:` of the unpacked tree.
    Proven {
        /// The database's name (`sum.golang.org`).
        name: String,
        record: i64,
        /// The size of the signed tree the record was proven in (0 when not known).
        tree_size: i64,
        h1: String,
        /// Read from the download cache's record, as proven when it was downloaded.
        recorded: bool,
    },
    /// No database could prove it; the sha256 checks stand alone.
    Unproven { why: String },
}

impl Proof {
    /// The line the download cache's record keeps (see [`recorded_in`]).
    pub fn record_line(&self) -> Option<String> {
        match self {
            Proof::Proven {
                name,
                record,
                tree_size,
                h1,
                ..
            } => Some(format!(
                "{PROVEN_BY} {name} record {record} tree {tree_size} {h1}"
            )),
            Proof::Unproven { .. } => None,
        }
    }
}

impl std::fmt::Display for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Proof::Proven {
                name,
                record,
                h1,
                recorded: false,
                ..
            } => write!(f, "proven by {name} (record {record}): {h1}"),
            Proof::Proven {
                name,
                record,
                h1,
                recorded: true,
                ..
            } => write!(
                f,
                "proven by {name} (record {record}) when it was downloaded: {h1}"
            ),
            Proof::Unproven { why } => write!(f, "no database proof: {why}"),
        }
    }
}

/// The line of a cached download's record that keeps its proof.
const PROVEN_BY: &str = "proven-by";

/// The proof kept in a download cache record (`proven-by NAME record N tree M h1:...`),
/// if it has a well-formed one.
pub fn parse_recorded(text: &str) -> Option<Proof> {
    text.lines().find_map(|line| {
        let mut words = line.split(' ');
        if words.next()? != PROVEN_BY {
            return None;
        }
        let name = words.next().filter(|n| valid_name(n))?;
        (words.next()? == "record").then_some(())?;
        let record = words.next()?.parse::<i64>().ok().filter(|n| *n >= 0)?;
        (words.next()? == "tree").then_some(())?;
        let tree_size = words.next()?.parse::<i64>().ok().filter(|n| *n >= 0)?;
        let h1 = words.next().filter(|h| valid_h1(h))?;
        words.next().is_none().then(|| Proof::Proven {
            name: name.to_string(),
            record,
            tree_size,
            h1: h1.to_string(),
            recorded: true,
        })
    })
}

/// The proof recorded in the download cache's `.sha256` file at `path`.
pub fn recorded_in(path: &Path) -> Option<Proof> {
    gv_core::limits::read_file_string(path, gv_core::limits::CHECKSUM_FILE)
        .ok()
        .and_then(|text| parse_recorded(&text))
}

/// A database name as it may be printed: host[/path], nothing else.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/".contains(&b))
}

/// `h1:` and the base64 of a SHA-256.
fn valid_h1(h1: &str) -> bool {
    h1.strip_prefix("h1:").is_some_and(|b64| {
        b64.len() == 44
            && b64.ends_with('=')
            && b64[..43]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    })
}

/// The tree is not what the database (or the proof recorded with the download) vouches for.
#[derive(Debug, Error)]
#[error(
    "SECURITY ERROR: {archive} is not the Go {version} that {vouch} vouches for:\n  archive   {got}\n  expected  {want}\n  (the h1: of {TOOLCHAIN_MODULE}@{module_version}: the archive's files but api/, doc/, misc/ and test/)"
)]
pub struct Mismatch {
    archive: String,
    version: String,
    module_version: String,
    vouch: String,
    got: String,
    want: String,
}

#[derive(Debug, Error)]
pub enum ProofError {
    /// Boxed: the error stays small enough to return by value.
    #[error(transparent)]
    Mismatch(Box<Mismatch>),
    #[error("cannot read Go's checksum database settings: {0}")]
    Settings(String),
    #[error(transparent)]
    Database(#[from] SumDbError),
    #[error("`{REQUIRE_KEY} = true` and nothing proves {archive} genuine: {why}")]
    Required { archive: String, why: String },
    #[error("cannot read the unpacked {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl gv_core::error::Hint for ProofError {
    fn hint(&self) -> Option<String> {
        match self {
            ProofError::Mismatch(_) => Some("nothing was installed and nothing was cached. Whoever served this archive changed its content (and its sha256 with it, if that matched): install from go.dev or another mirror, and report it to whoever runs this one".to_string()),
            ProofError::Settings(_) => Some("fix GOPROXY/GOSUMDB (the environment, `go env -w`, or [env] in gv's config)".to_string()),
            ProofError::Database(e) => gv_core::error::Hint::hint(e),
            ProofError::Required { .. } => Some(format!("nothing was installed. Make the checksum database reachable (GOSUMDB, GOPROXY), install Go 1.21 or later, or set {REQUIRE_KEY} = false in your config.toml")),
            ProofError::Read { .. } => Some("nothing was installed".to_string()),
        }
    }
}

/// What to prove, and how.
pub struct Ask<'a> {
    /// The archive's name, for messages.
    pub archive: &'a str,
    pub version: &'a Version,
    pub platform: &'a Platform,
    pub policy: &'a Policy,
    /// `$GV_ROOT/sumdb`: the tree heads gv has accepted.
    pub state_dir: PathBuf,
    /// The proof kept with the cached download this tree came from; trusted instead of
    /// the network (the cache record is gv's own, like the sha256 beside it).
    pub recorded: Option<Proof>,
    /// Never ask the network (`--offline`).
    pub offline: bool,
    /// `--insecure-skip-checksum`: a missing proof is no error even when required.
    pub insecure: bool,
}

/// Proves the unpacked SDK in `goroot` (before it is published), or says why nothing can.
/// A database record that disagrees with the tree is a [`ProofError::Mismatch`].
pub fn prove(goroot: &Path, ask: &Ask<'_>) -> Result<Proof, ProofError> {
    let proof = prove_inner(goroot, ask)?;
    match &proof {
        Proof::Unproven { why } if ask.policy.require && !ask.insecure => {
            Err(ProofError::Required {
                archive: ask.archive.to_string(),
                why: why.clone(),
            })
        }
        _ => Ok(proof),
    }
}

fn prove_inner(goroot: &Path, ask: &Ask<'_>) -> Result<Proof, ProofError> {
    let unproven = |why: String| Ok(Proof::Unproven { why });
    if ask.version.language() < FIRST_MODULE_MINOR {
        return unproven(format!(
            "Go {} predates the toolchain module (the checksum database has Go 1.21 and later)",
            ask.version
        ));
    }
    let module_version = ToolchainVersion::new(ask.version.clone(), ask.platform).module_version();
    let mismatch = |vouch: String, got: String, want: &str| {
        ProofError::Mismatch(Box::new(Mismatch {
            archive: ask.archive.to_string(),
            version: ask.version.to_string(),
            module_version: module_version.clone(),
            vouch,
            got,
            want: want.to_string(),
        }))
    };
    if let Some(Proof::Proven {
        name,
        record,
        tree_size,
        h1: want,
        ..
    }) = &ask.recorded
    {
        let got = shown(tree_h1(goroot, &module_version)?);
        if got != *want {
            return Err(mismatch(
                format!("the record {name} proved when it was downloaded"),
                got,
                want,
            ));
        }
        return Ok(Proof::Proven {
            name: name.clone(),
            record: *record,
            tree_size: *tree_size,
            h1: want.clone(),
            recorded: true,
        });
    }
    if ask.offline {
        return unproven("--offline, and the download cache kept no proof for it".to_string());
    }
    let Some(settings) = &ask.policy.settings else {
        return unproven("GOSUMDB and GOPROXY could not be read".to_string());
    };
    let src = ProxySource::new(settings.clone())
        .map_err(|e| ProofError::Settings(gv_core::error::chain(&e).to_string()))?;
    if let Some(why) = src.sumdb_exception() {
        return unproven(why);
    }
    let sumdb::Choice::Database(db) = &src.sumdb else {
        return unproven(format!(
            "{} turns the checksum database off",
            settings.gosumdb
        ));
    };
    let http = Http::new().map_err(|e| ProofError::Settings(e.to_string()))?;
    // The tree is hashed while the database is asked.
    let (computed, looked_up) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| tree_h1(goroot, &module_version));
        let looked_up = db.verify(
            &http,
            &src.proxies,
            &ask.state_dir,
            TOOLCHAIN_MODULE,
            &module_version,
        );
        let computed = hashing.join().unwrap_or_else(|_| {
            Err(ProofError::Read {
                path: goroot.to_path_buf(),
                source: std::io::Error::other("the hashing thread panicked"),
            })
        });
        (computed, looked_up)
    });
    let verified = match looked_up {
        Ok(v) => v,
        Err(SumDbError::Unreachable { name, cause }) => {
            return unproven(format!(
                "cannot reach the checksum database {name} ({cause})"
            ));
        }
        Err(SumDbError::NoRecord { name, .. }) => {
            return unproven(format!(
                "the checksum database {name} has no record of {TOOLCHAIN_MODULE}@{module_version}, which every Go release since 1.21 has: a build Go never published?"
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let got = shown(computed?);
    if got != verified.h1 {
        return Err(mismatch(
            format!("the checksum database {}", verified.name),
            got,
            &verified.h1,
        ));
    }
    Ok(Proof::Proven {
        name: verified.name,
        record: verified.record,
        tree_size: verified.tree_size,
        h1: verified.h1,
        recorded: false,
    })
}

/// The tree's `h1:`, or what keeps it from being a module at all (then no record can
/// match it).
fn shown(h1: Result<String, String>) -> String {
    h1.unwrap_or_else(|why| format!("none: {why}"))
}

/// The name a file of a release archive (`rel`, relative to its `go/`, `/`-separated) has
/// in the toolchain module `golang.org/toolchain@<module_version>`, or `None` when the
/// module leaves it out.
pub fn module_name(module_version: &str, rel: &str) -> Option<String> {
    let first = rel.split('/').next().unwrap_or(rel);
    if NOT_IN_MODULE.contains(&first) {
        return None;
    }
    let renamed = match rel.strip_suffix("go.mod") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("{dir}_go.mod"),
        _ => rel.to_string(),
    };
    Some(format!("{TOOLCHAIN_MODULE}@{module_version}/{renamed}"))
}

/// The `h1:` of the toolchain module an unpacked release tree is; the inner `Err` says
/// why the tree cannot be a module at all (then no record can match it).
fn tree_h1(goroot: &Path, module_version: &str) -> Result<Result<String, String>, ProofError> {
    Ok(match module_files(goroot, module_version)? {
        Ok(mut sums) => {
            dirhash::hash1(&mut sums).ok_or_else(|| "a file name holds a line break".to_string())
        }
        Err(why) => Err(why),
    })
}

/// The files of the toolchain module `golang.org/toolchain@<module_version>` that the
/// unpacked release tree `goroot` is, named and hashed as the module zip has them. The
/// outer error is a failure to read; the inner `Err` names the first entry no release
/// archive has (a link, a special file, a name that is not UTF-8).
pub fn module_files(
    goroot: &Path,
    module_version: &str,
) -> Result<Result<Vec<FileSum>, String>, ProofError> {
    let mut files = Vec::new();
    if let Err(why) = list_files(goroot, goroot, &mut files)? {
        return Ok(Err(why));
    }
    let named: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter_map(|(rel, path)| module_name(module_version, &rel).map(|name| (name, path)))
        .collect();
    Ok(Ok(hash_files(&named)?))
}

/// Every regular file under `dir`, with its `/`-separated name relative to `root`. The
/// inner `Err` names the first entry no release archive has (links, devices, names that
/// are not UTF-8): the module cannot contain it, so the tree cannot be the module.
fn list_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<Result<(), String>, ProofError> {
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ProofError::Read { path, source }
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(read_err(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let Some(name) = rel.to_str().map(|s| s.replace('\\', "/")) else {
            return Ok(Err(format!(
                "the archive holds a name that is not UTF-8 ({})",
                gv_core::text::one_line(&rel.to_string_lossy())
            )));
        };
        let kind = entry.file_type().map_err(read_err(&path))?;
        if kind.is_dir() {
            if let Err(why) = list_files(root, &path, out)? {
                return Ok(Err(why));
            }
        } else if kind.is_file() {
            out.push((name, path));
        } else {
            let what = if kind.is_symlink() {
                "a symbolic link"
            } else {
                "a special file"
            };
            return Ok(Err(format!(
                "the archive holds {what} at {}, which no Go release has",
                gv_core::text::one_line(&name)
            )));
        }
    }
    Ok(Ok(()))
}

/// The SHA-256 of each file, on a few threads (an SDK is some 10,000 files, 230 MB).
fn hash_files(files: &[(String, PathBuf)]) -> Result<Vec<FileSum>, ProofError> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(name, path)| {
                            Ok(FileSum {
                                name: name.clone(),
                                sha256: sha256_file(path)?,
                            })
                        })
                        .collect::<Result<Vec<_>, ProofError>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(files.len());
        for handle in handles {
            let part = handle.join().unwrap_or_else(|_| {
                Err(ProofError::Read {
                    path: PathBuf::new(),
                    source: std::io::Error::other("a hashing thread panicked"),
                })
            })?;
            out.extend(part);
        }
        Ok(out)
    })
}

fn sha256_file(path: &Path) -> Result<[u8; 32], ProofError> {
    let read_err = |source| ProofError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(read_err)?;
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MV: &str = "v0.0.1-go1.23.1.linux-amd64";

    /// cmd/distpack's rules, one by one: the four top-level directories go (only at the
    /// top: `amatch` matches `X/**` against the first element), every go.mod — and only a
    /// file named exactly go.mod — becomes _go.mod, go.sum stays, the prefix is the
    /// module's.
    #[test]
    fn the_module_layout_of_a_release_file() {
        let name = |rel| module_name(MV, rel);
        assert_eq!(
            name("src/go.mod").as_deref(),
            Some("golang.org/toolchain@v0.0.1-go1.23.1.linux-amd64/src/_go.mod")
        );
        assert_eq!(
            name("src/cmd/vet/testdata/rangeloop/go.mod").as_deref(),
            Some(
                "golang.org/toolchain@v0.0.1-go1.23.1.linux-amd64/src/cmd/vet/testdata/rangeloop/_go.mod"
            )
        );
        assert_eq!(
            name("src/go.sum").as_deref(),
            Some("golang.org/toolchain@v0.0.1-go1.23.1.linux-amd64/src/go.sum")
        );
        assert_eq!(
            name("src/notgo.mod").as_deref(),
            Some("golang.org/toolchain@v0.0.1-go1.23.1.linux-amd64/src/notgo.mod")
        );
        for gone in [
            "api/go1.txt",
            "doc/go_spec.html",
            "misc/go.mod",
            "test/x.go",
        ] {
            assert_eq!(name(gone), None, "{gone}");
        }
        for kept in [
            "src/cmd/api/main.go",
            "src/internal/test/x.go",
            "lib/wasm/wasm_exec.js",
            "apis/x",
            "VERSION",
            "bin/go",
            "pkg/tool/linux_amd64/compile",
        ] {
            assert!(name(kept).is_some(), "{kept}");
        }
    }

    #[test]
    fn the_requirement_comes_from_the_users_config_as_a_boolean() {
        use gv_core::config::ConfigFile;
        let user = |text: &str| Config {
            user: Some(ConfigFile::parse(Path::new("/u/config.toml"), text).unwrap()),
            ..Config::default()
        };
        assert!(!Policy::load(&Config::default()).unwrap().require);
        assert!(
            Policy::load(&user("require_checksum_database = true\n"))
                .unwrap()
                .require
        );
        assert!(
            !Policy::load(&user("require_checksum_database = false\n"))
                .unwrap()
                .require
        );
        let err = Policy::load(&user("require_checksum_database = \"yes\"\n")).unwrap_err();
        assert!(
            err.contains("/u/config.toml") && err.contains("must be true or false"),
            "{err}"
        );
    }

    #[test]
    fn a_recorded_proof_reads_back_and_nothing_else_does() {
        let h1 = format!("h1:{}=", "A".repeat(43));
        let proof = Proof::Proven {
            name: "sum.golang.org".into(),
            record: 24929362,
            tree_size: 28905453,
            h1: h1.clone(),
            recorded: false,
        };
        let line = proof.record_line().unwrap();
        let text = format!(
            "{}  f.tar.gz\nverified-against http://x\n{line}\n",
            "a".repeat(64)
        );
        assert_eq!(
            parse_recorded(&text),
            Some(Proof::Proven {
                name: "sum.golang.org".into(),
                record: 24929362,
                tree_size: 28905453,
                h1: h1.clone(),
                recorded: true,
            })
        );
        for bad in [
            format!("proven-by sum.golang.org record -1 tree 5 {h1}"),
            format!("proven-by sum.golang.org record 1 tree 5 {h1} extra"),
            format!("proven-by sum\u{1b}[31m record 1 tree 5 {h1}"),
            "proven-by sum.golang.org record 1 tree 5 h1:short=".to_string(),
            format!("proven-by  record 1 tree 5 {h1}"),
        ] {
            assert_eq!(parse_recorded(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_h1_of_a_tree_follows_the_module_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, data) in [
            ("VERSION", "go1.23.1\ntime 2024-01-01T00:00:00Z\n"),
            ("src/go.mod", "module std\n"),
            ("api/go1.txt", "ignored"),
            ("misc/x", "ignored"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        }
        let sum = |name: &str, data: &str| FileSum {
            name: format!("golang.org/toolchain@{MV}/{name}"),
            sha256: Sha256::digest(data).into(),
        };
        let want = dirhash::hash1(&mut [
            sum("VERSION", "go1.23.1\ntime 2024-01-01T00:00:00Z\n"),
            sum("src/_go.mod", "module std\n"),
        ])
        .unwrap();
        assert_eq!(tree_h1(root, MV).unwrap(), Ok(want));
        // Where links cannot be made (Windows without the privilege; wine makes something
        // else), there is none to refuse.
        let link = root.join("src/link");
        if gv_core::platform::symlink(Path::new("VERSION"), &link).is_ok()
            && std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink())
        {
            let why = tree_h1(root, MV).unwrap().unwrap_err();
            assert!(why.contains("a symbolic link at src/link"), "{why}");
        }
    }

    mod generated {
        use super::super::*;
        use base64::Engine as _;
        use proptest::prelude::*;

        fn segment() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("go.mod".to_string()),
                Just("_go.mod".to_string()),
                Just("api".to_string()),
                Just("doc".to_string()),
                Just("misc".to_string()),
                Just("test".to_string()),
                Just("xgo.mod".to_string()),
                "[a-z_.]{1,8}",
            ]
        }

        proptest! {
            #![proptest_config(crate::test_config::proptest())]

            /// What gv writes into a cache record, it reads back exactly.
            #[test]
            fn a_record_line_reads_back(
                name in "[a-z0-9][a-z0-9.-]{0,30}(/[a-z0-9_~]{1,8})?",
                record in 0i64..i64::MAX,
                tree_size in 0i64..i64::MAX,
                digest in proptest::array::uniform32(any::<u8>()),
                before in "[ -~\n]{0,40}",
            ) {
                let h1 = format!(
                    "h1:{}",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                );
                let proof = Proof::Proven {
                    name: name.clone(),
                    record,
                    tree_size,
                    h1: h1.clone(),
                    recorded: false,
                };
                // Whatever precedes it on other lines (a line that happens to start
                // with the keyword would be read first, so none does here).
                let before = before.replace("proven-by", "proven_by");
                let text = format!("{before}\n{}\n", proof.record_line().unwrap());
                prop_assert_eq!(
                    parse_recorded(&text),
                    Some(Proof::Proven { name, record, tree_size, h1, recorded: true })
                );
            }

            /// Any text, hostile or damaged: no panic, and what is read is printable.
            #[test]
            fn any_record_text_is_read_safely(
                words in proptest::collection::vec(
                    prop_oneof![
                        Just("proven-by".to_string()),
                        Just("record".to_string()),
                        Just("tree".to_string()),
                        "[0-9-]{1,20}",
                        "h1:[A-Za-z0-9+/=]{40,46}",
                        "\\PC{0,12}",
                        "[\u{0}-\u{1f}\u{7f}\u{202e}]{1,3}",
                    ],
                    0..10,
                ),
                separator in prop_oneof![Just(" "), Just("  "), Just("\n"), Just("\t")],
            ) {
                let text = words.join(separator);
                if let Some(Proof::Proven { name, h1, record, tree_size, .. }) = parse_recorded(&text) {
                    prop_assert!(valid_name(&name) && valid_h1(&h1));
                    prop_assert!(record >= 0 && tree_size >= 0);
                    prop_assert!(!name.chars().chain(h1.chars()).any(char::is_control));
                }
            }

            /// cmd/distpack's layout for any path: out exactly when its first element is
            /// api, doc, misc or test; a file named go.mod (and only that) renamed
            /// _go.mod; everything else kept as it is, under the module's prefix.
            #[test]
            fn the_module_layout_of_any_path(segments in proptest::collection::vec(segment(), 1..6)) {
                let rel = segments.join("/");
                let got = module_name("v0.0.1-go1.22.10.linux-amd64", &rel);
                let out = ["api", "doc", "misc", "test"].contains(&segments[0].as_str());
                prop_assert_eq!(got.is_none(), out);
                if let Some(name) = got {
                    let rest = name
                        .strip_prefix("golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/")
                        .expect("the module's prefix");
                    let mut want = segments.clone();
                    if want.last().is_some_and(|l| l == "go.mod") {
                        *want.last_mut().unwrap() = "_go.mod".to_string();
                    }
                    prop_assert_eq!(rest, want.join("/"));
                }
            }
        }
    }
}
