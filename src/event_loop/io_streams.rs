//! asyncio streams in Rust: `StreamReader`, `StreamWriter`, `StreamReaderProtocol` and the
//! awaitables their coroutine methods return.
//!
//! The logic is CPython's `streams.py` step for step: the reader's buffer, EOF flag, waiter
//! future and exception; pausing the transport past twice the limit and resuming it at the
//! limit; `readuntil`'s offset scan and its `LimitOverrunError`/`IncompleteReadError`;
//! `drain()` yielding once when the transport is closing and then waiting on the flow-control
//! waiters. A method such as `read(n)` returns a `StreamOp`, a native awaitable that runs the
//! same steps each time it is sent a value: it either finishes (the `await` gets its result)
//! or yields the future it waits for, exactly where CPython's coroutine would suspend, so the
//! scheduling order matches. Errors are checked when the awaitable first runs, as they are in
//! a coroutine. Invariant: no `RefCell` borrow of a reader, writer or protocol is held while
//! script code (a script transport or protocol) runs.

use super::future::{self, fut_of, FutState};
use super::io_transport::{self, transport_of};
use super::native_coro::NativeCoro;
use crate::vm::gen::ExtSend;
use crate::vm::object::{Args, ExtObject, Layout, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::{Cell, RefCell};

/// `streams._DEFAULT_LIMIT`.
pub const DEFAULT_LIMIT: usize = 1 << 16;

// ----- StreamReader ---------------------------------------------------------------------------

/// The state of a `StreamReader`.
pub struct ReaderState {
    buf: Vec<u8>,
    /// Bytes before `head` were consumed.
    head: usize,
    pub eof: bool,
    /// The future a read waits on, or None.
    pub waiter: Value,
    pub exception: Value,
    pub transport: Value,
    pub paused: bool,
    pub limit: usize,
    pub loop_: Value,
}

impl ReaderState {
    fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.head..]
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.len());
        let out = self.buf[self.head..self.head + n].to_vec();
        self.head += n;
        if self.head == self.buf.len() {
            self.buf.clear();
            self.head = 0;
        } else if self.head >= 4096 && self.head * 2 >= self.buf.len() {
            self.buf.drain(..self.head);
            self.head = 0;
        }
        out
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.head = 0;
    }

    fn find(&self, sep: &[u8], from: usize) -> Option<usize> {
        let d = self.data();
        if from > d.len() || d.len() - from < sep.len() {
            return None;
        }
        if sep.len() == 1 {
            return d[from..]
                .iter()
                .position(|&b| b == sep[0])
                .map(|i| i + from);
        }
        d[from..]
            .windows(sep.len())
            .position(|w| w == sep)
            .map(|i| i + from)
    }
}

/// The payload of a `StreamReader`.
pub struct StreamReaderObj {
    pub st: RefCell<ReaderState>,
}

impl ExtObject for StreamReaderObj {
    fn type_name(&self) -> &str {
        "StreamReader"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.st.try_borrow() {
            f(&s.waiter);
            f(&s.exception);
            f(&s.transport);
            f(&s.loop_);
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.st.try_borrow_mut() {
            let old = [
                std::mem::replace(&mut s.waiter, Value::None),
                std::mem::replace(&mut s.exception, Value::None),
                std::mem::replace(&mut s.transport, Value::None),
            ];
            drop(s);
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The reader payload of a value.
pub fn reader_of(v: &Value) -> Option<&StreamReaderObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<StreamReaderObj>(),
        _ => None,
    }
}

fn pending_future(v: &Value) -> bool {
    match fut_of(v) {
        Some(f) => !f.done(),
        None => !v.is_none(),
    }
}

impl StreamReaderObj {
    /// `exception()`.
    pub fn exception(&self) -> Value {
        self.st.borrow().exception.clone()
    }

    fn wakeup_waiter(&self, vm: &mut Vm) -> PyResult<()> {
        let w = std::mem::replace(&mut self.st.borrow_mut().waiter, Value::None);
        if let Value::Obj(wo) = &w {
            if let Some(f) = fut_of(&w) {
                if f.state.get() != FutState::Cancelled && !f.done() {
                    future::set_result(vm, wo, Value::None)?;
                }
            } else if !{
                let c = vm.call_method(&w, "cancelled", &[])?;
                vm.truthy(&c)?
            } {
                vm.call_method(&w, "set_result", &[Value::None])?;
            }
        }
        Ok(())
    }

    /// `feed_data(data)`.
    pub fn feed(&self, vm: &mut Vm, data: &[u8]) -> PyResult<()> {
        if self.st.borrow().eof {
            return Err(vm.new_exc_msg("AssertionError", "feed_data after feed_eof".into()));
        }
        if data.is_empty() {
            return Ok(());
        }
        self.st.borrow_mut().buf.extend_from_slice(data);
        self.wakeup_waiter(vm)?;
        let (tr, over) = {
            let s = self.st.borrow();
            (s.transport.clone(), !s.paused && s.len() > 2 * s.limit)
        };
        if over && !tr.is_none() {
            if let Some(t) = transport_of(&tr) {
                io_transport::pause_reading(t);
                self.st.borrow_mut().paused = true;
            } else {
                match vm.call_method(&tr, "pause_reading", &[]) {
                    Ok(_) => self.st.borrow_mut().paused = true,
                    Err(e) if vm.exc_is(&e, "NotImplementedError") => {
                        let old =
                            std::mem::replace(&mut self.st.borrow_mut().transport, Value::None);
                        drop(old);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// `feed_eof()`.
    pub fn feed_eof(&self, vm: &mut Vm) -> PyResult<()> {
        self.st.borrow_mut().eof = true;
        self.wakeup_waiter(vm)
    }

    /// `set_exception(exc)`.
    pub fn set_exception(&self, vm: &mut Vm, exc: Value) -> PyResult<()> {
        let w = {
            let mut s = self.st.borrow_mut();
            s.exception = exc.clone();
            std::mem::replace(&mut s.waiter, Value::None)
        };
        if let Value::Obj(wo) = &w {
            if let Some(f) = fut_of(&w) {
                if f.state.get() != FutState::Cancelled && !f.done() {
                    future::set_exception(vm, wo, exc)?;
                }
            } else if !{
                let c = vm.call_method(&w, "cancelled", &[])?;
                vm.truthy(&c)?
            } {
                vm.call_method(&w, "set_exception", &[exc])?;
            }
        }
        Ok(())
    }

    fn resume_transport(&self, vm: &mut Vm) -> PyResult<()> {
        let tr = self.st.borrow().transport.clone();
        if let Some(t) = transport_of(&tr) {
            return io_transport::resume_reading(vm, &tr, t);
        }
        if !tr.is_none() {
            vm.call_method(&tr, "resume_reading", &[])?;
        }
        Ok(())
    }

    fn maybe_resume_transport(&self, vm: &mut Vm) -> PyResult<()> {
        let resume = {
            let mut s = self.st.borrow_mut();
            let r = s.paused && s.len() <= s.limit;
            if r {
                s.paused = false;
            }
            r
        };
        if resume {
            self.resume_transport(vm)?;
        }
        Ok(())
    }

    /// `_wait_for_data(func_name)`: the future to wait on.
    fn wait_for_data(&self, vm: &mut Vm, func: &str) -> PyResult<Value> {
        if pending_future(&self.st.borrow().waiter) {
            return Err(vm.runtime_error(format!(
                "{func}() called while another coroutine is already waiting for incoming data"
            )));
        }
        if self.st.borrow().eof {
            return Err(vm.new_exc_msg("AssertionError", "_wait_for_data after EOF".into()));
        }
        let resume = {
            let mut s = self.st.borrow_mut();
            std::mem::replace(&mut s.paused, false)
        };
        if resume {
            self.resume_transport(vm)?;
        }
        let lp = self.st.borrow().loop_.clone();
        let f = Value::Obj(future::new_future(vm, lp));
        self.st.borrow_mut().waiter = f.clone();
        Ok(f)
    }

    fn take(&self, n: usize) -> Vec<u8> {
        self.st.borrow_mut().take(n)
    }
}

/// A new `StreamReader`.
pub fn new_reader(vm: &mut Vm, limit: usize, lp: Value) -> Value {
    let cls = types(vm).reader.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(StreamReaderObj {
            st: RefCell::new(ReaderState {
                buf: Vec::new(),
                head: 0,
                eof: false,
                waiter: Value::None,
                exception: Value::None,
                transport: Value::None,
                paused: false,
                limit,
                loop_: lp,
            }),
        })),
    ))
}

fn limit_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<usize> {
    let limit = match v {
        None => DEFAULT_LIMIT as i64,
        Some(v) => vm.index_value(&v)?,
    };
    if limit <= 0 {
        return Err(vm.value_error("Limit cannot be <= 0".into()));
    }
    Ok(limit as usize)
}

fn loop_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<Value> {
    match v {
        Some(l) if !l.is_none() => Ok(l),
        _ => super::get_event_loop(vm),
    }
}

fn reader_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1.min(args.pos.len())..],
        ..args
    };
    let [limit, lp] = rest.bind(vm, "StreamReader", ["limit", "loop"], 0)?;
    let limit = limit_arg(vm, limit)?;
    let lp = loop_arg(vm, lp)?;
    Ok(new_reader(vm, limit, lp))
}

fn this_reader<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<(&'a Value, &'a StreamReaderObj)> {
    match args.pos.first() {
        Some(v) => match reader_of(v) {
            Some(r) => Ok((v, r)),
            None => Err(vm.type_error("descriptor requires a 'StreamReader' object".into())),
        },
        None => Err(vm.type_error("descriptor requires a 'StreamReader' object".into())),
    }
}

fn r_exception(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    Ok(r.exception())
}

fn r_set_exception(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    args.method_range(vm, "set_exception", 1, 1)?;
    r.set_exception(vm, args.pos[1].clone())?;
    Ok(Value::None)
}

fn r_set_transport(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    args.method_range(vm, "set_transport", 1, 1)?;
    set_reader_transport(vm, r, args.pos[1].clone())?;
    Ok(Value::None)
}

fn set_reader_transport(vm: &mut Vm, r: &StreamReaderObj, t: Value) -> PyResult<()> {
    if !r.st.borrow().transport.is_none() {
        return Err(vm.new_exc_msg("AssertionError", "Transport already set".into()));
    }
    r.st.borrow_mut().transport = t;
    Ok(())
}

fn r_feed_eof(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    r.feed_eof(vm)?;
    Ok(Value::None)
}

fn r_at_eof(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    let s = r.st.borrow();
    Ok(Value::from_bool(s.eof && s.len() == 0))
}

fn r_feed_data(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    args.method_range(vm, "feed_data", 1, 1)?;
    let data = match crate::types::bytes::bytes_of(&args.pos[1]) {
        Some(b) => b,
        None => {
            let t = vm.type_name(&args.pos[1]);
            return Err(vm.type_error(format!("can't concat {t} to bytearray")));
        }
    };
    r.feed(vm, &data)?;
    Ok(Value::None)
}

fn new_op(vm: &mut Vm, qualname: &'static str, st: OpState) -> Value {
    let cls = types(vm).op.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(StreamOp {
            qualname,
            state: RefCell::new(st),
        })),
    ))
}

fn r_read(vm: &mut Vm, args: Args) -> PyResult {
    let (rv, _) = this_reader(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [n] = rest.bind(vm, "read", ["n"], 0)?;
    let n = match n {
        None => -1,
        Some(v) => vm.index_value(&v)?,
    };
    let st = if n < 0 {
        OpState::ReadAll {
            r: rv.clone(),
            acc: Vec::new(),
            waiting: false,
        }
    } else {
        OpState::Read {
            r: rv.clone(),
            n: n as usize,
            waiting: false,
        }
    };
    Ok(new_op(vm, "StreamReader.read", st))
}

fn r_readexactly(vm: &mut Vm, args: Args) -> PyResult {
    let (rv, _) = this_reader(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [n] = rest.bind(vm, "readexactly", ["n"], 1)?;
    let n = vm.index_value(&n.expect("required"))?;
    Ok(new_op(
        vm,
        "StreamReader.readexactly",
        OpState::Exactly {
            r: rv.clone(),
            n,
            started: false,
        },
    ))
}

fn until_op(vm: &mut Vm, rv: &Value, sep: Vec<u8>, mode: LineMode) -> Value {
    let q = match mode {
        LineMode::Until => "StreamReader.readuntil",
        LineMode::Line => "StreamReader.readline",
        LineMode::Anext => "StreamReader.__anext__",
    };
    new_op(
        vm,
        q,
        OpState::Until {
            r: rv.clone(),
            sep,
            offset: 0,
            started: false,
            mode,
        },
    )
}

fn r_readline(vm: &mut Vm, args: Args) -> PyResult {
    let (rv, _) = this_reader(vm, &args)?;
    args.method_range(vm, "readline", 0, 0)?;
    Ok(until_op(vm, rv, b"\n".to_vec(), LineMode::Line))
}

fn r_readuntil(vm: &mut Vm, args: Args) -> PyResult {
    let (rv, _) = this_reader(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [sep] = rest.bind(vm, "readuntil", ["separator"], 0)?;
    let sep = match sep {
        None => b"\n".to_vec(),
        Some(v) => match crate::types::bytes::bytes_of(&v) {
            Some(b) => b,
            None => {
                let t = vm.type_name(&v);
                return Err(vm.type_error(format!("object of type '{t}' has no len()")));
            }
        },
    };
    Ok(until_op(vm, rv, sep, LineMode::Until))
}

fn r_aiter(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

fn r_anext(vm: &mut Vm, args: Args) -> PyResult {
    let (rv, _) = this_reader(vm, &args)?;
    Ok(until_op(vm, rv, b"\n".to_vec(), LineMode::Anext))
}

fn r_repr(vm: &mut Vm, args: Args) -> PyResult {
    let (_, r) = this_reader(vm, &args)?;
    let (n, eof, limit, waiter, exc, tr, paused) = {
        let s = r.st.borrow();
        (
            s.len(),
            s.eof,
            s.limit,
            s.waiter.clone(),
            s.exception.clone(),
            s.transport.clone(),
            s.paused,
        )
    };
    let mut info = vec!["StreamReader".to_string()];
    if n > 0 {
        info.push(format!("{n} bytes"));
    }
    if eof {
        info.push("eof".into());
    }
    if limit != DEFAULT_LIMIT {
        info.push(format!("limit={limit}"));
    }
    if !waiter.is_none() {
        info.push(format!("waiter={}", vm.repr_or_default(&waiter)));
    }
    if !exc.is_none() {
        info.push(format!("exception={}", vm.repr_or_default(&exc)));
    }
    if !tr.is_none() {
        info.push(format!("transport={}", vm.repr_or_default(&tr)));
    }
    if paused {
        info.push("paused".into());
    }
    Ok(vm.new_str(format!("<{}>", info.join(" "))))
}

fn r_get_limit(vm: &mut Vm, v: &Value) -> PyResult {
    let _ = vm;
    Ok(Value::Int(
        reader_of(v)
            .map(|r| r.st.borrow().limit as i64)
            .unwrap_or(0),
    ))
}

fn r_get_buffer(vm: &mut Vm, v: &Value) -> PyResult {
    let b = reader_of(v)
        .map(|r| r.st.borrow().data().to_vec())
        .unwrap_or_default();
    Ok(Value::Obj(vm.alloc(ObjKind::ByteArray(RefCell::new(b)))))
}

fn r_get_eof(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        reader_of(v).is_some_and(|r| r.st.borrow().eof),
    ))
}

fn r_get_transport(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(reader_of(v)
        .map(|r| r.st.borrow().transport.clone())
        .unwrap_or(Value::None))
}

// ----- the awaitable ----------------------------------------------------------------------------

/// How `readuntil` reports a missing separator.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LineMode {
    /// `readuntil`: raise IncompleteReadError / LimitOverrunError.
    Until,
    /// `readline`: return the partial line; turn an overrun into ValueError.
    Line,
    /// `__anext__`: like readline, and an empty line ends the iteration.
    Anext,
}

/// Where a native stream awaitable is.
pub enum OpState {
    /// `read(n)`, n >= 0; `waiting` once it yielded the waiter.
    Read { r: Value, n: usize, waiting: bool },
    /// `read()`: blocks of `limit` bytes until EOF.
    ReadAll {
        r: Value,
        acc: Vec<u8>,
        waiting: bool,
    },
    /// `readexactly(n)`.
    Exactly { r: Value, n: i64, started: bool },
    /// `readuntil(sep)` / `readline()` / `__anext__()`, with the scan offset.
    Until {
        r: Value,
        sep: Vec<u8>,
        offset: usize,
        started: bool,
        mode: LineMode,
    },
    /// `drain()`: `stage` 0 = not started, 1 = resumed after the closing-transport yield.
    Drain { w: Value, stage: u8 },
    /// `drain()` waiting on a flow-control waiter.
    DrainWait { w: Value, fut: Value },
    /// Awaiting one future (`wait_closed()`).
    Await { fut: Value, started: bool },
    /// Finished: sending again is an error.
    Done,
}

/// A native awaitable returned by a stream coroutine method.
pub struct StreamOp {
    pub qualname: &'static str,
    pub state: RefCell<OpState>,
}

impl ExtObject for StreamOp {
    fn type_name(&self) -> &str {
        "coroutine"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            match &*s {
                OpState::Read { r, .. }
                | OpState::ReadAll { r, .. }
                | OpState::Exactly { r, .. }
                | OpState::Until { r, .. } => f(r),
                OpState::Drain { w, .. } => f(w),
                OpState::DrainWait { w, fut } => {
                    f(w);
                    f(fut)
                }
                OpState::Await { fut, .. } => f(fut),
                OpState::Done => {}
            }
        }
    }
    fn clear(&self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let old = std::mem::replace(&mut *s, OpState::Done);
            drop(s);
            drop(old);
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The op payload of a value.
pub fn op_of(v: &Value) -> Option<&StreamOp> {
    super::native_coro::op_of::<StreamOp>(v)
}

/// True for the native stream awaitables (awaited directly by `Send`).
pub fn is_op(v: &Value) -> bool {
    op_of(v).is_some()
}

enum Step {
    Ready(Value),
    Yield(Value),
}

fn yield_future(f: Value) -> Step {
    if let Some(fo) = fut_of(&f) {
        fo.blocking.set(true);
    }
    Step::Yield(f)
}

/// `Send` on a stream awaitable.
pub fn op_send(vm: &mut Vm, sub: &Value, _value: Value) -> PyResult<ExtSend> {
    let Some(op) = op_of(sub) else {
        return crate::vm::gen::no_ext_send(vm, sub, _value);
    };
    let st = std::mem::replace(&mut *op.state.borrow_mut(), OpState::Done);
    if let OpState::Done = st {
        return Err(vm.runtime_error("cannot reuse already awaited coroutine".into()));
    }
    let mut st = st;
    let r = step(vm, &mut st);
    match r {
        Ok(Step::Yield(v)) => {
            *op.state.borrow_mut() = st;
            Ok(ExtSend::Yield(v))
        }
        Ok(Step::Ready(v)) => Ok(ExtSend::Return(v)),
        Err(e) => Err(e),
    }
}

fn bytes_value(vm: &mut Vm, b: Vec<u8>) -> Value {
    vm.new_bytes(b)
}

fn incomplete(vm: &mut Vm, partial: Vec<u8>, expected: Value) -> Exc {
    let p = vm.new_bytes(partial);
    exc_by_call(vm, "IncompleteReadError", vec![p, expected])
}

fn overrun(vm: &mut Vm, msg: &str, consumed: usize) -> Exc {
    let m = vm.new_str(msg);
    exc_by_call(
        vm,
        "LimitOverrunError",
        vec![m, Value::Int(consumed as i64)],
    )
}

fn exc_by_call(vm: &mut Vm, name: &str, args: Vec<Value>) -> Exc {
    if !vm.types.exceptions.contains_key(name) {
        if let Err(e) = vm.import_module("asyncio.exceptions") {
            return e;
        }
    }
    let cls = Value::Obj(vm.types.exc(name).clone());
    match vm.call(&cls, &args) {
        Ok(Value::Obj(o)) => Exc(o),
        Ok(_) => vm.type_error("exceptions must derive from BaseException".into()),
        Err(e) => e,
    }
}

fn raise_value(vm: &mut Vm, exc: Value) -> Exc {
    match vm.make_exception(exc) {
        Ok(e) => e,
        Err(e) => e,
    }
}

fn step(vm: &mut Vm, st: &mut OpState) -> PyResult<Step> {
    match st {
        OpState::Read { r, n, waiting } => {
            let rv = r.clone();
            let rd =
                reader_of(&rv).ok_or_else(|| vm.type_error("a StreamReader is required".into()))?;
            if !*waiting {
                let exc = rd.exception();
                if !exc.is_none() {
                    return Err(raise_value(vm, exc));
                }
                if *n == 0 {
                    return Ok(Step::Ready(bytes_value(vm, Vec::new())));
                }
                let (len, eof) = {
                    let s = rd.st.borrow();
                    (s.len(), s.eof)
                };
                if len == 0 && !eof {
                    let f = rd.wait_for_data(vm, "read")?;
                    *waiting = true;
                    return Ok(yield_future(f));
                }
            }
            let data = rd.take(*n);
            rd.maybe_resume_transport(vm)?;
            Ok(Step::Ready(bytes_value(vm, data)))
        }
        OpState::ReadAll { r, acc, waiting } => {
            let rv = r.clone();
            let rd =
                reader_of(&rv).ok_or_else(|| vm.type_error("a StreamReader is required".into()))?;
            loop {
                if !*waiting {
                    let exc = rd.exception();
                    if !exc.is_none() {
                        return Err(raise_value(vm, exc));
                    }
                    let (len, eof) = {
                        let s = rd.st.borrow();
                        (s.len(), s.eof)
                    };
                    if len == 0 && !eof {
                        let f = rd.wait_for_data(vm, "read")?;
                        *waiting = true;
                        return Ok(yield_future(f));
                    }
                }
                *waiting = false;
                let limit = rd.st.borrow().limit;
                let block = rd.take(limit);
                rd.maybe_resume_transport(vm)?;
                if block.is_empty() {
                    let all = std::mem::take(acc);
                    return Ok(Step::Ready(bytes_value(vm, all)));
                }
                acc.extend_from_slice(&block);
            }
        }
        OpState::Exactly { r, n, started } => {
            let rv = r.clone();
            let rd =
                reader_of(&rv).ok_or_else(|| vm.type_error("a StreamReader is required".into()))?;
            if !*started {
                if *n < 0 {
                    return Err(vm.value_error("readexactly size can not be less than zero".into()));
                }
                let exc = rd.exception();
                if !exc.is_none() {
                    return Err(raise_value(vm, exc));
                }
                if *n == 0 {
                    return Ok(Step::Ready(bytes_value(vm, Vec::new())));
                }
                *started = true;
            }
            let n = *n as usize;
            'ready: {
                let (len, eof) = {
                    let s = rd.st.borrow();
                    (s.len(), s.eof)
                };
                if len >= n {
                    break 'ready;
                }
                if eof {
                    let partial = {
                        let mut s = rd.st.borrow_mut();
                        let p = s.data().to_vec();
                        s.clear();
                        p
                    };
                    return Err(incomplete(vm, partial, Value::Int(n as i64)));
                }
                let f = rd.wait_for_data(vm, "readexactly")?;
                return Ok(yield_future(f));
            }
            let data = rd.take(n);
            rd.maybe_resume_transport(vm)?;
            Ok(Step::Ready(bytes_value(vm, data)))
        }
        OpState::Until {
            r,
            sep,
            offset,
            started,
            mode,
        } => {
            let rv = r.clone();
            let rd =
                reader_of(&rv).ok_or_else(|| vm.type_error("a StreamReader is required".into()))?;
            until_step(vm, rd, sep, offset, started, *mode)
        }
        OpState::Drain { w, stage } => {
            let wv = w.clone();
            let (step, next) = drain_step(vm, &wv, stage)?;
            if let Some(n) = next {
                *st = n;
            }
            Ok(step)
        }
        OpState::DrainWait { w, fut } => {
            if let Some(wr) = writer_of(w) {
                let p = wr.protocol.borrow().clone();
                if let Some(sp) = stream_protocol_of(&p) {
                    sp.flow.waiters.borrow_mut().retain(|x| !x.is(fut));
                }
            }
            Ok(Step::Ready(Value::None))
        }
        OpState::Await { fut, started } => {
            let fv = fut.clone();
            if !*started {
                if let Some(f) = fut_of(&fv) {
                    if !f.done() {
                        *started = true;
                        return Ok(yield_future(fv));
                    }
                }
            }
            match &fv {
                Value::Obj(fo) if fut_of(&fv).is_some() => future::result(vm, fo).map(Step::Ready),
                _ => vm.call_method(&fv, "result", &[]).map(Step::Ready),
            }
        }
        OpState::Done => Err(vm.runtime_error("cannot reuse already awaited coroutine".into())),
    }
}

fn until_step(
    vm: &mut Vm,
    rd: &StreamReaderObj,
    sep: &[u8],
    offset: &mut usize,
    started: &mut bool,
    mode: LineMode,
) -> PyResult<Step> {
    let seplen = sep.len();
    if !*started {
        if seplen == 0 {
            return Err(vm.value_error("Separator should be at least one-byte string".into()));
        }
        let exc = rd.exception();
        if !exc.is_none() {
            return Err(raise_value(vm, exc));
        }
        *offset = 0;
        *started = true;
    }
    let limit = rd.st.borrow().limit;
    let isep = 'found: {
        let (buflen, found, eof) = {
            let s = rd.st.borrow();
            let buflen = s.len();
            let found = if buflen >= *offset + seplen {
                s.find(sep, *offset)
            } else {
                None
            };
            (buflen, found, s.eof)
        };
        if buflen >= *offset + seplen {
            if let Some(i) = found {
                break 'found i;
            }
            *offset = buflen + 1 - seplen;
            if *offset > limit {
                return overrun_result(
                    vm,
                    rd,
                    sep,
                    "Separator is not found, and chunk exceed the limit",
                    *offset,
                    mode,
                );
            }
        }
        if eof {
            let chunk = {
                let mut s = rd.st.borrow_mut();
                let c = s.data().to_vec();
                s.clear();
                c
            };
            return match mode {
                LineMode::Until => Err(incomplete(vm, chunk, Value::None)),
                LineMode::Line => Ok(Step::Ready(bytes_value(vm, chunk))),
                LineMode::Anext => {
                    if chunk.is_empty() {
                        Err(vm.new_exc("StopAsyncIteration", Vec::new()))
                    } else {
                        Ok(Step::Ready(bytes_value(vm, chunk)))
                    }
                }
            };
        }
        let f = rd.wait_for_data(vm, "readuntil")?;
        return Ok(yield_future(f));
    };
    if isep > limit {
        return overrun_result(
            vm,
            rd,
            sep,
            "Separator is found, but chunk is longer than limit",
            isep,
            mode,
        );
    }
    let chunk = rd.take(isep + seplen);
    rd.maybe_resume_transport(vm)?;
    Ok(Step::Ready(bytes_value(vm, chunk)))
}

fn overrun_result(
    vm: &mut Vm,
    rd: &StreamReaderObj,
    sep: &[u8],
    msg: &str,
    consumed: usize,
    mode: LineMode,
) -> PyResult<Step> {
    if mode == LineMode::Until {
        return Err(overrun(vm, msg, consumed));
    }
    {
        let mut s = rd.st.borrow_mut();
        let starts = s.data().len() >= consumed + sep.len()
            && &s.data()[consumed..consumed + sep.len()] == sep;
        if starts {
            s.take(consumed + sep.len());
        } else {
            s.clear();
        }
    }
    rd.maybe_resume_transport(vm)?;
    Err(vm.value_error(msg.to_string()))
}

fn drain_step(vm: &mut Vm, wv: &Value, stage: &mut u8) -> PyResult<(Step, Option<OpState>)> {
    let Some(w) = writer_of(wv) else {
        return Err(vm.type_error("a StreamWriter is required".into()));
    };
    if *stage == 0 {
        let rv = w.reader.borrow().clone();
        if let Some(r) = reader_of(&rv) {
            let exc = r.exception();
            if !exc.is_none() {
                return Err(raise_value(vm, exc));
            }
        } else if !rv.is_none() {
            let exc = vm.call_method(&rv, "exception", &[])?;
            if !exc.is_none() {
                return Err(raise_value(vm, exc));
            }
        }
        let tr = w.transport.borrow().clone();
        let closing = match transport_of(&tr) {
            Some(t) => t.closing.get(),
            None => {
                let v = vm.call_method(&tr, "is_closing", &[])?;
                vm.truthy(&v)?
            }
        };
        if closing {
            *stage = 1;
            return Ok((Step::Yield(Value::None), None));
        }
    }
    let p = w.protocol.borrow().clone();
    let Some(sp) = stream_protocol_of(&p) else {
        return Err(vm.type_error("drain() needs a StreamReaderProtocol".into()));
    };
    if sp.flow.connection_lost.get() {
        return Err(vm.new_exc_msg("ConnectionResetError", "Connection lost".into()));
    }
    if !sp.flow.paused.get() {
        return Ok((Step::Ready(Value::None), None));
    }
    let lp = w.loop_.borrow().clone();
    let f = Value::Obj(future::new_future(vm, lp));
    {
        let mut ws = sp.flow.waiters.borrow_mut();
        // Waiters of drains that were cancelled stay behind: drop the finished ones.
        ws.retain(|x| fut_of(x).is_some_and(|f| !f.done()));
        ws.push(f.clone());
    }
    let next = OpState::DrainWait {
        w: wv.clone(),
        fut: f.clone(),
    };
    Ok((yield_future(f), Some(next)))
}

impl NativeCoro for StreamOp {
    fn qualname(&self) -> &str {
        self.qualname
    }
    fn step(vm: &mut Vm, sub: &Value, value: Value) -> PyResult<ExtSend> {
        op_send(vm, sub, value)
    }
    fn finish(&self, _vm: &mut Vm, _sub: &Value) {
        let old = std::mem::replace(&mut *self.state.borrow_mut(), OpState::Done);
        drop(old);
    }
}

// ----- flow control and StreamReaderProtocol -----------------------------------------------------

/// `FlowControlMixin`'s state.
#[derive(Default)]
pub struct Flow {
    pub paused: Cell<bool>,
    pub connection_lost: Cell<bool>,
    pub waiters: RefCell<Vec<Value>>,
}

impl Flow {
    /// `pause_writing()`.
    pub fn pause_writing(&self) {
        self.paused.set(true);
    }

    /// `resume_writing()`: wakes every drain.
    pub fn resume_writing(&self, vm: &mut Vm) -> PyResult<()> {
        self.paused.set(false);
        let ws = self.waiters.borrow().clone();
        for w in ws {
            if let Value::Obj(wo) = &w {
                if fut_of(&w).is_some_and(|f| !f.done()) {
                    future::set_result(vm, wo, Value::None)?;
                }
            }
        }
        Ok(())
    }

    fn connection_lost(&self, vm: &mut Vm, exc: &Value) -> PyResult<()> {
        self.connection_lost.set(true);
        if !self.paused.get() {
            return Ok(());
        }
        let ws = self.waiters.borrow().clone();
        for w in ws {
            if let Value::Obj(wo) = &w {
                if fut_of(&w).is_some_and(|f| !f.done()) {
                    if exc.is_none() {
                        future::set_result(vm, wo, Value::None)?;
                    } else {
                        future::set_exception(vm, wo, exc.clone())?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The payload of a `StreamReaderProtocol`.
pub struct StreamProtocol {
    pub reader: RefCell<Value>,
    pub client_connected_cb: RefCell<Value>,
    pub stream_writer: RefCell<Value>,
    pub task: RefCell<Value>,
    pub transport: RefCell<Value>,
    pub closed: RefCell<Value>,
    pub loop_: RefCell<Value>,
    pub flow: Flow,
}

impl ExtObject for StreamProtocol {
    fn type_name(&self) -> &str {
        "StreamReaderProtocol"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for c in [
            &self.reader,
            &self.client_connected_cb,
            &self.stream_writer,
            &self.task,
            &self.transport,
            &self.closed,
            &self.loop_,
        ] {
            if let Ok(v) = c.try_borrow() {
                f(&v);
            }
        }
        if let Ok(ws) = self.flow.waiters.try_borrow() {
            ws.iter().for_each(f);
        }
    }
    fn clear(&self) {
        let mut sink = Vec::new();
        for c in [
            &self.reader,
            &self.client_connected_cb,
            &self.stream_writer,
            &self.task,
            &self.transport,
            &self.closed,
        ] {
            if let Ok(mut v) = c.try_borrow_mut() {
                sink.push(std::mem::replace(&mut *v, Value::None));
            }
        }
        if let Ok(mut ws) = self.flow.waiters.try_borrow_mut() {
            sink.extend(ws.drain(..));
        }
        drop(sink);
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The native stream protocol behind a value, if it is one.
pub fn stream_protocol_of(v: &Value) -> Option<&StreamProtocol> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<StreamProtocol>(),
        _ => None,
    }
}

impl StreamProtocol {
    /// `data_received(data)`.
    pub fn data_received(&self, vm: &mut Vm, data: &[u8]) -> PyResult<()> {
        let r = self.reader.borrow().clone();
        match reader_of(&r) {
            Some(rd) => rd.feed(vm, data),
            None if r.is_none() => Ok(()),
            None => {
                let b = vm.new_bytes(data.to_vec());
                vm.call_method(&r, "feed_data", &[b]).map(|_| ())
            }
        }
    }

    /// `eof_received()`: always keeps the transport open for writing.
    pub fn eof_received(&self, vm: &mut Vm) -> PyResult<bool> {
        let r = self.reader.borrow().clone();
        match reader_of(&r) {
            Some(rd) => rd.feed_eof(vm)?,
            None if r.is_none() => {}
            None => {
                vm.call_method(&r, "feed_eof", &[])?;
            }
        }
        Ok(true)
    }

    /// `connection_lost(exc)`.
    pub fn connection_lost(&self, vm: &mut Vm, exc: Value) -> PyResult<()> {
        let r = self.reader.borrow().clone();
        if let Some(rd) = reader_of(&r) {
            if exc.is_none() {
                rd.feed_eof(vm)?;
            } else {
                rd.set_exception(vm, exc.clone())?;
            }
        } else if !r.is_none() {
            if exc.is_none() {
                vm.call_method(&r, "feed_eof", &[])?;
            } else {
                vm.call_method(&r, "set_exception", std::slice::from_ref(&exc))?;
            }
        }
        let closed = self.closed.borrow().clone();
        if let (Value::Obj(co), Some(cf)) = (&closed, fut_of(&closed)) {
            if !cf.done() {
                if exc.is_none() {
                    future::set_result(vm, co, Value::None)?;
                } else {
                    future::set_exception(vm, co, exc.clone())?;
                    // CPython's `__del__` retrieves it so that it is never reported.
                    cf.log_traceback.set(false);
                }
            }
        }
        self.flow.connection_lost(vm, &exc)?;
        let old = [
            std::mem::replace(&mut *self.reader.borrow_mut(), Value::None),
            std::mem::replace(&mut *self.stream_writer.borrow_mut(), Value::None),
            std::mem::replace(&mut *self.task.borrow_mut(), Value::None),
            std::mem::replace(&mut *self.transport.borrow_mut(), Value::None),
        ];
        drop(old);
        Ok(())
    }

    fn connection_made(&self, vm: &mut Vm, pv: &Value, transport: Value) -> PyResult<()> {
        *self.transport.borrow_mut() = transport.clone();
        let r = self.reader.borrow().clone();
        if let Some(rd) = reader_of(&r) {
            set_reader_transport(vm, rd, transport.clone())?;
        } else if !r.is_none() {
            vm.call_method(&r, "set_transport", std::slice::from_ref(&transport))?;
        }
        let cb = self.client_connected_cb.borrow().clone();
        if cb.is_none() {
            return Ok(());
        }
        let lp = self.loop_.borrow().clone();
        let w = new_writer(vm, transport.clone(), pv.clone(), r.clone(), lp.clone());
        *self.stream_writer.borrow_mut() = w.clone();
        let res = vm.call(&cb, &[r, w])?;
        let is_coro = matches!(
            res.kind(),
            Some(ObjKind::Generator(g)) if g.kind == crate::vm::object::GenKind::Coroutine
        );
        if is_coro {
            let task = super::methods::create_task(vm, &lp, res, Value::None)?;
            let done = vm.new_native_with(
                "StreamReaderProtocol.connection_made.<locals>.callback",
                client_task_done,
                transport,
            );
            vm.call_method(&task, "add_done_callback", &[done])?;
            *self.task.borrow_mut() = task;
        }
        Ok(())
    }
}

fn client_task_done(vm: &mut Vm, args: Args) -> PyResult {
    let task = args.pos.first().cloned().unwrap_or(Value::None);
    let transport = args.data.clone();
    let exc = vm.call_method(&task, "exception", &[])?;
    if exc.is_none() {
        return Ok(Value::None);
    }
    let lp = match transport_of(&transport) {
        Some(t) => t.loop_.borrow().clone(),
        None => Value::None,
    };
    let lp = if lp.is_none() {
        super::get_event_loop(vm)?
    } else {
        lp
    };
    let ctx = vm.new_dict_obj();
    let m = vm.new_str("Unhandled exception in client_connected_cb");
    vm.dict_set_str(&ctx, "message", m);
    vm.dict_set_str(&ctx, "exception", exc);
    vm.dict_set_str(&ctx, "transport", transport.clone());
    super::call_exception_handler(vm, &lp, Value::Obj(ctx))?;
    vm.call_method(&transport, "close", &[])?;
    Ok(Value::None)
}

/// A new `StreamReaderProtocol`.
pub fn new_protocol(vm: &mut Vm, reader: Value, cb: Value, lp: Value) -> Value {
    let closed = Value::Obj(future::new_future(vm, lp.clone()));
    let cls = types(vm).protocol.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(StreamProtocol {
            reader: RefCell::new(reader),
            client_connected_cb: RefCell::new(cb),
            stream_writer: RefCell::new(Value::None),
            task: RefCell::new(Value::None),
            transport: RefCell::new(Value::None),
            closed: RefCell::new(closed),
            loop_: RefCell::new(lp),
            flow: Flow::default(),
        })),
    ))
}

fn protocol_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1.min(args.pos.len())..],
        ..args
    };
    let [reader, cb, lp] = rest.bind(
        vm,
        "StreamReaderProtocol",
        ["stream_reader", "client_connected_cb", "loop"],
        1,
    )?;
    let lp = loop_arg(vm, lp)?;
    Ok(new_protocol(
        vm,
        reader.unwrap_or(Value::None),
        cb.unwrap_or(Value::None),
        lp,
    ))
}

fn this_proto<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<(&'a Value, &'a StreamProtocol)> {
    match args.pos.first() {
        Some(v) => match stream_protocol_of(v) {
            Some(p) => Ok((v, p)),
            None => Err(vm.type_error("descriptor requires a 'StreamReaderProtocol'".into())),
        },
        None => Err(vm.type_error("descriptor requires a 'StreamReaderProtocol'".into())),
    }
}

fn p_connection_made(vm: &mut Vm, args: Args) -> PyResult {
    let (pv, p) = this_proto(vm, &args)?;
    args.method_range(vm, "connection_made", 1, 1)?;
    p.connection_made(vm, pv, args.pos[1].clone())?;
    Ok(Value::None)
}

fn p_connection_lost(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    args.method_range(vm, "connection_lost", 1, 1)?;
    p.connection_lost(vm, args.pos[1].clone())?;
    Ok(Value::None)
}

fn p_data_received(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    args.method_range(vm, "data_received", 1, 1)?;
    let data = crate::types::bytes::bytes_of(&args.pos[1]).unwrap_or_default();
    p.data_received(vm, &data)?;
    Ok(Value::None)
}

fn p_eof_received(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    Ok(Value::from_bool(p.eof_received(vm)?))
}

fn p_pause_writing(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    if p.flow.paused.get() {
        return Err(vm.new_exc("AssertionError", Vec::new()));
    }
    p.flow.pause_writing();
    Ok(Value::None)
}

fn p_resume_writing(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    if !p.flow.paused.get() {
        return Err(vm.new_exc("AssertionError", Vec::new()));
    }
    p.flow.resume_writing(vm)?;
    Ok(Value::None)
}

fn p_get_close_waiter(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    let c = p.closed.borrow().clone();
    Ok(c)
}

fn p_get_reader(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(stream_protocol_of(v)
        .map(|p| p.reader.borrow().clone())
        .unwrap_or(Value::None))
}

fn p_get_closed(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(stream_protocol_of(v)
        .map(|p| p.closed.borrow().clone())
        .unwrap_or(Value::None))
}

fn p_get_writer(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(stream_protocol_of(v)
        .map(|p| p.stream_writer.borrow().clone())
        .unwrap_or(Value::None))
}

fn p_get_paused(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        stream_protocol_of(v).is_some_and(|p| p.flow.paused.get()),
    ))
}

fn p_get_lost(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        stream_protocol_of(v).is_some_and(|p| p.flow.connection_lost.get()),
    ))
}

fn p_drain_helper(vm: &mut Vm, args: Args) -> PyResult {
    let (_, p) = this_proto(vm, &args)?;
    // A writer-less drain: the same checks on a throwaway writer.
    let lp = p.loop_.borrow().clone();
    let tr = p.transport.borrow().clone();
    let w = new_writer(vm, tr, args.pos[0].clone(), Value::None, lp);
    Ok(new_op(
        vm,
        "FlowControlMixin._drain_helper",
        OpState::Drain { w, stage: 2 },
    ))
}

// ----- StreamWriter ------------------------------------------------------------------------------

/// The payload of a `StreamWriter`.
pub struct StreamWriterObj {
    pub transport: RefCell<Value>,
    pub protocol: RefCell<Value>,
    pub reader: RefCell<Value>,
    pub loop_: RefCell<Value>,
}

impl ExtObject for StreamWriterObj {
    fn type_name(&self) -> &str {
        "StreamWriter"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for c in [&self.transport, &self.protocol, &self.reader, &self.loop_] {
            if let Ok(v) = c.try_borrow() {
                f(&v);
            }
        }
    }
    fn clear(&self) {
        let mut sink = Vec::new();
        for c in [&self.transport, &self.protocol, &self.reader] {
            if let Ok(mut v) = c.try_borrow_mut() {
                sink.push(std::mem::replace(&mut *v, Value::None));
            }
        }
        drop(sink);
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The writer payload of a value.
pub fn writer_of(v: &Value) -> Option<&StreamWriterObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<StreamWriterObj>(),
        _ => None,
    }
}

/// A new `StreamWriter`.
pub fn new_writer(
    vm: &mut Vm,
    transport: Value,
    protocol: Value,
    reader: Value,
    lp: Value,
) -> Value {
    let cls = types(vm).writer.clone();
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(StreamWriterObj {
            transport: RefCell::new(transport),
            protocol: RefCell::new(protocol),
            reader: RefCell::new(reader),
            loop_: RefCell::new(lp),
        })),
    ))
}

fn writer_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1.min(args.pos.len())..],
        ..args
    };
    let [transport, protocol, reader, lp] = rest.bind(
        vm,
        "StreamWriter",
        ["transport", "protocol", "reader", "loop"],
        4,
    )?;
    let reader = reader.unwrap_or(Value::None);
    if !reader.is_none() && reader_of(&reader).is_none() {
        return Err(vm.new_exc("AssertionError", Vec::new()));
    }
    Ok(new_writer(
        vm,
        transport.unwrap_or(Value::None),
        protocol.unwrap_or(Value::None),
        reader,
        lp.unwrap_or(Value::None),
    ))
}

fn this_writer<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<(&'a Value, &'a StreamWriterObj)> {
    match args.pos.first() {
        Some(v) => match writer_of(v) {
            Some(w) => Ok((v, w)),
            None => Err(vm.type_error("descriptor requires a 'StreamWriter' object".into())),
        },
        None => Err(vm.type_error("descriptor requires a 'StreamWriter' object".into())),
    }
}

fn w_write(vm: &mut Vm, args: Args) -> PyResult {
    let (_, w) = this_writer(vm, &args)?;
    args.method_range(vm, "write", 1, 1)?;
    let tr = w.transport.borrow().clone();
    if let Some(t) = transport_of(&tr) {
        let data = match &args.pos[1] {
            Value::Obj(o) => match o.payload() {
                ObjKind::Bytes(b) => {
                    io_transport::write(vm, &tr, t, b)?;
                    return Ok(Value::None);
                }
                ObjKind::ByteArray(b) => b.borrow().clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if data.is_empty() && crate::types::bytes::bytes_of(&args.pos[1]).is_none() {
            let t = vm.type_name(&args.pos[1]);
            return Err(vm.type_error(format!(
                "data argument must be a bytes-like object, not '{t}'"
            )));
        }
        io_transport::write(vm, &tr, t, &data)?;
        return Ok(Value::None);
    }
    vm.call_method(&tr, "write", &[args.pos[1].clone()])?;
    Ok(Value::None)
}

fn delegate(vm: &mut Vm, args: &Args, name: &str) -> PyResult {
    let (_, w) = this_writer(vm, args)?;
    let tr = w.transport.borrow().clone();
    vm.call_method(&tr, name, &args.pos[1..])
}

fn w_writelines(vm: &mut Vm, args: Args) -> PyResult {
    delegate(vm, &args, "writelines")?;
    Ok(Value::None)
}

fn w_write_eof(vm: &mut Vm, args: Args) -> PyResult {
    delegate(vm, &args, "write_eof")
}

fn w_can_write_eof(vm: &mut Vm, args: Args) -> PyResult {
    delegate(vm, &args, "can_write_eof")
}

fn w_close(vm: &mut Vm, args: Args) -> PyResult {
    let (_, w) = this_writer(vm, &args)?;
    let tr = w.transport.borrow().clone();
    if let Some(t) = transport_of(&tr) {
        io_transport::close(vm, t)?;
        return Ok(Value::None);
    }
    vm.call_method(&tr, "close", &[])
}

fn w_is_closing(vm: &mut Vm, args: Args) -> PyResult {
    let (_, w) = this_writer(vm, &args)?;
    let tr = w.transport.borrow().clone();
    if let Some(t) = transport_of(&tr) {
        return Ok(Value::from_bool(t.closing.get()));
    }
    vm.call_method(&tr, "is_closing", &[])
}

fn w_get_extra_info(vm: &mut Vm, args: Args) -> PyResult {
    delegate(vm, &args, "get_extra_info")
}

fn w_wait_closed(vm: &mut Vm, args: Args) -> PyResult {
    let (wv, w) = this_writer(vm, &args)?;
    let p = w.protocol.borrow().clone();
    let waiter = match stream_protocol_of(&p) {
        Some(sp) => sp.closed.borrow().clone(),
        None => vm.call_method(&p, "_get_close_waiter", std::slice::from_ref(wv))?,
    };
    if fut_of(&waiter).is_some() {
        return Ok(new_op(
            vm,
            "StreamWriter.wait_closed",
            OpState::Await {
                fut: waiter,
                started: false,
            },
        ));
    }
    Ok(waiter)
}

fn w_drain(vm: &mut Vm, args: Args) -> PyResult {
    let (wv, w) = this_writer(vm, &args)?;
    let p = w.protocol.borrow().clone();
    if stream_protocol_of(&p).is_some() {
        return Ok(new_op(
            vm,
            "StreamWriter.drain",
            OpState::Drain {
                w: wv.clone(),
                stage: 0,
            },
        ));
    }
    // A script-level protocol (subprocess pipes): the coroutine written in Aio.
    let m = vm.import_module("asyncio.streams")?;
    let f = vm.getattr_str(&Value::Obj(m), "_drain_generic")?;
    vm.call(&f, std::slice::from_ref(wv))
}

fn w_start_tls(vm: &mut Vm, _args: Args) -> PyResult {
    Err(vm.new_exc_msg(
        "NotImplementedError",
        "start_tls() is not supported: Aio has no TLS support".into(),
    ))
}

fn w_repr(vm: &mut Vm, args: Args) -> PyResult {
    let (_, w) = this_writer(vm, &args)?;
    let tr = w.transport.borrow().clone();
    let r = w.reader.borrow().clone();
    let mut s = format!("<StreamWriter transport={}", vm.repr_or_default(&tr));
    if !r.is_none() {
        s.push_str(&format!(" reader={}", vm.repr_or_default(&r)));
    }
    s.push('>');
    Ok(vm.new_str(s))
}

fn w_get_transport(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(writer_of(v)
        .map(|w| w.transport.borrow().clone())
        .unwrap_or(Value::None))
}

fn w_get_protocol(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(writer_of(v)
        .map(|w| w.protocol.borrow().clone())
        .unwrap_or(Value::None))
}

fn w_get_reader(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(writer_of(v)
        .map(|w| w.reader.borrow().clone())
        .unwrap_or(Value::None))
}

fn w_get_loop(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(writer_of(v)
        .map(|w| w.loop_.borrow().clone())
        .unwrap_or(Value::None))
}

// ----- types -----------------------------------------------------------------------------------

/// The stream types.
pub struct StreamTypes {
    pub reader: ObjRef,
    pub writer: ObjRef,
    pub protocol: ObjRef,
    pub op: ObjRef,
}

/// The stream types, created on first use.
pub fn types(vm: &mut Vm) -> &StreamTypes {
    if !vm.ext.contains_key("io.streams") {
        let t = create_types(vm);
        vm.ext.insert("io.streams", Box::new(t));
    }
    vm.ext
        .get("io.streams")
        .and_then(|b| b.downcast_ref::<StreamTypes>())
        .expect("just created")
}

fn create_types(vm: &mut Vm) -> StreamTypes {
    let object = vm.types.object.clone();
    let mk = |vm: &mut Vm, name: &str, module: &str| {
        let t = make_type(name, Some(&object), Layout::Opaque, true);
        let m = vm.new_str(module);
        *t.as_type().expect("type").module.borrow_mut() = m;
        t
    };
    let reader = mk(vm, "StreamReader", "asyncio.streams");
    let writer = mk(vm, "StreamWriter", "asyncio.streams");
    let protocol = mk(vm, "StreamReaderProtocol", "asyncio.streams");
    let op = mk(vm, "coroutine", "builtins");
    vm.add_staticmethod(&reader, "__new__", reader_new);
    let rm: &[(&str, crate::vm::object::NativeFn)] = &[
        ("exception", r_exception),
        ("set_exception", r_set_exception),
        ("set_transport", r_set_transport),
        ("feed_eof", r_feed_eof),
        ("at_eof", r_at_eof),
        ("feed_data", r_feed_data),
        ("read", r_read),
        ("readline", r_readline),
        ("readexactly", r_readexactly),
        ("readuntil", r_readuntil),
        ("__aiter__", r_aiter),
        ("__anext__", r_anext),
        ("__repr__", r_repr),
    ];
    vm.add_methods(&reader, rm);
    vm.add_getset(&reader, "_limit", r_get_limit, None);
    vm.add_getset(&reader, "_buffer", r_get_buffer, None);
    vm.add_getset(&reader, "_eof", r_get_eof, None);
    vm.add_getset(&reader, "_transport", r_get_transport, None);

    vm.add_staticmethod(&writer, "__new__", writer_new);
    let wm: &[(&str, crate::vm::object::NativeFn)] = &[
        ("write", w_write),
        ("writelines", w_writelines),
        ("write_eof", w_write_eof),
        ("can_write_eof", w_can_write_eof),
        ("close", w_close),
        ("is_closing", w_is_closing),
        ("wait_closed", w_wait_closed),
        ("get_extra_info", w_get_extra_info),
        ("drain", w_drain),
        ("start_tls", w_start_tls),
        ("__repr__", w_repr),
    ];
    vm.add_methods(&writer, wm);
    vm.add_getset(&writer, "transport", w_get_transport, None);
    vm.add_getset(&writer, "_transport", w_get_transport, None);
    vm.add_getset(&writer, "_protocol", w_get_protocol, None);
    vm.add_getset(&writer, "_reader", w_get_reader, None);
    vm.add_getset(&writer, "_loop", w_get_loop, None);

    vm.add_staticmethod(&protocol, "__new__", protocol_new);
    let pm: &[(&str, crate::vm::object::NativeFn)] = &[
        ("connection_made", p_connection_made),
        ("connection_lost", p_connection_lost),
        ("data_received", p_data_received),
        ("eof_received", p_eof_received),
        ("pause_writing", p_pause_writing),
        ("resume_writing", p_resume_writing),
        ("_get_close_waiter", p_get_close_waiter),
        ("_drain_helper", p_drain_helper),
    ];
    vm.add_methods(&protocol, pm);
    vm.add_getset(&protocol, "_stream_reader", p_get_reader, None);
    vm.add_getset(&protocol, "_stream_writer", p_get_writer, None);
    vm.add_getset(&protocol, "_closed", p_get_closed, None);
    vm.add_getset(&protocol, "_paused", p_get_paused, None);
    vm.add_getset(&protocol, "_connection_lost", p_get_lost, None);

    super::native_coro::add_coro_methods::<StreamOp>(vm, &op, false);
    StreamTypes {
        reader,
        writer,
        protocol,
        op,
    }
}
