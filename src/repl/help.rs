//! `help()` for the REPL: a signature and the docstring, laid out like pydoc's plain text.
//!
//! `help(f)` shows `f(a, b=1, *args, key=None, **kw)` and the docstring; a class shows its
//! constructor signature, docstring and methods; a module its docstring and contents; any
//! other object the help of its class. Invariant: help never raises because of the object
//! it describes (a failing `repr` of a default shows as `...`).

use crate::vm::object::{Args, Function, ObjKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// What `help()` with no argument prints.
const INTRO: &str = "\
Aio is a subset of Python 3.11 built around async/await and asyncio.

At this prompt:
  await coro()            runs a coroutine on the session's event loop
  asyncio.create_task(c)  starts a task that keeps running while you type
  help(obj)               shows the signature and docstring of obj
  dir(obj)                lists its attributes; Tab completes names and attributes
  Ctrl-C                  clears the line, or cancels the await that is running
  Ctrl-D or exit()        leaves
";

/// Installs `help` in the builtins.
pub fn install(vm: &mut Vm) {
    let f = vm.new_native("help", help);
    if let ObjKind::Module(m) = &vm.builtins.kind {
        let d = m.dict.clone();
        vm.dict_set_str(&d, "help", f);
    }
}

fn help(vm: &mut Vm, args: Args) -> PyResult {
    let Some(obj) = args.pos.first() else {
        vm.write_stdout(INTRO);
        return Ok(Value::None);
    };
    let text = match obj.as_str() {
        Some(name) => {
            let name = name.to_string();
            match resolve_name(vm, &name) {
                Some(v) => describe(vm, &v),
                None => format!("No Python documentation found for '{name}'.\n"),
            }
        }
        None => describe(vm, obj),
    };
    vm.write_stdout(&text);
    Ok(Value::None)
}

/// `help('name')`: a module that can be imported, or a builtin.
fn resolve_name(vm: &mut Vm, name: &str) -> Option<Value> {
    if let ObjKind::Module(m) = &vm.builtins.kind {
        let d = m.dict.clone();
        if let Some(v) = vm.dict_get_str(&d, name) {
            return Some(v);
        }
    }
    vm.import_module(name).ok().map(Value::Obj)
}

/// The help text for any object.
pub fn describe(vm: &mut Vm, v: &Value) -> String {
    match v.kind() {
        Some(ObjKind::Function(_) | ObjKind::Native(_) | ObjKind::BoundMethod(_)) => {
            let what = match v.kind() {
                Some(ObjKind::BoundMethod(_)) => "method",
                Some(ObjKind::Native(_)) => "built-in function",
                _ => "function",
            };
            let name = attr_str(vm, v, "__name__").unwrap_or_else(|| "?".into());
            let mut s = format!("Help on {what} {name}{}:\n\n", module_suffix(vm, v));
            s.push_str(&routine(vm, v, &name, ""));
            s
        }
        Some(ObjKind::Type(_)) => class_help(vm, v),
        Some(ObjKind::Module(m)) => {
            let name = m.name.to_string();
            module_help(vm, v, &name)
        }
        _ => {
            let ty = Value::Obj(vm.type_of(v).clone());
            class_help(vm, &ty)
        }
    }
}

/// ` in module m` when the object says where it was defined.
fn module_suffix(vm: &mut Vm, v: &Value) -> String {
    match attr_str(vm, v, "__module__") {
        Some(m) => format!(" in module {m}"),
        None if matches!(v.kind(), Some(ObjKind::Native(_))) => " in module builtins".into(),
        None => String::new(),
    }
}

/// `name(signature)` and the indented docstring.
fn routine(vm: &mut Vm, v: &Value, name: &str, indent: &str) -> String {
    let (prefix, sig) = signature(vm, v);
    let mut s = format!("{indent}{prefix}{name}{sig}\n");
    if let Some(doc) = doc_of(vm, v) {
        for line in doc.lines() {
            s.push_str(format!("{indent}    {line}").trim_end());
            s.push('\n');
        }
    }
    s.push('\n');
    s
}

/// The signature of a callable (`(a, b=1)`), and `async ` for coroutine functions.
pub fn signature(vm: &mut Vm, v: &Value) -> (&'static str, String) {
    match v.kind() {
        Some(ObjKind::Function(f)) => {
            let prefix = if f.code.flags.coroutine || f.code.flags.async_generator {
                "async "
            } else {
                ""
            };
            (prefix, function_signature(vm, f, 0))
        }
        Some(ObjKind::BoundMethod(b)) => match b.0.kind() {
            Some(ObjKind::Function(f)) => ("", function_signature(vm, f, 1)),
            _ => ("", "(...)".into()),
        },
        _ => ("", "(...)".into()),
    }
}

/// Parameters from the code object, defaults from the function; `skip` leading ones (self).
fn function_signature(vm: &mut Vm, f: &Function, skip: usize) -> String {
    let code = f.code.clone();
    let names: Vec<String> = code
        .varnames
        .iter()
        .map(|n| n.as_str().unwrap_or("?").to_string())
        .collect();
    let npos = code.argcount as usize;
    let nkw = code.kwonlyargcount as usize;
    let defaults: Vec<Value> = f.defaults.borrow().to_vec();
    let kwdefaults = f.kwdefaults.borrow().clone();
    let first_default = npos.saturating_sub(defaults.len());
    let mut parts: Vec<String> = Vec::new();
    for (i, name) in names.iter().enumerate().take(npos) {
        let mut p = name.clone();
        if i >= first_default {
            p.push('=');
            p.push_str(&short_repr(vm, &defaults[i - first_default]));
        }
        parts.push(p);
        if code.posonlyargcount as usize == i + 1 {
            parts.push("/".into());
        }
    }
    let mut next = npos + nkw;
    if code.flags.varargs {
        parts.push(format!(
            "*{}",
            names.get(next).map_or("args", String::as_str)
        ));
        next += 1;
    } else if nkw > 0 {
        parts.push("*".into());
    }
    for name in names.iter().skip(npos).take(nkw) {
        let mut p = name.clone();
        if let Value::Obj(d) = &kwdefaults {
            if let Some(dv) = vm.dict_get_str(d, name) {
                p.push('=');
                p.push_str(&short_repr(vm, &dv));
            }
        }
        parts.push(p);
    }
    if code.flags.varkeywords {
        parts.push(format!(
            "**{}",
            names.get(next).map_or("kwargs", String::as_str)
        ));
    }
    let parts: Vec<String> = parts.into_iter().skip(skip).collect();
    format!("({})", parts.join(", "))
}

fn short_repr(vm: &mut Vm, v: &Value) -> String {
    match vm.repr(v) {
        Ok(s) => s,
        Err(_) => "...".into(),
    }
}

fn class_help(vm: &mut Vm, cls: &Value) -> String {
    let Some(t) = cls.as_obj().and_then(|o| o.as_type()) else {
        return String::new();
    };
    let name = t.name.borrow().to_string();
    let bases: Vec<String> = t
        .base
        .iter()
        .map(|b| {
            let bt = b.as_type().map(|bt| bt.name.borrow().to_string());
            bt.unwrap_or_default()
        })
        .collect();
    let mut entries: Vec<(String, Value)> = t
        .dict
        .borrow()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
        .collect();
    entries.retain(|(k, _)| !k.starts_with('_') || k == "__init__");
    let mut s = format!("Help on class {name}{}:\n\n", module_suffix(vm, cls));
    s.push_str(&format!("class {name}({})\n", bases.join(", ")));
    if let Some(init) = entries
        .iter()
        .find(|(k, _)| k == "__init__")
        .map(|e| e.1.clone())
    {
        if let Some(ObjKind::Function(f)) = init.kind() {
            let sig = function_signature(vm, f, 1);
            s.push_str(&format!(" |  {name}{sig}\n"));
        }
    }
    if let Some(doc) = doc_of(vm, cls) {
        s.push_str(" |\n");
        for line in doc.lines() {
            s.push_str(format!(" |  {line}").trim_end());
            s.push('\n');
        }
    }
    let methods: Vec<(String, Value)> = entries
        .into_iter()
        .map(|(k, v)| match v.kind() {
            Some(ObjKind::StaticMethod(f) | ObjKind::ClassMethod(f)) => (k, f.clone()),
            _ => (k, v),
        })
        .filter(|(_, v)| matches!(v.kind(), Some(ObjKind::Function(_) | ObjKind::Native(_))))
        .collect();
    if !methods.is_empty() {
        s.push_str(" |\n |  Methods defined here:\n |\n");
        for (k, v) in methods {
            for line in routine(vm, &v, &k, "").lines() {
                s.push_str(format!(" |  {line}").trim_end());
                s.push('\n');
            }
        }
    }
    s.push('\n');
    s
}

fn module_help(vm: &mut Vm, m: &Value, name: &str) -> String {
    let mut s = format!("Help on module {name}:\n\nNAME\n    {name}\n");
    if let Some(doc) = doc_of(vm, m) {
        s.push_str("\nDESCRIPTION\n");
        for line in doc.lines() {
            s.push_str(format!("    {line}").trim_end());
            s.push('\n');
        }
    }
    let dict: Option<ObjRef> = match m.kind() {
        Some(ObjKind::Module(mo)) => Some(mo.dict.clone()),
        _ => None,
    };
    let mut classes = Vec::new();
    let mut functions = Vec::new();
    for (k, v) in dict.map(|d| vm.dict_items(&d)).unwrap_or_default() {
        let Some(k) = k.as_str().map(str::to_string) else {
            continue;
        };
        if k.starts_with('_') {
            continue;
        }
        match v.kind() {
            Some(ObjKind::Type(_)) => classes.push(k),
            Some(ObjKind::Function(_) | ObjKind::Native(_)) => functions.push(k),
            _ => {}
        }
    }
    for (title, mut names) in [("CLASSES", classes), ("FUNCTIONS", functions)] {
        if names.is_empty() {
            continue;
        }
        names.sort();
        s.push_str(&format!("\n{title}\n"));
        for n in names {
            s.push_str(&format!("    {n}\n"));
        }
    }
    s.push('\n');
    s
}

/// The docstring, cleaned like `inspect.cleandoc`.
fn doc_of(vm: &mut Vm, v: &Value) -> Option<String> {
    let d = attr_str(vm, v, "__doc__")?;
    let cleaned = cleandoc(&d);
    (!cleaned.is_empty()).then_some(cleaned)
}

fn attr_str(vm: &mut Vm, v: &Value, name: &str) -> Option<String> {
    let a = vm.getattr_opt(v, name).ok()??;
    a.as_str().map(str::to_string)
}

/// `inspect.cleandoc`: strips the first line, removes the common indentation of the rest,
/// and drops leading and trailing blank lines.
pub fn cleandoc(doc: &str) -> String {
    let doc = doc.replace('\t', "        ");
    let mut lines = doc.lines();
    let first = lines.next().unwrap_or("").trim().to_string();
    let rest: Vec<&str> = lines.collect();
    let margin = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = vec![first];
    for l in rest {
        out.push(l.get(margin..).unwrap_or("").trim_end().to_string());
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::cleandoc;

    #[test]
    fn cleandoc_like_inspect() {
        assert_eq!(
            cleandoc("Sum.\n\n    More text.\n      Indented.\n    "),
            "Sum.\n\nMore text.\n  Indented."
        );
        assert_eq!(cleandoc("\n    Only body.\n"), "Only body.");
    }
}
