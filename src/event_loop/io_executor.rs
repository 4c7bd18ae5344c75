//! Blocking work off the loop thread: the default executor behind `loop.run_in_executor`,
//! `asyncio.to_thread` and `loop.getaddrinfo`.
//!
//! Scripts are single-threaded, so only native functions that know how to run without the
//! interpreter can go to the pool: `time.sleep`, `socket.getaddrinfo`,
//! `socket.gethostbyname` and anything a host registers with `register_blocking`. Their
//! arguments are turned into plain data on the loop thread, the work runs on a worker thread,
//! and the plain result comes back through the loop's waker, where it is set on the asyncio
//! future by a callback queued with `call_soon`, as CPython's `_call_set_state` is. Any other
//! callable runs on the loop thread in a later iteration (blocking it), with the same future
//! protocol. Invariant: nothing that touches interpreter values ever crosses a thread.

use super::io_socket;
use super::{future, loop_state, Remote};
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{Exc, PyResult, Vm};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// A plain value that can cross threads.
#[derive(Debug, Clone)]
pub enum SendVal {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<SendVal>),
    List(Vec<SendVal>),
}

/// An exception that can cross threads: a builtin class name and its arguments; an errno
/// makes it an OSError-family exception with `errno`/`strerror` set.
#[derive(Debug, Clone)]
pub struct SendErr {
    pub class: &'static str,
    pub errno: Option<i32>,
    pub message: String,
}

/// The outcome of blocking work.
pub type JobResult = Result<SendVal, SendErr>;
/// Blocking work.
pub type Job = Box<dyn FnOnce() -> JobResult + Send>;
/// Turns a call into blocking work (on the loop thread), or declines with None.
pub type Planner = fn(&mut Vm, &[Value], &Args) -> PyResult<Option<Job>>;

impl SendVal {
    /// The interpreter value.
    pub fn into_value(self, vm: &mut Vm) -> Value {
        match self {
            SendVal::None => Value::None,
            SendVal::Bool(b) => Value::from_bool(b),
            SendVal::Int(i) => Value::Int(i),
            SendVal::Float(f) => Value::from_f64(f),
            SendVal::Str(s) => vm.new_str(s),
            SendVal::Bytes(b) => vm.new_bytes(b),
            SendVal::Tuple(items) => {
                let v = items.into_iter().map(|x| x.into_value(vm)).collect();
                vm.new_tuple(v)
            }
            SendVal::List(items) => {
                let v = items.into_iter().map(|x| x.into_value(vm)).collect();
                vm.new_list(v)
            }
        }
    }
}

impl SendErr {
    /// The interpreter exception.
    pub fn into_exc(self, vm: &mut Vm) -> Exc {
        match self.errno {
            Some(n) => io_socket::os_error_class(vm, self.class, n, &self.message),
            None => vm.new_exc_msg(self.class, self.message),
        }
    }
}

// ----- the pool ----------------------------------------------------------------------------------

type Work = Box<dyn FnOnce() + Send>;

struct PoolState {
    queue: VecDeque<Work>,
    idle: usize,
    threads: usize,
}

struct Pool {
    state: Mutex<PoolState>,
    cond: Condvar,
    max: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Pool {
            state: Mutex::new(PoolState {
                queue: VecDeque::new(),
                idle: 0,
                threads: 0,
            }),
            cond: Condvar::new(),
            // ThreadPoolExecutor's default: min(32, cpu_count + 4).
            max: (cpus + 4).min(32),
        }
    })
}

fn worker() {
    let p = pool();
    loop {
        let work = {
            let Ok(mut s) = p.state.lock() else { return };
            loop {
                if let Some(w) = s.queue.pop_front() {
                    break w;
                }
                s.idle += 1;
                s = match p.cond.wait(s) {
                    Ok(g) => g,
                    Err(_) => return,
                };
                s.idle -= 1;
            }
        };
        work();
    }
}

/// Runs `work` on a pool thread.
pub fn spawn(work: Work) {
    let p = pool();
    let Ok(mut s) = p.state.lock() else { return };
    s.queue.push_back(work);
    if s.idle < s.queue.len() && s.threads < p.max {
        let started = std::thread::Builder::new()
            .name("aio-executor".into())
            .spawn(worker)
            .is_ok();
        if started {
            s.threads += 1;
        }
    }
    drop(s);
    p.cond.notify_one();
}

// ----- futures -----------------------------------------------------------------------------------

/// Runs `job` on the pool; returns a future on `lp` that gets its result.
pub fn submit(vm: &mut Vm, lp: &Value, job: Job) -> PyResult<Value> {
    let fut = Value::Obj(future::new_future(vm, lp.clone()));
    let Some(st) = loop_state(lp) else {
        return Err(vm.type_error("an event loop is required".into()));
    };
    let (id, remote): (u64, Arc<Remote>) = {
        let mut s = st.borrow_mut();
        s.io.next_job += 1;
        let id = s.io.next_job;
        s.io.jobs.insert(id, fut.clone());
        (id, s.remote.clone())
    };
    spawn(Box::new(move || {
        let result = job();
        remote.submit(Box::new(move |vm: &mut Vm| deliver(vm, id, result)));
    }));
    Ok(fut)
}

/// On the loop thread: queues `_call_set_state` for the future of job `id`.
fn deliver(vm: &mut Vm, id: u64, result: JobResult) {
    let lp = super::types(vm).running_loop.clone();
    let Some(st) = loop_state(&lp) else { return };
    let Some(fut) = st.borrow_mut().io.jobs.remove(&id) else {
        return;
    };
    let (is_exc, v) = match result {
        Ok(v) => (false, v.into_value(vm)),
        Err(e) => (true, Value::Obj(e.into_exc(vm).0)),
    };
    let data = vm.new_tuple(vec![fut, Value::from_bool(is_exc), v]);
    let f = vm.new_native_with("_call_set_state", call_set_state, data);
    let _ = super::call_soon(vm, &lp, f, Vec::new());
}

/// `_call_set_state`: copies the outcome unless the future was cancelled meanwhile.
fn call_set_state(vm: &mut Vm, args: Args) -> PyResult {
    let items = match args.data.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => return Ok(Value::None),
    };
    let (fut, is_exc, v) = (items[0].clone(), items[1].clone(), items[2].clone());
    let Value::Obj(fo) = &fut else {
        return Ok(Value::None);
    };
    let Some(f) = future::fut_of(&fut) else {
        return Ok(Value::None);
    };
    if f.done() {
        return Ok(Value::None);
    }
    if matches!(is_exc, Value::Bool(b) if b.get()) {
        future::set_exception(vm, fo, v)?;
    } else {
        future::set_result(vm, fo, v)?;
    }
    Ok(Value::None)
}

/// Runs a script callable on the loop thread one iteration later (it cannot leave the
/// thread), delivering its outcome like pool work.
fn run_inline(vm: &mut Vm, args: Args) -> PyResult {
    let items = match args.data.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => return Ok(Value::None),
    };
    let (fut, func, fargs, kw) = (
        items[0].clone(),
        items[1].clone(),
        items[2].clone(),
        items[3].clone(),
    );
    if future::fut_of(&fut).is_some_and(|f| f.done()) {
        return Ok(Value::None);
    }
    let pos = match fargs.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    };
    let r = if kw.is_none() {
        vm.call(&func, &pos)
    } else {
        let pairs: Vec<(String, Value)> = match &kw {
            Value::Obj(d) => vm
                .dict_items(d)
                .into_iter()
                .filter_map(|(k, v)| k.as_str().map(|s| (s.to_string(), v)))
                .collect(),
            _ => Vec::new(),
        };
        let refs: Vec<(&str, Value)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        vm.call_kw(&func, &pos, &refs)
    };
    let (is_exc, v) = match r {
        Ok(v) => (false, v),
        Err(e) => (true, Value::Obj(e.0)),
    };
    let lp = future::fut_of(&fut)
        .map(|f| f.loop_value())
        .unwrap_or(Value::None);
    let data = vm.new_tuple(vec![fut, Value::from_bool(is_exc), v]);
    let f = vm.new_native_with("_call_set_state", call_set_state, data);
    super::call_soon(vm, &lp, f, Vec::new())?;
    Ok(Value::None)
}

// ----- which natives can leave the thread ----------------------------------------------------------

/// Registers `func` (a native function value) as runnable on the pool through `planner`.
pub fn register_blocking(vm: &mut Vm, func: Value, planner: Planner) {
    let reg = vm
        .ext
        .entry("io.blocking")
        .or_insert_with(|| Box::new(Vec::<(Value, Planner)>::new()));
    if let Some(list) = reg.downcast_mut::<Vec<(Value, Planner)>>() {
        list.push((func, planner));
    }
}

fn module_attr(vm: &mut Vm, module: &str, name: &str) -> Option<Value> {
    let mods = vm.modules.clone();
    let m = vm.dict_get_str(&mods, module)?;
    vm.getattr_opt(&m, name).ok().flatten()
}

fn plan_sleep(vm: &mut Vm, args: &[Value], kw: &Args) -> PyResult<Option<Job>> {
    if args.len() != 1 || !kw.kwnames.is_empty() {
        return Ok(None);
    }
    let secs = crate::types::float::to_float(vm, &args[0])?;
    if secs < 0.0 {
        return Err(vm.value_error("sleep length must be non-negative".into()));
    }
    if !secs.is_finite() {
        return Err(vm.overflow_error("sleep length is too large".into()));
    }
    Ok(Some(Box::new(move || {
        std::thread::sleep(std::time::Duration::from_secs_f64(secs));
        Ok(SendVal::None)
    })))
}

fn addrinfo_send(rows: Vec<io_socket::AddrInfo>) -> SendVal {
    SendVal::List(
        rows.into_iter()
            .map(|(f, t, p, c, a)| {
                let addr = match a {
                    std::net::SocketAddr::V4(v4) => SendVal::Tuple(vec![
                        SendVal::Str(v4.ip().to_string()),
                        SendVal::Int(v4.port() as i64),
                    ]),
                    std::net::SocketAddr::V6(v6) => SendVal::Tuple(vec![
                        SendVal::Str(v6.ip().to_string()),
                        SendVal::Int(v6.port() as i64),
                        SendVal::Int(v6.flowinfo() as i64),
                        SendVal::Int(v6.scope_id() as i64),
                    ]),
                };
                SendVal::Tuple(vec![
                    SendVal::Int(f),
                    SendVal::Int(t),
                    SendVal::Int(p),
                    SendVal::Str(c),
                    addr,
                ])
            })
            .collect(),
    )
}

/// Blocking work for a `getaddrinfo` request.
pub fn getaddrinfo_job(req: io_socket::AddrInfoRequest) -> Job {
    Box::new(move || match io_socket::getaddrinfo_blocking(&req) {
        Ok(rows) => Ok(addrinfo_send(rows)),
        Err((code, msg)) => Err(SendErr {
            class: "gaierror",
            errno: Some(code as i32),
            message: msg,
        }),
    })
}

fn plan_getaddrinfo(vm: &mut Vm, args: &[Value], kw: &Args) -> PyResult<Option<Job>> {
    vm.require(
        crate::vm::limits::Capability::Network,
        "socket.getaddrinfo()",
    )?;
    let a = Args { pos: args, ..*kw };
    let req = io_socket::addrinfo_request(vm, &a)?;
    Ok(Some(getaddrinfo_job(req)))
}

fn plan_gethostbyname(vm: &mut Vm, args: &[Value], _kw: &Args) -> PyResult<Option<Job>> {
    vm.require(
        crate::vm::limits::Capability::Network,
        "socket.gethostbyname()",
    )?;
    if args.len() != 1 {
        return Ok(None);
    }
    let host = vm
        .arg_str(&args[0], "gethostbyname", "argument 1")?
        .to_string();
    Ok(Some(Box::new(move || {
        let req = io_socket::AddrInfoRequest {
            host: Some(host),
            port: None,
            family: io_socket::AF_INET,
            stype: io_socket::SOCK_STREAM,
            proto: 0,
            flags: 0,
        };
        match io_socket::getaddrinfo_blocking(&req) {
            Ok(rows) => Ok(SendVal::Str(rows[0].4.ip().to_string())),
            Err((code, msg)) => Err(SendErr {
                class: "gaierror",
                errno: Some(code as i32),
                message: msg,
            }),
        }
    })))
}

/// The blocking work for `func(*args)` when `func` can run off the loop thread.
pub fn plan(vm: &mut Vm, func: &Value, args: &[Value], kw: &Args) -> PyResult<Option<Job>> {
    if !matches!(func.kind(), Some(ObjKind::Native(_))) {
        return Ok(None);
    }
    let known: [(&str, &str, Planner); 3] = [
        ("time", "sleep", plan_sleep),
        ("socket", "getaddrinfo", plan_getaddrinfo),
        ("socket", "gethostbyname", plan_gethostbyname),
    ];
    for (m, n, p) in known {
        if module_attr(vm, m, n).is_some_and(|f| f.is(func)) {
            return p(vm, args, kw);
        }
    }
    let registered: Vec<(Value, Planner)> = vm
        .ext
        .get("io.blocking")
        .and_then(|b| b.downcast_ref::<Vec<(Value, Planner)>>())
        .cloned()
        .unwrap_or_default();
    for (f, p) in registered {
        if f.is(func) {
            return p(vm, args, kw);
        }
    }
    Ok(None)
}

/// `run_in_executor(func, *args, **kw)` on the default executor.
pub fn run_in_executor(
    vm: &mut Vm,
    lp: &Value,
    func: Value,
    args: &[Value],
    kw: &Args,
) -> PyResult<Value> {
    super::check_closed(vm, lp)?;
    if let Some(job) = plan(vm, &func, args, kw)? {
        return submit(vm, lp, job);
    }
    let fut = Value::Obj(future::new_future(vm, lp.clone()));
    let fargs = vm.new_tuple(args.to_vec());
    let kwd = if kw.kwnames.is_empty() {
        Value::None
    } else {
        let d = vm.new_dict_obj();
        for (k, v) in kw.kwnames.iter().zip(kw.kwvalues) {
            vm.dict_set(&d, k.clone(), v.clone())?;
        }
        Value::Obj(d)
    };
    let data = vm.new_tuple(vec![fut.clone(), func, fargs, kwd]);
    let f = vm.new_native_with("_run_in_executor", run_inline, data);
    super::call_soon(vm, lp, f, Vec::new())?;
    Ok(fut)
}

fn this(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if loop_state(v).is_some() => Ok(v.clone()),
        _ => Err(vm.type_error("descriptor requires an event loop".into())),
    }
}

/// `loop.run_in_executor(executor, func, *args)`.
fn m_run_in_executor(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    if args.pos.len() < 3 {
        return Err(vm.type_error(
            "BaseEventLoop.run_in_executor() missing required positional arguments".into(),
        ));
    }
    let func = args.pos[2].clone();
    if !crate::builtins::callable_value(vm, &func) {
        return Err(vm.type_error("func must be a callable".into()));
    }
    let noargs = Args {
        pos: &[],
        kwnames: &[],
        kwvalues: &[],
        data: args.data,
    };
    run_in_executor(vm, &lp, func, &args.pos[3..], &noargs)
}

/// `loop.set_default_executor(executor)`: Aio has only its own pool.
fn m_set_default_executor(vm: &mut Vm, _args: Args) -> PyResult {
    Err(vm.new_exc_msg(
        "NotImplementedError",
        "set_default_executor() is not supported: Aio runs blocking natives on its own pool".into(),
    ))
}

/// `loop.getaddrinfo(host, port, *, family=0, type=0, proto=0, flags=0)`.
fn m_getaddrinfo(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    vm.require(crate::vm::limits::Capability::Network, "loop.getaddrinfo()")?;
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let req = io_socket::addrinfo_request(vm, &rest)?;
    submit(vm, &lp, getaddrinfo_job(req))
}

/// `asyncio.to_thread(func, *args, **kwargs)` (returns the executor future).
fn f_to_thread(vm: &mut Vm, args: Args) -> PyResult {
    let Some(func) = args.pos.first().cloned() else {
        return Err(
            vm.type_error("to_thread() missing 1 required positional argument: 'func'".into())
        );
    };
    let lp = super::get_running_loop(vm)?;
    let kw = Args { pos: &[], ..args };
    run_in_executor(vm, &lp, func, &args.pos[1..], &kw)
}

/// Installs the executor methods of the loop type.
pub fn init_loop_type(vm: &mut Vm, t: &crate::vm::value::ObjRef) {
    vm.add_method(t, "run_in_executor", m_run_in_executor);
    vm.add_method(t, "set_default_executor", m_set_default_executor);
    vm.add_method(t, "getaddrinfo", m_getaddrinfo);
}

/// Native functions of the `_aio_io` module defined here.
pub fn module_functions() -> &'static [(&'static str, crate::vm::object::NativeFn)] {
    &[("_to_thread", f_to_thread)]
}
