//! The shim's memory. A shim lives for well under a millisecond: it allocates ~200 times,
//! ~35 KiB in all (logged from the allocator in `scripts/bench-shim`'s project: a pin
//! five levels up, `gv.toml` and `config.toml` with `[env]`), then execs, which
//! hands everything back at once. So allocation is a pointer bump in one static arena,
//! and freeing gives back only the most recent block (which is how a growing buffer or a
//! temporary string is freed); the rest waits for the exec.
//!
//! On a virtual machine each page a process touches for the first time costs a fault of
//! a few microseconds, and the C library's allocator returned pages to the kernel and
//! faulted them in again; these pages are mapped in one call ([`prefault`]) once the shim
//! knows it has an answer to work out (reusing a remembered one touches a few pages).
//! Measured with valgrind against talc, a general allocator with reuse, over the same
//! arena: ~55,000 fewer instructions per shim run (a quarter of its work then). When the
//! arena is full the system allocator takes over, so a larger need (a config file near
//! its 1 MiB bound) is slower, never a failure.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Seven times what a shim or `gv-shim hook-env` allocates in all; only the pages touched
/// cost anything (the arena is zero-initialised, so it takes no room in the binary).
const ARENA_BYTES: usize = 256 * 1024;

/// What [`prefault`] maps: a shim's whole allocation in `bench-shim`'s project with a
/// little room; a larger environment or larger config files take more, and pages beyond
/// it are faulted in when first touched, as usual.
const ARENA_PREFAULT: usize = 40 * 1024;

/// The stack [`prefault`] maps below `main`: the deepest the shim's work reaches in
/// `bench-shim`'s project is ~19 KiB (TOML parsing under the config loader; measured by
/// painting the stack); deeper pages are faulted in when touched.
const STACK_PREFAULT: usize = 24 * 1024;

#[repr(C, align(4096))]
struct Arena([u8; ARENA_BYTES]);

static mut ARENA: Arena = Arena([0; ARENA_BYTES]);

/// The shim's global allocator: a bump pointer in [`ARENA`], then the system's.
pub struct ShimHeap {
    /// Offset of the first free byte in the arena.
    used: AtomicUsize,
}

fn arena_start() -> usize {
    (&raw const ARENA).addr()
}

impl ShimHeap {
    /// Is `ptr` a block of the arena (rather than the system allocator's)?
    fn owns(ptr: *mut u8) -> bool {
        ptr.addr().wrapping_sub(arena_start()) < ARENA_BYTES
    }

    /// Moves the free offset from `from` to `to`, unless another thread moved it first.
    fn bump(&self, from: usize, to: usize) -> bool {
        self.used
            .compare_exchange(from, to, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// A block for `layout` in the arena, or `None` when it does not fit.
    fn carve(&self, layout: Layout) -> Option<*mut u8> {
        let base = arena_start();
        loop {
            let used = self.used.load(Ordering::Acquire);
            let start = (base + used).checked_next_multiple_of(layout.align())? - base;
            let end = start.checked_add(layout.size())?;
            if end > ARENA_BYTES {
                return None;
            }
            if self.bump(used, end) {
                // In bounds: `end <= ARENA_BYTES`.
                return Some((&raw mut ARENA).cast::<u8>().wrapping_add(start));
            }
        }
    }
}

// SAFETY: arena blocks never overlap (each is carved past the last, atomically) and stay
// inside the arena; a block is only given back when it is the last one carved. Every
// other block comes from System and goes back to it (told apart by address).
unsafe impl GlobalAlloc for ShimHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.carve(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's layout contract, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !ShimHeap::owns(ptr) {
            // SAFETY: not the arena's, so System's.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // The last block carved: give its room back (a failed exchange means it was not).
        let start = ptr.addr() - arena_start();
        self.bump(start + layout.size(), start);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ShimHeap::owns(ptr) {
            // SAFETY: not the arena's, so System's, with the caller's contract.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let start = ptr.addr() - arena_start();
        // The last block grows or shrinks where it is, while it fits.
        if start + new_size <= ARENA_BYTES && self.bump(start + layout.size(), start + new_size) {
            return ptr;
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: `layout.align()` is a valid alignment and the caller guarantees that
        // `new_size`, rounded up to it, does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`; the old block holds `layout.size()` bytes, the new one
        // more, and they do not overlap.
        unsafe {
            let moved = self.alloc(new_layout);
            if !moved.is_null() {
                std::ptr::copy_nonoverlapping(ptr, moved, layout.size());
                self.dealloc(ptr, layout);
            }
            moved
        }
    }
}

#[global_allocator]
static HEAP: ShimHeap = ShimHeap {
    used: AtomicUsize::new(0),
};

/// Writes the allocator's own counter before anything reads it: a page first read is
/// mapped twice (the shared zero page, then a copy at the first write), a page first
/// written once. The shim's entry point calls it before it allocates, with one thread.
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "musl"))]
pub fn touch() {
    // A swap writes (an idempotent `fetch_add(0)` is compiled into a load).
    let used = HEAP.used.swap(0, Ordering::Relaxed);
    HEAP.used.store(used, Ordering::Relaxed);
}

/// Maps the stack and the start of the arena before the shim's work touches them (see
/// `gv_core::platform::prefault`; nothing happens where it does not pay).
pub fn prefault() {
    // Best effort: unmapped pages are faulted in when touched.
    let _ = gv_core::platform::prefault(STACK_PREFAULT, arena_start(), ARENA_PREFAULT);
}
