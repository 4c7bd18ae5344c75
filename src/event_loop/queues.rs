//! Native `asyncio.Queue.put` and `Queue.get`: a lazy awaitable with a fast path.
//!
//! `Queue` stays a class written in Aio (`stdlib/asyncio/queues.aio`, CPython's code): its
//! attributes, `repr`, `put_nowait`, `join` and the waiting loops of `put`/`get` are the
//! script's. `_queue_setup` replaces `Queue.put` and `Queue.get` by natives returning a
//! `QueueOp`, which stands for the coroutine `put(item)`/`get()` would have returned. When
//! it is first awaited, and the queue's class still uses the stock methods (checked per
//! class, cached until a class attribute changes) and the call would not wait, the op does
//! what CPython's code does natively and completes at once: no coroutine, no frame. In any
//! other case it turns into the Aio coroutine (`ExtSend::Delegate`), which then runs as if
//! it had been created by the call; so subclasses overriding `_put`, `full`, `put_nowait`...
//! and every waiting, cancellation and wake-up path follow CPython's code exactly.
//! Invariant: the fast path mutates nothing before it knows it will complete, and holds no
//! `RefCell` borrow while Aio code may run.

use super::deque::DequeObj;
use super::future::{self, fut};
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
    /// Driven by hand (`send`): `send`, `throw` and `close` go to this coroutine.
    Delegated(Value),
    /// Awaited (or handed to a task): using it again is an error.
    Done,
}

/// The awaitable `Queue.put(item)` / `Queue.get()` return.
pub struct QueueOp {
    state: RefCell<OpState>,
    heap: Rc<HeapShared>,
}

impl QueueOp {
    fn qualname(&self) -> &'static str {
        match &*self.state.borrow() {
            OpState::Start { item: None, .. } => "Queue.get",
            _ => "Queue.put",
        }
    }
}

impl Drop for QueueOp {
    fn drop(&mut self) {
        if let OpState::Start { item, .. } = self.state.get_mut() {
            let qualname = if item.is_some() {
                "Queue.put"
            } else {
                "Queue.get"
            };
            self.heap.defer(Finalizer::NeverAwaited {
                qualname: qualname.into(),
            });
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
                OpState::Delegated(c) => f(c),
                OpState::Done => {}
            }
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let old = std::mem::replace(&mut *s, OpState::Done);
            drop(s);
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn op_of(v: &Value) -> Option<&QueueOp> {
    op_of_obj(v.as_obj()?)
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
    let field_names = FIELDS.iter().map(|f| vm.intern(f)).collect();
    let object = vm.types.object.clone();
    let op_type = crate::vm::types_registry::make_type(
        "coroutine",
        Some(&object),
        crate::vm::object::Layout::Opaque,
        true,
    );
    init_op_type(vm, &op_type);
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
            let done = match args.pos.get(1) {
                Some(item) => fast_put(vm, reg, &args.pos[0], item)?,
                None => fast_get(vm, reg, &args.pos[0])?,
            };
            if let Some(v) = done {
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
        let mut kw = Vec::new();
        for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
            kw.push((k.as_str().unwrap_or("").to_string(), v.clone()));
        }
        let kw: Vec<(&str, Value)> = kw.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        return vm.call_kw(&coro_fn, args.pos, &kw);
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

/// What a `Send` finds in an op.
enum Taken {
    Start(Value, Value, Option<Value>),
    Delegated(Value),
    Done,
}

/// Takes a fresh op's arguments (the op is then used up).
fn take(op: &QueueOp) -> Taken {
    let st = std::mem::replace(&mut *op.state.borrow_mut(), OpState::Done);
    match st {
        OpState::Start { reg, q, item } => Taken::Start(reg, q, item),
        OpState::Delegated(c) => Taken::Delegated(c),
        OpState::Done => Taken::Done,
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

/// `Send` on a queue op: the result at once, or the coroutine to delegate to.
pub fn op_send(vm: &mut Vm, sub: &Value, _value: Value) -> PyResult<ExtSend> {
    let Some(op) = op_of(sub) else {
        return crate::vm::gen::no_ext_send(vm, sub, _value);
    };
    let (reg, q, item) = match take(op) {
        Taken::Start(reg, q, item) => (reg, q, item),
        Taken::Delegated(c) => return Ok(ExtSend::Delegate(c)),
        Taken::Done => {
            return Err(vm.runtime_error("cannot reuse already awaited coroutine".into()))
        }
    };
    let fast = match &item {
        Some(i) => fast_put(vm, &reg, &q, i)?,
        None => fast_get(vm, &reg, &q)?,
    };
    match fast {
        Some(v) => {
            keep_spare(&reg, sub);
            Ok(ExtSend::Return(v))
        }
        None => Ok(ExtSend::Delegate(coroutine(vm, &reg, q, item)?)),
    }
}

/// A task created over a queue op runs the coroutine the op stands for.
pub fn task_coro(vm: &mut Vm, v: Value) -> PyResult {
    let Some(op) = op_of(&v) else { return Ok(v) };
    match take(op) {
        Taken::Start(reg, q, item) => coroutine(vm, &reg, q, item),
        Taken::Delegated(c) => Ok(c),
        Taken::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
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
fn slots(names: &[Value], items: &[(Value, Value)]) -> Option<[usize; 6]> {
    // The stock `__init__` stores them in `FIELDS` order (`_loop` comes later, if at all).
    let same =
        |k: &Value, n: &Value| matches!((k, n), (Value::Obj(a), Value::Obj(b)) if Rc::ptr_eq(a, b));
    if let (Some(head), Some(want)) = (items.get(..6), names.get(..6)) {
        let in_order = (0..6).all(|i| same(&head[i].0, &want[i]))
            && match items.get(6..) {
                Some([]) => true,
                Some([(k, _)]) => same(k, &names[6]),
                _ => false,
            };
        if in_order {
            return Some([0, 1, 2, 3, 4, 5]);
        }
    }
    let mut at = [usize::MAX; 6];
    for (j, (k, _)) in items.iter().enumerate() {
        let i = names.iter().position(|n| same(k, n))?;
        if i < at.len() {
            at[i] = j;
        }
    }
    (!at.contains(&usize::MAX)).then_some(at)
}

/// What the fast path found in a queue: its item deque, the waiters to wake and, for a
/// put, the `_finished` event to clear.
struct Found {
    waiters: ObjRef,
    finished: Value,
    /// The stock Event's `clear` may be done in place.
    event_ok: bool,
}

/// Runs the state change of `put_nowait(item)` (`item` Some) or `get_nowait()` on a queue
/// whose class and fields allow the fast path and that need not wait. None (and nothing
/// changed) otherwise; else the waiters to wake and the event to clear, with the result.
fn fast_state(vm: &mut Vm, r: &Reg, q: &Value, item: Option<&Value>) -> Option<(Found, Value)> {
    let qo = q.as_obj()?;
    let cls = qo.class.as_ref()?;
    let ObjKind::Object(attrs) = &qo.kind else {
        return None;
    };
    let (ok, event_ok) = plan(vm, r, cls);
    if !ok {
        return None;
    }
    let d = r.data.borrow();
    let names = &d.as_ref()?.field_names;
    let mut a = attrs.try_borrow_mut().ok()?;
    let Attrs::Inline(items) = &mut *a else {
        return None;
    };
    let at = slots(names, items)?;
    let dq = deque_of(items[at[F_QUEUE]].1.as_obj()?)?;
    let (waiters, result) = match item {
        Some(item) => {
            let Value::Int(maxsize) = items[at[F_MAXSIZE]].1 else {
                return None;
            };
            let Value::Int(unfinished) = items[at[F_UNFINISHED]].1 else {
                return None;
            };
            let unfinished = unfinished.checked_add(1)?;
            let waiters = items[at[F_GETTERS]].1.as_obj()?.clone();
            deque_of(&waiters)?;
            let mut qi = dq.items.try_borrow_mut().ok()?;
            if maxsize > 0 && qi.len() as i64 >= maxsize {
                return None;
            }
            qi.push_back(item.clone());
            drop(qi);
            items[at[F_UNFINISHED]].1 = Value::Int(unfinished);
            (waiters, Value::None)
        }
        None => {
            let waiters = items[at[F_PUTTERS]].1.as_obj()?;
            deque_of(waiters)?;
            let got = dq.items.try_borrow_mut().ok()?.pop_front()?;
            (waiters.clone(), got)
        }
    };
    let finished = match item {
        Some(_) => items[at[F_FINISHED]].1.clone(),
        None => Value::Null,
    };
    Some((
        Found {
            waiters,
            finished,
            event_ok,
        },
        result,
    ))
}

/// `Queue.put(item)` when it need not wait: `put_nowait(item)`.
fn fast_put(vm: &mut Vm, reg: &Value, q: &Value, item: &Value) -> PyResult<Option<Value>> {
    let Some(r) = reg_of(reg) else {
        return Ok(None);
    };
    let Some((f, result)) = fast_state(vm, r, q, Some(item)) else {
        return Ok(None);
    };
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
    wakeup_next(vm, &f.waiters)?;
    Ok(Some(result))
}

/// `Queue.get()` when it need not wait: `get_nowait()`.
fn fast_get(vm: &mut Vm, reg: &Value, q: &Value) -> PyResult<Option<Value>> {
    let Some(r) = reg_of(reg) else {
        return Ok(None);
    };
    let Some((f, item)) = fast_state(vm, r, q, None) else {
        return Ok(None);
    };
    wakeup_next(vm, &f.waiters)?;
    Ok(Some(item))
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

/// CPython's `Queue._wakeup_next`: wakes the first waiter not done yet.
fn wakeup_next(vm: &mut Vm, waiters: &ObjRef) -> PyResult<()> {
    let dq = deque_of(waiters).expect("checked");
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

// ----- the op type: a coroutine look-alike ---------------------------------------------------

fn this_op<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<&'a QueueOp> {
    match args.pos.first().and_then(op_of) {
        Some(op) => Ok(op),
        None => Err(vm.type_error("descriptor requires a 'coroutine' object".into())),
    }
}

fn op_await(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

/// `send(value)` by hand: the fast result as StopIteration, or the coroutine's first step.
fn op_send_method(vm: &mut Vm, args: Args) -> PyResult {
    let sub = args.pos[0].clone();
    let v = args.pos.get(1).cloned().unwrap_or(Value::None);
    let op = this_op(vm, &args)?;
    match op_send(vm, &sub, v.clone())? {
        ExtSend::Return(r) | ExtSend::Yield(r) => Err(vm.stop_iteration(r)),
        ExtSend::Delegate(c) => {
            *op.state.borrow_mut() = OpState::Delegated(c.clone());
            vm.call_method(&c, "send", &[v])
        }
    }
}

fn op_throw(vm: &mut Vm, args: Args) -> PyResult {
    let op = this_op(vm, &args)?;
    match take(op) {
        Taken::Delegated(c) => {
            *op.state.borrow_mut() = OpState::Delegated(c.clone());
            vm.call_method(&c, "throw", &args.pos[1..])
        }
        _ => {
            let e = args.pos.get(1).cloned().unwrap_or(Value::None);
            let exc = vm.make_exception(e)?;
            Err(exc)
        }
    }
}

fn op_close(vm: &mut Vm, args: Args) -> PyResult {
    let op = this_op(vm, &args)?;
    match take(op) {
        Taken::Delegated(c) => vm.call_method(&c, "close", &[]),
        _ => Ok(Value::None),
    }
}

fn op_repr(vm: &mut Vm, args: Args) -> PyResult {
    let op = this_op(vm, &args)?;
    let q = op.qualname();
    let id = crate::vm::value::Value::as_obj(&args.pos[0])
        .map(|o| Rc::as_ptr(o) as usize)
        .unwrap_or(0);
    Ok(vm.new_str(format!("<coroutine object {q} at {id:#x}>")))
}

fn init_op_type(vm: &mut Vm, t: &ObjRef) {
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("__await__", op_await),
        ("send", op_send_method),
        ("throw", op_throw),
        ("close", op_close),
        ("__repr__", op_repr),
    ];
    vm.add_methods(t, methods);
}
