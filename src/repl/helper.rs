//! The rustyline helper: completion, hints, colouring and the multi-line validator.
//!
//! It lives on the reader thread. Completion asks the interpreter thread for live names
//! (waiting a bounded time, so a busy interpreter only makes completion poorer, never
//! hangs the prompt). Invariant: the validator asks for more lines (`Incomplete`) only for
//! a multi-line buffer — a paste or a block recalled from history — that the parser says is
//! unfinished; typed lines are accepted one by one and continued at the `...` prompt.

use super::complete::{keywords, target, Target};
use super::highlight::{highlight, paint, HINT, PROMPT};
use super::input::{classify, InputState};
use super::reader::ToVm;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::RefCell;

/// What Tab inserts at the start of a line (or after only whitespace).
const INDENT: &str = "    ";

/// The REPL's rustyline helper.
pub struct ReplHelper {
    /// Lines of the current input accepted before this `readline` call.
    pub pending: RefCell<String>,
    to_vm: ToVm,
    hinter: HistoryHinter,
}

impl ReplHelper {
    pub fn new(to_vm: ToVm) -> ReplHelper {
        ReplHelper {
            pending: RefCell::new(String::new()),
            to_vm,
            hinter: HistoryHinter::new(),
        }
    }
}

impl Helper for ReplHelper {}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let line_start = line[..pos].rfind('\n').map_or(0, |i| i + 1);
        if line[line_start..pos].trim().is_empty() {
            let indent = Pair {
                display: INDENT.into(),
                replacement: INDENT.into(),
            };
            return Ok((pos, vec![indent]));
        }
        let (start, what) = target(line, pos);
        let word = what.word();
        let is_module = matches!(what, Target::Module(_));
        if (word.is_empty() && !is_module) || word.starts_with(|c: char| c.is_ascii_digit()) {
            return Ok((pos, Vec::new()));
        }
        let mut words = match &what {
            Target::Expr(w) if !w.contains('.') => keywords(w),
            _ => Vec::new(),
        };
        words.extend(self.to_vm.complete(what.clone()));
        words.sort();
        words.dedup();
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.rsplit('.').next().unwrap_or(&w).to_string(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    /// The rest of the latest matching history entry, up to the end of its first line.
    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        if line.contains('\n') {
            return None;
        }
        let h = self.hinter.hint(line, pos, ctx)?;
        let first = h.split('\n').next().unwrap_or("");
        (!first.is_empty()).then(|| first.to_string())
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight(line))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Owned(paint(PROMPT, prompt))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(paint(HINT, hint))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if !input.contains('\n') {
            return Ok(ValidationResult::Valid(None));
        }
        let src = format!("{}{}\n", self.pending.borrow(), input);
        Ok(match classify(&src, true) {
            InputState::Incomplete => ValidationResult::Incomplete,
            InputState::Complete | InputState::Invalid => ValidationResult::Valid(None),
        })
    }
}
