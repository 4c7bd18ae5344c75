//! Expression code generation: operators, calls, displays, f-strings, lambdas and
//! comprehensions (compiled as nested functions, as in CPython 3.11).
//! Invariant: every expression leaves exactly one value on the stack.

use super::code::{AwaitWhere, CmpKind, Instr};
use super::symtable::{tag, CompKind, ScopeKind};
use super::{Compiler, Label, R};
use crate::syntax::ast::*;
use crate::syntax::SyntaxError;
use crate::vm::value::Value;

impl<'a, 'v> Compiler<'a, 'v> {
    pub(crate) fn expr(&mut self, e: &'a Expr) -> R {
        let saved = self.span();
        self.set_span(e.span);
        self.expr_inner(e)?;
        self.set_span(saved);
        Ok(())
    }

    fn expr_inner(&mut self, e: &'a Expr) -> R {
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                let end = self.new_label();
                let jump = match op {
                    BoolOp::And => Instr::JumpIfFalseOrPop,
                    BoolOp::Or => Instr::JumpIfTrueOrPop,
                };
                for (i, v) in values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < values.len() {
                        self.emit_jump(jump, end);
                    }
                }
                self.bind(end);
            }
            ExprKind::NamedExpr { target, value } => {
                self.expr(value)?;
                self.emit(Instr::Copy(1));
                self.store_target(target)?;
            }
            ExprKind::BinOp { left, op, right } => {
                self.expr(left)?;
                self.expr(right)?;
                self.set_span(e.span);
                self.emit(Instr::BinaryOp(*op));
            }
            ExprKind::UnaryOp { op, operand } => {
                self.expr(operand)?;
                self.set_span(e.span);
                self.emit(match op {
                    UnaryOp::Invert => Instr::UnaryInvert,
                    UnaryOp::Not => Instr::UnaryNot,
                    UnaryOp::UAdd => Instr::UnaryPos,
                    UnaryOp::USub => Instr::UnaryNeg,
                });
            }
            ExprKind::Lambda { args, body } => self.lambda(e, args, body)?,
            ExprKind::IfExp { test, body, orelse } => {
                let other = self.new_label();
                let end = self.new_label();
                self.jump_if(test, false, other)?;
                self.expr(body)?;
                self.emit_jump(Instr::Jump, end);
                self.bind(other);
                self.expr(orelse)?;
                self.bind(end);
            }
            ExprKind::Dict { keys, values } => self.dict_display(keys, values)?,
            ExprKind::Set(items) => self.sequence_display(items, Display::Set)?,
            ExprKind::List(items) => self.sequence_display(items, Display::List)?,
            ExprKind::Tuple(items) => self.sequence_display(items, Display::Tuple)?,
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, CompKind::List, elt, None, generators)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, CompKind::Set, elt, None, generators)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, CompKind::Dict, key, Some(value), generators)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, CompKind::Generator, elt, None, generators)?
            }
            ExprKind::Await(v) => {
                self.expr(v)?;
                self.set_span(e.span);
                self.emit(Instr::GetAwaitable(AwaitWhere::Await));
                self.emit(Instr::LoadConst(0));
                self.yield_from_loop();
            }
            ExprKind::Yield(v) => {
                match v {
                    Some(v) => self.expr(v)?,
                    None => self.emit(Instr::LoadConst(0)),
                }
                self.set_span(e.span);
                if self.in_async_generator() {
                    self.emit(Instr::YieldAsyncGen);
                } else {
                    self.emit(Instr::YieldValue);
                }
            }
            ExprKind::YieldFrom(v) => {
                self.expr(v)?;
                self.set_span(e.span);
                self.emit(Instr::GetYieldFromIter);
                self.emit(Instr::LoadConst(0));
                self.yield_from_loop();
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compare(e, left, ops, comparators)?,
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(e, func, args, keywords)?,
            ExprKind::FormattedValue {
                value,
                conversion,
                format_spec,
            } => {
                self.expr(value)?;
                let mut flags = match conversion {
                    None => 0,
                    Some('s') => 1,
                    Some('r') => 2,
                    Some('a') => 3,
                    Some(c) => {
                        return Err(SyntaxError::new(
                            format!("f-string: invalid conversion character '{c}'"),
                            e.span,
                        ))
                    }
                };
                if let Some(spec) = format_spec {
                    self.expr(spec)?;
                    flags |= 4;
                }
                self.set_span(e.span);
                self.emit(Instr::FormatValue(flags));
            }
            ExprKind::JoinedStr(parts) => {
                if parts.is_empty() {
                    let s = self.vm.new_str(String::new());
                    self.load_const(s);
                } else {
                    for p in parts {
                        self.expr(p)?;
                    }
                    let single_str = parts.len() == 1
                        && matches!(parts[0].kind, ExprKind::FormattedValue { .. });
                    let single_const = parts.len() == 1
                        && matches!(parts[0].kind, ExprKind::Constant(Constant::Str(_)));
                    if !(single_str || single_const) {
                        self.emit(Instr::BuildString(parts.len() as u32));
                    }
                }
            }
            ExprKind::Constant(c) => {
                let v = self.constant(c);
                self.load_const(v);
            }
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                let ni = self.add_name(attr);
                self.set_span(e.span);
                self.emit(Instr::LoadAttr(ni));
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.set_span(e.span);
                self.emit(Instr::BinarySubscr);
            }
            ExprKind::Starred(_) => {
                return Err(SyntaxError::new(
                    "can't use starred expression here",
                    e.span,
                ))
            }
            ExprKind::Name(n) => self.load_name(n),
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper] {
                    match part {
                        Some(p) => self.expr(p)?,
                        None => self.emit(Instr::LoadConst(0)),
                    }
                }
                match step {
                    Some(s) => {
                        self.expr(s)?;
                        self.emit(Instr::BuildSlice(3));
                    }
                    None => self.emit(Instr::BuildSlice(2)),
                }
            }
        }
        Ok(())
    }

    fn in_async_generator(&self) -> bool {
        let scope = &self.table.scopes[self.unit_ref().scope];
        scope.is_async && scope.is_generator
    }

    /// The runtime value of a literal.
    pub(crate) fn constant(&mut self, c: &Constant) -> Value {
        match c {
            Constant::None => Value::None,
            Constant::Bool(b) => Value::from_bool(*b),
            Constant::Int(i) => Value::Int(*i),
            Constant::BigInt(b) => self.vm.new_bigint((**b).clone()),
            Constant::Float(f) => Value::from_f64(*f),
            Constant::Str(s) => {
                if s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    self.vm.intern(s)
                } else {
                    self.vm.new_str(s.clone())
                }
            }
            Constant::Bytes(b) => self.vm.new_bytes(b.clone()),
            Constant::Ellipsis => self.vm.ellipsis(),
        }
    }

    /// Jumps to `label` when `e` is truthy (`when` true) or falsy (`when` false).
    pub(crate) fn jump_if(&mut self, e: &'a Expr, when: bool, label: Label) -> R {
        match &e.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => return self.jump_if(operand, !when, label),
            ExprKind::BoolOp { op, values } => {
                let is_and = *op == BoolOp::And;
                // `a and b` jumps-if-false when any is false; jumps-if-true only when all are.
                if is_and != when {
                    for v in values {
                        self.jump_if(v, when, label)?;
                    }
                } else {
                    let skip = self.new_label();
                    let (last, init) = values.split_last().expect("boolop has values");
                    for v in init {
                        self.jump_if(v, !when, skip)?;
                    }
                    self.jump_if(last, when, label)?;
                    self.bind(skip);
                }
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 => {
                if let (CmpOp::Is | CmpOp::IsNot, ExprKind::Constant(Constant::None)) =
                    (ops[0], &comparators[0].kind)
                {
                    self.expr(left)?;
                    self.set_span(e.span);
                    let is_none = (ops[0] == CmpOp::Is) == when;
                    if is_none {
                        self.emit_jump(Instr::PopJumpIfNone, label);
                    } else {
                        self.emit_jump(Instr::PopJumpIfNotNone, label);
                    }
                    return Ok(());
                }
            }
            _ => {}
        }
        self.expr(e)?;
        self.set_span(e.span);
        if when {
            self.emit_jump(Instr::PopJumpIfTrue, label);
        } else {
            self.emit_jump(Instr::PopJumpIfFalse, label);
        }
        Ok(())
    }

    fn compare_op(&mut self, op: CmpOp) {
        self.emit(match op {
            CmpOp::Eq => Instr::CompareOp(CmpKind::Eq),
            CmpOp::NotEq => Instr::CompareOp(CmpKind::Ne),
            CmpOp::Lt => Instr::CompareOp(CmpKind::Lt),
            CmpOp::LtE => Instr::CompareOp(CmpKind::Le),
            CmpOp::Gt => Instr::CompareOp(CmpKind::Gt),
            CmpOp::GtE => Instr::CompareOp(CmpKind::Ge),
            CmpOp::Is => Instr::IsOp(false),
            CmpOp::IsNot => Instr::IsOp(true),
            CmpOp::In => Instr::ContainsOp(false),
            CmpOp::NotIn => Instr::ContainsOp(true),
        });
    }

    fn compare(
        &mut self,
        e: &'a Expr,
        left: &'a Expr,
        ops: &[CmpOp],
        comparators: &'a [Expr],
    ) -> R {
        self.expr(left)?;
        if ops.len() == 1 {
            self.expr(&comparators[0])?;
            self.set_span(e.span);
            self.compare_op(ops[0]);
            return Ok(());
        }
        let cleanup = self.new_label();
        let end = self.new_label();
        let n = ops.len();
        for i in 0..n - 1 {
            self.expr(&comparators[i])?;
            self.emit(Instr::Swap(2));
            self.emit(Instr::Copy(2));
            self.set_span(e.span);
            self.compare_op(ops[i]);
            self.emit_jump(Instr::JumpIfFalseOrPop, cleanup);
        }
        self.expr(&comparators[n - 1])?;
        self.set_span(e.span);
        self.compare_op(ops[n - 1]);
        self.emit_jump(Instr::Jump, end);
        self.bind(cleanup);
        self.emit(Instr::Swap(2));
        self.emit(Instr::PopTop);
        self.bind(end);
        Ok(())
    }

    fn call(
        &mut self,
        e: &'a Expr,
        func: &'a Expr,
        args: &'a [Expr],
        keywords: &'a [Keyword],
    ) -> R {
        let complex = args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || keywords.iter().any(|k| k.arg.is_none());
        match &func.kind {
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                let ni = self.add_name(attr);
                self.set_span(func.span);
                self.emit(Instr::LoadMethod(ni));
            }
            // A bare name is one load instruction: the NULL can fold into it.
            ExprKind::Name(_) => {
                self.expr(func)?;
                self.emit_push_null();
            }
            _ => {
                self.expr(func)?;
                self.emit(Instr::PushNull);
            }
        }
        if complex {
            self.starred_args(args)?;
            let has_kw = !keywords.is_empty();
            if has_kw {
                self.kwargs_dict(keywords)?;
            }
            self.set_span(e.span);
            self.emit(Instr::CallEx(has_kw as u32));
            return Ok(());
        }
        for a in args {
            self.expr(a)?;
        }
        if keywords.is_empty() {
            self.set_span(e.span);
            self.emit(Instr::Call(args.len() as u32));
            return Ok(());
        }
        let mut names = Vec::new();
        for k in keywords {
            self.expr(&k.value)?;
            names.push(self.str_const(k.arg.as_deref().unwrap_or_default()));
        }
        let t = self.vm.new_tuple(names);
        let ti = self.add_const(t);
        let total = args.len() + keywords.len();
        if total > u16::MAX as usize || ti > u16::MAX as u32 {
            return Err(SyntaxError::new("too many arguments", e.span));
        }
        self.set_span(e.span);
        self.emit(Instr::CallKw(total as u16, ti as u16));
        Ok(())
    }

    /// Builds the positional-argument tuple of a call with `*args`.
    fn starred_args(&mut self, args: &'a [Expr]) -> R {
        // `f(*x)` passes `x` as is, as CPython does: `CallEx` makes the tuple (and names
        // the callee if `x` is not iterable).
        if let [Expr {
            kind: ExprKind::Starred(inner),
            ..
        }] = args
        {
            return self.expr(inner);
        }
        let mut pending = 0;
        let mut started = false;
        for a in args {
            match &a.kind {
                ExprKind::Starred(inner) => {
                    if !started {
                        self.emit(Instr::BuildList(pending));
                        started = true;
                    }
                    pending = 0;
                    self.expr(inner)?;
                    self.emit(Instr::ListExtend(1));
                }
                _ => {
                    self.expr(a)?;
                    if started {
                        self.emit(Instr::ListAppend(1));
                    } else {
                        pending += 1;
                    }
                }
            }
        }
        if !started {
            self.emit(Instr::BuildList(pending));
        }
        self.emit(Instr::ListToTuple);
        Ok(())
    }

    /// Builds the keyword-argument dict of a call with `**kwargs`.
    fn kwargs_dict(&mut self, keywords: &'a [Keyword]) -> R {
        self.emit(Instr::BuildMap(0));
        for k in keywords {
            match &k.arg {
                Some(name) => {
                    let key = self.str_const(name);
                    self.load_const(key);
                    self.expr(&k.value)?;
                    self.emit(Instr::BuildMap(1));
                    self.emit(Instr::DictMerge(1));
                }
                None => {
                    self.expr(&k.value)?;
                    self.set_span(k.span);
                    self.emit(Instr::DictMerge(1));
                }
            }
        }
        Ok(())
    }

    fn sequence_display(&mut self, items: &'a [Expr], kind: Display) -> R {
        let starred = items.iter().any(|e| matches!(e.kind, ExprKind::Starred(_)));
        if !starred {
            if kind == Display::Set && items.len() > 2 {
                // CPython 3.11 builds a display of more than two constants by updating an
                // empty set from a frozenset constant, which fixes its iteration order.
                if let Some(fs) = self.const_frozenset(items) {
                    self.emit(Instr::BuildSet(0));
                    self.load_const(fs);
                    self.emit(Instr::SetUpdate(1));
                    return Ok(());
                }
            }
            if kind == Display::Tuple && !items.is_empty() {
                if let Some(consts) = self.const_items(items) {
                    let t = self.vm.new_tuple(consts);
                    self.load_const(t);
                    return Ok(());
                }
            }
            for i in items {
                self.expr(i)?;
            }
            let n = items.len() as u32;
            self.emit(match kind {
                Display::List => Instr::BuildList(n),
                Display::Tuple => Instr::BuildTuple(n),
                Display::Set => Instr::BuildSet(n),
            });
            return Ok(());
        }
        let set = kind == Display::Set;
        self.emit(if set {
            Instr::BuildSet(0)
        } else {
            Instr::BuildList(0)
        });
        for i in items {
            match &i.kind {
                ExprKind::Starred(inner) => {
                    self.expr(inner)?;
                    self.emit(if set {
                        Instr::SetUpdate(1)
                    } else {
                        Instr::ListExtend(1)
                    });
                }
                _ => {
                    self.expr(i)?;
                    self.emit(if set {
                        Instr::SetAdd(1)
                    } else {
                        Instr::ListAppend(1)
                    });
                }
            }
        }
        if kind == Display::Tuple {
            self.emit(Instr::ListToTuple);
        }
        Ok(())
    }

    /// The values of a display made only of literals (folded into one constant tuple).
    /// The frozenset constant CPython makes of a set display whose items are all constants.
    fn const_frozenset(&mut self, items: &[Expr]) -> Option<Value> {
        let consts = self.const_items(items)?;
        self.vm.frozenset_constant(consts).ok()
    }

    /// An iterable as CPython's AST optimizer leaves it (`fold_iter`): a set display of
    /// constants iterates over a frozenset constant.
    pub(crate) fn iterable(&mut self, e: &'a Expr) -> R {
        if let ExprKind::Set(items) = &e.kind {
            if let Some(fs) = self.const_frozenset(items) {
                self.load_const(fs);
                return Ok(());
            }
        }
        self.expr(e)
    }

    fn const_items(&mut self, items: &[Expr]) -> Option<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.folded_constant(i)?);
        }
        Some(out)
    }

    /// The value of an expression CPython's AST optimizer folds to a constant: a literal,
    /// a negated number, or a tuple of such.
    fn folded_constant(&mut self, e: &Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Constant(c) => Some(self.constant(c)),
            ExprKind::Tuple(items) => {
                let items = self.const_items(items)?;
                Some(self.vm.new_tuple(items))
            }
            ExprKind::UnaryOp {
                op: UnaryOp::USub,
                operand,
            } => match &operand.kind {
                ExprKind::Constant(Constant::Int(i)) => i.checked_neg().map(Value::Int),
                ExprKind::Constant(Constant::Float(f)) => Some(Value::from_f64(-f)),
                _ => None,
            },
            _ => None,
        }
    }

    fn dict_display(&mut self, keys: &'a [Option<Expr>], values: &'a [Expr]) -> R {
        if keys.iter().all(|k| k.is_some()) {
            for (k, v) in keys.iter().zip(values) {
                self.expr(k.as_ref().expect("checked"))?;
                self.expr(v)?;
            }
            self.emit(Instr::BuildMap(keys.len() as u32));
            return Ok(());
        }
        self.emit(Instr::BuildMap(0));
        for (k, v) in keys.iter().zip(values) {
            match k {
                Some(k) => {
                    self.expr(k)?;
                    self.expr(v)?;
                    self.emit(Instr::MapAdd(1));
                }
                None => {
                    self.expr(v)?;
                    self.set_span(v.span);
                    self.emit(Instr::DictUpdate(1));
                }
            }
        }
        Ok(())
    }

    fn lambda(&mut self, e: &'a Expr, args: &'a Arguments, body: &'a Expr) -> R {
        let mut flags = self.emit_arg_defaults(args, None, false)?;
        let child = self.table.scope_at(e.span, tag::LAMBDA);
        let qualname = self.qualname_for("<lambda>");
        self.push_unit(child, "<lambda>".into(), qualname.as_str().into(), e.span);
        self.expr(body)?;
        self.emit(Instr::ReturnValue);
        let unit = self.units.pop().expect("lambda unit");
        let posonly = args.posonly.len() as u32;
        let argcount = posonly + args.args.len() as u32;
        let mut code = self.finish_unit(unit, argcount, posonly, args.kwonly.len() as u32)?;
        code.flags.varargs = args.vararg.is_some();
        code.flags.varkeywords = args.kwarg.is_some();
        // `plain` was decided before the star parameters were known.
        code.plain &= !code.flags.varargs && !code.flags.varkeywords;
        flags |= self.emit_closure(child);
        self.set_span(e.span);
        let cv = self.vm.new_code(code);
        self.load_const(cv);
        self.emit(Instr::MakeFunction(flags));
        Ok(())
    }

    fn comprehension(
        &mut self,
        e: &'a Expr,
        kind: CompKind,
        elt: &'a Expr,
        value: Option<&'a Expr>,
        generators: &'a [Comprehension],
    ) -> R {
        let child = self.table.scope_at(e.span, tag::COMPREHENSION);
        let name = match kind {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Generator => "<genexpr>",
        };
        let qualname = self.qualname_for(name);
        self.push_unit(child, name.into(), qualname.as_str().into(), e.span);
        match kind {
            CompKind::List => self.emit(Instr::BuildList(0)),
            CompKind::Set => self.emit(Instr::BuildSet(0)),
            CompKind::Dict => self.emit(Instr::BuildMap(0)),
            CompKind::Generator => {}
        }
        self.comp_generator(kind, generators, 0, elt, value)?;
        if kind == CompKind::Generator {
            self.emit(Instr::LoadConst(0));
        }
        self.emit(Instr::ReturnValue);
        let unit = self.units.pop().expect("comprehension unit");
        let code = self.finish_unit(unit, 1, 0, 0)?;
        let is_async = self.table.scopes[child].is_async;
        let flags = self.emit_closure(child);
        self.set_span(e.span);
        let cv = self.vm.new_code(code);
        self.load_const(cv);
        self.emit(Instr::MakeFunction(flags));
        self.emit(Instr::PushNull);
        let first = &generators[0];
        self.iterable(&first.iter)?;
        self.set_span(first.iter.span);
        self.emit(if first.is_async {
            Instr::GetAIter
        } else {
            Instr::GetIter
        });
        self.set_span(e.span);
        self.emit(Instr::Call(1));
        if is_async && kind != CompKind::Generator {
            self.emit(Instr::GetAwaitable(AwaitWhere::Await));
            self.emit(Instr::LoadConst(0));
            self.yield_from_loop();
        }
        Ok(())
    }

    fn comp_generator(
        &mut self,
        kind: CompKind,
        generators: &'a [Comprehension],
        i: usize,
        elt: &'a Expr,
        value: Option<&'a Expr>,
    ) -> R {
        let g = &generators[i];
        if i == 0 {
            self.emit(Instr::LoadFast(0));
        } else {
            self.iterable(&g.iter)?;
            self.set_span(g.iter.span);
            self.emit(if g.is_async {
                Instr::GetAIter
            } else {
                Instr::GetIter
            });
        }
        let start = self.new_label();
        let end = self.new_label();
        self.bind(start);
        let except = self.new_label();
        let mut handler_depth = 0;
        if g.is_async {
            handler_depth = self.push_handler(except);
            self.emit(Instr::GetANext);
            self.emit(Instr::LoadConst(0));
            self.yield_from_loop();
            self.pop_handler();
        } else {
            self.set_span(g.iter.span);
            self.emit_jump(Instr::ForIter, end);
        }
        self.store_target(&g.target)?;
        for cond in &g.ifs {
            self.jump_if(cond, false, start)?;
        }
        if i + 1 < generators.len() {
            self.comp_generator(kind, generators, i + 1, elt, value)?;
        } else {
            let depth = generators.len() as u32 + 1;
            match kind {
                CompKind::List => {
                    self.expr(elt)?;
                    self.emit(Instr::ListAppend(depth));
                }
                CompKind::Set => {
                    self.expr(elt)?;
                    self.emit(Instr::SetAdd(depth));
                }
                CompKind::Dict => {
                    self.expr(elt)?;
                    self.expr(value.expect("dict comprehension has a value"))?;
                    self.emit(Instr::MapAdd(depth));
                }
                CompKind::Generator => {
                    self.expr(elt)?;
                    if self.in_async_generator() {
                        self.emit(Instr::YieldAsyncGen);
                    } else {
                        self.emit(Instr::YieldValue);
                    }
                    self.emit(Instr::PopTop);
                }
            }
        }
        self.emit_jump(Instr::Jump, start);
        if g.is_async {
            self.bind_handler(except, handler_depth);
            self.emit(Instr::EndAsyncFor);
        } else {
            self.bind(end);
        }
        Ok(())
    }

    #[allow(dead_code)]
    fn scope_is_class(&self) -> bool {
        self.scope_kind() == ScopeKind::Class
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Display {
    List,
    Tuple,
    Set,
}
