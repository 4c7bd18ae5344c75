//! Scope analysis: which names are local, global, free or cells, and the compile-time checks
//! that depend on scopes (`await` outside `async def`, `yield` outside a function, `nonlocal`
//! without a binding...).
//!
//! Like CPython, this runs as two passes: `visit` records every name use and binding per scope,
//! then `analyze` resolves each name against the enclosing function scopes. Class bodies do
//! not make their names visible to nested functions. Invariant: scopes are keyed by the span
//! of the node that creates them, which is unique per node; codegen looks them up the same way.

use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::SyntaxError;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// What kind of block a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    Lambda,
    /// List/set/dict comprehension or generator expression (a function in 3.11).
    Comprehension(CompKind),
}

/// Which comprehension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

impl CompKind {
    fn noun(self) -> &'static str {
        match self {
            CompKind::List => "list comprehension",
            CompKind::Set => "set comprehension",
            CompKind::Dict => "dict comprehension",
            CompKind::Generator => "generator expression",
        }
    }
}

/// Where a name lives, once analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameScope {
    Local,
    GlobalExplicit,
    GlobalImplicit,
    /// Provided by an enclosing function through a closure cell.
    Free,
    /// Local, but captured by a nested scope: stored in a cell.
    Cell,
}

const DEF_LOCAL: u8 = 1;
const DEF_PARAM: u8 = 2;
const DEF_GLOBAL: u8 = 4;
const DEF_NONLOCAL: u8 = 8;
const USE: u8 = 16;
const DEF_ANNOT: u8 = 32;
/// Bound as the target of a comprehension's `for` clause (`:=` may not rebind it).
const DEF_COMP_ITER: u8 = 64;

#[derive(Clone, Debug)]
struct SymInfo {
    flags: u8,
    scope: NameScope,
    /// First use or binding, for error spans.
    span: Span,
}

/// One scope's analysis.
#[derive(Clone, Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub name: String,
    symbols: IndexMap<String, SymInfo>,
    /// Parameters in order (functions, lambdas, comprehensions).
    pub params: Vec<String>,
    pub is_async: bool,
    pub is_generator: bool,
    /// Contains `await` (or async comprehension): for comprehensions this makes them async.
    pub has_await: bool,
    /// A class body whose methods use `super()` or `__class__`.
    pub needs_class_cell: bool,
    pub parent: Option<usize>,
    /// For comprehensions: contains an `async for` clause.
    pub async_comprehension: bool,
    /// Class bodies: names bound in the body that methods take from an enclosing function
    /// (the class holds the cell only to pass it on).
    pub class_free: Vec<String>,
    returns_with_value: Vec<Span>,
    /// Nesting depth of comprehension iterable expressions being visited in this scope
    /// (CPython's `ste_comp_iter_expr`): `:=` is not allowed there.
    comp_iter_expr: u32,
}

impl Scope {
    fn new(kind: ScopeKind, name: &str, parent: Option<usize>) -> Scope {
        Scope {
            kind,
            name: name.to_string(),
            symbols: IndexMap::new(),
            params: Vec::new(),
            is_async: false,
            is_generator: false,
            has_await: false,
            needs_class_cell: false,
            parent,
            async_comprehension: false,
            class_free: Vec::new(),
            returns_with_value: Vec::new(),
            comp_iter_expr: 0,
        }
    }

    /// True for scopes compiled as functions (with fast locals).
    pub fn is_function_like(&self) -> bool {
        matches!(
            self.kind,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension(_)
        )
    }

    /// Where `name` lives in this scope. Unknown names are implicit globals.
    pub fn lookup(&self, name: &str) -> NameScope {
        self.symbols
            .get(name)
            .map(|s| s.scope)
            .unwrap_or(NameScope::GlobalImplicit)
    }

    /// Local variable names: parameters first, then other locals in order of appearance.
    pub fn locals(&self) -> Vec<String> {
        let mut out = self.params.clone();
        for (name, s) in &self.symbols {
            if matches!(s.scope, NameScope::Local) && !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// Cell names in order of appearance (`__class__` last for class bodies).
    pub fn cells(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.scope == NameScope::Cell)
            .map(|(n, _)| n.clone())
            .collect();
        if self.needs_class_cell && !out.iter().any(|n| n == "__class__") {
            out.push("__class__".to_string());
        }
        out
    }

    /// Free variable names in order of appearance (then names a class passes through).
    pub fn frees(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .symbols
            .iter()
            .filter(|(_, s)| s.scope == NameScope::Free)
            .map(|(n, _)| n.clone())
            .collect();
        out.extend(self.class_free.iter().cloned());
        out
    }

    /// True when `name` has an annotation in this scope.
    pub fn is_annotated(&self, name: &str) -> bool {
        self.symbols
            .get(name)
            .is_some_and(|s| s.flags & DEF_ANNOT != 0)
    }
}

/// All scopes of a module, keyed by the span of the node that creates each.
pub struct SymbolTable {
    pub scopes: Vec<Scope>,
    by_span: HashMap<(u32, u32, u8), usize>,
}

impl SymbolTable {
    /// The scope created by the node at `span` (`tag` tells node kinds with equal spans apart).
    pub fn scope_at(&self, span: Span, tag: u8) -> usize {
        self.by_span[&(span.lo, span.hi, tag)]
    }
}

/// Tags distinguishing scope-creating nodes.
pub mod tag {
    pub const FUNCTION: u8 = 0;
    pub const CLASS: u8 = 1;
    pub const LAMBDA: u8 = 2;
    pub const COMPREHENSION: u8 = 3;
}

/// Options changing what is legal at module level.
#[derive(Clone, Copy, Debug, Default)]
pub struct SymOptions {
    /// REPL mode: `await`, `async for` and `async with` are allowed at the top level.
    pub top_level_await: bool,
}

/// Builds the symbol table of a module.
pub fn build(module: &Module, opts: SymOptions) -> Result<SymbolTable, SyntaxError> {
    let mut b = Builder {
        scopes: vec![Scope::new(ScopeKind::Module, "<module>", None)],
        by_span: HashMap::new(),
        cur: 0,
        opts,
        in_loop: Vec::new(),
    };
    b.stmts(&module.body)?;
    if opts.top_level_await && b.scopes[0].has_await {
        b.scopes[0].is_async = true;
    }
    let mut table = SymbolTable {
        scopes: b.scopes,
        by_span: b.by_span,
    };
    analyze(&mut table, 0, &HashSet::new())?;
    Ok(table)
}

struct Builder {
    scopes: Vec<Scope>,
    by_span: HashMap<(u32, u32, u8), usize>,
    cur: usize,
    opts: SymOptions,
    in_loop: Vec<bool>,
}

type R = Result<(), SyntaxError>;

impl Builder {
    fn scope(&mut self) -> &mut Scope {
        &mut self.scopes[self.cur]
    }

    fn add(&mut self, name: &str, flags: u8, span: Span) -> R {
        let kind = self.scopes[self.cur].kind;
        let sym = self
            .scope()
            .symbols
            .entry(name.to_string())
            .or_insert(SymInfo {
                flags: 0,
                scope: NameScope::GlobalImplicit,
                span,
            });
        if flags & (DEF_LOCAL | DEF_PARAM) != 0 && name == "__debug__" {
            return Err(SyntaxError::new("cannot assign to __debug__", span));
        }
        if flags & DEF_PARAM != 0 && sym.flags & DEF_PARAM != 0 {
            return Err(SyntaxError::new(
                format!("duplicate argument '{name}' in function definition"),
                span,
            ));
        }
        if flags & (DEF_LOCAL | DEF_PARAM) != 0 && sym.flags & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
            // Binding a name declared global/nonlocal is fine; nothing to record.
            sym.flags |= flags & !(DEF_LOCAL);
            return Ok(());
        }
        sym.flags |= flags;
        let _ = kind;
        Ok(())
    }

    fn bind(&mut self, name: &str, span: Span) -> R {
        self.add(name, DEF_LOCAL, span)
    }

    fn use_name(&mut self, name: &str, span: Span) -> R {
        self.add(name, USE, span)?;
        if name == "super" {
            self.mark_class_ref(span);
        }
        Ok(())
    }

    /// `super()` and `__class__` in a method need the class cell.
    fn mark_class_ref(&mut self, span: Span) {
        if self.scopes[self.cur].is_function_like() {
            let s = self.scope();
            s.symbols
                .entry("__class__".to_string())
                .or_insert(SymInfo {
                    flags: 0,
                    scope: NameScope::GlobalImplicit,
                    span,
                })
                .flags |= USE;
        }
    }

    fn push_scope(&mut self, kind: ScopeKind, name: &str, span: Span, t: u8) -> usize {
        let id = self.scopes.len();
        self.scopes.push(Scope::new(kind, name, Some(self.cur)));
        self.by_span.insert((span.lo, span.hi, t), id);
        let prev = self.cur;
        self.cur = id;
        prev
    }

    fn stmts(&mut self, body: &[Stmt]) -> R {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn loop_body(&mut self, body: &[Stmt]) -> R {
        self.in_loop.push(true);
        let r = self.stmts(body);
        self.in_loop.pop();
        r
    }

    fn stmt(&mut self, s: &Stmt) -> R {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for t in targets {
                    self.target(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value)?;
                if let ExprKind::Name(n) = &target.kind {
                    self.use_name(n, target.span)?;
                }
                self.target(target)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let Some(v) = value {
                    self.expr(v)?;
                }
                if let (ExprKind::Name(n), true) = (&target.kind, *simple) {
                    let flags = if value.is_some() || self.scopes[self.cur].is_function_like() {
                        DEF_LOCAL | DEF_ANNOT
                    } else {
                        DEF_ANNOT
                    };
                    self.add(n, flags, target.span)?;
                } else {
                    self.target(target)?;
                }
                if !self.scopes[self.cur].is_function_like() {
                    self.expr(annotation)?;
                }
                Ok(())
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test)?;
                self.loop_body(body)?;
                self.stmts(orelse)
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.check_async(s.span, "'async for' outside async function")?;
                }
                self.expr(iter)?;
                self.target(target)?;
                self.loop_body(body)?;
                self.stmts(orelse)
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                if *is_async {
                    self.check_async(s.span, "'async with' outside async function")?;
                }
                for it in items {
                    self.expr(&it.context)?;
                    if let Some(t) = &it.target {
                        self.target(t)?;
                    }
                }
                self.stmts(body)
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.bind(n, h.span)?;
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.expr(e)?;
                }
                if let Some(c) = cause {
                    self.expr(c)?;
                }
                Ok(())
            }
            StmtKind::FunctionDef(f) => self.function_def(f, s.span),
            StmtKind::ClassDef(c) => self.class_def(c, s.span),
            StmtKind::Return(v) => {
                if !self.scopes[self.cur].is_function_like() {
                    return Err(SyntaxError::new("'return' outside function", s.span));
                }
                if let Some(v) = v {
                    self.scope().returns_with_value.push(s.span);
                    self.expr(v)?;
                }
                Ok(())
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    forbidden_delete(t)?;
                    self.target(t)?;
                }
                Ok(())
            }
            StmtKind::Pass => Ok(()),
            StmtKind::Break | StmtKind::Continue => {
                if !self.in_loop.last().copied().unwrap_or(false) {
                    let msg = if matches!(s.kind, StmtKind::Break) {
                        "'break' outside loop"
                    } else {
                        "'continue' not properly in loop"
                    };
                    return Err(SyntaxError::new(msg, s.span));
                }
                Ok(())
            }
            StmtKind::Global(names) => self.global_decl(names, s.span, false),
            StmtKind::Nonlocal(names) => self.global_decl(names, s.span, true),
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                if let Some(m) = msg {
                    self.expr(m)?;
                }
                Ok(())
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let name = match &a.asname {
                        Some(n) => n.as_str(),
                        None => a.name.split('.').next().unwrap_or(&a.name),
                    };
                    self.bind(name, a.span)?;
                }
                Ok(())
            }
            StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    if a.name == "*" {
                        if self.scopes[self.cur].kind != ScopeKind::Module {
                            return Err(SyntaxError::new(
                                "import * only allowed at module level",
                                a.span,
                            ));
                        }
                        continue;
                    }
                    let name = a.asname.as_ref().unwrap_or(&a.name);
                    self.bind(name, a.span)?;
                }
                Ok(())
            }
        }
    }

    fn check_async(&mut self, span: Span, msg: &str) -> R {
        let sc = &self.scopes[self.cur];
        let ok = match sc.kind {
            ScopeKind::Function => sc.is_async,
            ScopeKind::Module => self.opts.top_level_await,
            _ => false,
        };
        if !ok {
            return Err(SyntaxError::new(msg, span));
        }
        self.scope().has_await = true;
        Ok(())
    }

    fn global_decl(&mut self, names: &[Ident], span: Span, nonlocal: bool) -> R {
        let kind = self.scopes[self.cur].kind;
        if nonlocal && kind == ScopeKind::Module {
            return Err(SyntaxError::new(
                "nonlocal declaration not allowed at module level",
                span,
            ));
        }
        for name in names {
            let existing = self.scopes[self.cur].symbols.get(name.as_str()).cloned();
            if let Some(sym) = existing {
                let what = if nonlocal { "nonlocal" } else { "global" };
                if sym.flags & DEF_PARAM != 0 {
                    return Err(SyntaxError::new(
                        format!("name '{name}' is parameter and {what}"),
                        span,
                    ));
                }
                if nonlocal && sym.flags & DEF_GLOBAL != 0 {
                    return Err(SyntaxError::new(
                        format!("name '{name}' is nonlocal and global"),
                        span,
                    ));
                }
                if !nonlocal && sym.flags & DEF_NONLOCAL != 0 {
                    return Err(SyntaxError::new(
                        format!("name '{name}' is nonlocal and global"),
                        span,
                    ));
                }
                if sym.flags & USE != 0 {
                    return Err(SyntaxError::new(
                        format!("name '{name}' is used prior to {what} declaration"),
                        span,
                    ));
                }
                if sym.flags & DEF_ANNOT != 0 {
                    return Err(SyntaxError::new(
                        format!("annotated name '{name}' can't be {what}"),
                        span,
                    ));
                }
                if sym.flags & DEF_LOCAL != 0 {
                    return Err(SyntaxError::new(
                        format!("name '{name}' is assigned to before {what} declaration"),
                        span,
                    ));
                }
            }
            let flag = if nonlocal { DEF_NONLOCAL } else { DEF_GLOBAL };
            self.add(name, flag, span)?;
        }
        Ok(())
    }

    fn arguments(&mut self, args: &Arguments) -> R {
        // Defaults and annotations are evaluated in the enclosing scope.
        for d in &args.defaults {
            self.expr(d)?;
        }
        for d in args.kw_defaults.iter().flatten() {
            self.expr(d)?;
        }
        Ok(())
    }

    fn annotations(&mut self, args: &Arguments, returns: Option<&Expr>) -> R {
        let all = args
            .posonly
            .iter()
            .chain(&args.args)
            .chain(&args.vararg)
            .chain(&args.kwonly)
            .chain(&args.kwarg);
        for a in all {
            if let Some(ann) = &a.annotation {
                self.expr(ann)?;
            }
        }
        if let Some(r) = returns {
            self.expr(r)?;
        }
        Ok(())
    }

    fn params(&mut self, args: &Arguments) -> R {
        let all = args
            .posonly
            .iter()
            .chain(&args.args)
            .chain(&args.kwonly)
            .chain(&args.vararg)
            .chain(&args.kwarg);
        // CPython orders varnames: positional, keyword-only, *args, **kwargs.
        let ordered: Vec<&Arg> = args
            .posonly
            .iter()
            .chain(&args.args)
            .chain(&args.kwonly)
            .chain(args.vararg.iter())
            .chain(args.kwarg.iter())
            .collect();
        let _ = all;
        for a in ordered {
            self.add(&a.name, DEF_PARAM, a.span)?;
            self.scope().params.push(a.name.clone());
        }
        Ok(())
    }

    fn function_def(&mut self, f: &FunctionDef, span: Span) -> R {
        for d in &f.decorators {
            self.expr(d)?;
        }
        self.arguments(&f.args)?;
        self.annotations(&f.args, f.returns.as_ref())?;
        self.bind(&f.name, f.name_span)?;
        let prev = self.push_scope(ScopeKind::Function, &f.name, span, tag::FUNCTION);
        self.scope().is_async = f.is_async;
        self.params(&f.args)?;
        self.in_loop.push(false);
        let r = self.stmts(&f.body);
        self.in_loop.pop();
        r?;
        self.finish_function()?;
        self.cur = prev;
        Ok(())
    }

    fn finish_function(&mut self) -> R {
        let s = &self.scopes[self.cur];
        if s.is_async && s.is_generator {
            if let Some(&span) = s.returns_with_value.first() {
                return Err(SyntaxError::new(
                    "'return' with value in async generator",
                    span,
                ));
            }
        }
        Ok(())
    }

    fn class_def(&mut self, c: &ClassDef, span: Span) -> R {
        for d in &c.decorators {
            self.expr(d)?;
        }
        for b in &c.bases {
            self.expr(b)?;
        }
        for k in &c.keywords {
            self.expr(&k.value)?;
        }
        let prev = self.push_scope(ScopeKind::Class, &c.name, span, tag::CLASS);
        self.in_loop.push(false);
        let r = self.stmts(&c.body);
        self.in_loop.pop();
        r?;
        self.cur = prev;
        self.bind(&c.name, c.name_span)
    }

    fn target(&mut self, t: &Expr) -> R {
        match &t.kind {
            ExprKind::Name(n) => self.bind(n, t.span),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.target(i)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.target(inner),
            ExprKind::Attribute {
                value,
                attr,
                attr_span,
            } => {
                if attr == "__debug__" {
                    return Err(SyntaxError::new("cannot assign to __debug__", *attr_span));
                }
                self.expr(value)
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)
            }
            _ => self.expr(t),
        }
    }

    /// A comprehension `for` target: its names are marked so that `:=` cannot rebind them.
    fn comp_target(&mut self, t: &Expr) -> R {
        self.target(t)?;
        let mut names = Vec::new();
        target_names(t, &mut names);
        for n in names {
            if let Some(sym) = self.scope().symbols.get_mut(n) {
                sym.flags |= DEF_COMP_ITER;
            }
        }
        Ok(())
    }

    fn exprs(&mut self, es: &[Expr]) -> R {
        for e in es {
            self.expr(e)?;
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> R {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => self.exprs(values),
            ExprKind::NamedExpr { target, value } => {
                self.expr(value)?;
                self.named_target(target)
            }
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand),
            ExprKind::Lambda { args, body } => {
                self.arguments(args)?;
                let prev = self.push_scope(ScopeKind::Lambda, "<lambda>", e.span, tag::LAMBDA);
                self.params(args)?;
                self.in_loop.push(false);
                let r = self.expr(body);
                self.in_loop.pop();
                r?;
                self.cur = prev;
                Ok(())
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)
            }
            ExprKind::Dict { keys, values } => {
                for (k, v) in keys.iter().zip(values) {
                    if let Some(k) = k {
                        self.expr(k)?;
                    }
                    self.expr(v)?;
                }
                Ok(())
            }
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Tuple(items) => {
                self.exprs(items)
            }
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e.span, CompKind::List, &[elt], generators)
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e.span, CompKind::Set, &[elt], generators)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e.span, CompKind::Dict, &[key, value], generators),
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e.span, CompKind::Generator, &[elt], generators)
            }
            ExprKind::Await(v) => {
                self.check_await(e.span)?;
                self.expr(v)
            }
            ExprKind::Yield(v) => {
                self.check_yield(e.span, false)?;
                if let Some(v) = v {
                    self.expr(v)?;
                }
                Ok(())
            }
            ExprKind::YieldFrom(v) => {
                self.check_yield(e.span, true)?;
                self.expr(v)
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expr(left)?;
                self.exprs(comparators)
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func)?;
                self.exprs(args)?;
                for k in keywords {
                    if k.arg.as_deref() == Some("__debug__") {
                        return Err(SyntaxError::new("cannot assign to __debug__", k.span));
                    }
                    self.expr(&k.value)?;
                }
                Ok(())
            }
            ExprKind::FormattedValue {
                value, format_spec, ..
            } => {
                self.expr(value)?;
                if let Some(s) = format_spec {
                    self.expr(s)?;
                }
                Ok(())
            }
            ExprKind::JoinedStr(parts) => self.exprs(parts),
            ExprKind::Constant(_) => Ok(()),
            ExprKind::Attribute { value, .. } => self.expr(value),
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)
            }
            ExprKind::Starred(v) => self.expr(v),
            ExprKind::Name(n) => {
                if n == "__class__" {
                    self.mark_class_ref(e.span);
                }
                self.use_name(n, e.span)
            }
            ExprKind::Slice { lower, upper, step } => {
                for p in [lower, upper, step].into_iter().flatten() {
                    self.expr(p)?;
                }
                Ok(())
            }
        }
    }

    /// `:=` binds in the nearest enclosing scope that is not a comprehension.
    fn named_target(&mut self, target: &Expr) -> R {
        let ExprKind::Name(name) = &target.kind else {
            return self.target(target);
        };
        if self.scopes[self.cur].comp_iter_expr > 0 {
            return Err(SyntaxError::new(
                "assignment expression cannot be used in a comprehension iterable expression",
                target.span,
            ));
        }
        let mut id = self.cur;
        while let ScopeKind::Comprehension(_) = self.scopes[id].kind {
            if self.scopes[id]
                .symbols
                .get(name.as_str())
                .is_some_and(|s| s.flags & DEF_COMP_ITER != 0)
            {
                return Err(SyntaxError::new(
                    format!(
                        "assignment expression cannot rebind comprehension iteration variable '{name}'"
                    ),
                    target.span,
                ));
            }
            let parent = self.scopes[id].parent.expect("comprehensions have parents");
            // The comprehension itself sees the name as free.
            self.scopes[id]
                .symbols
                .entry(name.clone())
                .or_insert(SymInfo {
                    flags: 0,
                    scope: NameScope::GlobalImplicit,
                    span: target.span,
                })
                .flags |= DEF_NONLOCAL;
            id = parent;
        }
        if id != self.cur && self.scopes[id].kind == ScopeKind::Class {
            return Err(SyntaxError::new(
                "assignment expression within a comprehension cannot be used in a class body",
                target.span,
            ));
        }
        let prev = self.cur;
        self.cur = id;
        let r = self.bind(name, target.span);
        self.cur = prev;
        if id != prev && self.scopes[id].kind == ScopeKind::Module {
            // At module level the comprehension must treat it as a global.
            let mut c = prev;
            while c != id {
                if let Some(s) = self.scopes[c].symbols.get_mut(name.as_str()) {
                    s.flags = (s.flags & !DEF_NONLOCAL) | DEF_GLOBAL;
                }
                c = self.scopes[c].parent.unwrap_or(id);
            }
        }
        r
    }

    fn check_await(&mut self, span: Span) -> R {
        let sc = &self.scopes[self.cur];
        match sc.kind {
            ScopeKind::Function if sc.is_async => {
                self.scope().has_await = true;
                Ok(())
            }
            ScopeKind::Module if self.opts.top_level_await => {
                self.scope().has_await = true;
                Ok(())
            }
            ScopeKind::Module | ScopeKind::Class => {
                Err(SyntaxError::new("'await' outside function", span))
            }
            ScopeKind::Comprehension(_) => {
                // Legal when the comprehension sits (transitively) in an async function;
                // checked when the comprehension scope is finished.
                self.scope().has_await = true;
                Ok(())
            }
            _ => Err(SyntaxError::new("'await' outside async function", span)),
        }
    }

    fn check_yield(&mut self, span: Span, from: bool) -> R {
        let sc = &self.scopes[self.cur];
        match sc.kind {
            ScopeKind::Module | ScopeKind::Class => {
                Err(SyntaxError::new("'yield' outside function", span))
            }
            ScopeKind::Comprehension(k) => Err(SyntaxError::new(
                format!("'yield' inside {}", k.noun()),
                span,
            )),
            _ => {
                if from && sc.is_async {
                    return Err(SyntaxError::new("'yield from' inside async function", span));
                }
                self.scope().is_generator = true;
                Ok(())
            }
        }
    }

    fn comprehension(
        &mut self,
        span: Span,
        kind: CompKind,
        elts: &[&Expr],
        generators: &[Comprehension],
    ) -> R {
        if let Some(star) = elts.iter().find(|e| matches!(e.kind, ExprKind::Starred(_))) {
            return Err(SyntaxError::new(
                "iterable unpacking cannot be used in comprehension",
                star.span,
            ));
        }
        // The outermost iterable is evaluated in the enclosing scope.
        self.scope().comp_iter_expr += 1;
        let r = self.expr(&generators[0].iter);
        self.scope().comp_iter_expr -= 1;
        r?;
        let name = match kind {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Generator => "<genexpr>",
        };
        let prev = self.push_scope(
            ScopeKind::Comprehension(kind),
            name,
            span,
            tag::COMPREHENSION,
        );
        self.in_loop.push(false);
        self.add(".0", DEF_PARAM, span)?;
        self.scope().params.push(".0".to_string());
        let mut result = Ok(());
        for (i, g) in generators.iter().enumerate() {
            if g.is_async {
                self.scope().async_comprehension = true;
            }
            if i > 0 {
                self.scope().comp_iter_expr += 1;
                let r = self.expr(&g.iter);
                self.scope().comp_iter_expr -= 1;
                if let Err(e) = r {
                    result = Err(e);
                    break;
                }
            }
            if let Err(e) = self.comp_target(&g.target) {
                result = Err(e);
                break;
            }
            if let Err(e) = self.exprs(&g.ifs) {
                result = Err(e);
                break;
            }
        }
        if result.is_ok() {
            for e in elts {
                if let Err(err) = self.expr(e) {
                    result = Err(err);
                    break;
                }
            }
        }
        self.in_loop.pop();
        result?;
        if kind == CompKind::Generator {
            self.scope().is_generator = true;
        }
        let is_async = {
            let s = &self.scopes[self.cur];
            s.async_comprehension || s.has_await
        };
        self.scope().is_async = is_async;
        self.cur = prev;
        if is_async && kind != CompKind::Generator {
            // A non-generator async comprehension must run inside a coroutine.
            if !self.enclosing_is_async() {
                return Err(SyntaxError::new(
                    "asynchronous comprehension outside of an asynchronous function",
                    span,
                ));
            }
            self.scope().has_await = true;
        }
        Ok(())
    }

    fn enclosing_is_async(&self) -> bool {
        let sc = &self.scopes[self.cur];
        match sc.kind {
            ScopeKind::Function => sc.is_async,
            ScopeKind::Module => self.opts.top_level_await,
            ScopeKind::Comprehension(_) => {
                // Nested comprehension: legal if this one ends up async in an async context.
                let mut id = self.cur;
                loop {
                    let s = &self.scopes[id];
                    match s.kind {
                        ScopeKind::Comprehension(CompKind::Generator) => return true,
                        ScopeKind::Comprehension(_) => id = s.parent.unwrap_or(0),
                        ScopeKind::Function => return s.is_async,
                        ScopeKind::Module => return self.opts.top_level_await,
                        _ => return false,
                    }
                }
            }
            _ => false,
        }
    }
}

/// Resolves names in scope `id` given the names bound by enclosing function scopes, and
/// returns the names this scope needs from outside (its free variables).
fn analyze(
    table: &mut SymbolTable,
    id: usize,
    enclosing: &HashSet<String>,
) -> Result<HashSet<String>, SyntaxError> {
    let kind = table.scopes[id].kind;
    let mut free = HashSet::new();
    let mut locals = HashSet::new();
    {
        let scope = &mut table.scopes[id];
        for (name, sym) in scope.symbols.iter_mut() {
            sym.scope = if sym.flags & DEF_GLOBAL != 0 {
                NameScope::GlobalExplicit
            } else if sym.flags & DEF_NONLOCAL != 0 {
                if !enclosing.contains(name) {
                    return Err(SyntaxError::new(
                        format!("no binding for nonlocal '{name}' found"),
                        sym.span,
                    ));
                }
                free.insert(name.clone());
                NameScope::Free
            } else if sym.flags & (DEF_LOCAL | DEF_PARAM) != 0 {
                if kind != ScopeKind::Module {
                    locals.insert(name.clone());
                }
                if kind == ScopeKind::Module {
                    NameScope::GlobalImplicit
                } else {
                    NameScope::Local
                }
            } else if kind != ScopeKind::Module && enclosing.contains(name) {
                free.insert(name.clone());
                NameScope::Free
            } else {
                NameScope::GlobalImplicit
            };
        }
    }
    // What nested scopes can see: enclosing names plus this function's own bindings (class
    // bodies and the module do not contribute).
    let mut visible: HashSet<String> = match kind {
        ScopeKind::Module => HashSet::new(),
        ScopeKind::Class => enclosing.clone(),
        _ => {
            let mut v = enclosing.clone();
            v.extend(locals.iter().cloned());
            v.extend(free.iter().cloned());
            v
        }
    };
    for (name, sym) in &table.scopes[id].symbols {
        if sym.scope == NameScope::GlobalExplicit {
            visible.remove(name);
        }
    }
    if kind == ScopeKind::Class {
        visible.insert("__class__".to_string());
    }
    let children: Vec<usize> = (0..table.scopes.len())
        .filter(|&c| table.scopes[c].parent == Some(id))
        .collect();
    for c in children {
        let child_free = analyze(table, c, &visible)?;
        for name in child_free {
            let scope = &mut table.scopes[id];
            if kind == ScopeKind::Class && name == "__class__" {
                scope.needs_class_cell = true;
                continue;
            }
            match scope.symbols.get_mut(&name) {
                Some(sym) if sym.scope == NameScope::Local && kind != ScopeKind::Class => {
                    sym.scope = NameScope::Cell;
                }
                Some(sym) if matches!(sym.scope, NameScope::Cell | NameScope::Free) => {}
                Some(sym) if kind == ScopeKind::Class && sym.scope == NameScope::Local => {
                    // The class body binds the name itself, yet a method needs the outer
                    // function's variable: the class passes the cell through.
                    if !scope.class_free.contains(&name) {
                        scope.class_free.push(name.clone());
                    }
                    free.insert(name);
                }
                _ => {
                    scope
                        .symbols
                        .entry(name.clone())
                        .or_insert(SymInfo {
                            flags: 0,
                            scope: NameScope::Free,
                            span: Span::default(),
                        })
                        .scope = NameScope::Free;
                    free.insert(name);
                }
            }
        }
    }
    Ok(free)
}

/// The names a target expression binds.
fn target_names<'e>(t: &'e Expr, out: &mut Vec<&'e str>) {
    match &t.kind {
        ExprKind::Name(n) => out.push(n.as_str()),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            for i in items {
                target_names(i, out);
            }
        }
        ExprKind::Starred(inner) => target_names(inner, out),
        _ => {}
    }
}

/// `del __debug__` (or `del x.__debug__`) is a compile-time error, as in CPython.
fn forbidden_delete(t: &Expr) -> Result<(), SyntaxError> {
    match &t.kind {
        ExprKind::Name(n) if n == "__debug__" => {
            Err(SyntaxError::new("cannot delete __debug__", t.span))
        }
        ExprKind::Attribute {
            attr, attr_span, ..
        } if attr == "__debug__" => Err(SyntaxError::new("cannot delete __debug__", *attr_span)),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().try_for_each(forbidden_delete)
        }
        _ => Ok(()),
    }
}
