//! The methods of `str`.
//! Invariant: every method works on code points, and results carry their character count
//! when it is known without a rescan.

use super::str::{format_template, str_obj};
use crate::compile::code::CmpKind;
use crate::fmt::case;
use crate::syntax::ast::BinOp;
use crate::vm::object::{Args, ObjKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

fn s<'a>(args: &Args<'a>) -> &'a str {
    let pos: &'a [Value] = args.pos;
    pos[0].as_str().unwrap_or("")
}

fn arg_str<'a>(vm: &mut Vm, args: &Args<'a>, i: usize, fname: &str) -> PyResult<&'a str> {
    let pos: &'a [Value] = args.pos;
    match pos.get(i) {
        Some(v) => match v.as_str() {
            Some(t) => Ok(t),
            None => {
                let msg = format!("must be str, not {}", vm.type_name(v));
                let _ = fname;
                Err(vm.type_error(msg))
            }
        },
        None => Err(vm.type_error(format!("{fname}() missing argument"))),
    }
}

fn new(vm: &mut Vm, t: String) -> Value {
    vm.new_str(t)
}

/// The result of a method that leaves the text as it is: the str itself, as CPython returns
/// it, or for an instance of a str subclass a plain str with its text.
fn unchanged(vm: &mut Vm, v: &Value) -> Value {
    match v {
        Value::Obj(o) if o.class.is_none() => v.clone(),
        _ => {
            let so = str_obj(v).expect("a str");
            let (t, n) = (so.as_str(), so.char_len());
            vm.new_str_len(t, n)
        }
    }
}

fn str_new(vm: &mut Vm, args: Args) -> PyResult {
    // `str(x)`: no keyword, no encoding, not a subclass.
    if let [Value::Obj(c), x] = args.pos {
        if args.kwnames.is_empty() && std::rc::Rc::ptr_eq(c, &vm.types.str_) {
            return vm.str_value(x);
        }
    }
    let cls = args.pos[0].clone();
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [obj, encoding, errors] = rest.bind(vm, "str", ["object", "encoding", "errors"], 0)?;
    let v = match (obj, encoding.or(errors)) {
        (None, _) => vm.empty_str.clone(),
        (Some(o), None) => vm.str_value(&o)?,
        (Some(o), Some(_)) => match o.kind() {
            Some(ObjKind::Bytes(b)) => {
                let b = b.to_vec();
                super::bytes::decode_utf8(vm, &b)?
            }
            Some(ObjKind::ByteArray(b)) => {
                let b = b.borrow().clone();
                super::bytes::decode_utf8(vm, &b)?
            }
            _ => {
                let msg = format!(
                    "decoding to str: need a bytes-like object, {} found",
                    vm.type_name(&o)
                );
                return Err(vm.type_error(msg));
            }
        },
    };
    if let Value::Obj(c) = &cls {
        if !std::rc::Rc::ptr_eq(c, &vm.types.str_) {
            let text = v.as_str().unwrap_or("").to_string();
            return Ok(Value::Obj(vm.alloc_instance(
                c.clone(),
                ObjKind::Subclass(Box::new(crate::vm::object::Subclassed {
                    attrs: Default::default(),
                    base: ObjKind::Str(crate::vm::object::StrObj::new(text)),
                })),
            )));
        }
    }
    Ok(v)
}

fn join(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "str.join", 1, 1)?;
    let sep = s(&args);
    // A list is read in place: nothing below runs Aio code while it is borrowed.
    if let Some(ObjKind::List(l)) = args.pos[1].kind() {
        let sep_chars = str_obj(&args.pos[0]).map(|x| x.char_len()).unwrap_or(0);
        let joined = join_items(sep, sep_chars, &l.borrow());
        return match joined {
            Ok((out, chars)) => Ok(vm.new_str_len(out, chars)),
            Err(i) => {
                let it = l.borrow()[i].clone();
                let msg = format!(
                    "sequence item {i}: expected str instance, {} found",
                    vm.type_name(&it)
                );
                Err(vm.type_error(msg))
            }
        };
    }
    let items = vm.collect_iterable(&args.pos[1])?;
    let total: usize = items
        .iter()
        .map(|it| str_obj(it).map_or(0, |t| t.as_str().len()))
        .sum::<usize>()
        + sep.len() * items.len().saturating_sub(1);
    let mut out = String::with_capacity(total);
    let mut chars = 0;
    let sep_chars = str_obj(&args.pos[0]).map(|x| x.char_len()).unwrap_or(0);
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
            chars += sep_chars;
        }
        match str_obj(it) {
            Some(t) => {
                out.push_str(t.as_str());
                chars += t.char_len();
            }
            None => {
                let msg = format!(
                    "sequence item {i}: expected str instance, {} found",
                    vm.type_name(it)
                );
                return Err(vm.type_error(msg));
            }
        }
    }
    Ok(vm.new_str_len(out, chars))
}

/// Joins str items with `sep`; on a non-str item, its index.
///
/// A long list is read in one pass: each item object is read once (joining millions of short
/// pieces is bound by the memory traffic of reading them) into a buffer sized from an
/// estimate, grown as needed and trimmed at the end. A short one is measured first and copied
/// into a buffer of the exact size.
fn join_items(sep: &str, sep_chars: usize, items: &[Value]) -> Result<(String, usize), usize> {
    let n = items.len();
    let mut chars = sep_chars * n.saturating_sub(1);
    let cap = if n <= 64 {
        let mut total = sep.len() * n.saturating_sub(1);
        for (i, it) in items.iter().enumerate() {
            match str_obj(it) {
                Some(t) => total += t.as_str().len(),
                None => return Err(i),
            }
        }
        total
    } else {
        n.saturating_mul(sep.len() + 8)
    };
    let mut out = String::with_capacity(cap);
    for (i, it) in items.iter().enumerate() {
        let Some(t) = str_obj(it) else {
            return Err(i);
        };
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(t.as_str());
        chars += t.char_len();
    }
    if out.capacity() - out.len() > 4096 {
        out.shrink_to_fit();
    }
    Ok((out, chars))
}

fn split_common(vm: &mut Vm, args: &Args, right: bool) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..*args
    };
    let fname = if right { "rsplit" } else { "split" };
    let [sep, maxsplit] = match rest.pos {
        [sep] if rest.kwnames.is_empty() => [Some(sep.clone()), None],
        _ => rest.bind(vm, fname, ["sep", "maxsplit"], 0)?,
    };
    let max = match maxsplit {
        Some(m) => vm.index_value(&m)?,
        None => -1,
    };
    let max = if max < 0 { usize::MAX } else { max as usize };
    let so = str_obj(&args.pos[0]).expect("a str");
    let (text, ascii) = (so.as_str(), so.is_ascii());
    let pieces = match sep {
        None | Some(Value::None) => split_whitespace(text, ascii, max, right),
        Some(sv) => {
            let Some(sep) = sv.as_str() else {
                let msg = format!("must be str or None, not {}", vm.type_name(&sv));
                return Err(vm.type_error(msg));
            };
            if sep.is_empty() {
                return Err(vm.value_error("empty separator".into()));
            }
            if !right && text.len() > 256 {
                return Ok(split_sep_list(vm, text, ascii, sep, max));
            }
            split_sep(text, sep, max, right)
        }
    };
    // Pieces become str objects straight from slices of the text; an ASCII text gives
    // pieces whose length is their byte length.
    let items: Vec<Value> = if ascii {
        pieces.iter().map(|p| vm.new_str_len(*p, p.len())).collect()
    } else {
        pieces.iter().map(|p| vm.new_str(*p)).collect()
    };
    Ok(vm.new_list(items))
}

/// `text.split(sep, max)` for a long text: a counting pass (a fast scan) sizes the list, then
/// the pieces become str objects as they are found.
fn split_sep_list(vm: &mut Vm, text: &str, ascii: bool, sep: &str, max: usize) -> Value {
    let (hay, needle) = (text.as_bytes(), sep.as_bytes());
    let finder = memchr::memmem::Finder::new(needle);
    let n = if needle.len() == 1 {
        memchr::memchr_iter(needle[0], hay).count()
    } else {
        finder.find_iter(hay).count()
    };
    let mut items = Vec::with_capacity(n.min(max) + 1);
    let mut start = 0;
    let mut push = |vm: &mut Vm, start: usize, end: usize| {
        let p = &text[start..end];
        // The pieces of an ASCII text have as many characters as bytes.
        items.push(if ascii {
            vm.new_str_len(p, p.len())
        } else {
            vm.new_str(p)
        });
    };
    if needle.len() == 1 {
        for i in memchr::memchr_iter(needle[0], hay).take(max) {
            push(vm, start, i);
            start = i + 1;
        }
    } else {
        for i in finder.find_iter(hay).take(max) {
            push(vm, start, i);
            start = i + needle.len();
        }
    }
    push(vm, start, text.len());
    vm.new_list(items)
}

/// Slices of a text being split (most splits give a few pieces: no allocation for them).
type Pieces<'a> = smallvec::SmallVec<[&'a str; 8]>;

/// The pieces of `text` between occurrences of `sep` (non-empty), at most `max` splits made
/// from the left (or from the right), in text order.
fn split_sep<'a>(text: &'a str, sep: &str, max: usize, right: bool) -> Pieces<'a> {
    let (hay, needle) = (text.as_bytes(), sep.as_bytes());
    let mut out = Pieces::new();
    if right {
        let mut end = text.len();
        for i in memchr::memmem::rfind_iter(hay, needle) {
            if out.len() == max {
                break;
            }
            out.push(&text[i + sep.len()..end]);
            end = i;
        }
        out.push(&text[..end]);
        out.reverse();
        return out;
    }
    // (A long text split from the left goes through `split_sep_list`.)
    if needle.len() == 1 && max == usize::MAX {
        // A short text with a one-byte separator (`field.split("=")`): a plain scan.
        let mut start = 0;
        for (i, &c) in hay.iter().enumerate() {
            if c == needle[0] {
                out.push(&text[start..i]);
                start = i + 1;
            }
        }
        out.push(&text[start..]);
        return out;
    }
    let mut start = 0;
    let mut push = |i: usize| {
        out.push(&text[start..i]);
        start = i + needle.len();
    };
    if needle.len() == 1 {
        memchr::memchr_iter(needle[0], hay)
            .take(max)
            .for_each(&mut push);
    } else {
        memchr::memmem::find_iter(hay, needle)
            .take(max)
            .for_each(&mut push);
    }
    out.push(&text[start..]);
    out
}

/// Python's whitespace split: runs of whitespace separate pieces, no empty pieces; after
/// `max` splits the rest (leading, or for `right` trailing, whitespace dropped) is one piece.
fn split_whitespace(text: &str, ascii: bool, max: usize, right: bool) -> Pieces<'_> {
    let is_ws = |c: char| crate::fmt::unicode::is_space(c);
    let mut out = Pieces::new();
    if right {
        let mut rest = text.trim_end_matches(is_ws);
        while !rest.is_empty() {
            if out.len() == max {
                out.push(rest);
                break;
            }
            match rest.rfind(is_ws) {
                Some(i) => {
                    let c = rest[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
                    out.push(&rest[i + c..]);
                    rest = rest[..i].trim_end_matches(is_ws);
                }
                None => {
                    out.push(rest);
                    break;
                }
            }
        }
        out.reverse();
        return out;
    }
    if ascii {
        // Byte scan: the ASCII whitespace is \t\n\x0b\x0c\r, \x1c-\x1f and space.
        let b = text.as_bytes();
        let ws = |c: u8| matches!(c, b'\t'..=b'\r' | 0x1c..=b' ');
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && ws(b[i]) {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if out.len() == max {
                out.push(&text[i..]);
                break;
            }
            let start = i;
            while i < b.len() && !ws(b[i]) {
                i += 1;
            }
            out.push(&text[start..i]);
        }
        return out;
    }
    let mut rest = text.trim_start_matches(is_ws);
    while !rest.is_empty() {
        if out.len() == max {
            out.push(rest);
            break;
        }
        match rest.find(is_ws) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = rest[i..].trim_start_matches(is_ws);
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

fn split(vm: &mut Vm, args: Args) -> PyResult {
    split_common(vm, &args, false)
}

fn rsplit(vm: &mut Vm, args: Args) -> PyResult {
    split_common(vm, &args, true)
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
    let text = s(&args);
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            let mut end = b + c.len_utf8();
            if c == '\r' && i + 1 < chars.len() && chars[i + 1].1 == '\n' {
                end += 1;
                i += 1;
            }
            let line = if keep {
                &text[start..end]
            } else {
                &text[start..b]
            };
            out.push(line.to_string());
            start = end;
        }
        i += 1;
    }
    if start < text.len() {
        out.push(text[start..].to_string());
    }
    let items: Vec<Value> = out.into_iter().map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(items))
}

fn strip_common(vm: &mut Vm, args: &Args, left: bool, right: bool, name: &str) -> PyResult {
    args.method_range(vm, name, 0, 1)?;
    let text = s(args);
    let chars: Option<Vec<char>> = match args.pos.get(1) {
        None | Some(Value::None) => None,
        Some(v) => match v.as_str() {
            Some(t) => Some(t.chars().collect()),
            None => {
                let msg = format!("{name} arg must be None or str");
                return Err(vm.type_error(msg));
            }
        },
    };
    let pred = |c: char| match &chars {
        // str.isspace's whitespace (which includes \x1c-\x1f), as CPython's strip.
        None => crate::fmt::unicode::is_space(c),
        Some(cs) => cs.contains(&c),
    };
    let mut t = text;
    if left {
        t = t.trim_start_matches(pred);
    }
    if right {
        t = t.trim_end_matches(pred);
    }
    if t.len() == text.len() {
        return Ok(unchanged(vm, &args.pos[0]));
    }
    Ok(new(vm, t.to_string()))
}

fn strip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, true, true, "strip")
}

fn lstrip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, true, false, "lstrip")
}

fn rstrip(vm: &mut Vm, args: Args) -> PyResult {
    strip_common(vm, &args, false, true, "rstrip")
}

fn upper(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(vm, &args, str::to_ascii_uppercase, case::upper)
}

fn lower(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(vm, &args, str::to_ascii_lowercase, case::lower)
}

/// Applies a case conversion: an ASCII text goes through `ascii` byte by byte, any other
/// through `full` (CPython's full mappings).
fn convert_case(
    vm: &mut Vm,
    args: &Args,
    ascii: fn(&str) -> String,
    full: fn(&str) -> String,
) -> PyResult {
    let t = s(args);
    Ok(if t.is_ascii() {
        let u = ascii(t);
        let n = u.len();
        vm.new_str_len(u, n)
    } else {
        new(vm, full(t))
    })
}

fn casefold(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(vm, &args, str::to_ascii_lowercase, case::casefold)
}

fn capitalize(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(
        vm,
        &args,
        |t| {
            let mut out = t.to_ascii_lowercase();
            if let Some(c) = out.get_mut(..1) {
                c.make_ascii_uppercase();
            }
            out
        },
        case::capitalize,
    )
}

fn title(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(
        vm,
        &args,
        |t| {
            let mut out = String::with_capacity(t.len());
            let mut prev_cased = false;
            for c in t.chars() {
                out.push(if prev_cased {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                });
                prev_cased = c.is_ascii_alphabetic();
            }
            out
        },
        case::title,
    )
}

fn swapcase(vm: &mut Vm, args: Args) -> PyResult {
    convert_case(
        vm,
        &args,
        |t| {
            t.chars()
                .map(|c| {
                    if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect()
        },
        case::swapcase,
    )
}

/// Resolves `[start[, end]]` arguments to a byte range of `text`.
fn sub_range(
    vm: &mut Vm,
    v: &Value,
    start: Option<&Value>,
    end: Option<&Value>,
) -> PyResult<Option<(usize, usize, usize)>> {
    let so = str_obj(v).expect("a str");
    let n = so.char_len() as i64;
    // As CPython's ADJUST_INDICES: a start past the end is kept, so it finds nothing.
    let a = match vm.arg_opt_index(start)? {
        Some(x) if x < 0 => (x + n).max(0),
        Some(x) => x,
        None => 0,
    };
    let b = match vm.arg_opt_index(end)? {
        Some(x) if x < 0 => (x + n).max(0),
        Some(x) => x.min(n),
        None => n,
    };
    if a > b {
        return Ok(None);
    }
    let ba = super::str::char_to_byte(so, a as usize);
    let bb = super::str::char_to_byte(so, b as usize);
    Ok(Some((ba, bb, a as usize)))
}

/// The code-point index of byte offset `byte` of `text`.
fn char_index(text: &str, ascii: bool, byte: usize) -> usize {
    if ascii {
        byte
    } else {
        text[..byte].chars().count()
    }
}

fn find_common(vm: &mut Vm, args: &Args, right: bool, name: &str) -> PyResult<i64> {
    args.method_range(vm, name, 1, 3)?;
    let needle = arg_str(vm, args, 1, name)?;
    let text = s(args);
    let Some((a, b, _)) = sub_range(vm, &args.pos[0], args.pos.get(2), args.pos.get(3))? else {
        return Ok(-1);
    };
    let hay = &text[a..b];
    let found = match (right, needle.len()) {
        (_, 0) if right => Some(hay.len()),
        (_, 0) => Some(0),
        (false, 1) => memchr::memchr(needle.as_bytes()[0], hay.as_bytes()),
        (true, 1) => memchr::memrchr(needle.as_bytes()[0], hay.as_bytes()),
        (false, _) => memchr::memmem::find(hay.as_bytes(), needle.as_bytes()),
        (true, _) => memchr::memmem::rfind(hay.as_bytes(), needle.as_bytes()),
    };
    let ascii = str_obj(&args.pos[0]).is_some_and(|o| o.is_ascii());
    Ok(match found {
        Some(i) => char_index(text, ascii, a + i) as i64,
        None => -1,
    })
}

fn find(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(find_common(vm, &args, false, "find")?))
}

fn rfind(vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(find_common(vm, &args, true, "rfind")?))
}

fn index(vm: &mut Vm, args: Args) -> PyResult {
    match find_common(vm, &args, false, "index")? {
        -1 => Err(vm.value_error("substring not found".into())),
        i => Ok(Value::Int(i)),
    }
}

fn rindex(vm: &mut Vm, args: Args) -> PyResult {
    match find_common(vm, &args, true, "rindex")? {
        -1 => Err(vm.value_error("substring not found".into())),
        i => Ok(Value::Int(i)),
    }
}

fn count(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "count", 1, 3)?;
    let needle = arg_str(vm, &args, 1, "count")?;
    let text = s(&args);
    let Some((a, b, _)) = sub_range(vm, &args.pos[0], args.pos.get(2), args.pos.get(3))? else {
        return Ok(Value::Int(0));
    };
    let hay = &text[a..b];
    let n = match needle.len() {
        0 => hay.chars().count() + 1,
        1 => memchr::memchr_iter(needle.as_bytes()[0], hay.as_bytes()).count(),
        _ => memchr::memmem::find_iter(hay.as_bytes(), needle.as_bytes()).count(),
    };
    Ok(Value::Int(n as i64))
}

fn replace(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "replace", 2, 3)?;
    let old = arg_str(vm, &args, 1, "replace")?;
    let newv = arg_str(vm, &args, 2, "replace")?;
    let n = match args.pos.get(3) {
        Some(c) => vm.index_value(c)?,
        None => -1,
    };
    let so = str_obj(&args.pos[0]).expect("a str");
    let text = so.as_str();
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if old.is_empty() {
        // Inserts `new` before every character and at the end (up to the limit).
        return Ok(new(vm, text.replacen(old, newv, limit)));
    }
    let finder = memchr::memmem::Finder::new(old.as_bytes());
    // Counting first (a fast scan) sizes the result exactly.
    let count = finder.find_iter(text.as_bytes()).take(limit).count();
    if count == 0 {
        return Ok(unchanged(vm, &args.pos[0]));
    }
    let mut out = String::with_capacity(text.len() - count * old.len() + count * newv.len());
    let mut last = 0;
    for i in finder.find_iter(text.as_bytes()).take(count) {
        out.push_str(&text[last..i]);
        out.push_str(newv);
        last = i + old.len();
    }
    out.push_str(&text[last..]);
    // The character count follows from the counts of the pieces replaced.
    let old_chars = str_obj(&args.pos[1]).map_or(0, |o| o.char_len());
    let new_chars = str_obj(&args.pos[2]).map_or(0, |o| o.char_len());
    let chars = so.char_len() - count * old_chars + count * new_chars;
    Ok(vm.new_str_len(out, chars))
}

fn affix_common(vm: &mut Vm, args: &Args, end: bool) -> PyResult {
    let name = if end { "endswith" } else { "startswith" };
    args.method_range(vm, name, 1, 3)?;
    let text = s(args);
    let Some((a, b, _)) = sub_range(vm, &args.pos[0], args.pos.get(2), args.pos.get(3))? else {
        return Ok(Value::FALSE);
    };
    let hay = &text[a..b];
    let candidates: Vec<Value> = match args.pos[1].kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => vec![args.pos[1].clone()],
    };
    for c in &candidates {
        let Some(p) = c.as_str() else {
            let msg = format!(
                "{name} first arg must be str or a tuple of str, not {}",
                vm.type_name(c)
            );
            return Err(vm.type_error(msg));
        };
        let ok = if end {
            hay.ends_with(p)
        } else {
            hay.starts_with(p)
        };
        if ok {
            return Ok(Value::TRUE);
        }
    }
    Ok(Value::FALSE)
}

fn startswith(vm: &mut Vm, args: Args) -> PyResult {
    affix_common(vm, &args, false)
}

fn endswith(vm: &mut Vm, args: Args) -> PyResult {
    affix_common(vm, &args, true)
}

fn format(vm: &mut Vm, args: Args) -> PyResult {
    let t = s(&args).to_string();
    let out = format_template(vm, &t, &args, None)?;
    Ok(new(vm, out))
}

fn format_map(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "str.format_map", 1, 1)?;
    let t = s(&args).to_string();
    let m = args.pos[1].clone();
    let base = Args {
        pos: &args.pos[..1],
        kwnames: &[],
        kwvalues: &[],
        data: args.data,
    };
    let out = format_template(vm, &t, &base, Some(m))?;
    Ok(new(vm, out))
}

macro_rules! predicate {
    ($name:ident, $empty:expr, $test:expr) => {
        fn $name(_vm: &mut Vm, args: Args) -> PyResult {
            let t = s(&args);
            if t.is_empty() {
                return Ok(Value::from_bool($empty));
            }
            let f: fn(char) -> bool = $test;
            Ok(Value::from_bool(t.chars().all(f)))
        }
    };
}

predicate!(isdigit, false, |c| c.is_ascii_digit()
    || crate::fmt::unicode::decimal_value(c).is_some()
    || matches!(c, '²' | '³' | '¹'));
predicate!(isdecimal, false, |c| c.is_ascii_digit()
    || crate::fmt::unicode::decimal_value(c).is_some());
predicate!(isnumeric, false, |c| c.is_numeric());
predicate!(isalpha, false, |c| c.is_alphabetic());
predicate!(isalnum, false, |c| c.is_alphanumeric());
predicate!(isspace, false, |c| crate::fmt::unicode::is_space(c));
predicate!(isascii, true, |c| c.is_ascii());
predicate!(isprintable, true, |c| crate::fmt::unicode::is_printable(c));

fn isupper(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(case::is_upper_text(s(&args))))
}

fn islower(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(case::is_lower_text(s(&args))))
}

fn istitle(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::from_bool(case::is_title_text(s(&args))))
}

fn isidentifier(_vm: &mut Vm, args: Args) -> PyResult {
    let t = s(&args);
    let mut it = t.chars();
    let ok = match it.next() {
        // As CPython: XID_Start or '_' first, then XID_Continue ('·', combining marks...).
        Some(c) => {
            (c == '_' || unicode_ident::is_xid_start(c)) && it.all(unicode_ident::is_xid_continue)
        }
        None => false,
    };
    Ok(Value::from_bool(ok))
}

fn pad(vm: &mut Vm, args: &Args, name: &str, left: bool, right: bool) -> PyResult {
    args.method_range(vm, name, 1, 2)?;
    let width = vm.index_value(&args.pos[1])?;
    let fill = match args.pos.get(2) {
        Some(f) => {
            let fs = f.as_str().unwrap_or("");
            let mut it = fs.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(vm.type_error(
                        "The fill character must be exactly one character long".into(),
                    ))
                }
            }
        }
        None => ' ',
    };
    let so = str_obj(&args.pos[0]).expect("a str");
    let n = so.char_len() as i64;
    if width <= n {
        return Ok(unchanged(vm, &args.pos[0]));
    }
    let total = (width - n) as usize;
    let (l, r) = match (left, right) {
        (true, true) => {
            // CPython's centering puts the extra space on the right unless width is odd.
            let left = total / 2 + (total & width as usize & 1);
            (left, total - left)
        }
        (true, false) => (total, 0),
        _ => (0, total),
    };
    let mut out = String::with_capacity(so.as_str().len() + total);
    out.extend(std::iter::repeat_n(fill, l));
    out.push_str(so.as_str());
    out.extend(std::iter::repeat_n(fill, r));
    Ok(vm.new_str_len(out, width as usize))
}

fn center(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, &args, "center", true, true)
}

fn ljust(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, &args, "ljust", false, true)
}

fn rjust(vm: &mut Vm, args: Args) -> PyResult {
    pad(vm, &args, "rjust", true, false)
}

fn zfill(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "zfill", 1, 1)?;
    let width = vm.index_value(&args.pos[1])?;
    let t = s(&args);
    let n = t.chars().count() as i64;
    if width <= n {
        return Ok(unchanged(vm, &args.pos[0]));
    }
    let fill = "0".repeat((width - n) as usize);
    let out = if let Some(rest) = t.strip_prefix(['+', '-']) {
        format!("{}{}{}", &t[..1], fill, rest)
    } else {
        format!("{fill}{t}")
    };
    Ok(new(vm, out))
}

fn partition_common(vm: &mut Vm, args: &Args, right: bool) -> PyResult {
    let name = if right { "rpartition" } else { "partition" };
    args.method_range(vm, name, 1, 1)?;
    let sep = arg_str(vm, args, 1, name)?;
    if sep.is_empty() {
        return Err(vm.value_error("empty separator".into()));
    }
    let t = s(args);
    let found = if right { t.rfind(sep) } else { t.find(sep) };
    let parts = match found {
        Some(i) => [&t[..i], sep, &t[i + sep.len()..]],
        None if right => ["", "", t],
        None => [t, "", ""],
    };
    let items: Vec<Value> = parts.iter().map(|p| vm.new_str(*p)).collect();
    Ok(vm.new_tuple(items))
}

fn partition(vm: &mut Vm, args: Args) -> PyResult {
    partition_common(vm, &args, false)
}

fn rpartition(vm: &mut Vm, args: Args) -> PyResult {
    partition_common(vm, &args, true)
}

fn encode(vm: &mut Vm, args: Args) -> PyResult {
    let rest = Args {
        pos: &args.pos[1..],
        ..args
    };
    let [encoding, errors] = rest.bind(vm, "encode", ["encoding", "errors"], 0)?;
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
    let t = s(&args);
    let bytes = match enc.as_str() {
        "utf-8" | "utf8" => t.as_bytes().to_vec(),
        "ascii" | "us-ascii" | "latin-1" | "latin1" | "iso-8859-1" => {
            let limit = if enc.contains("ascii") { 128 } else { 256 };
            let mut out = Vec::with_capacity(t.len());
            for (i, c) in t.chars().enumerate() {
                let cp = c as u32;
                if cp < limit {
                    out.push(cp as u8);
                    continue;
                }
                match errors.as_str() {
                    "ignore" => {}
                    "replace" => out.push(b'?'),
                    "xmlcharrefreplace" => out.extend_from_slice(format!("&#{cp};").as_bytes()),
                    "backslashreplace" => {
                        let esc = if cp < 0x100 {
                            format!("\\x{cp:02x}")
                        } else if cp < 0x10000 {
                            format!("\\u{cp:04x}")
                        } else {
                            format!("\\U{cp:08x}")
                        };
                        out.extend_from_slice(esc.as_bytes());
                    }
                    _ => {
                        let codec = if limit == 128 { "ascii" } else { "latin-1" };
                        // CPython's escape of the character, as repr() would show it.
                        let shown = if cp < 0x100 {
                            format!("\\x{cp:02x}")
                        } else if cp < 0x10000 {
                            format!("\\u{cp:04x}")
                        } else {
                            format!("\\U{cp:08x}")
                        };
                        let msg = format!(
                            "'{codec}' codec can't encode character '{shown}' in position {i}: ordinal not in range({limit})"
                        );
                        return Err(vm.new_exc_msg("UnicodeEncodeError", msg));
                    }
                }
            }
            out
        }
        other => return Err(vm.new_exc_msg("LookupError", format!("unknown encoding: {other}"))),
    };
    Ok(vm.new_bytes(bytes))
}

fn expandtabs(vm: &mut Vm, args: Args) -> PyResult {
    let size = match args.pos.get(1).or(args.kw("tabsize")) {
        Some(v) => vm.index_value(v)?,
        None => 8,
    };
    let mut out = String::new();
    let mut col = 0i64;
    for c in s(&args).chars() {
        match c {
            '\t' => {
                if size > 0 {
                    let n = size - col % size;
                    out.extend(std::iter::repeat_n(' ', n as usize));
                    col += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(new(vm, out))
}

fn removeprefix(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "removeprefix", 1, 1)?;
    let p = arg_str(vm, &args, 1, "removeprefix")?;
    match s(&args).strip_prefix(p) {
        Some(r) if !p.is_empty() => Ok(new(vm, r.to_string())),
        _ => Ok(unchanged(vm, &args.pos[0])),
    }
}

fn removesuffix(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "removesuffix", 1, 1)?;
    let p = arg_str(vm, &args, 1, "removesuffix")?;
    match s(&args).strip_suffix(p) {
        Some(r) if !p.is_empty() => Ok(new(vm, r.to_string())),
        _ => Ok(unchanged(vm, &args.pos[0])),
    }
}

fn maketrans(vm: &mut Vm, args: Args) -> PyResult {
    let a = args.pos;
    let d = vm.new_dict_obj();
    match a {
        [m] => {
            for (k, v) in vm.mapping_items(m)? {
                let key = match k.as_str() {
                    Some(t) if t.chars().count() == 1 => {
                        Value::Int(t.chars().next().map(|c| c as i64).unwrap_or(0))
                    }
                    _ => k,
                };
                vm.dict_set(&d, key, v)?;
            }
        }
        [x, y, rest @ ..] => {
            let (x, y) = (x.as_str().unwrap_or(""), y.as_str().unwrap_or(""));
            if x.chars().count() != y.chars().count() {
                return Err(vm.value_error(
                    "the first two maketrans arguments must have equal length".into(),
                ));
            }
            for (p, q) in x.chars().zip(y.chars()) {
                vm.dict_set(&d, Value::Int(p as i64), Value::Int(q as i64))?;
            }
            if let Some(z) = rest.first() {
                for c in z.as_str().unwrap_or("").chars() {
                    vm.dict_set(&d, Value::Int(c as i64), Value::None)?;
                }
            }
        }
        _ => return Err(vm.type_error("maketrans() takes at least 1 argument".into())),
    }
    Ok(Value::Obj(d))
}

fn translate(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "translate", 1, 1)?;
    let table = args.pos[1].clone();
    let mut out = String::new();
    for c in s(&args).chars() {
        match vm.get_item(&table, &Value::Int(c as i64)) {
            Ok(Value::None) => {}
            Ok(v) => match v.as_str() {
                Some(t) => out.push_str(t),
                None => {
                    let i = vm.index_value(&v)?;
                    match char::from_u32(i as u32) {
                        Some(ch) => out.push(ch),
                        None => {
                            return Err(vm.value_error(
                                "character mapping must be in range(0x110000)".into(),
                            ))
                        }
                    }
                }
            },
            Err(e) if vm.exc_is(&e, "LookupError") => out.push(c),
            Err(e) => return Err(e),
        }
    }
    Ok(new(vm, out))
}

fn len(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(
        str_obj(&args.pos[0]).map(|x| x.char_len()).unwrap_or(0) as i64,
    ))
}

fn getitem_m(vm: &mut Vm, args: Args) -> PyResult {
    super::str::getitem(vm, &args.pos[0], &args.pos[1])
}

fn contains_m(vm: &mut Vm, args: Args) -> PyResult {
    match super::builtin_contains(vm, &args.pos[0], &args.pos[1]) {
        Some(r) => r.map(Value::from_bool),
        None => Ok(Value::FALSE),
    }
}

fn iter_m(vm: &mut Vm, args: Args) -> PyResult {
    let Value::Obj(o) = &args.pos[0] else {
        return Ok(Value::None);
    };
    Ok(Value::Obj(vm.alloc(ObjKind::Iter(Box::new(
        crate::vm::object::NativeIter::Str {
            s: o.clone(),
            pos: std::cell::Cell::new(0),
        },
    )))))
}

fn str_m(vm: &mut Vm, args: Args) -> PyResult {
    let t = s(&args).to_string();
    Ok(new(vm, t))
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let r = crate::fmt::str_repr(s(&args));
    Ok(new(vm, r))
}

fn hash_m(vm: &mut Vm, args: Args) -> PyResult {
    let t = s(&args);
    Ok(Value::Int(crate::hash::hash_str(&vm.hash_secret, t)))
}

fn format_m(vm: &mut Vm, args: Args) -> PyResult {
    let spec = args.pos.get(1).and_then(|v| v.as_str()).unwrap_or("");
    let mut out = String::new();
    let tn = vm.type_name(&args.pos[0]);
    crate::fmt::format_str(s(&args), spec, &tn, &mut out).map_err(|e| vm.fmt_error(e))?;
    Ok(new(vm, out))
}

fn mod_m(vm: &mut Vm, args: Args) -> PyResult {
    super::str::binop(vm, BinOp::Mod, &args.pos[0], &args.pos[1])
        .unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn add_m(vm: &mut Vm, args: Args) -> PyResult {
    if str_obj(&args.pos[1]).is_none() {
        return Ok(vm.not_implemented());
    }
    super::str::binop(vm, BinOp::Add, &args.pos[0], &args.pos[1])
        .unwrap_or_else(|| Ok(vm.not_implemented()))
}

fn mul_m(vm: &mut Vm, args: Args) -> PyResult {
    if super::list::repeat_count(vm, &args.pos[1], "str").is_none() {
        return Ok(vm.not_implemented());
    }
    super::str::binop(vm, BinOp::Mult, &args.pos[0], &args.pos[1])
        .unwrap_or_else(|| Ok(vm.not_implemented()))
}

macro_rules! str_cmp_method {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> PyResult {
            match (str_obj(&args.pos[0]), str_obj(&args.pos[1])) {
                (Some(a), Some(b)) => Ok(Value::from_bool(super::cmp_ord(
                    $op,
                    a.as_str().cmp(b.as_str()),
                ))),
                _ => Ok(vm.not_implemented()),
            }
        }
    };
}

str_cmp_method!(eq, CmpKind::Eq);
str_cmp_method!(ne, CmpKind::Ne);
str_cmp_method!(lt, CmpKind::Lt);
str_cmp_method!(le, CmpKind::Le);
str_cmp_method!(gt, CmpKind::Gt);
str_cmp_method!(ge, CmpKind::Ge);

/// Installs str methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.str_.clone();
    vm.add_staticmethod(&t, "__new__", str_new);
    vm.add_staticmethod(&t, "maketrans", maketrans);
    let methods: &[(&str, crate::vm::object::NativeFn)] = &[
        ("join", join),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("upper", upper),
        ("lower", lower),
        ("casefold", casefold),
        ("capitalize", capitalize),
        ("title", title),
        ("swapcase", swapcase),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("replace", replace),
        ("startswith", startswith),
        ("endswith", endswith),
        ("format", format),
        ("format_map", format_map),
        ("isdigit", isdigit),
        ("isdecimal", isdecimal),
        ("isnumeric", isnumeric),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isascii", isascii),
        ("isprintable", isprintable),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isidentifier", isidentifier),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("partition", partition),
        ("rpartition", rpartition),
        ("encode", encode),
        ("expandtabs", expandtabs),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("translate", translate),
        ("__len__", len),
        ("__getitem__", getitem_m),
        ("__contains__", contains_m),
        ("__iter__", iter_m),
        ("__str__", str_m),
        ("__repr__", repr_m),
        ("__hash__", hash_m),
        ("__format__", format_m),
        ("__mod__", mod_m),
        ("__add__", add_m),
        ("__mul__", mul_m),
        ("__rmul__", mul_m),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    for (name, f) in methods {
        vm.add_method(&t, name, *f);
    }
}
