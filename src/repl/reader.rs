//! The reader thread: reads input off the interpreter's thread and hands complete inputs in
//! through the event loop's waker, as `python -m asyncio` does, so tasks keep running while
//! the user types.
//!
//! Lines come from rustyline in a terminal (with history, completion, hints and colours) or
//! from plain standard input otherwise (prompts then go to stderr, as python3's do).
//! Invariant: the reader asks for a line only after the interpreter said `Ready`, and sends
//! exactly one request per `Ready` (an input, or end of input).

use super::complete::Target;
use super::helper::ReplHelper;
use super::input::{classify, is_blank, InputState};
use super::{Reply, Request};
use crate::event_loop::Remote;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

/// The primary prompt.
pub const PS1: &str = ">>> ";
/// The continuation prompt.
pub const PS2: &str = "... ";

/// How long completion waits for the interpreter before offering keywords only.
const COMPLETION_WAIT: Duration = Duration::from_millis(750);

/// The reader's handle on the interpreter thread.
#[derive(Clone)]
pub struct ToVm {
    pub tx: Sender<Request>,
    pub remote: Arc<Remote>,
}

impl ToVm {
    /// Sends a request and wakes the event loop to take it.
    pub fn send(&self, r: Request) {
        if self.tx.send(r).is_ok() {
            self.remote.submit(Box::new(|_| {}));
        }
    }

    /// Live completions of `target`, or none if the interpreter is busy.
    pub fn complete(&self, target: Target) -> Vec<String> {
        let (reply, rx) = std::sync::mpsc::channel();
        self.send(Request::Complete { target, reply });
        rx.recv_timeout(COMPLETION_WAIT).unwrap_or_default()
    }
}

/// One read at a prompt.
pub enum Read {
    /// A line without its newline; a pasted or recalled buffer may hold several.
    Line(String),
    /// Ctrl-C: the input so far is dropped.
    Interrupted,
    /// Ctrl-D, or the end of standard input.
    Eof,
}

/// Where lines come from.
pub trait LineSource {
    /// Reads at `prompt`; `pending` holds the current input's earlier lines.
    fn read(&mut self, prompt: &str, pending: &str) -> Read;
    /// Records a complete input in the history.
    fn remember(&mut self, _entry: &str) {}
}

/// Runs the reader until end of input or until the session ends.
pub fn reader_loop(source: &mut dyn LineSource, to_vm: &ToVm, replies: &Receiver<Reply>) {
    loop {
        match replies.recv() {
            Ok(Reply::Ready) => {}
            Ok(Reply::Exit) | Err(_) => return,
        }
        match read_input(source) {
            Some((src, block)) => {
                source.remember(&src);
                to_vm.send(Request::Input { src, block });
            }
            None => {
                to_vm.send(Request::Eof);
                return;
            }
        }
    }
}

/// Reads lines until they form a complete input (or a syntax error); None at end of input.
fn read_input(source: &mut dyn LineSource) -> Option<(String, bool)> {
    let mut buf = String::new();
    let mut block = false;
    loop {
        let prompt = if buf.is_empty() { PS1 } else { PS2 };
        match source.read(prompt, &buf) {
            Read::Eof => return None,
            Read::Interrupted => {
                buf.clear();
                block = false;
            }
            Read::Line(line) => {
                if buf.is_empty() && is_blank(&line) {
                    continue;
                }
                block |= line.contains('\n');
                buf.push_str(&line);
                buf.push('\n');
                if classify(&buf, block) != InputState::Incomplete {
                    return Some((buf, block));
                }
            }
        }
    }
}

/// Lines from standard input when it is not a terminal.
pub struct PlainLines;

impl LineSource for PlainLines {
    fn read(&mut self, prompt: &str, _pending: &str) -> Read {
        let mut err = std::io::stderr();
        let _ = err.write_all(prompt.as_bytes());
        let _ = err.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = err.write_all(b"\n");
                Read::Eof
            }
            Ok(_) => {
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Read::Line(line)
            }
        }
    }
}

/// Lines from rustyline, with a persistent history file.
pub struct Terminal {
    pub editor: Editor<ReplHelper, FileHistory>,
    pub history: Option<PathBuf>,
    /// True while inside `readline` (the printer then prints above the prompt).
    pub reading: Arc<AtomicBool>,
}

impl Terminal {
    /// A line editor for the terminal, or None if rustyline cannot drive it.
    pub fn new(to_vm: ToVm, history: Option<PathBuf>, reading: Arc<AtomicBool>) -> Option<Self> {
        let color = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            ColorMode::Disabled
        } else {
            ColorMode::Enabled
        };
        let config = Config::builder()
            .auto_add_history(false)
            .history_ignore_space(true)
            .history_ignore_dups(true)
            .ok()?
            .max_history_size(10_000)
            .ok()?
            .completion_type(CompletionType::List)
            .color_mode(color)
            .tab_stop(4)
            .indent_size(4)
            .build();
        let mut editor = Editor::with_config(config).ok()?;
        editor.set_helper(Some(ReplHelper::new(to_vm)));
        if let Some(p) = &history {
            // A missing or unreadable file only means no earlier history.
            let _ = editor.load_history(p);
        }
        Some(Terminal {
            editor,
            history,
            reading,
        })
    }
}

impl LineSource for Terminal {
    fn read(&mut self, prompt: &str, pending: &str) -> Read {
        if let Some(h) = self.editor.helper() {
            *h.pending.borrow_mut() = pending.to_string();
        }
        self.reading.store(true, Ordering::SeqCst);
        let r = self.editor.readline(prompt);
        self.reading.store(false, Ordering::SeqCst);
        match r {
            Ok(line) => Read::Line(line),
            Err(ReadlineError::Interrupted) => {
                let _ = std::io::stderr().write_all(b"KeyboardInterrupt\n");
                Read::Interrupted
            }
            Err(_) => {
                let _ = std::io::stdout().write_all(b"\n");
                let _ = std::io::stdout().flush();
                Read::Eof
            }
        }
    }

    fn remember(&mut self, entry: &str) {
        let entry = entry.trim_end_matches('\n');
        if entry.is_empty() {
            return;
        }
        if let Ok(true) = self.editor.add_history_entry(entry) {
            if let Some(p) = &self.history {
                // History is a convenience: a read-only home must not stop the session.
                let _ = self.editor.append_history(p);
            }
        }
    }
}

/// The history file: `$AIO_HISTORY` if set (empty disables history), else
/// `~/.aio_history`.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os("AIO_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".aio_history")),
    }
}
