//! `gv init` in real interactive shells (bash, zsh, fish) with real Go SDKs: every go call
//! runs its own directory's Go (one-shot variables, `cd x && go`, scripts, `make -C`,
//! `exec` and `source`), `[env]` applied on cd/pushd/popd and restored on leave and in
//! children elsewhere, `gv shell`, in-place `gv local`, `set -u`, existing
//! PROMPT_COMMANDs, sourcing twice, and no process on a prompt where nothing changed.
//!
//! Each shell reads its script from stdin in interactive mode (`-i`), so prompts and their
//! hooks run between the lines exactly as they do at a terminal. Lines the test checks
//! are printed as `OUT:name=value`.

use crate::support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{GO_A, GO_B, Sandbox};

/// A sandbox with both real SDKs and two sibling projects: `a` pins GO_A; `b` pins GO_B
/// and its gv.toml forces CGO_ENABLED=0 and suggests GODEBUG (not forced).
fn projects() -> Sandbox {
    // The user trusts their work tree (trusted_paths): gv.toml edits apply as they happen.
    let sandbox = Sandbox::trusting();
    sandbox.real_install(GO_A);
    sandbox.real_install(GO_B);
    sandbox.rehash();
    sandbox.write("a/.go-version", &format!("{GO_A}\n"));
    sandbox.write("b/.go-version", &format!("{GO_B}\n"));
    sandbox.write(
        "b/gv.toml",
        "[env]\nCGO_ENABLED = { value = \"0\", force = true }\nGODEBUG = \"panicnil=1\"\nGOINSTRUMENT = \"trace\"\n",
    );
    // Written long before the shell starts, as in real life: a file edited within a few
    // milliseconds before a hook run is re-checked once more at the next prompt (see
    // gv-core's watch.rs), which would blur the counts of hook runs these tests assert.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let work = sandbox.work("");
    for path in [
        work.join("a/.go-version"),
        work.join("b/.go-version"),
        work.join("b/gv.toml"),
        sandbox.root().join("versions"),
    ] {
        std::fs::File::open(&path)
            .and_then(|f| f.set_modified(an_hour_ago))
            .unwrap_or_else(|e| panic!("backdate {}: {e}", path.display()));
    }
    sandbox
}

fn gv_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gv")
}

struct Run {
    /// Every `OUT:name=value` line, in order.
    lines: Vec<(String, String)>,
    stderr: String,
}

impl Run {
    fn get(&self, name: &str) -> &str {
        let all = self.all(name);
        assert_eq!(
            all.len(),
            1,
            "OUT:{name} printed {} times; stderr:\n{}",
            all.len(),
            self.stderr
        );
        all[0]
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn map(&self) -> BTreeMap<&str, &str> {
        self.lines
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

fn shell_args(shell: &str) -> &'static [&'static str] {
    match shell {
        "bash" => &["--norc", "--noprofile", "-i"],
        "zsh" => &["-f", "-i"],
        "fish" => &["--no-config", "-i"],
        other => panic!("no such shell {other}"),
    }
}

/// Runs `shell` interactively in `sandbox`'s work/ with `script` on stdin. `@GV@` in the
/// script is replaced by the gv binary's path.
fn run(sandbox: &Sandbox, shell: &str, script: &str, extra_env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(shell);
    cmd.args(shell_args(shell));
    spawn_and_collect(sandbox, cmd, shell, script, extra_env)
}

/// Like [`run`], on a terminal: fish reads piped stdin without its line editor, so its
/// prompt events only fire on a tty. util-linux's `script` provides one; the terminal
/// echoes the typed lines, so print checked values as `"OUT:"name=…` to keep the echo
/// from matching.
fn run_on_terminal(
    sandbox: &Sandbox,
    shell: &str,
    script: &str,
    extra_env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new("script");
    cmd.args([
        "-qfec",
        &format!("{shell} {}", shell_args(shell).join(" ")),
        "/dev/null",
    ]);
    spawn_and_collect(
        sandbox,
        cmd,
        "script",
        &format!("{script}exit\n"),
        extra_env,
    )
}

fn spawn_and_collect(
    sandbox: &Sandbox,
    mut cmd: Command,
    program: &str,
    script: &str,
    extra_env: &[(&str, &str)],
) -> Run {
    let mut child = cmd
        .current_dir(sandbox.work(""))
        .env_clear()
        .envs(sandbox.env())
        .env("TERM", "dumb")
        .envs(extra_env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}): install it (scripts/provision-test-tools does)")
        });
    let script = script.replace("@GV@", &gv_bin().display().to_string());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = support::stdout(&out);
    let lines = stdout
        .lines()
        .filter_map(|line| {
            let rest = &line[line.find("OUT:")? + 4..];
            let (k, v) = rest.split_once('=')?;
            Some((k.to_string(), v.trim_end_matches('\r').to_string()))
        })
        .collect();
    Run {
        lines,
        stderr: support::stderr(&out),
    }
}

fn go_version(v: &str) -> String {
    format!("go version go{v} linux/amd64")
}

/// The switching scenario, the same steps in each shell's syntax.
fn switching_script(shell: &str) -> String {
    let posix = r#"export GOROOT=/opt/user-goroot CGO_ENABLED=1 GODEBUG=mine=1
eval "$(@GV@ init SHELL)"
eval "$(@GV@ init SHELL)"
echo "OUT:path0=$PATH"
cd a
echo "OUT:a.go=$(go version)"
echo "OUT:a.goroot=$(go env GOROOT)"
echo "OUT:a.toolchain=$(go env GOTOOLCHAIN)"
echo "OUT:a.shell.goroot=$GOROOT"
echo "OUT:a.shell.toolchain=${GOTOOLCHAIN-unset}"
cd ../b
echo "OUT:b.go=$(go version)"
echo "OUT:b.cgo=$CGO_ENABLED"
echo "OUT:b.godebug=$GODEBUG"
echo "OUT:b.instrument=$(printenv GOINSTRUMENT)$GOINSTRUMENT"
cd ..
echo "OUT:out.goroot=$GOROOT"
echo "OUT:out.cgo=$CGO_ENABLED"
echo "OUT:out.instrument=${GOINSTRUMENT-unset}"
echo "OUT:out.toolchain=${GOTOOLCHAIN-unset}"
echo "OUT:out.path=$PATH"
pushd a >/dev/null
echo "OUT:pushd.go=$(go version)"
popd >/dev/null
echo "OUT:popd.goroot=$GOROOT"
cd b
gv shell GO_A
echo "OUT:shell.go=$(go version)"
echo "OUT:shell.var=$GV_VERSION"
gv shell --unset
echo "OUT:unset.go=$(go version)"
echo "OUT:unset.var=${GV_VERSION-unset}"
gv local GO_A 2>/dev/null
echo "OUT:local.go=$(go version)"
echo "OUT:local.cgo=$CGO_ENABLED"
cd ..
echo "OUT:end.cgo=$CGO_ENABLED"
echo "OUT:end.godebug=$GODEBUG"
"#;
    let fish = r#"set -gx GOROOT /opt/user-goroot
set -gx CGO_ENABLED 1
set -gx GODEBUG mine=1
@GV@ init fish | source
@GV@ init fish | source
echo "OUT:path0=$PATH"
cd a
echo "OUT:a.go="(go version)
echo "OUT:a.goroot="(go env GOROOT)
echo "OUT:a.toolchain="(go env GOTOOLCHAIN)
echo "OUT:a.shell.goroot=$GOROOT"
set -q GOTOOLCHAIN; and echo "OUT:a.shell.toolchain=$GOTOOLCHAIN"; or echo "OUT:a.shell.toolchain=unset"
cd ../b
echo "OUT:b.go="(go version)
echo "OUT:b.cgo=$CGO_ENABLED"
echo "OUT:b.godebug=$GODEBUG"
echo "OUT:b.instrument="(printenv GOINSTRUMENT)"$GOINSTRUMENT"
cd ..
echo "OUT:out.goroot=$GOROOT"
echo "OUT:out.cgo=$CGO_ENABLED"
set -q GOINSTRUMENT; and echo "OUT:out.instrument=$GOINSTRUMENT"; or echo "OUT:out.instrument=unset"
set -q GOTOOLCHAIN; and echo "OUT:out.toolchain=$GOTOOLCHAIN"; or echo "OUT:out.toolchain=unset"
echo "OUT:out.path=$PATH"
pushd a
echo "OUT:pushd.go="(go version)
popd
echo "OUT:popd.goroot=$GOROOT"
cd b
gv shell GO_A
echo "OUT:shell.go="(go version)
echo "OUT:shell.var=$GV_VERSION"
gv shell --unset
echo "OUT:unset.go="(go version)
set -q GV_VERSION; and echo "OUT:unset.var=$GV_VERSION"; or echo "OUT:unset.var=unset"
gv local GO_A 2>/dev/null
echo "OUT:local.go="(go version)
echo "OUT:local.cgo=$CGO_ENABLED"
cd ..
echo "OUT:end.cgo=$CGO_ENABLED"
echo "OUT:end.godebug=$GODEBUG"
"#;
    let script = if shell == "fish" { fish } else { posix };
    script.replace("SHELL", shell).replace("GO_A", GO_A)
}

fn check_switching(shell: &str) {
    let sandbox = projects();
    let run = run(&sandbox, shell, &switching_script(shell), &[]);
    let out = run.map();
    let versions = sandbox.root().join("versions");
    let ctx = format!("{shell}: {out:#?}\nstderr:\n{}", run.stderr);
    assert_eq!(out.get("a.go").copied(), Some(&*go_version(GO_A)), "{ctx}");
    assert_eq!(
        out["a.goroot"],
        versions.join(GO_A).display().to_string(),
        "{ctx}"
    );
    assert_eq!(out["a.toolchain"], "local", "{ctx}");
    // The shell itself keeps the user's own GOROOT and no GOTOOLCHAIN: those are the
    // shims' business, per go command.
    assert_eq!(out["a.shell.goroot"], "/opt/user-goroot", "{ctx}");
    assert_eq!(out["a.shell.toolchain"], "unset", "{ctx}");
    assert_eq!(out["b.go"], go_version(GO_B), "{ctx}");
    assert_eq!(
        out["b.cgo"], "0",
        "forced [env] beats the user's value: {ctx}"
    );
    assert_eq!(
        out["b.godebug"], "mine=1",
        "the user's own GODEBUG wins: {ctx}"
    );
    assert_eq!(
        out["b.instrument"], "tracetrace",
        "exported to children too: {ctx}"
    );
    // Leaving: the user's values come back, gv's own additions go away.
    assert_eq!(out["out.goroot"], "/opt/user-goroot", "{ctx}");
    assert_eq!(out["out.cgo"], "1", "{ctx}");
    assert_eq!(out["out.instrument"], "unset", "{ctx}");
    assert_eq!(out["out.toolchain"], "unset", "{ctx}");
    let path0 = out["path0"];
    assert_eq!(out["out.path"], path0, "PATH is exactly as before: {ctx}");
    let shims = sandbox.root().join("shims").display().to_string();
    // fish joins its PATH list with `:` inside double quotes, like the others.
    assert_eq!(
        path0.split(':').filter(|p| *p == shims).count(),
        1,
        "shims once on PATH after sourcing twice: {ctx}"
    );
    assert_eq!(
        path0.split(':').next(),
        Some(shims.as_str()),
        "shims first: {ctx}"
    );
    assert_eq!(out["pushd.go"], go_version(GO_A), "{ctx}");
    assert_eq!(out["popd.goroot"], "/opt/user-goroot", "{ctx}");
    assert_eq!(
        out["shell.go"],
        go_version(GO_A),
        "gv shell overrides: {ctx}"
    );
    assert_eq!(out["shell.var"], GO_A, "{ctx}");
    assert_eq!(out["unset.go"], go_version(GO_B), "{ctx}");
    assert_eq!(out["unset.var"], "unset", "{ctx}");
    assert_eq!(
        out["local.go"],
        go_version(GO_A),
        "gv local applies at once: {ctx}"
    );
    assert_eq!(out["local.cgo"], "0", "{ctx}");
    assert_eq!(out["end.cgo"], "1", "{ctx}");
    assert_eq!(out["end.godebug"], "mine=1", "{ctx}");
    assert!(!run.stderr.contains("gv: error"), "{ctx}");
}

#[test]
fn bash_switches_on_cd_pushd_popd_and_restores() {
    check_switching("bash");
}

#[test]
fn zsh_switches_on_cd_pushd_popd_and_restores() {
    check_switching("zsh");
}

#[test]
fn fish_switches_on_cd_pushd_popd_and_restores() {
    check_switching("fish");
}

/// Projects beyond `a` and `b` for the every-call scenarios: `c` pins GO_A and its trusted
/// gv.toml sets GOFLAGS; `d` pins GO_A beside a go.mod that needs GO_B; `b` has a
/// Makefile; `s.sh` (and `s.fish`) cd to their first argument and print the Go there.
fn more_projects(sandbox: &Sandbox) {
    sandbox.write("c/.go-version", &format!("{GO_A}\n"));
    sandbox.write("c/gv.toml", "[env]\nGOFLAGS = \"-tags=c\"\n");
    sandbox.write("d/.go-version", &format!("{GO_A}\n"));
    sandbox.write("d/go.mod", &format!("module example.com/d\n\ngo {GO_B}\n"));
    sandbox.write("b/Makefile", "v:\n\t@go env GOVERSION\n");
    let script = sandbox.write(
        "s.sh",
        "#!/bin/sh\ncd \"$1\" && echo \"OUT:$2=$(go env GOVERSION)\"\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    sandbox.write(
        "s.fish",
        "cd $argv[1]; and echo \"OUT:$argv[2]=\"(go env GOVERSION)\n",
    );
}

/// The script of [`every_go_call_runs_its_own_directorys_go`], in each shell's syntax.
fn every_call_script(shell: &str) -> String {
    let posix = r#"export CGO_ENABLED=1
eval "$(@GV@ init SHELL)"
cd a
echo "OUT:oneshot=$(GV_VERSION=GO_B go env GOVERSION)"
echo "OUT:goenv=$(GOENV_VERSION=GO_B go env GOVERSION)"
cd ../b && echo "OUT:cdline=$(go env GOVERSION)"
cd ../a
echo "OUT:child=$(SHELL -c 'cd ../b; go env GOVERSION')"
echo "OUT:make=$(make -s -C ../b v)"
(exec ../s.sh ../b exec)
. ../s.sh ../b source
cd ../b
echo "OUT:b.cgo=$CGO_ENABLED"
echo "OUT:elsewhere.cgo=$(SHELL -c 'cd ../c; go env CGO_ENABLED')"
echo "OUT:elsewhere.flags=$(SHELL -c 'cd ../c; go env GOFLAGS')"
echo "OUT:elsewhere.instrument=$(SHELL -c 'cd ../c; @GV@ exec printenv GOINSTRUMENT || echo none')"
cd ../c
echo "OUT:back.cgo=$(SHELL -c 'cd ../b; go env CGO_ENABLED')"
echo "OUT:back.flags=[$(SHELL -c 'cd ../b; go env GOFLAGS')]"
cd ../d
echo "OUT:conflict=$(go version)"
echo "OUT:conflict.again=$(go version)"
"#;
    let fish = r#"set -gx CGO_ENABLED 1
@GV@ init fish | source
cd a
echo "OUT:oneshot="(GV_VERSION=GO_B go env GOVERSION)
echo "OUT:goenv="(GOENV_VERSION=GO_B go env GOVERSION)
cd ../b && echo "OUT:cdline="(go env GOVERSION)
cd ../a
echo "OUT:child="(fish -c 'cd ../b; go env GOVERSION')
echo "OUT:make="(make -s -C ../b v)
fish -c 'exec ../s.sh ../b exec'
source ../s.fish ../b source
cd ../b
echo "OUT:b.cgo=$CGO_ENABLED"
echo "OUT:elsewhere.cgo="(fish -c 'cd ../c; go env CGO_ENABLED')
echo "OUT:elsewhere.flags="(fish -c 'cd ../c; go env GOFLAGS')
echo "OUT:elsewhere.instrument="(fish -c 'cd ../c; @GV@ exec printenv GOINSTRUMENT; or echo none')
cd ../c
echo "OUT:back.cgo="(fish -c 'cd ../b; go env CGO_ENABLED')
echo "OUT:back.flags=["(fish -c 'cd ../b; go env GOFLAGS')"]"
cd ../d
echo "OUT:conflict="(go version)
echo "OUT:conflict.again="(go version)
"#;
    let script = if shell == "fish" { fish } else { posix };
    script
        .replace("SHELL", shell)
        .replace("GO_A", GO_A)
        .replace("GO_B", GO_B)
}

/// Every go call in a hooked shell runs the Go its own directory selects — the issue's
/// transcripts and everything a shell starts — and carries that directory's `[env]`,
/// never the one the hook applied for the shell's own directory.
fn check_every_call(shell: &str) {
    let sandbox = projects();
    more_projects(&sandbox);
    let run = run(&sandbox, shell, &every_call_script(shell), &[]);
    let out = run.map();
    let ctx = format!("{shell}: {out:#?}\nstderr:\n{}", run.stderr);
    let b = format!("go{GO_B}");
    for name in [
        "oneshot", "goenv", "cdline", "child", "make", "exec", "source",
    ] {
        assert_eq!(out.get(name).copied(), Some(b.as_str()), "{name}: {ctx}");
    }
    assert_eq!(out["b.cgo"], "0", "the hook applied b's [env]: {ctx}");
    assert_eq!(
        out["elsewhere.cgo"], "1",
        "b's forced CGO_ENABLED=0 does not follow a child into c: {ctx}"
    );
    assert_eq!(out["elsewhere.flags"], "-tags=c", "{ctx}");
    assert_eq!(
        out["elsewhere.instrument"], "none",
        "b's GOINSTRUMENT is removed for a command run in c: {ctx}"
    );
    assert_eq!(out["back.cgo"], "0", "{ctx}");
    assert_eq!(out["back.flags"], "[]", "c's GOFLAGS stays in c: {ctx}");
    assert_eq!(out["conflict"], go_version(GO_A), "{ctx}");
    assert_eq!(out["conflict.again"], go_version(GO_A), "{ctx}");
    let conflict = format!(
        "is older than the go{GO_B} that {} requires",
        sandbox.work("d").join("go.mod").display()
    );
    assert_eq!(
        run.stderr.matches(&conflict).count(),
        1,
        "the hook and the shim say it once: {ctx}"
    );
    assert!(!run.stderr.contains("gv: error"), "{ctx}");
}

#[test]
fn bash_runs_every_go_call_with_its_own_directorys_go() {
    check_every_call("bash");
}

#[test]
fn zsh_runs_every_go_call_with_its_own_directorys_go() {
    check_every_call("zsh");
}

#[test]
fn fish_runs_every_go_call_with_its_own_directorys_go() {
    check_every_call("fish");
}

/// `set -u`, an array PROMPT_COMMAND, sourcing twice: one hook, the user's command still
/// runs, no unbound-variable errors.
#[test]
fn bash_nounset_with_array_prompt_command_sourced_twice() {
    let sandbox = projects();
    let run = run(
        &sandbox,
        "bash",
        r#"set -u
user_pc() { echo "OUT:user_pc=$PWD"; }
PROMPT_COMMAND=(user_pc)
eval "$(@GV@ init bash)"
eval "$(@GV@ init bash)"
echo "OUT:pc=${PROMPT_COMMAND[*]}"
cd a
echo "OUT:go=$(go version)"
cd ..
echo "OUT:goroot=${GOROOT-unset}"
"#,
        &[],
    );
    assert_eq!(run.get("pc"), "__gv_prompt user_pc", "{}", run.stderr);
    assert_eq!(run.get("go"), go_version(GO_A), "{}", run.stderr);
    assert_eq!(run.get("goroot"), "unset", "{}", run.stderr);
    assert!(
        run.all("user_pc").len() >= 4,
        "the user's command still runs"
    );
    assert!(!run.stderr.contains("unbound"), "{}", run.stderr);
}

/// A string PROMPT_COMMAND is kept, the hook is added once, and `$?` reaches it intact.
#[test]
fn bash_string_prompt_command_keeps_exit_status() {
    let sandbox = projects();
    let run = run(
        &sandbox,
        "bash",
        r#"set -u
PROMPT_COMMAND='echo "OUT:status=$?"'
eval "$(@GV@ init bash)"
eval "$(@GV@ init bash)"
echo "OUT:pc=$PROMPT_COMMAND"
cd a
false
"#,
        &[],
    );
    assert_eq!(
        run.get("pc"),
        r#"__gv_prompt;echo "OUT:status=$?""#,
        "{}",
        run.stderr
    );
    assert_eq!(run.all("status").last(), Some(&"1"), "{}", run.stderr);
    assert!(!run.stderr.contains("unbound"), "{}", run.stderr);
}

/// A `gv` wrapper first on PATH logs every call; init embeds the path gv was invoked by,
/// so every call the hook makes goes through it.
/// Wrappers named `gv` and `gv-shim` that log each call to one file, then run the real
/// binary under the wrapper's name (the shim picks its mode from its name).
fn logging_wrapper(sandbox: &Sandbox) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = sandbox.path().join("wrapper");
    std::fs::create_dir_all(&dir).unwrap();
    let log = sandbox.path().join("calls.log");
    for (name, real) in [
        ("gv", gv_bin()),
        ("gv-shim", support::shim_binary().to_path_buf()),
    ] {
        let wrapper = dir.join(name);
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/bash\necho \"$*\" >> {}\nexec -a \"$0\" {} \"$@\"\n",
                log.display(),
                real.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dir.join("gv"), log)
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// No gv process on a prompt where the directory did not change; exactly one per change.
#[test]
fn no_process_on_prompts_without_a_directory_change() {
    let idle = ":\n".repeat(25);
    for shell in ["bash", "zsh", "fish"] {
        let sandbox = projects();
        let (wrapper, log) = logging_wrapper(&sandbox);
        let init = if shell == "fish" {
            format!("{} init fish | source\n", wrapper.display())
        } else {
            format!("eval \"$({} init {shell})\"\n", wrapper.display())
        };
        let script = format!(
            "{init}{idle}echo OUT:mark=start\ncd a\n{idle}echo OUT:mark=a\ncd ../b\n{idle}cd .\n{idle}echo OUT:mark=end\n"
        );
        let shim_wrapper = wrapper.with_file_name("gv-shim");
        let run = run(
            &sandbox,
            shell,
            &script,
            &[("GV_SHIM_BINARY", shim_wrapper.to_str().unwrap())],
        );
        assert_eq!(
            run.all("mark"),
            ["start", "a", "end"],
            "{shell}: {}",
            run.stderr
        );
        let hooks: Vec<String> = calls(&log)
            .into_iter()
            .filter(|c| c.starts_with("hook-env"))
            .collect();
        // One for the shell's start directory, one per cd into a new directory.
        assert_eq!(
            hooks.len(),
            3,
            "{shell}: hook calls {hooks:?} (all calls: {:?})",
            calls(&log)
        );
        assert_eq!(
            calls(&log).len(),
            4,
            "{shell}: init + 3 hooks: {:?}",
            calls(&log)
        );
    }
}

/// Files edited, created or removed in place — not through `gv local`, as an editor or
/// `git checkout` would — are applied at the next prompt; prompts after that, with
/// nothing changed, run no process again.
#[test]
fn edits_in_place_apply_at_the_next_prompt() {
    let posix = r#"eval "$(@WRAPPER@ init SHELL)"
cd a
echo "OUT:pinned=$(go version)"
echo GO_B > .go-version
echo "OUT:edited=$(go version)"
mkdir sub
cd sub
echo GO_A > .go-version
echo "OUT:created=$(go version)"
rm .go-version
echo "OUT:removed=$(go version)"
printf '[env]\nGOINSTRUMENT = "edited"\n' > ../gv.toml
echo "OUT:config=${GOINSTRUMENT-unset}"
sleep 0.1
echo "OUT:before=$(wc -l < @LOG@)"
:
:
:
:
echo "OUT:after=$(wc -l < @LOG@)"
"#;
    let fish = r#"@WRAPPER@ init fish | source
cd a
echo "OUT:"pinned=(go version)
echo GO_B > .go-version
echo "OUT:"edited=(go version)
mkdir sub
cd sub
echo GO_A > .go-version
echo "OUT:"created=(go version)
rm .go-version
echo "OUT:"removed=(go version)
printf '[env]\nGOINSTRUMENT = "edited"\n' > ../gv.toml
set -q GOINSTRUMENT; and echo "OUT:"config="$GOINSTRUMENT"; or echo "OUT:"config=unset
sleep 0.1
echo "OUT:"before=(wc -l < @LOG@)
true
true
true
true
echo "OUT:"after=(wc -l < @LOG@)
"#;
    for shell in ["bash", "zsh", "fish"] {
        let sandbox = projects();
        let (wrapper, log) = logging_wrapper(&sandbox);
        let script = if shell == "fish" { fish } else { posix }
            .replace("SHELL", shell)
            .replace("GO_A", GO_A)
            .replace("GO_B", GO_B)
            .replace("@WRAPPER@", &wrapper.display().to_string())
            .replace("@LOG@", &log.display().to_string());
        let shim_wrapper = wrapper.with_file_name("gv-shim");
        let env = [("GV_SHIM_BINARY", shim_wrapper.to_str().unwrap())];
        let run = if shell == "fish" {
            run_on_terminal(&sandbox, shell, &script, &env)
        } else {
            run(&sandbox, shell, &script, &env)
        };
        let ctx = format!("{shell}: {:?}\nstderr:\n{}", run.lines, run.stderr);
        assert_eq!(run.get("pinned"), go_version(GO_A), "{ctx}");
        assert_eq!(run.get("edited"), go_version(GO_B), "{ctx}");
        assert_eq!(run.get("created"), go_version(GO_A), "{ctx}");
        assert_eq!(run.get("removed"), go_version(GO_B), "{ctx}");
        assert_eq!(run.get("config"), "edited", "{ctx}");
        assert_eq!(
            run.get("before").trim(),
            run.get("after").trim(),
            "no hook run on prompts where nothing changed: {ctx}\ncalls: {:?}",
            calls(&log)
        );
        assert!(!run.stderr.contains("gv: "), "{ctx}");
    }
}

/// A directory whose version is not installed: the prompt keeps working, the hook says why
/// once, and leaves nothing applied; a directory with no pin at all is silent.
#[test]
fn hook_env_explains_a_missing_version_and_applies_nothing() {
    let sandbox = Sandbox::trusting();
    let dir = sandbox.work("p");
    sandbox.write("p/.go-version", "1.19.4\n");
    let out = sandbox
        .gv(&dir)
        .args(["hook-env", "--shell", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(support::stdout(&out), "");
    let err = support::stderr(&out);
    assert!(err.contains("Go 1.19.4 is not installed"), "{err}");
    assert!(err.contains("gv install 1.19.4"), "{err}");

    let out = sandbox
        .gv(&sandbox.work("empty"))
        .args(["hook-env", "--shell", "zsh"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(support::stdout(&out), "");
    assert_eq!(support::stderr(&out), "", "nothing pinned: nothing to say");

    sandbox.fake_install("1.22.10");
    sandbox.write("p/.go-version", "1.22.10\n");
    sandbox.write("p/gv.toml", "[env\n");
    let out = sandbox
        .gv(&dir)
        .args(["hook-env", "--shell", "fish"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(support::stdout(&out), "");
    assert!(
        support::stderr(&out).contains("gv.toml at line 1"),
        "{}",
        support::stderr(&out)
    );
}

/// With a stamp file, hook-env ends with the watch lists, also after a warning (so that
/// fixing the broken file is noticed); a stamp it cannot write costs only the lists.
#[test]
fn hook_env_watches_the_deciding_files_and_survives_an_unwritable_stamp() {
    let sandbox = Sandbox::new();
    sandbox.fake_install("1.22.10");
    let dir = sandbox.work("p/deep");
    sandbox.write("p/.go-version", "1.22.10\n");
    let work = sandbox.work("");
    let stamp = sandbox.path().join("stamps/4242");
    let hook_env = |stamp: &Path| {
        sandbox
            .gv(&dir)
            .args(["hook-env", "--shell", "bash"])
            .env("__GV_STAMP", stamp)
            .output()
            .unwrap()
    };
    let out = hook_env(&stamp);
    assert!(out.status.success());
    let code = support::stdout(&out);
    // GOBIN, for the programs the shell runs; the Go version is the shims'.
    assert!(code.starts_with("__gv_set 'GOBIN' "), "{code}");
    assert!(
        !code.contains("GOROOT") && !code.contains("__gv_path"),
        "{code}"
    );
    let line = |call: &str| {
        code.lines()
            .find(|l| l.split(' ').next() == Some(call))
            .unwrap_or_else(|| panic!("no {call} in {code}"))
            .to_string()
    };
    let quoted = |rel: &str| format!("'{}'", work.join(rel).display());
    let watch = line("__gv_watch");
    assert!(watch.contains(&quoted("p/.go-version")), "{watch}");
    let absent = line("__gv_watch_absent");
    assert!(absent.contains(&quoted("p/deep/.go-version")), "{absent}");
    assert!(stamp.is_file(), "the stamp is made on first use");

    sandbox.write("p/.go-version", "not a version\n");
    let out = hook_env(&stamp);
    assert!(support::stderr(&out).contains(".go-version"), "{out:?}");
    assert!(
        support::stdout(&out).contains(&quoted("p/.go-version")),
        "a broken pin is still watched, so fixing it is noticed: {out:?}"
    );

    sandbox.write("p/.go-version", "1.22.10\n");
    let out = hook_env(&work.join("p/.go-version/not-a-dir/stamp"));
    assert!(out.status.success());
    assert!(
        support::stdout(&out).starts_with("__gv_set 'GOBIN' "),
        "{out:?}"
    );
    assert!(!support::stdout(&out).contains("__gv_watch"), "{out:?}");
    assert_eq!(support::stderr(&out), "", "no warning at every cd");
}

#[test]
fn init_detects_the_shell_and_help_names_each_rc_line() {
    let sandbox = Sandbox::new();
    // The parent process is bash.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{} init; true", gv_bin().display()))
        .env_clear()
        .envs(sandbox.env())
        .output()
        .unwrap();
    assert!(
        support::stdout(&out).contains("PROMPT_COMMAND"),
        "{}",
        support::stderr(&out)
    );
    // The parent is this test, not a shell: $SHELL decides.
    let out = sandbox
        .gv(sandbox.path())
        .arg("init")
        .env("SHELL", "/usr/bin/fish")
        .output()
        .unwrap();
    assert!(support::stdout(&out).contains("--on-variable PWD"));
    let out = sandbox.gv(sandbox.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("hint: name it"),
        "{}",
        support::stderr(&out)
    );

    let help = sandbox
        .gv(sandbox.path())
        .args(["init", "--help"])
        .output()
        .unwrap();
    let help = support::stdout(&help);
    for line in [
        "eval \"$(gv init bash)\"",
        "eval \"$(gv init zsh)\"",
        "gv init fish | source",
        "Invoke-Expression (& gv init powershell | Out-String)",
    ] {
        assert!(help.contains(line), "missing {line:?} in:\n{help}");
    }
}

#[test]
fn gv_shell_without_the_integration_says_how_to_set_it_up() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .gv(sandbox.path())
        .args(["shell", "1.22"])
        .env("SHELL", "/bin/zsh")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(err.contains("eval \"$(gv init zsh)\""), "{err}");

    let out = sandbox
        .gv(sandbox.path())
        .args(["shell", "--shell", "fish", "1.22"])
        .output()
        .unwrap();
    assert_eq!(support::stdout(&out), "set -gx GV_VERSION '1.22'\n");
    let err = support::stderr(&out);
    assert!(err.contains("Go 1.22 is not installed"), "{err}");
    assert_eq!(err.matches("run `gv install 1.22`").count(), 1, "{err}");
    let out = sandbox
        .gv(sandbox.path())
        .args(["shell"])
        .env("GV_VERSION", "1.23")
        .output()
        .unwrap();
    assert_eq!(support::stdout(&out), "1.23\n");
}

/// The hook's warnings (printed by gv-shim's hook-env, the fast path `gv init` installs)
/// follow gv's own colour rules: a coloured label on a terminal, none with NO_COLOR or
/// off a terminal — exactly what `gv hook-env` prints.
#[test]
fn hook_warnings_follow_gvs_colour_rules() {
    let sandbox = Sandbox::new();
    sandbox.fake_install("1.22.10");
    sandbox.write("p/.go-version", "not a version\n");
    let dir = sandbox.work("p");
    // A warning is said once per version of its file: each run breaks the pin anew.
    let runs = std::cell::Cell::new(0);
    let break_pin = || {
        runs.set(runs.get() + 1);
        sandbox.write("p/.go-version", &format!("not a version {}\n", runs.get()));
    };
    let on_terminal = |program: &Path, no_color: Option<&str>| -> String {
        break_pin();
        let mut cmd = Command::new("script");
        cmd.args([
            "-qfec",
            &format!("'{}' hook-env --shell bash >/dev/null", program.display()),
            "/dev/null",
        ])
        .current_dir(&dir)
        .env_clear()
        .envs(sandbox.env())
        .env("TERM", "dumb");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run script ({e}): install util-linux"));
        support::stdout(&out)
    };
    let yellow = "\x1b[33mgv: warning:\x1b[0m ";
    for program in [gv_bin(), support::shim_binary().to_path_buf()] {
        let text = on_terminal(&program, None);
        assert!(text.contains(yellow), "{}: {text:?}", program.display());
        let text = on_terminal(&program, Some("1"));
        assert!(
            text.contains("gv: warning: ") && !text.contains('\x1b'),
            "{} with NO_COLOR: {text:?}",
            program.display()
        );
        // NO_COLOR set but empty does not count, as for gv's own output.
        let text = on_terminal(&program, Some(""));
        assert!(text.contains(yellow), "{}: {text:?}", program.display());
        // Off a terminal: plain.
        break_pin();
        let out = Command::new(&program)
            .args(["hook-env", "--shell", "bash"])
            .current_dir(&dir)
            .env_clear()
            .envs(sandbox.env())
            .output()
            .unwrap();
        let err = support::stderr(&out);
        assert!(
            err.contains("gv: warning: ") && !err.contains('\x1b'),
            "{err:?}"
        );
    }
}
