//! gv's integration tests: black-box runs of the `gv` and `gv-shim` binaries, one test
//! binary with a module per area, so a change relinks once.
//!
//! Tests that need real Go SDKs (provisioned from the Python package index and cached in
//! `~/.cache/gv-test-sdks`), real shells or gdb sit behind the default `real-tests`
//! feature: `cargo test --no-default-features` runs the fast hermetic set, offline.
//!
//! They run on Unix and drive gv from there — the Windows build too, under wine
//! (`windows_wine`). Built for Windows itself, this binary is empty: gv's Windows unit
//! tests run under wine directly (see .ci/run).
#![cfg(unix)]
#![cfg_attr(not(feature = "real-tests"), allow(dead_code, unused_imports))]

mod gofixtures;
mod support;

mod bounded;
#[cfg(feature = "real-tests")]
mod build_matrix;
mod completions;
mod daily;
#[cfg(feature = "real-tests")]
mod debug_builds;
#[cfg(feature = "real-tests")]
mod debug_real;
#[cfg(feature = "real-tests")]
mod go_env_vars;
mod goenv_compat;
#[cfg(feature = "real-tests")]
mod goenv_migration_real;
mod goproxy;
#[cfg(feature = "real-tests")]
mod goproxy_real;
#[cfg(feature = "real-tests")]
mod hostile;
#[cfg(feature = "real-tests")]
mod hostile_round2;
mod ide;
mod install;
#[cfg(feature = "real-tests")]
mod install_real;
mod latest_patch;
mod layout;
#[cfg(feature = "real-tests")]
mod macos_real;
mod maintenance;
mod messages;
mod pins;
mod platforms;
mod proof;
mod readme;
#[cfg(feature = "real-tests")]
mod readme_samples;
#[cfg(feature = "real-tests")]
mod release;
mod selection;
#[cfg(feature = "real-tests")]
mod shell_hook;
mod shim;
mod shim_answers;
#[cfg(feature = "real-tests")]
mod shim_layout;
#[cfg(feature = "real-tests")]
mod shim_real;
mod snapshots;
mod symbols;
#[cfg(feature = "real-tests")]
mod symbols_real;
#[cfg(feature = "real-tests")]
mod terminal;
#[cfg(feature = "real-tests")]
mod tools_real;
mod vulndb;
#[cfg(feature = "real-tests")]
mod vulndb_real;
#[cfg(feature = "real-tests")]
mod windows_wine;
