//! Child processes for asyncio's subprocess support: spawning with pipes, signalling, and a
//! watcher thread per child that hands the exit status back to the loop.
//!
//! The Popen-like object owns the parent's pipe ends until `connect_read_pipe` /
//! `connect_write_pipe` move them into pipe transports. The watcher thread reaps the child
//! with `waitpid` and delivers the return code (negative for a signal, as in CPython) through
//! the loop's waker; the loop then calls `_process_exited` two callbacks later, as CPython's
//! `call_soon_threadsafe(call_soon, ...)` does. Invariant: a child is signalled only while its
//! return code is unknown (so a reaped pid is never signalled).

use super::io_socket;
use super::io_transport;
use super::{loop_state, Remote};
use crate::vm::object::{Args, ExtObject, Layout, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const PIPE: i64 = -1;
const STDOUT: i64 = -2;
const DEVNULL: i64 = -3;

/// One end of a pipe to a child, until a transport takes it.
pub struct PipeEndObj {
    pub file: RefCell<Option<std::fs::File>>,
}

impl ExtObject for PipeEndObj {
    fn type_name(&self) -> &str {
        "_PipeEnd"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A spawned child (`subprocess.Popen` as far as asyncio uses it).
pub struct PopenObj {
    pub pid: i32,
    /// Set by the watcher thread once the child is reaped.
    pub returncode: Arc<Mutex<Option<i64>>>,
    pub stdin: Value,
    pub stdout: Value,
    pub stderr: Value,
    pub args: Value,
}

impl ExtObject for PopenObj {
    fn type_name(&self) -> &str {
        "Popen"
    }
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        f(&self.stdin);
        f(&self.stdout);
        f(&self.stderr);
        f(&self.args);
    }
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

struct ProcessTypes {
    popen: ObjRef,
    pipe_end: ObjRef,
}

fn types(vm: &mut Vm) -> (ObjRef, ObjRef) {
    if !vm.ext.contains_key("io.process") {
        let object = vm.types.object.clone();
        let popen = make_type("Popen", Some(&object), Layout::Opaque, true);
        let pipe_end = make_type("_PipeEnd", Some(&object), Layout::Opaque, true);
        let m = vm.new_str("subprocess");
        *popen.as_type().expect("type").module.borrow_mut() = m.clone();
        *pipe_end.as_type().expect("type").module.borrow_mut() = m;
        for (n, f) in [
            ("poll", p_poll as crate::vm::object::NativeFn),
            ("kill", p_kill),
            ("terminate", p_terminate),
            ("send_signal", p_send_signal),
            ("__repr__", p_repr),
        ] {
            vm.add_method(&popen, n, f);
        }
        vm.add_getset(&popen, "pid", get_pid, None);
        vm.add_getset(&popen, "returncode", get_returncode, None);
        vm.add_getset(&popen, "stdin", get_stdin, None);
        vm.add_getset(&popen, "stdout", get_stdout, None);
        vm.add_getset(&popen, "stderr", get_stderr, None);
        vm.add_getset(&popen, "args", get_args, None);
        vm.add_method(&pipe_end, "fileno", pe_fileno);
        vm.add_method(&pipe_end, "close", pe_close);
        vm.ext
            .insert("io.process", Box::new(ProcessTypes { popen, pipe_end }));
    }
    let t = vm
        .ext
        .get("io.process")
        .and_then(|b| b.downcast_ref::<ProcessTypes>())
        .expect("just created");
    (t.popen.clone(), t.pipe_end.clone())
}

fn popen_of(v: &Value) -> Option<&PopenObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<PopenObj>(),
        _ => None,
    }
}

/// The pipe-end payload of a value.
pub fn pipe_end_of(v: &Value) -> Option<&PipeEndObj> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<PipeEndObj>(),
        _ => None,
    }
}

fn this_popen<'a>(vm: &mut Vm, args: &Args<'a>) -> PyResult<&'a PopenObj> {
    match args.pos.first().and_then(popen_of) {
        Some(p) => Ok(p),
        None => Err(vm.type_error("descriptor requires a 'Popen' object".into())),
    }
}

fn p_poll(vm: &mut Vm, args: Args) -> PyResult {
    let p = this_popen(vm, &args)?;
    let rc = *p
        .returncode
        .lock()
        .map_err(|_| vm.runtime_error("poisoned".into()))?;
    Ok(rc.map(Value::Int).unwrap_or(Value::None))
}

fn send(vm: &mut Vm, p: &PopenObj, sig: i32) -> PyResult {
    // The lock is held while signalling so the watcher cannot reap the pid meanwhile.
    let guard = p
        .returncode
        .lock()
        .map_err(|_| vm.runtime_error("poisoned".into()))?;
    if guard.is_some() {
        return Ok(Value::None);
    }
    let sig = nix::sys::signal::Signal::try_from(sig)
        .map_err(|_| io_socket::os_error_errno(vm, 22, "Invalid argument"))?;
    let r = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p.pid), sig);
    drop(guard);
    match r {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(Value::None),
        Err(e) => Err(io_socket::os_error_errno(vm, e as i32, e.desc())),
    }
}

fn p_kill(vm: &mut Vm, args: Args) -> PyResult {
    let p = this_popen(vm, &args)?;
    send(vm, p, 9)
}

fn p_terminate(vm: &mut Vm, args: Args) -> PyResult {
    let p = this_popen(vm, &args)?;
    send(vm, p, 15)
}

fn p_send_signal(vm: &mut Vm, args: Args) -> PyResult {
    let p = this_popen(vm, &args)?;
    args.method_range(vm, "send_signal", 1, 1)?;
    let sig = vm.index_value(&args.pos[1])?;
    send(vm, p, sig as i32)
}

fn p_repr(vm: &mut Vm, args: Args) -> PyResult {
    let p = this_popen(vm, &args)?;
    let rc = p.returncode.lock().ok().and_then(|g| *g);
    let a = vm.repr_or_default(&p.args);
    let rc = rc.map(|r| r.to_string()).unwrap_or_else(|| "None".into());
    Ok(vm.new_str(format!("<Popen: returncode: {rc} args: {a}>")))
}

fn get_pid(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::Int(popen_of(v).map(|p| p.pid as i64).unwrap_or(0)))
}

fn get_returncode(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(popen_of(v)
        .and_then(|p| p.returncode.lock().ok().and_then(|g| *g))
        .map(Value::Int)
        .unwrap_or(Value::None))
}

fn get_stdin(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(popen_of(v).map(|p| p.stdin.clone()).unwrap_or(Value::None))
}

fn get_stdout(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(popen_of(v).map(|p| p.stdout.clone()).unwrap_or(Value::None))
}

fn get_stderr(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(popen_of(v).map(|p| p.stderr.clone()).unwrap_or(Value::None))
}

fn get_args(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(popen_of(v).map(|p| p.args.clone()).unwrap_or(Value::None))
}

fn pe_fileno(vm: &mut Vm, args: Args) -> PyResult {
    use std::os::fd::AsRawFd;
    let fd = args
        .pos
        .first()
        .and_then(pipe_end_of)
        .and_then(|p| p.file.borrow().as_ref().map(|f| f.as_raw_fd()));
    match fd {
        Some(fd) => Ok(Value::Int(fd as i64)),
        None => Err(vm.value_error("I/O operation on closed file".into())),
    }
}

fn pe_close(_vm: &mut Vm, args: Args) -> PyResult {
    if let Some(p) = args.pos.first().and_then(pipe_end_of) {
        let old = p.file.borrow_mut().take();
        drop(old);
    }
    Ok(Value::None)
}

fn new_pipe_end(vm: &mut Vm, fd: OwnedFd) -> Value {
    let (_, cls) = types(vm);
    Value::Obj(vm.alloc_instance(
        cls,
        ObjKind::Ext(Box::new(PipeEndObj {
            file: RefCell::new(Some(std::fs::File::from(fd))),
        })),
    ))
}

fn str_arg(vm: &mut Vm, v: &Value) -> PyResult<String> {
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    if let Some(b) = crate::types::bytes::bytes_of(v) {
        return Ok(String::from_utf8_lossy(&b).into_owned());
    }
    let t = vm.type_name(v);
    Err(vm.type_error(format!(
        "expected str, bytes or os.PathLike object, not {t}"
    )))
}

fn stdio_kind(vm: &mut Vm, v: &Value, name: &str) -> PyResult<i64> {
    match v {
        Value::None => Ok(0),
        Value::Int(i) if [PIPE, STDOUT, DEVNULL].contains(i) => Ok(*i),
        _ => Err(vm.value_error(format!(
            "{name} must be None, subprocess.PIPE, subprocess.STDOUT or subprocess.DEVNULL"
        ))),
    }
}

/// `_spawn(args, shell, stdin, stdout, stderr, cwd, env)`: starts the child.
fn f_spawn(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(crate::vm::limits::Capability::Subprocess, "subprocess")?;
    args.expect_range(vm, "_spawn", 7, 7)?;
    let a = &args.pos;
    let shell = vm.truthy(&a[1])?;
    let argv: Vec<String> = if shell {
        vec!["/bin/sh".into(), "-c".into(), str_arg(vm, &a[0])?]
    } else {
        let items = vm.collect_iterable(&a[0])?;
        let mut v = Vec::new();
        for i in &items {
            v.push(str_arg(vm, i)?);
        }
        v
    };
    let (sin, sout, serr) = (
        stdio_kind(vm, &a[2], "stdin")?,
        stdio_kind(vm, &a[3], "stdout")?,
        stdio_kind(vm, &a[4], "stderr")?,
    );
    if sin == STDOUT || sout == STDOUT {
        return Err(vm.value_error("STDOUT can only be used for stderr".into()));
    }
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    if !a[5].is_none() {
        cmd.current_dir(str_arg(vm, &a[5])?);
    }
    if let Value::Obj(d) = &a[6] {
        if matches!(d.payload(), ObjKind::Dict(_)) {
            cmd.env_clear();
            for (k, v) in vm.dict_items(d) {
                let (k, v) = (str_arg(vm, &k)?, str_arg(vm, &v)?);
                cmd.env(k, v);
            }
        }
    }
    let stdio = |k: i64| match k {
        PIPE => Stdio::piped(),
        DEVNULL => Stdio::null(),
        _ => Stdio::inherit(),
    };
    cmd.stdin(stdio(sin));
    cmd.stdout(stdio(sout));
    let mut merged_reader = None;
    if serr == STDOUT {
        match sout {
            PIPE => {
                let (r, w) = std::io::pipe().map_err(|e| io_socket::os_error(vm, &e))?;
                let w2 = w.try_clone().map_err(|e| io_socket::os_error(vm, &e))?;
                cmd.stdout(Stdio::from(w));
                cmd.stderr(Stdio::from(w2));
                merged_reader = Some(OwnedFd::from(r));
            }
            DEVNULL => {
                cmd.stderr(Stdio::null());
            }
            _ => {
                cmd.stderr(Stdio::from(std::io::stdout()));
            }
        }
    } else {
        cmd.stderr(stdio(serr));
    }
    vm.flush_output();
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            // Drop the command first so the write ends of a merged pipe are closed.
            drop(cmd);
            let n = e.raw_os_error().unwrap_or(2);
            let msg = io_socket::strerror(n);
            let prog = vm.new_str(argv[0].clone());
            let m = vm.new_str(msg.clone());
            let exc = vm.new_exc(
                io_socket::errno_class(n),
                vec![Value::Int(n as i64), m, prog.clone()],
            );
            for (k, v) in [("errno", Value::Int(n as i64)), ("filename", prog)] {
                let key = vm.intern(k);
                let _ = vm.exc_set_attr(&exc, key, v);
            }
            let key = vm.intern("strerror");
            let sv = vm.new_str(msg);
            let _ = vm.exc_set_attr(&exc, key, sv);
            return Err(exc);
        }
    };
    drop(cmd);
    let mut child = child;
    let stdin = match child.stdin.take() {
        Some(s) => new_pipe_end(vm, OwnedFd::from(s)),
        None => Value::None,
    };
    let stdout = match (child.stdout.take(), merged_reader) {
        (Some(s), _) => new_pipe_end(vm, OwnedFd::from(s)),
        (None, Some(r)) => new_pipe_end(vm, r),
        (None, None) => Value::None,
    };
    let stderr = match child.stderr.take() {
        Some(s) => new_pipe_end(vm, OwnedFd::from(s)),
        None => Value::None,
    };
    let (popen_t, _) = types(vm);
    let pid = child.id() as i32;
    // The std handle is dropped without waiting: the watcher thread reaps the pid.
    drop(child);
    Ok(Value::Obj(vm.alloc_instance(
        popen_t,
        ObjKind::Ext(Box::new(PopenObj {
            pid,
            returncode: Arc::new(Mutex::new(None)),
            stdin,
            stdout,
            stderr,
            args: a[0].clone(),
        })),
    )))
}

/// `_watch_child(loop, popen, callback)`: calls `callback(returncode)` on the loop once the
/// child exits.
fn f_watch_child(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "_watch_child", 3, 3)?;
    let lp = args.pos[0].clone();
    let Some(p) = popen_of(&args.pos[1]) else {
        return Err(vm.type_error("a Popen object is required".into()));
    };
    let Some(st) = loop_state(&lp) else {
        return Err(vm.type_error("an event loop is required".into()));
    };
    let (id, remote): (u64, Arc<Remote>) = {
        let mut s = st.borrow_mut();
        s.io.next_job += 1;
        let id = s.io.next_job;
        s.io.jobs.insert(id, args.pos[2].clone());
        (id, s.remote.clone())
    };
    let pid = nix::unistd::Pid::from_raw(p.pid);
    let shared = p.returncode.clone();
    let spawned = std::thread::Builder::new()
        .name("aio-child-watcher".into())
        .spawn(move || {
            use nix::sys::wait::{waitpid, WaitStatus};
            let rc = loop {
                match waitpid(pid, None) {
                    Ok(WaitStatus::Exited(_, code)) => break code as i64,
                    Ok(WaitStatus::Signaled(_, sig, _)) => break -(sig as i64),
                    Ok(_) => continue,
                    Err(nix::errno::Errno::EINTR) => continue,
                    // Reaped elsewhere: CPython reports 255 for an unknown status.
                    Err(_) => break 255,
                }
            };
            if let Ok(mut g) = shared.lock() {
                *g = Some(rc);
            }
            remote.submit(Box::new(move |vm: &mut Vm| child_exited(vm, id, rc)));
        });
    if spawned.is_err() {
        return Err(vm.runtime_error("can't start new thread".into()));
    }
    Ok(Value::None)
}

fn child_exited(vm: &mut Vm, id: u64, rc: i64) {
    let lp = super::types(vm).running_loop.clone();
    let Some(st) = loop_state(&lp) else { return };
    let Some(cb) = st.borrow_mut().io.jobs.remove(&id) else {
        return;
    };
    // call_soon_threadsafe(call_soon, callback, returncode): two hops, as in CPython.
    let data = vm.new_tuple(vec![cb, Value::Int(rc)]);
    let f = vm.new_native_with("call_soon", call_soon_later, data);
    let _ = super::call_soon(vm, &lp, f, Vec::new());
}

fn call_soon_later(vm: &mut Vm, args: Args) -> PyResult {
    let items = match args.data.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => return Ok(Value::None),
    };
    let lp = super::get_running_loop(vm)?;
    super::call_soon(vm, &lp, items[0].clone(), vec![items[1].clone()])?;
    Ok(Value::None)
}

/// `_pipe_transport(loop, pipe, protocol, write, waiter)`: a pipe transport over a pipe end
/// made by `_spawn` (which it takes over).
fn f_pipe_transport(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "_pipe_transport", 5, 5)?;
    let lp = args.pos[0].clone();
    let Some(pe) = pipe_end_of(&args.pos[1]) else {
        return Err(vm.value_error("Pipe transport is for pipes/sockets only.".into()));
    };
    let Some(file) = pe.file.borrow_mut().take() else {
        return Err(vm.value_error("I/O operation on closed file".into()));
    };
    let write = vm.truthy(&args.pos[3])?;
    io_transport::make_pipe_transport(
        vm,
        &lp,
        file,
        write,
        args.pos[2].clone(),
        args.pos[4].clone(),
    )
}

/// Native functions of the `_aio_io` module defined here.
pub fn module_functions() -> &'static [(&'static str, crate::vm::object::NativeFn)] {
    &[
        ("_spawn", f_spawn),
        ("_watch_child", f_watch_child),
        ("_pipe_transport", f_pipe_transport),
    ]
}
