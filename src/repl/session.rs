//! The interpreter side of a REPL session: one persistent event loop, run by hand.
//!
//! The session runs the loop's iterations itself (`run_once`) with the loop marked running,
//! the way `python -m asyncio` keeps its loop running forever in the main thread. Between
//! iterations it takes requests from the reader thread: an input is compiled in interactive
//! mode (expression statements echo their value into `_`); code without a top-level `await`
//! runs at once, code with one is a coroutine run as the foreground task while background
//! tasks keep running. Ctrl-C cancels the foreground task only.
//! Invariant: the reader is told `Ready` exactly once per input, after all its output, and
//! only while no foreground task is pending.

use super::output::PrinterMsg;
use super::{complete, input, Reply, Request};
use crate::compile::{compile_module, CompileOptions};
use crate::event_loop::future::{self, fut};
use crate::event_loop::{loop_state, run_once, task, types};
use crate::source::SourceFile;
use crate::vm::limits::signal::KEYBOARD_INTERRUPT;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, Vm};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

/// How the session reaches the reader.
pub enum Outlet {
    /// Terminal: through the printer thread, which passes `Ready` on after the output
    /// queued before it.
    Printer(Sender<PrinterMsg>),
    /// Plain streams: output is flushed, then `Ready` goes straight to the reader.
    Direct(Sender<Reply>),
}

impl Outlet {
    fn ready(&self, vm: &mut Vm) {
        vm.flush_output();
        match self {
            Outlet::Printer(tx) => {
                let _ = tx.send(PrinterMsg::Ready);
            }
            Outlet::Direct(tx) => {
                let _ = tx.send(Reply::Ready);
            }
        }
    }

    fn exit(&self, vm: &mut Vm) {
        vm.flush_output();
        match self {
            Outlet::Printer(tx) => {
                let _ = tx.send(PrinterMsg::Exit);
            }
            Outlet::Direct(tx) => {
                let _ = tx.send(Reply::Exit);
            }
        }
    }
}

/// One REPL session on the interpreter thread.
pub struct Session {
    /// The session's event loop.
    pub lp: Value,
    /// `__main__`'s globals.
    pub globals: ObjRef,
    pub requests: Receiver<Request>,
    pub outlet: Outlet,
    /// Set by the SIGINT watcher; taken (cleared) by the session.
    pub sigint: Arc<AtomicBool>,
    /// The task running the input being awaited, if any.
    foreground: Option<ObjRef>,
    /// The foreground task was cancelled by Ctrl-C.
    interrupted: bool,
    /// The exit status, once the session is over.
    status: Option<i32>,
}

impl Session {
    pub fn new(
        lp: Value,
        globals: ObjRef,
        requests: Receiver<Request>,
        outlet: Outlet,
        sigint: Arc<AtomicBool>,
    ) -> Session {
        Session {
            lp,
            globals,
            requests,
            outlet,
            sigint,
            foreground: None,
            interrupted: false,
            status: None,
        }
    }

    /// Runs until end of input or `exit()`; returns the exit status.
    pub fn run(&mut self, vm: &mut Vm) -> i32 {
        self.enter_loop(vm);
        self.outlet.ready(vm);
        while self.status.is_none() {
            if let Err(e) = run_once(vm, &self.lp) {
                self.escaped(vm, e);
            }
            self.keep_running();
            self.take_sigint(vm);
            self.check_foreground(vm);
            self.take_requests(vm);
            vm.flush_output();
        }
        self.leave_loop(vm);
        self.outlet.exit(vm);
        self.status.unwrap_or(0)
    }

    /// Marks the loop running on this thread, as `run_forever` does.
    fn enter_loop(&self, vm: &mut Vm) {
        if let Some(s) = loop_state(&self.lp) {
            s.borrow_mut().running = true;
        }
        let st = types(vm);
        st.running_loop = self.lp.clone();
        st.current_loop = self.lp.clone();
        st.set_called = true;
    }

    fn leave_loop(&self, vm: &mut Vm) {
        if let Some(s) = loop_state(&self.lp) {
            let mut s = s.borrow_mut();
            s.running = false;
            s.stopping = false;
        }
        types(vm).running_loop = Value::None;
    }

    /// `loop.stop()` typed at the prompt would otherwise make every iteration return at
    /// once; the session's loop runs until the session ends.
    fn keep_running(&self) {
        if let Some(s) = loop_state(&self.lp) {
            s.borrow_mut().stopping = false;
        }
    }

    fn take_requests(&mut self, vm: &mut Vm) {
        while self.status.is_none() {
            let Ok(r) = self.requests.try_recv() else {
                return;
            };
            match r {
                Request::Input { src, block } => self.execute(vm, &src, block),
                Request::Complete { target, reply } => {
                    let words = complete::candidates(vm, &self.globals, &target);
                    let _ = reply.send(words);
                }
                Request::Eof => self.status = Some(0),
            }
        }
    }

    /// Compiles and starts one input.
    fn execute(&mut self, vm: &mut Vm, src: &str, block: bool) {
        vm.limits
            .signals
            .fetch_and(!KEYBOARD_INTERRUPT, Ordering::SeqCst);
        self.interrupted = false;
        let file = SourceFile::new("<stdin>", src);
        let parsed = input::parse(src, block).and_then(|module| {
            let opts = CompileOptions { interactive: true };
            compile_module(vm, &module, file.clone(), opts)
        });
        let code = match parsed {
            Ok(code) => code,
            Err(e) => {
                let color = std::io::stderr().is_terminal();
                let mut text = crate::diag::render_syntax_error(&e, &file, color);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                vm.write_stderr(&text);
                return self.ready(vm);
            }
        };
        if code.flags.coroutine {
            let coro = vm.new_module_coroutine(code, self.globals.clone());
            match task::new_task(vm, &self.lp, coro, Value::None) {
                Ok(t) => self.foreground = Some(t),
                Err(e) => {
                    self.report(vm, &e);
                    self.ready(vm);
                }
            }
            return;
        }
        let r = vm.exec_code(code, self.globals.clone());
        if let Err(e) = r {
            self.report(vm, &e);
        }
        vm.run_finalizers();
        self.ready(vm);
    }

    /// When the foreground task is done: its exception, if any, then the next prompt.
    fn check_foreground(&mut self, vm: &mut Vm) {
        if !self.foreground.as_ref().is_some_and(|t| fut(t).done()) {
            return;
        }
        let Some(t) = self.foreground.take() else {
            return;
        };
        match future::result(vm, &t) {
            Ok(_) => {}
            Err(e) if self.interrupted && vm.exc_is(&e, "CancelledError") => {
                vm.write_stderr("\nKeyboardInterrupt\n");
            }
            Err(e) => self.report(vm, &e),
        }
        drop(t);
        vm.run_finalizers();
        self.ready(vm);
    }

    /// Ctrl-C while code runs: cancel the awaited work. A second Ctrl-C, when the work
    /// ignored the first, gives the prompt back and leaves the task running on its own.
    fn take_sigint(&mut self, vm: &mut Vm) {
        if !self.sigint.swap(false, Ordering::SeqCst) {
            return;
        }
        let Some(t) = self.foreground.clone() else {
            return;
        };
        if fut(&t).done() {
            return;
        }
        if self.interrupted {
            self.foreground = None;
            vm.write_stderr(
                "\nKeyboardInterrupt (the awaited task still runs in the background)\n",
            );
            self.ready(vm);
            return;
        }
        task::cancel(vm, &t, Value::None);
        self.interrupted = true;
    }

    /// An exception that left a loop iteration: SystemExit or KeyboardInterrupt raised in a
    /// task step or callback (the loop catches everything else).
    fn escaped(&mut self, vm: &mut Vm, e: Exc) {
        if vm.exc_is(&e, "SystemExit") {
            self.status = Some(crate::cli::exit_status(vm, &e));
            return;
        }
        match self.foreground.clone() {
            // The foreground task raised it; `check_foreground` reports it.
            Some(t) if fut(&t).done() => {}
            Some(t) => {
                vm.print_exception(&e);
                task::cancel(vm, &t, Value::None);
                self.interrupted = true;
            }
            None => vm.print_exception(&e),
        }
    }

    fn report(&mut self, vm: &mut Vm, e: &Exc) {
        if vm.exc_is(e, "SystemExit") {
            self.status = Some(crate::cli::exit_status(vm, e));
        } else {
            vm.print_exception(e);
        }
    }

    fn ready(&mut self, vm: &mut Vm) {
        // A hard interrupt meant for the input just finished must not hit a background task.
        vm.limits
            .signals
            .fetch_and(!KEYBOARD_INTERRUPT, Ordering::SeqCst);
        if self.status.is_none() {
            self.outlet.ready(vm);
        }
    }
}
