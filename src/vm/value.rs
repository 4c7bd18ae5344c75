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
/// A word-sized tag puts every payload (the bool included) at offset 8, so moving a value is
/// two aligned words rather than a byte-granular copy that defeats store forwarding.
#[derive(Clone, Default)]
#[repr(u64)]
pub enum Value {
    /// Internal marker for "no value" (unbound local, empty cell, missing self).
    #[default]
    Null,
    None,
    Bool(bool),
    /// An int that fits in 64 bits; larger ints are `ObjKind::BigInt` objects.
    Int(i64),
    Float(f64),
    Obj(ObjRef),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
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
            Value::Bool(b) => Some(*b as i64),
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
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }

    /// A stable identity number for `id()` and default hashing.
    pub fn identity(&self) -> usize {
        match self {
            Value::Obj(o) => Rc::as_ptr(o) as *const u8 as usize,
            Value::None => 0x9e37_79b9,
            Value::Null => 0,
            Value::Bool(b) => 0x1000 + *b as usize,
            Value::Int(i) => (*i as usize).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            Value::Float(f) => (f.to_bits() as usize).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 3,
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
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
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
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Obj(o) => write!(f, "<{}>", o.payload().kind_name()),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Option<Value>>() == 16);
