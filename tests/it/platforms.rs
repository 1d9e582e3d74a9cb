//! Platform differences checked from Linux, hermetic: installing for another platform
//! (`--os/--arch`, a tiny fake SDK per platform behind the loopback mirror; the real Apple
//! Silicon SDK is in macos_real.rs), and the bash hook on macOS's bash 3.2.

use crate::support;

use support::mirror::{MirrorServer, Served, fake_sdk};
use support::{Sandbox, stderr, stdout};

fn gv(sb: &Sandbox, server: &MirrorServer) -> assert_cmd::Command {
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", "http://127.0.0.1:9/");
    cmd
}

/// Hostile or mistyped platform names never reach a path or a URL.
#[test]
fn platform_names_are_checked_before_anything_is_fetched() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![Served::archive("1.22.10", fake_sdk("1.22.10"))]);
    for (flag, value, says) in [
        ("--os", "../../etc", "is not a Go OS name"),
        ("--arch", "arm64/../x", "is not a Go architecture name"),
        ("--os", "Darwin", "is not a Go OS name"),
        ("--os", "windows", "ships as .zip archives"),
    ] {
        let out = gv(&sb, &server)
            .args(["install", "1.22.10", flag, value])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(says),
            "{flag} {value}: {}",
            stderr(&out)
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(!sb.root().join("platforms").exists());
    let out = gv(&sb, &server)
        .args(["install", "--os", "darwin"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("name the version"),
        "{}",
        stderr(&out)
    );
}

/// Go before 1.16 has no darwin/arm64 build: the error names the platform and points an
/// Apple Silicon user at the Intel build and Rosetta 2.
#[test]
fn a_release_without_a_build_for_the_platform_says_so_and_what_to_do() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![Served::archive_for(
        "1.15.15",
        "darwin",
        "amd64",
        fake_sdk("1.15.15"),
    )]);
    let out = gv(&sb, &server)
        .args(["install", "1.15", "--os", "darwin", "--arch", "arm64"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no Go release matching `1.15` has an archive for darwin/arm64"),
        "{err}"
    );
    assert!(
        err.contains("Apple Silicon only since 1.16; `gv install 1.15 --arch amd64` installs the Intel build, which runs under Rosetta 2"),
        "{err}"
    );
    let out = gv(&sb, &server)
        .args(["install", "1.15", "--os", "darwin", "--arch", "amd64"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        sb.root()
            .join("platforms/darwin-amd64/versions/1.15.15/bin/go")
            .is_file()
    );
    let out = sb.gv(&sb.work("")).arg("list").output().unwrap();
    assert!(
        stdout(&out).contains("1.15.15 (darwin/amd64, not for this machine"),
        "{}",
        stdout(&out)
    );
}

/// `--from-file` with another platform's archive: refused with the flags that install
/// it, and installed apart with them.
#[test]
fn another_platforms_archive_file_needs_the_flags() {
    let sb = Sandbox::new();
    let archive = sb.path().join("go1.22.10.darwin-arm64.tar.gz");
    std::fs::write(&archive, fake_sdk("1.22.10")).unwrap();
    let out = sb
        .gv(&sb.work(""))
        .args(["install", "--insecure-skip-checksum", "--from-file"])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--os darwin --arch arm64"),
        "{}",
        stderr(&out)
    );
    let out = sb
        .gv(&sb.work(""))
        .args([
            "install",
            "--insecure-skip-checksum",
            "--os",
            "darwin",
            "--arch",
            "arm64",
            "--from-file",
        ])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        sb.root()
            .join("platforms/darwin-arm64/versions/1.22.10/bin/go")
            .is_file()
    );
    assert!(!sb.root().join("versions/1.22.10").exists());
}

/// macOS's /bin/bash is 3.2, which cannot parse the hook. `gv init bash` there prints one
/// error naming zsh, still puts the shims on PATH, and defines nothing else. Run by `sh`
/// (dash) posing as bash 3.2: a shell that could not parse the hook either, so this also
/// proves the hook's code is never parsed on that path.
#[test]
fn gv_init_bash_on_bash_3_2_says_use_zsh_and_keeps_the_shims() {
    let sb = Sandbox::new();
    let out = sb.gv(&sb.work("")).args(["init", "bash"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let script = sb.path().join("init.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    for (version, old) in [
        ("3.2.57(1)-release", true),
        ("4.3.48(1)-release", true),
        ("4.4.20(1)-release", false),
    ] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(". {}; echo \"status=$?\"; echo \"PATH=$PATH\"; command -v __gv_hook >/dev/null && echo hooked", script.display()))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", sb.path().join("home"))
            .env("BASH_VERSION", version)
            .output()
            .unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        if old {
            assert!(text.contains("status=0\n"), "{version}: {text}");
            assert!(
                text.contains(&format!("PATH={}:", sb.root().join("shims").display())),
                "{version}: {text}"
            );
            assert!(!text.contains("hooked"), "{version}: {text}");
            assert_eq!(
                err.lines().next().unwrap_or_default(),
                format!(
                    "gv: error: bash {version} is too old for the gv shell hook, which needs bash 4.4 or newer (macOS ships bash 3.2 as /bin/bash); the shims are on PATH, so go still follows .go-version and go.mod"
                )
            );
            assert_eq!(err.lines().count(), 2, "{err}");
            assert!(err.contains("eval \"$(gv init zsh)\" in ~/.zshrc"), "{err}");
        } else {
            // dash takes the 4.4 branch and then fails on bash syntax: the guard let it through.
            assert!(!err.contains("too old"), "{version}: {err}");
        }
    }
    // Real bash (5.x here) gets the whole hook.
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!(
            ". {}; declare -F __gv_hook __gv_prompt",
            script.display()
        ))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", sb.path().join("home"))
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "__gv_hook\n__gv_prompt\n", "{}", stderr(&out));
}

/// macOS has no XDG_RUNTIME_DIR: the hook's stamps then live under gv's cache, in the
/// same XDG layout as on Linux; a runtime directory is used where there is one.
#[test]
fn hook_stamps_go_under_the_cache_without_a_runtime_directory() {
    let sb = Sandbox::new();
    let stamps = |runtime: Option<&std::path::Path>| {
        let mut cmd = sb.gv(&sb.work(""));
        cmd.args(["init", "zsh"]);
        if let Some(dir) = runtime {
            cmd.env("XDG_RUNTIME_DIR", dir);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .find(|l| l.contains("__GV_STAMP_FILE="))
            .unwrap()
            .to_string()
    };
    let cache = sb.path().join("cache/gv/hook");
    assert!(
        stamps(None).contains(&format!("'{}'/$$", cache.display())),
        "{}",
        stamps(None)
    );
    let run = sb.path().join("run");
    let line = stamps(Some(&run));
    assert!(
        line.contains(&format!("'{}'/$$", run.join("gv").display())),
        "{line}"
    );
    // A relative value is no runtime directory (XDG base directory spec).
    let line = stamps(Some(std::path::Path::new("relative/run")));
    assert!(
        line.contains(&format!("'{}'/$$", cache.display())),
        "{line}"
    );
}

/// The same layout on every Unix, macOS included: with only HOME set, the store is
/// ~/.local/share/gv and the config ~/.config/gv/config.toml (never ~/Library).
#[test]
fn with_only_home_set_gv_uses_the_xdg_layout() {
    let sb = Sandbox::new();
    let home = sb.path().join("home");
    std::fs::create_dir_all(home.join(".config/gv")).unwrap();
    std::fs::write(home.join(".config/gv/config.toml"), "this is = not toml\n").unwrap();
    let gv = |arg: &str| {
        assert_cmd::Command::cargo_bin("gv")
            .unwrap()
            .current_dir(&home)
            .env_clear()
            .env("HOME", &home)
            .env("PATH", "/usr/bin:/bin")
            .env("GV_SHIM_BINARY", support::shim_binary())
            .arg(arg)
            .output()
            .unwrap()
    };
    let out = gv("rehash");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.join(".local/share/gv/shims/go").is_file());
    let out = gv("doctor");
    let report = stdout(&out);
    assert!(
        report.contains(&home.join(".config/gv/config.toml").display().to_string()),
        "{report}"
    );
    assert!(!home.join("Library").exists());
}
