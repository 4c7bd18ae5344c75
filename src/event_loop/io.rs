//! I/O readiness for the event loop: which file descriptors the loop's `mio::Poll` watches and
//! what runs when they become ready.
//!
//! This mirrors CPython's selector map: one entry per fd with an optional reader and writer
//! handle. Readiness appends the handle to the ready queue, as `_process_events` does, so I/O
//! callbacks run in the same iteration, after the callbacks that were already ready and
//! before timers that fell due during the wait. Native transports install native handles
//! created once per registration; `loop.add_reader` installs script handles.
//!
//! mio is edge-triggered while selectors are level-triggered. A script callback may leave data
//! unread, so an fd whose script handle ran is re-armed (`reregister`) before the next poll,
//! which makes epoll report it again if it is still ready. Native transports drain their fds
//! and ask for a re-arm only when they stop early.
//! Invariant: an fd is registered with the poll exactly while it has a reader or a writer.

use super::handle::{self, HandleCallback, HandleInner};
use super::{loop_state, LoopState};
use crate::vm::limits::Capability;
use crate::vm::object::Args;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use mio::unix::SourceFd;
use mio::{Interest, Token};
use std::os::fd::RawFd;
use std::rc::Rc;

/// The token of the loop's waker; fd tokens are `fd + 1`.
pub const WAKER_TOKEN: Token = Token(0);
/// The token of the signal self-pipe.
const SIGNAL_TOKEN: Token = Token(usize::MAX - 1);

/// What one fd is watched for.
#[derive(Default)]
struct Slot {
    reader: Option<Rc<HandleInner>>,
    writer: Option<Rc<HandleInner>>,
    /// The interest registered with the poll (None: not registered).
    interest: Option<Interest>,
    /// Set when a script handle ran for this fd: re-arm before the next poll.
    rearm: bool,
    /// The reader / writer is a native transport handle (it drains the fd itself).
    native: [bool; 2],
}

/// Per-loop I/O state.
#[derive(Default)]
pub struct IoState {
    /// Indexed by fd.
    slots: Vec<Option<Slot>>,
    /// Number of fds registered with the poll.
    registered: usize,
    /// Fds to re-arm before the next poll.
    rearm: Vec<RawFd>,
    /// Readiness collected from the last poll: (fd, readable, writable, peer closed).
    pending: Vec<(RawFd, bool, bool, bool)>,
    /// Values waiting for work done on other threads (executor futures, child-exit
    /// callbacks), by job id.
    pub jobs: std::collections::HashMap<u64, Value>,
    pub next_job: u64,
    /// `add_signal_handler` handles by signal number.
    pub signal_handlers: std::collections::HashMap<i32, Rc<HandleInner>>,
    /// The signal self-pipe is registered with this loop's poll.
    signal_pipe: bool,
}

impl IoState {
    /// Calls `f` on every value the registered handles reference (for the cycle collector).
    pub fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for s in self.slots.iter().flatten() {
            for h in s.reader.iter().chain(s.writer.iter()) {
                h.trace(f);
            }
        }
        self.jobs.values().for_each(&mut *f);
        self.signal_handlers.values().for_each(|h| h.trace(f));
    }

    /// Drops every handle (breaking cycles when the loop is garbage).
    pub fn clear(&mut self) -> Vec<Rc<HandleInner>> {
        let mut out = Vec::new();
        for s in self.slots.iter_mut().flatten() {
            out.extend(s.reader.take());
            out.extend(s.writer.take());
        }
        out.extend(self.signal_handlers.drain().map(|(_, h)| h));
        self.jobs.clear();
        out
    }

    fn slot_mut(&mut self, fd: RawFd) -> &mut Slot {
        let i = fd as usize;
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i].get_or_insert_with(Slot::default)
    }

    fn slot(&self, fd: RawFd) -> Option<&Slot> {
        self.slots.get(fd as usize).and_then(|s| s.as_ref())
    }
}

fn token(fd: RawFd) -> Token {
    Token(fd as usize + 1)
}

/// Brings the poll registration of `fd` in line with its reader and writer.
fn sync_registration(s: &mut LoopState, fd: RawFd) -> std::io::Result<()> {
    let (want, have) = {
        let slot = s.io.slot_mut(fd);
        let want = match (slot.reader.is_some(), slot.writer.is_some()) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        };
        (want, slot.interest)
    };
    let Some(poll) = &s.poll else {
        return Err(std::io::Error::other("the event loop has no poller"));
    };
    let reg = poll.registry();
    let r = match (have, want) {
        (None, Some(i)) => reg.register(&mut SourceFd(&fd), token(fd), i),
        (Some(_), Some(i)) => reg.reregister(&mut SourceFd(&fd), token(fd), i),
        (Some(_), None) => reg.deregister(&mut SourceFd(&fd)),
        (None, None) => Ok(()),
    };
    match (&r, have, want) {
        (Ok(()), None, Some(_)) => s.io.registered += 1,
        (_, Some(_), None) => s.io.registered = s.io.registered.saturating_sub(1),
        _ => {}
    }
    let slot = s.io.slot_mut(fd);
    slot.interest = if r.is_ok() { want } else { have.and(want) };
    if want.is_none() {
        s.io.slots[fd as usize] = None;
    }
    r
}

/// Installs `h` as the reader (or writer) of `fd`, cancelling the one it replaces. Returns
/// the OS error when the fd cannot be watched (e.g. a regular file: EPERM).
pub fn set_handle(
    lp: &Value,
    fd: RawFd,
    write: bool,
    h: Rc<HandleInner>,
    native: bool,
) -> std::io::Result<()> {
    let st = loop_state(lp).expect("a loop");
    let mut s = st.borrow_mut();
    let slot = s.io.slot_mut(fd);
    slot.native[write as usize] = native;
    let old = if write {
        slot.writer.replace(h)
    } else {
        slot.reader.replace(h)
    };
    if let Some(old) = &old {
        old.cancelled.set(true);
    }
    let r = sync_registration(&mut s, fd);
    if r.is_err() {
        let slot = s.io.slot_mut(fd);
        if write {
            slot.writer = None;
        } else {
            slot.reader = None;
        }
        if slot.reader.is_none() && slot.writer.is_none() {
            s.io.slots[fd as usize] = None;
        }
    }
    drop(s);
    drop(old);
    r
}

/// Removes the reader (or writer) of `fd`; true when there was one.
pub fn remove_handle(lp: &Value, fd: RawFd, write: bool) -> bool {
    let Some(st) = loop_state(lp) else {
        return false;
    };
    let mut s = st.borrow_mut();
    if s.io.slot(fd).is_none() {
        return false;
    }
    let slot = s.io.slot_mut(fd);
    let old = if write {
        slot.writer.take()
    } else {
        slot.reader.take()
    };
    let _ = sync_registration(&mut s, fd);
    drop(s);
    match old {
        Some(h) => {
            h.cancelled.set(true);
            true
        }
        None => false,
    }
}

/// True when `fd` has a reader (or writer) installed.
pub fn has_handle(lp: &Value, fd: RawFd, write: bool) -> bool {
    loop_state(lp).is_some_and(|st| {
        st.borrow().io.slot(fd).is_some_and(|s| {
            if write {
                s.writer.is_some()
            } else {
                s.reader.is_some()
            }
        })
    })
}

/// Asks for `fd` to be re-armed before the next poll (a native reader stopped before the fd
/// reported would-block).
pub fn rearm(lp: &Value, fd: RawFd) {
    if let Some(st) = loop_state(lp) {
        st.borrow_mut().io.rearm.push(fd);
    }
}

/// Called before each poll: re-arms level-triggered fds. True when a socket or pipe is
/// registered (the poller must then be asked even with a zero timeout). The signal self-pipe
/// does not count: a signal also sets an atomic flag that every iteration checks, and the
/// pipe (like the waker) is polled whenever the loop waits, so a busy loop with only these
/// registered makes no system call per iteration.
pub fn before_poll(lp: &Value, signal_fd: impl FnOnce() -> Option<RawFd>) -> bool {
    let Some(st) = loop_state(lp) else {
        return false;
    };
    let mut s = st.borrow_mut();
    let s = &mut *s;
    if !s.io.signal_pipe {
        if let (Some(fd), Some(poll)) = (signal_fd(), &s.poll) {
            let r = poll
                .registry()
                .register(&mut SourceFd(&fd), SIGNAL_TOKEN, Interest::READABLE);
            s.io.signal_pipe = r.is_ok();
        }
    }
    if !s.io.rearm.is_empty() {
        let fds = std::mem::take(&mut s.io.rearm);
        if let Some(poll) = &s.poll {
            for fd in fds.iter().copied() {
                if let Some(slot) = s.io.slots.get_mut(fd as usize).and_then(|x| x.as_mut()) {
                    slot.rearm = false;
                    if let Some(i) = slot.interest {
                        let _ = poll.registry().reregister(&mut SourceFd(&fd), token(fd), i);
                    }
                }
            }
        }
        s.io.rearm = fds;
        s.io.rearm.clear();
    }
    s.io.registered > 0
}

/// Moves the readiness of the last poll into the ready queue (`_process_events`).
pub fn process_events(vm: &mut Vm, lp: &Value) -> PyResult<()> {
    if super::io_signal::pending(vm) {
        super::io_signal::run_pending(vm)?;
    }
    let Some(st) = loop_state(lp) else {
        return Ok(());
    };
    let mut s = st.borrow_mut();
    let s = &mut *s;
    let mut pending = std::mem::take(&mut s.io.pending);
    pending.clear();
    for ev in s.events.iter() {
        if ev.token() == WAKER_TOKEN || ev.token() == SIGNAL_TOKEN {
            continue;
        }
        let fd = (ev.token().0 - 1) as RawFd;
        let err = ev.is_error();
        let readable = ev.is_readable() || ev.is_read_closed() || err;
        let writable = ev.is_writable() || ev.is_write_closed() || err;
        pending.push((fd, readable, writable, ev.is_read_closed() || err));
    }
    s.events.clear();
    let mut dead = Vec::new();
    for &(fd, readable, writable, closed) in &pending {
        let Some(slot) = s.io.slots.get_mut(fd as usize).and_then(|x| x.as_mut()) else {
            continue;
        };
        let mut script_handle = false;
        for (i, (want, h)) in [(readable, &slot.reader), (writable, &slot.writer)]
            .into_iter()
            .enumerate()
        {
            let Some(h) = h else { continue };
            if !want {
                continue;
            }
            if h.cancelled.get() {
                dead.push(fd);
                continue;
            }
            // A native reader stops at a short read; when the peer's FIN came with the
            // data, the edge is already spent, so have EOF reported again.
            script_handle |= !slot.native[i] || (i == 0 && closed);
            s.ready.push_back(super::Ready::Handle(h.clone()));
        }
        if script_handle && !slot.rearm {
            slot.rearm = true;
            s.io.rearm.push(fd);
        }
    }
    s.io.pending = pending;
    for fd in dead {
        let slot = s.io.slot_mut(fd);
        let mut changed = false;
        if slot.reader.as_ref().is_some_and(|h| h.cancelled.get()) {
            slot.reader = None;
            changed = true;
        }
        if slot.writer.as_ref().is_some_and(|h| h.cancelled.get()) {
            slot.writer = None;
            changed = true;
        }
        if changed {
            let _ = sync_registration(s, fd);
        }
    }
    Ok(())
}

/// A handle that calls `func(*args)` on `lp`.
pub fn new_handle(lp: &Value, func: Value, args: Vec<Value>) -> Rc<HandleInner> {
    let h = Rc::new(HandleInner::new(HandleCallback::Py { func, args }, 0.0));
    *h.loop_.borrow_mut() = lp.clone();
    h
}

// ----- script-visible loop methods ---------------------------------------------------------

fn this(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if loop_state(v).is_some() => Ok(v.clone()),
        _ => Err(vm.type_error("descriptor requires an event loop".into())),
    }
}

/// The file descriptor of an int or an object with `fileno()` (`selectors._fileobj_to_fd`).
pub fn fileobj_to_fd(vm: &mut Vm, v: &Value) -> PyResult<RawFd> {
    let fd = match v {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ => match vm.getattr_opt(v, "fileno")? {
            Some(f) => {
                let r = vm.call(&f, &[])?;
                match r.as_i64() {
                    Some(i) => i,
                    None => {
                        let r = vm.repr_or_default(v);
                        return Err(vm.value_error(format!("Invalid file object: {r}")));
                    }
                }
            }
            None => {
                let r = vm.repr_or_default(v);
                return Err(vm.value_error(format!("Invalid file object: {r}")));
            }
        },
    };
    if fd < 0 || fd > i32::MAX as i64 {
        return Err(vm.value_error(format!("Invalid file descriptor: {fd}")));
    }
    Ok(fd as RawFd)
}

fn add_callback(vm: &mut Vm, args: Args, write: bool) -> PyResult {
    let lp = this(vm, &args)?;
    let name = if write { "add_writer" } else { "add_reader" };
    if args.pos.len() < 3 {
        let which = if args.pos.len() < 2 {
            "'fd' and 'callback'"
        } else {
            "'callback'"
        };
        let n = if args.pos.len() < 2 { 2 } else { 1 };
        return Err(vm.type_error(format!(
            "BaseSelectorEventLoop.{name}() missing {n} required positional argument{}: {which}",
            if n == 1 { "" } else { "s" }
        )));
    }
    super::check_closed(vm, &lp)?;
    let fd = fileobj_to_fd(vm, &args.pos[1])?;
    let func = args.pos[2].clone();
    let h = new_handle(&lp, func, args.pos[3..].to_vec());
    if let Err(e) = set_handle(&lp, fd, write, h.clone(), false) {
        return Err(super::io_socket::os_error(vm, &e));
    }
    Ok(handle::wrap(vm, h, false))
}

fn m_add_reader(vm: &mut Vm, args: Args) -> PyResult {
    add_callback(vm, args, false)
}

fn m_add_writer(vm: &mut Vm, args: Args) -> PyResult {
    add_callback(vm, args, true)
}

fn remove_callback(vm: &mut Vm, args: Args, write: bool) -> PyResult {
    let lp = this(vm, &args)?;
    let Some(f) = args.pos.get(1) else {
        let name = if write {
            "remove_writer"
        } else {
            "remove_reader"
        };
        return Err(vm.type_error(format!(
            "BaseSelectorEventLoop.{name}() missing 1 required positional argument: 'fd'"
        )));
    };
    let fd = fileobj_to_fd(vm, f)?;
    if loop_state(&lp).is_some_and(|s| s.borrow().closed) {
        return Ok(Value::FALSE);
    }
    Ok(Value::from_bool(remove_handle(&lp, fd, write)))
}

fn m_remove_reader(vm: &mut Vm, args: Args) -> PyResult {
    remove_callback(vm, args, false)
}

fn m_remove_writer(vm: &mut Vm, args: Args) -> PyResult {
    remove_callback(vm, args, true)
}

// ----- loop methods written in Aio ---------------------------------------------------------------

/// Calls `module.function(loop, *args, **kwargs)`; the native method's data names them.
fn delegate(vm: &mut Vm, args: Args) -> PyResult {
    let (module, func) = match args.data.kind() {
        Some(crate::vm::object::ObjKind::Tuple(t)) if t.len() == 2 => (t[0].clone(), t[1].clone()),
        _ => return Err(vm.type_error("bad delegate".into())),
    };
    let fname = func.as_str().unwrap_or("");
    if let Some((_, _, Some(cap))) = DELEGATED.iter().find(|d| d.0 == fname) {
        vm.require(*cap, &format!("loop.{fname}()"))?;
    }
    let m = vm.import_module(module.as_str().unwrap_or(""))?;
    let f = vm.getattr_str(&Value::Obj(m), fname)?;
    let kw: Vec<(String, Value)> = args
        .kwnames
        .iter()
        .zip(args.kwvalues)
        .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), v.clone()))
        .collect();
    let kw: Vec<(&str, Value)> = kw.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    vm.call_kw(&f, args.pos, &kw)
}

/// Loop methods written in Aio: name, module, and the capability a call needs (pipes need
/// none of their own: only a subprocess makes them).
const DELEGATED: &[(&str, &str, Option<Capability>)] = &[
    ("create_connection", SEL, NET),
    ("create_server", SEL, NET),
    ("create_unix_connection", SEL, NET),
    ("create_unix_server", SEL, NET),
    ("connect_accepted_socket", SEL, NET),
    ("sock_connect", SEL, NET),
    ("sock_recv", SEL, NET),
    ("sock_sendall", SEL, NET),
    ("sock_accept", SEL, NET),
    ("subprocess_exec", SUB, Some(Capability::Subprocess)),
    ("subprocess_shell", SUB, Some(Capability::Subprocess)),
    ("connect_read_pipe", SUB, None),
    ("connect_write_pipe", SUB, None),
];
const SEL: &str = "asyncio.selector_events";
const SUB: &str = "asyncio.subprocess";
const NET: Option<Capability> = Some(Capability::Network);

fn m_make_socket_transport(vm: &mut Vm, args: Args) -> PyResult {
    super::io_transport::f_make_socket_transport(vm, args)
}

/// Installs the I/O methods of the loop type.
pub fn init_loop_type(vm: &mut Vm, t: &crate::vm::value::ObjRef) {
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("add_reader", m_add_reader),
        ("add_writer", m_add_writer),
        ("remove_reader", m_remove_reader),
        ("remove_writer", m_remove_writer),
        ("_add_reader", m_add_reader),
        ("_add_writer", m_add_writer),
        ("_remove_reader", m_remove_reader),
        ("_remove_writer", m_remove_writer),
        ("_make_socket_transport", m_make_socket_transport),
    ];
    vm.add_methods(t, methods);
    for (name, module, _) in DELEGATED {
        let m = vm.new_str(*module);
        let f = vm.new_str(*name);
        let data = vm.new_tuple(vec![m, f]);
        let v = vm.new_native_with(name, delegate, data);
        vm.type_dict_set(t, name, v);
    }
    super::io_executor::init_loop_type(vm, t);
    super::io_signal::init_loop_type(vm, t);
}

/// Called when a loop closes: drops its signal handlers and I/O registrations.
pub fn close_loop(vm: &mut Vm, lp: &Value) {
    super::io_signal::close_loop(vm, lp);
    let old = loop_state(lp).map(|st| st.borrow_mut().io.clear());
    drop(old);
}

// ----- the _aio_io module ---------------------------------------------------------------------------

/// `_ipaddr_info(host, port, family, type, proto, flowinfo=0, scopeid=0)`: the getaddrinfo
/// row for a numeric host, or None when resolution is needed.
fn f_ipaddr_info(vm: &mut Vm, args: Args) -> PyResult {
    use super::io_socket::{
        AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM,
    };
    args.expect_range(vm, "_ipaddr_info", 5, 7)?;
    let a = args.pos;
    let host = &a[0];
    let proto = a[4].as_i64().unwrap_or(-1);
    if host.is_none() || ![0, IPPROTO_TCP, IPPROTO_UDP].contains(&proto) {
        return Ok(Value::None);
    }
    let stype = a[3].as_i64().unwrap_or(-1);
    let proto = match stype {
        SOCK_STREAM => IPPROTO_TCP,
        SOCK_DGRAM => IPPROTO_UDP,
        _ => return Ok(Value::None),
    };
    let port = match &a[1] {
        Value::None => 0,
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        v => {
            let s = match v.as_str() {
                Some(s) => s.to_string(),
                None => match crate::types::bytes::bytes_of(v) {
                    Some(b) => String::from_utf8_lossy(&b).into_owned(),
                    None => return Ok(Value::None),
                },
            };
            if s.is_empty() {
                0
            } else {
                match s.trim().parse::<i64>() {
                    Ok(p) => p,
                    Err(_) => return Ok(Value::None),
                }
            }
        }
    };
    let family = a[2].as_i64().unwrap_or(AF_UNSPEC);
    let host = match host.as_str() {
        Some(h) => h.to_string(),
        None => match crate::types::bytes::bytes_of(host) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => return Ok(Value::None),
        },
    };
    if host.contains('%') {
        return Ok(Value::None);
    }
    let afs: &[i64] = match family {
        AF_UNSPEC => &[AF_INET, AF_INET6],
        AF_INET => &[AF_INET],
        AF_INET6 => &[AF_INET6],
        _ => &[],
    };
    for &af in afs {
        let ok = match af {
            AF_INET => host.parse::<std::net::Ipv4Addr>().is_ok(),
            _ => host.parse::<std::net::Ipv6Addr>().is_ok(),
        };
        if !ok {
            continue;
        }
        let h = vm.new_str(host.clone());
        let sa = if af == AF_INET6 {
            let flow = a.get(5).cloned().unwrap_or(Value::Int(0));
            let scope = a.get(6).cloned().unwrap_or(Value::Int(0));
            vm.new_tuple(vec![h, Value::Int(port), flow, scope])
        } else {
            vm.new_tuple(vec![h, Value::Int(port)])
        };
        let e = vm.empty_str.clone();
        return Ok(vm.new_tuple(vec![
            Value::Int(af),
            Value::Int(stype),
            Value::Int(proto),
            e,
            sa,
        ]));
    }
    Ok(Value::None)
}

fn f_transport_socket(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "TransportSocket", 1, 1)?;
    Ok(super::io_socket::transport_socket(vm, args.pos[0].clone()))
}

/// `_unlink_stale_socket(path)`: removes a leftover UNIX socket file before binding.
fn f_unlink_stale_socket(vm: &mut Vm, args: Args) -> PyResult {
    use std::os::unix::fs::FileTypeExt;
    args.expect_range(vm, "_unlink_stale_socket", 1, 1)?;
    vm.require(Capability::Network, "create_unix_server()")?;
    if let Some(p) = args.pos[0].as_str() {
        if let Ok(md) = std::fs::metadata(p) {
            if md.file_type().is_socket() {
                let _ = std::fs::remove_file(p);
            }
        }
    }
    Ok(Value::None)
}

fn f_time(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "time", 0, 0)?;
    vm.require(Capability::Clock, "time.time()")?;
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Ok(Value::from_f64(t))
}

fn f_monotonic(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "monotonic", 0, 0)?;
    Ok(Value::from_f64(super::monotonic()))
}

fn f_sleep(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "sleep", 1, 1)?;
    let secs = crate::types::float::to_float(vm, &args.pos[0])?;
    if secs < 0.0 {
        return Err(vm.value_error("sleep length must be non-negative".into()));
    }
    if !secs.is_finite() {
        return Err(vm.overflow_error("sleep length is too large".into()));
    }
    vm.flush_output();
    crate::modules::time::sleep_checked(vm, std::time::Duration::from_secs_f64(secs))?;
    Ok(Value::None)
}

/// Creates the native `_aio_io` module.
pub fn create_module(vm: &mut Vm) -> crate::vm::value::ObjRef {
    let st = super::io_streams::types(vm);
    let (reader, writer, protocol) = (st.reader.clone(), st.writer.clone(), st.protocol.clone());
    let m = vm.new_module("_aio_io");
    let crate::vm::object::ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    vm.dict_set_str(&d, "StreamReader", Value::Obj(reader));
    vm.dict_set_str(&d, "StreamWriter", Value::Obj(writer));
    vm.dict_set_str(&d, "StreamReaderProtocol", Value::Obj(protocol));
    let mut funcs: Vec<(&str, crate::vm::object::NativeFn)> = vec![
        ("_ipaddr_info", f_ipaddr_info),
        ("TransportSocket", f_transport_socket),
        ("_unlink_stale_socket", f_unlink_stale_socket),
        ("_time", f_time),
        ("_monotonic", f_monotonic),
        ("_sleep", f_sleep),
        (
            "_make_socket_transport",
            super::io_transport::f_make_socket_transport,
        ),
    ];
    funcs.extend_from_slice(super::io_executor::module_functions());
    funcs.extend_from_slice(super::io_process::module_functions());
    crate::modules::add_functions(vm, &d, &funcs);
    m
}
