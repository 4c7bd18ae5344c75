//! The pure half of printf-style `str % args`: splitting the template into literal text and
//! conversion specifiers, and formatting the converted numbers (CPython's
//! `unicode_format_arg_parse`, `_PyUnicode_FormatLong` and `unicode_format_arg_output`).
//! Invariant: a parse error inside a specifier is not raised by the parser but carried in
//! [`PercentSpec::error`], because CPython raises it only after the mapping lookup and the `*`
//! arguments that precede it in the specifier, and those can fail first.

use super::dtoa::{double_to_string, FloatCode, FloatFlags};
use super::int_parse::{check_str_digits, IntValue};
use super::FmtError;

/// The flags between `%` (or the key) and the width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PercentFlags {
    /// `-`: pad on the right.
    pub left: bool,
    /// `+`: always a sign on numbers.
    pub sign: bool,
    /// ` `: a space before non-negative numbers.
    pub blank: bool,
    /// `#`: alternate form.
    pub alt: bool,
    /// `0`: pad numbers with zeros.
    pub zero: bool,
}

/// A width or precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Not given.
    None,
    /// Given as digits.
    Fixed(usize),
    /// `*`: taken from the next argument.
    Star,
}

/// The `(key)` part of a specifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPart<'a> {
    /// No key.
    None,
    /// `%(key)`: the text between the balanced parentheses.
    Key(&'a str),
    /// `%(` without its closing parenthesis ("incomplete format key", raised after the check
    /// that the arguments are a mapping).
    Incomplete,
}

/// One conversion specifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PercentSpec<'a> {
    /// Mapping key, looked up first.
    pub key: KeyPart<'a>,
    /// Flags.
    pub flags: PercentFlags,
    /// Minimum width; a `*` is fetched before the precision's.
    pub width: Count,
    /// Precision.
    pub precision: Count,
    /// Conversion character (`s`, `d`, ... or an unsupported one); meaningless when `error` is set.
    pub conv: char,
    /// Index of `conv` in the template, in characters, for "unsupported format character".
    pub conv_index: usize,
    /// A parse error to raise after the key lookup and the `*` fetches above.
    pub error: Option<FmtError>,
}

/// A piece of a `%` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PercentItem<'a> {
    /// Text copied as is (`%%` yields the single `%`).
    Literal(&'a str),
    /// A conversion specifier.
    Spec(PercentSpec<'a>),
}

/// Iterates over the pieces of a `%` template. After a specifier with a `key` of `Incomplete`
/// or an `error`, the driver raises and stops.
pub struct PercentParser<'a> {
    text: &'a str,
    pos: usize,
    chars: usize,
}

impl<'a> PercentParser<'a> {
    /// A parser over `template`.
    pub fn new(template: &'a str) -> Self {
        PercentParser {
            text: template,
            pos: 0,
            chars: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        self.chars += 1;
        Some(c)
    }

    fn spec(&mut self) -> PercentSpec<'a> {
        let mut spec = PercentSpec {
            key: KeyPart::None,
            flags: PercentFlags::default(),
            width: Count::None,
            precision: Count::None,
            conv: '\0',
            conv_index: 0,
            error: None,
        };
        let incomplete = || Some(FmtError::value("incomplete format"));
        if self.peek() == Some('(') {
            spec.key = self.key();
            if spec.key == KeyPart::Incomplete {
                return spec;
            }
        }
        while let Some(c) = self.peek() {
            match c {
                '-' => spec.flags.left = true,
                '+' => spec.flags.sign = true,
                ' ' => spec.flags.blank = true,
                '#' => spec.flags.alt = true,
                '0' => spec.flags.zero = true,
                _ => break,
            }
            self.bump();
        }
        match self.count(isize::MAX as usize, "width too big") {
            Ok(w) => spec.width = w,
            Err(e) => {
                return PercentSpec {
                    error: Some(e),
                    ..spec
                }
            }
        }
        if self.peek() == Some('.') {
            self.bump();
            match self.count(i32::MAX as usize, "precision too big") {
                Ok(Count::None) => spec.precision = Count::Fixed(0),
                Ok(p) => spec.precision = p,
                Err(e) => {
                    return PercentSpec {
                        error: Some(e),
                        ..spec
                    }
                }
            }
        }
        if matches!(self.peek(), Some('h' | 'l' | 'L')) {
            self.bump();
        }
        spec.conv_index = self.chars;
        match self.bump() {
            Some(c) => spec.conv = c,
            None => spec.error = incomplete(),
        }
        spec
    }

    /// `(key)` with balanced parentheses; the cursor is on the `(`.
    fn key(&mut self) -> KeyPart<'a> {
        self.bump();
        let start = self.pos;
        let mut depth = 1;
        while let Some(c) = self.bump() {
            match c {
                ')' => depth -= 1,
                '(' => depth += 1,
                _ => {}
            }
            if depth == 0 {
                return KeyPart::Key(&self.text[start..self.pos - 1]);
            }
        }
        KeyPart::Incomplete
    }

    /// `*` or ASCII digits no greater than `max`.
    fn count(&mut self, max: usize, too_big: &str) -> Result<Count, FmtError> {
        if self.peek() == Some('*') {
            self.bump();
            return Ok(Count::Star);
        }
        let mut n: Option<usize> = None;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            let v = n.unwrap_or(0);
            if v > (max - d as usize) / 10 {
                return Err(FmtError::value(too_big));
            }
            n = Some(v * 10 + d as usize);
            self.bump();
        }
        Ok(n.map_or(Count::None, Count::Fixed))
    }
}

impl<'a> Iterator for PercentParser<'a> {
    type Item = PercentItem<'a>;

    fn next(&mut self) -> Option<PercentItem<'a>> {
        let rest = &self.text[self.pos..];
        if rest.is_empty() {
            return None;
        }
        if !rest.starts_with('%') {
            let len = rest.find('%').unwrap_or(rest.len());
            let lit = &rest[..len];
            self.pos += len;
            self.chars += lit.chars().count();
            return Some(PercentItem::Literal(lit));
        }
        self.bump();
        if self.peek() == Some('%') {
            let start = self.pos;
            self.bump();
            return Some(PercentItem::Literal(&self.text[start..self.pos]));
        }
        Some(PercentItem::Spec(self.spec()))
    }
}

/// "unsupported format character 'y' (0x79) at index 3".
pub(crate) fn unsupported_char(c: char, index: usize) -> FmtError {
    let shown = if (31..=126).contains(&(c as u32)) {
        c
    } else {
        '?'
    };
    FmtError::value(format!(
        "unsupported format character '{shown}' ({:#x}) at index {index}",
        c as u32
    ))
}

/// The text of an int for `%d %i %u %o %x %X`: sign, `0o`/`0x`/`0X` when `alt`, digits
/// zero-padded to `precision`.
pub(crate) fn percent_int(
    v: &IntValue,
    conv: char,
    alt: bool,
    precision: Option<usize>,
    max_str_digits: usize,
) -> Result<String, FmtError> {
    if precision.is_some_and(|p| p > i32::MAX as usize - 3) {
        return Err(FmtError::overflow("precision too large"));
    }
    let (base, prefix) = match conv {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let big = v.to_bigint();
    if base == 10 {
        check_str_digits(&big, max_str_digits)?;
    }
    let mut digits = big.magnitude().to_str_radix(base);
    if conv == 'X' {
        digits.make_ascii_uppercase();
    }
    let zeros = precision.unwrap_or(0).saturating_sub(digits.len());
    let mut s = String::with_capacity(digits.len() + zeros + 3);
    if big.sign() == num_bigint::Sign::Minus {
        s.push('-');
    }
    if alt {
        s.push_str(prefix);
    }
    s.extend(std::iter::repeat_n('0', zeros));
    s.push_str(&digits);
    Ok(s)
}

/// The text of a float for `%e %E %f %F %g %G` (precision 6 by default).
pub(crate) fn percent_float(x: f64, conv: char, alt: bool, precision: Option<usize>) -> String {
    let code = match conv {
        'e' | 'E' => FloatCode::Exp,
        'f' | 'F' => FloatCode::Fixed,
        _ => FloatCode::General,
    };
    let flags = FloatFlags {
        alt,
        upper: conv.is_ascii_uppercase(),
        ..FloatFlags::default()
    };
    let mut s = String::with_capacity(24);
    double_to_string(&mut s, x, code, precision.unwrap_or(6), flags);
    s
}

/// Appends one converted argument `s`, padded to `width` as `unicode_format_arg_output` does.
/// `numeric` marks number conversions, which take sign flags and zero padding.
pub(crate) fn write_field(
    out: &mut String,
    s: &str,
    conv: char,
    flags: PercentFlags,
    width: Option<usize>,
    precision: Option<usize>,
    numeric: bool,
) {
    let mut len = s.chars().count();
    let fits = width.is_none_or(|w| w <= len) && precision.is_none_or(|p| p >= len);
    if fits && !(flags.sign || flags.blank) {
        out.push_str(s);
        return;
    }
    if matches!(conv, 's' | 'r' | 'a' | 'b') {
        if let Some(p) = precision {
            len = len.min(p);
        }
    }
    let fill = if numeric && flags.zero { '0' } else { ' ' };
    let (sign, mut body) = if numeric {
        split_sign(s, flags)
    } else {
        (None, s)
    };
    if body.len() < s.len() {
        len -= 1;
    }
    let mut width = width.unwrap_or(0).max(len);
    if let Some(c) = sign {
        if fill != ' ' {
            out.push(c);
        }
        if width > len {
            width -= 1;
        }
    }
    let prefixed = flags.alt && matches!(conv, 'x' | 'X' | 'o');
    let mut prefix = "";
    if prefixed {
        prefix = &body[..2];
        body = &body[2..];
        if fill != ' ' {
            out.push_str(prefix);
        }
        width = width.saturating_sub(2);
        len -= 2;
    }
    if width > len && !flags.left {
        super::render::push_fill(out, fill, (width - len) as i64);
        width = len;
    }
    if fill == ' ' {
        if let Some(c) = sign {
            out.push(c);
        }
        out.push_str(prefix);
    }
    match body.char_indices().nth(len) {
        Some((i, _)) => out.push_str(&body[..i]),
        None => out.push_str(body),
    }
    if width > len {
        super::render::push_fill(out, ' ', (width - len) as i64);
    }
}

/// The sign a number is written with, and its text without a sign of its own.
fn split_sign(s: &str, flags: PercentFlags) -> (Option<char>, &str) {
    match s.chars().next() {
        Some(c @ ('-' | '+')) => (Some(c), &s[1..]),
        _ if flags.sign => (Some('+'), s),
        _ if flags.blank => (Some(' '), s),
        _ => (None, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(t: &str) -> Vec<PercentItem<'_>> {
        PercentParser::new(t).collect()
    }

    #[test]
    fn parses_specs() {
        let v = items("a%%b%(x(y))-+ #012.*ld%");
        assert_eq!(v[0], PercentItem::Literal("a"));
        assert_eq!(v[1], PercentItem::Literal("%"));
        assert_eq!(v[2], PercentItem::Literal("b"));
        let PercentItem::Spec(s) = &v[3] else {
            panic!()
        };
        assert_eq!(s.key, KeyPart::Key("x(y)"));
        assert!(s.flags.left && s.flags.sign && s.flags.blank && s.flags.alt && s.flags.zero);
        assert_eq!(
            (s.width, s.precision, s.conv, s.conv_index),
            (Count::Fixed(12), Count::Star, 'd', 21)
        );
        let PercentItem::Spec(s) = &v[4] else {
            panic!()
        };
        assert_eq!(s.error.as_ref().unwrap().msg, "incomplete format");
        let PercentItem::Spec(s) = &items("%(a")[0] else {
            panic!()
        };
        assert_eq!(s.key, KeyPart::Incomplete);
        let PercentItem::Spec(s) = &items("%99999999999999999999d")[0] else {
            panic!()
        };
        assert_eq!(s.error.as_ref().unwrap().msg, "width too big");
        let PercentItem::Spec(s) = &items("%*.99999999999999d")[0] else {
            panic!()
        };
        assert_eq!(
            (s.width, &s.error.as_ref().unwrap().msg[..]),
            (Count::Star, "precision too big")
        );
        let PercentItem::Spec(s) = &items("é%.f")[1] else {
            panic!()
        };
        assert_eq!(
            (s.precision, s.conv, s.conv_index),
            (Count::Fixed(0), 'f', 3)
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            unsupported_char('y', 1).msg,
            "unsupported format character 'y' (0x79) at index 1"
        );
        assert_eq!(
            unsupported_char('€', 2).msg,
            "unsupported format character '?' (0x20ac) at index 2"
        );
    }
}
