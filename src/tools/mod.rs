//! Tools installed with `go install` into the GOBIN gv shares between versions: listing
//! them with the Go version and module each was built from (read from their build info by
//! the verify feature's reader), and the `go install PATH@VERSION` that rebuilds one.
//!
//! [`names`] maps short names (`dlv`, `gopls`) to packages, [`install`] runs `go install`,
//! [`stale`] says which tools to rebuild after a version change, and [`delve`] knows which
//! Go versions each delve release can debug.

pub mod delve;
pub mod install;
pub mod names;
pub mod stale;

use std::path::{Path, PathBuf};

use crate::inspect::{self, BuildInfo};
pub use install::Target;

/// One executable of a GOBIN.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    pub path: PathBuf,
    /// The build info, or why it could not be read (not a Go binary, damaged, ...).
    pub info: Result<BuildInfo, String>,
}

impl Tool {
    /// `(module path, module version)` from the build info's `mod` line.
    pub fn module(&self) -> Option<(&str, &str)> {
        let info = self.info.as_ref().ok()?;
        info.main_module.as_deref()?.split_once(' ')
    }

    /// The Go version that built this tool (`1.22.10` from `go1.22.10`), when readable.
    pub fn go_version(&self) -> Option<gv_core::Version> {
        let info = self.info.as_ref().ok()?;
        stale::parse_go_version(&info.go_version)
    }

    /// What `go install` needs to rebuild this tool: the main package's import path
    /// (`path` line) at the main module's version (`mod` line). Build info is outside
    /// input: a path or version that could pass for a flag is refused here.
    pub fn install_target(&self) -> Result<Target, String> {
        let info = self.info.as_ref().map_err(Clone::clone)?;
        let package = info
            .path
            .as_deref()
            .ok_or("its build info records no package path")?;
        match self.module() {
            Some((_, version)) if version != "(devel)" => {
                Target::new(package, version).map_err(|e| e.to_string())
            }
            Some(_) => Err(
                "it was built from a local checkout (version `(devel)`), not `go install PATH@VERSION`; rebuild it from its source directory"
                    .into(),
            ),
            None => Err("its build info records no module version".into()),
        }
    }
}

/// The executables in `gobin`, by name. A missing directory is an empty list.
pub fn list(gobin: &Path) -> std::io::Result<Vec<Tool>> {
    let entries = match std::fs::read_dir(gobin) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut tools: Vec<Tool> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let path = entry.path();
            if name.starts_with('.') || !gv_core::select::is_executable_file(&path) {
                return None;
            }
            let info = match inspect::build_info(&path) {
                Ok(Some(info)) => Ok(info),
                Ok(None) => Err("not a Go binary (no build info)".to_string()),
                Err(inspect::InspectError::NotABinary { .. }) => {
                    Err("not a Go binary (not an executable format)".to_string())
                }
                Err(e) => Err(e.to_string().lines().next().unwrap_or_default().to_string()),
            };
            Some(Tool { name, path, info })
        })
        .collect();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tools)
}
