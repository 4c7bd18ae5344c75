//! `tuple`: an immutable sequence.
//! Invariant: the empty tuple is a shared singleton (`Vm::empty_tuple`).

use super::list::{cannot_multiply, repeat_count, seq_repr};
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, NativeIter, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::Cell;

fn items(v: &Value) -> &[Value] {
    match v.kind() {
        Some(ObjKind::Tuple(t)) => t,
        _ => &[],
    }
}

/// `tuple + tuple`, `tuple * n`.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match op {
        BinOp::Add => {
            if !matches!(b.kind(), Some(ObjKind::Tuple(_))) {
                let msg = format!(
                    "can only concatenate tuple (not \"{}\") to tuple",
                    vm.type_name(b)
                );
                return Some(Err(vm.type_error(msg)));
            }
            let mut out = items(a).to_vec();
            out.extend(items(b).iter().cloned());
            Some(Ok(vm.new_tuple(out)))
        }
        BinOp::Mult => {
            let (seq, n) = if matches!(a.kind(), Some(ObjKind::Tuple(_))) {
                (a, b)
            } else {
                (b, a)
            };
            let count = match repeat_count(vm, n, "tuple") {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(cannot_multiply(vm, n))),
            };
            if count == 1 && seq.as_obj().is_some_and(|o| o.class.is_none()) {
                return Some(Ok(seq.clone()));
            }
            let src = items(seq);
            let mut out = Vec::with_capacity(src.len() * count);
            for _ in 0..count {
                out.extend(src.iter().cloned());
            }
            Some(Ok(vm.new_tuple(out)))
        }
        _ => None,
    }
}

/// `tuple[i]`, `tuple[a:b:c]`.
pub fn getitem(vm: &mut Vm, t: &Value, key: &Value) -> PyResult {
    let src = items(t);
    if let Some(i) = key.as_i64() {
        return match vm.norm_index(i, src.len()) {
            Some(i) => Ok(src[i].clone()),
            None => Err(vm.index_error("tuple index out of range".into())),
        };
    }
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let s = vm.slice_indices(key, src.len())?;
        if s.step == 1 && s.len == src.len() && t.as_obj().is_some_and(|o| o.class.is_none()) {
            return Ok(t.clone());
        }
        let out: Vec<Value> = s.indices().map(|i| src[i].clone()).collect();
        return Ok(vm.new_tuple(out));
    }
    match vm.index_value(key) {
        Ok(i) => getitem(vm, t, &Value::Int(i)),
        Err(_) => {
            let msg = format!(
                "tuple indices must be integers or slices, not {}",
                vm.type_name(key)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// `repr(tuple)`: `(1,)`, `()`.
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    seq_repr(vm, v, "(", ")", true)
}

fn tuple_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "tuple")?;
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("tuple expected at most 1 argument, got {n}")));
    }
    let cls = args.pos[0].clone();
    let v = match args.pos.get(1) {
        Some(it) => {
            if matches!(it.kind(), Some(ObjKind::Tuple(_)))
                && it.as_obj().is_some_and(|o| o.class.is_none())
            {
                it.clone()
            } else {
                let items = vm.collect_iterable(it)?;
                vm.new_tuple(items)
            }
        }
        None => vm.empty_tuple.clone(),
    };
    if let Value::Obj(c) = &cls {
        if !std::rc::Rc::ptr_eq(c, &vm.types.tuple) {
            let items = items(&v).to_vec();
            return Ok(Value::Obj(vm.alloc_instance(
                c.clone(),
                ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
                    attrs: Default::default(),
                    base: ObjKind::Tuple(items.into_boxed_slice()),
                })),
            )));
        }
    }
    Ok(v)
}

fn index(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "index", 1, 3)?;
    let src = items(&args.pos[0]).to_vec();
    let len = src.len() as i64;
    let clamp = |vm: &mut Vm, v: Option<&Value>, d: i64| -> PyResult<usize> {
        Ok(match v {
            None => d,
            Some(v) => {
                let i = vm.index_value(v)?;
                if i < 0 {
                    (i + len).max(0)
                } else {
                    i.min(len)
                }
            }
        } as usize)
    };
    let start = clamp(vm, args.pos.get(2), 0)?;
    let stop = clamp(vm, args.pos.get(3), len)?;
    for (i, x) in src.iter().enumerate().take(stop).skip(start) {
        if x.is(&args.pos[1]) || vm.eq(x, &args.pos[1])? {
            return Ok(Value::Int(i as i64));
        }
    }
    Err(vm.value_error("tuple.index(x): x not in tuple".into()))
}

fn count(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "tuple.count", 1, 1)?;
    let src = items(&args.pos[0]).to_vec();
    let mut n = 0;
    for x in &src {
        if x.is(&args.pos[1]) || vm.eq(x, &args.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(items(&args.pos[0]).len() as i64))
}

fn getitem_m(vm: &mut Vm, args: Args) -> PyResult {
    getitem(vm, &args.pos[0], &args.pos[1])
}

fn contains_m(vm: &mut Vm, args: Args) -> PyResult {
    let src = items(&args.pos[0]).to_vec();
    for x in &src {
        if x.is(&args.pos[1]) || vm.eq(x, &args.pos[1])? {
            return Ok(Value::TRUE);
        }
    }
    Ok(Value::FALSE)
}

fn iter_m(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
        NativeIter::Seq {
            seq: o.clone(),
            idx: Cell::new(0),
        },
    )))))
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

fn hash_m(vm: &mut Vm, args: Args) -> PyResult {
    let src = items(&args.pos[0]).to_vec();
    let mut h = crate::hash::TupleHasher::new();
    for x in &src {
        h.push(vm.hash(x)?);
    }
    Ok(Value::Int(h.finish()))
}

fn add_m(vm: &mut Vm, args: Args) -> PyResult {
    if !matches!(args.pos[1].kind(), Some(ObjKind::Tuple(_))) {
        return Ok(vm.not_implemented());
    }
    binop(vm, BinOp::Add, &args.pos[0], &args.pos[1]).unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn mul_m(vm: &mut Vm, args: Args) -> PyResult {
    if repeat_count(vm, &args.pos[1], "tuple").is_none() {
        return Ok(vm.not_implemented());
    }
    binop(vm, BinOp::Mult, &args.pos[0], &args.pos[1]).unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn getnewargs(vm: &mut Vm, args: Args) -> PyResult {
    let t = items(&args.pos[0]).to_vec();
    let inner = vm.new_tuple(t);
    Ok(vm.new_tuple(vec![inner]))
}

macro_rules! tuple_cmp_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            if !matches!(args.pos[1].kind(), Some(ObjKind::Tuple(_))) {
                return Ok(vm.not_implemented());
            }
            Ok(Value::from_bool(super::sequence_compare(
                vm,
                $op,
                &args.pos[0],
                &args.pos[1],
            )?))
        }
    };
}

tuple_cmp_method!(eq, CmpKind::Eq);
tuple_cmp_method!(ne, CmpKind::Ne);
tuple_cmp_method!(lt, CmpKind::Lt);
tuple_cmp_method!(le, CmpKind::Le);
tuple_cmp_method!(gt, CmpKind::Gt);
tuple_cmp_method!(ge, CmpKind::Ge);

/// Installs tuple methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.tuple.clone();
    vm.add_staticmethod(&t, "__new__", tuple_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("index", index),
        ("count", count),
        ("__len__", len),
        ("__getitem__", getitem_m),
        ("__contains__", contains_m),
        ("__iter__", iter_m),
        ("__repr__", repr_m),
        ("__hash__", hash_m),
        ("__add__", add_m),
        ("__mul__", mul_m),
        ("__rmul__", mul_m),
        ("__getnewargs__", getnewargs),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    for (name, f) in methods {
        vm.add_method(&t, name, *f);
    }
}
