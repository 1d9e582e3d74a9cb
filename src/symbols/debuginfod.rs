//! gv as a debuginfod client: debug information (or a stripped executable) that the
//! symbol store lacks is fetched from the servers `DEBUGINFOD_URLS` names, as
//! `debuginfod-find` would (`GET URL/buildid/ID/debuginfo`, `…/executable`), checked to
//! carry the build ID asked for, and filed in the store. The debuggers gv starts then see
//! local files only.
//!
//! A server's answer is outside input: its announced size is checked before a byte is
//! read, the body is read with a cap and a progress rule ([`super::limits`]), and the
//! file is parsed and its build ID compared before it enters the store. An answer that
//! fails any of these is thrown away and the next server is asked.

use std::io::{self, Read, Write};

use super::build_id::BuildId;
use super::limits;
use super::store::{Record, SymbolStore};
use crate::sources::fetch::{FetchError, Http};

/// What to ask a server for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    Debuginfo,
    Executable,
}

impl Artifact {
    fn path(self) -> &'static str {
        match self {
            Artifact::Debuginfo => "debuginfo",
            Artifact::Executable => "executable",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Artifact::Debuginfo => "debug information",
            Artifact::Executable => "executable",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DebuginfodError {
    #[error(
        "{url} announces {} of {what}, more than gv accepts ({})",
        crate::ui::human_size(*size),
        crate::ui::human_size(limits::DEBUGINFOD_FILE)
    )]
    TooLarge {
        url: String,
        what: &'static str,
        size: u64,
    },
    #[error("{url} answered with a file that is not the {what} of build ID {id}: {why}")]
    Wrong {
        url: String,
        what: &'static str,
        id: BuildId,
        why: String,
    },
    #[error("cannot fetch {url}")]
    Transfer {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Store(#[from] super::store::StoreError),
}

impl gv_core::error::Hint for DebuginfodError {
    fn hint(&self) -> Option<String> {
        match self {
            DebuginfodError::Wrong { .. } => Some(
                "the server indexes another build under this ID, or is not a debuginfod server; check DEBUGINFOD_URLS".into(),
            ),
            DebuginfodError::Fetch(e) => gv_core::error::Hint::hint(e),
            DebuginfodError::Store(e) => gv_core::error::Hint::hint(e),
            _ => None,
        }
    }
}

/// The servers in `DEBUGINFOD_URLS` (whitespace-separated, as elfutils reads it): only
/// http and https URLs; the others are returned apart, for a warning.
pub fn servers(value: &str) -> (Vec<String>, Vec<String>) {
    value
        .split_whitespace()
        .map(|url| url.trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty())
        .partition(|url| {
            let lower = url.to_ascii_lowercase();
            (lower.starts_with("http://") || lower.starts_with("https://"))
                && reqwest::Url::parse(url).is_ok()
        })
}

/// The URL of `artifact` of `id` on `server`.
pub fn url(server: &str, id: &BuildId, artifact: Artifact) -> String {
    format!("{server}/buildid/{id}/{}", artifact.path())
}

/// What the servers said, one line each, for the message when none had it.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The store's file and the URL it came from.
    pub fetched: Option<(std::path::PathBuf, String)>,
    /// Servers that had nothing (404) or failed, with why.
    pub misses: Vec<String>,
}

/// Asks each server in turn for `artifact` of `id` until one gives a file that checks
/// out, and files it in `store`.
pub fn fetch(
    http: &Http,
    store: &SymbolStore,
    servers: &[String],
    id: &BuildId,
    artifact: Artifact,
    quiet: bool,
) -> Outcome {
    let mut outcome = Outcome::default();
    for server in servers {
        let url = url(server, id, artifact);
        match fetch_one(http, store, &url, id, artifact, quiet) {
            Ok(path) => {
                outcome.fetched = Some((path, url));
                return outcome;
            }
            Err(DebuginfodError::Fetch(FetchError::NotFound { .. })) => {
                outcome.misses.push(format!("{url}: not found"));
            }
            // A miss is one line of a warning: the error and its causes, no hint.
            Err(e) => outcome.misses.push(gv_core::error::chain(&e)),
        }
    }
    outcome
}

fn fetch_one(
    http: &Http,
    store: &SymbolStore,
    url: &str,
    id: &BuildId,
    artifact: Artifact,
    quiet: bool,
) -> Result<std::path::PathBuf, DebuginfodError> {
    let response = http.get(url)?;
    // elfutils' server announces the size in its own header as well.
    let announced = response
        .content_length()
        .or_else(|| response.header("x-debuginfod-size")?.parse().ok());
    if let Some(size) = announced.filter(|&s| s > limits::DEBUGINFOD_FILE) {
        return Err(DebuginfodError::TooLarge {
            url: url.to_string(),
            what: artifact.what(),
            size,
        });
    }
    let mut temp = store.temp_file(id)?;
    let progress = crate::install::progress::Progress::start(
        quiet,
        &format!(
            "gv: fetching the {} of build ID {} from {url}",
            artifact.what(),
            id.short()
        ),
        announced,
    );
    let transfer_error = |source| DebuginfodError::Transfer {
        url: url.to_string(),
        source,
    };
    // The response is held to the transfer rule (GV_LOW_SPEED_LIMIT/GV_LOW_SPEED_TIME).
    let mut body = gv_core::limits::Capped::new(response, limits::DEBUGINFOD_FILE);
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0u64;
    loop {
        let n = body.read(&mut buf).map_err(transfer_error)?;
        if n == 0 {
            break;
        }
        temp.write_all(&buf[..n]).map_err(transfer_error)?;
        got += n as u64;
        progress.set(got);
    }
    progress.finish();
    temp.flush().map_err(transfer_error)?;
    let wrong = |why: String| DebuginfodError::Wrong {
        url: url.to_string(),
        what: artifact.what(),
        id: id.clone(),
        why,
    };
    check_answer(temp.path(), id, artifact).map_err(wrong)?;
    match artifact {
        Artifact::Debuginfo => {
            let record = Record {
                source: Some(url.to_string()),
                ..Record::default()
            };
            store.add(id, temp, None, record)?;
            Ok(store.debug_path(id))
        }
        Artifact::Executable => Ok(store.add_executable(id, temp)?),
    }
}

/// An answer is what was asked for: ELF, the build ID asked for, and DWARF for debug
/// information (an executable with DWARF is debug information too, as debuginfod
/// serves it).
pub fn check_answer(
    path: &std::path::Path,
    id: &BuildId,
    artifact: Artifact,
) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if file.metadata().map_err(|e| e.to_string())?.len() == 0 {
        return Err("it is empty".into());
    }
    // SAFETY: a read-only map of gv's own temporary file, for this call only.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| e.to_string())?;
    check_bytes(&map, id, artifact)
}

pub fn check_bytes(data: &[u8], id: &BuildId, artifact: Artifact) -> Result<(), String> {
    use object::{Object as _, ObjectSection as _};
    match super::notes::elf_build_id(data)? {
        Some(found) if found == *id => {}
        Some(found) => return Err(format!("it has build ID {found}")),
        None => return Err("it has no GNU build ID".into()),
    }
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    match artifact {
        Artifact::Debuginfo => {
            let dwarf = file
                .section_by_name(".debug_info")
                .or_else(|| file.section_by_name(".zdebug_info"))
                .is_some_and(|s| s.size() > 0);
            if !dwarf {
                return Err("it has no DWARF (.debug_info)".into());
            }
        }
        Artifact::Executable => {
            if file.kind() != object::ObjectKind::Executable
                && file.kind() != object::ObjectKind::Dynamic
            {
                return Err(format!(
                    "it is an ELF file of kind {:?}, not an executable",
                    file.kind()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_read_as_elfutils_reads_them() {
        let (ok, other) = servers("  http://a:8002/ https://b/x\tftp://c file:///d javascript:x ");
        assert_eq!(ok, ["http://a:8002", "https://b/x"]);
        assert_eq!(other, ["ftp://c", "file:///d", "javascript:x"]);
        let id = BuildId::parse(&"ab".repeat(20)).unwrap();
        assert_eq!(
            url("http://a:8002", &id, Artifact::Debuginfo),
            format!("http://a:8002/buildid/{}/debuginfo", "ab".repeat(20))
        );
        assert_eq!(servers("").0.len(), 0);
    }

    #[test]
    fn answers_that_are_not_what_was_asked_are_refused() {
        let id = BuildId::parse(&"ab".repeat(20)).unwrap();
        for garbage in [&b""[..], b"<html>404</html>", b"\x7fELF\x02\x01\x01"] {
            assert!(check_bytes(garbage, &id, Artifact::Debuginfo).is_err());
        }
        // This test binary: ELF on Linux, whose build ID (if any) is not `id`; PE or
        // Mach-O elsewhere, refused as not ELF.
        let own = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let err = check_bytes(&own, &id, Artifact::Debuginfo).unwrap_err();
        let expected = if own.starts_with(b"\x7fELF") {
            "build ID"
        } else {
            "not ELF"
        };
        assert!(err.contains(expected), "{err}");
    }
}
