//! Known vulnerabilities and end of support for Go releases: a client of the Go
//! vulnerability database (GOVULNDB, laid out like https://vuln.go.dev, OSV entries)
//! and the release index's supported lines, judged as govulncheck judges a Go version.
//!
//! One job per file: `source` (GOVULNDB and reading one document, bounded), `load` (the
//! cache, refresh and `--offline`), `osv` (parsing the index and entries, IDs checked),
//! `semver` (Go versions as the database compares them), `judge` (which entries affect a
//! version, and the fix), `support` (the supported lines), `assess` (what `gv check`,
//! `gv doctor`, `gv current` and `gv list` say about a version, and the verdict files
//! the shim and the hook read: `gv_core::verdict`).

pub mod assess;
pub mod judge;
pub mod load;
pub mod osv;
#[cfg(test)]
mod proptests;
pub mod semver;
pub mod source;

use std::time::SystemTime;

use thiserror::Error;

use crate::sources::fetch::FetchError;
use crate::sources::index::Freshness;

/// The entries about the Go release (`stdlib`, `toolchain`) of one database.
#[derive(Debug, Clone)]
pub struct Database {
    /// Where it is, as shown (GOVULNDB).
    pub url: String,
    /// `index/db.json`'s time: the newest entry's modification (outside text).
    pub modified: String,
    pub entries: Vec<osv::Entry>,
    pub freshness: Freshness,
    /// When this copy was fetched.
    pub fetched: SystemTime,
}

#[derive(Debug, Error)]
pub enum VulnDbError {
    #[error("GOVULNDB=`{}` cannot be used: {why}", gv_core::text::one_line(value))]
    Setting { value: String, why: String },
    #[error("cannot fetch the Go vulnerability database")]
    Fetch {
        #[source]
        source: FetchError,
    },
    #[error(
        "{} is not what a Go vulnerability database serves: {}",
        gv_core::text::one_line(what),
        gv_core::text::one_line(why)
    )]
    Garbage { what: String, why: String },
    #[error("{} does not exist", gv_core::text::one_line(what))]
    Missing { what: String },
    #[error(
        "the vulnerability database at {url} lists {count} entries for the Go release, more than gv reads ({})",
        gv_core::limits::VULNDB_ENTRIES
    )]
    TooMany { url: String, count: usize },
    #[error("--offline was given but there is no cached vulnerability database for {url}")]
    OfflineNoCache { url: String },
}

impl gv_core::error::Hint for VulnDbError {
    fn hint(&self) -> Option<String> {
        let layout = "GOVULNDB must name one database laid out like https://vuln.go.dev (index/db.json, index/modules.json, ID/GO-YYYY-NNNN.json): an http(s) URL or a file:// copy";
        match self {
            VulnDbError::Setting { .. } | VulnDbError::Garbage { .. } | VulnDbError::Missing { .. } | VulnDbError::TooMany { .. } => {
                Some(layout.to_string())
            }
            VulnDbError::Fetch { source } => Some(gv_core::error::Hint::hint(source).unwrap_or_else(|| {
                "check the network (HTTPS_PROXY / NO_PROXY are honoured), point GOVULNDB at a mirror or a file:// copy, or use --offline with a cached copy".to_string()
            })),
            VulnDbError::OfflineNoCache { .. } => Some(
                "run `gv check` once with network access: it caches the database".to_string(),
            ),
        }
    }
}
