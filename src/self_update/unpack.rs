//! Taking gv and gv-shim out of a verified release archive, into staged files next to
//! the installed ones (same directory, so the final step is a rename). Only those two
//! entries are read, by their exact names; nothing else in the archive is written.

use std::io::{Read, Write};
use std::path::Path;

use gv_core::platform;
use tempfile::TempPath;

use super::SelfError;
use super::replace::STAGED_PREFIX;
use crate::release::target::Target;

/// No gv binary comes near this; a bigger entry is not one.
pub const MAX_BINARY: u64 = 128 * 1024 * 1024;

/// The new binaries, staged in the installation's directory (deleted if dropped).
pub struct Staged {
    pub gv: TempPath,
    pub shim: TempPath,
}

pub fn binaries(
    archive: std::fs::File,
    name: &str,
    target: &Target,
    version: &str,
    dir: &Path,
) -> Result<Staged, SelfError> {
    let top = target.dir_name(version);
    let wanted = [
        format!("{top}/{}", target.exe("gv")),
        format!("{top}/{}", target.exe("gv-shim")),
    ];
    let bad = |why: String| SelfError::BadArchive {
        name: name.to_string(),
        why,
    };
    let mut found: [Option<TempPath>; 2] = [None, None];
    if target.archive == "zip" {
        let mut zip = zip::ZipArchive::new(archive).map_err(|e| bad(e.to_string()))?;
        for (i, path) in wanted.iter().enumerate() {
            let entry = zip
                .by_name(path)
                .map_err(|_| bad(format!("it has no {path}")))?;
            if entry.size() > MAX_BINARY {
                return Err(bad(format!("{path} is larger than {MAX_BINARY} bytes")));
            }
            found[i] = Some(stage(entry, dir, path, &bad)?);
        }
    } else {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
        let entries = tar.entries().map_err(|e| bad(e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| bad(e.to_string()))?;
            let path = entry.path().map_err(|e| bad(e.to_string()))?;
            let Some(i) = wanted.iter().position(|w| Path::new(w) == path) else {
                continue;
            };
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(bad(format!("{} is not a regular file", wanted[i])));
            }
            if entry.size() > MAX_BINARY {
                return Err(bad(format!(
                    "{} is larger than {MAX_BINARY} bytes",
                    wanted[i]
                )));
            }
            if found[i].is_some() {
                return Err(bad(format!("it holds {} twice", wanted[i])));
            }
            found[i] = Some(stage(entry, dir, &wanted[i], &bad)?);
        }
    }
    match found {
        [Some(gv), Some(shim)] => Ok(Staged { gv, shim }),
        [None, _] => Err(bad(format!("it has no {}", wanted[0]))),
        [_, None] => Err(bad(format!("it has no {}", wanted[1]))),
    }
}

/// Copies `entry` (at most [`MAX_BINARY`] bytes) into a new executable file in `dir`,
/// flushed to disk.
fn stage(
    entry: impl Read,
    dir: &Path,
    path: &str,
    bad: &dyn Fn(String) -> SelfError,
) -> Result<TempPath, SelfError> {
    let mut file = tempfile::Builder::new()
        .prefix(STAGED_PREFIX)
        // Windows runs only files named .exe: the staged gv is started before it is
        // renamed into place.
        .suffix(std::env::consts::EXE_SUFFIX)
        .tempfile_in(dir)
        .map_err(super::io("create a file in", dir))?;
    let copied = std::io::copy(&mut entry.take(MAX_BINARY + 1), file.as_file_mut())
        .map_err(|e| bad(format!("cannot unpack {path}: {e}")))?;
    if copied > MAX_BINARY {
        return Err(bad(format!("{path} is larger than {MAX_BINARY} bytes")));
    }
    file.as_file_mut()
        .flush()
        .and_then(|()| file.as_file().sync_all())
        .map_err(super::io("write", file.path()))?;
    platform::set_executable(file.path()).map_err(super::io("set permissions of", file.path()))?;
    Ok(file.into_temp_path())
}
