//! `_json`: the native halves of `json` — an encoder and a decoder that produce exactly
//! the text and values of CPython 3.11's `json` (C accelerator and pure-Python paths alike).
//! The public API (`dumps`, `loads`, `JSONEncoder`, `JSONDecodeError`...) is in
//! `stdlib/json.aio`, which passes every option down explicitly.
//! Invariant: no `RefCell` borrow is held while user code (`default`, hooks, `__eq__` of
//! sort keys) runs: containers are snapshotted before their items are visited.

mod decode;
mod encode;

use crate::vm::object::{Args, NativeFn};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Creates the `_json` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "_json");
    let funcs: &[(&str, NativeFn)] = &[
        ("encode", encode::encode),
        ("encode_basestring", encode::encode_basestring),
        ("encode_basestring_ascii", encode::encode_basestring_ascii),
        ("decode", decode::decode),
        ("raw_decode", decode::raw_decode),
        ("scanstring", decode::scanstring),
    ];
    super::add_functions(vm, &d, funcs);
    m
}

/// Positional argument `i`, or None.
fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).cloned().unwrap_or(Value::None)
}

fn truthy(vm: &mut Vm, v: &Value) -> PyResult<bool> {
    vm.truthy(v)
}
