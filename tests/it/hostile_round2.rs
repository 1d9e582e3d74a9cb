//! The second round of holes (issue 20), tried as an attacker would: a repository or an
//! SDK archive plants a payload that would leave a marker file if it ran, and each test
//! shows it never appears — while the legitimate part keeps working.
//!
//! - shims exist only for Go's own commands (`go`, `gofmt`), whatever an SDK's `bin/`
//!   holds;
//! - bash completion quotes what it inserts;
//! - every command gv suggests is quoted for the user's shell;
//! - `gv import` obeys only the user's own settings, and checks what it adopts against the
//!   checksum database;
//! - a project's `[env]` holds only variables the go command reads;
//! - pin and config files are judged by their link and by what was opened;
//! - the shim and the hook never ask the C library's name service (a static binary
//!   crashes in it);
//! - outside text is shown escaped, and a `system` go gets gv's GOTOOLCHAIN policy too.

use crate::hostile::{Marker, in_shell};
use crate::support;

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use support::{Sandbox, stderr, stdout};

/// `chown -h uid path` (the link itself when `path` is one); the tests run as root, as CI.
fn chown(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .arg("-h")
        .arg(uid.to_string())
        .arg(path)
        .status()
        .expect("chown");
    assert!(
        status.success() && std::fs::symlink_metadata(path).unwrap().uid() == uid,
        "this test plants a file owned by another user, which needs root (CI runs as root)"
    );
}

/// A uid the user database does not know (as in a tree unpacked by root, or a directory
/// bind-mounted into a container).
const UNKNOWN_UID: u32 = 54321;

fn assert_unknown_uid() {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    assert!(
        !passwd
            .lines()
            .any(|l| l.split(':').nth(2) == Some(&UNKNOWN_UID.to_string())),
        "uid {UNKNOWN_UID} must have no passwd entry for this test"
    );
}

// -------------------------------------------------------------------------------------
// Hole 9: the static shim and the hook under a file of an unknown uid.
// -------------------------------------------------------------------------------------

#[test]
fn a_file_of_a_uid_without_a_passwd_entry_crashes_neither_shim_nor_hook() {
    assert_unknown_uid();
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let shim = support::shim_binary();
    sb.gv(sb.path())
        .arg("rehash")
        .env("GV_SHIM_BINARY", shim)
        .assert()
        .success();
    let above = sb.write(".go-version", "1.23.9\n");
    chown(&above, UNKNOWN_UID);
    let p = sb.work("p");
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.22.10\n");

    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert_eq!(
        out.status.signal(),
        None,
        "the shim died of a signal: {out:?}"
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "go version go1.22.10 linux/amd64\n");
    let notice = format!(
        "{} is ignored: it belongs to uid {UNKNOWN_UID}, not to you",
        above.display()
    );
    assert!(stderr(&out).contains(&notice), "{}", stderr(&out));

    let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
    let hook = Command::new(shim)
        .args(["hook-env", "--shell", "bash"])
        .current_dir(&p)
        .env_clear()
        .envs(sb.env())
        .output()
        .unwrap();
    assert_eq!(
        hook.status.signal(),
        None,
        "the hook died of a signal: {hook:?}"
    );
    assert!(hook.status.success(), "{hook:?}");
    // The hook leaves go to the shims (issue 21): what it still sets is GOBIN.
    assert!(stdout(&hook).contains("__gv_set 'GOBIN'"), "{hook:?}");
    assert!(stderr(&hook).contains(&notice), "{}", stderr(&hook));
}

// -------------------------------------------------------------------------------------
// Outside text: newlines and bidi characters are shown escaped.
// -------------------------------------------------------------------------------------

/// No line of `text` is one the attacker wrote, and no bidi control reaches the terminal.
fn assert_no_fake_line(text: &str, context: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("[ok] everything is fine"),
            "{context}: a directory name printed a line of its own:\n{text}"
        );
    }
    for c in ['\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}'] {
        assert!(
            !text.contains(c),
            "{context}: U+{:04X} reached the terminal:\n{text}",
            u32::from(c)
        );
    }
}

#[test]
fn newlines_and_bidi_characters_in_names_and_values_are_shown_escaped() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.rehash();
    let name = "x\n[ok] everything is fine\u{202e}txt.\u{2066}a\u{2069}";
    let p = sb.work(name);
    sb.write(&format!("{name}/.go-version"), "1.22.10\n");
    sb.write(
        &format!("{name}/gv.toml"),
        "[env]\nGODEBUG = \"panic\u{202e}nil=1\\n[ok] everything is fine\"\nLD_PRELOAD = \"e.so\"\n\"GO\u{200f}X\" = \"1\"\n",
    );
    let shim = sb.shim("go", &p).arg("version").output().unwrap();
    assert!(shim.status.success(), "{shim:?}");
    assert!(
        stderr(&shim).contains("is not trusted"),
        "{}",
        stderr(&shim)
    );
    assert!(
        stderr(&shim).contains("x\\u{a}[ok] everything is fine\\u{202e}txt"),
        "the name is shown, escaped: {}",
        stderr(&shim)
    );
    assert_no_fake_line(&stderr(&shim), "shim warning");

    let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
    let hook = Command::new(support::shim_binary())
        .args(["hook-env", "--shell", "bash"])
        .current_dir(&p)
        .env_clear()
        .envs(sb.env())
        .output()
        .unwrap();
    assert!(stderr(&hook).contains("is not trusted"), "{hook:?}");
    assert_no_fake_line(&stderr(&hook), "hook warning");

    for args in [
        &["trust", "--show"][..],
        &["doctor"],
        &["current"],
        &["env"],
    ] {
        let out = sb.gv(&p).args(args).output().unwrap();
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("\\u{202e}"), "gv {args:?} names it: {all}");
        assert_no_fake_line(&all, &format!("gv {args:?}"));
    }
    // Once trusted, the value itself is shown escaped too.
    sb.trust(&p);
    let out = sb.gv(&p).args(["trust", "--show"]).output().unwrap();
    assert!(
        stdout(&out).contains("panic\\u{202e}nil=1"),
        "{}",
        stdout(&out)
    );
    assert_no_fake_line(&stdout(&out), "gv trust --show, trusted");
    let out = sb.gv(&p).args(["env"]).output().unwrap();
    assert_no_fake_line(&format!("{}{}", stdout(&out), stderr(&out)), "gv env");
}

// -------------------------------------------------------------------------------------
// Hole 4: the commands gv suggests are quoted for the shell they are pasted into.
// -------------------------------------------------------------------------------------

/// Every "review it with `gv trust --show …`, then `gv trust …`" command in `text` (a name
/// may hold backticks itself, so the end is found by what follows).
fn review_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("with `gv trust --show ") {
        let from = &rest[start + "with `".len()..];
        let Some(end) = from.find("`, then `gv trust ") else {
            break;
        };
        out.push(from[..end].to_string());
        rest = &from[end..];
    }
    out
}

fn gv_dir_on_path() -> String {
    format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        assert_cmd::cargo::cargo_bin("gv")
            .parent()
            .unwrap()
            .display()
    )
}

/// Runs `line` as a user pasting it into `shell` would, in `cwd`.
fn paste(sb: &Sandbox, shell: &str, cwd: &Path, line: &str) -> std::process::Output {
    let mut cmd = Command::new(shell);
    match shell {
        "fish" => cmd.arg("--no-config"),
        "zsh" => cmd.arg("-f"),
        _ => &mut cmd,
    };
    cmd.arg("-c")
        .arg(line)
        .current_dir(cwd)
        .env_clear()
        .envs(sb.env())
        .env("PATH", gv_dir_on_path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {shell} ({e}): install it (scripts/provision-test-tools does)")
        })
}

#[test]
fn pasting_a_hint_gv_printed_runs_nothing() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let shims = sb.rehash();
    let names = [
        "tools$(touch PWNED)",
        "it's `touch PWNED` \\' $(touch PWNED) \u{2019};touch PWNED;\u{2018}",
    ];
    for name in names {
        let p = sb.work(name);
        sb.write(&format!("{name}/.go-version"), "1.22.10\n");
        sb.write(&format!("{name}/gv.toml"), "[env]\nGOFLAGS = \"-x\"\n");
        let marker = sb.path().join("PWNED");
        // Where the hints come from: the shim started by gv's tests (no shell: POSIX
        // quoting), the shim started by each shell, `gv doctor`, `gv trust --show`.
        let mut hints: Vec<(String, String)> = Vec::new();
        let forget = || {
            let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
        };
        forget();
        let out = sb.shim("go", &p).arg("version").output().unwrap();
        hints.push(("shim".into(), stderr(&out)));
        for shell in ["bash", "zsh", "fish"] {
            forget();
            let out = Command::new(shell)
                .arg("-c")
                .arg("go version; true")
                .current_dir(&p)
                .env_clear()
                .envs(sb.env())
                .env("PATH", format!("{}:{}", shims.display(), gv_dir_on_path()))
                .output()
                .unwrap();
            hints.push((format!("shim run by {shell}"), stderr(&out)));
        }
        for args in [&["doctor"][..], &["trust", "--show"]] {
            let out = sb.gv(&p).args(args).output().unwrap();
            hints.push((format!("gv {args:?}"), stdout(&out)));
        }
        let mut pasted = 0;
        for (from, text) in &hints {
            let commands = review_commands(text);
            assert!(
                from.contains("trust") || !commands.is_empty(),
                "{from}: a hint to review the file: {text}"
            );
            for command in &commands {
                for shell in ["sh", "bash", "zsh", "fish"] {
                    let out = paste(&sb, shell, sb.path(), command);
                    assert!(
                        !marker.exists(),
                        "pasting {command:?} from {from} into {shell} ran the payload"
                    );
                    assert!(
                        out.status.success() && stdout(&out).contains("not trusted: ignored"),
                        "pasting {command:?} from {from} into {shell} reviews the file: {out:?}"
                    );
                    pasted += 1;
                }
            }
            // `gv trust --show` also says how to trust it.
            if from.contains("trust") {
                let line = text
                    .lines()
                    .find_map(|l| l.strip_prefix("to trust it: "))
                    .expect("a line saying how to trust it");
                let out = paste(&sb, "bash", sb.path(), line);
                assert!(!marker.exists(), "pasting {line:?} ran the payload");
                assert!(out.status.success(), "{out:?}");
                let out = sb.gv(&p).args(["trust", "--show"]).output().unwrap();
                assert!(
                    stdout(&out).contains("trusted with `gv trust`"),
                    "the pasted command trusted the file: {}",
                    stdout(&out)
                );
                sb.gv(&p).arg("untrust").assert().success();
            }
        }
        assert!(pasted >= 20, "{pasted} pastes");
    }
}

// -------------------------------------------------------------------------------------
// Hole 8: a link another user owns counts as that user's file, wherever it points.
// -------------------------------------------------------------------------------------

/// A fake SDK whose `go` does what `go build` does with GOFLAGS=-toolexec=PROGRAM (runs
/// the program), and prints its version.
fn toolexec_running_sdk(sb: &Sandbox, version: &str) {
    use std::os::unix::fs::PermissionsExt;
    let go = sb.fake_install(version).join("bin/go");
    std::fs::write(
        &go,
        format!(
            "#!/bin/sh\ncase \"$GOFLAGS\" in -toolexec=*) \"${{GOFLAGS#-toolexec=}}\" ;; esac\n\
             echo \"go version go{version} linux/amd64\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn links_another_user_planted_are_ignored_wherever_they_point() {
    let sb = Sandbox::new();
    toolexec_running_sdk(&sb, "1.22.10");
    toolexec_running_sdk(&sb, "1.23.9");
    sb.rehash();
    let marker = Marker::new(&sb, "foreign-link");
    let payload = marker.payload(&sb.path().join("payload.sh"));
    // Root's files (the tests run as root, as a system file would be), and another user's
    // links to them in a shared directory like /tmp.
    let system = sb.work("system");
    std::fs::write(system.join("VERSION"), "1.23.9\n").unwrap();
    std::fs::write(
        system.join("gv.toml"),
        format!("[env]\nGOFLAGS = \"-toolexec={}\"\n", payload.display()),
    )
    .unwrap();
    let shared = sb.work("shared");
    // The links sit beside the project's go.mod, where a .go-version outranks it (the
    // nearest directory decides, and in one directory the pin file comes first).
    let p = sb.work("shared/proj");
    sb.write(
        "shared/proj/go.mod",
        "module example.com/proj\n\ngo 1.22\n\ntoolchain go1.22.10\n",
    );
    let links = [
        (p.join(".go-version"), system.join("VERSION")),
        (p.join("gv.toml"), system.join("gv.toml")),
    ];
    for (link, target) in &links {
        std::os::unix::fs::symlink(target, link).unwrap();
        chown(link, 12345);
        assert_eq!(std::fs::metadata(target).unwrap().uid(), 0);
    }
    // Even a directory the user trusts wholesale does not make another user's link theirs.
    let trusted = [("GV_TRUSTED_PATHS", OsString::from(shared.as_os_str()))];

    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(trusted.clone())
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "go version go1.22.10 linux/amd64\n",
        "go.mod decides, not the link: {out:?}"
    );
    marker.assert_absent("shim");
    for (link, _) in &links {
        assert!(
            stderr(&out).contains(&format!(
                "{} is ignored: it belongs to uid 12345",
                link.display()
            )),
            "{}",
            stderr(&out)
        );
    }
    for shell in ["bash", "zsh", "fish"] {
        let out = in_shell(&sb, shell, &shared, "cd proj\ngo version", &trusted);
        assert!(
            stdout(&out).contains("go version go1.22.10 linux/amd64"),
            "{shell}: {out:?}"
        );
        marker.assert_absent(shell);
    }
    let out = sb
        .gv(&p)
        .args(["current"])
        .envs(trusted.clone())
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("1.22.10 "), "{out:?}");

    // The same links owned by the user (or root) are obeyed: the fixture works.
    for (link, _) in &links {
        chown(link, 0);
    }
    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(trusted)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "go version go1.23.9 linux/amd64\n", "{out:?}");
    assert!(marker.planted(), "the payload is live once obeyed");
}

// -------------------------------------------------------------------------------------
// Hole 6: a project may set only what the go command reads.
// -------------------------------------------------------------------------------------

#[test]
fn a_trusted_project_cannot_set_variables_go_does_not_read() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.rehash();
    let marker = Marker::new(&sb, "google-auth");
    let p = sb.work("p");
    let creds = marker.payload(&p.join("creds.sh"));
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        &format!(
            "[env]\nGODEBUG = \"panicnil=1\"\nGOOGLE_APPLICATION_CREDENTIALS = \"{}\"\nGOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = \"1\"\nGOENV_ROOT = \"{}\"\nGOEXE = \".bat\"\n",
            creds.display(),
            p.display()
        ),
    );
    sb.trust(&p);
    // What a Google-auth client does with these two (an "executable-sourced credential").
    let client = "[ \"$GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES\" = 1 ] && sh \"$GOOGLE_APPLICATION_CREDENTIALS\"; echo \"GODEBUG=$GODEBUG\"";
    for shell in ["bash", "zsh", "fish"] {
        let script = format!("cd work/p\nsh -c '{}'", client.replace('\'', "'\\''"));
        let script = if shell == "fish" {
            format!(
                "cd work/p\nsh -c \"{}\"",
                client
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('$', "\\$")
            )
        } else {
            script
        };
        let out = in_shell(&sb, shell, sb.path(), &script, &[]);
        marker.assert_absent(shell);
        assert!(
            stdout(&out).contains("GODEBUG=panicnil=1"),
            "{shell}: the project's own variable applies: {out:?}"
        );
        for name in [
            "GOOGLE_APPLICATION_CREDENTIALS",
            "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
            "GOENV_ROOT",
        ] {
            assert!(
                stderr(&out).contains(&format!(
                    "[env] {name} ignored: not a variable the go command reads"
                )),
                "{shell}: the warning names {name}: {}",
                stderr(&out)
            );
        }
    }
    let show = sb.gv(&p).args(["trust", "--show"]).output().unwrap();
    let text = stdout(&show);
    let ignored = text
        .split("ignored even when trusted:")
        .nth(1)
        .unwrap_or_default();
    for name in [
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
        "GOENV_ROOT",
        "GOEXE",
    ] {
        assert!(ignored.contains(name), "{name}: {text}");
    }
    // The same variables from the user's own config.toml are the user's business.
    sb.user_config("[env]\nGOOGLE_CLOUD_PROJECT = \"mine\"\n");
    let out = sb.gv(&p).args(["env", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = json["vars"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(names.contains(&"GOOGLE_CLOUD_PROJECT"), "{names:?}");
    assert!(
        !names.contains(&"GOOGLE_APPLICATION_CREDENTIALS"),
        "{names:?}"
    );
}

// -------------------------------------------------------------------------------------
// Hole 1: shims only for Go's own commands.
// -------------------------------------------------------------------------------------

/// What an SDK archive ships besides go and gofmt: programs named like the system's.
const IMPOSTORS: [&str; 4] = ["ls", "sudo", "git", "gv"];

/// An SDK tree (relative paths under `go/`) whose bin/ holds `IMPOSTORS`, each planting
/// `marker` and exiting 0.
fn sdk_with_impostors(version: &str, marker: &Marker) -> Vec<(String, u32, Vec<u8>)> {
    let payload = format!("#!/bin/sh\ntouch '{}'\n", marker.0.display());
    let mut files = vec![
        (
            "bin/go".to_string(),
            0o755,
            format!("#!/bin/sh\necho \"go version go{version} linux/amd64\"\n").into_bytes(),
        ),
        ("bin/gofmt".to_string(), 0o755, b"#!/bin/sh\n".to_vec()),
        (
            "VERSION".to_string(),
            0o644,
            format!("go{version}\ntime 2024-11-27T20:27:20Z\n").into_bytes(),
        ),
    ];
    for name in IMPOSTORS {
        files.push((format!("bin/{name}"), 0o755, payload.clone().into_bytes()));
    }
    files
}

fn impostor_archive(version: &str, marker: &Marker) -> Vec<u8> {
    use support::mirror::{Entry, tar_gz};
    let mut entries = vec![Entry::dir("go/"), Entry::dir("go/bin/")];
    for (name, mode, data) in sdk_with_impostors(version, marker) {
        entries.push(Entry::file(&format!("go/{name}"), mode, data));
    }
    tar_gz(&entries)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn an_sdk_shipping_system_commands_gets_no_shims_and_runs_nothing() {
    use std::os::unix::fs::PermissionsExt;
    use support::mirror::{MirrorServer, Served};
    let sb = Sandbox::new();
    let marker = Marker::new(&sb, "impostor");
    let dead_index = ("GV_GO_INDEX", "http://127.0.0.1:9/dl/?mode=json");

    // 1. `--from-file` with a sidecar beside it.
    let dl = sb.work("dl");
    let archive = dl.join("go1.99.1.linux-amd64.tar.gz");
    let bytes = impostor_archive("1.99.1", &marker);
    std::fs::write(&archive, &bytes).unwrap();
    std::fs::write(
        dl.join("go1.99.1.linux-amd64.tar.gz.sha256"),
        format!(
            "{}  go1.99.1.linux-amd64.tar.gz\n",
            support::mirror::sha256_hex(&bytes)
        ),
    )
    .unwrap();
    let from_file = sb
        .gv(sb.path())
        .args(["install", "--from-file"])
        .arg(&archive)
        .env(dead_index.0, dead_index.1)
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{from_file:?}");
    // 2. A mirror.
    let server = MirrorServer::start(vec![Served::archive(
        "1.99.2",
        impostor_archive("1.99.2", &marker),
    )]);
    let mirrored = sb
        .gv(sb.path())
        .args(["install", "1.99.2", "--mirror", &server.url()])
        .output()
        .unwrap();
    assert!(mirrored.status.success(), "{mirrored:?}");
    // 3. `gv import goenv`.
    let goenv = sb.work("goenv");
    for (name, mode, data) in sdk_with_impostors("1.99.3", &marker) {
        let path = goenv.join("versions/1.99.3").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let import = sb
        .gv(sb.path())
        .args(["import", "goenv", "--goenv-root"])
        .arg(&goenv)
        .output()
        .unwrap();
    assert!(import.status.success(), "{import:?}");

    marker.assert_absent("installing");

    // The first install became the global default: every directory selects it.
    let p = sb.work("p");
    sb.write("p/.go-version", "1.99.2\n");
    let shims = sb.root().join("shims");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", shims.display());
    for dir in [sb.path(), p.as_path()] {
        for name in IMPOSTORS {
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("{name} --version"))
                .current_dir(dir)
                .env_clear()
                .envs(sb.env())
                .env("PATH", &path)
                .output()
                .unwrap();
            marker.assert_absent(&format!("{name} in {}", dir.display()));
        }
    }
    // In a hooked shell, where the selected SDK's bin/ is first on PATH.
    for shell in ["bash", "zsh", "fish"] {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\nls > /dev/null\ngit --version\nsudo -V\ncommand gv --version\ngo version",
            &[],
        );
        assert!(
            stdout(&out).contains("go version go1.99.2 linux/amd64"),
            "{shell}: Go's own command works: {out:?}"
        );
        marker.assert_absent(shell);
    }
    for (version, out) in [
        ("1.99.1", &from_file),
        ("1.99.2", &mirrored),
        ("1.99.3", &import),
    ] {
        for name in IMPOSTORS {
            assert!(
                stderr(out).contains(name),
                "Go {version}: the warning names {name}: {}",
                stderr(out)
            );
        }
    }
    assert_eq!(
        names_in(&sb.root().join("shims")),
        ["go", "gofmt"],
        "shims for Go's commands only"
    );
    for version in ["1.99.1", "1.99.2", "1.99.3"] {
        let goroot = sb.root().join("versions").join(version);
        assert_eq!(
            names_in(&goroot.join("bin")),
            ["go", "gofmt"],
            "Go {version}: bin/, which goes on PATH, holds Go's commands only"
        );
    }
    // gv doctor names what was set aside.
    let doctor = sb.gv(&p).arg("doctor").output().unwrap();
    let text = stdout(&doctor);
    let line = text
        .lines()
        .find(|l| l.contains("sdk commands"))
        .unwrap_or_else(|| panic!("{text}"));
    for version in ["1.99.1", "1.99.2", "1.99.3"] {
        assert!(
            line.contains(&format!("Go {version}: git, gv, ls, sudo")),
            "{line}"
        );
    }
}

/// A shim by another name (left by an older gv) refuses to run anything.
#[test]
fn a_shim_by_any_other_name_runs_nothing() {
    let sb = Sandbox::new();
    let marker = Marker::new(&sb, "stale-shim");
    let goroot = sb.fake_install("1.22.10");
    marker.payload(&goroot.join("bin/ls"));
    let shims = sb.rehash();
    let _ = std::fs::remove_file(shims.join("ls"));
    std::fs::hard_link(support::shim_binary(), shims.join("ls")).unwrap();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let out = sb.shim("ls", &p).output().unwrap();
    marker.assert_absent("a stale ls shim");
    assert_eq!(out.status.code(), Some(127), "{out:?}");
    assert!(
        stderr(&out).contains("`ls` is not one of Go's commands (go, gofmt)"),
        "{}",
        stderr(&out)
    );
    marker.assert_absent("a stale ls shim");
    let doctor = sb.gv(sb.path()).arg("doctor").output().unwrap();
    assert!(
        stdout(&doctor).contains("shims that are not Go's commands: ls"),
        "{}",
        stdout(&doctor)
    );
    sb.rehash();
    assert_eq!(names_in(&shims), ["go", "gofmt"]);
}

// -------------------------------------------------------------------------------------
// Hole 3: completion inserts repository file names quoted.
// -------------------------------------------------------------------------------------

/// A tmux server of its own running one interactive shell.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(sb: &Sandbox, cwd: &Path, name: &str, command: &str) -> Tmux {
        let socket = format!("gv-test-{}-{name}", std::process::id());
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            assert_cmd::cargo::cargo_bin("gv")
                .parent()
                .unwrap()
                .display()
        );
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "200", "-y", "30", "sh", "-c", command])
            .current_dir(cwd)
            .env_clear()
            .envs(sb.env())
            .env("PATH", path)
            .env("TERM", "xterm-256color")
            .status()
            .unwrap_or_else(|e| {
                panic!("tmux is required for this test (apt-get install tmux): {e}")
            });
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket }
    }

    fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0"])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J", "-t", "0"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {what} on screen:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn completion_inserts_a_hostile_file_name_quoted_in_every_shell() {
    let sb = Sandbox::new();
    let completions = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let repo = sb.work("repo");
    let name = "app$(touch PWNED)x";
    std::fs::write(repo.join(name), "not a binary").unwrap();
    let marker = repo.join("PWNED");
    let zdump = sb.path().join("zcompdump");
    let shells: [(&str, String, String); 4] = [
        (
            "bash",
            "bash --noprofile --norc -i".into(),
            format!(
                "PS1='READY$ '; source {}",
                completions.join("gv.bash").display()
            ),
        ),
        (
            "zsh",
            "zsh -f -i".into(),
            format!(
                "PS1='READY$ '; autoload -Uz compinit && compinit -u -d {}; source {}",
                zdump.display(),
                completions.join("_gv").display()
            ),
        ),
        (
            "fish",
            "fish --no-config -i".into(),
            format!(
                "function fish_prompt; echo -n 'READY$ '; end; source {}",
                completions.join("gv.fish").display()
            ),
        ),
        (
            "elvish",
            "elvish -norc".into(),
            format!(
                "set edit:prompt = {{ put 'READY$ ' }}; set edit:rprompt = {{ put '' }}; eval (slurp < {})",
                completions.join("gv.elv").display()
            ),
        ),
    ];
    for (shell, command, setup) in shells {
        let tmux = Tmux::start(&sb, &repo, shell, &command);
        tmux.send(&[&setup, "Enter"]);
        tmux.send(&["clear", "Enter"]);
        tmux.wait_for(&format!("{shell}'s prompt"), |s| {
            s.trim_end().ends_with("READY$") && !s.contains("source")
        });
        tmux.send(&["gv verify ap"]);
        tmux.wait_for("the typed line", |s| s.contains("gv verify ap"));
        tmux.send(&["Tab"]);
        let screen = tmux.wait_for(&format!("{shell}'s completion"), |s| {
            s.lines()
                .any(|l| l.contains("gv verify") && l.contains("touch"))
        });
        let line = screen
            .lines()
            .find(|l| l.contains("gv verify") && l.contains("touch"))
            .unwrap()
            .to_string();
        // Enter runs the line (in elvish the first Enter accepts the completion).
        let answered = |s: &str| {
            s.contains("is not an executable gv can read") || s.contains("does not exist")
        };
        tmux.send(&["Enter"]);
        std::thread::sleep(std::time::Duration::from_millis(500));
        if !answered(&tmux.screen()) {
            tmux.send(&["Enter"]);
        }
        tmux.wait_for("gv's answer", answered);
        assert!(
            !marker.exists(),
            "{shell}: completing and running `{line}` ran the file name's payload"
        );
        let screen = tmux.screen();
        assert!(
            screen.contains(&format!("{name} is not an executable gv can read")),
            "{shell}: the completed word names the file exactly ({line}):\n{screen}"
        );
    }
}

// -------------------------------------------------------------------------------------
// Hole 5: `gv import` obeys the user, and the checksum database.
// -------------------------------------------------------------------------------------

/// A module cache as Go's toolchain switch leaves it — the tree and the `.ziphash` beside
/// it, in agreement — for a "toolchain" `version` whose bin/go plants `marker`: what
/// anyone who can write a directory can make.
fn planted_toolchain(cache: &Path, version: &str, marker: &Marker) {
    use std::os::unix::fs::PermissionsExt;
    use support::goproxy::{Toolchain, fake_files, module_version};
    let files: Vec<(String, Vec<u8>)> = fake_files(version)
        .into_iter()
        .map(|(name, data)| {
            if name == "bin/go" {
                let payload = format!(
                    "#!/bin/sh\ntouch '{}'\necho \"go version go{version} linux/amd64\"\n",
                    marker.0.display()
                );
                (name, payload.into_bytes())
            } else {
                (name, data)
            }
        })
        .collect();
    let mv = module_version(version);
    let tree = cache.join(format!("golang.org/toolchain@{mv}"));
    for (name, data) in &files {
        let path = tree.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        if name.starts_with("bin/") || name.starts_with("pkg/tool/") {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        if let Some(dir) = name.strip_suffix("_go.mod") {
            std::fs::write(tree.join(format!("{dir}go.mod")), data).unwrap();
        }
    }
    let hashes = cache.join("cache/download/golang.org/toolchain/@v");
    std::fs::create_dir_all(&hashes).unwrap();
    std::fs::write(
        hashes.join(format!("{mv}.ziphash")),
        format!("{}\n", Toolchain::from_files(version, &files).h1),
    )
    .unwrap();
}

#[test]
fn imports_obey_only_the_users_own_settings_and_the_checksum_database() {
    use support::goproxy::{ProxyServer, Toolchain, database};
    let genuine = Toolchain::fake("1.22.10");
    let db = database(std::slice::from_ref(&genuine), 50);
    let server = ProxyServer::start(vec![genuine], Some(db.clone()));
    let sumdb = format!("{} {}", db.lock().unwrap().vkey(), server.db_url());
    let users = [
        ("GOPROXY", OsString::from(server.url())),
        ("GOSUMDB", OsString::from(&sumdb)),
    ];
    let sb = Sandbox::new();
    let marker = Marker::new(&sb, "imported");

    sb.fake_install("1.21.13");
    // A trusted project whose gv.toml points GOMODCACHE at a cache it ships.
    let p = sb.work("p");
    sb.write("p/.go-version", "1.21.13\n");
    let evil_cache = p.join("cache");
    planted_toolchain(&evil_cache, "1.99.0", &marker);
    sb.write(
        "p/gv.toml",
        &format!("[env]\nGOMODCACHE = \"{}\"\n", evil_cache.display()),
    );
    sb.trust(&p);
    // An unrelated project, whose `go 1.21` line would select any newer version.
    let q = sb.work("q");
    sb.write("q/go.mod", "module example.com/q\n\ngo 1.21\n");
    let go_in_q = || {
        sb.gv(&q)
            .args(["exec", "go", "version"])
            .envs(users.clone())
            .output()
            .unwrap()
    };

    for shell in ["bash", "zsh", "fish"] {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\necho \"GOMODCACHE=$GOMODCACHE\"\ngv import gotoolchain",
            &users,
        );
        assert!(
            stdout(&out).contains(&format!("GOMODCACHE={}", evil_cache.display())),
            "{shell}: the hook applied the trusted project's GOMODCACHE: {out:?}"
        );
        go_in_q();
        marker.assert_absent(shell);
        assert!(
            stdout(&out).contains("no toolchains in"),
            "{shell}: the project's GOMODCACHE is not the user's: {out:?}"
        );
        assert!(!sb.root().join("versions/1.99.0").exists(), "{shell}");
    }

    // Named explicitly, the planted cache still proves nothing: the database does not know
    // 1.99.0, and its 1.22.10 is not the one planted here.
    planted_toolchain(&evil_cache, "1.22.10", &marker);
    let out = sb
        .gv(sb.path())
        .args(["import", "gotoolchain", "--gomodcache"])
        .arg(&evil_cache)
        .envs(users.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("1.99.0 skipped: the checksum database cannot vouch for it"),
        "{text}"
    );
    assert!(
        text.contains("1.22.10 skipped: the hash recorded beside it"),
        "{text}"
    );
    assert!(!text.contains("linked to"), "{text}");
    for version in ["1.99.0", "1.22.10"] {
        assert!(
            !sb.root().join("versions").join(version).exists(),
            "{version}"
        );
    }
    sb.write("q/.go-version", "1.22.10\n");
    go_in_q();
    marker.assert_absent("an explicit --gomodcache");
    std::fs::remove_file(q.join(".go-version")).unwrap();

    // goenv: a GOENV_ROOT the hook applied (as it would a project's value) is not the
    // user's either.
    let goenv = sb.work("p/goenv");
    let sdk = goenv.join("versions/1.99.1");
    marker.payload(&sdk.join("bin/go"));
    std::fs::write(sdk.join("VERSION"), "go1.99.1\n").unwrap();
    let out = sb
        .gv(sb.path())
        .args(["import", "goenv"])
        .env("GOENV_ROOT", &goenv)
        .env("__GV_N_GOENV_ROOT", &goenv)
        .output()
        .unwrap();
    assert!(
        !out.status.success() && stderr(&out).contains("no goenv versions found at"),
        "{out:?}"
    );
    assert!(!sb.root().join("versions/1.99.1").exists());
    go_in_q();
    marker.assert_absent("goenv");
}

// -------------------------------------------------------------------------------------
// `system` gets gv's GOTOOLCHAIN policy too.
// -------------------------------------------------------------------------------------

#[test]
fn pinning_system_does_not_let_go_mod_switch_the_toolchain() {
    use crate::hostile::{evil_toolchain_proxy, go_env};
    let sb = Sandbox::new();
    sb.rehash();
    let marker = Marker::new(&sb, "system-switch");
    let proxy = evil_toolchain_proxy(&sb, &marker);
    let system_go = support::real_goroot(support::GO_A).join("bin");
    let p = sb.work("p");
    sb.write("p/.go-version", "system\n");
    sb.write(
        "p/go.mod",
        "module example.com/p\n\ngo 1.22\n\ntoolchain go1.99.0\n",
    );
    // Where go would fetch go1.99.0 from (as proxy.golang.org would serve a real one).
    let mut env: Vec<(&str, OsString)> = go_env(&sb);
    env.push(("GOPROXY", format!("file://{}", proxy.display()).into()));
    env.push(("GOSUMDB", "off".into()));
    let path = format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        sb.root().join("shims").display(),
        system_go.display()
    );
    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(env.clone())
        .env("PATH", &path)
        .output()
        .unwrap();
    marker.assert_absent("shim");
    assert_eq!(
        stdout(&out),
        format!("go version go{} linux/amd64\n", support::GO_A),
        "the system go runs: {out:?}"
    );
    env.push(("PATH", path.into()));
    for shell in ["bash", "zsh", "fish"] {
        let out = in_shell(&sb, shell, &p, "go version", &env);
        marker.assert_absent(shell);
        assert!(
            stdout(&out).contains(&format!("go version go{} linux/amd64", support::GO_A)),
            "{shell}: {out:?}"
        );
    }
}

// -------------------------------------------------------------------------------------
// `gv trust --show` reads GOFLAGS as go does, and flags what writes or runs elsewhere.
// -------------------------------------------------------------------------------------

#[test]
fn trust_show_says_what_quoted_goflags_and_tool_flags_would_do() {
    let sb = Sandbox::new();
    let marker = Marker::new(&sb, "review");
    let p = sb.work("p");
    let x = marker.payload(&p.join("x"));
    sb.write(
        "p/gv.toml",
        &format!(
            "[env]\nGOFLAGS = \"'-toolexec={x}' '-ldflags=-o /tmp/elsewhere'\"\nGOMODCACHE = \"{cache}\"\nGOENV_ROOT = \"{cache}\"\n[profile.ship]\ngcflags = [\"all=-o=/home/me/.bashrc\"]\n",
            x = x.display(),
            cache = p.join("cache").display()
        ),
    );
    let out = sb.gv(&p).args(["trust", "--show"]).output().unwrap();
    marker.assert_absent("reviewing");
    let text = stdout(&out);
    for want in [
        format!("-toolexec runs {} in place of every compiler", x.display()),
        "-ldflags -o makes the linker write its output to /tmp/elsewhere".to_string(),
        "points the go command at a module cache the repository chooses".to_string(),
        "-gcflags -o makes the compiler write its output to /home/me/.bashrc".to_string(),
    ] {
        assert!(text.contains(&want), "{want}:\n{text}");
    }
    let ignored = text
        .split("ignored even when trusted:")
        .nth(1)
        .unwrap_or_default();
    assert!(ignored.contains("GOENV_ROOT"), "{text}");
}
