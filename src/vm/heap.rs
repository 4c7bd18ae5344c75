//! Memory management: reference counting plus a cycle collector, as CPython does it.
//!
//! Objects are `Rc`s, so an object dies the moment its last reference goes — a generator
//! abandoned by `break` is closed before the next statement. Containers are also registered
//! (as `Weak`s) with the collector, which periodically finds groups of objects kept alive only
//! by references among themselves and clears them. The algorithm is CPython's: for every
//! tracked object, subtract from its strong count the references coming from other tracked
//! objects; what is left over is held from outside (roots); everything not reachable from a
//! root is garbage. Generations: new objects are scanned often, survivors rarely.
//!
//! Drops never run Aio code. A dropped suspended generator, an unawaited coroutine and similar
//! events queue a `Finalizer` on `HeapShared`; the VM runs the queue at its next safe point.
//! Deep structures (a million nested lists) are freed iteratively, never by deep recursion.

use super::object::{Attrs, CtorPlan, GenKind, GenState, NativeIter, Obj, ObjKind, Segment};
use super::value::{ObjRef, Value};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// Work that a drop could not do itself, run by the VM at its next safe point.
pub enum Finalizer {
    /// A suspended generator (or coroutine) was dropped: close its frames.
    CloseFrames {
        kind: GenKind,
        qualname: Value,
        frames: Segment,
    },
    /// A coroutine object was dropped without ever being started.
    NeverAwaited { qualname: String },
    /// A still-referenced generator found in cyclic garbage: close it, then let it go.
    CloseGen(ObjRef),
    /// Anything else (the event loop's reports, host hooks).
    Hook(Box<dyn FnOnce(&mut super::Vm)>),
}

/// The part of the heap that objects themselves point at, so that their `Drop` can queue work.
#[derive(Default)]
pub struct HeapShared {
    pub finalizers: RefCell<Vec<Finalizer>>,
    pub pending: Cell<bool>,
}

impl HeapShared {
    /// Queues work for the next safe point.
    pub fn defer(&self, f: Finalizer) {
        self.finalizers.borrow_mut().push(f);
        self.pending.set(true);
    }

    /// Takes all queued work.
    pub fn take(&self) -> Vec<Finalizer> {
        self.pending.set(false);
        std::mem::take(&mut *self.finalizers.borrow_mut())
    }
}

/// Collector statistics (exposed through `gc`-like introspection and tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct GcStats {
    pub collections: u64,
    pub collected: u64,
}

/// The collector's registry of container objects.
pub struct Heap {
    pub shared: Rc<HeapShared>,
    young: Vec<Weak<Obj>>,
    old: Vec<Weak<Obj>>,
    /// Size of `old` after the last full collection.
    old_after_full: usize,
    /// Young-generation size that triggers a collection.
    pub threshold: usize,
    /// `young.len()` at which the next check for a collection happens (see `should_collect`).
    young_trigger: usize,
    /// `young.len()` at which the next check also drops the entries of freed objects: twice
    /// what the last purge kept, so that a young generation holding many live objects (tasks
    /// suspended for a while) is not rescanned every `threshold` registrations.
    purge_at: usize,
    /// Tracked objects created, and container objects freed (`DEATHS`), when the young
    /// generation was last collected.
    births: u64,
    births_at_collect: u64,
    deaths_at_collect: u64,
    pub enabled: bool,
    pub stats: GcStats,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    /// An empty heap.
    pub fn new() -> Heap {
        Heap {
            shared: Rc::new(HeapShared::default()),
            young: Vec::new(),
            old: Vec::new(),
            old_after_full: 0,
            threshold: 1000,
            young_trigger: 1000,
            purge_at: 1000,
            births: 0,
            births_at_collect: 0,
            deaths_at_collect: 0,
            enabled: true,
            stats: GcStats::default(),
        }
    }

    /// Registers a container object with the collector.
    #[inline]
    pub fn track(&mut self, o: &ObjRef) {
        self.births += 1;
        self.young.push(Rc::downgrade(o));
    }

    /// True when a collection is due. As in CPython, what counts is allocations minus
    /// deallocations since the last collection: a program that frees about as many objects as
    /// it creates (a task switching, a loop building temporaries) has nothing for the
    /// collector, however many objects pass through. The net count is checked every
    /// `threshold` registrations, and a collection runs only when it reaches `threshold`;
    /// the entries of objects already freed are dropped from the young generation (releasing
    /// their memory) whenever it has doubled since the last purge, so purging costs O(1) per
    /// registration however many young objects stay alive.
    #[inline]
    pub fn should_collect(&mut self) -> bool {
        self.young.len() >= self.young_trigger && self.enabled && self.net_growth_due()
    }

    /// Starts the net count afresh: called once the finalizers a collection queued have run,
    /// since what they free (closed generators and their cycles) belongs to that collection.
    pub fn restart_count(&mut self) {
        self.births_at_collect = self.births;
        self.deaths_at_collect = DEATHS.with(|d| d.get());
    }

    #[cold]
    fn net_growth_due(&mut self) -> bool {
        let born = self.births - self.births_at_collect;
        let died = DEATHS.with(|d| d.get()) - self.deaths_at_collect;
        if born.saturating_sub(died) >= self.threshold as u64 {
            return true;
        }
        if self.young.len() >= self.purge_at {
            self.young.retain(|w| w.strong_count() > 0);
            self.purge_at = (self.young.len() * 2).max(self.threshold);
        }
        self.young_trigger = self.young.len() + self.threshold;
        false
    }

    /// Every tracked object still alive (for memory measurement).
    pub fn live_objects(&self) -> Vec<ObjRef> {
        self.young
            .iter()
            .chain(self.old.iter())
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Number of tracked objects (live or not yet purged).
    pub fn tracked(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// Runs a young collection, or a full one when the old generation has doubled since the
    /// last full one (CPython waits for 25% growth, but its scan costs less per object than
    /// this one's pointer index; doubling keeps the total work of a growing heap near twice
    /// its final size instead of five times).
    pub fn collect(&mut self) -> usize {
        let full = self.old.len() > 2000 && self.old.len() > self.old_after_full * 2;
        self.collect_gen(full)
    }

    /// Collects the young generation, or everything when `full`.
    ///
    /// The working memory is a few bytes per scanned object (the registry's own buffer reused
    /// for the strong handles, a 4-byte index slot or two, a count and a flag byte): a full
    /// collection runs when the heap is largest, so what it allocates adds to the peak.
    pub fn collect_gen(&mut self, full: bool) -> usize {
        let mut set = std::mem::take(&mut self.young);
        if full {
            // The young entries come first, as they always have (garbage is released in
            // this order), in the larger of the two buffers: extending the smaller one would
            // copy the whole registry and hold both copies at once, at the moment the heap is
            // largest.
            let old = std::mem::take(&mut self.old);
            if set.len() >= old.len() {
                set.extend(old);
            } else {
                let young = std::mem::replace(&mut set, old);
                let n = young.len();
                set.extend(young);
                set.rotate_right(n);
            }
        }
        // Reuses the registry's buffer: a `Weak` and an `Rc` are both one pointer.
        let objs: Vec<ObjRef> = set.into_iter().filter_map(|w| w.upgrade()).collect();
        let garbage = find_garbage(&objs);
        let mut freed = 0;
        let mut resurrected = false;
        for &i in &garbage {
            if needs_finalizer(&objs[i as usize]) {
                self.shared
                    .defer(Finalizer::CloseGen(objs[i as usize].clone()));
                resurrected = true;
            }
        }
        let mut is_garbage = vec![false; if resurrected { 0 } else { objs.len() }];
        if !resurrected {
            for &i in &garbage {
                clear_object(&objs[i as usize]);
                is_garbage[i as usize] = true;
            }
            freed = garbage.len();
        }
        drop(garbage);
        // Survivors go to the old generation, again in the same buffer; the garbage handles
        // are released in index order, as dropping the whole vector did.
        let mut survivors: Vec<Weak<Obj>> = objs
            .into_iter()
            .enumerate()
            .filter_map(|(i, o)| match is_garbage.get(i) {
                Some(true) => None,
                _ => Some(Rc::downgrade(&o)),
            })
            .collect();
        drop(is_garbage);
        if full {
            survivors.retain(|w| w.strong_count() > 0);
            self.old = survivors;
            self.old_after_full = self.old.len();
        } else if self.old.is_empty() {
            self.old = survivors;
        } else {
            self.old.append(&mut survivors);
        }
        self.stats.collections += 1;
        self.stats.collected += freed as u64;
        // The threshold stays fixed: collections follow the net growth of the young
        // generation, so a large old one does not make them run back to back.
        self.young_trigger = self.threshold;
        self.purge_at = self.threshold;
        self.births_at_collect = self.births;
        self.deaths_at_collect = DEATHS.with(|d| d.get());
        freed
    }
}

/// `find_garbage`'s per-object flags.
const OPAQUE: u8 = 1;
const REACHABLE: u8 = 2;

/// Indices into `objs` of the objects reachable only from each other.
fn find_garbage(objs: &[ObjRef]) -> Vec<u32> {
    let index = PtrIndex::new(objs);
    // References from outside the set: strong count minus our own handle minus references
    // from set members. Four bytes are plenty: a count past `i32::MAX` stays positive.
    let mut refs: Vec<i32> = objs
        .iter()
        .map(|o| (Rc::strong_count(o) - 1).min(i32::MAX as usize) as i32)
        .collect();
    let mut flags = vec![0u8; objs.len()];
    for (i, o) in objs.iter().enumerate() {
        let ok = trace_object(o, &mut |child| {
            if let Some(j) = index.get(child) {
                refs[j as usize] -= 1;
            }
        });
        if !ok {
            flags[i] = OPAQUE;
        }
    }
    let is_root = |i: usize| refs[i] > 0 || flags[i] & OPAQUE != 0;
    // Only objects with no outside reference can be garbage: when there are none (a young
    // generation of tasks and coroutines still referenced by the loop), there is nothing to
    // look for and the second traversal is skipped.
    if (0..objs.len()).all(is_root) {
        return Vec::new();
    }
    let roots: Vec<bool> = (0..objs.len()).map(is_root).collect();
    drop(refs);
    // Depth-first from each root in turn, so the stack holds a path's frontier rather than
    // every root at once.
    let mut stack: Vec<u32> = Vec::new();
    for r in 0..objs.len() {
        if !roots[r] || flags[r] & REACHABLE != 0 {
            continue;
        }
        flags[r] |= REACHABLE;
        stack.push(r as u32);
        while let Some(i) = stack.pop() {
            trace_object(&objs[i as usize], &mut |child| {
                if let Some(j) = index.get(child) {
                    if flags[j as usize] & REACHABLE == 0 {
                        flags[j as usize] |= REACHABLE;
                        stack.push(j);
                    }
                }
            });
        }
    }
    (0..objs.len() as u32)
        .filter(|&i| flags[i as usize] & REACHABLE == 0)
        .collect()
}

/// The collector's pointer index: open addressing over 4-byte indices into `objs`, at most
/// half full, keyed by the address of the object an index names. A `HashMap` from address to
/// index weighed four times as much, at the moment the heap is largest.
struct PtrIndex<'a> {
    objs: &'a [ObjRef],
    slots: Vec<u32>,
    shift: u32,
}

impl<'a> PtrIndex<'a> {
    const EMPTY: u32 = u32::MAX;

    fn new(objs: &'a [ObjRef]) -> PtrIndex<'a> {
        assert!(
            objs.len() < u32::MAX as usize,
            "too many objects to collect"
        );
        let cap = (objs.len() * 2).next_power_of_two().max(16);
        let mut ix = PtrIndex {
            objs,
            slots: vec![Self::EMPTY; cap],
            shift: 64 - cap.trailing_zeros(),
        };
        for (i, o) in objs.iter().enumerate() {
            let mut s = ix.slot(Rc::as_ptr(o));
            while ix.slots[s] != Self::EMPTY {
                s = (s + 1) & (cap - 1);
            }
            ix.slots[s] = i as u32;
        }
        ix
    }

    /// The home slot of an address: Fibonacci hashing, whose high bits depend on all of it
    /// despite allocation alignment.
    #[inline]
    fn slot(&self, p: *const Obj) -> usize {
        ((p as usize as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, o: &ObjRef) -> Option<u32> {
        let p = Rc::as_ptr(o);
        let mask = self.slots.len() - 1;
        let mut s = self.slot(p);
        loop {
            let i = self.slots[s];
            if i == Self::EMPTY {
                return None;
            }
            if Rc::as_ptr(&self.objs[i as usize]) == p {
                return Some(i);
            }
            s = (s + 1) & mask;
        }
    }
}

/// A suspended generator must be closed (running its `finally` blocks) before it is freed.
fn needs_finalizer(o: &ObjRef) -> bool {
    match &o.kind {
        ObjKind::Generator(g) => match g.state.try_borrow() {
            Ok(s) => matches!(&*s, GenState::Suspended(_)),
            Err(_) => false,
        },
        _ => false,
    }
}

fn trace_value(v: &Value, f: &mut dyn FnMut(&ObjRef)) {
    if let Value::Obj(o) = v {
        f(o);
    }
}

fn trace_attrs(a: &Attrs, f: &mut dyn FnMut(&ObjRef)) {
    match a {
        Attrs::Inline(items) => {
            for (k, v) in items {
                trace_value(k, f);
                trace_value(v, f);
            }
        }
        Attrs::Dict(d) => f(d),
    }
}

/// Calls `f` on every object `o` references directly. Returns false when some part could not
/// be inspected (a borrow in progress): the object is then treated as externally referenced.
pub fn trace_object(o: &ObjRef, f: &mut dyn FnMut(&ObjRef)) -> bool {
    if let Some(c) = &o.class {
        f(c);
    }
    trace_kind(&o.kind, f)
}

fn trace_kind(kind: &ObjKind, f: &mut dyn FnMut(&ObjRef)) -> bool {
    macro_rules! borrow {
        ($cell:expr) => {
            match $cell.try_borrow() {
                Ok(b) => b,
                Err(_) => return false,
            }
        };
    }
    match kind {
        ObjKind::Tuple(items) => items.iter().for_each(|v| trace_value(v, f)),
        ObjKind::List(items) => borrow!(items).iter().for_each(|v| trace_value(v, f)),
        ObjKind::Dict(d) => {
            for (k, v) in borrow!(d).iter() {
                trace_value(k, f);
                trace_value(v, f);
            }
        }
        ObjKind::Set(s) => borrow!(s).iter().for_each(|v| trace_value(v, f)),
        ObjKind::FrozenSet(s) => s.iter().for_each(|v| trace_value(v, f)),
        ObjKind::Slice(s) => s.iter().for_each(|v| trace_value(v, f)),
        ObjKind::Function(func) => {
            f(&func.globals);
            trace_value(&*borrow!(func.name), f);
            trace_value(&*borrow!(func.qualname), f);
            borrow!(func.defaults)
                .iter()
                .for_each(|v| trace_value(v, f));
            trace_value(&*borrow!(func.kwdefaults), f);
            func.closure.iter().for_each(&mut *f);
            trace_attrs(&*borrow!(func.attrs), f);
        }
        ObjKind::BoundMethod(m) => {
            trace_value(&m.0, f);
            trace_value(&m.1, f);
        }
        ObjKind::Native(n) => {
            trace_value(&n.bound, f);
            trace_value(&n.data, f);
        }
        ObjKind::Type(t) => {
            if let Some(b) = &t.base {
                f(b);
            }
            for (k, v) in borrow!(t.dict).iter() {
                trace_value(k, f);
                trace_value(v, f);
            }
            trace_value(&*borrow!(t.module), f);
            if let CtorPlan::ObjectNewThenInit(v) | CtorPlan::BuiltinNew(v) = &borrow!(t.ctor).1 {
                trace_value(v, f);
            }
        }
        ObjKind::Module(m) => f(&m.dict),
        ObjKind::Cell(c) => trace_value(&*borrow!(c), f),
        ObjKind::Property(p) => {
            for v in [&p.fget, &p.fset, &p.fdel, &p.doc] {
                trace_value(v, f);
            }
        }
        ObjKind::StaticMethod(v) | ObjKind::ClassMethod(v) => trace_value(v, f),
        ObjKind::Object(a) => trace_attrs(&*borrow!(a), f),
        ObjKind::Subclass(s) => {
            trace_attrs(&*borrow!(s.attrs), f);
            return trace_kind(&s.base, f);
        }
        ObjKind::Exception(e) => {
            trace_value(&*borrow!(e.args), f);
            trace_value(&*borrow!(e.cause), f);
            trace_value(&*borrow!(e.context), f);
            trace_attrs(&*borrow!(e.attrs), f);
            for entry in borrow!(e.traceback).iter() {
                f(&entry.globals);
                entry.locals.iter().for_each(|v| trace_value(v, f));
            }
        }
        ObjKind::Generator(g) => {
            g.trace_names(&mut |v| trace_value(v, f));
            match &*borrow!(g.state) {
                GenState::Created(fr) => fr.trace(f),
                GenState::Suspended(frames) => frames.iter().for_each(|fr| fr.trace(f)),
                _ => {}
            }
        }
        ObjKind::Iter(it) => trace_iter(it, f),
        ObjKind::CoroWrapper(c) => f(c),
        ObjKind::AsyncGenOp(op) => {
            f(&op.agen);
            match &*borrow!(op.op) {
                super::object::AgenOpKind::Send(v) | super::object::AgenOpKind::Throw(v) => {
                    trace_value(v, f)
                }
                super::object::AgenOpKind::Close => {}
            }
        }
        ObjKind::DictView(v) => f(&v.0),
        ObjKind::Super(s) => {
            f(&s.0);
            trace_value(&s.1, f);
        }
        ObjKind::Ext(_) | ObjKind::EventWait(_) => {
            if let Some(e) = kind.ext() {
                e.trace(&mut |v| trace_value(v, f))
            }
        }
        ObjKind::Future(fu) => fu.trace(&mut |v| trace_value(v, f)),
        ObjKind::BigInt(_)
        | ObjKind::Str(_)
        | ObjKind::Bytes(_)
        | ObjKind::ByteArray(_)
        | ObjKind::Range(_)
        | ObjKind::Code(_)
        | ObjKind::GetSet(_)
        | ObjKind::NotImplemented
        | ObjKind::Ellipsis => {}
    }
    true
}

fn trace_iter(it: &NativeIter, f: &mut dyn FnMut(&ObjRef)) {
    match it {
        NativeIter::Seq { seq, .. } | NativeIter::SeqRev { seq, .. } => f(seq),
        NativeIter::Str { s, .. } => f(s),
        NativeIter::Bytes { b, .. } => f(b),
        NativeIter::Dict { dict, .. } => f(dict),
        NativeIter::Set { set, .. } => f(set),
        NativeIter::Enumerate { it, .. } => trace_value(it, f),
        NativeIter::Zip { its, .. } => its.iter().for_each(|v| trace_value(v, f)),
        NativeIter::Map { func, its } => {
            trace_value(func, f);
            its.iter().for_each(|v| trace_value(v, f));
        }
        NativeIter::Filter { func, it } => {
            trace_value(func, f);
            trace_value(it, f);
        }
        NativeIter::GetItem { seq, .. } => trace_value(seq, f),
        NativeIter::Callable { func, sentinel, .. } => {
            trace_value(func, f);
            trace_value(sentinel, f);
        }
        NativeIter::Range { .. } => {}
    }
}

/// Drops the references a garbage object holds, breaking its cycles. Immutable payloads
/// (tuples, bound methods) are left alone: every cycle passes through a mutable object.
fn clear_object(o: &ObjRef) {
    fn clear_attrs(a: &RefCell<Attrs>) -> Option<Attrs> {
        a.try_borrow_mut().ok().map(|mut a| std::mem::take(&mut *a))
    }
    // Values are moved out first and dropped after the borrows end, since dropping them can
    // free other objects.
    let mut sink: Vec<Box<dyn std::any::Any>> = Vec::new();
    match o.payload() {
        ObjKind::List(items) => {
            if let Ok(mut l) = items.try_borrow_mut() {
                sink.push(Box::new(std::mem::take(&mut *l)));
            }
        }
        ObjKind::Dict(d) => {
            if let Ok(mut d) = d.try_borrow_mut() {
                sink.push(Box::new(d.drain()));
            }
        }
        ObjKind::Set(s) => {
            if let Ok(mut s) = s.try_borrow_mut() {
                sink.push(Box::new(s.drain()));
            }
        }
        ObjKind::Function(func) => {
            if let Ok(mut d) = func.defaults.try_borrow_mut() {
                sink.push(Box::new(std::mem::replace(&mut *d, Rc::from(Vec::new()))));
            }
            if let Ok(mut k) = func.kwdefaults.try_borrow_mut() {
                sink.push(Box::new(std::mem::replace(&mut *k, Value::None)));
            }
            sink.push(Box::new(clear_attrs(&func.attrs)));
        }
        ObjKind::Cell(c) => {
            if let Ok(mut c) = c.try_borrow_mut() {
                sink.push(Box::new(std::mem::take(&mut *c)));
            }
        }
        ObjKind::Type(t) => {
            if let Ok(mut d) = t.dict.try_borrow_mut() {
                sink.push(Box::new(d.drain()));
            }
            if let Ok(mut c) = t.ctor.try_borrow_mut() {
                sink.push(Box::new(std::mem::take(&mut *c)));
            }
        }
        ObjKind::Object(a) => sink.push(Box::new(clear_attrs(a))),
        ObjKind::Exception(e) => {
            sink.push(Box::new(clear_attrs(&e.attrs)));
            for cell in [&e.args, &e.cause, &e.context] {
                if let Ok(mut v) = cell.try_borrow_mut() {
                    sink.push(Box::new(std::mem::replace(&mut *v, Value::None)));
                }
            }
            if let Ok(mut tb) = e.traceback.try_borrow_mut() {
                sink.push(Box::new(std::mem::take(&mut *tb)));
            }
        }
        ObjKind::Generator(g) => {
            if let Ok(mut s) = g.state.try_borrow_mut() {
                sink.push(Box::new(std::mem::replace(&mut *s, GenState::Finished)));
            }
        }
        ObjKind::Ext(e) => e.clear(),
        ObjKind::EventWait(w) => crate::vm::object::ExtObject::clear(w),
        ObjKind::Future(fu) => fu.clear(),
        _ => {}
    }
    if let ObjKind::Subclass(s) = &o.kind {
        sink.push(Box::new(clear_attrs(&s.attrs)));
    }
    drop(sink);
}

thread_local! {
    /// Nesting depth of object drops on this thread, and payloads whose drop was postponed
    /// because the nesting got too deep. Empty whenever no drop is in progress.
    static DROP_DEPTH: Cell<u32> = const { Cell::new(0) };
    static DEFERRED_DROPS: RefCell<Vec<ObjKind>> = const { RefCell::new(Vec::new()) };
    /// Container objects freed on this thread (the collector's deallocation count).
    static DEATHS: Cell<u64> = const { Cell::new(0) };
}

const MAX_DROP_DEPTH: u32 = 256;

fn has_children(kind: &ObjKind) -> bool {
    !matches!(
        kind,
        ObjKind::BigInt(_)
            | ObjKind::Str(_)
            | ObjKind::Bytes(_)
            | ObjKind::ByteArray(_)
            | ObjKind::Range(_)
            | ObjKind::GetSet(_)
            | ObjKind::NotImplemented
            | ObjKind::Ellipsis
    )
}

impl Drop for Obj {
    fn drop(&mut self) {
        if !has_children(&self.kind) {
            return;
        }
        DEATHS.with(|d| d.set(d.get() + 1));
        let depth = DROP_DEPTH.with(|d| d.get());
        let mut kind = std::mem::replace(&mut self.kind, ObjKind::Ellipsis);
        // Lists and tuples release their items last to first, as CPython's deallocators do
        // (observable through finalizers).
        match &mut kind {
            ObjKind::List(items) => items.get_mut().reverse(),
            ObjKind::Tuple(items) => items.reverse(),
            _ => {}
        }
        if depth >= MAX_DROP_DEPTH {
            DEFERRED_DROPS.with(|q| q.borrow_mut().push(kind));
            return;
        }
        DROP_DEPTH.with(|d| d.set(depth + 1));
        drop(kind);
        if depth == 0 {
            // The outermost drop frees what deeper drops postponed, one payload at a time.
            loop {
                let next = DEFERRED_DROPS.with(|q| q.borrow_mut().pop());
                match next {
                    Some(k) => drop(k),
                    None => break,
                }
            }
        }
        DROP_DEPTH.with(|d| d.set(depth));
    }
}
