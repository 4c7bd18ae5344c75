//! Errors found before a program runs: by the lexer, the layout pass, the parser, or the
//! compiler's checks. They become Aio `SyntaxError`/`IndentationError`/`TabError` exceptions
//! (or, past the nesting limits, `RecursionError`) with CPython 3.11's message; the span is what
//! the diagnostic renderer underlines.

use crate::source::Span;

/// Which exception class a compile-time error is raised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
    /// Nesting too deep for the compiler: CPython's "maximum recursion depth exceeded during
    /// compilation".
    RecursionError,
}

impl SyntaxErrorKind {
    /// The Python class name.
    pub fn class_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::SyntaxError => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
            SyntaxErrorKind::RecursionError => "RecursionError",
        }
    }
}

/// A compile-time error with CPython's message and the offending span.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// CPython's message, e.g. `'await' outside async function`.
    pub msg: String,
    pub span: Span,
    /// An extra hint for the rich rendering (never part of the Python-visible message).
    pub hint: Option<String>,
    /// True when the input simply ended too early (an open bracket, block or triple-quoted
    /// string): the REPL reads another line instead of reporting it.
    pub incomplete: bool,
}

impl SyntaxError {
    /// A plain `SyntaxError` at `span`.
    pub fn new(msg: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError {
            kind: SyntaxErrorKind::SyntaxError,
            msg: msg.into(),
            span,
            hint: None,
            incomplete: false,
        }
    }

    /// An error of another kind at `span`.
    pub fn with_kind(kind: SyntaxErrorKind, msg: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError {
            kind,
            ..SyntaxError::new(msg, span)
        }
    }

    /// Adds a hint for the rich rendering.
    pub fn hint(mut self, hint: impl Into<String>) -> SyntaxError {
        self.hint = Some(hint.into());
        self
    }

    /// Marks the error as "input ended too early".
    pub fn incomplete(mut self) -> SyntaxError {
        self.incomplete = true;
        self
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.class_name(), self.msg)
    }
}

impl std::error::Error for SyntaxError {}
