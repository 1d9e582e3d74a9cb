//! Shell completion. The scripts are clap_complete's *dynamic* registrations: on TAB the
//! shell runs `GV_COMPLETE=<shell> gv -- <words>` and gv answers from its own command
//! definition, so the checked-in scripts never go stale when commands are added, and
//! version arguments complete the versions installed right now.

use clap::CommandFactory as _;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

/// Shells gv has completion scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Completion {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    Elvish,
}

impl Completion {
    pub const ALL: [Completion; 5] = [
        Completion::Bash,
        Completion::Zsh,
        Completion::Fish,
        Completion::Powershell,
        Completion::Elvish,
    ];

    /// The file name under completions/ (the name each shell's loader looks for).
    pub fn file_name(self) -> &'static str {
        match self {
            Completion::Bash => "gv.bash",
            Completion::Zsh => "_gv",
            Completion::Fish => "gv.fish",
            Completion::Powershell => "gv.ps1",
            Completion::Elvish => "gv.elv",
        }
    }

    fn completer(self) -> &'static dyn EnvCompleter {
        match self {
            Completion::Bash => &Bash,
            Completion::Zsh => &Zsh,
            Completion::Fish => &Fish,
            Completion::Powershell => &Powershell,
            Completion::Elvish => &Elvish,
        }
    }
}

/// The completion script for `shell`. It calls `gv` by name, so it works with the
/// binary on PATH and with the `gv` function of `gv init` alike.
pub fn registration(shell: Completion) -> std::io::Result<String> {
    let mut buf = Vec::new();
    shell
        .completer()
        .write_registration(gv_core::vars::COMPLETE, "gv", "gv", "gv", &mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Answers a completion request and exits, when `GV_COMPLETE` asks for one.
pub fn complete_if_requested() {
    clap_complete::CompleteEnv::with_factory(crate::cli::Cli::command)
        .var(gv_core::vars::COMPLETE)
        .bin("gv")
        .completer("gv")
        .complete();
}

/// Candidates for a version argument: the installed versions, newest first, then
/// `latest` and `system`.
pub fn installed_versions() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let installed = gv_core::Store::from_env()
            .and_then(|store| store.installed())
            .unwrap_or_default();
        installed
            .iter()
            .rev()
            .map(|v| CompletionCandidate::new(v.to_string()))
            .chain(["latest", "system"].map(CompletionCandidate::new))
            .collect::<Vec<_>>()
    })
}
