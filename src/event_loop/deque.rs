//! The double-ended queue behind asyncio's waiter lists and `Queue`: a native `VecDeque`.
//!
//! Locks, events, conditions, semaphores and queues keep their waiting futures (and a
//! `Queue` its items) in one of these; it offers the part of `collections.deque` they use,
//! with CPython's messages. Iteration walks a snapshot, so waking waiters while iterating
//! is safe. Invariant: no `RefCell` borrow is held while a comparison runs Aio code.

use crate::vm::object::{Args, ExtObject, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::collections::VecDeque;

/// The payload of a deque object.
pub struct DequeObj {
    pub items: RefCell<VecDeque<Value>>,
}

impl ExtObject for DequeObj {
    fn type_name(&self) -> &str {
        "deque"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(items) = self.items.try_borrow() {
            items.iter().for_each(f);
        }
    }
    fn clear(&self) {
        if let Ok(mut items) = self.items.try_borrow_mut() {
            let old = std::mem::take(&mut *items);
            drop(items);
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn deque_of(v: &Value) -> Option<&DequeObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<DequeObj>(),
        _ => None,
    }
}

fn this<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<&'a DequeObj> {
    match args.pos.first().and_then(deque_of) {
        Some(d) => Ok(d),
        None => Err(vm.type_error("descriptor requires a 'deque' object".into())),
    }
}

fn arg<'a>(vm: &mut Vm, args: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    match args.pos.get(1) {
        Some(v) => Ok(v),
        None => Err(vm.type_error(format!(
            "deque.{name}() takes exactly one argument (0 given)"
        ))),
    }
}

/// `_asyncio._Deque(iterable=())`: a new deque.
pub fn f_new(vm: &mut Vm, args: Args) -> PyResult {
    let items = match args.pos.first() {
        Some(it) => vm.collect_iterable(it)?,
        None => Vec::new(),
    };
    let cls = super::types(vm).deque.clone();
    Ok(Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(DequeObj {
            items: RefCell::new(items.into()),
        })),
    )))
}

fn append(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let v = arg(vm, &args, "append")?.clone();
    d.items.borrow_mut().push_back(v);
    Ok(Value::None)
}

fn appendleft(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let v = arg(vm, &args, "appendleft")?.clone();
    d.items.borrow_mut().push_front(v);
    Ok(Value::None)
}

fn popleft(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let v = d.items.borrow_mut().pop_front();
    v.ok_or_else(|| vm.index_error("pop from an empty deque".into()))
}

fn pop(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let v = d.items.borrow_mut().pop_back();
    v.ok_or_else(|| vm.index_error("pop from an empty deque".into()))
}

/// True for builtin futures and native objects: they compare by identity.
fn identity_only(v: &Value) -> bool {
    match v {
        Value::Obj(o) => {
            matches!(
                o.kind,
                ObjKind::Future(_) | ObjKind::Ext(_) | ObjKind::EventWait(_)
            ) && o
                .class
                .as_ref()
                .is_some_and(|c| c.as_type().is_some_and(|t| t.builtin))
        }
        _ => false,
    }
}

/// Index of the first item equal to `x` (identity first, as CPython compares).
fn find(vm: &mut Vm, d: &DequeObj, x: &Value) -> PyResult<Option<usize>> {
    // Waiter lists hold futures, compared by identity: scan without running Aio code as far
    // as no comparison needs it.
    let mut start = 0;
    {
        let items = d.items.borrow();
        for (i, v) in items.iter().enumerate() {
            start = i;
            if v.is(x) {
                return Ok(Some(i));
            }
            match crate::types::dict::fast_eq(v, x) {
                Some(true) => return Ok(Some(i)),
                Some(false) => {}
                None if identity_only(v) && identity_only(x) => {}
                None => break,
            }
            start = i + 1;
        }
    }
    let mut i = start;
    loop {
        let item = match d.items.borrow().get(i) {
            Some(v) => v.clone(),
            None => return Ok(None),
        };
        if item.is(x) || vm.eq(&item, x)? {
            return Ok(Some(i));
        }
        i += 1;
    }
}

fn remove(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let x = arg(vm, &args, "remove")?.clone();
    match find(vm, d, &x)? {
        Some(i) => {
            let old = d.items.borrow_mut().remove(i);
            drop(old);
            Ok(Value::None)
        }
        None => Err(vm.value_error("deque.remove(x): x not in deque".into())),
    }
}

fn contains(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let x = arg(vm, &args, "__contains__")?.clone();
    Ok(Value::from_bool(find(vm, d, &x)?.is_some()))
}

fn clear(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let old = std::mem::take(&mut *d.items.borrow_mut());
    drop(old);
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    Ok(Value::Int(d.items.borrow().len() as i64))
}

fn bool_(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    Ok(Value::from_bool(!d.items.borrow().is_empty()))
}

fn snapshot(d: &DequeObj) -> Vec<Value> {
    d.items.borrow().iter().cloned().collect()
}

fn iter(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let l = vm.new_list(snapshot(d));
    vm.get_iter(&l)
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let n = d.items.borrow().len() as i64;
    let i = match args.pos.get(1) {
        Some(Value::Int(i)) => *i,
        Some(Value::Bool(b)) => b.get() as i64,
        Some(v) => {
            let t = vm.type_name(v);
            return Err(vm.type_error(format!("sequence index must be integer, not '{t}'")));
        }
        None => return Err(vm.type_error("deque index missing".into())),
    };
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(vm.index_error("deque index out of range".into()));
    }
    let v = d.items.borrow()[j as usize].clone();
    Ok(v)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(vm, &args)?;
    let l = vm.new_list(snapshot(d));
    let r = vm.repr(&l)?;
    Ok(vm.new_str(format!("deque({r})")))
}

/// Installs the deque type's methods.
pub fn init(vm: &mut Vm, cls: &ObjRef) {
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("append", append),
        ("appendleft", appendleft),
        ("popleft", popleft),
        ("pop", pop),
        ("remove", remove),
        ("clear", clear),
        ("__len__", len),
        ("__bool__", bool_),
        ("__iter__", iter),
        ("__contains__", contains),
        ("__getitem__", getitem),
        ("__repr__", repr),
    ];
    vm.add_methods(cls, methods);
}
