//! The standard library: native modules (written in Rust) and the registry of modules
//! written in Aio, which are embedded in the binary so that `aio` stands alone.
//! Invariant: a native module is created once per interpreter and cached in `sys.modules`.

pub mod mt19937;
pub mod sys;

use crate::vm::value::ObjRef;
use crate::vm::{PyResult, Vm};

/// Installs the modules that must exist before any script runs (`sys`, `builtins`).
pub fn install_all(vm: &mut Vm) {
    let sys = sys::create(vm);
    let mods = vm.modules.clone();
    vm.dict_set_str(&mods, "sys", crate::vm::value::Value::Obj(sys));
    let b = vm.builtins.clone();
    vm.dict_set_str(&mods, "builtins", crate::vm::value::Value::Obj(b));
}

/// Creates the native module `name`, if there is one.
pub fn native_module(vm: &mut Vm, name: &str) -> PyResult<Option<ObjRef>> {
    let _ = vm;
    Ok(match name {
        _ => None,
    })
}

/// The source of a standard-library module written in Aio, and whether it is a package.
pub fn stdlib_source(name: &str) -> Option<(&'static str, bool)> {
    crate::modules::stdlib_files(name)
}

/// Embedded `.aio` sources of the standard library.
fn stdlib_files(name: &str) -> Option<(&'static str, bool)> {
    Some(match name {
        "_aio_helpers" => (include_str!("../../stdlib/_aio_helpers.aio"), false),
        _ => return None,
    })
}
