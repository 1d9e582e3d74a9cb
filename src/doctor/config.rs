//! The config files, whether the project's gv.toml is trusted, files other users planted,
//! broken pin files, and what the env plan ignored.

use gv_core::config::Config;

use super::{Check, Inputs};

pub(super) fn checks(inputs: &Inputs<'_>) -> Vec<Check> {
    let session = inputs.session;
    let found = session.discovery();
    let mut checks = Vec::new();
    // Reported even when GV_VERSION overrides it: the file is still broken.
    if let Some(Err(e)) = &found.pin {
        checks.push(Check::error(
            "pin-files",
            e,
            "fix or remove the file named above",
        ));
    }
    for foreign in &found.foreign {
        let notice = foreign.notice();
        let fix = notice.hint.unwrap_or_else(|| "remove it".into());
        checks.push(Check::problem("ownership", notice.text, fix));
    }
    let config = match session.config() {
        Ok(config) => config,
        Err(e) => {
            checks.push(Check::error(
                "config",
                &e,
                "fix the file (or move it aside); every go command reads it",
            ));
            return checks;
        }
    };
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
    checks.extend(trust_check(config));
    // What the plan ignored; an untrusted project file is the trust check's to report.
    match session.plan() {
        Ok(plan) => {
            let untrusted = config.untrusted.as_ref();
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
        Err(gv_core::session::SessionError::Env(e)) => checks.push(Check::error(
            "config",
            &e,
            "fix the value named above; `gv env` shows the result",
        )),
        // A selection problem is the selection check's to report.
        Err(_) => {}
    }
    checks
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
        let file = gv_core::suggest::path(&untrusted.path);
        return Some(Check::problem(
            "trust",
            format!("{path} {state}, so gv ignores it"),
            format!(
                "review it with `{}`, then `{}` (or delete it)",
                gv_core::suggest::command(["gv", "trust", "--show", &file]),
                gv_core::suggest::command(["gv", "trust", &file])
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
