//! A global allocator for the `aio` binary: 64-byte blocks — the size of every object
//! allocation (`Rc<Obj>`, see the size assertions in `vm::object`) — come from per-thread
//! free lists carved out of 256 kB chunks; every other request goes to the system allocator.
//!
//! Why: a script that splits a large text makes millions of small str objects and frees them
//! together. glibc's allocator spends more on that than on the rest of the work: each chunk
//! carries a header (an 80-byte chunk per object), and the first large request after such a
//! free coalesces every freed small chunk (`malloc_consolidate`), after which new objects are
//! cut from the coalesced space on a slow path. A free list makes both allocation and release
//! a pointer swap, like CPython's object allocator, and packs objects 64 bytes apart.
//!
//! Invariants: a block never goes back to the system allocator; it stays on the free list of
//! the thread that freed it (which may differ from the one that allocated it), so blocks move
//! between threads without synchronization. The thread-local state needs no destructor, so
//! it is usable while a thread exits; the blocks on the free list of a thread that exits are
//! not reused (threads other than the interpreter's allocate few objects). Memory of a chunk
//! is touched only as blocks are handed out, so a chunk costs resident memory as it is used.
//!
//! Only the binary installs it; a program embedding the library keeps its own allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::{self, null_mut};

/// The block size served from the pools.
pub const BLOCK: usize = 64;
/// Bytes requested from the system allocator when a thread's pool is empty.
const CHUNK: usize = 256 * 1024;

/// A free block: the link to the next one is kept in the block itself.
struct Free {
    next: *mut Free,
}

/// A thread's pool: free list head, then the unused tail of its current chunk.
#[derive(Clone, Copy)]
struct Pool {
    free: *mut Free,
    bump: *mut u8,
    end: *mut u8,
}

thread_local! {
    static POOL: Cell<Pool> = const {
        Cell::new(Pool {
            free: null_mut(),
            bump: null_mut(),
            end: null_mut(),
        })
    };
}

/// True for requests served from the pools: those glibc would round to a 64- or 80-byte chunk.
#[inline(always)]
fn pooled(size: usize, align: usize) -> bool {
    size > 48 && size <= BLOCK && align <= BLOCK
}

/// The allocator (see the module documentation).
pub struct ObjAlloc;

impl ObjAlloc {
    #[inline(always)]
    unsafe fn block(&self) -> *mut u8 {
        POOL.with(|cell| {
            let mut p = cell.get();
            if !p.free.is_null() {
                let b = p.free;
                // SAFETY: blocks on the free list are ours and hold a `Free`.
                p.free = unsafe { (*b).next };
                cell.set(p);
                return b.cast();
            }
            if p.bump != p.end {
                let b = p.bump;
                // SAFETY: `bump` and `end` delimit the unused tail of one chunk.
                p.bump = unsafe { b.add(BLOCK) };
                cell.set(p);
                return b;
            }
            // SAFETY: CHUNK and BLOCK make a valid, non-zero layout.
            let chunk = unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK, BLOCK)) };
            if chunk.is_null() {
                return chunk;
            }
            // SAFETY: the chunk is CHUNK bytes long, a multiple of BLOCK.
            unsafe {
                p.bump = chunk.add(BLOCK);
                p.end = chunk.add(CHUNK);
            }
            cell.set(p);
            chunk
        })
    }

    #[inline(always)]
    unsafe fn release(&self, b: *mut u8) {
        POOL.with(|cell| {
            let mut p = cell.get();
            let f = b.cast::<Free>();
            // SAFETY: `b` is a block that the caller no longer uses.
            unsafe { f.write(Free { next: p.free }) };
            p.free = f;
            cell.set(p);
        })
    }
}

// SAFETY: pooled blocks are BLOCK-aligned (chunks are, and blocks are BLOCK apart), are handed
// out once until released, and are never passed to the system allocator; everything else is
// the system allocator's.
unsafe impl GlobalAlloc for ObjAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if pooled(layout.size(), layout.align()) {
            return unsafe { self.block() };
        }
        unsafe { System.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if pooled(layout.size(), layout.align()) {
            let b = unsafe { self.block() };
            if !b.is_null() {
                unsafe { ptr::write_bytes(b, 0, BLOCK) };
            }
            return b;
        }
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if pooled(layout.size(), layout.align()) {
            return unsafe { self.release(ptr) };
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        if !pooled(layout.size(), align) && !pooled(new_size, align) {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // Moving into or out of a pool: a new allocation and a copy.
        let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, align)) };
        if !new.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
