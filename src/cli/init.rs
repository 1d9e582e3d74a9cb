use std::path::PathBuf;
use std::process::ExitCode;

use super::{Session, UsageError};
use crate::shell::{Shell, init};
use crate::ui;

const AFTER_HELP: &str = "\
Examples:
  gv init bash                  print bash's set-up code (to read it before adding it)
  gv init                       the same for the shell gv runs in (detected)

Add one line to your shell's rc file:
  ~/.bashrc:                    eval \"$(gv init bash)\"
  ~/.zshrc:                     eval \"$(gv init zsh)\"
  ~/.config/fish/config.fish:   gv init fish | source
  $PROFILE (PowerShell):        Invoke-Expression (& gv init powershell | Out-String)

cmd.exe has no prompt hook, so nothing switches as you cd there: put gv's shims directory
(%LOCALAPPDATA%\\gv\\shims) on PATH, and the shims pick the version on every call.

What it sets up:
  - gv's shims directory first on PATH (once, even when sourced twice), and after it the
    GOBIN shared by every Go version, so tools from `go install` survive switching. Every
    go and gofmt is then a shim, which runs the Go its own directory selects: typed after
    a cd on the same line, with GV_VERSION=… in front, or run by a script, make -C or an
    editor task in another directory;
  - for the other programs you run: when the directory changes, the [env] of that place
    (and GOBIN) is applied to the shell, and what was changed is put back when you leave
    (a variable you had set before gets its value back);
  - notices, once, about the place you enter (an untrusted gv.toml, a version older than
    go.mod asks for, a version that is not installed);
  - a `gv` function, so `gv shell 1.22.3` and `gv local 1.23` take effect immediately.
A prompt in the same directory costs no process at all.";

/// Print the shell code that sets up shims, auto-switching and `gv shell`
///
/// Without SHELL, the shell is detected from the parent process, then $SHELL.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// bash, zsh, fish or powershell (default: detected)
    #[arg(value_enum)]
    shell: Option<Shell>,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let shell = match args.shell.or_else(Shell::detect) {
        Some(shell) => shell,
        None if started_by_cmd() => {
            return Err(UsageError::hinted(
                "cmd.exe has no prompt hook, so gv cannot switch versions as you cd there; its shims pick the version on every call instead",
                format!(
                    "put {} on PATH for cmd.exe, or use PowerShell: `gv init powershell`",
                    session.store().shims_dir().display()
                ),
            )
            .into());
        }
        None => {
            return Err(UsageError::hinted(
                "cannot tell which shell this is (neither the parent process nor $SHELL is bash, zsh, fish or PowerShell)",
                "name it: `gv init bash`, `gv init zsh`, `gv init fish` or `gv init powershell`",
            )
            .into());
        }
    };
    let argv0 = gv_core::process::args_os()
        .next()
        .and_then(|a| a.into_string().ok());
    let exe = init::gv_path(
        argv0.as_deref(),
        session.select_env().path.as_deref(),
        session.cwd(),
    );
    let gobin = shared_gobin();
    // The hook runs on every directory change: gv-shim runs the same code and, being small
    // and static, starts in a fraction of gv's time. Without it, gv does the job.
    let hook = crate::shim_dir::shim_binary()
        .ok()
        .filter(|shim| {
            let name = gv_core::platform::exe_name("gv-shim");
            shim.file_name().is_some_and(|n| n == name.as_str())
        })
        .unwrap_or_else(|| exe.clone());
    let stamps = gv_core::watch::stamp_dir()?;
    let paths = init::Paths {
        exe: &exe,
        hook: &hook,
        shims: &session.store().shims_dir(),
        stamps: &stamps,
        gobin: gobin.as_deref(),
    };
    crate::out!("{}", init::script(shell, &paths));
    crate::out!("{}", completions(shell)?);
    Ok(ExitCode::SUCCESS)
}

/// The completion script for `shell`, so that `gv init` alone gives `gv <TAB>`. zsh's
/// `compdef` exists only once compinit ran: without it the registration is skipped, not
/// an error at every start-up (README: run `gv init` after compinit).
fn completions(shell: Shell) -> anyhow::Result<String> {
    use super::complete::{Completion, registration};
    let which = match shell {
        Shell::Bash => Completion::Bash,
        Shell::Zsh => Completion::Zsh,
        Shell::Fish => Completion::Fish,
        Shell::Powershell => Completion::Powershell,
    };
    let script = registration(which)?;
    Ok(match shell {
        Shell::Zsh => script.replace("\ncompdef ", "\n(( $+functions[compdef] )) && compdef "),
        // Bash's script, like the hook, is parsed only by a bash that can run it (4.4 and
        // newer): macOS's bash 3.2 gets the one error the hook's guard prints, nothing more.
        Shell::Bash => format!(
            "case ${{BASH_VERSION-}} in\n  [0-3].* | 4.[0-3].*) ;;\n  *) eval {} ;;\nesac\n",
            gv_core::shell_syntax::Syntax::Posix.quote(&script)
        ),
        _ => script,
    })
}

/// Was gv started by cmd.exe (Windows' own command prompt)?
fn started_by_cmd() -> bool {
    gv_core::platform::parent_process_name().is_some_and(|name| {
        name.eq_ignore_ascii_case("cmd.exe") || name.eq_ignore_ascii_case("cmd")
    })
}

/// The directory `go install` writes to, to put on PATH: the user's own GOBIN, else the
/// one gv shares between versions (from the user's own config only). A GOBIN the shell
/// hook applied from a project is not the user's — in a shell started inside that
/// project it would put the repository's programs first on PATH — and a relative one
/// would put a different directory first in every place. Never fails: a broken config
/// must not break the shell's start-up (the hook and `gv doctor` report it).
fn shared_gobin() -> Option<PathBuf> {
    let lookup = gv_core::process::var_os;
    if let Some(own) = gv_core::env::users_own("GOBIN", &lookup) {
        let own = PathBuf::from(own);
        if !own.is_absolute() {
            ui::warn_hinted(
                format!(
                    "GOBIN={} is a relative path, so `gv init` does not put it on PATH",
                    own.display()
                ),
                "export an absolute GOBIN",
            );
            return None;
        }
        return Some(own);
    }
    let config = gv_core::config::Config {
        user: gv_core::config::Config::load_user().ok()?,
        ..Default::default()
    };
    let users = |name: &str| gv_core::env::users_own(name, &lookup);
    gv_core::env::shared_gobin(&config, &users)
        .ok()
        .flatten()
        .map(|(dir, _)| dir)
}
