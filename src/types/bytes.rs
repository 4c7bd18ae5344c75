//! `bytes` and `bytearray`.
//! Invariant: `bytes` payloads are immutable; `bytearray` mutation never holds its borrow
//! across user code.

use super::list::{cannot_multiply, repeat_count};
use crate::compile::code::CmpKind;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// The bytes of a bytes or bytearray value.
pub fn bytes_of(v: &Value) -> Option<Vec<u8>> {
    match v.kind()? {
        ObjKind::Bytes(b) => Some(b.to_vec()),
        ObjKind::ByteArray(b) => Some(b.borrow().clone()),
        _ => None,
    }
}

fn is_bytearray(v: &Value) -> bool {
    matches!(v.kind(), Some(ObjKind::ByteArray(_)))
}

fn make(vm: &mut Vm, like: &Value, b: Vec<u8>) -> Value {
    if is_bytearray(like) {
        Value::Obj(vm.alloc(ObjKind::ByteArray(std::cell::RefCell::new(b))))
    } else {
        vm.new_bytes(b)
    }
}

/// Decodes UTF-8 with CPython's error message.
pub fn decode_utf8(vm: &mut Vm, b: &[u8]) -> PyResult {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(vm.new_str(s)),
        Err(e) => {
            let pos = e.valid_up_to();
            let byte = b[pos];
            let reason = if e.error_len().is_none() {
                "unexpected end of data"
            } else if (0x80..0xc2).contains(&byte) || byte >= 0xf5 {
                "invalid start byte"
            } else {
                "invalid continuation byte"
            };
            let end = pos + e.error_len().unwrap_or(b.len() - pos).max(1);
            let msg = if end - pos <= 1 || reason == "invalid start byte" {
                format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}")
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {}-{}: {reason}",
                    pos,
                    end - 1
                )
            };
            Err(vm.new_exc_msg("UnicodeDecodeError", msg))
        }
    }
}

/// `bytes + bytes`, `bytes * n`, `bytes % args`.
pub fn binop(vm: &mut Vm, op: BinOp, a: &Value, b: &Value) -> Option<PyResult> {
    match op {
        BinOp::Add => {
            let x = bytes_of(a)?;
            let Some(y) = bytes_of(b) else {
                let msg = format!("can't concat {} to {}", vm.type_name(b), vm.type_name(a));
                return Some(Err(vm.type_error(msg)));
            };
            let mut out = x;
            out.extend(y);
            Some(Ok(make(vm, a, out)))
        }
        BinOp::Mult => {
            let (seq, n) = if bytes_of(a).is_some() {
                (a, b)
            } else {
                (b, a)
            };
            let count = match repeat_count(vm, n, "bytes") {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(cannot_multiply(vm, n))),
            };
            let src = bytes_of(seq)?;
            if let Err(e) = vm.reserve_items(src.len(), count) {
                return Some(Err(e));
            }
            Some(Ok(make(vm, seq, src.repeat(count))))
        }
        BinOp::Mod => {
            let tmpl = bytes_of(a)?;
            Some(super::str::percent_bytes(vm, &tmpl, b).map(|out| make(vm, a, out)))
        }
        _ => None,
    }
}

/// `b[i]`, `b[a:b]`.
pub fn getitem(vm: &mut Vm, v: &Value, key: &Value) -> PyResult {
    let b = bytes_of(v).unwrap_or_default();
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let s = vm.slice_indices(key, b.len())?;
        let out: Vec<u8> = s.indices().map(|i| b[i]).collect();
        return Ok(make(vm, v, out));
    }
    let i = match vm.index_value(key) {
        Ok(i) => i,
        Err(_) => {
            let msg = format!(
                "byte indices must be integers or slices, not {}",
                vm.type_name(key)
            );
            return Err(vm.type_error(msg));
        }
    };
    match vm.norm_index(i, b.len()) {
        Some(i) => Ok(Value::Int(b[i] as i64)),
        None => Err(vm.index_error(if is_bytearray(v) {
            "bytearray index out of range".into()
        } else {
            "index out of range".into()
        })),
    }
}

/// `bytearray[i] = x`.
pub fn setitem(vm: &mut Vm, v: &Value, key: Value, x: Value) -> PyResult<()> {
    let Some(ObjKind::ByteArray(cell)) = v.kind() else {
        return Ok(());
    };
    if let Some(ObjKind::Slice(_)) = key.kind() {
        return set_slice(vm, cell, &key, &x);
    }
    let i = vm.index_value(&key)?;
    let n = vm.index_value(&x)?;
    if !(0..256).contains(&n) {
        return Err(vm.value_error("byte must be in range(0, 256)".into()));
    }
    let len = cell.borrow().len();
    match vm.norm_index(i, len) {
        Some(i) => {
            cell.borrow_mut()[i] = n as u8;
            Ok(())
        }
        None => Err(vm.index_error("bytearray index out of range".into())),
    }
}

/// `bytearray[a:b:c] = bytes-like or iterable of ints`.
fn set_slice(
    vm: &mut Vm,
    cell: &std::cell::RefCell<Vec<u8>>,
    key: &Value,
    x: &Value,
) -> PyResult<()> {
    let new = match bytes_of(x) {
        Some(b) => b,
        None => {
            let bad = || "can assign only bytes, buffers, or iterables of ints in range(0, 256)";
            if x.as_str().is_some() || !vm.has_iter(x) {
                return Err(vm.type_error(bad().into()));
            }
            let mut out = Vec::new();
            for item in vm.collect_iterable(x)? {
                let n = match item.as_i64() {
                    Some(n) => n,
                    None => return Err(vm.type_error(bad().into())),
                };
                if !(0..256).contains(&n) {
                    return Err(vm.value_error("byte must be in range(0, 256)".into()));
                }
                out.push(n as u8);
            }
            out
        }
    };
    let len = cell.borrow().len();
    let s = vm.slice_indices(key, len)?;
    if s.step == 1 {
        let start = s.start as usize;
        cell.borrow_mut().splice(start..start + s.len, new);
        return Ok(());
    }
    if new.len() != s.len {
        return Err(vm.value_error(format!(
            "attempt to assign bytes of size {} to extended slice of size {}",
            new.len(),
            s.len
        )));
    }
    let mut b = cell.borrow_mut();
    for (i, x) in s.indices().zip(new) {
        b[i] = x;
    }
    Ok(())
}

/// `del bytearray[i]`, `del bytearray[a:b:c]`.
pub fn delitem(vm: &mut Vm, v: &Value, key: &Value) -> PyResult<()> {
    let Some(ObjKind::ByteArray(cell)) = v.kind() else {
        return Ok(());
    };
    let len = cell.borrow().len();
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let s = vm.slice_indices(key, len)?;
        let mut doomed: Vec<usize> = s.indices().collect();
        doomed.sort_unstable();
        let mut b = cell.borrow_mut();
        for i in doomed.into_iter().rev() {
            b.remove(i);
        }
        return Ok(());
    }
    let i = vm.index_value(key)?;
    match vm.norm_index(i, len) {
        Some(i) => {
            cell.borrow_mut().remove(i);
            Ok(())
        }
        None => Err(vm.index_error("bytearray index out of range".into())),
    }
}

/// `x in b`.
pub fn contains(vm: &mut Vm, v: &Value, item: &Value) -> PyResult<bool> {
    let b = bytes_of(v).unwrap_or_default();
    if let Some(n) = item.as_i64() {
        if !(0..256).contains(&n) {
            return Err(vm.value_error("byte must be in range(0, 256)".into()));
        }
        return Ok(b.contains(&(n as u8)));
    }
    match bytes_of(item) {
        Some(needle) => Ok(needle.is_empty() || b.windows(needle.len()).any(|w| w == needle)),
        None => {
            let msg = format!(
                "a bytes-like object is required, not '{}'",
                vm.type_name(item)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn bytes_from(vm: &mut Vm, src: Option<&Value>, encoding: Option<&Value>) -> PyResult<Vec<u8>> {
    let Some(src) = src else {
        return Ok(Vec::new());
    };
    if let Some(s) = src.as_str() {
        if encoding.is_none() {
            return Err(vm.type_error("string argument without an encoding".into()));
        }
        let s = vm.new_str(s);
        let enc = encoding.cloned().unwrap_or(Value::None);
        let r = vm.call_method(&s, "encode", &[enc])?;
        return Ok(bytes_of(&r).unwrap_or_default());
    }
    if let Some(b) = bytes_of(src) {
        return Ok(b);
    }
    if let Some(n) = src.as_i64() {
        if n < 0 {
            return Err(vm.value_error("negative count".into()));
        }
        return Ok(vec![0; n as usize]);
    }
    let items = match vm.collect_iterable(src) {
        Ok(i) => i,
        Err(e) if vm.exc_is(&e, "TypeError") => {
            let msg = format!("cannot convert '{}' object to bytes", vm.type_name(src));
            return Err(vm.type_error(msg));
        }
        Err(e) => return Err(e),
    };
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let n = vm.index_value(&i)?;
        if !(0..256).contains(&n) {
            return Err(vm.value_error("bytes must be in range(0, 256)".into()));
        }
        out.push(n as u8);
    }
    Ok(out)
}

fn bytes_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [src, enc, _errors] = rest.bind(vm, "bytes", ["source", "encoding", "errors"], 0)?;
    let b = bytes_from(vm, src.as_ref(), enc.as_ref())?;
    Ok(vm.new_bytes(b))
}

fn bytearray_new(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [src, enc, _errors] = rest.bind(vm, "bytearray", ["source", "encoding", "errors"], 0)?;
    let b = bytes_from(vm, src.as_ref(), enc.as_ref())?;
    Ok(Value::Obj(
        vm.alloc(ObjKind::ByteArray(std::cell::RefCell::new(b))),
    ))
}

fn this(args: &Args) -> Vec<u8> {
    bytes_of(&args.pos[0]).unwrap_or_default()
}

fn decode(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [encoding, errors] = rest.bind(vm, "decode", ["encoding", "errors"], 0)?;
    let enc = encoding
        .as_ref()
        .and_then(|e| e.as_str())
        .unwrap_or("utf-8")
        .to_lowercase()
        .replace('_', "-");
    let errors = errors
        .as_ref()
        .and_then(|e| e.as_str())
        .unwrap_or("strict")
        .to_string();
    let b = this(&args);
    match enc.as_str() {
        "utf-8" | "utf8" => {
            if errors == "strict" {
                decode_utf8(vm, &b)
            } else if errors == "ignore" {
                let s: String = String::from_utf8_lossy(&b).replace('\u{fffd}', "");
                Ok(vm.new_str(s))
            } else {
                Ok(vm.new_str(String::from_utf8_lossy(&b).to_string()))
            }
        }
        "ascii" => {
            if let Some(pos) = b.iter().position(|&c| c >= 128) {
                let msg = format!(
                    "'ascii' codec can't decode byte 0x{:02x} in position {pos}: ordinal not in range(128)",
                    b[pos]
                );
                return Err(vm.new_exc_msg("UnicodeDecodeError", msg));
            }
            Ok(vm.new_str(String::from_utf8_lossy(&b).to_string()))
        }
        "latin-1" | "latin1" | "iso-8859-1" => {
            let s: String = b.iter().map(|&c| c as char).collect();
            Ok(vm.new_str(s))
        }
        other => Err(vm.new_exc_msg("LookupError", format!("unknown encoding: {other}"))),
    }
}

fn hex(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let sep = args.pos.get(1).and_then(|s| s.as_str()).map(String::from);
    let parts: Vec<String> = b.iter().map(|c| format!("{c:02x}")).collect();
    let s = match sep {
        Some(sep) => parts.join(&sep),
        None => parts.concat(),
    };
    Ok(vm.new_str(s))
}

fn fromhex(vm: &mut Vm, args: Args) -> PyResult {
    let s = args
        .pos
        .get(1)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let hi = chars[i].to_digit(16);
        let lo = chars.get(i + 1).and_then(|c| c.to_digit(16));
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => {
                let pos = if hi.is_none() { i } else { i + 1 };
                return Err(vm.value_error(format!(
                    "non-hexadecimal number found in fromhex() arg at position {pos}"
                )));
            }
        }
        i += 2;
    }
    let cls = args.pos[0].clone();
    let b = vm.new_bytes(out);
    if let Value::Obj(c) = &cls {
        if std::rc::Rc::ptr_eq(c, &vm.types.bytearray) {
            return vm.call(&cls, &[b]);
        }
    }
    Ok(b)
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn needle(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(n) = v.as_i64() {
        return Ok(vec![n as u8]);
    }
    match bytes_of(v) {
        Some(b) => Ok(b),
        None => {
            let msg = format!(
                "argument should be integer or bytes-like object, not '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn find(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let n = needle(vm, &args.pos[1])?;
    Ok(Value::Int(find_sub(&b, &n).map(|i| i as i64).unwrap_or(-1)))
}

fn index(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let n = needle(vm, &args.pos[1])?;
    match find_sub(&b, &n) {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("subsection not found".into())),
    }
}

fn count(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let n = needle(vm, &args.pos[1])?;
    if n.is_empty() {
        return Ok(Value::Int(b.len() as i64 + 1));
    }
    let mut c = 0;
    let mut i = 0;
    while i + n.len() <= b.len() {
        if b[i..i + n.len()] == n[..] {
            c += 1;
            i += n.len();
        } else {
            i += 1;
        }
    }
    Ok(Value::Int(c))
}

fn affix(vm: &mut Vm, args: &Args, end: bool) -> PyResult {
    let b = this(args);
    let cands: Vec<Value> = match args.pos[1].kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => vec![args.pos[1].clone()],
    };
    for c in cands {
        let p = needle(vm, &c)?;
        if (end && b.ends_with(&p)) || (!end && b.starts_with(&p)) {
            return Ok(Value::TRUE);
        }
    }
    Ok(Value::FALSE)
}

fn startswith(vm: &mut Vm, args: Args) -> PyResult {
    affix(vm, &args, false)
}

fn endswith(vm: &mut Vm, args: Args) -> PyResult {
    affix(vm, &args, true)
}

fn split(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let sep = args.pos.get(1).filter(|v| !v.is_none()).cloned();
    let parts: Vec<Vec<u8>> = match sep {
        None => b
            .split(|c| c.is_ascii_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| p.to_vec())
            .collect(),
        Some(s) => {
            let s = needle(vm, &s)?;
            if s.is_empty() {
                return Err(vm.value_error("empty separator".into()));
            }
            let mut out = Vec::new();
            let mut rest: &[u8] = &b;
            while let Some(i) = find_sub(rest, &s) {
                out.push(rest[..i].to_vec());
                rest = &rest[i + s.len()..];
            }
            out.push(rest.to_vec());
            out
        }
    };
    let like = args.pos[0].clone();
    let items: Vec<Value> = parts.into_iter().map(|p| make(vm, &like, p)).collect();
    Ok(vm.new_list(items))
}

fn join(vm: &mut Vm, args: Args) -> PyResult {
    let sep = this(&args);
    let items = vm.collect_iterable(&args.pos[1])?;
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        match bytes_of(it) {
            Some(b) => out.extend(b),
            None => {
                let msg = format!(
                    "sequence item {i}: expected a bytes-like object, {} found",
                    vm.type_name(it)
                );
                return Err(vm.type_error(msg));
            }
        }
    }
    let like = args.pos[0].clone();
    Ok(make(vm, &like, out))
}

fn strip_common(vm: &mut Vm, args: &Args, l: bool, r: bool) -> PyResult {
    let b = this(args);
    let chars: Vec<u8> = match args.pos.get(1) {
        Some(v) if !v.is_none() => needle(vm, v)?,
        _ => b" \t\n\r\x0b\x0c".to_vec(),
    };
    let mut s = &b[..];
    if l {
        while let Some((first, rest)) = s.split_first() {
            if chars.contains(first) {
                s = rest;
            } else {
                break;
            }
        }
    }
    if r {
        while let Some((last, rest)) = s.split_last() {
            if chars.contains(last) {
                s = rest;
            } else {
                break;
            }
        }
    }
    let like = args.pos[0].clone();
    Ok(make(vm, &like, s.to_vec()))
}

fn strip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, true, true)
}

fn lstrip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, true, false)
}

fn rstrip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, false, true)
}

fn replace(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let old = needle(vm, &args.pos[1])?;
    let new = needle(vm, &args.pos[2])?;
    let mut out = Vec::new();
    let mut rest: &[u8] = &b;
    if old.is_empty() {
        for c in b.iter() {
            out.extend_from_slice(&new);
            out.push(*c);
        }
        out.extend_from_slice(&new);
    } else {
        while let Some(i) = find_sub(rest, &old) {
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(&new);
            rest = &rest[i + old.len()..];
        }
        out.extend_from_slice(rest);
    }
    let like = args.pos[0].clone();
    Ok(make(vm, &like, out))
}

fn upper(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args).to_ascii_uppercase();
    let like = args.pos[0].clone();
    Ok(make(vm, &like, b))
}

fn lower(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args).to_ascii_lowercase();
    let like = args.pos[0].clone();
    Ok(make(vm, &like, b))
}

fn append(vm: &mut Vm, args: Args) -> PyResult {
    let n = vm.index_value(&args.pos[1])?;
    if !(0..256).contains(&n) {
        return Err(vm.value_error("byte must be in range(0, 256)".into()));
    }
    vm.reserve(1)?;
    if let Some(ObjKind::ByteArray(c)) = args.pos[0].kind() {
        c.borrow_mut().push(n as u8);
    }
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: Args) -> PyResult {
    let b = bytes_from(vm, Some(&args.pos[1]), None)?;
    vm.reserve(b.len())?;
    if let Some(ObjKind::ByteArray(c)) = args.pos[0].kind() {
        c.borrow_mut().extend(b);
    }
    Ok(Value::None)
}

fn len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(this(&args).len() as i64))
}

fn getitem_m(vm: &mut Vm, args: Args) -> PyResult {
    getitem(vm, &args.pos[0], &args.pos[1])
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let b = this(&args);
    let r = crate::fmt::bytes_repr(&b);
    let s = if is_bytearray(&args.pos[0]) {
        format!("bytearray({r})")
    } else {
        r
    };
    Ok(vm.new_str(s))
}

fn hash_m(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(crate::hash::hash_bytes(
        &vm.hash_secret,
        &this(&args),
    )))
}

macro_rules! bytes_cmp_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            match (bytes_of(&args.pos[0]), bytes_of(&args.pos[1])) {
                (Some(a), Some(b)) => Ok(Value::from_bool(super::cmp_ord($op, a.cmp(&b)))),
                _ => Ok(vm.not_implemented()),
            }
        }
    };
}

bytes_cmp_method!(eq, CmpKind::Eq);
bytes_cmp_method!(ne, CmpKind::Ne);
bytes_cmp_method!(lt, CmpKind::Lt);
bytes_cmp_method!(le, CmpKind::Le);
bytes_cmp_method!(gt, CmpKind::Gt);
bytes_cmp_method!(ge, CmpKind::Ge);

/// Installs bytes and bytearray methods.
pub fn init(vm: &mut Vm) {
    let common: &[(&str, crate::vm::object::NativeFn)] = &[
        ("decode", decode),
        ("hex", hex),
        ("find", find),
        ("index", index),
        ("count", count),
        ("startswith", startswith),
        ("endswith", endswith),
        ("split", split),
        ("join", join),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("replace", replace),
        ("upper", upper),
        ("lower", lower),
        ("__len__", len),
        ("__getitem__", getitem_m),
        ("__repr__", repr_m),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    let b = vm.types.bytes.clone();
    let ba = vm.types.bytearray.clone();
    for (name, f) in common {
        vm.add_method(&b, name, *f);
        vm.add_method(&ba, name, *f);
    }
    vm.add_method(&b, "__hash__", hash_m);
    vm.type_dict_set(&ba, "__hash__", Value::None);
    vm.add_method(&ba, "append", append);
    vm.add_method(&ba, "extend", extend);
    vm.add_staticmethod(&b, "__new__", bytes_new);
    vm.add_staticmethod(&ba, "__new__", bytearray_new);
    vm.add_classmethod(&b, "fromhex", fromhex);
    vm.add_classmethod(&ba, "fromhex", fromhex);
}
