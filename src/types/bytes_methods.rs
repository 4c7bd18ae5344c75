//! The rest of `bytes` and `bytearray`: case and layout methods, classification, searches
//! with start/end, partition, rsplit, splitlines, translate/maketrans, and bytearray's list
//! mutators. Results have the type of the receiver (bytes or bytearray).
//! Invariant: these methods only read the receiver's bytes (copied out first) and never
//! run Aio code while a bytearray is borrowed.

use super::bytes::bytes_of;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, NativeFn, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

fn this(args: &Args) -> Vec<u8> {
    bytes_of(&args.pos[0]).unwrap_or_default()
}

fn is_bytearray(v: &Value) -> bool {
    matches!(v.kind(), Some(ObjKind::ByteArray(_)))
}

/// A result of the receiver's type.
fn same(vm: &mut Vm, recv: &Value, b: Vec<u8>) -> Value {
    if is_bytearray(recv) {
        Value::Obj(vm.alloc(ObjKind::ByteArray(RefCell::new(b))))
    } else {
        vm.new_bytes(b)
    }
}

fn needle(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(i) = v.as_i64() {
        if !(0..256).contains(&i) {
            return Err(vm.value_error("byte must be in range(0, 256)".into()));
        }
        return Ok(vec![i as u8]);
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

fn window(
    vm: &mut Vm,
    len: usize,
    start: Option<&Value>,
    end: Option<&Value>,
) -> PyResult<(usize, usize)> {
    let n = len as i64;
    let norm = |x: i64| if x < 0 { (x + n).max(0) } else { x.min(n) };
    let a = match vm.arg_opt_index(start)? {
        Some(x) => norm(x),
        None => 0,
    };
    let b = match vm.arg_opt_index(end)? {
        Some(x) => norm(x),
        None => n,
    };
    Ok((a as usize, b as usize))
}

fn search(vm: &mut Vm, args: &Args, name: &str, right: bool) -> PyResult<Option<usize>> {
    args.method_range(vm, name, 1, 3)?;
    let b = this(args);
    let n = needle(vm, &args.pos[1])?;
    let (a, e) = window(vm, b.len(), args.pos.get(2), args.pos.get(3))?;
    if a > e || e - a < n.len() {
        return Ok(if n.is_empty() && a <= e {
            Some(if right { e } else { a })
        } else {
            None
        });
    }
    let hay = &b[a..e];
    let found = if n.is_empty() {
        Some(if right { hay.len() } else { 0 })
    } else if right {
        hay.windows(n.len()).rposition(|w| w == &n[..])
    } else {
        hay.windows(n.len()).position(|w| w == &n[..])
    };
    Ok(found.map(|i| i + a))
}

fn find(vm: &mut Vm, args: Args) -> PyResult {
    let r = search(vm, &args, "find", false)?;
    Ok(Value::Int(r.map_or(-1, |i| i as i64)))
}

fn rfind(vm: &mut Vm, args: Args) -> PyResult {
    let r = search(vm, &args, "rfind", true)?;
    Ok(Value::Int(r.map_or(-1, |i| i as i64)))
}

fn index(vm: &mut Vm, args: Args) -> PyResult {
    match search(vm, &args, "index", false)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("subsection not found".into())),
    }
}

fn rindex(vm: &mut Vm, args: Args) -> PyResult {
    match search(vm, &args, "rindex", true)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("subsection not found".into())),
    }
}

fn count(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "count", 1, 3)?;
    let b = this(&args);
    let n = needle(vm, &args.pos[1])?;
    let (a, e) = window(vm, b.len(), args.pos.get(2), args.pos.get(3))?;
    if a > e {
        return Ok(Value::Int(0));
    }
    let hay = &b[a..e];
    if n.is_empty() {
        return Ok(Value::Int(hay.len() as i64 + 1));
    }
    let (mut c, mut i) = (0, 0);
    while i + n.len() <= hay.len() {
        if hay[i..i + n.len()] == n[..] {
            c += 1;
            i += n.len();
        } else {
            i += 1;
        }
    }
    Ok(Value::Int(c))
}

fn map_bytes(vm: &mut Vm, args: Args, name: &str, f: fn(&[u8]) -> Vec<u8>) -> PyResult {
    args.method_range(vm, name, 0, 0)?;
    let out = f(&this(&args));
    Ok(same(vm, &args.pos[0], out))
}

fn capitalize_b(b: &[u8]) -> Vec<u8> {
    b.iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn swapcase_b(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

fn title_b(b: &[u8]) -> Vec<u8> {
    let mut prev_cased = false;
    b.iter()
        .map(|&c| {
            let r = if prev_cased {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
            prev_cased = c.is_ascii_alphabetic();
            r
        })
        .collect()
}

fn capitalize(vm: &mut Vm, args: Args) -> PyResult {
    map_bytes(vm, args, "capitalize", capitalize_b)
}

fn swapcase(vm: &mut Vm, args: Args) -> PyResult {
    map_bytes(vm, args, "swapcase", swapcase_b)
}

fn title(vm: &mut Vm, args: Args) -> PyResult {
    map_bytes(vm, args, "title", title_b)
}

fn classify(vm: &mut Vm, args: Args, name: &str, f: fn(&[u8]) -> bool) -> PyResult {
    args.method_range(vm, name, 0, 0)?;
    Ok(Value::from_bool(f(&this(&args))))
}

fn cased(b: &[u8], upper: bool) -> bool {
    let mut any = false;
    for c in b {
        if c.is_ascii_alphabetic() {
            any = true;
            if c.is_ascii_uppercase() != upper {
                return false;
            }
        }
    }
    any
}

fn istitle_b(b: &[u8]) -> bool {
    let (mut prev_cased, mut any) = (false, false);
    for &c in b {
        if c.is_ascii_uppercase() {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            any = true;
        } else if c.is_ascii_lowercase() {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            any = true;
        } else {
            prev_cased = false;
        }
    }
    any
}

macro_rules! classifier {
    ($name:ident, $f:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            classify(vm, args, stringify!($name), $f)
        }
    };
}

classifier!(isalnum, |b| !b.is_empty()
    && b.iter().all(|c| c.is_ascii_alphanumeric()));
classifier!(isalpha, |b| !b.is_empty()
    && b.iter().all(|c| c.is_ascii_alphabetic()));
classifier!(isdigit, |b| !b.is_empty()
    && b.iter().all(|c| c.is_ascii_digit()));
classifier!(isascii, |b| b.is_ascii());
classifier!(isspace, |b| !b.is_empty()
    && b.iter().all(|c| matches!(
        c,
        b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
    )));
classifier!(islower, |b| cased(b, false));
classifier!(isupper, |b| cased(b, true));
classifier!(istitle, istitle_b);

fn fill_arg(vm: &mut Vm, args: &Args, name: &str) -> PyResult<(usize, u8)> {
    args.method_range(vm, name, 1, 2)?;
    let w = vm.index_value(&args.pos[1])?;
    let fill = match args.pos.get(2) {
        None => b' ',
        Some(v) => match bytes_of(v) {
            Some(f) if f.len() == 1 => f[0],
            _ => {
                let msg = format!(
                    "{name}() argument 2 must be a byte string of length 1, not {}",
                    vm.type_name(v)
                );
                return Err(vm.type_error(msg));
            }
        },
    };
    Ok((w.max(0) as usize, fill))
}

fn pad(vm: &mut Vm, args: Args, name: &str) -> PyResult {
    let (w, fill) = fill_arg(vm, &args, name)?;
    let b = this(&args);
    if w <= b.len() {
        return Ok(same(vm, &args.pos[0], b));
    }
    let total = w - b.len();
    let left = match name {
        "ljust" => 0,
        "rjust" => total,
        // As CPython: the odd extra byte goes left when the width is odd.
        _ => total / 2 + (total & w & 1),
    };
    let mut out = vec![fill; left];
    out.extend_from_slice(&b);
    out.resize(w, fill);
    Ok(same(vm, &args.pos[0], out))
}

fn center(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, args, "center")
}

fn ljust(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, args, "ljust")
}

fn rjust(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, args, "rjust")
}

fn zfill(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "zfill", 1, 1)?;
    let w = vm.index_value(&args.pos[1])?.max(0) as usize;
    let b = this(&args);
    if w <= b.len() {
        return Ok(same(vm, &args.pos[0], b));
    }
    let fill = w - b.len();
    let mut out = Vec::with_capacity(w);
    let rest = if matches!(b.first(), Some(b'+' | b'-')) {
        out.push(b[0]);
        &b[1..]
    } else {
        &b[..]
    };
    out.extend(std::iter::repeat_n(b'0', fill));
    out.extend_from_slice(rest);
    Ok(same(vm, &args.pos[0], out))
}

fn expandtabs(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [ts] = rest.bind(vm, "expandtabs", ["tabsize"], 0)?;
    let ts = match ts {
        Some(v) => vm.index_value(&v)?,
        None => 8,
    };
    let mut out = Vec::new();
    let mut col = 0i64;
    for c in this(&args) {
        match c {
            b'\t' => {
                if ts > 0 {
                    let n = ts - col % ts;
                    out.extend(std::iter::repeat_n(b' ', n as usize));
                    col += n;
                }
            }
            b'\n' | b'\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(same(vm, &args.pos[0], out))
}

fn partition_common(vm: &mut Vm, args: Args, right: bool) -> PyResult {
    let name = if right { "rpartition" } else { "partition" };
    args.method_range(vm, name, 1, 1)?;
    let b = this(&args);
    let Some(sep) = bytes_of(&args.pos[1]) else {
        let msg = format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(&args.pos[1])
        );
        return Err(vm.type_error(msg));
    };
    if sep.is_empty() {
        return Err(vm.value_error("empty separator".into()));
    }
    let pos = if b.len() < sep.len() {
        None
    } else if right {
        b.windows(sep.len()).rposition(|w| w == &sep[..])
    } else {
        b.windows(sep.len()).position(|w| w == &sep[..])
    };
    let recv = args.pos[0].clone();
    let parts = match pos {
        Some(i) => (b[..i].to_vec(), sep.clone(), b[i + sep.len()..].to_vec()),
        None if right => (Vec::new(), Vec::new(), b),
        None => (b, Vec::new(), Vec::new()),
    };
    let x = same(vm, &recv, parts.0);
    let y = same(vm, &recv, parts.1);
    let z = same(vm, &recv, parts.2);
    Ok(vm.new_tuple(vec![x, y, z]))
}

fn partition(vm: &mut Vm, args: Args) -> PyResult {
    partition_common(vm, args, false)
}

fn rpartition(vm: &mut Vm, args: Args) -> PyResult {
    partition_common(vm, args, true)
}

fn affix_remove(vm: &mut Vm, args: Args, suffix: bool) -> PyResult {
    let name = if suffix {
        "removesuffix"
    } else {
        "removeprefix"
    };
    args.method_range(vm, name, 1, 1)?;
    let b = this(&args);
    let Some(a) = bytes_of(&args.pos[1]) else {
        let msg = format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(&args.pos[1])
        );
        return Err(vm.type_error(msg));
    };
    let out = if !suffix && b.starts_with(&a) {
        b[a.len()..].to_vec()
    } else if suffix && !a.is_empty() && b.ends_with(&a) {
        b[..b.len() - a.len()].to_vec()
    } else {
        b
    };
    Ok(same(vm, &args.pos[0], out))
}

fn removeprefix(vm: &mut Vm, args: Args) -> PyResult {
    affix_remove(vm, args, false)
}

fn removesuffix(vm: &mut Vm, args: Args) -> PyResult {
    affix_remove(vm, args, true)
}

fn rsplit(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [sep, maxsplit] = rest.bind(vm, "rsplit", ["sep", "maxsplit"], 0)?;
    let max = match maxsplit {
        Some(m) => vm.index_value(&m)?,
        None => -1,
    };
    let max = if max < 0 { usize::MAX } else { max as usize };
    let b = this(&args);
    let mut parts: Vec<Vec<u8>> = Vec::new();
    match sep.filter(|s| !s.is_none()) {
        None => {
            let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            let mut end = b.len();
            loop {
                while end > 0 && ws(&b[end - 1]) {
                    end -= 1;
                }
                if end == 0 {
                    break;
                }
                if parts.len() == max {
                    parts.push(b[..end].to_vec());
                    break;
                }
                let mut start = end;
                while start > 0 && !ws(&b[start - 1]) {
                    start -= 1;
                }
                parts.push(b[start..end].to_vec());
                end = start;
            }
        }
        Some(sv) => {
            let Some(sep) = bytes_of(&sv) else {
                let msg = format!(
                    "a bytes-like object is required, not '{}'",
                    vm.type_name(&sv)
                );
                return Err(vm.type_error(msg));
            };
            if sep.is_empty() {
                return Err(vm.value_error("empty separator".into()));
            }
            let mut end = b.len();
            let mut i = b.len();
            while i >= sep.len() && parts.len() < max {
                if b[i - sep.len()..i] == sep[..] {
                    parts.push(b[i..end].to_vec());
                    i -= sep.len();
                    end = i;
                } else {
                    i -= 1;
                }
            }
            parts.push(b[..end].to_vec());
        }
    }
    parts.reverse();
    let recv = args.pos[0].clone();
    let items: Vec<Value> = parts.into_iter().map(|p| same(vm, &recv, p)).collect();
    Ok(vm.new_list(items))
}

fn splitlines(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [keep] = rest.bind(vm, "splitlines", ["keepends"], 0)?;
    let keep = match keep {
        Some(k) => vm.truthy(&k)?,
        None => false,
    };
    let b = this(&args);
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            let mut end = i + 1;
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                end += 1;
            }
            parts.push(b[start..if keep { end } else { i }].to_vec());
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        parts.push(b[start..].to_vec());
    }
    let recv = args.pos[0].clone();
    let items: Vec<Value> = parts.into_iter().map(|p| same(vm, &recv, p)).collect();
    Ok(vm.new_list(items))
}

fn translate(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "translate", 1, 2)?;
    let table = match &args.pos[1] {
        Value::None => None,
        t => match bytes_of(t) {
            Some(t) if t.len() == 256 => Some(t),
            Some(_) => {
                return Err(vm.value_error("translation table must be 256 characters long".into()))
            }
            None => {
                let msg = format!("a bytes-like object is required, not '{}'", vm.type_name(t));
                return Err(vm.type_error(msg));
            }
        },
    };
    let delete = match args.pos.get(2) {
        Some(d) => bytes_of(d).unwrap_or_default(),
        None => Vec::new(),
    };
    let out: Vec<u8> = this(&args)
        .into_iter()
        .filter(|c| !delete.contains(c))
        .map(|c| table.as_ref().map_or(c, |t| t[c as usize]))
        .collect();
    Ok(same(vm, &args.pos[0], out))
}

fn maketrans(vm: &mut Vm, args: Args) -> PyResult {
    let (a, b) = match args.pos.len() {
        2 => (&args.pos[0], &args.pos[1]),
        _ => (
            &args.pos[args.pos.len().saturating_sub(2)],
            &args.pos[args.pos.len() - 1],
        ),
    };
    let (Some(from), Some(to)) = (bytes_of(a), bytes_of(b)) else {
        return Err(vm.type_error("a bytes-like object is required".into()));
    };
    if from.len() != to.len() {
        return Err(vm.value_error("maketrans arguments must have same length".into()));
    }
    let mut table: Vec<u8> = (0..=255u8).collect();
    for (f, t) in from.iter().zip(&to) {
        table[*f as usize] = *t;
    }
    Ok(vm.new_bytes(table))
}

// ----- bytearray mutators -----------------------------------------------------------------

fn ba<'a>(args: &Args<'a>) -> &'a RefCell<Vec<u8>> {
    match args.pos[0].kind() {
        Some(ObjKind::ByteArray(b)) => b,
        _ => unreachable!("bytearray method on a bytearray"),
    }
}

fn byte_value(vm: &mut Vm, v: &Value) -> PyResult<u8> {
    let n = vm.index_value(v)?;
    if !(0..256).contains(&n) {
        return Err(vm.value_error("byte must be in range(0, 256)".into()));
    }
    Ok(n as u8)
}

fn clear(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "clear", 0, 0)?;
    ba(&args).borrow_mut().clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "copy", 0, 0)?;
    let b = ba(&args).borrow().clone();
    Ok(Value::Obj(vm.alloc(ObjKind::ByteArray(RefCell::new(b)))))
}

fn insert(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "insert", 2, 2)?;
    let i = vm.index_value(&args.pos[1])?;
    let x = byte_value(vm, &args.pos[2])?;
    let mut b = ba(&args).borrow_mut();
    let n = b.len() as i64;
    let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
    b.insert(i as usize, x);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "pop", 0, 1)?;
    let i = match args.pos.get(1) {
        Some(v) => vm.index_value(v)?,
        None => -1,
    };
    let n = ba(&args).borrow().len() as i64;
    if n == 0 {
        return Err(vm.index_error("pop from empty bytearray".into()));
    }
    let j = if i < 0 { i + n } else { i };
    if !(0..n).contains(&j) {
        return Err(vm.index_error("pop index out of range".into()));
    }
    let v = ba(&args).borrow_mut().remove(j as usize);
    Ok(Value::Int(v as i64))
}

fn remove(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "remove", 1, 1)?;
    let x = byte_value(vm, &args.pos[1])?;
    let pos = ba(&args).borrow().iter().position(|&c| c == x);
    match pos {
        Some(i) => {
            ba(&args).borrow_mut().remove(i);
            Ok(Value::None)
        }
        None => Err(vm.value_error("value not found in bytearray".into())),
    }
}

fn reverse(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "reverse", 0, 0)?;
    ba(&args).borrow_mut().reverse();
    Ok(Value::None)
}

fn iter_m(vm: &mut Vm, args: Args) -> PyResult {
    vm.get_iter(&args.pos[0])
}

fn contains_m(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "__contains__", 1, 1)?;
    let r = vm.contains(&args.pos[0], &args.pos[1])?;
    Ok(Value::from_bool(r))
}

fn len_m(vm: &mut Vm, args: Args) -> PyResult {
    let n = vm.len(&args.pos[0])?;
    Ok(Value::Int(n as i64))
}

/// Installs the methods on bytes and bytearray (after `bytes::init`), and the iteration
/// slots `range` and `bytes` lack in their type dicts.
pub fn init(vm: &mut Vm) {
    let common: &[(&str, NativeFn)] = &[
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("capitalize", capitalize),
        ("swapcase", swapcase),
        ("title", title),
        ("isalnum", isalnum),
        ("isalpha", isalpha),
        ("isdigit", isdigit),
        ("isascii", isascii),
        ("isspace", isspace),
        ("islower", islower),
        ("isupper", isupper),
        ("istitle", istitle),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("expandtabs", expandtabs),
        ("partition", partition),
        ("rpartition", rpartition),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("translate", translate),
        ("__iter__", iter_m),
        ("__contains__", contains_m),
        ("__mod__", mod_m),
    ];
    let b = vm.types.bytes.clone();
    let bat = vm.types.bytearray.clone();
    for (name, f) in common {
        vm.add_method(&b, name, *f);
        vm.add_method(&bat, name, *f);
    }
    vm.add_staticmethod(&b, "maketrans", maketrans);
    vm.add_staticmethod(&bat, "maketrans", maketrans);
    let mutators: &[(&str, NativeFn)] = &[
        ("clear", clear),
        ("copy", copy),
        ("insert", insert),
        ("pop", pop),
        ("remove", remove),
        ("reverse", reverse),
    ];
    for (name, f) in mutators {
        vm.add_method(&bat, name, *f);
    }
    let r = vm.types.range.clone();
    vm.add_method(&r, "__iter__", iter_m);
    vm.add_method(&r, "__contains__", contains_m);
    vm.add_method(&r, "__len__", len_m);
}

/// `bytes.__mod__`: printf-style formatting (reached when the right operand is an instance
/// of a user class).
fn mod_m(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "bytes.__mod__", 1, 1)?;
    super::bytes::binop(vm, BinOp::Mod, &args.pos[0], &args.pos[1])
        .unwrap_or_else(|| Ok(vm.not_implemented()))
}
