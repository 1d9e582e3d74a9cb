//! `gv doctor`: the checks behind it. Each check looks at one thing that makes a go command
//! run something other than what `gv current` reports — PATH order, a stale GOROOT,
//! GOTOOLCHAIN settings, a missing SDK, stale shims, an unwritable store, a broken config —
//! and returns a verdict with the fix. Discovery, config, selection and the env plan come
//! from the same session the shim uses, so doctor cannot disagree with it.
//!
//! One module per concern, in the order a user should fix things: `config` (the files and
//! their trust), `selection` (the version here and the global default), `path` (which
//! `go` runs, an exported GOROOT), `goenv` (goenv's shims and per-version GOPATH left
//! behind, the shared GOBIN off PATH), `hook` (the shell integration), `toolchain`
//! (GOTOOLCHAIN), `store` (shims and the store itself), `advisories` (known vulnerabilities
//! and end of support of the selected Go), `tools` (stale tools in GOBIN, a
//! delve that cannot debug the selected Go), `ide` (editor settings naming another Go).

mod advisories;
mod config;
mod goenv;
mod hook;
mod ide;
mod old_store;
mod path;
mod selection;
mod store;
mod toolchain;
mod tools;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use gv_core::Store;
use gv_core::session::Session;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Something a user may rely on (debugging, an editor) is off, but every `go` command
    /// still runs the right Go: reported with its fix, and doctor still exits 0.
    Warning,
    /// Something that makes `go` run the wrong thing or fail: doctor exits 1.
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// A short stable name: `path`, `goroot`, `gotoolchain`, ...
    pub name: &'static str,
    pub status: Status,
    pub message: String,
    /// What to do about a problem.
    pub fix: Option<String>,
}

impl Check {
    pub(crate) fn ok(name: &'static str, message: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Ok,
            message: message.into(),
            fix: None,
        }
    }

    pub(crate) fn problem(
        name: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            name,
            status: Status::Problem,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    /// A warning: shown with its fix, but not a reason for doctor to fail.
    pub(crate) fn warning(
        name: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            status: Status::Warning,
            ..Check::problem(name, message, fix)
        }
    }

    /// A problem that is an error: its message, and its hint as the fix (else `fallback`).
    pub(crate) fn error(
        name: &'static str,
        err: &(dyn std::error::Error + 'static),
        fallback: &str,
    ) -> Check {
        let report = gv_core::error::Report::with_hints(err, crate::error::hint_of);
        Check::problem(
            name,
            report.message,
            report.hint.unwrap_or_else(|| fallback.to_string()),
        )
    }

    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    pub fn is_problem(&self) -> bool {
        self.status == Status::Problem
    }
}

/// What doctor looks at: the session (store, directory, selection) and the environment
/// (`lookup("NAME")`).
pub struct Inputs<'a> {
    pub session: &'a Session,
    /// The gv-shim binary shims should be links of (`None`: not found).
    pub shim_binary: Option<PathBuf>,
    pub lookup: &'a dyn Fn(&str) -> Option<OsString>,
}

impl Inputs<'_> {
    pub(crate) fn var(&self, name: &str) -> Option<OsString> {
        (self.lookup)(name).filter(|v| !v.is_empty())
    }

    pub(crate) fn store(&self) -> &Store {
        self.session.store()
    }

    pub(crate) fn cwd(&self) -> &Path {
        self.session.cwd()
    }
}

/// Runs every check, in the order a user should fix them.
pub fn run(inputs: &Inputs<'_>) -> Vec<Check> {
    let mut checks = config::checks(inputs);
    let selection = selection::checks(inputs, &mut checks);
    let plan = inputs.session.plan().ok();
    checks.push(path::path_check(inputs, selection));
    checks.push(hook::hook_check(inputs));
    checks.extend(hook::stamp_check());
    checks.push(path::goroot_check(inputs, selection));
    checks.extend(goenv::gobin_check(inputs));
    checks.extend(toolchain::gotoolchain_checks(
        inputs,
        selection,
        inputs.session.config().ok(),
        plan,
    ));
    checks.push(store::shims_check(inputs));
    checks.push(store::sdk_commands_check(inputs.store()));
    if let Some(selection) = selection {
        checks.extend(advisories::check(inputs, selection));
        checks.extend(tools::checks(inputs, selection, plan));
    }
    checks.extend(ide::checks(inputs, selection));
    checks.push(store::store_check(inputs.store()));
    checks.extend(old_store::checks(
        inputs.store(),
        gv_core::config::user_config_path().as_deref(),
        &gv_core::platform::legacy_store_dirs(),
    ));
    checks
}
