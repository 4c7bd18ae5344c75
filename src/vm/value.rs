//! `Value`, the 16-byte handle every Aio value travels in.
//!
//! Small immutable values (None, bool, int within i64, float) live inline; everything else is
//! an `Obj` behind a reference-counted pointer. Invariant: `Value::Null` never reaches script
//! code — it is CPython's NULL: an unbound local, an empty cell, the "no self" slot of a method
//! call. A `Bool` behaves as the int 0 or 1 everywhere an int is accepted.

use super::object::{Obj, ObjKind};
use std::rc::Rc;

/// A counted reference to a heap object.
pub type ObjRef = Rc<Obj>;

/// Any Aio value.
///
/// Every payload is one integer-class word at offset 8 behind a word-sized tag, so Rust
/// gives `Value` (and `PyResult`) a scalar-pair ABI: values travel in two registers and are
/// copied as two words. That is why a bool and a float are kept as [`Flag`] and
/// [`FloatBits`] rather than `bool` and `f64` (a float or byte payload would make the
/// enum an opaque 16-byte aggregate, copied through memory with stalls).
#[derive(Clone, Default)]
#[repr(u64)]
pub enum Value {
    /// Internal marker for "no value" (unbound local, empty cell, missing self).
    #[default]
    Null,
    None,
    Bool(Flag),
    /// An int that fits in 64 bits; larger ints are `ObjKind::BigInt` objects.
    Int(i64),
    Float(FloatBits),
    Obj(ObjRef),
}

/// A bool stored as a machine word (see [`Value`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct Flag(u64);

impl Flag {
    #[inline]
    pub const fn new(b: bool) -> Flag {
        Flag(b as u64)
    }

    #[inline]
    pub const fn get(self) -> bool {
        self.0 != 0
    }
}

/// An f64 stored as its bit pattern (see [`Value`]).
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct FloatBits(u64);

impl FloatBits {
    #[inline]
    pub const fn new(f: f64) -> FloatBits {
        FloatBits(f.to_bits())
    }

    #[inline]
    pub const fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
    pub const TRUE: Value = Value::Bool(Flag::new(true));
    pub const FALSE: Value = Value::Bool(Flag::new(false));

    /// The bool value `b`.
    #[inline]
    pub const fn from_bool(b: bool) -> Value {
        Value::Bool(Flag::new(b))
    }

    /// The float value `f`.
    #[inline]
    pub const fn from_f64(f: f64) -> Value {
        Value::Float(FloatBits::new(f))
    }

    /// Wraps a freshly built object.
    #[inline]
    pub fn obj(o: ObjRef) -> Value {
        Value::Obj(o)
    }

    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    #[inline]
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The heap object, if this value is one.
    #[inline]
    pub fn as_obj(&self) -> Option<&ObjRef> {
        match self {
            Value::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// The builtin payload of the heap object (looking through a subclass wrapper).
    #[inline]
    pub fn kind(&self) -> Option<&ObjKind> {
        match self {
            Value::Obj(o) => Some(o.payload()),
            _ => None,
        }
    }

    /// The text of a str value (or str subclass instance).
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self.kind() {
            Some(ObjKind::Str(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The value of a small int or bool.
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(b.get() as i64),
            _ => None,
        }
    }

    /// Identity, as Python's `is`.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            (Value::None, Value::None) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            // Small ints and floats are values here; CPython caches small ints, and two
            // equal floats produced separately are usually distinct objects. We treat equal
            // inline numbers as identical, which only differs for `x is y` on equal floats.
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.get().to_bits() == b.get().to_bits(),
            _ => false,
        }
    }

    /// A stable identity number for `id()` and default hashing.
    pub fn identity(&self) -> usize {
        match self {
            Value::Obj(o) => Rc::as_ptr(o) as *const u8 as usize,
            Value::None => 0x9e37_79b9,
            Value::Null => 0,
            Value::Bool(b) => 0x1000 + b.get() as usize,
            Value::Int(i) => (*i as usize).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            Value::Float(f) => (f.get().to_bits() as usize).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 3,
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::from_bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::from_f64(f)
    }
}

impl From<ObjRef> for Value {
    fn from(o: ObjRef) -> Value {
        Value::Obj(o)
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => write!(f, "<null>"),
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{}", if b.get() { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Obj(o) => write!(f, "<{}>", o.payload().kind_name()),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Option<Value>>() == 16);
