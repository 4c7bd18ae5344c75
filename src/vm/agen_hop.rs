//! The hop between an `async for` and the native async generator it iterates.
//!
//! Each item of `async for x in agen` is an `__anext__()` awaited at once: the loop's frame
//! resumes the generator's frame, which runs to its next `yield` and hands the value back.
//! When the generator is parked at its own `yield` with no awaits in progress (its suspended
//! chain is its one frame), both directions are a frame switch inside the dispatch loop: no
//! `__anext__()` awaitable, no trip through `Vm::send`, and the state left behind is exactly
//! what the general path leaves (the loop's frame parked after its `Send` with the generator
//! on top of its stack, the generator's frame entered with `ResumeMode::ASend`), so
//! exceptions, `athrow`/`aclose`, cancellation and finalization see nothing different.
//! Every other case (not started, running, finished, a longer chain, the recursion limit,
//! the first iteration that registers the generator with the loop) takes the general path.

use super::dispatch::jump_target;
use super::frame::{Entry, Frame, ResumeMode};
use super::object::{GenKind, GenState, ObjKind, Segment};
use super::value::Value;
use super::Vm;
use crate::compile::code::Instr;

impl Vm {
    /// `GetANext` at `ip` (followed, as the compiler always emits it, by `LoadConst(None)`
    /// and `Send`) over a native async generator parked at its own yield: moves `frame` past
    /// the `Send` as if it had delegated to the generator, and returns the generator's frame
    /// to run. None, with nothing changed, in every other case.
    #[inline(always)]
    pub(crate) fn anext_resume(&mut self, frame: &mut Frame, ip: usize) -> Option<Box<Frame>> {
        let Some(Value::Obj(o)) = frame.stack.last() else {
            return None;
        };
        let ObjKind::Generator(g) = &o.kind else {
            return None;
        };
        if g.kind != GenKind::AsyncGenerator
            || !g.hooks_inited.get()
            || self.depth >= self.config.recursion_limit + 50
        {
            return None;
        }
        let mut st = g.state.try_borrow_mut().ok()?;
        let GenState::Suspended(seg) = &mut *st else {
            return None;
        };
        if seg.len() != 1 || seg.spilled() {
            return None;
        }
        let mut top = seg.pop()?;
        // The segment left is empty and inline: nothing to drop.
        if let GenState::Suspended(rest) = std::mem::replace(&mut *st, GenState::Delegated) {
            debug_assert!(rest.is_empty());
            std::mem::forget(rest);
        }
        drop(st);
        let gen = o.clone();
        // As `LoadConst(None)` and `Send` leave it: the generator on top, parked after `Send`.
        frame.stack.push(Value::Obj(gen.clone()));
        frame.ip = ip as u32 + 3;
        self.depth += 1;
        let entry = Entry::Resume {
            gen,
            mode: ResumeMode::ASend { close: false },
        };
        // A suspended frame's entry is `Suspended`, which owns nothing: skip the drop glue.
        debug_assert!(matches!(top.entry, Entry::Suspended));
        std::mem::forget(std::mem::replace(&mut top.entry, entry));
        let tip = top.ip as usize;
        match top.code.instrs.get(tip.wrapping_sub(1)..=tip) {
            // The sent None would be popped at once: step over that `PopTop` instead.
            Some([Instr::YieldAsyncGen, Instr::PopTop]) => top.ip += 1,
            _ => super::gen::deliver_sent(&mut top, Value::None),
        }
        Some(top)
    }

    /// `YieldAsyncGen` of `v` (already popped) in a frame resumed by an `async for` or
    /// `asend` (`ResumeMode::ASend` without `close`): suspends the generator's frame and
    /// completes the awaiter's `Send` with the value, as `on_async_yield` does; the awaiter
    /// becomes `frame`. A loop that stores the value in a local (`async for x in ...`) has it
    /// stored here.
    #[inline(always)]
    pub(crate) fn agen_yield_to_awaiter(&mut self, frame: &mut Box<Frame>, v: Value) {
        let (gen, done) = self.leave_resumed_frame(frame);
        if let ObjKind::Generator(g) = &gen.kind {
            let mut seg = Segment::new();
            seg.push(done);
            // The generator was `Delegated` while its frame ran, which owns nothing.
            match std::mem::replace(&mut *g.state.borrow_mut(), GenState::Suspended(seg)) {
                GenState::Delegated => {}
                other => drop(other),
            }
        }
        // The awaitable the `Send` delegated to.
        frame.stack.pop();
        let target = jump_target(frame);
        let store = match frame.code.instrs.get(target as usize) {
            Some(&Instr::StoreFast(i)) => Some(i as usize),
            // Fused with a `LoadFast`, which stays in place after it and runs next.
            Some(&Instr::StoreFastLoadFast(i, _)) => Some(i as usize),
            _ => None,
        };
        match store {
            Some(i) => {
                frame.locals[i] = v;
                frame.ip = target + 1;
            }
            None => {
                frame.push(v);
                frame.ip = target;
            }
        }
    }
}
