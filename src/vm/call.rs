//! Calling: argument binding, frames for script functions, class instantiation, natives.
//!
//! Every call goes through `prepare_call`, which resolves bound methods, `__call__` and
//! classes down to one of three things: a ready value, a frame to run (stackless), or a native
//! function to invoke. The dispatch loop runs frames itself; `Vm::call` (used by natives)
//! runs them in a nested loop. Invariant: `self.depth` counts running frames, and a new frame
//! beyond the recursion limit is a RecursionError before anything is pushed.

use super::frame::{Entry, Frame};
use super::object::{
    Args, Attrs, CtorPlan, ExcObj, Function, Layout, NativeFn, NativeFunction, ObjKind, Subclassed,
};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::{AwaitWhere, Code, Instr};
use smallvec::SmallVec;
use std::cell::RefCell;
use std::rc::Rc;

/// Arguments gathered for a call: positional values then keyword values.
pub type ArgVec = SmallVec<[Value; 5]>;

/// What a call resolved to.
pub(crate) enum Prepared {
    /// The result is already known.
    Done(Value),
    /// A script frame to run.
    Frame(Box<Frame>),
    /// A native function to invoke with the caller frame on the fiber.
    Native {
        func: NativeFn,
        args: ArgVec,
        kwnames: Option<Value>,
        data: Value,
    },
    /// A resumed generator frame that must raise at once (throw into a generator).
    Throw(Box<Frame>, Exc),
}

/// Hard cap on nested native re-entries (each uses Rust stack).
const MAX_NATIVE_DEPTH: usize = 3000;

impl Vm {
    /// Pops `callable self_or_null args...` for a `Call`/`CallKw` and prepares the call.
    pub(crate) fn call_instr(
        &mut self,
        frame: &mut Frame,
        argc: usize,
        kwnames: Option<Value>,
    ) -> PyResult<Prepared> {
        if kwnames.is_none() {
            if let Some(v) = crate::event_loop::sleep0::awaited_call(self, frame, argc) {
                return Ok(Prepared::Done(v));
            }
        }
        let len = frame.stack.len();
        let base = len - argc - 2;
        let start = if frame.stack[base + 1].is_null() {
            base + 2
        } else {
            base + 1
        };
        let args: ArgVec = frame.stack.drain(start..).collect();
        frame.stack.truncate(base + 1);
        let callable = frame.pop();
        self.prepare_call(callable, args, kwnames)
    }

    /// The common calls of `Call`, without building an argument vector: a plain script
    /// function gets its frame with the arguments moved straight from the caller's stack.
    /// None when the call needs the general path (`call_instr`).
    #[inline]
    pub(crate) fn plain_function_frame(
        &mut self,
        frame: &mut Frame,
        argc: usize,
    ) -> Option<Box<Frame>> {
        let base = frame.stack.len() - argc - 2;
        let Value::Obj(o) = &frame.stack[base] else {
            return None;
        };
        let ObjKind::Function(f) = &o.kind else {
            return None;
        };
        let nargs = argc + !frame.stack[base + 1].is_null() as usize;
        if !self.can_enter_plain(f, nargs) {
            return None;
        }
        let new = self.plain_frame(&f.code, &f.globals);
        Some(self.move_plain_args(frame, base, nargs, new))
    }

    /// `Call` of a class whose instances come from `object.__new__` and whose `__init__` is
    /// a plain Aio function: the new instance takes the empty slot below the arguments and
    /// `__init__` is entered as a method call would be. None when the general path applies.
    #[inline]
    pub(crate) fn plain_init_frame(
        &mut self,
        frame: &mut Frame,
        argc: usize,
    ) -> Option<Box<Frame>> {
        let base = frame.stack.len() - argc - 2;
        let Value::Obj(cls) = &frame.stack[base] else {
            return None;
        };
        match &cls.kind {
            ObjKind::Type(t) if !t.builtin && frame.stack[base + 1].is_null() => {}
            _ => return None,
        }
        let cls = cls.clone();
        let CtorPlan::ObjectNewThenInit(init) = self.ctor_plan(&cls) else {
            return None;
        };
        let Some(ObjKind::Function(f)) = init.kind() else {
            return None;
        };
        if !self.can_enter_plain(f, argc + 1) {
            return None;
        }
        let instance = self.new_plain_instance(&cls);
        frame.stack[base + 1] = Value::Obj(instance.clone());
        let mut new = self.plain_frame(&f.code, &f.globals);
        new.entry = Entry::Init(instance);
        Some(self.move_plain_args(frame, base, argc + 1, new))
    }

    /// True when `f` can be entered by `enter_plain` with `nargs` positional arguments: a
    /// plain function (no cells, defaults needed, star arguments, generator) called with
    /// exactly its parameters, within the recursion limit and the instruction budget (the
    /// general path raises the errors).
    #[inline(always)]
    fn can_enter_plain(&self, f: &Function, nargs: usize) -> bool {
        f.code.plain
            && f.code.argcount as usize == nargs
            && self.depth < self.config.recursion_limit
            && self.limits.fuel > 0
    }

    /// A frame for a plain call of `code` (checked by `can_enter_plain`), its local slots
    /// unbound.
    #[inline(always)]
    fn plain_frame(&mut self, code: &Rc<Code>, globals: &ObjRef) -> Box<Frame> {
        // Calls count against the instruction budget (the slow path handles running out).
        self.limits.fuel -= 1;
        self.depth += 1;
        match self.frame_pool.pop() {
            Some(mut f) => {
                f.prepare_call(code, globals);
                f
            }
            None => Frame::new(code.clone(), globals.clone(), Value::Null),
        }
    }

    /// Moves the top `nargs` values of the caller's stack into `new`'s first local slots and
    /// cuts the caller's stack back to `base`, dropping the callable there.
    #[inline(always)]
    fn move_plain_args(
        &mut self,
        frame: &mut Frame,
        base: usize,
        nargs: usize,
        mut new: Box<Frame>,
    ) -> Box<Frame> {
        // Below the arguments are the callable and, for a plain function call, an empty
        // `self` slot: after the callable is taken out, the move drops nothing.
        let callable = std::mem::take(&mut frame.stack[base]);
        super::stack_moves::move_args(&mut frame.stack, &mut new.locals, nargs, base);
        drop(callable);
        new
    }

    /// For `Call` of a native function, or of a builtin type whose native `__new__` does all
    /// the work (`str(x)`, `int(s)`): the function, where its arguments start on the stack
    /// and its data (None when the callable is something else). The arguments are the
    /// stack from that index up: a bound native's `self`, or the type for `__new__`, takes
    /// the empty slot below the arguments, so no argument vector is built.
    #[inline]
    pub(crate) fn native_call_place(
        &mut self,
        frame: &mut Frame,
        argc: usize,
    ) -> Option<(NativeFn, usize, Value)> {
        let base = frame.stack.len() - argc - 2;
        let Value::Obj(o) = &frame.stack[base] else {
            return None;
        };
        let slot_empty = frame.stack[base + 1].is_null();
        let n = match &o.kind {
            ObjKind::Native(n) => n,
            ObjKind::Type(t) if t.builtin && slot_empty => {
                let cls = o.clone();
                let CtorPlan::BuiltinNew(new) = self.ctor_plan(&cls) else {
                    return None;
                };
                let Some(ObjKind::Native(n)) = new.kind() else {
                    return None;
                };
                let (func, data) = (n.func, n.data.clone());
                frame.stack[base + 1] = Value::Obj(cls);
                return Some((func, base + 1, data));
            }
            _ => return None,
        };
        // An unbound builtin method (`list.append(x, 1)`) checks its first argument on the
        // slow path, as does a bound native found with a `self` of its own.
        if !n.bound.is_null() {
            if !slot_empty {
                return None;
            }
            let (func, data) = (n.func, n.data.clone());
            frame.stack[base + 1] = n.bound.clone();
            return Some((func, base + 1, data));
        }
        if n.owner.is_some() && slot_empty {
            return None;
        }
        Some((n.func, base + 2 - !slot_empty as usize, n.data.clone()))
    }

    /// `callable self_or_null args_tuple [kwargs] -> result` for `CallEx`.
    pub(crate) fn call_ex_instr(
        &mut self,
        frame: &mut Frame,
        has_kwargs: bool,
    ) -> PyResult<Prepared> {
        let kwargs = if has_kwargs { frame.pop() } else { Value::Null };
        let argtuple = frame.pop();
        let selfv = frame.pop();
        let callable = frame.pop();
        let mut args: ArgVec = SmallVec::new();
        if !selfv.is_null() {
            args.push(selfv);
        }
        match argtuple.kind() {
            Some(ObjKind::Tuple(items)) => args.extend(items.iter().cloned()),
            _ => match self.collect_iterable(&argtuple) {
                Ok(items) => args.extend(items),
                Err(e) if self.exc_is(&e, "TypeError") && !self.has_iter(&argtuple) => {
                    let msg = format!(
                        "{} argument after * must be an iterable, not {}",
                        self.function_str(&callable),
                        self.type_name(&argtuple)
                    );
                    return Err(self.type_error(msg));
                }
                Err(e) => return Err(e),
            },
        }
        let mut kwnames = None;
        if let Value::Obj(d) = &kwargs {
            let entries: Vec<(Value, Value)> = match d.payload() {
                ObjKind::Dict(dict) => dict
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            if !entries.is_empty() {
                let mut names = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    if k.as_str().is_none() {
                        return Err(self.type_error("keywords must be strings".to_string()));
                    }
                    names.push(k);
                    args.push(v);
                }
                kwnames = Some(self.new_tuple(names));
            }
        }
        self.prepare_call(callable, args, kwnames)
    }

    /// How CPython names a callable in argument errors (`_PyObject_FunctionStr`):
    /// `module.qualname()`, without the module for builtins, else `str(callable)`.
    pub(crate) fn function_str(&mut self, f: &Value) -> String {
        if let Some(ObjKind::Native(n)) = f.kind() {
            return format!("{}()", n.name);
        }
        let qualname = match self.getattr_str(f, "__qualname__") {
            Ok(q) => q.as_str().map(str::to_string),
            Err(_) => None,
        };
        let Some(qualname) = qualname else {
            return self.str_of(f).unwrap_or_default();
        };
        match self.getattr_str(f, "__module__") {
            Ok(m) => match m.as_str() {
                Some(m) if m != "builtins" => format!("{m}.{qualname}()"),
                _ => format!("{qualname}()"),
            },
            Err(_) => format!("{qualname}()"),
        }
    }

    /// A builtin method called unbound (`list.append(x, 1)`) needs an instance of its
    /// type first, as CPython's method descriptors check.
    fn check_descriptor_self(
        &mut self,
        n: &NativeFunction,
        owner: &ObjRef,
        args: &[Value],
    ) -> PyResult<()> {
        let tname = |t: &ObjRef| {
            t.as_type()
                .map(|t| t.name.borrow().to_string())
                .unwrap_or_default()
        };
        let Some(first) = args.first() else {
            let msg = format!(
                "unbound method {}.{}() needs an argument",
                tname(owner),
                n.name
            );
            return Err(self.type_error(msg));
        };
        let ty = self.type_of(first).clone();
        if Rc::ptr_eq(&ty, owner) || self.is_subclass(&ty, owner) {
            return Ok(());
        }
        let msg = format!(
            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
            n.name,
            tname(owner),
            self.type_name(first)
        );
        Err(self.type_error(msg))
    }

    /// Resolves a call down to a value, a frame or a native invocation.
    pub(crate) fn prepare_call(
        &mut self,
        callable: Value,
        mut args: ArgVec,
        kwnames: Option<Value>,
    ) -> PyResult<Prepared> {
        let mut callable = callable;
        loop {
            let Value::Obj(obj) = &callable else {
                return Err(self.not_callable(&callable));
            };
            let obj = obj.clone();
            match &obj.kind {
                ObjKind::Function(f) => return self.function_call(&obj, f, args, kwnames),
                ObjKind::BoundMethod(m) => {
                    args.insert(0, m.1.clone());
                    callable = m.0.clone();
                }
                ObjKind::Native(n) => {
                    if !n.bound.is_null() {
                        args.insert(0, n.bound.clone());
                    } else if let Some(owner) = &n.owner {
                        self.check_descriptor_self(n, owner, &args)?;
                    }
                    return Ok(Prepared::Native {
                        func: n.func,
                        args,
                        kwnames,
                        data: n.data.clone(),
                    });
                }
                ObjKind::Type(_) => return self.call_type(&obj, args, kwnames),
                _ => {
                    let ty = self.type_of(&callable).clone();
                    let call_name = self.intern("__call__");
                    match self.lookup_type(&ty, &call_name) {
                        Some(f) => {
                            args.insert(0, callable.clone());
                            callable = self.unwrap_descriptor_for_call(f);
                        }
                        None => return Err(self.not_callable(&callable)),
                    }
                }
            }
        }
    }

    /// A function stored in a class, as it should be called with self prepended.
    fn unwrap_descriptor_for_call(&mut self, f: Value) -> Value {
        match f.kind() {
            Some(ObjKind::StaticMethod(inner)) => inner.clone(),
            _ => f,
        }
    }

    pub(crate) fn not_callable(&mut self, v: &Value) -> Exc {
        let msg = format!("'{}' object is not callable", self.type_name(v));
        self.type_error(msg)
    }

    /// Runs a prepared call to completion (used from Rust).
    pub(crate) fn run_prepared(&mut self, p: Prepared) -> PyResult {
        match p {
            Prepared::Done(v) => Ok(v),
            Prepared::Native {
                func,
                args,
                kwnames,
                data,
            } => self.invoke_native(func, &args, kwnames.as_ref(), &data),
            Prepared::Throw(fr, e) => {
                self.fiber.append(&mut self.resume_below);
                self.native_reentries += 1;
                let r = match self.unwind(fr, e, true) {
                    super::dispatch::Flow::Run(f) => self.run_frame(f),
                    super::dispatch::Flow::Exit(r) => r,
                };
                self.native_reentries -= 1;
                match r? {
                    super::dispatch::Outcome::Return(v) => Ok(v),
                    _ => panic!("a thrown-into frame yielded to a call"),
                }
            }
            Prepared::Frame(mut fr) => {
                if self.fiber.len() > MAX_NATIVE_DEPTH * 64
                    || self.native_reentries >= MAX_NATIVE_DEPTH
                {
                    self.depth -= 1;
                    self.recycle_frame(fr);
                    return Err(self.recursion_error());
                }
                let init = match std::mem::replace(&mut fr.entry, Entry::Boundary) {
                    Entry::Init(inst) => Some(inst),
                    _ => None,
                };
                self.native_reentries += 1;
                let r = self.run_frame(fr);
                self.native_reentries -= 1;
                match r? {
                    super::dispatch::Outcome::Return(v) => match init {
                        Some(inst) => {
                            if !v.is_none() {
                                let msg = format!(
                                    "__init__() should return None, not '{}'",
                                    self.type_name(&v)
                                );
                                return Err(self.type_error(msg));
                            }
                            Ok(Value::Obj(inst))
                        }
                        None => Ok(v),
                    },
                    _ => panic!("a called frame yielded"),
                }
            }
        }
    }

    /// Calls a native function.
    pub(crate) fn invoke_native(
        &mut self,
        func: NativeFn,
        args: &[Value],
        kwnames: Option<&Value>,
        data: &Value,
    ) -> PyResult {
        let names: &[Value] = match kwnames.and_then(|k| k.kind()) {
            Some(ObjKind::Tuple(t)) => t,
            _ => &[],
        };
        let split = args.len() - names.len();
        self.native_calls = self.native_calls.wrapping_add(1);
        func(
            self,
            Args {
                pos: &args[..split],
                kwnames: names,
                kwvalues: &args[split..],
                data,
            },
        )
    }

    /// For a native being run: the target of the `Send` that awaits its result at once,
    /// when the dispatch loop's `Call` invoked it directly (not through another native) and
    /// the caller's next instructions are `GetAwaitable`, `LoadConst(None)`, `Send`. A
    /// native whose awaitable would complete without suspending may then do the work now,
    /// set the caller's `ip` to that target (`finish_awaited`) and return the await's
    /// result: nothing runs between the call and the `Send`, so that is what awaiting the
    /// awaitable would have done.
    pub(crate) fn awaited_at_once(&self) -> Option<u32> {
        if self.native_calls != self.direct_native {
            return None;
        }
        let frame = self.fiber.last()?;
        let ip = frame.ip as usize;
        match frame.code.instrs.get(ip..ip + 3)? {
            [Instr::GetAwaitable(AwaitWhere::Await), Instr::LoadConst(k), Instr::Send(t)]
                if frame.code.consts[*k as usize].is_none() =>
            {
                Some(*t)
            }
            _ => None,
        }
    }

    /// Skips the caller past the `Send` found by `awaited_at_once`.
    pub(crate) fn finish_awaited(&mut self, target: u32) {
        if let Some(frame) = self.fiber.last_mut() {
            frame.ip = target;
        }
    }

    /// Calls any callable with positional arguments and waits for the result.
    pub fn call(&mut self, f: &Value, args: &[Value]) -> PyResult {
        let p = self.prepare_call(f.clone(), args.iter().cloned().collect(), None)?;
        self.run_prepared(p)
    }

    /// Calls any callable with positional and keyword arguments.
    pub fn call_kw(&mut self, f: &Value, args: &[Value], kw: &[(&str, Value)]) -> PyResult {
        if kw.is_empty() {
            return self.call(f, args);
        }
        let mut all: ArgVec = args.iter().cloned().collect();
        let mut names = Vec::with_capacity(kw.len());
        for (k, v) in kw {
            names.push(self.intern(k));
            all.push(v.clone());
        }
        let names = self.new_tuple(names);
        let p = self.prepare_call(f.clone(), all, Some(names))?;
        self.run_prepared(p)
    }

    /// Calls method `name` of `obj` with arguments.
    pub fn call_method(&mut self, obj: &Value, name: &str, args: &[Value]) -> PyResult {
        let n = self.intern(name);
        let (f, s) = self.load_method(obj.clone(), &n)?;
        let mut all: ArgVec = SmallVec::new();
        if !s.is_null() {
            all.push(s);
        }
        all.extend(args.iter().cloned());
        let p = self.prepare_call(f, all, None)?;
        self.run_prepared(p)
    }

    /// The frame (or generator) for a call of a script function.
    fn function_call(
        &mut self,
        fobj: &ObjRef,
        f: &Function,
        args: ArgVec,
        kwnames: Option<Value>,
    ) -> PyResult<Prepared> {
        let code = f.code.clone();
        if self.depth >= self.config.recursion_limit {
            return Err(self.depth_exceeded());
        }
        // Calls count against the instruction budget, so loops made of calls cannot escape it.
        self.charge(1)?;
        let mut fr = if code.is_generator_like() && !self.frame_pool_fits(&code) {
            Frame::new_unstarted(code.clone(), f.globals.clone())
        } else {
            self.new_frame(code.clone(), f.globals.clone(), Value::Null)
        };
        let argcount = code.argcount as usize;
        let simple = kwnames.is_none()
            && args.len() <= argcount
            && code.kwonlyargcount == 0
            && !code.flags.varargs
            && !code.flags.varkeywords;
        // Positional arguments only, the missing ones (if any) all covered by defaults.
        let filled = simple && {
            let given = args.len();
            if given < argcount {
                let defaults = f.defaults.borrow();
                let ndef = defaults.len();
                given + ndef >= argcount && {
                    for (slot, d) in fr.locals[given..argcount]
                        .iter_mut()
                        .zip(&defaults[ndef - (argcount - given)..])
                    {
                        *slot = d.clone();
                    }
                    true
                }
            } else {
                true
            }
        };
        if filled {
            for (slot, v) in fr.locals.iter_mut().zip(args) {
                *slot = v;
            }
        } else if let Err(e) = self.bind_arguments(f, &mut fr, args, kwnames.as_ref()) {
            self.recycle_frame(fr);
            return Err(e);
        }
        if code.ncells + code.nfree > 0 {
            self.init_cells(&mut fr, f);
        }
        if code.is_generator_like() {
            let g = self.new_generator(fobj, f, fr);
            return Ok(Prepared::Done(g));
        }
        fr.entry = Entry::Call;
        self.depth += 1;
        Ok(Prepared::Frame(fr))
    }

    /// Creates the frame's own cells and copies the closure's.
    pub(crate) fn init_cells(&mut self, fr: &mut Frame, f: &Function) {
        let code = fr.code.clone();
        let base = code.nlocals as usize;
        for i in 0..code.ncells as usize {
            let init = match code.cell_from_arg[i] {
                Some(p) => std::mem::take(&mut fr.locals[p as usize]),
                None => Value::Null,
            };
            let cell = self.alloc(ObjKind::Cell(RefCell::new(init)));
            fr.locals[base + i] = Value::Obj(cell);
        }
        let fbase = base + code.ncells as usize;
        for (i, c) in f.closure.iter().enumerate() {
            fr.locals[fbase + i] = Value::Obj(c.clone());
        }
    }

    /// Binds arguments to parameters with CPython's rules and messages.
    fn bind_arguments(
        &mut self,
        f: &Function,
        fr: &mut Frame,
        args: ArgVec,
        kwnames: Option<&Value>,
    ) -> PyResult<()> {
        let code = f.code.clone();
        let qualname = f.qualname.borrow().as_str().unwrap_or("?").to_string();
        let argcount = code.argcount as usize;
        let posonly = code.posonlyargcount as usize;
        let kwonly = code.kwonlyargcount as usize;
        let names: Vec<Value> = match kwnames.and_then(|k| k.kind()) {
            Some(ObjKind::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        let npos = args.len() - names.len();
        let mut args = args.into_iter();
        let varargs_slot = argcount + kwonly;
        let varkw_slot = varargs_slot + code.flags.varargs as usize;
        let mut extra = Vec::new();
        for i in 0..npos {
            let v = args.next().expect("counted");
            if i < argcount {
                fr.locals[i] = v;
            } else {
                extra.push(v);
            }
        }
        if code.flags.varargs {
            fr.locals[varargs_slot] = self.new_tuple(extra);
        } else if !extra.is_empty() {
            let kw_given = names
                .iter()
                .filter(|n| {
                    let s = n.as_str().unwrap_or("");
                    code.varnames[argcount..argcount + kwonly]
                        .iter()
                        .any(|p| p.as_str() == Some(s))
                })
                .count();
            return Err(self.too_many_positional(&qualname, f, npos, kw_given));
        }
        let kwdict = if code.flags.varkeywords {
            let d = self.new_dict_obj();
            fr.locals[varkw_slot] = Value::Obj(d.clone());
            Some(d)
        } else {
            None
        };
        let mut posonly_as_kw = Vec::new();
        for name in names.iter() {
            let v = args.next().expect("counted");
            let s = name.as_str().unwrap_or("");
            let idx = (0..argcount + kwonly).find(|&i| code.varnames[i].as_str() == Some(s));
            match idx {
                Some(i) if i >= posonly => {
                    if !fr.locals[i].is_null() {
                        return Err(self.type_error(format!(
                            "{qualname}() got multiple values for argument '{s}'"
                        )));
                    }
                    fr.locals[i] = v;
                }
                _ => match &kwdict {
                    Some(d) => {
                        let d = d.clone();
                        self.dict_set(&d, name.clone(), v)?;
                    }
                    None => {
                        if idx.is_some() {
                            posonly_as_kw.push(s.to_string());
                            continue;
                        }
                        return Err(self.type_error(format!(
                            "{qualname}() got an unexpected keyword argument '{s}'"
                        )));
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            let list = posonly_as_kw.join(", ");
            return Err(self.type_error(format!(
                "{qualname}() got some positional-only arguments passed as keyword arguments: '{list}'"
            )));
        }
        let defaults = f.defaults.borrow().clone();
        let ndef = defaults.len();
        let mut missing = Vec::new();
        for i in npos.min(argcount)..argcount {
            if fr.locals[i].is_null() {
                if i + ndef >= argcount {
                    fr.locals[i] = defaults[i + ndef - argcount].clone();
                } else {
                    missing.push(code.varnames[i].as_str().unwrap_or("?").to_string());
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.missing_args(&qualname, &missing, "positional"));
        }
        let kwdefaults = f.kwdefaults.borrow().clone();
        for i in argcount..argcount + kwonly {
            if fr.locals[i].is_null() {
                let name = code.varnames[i].clone();
                let d = match &kwdefaults {
                    Value::Obj(d) => self.dict_get(d, &name)?,
                    _ => None,
                };
                match d {
                    Some(v) => fr.locals[i] = v,
                    None => missing.push(name.as_str().unwrap_or("?").to_string()),
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.missing_args(&qualname, &missing, "keyword-only"));
        }
        Ok(())
    }

    fn too_many_positional(
        &mut self,
        qualname: &str,
        f: &Function,
        given: usize,
        kw_given: usize,
    ) -> Exc {
        let code = &f.code;
        let argcount = code.argcount as usize;
        let ndef = f.defaults.borrow().len();
        let takes = if ndef > 0 {
            format!(
                "from {} to {} positional arguments",
                argcount - ndef,
                argcount
            )
        } else {
            format!(
                "{} positional argument{}",
                argcount,
                if argcount == 1 { "" } else { "s" }
            )
        };
        let kw_part = if kw_given > 0 {
            format!(
                " positional argument{} (and {} keyword-only argument{})",
                if given == 1 { "" } else { "s" },
                kw_given,
                if kw_given == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        let verb = if given == 1 && kw_given == 0 {
            "was"
        } else {
            "were"
        };
        self.type_error(format!(
            "{qualname}() takes {takes} but {given}{kw_part} {verb} given"
        ))
    }

    fn missing_args(&mut self, qualname: &str, missing: &[String], kind: &str) -> Exc {
        let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match quoted.len() {
            1 => quoted[0].clone(),
            2 => format!("{} and {}", quoted[0], quoted[1]),
            n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        };
        let n = missing.len();
        self.type_error(format!(
            "{qualname}() missing {n} required {kind} argument{}: {list}",
            if n == 1 { "" } else { "s" }
        ))
    }

    /// Calling a class: `__new__` then `__init__`.
    /// The `__init__` to run after `object.__new__` when calling `cls` comes down to that
    /// (cached per class until the class or a base changes).
    fn ctor_plan(&mut self, cls: &ObjRef) -> CtorPlan {
        let Some(t) = cls.as_type() else {
            return CtorPlan::General;
        };
        {
            let c = t.ctor.borrow();
            // Builtin types cannot change, so their plan never goes stale.
            if (c.0 == t.version.get() || t.builtin) && !matches!(c.1, CtorPlan::Unknown) {
                return c.1.clone();
            }
        }
        let new_name = self.intern("__new__");
        let init_name = self.intern("__init__");
        let new = self.lookup_type(cls, &new_name);
        let plan = if t.builtin {
            match new.as_ref().and_then(|n| n.kind()) {
                Some(ObjKind::StaticMethod(f)) if matches!(f.kind(), Some(ObjKind::Native(_))) => {
                    CtorPlan::BuiltinNew(f.clone())
                }
                _ => CtorPlan::General,
            }
        } else {
            match self.lookup_type(cls, &init_name) {
                Some(init)
                    if t.layout == Layout::Object
                        && self.is_object_slot(&new, "__new__")
                        && matches!(init.kind(), Some(ObjKind::Function(_)))
                        && self.check_not_abstract(cls).is_ok() =>
                {
                    CtorPlan::ObjectNewThenInit(init)
                }
                _ => CtorPlan::General,
            }
        };
        *t.ctor.borrow_mut() = (t.version.get(), plan.clone());
        plan
    }

    fn call_type(
        &mut self,
        cls: &ObjRef,
        args: ArgVec,
        kwnames: Option<Value>,
    ) -> PyResult<Prepared> {
        match self.ctor_plan(cls) {
            CtorPlan::BuiltinNew(new) => {
                // Builtin constructors do all the work in `__new__`; run it as a plain native
                // call so that it sees the caller's frame (zero-argument `super()`).
                let Some(ObjKind::Native(n)) = new.kind() else {
                    unreachable!("a builtin constructor plan holds a native function")
                };
                let mut nargs: ArgVec = SmallVec::new();
                nargs.push(Value::Obj(cls.clone()));
                nargs.extend(args);
                return Ok(Prepared::Native {
                    func: n.func,
                    args: nargs,
                    kwnames,
                    data: n.data.clone(),
                });
            }
            CtorPlan::ObjectNewThenInit(init) => {
                // The common case: `object.__new__` and an `__init__` written in Aio.
                let instance = self.new_plain_instance(cls);
                return self.run_init(instance, init, args, kwnames);
            }
            CtorPlan::General | CtorPlan::Unknown => {}
        }
        let new_name = self.intern("__new__");
        let init_name = self.intern("__init__");
        let new = self.lookup_type(cls, &new_name);
        let object_new = self.is_object_slot(&new, "__new__");
        let instance = if object_new {
            let init = self.lookup_type(cls, &init_name);
            let has_args = !args.is_empty();
            if has_args && self.is_object_slot(&init, "__init__") {
                let name = cls
                    .as_type()
                    .map(|t| t.name.borrow().to_string())
                    .unwrap_or_default();
                return Err(self.type_error(format!("{name}() takes no arguments")));
            }
            self.new_instance(cls)?
        } else {
            let new = new.expect("checked");
            let new = match new.kind() {
                Some(ObjKind::StaticMethod(f)) => f.clone(),
                _ => new,
            };
            let mut nargs: ArgVec = SmallVec::new();
            nargs.push(Value::Obj(cls.clone()));
            nargs.extend(args.iter().cloned());
            let p = self.prepare_call(new, nargs, kwnames.clone())?;
            let inst = self.run_prepared(p)?;
            let inst_type = self.type_of(&inst).clone();
            if !self.is_subclass(&inst_type, cls) {
                return Ok(Prepared::Done(inst));
            }
            match inst {
                Value::Obj(o) => o,
                other => return Ok(Prepared::Done(other)),
            }
        };
        let init = self.lookup_type(cls, &init_name);
        match init {
            Some(init) if !self.is_object_slot(&Some(init.clone()), "__init__") => {
                self.run_init(instance, init, args, kwnames)
            }
            _ => Ok(Prepared::Done(Value::Obj(instance))),
        }
    }

    /// Calls `init` on a new `instance`; the class call's result is the instance.
    fn run_init(
        &mut self,
        instance: ObjRef,
        init: Value,
        args: ArgVec,
        kwnames: Option<Value>,
    ) -> PyResult<Prepared> {
        let mut iargs: ArgVec = SmallVec::new();
        iargs.push(Value::Obj(instance.clone()));
        iargs.extend(args);
        match self.prepare_call(init, iargs, kwnames)? {
            Prepared::Frame(mut fr) => {
                fr.entry = Entry::Init(instance);
                Ok(Prepared::Frame(fr))
            }
            Prepared::Done(_) => Ok(Prepared::Done(Value::Obj(instance))),
            Prepared::Throw(..) => unreachable!("a call never throws into a frame"),
            Prepared::Native {
                func,
                args,
                kwnames,
                data,
            } => {
                let r = self.invoke_native(func, &args, kwnames.as_ref(), &data)?;
                if !r.is_none() {
                    let msg = format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&r)
                    );
                    return Err(self.type_error(msg));
                }
                Ok(Prepared::Done(Value::Obj(instance)))
            }
        }
    }

    /// True when `slot` is `object`'s own implementation of `name`.
    fn is_object_slot(&mut self, slot: &Option<Value>, name: &str) -> bool {
        match slot {
            None => true,
            Some(v) => {
                let n = self.intern(name);
                let object = self.types.object.clone();
                match self.type_dict_get(&object, &n) {
                    Some(o) => o.is(v),
                    None => false,
                }
            }
        }
    }

    /// `object.__new__` refuses classes whose `__abstractmethods__` (set on the class itself by
    /// the `abc` module) is non-empty, with CPython's message.
    fn check_not_abstract(&mut self, cls: &ObjRef) -> PyResult<()> {
        let key = self.intern("__abstractmethods__");
        let Some(methods) = self.type_dict_get(cls, &key) else {
            return Ok(());
        };
        let mut names: Vec<String> = match methods.kind() {
            Some(ObjKind::Set(s)) => s
                .borrow()
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(ObjKind::FrozenSet(s)) => s
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => return Ok(()),
        };
        if names.is_empty() {
            return Ok(());
        }
        names.sort();
        let name = cls
            .as_type()
            .map(|t| t.name.borrow().to_string())
            .unwrap_or_default();
        Err(self.type_error(format!(
            "Can't instantiate abstract class {name} with abstract method{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )))
    }

    /// A blank instance of `cls` with the payload of its nearest builtin base.
    /// An instance of a plain class (`Layout::Object`) known not to be abstract, as the
    /// `ObjectNewThenInit` constructor plan guarantees.
    fn new_plain_instance(&mut self, cls: &ObjRef) -> ObjRef {
        let hint = cls.as_type().map(|t| t.attr_hint.get()).unwrap_or(0);
        let attrs = RefCell::new(Attrs::Inline(Vec::with_capacity(hint)));
        self.alloc_instance(cls.clone(), ObjKind::Object(attrs))
    }

    pub fn new_instance(&mut self, cls: &ObjRef) -> PyResult<ObjRef> {
        let layout = cls.as_type().map(|t| t.layout).unwrap_or(Layout::Object);
        let hint = cls.as_type().map(|t| t.attr_hint.get()).unwrap_or(0);
        let attrs = || RefCell::new(Attrs::Inline(Vec::with_capacity(hint)));
        let kind = match layout {
            Layout::Object => {
                self.check_not_abstract(cls)?;
                ObjKind::Object(attrs())
            }
            Layout::Exception => ObjKind::Exception(Box::new(ExcObj {
                args: RefCell::new(self.empty_tuple.clone()),
                traceback: RefCell::new(Vec::new()),
                cause: RefCell::new(Value::None),
                context: RefCell::new(Value::None),
                suppress_context: std::cell::Cell::new(false),
                attrs: attrs(),
            })),
            Layout::List => ObjKind::Subclass(Box::new(Subclassed {
                attrs: attrs(),
                base: ObjKind::List(RefCell::new(Vec::new())),
            })),
            Layout::Dict => ObjKind::Subclass(Box::new(Subclassed {
                attrs: attrs(),
                base: ObjKind::Dict(Box::default()),
            })),
            Layout::Set => ObjKind::Subclass(Box::new(Subclassed {
                attrs: attrs(),
                base: ObjKind::Set(Box::default()),
            })),
            _ => {
                let name = cls
                    .as_type()
                    .map(|t| t.name.borrow().to_string())
                    .unwrap_or_default();
                return Err(self.type_error(format!("cannot create '{name}' instances")));
            }
        };
        Ok(self.alloc_instance(cls.clone(), kind))
    }

    /// `MakeFunction`: builds a function from a code constant and optional parts.
    pub(crate) fn make_function(&mut self, frame: &mut Frame, flags: u32) -> PyResult {
        let code_v = frame.pop();
        let code = match code_v.kind() {
            Some(ObjKind::Code(c)) => c.clone(),
            _ => panic!("MakeFunction without a code object"),
        };
        let closure: Box<[ObjRef]> = if flags & 8 != 0 {
            match frame.pop().kind() {
                Some(ObjKind::Tuple(items)) => {
                    items.iter().filter_map(|v| v.as_obj().cloned()).collect()
                }
                _ => Box::new([]),
            }
        } else {
            Box::new([])
        };
        let annotations = if flags & 4 != 0 {
            frame.pop()
        } else {
            Value::Null
        };
        let kwdefaults = if flags & 2 != 0 {
            frame.pop()
        } else {
            Value::None
        };
        let defaults: Rc<[Value]> = if flags & 1 != 0 {
            match frame.pop().kind() {
                Some(ObjKind::Tuple(items)) => items.iter().cloned().collect(),
                _ => Rc::from(Vec::new()),
            }
        } else {
            Rc::from(Vec::new())
        };
        let name = self.intern(&code.name);
        let qualname = self.new_str(code.qualname.to_string());
        let mut attrs = Vec::new();
        let module = self
            .dict_get_str(&frame.globals, "__name__")
            .unwrap_or(Value::None);
        attrs.push((self.intern("__module__"), module));
        attrs.push((self.intern("__doc__"), code.doc.clone()));
        if !annotations.is_null() {
            attrs.push((self.intern("__annotations__"), annotations));
        }
        let f = Function {
            code,
            globals: frame.globals.clone(),
            name: RefCell::new(name),
            qualname: RefCell::new(qualname),
            defaults: RefCell::new(defaults),
            kwdefaults: RefCell::new(kwdefaults),
            closure,
            attrs: RefCell::new(Attrs::Inline(attrs)),
        };
        Ok(Value::Obj(self.alloc(ObjKind::Function(Box::new(f)))))
    }

    /// `BuildClass`: runs the class body in a fresh namespace; the class is built on return.
    pub(crate) fn build_class_instr(&mut self, frame: &mut Frame, n: u32) -> PyResult<Box<Frame>> {
        let nbases = (n & 0xff) as usize;
        let nkw = ((n >> 8) & 0xff) as usize;
        let keywords = if n & (1 << 16) != 0 {
            let names = frame.pop();
            let at = frame.stack.len() - nkw;
            let values: Vec<Value> = frame.stack.drain(at..).collect();
            let names: Vec<Value> = match names.kind() {
                Some(ObjKind::Tuple(t)) => t.to_vec(),
                _ => Vec::new(),
            };
            let pairs: Vec<Value> = names
                .into_iter()
                .zip(values)
                .map(|(k, v)| self.new_tuple(vec![k, v]))
                .collect();
            self.new_tuple(pairs)
        } else {
            Value::None
        };
        let at = frame.stack.len() - nbases;
        let bases: Vec<Value> = frame.stack.drain(at..).collect();
        let name = frame.pop();
        let body = frame.pop();
        let bases = self.new_tuple(bases);
        let Some(ObjKind::Function(f)) = body.kind() else {
            panic!("class body is a function")
        };
        if self.depth >= self.config.recursion_limit {
            return Err(self.recursion_error());
        }
        let ns = self.new_dict_obj();
        let mut fr = self.new_frame(f.code.clone(), f.globals.clone(), Value::Obj(ns));
        if f.code.ncells + f.code.nfree > 0 {
            self.init_cells(&mut fr, f);
        }
        fr.entry = Entry::ClassBody(Box::new([name, bases, keywords]));
        self.depth += 1;
        Ok(fr)
    }

    /// Checks the recursion limit for native recursion (repr of nested containers...).
    pub fn enter_recursion(&mut self) -> PyResult<()> {
        self.enter_recursion_where("")
    }

    /// `enter_recursion` whose RecursionError message ends with `where`, as CPython's
    /// `Py_EnterRecursiveCall(" while getting the repr of an object")` does.
    pub fn enter_recursion_where(&mut self, place: &str) -> PyResult<()> {
        if self.depth >= self.config.recursion_limit || self.native_reentries >= MAX_NATIVE_DEPTH {
            let e = self.new_exc_msg(
                "RecursionError",
                format!("maximum recursion depth exceeded{place}"),
            );
            return Err(e);
        }
        self.depth += 1;
        self.native_reentries += 1;
        Ok(())
    }

    /// Leaves a level entered with `enter_recursion`.
    pub fn leave_recursion(&mut self) {
        self.depth -= 1;
        self.native_reentries -= 1;
    }
}
