//! `format(value, spec)` for int, float and str: the type-dependent half of the mini-language
//! (CPython's `format_long_internal`, `format_float_internal`, `format_string_internal`). The
//! `type_name` parameter names the value's type in messages, so subclasses reuse these.
//! Invariant: an empty spec gives `str(value)` of the exact builtin type; for subclasses the VM
//! calls `str()` itself, as CPython does.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::dtoa::{double_to_string, FloatCode, FloatFlags};
use super::float_ops::int_to_float;
use super::int_parse::check_str_digits;
use super::render::{write_number, write_padded, NumberParts};
use super::spec::{unknown_code, Align, FormatSpec, Sign, SpecKind};
use super::FmtError;

/// Appends `format(value, spec)` for an int (or bool, with `type_name` "bool").
pub fn format_int_i64(
    value: i64,
    spec: &str,
    type_name: &str,
    out: &mut String,
) -> Result<(), FmtError> {
    if spec.is_empty() {
        out.push_str(itoa(&mut [0; 72], value.unsigned_abs(), 10, value < 0));
        return Ok(());
    }
    let f = FormatSpec::parse(spec, SpecKind::Int, type_name)?;
    format_int(IntRef::Small(value), &f, type_name, 0, out)
}

/// Appends `format(value, spec)` for a big int. `max_str_digits` is the interpreter's
/// `sys.get_int_max_str_digits()` (0 = unlimited), enforced for decimal output.
pub fn format_int_big(
    value: &BigInt,
    spec: &str,
    type_name: &str,
    max_str_digits: usize,
    out: &mut String,
) -> Result<(), FmtError> {
    if spec.is_empty() {
        check_str_digits(value, max_str_digits)?;
        out.push_str(&value.to_str_radix(10));
        return Ok(());
    }
    let f = FormatSpec::parse(spec, SpecKind::Int, type_name)?;
    format_int(IntRef::Big(value), &f, type_name, max_str_digits, out)
}

/// Appends `format(value, spec)` for a float.
pub fn format_float(
    value: f64,
    spec: &str,
    type_name: &str,
    out: &mut String,
) -> Result<(), FmtError> {
    if spec.is_empty() {
        super::dtoa::write_float_repr(out, value);
        return Ok(());
    }
    let f = FormatSpec::parse(spec, SpecKind::Float, type_name)?;
    match f.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {
            format_float_spec(value, &f, out)
        }
        Some(c) => Err(unknown_code(c, type_name)),
    }
}

/// Appends `format(value, spec)` for a str.
pub fn format_str(
    value: &str,
    spec: &str,
    type_name: &str,
    out: &mut String,
) -> Result<(), FmtError> {
    if spec.is_empty() {
        out.push_str(value);
        return Ok(());
    }
    let f = FormatSpec::parse(spec, SpecKind::Str, type_name)?;
    match f.ty {
        Some('s') => {}
        Some(c) => return Err(unknown_code(c, type_name)),
        None => unreachable!("str specs default to type 's'"),
    }
    let what = match f.sign {
        Some(Sign::Space) => Some("Space"),
        Some(_) => Some("Sign"),
        None if f.no_neg_0 => Some("Negative zero coercion (z)"),
        None if f.alternate => Some("Alternate form (#)"),
        None if f.align == Align::AfterSign => Some("'=' alignment"),
        None => None,
    };
    if let Some(what) = what {
        return Err(FmtError::value(format!(
            "{what} not allowed in string format specifier"
        )));
    }
    if f.width.is_none() && f.precision.is_none() {
        out.push_str(value);
        return Ok(());
    }
    // Truncate to `precision` characters, counting code points.
    let (s, len) = match f.precision {
        Some(p) => match value.char_indices().nth(p) {
            Some((i, _)) => (&value[..i], p),
            None => (value, value.chars().count()),
        },
        None => (value, value.chars().count()),
    };
    write_padded(out, s, len, &f);
    Ok(())
}

/// An int of either representation.
#[derive(Clone, Copy)]
enum IntRef<'a> {
    Small(i64),
    Big(&'a BigInt),
}

fn format_int(
    v: IntRef<'_>,
    f: &FormatSpec,
    type_name: &str,
    max_str_digits: usize,
    out: &mut String,
) -> Result<(), FmtError> {
    let ty = f.ty.unwrap_or('d');
    match ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            let x = match v {
                IntRef::Small(i) => i as f64,
                IntRef::Big(b) => int_to_float(b)?,
            };
            return format_float_spec(x, f, out);
        }
        c => return Err(unknown_code(c, type_name)),
    }
    if f.precision.is_some() {
        return Err(FmtError::value(
            "Precision not allowed in integer format specifier",
        ));
    }
    if f.no_neg_0 {
        return Err(FmtError::value(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        return format_int_char(v, f, out);
    }
    write_int_digits(v, ty, f, max_str_digits, out)
}

/// The `b d n o x X` presentations: sign, optional prefix, digits in the base.
fn write_int_digits(
    v: IntRef<'_>,
    ty: char,
    f: &FormatSpec,
    max_str_digits: usize,
    out: &mut String,
) -> Result<(), FmtError> {
    let (base, prefix) = match ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let prefix = if f.alternate { prefix } else { "" };
    let mut buf = [0u8; 72];
    let mut big_digits;
    let (negative, digits) = match v {
        IntRef::Small(i) if ty == 'X' => {
            big_digits = itoa(&mut buf, i.unsigned_abs(), base, false).to_ascii_uppercase();
            (i < 0, big_digits.as_str())
        }
        IntRef::Small(i) => (i < 0, itoa(&mut buf, i.unsigned_abs(), base, false)),
        IntRef::Big(b) => {
            if base == 10 {
                check_str_digits(b, max_str_digits)?;
            }
            big_digits = b.magnitude().to_str_radix(base);
            if ty == 'X' {
                big_digits.make_ascii_uppercase();
            }
            (b.is_negative(), big_digits.as_str())
        }
    };
    let parts = NumberParts {
        negative,
        prefix,
        digits,
        decimal: false,
        remainder: "",
    };
    write_number(out, &parts, f);
    Ok(())
}

/// The `c` presentation: the int is a code point.
fn format_int_char(v: IntRef<'_>, f: &FormatSpec, out: &mut String) -> Result<(), FmtError> {
    if f.sign.is_some() {
        return Err(FmtError::value(
            "Sign not allowed with integer format specifier 'c'",
        ));
    }
    if f.alternate {
        return Err(FmtError::value(
            "Alternate form (#) not allowed with integer format specifier 'c'",
        ));
    }
    let x = match v {
        IntRef::Small(i) => i,
        IntRef::Big(b) => b
            .to_i64()
            .ok_or_else(|| FmtError::overflow("Python int too large to convert to C long"))?,
    };
    if !(0..=0x10FFFF).contains(&x) {
        return Err(FmtError::overflow("%c arg not in range(0x110000)"));
    }
    // Lone surrogates cannot live in a Rust string; they become U+FFFD.
    let c = char::from_u32(x as u32).unwrap_or('\u{FFFD}');
    let mut tmp = [0u8; 4];
    let parts = NumberParts {
        negative: false,
        prefix: "",
        digits: "",
        decimal: false,
        remainder: c.encode_utf8(&mut tmp),
    };
    write_number(out, &parts, f);
    Ok(())
}

/// Float presentation types (also used for ints with e/f/g/%).
fn format_float_spec(value: f64, f: &FormatSpec, out: &mut String) -> Result<(), FmtError> {
    let precision = match f.precision {
        Some(p) if p > i32::MAX as usize => return Err(FmtError::value("precision too big")),
        p => p,
    };
    let (code, mut flags, default_precision) = float_code(f, precision.is_some());
    flags.alt = f.alternate;
    flags.no_neg_0 = f.no_neg_0;
    let precision = precision.unwrap_or(default_precision);
    let percent = f.ty == Some('%');
    let value = if percent { value * 100.0 } else { value };
    let simple = f.width.is_none()
        && !matches!(f.sign, Some(Sign::Plus | Sign::Space))
        && f.grouping == super::spec::Grouping::None;
    if simple {
        double_to_string(out, value, code, precision, flags);
        if percent {
            out.push('%');
        }
        return Ok(());
    }
    let mut s = String::with_capacity(32);
    double_to_string(&mut s, value, code, precision, flags);
    if percent {
        s.push('%');
    }
    write_number(out, &split_float_text(&s), f);
    Ok(())
}

/// The conversion for a float presentation type, its flags and its default precision.
fn float_code(f: &FormatSpec, has_precision: bool) -> (FloatCode, FloatFlags, usize) {
    let upper = matches!(f.ty, Some('E' | 'F' | 'G'));
    let flags = FloatFlags {
        upper,
        ..FloatFlags::default()
    };
    match f.ty {
        // No type: like repr without a precision, else like 'g' keeping a '.0'.
        None => {
            let code = if has_precision {
                FloatCode::General
            } else {
                FloatCode::Repr
            };
            (
                code,
                FloatFlags {
                    add_dot_0: true,
                    ..flags
                },
                0,
            )
        }
        Some('e' | 'E') => (FloatCode::Exp, flags, 6),
        Some('f' | 'F' | '%') => (FloatCode::Fixed, flags, 6),
        _ => (FloatCode::General, flags, 6),
    }
}

/// Splits converted float text (`-1234.5e+10`, `inf`, `12%`) into the parts that
/// [`write_number`] lays out: only the integer digits take separators and zero padding.
fn split_float_text(s: &str) -> NumberParts<'_> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = body.split_at(n);
    let (decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    NumberParts {
        negative,
        prefix: "",
        digits,
        decimal,
        remainder,
    }
}

/// Writes the digits of `n` in `base` into the end of `buf`, with a leading `-` when
/// `negative`, and returns them.
fn itoa(buf: &mut [u8; 72], mut n: u64, base: u32, negative: bool) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % base as u64) as usize];
        n /= base as u64;
        if n == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i64, spec: &str) -> String {
        let mut s = String::new();
        match format_int_i64(v, spec, "int", &mut s) {
            Ok(()) => s,
            Err(e) => format!("!! {}", e.msg),
        }
    }

    fn big(v: &str, spec: &str) -> String {
        let mut s = String::new();
        match format_int_big(&v.parse().unwrap(), spec, "int", 4300, &mut s) {
            Ok(()) => s,
            Err(e) => format!("!! {}", e.msg),
        }
    }

    fn float(v: f64, spec: &str) -> String {
        let mut s = String::new();
        match format_float(v, spec, "float", &mut s) {
            Ok(()) => s,
            Err(e) => format!("!! {}", e.msg),
        }
    }

    #[test]
    fn ints_match_cpython() {
        let cases: &[(i64, &str, &str)] = &[
            (1234567, ",", "1,234,567"),
            (1234567, "_", "1_234_567"),
            (-1234567, "012,", "-001,234,567"),
            (1234, "012,", "0,000,001,234"),
            (255, "#x", "0xff"),
            (255, "#X", "0XFF"),
            (-255, "#010x", "-0x00000ff"),
            (255, "_b", "1111_1111"),
            (3735928559, "_x", "dead_beef"),
            (65, "c", "A"),
            (65, "^5c", "  A  "),
            (65, "0=5c", "0000A"),
            (42, "+", "+42"),
            (42, " ", " 42"),
            (-42, "*^9", "***-42***"),
            (42, "<6", "42    "),
            (42, "=+6", "+   42"),
            (7, ".2%", "700.00%"),
            (12, "n", "12"),
            (
                i64::MIN,
                "#b",
                "-0b1000000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                123,
                "z",
                "!! Negative zero coercion (z) not allowed in integer format specifier",
            ),
            (
                5,
                ".2",
                "!! Precision not allowed in integer format specifier",
            ),
            (
                1,
                "s",
                "!! Unknown format code 's' for object of type 'int'",
            ),
            (1114112, "c", "!! %c arg not in range(0x110000)"),
            (
                65,
                "+c",
                "!! Sign not allowed with integer format specifier 'c'",
            ),
            (
                65,
                "#c",
                "!! Alternate form (#) not allowed with integer format specifier 'c'",
            ),
            (3, "#o", "0o3"),
            (0, "+05", "+0000"),
            (1234, ",.2f", "1,234.00"),
            (-7, "", "-7"),
        ];
        for &(v, spec, want) in cases {
            assert_eq!(int(v, spec), want, "format({v}, {spec:?})");
        }
        assert_eq!(big("100000000000000000000", "e"), "1.000000e+20");
        assert_eq!(
            big("9223372036854775808", "_o"),
            "10_0000_0000_0000_0000_0000"
        );
        assert_eq!(
            big("1000000000000000000000000000000", "f"),
            "1000000000000000019884624838656.000000"
        );
        assert_eq!(
            big("18446744073709551616", "c"),
            "!! Python int too large to convert to C long"
        );
        let huge = format!("1{}", "0".repeat(5000));
        let limit = "!! Exceeds the limit (4300 digits) for integer string conversion; use \
                     sys.set_int_max_str_digits() to increase the limit";
        assert_eq!(big(&huge, ","), limit);
        assert_eq!(big(&huge, ""), limit);
        assert_eq!(big(&huge, "f"), "!! int too large to convert to float");
        assert!(big(&huge, "x").starts_with("31e"));
        let mut s = String::new();
        let e = format_int_i64(1, "y", "bool", &mut s).unwrap_err();
        assert_eq!(e.msg, "Unknown format code 'y' for object of type 'bool'");
    }

    #[test]
    fn floats_match_cpython() {
        let inf = f64::INFINITY;
        let cases: &[(f64, &str, &str)] = &[
            (0.1, "", "0.1"),
            (1e16, "", "1e+16"),
            (1e16, "g", "1e+16"),
            (1e15, "", "1000000000000000.0"),
            (1e15, "g", "1e+15"),
            (1.0, ".3", "1.0"),
            (1.0, ".3g", "1"),
            (1.0, "#.3g", "1.00"),
            (1234.5678, ",.2f", "1,234.57"),
            (1234567.891, "_", "1_234_567.891"),
            (-0.0, "z", "0.0"),
            (-0.0001, "z.2f", "0.00"),
            (-0.0001, ".2f", "-0.00"),
            (2.675, ".2f", "2.67"),
            (0.125, ".2f", "0.12"),
            (0.5, ".0f", "0"),
            (0.5, "%", "50.000000%"),
            (1.5, "#.0f", "2."),
            (inf, "010", "0000000inf"),
            (-inf, "=+10", "-      inf"),
            (f64::NAN, "+", "+nan"),
            (f64::NAN, "F", "NAN"),
            (1e300, ".3e", "1.000e+300"),
            (12345.678, "010.2f", "0012345.68"),
            (-12345.678, "012,.1f", "-0,012,345.7"),
            (3.0, "x>+9.2E", "+3.00E+00"),
            (1e-5, "", "1e-05"),
            (1.5e-5, ".2", "1.5e-05"),
            (123456789012345.6, "", "123456789012345.6"),
            (0.0001, "n", "0.0001"),
            (1234567.0, "n", "1.23457e+06"),
            (5e-324, ".3g", "4.94e-324"),
            (1e22, ".0f", "10000000000000000000000"),
            (2.5, "^+9", "  +2.5   "),
            (100.0, ".1%", "10000.0%"),
            (
                1.0,
                "c",
                "!! Unknown format code 'c' for object of type 'float'",
            ),
            (1.0, ".2147483648f", "!! precision too big"),
        ];
        for &(v, spec, want) in cases {
            assert_eq!(float(v, spec), want, "format({v:e}, {spec:?})");
        }
        assert_eq!(float(0.1, ".1000f").len(), 1002);
    }

    #[test]
    fn strs_match_cpython() {
        let f = |v: &str, spec: &str| {
            let mut s = String::new();
            match format_str(v, spec, "str", &mut s) {
                Ok(()) => s,
                Err(e) => format!("!! {}", e.msg),
            }
        };
        assert_eq!(f("héllo", ".2"), "hé");
        assert_eq!(f("ab", "*^7"), "**ab***");
        assert_eq!(f("ab", "05"), "ab000");
        assert_eq!(f("😀", ">3"), "  😀");
        assert_eq!(
            f("ab", "=5"),
            "!! '=' alignment not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", "+"),
            "!! Sign not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", "-"),
            "!! Sign not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", " "),
            "!! Space not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", "#"),
            "!! Alternate form (#) not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", "z"),
            "!! Negative zero coercion (z) not allowed in string format specifier"
        );
        assert_eq!(
            f("ab", "d"),
            "!! Unknown format code 'd' for object of type 'str'"
        );
        assert_eq!(f("ab", ","), "!! Cannot specify ',' with 's'.");
        assert_eq!(
            f("ab", "+d"),
            "!! Unknown format code 'd' for object of type 'str'"
        );
    }
}
