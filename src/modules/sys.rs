//! `sys`: interpreter state visible to scripts (argv, streams, limits, modules).
//! Invariant: `sys.stdout`/`sys.stderr` write through the VM's buffered outputs, so `print`
//! and `sys.stdout.write` interleave correctly.

use crate::vm::object::{Args, ExtObject, Layout, Obj, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// A standard stream object: 0 stdin, 1 stdout, 2 stderr.
pub struct StdStream {
    pub fd: u8,
}

impl ExtObject for StdStream {
    fn type_name(&self) -> &str {
        "TextIOWrapper"
    }
    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}
    fn clear(&self) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn stream_fd(v: &Value) -> Option<u8> {
    match v.kind()? {
        ObjKind::Ext(e) => e.as_any().downcast_ref::<StdStream>().map(|s| s.fd),
        _ => None,
    }
}

/// Writes text to a `file=` argument (None: stdout).
pub fn write_to(vm: &mut Vm, file: &Value, text: &str) -> PyResult<()> {
    if file.is_none() {
        vm.write_stdout(text);
        return stdout_failure(vm);
    }
    match stream_fd(file) {
        Some(1) => {
            vm.write_stdout(text);
            return stdout_failure(vm);
        }
        Some(2) => vm.write_stderr(text),
        _ => {
            let s = vm.new_str(text);
            vm.call_method(file, "write", &[s])?;
        }
    }
    Ok(())
}

/// BrokenPipeError (or another OSError) when writing to stdout has just failed.
fn stdout_failure(vm: &mut Vm) -> PyResult<()> {
    let Some(errno) = vm.stdout.take_failure() else {
        return Ok(());
    };
    let (class, text) = if errno == 32 {
        ("BrokenPipeError", "Broken pipe".to_string())
    } else {
        ("OSError", format!("write error {errno}"))
    };
    let msg = vm.new_str(text);
    Err(vm.new_exc(class, vec![Value::Int(errno as i64), msg]))
}

/// Flushes a `file=` argument.
pub fn flush_file(vm: &mut Vm, file: &Value) -> PyResult<()> {
    match stream_fd(file) {
        Some(_) => {
            vm.flush_output();
            Ok(())
        }
        None if file.is_none() => {
            vm.flush_output();
            Ok(())
        }
        None => {
            vm.call_method(file, "flush", &[])?;
            Ok(())
        }
    }
}

fn stream_write(vm: &mut Vm, args: Args) -> PyResult {
    let Some(s) = args.pos.get(1).and_then(|v| v.as_str()) else {
        let t = args.pos.get(1).map(|v| vm.type_name(v)).unwrap_or_default();
        return Err(vm.type_error(format!("write() argument must be str, not {t}")));
    };
    let n = s.chars().count();
    let s = s.to_string();
    match stream_fd(&args.pos[0]) {
        Some(2) => vm.write_stderr(&s),
        _ => vm.write_stdout(&s),
    }
    Ok(Value::Int(n as i64))
}

fn stream_flush(vm: &mut Vm, _args: Args) -> PyResult {
    vm.flush_output();
    Ok(Value::None)
}

fn stream_isatty(_vm: &mut Vm, args: Args) -> PyResult {
    use std::io::IsTerminal;
    Ok(Value::from_bool(match stream_fd(&args.pos[0]) {
        Some(0) => std::io::stdin().is_terminal(),
        Some(1) => std::io::stdout().is_terminal(),
        _ => std::io::stderr().is_terminal(),
    }))
}

fn stream_fileno(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(stream_fd(&args.pos[0]).unwrap_or(1) as i64))
}

fn stream_readline(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(crate::vm::limits::Capability::Stdin, "sys.stdin.readline()")?;
    vm.flush_output();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    Ok(vm.new_str(line))
}

fn stream_read(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(crate::vm::limits::Capability::Stdin, "sys.stdin.read()")?;
    use std::io::Read;
    vm.flush_output();
    let mut s = String::new();
    let _ = std::io::stdin().read_to_string(&mut s);
    Ok(vm.new_str(s))
}

fn exit(vm: &mut Vm, args: Args) -> PyResult {
    let code = args.pos.first().cloned().unwrap_or(Value::None);
    Err(vm.new_exc("SystemExit", vec![code]))
}

fn getrecursionlimit(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(vm.config.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "setrecursionlimit", 1, 1)?;
    let n = vm.index_value(&args.pos[0])?;
    if n < 1 {
        return Err(vm.value_error("recursion limit must be greater or equal than 1".into()));
    }
    if (n as usize) <= vm.depth {
        return Err(vm.new_exc_msg(
            "RecursionError",
            format!(
                "cannot set the recursion limit to {n} at the recursion depth {}: the limit is too low",
                vm.depth
            ),
        ));
    }
    // The host's hard cap on call depth cannot be raised from a script.
    vm.config.recursion_limit = match vm.limits.max_depth {
        Some(m) => (n as usize).min(m),
        None => n as usize,
    };
    Ok(Value::None)
}

fn get_int_max_str_digits(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(Value::Int(vm.config.int_max_str_digits as i64))
}

fn set_int_max_str_digits(vm: &mut Vm, args: Args) -> PyResult {
    let [maxdigits] = args.bind(vm, "set_int_max_str_digits", ["maxdigits"], 1)?;
    let n = vm.index_value(&maxdigits.expect("required"))?;
    if n != 0 && n < 640 {
        return Err(vm.value_error("maxdigits must be 0 or larger than 640".into()));
    }
    vm.config.int_max_str_digits = n as usize;
    Ok(Value::None)
}

fn exc_info(vm: &mut Vm, _args: Args) -> PyResult {
    let e = vm.current_exception(None);
    if e.is_none() {
        return Ok(vm.new_tuple(vec![Value::None, Value::None, Value::None]));
    }
    let t = Value::Obj(vm.type_of(&e).clone());
    Ok(vm.new_tuple(vec![t, e, Value::None]))
}

fn exception(vm: &mut Vm, _args: Args) -> PyResult {
    Ok(vm.current_exception(None))
}

fn getrefcount(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(Value::Int(match args.pos.first() {
        Some(Value::Obj(o)) => Rc::strong_count(o) as i64,
        _ => 1000,
    }))
}

fn intern(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}

fn stream(vm: &mut Vm, ty: &ObjRef, fd: u8) -> Value {
    Value::Obj(vm.alloc_instance(ty.clone(), ObjKind::Ext(Box::new(StdStream { fd }))))
}

/// Creates the `sys` module.
pub fn create(vm: &mut Vm) -> ObjRef {
    let m = vm.new_module("sys");
    let ObjKind::Module(mo) = &m.kind else {
        unreachable!()
    };
    let d = mo.dict.clone();
    let io_type = make_type(
        "TextIOWrapper",
        Some(&vm.types.object.clone()),
        Layout::Opaque,
        true,
    );
    let iom = vm.intern("_io");
    *io_type.as_type().expect("type").module.borrow_mut() = iom;
    for (n, f) in [
        ("write", stream_write as crate::vm::object::NativeFn),
        ("flush", stream_flush),
        ("isatty", stream_isatty),
        ("fileno", stream_fileno),
        ("readline", stream_readline),
        ("read", stream_read),
    ] {
        vm.add_method(&io_type, n, f);
    }
    let stdin = stream(vm, &io_type, 0);
    let stdout = stream(vm, &io_type, 1);
    let stderr = stream(vm, &io_type, 2);
    vm.dict_set_str(&d, "stdin", stdin.clone());
    vm.dict_set_str(&d, "stdout", stdout.clone());
    vm.dict_set_str(&d, "stderr", stderr.clone());
    vm.dict_set_str(&d, "__stdin__", stdin);
    vm.dict_set_str(&d, "__stdout__", stdout);
    vm.dict_set_str(&d, "__stderr__", stderr);
    let argv: Vec<Value> = vm
        .config
        .argv
        .clone()
        .into_iter()
        .map(|a| vm.new_str(a))
        .collect();
    let argv = vm.new_list(argv);
    vm.dict_set_str(&d, "argv", argv);
    let path: Vec<Value> = vm
        .config
        .module_path
        .clone()
        .into_iter()
        .map(|p| vm.new_str(p.to_string_lossy().to_string()))
        .collect();
    let path = vm.new_list(path);
    vm.dict_set_str(&d, "path", path);
    let version = vm.new_str(format!(
        "3.11.0 (Aio {}, a Python 3.11 subset interpreter)",
        env!("CARGO_PKG_VERSION")
    ));
    vm.dict_set_str(&d, "version", version);
    let final_ = vm.new_str("final");
    let vi = vm.new_tuple(vec![
        Value::Int(3),
        Value::Int(11),
        Value::Int(0),
        final_,
        Value::Int(0),
    ]);
    vm.dict_set_str(&d, "version_info", vi);
    vm.dict_set_str(&d, "hexversion", Value::Int(0x030b00f0));
    let platform = vm.new_str(std::env::consts::OS);
    vm.dict_set_str(&d, "platform", platform);
    let byteorder = vm.new_str(if cfg!(target_endian = "little") {
        "little"
    } else {
        "big"
    });
    vm.dict_set_str(&d, "byteorder", byteorder);
    vm.dict_set_str(&d, "maxsize", Value::Int(i64::MAX));
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_default();
    let exe = vm.new_str(exe);
    vm.dict_set_str(&d, "executable", exe);
    let modules = Value::Obj(vm.modules.clone());
    vm.dict_set_str(&d, "modules", modules);
    let funcs: &[(&str, crate::vm::object::NativeFn)] = &[
        ("exit", exit),
        ("getrecursionlimit", getrecursionlimit),
        ("setrecursionlimit", setrecursionlimit),
        ("get_int_max_str_digits", get_int_max_str_digits),
        ("set_int_max_str_digits", set_int_max_str_digits),
        ("exc_info", exc_info),
        ("exception", exception),
        ("getrefcount", getrefcount),
        ("intern", intern),
    ];
    crate::modules::add_functions(vm, &d, funcs);
    let _ = Obj {
        class: None,
        kind: ObjKind::Ellipsis,
    };
    m
}
