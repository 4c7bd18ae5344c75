//! `float`: IEEE doubles with Python's arithmetic, errors and exact int/float comparison.
//! Invariant: mixed int/float arithmetic converts the int with CPython's rounding and raises
//! OverflowError for ints beyond the float range.

use super::cmp_ord;
use super::int::{int_of, IntRef};
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use std::cmp::Ordering;

/// The float value of a float (or float subclass) value.
pub fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(f.get()),
        _ => None,
    }
}

/// A number as f64 for mixed arithmetic: Some(Ok) for floats and ints, Some(Err) when an int
/// is too large.
fn as_float_operand(vm: &mut Vm, v: &Value) -> Option<PyResult<f64>> {
    if let Some(f) = float_of(v) {
        return Some(Ok(f));
    }
    let i = int_of(v)?;
    Some(match i.to_f64() {
        Some(f) => Ok(f),
        None => Err(vm.overflow_error("int too large to convert to float".into())),
    })
}

/// Arithmetic when at least one operand is a float.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if float_of(a).is_none() && float_of(b).is_none() {
        return None;
    }
    if !matches!(
        op,
        BinOp::Add
            | BinOp::Sub
            | BinOp::Mult
            | BinOp::Div
            | BinOp::FloorDiv
            | BinOp::Mod
            | BinOp::Pow
    ) {
        // Bitwise operators and `@` are not float operations: the caller reports the
        // operand types as given.
        return None;
    }
    let x = match as_float_operand(vm, a)? {
        Ok(x) => x,
        Err(e) => return Some(Err(e)),
    };
    let y = match as_float_operand(vm, b)? {
        Ok(y) => y,
        Err(e) => return Some(Err(e)),
    };
    Some(float_binop(vm, op, x, y))
}

fn float_binop(vm: &mut Vm, op: BinOp, x: f64, y: f64) -> PyResult {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mult => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(vm.zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => match crate::fmt::float_floordiv(x, y) {
            Ok(r) => r,
            Err(e) => return Err(vm.fmt_error(e)),
        },
        BinOp::Mod => match crate::fmt::float_mod(x, y) {
            Ok(r) => r,
            Err(e) => return Err(vm.fmt_error(e)),
        },
        BinOp::Pow => match crate::fmt::float_pow(x, y) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Err(vm.value_error(
                    "complex numbers are not supported by Aio (negative number raised to a fractional power)"
                        .into(),
                ))
            }
            Err(e) => return Err(vm.fmt_error(e)),
        },
        _ => {
            return Err(vm.type_error(format!(
                "unsupported operand type(s) for {}: 'float' and 'float'",
                op.symbol()
            )))
        }
    };
    Ok(Value::from_f64(r))
}

/// Unary operators on floats.
pub fn unary(_vm: &mut Vm, name: &str, v: &Value) -> Option<PyResult> {
    let f = float_of(v)?;
    match name {
        "__neg__" => Some(Ok(Value::from_f64(-f))),
        "__pos__" => Some(Ok(Value::from_f64(f))),
        _ => None,
    }
}

/// Compares a float with an int exactly, as CPython does.
fn cmp_float_int(f: f64, i: IntRef) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Greater
        } else {
            Ordering::Less
        });
    }
    if let IntRef::Small(n) = i {
        if n.unsigned_abs() < (1u64 << 53) {
            return (f).partial_cmp(&(n as f64));
        }
    }
    let t = f.trunc();
    let fb = match crate::fmt::float_to_int(t) {
        Ok(crate::fmt::IntValue::Small(s)) => BigInt::from(s),
        Ok(crate::fmt::IntValue::Big(b)) => b,
        Err(_) => return None,
    };
    let ib = i.big();
    match fb.cmp(ib.as_ref()) {
        Ordering::Equal => {
            let frac = f - t;
            Some(if frac > 0.0 {
                Ordering::Greater
            } else if frac < 0.0 {
                Ordering::Less
            } else {
                Ordering::Equal
            })
        }
        o => Some(o),
    }
}

/// Comparisons involving a float.
pub fn compare(_vm: &mut Vm, op: CmpKind, a: &Value, b: &Value) -> Option<bool> {
    let ord = match (float_of(a), float_of(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        (Some(x), None) => cmp_float_int(x, int_of(b)?),
        (None, Some(y)) => cmp_float_int(y, int_of(a)?).map(|o| o.reverse()),
        (None, None) => return None,
    };
    Some(match ord {
        Some(o) => cmp_ord(op, o),
        None => op == CmpKind::Ne,
    })
}

/// `float(x)`.
pub fn to_float(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    if let Some(f) = float_of(v) {
        return Ok(f);
    }
    if let Some(i) = int_of(v) {
        return match i.to_f64() {
            Some(f) => Ok(f),
            None => Err(vm.overflow_error("int too large to convert to float".into())),
        };
    }
    if let Some(s) = v.as_str() {
        return crate::fmt::float_from_str(s).map_err(|e| vm.fmt_error(e));
    }
    if let Some(ObjKind::Bytes(b)) = v.kind() {
        let s = String::from_utf8_lossy(b).to_string();
        return crate::fmt::float_from_str(&s).map_err(|e| vm.fmt_error(e));
    }
    for name in ["__float__", "__index__"] {
        let ty = vm.type_of(v).clone();
        let n = vm.intern(name);
        if let Some(f) = vm.lookup_type(&ty, &n) {
            let f = vm.bind_descriptor(f, v, &ty)?;
            let r = vm.call(&f, &[])?;
            if name == "__float__" {
                return match float_of(&r) {
                    Some(f) => Ok(f),
                    None => {
                        let msg = format!(
                            "{}.__float__ returned non-float (type {})",
                            vm.type_name(v),
                            vm.type_name(&r)
                        );
                        Err(vm.type_error(msg))
                    }
                };
            }
            return to_float(vm, &r);
        }
    }
    let msg = format!(
        "float() argument must be a string or a real number, not '{}'",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

fn float_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "float")?;
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("float expected at most 1 argument, got {n}")));
    }
    let f = match args.pos.get(1) {
        Some(v) => to_float(vm, v)?,
        None => 0.0,
    };
    Ok(Value::from_f64(f))
}

fn this(args: &Args) -> f64 {
    float_of(&args.pos[0]).unwrap_or(0.0)
}

fn is_integer(_vm: &mut Vm, args: Args) -> PyResult {
    let f = this(&args);
    Ok(Value::from_bool(f.is_finite() && f.fract() == 0.0))
}

fn hex(vm: &mut Vm, args: Args) -> PyResult {
    let s = crate::fmt::float_hex(this(&args));
    Ok(vm.new_str(s))
}

fn fromhex(vm: &mut Vm, args: Args) -> PyResult {
    let s = args
        .pos
        .get(1)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let f = crate::fmt::float_fromhex(&s).map_err(|e| vm.fmt_error(e))?;
    Ok(Value::from_f64(f))
}

fn as_integer_ratio(vm: &mut Vm, args: Args) -> PyResult {
    let (n, d) = crate::fmt::float_as_integer_ratio(this(&args)).map_err(|e| vm.fmt_error(e))?;
    let conv = |vm: &mut Vm, v: crate::fmt::IntValue| match v {
        crate::fmt::IntValue::Small(i) => Value::Int(i),
        crate::fmt::IntValue::Big(b) => vm.new_bigint(b),
    };
    let n = conv(vm, n);
    let d = conv(vm, d);
    Ok(vm.new_tuple(vec![n, d]))
}

fn float_int(vm: &mut Vm, args: Args) -> PyResult {
    super::int::float_to_int(vm, this(&args))
}

fn float_round(vm: &mut Vm, args: Args) -> PyResult {
    let f = this(&args);
    match args.pos.get(1) {
        None | Some(Value::None) => match crate::fmt::round_float_to_int(f) {
            Ok(crate::fmt::IntValue::Small(i)) => Ok(Value::Int(i)),
            Ok(crate::fmt::IntValue::Big(b)) => Ok(vm.new_bigint(b)),
            Err(e) => Err(vm.fmt_error(e)),
        },
        Some(n) => {
            let nd = vm.index_value(n)?;
            crate::fmt::round_float(f, nd)
                .map(Value::from_f64)
                .map_err(|e| vm.fmt_error(e))
        }
    }
}

fn float_floor(vm: &mut Vm, args: Args) -> PyResult {
    super::int::float_to_int(vm, this(&args).floor())
}

fn float_ceil(vm: &mut Vm, args: Args) -> PyResult {
    super::int::float_to_int(vm, this(&args).ceil())
}

fn float_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = crate::fmt::float_repr(this(&args));
    Ok(vm.new_str(s))
}

fn float_format(vm: &mut Vm, args: Args) -> PyResult {
    let spec = args
        .pos
        .get(1)
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_string();
    if spec.is_empty() {
        // `format(x, "")` is `str(x)`, which a subclass's `__repr__` may change.
        return vm.str_value(&args.pos[0]);
    }
    let s = vm.format(&Value::from_f64(this(&args)), &spec)?;
    Ok(vm.new_str(s))
}

fn float_hash(vm: &mut Vm, args: Args) -> PyResult {
    let v = Value::from_f64(this(&args));
    Ok(Value::Int(vm.hash(&v)?))
}

fn float_abs(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_f64(this(&args).abs()))
}

fn float_bool(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(this(&args) != 0.0))
}

fn float_identity(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_f64(this(&args)))
}

fn float_neg(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_f64(-this(&args)))
}

fn get_real(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_f64(float_of(v).unwrap_or(0.0)))
}

fn get_imag(_vm: &mut Vm, _v: &Value) -> PyResult {
    Ok(Value::from_f64(0.0))
}

macro_rules! float_dunder {
    ($name:ident, $op:expr, $reflected:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let (a, b) = if $reflected {
                (&args.pos[1], &args.pos[0])
            } else {
                (&args.pos[0], &args.pos[1])
            };
            match binop(vm, $op, a, b) {
                Some(r) => r,
                None => Ok(vm.not_implemented()),
            }
        }
    };
}

float_dunder!(add, BinOp::Add, false);
float_dunder!(radd, BinOp::Add, true);
float_dunder!(sub, BinOp::Sub, false);
float_dunder!(rsub, BinOp::Sub, true);
float_dunder!(mul, BinOp::Mult, false);
float_dunder!(rmul, BinOp::Mult, true);
float_dunder!(truediv, BinOp::Div, false);
float_dunder!(rtruediv, BinOp::Div, true);
float_dunder!(floordiv, BinOp::FloorDiv, false);
float_dunder!(rfloordiv, BinOp::FloorDiv, true);
float_dunder!(modulo, BinOp::Mod, false);
float_dunder!(rmodulo, BinOp::Mod, true);
float_dunder!(pow, BinOp::Pow, false);
float_dunder!(rpow, BinOp::Pow, true);

macro_rules! float_cmp {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            match compare(vm, $op, &args.pos[0], &args.pos[1]) {
                Some(r) => Ok(Value::from_bool(r)),
                None => Ok(vm.not_implemented()),
            }
        }
    };
}

float_cmp!(lt, CmpKind::Lt);
float_cmp!(le, CmpKind::Le);
float_cmp!(eq, CmpKind::Eq);
float_cmp!(ne, CmpKind::Ne);
float_cmp!(gt, CmpKind::Gt);
float_cmp!(ge, CmpKind::Ge);

/// Installs float methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.float.clone();
    vm.add_staticmethod(&t, "__new__", float_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("is_integer", is_integer),
        ("hex", hex),
        ("as_integer_ratio", as_integer_ratio),
        ("conjugate", float_identity),
        ("__int__", float_int),
        ("__trunc__", float_int),
        ("__floor__", float_floor),
        ("__ceil__", float_ceil),
        ("__float__", float_identity),
        ("__round__", float_round),
        ("__repr__", float_repr),
        ("__format__", float_format),
        ("__hash__", float_hash),
        ("__abs__", float_abs),
        ("__bool__", float_bool),
        ("__pos__", float_identity),
        ("__neg__", float_neg),
        ("__add__", add),
        ("__radd__", radd),
        ("__sub__", sub),
        ("__rsub__", rsub),
        ("__mul__", mul),
        ("__rmul__", rmul),
        ("__truediv__", truediv),
        ("__rtruediv__", rtruediv),
        ("__floordiv__", floordiv),
        ("__rfloordiv__", rfloordiv),
        ("__mod__", modulo),
        ("__rmod__", rmodulo),
        ("__pow__", pow),
        ("__rpow__", rpow),
        ("__lt__", lt),
        ("__le__", le),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    for (name, f) in methods {
        vm.add_method(&t, name, *f);
    }
    vm.add_classmethod(&t, "fromhex", fromhex);
    vm.add_getset(&t, "real", get_real, None);
    vm.add_getset(&t, "imag", get_imag, None);
}
