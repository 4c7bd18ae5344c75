//! The hash table behind `set` and `frozenset`: a port of CPython 3.11's open-addressing table
//! (Objects/setobject.c), generic over the key type, so that iteration order — which programs
//! print — is CPython's slot order for the same sequence of operations.
//!
//! Invariants, as in CPython: the slot count is a power of two, at least [`MIN_SIZE`];
//! `used` counts active slots and `fill` active plus dummy slots; `fill < slot count` (there
//! is always an empty slot to end a failed search); active hashes are never -1 (the hash
//! functions map -1 to -2), so a dummy can never match a search.
//!
//! Keys are compared by a caller-supplied equality. Where equality may run user code (the
//! VM's `__eq__`), the table must not stay borrowed during the comparison and the comparison
//! may mutate the table: the step-by-step [`Probe`] API serves that case (see
//! [`SetTable::probe`]); the closure methods serve keys compared natively. The set algebra
//! built on both lives in [`algebra`], with the result order of each operation.
//!
//! Order also depends on how CPython 3.11 builds sets, which the compiler and VM must mirror:
//! - `{a, b, c}` with non-constant items adds them in order to a new table (`BUILD_SET`);
//! - a display of more than two constants becomes a frozenset constant, built by adding the
//!   items in order and then rebuilt from its own iteration order (the compiler's constant
//!   merging); at run time the display is [`SetTable::copy`] of that constant, while
//!   `for x in {...}` and `x in {...}` use the constant itself;
//! - `set(s)`, `frozenset(s)`, `s.copy()` copy ([`SetTable::copy`]); `set(iterable)` adds
//!   items in order; `set(d)` for a dict reserves first ([`algebra::update_from_dict`]).

pub mod algebra;

/// Slot count of a new or cleared table (`PySet_MINSIZE`).
pub const MIN_SIZE: usize = 8;
/// Slots inspected next to each probe position before jumping elsewhere.
const LINEAR_PROBES: usize = 9;
/// How fast the unused high bits of the hash feed the probe sequence.
const PERTURB_SHIFT: u32 = 5;

/// One slot of the table.
#[derive(Clone, Debug)]
enum Slot<K> {
    /// Never used since the table was built: ends every probe sequence.
    Empty,
    /// Held a key that was removed: skipped by searches, reusable by insertion.
    Dummy,
    /// Holds a key; `hash` is the key's hash and is never -1.
    Active { hash: i64, key: K },
}

/// CPython's set hash table.
#[derive(Clone, Debug)]
pub struct SetTable<K> {
    /// `mask + 1` slots, a power of two.
    slots: Vec<Slot<K>>,
    /// Active plus dummy slots.
    fill: usize,
    /// Active slots: the set's length.
    used: usize,
    /// Where `pop` resumes its scan (masked when used, as CPython does).
    finger: usize,
    /// Changes whenever CPython would be looking at a different table array: a resize into a
    /// new large table, or a switch from a large table back to the inline small one.
    table_id: u64,
    /// Bumped by every change of contents or layout.
    mutations: u64,
}

/// Where a step-by-step search stands; see [`SetTable::probe`].
#[derive(Clone, Debug)]
pub struct Probe {
    hash: i64,
    mask: usize,
    /// Start of the current run of linear probes.
    base: usize,
    /// Offset of the next slot to inspect within the run.
    offset: usize,
    /// Last offset of the run: `LINEAR_PROBES` if the run fits below the mask, else 0.
    last: usize,
    perturb: u64,
    /// Last dummy slot passed (CPython's `freeslot`: insertion reuses the last one seen).
    freeslot: Option<usize>,
    /// The empty slot that ended the search, once reached.
    empty: Option<usize>,
    table_id: u64,
}

/// What [`SetTable::probe_next`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeStep {
    /// The slot holds a key with the searched hash: the caller compares it with its key.
    Candidate(usize),
    /// An empty slot ends the search: the key is absent ([`SetTable::insert_vacant`] adds it).
    Vacant,
}

impl Probe {
    /// The hash being searched for.
    pub fn hash(&self) -> i64 {
        self.hash
    }

    fn advance(&mut self) {
        if self.offset < self.last {
            self.offset += 1;
            return;
        }
        self.perturb >>= PERTURB_SHIFT;
        self.base = (self
            .base
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(self.perturb as usize))
            & self.mask;
        self.offset = 0;
        self.last = linear_run(self.base, self.mask);
    }

    fn current(&self) -> usize {
        self.base + self.offset
    }
}

/// Number of extra slots probed linearly after `i`: only when they all lie below the mask.
#[inline]
fn linear_run(i: usize, mask: usize) -> usize {
    if i + LINEAR_PROBES <= mask {
        LINEAR_PROBES
    } else {
        0
    }
}

fn empty_slots<K>(n: usize) -> Vec<Slot<K>> {
    let mut v = Vec::with_capacity(n);
    v.resize_with(n, || Slot::Empty);
    v
}

/// `set_insert_clean`: places a key known to be absent into a table without dummies.
fn insert_clean<K>(slots: &mut [Slot<K>], hash: i64, key: K) {
    let mask = slots.len() - 1;
    let mut perturb = hash as u64;
    let mut i = hash as usize & mask;
    loop {
        let run = linear_run(i, mask);
        if let Some(j) = (i..=i + run).find(|&j| matches!(slots[j], Slot::Empty)) {
            slots[j] = Slot::Active { hash, key };
            return;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

impl<K> Default for SetTable<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> SetTable<K> {
    /// An empty table of [`MIN_SIZE`] slots.
    pub fn new() -> Self {
        SetTable {
            slots: empty_slots(MIN_SIZE),
            fill: 0,
            used: 0,
            finger: 0,
            table_id: 0,
            mutations: 0,
        }
    }

    /// Number of keys (`len(s)`).
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Number of slots (`mask + 1`).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Active plus dummy slots.
    pub fn fill(&self) -> usize {
        self.fill
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Counter bumped by every change of contents or layout; a caller that released the
    /// table (to run user code) compares it to learn whether anything changed meanwhile.
    pub fn mutations(&self) -> u64 {
        self.mutations
    }

    /// Identity of the slot array in CPython's terms (changes when a lookup must restart).
    pub fn table_id(&self) -> u64 {
        self.table_id
    }

    /// The key in `slot`. Panics unless the slot is active.
    pub fn key_at(&self, slot: usize) -> &K {
        match &self.slots[slot] {
            Slot::Active { key, .. } => key,
            _ => panic!("set table slot {slot} is not active"),
        }
    }

    /// The stored hash in `slot`. Panics unless the slot is active.
    pub fn hash_at(&self, slot: usize) -> i64 {
        match &self.slots[slot] {
            Slot::Active { hash, .. } => *hash,
            _ => panic!("set table slot {slot} is not active"),
        }
    }

    /// `set_next`: the first active slot at or after `pos`, as `(slot, hash, key)`; the
    /// caller resumes at `slot + 1`. Cursor form for iterators that cannot hold a borrow.
    pub fn next_entry(&self, pos: usize) -> Option<(usize, i64, &K)> {
        self.slots
            .iter()
            .enumerate()
            .skip(pos)
            .find_map(|(i, slot)| match slot {
                Slot::Active { hash, key } => Some((i, *hash, key)),
                _ => None,
            })
    }

    /// Keys in slot order: the iteration order of CPython's set.
    pub fn iter(&self) -> impl Iterator<Item = &K> + '_ {
        self.entries().map(|(_, k)| k)
    }

    /// `(hash, key)` pairs in slot order.
    pub fn entries(&self) -> impl Iterator<Item = (i64, &K)> + '_ {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Active { hash, key } => Some((*hash, key)),
            _ => None,
        })
    }

    /// Starts a step-by-step search for `hash` (the loop of `set_lookkey` and
    /// `set_add_entry`), for callers whose equality may run user code.
    ///
    /// Protocol (CPython's): call [`probe_next`](Self::probe_next) until it yields `Vacant`
    /// (absent) or a `Candidate(slot)` whose key the caller finds equal. To compare, clone
    /// the candidate key, release the table, compare, re-borrow, then ask
    /// [`probe_still_valid`](Self::probe_still_valid) whether the slot still holds that very
    /// key in the same table array; if not, start a fresh probe. Lookups (`in`, `discard`,
    /// `remove`) check validity before trusting a true comparison; `add` accepts a true
    /// comparison first and only restarts after a false one.
    pub fn probe(&self, hash: i64) -> Probe {
        debug_assert_ne!(hash, -1, "-1 is never a valid hash");
        let mask = self.mask();
        let base = hash as usize & mask;
        Probe {
            hash,
            mask,
            base,
            offset: 0,
            last: linear_run(base, mask),
            perturb: hash as u64,
            freeslot: None,
            empty: None,
            table_id: self.table_id,
        }
    }

    /// Advances `probe` to the next slot holding the searched hash, or to the empty slot
    /// that ends the search.
    ///
    /// A probe begun on a different table array (the caller skipped the validity check)
    /// starts over rather than index a stale layout.
    pub fn probe_next(&self, probe: &mut Probe) -> ProbeStep {
        if probe.table_id != self.table_id {
            *probe = self.probe(probe.hash);
        }
        loop {
            let i = probe.current();
            match &self.slots[i] {
                Slot::Empty => {
                    probe.empty = Some(i);
                    return ProbeStep::Vacant;
                }
                Slot::Dummy => probe.freeslot = Some(i),
                Slot::Active { hash, .. } if *hash == probe.hash => {
                    probe.advance();
                    return ProbeStep::Candidate(i);
                }
                Slot::Active { .. } => {}
            }
            probe.advance();
        }
    }

    /// After user code ran during a comparison: true if the table array is the one the probe
    /// started on and `slot` still holds the key the caller compared (`same` tells whether a
    /// key is that very object). False means CPython would restart the search.
    pub fn probe_still_valid(
        &self,
        probe: &Probe,
        slot: usize,
        same: impl FnOnce(&K) -> bool,
    ) -> bool {
        probe.table_id == self.table_id
            && match &self.slots[slot] {
                Slot::Active { key, .. } => same(key),
                _ => false,
            }
    }

    /// Adds `key` where the search that ended `Vacant` says it belongs (the last dummy passed,
    /// else the empty slot), growing the table as `set_add_entry` does.
    ///
    /// If the table changed since the probe ended (which CPython does not guard against),
    /// the key is inserted as if it were known to be absent.
    pub fn insert_vacant(&mut self, probe: &Probe, key: K) {
        let hash = probe.hash;
        let fresh = probe.table_id == self.table_id;
        if let Some(free) = probe.freeslot.filter(|&f| fresh && self.is_dummy(f)) {
            self.slots[free] = Slot::Active { hash, key };
            self.used += 1;
            self.mutations += 1;
            return;
        }
        match probe.empty.filter(|&e| fresh && self.is_empty_slot(e)) {
            Some(e) => self.slots[e] = Slot::Active { hash, key },
            None => return self.insert_absent(hash, key),
        }
        self.fill += 1;
        self.used += 1;
        self.mutations += 1;
        self.grow_if_needed(probe.mask);
    }

    /// Removes the key in `slot` (found by a probe), leaving a dummy; returns the key.
    pub fn remove_at(&mut self, slot: usize) -> K {
        match std::mem::replace(&mut self.slots[slot], Slot::Dummy) {
            Slot::Active { key, .. } => {
                self.used -= 1;
                self.mutations += 1;
                key
            }
            other => {
                self.slots[slot] = other;
                panic!("set table slot {slot} is not active");
            }
        }
    }

    fn is_dummy(&self, slot: usize) -> bool {
        matches!(self.slots[slot], Slot::Dummy)
    }

    fn is_empty_slot(&self, slot: usize) -> bool {
        matches!(self.slots[slot], Slot::Empty)
    }

    /// The growth rule at the end of `set_add_entry`: after filling an empty slot, resize
    /// once `fill * 5 >= mask * 3` (the mask seen when the search started).
    fn grow_if_needed(&mut self, mask: usize) {
        if self.fill * 5 >= mask * 3 {
            self.resize(self.grown_size_hint());
        }
    }

    /// CPython's target after growth (and after a dummy purge): 4x the keys, 2x past 50,000.
    fn grown_size_hint(&self) -> usize {
        if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        }
    }

    /// Inserts a key the caller knows is absent, with `set_add_entry`'s slot choice and
    /// growth but without comparing keys.
    pub fn insert_absent(&mut self, hash: i64, key: K) {
        let mut probe = self.probe(hash);
        while self.probe_next(&mut probe) != ProbeStep::Vacant {}
        self.insert_vacant(&probe, key);
    }

    /// `set_lookkey` with a native equality (`eq(stored)` tells whether a stored key equals
    /// the one searched for): the slot holding an equal key.
    pub fn find(&self, hash: i64, mut eq: impl FnMut(&K) -> bool) -> Option<usize> {
        let mut probe = self.probe(hash);
        loop {
            match self.probe_next(&mut probe) {
                ProbeStep::Vacant => return None,
                ProbeStep::Candidate(slot) if eq(self.key_at(slot)) => return Some(slot),
                ProbeStep::Candidate(_) => {}
            }
        }
    }

    /// `key in s` with a native equality.
    pub fn contains(&self, hash: i64, eq: impl FnMut(&K) -> bool) -> bool {
        self.find(hash, eq).is_some()
    }

    /// `set_add_entry` with a native equality (`eq(stored, new)`): adds `key` unless an equal
    /// key is present (which is then kept). Returns whether `key` was added.
    pub fn insert(&mut self, hash: i64, key: K, mut eq: impl FnMut(&K, &K) -> bool) -> bool {
        let mut probe = self.probe(hash);
        loop {
            match self.probe_next(&mut probe) {
                ProbeStep::Vacant => break,
                ProbeStep::Candidate(slot) if eq(self.key_at(slot), &key) => return false,
                ProbeStep::Candidate(_) => {}
            }
        }
        self.insert_vacant(&probe, key);
        true
    }

    /// `set_discard_entry` with a native equality: removes and returns the equal key.
    /// Never shrinks the table (dummies stay until a resize).
    pub fn discard(&mut self, hash: i64, eq: impl FnMut(&K) -> bool) -> Option<K> {
        let slot = self.find(hash, eq)?;
        Some(self.remove_at(slot))
    }

    /// `set.pop()`: removes the first active key at or after the finger (wrapping around)
    /// and moves the finger past it. `None` for an empty set ("pop from an empty set").
    pub fn pop(&mut self) -> Option<K> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while !matches!(self.slots[i], Slot::Active { .. }) {
            i = if i == mask { 0 } else { i + 1 };
        }
        self.finger = i + 1;
        Some(self.remove_at(i))
    }

    /// `set.clear()`: back to [`MIN_SIZE`] empty slots. The finger is kept, as in CPython.
    pub fn clear(&mut self) {
        if self.slots.len() != MIN_SIZE {
            self.table_id += 1;
            self.slots = empty_slots(MIN_SIZE);
        } else {
            self.slots.fill_with(|| Slot::Empty);
        }
        self.fill = 0;
        self.used = 0;
        self.mutations += 1;
    }

    /// `set_table_resize`: rebuilds the table with the smallest power-of-two slot count
    /// (at least [`MIN_SIZE`]) above `min_used`, dropping dummies and reinserting active keys
    /// in old slot order. A small table without dummies is left alone.
    pub fn resize(&mut self, min_used: usize) {
        let mut new_size = MIN_SIZE;
        while new_size <= min_used {
            new_size <<= 1;
        }
        let was_small = self.slots.len() == MIN_SIZE;
        if new_size == MIN_SIZE && was_small && self.fill == self.used {
            return;
        }
        // CPython keeps using its inline array when small stays small.
        if !(was_small && new_size == MIN_SIZE) {
            self.table_id += 1;
        }
        let old = std::mem::replace(&mut self.slots, empty_slots(new_size));
        self.fill = self.used;
        self.mutations += 1;
        for slot in old {
            if let Slot::Active { hash, key } = slot {
                insert_clean(&mut self.slots, hash, key);
            }
        }
    }

    /// The "one big resize" that `set_merge` and updating from a dict do before adding
    /// `incoming` keys: resize to `(used + incoming) * 2` if `(fill + incoming) * 5 >= mask * 3`.
    pub fn reserve_for_merge(&mut self, incoming: usize) {
        if (self.fill + incoming) * 5 >= self.mask() * 3 {
            self.resize((self.used + incoming) * 2);
        }
    }

    /// The dummy purge that ends `set_difference_update_internal`: once more than a quarter
    /// of the slots are dummies, resize to 4x the keys (2x past 50,000).
    pub fn purge_dummies_if_needed(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(self.grown_size_hint());
        }
    }

    /// `set_swap_bodies`: exchanges contents and layout with `other` (used by `&=` to adopt
    /// the intersection). Fingers stay with their sets, as in CPython.
    pub fn swap_bodies(&mut self, other: &mut SetTable<K>) {
        std::mem::swap(&mut self.slots, &mut other.slots);
        std::mem::swap(&mut self.fill, &mut other.fill);
        std::mem::swap(&mut self.used, &mut other.used);
        for t in [&mut *self, &mut *other] {
            t.table_id += 1;
            t.mutations += 1;
        }
    }
}

impl<K> SetTable<K> {
    /// `hash(frozenset(s))`: CPython's order-independent combination of the stored hashes.
    pub fn frozenset_hash(&self) -> i64 {
        let mut h = crate::hash::FrozensetHasher::new();
        for (hash, _) in self.entries() {
            h.push(hash);
        }
        h.finish()
    }
}

impl<K: Clone> SetTable<K> {
    /// The fast paths of `set_merge` into `self`, after its one big resize: an empty table of
    /// the same size as a dummy-free `other` is copied slot for slot; any other empty table
    /// takes `other`'s keys by clean insertion in `other`'s slot order. Returns false when
    /// `self` was not empty: the caller must then add `other`'s entries, in slot order, one
    /// by one with `add` semantics (which may compare keys).
    ///
    /// The caller handles `s.update(s)` (nothing to do) before calling.
    pub fn merge_fast(&mut self, other: &SetTable<K>) -> bool {
        if other.used == 0 {
            return true;
        }
        self.reserve_for_merge(other.used);
        if self.fill != 0 {
            return false;
        }
        self.mutations += 1;
        if self.slots.len() == other.slots.len() && other.fill == other.used {
            self.slots.clone_from_slice(&other.slots);
            self.fill = other.fill;
            self.used = other.used;
            return true;
        }
        for (hash, key) in other.entries() {
            insert_clean(&mut self.slots, hash, key.clone());
        }
        self.fill = other.used;
        self.used = other.used;
        true
    }

    /// `set_merge` with a native equality: `s.update(other)` / `s |= other` for a set operand.
    pub fn merge(&mut self, other: &SetTable<K>, mut eq: impl FnMut(&K, &K) -> bool) {
        if self.merge_fast(other) {
            return;
        }
        for (hash, key) in other.entries() {
            self.insert(hash, key.clone(), &mut eq);
        }
    }

    /// `s.copy()` (and `set(s)`, `frozenset(s)`): a new table merged from this one.
    pub fn copy(&self) -> SetTable<K> {
        let mut t = SetTable::new();
        let done = t.merge_fast(self);
        debug_assert!(done, "merging into an empty table never compares keys");
        t
    }
}

#[cfg(test)]
mod tests;
