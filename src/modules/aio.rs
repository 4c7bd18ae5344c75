//! `_aio`: small interpreter services the standard library written in Aio needs and Python
//! spells with frame introspection or C-level guards (`sys._getframe(n).f_globals`,
//! `reprlib.recursive_repr`).
//! Invariant: nothing here is part of Python's API; scripts should not import it.

use crate::vm::object::{Args, NativeFn};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Creates the `_aio` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "_aio");
    let funcs: &[(&str, NativeFn)] = &[
        ("caller_module", caller_module),
        ("repr_enter", repr_enter),
        ("repr_leave", repr_leave),
        ("granted", granted),
        ("format_exception", format_exception),
    ];
    super::add_functions(vm, &d, funcs);
    m
}

/// `caller_module(depth)`: `__name__` of the module whose code is running `depth` frames
/// above the Aio function that calls this (0: that function's own module).
fn caller_module(vm: &mut Vm, args: Args) -> PyResult {
    let depth = match args.pos.first() {
        Some(v) => vm.index_value(v)?.max(0) as usize,
        None => 0,
    };
    let n = vm.fiber.len();
    let globals = if depth < n {
        Some(vm.fiber[n - 1 - depth].globals.clone())
    } else {
        None
    };
    let name = globals.and_then(|g| vm.dict_get_str(&g, "__name__"));
    Ok(name.unwrap_or_else(|| vm.new_str("__main__")))
}

/// `granted(name)`: True when the host granted the capability called `name` (`'signal'`,
/// `'file'`...: `Capability::name`), for library code that does without it instead of
/// failing (`asyncio.run` then leaves SIGINT alone, as CPython does off the main thread).
fn granted(vm: &mut Vm, args: Args) -> PyResult {
    let name = args.pos.first().and_then(|v| v.as_str()).unwrap_or("");
    let cap = crate::vm::limits::Capability::ALL
        .into_iter()
        .find(|c| c.name() == name);
    Ok(Value::from_bool(cap.is_some_and(|c| vm.granted(c))))
}

/// `format_exception(exc)`: the traceback text python3 prints for `exc`, for library code
/// that logs an exception it caught (`exception calling callback for ...`).
fn format_exception(vm: &mut Vm, args: Args) -> PyResult {
    match args.pos.first() {
        Some(Value::Obj(e)) => {
            let text = vm.format_exception(&crate::vm::Exc(e.clone()));
            Ok(vm.new_str(text))
        }
        _ => Err(vm.type_error("format_exception() needs an exception".into())),
    }
}

/// `repr_enter(obj)`: True when a repr of `obj` is already in progress (the caller then
/// prints a placeholder); otherwise marks it in progress.
fn repr_enter(vm: &mut Vm, args: Args) -> PyResult {
    let id = args.pos.first().map(|v| v.identity()).unwrap_or(0);
    if vm.repr_guard.contains(&id) {
        return Ok(Value::TRUE);
    }
    vm.repr_guard.push(id);
    Ok(Value::FALSE)
}

/// `repr_leave(obj)`: ends a repr started with `repr_enter`.
fn repr_leave(vm: &mut Vm, args: Args) -> PyResult {
    let id = args.pos.first().map(|v| v.identity()).unwrap_or(0);
    if let Some(i) = vm.repr_guard.iter().rposition(|&x| x == id) {
        vm.repr_guard.remove(i);
    }
    Ok(Value::None)
}
