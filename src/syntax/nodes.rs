//! AST construction for the grammar's actions, and the checks that need a precise span
//! (targets, annotations, literals). The grammar stays a list of shapes; anything that can
//! fail with a CPython message lives here.
//!
//! Invariant: every builder either returns a node that satisfies `ast`'s documented shapes
//! or an error carrying CPython 3.11's message and span.

use lalrpop_util::ParseError;

use super::ast::{
    Alias, BinOp, BoolOp, CmpOp, Comprehension, Constant, ExceptHandler, Expr, ExprKind, Stmt,
    StmtKind, UnaryOp, WithItem,
};
use super::error::{SyntaxError, SyntaxErrorKind};
use super::literal::{self, LitError, NumLit};
use super::targets::{self, Ctx};
use super::token::Tok;
use crate::source::Span;

/// What the single start rule produced.
#[derive(Debug)]
pub enum Top {
    /// Statements of a file, one entry per logical line or compound statement.
    Module(Vec<Vec<Stmt>>),
    /// The same for REPL input (mod.rs enforces "one statement").
    Interactive(Vec<Vec<Stmt>>),
    Expression(Expr),
}

/// The parser's user error.
#[derive(Clone, Debug, PartialEq)]
pub enum PErr {
    /// A located error found by the parser or an action.
    Syntax(SyntaxError),
    /// The error that ended the token stream (the parser read that far).
    Lex(SyntaxError),
    /// An error CPython reports at the token following byte offset `.1` (string literal
    /// errors found while the parser looked ahead past the literals).
    AtNextToken(String, usize),
}

/// The parse error type of the generated parser.
pub type PError<'a> = ParseError<usize, Tok<'a>, PErr>;
/// Result of a fallible grammar action.
pub type PResult<'a, T> = Result<T, PError<'a>>;

/// Wraps a located error for LALRPOP.
pub fn fail<'a, T>(e: SyntaxError) -> PResult<'a, T> {
    Err(ParseError::User {
        error: PErr::Syntax(e),
    })
}

fn lift<'a, T>(r: Result<T, SyntaxError>) -> PResult<'a, T> {
    r.map_err(|e| ParseError::User {
        error: PErr::Syntax(e),
    })
}

/// Span from two byte offsets.
pub fn sp(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

/// An expression node.
pub fn ex(l: usize, r: usize, kind: ExprKind) -> Expr {
    Expr::new(sp(l, r), kind)
}

/// A statement node.
pub fn st(l: usize, r: usize, kind: StmtKind) -> Stmt {
    Stmt::new(sp(l, r), kind)
}

/// Elements of a bracketed display: a comprehension or a comma list (with a flag for a
/// trailing comma).
pub enum Elems {
    Comp(Expr, Vec<Comprehension>),
    List(Vec<Expr>, bool),
}

/// Contents of `{...}`.
pub enum DictSet {
    Dict(Vec<(Option<Expr>, Expr)>),
    DictComp(Expr, Expr, Vec<Comprehension>),
    Set(Vec<Expr>),
    SetComp(Expr, Vec<Comprehension>),
}

/// Whether the source text around `e` is `( e )` (CPython keeps no node for a group).
pub fn parenthesized(src: &str, e: &Expr) -> bool {
    let before = src[..e.span.lo as usize].trim_end();
    let after = src[e.span.hi as usize..].trim_start();
    before.ends_with('(') && after.starts_with(')')
}

/// Whether a Tuple node was written with its own parentheses (`(a, b)`) rather than bare
/// (`a, b`, whose first element may itself be a group such as `(a), b`).
pub fn tuple_parenthesized(src: &str, t: &Expr) -> bool {
    let ExprKind::Tuple(elts) = &t.kind else {
        return false;
    };
    let Some(first) = elts.first() else {
        return true;
    };
    let before = &src[t.span.lo as usize..first.span.lo as usize];
    let opens = before.bytes().filter(|&b| b == b'(').count();
    let after = &src[first.span.hi as usize..t.span.hi as usize];
    let closes = after
        .bytes()
        .take_while(|&b| b != b',')
        .filter(|&b| b == b')')
        .count();
    opens > closes
}

/// `a, b` without brackets, or a single element.
pub fn tuple_or_single(elts: (Vec<Expr>, bool), l: usize, r: usize) -> Expr {
    let (mut v, trailing) = elts;
    if v.len() == 1 && !trailing {
        return v.pop().expect("one element");
    }
    ex(l, r, ExprKind::Tuple(v))
}

/// `( ... )`: empty tuple, group, tuple or generator expression.
pub fn paren<'a>(c: Option<Elems>, l: usize, r: usize) -> PResult<'a, Expr> {
    match c {
        None => Ok(ex(l, r, ExprKind::Tuple(vec![]))),
        Some(Elems::Comp(elt, generators)) => {
            check_comp_elt(&elt)?;
            Ok(ex(l, r, genexp(elt, generators)))
        }
        Some(Elems::List(mut v, false)) if v.len() == 1 => {
            let e = v.pop().expect("one element");
            if let ExprKind::Starred(_) = e.kind {
                return fail(SyntaxError::new(
                    "cannot use starred expression here",
                    e.span,
                ));
            }
            Ok(e)
        }
        Some(Elems::List(v, _)) => Ok(ex(l, r, ExprKind::Tuple(v))),
    }
}

/// A starred element cannot start a comprehension.
fn check_comp_elt<'a>(elt: &Expr) -> PResult<'a, ()> {
    if let ExprKind::Starred(_) = elt.kind {
        let msg = "iterable unpacking cannot be used in comprehension";
        return fail(SyntaxError::new(msg, elt.span));
    }
    Ok(())
}

fn genexp(elt: Expr, generators: Vec<Comprehension>) -> ExprKind {
    ExprKind::GeneratorExp {
        elt: Box::new(elt),
        generators,
    }
}

/// The index of a subscript: one element, or a tuple (`a[1, 2]`, `a[*b]`).
pub fn index(v: (Vec<Expr>, bool), l: usize, r: usize) -> Expr {
    let (mut elts, trailing) = v;
    if elts.len() == 1 && !trailing && !matches!(elts[0].kind, ExprKind::Starred(_)) {
        return elts.pop().expect("one element");
    }
    ex(l, r, ExprKind::Tuple(elts))
}

/// `lower:upper:step`.
pub fn slice(
    lower: Option<Expr>,
    upper: Option<Expr>,
    step: Option<Option<Expr>>,
    l: usize,
    r: usize,
) -> Expr {
    ex(
        l,
        r,
        ExprKind::Slice {
            lower: lower.map(Box::new),
            upper: upper.map(Box::new),
            step: step.flatten().map(Box::new),
        },
    )
}

/// `[ ... ]`: list display or list comprehension.
pub fn list<'a>(c: Option<Elems>, l: usize, r: usize) -> PResult<'a, Expr> {
    if let Some(Elems::Comp(elt, _)) = &c {
        check_comp_elt(elt)?;
    }
    Ok(match c {
        None => ex(l, r, ExprKind::List(vec![])),
        Some(Elems::Comp(elt, generators)) => ex(
            l,
            r,
            ExprKind::ListComp {
                elt: Box::new(elt),
                generators,
            },
        ),
        Some(Elems::List(v, _)) => ex(l, r, ExprKind::List(v)),
    })
}

/// `{ ... }`.
pub fn dict_or_set<'a>(c: Option<DictSet>, l: usize, r: usize) -> PResult<'a, Expr> {
    if let Some(DictSet::SetComp(elt, _)) = &c {
        check_comp_elt(elt)?;
    }
    let kind = match c {
        None => ExprKind::Dict {
            keys: vec![],
            values: vec![],
        },
        Some(DictSet::Dict(entries)) => {
            let (keys, values) = entries.into_iter().unzip();
            ExprKind::Dict { keys, values }
        }
        Some(DictSet::DictComp(key, value, generators)) => ExprKind::DictComp {
            key: Box::new(key),
            value: Box::new(value),
            generators,
        },
        Some(DictSet::Set(v)) => ExprKind::Set(v),
        Some(DictSet::SetComp(elt, generators)) => ExprKind::SetComp {
            elt: Box::new(elt),
            generators,
        },
    };
    Ok(ex(l, r, kind))
}

/// A number literal; imaginary numbers are outside the subset.
pub fn number<'a>(n: NumLit, l: usize, r: usize) -> PResult<'a, Expr> {
    let c = match n {
        NumLit::Int(v) => Constant::Int(v),
        NumLit::Big(v) => Constant::BigInt(v),
        NumLit::Float(v) => Constant::Float(v),
        NumLit::Imaginary => {
            return fail(
                SyntaxError::new(
                    "complex numbers are not supported by Aio (imaginary literal)",
                    sp(l, r),
                )
                .hint("Aio has int and float, but no complex type"),
            )
        }
    };
    Ok(ex(l, r, ExprKind::Constant(c)))
}

/// Adjacent string literals.
pub fn strings<'a>(src: &str, parts: Vec<(usize, &str)>, l: usize, r: usize) -> PResult<'a, Expr> {
    literal::concat(src, &parts, sp(l, r)).map_err(|e| ParseError::User {
        error: match e {
            LitError::AtNextToken(msg) => PErr::AtNextToken(msg, r),
            LitError::Field(mut err) => {
                if !err.msg.starts_with("f-string") && err.kind == SyntaxErrorKind::SyntaxError {
                    err.msg = format!("f-string: {}", err.msg);
                }
                PErr::Syntax(err)
            }
            LitError::At(err) => PErr::Syntax(err),
        },
    })
}

/// `left op right`.
pub fn binop(l: usize, left: Expr, op: BinOp, right: Expr, r: usize) -> Expr {
    ex(
        l,
        r,
        ExprKind::BinOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        },
    )
}

/// `op operand`.
pub fn unary(l: usize, op: UnaryOp, operand: Expr, r: usize) -> Expr {
    ex(
        l,
        r,
        ExprKind::UnaryOp {
            op,
            operand: Box::new(operand),
        },
    )
}

/// `a and b and c` / `a or b`.
pub fn boolop(l: usize, op: BoolOp, first: Expr, rest: Vec<Expr>, r: usize) -> Expr {
    let mut values = Vec::with_capacity(rest.len() + 1);
    values.push(first);
    values.extend(rest);
    ex(l, r, ExprKind::BoolOp { op, values })
}

/// A comparison chain.
pub fn compare(l: usize, left: Expr, rest: Vec<(CmpOp, Expr)>, r: usize) -> Expr {
    let (ops, comparators) = rest.into_iter().unzip();
    ex(
        l,
        r,
        ExprKind::Compare {
            left: Box::new(left),
            ops,
            comparators,
        },
    )
}

/// `target := value`.
pub fn named_expr<'a>(target: Expr, value: Expr, l: usize, r: usize) -> PResult<'a, Expr> {
    if !matches!(target.kind, ExprKind::Name(_)) {
        let msg = format!(
            "cannot use assignment expressions with {}",
            targets::expr_name(&target)
        );
        return fail(SyntaxError::new(msg, target.span));
    }
    Ok(ex(
        l,
        r,
        ExprKind::NamedExpr {
            target: Box::new(target),
            value: Box::new(value),
        },
    ))
}

/// One `for ... in ... if ...` clause; the target is checked like an assignment target.
pub fn comprehension<'a>(
    is_async: bool,
    target: Expr,
    iter: Expr,
    ifs: Vec<Expr>,
) -> PResult<'a, Comprehension> {
    lift(targets::check_store(&target))?;
    Ok(Comprehension {
        target,
        iter,
        ifs,
        is_async,
    })
}

/// An expression statement (`*a` alone is left for the compiler, as in CPython).
pub fn expr_stmt(e: Expr, l: usize, r: usize) -> Stmt {
    st(l, r, StmtKind::Expr(e))
}

/// Whether the text at `pos` starts something CPython's `bitwise_or` can parse.
fn starts_bitwise_or(src: &str, pos: usize) -> bool {
    let rest = &src[pos..];
    if rest.starts_with('*') {
        return false;
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    !matches!(word.as_str(), "not" | "lambda" | "yield")
}

/// Whether CPython's grammar sees `e` as a `bitwise_or` that is not a list, tuple,
/// generator expression or `True`/`False`/`None` (its "Maybe you meant '=='" rule).
fn here_candidate(src: &str, e: &Expr) -> bool {
    let parens = parenthesized(src, e);
    match &e.kind {
        ExprKind::List(_) | ExprKind::Tuple(_) | ExprKind::GeneratorExp { .. } => false,
        ExprKind::Constant(Constant::Bool(_) | Constant::None) => false,
        ExprKind::BoolOp { .. }
        | ExprKind::Compare { .. }
        | ExprKind::IfExp { .. }
        | ExprKind::Lambda { .. }
        | ExprKind::NamedExpr { .. }
        | ExprKind::Starred(_)
        | ExprKind::Yield(_)
        | ExprKind::YieldFrom(_)
        | ExprKind::UnaryOp {
            op: UnaryOp::Not, ..
        } => parens,
        _ => true,
    }
}

/// `t1 = t2 = ... = value`.
pub fn assign<'a>(
    src: &str,
    first: Expr,
    mut rest: Vec<Expr>,
    l: usize,
    r: usize,
) -> PResult<'a, Stmt> {
    let value = rest.pop().expect("at least one '='");
    let mut targets = Vec::with_capacity(rest.len() + 1);
    targets.push(first);
    targets.extend(rest);
    if targets.len() == 1 && starts_bitwise_or(src, value.span.lo as usize) {
        let t = &targets[0];
        let candidate = match &t.kind {
            ExprKind::Tuple(elts) if !tuple_parenthesized(src, t) && !elts.is_empty() => {
                elts.last().expect("non-empty")
            }
            _ => t,
        };
        if here_candidate(src, candidate)
            && targets::invalid_target(candidate, Ctx::Store).is_some()
        {
            let msg = format!(
                "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                targets::expr_name(candidate)
            );
            return fail(SyntaxError::new(msg, candidate.span));
        }
    }
    for t in &targets {
        if let ExprKind::Yield(_) | ExprKind::YieldFrom(_) = t.kind {
            if !parenthesized(src, t) {
                let msg = "assignment to yield expression not possible";
                return fail(SyntaxError::new(msg, t.span));
            }
        }
        lift(targets::check(t, Ctx::Store))?;
    }
    for t in &targets {
        lift(targets::check_starred(t))?;
    }
    Ok(st(l, r, StmtKind::Assign { targets, value }))
}

/// `target op= value`.
pub fn aug_assign<'a>(
    target: Expr,
    op: BinOp,
    value: Expr,
    l: usize,
    r: usize,
) -> PResult<'a, Stmt> {
    if !matches!(
        target.kind,
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
    ) {
        let msg = format!(
            "'{}' is an illegal expression for augmented assignment",
            targets::expr_name(&target)
        );
        return fail(SyntaxError::new(msg, target.span));
    }
    Ok(st(l, r, StmtKind::AugAssign { target, op, value }))
}

/// `target: annotation [= value]`.
pub fn ann_assign<'a>(
    src: &str,
    target: Expr,
    annotation: Expr,
    value: Option<Expr>,
    l: usize,
    r: usize,
) -> PResult<'a, Stmt> {
    let parens = parenthesized(src, &target);
    match &target.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {}
        ExprKind::Tuple(elts) => {
            let at = if tuple_parenthesized(src, &target) || elts.is_empty() {
                target.span
            } else {
                elts[0].span
            };
            let msg = "only single target (not tuple) can be annotated";
            return fail(SyntaxError::new(msg, at));
        }
        ExprKind::List(_) => {
            let msg = "only single target (not list) can be annotated";
            return fail(SyntaxError::new(msg, target.span));
        }
        _ => {
            return fail(SyntaxError::new(
                "illegal target for annotation",
                target.span,
            ))
        }
    }
    let simple = matches!(target.kind, ExprKind::Name(_)) && !parens;
    Ok(st(
        l,
        r,
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            simple,
        },
    ))
}

/// `del a, b`.
pub fn delete<'a>(targets: Vec<Expr>, l: usize, r: usize) -> PResult<'a, Stmt> {
    for t in &targets {
        lift(targets::check(t, Ctx::Del))?;
    }
    Ok(st(l, r, StmtKind::Delete(targets)))
}

/// A target after `for` or `as`.
pub fn store_target<'a>(t: Expr) -> PResult<'a, Expr> {
    lift(targets::check_store(&t))?;
    Ok(t)
}

/// The end of a compound statement: the end of its last body statement.
fn end_of(body: &[Stmt], fallback: usize) -> usize {
    body.last().map_or(fallback, |s| s.span.hi as usize)
}

/// `if test: body` with its `elif` chain and `else`.
pub fn if_stmt(
    l: usize,
    test: Expr,
    body: Vec<Stmt>,
    elifs: Vec<(usize, Expr, Vec<Stmt>)>,
    orelse: Option<Vec<Stmt>>,
) -> Stmt {
    let mut orelse = orelse.unwrap_or_default();
    for (el, etest, ebody) in elifs.into_iter().rev() {
        let hi = end_of(&orelse, end_of(&ebody, el));
        let hi = hi.max(end_of(&ebody, el));
        let node = st(
            el,
            hi,
            StmtKind::If {
                test: etest,
                body: ebody,
                orelse,
            },
        );
        orelse = vec![node];
    }
    let hi = end_of(&orelse, end_of(&body, l)).max(end_of(&body, l));
    st(l, hi, StmtKind::If { test, body, orelse })
}

/// `while test: body [else: orelse]`.
pub fn while_stmt(l: usize, test: Expr, body: Vec<Stmt>, orelse: Option<Vec<Stmt>>) -> Stmt {
    let orelse = orelse.unwrap_or_default();
    let hi = end_of(&orelse, end_of(&body, l)).max(end_of(&body, l));
    st(l, hi, StmtKind::While { test, body, orelse })
}

/// `[async] for target in iter: body [else: orelse]`.
pub fn for_stmt<'a>(
    l: usize,
    is_async: bool,
    target: Expr,
    iter: Expr,
    body: Vec<Stmt>,
    orelse: Option<Vec<Stmt>>,
) -> PResult<'a, Stmt> {
    lift(targets::check_store(&target))?;
    let orelse = orelse.unwrap_or_default();
    let hi = end_of(&orelse, end_of(&body, l)).max(end_of(&body, l));
    Ok(st(
        l,
        hi,
        StmtKind::For {
            is_async,
            target,
            iter,
            body,
            orelse,
        },
    ))
}

/// `try` with handlers, `else` and `finally`.
pub fn try_stmt(
    l: usize,
    body: Vec<Stmt>,
    handlers: Vec<ExceptHandler>,
    orelse: Option<Vec<Stmt>>,
    finalbody: Option<Vec<Stmt>>,
) -> Stmt {
    let orelse = orelse.unwrap_or_default();
    let finalbody = finalbody.unwrap_or_default();
    let mut hi = end_of(&body, l);
    if let Some(h) = handlers.last() {
        hi = hi.max(end_of(&h.body, h.span.hi as usize));
    }
    hi = hi.max(end_of(&orelse, hi)).max(end_of(&finalbody, hi));
    st(
        l,
        hi,
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        },
    )
}

/// `with items: body`.
pub fn with_stmt(l: usize, is_async: bool, items: Vec<WithItem>, body: Vec<Stmt>) -> Stmt {
    let hi = end_of(&body, l);
    st(
        l,
        hi,
        StmtKind::With {
            is_async,
            items,
            body,
        },
    )
}

/// `from ... import ...` with a bare trailing comma is rejected where CPython rejects it.
pub fn trailing_import_comma<'a, T>(r: usize) -> PResult<'a, T> {
    Err(ParseError::User {
        error: PErr::AtNextToken(
            "trailing comma not allowed without surrounding parentheses".into(),
            r,
        ),
    })
}

/// `import a.b as c`-style alias.
pub fn alias(name: String, asname: Option<String>, l: usize, r: usize) -> Alias {
    Alias {
        name,
        asname,
        span: sp(l, r),
    }
}

/// Applies decorators to a `def` or `class` statement.
pub fn decorate(decorators: Vec<Expr>, mut s: Stmt) -> Stmt {
    match &mut s.kind {
        StmtKind::FunctionDef(f) => f.decorators = decorators,
        StmtKind::ClassDef(c) => c.decorators = decorators,
        _ => unreachable!("the grammar only decorates def and class"),
    }
    s
}

/// Ends of a compound statement body, for `def`/`class`.
pub fn body_end(body: &[Stmt], fallback: usize) -> usize {
    end_of(body, fallback)
}
