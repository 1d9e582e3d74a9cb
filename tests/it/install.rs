//! `gv install`, `gv uninstall`, `gv ls-remote` against a loopback go.dev look-alike
//! serving tiny fake SDKs: resolution, caching, mirrors, proxies, every fault, locking
//! and kills. Real SDKs are exercised in tests/it/install_real.rs.

use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::mirror::{
    Entry, Fault, MirrorServer, Served, evil_sdk, fake_sdk, fake_sdk_padded, listing,
};
use support::{Sandbox, stderr, stdout};

/// A port nothing listens on: "the official index cannot be reached", fast.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";
const ARCHIVE: &str = "go1.22.10.linux-amd64.tar.gz";

fn standard_server() -> MirrorServer {
    MirrorServer::start(vec![
        Served::archive("1.22.9", fake_sdk("1.22.9")),
        Served::archive("1.22.10", fake_sdk("1.22.10")),
        Served::archive("1.23rc1", fake_sdk("1.23rc1")),
        Served::archive("1.21.13", fake_sdk("1.21.13")),
    ])
}

/// `gv` in the sandbox, downloading from `server`, never from go.dev.
fn gv(sb: &Sandbox, server: &MirrorServer) -> assert_cmd::Command {
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX);
    cmd
}

fn run(cmd: &mut assert_cmd::Command) -> (bool, String, String) {
    let out = cmd.output().expect("run gv");
    (out.status.success(), stdout(&out), stderr(&out))
}

fn version_out(sb: &Sandbox, version: &str) -> String {
    let out = Command::new(sb.root().join("versions").join(version).join("bin/go"))
        .arg("version")
        .output()
        .expect("run installed go");
    stdout(&out)
}

fn downloads(sb: &Sandbox) -> std::path::PathBuf {
    sb.path().join("cache/gv/downloads")
}

#[test]
fn installs_the_newest_matching_release_and_reports_it() {
    let sb = Sandbox::new();
    let server = standard_server();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22"]));
    assert!(ok, "{err}");
    assert!(err.contains("installed Go 1.22.10 in"), "{err}");
    assert!(
        err.contains("sha256 verified against http://127.0.0.1"),
        "{err}"
    );
    assert_eq!(
        version_out(&sb, "1.22.10"),
        "go version go1.22.10 linux/amd64\n"
    );
    let goroot = sb.root().join("versions/1.22.10");
    // Archive content arrives intact: exec bits, symlink, hard link, sane modes.
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = |p: &str| {
        std::fs::metadata(goroot.join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!(mode("bin/go"), 0o755);
    assert_eq!(mode("VERSION"), 0o644);
    assert_eq!(
        std::fs::read_link(goroot.join("misc/version-link")).unwrap(),
        Path::new("../VERSION")
    );
    assert_eq!(
        std::fs::metadata(goroot.join("misc/go-again"))
            .unwrap()
            .ino(),
        std::fs::metadata(goroot.join("bin/go")).unwrap().ino()
    );
    // Nothing but the version (and no work-in-progress) in versions/.
    assert_eq!(
        listing(&sb.root().join("versions"))
            .iter()
            .filter(|p| !p.contains('/'))
            .collect::<Vec<_>>(),
        ["1.22.10"]
    );

    // Again: already installed, exit 0, no download.
    let before = server.archive_requests();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "go1.22.10"]));
    assert!(ok && err.contains("already installed"), "{err}");
    assert_eq!(server.archive_requests(), before);

    // --force reinstalls, from the verified download cache.
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10", "--force"]));
    assert!(ok, "{err}");
    assert!(err.contains("from the download cache"), "{err}");
    assert_eq!(
        server.archive_requests(),
        before,
        "no network for a cached archive"
    );
    assert_eq!(
        version_out(&sb, "1.22.10"),
        "go version go1.22.10 linux/amd64\n"
    );
}

#[test]
fn latest_prereleases_and_several_specs() {
    let sb = Sandbox::new();
    let server = standard_server();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "latest", "1.23rc1", "--quiet"]));
    assert!(ok, "{err}");
    assert!(err.is_empty(), "--quiet prints nothing: {err}");
    assert!(sb.root().join("versions/1.22.10/bin/go").is_file());
    assert!(sb.root().join("versions/1.23rc1/bin/go").is_file());
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.99"]));
    assert!(!ok);
    assert!(
        err.contains("no Go release matching `1.99`") && err.contains("gv ls-remote"),
        "{err}"
    );
    let out = gv(&sb, &server)
        .args(["install", "1.22.x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad spec is a usage error");
}

#[test]
fn no_argument_installs_what_the_directory_selects() {
    let sb = Sandbox::new();
    let server = standard_server();
    let dir = sb.work("mod");
    std::fs::write(dir.join("go.mod"), "module x\n\ngo 1.22\n").unwrap();
    let (ok, _, err) = run(gv(&sb, &server).current_dir(&dir).arg("install"));
    assert!(ok, "{err}");
    assert!(
        err.contains("installed Go 1.22.10"),
        "go 1.22 installs the newest 1.22.x: {err}"
    );
    let (ok, _, err) = run(gv(&sb, &server).current_dir(&dir).arg("install"));
    assert!(ok && err.contains("already installed"), "{err}");
    // Nothing selected at all (the first install made itself the global default: undo
    // that): a usage error that says what to do.
    let (ok, _, err) = run(sb.gv(&sb.work("")).args(["global", "--unset"]));
    assert!(ok, "{err}");
    let bare = sb.work("bare");
    let out = gv(&sb, &server)
        .current_dir(&bare)
        .arg("install")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("gv install 1.22"), "{}", stderr(&out));
}

#[test]
fn offline_installs_from_the_caches_only() {
    let sb = Sandbox::new();
    {
        let server = standard_server();
        let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10"]));
        assert!(ok, "{err}");
        let (ok, _, err) = run(gv(&sb, &server).args(["uninstall", "1.22.10", "--yes"]));
        assert!(ok, "{err}");
    } // the server is gone
    let dead = MirrorServer::start(vec![]);
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", "http://127.0.0.1:9/dl/")
        .env("GV_GO_INDEX", DEAD_INDEX);
    let (ok, _, err) = run(cmd.args(["install", "1.22", "--offline"]));
    assert!(ok, "{err}");
    assert!(err.contains("from the download cache"), "{err}");
    assert_eq!(
        version_out(&sb, "1.22.10"),
        "go version go1.22.10 linux/amd64\n"
    );
    // Not cached: says so.
    let (ok, _, err) = run(gv(&sb, &dead).args(["install", "1.21.13", "--offline"]));
    assert!(!ok);
    assert!(err.contains("--offline"), "{err}");
}

#[test]
fn the_index_is_cached_and_an_old_copy_is_used_when_offline() {
    let sb = Sandbox::new();
    let server = standard_server();
    let (ok, out, err) = run(gv(&sb, &server).arg("ls-remote"));
    assert!(ok, "{err}");
    assert_eq!(
        out, "  1.21.13\n  1.22.9\n  1.22.10\n",
        "stable only, oldest first; go1.9.2rc2 skipped"
    );
    let index_hits = || {
        server
            .requests()
            .iter()
            .filter(|r| r.contains("mode=json"))
            .count()
    };
    assert_eq!(index_hits(), 1);
    let (ok, ..) = run(gv(&sb, &server).arg("ls-remote"));
    assert!(ok);
    assert_eq!(index_hits(), 1, "a fresh cached index is reused");
    let (ok, ..) = run(gv(&sb, &server).args(["ls-remote", "--refresh"]));
    assert!(ok);
    assert_eq!(index_hits(), 2, "--refresh bypasses the cache");

    // The server goes away: --refresh falls back to the cached copy and says how old.
    let url = server.url();
    drop(server);
    std::thread::sleep(Duration::from_millis(100));
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", &url).env("GV_GO_INDEX", DEAD_INDEX);
    let (ok, out, err) = run(cmd.args(["ls-remote", "--refresh", "1.22"]));
    assert!(ok, "{err}");
    assert_eq!(out, "  1.22.9\n  1.22.10\n");
    assert!(
        err.contains("using the cached release index from") && err.contains("seconds ago")
            || err.contains("second ago"),
        "{err}"
    );
}

#[test]
fn ls_remote_all_json_and_installed_marks() {
    let sb = Sandbox::new();
    let server = standard_server();
    sb.fake_install("1.22.9");
    let (ok, out, _) = run(gv(&sb, &server).args(["ls-remote", "--all"]));
    assert!(ok);
    assert_eq!(
        out,
        "  1.21.13\n* 1.22.9 (installed)\n  1.22.10\n  1.23rc1\n"
    );
    let (ok, out, _) = run(gv(&sb, &server).args(["ls-remote", "1.22", "--json"]));
    assert!(ok);
    let items: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(items[0]["version"], "1.22.9");
    assert_eq!(items[0]["installed"], true);
    assert_eq!(items[1]["archive"]["filename"], ARCHIVE);
    assert_eq!(items.as_array().unwrap().len(), 2);
}

/// Runs a failing install and checks the error and that the store did not change.
fn assert_fault(server: MirrorServer, args: &[&str], expect: &[&str]) {
    let sb = Sandbox::new();
    sb.fake_install("1.21.0");
    let before = listing(&sb.root().join("versions"));
    let out = gv(&sb, &server).args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in expect {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert_eq!(
        listing(&sb.root().join("versions")),
        before,
        "store changed:\n{err}"
    );
    let cached: Vec<_> = listing(&downloads(&sb));
    assert!(
        cached.is_empty(),
        "nothing unverified is cached: {cached:?}"
    );
}

fn faulty(fault: Fault) -> MirrorServer {
    MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk_padded("1.22.10", 300_000)).with_fault(fault),
    ])
}

#[test]
fn fault_404() {
    assert_fault(
        faulty(Fault::NotFound),
        &["install", "1.22.10"],
        &[
            "cannot download go1.22.10.linux-amd64.tar.gz",
            "HTTP 404",
            "nothing was installed",
        ],
    );
}

#[test]
fn fault_500() {
    assert_fault(
        faulty(Fault::ServerError),
        &["install", "1.22.10"],
        &["answered HTTP 500", "hint:"],
    );
}

#[test]
fn fault_body_cut_short() {
    assert_fault(
        faulty(Fault::CutShort),
        &["install", "1.22.10"],
        &["broke off after", "run the command again"],
    );
}

#[test]
fn fault_corrupted_byte() {
    assert_fault(
        faulty(Fault::CorruptByte),
        &["install", "1.22.10"],
        &[
            "checksum mismatch for go1.22.10.linux-amd64.tar.gz",
            "expected sha256",
            "actual   sha256",
            "nothing was installed",
        ],
    );
}

#[test]
fn fault_wrong_sha_in_index() {
    let server = faulty(Fault::WrongSha);
    let good = support::mirror::sha256_hex(&fake_sdk_padded("1.22.10", 300_000));
    assert_fault(
        server,
        &["install", "1.22.10"],
        &[
            "checksum mismatch",
            &format!("actual   sha256 {good}"),
            "(from http://127.0.0.1",
        ],
    );
}

fn evil(entry: Entry) -> MirrorServer {
    MirrorServer::start(vec![Served::archive("1.22.10", evil_sdk("1.22.10", entry))])
}

#[test]
fn fault_dotdot_escape() {
    assert_fault(
        evil(Entry::file("go/../escape", 0o644, b"x".to_vec())),
        &["install", "1.22.10"],
        &["refusing archive entry `go/../escape`", "`..`"],
    );
}

#[test]
fn fault_absolute_path() {
    assert_fault(
        evil(Entry::file("/tmp/gv-absolute-escape", 0o644, b"x".to_vec())),
        &["install", "1.22.10"],
        &[
            "refusing archive entry `/tmp/gv-absolute-escape`",
            "absolute",
        ],
    );
    assert!(!Path::new("/tmp/gv-absolute-escape").exists());
}

#[test]
fn fault_symlink_to_etc() {
    assert_fault(
        evil(Entry::symlink("go/etc", "/etc")),
        &["install", "1.22.10"],
        &["refusing archive entry `go/etc`", "points outside the SDK"],
    );
}

#[test]
fn fault_relative_symlink_escape_and_write_through_it() {
    assert_fault(
        evil(Entry::symlink("go/up", "../../..")),
        &["install", "1.22.10"],
        &["points outside the SDK"],
    );
    let through = tar_through_symlink();
    assert_fault(
        MirrorServer::start(vec![Served::archive("1.22.10", through)]),
        &["install", "1.22.10"],
        &["written through a symbolic link"],
    );
}

fn tar_through_symlink() -> Vec<u8> {
    support::mirror::tar_gz(&[
        Entry::dir("go/"),
        Entry::file("go/bin/go", 0o755, b"#!/bin/sh\n".to_vec()),
        Entry::symlink("go/here", "."),
        Entry::file("go/here/x", 0o644, b"x".to_vec()),
    ])
}

#[test]
fn fault_device_file_and_hardlink_escape() {
    assert_fault(
        evil(Entry::char_device("go/dev-null")),
        &["install", "1.22.10"],
        &["device files"],
    );
    assert_fault(
        evil(Entry::hardlink("go/passwd", "/etc/passwd")),
        &["install", "1.22.10"],
        &["hard link to `/etc/passwd`"],
    );
}

#[test]
fn fault_not_a_go_archive() {
    let garbage = MirrorServer::start(vec![Served::archive(
        "1.22.10",
        b"<html>captive portal</html>".to_vec(),
    )]);
    assert_fault(
        garbage,
        &["install", "1.22.10"],
        &["cannot unpack", "not a .tar.gz"],
    );
    let no_go = MirrorServer::start(vec![Served::archive(
        "1.22.10",
        support::mirror::tar_gz(&[
            Entry::dir("go/"),
            Entry::file("go/README", 0o644, b"hi".to_vec()),
        ]),
    )]);
    assert_fault(
        no_go,
        &["install", "1.22.10"],
        &["does not contain a Go SDK", "no go/bin/go"],
    );
    let mislabelled = MirrorServer::start(vec![Served::archive("1.22.10", fake_sdk("1.21.0"))]);
    assert_fault(
        mislabelled,
        &["install", "1.22.10"],
        &["VERSION file says go1.21.0"],
    );
}

#[test]
fn plain_mirror_uses_the_official_index_for_checksums() {
    let sb = Sandbox::new();
    let official = standard_server();
    let plain = standard_server().without_index();
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", plain.url())
        .env("GV_GO_INDEX", official.index_url());
    let (ok, _, err) = run(cmd.args(["install", "1.22"]));
    assert!(ok, "{err}");
    assert!(
        !err.contains("integrity"),
        "no sidecar warning when the index is there: {err}"
    );
    assert!(
        err.contains(&format!("verified against {}", official.index_url())),
        "{err}"
    );
    assert_eq!(
        official.archive_requests(),
        0,
        "archives come from the mirror"
    );
    assert_eq!(plain.archive_requests(), 1);
}

#[test]
fn plain_mirror_without_any_index_uses_the_sidecar_with_a_warning() {
    let sb = Sandbox::new();
    let plain = standard_server().without_index();
    let (ok, _, err) = run(gv(&sb, &plain).args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(
        err.contains("proves the download is intact but not that it is authentic"),
        "{err}"
    );
    assert!(err.contains(".sha256"), "{err}");
    // A prefix cannot be resolved without an index.
    let (ok, _, err) = run(gv(&sb, &plain).args(["install", "1.21"]));
    assert!(!ok);
    assert!(err.contains("needs a release index"), "{err}");
}

#[test]
fn no_checksum_anywhere_refuses_unless_told_otherwise() {
    let bare = || standard_server().without_index().without_sidecars();
    assert_fault(
        bare(),
        &["install", "1.22.10"],
        &[
            "no sha256 is known for go1.22.10.linux-amd64.tar.gz",
            "--insecure-skip-checksum",
        ],
    );
    let sb = Sandbox::new();
    let server = bare();
    let (ok, _, err) =
        run(gv(&sb, &server).args(["install", "1.22.10", "--insecure-skip-checksum"]));
    assert!(ok, "{err}");
    assert!(err.contains("WITHOUT verifying"), "{err}");
    assert!(err.contains("checksum NOT verified"), "{err}");
}

#[test]
fn mirror_from_flag_and_config_and_bad_values() {
    let sb = Sandbox::new();
    let server = standard_server();
    // A project's gv.toml cannot pick the download server; the user's config.toml can.
    sb.write("proj/gv.toml", "mirror = \"http://127.0.0.1:9/\"\n");
    sb.user_config(&format!("mirror = \"{}\"\n", server.url()));
    let mut cmd = sb.gv(&sb.work("proj"));
    cmd.env("GV_GO_INDEX", DEAD_INDEX);
    let (ok, _, err) = run(cmd.args(["install", "1.21"]));
    assert!(
        ok,
        "the config.toml mirror is used, not the project's: {err}"
    );
    let mut cmd = sb.gv(&sb.work(""));
    let (ok, _, err) = run(cmd.args(["install", "1.22.9", "--mirror", &server.url()]));
    assert!(ok, "{err}");
    let out = sb
        .gv(&sb.work(""))
        .args(["install", "1.22", "--mirror", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("go.dev, golang.google.cn, aliyun, ustc"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn http_proxy_is_honoured_and_no_proxy_bypasses_it() {
    let sb = Sandbox::new();
    let proxy = standard_server();
    // A host name that does not resolve: only the proxy can reach it.
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", "http://mirror.gv-test.invalid/dl/")
        .env("GV_GO_INDEX", DEAD_INDEX)
        .env("HTTP_PROXY", proxy.proxy_url());
    let (ok, _, err) = run(cmd.args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r == &format!("http://mirror.gv-test.invalid/dl/{ARCHIVE}")),
        "{:?}",
        proxy.requests()
    );
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", "http://mirror.gv-test.invalid/dl/")
        .env("GV_GO_INDEX", DEAD_INDEX)
        .env("HTTP_PROXY", proxy.proxy_url())
        .env("NO_PROXY", "gv-test.invalid");
    let (ok, _, err) = run(cmd.args(["install", "1.22.9", "--refresh"]));
    assert!(
        !ok,
        "NO_PROXY sends it direct, where the host does not exist"
    );
    assert!(
        err.contains("cannot reach http://mirror.gv-test.invalid/dl/go1.22.9"),
        "{err}"
    );
}

#[test]
fn from_file_checks_the_index_and_the_name() {
    let sb = Sandbox::new();
    let server = standard_server();
    let file = sb.path().join("work").join(ARCHIVE);
    std::fs::write(&file, fake_sdk("1.22.10")).unwrap();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "--from-file"]).arg(&file));
    assert!(ok, "{err}");
    assert!(err.contains("verified against"), "{err}");
    assert_eq!(
        version_out(&sb, "1.22.10"),
        "go version go1.22.10 linux/amd64\n"
    );
    // Tampered local file: the index catches it.
    let bad = sb
        .path()
        .join("work/bad")
        .join("go1.22.9.linux-amd64.tar.gz");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, fake_sdk("1.22.10")).unwrap();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "--from-file"]).arg(&bad));
    assert!(!ok);
    assert!(err.contains("checksum mismatch"), "{err}");
    let odd = sb.path().join("work/sdk.tgz");
    std::fs::write(&odd, b"x").unwrap();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "--from-file"]).arg(&odd));
    assert!(!ok && err.contains("go1.22.3.linux-amd64.tar.gz"), "{err}");
}

#[test]
fn uninstall_warns_confirms_and_removes() {
    let sb = Sandbox::new();
    let server = standard_server();
    sb.fake_install("1.22.10");
    sb.fake_install("1.22.9");
    let (ok, ..) = run(gv(&sb, &server).args(["global", "1.22.10"]));
    assert!(ok);
    // Not a terminal and no --yes: refuses, removes nothing.
    let out = gv(&sb, &server)
        .args(["uninstall", "1.22.10"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(sb.root().join("versions/1.22.10").is_dir());
    let (ok, _, err) = run(gv(&sb, &server).args(["uninstall", "1.22.10", "--yes"]));
    assert!(ok, "{err}");
    assert!(err.contains("is the global default"), "{err}");
    assert!(err.contains("is the version selected here"), "{err}");
    assert!(!sb.root().join("versions/1.22.10").exists());
    assert!(sb.root().join("versions/1.22.9").is_dir());
    let (ok, _, err) = run(gv(&sb, &server).args(["uninstall", "1.22.10", "--yes"]));
    assert!(!ok && err.contains("not installed"), "{err}");
}

fn spawn_install(sb: &Sandbox, server: &MirrorServer, version: &str) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("gv"))
        .current_dir(sb.work(""))
        .env_clear()
        .envs(sb.env())
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .env("NO_COLOR", "1")
        .args(["install", version])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gv")
}

fn trickle() -> Fault {
    Fault::Trickle {
        chunk: 16 * 1024,
        delay: Duration::from_millis(20),
    }
}

#[test]
fn two_installs_of_one_version_serialise_and_other_versions_run_in_parallel() {
    let sb = Sandbox::new();
    // ~400 KB at 16 KB / 20 ms: about half a second per download.
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk_padded("1.22.10", 400_000)).with_fault(trickle()),
        Served::archive("1.21.13", fake_sdk("1.21.13")),
    ]);
    let first = spawn_install(&sb, &server, "1.22.10");
    wait_for(|| server.body_bytes_sent() > 0);
    let second = spawn_install(&sb, &server, "1.22.10");
    // A different version is not held up by the slow one.
    let started = Instant::now();
    let other = spawn_install(&sb, &server, "1.21.13")
        .wait_with_output()
        .unwrap();
    assert!(other.status.success(), "{}", stderr(&other));
    let other_took = started.elapsed();
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    let texts = [stderr(&first), stderr(&second)];
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("installed Go 1.22.10 in"))
            .count(),
        1,
        "{texts:?}"
    );
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("already installed"))
            .count(),
        1,
        "{texts:?}"
    );
    assert_eq!(
        server.archive_requests(),
        2,
        "one download of 1.22.10, one of 1.21.13"
    );
    assert!(
        sb.root().join("versions/1.21.13/bin/go").is_file() && other_took < Duration::from_secs(20),
        "1.21.13 installed while 1.22.10 was still downloading"
    );
    assert_eq!(
        version_out(&sb, "1.22.10"),
        "go version go1.22.10 linux/amd64\n"
    );
}

fn wait_for(cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sigkill_mid_download_leaves_nothing_and_the_next_install_cleans_up() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk_padded("1.22.10", 2_000_000)).with_fault(trickle()),
    ]);
    let mut child = spawn_install(&sb, &server, "1.22.10");
    let versions = sb.root().join("versions");
    wait_for(|| server.body_bytes_sent() > 200_000);
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(
        !versions.join("1.22.10").exists(),
        "no half-installed version"
    );
    let leftovers = listing(&versions);
    assert!(
        leftovers.iter().any(|p| p.starts_with(".tmp-1.22.10-")),
        "the kill left its work dir: {leftovers:?}"
    );
    assert!(
        listing(&downloads(&sb))
            .iter()
            .any(|p| p.ends_with(".partial"))
    );

    // The next run is not blocked by a lock, installs, and removes the leftovers.
    server.set_fault(ARCHIVE, Fault::None);
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    let top: Vec<String> = listing(&versions)
        .into_iter()
        .filter(|p| !p.contains('/'))
        .collect();
    assert_eq!(top, ["1.22.10"], "no leftovers");
    let cached = listing(&downloads(&sb));
    assert_eq!(cached, [ARCHIVE.to_string(), format!("{ARCHIVE}.sha256")]);
}

/// A newcomer's first install leaves a working `go`: it becomes the global default (said
/// once), and without the shims on PATH the one rc-file line follows.
#[test]
fn the_first_install_becomes_the_global_default_and_says_how_to_use_it() {
    let sb = Sandbox::new();
    let server = standard_server();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22"]));
    assert!(ok, "{err}");
    assert!(
        err.contains("Go 1.22.10 is now the global default (the first version installed)"),
        "{err}"
    );
    assert!(
        err.contains("add this line to your shell's rc file"),
        "{err}"
    );
    assert!(err.contains("gv init"), "{err}");
    let (_, global, _) = run(sb.gv(&sb.work("")).arg("global"));
    assert_eq!(global.trim(), "1.22.10");
    let (_, current, _) = run(sb.gv(&sb.work("")).arg("current"));
    assert!(current.starts_with("1.22.10 (global default"), "{current}");

    // The next install leaves the global default alone; with the shims on PATH there is
    // nothing to add to the rc file.
    let path = format!("{}:/usr/bin:/bin", sb.root().join("shims").display());
    let (ok, _, err) = run(gv(&sb, &server)
        .args(["install", "1.21.13"])
        .env("PATH", path));
    assert!(ok, "{err}");
    assert!(!err.contains("global default"), "{err}");
    assert!(!err.contains("rc file"), "{err}");
    let (_, global, _) = run(sb.gv(&sb.work("")).arg("global"));
    assert_eq!(global.trim(), "1.22.10");
}

/// Off a terminal, progress is a few plain lines, proportionate to the wait: none for a
/// download that is over in a moment, one every couple of seconds for a slow one.
#[test]
fn plain_progress_lines_only_for_a_slow_download() {
    let sb = Sandbox::new();
    let server = standard_server();
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(
        !err.contains('%'),
        "a tiny archive needs no progress: {err}"
    );

    // ~1.6 MB at 16 KB / 40 ms: about four seconds.
    let slow = MirrorServer::start(vec![
        Served::archive("1.21.13", fake_sdk_padded("1.21.13", 1_600_000)).with_fault(
            Fault::Trickle {
                chunk: 16 * 1024,
                delay: Duration::from_millis(40),
            },
        ),
    ]);
    let (ok, _, err) = run(gv(&sb, &slow).args(["install", "1.21.13"]));
    assert!(ok, "{err}");
    let lines = err
        .lines()
        .filter(|l| l.trim_start().ends_with("/s)"))
        .count();
    assert!((1..=2).contains(&lines), "{lines} progress lines: {err}");
    // The outcome and how it was checked, each on its own line.
    assert!(
        err.lines()
            .any(|l| l.starts_with("installed Go 1.21.13 in ") && !l.contains("verified")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with("  sha256 verified against http://127.0.0.1")),
        "{err}"
    );
}

/// `install --force` killed mid-way leaves its work tree; the next install, even one with
/// nothing to do, sweeps it.
#[test]
fn a_no_op_install_sweeps_what_an_interrupted_force_install_left() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk_padded("1.22.10", 2_000_000)).with_fault(trickle()),
    ]);
    let versions = sb.root().join("versions");
    server.set_fault(ARCHIVE, Fault::None);
    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    std::fs::remove_dir_all(downloads(&sb)).unwrap();
    server.set_fault(ARCHIVE, trickle());
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("gv"))
        .current_dir(sb.work(""))
        .env_clear()
        .envs(sb.env())
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .args(["install", "--force", "1.22.10"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gv");
    let sent_before = server.body_bytes_sent();
    wait_for(|| server.body_bytes_sent() > sent_before + 200_000);
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(
        listing(&versions)
            .iter()
            .any(|p| p.starts_with(".tmp-1.22.10-")),
        "the kill left its work tree: {:?}",
        listing(&versions)
    );

    let (ok, _, err) = run(gv(&sb, &server).args(["install", "1.22.10"]));
    assert!(ok, "{err}");
    assert!(err.contains("already installed"), "{err}");
    let top: Vec<String> = listing(&versions)
        .into_iter()
        .filter(|p| !p.contains('/'))
        .collect();
    assert_eq!(top, ["1.22.10"], "swept");
}

/// A proxy that is down is named as the culprit, once, with its credentials left out,
/// and the hint says what to do about a proxy, not about the mirror.
#[test]
fn a_dead_proxy_is_named_once_without_its_credentials() {
    let sb = Sandbox::new();
    let server = standard_server();
    let proxy = "http://user:s3cret@127.0.0.1:9";
    let (ok, _, err) = run(gv(&sb, &server)
        .args(["install", "1.22.10"])
        .env("HTTP_PROXY", proxy)
        .env("HTTPS_PROXY", proxy));
    assert!(!ok);
    assert!(
        err.contains("through the proxy http://127.0.0.1:9: "),
        "{err}"
    );
    assert!(!err.contains("s3cret") && !err.contains("user:"), "{err}");
    assert_eq!(
        err.matches(&server.url()).count(),
        1,
        "the URL once, not again inside reqwest's message: {err}"
    );
    assert!(!err.contains("error sending request"), "{err}");
    let hint = err
        .lines()
        .find(|l| l.trim_start().starts_with("hint:"))
        .unwrap_or_default();
    assert!(hint.contains("exempt 127.0.0.1 with NO_PROXY"), "{err}");
    assert!(
        !hint.contains("refused"),
        "the cause is not repeated in the hint: {err}"
    );

    // NO_PROXY exempting the host: straight to the mirror, which works.
    let (ok, _, err) = run(gv(&sb, &server)
        .args(["install", "1.22.10"])
        .env("HTTP_PROXY", proxy)
        .env("NO_PROXY", "127.0.0.1"));
    assert!(ok, "{err}");
}

/// `gv install` with no argument installs what the selection names as missing: with an
/// exported GOTOOLCHAIN that is its toolchain, not the pin's; a go.mod asks for exactly
/// what go would fetch.
#[test]
fn install_without_a_version_installs_what_the_selection_misses() {
    let sb = Sandbox::new();
    let server = standard_server();
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let mut cmd = gv(&sb, &server);
    cmd.current_dir(&dir).arg("install");
    let (ok, _, err) = run(&mut cmd);
    assert!(ok, "{err}");
    assert!(err.contains("Go 1.22.10 is already installed"), "{err}");
    let mut cmd = gv(&sb, &server);
    cmd.current_dir(&dir)
        .arg("install")
        .env("GOTOOLCHAIN", "go1.22.9");
    let (ok, _, err) = run(&mut cmd);
    assert!(ok, "{err}");
    assert!(err.contains("installed Go 1.22.9 in"), "{err}");

    // Newer than anything installed, and than the global default.
    let module = sb.work("m");
    sb.write("m/go.mod", "module m\n\ngo 1.23rc1\n");
    let mut cmd = gv(&sb, &server);
    cmd.current_dir(&module).arg("install");
    let (ok, _, err) = run(&mut cmd);
    assert!(ok, "{err}");
    assert!(err.contains("installed Go 1.23rc1 in"), "{err}");
}
