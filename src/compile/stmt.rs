//! Statement code generation.
//!
//! Exception handling follows CPython 3.11: a protected region is covered by an exception-table
//! handler; the handler runs `PushExcInfo`, matches, and restores the previously handled
//! exception with `PopExcept` on every way out. `finally` bodies are emitted once for the
//! normal path, once for the exceptional path, and inline before every `return`, `break` and
//! `continue` that leaves them. Invariant: handler stack layouts are `prev_exc exc` above the
//! depth recorded at the `try`.

use super::code::{AwaitWhere, Instr};
use super::symtable::{tag, ScopeKind};
use super::{Compiler, FBlock, Label, R};
use crate::syntax::ast::*;
use crate::syntax::SyntaxError;

impl<'a, 'v> Compiler<'a, 'v> {
    pub(crate) fn stmt(&mut self, s: &'a Stmt) -> R {
        self.set_span(s.span);
        match &s.kind {
            StmtKind::Expr(e) => self.expr_stmt(e),
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Instr::Copy(1));
                    }
                    self.store_target(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value),
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => self.ann_assign(target, annotation, value.as_ref(), *simple),
            StmtKind::If { test, body, orelse } => {
                let end = self.new_label();
                let other = if orelse.is_empty() {
                    end
                } else {
                    self.new_label()
                };
                self.jump_if(test, false, other)?;
                self.stmts(body)?;
                if !orelse.is_empty() {
                    self.emit_jump(Instr::Jump, end);
                    self.bind(other);
                    self.stmts(orelse)?;
                }
                self.bind(end);
                Ok(())
            }
            StmtKind::While { test, body, orelse } => self.while_stmt(test, body, orelse),
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.async_for(target, iter, body, orelse)
                } else {
                    self.for_stmt(s.span, target, iter, body, orelse)
                }
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => self.with_stmt(items, body, *is_async),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                if finalbody.is_empty() {
                    self.try_except(body, handlers, orelse)
                } else {
                    self.try_finally(body, handlers, orelse, finalbody)
                }
            }
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.expr(e)?;
                    n = 1;
                    if let Some(c) = cause {
                        self.expr(c)?;
                        n = 2;
                    }
                }
                self.set_span(s.span);
                self.emit(Instr::Raise(n));
                Ok(())
            }
            StmtKind::FunctionDef(f) => self.function_def(f, s.span),
            StmtKind::ClassDef(c) => self.class_def(c, s.span),
            StmtKind::Return(v) => {
                let preserve = match v {
                    Some(v) => {
                        self.expr(v)?;
                        true
                    }
                    None => false,
                };
                self.set_span(s.span);
                self.unwind(preserve, false)?;
                if !preserve {
                    self.emit(Instr::LoadConst(0));
                }
                self.emit(Instr::ReturnValue);
                Ok(())
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete_target(t)?;
                }
                Ok(())
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => Ok(()),
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                match self.unwind(false, true)? {
                    Some((cont, brk, for_iter)) => {
                        if is_break {
                            if for_iter {
                                self.emit(Instr::PopTop);
                            }
                            self.emit_jump(Instr::Jump, brk);
                        } else {
                            self.emit_jump(Instr::Jump, cont);
                        }
                        Ok(())
                    }
                    None => Err(SyntaxError::new(
                        if is_break {
                            "'break' outside loop"
                        } else {
                            "'continue' not properly in loop"
                        },
                        s.span,
                    )),
                }
            }
            StmtKind::Assert { test, msg } => {
                let end = self.new_label();
                self.jump_if(test, true, end)?;
                self.emit(Instr::LoadAssertionError);
                if let Some(m) = msg {
                    self.emit(Instr::PushNull);
                    self.expr(m)?;
                    self.emit(Instr::Call(1));
                }
                // CPython reports a failed assert at its test expression.
                self.set_span(test.span);
                self.emit(Instr::Raise(1));
                self.bind(end);
                Ok(())
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.set_span(a.span);
                    self.emit(Instr::LoadSmallInt(0));
                    self.emit(Instr::LoadConst(0));
                    let ni = self.add_name(&a.name);
                    self.emit(Instr::ImportName(ni));
                    match &a.asname {
                        Some(asname) => {
                            // `import a.b.c as d` binds the innermost module.
                            let parts: Vec<&str> = a.name.split('.').collect();
                            for p in &parts[1..] {
                                let pi = self.add_name(p);
                                self.emit(Instr::ImportFrom(pi));
                                self.emit(Instr::Swap(2));
                                self.emit(Instr::PopTop);
                            }
                            self.store_name(asname);
                        }
                        None => {
                            let top = a.name.split('.').next().unwrap_or(&a.name).to_string();
                            self.store_name(&top);
                        }
                    }
                }
                Ok(())
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => self.import_from(module.as_deref(), names, *level),
        }
    }

    fn expr_stmt(&mut self, e: &'a Expr) -> R {
        if self.opts.interactive && self.scope_kind() == ScopeKind::Module && self.units.len() == 1
        {
            self.expr(e)?;
            self.emit(Instr::PrintExpr);
            return Ok(());
        }
        if let ExprKind::Constant(_) = e.kind {
            // A constant statement (e.g. a stray string) has no effect.
            return Ok(());
        }
        self.expr(e)?;
        self.emit(Instr::PopTop);
        Ok(())
    }

    /// Emits cleanup for the blocks that `return` (or, with `to_loop`, `break`/`continue`)
    /// leaves. With `to_loop`, returns the innermost loop's labels instead of leaving it.
    fn unwind(
        &mut self,
        preserve_tos: bool,
        to_loop: bool,
    ) -> Result<Option<(Label, Label, bool)>, SyntaxError> {
        let saved_handlers = self.unit().handlers.clone();
        let mut i = self.unit_ref().fblocks.len();
        let mut result = None;
        while i > 0 {
            i -= 1;
            let outside = self.unit_ref().fblocks[i].handlers_outside;
            self.unit().handlers.truncate(outside);
            let step = match &self.unit_ref().fblocks[i].block {
                FBlock::Loop {
                    cont,
                    brk,
                    for_iter,
                } => Step::Loop(*cont, *brk, *for_iter),
                FBlock::TryExcept | FBlock::ExceptionHandler => Step::Nothing,
                FBlock::FinallyTry { body } => Step::Finally(body),
                FBlock::FinallyEnd => Step::PopExcAndExcept,
                FBlock::With { is_async } => Step::With(*is_async),
                FBlock::HandlerCleanup { name } => Step::HandlerCleanup(name.clone()),
                FBlock::PopValue => Step::PopValue,
            };
            match step {
                Step::Loop(cont, brk, for_iter) => {
                    if to_loop {
                        result = Some((cont, brk, for_iter));
                        break;
                    }
                    if for_iter {
                        if preserve_tos {
                            self.emit(Instr::Swap(2));
                        }
                        self.emit(Instr::PopTop);
                    }
                }
                Step::Nothing => {}
                Step::Finally(body) => {
                    // The finally body runs with the blocks outside it only.
                    let inner = self.unit().fblocks.split_off(i);
                    if preserve_tos {
                        self.push_fblock(FBlock::PopValue);
                    }
                    let r = self.stmts(body);
                    if preserve_tos {
                        self.pop_fblock();
                    }
                    self.unit().fblocks.extend(inner);
                    r?;
                }
                Step::PopExcAndExcept => {
                    if preserve_tos {
                        self.emit(Instr::Swap(2));
                    }
                    self.emit(Instr::PopTop);
                    if preserve_tos {
                        self.emit(Instr::Swap(2));
                    }
                    self.emit(Instr::PopExcept);
                }
                Step::With(is_async) => {
                    if preserve_tos {
                        self.emit(Instr::Swap(2));
                    }
                    self.call_exit_with_nones(is_async);
                }
                Step::HandlerCleanup(name) => {
                    if preserve_tos {
                        self.emit(Instr::Swap(2));
                    }
                    self.emit(Instr::PopExcept);
                    if let Some(n) = name {
                        self.emit(Instr::LoadConst(0));
                        self.store_name(&n);
                        self.delete_name(&n);
                    }
                }
                Step::PopValue => {
                    if preserve_tos {
                        self.emit(Instr::Swap(2));
                    }
                    self.emit(Instr::PopTop);
                }
            }
        }
        self.unit().handlers = saved_handlers;
        Ok(result)
    }

    /// `exit None None None -> ` calling exit(None, None, None) and discarding the result.
    fn call_exit_with_nones(&mut self, is_async: bool) {
        for _ in 0..3 {
            self.emit(Instr::LoadConst(0));
        }
        self.emit(Instr::Call(2));
        if is_async {
            self.emit(Instr::GetAwaitable(AwaitWhere::AsyncWithExit));
            self.emit(Instr::LoadConst(0));
            self.yield_from_loop();
        }
        self.emit(Instr::PopTop);
    }

    /// `subiter value -> result`: the await / yield-from delegation loop.
    pub(crate) fn yield_from_loop(&mut self) {
        let start = self.new_label();
        let exit = self.new_label();
        self.bind(start);
        self.emit_jump(Instr::Send, exit);
        self.emit(Instr::YieldValue);
        self.emit_jump(Instr::Jump, start);
        self.bind(exit);
    }

    fn aug_assign(&mut self, target: &'a Expr, op: BinOp, value: &'a Expr) -> R {
        match &target.kind {
            ExprKind::Name(n) => {
                self.set_span(target.span);
                self.load_name(n);
                self.expr(value)?;
                self.set_span(target.span.to(value.span));
                self.emit(Instr::InplaceOp(op));
                self.store_name(n);
            }
            ExprKind::Attribute {
                value: obj, attr, ..
            } => {
                self.expr(obj)?;
                self.emit(Instr::Copy(1));
                let ni = self.add_name(attr);
                self.set_span(target.span);
                self.emit(Instr::LoadAttr(ni));
                self.expr(value)?;
                self.set_span(target.span.to(value.span));
                self.emit(Instr::InplaceOp(op));
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreAttr(ni));
            }
            ExprKind::Subscript { value: obj, slice } => {
                self.expr(obj)?;
                self.expr(slice)?;
                self.emit(Instr::Copy(2));
                self.emit(Instr::Copy(2));
                self.set_span(target.span);
                self.emit(Instr::BinarySubscr);
                self.expr(value)?;
                self.set_span(target.span.to(value.span));
                self.emit(Instr::InplaceOp(op));
                self.emit(Instr::Swap(3));
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreSubscr);
            }
            _ => {
                return Err(SyntaxError::new(
                    "'expression' is an illegal expression for augmented assignment",
                    target.span,
                ))
            }
        }
        Ok(())
    }

    fn ann_assign(
        &mut self,
        target: &'a Expr,
        annotation: &'a Expr,
        value: Option<&'a Expr>,
        simple: bool,
    ) -> R {
        if let Some(v) = value {
            self.expr(v)?;
            self.store_target(target)?;
        }
        let kind = self.scope_kind();
        if let (ExprKind::Name(n), true) = (&target.kind, simple) {
            if matches!(kind, ScopeKind::Module | ScopeKind::Class) {
                self.expr(annotation)?;
                let ann = self.add_name("__annotations__");
                if kind == ScopeKind::Module {
                    self.emit(Instr::LoadGlobal(ann));
                } else {
                    self.emit(Instr::LoadName(ann));
                }
                let key = self.str_const(n);
                self.load_const(key);
                self.emit(Instr::StoreSubscr);
            }
        } else if value.is_none() {
            // `a.b: int` still evaluates the target's object, as CPython does.
            match &target.kind {
                ExprKind::Attribute { value, .. } => {
                    self.expr(value)?;
                    self.emit(Instr::PopTop);
                }
                ExprKind::Subscript { value, slice } => {
                    self.expr(value)?;
                    self.emit(Instr::PopTop);
                    self.expr(slice)?;
                    self.emit(Instr::PopTop);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn while_stmt(&mut self, test: &'a Expr, body: &'a [Stmt], orelse: &'a [Stmt]) -> R {
        let start = self.new_label();
        let end = self.new_label();
        let other = self.new_label();
        self.bind(start);
        self.jump_if(test, false, other)?;
        self.push_fblock(FBlock::Loop {
            cont: start,
            brk: end,
            for_iter: false,
        });
        let r = self.stmts(body);
        self.pop_fblock();
        r?;
        self.emit_jump(Instr::Jump, start);
        self.bind(other);
        self.stmts(orelse)?;
        self.bind(end);
        Ok(())
    }

    fn for_stmt(
        &mut self,
        span: crate::source::Span,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> R {
        self.iterable(iter)?;
        // CPython 3.11 gives GET_ITER and FOR_ITER the whole statement's location, so a
        // traceback through them shows no carets.
        self.set_span(span);
        self.emit(Instr::GetIter);
        let start = self.new_label();
        let cleanup = self.new_label();
        let end = self.new_label();
        self.bind(start);
        self.set_span(span);
        self.emit_jump(Instr::ForIter, cleanup);
        self.store_target(target)?;
        self.push_fblock(FBlock::Loop {
            cont: start,
            brk: end,
            for_iter: true,
        });
        let r = self.stmts(body);
        self.pop_fblock();
        r?;
        self.emit_jump(Instr::Jump, start);
        self.bind(cleanup);
        self.stmts(orelse)?;
        self.bind(end);
        Ok(())
    }

    fn async_for(
        &mut self,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> R {
        // As in CPython, `GetAIter` and the `GetANext`/`Send` of each iteration are located
        // at the whole statement (a traceback through the loop shows its line, no carets).
        let stmt_span = self.span();
        self.expr(iter)?;
        self.set_span(stmt_span);
        self.emit(Instr::GetAIter);
        let start = self.new_label();
        let except = self.new_label();
        let end = self.new_label();
        self.bind(start);
        let d = self.push_handler(except);
        self.set_span(stmt_span);
        self.emit(Instr::GetANext);
        self.emit(Instr::LoadConst(0));
        self.yield_from_loop();
        self.pop_handler();
        self.store_target(target)?;
        self.push_fblock(FBlock::Loop {
            cont: start,
            brk: end,
            for_iter: true,
        });
        let r = self.stmts(body);
        self.pop_fblock();
        r?;
        self.emit_jump(Instr::Jump, start);
        self.bind_handler(except, d);
        self.set_span(iter.span);
        self.emit(Instr::EndAsyncFor);
        self.stmts(orelse)?;
        self.bind(end);
        Ok(())
    }

    fn with_stmt(&mut self, items: &'a [WithItem], body: &'a [Stmt], is_async: bool) -> R {
        let (item, rest) = items.split_first().expect("with has an item");
        let span = self.span();
        self.expr(&item.context)?;
        self.set_span(item.context.span);
        if is_async {
            self.emit(Instr::BeforeAsyncWith);
            self.emit(Instr::GetAwaitable(AwaitWhere::AsyncWithEnter));
            self.emit(Instr::LoadConst(0));
            self.yield_from_loop();
        } else {
            self.emit(Instr::BeforeWith);
        }
        // Stack: exit enter_result. The handler keeps only `exit`.
        let cleanup = self.new_label();
        let end = self.new_label();
        let d = self.depth() - 1;
        self.unit().handlers.push(super::Handler {
            label: cleanup,
            depth: d,
        });
        match &item.target {
            Some(t) => self.store_target(t)?,
            None => self.emit(Instr::PopTop),
        }
        self.push_fblock(FBlock::With { is_async });
        let r = if rest.is_empty() {
            self.stmts(body)
        } else {
            self.with_stmt(rest, body, is_async)
        };
        self.pop_fblock();
        r?;
        self.pop_handler();
        self.set_span(span);
        self.call_exit_with_nones(is_async);
        self.emit_jump(Instr::Jump, end);

        self.bind_handler(cleanup, d);
        self.set_span(item.context.span);
        let cleanup2 = self.new_label();
        let d2 = self.push_handler(cleanup2);
        self.emit(Instr::PushExcInfo);
        self.emit(Instr::WithExceptStart);
        if is_async {
            self.emit(Instr::GetAwaitable(AwaitWhere::AsyncWithExit));
            self.emit(Instr::LoadConst(0));
            self.yield_from_loop();
        }
        let suppress = self.new_label();
        self.emit_jump(Instr::PopJumpIfTrue, suppress);
        self.emit(Instr::Reraise);
        self.pop_handler();
        self.bind(suppress);
        self.emit(Instr::PopTop);
        self.emit(Instr::PopExcept);
        self.emit(Instr::PopTop);
        self.emit_jump(Instr::Jump, end);
        self.bind_handler(cleanup2, d2);
        self.pop_except_and_reraise();
        self.bind(end);
        Ok(())
    }

    /// Handler tail: `prev_exc exc ->` restores the previously handled exception and re-raises.
    fn pop_except_and_reraise(&mut self) {
        self.emit(Instr::Swap(2));
        self.emit(Instr::PopExcept);
        self.emit(Instr::Reraise);
    }

    fn try_except(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
    ) -> R {
        for (i, h) in handlers.iter().enumerate() {
            if h.typ.is_none() && i + 1 < handlers.len() {
                return Err(SyntaxError::new("default 'except:' must be last", h.span));
            }
        }
        let except = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        let d = self.push_handler(except);
        self.push_fblock(FBlock::TryExcept);
        let r = self.stmts(body);
        self.pop_fblock();
        self.pop_handler();
        r?;
        self.stmts(orelse)?;
        self.emit_jump(Instr::Jump, end);

        self.bind_handler(except, d);
        let d1 = self.push_handler(cleanup);
        self.emit(Instr::PushExcInfo);
        self.push_fblock(FBlock::ExceptionHandler);
        for h in handlers {
            self.set_span(h.span);
            let next = self.new_label();
            if let Some(t) = &h.typ {
                self.expr(t)?;
                self.set_span(h.span);
                self.emit(Instr::CheckExcMatch);
                self.emit_jump(Instr::PopJumpIfFalse, next);
            }
            match &h.name {
                Some(name) => {
                    self.store_name(name);
                    let cleanup_body = self.new_label();
                    let db = self.push_handler(cleanup_body);
                    self.push_fblock(FBlock::HandlerCleanup {
                        name: Some(name.clone()),
                    });
                    let r = self.stmts(&h.body);
                    self.pop_fblock();
                    self.pop_handler();
                    r?;
                    self.emit(Instr::PopExcept);
                    self.emit(Instr::LoadConst(0));
                    self.store_name(name);
                    self.delete_name(name);
                    self.emit_jump(Instr::Jump, end);
                    self.bind_handler(cleanup_body, db);
                    self.emit(Instr::LoadConst(0));
                    self.store_name(name);
                    self.delete_name(name);
                    self.emit(Instr::Reraise);
                }
                None => {
                    self.emit(Instr::PopTop);
                    self.push_fblock(FBlock::HandlerCleanup { name: None });
                    let r = self.stmts(&h.body);
                    self.pop_fblock();
                    r?;
                    self.emit(Instr::PopExcept);
                    self.emit_jump(Instr::Jump, end);
                }
            }
            self.bind(next);
        }
        self.pop_fblock();
        self.emit(Instr::Reraise);
        self.pop_handler();
        self.bind_handler(cleanup, d1);
        self.pop_except_and_reraise();
        self.bind(end);
        Ok(())
    }

    fn try_finally(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) -> R {
        let fin_exc = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        let d = self.push_handler(fin_exc);
        self.push_fblock(FBlock::FinallyTry { body: finalbody });
        let r = if handlers.is_empty() {
            self.stmts(body).and_then(|_| self.stmts(orelse))
        } else {
            self.try_except(body, handlers, orelse)
        };
        self.pop_fblock();
        self.pop_handler();
        r?;
        self.stmts(finalbody)?;
        self.emit_jump(Instr::Jump, end);

        self.bind_handler(fin_exc, d);
        let d1 = self.push_handler(cleanup);
        self.emit(Instr::PushExcInfo);
        self.push_fblock(FBlock::FinallyEnd);
        let r = self.stmts(finalbody);
        self.pop_fblock();
        r?;
        self.emit(Instr::Reraise);
        self.pop_handler();
        self.bind_handler(cleanup, d1);
        self.pop_except_and_reraise();
        self.bind(end);
        Ok(())
    }

    pub(crate) fn store_target(&mut self, t: &'a Expr) -> R {
        let saved = self.span();
        self.set_span(t.span);
        match &t.kind {
            ExprKind::Name(n) => self.store_name(n),
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                let ni = self.add_name(attr);
                self.set_span(t.span);
                self.emit(Instr::StoreAttr(ni));
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.set_span(t.span);
                self.emit(Instr::StoreSubscr);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let star = items
                    .iter()
                    .position(|e| matches!(e.kind, ExprKind::Starred(_)));
                match star {
                    Some(i) => {
                        if items[i + 1..]
                            .iter()
                            .any(|e| matches!(e.kind, ExprKind::Starred(_)))
                        {
                            return Err(SyntaxError::new(
                                "multiple starred expressions in assignment",
                                t.span,
                            ));
                        }
                        let after = items.len() - i - 1;
                        if i > 255 || after > (i32::MAX as usize) {
                            return Err(SyntaxError::new(
                                "too many expressions in star-unpacking assignment",
                                t.span,
                            ));
                        }
                        self.emit(Instr::UnpackEx(i as u16, after as u16));
                    }
                    None => self.emit(Instr::UnpackSequence(items.len() as u32)),
                }
                for item in items {
                    match &item.kind {
                        ExprKind::Starred(inner) => self.store_target(inner)?,
                        _ => self.store_target(item)?,
                    }
                }
            }
            ExprKind::Starred(_) => {
                return Err(SyntaxError::new(
                    "starred assignment target must be in a list or tuple",
                    t.span,
                ))
            }
            _ => return Err(SyntaxError::new("cannot assign to expression", t.span)),
        }
        self.set_span(saved);
        Ok(())
    }

    fn delete_target(&mut self, t: &'a Expr) -> R {
        self.set_span(t.span);
        match &t.kind {
            ExprKind::Name(n) => self.delete_name(n),
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                let ni = self.add_name(attr);
                self.set_span(t.span);
                self.emit(Instr::DeleteAttr(ni));
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.set_span(t.span);
                self.emit(Instr::DeleteSubscr);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.delete_target(i)?;
                }
            }
            _ => return Err(SyntaxError::new("cannot delete expression", t.span)),
        }
        Ok(())
    }

    fn import_from(&mut self, module: Option<&str>, names: &'a [Alias], level: u32) -> R {
        self.emit(Instr::LoadSmallInt(level as i32));
        let items: Vec<crate::vm::value::Value> =
            names.iter().map(|a| self.str_const(&a.name)).collect();
        let fromlist = self.vm.new_tuple(items);
        self.load_const(fromlist);
        let ni = self.add_name(module.unwrap_or(""));
        self.emit(Instr::ImportName(ni));
        if names.len() == 1 && names[0].name == "*" {
            self.emit(Instr::ImportStar);
            return Ok(());
        }
        for a in names {
            self.set_span(a.span);
            let ai = self.add_name(&a.name);
            self.emit(Instr::ImportFrom(ai));
            self.store_name(a.asname.as_ref().unwrap_or(&a.name));
        }
        self.emit(Instr::PopTop);
        Ok(())
    }

    /// Qualified name for a definition named `name` in the current unit.
    pub(crate) fn qualname_for(&self, name: &str) -> String {
        let u = self.unit_ref();
        let scope = &self.table.scopes[u.scope];
        match scope.kind {
            ScopeKind::Module => name.to_string(),
            ScopeKind::Class => format!("{}.{}", u.qualname, name),
            _ => format!("{}.<locals>.{}", u.qualname, name),
        }
    }

    /// Emits the closure tuple for child scope `child`, if it has free variables; returns the
    /// MakeFunction flag to add.
    pub(crate) fn emit_closure(&mut self, child: usize) -> u32 {
        let frees = self.table.scopes[child].frees();
        if frees.is_empty() {
            return 0;
        }
        for f in &frees {
            let slot = self
                .closure_slot(f)
                .unwrap_or_else(|| panic!("free variable {f} has a slot in the parent"));
            self.emit(Instr::LoadClosure(slot));
        }
        self.emit(Instr::BuildTuple(frees.len() as u32));
        8
    }

    /// Defaults, keyword defaults and annotations of a parameter list; returns flags.
    pub(crate) fn emit_arg_defaults(
        &mut self,
        args: &'a Arguments,
        returns: Option<&'a Expr>,
        annotate: bool,
    ) -> Result<u32, SyntaxError> {
        let mut flags = 0;
        if !args.defaults.is_empty() {
            for d in &args.defaults {
                self.expr(d)?;
            }
            self.emit(Instr::BuildTuple(args.defaults.len() as u32));
            flags |= 1;
        }
        let kw: Vec<(&Arg, &Expr)> = args
            .kwonly
            .iter()
            .zip(&args.kw_defaults)
            .filter_map(|(a, d)| d.as_ref().map(|d| (a, d)))
            .collect();
        if !kw.is_empty() {
            for (a, d) in &kw {
                let k = self.str_const(&a.name);
                self.load_const(k);
                self.expr(d)?;
            }
            self.emit(Instr::BuildMap(kw.len() as u32));
            flags |= 2;
        }
        if annotate {
            let mut n = 0;
            let all = args
                .posonly
                .iter()
                .chain(&args.args)
                .chain(&args.vararg)
                .chain(&args.kwonly)
                .chain(&args.kwarg);
            for a in all {
                if let Some(ann) = &a.annotation {
                    let k = self.str_const(&a.name);
                    self.load_const(k);
                    self.expr(ann)?;
                    n += 1;
                }
            }
            if let Some(r) = returns {
                let k = self.str_const("return");
                self.load_const(k);
                self.expr(r)?;
                n += 1;
            }
            if n > 0 {
                self.emit(Instr::BuildMap(n));
                flags |= 4;
            }
        }
        Ok(flags)
    }

    fn function_def(&mut self, f: &'a FunctionDef, span: crate::source::Span) -> R {
        for d in &f.decorators {
            self.expr(d)?;
            self.emit(Instr::PushNull);
        }
        self.set_span(span);
        let mut flags = self.emit_arg_defaults(&f.args, f.returns.as_ref(), true)?;
        let child = self.table.scope_at(span, tag::FUNCTION);
        let qualname = self.qualname_for(&f.name);
        self.push_unit(
            child,
            f.name.as_str().into(),
            qualname.as_str().into(),
            span,
        );
        let doc = super::docstring(&f.body);
        let body: &'a [Stmt] = if doc.is_some() { &f.body[1..] } else { &f.body };
        self.stmts(body)?;
        self.emit(Instr::LoadConst(0));
        self.emit(Instr::ReturnValue);
        let unit = self.units.pop().expect("function unit");
        let posonly = f.args.posonly.len() as u32;
        let argcount = posonly + f.args.args.len() as u32;
        let mut code = self.finish_unit(unit, argcount, posonly, f.args.kwonly.len() as u32)?;
        code.flags.varargs = f.args.vararg.is_some();
        code.flags.varkeywords = f.args.kwarg.is_some();
        // `plain` was decided before the star parameters were known.
        code.plain &= !code.flags.varargs && !code.flags.varkeywords;
        if let Some(d) = doc {
            code.doc = self.vm.new_str(d);
        }
        flags |= self.emit_closure(child);
        self.set_span(span);
        let cv = self.vm.new_code(code);
        self.load_const(cv);
        self.emit(Instr::MakeFunction(flags));
        for _ in &f.decorators {
            self.emit(Instr::Call(1));
        }
        self.store_name(&f.name);
        Ok(())
    }

    fn class_def(&mut self, c: &'a ClassDef, span: crate::source::Span) -> R {
        for d in &c.decorators {
            self.expr(d)?;
            self.emit(Instr::PushNull);
        }
        self.set_span(span);
        let child = self.table.scope_at(span, tag::CLASS);
        let qualname = self.qualname_for(&c.name);
        self.push_unit(
            child,
            c.name.as_str().into(),
            qualname.as_str().into(),
            span,
        );
        let name_i = self.add_name("__name__");
        self.emit(Instr::LoadGlobal(name_i));
        self.store_name("__module__");
        let q = self.vm.new_str(qualname.clone());
        self.load_const(q);
        self.store_name("__qualname__");
        if has_annotations(&c.body) {
            self.emit(Instr::SetupAnnotations);
        }
        self.body_with_docstring(&c.body, true)?;
        if self.table.scopes[child].needs_class_cell {
            let slot = self
                .closure_slot("__class__")
                .expect("class cell has a slot");
            self.emit(Instr::LoadClosure(slot));
            self.store_name("__classcell__");
        }
        self.emit(Instr::LoadConst(0));
        self.emit(Instr::ReturnValue);
        let unit = self.units.pop().expect("class unit");
        let code = self.finish_unit(unit, 0, 0, 0)?;
        let flags = self.emit_closure(child);
        self.set_span(span);
        let cv = self.vm.new_code(code);
        self.load_const(cv);
        self.emit(Instr::MakeFunction(flags));
        let name = self.str_const(&c.name);
        self.load_const(name);
        for b in &c.bases {
            if let ExprKind::Starred(_) = b.kind {
                return Err(SyntaxError::new(
                    "starred base classes are not supported by Aio",
                    b.span,
                ));
            }
            self.expr(b)?;
        }
        let mut n = c.bases.len() as u32;
        if !c.keywords.is_empty() {
            let names: Vec<crate::vm::value::Value> = c
                .keywords
                .iter()
                .map(|k| self.str_const(k.arg.as_deref().unwrap_or("**")))
                .collect();
            for k in &c.keywords {
                self.expr(&k.value)?;
            }
            let t = self.vm.new_tuple(names);
            self.load_const(t);
            n |= (c.keywords.len() as u32) << 8;
            n |= 1 << 16;
        }
        self.set_span(span);
        self.emit(Instr::BuildClass(n));
        for _ in &c.decorators {
            self.emit(Instr::Call(1));
        }
        self.store_name(&c.name);
        Ok(())
    }
}

enum Step<'a> {
    Loop(Label, Label, bool),
    Nothing,
    Finally(&'a [Stmt]),
    PopExcAndExcept,
    With(bool),
    HandlerCleanup(Option<String>),
    PopValue,
}

/// True when a module or class body contains an annotated simple name at its own level.
pub(crate) fn has_annotations(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::AnnAssign { simple: true, .. } => true,
        StmtKind::If { body, orelse, .. }
        | StmtKind::While { body, orelse, .. }
        | StmtKind::For { body, orelse, .. } => has_annotations(body) || has_annotations(orelse),
        StmtKind::With { body, .. } => has_annotations(body),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            has_annotations(body)
                || handlers.iter().any(|h| has_annotations(&h.body))
                || has_annotations(orelse)
                || has_annotations(finalbody)
        }
        _ => false,
    })
}
