//! Attribute access on plain instances without the general machinery.
//!
//! `self.x` and `self.x = v` on an instance of a user class with no attribute hooks, where
//! the class has nothing under that name, come down to a scan of the instance's inline
//! attribute list. The general path (`get_attr`, `set_attr`) gets there too, after the
//! descriptor and hook checks; these shortcuts take it only when those checks are known to
//! come out empty, and otherwise leave everything to the general path.

use super::object::{Attrs, ObjKind};
use super::value::{ObjRef, Value};
use super::Vm;
use std::rc::Rc;

impl Vm {
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

    /// `LoadMethod` of a function (or unbound native) defined on the class of a plain
    /// instance that does not shadow it: the function, to be called with the instance as self. `name` must be
    /// interned (a code object's names are): inline attribute keys always are, so a pointer
    /// comparison tells whether the instance holds the name.
    #[inline]
    pub(crate) fn load_method_plain(&mut self, obj: &ObjRef, name: &Value) -> Option<Value> {
        let (Some(cls), ObjKind::Object(attrs)) = (&obj.class, &obj.kind) else {
            return None;
        };
        let f = self.lookup_type_cached(cls, name)?;
        // Functions, and natives stored unbound in a class (`Queue.put`), bind as methods.
        let method = match f.kind() {
            Some(ObjKind::Function(_)) => true,
            Some(ObjKind::Native(n)) => n.bound.is_null(),
            _ => false,
        };
        if !method || self.attr_hooks(cls) != 0 {
            return None;
        }
        match &*attrs.borrow() {
            Attrs::Inline(items) if !items.iter().any(|(k, _)| k.is(name)) => Some(f),
            _ => None,
        }
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
