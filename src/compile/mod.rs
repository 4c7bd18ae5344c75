//! AST to bytecode.
//!
//! `compile_module` runs the symbol table, then generates one `Code` per scope (module,
//! function, lambda, class body, comprehension) following CPython 3.11's code generation:
//! a stack machine with a zero-cost exception table, `finally` bodies duplicated on each exit
//! path, comprehensions as nested functions. Invariant: while emitting, `depth` is the exact
//! operand-stack depth at the current point (so handler depths and `max_stack` are known
//! without a separate flow pass); after an unconditional jump it is undefined until the next
//! label is bound.

pub mod code;
pub mod dis;
mod expr;
mod stmt;
pub mod symtable;

use crate::source::{SourceFile, Span};
use crate::syntax::ast;
use crate::syntax::ast::BinOp;
use crate::syntax::SyntaxError;
use crate::vm::value::Value;
use crate::vm::Vm;
use code::{AttrCache, Code, CodeFlags, ExcEntry, GlobalCache, Instr, MethodCache};
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use symtable::{NameScope, ScopeKind, SymOptions, SymbolTable};

/// Options for compiling a module.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompileOptions {
    /// REPL input: expression statements print their value; top-level `await` is allowed (the
    /// module code is then a coroutine).
    pub interactive: bool,
}

/// Compiles a parsed module into its code object.
pub fn compile_module(
    vm: &mut Vm,
    module: &ast::Module,
    file: Rc<SourceFile>,
    opts: CompileOptions,
) -> Result<Rc<Code>, SyntaxError> {
    let table = symtable::build(
        module,
        SymOptions {
            top_level_await: opts.interactive,
        },
    )?;
    let mut c = Compiler {
        vm,
        file,
        table,
        units: Vec::new(),
        opts,
    };
    c.push_unit(0, "<module>".into(), "<module>".into(), Span::default());
    let span = module.body.first().map(|s| s.span).unwrap_or_default();
    c.set_span(span);
    if stmt::has_annotations(&module.body) {
        c.emit(Instr::SetupAnnotations);
    }
    if opts.interactive {
        // REPL input has no docstring: a string on its own is echoed like any expression.
        c.stmts(&module.body)?;
    } else {
        c.body_with_docstring(&module.body, true)?;
    }
    c.emit(Instr::LoadConst(0));
    c.emit(Instr::ReturnValue);
    let unit = c.units.pop().expect("module unit");
    Ok(Rc::new(c.finish_unit(unit, 0, 0, 0)?))
}

/// A jump target not yet bound to an instruction index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label(usize);

/// An active exception handler while emitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Handler {
    label: Label,
    depth: u32,
}

/// Blocks that need cleanup code when `return`, `break` or `continue` leaves them early.
pub(crate) enum FBlock<'a> {
    /// A loop; `for_iter` when an iterator sits on the stack.
    Loop {
        cont: Label,
        brk: Label,
        for_iter: bool,
    },
    /// The body of `try` with `except` handlers.
    TryExcept,
    /// The body of `try` with a `finally`.
    FinallyTry { body: &'a [ast::Stmt] },
    /// Inside a `finally` body run because of an exception: `prev_exc exc` on the stack.
    FinallyEnd,
    /// The body of `with`: the exit callable on the stack.
    With { is_async: bool },
    /// Inside an `except` body: `prev_exc` on the stack; the bound name to clear.
    HandlerCleanup { name: Option<String> },
    /// Inside the except-dispatch region: `prev_exc exc` on the stack.
    ExceptionHandler,
    /// A value kept on the stack (e.g. the result list of a comprehension).
    PopValue,
}

struct FBlockEntry<'a> {
    block: FBlock<'a>,
    /// Number of active handlers outside this block.
    handlers_outside: usize,
}

/// One code object being built.
struct Unit<'a> {
    scope: usize,
    name: Rc<str>,
    qualname: Rc<str>,
    instrs: Vec<Instr>,
    spans: Vec<Span>,
    handlers_at: Vec<Option<Handler>>,
    consts: Vec<Value>,
    const_index: HashMap<ConstKey, u32>,
    names: Vec<Value>,
    name_index: HashMap<String, u32>,
    /// Slot of each local, cell and free name.
    slots: HashMap<String, u32>,
    varnames: Vec<String>,
    nlocals: u32,
    ncells: u32,
    nfree: u32,
    labels: Vec<Option<u32>>,
    label_depth: Vec<Option<u32>>,
    handlers: Vec<Handler>,
    fblocks: Vec<FBlockEntry<'a>>,
    depth: u32,
    max_depth: u32,
    /// False after an unconditional jump until a label is bound.
    reachable: bool,
    span: Span,
    first_line: u32,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    None,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
    Bytes(Vec<u8>),
    BigInt(String),
    Ellipsis,
    Tuple(Vec<ConstKey>),
    Unique(usize),
}

pub(crate) struct Compiler<'a, 'v> {
    vm: &'v mut Vm,
    file: Rc<SourceFile>,
    table: SymbolTable,
    units: Vec<Unit<'a>>,
    opts: CompileOptions,
}

type R = Result<(), SyntaxError>;

impl<'a, 'v> Compiler<'a, 'v> {
    fn unit(&mut self) -> &mut Unit<'a> {
        self.units.last_mut().expect("a unit is being compiled")
    }

    fn unit_ref(&self) -> &Unit<'a> {
        self.units.last().expect("a unit is being compiled")
    }

    pub(crate) fn scope_kind(&self) -> ScopeKind {
        self.table.scopes[self.unit_ref().scope].kind
    }

    fn push_unit(&mut self, scope: usize, name: Rc<str>, qualname: Rc<str>, span: Span) {
        let sc = &self.table.scopes[scope];
        let mut slots = HashMap::new();
        let mut varnames = Vec::new();
        let (locals, cells, frees) = if sc.is_function_like() {
            (sc.locals(), sc.cells(), sc.frees())
        } else {
            (Vec::new(), sc.cells(), sc.frees())
        };
        for n in locals.iter().chain(cells.iter()).chain(frees.iter()) {
            if !slots.contains_key(n) {
                slots.insert(n.clone(), varnames.len() as u32);
            } else {
                // A parameter that is also a cell: accesses use the cell slot.
                slots.insert(n.clone(), varnames.len() as u32);
            }
            varnames.push(n.clone());
        }
        let first_line = self.file.line_of(span.lo) as u32;
        let mut unit = Unit {
            scope,
            name,
            qualname,
            instrs: Vec::new(),
            spans: Vec::new(),
            handlers_at: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            names: Vec::new(),
            name_index: HashMap::new(),
            slots,
            varnames,
            nlocals: locals.len() as u32,
            ncells: cells.len() as u32,
            nfree: frees.len() as u32,
            labels: Vec::new(),
            label_depth: Vec::new(),
            handlers: Vec::new(),
            fblocks: Vec::new(),
            depth: 0,
            max_depth: 0,
            reachable: true,
            span,
            first_line,
        };
        // Constant 0 is always None (implicit returns).
        unit.consts.push(Value::None);
        unit.const_index.insert(ConstKey::None, 0);
        self.units.push(unit);
    }

    pub(crate) fn set_span(&mut self, span: Span) {
        self.unit().span = span;
    }

    pub(crate) fn span(&self) -> Span {
        self.unit_ref().span
    }

    /// Emits an instruction at the current span, tracking the stack depth.
    pub(crate) fn emit(&mut self, instr: Instr) {
        let u = self.unit();
        if !u.reachable {
            // Dead code after return/raise/jump: CPython drops it too.
            return;
        }
        u.instrs.push(instr);
        u.spans.push(u.span);
        u.handlers_at.push(u.handlers.last().copied());
        // Values an instruction holds on the stack while it runs, beyond its net effect: the
        // calls of `__enter__` (function, NULL) and of `__exit__` (function, NULL and three
        // arguments) that the `with` instructions make on the frame's own stack.
        let transient = match instr {
            Instr::BeforeWith | Instr::BeforeAsyncWith => 3,
            Instr::WithExceptStart => 5,
            _ => 0,
        };
        u.max_depth = u.max_depth.max(u.depth + transient);
        let effect = stack_effect(instr, false);
        u.depth = (u.depth as i32 + effect).max(0) as u32;
        u.max_depth = u.max_depth.max(u.depth);
        if matches!(
            instr,
            Instr::Jump(_) | Instr::ReturnValue | Instr::Raise(_) | Instr::Reraise
        ) {
            u.reachable = false;
        }
    }

    /// Emits the NULL below a call's arguments, folded into the `LoadGlobal` that loaded the
    /// callable when that was the last instruction. Only for a callable that is a bare name:
    /// after a longer expression a jump may target the place the NULL goes.
    pub(crate) fn emit_push_null(&mut self) {
        let u = self.unit();
        if u.reachable {
            if let Some(last) = u.instrs.last_mut() {
                if let Instr::LoadGlobal(ni) = *last {
                    *last = Instr::LoadGlobalNull(ni);
                    u.depth += 1;
                    u.max_depth = u.max_depth.max(u.depth);
                    return;
                }
            }
        }
        self.emit(Instr::PushNull);
    }

    pub(crate) fn new_label(&mut self) -> Label {
        let u = self.unit();
        u.labels.push(None);
        u.label_depth.push(None);
        Label(u.labels.len() - 1)
    }

    /// Emits a jump to `label`, recording the depth the target will see.
    pub(crate) fn emit_jump(&mut self, make: fn(u32) -> Instr, label: Label) {
        let instr = make(label.0 as u32);
        if !self.unit_ref().reachable {
            return;
        }
        let u = self.unit();
        let target_depth = (u.depth as i32 + stack_effect(instr, true)).max(0) as u32;
        if u.label_depth[label.0].is_none() {
            u.label_depth[label.0] = Some(target_depth);
        }
        u.max_depth = u.max_depth.max(target_depth);
        self.emit(instr);
    }

    /// Binds `label` to the next instruction.
    pub(crate) fn bind(&mut self, label: Label) {
        let u = self.unit();
        u.labels[label.0] = Some(u.instrs.len() as u32);
        if !u.reachable {
            if let Some(d) = u.label_depth[label.0] {
                u.depth = d;
            }
            u.reachable = true;
        } else if let Some(d) = u.label_depth[label.0] {
            debug_assert!(
                d == u.depth,
                "depth mismatch at label in {}: {} vs {}",
                u.qualname,
                d,
                u.depth
            );
        }
    }

    /// Binds an exception handler label: the stack there is `depth` plus the exception.
    pub(crate) fn bind_handler(&mut self, label: Label, depth: u32) {
        let u = self.unit();
        u.label_depth[label.0] = Some(depth + 1);
        u.reachable = false;
        self.bind(label);
        let u = self.unit();
        u.max_depth = u.max_depth.max(u.depth);
    }

    pub(crate) fn depth(&self) -> u32 {
        self.unit_ref().depth
    }

    /// Starts covering emitted code with a handler at `label`; the handler sees the current
    /// stack depth.
    pub(crate) fn push_handler(&mut self, label: Label) -> u32 {
        let u = self.unit();
        let depth = u.depth;
        u.handlers.push(Handler { label, depth });
        depth
    }

    pub(crate) fn pop_handler(&mut self) {
        self.unit().handlers.pop();
    }

    pub(crate) fn push_fblock(&mut self, block: FBlock<'a>) {
        let outside = self.unit_ref().handlers.len();
        self.unit().fblocks.push(FBlockEntry {
            block,
            handlers_outside: outside,
        });
    }

    pub(crate) fn pop_fblock(&mut self) {
        self.unit().fblocks.pop();
    }

    fn const_key(v: &Value) -> ConstKey {
        match v {
            Value::None => ConstKey::None,
            Value::Bool(b) => ConstKey::Bool(b.get()),
            Value::Int(i) => ConstKey::Int(*i),
            Value::Float(f) => ConstKey::Float(f.get().to_bits()),
            Value::Obj(o) => match o.payload() {
                crate::vm::object::ObjKind::Str(s) => ConstKey::Str(s.as_str().to_string()),
                crate::vm::object::ObjKind::Bytes(b) => ConstKey::Bytes(b.to_vec()),
                crate::vm::object::ObjKind::BigInt(b) => ConstKey::BigInt(b.to_string()),
                crate::vm::object::ObjKind::Ellipsis => ConstKey::Ellipsis,
                crate::vm::object::ObjKind::Tuple(items) => {
                    ConstKey::Tuple(items.iter().map(Self::const_key).collect())
                }
                _ => ConstKey::Unique(std::rc::Rc::as_ptr(o) as *const u8 as usize),
            },
            Value::Null => ConstKey::Unique(0),
        }
    }

    /// Index of constant `v` in the current unit (deduplicated).
    pub(crate) fn add_const(&mut self, v: Value) -> u32 {
        let key = Self::const_key(&v);
        let u = self.unit();
        if let Some(&i) = u.const_index.get(&key) {
            return i;
        }
        let i = u.consts.len() as u32;
        u.consts.push(v);
        u.const_index.insert(key, i);
        i
    }

    pub(crate) fn load_const(&mut self, v: Value) {
        if let Value::Int(i) = v {
            if i32::try_from(i).is_ok() {
                self.emit(Instr::LoadSmallInt(i as i32));
                return;
            }
        }
        let i = self.add_const(v);
        self.emit(Instr::LoadConst(i));
    }

    /// Index of `name` in the current unit's name table (interned).
    pub(crate) fn add_name(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.unit_ref().name_index.get(name) {
            return i;
        }
        let v = self.vm.intern(name);
        let u = self.unit();
        let i = u.names.len() as u32;
        u.names.push(v);
        u.name_index.insert(name.to_string(), i);
        i
    }

    pub(crate) fn str_const(&mut self, s: &str) -> Value {
        self.vm.intern(s)
    }

    /// Emits a load of `name` according to its scope.
    pub(crate) fn load_name(&mut self, name: &str) {
        match self.name_op(name) {
            NameOp::Fast(i) => self.emit(Instr::LoadFast(i)),
            NameOp::Deref(i) => self.emit(Instr::LoadDeref(i)),
            NameOp::ClassDeref(i) => self.emit(Instr::LoadClassDeref(i)),
            NameOp::Global(i) => self.emit(Instr::LoadGlobal(i)),
            NameOp::Name(i) => self.emit(Instr::LoadName(i)),
        }
    }

    pub(crate) fn store_name(&mut self, name: &str) {
        match self.name_op(name) {
            NameOp::Fast(i) => self.emit(Instr::StoreFast(i)),
            NameOp::Deref(i) | NameOp::ClassDeref(i) => self.emit(Instr::StoreDeref(i)),
            NameOp::Global(i) => self.emit(Instr::StoreGlobal(i)),
            NameOp::Name(i) => self.emit(Instr::StoreName(i)),
        }
    }

    pub(crate) fn delete_name(&mut self, name: &str) {
        match self.name_op(name) {
            NameOp::Fast(i) => self.emit(Instr::DeleteFast(i)),
            NameOp::Deref(i) | NameOp::ClassDeref(i) => self.emit(Instr::DeleteDeref(i)),
            NameOp::Global(i) => self.emit(Instr::DeleteGlobal(i)),
            NameOp::Name(i) => self.emit(Instr::DeleteName(i)),
        }
    }

    fn name_op(&mut self, name: &str) -> NameOp {
        let scope_id = self.unit_ref().scope;
        let scope = &self.table.scopes[scope_id];
        let kind = scope.kind;
        let ns = scope.lookup(name);
        match (kind, ns) {
            (ScopeKind::Module, _) => NameOp::Global(self.add_name(name)),
            (ScopeKind::Class, NameScope::Free) => NameOp::ClassDeref(self.unit_ref().slots[name]),
            (ScopeKind::Class, NameScope::GlobalExplicit) => NameOp::Global(self.add_name(name)),
            (ScopeKind::Class, _) => NameOp::Name(self.add_name(name)),
            (_, NameScope::Local) => NameOp::Fast(self.unit_ref().slots[name]),
            (_, NameScope::Cell) | (_, NameScope::Free) => {
                NameOp::Deref(self.unit_ref().slots[name])
            }
            (_, NameScope::GlobalExplicit) | (_, NameScope::GlobalImplicit) => {
                NameOp::Global(self.add_name(name))
            }
        }
    }

    /// Slot of a cell or free variable by name (for building closures).
    pub(crate) fn closure_slot(&self, name: &str) -> Option<u32> {
        let u = self.unit_ref();
        let scope = &self.table.scopes[u.scope];
        let cells = scope.cells();
        let frees = scope.frees();
        if cells.iter().any(|n| n == name) || frees.iter().any(|n| n == name) {
            // Cells and frees occupy the slots after the plain locals, in that order.
            let base = u.nlocals;
            if let Some(i) = cells.iter().position(|n| n == name) {
                return Some(base + i as u32);
            }
            if let Some(i) = frees.iter().position(|n| n == name) {
                return Some(base + u.ncells + i as u32);
            }
        }
        None
    }

    /// Compiles a body whose first statement may be a docstring; the module or class body
    /// stores it as `__doc__`.
    pub(crate) fn body_with_docstring(&mut self, body: &'a [ast::Stmt], store: bool) -> R {
        let mut rest = body;
        if let Some(doc) = docstring(body) {
            if store {
                let v = self.vm.new_str(doc);
                self.load_const(v);
                self.store_name("__doc__");
            }
            rest = &body[1..];
        }
        if self.scope_kind() == ScopeKind::Module && self.opts.interactive {
            // Only the REPL's own input gets its expression values printed.
        }
        self.stmts(rest)
    }

    pub(crate) fn stmts(&mut self, body: &'a [ast::Stmt]) -> R {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    /// Turns a finished unit into a `Code`.
    fn finish_unit(
        &mut self,
        unit: Unit<'a>,
        argcount: u32,
        posonly: u32,
        kwonly: u32,
    ) -> Result<Code, SyntaxError> {
        let scope = &self.table.scopes[unit.scope];
        let mut flags = CodeFlags {
            namespace: !scope.is_function_like(),
            ..Default::default()
        };
        if scope.is_function_like() {
            let is_gen = scope.is_generator;
            let is_async = scope.is_async;
            flags.async_generator = is_gen && is_async;
            flags.generator = is_gen && !is_async;
            flags.coroutine = is_async && !is_gen;
        } else if scope.kind == ScopeKind::Module && scope.is_async {
            flags.coroutine = true;
        }
        let labels: Vec<u32> = unit.labels.iter().map(|l| l.unwrap_or(u32::MAX)).collect();
        let mut instrs = unit.instrs;
        for ins in instrs.iter_mut() {
            relocate(ins, &labels);
        }
        fuse(&mut instrs);
        let exc_table = build_exc_table(&unit.handlers_at, &labels);
        let mut cache_index = vec![u32::MAX; instrs.len()];
        let (mut nglobal, mut nattr, mut nmethod) = (0u32, 0u32, 0u32);
        for (i, ins) in instrs.iter().enumerate() {
            let counter = match ins {
                Instr::LoadGlobal(_) | Instr::LoadGlobalNull(_) => &mut nglobal,
                Instr::LoadAttr(_) | Instr::StoreAttr(_) => &mut nattr,
                Instr::LoadMethod(_) => &mut nmethod,
                _ => continue,
            };
            cache_index[i] = *counter;
            *counter += 1;
        }
        let global_caches: Box<[Cell<GlobalCache>]> = (0..nglobal)
            .map(|_| Cell::new(GlobalCache::default()))
            .collect();
        let attr_caches: Box<[Cell<AttrCache>]> = (0..nattr)
            .map(|_| Cell::new(AttrCache::default()))
            .collect();
        let method_caches = (0..nmethod).map(|_| MethodCache::default()).collect();
        let cells = scope.cells();
        let params = &scope.params;
        let cell_from_arg = cells
            .iter()
            .map(|c| params.iter().position(|p| p == c).map(|i| i as u32))
            .collect();
        let varnames = unit.varnames.iter().map(|n| self.vm.intern(n)).collect();
        let doc = Value::None;
        let plain = kwonly == 0
            && !flags.varargs
            && !flags.varkeywords
            && !flags.generator
            && !flags.coroutine
            && !flags.async_generator
            && unit.ncells == 0
            && unit.nfree == 0;
        Ok(Code {
            plain,
            name: unit.name,
            qualname: unit.qualname,
            file: self.file.clone(),
            instrs,
            spans: unit.spans,
            consts: unit.consts,
            names: unit.names,
            varnames,
            nlocals: unit.nlocals,
            ncells: unit.ncells,
            nfree: unit.nfree,
            nslots: unit.nlocals + unit.ncells + unit.nfree,
            cell_from_arg,
            argcount,
            posonlyargcount: posonly,
            kwonlyargcount: kwonly,
            flags,
            exc_table,
            first_line: unit.first_line,
            max_stack: unit.max_depth,
            doc,
            global_caches,
            attr_caches,
            method_caches,
            cache_index,
        })
    }
}

enum NameOp {
    Fast(u32),
    Deref(u32),
    ClassDeref(u32),
    Global(u32),
    Name(u32),
}

/// The docstring of a body, if its first statement is a plain string literal.
pub(crate) fn docstring(body: &[ast::Stmt]) -> Option<String> {
    match body.first().map(|s| &s.kind) {
        Some(ast::StmtKind::Expr(ast::Expr {
            kind: ast::ExprKind::Constant(ast::Constant::Str(s)),
            ..
        })) => Some(s.clone()),
        _ => None,
    }
}

/// Replaces the first instruction of common pairs with a superinstruction that runs both,
/// saving a dispatch. The second instruction stays where it was, so a jump to it (or a
/// traceback pointing at it) sees the same code as before. Each rewrite reads the original
/// instruction after it: that one may itself become the first of another pair.
fn fuse(instrs: &mut [Instr]) {
    for i in 0..instrs.len().saturating_sub(1) {
        let fused = match (instrs[i], instrs[i + 1]) {
            (Instr::LoadFast(a), Instr::LoadFast(b)) => {
                u16_pair(a, b).map(|(a, b)| Instr::LoadFastLoadFast(a, b))
            }
            (Instr::LoadFast(a), Instr::LoadSmallInt(k)) => {
                match (u16::try_from(a), i16::try_from(k)) {
                    (Ok(a), Ok(k)) => Some(match instrs.get(i + 2) {
                        Some(Instr::BinaryOp(op) | Instr::InplaceOp(op)) if int_op_inline(*op) => {
                            // The result stored at once, or used by more operations with
                            // small ints: `i += 1`, `i % 1000 == 0`.
                            match instrs.get(i + 3) {
                                Some(Instr::StoreFast(_) | Instr::LoadSmallInt(_)) => {
                                    Instr::LoadFastIntFold(*op, a, k)
                                }
                                _ => Instr::LoadFastIntOp(*op, a, k),
                            }
                        }
                        Some(Instr::CompareOp(op)) => Instr::LoadFastIntCompare(*op, a, k),
                        _ => Instr::LoadFastSmallInt(a, k),
                    }),
                    _ => None,
                }
            }
            (Instr::LoadFast(a), Instr::ReturnValue) => Some(Instr::ReturnFast(a)),
            (Instr::LoadFast(a), Instr::YieldAsyncGen) => Some(Instr::YieldAsyncGenFast(a)),
            (Instr::StoreFast(a), Instr::LoadFast(b)) => {
                u16_pair(a, b).map(|(a, b)| Instr::StoreFastLoadFast(a, b))
            }
            (Instr::BinaryOp(op), Instr::StoreFast(a)) => {
                u16::try_from(a).ok().map(|a| Instr::BinaryOpStore(op, a))
            }
            (Instr::InplaceOp(op), Instr::StoreFast(a)) => {
                u16::try_from(a).ok().map(|a| Instr::InplaceOpStore(op, a))
            }
            (Instr::BinaryOp(op), Instr::ReturnValue) => Some(Instr::BinaryOpReturn(op)),
            (Instr::ForIter(t), Instr::StoreFast(a)) => {
                u16::try_from(a).ok().map(|a| Instr::ForIterStore(a, t))
            }
            _ => None,
        };
        if let Some(f) = fused {
            instrs[i] = f;
        }
    }
    // A loop's closing jump back to its `ForIter` runs that `ForIter` too (after the pass
    // above, which may have made the `ForIter` a `ForIterStore`); an `async for` loop's, its
    // `GetANext`.
    for i in 0..instrs.len() {
        if let Instr::Jump(h) = instrs[i] {
            if (h as usize) < i {
                match instrs[h as usize] {
                    Instr::ForIter(_) | Instr::ForIterStore(..) => {
                        instrs[i] = Instr::JumpToForIter(h);
                    }
                    Instr::GetANext => instrs[i] = Instr::JumpToGetANext(h),
                    _ => {}
                }
            }
        }
    }
}

/// True for the operators the dispatch loop can apply to an int and a small int inline.
fn int_op_inline(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mult | BinOp::Mod | BinOp::FloorDiv
    )
}

fn u16_pair(a: u32, b: u32) -> Option<(u16, u16)> {
    Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?))
}

fn relocate(ins: &mut Instr, labels: &[u32]) {
    match ins {
        Instr::Jump(t)
        | Instr::PopJumpIfFalse(t)
        | Instr::PopJumpIfTrue(t)
        | Instr::PopJumpIfNone(t)
        | Instr::PopJumpIfNotNone(t)
        | Instr::JumpIfFalseOrPop(t)
        | Instr::JumpIfTrueOrPop(t)
        | Instr::ForIter(t)
        | Instr::Send(t) => {
            *t = labels[*t as usize];
            debug_assert!(*t != u32::MAX, "jump to an unbound label");
        }
        _ => {}
    }
}

fn build_exc_table(handlers_at: &[Option<Handler>], labels: &[u32]) -> Vec<ExcEntry> {
    let mut out: Vec<ExcEntry> = Vec::new();
    for (i, h) in handlers_at.iter().enumerate() {
        let Some(h) = h else { continue };
        let target = labels[h.label.0];
        let i = i as u32;
        if let Some(last) = out.last_mut() {
            if last.end == i && last.target == target && last.depth == h.depth {
                last.end = i + 1;
                continue;
            }
        }
        out.push(ExcEntry {
            start: i,
            end: i + 1,
            target,
            depth: h.depth,
            lasti: false,
        });
    }
    out
}

/// Net stack effect of an instruction (`jump`: along its jump edge).
pub(crate) fn stack_effect(instr: Instr, jump: bool) -> i32 {
    use Instr::*;
    match instr {
        Nop | Swap(_) | LoadAttr(_) | UnaryNeg | UnaryPos | UnaryInvert | UnaryNot
        | ListToTuple | GetIter | GetAIter | GetAwaitable(_) | GetYieldFromIter | YieldValue
        | YieldAsyncGen | SetupAnnotations | CheckExcMatch | Jump(_) | DeleteFast(_)
        | DeleteDeref(_) | DeleteGlobal(_) | DeleteName(_) => 0,
        PopTop | StoreFast(_) | StoreDeref(_) | StoreGlobal(_) | StoreName(_) | DeleteAttr(_)
        | BinarySubscr | BinaryOp(_) | InplaceOp(_) | CompareOp(_) | IsOp(_) | ContainsOp(_)
        | ListAppend(_) | SetAdd(_) | ListExtend(_) | SetUpdate(_) | DictUpdate(_)
        | DictMerge(_) | PopJumpIfFalse(_) | PopJumpIfTrue(_) | PopJumpIfNone(_)
        | PopJumpIfNotNone(_) | ReturnValue | Reraise | PopExcept | PrintExpr | ImportStar
        | CheckInitNone | ImportName(_) => -1,
        Copy(_) | LoadConst(_) | LoadSmallInt(_) | LoadFast(_) | LoadDeref(_) | LoadClosure(_)
        | LoadClassDeref(_) | LoadGlobal(_) | LoadName(_) | LoadMethod(_) | GetANext
        | PushExcInfo | BeforeWith | BeforeAsyncWith | WithExceptStart | LoadAssertionError
        | ImportFrom(_) | LoadCurrentExc | PushNull => 1,
        LoadGlobalNull(_)
        | LoadFastLoadFast(..)
        | LoadFastSmallInt(..)
        | LoadFastIntOp(..)
        | LoadFastIntFold(..)
        | LoadFastIntCompare(..) => 2,
        ReturnFast(_) | StoreFastLoadFast(..) | JumpToForIter(_) | JumpToGetANext(_) => 0,
        YieldAsyncGenFast(_) => 1,
        BinaryOpStore(..) | InplaceOpStore(..) => -2,
        BinaryOpReturn(_) => -2,
        ForIterStore(..) => {
            if jump {
                -1
            } else {
                0
            }
        }
        StoreAttr(_) | MapAdd(_) | DeleteSubscr | EndAsyncFor => -2,
        StoreSubscr => -3,
        BuildSlice(n) => 1 - n as i32,
        BuildTuple(n) | BuildList(n) | BuildSet(n) | BuildString(n) => 1 - n as i32,
        BuildMap(n) => 1 - 2 * n as i32,
        FormatValue(f) => {
            if f & 4 != 0 {
                -1
            } else {
                0
            }
        }
        UnpackSequence(n) => n as i32 - 1,
        UnpackEx(a, b) => a as i32 + b as i32,
        JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) => {
            if jump {
                0
            } else {
                -1
            }
        }
        ForIter(_) => {
            if jump {
                -1
            } else {
                1
            }
        }
        Send(_) => {
            if jump {
                -1
            } else {
                0
            }
        }
        Call(n) => -(n as i32) - 1,
        CallKw(n, _) => -(n as i32) - 1,
        CallEx(f) => -2 - (f as i32 & 1),
        MakeFunction(f) => -((f & 0xf).count_ones() as i32),
        BuildClass(n) => -1 - (n as i32 & 0xff),
        Raise(n) => -(n as i32),
    }
}
