//! What the native awaitables standing for coroutines have in common.
//!
//! `Queue.put`/`Queue.get` (`queues.rs`), `Event.wait` (`event_wait.rs`) and the stream
//! methods (`io_streams.rs`) return small native objects in place of the coroutine CPython's
//! `async def` would create. Each has its own states and its own `Send` step; what a script
//! sees of them as objects is the same and lives here: a type named `coroutine` with
//! `__await__` (the object itself), `send`, `throw`, `close` and CPython's repr, and the
//! forwarding of unusual calls (keywords, wrong arity) to the Aio coroutine function, whose
//! argument handling then raises CPython's errors.

use crate::vm::gen::ExtSend;
use crate::vm::object::{Args, NativeFn, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// A native awaitable standing for a coroutine.
pub trait NativeCoro: 'static {
    /// The coroutine's `__qualname__` (`Queue.put`).
    fn qualname(&self) -> &str;
    /// Not started yet (`send` of a value other than None is then an error).
    fn fresh(&self) -> bool {
        false
    }
    /// The Aio coroutine the op became when it could not go on natively.
    fn delegated(&self) -> Option<Value> {
        None
    }
    /// Records that the op became the Aio coroutine `c`.
    fn set_delegated(&self, _c: Value) {}
    /// What `Send` does with the op `sub`.
    fn step(vm: &mut Vm, sub: &Value, value: Value) -> PyResult<ExtSend>;
    /// An exception is thrown in, or the op is closed, while it is not delegated: runs what
    /// the coroutine's `except`/`finally` would, and leaves the op finished.
    fn finish(&self, vm: &mut Vm, sub: &Value);
}

/// The op behind `v`, when it is a `T`.
pub fn op_of<T: NativeCoro>(v: &Value) -> Option<&T> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<T>(),
        _ => None,
    }
}

fn this<'a, T: NativeCoro>(vm: &mut Vm, args: &Args<'a>) -> PyResult<&'a T> {
    match args.pos.first().and_then(op_of::<T>) {
        Some(op) => Ok(op),
        None => Err(vm.type_error("descriptor requires a 'coroutine' object".into())),
    }
}

fn coro_await(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

/// `send(value)` by hand: one step, its completion raised as StopIteration.
fn coro_send<T: NativeCoro>(vm: &mut Vm, args: Args) -> PyResult {
    let sub = args.pos[0].clone();
    let v = args.pos.get(1).cloned().unwrap_or(Value::None);
    let op = this::<T>(vm, &args)?;
    if let Some(c) = op.delegated() {
        return vm.call_method(&c, "send", &[v]);
    }
    if op.fresh() && !v.is_none() {
        return Err(vm.type_error("can't send non-None value to a just-started coroutine".into()));
    }
    match T::step(vm, &sub, v)? {
        ExtSend::Yield(r) => Ok(r),
        ExtSend::Return(r) => Err(vm.stop_iteration(r)),
        ExtSend::Delegate(c) => {
            op.set_delegated(c.clone());
            vm.call_method(&c, "send", &[Value::None])
        }
    }
}

/// `throw(exc)`: the exception, after the op's cleanup.
fn coro_throw<T: NativeCoro>(vm: &mut Vm, args: Args) -> PyResult {
    let op = this::<T>(vm, &args)?;
    if let Some(c) = op.delegated() {
        return vm.call_method(&c, "throw", &args.pos[1..]);
    }
    let e = args.pos.get(1).cloned().unwrap_or(Value::None);
    let exc = vm.make_exception(e)?;
    op.finish(vm, &args.pos[0]);
    Err(exc)
}

fn coro_close<T: NativeCoro>(vm: &mut Vm, args: Args) -> PyResult {
    let op = this::<T>(vm, &args)?;
    if let Some(c) = op.delegated() {
        return vm.call_method(&c, "close", &[]);
    }
    op.finish(vm, &args.pos[0]);
    Ok(Value::None)
}

fn coro_repr<T: NativeCoro>(vm: &mut Vm, args: Args) -> PyResult {
    let op = this::<T>(vm, &args)?;
    let s = format!(
        "<coroutine object {} at {:#x}>",
        op.qualname(),
        args.pos[0].identity()
    );
    Ok(vm.new_str(s))
}

/// Adds the coroutine look-alike methods to `t`; `send` and `throw` only when `steps`.
pub fn add_coro_methods<T: NativeCoro>(vm: &mut Vm, t: &ObjRef, steps: bool) {
    let mut methods: Vec<(&str, NativeFn)> = vec![
        ("__await__", coro_await),
        ("close", coro_close::<T>),
        ("__repr__", coro_repr::<T>),
    ];
    if steps {
        methods.push(("send", coro_send::<T>));
        methods.push(("throw", coro_throw::<T>));
    }
    vm.add_methods(t, &methods);
}

/// A new type named `coroutine` for ops of type `T`, with every coroutine method.
pub fn new_coro_type<T: NativeCoro>(vm: &mut Vm) -> ObjRef {
    let object = vm.types.object.clone();
    let t = crate::vm::types_registry::make_type(
        "coroutine",
        Some(&object),
        crate::vm::object::Layout::Opaque,
        true,
    );
    add_coro_methods::<T>(vm, &t, true);
    t
}

/// Calls the Aio coroutine function `f` with a native's arguments as they came (used for
/// calls the native does not handle itself, so that their errors are CPython's).
pub fn call_coro_fn(vm: &mut Vm, f: &Value, args: &Args) -> PyResult {
    let mut kw = Vec::new();
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        kw.push((k.as_str().unwrap_or("").to_string(), v.clone()));
    }
    let kw: Vec<(&str, Value)> = kw.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    vm.call_kw(f, args.pos, &kw)
}
