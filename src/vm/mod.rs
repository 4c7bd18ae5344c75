//! The virtual machine: the interpreter state every native function receives.
//!
//! `Vm` owns the heap, the builtin types, the module table, the running fiber of frames and
//! everything else one interpreter needs; there is no global state, so several `Vm`s can live
//! in one process. The dispatch loop (`dispatch.rs`) is stackless: script-to-script calls push
//! heap frames. Native code calls back into scripts through `Vm::call`, which runs a nested
//! loop above a `Boundary` frame; nothing ever suspends across such a boundary.

mod agen_hop;
pub mod attr;
mod attr_fast;
pub mod call;
pub mod carets;
pub mod dispatch;
pub mod exc;
pub mod frame;
pub mod gen;
pub mod heap;
pub mod import;
pub mod iter;
pub mod limits;
pub mod object;
pub mod ops;
pub mod repr;
mod stack_moves;
pub mod suggest;
pub mod tb_groups;
pub mod type_cache;
pub mod types_registry;
pub mod value;
pub mod warnings;

use crate::compile::code::Code;
use crate::source::SourceFile;
use compact_str::CompactString;
use num_bigint::BigInt;
use object::{Attrs, ExcObj, ModuleObj, NativeFn, NativeFunction, Obj, ObjKind, StrObj};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
pub use types_registry::Types;
use value::{ObjRef, Value};

/// An Aio exception in flight: the exception instance.
#[derive(Clone)]
pub struct Exc(pub ObjRef);

impl std::fmt::Debug for Exc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match &self.0.class {
            Some(c) => c.as_type().map(|t| t.name.borrow().to_string()),
            None => None,
        };
        write!(f, "Exc({})", name.unwrap_or_else(|| "?".into()))
    }
}

/// The result of anything that can raise.
pub type PyResult<T = Value> = Result<T, Exc>;

/// Where script output goes.
pub enum OutputSink {
    Stdout,
    Stderr,
    /// Captured into a buffer the host can read.
    Buffer(Rc<RefCell<Vec<u8>>>),
    /// Handed to a host callback as text each time the stream is flushed.
    Host(Box<dyn FnMut(&str) + Send>),
    /// Handed to a host writer, line by line (the REPL routes output around the line being
    /// edited this way).
    Writer(Box<dyn Write>),
}

/// Buffered output stream: line-buffered on a terminal, block-buffered otherwise, like
/// CPython's `sys.stdout`.
pub struct Output {
    pub sink: OutputSink,
    buf: Vec<u8>,
    line_buffered: bool,
    /// Set after a write failed (e.g. a closed pipe); later writes are dropped.
    broken: bool,
    /// The OS error of a failed write not yet reported to the script.
    unreported: Option<i32>,
}

impl Output {
    /// An output stream to `sink`.
    pub fn new(sink: OutputSink) -> Output {
        let line_buffered = match &sink {
            OutputSink::Stdout => is_terminal(1),
            OutputSink::Stderr => true,
            OutputSink::Buffer(_) | OutputSink::Host(_) => false,
            OutputSink::Writer(_) => true,
        };
        Output {
            sink,
            buf: Vec::new(),
            line_buffered,
            broken: false,
            unreported: None,
        }
    }

    /// Appends text, flushing per the buffering mode.
    pub fn write_str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
        let stderr = matches!(self.sink, OutputSink::Stderr);
        if stderr || (self.line_buffered && s.contains('\n')) || self.buf.len() >= 8192 {
            self.flush();
        }
    }

    /// Writes out whatever is buffered. Errors (a closed pipe) are swallowed: the stream is
    /// marked broken and further output is discarded, as CPython does at exit.
    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        if self.broken {
            self.buf.clear();
            return;
        }
        let r = match &mut self.sink {
            OutputSink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&self.buf).and_then(|_| out.flush())
            }
            OutputSink::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(&self.buf).and_then(|_| err.flush())
            }
            OutputSink::Buffer(b) => {
                b.borrow_mut().extend_from_slice(&self.buf);
                Ok(())
            }
            OutputSink::Host(f) => {
                f(&String::from_utf8_lossy(&self.buf));
                Ok(())
            }
            OutputSink::Writer(w) => w.write_all(&self.buf).and_then(|_| w.flush()),
        };
        if let Err(e) = r {
            self.broken = true;
            self.unreported = Some(e.raw_os_error().unwrap_or(32));
        }
        self.buf.clear();
    }

    /// The errno of a write failure that the script has not been told about yet (`print`
    /// raises it once, as CPython raises BrokenPipeError when its buffer cannot be flushed).
    pub fn take_failure(&mut self) -> Option<i32> {
        self.unreported.take()
    }
}

fn is_terminal(fd: i32) -> bool {
    use std::io::IsTerminal;
    match fd {
        1 => std::io::stdout().is_terminal(),
        2 => std::io::stderr().is_terminal(),
        _ => std::io::stdin().is_terminal(),
    }
}

/// Limits and switches set by the host or the CLI.
#[derive(Clone, Debug)]
pub struct Config {
    pub recursion_limit: usize,
    /// Max digits for int<->str conversion (0 = unlimited).
    pub int_max_str_digits: usize,
    pub argv: Vec<String>,
    /// Directory searched for user modules (the script's directory).
    pub module_path: Vec<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            recursion_limit: 1000,
            int_max_str_digits: 4300,
            argv: vec![String::new()],
            module_path: Vec::new(),
        }
    }
}

/// One interpreter.
pub struct Vm {
    pub heap: heap::Heap,
    /// Bumped whenever any class attribute is set or deleted: for caches that depend on
    /// several unrelated classes at once (per-class caches use `TypeObj::version`).
    pub type_epoch: u64,
    /// Class attribute lookups already done (see `type_cache`).
    type_cache: type_cache::TypeCache,
    pub types: Types,
    pub builtins: ObjRef,
    /// `sys.modules`: a dict object.
    pub modules: ObjRef,
    interned: HashMap<Box<str>, Value, std::hash::BuildHasherDefault<NameHasher>>,
    /// Frames below the one the dispatch loop is running (its caller chain), bottom first.
    pub fiber: Vec<Box<frame::Frame>>,
    /// Warnings already shown (CPython's default filter shows each location once).
    pub warnings: warnings::WarningRegistry,
    // Frames stay boxed: they move between fibers, pools and generators by pointer.
    #[allow(clippy::vec_box)]
    frame_pool: Vec<Box<frame::Frame>>,
    /// Frames running now, including nested native re-entries (for RecursionError).
    pub depth: usize,
    /// Nested Rust-level re-entries of the interpreter (bounded to protect the Rust stack).
    pub native_reentries: usize,
    /// Natives invoked so far (wrapping); see `awaited_at_once`.
    pub(crate) native_calls: u64,
    /// The `native_calls` number of the native the dispatch loop's `Call` invoked last.
    pub(crate) direct_native: u64,
    pub config: Config,
    pub hash_secret: crate::hash::HashSecret,
    pub stdout: Output,
    pub stderr: Output,
    /// Sources of modules, by file name (for tracebacks).
    pub sources: HashMap<String, Rc<SourceFile>>,
    /// Cached singletons.
    pub ellipsis_obj: ObjRef,
    pub not_implemented_obj: ObjRef,
    pub empty_tuple: Value,
    pub empty_str: Value,
    /// Ids of containers whose repr is in progress (to print `[...]` for cycles).
    pub repr_guard: Vec<usize>,
    /// Cached one-character ASCII strings.
    pub(crate) ascii_chars: Vec<Option<Value>>,
    /// Lower frames of a resumed await chain, to be pushed under the frame about to run.
    // Frames stay boxed: they move between fibers, pools and generators by pointer.
    #[allow(clippy::vec_box)]
    pub(crate) resume_below: Vec<Box<frame::Frame>>,
    /// The exception a `Step::PushThrow` raises in the frame it pushes.
    pub(crate) pending_throw: Option<Exc>,
    /// How `Send` steps extension awaitables (futures); installed by the event loop.
    pub ext_send_hook: gen::ExtSendHook,
    /// Called with the awaitable of a suspended `await` before an exception is thrown in
    /// there (extension awaitables that must clean up, as a `finally` would).
    pub ext_throw_hook: fn(&mut Vm, &Value),
    /// What happens to a suspended async generator that is dropped; installed by the loop.
    pub agen_finalizer_hook: gen::AgenFinalizerHook,
    /// Tells whether an extension object is a future (awaitable natively).
    pub ext_future_check: fn(&Value) -> bool,
    /// The asyncio runtime's types and current loops (created on first use).
    pub asyncio: Option<Box<crate::event_loop::AsyncioState>>,
    /// Extension state (the event loop and hosts) keyed by name.
    pub ext: HashMap<&'static str, Box<dyn std::any::Any>>,
    /// Host limits: instruction budget, deadline, interrupts, memory cap, capabilities.
    pub limits: limits::Limits,
    /// State of the embedding API (`crate::embed`), when a host engine owns this VM.
    pub host: Option<Box<dyn std::any::Any>>,
}

impl Vm {
    /// A fresh interpreter with the builtins and standard modules installed.
    pub fn new(config: Config) -> Vm {
        let heap = heap::Heap::new();
        let types = Types::bootstrap();
        let ellipsis_obj = Rc::new(Obj {
            class: None,
            kind: ObjKind::Ellipsis,
        });
        let not_implemented_obj = Rc::new(Obj {
            class: None,
            kind: ObjKind::NotImplemented,
        });
        let empty_tuple = Value::Obj(Rc::new(Obj {
            class: None,
            kind: ObjKind::Tuple(Box::new([])),
        }));
        let empty_str = Value::Obj(Rc::new(Obj {
            class: None,
            kind: ObjKind::Str(StrObj::new("")),
        }));
        let placeholder = Rc::new(Obj {
            class: None,
            kind: ObjKind::Dict(Box::default()),
        });
        let mut vm = Vm {
            heap,
            types,
            builtins: placeholder.clone(),
            modules: placeholder,
            interned: HashMap::default(),
            fiber: Vec::new(),
            warnings: Default::default(),
            frame_pool: Vec::new(),
            depth: 0,
            type_epoch: 0,
            type_cache: Default::default(),
            native_reentries: 0,
            native_calls: 0,
            direct_native: u64::MAX,
            config,
            hash_secret: crate::hash::HashSecret::from_env()
                .unwrap_or_else(|_| crate::hash::HashSecret::from_seed(None)),
            stdout: Output::new(OutputSink::Stdout),
            stderr: Output::new(OutputSink::Stderr),
            sources: HashMap::new(),
            ellipsis_obj,
            not_implemented_obj,
            empty_tuple,
            empty_str,
            repr_guard: Vec::new(),
            ascii_chars: vec![None; 128],
            resume_below: Vec::new(),
            pending_throw: None,
            ext_send_hook: gen::no_ext_send,
            ext_throw_hook: |_, _| {},
            agen_finalizer_hook: gen::no_agen_finalizer,
            ext_future_check: |_| false,
            asyncio: None,
            ext: HashMap::new(),
            limits: limits::Limits::default(),
            host: None,
        };
        let modules = vm.new_dict_obj();
        vm.modules = modules;
        crate::types::init_all(&mut vm);
        crate::builtins::install(&mut vm);
        crate::modules::install_all(&mut vm);
        vm
    }

    // ----- allocation -------------------------------------------------------------------

    /// Allocates an object with a builtin type and registers it with the collector when it
    /// can hold references.
    #[inline]
    pub fn alloc(&mut self, kind: ObjKind) -> ObjRef {
        let tracked = !matches!(
            kind,
            ObjKind::Str(_)
                | ObjKind::BigInt(_)
                | ObjKind::Bytes(_)
                | ObjKind::ByteArray(_)
                | ObjKind::Range(_)
                | ObjKind::NotImplemented
                | ObjKind::Ellipsis
                | ObjKind::Code(_)
        );
        self.charge_alloc(&kind);
        let o = Rc::new(Obj { class: None, kind });
        if tracked {
            self.heap.track(&o);
        }
        o
    }

    /// Counts a new object against the memory cap. Allocation itself cannot fail here: an
    /// excess is noticed at the next `reserve` or check point (see `limits`).
    #[inline]
    fn charge_alloc(&mut self, kind: &ObjKind) {
        let n = limits::OBJ_OVERHEAD + limits::payload_size(kind);
        self.charge_bytes(n);
    }

    /// Counts `n` bytes against the memory cap; an excess trips the limit at the next check
    /// point (allocation helpers cannot raise).
    #[inline]
    pub fn charge_bytes(&mut self, n: usize) {
        let l = &mut self.limits;
        l.memory_used = l.memory_used.saturating_add(n);
        if l.memory_used > l.memory_check_at {
            l.fuel = -1;
        }
    }

    /// Allocates an instance of class `class` with payload `kind`.
    pub fn alloc_instance(&mut self, class: ObjRef, kind: ObjKind) -> ObjRef {
        self.charge_alloc(&kind);
        let o = Rc::new(Obj {
            class: Some(class),
            kind,
        });
        self.heap.track(&o);
        o
    }

    /// A str value.
    #[inline]
    pub fn new_str(&mut self, s: impl Into<CompactString>) -> Value {
        let s: CompactString = s.into();
        if s.is_empty() {
            return self.empty_str.clone();
        }
        self.charge_bytes(s.len());
        Value::Obj(Rc::new(Obj {
            class: None,
            kind: ObjKind::Str(StrObj::new(s)),
        }))
    }

    /// A str value whose length in code points is known.
    #[inline]
    pub fn new_str_len(&mut self, s: impl Into<CompactString>, chars: usize) -> Value {
        let s: CompactString = s.into();
        if s.is_empty() {
            return self.empty_str.clone();
        }
        self.charge_bytes(s.len());
        Value::Obj(Rc::new(Obj {
            class: None,
            kind: ObjKind::Str(StrObj::with_len(s, chars)),
        }))
    }

    /// The interned str for an identifier (attribute and global names).
    pub fn intern(&mut self, s: &str) -> Value {
        if let Some(v) = self.interned.get(s) {
            return v.clone();
        }
        let v = Value::Obj(Rc::new(Obj {
            class: None,
            kind: ObjKind::Str(StrObj::new(s)),
        }));
        self.interned.insert(s.into(), v.clone());
        v
    }

    pub fn new_bytes(&mut self, b: Vec<u8>) -> Value {
        Value::Obj(self.alloc(ObjKind::Bytes(b.into_boxed_slice())))
    }

    /// An int from a big integer, demoted to the inline form when it fits.
    pub fn new_bigint(&mut self, b: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::Obj(self.alloc(ObjKind::BigInt(b))),
        }
    }

    pub fn new_tuple(&mut self, items: Vec<Value>) -> Value {
        if items.is_empty() {
            return self.empty_tuple.clone();
        }
        Value::Obj(self.alloc(ObjKind::Tuple(items.into_boxed_slice())))
    }

    pub fn new_list(&mut self, items: Vec<Value>) -> Value {
        Value::Obj(self.alloc(ObjKind::List(RefCell::new(items))))
    }

    /// A new empty dict object.
    pub fn new_dict_obj(&mut self) -> ObjRef {
        self.alloc(ObjKind::Dict(Box::default()))
    }

    pub fn new_dict(&mut self) -> Value {
        Value::Obj(self.new_dict_obj())
    }

    pub fn new_code(&mut self, code: Code) -> Value {
        Value::Obj(self.alloc(ObjKind::Code(Rc::new(code))))
    }

    pub fn ellipsis(&self) -> Value {
        Value::Obj(self.ellipsis_obj.clone())
    }

    pub fn not_implemented(&self) -> Value {
        Value::Obj(self.not_implemented_obj.clone())
    }

    /// True for the NotImplemented singleton.
    pub fn is_not_implemented(&self, v: &Value) -> bool {
        matches!(v, Value::Obj(o) if Rc::ptr_eq(o, &self.not_implemented_obj))
    }

    /// A native function object (unbound).
    pub fn new_native(&mut self, name: &str, func: NativeFn) -> Value {
        Value::Obj(self.alloc(ObjKind::Native(Box::new(NativeFunction {
            name: name.into(),
            func,
            bound: Value::Null,
            data: Value::Null,
            owner: None,
            doc: None,
        }))))
    }

    /// A native function carrying extra data (a closure over Aio values).
    pub fn new_native_with(&mut self, name: &str, func: NativeFn, data: Value) -> Value {
        Value::Obj(self.alloc(ObjKind::Native(Box::new(NativeFunction {
            name: name.into(),
            func,
            bound: Value::Null,
            data,
            owner: None,
            doc: None,
        }))))
    }

    /// A module object with a fresh globals dict holding `__name__`.
    pub fn new_module(&mut self, name: &str) -> ObjRef {
        let dict = self.new_dict_obj();
        let n = self.new_str(name);
        self.dict_set_str(&dict, "__name__", n);
        self.dict_set_str(&dict, "__doc__", Value::None);
        self.alloc(ObjKind::Module(Box::new(ModuleObj {
            name: name.into(),
            dict,
        })))
    }

    /// An exception instance of `class` with `args`.
    pub fn new_exception(&mut self, class: &ObjRef, args: Vec<Value>) -> ObjRef {
        let args = self.new_tuple(args);
        self.alloc_instance(
            class.clone(),
            ObjKind::Exception(Box::new(ExcObj {
                args: RefCell::new(args),
                traceback: RefCell::new(Vec::new()),
                cause: RefCell::new(Value::None),
                context: RefCell::new(Value::None),
                suppress_context: std::cell::Cell::new(false),
                attrs: RefCell::new(Attrs::new()),
            })),
        )
    }

    // ----- frames -------------------------------------------------------------------------

    /// A frame for `code`, reusing a pooled one when possible.
    pub fn new_frame(
        &mut self,
        code: Rc<Code>,
        globals: ObjRef,
        namespace: Value,
    ) -> Box<frame::Frame> {
        match self.frame_pool.pop() {
            Some(mut f) => {
                f.reset(code, globals, namespace);
                f
            }
            None => frame::Frame::new(code, globals, namespace),
        }
    }

    /// True when the frame `new_frame` would recycle has buffers close to the size `code`
    /// needs. A generator's frame lives as long as the generator (a task's coroutine may wait
    /// for a long time), so it should not keep a larger frame's buffers.
    #[inline]
    pub(crate) fn frame_pool_fits(&self, code: &crate::compile::code::Code) -> bool {
        self.frame_pool.last().is_some_and(|f| {
            f.locals.capacity() <= code.nslots() + 1
                && f.stack.capacity() <= code.max_stack as usize + 3
        })
    }

    /// Returns a finished frame to the pool. Inline: every return runs it.
    #[inline(always)]
    pub fn recycle_frame(&mut self, mut f: Box<frame::Frame>) {
        f.clear_values();
        if self.frame_pool.len() < 64 {
            self.frame_pool.push(f);
        }
    }

    /// Flushes both output streams.
    pub fn flush_output(&mut self) {
        self.stdout.flush();
        self.stderr.flush();
    }

    /// Writes to the script's stdout.
    pub fn write_stdout(&mut self, s: &str) {
        self.stdout.write_str(s);
    }

    /// Writes to the script's stderr (flushing stdout first so the two interleave as they
    /// would on a terminal).
    pub fn write_stderr(&mut self, s: &str) {
        self.stdout.flush();
        self.stderr.write_str(s);
    }

    /// True when `v` is an extension future (awaited natively by `Send`).
    pub fn ext_is_future(&self, v: &Value) -> bool {
        (self.ext_future_check)(v)
    }

    /// Runs the cycle collector now (at a safe point). Cold and out of line: it runs rarely,
    /// from the dispatch loop's backward-jump check.
    #[cold]
    #[inline(never)]
    pub fn collect_garbage(&mut self) -> usize {
        let n = self.heap.collect();
        if self.heap.shared.pending.get() {
            self.run_finalizers();
            self.heap.restart_count();
        }
        n
    }

    /// Checks for a pending interrupt (Ctrl-C, host deadline, instruction budget) after a
    /// step that cost `cost` instructions; see `limits`.
    #[inline]
    pub fn check_interrupt(&mut self) -> PyResult<()> {
        self.charge(1)
    }

    /// `BeforeWith`: the bound `__exit__` and the bound `__enter__` of a context manager.
    pub(crate) fn before_with(&mut self, mgr: &Value) -> PyResult<(Value, Value)> {
        self.context_methods(mgr, "__enter__", "__exit__", false)
    }

    /// `BeforeAsyncWith`: the bound `__aexit__` and the bound `__aenter__`.
    pub(crate) fn before_async_with(&mut self, mgr: &Value) -> PyResult<(Value, Value)> {
        self.context_methods(mgr, "__aenter__", "__aexit__", true)
    }

    fn context_methods(
        &mut self,
        mgr: &Value,
        enter: &str,
        exit: &str,
        is_async: bool,
    ) -> PyResult<(Value, Value)> {
        let ty = self.type_of(mgr).clone();
        let en = self.intern(enter);
        let ex = self.intern(exit);
        let e = self.lookup_type(&ty, &en);
        let x = self.lookup_type(&ty, &ex);
        let (Some(e), Some(x)) = (e.clone(), x) else {
            let tn = self.type_name(mgr);
            let mut msg = if is_async {
                format!("'{tn}' object does not support the asynchronous context manager protocol")
            } else {
                format!("'{tn}' object does not support the context manager protocol")
            };
            if e.is_some() {
                msg.push_str(&format!(" (missed {exit} method)"));
            }
            return Err(self.type_error(msg));
        };
        let exit_bound = self.bind_descriptor(x, mgr, &ty)?;
        let enter_bound = self.bind_descriptor(e, mgr, &ty)?;
        Ok((exit_bound, enter_bound))
    }

    /// Looks up an interned attribute name without allocating when it already exists.
    pub fn name(&mut self, s: &str) -> Value {
        self.intern(s)
    }
}

/// A fast hasher for identifiers (the interning table): eight bytes per multiply. Names come
/// from the program, not from untrusted input at run time, so no flooding resistance.
#[derive(Default)]
pub struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}
