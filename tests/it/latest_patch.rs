//! `gv local --latest-patch` and `gv global --latest-patch`: a pin moves to the newest
//! patch of its minor line, installed first through the install pipeline, from a loopback
//! go.dev look-alike. The file changes only once the SDK is in the store; a pin gv cannot
//! read, a line with no release, a failed install or a go.mod leave every file as it was.

use crate::support;

use std::path::Path;

use support::mirror::{Fault, MirrorServer, Served, fake_sdk};
use support::{Sandbox, stderr, stdout};

/// A port nothing listens on: the official index cannot be reached.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";

/// The releases of the loopback index: the supported lines are 1.23 and 1.22 (1.24 has
/// only a release candidate).
const RELEASES: &[&str] = &[
    "1.21.12", "1.21.13", "1.22.3", "1.22.9", "1.22.10", "1.23.0", "1.23.9", "1.24rc1",
];

fn mirror() -> MirrorServer {
    MirrorServer::start(
        RELEASES
            .iter()
            .map(|v| Served::archive(v, fake_sdk(v)))
            .collect(),
    )
}

/// `gv ARGS` in `cwd`, with `server` as the mirror (never go.dev); success or not, with
/// stdout and stderr.
fn gv(sb: &Sandbox, server: &MirrorServer, cwd: &Path, args: &[&str]) -> (bool, String, String) {
    let out = sb
        .gv(cwd)
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .args(args)
        .output()
        .expect("run gv");
    (out.status.success(), stdout(&out), stderr(&out))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn installed(sb: &Sandbox, version: &str) -> bool {
    sb.root()
        .join("versions")
        .join(version)
        .join("bin/go")
        .is_file()
}

#[test]
fn a_local_pin_moves_to_the_newest_patch_and_then_stays() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let pin = sb.write("p/.go-version", "1.22.3\n");
    let sub = sb.work("p/cmd/tool");

    // From a subdirectory: the .go-version that decides there moves.
    let (ok, _, err) = gv(&sb, &server, &sub, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert_eq!(read(&pin), "1.22.10\n");
    assert!(installed(&sb, "1.22.10"));
    assert!(
        !installed(&sb, "1.22.3"),
        "only the newest patch is installed"
    );
    assert!(err.contains("installed Go 1.22.10 in "), "{err}");
    assert!(
        err.contains(&format!(
            "{}: 1.22.3 → 1.22.10, the newest Go 1.22 patch",
            pin.display()
        )),
        "{err}"
    );
    assert!(!err.contains("out of support"), "{err}");
    // The shims run it.
    sb.shim("go", &dir)
        .arg("version")
        .assert()
        .success()
        .stdout("go version go1.22.10 linux/amd64\n");

    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!(
            "{} already pins the newest Go 1.22 patch, 1.22.10",
            pin.display()
        )),
        "{err}"
    );
    assert_eq!(read(&pin), "1.22.10\n");

    // `1.22` selects the newest installed 1.22.x already: installed, left as written.
    std::fs::write(&pin, "1.22\n").unwrap();
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert!(
        err.contains("pins 1.22, which selects the newest installed Go 1.22.x: now 1.22.10"),
        "{err}"
    );
    assert_eq!(read(&pin), "1.22\n");
}

#[test]
fn the_global_default_moves_and_an_unsupported_line_is_named_with_the_way_out() {
    let server = mirror();
    let sb = Sandbox::new();
    let global = sb.root().join("version");
    std::fs::create_dir_all(sb.root()).unwrap();

    let (ok, _, err) = gv(&sb, &server, &sb.work(""), &["global", "--latest-patch"]);
    assert!(!ok);
    assert!(err.contains("no global default is set"), "{err}");

    std::fs::write(&global, "1.21.12\n").unwrap();
    let (ok, out, err) = gv(
        &sb,
        &server,
        &sb.work(""),
        &["global", "--latest-patch", "--json"],
    );
    assert!(ok, "{err}");
    assert_eq!(read(&global), "1.21.13\n");
    assert!(installed(&sb, "1.21.13"));
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["scope"], "global");
    assert_eq!(json["from"], "1.21.12");
    assert_eq!(json["to"], "1.21.13");
    assert_eq!(json["changed"], true);
    assert_eq!(json["outcome"], "moved");
    assert_eq!(json["line"], "1.21");
    assert_eq!(json["supported"], false);
    assert_eq!(json["supported_lines"], serde_json::json!(["1.23", "1.22"]));
    assert_eq!(json["index"]["url"], server.index_url());
    // GV_ROOT/current follows the global default.
    assert!(
        std::fs::canonicalize(sb.root().join("current"))
            .unwrap()
            .ends_with("versions/1.21.13")
    );

    // In words: the line is out of support, and the command to leave it.
    std::fs::write(&global, "1.21.12\n").unwrap();
    let (ok, _, err) = gv(&sb, &server, &sb.work(""), &["global", "--latest-patch"]);
    assert!(ok, "{err}");
    assert!(
        err.contains(
            "Go 1.21 is out of support: Go fixes only the two newest minor lines (1.23 and 1.22)"
        ),
        "{err}"
    );
    assert!(
        err.contains("hint: move to a supported line with `gv global 1.23`"),
        "{err}"
    );
}

#[test]
fn a_list_pin_moves_its_first_entry_only() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let pin = sb.write("p/.go-version", "# CI's pin\ngo-1.22.3:1.21.13\n");
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert_eq!(read(&pin), "# CI's pin\n1.22.10:1.21.13\n");
    assert!(
        err.contains(
            "1.22.3 → 1.22.10, the newest Go 1.22 patch (its first entry; the fallbacks after it stay: 1.21.13)"
        ),
        "{err}"
    );
}

#[test]
fn an_asdf_tool_versions_pin_moves_its_golang_line_only() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let text = "nodejs 20.1.0\ngolang 1.22.9 1.21.13 # CI\npython 3.12.0\n";
    let pin = sb.write("p/.tool-versions", text);
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert_eq!(
        read(&pin),
        "nodejs 20.1.0\ngolang 1.22.10 1.21.13 # CI\npython 3.12.0\n"
    );
    assert!(!dir.join(".go-version").exists());
    assert!(
        err.contains(&format!("{}: 1.22.9 → 1.22.10", pin.display())),
        "{err}"
    );
}

#[test]
fn offline_uses_the_cached_index_and_says_how_old_it_is() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let pin = sb.write("p/.go-version", "1.23.0\n");
    // Nothing cached yet: offline has no index to read.
    let (ok, _, err) = gv(
        &sb,
        &server,
        &dir,
        &["local", "--latest-patch", "--offline"],
    );
    assert!(!ok);
    assert!(err.contains("--offline"), "{err}");
    assert_eq!(read(&pin), "1.23.0\n");

    // An install caches the index and the download.
    let (ok, _, err) = gv(&sb, &server, &dir, &["install", "1.23.9"]);
    assert!(ok, "{err}");
    let (ok, _, err) = gv(&sb, &server, &dir, &["uninstall", "--yes", "1.23.9"]);
    assert!(ok, "{err}");
    let asked = server.requests().len();
    let (ok, _, err) = gv(
        &sb,
        &server,
        &dir,
        &["local", "--latest-patch", "--offline"],
    );
    assert!(ok, "{err}");
    assert!(
        err.contains("--offline: using the cached release index from ") && err.contains(" ago ("),
        "{err}"
    );
    assert!(err.contains("from the download cache"), "{err}");
    assert_eq!(read(&pin), "1.23.9\n");
    assert_eq!(server.requests().len(), asked, "offline asked the mirror");
}

#[test]
fn a_pin_gv_cannot_move_is_refused_and_left_as_it_is() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let pin = dir.join(".go-version");
    for (text, says) in [
        ("banana\n", "not a Go version"),
        (
            "banana:1.22.3\n",
            "an entry gv cannot read (line 1: `banana`",
        ),
        ("1.99.3\n", "has no stable Go 1.99 release"),
        ("1.24rc1\n", "has no stable Go 1.24 release"),
        ("latest\n", "`latest` is on no minor line"),
    ] {
        std::fs::write(&pin, text).unwrap();
        let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
        assert!(!ok, "{text:?}: {err}");
        assert!(err.contains(says), "{text:?}: {err}");
        assert_eq!(read(&pin), text);
    }
    assert!(
        !sb.root().join("versions").exists()
            || support::mirror::listing(&sb.root().join("versions")).is_empty()
    );
    // Readable, but not as text gv could write back (a comment that is not UTF-8):
    // refused before anything is installed.
    let bytes = b"1.22.3 # \xff\n";
    std::fs::write(&pin, bytes).unwrap();
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(!ok, "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    assert_eq!(std::fs::read(&pin).unwrap(), bytes);
    assert!(!installed(&sb, "1.22.10"));
    // A version and --latest-patch together: a usage error.
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "1.22", "--latest-patch"]);
    assert!(!ok);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn a_failed_install_leaves_the_pin_untouched() {
    let server = MirrorServer::start(vec![
        Served::archive("1.22.3", fake_sdk("1.22.3")),
        Served::archive("1.22.10", fake_sdk("1.22.10")).with_fault(Fault::WrongSha),
    ]);
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let pin = sb.write("p/.go-version", "1.22.3\n");
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(!ok, "{err}");
    assert!(err.contains("checksum"), "{err}");
    assert!(
        err.contains(&format!(
            "cannot install Go 1.22.10; {} is unchanged",
            pin.display()
        )),
        "{err}"
    );
    assert_eq!(read(&pin), "1.22.3\n");
    assert!(!installed(&sb, "1.22.10"));
}

#[test]
fn where_go_mod_decides_gv_says_what_to_change_and_edits_nothing() {
    let server = mirror();
    let sb = Sandbox::new();
    let dir = sb.work("m");
    let gomod = sb.write("m/go.mod", "module example.com/m\n\ngo 1.22.3\n");
    // The index is cached, so the advice names the newest patch.
    let (ok, _, err) = gv(&sb, &server, &dir, &["ls-remote"]);
    assert!(ok, "{err}");
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{} decides the Go version here with its `go 1.22.3` line; there is no pin file to move",
            gomod.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("run `go get 'toolchain@go1.22.10'` in it (Go writes `toolchain go1.22.10`)"),
        "{err}"
    );
    assert_eq!(read(&gomod), "module example.com/m\n\ngo 1.22.3\n");
    assert!(!dir.join(".go-version").exists());

    // Where nothing is pinned, nothing moves; where the global default decides, gv local
    // points at gv global.
    let plain = sb.work("plain");
    let (ok, _, err) = gv(&sb, &server, &plain, &["local", "--latest-patch"]);
    assert!(!ok);
    assert!(err.contains("no .go-version in "), "{err}");
    std::fs::create_dir_all(sb.root()).unwrap();
    std::fs::write(sb.root().join("version"), "1.22.3\n").unwrap();
    let (ok, _, err) = gv(&sb, &server, &plain, &["local", "--latest-patch"]);
    assert!(!ok);
    assert!(
        err.contains("the global default decides here")
            && err.contains("`gv global --latest-patch`"),
        "{err}"
    );
    assert_eq!(read(&sb.root().join("version")), "1.22.3\n");
}

/// A real SDK: a project pinned to an older 1.22 patch moves to the real 1.22.10 (already
/// in the store, so no download: the real install is install_real's), and the `go` its
/// shim runs says so.
#[cfg(feature = "real-tests")]
#[test]
fn a_pin_moves_to_a_real_sdk_that_the_shim_runs() {
    let server = mirror();
    let sb = Sandbox::new();
    sb.real_install(support::GO_A);
    let dir = sb.work("p");
    let pin = sb.write("p/.go-version", "1.22.3\n");
    let (ok, _, err) = gv(&sb, &server, &dir, &["local", "--latest-patch"]);
    assert!(ok, "{err}");
    assert_eq!(read(&pin), format!("{}\n", support::GO_A));
    assert_eq!(server.archive_requests(), 0, "nothing to download");
    sb.shim("go", &dir)
        .arg("version")
        .assert()
        .success()
        .stdout(format!("go version go{} linux/amd64\n", support::GO_A));
}
