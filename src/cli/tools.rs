use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::Context as _;
use gv_core::select::{self, SelectEnv};

use super::{Context, UsageError};
use crate::tools::{self, Tool};
use crate::ui;

/// List the tools in the shared GOBIN, or rebuild them with another Go version
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv tools                              each tool, the Go version that built it, its module
  gv tools --json                       the same, for scripts
  gv tools reinstall                    rebuild every tool with the Go version selected here
  gv tools reinstall gopls --version 1.23
                                        rebuild one tool with Go 1.23.x

gv gives every Go version the same GOBIN (Go's default $GOPATH/bin, i.e. ~/go/bin, or
`gobin` in config.toml), so tools from `go install` survive switching. `reinstall` runs
`go install PATH@VERSION` with the path and module version recorded in each tool's
build info, in the environment a shim would give go (GOPROXY etc. are yours).")]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Rebuild tools (all, or those named) with the selected or another Go version
    Reinstall {
        /// Tool names (files in GOBIN); all tools when none is given
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        /// Build with this installed version instead of the one selected here (the same as
        /// GV_VERSION=V)
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        None => list(ctx, args.json),
        Some(Sub::Reinstall { names, version }) => reinstall(ctx, &names, version),
    }
}

/// The selection, plan and GOBIN for building tools here (with `version`, as GV_VERSION).
fn environment(
    ctx: &Context,
    version: Option<String>,
) -> anyhow::Result<(select::Selection, gv_core::env::EnvPlan, PathBuf)> {
    let env = SelectEnv {
        gv_version: version.or_else(|| ctx.env.gv_version.clone()),
        ..ctx.env.clone()
    };
    let super::Here {
        selection, plan, ..
    } = ctx.here_with(&env)?;
    let gobin = plan.get("GOBIN").map(|v| PathBuf::from(&v.value)).ok_or_else(|| {
        anyhow::anyhow!(
            "there is no shared GOBIN: `gobin = false` in config and GOBIN is not set\n  hint: set GOBIN, or remove `gobin = false` to use ~/go/bin"
        )
    })?;
    Ok((selection, plan, gobin))
}

fn list(ctx: &Context, json: bool) -> anyhow::Result<ExitCode> {
    let (_, _, gobin) = environment(ctx, None)?;
    let tools = tools::list(&gobin).with_context(|| format!("cannot read {}", gobin.display()))?;
    if json {
        let items: Vec<_> = tools.iter().map(tool_json).collect();
        let report = serde_json::json!({ "gobin": gobin, "tools": items });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if tools.is_empty() {
        println!(
            "no tools in {} (install one with `go install PATH@VERSION`)",
            gobin.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("# {}", gobin.display());
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for tool in &tools {
        match &tool.info {
            Ok(info) => {
                let module = tool
                    .module()
                    .map(|(path, version)| format!("{path}@{version}"))
                    .unwrap_or_else(|| "(no module recorded)".into());
                let package = info.path.as_deref().unwrap_or("?");
                println!(
                    "{:<width$}  {:<10}  {module}  ({package})",
                    tool.name, info.go_version
                );
            }
            Err(why) => println!("{:<width$}  {:<10}  {why}", tool.name, "-"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn tool_json(tool: &Tool) -> serde_json::Value {
    let info = tool.info.as_ref().ok();
    serde_json::json!({
        "name": tool.name,
        "path": tool.path,
        "go_version": info.map(|i| i.go_version.as_str()),
        "package": info.and_then(|i| i.path.as_deref()),
        "module": tool.module().map(|m| m.0),
        "module_version": tool.module().map(|m| m.1),
        "install": tool.install_target().ok(),
        "error": tool.info.as_ref().err(),
    })
}

fn reinstall(ctx: &Context, names: &[String], version: Option<String>) -> anyhow::Result<ExitCode> {
    let (selection, plan, gobin) = environment(ctx, version)?;
    ui::warn_once(&ctx.store, &plan.warnings);
    let all = tools::list(&gobin).with_context(|| format!("cannot read {}", gobin.display()))?;
    let chosen: Vec<&Tool> = if names.is_empty() {
        all.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for name in names {
            match all.iter().find(|t| &t.name == name) {
                Some(tool) => chosen.push(tool),
                None => {
                    let have: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
                    return Err(UsageError(format!(
                        "no tool `{name}` in {}\n  hint: `gv tools` lists them ({})",
                        gobin.display(),
                        if have.is_empty() {
                            "none yet".to_string()
                        } else {
                            have.join(", ")
                        }
                    ))
                    .into());
                }
            }
        }
        chosen
    };
    if chosen.is_empty() {
        println!("no tools in {}", gobin.display());
        return Ok(ExitCode::SUCCESS);
    }
    let go = selection.resolved.binary("go");
    let mut failures = 0;
    for tool in chosen {
        let target = match tool.install_target() {
            Ok(target) => target,
            Err(why) => {
                ui::warn(format!("skipping {}: {why}", tool.name));
                failures += 1;
                continue;
            }
        };
        let before = tool
            .info
            .as_ref()
            .map(|i| i.go_version.clone())
            .unwrap_or_default();
        ui::info(format!(
            "{}: go install {target} (Go {})",
            tool.name,
            selection.resolved.name()
        ));
        let status = Command::new(&go)
            // `--` ends go's flags: the target is only ever a package path.
            .args(["install", "--", &target])
            .envs(plan.changes())
            .status()
            .with_context(|| format!("cannot run {}", go.display()))?;
        if !status.success() {
            ui::error(format!(
                "`go install {target}` failed for {} ({status})\n  hint: the output above says why; the old binary is still in place",
                tool.name
            ));
            failures += 1;
            continue;
        }
        let after = crate::inspect::build_info(&tool.path)
            .ok()
            .flatten()
            .map(|i| i.go_version)
            .unwrap_or_else(|| "?".into());
        println!("rebuilt {} ({target}): {before} -> {after}", tool.name);
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
