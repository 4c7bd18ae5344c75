//! The type attribute cache: what `lookup_type(cls, name)` found, remembered per (class, name).
//!
//! Every method call, instance attribute read and operator on an instance of a user class
//! looks a name up along the class's MRO, one dict probe per class. As in CPython, a small
//! direct-mapped table keyed by the class and the (usually interned) name object answers
//! repeats in a few loads. Validity rests on version tags: every class carries a version,
//! drawn from a global counter when the class is made and again whenever the dict of the
//! class or of one of its bases changes (`invalidate_type` walks the subclass registry).
//! An entry is valid only while the class still has the version the entry was filled at, so
//! setting a class attribute invalidates that class and its subclasses and nothing else.
//!
//! Entries hold the class by address only: a class that dies and a new one allocated at the
//! same address have different versions, so the address alone never matches a stale entry.
//! The name and the found value are held strongly (a name's address is only meaningful while
//! that name object lives).

use super::object::{Obj, ObjKind};
use super::value::{ObjRef, Value};
use super::Vm;
use std::cell::Cell;
use std::rc::{Rc, Weak};

/// log2 of the number of entries.
const BITS: u32 = 12;

thread_local! {
    static NEXT_VERSION: Cell<u64> = const { Cell::new(1) };
}

/// A version tag no class has had before (never 0, which marks an empty entry).
pub fn fresh_type_version() -> u64 {
    NEXT_VERSION.with(|n| {
        let v = n.get();
        n.set(v + 1);
        v
    })
}

#[derive(Default, Clone)]
struct Entry {
    /// Address of the class; 0 when the entry is empty.
    class: usize,
    version: u64,
    name: Value,
    value: Option<Value>,
}

/// The table itself (one per interpreter).
pub struct TypeCache {
    entries: Box<[Entry]>,
}

impl Default for TypeCache {
    fn default() -> Self {
        TypeCache {
            entries: vec![Entry::default(); 1 << BITS].into_boxed_slice(),
        }
    }
}

#[inline]
fn slot(class: usize, name: usize) -> usize {
    let h = (class >> 4) ^ (name >> 3).rotate_left(17);
    h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - BITS)
}

impl TypeCache {
    /// The cached result of looking `name` up on `cls` at `version`, if any.
    #[inline]
    pub fn get(&self, cls: &ObjRef, version: u64, name: &ObjRef) -> Option<&Option<Value>> {
        let class = Rc::as_ptr(cls) as usize;
        let e = &self.entries[slot(class, Rc::as_ptr(name) as usize)];
        match &e.name {
            Value::Obj(n) if e.class == class && e.version == version && Rc::ptr_eq(n, name) => {
                Some(&e.value)
            }
            _ => None,
        }
    }

    /// Remembers a lookup result.
    pub fn put(&mut self, cls: &ObjRef, version: u64, name: &ObjRef, value: Option<Value>) {
        let class = Rc::as_ptr(cls) as usize;
        self.entries[slot(class, Rc::as_ptr(name) as usize)] = Entry {
            class,
            version,
            name: Value::Obj(name.clone()),
            value,
        };
    }
}

/// Records `sub` as a subclass of `base` (for invalidation and `__subclasses__`).
pub fn register_subclass(base: &ObjRef, sub: &ObjRef) {
    if let Some(t) = base.as_type() {
        let mut subs = t.subclasses.borrow_mut();
        // Drop the entries of dead subclasses now and then (a Weak keeps its allocation).
        if subs.len() >= 8 && subs.len().is_power_of_two() {
            subs.retain(|w| w.strong_count() > 0);
        }
        subs.push(Rc::downgrade(sub));
    }
}

/// The live direct subclasses of `cls`, oldest first.
pub fn live_subclasses(cls: &ObjRef) -> Vec<ObjRef> {
    match cls.as_type() {
        Some(t) => t
            .subclasses
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect(),
        None => Vec::new(),
    }
}

/// Gives `cls` and every class derived from it a new version: their cached lookups are stale.
pub fn invalidate_type(cls: &ObjRef) {
    let mut todo: Vec<ObjRef> = vec![cls.clone()];
    while let Some(c) = todo.pop() {
        if let Some(t) = c.as_type() {
            t.version.set(fresh_type_version());
            todo.extend(
                t.subclasses
                    .borrow()
                    .iter()
                    .filter_map(Weak::<Obj>::upgrade),
            );
        }
    }
}

impl Vm {
    /// `lookup_type` through the cache.
    #[inline]
    pub(crate) fn lookup_type_cached(&mut self, cls: &ObjRef, name: &Value) -> Option<Value> {
        let ObjKind::Type(t) = &cls.kind else {
            return None;
        };
        let Value::Obj(n) = name else { return None };
        let version = t.version.get();
        if let Some(v) = self.type_cache.get(cls, version, n) {
            return v.clone();
        }
        let v = self.lookup_type_uncached(cls, name);
        self.type_cache.put(cls, version, n, v.clone());
        v
    }
}
