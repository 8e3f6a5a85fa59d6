//! The addon's allocator: mimalloc, asked for a plain block whenever the
//! alignment needed is one every block has.
//!
//! The `mimalloc` crate's allocator asks `mi_malloc_aligned` for every
//! block; that path costs about twice `mi_malloc`'s instructions, and the
//! kernel allocates a few small blocks on every input (docs/BENCHMARKS.md).

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// Every mimalloc block is aligned to at least a machine word: its size
/// classes are word multiples laid out from word-aligned page starts.
const WORD: usize = std::mem::size_of::<usize>();

pub struct KernelAllocator;

// SAFETY: each method hands mimalloc's result back as is (null on failure),
// plain calls only where `layout.align() <= WORD`, which every mimalloc block
// meets; `dealloc` frees with `mi_free`, which takes any of these blocks.
unsafe impl GlobalAlloc for KernelAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{KernelAllocator, WORD};
    use std::alloc::{GlobalAlloc, Layout};

    /// Every size and alignment the kernel could ask for comes back aligned,
    /// zeroed when asked, and keeps its bytes through a realloc.
    #[test]
    fn blocks_are_aligned_zeroed_and_kept_through_realloc() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=600).chain([4095, 4096, 70_000]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = KernelAllocator.alloc(layout);
                    assert!(!p.is_null() && (p as usize).is_multiple_of(align), "size {size} align {align}");
                    std::ptr::write_bytes(p, 0xA5, size);
                    let grown = KernelAllocator.realloc(p, layout, size * 3);
                    assert!(!grown.is_null() && (grown as usize).is_multiple_of(align), "realloc {size} align {align}");
                    assert!((0..size).all(|i| *grown.add(i) == 0xA5));
                    KernelAllocator.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let z = KernelAllocator.alloc_zeroed(layout);
                    assert!((z as usize).is_multiple_of(align) && (0..size).all(|i| *z.add(i) == 0));
                    KernelAllocator.dealloc(z, layout);
                }
            }
        }
        assert_eq!(WORD, 8);
    }
}
