//! `gv doctor`: the checks behind it. Each check looks at one thing that makes a go command
//! run something other than what `gv current` reports — PATH order, a stale GOROOT,
//! GOTOOLCHAIN settings, a missing SDK, stale shims, an unwritable store, a broken config —
//! and returns a verdict with the fix. Selection, the env plan, the shim names and config
//! loading are gv's own (select, env::plan, shims::tool_names, Config::load): doctor asks
//! the same code the shim runs, so it cannot disagree with it.

mod old_store;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use gv_core::config::Config;
use gv_core::env::{self, EnvPlan, Gotoolchain};
use gv_core::select::{self, Discovery, Resolved, SelectEnv, SelectError, Selection};
use gv_core::{Store, pinfile};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
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

    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }
}

/// What doctor looks at: the store, selection inputs, the directory and the environment
/// (`lookup("NAME")`, so tests can vary it).
pub struct Inputs<'a> {
    pub store: &'a Store,
    pub select_env: &'a SelectEnv,
    pub cwd: &'a Path,
    /// The gv-shim binary shims should be links of (`None`: not found).
    pub shim_binary: Option<PathBuf>,
    pub lookup: &'a dyn Fn(&str) -> Option<OsString>,
}

impl Inputs<'_> {
    pub(crate) fn var(&self, name: &str) -> Option<OsString> {
        (self.lookup)(name).filter(|v| !v.is_empty())
    }
}

/// Runs every check, in the order a user should fix them.
pub fn run(inputs: &Inputs<'_>) -> Vec<Check> {
    let mut checks = Vec::new();
    let (config, found) = config_check(inputs, &mut checks);
    let selection = selection_check(inputs, found.as_ref(), &mut checks);
    global_check(inputs, &mut checks);
    let plan = match (&selection, &config) {
        (Some(selection), Some(config)) => match env::plan(selection, config, |n| inputs.var(n)) {
            Ok(plan) => Some(plan),
            Err(e) => {
                checks.push(Check::problem(
                    "config",
                    first_line(&e.to_string()),
                    "fix the value named above; `gv env` shows the result",
                ));
                None
            }
        },
        _ => None,
    };
    if let Some(plan) = &plan {
        // The trust check above already reports an untrusted project file.
        let untrusted = config.as_ref().and_then(|c| c.untrusted.as_ref());
        for warning in plan
            .warnings
            .iter()
            .filter(|w| untrusted.is_none_or(|u| u.path != w.about))
        {
            checks.push(Check::problem(
                "config",
                warning.text.clone(),
                "remove or rename the entry (see README, Configuration)",
            ));
        }
    }
    checks.push(path_check(inputs, selection.as_ref()));
    checks.push(hook_check(inputs));
    checks.extend(stamp_check());
    checks.push(goroot_check(inputs, selection.as_ref()));
    checks.extend(gotoolchain_checks(
        inputs,
        selection.as_ref(),
        config.as_ref(),
        plan.as_ref(),
    ));
    checks.push(shims_check(inputs));
    if let Some(selection) = &selection {
        checks.extend(crate::tools::health::checks(
            inputs,
            selection,
            plan.as_ref(),
        ));
    }
    checks.extend(crate::ide::check::checks(inputs, selection.as_ref()));
    checks.push(store_check(inputs.store));
    checks.extend(old_store::checks(
        inputs.store,
        gv_core::config::user_config_path().as_deref(),
        &gv_core::platform::legacy_store_dirs(),
    ));
    checks
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

fn config_check(
    inputs: &Inputs<'_>,
    checks: &mut Vec<Check>,
) -> (Option<Config>, Option<Discovery>) {
    let found = select::discover(inputs.cwd);
    // Reported even when GV_VERSION overrides it: the file is still broken.
    if let Some(Err(e)) = &found.pin {
        checks.push(Check::problem(
            "pin-files",
            first_line(&e.to_string()),
            "fix or remove the file named above",
        ));
    }
    for foreign in &found.foreign {
        let notice = foreign.notice();
        let (message, fix) = notice
            .text
            .split_once("\n  hint: ")
            .unwrap_or((&notice.text, "remove it"));
        checks.push(Check::problem("ownership", message, fix));
    }
    match Config::load(inputs.store, found.project_config.as_deref()) {
        Ok(config) => {
            let files: Vec<String> = config
                .files()
                .map(|f| f.path.display().to_string())
                .collect();
            checks.push(Check::ok(
                "config",
                if files.is_empty() {
                    "no config file (defaults apply)".to_string()
                } else {
                    format!("readable: {}", files.join(", "))
                },
            ));
            checks.extend(trust_check(&config));
            (Some(config), Some(found))
        }
        Err(e) => {
            checks.push(Check::problem(
                "config",
                first_line(&e.to_string()),
                "fix the file (or move it aside); every go command reads it",
            ));
            (None, Some(found))
        }
    }
}

/// Whether the project's gv.toml applies: trusted (and how), or ignored until trusted.
fn trust_check(config: &Config) -> Option<Check> {
    if let Some(untrusted) = &config.untrusted {
        let path = untrusted.path.display();
        let state = if untrusted.changed {
            "changed since you trusted it"
        } else {
            "is not trusted"
        };
        return Some(Check::problem(
            "trust",
            format!("{path} {state}, so gv ignores it"),
            format!(
                "review it with `gv trust --show {path}`, then `gv trust {path}` (or delete it)"
            ),
        ));
    }
    let project = config.project.as_ref()?;
    let how = config.trust.as_ref()?;
    Some(Check::ok(
        "trust",
        format!("{}: {how}", project.path.display()),
    ))
}

fn selection_check(
    inputs: &Inputs<'_>,
    found: Option<&Discovery>,
    checks: &mut Vec<Check>,
) -> Option<Selection> {
    let found = found?;
    let result = select::request(inputs.store, inputs.select_env, found)
        .and_then(|request| select::resolve(inputs.store, inputs.select_env, request));
    match result {
        // Already reported by the pin-files check.
        Err(SelectError::PinFile(_)) if matches!(found.pin, Some(Err(_))) => None,
        Ok(selection) => {
            checks.push(Check::ok(
                "selected",
                format!(
                    "Go {} ({})",
                    selection.resolved.name(),
                    selection.request.origin
                ),
            ));
            Some(selection)
        }
        Err(e) => {
            let text = e.to_string();
            let (message, hint) = text.split_once("\n  hint: ").unwrap_or((&text, ""));
            let fix = if hint.is_empty() {
                "see `gv current`".to_string()
            } else {
                hint.to_string()
            };
            checks.push(Check::problem("selected", message, fix));
            None
        }
    }
}

/// The global default must name an installed version, or `GV_ROOT/current` (IDEs) dangles.
fn global_check(inputs: &Inputs<'_>, checks: &mut Vec<Check>) {
    let global = inputs.store.global_file();
    let Ok(entries) = pinfile::read_go_version(&global) else {
        return;
    };
    let installed = inputs.store.installed().unwrap_or_default();
    let managed: Vec<_> = entries
        .specs
        .iter()
        .filter(|s| **s != gv_core::Spec::System)
        .collect();
    if managed.is_empty() || managed.iter().any(|s| s.best_match(&installed).is_some()) {
        return;
    }
    let wanted: Vec<String> = managed.iter().map(ToString::to_string).collect();
    checks.push(Check::problem(
        "global",
        format!(
            "the global default ({}) asks for Go {}, which is not installed",
            global.display(),
            wanted.join(" or ")
        ),
        format!(
            "gv install {}  (or `gv global` with an installed version)",
            wanted[0]
        ),
    ));
}

/// Which kind of `go` a PATH directory holds, when it is not gv's.
fn describe_foreign_go(dir: &Path, goroot_env: Option<&Path>) -> String {
    let text = dir.to_string_lossy();
    let manager = [
        (".goenv/shims", "goenv's shims"),
        ("goenv/shims", "goenv's shims"),
        (".gvm/", "gvm"),
        (".asdf/shims", "asdf's shims"),
        ("mise/shims", "mise's shims"),
        ("mise/installs", "a mise-installed Go"),
        (".asdf/installs", "an asdf-installed Go"),
    ]
    .iter()
    .find(|(needle, _)| text.contains(needle))
    .map(|(_, what)| *what);
    if let Some(what) = manager {
        return format!("{what} ({})", dir.display());
    }
    if goroot_env.is_some_and(|g| g.join("bin") == dir) {
        return format!("$GOROOT/bin of an exported GOROOT ({})", dir.display());
    }
    let parent = dir.parent();
    if parent.is_some_and(|p| p.join("src").is_dir() && p.join("VERSION").is_file()) {
        return format!(
            "the bin/ of a Go SDK put on PATH by hand, e.g. by an old rc file ({})",
            dir.display()
        );
    }
    format!("a system go ({})", dir.join("go").display())
}

/// gv's shims (or the hook's SDK bin/) must come before any other `go` on PATH.
fn path_check(inputs: &Inputs<'_>, selection: Option<&Selection>) -> Check {
    const FIX_INIT: &str = "put `eval \"$(gv init bash)\"` (or zsh/fish/powershell) at the END of your shell's rc file, after anything else that changes PATH";
    let shims = inputs.store.shims_dir();
    let path = inputs.var("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let shims_at = dirs.iter().position(|d| *d == shims);
    // The hook puts the selected SDK's bin/ first: that is gv's doing, not a rival.
    let hook_bin = selection.and_then(|s| match &s.resolved {
        Resolved::Managed { goroot, .. } => Some(goroot.join("bin")),
        Resolved::System { .. } => None,
    });
    let goroot_env = inputs.var("GOROOT").map(PathBuf::from);
    let first_go = dirs
        .iter()
        .enumerate()
        .find(|(_, d)| d.is_absolute() && gv_core::select::is_executable_file(&d.join("go")));
    let Some(shims_at) = shims_at else {
        let msg = match first_go {
            Some((_, dir)) if inputs.store.owns(dir) => format!(
                "gv's shims ({}) are not on PATH; `go` runs {} directly",
                shims.display(),
                dir.join("go").display()
            ),
            Some((_, dir)) => format!(
                "gv's shims ({}) are not on PATH; `go` is {}",
                shims.display(),
                describe_foreign_go(dir, goroot_env.as_deref())
            ),
            None => format!("gv's shims ({}) are not on PATH", shims.display()),
        };
        return Check::problem("path", msg, FIX_INIT);
    };
    match first_go {
        Some((i, dir))
            if i < shims_at
                && !inputs.store.owns(dir)
                && hook_bin.as_deref() != Some(dir.as_path()) =>
        {
            Check::problem(
                "path",
                format!(
                    "`go` resolves to {}, which comes before gv's shims on PATH",
                    describe_foreign_go(dir, goroot_env.as_deref())
                ),
                format!(
                    "remove {} from PATH in your rc file (or uninstall that Go manager), then {FIX_INIT}",
                    dir.display()
                ),
            )
        }
        _ => Check::ok(
            "path",
            format!("`go` resolves to gv ({} on PATH)", shims.display()),
        ),
    }
}

/// The shell hook is optional (the shims alone pick the version per directory), so its
/// absence is reported, never a problem. It exports `__GV_VARS` while it applies anything.
fn hook_check(inputs: &Inputs<'_>) -> Check {
    match inputs.var("__GV_VARS") {
        Some(vars) => Check::ok(
            "hook",
            format!(
                "the shell hook is active (applied:{})",
                vars.to_string_lossy()
            ),
        ),
        None => Check::ok(
            "hook",
            "the shell hook is not active in this shell (the shims still select per directory; `gv init` adds switching GOROOT/GOBIN in the shell itself)",
        ),
    }
}

/// The hook dates a stamp file per shell to notice files edited in place. A stamp
/// directory someone else made (a root shell that kept `XDG_RUNTIME_DIR`) silently turns
/// that off: the hook cannot say so at every cd, so doctor does. Nothing to report while
/// the directory does not exist (the first hook run creates it).
fn stamp_check() -> Option<Check> {
    use gv_core::watch::StampDirProblem;
    let dir = gv_core::watch::stamp_dir().ok()?;
    let meta = std::fs::symlink_metadata(&dir).ok()?;
    let (why, fix) = match gv_core::watch::check_stamp_dir(&meta) {
        Err(problem @ StampDirProblem::SharedWritable) => {
            (problem.to_string(), format!("chmod go-w {}", dir.display()))
        }
        Err(problem) => (
            problem.to_string(),
            format!(
                "remove it (it holds only empty stamp files): sudo rm -r {}",
                dir.display()
            ),
        ),
        Ok(()) if !writable(&dir) => (
            "is not writable".to_string(),
            format!("chmod u+w {}", dir.display()),
        ),
        Ok(()) => return None,
    };
    Some(Check::problem(
        "hook",
        format!(
            "{} {why}: the shell hook does not use it, so a .go-version or gv.toml edited in place is applied only at the next cd",
            dir.display()
        ),
        fix,
    ))
}

/// An exported GOROOT that names another SDK mixes two SDKs for anything run outside gv.
fn goroot_check(inputs: &Inputs<'_>, selection: Option<&Selection>) -> Check {
    let Some(exported) = inputs.var("GOROOT") else {
        return Check::ok("goroot", "GOROOT is not exported (gv sets it per command)");
    };
    let exported = PathBuf::from(exported);
    let Some(selected) = selection.and_then(|s| s.resolved.goroot()) else {
        return Check::ok(
            "goroot",
            format!(
                "GOROOT={} (no managed version to compare)",
                exported.display()
            ),
        );
    };
    let same = exported == selected
        || std::fs::canonicalize(&exported).ok() == std::fs::canonicalize(&selected).ok();
    if same {
        Check::ok(
            "goroot",
            format!("GOROOT={} matches the selected version", exported.display()),
        )
    } else {
        Check::problem(
            "goroot",
            format!(
                "GOROOT={} is exported but the selected version lives in {}; shims override it, but tools run outside gv mix two SDKs",
                exported.display(),
                selected.display()
            ),
            crate::ide::check::goroot_fix(inputs),
        )
    }
}

/// The file `go env -w` writes: `$GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
/// `$HOME/.config/go/env` (Go's os.UserConfigDir). `None` when GOENV=off.
pub fn go_env_file(lookup: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |n: &str| lookup(n).filter(|v| !v.is_empty());
    if let Some(goenv) = var("GOENV") {
        return (goenv != "off").then(|| PathBuf::from(goenv));
    }
    let config = match var("XDG_CONFIG_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(var("HOME")?).join(".config"),
    };
    Some(config.join("go").join("env"))
}

/// The value of `key` in a go env file (`KEY=VALUE` lines, `#` comments).
pub fn read_go_env_value(path: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .next_back()
}

/// Does this GOTOOLCHAIN value let the go command run a toolchain other than its own?
fn switches(value: &str) -> bool {
    !value.is_empty() && value != "local"
}

fn gotoolchain_checks(
    inputs: &Inputs<'_>,
    selection: Option<&Selection>,
    config: Option<&Config>,
    plan: Option<&EnvPlan>,
) -> Vec<Check> {
    let mut out = Vec::new();
    // What a go command run through gv sees: the plan's value when it has one.
    let planned = plan.and_then(|p| p.get("GOTOOLCHAIN"));
    let neutralised = planned.is_some_and(|v| v.is_applied() && v.value == "local");
    let neutral_note = if neutralised {
        "neutralised for go run through gv (it injects GOTOOLCHAIN=local), but IDEs and anything that runs an SDK's bin/go directly will switch"
    } else {
        "NOT neutralised: gv does not force GOTOOLCHAIN=local here, so go commands will switch"
    };

    match go_env_file(inputs.lookup) {
        Some(file) => match read_go_env_value(&file, "GOTOOLCHAIN") {
            Some(value) if switches(&value) => out.push(Check::problem(
                "go-env",
                format!(
                    "`go env -w` set GOTOOLCHAIN={value} in {}: go will download and run another toolchain when go.mod asks; {neutral_note}",
                    file.display()
                ),
                "go env -u GOTOOLCHAIN   (run it with any go; gv picks versions, not go)",
            )),
            Some(value) => out.push(Check::ok(
                "go-env",
                format!("GOTOOLCHAIN={value} in {}", file.display()),
            )),
            None => out.push(Check::ok(
                "go-env",
                format!("no GOTOOLCHAIN in {}", file.display()),
            )),
        },
        None => out.push(Check::ok("go-env", "GOENV=off: no go env file")),
    }

    if let Some(goroot) = selection.and_then(|s| s.resolved.goroot()) {
        let file = goroot.join("go.env");
        match read_go_env_value(&file, "GOTOOLCHAIN") {
            // Every SDK ships `auto`; only an edited file is the user's doing.
            Some(value) if switches(&value) && value != "auto" => out.push(Check::problem(
                "go.env",
                format!(
                    "{} was edited to GOTOOLCHAIN={value}; {neutral_note}",
                    file.display()
                ),
                "restore the SDK's file: `gv install --force` the version, or set GOTOOLCHAIN=auto there",
            )),
            Some(value) => out.push(Check::ok(
                "go.env",
                format!(
                    "{} ships GOTOOLCHAIN={value}{}",
                    file.display(),
                    if neutralised {
                        " (overridden by gv's local policy)"
                    } else {
                        ""
                    }
                ),
            )),
            None => out.push(Check::ok(
                "go.env",
                format!("no GOTOOLCHAIN in {}", file.display()),
            )),
        }
    }

    // The policy a go command run through gv ends up with.
    let deliberate = config
        .and_then(|c| c.get(env::GOTOOLCHAIN_KEY))
        .and_then(|(v, _)| v.as_str())
        .is_some_and(|v| v == Gotoolchain::Auto.as_str() || v == Gotoolchain::Inherit.as_str());
    match planned {
        Some(var) if !var.is_applied() => {
            let value = var.value.to_string_lossy();
            if switches(&value) {
                out.push(Check::problem(
                    "gotoolchain",
                    format!(
                        "your environment sets GOTOOLCHAIN={value}, which wins over gv's `{}` policy: go may switch toolchains behind gv's back",
                        var.overridden_by_user
                            .as_deref()
                            .map(OsStr::to_string_lossy)
                            .unwrap_or_default()
                    ),
                    "unset GOTOOLCHAIN in your rc file, or set `[env] GOTOOLCHAIN = { value = \"local\", force = true }`",
                ));
            } else {
                out.push(Check::ok(
                    "gotoolchain",
                    format!("GOTOOLCHAIN={value} (from your environment)"),
                ));
            }
        }
        Some(var) => {
            let value = var.value.to_string_lossy();
            if switches(&value) && !deliberate {
                out.push(Check::problem(
                    "gotoolchain",
                    format!("GOTOOLCHAIN={value} ({})", var.source),
                    "set `gotoolchain = \"local\"` in config.toml",
                ));
            } else {
                out.push(Check::ok(
                    "gotoolchain",
                    format!("go runs with GOTOOLCHAIN={value}: {}", var.source),
                ));
            }
        }
        None if selection.is_some_and(|s| matches!(s.resolved, Resolved::Managed { .. })) => {
            if deliberate {
                out.push(Check::ok(
                    "gotoolchain",
                    "gotoolchain = \"inherit\": go's own settings decide (your choice)",
                ));
            } else {
                out.push(Check::problem(
                    "gotoolchain",
                    "gv does not set GOTOOLCHAIN for the selected version",
                    "set `gotoolchain = \"local\"` in config.toml",
                ));
            }
        }
        None => {}
    }
    out
}

/// Every tool of every installed SDK has a shim, and each shim is the current gv-shim.
fn shims_check(inputs: &Inputs<'_>) -> Check {
    const FIX: &str = "gv rehash";
    let dir = inputs.store.shims_dir();
    let names = match crate::shims::tool_names(inputs.store) {
        Ok(names) => names,
        Err(e) => return Check::problem("shims", first_line(&e.to_string()), FIX),
    };
    if !dir.is_dir() {
        return Check::problem("shims", format!("{} does not exist", dir.display()), FIX);
    }
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !dir.join(n).is_file())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Check::problem(
            "shims",
            format!(
                "no shim for {} (installed SDKs have these tools)",
                missing.join(", ")
            ),
            FIX,
        );
    }
    let Some(shim) = &inputs.shim_binary else {
        return Check::problem(
            "shims",
            "cannot find the gv-shim binary to compare the shims with",
            "install gv-shim next to gv (`scripts/install` in gv's source tree) or set GV_SHIM_BINARY",
        );
    };
    let stale: Vec<&str> = names
        .iter()
        .filter(|n| !same_file_or_content(&dir.join(n), shim))
        .map(String::as_str)
        .collect();
    if stale.is_empty() {
        Check::ok(
            "shims",
            format!("{} shims in {}, all current", names.len(), dir.display()),
        )
    } else {
        Check::problem(
            "shims",
            format!(
                "stale shims (not the current gv-shim {}): {}",
                shim.display(),
                stale.join(", ")
            ),
            FIX,
        )
    }
}

/// A hard link of `b`, or a byte-identical copy.
fn same_file_or_content(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if gv_core::platform::same_file(&ma, &mb) {
        return true;
    }
    ma.len() == mb.len() && matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

/// gv must be able to write the store (installs, rehash) and traverse it.
fn store_check(store: &Store) -> Check {
    let root = store.root();
    if !root.exists() {
        return Check::ok(
            "store",
            format!(
                "{} does not exist yet (created by the first install)",
                root.display()
            ),
        );
    }
    if !root.is_dir() {
        return Check::problem(
            "store",
            format!("{} is not a directory", root.display()),
            "move the file aside, or point GV_ROOT at a directory",
        );
    }
    let mut bad = Vec::new();
    for dir in [root.to_path_buf(), store.versions_dir()] {
        if dir.exists() && !writable(&dir) {
            bad.push(dir.display().to_string());
        }
    }
    if bad.is_empty() {
        Check::ok("store", format!("{} is writable", root.display()))
    } else {
        Check::problem(
            "store",
            format!("not writable by you: {}", bad.join(", ")),
            format!(
                "chown -R \"$USER\" {}  (or point GV_ROOT at a directory you own)",
                root.display()
            ),
        )
    }
}

fn writable(dir: &Path) -> bool {
    gv_core::platform::can_write(dir, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_env_file_follows_go_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            go_env_file(&env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.config/go/env"))
        );
        assert_eq!(
            go_env_file(&env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")])),
            Some(PathBuf::from("/x/go/env"))
        );
        assert_eq!(
            go_env_file(&env(&[("GOENV", "/e"), ("HOME", "/h")])),
            Some(PathBuf::from("/e"))
        );
        assert_eq!(go_env_file(&env(&[("GOENV", "off")])), None);
    }

    #[test]
    fn go_env_values_last_wins_and_comments_skip() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("env");
        std::fs::write(
            &file,
            "# GOTOOLCHAIN=x\nGOTOOLCHAIN=auto\nGOTOOLCHAIN=go1.99.0+auto\n",
        )
        .unwrap();
        assert_eq!(
            read_go_env_value(&file, "GOTOOLCHAIN").as_deref(),
            Some("go1.99.0+auto")
        );
        assert!(switches("go1.99.0+auto") && switches("path") && !switches("local"));
    }

    #[test]
    fn foreign_go_is_named() {
        assert!(describe_foreign_go(Path::new("/h/.goenv/shims"), None).starts_with("goenv"));
        assert!(describe_foreign_go(Path::new("/h/.asdf/shims"), None).starts_with("asdf"));
        assert!(
            describe_foreign_go(Path::new("/h/.local/share/mise/shims"), None).starts_with("mise")
        );
        assert!(
            describe_foreign_go(Path::new("/opt/go/bin"), Some(Path::new("/opt/go")))
                .contains("$GOROOT/bin")
        );
        assert!(describe_foreign_go(Path::new("/usr/bin"), None).contains("/usr/bin/go"));
    }
}
