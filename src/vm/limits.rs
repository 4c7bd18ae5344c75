//! Host limits on a running script: an instruction budget, a deadline, an interrupt word that
//! other threads set, a memory cap, a hard recursion cap and capabilities (files, sockets...).
//!
//! The fast path is one counter: `fuel` is decremented at every backward jump (by the loop
//! body's length) and at every call (by one); only when it runs out does `check_slow` look at
//! the clock, the interrupt word and the budget, then refill it. A tripped limit raises
//! `HostInterrupt` (a `KeyboardInterrupt` subclass, so the event loop lets it through) and
//! records why in `tripped`. Invariant: while `tripped` is set, unwinding skips every
//! `except`/`finally` handler, so the script cannot catch or delay the error; the host
//! clears it with `reset_run` before the next run.

use super::object::{Layout, ObjKind};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Bits of the interrupt word (`Limits::signals`) that another thread may set.
pub mod signal {
    /// The host asked the script to stop (uncatchable).
    pub const HOST_INTERRUPT: u32 = 1;
    /// Ctrl-C in the REPL or CLI: raises a catchable `KeyboardInterrupt`.
    pub const KEYBOARD_INTERRUPT: u32 = 2;
}

/// Fuel between two slow checks when no budget is closer: small enough that a deadline or an
/// interrupt is noticed within microseconds, large enough to cost nothing.
const SLICE: i64 = 1 << 14;

/// Why a run was stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// The instruction budget ran out.
    Instructions(u64),
    /// Memory use would exceed the cap (bytes).
    Memory(usize),
    /// Calls nested deeper than the hard recursion cap.
    Recursion(usize),
    /// The deadline passed.
    Deadline,
    /// The host set the interrupt flag.
    Interrupted,
    /// The script used something the host did not grant.
    Denied(Capability),
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitKind::Instructions(n) => write!(f, "instruction budget of {n} exhausted"),
            LimitKind::Memory(n) => write!(f, "memory limit of {n} bytes exceeded"),
            LimitKind::Recursion(n) => write!(f, "call depth limit of {n} exceeded"),
            LimitKind::Deadline => write!(f, "deadline exceeded"),
            LimitKind::Interrupted => write!(f, "interrupted by the host"),
            LimitKind::Denied(c) => write!(f, "{} access is not permitted", c.name()),
        }
    }
}

/// Something a script can only do when the host grants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Reading and writing files: `open`, the `os` file functions (`listdir`, `stat`,
    /// `mkdir`, `remove`...) and what is built on them (`os.path.exists`...).
    Files,
    /// Sockets and name resolution: the `socket` module, `asyncio.open_connection`,
    /// `start_server`, `loop.sock_*`, `loop.getaddrinfo`, aiohttp (UNIX-domain sockets too).
    Network,
    /// Starting processes (`asyncio.create_subprocess_exec`/`_shell`).
    Subprocess,
    /// Environment variables, the working directory (`os.getcwd`, `os.chdir`), process ids.
    Environment,
    /// Wall-clock time: `time.time`, `time.time_ns` and the calendar functions when they
    /// read the current time, plus the host's time zone. `time.monotonic`,
    /// `time.perf_counter`, `time.sleep` and `loop.time()` are always allowed.
    Clock,
    /// Reading the host's standard input (`input()`, `sys.stdin`).
    Stdin,
    /// Changing signal dispositions (`signal.signal`, `loop.add_signal_handler`), which are
    /// process-wide.
    Signals,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 7] = [
        Capability::Files,
        Capability::Network,
        Capability::Subprocess,
        Capability::Environment,
        Capability::Clock,
        Capability::Stdin,
        Capability::Signals,
    ];

    fn bit(self) -> u32 {
        1 << self as u32
    }

    /// A lowercase name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Files => "file",
            Capability::Network => "network",
            Capability::Subprocess => "subprocess",
            Capability::Environment => "environment",
            Capability::Clock => "clock",
            Capability::Stdin => "stdin",
            Capability::Signals => "signal",
        }
    }
}

/// A set of capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities(u32);

impl Capabilities {
    /// Nothing granted (the default of an embedded engine).
    pub fn none() -> Capabilities {
        Capabilities(0)
    }

    /// Everything granted (the `aio` command line).
    pub fn all() -> Capabilities {
        Capability::ALL
            .iter()
            .fold(Capabilities(0), |c, &x| c.with(x))
    }

    /// This set plus `c`.
    pub fn with(self, c: Capability) -> Capabilities {
        Capabilities(self.0 | c.bit())
    }

    /// This set without `c`.
    pub fn without(self, c: Capability) -> Capabilities {
        Capabilities(self.0 & !c.bit())
    }

    /// True when `c` is granted.
    pub fn has(self, c: Capability) -> bool {
        self.0 & c.bit() != 0
    }
}

/// The limit state of one interpreter.
pub struct Limits {
    /// Decremented at check points; the slow path runs when it goes negative.
    pub fuel: i64,
    /// Fuel handed out by the last refill (to count what was used).
    issued: i64,
    /// Instructions counted so far in this run (approximate, see the module docs).
    pub used: u64,
    /// The instruction budget of a run, if any.
    pub budget: Option<u64>,
    /// When the run must stop, if ever.
    pub deadline: Option<Instant>,
    /// Pending interrupt reasons (`signal::*` bits), set from any thread.
    pub signals: Arc<AtomicU32>,
    /// Set (in signal context) when an OS signal this interpreter handles arrived.
    pub os_signal: Arc<AtomicBool>,
    /// A hard cap on call depth that ends the run (unlike `RecursionError`).
    pub max_depth: Option<usize>,
    /// The memory cap in bytes, if any.
    pub memory_limit: Option<usize>,
    /// Estimated bytes in use: the last measurement plus everything allocated since.
    pub memory_used: usize,
    /// `memory_used` above which the heap is measured again.
    pub(crate) memory_check_at: usize,
    /// What the script may touch.
    pub capabilities: Capabilities,
    /// Set when a limit stopped the run; cleared by `reset_run`.
    pub tripped: Option<LimitKind>,
    /// The `HostInterrupt` class (created on first use).
    class: Option<ObjRef>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: SLICE,
            issued: SLICE,
            used: 0,
            budget: None,
            deadline: None,
            signals: Arc::new(AtomicU32::new(0)),
            os_signal: Arc::new(AtomicBool::new(false)),
            max_depth: None,
            memory_limit: None,
            memory_used: 0,
            memory_check_at: usize::MAX,
            capabilities: Capabilities::all(),
            tripped: None,
            class: None,
        }
    }
}

impl Limits {
    /// Sets the memory cap (None: unlimited).
    pub fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.memory_limit = limit;
        self.memory_check_at = limit.unwrap_or(usize::MAX);
    }
}

impl Vm {
    /// Starts a new host run: clears a tripped limit and the instruction count, and leaves
    /// the host interrupt bit cleared.
    pub fn reset_run(&mut self) {
        self.limits.tripped = None;
        self.limits.used = 0;
        if self.limits.signals.load(Ordering::Relaxed) & signal::HOST_INTERRUPT != 0 {
            self.limits
                .signals
                .fetch_and(!signal::HOST_INTERRUPT, Ordering::Relaxed);
        }
        self.limits.fuel = 0;
        self.limits.issued = 0;
    }

    /// Checks for a pending interrupt (host flag, Ctrl-C, deadline, instruction budget) after
    /// charging `cost` instructions. Called at backward jumps and calls.
    #[inline]
    pub fn charge(&mut self, cost: i64) -> PyResult<()> {
        self.limits.fuel -= cost;
        if self.limits.fuel < 0 {
            return self.check_slow();
        }
        Ok(())
    }

    /// The slow half of `charge`: looks at everything, then refills the fuel.
    #[cold]
    pub fn check_slow(&mut self) -> PyResult<()> {
        let l = &mut self.limits;
        l.used += (l.issued - l.fuel).max(0) as u64;
        if let Some(k) = l.tripped.clone() {
            l.fuel = 0;
            l.issued = 0;
            return Err(self.trip(k));
        }
        if l.memory_used > l.memory_check_at {
            self.reserve_slow(0)?;
        }
        let l = &mut self.limits;
        let sig = l.signals.load(Ordering::Relaxed);
        if sig != 0 {
            if sig & signal::HOST_INTERRUPT != 0 {
                return Err(self.trip(LimitKind::Interrupted));
            }
            if sig & signal::KEYBOARD_INTERRUPT != 0 {
                l.signals
                    .fetch_and(!signal::KEYBOARD_INTERRUPT, Ordering::Relaxed);
                return Err(self.new_exc("KeyboardInterrupt", Vec::new()));
            }
        }
        if l.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.trip(LimitKind::Deadline));
        }
        let mut next = SLICE;
        if let Some(b) = l.budget {
            if l.used >= b {
                return Err(self.trip(LimitKind::Instructions(b)));
            }
            next = next.min((b - l.used) as i64);
        }
        l.fuel = next;
        l.issued = next;
        // Python-level signal handlers (signal.signal, loop.add_signal_handler) run here, at
        // a safe point between instructions.
        if crate::event_loop::io_signal::pending(self) {
            return crate::event_loop::io_signal::run_pending(self);
        }
        Ok(())
    }

    /// Records `kind` as the reason the run stops and returns the exception to raise. While
    /// it is recorded, no handler can catch anything (see the module docs).
    pub fn trip(&mut self, kind: LimitKind) -> Exc {
        let msg = kind.to_string();
        self.trip_with(kind, msg)
    }

    /// `trip` with the exception's message spelled out.
    fn trip_with(&mut self, kind: LimitKind, msg: String) -> Exc {
        self.limits.tripped = Some(kind);
        // Keep the slow path running so every later check point raises again.
        self.limits.fuel = -1;
        self.limits.issued = -1;
        let cls = match &self.limits.class {
            Some(c) => c.clone(),
            None => {
                let base = self.types.exc("KeyboardInterrupt").clone();
                let c = super::types_registry::make_type(
                    "HostInterrupt",
                    Some(&base),
                    Layout::Exception,
                    true,
                );
                self.limits.class = Some(c.clone());
                c
            }
        };
        let m = self.new_str(msg);
        Exc(self.new_exception(&cls, vec![m]))
    }

    /// True when a limit has stopped the current run.
    #[inline]
    pub fn limit_tripped(&self) -> bool {
        self.limits.tripped.is_some()
    }

    /// Fails unless the host granted `cap`. `what` names the operation in the exception's
    /// message (`file access is not permitted: open()`). This is the hook every module that
    /// touches the outside world calls first; a denial stops the run like any other limit.
    #[inline]
    pub fn require(&mut self, cap: Capability, what: &str) -> PyResult<()> {
        if self.limits.capabilities.has(cap) {
            return Ok(());
        }
        Err(self.deny(cap, what))
    }

    /// True when the host granted `cap` (for code that degrades instead of failing).
    #[inline]
    pub fn granted(&self, cap: Capability) -> bool {
        self.limits.capabilities.has(cap)
    }

    #[cold]
    fn deny(&mut self, cap: Capability, what: &str) -> Exc {
        let kind = LimitKind::Denied(cap);
        let msg = format!("{kind}: {what}");
        self.trip_with(kind, msg)
    }

    /// The recursion error for a call at the current depth: the host's hard cap when it is
    /// the one reached, else Python's catchable RecursionError.
    pub fn depth_exceeded(&mut self) -> Exc {
        match self.limits.max_depth {
            Some(m) if self.depth >= m => self.trip(LimitKind::Recursion(m)),
            _ => self.recursion_error(),
        }
    }

    /// Accounts for `bytes` about to be allocated; fails (uncatchably) when that would exceed
    /// the memory cap, and with MemoryError when the size cannot be allocated at all.
    #[inline]
    pub fn reserve(&mut self, bytes: usize) -> PyResult<()> {
        let l = &mut self.limits;
        l.memory_used = l.memory_used.saturating_add(bytes);
        if l.memory_used > l.memory_check_at || bytes > isize::MAX as usize / 2 {
            return self.reserve_slow(bytes);
        }
        Ok(())
    }

    /// Like `reserve` for `count` items of `size` bytes (overflow-checked).
    pub fn reserve_items(&mut self, count: usize, size: usize) -> PyResult<()> {
        match count.checked_mul(size) {
            Some(b) => self.reserve(b),
            None => Err(self.new_exc("MemoryError", Vec::new())),
        }
    }

    #[cold]
    fn reserve_slow(&mut self, bytes: usize) -> PyResult<()> {
        let Some(limit) = self.limits.memory_limit else {
            self.limits.memory_used = 0;
            if bytes > isize::MAX as usize / 2 {
                return Err(self.new_exc("MemoryError", Vec::new()));
            }
            return Ok(());
        };
        if bytes > limit {
            return Err(self.trip(LimitKind::Memory(limit)));
        }
        // Measure what is really alive before deciding.
        self.heap.collect_gen(true);
        let live = self.measure_memory();
        let total = live.saturating_add(bytes);
        self.limits.memory_used = total;
        if total > limit {
            return Err(self.trip(LimitKind::Memory(limit)));
        }
        // Measuring costs a heap walk: allow at least 1/16 of the cap of new allocations before
        // the next one, so a program living near its cap does not measure on every allocation.
        self.limits.memory_check_at = limit.max(total + limit / 16);
        Ok(())
    }

    /// Estimates the bytes held by live objects: every tracked container, the strings, bytes
    /// and big ints they hold, and the values in the frames of the running fiber.
    pub fn measure_memory(&mut self) -> usize {
        let mut seen = std::collections::HashSet::new();
        let mut total = 0usize;
        let mut visit = |o: &ObjRef, total: &mut usize| {
            if seen.insert(std::rc::Rc::as_ptr(o) as usize) {
                *total += object_size(o);
            }
        };
        for o in self.heap.live_objects() {
            visit(&o, &mut total);
            super::heap::trace_object(&o, &mut |c| {
                if !is_tracked_kind(&c.kind) {
                    visit(c, &mut total);
                }
            });
        }
        for fr in &self.fiber {
            fr.trace(&mut |c| visit(c, &mut total));
        }
        total
    }
}

fn is_tracked_kind(k: &ObjKind) -> bool {
    !matches!(
        k,
        ObjKind::Str(_) | ObjKind::BigInt(_) | ObjKind::Bytes(_) | ObjKind::ByteArray(_)
    )
}

/// Header bytes charged for every object besides its payload.
pub const OBJ_OVERHEAD: usize = std::mem::size_of::<super::object::Obj>() + 16;

/// Estimated size of one object (header and the payload it owns directly).
pub fn object_size(o: &ObjRef) -> usize {
    OBJ_OVERHEAD + payload_size(o.payload())
}

/// Estimated heap bytes owned by a payload, not counting referenced objects.
pub fn payload_size(k: &ObjKind) -> usize {
    const V: usize = std::mem::size_of::<Value>();
    match k {
        ObjKind::Str(s) => s.as_str().len(),
        ObjKind::Bytes(b) => b.len(),
        ObjKind::ByteArray(b) => b.try_borrow().map(|b| b.capacity()).unwrap_or(0),
        ObjKind::BigInt(b) => (b.bits() / 8) as usize,
        ObjKind::Tuple(t) => t.len() * V,
        ObjKind::List(l) => l.try_borrow().map(|l| l.capacity() * V).unwrap_or(0),
        ObjKind::Dict(d) => d.try_borrow().map(|d| d.len() * 3 * V).unwrap_or(0),
        ObjKind::Set(s) => s.try_borrow().map(|s| s.len() * 2 * V).unwrap_or(0),
        ObjKind::FrozenSet(s) => s.len() * 2 * V,
        _ => 64,
    }
}
