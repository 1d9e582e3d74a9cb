//! Every bound the symbol store puts on outside input (cores, records, debuginfod answers,
//! delve's config), in one place beside the code that reads them; `gv_core::limits`
//! holds the rest of gv's bounds and points here.
//!
//! | input | bound |
//! |-------|-------|
//! | a core dump's program headers | 65,535 of them (3.6 MiB), the ELF maximum without extended numbering |
//! | a core dump's notes | [`CORE_NOTES`], 16 MiB over all `PT_NOTE` segments (a Go program's are a few KiB) |
//! | a core dump's image of the executable | [`CORE_EXE_HEAD`], its first 64 KiB (the kernel dumps one page) |
//! | a gv record in the store (`.gv/records/ID.json`) | [`RECORD`], 64 KiB |
//! | the store's directory walk (`gv symbols list`, `prune`) | [`STORE_ENTRIES`], 100,000 files |
//! | a debuginfod answer (`/buildid/ID/debuginfo`, `/executable`) | [`DEBUGINFOD_FILE`], 2 GiB, refused up front when the server announces more |
//! | every debuginfod transfer | gv's transfer rule (`gv_core::limits::TransferRule`: `GV_LOW_SPEED_LIMIT` over `GV_LOW_SPEED_TIME`), like every download |
//! | a delve config file gv merges its settings into | [`DLV_CONFIG`], 1 MiB |

pub use gv_core::limits::{GIB, KIB, MIB};

/// The page size a core's memory is dumped in (the smallest of the platforms gv splits).
pub const PAGE: u64 = 4096;
pub const CORE_NOTES: u64 = 16 * MIB;
pub const CORE_EXE_HEAD: u64 = 64 * KIB;
pub const RECORD: u64 = 64 * KIB;
pub const STORE_ENTRIES: usize = 100_000;
/// A Go program's DWARF is a fraction of its size; Go binaries of a gigabyte exist, but
/// their debug information is far below this.
pub const DEBUGINFOD_FILE: u64 = 2 * GIB;
pub const DLV_CONFIG: u64 = MIB;
