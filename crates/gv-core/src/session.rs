//! One run of gv (or of a shim, or of the shell hook) in one directory: the store, the
//! process environment and the working directory in; discovery, config, the request,
//! the selection and the environment plan out — each computed at most once, and only
//! when asked for. Every command that decides "which Go, with what environment, here"
//! asks a session, so they cannot decide differently.
//!
//! ```text
//! discovery ──► request ──► selection ──► env plan
//!     └──────► config ───────────────────────┘
//! ```

use std::cell::OnceCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::{Config, ConfigError};
use crate::env::{self, EnvError, EnvPlan};
use crate::error::Hint;
use crate::notice::Notice;
use crate::pinfile;
use crate::select::{self, Discovery, PinConflict, Request, SelectEnv, SelectError, Selection};
use crate::store::{Store, StoreError};
use crate::version::Spec;

/// Reads one variable of the environment the plan is computed against.
pub type Lookup = Box<dyn Fn(&str) -> Option<OsString>>;

#[derive(Debug, Clone, Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the current directory")]
    Cwd(#[source] std::sync::Arc<std::io::Error>),
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Env(#[from] EnvError),
}

impl From<ConfigError> for SessionError {
    fn from(e: ConfigError) -> SessionError {
        SessionError::Env(EnvError::Config(e))
    }
}

impl Hint for SessionError {
    fn hint(&self) -> Option<String> {
        match self {
            SessionError::Store(e) => e.hint(),
            SessionError::Cwd(_) => Some("cd to a directory that exists".into()),
            SessionError::Select(e) => e.hint(),
            SessionError::Env(e) => e.hint(),
        }
    }
}

/// See [`Session::here`].
pub struct Here<'a> {
    pub selection: &'a Selection,
    pub config: &'a Config,
    pub plan: &'a EnvPlan,
}

pub struct Session {
    store: Store,
    select_env: SelectEnv,
    cwd: PathBuf,
    lookup: Lookup,
    found: OnceCell<Discovery>,
    config: OnceCell<Result<Config, ConfigError>>,
    request: OnceCell<Result<Request, SelectError>>,
    selection: OnceCell<Result<Selection, SelectError>>,
    plan: OnceCell<Result<EnvPlan, EnvError>>,
}

impl Session {
    /// A session for `cwd`, with selection inputs `select_env` and the process's own
    /// environment for the plan.
    pub fn new(store: Store, select_env: SelectEnv, cwd: PathBuf) -> Session {
        Session {
            store,
            select_env,
            cwd,
            lookup: Box::new(crate::process::var_os),
            found: OnceCell::new(),
            config: OnceCell::new(),
            request: OnceCell::new(),
            selection: OnceCell::new(),
            plan: OnceCell::new(),
        }
    }

    /// The session of this process: `GV_ROOT`, the selection variables, the working
    /// directory.
    pub fn from_process() -> Result<Session, SessionError> {
        let cwd =
            crate::process::current_dir().map_err(|e| SessionError::Cwd(std::sync::Arc::new(e)))?;
        Session::from_process_in(cwd)
    }

    /// [`Session::from_process`] with the working directory already read.
    pub fn from_process_in(cwd: PathBuf) -> Result<Session, SessionError> {
        Ok(Session::new(
            Store::from_env()?,
            SelectEnv::from_process(),
            cwd,
        ))
    }

    /// The plan reads the environment through `lookup` instead of the process's.
    pub fn with_lookup(mut self, lookup: Lookup) -> Session {
        self.lookup = lookup;
        self
    }

    /// The same place with other selection inputs (`--version V`, or a project's own
    /// pins without this shell's `GV_VERSION`).
    pub fn with_select_env(&self, select_env: SelectEnv) -> Session {
        Session::new(self.store.clone(), select_env, self.cwd.clone())
    }

    /// The same inputs in another directory.
    pub fn at(&self, cwd: PathBuf) -> Session {
        Session::new(self.store.clone(), self.select_env.clone(), cwd)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn select_env(&self) -> &SelectEnv {
        &self.select_env
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The pin, module and config files that apply here.
    pub fn discovery(&self) -> &Discovery {
        self.found
            .get_or_init(|| select::discover_from(&self.select_env, &self.cwd))
    }

    /// The user's config and the project's gv.toml (when trusted).
    pub fn config(&self) -> Result<&Config, ConfigError> {
        self.config
            .get_or_init(|| Config::load(&self.store, self.discovery().project_config.as_deref()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// What is asked for here, and by whom; nothing installed is looked at.
    pub fn request(&self) -> Result<&Request, SelectError> {
        self.request
            .get_or_init(|| select::request(&self.store, &self.select_env, self.discovery()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The version that applies here: what runs, GOTOOLCHAIN included.
    pub fn selection(&self) -> Result<&Selection, SelectError> {
        self.selection
            .get_or_init(|| {
                let request = self.request()?.clone();
                let base = select::resolve(&self.store, &self.select_env, request);
                self.follow_gotoolchain(base)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The selection as the go command will move it, given the GOTOOLCHAIN it will see
    /// (yours, or config's): unchanged for `local`, which is gv's default.
    fn follow_gotoolchain(
        &self,
        base: Result<Selection, SelectError>,
    ) -> Result<Selection, SelectError> {
        // A broken config is reported by the plan; here it sets nothing.
        let default = Config::default();
        let config = self.config().unwrap_or(&default);
        let Ok(Some(setting)) = env::toolchain_setting(config, &self.lookup) else {
            return base;
        };
        if setting.value.is_empty() || setting.value == "local" {
            return base;
        }
        let module = self
            .discovery()
            .gomod_path
            .as_ref()
            .and_then(|path| Some((path.as_path(), pinfile::read_go_mod(path).ok()?)));
        let module = module.as_ref().map(|(path, m)| (*path, m));
        select::apply_toolchain(&self.store, base, &setting, module)
    }

    /// The environment a go command gets here.
    pub fn plan(&self) -> Result<&EnvPlan, SessionError> {
        let selection = self.selection()?;
        let config = self.config()?;
        self.plan
            .get_or_init(|| env::plan(selection, config, &self.lookup))
            .as_ref()
            .map_err(|e| SessionError::Env(e.clone()))
    }

    /// What a command that runs go needs here: the selection, the config, the plan.
    pub fn here(&self) -> Result<Here<'_>, SessionError> {
        Ok(Here {
            selection: self.selection()?,
            config: self.config()?,
            plan: self.plan()?,
        })
    }

    /// The GOBIN a go command here installs into: the plan's (your own GOBIN, else gv's
    /// shared one). When no version can be selected here, the same rule from the config
    /// and the environment alone, so what is in GOBIN can still be shown.
    pub fn gobin(&self) -> Result<Option<PathBuf>, SessionError> {
        match self.plan() {
            Ok(plan) => Ok(plan.get("GOBIN").map(|v| PathBuf::from(&v.value))),
            Err(SessionError::Select(_)) => {
                if let Some(own) = env::users_own("GOBIN", &self.lookup) {
                    return Ok(Some(PathBuf::from(own)));
                }
                Ok(env::shared_gobin(self.config()?, &self.lookup)?.map(|(dir, _)| dir))
            }
            Err(other) => Err(other),
        }
    }

    /// What `gv install` with no argument installs here (see [`Request::install_spec`]).
    pub fn install_spec(&self) -> Result<Option<Spec>, SelectError> {
        Ok(self.request()?.install_spec())
    }

    /// Forgets the selection and the plan, after the store changed (an auto-install).
    pub fn reselect(&mut self) {
        self.selection.take();
        self.plan.take();
    }

    /// A pinned version older than the go.mod / go.work here requires.
    pub fn pin_conflict(&self) -> Option<PinConflict> {
        select::pin_conflict(self.selection().ok()?, self.discovery())
    }

    /// What the shim and the hook tell the user once per file version: files another
    /// user planted, version files passed over because they name nothing, a version older
    /// than the go.mod / go.work here requires, a go.mod / go.work whose toolchain is not
    /// installed, an untrusted gv.toml, ignored entries (once the plan is computed).
    pub fn notices(&self) -> Vec<Notice> {
        let mut out: Vec<Notice> = self
            .discovery()
            .foreign
            .iter()
            .map(select::Foreign::notice)
            .collect();
        if let Ok(request) = self.request() {
            out.extend(
                request
                    .passed_over
                    .iter()
                    .map(|path| select::blank_notice(path)),
            );
        }
        if let Ok(selection) = self.selection() {
            out.extend(select::instead_notice(selection));
        }
        if let Some(conflict) = self.pin_conflict() {
            out.push(conflict.notice());
        }
        match self.plan.get() {
            Some(Ok(plan)) => out.extend(plan.warnings.iter().cloned()),
            _ => {
                if let Some(Ok(config)) = self.config.get() {
                    out.extend(config.warnings());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(dir: &Path, store: &Store) -> Session {
        let env = SelectEnv {
            gomod: true,
            ..SelectEnv::default()
        };
        Session::new(store.clone(), env, dir.to_path_buf()).with_lookup(Box::new(|_| None))
    }

    /// `.go-version` asks for `system`, then 1.22; no go on PATH, nothing installed: every
    /// answer to "what would I install" is 1.22, never `system`.
    #[test]
    fn system_then_a_version_installs_the_version() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("store"));
        std::fs::write(tmp.path().join(".go-version"), "system\n1.22\n").unwrap();
        let s = session(tmp.path(), &store);
        let expected = Spec::parse("1.22").unwrap();
        assert_eq!(s.install_spec().unwrap(), Some(expected.clone()));
        let err = s.selection().unwrap_err();
        assert_eq!(
            err.hint().as_deref(),
            Some("run `gv install 1.22`"),
            "{err}"
        );
        assert!(
            matches!(err, SelectError::NotInstalled { install: Some(ref i), .. } if *i == expected.to_string())
        );
    }

    #[test]
    fn each_step_is_computed_once_and_after_an_install_again() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("store"));
        std::fs::write(tmp.path().join(".go-version"), "1.22.10\n").unwrap();
        let mut s = session(tmp.path(), &store);
        assert!(s.selection().is_err());
        assert!(std::ptr::eq(s.discovery(), s.discovery()));
        std::fs::create_dir_all(store.versions_dir().join("1.22.10/bin")).unwrap();
        assert!(
            s.selection().is_err(),
            "cached until told the store changed"
        );
        s.reselect();
        assert_eq!(s.selection().unwrap().resolved.name(), "1.22.10");
        let plan = s.plan().unwrap();
        assert_eq!(
            plan.sdk_bin.as_deref(),
            Some(store.versions_dir().join("1.22.10/bin").as_path())
        );
    }
}
