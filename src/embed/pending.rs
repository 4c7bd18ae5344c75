//! Async natives: a native function returns a [`Pending`]; the script sees an
//! `asyncio.Future` it can await; the host completes it later through the matching
//! [`Completer`], from any thread, which queues the result on the loop and wakes the loop's
//! poller through its `mio::Waker`.
//!
//! Invariant: the shared slot is the only thing both sides touch, under a mutex. Whichever
//! side comes second does the delivery: `into_script` delivers a result that arrived first;
//! `complete` submits a job to the loop when the future already exists. A completer dropped
//! without completing fails the future with RuntimeError, so a script never waits forever
//! for a forgotten result.

use super::convert::{Converted, IntoScript};
use super::error::Error;
use super::{state, Ctx};
use crate::event_loop::{self, future, Remote};
use crate::vm::value::Value;
use crate::vm::Vm;
use std::sync::{Arc, Mutex};

struct Slot<T> {
    /// A result that arrived before the future existed.
    early: Option<Result<T, Error>>,
    /// Where to deliver once the future exists: the loop's remote and the future's id.
    target: Option<(Arc<Remote>, u64)>,
    /// Set once `complete` ran (so `Drop` does nothing).
    completed: bool,
}

/// The script side of a host result: returned from a native, it becomes an awaitable future.
pub struct Pending<T: IntoScript + Send + 'static> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The host side: completes the matching [`Pending`] from any thread.
pub struct Completer<T: IntoScript + Send + 'static> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// A new pending result and its completer.
///
/// ```
/// use aio::embed::{pending, Engine};
/// let mut engine = Engine::new();
/// engine.register("fetch", |url: String| {
///     let (p, done) = pending::<String>();
///     std::thread::spawn(move || done.complete(Ok(format!("body of {url}"))));
///     p
/// });
/// engine.run("async def main():\n    return await fetch('x')\n").unwrap();
/// assert_eq!(engine.call::<String>("main", ()).unwrap(), "body of x");
/// ```
pub fn pending<T: IntoScript + Send + 'static>() -> (Pending<T>, Completer<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        early: None,
        target: None,
        completed: false,
    }));
    (Pending { slot: slot.clone() }, Completer { slot })
}

impl<T: IntoScript + Send + 'static> Completer<T> {
    /// Completes the pending result: `Ok` resolves the future, `Err` raises in the awaiting
    /// script (e.g. `Error::raise("ConnectionError", "...")`).
    pub fn complete(mut self, result: Result<T, Error>) {
        self.finish(result);
    }

    fn finish(&mut self, result: Result<T, Error>) {
        let Ok(mut s) = self.slot.lock() else {
            return;
        };
        if s.completed {
            return;
        }
        s.completed = true;
        match s.target.take() {
            Some((remote, id)) => {
                drop(s);
                remote.submit(Box::new(move |vm: &mut Vm| deliver(vm, id, result)));
            }
            None => s.early = Some(result),
        }
    }
}

impl<T: IntoScript + Send + 'static> Drop for Completer<T> {
    fn drop(&mut self) {
        self.finish(Err(Error::raise(
            "RuntimeError",
            "the host dropped a pending result without completing it",
        )));
    }
}

/// Resolves the future `id` with `result` (on the loop's thread).
fn deliver<T: IntoScript>(vm: &mut Vm, id: u64, result: Result<T, Error>) {
    let Some(fo) = state(vm).pending.remove(&id) else {
        return;
    };
    if future::fut(&fo).done() {
        // Cancelled by the script meanwhile.
        return;
    }
    let r = result.and_then(|t| t.into_script(&mut Ctx { vm }));
    let _ = match r {
        Ok(c) => future::set_result(vm, &fo, c.0),
        Err(e) => {
            let exc = e.into_exc(vm);
            future::set_exception(vm, &fo, Value::Obj(exc.0))
        }
    };
}

impl<T: IntoScript + Send + 'static> IntoScript for Pending<T> {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        let vm = &mut *cx.vm;
        let running = event_loop::types(vm).running_loop.clone();
        let lp = if running.is_none() {
            super::driver::engine_loop(vm)
        } else {
            running
        };
        let remote = match event_loop::loop_state(&lp) {
            Some(s) => s.borrow().remote.clone(),
            None => return Err(Error::raise("RuntimeError", "no event loop")),
        };
        let fo = future::new_future(vm, lp);
        let st = state(vm);
        let id = st.next_pending;
        st.next_pending += 1;
        st.pending.insert(id, fo.clone());
        let early = {
            let Ok(mut s) = self.slot.lock() else {
                return Err(Error::raise("RuntimeError", "pending result poisoned"));
            };
            match s.early.take() {
                Some(r) => Some(r),
                None => {
                    s.target = Some((remote, id));
                    None
                }
            }
        };
        if let Some(r) = early {
            deliver(vm, id, r);
        }
        Ok(Converted(Value::Obj(fo)))
    }
}
