//! Float arithmetic whose results or errors Python programs observe, as CPython 3.11 computes
//! them: floor division and modulo with the divisor's sign, `divmod`, `**` special cases,
//! `int / int` correctly rounded for any size, int <-> float conversion, `float.hex`,
//! `float.fromhex` and `float.as_integer_ratio`. Invariant: every conversion to float rounds
//! once, to nearest with ties to even, and reports overflow instead of returning an infinity.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{ToPrimitive, Zero};

use super::int_parse::IntValue;
use super::FmtError;

/// `q * 2**e`, exact whenever the result is representable: the scale is applied in two
/// power-of-two factors so no intermediate product leaves the normal range and rounds.
fn scale2(q: u64, e: i64) -> f64 {
    let x = q as f64;
    if e > 1023 {
        x * pow2(1023) * pow2(e - 1023)
    } else if e >= -1022 {
        x * pow2(e)
    } else {
        x * pow2(-60) * pow2(e + 60)
    }
}

/// `2**e` for `-1074 <= e <= 1023`, as a float (0 or inf outside).
fn pow2(e: i64) -> f64 {
    if e > 1023 {
        f64::INFINITY
    } else if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else if e >= -1074 {
        f64::from_bits(1u64 << (e + 1074))
    } else {
        0.0
    }
}

/// Rounds the `bits`-bit integer `m` (plus `sticky`, meaning nonzero bits below it) scaled by
/// `2**exp` to the nearest float, ties to even, honouring the subnormal range. `None` on
/// overflow (a rounded value of at least 2**1024).
fn round_to_float(m: u64, exp: i64, sticky: bool) -> Option<f64> {
    if m == 0 {
        return Some(0.0);
    }
    let bits = 64 - m.leading_zeros() as i64;
    let msb = bits - 1 + exp;
    // Bits of precision available at this magnitude: 53, fewer for subnormals.
    let precision = if msb >= -1022 { 53 } else { 53 - (-1022 - msb) };
    let discard = bits - precision;
    let (mut q, mut e) = (m, exp);
    if discard > 0 {
        if discard > 64 {
            return Some(0.0);
        }
        let (kept, rem, half) = if discard == 64 {
            (0, m, 1u64 << 63)
        } else {
            (
                m >> discard,
                m & ((1u64 << discard) - 1),
                1u64 << (discard - 1),
            )
        };
        let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        q = kept + up as u64;
        e = exp + discard;
    }
    let x = scale2(q, e);
    x.is_finite().then_some(x)
}

/// `float(v)` for an int: correctly rounded, or CPython's OverflowError.
pub fn int_to_float(v: &BigInt) -> Result<f64, FmtError> {
    let overflow = || FmtError::overflow("int too large to convert to float");
    let mag = v.magnitude();
    let bits = mag.bits() as i64;
    let x = if bits <= 64 {
        mag.to_u64().expect("fits") as f64
    } else {
        if bits > 1025 {
            return Err(overflow());
        }
        // Keep the top 64 bits; any bit below them only matters as a sticky bit.
        let shift = bits - 64;
        let top = (mag >> shift as usize).to_u64().expect("64 bits");
        let sticky = mag.trailing_zeros().is_some_and(|tz| (tz as i64) < shift);
        round_to_float(top, shift, sticky).ok_or_else(overflow)?
    };
    Ok(if v.sign() == Sign::Minus { -x } else { x })
}

/// `int(x)` for a float: truncates toward zero.
pub fn float_to_int(x: f64) -> Result<IntValue, FmtError> {
    if x.is_nan() {
        return Err(FmtError::value("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(FmtError::overflow(
            "cannot convert float infinity to integer",
        ));
    }
    let t = x.trunc();
    if t.abs() < 9.2e18 {
        return Ok(IntValue::Small(t as i64));
    }
    let (m, e) = decompose(t);
    let mag = BigUint::from(m) << e as usize;
    let sign = if t < 0.0 { Sign::Minus } else { Sign::Plus };
    Ok(IntValue::from_big(BigInt::from_biguint(sign, mag)))
}

/// `|x| = m * 2**e` with `m` an integer below 2**53 (finite `x`).
pub(crate) fn decompose(x: f64) -> (u64, i64) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i64;
    let frac = bits & ((1 << 52) - 1);
    if biased == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, biased - 1075)
    }
}

/// `a // b` for floats.
pub fn float_floordiv(a: f64, b: f64) -> Result<f64, FmtError> {
    if b == 0.0 {
        return Err(FmtError::zero_division("float floor division by zero"));
    }
    Ok(div_mod(a, b).0)
}

/// `a % b` for floats: the result takes the sign of `b`.
pub fn float_mod(a: f64, b: f64) -> Result<f64, FmtError> {
    if b == 0.0 {
        return Err(FmtError::zero_division("float modulo"));
    }
    Ok(div_mod(a, b).1)
}

/// `divmod(a, b)` for floats.
pub fn float_divmod(a: f64, b: f64) -> Result<(f64, f64), FmtError> {
    if b == 0.0 {
        return Err(FmtError::zero_division("float divmod()"));
    }
    Ok(div_mod(a, b))
}

/// CPython's `_float_div_mod`: `fmod` is exact, and the quotient is snapped to an integer.
fn div_mod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}

/// True when `x` is an odd integer (for the signs of `**` results).
fn is_odd_integer(x: f64) -> bool {
    x.abs() < 9.007_199_254_740_992e15 && x.fract() == 0.0 && (x as i64) % 2 != 0
}

/// `a ** b` for floats. `Ok(None)` means the result is complex (a negative base with a
/// non-integer exponent), which CPython computes with complex numbers.
pub fn float_pow(a: f64, b: f64) -> Result<Option<f64>, FmtError> {
    if b == 0.0 {
        return Ok(Some(1.0));
    }
    if a.is_nan() {
        return Ok(Some(a));
    }
    if b.is_nan() {
        return Ok(Some(if a == 1.0 { 1.0 } else { b }));
    }
    if b.is_infinite() {
        let a = a.abs();
        return Ok(Some(if a == 1.0 {
            1.0
        } else if (b > 0.0) == (a > 1.0) {
            f64::INFINITY
        } else {
            0.0
        }));
    }
    let odd = is_odd_integer(b);
    if a.is_infinite() {
        return Ok(Some(match (b > 0.0, odd) {
            (true, true) => a,
            (true, false) => a.abs(),
            (false, true) => 0.0f64.copysign(a),
            (false, false) => 0.0,
        }));
    }
    if a == 0.0 {
        if b < 0.0 {
            return Err(FmtError::zero_division(
                "0.0 cannot be raised to a negative power",
            ));
        }
        return Ok(Some(if odd { a } else { 0.0 }));
    }
    let mut base = a;
    let mut negate = false;
    if a < 0.0 {
        if b != b.floor() {
            return Ok(None);
        }
        base = -a;
        negate = odd;
    }
    if base == 1.0 {
        return Ok(Some(if negate { -1.0 } else { 1.0 }));
    }
    let r = base.powf(b);
    if r.is_infinite() {
        return Err(FmtError::overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Some(if negate { -r } else { r }))
}

/// `a / b` for ints, correctly rounded even when the operands exceed the float range.
pub fn int_true_divide(a: &BigInt, b: &BigInt) -> Result<f64, FmtError> {
    if b.is_zero() {
        return Err(FmtError::zero_division("division by zero"));
    }
    let (ma, mb) = (a.magnitude(), b.magnitude());
    let negative = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let sign = |x: f64| if negative { -x } else { x };
    if ma.bits() <= 53 && mb.bits() <= 53 {
        // Both exact as floats: one IEEE division rounds correctly.
        let x = ma.to_u64().expect("fits") as f64 / mb.to_u64().expect("fits") as f64;
        return Ok(sign(x));
    }
    if ma.is_zero() {
        return Ok(sign(0.0));
    }
    // Scale so the integer quotient has 55 or 56 bits; the remainder becomes the sticky bit.
    let shift = 55 - (ma.bits() as i64 - mb.bits() as i64);
    let (n, d) = if shift >= 0 {
        (ma << shift as usize, mb.clone())
    } else {
        (ma.clone(), mb << (-shift) as usize)
    };
    let q = (&n / &d).to_u64().expect("quotient has at most 56 bits");
    let sticky = !(n % d).is_zero();
    round_to_float(q, -shift, sticky)
        .map(sign)
        .ok_or_else(|| FmtError::overflow("integer division result too large for a float"))
}

/// `a / b` for ints that fit in `i64`.
pub fn int_true_divide_i64(a: i64, b: i64) -> Result<f64, FmtError> {
    const EXACT: u64 = 1 << 53;
    if b == 0 {
        return Err(FmtError::zero_division("division by zero"));
    }
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return Ok(a as f64 / b as f64);
    }
    int_true_divide(&BigInt::from(a), &BigInt::from(b))
}

/// `float.as_integer_ratio()`: the exact value as a fraction in lowest terms.
pub fn float_as_integer_ratio(x: f64) -> Result<(IntValue, IntValue), FmtError> {
    if x.is_nan() {
        return Err(FmtError::value("cannot convert NaN to integer ratio"));
    }
    if x.is_infinite() {
        return Err(FmtError::overflow(
            "cannot convert Infinity to integer ratio",
        ));
    }
    let (m, e) = decompose(x);
    if m == 0 {
        return Ok((IntValue::Small(0), IntValue::Small(1)));
    }
    let tz = m.trailing_zeros() as i64;
    let (m, e) = (m >> tz, e + tz);
    let sign = if x < 0.0 { Sign::Minus } else { Sign::Plus };
    let num = BigInt::from_biguint(sign, BigUint::from(m) << e.max(0) as usize);
    let den = BigInt::from(BigUint::from(1u8) << (-e).max(0) as usize);
    Ok((IntValue::from_big(num), IntValue::from_big(den)))
}

/// `float.hex()`: `0x1.8000000000000p+1`, 13 hex digits always, `0x0.` for subnormals.
pub fn float_hex(x: f64) -> String {
    if !x.is_finite() {
        return super::dtoa::float_repr(x);
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (lead, exp) = if biased == 0 {
        (0, -1022)
    } else {
        (1, biased - 1023)
    };
    format!("{sign}0x{lead}.{frac:013x}p{exp:+}")
}

/// `float.fromhex(s)`.
pub fn float_fromhex(s: &str) -> Result<f64, FmtError> {
    let invalid = || FmtError::value("invalid hexadecimal floating-point string");
    let b = s.as_bytes();
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    let start = b.iter().take_while(|c| space(c)).count();
    let end = b.len() - b[start..].iter().rev().take_while(|c| space(c)).count();
    let body = &b[start..end];
    let (negative, rest) = match body {
        [b'-', r @ ..] => (true, r),
        [b'+', r @ ..] => (false, r),
        _ => (false, body),
    };
    for (word, value) in [
        (&b"inf"[..], f64::INFINITY),
        (b"infinity", f64::INFINITY),
        (b"nan", f64::NAN),
    ] {
        if rest.eq_ignore_ascii_case(word) {
            return Ok(if negative { -value } else { value });
        }
    }
    let rest = match rest {
        [b'0', b'x' | b'X', r @ ..] => r,
        _ => rest,
    };
    let hex = |r: &[u8]| r.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    let int_len = hex(rest);
    let (frac, after) = match rest.get(int_len) {
        Some(b'.') => {
            let f = hex(&rest[int_len + 1..]);
            (
                &rest[int_len + 1..int_len + 1 + f],
                &rest[int_len + 1 + f..],
            )
        }
        _ => (&rest[int_len..int_len], &rest[int_len..]),
    };
    if int_len + frac.len() == 0 {
        return Err(invalid());
    }
    let exp = parse_hex_exponent(after).ok_or_else(invalid)?;
    let digits = rest[..int_len]
        .iter()
        .chain(frac)
        .map(|c| (*c as char).to_digit(16).unwrap());
    let x = hex_value(digits, exp - 4 * frac.len() as i64)?;
    Ok(if negative { -x } else { x })
}

/// `[pP][+-]digits` or nothing; saturates like C's `strtol`.
fn parse_hex_exponent(b: &[u8]) -> Option<i64> {
    let Some((&p, rest)) = b.split_first() else {
        return Some(0);
    };
    if p != b'p' && p != b'P' {
        return None;
    }
    let (neg, digits) = match rest {
        [b'-', r @ ..] => (true, r),
        [b'+', r @ ..] => (false, r),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for d in digits {
        v = v.saturating_mul(10).saturating_add((d - b'0') as i64);
    }
    Some(if neg { -v } else { v })
}

/// The value of hex `digits` times `2**exp`, correctly rounded.
fn hex_value(digits: impl Iterator<Item = u32>, exp: i64) -> Result<f64, FmtError> {
    // Keep the first 15 significant digits (60 bits); the rest only matter as a sticky bit.
    let (mut m, mut kept, mut dropped, mut sticky) = (0u64, 0, 0i64, false);
    for d in digits {
        if m == 0 && d == 0 {
            continue;
        }
        if kept < 15 {
            m = m * 16 + d as u64;
            kept += 1;
        } else {
            dropped += 1;
            sticky |= d != 0;
        }
    }
    if m == 0 || exp < i64::MIN / 4 {
        return Ok(0.0);
    }
    let exp = exp.saturating_add(4 * dropped);
    let msb = (63 - m.leading_zeros() as i64).saturating_add(exp);
    if msb < -1080 {
        return Ok(0.0);
    }
    let overflow = || FmtError::overflow("hexadecimal value too large to represent as a float");
    if msb > 1024 {
        return Err(overflow());
    }
    round_to_float(m, exp, sticky).ok_or_else(overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_and_modulo() {
        assert_eq!(float_mod(-1.5, 0.7), Ok(0.5999999999999999));
        assert_eq!(float_mod(1.5, -0.7), Ok(-0.5999999999999999));
        assert_eq!(float_divmod(-7.5, 2.0), Ok((-4.0, 0.5)));
        let z = float_floordiv(-0.0, 5.0).unwrap();
        assert!(z == 0.0 && z.is_sign_negative());
        assert!(float_mod(0.0, -5.0).unwrap().is_sign_negative());
        assert_eq!(
            float_floordiv(1.0, 0.0).unwrap_err().msg,
            "float floor division by zero"
        );
        assert_eq!(float_mod(1.0, 0.0).unwrap_err().msg, "float modulo");
        assert_eq!(float_divmod(1.0, 0.0).unwrap_err().msg, "float divmod()");
    }

    #[test]
    fn powers() {
        assert_eq!(
            float_pow(0.0, -1.0).unwrap_err().msg,
            "0.0 cannot be raised to a negative power"
        );
        assert_eq!(
            float_pow(10.0, 400.0).unwrap_err().msg,
            "(34, 'Numerical result out of range')"
        );
        assert_eq!(float_pow(-8.0, 1.0 / 3.0), Ok(None));
        assert_eq!(float_pow(-2.0, 3.0), Ok(Some(-8.0)));
        assert_eq!(float_pow(-1.0, 1e300), Ok(Some(1.0)));
        assert_eq!(float_pow(f64::NAN, 0.0), Ok(Some(1.0)));
        assert_eq!(float_pow(1.0, f64::NAN), Ok(Some(1.0)));
        assert_eq!(float_pow(0.5, f64::NEG_INFINITY), Ok(Some(f64::INFINITY)));
        assert_eq!(
            float_pow(f64::NEG_INFINITY, -3.0).map(|x| x.unwrap().is_sign_negative()),
            Ok(true)
        );
        assert_eq!(float_pow(2.0, -1080.0), Ok(Some(0.0)));
    }

    #[test]
    fn int_float_conversions() {
        let two = BigInt::from(2);
        let ten = BigInt::from(10);
        assert_eq!(
            int_to_float(&ten.pow(400)).unwrap_err().msg,
            "int too large to convert to float"
        );
        assert_eq!(
            int_to_float(&(two.pow(1024) - two.pow(970)))
                .unwrap_err()
                .msg,
            "int too large to convert to float"
        );
        assert_eq!(
            int_to_float(&(two.pow(1024) - two.pow(970) - 1)),
            Ok(f64::MAX)
        );
        assert_eq!(int_to_float(&(two.pow(53) + 1)), Ok(9007199254740992.0));
        assert_eq!(
            int_to_float(&(two.pow(64) + two.pow(11) + 1)),
            Ok(18446744073709555712.0)
        );
        assert_eq!(int_to_float(&-(ten.pow(30))), Ok(-1e30));
        assert_eq!(
            float_to_int(1e30),
            Ok(IntValue::Big(
                "1000000000000000019884624838656".parse().unwrap()
            ))
        );
        assert_eq!(float_to_int(-3.9), Ok(IntValue::Small(-3)));
        assert_eq!(
            float_to_int(f64::INFINITY).unwrap_err().msg,
            "cannot convert float infinity to integer"
        );
        assert_eq!(
            float_to_int(f64::NAN).unwrap_err().msg,
            "cannot convert float NaN to integer"
        );
    }

    #[test]
    fn int_division() {
        let two = BigInt::from(2);
        let ten = BigInt::from(10);
        let one = BigInt::from(1);
        assert_eq!(
            int_true_divide(&ten.pow(400), &BigInt::from(3))
                .unwrap_err()
                .msg,
            "integer division result too large for a float"
        );
        assert_eq!(int_true_divide(&BigInt::from(3), &ten.pow(400)), Ok(0.0));
        assert_eq!(int_true_divide(&ten.pow(400), &ten.pow(399)), Ok(10.0));
        assert_eq!(
            int_true_divide(&(two.pow(1024) - two.pow(970) - 1), &one),
            Ok(f64::MAX)
        );
        assert_eq!(int_true_divide(&one, &two.pow(1075)), Ok(0.0));
        assert_eq!(
            int_true_divide(&BigInt::from(3), &two.pow(1076)),
            Ok(5e-324)
        );
        assert_eq!(
            int_true_divide(&BigInt::from(-7), &BigInt::from(2)),
            Ok(-3.5)
        );
        assert_eq!(
            int_true_divide(&one, &BigInt::from(0)).unwrap_err().msg,
            "division by zero"
        );
        let a: BigInt = "123456789012345678901234567890".parse().unwrap();
        let b: BigInt = "987654321098765432109".parse().unwrap();
        assert_eq!(int_true_divide(&a, &b), Ok(124999998.8609375));
    }

    #[test]
    fn hex_and_ratio() {
        assert_eq!(float_hex(1.0), "0x1.0000000000000p+0");
        assert_eq!(float_hex(5e-324), "0x0.0000000000001p-1022");
        assert_eq!(float_hex(-0.0), "-0x0.0p+0");
        assert_eq!(float_hex(0.1), "0x1.999999999999ap-4");
        assert_eq!(float_hex(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_fromhex("0x1.999999999999ap-4"), Ok(0.1));
        assert_eq!(float_fromhex("  -0x1p-1074 "), Ok(-5e-324));
        assert_eq!(float_fromhex("0x1p-1075"), Ok(0.0));
        assert_eq!(float_fromhex("0x1.8p-1075"), Ok(5e-324));
        assert_eq!(float_fromhex("1.8"), Ok(1.5));
        assert_eq!(float_fromhex("0x.8"), Ok(0.5));
        assert_eq!(float_fromhex("-InFiNiTy"), Ok(f64::NEG_INFINITY));
        assert_eq!(
            float_fromhex("0x1.fffffffffffff8p1023").unwrap_err().msg,
            "hexadecimal value too large to represent as a float"
        );
        assert_eq!(float_fromhex("0x1.fffffffffffff7ffffp1023"), Ok(f64::MAX));
        for bad in ["zz", "0x", "0x.", "1p", "1p+", "0x1 1", ""] {
            assert_eq!(
                float_fromhex(bad).unwrap_err().msg,
                "invalid hexadecimal floating-point string",
                "{bad:?}"
            );
        }
        let (n, d) = float_as_integer_ratio(0.75).unwrap();
        assert_eq!((n, d), (IntValue::Small(3), IntValue::Small(4)));
        let (n, d) = float_as_integer_ratio(-1e20).unwrap();
        assert_eq!(
            (n, d),
            (
                IntValue::Big("-100000000000000000000".parse().unwrap()),
                IntValue::Small(1)
            )
        );
        assert_eq!(
            float_as_integer_ratio(f64::INFINITY).unwrap_err().msg,
            "cannot convert Infinity to integer ratio"
        );
        assert_eq!(
            float_as_integer_ratio(f64::NAN).unwrap_err().msg,
            "cannot convert NaN to integer ratio"
        );
    }
}
