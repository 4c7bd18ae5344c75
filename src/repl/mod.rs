//! The interactive REPL: top-level `await` on one persistent event loop, background tasks
//! that keep running while the user types, and a rustyline prompt.
//!
//! Three threads share the work, as in `python -m asyncio`. The interpreter thread owns the
//! `Vm` and runs the session's event loop (`session`). A reader thread owns the terminal
//! (`reader`, `helper`): it reads lines, asks the parser whether the input is complete
//! (`input`), and hands complete inputs in through a channel and the loop's waker. In a
//! terminal a printer thread (`output`) writes the interpreter's output above the line
//! being edited. SIGINT is watched by a fourth, small thread (`interrupt`).
//! Invariant: the session survives every error with its state kept; it ends only at end of
//! input, `exit()` or an uncaught SystemExit, and then leaves the terminal as it found it.

mod complete;
mod help;
mod helper;
mod highlight;
mod input;
mod interrupt;
mod output;
mod reader;
mod session;
mod site;

use crate::vm::object::ObjKind;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Config, Output, OutputSink, Vm};
use output::{ChannelWriter, Printer, PrinterMsg};
use reader::{reader_loop, LineSource, PlainLines, Terminal, ToVm};
use session::{Outlet, Session};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

/// A request from the reader thread to the interpreter thread.
pub enum Request {
    /// A complete input: lines ending in `\n`; `block` when it came as one multi-line
    /// buffer (pasted or recalled), which may hold several statements.
    Input { src: String, block: bool },
    /// Completions of what is before the cursor.
    Complete {
        target: complete::Target,
        reply: Sender<Vec<String>>,
    },
    /// End of input.
    Eof,
}

/// What the interpreter thread tells the reader.
pub enum Reply {
    /// Idle: read the next input.
    Ready,
    /// The session is over.
    Exit,
}

/// How the REPL starts.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Print the banner (a plain `aio` on a terminal; not after `-i script`).
    pub banner: bool,
}

/// Runs the REPL on `vm` (the interpreter of a script run with `-i`, or a fresh one) in its
/// `__main__` module, until end of input or `exit()`; returns the exit status.
pub fn run(vm: Option<Vm>, opts: Options) -> i32 {
    let mut vm = vm.unwrap_or_else(|| Vm::new(Config::default()));
    let globals = main_globals(&mut vm);
    site::install(&mut vm);
    preimport_asyncio(&mut vm, &globals);
    let lp = crate::event_loop::new_event_loop(&mut vm);
    let Some(remote) = crate::event_loop::loop_state(&lp).map(|s| s.borrow().remote.clone()) else {
        return 1;
    };
    let (req_tx, req_rx) = mpsc::channel();
    let (reply_tx, reply_rx) = mpsc::channel();
    let to_vm = ToVm {
        tx: req_tx,
        remote: remote.clone(),
    };
    let reading = Arc::new(AtomicBool::new(false));
    let terminal = interrupt::TerminalGuard::save();
    // Line editing needs both ends on the terminal, as python3's readline does; otherwise
    // prompts go to stderr and lines are read plainly.
    let outlet = if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        let (ptx, prx) = mpsc::channel();
        vm.flush_output();
        vm.stdout = Output::new(OutputSink::Writer(Box::new(ChannelWriter {
            tx: ptx.clone(),
            stderr: false,
        })));
        vm.stderr = Output::new(OutputSink::Writer(Box::new(ChannelWriter {
            tx: ptx.clone(),
            stderr: true,
        })));
        output::install_input_hook(&mut vm, ptx.clone());
        if !spawn_terminal_reader(to_vm, reply_tx, reply_rx, prx, reading.clone()) {
            return 1;
        }
        Outlet::Printer(ptx)
    } else {
        let started = spawn_reader(move || {
            reader_loop(&mut PlainLines, &to_vm, &reply_rx);
        });
        if !started {
            return 1;
        }
        Outlet::Direct(reply_tx)
    };
    if opts.banner {
        vm.write_stdout(&banner());
    }
    let sigint = Arc::new(AtomicBool::new(false));
    let watch = interrupt::SigintWatch::start(sigint.clone(), vm.limits.signals.clone(), remote);
    let mut session = Session::new(lp, globals, req_rx, outlet, sigint);
    let status = session.run(&mut vm);
    drop(watch);
    vm.flush_output();
    vm.stdout = Output::new(OutputSink::Stdout);
    vm.stderr = Output::new(OutputSink::Stderr);
    terminal.restore(reading.load(Ordering::SeqCst));
    status
}

/// The banner: the version and how to get going.
fn banner() -> String {
    format!(
        "Aio {} (Python 3.11 subset) asyncio REPL\n\
         Use \"await\" directly instead of \"asyncio.run()\"; asyncio is imported. \
         Type help() for help, Ctrl-D to leave.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The globals of `sys.modules['__main__']`, created when there is none yet.
fn main_globals(vm: &mut Vm) -> ObjRef {
    let mods = vm.modules.clone();
    if let Some(Value::Obj(m)) = vm.dict_get_str(&mods, "__main__") {
        if let ObjKind::Module(mo) = &m.kind {
            return mo.dict.clone();
        }
    }
    let module = vm.new_module("__main__");
    vm.dict_set_str(&mods, "__main__", Value::Obj(module.clone()));
    let ObjKind::Module(mo) = &module.kind else {
        unreachable!("new_module makes a module")
    };
    let d = mo.dict.clone();
    let b = Value::Obj(vm.builtins.clone());
    vm.dict_set_str(&d, "__builtins__", b);
    d
}

/// `import asyncio` in `__main__`, as `python -m asyncio` does.
fn preimport_asyncio(vm: &mut Vm, globals: &ObjRef) {
    if vm.dict_get_str(globals, "asyncio").is_some() {
        return;
    }
    match vm.import_module("asyncio") {
        Ok(m) => vm.dict_set_str(globals, "asyncio", Value::Obj(m)),
        Err(e) => vm.print_exception(&e),
    }
}

fn spawn_reader(f: impl FnOnce() + Send + 'static) -> bool {
    let spawned = std::thread::Builder::new()
        .name("aio-reader".into())
        .spawn(f);
    if let Err(e) = &spawned {
        eprintln!("aio: cannot start the input thread: {e}");
    }
    spawned.is_ok()
}

/// The reader thread for a terminal, which also starts the printer thread once rustyline
/// can say how to print around the line being edited.
fn spawn_terminal_reader(
    to_vm: ToVm,
    reply_tx: Sender<Reply>,
    reply_rx: Receiver<Reply>,
    printer_rx: Receiver<PrinterMsg>,
    reading: Arc<AtomicBool>,
) -> bool {
    spawn_reader(move || {
        let history = reader::history_path();
        let mut terminal = Terminal::new(to_vm.clone(), history, reading.clone());
        let external = terminal
            .as_mut()
            .and_then(|t| t.editor.create_external_printer().ok());
        let printer = Printer::new(external, reading, reply_tx);
        let spawned = std::thread::Builder::new()
            .name("aio-printer".into())
            .spawn(move || printer.run(printer_rx));
        if let Err(e) = spawned {
            eprintln!("aio: cannot start the output thread: {e}");
            to_vm.send(Request::Eof);
            return;
        }
        let mut plain = PlainLines;
        let source: &mut dyn LineSource = match terminal.as_mut() {
            Some(t) => t,
            None => &mut plain,
        };
        reader_loop(source, &to_vm, &reply_rx);
    })
}
