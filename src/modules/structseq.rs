//! Struct sequences: tuple subclasses with named fields, like CPython's `structseq`
//! (`time.struct_time`, `os.stat_result`).
//!
//! Invariant: the first `__match_args__` fields are the tuple items; any further fields are
//! stored as instance attributes and are not part of the tuple (as `tm_zone` is not).

use crate::vm::object::{Args, Layout, ObjKind, Property, Subclassed};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Creates a struct-sequence type `module.name` whose tuple items are `fields`.
/// `extra` names the fields that are attributes only (given as further sequence items).
pub fn new_type(vm: &mut Vm, module: &str, name: &str, fields: &[&str], extra: &[&str]) -> ObjRef {
    let tuple = vm.types.tuple.clone();
    let ty = make_type(name, Some(&tuple), Layout::Tuple, true);
    let m = vm.new_str(module);
    if let Some(t) = ty.as_type() {
        *t.module.borrow_mut() = m;
        t.dotted.set(true);
    }
    for (i, f) in fields.iter().enumerate() {
        let getter = vm.new_native_with(f, get_field, Value::Int(i as i64));
        let prop = Value::Obj(vm.alloc(ObjKind::Property(Box::new(Property {
            fget: getter,
            fset: Value::None,
            fdel: Value::None,
            doc: Value::None,
        }))));
        vm.type_dict_set(&ty, f, prop);
    }
    let names: Vec<Value> = fields.iter().map(|f| vm.new_str(*f)).collect();
    let names = vm.new_tuple(names);
    vm.type_dict_set(&ty, "__match_args__", names);
    vm.type_dict_set(&ty, "n_sequence_fields", Value::Int(fields.len() as i64));
    vm.type_dict_set(
        &ty,
        "n_fields",
        Value::Int((fields.len() + extra.len()) as i64),
    );
    let extra: Vec<Value> = extra.iter().map(|f| vm.new_str(*f)).collect();
    let extra = vm.new_tuple(extra);
    vm.type_dict_set(&ty, "_extra_fields", extra);
    vm.type_dict_set(&ty, "n_unnamed_fields", Value::Int(0));
    vm.add_method(&ty, "__repr__", repr);
    vm.add_staticmethod(&ty, "__new__", new);
    ty
}

/// An instance of a struct-sequence type: `items` are the tuple, `extra` named attributes.
pub fn instance(vm: &mut Vm, cls: &ObjRef, items: Vec<Value>, extra: &[(&str, Value)]) -> Value {
    let o = vm.alloc_instance(
        cls.clone(),
        ObjKind::Subclass(Box::new(Subclassed {
            attrs: Default::default(),
            base: ObjKind::Tuple(items.into_boxed_slice()),
        })),
    );
    if let Some(a) = o.attrs() {
        for (k, v) in extra {
            let k = vm.intern(k);
            let _ = vm.attrs_set(a, k, v.clone());
        }
    }
    Value::Obj(o)
}

fn items(v: &Value) -> Vec<Value> {
    match v.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

fn get_field(_vm: &mut Vm, args: Args) -> PyResult {
    let i = args.data.as_i64().unwrap_or(0) as usize;
    let it = args.pos.first().map(items).unwrap_or_default();
    Ok(it.get(i).cloned().unwrap_or(Value::None))
}

fn names(vm: &mut Vm, cls: &ObjRef, attr: &str) -> Vec<String> {
    let key = vm.intern(attr);
    match vm.lookup_type(cls, &key) {
        Some(v) => items(&v)
            .iter()
            .map(|f| f.as_str().unwrap_or("?").to_string())
            .collect(),
        None => Vec::new(),
    }
}

fn type_path(vm: &mut Vm, cls: &ObjRef) -> (String, Vec<String>) {
    let name = vm.class_path(cls);
    (name, names(vm, cls, "__match_args__"))
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let cls = vm.type_of(&me).clone();
    let (name, fields) = type_path(vm, &cls);
    let mut out = format!("{name}(");
    for (i, (f, v)) in fields.iter().zip(items(&me)).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let r = vm.repr(&v)?;
        out.push_str(f);
        out.push('=');
        out.push_str(&r);
    }
    out.push(')');
    Ok(vm.new_str(out))
}

/// `T(sequence)`: exactly as many items as there are fields.
fn new(vm: &mut Vm, args: Args) -> PyResult {
    let Some(Value::Obj(cls)) = args.pos.first().cloned() else {
        return Err(vm.type_error("structseq.__new__(): not enough arguments".into()));
    };
    let (name, fields) = type_path(vm, &cls);
    let seq = match (args.pos.get(1), args.kw("sequence")) {
        (Some(s), None) | (None, Some(s)) => s.clone(),
        _ => {
            return Err(vm.type_error(format!(
                "{name}() missing required argument 'sequence' (pos 1)"
            )))
        }
    };
    let vals = vm
        .collect_iterable(&seq)
        .map_err(|_| vm.type_error("constructor requires a sequence".into()))?;
    let extra = names(vm, &cls, "_extra_fields");
    let (n, max) = (fields.len(), fields.len() + extra.len());
    let got = vals.len();
    if got < n || got > max {
        let msg = if n == max {
            format!("{name}() takes a {n}-sequence ({got}-sequence given)")
        } else if got < n {
            format!("{name}() takes an at least {n}-sequence ({got}-sequence given)")
        } else {
            format!("{name}() takes an at most {max}-sequence ({got}-sequence given)")
        };
        return Err(vm.type_error(msg));
    }
    let mut vals = vals;
    let rest: Vec<Value> = vals.split_off(n);
    let extras: Vec<(&str, Value)> = extra
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), rest.get(i).cloned().unwrap_or(Value::None)))
        .collect();
    Ok(instance(vm, &cls, vals, &extras))
}
