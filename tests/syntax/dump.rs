//! A dump of the AST in the shape of CPython's `ast` module (fields in `_fields` order,
//! without `ctx`), so that trees can be compared with what python3 prints.

use aio::syntax::ast::*;

fn q(s: &str) -> String {
    // Python's repr for simple strings.
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..=0xa0).contains(&(c as u32)) || c as u32 == 0xad => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn opt<T>(v: &Option<T>, f: impl Fn(&T) -> String) -> String {
    v.as_ref().map_or("None".to_string(), f)
}

fn list<T>(v: &[T], f: impl Fn(&T) -> String) -> String {
    format!("[{}]", v.iter().map(f).collect::<Vec<_>>().join(", "))
}

fn float_repr(f: f64) -> String {
    let s = format!("{f:?}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn constant(c: &Constant) -> String {
    match c {
        Constant::None => "None".into(),
        Constant::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        Constant::Int(i) => i.to_string(),
        Constant::BigInt(b) => b.to_string(),
        Constant::Float(f) => float_repr(*f),
        Constant::Str(s) => q(s),
        Constant::Bytes(b) => {
            let s: String = b.iter().map(|&c| c as char).collect();
            let r = q(&s);
            // bytes reprs escape everything outside printable ASCII
            let r: String = r
                .chars()
                .map(|c| {
                    if (c as u32) > 0x7e {
                        format!("\\x{:02x}", c as u32)
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            format!("b{}", r)
        }
        Constant::Ellipsis => "Ellipsis".into(),
    }
}

fn binop(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "Add()",
        BinOp::Sub => "Sub()",
        BinOp::Mult => "Mult()",
        BinOp::MatMult => "MatMult()",
        BinOp::Div => "Div()",
        BinOp::Mod => "Mod()",
        BinOp::Pow => "Pow()",
        BinOp::LShift => "LShift()",
        BinOp::RShift => "RShift()",
        BinOp::BitOr => "BitOr()",
        BinOp::BitXor => "BitXor()",
        BinOp::BitAnd => "BitAnd()",
        BinOp::FloorDiv => "FloorDiv()",
    }
}

fn cmpop(op: &CmpOp) -> String {
    format!("{op:?}()")
}

fn args(a: &Arguments) -> String {
    let arg = |p: &Arg| format!("arg({}, {})", q(&p.name), opt(&p.annotation, expr));
    format!(
        "arguments({}, {}, {}, {}, {}, {}, {})",
        list(&a.posonly, arg),
        list(&a.args, arg),
        opt(&a.vararg, arg),
        list(&a.kwonly, arg),
        list(&a.kw_defaults, |d| opt(d, expr)),
        opt(&a.kwarg, arg),
        list(&a.defaults, expr)
    )
}

fn comps(g: &[Comprehension]) -> String {
    list(g, |c| {
        format!(
            "comprehension({}, {}, {}, {})",
            expr(&c.target),
            expr(&c.iter),
            list(&c.ifs, expr),
            c.is_async as u8
        )
    })
}

fn keyword(k: &Keyword) -> String {
    format!("keyword({}, {})", opt(&k.arg, |a| q(a)), expr(&k.value))
}

pub fn expr(e: &Expr) -> String {
    use ExprKind as K;
    let b = |e: &Expr| expr(e);
    match &e.kind {
        K::BoolOp { op, values } => format!("BoolOp({:?}(), {})", op, list(values, b)),
        K::NamedExpr { target, value } => format!("NamedExpr({}, {})", b(target), b(value)),
        K::BinOp { left, op, right } => format!("BinOp({}, {}, {})", b(left), binop(*op), b(right)),
        K::UnaryOp { op, operand } => format!("UnaryOp({:?}(), {})", op, b(operand)),
        K::Lambda { args: a, body } => format!("Lambda({}, {})", args(a), b(body)),
        K::IfExp { test, body, orelse } => {
            format!("IfExp({}, {}, {})", b(test), b(body), b(orelse))
        }
        K::Dict { keys, values } => format!(
            "Dict({}, {})",
            list(keys, |k| opt(k, expr)),
            list(values, b)
        ),
        K::Set(v) => format!("Set({})", list(v, b)),
        K::ListComp { elt, generators } => format!("ListComp({}, {})", b(elt), comps(generators)),
        K::SetComp { elt, generators } => format!("SetComp({}, {})", b(elt), comps(generators)),
        K::DictComp {
            key,
            value,
            generators,
        } => format!("DictComp({}, {}, {})", b(key), b(value), comps(generators)),
        K::GeneratorExp { elt, generators } => {
            format!("GeneratorExp({}, {})", b(elt), comps(generators))
        }
        K::Await(v) => format!("Await({})", b(v)),
        K::Yield(v) => format!("Yield({})", opt(v, |v| expr(v))),
        K::YieldFrom(v) => format!("YieldFrom({})", b(v)),
        K::Compare {
            left,
            ops,
            comparators,
        } => format!(
            "Compare({}, {}, {})",
            b(left),
            list(ops, cmpop),
            list(comparators, b)
        ),
        K::Call {
            func,
            args,
            keywords,
        } => format!(
            "Call({}, {}, {})",
            b(func),
            list(args, b),
            list(keywords, keyword)
        ),
        K::FormattedValue {
            value,
            conversion,
            format_spec,
        } => format!(
            "FormattedValue({}, {}, {})",
            b(value),
            conversion.map_or(-1, |c| c as i32),
            opt(format_spec, |v| expr(v))
        ),
        K::JoinedStr(v) => format!("JoinedStr({})", list(v, b)),
        K::Constant(c) => format!("Constant({})", constant(c)),
        K::Attribute { value, attr, .. } => format!("Attribute({}, {})", b(value), q(attr)),
        K::Subscript { value, slice } => format!("Subscript({}, {})", b(value), b(slice)),
        K::Starred(v) => format!("Starred({})", b(v)),
        K::Name(n) => format!("Name({})", q(n)),
        K::List(v) => format!("List({})", list(v, b)),
        K::Tuple(v) => format!("Tuple({})", list(v, b)),
        K::Slice { lower, upper, step } => format!(
            "Slice({}, {}, {})",
            opt(lower, |v| expr(v)),
            opt(upper, |v| expr(v)),
            opt(step, |v| expr(v))
        ),
    }
}

fn block(v: &[Stmt]) -> String {
    list(v, stmt)
}

fn stmt(s: &Stmt) -> String {
    use StmtKind as K;
    match &s.kind {
        K::Expr(e) => format!("Expr({})", expr(e)),
        K::Assign { targets, value } => format!("Assign({}, {})", list(targets, expr), expr(value)),
        K::AugAssign { target, op, value } => format!(
            "AugAssign({}, {}, {})",
            expr(target),
            binop(*op),
            expr(value)
        ),
        K::AnnAssign {
            target,
            annotation,
            value,
            simple,
        } => format!(
            "AnnAssign({}, {}, {}, {})",
            expr(target),
            expr(annotation),
            opt(value, expr),
            *simple as u8
        ),
        K::If { test, body, orelse } => {
            format!("If({}, {}, {})", expr(test), block(body), block(orelse))
        }
        K::While { test, body, orelse } => {
            format!("While({}, {}, {})", expr(test), block(body), block(orelse))
        }
        K::For {
            is_async,
            target,
            iter,
            body,
            orelse,
        } => format!(
            "{}For({}, {}, {}, {})",
            if *is_async { "Async" } else { "" },
            expr(target),
            expr(iter),
            block(body),
            block(orelse)
        ),
        K::With {
            is_async,
            items,
            body,
        } => format!(
            "{}With({}, {})",
            if *is_async { "Async" } else { "" },
            list(items, |i| format!(
                "withitem({}, {})",
                expr(&i.context),
                opt(&i.target, expr)
            )),
            block(body)
        ),
        K::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => format!(
            "Try({}, {}, {}, {})",
            block(body),
            list(handlers, |h| format!(
                "ExceptHandler({}, {}, {})",
                opt(&h.typ, expr),
                opt(&h.name, |n| q(n)),
                block(&h.body)
            )),
            block(orelse),
            block(finalbody)
        ),
        K::Raise { exc, cause } => format!("Raise({}, {})", opt(exc, expr), opt(cause, expr)),
        K::FunctionDef(f) => format!(
            "{}FunctionDef({}, {}, {}, {}, {})",
            if f.is_async { "Async" } else { "" },
            q(&f.name),
            args(&f.args),
            block(&f.body),
            list(&f.decorators, expr),
            opt(&f.returns, expr)
        ),
        K::ClassDef(c) => format!(
            "ClassDef({}, {}, {}, {}, {})",
            q(&c.name),
            list(&c.bases, expr),
            list(&c.keywords, keyword),
            block(&c.body),
            list(&c.decorators, expr)
        ),
        K::Return(v) => format!("Return({})", opt(v, expr)),
        K::Delete(v) => format!("Delete({})", list(v, expr)),
        K::Pass => "Pass()".into(),
        K::Break => "Break()".into(),
        K::Continue => "Continue()".into(),
        K::Global(v) => format!("Global({})", list(v, |n| q(n))),
        K::Nonlocal(v) => format!("Nonlocal({})", list(v, |n| q(n))),
        K::Assert { test, msg } => format!("Assert({}, {})", expr(test), opt(msg, expr)),
        K::Import(v) => format!("Import({})", list(v, alias)),
        K::ImportFrom {
            module,
            names,
            level,
        } => format!(
            "ImportFrom({}, {}, {})",
            opt(module, |m| q(m)),
            list(names, alias),
            level
        ),
    }
}

fn alias(a: &Alias) -> String {
    format!("alias({}, {})", q(&a.name), opt(&a.asname, |n| q(n)))
}

pub fn dump(m: &Module) -> String {
    format!("Module({})", block(&m.body))
}
