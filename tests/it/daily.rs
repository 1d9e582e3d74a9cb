//! Black-box tests for living with gv: goenv migration, GOENV_VERSION, the IDE-stable
//! GOROOT link and `gv ide`.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use support::{Sandbox, stdout};

/// A goenv root with tiny fake SDKs (and a broken and a junk entry).
fn fake_goenv(sb: &Sandbox) -> PathBuf {
    let root = sb.work("goenv");
    for v in ["1.21.13", "1.22.3"] {
        let bin = root.join("versions").join(v).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let go = bin.join("go");
        std::fs::write(
            &go,
            format!("#!/bin/sh\necho go version go{v} linux/amd64\n"),
        )
        .unwrap();
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
        let misc = bin.join("../misc");
        std::fs::create_dir_all(&misc).unwrap();
        std::os::unix::fs::symlink("../bin/go", misc.join("go-link")).unwrap();
    }
    std::fs::create_dir_all(root.join("versions/1.20.1")).unwrap(); // no bin/go
    std::fs::create_dir_all(root.join("versions/not-go")).unwrap();
    std::fs::write(root.join("version"), "1.22.3\n").unwrap();
    root
}

fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).unwrap().ino()
}

#[test]
fn import_goenv_links_versions_and_carries_the_global() {
    let sb = Sandbox::new();
    let goenv = fake_goenv(&sb);
    sb.fake_install("1.21.13"); // already in gv: must be left alone
    let dir = sb.work("x");
    sb.gv(&dir)
        .args(["import", "goenv"])
        .env("GOENV_ROOT", &goenv)
        .assert()
        .success()
        .stdout(predicate::str::contains("1.22.3 linked to"))
        .stdout(predicate::str::contains(
            "1.21.13 skipped: already installed in gv",
        ))
        .stdout(predicate::str::contains("1.20.1 skipped: incomplete SDK"))
        .stdout(predicate::str::contains(
            "not-go skipped: not a Go version name",
        ))
        .stdout(predicate::str::contains(
            "global default set to 1.22.3 (from goenv)",
        ));
    let adopted = sb.root().join("versions/1.22.3/bin/go");
    let source = goenv.join("versions/1.22.3/bin/go");
    assert_eq!(inode(&adopted), inode(&source), "hard link, not a copy");
    assert!(source.exists(), "the source stays usable");
    assert_eq!(
        std::fs::read_link(sb.root().join("versions/1.22.3/misc/go-link")).unwrap(),
        Path::new("../bin/go")
    );
    assert!(
        std::fs::metadata(&adopted).unwrap().permissions().mode() & 0o111 != 0,
        "exec bits kept"
    );
    sb.gv(&dir)
        .arg("current")
        .assert()
        .stdout(predicate::str::starts_with("1.22.3 (global default"));
    // No staging directories left behind.
    let leftovers: Vec<_> = std::fs::read_dir(sb.root().join("versions"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A second import changes nothing and keeps gv's own global.
    sb.gv(&dir).args(["global", "1.21"]).assert().success();
    sb.gv(&dir)
        .args(["import", "goenv", "--goenv-root"])
        .arg(&goenv)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1.22.3 skipped: already installed in gv",
        ))
        .stdout(predicate::str::contains(
            "kept gv's global default; goenv's was 1.22.3",
        ));
}

#[test]
fn import_goenv_move_and_json() {
    let sb = Sandbox::new();
    let goenv = fake_goenv(&sb);
    let out = sb
        .gv(&sb.work("x"))
        .args(["import", "goenv", "--move", "--json", "--goenv-root"])
        .arg(&goenv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let adopted: Vec<&str> = json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| !v["to"].is_null())
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(adopted, ["1.21.13", "1.22.3"]);
    assert_eq!(json["goenv_global"], "1.22.3");
    assert!(!goenv.join("versions/1.22.3").exists(), "moved away");
    assert!(sb.root().join("versions/1.22.3/bin/go").is_file());
}

#[test]
fn import_goenv_without_goenv_explains() {
    let sb = Sandbox::new();
    sb.gv(&sb.work("x"))
        .args(["import", "goenv"])
        .env("GOENV_ROOT", sb.path().join("nope"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no goenv versions found"))
        .stderr(predicate::str::contains("GOENV_ROOT"));
}

#[test]
fn goenv_version_is_a_fallback_with_a_one_time_hint() {
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    sb.fake_install("1.22.3");
    let dir = sb.work("p");
    sb.gv(&dir)
        .arg("current")
        .env("GOENV_VERSION", "1.21.13")
        .assert()
        .success()
        .stdout("1.21.13 (set by the GOENV_VERSION environment variable)\n")
        .stderr(predicate::str::contains("gv's own variable is GV_VERSION"));
    sb.gv(&dir)
        .arg("current")
        .env("GOENV_VERSION", "1.21.13")
        .assert()
        .stderr(predicate::str::contains("GV_VERSION").not());
    sb.gv(&dir)
        .arg("current")
        .env("GOENV_VERSION", "1.21.13")
        .env("GV_VERSION", "1.22.3")
        .assert()
        .stdout(predicate::str::starts_with("1.22.3 (set by the GV_VERSION"));
}

#[test]
fn current_link_follows_the_global_default() {
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    sb.fake_install("1.22.3");
    let dir = sb.work("x");
    let link = sb.root().join("current");
    sb.gv(&dir).args(["global", "1.21"]).assert().success();
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("versions/1.21.13")
    );
    assert!(link.join("bin/go").is_file(), "the link resolves");
    sb.gv(&dir).args(["global", "1.22.3"]).assert().success();
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("versions/1.22.3")
    );
    sb.gv(&dir).args(["global", "--unset"]).assert().success();
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "removed with the default"
    );
}

#[test]
fn ide_prints_goroot_and_settings() {
    let sb = Sandbox::new();
    let goroot = sb.fake_install("1.22.3");
    let dir = sb.work("p");
    sb.gv(&dir).args(["local", "1.22.3"]).assert().success();
    let out = sb.gv(&dir).arg("ide").output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(&format!("GOROOT: {}", goroot.display())),
        "{text}"
    );
    // VS Code goes through the go shim (it follows the pin) and gets no GOROOT.
    let shim = sb.root().join("shims/go");
    assert!(
        text.contains(&format!("\"go\": \"{}\"", shim.display())),
        "{text}"
    );
    assert!(!text.contains("\"go.goroot\""), "{text}");
    assert!(text.contains("GoLand"), "{text}");

    sb.gv(&dir).args(["global", "1.22"]).assert().success();
    let out = sb.gv(&dir).args(["ide", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["goroot"], goroot.display().to_string());
    assert_eq!(
        json["vscode"]["go.alternateTools"]["go"],
        shim.display().to_string()
    );
    assert_eq!(json["vscode"]["go.goroot"], serde_json::Value::Null);
    assert_eq!(
        json["global_goroot_link"],
        sb.root().join("current").display().to_string()
    );
}

#[cfg(feature = "real-tests")]
#[test]
fn real_goenv_sdk_is_adopted_and_runs() {
    let sb = Sandbox::new();
    let goenv = sb.work("goenv/versions");
    let status = std::process::Command::new("cp")
        .arg("-al")
        .arg(support::real_goroot(support::GO_A))
        .arg(goenv.join(support::GO_A))
        .status()
        .unwrap();
    assert!(status.success());
    let dir = sb.work("p");
    sb.gv(&dir)
        .args(["import", "goenv", "--goenv-root"])
        .arg(goenv.parent().unwrap())
        .assert()
        .success();
    sb.gv(&dir)
        .args(["local", support::GO_A])
        .assert()
        .success();
    let go = stdout(&sb.gv(&dir).arg("which").output().unwrap());
    let out = std::process::Command::new(go.trim())
        .args(["env", "GOROOT"])
        .env_remove("GOROOT")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        sb.root()
            .join("versions")
            .join(support::GO_A)
            .display()
            .to_string()
    );
}
