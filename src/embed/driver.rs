//! Driving the engine's event loop from the host: run until a coroutine completes, run until
//! idle, or poll once with a timeout (for hosts with their own main loop).
//! Invariant: between loop iterations the driver checks the interrupt word and the deadline,
//! so a host interrupt or timeout ends a run even while the loop waits for I/O or a pending
//! host result.

use super::error::Error;
use super::{state, Engine};
use crate::event_loop::{self, future, loop_state};
use crate::vm::value::Value;
use crate::vm::Vm;
use std::time::{Duration, Instant};

/// The engine's loop, created (and made the current loop) on first use.
pub(crate) fn engine_loop(vm: &mut Vm) -> Value {
    let lp = state(vm).loop_.clone();
    if !lp.is_none() && loop_state(&lp).is_some_and(|s| !s.borrow().closed) {
        return lp;
    }
    // Adopt the loop a script made current (`asyncio.get_event_loop()`), else make one.
    let current = event_loop::types(vm).current_loop.clone();
    let lp = if loop_state(&current).is_some_and(|s| !s.borrow().closed) {
        current
    } else {
        event_loop::new_event_loop(vm)
    };
    state(vm).loop_ = lp.clone();
    let st = event_loop::types(vm);
    st.current_loop = lp.clone();
    st.set_called = true;
    lp
}

/// Marks `lp` running for the duration of `f` (unless a loop already runs, e.g. a native
/// called from inside `asyncio.run`).
fn with_running<R>(vm: &mut Vm, lp: &Value, f: impl FnOnce(&mut Vm) -> R) -> R {
    let outer = event_loop::types(vm).running_loop.clone();
    if !outer.is_none() {
        return f(vm);
    }
    if let Some(s) = loop_state(lp) {
        s.borrow_mut().running = true;
    }
    event_loop::types(vm).running_loop = lp.clone();
    let r = f(vm);
    event_loop::types(vm).running_loop = Value::None;
    if let Some(s) = loop_state(lp) {
        let mut s = s.borrow_mut();
        s.running = false;
        s.stopping = false;
    }
    r
}

/// Seconds until the deadline (None: no deadline).
fn until_deadline(vm: &Vm) -> Option<f64> {
    vm.limits
        .deadline
        .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
}

/// One loop iteration waiting at most `max_wait`, then the limit checks.
fn step(vm: &mut Vm, lp: &Value, max_wait: Option<f64>) -> Result<(), Error> {
    let wait = match (max_wait, until_deadline(vm)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Err(e) = event_loop::run_once_bounded(vm, lp, wait) {
        return Err(Error::from_exc(vm, &e));
    }
    if let Err(e) = vm.check_slow() {
        return Err(Error::from_exc(vm, &e));
    }
    Ok(())
}

/// True when the loop has nothing ready, no timers and no pending host results.
fn idle(vm: &mut Vm, lp: &Value) -> bool {
    let quiet = loop_state(lp).is_none_or(|s| {
        let s = s.borrow();
        s.ready.is_empty() && s.scheduled.iter().all(|h| h.cancelled.get())
    });
    quiet && state(vm).pending.is_empty()
}

/// Runs an awaitable to completion on the engine's loop and returns its result.
pub(crate) fn run_until_complete(vm: &mut Vm, aw: Value) -> Result<Value, Error> {
    let running = event_loop::types(vm).running_loop.clone();
    if !running.is_none() {
        return Err(Error::raise(
            "RuntimeError",
            "cannot run a coroutine to completion while the event loop is running",
        ));
    }
    let lp = engine_loop(vm);
    let fut =
        event_loop::methods::ensure_future(vm, aw, &lp).map_err(|e| Error::from_exc(vm, &e))?;
    let Value::Obj(fo) = fut else {
        return Err(Error::raise("TypeError", "not awaitable"));
    };
    if let Some(t) = future::fut(&fo).task() {
        t.log_destroy_pending.set(false);
    }
    let r = with_running(vm, &lp, |vm| {
        while !future::fut(&fo).done() {
            step(vm, &lp, None)?;
        }
        Ok(())
    });
    r?;
    future::fut(&fo).log_traceback.set(false);
    future::result(vm, &fo).map_err(|e| Error::from_exc(vm, &e))
}

impl Engine {
    /// Runs the event loop until nothing is ready, scheduled or pending from the host
    /// (tasks started by earlier calls, timers, host completions).
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::builder().capture_output().build();
    /// engine.run("import asyncio\nasync def tick():\n    await asyncio.sleep(0.01)\n    print('tick')\n").unwrap();
    /// engine.run("asyncio.get_event_loop().create_task(tick())").unwrap();
    /// engine.run_until_idle().unwrap();
    /// assert_eq!(engine.take_output(), "tick\n");
    /// ```
    pub fn run_until_idle(&mut self) -> Result<(), Error> {
        self.begin();
        let lp = engine_loop(&mut self.vm);
        let r = with_running(&mut self.vm, &lp, |vm| {
            while !idle(vm, &lp) {
                step(vm, &lp, None)?;
            }
            Ok(())
        });
        self.end();
        r
    }

    /// Runs one loop iteration, waiting at most `timeout` for I/O, timers or host
    /// completions (`None`: as long as needed). Returns true while work remains.
    pub fn poll(&mut self, timeout: Option<Duration>) -> Result<bool, Error> {
        self.begin();
        let lp = engine_loop(&mut self.vm);
        let r = with_running(&mut self.vm, &lp, |vm| {
            step(vm, &lp, timeout.map(|d| d.as_secs_f64()))?;
            Ok(!idle(vm, &lp))
        });
        self.end();
        r
    }
}
