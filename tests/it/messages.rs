//! What gv says: each thing once, and nothing that points the wrong way. Each test pins
//! one message a user was misled by (issue 17's list), with fast fake SDKs.

use crate::support;

use std::path::PathBuf;

use predicates::prelude::*;
use support::{Sandbox, stderr, stdout};

/// A sandbox with fake Go `version` installed, the shims written, and a project `p`
/// pinned to it.
fn pinned_project(version: &str) -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    sb.fake_install(version);
    sb.rehash();
    let dir = sb.work("p");
    sb.write("p/.go-version", &format!("{version}\n"));
    (sb, dir)
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

/// Only an `[env]` entry has a `force` to add; GOBIN and GOTOOLCHAIN are gv's own and
/// come back by unsetting the user's value.
#[test]
fn gv_env_names_a_remedy_that_exists() {
    let (sb, dir) = pinned_project("1.22.10");
    sb.user_config("[env]\nGODEBUG = \"panicnil=1\"\n");
    let out = sb
        .gv(&dir)
        .arg("env")
        .env("GOBIN", "/mine/bin")
        .env("GOTOOLCHAIN", "auto")
        .env("GODEBUG", "mine=1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let explained = |name: &str| {
        let mut lines = text.lines();
        lines.find(|l| l.starts_with(&format!("{name}=")));
        lines.next().unwrap_or_default().to_string()
    };
    assert!(
        explained("GODEBUG").contains("add force = true to that entry"),
        "{text}"
    );
    for name in ["GOBIN", "GOTOOLCHAIN"] {
        let why = explained(name);
        assert!(why.contains(&format!("unset {name} to use it")), "{text}");
        assert!(!why.contains("force"), "{name}: {why}");
    }
}

/// A config that does not parse is one problem, not two: the gotoolchain policy is unknown
/// until it parses, and the file may well say `local` already.
#[test]
fn doctor_reports_invalid_toml_once() {
    let (sb, dir) = pinned_project("1.22.10");
    sb.user_config("gotoolchain = \"local\"\n[env\n");
    let out = sb.gv(&dir).arg("doctor").output().unwrap();
    let text = stdout(&out);
    assert_eq!(lines_with(&text, "BAD config:").len(), 1, "{text}");
    assert!(lines_with(&text, "invalid TOML").len() == 1, "{text}");
    assert!(lines_with(&text, "gotoolchain").is_empty(), "{text}");
}

/// With the shell hook active the selected SDK's bin/ comes before the shims: doctor says
/// that is what `go` runs, and that both are gv's.
/// An SDK's bin/ ahead of the shims (an earlier gv's hook put it there) runs for every
/// directory: doctor says so, even for the SDK selected here.
#[test]
fn doctor_flags_an_sdk_ahead_of_the_shims_even_the_selected_one() {
    let (sb, dir) = pinned_project("1.22.10");
    let goroot = sb.root().join("versions/1.22.10");
    let shims = sb.root().join("shims");
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        goroot.join("bin").display(),
        shims.display()
    );
    let doctor_path_line = |path: &str| {
        let out = sb
            .gv(&dir)
            .arg("doctor")
            .env("PATH", path)
            .output()
            .unwrap();
        lines_with(&stdout(&out), "path:").concat()
    };
    let line = doctor_path_line(&path);
    let text = &line;
    assert!(line.starts_with("BAD path:"), "{text}");
    assert!(
        line.contains(&format!(
            "`go` resolves to {}, the selected SDK's bin/, ahead of gv's shims",
            goroot.join("bin/go").display()
        )),
        "{line}"
    );
    assert!(line.contains("-> fix: open a new shell"), "{line}");

    // Without the hook, the shims.
    let line = doctor_path_line(&format!("{}:/usr/bin:/bin", shims.display()));
    assert_eq!(
        line,
        format!(
            "ok  path: `go` resolves to gv's shims ({} on PATH)",
            shims.display()
        )
    );
}

/// `latest` is a moving target: gv will not remove by it, and says which version it means.
#[test]
fn uninstall_latest_names_the_version_instead_of_guessing() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.fake_install("1.23.9");
    let dir = sb.work("");
    sb.gv(&dir)
        .args(["uninstall", "latest", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`latest` names whichever Go is newest, not one installed version",
        ))
        .stderr(predicate::str::contains("`gv uninstall 1.23.9`"))
        .stderr(predicate::str::contains("matches several").not());
    sb.gv(&dir)
        .args(["uninstall", "system", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gv does not uninstall it"));
    assert!(sb.root().join("versions/1.23.9/bin/go").is_file());
    assert!(sb.root().join("versions/1.22.10/bin/go").is_file());
}

/// Nothing marked in `gv list` gets a reason.
#[test]
fn list_says_why_nothing_is_active_here() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    let out = sb.gv(&dir).arg("list").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "  1.22.10\n");
    assert!(
        stderr(&out).contains("none of these is active here: Go 1.21.13 is not installed"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("hint: run `gv install 1.21.13`"));
    // With the pinned version there, no note.
    sb.fake_install("1.21.13");
    let out = sb.gv(&dir).arg("list").output().unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(stdout(&out).contains("* 1.21.13"), "{}", stdout(&out));
}

/// GOBIN does not depend on the version selected here: `gv tools` lists it even when that
/// version is missing, and says what it could not check.
#[test]
fn tools_lists_gobin_without_a_usable_version() {
    let sb = Sandbox::new();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    let gobin = sb.path().join("home/go/bin");
    std::fs::create_dir_all(&gobin).unwrap();
    std::fs::write(gobin.join("notgo"), "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(gobin.join("notgo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = sb.gv(&dir).args(["tools", "--offline"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("# {}\n", gobin.display())),
        "{text}"
    );
    assert!(text.contains("notgo"), "{text}");
    assert!(
        stderr(&out).contains("not checking the tools against a Go version"),
        "{}",
        stderr(&out)
    );
}

/// A gv.toml's warnings reach the user once per version of the file through the shim,
/// and on demand through `gv env` and `gv doctor`.
#[test]
fn project_file_warnings_are_said_once_per_version_of_the_file() {
    let (sb, dir) = pinned_project("1.22.10");
    let file = sb.write("p/gv.toml", "colour = 1\n[env]\nLD_PRELOAD = \"x.so\"\n");
    sb.trust(&file);
    let warnings = |out: &std::process::Output| {
        stderr(out)
            .lines()
            .filter(|l| l.starts_with("gv: warning:"))
            .count()
    };
    let go = || sb.shim("go", &dir).arg("version").output().unwrap();
    let first = go();
    assert!(first.status.success(), "{first:?}");
    assert_eq!(warnings(&first), 2, "{}", stderr(&first));
    for _ in 0..3 {
        let again = go();
        assert_eq!(warnings(&again), 0, "{}", stderr(&again));
    }
    let hook = sb
        .gv(&dir)
        .args(["hook-env", "--shell", "bash"])
        .output()
        .unwrap();
    assert_eq!(warnings(&hook), 0, "{}", stderr(&hook));
    // On demand, every time.
    for _ in 0..2 {
        let env = sb.gv(&dir).arg("env").output().unwrap();
        assert_eq!(warnings(&env), 2, "{}", stderr(&env));
        let doctor = sb.gv(&dir).arg("doctor").output().unwrap();
        assert!(
            stdout(&doctor).contains("unknown key `colour`"),
            "{}",
            stdout(&doctor)
        );
    }
    // A new version of the file is news again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    sb.write("p/gv.toml", "color = 1\n[env]\nLD_PRELOAD = \"x.so\"\n");
    sb.trust(&file);
    assert_eq!(warnings(&go()), 2);
}

/// `gv shell` with a missing version says so once: not again from the hook the shell
/// function runs next, nor after each later `gv` call that re-runs it.
#[test]
fn gv_shell_with_a_missing_version_warns_once() {
    let (sb, dir) = pinned_project("1.22.10");
    let gv = assert_cmd::cargo::cargo_bin("gv");
    let script = format!(
        "eval \"$('{gv}' init bash)\"\ncd '{dir}'\ngv shell 1.19\ngv local 1.22.10\ngv global 1.22.10\necho done\n",
        gv = gv.display(),
        dir = dir.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-i"])
        .current_dir(&dir)
        .env_clear()
        .envs(sb.env())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(script.as_bytes())?;
            child.wait_with_output()
        })
        .expect("bash");
    let err = stderr(&out);
    assert!(stdout(&out).contains("done"), "{out:?}");
    assert_eq!(
        lines_with(&err, "Go 1.19 is not installed").len(),
        1,
        "{err}"
    );
    assert_eq!(lines_with(&err, "run `gv install 1.19`").len(), 1, "{err}");
}
