//! `random`: the `Random` class and the module-level functions bound to a hidden instance
//! seeded from the OS, over the ported generator and algorithms in [`super::mt19937`].
//!
//! Invariant: argument coercions and error checks happen in random.py's order, before or
//! after the same draws, so sequences and exceptions match CPython's for the same seed.

use super::mt19937::{Random, RandomError, RandomErrorKind, Seed, N};
use crate::types::int::int_of;
use crate::vm::object::{Args, ExtObject, Layout, NativeFn, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::cell::RefCell;

/// The payload of a `random.Random` instance.
pub struct RandomObj {
    pub rng: RefCell<Random>,
}

impl ExtObject for RandomObj {
    fn type_name(&self) -> &str {
        "Random"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

const METHODS: &[(&str, NativeFn)] = &[
    ("seed", seed),
    ("random", random),
    ("getrandbits", getrandbits),
    ("getstate", getstate),
    ("setstate", setstate),
    ("randrange", randrange),
    ("randint", randint),
    ("choice", choice),
    ("choices", choices),
    ("shuffle", shuffle),
    ("sample", sample),
    ("randbytes", randbytes),
    ("uniform", uniform),
    ("triangular", triangular),
    ("gauss", gauss),
    ("normalvariate", normalvariate),
    ("lognormvariate", lognormvariate),
    ("expovariate", expovariate),
    ("vonmisesvariate", vonmisesvariate),
    ("gammavariate", gammavariate),
    ("betavariate", betavariate),
    ("paretovariate", paretovariate),
    ("weibullvariate", weibullvariate),
];

/// Creates the `random` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "random");
    let object = vm.types.object.clone();
    let ty = make_type("Random", Some(&object), Layout::Object, true);
    let mname = vm.new_str("random");
    if let Some(t) = ty.as_type() {
        *t.module.borrow_mut() = mname;
    }
    vm.add_staticmethod(&ty, "__new__", random_new);
    vm.add_method(&ty, "__init__", random_init);
    vm.add_methods(&ty, METHODS);
    vm.dict_set_str(&d, "Random", Value::Obj(ty.clone()));
    let inst = Value::Obj(vm.alloc_instance(
        ty,
        ObjKind::Ext(Box::new(RandomObj {
            rng: RefCell::new(Random::new(Seed::None)),
        })),
    ));
    for (n, f) in METHODS {
        let unbound = vm.new_native(n, *f);
        let bound = match unbound.kind() {
            Some(ObjKind::Native(nf)) => vm.bind_native(nf, inst.clone()),
            _ => unbound,
        };
        vm.dict_set_str(&d, n, bound);
    }
    vm.dict_set_str(&d, "_inst", inst);
    m
}

fn rng_of<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a RefCell<Random>> {
    if let Some(ObjKind::Ext(e)) = v.kind() {
        if let Some(r) = e.as_any().downcast_ref::<RandomObj>() {
            return Ok(&r.rng);
        }
    }
    let msg = format!(
        "descriptor requires a 'random.Random' object but received a '{}'",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

fn err(vm: &mut Vm, e: RandomError) -> Exc {
    let name = match e.kind {
        RandomErrorKind::ValueError => "ValueError",
        RandomErrorKind::TypeError => "TypeError",
        RandomErrorKind::IndexError => "IndexError",
        RandomErrorKind::ZeroDivisionError => "ZeroDivisionError",
        RandomErrorKind::OverflowError => "OverflowError",
    };
    vm.new_exc_msg(name, e.message.into_owned())
}

/// Binds `self` plus parameters the way a Python method signature would, with CPython's
/// messages for missing and unexpected arguments.
fn bind<const K: usize>(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    names: [&str; K],
    required: usize,
    kwonly: usize,
) -> PyResult<[Option<Value>; K]> {
    let pos = &args.pos[1.min(args.pos.len())..];
    let positional = K - kwonly;
    if pos.len() > positional {
        let total = positional + 1;
        let given = pos.len() + 1;
        let takes = if required == positional {
            format!(
                "{total} positional argument{}",
                if total == 1 { "" } else { "s" }
            )
        } else {
            format!("from {} to {total} positional arguments", required + 1)
        };
        return Err(vm.type_error(format!(
            "Random.{name}() takes {takes} but {given} were given"
        )));
    }
    let mut out: [Option<Value>; K] = std::array::from_fn(|_| None);
    for (i, v) in pos.iter().enumerate() {
        out[i] = Some(v.clone());
    }
    for (k, v) in args.kwnames.iter().zip(args.kwvalues) {
        let k = k.as_str().unwrap_or("");
        match names.iter().position(|n| *n == k) {
            Some(i) if out[i].is_some() => {
                return Err(vm.type_error(format!(
                    "Random.{name}() got multiple values for argument '{k}'"
                )))
            }
            Some(i) => out[i] = Some(v.clone()),
            None => {
                return Err(vm.type_error(format!(
                    "Random.{name}() got an unexpected keyword argument '{k}'"
                )))
            }
        }
    }
    let missing: Vec<&str> = (0..required)
        .filter(|&i| out[i].is_none())
        .map(|i| names[i])
        .collect();
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match quoted.len() {
            1 => quoted[0].clone(),
            2 => format!("{} and {}", quoted[0], quoted[1]),
            n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        };
        let n = missing.len();
        return Err(vm.type_error(format!(
            "Random.{name}() missing {n} required positional argument{}: {list}",
            if n == 1 { "" } else { "s" }
        )));
    }
    Ok(out)
}

fn float_arg(vm: &mut Vm, v: Option<Value>, default: f64) -> PyResult<f64> {
    match v {
        None => Ok(default),
        Some(v) => super::math::real(vm, &v),
    }
}

// ----- construction and state -----------------------------------------------------------

fn seed_value(vm: &mut Vm, rng: &RefCell<Random>, a: &Value, version: i64) -> PyResult<()> {
    match a {
        Value::None => rng.borrow_mut().seed(Seed::None),
        Value::Float(f) => {
            let h = crate::hash::hash_float(f.get()).unwrap_or(0);
            rng.borrow_mut().seed(Seed::Hash(h));
        }
        _ => {
            if let Some(i) = int_of(a) {
                let b = i.big().into_owned();
                rng.borrow_mut().seed(Seed::Int(&b));
                return Ok(());
            }
            let bytes: Option<Vec<u8>> = match a.kind() {
                Some(ObjKind::Bytes(b)) => Some(b.to_vec()),
                Some(ObjKind::ByteArray(b)) => Some(b.borrow().clone()),
                _ => None,
            };
            if version == 1 {
                if let Some(s) = a.as_str() {
                    let cps: Vec<u32> = s.chars().map(|c| c as u32).collect();
                    rng.borrow_mut().seed_version1(&cps);
                    return Ok(());
                }
                if let Some(b) = &bytes {
                    let cps: Vec<u32> = b.iter().map(|&c| c as u32).collect();
                    rng.borrow_mut().seed_version1(&cps);
                    return Ok(());
                }
            }
            if let Some(s) = a.as_str() {
                rng.borrow_mut().seed(Seed::Str(s));
            } else if let Some(b) = &bytes {
                rng.borrow_mut().seed(Seed::Bytes(b));
            } else if let Some(f) = crate::types::float::float_of(a) {
                let h = crate::hash::hash_float(f).unwrap_or(0);
                rng.borrow_mut().seed(Seed::Hash(h));
            } else {
                return Err(vm.type_error(
                    "The only supported seed types are: None,\nint, float, str, bytes, and bytearray."
                        .into(),
                ));
            }
        }
    }
    Ok(())
}

fn random_new(vm: &mut Vm, args: Args) -> PyResult {
    let Some(Value::Obj(cls)) = args.pos.first().cloned() else {
        return Err(vm.type_error("Random.__new__(): not enough arguments".into()));
    };
    let obj = Value::Obj(vm.alloc_instance(
        cls.clone(),
        ObjKind::Ext(Box::new(RandomObj {
            rng: RefCell::new(Random::new(Seed::None)),
        })),
    ));
    let exact = cls.as_type().is_some_and(|t| t.builtin);
    if exact {
        if args.pos.len() > 2 {
            return Err(vm.type_error("Random() expected at most 1 argument, got 2".into()));
        }
        let a = args.pos.get(1).cloned().unwrap_or(Value::None);
        let rng = rng_of(vm, &obj)?;
        seed_value(vm, rng, &a, 2)?;
    }
    Ok(obj)
}

fn random_init(vm: &mut Vm, args: Args) -> PyResult {
    let [x] = bind(vm, &args, "__init__", ["x"], 0, 0)?;
    let me = args.pos[0].clone();
    let rng = rng_of(vm, &me)?;
    seed_value(vm, rng, &x.unwrap_or(Value::None), 2)?;
    Ok(Value::None)
}

fn seed(vm: &mut Vm, args: Args) -> PyResult {
    let [a, version] = bind(vm, &args, "seed", ["a", "version"], 0, 0)?;
    let version = match version {
        Some(v) => vm.index_value(&v)?,
        None => 2,
    };
    let rng = rng_of(vm, &args.pos[0])?;
    seed_value(vm, rng, &a.unwrap_or(Value::None), version)?;
    Ok(Value::None)
}

fn random(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "Random.random", 0, 0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().random();
    Ok(Value::from_f64(r))
}

fn getrandbits(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "Random.getrandbits", 1, 1)?;
    let k = vm.index_value(&args.pos[1])?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().getrandbits(k);
    match r {
        Ok(b) => Ok(vm.new_bigint(b)),
        Err(e) => Err(err(vm, e)),
    }
}

fn getstate(vm: &mut Vm, args: Args) -> PyResult {
    let [] = bind(vm, &args, "getstate", [], 0, 0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let st = rng.borrow().getstate();
    let mut words: Vec<Value> = st.words.iter().map(|&w| Value::Int(w as i64)).collect();
    words.push(Value::Int(st.index as i64));
    let words = vm.new_tuple(words);
    let g = st.gauss_next.map(Value::from_f64).unwrap_or(Value::None);
    Ok(vm.new_tuple(vec![Value::Int(3), words, g]))
}

fn setstate(vm: &mut Vm, args: Args) -> PyResult {
    let [state] = bind(vm, &args, "setstate", ["state"], 1, 0)?;
    let state = vm.collect_iterable(&state.expect("required"))?;
    let version = state.first().and_then(|v| v.as_i64()).unwrap_or(-1);
    if state.len() != 3 || (version != 3 && version != 2) {
        let v = match state.first() {
            Some(v) => vm.repr(v)?,
            None => "None".into(),
        };
        return Err(vm.value_error(format!(
            "state with version {v} passed to Random.setstate() of version 3"
        )));
    }
    let internal = match state[1].kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => return Err(vm.type_error("state vector must be a tuple".into())),
    };
    if internal.len() != N + 1 {
        return Err(vm.value_error("state vector is the wrong size".into()));
    }
    let mut words = [0u32; N];
    for (w, v) in words.iter_mut().zip(&internal) {
        let b = super::math::int_arg(vm, v)?;
        let m = b % BigInt::from(1u64 << 32);
        let m = if m < BigInt::zero() {
            m + (1u64 << 32)
        } else {
            m
        };
        *w = m.to_u32().unwrap_or(0);
    }
    let index = vm.index_value(&internal[N])?;
    let gauss = match &state[2] {
        Value::None => None,
        v => Some(super::math::real(vm, v)?),
    };
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().setstate(version, &words, index, gauss);
    r.map_err(|e| err(vm, e))?;
    Ok(Value::None)
}

// ----- integers ---------------------------------------------------------------------------

/// random.py's coercion of a randrange argument: `_index`, else an integral `int(x)`.
fn range_arg(vm: &mut Vm, v: &Value, what: &str) -> PyResult<BigInt> {
    if let Some(i) = int_of(v) {
        return Ok(i.big().into_owned());
    }
    match super::math::int_arg(vm, v) {
        Ok(b) => Ok(b),
        Err(e) if vm.exc_is(&e, "TypeError") => {
            let i = crate::types::int::to_int(vm, v)?;
            if !vm.eq(&i, v)? {
                return Err(vm.value_error(format!("non-integer {what} for randrange()")));
            }
            Ok(int_of(&i).map(|i| i.big().into_owned()).unwrap_or_default())
        }
        Err(e) => Err(e),
    }
}

fn randrange(vm: &mut Vm, args: Args) -> PyResult {
    let [start, stop, step] = bind(vm, &args, "randrange", ["start", "stop", "step"], 1, 0)?;
    let start = range_arg(vm, &start.expect("required"), "arg 1")?;
    let stop = match stop {
        None | Some(Value::None) => None,
        Some(v) => Some(range_arg(vm, &v, "stop")?),
    };
    let step = match step {
        None => BigInt::from(1),
        Some(v) => range_arg(vm, &v, "step")?,
    };
    let rng = rng_of(vm, &args.pos[0])?;
    let r = match (
        start.to_i64(),
        stop.as_ref().map(|s| s.to_i64()),
        step.to_i64(),
    ) {
        (Some(a), None, Some(c)) => rng.borrow_mut().randrange_i64(a, None, c).map(BigInt::from),
        (Some(a), Some(Some(b)), Some(c)) => rng
            .borrow_mut()
            .randrange_i64(a, Some(b), c)
            .map(BigInt::from),
        _ => rng.borrow_mut().randrange(&start, stop.as_ref(), &step),
    };
    match r {
        Ok(b) => Ok(vm.new_bigint(b)),
        Err(e) => Err(err(vm, e)),
    }
}

fn randint(vm: &mut Vm, args: Args) -> PyResult {
    let [a, b] = bind(vm, &args, "randint", ["a", "b"], 2, 0)?;
    let a = range_arg(vm, &a.expect("required"), "arg 1")?;
    let b = range_arg(vm, &b.expect("required"), "stop")?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = match (a.to_i64(), b.to_i64()) {
        (Some(x), Some(y)) => rng.borrow_mut().randint_i64(x, y).map(BigInt::from),
        _ => rng.borrow_mut().randint(&a, &b),
    };
    match r {
        Ok(b) => Ok(vm.new_bigint(b)),
        Err(e) => Err(err(vm, e)),
    }
}

fn randbytes(vm: &mut Vm, args: Args) -> PyResult {
    let [n] = bind(vm, &args, "randbytes", ["n"], 1, 0)?;
    let n = vm.index_value(&n.expect("required"))?;
    if n < 0 {
        return Err(vm.value_error("negative count".into()));
    }
    let rng = rng_of(vm, &args.pos[0])?;
    let b = rng.borrow_mut().randbytes(n as usize);
    Ok(vm.new_bytes(b))
}

// ----- sequences ------------------------------------------------------------------------

fn choice(vm: &mut Vm, args: Args) -> PyResult {
    let [seq] = bind(vm, &args, "choice", ["seq"], 1, 0)?;
    let seq = seq.expect("required");
    let n = vm.len(&seq)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let i = rng.borrow_mut().choice(n);
    let i = i.map_err(|e| err(vm, e))?;
    vm.get_item(&seq, &Value::Int(i as i64))
}

fn shuffle(vm: &mut Vm, args: Args) -> PyResult {
    let [x] = bind(vm, &args, "shuffle", ["x"], 1, 0)?;
    let x = x.expect("required");
    let rng = rng_of(vm, &args.pos[0])?;
    if let Some(ObjKind::List(l)) = x.kind() {
        // No Aio code runs while the list's items are permuted.
        let mut items = l.borrow().clone();
        rng.borrow_mut().shuffle(&mut items);
        *l.borrow_mut() = items;
        return Ok(Value::None);
    }
    let n = vm.len(&x)?;
    for i in (1..n).rev() {
        let j = rng.borrow_mut().randbelow(i as u64 + 1) as i64;
        let a = vm.get_item(&x, &Value::Int(i as i64))?;
        let b = vm.get_item(&x, &Value::Int(j))?;
        vm.set_item(&x, Value::Int(i as i64), b)?;
        vm.set_item(&x, Value::Int(j), a)?;
    }
    Ok(Value::None)
}

/// Items of a population that `sample` accepts (a sequence, not a set or dict).
fn population(vm: &mut Vm, p: &Value) -> PyResult<Vec<Value>> {
    let ok = matches!(
        p.kind(),
        Some(
            ObjKind::List(_)
                | ObjKind::Tuple(_)
                | ObjKind::Str(_)
                | ObjKind::Range(_)
                | ObjKind::Bytes(_)
                | ObjKind::ByteArray(_)
        )
    ) || (matches!(p, Value::Obj(o) if o.class.is_some())
        && vm.getattr_opt(p, "__getitem__")?.is_some()
        && vm.getattr_opt(p, "__len__")?.is_some()
        && !matches!(p.kind(), Some(ObjKind::Dict(_) | ObjKind::Set(_))));
    if !ok {
        return Err(vm.type_error(
            "Population must be a sequence.  For dicts or sets, use sorted(d).".into(),
        ));
    }
    let n = vm.len(p)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(vm.get_item(p, &Value::Int(i as i64))?);
    }
    Ok(out)
}

fn sample(vm: &mut Vm, args: Args) -> PyResult {
    let [pop, k, counts] = bind(vm, &args, "sample", ["population", "k", "counts"], 2, 1)?;
    let items = population(vm, &pop.expect("required"))?;
    let k = vm.index_value(&k.expect("required"))?;
    let rng = rng_of(vm, &args.pos[0])?;
    let picked = match counts {
        None | Some(Value::None) => rng.borrow_mut().sample(items.len(), k),
        Some(c) => {
            let cs = vm.collect_iterable(&c)?;
            let mut counts = Vec::with_capacity(cs.len());
            for v in &cs {
                counts.push(vm.index_value(v)?);
            }
            rng.borrow_mut().sample_counts(items.len(), &counts, k)
        }
    };
    let picked = picked.map_err(|e| err(vm, e))?;
    let out: Vec<Value> = picked.into_iter().map(|i| items[i].clone()).collect();
    Ok(vm.new_list(out))
}

fn choices(vm: &mut Vm, args: Args) -> PyResult {
    let [pop, weights, cum, k] = bind(
        vm,
        &args,
        "choices",
        ["population", "weights", "cum_weights", "k"],
        1,
        2,
    )?;
    let pop = pop.expect("required");
    let n = vm.len(&pop)?;
    let k = match k {
        Some(v) => vm.index_value(&v)?.max(0) as usize,
        None => 1,
    };
    let weights = weights.filter(|w| !w.is_none());
    let cum = cum.filter(|w| !w.is_none());
    let rng = rng_of(vm, &args.pos[0])?;
    let idx = match (weights, cum) {
        (None, None) => rng.borrow_mut().choices(n, k),
        (Some(w), None) => {
            let ws = match vm.collect_iterable(&w) {
                Ok(ws) => ws,
                Err(e) if vm.exc_is(&e, "TypeError") && int_of(&w).is_some() => {
                    let k = vm.repr(&w)?;
                    return Err(vm.type_error(format!(
                        "The number of choices must be a keyword argument: k={k}"
                    )));
                }
                Err(e) => return Err(e),
            };
            let mut fs = Vec::with_capacity(ws.len());
            for v in &ws {
                fs.push(super::math::real(vm, v)?);
            }
            let cw = super::mt19937::dist::accumulate(&fs);
            let r = rng.borrow_mut().choices_cum_weights(n, &cw, k);
            r.map_err(|e| err(vm, e))?
        }
        (None, Some(c)) => {
            let ws = vm.collect_iterable(&c)?;
            let mut fs = Vec::with_capacity(ws.len());
            for v in &ws {
                fs.push(super::math::real(vm, v)?);
            }
            let r = rng.borrow_mut().choices_cum_weights(n, &fs, k);
            r.map_err(|e| err(vm, e))?
        }
        (Some(_), Some(_)) => {
            return Err(vm.type_error("Cannot specify both weights and cumulative weights".into()))
        }
    };
    let mut out = Vec::with_capacity(idx.len());
    for i in idx {
        out.push(vm.get_item(&pop, &Value::Int(i as i64))?);
    }
    Ok(vm.new_list(out))
}

// ----- distributions --------------------------------------------------------------------

fn uniform(vm: &mut Vm, args: Args) -> PyResult {
    let [a, b] = bind(vm, &args, "uniform", ["a", "b"], 2, 0)?;
    let a = float_arg(vm, a, 0.0)?;
    let b = float_arg(vm, b, 0.0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().uniform(a, b);
    Ok(Value::from_f64(r))
}

fn triangular(vm: &mut Vm, args: Args) -> PyResult {
    let [low, high, mode] = bind(vm, &args, "triangular", ["low", "high", "mode"], 0, 0)?;
    let low_v = low.clone().unwrap_or(Value::from_f64(0.0));
    let lo = float_arg(vm, low, 0.0)?;
    let hi = float_arg(vm, high, 1.0)?;
    let mode = match mode {
        None | Some(Value::None) => None,
        Some(v) => Some(super::math::real(vm, &v)?),
    };
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().triangular(lo, hi, mode);
    Ok(match r {
        Some(x) => Value::from_f64(x),
        None => low_v,
    })
}

fn gauss(vm: &mut Vm, args: Args) -> PyResult {
    let [mu, sigma] = bind(vm, &args, "gauss", ["mu", "sigma"], 0, 0)?;
    let mu = float_arg(vm, mu, 0.0)?;
    let sigma = float_arg(vm, sigma, 1.0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().gauss(mu, sigma);
    Ok(Value::from_f64(r))
}

fn normalvariate(vm: &mut Vm, args: Args) -> PyResult {
    let [mu, sigma] = bind(vm, &args, "normalvariate", ["mu", "sigma"], 0, 0)?;
    let mu = float_arg(vm, mu, 0.0)?;
    let sigma = float_arg(vm, sigma, 1.0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().normalvariate(mu, sigma);
    Ok(Value::from_f64(r))
}

macro_rules! two_param {
    ($name:ident, $a:literal, $b:literal) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            let [a, b] = bind(vm, &args, stringify!($name), [$a, $b], 2, 0)?;
            let a = float_arg(vm, a, 0.0)?;
            let b = float_arg(vm, b, 0.0)?;
            let rng = rng_of(vm, &args.pos[0])?;
            let r = rng.borrow_mut().$name(a, b);
            match r {
                Ok(x) => Ok(Value::from_f64(x)),
                Err(e) => Err(err(vm, e)),
            }
        }
    };
}

two_param!(lognormvariate, "mu", "sigma");
two_param!(vonmisesvariate, "mu", "kappa");
two_param!(gammavariate, "alpha", "beta");
two_param!(betavariate, "alpha", "beta");
two_param!(weibullvariate, "alpha", "beta");

fn expovariate(vm: &mut Vm, args: Args) -> PyResult {
    let [l] = bind(vm, &args, "expovariate", ["lambd"], 1, 0)?;
    let l = float_arg(vm, l, 1.0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().expovariate(l);
    r.map(Value::from_f64).map_err(|e| err(vm, e))
}

fn paretovariate(vm: &mut Vm, args: Args) -> PyResult {
    let [a] = bind(vm, &args, "paretovariate", ["alpha"], 1, 0)?;
    let a = float_arg(vm, a, 1.0)?;
    let rng = rng_of(vm, &args.pos[0])?;
    let r = rng.borrow_mut().paretovariate(a);
    r.map(Value::from_f64).map_err(|e| err(vm, e))
}
