//! Set algebra with CPython 3.11's result order. Which table a result is built from, and in
//! which order keys are added, decides what the result prints, so each function follows the
//! matching routine of Objects/setobject.c step for step. Keys come with a native equality
//! `eq(stored, probe)`; a VM whose equality runs user code repeats the same loops through
//! the probe API, iterating the same operand in the same slot order.
//!
//! Operand kinds matter as in CPython (the VM dispatches on them):
//! - a set or frozenset operand is walked in its slot order ([`SetTable::entries`]);
//! - an exact dict operand is walked in insertion order with its stored hashes, after a
//!   [`SetTable::reserve_for_merge`] where CPython does one ([`update_from_dict`]);
//! - any other iterable is consumed item by item, hashing each item as it comes.
//!
//! Identity cases the VM must catch before calling (Rust cannot alias `&mut a` and `&a`):
//! `a |= a` and `a.update(a)` do nothing; `a -= a` and `a ^= a` are [`SetTable::clear`];
//! `a & a` and `a.intersection(a)` are [`SetTable::copy`]; `a &= a` swaps in that copy;
//! `a | a` is a copy; `a - a` and `a ^ a` are the general functions below given the same
//! table twice (their results keep dummies, unlike `clear`).

use super::SetTable;

/// `a | b`, `a.union(b)` with a set operand: a copy of `a` (slot-for-slot when possible),
/// then `b` merged in its slot order.
pub fn union<K: Clone>(
    a: &SetTable<K>,
    b: &SetTable<K>,
    eq: impl FnMut(&K, &K) -> bool,
) -> SetTable<K> {
    let mut result = a.copy();
    result.merge(b, eq);
    result
}

/// `s.update(iterable)` / `set(iterable)` for a non-set, non-dict iterable: each item added
/// in iteration order with `set_add_key`.
pub fn update_from_items<K>(
    s: &mut SetTable<K>,
    items: impl IntoIterator<Item = (i64, K)>,
    mut eq: impl FnMut(&K, &K) -> bool,
) {
    for (hash, key) in items {
        s.insert(hash, key, &mut eq);
    }
}

/// `s.update(d)` / `set(d)` for an exact dict: one big resize for `len(d)` keys, then the
/// keys in insertion order with their stored hashes.
pub fn update_from_dict<K, I>(s: &mut SetTable<K>, keys: I, mut eq: impl FnMut(&K, &K) -> bool)
where
    I: IntoIterator<Item = (i64, K)>,
    I::IntoIter: ExactSizeIterator,
{
    let keys = keys.into_iter();
    s.reserve_for_merge(keys.len());
    for (hash, key) in keys {
        s.insert(hash, key, &mut eq);
    }
}

/// `a & b`, `a.intersection(b)` with a set operand (`set_intersection`): a new table filled
/// by walking the smaller operand — `b` when the sizes tie — in slot order and adding each of
/// its keys (that operand's key object, with its stored hash) found in the other.
pub fn intersection<K: Clone>(
    a: &SetTable<K>,
    b: &SetTable<K>,
    mut eq: impl FnMut(&K, &K) -> bool,
) -> SetTable<K> {
    let (walked, probed) = if b.len() > a.len() { (a, b) } else { (b, a) };
    let mut result = SetTable::new();
    for (hash, key) in walked.entries() {
        if probed.contains(hash, |stored| eq(stored, key)) {
            result.insert(hash, key.clone(), &mut eq);
        }
    }
    result
}

/// `a.intersection(iterable)` for a non-set iterable: items in iteration order, each one
/// found in `a` added (the item, not `a`'s key) to a new table.
pub fn intersection_items<K>(
    a: &SetTable<K>,
    items: impl IntoIterator<Item = (i64, K)>,
    mut eq: impl FnMut(&K, &K) -> bool,
) -> SetTable<K> {
    let mut result = SetTable::new();
    for (hash, key) in items {
        if a.contains(hash, |stored| eq(stored, &key)) {
            result.insert(hash, key, &mut eq);
        }
    }
    result
}

/// `a &= b`, `a.intersection_update(b)` with a set operand: the intersection above, whose
/// table `a` then adopts (`set_swap_bodies`; `a` keeps its pop finger).
pub fn intersection_update<K: Clone>(
    a: &mut SetTable<K>,
    b: &SetTable<K>,
    eq: impl FnMut(&K, &K) -> bool,
) {
    let mut result = intersection(a, b, eq);
    a.swap_bodies(&mut result);
}

/// `a - b`, `a.difference(b)` with a set operand (`set_difference`).
///
/// If `len(a) >> 2 > len(b)`, a copy of `a` has `b`'s keys discarded (see
/// [`difference_update`]); otherwise a new table receives `a`'s keys missing from `b`, in
/// `a`'s slot order. For a dict operand CPython does the same with `len(d)` and dict
/// membership; for other iterables it always copies and discards.
pub fn difference<K: Clone>(
    a: &SetTable<K>,
    b: &SetTable<K>,
    mut eq: impl FnMut(&K, &K) -> bool,
) -> SetTable<K> {
    if (a.len() >> 2) > b.len() {
        let mut result = a.copy();
        difference_update(&mut result, b, eq);
        return result;
    }
    let mut result = SetTable::new();
    for (hash, key) in a.entries() {
        if !b.contains(hash, |stored| eq(stored, key)) {
            result.insert(hash, key.clone(), &mut eq);
        }
    }
    result
}

/// `a -= b`, `a.difference_update(b)` with a set operand
/// (`set_difference_update_internal`): `b`'s keys in `b`'s slot order are discarded from `a`
/// — or, when `len(b) >> 3 > len(a)`, the keys of `intersection(a, b)` in its slot order —
/// and then dummies are purged if they exceed a quarter of the slots.
pub fn difference_update<K: Clone>(
    a: &mut SetTable<K>,
    b: &SetTable<K>,
    mut eq: impl FnMut(&K, &K) -> bool,
) {
    if (b.len() >> 3) > a.len() {
        let common = intersection(a, b, &mut eq);
        discard_entries(a, common.entries(), &mut eq);
    } else {
        discard_entries(a, b.entries(), &mut eq);
    }
    a.purge_dummies_if_needed();
}

fn discard_entries<'k, K: 'k>(
    a: &mut SetTable<K>,
    entries: impl Iterator<Item = (i64, &'k K)>,
    mut eq: impl FnMut(&K, &K) -> bool,
) {
    for (hash, key) in entries {
        a.discard(hash, |stored| eq(stored, key));
    }
}

/// `a.difference_update(iterable)` for a non-set iterable (a dict included): each item
/// discarded in iteration order, then the same dummy purge as [`difference_update`].
pub fn difference_update_items<K>(
    a: &mut SetTable<K>,
    items: impl IntoIterator<Item = (i64, K)>,
    mut eq: impl FnMut(&K, &K) -> bool,
) {
    for (hash, key) in items {
        a.discard(hash, |stored| eq(stored, &key));
    }
    a.purge_dummies_if_needed();
}

/// `a ^= b`, `a.symmetric_difference_update(b)` with a set operand: `b`'s keys in `b`'s
/// slot order are each discarded from `a` if present, else added. A dict operand is walked
/// the same way in insertion order ([`symmetric_difference_update_items`]); any other
/// iterable is first made into a set (`set(iterable)`) whose slot order is walked.
pub fn symmetric_difference_update<K: Clone>(
    a: &mut SetTable<K>,
    b: &SetTable<K>,
    eq: impl FnMut(&K, &K) -> bool,
) {
    symmetric_difference_update_items(a, b.entries().map(|(h, k)| (h, k.clone())), eq);
}

/// The walk of [`symmetric_difference_update`] over `(hash, key)` pairs in the given order.
pub fn symmetric_difference_update_items<K>(
    a: &mut SetTable<K>,
    items: impl IntoIterator<Item = (i64, K)>,
    mut eq: impl FnMut(&K, &K) -> bool,
) {
    for (hash, key) in items {
        if a.discard(hash, |stored| eq(stored, &key)).is_none() {
            a.insert(hash, key, &mut eq);
        }
    }
}

/// `a ^ b`, `a.symmetric_difference(b)` (`set_symmetric_difference`): a new set built from
/// `b` (a copy for a set operand; `set(b)` for any other iterable, dicts included), then
/// [`symmetric_difference_update`] with `a` walked in `a`'s slot order.
pub fn symmetric_difference<K: Clone>(
    a: &SetTable<K>,
    b: &SetTable<K>,
    eq: impl FnMut(&K, &K) -> bool,
) -> SetTable<K> {
    let mut result = b.copy();
    symmetric_difference_update(&mut result, a, eq);
    result
}

/// `a <= b`, `a.issubset(b)` with a set operand: false if `a` is larger, else every key of
/// `a` (walked in slot order, stopping at the first miss) is in `b`. For a non-set iterable
/// CPython computes `len(a.intersection(iterable)) == len(a)`.
pub fn is_subset<K>(a: &SetTable<K>, b: &SetTable<K>, mut eq: impl FnMut(&K, &K) -> bool) -> bool {
    a.len() <= b.len()
        && a.entries()
            .all(|(hash, key)| b.contains(hash, |stored| eq(stored, key)))
}

/// `a.isdisjoint(b)` with a set operand: the smaller operand (`b` on ties) is walked in slot
/// order, looking each key up in the other.
pub fn is_disjoint<K>(
    a: &SetTable<K>,
    b: &SetTable<K>,
    mut eq: impl FnMut(&K, &K) -> bool,
) -> bool {
    let (walked, probed) = if b.len() > a.len() { (a, b) } else { (b, a) };
    !walked
        .entries()
        .any(|(hash, key)| probed.contains(hash, |stored| eq(stored, key)))
}

/// `a == b` for sets: equal lengths and `a <= b`. (CPython first compares cached frozenset
/// hashes when both are known; that shortcut never changes the answer.)
pub fn equal<K>(a: &SetTable<K>, b: &SetTable<K>, eq: impl FnMut(&K, &K) -> bool) -> bool {
    a.len() == b.len() && is_subset(a, b, eq)
}
