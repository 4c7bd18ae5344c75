//! `round()` for floats and ints, as CPython 3.11: a float is rounded to `ndigits` decimal
//! places through its exact decimal value (so `round(2.675, 2)` is 2.67, because 2.675 is
//! stored as 2.67499999...), ties go to even, and an int is rounded to a negative number of
//! places with ties to even. Invariant: the result is the float nearest to the correctly
//! rounded decimal, never the product of inexact scalings.

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::Signed;

use super::float_ops::{decompose, float_to_int, int_to_float};
use super::int_parse::IntValue;
use super::FmtError;

/// `round(x)` with no `ndigits`: the nearest integer, ties to even.
pub fn round_float_to_int(x: f64) -> Result<IntValue, FmtError> {
    let mut r = x.round();
    if (x - r).abs() == 0.5 {
        r = 2.0 * (x / 2.0).round();
    }
    float_to_int(r)
}

/// `round(x, ndigits)` for a float. `ndigits` is the Python int clipped to `i64`.
pub fn round_float(x: f64, ndigits: i64) -> Result<f64, FmtError> {
    if !x.is_finite() {
        return Ok(x);
    }
    // Beyond these bounds every float rounds to itself, or to a zero of its sign.
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if ndigits > NDIGITS_MAX {
        return Ok(x);
    }
    if ndigits < NDIGITS_MIN {
        return Ok(0.0 * x);
    }
    let rounded = if ndigits >= 0 {
        // Rust's fixed formatting rounds the exact binary value half to even, as dtoa's mode 3.
        format!("{:.*}", ndigits as usize, x.abs())
            .parse::<f64>()
            .expect("decimal text")
    } else {
        round_to_tens(x.abs(), (-ndigits) as u32)?
    };
    Ok(rounded.copysign(x))
}

/// `|x|` rounded to a multiple of `10**k` (ties to even), as the nearest float.
fn round_to_tens(x: f64, k: u32) -> Result<f64, FmtError> {
    let (m, e) = decompose(x);
    let ten_k = BigUint::from(10u8).pow(k);
    let (num, den) = if e >= 0 {
        (BigUint::from(m) << e as usize, ten_k.clone())
    } else {
        (BigUint::from(m), &ten_k << (-e) as usize)
    };
    let q = div_round_half_even(&num, &den);
    int_to_float(&BigInt::from(q * ten_k))
        .map_err(|_| FmtError::overflow("rounded value too large to represent"))
}

/// `num / den` rounded to the nearest integer, ties to even.
fn div_round_half_even(num: &BigUint, den: &BigUint) -> BigUint {
    let (q, r) = num.div_rem(den);
    let twice = r << 1usize;
    if twice > *den || (twice == *den && q.is_odd()) {
        q + 1u8
    } else {
        q
    }
}

/// `round(v, ndigits)` for an int: unchanged for `ndigits >= 0`, else rounded to a multiple of
/// `10**-ndigits` with ties to even.
pub fn round_int_i64(v: i64, ndigits: i64) -> IntValue {
    if ndigits >= 0 {
        return IntValue::Small(v);
    }
    round_int_big(&BigInt::from(v), ndigits)
}

/// `round(v, ndigits)` for a big int.
pub fn round_int_big(v: &BigInt, ndigits: i64) -> IntValue {
    if ndigits >= 0 {
        return IntValue::from_big(v.clone());
    }
    let k = ndigits.unsigned_abs();
    // 10**k exceeds |v| by far once k passes its digit count: the result is 0.
    let digits_bound = v.bits() as f64 * std::f64::consts::LOG10_2 + 1.0;
    if k as f64 > digits_bound + 1.0 {
        return IntValue::Small(0);
    }
    let ten_k = BigUint::from(10u8).pow(k as u32);
    let q = div_round_half_even(v.magnitude(), &ten_k);
    let r = BigInt::from(q * ten_k);
    IntValue::from_big(if v.is_negative() { -r } else { r })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        assert_eq!(round_float(2.675, 2), Ok(2.67));
        assert_eq!(round_float(12345.678, -2), Ok(12300.0));
        assert_eq!(round_float(1e300, 400), Ok(1e300));
        assert_eq!(round_float(5e-324, 323), Ok(0.0));
        assert_eq!(round_float(5e-324, 324), Ok(5e-324));
        assert_eq!(round_float(0.125, 2), Ok(0.12));
        assert_eq!(round_float(0.375, 2), Ok(0.38));
        assert_eq!(round_float(250.0, -2), Ok(200.0));
        assert_eq!(round_float(350.0, -2), Ok(400.0));
        assert_eq!(round_float(1.4e308, -308), Ok(1e308));
        assert!(round_float(1.5e308, -308).is_err());
        let neg = round_float(-0.4, 0).unwrap();
        assert!(neg == 0.0 && neg.is_sign_negative());
        let neg = round_float(-1.5, -400).unwrap();
        assert!(neg == 0.0 && neg.is_sign_negative());
        assert_eq!(round_float(f64::INFINITY, 2), Ok(f64::INFINITY));
        assert_eq!(
            round_float(1.7976931348623157e308, -308).unwrap_err().msg,
            "rounded value too large to represent"
        );
    }

    #[test]
    fn to_int() {
        assert_eq!(round_float_to_int(2.5), Ok(IntValue::Small(2)));
        assert_eq!(round_float_to_int(3.5), Ok(IntValue::Small(4)));
        assert_eq!(round_float_to_int(-0.5), Ok(IntValue::Small(0)));
        assert_eq!(round_float_to_int(-2.6), Ok(IntValue::Small(-3)));
        assert_eq!(
            round_float_to_int(f64::INFINITY).unwrap_err().msg,
            "cannot convert float infinity to integer"
        );
        assert_eq!(
            round_float_to_int(f64::NAN).unwrap_err().msg,
            "cannot convert float NaN to integer"
        );
        assert_eq!(
            round_float_to_int(1e20),
            Ok(IntValue::Big("100000000000000000000".parse().unwrap()))
        );
    }

    #[test]
    fn ints() {
        assert_eq!(round_int_i64(15, -1), IntValue::Small(20));
        assert_eq!(round_int_i64(25, -1), IntValue::Small(20));
        assert_eq!(round_int_i64(-25, -1), IntValue::Small(-20));
        assert_eq!(round_int_i64(-26, -1), IntValue::Small(-30));
        assert_eq!(round_int_i64(7, 2), IntValue::Small(7));
        assert_eq!(round_int_i64(5, -1), IntValue::Small(0));
        assert_eq!(
            round_int_i64(i64::MAX, -1),
            IntValue::Big("9223372036854775810".parse().unwrap())
        );
        assert_eq!(round_int_i64(123, -1000), IntValue::Small(0));
        assert_eq!(round_int_i64(500, -3), IntValue::Small(0));
        assert_eq!(round_int_i64(1500, -3), IntValue::Small(2000));
    }
}
