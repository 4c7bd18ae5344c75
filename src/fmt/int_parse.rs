//! Text to number and number to text for ints, and text to float: `int(s, base)`, `float(s)`,
//! `str(int)` under the 3.11 digit limit, `bin`/`oct`/`hex`. Parsing follows CPython's
//! `PyLong_FromUnicodeObject` and `PyFloat_FromString`: non-ASCII whitespace and Unicode
//! decimal digits are first mapped to ASCII, then the ASCII grammar applies. Invariant: an
//! [`IntValue::Big`] never holds a value that fits in `i64`.

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

use super::repr::str_repr;
use super::unicode::{decimal_value, is_space};
use super::FmtError;

/// CPython 3.11's default for `sys.get_int_max_str_digits()`.
pub const DEFAULT_MAX_STR_DIGITS: usize = 4300;

/// An int result: small when it fits in `i64`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntValue {
    /// Fits in `i64`.
    Small(i64),
    /// Does not fit in `i64`.
    Big(BigInt),
}

impl IntValue {
    /// Normalises a `BigInt` to the small form when it fits.
    pub fn from_big(b: BigInt) -> IntValue {
        match b.to_i64() {
            Some(i) => IntValue::Small(i),
            None => IntValue::Big(b),
        }
    }
}

/// Python's `isspace` restricted to ASCII (C's `Py_ISSPACE`).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: ASCII stays, other whitespace becomes
/// a space and decimal digits their ASCII digit; anything else ends the text with a `?` (which
/// no grammar accepts). Borrowed when already ASCII.
fn to_ascii(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let mut v = Vec::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 127 {
            v.push(c as u8);
        } else if is_space(c) {
            v.push(b' ');
        } else if let Some(d) = decimal_value(c) {
            v.push(b'0' + d as u8);
        } else {
            v.push(b'?');
            break;
        }
    }
    std::borrow::Cow::Owned(v)
}

/// The `repr` of `s` cut to 200 characters, as `%.200R` does in CPython's messages.
fn repr_200(s: &str) -> String {
    let r = str_repr(s);
    match r.char_indices().nth(200) {
        Some((i, _)) => r[..i].to_owned(),
        None => r,
    }
}

/// `int(s, base)` for a str `s`. `base` is the Python argument (0 = guess from the prefix);
/// `max_str_digits` is `sys.get_int_max_str_digits()` (0 = unlimited), applied to bases that
/// are not powers of two.
pub fn int_from_str(s: &str, base: i64, max_str_digits: usize) -> Result<IntValue, FmtError> {
    if (base != 0 && base < 2) || base > 36 {
        return Err(FmtError::value("int() base must be >= 2 and <= 36, or 0"));
    }
    let bytes = to_ascii(s);
    parse_int_ascii(&bytes, base as u32, max_str_digits)?.ok_or_else(|| {
        FmtError::value(format!(
            "invalid literal for int() with base {base}: {}",
            repr_200(s)
        ))
    })
}

/// The ASCII grammar of `PyLong_FromString`. `Ok(None)` means "invalid literal"; the digit
/// limit is reported as soon as the digits are counted, before anything after them is checked.
fn parse_int_ascii(b: &[u8], base: u32, max_digits: usize) -> Result<Option<IntValue>, FmtError> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while is_ascii_space(at(i)) {
        i += 1;
    }
    let negative = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let Some((base, only_zero, skip)) = base_and_prefix(&b[i..], base) else {
        return Ok(None);
    };
    i += skip;
    let start = i;
    let mut digits = 0usize;
    let mut prev = 0u8;
    while (at(i) as char).is_digit(base) || at(i) == b'_' {
        if at(i) == b'_' && prev == b'_' {
            return Ok(None);
        }
        digits += (at(i) != b'_') as usize;
        prev = at(i);
        i += 1;
    }
    if prev == b'_' {
        return Ok(None);
    }
    if !base.is_power_of_two() && max_digits > 0 && digits > max_digits {
        return Err(FmtError::value(format!(
            "Exceeds the limit ({max_digits} digits) for integer string conversion: value has \
             {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    let body = &b[start..i];
    while is_ascii_space(at(i)) {
        i += 1;
    }
    if digits == 0 || i != b.len() {
        return Ok(None);
    }
    let value = digits_value(body, base, negative);
    if only_zero && value != IntValue::Small(0) {
        return Ok(None);
    }
    Ok(Some(value))
}

/// Resolves base 0 from the prefix and skips a prefix matching the base (plus one
/// underscore). Returns the base, whether only zero is allowed (old-style octal such as
/// `"012"` with base 0) and the bytes skipped; `None` if an underscore starts the digits.
fn base_and_prefix(b: &[u8], base: u32) -> Option<(u32, bool, usize)> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut base = base;
    let mut only_zero = false;
    if base == 0 {
        base = match (at(0), at(1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'o' | b'O') => 8,
            (b'0', b'b' | b'B') => 2,
            (b'0', _) => {
                only_zero = true;
                10
            }
            _ => 10,
        };
    }
    let prefix = match base {
        16 => b"xX".as_slice(),
        8 => b"oO",
        2 => b"bB",
        _ => b"",
    };
    let mut i = 0;
    if at(0) == b'0' && prefix.contains(&at(1)) {
        i = 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    (at(i) != b'_').then_some((base, only_zero, i))
}

/// The value of validated digits (underscores allowed between them) in `base`.
fn digits_value(body: &[u8], base: u32, negative: bool) -> IntValue {
    let mut acc: u64 = 0;
    let mut fits = true;
    for &c in body.iter().filter(|&&c| c != b'_') {
        let d = (c as char).to_digit(base).expect("validated digit") as u64;
        match acc.checked_mul(base as u64).and_then(|a| a.checked_add(d)) {
            Some(a) => acc = a,
            None => {
                fits = false;
                break;
            }
        }
    }
    if fits {
        if !negative && acc <= i64::MAX as u64 {
            return IntValue::Small(acc as i64);
        }
        if negative && acc <= 1 << 63 {
            return IntValue::Small((acc as i64).wrapping_neg());
        }
    }
    let clean: Vec<u8> = body.iter().copied().filter(|&c| c != b'_').collect();
    let mut big = BigInt::parse_bytes(&clean, base).expect("validated digits");
    if negative {
        big = -big;
    }
    IntValue::from_big(big)
}

/// Fails with CPython's ValueError when `v` has more than `max_str_digits` decimal digits
/// (0 = unlimited). Decides from the bit length when it can, so huge values are rejected
/// without converting them.
pub(crate) fn check_str_digits(v: &BigInt, max_str_digits: usize) -> Result<(), FmtError> {
    if max_str_digits == 0 {
        return Ok(());
    }
    let bits = v.bits();
    // A b-bit number has between floor((b-1)*log10(2))+1 and floor(b*log10(2))+1 digits.
    let lower = ((bits.saturating_sub(1)) as f64 * std::f64::consts::LOG10_2).floor() as u64 + 1;
    let upper = (bits as f64 * std::f64::consts::LOG10_2).floor() as u64 + 1;
    let too_many = if upper <= max_str_digits as u64 {
        false
    } else if lower > max_str_digits as u64 {
        true
    } else {
        v.magnitude().to_str_radix(10).len() > max_str_digits
    };
    if too_many {
        return Err(FmtError::value(format!(
            "Exceeds the limit ({max_str_digits} digits) for integer string conversion; use \
             sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    Ok(())
}

/// `str(v)` for a big int, under the digit limit (0 = unlimited).
pub fn int_to_decimal(v: &BigInt, max_str_digits: usize) -> Result<String, FmtError> {
    check_str_digits(v, max_str_digits)?;
    Ok(v.to_str_radix(10))
}

/// `bin(v)`, `oct(v)` or `hex(v)` (`base` 2, 8 or 16): `0b101`, `-0o17`, `-0x1f`.
pub fn int_to_radix(v: &IntValue, base: u32) -> String {
    let prefix = match base {
        2 => "0b",
        8 => "0o",
        16 => "0x",
        _ => panic!("int_to_radix: base must be 2, 8 or 16"),
    };
    let (negative, digits) = match v {
        IntValue::Small(i) => (*i < 0, BigInt::from(i.unsigned_abs()).to_str_radix(base)),
        IntValue::Big(b) => (
            b.sign() == num_bigint::Sign::Minus,
            b.magnitude().to_str_radix(base),
        ),
    };
    let mut out = String::with_capacity(digits.len() + 3);
    if negative {
        out.push('-');
    }
    out.push_str(prefix);
    out.push_str(&digits);
    out
}

/// `float(s)` for a str `s`: whitespace, a sign, decimal digits with single underscores between
/// them, an exponent, or `inf`, `infinity`, `nan` in any case. Overflow gives an infinity.
pub fn float_from_str(s: &str) -> Result<f64, FmtError> {
    let err = || {
        FmtError::value(format!(
            "could not convert string to float: {}",
            str_repr(s)
        ))
    };
    let bytes = to_ascii(s);
    let cleaned;
    let mut b: &[u8] = &bytes;
    if b.contains(&b'_') {
        cleaned = remove_underscores(b).ok_or_else(err)?;
        b = &cleaned;
    }
    while let [c, rest @ ..] = b {
        if !is_ascii_space(*c) {
            break;
        }
        b = rest;
    }
    while let [rest @ .., c] = b {
        if !is_ascii_space(*c) {
            break;
        }
        b = rest;
    }
    if !is_float_syntax(b) {
        return Err(err());
    }
    let text = std::str::from_utf8(b).map_err(|_| err())?;
    text.parse::<f64>().map_err(|_| err())
}

/// Drops underscores that sit between two digits; `None` if any other underscore is present.
fn remove_underscores(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    let mut prev = 0u8;
    for &c in b {
        if c == b'_' {
            if !prev.is_ascii_digit() {
                return None;
            }
        } else {
            if prev == b'_' && !c.is_ascii_digit() {
                return None;
            }
            out.push(c);
        }
        prev = c;
    }
    (prev != b'_').then_some(out)
}

/// The grammar `_Py_dg_strtod` and `_Py_parse_inf_or_nan` accept over the whole text.
fn is_float_syntax(b: &[u8]) -> bool {
    let b = match b {
        [b'+' | b'-', rest @ ..] => rest,
        _ => b,
    };
    let lower = |w: &[u8]| b.eq_ignore_ascii_case(w);
    if lower(b"inf") || lower(b"infinity") || lower(b"nan") {
        return true;
    }
    let digits = |b: &[u8]| b.iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(b);
    let mut i = int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = digits(&b[i + 1..]);
        i += 1 + frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

impl From<i64> for IntValue {
    fn from(i: i64) -> Self {
        IntValue::Small(i)
    }
}

impl IntValue {
    /// The value as a `BigInt`.
    pub fn to_bigint(&self) -> BigInt {
        match self {
            IntValue::Small(i) => BigInt::from(*i),
            IntValue::Big(b) => b.clone(),
        }
    }

    /// True when the value is zero.
    pub fn is_zero(&self) -> bool {
        match self {
            IntValue::Small(i) => *i == 0,
            IntValue::Big(b) => b.is_zero(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(s: &str, base: i64) -> Result<IntValue, String> {
        int_from_str(s, base, DEFAULT_MAX_STR_DIGITS).map_err(|e| e.msg)
    }

    #[test]
    fn int_parsing_matches_cpython() {
        use IntValue::Small;
        assert_eq!(int("0x_1f", 0), Ok(Small(31)));
        assert_eq!(int("0x_1f", 16), Ok(Small(31)));
        assert_eq!(int("0_0", 0), Ok(Small(0)));
        assert_eq!(int("00", 0), Ok(Small(0)));
        assert_eq!(int("01", 10), Ok(Small(1)));
        assert_eq!(int("0b", 16), Ok(Small(11)));
        assert_eq!(int(" 12 ", 16), Ok(Small(18)));
        assert_eq!(int("\u{2003}12\u{3000}", 0), Ok(Small(12)));
        assert_eq!(int("١٢٣", 16), Ok(Small(291)));
        assert_eq!(int("-0o17", 0), Ok(Small(-15)));
        assert_eq!(int("0O17", 0), Ok(Small(15)));
        assert_eq!(int("1_000", 16), Ok(Small(4096)));
        assert_eq!(int("-9223372036854775808", 10), Ok(Small(i64::MIN)));
        let big = "999999999999999999999999999999".parse::<BigInt>().unwrap();
        assert_eq!(
            int("999999999999999999999999999999", 0),
            Ok(IntValue::Big(big))
        );
        for (s, base) in [
            ("0x__1", 0),
            ("0_", 0),
            ("01", 0),
            ("0b", 0),
            ("0x", 16),
            ("_1", 10),
            ("1_", 10),
            ("1__0", 10),
            ("\x1c12", 10),
            ("12\x00", 10),
            ("+-1", 10),
            ("  -  1", 10),
            ("12é", 10),
            ("", 10),
        ] {
            let want = format!(
                "invalid literal for int() with base {base}: {}",
                str_repr(s)
            );
            assert_eq!(int(s, base), Err(want), "{s:?}");
        }
        assert_eq!(
            int("1", 1),
            Err("int() base must be >= 2 and <= 36, or 0".into())
        );
        let long = format!("{}x", "1".repeat(5000));
        assert_eq!(
            int(&long, 10),
            Err(
                "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 \
                 digits; use sys.set_int_max_str_digits() to increase the limit"
                    .into()
            )
        );
        assert!(int(&"1".repeat(5000), 16).is_ok());
        assert!(int_from_str(&"1".repeat(5000), 10, 0).is_ok());
        let a300 = int(&"a".repeat(300), 10).unwrap_err();
        assert_eq!(
            a300,
            format!(
                "invalid literal for int() with base 10: '{}",
                "a".repeat(199)
            )
        );
    }

    #[test]
    fn int_to_text() {
        let ten = BigInt::from(10);
        let limit = "Exceeds the limit (4300 digits) for integer string conversion; use \
                     sys.set_int_max_str_digits() to increase the limit";
        assert_eq!(int_to_decimal(&ten.pow(5000), 4300).unwrap_err().msg, limit);
        assert_eq!(int_to_decimal(&ten.pow(4300), 4300).unwrap_err().msg, limit);
        assert_eq!(
            int_to_decimal(&(ten.pow(4300) - BigInt::from(1)), 4300)
                .unwrap()
                .len(),
            4300
        );
        assert_eq!(
            int_to_decimal(&-(ten.pow(4300) - BigInt::from(1)), 4300)
                .unwrap()
                .len(),
            4301
        );
        assert_eq!(int_to_radix(&IntValue::Small(-31), 16), "-0x1f");
        assert_eq!(int_to_radix(&IntValue::Small(0), 2), "0b0");
        assert_eq!(
            int_to_radix(&IntValue::Small(i64::MIN), 8),
            "-0o1000000000000000000000"
        );
        assert_eq!(
            int_to_radix(&IntValue::Big(ten.pow(20)), 16),
            "0x56bc75e2d63100000"
        );
    }

    #[test]
    fn float_parsing_matches_cpython() {
        let ok: &[(&str, f64)] = &[
            ("1_000.5", 1000.5),
            (" 1.5\n", 1.5),
            ("-Infinity", f64::NEG_INFINITY),
            ("inF", f64::INFINITY),
            ("1e1_0", 1e10),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e500", f64::INFINITY),
            ("\u{3000}2", 2.0),
            ("0.1", 0.1),
        ];
        for &(s, want) in ok {
            assert_eq!(float_from_str(s), Ok(want), "{s:?}");
        }
        assert!(float_from_str("nan").unwrap().is_nan());
        for s in [
            "x", "", " ", "1_", "_1", "1__0", "1_.5", "1._5", "1e", ".", "infinit", "0x10", "1 2",
            "١٫٥",
        ] {
            let want = format!("could not convert string to float: {}", str_repr(s));
            assert_eq!(float_from_str(s).unwrap_err().msg, want, "{s:?}");
        }
    }
}
