//! Callables and descriptors: functions, bound methods, builtin functions, `property`,
//! `staticmethod`, `classmethod`; also the small singleton types (NoneType,
//! NotImplementedType, ellipsis), modules, cells and code objects.
//! Invariant: descriptor objects are immutable once built (`property.setter` returns a copy).

use crate::vm::object::{Args, Attrs, ModuleObj, ObjKind, Property};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

fn func_of(v: &Value) -> Option<&crate::vm::object::Function> {
    match v.kind()? {
        ObjKind::Function(f) => Some(f),
        _ => None,
    }
}

fn fn_name_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(func_of(v)
        .map(|f| f.name.borrow().clone())
        .unwrap_or(Value::None))
}

fn fn_name_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let x = x.unwrap_or(Value::None);
    if x.as_str().is_none() {
        return Err(vm.type_error("__name__ must be set to a string object".into()));
    }
    if let Some(f) = func_of(v) {
        *f.name.borrow_mut() = x;
    }
    Ok(())
}

fn fn_qualname_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(func_of(v)
        .map(|f| f.qualname.borrow().clone())
        .unwrap_or(Value::None))
}

fn fn_qualname_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let x = x.unwrap_or(Value::None);
    if x.as_str().is_none() {
        return Err(vm.type_error("__qualname__ must be set to a string object".into()));
    }
    if let Some(f) = func_of(v) {
        *f.qualname.borrow_mut() = x;
    }
    Ok(())
}

fn fn_defaults_get(vm: &mut Vm, v: &Value) -> PyResult {
    let Some(f) = func_of(v) else {
        return Ok(Value::None);
    };
    let d = f.defaults.borrow().clone();
    if d.is_empty() {
        return Ok(Value::None);
    }
    Ok(vm.new_tuple(d.to_vec()))
}

fn fn_defaults_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let items = match x {
        None | Some(Value::None) => Vec::new(),
        Some(t) => vm.collect_iterable(&t)?,
    };
    if let Some(f) = func_of(v) {
        *f.defaults.borrow_mut() = items.into();
    }
    Ok(())
}

fn fn_kwdefaults_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(func_of(v)
        .map(|f| f.kwdefaults.borrow().clone())
        .unwrap_or(Value::None))
}

fn fn_kwdefaults_set(_vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(f) = func_of(v) {
        *f.kwdefaults.borrow_mut() = x.unwrap_or(Value::None);
    }
    Ok(())
}

fn fn_code_get(vm: &mut Vm, v: &Value) -> PyResult {
    let Some(f) = func_of(v) else {
        return Ok(Value::None);
    };
    let c = f.code.clone();
    Ok(Value::Obj(vm.alloc(ObjKind::Code(c))))
}

fn fn_globals_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(func_of(v)
        .map(|f| Value::Obj(f.globals.clone()))
        .unwrap_or(Value::None))
}

fn fn_closure_get(vm: &mut Vm, v: &Value) -> PyResult {
    let Some(f) = func_of(v) else {
        return Ok(Value::None);
    };
    if f.closure.is_empty() {
        return Ok(Value::None);
    }
    let cells: Vec<Value> = f.closure.iter().map(|c| Value::Obj(c.clone())).collect();
    Ok(vm.new_tuple(cells))
}

fn fn_get(vm: &mut Vm, args: Args) -> PyResult {
    let f = args.pos[0].clone();
    let obj = args.pos.get(1).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        return Ok(f);
    }
    Ok(Value::Obj(
        vm.alloc(ObjKind::BoundMethod(Box::new((f, obj)))),
    ))
}

fn fn_call(vm: &mut Vm, args: Args) -> PyResult {
    let f = args.pos[0].clone();
    let kw: Vec<(String, Value)> = args
        .kwnames
        .iter()
        .zip(args.kwvalues)
        .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), v.clone()))
        .collect();
    let kw: Vec<(&str, Value)> = kw.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    vm.call_kw(&f, &args.pos[1..], &kw)
}

fn method_parts(v: &Value) -> (Value, Value) {
    match v.kind() {
        Some(ObjKind::BoundMethod(m)) => (m.0.clone(), m.1.clone()),
        _ => (Value::None, Value::None),
    }
}

fn method_func(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(method_parts(v).0)
}

fn method_self(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(method_parts(v).1)
}

fn method_name(vm: &mut Vm, v: &Value) -> PyResult {
    let f = method_parts(v).0;
    vm.getattr_str(&f, "__name__")
}

fn method_qualname(vm: &mut Vm, v: &Value) -> PyResult {
    let f = method_parts(v).0;
    vm.getattr_str(&f, "__qualname__")
}

fn method_doc(vm: &mut Vm, v: &Value) -> PyResult {
    let f = method_parts(v).0;
    Ok(vm.getattr_opt(&f, "__doc__")?.unwrap_or(Value::None))
}

fn method_eq(vm: &mut Vm, args: Args) -> PyResult {
    let (f1, s1) = method_parts(&args.pos[0]);
    if !matches!(args.pos[1].kind(), Some(ObjKind::BoundMethod(_))) {
        return Ok(vm.not_implemented());
    }
    let (f2, s2) = method_parts(&args.pos[1]);
    Ok(Value::from_bool(f1.is(&f2) && s1.is(&s2)))
}

fn method_hash(vm: &mut Vm, args: Args) -> PyResult {
    let (f, s) = method_parts(&args.pos[0]);
    let a = vm.hash(&f)?;
    let b = crate::hash::hash_pointer(s.identity());
    Ok(Value::Int(a ^ b))
}

fn native_name(vm: &mut Vm, v: &Value) -> PyResult {
    match v.kind() {
        Some(ObjKind::Native(n)) => {
            let s = n.name.to_string();
            Ok(vm.new_str(s))
        }
        _ => Ok(Value::None),
    }
}

/// `__qualname__` of a builtin: `list.append` for a method of a builtin type.
fn native_qualname(vm: &mut Vm, v: &Value) -> PyResult {
    match v.kind() {
        Some(ObjKind::Native(n)) => {
            let s = match n.owner.as_ref().and_then(|o| o.as_type()) {
                Some(t) => format!("{}.{}", t.name.borrow(), n.name),
                None => n.name.to_string(),
            };
            Ok(vm.new_str(s))
        }
        _ => Ok(Value::None),
    }
}

fn native_self(_vm: &mut Vm, v: &Value) -> PyResult {
    match v.kind() {
        Some(ObjKind::Native(n)) if !n.bound.is_null() => Ok(n.bound.clone()),
        _ => Ok(Value::None),
    }
}

fn native_doc(vm: &mut Vm, v: &Value) -> PyResult {
    match v.kind() {
        Some(ObjKind::Native(n)) => match n.doc {
            Some(d) => Ok(vm.new_str(d)),
            None => Ok(Value::None),
        },
        _ => Ok(Value::None),
    }
}

fn property_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [fget, fset, fdel, doc] = rest.bind(vm, "property", ["fget", "fset", "fdel", "doc"], 0)?;
    let doc = match doc {
        Some(d) if !d.is_none() => d,
        _ => match &fget {
            Some(f) if !f.is_none() => vm.getattr_opt(f, "__doc__")?.unwrap_or(Value::None),
            _ => Value::None,
        },
    };
    let p = Property {
        fget: fget.unwrap_or(Value::None),
        fset: fset.unwrap_or(Value::None),
        fdel: fdel.unwrap_or(Value::None),
        doc,
    };
    Ok(Value::Obj(vm.alloc(ObjKind::Property(Box::new(p)))))
}

fn prop_of(v: &Value) -> Option<&Property> {
    match v.kind()? {
        ObjKind::Property(p) => Some(p),
        _ => None,
    }
}

fn prop_copy(vm: &mut Vm, args: &Args, which: usize) -> PyResult {
    let Some(p) = prop_of(&args.pos[0]) else {
        return Ok(Value::None);
    };
    let f = args.pos.get(1).cloned().unwrap_or(Value::None);
    let mut parts = [p.fget.clone(), p.fset.clone(), p.fdel.clone()];
    parts[which] = f;
    let doc = if which == 0 && p.doc.is_none() {
        vm.getattr_opt(&parts[0], "__doc__")?.unwrap_or(Value::None)
    } else {
        p.doc.clone()
    };
    let [fget, fset, fdel] = parts;
    let np = Property {
        fget,
        fset,
        fdel,
        doc,
    };
    Ok(Value::Obj(vm.alloc(ObjKind::Property(Box::new(np)))))
}

fn prop_getter(vm: &mut Vm, args: Args) -> PyResult {
    prop_copy(vm, &args, 0)
}

fn prop_setter(vm: &mut Vm, args: Args) -> PyResult {
    prop_copy(vm, &args, 1)
}

fn prop_deleter(vm: &mut Vm, args: Args) -> PyResult {
    prop_copy(vm, &args, 2)
}

fn prop_get(vm: &mut Vm, args: Args) -> PyResult {
    let obj = args.pos.get(1).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        return Ok(args.pos[0].clone());
    }
    let Some(p) = prop_of(&args.pos[0]) else {
        return Ok(Value::None);
    };
    let f = p.fget.clone();
    vm.call(&f, &[obj])
}

fn prop_set(vm: &mut Vm, args: Args) -> PyResult {
    let Some(p) = prop_of(&args.pos[0]) else {
        return Ok(Value::None);
    };
    let f = p.fset.clone();
    vm.call(&f, &[args.pos[1].clone(), args.pos[2].clone()])?;
    Ok(Value::None)
}

fn prop_field(i: usize) -> crate::vm::object::Getter {
    match i {
        0 => |_vm, v| Ok(prop_of(v).map(|p| p.fget.clone()).unwrap_or(Value::None)),
        1 => |_vm, v| Ok(prop_of(v).map(|p| p.fset.clone()).unwrap_or(Value::None)),
        2 => |_vm, v| Ok(prop_of(v).map(|p| p.fdel.clone()).unwrap_or(Value::None)),
        _ => |_vm, v| Ok(prop_of(v).map(|p| p.doc.clone()).unwrap_or(Value::None)),
    }
}

fn staticmethod_new(vm: &mut Vm, args: Args) -> PyResult {
    let f = args.pos.get(1).cloned().unwrap_or(Value::None);
    Ok(Value::Obj(vm.alloc(ObjKind::StaticMethod(f))))
}

fn classmethod_new(vm: &mut Vm, args: Args) -> PyResult {
    let f = args.pos.get(1).cloned().unwrap_or(Value::None);
    Ok(Value::Obj(vm.alloc(ObjKind::ClassMethod(f))))
}

fn wrapped_func(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(match v.kind() {
        Some(ObjKind::StaticMethod(f)) | Some(ObjKind::ClassMethod(f)) => f.clone(),
        _ => Value::None,
    })
}

fn staticmethod_get(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(match args.pos[0].kind() {
        Some(ObjKind::StaticMethod(f)) => f.clone(),
        _ => Value::None,
    })
}

fn classmethod_get(vm: &mut Vm, args: Args) -> PyResult {
    let f = match args.pos[0].kind() {
        Some(ObjKind::ClassMethod(f)) => f.clone(),
        _ => return Ok(Value::None),
    };
    let owner = match args.pos.get(2) {
        Some(o) if !o.is_none() => o.clone(),
        _ => {
            let obj = args.pos.get(1).cloned().unwrap_or(Value::None);
            Value::Obj(vm.type_of(&obj).clone())
        }
    };
    Ok(Value::Obj(
        vm.alloc(ObjKind::BoundMethod(Box::new((f, owner)))),
    ))
}

fn none_repr(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(vm.intern("None"))
}

fn none_bool(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::FALSE)
}

fn none_new(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() > 1 {
        return Err(vm.type_error("NoneType takes no arguments".into()));
    }
    Ok(Value::None)
}

fn module_new(vm: &mut Vm, args: Args) -> PyResult {
    let name = args
        .pos
        .get(1)
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string();
    let m = vm.new_module(&name);
    if let Some(doc) = args.pos.get(2) {
        if let ObjKind::Module(mo) = &m.kind {
            let d = mo.dict.clone();
            vm.dict_set_str(&d, "__doc__", doc.clone());
        }
    }
    Ok(Value::Obj(m))
}

fn module_repr(vm: &mut Vm, args: Args) -> PyResult {
    let Some(ObjKind::Module(m)) = args.pos[0].kind() else {
        return Ok(Value::None);
    };
    let d = m.dict.clone();
    let name = m.name.to_string();
    let s = match vm
        .dict_get_str(&d, "__file__")
        .and_then(|f| f.as_str().map(String::from))
    {
        Some(f) => format!("<module '{name}' from '{f}'>"),
        None => format!("<module '{name}' (built-in)>"),
    };
    Ok(vm.new_str(s))
}

fn module_dict(_vm: &mut Vm, v: &Value) -> PyResult {
    match v.kind() {
        Some(ObjKind::Module(m)) => Ok(Value::Obj(m.dict.clone())),
        _ => Ok(Value::None),
    }
}

fn cell_contents(vm: &mut Vm, v: &Value) -> PyResult {
    let c = crate::vm::dispatch::cell_get(v);
    if c.is_null() {
        return Err(vm.value_error("Cell is empty".into()));
    }
    Ok(c)
}

fn code_of(v: &Value) -> Option<&std::rc::Rc<crate::compile::code::Code>> {
    match v.kind()? {
        ObjKind::Code(c) => Some(c),
        _ => None,
    }
}

fn code_name(vm: &mut Vm, v: &Value) -> PyResult {
    let n = code_of(v).map(|c| c.name.to_string()).unwrap_or_default();
    Ok(vm.new_str(n))
}

fn code_filename(vm: &mut Vm, v: &Value) -> PyResult {
    let n = code_of(v).map(|c| c.file.name.clone()).unwrap_or_default();
    Ok(vm.new_str(n))
}

fn code_firstlineno(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(
        code_of(v).map(|c| c.first_line as i64).unwrap_or(0),
    ))
}

fn code_argcount(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(
        code_of(v).map(|c| c.argcount as i64).unwrap_or(0),
    ))
}

fn code_varnames(vm: &mut Vm, v: &Value) -> PyResult {
    let names: Vec<Value> = code_of(v)
        .map(|c| c.varnames[..c.nlocals as usize].to_vec())
        .unwrap_or_default();
    Ok(vm.new_tuple(names))
}

fn code_flags(_vm: &mut Vm, v: &Value) -> PyResult {
    let Some(c) = code_of(v) else {
        return Ok(Value::Int(0));
    };
    let f = c.flags;
    let mut n = 0;
    if f.varargs {
        n |= 0x04;
    }
    if f.varkeywords {
        n |= 0x08;
    }
    if f.generator {
        n |= 0x20;
    }
    if f.coroutine {
        n |= 0x80;
    }
    if f.async_generator {
        n |= 0x200;
    }
    Ok(Value::Int(n))
}

/// Installs the callable and singleton types.
pub fn init(vm: &mut Vm) {
    let f = vm.types.function.clone();
    vm.add_getset(&f, "__name__", fn_name_get, Some(fn_name_set));
    vm.add_getset(&f, "__qualname__", fn_qualname_get, Some(fn_qualname_set));
    vm.add_getset(&f, "__defaults__", fn_defaults_get, Some(fn_defaults_set));
    vm.add_getset(
        &f,
        "__kwdefaults__",
        fn_kwdefaults_get,
        Some(fn_kwdefaults_set),
    );
    vm.add_getset(&f, "__code__", fn_code_get, None);
    vm.add_getset(&f, "__globals__", fn_globals_get, None);
    vm.add_getset(&f, "__closure__", fn_closure_get, None);
    vm.add_getset(
        &f,
        "__dict__",
        |vm, v| match v.as_obj().and_then(|o| o.attrs()) {
            Some(a) => Ok(Value::Obj(vm.materialize_attrs(a)?)),
            None => Ok(Value::None),
        },
        None,
    );
    vm.add_method(&f, "__get__", fn_get);
    vm.add_method(&f, "__call__", fn_call);

    let m = vm.types.method.clone();
    vm.add_getset(&m, "__func__", method_func, None);
    vm.add_getset(&m, "__self__", method_self, None);
    vm.add_getset(&m, "__name__", method_name, None);
    vm.add_getset(&m, "__qualname__", method_qualname, None);
    vm.add_getset(&m, "__doc__", method_doc, None);
    vm.add_method(&m, "__eq__", method_eq);
    vm.add_method(&m, "__hash__", method_hash);
    vm.add_method(&m, "__call__", fn_call);

    let b = vm.types.builtin_function.clone();
    vm.add_getset(&b, "__name__", native_name, None);
    vm.add_getset(&b, "__qualname__", native_qualname, None);
    vm.add_getset(&b, "__self__", native_self, None);
    vm.add_getset(&b, "__doc__", native_doc, None);
    vm.add_method(&b, "__call__", fn_call);

    let p = vm.types.property.clone();
    vm.add_staticmethod(&p, "__new__", property_new);
    vm.add_method(&p, "getter", prop_getter);
    vm.add_method(&p, "setter", prop_setter);
    vm.add_method(&p, "deleter", prop_deleter);
    vm.add_method(&p, "__get__", prop_get);
    vm.add_method(&p, "__set__", prop_set);
    vm.add_getset(&p, "fget", prop_field(0), None);
    vm.add_getset(&p, "fset", prop_field(1), None);
    vm.add_getset(&p, "fdel", prop_field(2), None);
    vm.add_getset(&p, "__doc__", prop_field(3), None);

    let sm = vm.types.staticmethod.clone();
    vm.add_staticmethod(&sm, "__new__", staticmethod_new);
    vm.add_getset(&sm, "__func__", wrapped_func, None);
    vm.add_getset(&sm, "__wrapped__", wrapped_func, None);
    vm.add_method(&sm, "__get__", staticmethod_get);
    let cm = vm.types.classmethod.clone();
    vm.add_staticmethod(&cm, "__new__", classmethod_new);
    vm.add_getset(&cm, "__func__", wrapped_func, None);
    vm.add_getset(&cm, "__wrapped__", wrapped_func, None);
    vm.add_method(&cm, "__get__", classmethod_get);

    let none = vm.types.none.clone();
    vm.add_staticmethod(&none, "__new__", none_new);
    vm.add_method(&none, "__repr__", none_repr);
    vm.add_method(&none, "__bool__", none_bool);

    let module = vm.types.module.clone();
    vm.add_staticmethod(&module, "__new__", module_new);
    vm.add_method(&module, "__repr__", module_repr);
    vm.add_getset(&module, "__dict__", module_dict, None);

    let cell = vm.types.cell.clone();
    vm.add_getset(&cell, "cell_contents", cell_contents, None);

    let code = vm.types.code.clone();
    vm.add_getset(&code, "co_name", code_name, None);
    vm.add_getset(&code, "co_qualname", code_name, None);
    vm.add_getset(&code, "co_filename", code_filename, None);
    vm.add_getset(&code, "co_firstlineno", code_firstlineno, None);
    vm.add_getset(&code, "co_argcount", code_argcount, None);
    vm.add_getset(&code, "co_varnames", code_varnames, None);
    vm.add_getset(&code, "co_flags", code_flags, None);
    let _ = (Attrs::new(), std::mem::size_of::<ModuleObj>());
}
