//! `EngineHandle`: the `Send + Sync` side of an engine for other threads (the engine half of
//! `run_coroutine_threadsafe`), and `Waitable`, the result it hands back.
//!
//! A submitted call becomes a job on the engine loop's remote queue; the loop's poller is
//! woken, the job starts the call on the engine's thread (a coroutine becomes a task), and
//! the converted result is put in the `Waitable`, which a thread can block on or an async
//! host can `.await`. Invariant: only `Send` data crosses: arguments implement `IntoArgs +
//! Send`, results `FromScript + Send`, and the job runs where the engine lives.

use super::convert::{FromScript, IntoArgs};
use super::error::Error;
use super::native::make_function;
use super::Ctx;
use crate::event_loop::{self, future, Remote};
use crate::vm::limits::signal;
use crate::vm::value::Value;
use crate::vm::Vm;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

struct WaitState<T> {
    result: Option<Result<T, Error>>,
    waker: Option<Waker>,
}

struct WaitShared<T> {
    state: Mutex<WaitState<T>>,
    ready: Condvar,
}

/// A result that another thread (the engine's) will provide: block with [`Waitable::wait`]
/// or `.await` it from an async runtime.
pub struct Waitable<T> {
    shared: Arc<WaitShared<T>>,
}

/// The filling side of a `Waitable`.
pub(crate) struct Fill<T> {
    shared: Arc<WaitShared<T>>,
}

pub(crate) fn waitable<T>() -> (Waitable<T>, Fill<T>) {
    let shared = Arc::new(WaitShared {
        state: Mutex::new(WaitState {
            result: None,
            waker: None,
        }),
        ready: Condvar::new(),
    });
    (
        Waitable {
            shared: shared.clone(),
        },
        Fill { shared },
    )
}

impl<T> Fill<T> {
    pub(crate) fn fill(self, r: Result<T, Error>) {
        let waker = match self.shared.state.lock() {
            Ok(mut s) => {
                s.result = Some(r);
                s.waker.take()
            }
            Err(_) => None,
        };
        self.shared.ready.notify_all();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Waitable<T> {
    /// Blocks until the result is there.
    pub fn wait(self) -> Result<T, Error> {
        let Ok(mut s) = self.shared.state.lock() else {
            return Err(Error::raise("RuntimeError", "result lost"));
        };
        loop {
            if let Some(r) = s.result.take() {
                return r;
            }
            s = match self.shared.ready.wait(s) {
                Ok(g) => g,
                Err(_) => return Err(Error::raise("RuntimeError", "result lost")),
            };
        }
    }

    /// Blocks at most `timeout`; None when the result is not there yet.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Result<T, Error>> {
        let s = self.shared.state.lock().ok()?;
        let (mut s, _) = self
            .shared
            .ready
            .wait_timeout_while(s, timeout, |s| s.result.is_none())
            .ok()?;
        s.result.take()
    }

    /// The result if it is there, without blocking.
    pub fn try_take(&self) -> Option<Result<T, Error>> {
        self.shared.state.lock().ok()?.result.take()
    }
}

impl<T> Future for Waitable<T> {
    type Output = Result<T, Error>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut s) = self.shared.state.lock() else {
            return Poll::Ready(Err(Error::raise("RuntimeError", "result lost")));
        };
        match s.result.take() {
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
}

pub(crate) fn new_handle(vm: &mut Vm) -> EngineHandle {
    let lp = super::driver::engine_loop(vm);
    let remote = event_loop::loop_state(&lp)
        .map(|s| s.borrow().remote.clone())
        .expect("the engine loop has a remote");
    EngineHandle {
        remote,
        signals: vm.limits.signals.clone(),
    }
}

impl EngineHandle {
    /// Calls the script function `name` on the engine's thread; a coroutine runs as a task
    /// on the engine's loop. The result arrives in the returned `Waitable`.
    pub fn call<T, A>(&self, name: &str, args: A) -> Waitable<T>
    where
        T: FromScript + Send + 'static,
        A: IntoArgs + Send + 'static,
    {
        let (w, fill) = waitable();
        let name = name.to_string();
        self.remote.submit(Box::new(move |vm: &mut Vm| {
            start_call(vm, &name, args, fill)
        }));
        w
    }

    /// Runs `f` on the engine's thread with access to the engine (`Ctx`) and returns what
    /// it returns.
    pub fn submit<R, F>(&self, f: F) -> Waitable<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Ctx<'_>) -> R + Send + 'static,
    {
        let (w, fill) = waitable();
        self.remote.submit(Box::new(move |vm: &mut Vm| {
            let r = f(&mut Ctx { vm });
            fill.fill(Ok(r));
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

/// Starts a submitted call on the engine's thread.
fn start_call<T: FromScript + Send + 'static, A: IntoArgs>(
    vm: &mut Vm,
    name: &str,
    args: A,
    fill: Fill<T>,
) {
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
        Err(e) => return fill.fill(Err(super::Error::from_exc(vm, &e))),
    };
    if !super::engine::is_awaitable(&v) {
        let r = super::engine::convert_out(vm, &v);
        return fill.fill(r);
    }
    let lp = super::driver::engine_loop(vm);
    let task = match event_loop::methods::ensure_future(vm, v, &lp) {
        Ok(Value::Obj(t)) => t,
        Ok(_) => return fill.fill(Err(Error::raise("TypeError", "not awaitable"))),
        Err(e) => return fill.fill(Err(super::Error::from_exc(vm, &e))),
    };
    let fill = Mutex::new(Some(fill));
    let done = make_function(
        vm,
        "_host_call_done",
        Box::new(move |vm: &mut Vm, args: &crate::vm::object::Args| {
            let Some(fill) = fill.lock().ok().and_then(|mut f| f.take()) else {
                return Ok(Value::None);
            };
            let Some(Value::Obj(fo)) = args.pos.first() else {
                return Ok(Value::None);
            };
            future::fut(fo).log_traceback.set(false);
            let r = match future::result(vm, fo) {
                Ok(v) => super::engine::convert_out(vm, &v),
                Err(e) => Err(super::Error::from_exc(vm, &e)),
            };
            fill.fill(r);
            Ok(Value::None)
        }),
    );
    future::add_done_callback(vm, &task, future::DoneCallback::Py(done));
}
