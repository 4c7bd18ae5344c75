//! The methods of generators, coroutines, async generators and their `asend`/`athrow`/`aclose`
//! awaitables. Driving by hand (`send`, `throw`, `close`) runs the frames in a nested loop.
//! Invariant: a finished generator never runs again; its exceptions follow PEP 479.

use crate::vm::dispatch::Outcome;
use crate::vm::gen::ResumeInput;
use crate::vm::object::{AgenOpKind, Args, GenKind, GenState, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};

/// The generator behind `v`: itself, or the coroutine a `coroutine_wrapper` drives.
fn gen_ref(v: &Value) -> Option<ObjRef> {
    match v {
        Value::Obj(o) => match &o.kind {
            ObjKind::Generator(_) => Some(o.clone()),
            ObjKind::CoroWrapper(c) => Some(c.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `coroutine.__await__()`.
fn coro_await(vm: &mut Vm, args: Args) -> PyResult {
    let c = gen_ref(&args.pos[0]).expect("a coroutine");
    Ok(Value::Obj(vm.alloc(ObjKind::CoroWrapper(c))))
}

fn outcome_to_result(vm: &mut Vm, r: PyResult<Outcome>) -> PyResult {
    match r? {
        Outcome::Yield(v) | Outcome::AsyncYield(v) => Ok(v),
        Outcome::Return(v) => Err(vm.stop_iteration(v)),
    }
}

fn send(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "send", 1, 1)?;
    let g = gen_ref(&args.pos[0]).expect("a generator");
    let r = vm.resume(&g, ResumeInput::Value(args.pos[1].clone()));
    outcome_to_result(vm, r)
}

fn next(vm: &mut Vm, args: Args) -> PyResult {
    let g = gen_ref(&args.pos[0]).expect("a generator");
    let r = vm.resume(&g, ResumeInput::Value(Value::None));
    outcome_to_result(vm, r)
}

/// The exception for `throw(typ[, val[, tb]])`.
pub fn throw_exception(vm: &mut Vm, a: &[Value]) -> PyResult<Exc> {
    let typ = a.first().cloned().unwrap_or(Value::None);
    let val = a.get(1).cloned().unwrap_or(Value::None);
    if let Value::Obj(o) = &typ {
        if o.as_type().is_some() {
            let base = vm.types.base_exception.clone();
            if !vm.is_subclass(o, &base) {
                let msg = format!(
                    "exceptions must be classes or instances deriving from BaseException, not {}",
                    vm.type_name(&typ)
                );
                return Err(vm.type_error(msg));
            }
            if !val.is_none() && vm.isinstance(&val, o) {
                return vm.make_exception(val);
            }
            let inst = if val.is_none() {
                vm.call(&typ, &[])?
            } else if let Some(ObjKind::Tuple(t)) = val.kind() {
                let t = t.to_vec();
                vm.call(&typ, &t)?
            } else {
                vm.call(&typ, &[val])?
            };
            return vm.make_exception(inst);
        }
        if matches!(o.kind, ObjKind::Exception(_)) {
            if !val.is_none() {
                return Err(
                    vm.type_error("instance exception may not have a separate value".into())
                );
            }
            return Ok(Exc(o.clone()));
        }
    }
    let msg = format!(
        "exceptions must be classes or instances deriving from BaseException, not {}",
        vm.type_name(&typ)
    );
    Err(vm.type_error(msg))
}

fn throw(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "throw", 1, 3)?;
    let g = gen_ref(&args.pos[0]).expect("a generator");
    let e = throw_exception(vm, &args.pos[1..])?;
    let created = matches!(&g.kind, ObjKind::Generator(x) if matches!(&*x.state.borrow(), GenState::Created(_)));
    if created {
        // Throwing into an unstarted generator finishes it without running its body.
        if let ObjKind::Generator(x) = &g.kind {
            *x.state.borrow_mut() = GenState::Finished;
        }
        return Err(e);
    }
    let r = vm.resume(&g, ResumeInput::Throw(e));
    outcome_to_result(vm, r)
}

fn close(vm: &mut Vm, args: Args) -> PyResult {
    let g = gen_ref(&args.pos[0]).expect("a generator");
    vm.gen_close(&g)?;
    Ok(Value::None)
}

fn identity(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

fn gen_of(v: &Value) -> Option<&crate::vm::object::GenObj> {
    match v.kind()? {
        ObjKind::Generator(g) => Some(g),
        _ => None,
    }
}

fn running(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(gen_of(v).is_some_and(|g| {
        matches!(&*g.state.borrow(), GenState::Running | GenState::Delegated)
    })))
}

fn suspended_frame(vm: &mut Vm, v: &Value) -> PyResult {
    let Some(g) = gen_of(v) else {
        return Ok(Value::None);
    };
    let state = g.state.borrow();
    let frame = match &*state {
        GenState::Created(f) => Some(&**f),
        GenState::Suspended(seg) => seg.first().map(|f| &**f),
        _ => None,
    };
    let snap = frame.map(|f| vm.frame_snapshot(f));
    Ok(snap.unwrap_or(Value::None))
}

fn gen_code(vm: &mut Vm, v: &Value) -> PyResult {
    match gen_of(v) {
        Some(g) => {
            let c = g.code.clone();
            Ok(Value::Obj(vm.alloc(ObjKind::Code(c))))
        }
        None => Ok(Value::None),
    }
}

fn gen_name(vm: &mut Vm, v: &Value) -> PyResult {
    Ok(gen_of(v).map(|g| g.name(vm)).unwrap_or(Value::None))
}

fn gen_qualname(vm: &mut Vm, v: &Value) -> PyResult {
    Ok(gen_of(v).map(|g| g.qualname(vm)).unwrap_or(Value::None))
}

fn set_name(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(g) = gen_of(v) {
        g.set_names(vm, x.unwrap_or(Value::None), false);
    }
    Ok(())
}

fn set_qualname(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(g) = gen_of(v) {
        g.set_names(vm, x.unwrap_or(Value::None), true);
    }
    Ok(())
}

/// `cr_await` / `gi_yieldfrom`: the object the suspended frame is delegating to.
fn awaiting(_vm: &mut Vm, v: &Value) -> PyResult {
    let Some(g) = gen_of(v) else {
        return Ok(Value::None);
    };
    let state = g.state.borrow();
    if let GenState::Suspended(frames) = &*state {
        let f = &frames[0];
        let ip = f.ip as usize;
        if ip > 0 {
            if let crate::compile::code::Instr::Send(_) = f.code.instrs[ip - 1] {
                return Ok(f.stack.last().cloned().unwrap_or(Value::None));
            }
            if let Some(crate::compile::code::Instr::Send(_)) =
                f.code.instrs.get(ip.wrapping_sub(2))
            {
                if f.stack.len() >= 2 {
                    return Ok(f.stack[f.stack.len() - 1].clone());
                }
            }
        }
    }
    Ok(Value::None)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    let s = vm.gen_repr(o);
    Ok(vm.new_str(s))
}

// ----- async generators -------------------------------------------------------------------

fn agen_anext(vm: &mut Vm, args: Args) -> PyResult {
    let g = gen_ref(&args.pos[0]).expect("an async generator");
    Ok(vm.agen_op(&g, AgenOpKind::Send(Value::None)))
}

fn agen_asend(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "asend", 1, 1)?;
    let g = gen_ref(&args.pos[0]).expect("an async generator");
    Ok(vm.agen_op(&g, AgenOpKind::Send(args.pos[1].clone())))
}

fn agen_athrow(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "athrow", 1, 3)?;
    let g = gen_ref(&args.pos[0]).expect("an async generator");
    let e = throw_exception(vm, &args.pos[1..])?;
    Ok(vm.agen_op(&g, AgenOpKind::Throw(Value::Obj(e.0))))
}

fn agen_aclose(vm: &mut Vm, args: Args) -> PyResult {
    let g = gen_ref(&args.pos[0]).expect("an async generator");
    Ok(vm.agen_op(&g, AgenOpKind::Close))
}

fn op_of(v: &Value) -> Option<&crate::vm::object::AsyncGenOp> {
    match v.kind()? {
        ObjKind::AsyncGenOp(op) => Some(op),
        _ => None,
    }
}

/// Drives an `asend`/`athrow`/`aclose` awaitable by hand (`send`/`throw`).
fn op_step(vm: &mut Vm, this: &Value, input: Option<ResumeInput>) -> PyResult {
    let op = op_of(this).expect("an async generator awaitable");
    let agen = op.agen.clone();
    let close = matches!(&*op.op.borrow(), AgenOpKind::Close);
    let input = match (op.state.get(), input) {
        (2, _) => {
            return Err(vm.runtime_error("cannot reuse already awaited __anext__()/asend()".into()))
        }
        (0, extra) => {
            op.state.set(1);
            let kind = std::mem::replace(&mut *op.op.borrow_mut(), AgenOpKind::Close);
            match (kind, extra) {
                (_, Some(ResumeInput::Throw(e))) => ResumeInput::Throw(e),
                (AgenOpKind::Send(v), _) => ResumeInput::Value(v),
                (AgenOpKind::Throw(Value::Obj(e)), _) => ResumeInput::Throw(Exc(e)),
                (AgenOpKind::Throw(_), _) => ResumeInput::Value(Value::None),
                (AgenOpKind::Close, _) => {
                    ResumeInput::Throw(vm.new_exc("GeneratorExit", Vec::new()))
                }
            }
        }
        (_, Some(i)) => i,
        (_, None) => ResumeInput::Value(Value::None),
    };
    if let ObjKind::Generator(g) = &agen.kind {
        let finished = matches!(&*g.state.borrow(), GenState::Finished);
        let fresh = matches!(&*g.state.borrow(), GenState::Created(_));
        if finished || (close && fresh) {
            op.state.set(2);
            if close {
                *g.state.borrow_mut() = GenState::Finished;
                return Err(vm.stop_iteration(Value::None));
            }
            return Err(match input {
                ResumeInput::Throw(e) => e,
                _ => vm.new_exc("StopAsyncIteration", Vec::new()),
            });
        }
    }
    match vm.resume(&agen, input) {
        Ok(Outcome::Yield(v)) => Ok(v),
        Ok(Outcome::AsyncYield(v)) => {
            op.state.set(2);
            if close {
                return Err(vm.runtime_error("async generator ignored GeneratorExit".into()));
            }
            Err(vm.stop_iteration(v))
        }
        Ok(Outcome::Return(_)) => {
            op.state.set(2);
            if close {
                return Err(vm.stop_iteration(Value::None));
            }
            Err(vm.new_exc("StopAsyncIteration", Vec::new()))
        }
        Err(e) => {
            op.state.set(2);
            if close && (vm.exc_is(&e, "GeneratorExit") || vm.exc_is(&e, "StopAsyncIteration")) {
                return Err(vm.stop_iteration(Value::None));
            }
            Err(e)
        }
    }
}

fn op_send(vm: &mut Vm, args: Args) -> PyResult {
    let v = args.pos.get(1).cloned().unwrap_or(Value::None);
    let this = args.pos[0].clone();
    let input = if op_of(&this).is_some_and(|o| o.state.get() == 0) {
        if !v.is_none() {
            return Err(
                vm.type_error("can't send non-None value to a just-started async generator".into())
            );
        }
        None
    } else {
        Some(ResumeInput::Value(v))
    };
    op_step(vm, &this, input)
}

fn op_next(vm: &mut Vm, args: Args) -> PyResult {
    let this = args.pos[0].clone();
    op_step(vm, &this, None)
}

fn op_throw(vm: &mut Vm, args: Args) -> PyResult {
    let e = throw_exception(vm, &args.pos[1..])?;
    let this = args.pos[0].clone();
    op_step(vm, &this, Some(ResumeInput::Throw(e)))
}

fn op_close(_vm: &mut Vm, args: Args) -> PyResult {
    if let Some(op) = op_of(&args.pos[0]) {
        op.state.set(2);
    }
    Ok(Value::None)
}

/// Installs generator-like types' methods.
pub fn init(vm: &mut Vm) {
    let g = vm.types.generator.clone();
    for (n, f) in [
        ("send", send as crate::vm::object::NativeFn),
        ("throw", throw),
        ("close", close),
        ("__next__", next),
        ("__iter__", identity),
        ("__repr__", repr),
    ] {
        vm.add_method(&g, n, f);
    }
    vm.add_getset(&g, "gi_running", running, None);
    vm.add_getset(&g, "gi_frame", suspended_frame, None);
    vm.add_getset(&g, "gi_code", gen_code, None);
    vm.add_getset(&g, "gi_yieldfrom", awaiting, None);

    let c = vm.types.coroutine.clone();
    for (n, f) in [
        ("send", send as crate::vm::object::NativeFn),
        ("throw", throw),
        ("close", close),
        ("__await__", coro_await),
        ("__repr__", repr),
    ] {
        vm.add_method(&c, n, f);
    }
    let w = vm.types.coroutine_wrapper.clone();
    for (n, f) in [
        ("send", send as crate::vm::object::NativeFn),
        ("throw", throw),
        ("close", close),
        ("__next__", next),
        ("__iter__", identity),
    ] {
        vm.add_method(&w, n, f);
    }
    vm.add_getset(&c, "cr_running", running, None);
    vm.add_getset(&c, "cr_frame", suspended_frame, None);
    vm.add_getset(&c, "cr_code", gen_code, None);
    vm.add_getset(&c, "cr_await", awaiting, None);

    let a = vm.types.async_generator.clone();
    for (n, f) in [
        ("__anext__", agen_anext as crate::vm::object::NativeFn),
        ("__aiter__", identity),
        ("asend", agen_asend),
        ("athrow", agen_athrow),
        ("aclose", agen_aclose),
        ("__repr__", repr),
    ] {
        vm.add_method(&a, n, f);
    }
    vm.add_getset(&a, "ag_running", running, None);
    vm.add_getset(&a, "ag_frame", suspended_frame, None);
    vm.add_getset(&a, "ag_code", gen_code, None);
    vm.add_getset(&a, "ag_await", awaiting, None);

    for t in [&g, &c, &a] {
        vm.add_getset(t, "__name__", gen_name, Some(set_name));
        vm.add_getset(t, "__qualname__", gen_qualname, Some(set_qualname));
    }

    for op in [
        vm.types.async_generator_asend.clone(),
        vm.types.async_generator_athrow.clone(),
    ] {
        for (n, f) in [
            ("send", op_send as crate::vm::object::NativeFn),
            ("throw", op_throw),
            ("close", op_close),
            ("__next__", op_next),
            ("__iter__", identity),
            ("__await__", identity),
        ] {
            vm.add_method(&op, n, f);
        }
    }
    let _ = GenKind::Generator;
}
