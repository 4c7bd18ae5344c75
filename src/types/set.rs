//! Set and frozenset storage: CPython's set table holding Aio values.
//!
//! `SetData` wraps `SetTable<Value>` and remembers whether it ever held a key whose equality
//! may need user code (`slow`); sets of builtin scalars use the table's native algebra, the
//! others go through the VM's element-by-element path. Invariant: every stored hash is the
//! key's Python hash.

use super::dict::fast_eq;
use super::set_table::{ProbeStep, SetTable};
use crate::vm::object::ObjKind;
use crate::vm::value::Value;

/// The members of a set or frozenset.
#[derive(Clone, Default)]
pub struct SetData {
    pub table: SetTable<Value>,
    /// True once a key that may need `__eq__` was added.
    pub slow: bool,
}

/// Native equality for keys known not to need user code.
pub fn native_eq(a: &Value, b: &Value) -> bool {
    a.is(b) || fast_eq(a, b).unwrap_or(false)
}

/// True when equality of `v` with anything can be decided without running Aio code.
pub fn is_fast_key(v: &Value) -> bool {
    match v {
        Value::Obj(o) => {
            o.class.is_none()
                && match &o.kind {
                    ObjKind::Str(_) | ObjKind::Bytes(_) | ObjKind::BigInt(_) => true,
                    ObjKind::Tuple(items) => items.iter().all(is_fast_key),
                    _ => false,
                }
        }
        _ => true,
    }
}

impl SetData {
    /// An empty set.
    pub fn new() -> SetData {
        SetData::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Adds a key known to be absent.
    pub fn insert_absent(&mut self, hash: i64, key: Value) {
        if !is_fast_key(&key) {
            self.slow = true;
        }
        self.table.insert_absent(hash, key);
    }

    /// Members in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.table.iter()
    }

    /// Members with their hashes.
    pub fn iter_hashed(&self) -> impl Iterator<Item = (i64, &Value)> {
        self.table.entries()
    }

    /// Number of slots (for index-based iteration).
    pub fn slots(&self) -> usize {
        self.table.capacity()
    }

    /// The member at a slot, if active.
    pub fn slot(&self, index: usize) -> Option<&Value> {
        match self.table.next_entry(index) {
            Some((s, _, k)) if s == index => Some(k),
            _ => None,
        }
    }

    /// The next active slot at or after `pos`.
    pub fn next_entry(&self, pos: usize) -> Option<(usize, &Value)> {
        self.table.next_entry(pos).map(|(s, _, k)| (s, k))
    }

    /// Removes and returns a member (CPython's finger order).
    pub fn pop(&mut self) -> Option<Value> {
        self.table.pop()
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Takes every member out.
    pub fn drain(&mut self) -> Vec<Value> {
        let items: Vec<Value> = self.table.iter().cloned().collect();
        self.table.clear();
        items
    }

    /// Native lookup, valid when `!self.slow` and the key is fast.
    pub fn find_native(&self, hash: i64, key: &Value) -> Option<usize> {
        self.table.find(hash, |k| native_eq(k, key))
    }

    /// Candidate slots for `hash` (for the VM's user-`__eq__` path).
    pub fn candidates(&self, hash: i64) -> Vec<(usize, Value)> {
        let mut p = self.table.probe(hash);
        let mut out = Vec::new();
        while let ProbeStep::Candidate(slot) = self.table.probe_next(&mut p) {
            out.push((slot, self.table.key_at(slot).clone()));
        }
        out
    }

    /// The frozenset hash.
    pub fn frozenset_hash(&self) -> i64 {
        self.table.frozenset_hash()
    }
}
