//! Platform differences checked from Linux, hermetic: installing for another platform
//! (`--os/--arch`, a tiny fake SDK per platform behind the loopback mirror; the real Apple
//! Silicon SDK is in macos_real.rs), Windows' `.zip` archives with hostile entries of every
//! kind (the real Windows SDK runs under wine in windows_wine.rs), and the bash hook on
//! macOS's bash 3.2.

use crate::support;

use support::mirror::{Fault, MirrorServer, Served, fake_sdk, fake_windows_sdk, listing};
use support::zipw::ZipEntry;
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

fn downloads(sb: &Sandbox) -> std::path::PathBuf {
    sb.path().join("cache/gv/downloads")
}

const WINDOWS: [&str; 4] = ["--os", "windows", "--arch", "amd64"];

/// A Windows SDK installs from any machine: the zip is downloaded, verified, unpacked
/// and kept apart; the verified zip is cached, so a forced reinstall needs no network.
#[test]
fn windows_zips_install_apart_and_reinstall_from_the_cache() {
    let sb = Sandbox::new();
    let zip = fake_windows_sdk("1.22.10", vec![]);
    let server = MirrorServer::start(vec![Served::zip_for("1.22.10", "windows", "amd64", zip)]);
    let out = gv(&sb, &server)
        .args(["install", "1.22.10"])
        .args(WINDOWS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let goroot = sb.root().join("platforms/windows-amd64/versions/1.22.10");
    assert_eq!(
        std::fs::read_to_string(goroot.join("bin/go.exe")).unwrap(),
        "MZ go1.22.10 windows/amd64"
    );
    assert!(goroot.join("src/fmt/print.go").is_file());
    assert!(
        !goroot.join("download.zip").exists(),
        "the spool is not part of the SDK"
    );
    let names: Vec<_> = std::fs::read_dir(goroot.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["1.22.10"], "no work directories left");
    let cached = downloads(&sb).join("go1.22.10.windows-amd64.zip");
    assert!(cached.is_file(), "the verified zip is cached");

    std::fs::write(goroot.join("bin/go.exe"), "tampered").unwrap();
    let out = gv(&sb, &server)
        .args(["install", "--force", "--offline", "1.22.10"])
        .args(WINDOWS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from the download cache"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(goroot.join("bin/go.exe")).unwrap(),
        "MZ go1.22.10 windows/amd64"
    );
    let out = sb.gv(&sb.work("")).arg("list").output().unwrap();
    assert!(
        stdout(&out).contains("1.22.10 (windows/amd64, not for this machine"),
        "{}",
        stdout(&out)
    );
}

/// Hostile zips, each vouched for by the index (so only the unpacker's rules stand
/// between them and the disk): every one is refused whole, nothing is left in the store
/// or the download cache, and nothing lands outside.
#[test]
fn hostile_windows_zips_are_refused_whole() {
    let file = |name: &str| ZipEntry::file(name, "x");
    let cases: Vec<(&str, Vec<ZipEntry>, &str)> = vec![
        (
            "dot-dot",
            vec![file("go/../escape")],
            "contains `.` or `..`",
        ),
        (
            "dot-dot deeper",
            vec![file("go/src/../../escape")],
            "contains `.` or `..`",
        ),
        (
            "absolute",
            vec![file("/tmp/escape")],
            "outside the zip's top folder",
        ),
        (
            "absolute under go/",
            vec![file("go//tmp/escape")],
            "the path is absolute",
        ),
        (
            "drive letter",
            vec![file("C:/escape")],
            "outside the zip's top folder",
        ),
        (
            "drive letter under go/",
            vec![file("go/C:/escape")],
            "a character Go does not allow",
        ),
        (
            "backslash",
            vec![file("go/..\\escape")],
            "a character Go does not allow",
        ),
        (
            "alternate data stream",
            vec![file("go/bin/go.exe:payload")],
            "a character Go does not allow",
        ),
        (
            "reserved CON",
            vec![file("go/bin/CON")],
            "reserved name on Windows",
        ),
        (
            "reserved nul.txt",
            vec![file("go/src/nul.txt")],
            "reserved name on Windows",
        ),
        (
            "reserved Com1 dir",
            vec![file("go/Com1/x.go")],
            "reserved name on Windows",
        ),
        (
            "trailing dot",
            vec![file("go/bin/go.exe.")],
            "ends with a dot",
        ),
        (
            "case collision",
            vec![file("go/BIN/GO.EXE")],
            "same name (ignoring case)",
        ),
        (
            "file under a file",
            vec![file("go/VERSION/x")],
            "inside the file",
        ),
        (
            "outside go/",
            vec![file("gopher/x")],
            "outside the zip's top folder",
        ),
        (
            "zip bomb",
            vec![ZipEntry::file("go/lib/bomb", vec![0u8; 1 << 20]).declare_size(10)],
            "the zip is damaged",
        ),
    ];
    let sb = Sandbox::new();
    for (what, entries, says) in cases {
        let zip = fake_windows_sdk("1.22.10", entries);
        let server = MirrorServer::start(vec![Served::zip_for("1.22.10", "windows", "amd64", zip)]);
        let out = gv(&sb, &server)
            .args(["install", "1.22.10"])
            .args(WINDOWS)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(!out.status.success(), "{what}: installed");
        assert!(err.contains(says), "{what}: {err}");
        assert!(err.contains("nothing was installed"), "{what}: {err}");
        let versions = sb.root().join("platforms/windows-amd64/versions");
        assert!(
            listing(&versions).is_empty(),
            "{what}: {:?}",
            listing(&versions)
        );
        assert!(
            listing(&downloads(&sb)).is_empty(),
            "{what}: a refused zip is not cached"
        );
        for place in [
            sb.path(),
            &sb.root(),
            &sb.root().join("platforms"),
            std::path::Path::new("/tmp"),
        ] {
            assert!(
                !place.join("escape").exists(),
                "{what}: {}",
                place.display()
            );
        }
    }
}

/// A zip that is not what the index vouched for is never opened; one cut short is not
/// either; a zip whose bytes are garbage (but vouched for) is damaged, not half-installed.
#[test]
fn a_windows_zip_is_verified_before_it_is_opened() {
    let zip = fake_windows_sdk("1.22.10", vec![]);
    for (fault, says) in [
        (Fault::WrongSha, "checksum mismatch"),
        (Fault::CutShort, "broke off"),
    ] {
        let sb = Sandbox::new();
        let served = Served::zip_for("1.22.10", "windows", "amd64", zip.clone()).with_fault(fault);
        let server = MirrorServer::start(vec![served]);
        let out = gv(&sb, &server)
            .args(["install", "1.22.10"])
            .args(WINDOWS)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
        assert!(listing(&sb.root().join("platforms/windows-amd64/versions")).is_empty());
        assert!(listing(&downloads(&sb)).is_empty());
    }
    let sb = Sandbox::new();
    let garbage = b"PK\x03\x04 this is not a zip at all".repeat(100);
    let server = MirrorServer::start(vec![Served::zip_for(
        "1.22.10", "windows", "amd64", garbage,
    )]);
    let out = gv(&sb, &server)
        .args(["install", "1.22.10"])
        .args(WINDOWS)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("the zip is damaged"),
        "{}",
        stderr(&out)
    );
    assert!(listing(&sb.root().join("platforms/windows-amd64/versions")).is_empty());
}

/// Zip modes are ignored: a "symlink" entry becomes a plain file holding its text, so a
/// link out of the SDK cannot be made; `--from-file` takes a Windows zip too.
#[test]
fn windows_zip_links_are_plain_files_and_from_file_works() {
    let sb = Sandbox::new();
    let link = ZipEntry::file("go/lib/link", "/etc/passwd").mode(0o120777);
    let path = sb.path().join("go1.22.10.windows-amd64.zip");
    let zip = fake_windows_sdk("1.22.10", vec![link]);
    std::fs::write(&path, &zip).unwrap();
    std::fs::write(
        sb.path().join("go1.22.10.windows-amd64.zip.sha256"),
        support::mirror::sha256_hex(&zip),
    )
    .unwrap();
    let out = sb
        .gv(&sb.work(""))
        .env("GV_GO_INDEX", "http://127.0.0.1:9/")
        .env("GV_GO_MIRROR", "http://127.0.0.1:9/")
        .args(["install", "--from-file"])
        .arg(&path)
        .args(WINDOWS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let planted = sb
        .root()
        .join("platforms/windows-amd64/versions/1.22.10/lib/link");
    let meta = std::fs::symlink_metadata(&planted).unwrap();
    assert!(meta.is_file(), "a plain file, not a link");
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "/etc/passwd");
}
