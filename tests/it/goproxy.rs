//! `gv install --source goproxy` and `gv ls-remote --source goproxy` against a loopback
//! GOPROXY and checksum database (tests/support/goproxy.rs, tests/support/sumdb.rs)
//! serving tiny fake toolchains: resolution, verification, the cache, configuration,
//! credentials, proxies and TLS, and every fault the checksum database exists to catch.
//! Real toolchains and real `go` are in tests/goproxy_real.rs.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use support::goproxy::{
    DB_NAME, ProxyFault, ProxyServer, Toolchain, database, fake_files, module_version,
};
use support::mirror::listing;
use support::sumdb::TestDb;
use support::zipw::ZipEntry;
use support::{Sandbox, stderr, stdout};

/// Nothing listens here: "the go.dev source cannot be reached", fast.
const DEAD: &str = "http://127.0.0.1:9";

struct World {
    sb: Sandbox,
    server: ProxyServer,
    db: Arc<Mutex<TestDb>>,
}

fn world(versions: &[&str]) -> World {
    let toolchains: Vec<Toolchain> = versions.iter().map(|v| Toolchain::fake(v)).collect();
    let db = database(&toolchains, 300);
    let server = ProxyServer::start(toolchains, Some(db.clone()));
    World {
        sb: Sandbox::new(),
        server,
        db,
    }
}

impl World {
    fn vkey(&self) -> String {
        self.db.lock().unwrap().vkey()
    }

    /// `gv` with GOPROXY and GOSUMDB (key and URL) pointing at the loopback servers.
    fn gv(&self) -> assert_cmd::Command {
        let mut cmd = self.sb.gv(&self.sb.work(""));
        cmd.env("GOPROXY", self.server.url())
            .env(
                "GOSUMDB",
                format!("{} {}", self.vkey(), self.server.db_url()),
            )
            .env("GV_GO_MIRROR", format!("{DEAD}/dl/"))
            .env("GV_GO_INDEX", format!("{DEAD}/dl/?mode=json"));
        cmd
    }

    fn install(&self, args: &[&str]) -> (bool, String, String) {
        run(self
            .gv()
            .args(["install", "--source", "goproxy"])
            .args(args))
    }

    fn versions(&self) -> Vec<String> {
        listing(&self.sb.root().join("versions"))
    }

    fn cache(&self) -> PathBuf {
        self.sb
            .path()
            .join("cache/gv/downloads/goproxy/golang.org/toolchain/@v")
    }

    fn cached(&self) -> Vec<String> {
        listing(&self.cache())
    }

    /// Back to an empty store and cache.
    fn reset(&self) {
        let _ = std::fs::remove_dir_all(self.sb.root().join("versions"));
        let _ = std::fs::remove_dir_all(self.cache());
    }
}

fn run(cmd: &mut assert_cmd::Command) -> (bool, String, String) {
    let out = cmd.output().expect("run gv");
    (out.status.success(), stdout(&out), stderr(&out))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn installs_through_the_proxy_verified_by_the_checksum_database() {
    let w = world(&["1.22.9", "1.22.10", "1.23rc1"]);
    let (ok, _, err) = w.install(&["1.22"]);
    assert!(ok, "{err}");
    assert!(err.contains("installed Go 1.22.10 in"), "{err}");
    assert!(
        err.contains("proven by the checksum database sum.gv.test at http://127.0.0.1"),
        "{err}"
    );
    let goroot = w.sb.root().join("versions/1.22.10");
    let out = std::process::Command::new(goroot.join("bin/go"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "go version go1.22.10 linux/amd64\n");
    // Go's layout after a toolchain switch: exec bits only under bin/ and pkg/tool/,
    // module zips' _go.mod back as go.mod.
    assert_eq!(mode(&goroot.join("bin/gofmt")), 0o755);
    assert_eq!(mode(&goroot.join("pkg/tool/linux_amd64/compile")), 0o755);
    assert_eq!(mode(&goroot.join("src/make.bash")), 0o644);
    assert_eq!(mode(&goroot.join("VERSION")), 0o644);
    assert_eq!(
        std::fs::read_to_string(goroot.join("src/cmd/go.mod")).unwrap(),
        "module cmd\n\ngo 1.22\n"
    );
    assert!(!goroot.join("src/_go.mod").exists());
    // The accepted tree head is kept, like Go's $GOPATH/pkg/sumdb/<name>/latest.
    let latest = std::fs::read(w.sb.root().join(format!("sumdb/{DB_NAME}/latest"))).unwrap();
    assert_eq!(latest, w.db.lock().unwrap().signed_head());
    // The verified zip is cached with its hash, for --offline.
    let mv = module_version("1.22.10");
    assert_eq!(
        std::fs::read_to_string(w.cache().join(format!("{mv}.ziphash")))
            .unwrap()
            .trim(),
        Toolchain::fake("1.22.10").h1
    );

    // Offline, from the cache: no request reaches the proxy.
    let before = w.server.requests().len();
    let (ok, _, err) = w.install(&["1.22.10", "--force", "--offline"]);
    assert!(ok, "{err}");
    assert!(err.contains("from the download cache"), "{err}");
    assert_eq!(w.server.requests().len(), before);
    // Offline, a version not in the cache: a clear error.
    let (ok, _, err) = w.install(&["1.22.9", "--offline"]);
    assert!(!ok);
    assert!(err.contains("--offline was given"), "{err}");

    // Already installed.
    let (ok, _, err) = w.install(&["latest"]);
    assert!(ok, "{err}");
    assert!(err.contains("Go 1.22.10 is already installed"), "{err}");
}

#[test]
fn a_file_proxy_with_its_database_works_without_a_network() {
    // An air-gapped copy: the proxy's files and the database's, in one folder.
    let toolchains = vec![Toolchain::fake("1.22.9"), Toolchain::fake("1.22.10")];
    let db = database(&toolchains, 300);
    let sb = Sandbox::new();
    let dir = sb.work("mirror");
    support::goproxy::write_file_proxy(&dir, &toolchains);
    db.lock()
        .unwrap()
        .write_static(&dir.join(format!("sumdb/{DB_NAME}")))
        .unwrap();
    let (ok, _, err) = run(sb
        .gv(&sb.work(""))
        .env("GOPROXY", format!("file://{}", dir.display()))
        .env("GOSUMDB", db.lock().unwrap().vkey())
        .args(["install", "--source", "goproxy", "1.22"]));
    assert!(ok, "{err}");
    assert!(err.contains("installed Go 1.22.10"), "{err}");
    assert!(
        err.contains(&format!("at file://{}/sumdb/{DB_NAME}", dir.display())),
        "{err}"
    );
}

#[test]
fn ls_remote_lists_what_the_proxy_has() {
    let w = world(&["1.22.9", "1.22.10", "1.23rc1"]);
    // Another platform's toolchain is not listed.
    w.server.add_toolchain(Toolchain {
        module_version: "v0.0.1-go1.24.0.darwin-arm64".into(),
        ..Toolchain::fake("1.24.0")
    });
    let (ok, out, err) = run(w.gv().args(["ls-remote", "--source", "goproxy"]));
    assert!(ok, "{err}");
    assert_eq!(out, "  1.22.9\n  1.22.10\n");
    let (ok, out, _) = run(w.gv().args(["ls-remote", "--source", "goproxy", "--all"]));
    assert!(ok);
    assert_eq!(out, "  1.22.9\n  1.22.10\n  1.23rc1\n");
    let (ok, out, _) = run(w
        .gv()
        .args(["ls-remote", "--source", "goproxy", "--json", "1.22.10"]));
    assert!(ok);
    let items: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(items[0]["module_version"], "v0.0.1-go1.22.10.linux-amd64");
    assert_eq!(items[0]["installed"], false);
}

#[test]
fn the_database_can_be_reached_through_the_proxy() {
    let w = world(&["1.22.10"]);
    // GOSUMDB names only the key: gv asks the proxy whether it serves the database.
    let (ok, _, err) = run(w
        .gv()
        .env("GOSUMDB", w.vkey())
        .args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(ok, "{err}");
    let requests = w.server.requests();
    assert!(
        requests.contains(&format!("/sumdb/{DB_NAME}/supported")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with(&format!("/sumdb/{DB_NAME}/lookup/golang.org/toolchain@"))),
        "{requests:?}"
    );
}

#[test]
fn finding_the_database_follows_the_proxy_list_like_go() {
    let w = world(&["1.22.10"]);
    // `|` past a proxy that is down, to one that serves the database.
    let (ok, _, err) = run(w
        .gv()
        .env("GOSUMDB", w.vkey())
        .env("GOPROXY", format!("{DEAD}|{}", w.server.url()))
        .args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(ok, "{err}");
    // No proxy serves it: the database itself is asked, at https://<name>.
    let bare = ProxyServer::start(vec![Toolchain::fake("1.22.9")], None);
    let (ok, _, err) = run(w
        .gv()
        .env("GOSUMDB", w.vkey())
        .env("GOPROXY", bare.url())
        .args(["install", "--source", "goproxy", "1.22.9"]));
    assert!(!ok);
    assert!(
        err.contains("cannot ask the checksum database sum.gv.test"),
        "{err}"
    );
    assert!(err.contains("https://sum.gv.test/lookup/"), "{err}");
    assert!(
        bare.requests()
            .contains(&format!("/sumdb/{DB_NAME}/supported")),
        "{:?}",
        bare.requests()
    );
}

#[test]
fn the_source_comes_from_gv_source_or_the_users_config_never_a_project() {
    let w = world(&["1.22.10"]);
    // A project asking for the goproxy source is ignored (and the dead go.dev fails).
    let proj = w.sb.work("proj");
    std::fs::write(proj.join("gv.toml"), "source = \"goproxy\"\n").unwrap();
    let mut cmd = w.gv();
    cmd.current_dir(&proj).args(["install", "1.22.10"]);
    let (ok, _, err) = run(&mut cmd);
    assert!(!ok, "the project cannot switch the source: {err}");
    assert!(!err.contains("checksum database"), "{err}");
    assert!(w.versions().is_empty());
    // GV_SOURCE picks it.
    let (ok, _, err) = run(w
        .gv()
        .env("GV_SOURCE", "goproxy")
        .args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(err.contains("checksum database"), "{err}");
    // And so does the user's config.toml.
    w.sb.user_config("source = \"goproxy\"\n");
    let (ok, _, err) = run(w.gv().args(["install", "--force", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(err.contains("checksum database"), "{err}");
    // --mirror belongs to the other source.
    let (ok, _, err) = run(w.gv().args(["install", "1.22.10", "--mirror", "go.dev"]));
    assert!(!ok);
    assert!(err.contains("--mirror picks a go.dev look-alike"), "{err}");
}

#[test]
fn a_projects_gv_toml_cannot_redirect_the_proxy_or_the_database() {
    let w = world(&["1.22.10"]);
    let evil = TestDb::new("sum.evil.test", 99);
    let proj = w.sb.work("proj");
    std::fs::write(
        proj.join("gv.toml"),
        format!(
            "[env]\nGOPROXY = \"{DEAD}\"\nGOSUMDB = \"{} {DEAD}\"\nGONOSUMDB = \"golang.org\"\n",
            evil.vkey()
        ),
    )
    .unwrap();
    let mut cmd = w.gv();
    cmd.current_dir(&proj)
        .args(["install", "--source", "goproxy", "1.22.10"]);
    let (ok, _, err) = run(&mut cmd);
    assert!(ok, "the user's GOPROXY and GOSUMDB are used: {err}");
    assert!(
        err.contains("checksum database sum.gv.test at http://127.0.0.1"),
        "{err}"
    );
}

/// Every security fault: a clear error, the store unchanged, nothing cached.
fn assert_refused(w: &World, args: &[&str], expect: &str) {
    let (before, cached) = (w.versions(), w.cached());
    let (ok, _, err) = w.install(args);
    assert!(!ok, "must be refused");
    assert!(err.contains(expect), "{err}");
    assert!(err.contains("nothing was installed"), "{err}");
    assert_eq!(w.versions(), before, "the store is unchanged");
    assert_eq!(w.cached(), cached, "nothing cached");
}

#[test]
fn a_tampered_zip_is_refused() {
    let w = world(&["1.22.10"]);
    let mut files = fake_files("1.22.10");
    files[0].1 = b"#!/bin/sh\necho pwned\n".to_vec();
    let evil = Toolchain::from_files("1.22.10", &files);
    w.server.swap_zip(&module_version("1.22.10"), evil.bytes());
    assert_refused(
        &w,
        &["1.22.10"],
        "is not the one the checksum database sum.gv.test vouches for",
    );
}

#[test]
fn a_record_other_than_the_one_the_database_signed_is_refused() {
    let w = world(&["1.22.10"]);
    // The proxy serves a tampered zip and, for the database it relays, a record with the
    // tampered zip's hash under the genuine signed tree head.
    let mut files = fake_files("1.22.10");
    files[0].1 = b"#!/bin/sh\necho pwned\n".to_vec();
    let evil = Toolchain::from_files("1.22.10", &files);
    let mv = module_version("1.22.10");
    w.server.swap_zip(&mv, evil.bytes());
    w.server.rewrite_record(&format!(
        "golang.org/toolchain {mv} {}\ngolang.org/toolchain {mv}/go.mod {}\n",
        evil.h1,
        support::sumdb::go_mod_h1()
    ));
    let before = w.versions();
    let (ok, _, err) = run(w
        .gv()
        .env("GOSUMDB", w.vkey())
        .args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(!ok);
    assert!(
        err.contains("is not the record the checksum database sum.gv.test signed"),
        "{err}"
    );
    assert_eq!(w.versions(), before);
    assert!(w.cached().iter().all(|f| !f.ends_with(".zip")));
}

#[test]
fn a_forged_signature_is_refused() {
    let w = world(&["1.22.10"]);
    w.db.lock().unwrap().forge_signatures();
    assert_refused(
        &w,
        &["1.22.10"],
        "does not carry a valid signature of sum.gv.test",
    );
}

#[test]
fn a_database_that_forked_from_what_gv_saw_is_refused() {
    let w = world(&["1.22.9", "1.22.10"]);
    let (ok, _, err) = w.install(&["1.22.9"]);
    assert!(ok, "{err}");
    let state = w.sb.root().join(format!("sumdb/{DB_NAME}/latest"));
    let accepted = std::fs::read(&state).unwrap();
    // Same key, a different history: record 5 rewritten, then the log grows.
    {
        let mut db = w.db.lock().unwrap();
        db.rewrite(5, "example.com/rewritten v1.0.0 h1:AAAA\n");
        db.add_filler(40);
    }
    assert_refused(
        &w,
        &["1.22.10"],
        "SECURITY ERROR: the checksum database sum.gv.test is not consistent",
    );
    assert_eq!(
        std::fs::read(&state).unwrap(),
        accepted,
        "the stored head is kept"
    );
    // A database that merely grew is accepted.
    let w = world(&["1.22.9", "1.22.10"]);
    let (ok, _, err) = w.install(&["1.22.9"]);
    assert!(ok, "{err}");
    w.db.lock().unwrap().add_filler(700);
    let (ok, _, err) = w.install(&["1.22.10"]);
    assert!(ok, "{err}");
}

#[test]
fn a_proxy_that_is_down_falls_back_after_a_pipe_only() {
    let w = world(&["1.22.10"]);
    let broken = ProxyServer::start(Vec::new(), None);
    broken.set_fault(ProxyFault::Down);
    for first in [DEAD.to_string(), broken.url()] {
        w.reset();
        // `,`: an outage stops the list.
        let before = w.versions();
        let (ok, _, err) = run(w
            .gv()
            .env("GOPROXY", format!("{first},{}", w.server.url()))
            .args(["install", "--source", "goproxy", "1.22.10"]));
        assert!(!ok, "`,` does not fall through on an outage");
        assert!(err.contains("cannot fetch golang.org/toolchain@"), "{err}");
        assert_eq!(w.versions(), before);
        // `|`: any error moves on.
        let (ok, _, err) = run(w
            .gv()
            .env("GOPROXY", format!("{first}|{}", w.server.url()))
            .args(["install", "--source", "goproxy", "1.22.10", "--force"]));
        assert!(ok, "{err}");
    }
}

#[test]
fn not_found_falls_through_a_comma() {
    let w = world(&["1.22.10"]);
    for fault in [ProxyFault::NotFound, ProxyFault::Gone] {
        let empty = ProxyServer::start(Vec::new(), None);
        empty.set_fault(fault);
        let (ok, _, err) = run(w
            .gv()
            .env("GOPROXY", format!("{},{}", empty.url(), w.server.url()))
            .args(["install", "--source", "goproxy", "1.22", "--force"]));
        assert!(ok, "{err}");
        assert!(
            empty.requests().iter().any(|r| r.ends_with("/@v/list")),
            "{:?}",
            empty.requests()
        );
    }
    // Not found anywhere: said so.
    let (ok, _, err) = w.install(&["1.21.13"]);
    assert!(!ok);
    assert!(err.contains("is not on any proxy"), "{err}");
    let (ok, _, err) = w.install(&["1.21"]);
    assert!(!ok);
    assert!(err.contains("gv ls-remote --source goproxy"), "{err}");
}

#[test]
fn zips_with_unsafe_paths_are_refused() {
    let version = "1.22.10";
    let prefix = format!("golang.org/toolchain@{}/", module_version(version));
    let good = |n: &str, d: &str| ZipEntry::file(&format!("{prefix}{n}"), d.as_bytes().to_vec());
    let cases: Vec<(Vec<ZipEntry>, &str)> = vec![
        (
            vec![ZipEntry::file(&format!("{prefix}../../escape"), "x")],
            "contains `.` or `..`",
        ),
        (
            vec![ZipEntry::file(&format!("{prefix}/etc/evil"), "x")],
            "the path is absolute",
        ),
        (
            vec![ZipEntry::file("/etc/evil", "x")],
            "outside the zip's top folder",
        ),
        (
            vec![ZipEntry::file("golang.org/toolchain@v9/bin/go", "x")],
            "outside the zip's top folder",
        ),
        (
            vec![good("bin/go", "a"), good("BIN/go", "b")],
            "same name (ignoring case)",
        ),
        (
            vec![good("src/go.mod", "x")],
            "a go.mod below the top folder",
        ),
        (vec![good("bin\\go", "x")], "a character Go does not allow"),
        (
            vec![ZipEntry::file(&format!("{prefix}lib/bomb"), vec![0u8; 1 << 20]).declare_size(10)],
            "",
        ),
    ];
    for (entries, expect) in cases {
        let mut entries = entries;
        entries.push(good("VERSION", "go1.22.10\n"));
        let evil = Toolchain::from_entries(version, entries);
        // The database vouches for the hostile zip: only the path rules stand between it
        // and the disk.
        let db = database(std::slice::from_ref(&evil), 10);
        let server = ProxyServer::start(vec![evil], Some(db.clone()));
        let sb = Sandbox::new();
        let (ok, _, err) = run(sb
            .gv(&sb.work(""))
            .env("GOPROXY", server.url())
            .env(
                "GOSUMDB",
                format!("{} {}", db.lock().unwrap().vkey(), server.db_url()),
            )
            .args(["install", "--source", "goproxy", version]));
        assert!(!ok, "{expect}");
        if expect.is_empty() {
            // A zip bomb: more bytes than declared. Damaged, either way.
            assert!(err.contains("the zip is damaged"), "{err}");
        } else {
            assert!(err.contains("refusing zip entry"), "{err}");
            assert!(err.contains(expect), "{expect}: {err}");
        }
        assert!(listing(&sb.root().join("versions")).is_empty(), "{expect}");
        assert!(!sb.path().join("escape").exists() && !sb.root().join("escape").exists());
    }
}

#[test]
fn zip_modes_are_ignored_like_go_ignores_them() {
    // A "symlink" entry becomes a plain file holding the link text; nothing is linked.
    let version = "1.22.10";
    let prefix = format!("golang.org/toolchain@{}/", module_version(version));
    let mut entries: Vec<ZipEntry> = fake_files(version)
        .into_iter()
        .map(|(n, d)| ZipEntry::file(&format!("{prefix}{n}"), d))
        .collect();
    entries.push(ZipEntry::file(&format!("{prefix}lib/link"), "/etc/passwd").mode(0o120777));
    entries.push(ZipEntry::file(&format!("{prefix}lib/stored"), "plain").stored());
    let t = Toolchain::from_entries(version, entries);
    let db = database(std::slice::from_ref(&t), 10);
    let server = ProxyServer::start(vec![t], Some(db.clone()));
    let sb = Sandbox::new();
    let (ok, _, err) = run(sb
        .gv(&sb.work(""))
        .env("GOPROXY", server.url())
        .env(
            "GOSUMDB",
            format!("{} {}", db.lock().unwrap().vkey(), server.db_url()),
        )
        .args(["install", "--source", "goproxy", version]));
    assert!(ok, "{err}");
    let link = sb.root().join("versions/1.22.10/lib/link");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "/etc/passwd");
    assert_eq!(
        std::fs::read_to_string(sb.root().join("versions/1.22.10/lib/stored")).unwrap(),
        "plain"
    );
}

#[test]
fn without_the_checksum_database_only_insecure_skip_checksum_installs() {
    let w = world(&["1.22.10"]);
    // GOPRIVATE sets both GONOSUMDB and GONOPROXY; GONOPROXY=none keeps the proxy.
    for (vars, says) in [
        (&[("GOSUMDB", "off")][..], "turns the checksum database off"),
        (
            &[("GONOSUMDB", "golang.org")][..],
            "exempts golang.org/toolchain",
        ),
        (
            &[("GOPRIVATE", "golang.org/*"), ("GONOPROXY", "none")][..],
            "GOPRIVATE=golang.org/* (from the environment) exempts golang.org/toolchain",
        ),
    ] {
        w.reset();
        let (ok, _, err) = run(w
            .gv()
            .envs(vars.iter().copied())
            .args(["install", "--source", "goproxy", "1.22.10"]));
        assert!(!ok, "{vars:?}");
        assert!(err.contains(says), "{err}");
        assert!(err.contains("--insecure-skip-checksum"), "{err}");
        assert!(w.versions().is_empty());
        let (ok, _, err) = run(w.gv().envs(vars.iter().copied()).args([
            "install",
            "--source",
            "goproxy",
            "1.22.10",
            "--insecure-skip-checksum",
        ]));
        assert!(ok, "{err}");
        assert!(err.contains("WITHOUT verifying"), "{err}");
        assert!(err.contains("checksum NOT verified"), "{err}");
        // An unverified zip is not cached as if it were verified.
        assert!(w.cached().is_empty(), "{:?}", w.cached());
    }
    // GOPRIVATE alone also means "not through the proxy", which gv cannot do.
    let (ok, _, err) = run(w
        .gv()
        .env("GOPRIVATE", "golang.org/*")
        .args(["install", "--source", "goproxy", "1.22.10", "--force"]));
    assert!(!ok);
    assert!(err.contains("GOPRIVATE=golang.org/*"), "{err}");
    assert!(err.contains("GONOPROXY=none"), "{err}");
}

#[test]
fn a_toolchain_the_database_does_not_know_is_refused() {
    let w = world(&["1.22.10"]);
    w.server.add_toolchain(Toolchain::fake("1.22.11"));
    assert_refused(
        &w,
        &["1.22.11"],
        "has no record of golang.org/toolchain@v0.0.1-go1.22.11",
    );
}

#[test]
fn off_and_direct_say_what_they_mean() {
    let w = world(&["1.22.10"]);
    let (ok, _, err) = run(w
        .gv()
        .env("GOPROXY", "off")
        .args(["install", "--source", "goproxy", "1.22"]));
    assert!(!ok);
    assert!(err.contains("reached `off`"), "{err}");
    let (ok, _, err) = run(w
        .gv()
        .env("GOPROXY", "direct")
        .args(["install", "--source", "goproxy", "1.22"]));
    assert!(!ok);
    assert!(err.contains("reached `direct`"), "{err}");
    let (ok, _, err) = run(w
        .gv()
        .env("GONOPROXY", "golang.org")
        .args(["install", "--source", "goproxy", "1.22"]));
    assert!(!ok);
    assert!(err.contains("GONOPROXY=golang.org"), "{err}");
}

#[test]
fn netrc_credentials_log_in_to_the_proxy() {
    let w = world(&["1.22.10"]);
    w.server.require_auth("alice", "s3cret");
    let (ok, _, err) = w.install(&["1.22.10"]);
    assert!(!ok);
    assert!(err.contains("HTTP 401"), "{err}");
    let netrc = w.sb.path().join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login alice password s3cret\n").unwrap();
    let (ok, _, err) = run(w
        .gv()
        .env("NETRC", &netrc)
        .args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(ok, "{err}");
    // ~/.netrc is the default.
    std::fs::copy(&netrc, w.sb.path().join("home/.netrc")).unwrap();
    let (ok, _, err) = w.install(&["1.22.10", "--force"]);
    assert!(ok, "{err}");
    // Credentials in the proxy URL work too, and never show in messages.
    let url = w.server.url().replace("http://", "http://alice:s3cret@");
    std::fs::remove_file(w.sb.path().join("home/.netrc")).unwrap();
    let (ok, _, err) = run(w
        .gv()
        .env("GOPROXY", &url)
        .args(["ls-remote", "--source", "goproxy"]));
    assert!(ok, "{err}");
    let wrong = w.server.url().replace("http://", "http://alice:wrong@");
    let (ok, _, err) =
        run(w
            .gv()
            .env("GOPROXY", &wrong)
            .args(["ls-remote", "--source", "goproxy"]));
    assert!(!ok);
    assert!(!err.contains("wrong"), "{err}");
}

#[test]
fn https_through_a_connect_proxy_trusting_a_test_ca() {
    use support::tls::{ConnectProxy, TestCa, TlsFront};
    let w = world(&["1.22.10"]);
    // Names that do not resolve: only the CONNECT proxy can reach them.
    let ca = TestCa::new(&["goproxy.gv-test.invalid", "mirror.gv-test.invalid"]);
    let ca_file = ca.write_ca(w.sb.path());
    let front = TlsFront::start(&ca, w.server.port);
    let tunnel = ConnectProxy::start();
    let base = format!("https://goproxy.gv-test.invalid:{}", front.port);
    let gv = || {
        let mut cmd = w.gv();
        cmd.env("GOPROXY", &base)
            .env("GOSUMDB", format!("{} {base}/sumdb/{DB_NAME}", w.vkey()))
            .env("HTTPS_PROXY", tunnel.url());
        cmd
    };
    // Without the test CA, TLS fails and says so.
    let (ok, _, err) = run(gv().args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(!ok);
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // With it (SSL_CERT_FILE, read by the system-CA loader), it installs.
    let (ok, _, err) = run(gv()
        .env("SSL_CERT_FILE", &ca_file)
        .args(["install", "--source", "goproxy", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(
        tunnel
            .tunnels()
            .contains(&format!("goproxy.gv-test.invalid:{}", front.port)),
        "{:?}",
        tunnel.tunnels()
    );
    // NO_PROXY sends it direct, where the name does not resolve.
    let (ok, _, err) = run(gv()
        .env("SSL_CERT_FILE", &ca_file)
        .env("NO_PROXY", "gv-test.invalid")
        .args(["ls-remote", "--source", "goproxy"]));
    assert!(!ok, "{err}");
    assert!(err.contains("goproxy.gv-test.invalid"), "{err}");

    // The go.dev source goes through the same proxy and trusts the same CA.
    let mirror = support::mirror::MirrorServer::start(vec![support::mirror::Served::archive(
        "1.22.9",
        support::mirror::fake_sdk("1.22.9"),
    )]);
    let mirror_port: u16 = mirror
        .proxy_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mirror_front = TlsFront::start(&ca, mirror_port);
    let (ok, _, err) = run(w
        .gv()
        .env(
            "GV_GO_MIRROR",
            format!("https://mirror.gv-test.invalid:{}/dl/", mirror_front.port),
        )
        .env("HTTPS_PROXY", tunnel.url())
        .env("SSL_CERT_FILE", &ca_file)
        .args(["install", "1.22.9"]));
    assert!(ok, "{err}");
    assert!(
        tunnel
            .tunnels()
            .contains(&format!("mirror.gv-test.invalid:{}", mirror_front.port)),
        "{:?}",
        tunnel.tunnels()
    );
}

/// A module cache as Go's toolchain switch leaves it: the unzipped tree with exec bits
/// and go.mod copies of each _go.mod, and the .ziphash Go wrote after verifying it.
fn fake_modcache(dir: &Path, version: &str, os_arch: &str) -> PathBuf {
    let mv = format!("v0.0.1-go{version}.{os_arch}");
    let tree = dir.join(format!("golang.org/toolchain@{mv}"));
    for (name, data) in fake_files(version) {
        let path = tree.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &data).unwrap();
        if name.starts_with("bin/") || name.starts_with("pkg/tool/") {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        if let Some(dir) = name.strip_suffix("_go.mod") {
            std::fs::write(tree.join(format!("{dir}go.mod")), &data).unwrap();
        }
    }
    let hashes = dir.join("cache/download/golang.org/toolchain/@v");
    std::fs::create_dir_all(&hashes).unwrap();
    std::fs::write(
        hashes.join(format!("{mv}.ziphash")),
        format!("{}\n", Toolchain::fake(version).h1),
    )
    .unwrap();
    tree
}

#[test]
fn import_gotoolchain_adopts_verified_trees_and_skips_the_rest() {
    let w = world(&["1.22.10", "1.22.9", "1.21.13", "1.20.14"]);
    let sb = &w.sb;
    let cache = sb.work("modcache");
    let good = fake_modcache(&cache, "1.22.10", "linux-amd64");
    let tampered = fake_modcache(&cache, "1.22.9", "linux-amd64");
    std::fs::write(tampered.join("bin/go"), "#!/bin/sh\necho pwned\n").unwrap();
    fake_modcache(&cache, "1.21.13", "linux-amd64");
    std::fs::remove_file(
        cache.join("cache/download/golang.org/toolchain/@v/v0.0.1-go1.21.13.linux-amd64.ziphash"),
    )
    .unwrap();
    let copy_changed = fake_modcache(&cache, "1.20.14", "linux-amd64");
    std::fs::write(copy_changed.join("src/go.mod"), "module evil\n").unwrap();
    fake_modcache(&cache, "1.23.1", "darwin-arm64");
    // A tree and a hash that agree, for a toolchain the checksum database never saw.
    fake_modcache(&cache, "1.19.13", "linux-amd64");

    let (ok, out, err) = run(w
        .gv()
        .env("GOMODCACHE", &cache)
        .args(["import", "gotoolchain"]));
    assert!(ok, "{err}");
    assert!(out.contains("+ 1.22.10 linked to"), "{out}");
    assert!(
        out.contains("(proven by the checksum database sum.gv.test (record "),
        "{out}"
    );
    assert!(
        out.contains("1.22.9 skipped: its files do not match the hash Go recorded"),
        "{out}"
    );
    assert!(
        out.contains("1.21.13 skipped: Go recorded no hash for it"),
        "{out}"
    );
    assert!(
        out.contains("1.20.14 skipped: src/go.mod differs from the _go.mod"),
        "{out}"
    );
    assert!(
        out.contains("1.23.1 skipped: a toolchain for darwin/arm64"),
        "{out}"
    );
    assert!(
        out.contains("1.19.13 skipped: the checksum database cannot vouch for it: the checksum database sum.gv.test has no record of golang.org/toolchain@v0.0.1-go1.19.13.linux-amd64"),
        "{out}"
    );
    assert_eq!(
        listing(&sb.root().join("versions"))
            .iter()
            .filter(|p| !p.contains('/'))
            .collect::<Vec<_>>(),
        ["1.22.10"],
        "only the verified tree, and no leftovers"
    );
    let goroot = sb.root().join("versions/1.22.10");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(goroot.join("bin/go")).unwrap().ino(),
        std::fs::metadata(good.join("bin/go")).unwrap().ino()
    );
    assert!(goroot.join("src/go.mod").is_file());
    // Shims were refreshed for the new version.
    assert!(sb.root().join("shims/go").exists());
    // Once more: already there.
    let (ok, out, _) = run(w
        .gv()
        .args(["import", "gotoolchain", "--gomodcache"])
        .arg(&cache)
        .arg("--json"));
    assert!(ok);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = report["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "1.22.10")
        .unwrap();
    assert_eq!(first["skipped"], "already installed in gv");
    // Options of the other importer are refused.
    let (ok, _, err) = run(w.gv().args(["import", "gotoolchain", "--move"]));
    assert!(!ok);
    assert!(
        err.contains("--move and --goenv-root are for `gv import goenv`"),
        "{err}"
    );
}

/// The first install becomes the global default whatever the source (README, "Installing
/// Go versions"): the GOPROXY source once forgot to, when it ran a loop of its own.
#[test]
fn the_first_install_through_the_proxy_becomes_the_global_default() {
    let w = world(&["1.22.9", "1.22.10"]);
    let (ok, _, err) = w.install(&["1.22"]);
    assert!(ok, "{err}");
    assert!(
        err.contains("Go 1.22.10 is now the global default (the first version installed)"),
        "{err}"
    );
    assert!(
        err.contains("add this line to your shell's rc file"),
        "{err}"
    );
    let (_, global, _) = run(w.sb.gv(&w.sb.work("")).arg("global"));
    assert_eq!(global.trim(), "1.22.10");
    let (_, current, _) = run(w.sb.gv(&w.sb.work("")).arg("current"));
    assert!(current.starts_with("1.22.10 (global default"), "{current}");
    assert!(
        std::fs::read_link(w.sb.root().join("current"))
            .is_ok_and(|target| target.ends_with("versions/1.22.10")),
        "GV_ROOT/current points at the new default"
    );

    // The next one leaves it alone.
    let (ok, _, err) = w.install(&["1.22.9"]);
    assert!(ok, "{err}");
    assert!(!err.contains("global default"), "{err}");
    let (_, global, _) = run(w.sb.gv(&w.sb.work("")).arg("global"));
    assert_eq!(global.trim(), "1.22.10");
}
