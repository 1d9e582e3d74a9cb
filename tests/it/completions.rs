//! Completion scripts: the checked-in files are what `gv completions` prints, they load in
//! real shells, and version arguments complete the installed versions.
//!
//! Regenerate the checked-in files after changing the CLI or clap_complete:
//!     GV_UPDATE_COMPLETIONS=1 cargo test --test it completions
//! (or scripts/update-completions).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::Sandbox;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "gv.bash"),
    ("zsh", "_gv"),
    ("fish", "gv.fish"),
    ("powershell", "gv.ps1"),
    ("elvish", "gv.elv"),
];

fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

fn gv_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gv")
}

/// A PATH on which `gv` is this build, as the scripts call gv by name.
fn path_with_gv() -> String {
    format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        gv_bin().parent().unwrap().display()
    )
}

#[test]
fn checked_in_scripts_are_what_gv_completions_prints() {
    let sandbox = Sandbox::new();
    let update = std::env::var_os("GV_UPDATE_COMPLETIONS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = sandbox
            .gv(sandbox.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", support::stderr(&out));
        let path = completions_dir().join(file);
        if update {
            std::fs::write(&path, &out.stdout).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&out.stdout[..]) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "completion scripts differ from what gv generates: {stale:?}\n  \
         regenerate them with: GV_UPDATE_COMPLETIONS=1 cargo test --test it completions"
    );
}

/// Runs `shell args…` with `script` on stdin, PATH holding this gv, and a sandbox store.
fn run_shell(sandbox: &Sandbox, program: &str, args: &[&str], script: &str) -> (String, String) {
    use std::io::Write;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(sandbox.work(""))
        .env_clear()
        .envs(sandbox.env())
        .env("PATH", path_with_gv())
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}): install it (scripts/provision-test-tools does)")
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (support::stdout(&out), support::stderr(&out))
}

fn sandbox_with_versions() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.fake_install("1.21.13");
    sandbox.fake_install("1.22.10");
    sandbox
}

#[cfg(feature = "real-tests")]
#[test]
fn version_arguments_complete_installed_versions() {
    let sandbox = sandbox_with_versions();
    for sub in ["local", "global", "shell"] {
        let out = sandbox
            .gv(sandbox.path())
            .env("GV_COMPLETE", "fish")
            .args(["--", "gv", sub, ""])
            .output()
            .unwrap();
        let text = support::stdout(&out);
        let values: Vec<&str> = text
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(
            &values[..4],
            ["1.22.10", "1.21.13", "latest", "system"],
            "gv {sub} <TAB>: {text}"
        );
    }
}

#[cfg(feature = "real-tests")]
#[test]
fn bash_script_loads_and_completes_versions_and_commands() {
    let sandbox = sandbox_with_versions();
    let script = format!(
        "source {}\n\
         COMP_WORDS=(gv local ''); COMP_CWORD=2; COMP_LINE='gv local '; COMP_POINT=9\n\
         _clap_complete_gv gv '' local\n\
         echo \"versions:${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(gv comp); COMP_CWORD=1; COMP_LINE='gv comp'; COMP_POINT=7\n\
         _clap_complete_gv gv comp gv\n\
         echo \"commands:${{COMPREPLY[*]}}\"\n\
         complete -p gv\n",
        completions_dir().join("gv.bash").display()
    );
    let (out, err) = run_shell(&sandbox, "bash", &["--norc", "--noprofile"], &script);
    assert!(err.is_empty(), "bash printed errors: {err}");
    assert!(
        out.contains("versions:1.22.10 1.21.13 latest system"),
        "{out}"
    );
    assert!(out.contains("commands:completions"), "{out}");
    assert!(out.contains("_clap_complete_gv gv"), "{out}");
}

#[cfg(feature = "real-tests")]
#[test]
fn fish_script_loads_and_completes_versions() {
    let sandbox = sandbox_with_versions();
    let script = format!(
        "source {}\ncomplete -C 'gv local '\n",
        completions_dir().join("gv.fish").display()
    );
    let (out, err) = run_shell(&sandbox, "fish", &["--no-config"], &script);
    assert!(err.is_empty(), "fish printed errors: {err}");
    let values: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert!(
        values.starts_with(&["1.22.10", "1.21.13", "latest", "system"]),
        "{out}"
    );
}

#[cfg(feature = "real-tests")]
#[test]
fn zsh_script_loads_under_compinit() {
    let sandbox = sandbox_with_versions();
    let script = format!(
        "autoload -Uz compinit && compinit -u -d {dump}\n\
         source {file}\n\
         print -r -- \"registered:${{_comps[gv]}}\"\n",
        dump = sandbox.path().join("zcompdump").display(),
        file = completions_dir().join("_gv").display()
    );
    let (out, err) = run_shell(&sandbox, "zsh", &["-f"], &script);
    assert!(err.is_empty(), "zsh printed errors: {err}");
    assert!(
        out.contains("registered:_clap_dynamic_completer_gv"),
        "{out}"
    );
    // What the zsh function asks gv, answered the way it expects (`value` lines).
    let out = sandbox
        .gv(sandbox.path())
        .env("GV_COMPLETE", "zsh")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .args(["--", "gv", "local", ""])
        .output()
        .unwrap();
    assert!(
        support::stdout(&out).starts_with("1.22.10\n1.21.13\nlatest\nsystem"),
        "{}",
        support::stdout(&out)
    );
}

/// Elvish has its line editor (and `edit:`) only on a terminal, so it runs under
/// `script`, which gives it a pseudo-terminal.
#[cfg(feature = "real-tests")]
#[test]
fn elvish_script_loads() {
    let sandbox = sandbox_with_versions();
    let out_file = sandbox.path().join("elvish.out");
    let script = format!(
        "eval (slurp < {})\necho (kind-of $edit:completion:arg-completer[gv]) > {}\nexit\n",
        completions_dir().join("gv.elv").display(),
        out_file.display()
    );
    let (_, err) = run_shell(
        &sandbox,
        "script",
        &["-qec", "elvish -norc", "/dev/null"],
        &script,
    );
    let got = std::fs::read_to_string(&out_file).unwrap_or_else(|e| {
        panic!("elvish did not run the script ({e}); needs elvish and script (util-linux): {err}")
    });
    assert_eq!(got.trim(), "fn", "the completer is registered");
}

/// What `gv -- gv <words…>` answers under fish's protocol: the value candidates, in order
/// (the flags clap offers beside them left out).
fn candidates(sandbox: &Sandbox, words: &[&str]) -> Vec<String> {
    let out = sandbox
        .gv(sandbox.path())
        .env("GV_COMPLETE", "fish")
        .args(["--", "gv"])
        .args(words)
        .output()
        .unwrap();
    support::stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .filter(|c| !c.starts_with('-'))
        .collect()
}

/// `gv install <TAB>` offers the versions of the release index gv last fetched (never the
/// network: a TAB must not wait on it), newest first; `gv uninstall <TAB>` only what is
/// installed (`latest` and `system` name nothing to remove).
#[test]
fn install_completes_the_cached_index_and_uninstall_the_installed_versions() {
    let sandbox = sandbox_with_versions();
    let index = sandbox.path().join("cache/gv/index");
    std::fs::create_dir_all(&index).unwrap();
    let release = |v: &str, stable: bool| {
        format!(
            r#"{{"version":"go{v}","stable":{stable},"files":[{{"filename":"go{v}.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go{v}","sha256":"{}","size":1,"kind":"archive"}}]}}"#,
            "0".repeat(64)
        )
    };
    let text = format!(
        "[{},{},{},{}]",
        release("1.23rc1", false),
        release("1.21.13", true),
        release("1.23.9", true),
        release("1.22.10", true)
    );
    std::fs::write(index.join("go.dev_dl_-0123456789abcdef.json"), text).unwrap();
    // Garbage beside it is passed over, not fatal.
    std::fs::write(index.join("broken-fedcba9876543210.json"), "not json").unwrap();

    assert_eq!(
        candidates(&sandbox, &["install", ""]),
        ["1.23.9", "1.23rc1", "1.22.10", "1.21.13", "latest"],
        "gv install <TAB>"
    );
    assert_eq!(
        candidates(&sandbox, &["install", "1.22.10", "1.2"]),
        ["1.23.9", "1.23rc1", "1.22.10", "1.21.13"],
        "every version argument completes"
    );
    assert_eq!(
        candidates(&sandbox, &["uninstall", ""]),
        ["1.22.10", "1.21.13"],
        "gv uninstall <TAB>"
    );
    // No index cached yet: install still offers `latest`, and nothing is fetched.
    std::fs::remove_dir_all(&index).unwrap();
    assert_eq!(candidates(&sandbox, &["install", ""]), ["latest"]);
}

/// `eval "$(gv init SHELL)"` alone gives `gv <TAB>`: the init output registers gv's
/// completion in bash, zsh (after compinit, as the README says) and fish.
#[test]
fn gv_init_loads_the_completions() {
    let sandbox = sandbox_with_versions();
    let (out, err) = run_shell(
        &sandbox,
        "bash",
        &["--norc", "--noprofile"],
        "eval \"$(gv init bash)\"\ncomplete -p gv\n",
    );
    assert!(out.contains("-F _clap_complete_gv gv"), "bash: {out}{err}");
    let (out, err) = run_shell(
        &sandbox,
        "zsh",
        &["-f"],
        "autoload -U compinit && compinit -u\neval \"$(gv init zsh)\"\nprint -r -- \"comp=$_comps[gv]\"\n",
    );
    assert!(
        out.contains("comp=_clap_dynamic_completer_gv"),
        "zsh: {out}{err}"
    );
    // Without compinit, nothing is registered and nothing complains.
    let (out, err) = run_shell(
        &sandbox,
        "zsh",
        &["-f"],
        "eval \"$(gv init zsh)\"\nprint -r -- \"comp=${_comps[gv]-}\"\n",
    );
    assert!(out.contains("comp=\n"), "zsh: {out}{err}");
    assert!(!err.contains("compdef"), "zsh: {err}");
    let (out, err) = run_shell(
        &sandbox,
        "fish",
        &["--no-config"],
        "gv init fish | source\ncomplete --do-complete 'gv loc'\n",
    );
    assert!(
        out.lines().any(|l| l.starts_with("local")),
        "fish: {out}{err}"
    );
}

/// The examples of `gv completions --help` work as pasted into a fresh HOME (every one
/// but PowerShell's, which is in PowerShell's syntax): the directories they write to are
/// made first.
#[test]
fn the_completions_help_examples_work_on_a_fresh_home() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .gv(sandbox.path())
        .args(["completions", "--help"])
        .output()
        .unwrap();
    let help = support::stdout(&out);
    let examples: Vec<&str> = help
        .split_once("Examples:\n")
        .unwrap_or_else(|| panic!("no examples: {help}"))
        .1
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains("powershell"))
        .collect();
    assert!(examples.len() >= 6, "{help}");
    let home = sandbox.path().join("fresh-home");
    std::fs::create_dir(&home).unwrap();
    let (out, err) = run_shell(
        &sandbox,
        "sh",
        &["-e"],
        &format!("HOME='{}'\n{}\n", home.display(), examples.join("\n")),
    );
    for file in [
        ".local/share/bash-completion/completions/gv",
        ".zfunc/_gv",
        ".config/fish/completions/gv.fish",
        ".config/elvish/rc.elv",
    ] {
        let written = std::fs::read_to_string(home.join(file)).unwrap_or_default();
        assert!(
            written.contains("GV_COMPLETE"),
            "{file} after the examples ran:\n{}\n{out}{err}",
            examples.join("\n")
        );
    }
}
