//! The symbol store and what feeds it: release binaries split into the executable that
//! ships and its debug twin ([`split`]), both kept by GNU build ID ([`store`]) where
//! gdb, delve and debuginfod find them; the build ID of a core's executable
//! ([`coredump`]); missing debug information fetched from debuginfod servers
//! ([`debuginfod`]). Every bound on what these read is in [`limits`].

pub mod build_id;
pub mod coredump;
pub mod debuginfod;
pub mod limits;
pub mod notes;
#[cfg(test)]
mod proptests;
pub mod split;
pub mod store;

pub use build_id::BuildId;
pub use store::SymbolStore;
