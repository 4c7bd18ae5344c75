//! The part of a future or task kept outside its object: one allocation, a `FutureBody` for
//! a future and, for a task, the future's body followed by the task's state (`TaskBody`), so
//! that a task is its object and one block, not two with a pointer from one to the other.
//!
//! `Body` owns that allocation through one tagged pointer (8 bytes, which the 32-byte head
//! a future keeps in its object has room for, where a pointer and a separate flag would
//! not): bit 0 set means a `TaskBody`. Invariants: the pointer comes from `Box::into_raw` of
//! the kind the tag names and is freed once, by `Drop`, as that kind; a `TaskBody` starts
//! with its `FutureBody` (`repr(C)`), so the untagged pointer is a valid `FutureBody`
//! pointer for both kinds.

#![allow(unsafe_code)]

use super::future::FutureBody;
use super::task::TaskState;
use std::ptr::NonNull;

/// A task's body: the future part first.
#[repr(C)]
struct TaskBody {
    fut: FutureBody,
    task: TaskState,
}

/// The tag bit of a task's body.
const TASK: usize = 1;

// The tag needs bit 0 of the address free.
const _: () = assert!(std::mem::align_of::<FutureBody>() >= 2);
const _: () = assert!(std::mem::align_of::<TaskBody>() >= 2);

/// Owner of a future's or a task's body (see the module documentation).
pub struct Body(NonNull<u8>);

impl Body {
    /// The body of a plain future.
    pub fn future(fut: FutureBody) -> Body {
        let p = Box::into_raw(Box::new(fut));
        // SAFETY: `Box::into_raw` never returns null.
        Body(unsafe { NonNull::new_unchecked(p.cast::<u8>()) })
    }

    /// The body of a task.
    pub fn task(fut: FutureBody, task: TaskState) -> Body {
        let p = Box::into_raw(Box::new(TaskBody { fut, task }));
        // The address is aligned to at least 2 (asserted above), so setting bit 0 keeps it
        // non-null and loses nothing; `map_addr` keeps the provenance.
        let tagged = p.cast::<u8>().map_addr(|a| a | TASK);
        // SAFETY: non-null, as said.
        Body(unsafe { NonNull::new_unchecked(tagged) })
    }

    #[inline]
    fn is_task(&self) -> bool {
        self.0.as_ptr().addr() & TASK != 0
    }

    /// The allocation's address, tag cleared.
    #[inline]
    fn base(&self) -> *mut u8 {
        self.0.as_ptr().map_addr(|a| a & !TASK)
    }

    /// The future part.
    #[inline]
    pub fn fut(&self) -> &FutureBody {
        // SAFETY: `base` is a live allocation owned by `self` holding a `FutureBody` at its
        // start (a `FutureBody` or a `repr(C)` `TaskBody`); it is only read through shared
        // references, and lives as long as `self`.
        unsafe { &*self.base().cast::<FutureBody>() }
    }

    /// The task part, for a task's body.
    #[inline]
    pub fn task_state(&self) -> Option<&TaskState> {
        if !self.is_task() {
            return None;
        }
        // SAFETY: the tag says `base` is a live `TaskBody` owned by `self`, as for `fut`.
        Some(unsafe { &(*self.base().cast::<TaskBody>()).task })
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::into_raw` of the kind the tag names and is
        // freed only here, once.
        unsafe {
            if self.is_task() {
                drop(Box::from_raw(self.base().cast::<TaskBody>()));
            } else {
                drop(Box::from_raw(self.base().cast::<FutureBody>()));
            }
        }
    }
}
