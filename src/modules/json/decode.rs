//! The JSON decoder: a recursive-descent scanner over the document's UTF-8 bytes that
//! follows CPython's C scanner step for step, so errors name the same message and position.
//!
//! Invariant: positions reported to scripts are code-point indices (converted from byte
//! offsets only when an error is raised); a failed value scan reports `Err(Stop(idx))`, the
//! C scanner's StopIteration, which the caller turns into "Expecting value".

use super::arg;
use crate::vm::object::Args;
use crate::vm::value::Value;
use crate::vm::{Exc, PyResult, Vm};

/// Why a scan stopped: a raised exception, or "no value starts at this byte offset".
enum Fail {
    Raise(Exc),
    Stop(usize),
}

impl From<Exc> for Fail {
    fn from(e: Exc) -> Fail {
        Fail::Raise(e)
    }
}

type Scan<T> = Result<T, Fail>;

struct Decoder<'a> {
    s: &'a str,
    b: &'a [u8],
    doc: Value,
    strict: bool,
    object_hook: Value,
    object_pairs_hook: Value,
    parse_float: Value,
    parse_int: Value,
    parse_constant: Value,
    error_cls: Value,
    /// Object keys seen so far: repeated keys share one str (and its cached hash), as
    /// CPython's scanner memoizes them.
    memo: std::cell::RefCell<std::collections::HashMap<Box<str>, Value>>,
}

/// Options shared by `decode` and `raw_decode`: (doc, strict, object_hook,
/// object_pairs_hook, parse_float, parse_int, parse_constant, error_cls).
fn decoder<'a>(vm: &mut Vm, args: &Args, doc: &'a Value) -> PyResult<Decoder<'a>> {
    let s = match doc.as_str() {
        Some(s) => s,
        None => {
            let msg = format!("first argument must be a string, not {}", vm.type_name(doc));
            return Err(vm.type_error(msg));
        }
    };
    let strict = vm.truthy(&arg(args, 1))?;
    Ok(Decoder {
        s,
        b: s.as_bytes(),
        doc: doc.clone(),
        strict,
        object_hook: arg(args, 2),
        object_pairs_hook: arg(args, 3),
        parse_float: arg(args, 4),
        parse_int: arg(args, 5),
        parse_constant: arg(args, 6),
        error_cls: arg(args, 7),
        memo: Default::default(),
    })
}

/// `decode(doc, strict, object_hook, object_pairs_hook, parse_float, parse_int,
/// parse_constant, error_cls)`: the whole document must be one value plus whitespace.
pub fn decode(vm: &mut Vm, args: Args) -> PyResult {
    let doc = arg(&args, 0);
    let d = decoder(vm, &args, &doc)?;
    let start = d.skip_ws(0);
    let (v, end) = d.top(vm, start)?;
    let end = d.skip_ws(end);
    if end != d.b.len() {
        return Err(d.error(vm, "Extra data", end));
    }
    Ok(v)
}

/// `raw_decode(doc, strict, ..., error_cls, idx)`: one value starting at code point `idx`;
/// returns `(value, end)` with `end` a code-point index.
pub fn raw_decode(vm: &mut Vm, args: Args) -> PyResult {
    let doc = arg(&args, 0);
    let d = decoder(vm, &args, &doc)?;
    let idx = vm.index_value(&arg(&args, 8))?;
    if idx < 0 {
        return Err(vm.value_error("idx cannot be negative".into()));
    }
    let start = d.byte_of(idx as usize);
    let (v, end) = d.top(vm, start)?;
    let end = d.char_of(end) as i64;
    Ok(vm.new_tuple(vec![v, Value::Int(end)]))
}

/// `scanstring(s, end, strict=True)`: the string whose opening quote precedes `end`.
pub fn scanstring(vm: &mut Vm, args: Args) -> PyResult {
    let doc = arg(&args, 0);
    let mut a: Vec<Value> = vec![doc.clone(), Value::TRUE];
    if let Some(s) = args.pos.get(2) {
        a[1] = s.clone();
    }
    let fake = Args {
        pos: &a,
        kwnames: &[],
        kwvalues: &[],
        data: args.data,
    };
    let d = decoder(vm, &fake, &doc)?;
    let end = vm.index_value(&arg(&args, 1))?;
    let start = d.byte_of(end.max(0) as usize);
    match d.string(vm, start) {
        Ok((s, e)) => {
            let e = d.char_of(e) as i64;
            Ok(vm.new_tuple(vec![s, Value::Int(e)]))
        }
        Err(Fail::Raise(e)) => Err(e),
        Err(Fail::Stop(i)) => Err(d.error(vm, "Expecting value", i)),
    }
}

fn recursion(vm: &mut Vm, what: &str) -> Exc {
    vm.new_exc_msg(
        "RecursionError",
        format!(
            "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
        ),
    )
}

impl<'a> Decoder<'a> {
    fn byte_of(&self, chars: usize) -> usize {
        if self.s.is_ascii() {
            return chars.min(self.b.len());
        }
        self.s
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.b.len())
    }

    fn char_of(&self, byte: usize) -> usize {
        if self.s.is_ascii() {
            return byte;
        }
        self.s[..byte.min(self.b.len())].chars().count()
    }

    /// A JSONDecodeError at byte offset `pos`.
    fn error(&self, vm: &mut Vm, msg: &str, pos: usize) -> Exc {
        let m = vm.new_str(msg);
        let p = Value::Int(self.char_of(pos) as i64);
        match vm.call(&self.error_cls, &[m, self.doc.clone(), p]) {
            Ok(e) => match vm.make_exception(e) {
                Ok(e) => e,
                Err(e) => e,
            },
            Err(e) => e,
        }
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while i < self.b.len() && matches!(self.b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    fn top(&self, vm: &mut Vm, idx: usize) -> PyResult<(Value, usize)> {
        match self.value(vm, idx) {
            Ok(r) => Ok(r),
            Err(Fail::Raise(e)) => Err(e),
            Err(Fail::Stop(i)) => Err(self.error(vm, "Expecting value", i)),
        }
    }

    fn starts(&self, idx: usize, lit: &str) -> bool {
        self.b.get(idx..idx + lit.len()) == Some(lit.as_bytes())
    }

    fn constant(&self, vm: &mut Vm, name: &str, end: usize) -> Scan<(Value, usize)> {
        if self.parse_constant.is_none() {
            let f = match name {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            };
            return Ok((Value::from_f64(f), end));
        }
        let n = vm.new_str(name);
        Ok((vm.call(&self.parse_constant, &[n])?, end))
    }

    fn value(&self, vm: &mut Vm, idx: usize) -> Scan<(Value, usize)> {
        let Some(&c) = self.b.get(idx) else {
            return Err(Fail::Stop(idx));
        };
        match c {
            b'"' => self.string(vm, idx + 1),
            b'{' => {
                vm.enter_recursion().map_err(|_| recursion(vm, "object"))?;
                let r = self.object(vm, idx + 1);
                vm.leave_recursion();
                r
            }
            b'[' => {
                vm.enter_recursion().map_err(|_| recursion(vm, "array"))?;
                let r = self.array(vm, idx + 1);
                vm.leave_recursion();
                r
            }
            b'n' if self.starts(idx, "null") => Ok((Value::None, idx + 4)),
            b't' if self.starts(idx, "true") => Ok((Value::TRUE, idx + 4)),
            b'f' if self.starts(idx, "false") => Ok((Value::FALSE, idx + 5)),
            b'N' if self.starts(idx, "NaN") => self.constant(vm, "NaN", idx + 3),
            b'I' if self.starts(idx, "Infinity") => self.constant(vm, "Infinity", idx + 8),
            b'-' if self.starts(idx, "-Infinity") => self.constant(vm, "-Infinity", idx + 9),
            _ => self.number(vm, idx),
        }
    }

    fn digit(&self, i: usize) -> bool {
        self.b.get(i).is_some_and(|c| c.is_ascii_digit())
    }

    fn number(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let b = self.b;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'1'..=b'9') => {
                i += 1;
                while self.digit(i) {
                    i += 1;
                }
            }
            Some(b'0') => i += 1,
            _ => return Err(Fail::Stop(start)),
        }
        let mut is_float = false;
        if b.get(i) == Some(&b'.') && self.digit(i + 1) {
            is_float = true;
            i += 2;
            while self.digit(i) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let e_start = i;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let digits_at = i;
            while self.digit(i) {
                i += 1;
            }
            if i > digits_at {
                is_float = true;
            } else {
                i = e_start;
            }
        }
        let text = &self.s[start..i];
        let v = if is_float {
            if self.parse_float.is_none() {
                Value::from_f64(crate::fmt::float_from_str(text).unwrap_or(f64::NAN))
            } else {
                let t = vm.new_str(text);
                vm.call(&self.parse_float, &[t])?
            }
        } else if self.parse_int.is_none() {
            match text.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    let t = vm.new_str(text);
                    crate::types::int::to_int(vm, &t)?
                }
            }
        } else {
            let t = vm.new_str(text);
            vm.call(&self.parse_int, &[t])?
        };
        Ok((v, i))
    }

    /// Scans a string body starting after its opening quote.
    fn string(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let b = self.b;
        let begin = start - 1;
        let mut i = start;
        // Fast path: no escapes.
        while i < b.len() {
            let c = b[i];
            if c == b'"' {
                let v = vm.new_str(&self.s[start..i]);
                return Ok((v, i + 1));
            }
            if c == b'\\' || (c < 0x20 && self.strict) {
                break;
            }
            i += 1;
        }
        let mut out = String::from(&self.s[start..i.min(b.len())]);
        loop {
            let chunk = i;
            while i < b.len() && b[i] != b'"' && b[i] != b'\\' && !(b[i] < 0x20 && self.strict) {
                i += 1;
            }
            out.push_str(&self.s[chunk..i.min(b.len())]);
            let Some(&c) = b.get(i) else {
                return Err(self
                    .error(vm, "Unterminated string starting at", begin)
                    .into());
            };
            if c == b'"' {
                return Ok((vm.new_str(out), i + 1));
            }
            if c != b'\\' {
                return Err(self.error(vm, "Invalid control character at", i).into());
            }
            i += 1;
            let Some(&e) = b.get(i) else {
                return Err(self
                    .error(vm, "Unterminated string starting at", begin)
                    .into());
            };
            if e != b'u' {
                let ch = match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(self.error(vm, "Invalid \\escape", i - 1).into()),
                };
                out.push(ch);
                i += 1;
                continue;
            }
            let Some(cp) = self.hex4(i + 1) else {
                return Err(self.error(vm, "Invalid \\uXXXX escape", i).into());
            };
            i += 5;
            let mut cp = cp;
            if (0xd800..0xdc00).contains(&cp)
                && b.get(i) == Some(&b'\\')
                && b.get(i + 1) == Some(&b'u')
            {
                match self.hex4(i + 2) {
                    Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        i += 6;
                    }
                    Some(_) => {}
                    None => return Err(self.error(vm, "Invalid \\uXXXX escape", i + 1).into()),
                }
            }
            // A lone surrogate cannot live in UTF-8 text: it becomes U+FFFD.
            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
        }
    }

    /// An object key: a memoized str.
    fn key(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let (k, end) = self.string(vm, start)?;
        let Some(text) = k.as_str() else {
            return Ok((k, end));
        };
        if let Some(v) = self.memo.borrow().get(text) {
            return Ok((v.clone(), end));
        }
        self.memo.borrow_mut().insert(text.into(), k.clone());
        Ok((k, end))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.b.get(at..at + 4)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16)?;
        }
        Some(v)
    }

    fn object(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let b = self.b;
        let mut i = self.skip_ws(start);
        let mut pairs: Vec<(Value, Value)> = Vec::new();
        if b.get(i) != Some(&b'}') {
            loop {
                if b.get(i) != Some(&b'"') {
                    return Err(self
                        .error(vm, "Expecting property name enclosed in double quotes", i)
                        .into());
                }
                let (key, next) = self.key(vm, i + 1)?;
                i = self.skip_ws(next);
                if b.get(i) != Some(&b':') {
                    return Err(self.error(vm, "Expecting ':' delimiter", i).into());
                }
                i = self.skip_ws(i + 1);
                let (val, next) = self.value(vm, i)?;
                pairs.push((key, val));
                i = self.skip_ws(next);
                match b.get(i) {
                    Some(b'}') => break,
                    Some(b',') => i = self.skip_ws(i + 1),
                    _ => return Err(self.error(vm, "Expecting ',' delimiter", i).into()),
                }
            }
        }
        let end = i + 1;
        if !self.object_pairs_hook.is_none() {
            let items: Vec<Value> = pairs
                .into_iter()
                .map(|(k, v)| vm.new_tuple(vec![k, v]))
                .collect();
            let l = vm.new_list(items);
            return Ok((vm.call(&self.object_pairs_hook, &[l])?, end));
        }
        let d = vm.new_dict_obj();
        for (k, v) in pairs {
            vm.dict_set(&d, k, v)?;
        }
        let d = Value::Obj(d);
        if !self.object_hook.is_none() {
            return Ok((vm.call(&self.object_hook, &[d])?, end));
        }
        Ok((d, end))
    }

    fn array(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let b = self.b;
        let mut i = self.skip_ws(start);
        let mut items = Vec::new();
        if i < b.len() && b[i] != b']' {
            loop {
                let (v, next) = self.value(vm, i)?;
                items.push(v);
                i = self.skip_ws(next);
                match b.get(i) {
                    Some(b']') => break,
                    Some(b',') => i = self.skip_ws(i + 1),
                    _ => return Err(self.error(vm, "Expecting ',' delimiter", i).into()),
                }
            }
        }
        if b.get(i) != Some(&b']') {
            return Err(self.error(vm, "Expecting value", i).into());
        }
        let l = vm.new_list(items);
        Ok((l, i + 1))
    }
}
