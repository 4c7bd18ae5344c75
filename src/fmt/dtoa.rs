//! Float to decimal text, laid out exactly as CPython's `PyOS_double_to_string`: `repr`, and the
//! `e`, `f`, `g` conversions shared by format specs, `%`-formatting and `round`.
//!
//! Shortest round-trip digits come from Ryu, and correctly rounded digits (round-half-even on
//! the exact binary value) from Rust's `{:.N}` and `{:.Ne}`: the same digit strings as David
//! Gay's dtoa in modes 0, 3 and 2 (a tie between two shortest candidates is settled as dtoa
//! does). The layout (where the point goes, padding zeros, when to switch to an exponent)
//! follows CPython's rules. Invariant: a [`Digits`] holds no leading or trailing zeros, except
//! the single `0` that stands for zero.

use std::fmt::Write as _;

/// Which conversion `double_to_string` performs; the letters are CPython's format codes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FloatCode {
    /// `e`: one digit, a point, `precision` digits, an exponent.
    Exp,
    /// `f`: `precision` digits after the point.
    Fixed,
    /// `g`: `precision` significant digits, exponent when the number is very large or small.
    General,
    /// `r`: shortest round-trip digits, exponent below 1e-4 or from 1e16 (the `repr` rule).
    Repr,
}

/// Options of `double_to_string`, CPython's `Py_DTSF_*` flags plus the case of the letters.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct FloatFlags {
    /// Always write a sign (`+` for non-negative numbers).
    pub sign: bool,
    /// Write `.0` after a number that would otherwise look like an integer (repr, `format` without type).
    pub add_dot_0: bool,
    /// Alternate form: keep the point and, for `g`, trailing zeros.
    pub alt: bool,
    /// Print a negative number that rounds to zero without its minus sign (the `z` option).
    pub no_neg_0: bool,
    /// `E`, `F`, `G`: upper-case `INF`, `NAN` and `E`.
    pub upper: bool,
}

/// A fixed buffer that `write!` fills, spilling to the heap only for long outputs (huge
/// precisions), so the common conversions allocate nothing.
pub(crate) struct DigitBuf {
    inline: [u8; 40],
    len: usize,
    heap: Vec<u8>,
}

impl DigitBuf {
    pub(crate) fn new() -> Self {
        DigitBuf {
            inline: [0; 40],
            len: 0,
            heap: Vec::new(),
        }
    }

    fn as_bytes_mut(&mut self) -> &mut [u8] {
        if self.heap.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

impl std::fmt::Write for DigitBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        if self.heap.is_empty() && self.len + b.len() <= self.inline.len() {
            self.inline[self.len..self.len + b.len()].copy_from_slice(b);
            self.len += b.len();
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline[..self.len]);
            }
            self.heap.extend_from_slice(b);
        }
        Ok(())
    }
}

/// The decimal digits of a finite, non-negative double and the position of the decimal point:
/// the value is `0.DIGITS * 10**decpt`.
pub(crate) struct Digits {
    buf: DigitBuf,
    start: usize,
    end: usize,
    /// Position of the decimal point relative to the first digit.
    pub decpt: i64,
}

impl Digits {
    /// The significant digits, ASCII.
    pub(crate) fn digits(&self) -> &[u8] {
        &self.buf.as_bytes()[self.start..self.end]
    }

    /// True when the digits are the single `0` that stands for zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.digits() == b"0"
    }

    /// Shortest digits that round-trip (dtoa mode 0).
    pub(crate) fn shortest(x: f64) -> Digits {
        let mut ryu_buf = ryu::Buffer::new();
        let d = Self::from_decimal_text(ryu_buf.format_finite(x.abs()).as_bytes());
        let n = d.end - d.start;
        if n > 1 && is_decimal_tie(x, n as i64 - d.decpt) {
            // Two shortest candidates are equally near; dtoa takes the one with an even last
            // digit, Ryu may take the other. The correctly rounded n-digit form is that even one;
            // keep it if it still reads back as x.
            let even = Self::significant(x, n);
            if even.end - even.start == n && even.digits() != d.digits() && round_trips(&even, x) {
                return even;
            }
        }
        d
    }

    /// At most `n` (>= 1) significant digits, correctly rounded (dtoa mode 2).
    pub(crate) fn significant(x: f64, n: usize) -> Digits {
        let mut buf = DigitBuf::new();
        // A double's exact expansion has at most 767 significant digits, so asking for more
        // only adds zeros (which are stripped); Rust caps format precisions at u16::MAX.
        let n = n.min(800);
        let _ = write!(buf, "{:.*e}", n - 1, x.abs());
        Self::from_exp_form(buf)
    }

    /// Digits up to `n` places after the point, correctly rounded (dtoa mode 3).
    pub(crate) fn fixed(x: f64, n: usize) -> Digits {
        let mut buf = DigitBuf::new();
        // No double has nonzero digits past the 1074th place; see `significant`.
        let n = n.min(1100);
        let _ = write!(buf, "{:.*}", n, x.abs());
        let b = buf.as_bytes_mut();
        let len = b.len();
        let point = b.iter().position(|&c| c == b'.').unwrap_or(len);
        if point == len {
            return Self::trimmed(buf, 0, len, point as i64);
        }
        // Drop the point by shifting the integer part right by one; digits then run contiguously.
        b.copy_within(0..point, 1);
        Self::trimmed(buf, 1, len, point as i64)
    }

    /// Reads the digits of decimal text such as `0.00012`, `123.0`, `1e16` or `1.5e-7`.
    fn from_decimal_text(text: &[u8]) -> Digits {
        let mut buf = DigitBuf::new();
        let (mut n, mut int_digits, mut point_zeros) = (0, 0i64, 0i64);
        let mut seen_point = false;
        let mut exp = 0;
        for (i, &c) in text.iter().enumerate() {
            match c {
                b'.' => seen_point = true,
                b'e' | b'E' => {
                    exp = parse_exponent(&text[i + 1..]);
                    break;
                }
                // Zeros before the first significant digit only move the point.
                b'0' if n == 0 => point_zeros += seen_point as i64,
                _ => {
                    buf.inline[n] = c;
                    n += 1;
                    int_digits += !seen_point as i64;
                }
            }
        }
        if n == 0 {
            return Digits::literal_zero();
        }
        buf.len = n;
        let trail = buf.inline[..n]
            .iter()
            .rev()
            .take_while(|&&c| c == b'0')
            .count();
        let decpt = int_digits - point_zeros + exp;
        Digits {
            buf,
            start: 0,
            end: n - trail,
            decpt,
        }
    }

    /// Parses Rust's `d.ddde-N` output.
    fn from_exp_form(mut buf: DigitBuf) -> Digits {
        let b = buf.as_bytes();
        let e = b.iter().position(|&c| c == b'e').expect("exponent form");
        let exp = parse_exponent(&b[e + 1..]);
        if e == 1 {
            return Self::trimmed(buf, 0, 1, exp + 1);
        }
        // Drop the point after the first digit by moving that digit right by one.
        let b = buf.as_bytes_mut();
        b[1] = b[0];
        Self::trimmed(buf, 1, e, exp + 1)
    }

    /// Strips leading and trailing zeros of `buf[start..end]`, whose point sits after `int_len`
    /// digits; zero becomes the lone `0` at decpt 1, as dtoa returns it.
    fn trimmed(buf: DigitBuf, start: usize, end: usize, int_len: i64) -> Digits {
        let b = &buf.as_bytes()[start..end];
        let lead = b.iter().take_while(|&&c| c == b'0').count();
        if lead == b.len() {
            return if b.is_empty() {
                Digits::literal_zero()
            } else {
                Digits {
                    buf,
                    start,
                    end: start + 1,
                    decpt: 1,
                }
            };
        }
        let trail = b.iter().rev().take_while(|&&c| c == b'0').count();
        Digits {
            buf,
            start: start + lead,
            end: end - trail,
            decpt: int_len - lead as i64,
        }
    }

    fn literal_zero() -> Digits {
        let mut buf = DigitBuf::new();
        buf.inline[0] = b'0';
        buf.len = 1;
        Digits {
            buf,
            start: 0,
            end: 1,
            decpt: 1,
        }
    }
}

/// A decimal exponent such as `-5` or `308` (at most a few digits).
fn parse_exponent(b: &[u8]) -> i64 {
    let (neg, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    let v = digits
        .iter()
        .fold(0i64, |acc, d| acc * 10 + (d - b'0') as i64);
    if neg {
        -v
    } else {
        v
    }
}

/// True when `|x| * 10**q` lies exactly halfway between two integers: then rounding `x` to `q`
/// decimal places is a tie. With `x = m * 2**e`, `m` odd, the product is `m * 5**q * 2**(e+q)`.
fn is_decimal_tie(x: f64, q: i64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (mant, exp2) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, biased - 1075)
    };
    if mant == 0 {
        return false;
    }
    let tz = mant.trailing_zeros();
    let (m_odd, e_low) = (mant >> tz, exp2 + tz as i64);
    if q >= 0 {
        return e_low + q == -1;
    }
    // x * 10**q = m * 2**(e+1) / (2 * 2**k * 5**k) with k = -q: a half-integer iff 2**(e+1)
    // cancels 2**k exactly and 5**k divides m (then m / 5**k is odd).
    let k = -q;
    k <= 22 && e_low + 1 == k && m_odd % 5u64.pow(k as u32) == 0
}

/// True when the decimal number `digits` reads back as `x` (compared by magnitude).
fn round_trips(d: &Digits, x: f64) -> bool {
    let mut s = String::with_capacity(32);
    push_ascii(&mut s, d.digits());
    let _ = write!(s, "e{}", d.decpt - d.digits().len() as i64);
    s.parse::<f64>().map(|y| y == x.abs()).unwrap_or(false)
}

/// `repr(x)` (and `str(x)`) of a float, as CPython 3.11 prints it.
pub fn float_repr(x: f64) -> String {
    let mut s = String::with_capacity(24);
    write_float_repr(&mut s, x);
    s
}

/// Appends `repr(x)` to `out`.
pub fn write_float_repr(out: &mut String, x: f64) {
    let flags = FloatFlags {
        add_dot_0: true,
        ..FloatFlags::default()
    };
    double_to_string(out, x, FloatCode::Repr, 0, flags);
}

/// CPython's `PyOS_double_to_string`: appends `x` converted with `code` and `precision` (ignored
/// for `Repr`) to `out`.
pub(crate) fn double_to_string(
    out: &mut String,
    x: f64,
    code: FloatCode,
    precision: usize,
    flags: FloatFlags,
) {
    if !x.is_finite() {
        write_non_finite(out, x, flags);
        return;
    }
    // Mirror PyOS_double_to_string's precision adjustments before choosing the dtoa mode.
    let (digits, precision) = match code {
        FloatCode::Exp => (Digits::significant(x, precision + 1), precision + 1),
        FloatCode::Fixed => (Digits::fixed(x, precision), precision),
        FloatCode::General => {
            let p = precision.max(1);
            (Digits::significant(x, p), p)
        }
        FloatCode::Repr => (Digits::shortest(x), 0),
    };
    let negative = x.is_sign_negative() && !(flags.no_neg_0 && digits.is_zero());
    layout(out, negative, &digits, code, precision as i64, flags);
}

fn write_non_finite(out: &mut String, x: f64, flags: FloatFlags) {
    if x.is_nan() {
        // The sign of a NaN is never shown.
        if flags.sign {
            out.push('+');
        }
        out.push_str(if flags.upper { "NAN" } else { "nan" });
        return;
    }
    if x < 0.0 {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    out.push_str(if flags.upper { "INF" } else { "inf" });
}

/// Places the digits: `[sign] zeros digits zeros [exponent]` with exactly one decimal point,
/// following the rules of CPython's `format_float_short`.
fn layout(
    out: &mut String,
    negative: bool,
    digits: &Digits,
    code: FloatCode,
    precision: i64,
    flags: FloatFlags,
) {
    let d = digits.digits();
    let n = d.len() as i64;
    let mut decpt = digits.decpt;
    let (use_exp, mut vend) = placement(code, decpt, n, precision, flags);
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vstart = if decpt <= 0 { decpt - 1 } else { 0 };
    vend = if !use_exp && flags.add_dot_0 {
        vend.max(decpt + 1)
    } else {
        vend.max(decpt)
    };

    if negative {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    if decpt <= 0 {
        push_zeros(out, decpt - vstart);
        out.push('.');
        push_zeros(out, -decpt);
    }
    if 0 < decpt && decpt <= n {
        push_ascii(out, &d[..decpt as usize]);
        out.push('.');
        push_ascii(out, &d[decpt as usize..]);
    } else {
        push_ascii(out, d);
    }
    if n < decpt {
        push_zeros(out, decpt - n);
        out.push('.');
        push_zeros(out, vend - decpt);
    } else {
        push_zeros(out, vend - n);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        push_exponent(out, exp, flags.upper);
    }
}

/// Whether the number takes an exponent, and where the digits (with padding zeros) end,
/// counted from the first significant digit.
fn placement(
    code: FloatCode,
    decpt: i64,
    n: i64,
    precision: i64,
    flags: FloatFlags,
) -> (bool, i64) {
    match code {
        FloatCode::Exp => (true, precision),
        FloatCode::Fixed => (false, decpt + precision),
        FloatCode::General => {
            // Without a type, format() keeps one more digit before switching to an exponent.
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            (
                decpt <= -4 || decpt > limit,
                if flags.alt { precision } else { n },
            )
        }
        FloatCode::Repr => (decpt <= -4 || decpt > 16, n),
    }
}

/// `e+05`, `E-300`: the sign always, at least two digits.
fn push_exponent(out: &mut String, exp: i64, upper: bool) {
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e >= 100 {
        out.push(char::from(b'0' + (e / 100) as u8));
    }
    out.push(char::from(b'0' + (e / 10 % 10) as u8));
    out.push(char::from(b'0' + (e % 10) as u8));
}

/// Appends ASCII bytes (digits) to `out`.
pub(crate) fn push_ascii(out: &mut String, b: &[u8]) {
    out.push_str(std::str::from_utf8(b).expect("ASCII digits"));
}

fn push_zeros(out: &mut String, n: i64) {
    for _ in 0..n.max(0) {
        out.push('0');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(x: f64, code: FloatCode, p: usize, flags: FloatFlags) -> String {
        let mut s = String::new();
        double_to_string(&mut s, x, code, p, flags);
        s
    }

    #[test]
    fn repr_matches_cpython() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (123456789012345.6, "123456789012345.6"),
            (1e22, "1e+22"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (2e16 + 8.0, "2.000000000000001e+16"),
            (100.0, "100.0"),
            (-2.5, "-2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (9007199254740993.0, "9007199254740992.0"),
        ];
        for &(x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:e}");
        }
    }

    #[test]
    fn fixed_exp_general() {
        let f = FloatFlags::default();
        assert_eq!(conv(2.675, FloatCode::Fixed, 2, f), "2.67");
        assert_eq!(conv(0.125, FloatCode::Fixed, 2, f), "0.12");
        assert_eq!(conv(-0.001, FloatCode::Fixed, 2, f), "-0.00");
        let z = FloatFlags {
            no_neg_0: true,
            ..f
        };
        assert_eq!(conv(-0.001, FloatCode::Fixed, 2, z), "0.00");
        assert_eq!(conv(0.5, FloatCode::Fixed, 0, f), "0");
        assert_eq!(
            conv(1.5, FloatCode::Fixed, 0, FloatFlags { alt: true, ..f }),
            "2."
        );
        assert_eq!(conv(12345.678, FloatCode::Exp, 2, f), "1.23e+04");
        assert_eq!(conv(0.0, FloatCode::Exp, 0, f), "0e+00");
        assert_eq!(conv(1e-100, FloatCode::Exp, 3, f), "1.000e-100");
        assert_eq!(conv(1e16, FloatCode::General, 6, f), "1e+16");
        assert_eq!(conv(123456.0, FloatCode::General, 6, f), "123456");
        assert_eq!(conv(1234567.0, FloatCode::General, 6, f), "1.23457e+06");
        assert_eq!(conv(0.0001, FloatCode::General, 6, f), "0.0001");
        assert_eq!(conv(0.00001, FloatCode::General, 6, f), "1e-05");
        assert_eq!(
            conv(1.0, FloatCode::General, 3, FloatFlags { alt: true, ..f }),
            "1.00"
        );
        assert_eq!(
            conv(
                1.0,
                FloatCode::General,
                3,
                FloatFlags {
                    add_dot_0: true,
                    ..f
                }
            ),
            "1.0"
        );
        assert_eq!(
            conv(
                f64::INFINITY,
                FloatCode::Fixed,
                2,
                FloatFlags { upper: true, ..f }
            ),
            "INF"
        );
        let tiny = conv(5e-324, FloatCode::Fixed, 70000, f);
        assert_eq!(tiny.len(), 70002);
        assert!(tiny[..1076].ends_with("265625") && tiny[1076..].bytes().all(|b| b == b'0'));
        let e = conv(0.1, FloatCode::Exp, 70000, f);
        assert!(e.starts_with("1.000000000000000055511151231257827") && e.ends_with("000e-01"));
        let big = conv(1e300, FloatCode::Fixed, 0, f);
        assert!(big.starts_with("1000000000000000052504760255204420248704468581108159154915854115"));
        assert_eq!(big.len(), 301);
    }
}
