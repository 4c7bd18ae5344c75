//! Conversions between Rust values and script values: `FromScript` (script → Rust, with
//! python3-style TypeErrors) and `IntoScript` (Rust → script), plus `Dynamic`, an owned,
//! thread-safe copy of a plain script value.
//!
//! Invariant: no conversion hands the host an owned script object. Script values cross the
//! boundary only as copies (`Dynamic`, numbers, strings, containers) or as `Raw` handles
//! (indices into an engine-owned arena), which is what lets an `Engine` move between threads.

use super::error::Error;
use super::Ctx;
use crate::vm::object::ObjKind;
use crate::vm::value::Value;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// A script value borrowed for the duration of a conversion. Only conversions can look at it.
pub struct ScriptRef<'r>(pub(crate) &'r Value);

/// A converted script value, ready to be handed to the script.
pub struct Converted(pub(crate) Value);

/// Why a script value could not become the Rust type asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConvError {
    /// Expected an integer (`'str' object cannot be interpreted as an integer`).
    Int(String),
    /// Expected a float (`must be real number, not str`).
    Float(String),
    /// Expected some other type: what was expected and the type name found.
    Expected(&'static str, String),
    /// A message used as is (overflow, wrong tuple length...), with its exception class.
    Other(&'static str, String),
}

impl ConvError {
    /// The exception class and message for argument `index` (1-based) of function `func`;
    /// `single` when the function takes one argument (CPython then omits the number).
    pub fn message(&self, func: &str, index: usize, single: bool) -> (&'static str, String) {
        match self {
            ConvError::Int(t) => (
                "TypeError",
                format!("'{t}' object cannot be interpreted as an integer"),
            ),
            ConvError::Float(t) => ("TypeError", format!("must be real number, not {t}")),
            ConvError::Expected(what, t) if single => (
                "TypeError",
                format!("{func}() argument must be {what}, not {t}"),
            ),
            ConvError::Expected(what, t) => (
                "TypeError",
                format!("{func}() argument {index} must be {what}, not {t}"),
            ),
            ConvError::Other(cls, m) => (cls, m.clone()),
        }
    }
}

/// A Rust type that can be made from a script value.
pub trait FromScript: Sized {
    /// Converts `v`.
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError>;

    /// The value of an omitted trailing argument, for types that allow omission (`Option`).
    fn missing() -> Option<Self> {
        None
    }
}

/// A Rust value that can become a script value.
pub trait IntoScript {
    /// Converts `self`.
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error>;
}

/// An owned, `Send` copy of a plain script value: what crosses threads and outlives runs.
///
/// ```
/// use aio::embed::{Dynamic, Engine};
/// let mut engine = Engine::new();
/// let d: Dynamic = engine.eval("[1, 'two', (3.0, None)]").unwrap();
/// assert_eq!(d.to_string(), "[1, 'two', (3.0, None)]");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Dynamic {
    None,
    Bool(bool),
    Int(i64),
    /// An int beyond 64 bits, in decimal.
    BigInt(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Dynamic>),
    Tuple(Vec<Dynamic>),
    /// A dict, in insertion order.
    Dict(Vec<(Dynamic, Dynamic)>),
}

impl std::fmt::Display for Dynamic {
    /// Formats like Python's `repr` for the common cases.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn seq(f: &mut std::fmt::Formatter<'_>, items: &[Dynamic]) -> std::fmt::Result {
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{x}")?;
            }
            Ok(())
        }
        match self {
            Dynamic::None => write!(f, "None"),
            Dynamic::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Dynamic::Int(i) => write!(f, "{i}"),
            Dynamic::BigInt(s) => write!(f, "{s}"),
            Dynamic::Float(x) => write!(f, "{}", crate::fmt::float_repr(*x)),
            Dynamic::Str(s) => write!(f, "{}", crate::fmt::str_repr(s)),
            Dynamic::Bytes(b) => write!(f, "{}", crate::fmt::bytes_repr(b)),
            Dynamic::List(items) => {
                write!(f, "[")?;
                seq(f, items)?;
                write!(f, "]")
            }
            Dynamic::Tuple(items) => {
                write!(f, "(")?;
                seq(f, items)?;
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            Dynamic::Dict(items) => {
                write!(f, "{{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

fn type_name(cx: &mut Ctx<'_>, v: &Value) -> String {
    cx.vm.type_name(v).to_string()
}

impl Ctx<'_> {
    /// Converts a script value reference into `T`.
    pub fn convert<T: FromScript>(&mut self, v: ScriptRef<'_>) -> Result<T, ConvError> {
        T::from_script(self, v)
    }

    /// Converts a Rust value for the script.
    pub fn to_script<T: IntoScript>(&mut self, v: T) -> Result<Converted, Error> {
        v.into_script(self)
    }
}

macro_rules! int_conv {
    ($($t:ty),*) => {$(
        impl FromScript for $t {
            fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
                let i: i128 = match v.0 {
                    Value::Int(i) => *i as i128,
                    Value::Bool(b) => b.get() as i128,
                    Value::Obj(_) => match v.0.kind() {
                        Some(ObjKind::BigInt(b)) => {
                            num_traits::ToPrimitive::to_i128(b).unwrap_or(i128::MAX)
                        }
                        _ => return Err(ConvError::Int(type_name(cx, v.0))),
                    },
                    _ => return Err(ConvError::Int(type_name(cx, v.0))),
                };
                <$t>::try_from(i).map_err(|_| ConvError::Other(
                    "OverflowError",
                    format!("Python int too large to convert to Rust {}", stringify!($t)),
                ))
            }
        }
        impl IntoScript for $t {
            fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
                let i = self as i128;
                Ok(Converted(match i64::try_from(i) {
                    Ok(x) => Value::Int(x),
                    Err(_) => cx.vm.new_bigint(num_bigint::BigInt::from(i)),
                }))
            }
        }
    )*};
}
int_conv!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl FromScript for f64 {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        match v.0 {
            Value::Float(f) => Ok(f.get()),
            Value::Int(i) => Ok(*i as f64),
            Value::Bool(b) => Ok(b.get() as i64 as f64),
            _ => match v.0.kind() {
                Some(ObjKind::BigInt(b)) => {
                    Ok(num_traits::ToPrimitive::to_f64(b).unwrap_or(f64::INFINITY))
                }
                _ => Err(ConvError::Float(type_name(cx, v.0))),
            },
        }
    }
}

impl IntoScript for f64 {
    fn into_script(self, _cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(Value::from_f64(self)))
    }
}

impl FromScript for f32 {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        f64::from_script(cx, v).map(|f| f as f32)
    }
}

impl IntoScript for f32 {
    fn into_script(self, _cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(Value::from_f64(self as f64)))
    }
}

impl FromScript for bool {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        match v.0 {
            Value::Bool(b) => Ok(b.get()),
            Value::Int(i) => Ok(*i != 0),
            _ => Err(ConvError::Expected("bool", type_name(cx, v.0))),
        }
    }
}

impl IntoScript for bool {
    fn into_script(self, _cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(Value::from_bool(self)))
    }
}

impl FromScript for String {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        match v.0.as_str() {
            Some(s) => Ok(s.to_string()),
            None => Err(ConvError::Expected("str", type_name(cx, v.0))),
        }
    }
}

impl IntoScript for String {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(cx.vm.new_str(self)))
    }
}

impl IntoScript for &str {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(cx.vm.new_str(self)))
    }
}

impl IntoScript for () {
    fn into_script(self, _cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(Value::None))
    }
}

impl FromScript for () {
    fn from_script(_cx: &mut Ctx<'_>, _v: ScriptRef<'_>) -> Result<Self, ConvError> {
        Ok(())
    }
}

impl<T: FromScript> FromScript for Option<T> {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        if v.0.is_none() {
            return Ok(None);
        }
        T::from_script(cx, v).map(Some)
    }
    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: IntoScript> IntoScript for Option<T> {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        match self {
            Some(x) => x.into_script(cx),
            None => Ok(Converted(Value::None)),
        }
    }
}

impl<T: IntoScript, E: Into<Error>> IntoScript for Result<T, E> {
    /// `Err` is raised in the script as the exception it describes.
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        match self {
            Ok(x) => x.into_script(cx),
            Err(e) => Err(e.into()),
        }
    }
}

/// The items of a list or tuple.
fn seq_items(v: &Value) -> Option<Vec<Value>> {
    match v.kind()? {
        ObjKind::List(l) => Some(l.borrow().clone()),
        ObjKind::Tuple(t) => Some(t.to_vec()),
        _ => None,
    }
}

impl<T: FromScript> FromScript for Vec<T> {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        let Some(items) = seq_items(v.0) else {
            return Err(ConvError::Expected("list", type_name(cx, v.0)));
        };
        items
            .iter()
            .map(|x| T::from_script(cx, ScriptRef(x)))
            .collect()
    }
}

impl<T: IntoScript> IntoScript for Vec<T> {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        let mut out = Vec::with_capacity(self.len());
        for x in self {
            out.push(x.into_script(cx)?.0);
        }
        Ok(Converted(cx.vm.new_list(out)))
    }
}

fn dict_items(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v.kind()? {
        ObjKind::Dict(d) => Some(
            d.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn new_dict(cx: &mut Ctx<'_>, items: Vec<(Value, Value)>) -> Result<Converted, Error> {
    let d = cx.vm.new_dict_obj();
    for (k, v) in items {
        if let Err(e) = cx.vm.dict_set(&d, k, v) {
            return Err(Error::from_exc(cx.vm, &e));
        }
    }
    Ok(Converted(Value::Obj(d)))
}

impl<K: FromScript + Eq + Hash, V: FromScript> FromScript for HashMap<K, V> {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        let Some(items) = dict_items(v.0) else {
            return Err(ConvError::Expected("dict", type_name(cx, v.0)));
        };
        let mut out = HashMap::with_capacity(items.len());
        for (k, x) in items {
            out.insert(
                K::from_script(cx, ScriptRef(&k))?,
                V::from_script(cx, ScriptRef(&x))?,
            );
        }
        Ok(out)
    }
}

impl<K: IntoScript, V: IntoScript> IntoScript for HashMap<K, V> {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        let mut items = Vec::with_capacity(self.len());
        for (k, v) in self {
            items.push((k.into_script(cx)?.0, v.into_script(cx)?.0));
        }
        new_dict(cx, items)
    }
}

impl<K: FromScript + Ord, V: FromScript> FromScript for BTreeMap<K, V> {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        let Some(items) = dict_items(v.0) else {
            return Err(ConvError::Expected("dict", type_name(cx, v.0)));
        };
        let mut out = BTreeMap::new();
        for (k, x) in items {
            out.insert(
                K::from_script(cx, ScriptRef(&k))?,
                V::from_script(cx, ScriptRef(&x))?,
            );
        }
        Ok(out)
    }
}

impl<K: IntoScript, V: IntoScript> IntoScript for BTreeMap<K, V> {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        let mut items = Vec::with_capacity(self.len());
        for (k, v) in self {
            items.push((k.into_script(cx)?.0, v.into_script(cx)?.0));
        }
        new_dict(cx, items)
    }
}

macro_rules! tuple_conv {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<$($t: FromScript),*> FromScript for ($($t,)*) {
            fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
                let Some(items) = seq_items(v.0) else {
                    return Err(ConvError::Expected("tuple", type_name(cx, v.0)));
                };
                if items.len() != $n {
                    return Err(ConvError::Other("ValueError", format!(
                        "expected a sequence of length {}, got {}", $n, items.len())));
                }
                Ok(($($t::from_script(cx, ScriptRef(&items[$i]))?,)*))
            }
        }
        impl<$($t: IntoScript),*> IntoScript for ($($t,)*) {
            fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
                let items = vec![$(self.$i.into_script(cx)?.0),*];
                Ok(Converted(cx.vm.new_tuple(items)))
            }
        }
    };
}
tuple_conv!(1; A 0);
tuple_conv!(2; A 0, B 1);
tuple_conv!(3; A 0, B 1, C 2);
tuple_conv!(4; A 0, B 1, C 2, D 3);
tuple_conv!(5; A 0, B 1, C 2, D 3, E 4);

impl FromScript for Dynamic {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        to_dynamic(cx, v.0, 0)
    }
}

fn to_dynamic(cx: &mut Ctx<'_>, v: &Value, depth: usize) -> Result<Dynamic, ConvError> {
    if depth > 200 {
        return Err(ConvError::Other(
            "RecursionError",
            "maximum recursion depth exceeded while converting".into(),
        ));
    }
    let many = |cx: &mut Ctx<'_>, items: &[Value]| -> Result<Vec<Dynamic>, ConvError> {
        items.iter().map(|x| to_dynamic(cx, x, depth + 1)).collect()
    };
    Ok(match v {
        Value::None | Value::Null => Dynamic::None,
        Value::Bool(b) => Dynamic::Bool(b.get()),
        Value::Int(i) => Dynamic::Int(*i),
        Value::Float(f) => Dynamic::Float(f.get()),
        Value::Obj(_) => match v.kind() {
            Some(ObjKind::Str(s)) => Dynamic::Str(s.as_str().to_string()),
            Some(ObjKind::BigInt(b)) => Dynamic::BigInt(b.to_string()),
            Some(ObjKind::Bytes(b)) => Dynamic::Bytes(b.to_vec()),
            Some(ObjKind::ByteArray(b)) => Dynamic::Bytes(b.borrow().clone()),
            Some(ObjKind::List(l)) => {
                let items = l.borrow().clone();
                Dynamic::List(many(cx, &items)?)
            }
            Some(ObjKind::Tuple(t)) => {
                let items = t.to_vec();
                Dynamic::Tuple(many(cx, &items)?)
            }
            Some(ObjKind::Dict(_)) => {
                let mut out = Vec::new();
                for (k, x) in dict_items(v).unwrap_or_default() {
                    out.push((
                        to_dynamic(cx, &k, depth + 1)?,
                        to_dynamic(cx, &x, depth + 1)?,
                    ));
                }
                Dynamic::Dict(out)
            }
            _ => {
                return Err(ConvError::Other(
                    "TypeError",
                    format!(
                        "cannot convert '{}' object to a host value",
                        type_name(cx, v)
                    ),
                ))
            }
        },
    })
}

impl IntoScript for Dynamic {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        Ok(Converted(match self {
            Dynamic::None => Value::None,
            Dynamic::Bool(b) => Value::from_bool(b),
            Dynamic::Int(i) => Value::Int(i),
            Dynamic::BigInt(s) => match s.parse::<num_bigint::BigInt>() {
                Ok(b) => cx.vm.new_bigint(b),
                Err(_) => return Err(Error::conversion(format!("bad integer {s:?}"))),
            },
            Dynamic::Float(f) => Value::from_f64(f),
            Dynamic::Str(s) => cx.vm.new_str(s),
            Dynamic::Bytes(b) => cx.vm.new_bytes(b),
            Dynamic::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(x.into_script(cx)?.0);
                }
                cx.vm.new_list(out)
            }
            Dynamic::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(x.into_script(cx)?.0);
                }
                cx.vm.new_tuple(out)
            }
            Dynamic::Dict(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, x) in items {
                    out.push((k.into_script(cx)?.0, x.into_script(cx)?.0));
                }
                return new_dict(cx, out);
            }
        }))
    }
}

/// A handle to any script value, valid while the native call (or host call) that produced it
/// runs: an index into the engine's arena, never the object itself. Use it to pass objects
/// the host does not need to look inside (callbacks, instances) back to the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw {
    pub(crate) engine: u64,
    pub(crate) slot: u32,
    pub(crate) generation: u32,
}

impl FromScript for Raw {
    fn from_script(cx: &mut Ctx<'_>, v: ScriptRef<'_>) -> Result<Self, ConvError> {
        Ok(super::state(cx.vm).arena_put(v.0.clone()))
    }
}

impl IntoScript for Raw {
    fn into_script(self, cx: &mut Ctx<'_>) -> Result<Converted, Error> {
        match super::state(cx.vm).arena_get(self) {
            Some(v) => Ok(Converted(v)),
            None => Err(Error::conversion(
                "stale Raw handle: it outlived the call that produced it".into(),
            )),
        }
    }
}

/// Arguments for calling a script function from the host: tuples of `IntoScript` values, or a
/// `Vec<Dynamic>`.
pub trait IntoArgs {
    /// Converts every argument.
    fn into_args(self, cx: &mut Ctx<'_>) -> Result<Vec<Value>, Error>;
}

impl IntoArgs for () {
    fn into_args(self, _cx: &mut Ctx<'_>) -> Result<Vec<Value>, Error> {
        Ok(Vec::new())
    }
}

impl IntoArgs for Vec<Dynamic> {
    fn into_args(self, cx: &mut Ctx<'_>) -> Result<Vec<Value>, Error> {
        self.into_iter()
            .map(|d| d.into_script(cx).map(|c| c.0))
            .collect()
    }
}

macro_rules! args_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: IntoScript),*> IntoArgs for ($($t,)*) {
            fn into_args(self, cx: &mut Ctx<'_>) -> Result<Vec<Value>, Error> {
                Ok(vec![$(self.$i.into_script(cx)?.0),*])
            }
        }
    };
}
args_tuple!(A 0);
args_tuple!(A 0, B 1);
args_tuple!(A 0, B 1, C 2);
args_tuple!(A 0, B 1, C 2, D 3);
args_tuple!(A 0, B 1, C 2, D 3, E 4);
args_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
