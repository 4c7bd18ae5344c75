//! `str.format` templates: splitting into literal text and replacement fields, field names
//! into a first part and a chain of `.attr` / `[key]` accessors, and the driver that asks the
//! VM for values through [`TemplateArgs`] (CPython's `MarkupIterator`, `FieldNameIterator`
//! and `build_string`). Invariant: parsing is lazy, piece by piece and accessor by accessor,
//! so lookups that come before a malformed part run (and may raise) before its error, as in
//! CPython.

use super::unicode::decimal_value;
use super::{FmtError, FmtErrorKind};

/// A piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePiece<'a> {
    /// Text copied as is (`{{` and `}}` yield one brace).
    Literal(&'a str),
    /// A replacement field.
    Field(TemplateField<'a>),
}

/// `{name!conversion:spec}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateField<'a> {
    /// The field name, parsed with [`FieldName::parse`].
    pub name: &'a str,
    /// The character after `!`, if any (validated only after the lookup, as CPython does).
    pub conversion: Option<char>,
    /// The format spec (empty when absent).
    pub spec: &'a str,
    /// The spec contains `{...}` fields and must itself be formatted first.
    pub spec_has_fields: bool,
}

/// Iterates over the pieces of a template; stops after the first error.
pub struct TemplateIter<'a> {
    text: &'a str,
    pos: usize,
    /// A `{` was seen and the literal before it returned: the field comes next.
    field_pending: bool,
    failed: bool,
}

impl<'a> TemplateIter<'a> {
    /// An iterator over `template`.
    pub fn new(template: &'a str) -> Self {
        TemplateIter {
            text: template,
            pos: 0,
            field_pending: false,
            failed: false,
        }
    }

    fn literal(&mut self) -> Result<TemplatePiece<'a>, FmtError> {
        let rest = &self.text[self.pos..];
        let Some(i) = rest.find(['{', '}']) else {
            self.pos = self.text.len();
            return Ok(TemplatePiece::Literal(rest));
        };
        let brace = rest.as_bytes()[i];
        let next = rest.as_bytes().get(i + 1).copied();
        if brace == b'}' && next != Some(b'}') {
            return Err(FmtError::value("Single '}' encountered in format string"));
        }
        if brace == b'{' && next.is_none() {
            return Err(FmtError::value("Single '{' encountered in format string"));
        }
        if next == Some(brace) {
            // An escaped brace: the literal keeps one of the two.
            self.pos += i + 2;
            return Ok(TemplatePiece::Literal(&rest[..i + 1]));
        }
        self.pos += i + 1;
        if i == 0 {
            return self.field();
        }
        self.field_pending = true;
        Ok(TemplatePiece::Literal(&rest[..i]))
    }

    /// Parses a field; the cursor is just after its `{`.
    fn field(&mut self) -> Result<TemplatePiece<'a>, FmtError> {
        let text = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        let (mut i, end_char) = scan_field_name(bytes, start)?;
        let name = &text[start..i - 1];
        let mut field = TemplateField {
            name,
            conversion: None,
            spec: "",
            spec_has_fields: false,
        };
        if end_char == b'!' {
            let Some(c) = text[i..].chars().next() else {
                return Err(FmtError::value(
                    "end of string while looking for conversion specifier",
                ));
            };
            field.conversion = Some(c);
            i += c.len_utf8();
            match bytes.get(i) {
                Some(b'}') => {
                    self.pos = i + 1;
                    return Ok(TemplatePiece::Field(field));
                }
                Some(b':') => i += 1,
                Some(_) => {
                    return Err(FmtError::value("expected ':' after conversion specifier"));
                }
                // A spec search follows, which reports the missing '}'.
                None => {}
            }
        }
        if end_char != b'}' {
            let (spec, has_fields, end) = scan_spec(text, i)?;
            field.spec = spec;
            field.spec_has_fields = has_fields;
            i = end;
        }
        self.pos = i;
        Ok(TemplatePiece::Field(field))
    }
}

/// Scans a field name from `start` to the first `}`, `:` or `!` outside brackets. Returns
/// the index after that character, and the character.
fn scan_field_name(bytes: &[u8], start: usize) -> Result<(usize, u8), FmtError> {
    let mut i = start;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        match c {
            b'{' => return Err(FmtError::value("unexpected '{' in field name")),
            // Brackets may contain any of the terminators.
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
            }
            b'}' | b':' | b'!' => return Ok((i, c)),
            _ => {}
        }
    }
    Err(FmtError::value("expected '}' before end of string"))
}

/// Scans a format spec from `start` to the `}` that balances the field's `{`. Returns the
/// spec, whether it contains nested fields, and the index after the closing `}`.
fn scan_spec(text: &str, start: usize) -> Result<(&str, bool, usize), FmtError> {
    let bytes = text.as_bytes();
    let (mut depth, mut nested) = (1, false);
    for (i, &c) in bytes.iter().enumerate().skip(start) {
        match c {
            b'{' => {
                nested = true;
                depth += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&text[start..i], nested, i + 1));
                }
            }
            _ => {}
        }
    }
    Err(FmtError::value("unmatched '{' in format spec"))
}

impl<'a> Iterator for TemplateIter<'a> {
    type Item = Result<TemplatePiece<'a>, FmtError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = if self.field_pending {
            self.field_pending = false;
            self.field()
        } else if self.pos < self.text.len() {
            self.literal()
        } else {
            return None;
        };
        self.failed = r.is_err();
        Some(r)
    }
}

/// Automatic field numbering state, shared by a template and its nested specs.
#[derive(Clone, Copy, Debug, Default)]
pub struct AutoNumber {
    /// `None` until the first numeric field; then whether numbering is automatic.
    auto: Option<bool>,
    next: usize,
}

/// The first part of a field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldFirst<'a> {
    /// A positional argument (explicit, or numbered automatically).
    Index(usize),
    /// A keyword argument.
    Name(&'a str),
}

/// One accessor after the first part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accessor<'a> {
    /// `.name`
    Attr(&'a str),
    /// `[digits]`
    Index(usize),
    /// `[text]`
    Key(&'a str),
}

/// Parsing entry point for field names.
pub struct FieldName;

impl FieldName {
    /// Splits `name` into its first part (numbering empty names with `auto`) and an iterator
    /// over the accessors.
    pub fn parse<'a>(
        name: &'a str,
        auto: &mut AutoNumber,
    ) -> Result<(FieldFirst<'a>, FieldNameIter<'a>), FmtError> {
        let split = name.find(['.', '[']).unwrap_or(name.len());
        let (first, rest) = name.split_at(split);
        let index = decimal_index(first)?;
        let first = if first.is_empty() {
            if auto.auto == Some(false) {
                return Err(FmtError::value(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            auto.auto = Some(true);
            auto.next += 1;
            FieldFirst::Index(auto.next - 1)
        } else if let Some(i) = index {
            if auto.auto == Some(true) {
                return Err(FmtError::value(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            auto.auto = Some(false);
            FieldFirst::Index(i)
        } else {
            FieldFirst::Name(first)
        };
        Ok((
            first,
            FieldNameIter {
                rest,
                failed: false,
            },
        ))
    }
}

/// A run made only of Unicode decimal digits, as a number; `None` otherwise (or empty).
fn decimal_index(s: &str) -> Result<Option<usize>, FmtError> {
    if s.is_empty() {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for c in s.chars() {
        let Some(d) = decimal_value(c) else {
            return Ok(None);
        };
        if acc > (isize::MAX as usize - d as usize) / 10 {
            return Err(FmtError::value("Too many decimal digits in format string"));
        }
        acc = acc * 10 + d as usize;
    }
    Ok(Some(acc))
}

/// The accessors of a field name, parsed one at a time.
pub struct FieldNameIter<'a> {
    rest: &'a str,
    failed: bool,
}

impl<'a> FieldNameIter<'a> {
    fn step(&mut self) -> Result<Accessor<'a>, FmtError> {
        let kind = self.rest.chars().next().expect("non-empty");
        let body = &self.rest[kind.len_utf8()..];
        let (name, acc) = match kind {
            '.' => {
                let end = body.find(['.', '[']).unwrap_or(body.len());
                self.rest = &body[end..];
                (&body[..end], Accessor::Attr(&body[..end]))
            }
            '[' => {
                let Some(end) = body.find(']') else {
                    return Err(FmtError::value("Missing ']' in format string"));
                };
                self.rest = &body[end + 1..];
                let key = &body[..end];
                let acc = match decimal_index(key)? {
                    Some(i) => Accessor::Index(i),
                    None => Accessor::Key(key),
                };
                (key, acc)
            }
            _ => {
                return Err(FmtError::value(
                    "Only '.' or '[' may follow ']' in format field specifier",
                ))
            }
        };
        if name.is_empty() {
            return Err(FmtError::value("Empty attribute in format string"));
        }
        Ok(acc)
    }
}

impl<'a> Iterator for FieldNameIter<'a> {
    type Item = Result<Accessor<'a>, FmtError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let r = self.step();
        self.failed = r.is_err();
        Some(r)
    }
}

/// The VM's side of `str.format`: argument lookups, accessors, conversions and `format()`.
pub trait TemplateArgs {
    /// A Python value.
    type Value;
    /// The VM's exception type; formatting errors convert into it.
    type Error: From<FmtError>;

    /// Positional argument `index`; past the end, raise [`index_out_of_range`] (or, for
    /// `format_map`, ValueError "Format string contains positional fields").
    fn positional(&mut self, index: usize) -> Result<Self::Value, Self::Error>;
    /// Keyword argument `name` (KeyError with the name when missing).
    fn keyword(&mut self, name: &str) -> Result<Self::Value, Self::Error>;
    /// `getattr(v, name)`.
    fn attr(&mut self, v: Self::Value, name: &str) -> Result<Self::Value, Self::Error>;
    /// `v[index]` for `[digits]`.
    fn item_index(&mut self, v: Self::Value, index: usize) -> Result<Self::Value, Self::Error>;
    /// `v[key]` for `[text]`.
    fn item_key(&mut self, v: Self::Value, key: &str) -> Result<Self::Value, Self::Error>;
    /// `repr(v)` for `r`, `str(v)` for `s`, `ascii(v)` for `a` (no other character is passed).
    fn convert(&mut self, v: Self::Value, conversion: char) -> Result<Self::Value, Self::Error>;
    /// Appends `format(v, spec)`.
    fn format(&mut self, v: &Self::Value, spec: &str, out: &mut String) -> Result<(), Self::Error>;
}

/// The IndexError for a positional field past the arguments.
pub fn index_out_of_range(index: usize) -> FmtError {
    FmtError {
        kind: FmtErrorKind::IndexError,
        msg: format!("Replacement index {index} out of range for positional args tuple"),
    }
}

/// `template.format(...)`.
pub fn format_template<A: TemplateArgs>(template: &str, args: &mut A) -> Result<String, A::Error> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut auto = AutoNumber::default();
    build(template, args, 2, &mut auto, &mut out)?;
    Ok(out)
}

/// CPython's `build_string`: `depth` bounds the nesting of specs inside specs.
fn build<A: TemplateArgs>(
    template: &str,
    args: &mut A,
    depth: u32,
    auto: &mut AutoNumber,
    out: &mut String,
) -> Result<(), A::Error> {
    if depth == 0 {
        return Err(FmtError::value("Max string recursion exceeded").into());
    }
    for piece in TemplateIter::new(template) {
        match piece? {
            TemplatePiece::Literal(s) => out.push_str(s),
            TemplatePiece::Field(f) => render_field(&f, args, depth, auto, out)?,
        }
    }
    Ok(())
}

fn render_field<A: TemplateArgs>(
    f: &TemplateField<'_>,
    args: &mut A,
    depth: u32,
    auto: &mut AutoNumber,
    out: &mut String,
) -> Result<(), A::Error> {
    let (first, accessors) = FieldName::parse(f.name, auto)?;
    let mut v = match first {
        FieldFirst::Index(i) => args.positional(i)?,
        FieldFirst::Name(n) => args.keyword(n)?,
    };
    for acc in accessors {
        v = match acc? {
            Accessor::Attr(name) => args.attr(v, name)?,
            Accessor::Index(i) => args.item_index(v, i)?,
            Accessor::Key(k) => args.item_key(v, k)?,
        };
    }
    if let Some(c) = f.conversion {
        if !matches!(c, 'r' | 's' | 'a') {
            let shown = if (c as u32) > 32 && (c as u32) < 127 {
                c.to_string()
            } else {
                format!("\\x{:x}", c as u32)
            };
            return Err(FmtError::value(format!("Unknown conversion specifier {shown}")).into());
        }
        v = args.convert(v, c)?;
    }
    if f.spec_has_fields {
        let mut spec = String::new();
        build(f.spec, args, depth - 1, auto, &mut spec)?;
        args.format(&v, &spec, out)
    } else {
        args.format(&v, f.spec, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::{format_int_i64, format_str, str_repr};

    #[derive(Clone, Debug)]
    enum V {
        Int(i64),
        Str(String),
        /// An object with attribute `a` = 5 whose `[k]` is `repr(k)`.
        Obj,
    }

    struct Args {
        pos: Vec<V>,
        kw: Vec<(&'static str, V)>,
    }

    impl TemplateArgs for Args {
        type Value = V;
        type Error = FmtError;

        fn positional(&mut self, index: usize) -> Result<V, FmtError> {
            self.pos
                .get(index)
                .cloned()
                .ok_or_else(|| index_out_of_range(index))
        }
        fn keyword(&mut self, name: &str) -> Result<V, FmtError> {
            let found = self
                .kw
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone());
            found.ok_or_else(|| FmtError::type_error(format!("KeyError {name}")))
        }
        fn attr(&mut self, v: V, name: &str) -> Result<V, FmtError> {
            match (v, name) {
                (V::Obj, "a") => Ok(V::Int(5)),
                _ => Err(FmtError::type_error(format!("AttributeError {name}"))),
            }
        }
        fn item_index(&mut self, v: V, index: usize) -> Result<V, FmtError> {
            match v {
                V::Obj => Ok(V::Str(index.to_string())),
                _ => Err(FmtError::type_error("'int' object is not subscriptable")),
            }
        }
        fn item_key(&mut self, v: V, key: &str) -> Result<V, FmtError> {
            match v {
                V::Obj => Ok(V::Str(str_repr(key))),
                _ => Err(FmtError::type_error("'int' object is not subscriptable")),
            }
        }
        fn convert(&mut self, v: V, conversion: char) -> Result<V, FmtError> {
            Ok(V::Str(match (v, conversion) {
                (V::Str(s), 's') => s,
                (V::Str(s), _) => str_repr(&s),
                (V::Int(i), _) => i.to_string(),
                (V::Obj, _) => "<O>".into(),
            }))
        }
        fn format(&mut self, v: &V, spec: &str, out: &mut String) -> Result<(), FmtError> {
            match v {
                V::Int(i) => format_int_i64(*i, spec, "int", out),
                V::Str(s) => format_str(s, spec, "str", out),
                V::Obj if spec.is_empty() => {
                    out.push_str("<O>");
                    Ok(())
                }
                V::Obj => Err(FmtError::type_error(
                    "unsupported format string passed to O.__format__",
                )),
            }
        }
    }

    fn run(t: &str) -> String {
        let mut a = Args {
            pos: vec![V::Obj, V::Int(7)],
            kw: vec![("x", V::Int(3))],
        };
        match format_template(t, &mut a) {
            Ok(s) => s,
            Err(e) => format!("!! {}", e.msg),
        }
    }

    #[test]
    fn errors_match_cpython() {
        let cases: &[(&str, &str)] = &[
            ("{0:", "unmatched '{' in format spec"),
            (
                "{0!",
                "end of string while looking for conversion specifier",
            ),
            ("{0!r", "unmatched '{' in format spec"),
            ("{!}", "unmatched '{' in format spec"),
            ("{0!rx}", "expected ':' after conversion specifier"),
            ("{0!x}", "Unknown conversion specifier x"),
            ("{0!\u{1}}", "Unknown conversion specifier \\x1"),
            ("{0!é}", "Unknown conversion specifier \\xe9"),
            ("{", "Single '{' encountered in format string"),
            ("a}b", "Single '}' encountered in format string"),
            ("{0[}", "expected '}' before end of string"),
            (
                "{0[a]b}",
                "Only '.' or '[' may follow ']' in format field specifier",
            ),
            (
                "{0[a]é}",
                "Only '.' or '[' may follow ']' in format field specifier",
            ),
            ("{0.}", "Empty attribute in format string"),
            ("{0[]}", "Empty attribute in format string"),
            ("{0.a.}", "Empty attribute in format string"),
            ("{0.b.}", "AttributeError b"),
            ("{a{}", "unexpected '{' in field name"),
            ("{:{:{}}}", "Max string recursion exceeded"),
            (
                "{}{1}",
                "cannot switch from automatic field numbering to manual field specification",
            ),
            (
                "{1}{}",
                "cannot switch from manual field specification to automatic field numbering",
            ),
            ("{:{}}", "unsupported format string passed to O.__format__"),
            ("{0:}}", "Single '}' encountered in format string"),
            ("{0:{}", "unmatched '{' in format spec"),
            (
                "{99999999999999999999}",
                "Too many decimal digits in format string",
            ),
            ("{0.a[x][1]}", "'int' object is not subscriptable"),
            (
                "{2}",
                "Replacement index 2 out of range for positional args tuple",
            ),
            (
                "{} {} {}",
                "Replacement index 2 out of range for positional args tuple",
            ),
            ("{y}", "KeyError y"),
        ];
        for &(t, want) in cases {
            assert_eq!(run(t), format!("!! {want}"), "{t:?}");
        }
    }

    #[test]
    fn output_matches_cpython() {
        let cases: &[(&str, &str)] = &[
            ("{{", "{"),
            ("a}}b{{c", "a}b{c"),
            ("{0[}]}", "'}'"),
            ("x{0!r:>{1}}y", "x    <O>y"),
            ("{٠}", "<O>"),
            ("{0[٠]}", "0"),
            ("{0[-1]}", "'-1'"),
            ("{x:{1}d}|{1:*^{x}}", "      3|*7*"),
            ("{0.a:03}{1!s:}", "0057"),
            (
                "{1!r:{{}}}",
                "!! Invalid format specifier '{}' for object of type 'str'",
            ),
            ("é{1:é>4}ü", "éééé7ü"),
            ("", ""),
        ];
        for &(t, want) in cases {
            assert_eq!(run(t), want, "{t:?}");
        }
    }
}
