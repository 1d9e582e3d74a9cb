//! The go/gofmt shims, `gv rehash`, `gv exec` and `gv env`, with fast fake SDKs whose
//! tools print what they receive. Real-SDK end-to-end tests are in tests/it/shim_real.rs.

use crate::support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use support::{Sandbox, shim_binary, stderr, stdout};

/// A fake SDK whose `go` and `gofmt` print their name, version, arguments and the
/// variables gv injects, and exit with `$FAKE_EXIT` (default 0).
fn env_printing_sdk(sb: &Sandbox, version: &str) -> PathBuf {
    let goroot = sb.fake_install(version);
    for tool in ["go", "gofmt"] {
        let path = goroot.join("bin").join(tool);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho \"{tool} {version} pid=$$ args=$*\"\n\
                 for v in GOROOT GOTOOLCHAIN CGO_ENABLED GODEBUG GOINSTRUMENT GV_SHIM_DEPTH; do\n\
                   eval \"echo $v=\\$$v\"\ndone\n\
                 echo \"PATH1=${{PATH%%:*}}\"\n\
                 echo \"DUPLICATES=$(env | cut -d= -f1 | sort | uniq -d | tr '\\n' ' ')\"\n\
                 exit ${{FAKE_EXIT:-0}}\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    goroot
}

fn lines(out: &std::process::Output) -> Vec<String> {
    stdout(out).lines().map(str::to_string).collect()
}

fn has(out: &std::process::Output, line: &str) -> bool {
    stdout(out).lines().any(|l| l == line)
}

#[test]
fn shim_dispatches_on_argv0_and_injects_the_environment() {
    let sb = Sandbox::new();
    let a = env_printing_sdk(&sb, "1.22.10");
    env_printing_sdk(&sb, "1.23.9");
    let shims = sb.rehash();
    let p1 = sb.work("p1");
    let p2 = sb.work("p2/deep/er");
    sb.write("p1/.go-version", "1.22.10\n");
    sb.write("p2/.go-version", "1.23.9\n");
    sb.write(
        "p1/gv.toml",
        "[env]\nCGO_ENABLED = 0\nGODEBUG = \"panicnil=1\"\nGOINSTRUMENT = \"trace\"\n",
    );
    sb.trust(&p1);

    // A stale GOROOT and CGO_ENABLED in the caller's environment are replaced, not
    // passed twice (the shim builds the child's environment block itself).
    let out = sb
        .shim("go", &p1)
        .args(["env", "-x"])
        .env("GOROOT", "/stale")
        .env("GV_SHIM_DEPTH", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(lines(&out)[0].split(' ').next(), Some("go"));
    assert!(stdout(&out).starts_with("go 1.22.10 "), "{}", stdout(&out));
    assert!(stdout(&out).contains("args=env -x"));
    for line in [
        format!("GOROOT={}", a.display()),
        "GOTOOLCHAIN=local".into(),
        "CGO_ENABLED=0".into(),
        "GODEBUG=panicnil=1".into(),
        "GOINSTRUMENT=trace".into(),
        "GV_SHIM_DEPTH=1".into(),
        format!("PATH1={}", a.join("bin").display()),
        "DUPLICATES=".into(),
    ] {
        assert!(has(&out, &line), "missing {line}:\n{}", stdout(&out));
    }
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let out = sb.shim("gofmt", &p2).arg("-l").output().unwrap();
    assert!(
        stdout(&out).starts_with("gofmt 1.23.9 "),
        "{}",
        stdout(&out)
    );
    assert!(has(&out, "GODEBUG="), "p2 has no gv.toml");

    // The same binary, hard-linked: no per-tool copies.
    let ino = std::fs::metadata(shim_binary()).unwrap().ino();
    for tool in ["go", "gofmt"] {
        assert_eq!(std::fs::metadata(shims.join(tool)).unwrap().ino(), ino);
    }
}

#[test]
fn shim_execs_so_exit_codes_and_pid_are_the_real_tools() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let child = std::process::Command::new(sb.root().join("shims/go"))
        .current_dir(&p)
        .env_clear()
        .envs(sb.env())
        .env("FAKE_EXIT", "42")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(42), "exit code passes through");
    assert!(
        stdout(&out).starts_with(&format!("go 1.22.10 pid={pid} ")),
        "the tool runs in the shim's process (exec, no child): {}",
        stdout(&out)
    );
}

#[test]
fn user_environment_wins_unless_forced() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        "[env]\nCGO_ENABLED = \"0\"\nGODEBUG = { value = \"panicnil=1\", force = true }\n",
    );
    sb.trust(&p);
    std::fs::create_dir_all(sb.path().join("config/gv")).unwrap();
    std::fs::write(
        sb.path().join("config/gv/config.toml"),
        "[env]\nGOINSTRUMENT = \"user-file\"\nCGO_ENABLED = \"1\"\n",
    )
    .unwrap();
    let out = sb
        .shim("go", &p)
        .env("CGO_ENABLED", "1")
        .env("GODEBUG", "mine=1")
        .env("GOTOOLCHAIN", "auto")
        .output()
        .unwrap();
    assert!(has(&out, "CGO_ENABLED=1"), "user's own value wins");
    assert!(has(&out, "GODEBUG=panicnil=1"), "forced entry wins");
    assert!(has(&out, "GOTOOLCHAIN=auto"), "user's own GOTOOLCHAIN wins");
    assert!(
        has(&out, "GOINSTRUMENT=user-file"),
        "user config.toml applies"
    );

    // gv env says why each value is what it is.
    let out = sb
        .gv(&p)
        .arg("env")
        .env("CGO_ENABLED", "1")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("CGO_ENABLED=1\n    kept from your environment; [env] in"),
        "{text}"
    );
    assert!(text.contains("GODEBUG=panicnil=1\n    [env] in"), "{text}");
    assert!(text.contains("(forced)"), "{text}");
    assert!(
        text.contains("GOINSTRUMENT is not read by any Go release"),
        "{text}"
    );
}

#[test]
fn missing_version_says_which_why_and_how_to_install() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    let pin = sb.write("p/.go-version", "1.24.2\n");
    sb.shim("go", &p)
        .arg("version")
        .assert()
        .code(127)
        .stdout("")
        .stderr(predicate::str::contains("Go 1.24.2 is not installed"))
        .stderr(predicate::str::contains(pin.display().to_string()))
        .stderr(predicate::str::contains("gv install 1.24.2"));
    // gv exec keeps the shim's promise (README, exit codes): 127, with the same message.
    sb.gv(&p)
        .args(["exec", "go", "version"])
        .assert()
        .code(127)
        .stdout("")
        .stderr(predicate::str::contains("Go 1.24.2 is not installed"))
        .stderr(predicate::str::contains("gv install 1.24.2"));
}

#[test]
fn uninstalled_meanwhile_is_reported_not_crashed() {
    let sb = Sandbox::new();
    let goroot = env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    sb.shim("go", &p).assert().success();
    std::fs::remove_dir_all(&goroot).unwrap();
    sb.shim("go", &p)
        .assert()
        .code(127)
        .stderr(predicate::str::contains("Go 1.22.10 is not installed"))
        .stderr(predicate::str::contains("gv install 1.22.10"));

    // A tool that the selected SDK does not have (the shim exists for another version).
    env_printing_sdk(&sb, "1.22.10");
    sb.shim("go", &p).assert().success();
    std::fs::remove_file(sb.root().join("versions/1.22.10/bin/gofmt")).unwrap();
    sb.shim("gofmt", &p)
        .assert()
        .code(127)
        .stderr(predicate::str::contains("Go 1.22.10"))
        .stderr(predicate::str::contains("bin/gofmt"))
        .stderr(predicate::str::contains("this SDK has no `gofmt`"));
}

#[test]
fn a_shim_that_runs_itself_stops_with_a_clear_message() {
    let sb = Sandbox::new();
    sb.rehash();
    // A copy of the shim outside GV_ROOT looks like a system go: with nothing pinned the
    // shim selects it, and it selects itself again, and again.
    let sys = sb.work("sys/bin");
    std::fs::copy(shim_binary(), sys.join("go")).unwrap();
    let p = sb.work("p");
    let out = sb
        .shim("go", &p)
        .env("PATH", format!("{}:/usr/bin:/bin", sys.display()))
        .arg("version")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126), "{out:?}");
    let err = stderr(&out);
    assert!(err.contains("the `go` shim ran itself 16 times"), "{err}");
    assert!(err.contains("GV_SHIM_DEPTH=16"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn invalid_config_names_file_line_and_column_and_unknown_keys_warn() {
    // Trusted wholesale: the file's problems matter once it applies.
    let sb = Sandbox::trusting();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let toml = sb.write("p/gv.toml", "[env]\nGODEBUG = \"x\nCGO_ENABLED = 0\n");
    sb.shim("go", &p)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "invalid TOML in {} at line 2, column",
            toml.display()
        )));
    sb.gv(&p)
        .arg("env")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("at line 2, column"));

    sb.write("p/gv.toml", "colour = \"red\"\n[env]\nGODEBUG = \"x=1\"\n");
    let out = sb.shim("go", &p).output().unwrap();
    assert!(out.status.success());
    assert!(has(&out, "GODEBUG=x=1"));
    assert!(
        stderr(&out).contains("gv: warning:") && stderr(&out).contains("unknown key `colour`"),
        "{}",
        stderr(&out)
    );

    sb.write("p/gv.toml", "gotoolchain = \"sometimes\"\n");
    sb.shim("go", &p)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`gotoolchain` must be \"local\", \"auto\" or \"inherit\"",
        ));
}

#[test]
fn gv_shim_by_its_own_name_explains_itself() {
    assert_cmd::Command::new(shim_binary())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gv rehash"));
}

/// A stand-in for `gv install SPEC` (the real one is tested in its own suite): it
/// creates the version directory with a printing go, as the documented contract says.
fn fake_gv_install(sb: &Sandbox, template: &Path) -> PathBuf {
    let bin = sb.work("fakebin");
    let gv = bin.join("gv");
    std::fs::write(
        &gv,
        format!(
            "#!/bin/sh\nset -e\n[ \"$1\" = install ] || exit 3\n\
             [ \"$2\" = 1.24.2 ] || {{ echo \"no release $2\" >&2; exit 1; }}\n\
             echo \"installing $2 (progress)\" >&2\necho \"stdout of gv install\"\n\
             mkdir -p \"$GV_ROOT/versions\"\ncp -r {} \"$GV_ROOT/versions/$2\"\n",
            template.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&gv, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn auto_install_runs_gv_install_then_the_tool() {
    let sb = Sandbox::new();
    // A template SDK outside the store, copied in by the fake `gv install`.
    let tmpl = env_printing_sdk(&sb, "1.24.2");
    let template = sb.path().join("template-1.24.2");
    std::fs::rename(&tmpl, &template).unwrap();
    sb.rehash();
    let fakebin = fake_gv_install(&sb, &template);
    let p = sb.work("p");
    sb.write("p/.go-version", "1.24.2\n");
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        sb.root().join("shims").display(),
        fakebin.display()
    );

    // Off by default.
    sb.shim("go", &p).env("PATH", &path).assert().code(127);

    let out = sb
        .shim("go", &p)
        .env("PATH", &path)
        .env("GV_AUTO_INSTALL", "1")
        .arg("version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout(&out).starts_with("go 1.24.2 "),
        "only the tool's output on stdout: {}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("Go 1.24.2 is not installed"), "{err}");
    assert!(err.contains("install 1.24.2"), "{err}");
    assert!(err.contains("installing 1.24.2 (progress)"), "{err}");
    assert!(err.contains("stdout of gv install"), "{err}");

    // The config key works too, and a failing install is reported.
    std::fs::remove_dir_all(sb.root().join("versions/1.24.2")).unwrap();
    std::fs::create_dir_all(sb.path().join("config/gv")).unwrap();
    std::fs::write(
        sb.path().join("config/gv/config.toml"),
        "auto_install = true\n",
    )
    .unwrap();
    sb.shim("go", &p).env("PATH", &path).assert().success();
    sb.write("p/.go-version", "1.24.3\n");
    sb.shim("go", &p)
        .env("PATH", &path)
        .assert()
        .code(127)
        .stderr(predicate::str::contains("`gv install 1.24.3` failed"));
}

#[test]
fn rehash_is_safe_while_shims_run() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let go = sb.root().join("shims/go");
    let env = sb.env();
    let runner = std::thread::spawn(move || {
        (0..60)
            .map(|_| {
                std::process::Command::new(&go)
                    .current_dir(&p)
                    .env_clear()
                    .envs(env.clone())
                    .output()
                    .map(|o| o.status.success())
                    .unwrap_or(false)
            })
            .filter(|ok| !ok)
            .count()
    });
    for _ in 0..15 {
        sb.rehash();
    }
    assert_eq!(
        runner.join().unwrap(),
        0,
        "every shim call during rehash succeeded"
    );
    let generations = std::fs::read_dir(sb.root())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".shims-"))
        .count();
    assert!(generations <= 2, "old generations are cleaned up");
}

#[test]
fn rehash_without_the_shim_binary_says_how_to_install_it() {
    let sb = Sandbox::new();
    sb.gv(sb.path())
        .arg("rehash")
        .env("GV_SHIM_BINARY", sb.path().join("nope"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot find the gv-shim binary"))
        .stderr(predicate::str::contains("scripts/install"));
}

#[test]
fn gv_exec_runs_any_command_with_the_shim_environment() {
    let sb = Sandbox::new();
    let goroot = env_printing_sdk(&sb, "1.22.10");
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write("p/gv.toml", "[env]\nGOINSTRUMENT = \"trace\"\n");
    sb.trust(&p);
    let out = sb
        .gv(&p)
        .args([
            "exec",
            "sh",
            "-c",
            "echo $GOROOT $GOINSTRUMENT $GOTOOLCHAIN; go -v",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("{} trace local\ngo 1.22.10 ", goroot.display())),
        "{text}"
    );
    assert!(text.contains("args=-v"), "{text}");
    sb.gv(&p)
        .args(["exec", "no-such-tool-xyz"])
        .assert()
        .code(127)
        .stderr(predicate::str::contains("cannot run `no-such-tool-xyz`"));
}

#[cfg(feature = "real-tests")]
#[test]
fn gv_env_prints_shell_code_and_json() {
    let sb = Sandbox::new();
    let goroot = env_printing_sdk(&sb, "1.22.10");
    let p = sb.work("p");
    let pin = sb.write("p/.go-version", "1.22.10\n");
    let toml = sb.write(
        "p/gv.toml",
        "[env]\nGODEBUG = \"a=1,b='2'\"\nGOINSTRUMENT = \"trace\"\n",
    );
    sb.trust(&p);

    let out = sb.gv(&p).args(["env", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "1.22.10");
    assert_eq!(json["origin"]["path"], pin.display().to_string());
    let vars = json["vars"].as_array().unwrap();
    let var = |name: &str| vars.iter().find(|v| v["name"] == name).unwrap().clone();
    assert_eq!(var("GOROOT")["value"], goroot.display().to_string());
    assert_eq!(var("GOROOT")["source"]["kind"], "sdk");
    assert_eq!(var("GOTOOLCHAIN")["source"]["kind"], "gotoolchain");
    assert_eq!(var("GODEBUG")["source"]["path"], toml.display().to_string());
    assert!(json["notes"][0].as_str().unwrap().contains("GOINSTRUMENT"));

    for (shell, script) in [
        (
            "bash",
            "eval \"$(gv env --shell bash)\"; echo \"$GODEBUG|$GOROOT|$GOINSTRUMENT\"; command -v go",
        ),
        (
            "zsh",
            "eval \"$(gv env --shell zsh)\"; echo \"$GODEBUG|$GOROOT|$GOINSTRUMENT\"; command -v go",
        ),
        (
            "fish",
            "gv env --shell fish | source; echo \"$GODEBUG|$GOROOT|$GOINSTRUMENT\"; command -v go",
        ),
    ] {
        let gv_dir = assert_cmd::cargo::cargo_bin("gv");
        let out = std::process::Command::new(shell)
            .args(["-c", script])
            .current_dir(&p)
            .env_clear()
            .envs(sb.env())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", gv_dir.parent().unwrap().display()),
            )
            .output()
            .unwrap_or_else(|e| panic!("{shell} is needed (apt-get install {shell}): {e}"));
        assert!(out.status.success(), "{shell}: {out:?}");
        assert_eq!(
            stdout(&out),
            format!(
                "a=1,b='2'|{}|trace\n{}\n",
                goroot.display(),
                goroot.join("bin/go").display()
            ),
            "{shell}"
        );
    }
}

#[test]
fn system_go_is_the_first_go_on_path_outside_gv() {
    let sb = Sandbox::new();
    let shims = sb.rehash();
    let sys = sb.work("usr/local/go/bin");
    let go = sys.join("go");
    std::fs::write(
        &go,
        "#!/bin/sh\necho \"system go GOTOOLCHAIN=$GOTOOLCHAIN depth=$GV_SHIM_DEPTH\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = sb.work("p");
    // The shims dir comes first on PATH; the shim must skip itself and find the real one,
    // with gv's GOTOOLCHAIN policy as for any version it selects.
    sb.shim("go", &p)
        .env(
            "PATH",
            format!("{}:{}:/usr/bin:/bin", shims.display(), sys.display()),
        )
        .assert()
        .success()
        .stdout("system go GOTOOLCHAIN=local depth=1\n");
}

#[test]
fn auto_install_through_the_real_gv_install_and_a_loopback_mirror() {
    use support::mirror::{MirrorServer, Served, fake_sdk};
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![Served::archive("1.24.2", fake_sdk("1.24.2"))]);
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.24.2\n");
    let gv_dir = assert_cmd::cargo::cargo_bin("gv")
        .parent()
        .expect("gv lives in a directory")
        .to_path_buf();
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        sb.root().join("shims").display(),
        gv_dir.display()
    );
    let out = sb
        .shim("go", &p)
        .env("PATH", &path)
        .env("GV_AUTO_INSTALL", "1")
        .env("GV_GO_MIRROR", server.url())
        .arg("version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "go version go1.24.2 linux/amd64\n");
    assert!(
        stderr(&out).contains("sha256"),
        "install progress on stderr: {}",
        stderr(&out)
    );
    assert!(sb.root().join("versions/1.24.2/bin/go").is_file());
    assert_eq!(server.archive_requests(), 1);
}

/// A go.mod whose exact toolchain the mirror lacks: auto-install installs the newest
/// release that satisfies it instead (what `gv install` with no argument does), and runs it.
#[test]
fn auto_install_for_a_go_mod_falls_back_to_a_release_that_satisfies_it() {
    use support::mirror::{MirrorServer, Served, fake_sdk};
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![Served::archive("1.24.2", fake_sdk("1.24.2"))]);
    sb.rehash();
    let m = sb.work("m");
    sb.write("m/go.mod", "module m\n\ngo 1.24\n\ntoolchain go1.24.1\n");
    let gv_dir = assert_cmd::cargo::cargo_bin("gv")
        .parent()
        .expect("gv lives in a directory")
        .to_path_buf();
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        sb.root().join("shims").display(),
        gv_dir.display()
    );
    let out = sb
        .shim("go", &m)
        .env("PATH", &path)
        .env("GV_AUTO_INSTALL", "1")
        .env("GV_GO_MIRROR", server.url())
        .env(
            "GV_GO_INDEX",
            "http://127.0.0.1:9/dl/?mode=json&include=all",
        )
        .arg("version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "go version go1.24.2 linux/amd64\n");
    let err = stderr(&out);
    assert!(
        err.contains("installing the newest release that satisfies `toolchain go1.24.1`"),
        "{err}"
    );
}

#[test]
fn a_cloned_projects_gv_toml_cannot_run_code_or_pick_the_download_server() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        "mirror = \"https://evil.example/\"\nauto_install = true\n[env]\nPROMPT_COMMAND = \"./x\"\nLD_PRELOAD = \"/tmp/x.so\"\nGOFLAGS = \"-mod=mod\"\n",
    );
    // Untrusted, it contributes nothing at all, and says so.
    let out = sb.gv(&p).args(["env", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["project_config"]["trusted"], false, "{json:#}");
    assert!(
        json["vars"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["source"]["kind"] != "config"),
        "{json:#}"
    );
    // Even trusted, it may set only the go command's variables, never the user-only keys.
    sb.trust(&p);
    let out = sb.gv(&p).args(["env", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json["vars"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(
        !names.contains(&"PROMPT_COMMAND") && !names.contains(&"LD_PRELOAD"),
        "{names:?}"
    );
    assert!(
        names.contains(&"GOFLAGS"),
        "Go's own variables still apply: {names:?}"
    );
    let warnings = json["warnings"].to_string();
    for key in [
        "PROMPT_COMMAND ignored",
        "LD_PRELOAD ignored",
        "`mirror` ignored",
        "`auto_install` ignored",
    ] {
        assert!(warnings.contains(key), "{key}: {warnings}");
    }
}

/// The shim allocates from a small arena it maps at start-up (crates/gv-shim/src/heap.rs)
/// and from the system allocator beyond it. A config file near its size bound, and a
/// go.mod near its own, take several times the arena, through reallocations that move
/// out of it: the shim still picks the version and applies every value.
#[test]
fn inputs_larger_than_the_shims_arena_still_work() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.rehash();
    let p = sb.work("p");
    let filler = "# a comment line of sixty-odd bytes, to fill the file out\n";
    let lines = 900 * 1024 / filler.len();
    sb.write(
        "p/gv.toml",
        &format!(
            "{}[env]\nCGO_ENABLED = \"0\"\nGODEBUG = {{ value = \"{}\", force = true }}\n",
            filler.repeat(lines),
            "x".repeat(20_000),
        ),
    );
    sb.trust(&p);
    sb.write(
        "p/go.mod",
        &format!(
            "module example.com/p\n\n{}go 1.22.10\n",
            "// filler\n".repeat(200 * 1024 / 11)
        ),
    );
    let out = sb.shim("go", &p).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("go 1.22.10 "), "{}", stdout(&out));
    assert!(has(&out, "CGO_ENABLED=0"), "{}", stdout(&out));
    assert!(
        has(&out, &format!("GODEBUG={}", "x".repeat(20_000))),
        "the long value arrives whole"
    );
}

/// scripts/install builds the shim with scripts/build-shim: on Linux statically against
/// musl, at a fixed address, so each go call skips the dynamic loader, relocation and
/// glibc's start-up. The binary it makes is the one every shim test runs; this one checks
/// how it is linked, and that it works as a shim.
#[test]
fn the_installed_shim_is_static_musl_and_works() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // shim_binary()'s target directory (<dir>/<triple>/debug/gv-shim): nothing is rebuilt.
    let target = shim_binary()
        .ancestors()
        .nth(3)
        .expect("<dir> of <dir>/<triple>/debug/gv-shim");
    let out = std::process::Command::new(manifest.join("scripts/build-shim"))
        .arg("--debug")
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run scripts/build-shim");
    assert!(out.status.success(), "scripts/build-shim: {}", stderr(&out));
    assert!(
        stderr(&out).contains("build-shim: gv-shim linked static musl, non-PIE"),
        "it says how it linked (without rustup's musl target it falls back to glibc: \
         `rustup target add {}-unknown-linux-musl`): {}",
        std::env::consts::ARCH,
        stderr(&out)
    );
    let shim = PathBuf::from(stdout(&out).trim());
    assert_eq!(shim, shim_binary(), "the tests run the shipped build");
    let ldd = std::process::Command::new("ldd")
        .arg(&shim)
        .output()
        .expect("ldd");
    let linkage = format!("{}{}", stdout(&ldd), stderr(&ldd));
    assert!(
        linkage.contains("statically linked") || linkage.contains("not a dynamic executable"),
        "{linkage}"
    );
    // ELF e_type 2 (ET_EXEC): loaded at its link address, nothing to relocate. A PIE is 3.
    let header = std::fs::read(&shim).unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([header[16], header[17]]), 2, "not PIE");

    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    sb.gv(sb.path())
        .arg("rehash")
        .env("GV_SHIM_BINARY", &shim)
        .assert()
        .success();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).starts_with("go 1.22.10 "), "{}", stdout(&out));
}

/// The init scripts run the hook through `gv-shim hook-env` (it starts faster than gv):
/// it must print exactly what `gv hook-env` prints, warnings included.
#[cfg(feature = "real-tests")]
#[test]
fn gv_shim_hook_env_matches_gv_hook_env() {
    let sb = Sandbox::new();
    env_printing_sdk(&sb, "1.22.10");
    let p = sb.work("p/deep");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        "colour = 1\n[env]\nCGO_ENABLED = \"0\"\nGODEBUG = \"a='1'\"\n",
    );
    sb.trust(&sb.work("p"));
    // Each notice is shown once per file version: start each run afresh.
    let forget_notices = || {
        let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
    };
    for shell in ["bash", "zsh", "fish", "powershell"] {
        forget_notices();
        let via_gv = sb
            .gv(&p)
            .args(["hook-env", "--shell", shell])
            .output()
            .unwrap();
        assert!(
            stderr(&via_gv).contains("unknown key `colour`"),
            "{via_gv:?}"
        );
        forget_notices();
        let via_shim = std::process::Command::new(shim_binary())
            .args(["hook-env", "--shell", shell])
            .current_dir(&p)
            .env_clear()
            .envs(sb.env())
            .output()
            .unwrap();
        assert!(via_shim.status.success(), "{shell}: {via_shim:?}");
        assert_eq!(stdout(&via_shim), stdout(&via_gv), "{shell}");
        assert!(stdout(&via_shim).contains("CGO_ENABLED"), "{shell}");
        assert_eq!(stderr(&via_shim), stderr(&via_gv), "{shell}");
    }
}

/// `.go-version` says `system`, then `1.22`, and there is no go on PATH: the one answer to
/// "what would gv install here" is 1.22, in the not-installed hint (`gv current`, the
/// shim), in `gv install` with no argument, and in the shim's auto-install.
#[test]
fn system_then_a_version_installs_the_version_everywhere() {
    use support::mirror::{MirrorServer, Served, fake_sdk};
    let server = MirrorServer::start(vec![
        Served::archive("1.22.9", fake_sdk("1.22.9")),
        Served::archive("1.22.10", fake_sdk("1.22.10")),
    ]);
    let gv_dir = assert_cmd::cargo::cargo_bin("gv")
        .parent()
        .expect("gv lives in a directory")
        .to_path_buf();
    let setup = || {
        let sb = Sandbox::new();
        sb.rehash();
        sb.write("p/.go-version", "system\n1.22\n");
        let path = format!(
            "{}:{}:/usr/bin:/bin",
            sb.root().join("shims").display(),
            gv_dir.display()
        );
        (sb, path)
    };
    let (sb, path) = setup();
    let p = sb.work("p");
    let current = sb
        .gv(&p)
        .arg("current")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        stderr(&current).contains("run `gv install 1.22`"),
        "{current:?}"
    );
    let shim = sb.shim("go", &p).env("PATH", &path).output().unwrap();
    assert_eq!(shim.status.code(), Some(127));
    assert!(stderr(&shim).contains("run `gv install 1.22`"), "{shim:?}");
    let install = sb
        .gv(&p)
        .arg("install")
        .env("PATH", &path)
        .env("GV_GO_MIRROR", server.url())
        .env(
            "GV_GO_INDEX",
            format!("{}?mode=json&include=all", server.url()),
        )
        .output()
        .unwrap();
    assert!(install.status.success(), "{install:?}");
    assert!(
        stderr(&install).contains("installed Go 1.22.10"),
        "{install:?}"
    );

    let (sb, path) = setup();
    let auto = sb
        .shim("go", &sb.work("p"))
        .env("PATH", &path)
        .env("GV_AUTO_INSTALL", "1")
        .env("GV_GO_MIRROR", server.url())
        .arg("version")
        .output()
        .unwrap();
    assert!(auto.status.success(), "{auto:?}");
    assert!(stderr(&auto).contains("install 1.22"), "{auto:?}");
    assert_eq!(stdout(&auto), "go version go1.22.10 linux/amd64\n");
}
