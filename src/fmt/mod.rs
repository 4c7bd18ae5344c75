//! Number and text formatting with CPython 3.11's exact output: float `repr`, the format-spec
//! mini-language (`format()`, f-strings), printf-style `%`, `str.format` templates, `int()` and
//! `float()` parsing, `repr` of str and bytes, `round()` and the float arithmetic whose results or
//! errors are observable. Everything here works on plain Rust values (`i64`, `BigInt`, `f64`,
//! `&str`); where Python objects are involved (arguments of `%` and `str.format`), the VM supplies
//! them through traits. Invariant: every string this module produces, and every error message,
//! is byte for byte what CPython 3.11 produces for the same input.
//!
//! How the VM uses it:
//! - `format(v, spec)` on an exact int, bool, float or str calls [`format_int_i64`] /
//!   [`format_int_big`] / [`format_float`] / [`format_str`] with the value's type name (`"bool"`
//!   for bools). With an empty spec CPython returns `str(v)`, so the VM answers that itself for
//!   bools and subclasses (`format(True, '')` is `'True'`) and calls these only for exact types.
//! - `str % args` is [`percent_format`] over a [`PercentArgs`] implementation; `str.format` and
//!   `format_map` are [`format_template`] over a [`TemplateArgs`] implementation. Both traits
//!   report failures as the VM's own error type, into which [`FmtError`] converts, so an
//!   exception raised by user code (`__format__`, `__str__`, `__index__`) passes through as is.
//! - Errors carry the exception class in [`FmtErrorKind`] and CPython's message.
//! - `sys.get_int_max_str_digits()` is passed as `max_str_digits` (0 = unlimited).

pub mod case;
mod case_tables;
mod dtoa;
mod float_ops;
mod format;
mod int_parse;
mod percent;
mod percent_spec;
mod render;
mod repr;
mod round;
mod spec;
mod template;
pub mod unicode;

pub use dtoa::{float_repr, write_float_repr};
pub use float_ops::{
    float_as_integer_ratio, float_divmod, float_floordiv, float_fromhex, float_hex, float_mod,
    float_pow, float_to_int, int_to_float, int_true_divide, int_true_divide_i64,
};
pub use format::{format_float, format_int_big, format_int_i64, format_str};
pub use int_parse::{
    float_from_str, int_from_str, int_to_decimal, int_to_radix, IntValue, DEFAULT_MAX_STR_DIGITS,
};
pub use percent::{percent_format, ArgsShape, CharArg, PercentArgs, PercentConv};
pub use percent_spec::{Count, KeyPart, PercentFlags, PercentItem, PercentParser, PercentSpec};
pub use repr::{ascii_escape, bytes_repr, str_repr, write_str_repr};
pub use round::{round_float, round_float_to_int, round_int_big, round_int_i64};
pub use spec::{Align, FormatSpec, Grouping, Sign, SpecKind};
pub use template::{
    format_template, index_out_of_range, Accessor, AutoNumber, FieldFirst, FieldName,
    FieldNameIter, TemplateArgs, TemplateField, TemplateIter, TemplatePiece,
};

use std::fmt;

/// The Python exception class an error maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmtErrorKind {
    /// `ValueError`.
    ValueError,
    /// `TypeError`.
    TypeError,
    /// `OverflowError`.
    OverflowError,
    /// `IndexError` (a `str.format` replacement index past the positional arguments).
    IndexError,
    /// `ZeroDivisionError` (float division, modulo and powers).
    ZeroDivisionError,
}

/// A formatting or parsing failure: the exception class and CPython's exact message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FmtError {
    /// Which exception the VM raises.
    pub kind: FmtErrorKind,
    /// The exception's message, as `str(exc)` prints it.
    pub msg: String,
}

impl FmtError {
    /// A `ValueError` with `msg`.
    pub fn value(msg: impl Into<String>) -> Self {
        FmtError {
            kind: FmtErrorKind::ValueError,
            msg: msg.into(),
        }
    }

    /// A `TypeError` with `msg`.
    pub fn type_error(msg: impl Into<String>) -> Self {
        FmtError {
            kind: FmtErrorKind::TypeError,
            msg: msg.into(),
        }
    }

    /// An `OverflowError` with `msg`.
    pub fn overflow(msg: impl Into<String>) -> Self {
        FmtError {
            kind: FmtErrorKind::OverflowError,
            msg: msg.into(),
        }
    }

    /// A `ZeroDivisionError` with `msg`.
    pub fn zero_division(msg: impl Into<String>) -> Self {
        FmtError {
            kind: FmtErrorKind::ZeroDivisionError,
            msg: msg.into(),
        }
    }
}

impl fmt::Display for FmtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.msg)
    }
}

impl std::error::Error for FmtError {}
