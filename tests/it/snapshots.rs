//! Snapshots of what users read: `--help` of every command (walked from clap's command
//! tree, so a new command gets one), the main outputs, and errors that come with a hint,
//! each compared whole with a file under tests/snapshots/ — a changed line shows as a diff
//! instead of passing a `contains`. Fast fake SDKs only.
//!
//! After changing what gv prints, rewrite the snapshots and review the diff:
//!     SNAPSHOTS=overwrite cargo test --test it snapshots::
//! (snapbox's `SNAPSHOTS` variable; a missing snapshot file fails until written so.)
//! Paths of the test's sandbox show as `[SANDBOX]`.

use crate::support;

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use support::Sandbox;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// `actual` against tests/snapshots/`name`.txt, the sandbox's path redacted.
fn check(sb: &Sandbox, name: &str, actual: String) {
    let mut redactions = snapbox::Redactions::new();
    redactions
        .insert("[SANDBOX]", sb.path().to_path_buf())
        .expect("redaction");
    let path = snapshot_dir().join(format!("{name}.txt"));
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .redact_with(redactions)
        .eq(actual, snapbox::Data::read_from(&path, None));
}

/// What a run printed, as a user sees it: the exit code, then stdout and stderr.
fn shown(out: &std::process::Output) -> String {
    let mut text = format!("exit: {}\n", out.status.code().unwrap_or(-1));
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if !bytes.is_empty() {
            text.push_str(&format!("--- {name}\n{}", String::from_utf8_lossy(bytes)));
        }
    }
    text
}

/// Every visible command, as its words after `gv` (`[]` for gv itself).
fn commands(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut next = path.clone();
        next.push(sub.get_name().to_string());
        commands(sub, next, out);
    }
}

#[test]
fn help_of_every_command() {
    let sb = Sandbox::new();
    let mut all = Vec::new();
    commands(&gv::cli::Cli::command(), Vec::new(), &mut all);
    assert!(all.len() > 30, "only {} commands found", all.len());
    for words in &all {
        // A fixed width: clap wraps help to the terminal's.
        let out = sb
            .gv(sb.path())
            .args(words)
            .arg("--help")
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gv {} --help: {out:?}",
            words.join(" ")
        );
        let name = std::iter::once("gv")
            .chain(words.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        check(&sb, &format!("help/{name}"), support::stdout(&out));
    }
}

/// Two fake versions, the second the global default, a project `p` pinned to the first
/// with a trusted gv.toml, and a user config.toml.
fn world() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.fake_install("1.23.9");
    sb.rehash();
    let out = sb
        .gv(sb.path())
        .args(["global", "1.23.9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let config = sb.path().join("config/gv/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[env]\nGOINSTRUMENT = \"trace\"\n").unwrap();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        "[env]\nCGO_ENABLED = \"0\"\nGOFLAGS = \"-toolexec=./x\"\n",
    );
    sb.trust(&p);
    (sb, p)
}

#[test]
fn main_outputs() {
    let (sb, p) = world();
    let outside = sb.work("elsewhere");
    let runs: &[(&str, &Path, &[&str])] = &[
        ("list", &p, &["list"]),
        ("current", &p, &["current"]),
        ("current-global", &outside, &["current"]),
        ("which-go", &p, &["which", "go"]),
        ("env", &p, &["env"]),
        ("trust-show", &p, &["trust", "--show"]),
        ("local", &outside, &["local", "1.22"]),
    ];
    for (name, dir, args) in runs {
        let out = sb.gv(dir).args(*args).output().unwrap();
        check(&sb, &format!("outputs/{name}"), shown(&out));
    }
}

/// `gv check` and the marks of `gv current`/`gv list`/`gv doctor`, against the test
/// vulnerability database (a `file://` copy) and a release index where 1.24 is out.
#[test]
fn vulnerability_outputs() {
    use support::mirror::{MirrorServer, Served};
    let sb = Sandbox::new();
    for v in ["1.21.13", "1.22.10", "1.23.9"] {
        sb.fake_install(v);
    }
    let vulnerable = sb.work("vulnerable");
    sb.write("vulnerable/.go-version", "1.22.10\n");
    let fine = sb.work("fine");
    sb.write("fine/.go-version", "1.23.9\n");
    let db_dir = sb.work("vulndb");
    support::vulndb::VulnDb::fixture().write_to(&db_dir);
    let mirror = MirrorServer::start(
        ["1.24.2", "1.23.9", "1.22.10"]
            .iter()
            .map(|v| Served::archive(v, b"x".to_vec()))
            .collect(),
    );
    let runs: &[(&str, &Path, &[&str])] = &[
        ("check-fail", &vulnerable, &["check"]),
        ("check-ok", &fine, &["check"]),
        ("check-current", &vulnerable, &["current"]),
        ("check-list", &vulnerable, &["list"]),
    ];
    for (name, dir, args) in runs {
        let out = sb
            .gv(dir)
            .args(*args)
            .env("GOVULNDB", format!("file://{}", db_dir.display()))
            .env("GV_GO_MIRROR", mirror.url())
            .env("GV_GO_INDEX", mirror.index_url())
            .output()
            .unwrap();
        check(&sb, &format!("outputs/{name}"), shown(&out));
    }
}

/// Errors that come with a hint: what happened, then what to do.
#[test]
fn errors_with_hints() {
    let (sb, p) = world();
    let dir = |rel: &str, pin: &str| {
        let d = sb.work(rel);
        sb.write(&format!("{rel}/.go-version"), pin);
        d
    };
    let missing = dir("missing", "1.99.1\n");
    let garbage = dir("garbage", "not-a-version\n");
    let runs: &[(&str, &Path, &[&str])] = &[
        ("not-installed", &missing, &["current"]),
        ("bad-pin", &garbage, &["current"]),
        ("bad-version-arg", &p, &["local", "1.x.y.z"]),
        ("unknown-profile", &p, &["build", "--profile", "nope"]),
        ("trust-missing", &p, &["trust", "no/such/dir"]),
        ("uninstall-missing", &p, &["uninstall", "1.19.1"]),
    ];
    for (name, dir, args) in runs {
        let out = sb.gv(dir).args(*args).output().unwrap();
        assert!(!out.status.success(), "{name}: {out:?}");
        check(&sb, &format!("errors/{name}"), shown(&out));
    }
    // A trusted gv.toml gv cannot use: a value of the wrong type (`gv trust` refuses one
    // it sees), and a file that is not TOML.
    let trusting = Sandbox::trusting();
    trusting.fake_install("1.22.10");
    let bad_key = trusting.work("bad-key");
    trusting.write("bad-key/.go-version", "1.22.10\n");
    trusting.write("bad-key/gv.toml", "gotoolchain = \"sometimes\"\n");
    let out = trusting.gv(&bad_key).arg("env").output().unwrap();
    check(&trusting, "errors/bad-gotoolchain", shown(&out));
    let bad_toml = trusting.work("bad-toml");
    trusting.write("bad-toml/.go-version", "1.22.10\n");
    trusting.write("bad-toml/gv.toml", "[env]\nCGO_ENABLED = \n");
    let out = trusting.gv(&bad_toml).arg("env").output().unwrap();
    check(&trusting, "errors/bad-toml", shown(&out));
    // The shims' own: a version that is not installed, and a shim by a name that is not
    // one of Go's commands.
    let out = sb.shim("go", &missing).arg("version").output().unwrap();
    check(&sb, "errors/shim-not-installed", shown(&out));
    std::fs::hard_link(sb.root().join("shims/go"), sb.root().join("shims/ls")).unwrap();
    let out = sb.shim("ls", &p).output().unwrap();
    check(&sb, "errors/shim-not-a-go-command", shown(&out));
}

/// `gv local --latest-patch` and `gv global --latest-patch` as users read them: a move to a
/// line out of support (with the install's own lines), an already newest pin, and the
/// advice where go.mod decides. The loopback mirror's address shows as `[MIRROR]`.
#[test]
fn latest_patch_outputs() {
    use support::mirror::{MirrorServer, Served, fake_sdk};
    let server = MirrorServer::start(
        ["1.21.12", "1.21.13", "1.22.10", "1.23.9"]
            .iter()
            .map(|v| Served::archive(v, fake_sdk(v)))
            .collect(),
    );
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    std::fs::write(sb.root().join("version"), "1.21.12\n").unwrap();
    let newest = sb.work("newest");
    sb.write("newest/.go-version", "1.22.10\n");
    let module = sb.work("module");
    sb.write("module/go.mod", "module example.com/m\n\ngo 1.22.3\n");
    let runs: &[(&str, &Path, &[&str])] = &[
        (
            "outputs/global-latest-patch",
            sb.path(),
            &["global", "--latest-patch"],
        ),
        (
            "outputs/local-latest-patch-newest",
            &newest,
            &["local", "--latest-patch"],
        ),
        (
            "errors/local-latest-patch-go-mod",
            &module,
            &["local", "--latest-patch"],
        ),
    ];
    for (name, dir, args) in runs {
        let out = sb
            .gv(dir)
            .env("GV_GO_MIRROR", server.url())
            .env(
                "GV_GO_INDEX",
                "http://127.0.0.1:9/dl/?mode=json&include=all",
            )
            .args(*args)
            .output()
            .unwrap();
        let mut redactions = snapbox::Redactions::new();
        redactions
            .insert("[SANDBOX]", sb.path().to_path_buf())
            .expect("redaction");
        redactions
            .insert("[MIRROR]", server.url())
            .expect("redaction");
        snapbox::Assert::new()
            .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
            .redact_with(redactions)
            .eq(
                shown(&out),
                snapbox::Data::read_from(&snapshot_dir().join(format!("{name}.txt")), None),
            );
    }
}
