//! `os`: the process environment and the file-system calls scripts commonly use
//! (`environ`, `getenv`, `getcwd`, `listdir`, `stat`, `mkdir`...). `os.path` is the Aio
//! module `posixpath`, attached here.
//! Invariant: OS failures raise the OSError subclass CPython picks for the errno, with
//! `[Errno N] message: 'path'`.

use super::file::os_error;
use super::structseq;
use crate::vm::limits::Capability;
use crate::vm::object::{Args, NativeFn};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

const STAT_FIELDS: [&str; 10] = [
    "st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime",
    "st_mtime", "st_ctime",
];

/// Creates the `os` module.
pub fn create(vm: &mut Vm) -> PyResult<ObjRef> {
    let (m, d) = super::new_module(vm, "os");
    let st = structseq::new_type(vm, "os", "stat_result", &STAT_FIELDS, &[]);
    vm.dict_set_str(&d, "stat_result", Value::Obj(st.clone()));
    vm.ext.insert("os_stat_result", Box::new(st));
    if vm.granted(Capability::Environment) {
        let env = environ(vm)?;
        vm.dict_set_str(&d, "environ", env);
    } else {
        // Without the capability the environment is read on first use of `os.environ`,
        // which is where the denial happens (a module `__getattr__`, PEP 562).
        let hook = vm.new_native("__getattr__", lazy_attr);
        vm.dict_set_str(&d, "__getattr__", hook);
    }
    for (k, v) in [
        ("sep", "/"),
        ("altsep", ""),
        ("linesep", "\n"),
        ("name", "posix"),
        ("curdir", "."),
        ("pardir", ".."),
        ("extsep", "."),
        ("pathsep", ":"),
        ("devnull", "/dev/null"),
    ] {
        let v = if k == "altsep" {
            Value::None
        } else {
            vm.new_str(v)
        };
        vm.dict_set_str(&d, k, v);
    }
    let funcs: &[(&str, NativeFn)] = &[
        ("getenv", getenv),
        ("getcwd", getcwd),
        ("chdir", chdir),
        ("listdir", listdir),
        ("mkdir", mkdir),
        ("makedirs", makedirs),
        ("remove", remove),
        ("unlink", remove),
        ("rmdir", rmdir),
        ("rename", rename),
        ("replace", rename),
        ("stat", stat),
        ("getpid", getpid),
        ("cpu_count", cpu_count),
        ("urandom", urandom),
        ("fspath", fspath),
    ];
    super::add_functions(vm, &d, funcs);
    let path = vm.import_module("posixpath")?;
    vm.dict_set_str(&d, "path", Value::Obj(path.clone()));
    let mods = vm.modules.clone();
    vm.dict_set_str(&mods, "os.path", Value::Obj(path));
    Ok(m)
}

/// A dict of the process's environment variables.
fn environ(vm: &mut Vm) -> PyResult {
    let env = vm.new_dict_obj();
    for (k, v) in std::env::vars() {
        let k = vm.new_str(k);
        let v = vm.new_str(v);
        vm.dict_set(&env, k, v)?;
    }
    Ok(Value::Obj(env))
}

/// The `os` module's `__getattr__` in an engine without the environment capability:
/// `os.environ` is created (and cached in the module) once the capability is there.
fn lazy_attr(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "__getattr__", 1, 1)?;
    let name = args.pos[0].as_str().unwrap_or("?").to_string();
    if name != "environ" {
        return Err(vm.attribute_error(format!("module 'os' has no attribute '{name}'")));
    }
    vm.require(Capability::Environment, "os.environ")?;
    let env = environ(vm)?;
    let os = vm.import_module("os")?;
    vm.setattr_str(&Value::Obj(os), "environ", env.clone())?;
    Ok(env)
}

fn path_arg(vm: &mut Vm, args: &Args, i: usize, fname: &str) -> PyResult<String> {
    match args.pos.get(i) {
        Some(v) => match v.as_str() {
            Some(s) => Ok(s.to_string()),
            None => {
                let msg = format!(
                    "{fname}: path should be string, bytes or os.PathLike, not {}",
                    vm.type_name(v)
                );
                Err(vm.type_error(msg))
            }
        },
        None => Err(vm.type_error(format!(
            "{fname}() missing required argument 'path' (pos {})",
            i + 1
        ))),
    }
}

fn getenv(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Environment, "os.getenv()")?;
    let [key, default] = args.bind(vm, "getenv", ["key", "default"], 1)?;
    let key = key.expect("required");
    let Some(k) = key.as_str() else {
        let msg = format!("str expected, not {}", vm.type_name(&key));
        return Err(vm.type_error(msg));
    };
    let os = vm.import_module("os")?;
    let env = vm.getattr_str(&Value::Obj(os), "environ")?;
    let k = vm.new_str(k);
    let m = vm.getattr_str(&env, "get")?;
    vm.call(&m, &[k, default.unwrap_or(Value::None)])
}

fn getcwd(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(Capability::Environment, "os.getcwd()")?;
    match std::env::current_dir() {
        Ok(p) => Ok(vm.new_str(p.to_string_lossy().into_owned())),
        Err(e) => Err(os_error(vm, &e, None)),
    }
}

fn chdir(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Environment, "os.chdir()")?;
    let p = path_arg(vm, &args, 0, "chdir")?;
    match std::env::set_current_dir(&p) {
        Ok(()) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, Some(&p))),
    }
}

fn listdir(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.listdir()")?;
    let p = if args.pos.is_empty() || args.pos[0].is_none() {
        ".".to_string()
    } else {
        path_arg(vm, &args, 0, "listdir")?
    };
    let rd = match std::fs::read_dir(&p) {
        Ok(rd) => rd,
        Err(e) => return Err(os_error(vm, &e, Some(&p))),
    };
    let mut names = Vec::new();
    for ent in rd.flatten() {
        names.push(ent.file_name().to_string_lossy().into_owned());
    }
    let vals: Vec<Value> = names.into_iter().map(|n| vm.new_str(n)).collect();
    Ok(vm.new_list(vals))
}

fn mkdir(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.mkdir()")?;
    let p = path_arg(vm, &args, 0, "mkdir")?;
    match std::fs::create_dir(&p) {
        Ok(()) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, Some(&p))),
    }
}

fn makedirs(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.makedirs()")?;
    let p = path_arg(vm, &args, 0, "makedirs")?;
    let exist_ok = match args.kw("exist_ok").or(args.pos.get(2)) {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    if std::path::Path::new(&p).is_dir() {
        if exist_ok {
            return Ok(Value::None);
        }
        let e = std::io::Error::from_raw_os_error(17);
        return Err(os_error(vm, &e, Some(&p)));
    }
    match std::fs::create_dir_all(&p) {
        Ok(()) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, Some(&p))),
    }
}

fn remove(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.remove()")?;
    let p = path_arg(vm, &args, 0, "remove")?;
    match std::fs::remove_file(&p) {
        Ok(()) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, Some(&p))),
    }
}

fn rmdir(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.rmdir()")?;
    let p = path_arg(vm, &args, 0, "rmdir")?;
    match std::fs::remove_dir(&p) {
        Ok(()) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, Some(&p))),
    }
}

fn rename(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.rename()")?;
    let a = path_arg(vm, &args, 0, "rename")?;
    let b = path_arg(vm, &args, 1, "rename")?;
    match std::fs::rename(&a, &b) {
        Ok(()) => Ok(Value::None),
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or("").to_string();
            let cls = match errno {
                2 => "FileNotFoundError",
                17 => "FileExistsError",
                _ => "OSError",
            };
            let cls = Value::Obj(vm.types.exc(cls).clone());
            let t = vm.new_str(text);
            let av = vm.new_str(a);
            let ex = vm.call(&cls, &[Value::Int(errno as i64), t, av])?;
            let bv = vm.new_str(b);
            vm.setattr_str(&ex, "filename2", bv)?;
            Err(vm.make_exception(ex)?)
        }
    }
}

fn stat(vm: &mut Vm, args: Args) -> PyResult {
    vm.require(Capability::Files, "os.stat()")?;
    use std::os::unix::fs::MetadataExt;
    let p = path_arg(vm, &args, 0, "stat")?;
    let md = match std::fs::metadata(&p) {
        Ok(m) => m,
        Err(e) => return Err(os_error(vm, &e, Some(&p))),
    };
    let ft = |s: i64, ns: i64| Value::from_f64(s as f64 + ns as f64 * 1e-9);
    let items = vec![
        Value::Int(md.mode() as i64),
        Value::Int(md.ino() as i64),
        Value::Int(md.dev() as i64),
        Value::Int(md.nlink() as i64),
        Value::Int(md.uid() as i64),
        Value::Int(md.gid() as i64),
        Value::Int(md.size() as i64),
        ft(md.atime(), md.atime_nsec()),
        ft(md.mtime(), md.mtime_nsec()),
        ft(md.ctime(), md.ctime_nsec()),
    ];
    let cls = vm
        .ext
        .get("os_stat_result")
        .and_then(|t| t.downcast_ref::<ObjRef>())
        .cloned()
        .expect("os initialised");
    Ok(structseq::instance(vm, &cls, items, &[]))
}

fn getpid(vm: &mut Vm, _args: Args) -> PyResult {
    vm.require(Capability::Environment, "os.getpid()")?;
    Ok(Value::Int(std::process::id() as i64))
}

fn cpu_count(_vm: &mut Vm, _args: Args) -> PyResult {
    Ok(match std::thread::available_parallelism() {
        Ok(n) => Value::Int(n.get() as i64),
        Err(_) => Value::None,
    })
}

fn urandom(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "urandom", 1, 1)?;
    let n = vm.index_value(&args.pos[0])?;
    if n < 0 {
        return Err(vm.value_error("negative argument not allowed".into()));
    }
    let mut buf = vec![0u8; n as usize];
    crate::hash::os_random_bytes(&mut buf);
    Ok(vm.new_bytes(buf))
}

fn fspath(vm: &mut Vm, args: Args) -> PyResult {
    args.expect_range(vm, "fspath", 1, 1)?;
    let v = &args.pos[0];
    if v.as_str().is_some() || crate::types::bytes::bytes_of(v).is_some() {
        return Ok(v.clone());
    }
    if let Some(m) = vm.getattr_opt(v, "__fspath__")? {
        return vm.call(&m, &[]);
    }
    let msg = format!(
        "expected str, bytes or os.PathLike object, not {}",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}
