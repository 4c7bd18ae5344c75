//! Activation records.
//!
//! A `Frame` is one execution of a `Code`: instruction pointer, local slots, operand stack.
//! Frames live on the heap (boxed) and are moved, never copied: between the running fiber,
//! the dispatch loop's "current frame" and the generator objects that own suspended ones.
//! Invariant: `entry` says where the frame's result goes; a suspended generator frame always
//! has `Entry::Suspended` so that it holds no reference back to its generator.

use super::value::{ObjRef, Value};
use crate::compile::code::Code;
use std::rc::Rc;

/// How a running frame was entered, and so what its return (or yield) does.
#[derive(Clone)]
pub enum Entry {
    /// A call from the frame below: the result is pushed on its stack.
    Call,
    /// Entered from Rust (`Vm::call`, module execution): returning ends that `run`.
    Boundary,
    /// `__init__` run by a class call: the result must be None; the frame below gets `0`.
    Init(ObjRef),
    /// A class body: on return the class is built from the namespace. The name, bases
    /// and keywords are boxed: rare, and inline they would make every frame 40 bytes larger.
    ClassBody(Box<[Value; 3]>),
    /// A generator-like frame resumed by someone; `mode` says by whom.
    Resume { gen: ObjRef, mode: ResumeMode },
    /// A frame parked inside a suspended generator.
    Suspended,
    /// A call of `__next__`/`send` made by `ForIter` or `Send` on a non-generator iterator:
    /// the result is a yielded value; StopIteration ends the delegation.
    IterCall(IterCallKind),
}

/// Who resumed a generator frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeMode {
    /// `ForIter` in the frame below: a yield pushes the value there; a return exhausts it.
    ForIter,
    /// `Send` (await / yield from) in the frame below: a yield suspends the whole chain; a
    /// return completes the `Send`.
    Send,
    /// A script call such as `next(g)`, `g.send(v)`, `g.throw(e)`: a yield is the call's
    /// result; a return raises StopIteration in the caller.
    Method,
    /// `g.close()` from a script: a yield is a RuntimeError, a return or GeneratorExit is fine.
    Close,
    /// Resumed from Rust (`Vm::resume`): yield and return both end the `run`.
    Native,
    /// An async generator resumed by the awaiter's `Send` on an `asend`/`athrow`/`aclose`
    /// awaitable: its own `yield` completes that `Send`; its awaits suspend the whole chain.
    /// `close` is set for `aclose()`, where yielding is an error.
    ASend { close: bool },
}

impl ResumeMode {
    /// True when the frame below belongs to the same await chain.
    #[inline]
    pub fn chained(self) -> bool {
        matches!(self, ResumeMode::Send | ResumeMode::ASend { .. })
    }
}

/// Which instruction made an `IterCall`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterCallKind {
    ForIter,
    Send,
}

/// One activation.
pub struct Frame {
    pub code: Rc<Code>,
    /// The module globals (a dict object).
    pub globals: ObjRef,
    /// The namespace of a module or class body (a dict object), else Null.
    pub namespace: Value,
    /// Index of the next instruction.
    pub ip: u32,
    /// Local slots: plain locals, then cells, then free-variable cells. Null = unbound.
    pub locals: Vec<Value>,
    pub stack: Vec<Value>,
    /// The exception being handled by an `except`/`finally` in this frame, or Null.
    pub exc: Value,
    pub entry: Entry,
    /// Position inside an await/yield-from chain: 0 for the frame whose generator was resumed
    /// by a non-`Send` entry, n for the n-th delegate above it.
    pub chain_depth: u32,
}

impl Frame {
    /// A fresh frame for `code` with unbound locals.
    pub fn new(code: Rc<Code>, globals: ObjRef, namespace: Value) -> Box<Frame> {
        let nslots = code.nslots();
        let mut locals = Vec::with_capacity(nslots);
        locals.resize(nslots, Value::Null);
        let stack = Vec::with_capacity(code.max_stack as usize);
        Box::new(Frame {
            code,
            globals,
            namespace,
            ip: 0,
            locals,
            stack,
            exc: Value::Null,
            entry: Entry::Call,
            chain_depth: 0,
        })
    }

    /// A fresh frame for the body of a generator or coroutine that has not started: the
    /// operand stack is allocated when it first runs (`reserve_stack`), since many
    /// coroutines wait a long time before they start (gather over a long list).
    pub fn new_unstarted(code: Rc<Code>, globals: ObjRef) -> Box<Frame> {
        let nslots = code.nslots();
        let mut locals = Vec::with_capacity(nslots);
        locals.resize(nslots, Value::Null);
        Box::new(Frame {
            code,
            globals,
            namespace: Value::Null,
            ip: 0,
            locals,
            stack: Vec::new(),
            exc: Value::Null,
            entry: Entry::Call,
            chain_depth: 0,
        })
    }

    /// Makes room on the operand stack for everything the code pushes.
    pub fn reserve_stack(&mut self) {
        let want = self.code.max_stack as usize;
        if self.stack.capacity() < want {
            self.stack.reserve_exact(want - self.stack.len());
        }
    }

    /// Reinitialises a recycled frame for `code`, keeping its buffers.
    pub fn reset(&mut self, code: Rc<Code>, globals: ObjRef, namespace: Value) {
        let nslots = code.nslots();
        self.locals.clear();
        self.locals.resize(nslots, Value::Null);
        self.stack.clear();
        let want = code.max_stack as usize;
        if self.stack.capacity() < want {
            self.stack.reserve_exact(want);
        }
        self.code = code;
        self.globals = globals;
        self.namespace = namespace;
        self.ip = 0;
        self.exc = Value::Null;
        self.entry = Entry::Call;
        self.chain_depth = 0;
    }

    /// Reinitialises a recycled frame (cleared by `clear_values`) for a plain call of
    /// `code`; the arguments are then moved into its first local slots.
    #[inline(always)]
    pub fn prepare_call(&mut self, code: &Rc<Code>, globals: &ObjRef) {
        // A pooled frame often ran the same function last (recursion, a loop calling one
        // function): its unbound slots and stack room are then ready as they are (unless a
        // traceback kept its locals).
        if !Rc::ptr_eq(&self.code, code) || self.locals.len() != code.nslots() {
            self.switch_code(code);
        }
        if !Rc::ptr_eq(&self.globals, globals) {
            self.globals = globals.clone();
        }
        self.ip = 0;
        self.chain_depth = 0;
    }

    /// Gives a recycled frame `code`'s unbound local slots and stack room.
    #[inline(never)]
    fn switch_code(&mut self, code: &Rc<Code>) {
        let nslots = code.nslots();
        self.locals.clear();
        self.locals.resize(nslots, Value::Null);
        let want = code.max_stack as usize;
        if self.stack.capacity() < want {
            self.stack.reserve_exact(want);
        }
        self.code = code.clone();
    }

    /// Drops every value the frame holds (locals, stack, handled exception). The local slots
    /// stay, unbound, for the next call of the same code (see `enter`).
    #[inline(always)]
    pub fn clear_values(&mut self) {
        for slot in self.locals.iter_mut() {
            *slot = Value::Null;
        }
        self.stack.clear();
        // Most frames hold none of these: skip the out-of-line drops.
        if !self.exc.is_null() {
            self.exc = Value::Null;
        }
        if !self.namespace.is_null() {
            self.namespace = Value::Null;
        }
        // A pooled frame is ready for a call.
        if !matches!(self.entry, Entry::Call) {
            self.entry = Entry::Call;
        }
    }

    #[inline]
    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    #[inline]
    pub fn pop(&mut self) -> Value {
        match self.stack.pop() {
            Some(v) => v,
            None => panic!("operand stack underflow in {}", self.code.qualname),
        }
    }

    #[inline]
    pub fn top(&self) -> &Value {
        match self.stack.last() {
            Some(v) => v,
            None => panic!("operand stack empty in {}", self.code.qualname),
        }
    }

    /// The n-th value from the top (1 is the top).
    #[inline]
    pub fn peek(&self, n: usize) -> &Value {
        &self.stack[self.stack.len() - n]
    }

    /// Index of the instruction being executed (for tracebacks).
    pub fn lasti(&self) -> u32 {
        self.ip.saturating_sub(1)
    }

    /// Calls `f` on every object the frame holds (for the cycle collector).
    pub fn trace(&self, f: &mut dyn FnMut(&ObjRef)) {
        f(&self.globals);
        for v in [&self.namespace, &self.exc]
            .into_iter()
            .chain(self.locals.iter())
            .chain(self.stack.iter())
        {
            if let Value::Obj(o) = v {
                f(o);
            }
        }
    }
}
