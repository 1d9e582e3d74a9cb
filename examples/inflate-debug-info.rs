//! The floor under `gv verify` on a binary with compressed DWARF (scripts/bench-verify):
//! map the file, find `.debug_info` and inflate it whole with libdeflate, the fastest
//! decoder there is for a known output size — what any verifier that reads each compile
//! unit's producer string must at least do, since a zlib stream can only be read from its
//! start. Prints the inflated size.
//!
//! Usage: cargo run --release --example inflate-debug-info -- BINARY

use object::{Object, ObjectSection};

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .expect("usage: inflate-debug-info BINARY");
    let file = std::fs::File::open(&path).expect("open");
    // SAFETY: a read-only map of a file nobody changes during the benchmark.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("map");
    let parsed = object::File::parse(&*map).expect("an executable");
    let section = parsed
        .section_by_name(".debug_info")
        .or_else(|| parsed.section_by_name(".zdebug_info"))
        .expect("a .debug_info section");
    let compressed = section.compressed_data().expect("section data");
    let (zlib, size) = match compressed.format {
        object::CompressionFormat::Zlib => (compressed.data, compressed.uncompressed_size),
        _ => {
            let data = compressed.data;
            let size = u64::from_be_bytes(data[4..12].try_into().expect("ZLIB header"));
            (&data[12..], size)
        }
    };
    let mut out = vec![0u8; size as usize];
    let got = libdeflater::Decompressor::new()
        .zlib_decompress(zlib, &mut out)
        .expect("inflate");
    println!("{got}");
}
