//! `set` and `frozenset` at the VM level: membership and insertion that may call user
//! `__eq__`, the set algebra in CPython's result order, the methods, and dict views' set
//! behaviour.
//! Invariant: tables holding only natively comparable keys use `set_table::algebra`
//! directly; otherwise each element goes through `set_add`/`set_contains`.

use super::set::{is_fast_key, native_eq, SetData};
use super::set_table::algebra;
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, DictViewKind, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

/// A snapshot of the set data of a set, frozenset or set subclass.
fn data(v: &Value) -> Option<SetData> {
    match v.kind()? {
        ObjKind::Set(s) => Some(s.borrow().clone()),
        ObjKind::FrozenSet(s) => Some((**s).clone()),
        _ => None,
    }
}

fn is_frozen(v: &Value) -> bool {
    matches!(v.kind(), Some(ObjKind::FrozenSet(_)))
}

impl Vm {
    /// A set value from a table.
    pub fn set_value(&mut self, d: SetData, frozen: bool) -> Value {
        if frozen {
            Value::Obj(self.alloc(ObjKind::FrozenSet(Box::new(d))))
        } else {
            Value::Obj(self.alloc(ObjKind::Set(Box::new(RefCell::new(d)))))
        }
    }

    /// A frozenset constant as CPython 3.11's compiler leaves it: built from `items` in
    /// order, then rebuilt from its own iteration order (constant merging does that).
    pub fn frozenset_constant(&mut self, items: Vec<Value>) -> PyResult {
        // The same construction as `frozenset(tuple)` at run time, so the order matches.
        let ty = Value::Obj(self.types.frozenset.clone());
        let t = self.new_tuple(items);
        let first = self.call(&ty, &[t])?;
        let order = self.collect_iterable(&first)?;
        let t = self.new_tuple(order);
        self.call(&ty, &[t])
    }

    /// `BuildSet`: adds items in order.
    pub fn new_set_from(&mut self, items: Vec<Value>) -> PyResult {
        let mut d = SetData::new();
        for v in items {
            self.data_add(&mut d, v)?;
        }
        Ok(self.set_value(d, false))
    }

    /// Adds `v` to a detached table (native comparison when possible).
    fn data_add(&mut self, d: &mut SetData, v: Value) -> PyResult<()> {
        let hash = self.hash(&v)?;
        if !d.slow && is_fast_key(&v) {
            d.table.insert(hash, v, native_eq);
            return Ok(());
        }
        for (_, c) in d.candidates(hash) {
            if c.is(&v) || self.eq(&c, &v)? {
                return Ok(());
            }
        }
        d.insert_absent(hash, v);
        Ok(())
    }

    fn data_contains(&mut self, d: &SetData, v: &Value) -> PyResult<bool> {
        let hash = self.hash(v)?;
        if !d.slow && is_fast_key(v) {
            return Ok(d.find_native(hash, v).is_some());
        }
        for (_, c) in d.candidates(hash) {
            if c.is(v) || self.eq(&c, v)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `s.add(v)` on a set value.
    pub fn set_add(&mut self, s: &Value, v: Value) -> PyResult<()> {
        let Some(ObjKind::Set(cell)) = s.kind() else {
            return Ok(());
        };
        let hash = self.hash(&v)?;
        self.reserve(2 * std::mem::size_of::<Value>())?;
        let fast = !cell.borrow().slow && is_fast_key(&v);
        if fast {
            cell.borrow_mut().table.insert(hash, v, native_eq);
            return Ok(());
        }
        let cands = cell.borrow().candidates(hash);
        for (_, c) in cands {
            if c.is(&v) || self.eq(&c, &v)? {
                return Ok(());
            }
        }
        cell.borrow_mut().insert_absent(hash, v);
        Ok(())
    }

    /// `v in s` for a set or frozenset.
    pub fn set_contains(&mut self, s: &Value, v: &Value) -> PyResult<bool> {
        let hash = match self.hash(v) {
            Ok(h) => h,
            Err(e) => {
                // `x in s` with an unhashable set converts it to a frozenset in CPython;
                // other unhashables simply are not members... but CPython raises.
                return Err(e);
            }
        };
        let (slow, found) = match s.kind() {
            Some(ObjKind::Set(cell)) => {
                let d = cell.borrow();
                if !d.slow && is_fast_key(v) {
                    (false, d.find_native(hash, v).is_some())
                } else {
                    (true, false)
                }
            }
            Some(ObjKind::FrozenSet(d)) => {
                if !d.slow && is_fast_key(v) {
                    (false, d.find_native(hash, v).is_some())
                } else {
                    (true, false)
                }
            }
            _ => return Ok(false),
        };
        if !slow {
            return Ok(found);
        }
        let d = data(s).unwrap_or_default();
        for (_, c) in d.candidates(hash) {
            if c.is(v) || self.eq(&c, v)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Removes `v` from a set; false when absent.
    pub fn set_discard(&mut self, s: &Value, v: &Value) -> PyResult<bool> {
        let Some(ObjKind::Set(cell)) = s.kind() else {
            return Ok(false);
        };
        let hash = self.hash(v)?;
        if !cell.borrow().slow && is_fast_key(v) {
            return Ok(cell
                .borrow_mut()
                .table
                .discard(hash, |k| native_eq(k, v))
                .is_some());
        }
        let cands = cell.borrow().candidates(hash);
        for (slot, c) in cands {
            if c.is(v) || self.eq(&c, v)? {
                let mut d = cell.borrow_mut();
                let still = d.slot(slot).is_some_and(|k| k.is(&c));
                if still {
                    d.table.remove_at(slot);
                }
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `s |= iterable` style update from any iterable.
    pub fn set_update_value(&mut self, s: &Value, other: &Value) -> PyResult<()> {
        if let (Some(ObjKind::Set(cell)), Some(od)) = (s.kind(), data(other)) {
            if !cell.borrow().slow && !od.slow {
                cell.borrow_mut().table.merge(&od.table, native_eq);
                return Ok(());
            }
        }
        if let Some(ObjKind::Dict(d)) = other.kind() {
            let keys: Vec<(i64, Value)> = d
                .borrow()
                .iter_hashed()
                .map(|(h, k, _)| (h, k.clone()))
                .collect();
            if let Some(ObjKind::Set(cell)) = s.kind() {
                if !cell.borrow().slow && keys.iter().all(|(_, k)| is_fast_key(k)) {
                    algebra::update_from_dict(&mut cell.borrow_mut().table, keys, native_eq);
                    return Ok(());
                }
            }
        }
        let items = self.collect_iterable(other)?;
        for v in items {
            self.set_add(s, v)?;
        }
        Ok(())
    }

    /// A detached table holding the items of any iterable (sets copied slot for slot).
    fn as_data(&mut self, v: &Value) -> PyResult<SetData> {
        if let Some(d) = data(v) {
            return Ok(d);
        }
        let mut d = SetData::new();
        if let Some(ObjKind::Dict(dict)) = v.kind() {
            let keys: Vec<(i64, Value)> = dict
                .borrow()
                .iter_hashed()
                .map(|(h, k, _)| (h, k.clone()))
                .collect();
            if keys.iter().all(|(_, k)| is_fast_key(k)) {
                algebra::update_from_dict(&mut d.table, keys, native_eq);
                return Ok(d);
            }
        }
        let items = self.collect_iterable(v)?;
        for x in items {
            self.data_add(&mut d, x)?;
        }
        Ok(d)
    }
}

/// The result of a set operation between two tables (CPython's order).
fn algebra_op(vm: &mut Vm, op: BinOp, a: &SetData, b: &SetData) -> PyResult<SetData> {
    if !a.slow && !b.slow {
        let table = match op {
            BinOp::BitOr => algebra::union(&a.table, &b.table, native_eq),
            BinOp::BitAnd => algebra::intersection(&a.table, &b.table, native_eq),
            BinOp::Sub => algebra::difference(&a.table, &b.table, native_eq),
            BinOp::BitXor => algebra::symmetric_difference(&a.table, &b.table, native_eq),
            _ => unreachable!(),
        };
        return Ok(SetData { table, slow: false });
    }
    let mut out = SetData::new();
    match op {
        BinOp::BitOr => {
            out = a.clone();
            for x in b.iter().cloned().collect::<Vec<_>>() {
                vm.data_add(&mut out, x)?;
            }
        }
        BinOp::BitAnd => {
            let (walked, probed) = if b.len() > a.len() { (a, b) } else { (b, a) };
            for x in walked.iter().cloned().collect::<Vec<_>>() {
                if vm.data_contains(probed, &x)? {
                    vm.data_add(&mut out, x)?;
                }
            }
        }
        BinOp::Sub => {
            for x in a.iter().cloned().collect::<Vec<_>>() {
                if !vm.data_contains(b, &x)? {
                    vm.data_add(&mut out, x)?;
                }
            }
        }
        BinOp::BitXor => {
            for x in a.iter().cloned().collect::<Vec<_>>() {
                if !vm.data_contains(b, &x)? {
                    vm.data_add(&mut out, x)?;
                }
            }
            for x in b.iter().cloned().collect::<Vec<_>>() {
                if !vm.data_contains(a, &x)? {
                    vm.data_add(&mut out, x)?;
                }
            }
        }
        _ => unreachable!(),
    }
    Ok(out)
}

fn is_setlike(v: &Value) -> bool {
    matches!(
        v.kind(),
        Some(ObjKind::Set(_) | ObjKind::FrozenSet(_)) | Some(ObjKind::DictView(_))
    )
}

fn view_data(vm: &mut Vm, v: &Value) -> PyResult<SetData> {
    match v.kind() {
        Some(ObjKind::DictView(view)) => {
            let (d, kind) = (view.0.clone(), view.1);
            let items: Vec<Value> = match kind {
                DictViewKind::Keys => vm.dict_items(&d).into_iter().map(|(k, _)| k).collect(),
                DictViewKind::Items => {
                    let pairs = vm.dict_items(&d);
                    pairs
                        .into_iter()
                        .map(|(k, x)| vm.new_tuple(vec![k, x]))
                        .collect()
                }
                DictViewKind::Values => {
                    return Err(vm.type_error("unhashable type: 'dict_values'".into()))
                }
            };
            let mut out = SetData::new();
            for x in items {
                vm.data_add(&mut out, x)?;
            }
            Ok(out)
        }
        _ => vm.as_data(v),
    }
}

/// `a | b`, `a & b`, `a - b`, `a ^ b` for sets and dict views.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if !matches!(
        op,
        BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor
    ) {
        return None;
    }
    let a_view = matches!(a.kind(), Some(ObjKind::DictView(_)));
    if !is_setlike(a) || (!is_setlike(b) && !a_view) {
        return None;
    }
    Some((|| {
        let x = view_data(vm, a)?;
        let y = if is_setlike(b) {
            view_data(vm, b)?
        } else {
            vm.as_data(b)?
        };
        if a_view && op == BinOp::Sub {
            // CPython copies the view into a set and then discards, which leaves dummy
            // slots that decide where later items sit (and so the iteration order).
            let out = vm.set_value(x, false);
            for item in y.iter().cloned().collect::<Vec<_>>() {
                vm.set_discard(&out, &item)?;
            }
            return Ok(out);
        }
        let r = algebra_op(vm, op, &x, &y)?;
        Ok(vm.set_value(r, is_frozen(a)))
    })())
}

/// In-place set operators.
pub fn inplace(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if !matches!(
        op,
        BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor
    ) {
        return None;
    }
    if !matches!(b.kind(), Some(ObjKind::Set(_) | ObjKind::FrozenSet(_))) {
        return None;
    }
    Some((|| {
        let Some(ObjKind::Set(cell)) = a.kind() else {
            unreachable!()
        };
        let x = cell.borrow().clone();
        let y = data(b).unwrap_or_default();
        let r = if op == BinOp::BitOr {
            let mut x = x;
            if !x.slow && !y.slow {
                x.table.merge(&y.table, native_eq);
            } else {
                for v in y.iter().cloned().collect::<Vec<_>>() {
                    vm.data_add(&mut x, v)?;
                }
            }
            x
        } else if !x.slow && !y.slow {
            let mut t = x.table;
            match op {
                BinOp::BitAnd => algebra::intersection_update(&mut t, &y.table, native_eq),
                BinOp::Sub => algebra::difference_update(&mut t, &y.table, native_eq),
                _ => algebra::symmetric_difference_update(&mut t, &y.table, native_eq),
            }
            SetData {
                table: t,
                slow: false,
            }
        } else {
            algebra_op(vm, op, &x, &y)?
        };
        *cell.borrow_mut() = r;
        Ok(a.clone())
    })())
}

/// Subset comparisons and equality of sets.
pub fn compare(vm: &mut Vm, op: CmpKind, a: &Value, b: &Value) -> PyResult<bool> {
    let x = data(a).unwrap_or_default();
    let y = data(b).unwrap_or_default();
    let subset = |vm: &mut Vm, p: &SetData, q: &SetData| -> PyResult<bool> {
        if p.len() > q.len() {
            return Ok(false);
        }
        for v in p.iter().cloned().collect::<Vec<_>>() {
            if !vm.data_contains(q, &v)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    Ok(match op {
        CmpKind::Eq => x.len() == y.len() && subset(vm, &x, &y)?,
        CmpKind::Ne => !(x.len() == y.len() && subset(vm, &x, &y)?),
        CmpKind::Le => subset(vm, &x, &y)?,
        CmpKind::Lt => x.len() < y.len() && subset(vm, &x, &y)?,
        CmpKind::Ge => subset(vm, &y, &x)?,
        CmpKind::Gt => y.len() < x.len() && subset(vm, &y, &x)?,
    })
}

/// Equality of a dict view with another view or set.
pub fn view_eq(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let values = |v: &Value| matches!(v.kind(), Some(ObjKind::DictView(view)) if view.1 == DictViewKind::Values);
    if values(a) || values(b) {
        return Ok(a.is(b));
    }
    if !is_setlike(a) || !is_setlike(b) {
        return Ok(false);
    }
    let x = view_data(vm, a)?;
    let y = view_data(vm, b)?;
    let xs = vm.set_value(x, true);
    let ys = vm.set_value(y, true);
    compare(vm, CmpKind::Eq, &xs, &ys)
}

/// `x in view`.
pub fn view_contains(vm: &mut Vm, v: &Value, item: &Value) -> PyResult<bool> {
    let Some(ObjKind::DictView(view)) = v.kind() else {
        return Ok(false);
    };
    let (d, kind) = (view.0.clone(), view.1);
    match kind {
        DictViewKind::Keys => vm.dict_contains(&Value::Obj(d), item),
        DictViewKind::Items => {
            let Some(ObjKind::Tuple(t)) = item.kind() else {
                return Ok(false);
            };
            if t.len() != 2 {
                return Ok(false);
            }
            let (k, x) = (t[0].clone(), t[1].clone());
            match vm.dict_get(&d, &k)? {
                Some(y) => Ok(x.is(&y) || vm.eq(&x, &y)?),
                None => Ok(false),
            }
        }
        DictViewKind::Values => {
            for (_, x) in vm.dict_items(&d) {
                if x.is(item) || vm.eq(&x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// `repr` of a dict view: `dict_keys(['a'])`.
pub fn view_repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let Some(ObjKind::DictView(view)) = v.kind() else {
        return Ok(String::new());
    };
    let (d, kind) = (view.0.clone(), view.1);
    let (name, items) = match kind {
        DictViewKind::Keys => (
            "dict_keys",
            vm.dict_items(&d).into_iter().map(|(k, _)| k).collect(),
        ),
        DictViewKind::Values => (
            "dict_values",
            vm.dict_items(&d).into_iter().map(|(_, x)| x).collect(),
        ),
        DictViewKind::Items => {
            let pairs = vm.dict_items(&d);
            let items: Vec<Value> = pairs
                .into_iter()
                .map(|(k, x)| vm.new_tuple(vec![k, x]))
                .collect();
            ("dict_items", items)
        }
    };
    let l = vm.new_list(items);
    let inner = vm.repr(&l)?;
    Ok(format!("{name}({inner})"))
}

/// `repr` of a set or frozenset.
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let d = data(v).unwrap_or_default();
    let frozen = is_frozen(v);
    let name = vm.type_name(v);
    let id = v.identity();
    if d.is_empty() {
        return Ok(format!("{name}()"));
    }
    if vm.repr_guard.contains(&id) {
        return Ok(format!("{name}(...)"));
    }
    vm.enter_recursion_where(" while getting the repr of an object")?;
    vm.repr_guard.push(id);
    let r = (|| {
        let mut s = String::new();
        for (i, x) in d.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&vm.repr(x)?);
        }
        Ok(s)
    })();
    vm.repr_guard.pop();
    vm.leave_recursion();
    let body = r?;
    let exact = v.as_obj().is_some_and(|o| o.class.is_none());
    Ok(if !frozen && exact {
        format!("{{{body}}}")
    } else {
        format!("{name}({{{body}}})")
    })
}

fn this_data(v: &Value) -> SetData {
    data(v).unwrap_or_default()
}

fn set_new_common(vm: &mut Vm, args: &Args, frozen: bool) -> PyResult {
    let name = if frozen { "frozenset" } else { "set" };
    args.no_kwargs(vm, name)?;
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("{name} expected at most 1 argument, got {n}")));
    }
    let cls = args.pos[0].clone();
    let d = match args.pos.get(1) {
        Some(it) => vm.as_data(it)?,
        None => SetData::new(),
    };
    let exact = match &cls {
        Value::Obj(c) => {
            std::rc::Rc::ptr_eq(c, &vm.types.set) || std::rc::Rc::ptr_eq(c, &vm.types.frozenset)
        }
        _ => true,
    };
    if exact {
        if frozen {
            if let Some(it) = args.pos.get(1) {
                if matches!(it.kind(), Some(ObjKind::FrozenSet(_)))
                    && it.as_obj().is_some_and(|o| o.class.is_none())
                {
                    return Ok(it.clone());
                }
            }
        }
        return Ok(vm.set_value(d, frozen));
    }
    let Value::Obj(c) = &cls else { unreachable!() };
    let kind = if frozen {
        ObjKind::FrozenSet(Box::new(d))
    } else {
        ObjKind::Set(Box::new(RefCell::new(d)))
    };
    Ok(Value::Obj(vm.alloc_instance(
        c.clone(),
        ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
            attrs: Default::default(),
            base: kind,
        })),
    )))
}

fn set_new(vm: &mut Vm, args: Args) -> PyResult {
    set_new_common(vm, &args, false)
}

fn frozenset_new(vm: &mut Vm, args: Args) -> PyResult {
    set_new_common(vm, &args, true)
}

fn set_init(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::None)
}

fn add(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "set.add", 1, 1)?;
    vm.set_add(&args.pos[0], args.pos[1].clone())?;
    Ok(Value::None)
}

fn discard(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "set.discard", 1, 1)?;
    vm.set_discard(&args.pos[0], &args.pos[1])?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "set.remove", 1, 1)?;
    if !vm.set_discard(&args.pos[0], &args.pos[1])? {
        return Err(vm.key_error(args.pos[1].clone()));
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "set.pop", 0, 0)?;
    let Some(ObjKind::Set(cell)) = args.pos[0].kind() else {
        return Ok(Value::None);
    };
    let v = cell.borrow_mut().pop();
    match v {
        Some(v) => Ok(v),
        None => {
            let m = vm.new_str("pop from an empty set");
            Err(vm.key_error(m))
        }
    }
}

fn clear(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "set.clear", 0, 0)?;
    if let Some(ObjKind::Set(cell)) = args.pos[0].kind() {
        let old = cell.borrow_mut().drain();
        drop(old);
    }
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult {
    let d = this_data(&args.pos[0]);
    let frozen = is_frozen(&args.pos[0]);
    if frozen && args.pos[0].as_obj().is_some_and(|o| o.class.is_none()) {
        return Ok(args.pos[0].clone());
    }
    let table = d.table.copy();
    Ok(vm.set_value(
        SetData {
            table,
            slow: d.slow,
        },
        frozen,
    ))
}

fn multi_op(vm: &mut Vm, args: &Args, op: BinOp) -> PyResult<SetData> {
    let mut acc = this_data(&args.pos[0]);
    if args.pos.len() == 1 && op != BinOp::BitOr {
        return Ok(SetData {
            table: acc.table.copy(),
            slow: acc.slow,
        });
    }
    if op == BinOp::BitOr {
        acc = SetData {
            table: acc.table.copy(),
            slow: acc.slow,
        };
    }
    for other in &args.pos[1..] {
        let o = vm.as_data(other)?;
        acc = algebra_op(vm, op, &acc, &o)?;
    }
    Ok(acc)
}

macro_rules! set_algebra_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let d = multi_op(vm, &args, $op)?;
            let frozen = is_frozen(&args.pos[0]);
            Ok(vm.set_value(d, frozen))
        }
    };
}

set_algebra_method!(union, BinOp::BitOr);
set_algebra_method!(intersection, BinOp::BitAnd);
set_algebra_method!(difference, BinOp::Sub);
set_algebra_method!(symmetric_difference, BinOp::BitXor);

macro_rules! set_update_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let Some(ObjKind::Set(cell)) = args.pos[0].kind() else {
                return Ok(Value::None);
            };
            for other in &args.pos[1..] {
                if $op == BinOp::BitOr {
                    vm.set_update_value(&args.pos[0], other)?;
                    continue;
                }
                let x = cell.borrow().clone();
                let y = vm.as_data(other)?;
                let r = algebra_op(vm, $op, &x, &y)?;
                *cell.borrow_mut() = r;
            }
            Ok(Value::None)
        }
    };
}

set_update_method!(update, BinOp::BitOr);
set_update_method!(intersection_update, BinOp::BitAnd);
set_update_method!(difference_update, BinOp::Sub);
set_update_method!(symmetric_difference_update, BinOp::BitXor);

fn issubset(vm: &mut Vm, args: Args) -> PyResult {
    let other = vm.as_data(&args.pos[1])?;
    let o = vm.set_value(other, true);
    Ok(Value::from_bool(compare(
        vm,
        CmpKind::Le,
        &args.pos[0],
        &o,
    )?))
}

fn issuperset(vm: &mut Vm, args: Args) -> PyResult {
    let other = vm.as_data(&args.pos[1])?;
    let o = vm.set_value(other, true);
    Ok(Value::from_bool(compare(
        vm,
        CmpKind::Ge,
        &args.pos[0],
        &o,
    )?))
}

fn isdisjoint(vm: &mut Vm, args: Args) -> PyResult {
    let a = this_data(&args.pos[0]);
    let items = vm.collect_iterable(&args.pos[1])?;
    for x in items {
        if vm.data_contains(&a, &x)? {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn contains(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(
        vm.set_contains(&args.pos[0], &args.pos[1])?,
    ))
}

fn len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(this_data(&args.pos[0]).len() as i64))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    let len = this_data(&args.pos[0]).len();
    Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
        crate::vm::object::NativeIter::Set {
            set: o.clone(),
            idx: std::cell::Cell::new(0),
            len,
        },
    )))))
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

macro_rules! set_cmp_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            if !matches!(
                args.pos[1].kind(),
                Some(ObjKind::Set(_) | ObjKind::FrozenSet(_))
            ) {
                return Ok(vm.not_implemented());
            }
            Ok(Value::from_bool(compare(
                vm,
                $op,
                &args.pos[0],
                &args.pos[1],
            )?))
        }
    };
}

set_cmp_method!(eq, CmpKind::Eq);
set_cmp_method!(ne, CmpKind::Ne);
set_cmp_method!(lt, CmpKind::Lt);
set_cmp_method!(le, CmpKind::Le);
set_cmp_method!(gt, CmpKind::Gt);
set_cmp_method!(ge, CmpKind::Ge);

macro_rules! set_binop_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            match binop(vm, $op, &args.pos[0], &args.pos[1]) {
                Some(r) => r,
                None => Ok(vm.not_implemented()),
            }
        }
    };
}

set_binop_method!(or, BinOp::BitOr);
set_binop_method!(and, BinOp::BitAnd);
set_binop_method!(sub, BinOp::Sub);
set_binop_method!(xor, BinOp::BitXor);

fn frozenset_hash(vm: &mut Vm, args: Args) -> PyResult {
    let _ = vm;
    Ok(Value::Int(this_data(&args.pos[0]).frozenset_hash()))
}

/// Installs set and frozenset methods.
pub fn init(vm: &mut Vm) {
    let common: &[(&str, crate::vm::object::NativeFn)] = &[
        ("copy", copy),
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("isdisjoint", isdisjoint),
        ("__contains__", contains),
        ("__len__", len),
        ("__iter__", iter),
        ("__repr__", repr_m),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
        ("__or__", or),
        ("__and__", and),
        ("__sub__", sub),
        ("__xor__", xor),
    ];
    let set = vm.types.set.clone();
    let fset = vm.types.frozenset.clone();
    for (name, f) in common {
        vm.add_method(&set, name, *f);
        vm.add_method(&fset, name, *f);
    }
    let mutating: &[(&str, crate::vm::object::NativeFn)] = &[
        ("__init__", set_init),
        ("add", add),
        ("discard", discard),
        ("remove", remove),
        ("pop", pop),
        ("clear", clear),
        ("update", update),
        ("intersection_update", intersection_update),
        ("difference_update", difference_update),
        ("symmetric_difference_update", symmetric_difference_update),
    ];
    for (name, f) in mutating {
        vm.add_method(&set, name, *f);
    }
    vm.add_staticmethod(&set, "__new__", set_new);
    vm.add_staticmethod(&fset, "__new__", frozenset_new);
    vm.type_dict_set(&set, "__hash__", Value::None);
    vm.add_method(&fset, "__hash__", frozenset_hash);
    let _: Option<ObjRef> = None;
}
