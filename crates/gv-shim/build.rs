//! On Linux the shim is linked by scripts/link-shim, which lays out the functions named in
//! hot-functions.txt together. The list is read by the linker, not the compiler, so
//! cargo is told here that a new list means a new link.
fn main() {
    println!("cargo:rerun-if-changed=hot-functions.txt");
}
