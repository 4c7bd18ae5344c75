//! Why an `Engine` may move to another thread between calls.
//!
//! The interpreter uses `Rc` and `RefCell` throughout, so `Vm` is neither `Send` nor `Sync`.
//! Moving a whole `Vm` to another thread is nevertheless sound when no `Rc` it owns is
//! reachable from anywhere else: the non-atomic reference counts are then only ever touched
//! by the one thread that owns the engine at the time. `Engine` upholds that:
//!
//! - The host never receives an owned script object. Conversions copy (`Dynamic`, numbers,
//!   strings, containers); `Raw` is an index into an engine-owned arena, checked against the
//!   engine id and a generation on use; `ScriptRef` and `Ctx` are borrows that cannot outlive
//!   the call they are given to.
//! - Everything the host puts inside the engine is `Send`: native closures, output callbacks,
//!   `UserData` values, remote jobs.
//! - Objects that other threads share with the engine are `Arc`s of thread-safe data: the
//!   loop's remote queue and waker, the interrupt word, pending-result slots, waitables.
//! - The interpreter keeps no thread-local state between calls: the drop-depth counters in
//!   `vm::heap` are back to zero whenever no drop is running, and the monotonic clock base
//!   is a process-wide `OnceLock`.
//!
//! `Engine` is deliberately not `Sync`: `&Engine` gives no access from two threads at once.
#![allow(unsafe_code)]

use super::Engine;

// SAFETY: see the module documentation: every `Rc` reachable from the engine is owned by it
// and never handed out, so moving the engine moves all of them together.
unsafe impl Send for Engine {}
