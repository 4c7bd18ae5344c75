//! Literals: scanning and decoding numbers, decoding string and bytes literals (escapes,
//! raw strings, implicit concatenation).
//!
//! Invariant: every function here is linear in the length of its input (a 10 MB literal is
//! copied once), and every error carries CPython 3.11's message. F-string bodies are split
//! in `fstring`; this module only decodes their literal parts.

use num_bigint::BigInt;
use num_traits::Num;

use super::ast::{Constant, Expr, ExprKind};
use super::error::SyntaxError;
use super::fstring;
use crate::source::Span;

/// A decoded number literal.
#[derive(Clone, Debug, PartialEq)]
pub enum NumLit {
    /// Fits in an i64.
    Int(i64),
    /// Too large for an i64.
    Big(Box<BigInt>),
    Float(f64),
    /// `1j`: complex numbers are outside Aio's subset; the parser reports it.
    Imaginary,
}

/// Byte-level cursor mirroring CPython's `tok_nextc`/`tok_backup`: at the end of input
/// `next` yields None without advancing and `backup(None)` is a no-op.
struct Cursor<'a> {
    bytes: &'a [u8],
    cur: usize,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<u8> {
        let c = self.bytes.get(self.cur).copied();
        if c.is_some() {
            self.cur += 1;
        }
        c
    }

    fn backup(&mut self, c: Option<u8>) {
        if c.is_some() {
            self.cur -= 1;
        }
    }

    /// CPython reports tokenizer errors at the column of `cur`, which as a 1-based column
    /// names the character before it: that character is where our span starts.
    fn error(&self, msg: impl Into<String>) -> (usize, String) {
        (self.cur.saturating_sub(1), msg.into())
    }

    /// `lookahead` from CPython: the next bytes are `word` and no identifier char follows.
    fn lookahead(&self, word: &[u8]) -> bool {
        let rest = &self.bytes[self.cur..];
        rest.starts_with(word) && !rest.get(word.len()).is_some_and(|&c| is_ident_char(c))
    }
}

fn is_digit(c: Option<u8>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit())
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 128
}

/// After a number: a keyword that may follow a number directly (`1if x else y`) is fine; any
/// other identifier character is CPython's "invalid <kind> literal".
fn verify_end(cur: &mut Cursor, c: Option<u8>, kind: &str) -> Result<(), (usize, String)> {
    let Some(ch) = c else { return Ok(()) };
    let keyword_follows = match ch {
        b'a' => cur.lookahead(b"nd"),
        b'e' => cur.lookahead(b"lse"),
        b'f' => cur.lookahead(b"or"),
        b'o' => cur.lookahead(b"r"),
        b'n' => cur.lookahead(b"ot"),
        b'i' => matches!(cur.bytes.get(cur.cur), Some(b'f' | b'n' | b's')),
        _ => false,
    };
    if !keyword_follows && is_ident_char(ch) {
        cur.backup(c);
        return Err(cur.error(format!("invalid {kind} literal")));
    }
    Ok(())
}

/// Digits with single `_` separators; returns the first character after them.
fn decimal_tail(cur: &mut Cursor) -> Result<Option<u8>, (usize, String)> {
    loop {
        let mut c = cur.next();
        while is_digit(c) {
            c = cur.next();
        }
        if c != Some(b'_') {
            return Ok(c);
        }
        let c = cur.next();
        if !is_digit(c) {
            cur.backup(c);
            return Err(cur.error("invalid decimal literal"));
        }
    }
}

/// Scans a number at the start of `text` (CPython's rules, including its error messages and
/// positions) and decodes it. Returns the length in bytes and the value; an error is the
/// byte offset (within `text`) its span starts at and the message.
pub fn scan_number(text: &str) -> Result<(usize, NumLit), (usize, String)> {
    let mut cur = Cursor {
        bytes: text.as_bytes(),
        cur: 0,
    };
    let first = cur.next();
    let kind = if first == Some(b'.') {
        let c = cur.next();
        scan_fraction(&mut cur, c)?
    } else if first == Some(b'0') {
        scan_zero(&mut cur)?
    } else {
        let c = decimal_tail(&mut cur)?;
        scan_float_tail(&mut cur, c, false)?
    };
    let len = cur.cur;
    let lit = decode_number(&text[..len], kind);
    Ok((len, lit))
}

/// What `scan_number` found; decoding is separate so the scanner stays a port of CPython's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NumKind {
    Int(u32),
    Float,
    Imaginary,
}

/// After a leading `0`: a radix prefix, zeros, or a float/imaginary that starts with 0.
fn scan_zero(cur: &mut Cursor) -> Result<NumKind, (usize, String)> {
    let c = cur.next();
    match c {
        Some(b'x' | b'X') => return scan_radix(cur, 16, "hexadecimal"),
        Some(b'o' | b'O') => return scan_radix(cur, 8, "octal"),
        Some(b'b' | b'B') => return scan_radix(cur, 2, "binary"),
        _ => {}
    }
    let mut c = c;
    loop {
        if c == Some(b'_') {
            c = cur.next();
            if !is_digit(c) {
                cur.backup(c);
                return Err(cur.error("invalid decimal literal"));
            }
        }
        if c != Some(b'0') {
            break;
        }
        c = cur.next();
    }
    let mut nonzero = false;
    if is_digit(c) {
        nonzero = true;
        cur.backup(c);
        c = decimal_tail(cur)?;
    }
    match c {
        Some(b'.' | b'e' | b'E' | b'j' | b'J') => scan_float_tail(cur, c, false),
        _ if nonzero => Err((
            0,
            "leading zeros in decimal integer literals are not permitted; \
             use an 0o prefix for octal integers"
                .into(),
        )),
        _ => {
            verify_end(cur, c, "decimal")?;
            cur.backup(c);
            Ok(NumKind::Int(10))
        }
    }
}

/// `0x`, `0o`, `0b` literals.
fn scan_radix(cur: &mut Cursor, radix: u32, kind: &str) -> Result<NumKind, (usize, String)> {
    let is_radix_digit = |c: Option<u8>| c.is_some_and(|c| (c as char).is_digit(radix));
    let mut c = cur.next();
    loop {
        if c == Some(b'_') {
            c = cur.next();
        }
        if !is_radix_digit(c) {
            if radix != 16 && is_digit(c) {
                let d = c.unwrap_or(b'0') as char;
                return Err(cur.error(format!("invalid digit '{d}' in {kind} literal")));
            }
            cur.backup(c);
            return Err(cur.error(format!("invalid {kind} literal")));
        }
        while is_radix_digit(c) {
            c = cur.next();
        }
        if c != Some(b'_') {
            break;
        }
    }
    if radix != 16 && is_digit(c) {
        let d = c.unwrap_or(b'0') as char;
        return Err(cur.error(format!("invalid digit '{d}' in {kind} literal")));
    }
    verify_end(cur, c, kind)?;
    cur.backup(c);
    Ok(NumKind::Int(radix))
}

/// After the integer part: optional fraction, exponent and `j` suffix. `c` is the character
/// after the integer part (already consumed).
fn scan_float_tail(
    cur: &mut Cursor,
    c: Option<u8>,
    seen_dot: bool,
) -> Result<NumKind, (usize, String)> {
    if !seen_dot && c == Some(b'.') {
        let c = cur.next();
        return scan_fraction(cur, c);
    }
    let mut c = c;
    let mut kind = if seen_dot {
        NumKind::Float
    } else {
        NumKind::Int(10)
    };
    if matches!(c, Some(b'e' | b'E')) {
        let e = c;
        c = cur.next();
        if matches!(c, Some(b'+' | b'-')) {
            c = cur.next();
            if !is_digit(c) {
                cur.backup(c);
                return Err(cur.error("invalid decimal literal"));
            }
        } else if !is_digit(c) {
            cur.backup(c);
            verify_end(cur, e, "decimal")?;
            cur.backup(e);
            return Ok(kind);
        }
        cur.backup(c);
        c = decimal_tail(cur)?;
        kind = NumKind::Float;
    }
    if matches!(c, Some(b'j' | b'J')) {
        let c = cur.next();
        verify_end(cur, c, "imaginary")?;
        cur.backup(c);
        return Ok(NumKind::Imaginary);
    }
    verify_end(cur, c, "decimal")?;
    cur.backup(c);
    Ok(kind)
}

/// After the `.` of a float; `c` is the character after the dot.
fn scan_fraction(cur: &mut Cursor, c: Option<u8>) -> Result<NumKind, (usize, String)> {
    let mut c = c;
    if is_digit(c) {
        cur.backup(c);
        c = decimal_tail(cur)?;
    }
    scan_float_tail(cur, c, true)
}

fn decode_number(text: &str, kind: NumKind) -> NumLit {
    let clean: std::borrow::Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    match kind {
        NumKind::Imaginary => NumLit::Imaginary,
        // Rust's parser is correctly rounded, as CPython's is; overflow gives inf as in CPython.
        NumKind::Float => NumLit::Float(clean.parse().unwrap_or(f64::INFINITY)),
        NumKind::Int(radix) => {
            let digits = if radix == 10 { &clean[..] } else { &clean[2..] };
            match i64::from_str_radix(digits, radix) {
                Ok(v) => NumLit::Int(v),
                Err(_) => NumLit::Big(Box::new(
                    BigInt::from_str_radix(digits, radix).expect("scanned digits are valid"),
                )),
            }
        }
    }
}

/// An error while decoding string literals.
#[derive(Debug)]
pub enum LitError {
    /// Reported where CPython reports it: at the token after the literal(s).
    AtNextToken(String),
    /// An error inside an f-string field expression (reported with an "f-string: " prefix).
    Field(SyntaxError),
    /// An error at a known span (reported as is).
    At(SyntaxError),
}

/// The prefix flags of one string token.
#[derive(Clone, Copy, Debug, Default)]
pub struct Prefix {
    pub raw: bool,
    pub bytes: bool,
    pub fstring: bool,
}

/// Splits a string token into its prefix flags and the offset/length of its body.
pub fn split_token(tok: &str) -> (Prefix, usize, usize) {
    let mut p = Prefix::default();
    let mut i = 0;
    for b in tok.bytes() {
        match b {
            b'r' | b'R' => p.raw = true,
            b'b' | b'B' => p.bytes = true,
            b'f' | b'F' => p.fstring = true,
            b'u' | b'U' => {}
            _ => break,
        }
        i += 1;
    }
    let q = tok.as_bytes()[i];
    let triple = tok.len() >= i + 6 && tok.as_bytes()[i + 1] == q && tok.as_bytes()[i + 2] == q;
    let qlen = if triple { 3 } else { 1 };
    (p, i + qlen, tok.len() - i - 2 * qlen)
}

/// Decodes one or more adjacent string tokens (`(offset, token text)`) into one expression.
/// `span` covers them all.
pub fn concat(src: &str, parts: &[(usize, &str)], span: Span) -> Result<Expr, LitError> {
    let first_bytes = split_token(parts[0].1).0.bytes;
    if parts
        .iter()
        .any(|(_, t)| split_token(t).0.bytes != first_bytes)
    {
        return Err(LitError::AtNextToken(
            "cannot mix bytes and nonbytes literals".into(),
        ));
    }
    if first_bytes {
        let mut out = Vec::new();
        for &(lo, tok) in parts {
            let (p, start, len) = split_token(tok);
            let body = &tok[start..start + len];
            if !body.is_ascii() {
                return Err(LitError::At(SyntaxError::new(
                    "bytes can only contain ASCII literal characters",
                    Span::new(lo, lo + tok.len()),
                )));
            }
            decode_bytes_into(body, p.raw, &mut out)?;
        }
        return Ok(Expr::new(span, ExprKind::Constant(Constant::Bytes(out))));
    }
    if !parts.iter().any(|(_, t)| split_token(t).0.fstring) {
        let mut out = String::new();
        for (_, tok) in parts {
            let (p, start, len) = split_token(tok);
            decode_str_into(&tok[start..start + len], p.raw, &mut out)?;
        }
        return Ok(Expr::new(span, ExprKind::Constant(Constant::Str(out))));
    }
    let mut joined = fstring::Joined::default();
    for &(lo, tok) in parts {
        let (p, start, len) = split_token(tok);
        let body = &tok[start..start + len];
        if p.fstring {
            fstring::parse_body(src, body, lo + start, p.raw, &mut joined)?;
        } else {
            let mut s = String::new();
            decode_str_into(body, p.raw, &mut s)?;
            joined.push_text(&s, Span::new(lo, lo + tok.len()));
        }
    }
    Ok(Expr::new(span, ExprKind::JoinedStr(joined.finish())))
}

/// CPython's unicode-escape error text; positions are byte offsets in the body, `end` is
/// exclusive (CPython prints `end - 1`).
fn unicode_error(start: usize, end: usize, what: &str) -> LitError {
    LitError::AtNextToken(format!(
        "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: {what}",
        start,
        end.saturating_sub(1).max(start)
    ))
}

/// Reads up to `n` hex digits at `i`; returns the value and how many digits were read.
fn hex_digits(b: &[u8], i: usize, n: usize) -> (u32, usize) {
    let mut v = 0u32;
    let mut k = 0;
    while k < n {
        match b.get(i + k).and_then(|&c| (c as char).to_digit(16)) {
            Some(d) => v = v * 16 + d,
            None => break,
        }
        k += 1;
    }
    (v, k)
}

/// Decodes a str literal body (escapes unless `raw`) and appends it to `out`. Carriage
/// returns are normalised as CPython's tokenizer does (`\r\n` and `\r` become `\n`).
pub fn decode_str_into(body: &str, raw: bool, out: &mut String) -> Result<(), LitError> {
    if raw || !body.contains('\\') {
        push_normalised(body, out);
        return Ok(());
    }
    let b = body.as_bytes();
    let mut i = 0;
    let mut chunk = 0;
    while let Some(off) = body[i..].find('\\') {
        let at = i + off;
        push_normalised(&body[chunk..at], out);
        let Some(&c) = b.get(at + 1) else {
            // A lone trailing backslash cannot close a literal; keep it verbatim.
            out.push('\\');
            i = at + 1;
            chunk = i;
            break;
        };
        let mut next = at + 2;
        match c {
            b'\n' => {}
            b'\r' => {
                if b.get(next) == Some(&b'\n') {
                    next += 1;
                }
            }
            b'\\' => out.push('\\'),
            b'\'' => out.push('\''),
            b'"' => out.push('"'),
            b'a' => out.push('\x07'),
            b'b' => out.push('\x08'),
            b'f' => out.push('\x0c'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'v' => out.push('\x0b'),
            b'0'..=b'7' => {
                let (v, n) = octal_digits(b, at + 1);
                next = at + 1 + n;
                out.push(char::from_u32(v).expect("octal escapes are below 0o1000"));
            }
            b'x' | b'u' | b'U' => {
                let n = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let (v, k) = hex_digits(b, at + 2, n);
                next = at + 2 + k;
                if k < n {
                    let what = match c {
                        b'x' => "truncated \\xXX escape",
                        b'u' => "truncated \\uXXXX escape",
                        _ => "truncated \\UXXXXXXXX escape",
                    };
                    return Err(unicode_error(at, next, what));
                }
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None if v > 0x10ffff => {
                        return Err(unicode_error(at, next, "illegal Unicode character"))
                    }
                    None => {
                        return Err(unicode_error(
                            at,
                            next,
                            "lone surrogates are not supported by Aio",
                        ))
                    }
                }
            }
            b'N' => return Err(named_escape_error(b, at)),
            _ => {
                // An unknown escape is kept verbatim, backslash included, as in CPython.
                out.push('\\');
                next = at + 1;
            }
        }
        i = next;
        chunk = i;
    }
    push_normalised(&body[chunk..], out);
    Ok(())
}

/// `\N{...}` needs the Unicode name database, which Aio does not carry.
fn named_escape_error(b: &[u8], at: usize) -> LitError {
    if b.get(at + 2) != Some(&b'{') {
        return unicode_error(at, at + 2, "malformed \\N character escape");
    }
    match b[at..].iter().position(|&c| c == b'}') {
        Some(close) => unicode_error(
            at,
            at + close + 1,
            "\\N{...} escapes are not supported by Aio",
        ),
        None => unicode_error(at, b.len(), "malformed \\N character escape"),
    }
}

fn octal_digits(b: &[u8], i: usize) -> (u32, usize) {
    let mut v = 0u32;
    let mut n = 0;
    while n < 3 {
        match b.get(i + n) {
            Some(&c @ b'0'..=b'7') => v = v * 8 + u32::from(c - b'0'),
            _ => break,
        }
        n += 1;
    }
    (v, n)
}

/// Appends `s` with `\r\n` and lone `\r` turned into `\n`.
fn push_normalised(s: &str, out: &mut String) {
    if !s.contains('\r') {
        out.push_str(s);
        return;
    }
    out.push_str(&s.replace("\r\n", "\n").replace('\r', "\n"));
}

/// Decodes a bytes literal body and appends it to `out`.
fn decode_bytes_into(body: &str, raw: bool, out: &mut Vec<u8>) -> Result<(), LitError> {
    let b = body.as_bytes();
    if raw || !body.contains('\\') {
        let mut s = String::new();
        push_normalised(body, &mut s);
        out.extend_from_slice(s.as_bytes());
        return Ok(());
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\r' {
            out.push(b'\n');
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        if c != b'\\' || i + 1 >= b.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = b[i + 1];
        let mut next = i + 2;
        match e {
            b'\n' => {}
            b'\r' => {
                if b.get(next) == Some(&b'\n') {
                    next += 1;
                }
            }
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let (v, n) = octal_digits(b, i + 1);
                next = i + 1 + n;
                // CPython keeps the low byte of an escape above 0o377.
                out.push(v as u8);
            }
            b'x' => {
                let (v, k) = hex_digits(b, i + 2, 2);
                if k < 2 {
                    return Err(LitError::AtNextToken(format!(
                        "(value error) invalid \\x escape at position {i}"
                    )));
                }
                next = i + 4;
                out.push(v as u8);
            }
            _ => {
                out.push(b'\\');
                next = i + 1;
            }
        }
        i = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
