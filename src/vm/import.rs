//! Modules: compiling source into code, running a module, and the import system.
//!
//! `import x` looks in `sys.modules`, then the native modules, then the standard library
//! written in Aio (embedded in the binary), then the user's module path (the script's
//! directory): `x.aio` or the package `x/__init__.aio`. A module is registered in
//! `sys.modules` before its code runs, so circular imports see the partial module, and
//! removed again if its code fails.

use super::frame::Entry;
use super::object::ObjKind;
use super::value::{ObjRef, Value};
use super::{Exc, PyResult, Vm};
use crate::compile::code::Code;
use crate::compile::CompileOptions;
use crate::source::SourceFile;
use crate::syntax::SyntaxError;
use std::path::PathBuf;
use std::rc::Rc;

impl Vm {
    /// Parses and compiles a module's source; syntax errors become SyntaxError exceptions.
    pub fn compile_source(
        &mut self,
        text: &str,
        filename: &str,
        opts: CompileOptions,
    ) -> PyResult<Rc<Code>> {
        let file = SourceFile::new(filename, text);
        self.sources.insert(filename.to_string(), file.clone());
        let parsed = if opts.interactive {
            crate::syntax::parse_interactive(text)
        } else {
            crate::syntax::parse_module(text)
        };
        let module = match parsed {
            Ok(m) => m,
            Err(e) => return Err(self.syntax_error_exc(&e, &file)),
        };
        match crate::compile::compile_module(self, &module, file.clone(), opts) {
            Ok(code) => Ok(code),
            Err(e) => Err(self.syntax_error_exc(&e, &file)),
        }
    }

    /// A SyntaxError (or subclass) exception carrying position details.
    pub fn syntax_error_exc(&mut self, e: &SyntaxError, file: &SourceFile) -> Exc {
        let kind = e.kind.class_name();
        let lineno = file.line_of(e.span.lo);
        let offset = file.column_of(e.span.lo) + 1;
        let end_lineno = file.line_of(e.span.hi.max(e.span.lo));
        let end_offset = file.column_of(e.span.hi.max(e.span.lo)) + 1;
        let text = format!("{}\n", file.line_text(lineno));
        let msg = self.new_str(e.msg.clone());
        let fname = self.new_str(file.name.clone());
        let text_v = self.new_str(text);
        let details = self.new_tuple(vec![
            fname,
            Value::Int(lineno as i64),
            Value::Int(offset as i64),
            text_v,
            Value::Int(end_lineno as i64),
            Value::Int(end_offset as i64),
        ]);
        if kind == "RecursionError" {
            return self.new_exc_msg("RecursionError", e.msg.clone());
        }
        self.new_exc(kind, vec![msg, details])
    }

    /// Runs a module's code with the module's dict as globals.
    pub fn run_module_code(&mut self, code: Rc<Code>, module: &ObjRef) -> PyResult<Value> {
        let ObjKind::Module(m) = &module.kind else {
            return Err(self.type_error("not a module".into()));
        };
        let globals = m.dict.clone();
        self.exec_code(code, globals)
    }

    /// Runs module-level code in `globals`.
    pub fn exec_code(&mut self, code: Rc<Code>, globals: ObjRef) -> PyResult<Value> {
        if self.depth >= self.config.recursion_limit {
            return Err(self.recursion_error());
        }
        let mut frame = self.new_frame(code, globals.clone(), Value::Obj(globals));
        frame.entry = Entry::Boundary;
        self.depth += 1;
        self.native_reentries += 1;
        let r = self.run_frame(frame);
        self.native_reentries -= 1;
        match r? {
            super::dispatch::Outcome::Return(v) => Ok(v),
            _ => Ok(Value::None),
        }
    }

    fn modules_dict(&self) -> ObjRef {
        self.modules.clone()
    }

    /// `import name` (dotted): returns the module `name` itself.
    pub fn import_module(&mut self, name: &str) -> PyResult<ObjRef> {
        if let Some(Value::Obj(m)) = self.dict_get_str(&self.modules_dict(), name) {
            return Ok(m);
        }
        let mut parent: Option<ObjRef> = None;
        let mut full = String::new();
        for part in name.split('.') {
            if !full.is_empty() {
                full.push('.');
            }
            full.push_str(part);
            let m = match self.dict_get_str(&self.modules_dict(), &full) {
                Some(Value::Obj(m)) => m,
                _ => {
                    let m = self.load_module(&full, parent.as_ref())?;
                    if let Some(p) = &parent {
                        let pv = Value::Obj(p.clone());
                        self.setattr_str(&pv, part, Value::Obj(m.clone()))?;
                    }
                    m
                }
            };
            parent = Some(m);
        }
        Ok(parent.expect("a module name has a part"))
    }

    fn load_module(&mut self, full: &str, parent: Option<&ObjRef>) -> PyResult<ObjRef> {
        if let Some(m) = crate::modules::native_module(self, full)? {
            let mods = self.modules_dict();
            self.dict_set_str(&mods, full, Value::Obj(m.clone()));
            return Ok(m);
        }
        if let Some(src) = crate::modules::stdlib_source(full) {
            let fname = format!("<aio-stdlib>/{}.aio", full.replace('.', "/"));
            return self.load_source_module(full, src.0, &fname, None, src.1);
        }
        // User modules: the module path, or the parent package's directory.
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(p) = parent {
            if let ObjKind::Module(pm) = &p.kind {
                let d = pm.dict.clone();
                if let Some(Value::Obj(path)) = self.dict_get_str(&d, "__path__") {
                    if let ObjKind::List(items) = path.payload() {
                        for it in items.borrow().iter() {
                            if let Some(s) = it.as_str() {
                                dirs.push(PathBuf::from(s));
                            }
                        }
                        // A script may edit `__path__`; without the file capability only
                        // directories under the host's module path are read.
                        if !self.granted(crate::vm::limits::Capability::Files) {
                            let roots = &self.config.module_path;
                            dirs.retain(|d| {
                                let up = std::path::Component::ParentDir;
                                !d.components().any(|c| c == up)
                                    && roots.iter().any(|r| d.starts_with(r))
                            });
                        }
                    }
                }
            }
        } else {
            dirs = self.config.module_path.clone();
        }
        let leaf = full.rsplit('.').next().unwrap_or(full);
        for dir in dirs {
            let file = dir.join(format!("{leaf}.aio"));
            if file.is_file() {
                return self.load_file_module(full, &file, None);
            }
            let init = dir.join(leaf).join("__init__.aio");
            if init.is_file() {
                let pkg_dir = dir.join(leaf);
                return self.load_file_module(full, &init, Some(pkg_dir));
            }
        }
        let e = self.new_exc_msg("ModuleNotFoundError", format!("No module named '{full}'"));
        let n = self.intern("name");
        let nv = self.new_str(full);
        self.exc_set_attr(&e, n, nv)?;
        Err(e)
    }

    fn load_file_module(
        &mut self,
        full: &str,
        path: &std::path::Path,
        pkg_dir: Option<PathBuf>,
    ) -> PyResult<ObjRef> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(err) => {
                return Err(
                    self.new_exc_msg("ImportError", format!("cannot read module '{full}': {err}"))
                )
            }
        };
        let fname = path.to_string_lossy().to_string();
        self.load_source_module(full, &text, &fname, pkg_dir, pkg_dir_is_some_hint(full))
    }

    /// Creates, registers and runs a module from source.
    pub fn load_source_module(
        &mut self,
        full: &str,
        text: &str,
        filename: &str,
        pkg_dir: Option<PathBuf>,
        is_package: bool,
    ) -> PyResult<ObjRef> {
        let code = self.compile_source(text, filename, CompileOptions::default())?;
        let module = self.new_module(full);
        let ObjKind::Module(m) = &module.kind else {
            unreachable!()
        };
        let d = m.dict.clone();
        let f = self.new_str(filename);
        self.dict_set_str(&d, "__file__", f);
        let package = if pkg_dir.is_some() || is_package {
            full.to_string()
        } else {
            full.rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        };
        let pv = self.new_str(package);
        self.dict_set_str(&d, "__package__", pv);
        if let Some(dir) = pkg_dir {
            let p = self.new_str(dir.to_string_lossy().to_string());
            let l = self.new_list(vec![p]);
            self.dict_set_str(&d, "__path__", l);
        } else if is_package {
            let l = self.new_list(Vec::new());
            self.dict_set_str(&d, "__path__", l);
        }
        let b = Value::Obj(self.builtins.clone());
        self.dict_set_str(&d, "__builtins__", b);
        let mods = self.modules_dict();
        self.dict_set_str(&mods, full, Value::Obj(module.clone()));
        if let Err(e) = self.run_module_code(code, &module) {
            let key = self.new_str(full);
            let _ = self.dict_del(&mods, &key);
            return Err(e);
        }
        // A module may replace itself in sys.modules.
        match self.dict_get_str(&mods, full) {
            Some(Value::Obj(m)) => Ok(m),
            _ => Ok(module),
        }
    }

    /// `ImportName`: `__import__(name, globals, locals, fromlist, level)`.
    pub(crate) fn import_name(
        &mut self,
        name: &Value,
        fromlist: &Value,
        level: &Value,
    ) -> PyResult {
        let name = name.as_str().unwrap_or("").to_string();
        let level = level.as_i64().unwrap_or(0);
        let full = if level > 0 {
            self.resolve_relative(&name, level)?
        } else {
            name.clone()
        };
        let module = self.import_module(&full)?;
        let has_fromlist = match fromlist.kind() {
            Some(ObjKind::Tuple(t)) => !t.is_empty(),
            _ => false,
        };
        if has_fromlist {
            if let Some(ObjKind::Tuple(t)) = fromlist.kind() {
                let names: Vec<String> = t
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                let is_pkg = match &module.kind {
                    ObjKind::Module(m) => self.dict_get_str(&m.dict, "__path__").is_some(),
                    _ => false,
                };
                if is_pkg {
                    for n in names {
                        if n == "*" {
                            continue;
                        }
                        let mv = Value::Obj(module.clone());
                        if self.getattr_opt(&mv, &n)?.is_none() {
                            let sub = format!("{full}.{n}");
                            match self.import_module(&sub) {
                                Ok(_) => {}
                                Err(e) if self.exc_is(&e, "ModuleNotFoundError") => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                }
            }
            return Ok(Value::Obj(module));
        }
        if level == 0 && name.contains('.') {
            let top = name.split('.').next().unwrap_or(&name);
            return Ok(Value::Obj(self.import_module(top)?));
        }
        Ok(Value::Obj(module))
    }

    fn resolve_relative(&mut self, name: &str, level: i64) -> PyResult<String> {
        let globals = self.fiber.last().map(|f| f.globals.clone());
        let package = globals
            .as_ref()
            .and_then(|g| self.dict_get_str(g, "__package__"))
            .and_then(|p| p.as_str().map(String::from))
            .unwrap_or_default();
        if package.is_empty() {
            return Err(self.new_exc_msg(
                "ImportError",
                "attempted relative import with no known parent package".into(),
            ));
        }
        let mut base = package.as_str();
        for _ in 1..level {
            match base.rsplit_once('.') {
                Some((b, _)) => base = b,
                None => {
                    return Err(self.new_exc_msg(
                        "ImportError",
                        "attempted relative import beyond top-level package".into(),
                    ))
                }
            }
        }
        Ok(if name.is_empty() {
            base.to_string()
        } else {
            format!("{base}.{name}")
        })
    }

    /// `ImportFrom`: `from module import name`.
    pub(crate) fn import_from(&mut self, module: &Value, name: &Value) -> PyResult {
        match self.get_attr(module, name) {
            Ok(v) => Ok(v),
            Err(e) if self.exc_is(&e, "AttributeError") => {
                let n = name.as_str().unwrap_or("?").to_string();
                let (mname, file) = match module.kind() {
                    Some(ObjKind::Module(m)) => {
                        let file = self
                            .dict_get_str(&m.dict, "__file__")
                            .and_then(|f| f.as_str().map(String::from));
                        (m.name.to_string(), file)
                    }
                    _ => ("?".to_string(), None),
                };
                let sub = format!("{mname}.{n}");
                if let Ok(m) = self.import_module(&sub) {
                    return Ok(Value::Obj(m));
                }
                let loc = file.unwrap_or_else(|| "unknown location".to_string());
                let e = self.new_exc_msg(
                    "ImportError",
                    format!("cannot import name '{n}' from '{mname}' ({loc})"),
                );
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// `from module import *`.
    pub(crate) fn import_star(&mut self, module: &Value, ns: &ObjRef) -> PyResult<()> {
        let Some(ObjKind::Module(m)) = module.kind() else {
            return Ok(());
        };
        let d = m.dict.clone();
        let names: Vec<Value> = match self.dict_get_str(&d, "__all__") {
            Some(all) => self.collect_iterable(&all)?,
            None => self
                .dict_items(&d)
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !k.as_str().unwrap_or("_").starts_with('_'))
                .collect(),
        };
        for n in names {
            let v = self.get_attr(module, &n)?;
            self.dict_set(ns, n, v)?;
        }
        Ok(())
    }
}

fn pkg_dir_is_some_hint(_full: &str) -> bool {
    false
}
