//! The nesting limit. CPython refuses expressions nested about 3000 deep with
//! "RecursionError: maximum recursion depth exceeded during compilation" (1000 deep always
//! works); Aio draws the line at `MAX_DEPTH` nested nodes, so that the compiler and anything
//! else that recurses over an accepted tree stays well inside the Rust stack.
//!
//! Invariant: nothing here recurses. The depth is measured with an explicit stack, and a
//! rejected tree is torn down node by node, so even a tree thousands of levels deep (built
//! from a long operator chain such as `- - - ... 1`) is dropped without touching the stack.

use super::ast::{Arguments, Comprehension, Expr, ExprKind, Stmt, StmtKind};
use super::error::{SyntaxError, SyntaxErrorKind};
use super::nodes::Top;

/// Deepest accepted nesting of statements and expressions (between CPython's safe 1000 and
/// its failing 3000).
pub const MAX_DEPTH: usize = 2000;

enum Node<'a> {
    S(&'a Stmt),
    E(&'a Expr),
}

/// Rejects a tree nested deeper than `MAX_DEPTH`.
pub fn check(top: Top) -> Result<Top, SyntaxError> {
    let mut stack: Vec<(Node, usize)> = Vec::new();
    match &top {
        Top::Module(lines) | Top::Interactive(lines) => {
            stack.extend(lines.iter().flatten().map(|s| (Node::S(s), 1)));
        }
        Top::Expression(e) => stack.push((Node::E(e), 1)),
    }
    let mut too_deep = None;
    let mut kids: Vec<Node> = Vec::new();
    while let Some((node, d)) = stack.pop() {
        if d > MAX_DEPTH {
            too_deep = Some(match node {
                Node::S(s) => s.span,
                Node::E(e) => e.span,
            });
            break;
        }
        match node {
            Node::S(s) => stmt_children(s, &mut kids),
            Node::E(e) => expr_children(e, &mut kids),
        }
        stack.extend(kids.drain(..).map(|k| (k, d + 1)));
    }
    drop(stack);
    let Some(span) = too_deep else {
        return Ok(top);
    };
    teardown(top);
    Err(SyntaxError::with_kind(
        SyntaxErrorKind::RecursionError,
        "maximum recursion depth exceeded during compilation",
        span,
    ))
}

fn args_children<'a>(a: &'a Arguments, out: &mut Vec<Node<'a>>) {
    let params = a.posonly.iter().chain(&a.args).chain(&a.vararg);
    let params = params.chain(&a.kwonly).chain(&a.kwarg);
    out.extend(params.filter_map(|p| p.annotation.as_ref()).map(Node::E));
    out.extend(a.defaults.iter().map(Node::E));
    out.extend(a.kw_defaults.iter().flatten().map(Node::E));
}

fn comp_children<'a>(gens: &'a [Comprehension], out: &mut Vec<Node<'a>>) {
    for g in gens {
        out.push(Node::E(&g.target));
        out.push(Node::E(&g.iter));
        out.extend(g.ifs.iter().map(Node::E));
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    use ExprKind as K;
    match &e.kind {
        K::BoolOp { values, .. } => out.extend(values.iter().map(Node::E)),
        K::NamedExpr { target, value } => out.extend([Node::E(target), Node::E(value)]),
        K::BinOp { left, right, .. } => out.extend([Node::E(left), Node::E(right)]),
        K::UnaryOp { operand, .. } => out.push(Node::E(operand)),
        K::Lambda { args, body } => {
            args_children(args, out);
            out.push(Node::E(body));
        }
        K::IfExp { test, body, orelse } => {
            out.extend([Node::E(test), Node::E(body), Node::E(orelse)]);
        }
        K::Dict { keys, values } => {
            out.extend(keys.iter().flatten().map(Node::E));
            out.extend(values.iter().map(Node::E));
        }
        K::Set(v) | K::List(v) | K::Tuple(v) | K::JoinedStr(v) => {
            out.extend(v.iter().map(Node::E));
        }
        K::ListComp { elt, generators }
        | K::SetComp { elt, generators }
        | K::GeneratorExp { elt, generators } => {
            out.push(Node::E(elt));
            comp_children(generators, out);
        }
        K::DictComp {
            key,
            value,
            generators,
        } => {
            out.extend([Node::E(key), Node::E(value)]);
            comp_children(generators, out);
        }
        K::Await(v) | K::YieldFrom(v) | K::Starred(v) => out.push(Node::E(v)),
        K::Yield(v) => out.extend(v.iter().map(|v| Node::E(v))),
        K::Compare {
            left, comparators, ..
        } => {
            out.push(Node::E(left));
            out.extend(comparators.iter().map(Node::E));
        }
        K::Call {
            func,
            args,
            keywords,
        } => {
            out.push(Node::E(func));
            out.extend(args.iter().map(Node::E));
            out.extend(keywords.iter().map(|k| Node::E(&k.value)));
        }
        K::FormattedValue {
            value, format_spec, ..
        } => {
            out.push(Node::E(value));
            out.extend(format_spec.iter().map(|v| Node::E(v)));
        }
        K::Attribute { value, .. } => out.push(Node::E(value)),
        K::Subscript { value, slice } => out.extend([Node::E(value), Node::E(slice)]),
        K::Slice { lower, upper, step } => {
            let parts = [lower, upper, step];
            out.extend(parts.into_iter().flatten().map(|v| Node::E(v)));
        }
        K::Constant(_) | K::Name(_) => {}
    }
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    use StmtKind as K;
    let block = |b: &'a [Stmt], out: &mut Vec<Node<'a>>| out.extend(b.iter().map(Node::S));
    match &s.kind {
        K::Expr(e) | K::Return(Some(e)) => out.push(Node::E(e)),
        K::Return(None) | K::Pass | K::Break | K::Continue => {}
        K::Global(_) | K::Nonlocal(_) | K::Import(_) | K::ImportFrom { .. } => {}
        K::Assign { targets, value } => {
            out.extend(targets.iter().map(Node::E));
            out.push(Node::E(value));
        }
        K::AugAssign { target, value, .. } => out.extend([Node::E(target), Node::E(value)]),
        K::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            out.extend([Node::E(target), Node::E(annotation)]);
            out.extend(value.iter().map(Node::E));
        }
        K::If { test, body, orelse } | K::While { test, body, orelse } => {
            out.push(Node::E(test));
            block(body, out);
            block(orelse, out);
        }
        K::For {
            target,
            iter,
            body,
            orelse,
            ..
        } => {
            out.extend([Node::E(target), Node::E(iter)]);
            block(body, out);
            block(orelse, out);
        }
        K::With { items, body, .. } => {
            for item in items {
                out.push(Node::E(&item.context));
                out.extend(item.target.iter().map(Node::E));
            }
            block(body, out);
        }
        K::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            block(body, out);
            for h in handlers {
                out.extend(h.typ.iter().map(Node::E));
                block(&h.body, out);
            }
            block(orelse, out);
            block(finalbody, out);
        }
        K::Raise { exc, cause } => out.extend(exc.iter().chain(cause).map(Node::E)),
        K::FunctionDef(f) => {
            args_children(&f.args, out);
            out.extend(f.decorators.iter().chain(&f.returns).map(Node::E));
            block(&f.body, out);
        }
        K::ClassDef(c) => {
            out.extend(c.bases.iter().chain(&c.decorators).map(Node::E));
            out.extend(c.keywords.iter().map(|k| Node::E(&k.value)));
            block(&c.body, out);
        }
        K::Delete(v) => out.extend(v.iter().map(Node::E)),
        K::Assert { test, msg } => {
            out.push(Node::E(test));
            out.extend(msg.iter().map(Node::E));
        }
    }
}

/// Drops a tree of any depth without recursion: every node's children are moved to a work
/// list before the node itself is dropped, so each drop sees only leaves.
pub fn teardown(top: Top) {
    let mut exprs: Vec<Expr> = Vec::new();
    let mut stmts: Vec<Stmt> = Vec::new();
    match top {
        Top::Module(lines) | Top::Interactive(lines) => stmts.extend(lines.into_iter().flatten()),
        Top::Expression(e) => exprs.push(e),
    }
    loop {
        if let Some(s) = stmts.pop() {
            take_stmt(s, &mut exprs, &mut stmts);
        } else if let Some(e) = exprs.pop() {
            take_expr(e, &mut exprs);
        } else {
            break;
        }
    }
}

fn take_args(a: Arguments, out: &mut Vec<Expr>) {
    let Arguments {
        posonly,
        args,
        vararg,
        kwonly,
        kw_defaults,
        kwarg,
        defaults,
    } = a;
    let params = posonly.into_iter().chain(args).chain(vararg);
    let params = params.chain(kwonly).chain(kwarg);
    out.extend(params.filter_map(|p| p.annotation));
    out.extend(defaults);
    out.extend(kw_defaults.into_iter().flatten());
}

fn take_comps(gens: Vec<Comprehension>, out: &mut Vec<Expr>) {
    for g in gens {
        out.push(g.target);
        out.push(g.iter);
        out.extend(g.ifs);
    }
}

fn take_expr(e: Expr, out: &mut Vec<Expr>) {
    use ExprKind as K;
    match e.kind {
        K::BoolOp { values, .. } => out.extend(values),
        K::NamedExpr { target, value } => out.extend([*target, *value]),
        K::BinOp { left, right, .. } => out.extend([*left, *right]),
        K::UnaryOp { operand, .. } => out.push(*operand),
        K::Lambda { args, body } => {
            take_args(*args, out);
            out.push(*body);
        }
        K::IfExp { test, body, orelse } => out.extend([*test, *body, *orelse]),
        K::Dict { keys, values } => {
            out.extend(keys.into_iter().flatten());
            out.extend(values);
        }
        K::Set(v) | K::List(v) | K::Tuple(v) | K::JoinedStr(v) => out.extend(v),
        K::ListComp { elt, generators }
        | K::SetComp { elt, generators }
        | K::GeneratorExp { elt, generators } => {
            out.push(*elt);
            take_comps(generators, out);
        }
        K::DictComp {
            key,
            value,
            generators,
        } => {
            out.extend([*key, *value]);
            take_comps(generators, out);
        }
        K::Await(v) | K::YieldFrom(v) | K::Starred(v) => out.push(*v),
        K::Yield(v) => out.extend(v.map(|v| *v)),
        K::Compare {
            left, comparators, ..
        } => {
            out.push(*left);
            out.extend(comparators);
        }
        K::Call {
            func,
            args,
            keywords,
        } => {
            out.push(*func);
            out.extend(args);
            out.extend(keywords.into_iter().map(|k| k.value));
        }
        K::FormattedValue {
            value, format_spec, ..
        } => {
            out.push(*value);
            out.extend(format_spec.map(|v| *v));
        }
        K::Attribute { value, .. } => out.push(*value),
        K::Subscript { value, slice } => out.extend([*value, *slice]),
        K::Slice { lower, upper, step } => {
            out.extend([lower, upper, step].into_iter().flatten().map(|v| *v));
        }
        K::Constant(_) | K::Name(_) => {}
    }
}

fn take_stmt(s: Stmt, exprs: &mut Vec<Expr>, stmts: &mut Vec<Stmt>) {
    use StmtKind as K;
    match s.kind {
        K::Expr(e) | K::Return(Some(e)) => exprs.push(e),
        K::Assign { targets, value } => {
            exprs.extend(targets);
            exprs.push(value);
        }
        K::AugAssign { target, value, .. } => exprs.extend([target, value]),
        K::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            exprs.extend([target, annotation]);
            exprs.extend(value);
        }
        K::If { test, body, orelse } | K::While { test, body, orelse } => {
            exprs.push(test);
            stmts.extend(body.into_iter().chain(orelse));
        }
        K::For {
            target,
            iter,
            body,
            orelse,
            ..
        } => {
            exprs.extend([target, iter]);
            stmts.extend(body.into_iter().chain(orelse));
        }
        K::With { items, body, .. } => {
            for item in items {
                exprs.push(item.context);
                exprs.extend(item.target);
            }
            stmts.extend(body);
        }
        K::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            stmts.extend(body);
            for h in handlers {
                exprs.extend(h.typ);
                stmts.extend(h.body);
            }
            stmts.extend(orelse.into_iter().chain(finalbody));
        }
        K::Raise { exc, cause } => exprs.extend(exc.into_iter().chain(cause)),
        K::FunctionDef(f) => {
            let f = *f;
            take_args(f.args, exprs);
            exprs.extend(f.decorators.into_iter().chain(f.returns));
            stmts.extend(f.body);
        }
        K::ClassDef(c) => {
            let c = *c;
            exprs.extend(c.bases.into_iter().chain(c.decorators));
            exprs.extend(c.keywords.into_iter().map(|k| k.value));
            stmts.extend(c.body);
        }
        K::Delete(v) => exprs.extend(v),
        K::Assert { test, msg } => {
            exprs.push(test);
            exprs.extend(msg);
        }
        K::Return(None) | K::Pass | K::Break | K::Continue => {}
        K::Global(_) | K::Nonlocal(_) | K::Import(_) | K::ImportFrom { .. } => {}
    }
}
