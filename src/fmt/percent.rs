//! Printf-style `str % args`: the driver that walks a parsed template, asks the VM for the
//! arguments through [`PercentArgs`] and writes the result, raising CPython 3.11's errors in
//! CPython's order. Invariant: arguments are consumed exactly as `PyUnicode_Format` consumes
//! them — a tuple item by item, anything else as one value, and after `%(key)` the looked-up
//! value replaces the arguments for the rest of that specifier.

use super::int_parse::IntValue;
use super::percent_spec::{
    percent_float, percent_int, unsupported_char, write_field, Count, KeyPart, PercentFlags,
    PercentItem, PercentParser, PercentSpec,
};
use super::FmtError;

/// How the right operand of `%` presents itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgsShape {
    /// A tuple (or tuple subclass) of this length: items are consumed in order.
    Tuple(usize),
    /// Not a tuple, not a str, but has `__getitem__` (dict, list, ...): `%(key)` may look keys
    /// up, and unused arguments are never an error.
    Mapping,
    /// Anything else: a single argument.
    Single,
}

/// The text conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentConv {
    /// `%s`: `str(v)`.
    Str,
    /// `%r`: `repr(v)`.
    Repr,
    /// `%a`: `ascii(v)`.
    Ascii,
}

/// What `%c` received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CharArg {
    /// A str of exactly one character.
    Char(char),
    /// An int, or an object with `__index__`.
    Int(IntValue),
    /// Anything else, including a str of another length ("%c requires int or char").
    Invalid,
}

/// The VM's side of `%`-formatting: access to the arguments and the conversions that may run
/// user code (`__str__`, `__repr__`, `__index__`, `__int__`, `__float__`) and raise.
pub trait PercentArgs {
    /// A Python value.
    type Value;
    /// The VM's exception type; formatting errors convert into it.
    type Error: From<FmtError>;

    /// The shape of the right operand.
    fn shape(&self) -> ArgsShape;
    /// Item `index` of the tuple operand (`index` is below the length given by `shape`).
    fn item(&mut self, index: usize) -> Self::Value;
    /// The operand itself, when it is not a tuple.
    fn whole(&mut self) -> Self::Value;
    /// `operand[key]` for `%(key)`; raises what the mapping raises (KeyError...).
    fn lookup(&mut self, key: &str) -> Result<Self::Value, Self::Error>;
    /// `type(v).__name__`, for messages.
    fn type_name(&mut self, v: &Self::Value) -> String;
    /// `v` if it is an int (`isinstance(v, int)`, bools included), for `*`.
    fn exact_int(&mut self, v: &Self::Value) -> Option<IntValue>;
    /// `str(v)`, `repr(v)` or `ascii(v)` (see [`super::ascii_escape`]).
    fn text(&mut self, v: &Self::Value, conv: PercentConv) -> Result<String, Self::Error>;
    /// The int for `%d %i %u` (`index_only` false: `int(v)` semantics, `__int__` or
    /// `__index__`, floats truncate) or `%o %x %X` (`index_only` true: `__index__` only).
    /// `Ok(None)` when `v` is not a number or its conversion raised TypeError; the caller then
    /// raises "%d format: a real number is required, not str". Other errors propagate
    /// (`int(float('inf'))` raises OverflowError).
    fn int_value(
        &mut self,
        v: &Self::Value,
        index_only: bool,
    ) -> Result<Option<IntValue>, Self::Error>;
    /// `float(v)` as `PyFloat_AsDouble`: a float, or `__float__`, or `__index__`; otherwise
    /// TypeError "must be real number, not str".
    fn float_value(&mut self, v: &Self::Value) -> Result<f64, Self::Error>;
    /// The argument of `%c`.
    fn char_value(&mut self, v: &Self::Value) -> Result<CharArg, Self::Error>;
    /// `sys.get_int_max_str_digits()` (0 = unlimited), for `%d` of huge ints.
    fn max_str_digits(&self) -> usize;
    /// True for `bytes % args` (`_PyBytes_FormatEx`): the template and the result are bytes
    /// carried one byte per character (U+0000 to U+00FF); `%b` is `%s`, `%r` is `%a`, and a
    /// few messages differ. `text` with [`PercentConv::Str`] then gives the bytes of a
    /// bytes-like object and `char_value` a byte.
    fn bytes_mode(&self) -> bool {
        false
    }
}

/// Where the next argument comes from.
enum Cursor<V> {
    /// Tuple operand: next index.
    Tuple { next: usize, len: usize },
    /// One value (the operand, or a looked-up value), unused while `Some`.
    Single(Option<V>),
}

/// `template % args`.
pub fn percent_format<A: PercentArgs>(template: &str, args: &mut A) -> Result<String, A::Error> {
    let shape = args.shape();
    let mut cursor = match shape {
        ArgsShape::Tuple(len) => Cursor::Tuple { next: 0, len },
        _ => Cursor::Single(None),
    };
    // The operand is fetched lazily so a template without specifiers never asks for it.
    let mut whole_used = false;
    let mut out = String::with_capacity(template.len() + 16);
    for item in PercentParser::new(template) {
        let spec = match item {
            PercentItem::Literal(s) => {
                out.push_str(s);
                continue;
            }
            PercentItem::Spec(spec) => spec,
        };
        match spec.key {
            KeyPart::None => {}
            _ if shape != ArgsShape::Mapping => {
                return Err(FmtError::type_error("format requires a mapping").into());
            }
            KeyPart::Incomplete => return Err(FmtError::value("incomplete format key").into()),
            KeyPart::Key(k) => {
                cursor = Cursor::Single(Some(args.lookup(k)?));
                whole_used = true;
            }
        }
        let mut next = |args: &mut A| next_arg(args, &mut cursor, &mut whole_used);
        convert_spec(&spec, args, &mut next, &mut out)?;
    }
    let unused = match cursor {
        Cursor::Tuple { next, len } => next < len,
        Cursor::Single(ref v) => v.is_some() || !whole_used,
    };
    if unused && shape != ArgsShape::Mapping {
        let what = if args.bytes_mode() { "bytes" } else { "string" };
        let msg = format!("not all arguments converted during {what} formatting");
        return Err(FmtError::type_error(msg).into());
    }
    Ok(out)
}

/// CPython's `unicode_format_getnextarg`.
fn next_arg<A: PercentArgs>(
    args: &mut A,
    cursor: &mut Cursor<A::Value>,
    whole_used: &mut bool,
) -> Result<A::Value, A::Error> {
    let missing = || FmtError::type_error("not enough arguments for format string").into();
    match cursor {
        Cursor::Tuple { next, len } => {
            if *next >= *len {
                return Err(missing());
            }
            *next += 1;
            Ok(args.item(*next - 1))
        }
        Cursor::Single(v) => {
            if let Some(v) = v.take() {
                return Ok(v);
            }
            if *whole_used {
                return Err(missing());
            }
            *whole_used = true;
            Ok(args.whole())
        }
    }
}

/// Resolves the `*` counts, fetches the argument and writes one converted field.
fn convert_spec<A: PercentArgs>(
    spec: &PercentSpec<'_>,
    args: &mut A,
    next: &mut impl FnMut(&mut A) -> Result<A::Value, A::Error>,
    out: &mut String,
) -> Result<(), A::Error> {
    let (flags, width, precision) = resolve_counts(spec, args, next)?;
    if let Some(e) = &spec.error {
        return Err(e.clone().into());
    }
    let v = next(args)?;
    let bytes = args.bytes_mode();
    let (text, numeric) = match spec.conv {
        's' => (args.text(&v, PercentConv::Str)?, false),
        'b' if bytes => (args.text(&v, PercentConv::Str)?, false),
        'r' if bytes => (args.text(&v, PercentConv::Ascii)?, false),
        'r' => (args.text(&v, PercentConv::Repr)?, false),
        'a' => (args.text(&v, PercentConv::Ascii)?, false),
        'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
            let index_only = matches!(spec.conv, 'o' | 'x' | 'X');
            let Some(i) = args.int_value(&v, index_only)? else {
                let what = if index_only {
                    "an integer"
                } else {
                    "a real number"
                };
                let name = args.type_name(&v);
                // bytes formatting names `%i` as `%d`.
                let conv = if bytes && spec.conv == 'i' {
                    'd'
                } else {
                    spec.conv
                };
                let msg = format!("%{conv} format: {what} is required, not {name}");
                return Err(FmtError::type_error(msg).into());
            };
            let digits = args.max_str_digits();
            (
                percent_int(&i, spec.conv, flags.alt, precision, digits)?,
                true,
            )
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let x = args.float_value(&v)?;
            (percent_float(x, spec.conv, flags.alt, precision), true)
        }
        'c' => (char_text(args.char_value(&v)?)?, false),
        c if bytes => return Err(unsupported_byte(c, spec.conv_index).into()),
        c => return Err(unsupported_char(c, spec.conv_index).into()),
    };
    write_field(out, &text, spec.conv, flags, width, precision, numeric);
    Ok(())
}

/// The flags, width and precision of `spec`, fetching `*` arguments in order. A negative
/// `*` width means left alignment; a negative `*` precision means 0.
fn resolve_counts<A: PercentArgs>(
    spec: &PercentSpec<'_>,
    args: &mut A,
    next: &mut impl FnMut(&mut A) -> Result<A::Value, A::Error>,
) -> Result<(PercentFlags, Option<usize>, Option<usize>), A::Error> {
    let mut flags = spec.flags;
    let width = match spec.width {
        Count::None => None,
        Count::Fixed(w) => Some(w),
        Count::Star => {
            let v = next(args)?;
            let w = star_value(args, &v, i64::MAX, "ssize_t")?;
            if w < 0 {
                flags.left = true;
            }
            Some(w.unsigned_abs() as usize)
        }
    };
    let precision = match spec.precision {
        Count::None => None,
        Count::Fixed(p) => Some(p),
        Count::Star => {
            let v = next(args)?;
            Some(star_value(args, &v, i32::MAX as i64, "int")?.max(0) as usize)
        }
    };
    Ok((flags, width, precision))
}

/// The value of a `*` argument: an int that fits the C type named `c_type`.
fn star_value<A: PercentArgs>(
    args: &mut A,
    v: &A::Value,
    max: i64,
    c_type: &str,
) -> Result<i64, A::Error> {
    let too_large = || FmtError::overflow(format!("Python int too large to convert to C {c_type}"));
    match args.exact_int(v) {
        None => Err(FmtError::type_error("* wants int").into()),
        Some(IntValue::Small(i)) if i >= -max - 1 && i <= max => Ok(i),
        Some(_) => Err(too_large().into()),
    }
}

/// CPython's "unsupported format character" for bytes: the byte is shown as is, and a byte
/// above 0x7F (a negative C `char`) fails to format the message itself.
fn unsupported_byte(c: char, index: usize) -> FmtError {
    if c as u32 > 0x7F {
        return FmtError::overflow("character argument not in range(0x110000)");
    }
    FmtError::value(format!(
        "unsupported format character '{c}' ({:#x}) at index {index}",
        c as u32
    ))
}

/// The one-character text of `%c`.
fn char_text(arg: CharArg) -> Result<String, FmtError> {
    let code = match arg {
        CharArg::Char(c) => return Ok(c.to_string()),
        CharArg::Invalid => return Err(FmtError::type_error("%c requires int or char")),
        CharArg::Int(IntValue::Small(i)) if (0..=0x10FFFF).contains(&i) => i as u32,
        CharArg::Int(_) => return Err(FmtError::overflow("%c arg not in range(0x110000)")),
    };
    // Lone surrogates cannot live in a Rust string; they become U+FFFD.
    Ok(char::from_u32(code).unwrap_or('\u{FFFD}').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::{ascii_escape, float_repr, float_to_int, str_repr};

    #[derive(Clone, Debug)]
    enum V {
        Int(i64),
        Float(f64),
        Str(&'static str),
    }

    enum Args {
        Tuple(Vec<V>),
        Dict(Vec<(&'static str, V)>),
        Single(V),
    }

    impl PercentArgs for Args {
        type Value = V;
        type Error = FmtError;

        fn shape(&self) -> ArgsShape {
            match self {
                Args::Tuple(v) => ArgsShape::Tuple(v.len()),
                Args::Dict(_) => ArgsShape::Mapping,
                Args::Single(_) => ArgsShape::Single,
            }
        }
        fn item(&mut self, index: usize) -> V {
            match self {
                Args::Tuple(v) => v[index].clone(),
                _ => unreachable!(),
            }
        }
        fn whole(&mut self) -> V {
            match self {
                Args::Single(v) => v.clone(),
                _ => V::Str("{dict}"),
            }
        }
        fn lookup(&mut self, key: &str) -> Result<V, FmtError> {
            let Args::Dict(d) = self else { unreachable!() };
            d.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| FmtError::type_error(format!("KeyError {key}")))
        }
        fn type_name(&mut self, v: &V) -> String {
            match v {
                V::Int(_) => "int",
                V::Float(_) => "float",
                V::Str(_) => "str",
            }
            .into()
        }
        fn exact_int(&mut self, v: &V) -> Option<IntValue> {
            match v {
                V::Int(i) => Some(IntValue::Small(*i)),
                _ => None,
            }
        }
        fn text(&mut self, v: &V, conv: PercentConv) -> Result<String, FmtError> {
            let s = match (v, conv) {
                (V::Str(s), PercentConv::Str) => s.to_string(),
                (V::Str(s), _) => str_repr(s),
                (V::Int(i), _) => i.to_string(),
                (V::Float(x), _) => float_repr(*x),
            };
            Ok(if conv == PercentConv::Ascii {
                ascii_escape(&s)
            } else {
                s
            })
        }
        fn int_value(&mut self, v: &V, index_only: bool) -> Result<Option<IntValue>, FmtError> {
            match v {
                V::Int(i) => Ok(Some(IntValue::Small(*i))),
                V::Float(x) if !index_only => float_to_int(*x).map(Some),
                _ => Ok(None),
            }
        }
        fn float_value(&mut self, v: &V) -> Result<f64, FmtError> {
            match v {
                V::Int(i) => Ok(*i as f64),
                V::Float(x) => Ok(*x),
                V::Str(_) => Err(FmtError::type_error("must be real number, not str")),
            }
        }
        fn char_value(&mut self, v: &V) -> Result<CharArg, FmtError> {
            Ok(match v {
                V::Str(s) if s.chars().count() == 1 => CharArg::Char(s.chars().next().unwrap()),
                V::Int(i) => CharArg::Int(IntValue::Small(*i)),
                _ => CharArg::Invalid,
            })
        }
        fn max_str_digits(&self) -> usize {
            4300
        }
    }

    fn run(t: &str, mut a: Args) -> String {
        match percent_format(t, &mut a) {
            Ok(s) => s,
            Err(e) => format!("!! {}", e.msg),
        }
    }

    use V::{Float as F, Int as I, Str as S};

    fn tup(v: &[V]) -> Args {
        Args::Tuple(v.to_vec())
    }

    #[test]
    fn argument_errors() {
        let dict = || Args::Dict(vec![("a", I(1))]);
        assert_eq!(
            run("%(a)%", dict()),
            "!! unsupported format character '%' (0x25) at index 4"
        );
        assert_eq!(
            run("%(a)s %s", dict()),
            "!! not enough arguments for format string"
        );
        assert_eq!(
            run("%s %s", dict()),
            "!! not enough arguments for format string"
        );
        assert_eq!(run("%s", dict()), "{dict}");
        assert_eq!(run("", dict()), "");
        assert_eq!(run("%(a)s", tup(&[I(1)])), "!! format requires a mapping");
        assert_eq!(run("%(a", dict()), "!! incomplete format key");
        assert_eq!(run("%(a)", dict()), "!! incomplete format");
        assert_eq!(run("%(b)s", dict()), "!! KeyError b");
        assert_eq!(run("%*", tup(&[I(5)])), "!! incomplete format");
        assert_eq!(run("%*", tup(&[S("x")])), "!! * wants int");
        assert_eq!(
            run("%*", tup(&[])),
            "!! not enough arguments for format string"
        );
        assert_eq!(run("abc%", Args::Single(I(1))), "!! incomplete format");
        assert_eq!(
            run("%y", tup(&[])),
            "!! not enough arguments for format string"
        );
        assert_eq!(
            run("%y", Args::Single(I(1))),
            "!! unsupported format character 'y' (0x79) at index 1"
        );
        assert_eq!(
            run("a%ÿ", Args::Single(I(1))),
            "!! unsupported format character '?' (0xff) at index 2"
        );
        assert_eq!(
            run("%d", Args::Single(S("3"))),
            "!! %d format: a real number is required, not str"
        );
        assert_eq!(
            run("%x", Args::Single(F(3.0))),
            "!! %x format: an integer is required, not float"
        );
        assert_eq!(
            run("%f", Args::Single(S("a"))),
            "!! must be real number, not str"
        );
        assert_eq!(
            run("%c", Args::Single(S("ab"))),
            "!! %c requires int or char"
        );
        assert_eq!(
            run("%c", Args::Single(F(1.5))),
            "!! %c requires int or char"
        );
        assert_eq!(
            run("%c", Args::Single(I(-1))),
            "!! %c arg not in range(0x110000)"
        );
        assert_eq!(
            run("%d %d", tup(&[I(1)])),
            "!! not enough arguments for format string"
        );
        assert_eq!(
            run("%d", tup(&[I(1), I(2)])),
            "!! not all arguments converted during string formatting"
        );
        assert_eq!(
            run("", Args::Single(I(5))),
            "!! not all arguments converted during string formatting"
        );
        assert_eq!(
            run("%99999999999999999999d", Args::Single(I(1))),
            "!! width too big"
        );
        assert_eq!(
            run("%.99999999999999d", Args::Single(I(1))),
            "!! precision too big"
        );
        assert_eq!(run("%d", Args::Single(F(3.7))), "3");
        assert_eq!(
            run("%d", Args::Single(F(f64::INFINITY))),
            "!! cannot convert float infinity to integer"
        );
        assert_eq!(
            run("%.1c", Args::Single(S("xy"))),
            "!! %c requires int or char"
        );
    }

    #[test]
    fn conversions_match_cpython() {
        let t = "%5.3s|%-5s|%05d|%+d|% d|%#x|%#o|%#X|%-6.2f|%06.2f|%+06.1f";
        let a = [
            S("abcdef"),
            S("ab"),
            I(-42),
            I(5),
            I(5),
            I(255),
            I(8),
            I(255),
            F(3.14158),
            F(-3.14158),
            F(2.0),
        ];
        assert_eq!(
            run(t, tup(&a)),
            "  abc|ab   |-0042|+5| 5|0xff|0o10|0XFF|3.14  |-03.14|+002.0"
        );
        let t = "%e|%E|%g|%G|%F|%#g|%.0e|%#.0f|%10.3e";
        let a = [
            F(1234.5),
            F(1234.5),
            F(0.00001234),
            F(1e20),
            F(f64::INFINITY),
            F(1.0),
            F(12345.0),
            F(3.0),
            F(-1234.5),
        ];
        assert_eq!(
            run(t, tup(&a)),
            "1.234500e+03|1.234500E+03|1.234e-05|1E+20|INF|1.00000|1e+04|3.|-1.234e+03"
        );
        assert_eq!(
            run("%i|%u|%ld|%hd|%Lf", tup(&[I(1), I(2), I(3), I(4), F(5.0)])),
            "1|2|3|4|5.000000"
        );
        let t = "%#5x|%#-8o|%#08x|%-#8X|%08X";
        assert_eq!(
            run(t, tup(&[I(255), I(8), I(-255), I(255), I(-255)])),
            " 0xff|0o10    |-0x000ff|0XFF    |-00000FF"
        );
        let t = "%.5d|%.5x|%#.5x|%+.3d|%8.5d|%-8.5d|%08.5d";
        let a = [I(42), I(255), I(255), I(7), I(-42), I(42), I(42)];
        assert_eq!(
            run(t, tup(&a)),
            "00042|000ff|0x000ff|+007|  -00042|00042   |00000042"
        );
        assert_eq!(
            run("%s|%r|%a", tup(&[S("é"), S("é"), S("é")])),
            "é|'é'|'\\xe9'"
        );
        assert_eq!(
            run("%5c|%-3c|%c", tup(&[S("x"), I(65), S("é")])),
            "    x|A  |é"
        );
        assert_eq!(
            run("%05s|%-05d|%+s|%#s", tup(&[S("ab"), I(42), S("x"), S("x")])),
            "   ab|42   |x|x"
        );
        assert_eq!(
            run(
                "% 05.1f|%+05d|%#o|%#x|%x|%o",
                tup(&[F(2.25), I(0), I(0), I(0), I(-255), I(-8)])
            ),
            " 02.2|+0000|0o0|0x0|-ff|-10"
        );
        assert_eq!(
            run(
                "%*d|%.*f|%-*s|",
                tup(&[I(-5), I(1), I(-5), F(1.5), I(3), S("é")])
            ),
            "1    |2|é  |"
        );
        assert_eq!(
            run(
                "%(a)s-%(b)05.1f-%%",
                Args::Dict(vec![("a", S("x")), ("b", F(2.5))])
            ),
            "x-002.5-%"
        );
        assert_eq!(
            run("%.2s%.0s|%3.1r", tup(&[S("héllo"), S("x"), S("ab")])),
            "hé|  '"
        );
    }
}
