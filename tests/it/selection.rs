//! Black-box tests of version selection through the `gv` binary: every command of the
//! foundation and the whole precedence chain, with fast fake SDKs.

use crate::support;

use predicates::prelude::*;
use support::{Sandbox, stderr, stdout};

fn current(sb: &Sandbox, dir: &std::path::Path) -> String {
    let out = sb.gv(dir).arg("current").output().expect("run gv");
    assert!(out.status.success(), "gv current failed: {out:?}");
    stdout(&out).trim().to_string()
}

#[test]
fn precedence_chain_end_to_end() {
    let sb = Sandbox::new();
    for v in ["1.21.13", "1.22.3", "1.22.10", "1.23.9"] {
        sb.fake_install(v);
    }
    let deep = sb.work("proj/a/b/c");

    // 5. Nothing pinned, no system go on PATH.
    sb.gv(&deep)
        .arg("current")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no Go version is selected here"))
        .stderr(predicate::str::contains("gv install latest"));

    // 4. Global default.
    sb.gv(&deep)
        .args(["global", "1.21"])
        .assert()
        .success()
        .stderr(format!(
            "wrote 1.21 to {} (Go 1.21.13 today, the newest match)\n",
            sb.root().join("version").display()
        ));
    sb.gv(&deep)
        .arg("global")
        .assert()
        .success()
        .stdout("1.21 (1.21.13)\n");
    let global = sb.root().join("version");
    assert_eq!(
        current(&sb, &deep),
        format!("1.21.13 (global default, set by {})", global.display())
    );

    // 3. go.mod's go line is a minimum: the global default (1.21.13) is too old, and go
    // would fetch go1.22.0, which is not installed: the newest installed release
    // satisfying it.
    let gomod = sb.write("proj/go.mod", "module example.com/p\n\ngo 1.22 // min\n");
    assert_eq!(
        current(&sb, &deep),
        format!(
            "1.23.9 (newest installed version satisfying `go 1.22` in {}; go would fetch go1.22.0, which is not installed)",
            gomod.display()
        )
    );
    // GV_GOMOD=0 turns go.mod off.
    let out = sb
        .gv(&deep)
        .arg("current")
        .env("GV_GOMOD", "0")
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("1.21.13 (global default"),
        "{out:?}"
    );
    // A toolchain line pins exactly.
    std::fs::write(
        &gomod,
        "module example.com/p\ngo 1.22\ntoolchain go1.22.3\n",
    )
    .unwrap();
    assert_eq!(
        current(&sb, &deep),
        format!("1.22.3 (toolchain line of {})", gomod.display())
    );
    // A go.work nearer than go.mod decides; the toolchain go would fetch is installed.
    let gowork = sb.write("proj/a/go.work", "go 1.22.10\n");
    assert_eq!(
        current(&sb, &deep),
        format!("1.22.10 (`go 1.22.10` in {})", gowork.display())
    );
    std::fs::remove_file(&gowork).unwrap();

    // 2. A .go-version beside the go.mod, three directories up, beats it, and is used
    // verbatim as a spec.
    let pin = sb.write("proj/.go-version", "1.22\n");
    assert_eq!(
        current(&sb, &deep),
        format!("1.22.10 (set by {})", pin.display())
    );
    // .tool-versions nearer than .go-version wins: nearest pin file wins.
    let tv = sb.write("proj/a/.tool-versions", "nodejs 20.0.0\ngolang 1.22.3\n");
    assert_eq!(
        current(&sb, &deep),
        format!("1.22.3 (set by {})", tv.display())
    );
    // ... but within one directory .go-version wins over .tool-versions.
    let pin_a = sb.write("proj/a/.go-version", "1.21.13\n");
    assert_eq!(
        current(&sb, &deep),
        format!("1.21.13 (set by {})", pin_a.display())
    );
    std::fs::remove_file(&pin_a).unwrap();
    std::fs::remove_file(&tv).unwrap();

    // 1. GV_VERSION overrides every file.
    let out = sb
        .gv(&deep)
        .arg("current")
        .env("GV_VERSION", "1.23")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        "1.23.9 (set by the GV_VERSION environment variable)"
    );
}

#[test]
fn pin_older_than_go_mod_warns_with_both_paths() {
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    let pin = sb.write("p/m/.go-version", "1.21.13\n");
    let gomod = sb.write("p/m/go.mod", "module m\ngo 1.22.1\n");
    let dir = gomod.parent().unwrap().to_path_buf();
    sb.gv(&dir)
        .arg("current")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("1.21.13"))
        .stderr(predicate::str::contains("warning"))
        .stderr(predicate::str::contains(pin.display().to_string()))
        .stderr(predicate::str::contains(gomod.display().to_string()))
        .stderr(predicate::str::contains("go1.22.1"));
}

#[test]
fn not_installed_error_names_version_origin_and_command() {
    let sb = Sandbox::new();
    let pin = sb.write("p/.go-version", "1.24.2\n");
    sb.gv(pin.parent().unwrap())
        .arg("current")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Go 1.24.2 is not installed"))
        .stderr(predicate::str::contains(pin.display().to_string()))
        .stderr(predicate::str::contains("gv install 1.24.2"));
}

#[test]
fn fallback_lines_and_ignored_entries() {
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    let pin = sb.write(
        "p/.go-version",
        "\u{feff}# pinned\r\n../../../etc\r\n1.25.0\r\ngo1.21.13\r\n",
    );
    let dir = pin.parent().unwrap();
    sb.gv(dir)
        .arg("current")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("1.21.13 (set by"))
        .stderr(predicate::str::contains("ignored `../../../etc`"));
}

#[test]
fn garbage_version_files_give_clear_errors() {
    let sb = Sandbox::new();
    let dir = sb.work("g");
    let cases: [(&str, Vec<u8>); 2] = [
        (
            "binary junk",
            (0u8..=255).rev().cycle().take(10_000).collect(),
        ),
        ("10 MB", vec![b'9'; 10 * 1024 * 1024]),
    ];
    for (what, bytes) in cases {
        std::fs::write(dir.join(".go-version"), bytes).unwrap();
        sb.gv(&dir)
            .arg("current")
            .assert()
            .code(1)
            .stderr(predicate::str::contains("names no Go version"))
            .stderr(predicate::str::contains(".go-version"))
            .stderr(predicate::str::contains("panicked").not())
            .stderr(predicate::function(|e: &str| e.len() < 2000).name(what));
    }
    std::fs::write(dir.join(".go-version"), "1.22\n").unwrap();
    std::fs::write(dir.join("go.mod"), vec![0xffu8; 4096]).unwrap();
    sb.gv(&dir)
        .arg("current")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Go 1.22 is not installed"));
}

/// GV_VERSION (what `gv shell` sets) overrides every pin, broken ones included.
#[test]
fn gv_version_overrides_a_garbage_version_file_up_the_tree() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.write("g/.go-version", "not a version\n\u{0}\u{7f}#?!\n");
    let deep = sb.work("g/a/b");
    sb.gv(&deep)
        .arg("current")
        .env("GV_VERSION", "1.22.10")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "1.22.10 (set by the GV_VERSION",
        ))
        .stderr("");
    sb.gv(&deep)
        .arg("current")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("names no Go version"));
}

#[test]
fn invalid_gv_version_is_explained() {
    let sb = Sandbox::new();
    sb.gv(&sb.work("x"))
        .arg("current")
        .env("GV_VERSION", "one.two")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "GV_VERSION=\"one.two\" is not valid",
        ));
}

#[test]
fn local_writes_reads_and_unsets() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    sb.gv(&dir)
        .args(["local", "go1.22.10"])
        .assert()
        .success()
        .stderr(format!(
            "wrote 1.22.10 to {}\n",
            dir.join(".go-version").display()
        ));
    assert_eq!(
        std::fs::read_to_string(dir.join(".go-version")).unwrap(),
        "1.22.10\n"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join(".go-version"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o044, 0o044, "readable by other users: {mode:o}");
    // Reads the nearest pin from below.
    let sub = sb.work("p/sub");
    sb.gv(&sub)
        .arg("local")
        .assert()
        .success()
        .stdout("1.22.10\n")
        .stderr(predicate::str::contains(
            dir.join(".go-version").display().to_string(),
        ));
    // Not installed yet, and no cached release index to check it against: written, with
    // warnings.
    sb.gv(&dir)
        .args(["local", "1.23"])
        .assert()
        .success()
        .stderr(predicate::str::contains("cannot check that Go 1.23 exists"))
        .stderr(predicate::str::contains("Go 1.23 is not installed yet"))
        .stderr(predicate::str::contains("gv install 1.23"));
    // Invalid: usage error, file untouched.
    sb.gv(&dir)
        .args(["local", "1.22.x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a version spec"));
    assert_eq!(
        std::fs::read_to_string(dir.join(".go-version")).unwrap(),
        "1.23\n"
    );
    sb.gv(&dir).args(["local", "--unset"]).assert().success();
    assert!(!dir.join(".go-version").exists());
    sb.gv(&dir)
        .arg("local")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no .go-version"));
}

#[test]
fn global_unset_and_missing() {
    let sb = Sandbox::new();
    let dir = sb.work("x");
    sb.gv(&dir)
        .arg("global")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no global default is set"));
    // Nothing to resolve `latest` against: refused, nothing written; --force writes it.
    sb.gv(&dir)
        .args(["global", "latest"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot tell which version `latest` stands for",
        ));
    assert!(!sb.root().join("version").exists());
    sb.gv(&dir)
        .args(["global", "latest", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Go latest is not installed yet; run `gv install latest`",
        ));
    sb.gv(&dir)
        .arg("global")
        .assert()
        .stdout("latest (not installed)\n");
    // What a range stands for changes as versions come: shown at each look.
    sb.fake_install("1.22.10");
    sb.gv(&dir)
        .arg("global")
        .assert()
        .stdout("latest (1.22.10)\n");
    sb.fake_install("1.23.9");
    sb.gv(&dir)
        .arg("global")
        .assert()
        .stdout("latest (1.23.9)\n");
    // Written as the version it stands for today.
    sb.gv(&dir)
        .args(["global", "latest"])
        .assert()
        .success()
        .stderr(format!(
            "wrote 1.23.9 (latest today) to {}\n",
            sb.root().join("version").display()
        ));
    sb.gv(&dir).arg("global").assert().stdout("1.23.9\n");
    sb.gv(&dir).args(["global", "--unset"]).assert().success();
    assert!(!sb.root().join("version").exists());
}

#[test]
fn list_which_prefix_and_json() {
    let sb = Sandbox::new();
    let goroot = sb.fake_install("1.22.10");
    sb.fake_install("1.21.13");
    sb.fake_install("1.22rc1");
    let dir = sb.work("p");
    sb.gv(&dir).args(["local", "1.22.10"]).assert().success();

    let out = sb.gv(&dir).arg("list").output().unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "  1.21.13");
    assert_eq!(lines[1], "  1.22rc1");
    assert!(lines[2].starts_with("* 1.22.10 (set by "), "{text}");

    let out = sb.gv(&dir).args(["list", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[2]["version"], "1.22.10");
    assert_eq!(json[2]["active"], true);
    assert_eq!(json[2]["origin"]["kind"], "go-version");
    assert_eq!(json[0]["active"], false);

    let out = sb.gv(&dir).args(["current", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "1.22.10");
    assert_eq!(json["goroot"], goroot.display().to_string());
    assert_eq!(json["requested"][0], "1.22.10");
    assert_eq!(
        json["origin"]["path"],
        dir.join(".go-version").display().to_string()
    );

    sb.gv(&dir)
        .arg("which")
        .assert()
        .success()
        .stdout(format!("{}\n", goroot.join("bin/go").display()));
    sb.gv(&dir)
        .args(["which", "gofmt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no `gofmt`"));
    sb.gv(&dir)
        .arg("prefix")
        .assert()
        .success()
        .stdout(format!("{}\n", goroot.display()));
    // `version` is an alias of `current`.
    sb.gv(&dir)
        .arg("version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("1.22.10"));
}

#[test]
fn system_go_is_found_outside_gvs_directories() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let bin = sb.work("sysgo/bin");
    std::fs::create_dir_all(sb.work("sysgo/src")).unwrap();
    let go = bin.join("go");
    std::fs::write(&go, "#!/bin/sh\necho system\n").unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A shim-like `go` inside GV_ROOT earlier on PATH must be skipped.
    let shims = sb.root().join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    std::fs::copy(&go, shims.join("go")).unwrap();
    let path = format!("{}:{}:/usr/bin:/bin", shims.display(), bin.display());
    let dir = sb.work("p");
    sb.gv(&dir)
        .arg("current")
        .env("PATH", &path)
        .assert()
        .success()
        .stdout("system (no version pinned; using the system go)\n");
    sb.gv(&dir)
        .arg("which")
        .env("PATH", &path)
        .assert()
        .stdout(format!("{}\n", go.display()));
    sb.gv(&dir)
        .arg("prefix")
        .env("PATH", &path)
        .assert()
        .stdout(format!("{}\n", sb.work("sysgo").display()));
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    let sb = Sandbox::new();
    let dir = sb.work("x");
    sb.gv(&dir).arg("no-such-command").assert().code(2);
    for cmd in ["local", "global", "current", "list", "which", "prefix"] {
        sb.gv(&dir)
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}

#[cfg(feature = "real-tests")]
#[test]
fn real_sdks_selected_per_directory() {
    let sb = Sandbox::new();
    sb.real_install(support::GO_A);
    sb.real_install(support::GO_B);
    let a = sb.work("a");
    let b = sb.work("b");
    sb.gv(&a).args(["local", "1.22"]).assert().success();
    sb.write("b/go.mod", "module b\n\ngo 1.23\n");
    for (dir, want) in [(&a, support::GO_A), (&b, support::GO_B)] {
        let out = sb.gv(dir).arg("which").output().unwrap();
        let go = stdout(&out).trim().to_string();
        let version = std::process::Command::new(&go)
            .arg("version")
            .output()
            .expect("run the selected real go");
        assert!(
            stdout(&version).starts_with(&format!("go version go{want} linux/amd64")),
            "{go}: {version:?}"
        );
    }
}

/// A reader that stops early (`gv completions zsh | head -c1`) is not gv's error: gv exits
/// 0 and says nothing, as ripgrep does, instead of panicking ("failed printing to stdout").
#[test]
fn a_closed_stdout_exits_quietly_with_0() {
    let sb = Sandbox::new();
    for args in [
        &["completions", "zsh"][..],
        &["init", "bash"],
        &["--help"],
        &["install", "--help"],
    ] {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gv"));
        cmd.args(args)
            .current_dir(sb.path())
            .env_clear()
            .envs(sb.env())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // Close the read end before gv writes: every write then fails with EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// `--version V` is a version spec, checked by the argument parser: a usage error (exit 2)
/// about the flag, not a complaint about GV_VERSION from deep inside selection.
#[test]
fn version_flags_are_parsed_as_version_specs() {
    let sb = Sandbox::new();
    for args in [
        &["tools", "reinstall", "--version", "garbage"][..],
        &["tools", "install", "--version", "garbage", "dlv"],
    ] {
        let out = sb.gv(sb.path()).args(args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("--version") && err.contains("garbage"),
            "{err}"
        );
        assert!(!err.contains("GV_VERSION"), "{err}");
    }
}

/// An empty, blank or comment-only `.go-version` (or global file) is passed over, as
/// goenv passes it over: the next thing in line decides, and the shim says so once.
#[test]
fn a_pin_file_naming_nothing_is_passed_over_with_one_note() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.fake_install("1.23.9");
    sb.rehash();
    std::fs::write(sb.root().join("version"), "1.22.10\n").unwrap();
    let dir = sb.work("p");
    for text in ["", "\n \n", "# pinned soon\n"] {
        let pin = sb.write("p/.go-version", text);
        sb.gv(&dir)
            .arg("current")
            .assert()
            .success()
            .stdout(predicate::str::starts_with("1.22.10 (global default"))
            .stderr(predicate::str::contains(format!(
                "{} names no Go version (it is empty or only comments)",
                pin.display()
            )));
    }
    let note = "names no Go version";
    let first = sb.shim("go", &dir).output().unwrap();
    assert_eq!(stdout(&first), "go version go1.22.10 linux/amd64\n");
    assert_eq!(
        stderr(&first).matches(note).count(),
        1,
        "{}",
        stderr(&first)
    );
    let again = sb.shim("go", &dir).output().unwrap();
    assert!(again.status.success());
    assert_eq!(stderr(&again), "", "said once");

    // A blank global file is no global default either.
    std::fs::write(sb.root().join("version"), "\n").unwrap();
    sb.write("p/.go-version", "1.23.9\n");
    sb.gv(&dir).arg("current").assert().success();
    std::fs::remove_file(dir.join(".go-version")).unwrap();
    sb.gv(&dir)
        .arg("current")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no Go version is selected here"));
    sb.gv(&dir)
        .arg("global")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no global default is set"));
}

/// GOTOOLCHAIN is outside text like any other: a toolchain name with a suffix full of
/// terminal escapes still selects its version, and what gv prints about it is escaped;
/// garbage is refused, naming it harmlessly.
#[test]
fn a_hostile_gotoolchain_is_followed_and_printed_escaped() {
    let sb = Sandbox::new();
    sb.fake_install("1.21.13");
    sb.fake_install("1.22.10");
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    let hostile = "go1.22.10-\u{1b}[2J\u{9b}1Aevil";
    let out = sb
        .gv(&dir)
        .arg("current")
        .env("GOTOOLCHAIN", hostile)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("1.22.10 (GOTOOLCHAIN=go1.22.10-"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{9b}'),
        "{text:?}"
    );
    let out = sb
        .gv(&dir)
        .arg("current")
        .env("GOTOOLCHAIN", "\u{1b}]0;pwned\u{7}")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("is not valid"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}
