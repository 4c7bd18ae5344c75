//! The builtin types: one file per type, plus the dispatch tables the VM's operator protocols
//! consult before looking for user dunder methods.
//!
//! Each `builtin_*` function answers for builtin operands only and returns None when the
//! operation does not apply (so the caller falls back to the generic protocol or raises).
//! Invariant: these functions never run user code except through the VM's own protocols.

pub mod args;
pub mod bytes;
pub mod bytes_methods;
pub mod dict;
pub mod dict_methods;
pub mod exceptions;
pub mod float;
pub mod frame;
pub mod function;
pub mod generator;
pub mod int;
pub mod iterators;
pub mod list;
pub mod object;
pub mod range;
pub mod set;
pub mod set_methods;
pub mod set_table;
pub mod str;
pub mod str_methods;
pub mod tuple;

use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{NativeFn, NativeFunction, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Installs every builtin type's methods and the exception hierarchy.
pub fn init_all(vm: &mut Vm) {
    object::init(vm);
    exceptions::init(vm);
    int::init(vm);
    float::init(vm);
    str_methods::init(vm);
    bytes::init(vm);
    bytes_methods::init(vm);
    list::init(vm);
    tuple::init(vm);
    dict_methods::init(vm);
    set_methods::init(vm);
    range::init(vm);
    function::init(vm);
    frame::init(vm);
    generator::init(vm);
    iterators::init(vm);
}

impl Vm {
    /// Adds a native method to a builtin type.
    pub fn add_method(&mut self, ty: &ObjRef, name: &str, f: NativeFn) {
        let v = Value::Obj(self.alloc(ObjKind::Native(Box::new(NativeFunction {
            name: name.into(),
            func: f,
            bound: Value::Null,
            data: Value::Null,
            owner: Some(ty.clone()),
            doc: None,
        }))));
        self.type_dict_set(ty, name, v);
    }

    /// Adds a table of native methods to a builtin type.
    pub fn add_methods(&mut self, ty: &ObjRef, methods: &[(&str, NativeFn)]) {
        for (name, f) in methods {
            self.add_method(ty, name, *f);
        }
    }

    /// Adds a class method (first argument the class) to a builtin type.
    pub fn add_classmethod(&mut self, ty: &ObjRef, name: &str, f: NativeFn) {
        let v = self.new_native(name, f);
        let cm = Value::Obj(self.alloc(ObjKind::ClassMethod(v)));
        self.type_dict_set(ty, name, cm);
    }

    /// Adds a static method to a builtin type.
    pub fn add_staticmethod(&mut self, ty: &ObjRef, name: &str, f: NativeFn) {
        let v = self.new_native(name, f);
        let sm = Value::Obj(self.alloc(ObjKind::StaticMethod(v)));
        self.type_dict_set(ty, name, sm);
    }

    /// Adds a computed attribute to a builtin type.
    pub fn add_getset(
        &mut self,
        ty: &ObjRef,
        name: &str,
        get: crate::vm::object::Getter,
        set: Option<crate::vm::object::Setter>,
    ) {
        let g = crate::vm::object::GetSet {
            name: name.into(),
            get,
            set,
        };
        let v = Value::Obj(self.alloc(ObjKind::GetSet(Box::new(g))));
        self.type_dict_set(ty, name, v);
    }
}

/// `a op b` for builtin operands.
pub fn builtin_binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    if let Some(r) = int::binop(vm, op, a, b) {
        return Some(r);
    }
    if let Some(r) = float::binop(vm, op, a, b) {
        return Some(r);
    }
    let (Value::Obj(x), _) = (a, b) else {
        return match b {
            Value::Obj(y) => match (op, y.payload()) {
                (
                    BinOp::Mult,
                    ObjKind::Str(_) | ObjKind::List(_) | ObjKind::Tuple(_) | ObjKind::Bytes(_),
                ) => sequence_repeat(vm, b, a),
                _ => None,
            },
            _ => None,
        };
    };
    match x.payload() {
        ObjKind::Str(_) => str::binop(vm, op, a, b),
        ObjKind::List(_) => list::binop(vm, op, a, b),
        ObjKind::Tuple(_) => tuple::binop(vm, op, a, b),
        ObjKind::Bytes(_) | ObjKind::ByteArray(_) => bytes::binop(vm, op, a, b),
        ObjKind::Set(_) | ObjKind::FrozenSet(_) | ObjKind::DictView(_) => {
            set_methods::binop(vm, op, a, b)
        }
        ObjKind::Dict(_) => dict_methods::binop(vm, op, a, b),
        _ => None,
    }
}

fn sequence_repeat(vm: &mut Vm, seq: &Value, n: &Value) -> Option<PyResult> {
    match seq.kind()? {
        ObjKind::Str(_) => str::binop(vm, BinOp::Mult, seq, n),
        ObjKind::List(_) => list::binop(vm, BinOp::Mult, seq, n),
        ObjKind::Tuple(_) => tuple::binop(vm, BinOp::Mult, seq, n),
        ObjKind::Bytes(_) => bytes::binop(vm, BinOp::Mult, seq, n),
        _ => None,
    }
}

/// `a op= b` for builtin mutable containers (None: use the plain operator).
pub fn builtin_inplace(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match a.kind()? {
        ObjKind::List(_) => list::inplace(vm, op, a, b),
        ObjKind::Set(_) => set_methods::inplace(vm, op, a, b),
        ObjKind::Dict(_) if op == BinOp::BitOr => dict_methods::inplace_or(vm, a, b),
        ObjKind::ByteArray(_) => None,
        _ => None,
    }
}

/// Unary operators on builtin values.
pub fn builtin_unary(vm: &mut Vm, name: &str, v: &Value) -> Option<PyResult> {
    if let Some(r) = int::unary(vm, name, v) {
        return Some(r);
    }
    float::unary(vm, name, v)
}

/// Comparisons between builtin values.
pub fn builtin_compare(vm: &mut Vm, op: CmpKind, a: &Value, b: &Value) -> Option<PyResult<bool>> {
    if let Some(r) = int::compare(vm, op, a, b) {
        return Some(Ok(r));
    }
    if let Some(r) = float::compare(vm, op, a, b) {
        return Some(Ok(r));
    }
    let (Value::Obj(x), Value::Obj(y)) = (a, b) else {
        return match op {
            CmpKind::Eq => Some(Ok(a.is(b))),
            CmpKind::Ne => Some(Ok(!a.is(b))),
            _ => None,
        };
    };
    match (x.payload(), y.payload()) {
        (ObjKind::Str(s), ObjKind::Str(t)) => Some(Ok(cmp_ord(op, s.as_str().cmp(t.as_str())))),
        (ObjKind::Bytes(s), ObjKind::Bytes(t)) => Some(Ok(cmp_ord(op, s.cmp(t)))),
        (ObjKind::List(_), ObjKind::List(_)) | (ObjKind::Tuple(_), ObjKind::Tuple(_)) => {
            Some(sequence_compare(vm, op, a, b))
        }
        (ObjKind::Dict(_), ObjKind::Dict(_)) => match op {
            CmpKind::Eq => Some(dict_methods::dict_eq(vm, a, b)),
            CmpKind::Ne => Some(dict_methods::dict_eq(vm, a, b).map(|r| !r)),
            _ => None,
        },
        (ObjKind::Set(_) | ObjKind::FrozenSet(_), ObjKind::Set(_) | ObjKind::FrozenSet(_)) => {
            Some(set_methods::compare(vm, op, a, b))
        }
        (ObjKind::Range(_), ObjKind::Range(_)) => match op {
            CmpKind::Eq | CmpKind::Ne => Some(Ok(range::range_eq(a, b) == (op == CmpKind::Eq))),
            _ => None,
        },
        (ObjKind::DictView(_), _) | (_, ObjKind::DictView(_)) => match op {
            CmpKind::Eq | CmpKind::Ne => {
                Some(set_methods::view_eq(vm, a, b).map(|r| r == (op == CmpKind::Eq)))
            }
            _ => None,
        },
        (ObjKind::Exception(_), _) | (_, ObjKind::Exception(_)) => match op {
            CmpKind::Eq => Some(Ok(a.is(b))),
            CmpKind::Ne => Some(Ok(!a.is(b))),
            _ => None,
        },
        _ => match op {
            CmpKind::Eq => Some(Ok(a.is(b))),
            CmpKind::Ne => Some(Ok(!a.is(b))),
            _ => None,
        },
    }
}

/// Applies a comparison operator to an ordering.
pub fn cmp_ord(op: CmpKind, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpKind::Lt => o == Less,
        CmpKind::Le => o != Greater,
        CmpKind::Eq => o == Equal,
        CmpKind::Ne => o != Equal,
        CmpKind::Gt => o == Greater,
        CmpKind::Ge => o != Less,
    }
}

/// Lexicographic comparison of two lists or two tuples.
pub fn sequence_compare(vm: &mut Vm, op: CmpKind, a: &Value, b: &Value) -> PyResult<bool> {
    let x = seq_items(a);
    let y = seq_items(b);
    if matches!(op, CmpKind::Eq | CmpKind::Ne) && x.len() != y.len() {
        return Ok(op == CmpKind::Ne);
    }
    vm.enter_recursion_where(" in comparison")?;
    let r = sequence_compare_items(vm, op, &x, &y);
    vm.leave_recursion();
    r
}

fn sequence_compare_items(vm: &mut Vm, op: CmpKind, x: &[Value], y: &[Value]) -> PyResult<bool> {
    let n = x.len().min(y.len());
    for i in 0..n {
        if x[i].is(&y[i]) {
            continue;
        }
        if !vm.eq(&x[i], &y[i])? {
            return match op {
                CmpKind::Eq => Ok(false),
                CmpKind::Ne => Ok(true),
                _ => {
                    let r = vm.compare(&x[i], &y[i], op)?;
                    vm.truthy(&r)
                }
            };
        }
    }
    Ok(cmp_ord(op, x.len().cmp(&y.len())))
}

/// A snapshot of a list's or tuple's items.
pub fn seq_items(v: &Value) -> Vec<Value> {
    match v.kind() {
        Some(ObjKind::List(items)) => items.borrow().clone(),
        Some(ObjKind::Tuple(items)) => items.to_vec(),
        _ => Vec::new(),
    }
}

/// Truth of builtin objects.
pub fn builtin_truth(o: &ObjRef) -> Option<bool> {
    builtin_len(o).map(|n| n != 0).or(match o.payload() {
        ObjKind::BigInt(_) => Some(true),
        _ => None,
    })
}

/// `len()` of builtin containers.
pub fn builtin_len(o: &ObjRef) -> Option<usize> {
    Some(match o.payload() {
        ObjKind::Str(s) => s.char_len(),
        ObjKind::Bytes(b) => b.len(),
        ObjKind::ByteArray(b) => b.borrow().len(),
        ObjKind::Tuple(t) => t.len(),
        ObjKind::List(l) => l.borrow().len(),
        ObjKind::Dict(d) => d.borrow().len(),
        ObjKind::Set(s) => s.borrow().len(),
        ObjKind::FrozenSet(s) => s.len(),
        ObjKind::Range(r) => r.len as usize,
        ObjKind::DictView(v) => match v.0.payload() {
            ObjKind::Dict(d) => d.borrow().len(),
            _ => 0,
        },
        _ => return None,
    })
}

/// `item in container` for builtin containers.
pub fn builtin_contains(vm: &mut Vm, c: &Value, item: &Value) -> Option<PyResult<bool>> {
    match c.kind()? {
        ObjKind::Str(s) => Some(match item.kind() {
            Some(ObjKind::Str(t)) => Ok(s.as_str().contains(t.as_str())),
            _ => {
                let msg = format!(
                    "'in <string>' requires string as left operand, not {}",
                    vm.type_name(item)
                );
                Err(vm.type_error(msg))
            }
        }),
        ObjKind::List(_) | ObjKind::Tuple(_) => {
            let items = seq_items(c);
            Some((|| {
                for x in &items {
                    if x.is(item) || vm.eq(x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            })())
        }
        ObjKind::Dict(_) => Some(vm.dict_contains(c, item)),
        ObjKind::Set(_) | ObjKind::FrozenSet(_) => Some(vm.set_contains(c, item)),
        ObjKind::DictView(_) => Some(set_methods::view_contains(vm, c, item)),
        ObjKind::Range(_) => Some(range::contains(vm, c, item)),
        ObjKind::Bytes(_) | ObjKind::ByteArray(_) => Some(bytes::contains(vm, c, item)),
        _ => None,
    }
}

/// `container[key]` for builtin containers.
pub fn builtin_getitem(vm: &mut Vm, c: &Value, key: &Value) -> Option<PyResult> {
    match c.kind()? {
        ObjKind::List(_) => Some(list::getitem(vm, c, key)),
        ObjKind::Tuple(_) => Some(tuple::getitem(vm, c, key)),
        ObjKind::Str(_) => Some(str::getitem(vm, c, key)),
        ObjKind::Dict(_) => Some(vm.dict_getitem(c, key)),
        ObjKind::Range(_) => Some(range::getitem(vm, c, key)),
        ObjKind::Bytes(_) | ObjKind::ByteArray(_) => Some(bytes::getitem(vm, c, key)),
        _ => None,
    }
}

/// `container[key] = value` for builtin containers.
pub fn builtin_setitem(vm: &mut Vm, c: &Value, key: Value, v: Value) -> Option<PyResult<()>> {
    match c.kind()? {
        ObjKind::List(_) => Some(list::setitem(vm, c, key, v)),
        ObjKind::Dict(_) => {
            let Value::Obj(d) = c else { return None };
            Some(vm.dict_set(d, key, v))
        }
        ObjKind::ByteArray(_) => Some(bytes::setitem(vm, c, key, v)),
        _ => None,
    }
}

/// `del container[key]` for builtin containers.
pub fn builtin_delitem(vm: &mut Vm, c: &Value, key: &Value) -> Option<PyResult<()>> {
    match c.kind()? {
        ObjKind::List(_) => Some(list::delitem(vm, c, key)),
        ObjKind::ByteArray(_) => Some(bytes::delitem(vm, c, key)),
        ObjKind::Dict(_) => {
            let Value::Obj(d) = c else { return None };
            Some(match vm.dict_del(d, key) {
                Ok(true) => Ok(()),
                Ok(false) => Err(vm.key_error(key.clone())),
                Err(e) => Err(e),
            })
        }
        _ => None,
    }
}

/// `hash()` of builtin objects (errors for unhashable ones).
pub fn builtin_hash(vm: &mut Vm, o: &ObjRef) -> Option<PyResult<i64>> {
    let v = Value::Obj(o.clone());
    Some(match o.payload() {
        ObjKind::Str(_) => Ok(vm.str_hash(&v)),
        ObjKind::BigInt(b) => Ok(crate::hash::hash_bigint(b)),
        ObjKind::Bytes(b) => Ok(crate::hash::hash_bytes(&vm.hash_secret, b)),
        ObjKind::Tuple(items) => {
            let items = items.to_vec();
            let mut h = crate::hash::TupleHasher::new();
            for x in &items {
                match vm.hash(x) {
                    Ok(xh) => h.push(xh),
                    Err(e) => return Some(Err(e)),
                }
            }
            Ok(h.finish())
        }
        ObjKind::FrozenSet(s) => Ok(s.frozenset_hash()),
        ObjKind::List(_)
        | ObjKind::Dict(_)
        | ObjKind::Set(_)
        | ObjKind::ByteArray(_)
        | ObjKind::DictView(_) => {
            let msg = format!("unhashable type: '{}'", vm.type_name(&v));
            Err(vm.type_error(msg))
        }
        ObjKind::Range(r) => {
            let (start, stop, step, len) = (r.start, r.stop, r.step, r.len);
            let _ = stop;
            let t = if len == 0 {
                vec![Value::Int(0), Value::None, Value::None]
            } else if len == 1 {
                vec![Value::Int(1), Value::Int(start), Value::None]
            } else {
                vec![Value::Int(len), Value::Int(start), Value::Int(step)]
            };
            let t = vm.new_tuple(t);
            return Some(vm.hash(&t));
        }
        ObjKind::Slice(_) => {
            let msg = format!("unhashable type: '{}'", vm.type_name(&v));
            Err(vm.type_error(msg))
        }
        _ => Ok(crate::hash::hash_pointer(v.identity())),
    })
}

/// `repr()` of builtin objects.
pub fn builtin_repr(vm: &mut Vm, v: &Value, o: &ObjRef) -> Option<PyResult<String>> {
    Some(match o.payload() {
        ObjKind::Str(s) => Ok(crate::fmt::str_repr(s.as_str())),
        ObjKind::BigInt(b) => int::bigint_to_string(vm, b),
        ObjKind::Bytes(b) => Ok(crate::fmt::bytes_repr(b)),
        ObjKind::ByteArray(b) => Ok(format!(
            "bytearray({})",
            crate::fmt::bytes_repr(&b.borrow())
        )),
        ObjKind::List(_) => list::repr(vm, v),
        ObjKind::Tuple(_) => tuple::repr(vm, v),
        ObjKind::Dict(_) => dict_methods::repr(vm, v),
        ObjKind::Set(_) | ObjKind::FrozenSet(_) => set_methods::repr(vm, v),
        ObjKind::Range(r) => Ok(if r.step == 1 {
            format!("range({}, {})", r.start, r.stop)
        } else {
            format!("range({}, {}, {})", r.start, r.stop, r.step)
        }),
        ObjKind::Slice(s) => {
            let parts: PyResult<Vec<String>> = s.iter().map(|x| vm.repr(x)).collect();
            parts.map(|p| format!("slice({}, {}, {})", p[0], p[1], p[2]))
        }
        ObjKind::Exception(_) => exceptions::repr(vm, v),
        ObjKind::NotImplemented => Ok("NotImplemented".into()),
        ObjKind::Ellipsis => Ok("Ellipsis".into()),
        ObjKind::Type(_) => Ok(format!("<class '{}'>", vm.class_path(o))),
        ObjKind::Function(f) => Ok(format!(
            "<function {} at {:#x}>",
            f.qualname.borrow().as_str().unwrap_or("?"),
            v.identity()
        )),
        ObjKind::BoundMethod(m) => {
            let (func, this) = (m.0.clone(), m.1.clone());
            let name = match func.kind() {
                Some(ObjKind::Function(f)) => {
                    f.qualname.borrow().as_str().unwrap_or("?").to_string()
                }
                Some(ObjKind::Native(n)) => n.name.to_string(),
                _ => "?".into(),
            };
            vm.repr(&this)
                .map(|r| format!("<bound method {name} of {r}>"))
        }
        ObjKind::Native(n) => Ok(if n.bound.is_null() {
            match n.owner.as_ref().and_then(|o| o.as_type()) {
                // An unbound method of a builtin type (`list.append`).
                Some(t) => format!("<method '{}' of '{}' objects>", n.name, t.name.borrow()),
                None => format!("<built-in function {}>", n.name),
            }
        } else if let Some(ObjKind::Module(m)) = n.bound.kind() {
            let _ = m;
            format!("<built-in function {}>", n.name)
        } else {
            format!(
                "<built-in method {} of {} object at {:#x}>",
                n.name,
                vm.type_name(&n.bound),
                n.bound.identity()
            )
        }),
        ObjKind::Module(m) => Ok(format!("<module '{}'>", m.name)),
        ObjKind::Generator(_) => Ok(vm.gen_repr(o)),
        ObjKind::DictView(_) => set_methods::view_repr(vm, v),
        ObjKind::Code(c) => Ok(format!(
            "<code object {} at {:#x}, file \"{}\", line {}>",
            c.name,
            v.identity(),
            c.file.name,
            c.first_line
        )),
        ObjKind::Cell(c) => {
            let inner = c.borrow().clone();
            Ok(if inner.is_null() {
                format!("<cell at {:#x}: empty>", v.identity())
            } else {
                format!(
                    "<cell at {:#x}: {} object at {:#x}>",
                    v.identity(),
                    vm.type_name(&inner),
                    inner.identity()
                )
            })
        }
        ObjKind::Ext(e) => Ok(format!("<{} object at {:#x}>", e.type_name(), v.identity())),
        _ => return None,
    })
}

/// `format(v, spec)` for builtin values.
pub fn builtin_format(vm: &mut Vm, v: &Value, spec: &str) -> Option<PyResult<String>> {
    let mut out = String::new();
    let tn = vm.type_name(v);
    let r = match v {
        Value::Int(i) => crate::fmt::format_int_i64(*i, spec, &tn, &mut out),
        Value::Bool(b) => {
            if spec.is_empty() {
                out.push_str(if b.get() { "True" } else { "False" });
                Ok(())
            } else {
                crate::fmt::format_int_i64(b.get() as i64, spec, &tn, &mut out)
            }
        }
        Value::Float(f) => crate::fmt::format_float(f.get(), spec, &tn, &mut out),
        Value::Obj(o) => match o.payload() {
            ObjKind::BigInt(b) => {
                let limit = vm.config.int_max_str_digits;
                crate::fmt::format_int_big(b, spec, &tn, limit, &mut out)
            }
            ObjKind::Str(s) => crate::fmt::format_str(s.as_str(), spec, &tn, &mut out),
            _ => return None,
        },
        _ => return None,
    };
    Some(match r {
        Ok(()) => Ok(out),
        Err(e) => Err(vm.fmt_error(e)),
    })
}

impl Vm {
    /// Converts a formatting error into the matching Python exception.
    pub fn fmt_error(&mut self, e: crate::fmt::FmtError) -> crate::vm::Exc {
        use crate::fmt::FmtErrorKind::*;
        let name = match e.kind {
            ValueError => "ValueError",
            TypeError => "TypeError",
            OverflowError => "OverflowError",
            IndexError => "IndexError",
            ZeroDivisionError => "ZeroDivisionError",
        };
        self.new_exc_msg(name, e.msg)
    }
}
