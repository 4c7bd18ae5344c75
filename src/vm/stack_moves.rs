//! The moves of a plain call's arguments from the caller's operand stack into the callee's
//! local slots, done as one block copy.
//!
//! A call leaves `callable self_or_null args...` on the caller's stack. By the time the
//! callee's frame is entered, the callable's slot holds Null (it was moved out to read the
//! code) and so does an empty `self` slot; the callee's first local slots are unbound (Null).
//! Moving the arguments is then a copy of bytes and a shorter length: no value is dropped,
//! so none of the per-value drop checks that `Vec::pop`/`truncate` would run are needed.
//! Invariant kept for soundness: only bounds are relied on, and they are checked; a value
//! overwritten or forgotten against the expectations above would leak, never be freed twice.
#![allow(unsafe_code)]

use super::value::Value;

/// Moves the top `n` values of `stack` into `slots[..n]` (in order) and cuts `stack` back
/// to `base`. `slots[..n]` and `stack[base..len - n]` are expected to hold Null.
#[inline(always)]
pub fn move_args(stack: &mut Vec<Value>, slots: &mut [Value], n: usize, base: usize) {
    let len = stack.len();
    assert!(
        n <= slots.len() && n <= len && base <= len - n,
        "call arguments out of range"
    );
    debug_assert!(slots[..n].iter().all(Value::is_null));
    debug_assert!(stack[base..len - n].iter().all(Value::is_null));
    // SAFETY: `len - n .. len` is in bounds of `stack` and `..n` of `slots` (checked above),
    // and the two buffers are distinct allocations (`&mut` to both). The Nulls overwritten in
    // `slots` own nothing, so skipping their drop frees nothing twice and leaks nothing. After
    // `set_len(base)` the values at `len - n ..` are owned by `slots` alone, and those at
    // `base .. len - n` (Nulls) own nothing; `base <= len` keeps the length valid.
    unsafe {
        let from = stack.as_ptr().add(len - n);
        let to = slots.as_mut_ptr();
        // Most calls pass one to three arguments: copied in registers, not through memcpy.
        match n {
            0 => {}
            1 => to.write(from.read()),
            2 => {
                to.write(from.read());
                to.add(1).write(from.add(1).read());
            }
            3 => {
                to.write(from.read());
                to.add(1).write(from.add(1).read());
                to.add(2).write(from.add(2).read());
            }
            _ => std::ptr::copy_nonoverlapping(from, to, n),
        }
        stack.set_len(base);
    }
}
