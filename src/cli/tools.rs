use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use gv_core::Spec;
use gv_core::select::{self, SelectEnv};
use gv_core::session::SessionError;

use super::{Session, UsageError};
use crate::error::Hinted;
use crate::tools::stale::{self, Assessed};
use crate::tools::{self, Target, Tool, delve, names};
use crate::ui;

/// List the tools in the shared GOBIN and which are stale; rebuild or install them
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv tools                              each tool, the Go that built it, its module, and
                                        whether it is stale here
  gv tools --json                       the same, for scripts
  gv tools reinstall --stale            rebuild just the stale ones with the Go selected here
  gv tools reinstall                    rebuild every tool with the Go selected here
  gv tools reinstall gopls --version 1.23
                                        rebuild one tool with Go 1.23.x
  gv tools install dlv gopls            build the newest dlv and gopls with the Go selected here
  gv tools install staticcheck@2024.1.1 golang.org/x/tools/cmd/stringer@latest

A tool is stale when the Go that built it is older (as a language version: 1.22 < 1.23)
than the one selected here, when that Go is no longer installed, or when its module has a
newer version in your GOPROXY (asked with `go list -m`; --offline skips that).
`reinstall --stale` rebuilds such a tool at that newer version and says so
(`upgraded v1.0.0 -> v1.1.0`).

Short names for install: dlv, gopls, staticcheck, goimports, govulncheck (README.md,
\"Tools\", lists their packages).

gv gives every Go version the same GOBIN (Go's default $GOPATH/bin, i.e. ~/go/bin, or
`gobin` in config.toml), so tools survive switching. Installs run `go install -- PATH@VERSION`
in the environment a shim would give go (GOPROXY etc. are yours).")]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
    /// Do not ask the module proxy for newer versions (only the Go versions are compared)
    #[arg(long)]
    offline: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Rebuild tools (all, the stale ones, or those named) with the selected or another Go
    #[command(after_help = "Examples:
  gv tools reinstall --stale            just the tools `gv tools` marks stale
  gv tools reinstall                    every tool, with the Go selected here
  gv tools reinstall gopls dlv          the tools named
  gv tools reinstall --version 1.23     every tool, with the newest installed Go 1.23.x")]
    Reinstall {
        /// Tool names (files in GOBIN); all tools when none is given
        #[arg(value_name = "NAME", conflicts_with = "stale")]
        names: Vec<String>,
        /// Only the tools `gv tools` marks stale; one whose module is behind is rebuilt at
        /// the newest version
        #[arg(long)]
        stale: bool,
        /// Build with this installed Go version instead of the one selected here (the same
        /// as GV_VERSION=V)
        #[arg(long, visible_alias = "go", value_name = "VERSION", value_parser = clap::value_parser!(Spec))]
        version: Option<Spec>,
        /// With --stale: do not ask the module proxy for newer versions
        #[arg(long)]
        offline: bool,
    },
    /// Build tools with the selected Go into the shared GOBIN (go install)
    #[command(after_help = "Examples:
  gv tools install dlv gopls            the newest delve and gopls (short names)
  gv tools install staticcheck@2024.1.1 a short name at a version
  gv tools install golang.org/x/tools/cmd/stringer@latest
                                        any package, at any version go install accepts
  gv tools install dlv --version 1.22   built with the newest installed Go 1.22.x")]
    Install {
        /// dlv, gopls, staticcheck, goimports or govulncheck (optionally @VERSION, default
        /// @latest), or any PACKAGE@VERSION
        #[arg(value_name = "TOOL", required = true)]
        tools: Vec<String>,
        /// Build with this installed Go version instead of the one selected here
        #[arg(long, visible_alias = "go", value_name = "VERSION", value_parser = clap::value_parser!(Spec))]
        version: Option<Spec>,
    },
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        None => list(session, args.json, args.offline),
        Some(Sub::Reinstall {
            names,
            stale,
            version,
            offline,
        }) => reinstall(session, &names, stale, version, offline || args.offline),
        Some(Sub::Install { tools, version }) => install(session, &tools, version),
    }
}

/// What building tools here needs: the selection, the shim's environment, the GOBIN.
struct Env {
    selection: select::Selection,
    plan: gv_core::env::EnvPlan,
    gobin: PathBuf,
}

impl Env {
    fn go(&self) -> PathBuf {
        self.selection.resolved.binary("go")
    }

    fn changes(&self) -> impl Iterator<Item = (&str, &std::ffi::OsStr)> {
        self.plan.changes()
    }
}

/// The selection, plan and GOBIN for building tools here (with `version`, as GV_VERSION).
fn environment(session: &Session, version: Option<Spec>) -> anyhow::Result<Env> {
    let other;
    let here = match version {
        Some(version) => {
            other = session.with_select_env(SelectEnv {
                gv_version: Some(version.to_string()),
                ..session.select_env().clone()
            });
            &other
        }
        None => session,
    };
    let super::Here {
        selection, plan, ..
    } = here.here()?;
    Ok(Env {
        selection: selection.clone(),
        plan: plan.clone(),
        gobin: gobin(here)?,
    })
}

/// The shared GOBIN here, or why there is none.
fn gobin(session: &Session) -> anyhow::Result<PathBuf> {
    session.gobin()?.ok_or_else(|| {
        Hinted::new(
            "there is no shared GOBIN: `gobin = false` in config and GOBIN is not set",
            "set GOBIN, or remove `gobin = false` to use ~/go/bin",
        )
        .into()
    })
}

fn read_tools(gobin: &Path) -> anyhow::Result<Vec<Tool>> {
    tools::list(gobin).with_context(|| format!("cannot read {}", gobin.display()))
}

/// Every tool's verdict against the Go selected here (`None`: none is), asking that Go's
/// proxy for newer module versions unless `offline`.
fn assess<'a>(
    session: &Session,
    env: Option<&Env>,
    all: &'a [Tool],
    offline: bool,
) -> Vec<Assessed<'a>> {
    let installed = session.store().installed().unwrap_or_default();
    let selected = env.and_then(|env| env.selection.resolved.version());
    let latest = match env {
        Some(env) if !offline => {
            let modules = stale::modules_to_check(all);
            match stale::latest_versions(&env.go(), &modules, env.changes()) {
                Ok(latest) => Some(latest),
                Err(e) => {
                    ui::warn(format!(
                        "cannot run {} to ask the proxy for newer versions: {e}",
                        env.go().display()
                    ));
                    None
                }
            }
        }
        _ => None,
    };
    stale::assess(all, selected.as_ref(), &installed, latest.as_ref())
}

fn list(session: &Session, json: bool, offline: bool) -> anyhow::Result<ExitCode> {
    // The listing needs only GOBIN; without a usable version here it still shows what is
    // there, and says what it could not check.
    let (env, unselected) = match environment(session, None) {
        Ok(env) => (Some(env), None),
        Err(err) => match err.downcast_ref::<SessionError>() {
            Some(SessionError::Select(why)) => (None, Some(why.clone())),
            _ => return Err(err),
        },
    };
    let gobin = match &env {
        Some(env) => env.gobin.clone(),
        None => gobin(session)?,
    };
    let all = read_tools(&gobin)?;
    let assessed = assess(session, env.as_ref(), &all, offline);
    if json {
        let items: Vec<_> = assessed.iter().map(tool_json).collect();
        let report = serde_json::json!({
            "gobin": gobin,
            "selected": env.as_ref().and_then(|env| env.selection.resolved.version()).map(|v| v.to_string()),
            "tools": items,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        crate::outln!(
            "no tools in {} (install one with `gv tools install dlv` or `go install PATH@VERSION`)",
            gobin.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(why) = &unselected {
        let report = gv_core::error::Report::with_hints(why, crate::error::hint_of);
        ui::warn_hinted(
            format!(
                "not checking the tools against a Go version or the proxy: {}",
                report.message
            ),
            report.hint.as_deref().unwrap_or("`gv current` says why"),
        );
    }
    crate::outln!("# {}", gobin.display());
    let width = all.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for item in &assessed {
        let tool = item.tool;
        match &tool.info {
            Ok(info) => {
                let module = tool
                    .module()
                    .map(|(path, version)| format!("{path}@{version}"))
                    .unwrap_or_else(|| "(no module recorded)".into());
                let package = info.path.as_deref().unwrap_or("?");
                let mut line = format!(
                    "{:<width$}  {:<10}  {module}  ({package})",
                    tool.name, info.go_version
                );
                if item.is_stale() {
                    let why: Vec<String> = item.reasons.iter().map(ToString::to_string).collect();
                    line.push_str(&format!(
                        "  {} {}",
                        ui::out("stale:", ui::Style::Yellow),
                        why.join("; ")
                    ));
                }
                crate::outln!("{line}");
            }
            Err(why) => crate::outln!("{:<width$}  {:<10}  {why}", tool.name, "-"),
        }
    }
    let stale = assessed.iter().filter(|a| a.is_stale()).count();
    if stale > 0 {
        ui::info(format!(
            "{stale} stale tool(s): rebuild them with `gv tools reinstall --stale`"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn tool_json(item: &Assessed<'_>) -> serde_json::Value {
    let tool = item.tool;
    let info = tool.info.as_ref().ok();
    serde_json::json!({
        "name": tool.name,
        "path": tool.path,
        "go_version": info.map(|i| i.go_version.as_str()),
        "package": info.and_then(|i| i.path.as_deref()),
        "module": tool.module().map(|m| m.0),
        "module_version": tool.module().map(|m| m.1),
        "install": tool.install_target().ok().map(|t| t.to_string()),
        "error": tool.info.as_ref().err(),
        "stale": item.is_stale(),
        "reasons": item.reasons,
        "newest": item.newest.as_ref().and_then(|n| n.as_ref().ok()),
        "newest_error": item.newest.as_ref().and_then(|n| n.as_ref().err()),
    })
}

fn reinstall(
    session: &Session,
    names: &[String],
    only_stale: bool,
    version: Option<Spec>,
    offline: bool,
) -> anyhow::Result<ExitCode> {
    let env = environment(session, version)?;
    ui::warn_once(session.store(), &env.plan.warnings);
    let all = read_tools(&env.gobin)?;
    // (tool, (the recorded version, the one to build it at) when it is also upgraded)
    let chosen: Vec<(&Tool, Option<(String, String)>)> = if only_stale {
        assess(session, Some(&env), &all, offline)
            .into_iter()
            .filter(|a| a.is_stale())
            .map(|a| {
                let upgrade = a.upgrade().map(|(c, n)| (c.to_string(), n.to_string()));
                (a.tool, upgrade)
            })
            .collect()
    } else if names.is_empty() {
        all.iter().map(|t| (t, None)).collect()
    } else {
        let mut chosen = Vec::new();
        for name in names {
            match all.iter().find(|t| &t.name == name) {
                Some(tool) => chosen.push((tool, None)),
                None => {
                    let have: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
                    return Err(UsageError::hinted(
                        format!("no tool `{name}` in {}", env.gobin.display()),
                        format!(
                            "`gv tools` lists them ({})",
                            if have.is_empty() {
                                "none yet".to_string()
                            } else {
                                have.join(", ")
                            }
                        ),
                    )
                    .into());
                }
            }
        }
        chosen
    };
    if chosen.is_empty() {
        if only_stale {
            crate::outln!(
                "no stale tools in {} (Go {})",
                env.gobin.display(),
                env.selection.resolved.name()
            );
        } else {
            crate::outln!("no tools in {}", env.gobin.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut failures = 0;
    for (tool, upgrade) in chosen {
        let target = match tool.install_target().and_then(|t| match &upgrade {
            Some((_, newest)) => t.at(newest).map_err(|e| e.to_string()),
            None => Ok(t),
        }) {
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
        if !go_install(&env, &tool.name, &target)? {
            failures += 1;
            continue;
        }
        let after = crate::inspect::build_info(&tool.path)
            .ok()
            .flatten()
            .map(|i| i.go_version)
            .unwrap_or_else(|| "?".into());
        // A rebuild that also moves the module to a newer version says so: the user
        // asked for the same tool built by a newer Go, not necessarily for new code.
        let upgraded = upgrade
            .map(|(from, to)| format!("; upgraded {from} -> {to}, the newest in the proxy"))
            .unwrap_or_default();
        crate::outln!(
            "rebuilt {} ({target}): {before} -> {after}{upgraded}",
            tool.name
        );
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `go install -- TARGET`, announced; false (after saying why) when it failed.
fn go_install(env: &Env, name: &str, target: &Target) -> anyhow::Result<bool> {
    let go = env.go();
    ui::info(format!(
        "{name}: go install {target} (Go {})",
        env.selection.resolved.name()
    ));
    let status = tools::install::go_install(&go, target, env.changes(), &std::env::temp_dir())
        .with_context(|| format!("cannot run {}", go.display()))?;
    if !status.success() {
        ui::report(&crate::error::Report {
            message: format!("`go install {target}` failed for {name} ({status})"),
            hint: Some("the output above says why; any old binary is still in place".into()),
        });
    }
    Ok(status.success())
}

fn install(session: &Session, args: &[String], version: Option<Spec>) -> anyhow::Result<ExitCode> {
    let targets: Vec<Target> = args
        .iter()
        .map(|a| names::parse(a).map_err(|e| UsageError::of(&e)))
        .collect::<Result<_, _>>()?;
    let env = environment(session, version)?;
    ui::warn_once(session.store(), &env.plan.warnings);
    let selected = env.selection.resolved.version();
    let mut failures = 0;
    for target in &targets {
        let name = crate::gobuild::packages::exec_name(target.package());
        if !go_install(&env, name, target)? {
            failures += 1;
            continue;
        }
        let path = env.gobin.join(name);
        let info = crate::inspect::build_info(&path).ok().flatten();
        let module = info
            .as_ref()
            .and_then(|i| i.main_module.clone())
            .unwrap_or_else(|| target.to_string());
        crate::outln!(
            "installed {} ({}, {}) in {}",
            name,
            module.replace(' ', "@"),
            info.as_ref().map_or("?", |i| i.go_version.as_str()),
            env.gobin.display()
        );
        if target.package() == names::package_of("dlv").unwrap_or_default()
            && let (Some(info), Some(go)) = (&info, &selected)
            && let Some(dlv) = delve::Dlv::from_build_info(info)
        {
            let verdict = delve::check(&dlv, go);
            if verdict.is_incompatible() {
                ui::warn_hinted(
                    verdict,
                    format!("install a delve that supports Go {go}: gv tools install dlv@latest"),
                );
                failures += 1;
            }
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `go install -- TARGET` into the shared GOBIN with the Go selected here, as
/// `gv tools reinstall` does it (for `gv import goenv`'s tools); false when it failed
/// (after saying why).
pub(super) fn rebuild_into_gobin(
    session: &Session,
    name: &str,
    target: &Target,
) -> anyhow::Result<bool> {
    let env = environment(session, None)?;
    go_install(&env, name, target)
}
