//! Parameter lists (`def`, `lambda`) and call arguments: the grammar collects flat item
//! lists, and this module orders and checks them with CPython 3.11's parse-time messages.
//!
//! Invariant: an `Arguments` built here satisfies `ast::Arguments`' documented shape
//! (defaults align with the tail of posonly ++ args; one kw_default per kwonly parameter).
//! Duplicate parameter names and repeated keywords are compile-time errors in CPython and
//! are left to the compiler.

use super::ast::{Arg, Arguments, ClassDef, Expr, ExprKind, FunctionDef, Keyword, Stmt, StmtKind};
use super::error::SyntaxError;
use super::nodes::{ex, fail, sp, st, PResult};
use super::targets::expr_name;
use crate::source::Span;

/// One item of a parameter list as written.
pub enum Param {
    /// `name[: ann][= default]`; `eq` is the offset of `=`.
    Plain(Arg, Option<(usize, Expr)>),
    /// `*[name[: ann]]` (the span is the `*`), with a default only to reject it.
    Star(Span, Option<Arg>, Option<(usize, Expr)>),
    /// `**name[: ann]`, with a default only to reject it.
    KwStar(Arg, Option<(usize, Expr)>),
    /// `/`.
    Slash(Span),
}

/// One argument of a call as written.
pub enum CallArg {
    Pos(Expr),
    /// A generator expression without its own parentheses.
    Genexp(Expr),
    Star(Expr),
    KwStar(Keyword),
    Kw(Expr, Expr, Span),
}

/// An `Arg` node.
pub fn arg(name: &str, annotation: Option<Expr>, l: usize, r: usize) -> Arg {
    Arg {
        name: name.to_string(),
        span: sp(l, r),
        annotation,
    }
}

fn err<'a, T>(msg: &str, span: Span) -> PResult<'a, T> {
    fail(SyntaxError::new(msg, span))
}

fn eq_span(eq: usize) -> Span {
    Span::new(eq, eq + 1)
}

/// Builds `Arguments` from the items of a parameter list. For a lambda, CPython reports
/// "named arguments must follow bare *" at the token after the `*` (and its comma).
pub fn arguments<'a>(items: Vec<Param>, lambda_src: Option<&str>) -> PResult<'a, Arguments> {
    let bare_star = |s: Span| -> Span {
        let Some(src) = lambda_src else { return s };
        let rest = &src[s.hi as usize..];
        let skip = rest.len() - rest.trim_start_matches([' ', '\t', ',', '\\', '\n']).len();
        let at = s.hi as usize + skip;
        Span::new(at, at + 1)
    };
    let mut a = Arguments::default();
    let mut seen_slash = false;
    let mut star_span: Option<Span> = None;
    let mut seen_kwstar = false;
    let mut seen_default = false;
    let mut star_named = false;
    for item in items {
        if seen_kwstar {
            let span = match &item {
                Param::Plain(p, _) | Param::KwStar(p, _) => p.span,
                Param::Star(s, _, _) | Param::Slash(s) => *s,
            };
            return err("arguments cannot follow var-keyword argument", span);
        }
        match item {
            Param::Slash(span) => {
                if seen_slash {
                    return err("/ may appear only once", span);
                }
                if star_span.is_some() {
                    return err("/ must be ahead of *", span);
                }
                if a.args.is_empty() {
                    return err("at least one argument must precede /", span);
                }
                seen_slash = true;
                a.posonly = std::mem::take(&mut a.args);
            }
            Param::Plain(p, default) => {
                if star_span.is_some() {
                    a.kw_defaults.push(default.map(|(_, d)| d));
                    a.kwonly.push(p);
                    continue;
                }
                match default {
                    Some((_, d)) => {
                        seen_default = true;
                        a.defaults.push(d);
                    }
                    None if seen_default => {
                        return err("non-default argument follows default argument", p.span)
                    }
                    None => {}
                }
                a.args.push(p);
            }
            Param::Star(span, name, default) => {
                if star_span.is_some() {
                    return err("* argument may appear only once", span);
                }
                if let Some((eq, _)) = default {
                    return err(
                        "var-positional argument cannot have default value",
                        eq_span(eq),
                    );
                }
                star_span = Some(span);
                star_named = name.is_some();
                a.vararg = name;
            }
            Param::KwStar(p, default) => {
                if let Some((eq, _)) = default {
                    return err(
                        "var-keyword argument cannot have default value",
                        eq_span(eq),
                    );
                }
                if let Some(s) = star_span {
                    if !star_named && a.kwonly.is_empty() {
                        return err("named arguments must follow bare *", bare_star(s));
                    }
                }
                seen_kwstar = true;
                a.kwarg = Some(p);
            }
        }
    }
    if let Some(s) = star_span {
        if !star_named && a.kwonly.is_empty() && a.kwarg.is_none() {
            return err("named arguments must follow bare *", bare_star(s));
        }
    }
    Ok(a)
}

/// Call arguments as written, and whether a trailing comma followed them.
pub type ArgItems = (Vec<CallArg>, bool);

/// Splits call arguments into positional and keyword lists, with CPython's ordering rules.
/// `close` is the span of the closing parenthesis, where CPython reports ordering errors.
pub fn call_args<'a>(items: ArgItems, close: Span) -> PResult<'a, (Vec<Expr>, Vec<Keyword>)> {
    let (items, trailing) = items;
    let alone = items.len() == 1 && !trailing;
    let mut args = Vec::new();
    let mut keywords = Vec::new();
    let mut seen_kw = false;
    let mut seen_kwstar = false;
    for item in items {
        match item {
            CallArg::Genexp(e) if !alone => {
                return err("Generator expression must be parenthesized", e.span)
            }
            CallArg::Pos(e) | CallArg::Genexp(e) => {
                if seen_kwstar {
                    return err(
                        "positional argument follows keyword argument unpacking",
                        close,
                    );
                }
                if seen_kw {
                    return err("positional argument follows keyword argument", close);
                }
                args.push(e);
            }
            CallArg::Star(e) => {
                if seen_kwstar {
                    let msg = "iterable argument unpacking follows keyword argument unpacking";
                    return err(msg, e.span);
                }
                args.push(e);
            }
            CallArg::KwStar(k) => {
                seen_kwstar = true;
                keywords.push(k);
            }
            CallArg::Kw(k, value, span) => {
                let ExprKind::Name(name) = k.kind else {
                    if let ExprKind::Constant(_) = k.kind {
                        let what = expr_name(&k);
                        if matches!(what, "True" | "False" | "None") {
                            return err(&format!("cannot assign to {what}"), span);
                        }
                    }
                    let msg = "expression cannot contain assignment, perhaps you meant \"==\"?";
                    return err(msg, span);
                };
                seen_kw = true;
                if keywords
                    .iter()
                    .any(|k: &Keyword| k.arg.as_deref() == Some(name.as_str()))
                {
                    return err(&format!("keyword argument repeated: {name}"), span);
                }
                keywords.push(Keyword {
                    arg: Some(name),
                    value,
                    span,
                });
            }
        }
    }
    Ok((args, keywords))
}

/// `func(args)`.
pub fn call<'a>(func: Expr, items: Option<ArgItems>, l: usize, r: usize) -> PResult<'a, Expr> {
    let close = Span::new(r - 1, r);
    let (args, keywords) = call_args(items.unwrap_or_default(), close)?;
    Ok(ex(
        l,
        r,
        ExprKind::Call {
            func: Box::new(func),
            args,
            keywords,
        },
    ))
}

/// `lambda params: body`.
pub fn lambda<'a>(
    src: &str,
    params: Option<Vec<Param>>,
    body: Expr,
    l: usize,
    r: usize,
) -> PResult<'a, Expr> {
    let args = arguments(params.unwrap_or_default(), Some(src))?;
    Ok(ex(
        l,
        r,
        ExprKind::Lambda {
            args: Box::new(args),
            body: Box::new(body),
        },
    ))
}

/// The parts of a `def` header.
pub struct DefHeader {
    pub is_async: bool,
    pub name: String,
    pub name_span: Span,
    pub params: Option<Vec<Param>>,
    pub returns: Option<Expr>,
}

/// `[async] def name(params) -> returns: body`.
pub fn funcdef<'a>(l: usize, h: DefHeader, body: Vec<Stmt>) -> PResult<'a, Stmt> {
    let args = arguments(h.params.unwrap_or_default(), None)?;
    let hi = super::nodes::body_end(&body, l);
    let def = FunctionDef {
        name: h.name,
        name_span: h.name_span,
        args,
        body,
        decorators: vec![],
        returns: h.returns,
        is_async: h.is_async,
    };
    Ok(st(l, hi, StmtKind::FunctionDef(Box::new(def))))
}

/// `class name(bases, keywords): body`.
pub fn classdef<'a>(
    src: &str,
    l: usize,
    name: String,
    name_span: Span,
    items: Option<(Option<ArgItems>, usize)>,
    body: Vec<Stmt>,
) -> PResult<'a, Stmt> {
    let (items, close) = match items {
        Some((items, r)) => (items.unwrap_or_default(), Span::new(r - 1, r)),
        None => (Default::default(), name_span),
    };
    if let Some(CallArg::Genexp(g)) = items.0.iter().find(|a| matches!(a, CallArg::Genexp(_))) {
        // CPython's class rule has no generator-expression argument: it stops at `for`.
        let at = match &g.kind {
            ExprKind::GeneratorExp { elt, .. } => {
                let rest = &src[elt.span.hi as usize..];
                elt.span.hi as usize + (rest.len() - rest.trim_start().len())
            }
            _ => g.span.lo as usize,
        };
        return err("invalid syntax", Span::new(at, at + 3));
    }
    let (bases, keywords) = call_args(items, close)?;
    let hi = super::nodes::body_end(&body, l);
    let class = ClassDef {
        name,
        name_span,
        bases,
        keywords,
        body,
        decorators: vec![],
    };
    Ok(st(l, hi, StmtKind::ClassDef(Box::new(class))))
}
