use std::ffi::OsStr;
use std::process::ExitCode;

use gv_core::env::{Source, Var};
use gv_core::shell_syntax::{Syntax, is_portable_var_name};
use gv_core::text::one_line;

use super::{Session, origin_json, project_config_json, project_config_line};
use crate::ui::{self, Style};

/// Why a variable the shell hook applied is put back.
const RESTORED: &str = "the shell hook applied it for the directory the shell is in, which is not this one: your own value (or none) instead";

/// GOINSTRUMENT is injected on request, but no Go release reads it: say so wherever it shows.
const GOINSTRUMENT_NOTE: &str = "GOINSTRUMENT is not read by any Go release (checked through Go 1.27); gv passes it on for your own tools and scripts, and it changes nothing in go itself";

/// Show the environment a shim injects here, and where each value comes from
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv env                      GOROOT, PATH, GOTOOLCHAIN and [env] values, each with its source
  gv env --shell bash         export lines: eval \"$(gv env --shell bash)\"
  gv env --shell fish | source
  gv env --json               for scripts

Values come from the selected SDK (GOROOT, PATH), the gotoolchain policy and the [env]
tables of config.toml and gv.toml. A variable already set in your environment wins
unless the config entry says force = true.
Note: GOINSTRUMENT is read by no Go release; gv injects it because users ask for it.")]
pub struct Args {
    /// Print shell code (bash, zsh, fish) or JSON instead of an explanation
    #[arg(long, value_enum, value_name = "SHELL")]
    shell: Option<Format>,
    /// The same as --shell json
    #[arg(long, conflicts_with = "shell")]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Bash,
    Zsh,
    Fish,
    Json,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let super::Here {
        selection,
        plan,
        config,
    } = session.here()?;
    let format = if args.json {
        Some(Format::Json)
    } else {
        args.shell
    };
    let mut notes = Vec::new();
    if plan.get("GOINSTRUMENT").is_some() {
        notes.push(GOINSTRUMENT_NOTE);
    }
    match format {
        Some(Format::Json) => {
            let report = serde_json::json!({
                "version": selection.resolved.name(),
                "origin": origin_json(&selection.request.origin),
                "vars": plan.vars.iter().map(var_json).collect::<Vec<_>>(),
                "restored": plan.restored.iter().map(|(name, value)| serde_json::json!({
                    "name": name,
                    "value": value.as_ref().map(|v| v.to_string_lossy()),
                })).collect::<Vec<_>>(),
                "project_config": project_config_json(config),
                "warnings": plan.warnings.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
                "notes": notes,
            });
            crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        }
        Some(shell) => {
            // Comments carry paths and values from files: kept to one line each, so a
            // directory name with a newline cannot start a line of code.
            if let Some(line) = project_config_line(config) {
                crate::outln!("# {}", one_line(&line));
            }
            for var in &plan.vars {
                crate::outln!("# {}: {}", var.name, one_line(&explain(var)));
                if var.is_applied() {
                    match assignment(shell, &var.name, &var.value) {
                        Some(code) => crate::outln!("{code}"),
                        None => ui::warn(format!(
                            "{} is not a portable variable name; not exporting it",
                            one_line(&var.name)
                        )),
                    }
                }
            }
            for (name, value) in &plan.restored {
                crate::outln!("# {name}: {RESTORED}");
                let code = match (value, shell) {
                    (Some(value), _) => assignment(shell, name, value),
                    (None, Format::Fish) => Some(format!("set -e {name};")),
                    (None, _) => Some(format!("unset {name};")),
                };
                // The names come from the hook's list, checked to be portable.
                if let Some(code) = code {
                    crate::outln!("{code}");
                }
            }
            for note in &notes {
                crate::outln!("# {note}");
            }
        }
        None => {
            if let Some(line) = project_config_line(config) {
                crate::outln!("{}", ui::out(&one_line(&line), Style::Dim));
            }
            for var in &plan.vars {
                let line = format!("{}={}", var.name, one_line(&var.value.to_string_lossy()));
                let line = if var.is_applied() {
                    ui::out(&line, Style::Bold)
                } else {
                    line
                };
                crate::outln!("{line}");
                crate::outln!("    {}", ui::out(&one_line(&explain(var)), Style::Dim));
            }
            for (name, value) in &plan.restored {
                let line = match value {
                    Some(value) => format!("{name}={}", one_line(&value.to_string_lossy())),
                    None => format!("{name} (removed)"),
                };
                crate::outln!("{}", ui::out(&line, Style::Bold));
                crate::outln!("    {}", ui::out(RESTORED, Style::Dim));
            }
            for note in &notes {
                crate::outln!("note: {note}");
            }
        }
    }
    // The project file's trust state is part of the report above.
    let untrusted = config.untrusted.as_ref().map(|u| &u.path);
    for warning in plan.warnings.iter().filter(|w| Some(&w.about) != untrusted) {
        ui::warn(warning);
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(var: &Var) -> String {
    let Some(wanted) = &var.overridden_by_user else {
        return var.source.to_string();
    };
    // Only an [env] entry has a `force` to add; gv's own values give way to the user's
    // environment, and unsetting the variable is what brings them back.
    let remedy = match &var.source {
        Source::Config { .. } => "add force = true to that entry to override".to_string(),
        _ => format!("unset {} to use it", var.name),
    };
    format!(
        "kept from your environment; {} wants {:?} ({remedy})",
        var.source,
        wanted.to_string_lossy()
    )
}

/// `export NAME='value';` (or fish's `set -gx`), or `None` for a name a shell could read
/// as code. The env model admits only portable names; this is the last line of defence.
fn assignment(shell: Format, name: &str, value: &OsStr) -> Option<String> {
    if !is_portable_var_name(name) {
        return None;
    }
    let value = value.to_string_lossy();
    Some(match shell {
        Format::Fish => format!("set -gx {name} {};", Syntax::Fish.quote(&value)),
        _ => format!("export {name}={};", Syntax::Posix.quote(&value)),
    })
}

fn var_json(var: &Var) -> serde_json::Value {
    let (kind, path, forced) = match &var.source {
        Source::Sdk { .. } => ("sdk", None, false),
        Source::Toolchain { path, .. } => ("gotoolchain", path.as_deref(), false),
        Source::Config { path, forced } => ("config", Some(path.as_path()), *forced),
        Source::Gobin { path } => ("gobin", path.as_deref(), false),
        Source::Instead { .. } => ("instead", None, true),
    };
    serde_json::json!({
        "name": var.name,
        "value": var.value.to_string_lossy(),
        "applied": var.is_applied(),
        "previous": var.previous.as_ref().map(|v| v.to_string_lossy()),
        "config_value": var.overridden_by_user.as_ref().map(|v| v.to_string_lossy()),
        "source": {
            "kind": kind,
            "path": path,
            "forced": forced,
            "description": var.source.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(
            assignment(Format::Bash, "GODEBUG", OsStr::new("a='b'")).unwrap(),
            "export GODEBUG='a='\\''b'\\''';"
        );
        assert_eq!(
            assignment(Format::Fish, "X", OsStr::new("it's\\")).unwrap(),
            "set -gx X 'it'\\''s'\\\\'';"
        );
        assert_eq!(
            assignment(Format::Bash, "GO$(touch x)", OsStr::new("1")),
            None
        );
        assert_eq!(assignment(Format::Zsh, "GO\nid", OsStr::new("1")), None);
    }
}
