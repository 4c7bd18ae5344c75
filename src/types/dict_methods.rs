//! `dict` at the VM level: lookups that may run user `__eq__`/`__hash__`, the dict methods,
//! namespace and global-variable access.
//! Invariant: the table's `RefCell` is borrowed only for native work; user `__eq__` runs after
//! the borrow ends, and a lookup restarts if the entry it matched moved meanwhile.

use super::dict::{Dict, Probe};
use crate::compile::code::Code;
use crate::syntax::ast::BinOp;
use crate::vm::frame::Frame;
use crate::vm::object::{Args, DictViewKind, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

/// The table of a dict object (or dict subclass instance).
pub fn table(o: &ObjRef) -> &RefCell<Dict> {
    match o.payload() {
        ObjKind::Dict(d) => d,
        _ => panic!("not a dict"),
    }
}

impl Vm {
    /// Index of `key` in dict `d`, given its hash.
    pub fn dict_find(&mut self, d: &ObjRef, hash: i64, key: &Value) -> PyResult<Option<usize>> {
        loop {
            let probe = table(d).borrow().probe(hash, key);
            match probe {
                Probe::Found(i) => return Ok(Some(i)),
                Probe::Missing => return Ok(None),
                Probe::Slow(cands) => {
                    let mut restart = false;
                    for c in cands {
                        if self.eq(&c, key)? {
                            match table(d).borrow().find_identical(hash, &c) {
                                Some(i) => return Ok(Some(i)),
                                None => {
                                    restart = true;
                                    break;
                                }
                            }
                        }
                    }
                    if !restart {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// `d.get(key)` without a default.
    pub fn dict_get(&mut self, d: &ObjRef, key: &Value) -> PyResult<Option<Value>> {
        let hash = self.hash(key)?;
        Ok(self
            .dict_find(d, hash, key)?
            .map(|i| table(d).borrow().value_at(i).clone()))
    }

    /// `d[key] = v`.
    pub fn dict_set(&mut self, d: &ObjRef, key: Value, v: Value) -> PyResult<()> {
        let hash = self.hash(&key)?;
        self.dict_set_hashed(d, hash, key, v)
    }

    pub(crate) fn dict_set_hashed(
        &mut self,
        d: &ObjRef,
        hash: i64,
        key: Value,
        v: Value,
    ) -> PyResult<()> {
        match self.dict_find(d, hash, &key)? {
            Some(i) => {
                let old = table(d).borrow_mut().set_value_at(i, v);
                drop(old);
            }
            None => {
                self.reserve(3 * std::mem::size_of::<Value>())?;
                table(d).borrow_mut().insert_new(hash, key, v);
            }
        }
        Ok(())
    }

    /// `del d[key]`; false when absent.
    pub fn dict_del(&mut self, d: &ObjRef, key: &Value) -> PyResult<bool> {
        let hash = self.hash(key)?;
        match self.dict_find(d, hash, key)? {
            Some(i) => {
                let old = table(d).borrow_mut().remove_at(i);
                drop(old);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Lookup of a str key given as Rust text.
    pub fn dict_get_str(&self, d: &ObjRef, key: &str) -> Option<Value> {
        let hash = crate::hash::hash_str(&self.hash_secret, key);
        let t = table(d).borrow();
        t.find_str(hash, key).map(|i| t.value_at(i).clone())
    }

    /// Lookup of a str key value (uses its cached hash).
    pub fn dict_get_str_value(&mut self, d: &ObjRef, key: &Value) -> Option<Value> {
        let hash = self.str_hash(key);
        let s = key.as_str()?;
        let t = table(d).borrow();
        t.find_str(hash, s).map(|i| t.value_at(i).clone())
    }

    /// `d[key] = v` for a str key given as Rust text.
    pub fn dict_set_str(&mut self, d: &ObjRef, key: &str, v: Value) {
        let k = self.intern(key);
        let hash = self.str_hash(&k);
        let mut t = table(d).borrow_mut();
        match t.find_str(hash, key) {
            Some(i) => {
                t.set_value_at(i, v);
            }
            None => {
                t.insert_new(hash, k, v);
            }
        }
    }

    /// `key in d`.
    pub fn dict_contains(&mut self, dv: &Value, key: &Value) -> PyResult<bool> {
        let Value::Obj(d) = dv else { return Ok(false) };
        let hash = self.hash(key)?;
        Ok(self.dict_find(d, hash, key)?.is_some())
    }

    /// `d[key]`, with `__missing__` for subclasses.
    pub fn dict_getitem(&mut self, dv: &Value, key: &Value) -> PyResult {
        let Value::Obj(d) = dv else {
            return Err(self.key_error(key.clone()));
        };
        if let Some(v) = self.dict_get(d, key)? {
            return Ok(v);
        }
        if d.class.is_some() {
            let ty = self.type_of(dv).clone();
            let n = self.intern("__missing__");
            if let Some(f) = self.lookup_type(&ty, &n) {
                let f = self.bind_descriptor(f, dv, &ty)?;
                return self.call(&f, std::slice::from_ref(key));
            }
        }
        Err(self.key_error(key.clone()))
    }

    /// Snapshot of a dict's entries.
    pub fn dict_items(&self, d: &ObjRef) -> Vec<(Value, Value)> {
        table(d)
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// `DictUpdate`/`DictMerge`: merges a mapping into the dict `dv`.
    pub(crate) fn dict_update_value(
        &mut self,
        dv: &Value,
        other: &Value,
        merge: bool,
        frame: &Frame,
    ) -> PyResult<()> {
        let Value::Obj(d) = dv else { return Ok(()) };
        let pairs = match self.mapping_items(other) {
            Ok(p) => p,
            Err(e) if self.exc_is(&e, "TypeError") || self.exc_is(&e, "AttributeError") => {
                let msg = if merge {
                    let fname = self.callee_name(frame);
                    format!(
                        "{fname} argument after ** must be a mapping, not {}",
                        self.type_name(other)
                    )
                } else {
                    format!("'{}' object is not a mapping", self.type_name(other))
                };
                return Err(self.type_error(msg));
            }
            Err(e) => return Err(e),
        };
        for (k, v) in pairs {
            if merge {
                let hash = self.hash(&k)?;
                if self.dict_find(d, hash, &k)?.is_some() {
                    let fname = self.callee_name(frame);
                    let ks = k.as_str().map(|s| s.to_string()).unwrap_or_default();
                    return Err(self.type_error(format!(
                        "{fname} got multiple values for keyword argument '{ks}'"
                    )));
                }
                if k.as_str().is_none() {
                    return Err(self.type_error("keywords must be strings".into()));
                }
                table(d).borrow_mut().insert_new(hash, k, v);
            } else {
                self.dict_set(d, k, v)?;
            }
        }
        Ok(())
    }

    /// Name of the function a `CallEx` is about to call (for error messages).
    fn callee_name(&mut self, frame: &Frame) -> String {
        // Stack: callable self_or_null args_tuple kwargs_dict (being built).
        let n = frame.stack.len();
        let f = if n >= 4 {
            frame.stack[n - 4].clone()
        } else {
            Value::None
        };
        self.function_str(&f)
    }

    /// Key/value pairs of a mapping (a dict, or anything with `keys()` and `[]`).
    pub fn mapping_items(&mut self, m: &Value) -> PyResult<Vec<(Value, Value)>> {
        if let Value::Obj(o) = m {
            if let ObjKind::Dict(_) = o.payload() {
                if o.class.is_none() || !self.overrides(m, "keys") {
                    return Ok(self.dict_items(o));
                }
            }
        }
        let keys = self.call_method(m, "keys", &[])?;
        let keys = self.collect_iterable(&keys)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let v = self.get_item(m, &k)?;
            out.push((k, v));
        }
        Ok(out)
    }

    /// `LoadGlobal` with its inline cache.
    #[inline(always)]
    pub(crate) fn load_global(
        &mut self,
        frame: &Frame,
        code: &Code,
        ip: usize,
        ni: u32,
    ) -> PyResult {
        let slot = code.cache_index[ip] as usize;
        let c = code.global_caches[slot].get();
        {
            let gt = table(&frame.globals).borrow();
            if c.version == gt.version() && c.version != 0 {
                if !c.builtin {
                    return Ok(gt.value_at(c.index as usize).clone());
                }
                let builtins_dict = match &self.builtins.kind {
                    ObjKind::Module(m) => &m.dict,
                    _ => unreachable!(),
                };
                let bt = table(builtins_dict).borrow();
                if c.builtins_version == bt.version() {
                    return Ok(bt.value_at(c.index as usize).clone());
                }
            }
        }
        self.load_global_slow(frame, code, slot, ni)
    }

    /// `LoadGlobal` on a cache miss: looks the name up and refills the cache.
    #[inline(never)]
    fn load_global_slow(&mut self, frame: &Frame, code: &Code, slot: usize, ni: u32) -> PyResult {
        let cache = &code.global_caches[slot];
        let g = table(&frame.globals);
        let builtins_dict = match &self.builtins.kind {
            ObjKind::Module(m) => &m.dict,
            _ => unreachable!(),
        };
        let name = &code.names[ni as usize];
        let hash = self.str_hash(name);
        let s = name.as_str().unwrap_or("");
        let gt = g.borrow();
        if let Some(i) = gt.find_str(hash, s) {
            cache.set(crate::compile::code::GlobalCache {
                version: gt.version(),
                index: i as u32,
                builtin: false,
                builtins_version: 0,
            });
            return Ok(gt.value_at(i).clone());
        }
        let bt = table(builtins_dict).borrow();
        if let Some(i) = bt.find_str(hash, s) {
            cache.set(crate::compile::code::GlobalCache {
                version: gt.version(),
                index: i as u32,
                builtin: true,
                builtins_version: bt.version(),
            });
            return Ok(bt.value_at(i).clone());
        }
        drop(gt);
        drop(bt);
        let name = name.clone();
        Err(self.name_error(&name))
    }

    /// `LoadName`: namespace, then globals, then builtins.
    pub(crate) fn load_name_slow(&mut self, frame: &Frame, name: &Value) -> PyResult {
        if let Some(v) = self.namespace_get(&frame.namespace, name)? {
            return Ok(v);
        }
        let g = frame.globals.clone();
        if let Some(v) = self.dict_get_str_value(&g, name) {
            return Ok(v);
        }
        let b = match &self.builtins.kind {
            ObjKind::Module(m) => m.dict.clone(),
            _ => unreachable!(),
        };
        if let Some(v) = self.dict_get_str_value(&b, name) {
            return Ok(v);
        }
        Err(self.name_error(name))
    }

    /// Looks a name up in a class-body namespace (a dict object); None when absent.
    pub(crate) fn namespace_get(&mut self, ns: &Value, name: &Value) -> PyResult<Option<Value>> {
        match ns {
            Value::Obj(d) => {
                if d.class.is_none() {
                    return Ok(self.dict_get_str_value(d, name));
                }
                match self.get_item(ns, name) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if self.exc_is(&e, "KeyError") => Ok(None),
                    Err(e) => Err(e),
                }
            }
            _ => Ok(None),
        }
    }

    /// `StoreName`: into the namespace, or the globals of module-level code.
    pub(crate) fn namespace_set(
        &mut self,
        ns: &Value,
        globals: &ObjRef,
        name: Value,
        v: Value,
    ) -> PyResult<()> {
        match ns {
            Value::Obj(d) => {
                if d.class.is_none() {
                    self.dict_set(d, name, v)
                } else {
                    self.set_item(ns, name, v)
                }
            }
            _ => self.dict_set(globals, name, v),
        }
    }

    /// `SetupAnnotations`: creates `__annotations__` in the namespace if missing.
    pub(crate) fn setup_annotations(&mut self, frame: &Frame) -> PyResult<()> {
        let target = match &frame.namespace {
            Value::Obj(d) => d.clone(),
            _ => frame.globals.clone(),
        };
        if self.dict_get_str(&target, "__annotations__").is_none() {
            let d = self.new_dict();
            self.dict_set_str(&target, "__annotations__", d);
        }
        Ok(())
    }
}

/// `dict == dict`.
pub fn dict_eq(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    vm.enter_recursion_where(" in comparison")?;
    let r = dict_eq_items(vm, a, b);
    vm.leave_recursion();
    r
}

fn dict_eq_items(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let (Value::Obj(x), Value::Obj(y)) = (a, b) else {
        return Ok(false);
    };
    if table(x).borrow().len() != table(y).borrow().len() {
        return Ok(false);
    }
    for (k, v) in vm.dict_items(x) {
        match vm.dict_get(y, &k)? {
            Some(w) => {
                if !(v.is(&w) || vm.eq(&v, &w)?) {
                    return Ok(false);
                }
            }
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// `repr(dict)`.
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let Value::Obj(d) = v else {
        return Ok("{}".into());
    };
    let id = v.identity();
    if vm.repr_guard.contains(&id) {
        return Ok("{...}".into());
    }
    let items = vm.dict_items(d);
    if items.is_empty() {
        return Ok("{}".into());
    }
    vm.enter_recursion_where(" while getting the repr of an object")?;
    vm.repr_guard.push(id);
    let r = (|| {
        let mut s = String::from("{");
        for (i, (k, x)) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&vm.repr(k)?);
            s.push_str(": ");
            s.push_str(&vm.repr(x)?);
        }
        s.push('}');
        Ok(s)
    })();
    vm.repr_guard.pop();
    vm.leave_recursion();
    r
}

/// `dict | other`.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if op != BinOp::BitOr {
        return None;
    }
    let (Some(ObjKind::Dict(_)), Some(ObjKind::Dict(_))) = (a.kind(), b.kind()) else {
        return None;
    };
    Some((|| {
        let Value::Obj(x) = a else { unreachable!() };
        let Value::Obj(y) = b else { unreachable!() };
        let d = vm.new_dict_obj();
        *table(&d).borrow_mut() = table(x).borrow().clone();
        for (k, v) in vm.dict_items(y) {
            vm.dict_set(&d, k, v)?;
        }
        Ok(Value::Obj(d))
    })())
}

/// `dict |= other`.
pub fn inplace_or(vm: &mut Vm, a: &Value, b: &Value) -> Option<PyResult> {
    let Value::Obj(x) = a else { return None };
    Some((|| {
        let items = vm.mapping_items(b)?;
        for (k, v) in items {
            vm.dict_set(x, k, v)?;
        }
        Ok(a.clone())
    })())
}

fn this(args: &Args) -> ObjRef {
    match &args.pos[0] {
        Value::Obj(o) => o.clone(),
        _ => panic!("dict method on a non-dict"),
    }
}

fn view(vm: &mut Vm, args: &Args, kind: DictViewKind, name: &str) -> PyResult {
    args.method_range(vm, name, 0, 0)?;
    let d = this(args);
    Ok(Value::Obj(vm.alloc(ObjKind::DictView(Box::new((d, kind))))))
}

fn keys(vm: &mut Vm, args: Args) -> PyResult {
    view(vm, &args, DictViewKind::Keys, "dict.keys")
}

fn values(vm: &mut Vm, args: Args) -> PyResult {
    view(vm, &args, DictViewKind::Values, "dict.values")
}

fn items(vm: &mut Vm, args: Args) -> PyResult {
    view(vm, &args, DictViewKind::Items, "dict.items")
}

fn get(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "get")?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    rest.check_positional(vm, "get", 1, 2)?;
    let d = this(&args);
    Ok(vm
        .dict_get(&d, &args.pos[1])?
        .unwrap_or_else(|| args.pos.get(2).cloned().unwrap_or(Value::None)))
}

fn setdefault(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "setdefault", 1, 2)?;
    let d = this(&args);
    let key = args.pos[1].clone();
    let hash = vm.hash(&key)?;
    if let Some(i) = vm.dict_find(&d, hash, &key)? {
        return Ok(table(&d).borrow().value_at(i).clone());
    }
    let v = args.pos.get(2).cloned().unwrap_or(Value::None);
    table(&d).borrow_mut().insert_new(hash, key, v.clone());
    Ok(v)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "pop", 1, 2)?;
    let d = this(&args);
    let key = args.pos[1].clone();
    let hash = vm.hash(&key)?;
    match vm.dict_find(&d, hash, &key)? {
        Some(i) => Ok(table(&d).borrow_mut().remove_at(i).1),
        None => match args.pos.get(2) {
            Some(v) => Ok(v.clone()),
            None => Err(vm.key_error(key)),
        },
    }
}

fn popitem(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "dict.popitem", 0, 0)?;
    let d = this(&args);
    let last = table(&d).borrow_mut().pop_last();
    match last {
        Some((k, v)) => Ok(vm.new_tuple(vec![k, v])),
        None => {
            let m = vm.new_str("popitem(): dictionary is empty");
            Err(vm.key_error(m))
        }
    }
}

/// Adds `arg` (a mapping or iterable of pairs) and keyword arguments to dict `d`.
pub fn update_from(vm: &mut Vm, d: &ObjRef, arg: Option<&Value>, args: &Args) -> PyResult<()> {
    if let Some(arg) = arg {
        let is_mapping = match arg.kind() {
            Some(ObjKind::Dict(_)) => true,
            _ => vm.getattr_opt(arg, "keys")?.is_some(),
        };
        if is_mapping {
            for (k, v) in vm.mapping_items(arg)? {
                vm.dict_set(d, k, v)?;
            }
        } else {
            let items = vm.collect_iterable(arg)?;
            for (i, item) in items.into_iter().enumerate() {
                let pair = match vm.collect_iterable(&item) {
                    Ok(p) => p,
                    Err(e) if vm.exc_is(&e, "TypeError") => {
                        let msg = format!(
                            "cannot convert dictionary update sequence element #{i} to a sequence"
                        );
                        return Err(vm.type_error(msg));
                    }
                    Err(e) => return Err(e),
                };
                if pair.len() != 2 {
                    let msg = format!(
                        "dictionary update sequence element #{i} has length {}; 2 is required",
                        pair.len()
                    );
                    return Err(vm.value_error(msg));
                }
                let mut it = pair.into_iter();
                let k = it.next().expect("two");
                let v = it.next().expect("two");
                vm.dict_set(d, k, v)?;
            }
        }
    }
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        vm.dict_set(d, k.clone(), v.clone())?;
    }
    Ok(())
}

fn update(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("update expected at most 1 argument, got {n}")));
    }
    let d = this(&args);
    update_from(vm, &d, args.pos.get(1), &args)?;
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "dict.clear", 0, 0)?;
    let d = this(&args);
    let old = std::mem::take(&mut *table(&d).borrow_mut());
    drop(old);
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "dict.copy", 0, 0)?;
    let d = this(&args);
    let n = vm.new_dict_obj();
    let mut t = table(&d).borrow().clone();
    t.compact();
    *table(&n).borrow_mut() = t;
    Ok(Value::Obj(n))
}

fn fromkeys(vm: &mut Vm, args: Args) -> PyResult {
    let cls = args.pos[0].clone();
    let keys = args.pos.get(1).cloned().unwrap_or(Value::None);
    let value = args.pos.get(2).cloned().unwrap_or(Value::None);
    let d = vm.call(&cls, &[])?;
    let ks = vm.collect_iterable(&keys)?;
    for k in ks {
        vm.set_item(&d, k, value.clone())?;
    }
    Ok(d)
}

fn dict_new(vm: &mut Vm, args: Args) -> PyResult {
    let cls = args.pos[0].clone();
    if let Value::Obj(c) = &cls {
        if !std::rc::Rc::ptr_eq(c, &vm.types.dict) {
            return Ok(Value::Obj(vm.new_instance(c)?));
        }
    }
    let d = vm.new_dict_obj();
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("dict expected at most 1 argument, got {n}")));
    }
    update_from(vm, &d, args.pos.get(1), &args)?;
    Ok(Value::Obj(d))
}

fn dict_init(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(&args);
    if d.class.is_some() {
        if args.pos.len() > 2 {
            let n = args.pos.len() - 1;
            return Err(vm.type_error(format!("dict expected at most 1 argument, got {n}")));
        }
        update_from(vm, &d, args.pos.get(1), &args)?;
    }
    Ok(Value::None)
}

fn dict_getitem_m(vm: &mut Vm, args: Args) -> PyResult {
    vm.dict_getitem(&args.pos[0], &args.pos[1])
}

fn dict_setitem_m(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(&args);
    vm.dict_set(&d, args.pos[1].clone(), args.pos[2].clone())?;
    Ok(Value::None)
}

fn dict_delitem_m(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(&args);
    if !vm.dict_del(&d, &args.pos[1])? {
        return Err(vm.key_error(args.pos[1].clone()));
    }
    Ok(Value::None)
}

fn dict_contains_m(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(
        vm.dict_contains(&args.pos[0], &args.pos[1])?,
    ))
}

fn dict_len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(table(&this(&args)).borrow().len() as i64))
}

fn dict_iter(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(&args);
    let len = table(&d).borrow().len();
    Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
        crate::vm::object::NativeIter::Dict {
            dict: d,
            idx: std::cell::Cell::new(0),
            len,
            kind: DictViewKind::Keys,
        },
    )))))
}

fn dict_reversed(vm: &mut Vm, args: Args) -> PyResult {
    let d = this(&args);
    let mut keys: Vec<Value> = table(&d).borrow().iter().map(|(k, _)| k.clone()).collect();
    keys.reverse();
    let l = vm.new_list(keys);
    vm.get_iter(&l)
}

fn dict_repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

fn dict_eq_m(vm: &mut Vm, args: Args) -> PyResult {
    match args.pos[1].kind() {
        Some(ObjKind::Dict(_)) => Ok(Value::from_bool(dict_eq(vm, &args.pos[0], &args.pos[1])?)),
        _ => Ok(vm.not_implemented()),
    }
}

fn dict_or_m(vm: &mut Vm, args: Args) -> PyResult {
    match binop(vm, BinOp::BitOr, &args.pos[0], &args.pos[1]) {
        Some(r) => r,
        None => Ok(vm.not_implemented()),
    }
}

/// Installs dict methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.dict.clone();
    vm.add_staticmethod(&t, "__new__", dict_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("__init__", dict_init),
        ("keys", keys),
        ("values", values),
        ("items", items),
        ("get", get),
        ("setdefault", setdefault),
        ("pop", pop),
        ("popitem", popitem),
        ("update", update),
        ("clear", clear),
        ("copy", copy),
        ("__getitem__", dict_getitem_m),
        ("__setitem__", dict_setitem_m),
        ("__delitem__", dict_delitem_m),
        ("__contains__", dict_contains_m),
        ("__len__", dict_len),
        ("__iter__", dict_iter),
        ("__reversed__", dict_reversed),
        ("__repr__", dict_repr_m),
        ("__eq__", dict_eq_m),
        ("__or__", dict_or_m),
    ];
    for (name, f) in methods {
        vm.add_method(&t, name, *f);
    }
    vm.add_classmethod(&t, "fromkeys", fromkeys);
    vm.type_dict_set(&t, "__hash__", Value::None);
}
