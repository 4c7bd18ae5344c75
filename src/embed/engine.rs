//! `Engine` and `EngineBuilder`: creating an interpreter for a host, running source, reading
//! and writing globals, calling script functions and registering natives.
//! Invariant: every public entry point starts a fresh run (`begin`): the limit state, the
//! deadline and the `Raw` arena are reset, so a tripped limit never leaks into the next run.

use super::convert::{FromScript, IntoArgs, IntoScript, ScriptRef};
use super::error::Error;
use super::native::{make_function, HostFunction};
use super::{state, Ctx};
use crate::compile::CompileOptions;
use crate::source::SourceFile;
use crate::syntax::SyntaxError;
use crate::vm::limits::{Capabilities, Capability};
use crate::vm::object::ObjKind;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{Config, OutputSink, Vm};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// Where a script's `print` output goes.
enum Sink {
    /// The host process's stdout/stderr.
    Inherit,
    /// Kept in buffers the host reads with `take_output`/`take_errors`.
    Capture,
    /// Handed to host callbacks as it is flushed.
    Callback(Box<dyn FnMut(&str) + Send>, Box<dyn FnMut(&str) + Send>),
}

/// Configures an [`Engine`].
///
/// ```
/// use aio::embed::{Capability, Engine};
/// use std::time::Duration;
/// let mut engine = Engine::builder()
///     .instruction_limit(1_000_000)
///     .memory_limit(64 << 20)
///     .max_call_depth(200)
///     .timeout(Duration::from_secs(2))
///     .grant(Capability::Clock)
///     .capture_output()
///     .build();
/// engine.run("print('hi')").unwrap();
/// assert_eq!(engine.take_output(), "hi\n");
/// ```
pub struct EngineBuilder {
    budget: Option<u64>,
    memory: Option<usize>,
    depth: Option<usize>,
    timeout: Option<Duration>,
    caps: Capabilities,
    sink: Sink,
    module_path: Vec<PathBuf>,
    argv: Vec<String>,
}

impl EngineBuilder {
    /// Stops each run after about `n` instructions (loop iterations count their body's
    /// length, calls count one).
    pub fn instruction_limit(mut self, n: u64) -> Self {
        self.budget = Some(n);
        self
    }

    /// Stops a run whose objects would take more than `bytes` (estimated).
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory = Some(bytes);
        self
    }

    /// Stops a run whose calls nest deeper than `n` (Python's catchable RecursionError
    /// still fires at `sys.getrecursionlimit()` if that is lower).
    pub fn max_call_depth(mut self, n: usize) -> Self {
        self.depth = Some(n);
        self
    }

    /// Stops each run that takes longer than `d` of wall time.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Grants a capability (nothing is granted by default).
    pub fn grant(mut self, c: Capability) -> Self {
        self.caps = self.caps.with(c);
        self
    }

    /// Grants every capability, as the `aio` command line does.
    pub fn grant_all(mut self) -> Self {
        self.caps = Capabilities::all();
        self
    }

    /// Keeps script output in buffers (see [`Engine::take_output`]).
    pub fn capture_output(mut self) -> Self {
        self.sink = Sink::Capture;
        self
    }

    /// Sends script stdout and stderr text to host callbacks.
    pub fn output(
        mut self,
        stdout: impl FnMut(&str) + Send + 'static,
        stderr: impl FnMut(&str) + Send + 'static,
    ) -> Self {
        self.sink = Sink::Callback(Box::new(stdout), Box::new(stderr));
        self
    }

    /// Lets `import` load `.aio` modules from `dir` (the host reads them, whatever the
    /// capabilities).
    pub fn module_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.module_path.push(dir.into());
        self
    }

    /// Sets `sys.argv`.
    pub fn argv(mut self, argv: Vec<String>) -> Self {
        self.argv = argv;
        self
    }

    /// Creates the engine.
    pub fn build(self) -> Engine {
        let mut config = Config {
            module_path: self.module_path,
            ..Config::default()
        };
        if !self.argv.is_empty() {
            config.argv = self.argv;
        }
        if let Some(d) = self.depth {
            config.recursion_limit = config.recursion_limit.min(d);
        }
        let mut vm = Vm::new(config);
        vm.limits.budget = self.budget;
        vm.limits.max_depth = self.depth;
        vm.limits.set_memory_limit(self.memory);
        vm.limits.capabilities = self.caps;
        let (mut out, mut err) = (None, None);
        match self.sink {
            Sink::Inherit => {}
            Sink::Capture => {
                let o = Rc::new(RefCell::new(Vec::new()));
                let e = Rc::new(RefCell::new(Vec::new()));
                vm.stdout = crate::vm::Output::new(OutputSink::Buffer(o.clone()));
                vm.stderr = crate::vm::Output::new(OutputSink::Buffer(e.clone()));
                out = Some(o);
                err = Some(e);
            }
            Sink::Callback(o, e) => {
                vm.stdout = crate::vm::Output::new(OutputSink::Host(o));
                vm.stderr = crate::vm::Output::new(OutputSink::Host(e));
            }
        }
        let id = NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed);
        state(&mut vm).engine_id = id;
        let main = vm.new_module("__main__");
        if let ObjKind::Module(m) = &main.kind {
            let d = m.dict.clone();
            let b = Value::Obj(vm.builtins.clone());
            vm.dict_set_str(&d, "__builtins__", b);
        }
        let mods = vm.modules.clone();
        vm.dict_set_str(&mods, "__main__", Value::Obj(main.clone()));
        Engine {
            vm,
            main,
            timeout: self.timeout,
            out,
            err,
        }
    }
}

/// One isolated interpreter with its own globals, event loop and limits.
///
/// Engines share nothing: several can run in one process, each on its own thread, and an
/// engine can move to another thread between calls (`Engine: Send`).
pub struct Engine {
    pub(crate) vm: Vm,
    main: ObjRef,
    timeout: Option<Duration>,
    out: Option<Rc<RefCell<Vec<u8>>>>,
    err: Option<Rc<RefCell<Vec<u8>>>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// An engine with default settings: no limits, no capabilities, output to the process's
    /// stdout and stderr.
    pub fn new() -> Engine {
        Engine::builder().build()
    }

    /// A builder for limits, capabilities and output.
    pub fn builder() -> EngineBuilder {
        EngineBuilder {
            budget: None,
            memory: None,
            depth: None,
            timeout: None,
            caps: Capabilities::none(),
            sink: Sink::Inherit,
            module_path: Vec::new(),
            argv: Vec::new(),
        }
    }

    /// Starts a host run: clears the previous run's limit state, sets the deadline and
    /// records this thread as the one running the engine (until `end`).
    pub(crate) fn begin(&mut self) {
        self.reset();
        if let Ok(mut d) = state(&mut self.vm).driver.lock() {
            *d = Some(std::thread::current().id());
        }
    }

    /// The part of `begin` for host calls that run no script code (`get`, `set`).
    fn reset(&mut self) {
        self.vm.reset_run();
        self.vm.limits.deadline = self.timeout.map(|t| Instant::now() + t);
        state(&mut self.vm).arena_reset();
    }

    /// Ends a host run: runs pending finalizers and flushes output.
    pub(crate) fn end(&mut self) {
        if let Ok(mut d) = state(&mut self.vm).driver.lock() {
            *d = None;
        }
        if !self.vm.limit_tripped() && self.vm.heap.shared.pending.get() {
            self.vm.run_finalizers();
        }
        self.vm.flush_output();
    }

    fn globals(&self) -> ObjRef {
        match &self.main.kind {
            ObjKind::Module(m) => m.dict.clone(),
            _ => unreachable!("the main module is a module"),
        }
    }

    /// Runs `source` in the main module (its globals persist between runs).
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::new();
    /// engine.run("x = 40").unwrap();
    /// engine.run("x += 2").unwrap();
    /// assert_eq!(engine.get::<i64>("x").unwrap(), 42);
    /// ```
    pub fn run(&mut self, source: &str) -> Result<(), Error> {
        self.run_named(source, "<string>")
    }

    /// Runs the file at `path` in the main module.
    pub fn run_file(&mut self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p).map_err(|e| {
            Error::raise(
                "FileNotFoundError",
                format!("can't open file '{}': {e}", p.display()),
            )
        })?;
        self.run_named(&text, &p.to_string_lossy())
    }

    /// Runs `source` under the file name `name` (shown in tracebacks).
    pub fn run_named(&mut self, source: &str, name: &str) -> Result<(), Error> {
        self.begin();
        let r = self.exec(source, name, None);
        self.end();
        r.map(|_| ())
    }

    /// Parses, compiles and runs a module body (or an expression assigned to `target`).
    fn exec(&mut self, source: &str, name: &str, expr: Option<&str>) -> Result<(), Error> {
        let file = SourceFile::new(name, source);
        self.vm.sources.insert(name.to_string(), file.clone());
        let module = match expr {
            None => crate::syntax::parse_module(source).map_err(|e| syntax(&e, &file))?,
            Some(target) => {
                let e = crate::syntax::parse_expression(source).map_err(|e| syntax(&e, &file))?;
                eval_module(e, target)
            }
        };
        let code = crate::compile::compile_module(
            &mut self.vm,
            &module,
            file.clone(),
            CompileOptions::default(),
        )
        .map_err(|e| syntax(&e, &file))?;
        let globals = self.globals();
        match self.vm.exec_code(code, globals) {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::from_exc(&mut self.vm, &e)),
        }
    }

    /// Evaluates an expression in the main module and converts its value.
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::new();
    /// let v: Vec<i64> = engine.eval("[i * i for i in range(4)]").unwrap();
    /// assert_eq!(v, [0, 1, 4, 9]);
    /// ```
    pub fn eval<T: FromScript>(&mut self, expr: &str) -> Result<T, Error> {
        const SLOT: &str = "__aio_eval__";
        self.begin();
        let r = self.exec(expr, "<string>", Some(SLOT));
        let r = r.and_then(|_| {
            let g = self.globals();
            let v = self.vm.dict_get_str(&g, SLOT).unwrap_or(Value::None);
            let key = self.vm.new_str(SLOT);
            let _ = self.vm.dict_del(&g, &key);
            convert_out(&mut self.vm, &v)
        });
        self.end();
        r
    }

    /// Reads a global of the main module.
    pub fn get<T: FromScript>(&mut self, name: &str) -> Result<T, Error> {
        self.reset();
        get_global(&mut self.vm, name)
    }

    /// Sets a global of the main module.
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::new();
    /// engine.set("config", vec![("a", 1), ("b", 2)]).unwrap();
    /// assert_eq!(engine.eval::<i64>("config[1][1]").unwrap(), 2);
    /// ```
    pub fn set<T: IntoScript>(&mut self, name: &str, value: T) -> Result<(), Error> {
        self.reset();
        let v = value.into_script(&mut Ctx { vm: &mut self.vm })?.0;
        let g = self.globals();
        self.vm.dict_set_str(&g, name, v);
        Ok(())
    }

    /// Calls the script function `name` with `args`. A coroutine function (or any function
    /// returning an awaitable) is run to completion on the engine's event loop.
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::new();
    /// engine.run("import asyncio\nasync def slow_add(a, b):\n    await asyncio.sleep(0)\n    return a + b\n").unwrap();
    /// assert_eq!(engine.call::<i64>("slow_add", (1, 2)).unwrap(), 3);
    /// ```
    pub fn call<T: FromScript>(&mut self, name: &str, args: impl IntoArgs) -> Result<T, Error> {
        self.begin();
        let r = self.call_inner(name, args);
        self.end();
        r
    }

    fn call_inner<T: FromScript>(&mut self, name: &str, args: impl IntoArgs) -> Result<T, Error> {
        let g = self.globals();
        let f = match self.vm.dict_get_str(&g, name) {
            Some(f) => f,
            None => lookup(&mut self.vm, name)?,
        };
        let args = args.into_args(&mut Ctx { vm: &mut self.vm })?;
        let v = match self.vm.call(&f, &args) {
            Ok(v) => v,
            Err(e) => return Err(Error::from_exc(&mut self.vm, &e)),
        };
        let v = if is_awaitable(&v) {
            super::driver::run_until_complete(&mut self.vm, v)?
        } else {
            v
        };
        convert_out(&mut self.vm, &v)
    }

    /// Registers a native function as a builtin visible to every module.
    ///
    /// Arguments are converted with [`FromScript`]; a wrong type raises python3's TypeError
    /// in the script, and trailing `Option` parameters may be omitted.
    ///
    /// ```
    /// let mut engine = aio::embed::Engine::new();
    /// engine.register("greet", |name: String, punct: Option<String>| {
    ///     format!("hello, {name}{}", punct.unwrap_or_default())
    /// });
    /// assert_eq!(engine.eval::<String>("greet('bob', '!')").unwrap(), "hello, bob!");
    /// let err = engine.run("greet(1)").unwrap_err();
    /// assert_eq!(err.to_string().lines().last().unwrap(),
    ///            "TypeError: greet() argument 1 must be str, not int");
    /// ```
    pub fn register<M>(&mut self, name: &str, f: impl HostFunction<M>) {
        let boxed = f.into_boxed(name);
        let v = make_function(&mut self.vm, name, boxed);
        let b = super::builtins_dict(&self.vm);
        self.vm.dict_set_str(&b, name, v);
    }

    /// Registers a native function that receives the call context and its arguments as
    /// [`super::Raw`] handles (for callbacks, objects of any type and variadic calls).
    pub fn register_raw<R: IntoScript>(
        &mut self,
        name: &str,
        f: impl Fn(&mut Ctx<'_>, &[super::Raw]) -> R + Send + 'static,
    ) {
        let fname = name.to_string();
        let boxed: super::native::BoxedFn = Box::new(move |vm, args| {
            super::native::check_arity(vm, &fname, args, 0, usize::MAX)?;
            let raws: Vec<super::Raw> = args
                .pos
                .iter()
                .map(|v| state(vm).arena_put(v.clone()))
                .collect();
            let r = f(&mut Ctx { vm }, &raws);
            super::native::ret(vm, r)
        });
        let v = make_function(&mut self.vm, name, boxed);
        let b = super::builtins_dict(&self.vm);
        self.vm.dict_set_str(&b, name, v);
    }

    /// Starts building a native module that scripts `import`.
    pub fn module(&mut self, name: &str) -> super::ModuleBuilder<'_> {
        super::module::ModuleBuilder::new(self, name)
    }

    /// Starts exposing the Rust type `T` as a script class named `name`.
    pub fn register_class<T: super::UserData>(&mut self, name: &str) -> super::ClassBuilder<'_, T> {
        super::class::ClassBuilder::new(self, name)
    }

    /// Takes what the script printed to stdout (with `capture_output`).
    pub fn take_output(&mut self) -> String {
        self.vm.flush_output();
        take(&self.out)
    }

    /// Takes what the script printed to stderr (with `capture_output`).
    pub fn take_errors(&mut self) -> String {
        self.vm.flush_output();
        take(&self.err)
    }

    /// A `Send + Sync` handle for other threads: submit calls, interrupt runs.
    pub fn handle(&mut self) -> super::EngineHandle {
        super::handle::new_handle(&mut self.vm)
    }

    /// Estimated bytes used by live script objects (measured now).
    pub fn memory_used(&mut self) -> usize {
        self.vm.collect_garbage();
        self.vm.measure_memory()
    }

    /// Changes the capabilities granted from now on.
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.vm.limits.capabilities = caps;
    }

    /// Changes the instruction budget of later runs.
    pub fn set_instruction_limit(&mut self, n: Option<u64>) {
        self.vm.limits.budget = n;
    }

    /// Changes the wall-time limit of later runs.
    pub fn set_timeout(&mut self, d: Option<Duration>) {
        self.timeout = d;
    }
}

fn take(buf: &Option<Rc<RefCell<Vec<u8>>>>) -> String {
    match buf {
        Some(b) => {
            let bytes = std::mem::take(&mut *b.borrow_mut());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        None => String::new(),
    }
}

/// True for coroutines and futures (what `call` runs on the loop).
pub(crate) fn is_awaitable(v: &Value) -> bool {
    match v.kind() {
        Some(ObjKind::Generator(g)) => g.kind == crate::vm::object::GenKind::Coroutine,
        Some(ObjKind::Future(_)) => true,
        _ => false,
    }
}

/// The global `name` of the main module (or a builtin).
pub(crate) fn lookup(vm: &mut Vm, name: &str) -> Result<Value, Error> {
    let main = vm.dict_get_str(&vm.modules.clone(), "__main__");
    if let Some(Value::Obj(m)) = &main {
        if let ObjKind::Module(m) = &m.kind {
            if let Some(v) = vm.dict_get_str(&m.dict, name) {
                return Ok(v);
            }
        }
    }
    let b = super::builtins_dict(vm);
    if let Some(v) = vm.dict_get_str(&b, name) {
        return Ok(v);
    }
    Err(Error::raise(
        "NameError",
        format!("name '{name}' is not defined"),
    ))
}

pub(crate) fn get_global<T: FromScript>(vm: &mut Vm, name: &str) -> Result<T, Error> {
    let v = lookup(vm, name)?;
    convert_out(vm, &v)
}

/// Converts a script result for the host.
pub(crate) fn convert_out<T: FromScript>(vm: &mut Vm, v: &Value) -> Result<T, Error> {
    T::from_script(&mut Ctx { vm }, ScriptRef(v)).map_err(|e| {
        let (_, msg) = e.message("result", 1, true);
        Error::Conversion(msg)
    })
}

fn syntax(e: &SyntaxError, file: &SourceFile) -> Error {
    Error::Syntax {
        kind: e.kind.class_name().to_string(),
        message: e.msg.clone(),
        line: file.line_of(e.span.lo),
        column: file.column_of(e.span.lo) + 1,
        rendered: crate::diag::render_syntax_error(e, file, false),
    }
}

/// A module whose only statement is `target = <expr>`.
fn eval_module(e: crate::syntax::ast::Expr, target: &str) -> crate::syntax::ast::Module {
    use crate::syntax::ast::{Expr, ExprKind, Module, Stmt, StmtKind};
    let span = e.span;
    Module {
        body: vec![Stmt {
            span,
            kind: StmtKind::Assign {
                targets: vec![Expr {
                    span,
                    kind: ExprKind::Name(target.to_string()),
                }],
                value: e,
            },
        }],
    }
}
