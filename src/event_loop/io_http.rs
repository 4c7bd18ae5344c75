//! `_aio_http`: the native half of the `aiohttp` module — HTTP/1.x head parsing with
//! `httparse`, chunk sizes, response rendering and URL quoting.
//!
//! Parsers return None while the head is incomplete and raise ValueError on malformed input,
//! so the Aio side can read more or answer 400. Invariant: nothing here does I/O; byte
//! strings go in and out.

use crate::vm::object::{Args, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

const MAX_HEADERS: usize = 100;

fn bytes_view<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<std::borrow::Cow<'a, [u8]>> {
    match v.kind() {
        Some(ObjKind::Bytes(b)) => Ok(std::borrow::Cow::Borrowed(b)),
        Some(ObjKind::ByteArray(b)) => Ok(std::borrow::Cow::Owned(b.borrow().clone())),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

fn latin1(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

fn headers_list(vm: &mut Vm, hs: &[httparse::Header]) -> Value {
    let mut items = Vec::with_capacity(hs.len());
    for h in hs {
        let k = vm.new_str(h.name);
        let v = vm.new_str(latin1(h.value));
        items.push(vm.new_tuple(vec![k, v]));
    }
    vm.new_list(items)
}

/// `parse_request(data)` → None | (method, target, minor_version, headers, head_length).
fn f_parse_request(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "parse_request", 1, 1)?;
    let data = bytes_view(vm, &args.pos[0])?;
    let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut hs);
    match req.parse(&data) {
        Ok(httparse::Status::Partial) => Ok(Value::None),
        Ok(httparse::Status::Complete(n)) => {
            let m = vm.new_str(req.method.unwrap_or("GET"));
            let p = vm.new_str(req.path.unwrap_or("/"));
            let h = headers_list(vm, req.headers);
            Ok(vm.new_tuple(vec![
                m,
                p,
                Value::Int(req.version.unwrap_or(1) as i64),
                h,
                Value::Int(n as i64),
            ]))
        }
        Err(e) => Err(vm.value_error(format!("Bad HTTP request: {e}"))),
    }
}

/// `parse_response(data)` → None | (minor_version, status, reason, headers, head_length).
fn f_parse_response(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "parse_response", 1, 1)?;
    let data = bytes_view(vm, &args.pos[0])?;
    let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut hs);
    match resp.parse(&data) {
        Ok(httparse::Status::Partial) => Ok(Value::None),
        Ok(httparse::Status::Complete(n)) => {
            let r = vm.new_str(resp.reason.unwrap_or(""));
            let h = headers_list(vm, resp.headers);
            Ok(vm.new_tuple(vec![
                Value::Int(resp.version.unwrap_or(1) as i64),
                Value::Int(resp.code.unwrap_or(0) as i64),
                r,
                h,
                Value::Int(n as i64),
            ]))
        }
        Err(e) => Err(vm.value_error(format!("Bad HTTP response: {e}"))),
    }
}

/// `chunk_size(data)` → None | (bytes consumed by the size line, chunk size).
fn f_chunk_size(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "chunk_size", 1, 1)?;
    let data = bytes_view(vm, &args.pos[0])?;
    match httparse::parse_chunk_size(&data) {
        Ok(httparse::Status::Partial) => Ok(Value::None),
        Ok(httparse::Status::Complete((n, size))) => {
            Ok(vm.new_tuple(vec![Value::Int(n as i64), Value::Int(size as i64)]))
        }
        Err(_) => Err(vm.value_error("Bad chunk size".into())),
    }
}

fn push_headers(vm: &mut Vm, out: &mut Vec<u8>, headers: &Value) -> PyResult<()> {
    let items = match headers.kind() {
        Some(ObjKind::List(l)) => l.borrow().clone(),
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => vm.collect_iterable(headers)?,
    };
    for it in items {
        let (k, v) = match it.kind() {
            Some(ObjKind::Tuple(t)) if t.len() == 2 => (t[0].clone(), t[1].clone()),
            _ => return Err(vm.type_error("headers must be (name, value) pairs".into())),
        };
        let k = vm.str_of(&k)?;
        let v = vm.str_of(&v)?;
        if k.contains(['\r', '\n']) || v.contains(['\r', '\n']) {
            return Err(vm.value_error("Newline or carriage return character detected in HTTP status message or header. This is a potential security issue.".into()));
        }
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    Ok(())
}

/// `render_head(first_line, headers)` → the head bytes, ending with the blank line.
fn f_render_head(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "render_head", 2, 3)?;
    let first = vm.str_of(&args.pos[0])?;
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(first.as_bytes());
    out.extend_from_slice(b"\r\n");
    push_headers(vm, &mut out, &args.pos[1])?;
    out.extend_from_slice(b"\r\n");
    if let Some(body) = args.pos.get(2) {
        if !body.is_none() {
            let b = bytes_view(vm, body)?;
            out.extend_from_slice(&b);
        }
    }
    Ok(vm.new_bytes(out))
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'~')
}

/// `quote(s, safe='/')`: percent-encodes like `urllib.parse.quote`.
fn f_quote(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "quote", 1, 3)?;
    let s = vm.str_of(&args.pos[0])?;
    let safe = match args.pos.get(1) {
        Some(v) => vm.str_of(v)?,
        None => "/".into(),
    };
    let plus = args
        .pos
        .get(2)
        .is_some_and(|v| matches!(v, Value::Bool(b) if b.get()));
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if is_unreserved(c) || (c.is_ascii() && safe.as_bytes().contains(&c)) {
            out.push(c as char);
        } else if plus && c == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    Ok(vm.new_str(out))
}

fn unquote_bytes(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|x| u8::from_str_radix(x, 16).ok());
            if let Some(v) = h {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if plus && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `unquote(s, plus=False)`.
fn f_unquote(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "unquote", 1, 2)?;
    let s = vm.str_of(&args.pos[0])?;
    let plus = args
        .pos
        .get(1)
        .is_some_and(|v| matches!(v, Value::Bool(b) if b.get()));
    Ok(vm.new_str(unquote_bytes(&s, plus)))
}

/// `parse_qsl(qs)` → [(name, value)] like `urllib.parse.parse_qsl(qs, keep_blank_values=True)`.
fn f_parse_qsl(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "parse_qsl", 1, 1)?;
    let s = vm.str_of(&args.pos[0])?;
    let mut items = Vec::new();
    for part in s.split(['&', ';']) {
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let k = vm.new_str(unquote_bytes(k, true));
        let v = vm.new_str(unquote_bytes(v, true));
        items.push(vm.new_tuple(vec![k, v]));
    }
    Ok(vm.new_list(items))
}

/// `http_date()`: the current time as an HTTP date (`Tue, 24 Nov 2026 02:50:00 GMT`).
fn f_http_date(vm: &mut Vm, _args: Args) -> PyResult {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86400);
    let tod = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let s = format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    );
    Ok(vm.new_str(s))
}

/// Creates the native `_aio_http` module.
pub fn create_module(vm: &mut Vm) -> ObjRef {
    let m = vm.new_module("_aio_http");
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    let funcs: &[(&str, crate::vm::object::NativeFn)] = &[
        ("parse_request", f_parse_request),
        ("parse_response", f_parse_response),
        ("chunk_size", f_chunk_size),
        ("render_head", f_render_head),
        ("quote", f_quote),
        ("unquote", f_unquote),
        ("parse_qsl", f_parse_qsl),
        ("http_date", f_http_date),
    ];
    crate::modules::add_functions(vm, &d, funcs);
    m
}
