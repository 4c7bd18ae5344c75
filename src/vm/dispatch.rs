//! The dispatch loop.
//!
//! `run_frame` drives a stack of heap frames: `execute` runs instructions of the current frame
//! until control moves to another frame (a call, a return, a yield, an exception), and the
//! `on_*` handlers decide where control goes next from the frame's `Entry`. Rust recursion
//! happens only when native code calls back into Aio (`Vm::call`), never for script calls.
//! Invariant: while native code runs, the calling frame is the last element of `self.fiber`,
//! so natives can inspect it (`globals()`, `super()`) and stack walks see every frame.

use super::call::Prepared;
use super::frame::{Entry, Frame, IterCallKind, ResumeMode};
use super::iter::NativeNext;
use super::object::{GenState, ObjKind, Segment};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::{CmpKind, Code, Instr};
use crate::syntax::ast::BinOp;
use std::rc::Rc;

/// How a run ended.
pub enum Outcome {
    Return(Value),
    Yield(Value),
    /// An async generator's own `yield` (as opposed to an await passing through it).
    AsyncYield(Value),
}

/// Why `execute` stopped running the current frame. At most one pointer of payload, so a
/// step travels in registers; the value of a return or yield stays on top of the frame's
/// stack, and the exception of `PushThrow` waits in `Vm::pending_throw`.
pub(crate) enum Step {
    /// Run `frame` on top of the current one (a call or a resumed generator).
    Push(Box<Frame>),
    /// Like Push, but the new frame raises `Vm::pending_throw` at once.
    PushThrow(Box<Frame>),
    Return,
    Yield,
    AsyncYield,
    /// An exception raised by the current instruction (adds a traceback entry).
    Raise(Exc),
    /// An exception re-raised by `Reraise` (no new traceback entry).
    Reraise(Exc),
}

const _: () = assert!(std::mem::size_of::<Step>() == 16);

/// What the loop does after a frame transition.
pub(crate) enum Flow {
    Run(Box<Frame>),
    Exit(PyResult<Outcome>),
}

impl Vm {
    /// Runs `frame` (entered with a `Boundary` or native `Resume` entry) until it finishes.
    pub(crate) fn run_frame(&mut self, frame: Box<Frame>) -> PyResult<Outcome> {
        let mut frame = frame;
        let mut back: Option<Box<Frame>> = None;
        loop {
            let step = self.execute(frame, &mut back);
            let Some(mut f) = back.take() else {
                unreachable!("execute hands its frame back")
            };
            let flow = match step {
                Step::Push(new) => {
                    self.fiber.push(f);
                    if !self.resume_below.is_empty() {
                        // `append` keeps the buffer's capacity for the next resume.
                        self.fiber.append(&mut self.resume_below);
                    }
                    frame = new;
                    continue;
                }
                Step::PushThrow(new) => {
                    self.fiber.push(f);
                    if !self.resume_below.is_empty() {
                        // `append` keeps the buffer's capacity for the next resume.
                        self.fiber.append(&mut self.resume_below);
                    }
                    let e = self.pending_throw.take().expect("a throw has an exception");
                    self.unwind(new, e, true)
                }
                Step::Return => {
                    let v = f.pop();
                    if let Entry::Call = f.entry {
                        // The common case, inline: hand the result to the calling frame.
                        self.depth -= 1;
                        self.recycle_frame(f);
                        let mut caller = self.pop_caller();
                        caller.push(v);
                        frame = caller;
                        continue;
                    }
                    self.on_return(f, v)
                }
                Step::Yield => {
                    let v = f.pop();
                    self.on_yield(f, v)
                }
                Step::AsyncYield => {
                    let v = f.pop();
                    self.on_async_yield(f, v)
                }
                Step::Raise(e) => {
                    let handled = self.current_exception(Some(&f));
                    self.chain_context(&e, &handled);
                    self.unwind(f, e, true)
                }
                Step::Reraise(e) => self.unwind(f, e, false),
            };
            match flow {
                Flow::Run(next) => frame = next,
                Flow::Exit(r) => return r,
            }
        }
    }

    /// The frame below the finished one.
    #[inline]
    pub(crate) fn pop_caller(&mut self) -> Box<Frame> {
        match self.fiber.pop() {
            Some(f) => f,
            None => panic!("a called frame has a caller"),
        }
    }

    fn on_return(&mut self, mut frame: Box<Frame>, v: Value) -> Flow {
        let entry = std::mem::replace(&mut frame.entry, Entry::Suspended);
        self.depth -= 1;
        match entry {
            Entry::Call | Entry::IterCall(_) => {
                self.recycle_frame(frame);
                let mut caller = self.pop_caller();
                caller.push(v);
                Flow::Run(caller)
            }
            Entry::Boundary => {
                self.recycle_frame(frame);
                Flow::Exit(Ok(Outcome::Return(v)))
            }
            Entry::Init(instance) => {
                self.recycle_frame(frame);
                let mut caller = self.pop_caller();
                if !v.is_none() {
                    let msg = format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&v)
                    );
                    let e = self.type_error(msg);
                    return self.unwind(caller, e, true);
                }
                caller.push(Value::Obj(instance));
                Flow::Run(caller)
            }
            Entry::ClassBody(b) => {
                let [name, bases, keywords] = *b;
                let ns = std::mem::take(&mut frame.namespace);
                self.recycle_frame(frame);
                let mut caller = self.pop_caller();
                match self.build_class(name, bases, keywords, ns) {
                    Ok(cls) => {
                        caller.push(cls);
                        Flow::Run(caller)
                    }
                    Err(e) => self.unwind(caller, e, true),
                }
            }
            Entry::Resume { gen, mode } => {
                self.finish_gen(&gen);
                self.recycle_frame(frame);
                self.gen_returned(&gen, mode, v)
            }
            Entry::Suspended => panic!("a suspended frame cannot return"),
        }
    }

    /// Delivers a generator's return value to whoever resumed it.
    fn gen_returned(&mut self, gen: &ObjRef, mode: ResumeMode, v: Value) -> Flow {
        if mode == ResumeMode::Native {
            return Flow::Exit(Ok(Outcome::Return(v)));
        }
        let mut caller = self.pop_caller();
        match mode {
            ResumeMode::ForIter => {
                caller.pop();
                let target = jump_target(&caller);
                caller.ip = target;
                Flow::Run(caller)
            }
            ResumeMode::Send => {
                caller.pop();
                caller.push(v);
                caller.ip = jump_target(&caller);
                Flow::Run(caller)
            }
            ResumeMode::Method => {
                let e = self.stop_iteration(v);
                self.unwind(caller, e, true)
            }
            ResumeMode::Close => {
                caller.push(Value::None);
                Flow::Run(caller)
            }
            ResumeMode::ASend { close } => {
                if close {
                    caller.pop();
                    caller.push(Value::None);
                    caller.ip = jump_target(&caller);
                    Flow::Run(caller)
                } else {
                    let _ = gen;
                    let e = self.new_exc("StopAsyncIteration", Vec::new());
                    self.unwind(caller, e, true)
                }
            }
            ResumeMode::Native => unreachable!(),
        }
    }

    fn on_yield(&mut self, frame: Box<Frame>, v: Value) -> Flow {
        // Collect the await chain: frames resumed by `Send` belong with the frame below them.
        let mut n = 1;
        let mut entry = &frame.entry;
        while let Entry::Resume { mode, .. } = entry {
            if !mode.chained() || n > self.fiber.len() {
                break;
            }
            entry = &self.fiber[self.fiber.len() - n].entry;
            n += 1;
        }
        let mut segment = Segment::with_capacity(n);
        segment.push(frame);
        loop {
            let chained = match &segment.last().expect("segment has a frame").entry {
                Entry::Resume { mode, .. } => mode.chained(),
                _ => panic!("yield from a frame that is not a generator's"),
            };
            if !chained {
                break;
            }
            let below = self.pop_caller();
            segment.push(below);
        }
        segment.reverse();
        self.depth -= segment.len();
        let base = &mut segment[0];
        let Entry::Resume { gen, mode } = std::mem::replace(&mut base.entry, Entry::Suspended)
        else {
            unreachable!()
        };
        self.suspend_gen(&gen, segment);
        match mode {
            ResumeMode::Native => Flow::Exit(Ok(Outcome::Yield(v))),
            ResumeMode::ForIter | ResumeMode::Method => {
                let mut caller = self.pop_caller();
                caller.push(v);
                Flow::Run(caller)
            }
            ResumeMode::Close => {
                let caller = self.pop_caller();
                let e = self.runtime_error(ignored_exit_message(&gen));
                self.unwind(caller, e, true)
            }
            ResumeMode::Send | ResumeMode::ASend { .. } => unreachable!(),
        }
    }

    fn on_async_yield(&mut self, mut frame: Box<Frame>, v: Value) -> Flow {
        let Entry::Resume { gen, mode } = std::mem::replace(&mut frame.entry, Entry::Suspended)
        else {
            panic!("async yield outside an async generator frame")
        };
        self.depth -= 1;
        self.suspend_gen(&gen, smallvec::smallvec![frame]);
        match mode {
            ResumeMode::Native => Flow::Exit(Ok(Outcome::AsyncYield(v))),
            ResumeMode::ASend { close: false } => {
                let mut caller = self.pop_caller();
                caller.pop();
                caller.push(v);
                caller.ip = jump_target(&caller);
                Flow::Run(caller)
            }
            _ => {
                let caller = self.pop_caller();
                let e = self.runtime_error("async generator ignored GeneratorExit".to_string());
                self.unwind(caller, e, true)
            }
        }
    }

    /// Makes `new` (a called or resumed frame) the running one; `frame` waits on the fiber
    /// under the lower frames of a resumed chain, as `Step::Push` leaves them.
    #[inline]
    fn enter_frame(&mut self, frame: &mut Box<Frame>, new: Box<Frame>) {
        let caller = std::mem::replace(frame, new);
        self.fiber.push(caller);
        if !self.resume_below.is_empty() {
            // `append` keeps the buffer's capacity for the next resume.
            self.fiber.append(&mut self.resume_below);
        }
    }

    /// A one-frame generator's yield to the frame below, which resumed it with `ForIter`:
    /// the generator's frame is suspended, and the caller becomes `frame`, the value pushed.
    #[inline]
    fn yield_to_caller(&mut self, frame: &mut Box<Frame>) {
        let (v, gen, done) = self.leave_resumed(frame);
        self.suspend_gen(&gen, smallvec::smallvec![done]);
        frame.push(v);
    }

    /// The first half of a resumed generator frame's yield to the frame below: pops the
    /// yielded value and makes the caller `frame`; gives back the value, the generator and
    /// the generator's frame (its entry already `Suspended`), for the caller to park.
    #[inline]
    pub(crate) fn leave_resumed(&mut self, frame: &mut Box<Frame>) -> (Value, ObjRef, Box<Frame>) {
        let v = frame.pop();
        let (gen, done) = self.leave_resumed_frame(frame);
        (v, gen, done)
    }

    /// `leave_resumed` with the yielded value already taken: gives back the generator and its
    /// frame (entry `Suspended`); the caller becomes `frame`.
    #[inline(always)]
    pub(crate) fn leave_resumed_frame(&mut self, frame: &mut Box<Frame>) -> (ObjRef, Box<Frame>) {
        let Entry::Resume { gen, .. } = std::mem::replace(&mut frame.entry, Entry::Suspended)
        else {
            unreachable!("checked by the caller")
        };
        self.depth -= 1;
        let caller = self.pop_caller();
        let done = std::mem::replace(frame, caller);
        (gen, done)
    }

    /// Finds a handler for `exc` in `frame` or the frames below, adding traceback entries.
    pub(crate) fn unwind(&mut self, mut frame: Box<Frame>, exc: Exc, mut add_tb: bool) -> Flow {
        let mut exc = exc;
        loop {
            if add_tb {
                self.add_traceback(&exc, &frame);
            }
            let lasti = frame.lasti();
            // A tripped host limit must not be caught, nor delayed by `finally` code.
            let handler = match self.limits.tripped {
                None => frame.code.handler_for(lasti),
                Some(_) => None,
            };
            if let Some(h) = handler {
                frame.stack.truncate(h.depth as usize);
                frame.push(Value::Obj(exc.0));
                frame.ip = h.target;
                return Flow::Run(frame);
            }
            let entry = std::mem::replace(&mut frame.entry, Entry::Suspended);
            self.depth -= 1;
            self.keep_frame_locals(&exc, &mut frame);
            self.recycle_frame(frame);
            match entry {
                Entry::Boundary => return Flow::Exit(Err(exc)),
                Entry::Call | Entry::Init(_) | Entry::ClassBody(_) => {
                    frame = self.pop_caller();
                    add_tb = true;
                }
                Entry::IterCall(kind) => {
                    let mut caller = self.pop_caller();
                    if self.exc_is(&exc, "StopIteration") {
                        caller.pop();
                        if kind == IterCallKind::Send {
                            let v = self.stop_iteration_value(&exc);
                            caller.push(v);
                        }
                        caller.ip = jump_target(&caller);
                        return Flow::Run(caller);
                    }
                    frame = caller;
                    add_tb = true;
                }
                Entry::Resume { gen, mode } => {
                    self.finish_gen(&gen);
                    exc = self.gen_exception_escaping(&gen, exc);
                    match mode {
                        ResumeMode::Native => return Flow::Exit(Err(exc)),
                        ResumeMode::Close => {
                            let mut caller = self.pop_caller();
                            if self.exc_is(&exc, "GeneratorExit")
                                || self.exc_is(&exc, "StopIteration")
                            {
                                caller.push(Value::None);
                                return Flow::Run(caller);
                            }
                            frame = caller;
                        }
                        ResumeMode::ASend { close: true } => {
                            let mut caller = self.pop_caller();
                            if self.exc_is(&exc, "GeneratorExit")
                                || self.exc_is(&exc, "StopAsyncIteration")
                            {
                                caller.pop();
                                caller.push(Value::None);
                                caller.ip = jump_target(&caller);
                                return Flow::Run(caller);
                            }
                            frame = caller;
                        }
                        _ => frame = self.pop_caller(),
                    }
                    add_tb = true;
                }
                Entry::Suspended => panic!("exception in a suspended frame"),
            }
        }
    }

    /// Runs instructions of `frame` until control has to leave it.
    pub(crate) fn execute(&mut self, mut frame: Box<Frame>, back: &mut Option<Box<Frame>>) -> Step {
        // Every exit hands the frame back through `back` (keeps `Step` in registers).
        macro_rules! leave {
            ($step:expr) => {{
                let step = $step;
                *back = Some(frame);
                return step;
            }};
        }
        macro_rules! tri {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => leave!(Step::Raise(e)),
                }
            };
        }
        macro_rules! do_call {
            ($prep:expr) => {
                match $prep {
                    Ok(Prepared::Done(v)) => frame.push(v),
                    Ok(Prepared::Frame(f)) => leave!(Step::Push(f)),
                    Ok(Prepared::Throw(f, e)) => {
                        self.pending_throw = Some(e);
                        leave!(Step::PushThrow(f))
                    }
                    Ok(Prepared::Native {
                        func,
                        args,
                        kwnames,
                        data,
                    }) => {
                        self.fiber.push(frame);
                        let r = self.invoke_native(func, &args, kwnames.as_ref(), &data);
                        drop(args);
                        frame = self.pop_caller();
                        match r {
                            Ok(v) => frame.push(v),
                            Err(e) => leave!(Step::Raise(e)),
                        }
                    }
                    Err(e) => leave!(Step::Raise(e)),
                }
            };
        }
        // The running frame's code, switched (`switch_code!`) when a plain call or return
        // moves to another frame without leaving this function.
        let mut code = frame.code.clone();
        macro_rules! switch_code {
            () => {{
                code = frame.code.clone();
            }};
        }
        // `Send(t)`: the value to send on top of the awaitable, `ip` past the instruction.
        macro_rules! send {
            ($t:expr) => {
                match self.send(&mut frame, $t) {
                    Ok(None) => {}
                    Ok(Some(Prepared::Frame(new))) => {
                        // The resumed chain runs right here, as `Step::Push` would run it.
                        self.enter_frame(&mut frame, new);
                        switch_code!();
                    }
                    Ok(Some(p)) => do_call!(Ok::<Prepared, Exc>(p)),
                    Err(e) => leave!(Step::Raise(e)),
                }
            };
        }
        // The value of local slot `i`, or an UnboundLocalError raised at the current
        // instruction.
        macro_rules! local {
            ($i:expr) => {
                match &frame.locals[$i as usize] {
                    Value::Null => {
                        let e = self.unbound_local(&code, $i as u32);
                        leave!(Step::Raise(e));
                    }
                    v => v.clone(),
                }
            };
        }
        // A plain call's return: the caller goes on running here with `v` pushed.
        macro_rules! return_to_caller {
            ($v:expr) => {{
                let v = $v;
                self.depth -= 1;
                let caller = self.pop_caller();
                let done = std::mem::replace(&mut frame, caller);
                self.recycle_frame(done);
                frame.push(v);
                switch_code!();
            }};
        }
        // A fused return of `v` (`ReturnFast`, `BinaryOpReturn`): to a plain caller at once;
        // the rarer entries push `v` and take the `ReturnValue` after the fused instruction.
        macro_rules! fused_return {
            ($v:expr) => {{
                let v = $v;
                if !matches!(frame.entry, Entry::Call) {
                    frame.push(v);
                    continue;
                }
                return_to_caller!(v);
            }};
        }
        // An int-local superinstruction whose inline case did not apply: the local and the
        // constant are pushed, and the instruction after the `LoadSmallInt` runs as usual.
        macro_rules! push_local_and_small_int {
            ($v:expr, $k:expr, $ip:expr) => {{
                frame.push($v);
                frame.push(Value::Int($k as i64));
                frame.ip = ($ip + 2) as u32;
            }};
        }
        // The two operands popped and `op` applied, plain (`binary!`) or in place (`inplace!`).
        macro_rules! binary {
            ($op:expr) => {{
                let b = frame.pop();
                let a = frame.pop();
                match fast_binary($op, &a, &b) {
                    Some(r) => r,
                    None => tri!(self.binary_op(&a, &b, $op)),
                }
            }};
        }
        macro_rules! inplace {
            ($op:expr) => {{
                let b = frame.pop();
                let a = frame.pop();
                match fast_binary($op, &a, &b) {
                    Some(r) => r,
                    None => tri!(self.inplace_op(a, &b, $op)),
                }
            }};
        }
        // An int compared with a small int by the `CompareOp` at `at`: jumps at once when a
        // conditional jump follows, else pushes the bool and goes on after the comparison.
        macro_rules! small_int_compare {
            ($op:expr, $x:expr, $k:expr, $at:expr) => {{
                let r = int_compare($op, $x, $k);
                match branch_after_compare(&code, $at, r) {
                    Some(to) => frame.ip = to,
                    None => {
                        frame.push(Value::from_bool(r));
                        frame.ip = ($at + 1) as u32;
                    }
                }
                continue;
            }};
        }
        // Where an int result of a folded operation goes (see `int_continue`).
        macro_rules! int_next {
            ($n:expr) => {{
                match $n {
                    IntNext::Push(r, to) => {
                        frame.push(Value::Int(r));
                        frame.ip = to;
                    }
                    IntNext::Store(slot, r, to) => {
                        frame.locals[slot] = Value::Int(r);
                        frame.ip = to;
                    }
                    IntNext::Jump(to) => frame.ip = to,
                    IntNext::Bool(b, to) => {
                        frame.push(Value::from_bool(b));
                        frame.ip = to;
                    }
                }
                continue;
            }};
        }
        // `ForIter(t)`, `ip` past the instruction.
        macro_rules! for_iter {
            ($t:expr) => {
                match self.for_iter(&mut frame, $t) {
                    Ok(None) => {}
                    Ok(Some(new)) => {
                        // A resumed generator (or a `__next__` frame) runs right here.
                        self.enter_frame(&mut frame, new);
                        switch_code!();
                    }
                    Err(e) => leave!(Step::Raise(e)),
                }
            };
        }
        // What a loop's jump from `ip` back to `t` costs: a chance for the cycle collector, and
        // about the loop body's length in instructions from the budget.
        macro_rules! backward_jump {
            ($ip:expr, $t:expr) => {{
                if self.heap.should_collect() {
                    self.fiber.push(frame);
                    self.collect_garbage();
                    frame = self.pop_caller();
                }
                tri!(self.charge(($ip - $t as usize) as i64 + 1));
            }};
        }
        // `GetANext` at `$at`, `ip` past it.
        macro_rules! get_anext {
            ($at:expr) => {{
                if let Some(new) = self.anext_resume(&mut frame, $at) {
                    // The generator's frame runs right here; the loop's waits on the fiber.
                    let caller = std::mem::replace(&mut frame, new);
                    self.fiber.push(caller);
                    switch_code!();
                    continue;
                }
                let aiter = frame.top().clone();
                // A native async generator is driven by the `Send` that follows, with no
                // `__anext__()` awaitable allocated (see `Vm::send`).
                let aw = if super::gen::is_async_generator(&aiter) {
                    aiter
                } else {
                    tri!(self.get_anext_awaitable(&aiter))
                };
                frame.push(aw);
            }};
        }
        let shared = self.heap.shared.clone();
        loop {
            if shared.pending.get() {
                self.fiber.push(frame);
                self.run_finalizers();
                frame = self.pop_caller();
            }
            let ip = frame.ip as usize;
            let instr = code.instrs[ip];
            frame.ip += 1;
            match instr {
                Instr::Nop => {}
                Instr::PopTop => {
                    frame.stack.pop();
                }
                Instr::Copy(n) => {
                    let v = frame.peek(n as usize).clone();
                    frame.push(v);
                }
                Instr::Swap(n) => {
                    let len = frame.stack.len();
                    frame.stack.swap(len - 1, len - n as usize);
                }
                Instr::LoadConst(i) => {
                    let v = code.consts[i as usize].clone();
                    frame.push(v);
                }
                Instr::LoadSmallInt(i) => {
                    // `x + 1`, `n % 3`, `i += 1`, `x % 2 == 0`: with an int on the stack, the
                    // operation or comparison after this is done here, the constant never
                    // pushed.
                    let k = i as i64;
                    if let Some(Value::Int(x)) = frame.stack.last_mut() {
                        let next = code.instrs.get(ip + 1);
                        if let Some(op) = next.and_then(binary_op_of) {
                            if let Some(r) = small_int_op(op, *x, k) {
                                *x = r;
                                frame.ip += 1;
                                continue;
                            }
                        } else if let Some(Instr::CompareOp(op)) = next {
                            let x = *x;
                            frame.stack.pop();
                            small_int_compare!(*op, x, k, ip + 1);
                        }
                    }
                    frame.push(Value::Int(k));
                }
                Instr::LoadFast(i) => {
                    let v = local!(i);
                    frame.push(v);
                }
                Instr::LoadFastLoadFast(a, b) => {
                    let va = local!(a);
                    // An unbound `b` is reported at the second instruction of the pair.
                    frame.ip += 1;
                    let vb = match &frame.locals[b as usize] {
                        Value::Null => {
                            frame.push(va);
                            let e = self.unbound_local(&code, b as u32);
                            leave!(Step::Raise(e));
                        }
                        v => v.clone(),
                    };
                    // Two ints and an operation or comparison that cannot fail: done here,
                    // with nothing pushed (`x * x`, `a + b`, `if i < n:`).
                    if let (Value::Int(x), Value::Int(y)) = (&va, &vb) {
                        let (x, y) = (*x, *y);
                        match code.instrs.get(ip + 2) {
                            Some(&Instr::CompareOp(op)) => {
                                small_int_compare!(op, x, y, ip + 2);
                            }
                            Some(next) => {
                                if let Some(r) = binary_op_of(next).and_then(|op| int_op(op, x, y))
                                {
                                    int_next!(int_continue(&code, ip + 2, *next, r));
                                }
                            }
                            None => {}
                        }
                    }
                    frame.push(va);
                    frame.push(vb);
                }
                Instr::LoadFastSmallInt(a, k) => {
                    // (Followed by an operation or a comparison done inline, this is one of
                    // the superinstructions below.)
                    let v = local!(a);
                    push_local_and_small_int!(v, k, ip);
                }
                // As `LoadSmallInt` does: an int local with a small-int operation, or a
                // comparison and the conditional jump after it, is done here with nothing
                // pushed.
                Instr::LoadFastIntOp(op, a, k) => {
                    let v = local!(a);
                    if let Value::Int(x) = v {
                        if let Some(r) = small_int_op(op, x, k as i64) {
                            frame.push(Value::Int(r));
                            frame.ip = (ip + 3) as u32;
                            continue;
                        }
                    }
                    push_local_and_small_int!(v, k, ip);
                }
                Instr::LoadFastIntFold(op, a, k) => {
                    let v = local!(a);
                    if let Value::Int(x) = v {
                        if let Some(r) = small_int_op(op, x, k as i64) {
                            int_next!(int_continue(&code, ip + 2, code.instrs[ip + 2], r));
                        }
                    }
                    push_local_and_small_int!(v, k, ip);
                }
                Instr::LoadFastIntCompare(op, a, k) => {
                    let v = local!(a);
                    if let Value::Int(x) = v {
                        small_int_compare!(op, x, k as i64, ip + 2);
                    }
                    push_local_and_small_int!(v, k, ip);
                }
                Instr::StoreFast(i) => {
                    let v = frame.pop();
                    frame.locals[i as usize] = v;
                }
                Instr::StoreFastLoadFast(a, b) => {
                    let v = frame.pop();
                    frame.locals[a as usize] = v;
                    frame.ip += 1;
                    let vb = local!(b);
                    frame.push(vb);
                }
                Instr::DeleteFast(i) => {
                    if frame.locals[i as usize].is_null() {
                        let e = self.unbound_local(&code, i);
                        leave!(Step::Raise(e));
                    }
                    frame.locals[i as usize] = Value::Null;
                }
                Instr::LoadDeref(i) | Instr::LoadClassDeref(i) => {
                    if let Instr::LoadClassDeref(_) = instr {
                        let name = code.varnames[i as usize].clone();
                        if let Some(v) = tri!(self.namespace_get(&frame.namespace, &name)) {
                            frame.push(v);
                            continue;
                        }
                    }
                    let v = cell_get(&frame.locals[i as usize]);
                    if v.is_null() {
                        let e = self.unbound_deref(&code, i);
                        leave!(Step::Raise(e));
                    }
                    frame.push(v);
                }
                Instr::StoreDeref(i) => {
                    let v = frame.pop();
                    cell_set(&frame.locals[i as usize], v);
                }
                Instr::DeleteDeref(i) => {
                    if cell_get(&frame.locals[i as usize]).is_null() {
                        let e = self.unbound_deref(&code, i);
                        leave!(Step::Raise(e));
                    }
                    cell_set(&frame.locals[i as usize], Value::Null);
                }
                Instr::LoadClosure(i) => {
                    let v = frame.locals[i as usize].clone();
                    frame.push(v);
                }
                Instr::LoadGlobal(ni) => {
                    let v = tri!(self.load_global(&frame, &code, ip, ni));
                    frame.push(v);
                }
                Instr::LoadGlobalNull(ni) => {
                    let v = tri!(self.load_global(&frame, &code, ip, ni));
                    frame.push(v);
                    frame.push(Value::Null);
                }
                Instr::StoreGlobal(ni) => {
                    let v = frame.pop();
                    let name = code.names[ni as usize].clone();
                    let g = frame.globals.clone();
                    tri!(self.dict_set(&g, name, v));
                }
                Instr::DeleteGlobal(ni) => {
                    let name = code.names[ni as usize].clone();
                    let g = frame.globals.clone();
                    if !tri!(self.dict_del(&g, &name)) {
                        let e = self.name_error(&name);
                        leave!(Step::Raise(e));
                    }
                }
                Instr::LoadName(ni) => {
                    let name = code.names[ni as usize].clone();
                    let v = tri!(self.load_name_slow(&frame, &name));
                    frame.push(v);
                }
                Instr::StoreName(ni) => {
                    let v = frame.pop();
                    let name = code.names[ni as usize].clone();
                    let ns = frame.namespace.clone();
                    tri!(self.namespace_set(&ns, &frame.globals.clone(), name, v));
                }
                Instr::DeleteName(ni) => {
                    let name = code.names[ni as usize].clone();
                    let ns = frame.namespace.clone();
                    let target = match &ns {
                        Value::Obj(o) => o.clone(),
                        _ => frame.globals.clone(),
                    };
                    if !tri!(self.dict_del(&target, &name)) {
                        let e = self.name_error(&name);
                        leave!(Step::Raise(e));
                    }
                }
                Instr::LoadAttr(ni) => {
                    let obj = frame.pop();
                    let name = &code.names[ni as usize];
                    let v = match self.load_attr_cached(&obj, name, &code, ip) {
                        Some(v) => v,
                        None => tri!(self.get_attr(&obj, name)),
                    };
                    frame.push(v);
                }
                Instr::StoreAttr(ni) => {
                    let obj = frame.pop();
                    let v = frame.pop();
                    let name = &code.names[ni as usize];
                    let v = match &obj {
                        Value::Obj(o) => match self.store_attr_cached(o, name, v, &code, ip) {
                            Ok(()) => continue,
                            Err(v) => v,
                        },
                        _ => v,
                    };
                    tri!(self.set_attr(&obj, name, v));
                }
                Instr::DeleteAttr(ni) => {
                    let obj = frame.pop();
                    tri!(self.del_attr(&obj, &code.names[ni as usize]));
                }
                Instr::LoadMethod(ni) => {
                    let obj = frame.pop();
                    let name = &code.names[ni as usize];
                    if let Some(f) = self.load_method_cached(&obj, name, &code, ip) {
                        frame.push(f);
                        frame.push(obj);
                        continue;
                    }
                    let (f, s) = tri!(self.load_method(obj, name));
                    frame.push(f);
                    frame.push(s);
                }
                Instr::BinarySubscr => {
                    let key = frame.pop();
                    let container = frame.pop();
                    let v = tri!(self.get_item(&container, &key));
                    frame.push(v);
                }
                Instr::StoreSubscr => {
                    let key = frame.pop();
                    let container = frame.pop();
                    let v = frame.pop();
                    tri!(self.set_item(&container, key, v));
                }
                Instr::DeleteSubscr => {
                    let key = frame.pop();
                    let container = frame.pop();
                    tri!(self.del_item(&container, &key));
                }
                Instr::BuildSlice(n) => {
                    let step = if n == 3 { frame.pop() } else { Value::None };
                    let stop = frame.pop();
                    let start = frame.pop();
                    let s = self.alloc(ObjKind::Slice(Box::new([start, stop, step])));
                    frame.push(Value::Obj(s));
                }
                Instr::BinaryOp(op) => {
                    let r = binary!(op);
                    frame.push(r);
                }
                Instr::InplaceOp(op) => {
                    let r = inplace!(op);
                    frame.push(r);
                }
                Instr::BinaryOpStore(op, slot) => {
                    frame.locals[slot as usize] = binary!(op);
                    frame.ip += 1;
                }
                Instr::InplaceOpStore(op, slot) => {
                    frame.locals[slot as usize] = inplace!(op);
                    frame.ip += 1;
                }
                Instr::BinaryOpReturn(op) => fused_return!(binary!(op)),
                Instr::UnaryNeg => {
                    let a = frame.pop();
                    let r = tri!(self.unary_neg(&a));
                    frame.push(r);
                }
                Instr::UnaryPos => {
                    let a = frame.pop();
                    let r = tri!(self.unary_pos(&a));
                    frame.push(r);
                }
                Instr::UnaryInvert => {
                    let a = frame.pop();
                    let r = tri!(self.unary_invert(&a));
                    frame.push(r);
                }
                Instr::UnaryNot => {
                    let a = frame.pop();
                    let t = tri!(self.truthy(&a));
                    frame.push(Value::from_bool(!t));
                }
                Instr::CompareOp(op) => {
                    let b = frame.pop();
                    let a = frame.pop();
                    let r = match fast_compare(op, &a, &b) {
                        Some(r) => {
                            // A comparison feeding a conditional jump (an `if` or `while`
                            // test) jumps at once instead of pushing a bool to pop again.
                            match code.instrs.get(ip + 1) {
                                Some(Instr::PopJumpIfFalse(t)) => {
                                    frame.ip = if r { frame.ip + 1 } else { *t };
                                    continue;
                                }
                                Some(Instr::PopJumpIfTrue(t)) => {
                                    frame.ip = if r { *t } else { frame.ip + 1 };
                                    continue;
                                }
                                _ => Value::from_bool(r),
                            }
                        }
                        None => tri!(self.compare(&a, &b, op)),
                    };
                    frame.push(r);
                }
                Instr::IsOp(invert) => {
                    let b = frame.pop();
                    let a = frame.pop();
                    frame.push(Value::from_bool(a.is(&b) != invert));
                }
                Instr::ContainsOp(invert) => {
                    let container = frame.pop();
                    let item = frame.pop();
                    let r = tri!(self.contains(&container, &item));
                    frame.push(Value::from_bool(r != invert));
                }
                Instr::BuildTuple(n) => {
                    let at = frame.stack.len() - n as usize;
                    let items: Vec<Value> = frame.stack.drain(at..).collect();
                    let t = self.new_tuple(items);
                    frame.push(t);
                }
                Instr::BuildList(n) => {
                    let at = frame.stack.len() - n as usize;
                    let items: Vec<Value> = frame.stack.drain(at..).collect();
                    let l = self.new_list(items);
                    frame.push(l);
                }
                Instr::BuildSet(n) => {
                    let at = frame.stack.len() - n as usize;
                    let items: Vec<Value> = frame.stack.drain(at..).collect();
                    let s = tri!(self.new_set_from(items));
                    frame.push(s);
                }
                Instr::BuildMap(n) => {
                    let at = frame.stack.len() - 2 * n as usize;
                    let items: Vec<Value> = frame.stack.drain(at..).collect();
                    let d = self.new_dict_obj();
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        tri!(self.dict_set(&d, k, v));
                    }
                    frame.push(Value::Obj(d));
                }
                Instr::BuildString(n) => {
                    let at = frame.stack.len() - n as usize;
                    let mut s = String::new();
                    let mut chars = 0;
                    for v in &frame.stack[at..] {
                        if let Some(ObjKind::Str(p)) = v.kind() {
                            s.push_str(p.as_str());
                            chars += p.char_len();
                        }
                    }
                    frame.stack.truncate(at);
                    let v = self.new_str_len(s, chars);
                    frame.push(v);
                }
                Instr::FormatValue(flags) => {
                    let spec = if flags & 4 != 0 {
                        Some(frame.pop())
                    } else {
                        None
                    };
                    let v = frame.pop();
                    let r = tri!(self.format_value(v, flags & 3, spec));
                    frame.push(r);
                }
                Instr::ListAppend(n) => {
                    let v = frame.pop();
                    let l = frame.peek(n as usize).clone();
                    if let Some(ObjKind::List(items)) = l.kind() {
                        items.borrow_mut().push(v);
                    }
                }
                Instr::SetAdd(n) => {
                    let v = frame.pop();
                    let s = frame.peek(n as usize).clone();
                    tri!(self.set_add(&s, v));
                }
                Instr::MapAdd(n) => {
                    let v = frame.pop();
                    let k = frame.pop();
                    let d = frame.peek(n as usize).clone();
                    if let Value::Obj(d) = d {
                        tri!(self.dict_set(&d, k, v));
                    }
                }
                Instr::ListExtend(n) => {
                    let it = frame.pop();
                    let l = frame.peek(n as usize).clone();
                    tri!(self.list_extend_value(&l, &it));
                }
                Instr::SetUpdate(n) => {
                    let it = frame.pop();
                    let s = frame.peek(n as usize).clone();
                    tri!(self.set_update_value(&s, &it));
                }
                Instr::DictUpdate(n) | Instr::DictMerge(n) => {
                    let other = frame.pop();
                    let d = frame.peek(n as usize).clone();
                    let merge = matches!(instr, Instr::DictMerge(_));
                    tri!(self.dict_update_value(&d, &other, merge, &frame));
                }
                Instr::ListToTuple => {
                    let l = frame.pop();
                    let items = match l.kind() {
                        Some(ObjKind::List(items)) => std::mem::take(&mut *items.borrow_mut()),
                        _ => Vec::new(),
                    };
                    let t = self.new_tuple(items);
                    frame.push(t);
                }
                Instr::UnpackSequence(n) => {
                    let seq = frame.pop();
                    let items = tri!(self.unpack_sequence(&seq, n as usize));
                    frame.stack.extend(items.into_iter().rev());
                }
                Instr::UnpackEx(before, after) => {
                    let seq = frame.pop();
                    let items = tri!(self.unpack_ex(&seq, before as usize, after as usize));
                    frame.stack.extend(items.into_iter().rev());
                }
                Instr::Jump(t) => {
                    if (t as usize) <= ip {
                        backward_jump!(ip, t);
                    }
                    frame.ip = t;
                }
                Instr::PopJumpIfFalse(t) => {
                    let v = frame.pop();
                    let b = match v {
                        Value::Bool(b) => b.get(),
                        _ => tri!(self.truthy(&v)),
                    };
                    if !b {
                        frame.ip = t;
                    }
                }
                Instr::PopJumpIfTrue(t) => {
                    let v = frame.pop();
                    let b = match v {
                        Value::Bool(b) => b.get(),
                        _ => tri!(self.truthy(&v)),
                    };
                    if b {
                        frame.ip = t;
                    }
                }
                Instr::PopJumpIfNone(t) => {
                    if frame.pop().is_none() {
                        frame.ip = t;
                    }
                }
                Instr::PopJumpIfNotNone(t) => {
                    if !frame.pop().is_none() {
                        frame.ip = t;
                    }
                }
                Instr::JumpIfFalseOrPop(t) => {
                    let b = tri!(self.truthy(frame.top()));
                    if !b {
                        frame.ip = t;
                    } else {
                        frame.pop();
                    }
                }
                Instr::JumpIfTrueOrPop(t) => {
                    let b = tri!(self.truthy(frame.top()));
                    if b {
                        frame.ip = t;
                    } else {
                        frame.pop();
                    }
                }
                Instr::GetIter => {
                    let v = frame.pop();
                    let it = tri!(self.get_iter(&v));
                    frame.push(it);
                }
                Instr::ForIter(t) => for_iter!(t),
                Instr::ForIterStore(slot, t) => match self.next_native(frame.top()) {
                    Ok(NativeNext::Value(v)) => {
                        frame.locals[slot as usize] = v;
                        frame.ip += 1;
                    }
                    Ok(NativeNext::Exhausted) => {
                        frame.pop();
                        frame.ip = t;
                    }
                    // A generator or a `__next__` method: its value lands on the stack for
                    // the `StoreFast` after this.
                    Ok(NativeNext::NotNative) => for_iter!(t),
                    Err(e) => leave!(Step::Raise(e)),
                },
                Instr::JumpToForIter(h) => {
                    backward_jump!(ip, h);
                    let (store, t) = match code.instrs[h as usize] {
                        Instr::ForIterStore(slot, t) => (Some(slot), t),
                        Instr::ForIter(t) => (None, t),
                        other => unreachable!("JumpToForIter to {other:?}"),
                    };
                    // Errors from here on belong to the `ForIter`.
                    frame.ip = h + 1;
                    match self.next_native(frame.top()) {
                        Ok(NativeNext::Value(v)) => match store {
                            Some(slot) => {
                                frame.locals[slot as usize] = v;
                                frame.ip = h + 2;
                            }
                            None => frame.push(v),
                        },
                        Ok(NativeNext::Exhausted) => {
                            frame.pop();
                            frame.ip = t;
                        }
                        // Dispatched as usual: generators resume from the `ForIter` itself.
                        Ok(NativeNext::NotNative) => frame.ip = h,
                        Err(e) => leave!(Step::Raise(e)),
                    }
                }
                Instr::GetAIter => {
                    let v = frame.pop();
                    let it = tri!(self.get_aiter(&v));
                    frame.push(it);
                }
                Instr::GetANext => get_anext!(ip),
                Instr::JumpToGetANext(h) => {
                    backward_jump!(ip, h);
                    // Errors from here on belong to the `GetANext`.
                    frame.ip = h + 1;
                    get_anext!(h as usize);
                }
                Instr::EndAsyncFor => {
                    let exc = frame.pop();
                    let Value::Obj(e) = exc else { unreachable!() };
                    let e = Exc(e);
                    if self.exc_is(&e, "StopAsyncIteration") {
                        frame.pop();
                    } else {
                        leave!(Step::Reraise(e));
                    }
                }
                Instr::GetAwaitable(w) => {
                    let v = frame.pop();
                    let aw = tri!(self.get_awaitable(v, w));
                    frame.push(aw);
                    // `await x` compiles to GetAwaitable, LoadConst(None), Send: do the
                    // three here, as the two dispatches would.
                    if let Some(&[Instr::LoadConst(k), Instr::Send(t)]) =
                        code.instrs.get(ip + 1..ip + 3)
                    {
                        if code.consts[k as usize].is_none() {
                            frame.push(Value::None);
                            frame.ip = ip as u32 + 3;
                            send!(t);
                        }
                    }
                }
                Instr::GetYieldFromIter => {
                    let v = frame.pop();
                    let it = tri!(self.get_yield_from_iter(v, &code));
                    frame.push(it);
                }
                Instr::Send(t) => send!(t),
                Instr::YieldValue => {
                    if let Entry::Resume {
                        mode: ResumeMode::ForIter,
                        ..
                    } = frame.entry
                    {
                        // A generator driven by `for`: hand the value to the loop here.
                        self.yield_to_caller(&mut frame);
                        switch_code!();
                        continue;
                    }
                    leave!(Step::Yield);
                }
                Instr::YieldAsyncGenFast(i) => {
                    let v = local!(i);
                    // An unbound local is reported at the `LoadFast`; the yield is the
                    // `YieldAsyncGen` after it.
                    frame.ip += 1;
                    if let Entry::Resume {
                        mode: ResumeMode::ASend { close: false },
                        ..
                    } = frame.entry
                    {
                        self.agen_yield_to_awaiter(&mut frame, v);
                        switch_code!();
                        continue;
                    }
                    frame.push(v);
                    leave!(Step::AsyncYield);
                }
                Instr::YieldAsyncGen => {
                    if let Entry::Resume {
                        mode: ResumeMode::ASend { close: false },
                        ..
                    } = frame.entry
                    {
                        // An async generator's value for `async for`/`asend`: completes the
                        // awaiter's `Send` here, as `on_async_yield` does.
                        let v = frame.pop();
                        self.agen_yield_to_awaiter(&mut frame, v);
                        switch_code!();
                        continue;
                    }
                    leave!(Step::AsyncYield);
                }
                Instr::ReturnValue => {
                    // The common cases, inline: hand the result (for `__init__` returning
                    // None, the instance) to the calling frame and go on running it here.
                    let v = match &frame.entry {
                        Entry::Call => frame.pop(),
                        Entry::Init(_) if frame.top().is_none() => {
                            frame.stack.pop();
                            match std::mem::replace(&mut frame.entry, Entry::Call) {
                                Entry::Init(instance) => Value::Obj(instance),
                                _ => unreachable!("matched above"),
                            }
                        }
                        _ => leave!(Step::Return),
                    };
                    return_to_caller!(v);
                }
                Instr::ReturnFast(i) => fused_return!(local!(i)),
                Instr::PushNull => frame.push(Value::Null),
                Instr::Call(argc) => {
                    let argc = argc as usize;
                    let plain = match self.plain_function_frame(&mut frame, argc) {
                        Some(new) => Some(new),
                        None => self.plain_init_frame(&mut frame, argc),
                    };
                    if let Some(new) = plain {
                        // Run the callee right here; the caller waits on the fiber.
                        let caller = std::mem::replace(&mut frame, new);
                        self.fiber.push(caller);
                        switch_code!();
                        continue;
                    }
                    if let Some((func, start, data)) = self.native_call_place(&mut frame, argc) {
                        // The native reads its arguments in place: the caller's stack leaves
                        // the frame for the call (nothing looks at a waiting caller's stack).
                        let base = frame.stack.len() - argc - 2;
                        let mut stack = std::mem::take(&mut frame.stack);
                        self.fiber.push(frame);
                        self.direct_native = self.native_calls.wrapping_add(1);
                        let r = self.invoke_native(func, &stack[start..], None, &data);
                        stack.truncate(base);
                        frame = self.pop_caller();
                        frame.stack = stack;
                        match r {
                            Ok(v) => frame.push(v),
                            Err(e) => leave!(Step::Raise(e)),
                        }
                    } else {
                        do_call!(self.call_instr(&mut frame, argc, None));
                    }
                }
                Instr::CallKw(argc, names) => {
                    let kwnames = code.consts[names as usize].clone();
                    do_call!(self.call_instr(&mut frame, argc as usize, Some(kwnames)));
                }
                Instr::CallEx(flags) => {
                    do_call!(self.call_ex_instr(&mut frame, flags & 1 != 0));
                }
                Instr::MakeFunction(flags) => {
                    let f = tri!(self.make_function(&mut frame, flags));
                    frame.push(f);
                }
                Instr::BuildClass(n) => match self.build_class_instr(&mut frame, n) {
                    Ok(new) => leave!(Step::Push(new)),
                    Err(e) => leave!(Step::Raise(e)),
                },
                Instr::Raise(n) => {
                    let e = self.raise_instr(&mut frame, n);
                    if n == 0 {
                        leave!(Step::Reraise(e));
                    }
                    leave!(Step::Raise(e));
                }
                Instr::Reraise => {
                    let v = frame.pop();
                    let Value::Obj(e) = v else {
                        panic!("reraise of a non-exception")
                    };
                    leave!(Step::Reraise(Exc(e)));
                }
                Instr::PushExcInfo => {
                    let exc = frame.pop();
                    let prev = std::mem::replace(&mut frame.exc, exc.clone());
                    frame.push(prev);
                    frame.push(exc);
                }
                Instr::PopExcept => {
                    let prev = frame.pop();
                    frame.exc = prev;
                }
                Instr::CheckExcMatch => {
                    let typ = frame.pop();
                    let exc = frame.top().clone();
                    let r = tri!(self.exc_matches(&exc, &typ));
                    frame.push(Value::from_bool(r));
                }
                Instr::BeforeWith => {
                    let mgr = frame.pop();
                    let (exit, enter) = tri!(self.before_with(&mgr));
                    frame.push(exit);
                    do_call!(self.call_stackless(enter, Vec::new(), &mut frame));
                }
                Instr::BeforeAsyncWith => {
                    let mgr = frame.pop();
                    let (exit, enter) = tri!(self.before_async_with(&mgr));
                    frame.push(exit);
                    do_call!(self.call_stackless(enter, Vec::new(), &mut frame));
                }
                Instr::WithExceptStart => {
                    let exc = frame.peek(1).clone();
                    let exit = frame.peek(3).clone();
                    let typ = Value::Obj(self.type_of(&exc).clone());
                    let tb = self.traceback_value(&exc);
                    do_call!(self.call_stackless(exit, vec![typ, exc, tb], &mut frame));
                }
                Instr::LoadAssertionError => {
                    let t = self.types.exc("AssertionError").clone();
                    frame.push(Value::Obj(t));
                }
                Instr::ImportName(ni) => {
                    let fromlist = frame.pop();
                    let level = frame.pop();
                    let name = code.names[ni as usize].clone();
                    self.fiber.push(frame);
                    let r = self.import_name(&name, &fromlist, &level);
                    frame = self.pop_caller();
                    let m = tri!(r);
                    frame.push(m);
                }
                Instr::ImportFrom(ni) => {
                    let m = frame.top().clone();
                    let v = tri!(self.import_from(&m, &code.names[ni as usize]));
                    frame.push(v);
                }
                Instr::ImportStar => {
                    let m = frame.pop();
                    let ns = match &frame.namespace {
                        Value::Obj(o) => o.clone(),
                        _ => frame.globals.clone(),
                    };
                    tri!(self.import_star(&m, &ns));
                }
                Instr::PrintExpr => {
                    let v = frame.pop();
                    self.fiber.push(frame);
                    let r = self.print_expr(v);
                    frame = self.pop_caller();
                    tri!(r);
                }
                Instr::SetupAnnotations => {
                    tri!(self.setup_annotations(&frame));
                }
                Instr::LoadCurrentExc => {
                    let e = self.current_exception(Some(&frame));
                    frame.push(e);
                }
                Instr::CheckInitNone => {
                    let v = frame.pop();
                    if !v.is_none() {
                        let msg = format!(
                            "__init__() should return None, not '{}'",
                            self.type_name(&v)
                        );
                        let e = self.type_error(msg);
                        leave!(Step::Raise(e));
                    }
                }
            }
        }
    }

    /// Runs a callable that may be Aio code without recursion: returns a frame to push when
    /// it is a script function; otherwise pushes its result on `frame`.
    pub(crate) fn call_stackless(
        &mut self,
        f: Value,
        args: Vec<Value>,
        frame: &mut Frame,
    ) -> PyResult<Prepared> {
        frame.push(f);
        frame.push(Value::Null);
        let n = args.len();
        frame.stack.extend(args);
        self.call_instr(frame, n, None)
    }
}

/// The jump target of the `ForIter`/`Send` instruction a frame is parked on.
pub(crate) fn jump_target(frame: &Frame) -> u32 {
    match frame.code.instrs[frame.lasti() as usize] {
        Instr::ForIter(t) | Instr::ForIterStore(_, t) | Instr::Send(t) => t,
        other => panic!("frame parked on {other:?}, not ForIter/Send"),
    }
}

fn ignored_exit_message(gen: &ObjRef) -> String {
    match &gen.kind {
        ObjKind::Generator(g) if g.kind == super::object::GenKind::Coroutine => {
            "coroutine ignored GeneratorExit".into()
        }
        _ => "generator ignored GeneratorExit".into(),
    }
}

/// Contents of the cell in a local slot (Null when empty).
#[inline]
pub(crate) fn cell_get(slot: &Value) -> Value {
    match slot {
        Value::Obj(o) => match &o.kind {
            ObjKind::Cell(c) => c.borrow().clone(),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

#[inline]
pub(crate) fn cell_set(slot: &Value, v: Value) {
    if let Value::Obj(o) = slot {
        if let ObjKind::Cell(c) = &o.kind {
            let old = std::mem::replace(&mut *c.borrow_mut(), v);
            drop(old);
        }
    }
}

/// Int arithmetic whose result fits an i64 (and so cannot fail).
#[inline(always)]
fn int_op(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mult => x.checked_mul(y),
        BinOp::FloorDiv if y != 0 && !(x == i64::MIN && y == -1) => Some(floor_div(x, y)),
        BinOp::Mod if y != 0 && !(x == i64::MIN && y == -1) => Some(floor_mod(x, y)),
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        _ => None,
    }
}

/// Int and float arithmetic that needs no allocation and cannot fail.
#[inline(always)]
fn fast_binary(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_op(op, *x, *y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) => {
            let (x, y) = (x.get(), y.get());
            match op {
                BinOp::Add => Some(Value::from_f64(x + y)),
                BinOp::Sub => Some(Value::from_f64(x - y)),
                BinOp::Mult => Some(Value::from_f64(x * y)),
                BinOp::Div if y != 0.0 => Some(Value::from_f64(x / y)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Python's floor division of i64s (caller excludes y == 0 and MIN / -1).
#[inline]
pub(crate) fn floor_div(x: i64, y: i64) -> i64 {
    let q = x / y;
    if (x % y != 0) && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    }
}

/// Python's modulo of i64s: the result has the sign of the divisor.
#[inline]
pub(crate) fn floor_mod(x: i64, y: i64) -> i64 {
    let r = x % y;
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

/// `x + k` or `x - k` when the operator is one of those and the result fits an i64: what
/// `LoadSmallInt` folds into the `BinaryOp` after it.
#[inline]
fn small_int_op(op: BinOp, x: i64, k: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(k),
        BinOp::Sub => x.checked_sub(k),
        BinOp::Mult => x.checked_mul(k),
        // With a positive divisor, Python's floor division and modulo are the Euclidean ones.
        BinOp::Mod if k > 0 => Some(x.rem_euclid(k)),
        BinOp::FloorDiv if k > 0 => Some(x.div_euclid(k)),
        _ => None,
    }
}

/// The operator of an instruction that starts with a binary operation (plain, in place, or
/// fused with what follows it).
#[inline]
fn binary_op_of(instr: &Instr) -> Option<BinOp> {
    match *instr {
        Instr::BinaryOp(op)
        | Instr::InplaceOp(op)
        | Instr::BinaryOpStore(op, _)
        | Instr::InplaceOpStore(op, _)
        | Instr::BinaryOpReturn(op) => Some(op),
        _ => None,
    }
}

/// What follows an int result that was not pushed (see `int_continue`).
enum IntNext {
    /// Push it and go on at the index.
    Push(i64, u32),
    /// Store it in the local slot and go on at the index.
    Store(usize, i64, u32),
    /// A comparison with a small int and its conditional jump were done: go on at the index.
    Jump(u32),
    /// A comparison with a small int was done: push the bool and go on at the index.
    Bool(bool, u32),
}

/// The int `r` is the result of the binary operation `op` at `q`, done without pushing its
/// operands. Folds in what follows as the dispatch loop would run it, with nothing pushed
/// in between: the `StoreFast` fused with the operation, then any chain of operations with a
/// small int constant (`x * x % 1009`) and a final comparison with one, and its conditional
/// jump (`if i % 1000 == 0:`). None of these can fail on ints that fit an i64.
#[inline(always)]
fn int_continue(code: &Code, mut q: usize, mut op: Instr, mut r: i64) -> IntNext {
    loop {
        match op {
            Instr::BinaryOpStore(_, slot) | Instr::InplaceOpStore(_, slot) => {
                return IntNext::Store(slot as usize, r, (q + 2) as u32);
            }
            Instr::BinaryOpReturn(_) => return IntNext::Push(r, (q + 1) as u32),
            _ => {}
        }
        let p = q + 1;
        let Some(&Instr::LoadSmallInt(k)) = code.instrs.get(p) else {
            return IntNext::Push(r, p as u32);
        };
        let k = k as i64;
        match code.instrs.get(p + 1) {
            Some(&Instr::CompareOp(op)) => {
                let b = int_compare(op, r, k);
                return match branch_after_compare(code, p + 1, b) {
                    Some(to) => IntNext::Jump(to),
                    None => IntNext::Bool(b, (p + 2) as u32),
                };
            }
            Some(next) => match binary_op_of(next).and_then(|op| small_int_op(op, r, k)) {
                Some(r2) => {
                    r = r2;
                    q = p + 1;
                    op = *next;
                }
                None => return IntNext::Push(r, p as u32),
            },
            None => return IntNext::Push(r, p as u32),
        }
    }
}

/// Where the conditional jump after the comparison at `at` goes when the comparison came
/// out `r` (the bool is then never pushed); None when no conditional jump follows.
#[inline]
fn branch_after_compare(code: &Code, at: usize, r: bool) -> Option<u32> {
    let past = (at + 2) as u32;
    match code.instrs.get(at + 1) {
        Some(Instr::PopJumpIfFalse(t)) => Some(if r { past } else { *t }),
        Some(Instr::PopJumpIfTrue(t)) => Some(if r { *t } else { past }),
        _ => None,
    }
}

#[inline]
fn int_compare(op: CmpKind, x: i64, y: i64) -> bool {
    match op {
        CmpKind::Lt => x < y,
        CmpKind::Le => x <= y,
        CmpKind::Eq => x == y,
        CmpKind::Ne => x != y,
        CmpKind::Gt => x > y,
        CmpKind::Ge => x >= y,
    }
}

#[inline]
fn fast_compare(op: CmpKind, a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(int_compare(op, *x, *y)),
        (Value::Float(x), Value::Float(y)) => {
            let (x, y) = (x.get(), y.get());
            Some(match op {
                CmpKind::Lt => x < y,
                CmpKind::Le => x <= y,
                CmpKind::Eq => x == y,
                CmpKind::Ne => x != y,
                CmpKind::Gt => x > y,
                CmpKind::Ge => x >= y,
            })
        }
        (Value::Obj(x), Value::Obj(y)) if matches!(op, CmpKind::Eq | CmpKind::Ne) => {
            if x.class.is_some() || y.class.is_some() {
                return None;
            }
            match (&x.kind, &y.kind) {
                (ObjKind::Str(s), ObjKind::Str(t)) => {
                    let eq = Rc::ptr_eq(x, y) || s.as_str() == t.as_str();
                    Some(eq == (op == CmpKind::Eq))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

impl Vm {
    /// Marks a generator's frames as gone.
    pub(crate) fn finish_gen(&mut self, gen: &ObjRef) {
        if let ObjKind::Generator(g) = &gen.kind {
            *g.state.borrow_mut() = GenState::Finished;
        }
    }

    /// Stores a suspended await chain in the generator at its base.
    // Frames stay boxed: they move between fibers, pools and generators by pointer.
    pub(crate) fn suspend_gen(&mut self, gen: &ObjRef, segment: Segment) {
        if let ObjKind::Generator(g) = &gen.kind {
            *g.state.borrow_mut() = GenState::Suspended(segment);
        }
    }
}
