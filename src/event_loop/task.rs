//! `asyncio.Task`: a future that drives a coroutine, step by step, on its loop.
//!
//! `step` mirrors CPython's `Task.__step`: deliver a value or an exception to the coroutine
//! (`Vm::resume`), then act on what it yielded — a pending future means "wake me when it is
//! done", a bare yield means "run me again next iteration". Cancellation is delivered as a
//! CancelledError thrown in at the suspended `await`. Invariant: a task is the loop's current
//! task exactly while its step runs, and at most one step of a task is ever scheduled.

use super::future::{self, fut, DoneCallback, FutState, ObjCell};
use super::handle::HandleCallback;
use crate::vm::dispatch::Outcome;
use crate::vm::gen::ResumeInput;
use crate::vm::object::{Args, GenKind, GenState, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// The task-specific part of a Task's payload (40 bytes), kept after the future's body in
/// the same allocation (`body.rs`).
pub struct TaskState {
    /// The coroutine (always an object), None once cleared.
    pub coro: ObjCell,
    /// The future the task waits for, or None.
    pub fut_waiter: ObjCell,
    /// The name (a str), or None for the default `Task-{number}`, made only when asked for
    /// (most tasks are never asked their name).
    pub name: ObjCell,
    /// The number in the default name.
    pub number: Cell<u32>,
    pub must_cancel: Cell<bool>,
    /// Whether dropping the task while pending is reported.
    pub log_destroy_pending: Cell<bool>,
    /// Where a task dropped while pending is reported.
    pub heap: Rc<crate::vm::heap::HeapShared>,
}

const _: () = assert!(std::mem::size_of::<TaskState>() <= 40);

impl TaskState {
    pub fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.coro.with(&mut *f);
        self.fut_waiter.with(&mut *f);
        self.name.with(&mut *f);
    }

    pub fn clear(&self) {
        let sink = [self.coro.take(), self.fut_waiter.take()];
        drop(sink);
    }
}

/// The task's name as a str (a default `Task-n` is made on first use).
pub fn task_name(vm: &mut Vm, task: &ObjRef) -> Value {
    let t = task_of(task);
    let cur = t.name.get();
    match cur {
        Value::None => {
            let s = vm.new_str(format!("Task-{}", t.number.get()));
            t.name.set(s.clone());
            s
        }
        v => v,
    }
}

/// The task state of a future object.
pub fn task_of(o: &ObjRef) -> &TaskState {
    fut(o).task().expect("a task")
}

/// Creates a task for `coro` on `loop_` and schedules its first step.
pub fn new_task(vm: &mut Vm, loop_: &Value, coro: Value, name: Value) -> PyResult<ObjRef> {
    new_task_of_class(vm, None, loop_, coro, name)
}

/// A new task whose class is `cls` (a subclass of Task) or Task itself when None.
pub fn new_task_of_class(
    vm: &mut Vm,
    cls: Option<ObjRef>,
    loop_: &Value,
    coro: Value,
    name: Value,
) -> PyResult<ObjRef> {
    // The native awaitables of stream methods stand for coroutines: run them in one.
    let coro = if super::io_streams::is_op(&coro) {
        let m = vm.import_module("asyncio.tasks")?;
        let w = vm.getattr_str(&Value::Obj(m), "_wrap_awaitable")?;
        vm.call(&w, &[coro])?
    } else {
        let coro = super::queues::task_coro(vm, coro)?;
        super::event_wait::task_coro(vm, coro)?
    };
    if !is_coroutine_like(vm, &coro) {
        let r = vm.repr_or_default(&coro);
        return Err(vm.type_error(format!("a coroutine was expected, got {r}")));
    }
    // A default name is kept as its number, or made at once past `u32::MAX` tasks.
    let (name, number) = if name.is_none() {
        let n = super::next_task_number(vm);
        match u32::try_from(n) {
            Ok(n) => (Value::None, n),
            Err(_) => (vm.new_str(format!("Task-{n}")), 0),
        }
    } else if name.as_str().is_some() {
        (name, 0)
    } else {
        let s = vm.str_of(&name)?;
        (vm.new_str(s), 0)
    };
    let state = TaskState {
        coro: ObjCell::new(coro),
        fut_waiter: ObjCell::default(),
        name: ObjCell::new(name),
        number: Cell::new(number),
        must_cancel: Cell::new(false),
        log_destroy_pending: Cell::new(true),
        heap: vm.heap.shared.clone(),
    };
    let f = future::FutureObj::new(loop_.clone(), Some(state));
    let t = match cls {
        None => {
            let cls = super::types(vm).task.clone();
            vm.alloc_instance(cls, ObjKind::Future(f))
        }
        Some(cls) => vm.alloc_instance(
            cls,
            ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
                attrs: Default::default(),
                base: ObjKind::Future(f),
            })),
        ),
    };
    super::register_task(vm, loop_, &t);
    super::call_soon_internal(
        vm,
        loop_,
        HandleCallback::TaskStep {
            task: t.clone(),
            exc: None,
        },
    );
    Ok(t)
}

/// One step of a task (CPython's `Task.__step`). Only KeyboardInterrupt and SystemExit
/// escape; everything else ends up in the task.
pub fn step(vm: &mut Vm, task: &ObjRef, exc: Option<Exc>) -> PyResult<()> {
    let f = fut(task);
    let t = task_of(task);
    if f.done() {
        let r = repr(vm, task);
        return Err(future::invalid_state(
            vm,
            &format!("_step(): already done: {r}"),
        ));
    }
    let mut exc = exc;
    if t.must_cancel.get() {
        let is_cancel = exc.as_ref().is_some_and(|e| vm.exc_is(e, "CancelledError"));
        if !is_cancel {
            exc = Some(future::make_cancelled_error(vm, task));
        }
        t.must_cancel.set(false);
    }
    t.fut_waiter.set(Value::None);
    let lp = f.loop_value();
    super::enter_task(vm, &lp, task)?;
    let coro = t.coro.get();
    let Value::Obj(coro) = coro else {
        super::leave_task(vm, &lp);
        return Ok(());
    };
    let input = match exc {
        None => ResumeInput::Value(Value::None),
        Some(e) => ResumeInput::Throw(e),
    };
    let outcome = if matches!(coro.kind, ObjKind::Generator(_)) {
        vm.resume(&coro, input)
    } else {
        drive_by_methods(vm, &Value::Obj(coro.clone()), input)
    };
    let r = after_step(vm, task, &lp, outcome);
    super::leave_task(vm, &lp);
    r
}

fn after_step(vm: &mut Vm, task: &ObjRef, lp: &Value, outcome: PyResult<Outcome>) -> PyResult<()> {
    let t = task_of(task);
    match outcome {
        Ok(Outcome::Return(v)) => {
            if t.must_cancel.get() {
                t.must_cancel.set(false);
                let msg = fut(task).cancel_message();
                future::cancel(vm, task, msg);
            } else {
                future::set_result(vm, task, v)?;
            }
            Ok(())
        }
        Err(e) if vm.exc_is(&e, "CancelledError") => {
            fut(task).set_cancelled_exc(Value::Obj(e.0.clone()));
            future::cancel(vm, task, Value::None);
            Ok(())
        }
        Err(e) if vm.exc_is(&e, "KeyboardInterrupt") || vm.exc_is(&e, "SystemExit") => {
            let _ = future::set_exception(vm, task, Value::Obj(e.0.clone()));
            Err(e)
        }
        Err(e) => {
            future::set_exception(vm, task, Value::Obj(e.0))?;
            Ok(())
        }
        Ok(Outcome::Yield(v)) | Ok(Outcome::AsyncYield(v)) => yielded(vm, task, lp, v),
    }
}

/// True for what `asyncio.iscoroutine` accepts: native coroutines and objects with the
/// `collections.abc.Coroutine` methods (`__await__`, `send`, `throw`, `close`), such as
/// an async generator's `aclose()` awaitable.
pub fn is_coroutine_like(vm: &mut Vm, v: &Value) -> bool {
    match v.kind() {
        Some(ObjKind::Generator(g)) => g.kind == GenKind::Coroutine,
        Some(ObjKind::AsyncGenOp(_)) => true,
        Some(ObjKind::Future(_)) | None => false,
        _ => {
            let ty = vm.type_of(v).clone();
            ["__await__", "send", "throw", "close"].iter().all(|m| {
                let n = vm.intern(m);
                vm.lookup_type(&ty, &n).is_some()
            })
        }
    }
}

/// One step of a coroutine-like object that is not a native coroutine, through its `send`
/// and `throw` methods (StopIteration carries the result).
fn drive_by_methods(vm: &mut Vm, coro: &Value, input: ResumeInput) -> PyResult<Outcome> {
    let r = match input {
        ResumeInput::Value(v) => vm.call_method(coro, "send", &[v]),
        ResumeInput::Throw(e) => vm.call_method(coro, "throw", &[Value::Obj(e.0)]),
    };
    match r {
        Ok(v) => Ok(Outcome::Yield(v)),
        Err(e) if vm.exc_is(&e, "StopIteration") => {
            let v = vm.getattr_str(&Value::Obj(e.0.clone()), "value")?;
            Ok(Outcome::Return(v))
        }
        Err(e) => Err(e),
    }
}

/// Acts on what the coroutine yielded.
fn yielded(vm: &mut Vm, task: &ObjRef, lp: &Value, v: Value) -> PyResult<()> {
    let t = task_of(task);
    let reschedule = |vm: &mut Vm, exc: Option<Exc>| {
        super::call_soon_internal(
            vm,
            lp,
            HandleCallback::TaskStep {
                task: task.clone(),
                exc,
            },
        );
    };
    if v.is_none() {
        // A bare yield gives up the loop for one iteration.
        reschedule(vm, None);
        return Ok(());
    }
    if let Value::Obj(fo) = &v {
        if let ObjKind::Future(f) = fo.payload() {
            let other_loop = !f.loop_is(lp);
            if other_loop {
                let tr = repr(vm, task);
                let fr = vm.repr_or_default(&v);
                let e = vm.runtime_error(format!(
                    "Task {tr} got Future {fr} attached to a different loop"
                ));
                reschedule(vm, Some(e));
                return Ok(());
            }
            if f.blocking.get() {
                if std::rc::Rc::ptr_eq(fo, task) {
                    let tr = repr(vm, task);
                    let e = vm.runtime_error(format!("Task cannot await on itself: {tr}"));
                    reschedule(vm, Some(e));
                    return Ok(());
                }
                f.blocking.set(false);
                future::add_done_callback(vm, fo, DoneCallback::Wakeup(task.clone()));
                t.fut_waiter.set(v.clone());
                if t.must_cancel.get() {
                    let msg = fut(task).cancel_message();
                    if cancel_any(vm, fo, msg) {
                        t.must_cancel.set(false);
                    }
                }
                return Ok(());
            }
            let tr = repr(vm, task);
            let fr = vm.repr_or_default(&v);
            let e = vm.runtime_error(format!(
                "yield was used instead of yield from in task {tr} with {fr}"
            ));
            reschedule(vm, Some(e));
            return Ok(());
        }
        if let ObjKind::Generator(g) = &fo.kind {
            if g.kind == GenKind::Generator {
                let tr = repr(vm, task);
                let fr = vm.repr_or_default(&v);
                let e = vm.runtime_error(format!(
                    "yield was used instead of yield from for generator in task {tr} with {fr}"
                ));
                reschedule(vm, Some(e));
                return Ok(());
            }
        }
    }
    let r = vm.repr_or_default(&v);
    let e = vm.runtime_error(format!("Task got bad yield: {r}"));
    reschedule(vm, Some(e));
    Ok(())
}

/// Cancels a future or a task (through an overriding `cancel` method if it has one).
pub fn cancel_any(vm: &mut Vm, fo: &ObjRef, msg: Value) -> bool {
    if fo
        .class
        .as_ref()
        .is_some_and(|c| c.as_type().is_some_and(|t| !t.builtin))
    {
        let v = Value::Obj(fo.clone());
        return match vm.call_method(&v, "cancel", &[msg]) {
            Ok(r) => vm.truthy(&r).unwrap_or(false),
            Err(_) => false,
        };
    }
    if fut(fo).task().is_some() {
        cancel(vm, fo, msg)
    } else {
        future::cancel(vm, fo, msg)
    }
}

/// `task.cancel(msg)`.
pub fn cancel(vm: &mut Vm, task: &ObjRef, msg: Value) -> bool {
    let f = fut(task);
    let t = task_of(task);
    f.log_traceback.set(false);
    if f.done() {
        return false;
    }
    f.num_cancels_requested
        .set(f.num_cancels_requested.get() + 1);
    let waiter = t.fut_waiter.get();
    if let Value::Obj(w) = &waiter {
        if matches!(w.payload(), ObjKind::Future(_)) && cancel_any(vm, w, msg.clone()) {
            // Keep the waiter: it may be a task that swallows the cancellation.
            return true;
        }
    }
    t.must_cancel.set(true);
    f.set_cancel_message(msg);
    true
}

/// A task waking up: its awaited future is done (CPython's `Task.__wakeup`).
pub fn wakeup(vm: &mut Vm, task: &ObjRef, fo: &ObjRef) -> PyResult<()> {
    match future::result(vm, fo) {
        Ok(_) => step(vm, task, None),
        Err(e) => step(vm, task, Some(e)),
    }
}

/// `coro_name() running at file:line` / `coro_name() done, defined at file:line`.
pub fn format_coroutine(coro: &Value) -> String {
    let Some(ObjKind::Generator(g)) = coro.kind() else {
        return "?".into();
    };
    let name = g.qualname_string();
    let file = g.code.file.name.clone();
    let state = g.state.borrow();
    match &*state {
        GenState::Finished => format!("{name}() done, defined at {file}:{}", g.code.first_line),
        GenState::Created(_) => format!("{name}() running at {file}:{}", g.code.first_line),
        GenState::Suspended(frames) => {
            let f = &frames[0];
            format!("{name}() running at {file}:{}", f.code.line_of(f.lasti()))
        }
        GenState::Running | GenState::Delegated => format!("{name}() running at {file}"),
    }
}

/// `repr(task)`.
pub fn repr(vm: &mut Vm, task: &ObjRef) -> String {
    let f = fut(task);
    let t = task_of(task);
    let mut state = future::state_repr(vm, task);
    if f.num_cancels_requested.get() > 0 && !f.done() {
        state = "cancelling".into();
    }
    let name = task_name(vm, task);
    let name_r = vm.repr_or_default(&name);
    let coro = format_coroutine(&t.coro.get());
    let mut s = match state.split_once(' ') {
        Some((head, rest)) => format!("<Task {head} name={name_r} coro=<{coro}> {rest}"),
        None => format!("<Task {state} name={name_r} coro=<{coro}>"),
    };
    let waiter = t.fut_waiter.get();
    if !waiter.is_none() {
        let w = vm.repr_or_default(&waiter);
        s.push_str(&format!(" wait_for={w}"));
    }
    s.push('>');
    s
}

fn this(vm: &mut Vm, args: &Args) -> PyResult<ObjRef> {
    match args.pos.first() {
        Some(Value::Obj(o)) if matches!(o.payload(), ObjKind::Future(f) if f.task().is_some()) => {
            Ok(o.clone())
        }
        _ => Err(vm.type_error("descriptor requires a Task".into())),
    }
}

fn m_get_coro(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    let c = task_of(&t).coro.get();
    Ok(c)
}

fn m_get_name(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    Ok(task_name(vm, &t))
}

fn m_set_name(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    let v = args.pos.get(1).cloned().unwrap_or(Value::None);
    let s = vm.str_value(&v)?;
    task_of(&t).name.set(s);
    Ok(Value::None)
}

fn m_cancelling(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    Ok(Value::Int(fut(&t).num_cancels_requested.get() as i64))
}

fn m_uncancel(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    let ts = fut(&t);
    let n = ts.num_cancels_requested.get();
    if n > 0 {
        ts.num_cancels_requested.set(n - 1);
    }
    Ok(Value::Int(ts.num_cancels_requested.get() as i64))
}

/// The task's own suspended frame, as CPython reports it: the frames of awaited coroutines
/// are not part of a task's stack (a suspended frame has no `f_back`).
fn task_frame(t: &ObjRef) -> Option<(Rc<crate::compile::code::Code>, usize)> {
    let coro = task_of(t).coro.get();
    let Some(ObjKind::Generator(g)) = coro.kind() else {
        return None;
    };
    let found = match &*g.state.borrow() {
        GenState::Created(f) => Some((f.code.clone(), f.code.first_line as usize)),
        GenState::Suspended(seg) => seg
            .first()
            .map(|f| (f.code.clone(), f.code.line_of(f.lasti()))),
        _ => None,
    };
    found
}

fn m_get_stack(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    let limit = match args.kw("limit") {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    };
    let coro = task_of(&t).coro.get();
    let mut frames = Vec::new();
    if limit != Some(0) {
        if let Some(ObjKind::Generator(g)) = coro.kind() {
            let state = g.state.borrow();
            let own = match &*state {
                GenState::Created(f) => Some(&**f),
                GenState::Suspended(seg) => seg.first().map(|f| &**f),
                _ => None,
            };
            if let Some(f) = own {
                frames.push(vm.frame_snapshot(f));
            }
        }
    }
    Ok(vm.new_list(frames))
}

fn m_print_stack(vm: &mut Vm, args: Args) -> PyResult {
    let t = this(vm, &args)?;
    let r = repr(vm, &t);
    let file = args.kw("file").cloned().unwrap_or(Value::None);
    // The same writes as CPython's `_task_print_stack`: `print(header, file=file)` writes
    // the header and then its end (to stdout when file is None), and `traceback.print_list`
    // prints each frame with `end=''` (to stderr when file is None).
    let Some((code, line)) = task_frame(&t) else {
        crate::modules::sys::write_to(vm, &file, &format!("No stack for {r}"))?;
        return crate::modules::sys::write_to(vm, &file, "\n").map(|_| Value::None);
    };
    crate::modules::sys::write_to(
        vm,
        &file,
        &format!("Stack for {r} (most recent call last):"),
    )?;
    crate::modules::sys::write_to(vm, &file, "\n")?;
    let mut item = format!(
        "  File \"{}\", line {}, in {}\n",
        code.file.name, line, code.name
    );
    let text = code.file.line_text(line).trim().to_string();
    if !text.is_empty() {
        item.push_str(&format!("    {text}\n"));
    }
    if file.is_none() {
        vm.write_stderr(&item);
    } else {
        crate::modules::sys::write_to(vm, &file, &item)?;
        crate::modules::sys::write_to(vm, &file, "")?;
    }
    Ok(Value::None)
}

fn task_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [coro, loop_, name] = rest.bind(vm, "Task", ["coro", "loop", "name"], 1)?;
    let loop_ = match loop_ {
        Some(l) if !l.is_none() => future::checked_loop(vm, &l)?,
        _ => super::get_event_loop(vm)?,
    };
    let base = super::types(vm).task.clone();
    let cls = match args.pos.first() {
        Some(Value::Obj(c))
            if !std::rc::Rc::ptr_eq(c, &base) && c.as_type().is_some_and(|t| !t.builtin) =>
        {
            Some(c.clone())
        }
        _ => None,
    };
    let coro = coro.expect("required");
    let name = name.unwrap_or(Value::None);
    let t = new_task_of_class(vm, cls, &loop_, coro, name)?;
    Ok(Value::Obj(t))
}

/// Installs the Task type's methods (Future's are inherited).
pub fn init(vm: &mut Vm, cls: &ObjRef) {
    vm.add_staticmethod(cls, "__new__", task_new);
    vm.add_getset(
        cls,
        "_log_destroy_pending",
        |_vm, v| {
            Ok(Value::from_bool(match v.kind() {
                Some(ObjKind::Future(f)) => f.task().is_some_and(|t| t.log_destroy_pending.get()),
                _ => false,
            }))
        },
        Some(|vm, v, x| {
            let b = vm.truthy(&x.unwrap_or(Value::None))?;
            if let Some(ObjKind::Future(f)) = v.kind() {
                if let Some(t) = f.task() {
                    t.log_destroy_pending.set(b);
                }
            }
            Ok(())
        }),
    );
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("get_coro", m_get_coro),
        ("get_name", m_get_name),
        ("set_name", m_set_name),
        ("cancelling", m_cancelling),
        ("uncancel", m_uncancel),
        ("get_stack", m_get_stack),
        ("print_stack", m_print_stack),
    ];
    vm.add_methods(cls, methods);
    let n = vm.new_str("_asyncio");
    vm.type_dict_set(cls, "__module__", n);
    let _ = FutState::Pending;
}
