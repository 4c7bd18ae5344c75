//! Scheduled callbacks: `asyncio.Handle` and `asyncio.TimerHandle`.
//!
//! The loop's queues hold `Rc<HandleInner>`; a script only sees a handle object (an `Ext`
//! wrapping the same `Rc`) when it asked for one (`call_soon`, `call_later`). Internal
//! scheduling (task steps, future callbacks) never allocates a script object.
//! Invariant: a cancelled handle never runs; `when` is meaningful only for timers.

use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What a handle does when it runs.
#[derive(Clone)]
pub enum HandleCallback {
    /// `callback(*args)` from `call_soon`/`call_later`/`call_at`.
    Py { func: Value, args: Vec<Value> },
    /// One step of a task, throwing `exc` in when set.
    TaskStep { task: ObjRef, exc: Option<Exc> },
    /// A task waking up because the future it awaited is done.
    Wakeup { task: ObjRef, fut: ObjRef },
    /// A done callback of a future: `func(fut)`.
    Done { func: Value, fut: ObjRef },
}

/// An entry of the loop's ready queue. The callbacks the loop schedules for itself (a new
/// task's first step, a task's wake-up, a future's done callback) can be neither seen nor
/// cancelled by a script, so they wait in the queue as 24-byte entries rather than as
/// handles (a handle is made only if one is needed for an error report).
pub enum Ready {
    Handle(Rc<HandleInner>),
    /// A task's step with nothing to throw in.
    Step(ObjRef),
    Wakeup {
        task: ObjRef,
        fut: ObjRef,
    },
    Done {
        func: ObjRef,
        fut: ObjRef,
    },
}

impl Ready {
    /// The entry for an internal callback.
    pub fn internal(cb: HandleCallback) -> Ready {
        match cb {
            HandleCallback::TaskStep { task, exc: None } => Ready::Step(task),
            HandleCallback::Wakeup { task, fut } => Ready::Wakeup { task, fut },
            HandleCallback::Done {
                func: Value::Obj(func),
                fut,
            } => Ready::Done { func, fut },
            cb => Ready::Handle(Rc::new(HandleInner::new(cb, 0.0))),
        }
    }

    /// The callback of an internal entry (None for a handle).
    pub fn into_callback(self) -> Result<HandleCallback, Rc<HandleInner>> {
        match self {
            Ready::Handle(h) => Err(h),
            Ready::Step(task) => Ok(HandleCallback::TaskStep { task, exc: None }),
            Ready::Wakeup { task, fut } => Ok(HandleCallback::Wakeup { task, fut }),
            Ready::Done { func, fut } => Ok(HandleCallback::Done {
                func: Value::Obj(func),
                fut,
            }),
        }
    }

    /// Calls `f` on every value the entry references.
    pub fn trace(&self, f: &mut dyn FnMut(&Value)) {
        match self {
            Ready::Handle(h) => h.trace(f),
            Ready::Step(task) => f(&Value::Obj(task.clone())),
            Ready::Wakeup { task: a, fut: b } | Ready::Done { func: a, fut: b } => {
                f(&Value::Obj(a.clone()));
                f(&Value::Obj(b.clone()));
            }
        }
    }
}

/// The shared state of a handle.
pub struct HandleInner {
    pub callback: HandleCallback,
    pub cancelled: Cell<bool>,
    /// Deadline in loop time (timers only).
    pub when: f64,
    /// True while the handle sits in the loop's timer heap.
    pub scheduled: Cell<bool>,
    /// The loop object, for `TimerHandle.cancel()` bookkeeping.
    pub loop_: RefCell<Value>,
}

impl HandleInner {
    /// A handle for `callback`, due at `when` (0 for immediate handles).
    pub fn new(callback: HandleCallback, when: f64) -> HandleInner {
        HandleInner {
            callback,
            cancelled: Cell::new(false),
            when,
            scheduled: Cell::new(false),
            loop_: RefCell::new(Value::None),
        }
    }

    /// Calls `f` on every value the handle references.
    pub fn trace(&self, f: &mut dyn FnMut(&Value)) {
        match &self.callback {
            HandleCallback::Py { func, args } => {
                f(func);
                args.iter().for_each(f);
            }
            HandleCallback::TaskStep { task, exc } => {
                f(&Value::Obj(task.clone()));
                if let Some(e) = exc {
                    f(&Value::Obj(e.0.clone()));
                }
            }
            HandleCallback::Wakeup { task, fut } => {
                f(&Value::Obj(task.clone()));
                f(&Value::Obj(fut.clone()));
            }
            HandleCallback::Done { func, fut } => {
                f(func);
                f(&Value::Obj(fut.clone()));
            }
        }
    }
}

/// A script-visible handle.
pub struct HandleObj {
    pub inner: Rc<HandleInner>,
    pub timer: bool,
}

impl ExtObject for HandleObj {
    fn type_name(&self) -> &str {
        if self.timer {
            "TimerHandle"
        } else {
            "Handle"
        }
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.inner.trace(f);
        f(&self.inner.loop_.borrow());
    }
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The `HandleObj` behind a value.
pub fn handle_of(v: &Value) -> Option<&HandleObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<HandleObj>(),
        _ => None,
    }
}

/// Wraps a handle for a script.
pub fn wrap(vm: &mut Vm, inner: Rc<HandleInner>, timer: bool) -> Value {
    let cls = if timer {
        super::types(vm).timer_handle.clone()
    } else {
        super::types(vm).handle.clone()
    };
    Value::Obj(vm.alloc_instance(cls, ObjKind::Ext(Box::new(HandleObj { inner, timer }))))
}

/// A description of the callback for reprs and error messages (`func(args) at file:line`).
pub fn describe(vm: &mut Vm, cb: &HandleCallback) -> String {
    match cb {
        HandleCallback::Py { func, args } => {
            let mut s = callable_name(vm, func);
            s.push('(');
            let parts: Vec<String> = args.iter().map(|a| vm.repr_or_default(a)).collect();
            s.push_str(&parts.join(", "));
            s.push(')');
            if let Some(src) = function_source(func) {
                s.push_str(&format!(" at {src}"));
            }
            s
        }
        HandleCallback::TaskStep { task, .. } => format!(
            "<TaskStepMethWrapper object at {:#x}>()",
            Value::Obj(task.clone()).identity()
        ),
        HandleCallback::Wakeup { fut, .. } => {
            let f = vm.repr_or_default(&Value::Obj(fut.clone()));
            format!("Task.task_wakeup({f})")
        }
        HandleCallback::Done { func, fut } => {
            let mut s = callable_name(vm, func);
            let f = vm.repr_or_default(&Value::Obj(fut.clone()));
            s.push_str(&format!("({f})"));
            if let Some(src) = function_source(func) {
                s.push_str(&format!(" at {src}"));
            }
            s
        }
    }
}

fn callable_name(vm: &mut Vm, func: &Value) -> String {
    match func.kind() {
        Some(ObjKind::Function(f)) => f.qualname.borrow().as_str().unwrap_or("?").to_string(),
        Some(ObjKind::BoundMethod(m)) => {
            let (f, s) = (m.0.clone(), m.1.clone());
            let fname = match f.kind() {
                Some(ObjKind::Function(x)) => x.name.borrow().as_str().unwrap_or("?").to_string(),
                Some(ObjKind::Native(n)) => n.name.to_string(),
                _ => "?".into(),
            };
            format!("{}.{}", vm.type_name(&s), fname)
        }
        Some(ObjKind::Native(n)) => n.name.to_string(),
        _ => vm.repr_or_default(func),
    }
}

fn function_source(func: &Value) -> Option<String> {
    let f = match func.kind()? {
        ObjKind::Function(f) => f.code.clone(),
        ObjKind::BoundMethod(m) => match m.0.kind()? {
            ObjKind::Function(f) => f.code.clone(),
            _ => return None,
        },
        _ => return None,
    };
    Some(format!("{}:{}", f.file.name, f.first_line))
}

fn this(args: &Args) -> Option<Rc<HandleInner>> {
    handle_of(&args.pos[0]).map(|h| h.inner.clone())
}

fn cancel(vm: &mut Vm, args: Args) -> PyResult {
    let Some(h) = this(&args) else {
        return Ok(Value::None);
    };
    if !h.cancelled.get() {
        h.cancelled.set(true);
        if h.scheduled.get() {
            let lp = h.loop_.borrow().clone();
            super::timer_handle_cancelled(vm, &lp);
        }
    }
    Ok(Value::None)
}

fn cancelled(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(
        this(&args).is_some_and(|h| h.cancelled.get()),
    ))
}

fn when(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_f64(this(&args).map(|h| h.when).unwrap_or(0.0)))
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let Some(h) = handle_of(&args.pos[0]) else {
        return Ok(Value::None);
    };
    let (inner, timer) = (h.inner.clone(), h.timer);
    let name = if timer { "TimerHandle" } else { "Handle" };
    let mut parts = vec![name.to_string()];
    if inner.cancelled.get() {
        parts.push("cancelled".into());
    }
    if timer {
        parts.push(format!("when={}", crate::fmt::float_repr(inner.when)));
    }
    if !inner.cancelled.get() {
        parts.push(describe(vm, &inner.callback));
    }
    let s = format!("<{}>", parts.join(" "));
    Ok(vm.new_str(s))
}

fn lt(vm: &mut Vm, args: Args) -> PyResult {
    match (handle_of(&args.pos[0]), handle_of(&args.pos[1])) {
        (Some(a), Some(b)) => Ok(Value::from_bool(a.inner.when < b.inner.when)),
        _ => Ok(vm.not_implemented()),
    }
}

/// Installs the Handle and TimerHandle methods.
pub fn init(vm: &mut Vm, handle: &ObjRef, timer: &ObjRef) {
    for t in [handle, timer] {
        vm.add_method(t, "cancel", cancel);
        vm.add_method(t, "cancelled", cancelled);
        vm.add_method(t, "__repr__", repr);
    }
    vm.add_method(timer, "when", when);
    vm.add_method(timer, "__lt__", lt);
}
