//! The shims end to end with REAL Go SDKs (GO_A, GO_B from tests/it/support): the version
//! that runs, the environment the go command sees, and GOTOOLCHAIN staying local.
//! Nothing here touches the network: GOPROXY=off, and GOCACHE/GOPATH live in the sandbox.

use crate::support;

use std::path::Path;

use support::{GO_A, GO_B, Sandbox, stderr, stdout};

/// A sandbox with both real SDKs installed and the shims written.
fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.real_install(GO_B);
    sb.rehash();
    sb
}

/// A go command through the shim, with the go command's own state kept in the sandbox.
fn go(sb: &Sandbox, cwd: &Path) -> assert_cmd::Command {
    let mut cmd = sb.shim("go", cwd);
    cmd.env("GOCACHE", sb.path().join("cache/go-build"))
        .env("GOPATH", sb.path().join("home/go"))
        .env("GOFLAGS", "-modcacherw")
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off");
    cmd
}

#[test]
fn sibling_projects_run_their_own_go_version() {
    let sb = sandbox();
    let a = sb.work("a");
    let b = sb.work("b/cmd/tool");
    sb.write("a/.go-version", &format!("{GO_A}\n"));
    sb.write("b/.go-version", &format!("{GO_B}\n"));
    for (dir, version) in [(&a, GO_A), (&b, GO_B)] {
        go(&sb, dir)
            .arg("version")
            .assert()
            .success()
            .stdout(format!("go version go{version} linux/amd64\n"));
    }
    // gofmt goes through the same shim binary, dispatched on its name.
    sb.shim("gofmt", &a)
        .write_stdin("package  main\nfunc  main(){}\n")
        .assert()
        .success()
        .stdout("package main\n\nfunc main() {}\n");
    // The real tool's exit code comes back unchanged (go: unknown command -> 2).
    go(&sb, &a).arg("no-such-subcommand").assert().code(2);
    // gv exec gives any command the same SDK.
    sb.gv(&b)
        .args(["exec", "go", "env", "GOROOT"])
        .assert()
        .success()
        .stdout(format!(
            "{}\n",
            sb.root().join("versions").join(GO_B).display()
        ));
}

#[test]
fn go_env_shows_the_injected_values() {
    let sb = sandbox();
    // Go 1.22's `go env` does not list GODEBUG; 1.23 does, so this project uses GO_B.
    let p = sb.work("p");
    sb.write("p/.go-version", &format!("{GO_B}\n"));
    sb.write(
        "p/gv.toml",
        "[env]\nCGO_ENABLED = \"0\"\nGODEBUG = { value = \"panicnil=1,tracebackancestors=5\", force = true }\n",
    );
    sb.trust(&p);
    let goroot = sb.root().join("versions").join(GO_B);
    go(&sb, &p)
        .args(["env", "GOROOT", "CGO_ENABLED", "GODEBUG", "GOTOOLCHAIN"])
        .assert()
        .success()
        .stdout(format!(
            "{}\n0\npanicnil=1,tracebackancestors=5\nlocal\n",
            goroot.display()
        ));
    // The user's own CGO_ENABLED wins (not forced); GODEBUG is forced.
    go(&sb, &p)
        .args(["env", "CGO_ENABLED", "GODEBUG"])
        .env("CGO_ENABLED", "1")
        .env("GODEBUG", "gctrace=1")
        .assert()
        .success()
        .stdout("1\npanicnil=1,tracebackancestors=5\n");
}

#[test]
fn a_child_of_go_run_sees_goinstrument() {
    let sb = sandbox();
    let p = sb.work("p");
    sb.write("p/.go-version", &format!("{GO_A}\n"));
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.22\n");
    sb.write("p/gv.toml", "[env]\nGOINSTRUMENT = \"trace\"\n");
    sb.trust(&p);
    sb.write(
        "p/main.go",
        "package main\n\nimport \"os\"\n\nfunc main() {\n\tos.Stdout.WriteString(\"GOINSTRUMENT=\" + os.Getenv(\"GOINSTRUMENT\") + \" GOROOT=\" + os.Getenv(\"GOROOT\") + \"\\n\")\n}\n",
    );
    let out = go(&sb, &p).args(["run", "."]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "GOINSTRUMENT=trace GOROOT={}\n",
            sb.root().join("versions").join(GO_A).display()
        )
    );
}

#[test]
fn gotoolchain_stays_local_when_go_mod_wants_a_newer_go() {
    let sb = sandbox();
    let p = sb.work("p");
    sb.write("p/.go-version", &format!("{GO_A}\n"));
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.99.0\n");
    sb.write("p/main.go", "package main\n\nfunc main() {}\n");
    let out = go(&sb, &p).args(["build", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "go.mod requires go >= 1.99.0 (running go {GO_A}; GOTOOLCHAIN=local)"
        )),
        "{err}"
    );
    assert!(!err.contains("downloading"), "no toolchain download: {err}");
    // Why the default matters: left alone (the SDK's go.env says auto), the same go
    // command tries to fetch another toolchain.
    sb.write("p/gv.toml", "gotoolchain = \"inherit\"\n");
    sb.trust(&p);
    let out = go(&sb, &p).args(["build", "."]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("go: downloading go1.99.0"),
        "{}",
        stderr(&out)
    );
}

/// Inside a workspace the go.work decides, as for the go command: a module whose own
/// go.mod asks for the older toolchain still builds, because gv gives it the Go the
/// go.work needs. `GOWORK=off` hands the choice back to go.mod, for gv and go alike.
#[test]
fn a_workspace_builds_with_the_go_its_go_work_needs() {
    let sb = sandbox();
    let api = sb.work("ws/api");
    sb.write("ws/go.work", "go 1.23.0\n\nuse ./api\n");
    sb.write(
        "ws/api/go.mod",
        &format!("module example.com/api\n\ngo 1.21\n\ntoolchain go{GO_A}\n"),
    );
    sb.write(
        "ws/api/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"api\") }\n",
    );
    let work = sb.work("ws").join("go.work");
    sb.gv(&api)
        .arg("current")
        .assert()
        .success()
        .stdout(format!(
            "{GO_B} (newest installed version satisfying `go 1.23.0` in {}; go would fetch go1.23.0, which is not installed)\n",
            work.display()
        ));
    go(&sb, &api)
        .args(["run", "."])
        .assert()
        .success()
        .stdout("api\n");

    // Without the workspace, the module's own toolchain line, and go agrees.
    go(&sb, &api)
        .env("GOWORK", "off")
        .args(["env", "GOVERSION", "GOWORK"])
        .assert()
        .success()
        .stdout(format!("go{GO_A}\noff\n"));
    go(&sb, &api)
        .env("GOWORK", "off")
        .args(["run", "."])
        .assert()
        .success()
        .stdout("api\n");

    // A pin older than the workspace needs is warned about, naming the go.work.
    sb.write("ws/api/.go-version", &format!("{GO_A}\n"));
    let out = sb.gv(&api).arg("current").output().unwrap();
    assert!(
        stderr(&out).contains(&format!(
            "is older than the go1.23.0 that {} requires",
            work.display()
        )),
        "{}",
        stderr(&out)
    );
}

/// `go get` and `go mod tidy` write `toolchain` lines with whatever patch the last
/// committer had: a module asking for go1.23.4 builds with the 1.23.9 that is installed,
/// as Go's own rule allows (a minimum), saying so once; go is kept on it.
#[test]
fn a_toolchain_line_is_a_minimum_the_newest_installed_version_meets() {
    let sb = sandbox();
    let dir = sb.work("m");
    let gomod = sb.write(
        "m/go.mod",
        "module example.com/m\n\ngo 1.22\n\ntoolchain go1.23.4\n",
    );
    sb.write(
        "m/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"built\") }\n",
    );
    let out = go(&sb, &dir).args(["run", "."]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "built\n");
    let note = format!(
        "go would fetch go1.23.4 here (`toolchain go1.23.4` in {}), but it is not installed: Go {GO_B} runs instead",
        gomod.display()
    );
    assert_eq!(stderr(&out).matches(&note).count(), 1, "{}", stderr(&out));
    go(&sb, &dir)
        .args(["env", "GOVERSION", "GOTOOLCHAIN"])
        .assert()
        .success()
        .stdout(format!("go{GO_B}\nlocal\n"))
        .stderr("");
    sb.gv(&dir)
        .arg("current")
        .assert()
        .success()
        .stdout(format!(
            "{GO_B} (newest installed version satisfying `toolchain go1.23.4` in {}; go would fetch go1.23.4, which is not installed)\n",
            gomod.display()
        ));
}

/// One answer everywhere: for every selection fixture — pins, fallbacks, go.mod and
/// go.work lines, a nested module under a pin, a conflict, a blank pin, nothing — and
/// every way of asking for a version from the environment, GOTOOLCHAIN included, `gv
/// current`, `gv which`, `gv prefix`, `gv exec`, `gv env` and the shim name the same Go,
/// and it is the one that runs (real go, GOPROXY=off: a switch gv did not foresee fails).
#[test]
fn every_command_names_the_go_that_runs() {
    let sb = sandbox();
    std::fs::write(sb.root().join("version"), format!("{GO_A}\n")).unwrap();
    let fixtures: &[(&str, &[(&str, &str)])] = &[
        ("pin", &[(".go-version", "A\n")]),
        ("fallbacks", &[(".go-version", "1.99.0\nB\n")]),
        ("asdf", &[(".tool-versions", "golang B\n")]),
        ("go-line", &[("go.mod", "module m\n\ngo B\n")]),
        ("language-line", &[("go.mod", "module m\n\ngo 1.23\n")]),
        (
            "old-toolchain",
            &[("go.mod", "module m\n\ngo 1.21\n\ntoolchain goA\n")],
        ),
        (
            "patch-toolchain",
            &[("go.mod", "module m\n\ngo 1.22\n\ntoolchain go1.23.4\n")],
        ),
        (
            "workspace/m",
            &[
                ("../go.work", "go B\n\nuse ./m\n"),
                ("go.mod", "module m\n\ngo 1.22\n"),
            ],
        ),
        (
            "pinned-repo/tools",
            &[("../.go-version", "A\n"), ("go.mod", "module t\n\ngo B\n")],
        ),
        (
            "conflict",
            &[(".go-version", "A\n"), ("go.mod", "module c\n\ngo B\n")],
        ),
        ("blank", &[(".go-version", "# soon\n")]),
        ("nothing", &[]),
    ];
    let envs: &[&[(&str, &str)]] = &[
        &[],
        &[("GV_VERSION", "B")],
        &[("GOENV_VERSION", "B")],
        &[("GOTOOLCHAIN", "local")],
        &[("GOTOOLCHAIN", "auto")],
        &[("GOTOOLCHAIN", "goA")],
        &[("GOTOOLCHAIN", "goB")],
        &[("GOTOOLCHAIN", "goA+auto")],
        &[("GV_VERSION", "A"), ("GOTOOLCHAIN", "path")],
    ];
    let ab = |text: &str| text.replace('A', GO_A).replace('B', GO_B);
    let version_of_path = |path: &str| {
        Path::new(path.trim())
            .strip_prefix(sb.root().join("versions"))
            .ok()
            .and_then(|rest| rest.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
    };
    for (name, files) in fixtures {
        let dir = sb.work(name);
        for (file, text) in *files {
            std::fs::write(dir.join(file), ab(text)).unwrap();
        }
        for vars in envs {
            let vars: Vec<(String, String)> =
                vars.iter().map(|(k, v)| (k.to_string(), ab(v))).collect();
            let gv = |args: &[&str]| {
                let mut cmd = sb.gv(&dir);
                cmd.args(args)
                    .env("GOPROXY", "off")
                    .env("GOTELEMETRY", "off")
                    .envs(vars.iter().map(|(k, v)| (k, v)));
                cmd.output().unwrap()
            };
            let ok = |out: &std::process::Output, value: Option<String>| {
                out.status.success().then_some(value).flatten()
            };
            let json_version = |out: &std::process::Output| {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
                json["version"].as_str().map(String::from)
            };
            let go_version = |out: &std::process::Output| {
                stdout(out).trim().strip_prefix("go").map(String::from)
            };
            let current = gv(&["current", "--json"]);
            let which = gv(&["which"]);
            let prefix = gv(&["prefix"]);
            let exec = gv(&["exec", "go", "env", "GOVERSION"]);
            let env = gv(&["env", "--json"]);
            let shim = go(&sb, &dir)
                .args(["env", "GOVERSION"])
                .envs(vars.iter().map(|(k, v)| (k, v)))
                .output()
                .unwrap();
            let answers = [
                ("current", ok(&current, json_version(&current))),
                ("which", ok(&which, version_of_path(&stdout(&which)))),
                ("prefix", ok(&prefix, version_of_path(&stdout(&prefix)))),
                ("exec", ok(&exec, go_version(&exec))),
                ("env", ok(&env, json_version(&env))),
                ("shim", ok(&shim, go_version(&shim))),
            ];
            let first = &answers[0].1;
            let ctx = format!(
                "{name} with {vars:?}: {answers:?}\ncurrent: {}\nshim: {}",
                stderr(&current),
                stderr(&shim)
            );
            assert!(first.is_some(), "every fixture selects something: {ctx}");
            for (command, answer) in &answers {
                assert_eq!(answer, first, "{command}: {ctx}");
            }
        }
    }
}
