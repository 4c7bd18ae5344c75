//! The asyncio event loop: CPython's `BaseEventLoop` scheduling core in Rust.
//!
//! `run_once` is `_run_once`: purge cancelled timers, wait for I/O or the next deadline (a
//! `mio::Poll`, also woken by other threads through a `mio::Waker`), move due timers to the
//! ready queue with `heapq` order, then run exactly the handles that were ready when the
//! iteration began. Tasks and futures live in `task.rs`/`future.rs`; the Python-level
//! orchestration (gather, wait, Queue, TaskGroup...) is written in Aio under `stdlib/asyncio/`.
//! Invariant: the loop state's `RefCell` is never borrowed while a callback runs.

pub mod deque;
pub mod event_wait;
pub mod future;
pub mod gather;
pub mod handle;
pub mod heapq;
pub mod io;
pub mod io_executor;
pub mod io_http;
pub mod io_process;
pub mod io_signal;
pub mod io_socket;
pub mod io_streams;
pub mod io_transport;
pub mod methods;
pub mod native_coro;
pub mod queues;
pub mod sleep0;
pub mod task;

use crate::compile::code::Code;
use crate::vm::object::{ExtObject, Layout, Obj, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use handle::{HandleCallback, HandleInner, Ready};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest single wait, as CPython's `MAXIMUM_SELECT_TIMEOUT` (24 hours).
const MAX_SELECT_TIMEOUT: f64 = 24.0 * 3600.0;
/// `time.get_clock_info('monotonic').resolution` on Linux.
const CLOCK_RESOLUTION: f64 = 1e-9;
/// Below this many timers, cancelled ones are only dropped from the top of the heap.
const MIN_SCHEDULED_TIMER_HANDLES: usize = 100;

/// Work handed to a loop from another thread.
pub type RemoteJob = Box<dyn FnOnce(&mut Vm) + Send>;

/// The cross-thread entry point of a loop: a job queue and the poller's waker.
pub struct Remote {
    pub jobs: Mutex<Vec<RemoteJob>>,
    pub waker: Option<mio::Waker>,
}

impl Remote {
    /// Queues a job and wakes the loop.
    pub fn submit(&self, job: RemoteJob) {
        if let Ok(mut q) = self.jobs.lock() {
            q.push(job);
        }
        if let Some(w) = &self.waker {
            let _ = w.wake();
        }
    }
}

/// The state of one event loop.
pub struct LoopState {
    pub ready: VecDeque<Ready>,
    pub scheduled: Vec<Rc<HandleInner>>,
    pub timer_cancelled_count: usize,
    pub stopping: bool,
    pub closed: bool,
    pub running: bool,
    pub debug: bool,
    pub exception_handler: Value,
    pub task_factory: Value,
    pub current_task: Value,
    pub tasks: Vec<Weak<Obj>>,
    pub asyncgens: Vec<Weak<Obj>>,
    pub asyncgens_shutdown_called: bool,
    pub poll: Option<mio::Poll>,
    pub events: mio::Events,
    pub remote: Arc<Remote>,
    /// Watched file descriptors, signal handlers and pending thread work.
    pub io: io::IoState,
}

/// The payload of a loop object.
pub struct LoopObj {
    pub state: RefCell<LoopState>,
}

impl ExtObject for LoopObj {
    fn type_name(&self) -> &str {
        "_UnixSelectorEventLoop"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            for r in s.ready.iter() {
                r.trace(f);
            }
            for h in s.scheduled.iter() {
                h.trace(f);
            }
            f(&s.exception_handler);
            f(&s.task_factory);
            f(&s.current_task);
            s.io.trace(f);
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let r = std::mem::take(&mut s.ready);
            let t = std::mem::take(&mut s.scheduled);
            let i = s.io.clear();
            drop(s);
            drop(i);
            drop(r);
            drop(t);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Per-interpreter asyncio state: the types and the current loops.
pub struct AsyncioState {
    pub future: ObjRef,
    pub task: ObjRef,
    pub handle: ObjRef,
    pub timer_handle: ObjRef,
    pub loop_type: ObjRef,
    pub yield_once: ObjRef,
    /// Finished `_YieldOnce` objects, reused by `_yield_once()` once nothing else holds them.
    pub yield_once_pool: Vec<ObjRef>,
    /// The code of `asyncio.sleep` (set by `_sleep_setup`), whose awaited calls with a delay
    /// `<= 0` skip the coroutine (`sleep0.rs`).
    pub sleep_code: Option<Rc<Code>>,
    /// The type of `gather`'s done-callback state.
    pub gather_cb: ObjRef,
    /// The waiter and item deque of locks and queues.
    pub deque: ObjRef,
    /// The timer callback of `asyncio.sleep`.
    pub set_result_unless_cancelled: Value,
    /// The loop running on this thread (`events._get_running_loop()`), or None.
    pub running_loop: Value,
    /// The policy's current loop (`set_event_loop`), or None.
    pub current_loop: Value,
    pub set_called: bool,
    pub task_counter: u64,
    /// The native `Event.wait`'s records (set by `_event_setup`).
    pub event_wait: Option<Box<event_wait::EventSetup>>,
}

/// The asyncio types, created on first use.
pub fn types(vm: &mut Vm) -> &mut AsyncioState {
    if vm.asyncio.is_none() {
        let st = create_types(vm);
        vm.asyncio = Some(Box::new(st));
    }
    vm.asyncio.as_deref_mut().expect("just created")
}

fn create_types(vm: &mut Vm) -> AsyncioState {
    let object = vm.types.object.clone();
    let mk = |name: &str| make_type(name, Some(&object), Layout::Opaque, true);
    let future = make_type("Future", Some(&object), Layout::Future, true);
    let task = make_type("Task", Some(&future), Layout::Future, true);
    let handle = mk("Handle");
    let timer_handle = make_type("TimerHandle", Some(&handle), Layout::Opaque, true);
    let loop_type = mk("_UnixSelectorEventLoop");
    let yield_once = mk("_YieldOnce");
    let gather_cb = mk("_GatheringCallback");
    let deque_t = mk("deque");
    future::init(vm, &future);
    task::init(vm, &task);
    handle::init(vm, &handle, &timer_handle);
    methods::init_loop_type(vm, &loop_type);
    sleep0::init_yield_once(vm, &yield_once);
    for t in [&future, &task] {
        let t = t.as_type().expect("type");
        *t.module.borrow_mut() = vm.new_str("_asyncio");
        t.dotted.set(true);
    }
    deque::init(vm, &deque_t);
    let set_result_unless_cancelled = methods::new_set_result_unless_cancelled(vm);
    for (t, m) in [
        (&handle, "asyncio.events"),
        (&timer_handle, "asyncio.events"),
        (&loop_type, "asyncio.unix_events"),
        (&deque_t, "collections"),
    ] {
        let mv = vm.new_str(m);
        *t.as_type().expect("type").module.borrow_mut() = mv;
    }
    vm.ext_future_check = |v| {
        matches!(v.kind(), Some(ObjKind::Future(_)))
            || queues::is_op(v)
            || event_wait::is_op(v)
            || matches!(v.kind(), Some(ObjKind::Ext(e)) if e.as_any().is::<sleep0::YieldOnce>()
                || e.as_any().is::<methods::SleepOp>())
            || io_streams::is_op(v)
    };
    vm.ext_send_hook = methods::ext_send;
    vm.ext_throw_hook = methods::ext_throw;
    vm.agen_finalizer_hook = methods::agen_finalizer;
    AsyncioState {
        future,
        task,
        handle,
        timer_handle,
        loop_type,
        yield_once,
        yield_once_pool: Vec::new(),
        sleep_code: None,
        gather_cb,
        deque: deque_t,
        set_result_unless_cancelled,
        running_loop: Value::None,
        current_loop: Value::None,
        set_called: false,
        task_counter: 0,
        event_wait: None,
    }
}

/// The loop payload of a loop object.
pub fn loop_state(lp: &Value) -> Option<&RefCell<LoopState>> {
    match lp.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<LoopObj>().map(|l| &l.state),
        _ => None,
    }
}

/// A new event loop object.
pub fn new_event_loop(vm: &mut Vm) -> Value {
    let poll = mio::Poll::new().ok();
    let waker = poll
        .as_ref()
        .and_then(|p| mio::Waker::new(p.registry(), mio::Token(0)).ok());
    let state = LoopState {
        ready: VecDeque::new(),
        scheduled: Vec::new(),
        timer_cancelled_count: 0,
        stopping: false,
        closed: false,
        running: false,
        debug: false,
        exception_handler: Value::None,
        task_factory: Value::None,
        current_task: Value::None,
        tasks: Vec::new(),
        asyncgens: Vec::new(),
        asyncgens_shutdown_called: false,
        poll,
        events: mio::Events::with_capacity(256),
        remote: Arc::new(Remote {
            jobs: Mutex::new(Vec::new()),
            waker,
        }),
        io: io::IoState::default(),
    };
    let cls = types(vm).loop_type.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(LoopObj {
            state: RefCell::new(state),
        })),
    ))
}

/// Monotonic seconds (`time.monotonic()` and `loop.time()`).
pub fn monotonic() -> f64 {
    use std::sync::OnceLock;
    static BASE: OnceLock<Instant> = OnceLock::new();
    let base = BASE.get_or_init(Instant::now);
    // An offset keeps values positive and clearly not "seconds since start" in output.
    1000.0 + base.elapsed().as_secs_f64()
}

pub(crate) fn next_task_number(vm: &mut Vm) -> u64 {
    let st = types(vm);
    st.task_counter += 1;
    st.task_counter
}

fn check_closed(vm: &mut Vm, lp: &Value) -> PyResult<()> {
    if loop_state(lp).is_some_and(|s| s.borrow().closed) {
        return Err(vm.runtime_error("Event loop is closed".into()));
    }
    Ok(())
}

/// Appends a callback of the loop's own (no script holds its handle) to the ready queue.
pub fn call_soon_internal(vm: &mut Vm, lp: &Value, cb: HandleCallback) {
    if let Some(s) = loop_state(lp) {
        s.borrow_mut().ready.push_back(Ready::internal(cb));
    }
    let _ = vm;
}

/// `loop.call_soon(func, *args)`.
pub fn call_soon(
    vm: &mut Vm,
    lp: &Value,
    func: Value,
    args: Vec<Value>,
) -> PyResult<Rc<HandleInner>> {
    check_closed(vm, lp)?;
    let h = Rc::new(HandleInner::new(HandleCallback::Py { func, args }, 0.0));
    *h.loop_.borrow_mut() = lp.clone();
    if let Some(s) = loop_state(lp) {
        s.borrow_mut().ready.push_back(Ready::Handle(h.clone()));
    }
    Ok(h)
}

/// `loop.call_at(when, func, *args)`.
pub fn call_at(
    vm: &mut Vm,
    lp: &Value,
    when: f64,
    cb: HandleCallback,
) -> PyResult<Rc<HandleInner>> {
    check_closed(vm, lp)?;
    let h = Rc::new(HandleInner::new(cb, when));
    *h.loop_.borrow_mut() = lp.clone();
    h.scheduled.set(true);
    if let Some(s) = loop_state(lp) {
        heapq::push(&mut s.borrow_mut().scheduled, h.clone());
    }
    Ok(h)
}

/// Bookkeeping when a scheduled timer is cancelled.
pub fn timer_handle_cancelled(_vm: &mut Vm, lp: &Value) {
    if let Some(s) = loop_state(lp) {
        s.borrow_mut().timer_cancelled_count += 1;
    }
}

pub(crate) fn register_task(_vm: &mut Vm, lp: &Value, task: &ObjRef) {
    if let Some(s) = loop_state(lp) {
        let mut s = s.borrow_mut();
        if s.tasks.len() > 64 && s.tasks.len().is_power_of_two() {
            s.tasks.retain(|w| w.strong_count() > 0);
        }
        s.tasks.push(Rc::downgrade(task));
    }
}

pub(crate) fn enter_task(vm: &mut Vm, lp: &Value, task: &ObjRef) -> PyResult<()> {
    let Some(s) = loop_state(lp) else {
        return Ok(());
    };
    let cur = s.borrow().current_task.clone();
    if !cur.is_none() {
        let t = vm.repr_or_default(&Value::Obj(task.clone()));
        let c = vm.repr_or_default(&cur);
        return Err(vm.runtime_error(format!(
            "Cannot enter into task {t} while another task {c} is being executed."
        )));
    }
    s.borrow_mut().current_task = Value::Obj(task.clone());
    Ok(())
}

pub(crate) fn leave_task(_vm: &mut Vm, lp: &Value) {
    if let Some(s) = loop_state(lp) {
        let old = std::mem::replace(&mut s.borrow_mut().current_task, Value::None);
        drop(old);
    }
}

/// One iteration of the loop (`BaseEventLoop._run_once`).
pub fn run_once(vm: &mut Vm, lp: &Value) -> PyResult<()> {
    run_once_bounded(vm, lp, None)
}

/// One iteration of the loop that waits for I/O at most `max_wait` seconds (for hosts that
/// poll the loop from their own main loop).
pub fn run_once_bounded(vm: &mut Vm, lp: &Value, max_wait: Option<f64>) -> PyResult<()> {
    let st = loop_state(lp).expect("a loop");
    purge_cancelled(&mut st.borrow_mut());
    let timeout = {
        let s = st.borrow();
        if !s.ready.is_empty() || s.stopping {
            Some(0.0)
        } else {
            s.scheduled
                .first()
                .map(|h| (h.when - monotonic()).clamp(0.0, MAX_SELECT_TIMEOUT))
        }
    };
    // A host deadline bounds every wait, so a sleeping script still stops in time.
    let max_wait = match vm.limits.deadline {
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
            Some(max_wait.map_or(left, |m| m.min(left)))
        }
        None => max_wait,
    };
    let timeout = match (timeout, max_wait) {
        (Some(t), Some(m)) => Some(t.min(m.max(0.0))),
        (None, m) => m.map(|m| m.max(0.0)),
        (t, None) => t,
    };
    wait_for_events(vm, lp, timeout)?;
    // Host limits (deadline, interrupt) are checked once per iteration too.
    vm.check_slow()?;
    {
        let end = monotonic() + CLOCK_RESOLUTION;
        let mut s = st.borrow_mut();
        while let Some(h) = s.scheduled.first() {
            if h.when >= end {
                break;
            }
            let h = heapq::pop(&mut s.scheduled).expect("non-empty");
            h.scheduled.set(false);
            s.ready.push_back(Ready::Handle(h));
        }
    }
    let ntodo = st.borrow().ready.len();
    for _ in 0..ntodo {
        let r = st.borrow_mut().ready.pop_front();
        let Some(r) = r else { break };
        match r.into_callback() {
            Err(h) => {
                if h.cancelled.get() {
                    continue;
                }
                run_callback(vm, lp, &h.callback, Some(&h))?;
                drop(h);
            }
            Ok(cb) => {
                run_callback(vm, lp, &cb, None)?;
                drop(cb);
            }
        }
        if vm.heap.shared.pending.get() {
            vm.run_finalizers();
        }
    }
    Ok(())
}

fn purge_cancelled(s: &mut LoopState) {
    let n = s.scheduled.len();
    if n > MIN_SCHEDULED_TIMER_HANDLES && s.timer_cancelled_count * 2 > n {
        let mut keep = Vec::with_capacity(n);
        for h in s.scheduled.drain(..) {
            if h.cancelled.get() {
                h.scheduled.set(false);
            } else {
                keep.push(h);
            }
        }
        heapq::heapify(&mut keep);
        s.scheduled = keep;
        s.timer_cancelled_count = 0;
    } else {
        while s.scheduled.first().is_some_and(|h| h.cancelled.get()) {
            let h = heapq::pop(&mut s.scheduled).expect("non-empty");
            h.scheduled.set(false);
            s.timer_cancelled_count = s.timer_cancelled_count.saturating_sub(1);
        }
    }
}

/// Waits up to `timeout` seconds (None: until something happens) for I/O or remote jobs.
fn wait_for_events(vm: &mut Vm, lp: &Value, timeout: Option<f64>) -> PyResult<()> {
    let st = loop_state(lp).expect("a loop");
    let has_jobs = {
        let s = st.borrow();
        let q = s.remote.jobs.lock().map(|q| !q.is_empty()).unwrap_or(false);
        q
    };
    let timeout = if has_jobs { Some(0.0) } else { timeout };
    if crate::event_loop::methods::io_registered(vm, lp) || timeout != Some(0.0) {
        let mut s = st.borrow_mut();
        let s = &mut *s;
        if let Some(poll) = &mut s.poll {
            let t = timeout.map(Duration::from_secs_f64);
            if let Err(e) = poll.poll(&mut s.events, t) {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(vm.new_exc_msg("OSError", e.to_string()));
                }
            }
        } else if let Some(t) = timeout {
            std::thread::sleep(Duration::from_secs_f64(t));
        }
    }
    let jobs = {
        let s = st.borrow();
        let q = s
            .remote
            .jobs
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        q
    };
    for job in jobs {
        job(vm);
    }
    crate::event_loop::methods::process_io_events(vm, lp)
}

/// Runs a ready callback; `h` is its handle, if it has one (else one is made for an error
/// report).
fn run_callback(
    vm: &mut Vm,
    lp: &Value,
    cb: &HandleCallback,
    h: Option<&Rc<HandleInner>>,
) -> PyResult<()> {
    let r = match cb {
        HandleCallback::Py { func, args } => vm.call(func, args).map(|_| ()),
        HandleCallback::TaskStep { task, exc } => return task::step(vm, task, exc.clone()),
        HandleCallback::Wakeup { task, fut } => return task::wakeup(vm, task, fut),
        HandleCallback::Done { func, fut } => {
            if gather::state_of(func).is_some() {
                gather::done(vm, func, fut)
            } else {
                vm.call(func, &[Value::Obj(fut.clone())]).map(|_| ())
            }
        }
    };
    match r {
        Ok(()) => Ok(()),
        Err(e) if vm.exc_is(&e, "KeyboardInterrupt") || vm.exc_is(&e, "SystemExit") => Err(e),
        Err(e) => {
            let desc = handle::describe(vm, cb);
            let h = match h {
                Some(h) => h.clone(),
                None => Rc::new(HandleInner::new(cb.clone(), 0.0)),
            };
            let hv = handle::wrap(vm, h, false);
            let msg = vm.new_str(format!("Exception in callback {desc}"));
            let ctx = vm.new_dict_obj();
            vm.dict_set_str(&ctx, "message", msg);
            vm.dict_set_str(&ctx, "exception", Value::Obj(e.0));
            vm.dict_set_str(&ctx, "handle", hv);
            call_exception_handler(vm, lp, Value::Obj(ctx))
        }
    }
}

/// `loop.call_exception_handler(context)`.
pub fn call_exception_handler(vm: &mut Vm, lp: &Value, ctx: Value) -> PyResult<()> {
    let handler = loop_state(lp)
        .map(|s| s.borrow().exception_handler.clone())
        .unwrap_or(Value::None);
    if handler.is_none() {
        return methods::default_exception_handler(vm, &ctx);
    }
    match vm.call(&handler, &[lp.clone(), ctx.clone()]) {
        Ok(_) => Ok(()),
        Err(e) if vm.exc_is(&e, "KeyboardInterrupt") || vm.exc_is(&e, "SystemExit") => Err(e),
        Err(e) => {
            let c = vm.new_dict_obj();
            let m = vm.new_str("Unhandled error in exception handler");
            vm.dict_set_str(&c, "message", m);
            vm.dict_set_str(&c, "exception", Value::Obj(e.0));
            vm.dict_set_str(&c, "context", ctx);
            methods::default_exception_handler(vm, &Value::Obj(c))
        }
    }
}

/// The running loop, or RuntimeError("no running event loop").
pub fn get_running_loop(vm: &mut Vm) -> PyResult {
    let lp = types(vm).running_loop.clone();
    if lp.is_none() {
        return Err(vm.runtime_error("no running event loop".into()));
    }
    Ok(lp)
}

/// `asyncio.get_event_loop()`: the running loop, else the current one (created on demand).
pub fn get_event_loop(vm: &mut Vm) -> PyResult {
    let st = types(vm);
    if !st.running_loop.is_none() {
        return Ok(st.running_loop.clone());
    }
    if st.current_loop.is_none() && !st.set_called {
        let lp = new_event_loop(vm);
        types(vm).current_loop = lp;
    }
    let lp = types(vm).current_loop.clone();
    if lp.is_none() {
        return Err(
            vm.runtime_error("There is no current event loop in thread 'MainThread'.".into())
        );
    }
    Ok(lp)
}

/// Raises the exception a finished future holds, or returns its result.
pub fn future_outcome(vm: &mut Vm, fo: &ObjRef) -> PyResult {
    future::result(vm, fo)
}

/// Cancels every task left on `lp` and reports failures (part of `asyncio.run` shutdown).
pub fn exc_repr(vm: &mut Vm, e: &Exc) -> String {
    vm.repr_or_default(&Value::Obj(e.0.clone()))
}
