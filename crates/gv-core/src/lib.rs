//! The small, fast core shared by the `gv` command and the `go`/`gofmt` shims (which link
//! it, so no network and no heavy dependencies). ARCHITECTURE.md walks through it:
//!
//! - [`session`]: one run in one directory — discovery, config, selection, env plan, each
//!   computed once; everything below is what a session is made of;
//! - [`version`] (Go's version order, specs), [`pinfile`] (`.go-version`, go.mod, …),
//!   [`select`](mod@crate::select) (which version applies, and why), [`config`], [`settings`] and [`trust`]
//!   (config.toml, a project's gv.toml, what they set, and whether the latter applies), [`env`](mod@crate::env) (what a go command gets);
//! - [`toolchain`] (the go command's own rule for which toolchain runs);
//! - [`hook`] and [`watch`] (the shell hook's engine), [`shim`] (shim settings),
//!   [`answer_cache`] (what a shim remembers per directory);
//! - [`store`] (every name on disk), [`vars`] (every environment variable), [`process`]
//!   (the one door to the environment, working directory and arguments), [`limits`]
//!   (every bound on outside input: sizes, inflation, transfer progress);
//! - [`error`] (message, cause chain, hint; [`diagnostics`] finds the hint of any of
//!   gv-core's errors), [`notice`] (said once per file version), [`text`] (showing outside
//!   text safely), [`suggest`] (commands gv suggests, quoted, in each shell's
//!   [`shell_syntax`]), [`platform`] (what differs by OS).

pub mod answer_cache;
pub mod color;
pub mod config;
pub mod diagnostics;
pub mod env;
pub mod error;
pub mod hook;
pub mod limits;
pub mod notice;
pub mod pinfile;
pub mod platform;
/// The one door to the process's own state, kept in the platform layer because reading
/// it is the OS's business: see [`platform::process`].
pub use platform::process;
pub mod select;
pub mod session;
pub mod settings;
pub mod shell_syntax;
pub mod shim;
pub mod store;
pub mod suggest;
pub mod text;
pub mod toolchain;
pub mod trust;
pub mod vars;
pub mod verdict;
pub mod version;
pub mod watch;

pub use select::{Origin, Resolved, SelectEnv, SelectError, Selection};
pub use store::Store;
pub use version::{Spec, Version, VersionError};
