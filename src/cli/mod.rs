//! The command-line skin: argument parsing and dispatch. Each command lives in its own
//! file and calls into the library; nothing here is worth a unit test on its own.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod cache;
mod check;
pub mod complete;
mod completions;
mod current;
mod debug;
mod doctor;
mod env;
mod exec;
mod global;
mod goenv_argv;
mod goenv_forms;
mod hook_env;
mod ide;
mod import;
mod init;
mod install;
mod latest_patch;
mod list;
mod local;
mod ls_remote;
mod pin_args;
mod prune;
mod rehash;
mod self_cmd;
mod session;
mod shell;
mod symbols;
mod tools;
mod trust;
mod uninstall;
mod verify;
mod which;

pub use session::{Here, Session, origin_json, project_config_json, project_config_line};

const AFTER_HELP: &str = "\
Examples:
  gv install 1.22          install the newest Go 1.22.x
  gv local 1.22.10         pin this directory (writes .go-version)
  gv current               which version applies here, and why

Exit codes: 0 success, 1 error, 2 usage error.
Environment variables and config files: see README.md, section \"Configuration\".";

#[derive(Debug, Parser)]
#[command(
    name = "gv",
    version,
    about = "A Go toolchain and build-flag manager",
    after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Install(install::Args),
    Uninstall(uninstall::Args),
    LsRemote(ls_remote::Args),
    #[command(visible_alias = "ls", alias = "versions")]
    List(list::Args),
    #[command(visible_alias = "version")]
    Current(current::Args),
    Local(local::Args),
    Global(global::Args),
    Which(which::WhichArgs),
    Prefix(which::PrefixArgs),
    Build(build::BuildArgs),
    Test(build::TestArgs),
    Run(build::RunArgs),
    Debug(debug::Args),
    Verify(verify::Args),
    Symbols(symbols::Args),
    Init(init::Args),
    Shell(shell::Args),
    Rehash(rehash::Args),
    Exec(exec::Args),
    Env(env::Args),
    Ide(ide::Args),
    Import(import::Args),
    Doctor(doctor::Args),
    Check(check::Args),
    Prune(prune::Args),
    Cache(cache::Args),
    Tools(tools::Args),
    Trust(trust::Args),
    Untrust(trust::UntrustArgs),
    Completions(completions::Args),
    #[command(name = "self")]
    SelfCmd(self_cmd::Args),
    #[command(hide = true)]
    HookEnv(hook_env::Args),
    // goenv's names for what gv shows another way (README: "Coming from goenv").
    #[command(hide = true)]
    VersionName(goenv_forms::VersionNameArgs),
    #[command(hide = true)]
    VersionOrigin(goenv_forms::VersionOriginArgs),
    #[command(hide = true)]
    VersionFile(goenv_forms::VersionFileArgs),
    #[command(hide = true)]
    Root(goenv_forms::RootArgs),
    #[command(hide = true)]
    Whence(goenv_forms::WhenceArgs),
    #[command(hide = true)]
    Shims(goenv_forms::ShimsArgs),
    #[command(hide = true)]
    Commands(goenv_forms::CommandsArgs),
    #[command(hide = true)]
    Installed(goenv_forms::InstalledArgs),
}

/// Asks `question` on the terminal. Without a terminal there is no one to ask, so it
/// refuses with a usage error carrying `hint` (how to say yes up front).
pub(crate) fn confirm(question: &str, hint: &str) -> anyhow::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(UsageError::hinted(
            format!(
                "refusing to {} without confirmation",
                question.trim_end_matches('?')
            ),
            format!("{hint} (stdin is not a terminal, so gv cannot ask)"),
        )
        .into());
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub use crate::error::UsageError;

/// Runs gv as `build` (its version and the key it trusts for self updates: see main.rs).
pub fn main(build: crate::self_update::update::Build) -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command().version(build.version);
    let argv = goenv_argv::rewrite(gv_core::process::args_os().collect(), &|name| {
        gv_core::process::var_os(name)
    });
    let matches = match command.clone().try_get_matches_from(argv) {
        Ok(matches) => matches,
        Err(e) => {
            if e.kind() == clap::error::ErrorKind::InvalidSubcommand
                && let Some(clap::error::ContextValue::String(name)) =
                    e.get(clap::error::ContextKind::InvalidSubcommand)
                && let Some(answer) = goenv_argv::no_sense(name)
            {
                crate::ui::report(&crate::error::report(&answer.into()));
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit());
    match run(cli, &build) {
        Ok(code) => code,
        Err(err) => {
            crate::ui::report(&crate::error::report(&err));
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli, build: &crate::self_update::update::Build) -> anyhow::Result<ExitCode> {
    // verify needs no store or selection: it must work on any machine, even a broken one.
    let command = match cli.command {
        Command::Verify(args) => return verify::run(args),
        Command::Symbols(args) => return symbols::run(args),
        Command::Commands(args) => return goenv_forms::run_commands(args),
        command => command,
    };
    let session = Session::from_process()?;
    match command {
        Command::Local(args) => local::run(&session, args),
        Command::Global(args) => global::run(&session, args),
        Command::Current(args) => current::run(&session, args),
        Command::List(args) => list::run(&session, args),
        Command::Which(args) => which::run_which(&session, args),
        Command::Prefix(args) => which::run_prefix(&session, args),
        Command::Rehash(args) => rehash::run(&session, args),
        Command::Exec(args) => exec::run(&session, args),
        Command::Env(args) => env::run(&session, args),
        Command::Import(args) => import::run(&session, args),
        Command::Ide(args) => ide::run(&session, args),
        Command::Doctor(args) => doctor::run(&session, args),
        Command::Check(args) => check::run(&session, args),
        Command::Prune(args) => prune::run(&session, args),
        Command::Cache(args) => cache::run(args),
        Command::Tools(args) => tools::run(&session, args),
        Command::Trust(args) => trust::run(&session, args),
        Command::Untrust(args) => trust::run_untrust(&session, args),
        Command::Init(args) => init::run(&session, args),
        Command::Shell(args) => shell::run(&session, args),
        Command::Completions(args) => completions::run(args),
        Command::SelfCmd(args) => self_cmd::run(&session, build, args),
        Command::HookEnv(args) => hook_env::run(&session, args),
        Command::Install(args) if args.wants_list() => {
            ls_remote::run(&session, ls_remote::Args::every_release(args.into_source()))
        }
        Command::Install(args) => install::run(&session, args),
        Command::Uninstall(args) => uninstall::run(&session, args),
        Command::LsRemote(args) => ls_remote::run(&session, args),
        Command::Verify(args) => verify::run(args),
        Command::Symbols(args) => symbols::run(args),
        Command::Build(args) => build::run_build(&session, args),
        Command::Test(args) => build::run_test(&session, args),
        Command::Run(args) => build::run_run(&session, args),
        Command::Debug(args) => debug::run(&session, args),
        Command::VersionName(args) => goenv_forms::run_version_name(&session, args),
        Command::VersionOrigin(args) => goenv_forms::run_version_origin(&session, args),
        Command::VersionFile(args) => goenv_forms::run_version_file(&session, args),
        Command::Root(args) => goenv_forms::run_root(&session, args),
        Command::Whence(args) => goenv_forms::run_whence(&session, args),
        Command::Shims(args) => goenv_forms::run_shims(&session, args),
        Command::Commands(args) => goenv_forms::run_commands(args),
        Command::Installed(args) => goenv_forms::run_installed(&session, args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Every command a user can run, with its path (`gv cache clean`).
    fn visible(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let path = format!("{path} {}", sub.get_name());
            out.push((path.clone(), sub.clone()));
            visible(sub, path, out);
        }
    }

    /// README promises examples in every command's --help.
    #[test]
    fn every_command_has_examples_in_its_help() {
        let mut commands = Vec::new();
        visible(&super::Cli::command(), "gv".into(), &mut commands);
        let missing: Vec<&str> = commands
            .iter_mut()
            .filter_map(|(path, cmd)| {
                let help = cmd.render_long_help().to_string();
                (!help.contains("\nExamples:\n")).then_some(path.as_str())
            })
            .collect();
        assert!(missing.is_empty(), "no examples in --help: {missing:?}");
        assert!(commands.len() > 30, "walked {} commands", commands.len());
    }
}
