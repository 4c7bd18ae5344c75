//! `int` and `bool`: arbitrary-precision arithmetic with an i64 fast path.
//!
//! Small ints live inline in `Value::Int`; results that overflow are promoted to `BigInt`
//! objects, and big results that fit are demoted again (`Vm::new_bigint`). Invariant: a
//! `BigInt` object never holds a value that fits in an i64.

use super::cmp_ord;
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::borrow::Cow;

/// A borrowed int of either representation.
#[derive(Clone, Copy)]
pub enum IntRef<'a> {
    Small(i64),
    Big(&'a BigInt),
}

impl IntRef<'_> {
    /// The value as a BigInt.
    pub fn big(&self) -> Cow<'_, BigInt> {
        match self {
            IntRef::Small(i) => Cow::Owned(BigInt::from(*i)),
            IntRef::Big(b) => Cow::Borrowed(*b),
        }
    }

    pub fn is_negative(&self) -> bool {
        match self {
            IntRef::Small(i) => *i < 0,
            IntRef::Big(b) => b.is_negative(),
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            IntRef::Small(i) => *i == 0,
            IntRef::Big(b) => b.is_zero(),
        }
    }

    /// As f64, or None when too large.
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            IntRef::Small(i) => Some(*i as f64),
            IntRef::Big(b) => crate::fmt::int_to_float(b).ok(),
        }
    }
}

/// The int value of a Value (ints, bools and int-subclass instances).
pub fn int_of(v: &Value) -> Option<IntRef<'_>> {
    match v {
        Value::Int(i) => Some(IntRef::Small(*i)),
        Value::Bool(b) => Some(IntRef::Small(b.get() as i64)),
        Value::Obj(o) => match o.payload() {
            ObjKind::BigInt(b) => Some(IntRef::Big(b)),
            _ => None,
        },
        _ => None,
    }
}

/// Decimal text of a big int, honouring the 4300-digit limit.
pub fn bigint_to_string(vm: &mut Vm, b: &BigInt) -> PyResult<String> {
    crate::fmt::int_to_decimal(b, vm.config.int_max_str_digits).map_err(|e| vm.fmt_error(e))
}

fn big(vm: &mut Vm, b: BigInt) -> Value {
    vm.new_bigint(b)
}

/// Arithmetic between two ints (None when either operand is not an int).
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
        match op {
            BinOp::BitAnd => return Some(Ok(Value::from_bool(p.get() & q.get()))),
            BinOp::BitOr => return Some(Ok(Value::from_bool(p.get() | q.get()))),
            BinOp::BitXor => return Some(Ok(Value::from_bool(p.get() ^ q.get()))),
            _ => {}
        }
    }
    let x = int_of(a)?;
    let y = int_of(b)?;
    Some(int_binop(vm, op, x, y))
}

fn int_binop(vm: &mut Vm, op: BinOp, x: IntRef, y: IntRef) -> PyResult {
    if let (IntRef::Small(a), IntRef::Small(b)) = (x, y) {
        if let Some(r) = small_binop(vm, op, a, b) {
            return r;
        }
    }
    let (a, b) = (x.big(), y.big());
    let (a, b) = (a.as_ref(), b.as_ref());
    Ok(match op {
        BinOp::Add => big(vm, a + b),
        BinOp::Sub => big(vm, a - b),
        BinOp::Mult => big(vm, a * b),
        BinOp::FloorDiv => {
            if b.is_zero() {
                return Err(vm.zero_division("integer division or modulo by zero"));
            }
            big(vm, a.div_floor(b))
        }
        BinOp::Mod => {
            if b.is_zero() {
                return Err(vm.zero_division("integer modulo by zero"));
            }
            big(vm, a.mod_floor(b))
        }
        BinOp::Div => {
            if b.is_zero() {
                return Err(vm.zero_division("division by zero"));
            }
            match crate::fmt::int_true_divide(a, b) {
                Ok(f) => Value::from_f64(f),
                Err(e) => return Err(vm.fmt_error(e)),
            }
        }
        BinOp::Pow => return int_pow(vm, a, b),
        BinOp::LShift => {
            if b.is_negative() {
                return Err(vm.value_error("negative shift count".into()));
            }
            let Some(s) = b.to_usize().filter(|s| *s < (1 << 32)) else {
                return Err(vm.overflow_error("too many digits in integer".into()));
            };
            big(vm, a << s)
        }
        BinOp::RShift => {
            if b.is_negative() {
                return Err(vm.value_error("negative shift count".into()));
            }
            match b.to_usize() {
                Some(s) => big(vm, a >> s),
                None => Value::Int(if a.is_negative() { -1 } else { 0 }),
            }
        }
        BinOp::BitAnd => big(vm, a & b),
        BinOp::BitOr => big(vm, a | b),
        BinOp::BitXor => big(vm, a ^ b),
        BinOp::MatMult => {
            let msg = "unsupported operand type(s) for @: 'int' and 'int'".to_string();
            return Err(vm.type_error(msg));
        }
    })
}

fn small_binop(vm: &mut Vm, op: BinOp, a: i64, b: i64) -> Option<PyResult> {
    Some(Ok(match op {
        BinOp::Add => Value::Int(a.checked_add(b)?),
        BinOp::Sub => Value::Int(a.checked_sub(b)?),
        BinOp::Mult => Value::Int(a.checked_mul(b)?),
        BinOp::FloorDiv => {
            if b == 0 {
                return Some(Err(vm.zero_division("integer division or modulo by zero")));
            }
            if a == i64::MIN && b == -1 {
                return None;
            }
            Value::Int(crate::vm::dispatch::floor_div(a, b))
        }
        BinOp::Mod => {
            if b == 0 {
                return Some(Err(vm.zero_division("integer modulo by zero")));
            }
            if b == -1 {
                return Some(Ok(Value::Int(0)));
            }
            Value::Int(crate::vm::dispatch::floor_mod(a, b))
        }
        BinOp::Div => {
            if b == 0 {
                return Some(Err(vm.zero_division("division by zero")));
            }
            match crate::fmt::int_true_divide_i64(a, b) {
                Ok(f) => Value::from_f64(f),
                Err(e) => return Some(Err(vm.fmt_error(e))),
            }
        }
        BinOp::Pow => {
            if b < 0 {
                return None;
            }
            let e = u32::try_from(b).ok()?;
            Value::Int(a.checked_pow(e)?)
        }
        BinOp::LShift => {
            if b < 0 {
                return Some(Err(vm.value_error("negative shift count".into())));
            }
            if b >= 63 {
                return None;
            }
            let r = a.checked_shl(b as u32)?;
            if (r >> b) != a {
                return None;
            }
            Value::Int(r)
        }
        BinOp::RShift => {
            if b < 0 {
                return Some(Err(vm.value_error("negative shift count".into())));
            }
            Value::Int(if b >= 64 {
                if a < 0 {
                    -1
                } else {
                    0
                }
            } else {
                a >> b
            })
        }
        BinOp::BitAnd => Value::Int(a & b),
        BinOp::BitOr => Value::Int(a | b),
        BinOp::BitXor => Value::Int(a ^ b),
        BinOp::MatMult => return None,
    }))
}

fn int_pow(vm: &mut Vm, a: &BigInt, b: &BigInt) -> PyResult {
    if b.is_negative() {
        let (Some(x), Some(y)) = (a.to_f64(), b.to_f64()) else {
            return Err(vm.overflow_error("int too large to convert to float".into()));
        };
        if x == 0.0 {
            return Err(vm.zero_division("0.0 cannot be raised to a negative power"));
        }
        return match crate::fmt::float_pow(x, y) {
            Ok(Some(f)) => Ok(Value::from_f64(f)),
            Ok(None) => Err(vm.value_error("math domain error".into())),
            Err(e) => Err(vm.fmt_error(e)),
        };
    }
    if a.is_zero() || a.is_one() {
        return Ok(big(vm, a.clone()));
    }
    if *a == BigInt::from(-1) {
        return Ok(Value::Int(if b.is_even() { 1 } else { -1 }));
    }
    let Some(e) = b.to_u32() else {
        return Err(vm.new_exc("MemoryError", Vec::new()));
    };
    Ok(big(vm, num_traits::pow(a.clone(), e as usize)))
}

/// `pow(base, exp, mod)` for ints.
pub fn pow_mod(vm: &mut Vm, a: IntRef, b: IntRef, m: IntRef) -> PyResult {
    let (a, b, m) = (
        a.big().into_owned(),
        b.big().into_owned(),
        m.big().into_owned(),
    );
    if m.is_zero() {
        return Err(vm.value_error("pow() 3rd argument cannot be 0".into()));
    }
    let (base, exp) = if b.is_negative() {
        // Modular inverse.
        let g = a.mod_floor(&m).extended_gcd(&m);
        if !g.gcd.is_one() && g.gcd != BigInt::from(-1) {
            return Err(vm.value_error("base is not invertible for the given modulus".into()));
        }
        (g.x.mod_floor(&m), -b)
    } else {
        (a, b)
    };
    let r = base.modpow(&exp, &m);
    // Python's result has the sign of the modulus.
    let r = if !r.is_zero() && (r.is_negative() != m.is_negative()) {
        r + &m
    } else {
        r
    };
    Ok(big(vm, r))
}

/// Unary operators on ints.
pub fn unary(vm: &mut Vm, name: &str, v: &Value) -> Option<PyResult> {
    let x = int_of(v)?;
    Some(Ok(match (name, x) {
        ("__neg__", IntRef::Small(i)) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => big(vm, -BigInt::from(i)),
        },
        ("__neg__", IntRef::Big(b)) => big(vm, -b.clone()),
        ("__pos__", IntRef::Small(i)) => Value::Int(i),
        ("__pos__", IntRef::Big(b)) => big(vm, b.clone()),
        ("__invert__", IntRef::Small(i)) => Value::Int(!i),
        ("__invert__", IntRef::Big(b)) => big(vm, -(b.clone()) - 1),
        _ => return None,
    }))
}

/// Comparisons between ints (floats are handled by `float::compare`).
pub fn compare(_vm: &mut Vm, op: CmpKind, a: &Value, b: &Value) -> Option<bool> {
    let x = int_of(a)?;
    let y = int_of(b)?;
    let ord = match (x, y) {
        (IntRef::Small(p), IntRef::Small(q)) => p.cmp(&q),
        _ => x.big().as_ref().cmp(y.big().as_ref()),
    };
    Some(cmp_ord(op, ord))
}

/// `int(x)` conversions other than parsing.
pub fn to_int(vm: &mut Vm, v: &Value) -> PyResult {
    if let Some(i) = int_of(v) {
        return Ok(match i {
            IntRef::Small(i) => Value::Int(i),
            IntRef::Big(b) => {
                let b = b.clone();
                big(vm, b)
            }
        });
    }
    if let Value::Float(f) = v {
        return float_to_int(vm, f.get());
    }
    if let Some(s) = v.as_str() {
        if let Some(i) = plain_decimal(s) {
            return Ok(Value::Int(i));
        }
        return parse_int(vm, s, 10, v);
    }
    if let Some(ObjKind::Bytes(b)) = v.kind() {
        let s = String::from_utf8_lossy(b).to_string();
        return parse_int(vm, &s, 10, v);
    }
    for name in ["__int__", "__index__", "__trunc__"] {
        let ty = vm.type_of(v).clone();
        let n = vm.intern(name);
        if let Some(f) = vm.lookup_type(&ty, &n) {
            let f = vm.bind_descriptor(f, v, &ty)?;
            let r = vm.call(&f, &[])?;
            if int_of(&r).is_none() {
                let msg = format!("{name} returned non-int (type {})", vm.type_name(&r));
                return Err(vm.type_error(msg));
            }
            return to_int(vm, &r);
        }
    }
    let msg = format!(
        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

/// float → int (truncating), with CPython's errors for inf and nan.
pub fn float_to_int(vm: &mut Vm, f: f64) -> PyResult {
    match crate::fmt::float_to_int(f) {
        Ok(crate::fmt::IntValue::Small(i)) => Ok(Value::Int(i)),
        Ok(crate::fmt::IntValue::Big(b)) => Ok(big(vm, b)),
        Err(e) => Err(vm.fmt_error(e)),
    }
}

/// The value of `s` when it is only ASCII digits (at most 18, so no overflow) with an
/// optional leading `-`: the common case of `int(text)`, parsed without the general grammar.
fn plain_decimal(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as i64;
    }
    Some(if neg { -n } else { n })
}

fn parse_int(vm: &mut Vm, s: &str, base: i64, _orig: &Value) -> PyResult {
    match crate::fmt::int_from_str(s, base, vm.config.int_max_str_digits) {
        Ok(crate::fmt::IntValue::Small(i)) => Ok(Value::Int(i)),
        Ok(crate::fmt::IntValue::Big(b)) => Ok(big(vm, b)),
        Err(e) => Err(vm.fmt_error(e)),
    }
}

fn int_new(vm: &mut Vm, args: Args) -> PyResult {
    // `int(x)`: no keyword, no base, not a subclass.
    if let [Value::Obj(c), x] = args.pos {
        if args.kwnames.is_empty() && std::rc::Rc::ptr_eq(c, &vm.types.int) {
            return to_int(vm, x);
        }
    }
    if args.pos.len() > 3 {
        // `cls` is not counted in CPython's message.
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("int() takes at most 2 arguments ({n} given)")));
    }
    let [cls, x, base] = args.bind(vm, "int", ["cls", "x", "base"], 1)?;
    let cls = cls.expect("bound");
    let v = match (x, base) {
        (None, None) => Value::Int(0),
        (None, Some(_)) => return Err(vm.type_error("int() missing string argument".into())),
        (Some(x), None) => to_int(vm, &x)?,
        (Some(x), Some(b)) => {
            let base = vm.index_value(&b)?;
            let text = match x.kind() {
                Some(ObjKind::Str(s)) => s.as_str().to_string(),
                Some(ObjKind::Bytes(b)) => String::from_utf8_lossy(b).to_string(),
                _ => {
                    return Err(
                        vm.type_error("int() can't convert non-string with explicit base".into())
                    )
                }
            };
            parse_int(vm, &text, base, &x)?
        }
    };
    wrap_subclass(vm, &cls, v)
}

/// An int-subclass instance holding `v` (or `v` itself for `int`).
pub fn wrap_subclass(vm: &mut Vm, cls: &Value, v: Value) -> PyResult {
    let Value::Obj(c) = cls else { return Ok(v) };
    if std::rc::Rc::ptr_eq(c, &vm.types.int) {
        return Ok(v);
    }
    let b = int_of(&v).map(|i| i.big().into_owned()).unwrap_or_default();
    let inst = vm.alloc_instance(
        c.clone(),
        ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
            attrs: Default::default(),
            base: ObjKind::BigInt(b),
        })),
    );
    Ok(Value::Obj(inst))
}

fn bool_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "bool")?;
    if args.pos.len() > 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("bool expected at most 1 argument, got {n}")));
    }
    match args.pos.get(1) {
        Some(v) => Ok(Value::from_bool(vm.truthy(v)?)),
        None => Ok(Value::FALSE),
    }
}

fn this<'a>(args: &Args<'a>) -> IntRef<'a> {
    let pos: &'a [Value] = args.pos;
    int_of(&pos[0]).unwrap_or(IntRef::Small(0))
}

fn self_big(args: &Args) -> BigInt {
    int_of(&args.pos[0])
        .map(|i| i.big().into_owned())
        .unwrap_or_default()
}

fn bit_length(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "int.bit_length", 0, 0)?;
    Ok(Value::Int(self_big(&args).magnitude().bits() as i64))
}

fn bit_count(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "int.bit_count", 0, 0)?;
    let b = self_big(&args);
    let n: u64 = b
        .magnitude()
        .iter_u64_digits()
        .map(|d| d.count_ones() as u64)
        .sum();
    Ok(Value::Int(n as i64))
}

fn to_bytes(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [length, order, signed] =
        rest.bind(vm, "to_bytes", ["length", "byteorder", "signed"], 0)?;
    let length = match length {
        Some(l) => vm.index_value(&l)?,
        None => 1,
    };
    if length < 0 {
        return Err(vm.value_error("length argument must be non-negative".into()));
    }
    let order = match &order {
        Some(o) => vm
            .arg_str(o, "to_bytes", "argument 'byteorder'")?
            .to_string(),
        None => "big".into(),
    };
    let signed = match signed {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let v = self_big(&args);
    if !signed && v.is_negative() {
        return Err(vm.overflow_error("can't convert negative int to unsigned".into()));
    }
    let mut bytes = if signed {
        v.to_signed_bytes_le()
    } else {
        v.magnitude().to_bytes_le()
    };
    if v.is_zero() {
        bytes.clear();
    }
    let fill = if v.is_negative() { 0xff } else { 0 };
    if bytes.len() > length as usize {
        // Signed encodings may carry a redundant sign byte.
        let trimmed = bytes.len() - 1 == length as usize
            && signed
            && bytes.last() == Some(&fill)
            && (bytes[bytes.len() - 2] & 0x80) == (fill & 0x80);
        if !trimmed {
            return Err(vm.overflow_error("int too big to convert".into()));
        }
        bytes.pop();
    }
    bytes.resize(length as usize, fill);
    match order.as_str() {
        "little" => {}
        "big" => bytes.reverse(),
        _ => return Err(vm.value_error("byteorder must be either 'little' or 'big'".into())),
    }
    Ok(vm.new_bytes(bytes))
}

fn from_bytes(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [data, order, signed] = rest.bind(vm, "from_bytes", ["bytes", "byteorder", "signed"], 1)?;
    let data = data.expect("required");
    let bytes: Vec<u8> = match data.kind() {
        Some(ObjKind::Bytes(b)) => b.to_vec(),
        Some(ObjKind::ByteArray(b)) => b.borrow().clone(),
        _ => {
            let items = vm.collect_iterable(&data)?;
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                let n = vm.index_value(&i)?;
                if !(0..256).contains(&n) {
                    return Err(vm.value_error("bytes must be in range(0, 256)".into()));
                }
                out.push(n as u8);
            }
            out
        }
    };
    let order = match &order {
        Some(o) => vm
            .arg_str(o, "from_bytes", "argument 'byteorder'")?
            .to_string(),
        None => "big".into(),
    };
    let signed = match signed {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let v = match (order.as_str(), signed) {
        ("big", false) => BigInt::from_bytes_be(num_bigint::Sign::Plus, &bytes),
        ("little", false) => BigInt::from_bytes_le(num_bigint::Sign::Plus, &bytes),
        ("big", true) => BigInt::from_signed_bytes_be(&bytes),
        ("little", true) => BigInt::from_signed_bytes_le(&bytes),
        _ => return Err(vm.value_error("byteorder must be either 'little' or 'big'".into())),
    };
    let v = big(vm, v);
    let cls = args.pos[0].clone();
    if let Value::Obj(c) = &cls {
        if !std::rc::Rc::ptr_eq(c, &vm.types.int) {
            return vm.call(&cls, &[v]);
        }
    }
    Ok(v)
}

fn identity_int(vm: &mut Vm, args: Args) -> PyResult {
    let v = args.pos[0].clone();
    match int_of(&v) {
        Some(IntRef::Small(i)) => Ok(Value::Int(i)),
        Some(IntRef::Big(b)) => {
            let b = b.clone();
            Ok(big(vm, b))
        }
        None => Ok(v),
    }
}

fn int_float(vm: &mut Vm, args: Args) -> PyResult {
    let i = this(&args);
    match i.to_f64() {
        Some(f) => Ok(Value::from_f64(f)),
        None => Err(vm.overflow_error("int too large to convert to float".into())),
    }
}

fn int_round(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "__round__")?;
    let nd = match args.pos.get(1) {
        None | Some(Value::None) => return identity_int(vm, args),
        Some(n) => vm.index_value(n)?,
    };
    let r = match this(&args) {
        IntRef::Small(i) => crate::fmt::round_int_i64(i, nd),
        IntRef::Big(b) => crate::fmt::round_int_big(b, nd),
    };
    Ok(match r {
        crate::fmt::IntValue::Small(i) => Value::Int(i),
        crate::fmt::IntValue::Big(b) => big(vm, b),
    })
}

fn int_abs(vm: &mut Vm, args: Args) -> PyResult {
    match this(&args) {
        IntRef::Small(i) => Ok(match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => big(vm, BigInt::from(i).abs()),
        }),
        IntRef::Big(b) => Ok(big(vm, b.abs())),
    }
}

fn int_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = match this(&args) {
        IntRef::Small(i) => i.to_string(),
        IntRef::Big(b) => bigint_to_string(vm, b)?,
    };
    Ok(vm.new_str(s))
}

fn int_format(vm: &mut Vm, args: Args) -> PyResult {
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
    let v = match this(&args) {
        IntRef::Small(i) => Value::Int(i),
        IntRef::Big(b) => {
            let b = b.clone();
            big(vm, b)
        }
    };
    let s = vm.format(&v, &spec)?;
    Ok(vm.new_str(s))
}

fn int_hash(vm: &mut Vm, args: Args) -> PyResult {
    let _ = vm;
    Ok(Value::Int(match this(&args) {
        IntRef::Small(i) => crate::hash::hash_i64(i),
        IntRef::Big(b) => crate::hash::hash_bigint(b),
    }))
}

fn int_bool(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(!this(&args).is_zero()))
}

fn as_integer_ratio(vm: &mut Vm, args: Args) -> PyResult {
    let v = identity_int(vm, args)?;
    Ok(vm.new_tuple(vec![v, Value::Int(1)]))
}

fn zero(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(0))
}

fn one(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(1))
}

fn getter_self(vm: &mut Vm, v: &Value) -> PyResult {
    identity_int(
        vm,
        Args {
            pos: std::slice::from_ref(v),
            kwnames: &[],
            kwvalues: &[],
            data: &Value::Null,
        },
    )
}

fn getter_zero(_vm: &mut Vm, _v: &Value) -> PyResult {
    Ok(Value::Int(0))
}

fn getter_one(_vm: &mut Vm, _v: &Value) -> PyResult {
    Ok(Value::Int(1))
}

macro_rules! int_dunder {
    ($name:ident, $op:expr, $reflected:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            if args.pos.len() != 2 {
                return Err(vm.type_error("expected 1 argument".into()));
            }
            let (a, b) = if $reflected {
                (&args.pos[1], &args.pos[0])
            } else {
                (&args.pos[0], &args.pos[1])
            };
            match (int_of(a), int_of(b)) {
                (Some(x), Some(y)) => int_binop(vm, $op, x, y),
                _ => Ok(vm.not_implemented()),
            }
        }
    };
}

int_dunder!(add, BinOp::Add, false);
int_dunder!(radd, BinOp::Add, true);
int_dunder!(sub, BinOp::Sub, false);
int_dunder!(rsub, BinOp::Sub, true);
int_dunder!(mul, BinOp::Mult, false);
int_dunder!(rmul, BinOp::Mult, true);
int_dunder!(floordiv, BinOp::FloorDiv, false);
int_dunder!(rfloordiv, BinOp::FloorDiv, true);
int_dunder!(truediv, BinOp::Div, false);
int_dunder!(rtruediv, BinOp::Div, true);
int_dunder!(modulo, BinOp::Mod, false);
int_dunder!(rmodulo, BinOp::Mod, true);
int_dunder!(pow, BinOp::Pow, false);
int_dunder!(rpow, BinOp::Pow, true);
int_dunder!(lshift, BinOp::LShift, false);
int_dunder!(rlshift, BinOp::LShift, true);
int_dunder!(rshift, BinOp::RShift, false);
int_dunder!(rrshift, BinOp::RShift, true);
int_dunder!(and, BinOp::BitAnd, false);
int_dunder!(rand, BinOp::BitAnd, true);
int_dunder!(or, BinOp::BitOr, false);
int_dunder!(ror, BinOp::BitOr, true);
int_dunder!(xor, BinOp::BitXor, false);
int_dunder!(rxor, BinOp::BitXor, true);

macro_rules! int_cmp {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let (a, b) = (&args.pos[0], &args.pos[1]);
            match compare(vm, $op, a, b) {
                Some(r) => Ok(Value::from_bool(r)),
                None => match super::float::compare(vm, $op, a, b) {
                    Some(r) => Ok(Value::from_bool(r)),
                    None => Ok(vm.not_implemented()),
                },
            }
        }
    };
}

int_cmp!(lt, CmpKind::Lt);
int_cmp!(le, CmpKind::Le);
int_cmp!(eq, CmpKind::Eq);
int_cmp!(ne, CmpKind::Ne);
int_cmp!(gt, CmpKind::Gt);
int_cmp!(ge, CmpKind::Ge);

fn neg(vm: &mut Vm, args: Args) -> PyResult {
    let v = args.pos[0].clone();
    unary(vm, "__neg__", &v).unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn invert(vm: &mut Vm, args: Args) -> PyResult {
    let v = args.pos[0].clone();
    unary(vm, "__invert__", &v).unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn divmod_method(vm: &mut Vm, args: Args) -> PyResult {
    let (a, b) = (&args.pos[0], &args.pos[1]);
    let (Some(x), Some(y)) = (int_of(a), int_of(b)) else {
        return Ok(vm.not_implemented());
    };
    let q = int_binop(vm, BinOp::FloorDiv, x, y)?;
    let r = int_binop(vm, BinOp::Mod, x, y)?;
    Ok(vm.new_tuple(vec![q, r]))
}

/// Installs int and bool methods.
pub fn init(vm: &mut Vm) {
    let int = vm.types.int.clone();
    vm.add_staticmethod(&int, "__new__", int_new);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("bit_length", bit_length),
        ("bit_count", bit_count),
        ("to_bytes", to_bytes),
        ("conjugate", identity_int),
        ("as_integer_ratio", as_integer_ratio),
        ("__index__", identity_int),
        ("__int__", identity_int),
        ("__trunc__", identity_int),
        ("__floor__", identity_int),
        ("__ceil__", identity_int),
        ("__float__", int_float),
        ("__round__", int_round),
        ("__abs__", int_abs),
        ("__repr__", int_repr),
        ("__format__", int_format),
        ("__hash__", int_hash),
        ("__bool__", int_bool),
        ("__pos__", identity_int),
        ("__neg__", neg),
        ("__invert__", invert),
        ("__add__", add),
        ("__radd__", radd),
        ("__sub__", sub),
        ("__rsub__", rsub),
        ("__mul__", mul),
        ("__rmul__", rmul),
        ("__floordiv__", floordiv),
        ("__rfloordiv__", rfloordiv),
        ("__truediv__", truediv),
        ("__rtruediv__", rtruediv),
        ("__mod__", modulo),
        ("__rmod__", rmodulo),
        ("__pow__", pow),
        ("__rpow__", rpow),
        ("__lshift__", lshift),
        ("__rlshift__", rlshift),
        ("__rshift__", rshift),
        ("__rrshift__", rrshift),
        ("__and__", and),
        ("__rand__", rand),
        ("__or__", or),
        ("__ror__", ror),
        ("__xor__", xor),
        ("__rxor__", rxor),
        ("__lt__", lt),
        ("__le__", le),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__gt__", gt),
        ("__ge__", ge),
        ("__divmod__", divmod_method),
    ];
    for (name, f) in methods {
        vm.add_method(&int, name, *f);
    }
    vm.add_classmethod(&int, "from_bytes", from_bytes);
    vm.add_getset(&int, "real", getter_self, None);
    vm.add_getset(&int, "imag", getter_zero, None);
    vm.add_getset(&int, "numerator", getter_self, None);
    vm.add_getset(&int, "denominator", getter_one, None);
    let _ = (zero, one);
    let b = vm.types.bool_.clone();
    vm.add_staticmethod(&b, "__new__", bool_new);
    vm.add_method(&b, "__repr__", bool_repr);
    vm.add_method(&b, "__and__", bool_and);
    vm.add_method(&b, "__or__", bool_or);
    vm.add_method(&b, "__xor__", bool_xor);
}

fn bool_repr(vm: &mut Vm, args: Args) -> PyResult {
    let s = match args.pos[0] {
        Value::Bool(b) if b.get() => "True",
        _ => "False",
    };
    Ok(vm.intern(s))
}

macro_rules! bool_op {
    ($name:ident, $op:tt, $binop:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            match (&args.pos[0], &args.pos[1]) {
                (Value::Bool(a), Value::Bool(b)) => Ok(Value::from_bool(a.get() $op b.get())),
                (a, b) => match (int_of(a), int_of(b)) {
                    (Some(x), Some(y)) => int_binop(vm, $binop, x, y),
                    _ => Ok(vm.not_implemented()),
                },
            }
        }
    };
}

bool_op!(bool_and, &, BinOp::BitAnd);
bool_op!(bool_or, |, BinOp::BitOr);
bool_op!(bool_xor, ^, BinOp::BitXor);
