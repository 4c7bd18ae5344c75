//! `asyncio.sleep(0)`: the one-shot yield to the loop, and its call awaited at once.
//!
//! `sleep` stays a coroutine function written in Aio (`stdlib/asyncio/tasks.aio`): calling
//! it gives a real coroutine, with its type, repr, "never awaited" warning and argument
//! errors. For a delay `<= 0` its body awaits `_yield_once()`, a `YieldOnce` that yields
//! None once (CPython's bare `yield` in `__sleep0`) and then returns the sleep's result.
//!
//! `await asyncio.sleep(0)` is common enough to skip the coroutine: when the `Call` of that
//! very function (recognised by its code, registered by `_sleep_setup`) is followed by the
//! `await` sequence and the delay is an int, bool or float `<= 0`, the caller's frame is set
//! as if its `Send` had just received the `YieldOnce`'s yield: the `YieldOnce` is the awaited
//! object, None is on top and the next instruction is the `YieldValue`. Resuming the frame
//! then runs `Send`, which returns the result; throwing into it raises at the `await`, which
//! is where the coroutine's frames would have let the exception out.
//! Invariant: the shortcut changes nothing unless every condition holds.

use super::future::ValCell;
use super::types;
use crate::compile::code::{AwaitWhere, Instr};
use crate::vm::frame::Frame;
use crate::vm::gen::ExtSend;
use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// How many finished one-shot awaitables are kept for reuse.
const POOL: usize = 64;

/// A one-shot awaitable: yields once to the loop, then completes with `result`.
pub struct YieldOnce {
    /// Set once it has yielded: the next `Send` returns the result.
    done: Cell<bool>,
    result: ValCell,
}

impl ExtObject for YieldOnce {
    fn type_name(&self) -> &str {
        "_YieldOnce"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.result.with(f);
    }
    fn clear(&self) {
        drop(self.result.take());
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn yield_once_await(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

/// Installs the `_YieldOnce` type.
pub fn init_yield_once(vm: &mut Vm, t: &ObjRef) {
    vm.add_method(t, "__await__", yield_once_await);
}

/// A `YieldOnce` in the given state: a finished one nobody else holds is reset and handed
/// out again (sleep(0) in a loop would otherwise allocate and free one per iteration).
fn new_yield_once(vm: &mut Vm, done: bool, result: Value) -> ObjRef {
    while let Some(y) = types(vm).yield_once_pool.pop() {
        if Rc::strong_count(&y) == 1 {
            if let ObjKind::Ext(e) = &y.kind {
                if let Some(yo) = e.as_any().downcast_ref::<YieldOnce>() {
                    yo.done.set(done);
                    yo.result.set(result);
                    return y;
                }
            }
        }
    }
    let cls = types(vm).yield_once.clone();
    vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(YieldOnce {
            done: Cell::new(done),
            result: ValCell::new(result),
        })),
    )
}

/// `_asyncio._yield_once()`: the awaitable of `sleep`'s body for a delay `<= 0`.
pub fn f_yield_once(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Obj(new_yield_once(vm, false, Value::None)))
}

/// `Send` on a `YieldOnce` (None when `sub` is something else).
#[inline]
pub fn send(vm: &mut Vm, sub: &Value, e: &dyn ExtObject) -> Option<ExtSend> {
    let y = e.as_any().downcast_ref::<YieldOnce>()?;
    if !y.done.replace(true) {
        return Some(ExtSend::Yield(Value::None));
    }
    let result = y.result.take();
    if let Value::Obj(o) = sub {
        let pool = &mut types(vm).yield_once_pool;
        if pool.len() < POOL {
            pool.push(o.clone());
        }
    }
    Some(ExtSend::Return(result))
}

/// `_asyncio._sleep_setup(sleep)`: records the `sleep` coroutine function whose awaited
/// calls may take the shortcut.
pub fn f_sleep_setup(vm: &mut Vm, args: Args) -> PyResult {
    let code = match args.pos.first().and_then(|f| f.kind()) {
        Some(ObjKind::Function(f)) => f.code.clone(),
        _ => return Err(vm.type_error("_sleep_setup() needs a function".into())),
    };
    types(vm).sleep_code = Some(code);
    Ok(Value::None)
}

/// For `Call` with `argc` positional arguments: when it calls the registered `sleep` with a
/// delay `<= 0` and awaits the result at once, suspends as the awaited coroutine would
/// (see the module notes) and gives the value to push, which the `YieldValue` yields.
/// None, with nothing changed, otherwise.
#[inline]
pub(crate) fn awaited_call(vm: &mut Vm, frame: &mut Frame, argc: usize) -> Option<Value> {
    let sleep_code = vm.asyncio.as_deref()?.sleep_code.as_ref()?;
    if argc == 0 || argc > 2 {
        return None;
    }
    let base = frame.stack.len() - argc - 2;
    let Value::Obj(o) = &frame.stack[base] else {
        return None;
    };
    let ObjKind::Function(f) = &o.kind else {
        return None;
    };
    if !Rc::ptr_eq(&f.code, sleep_code) || !frame.stack[base + 1].is_null() {
        return None;
    }
    let no_wait = match &frame.stack[base + 2] {
        Value::Int(i) => *i <= 0,
        Value::Bool(b) => !b.get(),
        Value::Float(x) => x.get() <= 0.0,
        _ => false,
    };
    if !no_wait || vm.depth >= vm.config.recursion_limit || vm.limits.fuel <= 0 {
        return None;
    }
    let ip = frame.ip as usize;
    match frame.code.instrs.get(ip..ip + 4)? {
        [Instr::GetAwaitable(AwaitWhere::Await), Instr::LoadConst(k), Instr::Send(_), Instr::YieldValue]
            if frame.code.consts[*k as usize].is_none() => {}
        _ => return None,
    }
    let result = match argc {
        2 => frame.stack[base + 3].clone(),
        // The `result` parameter's default (a missing one is the general path's error).
        _ => f.defaults.borrow().last()?.clone(),
    };
    // The call counts against the instruction budget, as the coroutine's would.
    vm.limits.fuel -= 1;
    frame.stack.truncate(base);
    let y = new_yield_once(vm, true, result);
    frame.push(Value::Obj(y));
    frame.ip = ip as u32 + 3;
    Some(Value::None)
}
