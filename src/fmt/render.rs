//! Lays out a formatted number or string inside its field: sign, prefix, thousands separators,
//! zero padding and fill, as CPython's `calc_number_widths`, `fill_number` and
//! `_PyUnicode_InsertThousandsGrouping` do. Invariant: all widths are counted in characters
//! (code points), never bytes, because that is what Python's `len` and field widths count.

use super::spec::{Align, FormatSpec, Grouping, Sign};

/// The pieces of a number in the order they are written:
/// `sign prefix digits [.] remainder`.
pub(crate) struct NumberParts<'a> {
    /// The value is negative (a `-` is written whatever the sign option).
    pub negative: bool,
    /// `0x`, `0X`, `0o`, `0b` or empty; ASCII.
    pub prefix: &'a str,
    /// The integer digits, which receive separators and zero padding; ASCII.
    pub digits: &'a str,
    /// A decimal point follows the digits.
    pub decimal: bool,
    /// Everything after the point: fraction, exponent, `%`, `inf`, or the character of `c`.
    pub remainder: &'a str,
}

/// Appends `parts` laid out according to `spec` (fill, alignment, width, sign, grouping).
pub(crate) fn write_number(out: &mut String, parts: &NumberParts<'_>, spec: &FormatSpec) {
    let sign = match (parts.negative, spec.sign) {
        (true, _) => Some('-'),
        (false, Some(Sign::Plus)) => Some('+'),
        (false, Some(Sign::Space)) => Some(' '),
        (false, _) => None,
    };
    let n_remainder = if parts.remainder.is_ascii() {
        parts.remainder.len()
    } else {
        parts.remainder.chars().count()
    };
    let non_digits = sign.is_some() as i64
        + parts.prefix.len() as i64
        + parts.decimal as i64
        + n_remainder as i64;
    let width = spec.width.map_or(-1, |w| w as i64);
    // Zero padding with '=' happens inside the digit grouping, so separators land among the zeros.
    let min_width = if spec.fill == '0' && spec.align == Align::AfterSign {
        width - non_digits
    } else {
        0
    };
    let grouped = grouped_digits(parts.digits, min_width, spec.grouping);
    let padding = width - (non_digits + grouped.len() as i64);
    let (mut left, mut after_sign, mut right) = (0, 0, 0);
    if padding > 0 {
        match spec.align {
            Align::Left => right = padding,
            Align::Right => left = padding,
            Align::Center => {
                left = padding / 2;
                right = padding - left;
            }
            Align::AfterSign => after_sign = padding,
        }
    }
    push_fill(out, spec.fill, left);
    if let Some(s) = sign {
        out.push(s);
    }
    out.push_str(parts.prefix);
    push_fill(out, spec.fill, after_sign);
    match &grouped {
        Grouped::Plain(d) => out.push_str(d),
        // Built right to left.
        Grouped::Reversed(rev) => out.extend(rev.iter().rev().map(|&b| b as char)),
    }
    if parts.decimal {
        out.push('.');
    }
    out.push_str(parts.remainder);
    push_fill(out, spec.fill, right);
}

/// The integer digits as written: unchanged when there is nothing to insert, which spares
/// the common case an allocation.
enum Grouped<'a> {
    Plain(&'a str),
    Reversed(Vec<u8>),
}

impl Grouped<'_> {
    fn len(&self) -> usize {
        match self {
            Grouped::Plain(d) => d.len(),
            Grouped::Reversed(v) => v.len(),
        }
    }
}

fn grouped_digits(digits: &str, min_width: i64, grouping: Grouping) -> Grouped<'_> {
    let (group, sep) = match grouping {
        Grouping::None => (None, None),
        Grouping::Comma => (Some(3), Some(b',')),
        Grouping::Underscore => (Some(3), Some(b'_')),
        Grouping::Underscore4 => (Some(4), Some(b'_')),
    };
    // Only 'c' has no digits; it bypasses grouping altogether.
    if digits.is_empty() || (group.is_none() && min_width <= digits.len() as i64) {
        return Grouped::Plain(digits);
    }
    let mut rev = Vec::with_capacity(digits.len() * 4 / 3 + min_width.max(0) as usize);
    group_digits(&mut rev, digits.as_bytes(), min_width, group, sep);
    Grouped::Reversed(rev)
}

/// Writes `digits` reversed into `rev`, with a separator every `group` digits and leading zeros
/// until `min_width` characters are filled. The zeros are added group by group, so a
/// zero-padded field can end one character wider than asked when a separator would otherwise
/// start it (CPython prints `format(1234, '012,')` as `0,000,001,234`).
fn group_digits(
    rev: &mut Vec<u8>,
    digits: &[u8],
    min_width: i64,
    group: Option<usize>,
    sep: Option<u8>,
) {
    let sep_len = sep.is_some() as i64;
    let mut remaining = digits.len() as i64;
    let mut min_width = min_width.max(0);
    let mut end = digits.len();
    let mut first = true;
    let mut emit = |rev: &mut Vec<u8>, len: i64, remaining: i64, first: bool| -> i64 {
        let zeros = (len - remaining).max(0);
        let chars = remaining.min(len).max(0);
        if !first {
            rev.extend(sep);
        }
        let start = end - chars as usize;
        rev.extend(digits[start..end].iter().rev());
        end = start;
        rev.extend(std::iter::repeat_n(b'0', zeros as usize));
        chars
    };
    if let Some(g) = group {
        let g = g as i64;
        loop {
            let len = g.min(remaining.max(min_width).max(1));
            remaining -= emit(rev, len, remaining, first);
            first = false;
            min_width -= g;
            if remaining <= 0 && min_width <= 0 {
                return;
            }
            min_width -= sep_len;
        }
    }
    let len = remaining.max(min_width).max(1);
    emit(rev, len, remaining, first);
}

/// Appends `n` copies of `fill` (nothing when `n <= 0`).
pub(crate) fn push_fill(out: &mut String, fill: char, n: i64) {
    for _ in 0..n.max(0) {
        out.push(fill);
    }
}

/// Appends `s` (of `len` characters) padded to the spec's width by its fill and alignment, as
/// CPython's `calc_padding`; `=` behaves as `<`.
pub(crate) fn write_padded(out: &mut String, s: &str, len: usize, spec: &FormatSpec) {
    let total = spec.width.map_or(len, |w| w.max(len)) as i64;
    let len = len as i64;
    let left = match spec.align {
        Align::Right => total - len,
        Align::Center => (total - len) / 2,
        Align::Left | Align::AfterSign => 0,
    };
    push_fill(out, spec.fill, left);
    out.push_str(s);
    push_fill(out, spec.fill, total - len - left);
}
