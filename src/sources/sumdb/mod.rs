//! A client of Go's checksum database (sum.golang.org by default): the record of a
//! module version, proven to be in the database's public, append-only log.
//!
//! For one lookup gv, like the go command:
//! 1. fetches `/lookup/<module>@<version>`: a record number, the go.sum lines, and the
//!    signed tree head (a [`note`]);
//! 2. checks the head's Ed25519 signature against the configured key (GOSUMDB);
//! 3. checks that the head is consistent with the last head gv accepted for this
//!    database — one tree is a prefix of the other, computed from the log's tiles
//!    ([`tlog::tree_hash`]) — and keeps the larger head in `$GV_ROOT/sumdb/<name>/latest`
//!    (Go keeps its own in `$GOPATH/pkg/sumdb`);
//! 4. checks that the record is in that tree: the record's hash must equal the leaf hash
//!    the authenticated tiles give for its number ([`tlog::read_hashes`]).
//!
//! A database that showed one client a different history than another (a fork), a proxy
//! that rewrote a record, or a forged signature all fail one of these steps.

pub mod note;
pub mod tlog;

use std::fs::File;
use std::path::{Path, PathBuf};

use thiserror::Error;

use self::note::{NoteError, Verifier};
use self::tlog::{Tile, TileSource, TlogError, Tree};
use super::fetch::Http;
use super::goproxy::{Entry, ProxyList, is_not_found, read_limited};
use crate::go_settings::Setting;
use gv_core::text::redact_url;

/// Go's databases use tiles of height 8.
const TILE_HEIGHT: u32 = 8;
/// The key Go ships for its own database.
pub const SUM_GOLANG_ORG: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

#[derive(Debug, Error)]
pub enum SumDbError {
    #[error("{setting} is not a checksum database: {why}")]
    Config { setting: String, why: String },
    #[error("cannot ask the checksum database {name}: {cause}")]
    Unreachable { name: String, cause: String },
    #[error("the checksum database {name} has no record of {module}@{version} ({cause})")]
    NoRecord {
        name: String,
        module: String,
        version: String,
        cause: String,
    },
    #[error("the answer from {url} is malformed: {why}")]
    Malformed { url: String, why: String },
    #[error("the tree head from {url} does not carry a valid signature of {name}")]
    Signature {
        url: String,
        name: String,
        #[source]
        source: NoteError,
    },
    #[error(
        "SECURITY ERROR: the checksum database {name} is not consistent with what gv saw before: its tree of {new_n} records {relation} the tree of {old_n} records gv accepted earlier ({state})."
    )]
    Fork {
        name: String,
        old_n: i64,
        new_n: i64,
        relation: &'static str,
        state: PathBuf,
    },
    #[error(
        "SECURITY ERROR: record {id} served by {url} is not the record the checksum database {name} signed: {why}."
    )]
    NotInLog {
        url: String,
        name: String,
        id: i64,
        why: String,
    },
    #[error(
        "the checksum database record for {module}@{version} has no h1: line for it (record {id})"
    )]
    NoHash {
        module: String,
        version: String,
        id: i64,
    },
    #[error("cannot keep the checksum database's tree head in {path}")]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the checksum database's tiles: {0}")]
    Tiles(String),
}

impl gv_core::error::Hint for SumDbError {
    fn hint(&self) -> Option<String> {
        match self {
            SumDbError::Config { .. } => Some("GOSUMDB is `off`, a known name (sum.golang.org), or `<name>+<hash>+<key> [URL]`".to_string()),
            SumDbError::Unreachable { name, .. } => Some(format!("nothing was installed; the toolchain cannot be proven genuine without it. Check the network, GOSUMDB and GOPROXY (a proxy may serve the database at <proxy>/sumdb/{name}/)")),
            SumDbError::NoRecord { .. } => Some("nothing was installed; a toolchain the database does not know cannot be verified".to_string()),
            SumDbError::Malformed { .. } => Some("nothing was installed; the proxy or database is broken or hostile".to_string()),
            SumDbError::Signature { .. } => Some("nothing was installed. The signature is what proves the records come from the database you trust (GOSUMDB); without it anyone could have written them".to_string()),
            SumDbError::Fork { state, .. } => Some(format!("nothing was installed. A log that rewrites its history is showing different clients different records — a forked, misbehaving or impersonated database. Report it; do not delete {} to make this go away", state.display())),
            SumDbError::NotInLog { .. } => Some("nothing was installed. A proxy (or database mirror) changed the go.sum lines in transit".to_string()),
            SumDbError::NoHash { .. } => Some("nothing was installed".to_string()),
            SumDbError::State { .. } => Some("check that GV_ROOT is writable".to_string()),
            SumDbError::Tiles(_) => Some("nothing was installed; the tiles the database served do not match its signed tree head (a broken or hostile proxy or database)".to_string()),
        }
    }
}

/// Which database vouches for toolchains, from GOSUMDB.
#[derive(Debug, Clone)]
pub enum Choice {
    /// GOSUMDB=off.
    Off,
    Database(Database),
}

#[derive(Debug, Clone)]
pub struct Database {
    pub verifier: Verifier,
    /// An explicit URL from GOSUMDB; `None`: a proxy's `/sumdb/<name>/`, else
    /// `https://<name>`.
    pub url: Option<String>,
    pub setting: Setting,
}

impl Choice {
    /// Parses GOSUMDB as the go command does.
    pub fn parse(setting: &Setting) -> Result<Choice, SumDbError> {
        let bad = |why: String| SumDbError::Config {
            setting: setting.to_string(),
            why,
        };
        let mut value = setting.value.trim().to_string();
        if value == "off" {
            return Ok(Choice::Off);
        }
        if value == "sum.golang.google.cn" {
            value = "sum.golang.org https://sum.golang.google.cn".to_string();
        }
        let fields: Vec<&str> = value.split_whitespace().collect();
        let (key, url) = match fields.as_slice() {
            [key] => (*key, None),
            [key, url] => (*key, Some(*url)),
            [] => return Err(bad("it is empty".into())),
            _ => return Err(bad("too many fields".into())),
        };
        let key = if key == "sum.golang.org" {
            SUM_GOLANG_ORG
        } else {
            key
        };
        let verifier = Verifier::parse(key).map_err(|e| bad(e.to_string()))?;
        if !valid_db_name(&verifier.name) {
            return Err(bad(format!(
                "the name `{}` is not host[/path]",
                verifier.name
            )));
        }
        let url = match url {
            Some(u)
                if u.starts_with("https://")
                    || u.starts_with("http://")
                    || u.starts_with("file:///") =>
            {
                Some(u.trim_end_matches('/').to_string())
            }
            Some(u) => {
                return Err(bad(format!(
                    "`{}` is not an http(s):// or file:// URL",
                    redact_url(u)
                )));
            }
            None => None,
        };
        Ok(Choice::Database(Database {
            verifier,
            url,
            setting: setting.clone(),
        }))
    }
}

/// A database name becomes a directory under `$GV_ROOT/sumdb/`: host[/path] only.
fn valid_db_name(name: &str) -> bool {
    !name.starts_with('/')
        && !name.ends_with('/')
        && name.split('/').all(|e| {
            !e.is_empty()
                && e != "."
                && e != ".."
                && e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~:".contains(&b))
        })
}

/// What the database vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The database's name (from its key).
    pub name: String,
    /// The module zip's hash, `h1:...`.
    pub h1: String,
    pub record: i64,
    /// The tree the record was proven in.
    pub tree_size: i64,
    /// Where the database was reached.
    pub url: String,
}

impl Database {
    pub fn name(&self) -> &str {
        &self.verifier.name
    }

    /// The base URL: GOSUMDB's, else the first proxy that says it serves this database
    /// (`<proxy>/sumdb/<name>/supported`), else the database itself — as the go command
    /// decides: proxies that answer 404/410, and reaching `direct` or `off`, mean "ask the
    /// database"; any other failure of a proxy that was asked is an error.
    fn base(&self, http: &Http, proxies: &ProxyList) -> Result<String, SumDbError> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let name = self.name();
        let mut failure = None;
        for entry in &proxies.entries {
            let (url, on_any_error) = match entry {
                Entry::Proxy { url, on_any_error } => (url, *on_any_error),
                Entry::Direct => {
                    failure = None;
                    break;
                }
                Entry::Off => break,
            };
            let base = format!("{url}/sumdb/{name}");
            match read_limited(
                http,
                &format!("{base}/supported"),
                gv_core::limits::SUMDB_ANSWER,
            ) {
                Ok(_) => return Ok(base),
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    failure = Some(redact_url(&e.to_string()));
                    if !on_any_error {
                        break;
                    }
                }
            }
        }
        match failure {
            Some(cause) => Err(SumDbError::Unreachable {
                name: name.to_string(),
                cause,
            }),
            None => Ok(format!("https://{name}")),
        }
    }

    /// Looks up `module@version` and proves the record genuine (see the module docs).
    /// `state_dir` is where accepted tree heads are kept (`$GV_ROOT/sumdb`).
    pub fn verify(
        &self,
        http: &Http,
        proxies: &ProxyList,
        state_dir: &Path,
        module: &str,
        version: &str,
    ) -> Result<Verified, SumDbError> {
        let name = self.name().to_string();
        let base = self.base(http, proxies)?;
        let url = format!("{base}/lookup/{module}@{version}");
        let answer = read_limited(http, &url, gv_core::limits::SUMDB_ANSWER).map_err(|e| {
            if is_not_found(&e) {
                SumDbError::NoRecord {
                    name: name.clone(),
                    module: module.to_string(),
                    version: version.to_string(),
                    cause: redact_url(&e.to_string()),
                }
            } else {
                SumDbError::Unreachable {
                    name: name.clone(),
                    cause: redact_url(&e.to_string()),
                }
            }
        })?;
        let malformed = |why: String| SumDbError::Malformed {
            url: redact_url(&url),
            why,
        };
        let (id, text, signed) =
            tlog::parse_record(&answer).map_err(|e| malformed(e.to_string()))?;
        let tree = self.open_tree(signed, &url)?;
        let mut tiles = HttpTiles {
            http,
            base: base.clone(),
        };
        let latest = self.merge_latest(tree, signed, state_dir, &mut tiles)?;

        if id >= latest.n {
            return Err(SumDbError::NotInLog {
                url: redact_url(&url),
                name,
                id,
                why: format!("the signed tree has only {} records", latest.n),
            });
        }
        let leaf = tlog::read_hashes(
            &latest,
            TILE_HEIGHT,
            &mut tiles,
            &[tlog::stored_hash_index(0, id)],
        )
        .map_err(|e| tile_error(e, &name))?;
        if leaf[0] != tlog::record_hash(text) {
            return Err(SumDbError::NotInLog {
                url: redact_url(&url),
                name,
                id,
                why: "its hash differs from the one in the signed tree".to_string(),
            });
        }

        let text = String::from_utf8_lossy(text);
        let want = format!("{module} {version} ");
        let h1 = text
            .lines()
            .filter_map(|l| l.strip_prefix(&want))
            .find(|h| h.starts_with("h1:"))
            .ok_or_else(|| SumDbError::NoHash {
                module: module.to_string(),
                version: version.to_string(),
                id,
            })?;
        Ok(Verified {
            name,
            h1: h1.to_string(),
            record: id,
            tree_size: latest.n,
            url: redact_url(&base),
        })
    }

    fn open_tree(&self, signed: &[u8], url: &str) -> Result<Tree, SumDbError> {
        let text = note::open(signed, &self.verifier).map_err(|source| SumDbError::Signature {
            url: redact_url(url),
            name: format!("{}+{:08x}", self.verifier.name, self.verifier.hash),
            source,
        })?;
        Tree::parse(text).map_err(|e| SumDbError::Malformed {
            url: redact_url(url),
            why: e.to_string(),
        })
    }

    /// Checks `tree` against the stored head, stores it if it is newer, and returns the
    /// larger of the two. Serialised with a lock so concurrent installs agree.
    fn merge_latest(
        &self,
        tree: Tree,
        signed: &[u8],
        state_dir: &Path,
        tiles: &mut HttpTiles<'_>,
    ) -> Result<Tree, SumDbError> {
        let dir = state_dir.join(self.name());
        let path = dir.join("latest");
        let state_err = |source| SumDbError::State {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(state_err)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("latest.lock"))
            .map_err(state_err)?;
        lock.lock().map_err(state_err)?;

        let stored = match std::fs::read(&path) {
            Ok(bytes) if !bytes.is_empty() => {
                Some(self.open_tree(&bytes, &path.display().to_string())?)
            }
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(state_err(e)),
        };
        let name = self.name().to_string();
        let fork = |old_n, new_n, relation| SumDbError::Fork {
            name: name.clone(),
            old_n,
            new_n,
            relation,
            state: path.clone(),
        };
        match stored {
            Some(old) if old.n >= tree.n => {
                // The server's head is not newer: it must be a prefix of the one we hold.
                let prefix = tlog::tree_hash(tree.n, &old, TILE_HEIGHT, tiles)
                    .map_err(|e| tile_error(e, &name))?;
                if prefix != tree.hash {
                    return Err(fork(old.n, tree.n, "is not a prefix of"));
                }
                Ok(old)
            }
            old => {
                // A first head is trusted on its signature alone, as Go does (the
                // inclusion proof then checks its tiles add up to it).
                if let Some(old) = old {
                    let prefix = tlog::tree_hash(old.n, &tree, TILE_HEIGHT, tiles)
                        .map_err(|e| tile_error(e, &name))?;
                    if prefix != old.hash {
                        return Err(fork(old.n, tree.n, "does not extend"));
                    }
                }
                crate::fsutil::write_atomic(&path, signed).map_err(state_err)?;
                Ok(tree)
            }
        }
    }
}

fn tile_error(e: TlogError, name: &str) -> SumDbError {
    match e {
        TlogError::Fetch(cause) => SumDbError::Unreachable {
            name: name.to_string(),
            cause,
        },
        TlogError::InconsistentTiles | TlogError::TileSize { .. } => {
            SumDbError::Tiles(format!("{e} (the tiles served for {name})"))
        }
        other => SumDbError::Tiles(other.to_string()),
    }
}

/// Tiles over HTTP, fetched in parallel. A partial tile the server no longer has is read
/// from the full tile, cut to width (Go's client does the same).
struct HttpTiles<'a> {
    http: &'a Http,
    base: String,
}

impl HttpTiles<'_> {
    fn fetch(&self, tile: &Tile) -> Result<Vec<u8>, TlogError> {
        let want = tile.w as usize * tlog::HASH_SIZE;
        let mut last = None;
        for candidate in tlog::fallback_widths(tile) {
            let url = format!("{}/{}", self.base, candidate.path());
            let limit = (candidate.w as usize * tlog::HASH_SIZE) as u64;
            match read_limited(self.http, &url, limit) {
                Ok(mut data) => {
                    if data.len() >= want {
                        data.truncate(want);
                    }
                    return Ok(data);
                }
                Err(e) if is_not_found(&e) => last = Some(e),
                Err(e) => return Err(TlogError::Fetch(redact_url(&e.to_string()))),
            }
        }
        Err(TlogError::Fetch(last.map_or_else(
            || "no tile".to_string(),
            |e| redact_url(&e.to_string()),
        )))
    }
}

impl TileSource for HttpTiles<'_> {
    fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        let this = &*self;
        std::thread::scope(|scope| {
            let handles: Vec<_> = tiles
                .iter()
                .map(|tile| scope.spawn(move || this.fetch(tile)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(TlogError::Fetch("a tile fetch panicked".into())))
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go_settings::SettingOrigin;

    fn setting(value: &str) -> Setting {
        Setting {
            name: "GOSUMDB",
            value: value.to_string(),
            origin: SettingOrigin::Environment,
        }
    }

    /// A lookup answer sum.golang.org really gave (published in a blog post about
    /// GOSUMDB), checked with the key Go ships: pins the note format, the key encoding and
    /// the record layout against the real database.
    #[test]
    fn a_real_sum_golang_org_answer_verifies() {
        let answer = "24929362\n\
            golang.org/toolchain v0.0.1-go1.21.9.linux-amd64 h1:rRL9rPpsjKfpdDFcppvNgw1/dynUMrpDcTxdIwtyFR0=\n\
            golang.org/toolchain v0.0.1-go1.21.9.linux-amd64/go.mod h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=\n\
            \n\
            go.sum database tree\n\
            28905453\n\
            f3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n\
            \n\
            — sum.golang.org Az3grr4J9x4SApup87osjthKONInbYdbN37ZskrLF12HIbhDuxOBTzt8Z2jUKbCvxYWrw0yNgshddOzt7pZEl7aSCw8=\n";
        let (id, text, signed) = tlog::parse_record(answer.as_bytes()).unwrap();
        assert_eq!(id, 24929362);
        assert!(text.starts_with(b"golang.org/toolchain v0.0.1-go1.21.9.linux-amd64 h1:"));
        let key = note::Verifier::parse(SUM_GOLANG_ORG).unwrap();
        let tree = Tree::parse(note::open(signed, &key).unwrap()).unwrap();
        assert_eq!(tree.n, 28905453);
        // One changed character in the signed text and the signature no longer holds.
        let forged = String::from_utf8(signed.to_vec())
            .unwrap()
            .replace("28905453", "28905454");
        assert!(matches!(
            note::open(forged.as_bytes(), &key),
            Err(NoteError::InvalidSignature { .. })
        ));
    }

    #[test]
    fn gosumdb_values() {
        let Choice::Database(db) = Choice::parse(&setting("sum.golang.org")).unwrap() else {
            panic!("a database")
        };
        assert_eq!((db.name(), db.url.as_deref()), ("sum.golang.org", None));
        let Choice::Database(cn) = Choice::parse(&setting("sum.golang.google.cn")).unwrap() else {
            panic!("a database")
        };
        assert_eq!(cn.url.as_deref(), Some("https://sum.golang.google.cn"));
        let vkey = note::Verifier::encode("sum.test.example/db", &[7u8; 32]);
        let Choice::Database(own) =
            Choice::parse(&setting(&format!("{vkey} http://127.0.0.1:1/db/"))).unwrap()
        else {
            panic!("a database")
        };
        assert_eq!(own.url.as_deref(), Some("http://127.0.0.1:1/db"));
        assert!(matches!(
            Choice::parse(&setting("off")).unwrap(),
            Choice::Off
        ));
        for bad in [
            "",
            "nonsense",
            "sum.golang.org https://a https://b",
            &format!("{vkey} ftp://x"),
            &note::Verifier::encode("../evil", &[7u8; 32]),
        ] {
            assert!(Choice::parse(&setting(bad)).is_err(), "{bad}");
        }
    }
}
