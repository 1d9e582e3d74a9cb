//! `gv local`, `gv global` and `gv shell` pin versions that exist, and write what every tool
//! reads: refusals with their exit codes and an untouched file, `--force`, no cached index,
//! `latest`/`1`/`22` resolved and `1.22` kept, `gv local system`, and the `current` link an
//! IDE relies on. Against a loopback go.dev look-alike whose index gv has cached.

use crate::support;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use support::mirror::{MirrorServer, Served, fake_sdk};
use support::{Sandbox, stderr, stdout};

/// A port nothing listens on: the official index cannot be reached.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";

/// A sandbox with 1.21.13 and 1.22.10 installed, 1.22.10 the global default, and the
/// release index of `server` cached by a `gv ls-remote`, as any earlier install leaves it.
fn world() -> (Sandbox, MirrorServer) {
    let server = MirrorServer::start(
        [
            "1.21.13", "1.22.9", "1.22.10", "1.23rc1", "1.23rc2", "1.23.0",
        ]
        .iter()
        .map(|v| Served::archive(v, fake_sdk(v)))
        .collect(),
    );
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    sb.fake_install("1.22.10");
    let out = gv(&sb, &server, &sb.work(""))
        .args(["global", "1.22.10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = gv(&sb, &server, &sb.work(""))
        .arg("ls-remote")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    (sb, server)
}

/// `gv` in `cwd`, with `server` as the mirror (its index cached; never go.dev).
fn gv(sb: &Sandbox, server: &MirrorServer, cwd: &Path) -> assert_cmd::Command {
    let mut cmd = sb.gv(cwd);
    cmd.env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX);
    cmd
}

fn pin_file(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(".go-version")).ok()
}

fn global_file(sb: &Sandbox) -> PathBuf {
    sb.root().join("version")
}

#[test]
fn malformed_specs_are_usage_errors_and_write_nothing() {
    let (sb, server) = world();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    for args in [
        vec!["local", "1.2x"],
        vec!["local", "1.22.x"],
        vec!["global", "1.2x"],
        vec!["shell", "--shell", "bash", "1.2x"],
    ] {
        gv(&sb, &server, &dir)
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("1.2"));
    }
    assert_eq!(pin_file(&dir).as_deref(), Some("1.21.13\n"));
    assert_eq!(
        std::fs::read_to_string(global_file(&sb)).unwrap(),
        "1.22.10\n"
    );
}

#[test]
fn versions_that_exist_nowhere_are_refused_with_the_nearest_real_ones() {
    let (sb, server) = world();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    gv(&sb, &server, &dir)
        .args(["local", "1.22.99"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Go 1.22.99 does not exist"))
        .stderr(predicate::str::contains(
            "the nearest real versions are 1.22.9, 1.22.10, 1.23.0",
        ))
        .stderr(predicate::str::contains("--force writes it anyway"));
    gv(&sb, &server, &dir)
        .args(["local", "1.22rc9"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the nearest real versions are 1.21.13, 1.22.9, 1.22.10;",
        ));
    gv(&sb, &server, &dir)
        .args(["global", "1.22.99"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Go 1.22.99 does not exist"));
    gv(&sb, &server, &dir)
        .args(["shell", "--shell", "zsh", "1.22.99"])
        .assert()
        .code(1)
        .stdout("");
    assert_eq!(pin_file(&dir).as_deref(), Some("1.21.13\n"), "untouched");
    assert_eq!(
        std::fs::read_to_string(global_file(&sb)).unwrap(),
        "1.22.10\n"
    );

    // --force writes it anyway, saying so.
    gv(&sb, &server, &dir)
        .args(["local", "1.22.99", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("written anyway (--force)"));
    assert_eq!(pin_file(&dir).as_deref(), Some("1.22.99\n"));

    // A release that exists but is not installed is written, with what to run.
    gv(&sb, &server, &dir)
        .args(["local", "1.23.0"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Go 1.23.0 is not installed yet; run `gv install 1.23.0`",
        ));
    assert_eq!(pin_file(&dir).as_deref(), Some("1.23.0\n"));
}

/// Offline with no cached index there is nothing to check against: a version not
/// installed is written, with a warning; one that must be resolved is refused.
#[test]
fn with_no_cached_index_a_version_is_written_with_a_warning() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    let offline = |args: &[&str]| {
        let mut cmd = sb.gv(&dir);
        cmd.env("GV_GO_MIRROR", "http://127.0.0.1:9/dl/")
            .env("GV_GO_INDEX", DEAD_INDEX)
            .args(args);
        cmd
    };
    offline(&["local", "1.22.99"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "cannot check that Go 1.22.99 exists: there is no cached release index",
        ))
        .stderr(predicate::str::contains("run `gv install 1.22.99`"));
    assert_eq!(pin_file(&dir).as_deref(), Some("1.22.99\n"));
    offline(&["local", "1.99", "--exact"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot tell which version `1.99` stands for",
        ));
    assert_eq!(pin_file(&dir).as_deref(), Some("1.22.99\n"));
}

/// What is written means the same to every tool: goenv and actions/setup-go read `1.22`
/// as written, but not `latest`, `1` or goenv's own `22`, which are written as the
/// version they stand for today. Each says what it wrote.
#[test]
fn what_is_written_is_readable_by_every_tool() {
    let (sb, server) = world();
    let dir = sb.work("p");
    let file = dir.join(".go-version");
    for (typed, written, said) in [
        ("latest", "1.22.10", "wrote 1.22.10 (latest today) to"),
        ("1", "1.22.10", "wrote 1.22.10 (1 today) to"),
        ("22", "1.22.10", "wrote 1.22.10 (1.22 today) to"),
        ("21", "1.21.13", "wrote 1.21.13 (1.21 today) to"),
        (
            "1.22",
            "1.22",
            "wrote 1.22 to FILE (Go 1.22.10 today, the newest match)",
        ),
        ("go1.22.10", "1.22.10", "wrote 1.22.10 to FILE"),
    ] {
        let said = said.replace("FILE", &file.display().to_string());
        gv(&sb, &server, &dir)
            .args(["local", typed])
            .assert()
            .success()
            .stderr(predicate::str::starts_with(said));
        assert_eq!(pin_file(&dir), Some(format!("{written}\n")), "{typed}");
    }
    gv(&sb, &server, &dir)
        .args(["local", "1.22", "--exact"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 1.22.10 (1.22 today)"));
    assert_eq!(pin_file(&dir).as_deref(), Some("1.22.10\n"));
    // `gv shell` exports what it resolved, too.
    gv(&sb, &server, &dir)
        .args(["shell", "--shell", "fish", "latest"])
        .assert()
        .success()
        .stdout("set -gx GV_VERSION '1.22.10'\n");
}

/// `gv local system` removes the local pin, as goenv does: what is in line after it decides
/// here, and with no system go on PATH it says so.
#[test]
fn local_system_removes_the_pin_like_goenv() {
    let (sb, server) = world();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    let out = gv(&sb, &server, &dir)
        .args(["local", "system"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(pin_file(&dir).is_none());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("removed {}", dir.join(".go-version").display())),
        "{err}"
    );
    assert!(
        err.contains("there is no go on PATH outside gv's directories"),
        "{err}"
    );
    assert!(
        err.contains("Go 1.22.10 applies here now (global default"),
        "{err}"
    );
}

/// `gv global` of a version that is not installed (yet) leaves `GV_ROOT/current` on the
/// installed SDK it pointed at: GoLand's GOROOT keeps working until `gv install`.
#[test]
fn global_of_a_version_not_installed_keeps_the_current_link() {
    let (sb, server) = world();
    let link = sb.root().join("current");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("versions/1.22.10")
    );
    gv(&sb, &server, &sb.work(""))
        .args(["global", "1.23.0"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Go 1.23.0 is not installed yet"));
    assert_eq!(
        std::fs::read_to_string(global_file(&sb)).unwrap(),
        "1.23.0\n"
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("versions/1.22.10"),
        "kept"
    );
    let out = gv(&sb, &server, &sb.work(""))
        .args(["install", "1.23.0"])
        .env("GV_SHIM_BINARY", support::shim_binary())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("versions/1.23.0"),
        "followed once installed: {}",
        stdout(&out)
    );
    gv(&sb, &server, &sb.work(""))
        .args(["global", "--unset"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "unset removes it"
    );
}
