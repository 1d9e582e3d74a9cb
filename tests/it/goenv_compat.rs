//! goenv's commands, variables and files, as a goenv user's scripts and CI lines use them
//! with `alias goenv=gv` (issue 22).
//!
//! Every expectation marked "goenv 2.2.44:" was recorded by running go-nv/goenv's bash
//! release, version 2.2.44, here on the same kind of tree (GOENV_ROOT with fake 1.21.13,
//! 1.22.10 and 1.23.9 SDKs, global file `1.22.10:1.21.13`); goenv's code is not part of
//! this repository. Where gv answers differently on purpose, the test says so and why.

use crate::support;

use std::path::Path;

use support::mirror::{MirrorServer, Served, fake_sdk};
use support::{Sandbox, stderr, stdout};

/// A port nothing listens on: the official index cannot be reached.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";

/// goenv's test tree: three versions, each with go and gofmt, the global file a list.
fn world() -> Sandbox {
    let sb = Sandbox::new();
    for v in ["1.21.13", "1.22.10", "1.23.9"] {
        let goroot = sb.fake_install(v);
        std::fs::copy(goroot.join("bin/go"), goroot.join("bin/gofmt")).unwrap();
    }
    std::fs::write(sb.root().join("version"), "1.22.10:1.21.13\n").unwrap();
    let out = sb.gv(sb.path()).arg("rehash").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    sb
}

fn run(sb: &Sandbox, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = sb.gv(cwd);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// stdout of a command that must succeed.
fn ok(sb: &Sandbox, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(sb, cwd, args, env);
    assert!(out.status.success(), "gv {args:?}: {out:?}");
    stdout(&out)
}

fn root(sb: &Sandbox) -> String {
    sb.root().display().to_string()
}

#[test]
fn versions_lists_like_goenv_versions() {
    let sb = world();
    let dir = sb.work("p");
    // goenv 2.2.44: `goenv versions --bare` prints "1.21.13\n1.22.10\n1.23.9\n".
    assert_eq!(
        ok(&sb, &dir, &["versions", "--bare"], &[]),
        "1.21.13\n1.22.10\n1.23.9\n"
    );
    // goenv 2.2.44: --skip-aliases accepted; gv's store has no aliases to skip.
    assert_eq!(
        ok(&sb, &dir, &["versions", "--bare", "--skip-aliases"], &[]),
        "1.21.13\n1.22.10\n1.23.9\n"
    );
    // goenv 2.2.44 marks every entry of the list ("* 1.21.13 (set by …/version)",
    // "* 1.22.10 (set by …/version)"); gv marks the one that runs, the first installed.
    let text = ok(&sb, &dir, &["versions"], &[]);
    assert_eq!(
        text,
        format!(
            "  1.21.13\n* 1.22.10 (global default, set by {}/version)\n  1.23.9\n",
            root(&sb)
        )
    );
}

#[test]
fn version_name_origin_and_file_answer_as_goenvs() {
    let sb = world();
    let sub = sb.work("proj/sub");
    // goenv 2.2.44 with only the global file: version-name "1.22.10:1.21.13" (every
    // installed entry; gv: the one that runs), version-origin and version-file both
    // "$GOENV_ROOT/version".
    assert_eq!(ok(&sb, &sub, &["version-name"], &[]), "1.22.10\n");
    let global = format!("{}/version\n", root(&sb));
    assert_eq!(ok(&sb, &sub, &["version-origin"], &[]), global);
    assert_eq!(ok(&sb, &sub, &["version-file"], &[]), global);

    // goenv 2.2.44, `go-1.21.13` in proj/.go-version, run in proj/sub: version-name
    // "1.21.13", version-file and version-origin "…/proj/.go-version".
    let pin = sb.write("proj/.go-version", "go-1.21.13\n");
    assert_eq!(ok(&sb, &sub, &["version-name"], &[]), "1.21.13\n");
    let pin_line = format!("{}\n", pin.display());
    assert_eq!(ok(&sb, &sub, &["version-file"], &[]), pin_line);
    assert_eq!(ok(&sb, &sub, &["version-origin"], &[]), pin_line);
    assert_eq!(
        ok(
            &sb,
            &sub,
            &["version-file", &sub.display().to_string()],
            &[]
        ),
        pin_line
    );

    // goenv 2.2.44: `goenv version-file /tmp` prints nothing and exits 1.
    let elsewhere = sb.path().join("home");
    let out = run(
        &sb,
        &sub,
        &["version-file", &elsewhere.display().to_string()],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(stdout(&out), "");

    // goenv 2.2.44: GOENV_VERSION=go-1.22.10 → version-name "1.22.10", version-origin
    // "GOENV_VERSION environment variable".
    let env = [("GOENV_VERSION", "go-1.22.10")];
    assert_eq!(ok(&sb, &sub, &["version-name"], &env), "1.22.10\n");
    assert_eq!(
        ok(&sb, &sub, &["version-origin"], &env),
        "GOENV_VERSION environment variable\n"
    );
    // goenv 2.2.44: GOENV_VERSION=1.20.1:1.22.10 → stdout "1.22.10", stderr "goenv:
    // version '1.20.1' is not installed (set by GOENV_VERSION environment variable)",
    // exit 1. gv: the first installed entry runs, which is what the list is for (the shim
    // runs it too), so version-name succeeds.
    assert_eq!(
        ok(
            &sb,
            &sub,
            &["version-name"],
            &[("GOENV_VERSION", "1.20.1:1.22.10")]
        ),
        "1.22.10\n"
    );
    // Nothing of the list installed: an error naming the variable, as goenv's.
    let out = run(&sb, &sub, &["version-name"], &[("GOENV_VERSION", "1.20.1")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("GOENV_VERSION"), "{out:?}");
}

#[test]
fn goenv_dir_starts_the_search_as_in_goenv() {
    let sb = world();
    let sub = sb.work("proj/sub");
    sb.write("proj/.go-version", "1.21.13\n");
    let a = sb.write("a/.go-version", "1.23.9\n");
    let b = sb.work("b");
    let a_dir = a.parent().unwrap().display().to_string();
    // goenv 2.2.44: GOENV_DIR=/tmp/ge-a (holding 1.23.9) → version-name "1.23.9",
    // version-file "/tmp/ge-a/.go-version".
    assert_eq!(
        ok(&sb, &sub, &["version-name"], &[("GOENV_DIR", &a_dir)]),
        "1.23.9\n"
    );
    assert_eq!(
        ok(&sb, &sub, &["version-file"], &[("GOENV_DIR", &a_dir)]),
        format!("{}\n", a.display())
    );
    // The shim and `gv current` agree.
    assert!(ok(&sb, &sub, &["current"], &[("GOENV_DIR", &a_dir)]).contains("1.23.9"));
    // goenv 2.2.44: GOENV_DIR=/tmp/ge-b (nothing there) → the working directory's pin:
    // "1.21.13", version-file ".../ge-proj/.go-version".
    let b_dir = b.display().to_string();
    assert_eq!(
        ok(&sb, &sub, &["version-name"], &[("GOENV_DIR", &b_dir)]),
        "1.21.13\n"
    );
}

#[test]
fn goenvs_gomod_switch_and_go_mod() {
    let sb = world();
    let dir = sb.work("mod");
    sb.write("mod/go.mod", "module x\n\ngo 1.21.13\n");
    // goenv 2.2.44 reads go.mod only with GOENV_GOMOD_VERSION_ENABLE=1, and then takes the
    // `go` line as the version: "1.21.13", version-file ".../go.mod"; without it, the
    // global "1.22.10:1.21.13". gv reads go.mod by default and follows the go command's
    // rule: `go 1.21.13` is a minimum, which the global 1.22.10 meets, so 1.22.10 runs
    // (exactly what `go` itself would run). A difference on purpose.
    assert_eq!(ok(&sb, &dir, &["version-name"], &[]), "1.22.10\n");
    sb.write("mod/go.mod", "module x\n\ngo 1.23.9\n");
    // A minimum the global does not meet: gv and goenv (=1) agree.
    assert_eq!(ok(&sb, &dir, &["version-name"], &[]), "1.23.9\n");
    assert_eq!(
        ok(
            &sb,
            &dir,
            &["version-name"],
            &[("GOENV_GOMOD_VERSION_ENABLE", "1")]
        ),
        "1.23.9\n"
    );
    assert_eq!(
        ok(
            &sb,
            &dir,
            &["version-file"],
            &[("GOENV_GOMOD_VERSION_ENABLE", "1")]
        ),
        format!("{}\n", dir.join("go.mod").display())
    );
    assert_eq!(
        ok(
            &sb,
            &dir,
            &["version-name"],
            &[("GOENV_GOMOD_VERSION_ENABLE", "0")]
        ),
        "1.22.10\n"
    );
    // GV_GOMOD wins over goenv's switch.
    assert_eq!(
        ok(
            &sb,
            &dir,
            &["version-name"],
            &[("GOENV_GOMOD_VERSION_ENABLE", "0"), ("GV_GOMOD", "1")]
        ),
        "1.23.9\n"
    );
}

#[test]
fn root_shims_whence_prefix_and_installed_print_what_goenvs_print() {
    let sb = world();
    let dir = sb.work("p");
    let r = root(&sb);
    // goenv 2.2.44: `goenv root` prints GOENV_ROOT.
    assert_eq!(ok(&sb, &dir, &["root"], &[]), format!("{r}\n"));
    // goenv 2.2.44 after rehash: shims "$GOENV_ROOT/shims/go\n…/gofmt", --short "go\ngofmt".
    assert_eq!(
        ok(&sb, &dir, &["shims"], &[]),
        format!("{r}/shims/go\n{r}/shims/gofmt\n")
    );
    assert_eq!(ok(&sb, &dir, &["shims", "--short"], &[]), "go\ngofmt\n");
    // goenv 2.2.44: whence go "1.21.13\n1.22.10\n1.23.9"; whence --path gofmt the three
    // paths; whence of a program no version has: no output, exit 1.
    assert_eq!(
        ok(&sb, &dir, &["whence", "go"], &[]),
        "1.21.13\n1.22.10\n1.23.9\n"
    );
    assert_eq!(
        ok(&sb, &dir, &["whence", "--path", "gofmt"], &[]),
        format!(
            "{r}/versions/1.21.13/bin/gofmt\n{r}/versions/1.22.10/bin/gofmt\n{r}/versions/1.23.9/bin/gofmt\n"
        )
    );
    let out = run(&sb, &dir, &["whence", "nothere"], &[]);
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(1), ""));
    // goenv 2.2.44 (.go-version 1.21.13 applies): prefix "$GOENV_ROOT/versions/1.21.13";
    // prefix 1.22 ".../1.22.10"; prefix 1.22.10:1.23.9 both joined by ":"; prefix 1.19:
    // "goenv: version '1.19' not installed", exit 1.
    sb.write("p/.go-version", "1.21.13\n");
    assert_eq!(
        ok(&sb, &dir, &["prefix"], &[]),
        format!("{r}/versions/1.21.13\n")
    );
    assert_eq!(
        ok(&sb, &dir, &["prefix", "1.22"], &[]),
        format!("{r}/versions/1.22.10\n")
    );
    assert_eq!(
        ok(&sb, &dir, &["prefix", "1.22.10:1.23.9"], &[]),
        format!("{r}/versions/1.22.10:{r}/versions/1.23.9\n")
    );
    let out = run(&sb, &dir, &["prefix", "1.19"], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("1.19 is not installed"), "{out:?}");
    // goenv 2.2.44: installed "1.23.9"; installed 1.22 / 22 "1.22.10"; installed 1
    // "1.23.9"; installed 1.19: "goenv: version '1.19' not installed", exit 1; installed
    // system without a go on PATH: "goenv: system version not found in PATH", exit 1.
    assert_eq!(ok(&sb, &dir, &["installed"], &[]), "1.23.9\n");
    assert_eq!(ok(&sb, &dir, &["installed", "1.22"], &[]), "1.22.10\n");
    assert_eq!(ok(&sb, &dir, &["installed", "22"], &[]), "1.22.10\n");
    assert_eq!(ok(&sb, &dir, &["installed", "1"], &[]), "1.23.9\n");
    for spec in ["1.19", "system"] {
        let out = run(&sb, &dir, &["installed", spec], &[]);
        assert_eq!(out.status.code(), Some(1), "{spec}: {out:?}");
        assert_eq!(stdout(&out), "");
    }
}

/// goenv 2.2.44's `goenv commands`, less what it prints by mistake (the installed
/// versions, `latest`, `system`: it lists the names of everything on its search path).
const GOENV_COMMANDS: &[&str] = &[
    "commands",
    "completions",
    "exec",
    "global",
    "help",
    "hooks",
    "init",
    "install",
    "installed",
    "local",
    "prefix",
    "rehash",
    "root",
    "shell",
    "shims",
    "uninstall",
    "version",
    "version-file",
    "version-file-read",
    "version-file-write",
    "version-name",
    "version-origin",
    "versions",
    "whence",
    "which",
];

#[test]
fn every_goenv_command_runs_or_names_what_to_use() {
    let sb = world();
    let dir = sb.work("p");
    let listed = ok(&sb, &dir, &["commands"], &[]);
    for name in GOENV_COMMANDS {
        if listed.lines().any(|l| l == *name) || *name == "help" {
            continue;
        }
        // The rest have no sense in gv: a usage error saying what to use instead.
        let out = run(&sb, &dir, &[name], &[]);
        assert_eq!(out.status.code(), Some(2), "{name}: {out:?}");
        let err = stderr(&out);
        assert!(
            err.contains("hint:") && err.contains("gv "),
            "{name}: {err}"
        );
    }
    assert!(!listed.contains("hook-env"), "{listed}");
}

#[test]
fn init_dash_is_gvs_init() {
    let sb = world();
    let dir = sb.work("p");
    // goenv 2.2.44: `goenv init - bash` prints the code to eval (`export GOENV_SHELL=bash`
    // first); `eval "$(goenv init -)"` is the line in goenv users' rc files.
    let gv = ok(&sb, &dir, &["init", "bash"], &[]);
    assert_eq!(ok(&sb, &dir, &["init", "-", "bash"], &[]), gv);
    assert_eq!(
        ok(&sb, &dir, &["init", "-"], &[("SHELL", "/bin/bash")]),
        ok(&sb, &dir, &["init"], &[("SHELL", "/bin/bash")])
    );
}

#[test]
fn uninstall_dash_f_removes_without_asking_and_fails_for_a_missing_version() {
    let sb = world();
    let dir = sb.work("p");
    // goenv 2.2.44: `goenv uninstall -f 1.19.1` → "goenv: version '1.19.1' not
    // installed", exit 1.
    let out = run(&sb, &dir, &["uninstall", "-f", "1.19.1"], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // -f: no question (stdin is no terminal here, so asking would fail).
    ok(&sb, &dir, &["uninstall", "-f", "1.23.9"], &[]);
    ok(&sb, &dir, &["uninstall", "--force", "1.21.13"], &[]);
    assert_eq!(ok(&sb, &dir, &["versions", "--bare"], &[]), "1.22.10\n");
}

fn mirror() -> MirrorServer {
    MirrorServer::start(
        ["1.21.13", "1.22.9", "1.23rc1"]
            .iter()
            .map(|v| Served::archive(v, fake_sdk(v)))
            .collect(),
    )
}

#[test]
fn install_list_skip_existing_and_goenvs_mirror_variable() {
    let sb = world();
    let server = mirror();
    let dir = sb.work("p");
    // GO_BUILD_MIRROR_URL (go-build: "${GO_BUILD_MIRROR_URL%/}/go1.22.9.linux-amd64.tar.gz")
    // is where gv downloads from when GV_GO_MIRROR is unset.
    let env = [
        ("GO_BUILD_MIRROR_URL", server.url()),
        ("GV_GO_INDEX", DEAD_INDEX.to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // goenv 2.2.44: `install -l` prints "Available versions:" and every version, betas
    // and rcs included. gv prints its ls-remote --all list.
    let list = ok(&sb, &dir, &["install", "-l"], &env);
    for v in ["1.21.13", "1.22.9", "1.23rc1"] {
        assert!(list.contains(v), "{list}");
    }
    assert_eq!(ok(&sb, &dir, &["install", "--list"], &env), list);
    ok(&sb, &dir, &["install", "1.22.9"], &env);
    assert!(server.archive_requests() >= 1, "{:?}", server.requests());
    // goenv 2.2.44: `goenv install -s 1.22.10` with 1.22.10 installed: no output, exit 0.
    let before = server.archive_requests();
    ok(&sb, &dir, &["install", "-s", "1.22.9"], &env);
    ok(&sb, &dir, &["install", "--skip-existing", "1.22.9"], &env);
    assert_eq!(server.archive_requests(), before);
    // A broken GO_BUILD_MIRROR_URL is named as such.
    let out = run(
        &sb,
        &dir,
        &["install", "1.21.13"],
        &[("GO_BUILD_MIRROR_URL", "ftp://x")],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr(&out).contains("GO_BUILD_MIRROR_URL"), "{out:?}");
}

#[test]
fn goenv_auto_install_makes_a_bare_gv_install_what_is_pinned() {
    let sb = world();
    let server = mirror();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    std::fs::remove_dir_all(sb.root().join("versions/1.21.13")).unwrap();
    let url = server.url();
    let env = [
        ("GV_GO_MIRROR", url.as_str()),
        ("GV_GO_INDEX", DEAD_INDEX),
        ("GOENV_AUTO_INSTALL", "1"),
        ("GOENV_AUTO_INSTALL_FLAGS", "--quiet"),
    ];
    let out = run(&sb, &dir, &[], &env);
    assert!(out.status.success(), "{out:?}");
    assert!(sb.root().join("versions/1.21.13/bin/go").is_file());
    // Without the variable a bare gv prints its usage (exit 2), as before.
    let out = run(&sb, &dir, &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn a_goenv_version_list_in_the_global_file_and_a_blank_pin() {
    let sb = world();
    let dir = sb.work("p");
    // gv's shims and `gv current` read the list as fallbacks.
    std::fs::write(sb.root().join("version"), "1.20.1:1.21.13\n").unwrap();
    assert_eq!(ok(&sb, &dir, &["version-name"], &[]), "1.21.13\n");
    // goenv 2.2.44 with a blank .go-version: version-name "system", version-file the
    // blank file. gv passes it over (as goenv means to, and as its version-file-read does:
    // exit 1 "no version"), so the global default applies.
    sb.write("p/.go-version", "\n  \n");
    assert_eq!(ok(&sb, &dir, &["version-name"], &[]), "1.21.13\n");
}

#[test]
fn hostile_goenv_inputs_are_escaped_and_never_obeyed() {
    let sb = world();
    let dir = sb.work("p");
    // A version list with a path, an escape sequence: an error, escaped.
    let out = run(
        &sb,
        &dir,
        &["version-name"],
        &[("GOENV_VERSION", "1.22.10:../../etc\u{1b}]52;x")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}"), "{err}");
    // A global file of goenv's with traversal and controls: the good entry still decides.
    // (goenv 2.2.44's version-file-read drops every word holding `/`, CVE-2022-35861.)
    std::fs::write(
        sb.root().join("version"),
        "../../../etc/passwd\n\u{1b}[2J\n1.20.1:1.21.13\n",
    )
    .unwrap();
    assert_eq!(ok(&sb, &dir, &["version-name"], &[]), "1.21.13\n");
    // GOENV_DIR naming something that is not a directory is passed over.
    assert_eq!(
        ok(&sb, &dir, &["version-name"], &[("GOENV_DIR", "/dev/null")]),
        "1.21.13\n"
    );
    // whence takes a program name, never a path.
    let out = run(&sb, &dir, &["whence", "../../../bin/sh"], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// A HOME where goenv was installed and initialised: its SDKs under a custom GOENV_ROOT,
/// a list as global version, a tool in a per-version GOPATH, its lines in .bashrc.
fn goenv_home(sb: &Sandbox) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let goenv_root = sb.path().join("home/tools/goenv");
    for v in ["1.21.13", "1.22.10"] {
        let bin = goenv_root.join("versions").join(v).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(goenv_root.join("versions").join(v).join("src")).unwrap();
        std::fs::write(
            bin.join("go"),
            format!("#!/bin/sh\necho go version go{v} linux/amd64\n"),
        )
        .unwrap();
        std::fs::set_permissions(bin.join("go"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::create_dir_all(goenv_root.join("shims")).unwrap();
    std::fs::write(goenv_root.join("shims/go"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(
        goenv_root.join("shims/go"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(goenv_root.join("version"), "1.22.10:1.21.13\n").unwrap();
    let tool_dir = sb.path().join("home/go/1.21.13/bin");
    std::fs::create_dir_all(&tool_dir).unwrap();
    // Not a Go binary: it cannot be rebuilt, and its name carries an escape.
    let tool = tool_dir.join("old\u{1b}[2Jtool");
    std::fs::write(&tool, "#!/bin/sh\necho old\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        sb.path().join("home/.bashrc"),
        "export GOENV_ROOT=\"$HOME/tools/goenv\"\nexport PATH=\"$GOENV_ROOT/bin:$PATH\"\neval \"$(goenv init -)\"\nalias ll='ls -l'\n",
    )
    .unwrap();
    goenv_root
}

#[test]
fn import_goenv_is_one_guided_step() {
    let sb = Sandbox::new();
    let goenv_root = goenv_home(&sb);
    let dir = sb.work("p");
    let env = [("GOENV_ROOT", goenv_root.to_str().unwrap())];
    let out = run(&sb, &dir, &["import", "goenv"], &env);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let home = sb.path().join("home").display().to_string();
    // SDKs, the whole global list, the tool (escaped: it cannot be rebuilt), the lines.
    assert!(text.contains("+ 1.21.13 linked"), "{text}");
    assert!(
        text.contains("global default set to 1.22.10:1.21.13 (from goenv)"),
        "{text}"
    );
    assert!(
        text.contains("tool old\\u{1b}[2Jtool (") && text.contains("cannot be rebuilt"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    for (line, fix) in [
        (1, "remove it"),
        (2, "remove it"),
        (3, "replace with: eval \"$(gv init bash)\""),
    ] {
        let at = format!("  {home}/.bashrc:{line}: ");
        let i = text.find(&at).unwrap_or_else(|| panic!("{at} in {text}"));
        assert!(text[i..].lines().nth(1).unwrap().contains(fix), "{text}");
    }
    assert!(!text.contains(":4:"), "{text}");
    assert_eq!(
        std::fs::read_to_string(sb.root().join("version")).unwrap(),
        "1.22.10\n1.21.13\n"
    );
    // --json says the same for scripts.
    let out = run(&sb, &dir, &["import", "goenv", "--json"], &env);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["rc_lines"].as_array().unwrap().len(), 3, "{json}");
    assert_eq!(json["tools"][0]["goenv_version"], "1.21.13", "{json}");
    // gv import alone lists where it imports from.
    let list = ok(&sb, &dir, &["import"], &[]);
    assert!(
        list.contains("goenv") && list.contains("gotoolchain"),
        "{list}"
    );
}

#[test]
fn doctor_finds_goenvs_shims_at_a_custom_root_and_its_per_version_gopath() {
    let sb = Sandbox::new();
    let goenv_root = goenv_home(&sb);
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    ok(&sb, &dir, &["rehash"], &[]);
    let home = sb.path().join("home");
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        goenv_root.join("shims").display(),
        sb.root().join("shims").display()
    );
    let gopath = home.join("go/1.21.13").display().to_string();
    let env = [
        ("GOENV_ROOT", goenv_root.to_str().unwrap()),
        ("PATH", path.as_str()),
        ("GOPATH", gopath.as_str()),
    ];
    let out = run(&sb, &dir, &["doctor"], &env);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    let bashrc = format!("{}/.bashrc:3", home.display());
    let path_line = text.lines().find(|l| l.contains(" path: ")).unwrap();
    assert!(path_line.contains("goenv's shims"), "{path_line}");
    assert!(!path_line.contains("a system go"), "{path_line}");
    assert!(path_line.contains(&bashrc), "{path_line}");
    let gobin_line = text.lines().find(|l| l.contains(" gobin: ")).unwrap();
    assert!(
        gobin_line.contains(&format!("GOPATH={gopath} is exported"))
            && gobin_line.contains(&bashrc),
        "{gobin_line}"
    );
}

#[test]
fn which_finds_tools_in_the_shared_gobin_after_the_sdk() {
    use std::os::unix::fs::PermissionsExt;
    let sb = world();
    let dir = sb.work("p");
    let r = root(&sb);
    // goenv 2.2.44: `goenv which go` → "$GOENV_ROOT/versions/1.21.13/bin/go" (.go-version
    // 1.21.13); a tool it looks for in the version's GOPATH bin/ next. gv's tools live in
    // the shared GOBIN (~/go/bin here).
    sb.write("p/.go-version", "1.21.13\n");
    assert_eq!(
        ok(&sb, &dir, &["which", "go"], &[]),
        format!("{r}/versions/1.21.13/bin/go\n")
    );
    let gobin = sb.path().join("home/go/bin");
    std::fs::create_dir_all(&gobin).unwrap();
    std::fs::write(gobin.join("dlv"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(gobin.join("dlv"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        ok(&sb, &dir, &["which", "dlv"], &[]),
        format!("{}\n", gobin.join("dlv").display())
    );
    let out = run(&sb, &dir, &["which", "nothere"], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("shared GOBIN"), "{out:?}");
}
