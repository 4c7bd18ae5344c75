//! A global allocator for the `aio` binary: small requests (up to 128 bytes) come from
//! per-thread free lists, one per 8-byte size class, carved out of 256 kB chunks; every other
//! request goes to the system allocator. Every object allocation (`Rc<Obj>`, see the size
//! assertions in `vm::object`) is a 64-byte block; the payloads boxed behind objects (futures,
//! tasks, generators, frames and their slots) are the other common sizes.
//!
//! Why: a script that splits a large text makes millions of small str objects and frees them
//! together. glibc's allocator spends more on that than on the rest of the work: each chunk
//! carries a header (an 80-byte chunk per object), and the first large request after such a
//! free coalesces every freed small chunk (`malloc_consolidate`), after which new objects are
//! cut from the coalesced space on a slow path. A free list makes both allocation and release
//! a pointer swap, like CPython's object allocator, and packs objects 64 bytes apart. The
//! other classes save glibc's header and its rounding to 16 bytes: an 88-byte request takes
//! 88 bytes, not 96, and a 32-byte one 32, not 48 (tens of thousands of waiting tasks are
//! mostly such allocations).
//!
//! Invariants: a block never goes back to the system allocator; it stays on the free list of
//! the thread that freed it (which may differ from the one that allocated it), so blocks move
//! between threads without synchronization. The thread-local state needs no destructor, so
//! it is usable while a thread exits; the blocks on the free list of a thread that exits are
//! not reused (threads other than the interpreter's allocate little, and the interpreter
//! thread lives as long as the process). Memory of a chunk
//! is touched only as blocks are handed out, so a chunk costs resident memory as it is used.
//!
//! Only the binary installs it; a program embedding the library keeps its own allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::{self, null_mut};

/// The size of an object allocation (`Rc<Obj>`).
const OBJECT: usize = 64;
/// Size classes are multiples of `GRAIN` up to `MAX_POOLED`.
const GRAIN: usize = 8;
const MAX_POOLED: usize = 128;
const CLASSES: usize = MAX_POOLED / GRAIN;
/// Bytes requested from the system allocator when a class's pool is empty.
const CHUNK: usize = 256 * 1024;
/// Chunks are cache-line aligned, so that 64-byte objects each sit in one line.
const CHUNK_ALIGN: usize = 64;

/// A free block: the link to the next one is kept in the block itself.
struct Free {
    next: *mut Free,
}

/// A size class's pool: free list head, then the unused tail of its current chunk.
#[derive(Clone, Copy)]
struct Pool {
    free: *mut Free,
    bump: *mut u8,
    end: *mut u8,
}

thread_local! {
    static POOLS: [Cell<Pool>; CLASSES] = const {
        [const {
            Cell::new(Pool {
                free: null_mut(),
                bump: null_mut(),
                end: null_mut(),
            })
        }; CLASSES]
    };
}

/// The size class serving a request, if it is pooled: any size up to `MAX_POOLED` with an
/// alignment of at most `GRAIN` (every block is; nothing common asks for more). glibc would
/// add an 8-byte header and round up to 16 (an 88-byte future payload takes a 96-byte chunk,
/// a 32-byte buffer a 48-byte one); a class every 8 bytes wastes nothing on either. Kept to
/// two comparisons: it is inlined at every allocation site, the dispatch loop's included.
#[inline(always)]
fn class_of(size: usize, align: usize) -> Option<usize> {
    // A zero size (never asked of a global allocator) wraps around and is not pooled.
    let c = size.wrapping_sub(1) / GRAIN;
    (c < CLASSES && align <= GRAIN).then_some(c)
}

/// A block of class `c` when its free list is empty: from the unused tail of the class's
/// chunk, or a new chunk. Out of line, so that what is inlined at allocation sites is only
/// the free-list pop.
#[cold]
#[inline(never)]
fn refill(cell: &Cell<Pool>, c: usize) -> *mut u8 {
    let size = (c + 1) * GRAIN;
    let mut p = cell.get();
    // `end - bump` is a multiple of `size` or less than one block.
    if (p.end as usize) - (p.bump as usize) >= size {
        let b = p.bump;
        // SAFETY: `bump` and `end` delimit the unused tail of one chunk.
        p.bump = unsafe { b.add(size) };
        cell.set(p);
        return b;
    }
    // SAFETY: CHUNK and CHUNK_ALIGN make a valid, non-zero layout.
    let chunk = unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK, CHUNK_ALIGN)) };
    if chunk.is_null() {
        return chunk;
    }
    // SAFETY: the chunk is CHUNK bytes long; `end` stops at the last whole block.
    unsafe {
        p.bump = chunk.add(size);
        p.end = chunk.add(CHUNK - CHUNK % size);
    }
    cell.set(p);
    chunk
}

/// True for the requests of the object class (which `class_of` maps to the same class).
#[inline(always)]
fn object_sized(layout: Layout) -> bool {
    layout.size() > OBJECT - GRAIN && layout.size() <= OBJECT && layout.align() <= GRAIN
}

/// The allocator (see the module documentation).
pub struct ObjAlloc;

impl ObjAlloc {
    #[inline(never)]
    unsafe fn alloc_other(&self, layout: Layout) -> *mut u8 {
        if let Some(c) = class_of(layout.size(), layout.align()) {
            return unsafe { self.block(c) };
        }
        unsafe { System.alloc(layout) }
    }

    #[inline(never)]
    unsafe fn dealloc_other(&self, ptr: *mut u8, layout: Layout) {
        if let Some(c) = class_of(layout.size(), layout.align()) {
            return unsafe { self.release(ptr, c) };
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline(always)]
    unsafe fn block(&self, c: usize) -> *mut u8 {
        POOLS.with(|pools| {
            let cell = &pools[c];
            let mut p = cell.get();
            if p.free.is_null() {
                return refill(cell, c);
            }
            let b = p.free;
            // SAFETY: blocks on the free list are ours and hold a `Free`.
            p.free = unsafe { (*b).next };
            cell.set(p);
            b.cast()
        })
    }

    #[inline(always)]
    unsafe fn release(&self, b: *mut u8, c: usize) {
        POOLS.with(|pools| {
            let cell = &pools[c];
            let mut p = cell.get();
            let f = b.cast::<Free>();
            // SAFETY: `b` is a block of class `c` that the caller no longer uses, at least
            // 8 bytes long and 8-aligned.
            unsafe { f.write(Free { next: p.free }) };
            p.free = f;
            cell.set(p);
        })
    }
}

// SAFETY: a pooled block of class `c` is `(c + 1) * GRAIN` bytes, GRAIN-aligned (chunks are
// CHUNK_ALIGN-aligned and blocks a multiple of GRAIN apart), handed out once
// until released, and never passed to the system allocator; `dealloc` and `realloc` find the
// class again from the layout the block was allocated with. Everything else is the system
// allocator's.
unsafe impl GlobalAlloc for ObjAlloc {
    // Objects take the inlined path; everything else, as when it all went to glibc, a call.
    // Inlining the general path at every allocation site (the dispatch loop's included)
    // cost the call-heavy benchmarks 2% more instructions, none of them allocating.
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if object_sized(layout) {
            return unsafe { self.block(OBJECT / GRAIN - 1) };
        }
        unsafe { self.alloc_other(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some(c) = class_of(layout.size(), layout.align()) {
            let b = unsafe { self.block(c) };
            if !b.is_null() {
                unsafe { ptr::write_bytes(b, 0, layout.size()) };
            }
            return b;
        }
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if object_sized(layout) {
            return unsafe { self.release(ptr, OBJECT / GRAIN - 1) };
        }
        unsafe { self.dealloc_other(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let old = class_of(layout.size(), align);
        let new = class_of(new_size, align);
        match (old, new) {
            (None, None) => return unsafe { System.realloc(ptr, layout, new_size) },
            // The block already has room.
            (Some(a), Some(b)) if a == b => return ptr,
            _ => {}
        }
        // Moving between classes, or into or out of the pools: a new allocation and a copy.
        let moved = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, align)) };
        if !moved.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        moved
    }
}
