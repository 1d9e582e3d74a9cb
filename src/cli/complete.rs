//! Shell completion. The scripts are clap_complete's *dynamic* registrations: on TAB the
//! shell runs `GV_COMPLETE=<shell> gv -- <words>` and gv answers from its own command
//! definition, so the checked-in scripts never go stale when commands are added, and
//! version arguments complete the versions installed right now.

use std::ffi::OsString;

use clap::CommandFactory as _;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Shells, Zsh};

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
            Completion::Bash => &QuotingBash,
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
    let complete = clap_complete::CompleteEnv::with_factory(crate::cli::Cli::command)
        .var(gv_core::vars::COMPLETE)
        .bin("gv")
        .completer("gv")
        .shells(Shells(&[&QuotingBash, &Elvish, &Fish, &Powershell, &Zsh]));
    // `complete()` with the arguments and directory read through gv's one door.
    let cwd = gv_core::process::current_dir().ok();
    match complete.try_complete(gv_core::process::args_os(), cwd.as_deref()) {
        Ok(true) => std::process::exit(0),
        Ok(false) => {}
        Err(e) => e.exit(),
    }
}

/// clap's bash completion, made to quote what it inserts as bash's own file completion
/// does. clap's script puts candidates on the command line as they are, so a file named
/// ``app$(touch X)x`` in a cloned repository became `gv verify app$(touch X)x`, and Enter
/// ran it (zsh, fish and elvish quote by themselves). The script now ends by quoting
/// every candidate: when they are all files, `compopt -o filenames` hands the quoting to
/// readline, which knows an open quote on the line; otherwise each is quoted with
/// `printf %q`, bash's own quoting for reuse as input. And the word being completed is
/// read as bash would read it (`app\$` is `app$`), so a name typed with escapes still
/// completes.
struct QuotingBash;

/// The end of clap's bash function, where the quoting goes.
const BASH_FUNCTION_END: &str = "\n    fi\n}\n";

/// Quotes the candidates in `COMPREPLY` (see [`QuotingBash`]).
const BASH_QUOTING: &str = r#"    fi
    # gv: quote what is inserted, as bash's own file completion does.
    if [[ -n ${COMPREPLY+set} && ${#COMPREPLY[@]} -gt 0 ]]; then
        local __gv_c __gv_i __gv_files=1
        for __gv_c in "${COMPREPLY[@]}"; do
            [[ -e ${__gv_c%/} || -L ${__gv_c%/} ]] || { __gv_files=; break; }
        done
        if [[ -n $__gv_files ]] && compopt -o filenames 2> /dev/null; then
            :
        else
            for __gv_i in "${!COMPREPLY[@]}"; do
                printf -v "COMPREPLY[$__gv_i]" %q "${COMPREPLY[$__gv_i]}"
            done
        fi
    fi
}
"#;

impl EnvCompleter for QuotingBash {
    fn name(&self) -> &'static str {
        Bash.name()
    }

    fn is(&self, name: &str) -> bool {
        Bash.is(name)
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let mut clap = Vec::new();
        Bash.write_registration(var, name, bin, completer, &mut clap)?;
        let script = String::from_utf8_lossy(&clap);
        let Some(at) = script.find(BASH_FUNCTION_END) else {
            return Err(std::io::Error::other(
                "clap_complete's bash script changed shape: gv cannot add its quoting to it",
            ));
        };
        let mut out = String::with_capacity(script.len() + BASH_QUOTING.len());
        out.push_str(&script[..at + 1]);
        out.push_str(BASH_QUOTING);
        out.push_str(&script[at + BASH_FUNCTION_END.len()..]);
        buf.write_all(out.as_bytes())
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        mut args: Vec<OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let index: Option<usize> = gv_core::process::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok());
        // The words of the command line (`gv verify app`), the one being completed at
        // `_CLAP_COMPLETE_INDEX`, as clap's own bash support reads them.
        if let Some(word) = index.and_then(|i| args.get_mut(i)) {
            *word = bash_dequote(&word.to_string_lossy()).into();
        }
        Bash.write_complete(cmd, args, current_dir, buf)
    }
}

/// The word as bash reads it, for the part a completion request can hold: backslash
/// escapes, and single- or double-quoted stretches (an open quote runs to the end).
fn bash_dequote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') | (Some('"'), '\\') => {
                if let Some(next) = chars.next() {
                    if quote == Some('"') && !matches!(next, '$' | '`' | '"' | '\\') {
                        out.push('\\');
                    }
                    out.push(next);
                }
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (_, c) => out.push(c),
        }
    }
    out
}

/// Candidates for a version argument: the installed versions, newest first, then
/// `latest` and `system`.
pub fn installed_versions() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        installed()
            .iter()
            .rev()
            .map(|v| CompletionCandidate::new(v.to_string()))
            .chain(["latest", "system"].map(CompletionCandidate::new))
            .collect::<Vec<_>>()
    })
}

/// Candidates for `gv uninstall`: the installed versions only, newest first.
pub fn installed_only() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        installed()
            .iter()
            .rev()
            .map(|v| CompletionCandidate::new(v.to_string()))
            .collect::<Vec<_>>()
    })
}

fn installed() -> Vec<gv_core::Version> {
    gv_core::Store::from_env()
        .and_then(|store| store.installed())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_being_completed_is_read_as_bash_reads_it() {
        assert_eq!(bash_dequote(r"app\$\(touch\ X\)"), "app$(touch X)");
        assert_eq!(bash_dequote("'app$(x"), "app$(x");
        assert_eq!(bash_dequote(r#""app\$(x"#), "app$(x");
        assert_eq!(bash_dequote(r#""a\b"#), r"a\b");
        assert_eq!(bash_dequote(r"it\'s"), "it's");
        assert_eq!(bash_dequote("plain"), "plain");
        assert_eq!(bash_dequote("trailing\\"), "trailing");
    }

    #[test]
    fn the_bash_script_quotes_what_it_inserts() {
        let script = registration(Completion::Bash).unwrap();
        assert!(script.contains("compopt -o filenames"), "{script}");
        assert!(
            script.contains("printf -v \"COMPREPLY[$__gv_i]\" %q"),
            "{script}"
        );
        let quoting = script.find("# gv: quote").unwrap();
        let registered = script.find("complete -o nospace").unwrap();
        assert!(quoting < registered, "inside the function: {script}");
    }
}
