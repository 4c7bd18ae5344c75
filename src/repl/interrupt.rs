//! Ctrl-C while code runs, and the terminal's state at exit.
//!
//! While a line is being edited rustyline reads Ctrl-C as a key (the terminal is in raw
//! mode). While code runs, Ctrl-C is SIGINT: a watcher thread flags it for the session and
//! wakes the event loop, and the session cancels the awaited work (`cancel`), leaving
//! background tasks alone. Code that never returns to the loop (`while True: pass`) cannot
//! take that flag, so when the session has not taken it within `ESCALATE_AFTER` the watcher
//! sets the interpreter's interrupt flag, which raises KeyboardInterrupt in the running code.
//! Invariant: every SIGINT is acted on exactly once, by the session or by the interpreter.

use crate::event_loop::Remote;
use crate::vm::limits::signal::KEYBOARD_INTERRUPT;
use nix::sys::termios::{tcgetattr, tcsetattr, SetArg, Termios};
use signal_hook::consts::SIGINT;
use signal_hook::iterator::{Handle, Signals};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the session has to take a SIGINT before it interrupts the running code.
const ESCALATE_AFTER: Duration = Duration::from_millis(250);

/// The SIGINT watcher thread.
pub struct SigintWatch {
    handle: Handle,
}

impl SigintWatch {
    /// Starts watching: `pending` is the session's flag, `hard` the interpreter's signal
    /// word (`Vm::limits.signals`).
    pub fn start(
        pending: Arc<AtomicBool>,
        hard: Arc<AtomicU32>,
        remote: Arc<Remote>,
    ) -> Option<SigintWatch> {
        let mut signals = Signals::new([SIGINT]).ok()?;
        let handle = signals.handle();
        let spawned = std::thread::Builder::new()
            .name("aio-sigint".into())
            .spawn(move || {
                for _ in signals.forever() {
                    pending.store(true, Ordering::SeqCst);
                    remote.submit(Box::new(|_| {}));
                    let deadline = Instant::now() + ESCALATE_AFTER;
                    while pending.load(Ordering::SeqCst) && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    if pending.swap(false, Ordering::SeqCst) {
                        hard.fetch_or(KEYBOARD_INTERRUPT, Ordering::SeqCst);
                    }
                }
            });
        spawned.ok()?;
        Some(SigintWatch { handle })
    }
}

impl Drop for SigintWatch {
    fn drop(&mut self) {
        self.handle.close();
    }
}

/// The terminal settings at start, put back when the session ends — even if it ends while
/// rustyline has the terminal in raw mode (a background task calling `exit()`).
pub struct TerminalGuard {
    saved: Option<Termios>,
}

impl TerminalGuard {
    pub fn save() -> TerminalGuard {
        let stdin = std::io::stdin();
        let saved = if stdin.is_terminal() {
            tcgetattr(&stdin).ok()
        } else {
            None
        };
        TerminalGuard { saved }
    }

    /// Restores the settings; `mid_edit` when a line was being edited (bracketed paste is
    /// then switched off again and the cursor moved to a fresh line).
    pub fn restore(&self, mid_edit: bool) {
        let Some(t) = &self.saved else { return };
        let _ = tcsetattr(std::io::stdin(), SetArg::TCSADRAIN, t);
        if mid_edit {
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x1b[?2004l\r\n");
            let _ = out.flush();
        }
    }
}
