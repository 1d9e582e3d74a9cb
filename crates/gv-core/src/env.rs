//! The environment gv gives a Go command: what a shim injects, what `gv exec` applies,
//! and what `gv env` explains (the shell hook applies its `[env]` and GOBIN part). One
//! function, [`plan`], computes it from the [`Selection`], the [`Config`] and the current
//! environment; every caller applies the same plan, so they can never disagree.
//!
//! What is injected, in this order:
//! - `GOROOT`: the selected SDK (always; a stale GOROOT would mix two SDKs).
//! - `PATH`: the SDK's `bin/` prepended, so tools the go command starts (`go generate`,
//!   `go run`'s program, tests) use the same SDK, as go itself arranges for go test and
//!   go generate since Go 1.19, and everything under `gv exec` does too.
//! - `GOTOOLCHAIN`: per the `gotoolchain` config key (see [`Gotoolchain`]); `local` when
//!   gv runs another version than the go command would pick ([`Source::Instead`]).
//! - `GOBIN`: one directory shared by every version, so tools from `go install` survive
//!   switching (see [`shared_gobin`]).
//! - every variable of the `[env]` tables of the user `config.toml` and the project
//!   `gv.toml` (nearest wins per key), e.g. `CGO_ENABLED`, `GODEBUG`, `GOINSTRUMENT`.
//!
//! A variable the user already set (non-empty) in their own environment wins over config,
//! unless the config entry is forced:
//!
//! ```toml
//! [env]
//! CGO_ENABLED = "0"                                   # the user's own CGO_ENABLED wins
//! GODEBUG = { value = "panicnil=1", force = true }    # always injected
//! ```
//!
//! Typical use (the shim, `gv exec`, `gv env` and the shell hook all do exactly this):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use gv_core::{config::Config, env, select};
//! let store = gv_core::Store::from_env()?;
//! let senv = select::SelectEnv::from_process();
//! let dir = gv_core::process::current_dir()?;
//! let found = select::discover(&dir, &senv.gowork);
//! let config = Config::load(&store, found.project_config.as_deref())?;
//! let selection = select::resolve(&store, &senv, select::request(&store, &senv, &found)?)?;
//! let plan = env::plan(&selection, &config, gv_core::process::var_os)?;
//! let mut cmd = std::process::Command::new(selection.resolved.binary("go"));
//! cmd.envs(plan.changes());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::{Config, ConfigError};
use crate::notice::Notice;
use crate::select::{Origin, Selection, ToolchainSetting};
use crate::settings::{self, Gobin, SettingError};
use crate::version::Version;

pub use crate::settings::{Entry, Gotoolchain, MAX_VALUE_LEN};

#[derive(Debug, Clone, Error)]
pub enum EnvError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A value in a config file gv cannot use.
    #[error(transparent)]
    Setting(#[from] SettingError),
}

impl crate::error::Hint for EnvError {
    fn hint(&self) -> Option<String> {
        match self {
            EnvError::Config(e) => e.hint(),
            EnvError::Setting(e) => e.hint(),
        }
    }
}

/// Why a variable has its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// GOROOT and PATH: the selected SDK, chosen for `origin`.
    Sdk {
        version: String,
        origin: Box<Origin>,
    },
    /// GOTOOLCHAIN from the policy; `path` is the config file that set it, `None` for
    /// gv's default.
    Toolchain {
        policy: Gotoolchain,
        path: Option<PathBuf>,
    },
    /// An `[env]` entry of a config file.
    Config { path: PathBuf, forced: bool },
    /// The shared GOBIN: `gobin` in the config file `path`, else Go's own default.
    Gobin { path: Option<PathBuf> },
    /// GOTOOLCHAIN=local because gv runs another version than `go_would_run`, which the go
    /// command would pick but is not installed: it must not switch to it.
    Instead { go_would_run: Version },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Sdk { version, origin } => write!(f, "selected Go {version} ({origin})"),
            Source::Toolchain { policy, path } => match path {
                Some(path) => write!(
                    f,
                    "gotoolchain = \"{}\" in {}",
                    policy.as_str(),
                    crate::text::path(path)
                ),
                None => write!(
                    f,
                    "gv's default gotoolchain policy `{}` (gv selected the version; stops the go command from fetching another toolchain)",
                    policy.as_str()
                ),
            },
            Source::Gobin { path } => match path {
                Some(path) => write!(f, "gobin in {} (shared by every version)", crate::text::path(path)),
                None => f.write_str(
                    "gv's shared GOBIN: Go's default $GOPATH/bin, the same for every version, so `go install`ed tools survive switching",
                ),
            },
            Source::Instead { go_would_run } => write!(
                f,
                "go would switch to go{go_would_run}, which is not installed; gv runs the newest installed version that satisfies this place instead, and keeps go on it"
            ),
            Source::Config { path, forced } => {
                write!(f, "[env] in {}", crate::text::path(path))?;
                if *forced {
                    f.write_str(" (forced)")?;
                }
                Ok(())
            }
        }
    }
}

/// One variable of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    /// The value the child sees.
    pub value: OsString,
    pub source: Source,
    /// The value in the current environment before the plan (`None`: unset or empty).
    pub previous: Option<OsString>,
    /// `Some(wanted)` when config wanted `wanted` but the user's own value (`value`) wins
    /// because the entry is not forced. Such variables are left untouched.
    pub overridden_by_user: Option<OsString>,
}

impl Var {
    /// Does applying the plan set this variable (as opposed to leaving the user's value)?
    pub fn is_applied(&self) -> bool {
        self.overridden_by_user.is_none()
    }
}

/// The environment changes for a child process, with their reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvPlan {
    /// GOROOT, PATH, GOTOOLCHAIN, then `[env]` entries by name.
    pub vars: Vec<Var>,
    /// The SDK's `bin/`, which the plan's PATH puts first (`None` for a system go whose
    /// GOROOT is unknown).
    pub sdk_bin: Option<PathBuf>,
    /// Problems worth telling the user that do not stop the command (an untrusted project
    /// file, unknown config keys, ignored entries), each about one file.
    pub warnings: Vec<Notice>,
    /// Variables the shell hook applied for the place the shell is in, which this plan does
    /// not set: put back to the user's own value, or removed (`None`), so that a script
    /// that left the hook's directory does not carry that place's `[env]` into go
    /// commands elsewhere.
    pub restored: Vec<(String, Option<OsString>)>,
}

impl EnvPlan {
    /// The variables to set on the child: exactly what a shim injects. Where the user's
    /// own value wins it is set too: a no-op normally, and what puts the user's value back
    /// when the shell hook of another directory had replaced it.
    pub fn changes(&self) -> impl Iterator<Item = (&str, &OsStr)> {
        let restored = self
            .restored
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.as_deref()?)));
        self.vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_os_str()))
            .chain(restored)
    }

    /// The variables to remove from the child: what the shell hook applied where the user
    /// had none (see [`EnvPlan::restored`]).
    pub fn removals(&self) -> impl Iterator<Item = &str> {
        self.restored
            .iter()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.as_str())
    }

    /// Applies the plan to a command: [`changes`](Self::changes) set,
    /// [`removals`](Self::removals) removed.
    pub fn apply<'c>(&self, cmd: &'c mut std::process::Command) -> &'c mut std::process::Command {
        cmd.envs(self.changes());
        for name in self.removals() {
            cmd.env_remove(name);
        }
        cmd
    }

    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name == name)
    }
}

/// The shell hook exports each value it applied as `__GV_N_<NAME>` and the value it
/// replaced as `__GV_O_<NAME>` (see src/shell/init/).
const HOOK_APPLIED_PREFIX: &str = "__GV_N_";
const HOOK_SAVED_PREFIX: &str = "__GV_O_";
/// The names of the variables the shell hook applied, space-separated.
const HOOK_APPLIED_LIST: &str = "__GV_VARS";

/// The user's own value of `name` (`None`: unset or empty). While a variable still holds
/// what the shell hook applied, the user's value is the one the hook saved (or none):
/// otherwise a shim run by a script that left the hook's directory would mistake the
/// hook's `CGO_ENABLED=0` for the user's choice and keep it over the new directory's
/// config. Every value gv injects — `[env]`, a build profile's `env`, GOBIN — decides
/// "does the user's own value win?" with this.
pub fn users_own(name: &str, lookup: &impl Fn(&str) -> Option<OsString>) -> Option<OsString> {
    let value = lookup(name);
    // `concat`, not `format!`: this runs for every variable gv injects, on the shim's path.
    let applied = lookup(&[HOOK_APPLIED_PREFIX, name].concat());
    let own = if value.is_some() && value == applied {
        lookup(&[HOOK_SAVED_PREFIX, name].concat())
    } else {
        value
    };
    own.filter(|v| !v.is_empty())
}

impl Entry {
    /// Does this entry apply, given the user's environment? A forced entry always does;
    /// otherwise the user's own non-empty value wins.
    pub fn applies(&self, name: &str, lookup: &impl Fn(&str) -> Option<OsString>) -> bool {
        self.forced || users_own(name, lookup).is_none()
    }
}

/// A value from config: the entry and the file it came from.
struct Wanted {
    entry: Entry,
    path: PathBuf,
}

/// Computes the environment for a child of `selection`, given the config files and the
/// current environment (`lookup("NAME")`; an empty value counts as unset).
pub fn plan(
    selection: &Selection,
    config: &Config,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<EnvPlan, EnvError> {
    let raw = &lookup;
    let lookup = |name: &str| users_own(name, raw);
    let mut plan = EnvPlan {
        warnings: config.warnings(),
        ..EnvPlan::default()
    };

    let sdk = |name: &str, value: OsString| Var {
        name: name.to_string(),
        value,
        source: Source::Sdk {
            version: selection.resolved.name(),
            origin: Box::new(selection.request.origin.clone()),
        },
        previous: lookup(name),
        overridden_by_user: None,
    };
    // The system go's GOROOT is only known when its layout is a GOROOT's; otherwise we
    // leave GOROOT and PATH to the go command, which finds its own root.
    if let Some(goroot) = selection.resolved.goroot() {
        let bin = goroot.join("bin");
        let path = prepend_path(&bin, lookup("PATH"));
        plan.vars.push(sdk("GOROOT", goroot.into_os_string()));
        plan.vars.push(sdk("PATH", path));
        plan.sdk_bin = Some(bin);
    }

    let mut wanted = env_table(config, &mut plan.warnings)?;
    let entry = wanted.remove("GOTOOLCHAIN");
    let toolchain = gotoolchain_var(config, entry, &lookup)?;
    // gv runs another version than the one the go command would pick (which is not
    // installed): the go command must not switch to it.
    match (selection.request.origin.go_would_run(), toolchain) {
        (Some(wanted), _) => plan.vars.push(Var {
            name: "GOTOOLCHAIN".to_string(),
            value: Gotoolchain::Local.as_str().into(),
            source: Source::Instead {
                go_would_run: wanted.clone(),
            },
            previous: lookup("GOTOOLCHAIN"),
            overridden_by_user: None,
        }),
        (None, Some(var)) => plan.vars.push(var),
        (None, None) => {}
    }
    if !wanted.contains_key("GOBIN")
        && let Some((dir, path)) = shared_gobin(config, &lookup)?
    {
        plan.vars.push(user_or_config(
            "GOBIN",
            &dir.to_string_lossy(),
            false,
            Source::Gobin { path },
            &lookup,
        ));
    }
    for (name, w) in std::mem::take(&mut wanted) {
        let source = Source::Config {
            path: w.path,
            forced: w.entry.forced,
        };
        plan.vars.push(user_or_config(
            &name,
            &w.entry.value,
            w.entry.forced,
            source,
            &lookup,
        ));
    }
    plan.restored = hook_leftovers(&plan, raw);
    Ok(plan)
}

/// What the shell hook applied (the names it lists in `__GV_VARS`) that still holds the
/// hook's value and that `plan` does not set: with the user's own value to put back
/// (`None`: remove it).
fn hook_leftovers(
    plan: &EnvPlan,
    raw: &impl Fn(&str) -> Option<OsString>,
) -> Vec<(String, Option<OsString>)> {
    let Some(names) = raw(HOOK_APPLIED_LIST) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Option<OsString>)> = Vec::new();
    for name in names.to_string_lossy().split_whitespace() {
        if !crate::shell_syntax::is_portable_var_name(name)
            || plan.get(name).is_some()
            || out.iter().any(|(n, _)| n == name)
        {
            continue;
        }
        let value = raw(name);
        if value.is_some() && value == raw(&format!("{HOOK_APPLIED_PREFIX}{name}")) {
            out.push((name.to_string(), raw(&format!("{HOOK_SAVED_PREFIX}{name}"))));
        }
    }
    out
}

fn user_or_config(
    name: &str,
    value: &str,
    forced: bool,
    source: Source,
    lookup: &impl Fn(&str) -> Option<OsString>,
) -> Var {
    let previous = lookup(name);
    match &previous {
        Some(user) if !forced && user.as_os_str() != OsStr::new(value) => Var {
            name: name.to_string(),
            value: user.clone(),
            source,
            previous: previous.clone(),
            overridden_by_user: Some(value.into()),
        },
        _ => Var {
            name: name.to_string(),
            value: value.into(),
            source,
            previous,
            overridden_by_user: None,
        },
    }
}

/// `dir` then the old PATH; unchanged when `dir` already comes first, so nested
/// `gv exec` / shim calls do not grow PATH.
fn prepend_path(dir: &Path, old: Option<OsString>) -> OsString {
    let Some(old) = old else {
        return dir.as_os_str().to_owned();
    };
    if std::env::split_paths(&old).next().as_deref() == Some(dir) {
        return old;
    }
    let mut out = OsString::with_capacity(dir.as_os_str().len() + 1 + old.len());
    out.push(dir.as_os_str());
    out.push(crate::platform::PATH_SEPARATOR);
    out.push(&old);
    out
}

/// The GOTOOLCHAIN policy and the file that set it (`None`: gv's default, `local`, for a
/// managed version and for `system` alike).
pub fn gotoolchain(config: &Config) -> Result<(Gotoolchain, Option<PathBuf>), EnvError> {
    if let Some(setting) = config.gotoolchain()? {
        return Ok((setting.value, Some(setting.from)));
    }
    // gv picked the version — a managed one, or `system` — so keep it: a repository that
    // pins `system` must not make the system go download and run the toolchain its go.mod
    // names (`toolchain go1.99.0`) either.
    Ok((Gotoolchain::Local, None))
}

/// The GOTOOLCHAIN a go command run through gv gets, before [`plan`] makes sure it runs
/// the version gv chose: an `[env]` entry (`entry`), else the `gotoolchain` policy; your
/// own value (`lookup` sees only yours) wins unless the entry is forced. `None` when
/// nothing sets it.
fn gotoolchain_var(
    config: &Config,
    entry: Option<Wanted>,
    lookup: &impl Fn(&str) -> Option<OsString>,
) -> Result<Option<Var>, EnvError> {
    if let Some(w) = entry {
        let source = Source::Config {
            path: w.path,
            forced: w.entry.forced,
        };
        return Ok(Some(user_or_config(
            "GOTOOLCHAIN",
            &w.entry.value,
            w.entry.forced,
            source,
            lookup,
        )));
    }
    let (policy, path) = gotoolchain(config)?;
    if policy == Gotoolchain::Inherit {
        return Ok(None);
    }
    let source = Source::Toolchain { policy, path };
    Ok(Some(user_or_config(
        "GOTOOLCHAIN",
        policy.as_str(),
        false,
        source,
        lookup,
    )))
}

/// The GOTOOLCHAIN the go command would see here (as [`plan`] computes it, before making
/// sure it runs the version gv chose), and who set it — what selection must follow so
/// that what gv reports is what runs ([`crate::select::apply_toolchain`]). `lookup` reads
/// the environment; a value the shell hook applied is not yours ([`users_own`]).
pub fn toolchain_setting(
    config: &Config,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<ToolchainSetting>, EnvError> {
    let lookup = |name: &str| users_own(name, &lookup);
    let entry = env_table(config, &mut Vec::new())?.remove("GOTOOLCHAIN");
    let yours = || "your environment".to_string();
    let Some(var) = gotoolchain_var(config, entry, &lookup)? else {
        return Ok(lookup("GOTOOLCHAIN").map(|value| ToolchainSetting {
            value: value.to_string_lossy().into_owned(),
            set_by: yours(),
        }));
    };
    let set_by = match &var.source {
        _ if !var.is_applied() => yours(),
        // The user's value equals the config's: it is still theirs.
        _ if var.previous.as_ref() == Some(&var.value) => yours(),
        Source::Config { path, .. } => format!("[env] in {}", path.display()),
        Source::Toolchain {
            path: Some(path), ..
        } => format!("`{}` in {}", settings::GOTOOLCHAIN, path.display()),
        _ => "gv's default".to_string(),
    };
    Ok(Some(ToolchainSetting {
        value: var.value.to_string_lossy().into_owned(),
        set_by,
    }))
}

/// The GOBIN gv gives every version, and the config file that chose it (`None`: the
/// default). Go installs into `$GOBIN`, else `$GOPATH/bin` (first GOPATH entry), else
/// `~/go/bin`; but each SDK run through a different GOPATH or by hand may disagree, so gv
/// pins it once: `gobin = "PATH"` (`~/` allowed), else Go's default computed here.
/// `gobin = false` turns this off. `None` also when there is no home to put it in.
pub fn shared_gobin(
    config: &Config,
    lookup: &impl Fn(&str) -> Option<OsString>,
) -> Result<Option<(PathBuf, Option<PathBuf>)>, EnvError> {
    let var = |n: &str| lookup(n).filter(|v| !v.is_empty());
    let home = var("HOME").map(PathBuf::from);
    if let Some(setting) = config.gobin()? {
        let bad = |problem: String| {
            SettingError::new(
                &setting.from,
                settings::GOBIN,
                problem,
                settings::GOBIN_HINT,
            )
        };
        let text = match &setting.value {
            Gobin::Off => return Ok(None),
            Gobin::Dir(text) => text.as_str(),
        };
        let dir = match (text.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            (Some(_), None) => return Err(bad("starts with ~/ but HOME is not set".into()).into()),
            (None, _) => PathBuf::from(text),
        };
        if !dir.is_absolute() {
            return Err(bad(format!("must be an absolute path, not {text:?}")).into());
        }
        return Ok(Some((dir, Some(setting.from))));
    }
    let gopath_first =
        var("GOPATH").and_then(|p| std::env::split_paths(&p).next().filter(|d| d.is_absolute()));
    let dir = match (gopath_first, home) {
        (Some(gopath), _) => gopath.join("bin"),
        (None, Some(home)) => home.join("go").join("bin"),
        (None, None) => return Ok(None),
    };
    Ok(Some((dir, None)))
}

/// The merged `[env]` tables, project over user per key.
fn env_table(
    config: &Config,
    warnings: &mut Vec<Notice>,
) -> Result<BTreeMap<String, Wanted>, EnvError> {
    let mut merged = BTreeMap::new();
    // User first, so the project file overwrites per key.
    for (table, project) in config.env_tables() {
        let table = table.as_ref().map_err(Clone::clone)?;
        for (name, entry) in table.entries(project, warnings)? {
            let path = table.path().to_path_buf();
            merged.insert(name, Wanted { entry, path });
        }
    }
    Ok(merged)
}

/// The value a go command run through gv gets for one variable gv does not derive from
/// the selection (GOPROXY, GOSUMDB, ...), by the same rules as [`plan`]: the `[env]` entry
/// of `config` — `Some(path)` names its file — unless the user's own value wins; `None`
/// when neither sets it.
pub fn config_or_user_var(
    config: &Config,
    name: &str,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<(OsString, Option<PathBuf>)>, EnvError> {
    let lookup = |n: &str| users_own(n, &lookup);
    let wanted = env_table(config, &mut Vec::new())?;
    Ok(match wanted.get(name) {
        Some(w) => {
            let source = Source::Config {
                path: w.path.clone(),
                forced: w.entry.forced,
            };
            let var = user_or_config(name, &w.entry.value, w.entry.forced, source, &lookup);
            let from_config = var.is_applied().then(|| w.path.clone());
            Some((var.value, from_config))
        }
        None => lookup(name).map(|value| (value, None)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::select::{Request, Resolved};
    use crate::version::{Spec, Version};

    fn managed() -> Selection {
        Selection {
            request: Request {
                specs: vec![Spec::parse("1.22.10").unwrap()],
                origin: Origin::GoVersionFile {
                    path: "/p/.go-version".into(),
                },
                ..Request::default()
            },
            resolved: Resolved::Managed {
                version: Version::parse("1.22.10").unwrap(),
                goroot: "/gv/versions/1.22.10".into(),
            },
        }
    }

    fn config(project: Option<&str>, user: Option<&str>) -> Config {
        Config {
            project: project.map(|t| ConfigFile::parse(Path::new("/p/gv.toml"), t).unwrap()),
            user: user.map(|t| ConfigFile::parse(Path::new("/u/config.toml"), t).unwrap()),
            ..Config::default()
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn changes(plan: &EnvPlan) -> Vec<(String, String)> {
        plan.changes()
            .map(|(k, v)| (k.to_string(), v.to_string_lossy().into_owned()))
            .collect()
    }

    crate::unix_only! {
    #[test]
    fn managed_version_gets_goroot_path_and_local_toolchain() {
        let plan = plan(
            &managed(),
            &Config::default(),
            env(&[("PATH", "/usr/bin:/bin"), ("GOROOT", "/old")]),
        )
        .unwrap();
        assert_eq!(
            changes(&plan),
            [
                ("GOROOT".into(), "/gv/versions/1.22.10".into()),
                (
                    "PATH".into(),
                    "/gv/versions/1.22.10/bin:/usr/bin:/bin".into()
                ),
                ("GOTOOLCHAIN".into(), "local".into()),
            ]
        );
        let goroot = plan.get("GOROOT").unwrap();
        assert_eq!(goroot.previous.as_deref(), Some(OsStr::new("/old")));
        assert!(goroot.source.to_string().contains("/p/.go-version"));
        assert!(plan.warnings.is_empty());
    }
    }

    crate::unix_only! {
    #[test]
    fn path_is_not_prepended_twice() {
        let plan = plan(
            &managed(),
            &Config::default(),
            env(&[("PATH", "/gv/versions/1.22.10/bin:/bin")]),
        )
        .unwrap();
        assert_eq!(
            plan.get("PATH").unwrap().value,
            "/gv/versions/1.22.10/bin:/bin"
        );
    }
    }

    #[test]
    fn nearest_config_wins_per_key_and_user_env_wins_unless_forced() {
        let config = config(
            Some("[env]\nGODEBUG = { value = \"panicnil=1\", force = true }\nCGO_ENABLED = 0\n"),
            Some("[env]\nCGO_ENABLED = \"1\"\nGOINSTRUMENT = \"trace\"\nGODEBUG = \"x=1\"\n"),
        );
        let plan = plan(
            &managed(),
            &config,
            env(&[
                ("GODEBUG", "mine=1"),
                ("GOINSTRUMENT", "user"),
                ("CGO_ENABLED", ""),
            ]),
        )
        .unwrap();
        let got: BTreeMap<_, _> = changes(&plan).into_iter().collect();
        assert_eq!(got["GODEBUG"], "panicnil=1", "forced beats the user");
        assert_eq!(
            got["CGO_ENABLED"], "0",
            "project beats user file; empty = unset"
        );
        assert_eq!(got["GOINSTRUMENT"], "user", "the user's value stays");
        let instr = plan.get("GOINSTRUMENT").unwrap();
        assert_eq!(instr.value, "user");
        assert_eq!(
            instr.overridden_by_user.as_deref(),
            Some(OsStr::new("trace"))
        );
        assert_eq!(
            plan.get("GODEBUG").unwrap().source,
            Source::Config {
                path: "/p/gv.toml".into(),
                forced: true
            }
        );
        assert_eq!(
            plan.get("CGO_ENABLED").unwrap().source.to_string(),
            "[env] in /p/gv.toml"
        );
    }

    #[test]
    fn gotoolchain_policy_is_configurable() {
        let sel = managed();
        let inherit = plan(
            &sel,
            &config(None, Some("gotoolchain = \"inherit\"\n")),
            env(&[]),
        )
        .unwrap();
        assert!(inherit.get("GOTOOLCHAIN").is_none());

        let auto = plan(
            &sel,
            &config(
                Some("gotoolchain = \"auto\"\n"),
                Some("gotoolchain = \"local\"\n"),
            ),
            env(&[]),
        )
        .unwrap();
        let var = auto.get("GOTOOLCHAIN").unwrap();
        assert_eq!(var.value, "auto");
        assert!(var.source.to_string().contains("/p/gv.toml"));

        let user = plan(&sel, &Config::default(), env(&[("GOTOOLCHAIN", "auto")])).unwrap();
        assert!(!user.get("GOTOOLCHAIN").unwrap().is_applied());

        let table = plan(
            &sel,
            &config(
                Some("[env]\nGOTOOLCHAIN = { value = \"local\", force = true }\n"),
                None,
            ),
            env(&[("GOTOOLCHAIN", "auto")]),
        )
        .unwrap();
        let var = table.get("GOTOOLCHAIN").unwrap();
        assert!(var.is_applied());
        assert_eq!(var.value, "local");
        assert_eq!(
            table
                .vars
                .iter()
                .filter(|v| v.name == "GOTOOLCHAIN")
                .count(),
            1
        );

        let err = plan(
            &sel,
            &config(Some("gotoolchain = \"path\"\n"), None),
            env(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/p/gv.toml: `gotoolchain` must be"), "{err}");
    }

    /// When gv runs another version than the go command would pick (not installed), the
    /// child gets GOTOOLCHAIN=local whatever else would set it, so go stays on it.
    #[test]
    fn a_fallback_keeps_go_on_the_version_gv_chose() {
        let mut sel = managed();
        sel.request.origin = Origin::Module {
            path: "/p/go.mod".into(),
            wants: crate::select::ModuleLine::Toolchain(Version::parse("1.22.4").unwrap()),
            choice: crate::select::ModuleChoice::Newest {
                go_would_run: Version::parse("1.22.4").unwrap(),
            },
        };
        let cfg = config(Some("gotoolchain = \"auto\"\n"), None);
        let plan = plan(&sel, &cfg, env(&[("GOTOOLCHAIN", "go1.22.4+auto")])).unwrap();
        let var = plan.get("GOTOOLCHAIN").unwrap();
        assert_eq!(var.value, "local");
        assert!(var.is_applied());
        assert!(
            var.source
                .to_string()
                .contains("go1.22.4, which is not installed")
        );
        assert_eq!(
            plan.vars.iter().filter(|v| v.name == "GOTOOLCHAIN").count(),
            1
        );
    }

    #[test]
    fn toolchain_setting_names_who_set_it() {
        let setting = |cfg: &Config, vars: &[(&str, &str)]| {
            toolchain_setting(cfg, env(vars))
                .unwrap()
                .map(|s| format!("{} by {}", s.value, s.set_by))
        };
        let none = Config::default();
        assert_eq!(
            setting(&none, &[]).as_deref(),
            Some("local by gv's default"),
            "for a managed version and the system go alike"
        );
        assert_eq!(
            setting(&none, &[("GOTOOLCHAIN", "auto")]).as_deref(),
            Some("auto by your environment")
        );
        assert_eq!(
            setting(&none, &[("GOTOOLCHAIN", "go1.22.10")]).as_deref(),
            Some("go1.22.10 by your environment")
        );
        // What the shell hook applied is not yours.
        assert_eq!(
            setting(
                &none,
                &[("GOTOOLCHAIN", "auto"), ("__GV_N_GOTOOLCHAIN", "auto")]
            )
            .as_deref(),
            Some("local by gv's default")
        );
        let auto = config(None, Some("gotoolchain = \"auto\"\n"));
        assert_eq!(
            setting(&auto, &[]).as_deref(),
            Some("auto by `gotoolchain` in /u/config.toml")
        );
        let forced = config(
            Some("[env]\nGOTOOLCHAIN = { value = \"go1.23.9\", force = true }\n"),
            None,
        );
        assert_eq!(
            setting(&forced, &[("GOTOOLCHAIN", "auto")]).as_deref(),
            Some("go1.23.9 by [env] in /p/gv.toml")
        );
    }

    crate::windows_only! {
    /// Windows: `;` between entries, and the old PATH (however Windows capitalised its
    /// name) kept after the SDK's bin\.
    #[test]
    fn path_gets_the_sdk_first_with_windows_separators() {
        let sel = managed();
        let old = r"C:\windows\system32;C:\tools";
        let plan = plan(&sel, &Config::default(), env(&[("PATH", old)])).unwrap();
        let bin = sel.resolved.goroot().unwrap().join("bin");
        let want = format!("{};{old}", bin.display());
        assert_eq!(plan.get("PATH").unwrap().value, OsString::from(&want));
        let again = plan_again(&sel, &want);
        assert_eq!(again, want, "not prepended twice");
    }

    fn plan_again(sel: &Selection, path: &str) -> String {
        let plan = plan(sel, &Config::default(), env(&[("PATH", path)])).unwrap();
        plan.get("PATH").unwrap().value.to_string_lossy().into_owned()
    }
    }

    crate::unix_only! {
    #[test]
    fn one_gobin_for_every_version_user_wins_config_can_move_or_disable_it() {
        let sel = managed();
        let home = env(&[("HOME", "/h")]);
        let plan1 = plan(&sel, &Config::default(), &home).unwrap();
        let gobin = plan1.get("GOBIN").unwrap();
        assert_eq!(gobin.value, "/h/go/bin");
        assert!(gobin.is_applied());
        let gopath = plan(
            &sel,
            &Config::default(),
            env(&[("HOME", "/h"), ("GOPATH", "/gp:/x")]),
        )
        .unwrap();
        assert_eq!(gopath.get("GOBIN").unwrap().value, "/gp/bin");
        let mine = plan(
            &sel,
            &Config::default(),
            env(&[("HOME", "/h"), ("GOBIN", "/mine")]),
        )
        .unwrap();
        assert!(
            !mine.get("GOBIN").unwrap().is_applied(),
            "the user's GOBIN wins"
        );
        let moved = plan(&sel, &config(None, Some("gobin = \"~/tools\"\n")), &home).unwrap();
        assert_eq!(moved.get("GOBIN").unwrap().value, "/h/tools");
        let off = plan(&sel, &config(None, Some("gobin = false\n")), &home).unwrap();
        assert!(off.get("GOBIN").is_none());
        let forced = plan(
            &sel,
            &config(
                Some("[env]\nGOBIN = { value = \"/f\", force = true }\n"),
                None,
            ),
            env(&[("HOME", "/h"), ("GOBIN", "/mine")]),
        )
        .unwrap();
        assert_eq!(forced.get("GOBIN").unwrap().value, "/f");
        let err = plan(&sel, &config(None, Some("gobin = \"rel/bin\"\n")), &home)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`gobin` must be an absolute path"), "{err}");
    }
    }

    #[test]
    fn the_system_go_gets_the_gotoolchain_policy_too() {
        let sel = Selection {
            request: Request {
                specs: vec![Spec::System],
                origin: Origin::GoVersionFile {
                    path: "/p/.go-version".into(),
                },
                ..Request::default()
            },
            resolved: Resolved::System {
                go: "/nonexistent/bin/go".into(),
            },
        };
        let plan1 = plan(&sel, &Config::default(), env(&[])).unwrap();
        let names: Vec<&str> = plan1.vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["GOTOOLCHAIN"], "no GOROOT or PATH: {plan1:?}");
        assert_eq!(plan1.get("GOTOOLCHAIN").unwrap().value, "local");
        let inherit = plan(
            &sel,
            &config(None, Some("gotoolchain = \"inherit\"\n")),
            env(&[]),
        )
        .unwrap();
        assert!(inherit.vars.is_empty(), "{inherit:?}");
    }

    #[test]
    fn values_the_shell_hook_applied_are_not_the_users_own() {
        let sel = managed();
        let cfg = config(Some("[env]\nCGO_ENABLED = \"1\"\n"), None);
        // The hook of another project set CGO_ENABLED=0 over the user's unset variable.
        let hooked = plan(
            &sel,
            &cfg,
            env(&[("CGO_ENABLED", "0"), ("__GV_N_CGO_ENABLED", "0")]),
        )
        .unwrap();
        assert_eq!(hooked.get("CGO_ENABLED").unwrap().value, "1");
        assert!(hooked.get("CGO_ENABLED").unwrap().is_applied());
        // The user had their own value before the hook: it still wins.
        let saved = plan(
            &sel,
            &cfg,
            env(&[
                ("CGO_ENABLED", "0"),
                ("__GV_N_CGO_ENABLED", "0"),
                ("__GV_O_CGO_ENABLED", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(saved.get("CGO_ENABLED").unwrap().value, "2");
        assert!(
            saved.changes().any(|(n, v)| n == "CGO_ENABLED" && v == "2"),
            "the user's value is put back for the child"
        );
        // Changed by hand since the hook ran: the user's.
        let by_hand = plan(
            &sel,
            &cfg,
            env(&[("CGO_ENABLED", "3"), ("__GV_N_CGO_ENABLED", "0")]),
        )
        .unwrap();
        assert_eq!(by_hand.get("CGO_ENABLED").unwrap().value, "3");
    }

    /// A place whose config does not set what the hook applied for the shell's own
    /// directory: the user's value comes back for the child, or the variable goes.
    #[test]
    fn what_the_hook_applied_elsewhere_does_not_reach_the_child() {
        let sel = managed();
        let vars = [
            ("__GV_VARS", " CGO_ENABLED GOINSTRUMENT GOFLAGS GOAMD64 A.B"),
            ("CGO_ENABLED", "0"),
            ("__GV_N_CGO_ENABLED", "0"),
            ("__GV_O_CGO_ENABLED", "1"),
            ("GOINSTRUMENT", "trace"),
            ("__GV_N_GOINSTRUMENT", "trace"),
            ("GOFLAGS", "-mod=mod"),
            ("__GV_N_GOFLAGS", "-trimpath"),
            ("GOAMD64", "v3"),
            ("__GV_N_GOAMD64", "v3"),
        ];
        let cfg = config(Some("[env]\nGOAMD64 = \"v2\"\n"), None);
        let plan = plan(&sel, &cfg, env(&vars)).unwrap();
        assert_eq!(
            plan.restored,
            [
                ("CGO_ENABLED".to_string(), Some(OsString::from("1"))),
                ("GOINSTRUMENT".to_string(), None),
            ],
            "GOFLAGS was changed by hand; GOAMD64 is this place's own"
        );
        assert_eq!(plan.get("GOAMD64").unwrap().value, "v2");
        assert!(plan.changes().any(|(n, v)| n == "CGO_ENABLED" && v == "1"));
        assert_eq!(plan.removals().collect::<Vec<_>>(), ["GOINSTRUMENT"]);
    }

    #[test]
    fn bad_entries_are_errors_or_warnings_naming_the_key() {
        let sel = managed();
        for (text, want) in [
            ("[env]\nGOFLAGS = true\n", "`env.GOFLAGS` must be a string"),
            (
                "[env]\nGOFLAGS = { value = \"1\", forse = true }\n",
                "unknown field `forse`",
            ),
            ("[env]\nGOFLAGS = { force = true }\n", "needs a `value`"),
            ("env = \"x\"\n", "`env` must be a table"),
            (
                "[env]\nGOBIN = \"tools\"\n",
                "`env.GOBIN` must be an absolute path",
            ),
            (
                &format!("[env]\nGODEBUG = \"{}\"\n", "x".repeat(MAX_VALUE_LEN + 1)),
                "`env.GODEBUG` is 32769 bytes long",
            ),
        ] {
            let err = plan(&sel, &config(Some(text), None), env(&[]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(err.contains("/p/gv.toml"), "{err}");
        }
        let plan = plan(
            &sel,
            &config(
                Some("colour = 1\n[env]\nGOROOT = \"/x\"\n\"GO$(touch m)\" = \"1\"\n\"GO\\nX\" = \"1\"\nLD_PRELOAD = \"e.so\"\n"),
                None,
            ),
            env(&[]),
        )
        .unwrap();
        let warnings: Vec<&str> = plan.warnings.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(warnings.len(), 5, "{warnings:#?}");
        let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
        assert!(warnings[0].contains("unknown key `colour`"));
        assert!(has("GO$(touch m) ignored: not a portable"));
        assert!(has("GO\\u{a}X ignored"), "kept on one line");
        assert!(has("GOROOT ignored"));
        assert!(has("LD_PRELOAD ignored"));
        assert!(
            plan.vars
                .iter()
                .all(|v| crate::shell_syntax::is_portable_var_name(&v.name))
        );
        assert_eq!(plan.get("GOROOT").unwrap().value, "/gv/versions/1.22.10");
    }
}
