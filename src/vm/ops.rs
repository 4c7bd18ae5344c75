//! Operator protocols: binary and unary operators, rich comparison, truth, membership,
//! subscription and hashing, with CPython's dispatch rules (reflected operands, subclass
//! priority, `NotImplemented`) and its error messages.
//! Invariant: builtin operand pairs are handled natively first; user dunders are called only
//! when a user class is involved.

use super::object::{ObjKind, StrObj};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::types;

/// The method names of a binary operator: (normal, reflected, in-place).
pub fn binop_names(op: BinOp) -> (&'static str, &'static str, &'static str) {
    match op {
        BinOp::Add => ("__add__", "__radd__", "__iadd__"),
        BinOp::Sub => ("__sub__", "__rsub__", "__isub__"),
        BinOp::Mult => ("__mul__", "__rmul__", "__imul__"),
        BinOp::MatMult => ("__matmul__", "__rmatmul__", "__imatmul__"),
        BinOp::Div => ("__truediv__", "__rtruediv__", "__itruediv__"),
        BinOp::Mod => ("__mod__", "__rmod__", "__imod__"),
        BinOp::Pow => ("__pow__", "__rpow__", "__ipow__"),
        BinOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
        BinOp::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
        BinOp::BitOr => ("__or__", "__ror__", "__ior__"),
        BinOp::BitXor => ("__xor__", "__rxor__", "__ixor__"),
        BinOp::BitAnd => ("__and__", "__rand__", "__iand__"),
        BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
    }
}

/// The method names of a comparison: (normal, reflected).
pub fn cmp_names(op: CmpKind) -> (&'static str, &'static str) {
    match op {
        CmpKind::Lt => ("__lt__", "__gt__"),
        CmpKind::Le => ("__le__", "__ge__"),
        CmpKind::Eq => ("__eq__", "__eq__"),
        CmpKind::Ne => ("__ne__", "__ne__"),
        CmpKind::Gt => ("__gt__", "__lt__"),
        CmpKind::Ge => ("__ge__", "__le__"),
    }
}

/// True when `v` is a builtin value (not an instance of a user class).
#[inline]
pub(crate) fn is_builtin(v: &Value) -> bool {
    match v {
        Value::Obj(o) => o.class.is_none(),
        _ => true,
    }
}

impl Vm {
    /// `a op b`.
    pub fn binary_op(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult {
        // str + str (string building) before the numeric cases.
        if let (BinOp::Add, Value::Obj(x), Value::Obj(y)) = (op, a, b) {
            if let (None, None, ObjKind::Str(p), ObjKind::Str(q)) =
                (&x.class, &y.class, &x.kind, &y.kind)
            {
                return Ok(types::str::concat(self, p, q));
            }
        }
        if is_builtin(a) && is_builtin(b) {
            if let Some(r) = types::builtin_binop(self, op, a, b) {
                return r;
            }
            return Err(self.unsupported_operands(op, a, b));
        }
        let (lname, rname, _) = binop_names(op);
        match self.binary_protocol(a, b, lname, rname)? {
            Some(v) => Ok(v),
            None if op == BinOp::Mult => self.sequence_repeat(a, b),
            None => Err(self.unsupported_operands(op, a, b)),
        }
    }

    /// CPython's last resort for `*` when neither operand's number methods apply: a builtin
    /// sequence repeated by anything with `__index__`.
    fn sequence_repeat(&mut self, a: &Value, b: &Value) -> PyResult {
        let is_seq = |v: &Value| {
            is_builtin(v)
                && matches!(
                    v.kind(),
                    Some(
                        ObjKind::Str(_)
                            | ObjKind::List(_)
                            | ObjKind::Tuple(_)
                            | ObjKind::Bytes(_)
                            | ObjKind::ByteArray(_)
                    )
                )
        };
        let (seq, n) = if is_seq(a) {
            (a, b)
        } else if is_seq(b) {
            (b, a)
        } else {
            return Err(self.unsupported_operands(BinOp::Mult, a, b));
        };
        let ty = self.type_of(n).clone();
        let idx = self.intern("__index__");
        if self.lookup_type(&ty, &idx).is_none() {
            let msg = format!(
                "can't multiply sequence by non-int of type '{}'",
                self.type_name(n)
            );
            return Err(self.type_error(msg));
        }
        let count = Value::Int(self.index_value(n)?);
        self.binary_op(seq, &count, BinOp::Mult)
    }

    /// Tries `a.lname(b)` and `b.rname(a)` in CPython's order; None when both decline.
    pub(crate) fn binary_protocol(
        &mut self,
        a: &Value,
        b: &Value,
        lname: &str,
        rname: &str,
    ) -> PyResult<Option<Value>> {
        let ta = self.type_of(a).clone();
        let tb = self.type_of(b).clone();
        let ln = self.intern(lname);
        let rn = self.intern(rname);
        let slot_a = self.lookup_type(&ta, &ln);
        let same = std::rc::Rc::ptr_eq(&ta, &tb);
        let mut slot_b = if same {
            None
        } else {
            self.lookup_type(&tb, &rn)
        };
        if let (Some(_), Some(sb)) = (&slot_b, &slot_a) {
            let _ = sb;
        }
        if let Some(sa) = slot_a {
            if let Some(sb) = slot_b.clone() {
                if self.is_subclass(&tb, &ta) && !self.same_slot(&sa, &sb) {
                    let r = self.call_slot(sb, b, a)?;
                    if !self.is_not_implemented(&r) {
                        return Ok(Some(r));
                    }
                    slot_b = None;
                }
            }
            let r = self.call_slot(sa, a, b)?;
            if !self.is_not_implemented(&r) {
                return Ok(Some(r));
            }
        }
        if let Some(sb) = slot_b {
            let r = self.call_slot(sb, b, a)?;
            if !self.is_not_implemented(&r) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    fn same_slot(&self, a: &Value, b: &Value) -> bool {
        a.is(b)
    }

    fn call_slot(&mut self, f: Value, this: &Value, other: &Value) -> PyResult {
        match f.kind() {
            Some(ObjKind::Function(_)) | Some(ObjKind::Native(_)) => {
                self.call(&f, &[this.clone(), other.clone()])
            }
            _ => {
                let ty = self.type_of(this).clone();
                let bound = self.bind_descriptor(f, this, &ty)?;
                self.call(&bound, std::slice::from_ref(other))
            }
        }
    }

    fn unsupported_operands(&mut self, op: BinOp, a: &Value, b: &Value) -> Exc {
        let sym = if op == BinOp::Pow {
            "** or pow()".to_string()
        } else {
            op.symbol().to_string()
        };
        if op == BinOp::Mod {
            if let Some(ObjKind::Str(_)) = a.kind() {
                // str % x only fails inside formatting.
            }
        }
        let msg = format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            sym,
            self.type_name(a),
            self.type_name(b)
        );
        self.type_error(msg)
    }

    /// `a op= b`: the in-place method first, then the plain operator.
    pub fn inplace_op(&mut self, a: Value, b: &Value, op: BinOp) -> PyResult {
        if is_builtin(&a) {
            if let Some(r) = types::builtin_inplace(self, op, &a, b) {
                return r;
            }
            if is_builtin(b) {
                return self.binary_op(&a, b, op);
            }
        } else {
            let (_, _, iname) = binop_names(op);
            let ta = self.type_of(&a).clone();
            let n = self.intern(iname);
            if let Some(f) = self.lookup_type(&ta, &n) {
                let r = self.call_slot(f, &a, b)?;
                if !self.is_not_implemented(&r) {
                    return Ok(r);
                }
            }
        }
        let (lname, rname, _) = binop_names(op);
        match self.binary_protocol(&a, b, lname, rname)? {
            Some(v) => Ok(v),
            None => {
                let sym = if op == BinOp::Pow {
                    "**=".to_string()
                } else {
                    format!("{}=", op.symbol())
                };
                let msg = format!(
                    "unsupported operand type(s) for {}: '{}' and '{}'",
                    sym,
                    self.type_name(&a),
                    self.type_name(b)
                );
                Err(self.type_error(msg))
            }
        }
    }

    fn unary(&mut self, v: &Value, name: &str, sym: &str) -> PyResult {
        if is_builtin(v) {
            if let Some(r) = types::builtin_unary(self, name, v) {
                return r;
            }
        }
        let ty = self.type_of(v).clone();
        let n = self.intern(name);
        match self.lookup_type(&ty, &n) {
            Some(f) => {
                let f = self.bind_descriptor(f, v, &ty)?;
                self.call(&f, &[])
            }
            None => {
                let msg = format!(
                    "bad operand type for unary {}: '{}'",
                    sym,
                    self.type_name(v)
                );
                Err(self.type_error(msg))
            }
        }
    }

    pub fn unary_neg(&mut self, v: &Value) -> PyResult {
        self.unary(v, "__neg__", "-")
    }

    pub fn unary_pos(&mut self, v: &Value) -> PyResult {
        self.unary(v, "__pos__", "+")
    }

    pub fn unary_invert(&mut self, v: &Value) -> PyResult {
        self.unary(v, "__invert__", "~")
    }

    /// Rich comparison `a op b`.
    pub fn compare(&mut self, a: &Value, b: &Value, op: CmpKind) -> PyResult {
        if is_builtin(a) && is_builtin(b) {
            if let Some(r) = types::builtin_compare(self, op, a, b) {
                return r.map(Value::from_bool);
            }
        } else if let Some(r) = self.compare_protocol(a, b, op)? {
            return Ok(r);
        }
        match op {
            CmpKind::Eq => Ok(Value::from_bool(a.is(b))),
            CmpKind::Ne => Ok(Value::from_bool(!a.is(b))),
            _ => {
                let msg = format!(
                    "'{}' not supported between instances of '{}' and '{}'",
                    op.symbol(),
                    self.type_name(a),
                    self.type_name(b)
                );
                Err(self.type_error(msg))
            }
        }
    }

    fn compare_protocol(&mut self, a: &Value, b: &Value, op: CmpKind) -> PyResult<Option<Value>> {
        let (lname, rname) = cmp_names(op);
        let ta = self.type_of(a).clone();
        let tb = self.type_of(b).clone();
        let ln = self.intern(lname);
        let rn = self.intern(rname);
        let mut reflected_done = false;
        if !std::rc::Rc::ptr_eq(&ta, &tb) && self.is_subclass(&tb, &ta) {
            if let Some(f) = self.lookup_type(&tb, &rn) {
                reflected_done = true;
                let r = self.call_slot(f, b, a)?;
                if !self.is_not_implemented(&r) {
                    return Ok(Some(r));
                }
            }
        }
        if let Some(f) = self.lookup_type(&ta, &ln) {
            let r = self.call_slot(f, a, b)?;
            if !self.is_not_implemented(&r) {
                return Ok(Some(r));
            }
        }
        if !reflected_done {
            if let Some(f) = self.lookup_type(&tb, &rn) {
                let r = self.call_slot(f, b, a)?;
                if !self.is_not_implemented(&r) {
                    return Ok(Some(r));
                }
            }
        }
        Ok(None)
    }

    /// `a == b` as a Rust bool.
    pub fn eq(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if let Some(r) = crate::types::dict::fast_eq(a, b) {
            return Ok(r);
        }
        let r = self.compare(a, b, CmpKind::Eq)?;
        self.truthy(&r)
    }

    /// `a < b` as a Rust bool (used by sorting, min, max).
    pub fn lt(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => return Ok(x < y),
            (Value::Float(x), Value::Float(y)) => return Ok(x.get() < y.get()),
            _ => {}
        }
        let r = self.compare(a, b, CmpKind::Lt)?;
        self.truthy(&r)
    }

    /// Truth value.
    pub fn truthy(&mut self, v: &Value) -> PyResult<bool> {
        match v {
            Value::None | Value::Null => Ok(false),
            Value::Bool(b) => Ok(b.get()),
            Value::Int(i) => Ok(*i != 0),
            Value::Float(f) => Ok(f.get() != 0.0),
            Value::Obj(o) => {
                if o.class.is_none() {
                    if let Some(b) = types::builtin_truth(o) {
                        return Ok(b);
                    }
                    return Ok(true);
                }
                self.truthy_user(v)
            }
        }
    }

    fn truthy_user(&mut self, v: &Value) -> PyResult<bool> {
        let ty = self.type_of(v).clone();
        let bn = self.intern("__bool__");
        if let Some(f) = self.lookup_type(&ty, &bn) {
            let f = self.bind_descriptor(f, v, &ty)?;
            let r = self.call(&f, &[])?;
            return match r {
                Value::Bool(b) => Ok(b.get()),
                _ => {
                    let msg = format!(
                        "__bool__ should return bool, returned {}",
                        self.type_name(&r)
                    );
                    Err(self.type_error(msg))
                }
            };
        }
        let ln = self.intern("__len__");
        if let Some(f) = self.lookup_type(&ty, &ln) {
            let f = self.bind_descriptor(f, v, &ty)?;
            let r = self.call(&f, &[])?;
            let n = self.len_result(&r)?;
            return Ok(n != 0);
        }
        if let Value::Obj(o) = v {
            if let Some(b) = types::builtin_truth(o) {
                return Ok(b);
            }
        }
        Ok(true)
    }

    /// Validates a `__len__` result.
    pub(crate) fn len_result(&mut self, r: &Value) -> PyResult<usize> {
        match self.index_value(r) {
            Ok(n) => {
                if n < 0 {
                    return Err(self.value_error("__len__() should return >= 0".into()));
                }
                Ok(n as usize)
            }
            Err(_) => {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(r)
                );
                Err(self.type_error(msg))
            }
        }
    }

    /// `len(v)`.
    pub fn len(&mut self, v: &Value) -> PyResult<usize> {
        if let Value::Obj(o) = v {
            if o.class.is_none() || !self.overrides(v, "__len__") {
                if let Some(n) = types::builtin_len(o) {
                    return Ok(n);
                }
            }
        }
        let ty = self.type_of(v).clone();
        let ln = self.intern("__len__");
        match self.lookup_type(&ty, &ln) {
            Some(f) => {
                let f = self.bind_descriptor(f, v, &ty)?;
                let r = self.call(&f, &[])?;
                self.len_result(&r)
            }
            None => {
                if let Some(f) = self.class_level_hook(v, "_aio_class_len_")? {
                    let r = self.call(&f, &[])?;
                    return self.len_result(&r);
                }
                let msg = format!("object of type '{}' has no len()", self.type_name(v));
                Err(self.type_error(msg))
            }
        }
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        if is_builtin(container) || !self.overrides(container, "__contains__") {
            if let Some(r) = types::builtin_contains(self, container, item) {
                return r;
            }
        }
        let ty = self.type_of(container).clone();
        let cn = self.intern("__contains__");
        if let Some(f) = self.lookup_type(&ty, &cn) {
            let f = self.bind_descriptor(f, container, &ty)?;
            let r = self.call(&f, std::slice::from_ref(item))?;
            return self.truthy(&r);
        }
        if let Some(f) = self.class_level_hook(container, "_aio_class_contains_")? {
            let r = self.call(&f, std::slice::from_ref(item))?;
            return self.truthy(&r);
        }
        let it = match self.get_iter(container) {
            Ok(it) => it,
            Err(e) if self.exc_is(&e, "TypeError") => {
                let msg = format!(
                    "argument of type '{}' is not iterable",
                    self.type_name(container)
                );
                return Err(self.type_error(msg));
            }
            Err(e) => return Err(e),
        };
        while let Some(x) = self.next_value(&it)? {
            if x.is(item) || self.eq(&x, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `container[key]`.
    pub fn get_item(&mut self, container: &Value, key: &Value) -> PyResult {
        if is_builtin(container) || !self.overrides(container, "__getitem__") {
            if let Some(r) = types::builtin_getitem(self, container, key) {
                return r;
            }
        }
        let ty = self.type_of(container).clone();
        let gn = self.intern("__getitem__");
        if let Some(f) = self.lookup_type(&ty, &gn) {
            let f = self.bind_descriptor(f, container, &ty)?;
            return self.call(&f, std::slice::from_ref(key));
        }
        if let Value::Obj(o) = container {
            if let ObjKind::Type(_) = &o.kind {
                let cg = self.intern("__class_getitem__");
                if let Some(f) = self.lookup_type(o, &cg) {
                    let f = self.bind_descriptor(f, container, o)?;
                    return self.call(&f, std::slice::from_ref(key));
                }
                if o.as_type().is_some_and(|t| t.builtin) {
                    // `list[int]` in annotations: a generic alias; the origin class serves.
                    return Ok(container.clone());
                }
                let name = o
                    .as_type()
                    .map(|t| t.name.borrow().to_string())
                    .unwrap_or_default();
                return Err(self.type_error(format!("type '{name}' is not subscriptable")));
            }
        }
        let msg = format!(
            "'{}' object is not subscriptable",
            self.type_name(container)
        );
        Err(self.type_error(msg))
    }

    /// `container[key] = value`.
    pub fn set_item(&mut self, container: &Value, key: Value, v: Value) -> PyResult<()> {
        if is_builtin(container) || !self.overrides(container, "__setitem__") {
            if let Some(r) = types::builtin_setitem(self, container, key.clone(), v.clone()) {
                return r;
            }
        }
        let ty = self.type_of(container).clone();
        let sn = self.intern("__setitem__");
        if let Some(f) = self.lookup_type(&ty, &sn) {
            let f = self.bind_descriptor(f, container, &ty)?;
            self.call(&f, &[key, v])?;
            return Ok(());
        }
        let msg = format!(
            "'{}' object does not support item assignment",
            self.type_name(container)
        );
        Err(self.type_error(msg))
    }

    /// `del container[key]`.
    pub fn del_item(&mut self, container: &Value, key: &Value) -> PyResult<()> {
        if is_builtin(container) || !self.overrides(container, "__delitem__") {
            if let Some(r) = types::builtin_delitem(self, container, key) {
                return r;
            }
        }
        let ty = self.type_of(container).clone();
        let dn = self.intern("__delitem__");
        if let Some(f) = self.lookup_type(&ty, &dn) {
            let f = self.bind_descriptor(f, container, &ty)?;
            self.call(&f, std::slice::from_ref(key))?;
            return Ok(());
        }
        let msg = format!(
            "'{}' object doesn't support item deletion",
            self.type_name(container)
        );
        Err(self.type_error(msg))
    }

    /// The cached CPython hash of a str value (0 for non-str, never used).
    #[inline]
    pub fn str_hash(&self, v: &Value) -> i64 {
        match v.kind() {
            Some(ObjKind::Str(s)) => self.hash_of_str(s),
            _ => 0,
        }
    }

    /// The hash of a str payload, computed once and cached.
    #[inline]
    pub fn hash_of_str(&self, s: &StrObj) -> i64 {
        let h = s.hash.get();
        if h != -1 {
            return h;
        }
        let h = crate::hash::hash_str(&self.hash_secret, s.as_str());
        s.hash.set(h);
        h
    }

    /// `hash(v)`.
    pub fn hash(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(crate::hash::hash_i64(*i)),
            Value::Bool(b) => Ok(b.get() as i64),
            Value::Float(f) => Ok(crate::hash::hash_float(f.get())
                .unwrap_or_else(|| crate::hash::hash_pointer(v.identity()))),
            Value::None | Value::Null => Ok(crate::hash::hash_pointer(v.identity())),
            Value::Obj(o) => {
                if o.class.is_none() {
                    if let ObjKind::Str(s) = &o.kind {
                        return Ok(self.hash_of_str(s));
                    }
                    if let Some(r) = types::builtin_hash(self, o) {
                        return r;
                    }
                }
                self.hash_user(v, o)
            }
        }
    }

    fn hash_user(&mut self, v: &Value, o: &ObjRef) -> PyResult<i64> {
        let ty = self.type_of(v).clone();
        let hn = self.intern("__hash__");
        match self.lookup_type(&ty, &hn) {
            Some(Value::None) => {
                let msg = format!("unhashable type: '{}'", self.type_name(v));
                Err(self.type_error(msg))
            }
            Some(f) if !matches!(f.kind(), Some(ObjKind::Native(_))) => {
                let f = self.bind_descriptor(f, v, &ty)?;
                let r = self.call(&f, &[])?;
                match r {
                    Value::Int(i) => Ok(if i == -1 { -2 } else { i }),
                    Value::Bool(b) => Ok(b.get() as i64),
                    _ => {
                        if let Some(ObjKind::BigInt(b)) = r.kind() {
                            return Ok(crate::hash::hash_bigint(b));
                        }
                        Err(self.type_error("__hash__ method should return an integer".into()))
                    }
                }
            }
            _ => {
                if let Some(r) = types::builtin_hash(self, o) {
                    return r;
                }
                Ok(crate::hash::hash_pointer(v.identity()))
            }
        }
    }

    /// An int-like value as i64 (`__index__`), with CPython's TypeError.
    pub fn index_value(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(b.get() as i64),
            Value::Obj(o) => {
                if let ObjKind::BigInt(_) = o.payload() {
                    return Err(
                        self.overflow_error("Python int too large to convert to C ssize_t".into())
                    );
                }
                if o.class.is_some() {
                    let ty = self.type_of(v).clone();
                    let n = self.intern("__index__");
                    if let Some(f) = self.lookup_type(&ty, &n) {
                        let f = self.bind_descriptor(f, v, &ty)?;
                        let r = self.call(&f, &[])?;
                        return self.index_value(&r);
                    }
                }
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(v)
                );
                Err(self.type_error(msg))
            }
            _ => {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(v)
                );
                Err(self.type_error(msg))
            }
        }
    }
}
