//! gv: a Go toolchain and build-flag manager. The binary is a thin skin over these modules.

pub mod build;
pub mod cli;
pub mod fsutil;
pub mod inspect;
pub mod pin;
pub mod ui;

pub use gv_core::{config, pinfile, select, store, version};
