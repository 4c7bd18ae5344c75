//! The format-spec mini-language, `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`,
//! parsed as CPython 3.11's `parse_internal_render_format_spec` does, with its error messages.
//! Invariant: a parsed [`FormatSpec`] has passed every check that depends only on the spec text
//! (not on the value's type); the checks that depend on the type live with each formatter.

use super::unicode::decimal_value;
use super::FmtError;

/// Where padding goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `<`: pad on the right.
    Left,
    /// `>`: pad on the left.
    Right,
    /// `^`: split the padding, the extra character on the right.
    Center,
    /// `=`: pad between the sign (and prefix) and the digits.
    AfterSign,
}

/// The sign option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// `-` given explicitly (same output as no sign option, but strings reject it).
    Minus,
    /// `+`: always a sign.
    Plus,
    /// ` `: a space for non-negative numbers.
    Space,
}

/// The thousands separator option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// No separator.
    None,
    /// `,` every three digits.
    Comma,
    /// `_` every three digits (decimal types).
    Underscore,
    /// `_` every four digits (`b`, `o`, `x`, `X`).
    Underscore4,
}

/// Which family of values a spec is parsed for; it sets the default type and alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecKind {
    /// int and bool: type `d`, right-aligned.
    Int,
    /// float: no type, right-aligned.
    Float,
    /// str: type `s`, left-aligned.
    Str,
}

/// A parsed format spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    /// Padding character (default space; `0` when the `0` flag is given without a fill).
    pub fill: char,
    /// Alignment, defaulted per [`SpecKind`].
    pub align: Align,
    /// The sign option, `None` when absent.
    pub sign: Option<Sign>,
    /// `z`: a negative float that rounds to zero is printed without its sign.
    pub no_neg_0: bool,
    /// `#`: alternate form.
    pub alternate: bool,
    /// Minimum width in characters.
    pub width: Option<usize>,
    /// Thousands separator.
    pub grouping: Grouping,
    /// Precision (digits for floats, maximum characters for strings).
    pub precision: Option<usize>,
    /// Presentation type; `None` only for floats without a type.
    pub ty: Option<char>,
}

impl FormatSpec {
    /// Parses `spec` for a value of `kind`; `type_name` is the value's type, quoted by the
    /// "Invalid format specifier" error.
    pub fn parse(spec: &str, kind: SpecKind, type_name: &str) -> Result<FormatSpec, FmtError> {
        let (default_ty, default_align) = match kind {
            SpecKind::Int => (Some('d'), Align::Right),
            SpecKind::Float => (None, Align::Right),
            SpecKind::Str => (Some('s'), Align::Left),
        };
        let mut f = FormatSpec {
            fill: ' ',
            align: default_align,
            sign: None,
            no_neg_0: false,
            alternate: false,
            width: None,
            grouping: Grouping::None,
            precision: None,
            ty: default_ty,
        };
        let mut cur = Cursor { rest: spec };
        let (fill, align) = parse_fill_align(&mut cur);
        if let Some(a) = align {
            f.align = a;
        }
        if let Some(c) = fill {
            f.fill = c;
        }
        f.sign = match cur.peek_nth(0) {
            Some('+') => Some(Sign::Plus),
            Some('-') => Some(Sign::Minus),
            Some(' ') => Some(Sign::Space),
            _ => None,
        };
        if f.sign.is_some() {
            cur.next();
        }
        f.no_neg_0 = cur.eat('z');
        f.alternate = cur.eat('#');
        if fill.is_none() && cur.eat('0') {
            f.fill = '0';
            if align.is_none() && default_align == Align::Right {
                f.align = Align::AfterSign;
            }
        }
        f.width = cur.integer()?;
        f.grouping = parse_grouping(&mut cur)?;
        if cur.eat('.') {
            f.precision = cur.integer()?;
            if f.precision.is_none() {
                return Err(FmtError::value("Format specifier missing precision"));
            }
        }
        let mut rest = cur.rest.chars();
        if let Some(c) = rest.next() {
            if rest.next().is_some() {
                return Err(FmtError::value(format!(
                    "Invalid format specifier '{spec}' for object of type '{type_name}'"
                )));
            }
            f.ty = Some(c);
        }
        f.check_grouping()?;
        Ok(f)
    }

    /// PEP 378 and PEP 515: which types accept a separator; `_` groups by four for b/o/x/X.
    fn check_grouping(&mut self) -> Result<(), FmtError> {
        if self.grouping == Grouping::None {
            return Ok(());
        }
        match self.ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => Ok(()),
            Some('b' | 'o' | 'x' | 'X') if self.grouping == Grouping::Underscore => {
                self.grouping = Grouping::Underscore4;
                Ok(())
            }
            Some(t) => {
                let sep = if self.grouping == Grouping::Comma {
                    ','
                } else {
                    '_'
                };
                Err(FmtError::value(format!(
                    "Cannot specify '{sep}' with {}.",
                    quoted_code(t)
                )))
            }
        }
    }
}

/// `[[fill]align]`: a fill is recognised only when an alignment character follows it.
fn parse_fill_align(cur: &mut Cursor<'_>) -> (Option<char>, Option<Align>) {
    if let Some(a) = cur.peek_nth(1).and_then(align_of) {
        let fill = cur.next();
        cur.next();
        return (fill, Some(a));
    }
    match cur.peek_nth(0).and_then(align_of) {
        Some(a) => {
            cur.next();
            (None, Some(a))
        }
        None => (None, None),
    }
}

fn parse_grouping(cur: &mut Cursor<'_>) -> Result<Grouping, FmtError> {
    let both = || FmtError::value("Cannot specify both ',' and '_'.");
    let mut g = Grouping::None;
    if cur.eat(',') {
        g = Grouping::Comma;
    }
    if cur.eat('_') {
        if g != Grouping::None {
            return Err(both());
        }
        g = Grouping::Underscore;
    }
    // A ',' after '_' is an error here; a second ',' is left for the type check.
    if g == Grouping::Underscore && cur.peek_nth(0) == Some(',') {
        return Err(both());
    }
    Ok(g)
}

/// A type code as CPython quotes it in messages: `'x'` when printable ASCII, else `'\x..'`.
pub(crate) fn quoted_code(c: char) -> String {
    let u = c as u32;
    if u > 32 && u < 128 {
        format!("'{c}'")
    } else {
        format!("'\\x{u:x}'")
    }
}

/// "Unknown format code 'y' for object of type 'int'".
pub(crate) fn unknown_code(c: char, type_name: &str) -> FmtError {
    FmtError::value(format!(
        "Unknown format code {} for object of type '{type_name}'",
        quoted_code(c)
    ))
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    }
}

/// Reads the spec one character at a time.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn peek_nth(&self, n: usize) -> Option<char> {
        self.rest.chars().nth(n)
    }

    fn next(&mut self) -> Option<char> {
        let c = self.rest.chars().next()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn eat(&mut self, want: char) -> bool {
        if self.rest.starts_with(want) {
            self.rest = &self.rest[want.len_utf8()..];
            true
        } else {
            false
        }
    }

    /// A run of Unicode decimal digits, as CPython's `get_integer` (it accepts any Nd digit and
    /// rejects values past `Py_ssize_t`). `None` when there are no digits.
    fn integer(&mut self) -> Result<Option<usize>, FmtError> {
        let mut acc: Option<usize> = None;
        while let Some(d) = self.peek_nth(0).and_then(decimal_value) {
            let v = acc.unwrap_or(0);
            if v > (isize::MAX as usize - d as usize) / 10 {
                return Err(FmtError::value("Too many decimal digits in format string"));
            }
            acc = Some(v * 10 + d as usize);
            self.next();
        }
        Ok(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(spec: &str, kind: SpecKind) -> String {
        FormatSpec::parse(spec, kind, "int").unwrap_err().msg
    }

    #[test]
    fn parses_fields() {
        let f = FormatSpec::parse("*^+z#012,.3f", SpecKind::Float, "float").unwrap();
        assert_eq!(f.fill, '*');
        assert_eq!(f.align, Align::Center);
        assert_eq!(f.sign, Some(Sign::Plus));
        assert!(f.no_neg_0 && f.alternate);
        assert_eq!(f.width, Some(12));
        assert_eq!(f.grouping, Grouping::Comma);
        assert_eq!(f.precision, Some(3));
        assert_eq!(f.ty, Some('f'));
        let z = FormatSpec::parse("010", SpecKind::Int, "int").unwrap();
        assert_eq!(
            (z.fill, z.align, z.width),
            ('0', Align::AfterSign, Some(10))
        );
        let s = FormatSpec::parse("05", SpecKind::Str, "str").unwrap();
        assert_eq!((s.fill, s.align), ('0', Align::Left));
        let u = FormatSpec::parse("_x", SpecKind::Int, "int").unwrap();
        assert_eq!(u.grouping, Grouping::Underscore4);
        let w = FormatSpec::parse("١٠", SpecKind::Int, "int").unwrap();
        assert_eq!(w.width, Some(10));
        let a = FormatSpec::parse("<<", SpecKind::Int, "int").unwrap();
        assert_eq!((a.fill, a.align), ('<', Align::Left));
    }

    #[test]
    fn errors_match_cpython() {
        assert_eq!(
            err("abc", SpecKind::Int),
            "Invalid format specifier 'abc' for object of type 'int'"
        );
        assert_eq!(
            err("1,_d", SpecKind::Int),
            "Cannot specify both ',' and '_'."
        );
        assert_eq!(
            err("_,d", SpecKind::Int),
            "Cannot specify both ',' and '_'."
        );
        assert_eq!(err(",,", SpecKind::Int), "Cannot specify ',' with ','.");
        assert_eq!(err("__", SpecKind::Int), "Cannot specify '_' with '_'.");
        assert_eq!(
            err(".", SpecKind::Int),
            "Format specifier missing precision"
        );
        assert_eq!(
            err("5.x", SpecKind::Int),
            "Format specifier missing precision"
        );
        assert_eq!(err(",", SpecKind::Str), "Cannot specify ',' with 's'.");
        assert_eq!(err(",x", SpecKind::Int), "Cannot specify ',' with 'x'.");
        assert_eq!(err("_c", SpecKind::Int), "Cannot specify '_' with 'c'.");
        assert_eq!(
            err(",\u{1}", SpecKind::Int),
            "Cannot specify ',' with '\\x1'."
        );
        assert_eq!(
            err("99999999999999999999", SpecKind::Int),
            "Too many decimal digits in format string"
        );
        assert_eq!(
            err(".99999999999999999999", SpecKind::Int),
            "Too many decimal digits in format string"
        );
    }
}
