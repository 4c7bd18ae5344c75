//! Source text to AST: tokens (logos), the layout pass, the LALRPOP parser, and the checks
//! that turn parse failures into CPython 3.11's SyntaxErrors.
//!
//! Invariant: every entry point either returns an AST whose spans are byte offsets into the
//! given text and whose nesting depth is at most `depth::MAX_DEPTH`, or a `SyntaxError` with
//! CPython's message; no input makes it panic or overflow the stack.

mod args;
pub mod ast;
mod depth;
pub mod error;
mod fstring;
pub mod layout;
pub mod literal;
mod nodes;
mod recover;
mod targets;
pub mod token;

#[allow(
    clippy::all,
    clippy::pedantic,
    unused_parens,
    unused_imports,
    dead_code
)]
mod grammar {
    include!(concat!(env!("OUT_DIR"), "/aio.rs"));
}

pub use depth::MAX_DEPTH;
pub use error::{SyntaxError, SyntaxErrorKind};

use lalrpop_util::ParseError;

use crate::source::Span;
use layout::{End, Mode, Tokens};
use nodes::{PErr, Top};
use token::Tok;

/// Parses a whole module (a file).
pub fn parse_module(src: &str) -> Result<ast::Module, SyntaxError> {
    match run(src, Mode::Module)? {
        Top::Module(lines) => Ok(ast::Module {
            body: lines.into_iter().flatten().collect(),
        }),
        _ => unreachable!("the module start token yields a module"),
    }
}

/// Parses interactive input: one statement (simple or compound) or several simple ones on
/// one line. Input that ends too early gives an error with `incomplete` set.
pub fn parse_interactive(src: &str) -> Result<ast::Module, SyntaxError> {
    let Top::Interactive(mut lines) = run(src, Mode::Interactive)? else {
        unreachable!("the interactive start token yields interactive input")
    };
    if lines.len() > 1 {
        let second = lines.swap_remove(1);
        let span = second.first().map_or(Span::default(), |s| s.span);
        return Err(SyntaxError::new(
            "multiple statements found while compiling a single statement",
            span,
        ));
    }
    Ok(ast::Module {
        body: lines.pop().unwrap_or_default(),
    })
}

/// Parses interactive input that may hold several statements (a block pasted at the
/// prompt): the same completeness rules as `parse_interactive`, applied to the last
/// top-level statement, and every statement is kept.
pub fn parse_interactive_block(src: &str) -> Result<ast::Module, SyntaxError> {
    let Top::Interactive(lines) = run(src, Mode::Interactive)? else {
        unreachable!("the interactive start token yields interactive input")
    };
    Ok(ast::Module {
        body: lines.into_iter().flatten().collect(),
    })
}

/// Parses a single expression (what `eval` accepts).
pub fn parse_expression(src: &str) -> Result<ast::Expr, SyntaxError> {
    let Top::Expression(e) = run(src, Mode::Expression)? else {
        unreachable!("the expression start token yields an expression")
    };
    match &e.kind {
        ast::ExprKind::Starred(_) => Err(SyntaxError::new("invalid syntax", e.span)),
        ast::ExprKind::Yield(_) | ast::ExprKind::YieldFrom(_) => {
            Err(SyntaxError::new("invalid syntax", e.span))
        }
        _ => Ok(e),
    }
}

/// Parses the expression of an f-string field, `src[lo..hi]`, as CPython does: as if it
/// were in parentheses. Spans point into `src`.
pub(crate) fn parse_fstring_field(
    src: &str,
    lo: usize,
    hi: usize,
) -> Result<ast::Expr, SyntaxError> {
    let tokens = layout::tokenize(&src[lo..hi], lo, Mode::Expression);
    let Top::Expression(e) = parse_tokens(src, tokens, Mode::Expression)? else {
        unreachable!("the expression start token yields an expression")
    };
    if let ast::ExprKind::Starred(_) = e.kind {
        return Err(SyntaxError::new(
            "cannot use starred expression here",
            e.span,
        ));
    }
    Ok(e)
}

fn run(src: &str, mode: Mode) -> Result<Top, SyntaxError> {
    if let Some(i) = src.find('\0') {
        return Err(SyntaxError::new(
            "source code string cannot contain null bytes",
            Span::new(i, i + 1),
        ));
    }
    let tokens = layout::tokenize(src, 0, mode);
    let top = parse_tokens(src, tokens, mode)?;
    depth::check(top)
}

/// Token streams whose depth bound stays below this are parsed on the caller's stack: even
/// a rejected tree that deep drops recursively in well under 1 MB.
const INLINE_DEPTH: usize = 5_000;
/// Beyond this bound the input is refused before parsing (only a pathological operator
/// chain gets here; CPython itself gives up on chains a thousand times shorter).
const REFUSED_DEPTH: usize = 1_000_000;
/// Stack reserved per level of possible nesting when parsing on a helper thread.
const STACK_PER_LEVEL: usize = 512;

/// Parses tokens, on a helper thread with a stack sized for the token stream's nesting
/// bound when that bound is large: the LR parser itself never recurses, but dropping a
/// partly built tree after an error does (the AST types have ordinary recursive drops).
fn parse_tokens(src: &str, tokens: Tokens<'_>, mode: Mode) -> Result<Top, SyntaxError> {
    let bound = tokens.depth_bound;
    if bound <= INLINE_DEPTH {
        return parse_tokens_here(src, tokens, mode);
    }
    if bound > REFUSED_DEPTH {
        return Err(too_deep(src, &tokens));
    }
    let stack = bound * STACK_PER_LEVEL + (1 << 20);
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("aio-parse".into())
            .stack_size(stack)
            .spawn_scoped(scope, || {
                let top = parse_tokens_here(src, tokens, mode)?;
                depth::check(top)
            });
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(_) => Err(SyntaxError::with_kind(
                SyntaxErrorKind::RecursionError,
                "maximum recursion depth exceeded during compilation",
                Span::new(0, 0),
            )),
        }
    })
}

fn too_deep(src: &str, tokens: &Tokens<'_>) -> SyntaxError {
    let at = tokens.toks.first().map_or(src.len(), |t| t.0);
    SyntaxError::with_kind(
        SyntaxErrorKind::RecursionError,
        "maximum recursion depth exceeded during compilation",
        Span::new(at, at),
    )
}

fn parse_tokens_here(src: &str, tokens: Tokens<'_>, mode: Mode) -> Result<Top, SyntaxError> {
    let start = match mode {
        Mode::Module => Tok::StartModule,
        Mode::Interactive => Tok::StartInteractive,
        Mode::Expression => Tok::StartExpression,
    };
    let end_error = match &tokens.end {
        End::Eof => None,
        End::Eager(e) | End::Lazy(e) | End::Unclosed(e, _) => Some(e.clone()),
    };
    let first = tokens.toks.first().map_or(src.len(), |t| t.0);
    let stream = std::iter::once(Ok((first, start, first)))
        .chain(tokens.toks.iter().cloned().map(Ok))
        .chain(end_error.map(|e| Err(PErr::Lex(e))));
    match grammar::TopParser::new().parse(src, stream) {
        Ok(top) => Ok(top),
        Err(e) => Err(explain(src, &tokens, e)),
    }
}

/// Turns a parser failure into the error CPython would report.
fn explain(src: &str, tokens: &Tokens<'_>, e: ParseError<usize, Tok<'_>, PErr>) -> SyntaxError {
    // Where the parser stopped reading, for CPython's "which error wins" rule.
    let mut stopped_at = None;
    let err = match e {
        ParseError::User {
            error: PErr::Lex(err),
        } => return err,
        ParseError::User {
            error: PErr::Syntax(err),
        } => err,
        ParseError::User {
            error: PErr::AtNextToken(msg, after),
        } => {
            let span = recover::next_token_span(src, tokens, after);
            stopped_at = Some(span.lo as usize);
            SyntaxError::new(msg, span)
        }
        ParseError::UnrecognizedToken {
            token: (lo, tok, _),
            expected,
        } => {
            // `tok` is only used to find the failing token among equal offsets.
            stopped_at = Some(lo);
            let err = recover::unexpected(src, tokens, Some(lo), Some(&tok), &expected);
            if matches!(
                err.msg.as_str(),
                "unexpected indent" | "unexpected unindent"
            ) {
                // CPython reports these at once, without tokenizing the rest of the input.
                return err;
            }
            err
        }
        ParseError::UnrecognizedEof { expected, .. } => {
            stopped_at = Some(src.len());
            recover::unexpected(src, tokens, None, None, &expected)
        }
        ParseError::InvalidToken { location } => {
            SyntaxError::new("invalid syntax", Span::new(location, location + 1))
        }
        ParseError::ExtraToken { token: (lo, _, hi) } => {
            SyntaxError::new("invalid syntax", Span::new(lo, hi))
        }
    };
    let stopped_at = stopped_at.unwrap_or(err.span.lo as usize);
    prefer_tokenizer_error(src, tokens, err, stopped_at)
}

/// After a parse error CPython tokenizes the rest of the input: a tokenizer error there, or
/// a bracket left open on a line before the last token the parser read, replaces the
/// parser's error. (CPython's error pass also reads a little past an opening bracket on
/// the failing line, so such a bracket counts too.)
fn prefer_tokenizer_error(
    src: &str,
    tokens: &Tokens<'_>,
    err: SyntaxError,
    stopped_at: usize,
) -> SyntaxError {
    match &tokens.end {
        End::Eager(e) => e.clone(),
        End::Unclosed(e, line) => {
            let stop_line = layout::line_at(src, stopped_at);
            let bracket = e.span.lo as usize;
            if *line < stop_line || (*line == stop_line && bracket >= stopped_at) {
                e.clone()
            } else {
                err
            }
        }
        _ => err,
    }
}
