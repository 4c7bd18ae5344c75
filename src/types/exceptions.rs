//! The builtin exception hierarchy and BaseException's behaviour (`args`, `str`, `repr`,
//! chaining attributes, notes), plus the extra attributes of StopIteration, SystemExit,
//! OSError, ImportError, SyntaxError and exception groups.
//! Invariant: class names, bases and messages are CPython 3.11's.

use crate::vm::object::{Args, Layout, ObjKind};
use crate::vm::types_registry::make_type;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Exc, PyResult, Vm};

/// (name, base) in creation order.
const HIERARCHY: &[(&str, &str)] = &[
    ("BaseExceptionGroup", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("SystemExit", "BaseException"),
    ("Exception", "BaseException"),
    ("ArithmeticError", "Exception"),
    ("FloatingPointError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ExceptionGroup", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
    ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("StopAsyncIteration", "Exception"),
    ("StopIteration", "Exception"),
    ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("UnicodeTranslateError", "UnicodeError"),
    ("Warning", "Exception"),
    ("BytesWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
    ("EncodingWarning", "Warning"),
    ("FutureWarning", "Warning"),
    ("ImportWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"),
    ("ResourceWarning", "Warning"),
    ("RuntimeWarning", "Warning"),
    ("SyntaxWarning", "Warning"),
    ("UnicodeWarning", "Warning"),
    ("UserWarning", "Warning"),
];

fn exc_of(v: &Value) -> Option<&crate::vm::object::ExcObj> {
    match &v.as_obj()?.kind {
        ObjKind::Exception(e) => Some(e),
        _ => None,
    }
}

fn set_args(vm: &mut Vm, this: &Value, args: &[Value]) {
    let t = vm.new_tuple(args.to_vec());
    if let Some(e) = exc_of(this) {
        *e.args.borrow_mut() = t;
    }
}

fn base_new(vm: &mut Vm, args: Args) -> PyResult {
    let Some(Value::Obj(cls)) = args.pos.first() else {
        return Err(vm.type_error("BaseException.__new__(): not enough arguments".into()));
    };
    // OSError(errno, strerror) builds the subclass CPython maps errno to.
    let mut cls = cls.clone();
    if std::rc::Rc::ptr_eq(&cls, vm.types.exc("OSError")) && args.pos.len() >= 3 {
        if let Some(n) = args.pos[1].as_i64() {
            let sub = crate::event_loop::io_socket::errno_class(n as i32);
            cls = vm.types.exc(sub).clone();
        }
    }
    let inst = vm.new_instance(&cls)?;
    let v = Value::Obj(inst);
    set_args(vm, &v, &args.pos[1..]);
    init_extra(vm, &v, &args.pos[1..], &args)?;
    Ok(v)
}

fn base_init(vm: &mut Vm, args: Args) -> PyResult {
    let this = args.pos[0].clone();
    set_args(vm, &this, &args.pos[1..]);
    init_extra(vm, &this, &args.pos[1..], &args)?;
    Ok(Value::None)
}

/// Class-specific attributes set from the constructor arguments.
fn init_extra(vm: &mut Vm, this: &Value, a: &[Value], args: &Args) -> PyResult<()> {
    let Value::Obj(o) = this else { return Ok(()) };
    let e = Exc(o.clone());
    let first = a.first().cloned().unwrap_or(Value::None);
    let set = |vm: &mut Vm, k: &str, v: Value| {
        let key = vm.intern(k);
        vm.exc_set_attr(&e, key, v)
    };
    if vm.exc_is(&e, "StopIteration") {
        set(vm, "value", first)?;
    } else if vm.exc_is(&e, "SystemExit") {
        let code = match a.len() {
            0 => Value::None,
            1 => first,
            _ => vm.new_tuple(a.to_vec()),
        };
        set(vm, "code", code)?;
    } else if vm.exc_is(&e, "ImportError") {
        let name = args.kw("name").cloned().unwrap_or(Value::None);
        let path = args.kw("path").cloned().unwrap_or(Value::None);
        set(vm, "name", name)?;
        set(vm, "path", path)?;
        set(vm, "msg", first)?;
    } else if vm.exc_is(&e, "OSError") {
        if a.len() >= 2 {
            set(vm, "errno", a[0].clone())?;
            set(vm, "strerror", a[1].clone())?;
            set(vm, "filename", a.get(2).cloned().unwrap_or(Value::None))?;
        } else {
            set(vm, "errno", Value::None)?;
            set(vm, "strerror", Value::None)?;
            set(vm, "filename", Value::None)?;
        }
    } else if vm.exc_is(&e, "SyntaxError") {
        set(vm, "msg", first)?;
        if let Some(ObjKind::Tuple(d)) = a.get(1).and_then(|d| d.kind()) {
            let d = d.to_vec();
            for (i, k) in [
                "filename",
                "lineno",
                "offset",
                "text",
                "end_lineno",
                "end_offset",
            ]
            .iter()
            .enumerate()
            {
                set(vm, k, d.get(i).cloned().unwrap_or(Value::None))?;
            }
        }
    } else if vm.exc_is(&e, "BaseExceptionGroup") {
        init_group(vm, &e, a)?;
    }
    Ok(())
}

fn init_group(vm: &mut Vm, e: &Exc, a: &[Value]) -> PyResult<()> {
    if a.len() != 2 {
        return Err(vm.type_error(format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            a.len()
        )));
    }
    if a[0].as_str().is_none() {
        return Err(
            vm.type_error("argument 1 must be str, not ".to_string() + &vm.type_name(&a[0]))
        );
    }
    let excs = vm.collect_iterable(&a[1])?;
    if excs.is_empty() {
        return Err(
            vm.value_error("second argument (exceptions) must be a non-empty sequence".into())
        );
    }
    let t = vm.new_tuple(excs);
    let key = vm.intern("message");
    vm.exc_set_attr(e, key, a[0].clone())?;
    let key = vm.intern("exceptions");
    vm.exc_set_attr(e, key, t)?;
    Ok(())
}

fn args_get(vm: &mut Vm, v: &Value) -> PyResult {
    Ok(exc_of(v)
        .map(|e| e.args.borrow().clone())
        .unwrap_or_else(|| vm.empty_tuple.clone()))
}

fn args_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let items = vm.collect_iterable(&x.unwrap_or(Value::None))?;
    set_args(vm, v, &items);
    Ok(())
}

fn cause_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(exc_of(v)
        .map(|e| e.cause.borrow().clone())
        .unwrap_or(Value::None))
}

fn cause_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(e) = exc_of(v) {
        let x = x.unwrap_or(Value::None);
        if !x.is_none() && exc_of(&x).is_none() {
            return Err(
                vm.type_error("exception cause must be None or derive from BaseException".into())
            );
        }
        *e.cause.borrow_mut() = x;
        e.suppress_context.set(true);
    }
    Ok(())
}

fn context_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(exc_of(v)
        .map(|e| e.context.borrow().clone())
        .unwrap_or(Value::None))
}

fn context_set(_vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    if let Some(e) = exc_of(v) {
        *e.context.borrow_mut() = x.unwrap_or(Value::None);
    }
    Ok(())
}

fn suppress_get(_vm: &mut Vm, v: &Value) -> PyResult {
    Ok(Value::from_bool(
        exc_of(v).map(|e| e.suppress_context.get()).unwrap_or(false),
    ))
}

fn suppress_set(vm: &mut Vm, v: &Value, x: Option<Value>) -> PyResult<()> {
    let b = vm.truthy(&x.unwrap_or(Value::None))?;
    if let Some(e) = exc_of(v) {
        e.suppress_context.set(b);
    }
    Ok(())
}

fn traceback_get(_vm: &mut Vm, _v: &Value) -> PyResult {
    Ok(Value::None)
}

fn with_traceback(_vm: &mut Vm, args: Args) -> PyResult {
    Ok(args.pos[0].clone())
}

fn add_note(vm: &mut Vm, args: Args) -> PyResult {
    let this = args.pos[0].clone();
    let note = args.pos.get(1).cloned().unwrap_or(Value::None);
    if note.as_str().is_none() {
        let msg = format!("note must be a str, not '{}'", vm.type_name(&note));
        return Err(vm.type_error(msg));
    }
    let notes = match vm.getattr_opt(&this, "__notes__")? {
        Some(n) => n,
        None => {
            let l = vm.new_list(Vec::new());
            vm.setattr_str(&this, "__notes__", l.clone())?;
            l
        }
    };
    if let Some(ObjKind::List(items)) = notes.kind() {
        items.borrow_mut().push(note);
    }
    Ok(Value::None)
}

/// `str(exc)`.
pub fn exc_str(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let args = match exc_of(v) {
        Some(e) => e.args.borrow().clone(),
        None => return Ok(String::new()),
    };
    let items: Vec<Value> = match args.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    };
    let Value::Obj(o) = v else {
        return Ok(String::new());
    };
    let e = Exc(o.clone());
    if vm.exc_is(&e, "KeyError") && items.len() == 1 {
        return vm.repr(&items[0]);
    }
    if vm.exc_is(&e, "BaseExceptionGroup") {
        let msg = vm.getattr_str(v, "message")?;
        let n = match vm.getattr_str(v, "exceptions")?.kind() {
            Some(ObjKind::Tuple(t)) => t.len(),
            _ => 0,
        };
        let m = vm.str_of(&msg)?;
        return Ok(format!(
            "{m} ({n} sub-exception{})",
            if n == 1 { "" } else { "s" }
        ));
    }
    if vm.exc_is(&e, "OSError") && items.len() >= 2 {
        let errno = vm.str_of(&items[0])?;
        let strerror = vm.str_of(&items[1])?;
        if let Some(f) = items.get(2) {
            let fr = vm.repr(f)?;
            return Ok(format!("[Errno {errno}] {strerror}: {fr}"));
        }
        return Ok(format!("[Errno {errno}] {strerror}"));
    }
    match items.len() {
        0 => Ok(String::new()),
        1 => vm.str_of(&items[0]),
        _ => vm.repr(&args),
    }
}

/// `repr(exc)`: `ValueError('x')`.
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let name = vm.type_name(v);
    let args = exc_of(v)
        .map(|e| e.args.borrow().clone())
        .unwrap_or(Value::None);
    let items: Vec<Value> = match args.kind() {
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    };
    if items.len() == 1 {
        let r = vm.repr(&items[0])?;
        return Ok(format!("{name}({r})"));
    }
    let r = vm.repr(&args)?;
    Ok(format!("{name}{r}"))
}

fn str_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = exc_str(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

fn repr_m(vm: &mut Vm, args: Args) -> PyResult {
    let s = repr(vm, &args.pos[0])?;
    Ok(vm.new_str(s))
}

fn attr_getter(name: &'static str) -> crate::vm::object::Getter {
    match name {
        "value" => |vm, v| exc_attr(vm, v, "value"),
        "code" => |vm, v| exc_attr(vm, v, "code"),
        "errno" => |vm, v| exc_attr(vm, v, "errno"),
        "strerror" => |vm, v| exc_attr(vm, v, "strerror"),
        "filename" => |vm, v| exc_attr(vm, v, "filename"),
        "message" => |vm, v| exc_attr(vm, v, "message"),
        "exceptions" => |vm, v| exc_attr(vm, v, "exceptions"),
        _ => |vm, v| exc_attr(vm, v, "msg"),
    }
}

fn exc_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult {
    let Value::Obj(o) = v else {
        return Ok(Value::None);
    };
    let key = vm.intern(name);
    if let Some(x) = vm.exc_get_attr(&Exc(o.clone()), &key) {
        return Ok(x);
    }
    // Exceptions created natively skip __init__: derive the attribute from args.
    let args = vm.exc_args(o);
    Ok(match name {
        "value" | "msg" => args.first().cloned().unwrap_or(Value::None),
        "code" => match args.len() {
            0 => Value::None,
            1 => args[0].clone(),
            _ => vm.new_tuple(args),
        },
        "errno" if args.len() >= 2 => args[0].clone(),
        "strerror" if args.len() >= 2 => args[1].clone(),
        "filename" if args.len() >= 3 => args[2].clone(),
        _ => Value::None,
    })
}

fn group_derive(vm: &mut Vm, args: Args) -> PyResult {
    let this = args.pos[0].clone();
    let excs = args.pos.get(1).cloned().unwrap_or(Value::None);
    let msg = vm.getattr_str(&this, "message")?;
    let cls = Value::Obj(vm.type_of(&this).clone());
    vm.call(&cls, &[msg, excs])
}

fn group_split_common(vm: &mut Vm, args: &Args, want_rest: bool) -> PyResult {
    let this = args.pos[0].clone();
    let cond = args.pos.get(1).cloned().unwrap_or(Value::None);
    let (m, r) = split_rec(vm, &this, &cond)?;
    let m = m.unwrap_or(Value::None);
    if !want_rest {
        return Ok(m);
    }
    let r = r.unwrap_or(Value::None);
    Ok(vm.new_tuple(vec![m, r]))
}

/// Splits `exc` by `cond` (a type, a tuple of types or a predicate) into the matching and
/// the remaining parts, recursing into nested groups as `BaseExceptionGroup.split` does.
fn split_rec(vm: &mut Vm, exc: &Value, cond: &Value) -> PyResult<(Option<Value>, Option<Value>)> {
    let matched = match cond.kind() {
        Some(ObjKind::Type(_)) | Some(ObjKind::Tuple(_)) => vm.exc_matches(exc, cond)?,
        _ => {
            let r = vm.call(cond, std::slice::from_ref(exc))?;
            vm.truthy(&r)?
        }
    };
    if matched {
        return Ok((Some(exc.clone()), None));
    }
    let group = vm.types.exc("BaseExceptionGroup").clone();
    if !vm.isinstance(exc, &group) {
        return Ok((None, Some(exc.clone())));
    }
    let excs = vm.getattr_str(exc, "exceptions")?;
    let items = vm.collect_iterable(&excs)?;
    let mut matched = Vec::new();
    let mut rest = Vec::new();
    for x in items {
        let (m, r) = split_rec(vm, &x, cond)?;
        matched.extend(m);
        rest.extend(r);
    }
    let m = derive_part(vm, exc, matched)?;
    let r = derive_part(vm, exc, rest)?;
    Ok((m, r))
}

/// `eg.derive(parts)` with the original's cause, context and traceback copied over.
fn derive_part(vm: &mut Vm, eg: &Value, parts: Vec<Value>) -> PyResult<Option<Value>> {
    if parts.is_empty() {
        return Ok(None);
    }
    let l = vm.new_list(parts);
    let d = vm.call_method(eg, "derive", &[l])?;
    for attr in ["__cause__", "__context__"] {
        let v = vm.getattr_str(eg, attr)?;
        let n = vm.intern(attr);
        vm.set_attr(&d, &n, v)?;
    }
    Ok(Some(d))
}

fn group_subgroup(vm: &mut Vm, args: Args) -> PyResult {
    group_split_common(vm, &args, false)
}

fn group_split(vm: &mut Vm, args: Args) -> PyResult {
    group_split_common(vm, &args, true)
}

fn group_new(vm: &mut Vm, args: Args) -> PyResult {
    // BaseExceptionGroup(msg, excs) becomes ExceptionGroup when every exception is an
    // Exception, as in CPython.
    let cls = args.pos[0].clone();
    let excs = args.pos.get(2).cloned().unwrap_or(Value::None);
    check_group_args(vm, &cls, &args)?;
    let base_group = vm.types.exc("BaseExceptionGroup").clone();
    let mut target = cls.clone();
    if let Value::Obj(c) = &cls {
        if std::rc::Rc::ptr_eq(c, &base_group) {
            let items = vm.collect_iterable(&excs).unwrap_or_default();
            let exception = vm.types.exc("Exception").clone();
            if !items.is_empty() && items.iter().all(|x| vm.isinstance(x, &exception)) {
                target = Value::Obj(vm.types.exc("ExceptionGroup").clone());
            }
        }
    }
    let mut pos = args.pos.to_vec();
    pos[0] = target;
    base_new(vm, Args { pos: &pos, ..args })
}

/// `BaseExceptionGroup.__new__`'s argument checks, with CPython's messages.
fn check_group_args(vm: &mut Vm, cls: &Value, args: &Args) -> PyResult<()> {
    let cname = match cls {
        Value::Obj(c) => c
            .as_type()
            .map(|t| t.name.borrow().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    if args.pos.len() != 3 || !args.kwnames.is_empty() {
        let n = args.pos.len().saturating_sub(1);
        let msg = format!("BaseExceptionGroup.__new__() takes exactly 2 arguments ({n} given)");
        return Err(vm.type_error(msg));
    }
    let (msg, excs) = (&args.pos[1], &args.pos[2]);
    if msg.as_str().is_none() {
        let m = format!("argument 1 must be str, not {}", vm.type_name(msg));
        return Err(vm.type_error(m));
    }
    let items = match excs.kind() {
        Some(ObjKind::List(l)) => l.borrow().clone(),
        Some(ObjKind::Tuple(t)) => t.to_vec(),
        _ => {
            let m = "second argument (exceptions) must be a sequence".to_string();
            return Err(vm.type_error(m));
        }
    };
    if items.is_empty() {
        let m = "second argument (exceptions) must be a non-empty sequence".to_string();
        return Err(vm.value_error(m));
    }
    let base = vm.types.base_exception.clone();
    let exception = vm.types.exc("Exception").clone();
    let mut all_exceptions = true;
    for (i, x) in items.iter().enumerate() {
        if !vm.isinstance(x, &base) {
            let m = format!("Item {i} of second argument (exceptions) is not an exception");
            return Err(vm.value_error(m));
        }
        all_exceptions &= vm.isinstance(x, &exception);
    }
    if cname == "ExceptionGroup" && !all_exceptions {
        let m = "Cannot nest BaseExceptions in an ExceptionGroup".to_string();
        return Err(vm.type_error(m));
    }
    Ok(())
}

/// Creates the exception classes and installs their methods.
pub fn init(vm: &mut Vm) {
    let base = vm.types.base_exception.clone();
    let module = vm.intern("builtins");
    *base.as_type().expect("type").module.borrow_mut() = module.clone();
    vm.types.exceptions.insert("BaseException", base.clone());
    for (name, parent) in HIERARCHY {
        let p = vm.types.exc(parent).clone();
        let t = make_type(name, Some(&p), Layout::Exception, true);
        *t.as_type().expect("type").module.borrow_mut() = module.clone();
        vm.types.exceptions.insert(name, t);
    }
    // ExceptionGroup is also a BaseExceptionGroup (CPython's second base).
    let eg = vm.types.exc("ExceptionGroup").clone();
    let beg = vm.types.exc("BaseExceptionGroup").clone();
    let patched = {
        let t = eg.as_type().expect("type");
        let mut mro = vec![beg.clone()];
        mro.extend(t.mro.iter().cloned());
        make_type_with_mro(t, mro)
    };
    vm.types.exceptions.insert("ExceptionGroup", patched);

    vm.add_staticmethod(&base, "__new__", base_new);
    vm.add_method(&base, "__init__", base_init);
    vm.add_method(&base, "__str__", str_m);
    vm.add_method(&base, "__repr__", repr_m);
    vm.add_method(&base, "with_traceback", with_traceback);
    vm.add_method(&base, "add_note", add_note);
    vm.add_getset(&base, "args", args_get, Some(args_set));
    vm.add_getset(&base, "__cause__", cause_get, Some(cause_set));
    vm.add_getset(&base, "__context__", context_get, Some(context_set));
    vm.add_getset(
        &base,
        "__suppress_context__",
        suppress_get,
        Some(suppress_set),
    );
    vm.add_getset(&base, "__traceback__", traceback_get, None);
    let extra: &[(&str, &str)] = &[
        ("StopIteration", "value"),
        ("SystemExit", "code"),
        ("OSError", "errno"),
        ("OSError", "strerror"),
        ("OSError", "filename"),
        ("SyntaxError", "msg"),
        ("BaseExceptionGroup", "message"),
        ("BaseExceptionGroup", "exceptions"),
    ];
    for (cls, attr) in extra {
        let c = vm.types.exc(cls).clone();
        vm.add_getset(&c, attr, attr_getter(attr), None);
    }
    let g = vm.types.exc("BaseExceptionGroup").clone();
    vm.add_staticmethod(&g, "__new__", group_new);
    vm.add_method(&g, "derive", group_derive);
    vm.add_method(&g, "subgroup", group_subgroup);
    vm.add_method(&g, "split", group_split);
    // EnvironmentError and IOError are OSError.
    let os = vm.types.exc("OSError").clone();
    vm.types.exceptions.insert("EnvironmentError", os.clone());
    vm.types.exceptions.insert("IOError", os);
}

/// A copy of a builtin type's header with another MRO (used for ExceptionGroup).
fn make_type_with_mro(t: &crate::vm::object::TypeObj, mro: Vec<ObjRef>) -> ObjRef {
    use crate::vm::object::{Obj, TypeObj};
    use std::cell::{Cell, RefCell};
    let bases = mro.clone();
    let cls = std::rc::Rc::new(Obj {
        class: None,
        kind: ObjKind::Type(Box::new(TypeObj {
            name: RefCell::new(t.name.borrow().clone()),
            qualname: RefCell::new(t.qualname.borrow().clone()),
            module: RefCell::new(t.module.borrow().clone()),
            base: t.base.clone(),
            mro,
            dict: RefCell::new(crate::types::dict::Dict::new()),
            layout: t.layout,
            builtin: true,
            dotted: Cell::new(false),
            attr_hint: Cell::new(0),
            hooks: Cell::new(crate::vm::object::HOOKS_UNKNOWN),
            ctor: Default::default(),
            version: Cell::new(crate::vm::type_cache::fresh_type_version()),
            subclasses: Default::default(),
        })),
    });
    // Registered under every class of its MRO (it has two bases): a change to any of them
    // must renew its version.
    for b in &bases {
        crate::vm::type_cache::register_subclass(b, &cls);
    }
    cls
}
