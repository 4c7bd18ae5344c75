//! Native transports: `_SelectorSocketTransport` over a socket object and the read and write
//! pipe transports used by subprocesses.
//!
//! They follow CPython's `selector_events` and `unix_events` transports state for state
//! (`_closing`, `_conn_lost`, `_paused`, `_eof`, the write buffer with its high and low water
//! marks) and schedule the same callbacks through the ready queue, so protocols observe the
//! same order of `connection_made`, `data_received`, `eof_received` and `connection_lost`.
//! Each readiness event does one `recv` of up to 256 KiB, like CPython; when that fills the
//! buffer the fd is re-armed so the edge-triggered poller reports it again. A native
//! `StreamReaderProtocol` is fed directly from the read buffer; any other protocol gets a
//! `bytes` object. Invariant: the descriptor is deregistered before it is closed, and closed
//! exactly once, in `_call_connection_lost`.

use super::io;
use super::io_socket::{self, socket_of};
use super::io_streams;
use crate::vm::object::{Args, ExtObject, Layout, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::os::fd::RawFd;

/// Bytes read per readiness event (CPython's `max_size`).
const MAX_READ: usize = 256 * 1024;
/// After this many writes to a lost connection a warning is logged.
const LOG_THRESHOLD_FOR_CONNLOST_WRITES: u32 = 5;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What kind of transport this is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Socket,
    ReadPipe,
    WritePipe,
}

/// The descriptor a transport does I/O on.
pub enum Endpoint {
    /// A socket object (owning its descriptor).
    Sock(Value),
    /// A pipe end; None once closed.
    Pipe(RefCell<Option<std::fs::File>>),
}

/// A write buffer with a moving head, so consuming a prefix does not move the rest.
#[derive(Default)]
pub struct WriteBuf {
    data: Vec<u8>,
    head: usize,
}

impl WriteBuf {
    pub fn len(&self) -> usize {
        self.data.len() - self.head
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn bytes(&self) -> &[u8] {
        &self.data[self.head..]
    }
    fn extend(&mut self, b: &[u8]) {
        if self.head > 0 && self.head == self.data.len() {
            self.data.clear();
            self.head = 0;
        }
        self.data.extend_from_slice(b);
    }
    fn consume(&mut self, n: usize) {
        self.head += n;
        if self.head >= self.data.len() {
            self.data.clear();
            self.head = 0;
        } else if self.head > 64 * 1024 && self.head * 2 > self.data.len() {
            self.data.drain(..self.head);
            self.head = 0;
        }
    }
    fn clear(&mut self) {
        self.data = Vec::new();
        self.head = 0;
    }
}

/// The payload of a transport object.
pub struct Transport {
    pub kind: Kind,
    pub endpoint: Endpoint,
    pub fd: RawFd,
    pub loop_: RefCell<Value>,
    pub protocol: RefCell<Value>,
    pub extra: RefCell<Value>,
    pub server: RefCell<Value>,
    pub buffer: RefCell<WriteBuf>,
    pub conn_lost: Cell<u32>,
    pub closing: Cell<bool>,
    pub paused: Cell<bool>,
    pub eof: Cell<bool>,
    pub protocol_paused: Cell<bool>,
    pub high_water: Cell<usize>,
    pub low_water: Cell<usize>,
    /// Native functions bound to this transport: `_read_ready`, `_write_ready`,
    /// `_call_connection_lost` (cleared when the connection is lost, breaking the cycle).
    read_fn: RefCell<Value>,
    write_fn: RefCell<Value>,
    lost_fn: RefCell<Value>,
    /// The descriptor was closed.
    closed: Cell<bool>,
}

impl ExtObject for Transport {
    fn type_name(&self) -> &str {
        match self.kind {
            Kind::Socket => "_SelectorSocketTransport",
            Kind::ReadPipe => "_UnixReadPipeTransport",
            Kind::WritePipe => "_UnixWritePipeTransport",
        }
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Endpoint::Sock(v) = &self.endpoint {
            f(v);
        }
        for c in [
            &self.loop_,
            &self.protocol,
            &self.extra,
            &self.server,
            &self.read_fn,
            &self.write_fn,
            &self.lost_fn,
        ] {
            if let Ok(v) = c.try_borrow() {
                f(&v);
            }
        }
    }
    fn clear(&self) {
        let mut sink = Vec::new();
        for c in [
            &self.protocol,
            &self.extra,
            &self.server,
            &self.read_fn,
            &self.write_fn,
            &self.lost_fn,
        ] {
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

/// The transport payload of a value.
pub fn transport_of(v: &Value) -> Option<&Transport> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<Transport>(),
        _ => None,
    }
}

impl Transport {
    fn lp(&self) -> Value {
        self.loop_.borrow().clone()
    }

    fn read_some(&self, vm: &mut Vm, buf: &mut [u8]) -> std::io::Result<usize> {
        match &self.endpoint {
            Endpoint::Sock(s) => match socket_of(s).and_then(|s| {
                let b = s.sock.borrow();
                b.as_ref().map(|k| {
                    let mut r: &socket2::Socket = k;
                    r.read(buf)
                })
            }) {
                Some(r) => r,
                None => Err(std::io::Error::from_raw_os_error(9)),
            },
            Endpoint::Pipe(p) => match p.borrow().as_ref() {
                Some(mut f) => f.read(buf),
                None => {
                    let _ = vm;
                    Err(std::io::Error::from_raw_os_error(9))
                }
            },
        }
    }

    fn write_some(&self, buf: &[u8]) -> std::io::Result<usize> {
        match &self.endpoint {
            Endpoint::Sock(s) => match socket_of(s).and_then(|s| {
                let b = s.sock.borrow();
                b.as_ref().map(|k| k.send(buf))
            }) {
                Some(r) => r,
                None => Err(std::io::Error::from_raw_os_error(9)),
            },
            Endpoint::Pipe(p) => match p.borrow().as_ref() {
                Some(mut f) => f.write(buf),
                None => Err(std::io::Error::from_raw_os_error(9)),
            },
        }
    }

    fn close_endpoint(&self, vm: &mut Vm) {
        if self.closed.replace(true) {
            return;
        }
        match &self.endpoint {
            Endpoint::Sock(s) => {
                if let Some(so) = socket_of(s) {
                    let old = so.sock.borrow_mut().take();
                    drop(old);
                }
            }
            Endpoint::Pipe(p) => {
                let old = p.borrow_mut().take();
                drop(old);
            }
        }
        let _ = vm;
    }

    /// Readable and not paused or closing (`is_reading()`).
    pub fn is_reading(&self) -> bool {
        !self.closing.get() && !self.paused.get()
    }
}

// ----- readiness -----------------------------------------------------------------------------

fn add_reader(vm: &mut Vm, tv: &Value, t: &Transport) -> PyResult<()> {
    let lp = t.lp();
    if lp.is_none() {
        return Ok(());
    }
    let func = t.read_fn.borrow().clone();
    let h = io::new_handle(&lp, func, Vec::new());
    if let Err(e) = io::set_handle(&lp, t.fd, false, h, true) {
        return Err(io_socket::os_error(vm, &e));
    }
    let _ = tv;
    Ok(())
}

fn add_writer(vm: &mut Vm, t: &Transport) -> PyResult<()> {
    let lp = t.lp();
    if lp.is_none() {
        return Ok(());
    }
    let func = t.write_fn.borrow().clone();
    let h = io::new_handle(&lp, func, Vec::new());
    if let Err(e) = io::set_handle(&lp, t.fd, true, h, true) {
        return Err(io_socket::os_error(vm, &e));
    }
    Ok(())
}

fn remove_reader(t: &Transport) {
    let lp = t.lp();
    if !lp.is_none() {
        io::remove_handle(&lp, t.fd, false);
    }
}

fn remove_writer(t: &Transport) {
    let lp = t.lp();
    if !lp.is_none() {
        io::remove_handle(&lp, t.fd, true);
    }
}

fn is_fatal_control(vm: &Vm, e: &Exc) -> bool {
    vm.exc_is(e, "KeyboardInterrupt") || vm.exc_is(e, "SystemExit")
}

/// `_read_ready`: one read, then `data_received` / `eof_received`.
fn read_ready(vm: &mut Vm, args: Args) -> PyResult {
    let tv = args.data.clone();
    let Some(t) = transport_of(&tv) else {
        return Ok(Value::None);
    };
    if t.conn_lost.get() > 0 || t.closed.get() {
        return Ok(Value::None);
    }
    if t.kind == Kind::WritePipe {
        // The read end of a write pipe reports the peer closing it.
        let exc = if t.buffer.borrow().is_empty() {
            Value::None
        } else {
            Value::Obj(vm.new_exc("BrokenPipeError", Vec::new()).0)
        };
        pipe_close(vm, t, exc)?;
        return Ok(Value::None);
    }
    let mut buf = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    if buf.len() < MAX_READ {
        buf = vec![0u8; MAX_READ];
    }
    let r = t.read_some(vm, &mut buf);
    let out = match r {
        Ok(0) => on_eof(vm, &tv, t),
        Ok(n) => {
            if n == buf.len() {
                // The fd may hold more: have the poller report it again.
                let lp = t.lp();
                io::rearm(&lp, t.fd);
            }
            deliver(vm, &tv, t, &buf[..n])
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
            ) =>
        {
            Ok(())
        }
        Err(e) => {
            let exc = io_socket::os_error(vm, &e);
            let msg = if t.kind == Kind::Socket {
                "Fatal read error on socket transport"
            } else {
                "Fatal read error on pipe transport"
            };
            fatal_error(vm, &tv, t, exc, msg)
        }
    };
    SCRATCH.with(|s| *s.borrow_mut() = buf);
    out.map(|_| Value::None)
}

fn deliver(vm: &mut Vm, tv: &Value, t: &Transport, data: &[u8]) -> PyResult<()> {
    let proto = t.protocol.borrow().clone();
    if let Some(p) = io_streams::stream_protocol_of(&proto) {
        return p.data_received(vm, data);
    }
    let b = vm.new_bytes(data.to_vec());
    match vm.call_method(&proto, "data_received", &[b]) {
        Ok(_) => Ok(()),
        Err(e) if is_fatal_control(vm, &e) => Err(e),
        Err(e) => fatal_error(
            vm,
            tv,
            t,
            e,
            "Fatal error: protocol.data_received() call failed.",
        ),
    }
}

fn on_eof(vm: &mut Vm, tv: &Value, t: &Transport) -> PyResult<()> {
    if t.kind == Kind::ReadPipe {
        t.closing.set(true);
        remove_reader(t);
        let lp = t.lp();
        let proto = t.protocol.borrow().clone();
        let f = vm.getattr_str(&proto, "eof_received")?;
        super::call_soon(vm, &lp, f, Vec::new())?;
        let lost = t.lost_fn.borrow().clone();
        super::call_soon(vm, &lp, lost, vec![Value::None])?;
        return Ok(());
    }
    let proto = t.protocol.borrow().clone();
    let keep_open = if let Some(p) = io_streams::stream_protocol_of(&proto) {
        p.eof_received(vm)?
    } else {
        match vm.call_method(&proto, "eof_received", &[]) {
            Ok(v) => vm.truthy(&v)?,
            Err(e) if is_fatal_control(vm, &e) => return Err(e),
            Err(e) => {
                return fatal_error(
                    vm,
                    tv,
                    t,
                    e,
                    "Fatal error: protocol.eof_received() call failed.",
                )
            }
        }
    };
    if keep_open {
        remove_reader(t);
    } else {
        close(vm, t)?;
    }
    Ok(())
}

/// `_write_ready`: flush as much of the buffer as the fd takes.
fn write_ready(vm: &mut Vm, args: Args) -> PyResult {
    let tv = args.data.clone();
    let Some(t) = transport_of(&tv) else {
        return Ok(Value::None);
    };
    if t.conn_lost.get() > 0 || t.closed.get() {
        return Ok(Value::None);
    }
    if t.buffer.borrow().is_empty() {
        remove_writer(t);
        return Ok(Value::None);
    }
    let r = {
        let b = t.buffer.borrow();
        t.write_some(b.bytes())
    };
    match r {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
            ) => {}
        Err(e) => {
            remove_writer(t);
            t.buffer.borrow_mut().clear();
            if t.kind == Kind::WritePipe {
                t.conn_lost.set(t.conn_lost.get() + 1);
            }
            let exc = io_socket::os_error(vm, &e);
            let msg = if t.kind == Kind::Socket {
                "Fatal write error on socket transport"
            } else {
                "Fatal write error on pipe transport"
            };
            fatal_error(vm, &tv, t, exc, msg)?;
        }
        Ok(n) => {
            t.buffer.borrow_mut().consume(n);
            maybe_resume_protocol(vm, &tv, t)?;
            if t.buffer.borrow().is_empty() {
                remove_writer(t);
                if t.closing.get() {
                    if t.kind == Kind::WritePipe {
                        remove_reader(t);
                    }
                    call_connection_lost(vm, &tv, t, Value::None)?;
                } else if t.eof.get() && t.kind == Kind::Socket {
                    shutdown_write(vm, t)?;
                }
            }
        }
    }
    Ok(Value::None)
}

fn shutdown_write(vm: &mut Vm, t: &Transport) -> PyResult<()> {
    if let Endpoint::Sock(s) = &t.endpoint {
        if let Some(so) = socket_of(s) {
            io_socket::with_sock(vm, so, |k| k.shutdown(std::net::Shutdown::Write))?;
        }
    }
    Ok(())
}

// ----- flow control ----------------------------------------------------------------------------

fn maybe_pause_protocol(vm: &mut Vm, tv: &Value, t: &Transport) -> PyResult<()> {
    if t.buffer.borrow().len() <= t.high_water.get() || t.protocol_paused.get() {
        return Ok(());
    }
    t.protocol_paused.set(true);
    let proto = t.protocol.borrow().clone();
    if let Some(p) = io_streams::stream_protocol_of(&proto) {
        p.flow.pause_writing();
        return Ok(());
    }
    flow_call(vm, tv, t, &proto, "pause_writing")
}

fn maybe_resume_protocol(vm: &mut Vm, tv: &Value, t: &Transport) -> PyResult<()> {
    if !t.protocol_paused.get() || t.buffer.borrow().len() > t.low_water.get() {
        return Ok(());
    }
    t.protocol_paused.set(false);
    let proto = t.protocol.borrow().clone();
    if let Some(p) = io_streams::stream_protocol_of(&proto) {
        return p.flow.resume_writing(vm);
    }
    flow_call(vm, tv, t, &proto, "resume_writing")
}

fn flow_call(vm: &mut Vm, tv: &Value, t: &Transport, proto: &Value, name: &str) -> PyResult<()> {
    match vm.call_method(proto, name, &[]) {
        Ok(_) => Ok(()),
        Err(e) if is_fatal_control(vm, &e) => Err(e),
        Err(e) => {
            let lp = t.lp();
            let ctx = vm.new_dict_obj();
            let m = vm.new_str(format!("protocol.{name}() failed"));
            vm.dict_set_str(&ctx, "message", m);
            vm.dict_set_str(&ctx, "exception", Value::Obj(e.0));
            vm.dict_set_str(&ctx, "transport", tv.clone());
            vm.dict_set_str(&ctx, "protocol", proto.clone());
            super::call_exception_handler(vm, &lp, Value::Obj(ctx))
        }
    }
}

// ----- closing ---------------------------------------------------------------------------------

fn fatal_error(vm: &mut Vm, tv: &Value, t: &Transport, exc: Exc, message: &str) -> PyResult<()> {
    let is_os = vm.exc_is(&exc, "OSError");
    let quiet = if t.kind == Kind::ReadPipe {
        is_os && vm.exc_args(&exc.0).first().and_then(|v| v.as_i64()) == Some(5)
    } else {
        is_os
    };
    if !quiet {
        let lp = t.lp();
        let ctx = vm.new_dict_obj();
        let m = vm.new_str(message);
        vm.dict_set_str(&ctx, "message", m);
        vm.dict_set_str(&ctx, "exception", Value::Obj(exc.0.clone()));
        vm.dict_set_str(&ctx, "transport", tv.clone());
        let p = t.protocol.borrow().clone();
        vm.dict_set_str(&ctx, "protocol", p);
        if !lp.is_none() {
            super::call_exception_handler(vm, &lp, Value::Obj(ctx))?;
        }
    }
    let e = Value::Obj(exc.0);
    match t.kind {
        Kind::Socket => force_close(vm, t, e),
        _ => pipe_close(vm, t, e),
    }
}

/// `_force_close(exc)`.
fn force_close(vm: &mut Vm, t: &Transport, exc: Value) -> PyResult<()> {
    if t.conn_lost.get() > 0 {
        return Ok(());
    }
    if !t.buffer.borrow().is_empty() {
        t.buffer.borrow_mut().clear();
        remove_writer(t);
    }
    if !t.closing.get() {
        t.closing.set(true);
        remove_reader(t);
    }
    t.conn_lost.set(t.conn_lost.get() + 1);
    schedule_connection_lost(vm, t, exc)
}

/// The pipe transports' `_close(exc)`.
fn pipe_close(vm: &mut Vm, t: &Transport, exc: Value) -> PyResult<()> {
    t.closing.set(true);
    if t.kind == Kind::WritePipe {
        if !t.buffer.borrow().is_empty() {
            remove_writer(t);
        }
        t.buffer.borrow_mut().clear();
    }
    remove_reader(t);
    schedule_connection_lost(vm, t, exc)
}

fn schedule_connection_lost(vm: &mut Vm, t: &Transport, exc: Value) -> PyResult<()> {
    let lp = t.lp();
    if lp.is_none() {
        return Ok(());
    }
    let f = t.lost_fn.borrow().clone();
    super::call_soon(vm, &lp, f, vec![exc])?;
    Ok(())
}

/// `transport.close()`.
pub fn close(vm: &mut Vm, t: &Transport) -> PyResult<()> {
    match t.kind {
        Kind::Socket => {
            if t.closing.get() {
                return Ok(());
            }
            t.closing.set(true);
            remove_reader(t);
            if t.buffer.borrow().is_empty() {
                t.conn_lost.set(t.conn_lost.get() + 1);
                remove_writer(t);
                schedule_connection_lost(vm, t, Value::None)?;
            }
            Ok(())
        }
        Kind::ReadPipe => {
            if !t.closing.get() {
                pipe_close(vm, t, Value::None)?;
            }
            Ok(())
        }
        Kind::WritePipe => {
            if !t.closed.get() && !t.closing.get() {
                write_eof(vm, t)?;
            }
            Ok(())
        }
    }
}

fn write_eof(vm: &mut Vm, t: &Transport) -> PyResult<()> {
    match t.kind {
        Kind::Socket => {
            if t.closing.get() || t.eof.get() {
                return Ok(());
            }
            t.eof.set(true);
            if t.buffer.borrow().is_empty() {
                shutdown_write(vm, t)?;
            }
            Ok(())
        }
        Kind::WritePipe => {
            if t.closing.get() {
                return Ok(());
            }
            t.closing.set(true);
            if t.buffer.borrow().is_empty() {
                remove_reader(t);
                schedule_connection_lost(vm, t, Value::None)?;
            }
            Ok(())
        }
        Kind::ReadPipe => Err(vm.new_exc_msg("NotImplementedError", String::new())),
    }
}

/// `_call_connection_lost(exc)`: tells the protocol, then closes the descriptor.
fn call_connection_lost(vm: &mut Vm, tv: &Value, t: &Transport, exc: Value) -> PyResult<()> {
    if t.closed.get() {
        return Ok(());
    }
    let proto = t.protocol.borrow().clone();
    let r = if let Some(p) = io_streams::stream_protocol_of(&proto) {
        p.connection_lost(vm, exc)
    } else if !proto.is_none() {
        vm.call_method(&proto, "connection_lost", &[exc])
            .map(|_| ())
    } else {
        Ok(())
    };
    // The `finally` part.
    t.close_endpoint(vm);
    let server = std::mem::replace(&mut *t.server.borrow_mut(), Value::None);
    let old = [
        std::mem::replace(&mut *t.protocol.borrow_mut(), Value::None),
        std::mem::replace(&mut *t.read_fn.borrow_mut(), Value::None),
        std::mem::replace(&mut *t.write_fn.borrow_mut(), Value::None),
        std::mem::replace(&mut *t.lost_fn.borrow_mut(), Value::None),
        std::mem::replace(&mut *t.loop_.borrow_mut(), Value::None),
    ];
    drop(old);
    let _ = tv;
    let r2 = if server.is_none() {
        Ok(())
    } else {
        vm.call_method(&server, "_detach", &[]).map(|_| ())
    };
    r.and(r2)
}

fn lost_cb(vm: &mut Vm, args: Args) -> PyResult {
    let tv = args.data.clone();
    let Some(t) = transport_of(&tv) else {
        return Ok(Value::None);
    };
    let exc = args.pos.first().cloned().unwrap_or(Value::None);
    call_connection_lost(vm, &tv, t, exc)?;
    Ok(Value::None)
}

fn add_reader_cb(vm: &mut Vm, args: Args) -> PyResult {
    let tv = args.data.clone();
    let Some(t) = transport_of(&tv) else {
        return Ok(Value::None);
    };
    if t.kind == Kind::WritePipe {
        if !t.closed.get() && !t.lp().is_none() {
            add_reader(vm, &tv, t)?;
        }
        return Ok(Value::None);
    }
    if t.is_reading() {
        add_reader(vm, &tv, t)?;
    }
    Ok(Value::None)
}

// ----- writing ---------------------------------------------------------------------------------

/// `transport.write(data)`.
pub fn write(vm: &mut Vm, tv: &Value, t: &Transport, data: &[u8]) -> PyResult<()> {
    if t.kind == Kind::Socket && t.eof.get() {
        return Err(vm.runtime_error("Cannot call write() after write_eof()".into()));
    }
    if t.kind == Kind::ReadPipe {
        return Err(vm.new_exc_msg("NotImplementedError", String::new()));
    }
    if data.is_empty() {
        return Ok(());
    }
    let lost = t.conn_lost.get() > 0 || (t.kind == Kind::WritePipe && t.closing.get());
    if lost {
        if t.conn_lost.get() >= LOG_THRESHOLD_FOR_CONNLOST_WRITES {
            let what = if t.kind == Kind::Socket {
                "socket.send() raised exception."
            } else {
                "pipe closed by peer or os.write(pipe, data) raised exception."
            };
            vm.write_stderr(&format!("{what}\n"));
        }
        t.conn_lost.set(t.conn_lost.get() + 1);
        return Ok(());
    }
    let mut rest = data;
    if t.buffer.borrow().is_empty() {
        match t.write_some(data) {
            Ok(n) => {
                rest = &data[n..];
                if rest.is_empty() {
                    return Ok(());
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) => {}
            Err(e) => {
                if t.kind == Kind::WritePipe {
                    t.conn_lost.set(t.conn_lost.get() + 1);
                }
                let exc = io_socket::os_error(vm, &e);
                let msg = if t.kind == Kind::Socket {
                    "Fatal write error on socket transport"
                } else {
                    "Fatal write error on pipe transport"
                };
                return fatal_error(vm, tv, t, exc, msg);
            }
        }
        add_writer(vm, t)?;
    }
    t.buffer.borrow_mut().extend(rest);
    maybe_pause_protocol(vm, tv, t)
}

fn bytes_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    match crate::types::bytes::bytes_of(v) {
        Some(b) => Ok(b),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!(
                "data argument must be a bytes-like object, not '{t}'"
            )))
        }
    }
}

// ----- script-visible methods --------------------------------------------------------------------

fn this<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<(&'a Value, &'a Transport)> {
    match args.pos.first() {
        Some(v) => match transport_of(v) {
            Some(t) => Ok((v, t)),
            None => Err(vm.type_error("descriptor requires a transport".into())),
        },
        None => Err(vm.type_error("descriptor requires a transport".into())),
    }
}

fn m_write(vm: &mut Vm, args: Args) -> PyResult {
    let (tv, t) = this(vm, &args)?;
    args.method_range(vm, "write", 1, 1)?;
    let data = bytes_arg(vm, &args.pos[1])?;
    write(vm, tv, t, &data)?;
    Ok(Value::None)
}

fn m_writelines(vm: &mut Vm, args: Args) -> PyResult {
    let (tv, t) = this(vm, &args)?;
    args.method_range(vm, "writelines", 1, 1)?;
    let items = vm.collect_iterable(&args.pos[1])?;
    let mut all = Vec::new();
    for i in &items {
        all.extend(bytes_arg(vm, i)?);
    }
    write(vm, tv, t, &all)?;
    Ok(Value::None)
}

fn m_write_eof(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    write_eof(vm, t)?;
    Ok(Value::None)
}

fn m_can_write_eof(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(Value::from_bool(t.kind != Kind::ReadPipe))
}

fn m_close(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    close(vm, t)?;
    Ok(Value::None)
}

fn m_abort(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    match t.kind {
        Kind::Socket => force_close(vm, t, Value::None)?,
        _ => pipe_close(vm, t, Value::None)?,
    }
    Ok(Value::None)
}

fn m_is_closing(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(Value::from_bool(t.closing.get()))
}

fn m_is_reading(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(Value::from_bool(t.is_reading()))
}

/// `pause_reading()`.
pub fn pause_reading(t: &Transport) {
    if !t.is_reading() || t.kind == Kind::WritePipe {
        return;
    }
    t.paused.set(true);
    remove_reader(t);
}

/// `resume_reading()`.
pub fn resume_reading(vm: &mut Vm, tv: &Value, t: &Transport) -> PyResult<()> {
    if t.closing.get() || !t.paused.get() {
        return Ok(());
    }
    t.paused.set(false);
    add_reader(vm, tv, t)
}

fn m_pause_reading(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    pause_reading(t);
    Ok(Value::None)
}

fn m_resume_reading(vm: &mut Vm, args: Args) -> PyResult {
    let (tv, t) = this(vm, &args)?;
    resume_reading(vm, tv, t)?;
    Ok(Value::None)
}

fn m_get_extra_info(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [name, default] = rest.bind(vm, "get_extra_info", ["name", "default"], 1)?;
    let name = name.expect("required");
    let default = default.unwrap_or(Value::None);
    let extra = t.extra.borrow().clone();
    if let Value::Obj(d) = &extra {
        if let Some(v) = vm.dict_get(d, &name)? {
            return Ok(v);
        }
    }
    Ok(default)
}

fn m_get_write_buffer_size(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(Value::Int(t.buffer.borrow().len() as i64))
}

fn m_get_write_buffer_limits(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(vm.new_tuple(vec![
        Value::Int(t.low_water.get() as i64),
        Value::Int(t.high_water.get() as i64),
    ]))
}

/// `_set_write_buffer_limits(high, low)` with CPython's defaults and check.
fn set_limits(vm: &mut Vm, t: &Transport, high: Option<i64>, low: Option<i64>) -> PyResult<()> {
    let high = match (high, low) {
        (Some(h), _) => h,
        (None, None) => 64 * 1024,
        (None, Some(l)) => 4 * l,
    };
    let low = low.unwrap_or(high / 4);
    if !(high >= low && low >= 0) {
        return Err(vm.value_error(format!("high ({high}) must be >= low ({low}) must be >= 0")));
    }
    t.high_water.set(high as usize);
    t.low_water.set(low as usize);
    Ok(())
}

fn m_set_write_buffer_limits(vm: &mut Vm, args: Args) -> PyResult {
    let (tv, t) = this(vm, &args)?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [high, low] = rest.bind(vm, "set_write_buffer_limits", ["high", "low"], 0)?;
    let high = vm.arg_opt_index(high.as_ref())?;
    let low = vm.arg_opt_index(low.as_ref())?;
    set_limits(vm, t, high, low)?;
    maybe_pause_protocol(vm, tv, t)?;
    Ok(Value::None)
}

fn m_get_protocol(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    let p = t.protocol.borrow().clone();
    Ok(p)
}

fn m_set_protocol(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    args.method_range(vm, "set_protocol", 1, 1)?;
    let old = std::mem::replace(&mut *t.protocol.borrow_mut(), args.pos[1].clone());
    drop(old);
    Ok(Value::None)
}

fn m_fileno_prop(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    Ok(Value::Int(t.fd as i64))
}

fn m_repr(vm: &mut Vm, args: Args) -> PyResult {
    let (_, t) = this(vm, &args)?;
    let name = t.type_name().to_string();
    let mut info = vec![name];
    if t.closed.get() {
        info.push("closed".into());
    } else if t.closing.get() {
        info.push("closing".into());
    }
    info.push(format!("fd={}", t.fd));
    let lp = t.lp();
    let open = !lp.is_none() && !t.closed.get();
    let reading = open && io::has_handle(&lp, t.fd, false);
    let writing = open && io::has_handle(&lp, t.fd, true);
    let bufsize = t.buffer.borrow().len();
    match t.kind {
        Kind::Socket => {
            if open {
                info.push(format!("read={}", if reading { "polling" } else { "idle" }));
                info.push(format!(
                    "write=<{}, bufsize={bufsize}>",
                    if writing { "polling" } else { "idle" }
                ));
            }
        }
        Kind::ReadPipe => info.push(
            if !open {
                "closed"
            } else if reading {
                "polling"
            } else {
                "idle"
            }
            .into(),
        ),
        Kind::WritePipe => {
            if open {
                info.push(if writing { "polling" } else { "idle" }.into());
                info.push(format!("bufsize={bufsize}"));
            } else {
                info.push("closed".into());
            }
        }
    }
    Ok(vm.new_str(format!("<{}>", info.join(" "))))
}

// ----- construction ------------------------------------------------------------------------------

/// The transport types.
pub struct TransportTypes {
    pub socket: ObjRef,
    pub read_pipe: ObjRef,
    pub write_pipe: ObjRef,
}

fn types(vm: &mut Vm) -> &TransportTypes {
    if !vm.ext.contains_key("io.transport") {
        let t = create_types(vm);
        vm.ext.insert("io.transport", Box::new(t));
    }
    vm.ext
        .get("io.transport")
        .and_then(|b| b.downcast_ref::<TransportTypes>())
        .expect("just created")
}

fn create_types(vm: &mut Vm) -> TransportTypes {
    let object = vm.types.object.clone();
    let mk = |vm: &mut Vm, name: &str, module: &str| {
        let t = make_type(name, Some(&object), Layout::Opaque, true);
        let m = vm.new_str(module);
        *t.as_type().expect("type").module.borrow_mut() = m;
        t
    };
    let socket = mk(vm, "_SelectorSocketTransport", "asyncio.selector_events");
    let read_pipe = mk(vm, "_UnixReadPipeTransport", "asyncio.unix_events");
    let write_pipe = mk(vm, "_UnixWritePipeTransport", "asyncio.unix_events");
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("write", m_write),
        ("writelines", m_writelines),
        ("write_eof", m_write_eof),
        ("can_write_eof", m_can_write_eof),
        ("close", m_close),
        ("abort", m_abort),
        ("is_closing", m_is_closing),
        ("is_reading", m_is_reading),
        ("pause_reading", m_pause_reading),
        ("resume_reading", m_resume_reading),
        ("get_extra_info", m_get_extra_info),
        ("get_write_buffer_size", m_get_write_buffer_size),
        ("get_write_buffer_limits", m_get_write_buffer_limits),
        ("set_write_buffer_limits", m_set_write_buffer_limits),
        ("get_protocol", m_get_protocol),
        ("set_protocol", m_set_protocol),
        ("_fileno", m_fileno_prop),
        ("__repr__", m_repr),
    ];
    for t in [&socket, &read_pipe, &write_pipe] {
        vm.add_methods(t, methods);
    }
    TransportTypes {
        socket,
        read_pipe,
        write_pipe,
    }
}

/// Builds a transport and schedules `connection_made`, the first read and the waiter, as
/// CPython's transport constructors do.
#[allow(clippy::too_many_arguments)]
pub fn make_transport(
    vm: &mut Vm,
    lp: &Value,
    kind: Kind,
    endpoint: Endpoint,
    fd: RawFd,
    protocol: Value,
    waiter: Value,
    extra: Value,
    server: Value,
) -> PyResult<Value> {
    let cls = match kind {
        Kind::Socket => types(vm).socket.clone(),
        Kind::ReadPipe => types(vm).read_pipe.clone(),
        Kind::WritePipe => types(vm).write_pipe.clone(),
    };
    let extra = if extra.is_none() {
        vm.new_dict()
    } else {
        extra
    };
    let t = Transport {
        kind,
        endpoint,
        fd,
        loop_: RefCell::new(lp.clone()),
        protocol: RefCell::new(protocol.clone()),
        extra: RefCell::new(extra),
        server: RefCell::new(server.clone()),
        buffer: RefCell::new(WriteBuf::default()),
        conn_lost: Cell::new(0),
        closing: Cell::new(false),
        paused: Cell::new(false),
        eof: Cell::new(false),
        protocol_paused: Cell::new(false),
        high_water: Cell::new(64 * 1024),
        low_water: Cell::new(16 * 1024),
        read_fn: RefCell::new(Value::None),
        write_fn: RefCell::new(Value::None),
        lost_fn: RefCell::new(Value::None),
        closed: Cell::new(false),
    };
    let tv = Value::Obj(vm.alloc_instance(cls, ObjKind::Ext(Box::new(t))));
    let t = transport_of(&tv).expect("just made");
    let tname = t.type_name().to_string();
    let rf = vm.new_native_with(&format!("{tname}._read_ready"), read_ready, tv.clone());
    let wf = vm.new_native_with(&format!("{tname}._write_ready"), write_ready, tv.clone());
    let lf = vm.new_native_with(
        &format!("{tname}._call_connection_lost"),
        lost_cb,
        tv.clone(),
    );
    *t.read_fn.borrow_mut() = rf;
    *t.write_fn.borrow_mut() = wf;
    *t.lost_fn.borrow_mut() = lf;
    if !server.is_none() {
        vm.call_method(&server, "_attach", &[])?;
    }
    let cm = vm.getattr_str(&protocol, "connection_made")?;
    super::call_soon(vm, lp, cm, vec![tv.clone()])?;
    let ar = vm.new_native_with(&format!("{tname}._add_reader"), add_reader_cb, tv.clone());
    super::call_soon(vm, lp, ar, Vec::new())?;
    if !waiter.is_none() {
        let f = vm.new_native("_set_result_unless_cancelled", set_result_unless_cancelled);
        super::call_soon(vm, lp, f, vec![waiter, Value::None])?;
    }
    Ok(tv)
}

/// `futures._set_result_unless_cancelled(fut, result)`.
pub fn set_result_unless_cancelled(vm: &mut Vm, args: Args) -> PyResult {
    let fv = args.pos.first().cloned().unwrap_or(Value::None);
    let r = args.pos.get(1).cloned().unwrap_or(Value::None);
    if let Value::Obj(fo) = &fv {
        if let Some(f) = super::future::fut_of(&fv) {
            if f.state.get() == super::future::FutState::Cancelled {
                return Ok(Value::None);
            }
            super::future::set_result(vm, fo, r)?;
            return Ok(Value::None);
        }
    }
    let c = vm.call_method(&fv, "cancelled", &[])?;
    if vm.truthy(&c)? {
        return Ok(Value::None);
    }
    vm.call_method(&fv, "set_result", &[r])?;
    Ok(Value::None)
}

/// `_make_socket_transport(loop, sock, protocol, waiter=None, extra=None, server=None)`.
pub fn f_make_socket_transport(vm: &mut Vm, args: Args) -> PyResult {
    let [lp, sock, protocol, waiter, extra, server] = args.bind(
        vm,
        "_make_socket_transport",
        ["loop", "sock", "protocol", "waiter", "extra", "server"],
        3,
    )?;
    let lp = lp.expect("required");
    let sock = sock.expect("required");
    let protocol = protocol.expect("required");
    let Some(so) = socket_of(&sock) else {
        return Err(vm.type_error("a socket object is required".into()));
    };
    let fd = so.fd();
    if fd < 0 {
        return Err(io_socket::os_error_errno(vm, 9, "Bad file descriptor"));
    }
    let extra_v = match extra {
        Some(Value::Obj(d)) if matches!(d.payload(), ObjKind::Dict(_)) => {
            let items = vm.dict_items(&d);
            let nd = vm.new_dict_obj();
            for (k, v) in items {
                vm.dict_set(&nd, k, v)?;
            }
            nd
        }
        _ => vm.new_dict_obj(),
    };
    let ts = io_socket::transport_socket(vm, sock.clone());
    vm.dict_set_str(&extra_v, "socket", ts);
    let sockname = {
        let b = so.sock.borrow();
        b.as_ref().and_then(|k| k.local_addr().ok())
    };
    let v = match sockname {
        Some(a) => io_socket::addr_to_value(vm, &a),
        None => Value::None,
    };
    vm.dict_set_str(&extra_v, "sockname", v);
    if vm.dict_get_str(&extra_v, "peername").is_none() {
        let peer = {
            let b = so.sock.borrow();
            b.as_ref().and_then(|k| k.peer_addr().ok())
        };
        let v = match peer {
            Some(a) => io_socket::addr_to_value(vm, &a),
            None => Value::None,
        };
        vm.dict_set_str(&extra_v, "peername", v);
    }
    if so.stype == io_socket::SOCK_STREAM
        && (so.family == io_socket::AF_INET || so.family == io_socket::AF_INET6)
    {
        let b = so.sock.borrow();
        if let Some(k) = b.as_ref() {
            let _ = k.set_tcp_nodelay(true);
            let _ = k.set_nonblocking(true);
        }
    }
    make_transport(
        vm,
        &lp,
        Kind::Socket,
        Endpoint::Sock(sock),
        fd,
        protocol,
        waiter.unwrap_or(Value::None),
        Value::Obj(extra_v),
        server.unwrap_or(Value::None),
    )
}

/// A pipe transport over a file descriptor (taking ownership of it).
pub fn make_pipe_transport(
    vm: &mut Vm,
    lp: &Value,
    file: std::fs::File,
    write_end: bool,
    protocol: Value,
    waiter: Value,
) -> PyResult<Value> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    let _ = nix::fcntl::fcntl(
        &file,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    );
    let kind = if write_end {
        Kind::WritePipe
    } else {
        Kind::ReadPipe
    };
    let extra = vm.new_dict_obj();
    vm.dict_set_str(&extra, "pipe", Value::Int(fd as i64));
    make_transport(
        vm,
        lp,
        kind,
        Endpoint::Pipe(RefCell::new(Some(file))),
        fd,
        protocol,
        waiter,
        Value::Obj(extra),
        Value::None,
    )
}
