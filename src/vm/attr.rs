//! Attribute access: Python's lookup rules for instances, classes, modules and `super`.
//!
//! Instance lookup: a data descriptor on the type wins, then the instance's own attributes,
//! then other class attributes (functions become bound methods), then `__getattr__`.
//! Invariant: no `RefCell` borrow of attribute storage is held while a descriptor, property or
//! `__getattr__` runs.

use super::object::{
    Attrs, NativeFunction, ObjKind, HOOK_GETATTR, HOOK_GETATTRIBUTE, HOOK_SETATTR,
};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// Inline attribute lists longer than this become dict objects.
pub(super) const MAX_INLINE_ATTRS: usize = 24;

/// Lets the class's hint (which sizes its next instances' attribute storage) grow to `n`.
pub(super) fn note_attr_count(cls: &ObjRef, n: usize) {
    if let Some(t) = cls.as_type() {
        if n > t.attr_hint.get() {
            t.attr_hint.set(n);
        }
    }
}

pub(super) fn same_name(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Obj(x), Value::Obj(y)) => {
            Rc::ptr_eq(x, y)
                || match (&x.kind, &y.kind) {
                    (ObjKind::Str(s), ObjKind::Str(t)) => s.as_str() == t.as_str(),
                    _ => false,
                }
        }
        _ => false,
    }
}

impl Vm {
    /// Looks `name` up in class `cls` and its bases (no descriptor binding).
    #[inline]
    pub fn lookup_type(&mut self, cls: &ObjRef, name: &Value) -> Option<Value> {
        self.lookup_type_cached(cls, name)
    }

    /// `lookup_type` without the cache: one dict probe per class of the MRO.
    pub(crate) fn lookup_type_uncached(&mut self, cls: &ObjRef, name: &Value) -> Option<Value> {
        let t = cls.as_type()?;
        let hash = self.str_hash(name);
        let s = name.as_str()?;
        {
            let d = t.dict.borrow();
            if let Some(i) = d.find_str(hash, s) {
                return Some(d.value_at(i).clone());
            }
        }
        for b in &t.mro {
            if let Some(bt) = b.as_type() {
                let d = bt.dict.borrow();
                if let Some(i) = d.find_str(hash, s) {
                    return Some(d.value_at(i).clone());
                }
            }
        }
        None
    }

    /// Looks `name` up in the class's own dict only.
    pub fn type_dict_get(&mut self, cls: &ObjRef, name: &Value) -> Option<Value> {
        let t = cls.as_type()?;
        let hash = self.str_hash(name);
        let s = name.as_str()?;
        let d = t.dict.borrow();
        d.find_str(hash, s).map(|i| d.value_at(i).clone())
    }

    /// Sets a class attribute directly (no descriptors, no checks).
    pub fn type_dict_set(&mut self, cls: &ObjRef, name: &str, v: Value) {
        self.type_epoch += 1;
        super::type_cache::invalidate_type(cls);
        let key = self.intern(name);
        let hash = self.str_hash(&key);
        if let Some(t) = cls.as_type() {
            let mut d = t.dict.borrow_mut();
            match d.find_str(hash, name) {
                Some(i) => {
                    d.set_value_at(i, v);
                }
                None => {
                    d.insert_new(hash, key, v);
                }
            }
        }
    }

    /// The value of an instance attribute stored on the object itself.
    pub(crate) fn attrs_get(&mut self, a: &RefCell<Attrs>, name: &Value) -> Option<Value> {
        let d = {
            let attrs = a.borrow();
            match &*attrs {
                Attrs::Inline(items) => {
                    // Interned names match by pointer; fall back to text comparison.
                    for (k, v) in items.iter() {
                        if k.is(name) {
                            return Some(v.clone());
                        }
                    }
                    for (k, v) in items.iter() {
                        if same_name(k, name) {
                            return Some(v.clone());
                        }
                    }
                    return None;
                }
                Attrs::Dict(d) => d.clone(),
            }
        };
        self.dict_get_str_value(&d, name)
    }

    /// Stores an instance attribute.
    pub(crate) fn attrs_set(&mut self, a: &RefCell<Attrs>, name: Value, v: Value) -> PyResult<()> {
        // Inline keys are always interned (as CPython interns attribute names), so that a
        // lookup by an interned name can compare pointers only (`Vm::load_method_cached`).
        let name = match name.as_str() {
            Some(s) => self.intern(s),
            None => name,
        };
        let d = {
            let mut attrs = a.borrow_mut();
            match &mut *attrs {
                Attrs::Inline(items) => {
                    if let Some(slot) = items.iter_mut().find(|(k, _)| same_name(k, &name)) {
                        let old = std::mem::replace(&mut slot.1, v);
                        drop(attrs);
                        drop(old);
                        return Ok(());
                    }
                    if items.len() < MAX_INLINE_ATTRS {
                        items.push((name, v));
                        return Ok(());
                    }
                    None
                }
                Attrs::Dict(d) => Some(d.clone()),
            }
        };
        let d = match d {
            Some(d) => d,
            None => self.materialize_attrs(a)?,
        };
        self.dict_set(&d, name, v)
    }

    /// Removes an instance attribute; false when absent.
    pub(crate) fn attrs_del(&mut self, a: &RefCell<Attrs>, name: &Value) -> PyResult<bool> {
        let d = {
            let mut attrs = a.borrow_mut();
            match &mut *attrs {
                Attrs::Inline(items) => {
                    return Ok(match items.iter().position(|(k, _)| same_name(k, name)) {
                        Some(i) => {
                            let old = items.remove(i);
                            drop(attrs);
                            drop(old);
                            true
                        }
                        None => false,
                    });
                }
                Attrs::Dict(d) => d.clone(),
            }
        };
        self.dict_del(&d, name)
    }

    /// Turns inline attributes into a dict object (for `__dict__`) and returns it.
    pub(crate) fn materialize_attrs(&mut self, a: &RefCell<Attrs>) -> PyResult<ObjRef> {
        let items = {
            let mut attrs = a.borrow_mut();
            match &mut *attrs {
                Attrs::Dict(d) => return Ok(d.clone()),
                Attrs::Inline(items) => std::mem::take(items),
            }
        };
        let d = self.new_dict_obj();
        for (k, v) in items {
            self.dict_set(&d, k, v)?;
        }
        *a.borrow_mut() = Attrs::Dict(d.clone());
        Ok(d)
    }

    /// True when `d` (a class attribute) is a data descriptor.
    fn is_data_descriptor(&mut self, d: &Value) -> bool {
        match d.kind() {
            Some(ObjKind::Property(_)) | Some(ObjKind::GetSet(_)) => true,
            Some(ObjKind::Function(_))
            | Some(ObjKind::Native(_))
            | Some(ObjKind::StaticMethod(_))
            | Some(ObjKind::ClassMethod(_))
            | Some(ObjKind::Str(_))
            | Some(ObjKind::Type(_))
            | None => false,
            _ => {
                let Value::Obj(o) = d else { return false };
                if o.class.is_none() {
                    return false;
                }
                let ty = self.type_of(d).clone();
                let set = self.intern("__set__");
                let del = self.intern("__delete__");
                self.lookup_type(&ty, &set).is_some() || self.lookup_type(&ty, &del).is_some()
            }
        }
    }

    /// Binds a class attribute found for instance `obj` of type `ty`.
    pub fn bind_descriptor(&mut self, d: Value, obj: &Value, ty: &ObjRef) -> PyResult {
        let Value::Obj(o) = &d else { return Ok(d) };
        match &o.kind {
            ObjKind::Function(_) => Ok(Value::Obj(
                self.alloc(ObjKind::BoundMethod(Box::new((d.clone(), obj.clone())))),
            )),
            ObjKind::Native(n) if n.bound.is_null() => Ok(self.bind_native(n, obj.clone())),
            ObjKind::StaticMethod(f) => Ok(f.clone()),
            ObjKind::ClassMethod(f) => {
                let f = f.clone();
                self.classmethod_get(f, ty)
            }
            ObjKind::Property(p) => {
                if p.fget.is_none() {
                    return Err(self.attribute_error("unreadable attribute".into()));
                }
                let fget = p.fget.clone();
                self.call(&fget, std::slice::from_ref(obj))
            }
            ObjKind::GetSet(g) => (g.get)(self, obj),
            _ if o.class.is_some() => {
                let dty = self.type_of(&d).clone();
                let get = self.intern("__get__");
                match self.lookup_type(&dty, &get) {
                    Some(g) => self.call(&g, &[d.clone(), obj.clone(), Value::Obj(ty.clone())]),
                    None => Ok(d),
                }
            }
            _ => Ok(d),
        }
    }

    /// `classmethod.__get__`: binds the wrapped callable to `cls`; a wrapped descriptor
    /// (such as a property) is asked for its value with `cls` as the instance, as 3.11 does.
    fn classmethod_get(&mut self, f: Value, cls: &ObjRef) -> PyResult {
        let clsv = Value::Obj(cls.clone());
        match f.kind() {
            Some(ObjKind::Property(_)) => {
                let meta = self.type_of(&clsv).clone();
                self.bind_descriptor(f, &clsv, &meta)
            }
            Some(ObjKind::Function(_)) | Some(ObjKind::Native(_)) | None => Ok(Value::Obj(
                self.alloc(ObjKind::BoundMethod(Box::new((f, clsv)))),
            )),
            Some(_) if f.as_obj().is_some_and(|o| o.class.is_some()) => {
                let dty = self.type_of(&f).clone();
                let get = self.intern("__get__");
                match self.lookup_type(&dty, &get) {
                    Some(g) => self.call(&g, &[f.clone(), clsv.clone(), clsv]),
                    None => Ok(Value::Obj(
                        self.alloc(ObjKind::BoundMethod(Box::new((f, clsv)))),
                    )),
                }
            }
            Some(_) => Ok(Value::Obj(
                self.alloc(ObjKind::BoundMethod(Box::new((f, clsv)))),
            )),
        }
    }

    /// A native method bound to `obj`.
    pub(crate) fn bind_native(&mut self, n: &NativeFunction, obj: Value) -> Value {
        Value::Obj(self.alloc(ObjKind::Native(Box::new(NativeFunction {
            name: n.name.clone(),
            func: n.func,
            bound: obj,
            data: n.data.clone(),
            owner: n.owner.clone(),
            doc: n.doc,
        }))))
    }

    /// `getattr(obj, name)`.
    pub fn get_attr(&mut self, obj: &Value, name: &Value) -> PyResult {
        if let Value::Obj(o) = obj {
            match &o.kind {
                ObjKind::Type(_) => return self.type_getattr(o, name),
                ObjKind::Module(m) => {
                    let d = m.dict.clone();
                    if let Some(v) = self.dict_get_str_value(&d, name) {
                        return Ok(v);
                    }
                    let ty = self.types.module.clone();
                    if let Some(d) = self.lookup_type(&ty, name) {
                        return self.bind_descriptor(d, obj, &ty);
                    }
                    // PEP 562: a module-level `__getattr__` answers for missing names.
                    if let Some(hook) = self.dict_get_str(&d, "__getattr__") {
                        return self.call(&hook, std::slice::from_ref(name));
                    }
                    let mname = m.name.to_string();
                    let n = name.as_str().unwrap_or("?").to_string();
                    return Err(
                        self.attribute_error(format!("module '{mname}' has no attribute '{n}'"))
                    );
                }
                ObjKind::Super(s) => {
                    let (start, target) = (s.0.clone(), s.1.clone());
                    return self.super_getattr(&start, &target, name);
                }
                _ => {}
            }
        }
        self.generic_getattr(obj, name)
    }

    /// Instance attribute lookup: a user `__getattribute__` or the generic rules, then
    /// `__getattr__` when they raise AttributeError (a property whose getter raises
    /// AttributeError falls back too, as in CPython).
    pub fn generic_getattr(&mut self, obj: &Value, name: &Value) -> PyResult {
        let ty = self.type_of(obj).clone();
        let hooks = self.attr_hooks(&ty);
        if hooks == 0 {
            return self.object_getattribute(obj, name, &ty);
        }
        let r = if hooks & HOOK_GETATTRIBUTE != 0 {
            let n = self.intern("__getattribute__");
            let f = self
                .lookup_type(&ty, &n)
                .expect("hook bit implies the method");
            let f = self.bind_descriptor(f, obj, &ty)?;
            self.call(&f, std::slice::from_ref(name))
        } else {
            self.object_getattribute(obj, name, &ty)
        };
        if hooks & HOOK_GETATTR == 0 {
            return r;
        }
        match r {
            Err(e) if self.exc_is(&e, "AttributeError") => {
                let n = self.intern("__getattr__");
                let f = self
                    .lookup_type(&ty, &n)
                    .expect("hook bit implies the method");
                let f = self.bind_descriptor(f, obj, &ty)?;
                self.call(&f, std::slice::from_ref(name))
            }
            r => r,
        }
    }

    /// The `HOOK_*` bits of a type, recomputed when the class or a base changed since.
    pub(super) fn attr_hooks(&mut self, ty: &ObjRef) -> u8 {
        let Some(t) = ty.as_type() else { return 0 };
        if t.builtin {
            return 0;
        }
        let (version, bits) = t.hooks.get();
        if version == t.version.get() {
            return bits;
        }
        let mut bits = 0;
        let ga = self.intern("__getattribute__");
        if let Some(f) = self.lookup_type(ty, &ga) {
            if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                bits |= HOOK_GETATTRIBUTE;
            }
        }
        let gn = self.intern("__getattr__");
        if self.lookup_type(ty, &gn).is_some() {
            bits |= HOOK_GETATTR;
        }
        let sn = self.intern("__setattr__");
        if let Some(f) = self.lookup_type(ty, &sn) {
            if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                bits |= HOOK_SETATTR;
            }
        }
        t.hooks.set((t.version.get(), bits));
        bits
    }

    /// `object.__getattribute__`: data descriptors, then the instance's attributes, then
    /// other class attributes.
    pub fn object_getattribute(&mut self, obj: &Value, name: &Value, ty: &ObjRef) -> PyResult {
        let ty = ty.clone();
        let descr = self.lookup_type(&ty, name);
        if let Some(d) = &descr {
            if self.is_data_descriptor(d) {
                return self.bind_descriptor(d.clone(), obj, &ty);
            }
        }
        if let Value::Obj(o) = obj {
            if let Some(a) = o.attrs() {
                if let Some(v) = self.attrs_get(a, name) {
                    return Ok(v);
                }
            }
        }
        if let Some(d) = descr {
            return self.bind_descriptor(d, obj, &ty);
        }
        Err(self.no_attribute(obj, name))
    }

    /// The AttributeError for a missing attribute.
    pub fn no_attribute(&mut self, obj: &Value, name: &Value) -> Exc {
        let n = name.as_str().unwrap_or("?").to_string();
        let msg = format!("'{}' object has no attribute '{}'", self.type_name(obj), n);
        let e = self.attribute_error(msg);
        let nv = self.intern("name");
        let ov = self.intern("obj");
        let _ = self.exc_set_attr(&e, nv, name.clone());
        let _ = self.exc_set_attr(&e, ov, obj.clone());
        e
    }

    fn type_getattr(&mut self, cls: &ObjRef, name: &Value) -> PyResult {
        let meta = self.types.type_.clone();
        let meta_d = self.lookup_type(&meta, name);
        if let Some(d) = &meta_d {
            if self.is_data_descriptor(d) {
                return self.bind_descriptor(d.clone(), &Value::Obj(cls.clone()), &meta);
            }
        }
        if let Some(v) = self.lookup_type(cls, name) {
            let Value::Obj(o) = &v else { return Ok(v) };
            return match &o.kind {
                ObjKind::StaticMethod(f) => Ok(f.clone()),
                ObjKind::ClassMethod(f) => {
                    let f = f.clone();
                    self.classmethod_get(f, cls)
                }
                ObjKind::Function(_)
                | ObjKind::Native(_)
                | ObjKind::Property(_)
                | ObjKind::GetSet(_)
                | ObjKind::Type(_) => Ok(v),
                _ if o.class.is_some() => {
                    let dty = self.type_of(&v).clone();
                    let get = self.intern("__get__");
                    match self.lookup_type(&dty, &get) {
                        Some(g) => {
                            self.call(&g, &[v.clone(), Value::None, Value::Obj(cls.clone())])
                        }
                        None => Ok(v),
                    }
                }
                _ => Ok(v),
            };
        }
        if let Some(d) = meta_d {
            return self.bind_descriptor(d, &Value::Obj(cls.clone()), &meta);
        }
        let cname = cls.as_type().map(|t| t.tp_name()).unwrap_or_default();
        let n = name.as_str().unwrap_or("?").to_string();
        Err(self.attribute_error(format!("type object '{cname}' has no attribute '{n}'")))
    }

    fn super_getattr(&mut self, start: &ObjRef, target: &Value, name: &Value) -> PyResult {
        // Search the MRO of the target's type, after `start`.
        let target_type = match target {
            Value::Obj(o) if o.as_type().is_some() => o.clone(),
            _ => self.type_of(target).clone(),
        };
        let mut chain = vec![target_type.clone()];
        if let Some(t) = target_type.as_type() {
            chain.extend(t.mro.iter().cloned());
        }
        let pos = chain.iter().position(|c| Rc::ptr_eq(c, start));
        if let Some(p) = pos {
            for c in chain[p + 1..].iter() {
                if let Some(v) = self.type_dict_get(c, name) {
                    let is_type_target = matches!(target, Value::Obj(o) if o.as_type().is_some());
                    if is_type_target {
                        // super() in a classmethod: bind classmethods to the class.
                        return match v.kind() {
                            Some(ObjKind::ClassMethod(f)) => {
                                let f = f.clone();
                                let cls = target_type_of(target);
                                self.classmethod_get(f, &cls)
                            }
                            Some(ObjKind::StaticMethod(f)) => Ok(f.clone()),
                            _ => Ok(v),
                        };
                    }
                    return self.bind_descriptor(v, target, &target_type);
                }
            }
        }
        if let Some(class_attr) = {
            let sup = self.types.super_.clone();
            self.lookup_type(&sup, name)
        } {
            let sup = self.types.super_.clone();
            let me =
                Value::Obj(self.alloc(ObjKind::Super(Box::new((start.clone(), target.clone())))));
            return self.bind_descriptor(class_attr, &me, &sup);
        }
        let n = name.as_str().unwrap_or("?").to_string();
        Err(self.attribute_error(format!("'super' object has no attribute '{n}'")))
    }

    /// `LoadMethod`: (function, self) for a plain method, else (attribute, NULL).
    pub(crate) fn load_method(&mut self, obj: Value, name: &Value) -> PyResult<(Value, Value)> {
        let plain = match &obj {
            Value::Obj(o) => !matches!(
                o.kind,
                ObjKind::Type(_) | ObjKind::Module(_) | ObjKind::Super(_)
            ),
            _ => true,
        };
        if plain {
            let ty = self.type_of(&obj).clone();
            // A class defining `__getattribute__` sees every method lookup.
            let hooked = self.attr_hooks(&ty) & HOOK_GETATTRIBUTE != 0;
            if let Some(d) = self.lookup_type(&ty, name).filter(|_| !hooked) {
                let is_method = match d.kind() {
                    Some(ObjKind::Function(_)) => true,
                    Some(ObjKind::Native(n)) => n.bound.is_null(),
                    _ => false,
                };
                if is_method {
                    let shadowed = match &obj {
                        Value::Obj(o) => match o.attrs() {
                            Some(a) => self.attrs_get(a, name),
                            None => None,
                        },
                        _ => None,
                    };
                    if let Some(v) = shadowed {
                        return Ok((v, Value::Null));
                    }
                    return Ok((d, obj));
                }
            }
        }
        let v = self.get_attr(&obj, name)?;
        Ok((v, Value::Null))
    }

    /// `setattr(obj, name, value)`.
    pub fn set_attr(&mut self, obj: &Value, name: &Value, v: Value) -> PyResult<()> {
        if let Value::Obj(o) = obj {
            match &o.kind {
                ObjKind::Type(t) => {
                    if t.builtin {
                        let n = name.as_str().unwrap_or("?").to_string();
                        let tn = t.name.borrow().to_string();
                        return Err(self.type_error(format!(
                            "cannot set '{n}' attribute of immutable type '{tn}'"
                        )));
                    }
                    let meta = self.types.type_.clone();
                    if let Some(d) = self.lookup_type(&meta, name) {
                        if let Some(ObjKind::GetSet(g)) = d.kind() {
                            if let Some(set) = g.set {
                                return set(self, obj, Some(v));
                            }
                        }
                    }
                    let s = name.as_str().unwrap_or("").to_string();
                    self.type_dict_set(o, &s, v);
                    return Ok(());
                }
                ObjKind::Module(m) => {
                    let d = m.dict.clone();
                    return self.dict_set(&d, name.clone(), v);
                }
                _ => {}
            }
        }
        let ty = self.type_of(obj).clone();
        if let Value::Obj(o) = obj {
            if o.class.is_some() && self.attr_hooks(&ty) & HOOK_SETATTR != 0 {
                let sa = self.intern("__setattr__");
                let f = self
                    .lookup_type(&ty, &sa)
                    .expect("hook bit implies the method");
                let f = self.bind_descriptor(f, obj, &ty)?;
                self.call(&f, &[name.clone(), v])?;
                return Ok(());
            }
        }
        self.generic_setattr(obj, name, Some(v))
    }

    /// `object.__setattr__` / `object.__delattr__` (value None = delete).
    pub fn generic_setattr(&mut self, obj: &Value, name: &Value, v: Option<Value>) -> PyResult<()> {
        let ty = self.type_of(obj).clone();
        if let Some(d) = self.lookup_type(&ty, name) {
            if let Some(k) = d.kind() {
                match k {
                    ObjKind::Property(p) => {
                        let f = if v.is_some() { &p.fset } else { &p.fdel };
                        if f.is_none() {
                            let n = name.as_str().unwrap_or("?").to_string();
                            let tn = self.type_name(obj);
                            let what = if v.is_some() { "setter" } else { "deleter" };
                            return Err(self.attribute_error(format!(
                                "property '{n}' of '{tn}' object has no {what}"
                            )));
                        }
                        let f = f.clone();
                        let mut args = vec![obj.clone()];
                        args.extend(v);
                        self.call(&f, &args)?;
                        return Ok(());
                    }
                    ObjKind::GetSet(g) => {
                        return match g.set {
                            Some(set) => set(self, obj, v),
                            None => {
                                let n = name.as_str().unwrap_or("?").to_string();
                                let tn = self.type_name(obj);
                                Err(self.attribute_error(format!(
                                    "attribute '{n}' of '{tn}' objects is not writable"
                                )))
                            }
                        };
                    }
                    _ => {
                        if let Value::Obj(dobj) = &d {
                            if dobj.class.is_some() {
                                let dty = self.type_of(&d).clone();
                                let m =
                                    self.intern(if v.is_some() { "__set__" } else { "__delete__" });
                                if let Some(f) = self.lookup_type(&dty, &m) {
                                    let mut args = vec![d.clone(), obj.clone()];
                                    args.extend(v);
                                    self.call(&f, &args)?;
                                    return Ok(());
                                }
                            }
                        }
                    }
                }
            }
        }
        let attrs = match obj {
            // A plain `object()` has no `__dict__`.
            Value::Obj(o)
                if matches!(o.kind, ObjKind::Object(_))
                    && o.class
                        .as_ref()
                        .is_some_and(|c| Rc::ptr_eq(c, &self.types.object)) =>
            {
                None
            }
            Value::Obj(o) => o.attrs().map(|_| o.clone()),
            _ => None,
        };
        match (attrs, v) {
            (Some(o), Some(v)) => {
                if let (Some(c), Some(a)) = (&o.class, o.attrs()) {
                    if let Attrs::Inline(items) = &*a.borrow() {
                        note_attr_count(c, items.len() + 1);
                    }
                }
                let a = o.attrs().expect("checked");
                self.attrs_set(a, name.clone(), v)
            }
            (Some(o), None) => {
                let a = o.attrs().expect("checked");
                if !self.attrs_del(a, name)? {
                    return Err(self.no_attribute(obj, name));
                }
                Ok(())
            }
            (None, _) => {
                let n = name.as_str().unwrap_or("?").to_string();
                let tn = self.type_name(obj);
                let has = self.lookup_type(&ty, name).is_some();
                let msg = if has {
                    format!("'{tn}' object attribute '{n}' is read-only")
                } else {
                    format!("'{tn}' object has no attribute '{n}'")
                };
                Err(self.attribute_error(msg))
            }
        }
    }

    /// `delattr(obj, name)`.
    pub fn del_attr(&mut self, obj: &Value, name: &Value) -> PyResult<()> {
        if let Value::Obj(o) = obj {
            match &o.kind {
                ObjKind::Type(t) => {
                    if t.builtin {
                        let n = name.as_str().unwrap_or("?").to_string();
                        let tn = t.name.borrow().to_string();
                        return Err(self.type_error(format!(
                            "cannot set '{n}' attribute of immutable type '{tn}'"
                        )));
                    }
                    self.type_epoch += 1;
                    super::type_cache::invalidate_type(o);
                    let hash = self.str_hash(name);
                    let s = name.as_str().unwrap_or("");
                    let idx = t.dict.borrow().find_str(hash, s);
                    return match idx {
                        Some(i) => {
                            let old = t.dict.borrow_mut().remove_at(i);
                            drop(old);
                            Ok(())
                        }
                        None => {
                            let cname = t.tp_name();
                            let n = s.to_string();
                            Err(self.attribute_error(format!(
                                "type object '{cname}' has no attribute '{n}'"
                            )))
                        }
                    };
                }
                ObjKind::Module(m) => {
                    let d = m.dict.clone();
                    if !self.dict_del(&d, name)? {
                        let mname = m.name.to_string();
                        let n = name.as_str().unwrap_or("?").to_string();
                        return Err(self
                            .attribute_error(format!("module '{mname}' has no attribute '{n}'")));
                    }
                    return Ok(());
                }
                _ => {}
            }
            if o.class.is_some() {
                let ty = self.type_of(obj).clone();
                let da = self.intern("__delattr__");
                if let Some(f) = self.lookup_type(&ty, &da) {
                    if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                        let f = self.bind_descriptor(f, obj, &ty)?;
                        self.call(&f, std::slice::from_ref(name))?;
                        return Ok(());
                    }
                }
            }
        }
        self.generic_setattr(obj, name, None)
    }

    /// `getattr(obj, name)` with a Rust string name.
    pub fn getattr_str(&mut self, obj: &Value, name: &str) -> PyResult {
        let n = self.intern(name);
        self.get_attr(obj, &n)
    }

    /// `getattr(obj, name, None)`-style lookup: None when missing (AttributeError swallowed).
    pub fn getattr_opt(&mut self, obj: &Value, name: &str) -> PyResult<Option<Value>> {
        match self.getattr_str(obj, name) {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.exc_is(&e, "AttributeError") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `setattr` with a Rust string name.
    pub fn setattr_str(&mut self, obj: &Value, name: &str, v: Value) -> PyResult<()> {
        let n = self.intern(name);
        self.set_attr(obj, &n, v)
    }
}

/// The class a `super()` target stands for: the target itself when it is a class.
fn target_type_of(target: &Value) -> ObjRef {
    match target {
        Value::Obj(o) => o.clone(),
        _ => unreachable!("a class target is an object"),
    }
}
