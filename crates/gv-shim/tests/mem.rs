//! The shim's `memcpy`, `memmove` and `memcmp` (`src/mem.rs`), against the standard
//! library's copies and ordering.
#![cfg(target_arch = "x86_64")]

#[path = "../src/mem.rs"]
mod mem;

/// Longer than the largest copy made of loads (64 bytes) by far: past it, `rep movsb`.
const MAX: usize = 300;

fn pattern(len: usize) -> Vec<u8> {
    // No period that divides a copy's length, so a byte copied from the wrong place shows.
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Every length to `MAX`, from and to every alignment within 16 bytes.
#[test]
fn copies_between_separate_buffers_at_every_length_and_alignment() {
    let src = pattern(MAX + 16);
    for n in 0..=MAX {
        for from in 0..16 {
            for to in 0..16 {
                let mut dest = vec![0xA5; MAX + 32];
                let mut want = dest.clone();
                want[to..to + n].copy_from_slice(&src[from..from + n]);
                // SAFETY: both ranges lie inside their buffers, which do not overlap.
                unsafe { mem::copy(dest.as_mut_ptr().add(to), src.as_ptr().add(from), n) };
                assert_eq!(dest, want, "{n} bytes from +{from} to +{to}");
            }
        }
    }
}

/// Every length to `MAX`, with the destination up to 70 bytes either side of the source
/// in the same buffer: forwards, backwards and in place, as `memmove` must.
#[test]
fn copies_within_one_buffer_forwards_backwards_and_in_place() {
    const AT: usize = 80;
    for n in 0..=MAX {
        for to in AT - 70..=AT + 70 {
            let mut buf = pattern(AT + 70 + MAX + 16);
            let mut want = buf.clone();
            want.copy_within(AT..AT + n, to);
            let base = buf.as_mut_ptr();
            // SAFETY: both ranges lie inside `buf`, reached through one pointer.
            unsafe { mem::copy(base.add(to), base.add(AT), n) };
            assert_eq!(buf, want, "{n} bytes from +{AT} to +{to}");
        }
    }
}

/// Every length to `MAX`, equal and with one byte different at every position, either
/// way and by any amount: the sign `memcmp` gives is the slices' own order.
#[test]
fn compares_as_slices_order() {
    let a = pattern(MAX + 8);
    for n in 0..=MAX {
        for from in 0..8 {
            let left = &a[from..from + n];
            // SAFETY: both ranges lie inside their buffers.
            assert_eq!(
                unsafe { mem::compare(left.as_ptr(), left.to_vec().as_ptr(), n) },
                0
            );
            for at in 0..n {
                for delta in [1u8, 0x7f, 0x80, 0xff] {
                    let mut right = left.to_vec();
                    right[at] = right[at].wrapping_add(delta);
                    // SAFETY: both ranges are `n` bytes long.
                    let got = unsafe { mem::compare(left.as_ptr(), right.as_ptr(), n) };
                    assert_eq!(
                        got.signum(),
                        left.cmp(&right[..]) as i32,
                        "{n} bytes, at {at}"
                    );
                }
            }
        }
    }
}
