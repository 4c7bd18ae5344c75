//! The iteration protocol: `iter()`, `next()`, native iterators, async iteration entry points,
//! and sequence unpacking.
//! Invariant: a native iterator never holds a borrow of its container across a call into Aio
//! code, and an exhausted sequence iterator stays exhausted.

use super::gen::ResumeInput;
use super::object::{AgenOpKind, AsyncGenOp, DictViewKind, GenKind, NativeIter, ObjKind};
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};
use std::cell::{Cell, RefCell};

/// One step of a loop over an iterator (`Vm::next_native`).
pub(crate) enum NativeNext {
    Value(Value),
    Exhausted,
    /// A generator or an object with `__next__`: the general `ForIter` path applies.
    NotNative,
}

impl Vm {
    fn new_iter(&mut self, it: NativeIter) -> Value {
        Value::Obj(self.alloc(ObjKind::Iter(Box::new(it))))
    }

    /// `iter(v)`.
    pub fn get_iter(&mut self, v: &Value) -> PyResult {
        if let Value::Obj(o) = v {
            if o.class.is_none() || !self.overrides(v, "__iter__") {
                if let Some(it) = self.builtin_iter(o) {
                    return Ok(it);
                }
            }
        }
        let n = self.intern("__iter__");
        let ty = self.type_of(v).clone();
        match self.lookup_type(&ty, &n) {
            Some(f) if !f.is_none() => {
                let f = self.bind_descriptor(f, v, &ty)?;
                let it = self.call(&f, &[])?;
                if !self.has_next(&it) {
                    let msg = format!(
                        "iter() returned non-iterator of type '{}'",
                        self.type_name(&it)
                    );
                    return Err(self.type_error(msg));
                }
                Ok(it)
            }
            _ => {
                if let Some(f) = self.class_level_hook(v, "_aio_class_iter_")? {
                    return self.call(&f, &[]);
                }
                let gi = self.intern("__getitem__");
                if self.lookup_type(&ty, &gi).is_some()
                    && !matches!(v.kind(), Some(ObjKind::Dict(_)))
                {
                    return Ok(self.new_iter(NativeIter::GetItem {
                        seq: v.clone(),
                        idx: Cell::new(0),
                    }));
                }
                let msg = format!("'{}' object is not iterable", self.type_name(v));
                Err(self.type_error(msg))
            }
        }
    }

    /// For a user class `v`, its class method `name` bound to it. This stands in for a
    /// metaclass method (`EnumMeta.__iter__`, `__len__`, `__contains__`, `__repr__`): Aio
    /// has no metaclasses, so `enum` defines class methods named `_aio_class_iter_`,
    /// `_aio_class_len_`, `_aio_class_contains_` and `_aio_class_repr_` instead.
    pub(crate) fn class_level_hook(&mut self, v: &Value, name: &str) -> PyResult<Option<Value>> {
        let Value::Obj(o) = v else { return Ok(None) };
        let Some(t) = o.as_type() else {
            return Ok(None);
        };
        if t.builtin {
            return Ok(None);
        }
        let n = self.intern(name);
        match self.lookup_type(o, &n) {
            Some(f) if matches!(f.kind(), Some(ObjKind::ClassMethod(_))) => {
                let o = o.clone();
                Ok(Some(self.bind_descriptor(f, &Value::None, &o)?))
            }
            _ => Ok(None),
        }
    }

    /// True when the class of instance `v` defines `name` itself (not inherited from a
    /// builtin type).
    pub(crate) fn overrides(&mut self, v: &Value, name: &str) -> bool {
        let Value::Obj(o) = v else { return false };
        let Some(cls) = &o.class else { return false };
        let n = self.intern(name);
        let cls = cls.clone();
        let mut t = Some(cls);
        while let Some(c) = t {
            let Some(ty) = c.as_type() else { break };
            if ty.builtin {
                return false;
            }
            if self.type_dict_get(&c, &n).is_some() {
                return true;
            }
            t = ty.base.clone();
        }
        false
    }

    fn builtin_iter(&mut self, o: &ObjRef) -> Option<Value> {
        let it = match o.payload() {
            ObjKind::List(_) | ObjKind::Tuple(_) => NativeIter::Seq {
                seq: o.clone(),
                idx: Cell::new(0),
            },
            ObjKind::Str(_) => NativeIter::Str {
                s: o.clone(),
                pos: Cell::new(0),
            },
            ObjKind::Bytes(_) | ObjKind::ByteArray(_) => NativeIter::Bytes {
                b: o.clone(),
                idx: Cell::new(0),
            },
            ObjKind::Dict(d) => NativeIter::Dict {
                dict: o.clone(),
                idx: Cell::new(0),
                len: d.borrow().len(),
                kind: DictViewKind::Keys,
            },
            ObjKind::DictView(v) => {
                let len = match v.0.payload() {
                    ObjKind::Dict(d) => d.borrow().len(),
                    _ => 0,
                };
                NativeIter::Dict {
                    dict: v.0.clone(),
                    idx: Cell::new(0),
                    len,
                    kind: v.1,
                }
            }
            ObjKind::Set(s) => NativeIter::Set {
                set: o.clone(),
                idx: Cell::new(0),
                len: s.borrow().len(),
            },
            ObjKind::FrozenSet(s) => NativeIter::Set {
                set: o.clone(),
                idx: Cell::new(0),
                len: s.len(),
            },
            ObjKind::Range(r) => NativeIter::Range {
                next: Cell::new(r.start),
                step: r.step,
                remaining: Cell::new(r.len),
            },
            ObjKind::Iter(_) => return Some(Value::Obj(o.clone())),
            ObjKind::Generator(g) if g.kind == GenKind::Generator => {
                return Some(Value::Obj(o.clone()))
            }
            _ => return None,
        };
        Some(self.new_iter(it))
    }

    /// Advances `it` when it is a native iterator (`ObjKind::Iter`), for the loop
    /// instructions' fast path; anything else is left to the general `ForIter`.
    #[inline]
    pub(crate) fn next_native(&mut self, it: &Value) -> PyResult<NativeNext> {
        let Some(ObjKind::Iter(state)) = it.kind() else {
            return Ok(NativeNext::NotNative);
        };
        // The commonest loop, over a range, without the call.
        if let NativeIter::Range {
            next,
            step,
            remaining,
        } = &**state
        {
            let r = remaining.get();
            if r <= 0 {
                return Ok(NativeNext::Exhausted);
            }
            remaining.set(r - 1);
            let v = next.get();
            next.set(v.wrapping_add(*step));
            return Ok(NativeNext::Value(Value::Int(v)));
        }
        Ok(match self.native_next(it)? {
            Some(v) => NativeNext::Value(v),
            None => NativeNext::Exhausted,
        })
    }

    /// Advances a native iterator (`ObjKind::Iter`).
    pub(crate) fn native_next(&mut self, it: &Value) -> PyResult<Option<Value>> {
        let Some(ObjKind::Iter(state)) = it.kind() else {
            return self.next_value(it);
        };
        match &**state {
            NativeIter::Seq { seq, idx } => {
                let i = idx.get();
                if i == usize::MAX {
                    return Ok(None);
                }
                let v = match seq.payload() {
                    ObjKind::List(items) => items.borrow().get(i).cloned(),
                    ObjKind::Tuple(items) => items.get(i).cloned(),
                    _ => None,
                };
                idx.set(if v.is_some() { i + 1 } else { usize::MAX });
                Ok(v)
            }
            NativeIter::SeqRev { seq, idx } => {
                let i = idx.get();
                if i == 0 {
                    return Ok(None);
                }
                let v = match seq.payload() {
                    ObjKind::List(items) => items.borrow().get(i - 1).cloned(),
                    ObjKind::Tuple(items) => items.get(i - 1).cloned(),
                    _ => None,
                };
                idx.set(if v.is_some() { i - 1 } else { 0 });
                Ok(v)
            }
            NativeIter::Range {
                next,
                step,
                remaining,
            } => {
                let r = remaining.get();
                if r <= 0 {
                    return Ok(None);
                }
                remaining.set(r - 1);
                let v = next.get();
                next.set(v.wrapping_add(*step));
                Ok(Some(Value::Int(v)))
            }
            NativeIter::Str { s, pos } => {
                let p = pos.get();
                let ObjKind::Str(text) = s.payload() else {
                    return Ok(None);
                };
                let text = text.as_str();
                match text[p..].chars().next() {
                    Some(c) => {
                        pos.set(p + c.len_utf8());
                        Ok(Some(self.char_str(c)))
                    }
                    None => Ok(None),
                }
            }
            NativeIter::Bytes { b, idx } => {
                let i = idx.get();
                let v = match b.payload() {
                    ObjKind::Bytes(bytes) => bytes.get(i).copied(),
                    ObjKind::ByteArray(bytes) => bytes.borrow().get(i).copied(),
                    _ => None,
                };
                idx.set(i + 1);
                Ok(v.map(|x| Value::Int(x as i64)))
            }
            NativeIter::Dict {
                dict,
                idx,
                len,
                kind,
            } => self.dict_iter_next(dict, idx, *len, *kind),
            NativeIter::Set { set, idx, len } => {
                let i = idx.get();
                let r = match set.payload() {
                    ObjKind::Set(s) => {
                        let s = s.borrow();
                        if s.len() != *len {
                            None
                        } else {
                            Some(next_set_slot(&s, i))
                        }
                    }
                    ObjKind::FrozenSet(s) => Some(next_set_slot(s, i)),
                    _ => Some(None),
                };
                match r {
                    None => {
                        idx.set(usize::MAX);
                        Err(self.runtime_error("Set changed size during iteration".into()))
                    }
                    Some(None) => {
                        idx.set(usize::MAX);
                        Ok(None)
                    }
                    Some(Some((j, v))) => {
                        idx.set(j + 1);
                        Ok(Some(v))
                    }
                }
            }
            NativeIter::Enumerate { it, count } => match self.next_value(it)? {
                Some(v) => {
                    let c = count.get();
                    count.set(c + 1);
                    Ok(Some(self.new_tuple(vec![Value::Int(c), v])))
                }
                None => Ok(None),
            },
            NativeIter::Zip { its, strict } => self.zip_next(its, *strict),
            NativeIter::Map { func, its } => {
                let mut args = Vec::with_capacity(its.len());
                for i in its.iter() {
                    match self.next_value(i)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                let func = func.clone();
                Ok(Some(self.call(&func, &args)?))
            }
            NativeIter::Filter { func, it } => loop {
                let Some(v) = self.next_value(it)? else {
                    return Ok(None);
                };
                let keep = if func.is_none() {
                    self.truthy(&v)?
                } else {
                    let func = func.clone();
                    let r = self.call(&func, std::slice::from_ref(&v))?;
                    self.truthy(&r)?
                };
                if keep {
                    return Ok(Some(v));
                }
            },
            NativeIter::GetItem { seq, idx } => {
                let i = idx.get();
                if i < 0 {
                    return Ok(None);
                }
                match self.get_item(seq, &Value::Int(i)) {
                    Ok(v) => {
                        idx.set(i + 1);
                        Ok(Some(v))
                    }
                    Err(e) if self.exc_is(&e, "IndexError") || self.exc_is(&e, "StopIteration") => {
                        idx.set(-1);
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            NativeIter::Callable {
                func,
                sentinel,
                done,
            } => {
                if done.get() {
                    return Ok(None);
                }
                let func = func.clone();
                let v = self.call(&func, &[])?;
                let sentinel = sentinel.clone();
                if self.eq(&v, &sentinel)? {
                    done.set(true);
                    return Ok(None);
                }
                Ok(Some(v))
            }
        }
    }

    fn zip_next(&mut self, its: &[Value], strict: bool) -> PyResult<Option<Value>> {
        if its.is_empty() {
            return Ok(None);
        }
        let mut items = Vec::with_capacity(its.len());
        for (i, it) in its.iter().enumerate() {
            match self.next_value(it)? {
                Some(v) => {
                    if strict && i > 0 && items.len() < i {
                        break;
                    }
                    items.push(v)
                }
                None => {
                    if strict {
                        if i > 0 {
                            let msg = format!(
                                "zip() argument {} is shorter than argument{} {}",
                                i + 1,
                                if i == 1 { "" } else { "s" },
                                if i == 1 {
                                    "1".to_string()
                                } else {
                                    format!("1-{i}")
                                }
                            );
                            return Err(self.value_error(msg));
                        }
                        for (j, rest) in its.iter().enumerate().skip(1) {
                            if self.next_value(rest)?.is_some() {
                                let msg = format!(
                                    "zip() argument {} is longer than argument{} {}",
                                    j + 1,
                                    if j == 1 { "" } else { "s" },
                                    if j == 1 {
                                        "1".to_string()
                                    } else {
                                        format!("1-{j}")
                                    }
                                );
                                return Err(self.value_error(msg));
                            }
                        }
                    }
                    return Ok(None);
                }
            }
        }
        Ok(Some(self.new_tuple(items)))
    }

    fn dict_iter_next(
        &mut self,
        dict: &ObjRef,
        idx: &Cell<usize>,
        len: usize,
        kind: DictViewKind,
    ) -> PyResult<Option<Value>> {
        let i = idx.get();
        if i == usize::MAX {
            return Ok(None);
        }
        let ObjKind::Dict(d) = dict.payload() else {
            return Ok(None);
        };
        let found = {
            let d = d.borrow();
            if d.len() != len {
                None
            } else {
                Some(d.next_live(i).map(|j| {
                    let (k, v) = d.entry(j).expect("live entry");
                    (j, k.clone(), v.clone())
                }))
            }
        };
        match found {
            None => {
                idx.set(usize::MAX);
                Err(self.runtime_error("dictionary changed size during iteration".into()))
            }
            Some(None) => {
                idx.set(usize::MAX);
                Ok(None)
            }
            Some(Some((j, k, v))) => {
                idx.set(j + 1);
                Ok(Some(match kind {
                    DictViewKind::Keys => k,
                    DictViewKind::Values => v,
                    DictViewKind::Items => self.new_tuple(vec![k, v]),
                }))
            }
        }
    }

    /// `next(it)` for any iterator: None when exhausted.
    /// `it.__next__()`: the next item, or the StopIteration that ends the iterator (a
    /// generator's carries its return value; a user `__next__`'s is passed on as raised).
    pub fn next_or_stop(&mut self, it: &Value) -> PyResult {
        match it.kind() {
            Some(ObjKind::Generator(g)) if g.kind == GenKind::Generator => {
                let Value::Obj(o) = it else { unreachable!() };
                if matches!(&*g.state.borrow(), super::object::GenState::Finished) {
                    return Err(self.stop_iteration(Value::None));
                }
                let o = o.clone();
                match self.resume(&o, ResumeInput::Value(Value::None))? {
                    super::dispatch::Outcome::Yield(v) => Ok(v),
                    super::dispatch::Outcome::Return(v) => Err(self.stop_iteration(v)),
                    super::dispatch::Outcome::AsyncYield(v) => Ok(v),
                }
            }
            Some(ObjKind::Iter(_)) => match self.native_next(it)? {
                Some(v) => Ok(v),
                None => Err(self.stop_iteration(Value::None)),
            },
            _ => {
                let n = self.intern("__next__");
                let ty = self.type_of(it).clone();
                let Some(f) = self.lookup_type(&ty, &n) else {
                    return Err(self.not_an_iterator(it));
                };
                let f = self.bind_descriptor(f, it, &ty)?;
                self.call(&f, &[])
            }
        }
    }

    /// The next item, or None at the end of the iterator.
    pub fn next_value(&mut self, it: &Value) -> PyResult<Option<Value>> {
        match it.kind() {
            Some(ObjKind::Iter(_)) => self.native_next(it),
            Some(ObjKind::Generator(g)) if g.kind == GenKind::Generator => {
                let Value::Obj(o) = it else { unreachable!() };
                if matches!(&*g.state.borrow(), super::object::GenState::Finished) {
                    return Ok(None);
                }
                let o = o.clone();
                match self.resume(&o, ResumeInput::Value(Value::None))? {
                    super::dispatch::Outcome::Yield(v) => Ok(Some(v)),
                    _ => Ok(None),
                }
            }
            _ => {
                let n = self.intern("__next__");
                let ty = self.type_of(it).clone();
                let Some(f) = self.lookup_type(&ty, &n) else {
                    return Err(self.not_an_iterator(it));
                };
                let f = self.bind_descriptor(f, it, &ty)?;
                match self.call(&f, &[]) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if self.exc_is(&e, "StopIteration") => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// All items of an iterable.
    pub fn collect_iterable(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        if let Value::Obj(o) = v {
            if o.class.is_none() {
                match &o.kind {
                    ObjKind::List(items) => return Ok(items.borrow().clone()),
                    ObjKind::Tuple(items) => return Ok(items.to_vec()),
                    _ => {}
                }
            }
        }
        let it = self.get_iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.next_value(&it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// `UnpackSequence`: exactly `n` items.
    pub(crate) fn unpack_sequence(&mut self, v: &Value, n: usize) -> PyResult<Vec<Value>> {
        if let Value::Obj(o) = v {
            let direct = match &o.kind {
                ObjKind::Tuple(items) => Some(items.to_vec()),
                ObjKind::List(items) => Some(items.borrow().clone()),
                _ => None,
            };
            if let Some(items) = direct {
                if items.len() == n {
                    return Ok(items);
                }
                return Err(if items.len() < n {
                    self.value_error(format!(
                        "not enough values to unpack (expected {n}, got {})",
                        items.len()
                    ))
                } else {
                    self.value_error(format!("too many values to unpack (expected {n})"))
                });
            }
        }
        let it = match self.get_iter(v) {
            Ok(it) => it,
            Err(e) if self.exc_is(&e, "TypeError") && !self.is_iterable_type(v) => {
                let msg = format!("cannot unpack non-iterable {} object", self.type_name(v));
                return Err(self.type_error(msg));
            }
            Err(e) => return Err(e),
        };
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_value(&it)? {
                Some(x) => out.push(x),
                None => {
                    return Err(self.value_error(format!(
                        "not enough values to unpack (expected {n}, got {})",
                        out.len()
                    )))
                }
            }
        }
        if self.next_value(&it)?.is_some() {
            return Err(self.value_error(format!("too many values to unpack (expected {n})")));
        }
        Ok(out)
    }

    fn is_iterable_type(&mut self, v: &Value) -> bool {
        let ty = self.type_of(v).clone();
        let a = self.intern("__iter__");
        let b = self.intern("__getitem__");
        self.lookup_type(&ty, &a).is_some() || self.lookup_type(&ty, &b).is_some()
    }

    /// `UnpackEx`: `before` items, a list of the middle, `after` items.
    pub(crate) fn unpack_ex(
        &mut self,
        v: &Value,
        before: usize,
        after: usize,
    ) -> PyResult<Vec<Value>> {
        let items = match self.collect_iterable(v) {
            Ok(items) => items,
            Err(e) if self.exc_is(&e, "TypeError") && !self.is_iterable_type(v) => {
                let msg = format!("cannot unpack non-iterable {} object", self.type_name(v));
                return Err(self.type_error(msg));
            }
            Err(e) => return Err(e),
        };
        if items.len() < before + after {
            return Err(self.value_error(format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            )));
        }
        let mut items = items;
        let tail = items.split_off(items.len() - after);
        let middle = items.split_off(before);
        let mid = self.new_list(middle);
        items.push(mid);
        items.extend(tail);
        Ok(items)
    }

    /// `GetAIter`.
    pub(crate) fn get_aiter(&mut self, v: &Value) -> PyResult {
        if let Some(ObjKind::Generator(g)) = v.kind() {
            if g.kind == GenKind::AsyncGenerator {
                return Ok(v.clone());
            }
        }
        let n = self.intern("__aiter__");
        let ty = self.type_of(v).clone();
        let Some(f) = self.lookup_type(&ty, &n) else {
            let msg = format!(
                "'async for' requires an object with __aiter__ method, got {}",
                self.type_name(v)
            );
            return Err(self.type_error(msg));
        };
        let f = self.bind_descriptor(f, v, &ty)?;
        let it = self.call(&f, &[])?;
        let an = self.intern("__anext__");
        let ity = self.type_of(&it).clone();
        let is_agen =
            matches!(it.kind(), Some(ObjKind::Generator(g)) if g.kind == GenKind::AsyncGenerator);
        if !is_agen && self.lookup_type(&ity, &an).is_none() {
            let msg = format!(
                "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                self.type_name(&it)
            );
            return Err(self.type_error(msg));
        }
        Ok(it)
    }

    /// `GetANext`: the awaitable for the next item of an async iterator.
    pub(crate) fn get_anext_awaitable(&mut self, aiter: &Value) -> PyResult {
        if let Value::Obj(o) = aiter {
            if let ObjKind::Generator(g) = &o.kind {
                if g.kind == GenKind::AsyncGenerator {
                    return Ok(self.agen_op(o, AgenOpKind::Send(Value::None)));
                }
            }
        }
        let n = self.intern("__anext__");
        let ty = self.type_of(aiter).clone();
        let Some(f) = self.lookup_type(&ty, &n) else {
            let msg = format!(
                "'async for' requires an iterator with __anext__ method, got {}",
                self.type_name(aiter)
            );
            return Err(self.type_error(msg));
        };
        let f = self.bind_descriptor(f, aiter, &ty)?;
        let aw = self.call(&f, &[])?;
        match self.get_awaitable(aw.clone(), crate::compile::code::AwaitWhere::Await) {
            Ok(a) => Ok(a),
            Err(e) if self.exc_is(&e, "TypeError") => {
                let msg = format!(
                    "'async for' received an invalid object from __anext__: {}",
                    self.type_name(&aw)
                );
                Err(self.type_error(msg))
            }
            Err(e) => Err(e),
        }
    }

    /// An `asend`/`athrow`/`aclose` awaitable for async generator `agen`.
    pub fn agen_op(&mut self, agen: &ObjRef, op: AgenOpKind) -> Value {
        let throws = !matches!(op, AgenOpKind::Send(_));
        Value::Obj(self.alloc(ObjKind::AsyncGenOp(Box::new(AsyncGenOp {
            agen: agen.clone(),
            op: RefCell::new(op),
            state: Cell::new(0),
            throws,
        }))))
    }

    /// A one-character str (cached for ASCII).
    pub fn char_str(&mut self, c: char) -> Value {
        if c.is_ascii() {
            let i = c as usize;
            if let Some(v) = &self.ascii_chars[i] {
                return v.clone();
            }
            let v = self.new_str_len(c.to_string(), 1);
            self.ascii_chars[i] = Some(v.clone());
            return v;
        }
        self.new_str_len(c.to_string(), 1)
    }
}

fn next_set_slot(s: &crate::types::set::SetData, from: usize) -> Option<(usize, Value)> {
    let mut i = from;
    while i < s.slots() {
        if let Some(v) = s.slot(i) {
            return Some((i, v.clone()));
        }
        i += 1;
    }
    None
}
