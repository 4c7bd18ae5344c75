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
        out.push_str(itoa(&mut [0; 64], value.unsigned_abs(), 10, value < 0));
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
    let (base, prefix) = match ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let prefix = if f.alternate { prefix } else { "" };
    let mut buf = [0u8; 64];
    let big_digits;
    let (negative, digits) = match v {
        IntRef::Small(i) => (i < 0, itoa(&mut buf, i.unsigned_abs(), base, false)),
        IntRef::Big(b) => {
            if base == 10 {
                check_str_digits(b, max_str_digits)?;
            }
            big_digits = b.magnitude().to_str_radix(base);
            (b.is_negative(), big_digits.as_str())
        }
    };
    let upper;
    let digits = if ty == 'X' {
        upper = digits.to_ascii_uppercase();
        upper.as_str()
    } else {
        digits
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
    let mut flags = FloatFlags {
        alt: f.alternate,
        no_neg_0: f.no_neg_0,
        ..FloatFlags::default()
    };
    let mut value = value;
    let mut percent = false;
    let (code, default_precision) = match f.ty {
        None => {
            // No type: like repr without a precision, else like 'g' keeping a '.0'.
            flags.add_dot_0 = true;
            (
                if precision.is_some() {
                    FloatCode::General
                } else {
                    FloatCode::Repr
                },
                0,
            )
        }
        Some('e') => (FloatCode::Exp, 6),
        Some('E') => (FloatCode::Exp, 6),
        Some('f') | Some('F') => (FloatCode::Fixed, 6),
        Some('%') => {
            value *= 100.0;
            percent = true;
            (FloatCode::Fixed, 6)
        }
        _ => (FloatCode::General, 6),
    };
    flags.upper = matches!(f.ty, Some('E' | 'F' | 'G'));
    let precision = precision.unwrap_or(default_precision);
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
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = body.split_at(n);
    let (decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    write_number(
        out,
        &NumberParts {
            negative,
            prefix: "",
            digits,
            decimal,
            remainder,
        },
        f,
    );
    Ok(())
}

/// Writes the digits of `n` in `base` into the end of `buf`, with a leading `-` when
/// `negative`, and returns them.
fn itoa(buf: &mut [u8; 64], mut n: u64, base: u32, negative: bool) -> &str {
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
