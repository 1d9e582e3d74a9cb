//! On Linux the shim is linked by scripts/link-shim, which lays out the functions named in
//! hot-functions.txt together. The list is read by the linker, not the compiler, so
//! cargo is told here that a new list means a new link.
//!
//! On x86-64 Linux with musl the process starts at the shim's own entry point
//! (`src/entry.rs`), which reuses a remembered answer before the C library is set up and
//! otherwise jumps to the C library's `_start`. `--entry` is understood both by the C
//! compiler that links by default and by lld, which scripts/link-shim runs.
fn main() {
    println!("cargo:rerun-if-changed=hot-functions.txt");
    let cfg = |key: &str| std::env::var(format!("CARGO_CFG_TARGET_{key}")).unwrap_or_default();
    if cfg("OS") == "linux" && cfg("ARCH") == "x86_64" && cfg("ENV") == "musl" {
        println!("cargo:rustc-link-arg-bins=--entry=gv_shim_entry");
    }
}
