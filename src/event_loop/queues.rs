//! Native `asyncio.Queue.put` and `Queue.get`: a lazy awaitable that waits natively.
//!
//! `Queue` stays a class written in Aio (`stdlib/asyncio/queues.aio`, CPython's code): its
//! attributes, `repr`, `put_nowait`, `join` and the coroutines `put`/`get` are the script's.
//! `_queue_setup` replaces `Queue.put` and `Queue.get` by natives returning a `QueueOp`,
//! which stands for the coroutine `put(item)`/`get()` would have returned. When the queue's
//! class still uses the stock methods (checked per class, cached until a class attribute
//! changes), the op does what CPython's `put`/`get` do, step for step, natively: at the top
//! of `while self.full():` (`while self.empty():`) it either completes (`put_nowait`'s work,
//! no coroutine, no frame) or, with a native loop running, creates a future, appends it to
//! `_putters` (`_getters`) and waits on it (`OpState::Waiting`); woken, it goes back to the
//! loop's top. The `except:` clause around the wait (cancel the future, remove it, wake the
//! next waiter when the queue is not full and the future was not cancelled) runs when an
//! exception is thrown into the awaiting frame (`throw_hook`, through
//! `Vm::ext_throw_hook`), when the future itself was cancelled, and, deferred, when a
//! waiting op is dropped or collected. In any other case (a subclass overriding `_put`,
//! `full`, `put_nowait`..., no native loop, `create_task(q.get())`) the op turns into the
//! Aio coroutine (`ExtSend::Delegate`) at the loop's top, which runs from there exactly as
//! if it had been created by the call.
//! Invariant: the fast path mutates nothing before it knows it will complete, and holds no
//! `RefCell` borrow while Aio code may run.

use super::deque::DequeObj;
use super::future::{self, fut, FutState};
use super::native_coro::{self, NativeCoro};
use crate::vm::gen::ExtSend;
use crate::vm::heap::{Finalizer, HeapShared};
use crate::vm::object::{Args, Attrs, ExtObject, Obj, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// The stock methods whose use the fast path assumes, in `Reg::methods` order.
const METHODS: [&str; 8] = [
    "full",
    "qsize",
    "empty",
    "put_nowait",
    "get_nowait",
    "_put",
    "_get",
    "_wakeup_next",
];

/// The instance attributes the fast path reads, in the order `Queue.__init__` sets them
/// (`_loop` only to recognise it).
const FIELDS: [&str; 7] = [
    "_maxsize",
    "_getters",
    "_putters",
    "_unfinished_tasks",
    "_finished",
    "_queue",
    "_loop",
];
const F_UNFINISHED: usize = 3;
const F_QUEUE: usize = 5;

/// What `_queue_setup` recorded: the Aio coroutine functions and the stock methods.
struct RegData {
    put_coro: Value,
    get_coro: Value,
    methods: Vec<Value>,
    method_names: Vec<Value>,
    field_names: Vec<Value>,
    event_cls: Value,
    event_clear: Value,
    value_name: Value,
    op_type: ObjRef,
    /// Per class: (class, `Vm::type_epoch` when checked, (fast path allowed, stock Event)).
    plans: Vec<(Weak<Obj>, u64, (bool, bool))>,
    /// The addresses of the interned `field_names`, for quick layout checks.
    field_addrs: [usize; 7],
    /// A used-up op nobody else references any more, ready to be reused by the next call
    /// (saves allocating one per `put`/`get`; only ops that completed are kept here).
    spare: Option<ObjRef>,
}

/// The payload behind the native `put`/`get` functions' `data`.
pub struct Reg {
    data: RefCell<Option<RegData>>,
}

impl ExtObject for Reg {
    fn type_name(&self) -> &str {
        "_QueueReg"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(d) = self.data.try_borrow() {
            if let Some(d) = &*d {
                f(&d.put_coro);
                f(&d.get_coro);
                d.methods.iter().for_each(&mut *f);
                f(&d.event_cls);
                f(&d.event_clear);
                if let Some(o) = &d.spare {
                    f(&Value::Obj(o.clone()));
                }
            }
        }
    }
    fn clear(&self) {
        if let Ok(mut d) = self.data.try_borrow_mut() {
            let old = d.take();
            drop(d);
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The states of a `QueueOp`.
enum OpState {
    /// Created, not awaited yet: `item` is None for `get`.
    Start {
        reg: Value,
        q: Value,
        item: Option<Value>,
    },
    /// Suspended at `await putter` (`await getter`) in the loop of `put` (`get`), the future
    /// `fut` being in `waiters` (`q._putters` or `q._getters`).
    Waiting {
        reg: Value,
        q: Value,
        item: Option<Value>,
        fut: ObjRef,
        waiters: ObjRef,
    },
    /// Became the Aio coroutine: `Send`, `send`, `throw` and `close` go to it.
    Delegated(Value),
    /// Finished (or handed to a task): using it again is an error.
    Done,
}

/// The awaitable `Queue.put(item)` / `Queue.get()` return.
pub struct QueueOp {
    state: RefCell<OpState>,
    heap: Rc<HeapShared>,
}

impl Drop for QueueOp {
    fn drop(&mut self) {
        match std::mem::replace(self.state.get_mut(), OpState::Done) {
            OpState::Start { item, .. } => {
                let qualname = if item.is_some() {
                    "Queue.put"
                } else {
                    "Queue.get"
                };
                self.heap.defer(Finalizer::NeverAwaited {
                    qualname: qualname.into(),
                });
            }
            st @ OpState::Waiting { .. } => defer_except(&self.heap, st),
            _ => {}
        }
    }
}

/// A waiting op goes away without having been closed (dropped with the frame awaiting it, or
/// collected): its `except` clause runs at the next safe point, as a closed coroutine's would.
fn defer_except(heap: &HeapShared, st: OpState) {
    if let OpState::Waiting { .. } = st {
        heap.defer(Finalizer::Hook(Box::new(move |vm: &mut Vm| {
            run_except(vm, st)
        })));
    }
}

/// Runs the `except` clause of a waiting op's `put`/`get` (nothing for other states). An
/// error there has no frame to go to (it would replace the exception thrown in, or there is
/// none): it is reported as unraisable.
fn run_except(vm: &mut Vm, st: OpState) {
    if let OpState::Waiting {
        reg,
        q,
        item,
        fut,
        waiters,
    } = st
    {
        let w = Wait {
            reg: &reg,
            q: &q,
            put: item.is_some(),
            fut: &fut,
            waiters: &waiters,
        };
        if let Err(e) = except_clause(vm, &w) {
            vm.report_unraisable(&format!("Exception ignored in: {}", w.qualname()), &e);
        }
    }
}

impl ExtObject for QueueOp {
    fn type_name(&self) -> &str {
        "coroutine"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            match &*s {
                OpState::Start { reg, q, item } => {
                    f(reg);
                    f(q);
                    if let Some(i) = item {
                        f(i);
                    }
                }
                OpState::Waiting {
                    reg,
                    q,
                    item,
                    fut,
                    waiters,
                } => {
                    f(reg);
                    f(q);
                    if let Some(i) = item {
                        f(i);
                    }
                    f(&Value::Obj(fut.clone()));
                    f(&Value::Obj(waiters.clone()));
                }
                OpState::Delegated(c) => f(c),
                OpState::Done => {}
            }
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let old = std::mem::replace(&mut *s, OpState::Done);
            drop(s);
            match old {
                st @ OpState::Waiting { .. } => defer_except(&self.heap, st),
                old => drop(old),
            }
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl NativeCoro for QueueOp {
    fn qualname(&self) -> &str {
        match &*self.state.borrow() {
            OpState::Start { item: None, .. } | OpState::Waiting { item: None, .. } => "Queue.get",
            _ => "Queue.put",
        }
    }
    fn fresh(&self) -> bool {
        matches!(&*self.state.borrow(), OpState::Start { .. })
    }
    fn delegated(&self) -> Option<Value> {
        match &*self.state.borrow() {
            OpState::Delegated(c) => Some(c.clone()),
            _ => None,
        }
    }
    fn set_delegated(&self, c: Value) {
        *self.state.borrow_mut() = OpState::Delegated(c);
    }
    fn step(vm: &mut Vm, sub: &Value, value: Value) -> PyResult<ExtSend> {
        op_send(vm, sub, value)
    }
    fn finish(&self, vm: &mut Vm, sub: &Value) {
        throw_hook(vm, sub);
        let old = std::mem::replace(&mut *self.state.borrow_mut(), OpState::Done);
        drop(old);
    }
}

fn op_of(v: &Value) -> Option<&QueueOp> {
    native_coro::op_of::<QueueOp>(v)
}

fn op_of_obj(o: &ObjRef) -> Option<&QueueOp> {
    match &o.kind {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<QueueOp>(),
        _ => None,
    }
}

fn reg_of(v: &Value) -> Option<&Reg> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<Reg>(),
        _ => None,
    }
}

/// True for the awaitables of `Queue.put`/`Queue.get` (awaited directly by `Send`).
pub fn is_op(v: &Value) -> bool {
    op_of(v).is_some()
}

/// `_asyncio._queue_setup(Queue, Event)`: records the stock methods of `Queue` and puts
/// the native `put` and `get` in its place.
pub fn f_queue_setup(vm: &mut Vm, args: Args) -> PyResult {
    let (Some(Value::Obj(qcls)), Some(Value::Obj(ecls))) = (args.pos.first(), args.pos.get(1))
    else {
        return Err(vm.type_error("_queue_setup(Queue, Event)".into()));
    };
    let get = |vm: &mut Vm, cls: &ObjRef, name: &str| -> PyResult<Value> {
        let n = vm.intern(name);
        vm.type_dict_get(cls, &n)
            .ok_or_else(|| vm.type_error(format!("_queue_setup: no {name}")))
    };
    let put_coro = get(vm, qcls, "put")?;
    let get_coro = get(vm, qcls, "get")?;
    let event_clear = get(vm, ecls, "clear")?;
    let mut methods = Vec::new();
    let mut method_names = Vec::new();
    for m in METHODS {
        methods.push(get(vm, qcls, m)?);
        method_names.push(vm.intern(m));
    }
    // `_get_loop` comes from the mixin.
    let n = vm.intern("_get_loop");
    let get_loop = vm
        .lookup_type(qcls, &n)
        .ok_or_else(|| vm.type_error("_queue_setup: no _get_loop".into()))?;
    methods.push(get_loop);
    method_names.push(n);
    let field_names: Vec<Value> = FIELDS.iter().map(|f| vm.intern(f)).collect();
    let mut field_addrs = [0; 7];
    for (a, n) in field_addrs.iter_mut().zip(&field_names) {
        *a = key_addr(n);
    }
    let op_type = native_coro::new_coro_type::<QueueOp>(vm);
    let data = RegData {
        put_coro,
        get_coro,
        methods,
        method_names,
        field_names,
        event_cls: Value::Obj(ecls.clone()),
        event_clear,
        value_name: vm.intern("_value"),
        op_type: op_type.clone(),
        plans: Vec::new(),
        field_addrs,
        spare: None,
    };
    let reg = Value::Obj(vm.alloc_instance(
        op_type,
        ObjKind::Ext(Box::new(Reg {
            data: RefCell::new(Some(data)),
        })),
    ));
    let put = vm.new_native_with("put", f_put, reg.clone());
    let get = vm.new_native_with("get", f_get, reg);
    vm.type_dict_set(qcls, "put", put);
    vm.type_dict_set(qcls, "get", get);
    Ok(Value::None)
}

/// `Queue.put(self, item)`.
fn f_put(vm: &mut Vm, args: Args) -> PyResult {
    new_op(vm, args, true)
}

/// `Queue.get(self)`.
fn f_get(vm: &mut Vm, args: Args) -> PyResult {
    new_op(vm, args, false)
}

fn new_op(vm: &mut Vm, args: Args, put: bool) -> PyResult {
    let reg = args.data;
    let arity = if put { 2 } else { 1 };
    if args.pos.len() == arity && args.kwnames.is_empty() {
        if let Some(target) = vm.awaited_at_once() {
            // `await q.put(x)` / `await q.get()`: when the fast path applies, the awaitable
            // would complete at once, so do its work now and skip the await.
            if let Fast::Done(v) = fast_op(vm, reg, &args.pos[0], args.pos.get(1))? {
                vm.finish_awaited(target);
                return Ok(v);
            }
        }
    }
    let op_type = {
        let mut d = reg_of(reg).and_then(|r| r.data.try_borrow_mut().ok());
        match d.as_deref_mut() {
            Some(Some(d)) if args.pos.len() == arity && args.kwnames.is_empty() => {
                let start = || OpState::Start {
                    reg: reg.clone(),
                    q: args.pos[0].clone(),
                    item: args.pos.get(1).cloned(),
                };
                if let Some(o) = d.spare.take() {
                    if Rc::strong_count(&o) == 1 {
                        if let Some(op) = op_of_obj(&o) {
                            *op.state.borrow_mut() = start();
                            return Ok(Value::Obj(o));
                        }
                    }
                }
                Some(d.op_type.clone())
            }
            Some(Some(_)) => None,
            _ => return Err(vm.runtime_error("asyncio.Queue is not set up".into())),
        }
    };
    let Some(op_type) = op_type else {
        // Unusual calls get the coroutine function's own argument handling and errors.
        let coro_fn = {
            let d = reg_of(reg).expect("checked").data.borrow();
            let d = d.as_ref().expect("checked");
            if put {
                d.put_coro.clone()
            } else {
                d.get_coro.clone()
            }
        };
        return native_coro::call_coro_fn(vm, &coro_fn, &args);
    };
    let op = QueueOp {
        state: RefCell::new(OpState::Start {
            reg: reg.clone(),
            q: args.pos[0].clone(),
            item: args.pos.get(1).cloned(),
        }),
        heap: vm.heap.shared.clone(),
    };
    Ok(Value::Obj(
        vm.alloc_instance(op_type, ObjKind::Ext(Box::new(op))),
    ))
}

/// Keeps a completed op for reuse.
fn keep_spare(reg: &Value, op: &Value) {
    if let (Some(r), Value::Obj(o)) = (reg_of(reg), op) {
        if let Ok(mut d) = r.data.try_borrow_mut() {
            if let Some(d) = &mut *d {
                d.spare = Some(o.clone());
            }
        }
    }
}

/// The Aio coroutine the op stands for.
fn coroutine(vm: &mut Vm, reg: &Value, q: Value, item: Option<Value>) -> PyResult {
    let f = {
        let d = reg_of(reg).map(|r| r.data.borrow());
        match d.as_deref() {
            Some(Some(d)) if item.is_some() => d.put_coro.clone(),
            Some(Some(d)) => d.get_coro.clone(),
            _ => return Err(vm.runtime_error("asyncio.Queue is not set up".into())),
        }
    };
    match item {
        Some(i) => vm.call(&f, &[q, i]),
        None => vm.call(&f, &[q]),
    }
}

/// `Send` on a queue op: the result, the future to wait on, or the coroutine to delegate to.
pub fn op_send(vm: &mut Vm, sub: &Value, _value: Value) -> PyResult<ExtSend> {
    let Some(op) = op_of(sub) else {
        return crate::vm::gen::no_ext_send(vm, sub, _value);
    };
    let st = std::mem::replace(&mut *op.state.borrow_mut(), OpState::Done);
    match st {
        OpState::Start { reg, q, item } => loop_top(vm, op, sub, reg, q, item),
        OpState::Waiting {
            reg,
            q,
            item,
            fut: fo,
            waiters,
        } => {
            // `await putter` resumed (Future.__await__).
            let r = if fut(&fo).done() {
                future::result(vm, &fo)
            } else {
                Err(vm.runtime_error("await wasn't used with future".into()))
            };
            match r {
                Ok(_) => loop_top(vm, op, sub, reg, q, item),
                Err(e) => {
                    let w = Wait {
                        reg: &reg,
                        q: &q,
                        put: item.is_some(),
                        fut: &fo,
                        waiters: &waiters,
                    };
                    except_clause(vm, &w)?;
                    Err(e)
                }
            }
        }
        OpState::Delegated(c) => Ok(ExtSend::Delegate(c)),
        OpState::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
    }
}

/// The top of `put`'s `while self.full():` loop (`get`'s `while self.empty():`): completes
/// natively, waits natively, or becomes the Aio coroutine, which from here does the same.
fn loop_top(
    vm: &mut Vm,
    op: &QueueOp,
    sub: &Value,
    reg: Value,
    q: Value,
    item: Option<Value>,
) -> PyResult<ExtSend> {
    match fast_op(vm, &reg, &q, item.as_ref())? {
        Fast::Done(v) => {
            keep_spare(&reg, sub);
            Ok(ExtSend::Return(v))
        }
        Fast::Wait(waiters) => begin_wait(vm, op, reg, q, item, waiters),
        Fast::No => Ok(ExtSend::Delegate(coroutine(vm, &reg, q, item)?)),
    }
}

/// The body of the loop up to `await putter`: `putter = self._get_loop().create_future()`,
/// `self._putters.append(putter)`, then the task waits on `putter`.
fn begin_wait(
    vm: &mut Vm,
    op: &QueueOp,
    reg: Value,
    q: Value,
    item: Option<Value>,
    waiters: ObjRef,
) -> PyResult<ExtSend> {
    let running = super::types(vm).running_loop.clone();
    if super::loop_state(&running).is_none() {
        // No native loop: CPython's code raises or does whatever the loop asks.
        return Ok(ExtSend::Delegate(coroutine(vm, &reg, q, item)?));
    }
    // `self._get_loop()` (the stock one): the running loop once `_loop` is set to it.
    let bound = bound_loop(&reg, &q).is_some_and(|l| l.is(&running));
    let lp = if bound {
        running
    } else {
        super::event_wait::get_loop(vm, &q, running)?
    };
    let fo = future::new_future(vm, lp);
    match deque_of(&waiters) {
        Some(d) => d.items.borrow_mut().push_back(Value::Obj(fo.clone())),
        None => {
            let w = Value::Obj(waiters.clone());
            vm.call_method(&w, "append", &[Value::Obj(fo.clone())])?;
        }
    }
    fut(&fo).blocking.set(true);
    *op.state.borrow_mut() = OpState::Waiting {
        reg,
        q,
        item,
        fut: fo.clone(),
        waiters,
    };
    Ok(ExtSend::Yield(Value::Obj(fo)))
}

/// The `_loop` a queue holds in its own attributes, if any.
fn bound_loop(reg: &Value, q: &Value) -> Option<Value> {
    let d = reg_of(reg)?.data.try_borrow().ok()?;
    let name = d.as_ref()?.field_names.get(6)?;
    let ObjKind::Object(attrs) = q.kind()? else {
        return None;
    };
    let a = attrs.try_borrow().ok()?;
    let Attrs::Inline(items) = &*a else {
        return None;
    };
    items
        .iter()
        .find(|(k, _)| k.is(name))
        .map(|(_, v)| v.clone())
}

/// What a waiting op holds, borrowed.
struct Wait<'a> {
    reg: &'a Value,
    q: &'a Value,
    put: bool,
    fut: &'a ObjRef,
    waiters: &'a ObjRef,
}

impl Wait<'_> {
    fn qualname(&self) -> &'static str {
        if self.put {
            "Queue.put"
        } else {
            "Queue.get"
        }
    }
}

/// The `except:` clause around `await putter` (`await getter`), without its `raise`:
/// `putter.cancel()`, `self._putters.remove(putter)` (a ValueError ignored), and
/// `if not self.full() and not putter.cancelled(): self._wakeup_next(self._putters)`.
fn except_clause(vm: &mut Vm, w: &Wait) -> PyResult<()> {
    future::cancel(vm, w.fut, Value::None);
    let waiters = Value::Obj(w.waiters.clone());
    let fo = Value::Obj(w.fut.clone());
    if let Err(e) = super::event_wait::remove(vm, &waiters, &fo) {
        if !vm.exc_is(&e, "ValueError") {
            return Err(e);
        }
    }
    let r = reg_of(w.reg);
    let native = match r {
        Some(r) => stock_state(vm, r, w.q),
        None => None,
    };
    let blocked = match native {
        Some((maxsize, len)) if w.put => maxsize > 0 && len as i64 >= maxsize,
        Some((_, len)) => len == 0,
        None => {
            let v = vm.call_method(w.q, if w.put { "full" } else { "empty" }, &[])?;
            vm.truthy(&v)?
        }
    };
    if blocked || fut(w.fut).state.get() == FutState::Cancelled {
        return Ok(());
    }
    if native.is_some() {
        wakeup_next(vm, w.q, w.waiters)
    } else {
        vm.call_method(w.q, "_wakeup_next", &[waiters])?;
        Ok(())
    }
}

/// An exception is being thrown into the frame awaiting `sub` (cancellation, `close()`):
/// a waiting op runs the `except` clause of `put`/`get`, then the exception goes on.
pub fn throw_hook(vm: &mut Vm, sub: &Value) {
    let Some(op) = op_of(sub) else { return };
    let st = {
        let Ok(mut s) = op.state.try_borrow_mut() else {
            return;
        };
        match &*s {
            OpState::Waiting { .. } => std::mem::replace(&mut *s, OpState::Done),
            _ => return,
        }
    };
    run_except(vm, st);
}

/// A task created over a queue op runs the coroutine the op stands for.
pub fn task_coro(vm: &mut Vm, v: Value) -> PyResult {
    let Some(op) = op_of(&v) else { return Ok(v) };
    let st = std::mem::replace(&mut *op.state.borrow_mut(), OpState::Done);
    match st {
        OpState::Start { reg, q, item } => coroutine(vm, &reg, q, item),
        OpState::Delegated(c) => Ok(c),
        OpState::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
        other => {
            // Driven by hand up to a wait: the task drives the op itself.
            *op.state.borrow_mut() = other;
            Ok(v)
        }
    }
}

// ----- the fast path -------------------------------------------------------------------------

/// Whether instances of `cls` may take the fast path: (stock queue methods, stock Event).
fn plan(vm: &mut Vm, reg: &Reg, cls: &ObjRef) -> (bool, bool) {
    let epoch = vm.type_epoch;
    let (names, methods, fields, event_cls, event_clear) = {
        let d = reg.data.borrow();
        let Some(d) = &*d else { return (false, false) };
        for (w, e, p) in &d.plans {
            if std::ptr::eq(w.as_ptr(), Rc::as_ptr(cls)) && *e == epoch {
                return *p;
            }
        }
        (
            d.method_names.clone(),
            d.methods.clone(),
            d.field_names.clone(),
            d.event_cls.clone(),
            d.event_clear.clone(),
        )
    };
    let mut ok = names
        .iter()
        .zip(&methods)
        .all(|(n, m)| vm.lookup_type(cls, n).is_some_and(|f| f.is(m)));
    // Fields must be plain instance attributes: no class attribute (descriptor) of that name.
    ok = ok
        && fields[..F_QUEUE + 1]
            .iter()
            .all(|n| vm.lookup_type(cls, n).is_none());
    ok = ok && stock_attr_hooks(vm, cls);
    let event_ok = match event_cls.as_obj() {
        Some(ec) => {
            let n = vm.intern("clear");
            vm.lookup_type(ec, &n).is_some_and(|f| f.is(&event_clear)) && stock_attr_hooks(vm, ec)
        }
        None => false,
    };
    let p = (ok, event_ok);
    if let Some(d) = &mut *reg.data.borrow_mut() {
        d.plans.retain(|(w, _, _)| w.strong_count() > 0);
        match d
            .plans
            .iter_mut()
            .find(|(w, _, _)| std::ptr::eq(w.as_ptr(), Rc::as_ptr(cls)))
        {
            Some(slot) => *slot = (Rc::downgrade(cls), epoch, p),
            None => d.plans.push((Rc::downgrade(cls), epoch, p)),
        }
    }
    p
}

/// True when the class gets and sets instance attributes the ordinary way.
fn stock_attr_hooks(vm: &mut Vm, cls: &ObjRef) -> bool {
    ["__getattribute__", "__setattr__"].iter().all(|m| {
        let n = vm.intern(m);
        vm.lookup_type(cls, &n)
            .is_some_and(|f| matches!(f.kind(), Some(ObjKind::Native(_))))
    })
}

const F_MAXSIZE: usize = 0;
const F_GETTERS: usize = 1;
const F_PUTTERS: usize = 2;
const F_FINISHED: usize = 4;

fn deque_of(o: &ObjRef) -> Option<&DequeObj> {
    match &o.kind {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<DequeObj>(),
        _ => None,
    }
}

/// Where the first six `FIELDS` sit among a queue's inline attributes, when every attribute
/// is a known field (so none shadows a method).
#[inline]
fn slots(addrs: &[usize; 7], names: &[Value], items: &[(Value, Value)]) -> Option<[usize; 6]> {
    // The stock `__init__` stores them in `FIELDS` order (`_loop` comes later, if at all).
    if let [(k0, _), (k1, _), (k2, _), (k3, _), (k4, _), (k5, _), rest @ ..] = items {
        let in_order = key_addr(k0) == addrs[0]
            && key_addr(k1) == addrs[1]
            && key_addr(k2) == addrs[2]
            && key_addr(k3) == addrs[3]
            && key_addr(k4) == addrs[4]
            && key_addr(k5) == addrs[5]
            && match rest {
                [] => true,
                [(k6, _)] => key_addr(k6) == addrs[6],
                _ => false,
            };
        if in_order {
            return Some([0, 1, 2, 3, 4, 5]);
        }
    }
    let same =
        |k: &Value, n: &Value| matches!((k, n), (Value::Obj(a), Value::Obj(b)) if Rc::ptr_eq(a, b));
    let mut at = [usize::MAX; 6];
    for (j, (k, _)) in items.iter().enumerate() {
        let i = names.iter().position(|n| same(k, n))?;
        if i < at.len() {
            at[i] = j;
        }
    }
    (!at.contains(&usize::MAX)).then_some(at)
}

/// What the fast path found in a queue: the waiters to wake and, for a put, the `_finished`
/// event to clear.
struct Found {
    waiters: ObjRef,
    finished: Value,
    /// The stock Event's `clear` may be done in place.
    event_ok: bool,
}

/// What `fast_state` decided.
enum State {
    /// The state change of `put_nowait`/`get_nowait` is done; what is left to do, and the
    /// result.
    Done(Found, Value),
    /// The queue is full (empty): the caller waits on a future in this deque of waiters.
    Wait(ObjRef),
    /// Not a queue the fast path knows: nothing was changed.
    No,
}

/// What the fast path of `put`/`get` did.
enum Fast {
    /// Completed with this result.
    Done(Value),
    /// Must wait, in this deque of waiters (nothing changed).
    Wait(ObjRef),
    /// Nothing changed: CPython's code must run.
    No,
}

/// The stock fields of a queue whose class allows the fast path: (plan, attribute positions).
fn stock_fields(vm: &mut Vm, r: &Reg, qo: &ObjRef) -> Option<(bool, [usize; 6])> {
    let cls = qo.class.as_ref()?;
    let ObjKind::Object(attrs) = &qo.kind else {
        return None;
    };
    let known = {
        let d = r.data.borrow();
        match d.as_ref()?.plans.first() {
            Some((w, e, p)) if std::ptr::eq(w.as_ptr(), Rc::as_ptr(cls)) && *e == vm.type_epoch => {
                Some(*p)
            }
            _ => None,
        }
    };
    let (ok, event_ok) = match known {
        Some(p) => p,
        None => plan(vm, r, cls),
    };
    if !ok {
        return None;
    }
    let d = r.data.borrow();
    let d = d.as_ref()?;
    let a = attrs.try_borrow().ok()?;
    let Attrs::Inline(items) = &*a else {
        return None;
    };
    Some((event_ok, slots(&d.field_addrs, &d.field_names, items)?))
}

/// The address of an interned name (0 for anything else).
#[inline]
fn key_addr(v: &Value) -> usize {
    match v {
        Value::Obj(o) => Rc::as_ptr(o) as *const u8 as usize,
        _ => 0,
    }
}

/// `(maxsize, qsize)` of a queue whose class allows the fast path.
fn stock_state(vm: &mut Vm, r: &Reg, q: &Value) -> Option<(i64, usize)> {
    let qo = q.as_obj()?;
    let (_, at) = stock_fields(vm, r, qo)?;
    let ObjKind::Object(attrs) = &qo.kind else {
        return None;
    };
    let a = attrs.try_borrow().ok()?;
    let Attrs::Inline(items) = &*a else {
        return None;
    };
    let Value::Int(maxsize) = items[at[F_MAXSIZE]].1 else {
        return None;
    };
    let dq = deque_of(items[at[F_QUEUE]].1.as_obj()?)?;
    let len = dq.items.try_borrow().ok()?.len();
    Some((maxsize, len))
}

/// Runs the state change of `put_nowait(item)` (`item` Some) or `get_nowait()` on a queue
/// whose class and fields allow the fast path; says so when it must wait first.
fn fast_state(vm: &mut Vm, r: &Reg, q: &Value, item: Option<&Value>) -> State {
    let Some(qo) = q.as_obj() else {
        return State::No;
    };
    let Some((event_ok, at)) = stock_fields(vm, r, qo) else {
        return State::No;
    };
    let ObjKind::Object(attrs) = &qo.kind else {
        return State::No;
    };
    fast_change(attrs, at, item, event_ok).unwrap_or(State::No)
}

fn fast_change(
    attrs: &RefCell<Attrs>,
    at: [usize; 6],
    item: Option<&Value>,
    event_ok: bool,
) -> Option<State> {
    let mut a = attrs.try_borrow_mut().ok()?;
    let Attrs::Inline(items) = &mut *a else {
        return None;
    };
    let dq = deque_of(items[at[F_QUEUE]].1.as_obj()?)?;
    // The waiters need not be builtin deques: `wakeup_next` and `begin_wait` use their
    // methods otherwise, as CPython's code does.
    let getters = items[at[F_GETTERS]].1.as_obj()?;
    let putters = items[at[F_PUTTERS]].1.as_obj()?;
    let (waiters, result) = match item {
        Some(item) => {
            let Value::Int(maxsize) = items[at[F_MAXSIZE]].1 else {
                return None;
            };
            let Value::Int(unfinished) = items[at[F_UNFINISHED]].1 else {
                return None;
            };
            let unfinished = unfinished.checked_add(1)?;
            let mut qi = dq.items.try_borrow_mut().ok()?;
            if maxsize > 0 && qi.len() as i64 >= maxsize {
                return Some(State::Wait(putters.clone()));
            }
            let getters = getters.clone();
            qi.push_back(item.clone());
            drop(qi);
            items[at[F_UNFINISHED]].1 = Value::Int(unfinished);
            (getters, Value::None)
        }
        None => {
            let got = dq.items.try_borrow_mut().ok()?.pop_front();
            match got {
                Some(got) => (putters.clone(), got),
                None => return Some(State::Wait(getters.clone())),
            }
        }
    };
    let finished = match item {
        Some(_) => items[at[F_FINISHED]].1.clone(),
        None => Value::Null,
    };
    Some(State::Done(
        Found {
            waiters,
            finished,
            event_ok,
        },
        result,
    ))
}

/// `put(item)` (`item` Some) or `get()` when the fast path applies: what `put_nowait(item)`
/// or `get_nowait()` does, or the deque of waiters to wait in.
fn fast_op(vm: &mut Vm, reg: &Value, q: &Value, item: Option<&Value>) -> PyResult<Fast> {
    let Some(r) = reg_of(reg) else {
        return Ok(Fast::No);
    };
    let (f, result) = match fast_state(vm, r, q, item) {
        State::Done(f, result) => (f, result),
        State::Wait(w) => return Ok(Fast::Wait(w)),
        State::No => return Ok(Fast::No),
    };
    if item.is_some() {
        // `self._finished.clear()`: the stock Event's clear is `self._value = False`.
        let cleared = {
            let d = r.data.borrow();
            match (d.as_ref(), &f.finished) {
                (Some(d), Value::Obj(o))
                    if f.event_ok
                        && matches!((&o.class, &d.event_cls),
                            (Some(c), Value::Obj(ec)) if Rc::ptr_eq(c, ec)) =>
                {
                    set_inline(o, &d.value_name, 1, Value::FALSE)
                }
                _ => false,
            }
        };
        if !cleared {
            vm.call_method(&f.finished, "clear", &[])?;
        }
    }
    wakeup_next(vm, q, &f.waiters)?;
    Ok(Fast::Done(result))
}

/// Replaces the value of an inline attribute named by the interned `name`, looking at
/// position `at` first.
fn set_inline(o: &ObjRef, name: &Value, at: usize, v: Value) -> bool {
    let ObjKind::Object(attrs) = &o.kind else {
        return false;
    };
    let Ok(mut a) = attrs.try_borrow_mut() else {
        return false;
    };
    let Attrs::Inline(items) = &mut *a else {
        return false;
    };
    let slot = match items.get(at) {
        Some((k, _)) if k.is(name) => Some(at),
        _ => items.iter().position(|(k, _)| k.is(name)),
    };
    match slot {
        Some(i) => {
            let old = std::mem::replace(&mut items[i].1, v);
            drop(a);
            drop(old);
            true
        }
        None => false,
    }
}

/// CPython's `Queue._wakeup_next(waiters)` (the stock method): wakes the first waiter not
/// done yet; through the method when `waiters` is not a builtin deque.
fn wakeup_next(vm: &mut Vm, q: &Value, waiters: &ObjRef) -> PyResult<()> {
    let Some(dq) = deque_of(waiters) else {
        vm.call_method(q, "_wakeup_next", &[Value::Obj(waiters.clone())])?;
        return Ok(());
    };
    if dq.items.borrow().is_empty() {
        return Ok(());
    }
    let future_t = super::types(vm).future.clone();
    loop {
        let w = dq.items.borrow_mut().pop_front();
        let Some(w) = w else { return Ok(()) };
        match &w {
            Value::Obj(o)
                if matches!(o.kind, ObjKind::Future(_))
                    && o.class.as_ref().is_some_and(|c| Rc::ptr_eq(c, &future_t)) =>
            {
                if !fut(o).done() {
                    future::set_result(vm, o, Value::None)?;
                    return Ok(());
                }
            }
            _ => {
                let d = vm.call_method(&w, "done", &[])?;
                if !vm.truthy(&d)? {
                    vm.call_method(&w, "set_result", &[Value::None])?;
                    return Ok(());
                }
            }
        }
    }
}
