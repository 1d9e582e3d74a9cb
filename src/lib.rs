//! gv: a Go toolchain and build-flag manager. The binary is a thin skin over these modules.

pub mod archive;
pub mod cli;
pub mod current_link;
pub mod debug;
pub mod doctor;
pub mod error;
pub mod fsutil;
pub mod go_settings;
pub mod gobuild;
pub mod ide;
pub mod import;
pub mod inspect;
pub mod install;
pub mod interrupt;
pub mod pin;
pub mod prune;
pub mod release;
pub mod self_update;
pub mod shell;
pub mod shim_dir;
pub mod sources;
pub mod symbols;
#[cfg(test)]
mod test_config;
pub mod tools;
pub mod trust;
pub mod ui;
pub mod vulndb;
