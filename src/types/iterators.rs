//! The lazy builtin iterators (`enumerate`, `zip`, `map`, `filter`) and the `__iter__` /
//! `__next__` methods shared by every native iterator type.
//! Invariant: iterator state lives in `Cell`s; advancing never borrows across user calls.

use crate::vm::object::{Args, NativeIter, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::Cell;

fn make(vm: &mut Vm, it: NativeIter) -> Value {
    Value::Obj(vm.alloc(ObjKind::Iter(Box::new(it))))
}

fn enumerate_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [iterable, start] = rest.bind(vm, "enumerate", ["iterable", "start"], 1)?;
    let it = vm.get_iter(&iterable.expect("required"))?;
    let start = match start {
        Some(s) => vm.index_value(&s)?,
        None => 0,
    };
    Ok(make(
        vm,
        NativeIter::Enumerate {
            it,
            count: Cell::new(start),
        },
    ))
}

fn zip_new(vm: &mut Vm, args: Args) -> PyResult {
    let strict = match args.kw("strict") {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    for k in args.kwnames {
        if k.as_str() != Some("strict") {
            let n = k.as_str().unwrap_or("?").to_string();
            return Err(vm.type_error(format!("zip() got an unexpected keyword argument '{n}'")));
        }
    }
    let mut its = Vec::with_capacity(args.pos.len() - 1);
    for (i, a) in args.pos[1..].iter().enumerate() {
        match vm.get_iter(a) {
            Ok(it) => its.push(it),
            Err(e) if vm.exc_is(&e, "TypeError") => {
                let msg = format!("zip argument #{} must support iteration", i + 1);
                let _ = msg;
                return Err(e);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(make(
        vm,
        NativeIter::Zip {
            its: its.into_boxed_slice(),
            strict,
        },
    ))
}

fn map_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "map")?;
    if args.pos.len() < 3 {
        return Err(vm.type_error("map() must have at least two arguments.".into()));
    }
    let func = args.pos[1].clone();
    let mut its = Vec::new();
    for a in &args.pos[2..] {
        its.push(vm.get_iter(a)?);
    }
    Ok(make(
        vm,
        NativeIter::Map {
            func,
            its: its.into_boxed_slice(),
        },
    ))
}

fn filter_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "filter")?;
    if args.pos.len() != 3 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("filter expected 2 arguments, got {n}")));
    }
    let func = args.pos[1].clone();
    let it = vm.get_iter(&args.pos[2])?;
    Ok(make(vm, NativeIter::Filter { func, it }))
}

fn iter_self(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

fn iter_next(vm: &mut Vm, args: Args) -> PyResult {
    match vm.native_next(&args.pos[0])? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration(Value::None)),
    }
}

fn length_hint(vm: &mut Vm, args: Args) -> PyResult {
    let n = match args.pos[0].kind() {
        Some(ObjKind::Iter(it)) => match &**it {
            NativeIter::Seq { seq, idx } => {
                let len = match seq.payload() {
                    ObjKind::List(l) => l.borrow().len(),
                    ObjKind::Tuple(t) => t.len(),
                    _ => 0,
                };
                len.saturating_sub(idx.get()) as i64
            }
            NativeIter::Range { remaining, .. } => remaining.get(),
            _ => 0,
        },
        _ => 0,
    };
    let _ = vm;
    Ok(Value::Int(n))
}

/// Installs the iterator types.
pub fn init(vm: &mut Vm) {
    let e = vm.types.enumerate.clone();
    vm.add_staticmethod(&e, "__new__", enumerate_new);
    let z = vm.types.zip.clone();
    vm.add_staticmethod(&z, "__new__", zip_new);
    let m = vm.types.map.clone();
    vm.add_staticmethod(&m, "__new__", map_new);
    let f = vm.types.filter.clone();
    vm.add_staticmethod(&f, "__new__", filter_new);
    let all = [
        vm.types.enumerate.clone(),
        vm.types.zip.clone(),
        vm.types.map.clone(),
        vm.types.filter.clone(),
        vm.types.list_iterator.clone(),
        vm.types.list_reverseiterator.clone(),
        vm.types.tuple_iterator.clone(),
        vm.types.range_iterator.clone(),
        vm.types.str_iterator.clone(),
        vm.types.bytes_iterator.clone(),
        vm.types.dict_keyiterator.clone(),
        vm.types.dict_valueiterator.clone(),
        vm.types.dict_itemiterator.clone(),
        vm.types.set_iterator.clone(),
        vm.types.callable_iterator.clone(),
        vm.types.seq_iterator.clone(),
    ];
    for t in &all {
        vm.add_method(t, "__iter__", iter_self);
        vm.add_method(t, "__next__", iter_next);
        vm.add_method(t, "__length_hint__", length_hint);
    }
    for t in [
        vm.types.dict_keys.clone(),
        vm.types.dict_values.clone(),
        vm.types.dict_items.clone(),
    ] {
        vm.add_method(&t, "__iter__", view_iter);
        vm.add_method(&t, "__len__", view_len);
        vm.add_method(&t, "__reversed__", view_reversed);
        vm.add_method(&t, "__contains__", view_contains_m);
        vm.add_method(&t, "isdisjoint", view_isdisjoint);
        vm.add_method(&t, "__repr__", view_repr_m);
    }
}

fn view_iter(vm: &mut Vm, args: Args) -> PyResult {
    vm.get_iter(&args.pos[0])
}

fn view_len(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(vm.len(&args.pos[0])? as i64))
}

fn view_reversed(vm: &mut Vm, args: Args) -> PyResult {
    let items = vm.collect_iterable(&args.pos[0])?;
    let mut items = items;
    items.reverse();
    let l = vm.new_list(items);
    vm.get_iter(&l)
}

fn view_contains_m(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(super::set_methods::view_contains(
        vm,
        &args.pos[0],
        &args.pos[1],
    )?))
}

fn view_isdisjoint(vm: &mut Vm, args: Args) -> PyResult {
    let other = vm.collect_iterable(&args.pos[1])?;
    for x in other {
        if super::set_methods::view_contains(vm, &args.pos[0], &x)? {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn view_repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = super::set_methods::view_repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}
