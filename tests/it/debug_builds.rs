//! Real Go builds, verified: `gv verify` against binaries built here with plain `go build`
//! (so verify is tested independently of `gv build`) — ELF with DWARF 4 and 5, compressed
//! and not, stripped, cross-compiled Mach-O and PE, bad input — and then `gv build`/`test`/
//! `run` with each profile, checked by gv verify, gdb and real panics. One test binary, so
//! every build shares one GOCACHE and the standard library is compiled once per flag set.

use crate::gofixtures;
use crate::support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gofixtures::{DIVIDE, GO_DWARF5, go_build, module};
use support::{GO_A, GO_B, Sandbox};

fn divide_module() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| module("divide", DIVIDE))
}

macro_rules! fixture {
    ($name:ident, $version:expr, $out:expr, $args:expr, $env:expr) => {
        fn $name() -> &'static Path {
            static BIN: OnceLock<PathBuf> = OnceLock::new();
            BIN.get_or_init(|| go_build($version, divide_module(), $out, $args, $env))
        }
    };
}

fixture!(
    debug_elf,
    GO_A,
    "debug",
    &["-gcflags=all=-N -l", "-ldflags=-compressdwarf=false"],
    &[]
);
fixture!(default_elf, GO_A, "default", &[], &[]);
fixture!(
    release_elf,
    GO_A,
    "release",
    &["-trimpath", "-ldflags=-s -w"],
    &[("CGO_ENABLED", "0")]
);
fixture!(
    only_main_unoptimised,
    GO_A,
    "main-only",
    &["-gcflags=-N -l"],
    &[]
);
fixture!(
    dwarf5_debug,
    GO_DWARF5,
    "debug25",
    &["-gcflags=all=-N -l"],
    &[]
);
fixture!(
    macho,
    GO_B,
    "divide-darwin",
    &[],
    &[("GOOS", "darwin"), ("CGO_ENABLED", "0")]
);
fixture!(
    pe,
    GO_B,
    "divide.exe",
    &["-gcflags=all=-N -l"],
    &[("GOOS", "windows"), ("CGO_ENABLED", "0")]
);

fn verify(binary: &Path, extra: &[&str]) -> std::process::Output {
    let sandbox = Sandbox::new();
    sandbox
        .gv(sandbox.path())
        .arg("verify")
        .arg(binary)
        .args(extra)
        .output()
        .expect("run gv")
}

fn verify_json(binary: &Path) -> serde_json::Value {
    let out = verify(binary, &["--json"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn expect_code(binary: &Path, profile: &str) -> (i32, String) {
    let out = verify(binary, &["--expect", profile]);
    (out.status.code().expect("exit code"), support::stdout(&out))
}

/// Every compile unit in `gv verify`'s report is accounted for (cmd/compile's, C's, the
/// linker's), and every line fits 80 columns (a long path aside, which is the user's).
#[test]
fn verify_explains_every_compile_unit_in_80_columns() {
    let bin = debug_elf();
    let json = verify_json(bin);
    let dwarf = &json["dwarf"];
    let (units, go, foreign) = (
        dwarf["units"].as_u64().unwrap(),
        dwarf["go_units"].as_u64().unwrap(),
        dwarf["foreign_units"].as_u64().unwrap(),
    );
    assert!(go > 0 && go + foreign <= units, "{dwarf}");
    let out = verify(bin, &[]);
    let text = support::stdout(&out);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("compile units"))
        .unwrap_or_else(|| panic!("{text}"));
    let linker = units - go - foreign;
    assert!(
        line.contains(&format!("{units}: {go} from Go's compiler, for "))
            && (linker == 0 || line.ends_with(&format!(", {linker} by the linker"))),
        "{line}"
    );
    let packages = dwarf["packages"].as_array().unwrap();
    let runtime = packages.iter().filter(|p| p["runtime"] == true).count();
    assert!(
        text.contains(&format!(
            "{} packages checked, {runtime} runtime ones always optimised",
            packages.len() - runtime
        )),
        "{text}"
    );
    for l in text.lines().skip(1) {
        assert!(
            l.chars().count() <= 80,
            "{} columns: {l}",
            l.chars().count()
        );
    }
}

#[test]
fn debug_build_meets_debug_and_dwarf_but_not_release() {
    let bin = debug_elf();
    assert_eq!(expect_code(bin, "debug").0, 0);
    assert_eq!(expect_code(bin, "dwarf").0, 0);
    let (code, text) = expect_code(bin, "release");
    assert_eq!(code, 1);
    assert!(
        text.contains("DWARF debug information that a release build strips"),
        "{text}"
    );

    let json = verify_json(bin);
    assert_eq!(json["format"], "elf");
    assert_eq!(json["build_info"]["go_version"], "go1.22.10");
    assert_eq!(json["build_info"]["path"], "example.com/divide");
    assert_eq!(json["build_info"]["settings"]["-gcflags"], "all=-N -l");
    assert_eq!(json["dwarf_present"], true);
    assert_eq!(json["dwarf"]["version"], 4);
    assert_eq!(json["dwarf"]["compression"], "none");
    assert_eq!(json["main"]["optimised"], false);
    assert_eq!(json["main"]["inlined"], false);
    assert_eq!(json["symbol_table"], true);
    assert_eq!(json["trimpath"], false);
    // The runtime is always optimised; everything else is not.
    let packages = json["dwarf"]["packages"].as_array().expect("packages");
    let runtime = packages
        .iter()
        .find(|p| p["name"] == "runtime")
        .expect("runtime unit");
    assert_eq!(
        (&runtime["optimised"], &runtime["runtime"]),
        (&true.into(), &true.into())
    );
    let fmt = packages
        .iter()
        .find(|p| p["name"] == "fmt")
        .expect("fmt unit");
    assert_eq!(
        (&fmt["optimised"], &fmt["runtime"]),
        (&false.into(), &false.into())
    );
}

#[test]
fn default_build_is_dwarf_but_not_debug_and_says_why() {
    let bin = default_elf();
    let (code, text) = expect_code(bin, "debug");
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "package main was compiled with optimisations: locals will show as <optimized out> \
             in a debugger; rebuild with gv build --debug"
        ),
        "{text}"
    );
    assert_eq!(expect_code(bin, "dwarf").0, 0);
    assert_eq!(expect_code(bin, "release").0, 1);
    let json = verify_json(bin);
    // Go >= 1.19 compresses ELF DWARF with SHF_COMPRESSED by default.
    assert_eq!(json["dwarf"]["compression"], "shf-compressed");
    let dwarf = &json["dwarf"];
    assert!(dwarf["size_uncompressed"].as_u64() > dwarf["size_in_file"].as_u64());
    assert_eq!(json["main"]["optimised"], true);
}

#[test]
fn gcflags_without_all_leave_the_other_packages_optimised() {
    let (code, text) = expect_code(only_main_unoptimised(), "debug");
    assert_eq!(code, 1);
    assert!(!text.contains("package main was compiled"), "{text}");
    assert!(
        text.contains("-gcflags='all=-N -l' covers every package"),
        "{text}"
    );
}

#[test]
fn release_build_meets_release_only() {
    let bin = release_elf();
    assert_eq!(expect_code(bin, "release").0, 0);
    let (code, text) = expect_code(bin, "debug");
    assert_eq!(code, 1);
    assert!(text.contains("no DWARF debug information"), "{text}");
    assert_eq!(expect_code(bin, "dwarf").0, 1);
    let json = verify_json(bin);
    assert_eq!(json["dwarf"], serde_json::Value::Null);
    assert_eq!(json["dwarf_present"], false);
    assert_eq!(json["symbol_table"], false);
    assert_eq!(json["trimpath"], true);
    assert_eq!(json["cgo"]["enabled"], false);
    // Build info survives -s -w.
    assert_eq!(json["build_info"]["go_version"], "go1.22.10");
}

#[test]
fn dwarf_5_from_go_1_25_is_read() {
    let bin = dwarf5_debug();
    let json = verify_json(bin);
    assert_eq!(json["dwarf"]["version"], 5);
    assert_eq!(json["build_info"]["go_version"], format!("go{GO_DWARF5}"));
    assert_eq!(json["main"]["optimised"], false);
    assert_eq!(expect_code(bin, "debug").0, 0);
}

#[test]
fn cross_compiled_macho_and_pe_are_read() {
    let mac = verify_json(macho());
    assert_eq!(mac["format"], "macho");
    assert_eq!(mac["build_info"]["settings"]["GOOS"], "darwin");
    assert_eq!(mac["dwarf"]["compression"], "zdebug");
    assert_eq!(mac["main"]["optimised"], true);
    assert_eq!(expect_code(macho(), "dwarf").0, 0);
    assert_eq!(expect_code(macho(), "debug").0, 1);

    let win = verify_json(pe());
    assert_eq!(win["format"], "pe");
    assert_eq!(win["build_info"]["go_version"], format!("go{GO_B}"));
    assert_eq!(win["build_info"]["settings"]["GOOS"], "windows");
    assert_eq!(win["dwarf"]["compression"], "zdebug");
    assert_eq!(win["main"]["optimised"], false);
    assert_eq!(expect_code(pe(), "debug").0, 0);
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let sandbox = Sandbox::new();
    let text = sandbox.write("notes.txt", "just text\n");
    let truncated = sandbox.path().join("truncated");
    let bytes = std::fs::read(debug_elf()).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let cases: [(PathBuf, &str); 5] = [
        (sandbox.path().join("missing"), "does not exist"),
        (sandbox.path().to_path_buf(), "is a directory"),
        (text, "is not an executable gv can read"),
        (truncated, "is damaged"),
        // gv itself: a real executable, but not Go.
        (assert_cmd::cargo::cargo_bin("gv"), "is not a Go binary"),
    ];
    for (path, message) in cases {
        let out = verify(&path, &["--expect", "debug"]);
        let err = support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(err.contains(message), "{}: {err}", path.display());
        assert!(err.contains("hint:"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// gv build decides "go rebuilt nothing" by the Go build ID: read as `go tool buildid`
/// reads it, from ELF's note and from the text of Mach-O and PE.
#[test]
fn go_build_ids_match_go_tool_buildid() {
    for (binary, version) in [(debug_elf(), GO_A), (macho(), GO_B), (pe(), GO_B)] {
        let out = std::process::Command::new(gofixtures::goroot(version).join("bin/go"))
            .args(["tool", "buildid"])
            .arg(binary)
            .envs(gofixtures::go_env())
            .output()
            .expect("go tool buildid");
        assert!(out.status.success(), "{}", support::stderr(&out));
        let expected = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(
            gv::inspect::go_build_id(binary).as_deref(),
            Some(expected.as_str()),
            "{}",
            binary.display()
        );
    }
}

/// Every prefix of a real binary (sampled) and many corrupted copies: an answer or an
/// error, never a panic.
#[test]
fn truncated_and_corrupted_binaries_never_panic() {
    for original in [default_elf(), pe()] {
        let bytes = std::fs::read(original).expect("read");
        let step = (bytes.len() / 150).max(1);
        for len in (0..bytes.len())
            .step_by(step)
            .chain([16, 64, 100, 4095, 4096])
        {
            let cut = &bytes[..len.min(bytes.len())];
            let result = std::panic::catch_unwind(|| gv::inspect::inspect_bytes(original, cut));
            assert!(
                result.is_ok(),
                "panicked on a {len}-byte prefix of {}",
                original.display()
            );
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..150 {
            let mut copy = bytes.clone();
            for _ in 0..64 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (seed >> 17) as usize % copy.len();
                copy[at] = (seed >> 7) as u8;
            }
            let result = std::panic::catch_unwind(|| gv::inspect::inspect_bytes(original, &copy));
            assert!(result.is_ok(), "panicked on a corrupted copy (seed {seed})");
        }
    }
}

/// An ELF whose compressed `.debug_info` is a zlib stream of 3 GiB of zeros (about 3 MB
/// stored), its header claiming `claimed` bytes.
fn bomb(claimed: u64) -> Vec<u8> {
    use object::write::{Object, SectionKind};
    use std::io::Write as _;
    static STREAM: OnceLock<Vec<u8>> = OnceLock::new();
    let stream = STREAM.get_or_init(|| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..3 * 1024 {
            z.write_all(&zeros).expect("in memory");
        }
        z.finish().expect("in memory")
    });
    let mut obj = Object::new(
        object::BinaryFormat::Elf,
        object::Architecture::X86_64,
        object::Endianness::Little,
    );
    let id = obj.add_section(Vec::new(), b".debug_info".to_vec(), SectionKind::Debug);
    let mut data = 1u32.to_le_bytes().to_vec(); // ELFCOMPRESS_ZLIB
    data.extend_from_slice(&0u32.to_le_bytes());
    data.extend_from_slice(&claimed.to_le_bytes());
    data.extend_from_slice(&1u64.to_le_bytes());
    data.extend_from_slice(stream);
    obj.append_section_data(id, &data, 1);
    obj.section_mut(id).flags = object::SectionFlags::Elf {
        sh_flags: u64::from(object::elf::SHF_COMPRESSED),
    };
    obj.write().expect("ELF")
}

/// Issue 20: `gv verify` of a small ELF whose `.debug_info` inflates to 3 GiB used 3.1 GB.
/// Whatever the header claims, it now answers at once, with a typed error, in a process
/// limited to 512 MiB of address space: a claim beyond 1 GiB is refused unread; a smaller
/// claim (held, or streamed past 64 MiB) inflates no further than the claim, which the
/// zeros then fail as DWARF.
#[test]
fn a_decompression_bomb_is_refused_in_bounded_memory_and_time() {
    let sandbox = Sandbox::new();
    for (claimed, says) in [
        (3u64 << 30, "more than gv verify inflates"),
        (60 << 20, "damaged"),
        (900 << 20, "damaged"),
    ] {
        let file = sandbox.path().join(format!("bomb-{claimed}"));
        std::fs::write(&file, bomb(claimed)).expect("write");
        assert!(std::fs::metadata(&file).expect("bomb").len() < 5 << 20);
        let started = std::time::Instant::now();
        let gv = assert_cmd::cargo::cargo_bin("gv");
        let out = std::process::Command::new("sh")
            .args(["-c", "ulimit -v 524288 && exec \"$0\" verify \"$1\""])
            .arg(&gv)
            .arg(&file)
            .env_clear()
            .envs(sandbox.env())
            .output()
            .expect("gv verify");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "claimed {claimed}: took {:?}",
            started.elapsed()
        );
        let err = support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "claimed {claimed}: {err}");
        assert!(err.contains(says), "claimed {claimed}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// gv build / test / run with profiles
// ---------------------------------------------------------------------------------------

/// One sandbox for the whole process with both SDKs installed: installs are hard links,
/// but there is no reason to make them per test.
fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let sandbox = Sandbox::new();
        sandbox.real_install(GO_A);
        sandbox.real_install(GO_B);
        sandbox
    })
}

/// A project pinned to `version` with the divide program, its test and a gv.toml.
fn project(name: &str, version: &str, gv_toml: &str) -> PathBuf {
    let s = sandbox();
    s.write(
        &format!("{name}/go.mod"),
        &format!("module example.com/{name}\n\ngo 1.22\n"),
    );
    s.write(&format!("{name}/main.go"), DIVIDE);
    s.write(&format!("{name}/divide_test.go"), gofixtures::DIVIDE_TEST);
    s.write(&format!("{name}/.go-version"), &format!("{version}\n"));
    s.write(&format!("{name}/gv.toml"), gv_toml);
    // A project's gv.toml applies once the user has reviewed and trusted it.
    s.trust(&s.work(name));
    s.work(name)
}

fn project_a() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        project(
            "divide-a",
            GO_A,
            "[profile.main-only]\ninherits = \"debug\"\ngcflags = { replace = \"-N -l\" }\n",
        )
    })
}

fn crash_log() -> PathBuf {
    sandbox().path().join("work/crash.log")
}

fn project_b() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let toml = format!(
            "[profile.debug]\ncrash_output = {:?}\n",
            crash_log().display().to_string()
        );
        project("divide-b", GO_B, &toml)
    })
}

fn gv_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = sandbox().gv(dir);
    cmd.envs(gofixtures::go_env());
    cmd
}

/// `gv build ARGS` in `dir`; returns the output for inspection.
fn gv_build(dir: &Path, args: &[&str]) -> std::process::Output {
    gv_in(dir)
        .arg("build")
        .args(args)
        .output()
        .expect("run gv build")
}

fn built(dir: &Path, out: &str, args: &[&str]) -> PathBuf {
    let mut all = args.to_vec();
    all.extend(["-o", out]);
    let result = gv_build(dir, &all);
    assert!(
        result.status.success(),
        "gv build {all:?} failed:\n{}",
        support::stderr(&result)
    );
    let err = support::stderr(&result);
    assert!(err.contains("gv: verified"), "{err}");
    dir.join(out)
}

struct Built {
    path: PathBuf,
    stderr: String,
}

fn gv_debug_a() -> &'static Built {
    static BIN: OnceLock<Built> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = project_a();
        let out = gv_build(
            dir,
            &[
                "--debug",
                "-v",
                "-ldflags=-X main.version=1.2",
                "-o",
                "app-debug",
            ],
        );
        assert!(out.status.success(), "{}", support::stderr(&out));
        Built {
            path: dir.join("app-debug"),
            stderr: support::stderr(&out),
        }
    })
}

fn gv_dwarf_a() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| built(project_a(), "app-dwarf", &["--profile", "dwarf"]))
}

fn gv_release_a() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| built(project_a(), "app-release", &["--release"]))
}

fn gv_debug_b() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| built(project_b(), "app-debug", &["--debug"]))
}

#[test]
fn each_profile_meets_its_own_expectation_and_no_other() {
    let matrix = [
        (gv_debug_a().path.as_path(), "debug"),
        (gv_dwarf_a(), "dwarf"),
        (gv_release_a(), "release"),
        (gv_debug_b(), "debug"),
    ];
    for (binary, profile) in matrix {
        for expect in ["debug", "dwarf", "release"] {
            // A debug build is also a dwarf build: DWARF is all "dwarf" asks for.
            let should_pass = expect == profile || (profile == "debug" && expect == "dwarf");
            let (code, text) = expect_code(binary, expect);
            assert_eq!(
                code,
                if should_pass { 0 } else { 1 },
                "{} built with {profile}, --expect {expect}:\n{text}",
                binary.display()
            );
        }
    }
    let b = verify_json(gv_debug_b());
    assert_eq!(b["build_info"]["go_version"], format!("go{GO_B}"));
}

#[test]
fn debug_build_merges_flags_and_explains_the_command() {
    let built = gv_debug_a();
    // -v printed the exact command: one -gcflags, one merged -ldflags, the overlay.
    let line = built
        .stderr
        .lines()
        .find(|l| l.starts_with("gv: running: "))
        .unwrap_or_else(|| panic!("no command line in:\n{}", built.stderr));
    assert!(line.contains("GOTOOLCHAIN=local"), "{line}");
    assert!(line.contains("GOROOT="), "{line}");
    assert!(line.contains("'-gcflags=all=-N -l'"), "{line}");
    assert!(
        line.contains("'-ldflags=-compressdwarf=false -X main.version=1.2'"),
        "{line}"
    );
    assert!(line.contains("-overlay="), "{line}");
    assert_eq!(line.matches("-gcflags").count(), 1, "{line}");
    assert_eq!(line.matches("-ldflags").count(), 1, "{line}");

    let json = verify_json(&built.path);
    let settings = &json["build_info"]["settings"];
    assert_eq!(settings["-gcflags"], "all=-N -l");
    assert_eq!(
        settings["-ldflags"],
        "-compressdwarf=false -X main.version=1.2"
    );
    assert_eq!(json["dwarf"]["compression"], "none");
    assert_eq!(json["main"]["optimised"], false);
    // The overlay never touched the source tree (staging directories come and go while
    // the other tests build here; a_failed_verification_never_replaces_a_good_binary
    // checks that none stays behind).
    let names: Vec<_> = std::fs::read_dir(project_a())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("zz_gv")), "{names:?}");
}

/// Files in `dir`, by name, with their contents.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect()
}

#[test]
fn a_failed_verification_never_replaces_a_good_binary() {
    // A project of its own: its directory listing is this test's alone.
    let dir = project(
        "divide-keep",
        GO_A,
        "[profile.main-only]\ninherits = \"debug\"\ngcflags = { replace = \"-N -l\" }\n",
    );
    for output in [None, Some("app")] {
        let with_o = |args: &[&'static str]| {
            let mut all = args.to_vec();
            if let Some(o) = output {
                all.extend(["-o", o]);
            }
            all
        };
        // go's own name without -o: the module path's last element.
        let name = output.unwrap_or("divide-keep");
        let good = gv_build(&dir, &with_o(&["--debug"]));
        assert!(good.status.success(), "{}", support::stderr(&good));
        let before = std::fs::read(dir.join(name)).expect("the debug build");

        // [profile.main-only] passes -N -l without all=: the expectation (debug) fails.
        let bad = gv_build(&dir, &with_o(&["--profile", "main-only"]));
        let err = support::stderr(&bad);
        assert_eq!(bad.status.code(), Some(1), "{err}");
        assert_eq!(
            std::fs::read(dir.join(name)).expect("still there"),
            before,
            "{output:?}: the good binary was replaced:\n{err}"
        );
        let kept = dir.join(format!("{name}.unverified"));
        assert!(kept.is_file(), "{output:?}: {err}");
        assert!(
            err.contains(&format!(
                "\n  kept as {}; {} is left as it was\n",
                kept.display(),
                dir.join(name).display()
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!("`gv verify {} --expect debug`", kept.display())),
            "{err}"
        );
        // What was kept is what failed: gv verify says so too.
        assert_eq!(expect_code(&kept, "debug").0, 1);
        assert_eq!(expect_code(&dir.join(name), "debug").0, 0);

        // The next good build lands and takes the rejected one away.
        let again = gv_build(&dir, &with_o(&["--debug"]));
        assert!(again.status.success(), "{}", support::stderr(&again));
        assert!(!kept.exists());
    }
    // No staging directory is left behind, whatever happened.
    let names: Vec<String> = snapshot(&dir).into_keys().collect();
    let dirs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".gv-build"))
        .collect();
    assert!(dirs.is_empty(), "{dirs:?} in {names:?}");
}

/// Rebuilding (issue 24): an unchanged module makes go relink nothing and gv publish
/// nothing and read no binary it verified before; a sealed record someone edited, or a
/// binary changed on disk, is verified again; an edit rebuilds and re-verifies; a failed
/// verification still never replaces the good binary, which go's own output handling
/// never writes through (it removes its output file before writing a new one).
#[test]
fn an_unchanged_rebuild_publishes_nothing_and_an_edit_rebuilds_and_reverifies() {
    use std::os::unix::fs::MetadataExt;
    let dir = project(
        "divide-again",
        GO_A,
        "[profile.main-only]\ninherits = \"debug\"\ngcflags = { replace = \"-N -l\" }\n",
    );
    let app = dir.join("app");
    let build = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-o", "app"]);
        let out = gv_build(&dir, &all);
        (out.status.code(), support::stderr(&out))
    };
    let inode = || std::fs::metadata(&app).expect("app").ino();
    let fresh = "gv: verified ";
    let remembered = "is up to date: go rebuilt nothing, and gv verified this very binary before";

    let (code, err) = build(&["--debug"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(fresh), "{err}");
    let first = inode();
    let content = std::fs::read(&app).expect("app");

    // Unchanged: nothing published (the same file), nothing read (the verdict recalled).
    let (code, err) = build(&["--debug"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!("gv: {} {remembered}", app.display())),
        "{err}"
    );
    assert!(err.contains("meets the debug profile (DWARF 4"), "{err}");
    assert_eq!(inode(), first);
    assert_eq!(std::fs::read(&app).expect("app"), content);

    // A record someone edited is no record: the binary is read and verified again.
    let records = sandbox().path().join("cache/gv/build/verdicts");
    for entry in std::fs::read_dir(&records).expect("verdict records") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("record");
        std::fs::write(&path, text.replace("Go packages", "Go packages!")).expect("edit");
    }
    let (code, err) = build(&["--debug"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(fresh) && !err.contains(remembered), "{err}");
    assert_eq!(inode(), first);
    let (_, err) = build(&["--debug"]);
    assert!(
        err.contains(remembered),
        "the verdict is remembered again:\n{err}"
    );

    // A binary changed on disk (its modification time here) is verified again.
    let file = std::fs::File::options()
        .write(true)
        .open(&app)
        .expect("open");
    file.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30))
        .expect("set mtime");
    drop(file);
    let (code, err) = build(&["--debug"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(fresh) && !err.contains(remembered), "{err}");

    // A failed verification keeps the good binary exactly as it was.
    let (code, err) = build(&["--profile", "main-only"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(inode(), first);
    assert_eq!(std::fs::read(&app).expect("app"), content);
    assert!(dir.join("app.unverified").is_file(), "{err}");

    // An edit rebuilds, re-verifies and publishes; the next build is up to date again.
    let main = dir.join("main.go");
    let source = std::fs::read_to_string(&main).expect("main.go");
    std::fs::write(
        &main,
        format!("{source}\nfunc unused() int {{ return 42 }}\n"),
    )
    .expect("edit");
    let (code, err) = build(&["--debug"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(fresh) && !err.contains(remembered), "{err}");
    assert_ne!(inode(), first, "an edit publishes a new binary");
    assert_ne!(std::fs::read(&app).expect("app"), content);
    assert!(!dir.join("app.unverified").exists());
    let (_, err) = build(&["--debug"]);
    assert!(err.contains(remembered), "{err}");

    // Without -o too (go's own name, in the package directory), and no staging
    // directory is ever left behind.
    for _ in 0..2 {
        let out = gv_build(&dir, &["--debug"]);
        assert!(out.status.success(), "{}", support::stderr(&out));
    }
    let err = support::stderr(&gv_build(&dir, &["--debug"]));
    assert!(err.contains(remembered), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".gv-build"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// README's own `[profile.ci]` example, exactly as README shows it: it inherits release's
/// stripping with its debug information kept (`keep_debug`: the link has the `-X` and a
/// GNU build ID, not `-s -w`; gv strips after it), so it meets its own
/// `expect = "release"` and its DWARF is in the symbol store.
#[test]
fn the_readme_ci_profile_builds_and_meets_its_expectation() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(toml, _)| toml))
        .find(|toml| toml.contains("[profile.ci]"))
        .expect("README has a [profile.ci] example");
    assert!(block.contains("inherits = \"release\""), "{block}");
    let dir = project("divide-ci", GO_A, block);
    let out = gv_build(&dir, &["--profile", "ci", "-v", "-o", "app-ci"]);
    let err = support::stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("meets the ci profile (stripped; its debug information, DWARF"),
        "{err}"
    );
    let line = err
        .lines()
        .find(|l| l.starts_with("gv: running: "))
        .expect("-v line");
    assert!(
        line.contains("'-ldflags=-X main.channel=ci -B gobuildid'"),
        "{line}"
    );
    // (-trimpath keeps -ldflags out of the build info, so the -v line is the witness.)
    let json = verify_json(&dir.join("app-ci"));
    assert_eq!(json["trimpath"], true);
    assert_eq!(json["build_info"]["settings"]["-tags"], "netgo,osusergo");
    assert_eq!(expect_code(&dir.join("app-ci"), "release").0, 0);
}

#[test]
fn release_build_is_stripped_trimmed_and_cgo_free() {
    let json = verify_json(gv_release_a());
    assert_eq!(json["dwarf"], serde_json::Value::Null);
    assert_eq!(json["symbol_table"], false);
    assert_eq!(json["trimpath"], true);
    assert_eq!(json["build_info"]["settings"]["CGO_ENABLED"], "0");
}

#[test]
fn conflicting_flags_are_refused_before_building() {
    let out = gv_build(project_a(), &["--debug", "-ldflags=-s -w", "-o", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(err.contains("conflicts with the debug profile"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!project_a().join("never").exists());
    let out = gv_build(project_a(), &["--profile", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(support::stderr(&out).contains("unknown build profile `nope`"));
}

#[test]
fn a_build_that_misses_its_expectation_fails() {
    // [profile.main-only] replaces all=-N -l with -N -l: only package main is unoptimised.
    let out = gv_build(
        project_a(),
        &["--profile", "main-only", "-o", "app-main-only"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("does not meet the main-only profile's expectation (debug)"),
        "{err}"
    );
    assert!(
        err.contains("-gcflags='all=-N -l' covers every package"),
        "{err}"
    );
}

fn gdb(binary: &Path) -> String {
    let out = std::process::Command::new("gdb")
        .args([
            "-nx",
            "-batch",
            "-ex",
            "break main.divide",
            "-ex",
            "run",
            "-ex",
            "info args",
        ])
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("gdb is required for this test (apt-get install gdb): {e}"));
    format!("{}{}", support::stdout(&out), support::stderr(&out))
}

#[test]
fn gdb_sees_the_arguments_of_a_debug_build_and_nothing_in_a_release_build() {
    let debug = gdb(&gv_debug_a().path);
    assert!(debug.contains("a = 10"), "gdb on the debug build:\n{debug}");
    assert!(debug.contains("b = 2"), "gdb on the debug build:\n{debug}");
    let release = gdb(gv_release_a());
    assert!(
        release.contains("No symbol table is loaded"),
        "gdb on the release build:\n{release}"
    );
    assert!(!release.contains("a = 10"), "{release}");
}

fn run_panicking(binary: &Path) -> String {
    let out = std::process::Command::new(binary)
        .arg("panic")
        .env_remove("GOTRACEBACK")
        .output()
        .expect("run binary");
    assert_eq!(out.status.code(), Some(2), "a Go panic exits 2");
    support::stderr(&out)
}

#[test]
fn debug_builds_print_every_goroutine_on_panic() {
    let debug = run_panicking(&gv_debug_a().path);
    assert!(debug.contains("integer divide by zero"), "{debug}");
    assert!(
        debug.contains("main.divide(0xa, 0x0)"),
        "exact arguments:\n{debug}"
    );
    assert!(
        debug.contains("main.idle()"),
        "all goroutines, without GOTRACEBACK:\n{debug}"
    );
    // The control: the release build prints only the panicking goroutine.
    let release = run_panicking(gv_release_a());
    assert!(release.contains("integer divide by zero"), "{release}");
    assert!(!release.contains("main.idle"), "{release}");
}

#[test]
fn crash_output_file_is_written_on_go_1_23() {
    let binary = gv_debug_b();
    let _ = std::fs::remove_file(crash_log());
    let stderr = run_panicking(binary);
    assert!(stderr.contains("main.idle()"), "{stderr}");
    let crash = std::fs::read_to_string(crash_log()).expect("crash file written");
    assert!(
        crash.contains("panic: runtime error: integer divide by zero"),
        "{crash}"
    );
}

#[test]
fn gv_run_and_gv_test_build_debuggable_binaries_and_run_them() {
    let dir = project_a();
    let out = gv_in(dir)
        .args(["run", "--debug", "."])
        .output()
        .expect("gv run");
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), "5");
    assert!(support::stderr(&out).contains("meets the debug profile"));
    let out = gv_in(dir)
        .args(["run", "--debug", ".", "panic"])
        .output()
        .expect("gv run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the program's exit code passes through"
    );
    assert!(support::stderr(&out).contains("main.idle()"));

    let out = gv_in(dir)
        .args([
            "test",
            "--debug",
            "--",
            "-test.v",
            "-test.run",
            "TestDivide",
        ])
        .output()
        .expect("gv test");
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(
        support::stdout(&out).contains("--- PASS: TestDivide"),
        "{}",
        support::stdout(&out)
    );
    assert!(support::stderr(&out).contains("meets the debug profile"));
}

/// Ctrl-C during `gv run` stops the program, not gv: gv lives to remove what it built and
/// exits as the program did (130), as it would after go itself is interrupted.
#[test]
fn ctrl_c_during_gv_run_stops_the_program_and_leaves_nothing_behind() {
    use std::os::unix::process::CommandExt;
    let s = sandbox();
    let name = "interrupted";
    s.write(
        &format!("{name}/go.mod"),
        &format!("module example.com/{name}\n\ngo 1.22\n"),
    );
    // Ctrl-C in a terminal signals the whole foreground process group: gv and the program.
    s.write(
        &format!("{name}/main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"syscall\"\n\t\"time\"\n)\n\nfunc main() {\n\tfmt.Println(\"started\")\n\tsyscall.Kill(0, syscall.SIGINT)\n\ttime.Sleep(5 * time.Second)\n\tfmt.Println(\"not interrupted\")\n}\n",
    );
    s.write(&format!("{name}/.go-version"), &format!("{GO_A}\n"));
    let dir = s.work(name);
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let mut gv = std::process::Command::new(assert_cmd::cargo::cargo_bin("gv"));
    // As an interactive shell starts a job: Ctrl-C's default action, whatever this test
    // inherited (a script run in the background, as CI may be, ignores SIGINT, and so
    // would gv and the program).
    // SAFETY: only signal(2), which is async-signal-safe, between fork and exec.
    unsafe {
        gv.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let out = gv
        .args(["run", "--debug", "."])
        .current_dir(&dir)
        .env_clear()
        .envs(s.env())
        .envs(gofixtures::go_env())
        .env("NO_COLOR", "1")
        .env("TMPDIR", &tmp)
        // A process group of its own, as a shell gives a job: the test is not in it.
        .process_group(0)
        .output()
        .unwrap();
    let err = support::stderr(&out);
    assert_eq!(support::stdout(&out), "started\n", "{err}");
    assert_eq!(out.status.code(), Some(130), "{:?}: {err}", out.status);
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .chain(std::fs::read_dir(&dir).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("gv-build"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
