//! Building gv and gv-shim for a release target, with the same cargo the developer uses.
//!
//! - Linux (musl) and Windows (GNU) are cross-built from Linux with zig as the C compiler
//!   and linker (`cargo-zigbuild`, from the Python package index: `pip install ziglang
//!   cargo-zigbuild`): ring's C and the static musl link need no system toolchain. The
//!   Linux shim needs no C cross-toolchain at all and is built by plain cargo (see below).
//! - macOS is built by plain cargo on a macOS runner (Apple's SDK is needed to link).
//!
//! The release profile (Cargo.toml: thin LTO, one codegen unit, abort on panic) applies
//! to both. The shim, which runs before every go command, is linked the fastest way each
//! platform allows, as scripts/build-shim does for local installs: on Linux statically
//! (musl) at a fixed address, so it neither loads a dynamic linker nor relocates itself,
//! and by Rust's own lld through scripts/link-shim, which lays out the code a shim runs
//! together; on macOS against libSystem with dead code stripped. Only the shim's own
//! crate gets these flags (`cargo rustc -- …`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use gv::release::target::Target;

/// Build-time settings the release command gives gv (see gv's src/main.rs).
pub struct Overrides<'a> {
    /// `GV_BUILD_VERSION`: the version gv reports, when not Cargo.toml's.
    pub version: Option<&'a str>,
    /// `GV_BUILD_RELEASE_KEY`: the only key gv trusts for its updates.
    pub trust_key: Option<&'a str>,
}

/// The built `gv` and `gv-shim` of `target`.
pub struct Binaries {
    pub gv: PathBuf,
    pub shim: PathBuf,
}

pub fn build(root: &Path, target: &Target, overrides: &Overrides<'_>) -> anyhow::Result<Binaries> {
    let zig = !target.triple.contains("apple");
    let linux = target.triple.contains("linux");
    let shim_flags: Vec<OsString> = if linux {
        let mut linker = OsString::from("linker=");
        linker.push(root.join("scripts/link-shim"));
        [
            "-C",
            "relocation-model=static",
            "-C",
            "linker-flavor=ld.lld",
            "-C",
        ]
        .map(OsString::from)
        .into_iter()
        .chain([linker])
        .collect()
    } else if target.triple.contains("apple") {
        ["-C", "link-arg=-Wl,-dead_strip"]
            .map(OsString::from)
            .to_vec()
    } else {
        Vec::new()
    };
    let common = ["--release", "--locked", "--target", target.triple];
    let mut gv = cargo(zig, "build");
    gv.args(common).args(["-p", "gv", "--bin", "gv"]);
    // Set or cleared explicitly: a value left in the environment must not leak into a
    // build, and cargo rebuilds gv when either changes.
    for (name, value) in [
        ("GV_BUILD_VERSION", overrides.version),
        ("GV_BUILD_RELEASE_KEY", overrides.trust_key),
    ] {
        match value {
            Some(v) => gv.env(name, v),
            None => gv.env_remove(name),
        };
    }
    run(gv, &format!("gv for {}", target.triple))?;
    // The Linux shim needs no C cross-toolchain: no C in its dependencies, musl's objects
    // from the Rust target, and Rust's own lld to link (see scripts/link-shim).
    let mut shim = cargo(zig && !linux, "rustc");
    shim.args(common)
        .args(["-p", "gv-shim", "--bin", "gv-shim", "--"])
        .args(shim_flags);
    run(shim, &format!("gv-shim for {}", target.triple))?;
    let dir = target_dir(root).join(target.triple).join("release");
    let bins = Binaries {
        gv: dir.join(target.exe("gv")),
        shim: dir.join(target.exe("gv-shim")),
    };
    for path in [&bins.gv, &bins.shim] {
        if !path.is_file() {
            bail!(
                "the build reported success but {} is missing",
                path.display()
            );
        }
    }
    Ok(bins)
}

fn cargo(zig: bool, subcommand: &str) -> Command {
    if zig {
        let mut cmd = Command::new("cargo-zigbuild");
        cmd.arg(subcommand);
        cmd
    } else {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.arg(subcommand);
        cmd
    }
}

fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    eprintln!("xtask: building {what}");
    let status = cmd.status().with_context(|| {
        let hint = if cmd.get_program() == "cargo-zigbuild" {
            " (Linux and Windows targets need cargo-zigbuild and zig: `pip install ziglang cargo-zigbuild`, with pip's scripts directory on PATH)"
        } else {
            ""
        };
        format!("cannot run {:?}{hint}", cmd.get_program())
    })?;
    if !status.success() {
        bail!("building {what} failed ({status})");
    }
    Ok(())
}

/// cargo's target directory: CARGO_TARGET_DIR, else the workspace's `target/`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}
