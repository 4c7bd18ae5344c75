//! `list`: a growable vector of values.
//! Invariant: no borrow of the items is held while user code runs (comparisons, keys,
//! `__eq__`); `sort` detaches the items while it runs, as CPython does, so a key function
//! that mutates the list is detected.

use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, NativeIter, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::{Cell, RefCell};

fn items(v: &Value) -> &RefCell<Vec<Value>> {
    match v.kind() {
        Some(ObjKind::List(l)) => l,
        _ => panic!("not a list"),
    }
}

/// Bytes one list slot takes (for memory accounting).
const VALUE_SIZE: usize = std::mem::size_of::<Value>();

/// A repeat count for `seq * n` (negative counts as zero).
pub fn repeat_count(vm: &mut Vm, n: &Value, what: &str) -> Option<PyResult<usize>> {
    let _ = what;
    match n {
        Value::Int(i) => Some(Ok((*i).max(0) as usize)),
        Value::Bool(b) => Some(Ok(b.get() as usize)),
        _ => match n.kind() {
            Some(ObjKind::BigInt(_)) => Some(Err(
                vm.overflow_error("cannot fit 'int' into an index-sized integer".into())
            )),
            _ => None,
        },
    }
}

/// The TypeError for `seq * non-int`.
pub fn cannot_multiply(vm: &mut Vm, n: &Value) -> crate::vm::Exc {
    let msg = format!(
        "can't multiply sequence by non-int of type '{}'",
        vm.type_name(n)
    );
    vm.type_error(msg)
}

/// `list + list`, `list * n`.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match op {
        BinOp::Add => {
            let Some(ObjKind::List(y)) = b.kind() else {
                let msg = format!(
                    "can only concatenate list (not \"{}\") to list",
                    vm.type_name(b)
                );
                return Some(Err(vm.type_error(msg)));
            };
            let mut out = items(a).borrow().clone();
            if let Err(e) = vm.reserve_items(y.borrow().len(), VALUE_SIZE) {
                return Some(Err(e));
            }
            out.extend(y.borrow().iter().cloned());
            Some(Ok(vm.new_list(out)))
        }
        BinOp::Mult => {
            let (seq, n) = if matches!(a.kind(), Some(ObjKind::List(_))) {
                (a, b)
            } else {
                (b, a)
            };
            let count = match repeat_count(vm, n, "list") {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(cannot_multiply(vm, n))),
            };
            let src = items(seq).borrow().clone();
            if let Err(e) = vm.reserve_items(src.len().saturating_mul(count), VALUE_SIZE) {
                return Some(Err(e));
            }
            let mut out = Vec::with_capacity(src.len() * count);
            for _ in 0..count {
                out.extend(src.iter().cloned());
            }
            Some(Ok(vm.new_list(out)))
        }
        _ => None,
    }
}

/// `list += iterable`, `list *= n`.
pub fn inplace(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match op {
        BinOp::Add => Some(vm.list_extend_value(a, b).map(|_| a.clone())),
        BinOp::Mult => {
            let count = match repeat_count(vm, b, "list")? {
                Ok(c) => c,
                Err(e) => return Some(Err(e)),
            };
            let n = items(a).borrow().len();
            if let Err(e) = vm.reserve_items(n.saturating_mul(count), VALUE_SIZE) {
                return Some(Err(e));
            }
            let mut l = items(a).borrow_mut();
            let src = l.clone();
            l.clear();
            for _ in 0..count {
                l.extend(src.iter().cloned());
            }
            drop(l);
            Some(Ok(a.clone()))
        }
        _ => None,
    }
}

impl Vm {
    /// `list.extend(iterable)` on a list value.
    pub fn list_extend_value(&mut self, l: &Value, it: &Value) -> PyResult<()> {
        let new = match it.kind() {
            Some(ObjKind::List(other)) => other.borrow().clone(),
            Some(ObjKind::Tuple(t)) => t.to_vec(),
            _ => match self.collect_iterable(it) {
                Ok(v) => v,
                Err(e) if self.exc_is(&e, "TypeError") && !self.has_iter(it) => {
                    let msg = format!(
                        "Value after * must be an iterable, not {}",
                        self.type_name(it)
                    );
                    return Err(self.type_error(msg));
                }
                Err(e) => return Err(e),
            },
        };
        self.reserve_items(new.len(), VALUE_SIZE)?;
        if let Some(ObjKind::List(target)) = l.kind() {
            target.borrow_mut().extend(new);
        }
        Ok(())
    }

    pub(crate) fn has_iter(&mut self, v: &Value) -> bool {
        let ty = self.type_of(v).clone();
        let n = self.intern("__iter__");
        let g = self.intern("__getitem__");
        self.lookup_type(&ty, &n).is_some() || self.lookup_type(&ty, &g).is_some()
    }
}

fn index_error(vm: &mut Vm, key: &Value, what: &str) -> crate::vm::Exc {
    let msg = format!(
        "{what} indices must be integers or slices, not {}",
        vm.type_name(key)
    );
    vm.type_error(msg)
}

/// `list[i]`, `list[a:b:c]`.
pub fn getitem(vm: &mut Vm, l: &Value, key: &Value) -> PyResult {
    if let Some(i) = key.as_i64() {
        let v = {
            let l = items(l).borrow();
            vm.norm_index(i, l.len()).map(|i| l[i].clone())
        };
        return match v {
            Some(v) => Ok(v),
            None => Err(vm.index_error("list index out of range".into())),
        };
    }
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let len = items(l).borrow().len();
        let s = vm.slice_indices(key, len)?;
        let src = items(l).borrow();
        let out: Vec<Value> = if s.step == 1 {
            src[s.start as usize..s.start as usize + s.len].to_vec()
        } else {
            s.indices().map(|i| src[i].clone()).collect()
        };
        drop(src);
        return Ok(vm.new_list(out));
    }
    match vm.index_value(key) {
        Ok(i) => getitem(vm, l, &Value::Int(i)),
        Err(_) => Err(index_error(vm, key, "list")),
    }
}

/// `list[i] = v`, `list[a:b] = iterable`.
pub fn setitem(vm: &mut Vm, l: &Value, key: Value, v: Value) -> PyResult<()> {
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let new = vm.collect_iterable(&v)?;
        let len = items(l).borrow().len();
        let s = vm.slice_indices(&key, len)?;
        let mut list = items(l).borrow_mut();
        if s.step == 1 {
            let start = s.start as usize;
            let end = start + s.len;
            let old: Vec<Value> = list.splice(start..end, new).collect();
            drop(list);
            drop(old);
            return Ok(());
        }
        if new.len() != s.len {
            drop(list);
            return Err(vm.value_error(format!(
                "attempt to assign sequence of size {} to extended slice of size {}",
                new.len(),
                s.len
            )));
        }
        let mut old = Vec::with_capacity(new.len());
        for (i, x) in s.indices().zip(new) {
            old.push(std::mem::replace(&mut list[i], x));
        }
        drop(list);
        drop(old);
        return Ok(());
    }
    let i = match vm.index_value(&key) {
        Ok(i) => i,
        Err(_) => return Err(index_error(vm, &key, "list")),
    };
    let mut list = items(l).borrow_mut();
    match vm.norm_index(i, list.len()) {
        Some(i) => {
            let old = std::mem::replace(&mut list[i], v);
            drop(list);
            drop(old);
            Ok(())
        }
        None => {
            drop(list);
            Err(vm.index_error("list assignment index out of range".into()))
        }
    }
}

/// `del list[i]`, `del list[a:b]`.
pub fn delitem(vm: &mut Vm, l: &Value, key: &Value) -> PyResult<()> {
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let len = items(l).borrow().len();
        let s = vm.slice_indices(key, len)?;
        let mut list = items(l).borrow_mut();
        // Linear in the list's length whatever the step; the removed values are dropped
        // only after the borrow ends (their finalizers may touch the list).
        let mut keep = vec![true; list.len()];
        for i in s.indices() {
            keep[i] = false;
        }
        let old = std::mem::take(&mut *list);
        let mut removed = Vec::with_capacity(s.len);
        for (x, k) in old.into_iter().zip(keep) {
            if k {
                list.push(x);
            } else {
                removed.push(x);
            }
        }
        drop(list);
        drop(removed);
        return Ok(());
    }
    let i = match vm.index_value(key) {
        Ok(i) => i,
        Err(_) => return Err(index_error(vm, key, "list")),
    };
    let mut list = items(l).borrow_mut();
    match vm.norm_index(i, list.len()) {
        Some(i) => {
            let old = list.remove(i);
            drop(list);
            drop(old);
            Ok(())
        }
        None => {
            drop(list);
            Err(vm.index_error("list assignment index out of range".into()))
        }
    }
}

/// `repr(list)` with `[...]` for self-references.
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    seq_repr(vm, v, "[", "]", false)
}

/// Shared list/tuple repr.
pub fn seq_repr(vm: &mut Vm, v: &Value, open: &str, close: &str, tuple: bool) -> PyResult<String> {
    let id = v.identity();
    if vm.repr_guard.contains(&id) {
        return Ok(format!("{open}...{close}"));
    }
    let snapshot = super::seq_items(v);
    if snapshot.is_empty() {
        return Ok(format!("{open}{close}"));
    }
    vm.enter_recursion_where(" while getting the repr of an object")?;
    vm.repr_guard.push(id);
    let r = (|| {
        let mut s = String::from(open);
        for (i, x) in snapshot.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&vm.repr(x)?);
        }
        if tuple && snapshot.len() == 1 {
            s.push(',');
        }
        s.push_str(close);
        Ok(s)
    })();
    vm.repr_guard.pop();
    vm.leave_recursion();
    r
}

fn this(args: &Args) -> Value {
    args.pos[0].clone()
}

fn append(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.append", 1, 1)?;
    vm.reserve(VALUE_SIZE)?;
    items(&args.pos[0]).borrow_mut().push(args.pos[1].clone());
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.extend", 1, 1)?;
    let l = this(&args);
    let new = vm.collect_iterable(&args.pos[1])?;
    vm.reserve_items(new.len(), VALUE_SIZE)?;
    items(&l).borrow_mut().extend(new);
    Ok(Value::None)
}

fn insert(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "insert", 2, 2)?;
    let i = vm.index_value(&args.pos[1])?;
    vm.reserve(VALUE_SIZE)?;
    let mut l = items(&args.pos[0]).borrow_mut();
    let len = l.len() as i64;
    let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
    l.insert(at as usize, args.pos[2].clone());
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "pop", 0, 1)?;
    let i = match args.pos.get(1) {
        Some(v) => vm.index_value(v)?,
        None => -1,
    };
    let mut l = items(&args.pos[0]).borrow_mut();
    if l.is_empty() {
        drop(l);
        return Err(vm.index_error("pop from empty list".into()));
    }
    match vm.norm_index(i, l.len()) {
        Some(i) => Ok(l.remove(i)),
        None => {
            drop(l);
            Err(vm.index_error("pop index out of range".into()))
        }
    }
}

fn find(vm: &mut Vm, l: &Value, x: &Value, start: usize, stop: usize) -> PyResult<Option<usize>> {
    let mut i = start;
    loop {
        let item = {
            let list = items(l).borrow();
            if i >= stop.min(list.len()) {
                return Ok(None);
            }
            list[i].clone()
        };
        if item.is(x) || vm.eq(&item, x)? {
            return Ok(Some(i));
        }
        i += 1;
    }
}

fn remove(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.remove", 1, 1)?;
    let l = this(&args);
    match find(vm, &l, &args.pos[1], 0, usize::MAX)? {
        Some(i) => {
            let old = items(&l).borrow_mut().remove(i);
            drop(old);
            Ok(Value::None)
        }
        None => Err(vm.value_error("list.remove(x): x not in list".into())),
    }
}

fn bound(vm: &mut Vm, v: Option<&Value>, len: usize, default: usize) -> PyResult<usize> {
    match v {
        None => Ok(default),
        Some(v) => {
            let i = vm.index_value(v)?;
            let len = len as i64;
            Ok(if i < 0 { (i + len).max(0) } else { i.min(len) } as usize)
        }
    }
}

fn index(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "index", 1, 3)?;
    let l = this(&args);
    let len = items(&l).borrow().len();
    let start = bound(vm, args.pos.get(2), len, 0)?;
    let stop = bound(vm, args.pos.get(3), len, len)?;
    match find(vm, &l, &args.pos[1], start, stop)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => {
            let r = vm.repr(&args.pos[1])?;
            Err(vm.value_error(format!("{r} is not in list")))
        }
    }
}

fn count(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.count", 1, 1)?;
    let snapshot = items(&args.pos[0]).borrow().clone();
    let mut n = 0;
    for x in &snapshot {
        if x.is(&args.pos[1]) || vm.eq(x, &args.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn clear(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.clear", 0, 0)?;
    let mut old = std::mem::take(&mut *items(&args.pos[0]).borrow_mut());
    // CPython releases the items last to first.
    old.reverse();
    drop(old);
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.copy", 0, 0)?;
    let c = items(&args.pos[0]).borrow().clone();
    Ok(vm.new_list(c))
}

fn reverse(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "list.reverse", 0, 0)?;
    items(&args.pos[0]).borrow_mut().reverse();
    Ok(Value::None)
}

/// Sorts values stably by `<`, optionally by key; used by `list.sort` and `sorted`.
pub fn sort_values(
    vm: &mut Vm,
    vals: &mut Vec<Value>,
    key: Option<&Value>,
    reverse: bool,
) -> PyResult<()> {
    if let Some(k) = key.filter(|k| !k.is_none()) {
        let mut keyed = Vec::with_capacity(vals.len());
        for v in vals.drain(..) {
            let kv = vm.call(k, std::slice::from_ref(&v))?;
            keyed.push((kv, v));
        }
        let mut keys: Vec<Value> = keyed.iter().map(|(k, _)| k.clone()).collect();
        let mut order: Vec<usize> = (0..keyed.len()).collect();
        sort_indices(vm, &mut keys, &mut order, reverse)?;
        let mut slots: Vec<Option<Value>> = keyed.into_iter().map(|(_, v)| Some(v)).collect();
        vals.extend(
            order
                .into_iter()
                .map(|i| slots[i].take().expect("each index once")),
        );
        return Ok(());
    }
    if vals.iter().all(|v| matches!(v, Value::Int(_))) {
        // Equal ints are indistinguishable, so an unstable sort is safe here.
        vals.sort_unstable_by_key(|v| v.as_i64().unwrap_or(0));
        if reverse {
            vals.reverse();
        }
        return Ok(());
    }
    let mut keys = vals.clone();
    let mut order: Vec<usize> = (0..vals.len()).collect();
    sort_indices(vm, &mut keys, &mut order, reverse)?;
    let mut slots: Vec<Option<Value>> = vals.drain(..).map(Some).collect();
    vals.extend(
        order
            .into_iter()
            .map(|i| slots[i].take().expect("each index once")),
    );
    Ok(())
}

/// Sorts `order` (indices into `keys`) stably; reverse keeps equal items in original order,
/// as CPython does (it reverses, sorts, reverses).
fn sort_indices(
    vm: &mut Vm,
    keys: &mut [Value],
    order: &mut [usize],
    reverse: bool,
) -> PyResult<()> {
    let all_str = keys.iter().all(|k| {
        matches!(k.kind(), Some(ObjKind::Str(_))) && k.as_obj().is_some_and(|o| o.class.is_none())
    });
    let all_float = keys
        .iter()
        .all(|k| matches!(k, Value::Float(_) | Value::Int(_)));
    if reverse {
        order.reverse();
    }
    if all_str {
        order.sort_by(|&a, &b| keys[a].as_str().cmp(&keys[b].as_str()));
    } else if all_float {
        let mut err = None;
        order.sort_by(|&a, &b| {
            let (x, y) = (&keys[a], &keys[b]);
            match (x, y) {
                (Value::Int(p), Value::Int(q)) => p.cmp(q),
                _ => {
                    let fx = match x {
                        Value::Int(i) => *i as f64,
                        Value::Float(f) => f.get(),
                        _ => 0.0,
                    };
                    let fy = match y {
                        Value::Int(i) => *i as f64,
                        Value::Float(f) => f.get(),
                        _ => 0.0,
                    };
                    if fx < fy {
                        std::cmp::Ordering::Less
                    } else if fy < fx {
                        std::cmp::Ordering::Greater
                    } else {
                        if fx.is_nan() || fy.is_nan() {
                            err.get_or_insert(());
                        }
                        std::cmp::Ordering::Equal
                    }
                }
            }
        });
        let _ = err;
    } else {
        let mut err: Option<crate::vm::Exc> = None;
        order.sort_by(|&a, &b| {
            if err.is_some() {
                return std::cmp::Ordering::Equal;
            }
            match vm.lt(&keys[a], &keys[b]) {
                Ok(true) => std::cmp::Ordering::Less,
                Ok(false) => match vm.lt(&keys[b], &keys[a]) {
                    Ok(true) => std::cmp::Ordering::Greater,
                    Ok(false) => std::cmp::Ordering::Equal,
                    Err(e) => {
                        err = Some(e);
                        std::cmp::Ordering::Equal
                    }
                },
                Err(e) => {
                    err = Some(e);
                    std::cmp::Ordering::Equal
                }
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
    }
    if reverse {
        order.reverse();
    }
    Ok(())
}

fn sort(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() > 1 {
        return Err(vm.type_error("sort() takes no positional arguments".into()));
    }
    let rest = Args { pos: &[], ..args };
    let [key, reverse] = rest.bind(vm, "sort", ["key", "reverse"], 0)?;
    let reverse = match reverse {
        Some(r) => vm.truthy(&r)?,
        None => false,
    };
    let l = this(&args);
    let mut vals = std::mem::take(&mut *items(&l).borrow_mut());
    let r = sort_values(vm, &mut vals, key.as_ref(), reverse);
    let modified = !items(&l).borrow().is_empty();
    *items(&l).borrow_mut() = vals;
    r?;
    if modified {
        return Err(vm.value_error("list modified during sort".into()));
    }
    Ok(Value::None)
}

fn list_new(vm: &mut Vm, args: Args) -> PyResult {
    let cls = args.pos[0].clone();
    if let Value::Obj(c) = &cls {
        if !std::rc::Rc::ptr_eq(c, &vm.types.list) {
            return Ok(Value::Obj(vm.new_instance(c)?));
        }
    }
    args.no_kwargs(vm, "list")?;
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("list expected at most 1 argument, got {n}")));
    }
    let v = match args.pos.get(1) {
        Some(it) => vm.collect_iterable(it)?,
        None => Vec::new(),
    };
    Ok(vm.new_list(v))
}

fn list_init(vm: &mut Vm, args: Args) -> PyResult {
    let l = this(&args);
    if l.as_obj().is_some_and(|o| o.class.is_some()) {
        let v = match args.pos.get(1) {
            Some(it) => vm.collect_iterable(it)?,
            None => Vec::new(),
        };
        *items(&l).borrow_mut() = v;
    }
    Ok(Value::None)
}

fn len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(items(&args.pos[0]).borrow().len() as i64))
}

fn getitem_m(vm: &mut Vm, args: Args) -> PyResult {
    getitem(vm, &args.pos[0], &args.pos[1])
}

fn setitem_m(vm: &mut Vm, args: Args) -> PyResult {
    setitem(vm, &args.pos[0], args.pos[1].clone(), args.pos[2].clone())?;
    Ok(Value::None)
}

fn delitem_m(vm: &mut Vm, args: Args) -> PyResult {
    delitem(vm, &args.pos[0], &args.pos[1])?;
    Ok(Value::None)
}

fn contains_m(vm: &mut Vm, args: Args) -> PyResult {
    let snapshot = items(&args.pos[0]).borrow().clone();
    for x in &snapshot {
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

fn reversed_m(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    let n = items(&args.pos[0]).borrow().len();
    Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
        NativeIter::SeqRev {
            seq: o.clone(),
            idx: Cell::new(n),
        },
    )))))
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

macro_rules! list_binop_method {
    ($name:ident, $op:expr, $inplace:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let (a, b) = (&args.pos[0], &args.pos[1]);
            let r = if $inplace {
                inplace(vm, $op, a, b)
            } else {
                if $op == BinOp::Add && !matches!(b.kind(), Some(ObjKind::List(_))) {
                    return Ok(vm.not_implemented());
                }
                if $op == BinOp::Mult && repeat_count(vm, b, "list").is_none() {
                    return Ok(vm.not_implemented());
                }
                binop(vm, $op, a, b)
            };
            r.unwrap_or_else(|| Ok(vm.not_implemented()))
        }
    };
}

list_binop_method!(add, BinOp::Add, false);
list_binop_method!(mul, BinOp::Mult, false);
list_binop_method!(iadd, BinOp::Add, true);
list_binop_method!(imul, BinOp::Mult, true);

macro_rules! list_cmp_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            if !matches!(args.pos[1].kind(), Some(ObjKind::List(_))) {
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

list_cmp_method!(eq, CmpKind::Eq);
list_cmp_method!(ne, CmpKind::Ne);
list_cmp_method!(lt, CmpKind::Lt);
list_cmp_method!(le, CmpKind::Le);
list_cmp_method!(gt, CmpKind::Gt);
list_cmp_method!(ge, CmpKind::Ge);

/// Installs list methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.list.clone();
    vm.add_staticmethod(&t, "__new__", list_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("__init__", list_init),
        ("append", append),
        ("extend", extend),
        ("insert", insert),
        ("pop", pop),
        ("remove", remove),
        ("index", index),
        ("count", count),
        ("clear", clear),
        ("copy", copy),
        ("reverse", reverse),
        ("sort", sort),
        ("__len__", len),
        ("__getitem__", getitem_m),
        ("__setitem__", setitem_m),
        ("__delitem__", delitem_m),
        ("__contains__", contains_m),
        ("__iter__", iter_m),
        ("__reversed__", reversed_m),
        ("__repr__", repr_m),
        ("__add__", add),
        ("__mul__", mul),
        ("__rmul__", mul),
        ("__iadd__", iadd),
        ("__imul__", imul),
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
    vm.type_dict_set(&t, "__hash__", Value::None);
}
