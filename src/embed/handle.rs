//! `EngineHandle`: the `Send + Sync` side of an engine for other threads, and `Waitable`, the
//! `concurrent.futures.Future` it hands back.
//!
//! A submitted call becomes a job on the engine loop's remote queue; the loop's poller is
//! woken and the job calls the function on the engine's thread. A coroutine goes through
//! `asyncio.run_coroutine_threadsafe`, the same code a script uses: it becomes a task one loop
//! iteration later, chained to a script-side `concurrent.futures.Future` whose outcome is
//! converted and put in the `Waitable`. Cancelling the `Waitable` cancels that future, which
//! cancels the task. Invariant: only `Send` data crosses: arguments implement `IntoArgs +
//! Send`, results `FromScript + Send`, and the job runs where the engine lives.

use super::convert::{FromScript, IntoArgs};
use super::error::Error;
use super::native::make_function;
use super::{state, Ctx};
use crate::event_loop::{self, Remote};
use crate::vm::limits::signal;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;
use std::time::Duration;

/// The thread running the engine's code right now, if any (set for the length of each host
/// call), so a wait that could never end is refused instead of deadlocking.
pub(crate) type Driver = Arc<Mutex<Option<ThreadId>>>;

type DoneCallback<T> = Box<dyn FnOnce(&Result<T, Error>) + Send>;

struct WaitState<T> {
    /// Set once, by the first of: the outcome arriving, or `cancel`.
    done: bool,
    cancelled: bool,
    result: Option<Result<T, Error>>,
    /// The outcome was handed out (by `wait`, `try_take` or polling).
    taken: bool,
    waker: Option<Waker>,
    callbacks: Vec<DoneCallback<T>>,
}

struct WaitShared<T> {
    state: Mutex<WaitState<T>>,
    ready: Condvar,
}

/// A result that the engine's thread will provide: the host's `concurrent.futures.Future`.
/// Block with [`Waitable::wait`], poll with [`Waitable::is_done`], `.await` it from an async
/// runtime, [`cancel`](Waitable::cancel) it or [`add_done_callback`](Waitable::add_done_callback).
pub struct Waitable<T> {
    shared: Arc<WaitShared<T>>,
    /// The id under which the engine keeps the script-side future (0: none, e.g. `submit`).
    id: u64,
    remote: Option<Arc<Remote>>,
    driver: Option<Driver>,
}

/// The filling side of a `Waitable`.
pub(crate) struct Fill<T> {
    shared: Arc<WaitShared<T>>,
}

pub(crate) fn waitable<T>() -> (Waitable<T>, Fill<T>) {
    let shared = Arc::new(WaitShared {
        state: Mutex::new(WaitState {
            done: false,
            cancelled: false,
            result: None,
            taken: false,
            waker: None,
            callbacks: Vec::new(),
        }),
        ready: Condvar::new(),
    });
    (
        Waitable {
            shared: shared.clone(),
            id: 0,
            remote: None,
            driver: None,
        },
        Fill { shared },
    )
}

fn cancelled_error() -> Error {
    Error::raise("CancelledError", "")
}

impl<T> WaitShared<T> {
    /// Records the outcome unless one is there already: runs the done callbacks (outside
    /// the lock), then stores it and wakes the waiters. False when it came too late.
    fn complete(&self, r: Result<T, Error>, cancelled: bool) -> bool {
        let callbacks = {
            let Ok(mut s) = self.state.lock() else {
                return false;
            };
            if s.done {
                return false;
            }
            s.done = true;
            s.cancelled = cancelled;
            std::mem::take(&mut s.callbacks)
        };
        for cb in callbacks {
            cb(&r);
        }
        let waker = match self.state.lock() {
            Ok(mut s) => {
                s.result = Some(r);
                s.waker.take()
            }
            Err(_) => None,
        };
        self.ready.notify_all();
        if let Some(w) = waker {
            w.wake();
        }
        true
    }
}

impl<T> WaitState<T> {
    /// Takes the outcome (once).
    fn take(&mut self) -> Option<Result<T, Error>> {
        let r = self.result.take();
        self.taken |= r.is_some();
        r
    }
}

impl<T> Fill<T> {
    pub(crate) fn fill(self, r: Result<T, Error>) {
        self.shared.complete(r, false);
    }

    /// True when the host cancelled the call before it started.
    fn cancelled(&self) -> bool {
        self.shared
            .state
            .lock()
            .map(|s| s.cancelled)
            .unwrap_or(true)
    }
}

impl<T> Waitable<T> {
    /// True when the engine's own thread is the one asking (it would wait for itself).
    fn on_engine_thread(&self) -> bool {
        let me = std::thread::current().id();
        self.driver
            .as_ref()
            .and_then(|d| d.lock().ok().map(|d| *d == Some(me)))
            .unwrap_or(false)
    }

    /// Blocks until the result is there. Called on the engine's own thread while it runs
    /// (from a native function) before the result is there, it fails with `RuntimeError`
    /// instead of waiting for ever: the engine cannot finish the work while it waits.
    pub fn wait(self) -> Result<T, Error> {
        let Ok(mut s) = self.shared.state.lock() else {
            return Err(Error::raise("RuntimeError", "result lost"));
        };
        loop {
            if let Some(r) = s.take() {
                return r;
            }
            if s.taken {
                return Err(Error::raise("RuntimeError", "result already taken"));
            }
            if self.on_engine_thread() {
                return Err(Error::raise(
                    "RuntimeError",
                    "waiting on the engine's own thread would never end",
                ));
            }
            s = match self.shared.ready.wait(s) {
                Ok(g) => g,
                Err(_) => return Err(Error::raise("RuntimeError", "result lost")),
            };
        }
    }

    /// Blocks at most `timeout`; None when the result is not there yet (at once on the
    /// engine's own thread, which cannot produce it while it waits).
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<T, Error>> {
        let s = self.shared.state.lock().ok()?;
        if s.result.is_none() && self.on_engine_thread() {
            return None;
        }
        let (mut s, _) = self
            .shared
            .ready
            .wait_timeout_while(s, timeout, |s| s.result.is_none() && !s.taken)
            .ok()?;
        s.take()
    }

    /// The result if it is there, without blocking.
    pub fn try_take(&self) -> Option<Result<T, Error>> {
        self.shared.state.lock().ok()?.take()
    }

    /// True once the call finished, failed or was cancelled.
    pub fn is_done(&self) -> bool {
        self.shared.state.lock().map(|s| s.done).unwrap_or(true)
    }

    /// True when [`cancel`](Waitable::cancel) won.
    pub fn is_cancelled(&self) -> bool {
        self.shared
            .state
            .lock()
            .map(|s| s.cancelled)
            .unwrap_or(false)
    }

    /// Cancels the call, as `concurrent.futures.Future.cancel` does: unless it is done
    /// already, the `Waitable` completes at once with a `CancelledError` and the engine is
    /// asked to cancel the task (a call not started yet never starts). Returns true when
    /// the call is cancelled.
    pub fn cancel(&self) -> bool {
        if !self.shared.complete(Err(cancelled_error()), true) {
            return self.is_cancelled();
        }
        if let (Some(remote), id) = (&self.remote, self.id) {
            remote.submit(Box::new(move |vm: &mut Vm| cancel_host_future(vm, id)));
        }
        true
    }

    /// Calls `f` with the outcome once it is there: on the engine's thread when the call
    /// completes there, or at once on this thread if it is done already (then with the
    /// outcome if it was not taken yet).
    pub fn add_done_callback(&self, f: impl FnOnce(&Result<T, Error>) + Send + 'static) {
        let Ok(mut s) = self.shared.state.lock() else {
            return;
        };
        if !s.done {
            s.callbacks.push(Box::new(f));
            return;
        }
        // Done: the outcome is stored right after the callbacks that were registered ran.
        let Ok(mut s) = self
            .shared
            .ready
            .wait_while(s, |s| s.result.is_none() && !s.taken)
        else {
            return;
        };
        let r = s.result.take();
        drop(s);
        let taken = Err(Error::raise("RuntimeError", "result already taken"));
        f(r.as_ref().unwrap_or(&taken));
        if let Some(r) = r {
            if let Ok(mut s) = self.shared.state.lock() {
                s.result = Some(r);
            }
            self.shared.ready.notify_all();
        }
    }
}

impl<T> Future for Waitable<T> {
    type Output = Result<T, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut s) = self.shared.state.lock() else {
            return Poll::Ready(Err(Error::raise("RuntimeError", "result lost")));
        };
        match s.take() {
            Some(r) => Poll::Ready(r),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A thread-safe handle on an engine: submits calls and callbacks to its loop and
/// interrupts its runs. The engine's own thread must be driving the loop (`call`,
/// `run_until_idle`, `poll`) for submitted work to run.
///
/// ```
/// use aio::embed::Engine;
/// let mut engine = Engine::new();
/// engine.run("async def add(a, b):\n    return a + b\n").unwrap();
/// let handle = engine.handle();
/// let t = std::thread::spawn(move || handle.call::<i64, _>("add", (2, 3)).wait());
/// while !t.is_finished() {
///     engine.poll(Some(std::time::Duration::from_millis(10))).unwrap();
/// }
/// assert_eq!(t.join().unwrap().unwrap(), 5);
/// ```
#[derive(Clone)]
pub struct EngineHandle {
    remote: Arc<Remote>,
    signals: Arc<AtomicU32>,
    ids: Arc<AtomicU64>,
    driver: Driver,
}

pub(crate) fn new_handle(vm: &mut Vm) -> EngineHandle {
    let lp = super::driver::engine_loop(vm);
    let remote = event_loop::loop_state(&lp)
        .map(|s| s.borrow().remote.clone())
        .expect("the engine loop has a remote");
    let signals = vm.limits.signals.clone();
    let st = state(vm);
    EngineHandle {
        remote,
        signals,
        ids: st.host_ids.clone(),
        driver: st.driver.clone(),
    }
}

impl EngineHandle {
    /// Calls the script function `name` on the engine's thread. A coroutine function's
    /// coroutine is handed to `asyncio.run_coroutine_threadsafe` on the engine's loop, as a
    /// script would; the outcome arrives in the returned `Waitable`, which also cancels it.
    pub fn call<T, A>(&self, name: &str, args: A) -> Waitable<T>
    where
        T: FromScript + Send + 'static,
        A: IntoArgs + Send + 'static,
    {
        let (mut w, fill) = waitable();
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        w.id = id;
        w.remote = Some(self.remote.clone());
        w.driver = Some(self.driver.clone());
        let name = name.to_string();
        self.remote.submit(Box::new(move |vm: &mut Vm| {
            start_call(vm, &name, args, fill, id)
        }));
        w
    }

    /// Runs `f` on the engine's thread with access to the engine (`Ctx`) and returns what
    /// it returns (unless the `Waitable` is cancelled before `f` starts).
    pub fn submit<R, F>(&self, f: F) -> Waitable<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Ctx<'_>) -> R + Send + 'static,
    {
        let (mut w, fill) = waitable();
        w.driver = Some(self.driver.clone());
        self.remote.submit(Box::new(move |vm: &mut Vm| {
            if !fill.cancelled() {
                let r = f(&mut Ctx { vm });
                fill.fill(Ok(r));
            }
        }));
        w
    }

    /// Stops the engine's current run (uncatchable by the script); the run returns
    /// `Error::Limit(LimitKind::Interrupted)`. Has no effect on runs started later.
    pub fn interrupt(&self) {
        self.signals
            .fetch_or(signal::HOST_INTERRUPT, Ordering::Relaxed);
        if let Some(w) = &self.remote.waker {
            let _ = w.wake();
        }
    }
}

/// Starts a submitted call on the engine's thread: a plain result is converted at once; an
/// awaitable is chained to a script-side `concurrent.futures.Future` (kept under `id` so the
/// host can cancel it) whose outcome fills the `Waitable`.
fn start_call<T: FromScript + Send + 'static, A: IntoArgs>(
    vm: &mut Vm,
    name: &str,
    args: A,
    fill: Fill<T>,
    id: u64,
) {
    if fill.cancelled() {
        return;
    }
    let f = match super::engine::lookup(vm, name) {
        Ok(f) => f,
        Err(e) => return fill.fill(Err(e)),
    };
    let args = match args.into_args(&mut Ctx { vm }) {
        Ok(a) => a,
        Err(e) => return fill.fill(Err(e)),
    };
    let v = match vm.call(&f, &args) {
        Ok(v) => v,
        Err(e) => return fill.fill(Err(Error::from_exc(vm, &e))),
    };
    if !super::engine::is_awaitable(&v) {
        let r = super::engine::convert_out(vm, &v);
        return fill.fill(r);
    }
    let cf = match concurrent_future_for(vm, v) {
        Ok(cf) => cf,
        Err(e) => return fill.fill(Err(Error::from_exc(vm, &e))),
    };
    state(vm).host_futures.insert(id, cf.clone());
    let fill = Mutex::new(Some(fill));
    let done = make_function(
        vm,
        "_host_call_done",
        Box::new(move |vm: &mut Vm, args: &crate::vm::object::Args| {
            state(vm).host_futures.remove(&id);
            let Some(fill) = fill.lock().ok().and_then(|mut f| f.take()) else {
                return Ok(Value::None);
            };
            let cf = args.pos.first().cloned().unwrap_or(Value::None);
            let r = outcome(vm, &cf);
            fill.fill(r);
            Ok(Value::None)
        }),
    );
    let added = vm
        .getattr_str(&cf, "add_done_callback")
        .and_then(|m| vm.call(&m, &[done]));
    if let Err(e) = added {
        let err = Error::from_exc(vm, &e);
        state(vm).host_futures.remove(&id);
        drop(err);
    }
}

/// `asyncio.run_coroutine_threadsafe(coro, loop)` for a coroutine; for another awaitable, a
/// new `concurrent.futures.Future` chained to it.
fn concurrent_future_for(vm: &mut Vm, aw: Value) -> PyResult {
    let lp = super::driver::engine_loop(vm);
    let tasks = Value::Obj(vm.import_module("asyncio.tasks")?);
    if crate::event_loop::task::is_coroutine_like(vm, &aw) {
        let f = vm.getattr_str(&tasks, "run_coroutine_threadsafe")?;
        return vm.call(&f, &[aw, lp]);
    }
    let cfm = Value::Obj(vm.import_module("concurrent.futures")?);
    let cls = vm.getattr_str(&cfm, "Future")?;
    let cf = vm.call(&cls, &[])?;
    let fut = event_loop::methods::ensure_future(vm, aw, &lp)?;
    let futures = Value::Obj(vm.import_module("asyncio.futures")?);
    let chain = vm.getattr_str(&futures, "_chain_future")?;
    vm.call(&chain, &[fut, cf.clone()])?;
    Ok(cf)
}

/// The outcome of a finished `concurrent.futures.Future`, converted for the host.
fn outcome<T: FromScript>(vm: &mut Vm, cf: &Value) -> Result<T, Error> {
    let call = |vm: &mut Vm, name: &str| -> PyResult {
        let m = vm.getattr_str(cf, name)?;
        vm.call(&m, &[])
    };
    let cancelled = call(vm, "cancelled").map_err(|e| Error::from_exc(vm, &e))?;
    if vm.truthy(&cancelled).unwrap_or(false) {
        return Err(cancelled_error());
    }
    match call(vm, "exception") {
        Ok(Value::Obj(exc)) => Err(Error::from_exc(vm, &crate::vm::Exc(exc))),
        Ok(_) => match call(vm, "result") {
            Ok(v) => super::engine::convert_out(vm, &v),
            Err(e) => Err(Error::from_exc(vm, &e)),
        },
        Err(e) => Err(Error::from_exc(vm, &e)),
    }
}

/// On the engine's thread: cancels the script-side future of host call `id` (and so its
/// task), after the host cancelled the `Waitable`.
fn cancel_host_future(vm: &mut Vm, id: u64) {
    let Some(cf) = state(vm).host_futures.remove(&id) else {
        return;
    };
    if let Ok(m) = vm.getattr_str(&cf, "cancel") {
        let _ = vm.call(&m, &[]);
    }
}
