//! Attribute access on plain instances without the general machinery.
//!
//! `self.x` and `self.x = v` on an instance of a user class with no attribute hooks, where
//! the class has nothing under that name, come down to a scan of the instance's inline
//! attribute list. The general path (`get_attr`, `set_attr`) gets there too, after the
//! descriptor and hook checks; these shortcuts take it only when those checks are known to
//! come out empty, and otherwise leave everything to the general path.

//!
//! `LoadAttr` and `StoreAttr` remember, per instruction, the class they last saw pass those
//! checks (by address and version tag, as the type cache does) and where the attribute sat in
//! the instance's list: a later instance of the same unchanged class goes straight there.
//! `LoadMethod` remembers the receiver's type (a user class or a builtin type, by address and
//! version tag) and the function the name resolved to there; a hit only checks that the
//! instance does not hold the name itself.

use super::object::{Attrs, ObjKind};
use super::value::{ObjRef, Value};
use super::Vm;
use crate::compile::code::{AttrCache, Code};
use std::cell::Cell;
use std::rc::Rc;

/// The inline cache of the `LoadAttr`/`StoreAttr` at `ip`.
#[inline]
fn attr_cache(code: &Code, ip: usize) -> &Cell<AttrCache> {
    &code.attr_caches[code.cache_index[ip] as usize]
}

/// A type as the caches remember it: its address and its version tag (None for a non-type).
#[inline]
fn type_stamp(ty: &ObjRef) -> Option<(usize, u64)> {
    match &ty.kind {
        ObjKind::Type(t) => Some((Rc::as_ptr(ty) as usize, t.version.get())),
        _ => None,
    }
}

/// True when `cache` was filled for `cls` as it is now.
#[inline]
fn cache_hit(cache: &AttrCache, cls: &ObjRef) -> bool {
    type_stamp(cls) == Some((cache.class, cache.version))
}

/// Remembers that `cls`, as it is now, passed the plain-instance checks, and that the
/// attribute sat at `index`.
fn fill_cache(cache: &Cell<AttrCache>, cls: &ObjRef, index: usize) {
    if let Some((class, version)) = type_stamp(cls) {
        cache.set(AttrCache {
            class,
            version,
            index: index as u32,
        });
    }
}

impl Vm {
    /// `LoadAttr` at `ip` of `code`: `load_attr_plain` through the instruction's cache.
    #[inline]
    pub(crate) fn load_attr_cached(
        &mut self,
        obj: &Value,
        name: &Value,
        code: &Code,
        ip: usize,
    ) -> Option<Value> {
        let Value::Obj(o) = obj else { return None };
        let (Some(cls), ObjKind::Object(attrs)) = (&o.class, &o.kind) else {
            return None;
        };
        let cache = attr_cache(code, ip);
        let c = cache.get();
        if cache_hit(&c, cls) {
            let attrs = attrs.borrow();
            let Attrs::Inline(items) = &*attrs else {
                return None;
            };
            if let Some((k, v)) = items.get(c.index as usize) {
                if k.is(name) {
                    return Some(v.clone());
                }
            }
            let i = items.iter().position(|(k, _)| k.is(name))?;
            cache.set(AttrCache {
                index: i as u32,
                ..c
            });
            return Some(items[i].1.clone());
        }
        let v = self.load_attr_plain(o, name)?;
        if let Attrs::Inline(items) = &*attrs.borrow() {
            if let Some(i) = items.iter().position(|(k, _)| k.is(name)) {
                fill_cache(cache, cls, i);
            }
        }
        Some(v)
    }

    /// `StoreAttr` at `ip` of `code`: `store_attr_plain` through the instruction's cache.
    /// Gives `v` back when the general path must do it.
    #[inline]
    pub(crate) fn store_attr_cached(
        &mut self,
        obj: &ObjRef,
        name: &Value,
        v: Value,
        code: &Code,
        ip: usize,
    ) -> Result<(), Value> {
        let (Some(cls), ObjKind::Object(attrs)) = (&obj.class, &obj.kind) else {
            return Err(v);
        };
        let cache = attr_cache(code, ip);
        let c = cache.get();
        if cache_hit(&c, cls) {
            let mut guard = attrs.borrow_mut();
            if let Attrs::Inline(items) = &mut *guard {
                let i = c.index as usize;
                if let Some(slot) = items.get_mut(i) {
                    if slot.0.is(name) {
                        let old = std::mem::replace(&mut slot.1, v);
                        drop(guard);
                        drop(old);
                        return Ok(());
                    }
                } else if i == items.len()
                    && i < super::attr::MAX_INLINE_ATTRS
                    && !items.iter().any(|(k, _)| super::attr::same_name(k, name))
                {
                    // The next attribute of a new instance, as `__init__` sets them.
                    super::attr::note_attr_count(cls, i + 1);
                    items.push((name.clone(), v));
                    return Ok(());
                }
            }
        }
        self.store_attr_plain(obj, name, v)?;
        if let Attrs::Inline(items) = &*attrs.borrow() {
            if let Some(i) = items.iter().position(|(k, _)| k.is(name)) {
                fill_cache(cache, cls, i);
            }
        }
        Ok(())
    }

    /// `obj.name` when `obj` is a plain instance holding `name` itself (stored under the same
    /// name object) and its class has no attribute hooks and nothing named `name`.
    #[inline]
    pub(crate) fn load_attr_plain(&mut self, obj: &ObjRef, name: &Value) -> Option<Value> {
        let (Some(cls), ObjKind::Object(attrs)) = (&obj.class, &obj.kind) else {
            return None;
        };
        if self.lookup_type_cached(cls, name).is_some() || self.attr_hooks(cls) != 0 {
            return None;
        }
        let attrs = attrs.borrow();
        let Attrs::Inline(items) = &*attrs else {
            return None;
        };
        items
            .iter()
            .find(|(k, _)| k.is(name))
            .map(|(_, v)| v.clone())
    }

    /// `LoadMethod` at `ip` of `code` through the instruction's cache: the function to call
    /// with `obj` as self, when `name` resolves on the receiver's type to a function (or a
    /// native stored unbound in the type, as builtin methods are) that the instance does not
    /// shadow, and the type has no attribute hooks. None: the general path decides. `name`
    /// must be interned (a code object's names are): inline attribute keys always are, so a
    /// pointer comparison tells whether the instance holds the name.
    #[inline]
    pub(crate) fn load_method_cached(
        &mut self,
        obj: &Value,
        name: &Value,
        code: &Code,
        ip: usize,
    ) -> Option<Value> {
        let (ty, attrs) = match obj {
            Value::Obj(o) => {
                if matches!(
                    o.kind,
                    ObjKind::Type(_) | ObjKind::Module(_) | ObjKind::Super(_)
                ) {
                    return None;
                }
                let ty = match &o.class {
                    Some(c) => c,
                    None => self.types.of_kind(&o.kind),
                };
                (ty, o.attrs())
            }
            v => (self.type_of(v), None),
        };
        let cache = &code.method_caches[code.cache_index[ip] as usize];
        let (class, version) = type_stamp(ty)?;
        let f = if (cache.class.get(), cache.version.get()) == (class, version) {
            cache.func.borrow().clone()
        } else {
            let ty = ty.clone();
            let f = self.lookup_type_cached(&ty, name)?;
            let method = match f.kind() {
                Some(ObjKind::Function(_)) => true,
                Some(ObjKind::Native(n)) => n.bound.is_null(),
                _ => false,
            };
            if !method || self.attr_hooks(&ty) != 0 {
                return None;
            }
            cache.class.set(class);
            cache.version.set(version);
            let old = cache.func.replace(f.clone());
            drop(old);
            f
        };
        if let Some(a) = attrs {
            match &*a.borrow() {
                Attrs::Inline(items) if !items.iter().any(|(k, _)| k.is(name)) => {}
                _ => return None,
            }
        }
        Some(f)
    }

    /// `obj.name = v` for a plain instance whose class has no attribute hooks and nothing
    /// named `name`; gives `v` back when the general path must do it.
    #[inline]
    pub(crate) fn store_attr_plain(
        &mut self,
        obj: &ObjRef,
        name: &Value,
        v: Value,
    ) -> Result<(), Value> {
        let (Some(cls), ObjKind::Object(attrs)) = (&obj.class, &obj.kind) else {
            return Err(v);
        };
        // A bare `object()` has no attribute storage.
        if Rc::ptr_eq(cls, &self.types.object)
            || self.lookup_type_cached(cls, name).is_some()
            || self.attr_hooks(cls) != 0
        {
            return Err(v);
        }
        let mut attrs = attrs.borrow_mut();
        let Attrs::Inline(items) = &mut *attrs else {
            return Err(v);
        };
        if let Some(slot) = items.iter_mut().find(|(k, _)| k.is(name)) {
            let old = std::mem::replace(&mut slot.1, v);
            drop(attrs);
            drop(old);
            return Ok(());
        }
        // A name stored under another str object with the same text is the same attribute.
        if items.iter().any(|(k, _)| super::attr::same_name(k, name))
            || items.len() >= super::attr::MAX_INLINE_ATTRS
        {
            return Err(v);
        }
        super::attr::note_attr_count(cls, items.len() + 1);
        items.push((name.clone(), v));
        Ok(())
    }
}
