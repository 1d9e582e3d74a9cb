//! How much of a binary `gv verify` will inflate and hold: a binary to verify is outside
//! input (a download, a colleague's build, a CI artefact), and its section headers may
//! claim anything. Every bound on that reading lives here.
//!
//! | what | bound |
//! |------|-------|
//! | one debug section, once inflated | [`SECTION`], 1 GiB, and at most [`RATIO`] times its compressed size (zlib's own limit) |
//! | a section inflated whole and held in memory | up to [`HOLD`], 64 MiB; a larger `.debug_info` is streamed unit by unit |
//! | a compile unit's first bytes, read for its root entry when streaming | [`ROOT_WINDOW`], 1 MiB |
//! | `.debug_abbrev` (always held) | [`ABBREV`], 64 MiB |
//! | one string taken from a streamed `.debug_str` | [`STRING`], 64 KiB |
//!
//! Real Go binaries stay far inside them: a 13 MiB net/http program's `.debug_info`
//! inflates to 3 MiB, a 150 MB Kubernetes binary's to about 200 MB (streamed). A bound
//! that is reached is a typed error naming the section, before anything is allocated for
//! it; memory stays below `HOLD` plus a few windows whatever the file claims.

pub use gv_core::limits::{GIB, KIB, MIB};

/// What one debug section may inflate to, whatever the file's size.
pub const SECTION: u64 = GIB;
/// zlib cannot expand data by more than about 1032 times; a size field claiming more is
/// a lie.
pub const RATIO: u64 = 1032;
/// A section this size or smaller is inflated in one call into a buffer of its exact size
/// (the fastest way there is); a larger `.debug_info` is streamed.
pub const HOLD: u64 = 64 * MIB;
/// When streaming, the first bytes of each compile unit kept to read its root entry (a
/// Go unit's root entry takes a few hundred bytes).
pub const ROOT_WINDOW: u64 = MIB;
/// `.debug_abbrev` is read whole: a few hundred bytes for Go, kilobytes with C.
pub const ABBREV: u64 = 64 * MIB;
/// A producer or unit name taken from a streamed string section.
pub const STRING: usize = 64 * 1024;

/// The bounds one read works under: [`Bounds::DEFAULT`], or smaller ones in tests, so the
/// streaming path runs on small inputs too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub section: u64,
    pub hold: u64,
    pub root_window: u64,
}

impl Bounds {
    pub const DEFAULT: Bounds = Bounds {
        section: SECTION,
        hold: HOLD,
        root_window: ROOT_WINDOW,
    };

    /// The most a section stored in `stored` bytes may claim to inflate to.
    pub fn inflated(&self, stored: u64) -> u64 {
        stored
            .saturating_mul(RATIO)
            .saturating_add(64 * KIB)
            .min(self.section)
    }
}
