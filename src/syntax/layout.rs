//! Layout pass: turns the lexer's physical tokens into the logical token stream the parser
//! reads, adding NEWLINE, INDENT and DEDENT as CPython's tokenizer does.
//!
//! Invariants: no NEWLINE/INDENT/DEDENT is ever emitted inside brackets, nor for blank or
//! comment-only lines; DEDENT is zero-width at the next token; at the end of input a NEWLINE
//! (if the last line had tokens) and then every pending DEDENT are emitted. Lexing stops at
//! the first error, which is kept in `Tokens::end` together with how CPython would rank it
//! against a parser error found earlier in the stream.

use logos::Logos;

use super::error::{SyntaxError, SyntaxErrorKind};
use super::token::{LexError, LexFailure, Tok};
use crate::source::Span;

/// A token with its byte span.
pub type Spanned<'a> = (usize, Tok<'a>, usize);

/// CPython's limit on bracket nesting (`MAXLEVEL`).
pub const MAX_BRACKETS: usize = 200;
/// CPython's limit on indentation levels (`MAXINDENT`): 99 nested blocks are accepted.
pub const MAX_INDENT: usize = 100;

/// What kind of input is being tokenized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A file: full layout.
    Module,
    /// REPL input: full layout, but running out of input inside an unfinished construct is
    /// reported as incomplete.
    Interactive,
    /// An expression (or an f-string field): read as if inside brackets, so no layout
    /// tokens at all.
    Expression,
}

/// How the token stream ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// Cleanly, at the end of input.
    Eof,
    /// With an error CPython's tokenizer raises as soon as it sees it; it replaces a parser
    /// error found earlier (CPython re-tokenizes the rest of the file after a parse error).
    Eager(SyntaxError),
    /// With an error reported only if the parser gets this far.
    Lazy(SyntaxError),
    /// Inside brackets: "'(' was never closed". The line is the bracket's: CPython prefers
    /// this error to a parser error on a later line.
    Unclosed(SyntaxError, usize),
}

/// The output of the layout pass.
#[derive(Debug)]
pub struct Tokens<'a> {
    pub toks: Vec<Spanned<'a>>,
    pub end: End,
    /// An upper bound on how deeply the parser can nest nodes for these tokens (see
    /// `DepthBound`); the parser uses it to keep even a rejected tree's drop off the stack.
    pub depth_bound: usize,
}

/// Computes an upper bound on expression nesting from tokens alone. Every level of a tree
/// needs an operator-like token of its own (`-`, `.`, `if`, `lambda`, `**`...) or a bracket,
/// and elements separated by commas are siblings, so the bound for one bracket level is the
/// operator count of its longest comma-separated segment plus the bound of the deepest
/// bracket inside that segment. (Commas after `lambda` are parameter separators, not
/// sibling boundaries, so they do not reset the count.)
#[derive(Default)]
struct DepthBound {
    /// Per open bracket level: (operators in this segment, deepest child in this segment,
    /// best finished segment, `lambda` seen).
    levels: Vec<(usize, usize, usize, bool)>,
    max: usize,
}

impl DepthBound {
    fn token(&mut self, tok: &Tok<'_>) {
        if self.levels.is_empty() {
            self.levels.push((0, 0, 0, false));
        }
        let top = self.levels.last_mut().expect("non-empty");
        match tok {
            Tok::Name(_) | Tok::Number(_) | Tok::Str(_) | Tok::None | Tok::True | Tok::False => {}
            Tok::Comma if !top.3 => {
                top.2 = top.2.max(top.0 + top.1);
                top.0 = 0;
                top.1 = 0;
            }
            Tok::Newline | Tok::Semi => self.end_statement(),
            t if t.is_open() => {
                top.0 += 1;
                self.levels.push((0, 0, 0, false));
            }
            t if t.is_close() => {
                let (seg, child, best, _) = self.levels.pop().expect("non-empty");
                let bound = best.max(seg + child) + 1;
                if let Some(parent) = self.levels.last_mut() {
                    parent.1 = parent.1.max(bound);
                }
            }
            Tok::Lambda => {
                top.3 = true;
                top.0 += 1;
            }
            _ => top.0 += 1,
        }
    }

    fn end_statement(&mut self) {
        while let Some((seg, child, best, _)) = self.levels.pop() {
            let bound = best.max(seg + child) + 1;
            self.max = self.max.max(bound);
            if let Some(parent) = self.levels.last_mut() {
                parent.1 = parent.1.max(bound);
            }
        }
    }
}

/// 1-based line number of byte offset `pos` (only used to build messages).
pub fn line_at(src: &str, pos: usize) -> usize {
    let upto = &src.as_bytes()[..pos.min(src.len())];
    let mut line = 1;
    for (i, &b) in upto.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && upto.get(i + 1) != Some(&b'\n')) {
            line += 1;
        }
    }
    line
}

/// Whether REPL input ends with a blank line (which closes a compound statement).
fn ends_with_blank_line(src: &str) -> bool {
    let Some(rest) = src.strip_suffix('\n') else {
        return false;
    };
    let rest = rest.strip_suffix('\r').unwrap_or(rest);
    match rest.rfind('\n') {
        Some(i) => rest[i + 1..]
            .trim_matches([' ', '\t', '\x0c', '\r'])
            .is_empty(),
        None => false,
    }
}

struct Layout<'a> {
    src: &'a str,
    base: usize,
    mode: Mode,
    out: Vec<Spanned<'a>>,
    /// Open brackets: the opening character and its offset.
    brackets: Vec<(u8, usize)>,
    /// Indentation stack: (column with tabs to 8, column with tabs to 1).
    indents: Vec<(usize, usize)>,
    at_line_start: bool,
    line_start: usize,
    line_has_tokens: bool,
    first_token: Option<Tok<'a>>,
}

/// Tokenizes `src`. Positions are offset by `base` (non-zero for an f-string field).
pub fn tokenize(src: &str, base: usize, mode: Mode) -> Tokens<'_> {
    let mut lay = Layout {
        src,
        base,
        mode,
        out: Vec::with_capacity(src.len() / 4),
        brackets: Vec::new(),
        indents: vec![(0, 0)],
        at_line_start: mode != Mode::Expression,
        line_start: 0,
        line_has_tokens: false,
        first_token: None,
    };
    let start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    lay.line_start = start;
    let end = lay.run(start);
    let mut out = lay.out;
    let end = match end {
        Ok(()) => End::Eof,
        Err(e) => e,
    };
    let end = rewrite_soft_syntax(&mut out, end);
    let mut bound = DepthBound::default();
    for (_, t, _) in &out {
        bound.token(t);
    }
    bound.end_statement();
    Tokens {
        toks: out,
        end,
        depth_bound: bound.max,
    }
}

impl<'a> Layout<'a> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        Span::new(self.base + lo, self.base + hi)
    }

    fn error(&self, kind: SyntaxErrorKind, msg: impl Into<String>, lo: usize) -> SyntaxError {
        let hi = (lo + 1).min(self.src.len()).max(lo);
        SyntaxError::with_kind(kind, msg, self.span(lo, hi))
    }

    fn push(&mut self, lo: usize, tok: Tok<'a>, hi: usize) {
        self.out.push((self.base + lo, tok, self.base + hi));
    }

    fn run(&mut self, start: usize) -> Result<(), End> {
        let mut lex = Tok::lexer(&self.src[start..]);
        let mut pending_continuation: Option<usize> = None;
        while let Some(item) = lex.next() {
            let range = lex.span();
            let (lo, hi) = (range.start + start, range.end + start);
            let tok = match item {
                Ok(tok) => tok,
                Err(e)
                    if e.what == LexFailure::BadChar
                        && self.src.as_bytes()[lo].is_ascii_graphic() =>
                {
                    Tok::Unknown
                }
                Err(e) => return Err(self.lex_error(e, start, lo)),
            };
            pending_continuation = None;
            match tok {
                Tok::Continuation => {
                    pending_continuation = Some(lo);
                    continue;
                }
                Tok::Backslash => {
                    let msg = if hi >= self.src.len() {
                        return Err(self.eof_after_backslash(hi));
                    } else {
                        "unexpected character after line continuation character"
                    };
                    return Err(End::Lazy(self.error(SyntaxErrorKind::SyntaxError, msg, hi)));
                }
                Tok::Newline => {
                    self.newline(lo, hi);
                    continue;
                }
                _ => {}
            }
            let starts_line = self.at_line_start && self.brackets.is_empty();
            if starts_line {
                self.indentation(lo)?;
            }
            self.at_line_start = false;
            self.line_has_tokens = true;
            if self.first_token.is_none() || (starts_line && self.starts_top_level_statement(&tok))
            {
                self.first_token = Some(tok.clone());
            }
            if tok.is_open() {
                if self.brackets.len() >= MAX_BRACKETS {
                    let msg = "too many nested parentheses";
                    return Err(End::Eager(self.error(
                        SyntaxErrorKind::SyntaxError,
                        msg,
                        lo,
                    )));
                }
                self.brackets.push((self.src.as_bytes()[lo], lo));
            } else if tok.is_close() {
                self.close_bracket(self.src.as_bytes()[lo], lo)?;
            }
            self.push(lo, tok, hi);
        }
        if let Some(at) = pending_continuation {
            return Err(self.eof_after_backslash(at + 1));
        }
        self.finish()
    }

    fn eof_after_backslash(&self, at: usize) -> End {
        let err = self.error(
            SyntaxErrorKind::SyntaxError,
            "unexpected EOF while parsing",
            at,
        );
        End::Lazy(self.maybe_incomplete(err))
    }

    fn maybe_incomplete(&self, err: SyntaxError) -> SyntaxError {
        if self.mode == Mode::Interactive {
            err.incomplete()
        } else {
            err
        }
    }

    fn newline(&mut self, lo: usize, hi: usize) {
        if !self.brackets.is_empty() || self.mode == Mode::Expression {
            return;
        }
        if self.line_has_tokens {
            self.push(lo, Tok::Newline, hi);
        }
        self.line_has_tokens = false;
        self.at_line_start = true;
        self.line_start = hi;
    }

    fn close_bracket(&mut self, close: u8, lo: usize) -> Result<(), End> {
        let Some((open, open_at)) = self.brackets.pop() else {
            let msg = format!("unmatched '{}'", close as char);
            return Err(End::Eager(self.error(
                SyntaxErrorKind::SyntaxError,
                msg,
                lo,
            )));
        };
        let expected = match open {
            b'(' => b')',
            b'[' => b']',
            _ => b'}',
        };
        if close == expected {
            return Ok(());
        }
        let open_line = line_at(self.src, open_at);
        let mut msg = format!(
            "closing parenthesis '{}' does not match opening parenthesis '{}'",
            close as char, open as char
        );
        if open_line != line_at(self.src, lo) {
            msg.push_str(&format!(" on line {open_line}"));
        }
        Err(End::Eager(self.error(
            SyntaxErrorKind::SyntaxError,
            msg,
            lo,
        )))
    }

    /// Measures the indentation of the line starting at `line_start` whose first token is at
    /// `first`, and emits INDENT/DEDENT (or an indentation error).
    fn indentation(&mut self, first: usize) -> Result<(), End> {
        let (mut col, mut alt) = (0usize, 0usize);
        for &b in &self.src.as_bytes()[self.line_start..first] {
            match b {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => {
                    col = 0;
                    alt = 0;
                }
                _ => {}
            }
        }
        let (top, top_alt) = *self.indents.last().expect("the stack holds 0");
        if col == top {
            if alt != top_alt {
                return Err(self.tab_error());
            }
        } else if col > top {
            if self.indents.len() >= MAX_INDENT {
                return Err(End::Lazy(self.error(
                    SyntaxErrorKind::IndentationError,
                    "too many levels of indentation",
                    self.line_start,
                )));
            }
            if alt <= top_alt {
                return Err(self.tab_error());
            }
            self.indents.push((col, alt));
            self.push(self.line_start, Tok::Indent, first);
        } else {
            // Check the target level before emitting anything, as CPython's tokenizer does.
            let keep = self
                .indents
                .iter()
                .rposition(|&(c, _)| c <= col)
                .unwrap_or(0);
            let (top, top_alt) = self.indents[keep];
            if col != top {
                let eol = self.src[first..]
                    .find(['\n', '\r'])
                    .map_or(self.src.len(), |i| first + i);
                return Err(End::Lazy(self.error(
                    SyntaxErrorKind::IndentationError,
                    "unindent does not match any outer indentation level",
                    eol,
                )));
            }
            if alt != top_alt {
                return Err(self.tab_error());
            }
            for _ in keep + 1..self.indents.len() {
                self.push(first, Tok::Dedent, first);
            }
            self.indents.truncate(keep + 1);
        }
        Ok(())
    }

    fn tab_error(&self) -> End {
        End::Lazy(self.error(
            SyntaxErrorKind::TabError,
            "inconsistent use of tabs and spaces in indentation",
            self.line_start,
        ))
    }

    /// End of input: NEWLINE, DEDENTs, or the reason the input is unfinished.
    fn finish(&mut self) -> Result<(), End> {
        let len = self.src.len();
        if let Some(&(open, at)) = self.brackets.last() {
            let msg = format!("'{}' was never closed", open as char);
            let err = self.error(SyntaxErrorKind::SyntaxError, msg, at);
            return Err(End::Unclosed(
                self.maybe_incomplete(err),
                line_at(self.src, at),
            ));
        }
        if self.mode == Mode::Expression {
            return Ok(());
        }
        if self.mode == Mode::Interactive && self.needs_more_lines() {
            let err = SyntaxError::new("incomplete input", self.span(len, len)).incomplete();
            return Err(End::Lazy(err));
        }
        if self.line_has_tokens {
            self.push(len, Tok::Newline, len);
        }
        for _ in 1..self.indents.len() {
            self.push(len, Tok::Dedent, len);
        }
        Ok(())
    }

    /// In interactive mode, whether `tok`, first on its line, begins a new top-level
    /// statement: the blank-line rule then applies to that statement (a pasted block of
    /// several statements is complete when its last one is). Clauses continuing a compound
    /// statement (`else`, `elif`, `except`, `finally`) do not begin one.
    fn starts_top_level_statement(&self, tok: &Tok<'a>) -> bool {
        self.mode == Mode::Interactive
            && self.indents.len() == 1
            && !matches!(tok, Tok::Else | Tok::Elif | Tok::Except | Tok::Finally)
    }

    /// A compound statement at the prompt ends only at a blank line, as in CPython's REPL.
    fn needs_more_lines(&self) -> bool {
        let compound = matches!(
            self.first_token,
            Some(
                Tok::If
                    | Tok::While
                    | Tok::For
                    | Tok::Try
                    | Tok::With
                    | Tok::Def
                    | Tok::Class
                    | Tok::Async
                    | Tok::At
            )
        );
        compound && !ends_with_blank_line(self.src)
    }

    fn lex_error(&self, e: LexError, start: usize, lo: usize) -> End {
        let kind = SyntaxErrorKind::SyntaxError;
        match e.what {
            LexFailure::BadChar => self.bad_char(lo),
            LexFailure::Message => End::Eager(self.error(kind, e.msg, e.pos + start)),
            LexFailure::UnterminatedString | LexFailure::UnterminatedTriple => {
                let triple = e.what == LexFailure::UnterminatedTriple;
                let mut detected = e.detected + start;
                if triple {
                    // At the end of input CPython names the last terminated line.
                    if self.src[..detected].ends_with(['\n', '\r']) {
                        detected -= 1;
                    }
                }
                let line = line_at(self.src, detected);
                let msg = if triple {
                    format!("unterminated triple-quoted string literal (detected at line {line})")
                } else {
                    format!("unterminated string literal (detected at line {line})")
                };
                let err = self.error(kind, msg, e.pos + start);
                if triple {
                    End::Eager(self.maybe_incomplete(err))
                } else {
                    End::Eager(err)
                }
            }
        }
    }

    /// A character that starts no token.
    fn bad_char(&self, lo: usize) -> End {
        let c = self.src[lo..].chars().next().unwrap_or('\0');
        let span = self.span(lo, lo + c.len_utf8());
        let msg = if is_non_printable(c) {
            format!("invalid non-printable character U+{:04X}", c as u32)
        } else {
            format!("invalid character '{c}' (U+{:04X})", c as u32)
        };
        End::Eager(SyntaxError::new(msg, span))
    }
}

/// An approximation of `not str.isprintable()` for characters that start no token.
fn is_non_printable(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && !c.is_ascii())
        || matches!(c as u32, 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2064 | 0xfeff)
}

/// Token-level rewrites the LALR grammar cannot express: `with (` opening an item list
/// becomes `WithLParen`; unsupported statements (`match`, `except*`) end the stream with an
/// error at their position.
fn rewrite_soft_syntax(toks: &mut Vec<Spanned<'_>>, end: End) -> End {
    let mut at_stmt_start = true;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].1 {
            Tok::With if matches!(toks.get(i + 1), Some((_, Tok::LParen, _))) => {
                if let Some(close) = matching_close(toks, i + 1) {
                    if matches!(toks.get(close + 1), Some((_, Tok::Colon, _)))
                        && !holds_plain_expression(&toks[i + 2..close])
                    {
                        toks[i + 1].1 = Tok::WithLParen;
                    }
                }
            }
            Tok::Except if matches!(toks.get(i + 1), Some((_, Tok::Star, _))) => {
                let span = Span::new(toks[i].0, toks[i + 1].2);
                toks.truncate(i);
                let msg = "'except*' is not supported by Aio";
                return End::Lazy(SyntaxError::new(msg, span));
            }
            Tok::Name("match") if at_stmt_start && is_match_statement(toks, i) => {
                let span = Span::new(toks[i].0, toks[i].2);
                toks.truncate(i);
                let msg = "'match' statements are not supported by Aio";
                return End::Lazy(SyntaxError::new(msg, span));
            }
            _ => {}
        }
        at_stmt_start = matches!(toks[i].1, Tok::Newline | Tok::Indent | Tok::Dedent);
        i += 1;
    }
    end
}

/// Whether the tokens inside `with (...)` can only be one parenthesised expression (a
/// walrus, `yield` or a generator expression at the top level), which CPython then takes as
/// a single context manager rather than a list of items.
fn holds_plain_expression(inner: &[Spanned<'_>]) -> bool {
    let mut depth = 0usize;
    for (_, t, _) in inner {
        if t.is_open() {
            depth += 1;
        } else if t.is_close() {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && matches!(t, Tok::ColonEqual | Tok::Yield | Tok::For) {
            return true;
        }
    }
    false
}

/// Index of the bracket closing the one at `open`.
fn matching_close(toks: &[Spanned<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, (_, t, _)) in toks.iter().enumerate().skip(open) {
        if t.is_open() {
            depth += 1;
        } else if t.is_close() {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// `match` at the start of a statement is the soft keyword when its line ends with `:`
/// (no ordinary statement starting with a name does).
fn is_match_statement(toks: &[Spanned<'_>], i: usize) -> bool {
    if matches!(
        toks.get(i + 1),
        None | Some((
            _,
            Tok::Colon | Tok::Equal | Tok::Dot | Tok::Newline | Tok::Comma,
            _
        ))
    ) {
        return false;
    }
    let end = toks[i..]
        .iter()
        .position(|(_, t, _)| *t == Tok::Newline)
        .map_or(toks.len(), |p| i + p);
    end > i + 1 && toks[end - 1].1 == Tok::Colon
}

#[cfg(test)]
mod tests;
