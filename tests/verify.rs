//! `gv verify` against real Go binaries built here with plain `go build` (so these tests
//! do not depend on `gv build`): ELF with DWARF 4 and 5, compressed and not, stripped,
//! cross-compiled Mach-O and PE, and every kind of bad input.

mod gofixtures;
mod support;

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
