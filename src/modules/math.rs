//! `math`: CPython 3.11's math module over the C library's functions (which Rust's `f64`
//! methods call), with CPython's error mapping: a NaN from a non-NaN argument is
//! "math domain error" (ValueError), an infinity from a finite argument is "math range
//! error" (OverflowError) for functions that can overflow and a domain error otherwise.
//! Invariant: algorithms CPython implements itself (`fsum`, `hypot`/`dist`, `remainder`,
//! `isclose`, logarithms of huge ints) follow its steps so results agree bit for bit.

use crate::types::int::{int_of, IntRef};
use crate::vm::object::{Args, NativeFn, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Creates the `math` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "math");
    for (n, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        vm.dict_set_str(&d, n, Value::from_f64(v));
    }
    let funcs: &[(&str, NativeFn)] = &[
        ("sqrt", sqrt),
        ("exp", exp),
        ("exp2", exp2),
        ("expm1", expm1),
        ("sin", sin),
        ("cos", cos),
        ("tan", tan),
        ("asin", asin),
        ("acos", acos),
        ("atan", atan),
        ("sinh", sinh),
        ("cosh", cosh),
        ("tanh", tanh),
        ("asinh", asinh),
        ("acosh", acosh),
        ("atanh", atanh),
        ("fabs", fabs),
        ("cbrt", cbrt),
        ("log1p", log1p),
        ("degrees", degrees),
        ("radians", radians),
        ("isfinite", isfinite),
        ("isinf", isinf),
        ("isnan", isnan),
        ("atan2", atan2),
        ("copysign", copysign),
        ("fmod", fmod),
        ("pow", pow),
        ("remainder", remainder),
        ("nextafter", nextafter),
        ("ldexp", ldexp),
        ("frexp", frexp),
        ("modf", modf),
        ("ulp", ulp),
        ("log", log),
        ("log2", log2),
        ("log10", log10),
        ("floor", floor),
        ("ceil", ceil),
        ("trunc", trunc),
        ("factorial", factorial),
        ("gcd", gcd),
        ("lcm", lcm),
        ("isqrt", isqrt),
        ("comb", comb),
        ("perm", perm),
        ("fsum", fsum),
        ("prod", prod),
        ("isclose", isclose),
        ("hypot", hypot),
        ("dist", dist),
    ];
    super::add_functions(vm, &d, funcs);
    m
}

fn domain_error(vm: &mut Vm) -> Exc {
    vm.value_error("math domain error".into())
}

fn range_error(vm: &mut Vm) -> Exc {
    vm.overflow_error("math range error".into())
}

/// `PyFloat_AsDouble`: floats, ints, and objects with `__float__` or `__index__`.
pub fn real(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    if let Value::Float(f) = v {
        return Ok(f.get());
    }
    if let Some(f) = crate::types::float::float_of(v) {
        return Ok(f);
    }
    if let Some(i) = int_of(v) {
        return match i.to_f64() {
            Some(f) => Ok(f),
            None => Err(vm.overflow_error("int too large to convert to float".into())),
        };
    }
    if let Value::Obj(o) = v {
        if o.class.is_some() && v.as_str().is_none() {
            let ty = vm.type_of(v).clone();
            for name in ["__float__", "__index__"] {
                let n = vm.intern(name);
                if vm.lookup_type(&ty, &n).is_some() {
                    return crate::types::float::to_float(vm, v);
                }
            }
        }
    }
    let msg = format!("must be real number, not {}", vm.type_name(v));
    Err(vm.type_error(msg))
}

/// An integer argument through `__index__`, as a BigInt.
pub fn int_arg(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    if let Some(i) = int_of(v) {
        return Ok(i.big().into_owned());
    }
    if let Value::Obj(o) = v {
        if o.class.is_some() {
            let ty = vm.type_of(v).clone();
            let n = vm.intern("__index__");
            if let Some(f) = vm.lookup_type(&ty, &n) {
                let f = vm.bind_descriptor(f, v, &ty)?;
                let r = vm.call(&f, &[])?;
                if let Some(i) = int_of(&r) {
                    return Ok(i.big().into_owned());
                }
                let msg = format!("__index__ returned non-int (type {})", vm.type_name(&r));
                return Err(vm.type_error(msg));
            }
        }
    }
    let msg = format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

fn one(vm: &mut Vm, args: &Args, name: &str) -> PyResult<f64> {
    args.no_kwargs(vm, &format!("math.{name}"))?;
    if args.pos.len() != 1 {
        let n = args.pos.len();
        return Err(vm.type_error(format!(
            "math.{name}() takes exactly one argument ({n} given)"
        )));
    }
    real(vm, &args.pos[0])
}

fn two(vm: &mut Vm, args: &Args, name: &str) -> PyResult<(f64, f64)> {
    args.no_kwargs(vm, name)?;
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("{name} expected 2 arguments, got {n}")));
    }
    let a = real(vm, &args.pos[0])?;
    let b = real(vm, &args.pos[1])?;
    Ok((a, b))
}

/// CPython's `math_1`: applies `f` and maps NaN and infinite results to exceptions.
fn math_1(vm: &mut Vm, args: &Args, name: &str, f: fn(f64) -> f64, can_overflow: bool) -> PyResult {
    let x = one(vm, args, name)?;
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain_error(vm));
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow {
            range_error(vm)
        } else {
            domain_error(vm)
        });
    }
    Ok(Value::from_f64(r))
}

macro_rules! unary {
    ($name:ident, $f:expr, $overflow:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            math_1(vm, &args, stringify!($name), $f, $overflow)
        }
    };
}

unary!(sqrt, f64::sqrt, false);
unary!(exp, f64::exp, true);
unary!(exp2, f64::exp2, true);
unary!(expm1, f64::exp_m1, true);
unary!(sin, f64::sin, false);
unary!(cos, f64::cos, false);
unary!(tan, f64::tan, false);
unary!(asin, f64::asin, false);
unary!(acos, f64::acos, false);
unary!(atan, f64::atan, false);
unary!(sinh, f64::sinh, true);
unary!(cosh, f64::cosh, true);
unary!(tanh, f64::tanh, false);
unary!(asinh, f64::asinh, false);
unary!(acosh, f64::acosh, false);
unary!(atanh, f64::atanh, false);
unary!(fabs, f64::abs, false);
unary!(cbrt, f64::cbrt, false);
unary!(log1p, f64::ln_1p, false);

fn degrees(vm: &mut Vm, args: Args) -> PyResult {
    let x = one(vm, &args, "degrees")?;
    Ok(Value::from_f64(x * (180.0 / std::f64::consts::PI)))
}

fn radians(vm: &mut Vm, args: Args) -> PyResult {
    let x = one(vm, &args, "radians")?;
    Ok(Value::from_f64(x * (std::f64::consts::PI / 180.0)))
}

fn isfinite(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(one(vm, &args, "isfinite")?.is_finite()))
}

fn isinf(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(one(vm, &args, "isinf")?.is_infinite()))
}

fn isnan(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(one(vm, &args, "isnan")?.is_nan()))
}

fn atan2(vm: &mut Vm, args: Args) -> PyResult {
    let (y, x) = two(vm, &args, "atan2")?;
    Ok(Value::from_f64(y.atan2(x)))
}

fn copysign(vm: &mut Vm, args: Args) -> PyResult {
    let (x, y) = two(vm, &args, "copysign")?;
    Ok(Value::from_f64(x.copysign(y)))
}

fn fmod(vm: &mut Vm, args: Args) -> PyResult {
    let (x, y) = two(vm, &args, "fmod")?;
    if y.is_infinite() && x.is_finite() {
        return Ok(Value::from_f64(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain_error(vm));
    }
    Ok(Value::from_f64(r))
}

fn pow(vm: &mut Vm, args: Args) -> PyResult {
    let (x, y) = two(vm, &args, "pow")?;
    if !x.is_finite() || !y.is_finite() {
        // C99 Annex F special values, as CPython spells them out.
        let r = if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else {
            x.powf(y)
        };
        return Ok(Value::from_f64(r));
    }
    if x == 0.0 && y < 0.0 {
        return Err(domain_error(vm));
    }
    let r = x.powf(y);
    if r.is_nan() {
        return Err(domain_error(vm));
    }
    if r.is_infinite() {
        return Err(range_error(vm));
    }
    Ok(Value::from_f64(r))
}

fn remainder(vm: &mut Vm, args: Args) -> PyResult {
    let (x, y) = two(vm, &args, "remainder")?;
    if x.is_nan() {
        return Ok(Value::from_f64(x));
    }
    if y.is_nan() {
        return Ok(Value::from_f64(y));
    }
    if x.is_infinite() || y == 0.0 {
        return Err(domain_error(vm));
    }
    if y.is_infinite() {
        return Ok(Value::from_f64(x));
    }
    let (ax, ay) = (x.abs(), y.abs());
    let m = ax % ay;
    let c = ay - m;
    let r = if m < c {
        m
    } else if m > c {
        -c
    } else {
        // Half way: pick the even multiple.
        m - 2.0 * ((0.5 * (ax - m)) % ay)
    };
    Ok(Value::from_f64(1f64.copysign(x) * r))
}

fn next_toward(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    if x == y {
        return y;
    }
    if x == 0.0 {
        return f64::from_bits(1).copysign(y);
    }
    let bits = x.to_bits();
    let up = (y > x) == (x > 0.0);
    f64::from_bits(if up { bits + 1 } else { bits - 1 })
}

fn nextafter(vm: &mut Vm, args: Args) -> PyResult {
    let (x, y) = two(vm, &args, "nextafter")?;
    Ok(Value::from_f64(next_toward(x, y)))
}

fn ulp(vm: &mut Vm, args: Args) -> PyResult {
    let x = one(vm, &args, "ulp")?;
    if x.is_nan() {
        return Ok(Value::from_f64(x));
    }
    let x = x.abs();
    if x.is_infinite() {
        return Ok(Value::from_f64(x));
    }
    let x2 = next_toward(x, f64::INFINITY);
    if x2.is_infinite() {
        return Ok(Value::from_f64(x - next_toward(x, f64::NEG_INFINITY)));
    }
    Ok(Value::from_f64(x2 - x))
}

/// `frexp`: mantissa in [0.5, 1) and exponent.
pub fn frexp_f(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    if exp == 0 {
        let (m, e) = frexp_f(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

fn frexp(vm: &mut Vm, args: Args) -> PyResult {
    let x = one(vm, &args, "frexp")?;
    let (m, e) = frexp_f(x);
    Ok(vm.new_tuple(vec![Value::from_f64(m), Value::Int(e)]))
}

fn ldexp(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "ldexp")?;
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("ldexp expected 2 arguments, got {n}")));
    }
    let x = real(vm, &args.pos[0])?;
    let Some(e) = int_of(&args.pos[1]) else {
        return Err(vm.type_error("Expected an int as second argument to ldexp.".into()));
    };
    let e = match e {
        IntRef::Small(i) => i.clamp(-100_000, 100_000),
        IntRef::Big(b) => {
            if b.is_negative() {
                -100_000
            } else {
                100_000
            }
        }
    };
    if x == 0.0 || !x.is_finite() {
        return Ok(Value::from_f64(x));
    }
    // Scale in steps so that intermediate powers of two stay finite.
    let mut r = x;
    let mut left = e;
    while left != 0 {
        let step = left.clamp(-1000, 1000);
        r *= 2f64.powi(step as i32);
        left -= step;
        if r == 0.0 || r.is_infinite() {
            break;
        }
    }
    if e < -1074 && r != 0.0 {
        // Round-to-nearest of subnormal results: recompute through the exact mantissa.
        let (m, ex) = frexp_f(x);
        r = m * 2f64.powi((ex + e).clamp(-1100, 0) as i32 + 60) * 2f64.powi(-60);
    }
    if r.is_infinite() {
        return Err(range_error(vm));
    }
    Ok(Value::from_f64(r))
}

fn modf(vm: &mut Vm, args: Args) -> PyResult {
    let x = one(vm, &args, "modf")?;
    let (frac, int) = if x.is_infinite() {
        (0f64.copysign(x), x)
    } else {
        let i = x.trunc();
        ((x - i).copysign(x), i)
    };
    Ok(vm.new_tuple(vec![Value::from_f64(frac), Value::from_f64(int)]))
}

// ----- logarithms -----------------------------------------------------------------------

/// CPython's `loghelper`: ints of any size are accepted (huge ones through their bits).
fn log_of(vm: &mut Vm, v: &Value, f: fn(f64) -> f64) -> PyResult<f64> {
    if let Some(i) = int_of(v) {
        if i.is_negative() || i.is_zero() {
            return Err(domain_error(vm));
        }
        if let Some(x) = i.to_f64().filter(|x| x.is_finite()) {
            return Ok(f(x));
        }
        let b = i.big().into_owned();
        let bits = b.bits() as i64;
        let top = (&b >> (bits - 64) as usize).to_u64().unwrap_or(u64::MAX) as f64;
        let m = top / 2f64.powi(64);
        return Ok(f(m) + f(2.0) * bits as f64);
    }
    let x = real(vm, v)?;
    if x.is_nan() {
        return Ok(x);
    }
    if x <= 0.0 {
        return Err(domain_error(vm));
    }
    if x.is_infinite() {
        return Ok(x);
    }
    Ok(f(x))
}

fn log(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "log")?;
    if args.pos.is_empty() || args.pos.len() > 2 {
        return Err(vm.type_error("math.log requires 1 to 2 arguments".into()));
    }
    let num = log_of(vm, &args.pos[0], f64::ln)?;
    if let Some(b) = args.pos.get(1) {
        let den = log_of(vm, b, f64::ln)?;
        if den == 0.0 {
            return Err(vm.zero_division("float division by zero"));
        }
        return Ok(Value::from_f64(num / den));
    }
    Ok(Value::from_f64(num))
}

fn log2(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "log2")?;
    args.expect_range(vm, "math.log2", 1, 1)?;
    Ok(Value::from_f64(log_of(vm, &args.pos[0], f64::log2)?))
}

fn log10(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "log10")?;
    args.expect_range(vm, "math.log10", 1, 1)?;
    Ok(Value::from_f64(log_of(vm, &args.pos[0], f64::log10)?))
}

// ----- rounding to ints -----------------------------------------------------------------

fn rounding(vm: &mut Vm, args: &Args, name: &str, dunder: &str, f: fn(f64) -> f64) -> PyResult {
    args.no_kwargs(vm, name)?;
    args.expect_range(vm, &format!("math.{name}"), 1, 1)?;
    let v = &args.pos[0];
    if let Some(x) = crate::types::float::float_of(v) {
        if !matches!(v, Value::Obj(o) if o.class.is_some()) {
            return crate::types::int::float_to_int(vm, f(x));
        }
    }
    if let Some(i) = int_of(v) {
        let b = i.big().into_owned();
        return Ok(vm.new_bigint(b));
    }
    let ty = vm.type_of(v).clone();
    let n = vm.intern(dunder);
    if let Some(m) = vm.lookup_type(&ty, &n) {
        let m = vm.bind_descriptor(m, v, &ty)?;
        return vm.call(&m, &[]);
    }
    if dunder == "__trunc__" {
        let msg = format!("type {} doesn't define __trunc__ method", vm.type_name(v));
        return Err(vm.type_error(msg));
    }
    let x = real(vm, v)?;
    crate::types::int::float_to_int(vm, f(x))
}

fn floor(vm: &mut Vm, args: Args) -> PyResult {
    rounding(vm, &args, "floor", "__floor__", f64::floor)
}

fn ceil(vm: &mut Vm, args: Args) -> PyResult {
    rounding(vm, &args, "ceil", "__ceil__", f64::ceil)
}

fn trunc(vm: &mut Vm, args: Args) -> PyResult {
    rounding(vm, &args, "trunc", "__trunc__", f64::trunc)
}

// ----- integer functions ----------------------------------------------------------------

fn factorial(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "factorial")?;
    args.expect_range(vm, "math.factorial", 1, 1)?;
    let n = int_arg(vm, &args.pos[0])?;
    if n.is_negative() {
        return Err(vm.value_error("factorial() not defined for negative values".into()));
    }
    let Some(n) = n.to_u64().filter(|&n| n <= 1_000_000) else {
        return Err(
            vm.overflow_error("factorial() argument should not exceed 9223372036854775807".into())
        );
    };
    Ok(vm.new_bigint(product_range(1, n + 1)))
}

/// The product of `lo..hi`, by binary splitting (fast for big factorials).
fn product_range(lo: u64, hi: u64) -> BigInt {
    if hi <= lo {
        return BigInt::one();
    }
    if hi - lo <= 16 {
        let mut p = BigInt::one();
        let mut acc: u64 = 1;
        for k in lo..hi {
            match acc.checked_mul(k) {
                Some(a) => acc = a,
                None => {
                    p *= acc;
                    acc = k;
                }
            }
        }
        return p * acc;
    }
    let mid = lo + (hi - lo) / 2;
    product_range(lo, mid) * product_range(mid, hi)
}

fn gcd(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "gcd")?;
    let mut g = BigInt::zero();
    for v in args.pos {
        let x = int_arg(vm, v)?;
        g = g.gcd(&x);
    }
    Ok(vm.new_bigint(g))
}

fn lcm(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "lcm")?;
    let mut l = BigInt::one();
    for v in args.pos {
        let x = int_arg(vm, v)?;
        if x.is_zero() || l.is_zero() {
            l = BigInt::zero();
            continue;
        }
        l = l.lcm(&x).abs();
    }
    Ok(vm.new_bigint(l))
}

fn isqrt(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "isqrt")?;
    args.expect_range(vm, "math.isqrt", 1, 1)?;
    let n = int_arg(vm, &args.pos[0])?;
    if n.is_negative() {
        return Err(vm.value_error("isqrt() argument must be nonnegative".into()));
    }
    Ok(vm.new_bigint(n.sqrt()))
}

fn comb_perm_args(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    k_opt: bool,
) -> PyResult<(BigInt, Option<BigInt>)> {
    args.no_kwargs(vm, name)?;
    let n_args = args.pos.len();
    let ok = if k_opt {
        (1..=2).contains(&n_args)
    } else {
        n_args == 2
    };
    if !ok {
        let msg = if k_opt {
            if n_args == 0 {
                format!("{name} expected at least 1 argument, got 0")
            } else {
                format!("{name} expected at most 2 arguments, got {n_args}")
            }
        } else {
            format!("{name} expected 2 arguments, got {n_args}")
        };
        return Err(vm.type_error(msg));
    }
    let n = int_arg(vm, &args.pos[0])?;
    let k = match args.pos.get(1) {
        Some(Value::None) if k_opt => None,
        Some(v) => Some(int_arg(vm, v)?),
        None => None,
    };
    if n.is_negative() {
        return Err(vm.value_error("n must be a non-negative integer".into()));
    }
    if k.as_ref().is_some_and(|k| k.is_negative()) {
        return Err(vm.value_error("k must be a non-negative integer".into()));
    }
    Ok((n, k))
}

fn perm_big(n: &BigInt, k: &BigInt) -> Option<BigInt> {
    if k > n {
        return Some(BigInt::zero());
    }
    let k = k.to_u64().filter(|&k| k <= 10_000_000)?;
    let mut p = BigInt::one();
    let mut f = n.clone();
    for _ in 0..k {
        p *= &f;
        f -= 1;
    }
    Some(p)
}

fn comb(vm: &mut Vm, args: Args) -> PyResult {
    let (n, k) = comb_perm_args(vm, &args, "comb", false)?;
    let k = k.expect("two arguments");
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = std::cmp::min(k.clone(), &n - &k);
    let Some(kk) = k.to_u64().filter(|&k| k <= 10_000_000) else {
        return Err(vm.overflow_error(format!("min(n - k, k) must not exceed {}", i64::MAX)));
    };
    let mut r = BigInt::one();
    let mut top = n.clone();
    for i in 1..=kk {
        r *= &top;
        r /= i;
        top -= 1;
    }
    Ok(vm.new_bigint(r))
}

fn perm(vm: &mut Vm, args: Args) -> PyResult {
    let (n, k) = comb_perm_args(vm, &args, "perm", true)?;
    let k = k.unwrap_or_else(|| n.clone());
    match perm_big(&n, &k) {
        Some(p) => Ok(vm.new_bigint(p)),
        None => Err(vm.overflow_error(format!("k must not exceed {}", i64::MAX))),
    }
}

// ----- sums, products, distances --------------------------------------------------------

/// Shewchuk's exactly rounded sum, as CPython's `math.fsum`.
pub fn fsum_values(vm: &mut Vm, it: &Value) -> PyResult<f64> {
    let iter = vm.get_iter(it)?;
    let mut partials: Vec<f64> = Vec::new();
    let mut special = 0.0f64;
    let mut inf_sum = 0.0f64;
    while let Some(v) = vm.next_value(&iter)? {
        let mut x = real(vm, &v)?;
        let xsave = x;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                if xsave.is_finite() {
                    return Err(vm.overflow_error("intermediate overflow in fsum".into()));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special += xsave;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(vm.value_error("-inf + inf in fsum".into()));
        }
        return Ok(special);
    }
    let mut hi = 0.0;
    if let Some(&last) = partials.last() {
        let mut n = partials.len() - 1;
        hi = last;
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(hi)
}

fn fsum(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "fsum")?;
    args.expect_range(vm, "math.fsum", 1, 1)?;
    Ok(Value::from_f64(fsum_values(vm, &args.pos[0])?))
}

fn prod(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() != 1 {
        let n = args.pos.len();
        return Err(vm.type_error(if n == 0 {
            "prod() missing required argument 'iterable' (pos 1)".to_string()
        } else {
            format!("prod() takes exactly 1 positional argument ({n} given)")
        }));
    }
    let mut acc = Value::Int(1);
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        match k.as_str() {
            Some("start") => acc = v.clone(),
            Some(other) => {
                return Err(vm.type_error(format!(
                    "prod() got an unexpected keyword argument '{other}'"
                )))
            }
            None => {}
        }
    }
    let iter = vm.get_iter(&args.pos[0])?;
    while let Some(v) = vm.next_value(&iter)? {
        acc = vm.binary_op(&acc, &v, crate::syntax::ast::BinOp::Mult)?;
    }
    Ok(acc)
}

fn isclose(vm: &mut Vm, args: Args) -> PyResult {
    if args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!(
            "isclose() takes exactly 2 positional arguments ({n} given)"
        )));
    }
    let [a, b, rel, abs] = args.bind(vm, "isclose", ["a", "b", "rel_tol", "abs_tol"], 2)?;
    let a = real(vm, &a.expect("required"))?;
    let b = real(vm, &b.expect("required"))?;
    let rel = match rel {
        Some(v) => real(vm, &v)?,
        None => 1e-9,
    };
    let abs = match abs {
        Some(v) => real(vm, &v)?,
        None => 0.0,
    };
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.value_error("tolerances must be non-negative".into()));
    }
    if a == b {
        return Ok(Value::TRUE);
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::FALSE);
    }
    let diff = (b - a).abs();
    Ok(Value::from_bool(
        diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs,
    ))
}

/// Exact sum of two doubles (|a| >= |b|).
fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let x = a + b;
    let z = x - a;
    (x, b - z)
}

/// Veltkamp split and Dekker's exact product.
fn split(x: f64) -> (f64, f64) {
    let t = x * 134_217_729.0;
    let hi = t - (t - x);
    (hi, x - hi)
}

fn two_mul(x: f64, y: f64) -> (f64, f64) {
    let (xh, xl) = split(x);
    let (yh, yl) = split(y);
    let p = xh * yh;
    let q = xh * yl + xl * yh;
    let z = p + q;
    (z, p - z + q + xl * yl)
}

/// CPython 3.11's `vector_norm`: a correctly rounded (almost always) Euclidean norm of
/// finite magnitudes whose maximum is `max`.
fn vector_norm(vec: &mut [f64], max: f64, found_nan: bool) -> f64 {
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || vec.len() <= 1 {
        return max;
    }
    let (_, max_e) = frexp_f(max);
    if max_e < -1023 {
        for x in vec.iter_mut() {
            *x /= f64::MIN_POSITIVE;
        }
        return f64::MIN_POSITIVE * vector_norm(vec, max / f64::MIN_POSITIVE, found_nan);
    }
    let scale = 2f64.powi(-max_e as i32);
    let (mut csum, mut frac1, mut frac2) = (1.0f64, 0.0f64, 0.0f64);
    for &x in vec.iter() {
        let x = x * scale;
        let (hi, lo) = two_mul(x, x);
        let (s, slo) = fast_two_sum(csum, hi);
        csum = s;
        frac1 += lo;
        frac2 += slo;
    }
    let mut h = (csum - 1.0 + (frac1 + frac2)).sqrt();
    let (hi, lo) = two_mul(-h, h);
    let (s, slo) = fast_two_sum(csum, hi);
    csum = s;
    frac1 += lo;
    frac2 += slo;
    let x = csum - 1.0 + (frac1 + frac2);
    h += x / (2.0 * h);
    h / scale
}

fn norm_of(mut vals: Vec<f64>) -> f64 {
    let mut max = 0.0f64;
    let mut nan = false;
    for x in vals.iter_mut() {
        *x = x.abs();
        nan |= x.is_nan();
        if *x > max {
            max = *x;
        }
    }
    vector_norm(&mut vals, max, nan)
}

fn hypot(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "hypot")?;
    let mut vals = Vec::with_capacity(args.pos.len());
    for v in args.pos {
        vals.push(real(vm, v)?);
    }
    Ok(Value::from_f64(norm_of(vals)))
}

fn coords(vm: &mut Vm, v: &Value, which: &str) -> PyResult<Vec<Value>> {
    match v.kind() {
        Some(ObjKind::Tuple(t)) => Ok(t.to_vec()),
        Some(ObjKind::List(l)) => Ok(l.borrow().clone()),
        _ => {
            let msg = format!(
                "dist() argument {which} must be tuple, not {}",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn dist(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "dist")?;
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(format!("dist expected 2 arguments, got {n}")));
    }
    let p = coords(vm, &args.pos[0], "1")?;
    let q = coords(vm, &args.pos[1], "2")?;
    if p.len() != q.len() {
        return Err(vm.value_error("both points must have the same number of dimensions".into()));
    }
    let mut vals = Vec::with_capacity(p.len());
    for (a, b) in p.iter().zip(&q) {
        let a = real(vm, a)?;
        let b = real(vm, b)?;
        vals.push(a - b);
    }
    Ok(Value::from_f64(norm_of(vals)))
}
