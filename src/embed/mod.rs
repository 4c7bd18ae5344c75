//! Embedding: Aio as a scripting engine inside a Rust program.
//!
//! An [`Engine`] owns one interpreter and its event loop. The host runs source, evaluates
//! expressions into Rust types, reads and writes globals, calls script functions (coroutine
//! functions run to completion on the engine's loop), registers native functions, modules
//! and classes, and caps what a script may do (instructions, memory, call depth, time,
//! capabilities). Async natives return a [`Pending`] that the host completes from any thread;
//! an [`EngineHandle`] submits work from other threads.
//!
//! ```
//! use aio::embed::Engine;
//! let mut engine = Engine::new();
//! engine.register("double", |x: i64| x * 2);
//! engine.run("def f(n):\n    return double(n) + 1\n").unwrap();
//! let r: i64 = engine.call("f", (20,)).unwrap();
//! assert_eq!(r, 41);
//! ```
//!
//! Invariant (what makes `Engine: Send` sound, see `send.rs`): every reference-counted
//! object of the interpreter is reachable only from inside the engine. The host sees copies
//! (`Dynamic`, numbers, strings), arena indices (`Raw`) and thread-safe handles, never an
//! `Rc`; native closures must be `Send` and receive arguments already converted.

mod class;
mod convert;
mod driver;
mod engine;
mod error;
mod handle;
mod module;
mod native;
mod pending;
mod send;

pub use crate::vm::limits::{Capabilities, Capability, LimitKind};
pub use class::{ClassBuilder, UserData};
pub use convert::{
    ConvError, Converted, Dynamic, FromScript, IntoArgs, IntoScript, Raw, ScriptRef,
};
pub use engine::{Engine, EngineBuilder};
pub use error::Error;
pub use handle::{EngineHandle, Waitable};
pub use module::ModuleBuilder;
pub use native::HostFunction;
pub use pending::{pending, Completer, Pending};

use crate::vm::value::{ObjRef, Value};
use crate::vm::Vm;
use std::collections::HashMap;

/// The interpreter as a native function or conversion sees it: opaque, borrowed for one call.
pub struct Ctx<'a> {
    pub(crate) vm: &'a mut Vm,
}

impl Ctx<'_> {
    /// Reads a global of the engine's main module.
    pub fn get<T: FromScript>(&mut self, name: &str) -> Result<T, Error> {
        engine::get_global(self.vm, name)
    }

    /// Calls a script callable held as a `Raw` handle and converts the result. The callee
    /// runs to completion and must not suspend (a coroutine is returned unawaited, as `Raw`).
    pub fn call<T: FromScript>(&mut self, f: Raw, args: impl IntoArgs) -> Result<T, Error> {
        let fv = state(self.vm)
            .arena_get(f)
            .ok_or_else(|| Error::conversion("stale Raw handle".into()))?;
        let args = args.into_args(self)?;
        match self.vm.call(&fv, &args) {
            Ok(v) => engine::convert_out(self.vm, &v),
            Err(e) => Err(Error::from_exc(self.vm, &e)),
        }
    }

    /// The type name of a `Raw` value (`'int'`, `'list'`, a class name...).
    pub fn type_name(&mut self, v: Raw) -> String {
        match state(self.vm).arena_get(v) {
            Some(x) => self.vm.type_name(&x),
            None => "<stale>".into(),
        }
    }
}

/// Engine-side state kept in the interpreter's extension table.
pub(crate) struct EmbedState {
    pub engine_id: u64,
    /// Values behind `Raw` handles.
    arena: Vec<Value>,
    /// Bumped whenever the arena is emptied, so older handles are detected as stale.
    generation: u32,
    /// Futures handed out for pending host results, by id.
    pub pending: HashMap<u64, ObjRef>,
    pub next_pending: u64,
    /// The engine's own event loop (None until first needed).
    pub loop_: Value,
    /// Script classes for registered Rust types.
    pub classes: HashMap<std::any::TypeId, ObjRef>,
    /// The script-side `concurrent.futures.Future` of each unfinished host call, by id.
    pub host_futures: HashMap<u64, Value>,
    /// Allocates host call ids (shared with every handle).
    pub host_ids: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The thread running the engine's code, while a host call runs.
    pub driver: handle::Driver,
}

impl EmbedState {
    pub(crate) fn arena_put(&mut self, v: Value) -> Raw {
        self.arena.push(v);
        Raw {
            engine: self.engine_id,
            slot: (self.arena.len() - 1) as u32,
            generation: self.generation,
        }
    }

    pub(crate) fn arena_get(&self, r: Raw) -> Option<Value> {
        if r.engine != self.engine_id || r.generation != self.generation {
            return None;
        }
        self.arena.get(r.slot as usize).cloned()
    }

    /// Drops every `Raw` value (at the start of each host call).
    pub(crate) fn arena_reset(&mut self) {
        if !self.arena.is_empty() {
            self.arena.clear();
            self.generation = self.generation.wrapping_add(1);
        }
    }
}

/// The dict of the `builtins` module (where host functions and classes are installed).
pub(crate) fn builtins_dict(vm: &Vm) -> ObjRef {
    match &vm.builtins.kind {
        crate::vm::object::ObjKind::Module(m) => m.dict.clone(),
        _ => vm.builtins.clone(),
    }
}

/// The embedding state of `vm` (created on first use).
#[inline]
pub(crate) fn state(vm: &mut Vm) -> &mut EmbedState {
    let entry = vm.host.get_or_insert_with(|| {
        Box::new(EmbedState {
            engine_id: 0,
            arena: Vec::new(),
            generation: 0,
            pending: HashMap::new(),
            next_pending: 1,
            loop_: Value::None,
            classes: HashMap::new(),
            host_futures: HashMap::new(),
            host_ids: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1)),
            driver: Default::default(),
        })
    });
    entry
        .downcast_mut::<EmbedState>()
        .expect("the embedding state has its own key")
}
