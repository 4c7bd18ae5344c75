//! `repr()`, `str()`, `format()` and the f-string `FormatValue` instruction.
//!
//! Builtin values are rendered natively with CPython's exact layouts; user classes go through
//! `__repr__`/`__str__`/`__format__`. Invariant: recursive containers render as `[...]` /
//! `{...}` and deep nesting raises RecursionError instead of exhausting the Rust stack.

use super::object::{GenKind, ObjKind};
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};
use crate::types;

impl Vm {
    /// `repr(v)`.
    pub fn repr(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::None => Ok("None".into()),
            Value::Null => Ok("<NULL>".into()),
            Value::Bool(b) => Ok(if b.get() { "True" } else { "False" }.into()),
            Value::Int(i) => Ok(i.to_string()),
            Value::Float(f) => Ok(crate::fmt::float_repr(f.get())),
            Value::Obj(o) => {
                if o.as_type().is_some_and(|t| !t.builtin) {
                    // A class method standing in for a metaclass `__repr__` (enum classes).
                    if let Some(f) = self.class_level_hook(v, "_aio_class_repr_")? {
                        let r = self.call(&f, &[])?;
                        if let Some(s) = r.as_str() {
                            return Ok(s.to_string());
                        }
                    }
                }
                if o.class.is_some() {
                    let ty = self.type_of(v).clone();
                    let n = self.intern("__repr__");
                    if let Some(f) = self.lookup_type(&ty, &n) {
                        if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                            let f = self.bind_descriptor(f, v, &ty)?;
                            self.enter_recursion()?;
                            let r = self.call(&f, &[]);
                            self.leave_recursion();
                            let r = r?;
                            return match r.as_str() {
                                Some(s) => Ok(s.to_string()),
                                None => {
                                    let msg = format!(
                                        "__repr__ returned non-string (type {})",
                                        self.type_name(&r)
                                    );
                                    Err(self.type_error(msg))
                                }
                            };
                        }
                        if let Some(ObjKind::Native(nf)) = f.kind() {
                            let func = nf.func;
                            let data = nf.data.clone();
                            let r =
                                self.invoke_native(func, std::slice::from_ref(v), None, &data)?;
                            return Ok(r.as_str().unwrap_or("").to_string());
                        }
                    }
                }
                self.builtin_repr(v, o)
            }
        }
    }

    fn builtin_repr(&mut self, v: &Value, o: &ObjRef) -> PyResult<String> {
        if let Some(r) = types::builtin_repr(self, v, o) {
            return r;
        }
        Ok(self.default_repr(v))
    }

    /// `<module.Class object at 0x...>`.
    pub fn default_repr(&mut self, v: &Value) -> String {
        let t = self.type_of(v).clone();
        let name = self.class_path(&t);
        format!("<{} object at {:#x}>", name, v.identity())
    }

    /// `module.Qualname` of a class (bare for builtins).
    pub fn class_path(&mut self, cls: &ObjRef) -> String {
        let Some(t) = cls.as_type() else {
            return "?".into();
        };
        let q = t.qualname.borrow().to_string();
        let module = t.module.borrow().clone();
        match module.as_str() {
            Some(m) if m != "builtins" => format!("{m}.{q}"),
            _ => q,
        }
    }

    /// `str(v)`.
    pub fn str_of(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::Obj(o) => {
                if o.class.is_none() {
                    if let ObjKind::Str(s) = &o.kind {
                        return Ok(s.as_str().to_string());
                    }
                }
                let ty = self.type_of(v).clone();
                let n = self.intern("__str__");
                if let Some(f) = self.lookup_type(&ty, &n) {
                    if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                        let f = self.bind_descriptor(f, v, &ty)?;
                        let r = self.call(&f, &[])?;
                        return match r.as_str() {
                            Some(s) => Ok(s.to_string()),
                            None => {
                                let msg = format!(
                                    "__str__ returned non-string (type {})",
                                    self.type_name(&r)
                                );
                                Err(self.type_error(msg))
                            }
                        };
                    }
                    if let Some(ObjKind::Native(nf)) = f.kind() {
                        let func = nf.func;
                        let data = nf.data.clone();
                        let r = self.invoke_native(func, std::slice::from_ref(v), None, &data)?;
                        return Ok(r.as_str().unwrap_or("").to_string());
                    }
                }
                self.repr(v)
            }
            _ => self.repr(v),
        }
    }

    /// `str(v)` as a str value (no copy for str).
    pub fn str_value(&mut self, v: &Value) -> PyResult {
        if let Value::Obj(o) = v {
            if o.class.is_none() {
                if let ObjKind::Str(_) = &o.kind {
                    return Ok(v.clone());
                }
            }
        }
        if let Value::Int(i) = v {
            let s = compact_str::ToCompactString::to_compact_string(i);
            let n = s.len();
            return Ok(self.new_str_len(s, n));
        }
        let s = self.str_of(v)?;
        Ok(self.new_str(s))
    }

    /// `ascii(v)`: repr with non-ASCII characters escaped.
    pub fn ascii(&mut self, v: &Value) -> PyResult<String> {
        let r = self.repr(v)?;
        Ok(crate::fmt::ascii_escape(&r))
    }

    /// `format(v, spec)`.
    pub fn format(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if let Value::Obj(o) = v {
            if o.class.is_some() {
                let ty = self.type_of(v).clone();
                let n = self.intern("__format__");
                if let Some(f) = self.lookup_type(&ty, &n) {
                    if !matches!(f.kind(), Some(ObjKind::Native(_))) {
                        let f = self.bind_descriptor(f, v, &ty)?;
                        let s = self.new_str(spec);
                        let r = self.call(&f, &[s])?;
                        return match r.as_str() {
                            Some(s) => Ok(s.to_string()),
                            None => {
                                let msg = format!(
                                    "__format__ must return a str, not {}",
                                    self.type_name(&r)
                                );
                                Err(self.type_error(msg))
                            }
                        };
                    }
                }
                if spec.is_empty() {
                    // Builtin `__format__` with an empty spec is `str(v)`, which a
                    // subclass may change through `__str__` or `__repr__`.
                    return self.str_of(v);
                }
            }
        }
        if let Some(r) = types::builtin_format(self, v, spec) {
            return r;
        }
        if spec.is_empty() {
            return self.str_of(v);
        }
        let msg = format!(
            "unsupported format string passed to {}.__format__",
            self.type_name(v)
        );
        Err(self.type_error(msg))
    }

    /// `FormatValue`: conversion (0 none, 1 str, 2 repr, 3 ascii) then format spec.
    pub(crate) fn format_value(&mut self, v: Value, conv: u32, spec: Option<Value>) -> PyResult {
        let v = match conv {
            1 => self.str_value(&v)?,
            2 => {
                let s = self.repr(&v)?;
                self.new_str(s)
            }
            3 => {
                let s = self.ascii(&v)?;
                self.new_str(s)
            }
            _ => v,
        };
        let spec_s = spec.as_ref().and_then(|s| s.as_str()).unwrap_or("");
        if spec_s.is_empty() {
            if let Some(ObjKind::Str(_)) = v.kind() {
                if v.as_obj().is_some_and(|o| o.class.is_none()) {
                    return Ok(v);
                }
            }
            if let Value::Int(_) = v {
                return self.str_value(&v);
            }
        }
        let spec_owned = spec_s.to_string();
        let s = self.format(&v, &spec_owned)?;
        Ok(self.new_str(s))
    }

    /// REPL echo: prints repr of a non-None value and stores it in `builtins._`.
    pub(crate) fn print_expr(&mut self, v: Value) -> PyResult<()> {
        if v.is_none() {
            return Ok(());
        }
        let under = self.intern("_");
        let b = self.builtins.clone();
        if let ObjKind::Module(m) = &b.kind {
            let d = m.dict.clone();
            self.dict_set(&d, under, Value::None)?;
        }
        let s = self.repr(&v)?;
        self.write_stdout(&s);
        self.write_stdout("\n");
        if let ObjKind::Module(m) = &b.kind {
            let d = m.dict.clone();
            let under = self.intern("_");
            self.dict_set(&d, under, v)?;
        }
        Ok(())
    }

    /// The name a generator-like object shows in its repr.
    pub fn gen_repr(&mut self, o: &ObjRef) -> String {
        let ObjKind::Generator(g) = &o.kind else {
            return String::new();
        };
        let what = match g.kind {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async_generator",
        };
        let q = g.qualname_string();
        format!(
            "<{} object {} at {:#x}>",
            what,
            q,
            Value::Obj(o.clone()).identity()
        )
    }
}
