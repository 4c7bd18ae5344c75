//! Signals: the `signal` module and `loop.add_signal_handler`.
//!
//! As in CPython, the OS-level handler only records the signal (a flag and a byte written to
//! a self-pipe that the loop polls); script handlers run later at a safe point: a limit check
//! point of the dispatch loop (`Vm::check_slow`) or the loop iteration after the poll wakes
//! up. A loop's `add_signal_handler` callbacks are queued on its ready queue.
//!
//! Dispositions are process-wide, so two halves live here. The process half is global: the
//! OS-level hook of each signal (installed once, through `signal-hook`, so no unsafe code
//! here), and whether the signal takes its default action: while no interpreter in the
//! process has set a handler for it other than `SIG_DFL` (or `default_int_handler` for
//! SIGINT), the hook runs the OS default at once, so an unhandled Ctrl-C ends the process as
//! python3's KeyboardInterrupt does. One interpreter going back to `SIG_DFL` (or going away)
//! does not take a signal from another that still handles it.
//! The interpreter half is an `Inbox`: every interpreter that handles a signal registers its
//! own flag, wake-up word (`Limits::os_signal`) and self-pipe with signal-hook, so each
//! engine in a process hears every signal it handles and none steals another's.
//! Invariant: the signal-context part only stores atomics and writes to pipes.

use super::handle::HandleInner;
use super::io_socket;
use super::loop_state;
use crate::vm::limits::Capability;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use signal_hook::SigId;
use std::collections::HashMap;
use std::io::Read;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// `signal.NSIG`.
pub const NSIG: usize = 65;
pub const SIGINT: i32 = 2;
pub const SIGKILL: i32 = 9;
pub const SIGSTOP: i32 = 19;

/// Per signal: the disposition is the OS default (process-wide, like the disposition).
static IS_DEFAULT: [AtomicBool; NSIG] = [const { AtomicBool::new(true) }; NSIG];
/// Per signal: how many interpreters have set a handler other than the default.
static HANDLED_BY: Mutex<[usize; NSIG]> = Mutex::new([0; NSIG]);

/// Records whether one interpreter handles `sig` (`was` before, `now` after) and updates the
/// process-wide default flag.
fn count_handler(sig: i32, was: bool, now: bool) {
    let Ok(mut counts) = HANDLED_BY.lock() else {
        return;
    };
    let i = sig as usize;
    match (was, now) {
        (false, true) => counts[i] += 1,
        (true, false) => counts[i] = counts[i].saturating_sub(1),
        _ => {}
    }
    IS_DEFAULT[i].store(counts[i] == 0, Ordering::SeqCst);
}
/// Set when the process delivers SIGINT to `default_int_handler` (the CLI) instead of
/// taking the OS default action.
static DELIVER_SIGINT: AtomicBool = AtomicBool::new(false);
/// SIGINT's script handler is `default_int_handler` (read by the watchdog thread).
static SIGINT_IS_DEFAULT_HANDLER: AtomicBool = AtomicBool::new(true);
/// Signals whose default-action hook is installed (once per process).
static HOOKED: Mutex<[bool; NSIG]> = Mutex::new([false; NSIG]);

/// Signals signal-hook refuses to handle.
fn forbidden(sig: i32) -> bool {
    signal_hook::consts::FORBIDDEN.contains(&sig)
}

/// Installs the process-wide part for `sig`: the default action while it is wanted.
fn hook_process(sig: i32) -> std::io::Result<()> {
    let mut hooked = HOOKED
        .lock()
        .map_err(|_| std::io::Error::other("poisoned"))?;
    let i = sig as usize;
    if !hooked[i] {
        signal_hook::flag::register_conditional_default(sig, &IS_DEFAULT[i])?;
        hooked[i] = true;
    }
    Ok(())
}

/// Where one interpreter hears about signals: a flag per signal it handles, its wake-up
/// word, and a self-pipe its loops poll. Dropping it unregisters everything.
struct Inbox {
    flags: Vec<Arc<AtomicBool>>,
    any: Arc<AtomicBool>,
    read: UnixStream,
    write: UnixStream,
    ids: Vec<SigId>,
    subscribed: [bool; NSIG],
}

impl Inbox {
    fn new(any: Arc<AtomicBool>) -> std::io::Result<Inbox> {
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        Ok(Inbox {
            flags: (0..NSIG)
                .map(|_| Arc::new(AtomicBool::new(false)))
                .collect(),
            any,
            read,
            write,
            ids: Vec::new(),
            subscribed: [false; NSIG],
        })
    }

    /// Registers this interpreter's actions for `sig` (once).
    fn subscribe(&mut self, sig: i32) -> std::io::Result<()> {
        let i = sig as usize;
        if self.subscribed[i] {
            return Ok(());
        }
        if forbidden(sig) {
            return Err(std::io::Error::from_raw_os_error(22));
        }
        self.ids
            .push(signal_hook::flag::register(sig, self.flags[i].clone())?);
        self.ids
            .push(signal_hook::flag::register(sig, self.any.clone())?);
        self.ids.push(signal_hook::low_level::pipe::register(
            sig,
            self.write.try_clone()?,
        )?);
        hook_process(sig)?;
        self.subscribed[i] = true;
        Ok(())
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The read end of this interpreter's self-pipe, once it handles any signal.
pub fn wakeup_fd(vm: &Vm) -> Option<RawFd> {
    let h = vm.ext.get("io.signal")?.downcast_ref::<Handlers>()?;
    let inbox = h.inbox.as_ref()?;
    inbox
        .subscribed
        .iter()
        .any(|s| *s)
        .then(|| inbox.read.as_raw_fd())
}

/// True when a signal this interpreter handles arrived and its handlers have not run yet.
#[inline]
pub fn pending(vm: &Vm) -> bool {
    vm.limits.os_signal.load(Ordering::Relaxed)
}

/// Hooks `sig` for this interpreter.
fn hook(vm: &mut Vm, sig: i32) -> std::io::Result<()> {
    let any = vm.limits.os_signal.clone();
    let h = handlers(vm);
    if h.inbox.is_none() {
        h.inbox = Some(Inbox::new(any)?);
    }
    h.inbox.as_mut().expect("just made").subscribe(sig)
}

// ----- per-interpreter handlers --------------------------------------------------------------------

/// The script-level handlers of one interpreter.
struct Handlers {
    table: HashMap<i32, Value>,
    /// The signals this interpreter counts in `HANDLED_BY`.
    counted: [bool; NSIG],
    default_int_handler: Value,
    noop: Value,
    inbox: Option<Inbox>,
}

impl Drop for Handlers {
    fn drop(&mut self) {
        for sig in 1..NSIG {
            if self.counted[sig] {
                count_handler(sig as i32, true, false);
            }
        }
    }
}

/// Signals ignored when the process started (`SigIgn` in /proc/self/status): their
/// handler is SIG_IGN, as CPython reports (a shell starts background jobs that way).
fn inherited_ignored() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        .unwrap_or(0)
}

fn handlers(vm: &mut Vm) -> &mut Handlers {
    if !vm.ext.contains_key("io.signal") {
        let dih = vm.new_native("default_int_handler", default_int_handler);
        let noop = vm.new_native("_sighandler_noop", sighandler_noop);
        let mut table = HashMap::new();
        let ign = inherited_ignored();
        for sig in 1..NSIG as i32 {
            if ign & (1u64 << (sig - 1)) != 0 {
                table.insert(sig, Value::Int(1));
            }
        }
        vm.ext.insert(
            "io.signal",
            Box::new(Handlers {
                table,
                counted: [false; NSIG],
                default_int_handler: dih,
                noop,
                inbox: None,
            }),
        );
    }
    vm.ext
        .get_mut("io.signal")
        .and_then(|b| b.downcast_mut::<Handlers>())
        .expect("just created")
}

fn default_int_handler(vm: &mut Vm, _args: Args) -> PyResult {
    Err(vm.new_exc("KeyboardInterrupt", Vec::new()))
}

fn sighandler_noop(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::None)
}

/// The current script handler of `sig` (`signal.getsignal`).
fn get_handler(vm: &mut Vm, sig: i32) -> Value {
    let h = handlers(vm);
    if let Some(v) = h.table.get(&sig) {
        return v.clone();
    }
    if sig == SIGINT {
        return h.default_int_handler.clone();
    }
    Value::Int(0)
}

/// Sets the script handler of `sig`, hooking the signal when it needs handling.
fn set_handler(vm: &mut Vm, sig: i32, handler: Value) -> PyResult<Value> {
    let old = get_handler(vm, sig);
    let dih = handlers(vm).default_int_handler.clone();
    let dih_set = sig == SIGINT && handler.is(&dih);
    let is_default =
        matches!(handler, Value::Int(0)) || (dih_set && !DELIVER_SIGINT.load(Ordering::SeqCst));
    if sig == SIGINT {
        SIGINT_IS_DEFAULT_HANDLER.store(dih_set, Ordering::SeqCst);
    }
    if !is_default {
        if let Err(e) = hook(vm, sig) {
            return Err(io_socket::os_error(vm, &e));
        }
    }
    let h = handlers(vm);
    let was = std::mem::replace(&mut h.counted[sig as usize], !is_default);
    count_handler(sig, was, !is_default);
    h.table.insert(sig, handler);
    Ok(old)
}

fn check_signum(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let n = vm.index_value(v)?;
    if n < 1 || n >= NSIG as i64 {
        return Err(vm.value_error("signal number out of range".into()));
    }
    Ok(n as i32)
}

/// Runs the handlers of the signals that arrived (a safe point).
pub fn run_pending(vm: &mut Vm) -> PyResult<()> {
    if !vm.limits.os_signal.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let arrived: Vec<usize> = match handlers(vm).inbox.as_ref() {
        Some(inbox) => {
            let mut buf = [0u8; 64];
            while matches!((&inbox.read).read(&mut buf), Ok(n) if n > 0) {}
            (1..NSIG)
                .filter(|&i| inbox.flags[i].swap(false, Ordering::SeqCst))
                .collect()
        }
        None => Vec::new(),
    };
    for sig in arrived {
        let sig = sig as i32;
        // A running loop's add_signal_handler callback goes to its ready queue.
        let lp = vm
            .asyncio
            .as_deref()
            .map(|s| s.running_loop.clone())
            .unwrap_or(Value::None);
        if let Some(st) = loop_state(&lp) {
            let mut s = st.borrow_mut();
            if let Some(h) = s.io.signal_handlers.get(&sig).cloned() {
                if !h.cancelled.get() {
                    s.ready.push_back(super::Ready::Handle(h));
                }
            }
        }
        let handler = get_handler(vm, sig);
        let noop = handlers(vm).noop.clone();
        if handler.is(&noop) || matches!(handler, Value::Int(_)) {
            continue;
        }
        vm.call(&handler, &[Value::Int(sig as i64), Value::None])?;
    }
    Ok(())
}

// ----- the signal module ---------------------------------------------------------------------------

fn f_signal(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Signals, "signal.signal()")?;
    args.expect_range(vm, "signal", 2, 2)?;
    let sig = check_signum(vm, &args.pos[0])?;
    let h = args.pos[1].clone();
    let ok = matches!(h, Value::Int(0) | Value::Int(1)) || crate::builtins::callable_value(vm, &h);
    if !ok {
        return Err(vm.type_error(
            "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object".into(),
        ));
    }
    if sig == SIGKILL || sig == SIGSTOP || forbidden(sig) {
        return Err(io_socket::os_error_errno(vm, 22, "Invalid argument"));
    }
    set_handler(vm, sig, h)
}

fn f_getsignal(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "getsignal", 1, 1)?;
    let sig = check_signum(vm, &args.pos[0])?;
    Ok(get_handler(vm, sig))
}

fn f_raise_signal(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Signals, "signal.raise_signal()")?;
    args.expect_range(vm, "raise_signal", 1, 1)?;
    let sig = check_signum(vm, &args.pos[0])?;
    let dih = handlers(vm).default_int_handler.clone();
    let h = get_handler(vm, sig);
    if sig == SIGINT && h.is(&dih) {
        // Delivered to default_int_handler: KeyboardInterrupt right here, as in CPython.
        return Err(vm.new_exc("KeyboardInterrupt", Vec::new()));
    }
    vm.flush_output();
    if let Err(e) = signal_hook::low_level::raise(sig) {
        return Err(io_socket::os_error(vm, &e));
    }
    run_pending(vm)?;
    Ok(Value::None)
}

fn f_siginterrupt(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "siginterrupt", 2, 2)?;
    check_signum(vm, &args.pos[0])?;
    Ok(Value::None)
}

fn f_strsignal(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "strsignal", 1, 1)?;
    let sig = check_signum(vm, &args.pos[0])?;
    let name = match sig {
        1 => "Hangup",
        2 => "Interrupt",
        3 => "Quit",
        9 => "Killed",
        10 => "User defined signal 1",
        12 => "User defined signal 2",
        13 => "Broken pipe",
        14 => "Alarm clock",
        15 => "Terminated",
        17 => "Child exited",
        _ => return Ok(Value::None),
    };
    Ok(vm.new_str(name))
}

/// Creates the native `signal` module.
pub fn create_module(vm: &mut Vm) -> ObjRef {
    let dih = handlers(vm).default_int_handler.clone();
    let m = vm.new_module("signal");
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    let consts: &[(&str, i64)] = &[
        ("SIG_DFL", 0),
        ("SIG_IGN", 1),
        ("NSIG", NSIG as i64),
        ("SIGHUP", 1),
        ("SIGINT", 2),
        ("SIGQUIT", 3),
        ("SIGILL", 4),
        ("SIGTRAP", 5),
        ("SIGABRT", 6),
        ("SIGBUS", 7),
        ("SIGFPE", 8),
        ("SIGKILL", 9),
        ("SIGUSR1", 10),
        ("SIGSEGV", 11),
        ("SIGUSR2", 12),
        ("SIGPIPE", 13),
        ("SIGALRM", 14),
        ("SIGTERM", 15),
        ("SIGCHLD", 17),
        ("SIGCONT", 18),
        ("SIGSTOP", 19),
        ("SIGTSTP", 20),
        ("SIGWINCH", 28),
    ];
    for (n, v) in consts {
        vm.dict_set_str(&d, n, Value::Int(*v));
    }
    vm.dict_set_str(&d, "default_int_handler", dih);
    let funcs: &[(&str, crate::vm::object::NativeFn)] = &[
        ("signal", f_signal),
        ("getsignal", f_getsignal),
        ("raise_signal", f_raise_signal),
        ("siginterrupt", f_siginterrupt),
        ("strsignal", f_strsignal),
    ];
    crate::modules::add_functions(vm, &d, funcs);
    m
}

// ----- loop.add_signal_handler ---------------------------------------------------------------------

fn this(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if loop_state(v).is_some() => Ok(v.clone()),
        _ => Err(vm.type_error("descriptor requires an event loop".into())),
    }
}

fn check_signal(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let Some(n) = v.as_i64() else {
        let r = vm.repr_or_default(v);
        return Err(vm.type_error(format!("sig must be an int, not {r}")));
    };
    if n < 1 || n >= NSIG as i64 || n == 32 || n == 33 {
        return Err(vm.value_error(format!("invalid signal number {n}")));
    }
    Ok(n as i32)
}

fn is_coroutine_like(vm: &mut Vm, f: &Value) -> PyResult<bool> {
    if matches!(f.kind(), Some(ObjKind::Generator(g)) if g.kind == crate::vm::object::GenKind::Coroutine)
    {
        return Ok(true);
    }
    let m = vm.import_module("asyncio.coroutines")?;
    let check = vm.getattr_str(&Value::Obj(m), "iscoroutinefunction")?;
    let r = vm.call(&check, std::slice::from_ref(f))?;
    vm.truthy(&r)
}

fn m_add_signal_handler(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    vm.require(Capability::Signals, "loop.add_signal_handler()")?;
    if args.pos.len() < 3 {
        return Err(vm.type_error(
            "add_signal_handler() missing required positional arguments: 'sig' and 'callback'"
                .into(),
        ));
    }
    let cb = args.pos[2].clone();
    if is_coroutine_like(vm, &cb)? {
        return Err(vm.type_error("coroutines cannot be used with add_signal_handler()".into()));
    }
    let sig = check_signal(vm, &args.pos[1])?;
    super::check_closed(vm, &lp)?;
    let h = Rc::new(HandleInner::new(
        super::handle::HandleCallback::Py {
            func: cb,
            args: args.pos[3..].to_vec(),
        },
        0.0,
    ));
    *h.loop_.borrow_mut() = lp.clone();
    let noop = handlers(vm).noop.clone();
    if sig == SIGKILL || sig == SIGSTOP || forbidden(sig) {
        return Err(vm.runtime_error(format!("sig {sig} cannot be caught")));
    }
    set_handler(vm, sig, noop)?;
    if let Some(st) = loop_state(&lp) {
        let old = st.borrow_mut().io.signal_handlers.insert(sig, h);
        drop(old);
    }
    Ok(Value::None)
}

/// `loop.remove_signal_handler(sig)`.
pub fn remove_signal_handler(vm: &mut Vm, lp: &Value, sig: i32) -> PyResult<bool> {
    let removed = loop_state(lp)
        .and_then(|st| st.borrow_mut().io.signal_handlers.remove(&sig))
        .is_some();
    if !removed {
        return Ok(false);
    }
    let dfl = if sig == SIGINT {
        handlers(vm).default_int_handler.clone()
    } else {
        Value::Int(0)
    };
    set_handler(vm, sig, dfl)?;
    Ok(true)
}

fn m_remove_signal_handler(vm: &mut Vm, args: Args) -> PyResult {
    let lp = this(vm, &args)?;
    args.method_range(vm, "remove_signal_handler", 1, 1)?;
    let sig = check_signal(vm, &args.pos[1])?;
    Ok(Value::from_bool(remove_signal_handler(vm, &lp, sig)?))
}

/// Removes every signal handler of a loop being closed.
pub fn close_loop(vm: &mut Vm, lp: &Value) {
    let sigs: Vec<i32> = loop_state(lp)
        .map(|st| st.borrow().io.signal_handlers.keys().copied().collect())
        .unwrap_or_default();
    for s in sigs {
        let _ = remove_signal_handler(vm, lp, s);
    }
}

/// Installs the signal methods of the loop type.
pub fn init_loop_type(vm: &mut Vm, t: &ObjRef) {
    vm.add_method(t, "add_signal_handler", m_add_signal_handler);
    vm.add_method(t, "remove_signal_handler", m_remove_signal_handler);
}

/// How long a SIGINT for `default_int_handler` may wait for a safe point before the process
/// takes the default action (the interpreter is then blocked in a native call).
const SIGINT_GRACE: std::time::Duration = std::time::Duration::from_millis(1000);

/// For the command line: Ctrl-C raises KeyboardInterrupt at the next safe point, as in
/// python3, unless SIGINT was ignored when the process started. A watchdog thread ends the
/// process by SIGINT when the interpreter does not reach a safe point in time.
pub fn install_cli_sigint(vm: &mut Vm) {
    if matches!(get_handler(vm, SIGINT), Value::Int(1)) {
        return;
    }
    DELIVER_SIGINT.store(true, Ordering::SeqCst);
    if hook(vm, SIGINT).is_err() {
        DELIVER_SIGINT.store(false, Ordering::SeqCst);
        return;
    }
    let Some(flag) = handlers(vm)
        .inbox
        .as_ref()
        .map(|i| i.flags[SIGINT as usize].clone())
    else {
        return;
    };
    let Ok((rd, wr)) = UnixStream::pair() else {
        return;
    };
    if signal_hook::low_level::pipe::register(SIGINT, wr).is_err() {
        return;
    }
    let dih = handlers(vm).default_int_handler.clone();
    if set_handler(vm, SIGINT, dih).is_err() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("aio-sigint".into())
        .spawn(move || {
            let mut rd = rd;
            let mut buf = [0u8; 16];
            while matches!(rd.read(&mut buf), Ok(n) if n > 0) {
                std::thread::sleep(SIGINT_GRACE);
                let stuck =
                    flag.load(Ordering::SeqCst) && SIGINT_IS_DEFAULT_HANDLER.load(Ordering::SeqCst);
                if stuck {
                    exit_by_sigint();
                }
            }
        });
}

/// Ends the process the way an uncaught KeyboardInterrupt ends python3's: by SIGINT with the
/// default action (exit status 130 in a shell).
pub fn exit_by_sigint() {
    let _ = signal_hook::low_level::emulate_default_handler(SIGINT);
}
