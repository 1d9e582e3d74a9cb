//! GOTOOLCHAIN: what `go env -w`, an SDK's go.env and the environment say, and whether
//! gv's policy neutralises it.

use std::ffi::OsStr;

use gv_core::config::Config;
use gv_core::env::{EnvPlan, Gotoolchain};
use gv_core::select::{Resolved, Selection};

use super::{Check, Inputs};
use crate::go_settings;

/// Does this GOTOOLCHAIN value let the go command run a toolchain other than its own?
pub(super) fn switches(value: &str) -> bool {
    !value.is_empty() && value != "local"
}

pub(super) fn gotoolchain_checks(
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

    match go_settings::go_env_file(inputs.lookup) {
        Some(file) => match go_settings::read_go_env_value(&file, "GOTOOLCHAIN") {
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
        match go_settings::read_go_env_value(&file, "GOTOOLCHAIN") {
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
        .and_then(|c| c.gotoolchain().ok().flatten())
        .is_some_and(|s| matches!(s.value, Gotoolchain::Auto | Gotoolchain::Inherit));
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
        // An unreadable config leaves the policy unknown, and the config check already
        // says what to fix; guessing here would name a second, wrong problem.
        None if config.is_none() => {}
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

#[cfg(test)]
mod tests {
    use super::*;

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
            go_settings::read_go_env_value(&file, "GOTOOLCHAIN").as_deref(),
            Some("go1.99.0+auto")
        );
        assert!(switches("go1.99.0+auto") && switches("path") && !switches("local"));
    }
}
