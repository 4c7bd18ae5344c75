//! Generators, coroutines and async generators: creation, resumption, delegation, closing.
//!
//! A generator-like object owns its suspended frames. Resuming moves them back onto the
//! fiber (the lower frames of an await chain into `self.resume_below`, the innermost one to
//! be run next); a yield moves them back into the object (see `dispatch.rs`). `Send`
//! delegates: to another generator by pushing its frames, to a future or plain iterator by
//! stepping it and yielding what it yields. Invariant: a generator's state is `Running` or
//! `Delegated` exactly while its frame is on a fiber or in an outer generator's segment.

use super::call::Prepared;
use super::dispatch::Outcome;
use super::frame::{Entry, Frame, IterCallKind, ResumeMode};
use super::heap::Finalizer;
use super::object::{AgenOpKind, AsyncGenOp, Function, GenKind, GenObj, GenState, ObjKind};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::{AwaitWhere, Code, Instr};

/// What a resumed generator receives.
pub enum ResumeInput {
    Value(Value),
    Throw(Exc),
}

impl Vm {
    /// A generator-like object for a just-called generator function.
    pub(crate) fn new_generator(
        &mut self,
        _fobj: &ObjRef,
        f: &Function,
        frame: Box<Frame>,
    ) -> Value {
        let code = frame.code.clone();
        let kind = if code.flags.coroutine {
            GenKind::Coroutine
        } else if code.flags.async_generator {
            GenKind::AsyncGenerator
        } else {
            GenKind::Generator
        };
        let g = GenObj::new(
            kind,
            GenState::Created(frame),
            code,
            self.heap.shared.clone(),
            &f.name.borrow(),
            &f.qualname.borrow(),
        );
        Value::Obj(self.alloc(ObjKind::Generator(Box::new(g))))
    }

    /// A coroutine object running module-level code (REPL top-level await).
    pub fn new_module_coroutine(&mut self, code: std::rc::Rc<Code>, globals: ObjRef) -> Value {
        let frame = self.new_frame(code.clone(), globals.clone(), Value::Obj(globals));
        let name = self.intern("<module>");
        let g = GenObj::new(
            GenKind::Coroutine,
            GenState::Created(frame),
            code,
            self.heap.shared.clone(),
            &name,
            &name,
        );
        Value::Obj(self.alloc(ObjKind::Generator(Box::new(g))))
    }

    /// Takes a generator's frames to run them: returns the innermost frame (its lower frames,
    /// if any, are left in `self.resume_below` to be pushed under it).
    pub(crate) fn resume_gen(
        &mut self,
        gen: &ObjRef,
        mode: ResumeMode,
        input: &ResumeInput,
    ) -> PyResult<Box<Frame>> {
        let ObjKind::Generator(g) = &gen.kind else {
            panic!("resume_gen on a non-generator")
        };
        if let ResumeInput::Throw(_) = input {
            if let Some(sub) = awaited_ext(&g.state.borrow()) {
                let hook = self.ext_throw_hook;
                hook(self, &sub);
            }
        }
        let state = std::mem::replace(
            &mut *g.state.borrow_mut(),
            if mode.chained() {
                GenState::Delegated
            } else {
                GenState::Running
            },
        );
        let mut frames = match state {
            GenState::Created(mut f) => {
                if let ResumeInput::Throw(e) = input {
                    // Nothing has run yet, so no handler can see the exception: the
                    // generator simply finishes with it (CPython does the same).
                    *g.state.borrow_mut() = GenState::Finished;
                    drop(f);
                    return Err(e.clone());
                }
                if let ResumeInput::Value(v) = input {
                    if !v.is_none() {
                        *g.state.borrow_mut() = GenState::Created(f);
                        return Err(self.type_error(format!(
                            "can't send non-None value to a just-started {}",
                            gen_noun(g.kind)
                        )));
                    }
                }
                f.reserve_stack();
                smallvec::smallvec![f]
            }
            GenState::Suspended(frames) => frames,
            other => {
                let msg = match &other {
                    GenState::Finished => None,
                    _ => Some(format!("{} already executing", gen_noun(g.kind))),
                };
                *g.state.borrow_mut() = other;
                return Err(match msg {
                    Some(m) => self.value_error(m),
                    None => match (g.kind, input) {
                        (_, ResumeInput::Throw(e)) => e.clone(),
                        (GenKind::Coroutine, _) => {
                            self.runtime_error("cannot reuse already awaited coroutine".into())
                        }
                        (GenKind::AsyncGenerator, _) => {
                            self.new_exc("StopAsyncIteration", Vec::new())
                        }
                        (GenKind::Generator, _) => self.stop_iteration(Value::None),
                    },
                });
            }
        };
        let n = frames.len();
        let limit = self.config.recursion_limit;
        let too_deep = match mode {
            // Deeply nested awaits are bounded like calls (with room for the frames
            // CPython's asyncio machinery adds where Aio's is native).
            _ if mode.chained() && g.kind != GenKind::Generator => self.depth + n > limit + 50,
            _ if mode.chained() => self.depth + n > limit,
            // Each resumed generator frame is one level, as a call is (a chain of
            // generators each looping over the next).
            ResumeMode::ForIter | ResumeMode::Method => self.depth + n > limit,
            _ => false,
        };
        if too_deep {
            *g.state.borrow_mut() = GenState::Suspended(frames);
            return Err(self.recursion_error());
        }
        self.depth += n;
        frames[0].entry = Entry::Resume {
            gen: gen.clone(),
            mode,
        };
        let mut top = frames.pop().expect("a generator has a frame");
        if !frames.is_empty() {
            self.resume_below.extend(frames);
        }
        if let ResumeInput::Value(v) = input {
            deliver_sent(&mut top, v.clone());
        }
        Ok(top)
    }

    /// Runs a generator from Rust until it yields, returns or raises.
    pub fn resume(&mut self, gen: &ObjRef, input: ResumeInput) -> PyResult<Outcome> {
        let top = self.resume_gen(gen, ResumeMode::Native, &input)?;
        // `append` keeps the buffer's capacity for the next resume.
        self.fiber.append(&mut self.resume_below);
        self.native_reentries += 1;
        let r = match input {
            ResumeInput::Throw(e) => match self.unwind(top, e, true) {
                super::dispatch::Flow::Run(f) => self.run_frame(f),
                super::dispatch::Flow::Exit(r) => r,
            },
            ResumeInput::Value(_) => self.run_frame(top),
        };
        self.native_reentries -= 1;
        r
    }

    /// The `Send` instruction: `subiter value -> subiter yielded` or jump with the result.
    pub(crate) fn send(&mut self, frame: &mut Frame, target: u32) -> PyResult<Option<Prepared>> {
        let value = frame.pop();
        let sub = frame.top().clone();
        let Value::Obj(obj) = &sub else {
            return Err(self.type_error("object is not an iterator".into()));
        };
        match obj.payload() {
            ObjKind::Generator(g) if g.kind != GenKind::AsyncGenerator => {
                let top = self.resume_gen(obj, ResumeMode::Send, &ResumeInput::Value(value))?;
                Ok(Some(Prepared::Frame(top)))
            }
            ObjKind::CoroWrapper(c) => {
                let top = self.resume_gen(c, ResumeMode::Send, &ResumeInput::Value(value))?;
                Ok(Some(Prepared::Frame(top)))
            }
            ObjKind::Generator(g) => {
                // `async for` over a native async generator: `GetANext` left the generator
                // itself, and this is its `__anext__()` awaited at once, as `send_agen_op` does
                // for an `asend(None)` awaitable.
                if !g.hooks_inited.get() {
                    g.hooks_inited.set(true);
                    self.agen_first_iteration(obj);
                }
                if let Some(top) = self.resume_agen_frame(obj, g, &value) {
                    return Ok(Some(Prepared::Frame(top)));
                }
                match &*g.state.borrow() {
                    GenState::Finished => {
                        return Err(self.new_exc("StopAsyncIteration", Vec::new()));
                    }
                    GenState::Running | GenState::Delegated => {
                        return Err(self.runtime_error(
                            "anext(): asynchronous generator is already running".into(),
                        ));
                    }
                    _ => {}
                }
                let mode = ResumeMode::ASend { close: false };
                let top = self.resume_gen(obj, mode, &ResumeInput::Value(value))?;
                Ok(Some(Prepared::Frame(top)))
            }
            ObjKind::AsyncGenOp(op) => match self.send_agen_op(obj, op, value)? {
                Prepared::Done(v) => {
                    // Finished without running the generator: the awaitable returns `v`.
                    frame.pop();
                    frame.push(v);
                    frame.ip = target;
                    Ok(None)
                }
                p => Ok(Some(p)),
            },
            ObjKind::Future(_) => {
                let fo = obj.clone();
                crate::event_loop::future::send(self, frame, &fo, target)?;
                Ok(None)
            }
            ObjKind::Iter(_) => {
                if !value.is_none() {
                    let msg = format!("'{}' object has no attribute 'send'", self.type_name(&sub));
                    return Err(self.attribute_error(msg));
                }
                match self.native_next(&sub)? {
                    Some(v) => frame.push(v),
                    None => {
                        frame.pop();
                        frame.push(Value::None);
                        frame.ip = target;
                    }
                }
                Ok(None)
            }
            ObjKind::Ext(_) => {
                let hook = self.ext_send_hook;
                match hook(self, &sub, value)? {
                    ExtSend::Yield(v) => frame.push(v),
                    ExtSend::Return(v) => {
                        frame.pop();
                        frame.push(v);
                        frame.ip = target;
                    }
                    ExtSend::Delegate(coro) => {
                        // The awaitable became a coroutine: it takes the awaitable's place.
                        frame.pop();
                        frame.push(coro.clone());
                        let Value::Obj(c) = &coro else {
                            return Err(self.type_error("object is not an iterator".into()));
                        };
                        let input = ResumeInput::Value(Value::None);
                        let top = self.resume_gen(c, ResumeMode::Send, &input)?;
                        return Ok(Some(Prepared::Frame(top)));
                    }
                }
                Ok(None)
            }
            _ => {
                let (f, s) = if value.is_none() {
                    let n = self.intern("__next__");
                    self.load_method(sub.clone(), &n)?
                } else {
                    let n = self.intern("send");
                    self.load_method(sub.clone(), &n)?
                };
                let mut args = super::call::ArgVec::new();
                if !s.is_null() {
                    args.push(s);
                }
                if !value.is_none() {
                    args.push(value);
                }
                match self.prepare_call(f, args, None)? {
                    Prepared::Frame(mut fr) => {
                        fr.entry = Entry::IterCall(IterCallKind::Send);
                        Ok(Some(Prepared::Frame(fr)))
                    }
                    Prepared::Done(v) => {
                        frame.push(v);
                        Ok(None)
                    }
                    Prepared::Throw(..) => unreachable!("a call never throws into a frame"),
                    Prepared::Native {
                        func,
                        args,
                        kwnames,
                        data,
                    } => match self.invoke_native(func, &args, kwnames.as_ref(), &data) {
                        Ok(v) => {
                            frame.push(v);
                            Ok(None)
                        }
                        Err(e) if self.exc_is(&e, "StopIteration") => {
                            let v = self.stop_iteration_value(&e);
                            frame.pop();
                            frame.push(v);
                            frame.ip = target;
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    },
                }
            }
        }
    }

    /// `resume_gen` for the common hop of `async for`: an async generator suspended at a
    /// yield with its own frame only, resumed by `Send` with `value`. None (nothing changed)
    /// in every other case, for the general path.
    #[inline]
    fn resume_agen_frame(&mut self, gen: &ObjRef, g: &GenObj, value: &Value) -> Option<Box<Frame>> {
        if self.depth + 1 > self.config.recursion_limit + 50 {
            return None;
        }
        let mut st = g.state.try_borrow_mut().ok()?;
        let GenState::Suspended(seg) = &mut *st else {
            return None;
        };
        if seg.len() != 1 {
            return None;
        }
        let mut top = seg.pop()?;
        *st = GenState::Delegated;
        drop(st);
        self.depth += 1;
        top.entry = Entry::Resume {
            gen: gen.clone(),
            mode: ResumeMode::ASend { close: false },
        };
        deliver_sent(&mut top, value.clone());
        Some(top)
    }

    /// Starts an `asend`/`athrow`/`aclose` awaitable by resuming its async generator.
    fn send_agen_op(&mut self, obj: &ObjRef, op: &AsyncGenOp, _value: Value) -> PyResult<Prepared> {
        if op.state.get() != 0 {
            return Err(
                self.runtime_error("cannot reuse already awaited __anext__()/asend()".into())
            );
        }
        op.state.set(1);
        let _ = obj;
        let kind = std::mem::replace(&mut *op.op.borrow_mut(), AgenOpKind::Close);
        let agen = op.agen.clone();
        let (input, close) = match kind {
            AgenOpKind::Send(v) => (ResumeInput::Value(v), false),
            AgenOpKind::Throw(e) => match e {
                Value::Obj(o) => (ResumeInput::Throw(Exc(o)), false),
                _ => (ResumeInput::Value(Value::None), false),
            },
            AgenOpKind::Close => {
                let e = self.new_exc("GeneratorExit", Vec::new());
                (ResumeInput::Throw(e), true)
            }
        };
        if let ObjKind::Generator(g) = &agen.kind {
            if !g.hooks_inited.get() {
                g.hooks_inited.set(true);
                self.agen_first_iteration(&agen);
            }
            if matches!(&*g.state.borrow(), GenState::Finished) {
                op.state.set(2);
                return match (close, input) {
                    (true, _) => Ok(Prepared::Done(Value::None)),
                    (false, ResumeInput::Throw(e)) => Err(e),
                    (false, _) => Err(self.new_exc("StopAsyncIteration", Vec::new())),
                };
            }
            if matches!(&*g.state.borrow(), GenState::Running | GenState::Delegated) {
                op.state.set(2);
                let what = match (close, &input) {
                    (true, _) => "aclose",
                    (false, ResumeInput::Throw(_)) if op.throws => "athrow",
                    _ => "anext",
                };
                return Err(self.runtime_error(format!(
                    "{what}(): asynchronous generator is already running"
                )));
            }
            let fresh = matches!(&*g.state.borrow(), GenState::Created(_));
            if close && fresh {
                op.state.set(2);
                *g.state.borrow_mut() = GenState::Finished;
                return Ok(Prepared::Done(Value::None));
            }
        }
        let top = self.resume_gen(&agen, ResumeMode::ASend { close }, &input)?;
        match input {
            ResumeInput::Throw(e) => Ok(Prepared::Throw(top, e)),
            ResumeInput::Value(_) => Ok(Prepared::Frame(top)),
        }
    }

    /// Registers an async generator with the running loop on its first iteration (the
    /// `firstiter` hook), so `shutdown_asyncgens` can close it.
    pub(crate) fn agen_first_iteration(&mut self, agen: &ObjRef) {
        if let Some(st) = self.asyncio.as_deref() {
            let lp = st.running_loop.clone();
            if let Some(s) = crate::event_loop::loop_state(&lp) {
                s.borrow_mut().asyncgens.push(std::rc::Rc::downgrade(agen));
            }
        }
    }

    /// `ForIter`: advances the iterator on top of the stack.
    pub(crate) fn for_iter(
        &mut self,
        frame: &mut Frame,
        target: u32,
    ) -> PyResult<Option<Box<Frame>>> {
        let it = frame.top().clone();
        let Value::Obj(obj) = &it else {
            return Err(self.not_an_iterator(&it));
        };
        match &obj.kind {
            ObjKind::Iter(_) => {
                match self.native_next(&it)? {
                    Some(v) => frame.push(v),
                    None => {
                        frame.pop();
                        frame.ip = target;
                    }
                }
                Ok(None)
            }
            ObjKind::Generator(g) if g.kind == GenKind::Generator => {
                if matches!(&*g.state.borrow(), GenState::Finished) {
                    frame.pop();
                    frame.ip = target;
                    return Ok(None);
                }
                let top =
                    self.resume_gen(obj, ResumeMode::ForIter, &ResumeInput::Value(Value::None))?;
                Ok(Some(top))
            }
            _ => {
                let n = self.intern("__next__");
                let ty = self.type_of(&it).clone();
                let Some(f) = self.lookup_type(&ty, &n) else {
                    return Err(self.not_an_iterator(&it));
                };
                let mut args = super::call::ArgVec::new();
                args.push(it.clone());
                match self.prepare_call(f, args, None)? {
                    Prepared::Frame(mut fr) => {
                        fr.entry = Entry::IterCall(IterCallKind::ForIter);
                        Ok(Some(fr))
                    }
                    Prepared::Done(v) => {
                        frame.push(v);
                        Ok(None)
                    }
                    Prepared::Throw(..) => unreachable!("a call never throws into a frame"),
                    Prepared::Native {
                        func,
                        args,
                        kwnames,
                        data,
                    } => match self.invoke_native(func, &args, kwnames.as_ref(), &data) {
                        Ok(v) => {
                            frame.push(v);
                            Ok(None)
                        }
                        Err(e) if self.exc_is(&e, "StopIteration") => {
                            frame.pop();
                            frame.ip = target;
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    },
                }
            }
        }
    }

    pub(crate) fn not_an_iterator(&mut self, v: &Value) -> Exc {
        let msg = format!("'{}' object is not an iterator", self.type_name(v));
        self.type_error(msg)
    }

    /// `GetAwaitable`: the iterator an `await` delegates to.
    pub(crate) fn get_awaitable(&mut self, v: Value, w: AwaitWhere) -> PyResult {
        if let Value::Obj(o) = &v {
            match &o.kind {
                ObjKind::Generator(g) if g.kind == GenKind::Coroutine => {
                    if matches!(&*g.state.borrow(), GenState::Delegated) {
                        return Err(self.runtime_error("coroutine is being awaited already".into()));
                    }
                    return Ok(v);
                }
                ObjKind::AsyncGenOp(_) => return Ok(v),
                ObjKind::Ext(_) if self.ext_is_future(&v) => return Ok(v),
                _ => {}
            }
            if let ObjKind::Future(_) = o.payload() {
                return Ok(v);
            }
        }
        let n = self.intern("__await__");
        let ty = self.type_of(&v).clone();
        let Some(f) = self.lookup_type(&ty, &n) else {
            let tn = self.type_name(&v);
            let msg = match w {
                AwaitWhere::Await => format!("object {tn} can't be used in 'await' expression"),
                AwaitWhere::AsyncWithEnter => format!(
                    "'async with' received an object from __aenter__ that does not implement __await__: {tn}"
                ),
                AwaitWhere::AsyncWithExit => format!(
                    "'async with' received an object from __aexit__ that does not implement __await__: {tn}"
                ),
            };
            return Err(self.type_error(msg));
        };
        let f = self.bind_descriptor(f, &v, &ty)?;
        let it = self.call(&f, &[])?;
        if let Some(ObjKind::Generator(g)) = it.kind() {
            if g.kind == GenKind::Coroutine {
                return Err(self.type_error("__await__() returned a coroutine".into()));
            }
            return Ok(it);
        }
        if self.has_next(&it) {
            Ok(it)
        } else {
            let msg = format!(
                "__await__() returned non-iterator of type '{}'",
                self.type_name(&it)
            );
            Err(self.type_error(msg))
        }
    }

    /// True when `v` supports `__next__`.
    pub(crate) fn has_next(&mut self, v: &Value) -> bool {
        match v.kind() {
            Some(ObjKind::Iter(_)) => true,
            Some(ObjKind::Generator(g)) => g.kind == GenKind::Generator,
            _ => {
                let n = self.intern("__next__");
                let ty = self.type_of(v).clone();
                self.lookup_type(&ty, &n).is_some()
            }
        }
    }

    /// `GetYieldFromIter`.
    pub(crate) fn get_yield_from_iter(&mut self, v: Value, code: &Code) -> PyResult {
        if let Some(ObjKind::Generator(g)) = v.kind() {
            if g.kind == GenKind::Coroutine && !code.flags.coroutine {
                return Err(self.type_error(
                    "cannot 'yield from' a coroutine object in a non-coroutine generator".into(),
                ));
            }
            return Ok(v);
        }
        self.get_iter(&v)
    }

    /// Closes a generator from Rust: throws GeneratorExit into it if it is suspended.
    pub fn gen_close(&mut self, gen: &ObjRef) -> PyResult<()> {
        let ObjKind::Generator(g) = &gen.kind else {
            return Ok(());
        };
        let started = match &*g.state.borrow() {
            GenState::Created(_) => false,
            GenState::Suspended(_) => true,
            _ => return Ok(()),
        };
        if !started {
            *g.state.borrow_mut() = GenState::Finished;
            return Ok(());
        }
        let exit = self.new_exc("GeneratorExit", Vec::new());
        match self.resume(gen, ResumeInput::Throw(exit)) {
            Ok(Outcome::Return(_)) => Ok(()),
            Ok(Outcome::Yield(_)) | Ok(Outcome::AsyncYield(_)) => {
                let msg = match g.kind {
                    GenKind::Coroutine => "coroutine ignored GeneratorExit",
                    GenKind::AsyncGenerator => "async generator ignored GeneratorExit",
                    GenKind::Generator => "generator ignored GeneratorExit",
                };
                Err(self.runtime_error(msg.into()))
            }
            Err(e) => {
                if self.exc_is(&e, "GeneratorExit") || self.exc_is(&e, "StopIteration") {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    /// A generator's exception on its way out: StopIteration becomes RuntimeError (PEP 479).
    pub(crate) fn gen_exception_escaping(&mut self, gen: &ObjRef, exc: Exc) -> Exc {
        let ObjKind::Generator(g) = &gen.kind else {
            return exc;
        };
        let (name, msg) = match g.kind {
            GenKind::Generator => ("StopIteration", "generator raised StopIteration"),
            GenKind::Coroutine => ("StopIteration", "coroutine raised StopIteration"),
            GenKind::AsyncGenerator => {
                if self.exc_is(&exc, "StopAsyncIteration") {
                    (
                        "StopAsyncIteration",
                        "async generator raised StopAsyncIteration",
                    )
                } else {
                    ("StopIteration", "async generator raised StopIteration")
                }
            }
        };
        if !self.exc_is(&exc, name) {
            return exc;
        }
        let new = self.runtime_error(msg.into());
        self.set_cause(&new, Value::Obj(exc.0.clone()));
        self.set_context(&new, Value::Obj(exc.0));
        new
    }

    /// Runs queued finalizers (closing abandoned generators, warnings).
    pub fn run_finalizers(&mut self) {
        loop {
            let work = self.heap.shared.take();
            if work.is_empty() {
                break;
            }
            for job in work {
                self.run_finalizer(job);
            }
        }
    }

    fn run_finalizer(&mut self, job: Finalizer) {
        match job {
            Finalizer::CloseFrames {
                kind,
                qualname,
                frames,
            } => {
                let code = frames[0].code.clone();
                let (name, qualname) = if qualname.is_null() {
                    (self.intern(&code.name), self.intern(&code.qualname))
                } else {
                    (qualname.clone(), qualname)
                };
                let g = GenObj::new(
                    kind,
                    GenState::Suspended(frames),
                    code,
                    self.heap.shared.clone(),
                    &name,
                    &qualname,
                );
                g.hooks_inited.set(true);
                let gen = self.alloc(ObjKind::Generator(Box::new(g)));
                self.close_for_finalizer(&gen);
            }
            Finalizer::CloseGen(gen) => self.close_for_finalizer(&gen),
            Finalizer::NeverAwaited { qualname } => {
                self.warn(
                    "RuntimeWarning",
                    &format!("coroutine '{qualname}' was never awaited"),
                    "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n",
                );
            }
            Finalizer::Hook(f) => f(self),
        }
    }

    fn close_for_finalizer(&mut self, gen: &ObjRef) {
        let is_async =
            matches!(&gen.kind, ObjKind::Generator(g) if g.kind == GenKind::AsyncGenerator);
        if is_async {
            let hook = self.agen_finalizer_hook;
            if hook(self, gen) {
                return;
            }
        }
        if let Err(e) = self.gen_close(gen) {
            let desc = self.repr_or_default(&Value::Obj(gen.clone()));
            self.report_unraisable(&format!("Exception ignored in: {desc}"), &e);
        }
    }
}

/// The extension awaitable a suspended generator's innermost frame is awaiting, if any.
fn awaited_ext(state: &GenState) -> Option<Value> {
    let GenState::Suspended(frames) = state else {
        return None;
    };
    let top = frames.last()?;
    let ip = top.ip as usize;
    if ip < 2
        || !matches!(top.code.instrs[ip - 1], Instr::YieldValue)
        || !matches!(top.code.instrs[ip - 2], Instr::Send(_))
    {
        return None;
    }
    match top.stack.last() {
        Some(v @ Value::Obj(o)) if matches!(o.kind, ObjKind::Ext(_)) => Some(v.clone()),
        _ => None,
    }
}

/// True for a native async generator object.
pub(crate) fn is_async_generator(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&o.kind, ObjKind::Generator(g) if g.kind == GenKind::AsyncGenerator))
}

/// How a native awaitable (a future) answers a `Send`.
pub enum ExtSend {
    Yield(Value),
    Return(Value),
    /// Continue as this coroutine (which has not started): it replaces the awaitable.
    Delegate(Value),
}

/// Hook type for sending into extension awaitables (installed by the event loop).
pub type ExtSendHook = fn(&mut Vm, &Value, Value) -> PyResult<ExtSend>;
/// Hook for async generators dropped while suspended; returns true when handled.
pub type AgenFinalizerHook = fn(&mut Vm, &ObjRef) -> bool;

/// Default: extension objects are not awaitable.
pub fn no_ext_send(vm: &mut Vm, v: &Value, _value: Value) -> PyResult<ExtSend> {
    let msg = format!(
        "object {} can't be used in 'await' expression",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

/// Default: no event loop hooks.
pub fn no_agen_finalizer(_vm: &mut Vm, _gen: &ObjRef) -> bool {
    false
}

fn gen_noun(kind: GenKind) -> &'static str {
    match kind {
        GenKind::Generator => "generator",
        GenKind::Coroutine => "coroutine",
        GenKind::AsyncGenerator => "async generator",
    }
}

impl Drop for GenObj {
    fn drop(&mut self) {
        let state = std::mem::replace(self.state.get_mut(), GenState::Finished);
        match state {
            GenState::Suspended(frames) => self.heap.defer(Finalizer::CloseFrames {
                kind: self.kind,
                qualname: match self.names.get_mut() {
                    Some(n) => n.1.clone(),
                    None => Value::Null,
                },
                frames,
            }),
            GenState::Created(_) if self.kind == GenKind::Coroutine => {
                let q = match self.names.get_mut() {
                    Some(n) => match &n.1 {
                        Value::Obj(o) => match &o.kind {
                            ObjKind::Str(s) => s.as_str().to_string(),
                            _ => String::new(),
                        },
                        _ => String::new(),
                    },
                    None => self.code.qualname.to_string(),
                };
                self.heap.defer(Finalizer::NeverAwaited { qualname: q });
            }
            _ => {}
        }
    }
}

/// Hands a sent value to a suspended frame: a frame parked after its `Send` steps back onto
/// it, so the `Send` passes the value on to the awaitable it is delegating to; a frame that
/// has not started gets nothing.
pub(crate) fn deliver_sent(top: &mut Frame, v: Value) {
    let ip = top.ip as usize;
    if ip > 0 {
        if let Instr::Send(_) = top.code.instrs[ip - 1] {
            top.ip -= 1;
        }
        top.push(v);
    }
}
