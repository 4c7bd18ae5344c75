//! Output of a REPL session in a terminal: the printer thread.
//!
//! While the user edits a line, output from background tasks must not garble it, so the
//! interpreter's stdout and stderr are sent (through `ChannelWriter`) to a printer thread
//! that hands complete lines to rustyline's external printer, which prints them above the
//! prompt and redraws the line. While no line is being edited the printer writes straight
//! to the streams. The interpreter's `Ready` travels the same channel, so a prompt never
//! appears before the output that preceded it.
//! rustyline's printer can block until the line editor takes the previous message, and a
//! message sent just as the user pressed Enter is taken only at the next prompt; so it is
//! called from a worker thread of its own, and the printer thread itself never blocks on it
//! (it must stay free to pass `Ready` on, or the next prompt would never come).
//! Invariant: output is written in the order it was sent, except that lines handed to the
//! line editor in the instant the user pressed Enter appear at the next prompt; nothing
//! waits on the interpreter thread.

use super::Reply;
use crate::vm::object::{Args, ObjKind};
use crate::vm::{PyResult, Vm};
use rustyline::ExternalPrinter;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

/// A message from the interpreter thread to the printer.
pub enum PrinterMsg {
    /// Text for stdout.
    Out(String),
    /// Text for stderr.
    Err(String),
    /// The interpreter is idle: show the next prompt.
    Ready,
    /// A line was read from the terminal (by `input()`): its echo ended the output line.
    LineEnded,
    /// The session is over.
    Exit,
}

/// A `Write` for the interpreter's `Output` that forwards to the printer thread.
pub struct ChannelWriter {
    pub tx: Sender<PrinterMsg>,
    pub stderr: bool,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf).into_owned();
        let msg = if self.stderr {
            PrinterMsg::Err(text)
        } else {
            PrinterMsg::Out(text)
        };
        self.tx
            .send(msg)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How long a partial line (printed without a newline) waits for the rest of it before it
/// is shown on a line of its own above the prompt.
const PARTIAL_LINE_WAIT: Duration = Duration::from_millis(100);

/// The printer thread's state.
pub struct Printer {
    /// Lines for rustyline's printer, on its worker thread (None when the terminal cannot
    /// have one: then output is written straight out).
    external: Option<Sender<String>>,
    /// True while the reader thread is inside `readline`.
    pub reading: Arc<AtomicBool>,
    pub to_reader: Sender<Reply>,
    /// Text after the last newline, held back while a line is being edited.
    partial: String,
    /// Whether the last text written straight out ended a line.
    at_line_start: bool,
}

impl Printer {
    pub fn new<P: ExternalPrinter + Send + 'static>(
        external: Option<P>,
        reading: Arc<AtomicBool>,
        to_reader: Sender<Reply>,
    ) -> Self {
        Printer {
            external: external.and_then(spawn_external),
            reading,
            to_reader,
            partial: String::new(),
            at_line_start: true,
        }
    }

    /// Runs until the interpreter says the session is over or goes away.
    pub fn run(mut self, rx: Receiver<PrinterMsg>) {
        loop {
            let msg = if self.partial.is_empty() {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                rx.recv_timeout(PARTIAL_LINE_WAIT)
            };
            match msg {
                Ok(PrinterMsg::Out(s)) => self.text(s, false),
                Ok(PrinterMsg::Err(s)) => self.text(s, true),
                Ok(PrinterMsg::LineEnded) => {
                    self.settle();
                    self.at_line_start = true;
                }
                Ok(PrinterMsg::Ready) => {
                    self.settle();
                    if !self.at_line_start {
                        // Keep the prompt at the start of a line, after `print(x, end='')`.
                        self.direct("\n", false);
                    }
                    let _ = self.to_reader.send(Reply::Ready);
                }
                Ok(PrinterMsg::Exit) | Err(RecvTimeoutError::Disconnected) => {
                    self.settle();
                    let _ = self.to_reader.send(Reply::Exit);
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {
                    let rest = std::mem::take(&mut self.partial);
                    self.above_prompt(rest);
                }
            }
        }
    }

    fn text(&mut self, s: String, stderr: bool) {
        if self.external.is_none() || !self.reading.load(Ordering::SeqCst) {
            self.settle();
            self.direct(&s, stderr);
            return;
        }
        self.partial.push_str(&s);
        if let Some(i) = self.partial.rfind('\n') {
            let rest = self.partial.split_off(i + 1);
            let lines = std::mem::replace(&mut self.partial, rest);
            self.above_prompt(lines);
        }
    }

    /// Writes any held-back partial line straight out.
    fn settle(&mut self) {
        if !self.partial.is_empty() {
            let p = std::mem::take(&mut self.partial);
            self.direct(&p, false);
        }
    }

    fn above_prompt(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        if let Some(tx) = &self.external {
            if tx.send(text).is_ok() {
                self.at_line_start = true;
            }
        }
    }

    fn direct(&mut self, s: &str, stderr: bool) {
        if s.is_empty() {
            return;
        }
        let r = if stderr {
            let mut e = std::io::stderr().lock();
            e.write_all(s.as_bytes()).and_then(|_| e.flush())
        } else {
            let mut o = std::io::stdout().lock();
            o.write_all(s.as_bytes()).and_then(|_| o.flush())
        };
        if r.is_ok() {
            self.at_line_start = s.ends_with('\n');
        }
    }
}

/// Starts the worker that feeds rustyline's printer; None if no thread can be had.
fn spawn_external<P: ExternalPrinter + Send + 'static>(mut printer: P) -> Option<Sender<String>> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let spawned = std::thread::Builder::new()
        .name("aio-external-print".into())
        .spawn(move || {
            for text in rx {
                // rustyline ends each message with a newline of its own.
                let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
                if printer.print(text).is_err() {
                    return;
                }
            }
        });
    spawned.ok().map(|_| tx)
}

/// Where `input()` finds the printer channel (in `Vm::ext`).
const PRINTER_KEY: &str = "repl.printer";

/// Wraps `builtins.input` so the printer learns that the line the user typed ended the
/// prompt's line (the terminal echoed the newline, not the interpreter).
pub fn install_input_hook(vm: &mut Vm, tx: Sender<PrinterMsg>) {
    let ObjKind::Module(m) = &vm.builtins.kind else {
        return;
    };
    let d = m.dict.clone();
    let Some(original) = vm.dict_get_str(&d, "input") else {
        return;
    };
    vm.ext.insert(PRINTER_KEY, Box::new(tx));
    let hooked = vm.new_native_with("input", input, original);
    vm.dict_set_str(&d, "input", hooked);
}

fn input(vm: &mut Vm, args: Args) -> PyResult {
    let original = args.data.clone();
    let r = vm.call(&original, args.pos);
    if let Some(tx) = vm
        .ext
        .get(PRINTER_KEY)
        .and_then(|b| b.downcast_ref::<Sender<PrinterMsg>>())
    {
        let _ = tx.send(PrinterMsg::LineEnded);
    }
    r
}
