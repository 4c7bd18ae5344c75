//! The `builtins` module: functions every script sees without importing.
//! Invariant: each function's argument errors use CPython 3.11's wording.

use crate::types::int::{int_of, IntRef};
use crate::vm::object::{Args, GenKind, NativeFn, NativeIter, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::Cell;

/// Creates the builtins module and installs it as `vm.builtins`.
pub fn install(vm: &mut Vm) {
    let m = vm.new_module("builtins");
    vm.builtins = m.clone();
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    let funcs: &[(&str, NativeFn)] = &[
        ("print", print),
        ("len", len),
        ("repr", repr),
        ("ascii", ascii),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("id", id),
        ("hash", hash),
        ("iter", iter),
        ("next", next),
        ("aiter", aiter),
        ("anext", anext),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("callable", callable),
        ("any", any),
        ("all", all),
        ("sum", sum),
        ("min", min),
        ("max", max),
        ("abs", abs),
        ("round", round),
        ("divmod", divmod),
        ("pow", pow),
        ("chr", chr),
        ("ord", ord),
        ("hex", hex),
        ("oct", oct),
        ("bin", bin),
        ("format", format),
        ("input", input),
        ("sorted", sorted),
        ("reversed", reversed),
        ("globals", globals),
        ("locals", locals),
        ("vars", vars),
        ("dir", dir),
        ("exit", exit),
        ("quit", exit),
        ("__import__", import),
        ("eval", not_supported),
        ("exec", not_supported),
        ("compile", not_supported),
    ];
    for (name, f) in funcs {
        let v = vm.new_native(name, *f);
        vm.dict_set_str(&d, name, v);
    }
    let t = vm.types.clone_handles();
    for (name, ty) in t {
        vm.dict_set_str(&d, name, Value::Obj(ty));
    }
    let excs: Vec<(&'static str, crate::vm::value::ObjRef)> = vm
        .types
        .exceptions
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    for (name, ty) in excs {
        vm.dict_set_str(&d, name, Value::Obj(ty));
    }
    let ni = vm.not_implemented();
    vm.dict_set_str(&d, "NotImplemented", ni);
    let el = vm.ellipsis();
    vm.dict_set_str(&d, "Ellipsis", el);
    vm.dict_set_str(&d, "None", Value::None);
    vm.dict_set_str(&d, "True", Value::Bool(true));
    vm.dict_set_str(&d, "False", Value::Bool(false));
    vm.dict_set_str(&d, "__debug__", Value::Bool(true));
}

impl crate::vm::Types {
    /// The builtin types visible by name in `builtins`.
    pub fn clone_handles(&self) -> Vec<(&'static str, crate::vm::value::ObjRef)> {
        vec![
            ("object", self.object.clone()),
            ("type", self.type_.clone()),
            ("int", self.int.clone()),
            ("bool", self.bool_.clone()),
            ("float", self.float.clone()),
            ("str", self.str_.clone()),
            ("bytes", self.bytes.clone()),
            ("bytearray", self.bytearray.clone()),
            ("list", self.list.clone()),
            ("tuple", self.tuple.clone()),
            ("dict", self.dict.clone()),
            ("set", self.set.clone()),
            ("frozenset", self.frozenset.clone()),
            ("range", self.range.clone()),
            ("slice", self.slice.clone()),
            ("property", self.property.clone()),
            ("staticmethod", self.staticmethod.clone()),
            ("classmethod", self.classmethod.clone()),
            ("super", self.super_.clone()),
            ("enumerate", self.enumerate.clone()),
            ("zip", self.zip.clone()),
            ("map", self.map.clone()),
            ("filter", self.filter.clone()),
        ]
    }
}

fn not_supported(vm: &mut Vm, _args: Args) -> PyResult {
    Err(vm.not_implemented_error(
        "evaluating code from strings (eval/exec/compile) is not supported by Aio".into(),
    ))
}

fn print(vm: &mut Vm, args: Args) -> PyResult {
    let mut sep = " ".to_string();
    let mut end = "\n".to_string();
    let mut file = Value::None;
    let mut flush = false;
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        match k.as_str().unwrap_or("") {
            "sep" => {
                if !v.is_none() {
                    match v.as_str() {
                        Some(s) => sep = s.to_string(),
                        None => {
                            let msg =
                                format!("sep must be None or a string, not {}", vm.type_name(v));
                            return Err(vm.type_error(msg));
                        }
                    }
                }
            }
            "end" => {
                if !v.is_none() {
                    match v.as_str() {
                        Some(s) => end = s.to_string(),
                        None => {
                            let msg =
                                format!("end must be None or a string, not {}", vm.type_name(v));
                            return Err(vm.type_error(msg));
                        }
                    }
                }
            }
            "file" => file = v.clone(),
            "flush" => flush = vm.truthy(v)?,
            other => {
                return Err(vm.type_error(format!(
                    "'{other}' is an invalid keyword argument for print()"
                )))
            }
        }
    }
    let mut out = String::new();
    for (i, a) in args.pos.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        match a.kind() {
            Some(ObjKind::Str(s)) if a.as_obj().is_some_and(|o| o.class.is_none()) => {
                out.push_str(s.as_str())
            }
            _ => out.push_str(&vm.str_of(a)?),
        }
    }
    out.push_str(&end);
    crate::modules::sys::write_to(vm, &file, &out)?;
    if flush {
        crate::modules::sys::flush_file(vm, &file)?;
    }
    Ok(Value::None)
}

fn one_arg<'a>(vm: &mut Vm, args: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    args.no_kwargs(vm, name)?;
    args.expect_range(vm, name, 1, 1)?;
    let pos: &'a [Value] = args.pos;
    Ok(&pos[0])
}

fn len(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "len")?;
    Ok(Value::Int(vm.len(v)? as i64))
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "repr")?;
    let s = vm.repr(v)?;
    Ok(vm.new_str(s))
}

fn ascii(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "ascii")?;
    let s = vm.ascii(v)?;
    Ok(vm.new_str(s))
}

/// `isinstance(obj, cls)` with tuples and `__instancecheck__` hooks.
pub fn isinstance_value(vm: &mut Vm, obj: &Value, cls: &Value) -> PyResult<bool> {
    match cls {
        Value::Obj(c) => match &c.kind {
            ObjKind::Type(t) => {
                if !t.builtin {
                    let n = vm.intern("__instancecheck__");
                    if let Some(f) = vm.type_dict_get(c, &n).or_else(|| {
                        t.mro
                            .iter()
                            .filter(|b| !b.as_type().is_some_and(|bt| bt.builtin))
                            .find_map(|b| {
                                b.as_type().and_then(|bt| {
                                    let d = bt.dict.borrow();
                                    let found = d
                                        .iter()
                                        .find(|(k, _)| k.as_str() == Some("__instancecheck__"))
                                        .map(|(_, v)| v.clone());
                                    found
                                })
                            })
                    }) {
                        let f = vm.bind_descriptor(f, cls, c)?;
                        let f = match f.kind() {
                            Some(ObjKind::Function(_)) => Value::Obj(
                                vm.alloc(ObjKind::BoundMethod(Box::new((f.clone(), cls.clone())))),
                            ),
                            _ => f,
                        };
                        let r = vm.call(&f, &[obj.clone()])?;
                        return vm.truthy(&r);
                    }
                }
                Ok(vm.isinstance(obj, c))
            }
            ObjKind::Tuple(items) => {
                for it in items.to_vec() {
                    if isinstance_value(vm, obj, &it)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(vm.type_error(
                "isinstance() arg 2 must be a type, a tuple of types, or a union".into(),
            )),
        },
        _ => Err(
            vm.type_error("isinstance() arg 2 must be a type, a tuple of types, or a union".into())
        ),
    }
}

fn isinstance(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "isinstance")?;
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("isinstance expected 2 arguments, got {n}")));
    }
    Ok(Value::Bool(isinstance_value(
        vm,
        &args.pos[0],
        &args.pos[1],
    )?))
}

/// `issubclass(a, b)` with tuples and `__subclasscheck__` hooks.
pub fn issubclass_value(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let Value::Obj(ao) = a else {
        return Err(vm.type_error("issubclass() arg 1 must be a class".into()));
    };
    if ao.as_type().is_none() {
        return Err(vm.type_error("issubclass() arg 1 must be a class".into()));
    }
    match b {
        Value::Obj(c) => match &c.kind {
            ObjKind::Type(t) => {
                if !t.builtin {
                    let n = vm.intern("__subclasscheck__");
                    if let Some(f) = vm.lookup_type(c, &n) {
                        if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                            let f = vm.bind_descriptor(f, b, c)?;
                            let f =
                                match f.kind() {
                                    Some(ObjKind::Function(_)) => Value::Obj(vm.alloc(
                                        ObjKind::BoundMethod(Box::new((f.clone(), b.clone()))),
                                    )),
                                    _ => f,
                                };
                            let r = vm.call(&f, &[a.clone()])?;
                            return vm.truthy(&r);
                        }
                    }
                }
                Ok(vm.is_subclass(ao, c))
            }
            ObjKind::Tuple(items) => {
                for it in items.to_vec() {
                    if issubclass_value(vm, a, &it)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(vm.type_error(
                "issubclass() arg 2 must be a class, a tuple of classes, or a union".into(),
            )),
        },
        _ => Err(vm.type_error(
            "issubclass() arg 2 must be a class, a tuple of classes, or a union".into(),
        )),
    }
}

fn issubclass(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("issubclass expected 2 arguments, got {n}")));
    }
    Ok(Value::Bool(issubclass_value(
        vm,
        &args.pos[0],
        &args.pos[1],
    )?))
}

fn id(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "id")?;
    Ok(Value::Int((v.identity() & (i64::MAX as usize)) as i64))
}

fn hash(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "hash")?;
    Ok(Value::Int(vm.hash(v)?))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "iter")?;
    match args.pos {
        [v] => vm.get_iter(v),
        [f, sentinel] => {
            let c = callable_value(vm, f);
            if !c {
                return Err(vm.type_error("iter(v, w): v must be callable".into()));
            }
            Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
                NativeIter::Callable {
                    func: f.clone(),
                    sentinel: sentinel.clone(),
                    done: Cell::new(false),
                },
            )))))
        }
        _ => {
            let n = args.pos.len();
            Err(vm.type_error(format!("iter expected at most 2 arguments, got {n}")))
        }
    }
}

fn next(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "next")?;
    let Some(it) = args.pos.first() else {
        return Err(vm.type_error("next expected at least 1 argument, got 0".into()));
    };
    if args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("next expected at most 2 arguments, got {n}")));
    }
    if !vm.has_next(it) {
        let msg = format!("'{}' object is not an iterator", vm.type_name(it));
        return Err(vm.type_error(msg));
    }
    match vm.next_value(it)? {
        Some(v) => Ok(v),
        None => match args.pos.get(1) {
            Some(d) => Ok(d.clone()),
            None => Err(vm.stop_iteration(Value::None)),
        },
    }
}

fn aiter(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "aiter")?;
    // The builtin words its errors differently from `async for`.
    let ty = vm.type_of(v).clone();
    let n = vm.intern("__aiter__");
    if vm.lookup_type(&ty, &n).is_none() {
        let msg = format!("'{}' object is not an async iterable", vm.type_name(v));
        return Err(vm.type_error(msg));
    }
    let f = vm.getattr_str(v, "__aiter__")?;
    let it = vm.call(&f, &[])?;
    let is_agen =
        matches!(it.kind(), Some(ObjKind::Generator(g)) if g.kind == GenKind::AsyncGenerator);
    let ity = vm.type_of(&it).clone();
    let an = vm.intern("__anext__");
    if !is_agen && vm.lookup_type(&ity, &an).is_none() {
        let msg = format!(
            "aiter() returned not an async iterator of type '{}'",
            vm.type_name(&it)
        );
        return Err(vm.type_error(msg));
    }
    Ok(it)
}

fn anext(vm: &mut Vm, args: Args) -> PyResult {
    let Some(it) = args.pos.first() else {
        return Err(vm.type_error("anext expected at least 1 argument, got 0".into()));
    };
    let aw = vm.get_anext_awaitable(it)?;
    match args.pos.get(1) {
        None => Ok(aw),
        Some(default) => {
            // anext(it, default): a small coroutine-like wrapper written in the stdlib.
            let helper = vm.import_module("_aio_helpers")?;
            let f = vm.getattr_str(&Value::Obj(helper), "anext_default")?;
            vm.call(&f, &[aw, default.clone()])
        }
    }
}

fn attr_name(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Value> {
    if v.as_str().is_some() {
        return Ok(v.clone());
    }
    let msg = format!(
        "{fname}(): attribute name must be string, not '{}'",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

fn getattr(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "getattr")?;
    if args.pos.len() < 2 || args.pos.len() > 3 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("getattr expected at least 2 arguments, got {n}")));
    }
    let name = attr_name(vm, &args.pos[1], "getattr")?;
    let interned = {
        let s = name.as_str().unwrap_or("").to_string();
        vm.intern(&s)
    };
    match vm.get_attr(&args.pos[0], &interned) {
        Ok(v) => Ok(v),
        Err(e) if args.pos.len() == 3 && vm.exc_is(&e, "AttributeError") => Ok(args.pos[2].clone()),
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "setattr", 3, 3)?;
    let name = attr_name(vm, &args.pos[1], "setattr")?;
    let s = name.as_str().unwrap_or("").to_string();
    let n = vm.intern(&s);
    vm.set_attr(&args.pos[0], &n, args.pos[2].clone())?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "hasattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1], "hasattr")?;
    let s = name.as_str().unwrap_or("").to_string();
    let n = vm.intern(&s);
    match vm.get_attr(&args.pos[0], &n) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if vm.exc_is(&e, "AttributeError") => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "delattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1], "delattr")?;
    let s = name.as_str().unwrap_or("").to_string();
    let n = vm.intern(&s);
    vm.del_attr(&args.pos[0], &n)?;
    Ok(Value::None)
}

/// True when `v` can be called.
pub fn callable_value(vm: &mut Vm, v: &Value) -> bool {
    match v.kind() {
        Some(
            ObjKind::Function(_) | ObjKind::BoundMethod(_) | ObjKind::Native(_) | ObjKind::Type(_),
        ) => true,
        Some(_) => {
            let ty = vm.type_of(v).clone();
            let n = vm.intern("__call__");
            vm.lookup_type(&ty, &n).is_some()
        }
        None => false,
    }
}

fn callable(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "callable")?;
    Ok(Value::Bool(callable_value(vm, v)))
}

fn any(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "any")?;
    let it = vm.get_iter(v)?;
    while let Some(x) = vm.next_value(&it)? {
        if vm.truthy(&x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "all")?;
    let it = vm.get_iter(v)?;
    while let Some(x) = vm.next_value(&it)? {
        if !vm.truthy(&x)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn sum(vm: &mut Vm, args: Args) -> PyResult {
    let [iterable, start] = args.bind(vm, "sum", ["iterable", "start"], 1)?;
    let mut acc = start.unwrap_or(Value::Int(0));
    match acc.kind() {
        Some(ObjKind::Str(_)) => {
            return Err(vm.type_error("sum() can't sum strings [use ''.join(seq) instead]".into()))
        }
        Some(ObjKind::Bytes(_)) => {
            return Err(vm.type_error("sum() can't sum bytes [use b''.join(seq) instead]".into()))
        }
        Some(ObjKind::ByteArray(_)) => {
            return Err(
                vm.type_error("sum() can't sum bytearray [use b''.join(seq) instead]".into())
            )
        }
        _ => {}
    }
    let it = vm.get_iter(&iterable.expect("required"))?;
    while let Some(x) = vm.next_value(&it)? {
        acc = match (&acc, &x) {
            (Value::Int(a), Value::Int(b)) if a.checked_add(*b).is_some() => Value::Int(a + b),
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
            _ => vm.binary_op(&acc, &x, crate::syntax::ast::BinOp::Add)?,
        };
    }
    Ok(acc)
}

fn min_max(vm: &mut Vm, args: &Args, is_max: bool) -> PyResult {
    let name = if is_max { "max" } else { "min" };
    let mut key = Value::None;
    let mut default = None;
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        match k.as_str().unwrap_or("") {
            "key" => key = v.clone(),
            "default" => default = Some(v.clone()),
            other => {
                return Err(vm.type_error(format!(
                    "'{other}' is an invalid keyword argument for {name}()"
                )))
            }
        }
    }
    let items: Vec<Value> = match args.pos.len() {
        0 => return Err(vm.type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => vm.collect_iterable(&args.pos[0])?,
        _ => {
            if default.is_some() {
                return Err(vm.type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            args.pos.to_vec()
        }
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => Err(vm.value_error(format!("{name}() arg is an empty sequence"))),
        };
    }
    let mut best = items[0].clone();
    let mut best_key = if key.is_none() {
        best.clone()
    } else {
        vm.call(&key, &[best.clone()])?
    };
    for x in items.into_iter().skip(1) {
        let k = if key.is_none() {
            x.clone()
        } else {
            vm.call(&key, &[x.clone()])?
        };
        let better = if is_max {
            vm.lt(&best_key, &k)?
        } else {
            vm.lt(&k, &best_key)?
        };
        if better {
            best = x;
            best_key = k;
        }
    }
    Ok(best)
}

fn min(vm: &mut Vm, args: Args) -> PyResult {
    min_max(vm, &args, false)
}

fn max(vm: &mut Vm, args: Args) -> PyResult {
    min_max(vm, &args, true)
}

fn abs(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "abs")?;
    match v {
        Value::Int(i) => Ok(match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => vm.new_bigint(num_bigint::BigInt::from(*i).magnitude().clone().into()),
        }),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => {
            if let Some(IntRef::Big(b)) = int_of(v) {
                use num_traits::Signed;
                let a = b.abs();
                return Ok(vm.new_bigint(a));
            }
            let ty = vm.type_of(v).clone();
            let n = vm.intern("__abs__");
            match vm.lookup_type(&ty, &n) {
                Some(f) => {
                    let f = vm.bind_descriptor(f, v, &ty)?;
                    vm.call(&f, &[])
                }
                None => {
                    let msg = format!("bad operand type for abs(): '{}'", vm.type_name(v));
                    Err(vm.type_error(msg))
                }
            }
        }
    }
}

fn round(vm: &mut Vm, args: Args) -> PyResult {
    let [number, ndigits] = args.bind(vm, "round", ["number", "ndigits"], 1)?;
    let number = number.expect("required");
    let ty = vm.type_of(&number).clone();
    let n = vm.intern("__round__");
    match vm.lookup_type(&ty, &n) {
        Some(f) => {
            let f = vm.bind_descriptor(f, &number, &ty)?;
            match ndigits {
                Some(d) if !d.is_none() => vm.call(&f, &[d]),
                _ => vm.call(&f, &[]),
            }
        }
        None => {
            let msg = format!(
                "type {} doesn't define __round__ method",
                vm.type_name(&number)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn divmod(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "divmod", 2, 2)?;
    let (a, b) = (&args.pos[0], &args.pos[1]);
    if let (Some(_), Some(_)) = (int_of(a), int_of(b)) {
        let q = vm.binary_op(a, b, crate::syntax::ast::BinOp::FloorDiv)?;
        let r = vm.binary_op(a, b, crate::syntax::ast::BinOp::Mod)?;
        return Ok(vm.new_tuple(vec![q, r]));
    }
    let fa = crate::types::float::float_of(a).or_else(|| int_of(a).and_then(|i| i.to_f64()));
    let fb = crate::types::float::float_of(b).or_else(|| int_of(b).and_then(|i| i.to_f64()));
    if let (Some(x), Some(y)) = (fa, fb) {
        if matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)) {
            let (q, r) = crate::fmt::float_divmod(x, y).map_err(|e| vm.fmt_error(e))?;
            return Ok(vm.new_tuple(vec![Value::Float(q), Value::Float(r)]));
        }
    }
    match vm.binary_protocol(a, b, "__divmod__", "__rdivmod__")? {
        Some(v) => Ok(v),
        None => {
            let msg = format!(
                "unsupported operand type(s) for divmod(): '{}' and '{}'",
                vm.type_name(a),
                vm.type_name(b)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn pow(vm: &mut Vm, args: Args) -> PyResult {
    let [base, exp, modulo] = args.bind(vm, "pow", ["base", "exp", "mod"], 2)?;
    let (base, exp) = (base.expect("required"), exp.expect("required"));
    match modulo {
        Some(m) if !m.is_none() => match (int_of(&base), int_of(&exp), int_of(&m)) {
            (Some(a), Some(b), Some(c)) => crate::types::int::pow_mod(vm, a, b, c),
            _ => Err(vm.type_error(
                "pow() 3rd argument not allowed unless all arguments are integers".into(),
            )),
        },
        _ => vm.binary_op(&base, &exp, crate::syntax::ast::BinOp::Pow),
    }
}

fn chr(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "chr")?;
    let i = vm.index_value(v)?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(vm.char_str(c)),
        None => {
            if (0xd800..0xe000).contains(&i) {
                return Err(vm.value_error(
                    "chr() of a surrogate code point is not supported by Aio".into(),
                ));
            }
            Err(vm.value_error("chr() arg not in range(0x110000)".into()))
        }
    }
}

fn ord(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "ord")?;
    if let Some(s) = v.as_str() {
        let mut it = s.chars();
        return match (it.next(), it.next()) {
            (Some(c), None) => Ok(Value::Int(c as i64)),
            _ => {
                let n = s.chars().count();
                Err(vm.type_error(format!(
                    "ord() expected a character, but string of length {n} found"
                )))
            }
        };
    }
    if let Some(b) = crate::types::bytes::bytes_of(v) {
        if b.len() == 1 {
            return Ok(Value::Int(b[0] as i64));
        }
        return Err(vm.type_error(format!(
            "ord() expected a character, but string of length {} found",
            b.len()
        )));
    }
    let msg = format!(
        "ord() expected string of length 1, but {} found",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

fn radix(vm: &mut Vm, args: &Args, name: &str, base: u32) -> PyResult {
    let v = one_arg(vm, args, name)?;
    let i = match int_of(v) {
        Some(IntRef::Small(i)) => crate::fmt::IntValue::Small(i),
        Some(IntRef::Big(b)) => crate::fmt::IntValue::Big(b.clone()),
        None => {
            let i = vm.index_value(v)?;
            crate::fmt::IntValue::Small(i)
        }
    };
    let s = crate::fmt::int_to_radix(&i, base);
    Ok(vm.new_str(s))
}

fn hex(vm: &mut Vm, args: Args) -> PyResult {
    radix(vm, &args, "hex", 16)
}

fn oct(vm: &mut Vm, args: Args) -> PyResult {
    radix(vm, &args, "oct", 8)
}

fn bin(vm: &mut Vm, args: Args) -> PyResult {
    radix(vm, &args, "bin", 2)
}

fn format(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "format", 1, 2)?;
    let spec = match args.pos.get(1) {
        Some(s) => match s.as_str() {
            Some(t) => t.to_string(),
            None => {
                let msg = format!("format() argument 2 must be str, not {}", vm.type_name(s));
                return Err(vm.type_error(msg));
            }
        },
        None => String::new(),
    };
    let s = vm.format(&args.pos[0], &spec)?;
    Ok(vm.new_str(s))
}

fn input(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "input", 0, 1)?;
    if let Some(p) = args.pos.first() {
        let s = vm.str_of(p)?;
        vm.write_stdout(&s);
    }
    vm.flush_output();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => Err(vm.new_exc_msg("EOFError", "EOF when reading a line".into())),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(vm.new_str(line))
        }
        Err(e) => Err(vm.new_exc_msg("OSError", e.to_string())),
    }
}

fn sorted(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() != 1 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("sorted expected 1 argument, got {n}")));
    }
    let rest = Args { pos: &[], ..args };
    let [key, reverse] = rest.bind(vm, "sorted", ["key", "reverse"], 0)?;
    let reverse = match reverse {
        Some(r) => vm.truthy(&r)?,
        None => false,
    };
    let mut items = vm.collect_iterable(&args.pos[0])?;
    crate::types::list::sort_values(vm, &mut items, key.as_ref(), reverse)?;
    Ok(vm.new_list(items))
}

fn reversed(vm: &mut Vm, args: Args) -> PyResult {
    let v = one_arg(vm, &args, "reversed")?;
    let ty = vm.type_of(v).clone();
    let n = vm.intern("__reversed__");
    if let Some(f) = vm.lookup_type(&ty, &n) {
        let f = vm.bind_descriptor(f, v, &ty)?;
        return vm.call(&f, &[]);
    }
    match v.kind() {
        Some(ObjKind::Tuple(t)) => {
            let n = t.len();
            let Value::Obj(o) = v else { unreachable!() };
            Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
                NativeIter::SeqRev {
                    seq: o.clone(),
                    idx: Cell::new(n),
                },
            )))))
        }
        _ => {
            let ln = vm.intern("__len__");
            let gi = vm.intern("__getitem__");
            if vm.lookup_type(&ty, &ln).is_some() && vm.lookup_type(&ty, &gi).is_some() {
                let n = vm.len(v)?;
                let mut items = Vec::with_capacity(n);
                for i in (0..n).rev() {
                    items.push(vm.get_item(v, &Value::Int(i as i64))?);
                }
                let l = vm.new_list(items);
                return vm.get_iter(&l);
            }
            let msg = format!("'{}' object is not reversible", vm.type_name(v));
            Err(vm.type_error(msg))
        }
    }
}

fn globals(vm: &mut Vm, _args: Args) -> PyResult {
    match vm.fiber.last() {
        Some(f) => Ok(Value::Obj(f.globals.clone())),
        None => Ok(Value::None),
    }
}

fn locals(vm: &mut Vm, _args: Args) -> PyResult {
    let Some(f) = vm.fiber.last() else {
        return Ok(Value::None);
    };
    if let Value::Obj(ns) = &f.namespace {
        return Ok(Value::Obj(ns.clone()));
    }
    let code = f.code.clone();
    let vals: Vec<(Value, Value)> = (0..code.nslots())
        .filter_map(|i| {
            let name = code.varnames[i].clone();
            let v = if i >= code.nlocals as usize {
                crate::vm::dispatch::cell_get(&f.locals[i])
            } else {
                f.locals[i].clone()
            };
            (!v.is_null()).then_some((name, v))
        })
        .collect();
    let d = vm.new_dict_obj();
    for (k, v) in vals {
        vm.dict_set(&d, k, v)?;
    }
    Ok(Value::Obj(d))
}

fn vars(vm: &mut Vm, args: Args) -> PyResult {
    match args.pos.first() {
        None => locals(vm, args),
        Some(v) => match vm.getattr_opt(v, "__dict__")? {
            Some(d) => Ok(d),
            None => Err(vm.type_error("vars() argument must have __dict__ attribute".into())),
        },
    }
}

fn dir(vm: &mut Vm, args: Args) -> PyResult {
    match args.pos.first() {
        Some(v) => {
            let names = vm.dir_of(v)?;
            Ok(vm.new_list(names))
        }
        None => {
            let l = locals(vm, args)?;
            let mut names = vm.collect_iterable(&l)?;
            crate::types::list::sort_values(vm, &mut names, None, false)?;
            Ok(vm.new_list(names))
        }
    }
}

fn exit(vm: &mut Vm, args: Args) -> PyResult {
    let code = args.pos.first().cloned().unwrap_or(Value::None);
    Err(vm.new_exc("SystemExit", vec![code]))
}

fn import(vm: &mut Vm, args: Args) -> PyResult {
    let Some(name) = args.pos.first().and_then(|n| n.as_str()).map(String::from) else {
        return Err(vm.type_error("__import__() argument 1 must be str".into()));
    };
    let m = vm.import_module(&name)?;
    let fromlist = args.pos.get(3).cloned().unwrap_or(Value::None);
    let nonempty = vm.truthy(&fromlist)?;
    if !nonempty && name.contains('.') {
        let top = name.split('.').next().unwrap_or("").to_string();
        return Ok(Value::Obj(vm.import_module(&top)?));
    }
    Ok(Value::Obj(m))
}
