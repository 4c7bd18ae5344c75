//! `open()` and its file objects: text (UTF-8) and binary files with Python's modes
//! (`r`, `w`, `a`, `x`, `b`, `t`, `+`), reading, line iteration, writing, `with`, `seek`
//! and `tell`.
//!
//! Invariant: writes are buffered in `wbuf` and reach the OS on `flush`, `close`, before
//! any read or seek, when the buffer grows large, and when the object is dropped (as CPython
//! flushes files at deallocation); reads come from `rbuf`, the rest of the file read at the
//! first read after the last seek. Text reads translate `\r\n` and `\r` to `\n`.

use crate::vm::object::{Args, ExtObject, Layout, NativeFn, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// An open file.
pub struct FileObj {
    name: String,
    mode: String,
    binary: bool,
    readable: bool,
    writable: bool,
    closed: Cell<bool>,
    file: RefCell<Option<File>>,
    /// Unread data (already newline-translated in text mode) and the read position in it.
    rbuf: RefCell<Option<(Vec<u8>, usize)>>,
    wbuf: RefCell<Vec<u8>>,
}

impl FileObj {
    fn flush_writes(&self) -> std::io::Result<()> {
        let mut w = self.wbuf.borrow_mut();
        if w.is_empty() {
            return Ok(());
        }
        if let Some(f) = self.file.borrow_mut().as_mut() {
            f.write_all(&w)?;
        }
        w.clear();
        Ok(())
    }
}

impl Drop for FileObj {
    fn drop(&mut self) {
        let _ = self.flush_writes();
    }
}

impl ExtObject for FileObj {
    fn type_name(&self) -> &str {
        if self.binary {
            "BufferedReader"
        } else {
            "TextIOWrapper"
        }
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The OSError subclass CPython raises for an OS error, with `[Errno N] text: 'name'`.
pub fn os_error(vm: &mut Vm, e: &std::io::Error, filename: Option<&str>) -> Exc {
    let errno = e.raw_os_error().unwrap_or(0);
    let class = match errno {
        2 => "FileNotFoundError",
        17 => "FileExistsError",
        21 => "IsADirectoryError",
        20 => "NotADirectoryError",
        1 | 13 => "PermissionError",
        _ => "OSError",
    };
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let cls = Value::Obj(vm.types.exc(class).clone());
    let s = vm.new_str(text);
    let mut args = vec![Value::Int(errno as i64), s];
    if let Some(f) = filename {
        args.push(vm.new_str(f));
    }
    match vm.call(&cls, &args) {
        Ok(v) => vm.make_exception(v).unwrap_or_else(|e| e),
        Err(e) => e,
    }
}

/// Installs `open` into builtins.
pub fn install(vm: &mut Vm) {
    let object = vm.types.object.clone();
    let ty = make_type("TextIOWrapper", Some(&object), Layout::Opaque, true);
    let m = vm.new_str("_io");
    if let Some(t) = ty.as_type() {
        *t.module.borrow_mut() = m;
    }
    let methods: &[(&str, NativeFn)] = &[
        ("read", read),
        ("readline", readline),
        ("readlines", readlines),
        ("write", write),
        ("writelines", writelines),
        ("close", close),
        ("flush", flush),
        ("seek", seek),
        ("tell", tell),
        ("readable", readable),
        ("writable", writable),
        ("seekable", readable_true),
        ("isatty", isatty),
        ("__enter__", enter),
        ("__exit__", exit),
        ("__iter__", enter),
        ("__next__", next),
        ("__repr__", repr),
    ];
    vm.add_methods(&ty, methods);
    vm.add_getset(&ty, "name", get_name, None);
    vm.add_getset(&ty, "mode", get_mode, None);
    vm.add_getset(&ty, "closed", get_closed, None);
    vm.add_getset(&ty, "encoding", get_encoding, None);
    vm.ext.insert("file_type", Box::new(ty));
    let os_error_cls = vm.types.exc("OSError").clone();
    let unsup = make_type(
        "UnsupportedOperation",
        Some(&os_error_cls),
        Layout::Exception,
        false,
    );
    let iom = vm.new_str("io");
    if let Some(t) = unsup.as_type() {
        *t.module.borrow_mut() = iom;
    }
    vm.ext.insert("io_unsupported", Box::new(unsup));
    let open_fn = vm.new_native("open", open);
    let b = vm.builtins.clone();
    if let ObjKind::Module(mo) = &b.kind {
        let d = mo.dict.clone();
        vm.dict_set_str(&d, "open", open_fn);
    }
}

fn file_of<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a FileObj> {
    if let Some(ObjKind::Ext(e)) = v.kind() {
        if let Some(f) = e.as_any().downcast_ref::<FileObj>() {
            return Ok(f);
        }
    }
    Err(vm.type_error("descriptor requires a file object".into()))
}

/// `open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None,
/// closefd=True, opener=None)`.
fn open(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(crate::vm::limits::Capability::Files, "open()")?;
    let [file, mode, _buffering, encoding, _errors, _newline, _closefd, _opener] = args.bind(
        vm,
        "open",
        [
            "file",
            "mode",
            "buffering",
            "encoding",
            "errors",
            "newline",
            "closefd",
            "opener",
        ],
        1,
    )?;
    let file = file.expect("required");
    let name = match file.as_str() {
        Some(s) => s.to_string(),
        None => {
            let msg = format!(
                "expected str, bytes or os.PathLike object, not {}",
                vm.type_name(&file)
            );
            return Err(vm.type_error(msg));
        }
    };
    let mode = match &mode {
        None => "r".to_string(),
        Some(m) => match m.as_str() {
            Some(s) => s.to_string(),
            None => {
                let msg = format!(
                    "open() argument 'mode' must be str, not {}",
                    vm.type_name(m)
                );
                return Err(vm.type_error(msg));
            }
        },
    };
    let (mut r, mut w, mut a, mut x, mut b, mut t, mut plus) = (0, 0, 0, 0, 0, 0, 0);
    for c in mode.chars() {
        match c {
            'r' => r += 1,
            'w' => w += 1,
            'a' => a += 1,
            'x' => x += 1,
            'b' => b += 1,
            't' => t += 1,
            '+' => plus += 1,
            _ => return Err(vm.value_error(format!("invalid mode: '{mode}'"))),
        }
    }
    if [r, w, a, x, b, t, plus].iter().any(|&n| n > 1) {
        return Err(vm.value_error(format!("invalid mode: '{mode}'")));
    }
    if b > 0 && t > 0 {
        return Err(vm.value_error("can't have text and binary mode at once".into()));
    }
    if r + w + a + x != 1 {
        return Err(vm.value_error("must have exactly one of create/read/write/append mode".into()));
    }
    if b > 0 && encoding.as_ref().is_some_and(|e| !e.is_none()) {
        return Err(vm.value_error("binary mode doesn't take an encoding argument".into()));
    }
    if let Some(enc) = encoding.as_ref().and_then(|e| e.as_str()) {
        let norm = enc.to_ascii_lowercase().replace(['-', '_'], "");
        if !matches!(norm.as_str(), "utf8" | "ascii" | "utf8sig" | "usascii") {
            return Err(vm.new_exc_msg("LookupError", format!("unknown encoding: {enc}")));
        }
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(r > 0 || plus > 0);
    opts.write(w + a + x > 0 || plus > 0);
    if w > 0 {
        opts.create(true).truncate(true);
    }
    if a > 0 {
        opts.create(true).append(true);
    }
    if x > 0 {
        opts.create_new(true);
    }
    let f = match opts.open(&name) {
        Ok(f) => f,
        Err(e) => return Err(os_error(vm, &e, Some(&name))),
    };
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        let e = std::io::Error::from_raw_os_error(21);
        return Err(os_error(vm, &e, Some(&name)));
    }
    let shown_mode = if b > 0 {
        mode.clone()
    } else {
        mode.replace('t', "")
    };
    let obj = FileObj {
        name,
        mode: shown_mode,
        binary: b > 0,
        readable: r > 0 || plus > 0,
        writable: w + a + x > 0 || plus > 0,
        closed: Cell::new(false),
        file: RefCell::new(Some(f)),
        rbuf: RefCell::new(None),
        wbuf: RefCell::new(Vec::new()),
    };
    let ty = vm
        .ext
        .get("file_type")
        .and_then(|t| t.downcast_ref::<ObjRef>())
        .cloned()
        .expect("file type installed");
    Ok(Value::Obj(
        vm.alloc_instance(ty, ObjKind::Ext(Box::new(obj))),
    ))
}

fn check_open(vm: &mut Vm, f: &FileObj) -> PyResult<()> {
    if f.closed.get() {
        return Err(vm.value_error("I/O operation on closed file.".into()));
    }
    Ok(())
}

/// `io.UnsupportedOperation` (an OSError here: Aio classes have a single base).
fn unsupported(vm: &mut Vm, what: &str) -> Exc {
    let cls = vm
        .ext
        .get("io_unsupported")
        .and_then(|t| t.downcast_ref::<ObjRef>())
        .cloned()
        .expect("io installed");
    let m = vm.new_str(what);
    Exc(vm.new_exception(&cls, vec![m]))
}

/// Creates the `io` module: `open` and `UnsupportedOperation`.
pub fn create_io(vm: &mut Vm) -> ObjRef {
    let (m, d) = super::new_module(vm, "io");
    let cls = vm
        .ext
        .get("io_unsupported")
        .and_then(|t| t.downcast_ref::<ObjRef>())
        .cloned()
        .expect("io installed");
    vm.dict_set_str(&d, "UnsupportedOperation", Value::Obj(cls));
    let b = vm.builtins.clone();
    if let Some(open) = vm.dict_get_str(&mo_dict(&b), "open") {
        vm.dict_set_str(&d, "open", open);
    }
    for (n, v) in [("SEEK_SET", 0), ("SEEK_CUR", 1), ("SEEK_END", 2)] {
        vm.dict_set_str(&d, n, Value::Int(v));
    }
    m
}

fn mo_dict(m: &ObjRef) -> ObjRef {
    match &m.kind {
        ObjKind::Module(mo) => mo.dict.clone(),
        _ => unreachable!("builtins is a module"),
    }
}

/// Loads the rest of the file into the read buffer (translating newlines in text mode).
fn fill(vm: &mut Vm, f: &FileObj) -> PyResult<()> {
    check_open(vm, f)?;
    if !f.readable {
        return Err(unsupported(vm, "not readable"));
    }
    if f.rbuf.borrow().is_some() {
        return Ok(());
    }
    if let Err(e) = f.flush_writes() {
        return Err(os_error(vm, &e, None));
    }
    let mut data = Vec::new();
    if let Some(file) = f.file.borrow_mut().as_mut() {
        if let Err(e) = file.read_to_end(&mut data) {
            return Err(os_error(vm, &e, None));
        }
    }
    if !f.binary {
        if std::str::from_utf8(&data).is_err() {
            crate::types::bytes::decode_utf8(vm, &data)?;
        }
        if data.contains(&b'\r') {
            let mut out = Vec::with_capacity(data.len());
            let mut i = 0;
            while i < data.len() {
                if data[i] == b'\r' {
                    out.push(b'\n');
                    if data.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                } else {
                    out.push(data[i]);
                }
                i += 1;
            }
            data = out;
        }
    }
    *f.rbuf.borrow_mut() = Some((data, 0));
    Ok(())
}

fn make_result(vm: &mut Vm, f: &FileObj, bytes: &[u8]) -> Value {
    if f.binary {
        vm.new_bytes(bytes.to_vec())
    } else {
        vm.new_str(String::from_utf8_lossy(bytes).into_owned())
    }
}

fn size_arg(vm: &mut Vm, v: Option<&Value>) -> PyResult<i64> {
    match v {
        None | Some(Value::None) => Ok(-1),
        Some(v) => vm.index_value(v),
    }
}

/// Byte length of the first `n` characters of UTF-8 `b` (or all of it).
fn char_prefix(b: &[u8], n: usize) -> usize {
    let mut count = 0;
    for (i, &c) in b.iter().enumerate() {
        if c & 0xc0 != 0x80 {
            if count == n {
                return i;
            }
            count += 1;
        }
    }
    b.len()
}

fn read(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    let n = size_arg(vm, args.pos.get(1))?;
    fill(vm, f)?;
    let out = {
        let mut rb = f.rbuf.borrow_mut();
        let (data, pos) = rb.as_mut().expect("filled");
        let rest = &data[*pos..];
        let take = if n < 0 {
            rest.len()
        } else if f.binary {
            (n as usize).min(rest.len())
        } else {
            char_prefix(rest, n as usize)
        };
        let out = rest[..take].to_vec();
        *pos += take;
        out
    };
    Ok(make_result(vm, f, &out))
}

fn line_from(f: &FileObj, limit: i64) -> Vec<u8> {
    let mut rb = f.rbuf.borrow_mut();
    let (data, pos) = rb.as_mut().expect("filled");
    let rest = &data[*pos..];
    let mut end = match memchr_nl(rest) {
        Some(i) => i + 1,
        None => rest.len(),
    };
    if limit >= 0 {
        let cap = if f.binary {
            limit as usize
        } else {
            char_prefix(rest, limit as usize)
        };
        end = end.min(cap);
    }
    let out = rest[..end].to_vec();
    *pos += end;
    out
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

fn readline(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    let n = size_arg(vm, args.pos.get(1))?;
    fill(vm, f)?;
    let line = line_from(f, n);
    Ok(make_result(vm, f, &line))
}

fn readlines(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    let hint = size_arg(vm, args.pos.get(1))?;
    fill(vm, f)?;
    let mut lines = Vec::new();
    let mut total = 0usize;
    loop {
        let line = line_from(f, -1);
        if line.is_empty() {
            break;
        }
        total += line.len();
        lines.push(make_result(vm, f, &line));
        if hint > 0 && total >= hint as usize {
            break;
        }
    }
    Ok(vm.new_list(lines))
}

fn next(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    fill(vm, f)?;
    let line = line_from(f, -1);
    if line.is_empty() {
        return Err(vm.stop_iteration(Value::None));
    }
    Ok(make_result(vm, f, &line))
}

fn write_bytes(vm: &mut Vm, f: &FileObj, data: &[u8]) -> PyResult<()> {
    check_open(vm, f)?;
    if !f.writable {
        return Err(unsupported(vm, "not writable"));
    }
    if f.rbuf.borrow().is_some() {
        // Writing after reading: continue at the read position.
        let consumed = f.rbuf.borrow_mut().take();
        if let (Some((data_r, pos)), Some(file)) = (consumed, f.file.borrow_mut().as_mut()) {
            let back = (data_r.len() - pos) as i64;
            let _ = file.seek(SeekFrom::Current(-back));
        }
    }
    f.wbuf.borrow_mut().extend_from_slice(data);
    if f.wbuf.borrow().len() >= 1 << 16 {
        if let Err(e) = f.flush_writes() {
            return Err(os_error(vm, &e, None));
        }
    }
    Ok(())
}

fn write(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "write", 1, 1)?;
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    let v = &args.pos[1];
    if f.binary {
        let Some(b) = crate::types::bytes::bytes_of(v) else {
            let msg = format!("a bytes-like object is required, not '{}'", vm.type_name(v));
            return Err(vm.type_error(msg));
        };
        write_bytes(vm, f, &b)?;
        return Ok(Value::Int(b.len() as i64));
    }
    let Some(s) = v.as_str() else {
        let msg = format!("write() argument must be str, not {}", vm.type_name(v));
        return Err(vm.type_error(msg));
    };
    let n = s.chars().count();
    let s = s.as_bytes().to_vec();
    write_bytes(vm, f, &s)?;
    Ok(Value::Int(n as i64))
}

fn writelines(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "writelines", 1, 1)?;
    let me = args.pos[0].clone();
    let items = vm.collect_iterable(&args.pos[1])?;
    for it in items {
        let a = [me.clone(), it];
        write(
            vm,
            Args {
                pos: &a,
                kwnames: &[],
                kwvalues: &[],
                data: args.data,
            },
        )?;
    }
    Ok(Value::None)
}

fn close(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    if f.closed.get() {
        return Ok(Value::None);
    }
    let r = f.flush_writes();
    f.closed.set(true);
    *f.file.borrow_mut() = None;
    *f.rbuf.borrow_mut() = None;
    if let Err(e) = r {
        return Err(os_error(vm, &e, None));
    }
    Ok(Value::None)
}

fn flush(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    if let Err(e) = f.flush_writes() {
        return Err(os_error(vm, &e, None));
    }
    Ok(Value::None)
}

/// The OS position minus what is buffered but unread.
fn position(vm: &mut Vm, f: &FileObj) -> PyResult<u64> {
    if let Err(e) = f.flush_writes() {
        return Err(os_error(vm, &e, None));
    }
    let mut fb = f.file.borrow_mut();
    let Some(file) = fb.as_mut() else {
        return Ok(0);
    };
    let os_pos = file.stream_position().unwrap_or(0);
    let unread = match f.rbuf.borrow().as_ref() {
        Some((d, p)) => (d.len() - p) as u64,
        None => 0,
    };
    Ok(os_pos.saturating_sub(unread))
}

fn tell(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    Ok(Value::Int(position(vm, f)? as i64))
}

fn seek(vm: &mut Vm, args: Args) -> PyResult {
    args.method_range(vm, "seek", 1, 2)?;
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    let off = vm.index_value(&args.pos[1])?;
    let whence = match args.pos.get(2) {
        Some(w) => vm.index_value(w)?,
        None => 0,
    };
    let pos = position(vm, f)?;
    if !f.binary && (whence != 0 && off != 0) {
        return Err(unsupported(vm, "can't do nonzero cur-relative seeks"));
    }
    let target = match whence {
        0 => {
            if off < 0 {
                return Err(vm.value_error(format!("negative seek position {off}")));
            }
            SeekFrom::Start(off as u64)
        }
        1 => SeekFrom::Start((pos as i64 + off).max(0) as u64),
        2 => SeekFrom::End(off),
        _ => return Err(vm.value_error(format!("invalid whence ({whence}, should be 0, 1 or 2)"))),
    };
    *f.rbuf.borrow_mut() = None;
    let r = match f.file.borrow_mut().as_mut() {
        Some(file) => file.seek(target),
        None => Ok(0),
    };
    match r {
        Ok(p) => Ok(Value::Int(p as i64)),
        Err(e) => Err(os_error(vm, &e, None)),
    }
}

fn readable(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    Ok(Value::from_bool(f.readable))
}

fn writable(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    Ok(Value::from_bool(f.writable))
}

fn readable_true(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    Ok(Value::TRUE)
}

fn isatty(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::FALSE)
}

fn enter(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    check_open(vm, f)?;
    Ok(me)
}

fn exit(vm: &mut Vm, args: Args) -> PyResult {
    let a = [args.pos[0].clone()];
    close(
        vm,
        Args {
            pos: &a,
            kwnames: &[],
            kwvalues: &[],
            data: args.data,
        },
    )?;
    Ok(Value::None)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult {
    let me = args.pos[0].clone();
    let f = file_of(vm, &me)?;
    let name = crate::fmt::str_repr(&f.name);
    let s = if f.binary {
        let kind = if f.readable && f.writable {
            "BufferedRandom"
        } else if f.readable {
            "BufferedReader"
        } else {
            "BufferedWriter"
        };
        format!("<_io.{kind} name={name}>")
    } else {
        format!(
            "<_io.TextIOWrapper name={name} mode={} encoding='UTF-8'>",
            crate::fmt::str_repr(&f.mode)
        )
    };
    Ok(vm.new_str(s))
}

fn get_name(vm: &mut Vm, v: &Value) -> PyResult {
    let f = file_of(vm, v)?;
    let n = f.name.clone();
    Ok(vm.new_str(n))
}

fn get_mode(vm: &mut Vm, v: &Value) -> PyResult {
    let f = file_of(vm, v)?;
    let m = f.mode.clone();
    Ok(vm.new_str(m))
}

fn get_closed(vm: &mut Vm, v: &Value) -> PyResult {
    let f = file_of(vm, v)?;
    Ok(Value::from_bool(f.closed.get()))
}

fn get_encoding(vm: &mut Vm, v: &Value) -> PyResult {
    let f = file_of(vm, v)?;
    if f.binary {
        let msg = "'_io.BufferedReader' object has no attribute 'encoding'".to_string();
        return Err(vm.attribute_error(msg));
    }
    Ok(vm.new_str("UTF-8"))
}
