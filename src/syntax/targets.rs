//! Assignment, deletion and other target validation, with CPython 3.11's messages.
//!
//! The grammar parses targets as ordinary expressions; everything here decides whether such
//! an expression may be assigned to (or deleted) and, if not, which sub-expression CPython
//! blames. Invariant: a target accepted here is a Name, Attribute, Subscript, or a
//! Tuple/List of targets with at most one Starred (never a bare Starred).

use super::ast::{Constant, Expr, ExprKind};
use super::error::SyntaxError;

/// What a target is used for (the message verb differs for `del`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ctx {
    /// `=`, `for`, `with ... as`, comprehension `for`.
    Store,
    /// `del`.
    Del,
}

/// CPython's name for an expression kind in error messages (`_PyPegen_get_expr_name`).
pub fn expr_name(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::JoinedStr(_) | ExprKind::FormattedValue { .. } => "f-string expression",
        ExprKind::Constant(c) => match c {
            Constant::None => "None",
            Constant::Bool(false) => "False",
            Constant::Bool(true) => "True",
            Constant::Ellipsis => "ellipsis",
            _ => "literal",
        },
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Slice { .. } => "slice",
    }
}

/// The first sub-expression of `e` that cannot be a target (`_PyPegen_get_invalid_target`).
pub fn invalid_target(e: &Expr, ctx: Ctx) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List(elts) | ExprKind::Tuple(elts) => {
            elts.iter().find_map(|elt| invalid_target(elt, ctx))
        }
        ExprKind::Starred(inner) => match ctx {
            Ctx::Del => Some(e),
            Ctx::Store => invalid_target(inner, ctx),
        },
        ExprKind::Name(_) | ExprKind::Subscript { .. } | ExprKind::Attribute { .. } => None,
        _ => Some(e),
    }
}

/// "cannot assign to X" / "cannot delete X" for the first invalid part of `e`.
pub fn check(e: &Expr, ctx: Ctx) -> Result<(), SyntaxError> {
    if let Some(bad) = invalid_target(e, ctx) {
        let verb = match ctx {
            Ctx::Store => "assign to",
            Ctx::Del => "delete",
        };
        return Err(SyntaxError::new(
            format!("cannot {verb} {}", expr_name(bad)),
            bad.span,
        ));
    }
    Ok(())
}

/// The starred rules CPython's compiler applies to assignment targets: a bare `*x` target
/// and more than one starred element in one tuple or list are errors.
pub fn check_starred(e: &Expr) -> Result<(), SyntaxError> {
    match &e.kind {
        ExprKind::Starred(_) => Err(SyntaxError::new(
            "starred assignment target must be in a list or tuple",
            e.span,
        )),
        ExprKind::Tuple(elts) | ExprKind::List(elts) => check_starred_elts(e, elts),
        _ => Ok(()),
    }
}

fn check_starred_elts(container: &Expr, elts: &[Expr]) -> Result<(), SyntaxError> {
    let mut seen = false;
    for elt in elts {
        match &elt.kind {
            ExprKind::Starred(inner) => {
                if seen {
                    return Err(SyntaxError::new(
                        "multiple starred expressions in assignment",
                        container.span,
                    ));
                }
                seen = true;
                check_starred_inner(inner)?;
            }
            _ => check_starred_inner(elt)?,
        }
    }
    Ok(())
}

fn check_starred_inner(e: &Expr) -> Result<(), SyntaxError> {
    match &e.kind {
        ExprKind::Tuple(elts) | ExprKind::List(elts) => check_starred_elts(e, elts),
        ExprKind::Starred(_) => check_starred(e),
        _ => Ok(()),
    }
}

/// A full store-target check: validity first, then the starred rules.
pub fn check_store(e: &Expr) -> Result<(), SyntaxError> {
    check(e, Ctx::Store)?;
    check_starred(e)
}
