//! The bookkeeping of `asyncio.gather`, native: wrapping the awaitables in tasks, the done
//! callback each child calls, and the result list.
//!
//! `gather` itself and `_GatheringFuture` stay in `stdlib/asyncio/tasks.aio`; for the common
//! case (a running loop of the builtin type without a task factory, and awaitables that are
//! coroutines or builtin futures of that loop) it hands the children to `_gather_children`,
//! which does what CPython's loop over the arguments and its `_done_callback` closure do, in
//! the same order: one task per distinct coroutine, created in argument order, with
//! `_log_destroy_pending` off; one done callback per distinct child; the outer future is
//! completed by the callback of the last child (or of the first failure), results in
//! argument order, a cancelled child counting as `CancelledError`. Anything else takes the
//! Aio code, which is CPython's.
//!
//! The callback state is one collector-tracked object shared by the children's callback
//! lists (as CPython's closure is), so the collector traces it once, not once per child.

use super::future::{self, fut, DoneCallback, FutState};
use crate::vm::object::{Args, ExtObject, GenKind, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// The state of one `gather` (CPython's `_done_callback` closure).
pub struct GatherState {
    /// The `_GatheringFuture` (None until it is made).
    outer: RefCell<Value>,
    /// The list of children, in argument order (shared with `outer._children`).
    children: RefCell<Value>,
    nfuts: Cell<usize>,
    nfinished: Cell<usize>,
    return_exceptions: bool,
}

impl ExtObject for GatherState {
    fn type_name(&self) -> &str {
        "_GatheringCallback"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for c in [&self.outer, &self.children] {
            if let Ok(v) = c.try_borrow() {
                f(&v);
            }
        }
    }
    fn clear(&self) {
        let mut sink = Vec::new();
        for c in [&self.outer, &self.children] {
            if let Ok(mut v) = c.try_borrow_mut() {
                sink.push(std::mem::replace(&mut *v, Value::None));
            }
        }
        drop(sink);
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The gather state behind a done callback, if it is one.
pub fn state_of(v: &Value) -> Option<&GatherState> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<GatherState>(),
        _ => None,
    }
}

/// A builtin future or task (not a subclass, whose methods could be overridden).
fn builtin_future(vm: &mut Vm, o: &ObjRef) -> bool {
    let st = super::types(vm);
    matches!(o.kind, ObjKind::Future(_))
        && o.class
            .as_ref()
            .is_some_and(|c| Rc::ptr_eq(c, &st.future) || Rc::ptr_eq(c, &st.task))
}

/// `_asyncio._gather_children(aws, return_exceptions)`: None when the general (Aio) code must
/// handle these awaitables, else `(children, loop, state)` with every child's done callback
/// registered. The caller makes the outer future and hands it over with `_gather_outer`.
fn f_gather_children(vm: &mut Vm, args: Args) -> PyResult {
    let (Some(Value::Obj(aws)), Some(rex)) = (args.pos.first(), args.pos.get(1)) else {
        return Ok(Value::None);
    };
    let ObjKind::Tuple(items) = &aws.kind else {
        return Ok(Value::None);
    };
    let return_exceptions = vm.truthy(rex)?;
    let lp = super::types(vm).running_loop.clone();
    let Value::Obj(lo) = &lp else {
        return Ok(Value::None);
    };
    let loop_type = super::types(vm).loop_type.clone();
    if !lo.class.as_ref().is_some_and(|c| Rc::ptr_eq(c, &loop_type)) {
        return Ok(Value::None);
    }
    match super::loop_state(&lp) {
        Some(s) if s.borrow().task_factory.is_none() && !s.borrow().closed => {}
        _ => return Ok(Value::None),
    }
    for a in items.iter() {
        let Value::Obj(o) = a else {
            return Ok(Value::None);
        };
        let ok = match &o.kind {
            ObjKind::Generator(g) => g.kind == GenKind::Coroutine,
            ObjKind::Future(f) => builtin_future(vm, o) && f.loop_is(&lp),
            _ => false,
        };
        if !ok {
            return Ok(Value::None);
        }
    }
    let cls = super::types(vm).gather_cb.clone();
    let state = vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(GatherState {
            outer: RefCell::new(Value::None),
            children: RefCell::new(Value::None),
            nfuts: Cell::new(0),
            nfinished: Cell::new(0),
            return_exceptions,
        })),
    );
    // CPython maps each argument to its future to share one child between repeats. A
    // pending future seen before ends its callback list with this gather's callback, so
    // only the other arguments (coroutines, done futures) need looking up, and a sorted
    // list of their addresses finds out whether any repeats, so that the usual call (every
    // argument distinct) builds no map: for a long list of tasks nothing at all, at the
    // moment memory peaks.
    let pending = |o: &ObjRef| matches!(&o.kind, ObjKind::Future(f) if !f.done());
    let repeats = {
        let mut addrs: Vec<usize> = items
            .iter()
            .filter_map(|a| a.as_obj())
            .filter(|o| !pending(o))
            .map(|o| Rc::as_ptr(o) as usize)
            .collect();
        addrs.sort_unstable();
        addrs.windows(2).any(|w| w[0] == w[1])
    };
    let mut seen: HashMap<*const crate::vm::object::Obj, ObjRef> = HashMap::new();
    let mut children = Vec::with_capacity(items.len());
    let mut nfuts = 0;
    for a in items.iter() {
        let Value::Obj(o) = a else { unreachable!() };
        if pending(o) {
            let again = fut(o).callbacks.with(|cbs| {
                matches!(cbs.iter().last(), Some(DoneCallback::Py(Value::Obj(s))) if Rc::ptr_eq(s, &state))
            });
            if !again {
                nfuts += 1;
                future::add_done_callback(vm, o, DoneCallback::Py(Value::Obj(state.clone())));
            }
            children.push(a.clone());
            continue;
        }
        let prior = if repeats {
            seen.get(&Rc::as_ptr(o)).cloned()
        } else {
            None
        };
        let child = match prior {
            Some(c) => c,
            None => {
                let c = if matches!(o.kind, ObjKind::Future(_)) {
                    o.clone()
                } else {
                    let t = super::task::new_task(vm, &lp, a.clone(), Value::None)?;
                    super::task::task_of(&t).log_destroy_pending.set(false);
                    t
                };
                nfuts += 1;
                if repeats {
                    seen.insert(Rc::as_ptr(o), c.clone());
                }
                future::add_done_callback(vm, &c, DoneCallback::Py(Value::Obj(state.clone())));
                c
            }
        };
        children.push(Value::Obj(child));
    }
    drop(seen);
    let children = vm.new_list(children);
    if let Some(g) = state_of(&Value::Obj(state.clone())) {
        *g.children.borrow_mut() = children.clone();
    }
    // The count is known once every child is registered; callbacks run later (call_soon).
    if let Some(g) = state_of(&Value::Obj(state.clone())) {
        g.nfuts.set(nfuts);
    }
    Ok(vm.new_tuple(vec![children, lp, Value::Obj(state)]))
}

/// `_asyncio._gather_outer(state, outer)`.
fn f_gather_outer(_vm: &mut Vm, args: Args) -> PyResult {
    if let (Some(s), Some(o)) = (args.pos.first(), args.pos.get(1)) {
        if let Some(g) = state_of(s) {
            *g.outer.borrow_mut() = o.clone();
        }
    }
    Ok(Value::None)
}

/// A child is done (CPython's `gather.<locals>._done_callback`).
pub fn done(vm: &mut Vm, state: &Value, child: &ObjRef) -> PyResult<()> {
    let Some(g) = state_of(state) else {
        return Ok(());
    };
    g.nfinished.set(g.nfinished.get() + 1);
    let outer = g.outer.borrow().clone();
    let outer = match &outer {
        Value::Obj(o) if matches!(o.payload(), ObjKind::Future(_)) && !fut(o).done() => o.clone(),
        _ => {
            let c = fut(child);
            if c.state.get() != FutState::Cancelled {
                // `fut.exception()`: the exception counts as retrieved.
                c.log_traceback.set(false);
            }
            return Ok(());
        }
    };
    if !g.return_exceptions {
        let c = fut(child);
        if c.state.get() == FutState::Cancelled {
            let exc = future::make_cancelled_error(vm, child);
            return future::set_exception(vm, &outer, Value::Obj(exc.0));
        }
        c.log_traceback.set(false);
        let exc = c.exception();
        if !exc.is_none() {
            return future::set_exception(vm, &outer, exc);
        }
    }
    if g.nfinished.get() != g.nfuts.get() {
        return Ok(());
    }
    // The children are read one at a time rather than copied: with a long list that copy
    // would be made when memory peaks.
    let list = g.children.borrow().clone();
    let items = match &list {
        Value::Obj(l) => match &l.kind {
            ObjKind::List(items) => Some(items),
            _ => None,
        },
        _ => None,
    };
    let n = items.map_or(0, |it| it.borrow().len());
    let mut results = Vec::with_capacity(n);
    let mut last = None;
    for i in 0..n {
        let Some(Value::Obj(co)) = items.and_then(|it| it.borrow().get(i).cloned()) else {
            continue;
        };
        last = Some(co.clone());
        let cf = fut(&co);
        let res = if cf.state.get() == FutState::Cancelled {
            let msg = cf.cancel_message();
            let msg = if msg.is_none() { vm.new_str("") } else { msg };
            Value::Obj(vm.new_exc("CancelledError", vec![msg]).0)
        } else {
            cf.log_traceback.set(false);
            let e = cf.exception();
            if e.is_none() {
                cf.result_value()
            } else {
                e
            }
        };
        results.push(res);
    }
    let cancel_requested = vm.getattr_str(&Value::Obj(outer.clone()), "_cancel_requested")?;
    if vm.truthy(&cancel_requested)? {
        // As in CPython, the loop variable `fut` is the last child here.
        let last = last.unwrap_or_else(|| child.clone());
        let exc = future::make_cancelled_error(vm, &last);
        future::set_exception(vm, &outer, Value::Obj(exc.0))
    } else {
        let l = vm.new_list(results);
        future::set_result(vm, &outer, l)
    }
}

/// The `_asyncio` functions of this module.
pub fn module_functions() -> &'static [(&'static str, crate::vm::object::NativeFn)] {
    &[
        ("_gather_children", f_gather_children),
        ("_gather_outer", f_gather_outer),
    ]
}
