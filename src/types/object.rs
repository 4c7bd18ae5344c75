//! `object`, `type` and `super`: the root of the object model, class creation and the
//! cooperative method lookup.
//! Invariant: every class has exactly one base (single inheritance); its `mro` is the chain
//! of bases up to `object`.

use crate::vm::object::{Args, Attrs, Layout, ObjKind, TypeObj};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

fn object_new(vm: &mut Vm, args: Args) -> PyResult {
    let Some(first) = args.pos.first() else {
        return Err(vm.type_error("object.__new__(): not enough arguments".into()));
    };
    let cls = match first {
        Value::Obj(o) if o.as_type().is_some() => o,
        _ => {
            let msg = format!(
                "object.__new__(X): X is not a type object ({})",
                vm.type_name(first)
            );
            return Err(vm.type_error(msg));
        }
    };
    if cls.as_type().is_none() {
        let msg = format!(
            "object.__new__(X): X is not a type object ({})",
            vm.type_name(&args.pos[0])
        );
        return Err(vm.type_error(msg));
    }
    let excess = args.pos.len() > 1 || !args.kwnames.is_empty();
    if excess {
        let init = vm.intern("__init__");
        let object = vm.types.object.clone();
        let own_init = vm.lookup_type(cls, &init);
        let object_init = vm.type_dict_get(&object, &init);
        let init_overridden = match (&own_init, &object_init) {
            (Some(a), Some(b)) => !a.is(b),
            _ => false,
        };
        if !init_overridden {
            let name = cls
                .as_type()
                .map(|t| t.name.borrow().to_string())
                .unwrap_or_default();
            return Err(vm.type_error(format!("{name}() takes no arguments")));
        }
    }
    Ok(Value::Obj(vm.new_instance(cls)?))
}

fn object_init(vm: &mut Vm, args: Args) -> PyResult {
    let excess = args.pos.len() > 1 || !args.kwnames.is_empty();
    if excess {
        let this = args.pos[0].clone();
        let ty = vm.type_of(&this).clone();
        let new = vm.intern("__new__");
        let init = vm.intern("__init__");
        let object = vm.types.object.clone();
        let own_new = vm.lookup_type(&ty, &new);
        let object_new = vm.type_dict_get(&object, &new);
        let own_init = vm.lookup_type(&ty, &init);
        let object_init = vm.type_dict_get(&object, &init);
        let new_overridden = !matches!((&own_new, &object_new), (Some(a), Some(b)) if a.is(b));
        let init_overridden = !matches!((&own_init, &object_init), (Some(a), Some(b)) if a.is(b));
        if init_overridden {
            return Err(vm.type_error(
                "object.__init__() takes exactly one argument (the instance to initialize)".into(),
            ));
        }
        if !new_overridden {
            let name = vm.type_name(&this);
            return Err(vm.type_error(format!("{name}() takes no arguments")));
        }
    }
    Ok(Value::None)
}

fn object_eq(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos[0].is(&args.pos[1]) {
        Ok(Value::TRUE)
    } else {
        Ok(vm.not_implemented())
    }
}

fn object_ne(vm: &mut Vm, args: Args) -> PyResult {
    // object.__ne__ calls the type's own __eq__ (no reflection) and inverts the result
    // unless it is NotImplemented.
    let ty = vm.type_of(&args.pos[0]).clone();
    let n = vm.intern("__eq__");
    let Some(f) = vm.lookup_type(&ty, &n) else {
        return Ok(vm.not_implemented());
    };
    let f = vm.bind_descriptor(f, &args.pos[0], &ty)?;
    let r = vm.call(&f, &[args.pos[1].clone()])?;
    if vm.is_not_implemented(&r) {
        return Ok(r);
    }
    Ok(Value::from_bool(!vm.truthy(&r)?))
}

fn object_not_implemented(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(vm.not_implemented())
}

fn object_hash(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(crate::hash::hash_pointer(
        args.pos[0].identity(),
    )))
}

fn object_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = vm.default_repr(&args.pos[0]);
    Ok(vm.new_str(s))
}

fn object_str(vm: &mut Vm, args: Args) -> PyResult {
    let s = vm.repr(&args.pos[0])?;
    Ok(vm.new_str(s))
}

fn object_format(vm: &mut Vm, args: Args) -> PyResult {
    let spec = args.pos.get(1).and_then(|s| s.as_str()).unwrap_or("");
    if !spec.is_empty() {
        let msg = format!(
            "unsupported format string passed to {}.__format__",
            vm.type_name(&args.pos[0])
        );
        return Err(vm.type_error(msg));
    }
    vm.str_value(&args.pos[0])
}

fn object_getattribute(vm: &mut Vm, args: Args) -> PyResult {
    let ty = vm.type_of(&args.pos[0]).clone();
    vm.object_getattribute(&args.pos[0], &args.pos[1], &ty)
}

fn object_setattr(vm: &mut Vm, args: Args) -> PyResult {
    vm.generic_setattr(&args.pos[0], &args.pos[1], Some(args.pos[2].clone()))?;
    Ok(Value::None)
}

fn object_delattr(vm: &mut Vm, args: Args) -> PyResult {
    vm.generic_setattr(&args.pos[0], &args.pos[1], None)?;
    Ok(Value::None)
}

fn object_dir(vm: &mut Vm, args: Args) -> PyResult {
    let names = vm.dir_of(&args.pos[0])?;
    Ok(vm.new_list(names))
}

fn object_init_subclass(vm: &mut Vm, args: Args) -> PyResult {
    if !args.kwnames.is_empty() {
        let name = match args.pos.first() {
            Some(Value::Obj(o)) => o
                .as_type()
                .map(|t| t.qualname.borrow().to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let msg = format!("{name}.__init_subclass__() takes no keyword arguments");
        return Err(vm.type_error(msg));
    }
    Ok(Value::None)
}

fn get_class(vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Obj(vm.type_of(v).clone()))
}

fn get_dict(vm: &mut Vm, v: &Value) -> PyResult {
    match v {
        Value::Obj(o) => match o.attrs() {
            Some(a) => Ok(Value::Obj(vm.materialize_attrs(a)?)),
            None => {
                let n = vm.intern("__dict__");
                Err(vm.no_attribute(v, &n))
            }
        },
        _ => {
            let n = vm.intern("__dict__");
            Err(vm.no_attribute(v, &n))
        }
    }
}

impl Vm {
    /// `dir(obj)`: sorted attribute names.
    pub fn dir_of(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        let mut names: Vec<String> = Vec::new();
        if let Value::Obj(o) = v {
            if let Some(a) = o.attrs() {
                let d = self.materialize_attrs(a)?;
                for (k, _) in self.dict_items(&d) {
                    if let Some(s) = k.as_str() {
                        names.push(s.to_string());
                    }
                }
            }
            if let ObjKind::Module(m) = &o.kind {
                let d = m.dict.clone();
                for (k, _) in self.dict_items(&d) {
                    if let Some(s) = k.as_str() {
                        names.push(s.to_string());
                    }
                }
                names.sort();
                names.dedup();
                return Ok(names.into_iter().map(|n| self.new_str(n)).collect());
            }
        }
        let ty = match v {
            Value::Obj(o) if o.as_type().is_some() => o.clone(),
            _ => self.type_of(v).clone(),
        };
        let mut chain = vec![ty.clone()];
        if let Some(t) = ty.as_type() {
            chain.extend(t.mro.iter().cloned());
        }
        for c in chain {
            if let Some(t) = c.as_type() {
                for (k, _) in t.dict.borrow().iter() {
                    if let Some(s) = k.as_str() {
                        names.push(s.to_string());
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names.into_iter().map(|n| self.new_str(n)).collect())
    }

    /// Creates a class from its executed body namespace (`BuildClass` completion).
    pub(crate) fn build_class(
        &mut self,
        name: Value,
        bases: Value,
        keywords: Value,
        ns: Value,
    ) -> PyResult {
        let Value::Obj(ns) = ns else {
            return Err(self.type_error("class namespace must be a dict".into()));
        };
        let bases: Vec<Value> = match bases.kind() {
            Some(ObjKind::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        let mut kwargs: Vec<(Value, Value)> = Vec::new();
        let mut abc_meta: Option<Value> = None;
        if let Some(ObjKind::Tuple(pairs)) = keywords.kind() {
            for p in pairs.iter() {
                if let Some(ObjKind::Tuple(kv)) = p.kind() {
                    if kv[0].as_str() == Some("metaclass") {
                        if self.accept_metaclass(&kv[1]) {
                            if !matches!(&kv[1], Value::Obj(o) if Rc::ptr_eq(o, &self.types.type_))
                            {
                                abc_meta = Some(kv[1].clone());
                            }
                            continue;
                        }
                        return Err(self.type_error("metaclasses are not supported by Aio".into()));
                    }
                    kwargs.push((kv[0].clone(), kv[1].clone()));
                }
            }
        }
        let base = match bases.len() {
            0 => self.types.object.clone(),
            1 => match &bases[0] {
                Value::Obj(o) if o.as_type().is_some() => o.clone(),
                other => {
                    let msg = format!("bases must be types, not {}", self.type_name(other));
                    return Err(self.type_error(msg));
                }
            },
            _ => return Err(self.type_error("multiple inheritance is not supported by Aio".into())),
        };
        let name_s = name.as_str().unwrap_or("?").to_string();
        let cls = self.new_class(&name_s, &base, &ns)?;
        let cls_v = Value::Obj(cls.clone());
        // __set_name__ hooks, then __init_subclass__ of the base.
        let entries = self.dict_items(&ns);
        for (k, v) in &entries {
            if let Value::Obj(o) = v {
                if o.class.is_some() {
                    let ty = self.type_of(v).clone();
                    let sn = self.intern("__set_name__");
                    if let Some(f) = self.lookup_type(&ty, &sn) {
                        self.call(&f, &[v.clone(), cls_v.clone(), k.clone()])?;
                    }
                }
            }
        }
        let isc = self.intern("__init_subclass__");
        let sup = Value::Obj(self.alloc(ObjKind::Super(Box::new((cls.clone(), cls_v.clone())))));
        let f = self.get_attr(&sup, &isc)?;
        let names: Vec<&str> = kwargs
            .iter()
            .map(|(k, _)| k.as_str().unwrap_or(""))
            .collect();
        let kw: Vec<(&str, Value)> = names
            .iter()
            .zip(kwargs.iter())
            .map(|(n, (_, v))| (*n, v.clone()))
            .collect();
        self.call_kw(&f, &[], &kw)?;
        if let Some(cell) = self.dict_get_str(&ns, "__classcell__") {
            crate::vm::dispatch::cell_set(&cell, cls_v.clone());
        }
        // The ABCMeta stand-in finishes the class as `ABCMeta.__new__` would, through the
        // same `_abc_init` step (abstract methods, registry, instance checks).
        if let Some(meta) = abc_meta {
            if let Some(init) = self.getattr_opt(&meta, "_abc_init")? {
                self.call(&init, std::slice::from_ref(&cls_v))?;
            }
        }
        Ok(cls_v)
    }

    /// `metaclass=...` is accepted only for the `abc.ABCMeta` stand-in.
    fn accept_metaclass(&mut self, m: &Value) -> bool {
        match m {
            Value::Obj(o) => {
                if let Some(t) = o.as_type() {
                    return t.name.borrow().as_ref() == "ABCMeta"
                        || std::rc::Rc::ptr_eq(o, &self.types.type_);
                }
                false
            }
            _ => false,
        }
    }

    /// A new class object with `base`, taking attributes from the namespace dict `ns`.
    pub fn new_class(&mut self, name: &str, base: &ObjRef, ns: &ObjRef) -> PyResult<ObjRef> {
        let bt = base.as_type().expect("base is a type");
        if bt.layout == Layout::Opaque {
            let bname = bt.name.borrow().to_string();
            if std::rc::Rc::ptr_eq(base, &self.types.type_) {
                return Err(self.type_error(
                    "metaclasses (subclasses of type) are not supported by Aio".into(),
                ));
            }
            return Err(self.type_error(format!("type '{bname}' is not an acceptable base type")));
        }
        let mut mro = vec![base.clone()];
        mro.extend(bt.mro.iter().cloned());
        let mut dict = crate::types::dict::Dict::new();
        let qualname = self
            .dict_get_str(ns, "__qualname__")
            .and_then(|q| q.as_str().map(String::from))
            .unwrap_or_else(|| name.to_string());
        let module = self.dict_get_str(ns, "__module__").unwrap_or(Value::None);
        let mut has_eq = false;
        let mut has_hash = false;
        for (k, v) in self.dict_items(ns) {
            let key = k.as_str().unwrap_or("").to_string();
            if key == "__qualname__" || key == "__classcell__" {
                continue;
            }
            has_eq |= key == "__eq__";
            has_hash |= key == "__hash__";
            let v = match (key.as_str(), v.kind()) {
                ("__new__", Some(ObjKind::Function(_))) => {
                    Value::Obj(self.alloc(ObjKind::StaticMethod(v.clone())))
                }
                ("__init_subclass__" | "__class_getitem__", Some(ObjKind::Function(_))) => {
                    Value::Obj(self.alloc(ObjKind::ClassMethod(v.clone())))
                }
                _ => v,
            };
            let hash = self.hash(&k)?;
            dict.insert_new(hash, k, v);
        }
        if has_eq && !has_hash {
            let k = self.intern("__hash__");
            let hash = self.str_hash(&k);
            dict.insert_new(hash, k, Value::None);
        }
        let t = TypeObj {
            name: RefCell::new(name.into()),
            qualname: RefCell::new(qualname.into()),
            module: RefCell::new(module),
            base: Some(base.clone()),
            mro,
            dict: RefCell::new(dict),
            layout: bt.layout,
            builtin: false,
            dotted: Cell::new(false),
            attr_hint: Cell::new(0),
            hooks: Cell::new(crate::vm::object::HOOKS_UNKNOWN),
            ctor: Default::default(),
            version: Cell::new(crate::vm::type_cache::fresh_type_version()),
            subclasses: Default::default(),
        };
        let cls = self.alloc(ObjKind::Type(Box::new(t)));
        crate::vm::type_cache::register_subclass(base, &cls);
        Ok(cls)
    }
}

fn type_new(vm: &mut Vm, args: Args) -> PyResult {
    let a = &args.pos[1..];
    match a {
        [x] => Ok(Value::Obj(vm.type_of(x).clone())),
        [name, bases, ns] => {
            let Some(n) = name.as_str() else {
                return Err(vm.type_error("type.__new__() argument 1 must be str".into()));
            };
            let n = n.to_string();
            let ns_obj = vm.new_dict_obj();
            for (k, v) in vm.mapping_items(ns)? {
                vm.dict_set(&ns_obj, k, v)?;
            }
            if vm.dict_get_str(&ns_obj, "__module__").is_none() {
                let m = vm.new_str("__main__");
                vm.dict_set_str(&ns_obj, "__module__", m);
            }
            let q = vm.new_str(n.clone());
            if vm.dict_get_str(&ns_obj, "__qualname__").is_none() {
                vm.dict_set_str(&ns_obj, "__qualname__", q);
            }
            vm.build_class(name.clone(), bases.clone(), Value::None, Value::Obj(ns_obj))
        }
        _ => Err(vm.type_error("type() takes 1 or 3 arguments".into())),
    }
}

fn this_type(v: &Value) -> Option<&TypeObj> {
    v.as_obj().and_then(|o| o.as_type())
}

fn type_name_get(vm: &mut Vm, v: &Value) -> PyResult {
    let n = this_type(v)
        .map(|t| t.name.borrow().to_string())
        .unwrap_or_default();
    Ok(vm.new_str(n))
}

fn type_name_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let Some(s) = x.as_ref().and_then(|x| x.as_str()) else {
        return Err(vm.type_error("can only assign string to __name__".into()));
    };
    if let Some(t) = this_type(v) {
        *t.name.borrow_mut() = s.into();
    }
    Ok(())
}

fn type_qualname_get(vm: &mut Vm, v: &Value) -> PyResult {
    let n = this_type(v)
        .map(|t| t.qualname.borrow().to_string())
        .unwrap_or_default();
    Ok(vm.new_str(n))
}

fn type_qualname_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let Some(s) = x.as_ref().and_then(|x| x.as_str()) else {
        return Err(vm.type_error("can only assign string to __qualname__".into()));
    };
    if let Some(t) = this_type(v) {
        *t.qualname.borrow_mut() = s.into();
    }
    Ok(())
}

fn type_module_get(vm: &mut Vm, v: &Value) -> PyResult {
    let Some(t) = this_type(v) else {
        return Ok(Value::None);
    };
    let m = t.module.borrow().clone();
    if m.is_none() && t.builtin {
        return Ok(vm.intern("builtins"));
    }
    if let Value::Obj(o) = v {
        let n = vm.intern("__module__");
        if let Some(d) = vm.type_dict_get(o, &n) {
            return Ok(d);
        }
    }
    Ok(m)
}

fn type_module_set(_vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(t) = this_type(v) {
        *t.module.borrow_mut() = x.unwrap_or(Value::None);
    }
    Ok(())
}

fn type_doc_get(vm: &mut Vm, v: &Value) -> PyResult {
    if let Value::Obj(o) = v {
        let n = vm.intern("__doc__");
        if let Some(d) = vm.type_dict_get(o, &n) {
            return Ok(d);
        }
    }
    Ok(Value::None)
}

fn type_mro_get(vm: &mut Vm, v: &Value) -> PyResult {
    let mut items = vec![v.clone()];
    if let Some(t) = this_type(v) {
        items.extend(t.mro.iter().map(|c| Value::Obj(c.clone())));
    }
    Ok(vm.new_tuple(items))
}

fn type_mro_m(vm: &mut Vm, args: Args) -> PyResult {
    let t = type_mro_get(vm, &args.pos[0])?;
    let items = vm.collect_iterable(&t)?;
    Ok(vm.new_list(items))
}

fn type_bases_get(vm: &mut Vm, v: &Value) -> PyResult {
    let items = match this_type(v).and_then(|t| t.base.clone()) {
        Some(b) => vec![Value::Obj(b)],
        None => Vec::new(),
    };
    Ok(vm.new_tuple(items))
}

fn type_base_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(match this_type(v).and_then(|t| t.base.clone()) {
        Some(b) => Value::Obj(b),
        None => Value::None,
    })
}

fn type_dict_get(vm: &mut Vm, v: &Value) -> PyResult {
    let d = vm.new_dict_obj();
    if let Some(t) = this_type(v) {
        let items: Vec<(Value, Value)> = t
            .dict
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, x) in items {
            vm.dict_set(&d, k, x)?;
        }
    }
    Ok(Value::Obj(d))
}

fn type_repr(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    let s = format!("<class '{}'>", vm.class_path(o));
    Ok(vm.new_str(s))
}

fn type_call(vm: &mut Vm, args: Args) -> PyResult {
    let cls = args.pos[0].clone();
    let mut all: Vec<Value> = args.pos[1..].to_vec();
    let mut names = Vec::new();
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        names.push(k.clone());
        all.push(v.clone());
    }
    let kw = if names.is_empty() {
        None
    } else {
        Some(vm.new_tuple(names))
    };
    let p = vm.prepare_call(cls, all.into_iter().collect(), kw)?;
    vm.run_prepared(p)
}

fn type_subclasses(vm: &mut Vm, args: Args) -> PyResult {
    let subs = match args.pos.first() {
        Some(Value::Obj(c)) => crate::vm::type_cache::live_subclasses(c),
        _ => Vec::new(),
    };
    Ok(vm.new_list(subs.into_iter().map(Value::Obj).collect()))
}

fn type_instancecheck(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(c) = &args.pos[0] else {
        return Ok(Value::FALSE);
    };
    Ok(Value::from_bool(vm.isinstance(&args.pos[1], c)))
}

fn type_subclasscheck(vm: &mut Vm, args: Args) -> PyResult {
    match (&args.pos[1], &args.pos[0]) {
        (Value::Obj(a), Value::Obj(b)) => Ok(Value::from_bool(vm.is_subclass(a, b))),
        _ => Ok(Value::FALSE),
    }
}

/// `super()` and `super(type, obj)`.
fn super_new(vm: &mut Vm, args: Args) -> PyResult {
    let a = &args.pos[1..];
    let (cls, obj) = match a {
        [] => zero_arg_super(vm)?,
        [t] => match t {
            Value::Obj(o) if o.as_type().is_some() => (o.clone(), Value::None),
            _ => return Err(vm.type_error("super() argument 1 must be a type".into())),
        },
        [t, o] => match t {
            Value::Obj(c) if c.as_type().is_some() => {
                let ok = match o {
                    Value::Obj(x) if x.as_type().is_some() => vm.is_subclass(x, c),
                    _ => vm.isinstance(o, c),
                };
                if !ok {
                    return Err(vm.type_error(
                        "super(type, obj): obj must be an instance or subtype of type".into(),
                    ));
                }
                (c.clone(), o.clone())
            }
            other => {
                let msg = format!(
                    "super() argument 1 must be a type, not {}",
                    vm.type_name(other)
                );
                return Err(vm.type_error(msg));
            }
        },
        _ => return Err(vm.type_error("super() takes at most 2 arguments".into())),
    };
    Ok(Value::Obj(vm.alloc(ObjKind::Super(Box::new((cls, obj))))))
}

fn zero_arg_super(vm: &mut Vm) -> PyResult<(ObjRef, Value)> {
    let Some(frame) = vm.fiber.last() else {
        return Err(vm.runtime_error("super(): no current frame".into()));
    };
    let code = frame.code.clone();
    if code.argcount == 0 {
        return Err(vm.runtime_error("super(): no arguments".into()));
    }
    let mut first = frame.locals[0].clone();
    // A first argument captured by a closure lives in its cell.
    for (i, src) in code.cell_from_arg.iter().enumerate() {
        if *src == Some(0) {
            first = crate::vm::dispatch::cell_get(&frame.locals[code.nlocals as usize + i]);
        }
    }
    let start = code.nlocals as usize;
    let class_slot =
        (start..code.nslots()).find(|&i| code.varnames[i].as_str() == Some("__class__"));
    let Some(slot) = class_slot else {
        return Err(vm.runtime_error("super(): __class__ cell not found".into()));
    };
    let cls = crate::vm::dispatch::cell_get(&frame.locals[slot]);
    if first.is_null() {
        return Err(vm.runtime_error("super(): arg[0] deleted".into()));
    }
    match cls {
        Value::Obj(c) if c.as_type().is_some() => Ok((c, first)),
        _ => Err(vm.runtime_error("super(): empty __class__ cell".into())),
    }
}

fn super_repr(vm: &mut Vm, args: Args) -> PyResult {
    let Some(ObjKind::Super(s)) = args.pos[0].kind() else {
        return Ok(Value::None);
    };
    let (c, o) = (s.0.clone(), s.1.clone());
    let cname = c
        .as_type()
        .map(|t| t.name.borrow().to_string())
        .unwrap_or_default();
    let oname = vm.type_name(&o);
    let s = format!("<super: <class '{cname}'>, <{oname} object>>");
    Ok(vm.new_str(s))
}

/// Installs object, type and super.
pub fn init(vm: &mut Vm) {
    let object = vm.types.object.clone();
    vm.add_staticmethod(&object, "__new__", object_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("__init__", object_init),
        ("__eq__", object_eq),
        ("__ne__", object_ne),
        ("__lt__", object_not_implemented),
        ("__le__", object_not_implemented),
        ("__gt__", object_not_implemented),
        ("__ge__", object_not_implemented),
        ("__hash__", object_hash),
        ("__repr__", object_repr),
        ("__str__", object_str),
        ("__format__", object_format),
        ("__getattribute__", object_getattribute),
        ("__setattr__", object_setattr),
        ("__delattr__", object_delattr),
        ("__dir__", object_dir),
    ];
    for (name, f) in methods {
        vm.add_method(&object, name, *f);
    }
    vm.add_classmethod(&object, "__init_subclass__", object_init_subclass);
    vm.add_getset(&object, "__class__", get_class, None);
    vm.add_getset(&object, "__dict__", get_dict, None);
    let doc = vm.new_str("The base class of the class hierarchy.");
    vm.type_dict_set(&object, "__doc__", doc);

    let t = vm.types.type_.clone();
    vm.add_staticmethod(&t, "__new__", type_new);
    vm.add_method(&t, "__repr__", type_repr);
    vm.add_method(&t, "__call__", type_call);
    vm.add_method(&t, "mro", type_mro_m);
    vm.add_method(&t, "__subclasses__", type_subclasses);
    vm.add_method(&t, "__instancecheck__", type_instancecheck);
    vm.add_method(&t, "__subclasscheck__", type_subclasscheck);
    vm.add_getset(&t, "__name__", type_name_get, Some(type_name_set));
    vm.add_getset(
        &t,
        "__qualname__",
        type_qualname_get,
        Some(type_qualname_set),
    );
    vm.add_getset(&t, "__module__", type_module_get, Some(type_module_set));
    vm.add_getset(&t, "__doc__", type_doc_get, None);
    vm.add_getset(&t, "__mro__", type_mro_get, None);
    vm.add_getset(&t, "__bases__", type_bases_get, None);
    vm.add_getset(&t, "__base__", type_base_get, None);
    vm.add_getset(&t, "__dict__", type_dict_get, None);

    let s = vm.types.super_.clone();
    vm.add_staticmethod(&s, "__new__", super_new);
    vm.add_method(&s, "__repr__", super_repr);
    let _ = (Attrs::new(), Rc::new(()));
}
