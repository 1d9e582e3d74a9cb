//! End to end with real Go SDKs: go.dev-style archives of real releases (from
//! scripts/provision-go-sdks) served with a matching index over 127.0.0.1.

use crate::support;

use std::process::Command;

use support::mirror::{MirrorServer, Served, read_all};
use support::{GO_A, GO_B, Sandbox, real_archive, stderr, stdout};

fn real_server() -> MirrorServer {
    MirrorServer::start(
        [GO_A, GO_B]
            .iter()
            .map(|v| Served::archive(v, read_all(&real_archive(v))))
            .collect(),
    )
}

fn go(goroot: &std::path::Path, sb: &Sandbox, args: &[&str]) -> String {
    let out = Command::new(goroot.join("bin/go"))
        .args(args)
        .env_clear()
        .envs(sb.env())
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("run the installed go");
    assert!(out.status.success(), "go {args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn installs_real_sdks_that_work() {
    let sb = Sandbox::new();
    let server = real_server();
    let gv = |dir: &std::path::Path| {
        let mut cmd = sb.gv(dir);
        cmd.env("GV_GO_MIRROR", server.url())
            .env("GV_GO_INDEX", "http://127.0.0.1:9/");
        cmd
    };

    // `gv install 1.22` picks 1.22.10 from the index.
    let out = gv(&sb.work("")).args(["install", "1.22"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let goroot = sb.root().join("versions").join(GO_A);
    assert_eq!(
        go(&goroot, &sb, &["version"]),
        format!("go version go{GO_A} linux/amd64\n")
    );
    assert_eq!(
        go(&goroot, &sb, &["env", "GOROOT"]).trim(),
        goroot.to_str().unwrap()
    );
    // Every file of the real archive arrived, with its mode.
    let reference = support::real_goroot(GO_A);
    let count = |dir: &std::path::Path| support::mirror::listing(dir).len();
    assert_eq!(count(&goroot), count(&reference));

    // `gv install` with no argument installs what .go-version asks for.
    let proj = sb.work("proj");
    std::fs::write(proj.join(".go-version"), format!("{GO_B}\n")).unwrap();
    let out = gv(&proj).arg("install").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("installed Go {GO_B}")),
        "{}",
        stderr(&out)
    );
    let goroot_b = sb.root().join("versions").join(GO_B);
    assert_eq!(
        go(&goroot_b, &sb, &["version"]),
        format!("go version go{GO_B} linux/amd64\n")
    );
    let out = sb.gv(&proj).arg("current").output().unwrap();
    assert_eq!(stdout(&out).split_whitespace().next(), Some(GO_B));
}
