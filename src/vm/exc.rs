//! Raising, matching, chaining and printing exceptions.
//!
//! Exceptions are instances of classes derived from BaseException carrying an `ExcObj`
//! payload. Tracebacks are recorded innermost-first as the exception unwinds (one entry per
//! frame it leaves or passes) and printed outermost-first in CPython's format, with the cause
//! or context chain before them. Invariant: helpers here build messages byte-identical to
//! CPython 3.11's.

use super::frame::Frame;
use super::object::{ExcObj, ObjKind, TbEntry};
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::Code;
use std::rc::Rc;

impl Vm {
    /// An exception of the builtin class `name` with `args`.
    pub fn new_exc(&mut self, name: &str, args: Vec<Value>) -> Exc {
        if !self.types.exceptions.contains_key(name) {
            // asyncio's exception classes are defined in Aio: load them on first use.
            let _ = self.import_module("asyncio.exceptions");
        }
        let cls = self.types.exc(name).clone();
        Exc(self.new_exception(&cls, args))
    }

    /// An exception of the builtin class `name` with one str argument.
    pub fn new_exc_msg(&mut self, name: &str, msg: String) -> Exc {
        let m = self.new_str(msg);
        self.new_exc(name, vec![m])
    }

    pub fn type_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("TypeError", msg)
    }

    pub fn value_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("ValueError", msg)
    }

    pub fn runtime_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("RuntimeError", msg)
    }

    pub fn attribute_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("AttributeError", msg)
    }

    pub fn index_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("IndexError", msg)
    }

    pub fn overflow_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("OverflowError", msg)
    }

    pub fn zero_division(&mut self, msg: &str) -> Exc {
        self.new_exc_msg("ZeroDivisionError", msg.to_string())
    }

    pub fn key_error(&mut self, key: Value) -> Exc {
        self.new_exc("KeyError", vec![key])
    }

    pub fn recursion_error(&mut self) -> Exc {
        self.new_exc_msg(
            "RecursionError",
            "maximum recursion depth exceeded".to_string(),
        )
    }

    pub fn not_implemented_error(&mut self, msg: String) -> Exc {
        self.new_exc_msg("NotImplementedError", msg)
    }

    /// `NameError: name 'x' is not defined`.
    pub fn name_error(&mut self, name: &Value) -> Exc {
        let n = name.as_str().unwrap_or("?").to_string();
        let e = self.new_exc_msg("NameError", format!("name '{n}' is not defined"));
        let key = self.intern("name");
        let _ = self.exc_set_attr(&e, key, name.clone());
        e
    }

    /// `StopIteration(value)` (no args for None).
    pub fn stop_iteration(&mut self, v: Value) -> Exc {
        if v.is_none() {
            self.new_exc("StopIteration", Vec::new())
        } else {
            self.new_exc("StopIteration", vec![v])
        }
    }

    /// The `.value` of a StopIteration.
    pub fn stop_iteration_value(&mut self, e: &Exc) -> Value {
        let key = self.intern("value");
        if let Some(v) = self.exc_get_attr(e, &key) {
            return v;
        }
        match &e.0.kind {
            ObjKind::Exception(x) => match x.args.borrow().kind() {
                Some(ObjKind::Tuple(t)) => t.first().cloned().unwrap_or(Value::None),
                _ => Value::None,
            },
            _ => Value::None,
        }
    }

    pub(crate) fn unbound_local(&mut self, code: &Code, slot: u32) -> Exc {
        let name = code.varnames[slot as usize]
            .as_str()
            .unwrap_or("?")
            .to_string();
        self.new_exc_msg(
            "UnboundLocalError",
            format!(
                "cannot access local variable '{name}' where it is not associated with a value"
            ),
        )
    }

    pub(crate) fn unbound_deref(&mut self, code: &Code, slot: u32) -> Exc {
        let name = code.varnames[slot as usize]
            .as_str()
            .unwrap_or("?")
            .to_string();
        if slot < code.nlocals + code.ncells {
            self.unbound_local(code, slot)
        } else {
            self.new_exc_msg(
                "NameError",
                format!(
                    "cannot access free variable '{name}' where it is not associated with a value in enclosing scope"
                ),
            )
        }
    }

    /// True when `a` is `b` or derives from it.
    pub fn is_subclass(&self, a: &ObjRef, b: &ObjRef) -> bool {
        if Rc::ptr_eq(a, b) {
            return true;
        }
        match a.as_type() {
            Some(t) => t.mro.iter().any(|c| Rc::ptr_eq(c, b)),
            None => false,
        }
    }

    /// `isinstance(v, cls)` for a class.
    pub fn isinstance(&self, v: &Value, cls: &ObjRef) -> bool {
        let t = self.type_of(v);
        self.is_subclass(t, cls)
    }

    /// True when exception `e` is an instance of the builtin class `name`.
    pub fn exc_is(&self, e: &Exc, name: &str) -> bool {
        match self.types.exceptions.get(name) {
            Some(cls) => {
                let t = match &e.0.class {
                    Some(c) => c,
                    None => return false,
                };
                self.is_subclass(t, cls)
            }
            None => false,
        }
    }

    /// `except typ:` matching (typ is a class or a tuple of classes).
    pub(crate) fn exc_matches(&mut self, exc: &Value, typ: &Value) -> PyResult<bool> {
        let base = self.types.base_exception.clone();
        let classes: Vec<Value> = match typ.kind() {
            Some(ObjKind::Tuple(items)) => items.to_vec(),
            _ => vec![typ.clone()],
        };
        for c in &classes {
            let ok =
                matches!(c, Value::Obj(o) if o.as_type().is_some() && self.is_subclass(o, &base));
            if !ok {
                return Err(self.type_error(
                    "catching classes that do not inherit from BaseException is not allowed"
                        .to_string(),
                ));
            }
        }
        let t = self.type_of(exc).clone();
        Ok(classes.iter().any(|c| match c {
            Value::Obj(o) => self.is_subclass(&t, o),
            _ => false,
        }))
    }

    pub(crate) fn add_traceback(&mut self, e: &Exc, frame: &Frame) {
        if let ObjKind::Exception(x) = &e.0.kind {
            x.traceback.borrow_mut().push(TbEntry {
                code: frame.code.clone(),
                ip: frame.lasti(),
            });
        }
    }

    fn exc_obj(e: &ObjRef) -> Option<&ExcObj> {
        match &e.kind {
            ObjKind::Exception(x) => Some(x),
            _ => None,
        }
    }

    pub fn set_cause(&mut self, e: &Exc, cause: Value) {
        if let Some(x) = Self::exc_obj(&e.0) {
            *x.cause.borrow_mut() = cause;
            x.suppress_context.set(true);
        }
    }

    pub fn set_context(&mut self, e: &Exc, ctx: Value) {
        if let Some(x) = Self::exc_obj(&e.0) {
            *x.context.borrow_mut() = ctx;
        }
    }

    /// Sets `exc.__context__` to the exception being handled, breaking cycles as CPython does.
    pub(crate) fn chain_context(&mut self, exc: &Exc, handled: &Value) {
        let Value::Obj(h) = handled else { return };
        if Rc::ptr_eq(h, &exc.0) {
            return;
        }
        // Walk the handled exception's context chain; cut it where it reaches `exc`.
        let mut o = h.clone();
        for _ in 0..10_000 {
            let next = match Self::exc_obj(&o) {
                Some(x) => x.context.borrow().clone(),
                None => break,
            };
            match next {
                Value::Obj(n) => {
                    if Rc::ptr_eq(&n, &exc.0) {
                        if let Some(x) = Self::exc_obj(&o) {
                            *x.context.borrow_mut() = Value::None;
                        }
                        break;
                    }
                    o = n;
                }
                _ => break,
            }
        }
        self.set_context(exc, handled.clone());
    }

    /// The exception currently being handled (innermost `except`/`finally`), or None.
    pub fn current_exception(&self, frame: Option<&Frame>) -> Value {
        if let Some(f) = frame {
            if !f.exc.is_null() && !f.exc.is_none() {
                return f.exc.clone();
            }
        }
        for f in self.fiber.iter().rev() {
            if !f.exc.is_null() && !f.exc.is_none() {
                return f.exc.clone();
            }
        }
        Value::None
    }

    /// Builds the exception for a `Raise` instruction.
    pub(crate) fn raise_instr(&mut self, frame: &mut Frame, n: u32) -> Exc {
        if n == 0 {
            let cur = self.current_exception(Some(frame));
            return match cur {
                Value::Obj(o) => Exc(o),
                _ => self.runtime_error("No active exception to reraise".into()),
            };
        }
        let cause = if n == 2 { Some(frame.pop()) } else { None };
        let v = frame.pop();
        let exc = match self.make_exception(v) {
            Ok(e) => e,
            Err(e) => return e,
        };
        if let Some(c) = cause {
            let c = match c {
                Value::None => Value::None,
                other => match self.make_exception(other) {
                    Ok(e) => Value::Obj(e.0),
                    Err(_) => {
                        return self
                            .type_error("exception causes must derive from BaseException".into())
                    }
                },
            };
            self.set_cause(&exc, c);
        }
        exc
    }

    /// An exception instance from a class (instantiated) or an instance.
    pub fn make_exception(&mut self, v: Value) -> PyResult<Exc> {
        let base = self.types.base_exception.clone();
        if let Value::Obj(o) = &v {
            if o.as_type().is_some() {
                if self.is_subclass(o, &base) {
                    let inst = self.call(&v, &[])?;
                    if let Value::Obj(i) = &inst {
                        if matches!(i.kind, ObjKind::Exception(_)) {
                            return Ok(Exc(i.clone()));
                        }
                    }
                    let msg = format!(
                        "calling {} should have returned an instance of BaseException, not {}",
                        self.repr_or_default(&v),
                        self.type_name(&inst)
                    );
                    return Err(self.type_error(msg));
                }
            } else if matches!(o.kind, ObjKind::Exception(_)) {
                return Ok(Exc(o.clone()));
            }
        }
        Err(self.type_error("exceptions must derive from BaseException".into()))
    }

    /// The `args` tuple of an exception.
    pub fn exc_args(&self, e: &ObjRef) -> Vec<Value> {
        match Self::exc_obj(e) {
            Some(x) => match x.args.borrow().kind() {
                Some(ObjKind::Tuple(t)) => t.to_vec(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        }
    }

    /// Sets an extra attribute on an exception (`value`, `errno`, `name`...).
    pub fn exc_set_attr(&mut self, e: &Exc, name: Value, v: Value) -> PyResult<()> {
        match &e.0.kind {
            ObjKind::Exception(x) => self.attrs_set(&x.attrs, name, v),
            _ => Ok(()),
        }
    }

    /// Reads an extra attribute of an exception.
    pub fn exc_get_attr(&mut self, e: &Exc, name: &Value) -> Option<Value> {
        match &e.0.kind {
            ObjKind::Exception(x) => self.attrs_get(&x.attrs, name),
            _ => None,
        }
    }

    /// The traceback argument passed to `__exit__` (None: Aio has no traceback objects).
    pub(crate) fn traceback_value(&mut self, _exc: &Value) -> Value {
        Value::None
    }

    /// The full traceback text of an exception and its cause/context chain.
    pub fn format_exception(&mut self, e: &Exc) -> String {
        let mut out = String::new();
        let mut seen = Vec::new();
        self.format_chain(&e.0, &mut out, &mut seen);
        out
    }

    fn format_chain(&mut self, e: &ObjRef, out: &mut String, seen: &mut Vec<usize>) {
        seen.push(Rc::as_ptr(e) as *const u8 as usize);
        if let Some(x) = Self::exc_obj(e) {
            let cause = x.cause.borrow().clone();
            let context = x.context.borrow().clone();
            let suppress = x.suppress_context.get();
            if let Value::Obj(c) = &cause {
                if !seen.contains(&(Rc::as_ptr(c) as *const u8 as usize)) {
                    self.format_chain(c, out, seen);
                    out.push_str(
                        "\nThe above exception was the direct cause of the following exception:\n\n",
                    );
                }
            } else if let (Value::Obj(c), false) = (&context, suppress) {
                if !seen.contains(&(Rc::as_ptr(c) as *const u8 as usize)) {
                    self.format_chain(c, out, seen);
                    out.push_str(
                        "\nDuring handling of the above exception, another exception occurred:\n\n",
                    );
                }
            }
        }
        self.format_single(e, out);
    }

    fn format_single(&mut self, e: &ObjRef, out: &mut String) {
        let tb: Vec<TbEntry> = match Self::exc_obj(e) {
            Some(x) => x.traceback.borrow().clone(),
            None => Vec::new(),
        };
        if !tb.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            let mut last: Option<(String, usize, String)> = None;
            let mut repeat = 0;
            for entry in tb.iter().rev() {
                let line = entry.code.line_of(entry.ip);
                let key = (
                    entry.code.file.name.clone(),
                    line,
                    entry.code.name.to_string(),
                );
                if last.as_ref() == Some(&key) {
                    repeat += 1;
                    if repeat >= 3 {
                        continue;
                    }
                } else {
                    if repeat >= 3 {
                        let n = repeat - 2;
                        out.push_str(&format!(
                            "  [Previous line repeated {} more time{}]\n",
                            n,
                            if n == 1 { "" } else { "s" }
                        ));
                    }
                    repeat = 0;
                }
                last = Some(key);
                format_tb_entry(entry, out);
            }
            if repeat >= 3 {
                let n = repeat - 2;
                out.push_str(&format!(
                    "  [Previous line repeated {} more time{}]\n",
                    n,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        let line = self.format_exception_only(e);
        out.push_str(&line);
    }

    /// `ValueError: message\n` (the last line of a traceback).
    pub fn format_exception_only(&mut self, e: &ObjRef) -> String {
        let v = Value::Obj(e.clone());
        let name = self.exc_display_name(&v);
        if self.isinstance(&v, &self.types.exc("SyntaxError").clone()) {
            if let Some(s) = self.format_syntax_error_exc(e, &name) {
                return s;
            }
        }
        let text = match self.str_of(&v) {
            Ok(s) => s,
            Err(_) => "<exception str() failed>".to_string(),
        };
        let mut s = if text.is_empty() {
            format!("{name}\n")
        } else {
            format!("{name}: {text}\n")
        };
        let notes_key = self.intern("__notes__");
        if let Some(notes) = self.exc_get_attr(&Exc(e.clone()), &notes_key) {
            if let Some(ObjKind::List(items)) = notes.kind() {
                let items = items.borrow().clone();
                for n in items {
                    if let Some(t) = n.as_str() {
                        s.push_str(t);
                        s.push('\n');
                    }
                }
            }
        }
        s
    }

    fn format_syntax_error_exc(&mut self, e: &ObjRef, name: &str) -> Option<String> {
        let ex = Exc(e.clone());
        let get = |vm: &mut Vm, k: &str| {
            let key = vm.intern(k);
            vm.exc_get_attr(&ex, &key)
        };
        let msg = get(self, "msg")?;
        let msg = msg.as_str()?.to_string();
        let filename = get(self, "filename").and_then(|v| v.as_str().map(String::from));
        let lineno = get(self, "lineno").and_then(|v| v.as_i64());
        let offset = get(self, "offset").and_then(|v| v.as_i64());
        let text = get(self, "text").and_then(|v| v.as_str().map(String::from));
        let mut s = String::new();
        if let (Some(f), Some(l)) = (filename, lineno) {
            s.push_str(&format!("  File \"{f}\", line {l}\n"));
            if let Some(t) = text {
                let stripped = t.trim_end_matches('\n');
                let indent = stripped.len() - stripped.trim_start().len();
                s.push_str(&format!("    {}\n", stripped.trim_start()));
                if let Some(o) = offset {
                    let col = (o as usize).saturating_sub(1).saturating_sub(indent);
                    s.push_str(&format!("    {}^\n", " ".repeat(col)));
                }
            }
        }
        s.push_str(&format!("{name}: {msg}\n"));
        Some(s)
    }

    /// The class name as tracebacks show it (`module.Name` outside `__main__`/builtins).
    pub fn exc_display_name(&mut self, v: &Value) -> String {
        let t = self.type_of(v).clone();
        let Some(ty) = t.as_type() else {
            return "?".into();
        };
        let qual = ty.qualname.borrow().to_string();
        let module = ty.module.borrow().clone();
        match module.as_str() {
            Some(m) if m != "__main__" && m != "builtins" => format!("{m}.{qual}"),
            _ => qual,
        }
    }

    /// Prints an uncaught exception with its traceback to stderr.
    pub fn print_exception(&mut self, e: &Exc) {
        let text = self.format_exception(e);
        self.write_stderr(&text);
    }

    /// Reports an exception that could not be raised (in a finalizer), like CPython's
    /// `sys.unraisablehook`.
    pub fn report_unraisable(&mut self, context: &str, e: &Exc) {
        let text = self.format_exception(e);
        self.write_stderr(&format!("{context}\n{text}"));
    }

    /// `repr()` that never fails (for diagnostics).
    pub fn repr_or_default(&mut self, v: &Value) -> String {
        match self.repr(v) {
            Ok(s) => s,
            Err(_) => format!("<{} object>", self.type_name(v)),
        }
    }
}

/// One `File "...", line N, in name` block, with the source line and CPython 3.11's carets.
fn format_tb_entry(entry: &TbEntry, out: &mut String) {
    let code = &entry.code;
    let file = &code.file;
    let span = code
        .spans
        .get(entry.ip as usize)
        .copied()
        .unwrap_or_default();
    let line = file.line_of(span.lo);
    out.push_str(&format!(
        "  File \"{}\", line {}, in {}\n",
        file.name, line, code.name
    ));
    let text = file.line_text(line);
    let stripped = text.trim_start();
    if stripped.is_empty() {
        return;
    }
    out.push_str(&format!("    {}\n", stripped.trim_end()));
    let indent = text.len() - stripped.len();
    let line_start = file.line_start(line);
    let lo = span.lo as usize;
    let one_line = (span.hi as usize) <= line_start + text.len();
    let hi = if one_line {
        span.hi as usize
    } else {
        line_start + text.trim_end().len()
    };
    if lo < line_start || hi <= lo || !text.is_char_boundary(hi - line_start) {
        return;
    }
    let (seg_lo, seg_hi) = (lo - line_start, hi - line_start);
    let start_col = text[..seg_lo].chars().count();
    let end_col = text[..seg_hi].chars().count();
    let content_start = text[..indent].chars().count();
    let segment = &text[seg_lo..seg_hi];
    let anchors = if one_line {
        super::carets::anchors(segment)
            .filter(|(l, r)| r > l && segment.is_char_boundary(*l) && segment.is_char_boundary(*r))
    } else {
        None
    };
    if end_col - start_col >= stripped.trim_end().chars().count() && anchors.is_none() {
        return;
    }
    let carets = match anchors {
        Some((l, r)) => {
            let l = segment[..l].chars().count();
            let r = segment[..r].chars().count();
            let n = end_col - start_col;
            format!(
                "{}{}{}",
                "~".repeat(l),
                "^".repeat(r - l),
                "~".repeat(n - r)
            )
        }
        None => "^".repeat(end_col.saturating_sub(start_col).max(1)),
    };
    out.push_str(&format!(
        "    {}{}\n",
        " ".repeat(start_col.saturating_sub(content_start)),
        carets
    ));
}
