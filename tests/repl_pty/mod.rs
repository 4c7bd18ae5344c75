//! A small expect-style driver for `aio` on a pseudo-terminal.
//!
//! The child runs under `setsid -c` so the terminal is its controlling terminal: Ctrl-C
//! then sends SIGINT as it would for a person at a keyboard. Everything the child writes is
//! collected by a thread; `expect` waits (with a generous deadline) for text to appear after
//! what earlier expectations consumed, matching against the output with terminal escape
//! sequences and carriage returns removed.

use nix::pty::{openpty, Winsize};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long any one expectation may take on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    closed: bool,
}

/// A running `aio` on a pseudo-terminal.
pub struct Repl {
    child: Child,
    master: File,
    out: Arc<(Mutex<Captured>, Condvar)>,
    /// Position in the cleaned output up to which expectations have matched.
    pos: usize,
}

impl Repl {
    /// Starts `aio` with `args`, history in `history` (None: disabled), no colours.
    pub fn start(args: &[&str], history: Option<&Path>) -> Repl {
        let size = Winsize {
            ws_row: 50,
            ws_col: 200,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&size), None).expect("a pseudo-terminal");
        let slave = File::from(pty.slave);
        let bin = env!("CARGO_BIN_EXE_aio");
        let history = history.map_or(PathBuf::new(), Path::to_path_buf);
        let child = Command::new("setsid")
            .arg("-c")
            .arg(bin)
            .args(args)
            .env("AIO_HISTORY", &history)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::from(slave.try_clone().expect("dup")))
            .stdout(Stdio::from(slave.try_clone().expect("dup")))
            .stderr(Stdio::from(slave))
            .spawn()
            .expect("setsid and aio start");
        let master = File::from(pty.master);
        let mut reader = master.try_clone().expect("dup");
        let out: Arc<(Mutex<Captured>, Condvar)> = Arc::default();
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cv) = &*sink;
                let mut c = lock.lock().expect("capture lock");
                if n == 0 {
                    c.closed = true;
                    cv.notify_all();
                    return;
                }
                c.bytes.extend_from_slice(&buf[..n]);
                cv.notify_all();
            }
        });
        Repl {
            child,
            master,
            out,
            pos: 0,
        }
    }

    /// Everything written so far, without escape sequences or carriage returns.
    pub fn transcript(&self) -> String {
        let c = self.out.0.lock().expect("capture lock");
        clean(&String::from_utf8_lossy(&c.bytes))
    }

    /// Waits until `needle` appears after the last match; returns the text before it.
    pub fn expect(&mut self, needle: &str) -> String {
        let start = Instant::now();
        let (lock, cv) = &*self.out;
        let mut c = lock.lock().expect("capture lock");
        loop {
            let text = clean(&String::from_utf8_lossy(&c.bytes));
            if let Some(i) = text[self.pos.min(text.len())..].find(needle) {
                let from = self.pos;
                self.pos += i + needle.len();
                return text[from..from + i].to_string();
            }
            let waited = start.elapsed();
            if c.closed || waited >= DEADLINE {
                drop(c);
                panic!(
                    "did not see {needle:?} (after {waited:?}); output since the last match:\n{}",
                    self.transcript().get(self.pos..).unwrap_or("")
                );
            }
            c = cv
                .wait_timeout(c, Duration::from_millis(100))
                .expect("capture lock")
                .0;
        }
    }

    /// Waits for the primary prompt.
    pub fn prompt(&mut self) {
        self.expect(">>> ");
    }

    /// Types `text` as keys.
    pub fn send(&mut self, text: &str) {
        self.master
            .write_all(text.as_bytes())
            .expect("write to the terminal");
        self.master.flush().expect("flush the terminal");
    }

    /// Types a line and Enter (each `\n` in `text` is an Enter too).
    pub fn line(&mut self, text: &str) {
        self.send(&format!("{}\r", text.replace('\n', "\r")));
    }

    /// Types a line, waits for the output that must follow it, then for the next prompt.
    pub fn run(&mut self, text: &str, output: &str) {
        self.line(text);
        self.expect(output);
        self.prompt();
    }

    /// Types a line that prints nothing and waits for the next prompt.
    pub fn enter(&mut self, text: &str) {
        self.line(text);
        self.prompt();
    }

    /// Ctrl-D at an empty prompt (the caller has seen the prompt), then the exit status.
    pub fn quit(mut self) -> i32 {
        self.send("\x04");
        self.wait()
    }

    /// Waits for the child to end; its exit status.
    pub fn wait(&mut self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            if start.elapsed() >= DEADLINE {
                let _ = self.child.kill();
                panic!("aio did not exit; output:\n{}", self.transcript());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Repl {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Removes CSI and OSC escape sequences and carriage returns.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {}
            '\x1b' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' {
                            break;
                        }
                        if c == '\x1b' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            c => out.push(c),
        }
    }
    out
}

/// A fresh path for a history file (the file itself is not created).
pub fn temp_history(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("aio-repl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}
