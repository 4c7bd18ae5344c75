//! F-strings as Python 3.11 reads them: the body of an `f'...'` token is split here into
//! literal text and `{expr!conv:spec}` fields, following CPython's `fstring_find_literal` /
//! `fstring_find_expr`, and each field expression is parsed by the expression parser at its
//! own offset in the source.
//!
//! Invariant: every expression inside a field has spans into the original source (field
//! offset + inner offset), and adjacent literal parts of the result are merged.

use super::ast::{Constant, Expr, ExprKind};
use super::literal::{decode_str_into, LitError};
use crate::source::Span;

/// The parts of a JoinedStr under construction; adjacent text is merged.
#[derive(Default)]
pub struct Joined {
    parts: Vec<Expr>,
    text: String,
    text_span: Option<Span>,
}

impl Joined {
    /// Appends literal text (ignored when empty, as CPython does).
    pub fn push_text(&mut self, s: &str, span: Span) {
        if s.is_empty() {
            return;
        }
        self.text.push_str(s);
        self.text_span = Some(match self.text_span {
            Some(old) => old.to(span),
            None => span,
        });
    }

    fn flush(&mut self) {
        if let Some(span) = self.text_span.take() {
            let text = std::mem::take(&mut self.text);
            self.parts
                .push(Expr::new(span, ExprKind::Constant(Constant::Str(text))));
        }
    }

    fn push_value(&mut self, e: Expr) {
        self.flush();
        self.parts.push(e);
    }

    /// The finished list of parts.
    pub fn finish(mut self) -> Vec<Expr> {
        self.flush();
        self.parts
    }
}

/// One f-string body being split. Positions are byte offsets into `body`; `base` is the
/// body's offset in the source.
struct Splitter<'a> {
    src: &'a str,
    body: &'a str,
    b: &'a [u8],
    base: usize,
    raw: bool,
}

fn err(msg: &str) -> LitError {
    LitError::AtNextToken(msg.to_string())
}

/// Parses an f-string body (the text between the quotes) found at offset `base` of `src`,
/// appending its parts to `out`.
pub fn parse_body(
    src: &str,
    body: &str,
    base: usize,
    raw: bool,
    out: &mut Joined,
) -> Result<(), LitError> {
    let s = Splitter {
        src,
        body,
        b: body.as_bytes(),
        base,
        raw,
    };
    let mut pos = 0;
    s.parse(&mut pos, 0, out)
}

impl Splitter<'_> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        Span::new(self.base + lo, self.base + hi)
    }

    /// Literal text and fields up to the end of the body (level 0) or the `}` closing a
    /// format spec (level 1 and 2).
    fn parse(&self, pos: &mut usize, level: u32, out: &mut Joined) -> Result<(), LitError> {
        loop {
            let start = *pos;
            let (lit_end, doubled) = self.find_literal(pos, level)?;
            if lit_end > start {
                let mut text = String::new();
                let chunk = &self.body[start..lit_end];
                decode_str_into(chunk, self.raw, &mut text)?;
                out.push_text(&text, self.span(start, lit_end));
            }
            if doubled {
                continue;
            }
            if *pos >= self.b.len() || self.b[*pos] == b'}' {
                break;
            }
            self.find_expr(pos, level, out)?;
        }
        if level != 0 && (*pos >= self.b.len() || self.b[*pos] != b'}') {
            return Err(err("f-string: expecting '}'"));
        }
        Ok(())
    }

    /// Scans literal text from `pos`. Returns where the text ends and whether it ended at a
    /// doubled brace (whose second half is skipped). On return `pos` is at a `{`, a `}`
    /// (format spec end), past a doubled brace, or at the end.
    fn find_literal(&self, pos: &mut usize, level: u32) -> Result<(usize, bool), LitError> {
        let b = self.b;
        let mut s = *pos;
        while s < b.len() {
            let mut ch = b[s];
            s += 1;
            if !self.raw && ch == b'\\' && s < b.len() {
                ch = b[s];
                s += 1;
                if ch == b'N' {
                    // Skip `\N{...}` so its braces are not taken for a field.
                    if s < b.len() && b[s] == b'{' {
                        s += 1;
                        while s < b.len() {
                            s += 1;
                            if b[s - 1] == b'}' {
                                break;
                            }
                        }
                    } else if s < b.len() {
                        s += 1;
                    }
                    continue;
                }
            }
            if ch == b'{' || ch == b'}' {
                // Doubled braces only count at the top level, so that f'{0:{3}}' works.
                if level == 0 {
                    if s < b.len() && b[s] == ch {
                        *pos = s + 1;
                        return Ok((s, true));
                    }
                    if ch == b'}' {
                        return Err(err("f-string: single '}' is not allowed"));
                    }
                }
                s -= 1;
                break;
            }
        }
        *pos = s;
        Ok((s, false))
    }

    /// Scans one `{...}` field starting at the `{` at `pos`.
    fn find_expr(&self, pos: &mut usize, level: u32, out: &mut Joined) -> Result<(), LitError> {
        if level >= 2 {
            return Err(err("f-string: expressions nested too deeply"));
        }
        let open = *pos;
        let expr_start = open + 1;
        let expr_end = self.scan_expr_end(expr_start)?;
        let b = self.b;
        let mut p = expr_end;
        if p >= b.len() {
            return Err(err("f-string: expecting '}'"));
        }
        let value = self.compile_expr(expr_start, expr_end)?;
        let mut debug_text = None;
        if b[p] == b'=' {
            let eq = p;
            p += 1;
            while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
                p += 1;
            }
            if p >= b.len() {
                return Err(err("f-string: expecting '}'"));
            }
            debug_text = Some((&self.body[expr_start..p], self.span(expr_start, eq + 1)));
        }
        let mut conversion = None;
        if b[p] == b'!' {
            p += 1;
            if p >= b.len() {
                return Err(err("f-string: expecting '}'"));
            }
            let c = b[p];
            p += 1;
            if !matches!(c, b's' | b'r' | b'a') {
                return Err(err(
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                ));
            }
            conversion = Some(c as char);
        }
        let mut format_spec = None;
        if p < b.len() && b[p] == b':' {
            p += 1;
            if p >= b.len() {
                return Err(err("f-string: expecting '}'"));
            }
            let spec_start = p;
            let mut spec = Joined::default();
            self.parse(&mut p, level + 1, &mut spec)?;
            let span = self.span(spec_start, p);
            format_spec = Some(Box::new(Expr::new(
                span,
                ExprKind::JoinedStr(spec.finish()),
            )));
        }
        if p >= b.len() || b[p] != b'}' {
            return Err(err("f-string: expecting '}'"));
        }
        p += 1;
        *pos = p;
        if let Some((text, span)) = debug_text {
            out.push_text(text, span);
            if conversion.is_none() && format_spec.is_none() {
                conversion = Some('r');
            }
        }
        let kind = ExprKind::FormattedValue {
            value: Box::new(value),
            conversion,
            format_spec,
        };
        out.push_value(Expr::new(self.span(open, p), kind));
        Ok(())
    }

    /// Finds where a field's expression ends: at `!`, `:`, `=` or `}` outside brackets and
    /// strings (but not at `!=`, `==`, `<=`, `>=`).
    fn scan_expr_end(&self, start: usize) -> Result<usize, LitError> {
        let b = self.b;
        let mut p = start;
        let mut quote: Option<(u8, bool)> = None;
        let mut stack: Vec<u8> = Vec::new();
        while p < b.len() {
            let ch = b[p];
            if ch == b'\\' {
                return Err(err("f-string expression part cannot include a backslash"));
            }
            if let Some((q, triple)) = quote {
                if ch == q {
                    if !triple {
                        quote = None;
                    } else if p + 2 < b.len() && b[p + 1] == q && b[p + 2] == q {
                        p += 2;
                        quote = None;
                    }
                }
                p += 1;
                continue;
            }
            match ch {
                b'\'' | b'"' => {
                    let triple = p + 2 < b.len() && b[p + 1] == ch && b[p + 2] == ch;
                    if triple {
                        p += 2;
                    }
                    quote = Some((ch, triple));
                }
                b'[' | b'(' | b'{' => {
                    if stack.len() >= 200 {
                        return Err(err("f-string: too many nested parenthesis"));
                    }
                    stack.push(ch);
                }
                b'#' => return Err(err("f-string expression part cannot include '#'")),
                b'!' | b':' | b'}' | b'=' | b'>' | b'<' if stack.is_empty() => {
                    if p + 1 < b.len()
                        && b[p + 1] == b'='
                        && matches!(ch, b'!' | b'=' | b'<' | b'>')
                    {
                        p += 2;
                        continue;
                    }
                    if ch != b'>' && ch != b'<' {
                        break;
                    }
                }
                b']' | b'}' | b')' => {
                    let Some(open) = stack.pop() else {
                        return Err(err(&format!("f-string: unmatched '{}'", ch as char)));
                    };
                    let expected = match open {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    if ch != expected {
                        return Err(err(&format!(
                            "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                            ch as char, open as char
                        )));
                    }
                }
                _ => {}
            }
            p += 1;
        }
        if quote.is_some() {
            return Err(err("f-string: unterminated string"));
        }
        if let Some(&open) = stack.last() {
            return Err(err(&format!("f-string: unmatched '{}'", open as char)));
        }
        Ok(p)
    }

    /// Parses the field expression `body[lo..hi]` (as if parenthesised, like CPython).
    fn compile_expr(&self, lo: usize, hi: usize) -> Result<Expr, LitError> {
        let text = &self.body[lo..hi];
        if text
            .bytes()
            .all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c))
        {
            let next = self.b.get(hi).copied().unwrap_or(b'}');
            if matches!(next, b'!' | b':' | b'=') {
                return Err(err(&format!(
                    "f-string: expression required before '{}'",
                    next as char
                )));
            }
            return Err(err("f-string: empty expression not allowed"));
        }
        super::parse_fstring_field(self.src, self.base + lo, self.base + hi)
            .map_err(LitError::Field)
    }
}
