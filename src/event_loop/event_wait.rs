//! Native `asyncio.Event.wait`: an awaitable that waits without a coroutine or a frame.
//!
//! `Event` stays a class written in Aio (`stdlib/asyncio/locks.aio`, CPython's code);
//! `_event_setup` replaces its `wait` by a native returning a `WaitOp`, which stands for the
//! coroutine `wait()` would have returned and does what its body does, step for step:
//! `if self._value: return True`, `fut = self._get_loop().create_future()`,
//! `self._waiters.append(fut)`, `await fut`, and in `finally` `self._waiters.remove(fut)`.
//! Attributes are read and written the ordinary way, so subclasses and property overrides
//! behave as in CPython; a subclass overriding `wait` never reaches the native. A pending
//! event costs its waiting tasks one small object each instead of a coroutine with a frame
//! (the point: tens of thousands of tasks parked on one event).
//!
//! The `finally` runs in three ways: on the `Send` that resumes the op after `fut` is done;
//! when an exception is thrown into the frame awaiting the op (cancellation, `close()`),
//! through `Vm::ext_throw_hook`; and, for an op dropped or collected while waiting, with a
//! native removal. When no native event loop is running (or a task is made over it) the op
//! becomes the Aio coroutine, so error paths are CPython's code.
//! Invariant: the op holds no `RefCell` borrow while Aio code may run.

use super::deque::DequeObj;
use super::future::{self, fut};
use super::native_coro::{self, NativeCoro};
use crate::vm::gen::ExtSend;
use crate::vm::heap::{Finalizer, HeapShared};
use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// What `_event_setup` recorded.
pub struct EventSetup {
    /// The Aio coroutine function `Event.wait`.
    wait_coro: Value,
    /// The stock `_LoopBoundMixin._get_loop`, done natively when a class still uses it.
    get_loop: Value,
    /// The type of the ops (named `coroutine`).
    op_type: ObjRef,
}

/// The states of a `WaitOp`.
enum WaitState {
    /// Created, not awaited yet: the event.
    Start(Value),
    /// Suspended at `await fut`, `fut` being in `waiters`.
    Waiting { fut: ObjRef, waiters: ObjRef },
    /// Became the Aio coroutine (driven by hand with no native loop running).
    Delegated(Value),
    /// Finished, or handed to a task: using it again is an error.
    Done,
}

/// The awaitable `Event.wait()` returns.
pub struct WaitOp {
    state: RefCell<WaitState>,
    heap: Rc<HeapShared>,
}

impl Drop for WaitOp {
    fn drop(&mut self) {
        match std::mem::replace(self.state.get_mut(), WaitState::Done) {
            WaitState::Start(_) => self.heap.defer(Finalizer::NeverAwaited {
                qualname: "Event.wait".into(),
            }),
            WaitState::Waiting { fut, waiters } => remove_native(&waiters, &fut),
            _ => {}
        }
    }
}

impl ExtObject for WaitOp {
    fn type_name(&self) -> &str {
        "coroutine"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            match &*s {
                WaitState::Start(ev) => f(ev),
                WaitState::Waiting { fut, waiters } => {
                    f(&Value::Obj(fut.clone()));
                    f(&Value::Obj(waiters.clone()));
                }
                WaitState::Delegated(c) => f(c),
                WaitState::Done => {}
            }
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let old = std::mem::replace(&mut *s, WaitState::Done);
            drop(s);
            if let WaitState::Waiting { fut, waiters } = &old {
                // A collected coroutine is closed, and its `finally` removes the waiter.
                remove_native(waiters, fut);
            }
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn op_of(v: &Value) -> Option<&WaitOp> {
    native_coro::op_of::<WaitOp>(v)
}

/// True for the awaitables of `Event.wait()`.
pub fn is_op(v: &Value) -> bool {
    op_of(v).is_some()
}

fn setup(vm: &mut Vm) -> Option<&EventSetup> {
    super::types(vm).event_wait.as_deref()
}

/// `_asyncio._event_setup(Event, _LoopBoundMixin)`: puts the native `wait` in `Event`.
pub fn f_event_setup(vm: &mut Vm, args: Args) -> PyResult {
    let (Some(Value::Obj(ecls)), Some(Value::Obj(mixin))) = (args.pos.first(), args.pos.get(1))
    else {
        return Err(vm.type_error("_event_setup(Event, _LoopBoundMixin)".into()));
    };
    let (n_wait, n_get_loop) = (vm.intern("wait"), vm.intern("_get_loop"));
    let (Some(wait_coro), Some(get_loop)) = (
        vm.type_dict_get(ecls, &n_wait),
        vm.type_dict_get(mixin, &n_get_loop),
    ) else {
        return Err(vm.type_error("_event_setup: no wait or _get_loop".into()));
    };
    let op_type = native_coro::new_coro_type::<WaitOp>(vm);
    super::types(vm).event_wait = Some(Box::new(EventSetup {
        wait_coro,
        get_loop,
        op_type,
    }));
    let wait = vm.new_native("wait", f_wait);
    vm.type_dict_set(ecls, "wait", wait);
    Ok(Value::None)
}

/// `Event.wait(self)`.
fn f_wait(vm: &mut Vm, args: Args) -> PyResult {
    let Some(s) = setup(vm) else {
        return Err(vm.runtime_error("asyncio.Event is not set up".into()));
    };
    if args.pos.len() != 1 || !args.kwnames.is_empty() {
        // Unusual calls get the coroutine function's own argument handling and errors.
        let f = s.wait_coro.clone();
        return native_coro::call_coro_fn(vm, &f, &args);
    }
    let op_type = s.op_type.clone();
    let op = WaitOp {
        state: RefCell::new(WaitState::Start(args.pos[0].clone())),
        heap: vm.heap.shared.clone(),
    };
    Ok(Value::Obj(
        vm.alloc_instance(op_type, ObjKind::Ext(Box::new(op))),
    ))
}

/// The Aio coroutine `Event.wait(ev)`.
fn coroutine(vm: &mut Vm, ev: Value) -> PyResult {
    let Some(s) = setup(vm) else {
        return Err(vm.runtime_error("asyncio.Event is not set up".into()));
    };
    let f = s.wait_coro.clone();
    vm.call(&f, &[ev])
}

/// A task created over an op runs the coroutine the op stands for.
pub fn task_coro(vm: &mut Vm, v: Value) -> PyResult {
    let Some(op) = op_of(&v) else { return Ok(v) };
    let st = std::mem::replace(&mut *op.state.borrow_mut(), WaitState::Done);
    match st {
        WaitState::Start(ev) => coroutine(vm, ev),
        WaitState::Delegated(c) => Ok(c),
        other => {
            *op.state.borrow_mut() = other;
            Ok(v)
        }
    }
}

/// `Send` on an op.
pub fn op_send(vm: &mut Vm, sub: &Value, value: Value) -> PyResult<ExtSend> {
    let Some(op) = op_of(sub) else {
        return crate::vm::gen::no_ext_send(vm, sub, value);
    };
    let st = std::mem::replace(&mut *op.state.borrow_mut(), WaitState::Done);
    match st {
        WaitState::Start(ev) => start(vm, op, ev),
        WaitState::Waiting { fut: fo, waiters } => {
            // `await fut` resumed (Future.__await__), then the `finally`.
            let r = if fut(&fo).done() {
                future::result(vm, &fo)
            } else {
                Err(vm.runtime_error("await wasn't used with future".into()))
            };
            remove(vm, &Value::Obj(waiters), &Value::Obj(fo))?;
            r?;
            Ok(ExtSend::Return(Value::TRUE))
        }
        WaitState::Delegated(c) => Ok(ExtSend::Delegate(c)),
        WaitState::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
    }
}

/// The body of `wait()` up to its `await fut`.
fn start(vm: &mut Vm, op: &WaitOp, ev: Value) -> PyResult<ExtSend> {
    let lp = super::types(vm).running_loop.clone();
    if super::loop_state(&lp).is_none() {
        // No native loop: CPython's code raises or does whatever the loop asks.
        return Ok(ExtSend::Delegate(coroutine(vm, ev)?));
    }
    let n = vm.intern("_value");
    let v = vm.get_attr(&ev, &n)?;
    if vm.truthy(&v)? {
        return Ok(ExtSend::Return(Value::TRUE));
    }
    let lp = get_loop(vm, &ev, lp)?;
    let fo = match super::loop_state(&lp) {
        Some(_) => Value::Obj(future::new_future(vm, lp)),
        None => vm.call_method(&lp, "create_future", &[])?,
    };
    let n = vm.intern("_waiters");
    let waiters = vm.get_attr(&ev, &n)?;
    match deque_of(&waiters) {
        Some(d) => d.items.borrow_mut().push_back(fo.clone()),
        None => {
            vm.call_method(&waiters, "append", std::slice::from_ref(&fo))?;
        }
    }
    // `await fut`: a builtin future that is not done suspends the task on it.
    let (Value::Obj(f), Value::Obj(w)) = (&fo, &waiters) else {
        remove(vm, &waiters, &fo)?;
        return Err(vm.type_error(format!(
            "object {} can't be used in 'await' expression",
            vm.type_name(&fo)
        )));
    };
    if !matches!(f.payload(), ObjKind::Future(_)) {
        // A loop's own future type: not expected from a native loop.
        remove(vm, &waiters, &fo)?;
        return Err(vm.runtime_error("Event.wait needs a builtin future".into()));
    }
    if fut(f).done() {
        let r = future::result(vm, f);
        remove(vm, &waiters, &fo)?;
        r?;
        return Ok(ExtSend::Return(Value::TRUE));
    }
    fut(f).blocking.set(true);
    *op.state.borrow_mut() = WaitState::Waiting {
        fut: f.clone(),
        waiters: w.clone(),
    };
    Ok(ExtSend::Yield(fo))
}

/// `self._get_loop()` (CPython's `_LoopBoundMixin._get_loop`), natively when the class
/// uses the stock method.
pub(super) fn get_loop(vm: &mut Vm, ev: &Value, running: Value) -> PyResult {
    let stock = {
        let cls = vm.type_of(ev).clone();
        let n = vm.intern("_get_loop");
        let m = vm.lookup_type(&cls, &n);
        let s = setup(vm).map(|s| s.get_loop.clone());
        matches!((m, s), (Some(m), Some(s)) if m.is(&s))
    };
    if !stock {
        return vm.call_method(ev, "_get_loop", &[]);
    }
    let n = vm.intern("_loop");
    let cur = vm.get_attr(ev, &n)?;
    if cur.is_none() {
        vm.set_attr(ev, &n, running.clone())?;
    }
    let cur = vm.get_attr(ev, &n)?;
    if !running.is(&cur) {
        let r = vm.repr(ev)?;
        return Err(vm.runtime_error(format!("{r} is bound to a different event loop")));
    }
    Ok(running)
}

fn deque_of(v: &Value) -> Option<&DequeObj> {
    match v.as_obj()? {
        o if o.class.is_none() => match &o.kind {
            ObjKind::Ext(e) => e.as_any().downcast_ref::<DequeObj>(),
            _ => None,
        },
        _ => None,
    }
}

/// `waiters.remove(fut)`: natively for the builtin deque holding builtin futures (which
/// compare by identity), else through the object's `remove`.
pub(super) fn remove(vm: &mut Vm, waiters: &Value, fo: &Value) -> PyResult<()> {
    if let (Some(d), Value::Obj(f)) = (deque_of(waiters), fo) {
        let t = super::types(vm);
        let stock = [t.future.clone(), t.task.clone()];
        match find_native(d, f, &stock) {
            Some(Some(i)) => {
                let old = d.items.borrow_mut().remove(i);
                drop(old);
                return Ok(());
            }
            Some(None) => {
                return Err(vm.value_error("deque.remove(x): x not in deque".into()));
            }
            None => {}
        }
    }
    vm.call_method(waiters, "remove", std::slice::from_ref(fo))?;
    Ok(())
}

/// Where `f` is in `d` when no comparison before it could run Aio code: Some(None) when
/// absent, None when an item before it is not a builtin future.
fn find_native(d: &DequeObj, f: &ObjRef, stock: &[ObjRef; 2]) -> Option<Option<usize>> {
    let items = d.items.borrow();
    for (i, it) in items.iter().enumerate() {
        match it {
            Value::Obj(o) if Rc::ptr_eq(o, f) => return Some(Some(i)),
            // Futures and tasks of the builtin classes compare by identity.
            Value::Obj(o)
                if o.class
                    .as_ref()
                    .is_some_and(|c| stock.iter().any(|s| Rc::ptr_eq(c, s))) => {}
            _ => return None,
        }
    }
    Some(None)
}

/// Removal without a `Vm` (drops, collection): the builtin deque only.
fn remove_native(waiters: &ObjRef, f: &ObjRef) {
    if let ObjKind::Ext(e) = &waiters.kind {
        if let Some(d) = e.as_any().downcast_ref::<DequeObj>() {
            if let Ok(mut items) = d.items.try_borrow_mut() {
                if let Some(i) = items
                    .iter()
                    .position(|v| matches!(v, Value::Obj(o) if Rc::ptr_eq(o, f)))
                {
                    let old = items.remove(i);
                    drop(items);
                    drop(old);
                }
            }
        }
    }
}

/// An exception is being thrown into the frame awaiting `sub`: the `finally` of `wait()`.
pub fn throw_hook(vm: &mut Vm, sub: &Value) {
    let Some(op) = op_of(sub) else { return };
    let st = {
        let Ok(mut s) = op.state.try_borrow_mut() else {
            return;
        };
        match &*s {
            WaitState::Waiting { .. } => std::mem::replace(&mut *s, WaitState::Done),
            _ => return,
        }
    };
    if let WaitState::Waiting { fut: fo, waiters } = st {
        // An error here would replace the thrown exception in CPython; the frame
        // receiving the throw has no place for it, so it is reported as unraisable.
        if let Err(e) = remove(vm, &Value::Obj(waiters), &Value::Obj(fo)) {
            vm.report_unraisable("Exception ignored in: Event.wait", &e);
        }
    }
}

impl NativeCoro for WaitOp {
    fn qualname(&self) -> &str {
        "Event.wait"
    }
    fn fresh(&self) -> bool {
        matches!(&*self.state.borrow(), WaitState::Start(_))
    }
    fn delegated(&self) -> Option<Value> {
        match &*self.state.borrow() {
            WaitState::Delegated(c) => Some(c.clone()),
            _ => None,
        }
    }
    fn set_delegated(&self, c: Value) {
        *self.state.borrow_mut() = WaitState::Delegated(c);
    }
    fn step(vm: &mut Vm, sub: &Value, value: Value) -> PyResult<ExtSend> {
        op_send(vm, sub, value)
    }
    fn finish(&self, vm: &mut Vm, sub: &Value) {
        throw_hook(vm, sub);
        let old = std::mem::replace(&mut *self.state.borrow_mut(), WaitState::Done);
        drop(old);
    }
}
