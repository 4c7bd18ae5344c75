//! Host functions: Rust closures exposed to scripts as builtin functions.
//!
//! A closure is boxed into a `HostFn` extension object that rides in the `data` slot of an
//! ordinary `NativeFunction` whose code is the `trampoline`; calling it costs one downcast
//! more than a builtin. `HostFunction` turns typed closures (`Fn(i64, String) -> R`) into the
//! boxed form, converting arguments with `FromScript` and reporting mistakes with
//! CPython's wording for builtins (`add expected 2 arguments, got 3`).

use super::convert::{FromScript, IntoScript, ScriptRef};
use super::Ctx;
use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// The boxed form of every host function: a closure over the interpreter and the raw call.
pub type BoxedFn = Box<dyn Fn(&mut Vm, &Args) -> PyResult + Send>;

/// A host closure stored in a native function's `data`.
pub(crate) struct HostFn {
    pub f: BoxedFn,
}

impl ExtObject for HostFn {
    fn type_name(&self) -> &str {
        "host_function"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The `NativeFn` behind every host function: finds the closure in `data` and calls it.
pub(crate) fn trampoline(vm: &mut Vm, args: Args) -> PyResult {
    match args.data.kind() {
        Some(ObjKind::Ext(e)) => match e.as_any().downcast_ref::<HostFn>() {
            Some(h) => (h.f)(vm, &args),
            None => Err(vm.runtime_error("host function lost its closure".into())),
        },
        _ => Err(vm.runtime_error("host function lost its closure".into())),
    }
}

/// A script value for a boxed host function.
pub(crate) fn make_function(vm: &mut Vm, name: &str, f: BoxedFn) -> Value {
    let data = Value::Obj(vm.alloc(ObjKind::Ext(Box::new(HostFn { f }))));
    vm.new_native_with(name, trampoline, data)
}

/// Checks the argument count: `max` parameters of which the last `max - min` may be omitted.
pub(crate) fn check_arity(
    vm: &mut Vm,
    name: &str,
    args: &Args,
    min: usize,
    max: usize,
) -> PyResult<()> {
    if !args.kwnames.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let n = args.pos.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let msg = if min == max {
        format!("{name} expected {max} argument{}, got {n}", plural(max))
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            plural(min)
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            plural(max)
        )
    };
    Err(vm.type_error(msg))
}

/// Converts argument `i` (0-based) of a call to `name`.
pub(crate) fn arg<T: FromScript>(
    vm: &mut Vm,
    name: &str,
    args: &Args,
    i: usize,
    total: usize,
) -> PyResult<T> {
    let Some(v) = args.pos.get(i) else {
        return match T::missing() {
            Some(x) => Ok(x),
            None => Err(vm.type_error(format!("{name}() missing required argument {}", i + 1))),
        };
    };
    let mut cx = Ctx { vm };
    match T::from_script(&mut cx, ScriptRef(v)) {
        Ok(x) => Ok(x),
        Err(e) => {
            let (cls, msg) = e.message(name, i + 1, total == 1);
            Err(vm.new_exc_msg(cls, msg))
        }
    }
}

/// Converts a native's result for the script; an `Err` is raised as its exception.
pub(crate) fn ret<R: IntoScript>(vm: &mut Vm, r: R) -> PyResult {
    let mut cx = Ctx { vm };
    match r.into_script(&mut cx) {
        Ok(c) => Ok(c.0),
        Err(e) => Err(e.into_exc(vm)),
    }
}

/// A Rust closure usable as a script function. Implemented for `Fn(A, B, ...) -> R` with up
/// to six `FromScript` arguments (trailing `Option`s may be omitted by the script) and an
/// `IntoScript` result (`Result<T, Error>` raises on `Err`).
pub trait HostFunction<Marker>: Send + 'static {
    /// Boxes the closure as a function named `name`.
    fn into_boxed(self, name: &str) -> BoxedFn;
}

/// Counts trailing parameters that may be omitted.
fn min_args(optional: &[bool]) -> usize {
    let mut n = optional.len();
    while n > 0 && optional[n - 1] {
        n -= 1;
    }
    n
}

macro_rules! host_fn {
    ($($a:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<F, R, $($a),*> HostFunction<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + 'static,
            R: IntoScript,
            $($a: FromScript,)*
        {
            fn into_boxed(self, name: &str) -> BoxedFn {
                let name = name.to_string();
                let optional: &[bool] = &[$($a::missing().is_some()),*];
                let max = optional.len();
                let min = min_args(optional);
                Box::new(move |vm: &mut Vm, args: &Args| {
                    check_arity(vm, &name, args, min, max)?;
                    let mut i = 0;
                    $(let $a = arg::<$a>(vm, &name, args, i, max)?; i += 1;)*
                    let r = (self)($($a),*);
                    ret(vm, r)
                })
            }
        }
    };
}
host_fn!();
host_fn!(A);
host_fn!(A, B);
host_fn!(A, B, C);
host_fn!(A, B, C, D);
host_fn!(A, B, C, D, E);
host_fn!(A, B, C, D, E, G);
