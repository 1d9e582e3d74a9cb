//! The small, fast core shared by the `gv` command and the `go`/`gofmt` shims: Go version
//! parsing and ordering, the files that pin a version, version selection with its origin,
//! and the store's layout. No network, no heavy dependencies: the shim links this.

pub mod config;
pub mod env;
pub mod error;
pub mod hook;
pub mod notice;
pub mod pinfile;
pub mod platform;
pub mod select;
pub mod session;
pub mod shim;
pub mod store;
pub mod text;
pub mod trust;
pub mod vars;
pub mod version;
pub mod watch;

pub use select::{Origin, Resolved, SelectEnv, SelectError, Selection};
pub use store::Store;
pub use version::{Spec, Version, VersionError};
