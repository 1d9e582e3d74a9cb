//! Known vulnerabilities and end of support (issue 26 §2): `gv check`, and the marks of
//! `gv current`, `gv list`, `gv doctor`, the shim and the hook, against a loopback
//! vulnerability database laid out like vuln.go.dev (support/vulndb.rs) whose entries
//! affect 1.22.10 and not 1.23.9, and a loopback release index. Fake SDKs; the real one
//! is in `vulndb_real`.

use crate::support::mirror::{MirrorServer, Served};
use crate::support::vulndb::{Answer, HOSTILE_SUMMARY, VulnDb, VulnDbServer};
use crate::support::{self, GO_A, GO_B, Sandbox};

use std::path::{Path, PathBuf};

/// A sandbox with 1.22.10 and 1.23.9 installed (fake), `a/` pinned to 1.22.10 and `b/`
/// to 1.23.9, and a release index whose newest lines are `lines`' versions.
struct World {
    sb: Sandbox,
    mirror: MirrorServer,
    a: PathBuf,
    b: PathBuf,
}

impl World {
    fn new(releases: &[&str]) -> World {
        let sb = Sandbox::new();
        sb.fake_install(GO_A);
        sb.fake_install(GO_B);
        let a = sb.write("a/.go-version", &format!("{GO_A}\n"));
        let b = sb.write("b/.go-version", &format!("{GO_B}\n"));
        let mirror = MirrorServer::start(
            releases
                .iter()
                .map(|v| Served::archive(v, b"not an archive".to_vec()))
                .collect(),
        );
        World {
            sb,
            mirror,
            a: a.parent().unwrap().to_path_buf(),
            b: b.parent().unwrap().to_path_buf(),
        }
    }

    fn gv(&self, cwd: &Path, db: &str) -> assert_cmd::Command {
        let mut cmd = self.sb.gv(cwd);
        cmd.env("GOVULNDB", db)
            .env("GV_GO_MIRROR", self.mirror.url())
            .env("GV_GO_INDEX", self.mirror.index_url());
        cmd
    }

    fn vulndb_cache(&self) -> PathBuf {
        self.sb.path().join("cache/gv/vulndb")
    }
}

fn out(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let o = cmd.output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        support::stdout(&o),
        support::stderr(&o),
    )
}

#[test]
fn check_fails_on_the_vulnerable_pin_passes_on_the_other_and_works_offline() {
    let w = World::new(&[GO_B, GO_A]);
    let server = VulnDbServer::start(VulnDb::fixture());
    let db = server.url();

    let (code, stdout, stderr) = out(w.gv(&w.a, &db).arg("check"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    for want in [
        "FAIL Go 1.22.10",
        "vulnerable: 2 known vulnerabilities (GO-2025-0001, GO-2025-0002), fixed in 1.22.12",
        "GO-2025-0001 (CVE-2025-0001): GO-2025-0001 in the stdlib; fixed in 1.22.11",
        "GO-2025-0002 (CVE-2025-0002): net/http: \\u{202e}evil\\u{1b}[2J\\u{a}ok all is well; fixed in 1.22.12",
        "-> fix: move to Go 1.22.12: `gv install 1.22.12`, then `gv local 1.22.12` (or `gv local --latest-patch`)",
        "vulnerability database http://127.0.0.1",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
    // Another platform's, a withdrawn one, another module's: not here; nothing raw.
    for absent in [
        "GO-2025-0003",
        "GO-2025-0004",
        "GO-2025-0005",
        "\u{202e}",
        "\u{1b}",
    ] {
        assert!(
            !stdout.contains(absent) && !stderr.contains(absent),
            "{absent:?}"
        );
    }
    assert!(
        !server.requests().iter().any(|r| r.contains("0005")),
        "only the Go release's entries are fetched"
    );

    let (code, stdout, _) = out(w.gv(&w.b, &db).arg("check"));
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.starts_with("ok Go 1.23.9 (set by ")
            && stdout.contains("no known vulnerabilities, a supported line (1.23 and 1.22)"),
        "{stdout}"
    );

    // JSON for scripts.
    let (code, stdout, _) = out(w.gv(&w.a, &db).args(["check", "--json"]));
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["ok"], false);
    assert_eq!(json["fixed_in"], "1.22.12");
    assert_eq!(json["supported"], true);
    assert_eq!(json["vulnerabilities"][1]["summary"], HOSTILE_SUMMARY);
    assert_eq!(json["vulnerabilities"][1]["aliases"][0], "CVE-2025-0002");
    assert_eq!(json["failures"][0]["check"], "vulnerable");

    // The marks: current, list, doctor — from the cache, no network.
    drop(server);
    let (code, _, stderr) = out(w.gv(&w.a, &db).arg("current"));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("gv: warning: Go 1.22.10: 2 known vulnerabilities (GO-2025-0001, GO-2025-0002), fixed in 1.22.12"),
        "{stderr}"
    );
    let (_, stdout, _) = out(w.gv(&w.a, &db).arg("list"));
    assert!(
        stdout.contains("* 1.22.10 (set by") && stdout.contains("! 2 known vulnerabilities"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  1.23.9\n"),
        "1.23.9 has no mark: {stdout}"
    );
    let (_, stdout, _) = out(w.gv(&w.a, &db).args(["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(list[0]["version"], GO_A);
    assert_eq!(list[0]["vulnerabilities"][0]["id"], "GO-2025-0001");
    assert_eq!(list[1]["vulnerabilities"], serde_json::json!([]));
    let (code, stdout, _) = out(w.gv(&w.a, &db).arg("doctor"));
    let line = stdout
        .lines()
        .find(|l| l.contains("vulnerabilities:"))
        .unwrap_or_else(|| panic!("no vulnerabilities check:\n{stdout}"));
    assert!(
        line.starts_with("warn vulnerabilities: Go 1.22.10: 2 known vulnerabilities")
            && line.contains("GO-2025-0001 (CVE-2025-0001)")
            && line.contains("-> fix: move to Go 1.22.12"),
        "{line}"
    );
    assert_ne!(code, 2, "{stdout}");
    let (_, stdout, _) = out(w.gv(&w.b, &db).arg("doctor"));
    assert!(
        stdout.contains("ok  vulnerabilities: no known vulnerabilities in Go 1.23.9"),
        "{stdout}"
    );

    // Offline from the cache; a refresh with the database gone falls back, saying so.
    let (code, stdout, _) = out(w.gv(&w.a, &db).args(["check", "--offline"]));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("GO-2025-0002") && stdout.contains("cached"),
        "{stdout}"
    );
    let (code, stdout, stderr) = out(w.gv(&w.a, &db).args(["check", "--refresh"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("gv: warning: using the cached vulnerability database from")
            && stderr.contains("cannot reach"),
        "{stderr}"
    );
}

#[test]
fn minimum_go_and_end_of_support_fail_the_check() {
    // 1.24 is out: 1.22 is no longer supported.
    let w = World::new(&["1.24.2", GO_B, GO_A]);
    let dir = tempfile::tempdir().unwrap();
    VulnDb::fixture().write_to(dir.path());
    let db = format!("file://{}", dir.path().display());
    let (code, stdout, _) = out(w.gv(&w.a, &db).arg("check"));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("unsupported: the 1.22 line is out of support (supported: 1.24 and 1.23)")
            && stdout.contains("-> fix: move to Go 1.24: `gv install 1.24`, then `gv local 1.24`"),
        "{stdout}"
    );
    let (code, stdout, _) = out(w.gv(&w.b, &db).arg("check"));
    assert_eq!(code, 0, "{stdout}");

    // The user's floor; a trusted project may raise it, never lower it.
    w.sb.write("../config/gv/config.toml", "minimum_go = \"1.23.10\"\n");
    let (code, stdout, _) = out(w.gv(&w.b, &db).arg("check"));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("minimum_go: 1.23.9 is older than minimum_go 1.23.10 (set in ")
            && stdout.contains("config.toml)"),
        "{stdout}"
    );
    let project = w.sb.write("b/gv.toml", "minimum_go = \"1.20\"\n");
    w.sb.trust(&project);
    let (code, _, _) = out(w.gv(&w.b, &db).arg("check"));
    assert_eq!(code, 1, "a project cannot lower the user's minimum_go");
    let (code, _, stderr) = out(w.gv(&w.b, &db).arg("current"));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn faults_are_clear_errors_and_leave_the_cache_alone() {
    let w = World::new(&[GO_B, GO_A]);
    let server = VulnDbServer::start(VulnDb::fixture());
    let db = server.url();
    let check = |db: &str| out(w.gv(&w.a, db).arg("check"));

    // No cache yet: each fault is an error that says what and what to do.
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "index/modules",
            Answer::Raw(b"<html>".to_vec()),
            "is not what a Go vulnerability database serves",
        ),
        (
            "index/modules",
            Answer::Raw(gzip(b"{\"not\": \"a list\"}")),
            "index/modules.json is not what",
        ),
        (
            "index/modules",
            Answer::Raw(gzip(
                br#"[{"path":"stdlib","vulns":[{"id":"../../../x","modified":"m"}]}]"#,
            )),
            "not a Go vulnerability ID",
        ),
        (
            "ID/GO-2025-0001",
            Answer::Raw(gzip(b"{\"id\":\"GO-2025-9999\"}")),
            "not GO-2025-0001",
        ),
        (
            "index/db",
            Answer::Raw(gzip(&vec![b' '; 70 * 1024])),
            "larger than 64 KiB",
        ),
        (
            "index/modules",
            Answer::Raw(gzip(&vec![b' '; 17 << 20])),
            "larger than 16 MiB",
        ),
        ("index/db", Answer::Status(500), "answered HTTP 500"),
    ];
    for (doc, answer, want) in cases {
        server.replace(VulnDb::fixture());
        server.answer(doc, answer);
        let (code, stdout, stderr) = check(&db);
        assert_eq!(code, 1, "{doc}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{doc}: want {want:?}:\n{stderr}");
        assert!(stderr.contains("hint:"), "{stderr}");
        assert!(
            !w.vulndb_cache().exists()
                || std::fs::read_dir(w.vulndb_cache()).unwrap().all(|d| !d
                    .unwrap()
                    .path()
                    .join("modules.json")
                    .exists()),
            "nothing cached from a fault"
        );
    }
    let (code, _, stderr) = check("http://127.0.0.1:9");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot fetch the Go vulnerability database")
            && stderr.contains("HTTPS_PROXY"),
        "{stderr}"
    );
    let (code, _, stderr) = out(w
        .gv(&w.a, "https://a.example,https://b.example")
        .arg("check"));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("it is a list; gv reads one database"),
        "{stderr}"
    );
    let (code, _, stderr) = out(w.gv(&w.a, &db).args(["check", "--offline"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no cached vulnerability database"),
        "{stderr}"
    );
    // Commands that only read the cache say nothing and still work.
    let (code, _, stderr) = out(w
        .gv(&w.a, "https://a.example,https://b.example")
        .arg("current"));
    assert_eq!((code, stderr.as_str()), (0, ""));

    // With a good copy cached, a garbage answer later is a warning, and the copy is used.
    server.replace(VulnDb::fixture());
    assert_eq!(check(&db).0, 1);
    let newer = VulnDb::fixture().with(
        "index/db",
        br#"{"modified":"2025-08-01T00:00:00Z"}"#.to_vec(),
    );
    server.replace(newer);
    server.answer("index/modules", Answer::Raw(b"garbage".to_vec()));
    let (code, stdout, stderr) = out(w.gv(&w.a, &db).args(["check", "--refresh"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("GO-2025-0001"), "{stdout}");
    assert!(
        stderr.contains("using the cached vulnerability database"),
        "{stderr}"
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The shim and the hook: the verdict `gv check` left, once a day per version, and never
/// when there is none.
#[test]
fn the_shim_and_the_hook_say_it_once_a_day() {
    let w = World::new(&[GO_B, GO_A]);
    w.sb.rehash();
    let (_, _, stderr) = out(&mut w.sb.shim("go", &w.a));
    assert!(!stderr.contains("vulnerab"), "no verdict yet: {stderr}");
    let dir = tempfile::tempdir().unwrap();
    VulnDb::fixture().write_to(dir.path());
    let db = format!("file://{}", dir.path().display());
    assert_eq!(out(w.gv(&w.a, &db).arg("check")).0, 1);

    let (code, _, stderr) = out(w.sb.gv(&w.a).args(["hook-env", "--shell", "bash"]));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("gv: warning: Go 1.22.10: 2 known vulnerabilities (GO-2025-0001, GO-2025-0002), fixed in 1.22.12; `gv check` says more"),
        "{stderr}"
    );
    let (_, _, stderr) = out(w.sb.gv(&w.a).args(["hook-env", "--shell", "bash"]));
    assert!(!stderr.contains("vulnerab"), "once a day: {stderr}");
    // The day's marker is per version: 1.22.10 was said; 1.23.9 has nothing to say.
    let (code, stdout, stderr) = out(&mut w.sb.shim("go", &w.a));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("go1.22.10") && !stderr.contains("vulnerab"),
        "{stderr}"
    );
    std::fs::remove_dir_all(w.sb.root().join(".hints/verdicts")).unwrap();
    let (code, stdout, stderr) = out(&mut w.sb.shim("go", &w.a));
    assert_eq!(code, 0, "never blocks the build");
    assert!(stdout.contains("go1.22.10"), "{stdout}");
    assert_eq!(
        stderr.matches("known vulnerabilities").count(),
        1,
        "{stderr}"
    );
    let (_, _, stderr) = out(&mut w.sb.shim("go", &w.b));
    assert!(!stderr.contains("vulnerab"), "{stderr}");
}

/// HTTP_PROXY is honoured: a database on a host only the proxy knows is reached through it.
#[test]
fn the_database_is_fetched_through_the_proxy() {
    let w = World::new(&[GO_B, GO_A]);
    let proxy = VulnDbServer::start(VulnDb::fixture());
    let (code, stdout, stderr) = out(w
        .gv(&w.a, "http://vulndb.invalid")
        .arg("check")
        .env("HTTP_PROXY", proxy.url())
        .env("NO_PROXY", "127.0.0.1"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("GO-2025-0002"), "{stdout}");
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r == "http://vulndb.invalid/index/modules.json.gz"),
        "{:?}",
        proxy.requests()
    );
}
