use gv_core::config::Config;

/// What every command gets: the session of this process (store, selection inputs, the
/// directory), which computes discovery, config, selection and the env plan once.
pub use gv_core::session::{Here, Session};

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
        // What the go command itself would run here, when gv runs a newer installed
        // version because that one is not installed.
        "go_would_run": origin.go_would_run(),
    })
}
