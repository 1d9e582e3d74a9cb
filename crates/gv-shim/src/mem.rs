//! `memcpy`, `memmove`, `memcmp` and `bcmp` for the shim linked statically against musl
//! on x86-64.
//!
//! Every copy Rust makes that is not a handful of fixed bytes (a path, a string, a moved
//! struct) is a call to the C library's `memcpy`. musl's, on x86-64, is `rep movsq` with
//! `movsb` loops around it: microcoded instructions that take tens of cycles to start,
//! paid on each of the shim's ~400 copies, most of them under 64 bytes. Sampled with
//! `perf`, that was a fifth of the shim's time in user space. Here a copy of up to 64
//! bytes is a few overlapping unaligned loads and stores, where the gain is; a longer one
//! is still one `rep movsb`. The shim runs 0.011 ms faster per call for it
//! (`scripts/bench-shim`, same rounds, pinned).
//!
//! Defining the two symbols here keeps musl's out of the link: its `memmove` calls into
//! its `memcpy`'s object file, so both are replaced together (`scripts/build-shim` checks
//! that musl's is gone). All loads of a short copy come before any store, so an
//! overlapping `memmove` is right too; `rep movsb` is defined byte by byte, so it is right
//! for any overlap whose direction it follows. There is no loop: a loop of loads and
//! stores is what the compiler turns back into a call to `memcpy`.
//!
//! musl's `memcmp` (which its `bcmp` calls) compares a byte at a time; every `==` of two
//! byte strings is a call to it, and a shim reusing its answer compares ~4 KiB that way
//! (its stamps, paths and variable names): a fifth of its instructions (valgrind). Here
//! eight bytes are compared at a time. `tests/mem.rs` checks it against slices' own
//! ordering for every length to 300 and a difference at every position.
//!
//! `tests/mem.rs` checks the copy against the standard library's (`copy_from_slice`,
//! `copy_within`) for every length to 300, at every alignment, and with every overlap of
//! up to 70 bytes either way. It builds this file for a glibc host, where the two symbols
//! stay out (`target_env = "musl"`).

use std::arch::asm;

/// The shim's `memcpy`: `n` bytes from `src` to `dest`, which must not overlap.
///
/// # Safety
/// As C's `memcpy`: both ranges valid for `n` bytes, and not overlapping.
#[cfg(target_env = "musl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's promise, as for `copy`.
    unsafe { copy(dest, src, n) };
    dest
}

/// The shim's `memmove`: `n` bytes from `src` to `dest`, which may overlap.
///
/// # Safety
/// As C's `memmove`: both ranges valid for `n` bytes.
#[cfg(target_env = "musl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's promise, as for `copy`.
    unsafe { copy(dest, src, n) };
    dest
}

/// The shim's `memcmp`: how the first `n` bytes at `a` and `b` order, as unsigned bytes.
///
/// # Safety
/// As C's `memcmp`: both ranges valid for `n` bytes.
#[cfg(target_env = "musl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's promise, as for `compare`.
    unsafe { compare(a, b, n) }
}

/// The shim's `bcmp`: zero when the first `n` bytes at `a` and `b` are equal.
///
/// # Safety
/// As C's `bcmp`: both ranges valid for `n` bytes.
#[cfg(target_env = "musl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's promise, as for `compare`.
    unsafe { compare(a, b, n) }
}

/// Compares `n` bytes: negative, zero or positive as the first differing byte of `a` is
/// below, equal to or above `b`'s, eight bytes at a time.
///
/// # Safety
/// `a` and `b` must be valid for reads of `n` bytes.
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut at = 0;
    // SAFETY (both loops): every read lies within the first `n` bytes of each range.
    unsafe {
        while at + 8 <= n {
            let x = a.add(at).cast::<u64>().read_unaligned();
            let y = b.add(at).cast::<u64>().read_unaligned();
            if x != y {
                // Little-endian: the lowest differing bit is in the first differing byte.
                at += ((x ^ y).trailing_zeros() / 8) as usize;
                return i32::from(*a.add(at)) - i32::from(*b.add(at));
            }
            at += 8;
        }
        while at < n {
            let (x, y) = (*a.add(at), *b.add(at));
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            at += 1;
        }
    }
    0
}

/// Copies `n` bytes from `src` to `dest`, whether or not the ranges overlap.
///
/// # Safety
/// `src` must be valid for reads and `dest` for writes of `n` bytes.
pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY (all blocks): every access lies within the `n` bytes of each range the
    // caller vouches for, and unaligned reads and writes are used throughout.
    unsafe {
        if n <= 64 {
            copy_small(dest, src, n);
        } else if (dest as usize).wrapping_sub(src as usize) >= n {
            // `dest` is below `src`, or past its end: a forward copy never reads a byte
            // it has already overwritten.
            asm!(
                "rep movsb",
                inout("rcx") n => _,
                inout("rdi") dest => _,
                inout("rsi") src => _,
                options(nostack, preserves_flags)
            );
        } else {
            // `dest` overlaps the end of `src`: copy backwards, from the last byte, with
            // the direction flag set for the one instruction (the ABI wants it clear).
            // Processors have no fast path backwards (about a byte per cycle), but the
            // shim never moves that much that way: an insert near the front of a buffer.
            asm!(
                "std",
                "rep movsb",
                "cld",
                inout("rcx") n => _,
                inout("rdi") dest.add(n - 1) => _,
                inout("rsi") src.add(n - 1) => _,
                options(nostack)
            );
        }
    }
}

/// Copies up to 64 bytes: the first and the last 16 (8, 4) bytes of the range, which
/// overlap to cover every length in between. Every load comes before the first store,
/// so overlapping ranges come out right.
///
/// # Safety
/// As [`copy`], with `n <= 64`.
#[inline(always)]
unsafe fn copy_small(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: as `copy`'s; each offset plus its width is at most `n`.
    unsafe {
        if n >= 32 {
            let a = src.cast::<u128>().read_unaligned();
            let b = src.add(16).cast::<u128>().read_unaligned();
            let c = src.add(n - 32).cast::<u128>().read_unaligned();
            let d = src.add(n - 16).cast::<u128>().read_unaligned();
            dest.cast::<u128>().write_unaligned(a);
            dest.add(16).cast::<u128>().write_unaligned(b);
            dest.add(n - 32).cast::<u128>().write_unaligned(c);
            dest.add(n - 16).cast::<u128>().write_unaligned(d);
        } else if n >= 16 {
            copy_ends::<u128>(dest, src, n);
        } else if n >= 8 {
            copy_ends::<u64>(dest, src, n);
        } else if n >= 4 {
            copy_ends::<u32>(dest, src, n);
        } else if n > 0 {
            // 1 to 3 bytes: the first, the middle and the last.
            let a = *src;
            let b = *src.add(n / 2);
            let c = *src.add(n - 1);
            *dest = a;
            *dest.add(n / 2) = b;
            *dest.add(n - 1) = c;
        }
    }
}

/// Copies `n` bytes, one to two `T`s long: the first and the last `T` of the range, both
/// loaded before either is stored.
///
/// # Safety
/// As [`copy`], with `size_of::<T>() <= n <= 2 * size_of::<T>()`.
#[inline(always)]
unsafe fn copy_ends<T: Copy>(dest: *mut u8, src: *const u8, n: usize) {
    let last = n - size_of::<T>();
    // SAFETY: both `T`s lie within the `n` bytes of each range.
    unsafe {
        let first_value = src.cast::<T>().read_unaligned();
        let last_value = src.add(last).cast::<T>().read_unaligned();
        dest.cast::<T>().write_unaligned(first_value);
        dest.add(last).cast::<T>().write_unaligned(last_value);
    }
}
