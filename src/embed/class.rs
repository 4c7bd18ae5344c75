//! Rust types as script classes: instances carry the Rust value in an extension payload,
//! methods and properties are host closures taking `&mut T`.
//!
//! Invariant: a method borrows its instance only while the closure runs, after its
//! arguments are converted; closures never see the interpreter, so the borrow cannot be
//! re-entered and a second borrow attempt is an ordinary RuntimeError, never a panic.

use super::convert::{Converted, FromScript, IntoScript};
use super::error::Error;
use super::native::{arg, check_arity, make_function, ret, BoxedFn};
use super::{state, Ctx, Engine};
use crate::vm::object::{Args, ExtObject, Layout, ObjKind, Property};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::Vm;
use std::any::TypeId;
use std::cell::RefCell;
use std::marker::PhantomData;

/// A Rust type that can be exposed as a script class (see [`Engine::register_class`]).
/// Values of a registered type convert into script instances with `IntoScript`.
pub trait UserData: Send + 'static {}

/// The payload of an instance of a host class.
struct HostObj<T> {
    value: RefCell<T>,
}

impl<T: 'static> ExtObject for HostObj<T> {
    fn type_name(&self) -> &str {
        "host object"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl<T: UserData> IntoScript for T {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        let Some(cls) = state(cx.vm).classes.get(&TypeId::of::<T>()).cloned() else {
            return Err(Error::conversion(format!(
                "{} is not registered as a class",
                std::any::type_name::<T>()
            )));
        };
        let o = cx.vm.alloc_instance(
            cls,
            ObjKind::Ext(Box::new(HostObj {
                value: RefCell::new(self),
            })),
        );
        Ok(Converted(Value::Obj(o)))
    }
}

/// A closure usable as a method of a host class: `Fn(&mut T, A, B, ...) -> R` with up to
/// five `FromScript` arguments.
pub trait HostMethod<T, Marker>: Send + 'static {
    /// Boxes the method; the boxed form receives self as its first argument.
    fn into_boxed(self, class: &str, name: &str) -> BoxedFn;
}

/// The wrong-self TypeError, as CPython words it for method descriptors.
fn bad_self(vm: &mut Vm, class: &str, name: &str, v: &Value) -> crate::vm::Exc {
    let t = vm.type_name(v);
    vm.type_error(format!(
        "descriptor '{name}' for '{class}' objects doesn't apply to a '{t}' object"
    ))
}

fn min_args(optional: &[bool]) -> usize {
    let mut n = optional.len();
    while n > 0 && optional[n - 1] {
        n -= 1;
    }
    n
}

macro_rules! host_method {
    ($($a:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<T: UserData, F, R, $($a),*> HostMethod<T, ($($a,)*)> for F
        where
            F: Fn(&mut T, $($a),*) -> R + Send + 'static,
            R: IntoScript,
            $($a: FromScript,)*
        {
            fn into_boxed(self, class: &str, name: &str) -> BoxedFn {
                let (class, name) = (class.to_string(), name.to_string());
                let optional: &[bool] = &[$($a::missing().is_some()),*];
                let max = optional.len();
                let min = min_args(optional);
                Box::new(move |vm: &mut Vm, args: &Args| {
                    let this = args.pos.first().cloned().unwrap_or(Value::None);
                    let rest = Args { pos: args.pos.get(1..).unwrap_or(&[]), ..*args };
                    check_arity(vm, &name, &rest, min, max)?;
                    let mut i = 0;
                    $(let $a = arg::<$a>(vm, &name, &rest, i, max)?; i += 1;)*
                    let host = match this.kind() {
                        Some(ObjKind::Ext(e)) => e.as_any().downcast_ref::<HostObj<T>>(),
                        _ => None,
                    };
                    let Some(host) = host else {
                        return Err(bad_self(vm, &class, &name, &this));
                    };
                    let Ok(mut b) = host.value.try_borrow_mut() else {
                        return Err(vm.runtime_error(format!("{class} object is already in use")));
                    };
                    let r = (self)(&mut *b, $($a),*);
                    drop(b);
                    ret(vm, r)
                })
            }
        }
    };
}
host_method!();
host_method!(A);
host_method!(A, B);
host_method!(A, B, C);
host_method!(A, B, C, D);
host_method!(A, B, C, D, E);

/// Builds a script class for `T`; see [`Engine::register_class`].
///
/// ```
/// use aio::embed::{Engine, UserData};
/// struct Counter { n: i64 }
/// impl UserData for Counter {}
///
/// let mut engine = Engine::new();
/// engine
///     .register_class::<Counter>("Counter")
///     .constructor(|start: Option<i64>| Counter { n: start.unwrap_or(0) })
///     .method("incr", |c: &mut Counter, by: i64| { c.n += by; c.n })
///     .getter("value", |c: &Counter| c.n)
///     .build();
/// engine.run("c = Counter(10)\nc.incr(5)\nv = c.value").unwrap();
/// assert_eq!(engine.get::<i64>("v").unwrap(), 15);
/// assert_eq!(engine.eval::<String>("type(c).__name__").unwrap(), "Counter");
/// ```
pub struct ClassBuilder<'e, T> {
    engine: &'e mut Engine,
    class: ObjRef,
    name: String,
    _t: PhantomData<fn() -> T>,
}

impl<'e, T: UserData> ClassBuilder<'e, T> {
    pub(crate) fn new(engine: &'e mut Engine, name: &str) -> ClassBuilder<'e, T> {
        let object = engine.vm.types.object.clone();
        let class = make_type(name, Some(&object), Layout::Opaque, true);
        state(&mut engine.vm)
            .classes
            .insert(TypeId::of::<T>(), class.clone());
        ClassBuilder {
            engine,
            class,
            name: name.to_string(),
            _t: PhantomData,
        }
    }

    /// Makes the class callable: `Name(args)` calls `f`, which returns the new `T`.
    pub fn constructor<M>(self, f: impl super::HostFunction<M>) -> Self {
        let inner = f.into_boxed(&self.name);
        let boxed: BoxedFn = Box::new(move |vm: &mut Vm, args: &Args| {
            // `__new__` receives the class first.
            let rest = Args {
                pos: args.pos.get(1..).unwrap_or(&[]),
                ..*args
            };
            inner(vm, &rest)
        });
        let vm = &mut self.engine.vm;
        let f = make_function(vm, "__new__", boxed);
        let sm = Value::Obj(vm.alloc(ObjKind::StaticMethod(f)));
        vm.type_dict_set(&self.class, "__new__", sm);
        self
    }

    /// Adds a method.
    pub fn method<M>(self, name: &str, f: impl HostMethod<T, M>) -> Self {
        let boxed = f.into_boxed(&self.name, name);
        let vm = &mut self.engine.vm;
        let f = make_function(vm, name, boxed);
        vm.type_dict_set(&self.class, name, f);
        self
    }

    /// Adds a read-only property.
    pub fn getter<R: IntoScript + 'static>(
        self,
        name: &str,
        f: impl Fn(&T) -> R + Send + 'static,
    ) -> Self {
        let m = move |t: &mut T| f(&*t);
        let boxed = HostMethod::<T, ()>::into_boxed(m, &self.name, name);
        self.property(name, boxed, None)
    }

    /// Adds a read-write property.
    pub fn property_rw<R: IntoScript + 'static, V: FromScript + 'static>(
        self,
        name: &str,
        get: impl Fn(&T) -> R + Send + 'static,
        set: impl Fn(&mut T, V) + Send + 'static,
    ) -> Self {
        let g = move |t: &mut T| get(&*t);
        let getter = HostMethod::<T, ()>::into_boxed(g, &self.name, name);
        let setter = HostMethod::<T, (V,)>::into_boxed(set, &self.name, name);
        self.property(name, getter, Some(setter))
    }

    fn property(self, name: &str, get: BoxedFn, set: Option<BoxedFn>) -> Self {
        let vm = &mut self.engine.vm;
        let fget = make_function(vm, name, get);
        let fset = match set {
            Some(s) => make_function(vm, name, s),
            None => Value::None,
        };
        let p = Property {
            fget,
            fset,
            fdel: Value::None,
            doc: Value::None,
        };
        let v = Value::Obj(vm.alloc(ObjKind::Property(Box::new(p))));
        vm.type_dict_set(&self.class, name, v);
        self
    }

    /// Makes the class a builtin name visible to every module.
    pub fn build(self) {
        let b = super::builtins_dict(&self.engine.vm);
        self.engine
            .vm
            .dict_set_str(&b, &self.name, Value::Obj(self.class.clone()));
    }
}
