//! Explaining a parse failure the way CPython 3.11 does.
//!
//! The LR parser stops at the first token it cannot shift, which is almost always the token
//! CPython's PEG parser blames for a generic "invalid syntax". CPython also has special
//! messages for common mistakes ("expected ':'", "expected an indented block after ...",
//! "Perhaps you forgot a comma?", "Maybe you meant '==' ..."); this module recognises the
//! frequent ones from the tokens around the failure. Invariant: it only reads tokens and
//! source text, never re-runs the main parser.

use super::ast::{ExprKind, UnaryOp};
use super::error::{SyntaxError, SyntaxErrorKind};
use super::layout::{line_at, Mode, Spanned, Tokens};
use super::targets::expr_name;
use super::token::Tok;
use crate::source::Span;

/// The span CPython reports for errors found while it looked ahead past a literal: the
/// token following byte offset `after`.
pub fn next_token_span(src: &str, tokens: &Tokens<'_>, after: usize) -> Span {
    let i = tokens.toks.partition_point(|t| t.0 < after);
    match tokens.toks.get(i) {
        Some(&(lo, _, hi)) => Span::new(lo, hi.max(lo + 1).min(src.len().max(lo))),
        None => Span::new(src.len(), src.len()),
    }
}

fn has(expected: &[String], terminal: &str) -> bool {
    expected.iter().any(|e| e.trim_matches('"') == terminal)
}

/// Index of the failing token (None at the end of the stream).
fn find_index(tokens: &Tokens<'_>, lo: Option<usize>, tok: Option<&Tok<'_>>) -> Option<usize> {
    let lo = lo?;
    let start = tokens.toks.partition_point(|t| t.0 < lo);
    (start..tokens.toks.len())
        .take_while(|&i| tokens.toks[i].0 == lo)
        .find(|&i| Some(&tokens.toks[i].1) == tok)
        .or(Some(start))
}

/// Explains an unexpected token (`lo`/`tok`), or the end of input when they are None.
pub fn unexpected(
    src: &str,
    tokens: &Tokens<'_>,
    lo: Option<usize>,
    tok: Option<&Tok<'_>>,
    expected: &[String],
) -> SyntaxError {
    let toks = &tokens.toks;
    let idx = find_index(tokens, lo, tok).filter(|&i| i < toks.len());
    let span = match idx {
        Some(i) => {
            let (lo, _, hi) = toks[i];
            Span::new(lo, hi.max(lo + 1).min(src.len()).max(lo))
        }
        None => eof_span(src),
    };
    let cur = idx.map(|i| &toks[i].1);
    if let Some(Tok::Indent) = cur {
        let at = (span.hi as usize).saturating_sub(1);
        return SyntaxError::with_kind(
            SyntaxErrorKind::IndentationError,
            "unexpected indent",
            Span::new(at, at + 1),
        );
    }
    // A DEDENT is zero-width: at the end of input CPython reports the end of the last line,
    // elsewhere the token that follows.
    let span = match (cur, idx) {
        (Some(Tok::Dedent), Some(i)) => match toks[i..].iter().find(|t| t.1 != Tok::Dedent) {
            Some(&(lo, _, hi)) if lo < src.len() => Span::new(lo, hi.max(lo + 1)),
            _ => eof_span(src),
        },
        _ => span,
    };
    let end = idx.unwrap_or(toks.len());
    if expected.len() == 1 && has(expected, "INDENT") {
        if let Some(e) = expected_block(src, toks, end, span) {
            return e;
        }
    }
    if has(expected, "except") && has(expected, "finally") {
        return SyntaxError::new("expected 'except' or 'finally' block", span);
    }
    let bare_header = matches!(
        header_keyword(toks, end),
        Some((_, Tok::Else | Tok::Try | Tok::Finally))
    );
    if (matches!(cur, Some(Tok::Newline) | None) || (expected.len() == 1 && bare_header))
        && has(expected, ":")
        && header_keyword(toks, end).is_some()
    {
        return SyntaxError::new("expected ':'", span);
    }
    if has(expected, "else") && !matches!(cur, Some(Tok::Else)) {
        if let Some(e) = expected_else(toks, end) {
            return e;
        }
    }
    if expected.len() == 1 && has(expected, "(") {
        return SyntaxError::new("expected '('", span);
    }
    if let Some(i) = idx {
        if let Some(e) = special_at(src, toks, i, expected) {
            return e;
        }
    }
    if let Some(e) = idx.and_then(|i| colon_after_non_target(src, toks, i)) {
        return e;
    }
    if let Some(Tok::Unknown) = cur {
        let hint = match &src[span.range()] {
            "`" => "backquotes are Python 2 syntax and not supported by Aio; use repr(...)",
            "<>" => "'<>' is not supported by Aio; use '!='",
            _ => "this character is not part of Aio's syntax",
        };
        return SyntaxError::new("invalid syntax", span).hint(hint);
    }
    if let Some(Tok::Dedent) = cur {
        let kind = SyntaxErrorKind::IndentationError;
        return SyntaxError::with_kind(kind, "unexpected unindent", span);
    }
    SyntaxError::new("invalid syntax", span)
}

/// Where CPython reports an error at the end of input: the end of the last line that has
/// any text (a comment counts).
fn eof_span(src: &str) -> Span {
    let trimmed = src.trim_end_matches([' ', '\t', '\x0c', '\n', '\r']);
    let pos = src[trimmed.len()..]
        .find(['\n', '\r'])
        .map_or(src.len(), |i| trimmed.len() + i);
    Span::new(pos, pos)
}

/// Index of the first token of the logical line holding token `i`.
fn line_start(toks: &[Spanned<'_>], i: usize) -> usize {
    let mut j = i.min(toks.len());
    while j > 0 && !matches!(toks[j - 1].1, Tok::Newline | Tok::Indent | Tok::Dedent) {
        j -= 1;
    }
    j
}

/// The compound-statement keyword opening the logical line that holds token `i - 1`.
fn header_keyword<'t>(toks: &'t [Spanned<'t>], i: usize) -> Option<(usize, &'t Tok<'t>)> {
    if i == 0 {
        return None;
    }
    let j = line_start(toks, i - 1);
    let first = &toks.get(j)?.1;
    let kw = match first {
        Tok::Async => &toks.get(j + 1)?.1,
        t => t,
    };
    matches!(
        kw,
        Tok::If
            | Tok::Elif
            | Tok::Else
            | Tok::While
            | Tok::For
            | Tok::Try
            | Tok::Except
            | Tok::Finally
            | Tok::With
            | Tok::Def
            | Tok::Class
    )
    .then_some((toks[j].0, kw))
}

/// "expected an indented block after 'if' statement on line N".
fn expected_block(src: &str, toks: &[Spanned<'_>], i: usize, span: Span) -> Option<SyntaxError> {
    // toks[i - 1] is the NEWLINE ending the header line.
    let (at, kw) = header_keyword(toks, i.checked_sub(1)?)?;
    let what = match kw {
        Tok::Def => "function definition".to_string(),
        Tok::Class => "class definition".to_string(),
        Tok::If => "'if' statement".into(),
        Tok::Elif => "'elif' statement".into(),
        Tok::Else => "'else' statement".into(),
        Tok::While => "'while' statement".into(),
        Tok::For => "'for' statement".into(),
        Tok::Try => "'try' statement".into(),
        Tok::Except => "'except' statement".into(),
        Tok::Finally => "'finally' statement".into(),
        _ => "'with' statement".into(),
    };
    let line = line_at(src, at);
    Some(SyntaxError::with_kind(
        SyntaxErrorKind::IndentationError,
        format!("expected an indented block after {what} on line {line}"),
        span,
    ))
}

fn is_open(t: &Tok<'_>) -> bool {
    t.is_open()
}

/// Tokens that end an atom (so that an atom starting right after them is juxtaposed).
fn ends_atom(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Name(_)
            | Tok::Number(_)
            | Tok::Str(_)
            | Tok::RParen
            | Tok::RSqb
            | Tok::RBrace
            | Tok::None
            | Tok::True
            | Tok::False
            | Tok::Ellipsis
    )
}

/// Tokens that can start an expression.
fn starts_expr(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Name(_)
            | Tok::Number(_)
            | Tok::Str(_)
            | Tok::LParen
            | Tok::LSqb
            | Tok::LBrace
            | Tok::None
            | Tok::True
            | Tok::False
            | Tok::Ellipsis
            | Tok::Lambda
            | Tok::Not
            | Tok::Minus
            | Tok::Plus
            | Tok::Tilde
            | Tok::Await
    )
}

/// Start index of the `disjunction`-level expression ending at token `end - 1`: walks back
/// over balanced brackets and operators, stopping at separators.
fn expr_start(toks: &[Spanned<'_>], end: usize, allow_ternary: bool) -> usize {
    let mut j = end;
    let mut depth = 0usize;
    while j > 0 {
        let t = &toks[j - 1].1;
        if t.is_close() {
            depth += 1;
        } else if is_open(t) {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 {
            let stop = matches!(
                t,
                Tok::Comma
                    | Tok::Colon
                    | Tok::Equal
                    | Tok::ColonEqual
                    | Tok::Semi
                    | Tok::Newline
                    | Tok::Indent
                    | Tok::Dedent
                    | Tok::Lambda
                    | Tok::Return
                    | Tok::Yield
                    | Tok::For
                    | Tok::While
                    | Tok::Elif
                    | Tok::Del
                    | Tok::Assert
                    | Tok::Raise
                    | Tok::From
                    | Tok::With
                    | Tok::As
                    | Tok::At
                    | Tok::StartModule
                    | Tok::StartInteractive
                    | Tok::StartExpression
            ) || (matches!(t, Tok::In) && j >= 2 && expr_is_for_target(toks, j - 1))
                || (!allow_ternary && matches!(t, Tok::If | Tok::Else))
                || (allow_ternary && matches!(t, Tok::Else));
            if stop || matches!(t, Tok::If) && j - 1 == line_start(toks, j - 1) {
                break;
            }
        }
        j -= 1;
    }
    j
}

/// Whether the `in` at `i` belongs to a `for ... in` header.
fn expr_is_for_target(toks: &[Spanned<'_>], i: usize) -> bool {
    let mut depth = 0usize;
    for k in (0..i).rev() {
        let t = &toks[k].1;
        if t.is_close() {
            depth += 1;
        } else if is_open(t) {
            if depth == 0 {
                return false;
            }
            depth -= 1;
        } else if depth == 0 && matches!(t, Tok::For) {
            return true;
        } else if depth == 0 && matches!(t, Tok::Newline | Tok::Colon | Tok::Comma) {
            return false;
        }
    }
    false
}

/// End index (exclusive) of the expression starting at token `i`.
fn expr_end(toks: &[Spanned<'_>], i: usize) -> usize {
    let mut j = i;
    let mut depth = 0usize;
    while j < toks.len() {
        let t = &toks[j].1;
        if is_open(t) {
            if depth == 0
                && j > i
                && ends_atom(&toks[j - 1].1)
                && !matches!(t, Tok::LParen | Tok::LSqb)
            {
                break;
            }
            depth += 1;
        } else if t.is_close() {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 {
            if matches!(
                t,
                Tok::Comma
                    | Tok::Colon
                    | Tok::Equal
                    | Tok::ColonEqual
                    | Tok::Semi
                    | Tok::Newline
                    | Tok::For
                    | Tok::Async
            ) {
                break;
            }
            if j > i && ends_atom(&toks[j - 1].1) && starts_expr(t) && !matches!(t, Tok::Not) {
                break;
            }
        }
        j += 1;
    }
    j
}

fn range(toks: &[Spanned<'_>], from: usize, to: usize) -> Span {
    let lo = toks[from].0;
    let hi = toks[to.max(from + 1) - 1].2;
    Span::new(lo, hi.max(lo))
}

/// "expected 'else' after 'if' expression".
fn expected_else(toks: &[Spanned<'_>], end: usize) -> Option<SyntaxError> {
    let if_at = (0..end).rev().find(|&k| toks[k].1 == Tok::If)?;
    let start = expr_start(toks, if_at, false);
    if start >= if_at || start == line_start(toks, if_at) && toks[start].1 == Tok::If {
        return None;
    }
    Some(SyntaxError::new(
        "expected 'else' after 'if' expression",
        range(toks, start, end),
    ))
}

/// Messages keyed on the failing token and its neighbours.
fn special_at(
    src: &str,
    toks: &[Spanned<'_>],
    i: usize,
    expected: &[String],
) -> Option<SyntaxError> {
    let cur = &toks[i].1;
    let prev = &toks.get(i.checked_sub(1)?)?.1;
    if *cur == Tok::Equal && !has(expected, "=") {
        return equal_instead_of_eq(src, toks, i);
    }
    if matches!(cur, Tok::For | Tok::Async) {
        return unpacking_in_comprehension(toks, i).or_else(|| keyword_genexp(toks, i));
    }
    if *cur == Tok::Comma && toks[line_start(toks, i)].1 == Tok::Except {
        let at = line_start(toks, i) + 1;
        let msg = "multiple exception types must be parenthesized";
        return Some(SyntaxError::new(msg, range(toks, at, i)));
    }
    if matches!(cur, Tok::Comma | Tok::RBrace) && has(expected, ":") {
        return dict_key_without_value(toks, i);
    }
    if !(starts_expr(cur) && ends_atom(prev)) {
        return None;
    }
    let start = line_start(toks, i - 1);
    if let Tok::Name(n @ ("print" | "exec")) = prev {
        if start == i - 1 {
            let end = expr_end(toks, i);
            let msg = format!("Missing parentheses in call to '{n}'. Did you mean {n}(...)?");
            return Some(SyntaxError::new(msg, range(toks, i - 1, end)));
        }
    }
    if !inside_brackets(toks, i) || in_parameter_list(toks, i) {
        return None;
    }
    let a = expr_start(toks, i, false);
    if a >= i {
        return None;
    }
    if let (Tok::Name(name), Some((_, next, _))) = (&toks[a].1, toks.get(a + 1)) {
        if matches!(next, Tok::Str(_)) || matches!(*name, "match" | "case" | "_") {
            return None;
        }
    }
    let b_end = expr_end(toks, i);
    Some(SyntaxError::new(
        "invalid syntax. Perhaps you forgot a comma?",
        range(toks, a, b_end),
    ))
}

/// Whether token `i` sits inside brackets.
fn inside_brackets(toks: &[Spanned<'_>], i: usize) -> bool {
    let mut depth = 0isize;
    for k in (0..i).rev() {
        let t = &toks[k].1;
        if t.is_close() {
            depth += 1;
        } else if is_open(t) {
            if depth == 0 {
                return true;
            }
            depth -= 1;
        } else if matches!(t, Tok::Newline | Tok::Indent | Tok::Dedent) {
            return false;
        }
    }
    false
}

/// `if x = 1:` and friends: CPython suggests `==` (or `:=` after a plain name).
fn equal_instead_of_eq(src: &str, toks: &[Spanned<'_>], i: usize) -> Option<SyntaxError> {
    let a = expr_start(toks, i, false);
    if a >= i {
        return None;
    }
    let b_end = expr_end(toks, i + 1);
    if let (Tok::Name(_), true) = (&toks[a].1, a + 1 == i) {
        if b_end <= i + 1 {
            return None;
        }
        return Some(SyntaxError::new(
            "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
            range(toks, a, b_end),
        ));
    }
    let (lo, hi) = (toks[a].0, toks[i - 1].2);
    let tokens = super::layout::tokenize(&src[lo..hi], lo, Mode::Expression);
    let e = match super::parse_tokens(src, tokens, Mode::Expression) {
        Ok(super::nodes::Top::Expression(e)) => e,
        _ => return None,
    };
    // CPython's rule wants a `bitwise_or` that is not a list, tuple or generator expression.
    let bitwise_or = !matches!(
        e.kind,
        ExprKind::BoolOp { .. }
            | ExprKind::Compare { .. }
            | ExprKind::IfExp { .. }
            | ExprKind::Lambda { .. }
            | ExprKind::Starred(_)
            | ExprKind::UnaryOp {
                op: UnaryOp::Not,
                ..
            }
    ) || toks[a].1 == Tok::LParen;
    let what = expr_name(&e);
    let excluded = matches!(
        what,
        "list" | "tuple" | "generator expression" | "True" | "False" | "None"
    );
    if !bitwise_or || excluded {
        return None;
    }
    Some(SyntaxError::new(
        format!("cannot assign to {what} here. Maybe you meant '==' instead of '='?"),
        Span::new(lo, hi),
    ))
}

/// `f(a, b = 1 for x in y)`: CPython's hint for a keyword argument followed by `for`.
fn keyword_genexp(toks: &[Spanned<'_>], i: usize) -> Option<SyntaxError> {
    let start = expr_start(toks, i, true);
    if start < 3 || toks[start - 1].1 != Tok::Equal {
        return None;
    }
    if !matches!(toks[start - 2].1, Tok::Name(_))
        || !matches!(toks[start - 3].1, Tok::LParen | Tok::Comma)
    {
        return None;
    }
    Some(SyntaxError::new(
        "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
        range(toks, start - 2, start),
    ))
}

/// `{1: 2, 3}`: a key without a value in a dict display.
fn dict_key_without_value(toks: &[Spanned<'_>], i: usize) -> Option<SyntaxError> {
    let start = expr_start(toks, i, true);
    if start >= i {
        return None;
    }
    let mut depth = 0usize;
    let mut colon = false;
    for k in (0..start).rev() {
        let t = &toks[k].1;
        if t.is_close() {
            depth += 1;
        } else if t.is_open() {
            if depth == 0 {
                let is_dict = *t == Tok::LBrace && colon;
                let err = "':' expected after dictionary key";
                return is_dict.then(|| SyntaxError::new(err, range(toks, start, i)));
            }
            depth -= 1;
        } else if depth == 0 && *t == Tok::Colon {
            colon = true;
        }
    }
    None
}

/// Whether token `i` is inside the parameter list of a `def` (not expressions, so no
/// "forgot a comma" hint there).
fn in_parameter_list(toks: &[Spanned<'_>], i: usize) -> bool {
    let mut depth = 0usize;
    for k in (0..i).rev() {
        let t = &toks[k].1;
        if t.is_close() {
            depth += 1;
        } else if t.is_open() {
            if depth == 0 {
                return k >= 2
                    && matches!(toks[k - 1].1, Tok::Name(_))
                    && toks[k - 2].1 == Tok::Def;
            }
            depth -= 1;
        }
    }
    false
}

/// `f(x): ...` where the annotation does not parse: CPython only reads the `:` of an
/// annotated assignment after a name, attribute or subscript, so it blames the colon.
fn colon_after_non_target(src: &str, toks: &[Spanned<'_>], i: usize) -> Option<SyntaxError> {
    let colon = i.checked_sub(1)?;
    if toks[colon].1 != Tok::Colon {
        return None;
    }
    let mut depth = 0usize;
    let mut start = colon;
    while start > 0 {
        let t = &toks[start - 1].1;
        if t.is_close() {
            depth += 1;
        } else if t.is_open() {
            if depth == 0 {
                return None;
            }
            depth -= 1;
        } else if depth == 0
            && matches!(
                t,
                Tok::Newline | Tok::Indent | Tok::Dedent | Tok::Semi | Tok::Colon
            )
        {
            break;
        } else if depth == 0 && (header_like(t) || matches!(t, Tok::Lambda | Tok::Equal)) {
            return None;
        }
        start -= 1;
    }
    if start >= colon {
        return None;
    }
    let (lo, hi) = (toks[start].0, toks[colon - 1].2);
    let tokens = super::layout::tokenize(&src[lo..hi], lo, Mode::Expression);
    let e = match super::parse_tokens(src, tokens, Mode::Expression) {
        Ok(super::nodes::Top::Expression(e)) => e,
        _ => return None,
    };
    let target = matches!(
        e.kind,
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
    );
    (!target).then(|| {
        let (lo, _, hi) = toks[colon];
        SyntaxError::new("invalid syntax", Span::new(lo, hi))
    })
}

/// Keywords that open a compound statement header.
fn header_like(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::If
            | Tok::Elif
            | Tok::Else
            | Tok::While
            | Tok::For
            | Tok::Try
            | Tok::Except
            | Tok::Finally
            | Tok::With
            | Tok::Def
            | Tok::Class
            | Tok::Async
    )
}

/// `f(*a for a in b)`, `{**a for a in b}`: unpacking as a comprehension's element.
fn unpacking_in_comprehension(toks: &[Spanned<'_>], i: usize) -> Option<SyntaxError> {
    let start = expr_start(toks, i, true);
    let first = &toks.get(start)?.1;
    let (star, msg) = match first {
        Tok::Star if start < i => (start, "iterable unpacking cannot be used in comprehension"),
        Tok::DoubleStar if start < i => {
            (start, "dict unpacking cannot be used in dict comprehension")
        }
        _ => {
            // expr_start stops after `*`/`**` only when they open the element.
            let k = start.checked_sub(1)?;
            match toks[k].1 {
                Tok::Star => (k, "iterable unpacking cannot be used in comprehension"),
                Tok::DoubleStar => (k, "dict unpacking cannot be used in dict comprehension"),
                _ => return None,
            }
        }
    };
    if star > 0
        && !matches!(
            toks[star - 1].1,
            Tok::LParen | Tok::LSqb | Tok::LBrace | Tok::Comma
        )
    {
        return None;
    }
    if toks[star].1 == Tok::DoubleStar && star > 0 && toks[star - 1].1 != Tok::LBrace {
        return None;
    }
    Some(SyntaxError::new(msg, range(toks, star, i)))
}
