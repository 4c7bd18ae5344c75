//! The dict table: an `IndexMap` keyed by CPython hashes, insertion ordered.
//!
//! Keys carry their precomputed Python hash; lookups go through indexmap's raw-entry API with
//! an equality that never runs Aio code (identity, and value equality of builtin scalars and
//! tuples of them). Keys that need a user `__eq__` are reported back as candidates so that the
//! VM can compare them after releasing its borrow. Deleting replaces the key with a hole
//! (CPython's dummy entry) so order is kept in O(1); holes are compacted when they outnumber
//! live entries. Invariant: `holes` counts the entries whose key is `Value::Null`, and
//! `version` changes whenever an entry index may have changed meaning (insert, delete,
//! compaction), so `(version, index)` caches stay sound.

use crate::vm::object::ObjKind;
use crate::vm::value::Value;
use indexmap::map::RawEntryApiV1;
use indexmap::IndexMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A stored key: the key value and its Python hash. A `Null` key marks a deleted entry.
#[derive(Clone)]
pub struct DictKey {
    pub hash: i64,
    pub key: Value,
}

impl Hash for DictKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_i64(self.hash);
    }
}

impl PartialEq for DictKey {
    fn eq(&self, other: &DictKey) -> bool {
        self.hash == other.hash && self.key.is(&other.key)
    }
}

impl Eq for DictKey {}

/// Spreads a Python hash over all 64 bits: CPython's hashes of small ints are the ints
/// themselves, which would leave the table's high control bits all equal.
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_i64(&mut self, i: i64) {
        self.0 = (i as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

type Map = IndexMap<DictKey, Value, BuildHasherDefault<MixHasher>>;

fn mix(hash: i64) -> u64 {
    let mut h = MixHasher::default();
    h.write_i64(hash);
    h.finish()
}

/// The result of a lookup that could not run user code.
pub enum Probe {
    Found(usize),
    Missing,
    /// Not found by native equality, but these keys (with the same hash) need `__eq__`.
    Slow(Vec<Value>),
}

/// An insertion-ordered hash table of Python values.
#[derive(Clone, Default)]
pub struct Dict {
    map: Map,
    holes: usize,
    version: u64,
}

/// Equality that needs no interpreter: Some(answer) for identical objects and builtin scalar
/// values (and tuples of them); None when a user `__eq__` could be involved.
pub fn fast_eq(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x == y),
        (Int(x), Float(y)) | (Float(y), Int(x)) => {
            let y = y.get();
            Some((*x as f64) == y && int_float_exact(*x, y))
        }
        (Float(x), Float(y)) => Some(x.get() == y.get()),
        (Bool(x), Bool(y)) => Some(x == y),
        (Bool(x), Int(y)) | (Int(y), Bool(x)) => Some(x.get() as i64 == *y),
        (Bool(x), Float(y)) | (Float(y), Bool(x)) => Some(x.get() as i64 as f64 == y.get()),
        (None, None) => Some(true),
        (Obj(x), Obj(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return Some(true);
            }
            // Subclass instances may override __eq__: only exact builtins compare here.
            if x.class.is_some() || y.class.is_some() {
                return Option::None;
            }
            match (&x.kind, &y.kind) {
                (ObjKind::Str(s), ObjKind::Str(t)) => Some(s.as_str() == t.as_str()),
                (ObjKind::Bytes(s), ObjKind::Bytes(t)) => Some(s == t),
                (ObjKind::BigInt(s), ObjKind::BigInt(t)) => Some(s == t),
                (ObjKind::Tuple(s), ObjKind::Tuple(t)) => {
                    if s.len() != t.len() {
                        return Some(false);
                    }
                    for (p, q) in s.iter().zip(t.iter()) {
                        if !fast_eq(p, q)? {
                            return Some(false);
                        }
                    }
                    Some(true)
                }
                (ObjKind::FrozenSet(_), _) | (_, ObjKind::FrozenSet(_)) => Option::None,
                (ObjKind::Object(_), _) | (_, ObjKind::Object(_)) => Option::None,
                (ObjKind::Exception(_), _) | (_, ObjKind::Exception(_)) => Option::None,
                (ObjKind::Ext(_), _) | (_, ObjKind::Ext(_)) => Option::None,
                (ObjKind::EventWait(_), _) | (_, ObjKind::EventWait(_)) => Option::None,
                (ObjKind::Str(_), _) | (_, ObjKind::Str(_)) => Some(false),
                (ObjKind::BigInt(_), _) | (_, ObjKind::BigInt(_)) => Option::None,
                _ => Option::None,
            }
        }
        (Obj(o), _) | (_, Obj(o)) => match &o.kind {
            ObjKind::Str(_) | ObjKind::Bytes(_) | ObjKind::Tuple(_) if o.class.is_none() => {
                Some(false)
            }
            _ => Option::None,
        },
        (Null, Null) => Some(true),
        _ => Some(false),
    }
}

/// For an int and a float that compare equal as f64, whether they are exactly equal
/// (large ints lose precision when converted).
fn int_float_exact(i: i64, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return false;
    }
    f as i64 == i
}

impl Dict {
    /// An empty dict.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// An empty dict with room for `n` entries.
    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            map: Map::with_capacity_and_hasher(n, Default::default()),
            holes: 0,
            version: 0,
        }
    }

    /// Number of live entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.map.len() - self.holes
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes whenever entry positions may have changed.
    #[inline]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Number of entry slots, holes included (iteration runs over `0..slots()`).
    #[inline]
    pub fn slots(&self) -> usize {
        self.map.len()
    }

    /// Finds `key` using native equality only.
    pub fn probe(&self, hash: i64, key: &Value) -> Probe {
        let mut slow: Vec<Value> = Vec::new();
        let found = self.map.raw_entry_v1().index_from_hash(mix(hash), |k| {
            if k.hash != hash || k.key.is_null() {
                return false;
            }
            match fast_eq(&k.key, key) {
                Some(b) => b,
                None => {
                    slow.push(k.key.clone());
                    false
                }
            }
        });
        match found {
            Some(i) => Probe::Found(i),
            None if slow.is_empty() => Probe::Missing,
            None => Probe::Slow(slow),
        }
    }

    /// Finds the entry whose key is `key` itself (identity), e.g. after a slow comparison.
    pub fn find_identical(&self, hash: i64, key: &Value) -> Option<usize> {
        self.map
            .raw_entry_v1()
            .index_from_hash(mix(hash), |k| k.hash == hash && k.key.is(key))
    }

    /// Fast lookup of a str key (no user code can be involved).
    pub fn find_str(&self, hash: i64, s: &str) -> Option<usize> {
        self.map.raw_entry_v1().index_from_hash(mix(hash), |k| {
            k.hash == hash
                && match &k.key {
                    Value::Obj(o) => match &o.kind {
                        ObjKind::Str(t) => t.as_str() == s,
                        _ => false,
                    },
                    _ => false,
                }
        })
    }

    /// The live entry at `index`, if that slot is not a hole.
    #[inline]
    pub fn entry(&self, index: usize) -> Option<(&Value, &Value)> {
        match self.map.get_index(index) {
            Some((k, v)) if !k.key.is_null() => Some((&k.key, v)),
            _ => None,
        }
    }

    /// The stored hash of the entry at `index`.
    pub fn hash_at(&self, index: usize) -> i64 {
        self.map.get_index(index).map(|(k, _)| k.hash).unwrap_or(0)
    }

    /// The value at a live `index`.
    #[inline]
    pub fn value_at(&self, index: usize) -> &Value {
        &self.map[index]
    }

    /// Replaces the value at a live `index`, returning the old one.
    pub fn set_value_at(&mut self, index: usize, value: Value) -> Value {
        std::mem::replace(&mut self.map[index], value)
    }

    /// Appends a key known to be absent.
    pub fn insert_new(&mut self, hash: i64, key: Value, value: Value) -> usize {
        self.version = self.version.wrapping_add(1);
        let (i, _) = self.map.insert_full(DictKey { hash, key }, value);
        i
    }

    /// Removes the live entry at `index`, leaving a hole; returns its key and value.
    pub fn remove_at(&mut self, index: usize) -> (Value, Value) {
        use indexmap::map::MutableKeys;
        self.version = self.version.wrapping_add(1);
        let last = index + 1 == self.map.len();
        if last {
            let (k, v) = self.map.pop().expect("index is live");
            self.trim_trailing_holes();
            return (k.key, v);
        }
        let (k, v) = self.map.get_index_mut2(index).expect("index is live");
        let key = std::mem::take(&mut k.key);
        let value = std::mem::take(v);
        self.holes += 1;
        if self.holes > 8 && self.holes * 2 > self.map.len() {
            self.compact();
        }
        (key, value)
    }

    fn trim_trailing_holes(&mut self) {
        while let Some((k, _)) = self.map.last() {
            if !k.key.is_null() {
                break;
            }
            self.map.pop();
            self.holes -= 1;
        }
    }

    /// Removes all holes, renumbering entries.
    pub fn compact(&mut self) {
        if self.holes == 0 {
            return;
        }
        self.map.retain(|k, _| !k.key.is_null());
        self.holes = 0;
        self.version = self.version.wrapping_add(1);
    }

    /// Removes and returns the last live entry (`dict.popitem`).
    pub fn pop_last(&mut self) -> Option<(Value, Value)> {
        self.trim_trailing_holes();
        let (k, v) = self.map.pop()?;
        self.version = self.version.wrapping_add(1);
        self.trim_trailing_holes();
        Some((k.key, v))
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.map.clear();
        self.holes = 0;
        self.version = self.version.wrapping_add(1);
    }

    /// Live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.map
            .iter()
            .filter(|(k, _)| !k.key.is_null())
            .map(|(k, v)| (&k.key, v))
    }

    /// Live entries with their hashes.
    pub fn iter_hashed(&self) -> impl Iterator<Item = (i64, &Value, &Value)> {
        self.map
            .iter()
            .filter(|(k, _)| !k.key.is_null())
            .map(|(k, v)| (k.hash, &k.key, v))
    }

    /// Takes every live entry out, leaving the dict empty.
    pub fn drain(&mut self) -> Vec<(Value, Value)> {
        let map = std::mem::take(&mut self.map);
        self.holes = 0;
        self.version = self.version.wrapping_add(1);
        map.into_iter()
            .filter(|(k, _)| !k.key.is_null())
            .map(|(k, v)| (k.key, v))
            .collect()
    }

    /// Index of the first live entry at or after `index`.
    pub fn next_live(&self, mut index: usize) -> Option<usize> {
        while index < self.map.len() {
            if let Some((k, _)) = self.map.get_index(index) {
                if !k.key.is_null() {
                    return Some(index);
                }
            }
            index += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_keeps_order() {
        let mut d = Dict::new();
        for i in 0..20 {
            d.insert_new(i, Value::Int(i), Value::Int(i * 10));
        }
        assert_eq!(d.len(), 20);
        for i in (0..20).step_by(2) {
            match d.probe(i, &Value::Int(i)) {
                Probe::Found(ix) => {
                    d.remove_at(ix);
                }
                _ => panic!("missing {i}"),
            }
        }
        assert_eq!(d.len(), 10);
        let keys: Vec<i64> = d.iter().map(|(k, _)| k.as_i64().unwrap()).collect();
        assert_eq!(keys, vec![1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
        assert!(matches!(d.probe(4, &Value::Int(4)), Probe::Missing));
        d.insert_new(4, Value::Int(4), Value::None);
        let last = d.iter().last().unwrap().0.as_i64();
        assert_eq!(last, Some(4));
    }

    #[test]
    fn int_and_float_keys_are_equal() {
        let mut d = Dict::new();
        d.insert_new(1, Value::Int(1), Value::None);
        assert!(matches!(d.probe(1, &Value::from_f64(1.0)), Probe::Found(0)));
        assert!(matches!(d.probe(1, &Value::TRUE), Probe::Found(0)));
    }

    #[test]
    fn popitem_skips_holes() {
        let mut d = Dict::new();
        for i in 0..3 {
            d.insert_new(i, Value::Int(i), Value::None);
        }
        d.remove_at(1);
        let (k, _) = d.pop_last().unwrap();
        assert_eq!(k.as_i64(), Some(2));
        let (k, _) = d.pop_last().unwrap();
        assert_eq!(k.as_i64(), Some(0));
        assert!(d.pop_last().is_none());
    }
}
