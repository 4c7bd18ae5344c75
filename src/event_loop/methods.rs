//! The loop's script-visible methods and the native `_asyncio` module functions.
//! Invariant: every method checks the loop is open (and not already running where CPython
//! does) with CPython's messages before touching its state.

use super::future::{self, fut, DoneCallback, FutState};
use super::handle::{self, HandleCallback};
use super::{loop_state, types, LoopState};
use crate::vm::gen::ExtSend;
use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

fn this(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if loop_state(v).is_some() => Ok(v.clone()),
        _ => Err(vm.type_error("descriptor requires an event loop".into())),
    }
}

fn st(lp: &Value) -> &std::cell::RefCell<LoopState> {
    loop_state(lp).expect("a loop")
}

fn m_time(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::from_f64(super::monotonic()))
}

fn m_call_soon(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let Some(func) = args.pos.get(1).cloned() else {
        return Err(
            vm.type_error("call_soon() missing 1 required positional argument: 'callback'".into())
        );
    };
    check_callable(vm, &func, "call_soon")?;
    let h = super::call_soon(vm, &lp, func, args.pos[2..].to_vec())?;
    Ok(handle::wrap(vm, h, false))
}

fn check_callable(vm: &mut Vm, f: &Value, what: &str) -> PyResult<()> {
    if !crate::builtins::callable_value(vm, f) {
        let _ = what;
        let r = vm.repr_or_default(f);
        return Err(vm.type_error(format!(
            "a callable object was expected by call_soon(), got {r}"
        )));
    }
    Ok(())
}

fn m_call_later(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    if args.pos.len() < 3 {
        return Err(vm.type_error("call_later() missing required arguments".into()));
    }
    let delay = crate::types::float::to_float(vm, &args.pos[1])?;
    let when = super::monotonic() + delay;
    let cb = HandleCallback::Py {
        func: args.pos[2].clone(),
        args: args.pos[3..].to_vec(),
    };
    let h = super::call_at(vm, &lp, when, cb)?;
    Ok(handle::wrap(vm, h, true))
}

fn m_call_at(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    if args.pos.len() < 3 {
        return Err(vm.type_error("call_at() missing required arguments".into()));
    }
    let when = crate::types::float::to_float(vm, &args.pos[1])?;
    let cb = HandleCallback::Py {
        func: args.pos[2].clone(),
        args: args.pos[3..].to_vec(),
    };
    let h = super::call_at(vm, &lp, when, cb)?;
    Ok(handle::wrap(vm, h, true))
}

fn m_create_future(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    Ok(Value::Obj(future::new_future(vm, lp)))
}

/// `loop.create_task(coro, name=None)`.
pub fn create_task(vm: &mut Vm, lp: &Value, coro: Value, name: Value) -> PyResult {
    super::check_closed(vm, lp)?;
    let factory = st(lp).borrow().task_factory.clone();
    if !factory.is_none() {
        let t = vm.call(&factory, &[lp.clone(), coro])?;
        if !name.is_none() {
            let _ = vm.call_method(&t, "set_name", &[name]);
        }
        return Ok(t);
    }
    Ok(Value::Obj(super::task::new_task(vm, lp, coro, name)?))
}

fn m_create_task(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [coro, name, _context] = rest.bind(vm, "create_task", ["coro", "name", "context"], 1)?;
    create_task(
        vm,
        &lp,
        coro.expect("required"),
        name.unwrap_or(Value::None),
    )
}

/// `loop.run_forever()`.
pub fn run_forever(vm: &mut Vm, lp: &Value) -> PyResult<()> {
    super::check_closed(vm, lp)?;
    if st(lp).borrow().running {
        return Err(vm.runtime_error("This event loop is already running".into()));
    }
    if !types(vm).running_loop.is_none() {
        return Err(
            vm.runtime_error("Cannot run the event loop while another loop is running".into())
        );
    }
    st(lp).borrow_mut().running = true;
    types(vm).running_loop = lp.clone();
    let r = loop {
        if let Err(e) = super::run_once(vm, lp) {
            break Err(e);
        }
        if st(lp).borrow().stopping {
            break Ok(());
        }
    };
    {
        let mut s = st(lp).borrow_mut();
        s.stopping = false;
        s.running = false;
    }
    types(vm).running_loop = Value::None;
    r
}

fn m_run_forever(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    run_forever(vm, &lp)?;
    Ok(Value::None)
}

fn stop_cb(vm: &mut Vm, args: Args) -> PyResult {
    // _run_until_complete_cb: stop the loop unless the future holds SystemExit/KeyboardInterrupt.
    let fv = args.pos.first().cloned().unwrap_or(Value::None);
    if let Value::Obj(fo) = &fv {
        let f = fut(fo);
        if f.state.get() != FutState::Cancelled {
            f.log_traceback.set(false);
            let e = f.exception();
            if let Value::Obj(eo) = &e {
                let ex = crate::vm::Exc(eo.clone());
                if vm.exc_is(&ex, "SystemExit") || vm.exc_is(&ex, "KeyboardInterrupt") {
                    return Ok(Value::None);
                }
            }
        }
    }
    if let Some(s) = loop_state(args.data) {
        s.borrow_mut().stopping = true;
    }
    Ok(Value::None)
}

/// `loop.run_until_complete(future)`.
pub fn run_until_complete(vm: &mut Vm, lp: &Value, fut_or_coro: Value) -> PyResult {
    super::check_closed(vm, lp)?;
    if st(lp).borrow().running {
        return Err(vm.runtime_error("This event loop is already running".into()));
    }
    let is_future = future::fut_of(&fut_or_coro).is_some();
    let fv = if is_future {
        fut_or_coro
    } else {
        ensure_future(vm, fut_or_coro, lp)?
    };
    let Value::Obj(fo) = fv.clone() else {
        return Err(
            vm.type_error("An asyncio.Future, a coroutine or an awaitable is required".into())
        );
    };
    if !is_future {
        if let Some(t) = fut(&fo).task.as_deref() {
            t.log_destroy_pending.set(false);
        }
    }
    let cb = vm.new_native_with("_run_until_complete_cb", stop_cb, lp.clone());
    future::add_done_callback(vm, &fo, DoneCallback::Py(cb.clone()));
    let r = run_forever(vm, lp);
    fut(&fo)
        .callbacks
        .borrow_mut()
        .retain(|c| !matches!(c, DoneCallback::Py(v) if v.is(&cb)));
    if let Err(e) = r {
        if !is_future && fut(&fo).done() && fut(&fo).state.get() != FutState::Cancelled {
            fut(&fo).log_traceback.set(false);
        }
        return Err(e);
    }
    if !fut(&fo).done() {
        return Err(vm.runtime_error("Event loop stopped before Future completed.".into()));
    }
    future::result(vm, &fo)
}

/// `asyncio.ensure_future(obj, loop=lp)` for coroutines and awaitables.
pub fn ensure_future(vm: &mut Vm, obj: Value, lp: &Value) -> PyResult {
    if future::fut_of(&obj).is_some() {
        return Ok(obj);
    }
    if matches!(obj.kind(), Some(ObjKind::Generator(g)) if g.kind == crate::vm::object::GenKind::Coroutine)
    {
        return create_task(vm, lp, obj, Value::None);
    }
    let m = vm.import_module("asyncio.tasks")?;
    let f = vm.getattr_str(&Value::Obj(m), "ensure_future")?;
    vm.call_kw(&f, &[obj], &[("loop", lp.clone())])
}

fn m_run_until_complete(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let f = args.pos.get(1).cloned().unwrap_or(Value::None);
    run_until_complete(vm, &lp, f)
}

fn m_stop(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    st(&lp).borrow_mut().stopping = true;
    Ok(Value::None)
}

fn m_close(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    if st(&lp).borrow().running {
        return Err(vm.runtime_error("Cannot close a running event loop".into()));
    }
    let (ready, scheduled) = {
        let mut s = st(&lp).borrow_mut();
        if s.closed {
            return Ok(Value::None);
        }
        s.closed = true;
        (
            std::mem::take(&mut s.ready),
            std::mem::take(&mut s.scheduled),
        )
    };
    drop(ready);
    drop(scheduled);
    super::io::close_loop(vm, &lp);
    Ok(Value::None)
}

fn m_is_running(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let r = st(&lp).borrow().running;
    Ok(Value::from_bool(r))
}

fn m_is_closed(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let r = st(&lp).borrow().closed;
    Ok(Value::from_bool(r))
}

fn m_get_debug(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let r = st(&lp).borrow().debug;
    Ok(Value::from_bool(r))
}

fn m_set_debug(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let b = vm.truthy(args.pos.get(1).unwrap_or(&Value::None))?;
    st(&lp).borrow_mut().debug = b;
    Ok(Value::None)
}

fn m_set_exception_handler(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let h = args.pos.get(1).cloned().unwrap_or(Value::None);
    if !h.is_none() && !crate::builtins::callable_value(vm, &h) {
        let r = vm.repr_or_default(&h);
        return Err(vm.type_error(format!("A callable object or None is expected, got {r}")));
    }
    st(&lp).borrow_mut().exception_handler = h;
    Ok(Value::None)
}

fn m_get_exception_handler(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let h = st(&lp).borrow().exception_handler.clone();
    Ok(h)
}

fn m_set_task_factory(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    st(&lp).borrow_mut().task_factory = args.pos.get(1).cloned().unwrap_or(Value::None);
    Ok(Value::None)
}

fn m_get_task_factory(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let f = st(&lp).borrow().task_factory.clone();
    Ok(f)
}

/// `loop.default_exception_handler(context)`: logs to stderr as CPython's logger would.
pub fn default_exception_handler(vm: &mut Vm, ctx: &Value) -> PyResult<()> {
    let Value::Obj(d) = ctx else { return Ok(()) };
    let message = vm
        .dict_get_str(d, "message")
        .filter(|m| vm.truthy(m).unwrap_or(false))
        .map(|m| vm.str_of(&m))
        .transpose()?
        .unwrap_or_else(|| "Unhandled exception in event loop".into());
    let exception = vm.dict_get_str(d, "exception");
    let mut keys: Vec<String> = vm
        .dict_items(d)
        .into_iter()
        .filter_map(|(k, _)| k.as_str().map(String::from))
        .collect();
    keys.sort();
    let mut text = message;
    for k in keys {
        if k == "message" || k == "exception" {
            continue;
        }
        let v = vm.dict_get_str(d, &k).unwrap_or(Value::None);
        let r = vm.repr_or_default(&v);
        text.push_str(&format!("\n{k}: {r}"));
    }
    text.push('\n');
    if let Some(Value::Obj(e)) = exception {
        text.push_str(&vm.format_exception(&crate::vm::Exc(e)));
    }
    vm.write_stderr(&text);
    Ok(())
}

fn m_default_exception_handler(vm: &mut Vm, args: Args) -> PyResult {
    let ctx = args.pos.get(1).cloned().unwrap_or(Value::None);
    default_exception_handler(vm, &ctx)?;
    Ok(Value::None)
}

fn m_call_exception_handler(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let ctx = args.pos.get(1).cloned().unwrap_or(Value::None);
    super::call_exception_handler(vm, &lp, ctx)?;
    Ok(Value::None)
}

fn m_shutdown_asyncgens(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let agens: Vec<Value> = {
        let mut s = st(&lp).borrow_mut();
        s.asyncgens_shutdown_called = true;
        let list = s
            .asyncgens
            .drain(..)
            .filter_map(|w| w.upgrade())
            .map(Value::Obj)
            .collect();
        list
    };
    let list = vm.new_list(agens);
    let m = vm.import_module("asyncio.base_events")?;
    let f = vm.getattr_str(&Value::Obj(m), "_shutdown_asyncgens")?;
    vm.call(&f, &[lp, list])
}

fn m_shutdown_default_executor(vm: &mut Vm, _args: Args) -> PyResult {
    let m = vm.import_module("_aio_helpers")?;
    let f = vm.getattr_str(&Value::Obj(m), "noop")?;
    vm.call(&f, &[])
}

fn m_repr(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    let s = {
        let s = st(&lp).borrow();
        let b = |x: bool| if x { "True" } else { "False" };
        format!(
            "<_UnixSelectorEventLoop running={} closed={} debug={}>",
            b(s.running),
            b(s.closed),
            b(s.debug)
        )
    };
    Ok(vm.new_str(s))
}

/// Installs the loop type's methods.
pub fn init_loop_type(vm: &mut Vm, t: &ObjRef) {
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("time", m_time),
        ("call_soon", m_call_soon),
        ("call_soon_threadsafe", m_call_soon),
        ("call_later", m_call_later),
        ("call_at", m_call_at),
        ("create_future", m_create_future),
        ("create_task", m_create_task),
        ("run_forever", m_run_forever),
        ("run_until_complete", m_run_until_complete),
        ("stop", m_stop),
        ("close", m_close),
        ("is_running", m_is_running),
        ("is_closed", m_is_closed),
        ("get_debug", m_get_debug),
        ("set_debug", m_set_debug),
        ("set_exception_handler", m_set_exception_handler),
        ("get_exception_handler", m_get_exception_handler),
        ("set_task_factory", m_set_task_factory),
        ("get_task_factory", m_get_task_factory),
        ("default_exception_handler", m_default_exception_handler),
        ("call_exception_handler", m_call_exception_handler),
        ("shutdown_asyncgens", m_shutdown_asyncgens),
        ("shutdown_default_executor", m_shutdown_default_executor),
        ("__repr__", m_repr),
    ];
    vm.add_methods(t, methods);
    super::io::init_loop_type(vm, t);
}

/// The timer part of `asyncio.sleep(delay, result)` for a positive delay: a future that a
/// timer completes, awaited, with the timer cancelled if the wait ends early (CPython's
/// `try: return await future finally: h.cancel()`).
pub struct SleepOp {
    state: RefCell<SleepState>,
}

/// The states of a `SleepOp`.
enum SleepState {
    /// Not awaited yet.
    Start { delay: f64, result: Value },
    /// The timer is scheduled; `fut` completes when it fires.
    Waiting { fut: ObjRef, timer: Rc<HInner> },
    /// Finished (or cancelled): awaiting again is an error.
    Done,
}

use super::handle::HandleInner as HInner;
use std::cell::RefCell;
use std::rc::Rc;

impl SleepOp {
    fn take_timer(&self) -> Option<Rc<HInner>> {
        let mut st = self.state.try_borrow_mut().ok()?;
        match std::mem::replace(&mut *st, SleepState::Done) {
            SleepState::Waiting { timer, .. } => Some(timer),
            _ => None,
        }
    }
}

/// Cancels a timer handle from a drop (no `Vm` at hand).
fn cancel_timer(h: &HInner) {
    if h.cancelled.replace(true) || !h.scheduled.get() {
        return;
    }
    let lp = h.loop_.borrow().clone();
    if let Some(s) = loop_state(&lp) {
        if let Ok(mut s) = s.try_borrow_mut() {
            s.timer_cancelled_count += 1;
        }
    }
}

impl Drop for SleepOp {
    fn drop(&mut self) {
        if let Some(t) = self.take_timer() {
            cancel_timer(&t);
        }
    }
}

impl ExtObject for SleepOp {
    fn type_name(&self) -> &str {
        "_SleepOp"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            match &*s {
                SleepState::Start { result, .. } => f(result),
                // The timer's own references are the loop's to report while it is scheduled.
                SleepState::Waiting { fut, .. } => f(&Value::Obj(fut.clone())),
                SleepState::Done => {}
            }
        }
    }
    fn clear(&self) {
        if let Some(t) = self.take_timer() {
            cancel_timer(&t);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn sleep_send(vm: &mut Vm, op: &SleepOp) -> PyResult<ExtSend> {
    let st = std::mem::replace(&mut *op.state.borrow_mut(), SleepState::Done);
    match st {
        SleepState::Start { delay, result } => {
            let lp = super::get_running_loop(vm)?;
            let fo = future::new_future(vm, lp.clone());
            let func = types(vm).set_result_unless_cancelled.clone();
            let cb = HandleCallback::Py {
                func,
                args: vec![Value::Obj(fo.clone()), result],
            };
            let timer = super::call_at(vm, &lp, super::monotonic() + delay, cb)?;
            fut(&fo).blocking.set(true);
            *op.state.borrow_mut() = SleepState::Waiting {
                fut: fo.clone(),
                timer,
            };
            Ok(ExtSend::Yield(Value::Obj(fo)))
        }
        SleepState::Waiting { fut: fo, timer } => {
            if !timer.cancelled.get() {
                timer.cancelled.set(true);
                if timer.scheduled.get() {
                    let lp = timer.loop_.borrow().clone();
                    super::timer_handle_cancelled(vm, &lp);
                }
            }
            if !fut(&fo).done() {
                return Err(vm.runtime_error("await wasn't used with future".into()));
            }
            Ok(ExtSend::Return(future::result(vm, &fo)?))
        }
        SleepState::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
    }
}

fn f_sleep(vm: &mut Vm, args: Args) -> PyResult {
    let delay = match args.pos.first() {
        Some(d) => crate::types::float::to_float(vm, d)?,
        None => 0.0,
    };
    let result = args.pos.get(1).cloned().unwrap_or(Value::None);
    let cls = types(vm).yield_once.clone();
    Ok(Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(SleepOp {
            state: RefCell::new(SleepState::Start { delay, result }),
        })),
    )))
}

fn f_set_result_unless_cancelled(vm: &mut Vm, args: Args) -> PyResult {
    if let Some(Value::Obj(fo)) = args.pos.first() {
        if fut(fo).state.get() != FutState::Cancelled {
            let v = args.pos.get(1).cloned().unwrap_or(Value::None);
            future::set_result(vm, fo, v)?;
        }
    }
    Ok(Value::None)
}

/// The native `futures._set_result_unless_cancelled`, which sleep timers call.
pub fn new_set_result_unless_cancelled(vm: &mut Vm) -> Value {
    vm.new_native(
        "_set_result_unless_cancelled",
        f_set_result_unless_cancelled,
    )
}

/// An exception is thrown into a frame awaiting the extension awaitable `sub`: the native
/// waits clean up as their coroutines' `except`/`finally` clauses would.
pub fn ext_throw(vm: &mut Vm, sub: &Value) {
    super::event_wait::throw_hook(vm, sub);
    super::queues::throw_hook(vm, sub);
}

/// `Send` on extension awaitables.
pub fn ext_send(vm: &mut Vm, sub: &Value, _value: Value) -> PyResult<ExtSend> {
    if let Some(ObjKind::Ext(e)) = sub.kind() {
        // The most frequent first: `asyncio.sleep(0)`'s awaitable.
        if let Some(r) = super::sleep0::send(vm, sub, &**e) {
            return Ok(r);
        }
        if let Some(op) = e.as_any().downcast_ref::<SleepOp>() {
            return sleep_send(vm, op);
        }
        if e.as_any().is::<super::queues::QueueOp>() {
            return super::queues::op_send(vm, sub, _value);
        }
        if e.as_any().is::<super::event_wait::WaitOp>() {
            return super::event_wait::op_send(vm, sub, _value);
        }
        if e.as_any().is::<super::io_streams::StreamOp>() {
            return super::io_streams::op_send(vm, sub, _value);
        }
    }
    crate::vm::gen::no_ext_send(vm, sub, _value)
}

/// A suspended async generator was dropped: close it on the running loop, as CPython's
/// `_asyncgen_finalizer_hook` does.
pub fn agen_finalizer(vm: &mut Vm, gen: &ObjRef) -> bool {
    let Some(st) = vm.asyncio.as_deref() else {
        return false;
    };
    let lp = st.running_loop.clone();
    if lp.is_none() {
        return false;
    }
    // A task over the `aclose()` awaitable itself: cancelling it before it starts still
    // throws into the generator, so its `finally` runs (as in CPython).
    let coro = vm.agen_op(gen, crate::vm::object::AgenOpKind::Close);
    let Ok(ct) = vm.getattr_str(&lp, "create_task") else {
        return false;
    };
    super::call_soon(vm, &lp, ct, vec![coro]).is_ok()
}

/// True when the loop has sockets registered (the poller must be asked even with a zero
/// timeout).
pub fn io_registered(vm: &mut Vm, lp: &Value) -> bool {
    // The signal pipe is looked up (a map lookup) only until the loop has registered it.
    super::io::before_poll(lp, || super::io_signal::wakeup_fd(vm))
}

/// Dispatches readiness events from the last poll.
pub fn process_io_events(vm: &mut Vm, lp: &Value) -> PyResult<()> {
    super::io::process_events(vm, lp)
}

// ----- the `_asyncio` module ---------------------------------------------------------------

fn f_get_running_loop(vm: &mut Vm, _args: Args) -> PyResult {
    super::get_running_loop(vm)
}

fn f_private_get_running_loop(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(types(vm).running_loop.clone())
}

fn f_set_running_loop(vm: &mut Vm, args: Args) -> PyResult {
    types(vm).running_loop = args.pos.first().cloned().unwrap_or(Value::None);
    Ok(Value::None)
}

fn f_get_event_loop(vm: &mut Vm, _args: Args) -> PyResult {
    super::get_event_loop(vm)
}

fn f_set_event_loop(vm: &mut Vm, args: Args) -> PyResult {
    let lp = args.pos.first().cloned().unwrap_or(Value::None);
    if !lp.is_none() && loop_state(&lp).is_none() {
        let t = vm.type_name(&lp);
        return Err(vm.type_error(format!(
            "loop must be an instance of AbstractEventLoop or None, not '{t}'"
        )));
    }
    let st = types(vm);
    st.set_called = true;
    st.current_loop = lp;
    Ok(Value::None)
}

fn f_new_event_loop(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(super::new_event_loop(vm))
}

fn loop_arg(vm: &mut Vm, args: &Args, fname: &str) -> PyResult<Value> {
    match args.pos.first().or(args.kw("loop")) {
        Some(l) if !l.is_none() => Ok(l.clone()),
        _ => {
            let _ = fname;
            super::get_running_loop(vm)
        }
    }
}

fn f_current_task(vm: &mut Vm, args: Args) -> PyResult {
    let lp = loop_arg(vm, &args, "current_task")?;
    Ok(loop_state(&lp)
        .map(|s| s.borrow().current_task.clone())
        .unwrap_or(Value::None))
}

fn f_all_tasks(vm: &mut Vm, args: Args) -> PyResult {
    let lp = loop_arg(vm, &args, "all_tasks")?;
    let tasks: Vec<ObjRef> = loop_state(&lp)
        .map(|s| {
            let mut s = s.borrow_mut();
            s.tasks.retain(|w| w.strong_count() > 0);
            s.tasks.iter().filter_map(|w| w.upgrade()).collect()
        })
        .unwrap_or_default();
    let pending: Vec<Value> = tasks
        .into_iter()
        .filter(|t| !fut(t).done())
        .map(Value::Obj)
        .collect();
    vm.new_set_from(pending)
}

fn f_enter_task(vm: &mut Vm, args: Args) -> PyResult {
    let lp = args.pos.first().cloned().unwrap_or(Value::None);
    let Some(Value::Obj(t)) = args.pos.get(1) else {
        return Ok(Value::None);
    };
    super::enter_task(vm, &lp, t)?;
    Ok(Value::None)
}

fn f_leave_task(vm: &mut Vm, args: Args) -> PyResult {
    let lp = args.pos.first().cloned().unwrap_or(Value::None);
    super::leave_task(vm, &lp);
    Ok(Value::None)
}

fn f_register_task(vm: &mut Vm, args: Args) -> PyResult {
    if let Some(Value::Obj(t)) = args.pos.first() {
        let lp = fut(t).loop_value();
        super::register_task(vm, &lp, t);
    }
    Ok(Value::None)
}

fn f_isfuture(vm: &mut Vm, args: Args) -> PyResult {
    let Some(v) = args.pos.first() else {
        return Ok(Value::FALSE);
    };
    if future::fut_of(v).is_some() {
        return Ok(Value::TRUE);
    }
    // A future-like object, as in CPython: its class has `_asyncio_future_blocking` and
    // the object's value of it is not None.
    let name = vm.intern("_asyncio_future_blocking");
    let cls = vm.type_of(v).clone();
    if vm.lookup_type(&cls, &name).is_none() {
        return Ok(Value::FALSE);
    }
    let flag = vm.get_attr(v, &name)?;
    Ok(Value::from_bool(!flag.is_none()))
}

fn f_get_loop(vm: &mut Vm, args: Args) -> PyResult {
    match args.pos.first().and_then(future::fut_of) {
        Some(f) => Ok(f.loop_value()),
        None => {
            let v = args.pos.first().cloned().unwrap_or(Value::None);
            vm.call_method(&v, "get_loop", &[])
        }
    }
}

fn f_ensure_future_native(vm: &mut Vm, args: Args) -> PyResult {
    let obj = args.pos.first().cloned().unwrap_or(Value::None);
    let lp = match args.kw("loop") {
        Some(l) if !l.is_none() => l.clone(),
        _ => super::get_event_loop(vm)?,
    };
    ensure_future(vm, obj, &lp)
}

fn f_asyncgen_firstiter(vm: &mut Vm, args: Args) -> PyResult {
    let lp = types(vm).running_loop.clone();
    if let (Some(s), Some(Value::Obj(g))) = (loop_state(&lp), args.pos.first()) {
        s.borrow_mut().asyncgens.push(std::rc::Rc::downgrade(g));
    }
    Ok(Value::None)
}

fn f_register_exceptions(vm: &mut Vm, args: Args) -> PyResult {
    let names = [
        "CancelledError",
        "InvalidStateError",
        "BrokenBarrierError",
        "IncompleteReadError",
        "LimitOverrunError",
    ];
    for (name, cls) in names.iter().zip(args.pos.iter()) {
        if let Value::Obj(c) = cls {
            vm.types.exceptions.insert(name, c.clone());
        }
    }
    Ok(Value::None)
}

fn f_iscoroutine(vm: &mut Vm, args: Args) -> PyResult {
    let v = args.pos.first().cloned().unwrap_or(Value::None);
    Ok(Value::from_bool(super::task::is_coroutine_like(vm, &v)))
}

/// Creates the native `_asyncio` module.
pub fn create_module(vm: &mut Vm) -> ObjRef {
    let st = types(vm);
    let (future_t, task_t, handle_t, timer_t, loop_t) = (
        st.future.clone(),
        st.task.clone(),
        st.handle.clone(),
        st.timer_handle.clone(),
        st.loop_type.clone(),
    );
    let m = vm.new_module("_asyncio");
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    vm.dict_set_str(&d, "Future", Value::Obj(future_t));
    vm.dict_set_str(&d, "Task", Value::Obj(task_t));
    vm.dict_set_str(&d, "Handle", Value::Obj(handle_t));
    vm.dict_set_str(&d, "TimerHandle", Value::Obj(timer_t));
    vm.dict_set_str(&d, "EventLoop", Value::Obj(loop_t));
    let funcs: &[(&str, crate::vm::object::NativeFn)] = &[
        ("get_running_loop", f_get_running_loop),
        ("_get_running_loop", f_private_get_running_loop),
        ("_set_running_loop", f_set_running_loop),
        ("get_event_loop", f_get_event_loop),
        ("set_event_loop", f_set_event_loop),
        ("new_event_loop", f_new_event_loop),
        ("current_task", f_current_task),
        ("all_tasks", f_all_tasks),
        ("_enter_task", f_enter_task),
        ("_leave_task", f_leave_task),
        ("_register_task", f_register_task),
        ("_yield_once", super::sleep0::f_yield_once),
        ("_sleep_setup", super::sleep0::f_sleep_setup),
        ("_Deque", super::deque::f_new),
        ("_queue_setup", super::queues::f_queue_setup),
        ("_event_setup", super::event_wait::f_event_setup),
        ("_sleep", f_sleep),
        ("isfuture", f_isfuture),
        ("_get_loop", f_get_loop),
        ("_ensure_future", f_ensure_future_native),
        ("_asyncgen_firstiter", f_asyncgen_firstiter),
        ("_register_exceptions", f_register_exceptions),
        ("iscoroutine", f_iscoroutine),
    ];
    crate::modules::add_functions(vm, &d, funcs);
    crate::modules::add_functions(vm, &d, super::gather::module_functions());
    m
}
