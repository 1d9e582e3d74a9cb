use std::path::PathBuf;

use anyhow::Context as _;
use gv_core::Store;
use gv_core::config::Config;
use gv_core::env::EnvPlan;
use gv_core::select::{self, Discovery, SelectEnv, Selection};

/// What every command needs: the store, the environment selection reads, and where we are.
pub struct Context {
    pub store: Store,
    pub env: SelectEnv,
    pub cwd: PathBuf,
}

impl Context {
    pub fn from_process() -> anyhow::Result<Context> {
        Ok(Context {
            store: Store::from_env()?,
            env: SelectEnv::from_process(),
            cwd: std::env::current_dir().context("cannot read the current directory")?,
        })
    }

    pub fn discover(&self) -> Discovery {
        select::discover(&self.cwd)
    }

    /// The selection for the current directory, with its files, so callers can explain it.
    pub fn select(&self) -> anyhow::Result<(Selection, Discovery)> {
        let found = self.discover();
        let request = select::request(&self.store, &self.env, &found)?;
        let selection = select::resolve(&self.store, &self.env, request)?;
        Ok((selection, found))
    }

    /// What a command that runs Go needs here: the selection and the environment a shim
    /// would inject (`gv env`, `gv exec`, `gv build`, `gv tools`).
    pub fn here(&self) -> anyhow::Result<Here> {
        self.here_with(&self.env)
    }

    /// [`Context::here`] with other selection inputs (e.g. `--version` as GV_VERSION).
    pub fn here_with(&self, env: &SelectEnv) -> anyhow::Result<Here> {
        let found = self.discover();
        let config = Config::load(&self.store, found.project_config.as_deref())?;
        let request = select::request(&self.store, env, &found)?;
        let selection = select::resolve(&self.store, env, request)?;
        let plan = gv_core::env::plan(&selection, &config, |name| std::env::var_os(name))?;
        Ok(Here {
            selection,
            config,
            plan,
        })
    }
}

/// See [`Context::here`].
pub struct Here {
    pub selection: Selection,
    pub config: Config,
    pub plan: EnvPlan,
}

/// The JSON shape of the project gv.toml's trust state (`null` without a project file),
/// shared by `gv env --json` and `gv current --json`.
pub fn project_config_json(config: &Config) -> serde_json::Value {
    if let Some(untrusted) = &config.untrusted {
        return serde_json::json!({
            "path": untrusted.path,
            "trusted": false,
            "changed_since_trusted": untrusted.changed,
            "would_set": untrusted.would_set,
            "description": untrusted.notice().text,
        });
    }
    match (&config.project, &config.trust) {
        (Some(project), Some(trust)) => serde_json::json!({
            "path": project.path,
            "trusted": true,
            "description": trust.to_string(),
        }),
        _ => serde_json::Value::Null,
    }
}

/// One line on the project gv.toml's trust state, for the human outputs.
pub fn project_config_line(config: &Config) -> Option<String> {
    if let Some(untrusted) = &config.untrusted {
        return Some(untrusted.notice().text);
    }
    match (&config.project, &config.trust) {
        (Some(project), Some(trust)) => Some(format!("{}: {trust}", project.path.display())),
        _ => None,
    }
}

/// The JSON shape of an origin, shared by every `--json` output that explains a choice.
pub fn origin_json(origin: &gv_core::Origin) -> serde_json::Value {
    serde_json::json!({
        "kind": origin.kind(),
        "path": origin.path(),
        "description": origin.to_string(),
    })
}
