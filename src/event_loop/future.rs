//! `asyncio.Future`: a result that arrives later, with done callbacks.
//!
//! Follows CPython's `_asyncio.Future` field for field: state, result or exception, the
//! callbacks (scheduled through the loop's ready queue in registration order when the future
//! completes), the cancel message, `_asyncio_future_blocking`, and the "exception was never
//! retrieved" report when an unretrieved exception is dropped. A Task is a Future with a
//! `TaskState`. Invariant: callbacks run only via the ready queue, never synchronously.

use super::body::Body;
use super::handle::HandleCallback;
use super::task::TaskState;
use crate::vm::frame::Frame;
use crate::vm::heap::{Finalizer, HeapShared};
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// A future's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutState {
    Pending,
    Cancelled,
    Finished,
}

impl FutState {
    /// The name CPython shows in `_state`.
    pub fn name(self) -> &'static str {
        match self {
            FutState::Pending => "PENDING",
            FutState::Cancelled => "CANCELLED",
            FutState::Finished => "FINISHED",
        }
    }
}

/// A done callback.
#[derive(Clone)]
pub enum DoneCallback {
    /// A script callable, called with the future.
    Py(Value),
    /// A task waiting for this future.
    Wakeup(ObjRef),
}

/// A future's done callbacks: nearly always one (the task awaiting it), kept inline; the
/// whole list is 16 bytes.
#[derive(Clone, Default)]
pub enum Callbacks {
    #[default]
    Empty,
    One(DoneCallback),
    Many(Box<Vec<DoneCallback>>),
}

impl Callbacks {
    pub fn new() -> Callbacks {
        Callbacks::Empty
    }

    pub fn len(&self) -> usize {
        self.iter().len()
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Callbacks::Empty)
    }

    pub fn push(&mut self, cb: DoneCallback) {
        match std::mem::take(self) {
            Callbacks::Empty => *self = Callbacks::One(cb),
            Callbacks::One(first) => *self = Callbacks::Many(Box::new(vec![first, cb])),
            Callbacks::Many(mut v) => {
                v.push(cb);
                *self = Callbacks::Many(v);
            }
        }
    }

    /// Keeps the callbacks for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&DoneCallback) -> bool) {
        let mut kept = Callbacks::new();
        for cb in std::mem::take(self) {
            if keep(&cb) {
                kept.push(cb);
            }
        }
        *self = kept;
    }

    pub fn iter(&self) -> std::slice::Iter<'_, DoneCallback> {
        match self {
            Callbacks::Empty => [].iter(),
            Callbacks::One(cb) => std::slice::from_ref(cb).iter(),
            Callbacks::Many(v) => v.iter(),
        }
    }
}

impl IntoIterator for Callbacks {
    type Item = DoneCallback;
    type IntoIter =
        std::iter::Chain<std::option::IntoIter<DoneCallback>, std::vec::IntoIter<DoneCallback>>;
    fn into_iter(self) -> Self::IntoIter {
        match self {
            Callbacks::Empty => None.into_iter().chain(Vec::new()),
            Callbacks::One(cb) => Some(cb).into_iter().chain(Vec::new()),
            Callbacks::Many(v) => None.into_iter().chain(*v),
        }
    }
}

/// A value slot without a borrow flag (8 bytes smaller than a `RefCell<Value>`): read by
/// cloning, written by replacing. Never hand out references into it.
#[derive(Default)]
pub struct ValCell(Cell<Value>);

impl ValCell {
    pub fn new(v: Value) -> ValCell {
        ValCell(Cell::new(v))
    }

    /// A copy of the value.
    pub fn get(&self) -> Value {
        self.with(|v| v.clone())
    }

    /// Runs `f` on the value (the slot reads as unset meanwhile).
    pub fn with<R>(&self, f: impl FnOnce(&Value) -> R) -> R {
        let v = self.0.replace(Value::Null);
        let r = f(&v);
        self.0.set(v);
        r
    }

    /// Stores `v`; the old value is dropped after the slot holds the new one.
    pub fn set(&self, v: Value) {
        drop(self.0.replace(v));
    }

    /// Takes the value, leaving None.
    pub fn take(&self) -> Value {
        self.0.replace(Value::None)
    }
}

/// A slot holding an object or nothing (None), 8 bytes: what `ValCell` does for values that
/// are always objects (a task's coroutine and the future it waits for). Storing anything
/// else stores None.
#[derive(Default)]
pub struct ObjCell(Cell<Option<ObjRef>>);

impl ObjCell {
    pub fn new(v: Value) -> ObjCell {
        let c = ObjCell::default();
        c.set(v);
        c
    }

    /// The object, or None.
    pub fn get(&self) -> Value {
        let o = self.0.take();
        let v = o.as_ref().map_or(Value::None, |o| Value::Obj(o.clone()));
        self.0.set(o);
        v
    }

    /// Runs `f` on the value (the slot reads as unset meanwhile).
    pub fn with<R>(&self, f: impl FnOnce(&Value) -> R) -> R {
        let v = self.take();
        let r = f(&v);
        if let Value::Obj(o) = v {
            self.0.set(Some(o));
        }
        r
    }

    /// Stores `v` (an object, or None); the old value is dropped after the slot holds the new.
    pub fn set(&self, v: Value) {
        let o = match v {
            Value::Obj(o) => Some(o),
            _ => None,
        };
        drop(self.0.replace(o));
    }

    /// Takes the value, leaving None.
    pub fn take(&self) -> Value {
        self.0.take().map_or(Value::None, Value::Obj)
    }
}

/// A future's callback list without a borrow flag (8 bytes smaller than a `RefCell`): read
/// by cloning, written by replacing, as `ValCell`. Never hand out references into it.
#[derive(Default)]
pub struct CbCell(Cell<Callbacks>);

impl CbCell {
    /// Runs `f` on the list (the cell reads as empty meanwhile).
    pub fn with<R>(&self, f: impl FnOnce(&Callbacks) -> R) -> R {
        let v = self.0.take();
        let r = f(&v);
        self.0.set(v);
        r
    }

    /// A copy of the list.
    pub fn get(&self) -> Callbacks {
        self.with(|c| c.clone())
    }

    /// Takes the list, leaving it empty.
    pub fn take(&self) -> Callbacks {
        self.0.take()
    }

    /// Replaces the list; the old one is dropped after the cell holds the new one.
    pub fn set(&self, cbs: Callbacks) {
        drop(self.0.replace(cbs));
    }

    /// Appends a callback.
    pub fn push(&self, cb: DoneCallback) {
        let mut v = self.0.take();
        v.push(cb);
        self.0.set(v);
    }

    pub fn is_empty(&self) -> bool {
        self.with(|c| c.is_empty())
    }

    /// Keeps the callbacks for which `keep` is true (drops never run Aio code).
    pub fn retain(&self, keep: impl FnMut(&DoneCallback) -> bool) {
        let mut v = self.0.take();
        v.retain(keep);
        self.0.set(v);
    }
}

/// What a future rarely has: a cancel message, the CancelledError that cancelled a task,
/// an exception. Boxed on first use, since most futures just get a result.
#[derive(Default)]
struct Rare {
    /// The message given to `cancel()`.
    message: Value,
    /// The CancelledError that cancelled a task (raised again as is, chained later).
    exc: Value,
    /// The exception set by `set_exception` (None when none).
    exception: Value,
    /// Where the future reports an exception nobody retrieved (set with the exception).
    heap: Option<Rc<HeapShared>>,
}

/// The payload of a Future (and, with `task`, of a Task), kept in the object itself: the
/// state, the result and the rest of the future (`FutureBody`, reached through `Deref`).
/// 32 bytes, the room an object has beside its class and kind tag, so that a future is its
/// object and one more allocation, with nothing of the object's block left unused.
pub struct FutureObj {
    pub state: Cell<FutState>,
    /// `_asyncio_future_blocking`.
    pub blocking: Cell<bool>,
    /// True while an exception is set and nobody has looked at it.
    pub log_traceback: Cell<bool>,
    /// A task's `cancelling()` count (kept here, where it fits, rather than in its state).
    pub num_cancels_requested: Cell<u32>,
    result: ValCell,
    /// The body, which for a task is followed by its `TaskState` in the same allocation.
    body: Body,
}

/// What a future keeps outside its object.
pub struct FutureBody {
    /// The loop object (None only in a dead future's report copy).
    loop_: ObjCell,
    pub callbacks: CbCell,
    rare: Cell<Option<Box<Rare>>>,
}

const _: () = assert!(std::mem::size_of::<FutureObj>() <= 32);
const _: () = assert!(std::mem::size_of::<FutureBody>() <= 32);

impl std::ops::Deref for FutureObj {
    type Target = FutureBody;
    #[inline]
    fn deref(&self) -> &FutureBody {
        self.body.fut()
    }
}

impl FutureObj {
    /// A pending future on `loop_`.
    pub fn new(loop_: Value, task: Option<TaskState>) -> FutureObj {
        let fut = FutureBody {
            loop_: ObjCell::new(loop_),
            callbacks: CbCell::default(),
            rare: Cell::new(None),
        };
        FutureObj {
            state: Cell::new(FutState::Pending),
            blocking: Cell::new(false),
            log_traceback: Cell::new(false),
            num_cancels_requested: Cell::new(0),
            result: ValCell::new(Value::None),
            body: match task {
                Some(t) => Body::task(fut, t),
                None => Body::future(fut),
            },
        }
    }

    /// The task's state, for a task.
    #[inline]
    pub fn task(&self) -> Option<&TaskState> {
        self.body.task_state()
    }

    pub fn done(&self) -> bool {
        self.state.get() != FutState::Pending
    }

    /// The loop object.
    pub fn loop_value(&self) -> Value {
        self.loop_.get()
    }

    /// True when the future belongs to `lp`.
    pub fn loop_is(&self, lp: &Value) -> bool {
        self.loop_.with(|l| l.is(lp))
    }

    pub fn set_loop(&self, lp: Value) {
        self.loop_.set(lp);
    }

    /// The result (None unless finished with one).
    pub fn result_value(&self) -> Value {
        self.result.get()
    }

    /// The exception set (None if none).
    pub fn exception(&self) -> Value {
        self.with_rare(|r| r.as_ref().map_or(Value::None, |r| r.exception.clone()))
    }

    fn with_rare<R>(&self, f: impl FnOnce(&mut Option<Box<Rare>>) -> R) -> R {
        let mut r = self.rare.take();
        let out = f(&mut r);
        self.rare.set(r);
        out
    }

    /// Sets a rare field, boxing them on first use.
    fn set_rare(&self, f: impl FnOnce(&mut Rare) -> Value) {
        let old = self.with_rare(|r| f(r.get_or_insert_with(Default::default)));
        drop(old);
    }

    /// Calls `f` on every value held (for the cycle collector).
    pub fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.result.with(&mut *f);
        self.loop_.with(&mut *f);
        self.with_rare(|r| {
            if let Some(c) = r.as_deref() {
                f(&c.message);
                f(&c.exc);
                f(&c.exception);
            }
        });
        self.callbacks.with(|cbs| {
            for cb in cbs.iter() {
                match cb {
                    DoneCallback::Py(v) => f(v),
                    DoneCallback::Wakeup(t) => f(&Value::Obj(t.clone())),
                }
            }
        });
        if let Some(t) = self.task() {
            t.trace(f);
        }
    }

    /// Drops held values (breaking cycles of garbage).
    pub fn clear(&self) {
        self.report_death();
        let result = self.result.take();
        let cancel = self.rare.take();
        drop(self.callbacks.take());
        if let Some(t) = self.task() {
            t.clear();
        }
        drop(result);
        drop(cancel);
    }

    /// The message given to `cancel()` (None if none).
    pub fn cancel_message(&self) -> Value {
        self.with_rare(|r| r.as_ref().map_or(Value::None, |r| r.message.clone()))
    }

    pub fn set_cancel_message(&self, msg: Value) {
        let has = self.with_rare(|r| r.is_some());
        if has || !msg.is_none() {
            self.set_rare(|r| std::mem::replace(&mut r.message, msg));
        }
    }

    /// Takes the CancelledError that cancelled a task (None if none).
    pub fn take_cancelled_exc(&self) -> Value {
        self.with_rare(|r| match r.as_deref_mut() {
            Some(c) => std::mem::replace(&mut c.exc, Value::None),
            None => Value::None,
        })
    }

    pub fn set_cancelled_exc(&self, e: Value) {
        self.set_rare(|r| std::mem::replace(&mut r.exc, e));
    }
}

impl FutureObj {
    /// What the loop must hear when this future dies unobserved: a task destroyed while
    /// pending, or an exception nobody retrieved. The report carries a resurrected copy of
    /// the future so the handler sees it as CPython's does (`context['future']`).
    fn report_death(&self) {
        // A pending task's report goes through its state's heap, an unretrieved
        // exception's through the one stored with it.
        let heap = match self.task() {
            Some(t) => Some(t.heap.clone()),
            None => self.with_rare(|r| r.as_ref().and_then(|r| r.heap.clone())),
        };
        if let Some(heap) = heap {
            if let Some(report) = self.death_report() {
                heap.defer(report);
            }
        }
    }

    fn death_report(&self) -> Option<Finalizer> {
        let pending_task = self.state.get() == FutState::Pending
            && self.task().is_some_and(|t| t.log_destroy_pending.get());
        if !pending_task && !self.log_traceback.get() {
            return None;
        }
        let copy = self.resurrect();
        Some(Finalizer::Hook(Box::new(move |vm: &mut Vm| {
            report_death(vm, copy, pending_task)
        })))
    }

    /// Moves this future's state into a new payload that reports nothing when it dies.
    fn resurrect(&self) -> FutureObj {
        let task = self.task().map(|t| TaskState {
            coro: ObjCell::new(t.coro.take()),
            fut_waiter: ObjCell::new(t.fut_waiter.take()),
            name: ObjCell::new(t.name.take()),
            number: Cell::new(t.number.get()),
            must_cancel: Cell::new(false),
            log_destroy_pending: Cell::new(false),
            heap: t.heap.clone(),
        });
        self.log_traceback.set(false);
        FutureObj {
            state: Cell::new(self.state.get()),
            blocking: Cell::new(false),
            log_traceback: Cell::new(false),
            num_cancels_requested: Cell::new(self.num_cancels_requested.get()),
            result: ValCell::new(self.result.take()),
            body: {
                let fut = FutureBody {
                    loop_: ObjCell::new(self.loop_.take()),
                    callbacks: CbCell::default(),
                    rare: Cell::new(self.rare.take()),
                };
                match task {
                    Some(t) => Body::task(fut, t),
                    None => Body::future(fut),
                }
            },
        }
    }
}

impl Drop for FutureObj {
    fn drop(&mut self) {
        self.report_death();
    }
}

/// Hands a dead future's report to its loop's exception handler.
fn report_death(vm: &mut Vm, copy: FutureObj, pending_task: bool) {
    let is_task = copy.task().is_some();
    let lp = copy.loop_value();
    let exc = copy.exception();
    let cls = if is_task {
        super::types(vm).task.clone()
    } else {
        super::types(vm).future.clone()
    };
    let obj = Value::Obj(vm.alloc_instance(cls, ObjKind::Future(copy)));
    let ctx = vm.new_dict_obj();
    if pending_task {
        let m = vm.new_str("Task was destroyed but it is pending!");
        vm.dict_set_str(&ctx, "task", obj);
        vm.dict_set_str(&ctx, "message", m);
    } else {
        let what = if is_task { "Task" } else { "Future" };
        let m = vm.new_str(format!("{what} exception was never retrieved"));
        vm.dict_set_str(&ctx, "message", m);
        vm.dict_set_str(&ctx, "exception", exc);
        vm.dict_set_str(&ctx, "future", obj);
    }
    if let Err(e) = super::call_exception_handler(vm, &lp, Value::Obj(ctx)) {
        vm.report_unraisable("Exception ignored in a future's finalizer", &e);
    }
}

/// The future payload of a value.
pub fn fut_of(v: &Value) -> Option<&FutureObj> {
    match v.kind()? {
        ObjKind::Future(f) => Some(f),
        _ => None,
    }
}

/// The future payload of an object known to be a future.
pub fn fut(o: &ObjRef) -> &FutureObj {
    match o.payload() {
        ObjKind::Future(f) => f,
        _ => panic!("not a future"),
    }
}

/// A new pending future on `loop_`.
pub fn new_future(vm: &mut Vm, loop_: Value) -> ObjRef {
    let f = FutureObj::new(loop_, None);
    let cls = super::types(vm).future.clone();
    vm.alloc_instance(cls, ObjKind::Future(f))
}

/// Queues every done callback through the loop, in registration order.
pub fn schedule_callbacks(vm: &mut Vm, fo: &ObjRef) {
    let f = fut(fo);
    let cbs = f.callbacks.take();
    let lp = f.loop_value();
    for cb in cbs {
        let h = match cb {
            DoneCallback::Py(func) => HandleCallback::Done {
                func,
                fut: fo.clone(),
            },
            DoneCallback::Wakeup(task) => HandleCallback::Wakeup {
                task,
                fut: fo.clone(),
            },
        };
        super::call_soon_internal(vm, &lp, h);
    }
}

/// `fut.set_result(v)`.
pub fn set_result(vm: &mut Vm, fo: &ObjRef, v: Value) -> PyResult<()> {
    let f = fut(fo);
    if f.done() {
        return Err(invalid_state(vm, "invalid state"));
    }
    f.result.set(v);
    f.state.set(FutState::Finished);
    schedule_callbacks(vm, fo);
    Ok(())
}

/// `fut.set_exception(e)` (an instance or class).
pub fn set_exception(vm: &mut Vm, fo: &ObjRef, e: Value) -> PyResult<()> {
    let f = fut(fo);
    if f.done() {
        return Err(invalid_state(vm, "invalid state"));
    }
    let exc = vm.make_exception(e)?;
    if vm.exc_is(&exc, "StopIteration") {
        return Err(vm.type_error(
            "StopIteration interacts badly with generators and cannot be raised into a Future"
                .into(),
        ));
    }
    let heap = vm.heap.shared.clone();
    f.set_rare(|r| {
        r.heap.get_or_insert(heap);
        std::mem::replace(&mut r.exception, Value::Obj(exc.0))
    });
    f.state.set(FutState::Finished);
    f.log_traceback.set(true);
    schedule_callbacks(vm, fo);
    Ok(())
}

/// `fut.cancel(msg)`: false when already done.
pub fn cancel(vm: &mut Vm, fo: &ObjRef, msg: Value) -> bool {
    let f = fut(fo);
    f.log_traceback.set(false);
    if f.done() {
        return false;
    }
    f.state.set(FutState::Cancelled);
    f.set_cancel_message(msg);
    schedule_callbacks(vm, fo);
    true
}

/// The CancelledError a cancelled future raises.
pub fn make_cancelled_error(vm: &mut Vm, fo: &ObjRef) -> Exc {
    let f = fut(fo);
    // The exception that cancelled a task is raised again as is (CPython transfers it).
    let saved = f.take_cancelled_exc();
    if let Value::Obj(e) = saved {
        return Exc(e);
    }
    let msg = f.cancel_message();
    if msg.is_none() {
        vm.new_exc("CancelledError", Vec::new())
    } else {
        vm.new_exc("CancelledError", vec![msg])
    }
}

pub(crate) fn invalid_state(vm: &mut Vm, msg: &str) -> Exc {
    vm.new_exc_msg("InvalidStateError", msg.to_string())
}

/// `fut.result()`.
pub fn result(vm: &mut Vm, fo: &ObjRef) -> PyResult {
    let f = fut(fo);
    match f.state.get() {
        FutState::Cancelled => Err(make_cancelled_error(vm, fo)),
        FutState::Pending => Err(invalid_state(vm, "Result is not set.")),
        FutState::Finished => {
            f.log_traceback.set(false);
            match f.exception() {
                Value::Obj(e) => Err(Exc(e)),
                _ => Ok(f.result_value()),
            }
        }
    }
}

/// The `Send` instruction on a future: yield it while pending, deliver its result when done.
pub fn send(vm: &mut Vm, frame: &mut Frame, fo: &ObjRef, target: u32) -> PyResult<()> {
    let f = fut(fo);
    if !f.done() {
        f.blocking.set(true);
        frame.push(Value::Obj(fo.clone()));
        return Ok(());
    }
    frame.pop();
    let r = result(vm, fo)?;
    frame.push(r);
    frame.ip = target;
    Ok(())
}

/// Adds a done callback; a done future schedules it at once.
pub fn add_done_callback(vm: &mut Vm, fo: &ObjRef, cb: DoneCallback) {
    let f = fut(fo);
    if f.done() {
        let lp = f.loop_value();
        let h = match cb {
            DoneCallback::Py(func) => HandleCallback::Done {
                func,
                fut: fo.clone(),
            },
            DoneCallback::Wakeup(task) => HandleCallback::Wakeup {
                task,
                fut: fo.clone(),
            },
        };
        super::call_soon_internal(vm, &lp, h);
    } else {
        f.callbacks.push(cb);
    }
}

fn this(vm: &mut Vm, args: &Args) -> PyResult<ObjRef> {
    match args.pos.first() {
        Some(Value::Obj(o)) if matches!(o.payload(), ObjKind::Future(_)) => Ok(o.clone()),
        _ => Err(vm.type_error("descriptor requires a Future".into())),
    }
}

fn m_result(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    result(vm, &fo)
}

fn m_exception(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    let f = fut(&fo);
    match f.state.get() {
        FutState::Cancelled => Err(make_cancelled_error(vm, &fo)),
        FutState::Pending => Err(invalid_state(vm, "Exception is not set.")),
        FutState::Finished => {
            f.log_traceback.set(false);
            Ok(f.exception())
        }
    }
}

fn m_set_result(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    args.method_range(vm, "set_result", 1, 1)?;
    set_result(vm, &fo, args.pos[1].clone())?;
    Ok(Value::None)
}

fn m_set_exception(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    args.method_range(vm, "set_exception", 1, 1)?;
    set_exception(vm, &fo, args.pos[1].clone())?;
    Ok(Value::None)
}

fn m_cancel(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [msg] = rest.bind(vm, "cancel", ["msg"], 0)?;
    let msg = msg.unwrap_or(Value::None);
    if fut(&fo).task().is_some() {
        return Ok(Value::from_bool(super::task::cancel(vm, &fo, msg)));
    }
    Ok(Value::from_bool(cancel(vm, &fo, msg)))
}

fn m_cancelled(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    Ok(Value::from_bool(
        fut(&fo).state.get() == FutState::Cancelled,
    ))
}

fn m_done(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    Ok(Value::from_bool(fut(&fo).done()))
}

fn m_add_done_callback(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    let Some(cb) = args.pos.get(1).cloned() else {
        return Err(vm.type_error(
            "add_done_callback() missing 1 required positional argument: 'fn'".into(),
        ));
    };
    add_done_callback(vm, &fo, DoneCallback::Py(cb));
    Ok(Value::None)
}

fn m_remove_done_callback(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    let target = args.pos.get(1).cloned().unwrap_or(Value::None);
    let cbs = fut(&fo).callbacks.get();
    let mut keep = Callbacks::new();
    let mut removed = 0;
    for cb in cbs {
        let same = match &cb {
            DoneCallback::Py(v) => v.is(&target) || vm.eq(v, &target)?,
            DoneCallback::Wakeup(_) => false,
        };
        if same {
            removed += 1;
        } else {
            keep.push(cb);
        }
    }
    fut(&fo).callbacks.set(keep);
    Ok(Value::Int(removed))
}

fn m_get_loop(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    Ok(fut(&fo).loop_value())
}

fn m_await(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

/// The state description inside `<Future ...>` / `<Task ...>` reprs.
pub fn state_repr(vm: &mut Vm, fo: &ObjRef) -> String {
    let f = fut(fo);
    match f.state.get() {
        FutState::Pending => "pending".into(),
        FutState::Cancelled => "cancelled".into(),
        FutState::Finished => {
            let e = f.exception();
            if !e.is_none() {
                let r = vm.repr_or_default(&e);
                format!("finished exception={r}")
            } else {
                let v = f.result_value();
                let r = vm.repr_or_default(&v);
                format!("finished result={r}")
            }
        }
    }
}

fn m_repr(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    if fut(&fo).task().is_some() {
        let s = super::task::repr(vm, &fo);
        return Ok(vm.new_str(s));
    }
    let st = state_repr(vm, &fo);
    let f = fut(&fo);
    let cbs = f.callbacks.get();
    let mut s = format!("<Future {st}");
    if !cbs.is_empty() {
        let parts: Vec<String> = cbs
            .iter()
            .map(|c| match c {
                DoneCallback::Py(v) => vm.repr_or_default(v),
                DoneCallback::Wakeup(_) => "Task.task_wakeup()".to_string(),
            })
            .collect();
        s.push_str(&format!(" cb=[{}]", parts.join(", ")));
    }
    s.push('>');
    Ok(vm.new_str(s))
}

fn get_blocking(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        fut_of(v).is_some_and(|f| f.blocking.get()),
    ))
}

fn set_blocking(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let b = vm.truthy(&x.unwrap_or(Value::None))?;
    if let Some(f) = fut_of(v) {
        f.blocking.set(b);
    }
    Ok(())
}

fn get_state(vm: &mut Vm, v: &Value) -> PyResult {
    let s = fut_of(v).map(|f| f.state.get().name()).unwrap_or("PENDING");
    Ok(vm.intern(s))
}

fn get_log_traceback(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        fut_of(v).is_some_and(|f| f.log_traceback.get()),
    ))
}

fn set_log_traceback(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let b = vm.truthy(&x.unwrap_or(Value::None))?;
    if b {
        return Err(vm.value_error("_log_traceback can only be set to False".into()));
    }
    if let Some(f) = fut_of(v) {
        f.log_traceback.set(false);
    }
    Ok(())
}

fn future_new(vm: &mut Vm, args: Args) -> PyResult {
    let cls = args.pos.first().cloned().unwrap_or(Value::None);
    let base = super::types(vm).future.clone();
    let subclass = match &cls {
        Value::Obj(c) => !Rc::ptr_eq(c, &base) && c.as_type().is_some_and(|t| !t.builtin),
        _ => false,
    };
    let loop_ = match args.kw("loop") {
        Some(l) if !l.is_none() => checked_loop(vm, l)?,
        _ if subclass => Value::None,
        _ => super::get_event_loop(vm)?,
    };
    if subclass {
        let Value::Obj(c) = cls else { unreachable!() };
        let f = FutureObj::new(loop_, None);
        let inst = vm.alloc_instance(
            c,
            ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
                attrs: Default::default(),
                base: ObjKind::Future(f),
            })),
        );
        return Ok(Value::Obj(inst));
    }
    let fo = new_future(vm, loop_);
    Ok(Value::Obj(fo))
}

/// A loop given to `Future(loop=...)`: CPython asks it `get_debug()` at once, which a value
/// that is not an object (an int, a float) cannot answer; a future's loop is always an object.
pub fn checked_loop(vm: &mut Vm, l: &Value) -> PyResult {
    if !matches!(l, Value::Obj(_)) {
        vm.getattr_str(l, "get_debug")?;
    }
    Ok(l.clone())
}

fn future_init(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    let loop_ = match args.kw("loop") {
        Some(l) if !l.is_none() => checked_loop(vm, l)?,
        _ => super::get_event_loop(vm)?,
    };
    fut(&fo).set_loop(loop_);
    Ok(Value::None)
}

fn m_make_cancelled_error(vm: &mut Vm, args: Args) -> PyResult {
    let fo = this(vm, &args)?;
    Ok(Value::Obj(make_cancelled_error(vm, &fo).0))
}

fn get_cancel_message(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(fut_of(v).map(|f| f.cancel_message()).unwrap_or(Value::None))
}

fn set_cancel_message(_vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(f) = fut_of(v) {
        f.set_cancel_message(x.unwrap_or(Value::None));
    }
    Ok(())
}

/// Installs the Future type's methods (shared by Task).
pub fn init(vm: &mut Vm, cls: &ObjRef) {
    vm.add_staticmethod(cls, "__new__", future_new);
    vm.add_method(cls, "__init__", future_init);
    vm.add_method(cls, "_make_cancelled_error", m_make_cancelled_error);
    vm.add_getset(
        cls,
        "_cancel_message",
        get_cancel_message,
        Some(set_cancel_message),
    );
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("result", m_result),
        ("exception", m_exception),
        ("set_result", m_set_result),
        ("set_exception", m_set_exception),
        ("cancel", m_cancel),
        ("cancelled", m_cancelled),
        ("done", m_done),
        ("add_done_callback", m_add_done_callback),
        ("remove_done_callback", m_remove_done_callback),
        ("get_loop", m_get_loop),
        ("__await__", m_await),
        ("__iter__", m_await),
        ("__repr__", m_repr),
    ];
    vm.add_methods(cls, methods);
    vm.add_getset(
        cls,
        "_asyncio_future_blocking",
        get_blocking,
        Some(set_blocking),
    );
    vm.add_getset(cls, "_state", get_state, None);
    vm.add_getset(
        cls,
        "_log_traceback",
        get_log_traceback,
        Some(set_log_traceback),
    );
    let n = vm.new_str("_asyncio");
    vm.type_dict_set(cls, "__module__", n);
}
