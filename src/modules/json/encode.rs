//! The JSON encoder: one pass over the value tree writing into a single `String`.
//!
//! Invariant: the output is byte-identical to CPython's — the C encoder's when `indent` is
//! None, `_make_iterencode`'s otherwise (they differ only in one error message) — including
//! key coercion, `sort_keys` ordering through Python comparisons and circularity errors.

use super::{arg, truthy};
use crate::types::int::int_of;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

struct Encoder {
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
    skipkeys: bool,
    ensure_ascii: bool,
    check_circular: bool,
    allow_nan: bool,
    default: Value,
    /// Identities of the containers being encoded (the path from the root).
    markers: Vec<usize>,
    level: usize,
    out: String,
}

/// `encode(obj, indent, item_sep, key_sep, sort_keys, skipkeys, ensure_ascii,
/// check_circular, allow_nan, default)`; `indent` is None or the indent string.
pub fn encode(vm: &mut Vm, args: Args) -> PyResult {
    let obj = arg(&args, 0);
    let indent = arg(&args, 1).as_str().map(String::from);
    let item_sep = arg(&args, 2).as_str().unwrap_or(", ").to_string();
    let key_sep = arg(&args, 3).as_str().unwrap_or(": ").to_string();
    let mut enc = Encoder {
        indent,
        item_sep,
        key_sep,
        sort_keys: truthy(vm, &arg(&args, 4))?,
        skipkeys: truthy(vm, &arg(&args, 5))?,
        ensure_ascii: truthy(vm, &arg(&args, 6))?,
        check_circular: truthy(vm, &arg(&args, 7))?,
        allow_nan: truthy(vm, &arg(&args, 8))?,
        default: arg(&args, 9),
        markers: Vec::new(),
        level: 0,
        out: String::new(),
    };
    enc.value(vm, &obj)?;
    Ok(vm.new_str(enc.out))
}

/// `encode_basestring(s)`: a JSON string literal escaping only what JSON requires.
pub fn encode_basestring(vm: &mut Vm, args: Args) -> PyResult {
    let s = arg(&args, 0);
    let s = vm.arg_str(&s, "encode_basestring", "argument")?.to_string();
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, &s, false);
    Ok(vm.new_str(out))
}

/// `encode_basestring_ascii(s)`: a JSON string literal in pure ASCII.
pub fn encode_basestring_ascii(vm: &mut Vm, args: Args) -> PyResult {
    let s = arg(&args, 0);
    let s = vm
        .arg_str(&s, "encode_basestring_ascii", "argument")?
        .to_string();
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, &s, true);
    Ok(vm.new_str(out))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u(out: &mut String, c: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((c >> shift) & 0xf) as usize] as char);
    }
}

/// Appends `s` as a quoted JSON string.
pub fn write_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let plain = if ascii {
            (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
        } else {
            b >= 0x20 && b != b'"' && b != b'\\'
        };
        if plain {
            continue;
        }
        if b >= 0x80 {
            // Multi-byte characters are handled when their first byte is seen.
            if b & 0xc0 == 0x80 {
                continue;
            }
            out.push_str(&s[start..i]);
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            let cp = c as u32;
            if cp >= 0x10000 {
                let v = cp - 0x10000;
                push_u(out, 0xd800 | (v >> 10));
                push_u(out, 0xdc00 | (v & 0x3ff));
            } else {
                push_u(out, cp);
            }
            start = i + c.len_utf8();
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => push_u(out, b as u32),
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

impl Encoder {
    fn float_text(&self, vm: &mut Vm, f: f64) -> PyResult<String> {
        if f.is_finite() {
            return Ok(crate::fmt::float_repr(f));
        }
        if !self.allow_nan {
            let base = "Out of range float values are not JSON compliant";
            let msg = if self.indent.is_some() {
                format!("{base}: {}", crate::fmt::float_repr(f))
            } else {
                base.to_string()
            };
            return Err(vm.value_error(msg));
        }
        Ok(if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string())
    }

    fn int_text(&self, vm: &mut Vm, v: &Value) -> PyResult<Option<String>> {
        Ok(match int_of(v) {
            Some(crate::types::int::IntRef::Small(i)) => Some(i.to_string()),
            Some(crate::types::int::IntRef::Big(b)) => {
                let b = b.clone();
                Some(crate::types::int::bigint_to_string(vm, &b)?)
            }
            None => None,
        })
    }

    fn value(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        match v {
            Value::None => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if b.get() { "true" } else { "false" }),
            Value::Int(i) => {
                use std::fmt::Write;
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => {
                let t = self.float_text(vm, f.get())?;
                self.out.push_str(&t);
            }
            Value::Null => self.out.push_str("null"),
            Value::Obj(o) => match o.payload() {
                ObjKind::Str(s) => write_str(&mut self.out, s.as_str(), self.ensure_ascii),
                ObjKind::BigInt(_) => {
                    let t = self.int_text(vm, v)?.unwrap_or_default();
                    self.out.push_str(&t);
                }
                ObjKind::List(_) | ObjKind::Tuple(_) => self.list(vm, v)?,
                ObjKind::Dict(_) => self.dict(vm, v)?,
                _ => {
                    if let Some(f) = crate::types::float::float_of(v) {
                        let t = self.float_text(vm, f)?;
                        self.out.push_str(&t);
                    } else {
                        self.other(vm, v)?;
                    }
                }
            },
        }
        Ok(())
    }

    fn enter(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        if self.check_circular {
            let id = v.identity();
            if self.markers.contains(&id) {
                return Err(vm.value_error("Circular reference detected".into()));
            }
            self.markers.push(id);
        }
        vm.enter_recursion().map_err(|_| {
            vm.new_exc_msg(
                "RecursionError",
                "maximum recursion depth exceeded while encoding a JSON object".into(),
            )
        })
    }

    fn leave(&mut self, vm: &mut Vm) {
        if self.check_circular {
            self.markers.pop();
        }
        vm.leave_recursion();
    }

    fn newline(&mut self) {
        if let Some(ind) = &self.indent {
            self.out.push('\n');
            for _ in 0..self.level {
                self.out.push_str(ind);
            }
        }
    }

    fn list(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        let items: Vec<Value> = match v.kind() {
            Some(ObjKind::List(l)) => l.borrow().clone(),
            Some(ObjKind::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        if items.is_empty() {
            self.out.push_str("[]");
            return Ok(());
        }
        self.enter(vm, v)?;
        self.out.push('[');
        self.level += 1;
        self.newline();
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(&self.item_sep.clone());
                self.newline();
            }
            if let Err(e) = self.value(vm, it) {
                self.level -= 1;
                self.leave(vm);
                return Err(e);
            }
        }
        self.level -= 1;
        self.newline();
        self.out.push(']');
        self.leave(vm);
        Ok(())
    }

    /// The text of a dict key, or None to skip it.
    fn key_text(&mut self, vm: &mut Vm, k: &Value) -> PyResult<Option<String>> {
        if let Some(s) = k.as_str() {
            return Ok(Some(s.to_string()));
        }
        if let Some(f) = crate::types::float::float_of(k) {
            return self.float_text(vm, f).map(Some);
        }
        match k {
            Value::Bool(b) => return Ok(Some(if b.get() { "true" } else { "false" }.into())),
            Value::None => return Ok(Some("null".into())),
            _ => {}
        }
        if let Some(t) = self.int_text(vm, k)? {
            return Ok(Some(t));
        }
        if self.skipkeys {
            return Ok(None);
        }
        let msg = format!(
            "keys must be str, int, float, bool or None, not {}",
            vm.type_name(k)
        );
        Err(vm.type_error(msg))
    }

    fn dict(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        let Some(ObjKind::Dict(d)) = v.kind() else {
            return Ok(());
        };
        let mut items: Vec<(Value, Value)> = d
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if items.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        self.enter(vm, v)?;
        let r = self.dict_body(vm, &mut items);
        self.leave(vm);
        r
    }

    fn dict_body(&mut self, vm: &mut Vm, items: &mut Vec<(Value, Value)>) -> PyResult<()> {
        if self.sort_keys {
            let mut pairs: Vec<Value> = items
                .drain(..)
                .map(|(k, v)| vm.new_tuple(vec![k, v]))
                .collect();
            crate::types::list::sort_values(vm, &mut pairs, None, false)?;
            for p in pairs {
                if let Some(ObjKind::Tuple(t)) = p.kind() {
                    items.push((t[0].clone(), t[1].clone()));
                }
            }
        }
        self.out.push('{');
        self.level += 1;
        self.newline();
        let mut first = true;
        for (k, val) in items.iter() {
            let Some(key) = self.key_text(vm, k)? else {
                continue;
            };
            if !first {
                self.out.push_str(&self.item_sep.clone());
                self.newline();
            }
            first = false;
            write_str(&mut self.out, &key, self.ensure_ascii);
            self.out.push_str(&self.key_sep.clone());
            self.value(vm, val)?;
        }
        self.level -= 1;
        self.newline();
        self.out.push('}');
        Ok(())
    }

    fn other(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        if self.default.is_none() {
            let msg = format!(
                "Object of type {} is not JSON serializable",
                vm.type_name(v)
            );
            return Err(vm.type_error(msg));
        }
        self.enter(vm, v)?;
        let d = self.default.clone();
        let r = vm.call(&d, std::slice::from_ref(v));
        let r = match r {
            Ok(x) => self.value(vm, &x),
            Err(e) => Err(e),
        };
        self.leave(vm);
        r
    }
}
