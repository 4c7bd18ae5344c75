//! `str`: immutable Unicode text stored as UTF-8 with its code-point count.
//!
//! Indexing is by code point: O(1) for ASCII text (byte and character offsets agree), a scan
//! otherwise. Invariant: results are built with their character counts when known, so `len`
//! never rescans. `%`-formatting and `str.format` plug VM values into `crate::fmt`.

use super::list::{cannot_multiply, repeat_count};
use crate::fmt::{ArgsShape, CharArg, FmtError, IntValue, PercentArgs, PercentConv, TemplateArgs};
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, ObjKind, StrObj};
use crate::vm::value::Value;
use crate::vm::{Exc, PyResult, Vm};
use compact_str::CompactString;

/// The str payload of a value (str or str subclass).
pub fn str_obj(v: &Value) -> Option<&StrObj> {
    match v.kind()? {
        ObjKind::Str(s) => Some(s),
        _ => None,
    }
}

/// Byte offset of code point `i` in `s` (which has `chars` code points).
pub fn char_to_byte(s: &StrObj, i: usize) -> usize {
    if s.is_ascii() {
        return i.min(s.as_str().len());
    }
    s.as_str()
        .char_indices()
        .nth(i)
        .map(|(b, _)| b)
        .unwrap_or(s.as_str().len())
}

/// The longest text a str object stores inline.
pub const INLINE_MAX: usize = std::mem::size_of::<CompactString>();

/// `x + y` for two str payloads.
pub fn concat(vm: &mut Vm, x: &StrObj, y: &StrObj) -> Value {
    let (a, b) = (x.as_str(), y.as_str());
    let (n, chars) = (a.len() + b.len(), x.char_len() + y.char_len());
    if n <= INLINE_MAX {
        // Stored inline in the object.
        let mut s = CompactString::new(a);
        s.push_str(b);
        return vm.new_str_len(s, chars);
    }
    // One exact allocation.
    let mut s = String::with_capacity(n);
    s.push_str(a);
    s.push_str(b);
    vm.new_str_len(s, chars)
}

/// `str + str`, `str * n`, `str % args`.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match op {
        BinOp::Add => {
            let x = str_obj(a)?;
            let Some(y) = str_obj(b) else {
                let msg = format!(
                    "can only concatenate str (not \"{}\") to str",
                    vm.type_name(b)
                );
                return Some(Err(vm.type_error(msg)));
            };
            Some(Ok(concat(vm, x, y)))
        }
        BinOp::Mult => {
            let (seq, n) = if str_obj(a).is_some() { (a, b) } else { (b, a) };
            let count = match repeat_count(vm, n, "str") {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(cannot_multiply(vm, n))),
            };
            let src = str_obj(seq)?;
            if let Err(e) = vm.reserve_items(src.as_str().len(), count) {
                return Some(Err(e));
            }
            let s = src.as_str().repeat(count);
            let n = src.char_len() * count;
            Some(Ok(vm.new_str_len(s, n)))
        }
        BinOp::Mod => {
            let tmpl = str_obj(a)?.as_str().to_string();
            Some(percent(vm, &tmpl, b).map(|s| vm.new_str(s)))
        }
        _ => None,
    }
}

/// `str[i]`, `str[a:b:c]`.
pub fn getitem(vm: &mut Vm, v: &Value, key: &Value) -> PyResult {
    let s = str_obj(v).expect("a str");
    if let Some(i) = key.as_i64() {
        let Some(i) = vm.norm_index(i, s.char_len()) else {
            return Err(vm.index_error("string index out of range".into()));
        };
        let c = if s.is_ascii() {
            s.as_str().as_bytes()[i] as char
        } else {
            s.as_str().chars().nth(i).expect("index in range")
        };
        return Ok(vm.char_str(c));
    }
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let sl = vm.slice_indices(key, s.char_len())?;
        if sl.step == 1 {
            let start = sl.start as usize;
            if s.is_ascii() {
                let t = s.as_str()[start..start + sl.len].to_string();
                return Ok(vm.new_str_len(t, sl.len));
            }
            let b0 = char_to_byte(s, start);
            let rest = &s.as_str()[b0..];
            let b1 = rest
                .char_indices()
                .nth(sl.len)
                .map(|(b, _)| b)
                .unwrap_or(rest.len());
            let t = rest[..b1].to_string();
            return Ok(vm.new_str_len(t, sl.len));
        }
        let chars: Vec<char> = s.as_str().chars().collect();
        let t: String = sl.indices().map(|i| chars[i]).collect();
        return Ok(vm.new_str_len(t, sl.len));
    }
    match vm.index_value(key) {
        Ok(i) => getitem(vm, v, &Value::Int(i)),
        Err(_) => {
            let msg = format!(
                "string indices must be integers, not '{}'",
                vm.type_name(key)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Errors from the formatting library, or exceptions raised by Aio code while formatting.
pub enum FmtFailure {
    Exc(Exc),
    Fmt(FmtError),
}

impl From<FmtError> for FmtFailure {
    fn from(e: FmtError) -> Self {
        FmtFailure::Fmt(e)
    }
}

impl From<Exc> for FmtFailure {
    fn from(e: Exc) -> Self {
        FmtFailure::Exc(e)
    }
}

impl Vm {
    /// Turns a formatting failure into an exception.
    pub fn fmt_failure(&mut self, f: FmtFailure) -> Exc {
        match f {
            FmtFailure::Exc(e) => e,
            FmtFailure::Fmt(e) => self.fmt_error(e),
        }
    }
}

struct Percent<'v> {
    vm: &'v mut Vm,
    arg: Value,
    /// `bytes % arg`: text is carried one byte per character (see `PercentArgs::bytes_mode`).
    bytes: bool,
}

/// Bytes as a string of the characters U+0000 to U+00FF, one per byte.
fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

impl Percent<'_> {
    /// `%b`/`%s` of bytes formatting: the bytes of a bytes-like object or of `__bytes__()`.
    fn bytes_text(&mut self, v: &Value) -> Result<String, FmtFailure> {
        if let Some(b) = super::bytes::bytes_of(v) {
            return Ok(latin1(&b));
        }
        let ty = self.vm.type_of(v).clone();
        let name = self.vm.intern("__bytes__");
        if let Some(f) = self.vm.lookup_type(&ty, &name) {
            let f = self.vm.bind_descriptor(f, v, &ty)?;
            let r = self.vm.call(&f, &[])?;
            return match r.kind() {
                Some(ObjKind::Bytes(b)) => Ok(latin1(b)),
                _ => {
                    let msg = format!(
                        "__bytes__ returned non-bytes (type {})",
                        self.vm.type_name(&r)
                    );
                    Err(FmtFailure::Exc(self.vm.type_error(msg)))
                }
            };
        }
        let msg = format!(
            "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
            self.vm.type_name(v)
        );
        Err(FmtFailure::Exc(self.vm.type_error(msg)))
    }
}

impl PercentArgs for Percent<'_> {
    type Value = Value;
    type Error = FmtFailure;

    fn shape(&self) -> ArgsShape {
        match self.arg.kind() {
            Some(ObjKind::Tuple(t)) => ArgsShape::Tuple(t.len()),
            Some(ObjKind::Str(_)) => ArgsShape::Single,
            Some(ObjKind::Bytes(_) | ObjKind::ByteArray(_)) if self.bytes => ArgsShape::Single,
            Some(ObjKind::Dict(_)) => ArgsShape::Mapping,
            _ => {
                if let Value::Obj(o) = &self.arg {
                    if o.class.is_some() {
                        let ty = self.vm.type_of(&self.arg).clone();
                        if let Some(t) = ty.as_type() {
                            let d = t.dict.borrow();
                            let has = d.iter().any(|(k, _)| k.as_str() == Some("__getitem__"));
                            if has {
                                return ArgsShape::Mapping;
                            }
                        }
                        for b in ty.as_type().map(|t| t.mro.clone()).unwrap_or_default() {
                            if let Some(bt) = b.as_type() {
                                if !bt.builtin
                                    && bt
                                        .dict
                                        .borrow()
                                        .iter()
                                        .any(|(k, _)| k.as_str() == Some("__getitem__"))
                                {
                                    return ArgsShape::Mapping;
                                }
                            }
                        }
                    }
                    if matches!(
                        o.payload(),
                        ObjKind::List(_)
                            | ObjKind::Bytes(_)
                            | ObjKind::ByteArray(_)
                            | ObjKind::Range(_)
                    ) {
                        return ArgsShape::Mapping;
                    }
                }
                ArgsShape::Single
            }
        }
    }

    fn item(&mut self, index: usize) -> Value {
        match self.arg.kind() {
            Some(ObjKind::Tuple(t)) => t[index].clone(),
            _ => Value::None,
        }
    }

    fn whole(&mut self) -> Value {
        self.arg.clone()
    }

    fn lookup(&mut self, key: &str) -> Result<Value, FmtFailure> {
        let k = if self.bytes {
            let b = key.chars().map(|c| c as u8).collect();
            self.vm.new_bytes(b)
        } else {
            self.vm.new_str(key)
        };
        let arg = self.arg.clone();
        Ok(self.vm.get_item(&arg, &k)?)
    }

    fn type_name(&mut self, v: &Value) -> String {
        self.vm.type_name(v)
    }

    fn exact_int(&mut self, v: &Value) -> Option<IntValue> {
        super::int::int_of(v).map(|i| match i {
            super::int::IntRef::Small(i) => IntValue::Small(i),
            super::int::IntRef::Big(b) => IntValue::Big(b.clone()),
        })
    }

    fn text(&mut self, v: &Value, conv: PercentConv) -> Result<String, FmtFailure> {
        if self.bytes && conv == PercentConv::Str {
            return self.bytes_text(v);
        }
        Ok(match conv {
            PercentConv::Str => self.vm.str_of(v)?,
            PercentConv::Repr => self.vm.repr(v)?,
            PercentConv::Ascii => self.vm.ascii(v)?,
        })
    }

    fn int_value(&mut self, v: &Value, index_only: bool) -> Result<Option<IntValue>, FmtFailure> {
        if let Some(i) = self.exact_int(v) {
            return Ok(Some(i));
        }
        if let Value::Float(f) = v {
            if index_only {
                return Ok(None);
            }
            return match crate::fmt::float_to_int(f.get()) {
                Ok(i) => Ok(Some(i)),
                Err(e) => Err(FmtFailure::Fmt(e)),
            };
        }
        if v.as_obj().is_some_and(|o| o.class.is_some()) {
            let r = if index_only {
                self.vm.index_value(v).map(Value::Int)
            } else {
                super::int::to_int(self.vm, v)
            };
            return match r {
                Ok(r) => Ok(self.exact_int(&r)),
                Err(e) if self.vm.exc_is(&e, "TypeError") => Ok(None),
                Err(e) => Err(FmtFailure::Exc(e)),
            };
        }
        Ok(None)
    }

    fn float_value(&mut self, v: &Value) -> Result<f64, FmtFailure> {
        if self.bytes {
            // PyFloat_AsDouble: a float, an int, or `__float__`/`__index__`; never text.
            let text = matches!(
                v.kind(),
                Some(ObjKind::Str(_) | ObjKind::Bytes(_) | ObjKind::ByteArray(_))
            );
            let r = if text {
                None
            } else {
                match super::float::to_float(self.vm, v) {
                    Ok(f) => Some(f),
                    Err(e) if self.vm.exc_is(&e, "TypeError") => None,
                    Err(e) => return Err(FmtFailure::Exc(e)),
                }
            };
            return r.ok_or_else(|| {
                let msg = format!("float argument required, not {}", self.vm.type_name(v));
                FmtFailure::Exc(self.vm.type_error(msg))
            });
        }
        match super::float::to_float(self.vm, v) {
            Ok(f) if v.as_str().is_none() => Ok(f),
            Ok(_) => {
                let msg = format!("must be real number, not {}", self.vm.type_name(v));
                Err(FmtFailure::Exc(self.vm.type_error(msg)))
            }
            Err(e) => {
                if self.vm.exc_is(&e, "TypeError") || self.vm.exc_is(&e, "ValueError") {
                    let msg = format!("must be real number, not {}", self.vm.type_name(v));
                    return Err(FmtFailure::Exc(self.vm.type_error(msg)));
                }
                Err(FmtFailure::Exc(e))
            }
        }
    }

    fn char_value(&mut self, v: &Value) -> Result<CharArg, FmtFailure> {
        if self.bytes {
            // CPython's byte_converter: a bytes object of length 1 or an int in range(256).
            if let Some(b) = super::bytes::bytes_of(v) {
                if b.len() == 1 {
                    return Ok(CharArg::Char(b[0] as char));
                }
            } else if v.as_str().is_none() && !matches!(v, Value::Float(_)) {
                match self.vm.index_value(v) {
                    Ok(i) if (0..256).contains(&i) => return Ok(CharArg::Char(i as u8 as char)),
                    Ok(_) => {
                        return Err(FmtFailure::Fmt(FmtError::overflow(
                            "%c arg not in range(256)",
                        )))
                    }
                    Err(e) if self.vm.exc_is(&e, "OverflowError") => {
                        return Err(FmtFailure::Fmt(FmtError::overflow(
                            "%c arg not in range(256)",
                        )))
                    }
                    Err(e) if !self.vm.exc_is(&e, "TypeError") => return Err(FmtFailure::Exc(e)),
                    Err(_) => {}
                }
            }
            return Err(FmtFailure::Fmt(FmtError::type_error(
                "%c requires an integer in range(256) or a single byte",
            )));
        }
        if let Some(s) = v.as_str() {
            let mut it = s.chars();
            return Ok(match (it.next(), it.next()) {
                (Some(c), None) => CharArg::Char(c),
                _ => CharArg::Invalid,
            });
        }
        Ok(match self.exact_int(v) {
            Some(i) => CharArg::Int(i),
            None => CharArg::Invalid,
        })
    }

    fn max_str_digits(&self) -> usize {
        self.vm.config.int_max_str_digits
    }

    fn bytes_mode(&self) -> bool {
        self.bytes
    }
}

/// `template % arg`.
pub fn percent(vm: &mut Vm, template: &str, arg: &Value) -> PyResult<String> {
    let mut p = Percent {
        vm,
        arg: arg.clone(),
        bytes: false,
    };
    match crate::fmt::percent_format(template, &mut p) {
        Ok(s) => Ok(s),
        Err(f) => Err(p.vm.fmt_failure(f)),
    }
}

/// `template % arg` for bytes (CPython's `_PyBytes_FormatEx`).
pub fn percent_bytes(vm: &mut Vm, template: &[u8], arg: &Value) -> PyResult<Vec<u8>> {
    let mut p = Percent {
        vm,
        arg: arg.clone(),
        bytes: true,
    };
    match crate::fmt::percent_format(&latin1(template), &mut p) {
        // Every character is below U+0100: the template's bytes, converted bytes, ASCII.
        Ok(s) => Ok(s.chars().map(|c| c as u8).collect()),
        Err(f) => Err(p.vm.fmt_failure(f)),
    }
}

struct Template<'v, 'a> {
    vm: &'v mut Vm,
    pos: &'a [Value],
    kwnames: &'a [Value],
    kwvalues: &'a [Value],
    mapping: Option<Value>,
}

impl TemplateArgs for Template<'_, '_> {
    type Value = Value;
    type Error = FmtFailure;

    fn positional(&mut self, index: usize) -> Result<Value, FmtFailure> {
        if self.mapping.is_some() {
            return Err(FmtFailure::Fmt(FmtError::value(
                "Format string contains positional fields",
            )));
        }
        self.pos
            .get(index)
            .cloned()
            .ok_or_else(|| FmtFailure::Fmt(crate::fmt::index_out_of_range(index)))
    }

    fn keyword(&mut self, name: &str) -> Result<Value, FmtFailure> {
        if let Some(m) = self.mapping.clone() {
            let k = self.vm.new_str(name);
            return Ok(self.vm.get_item(&m, &k)?);
        }
        for (k, v) in self.kwnames.iter().zip(self.kwvalues) {
            if k.as_str() == Some(name) {
                return Ok(v.clone());
            }
        }
        let k = self.vm.new_str(name);
        Err(FmtFailure::Exc(self.vm.key_error(k)))
    }

    fn attr(&mut self, v: Value, name: &str) -> Result<Value, FmtFailure> {
        Ok(self.vm.getattr_str(&v, name)?)
    }

    fn item_index(&mut self, v: Value, index: usize) -> Result<Value, FmtFailure> {
        Ok(self.vm.get_item(&v, &Value::Int(index as i64))?)
    }

    fn item_key(&mut self, v: Value, key: &str) -> Result<Value, FmtFailure> {
        let k = self.vm.new_str(key);
        Ok(self.vm.get_item(&v, &k)?)
    }

    fn convert(&mut self, v: Value, conversion: char) -> Result<Value, FmtFailure> {
        let s = match conversion {
            'r' => self.vm.repr(&v)?,
            'a' => self.vm.ascii(&v)?,
            _ => self.vm.str_of(&v)?,
        };
        Ok(self.vm.new_str(s))
    }

    fn format(&mut self, v: &Value, spec: &str, out: &mut String) -> Result<(), FmtFailure> {
        let s = self.vm.format(v, spec)?;
        out.push_str(&s);
        Ok(())
    }
}

/// `template.format(*args, **kwargs)` (or `format_map(mapping)`).
pub fn format_template(
    vm: &mut Vm,
    template: &str,
    args: &Args,
    mapping: Option<Value>,
) -> PyResult<String> {
    let mut t = Template {
        vm,
        pos: &args.pos[1.min(args.pos.len())..],
        kwnames: args.kwnames,
        kwvalues: args.kwvalues,
        mapping,
    };
    match crate::fmt::format_template(template, &mut t) {
        Ok(s) => Ok(s),
        Err(f) => Err(t.vm.fmt_failure(f)),
    }
}
