//! The syntax front end against CPython 3.11: error messages and positions, accepted
//! programs, AST shapes, the REPL's "incomplete input" answers, and the limits (huge
//! literals, deep nesting).

#[path = "syntax/dump.rs"]
mod dump;
#[path = "syntax/tables.rs"]
mod tables;

use aio::source::SourceFile;
use aio::syntax::ast::{Constant, Expr, ExprKind, StmtKind};
use aio::syntax::{parse_expression, parse_interactive, parse_module, SyntaxError};

/// (class, message, line, 1-based column) the way CPython reports a SyntaxError.
fn describe(src: &str, e: &SyntaxError) -> (String, String, usize, usize) {
    let f = SourceFile::new("t", src);
    (
        e.kind.class_name().to_string(),
        e.msg.clone(),
        f.line_of(e.span.lo),
        f.column_of(e.span.lo) + 1,
    )
}

fn error_of(src: &str) -> (String, String, usize, usize) {
    match parse_module(src) {
        Ok(_) => panic!("accepted {src:?}"),
        Err(e) => describe(src, &e),
    }
}

#[test]
fn syntax_errors_match_cpython() {
    let mut failures = Vec::new();
    for &(src, kind, msg, line, col) in tables::CPYTHON_ERRORS {
        let want = (kind.to_string(), msg.to_string(), line, col);
        let got = match parse_module(src) {
            Ok(_) => None,
            Err(e) => Some(describe(src, &e)),
        };
        if got.as_ref() != Some(&want) {
            failures.push(format!("{src:?}\n   want {want:?}\n   got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn syntax_accepts_what_cpython_accepts() {
    for src in tables::CPYTHON_ACCEPTS {
        if let Err(e) = parse_module(src) {
            panic!("{src:?} rejected: {:?}", describe(src, &e));
        }
    }
}

#[test]
fn syntax_ast_shapes_match_cpython() {
    let mut failures = Vec::new();
    for &(src, want) in tables::CPYTHON_ASTS {
        match parse_module(src) {
            Ok(m) => {
                let got = dump::dump(&m);
                if got != want {
                    failures.push(format!("{src:?}\n   want {want}\n   got  {got}"));
                }
            }
            Err(e) => failures.push(format!("{src:?} rejected: {:?}", describe(src, &e))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn syntax_unsupported_features_are_clear_errors() {
    let cases = [
        ("match x:\n    case 1:\n        pass\n", "'match' statements are not supported by Aio", 1, 1),
        ("if y:\n    match (x):\n        case 1: pass\n", "'match' statements are not supported by Aio", 2, 5),
        ("try:\n  pass\nexcept* E:\n  pass\n", "'except*' is not supported by Aio", 3, 1),
        ("x = 1j\n", "complex numbers are not supported by Aio (imaginary literal)", 1, 5),
        ("x = 1.5e3J\n", "complex numbers are not supported by Aio (imaginary literal)", 1, 5),
        ("x = '\\N{EM DASH}'\n", "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-10: \\N{...} escapes are not supported by Aio", 1, 18),
    ];
    for (src, msg, line, col) in cases {
        assert_eq!(
            error_of(src),
            ("SyntaxError".into(), msg.into(), line, col),
            "{src:?}"
        );
    }
    // Python 2 syntax keeps CPython's message; the rich rendering's hint says why.
    let e = parse_module("x = `a`\n").unwrap_err();
    assert_eq!(
        describe("x = `a`\n", &e),
        ("SyntaxError".into(), "invalid syntax".into(), 1, 5)
    );
    assert!(e.hint.unwrap().contains("backquotes"));
    let e = parse_module("a <> b\n").unwrap_err();
    assert!(e.hint.unwrap().contains("'!='"));
    // `match` and `case` stay ordinary names everywhere else.
    for src in [
        "match = 1\n",
        "match(x)\n",
        "match.x = 2\n",
        "case = match[0]\n",
        "x = match\n",
    ] {
        parse_module(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    }
}

#[test]
fn syntax_fstring_errors_inside_fields_point_into_the_field() {
    // CPython 3.11 reports these at positions inside a synthetic "(expr)" string; Aio points
    // at the real source.
    assert_eq!(
        error_of("x = f'{*a}'\n"),
        (
            "SyntaxError".into(),
            "f-string: cannot use starred expression here".into(),
            1,
            8
        )
    );
    assert_eq!(
        error_of("x = f'{a b}'\n"),
        (
            "SyntaxError".into(),
            "f-string: invalid syntax".into(),
            1,
            10
        )
    );
}

#[test]
fn syntax_interactive_input() {
    let incomplete = [
        "if x:",
        "if x:\n",
        "if x:\n    y",
        "if x:\n    y\n",
        "(1,",
        "'''abc",
        "x = \\",
        "def f():\n    return 1\n",
        "@d\n",
        "for i in x:\n  if i:\n    pass\n",
        "x = [\n  1,\n",
    ];
    for src in incomplete {
        match parse_interactive(src) {
            Err(e) if e.incomplete => {}
            other => panic!("{src:?} should be incomplete: {other:?}"),
        }
    }
    let complete = [
        "x = 1",
        "x = 1\n",
        "if x:\n    y\n\n",
        "x = 1; y = 2\n",
        "",
        "\n",
        "class A:\n  pass\n\n",
        "async def f():\n  await x\n\n",
    ];
    for src in complete {
        parse_interactive(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"));
    }
    // Real errors are reported at once, not as a request for more input.
    for src in [
        "x = \n",
        "x = = 1\n",
        "if x:\n  y = = 1\n",
        "if x:\n\n",
        ")\n",
    ] {
        match parse_interactive(src) {
            Err(e) if !e.incomplete => {}
            other => panic!("{src:?} should be an error: {other:?}"),
        }
    }
    let e = parse_interactive("x = 1\ny = 2\n").unwrap_err();
    assert_eq!(
        e.msg,
        "multiple statements found while compiling a single statement"
    );
    let m = parse_interactive("x = 1; y = 2\n").unwrap();
    assert_eq!(m.body.len(), 2);
}

#[test]
fn syntax_parse_expression() {
    let e = parse_expression("a + b * 2").unwrap();
    assert_eq!(
        dump::expr(&e),
        "BinOp(Name('a'), Add(), BinOp(Name('b'), Mult(), Constant(2)))"
    );
    assert_eq!(e.span.lo, 0);
    assert_eq!(e.span.hi, 9);
    let e = parse_expression("(1,\n 2)").unwrap();
    assert_eq!(dump::expr(&e), "Tuple([Constant(1), Constant(2)])");
    assert!(parse_expression("x = 1").is_err());
    assert!(parse_expression("1 2").is_err());
    assert!(parse_expression("*a").is_err());
}

fn find_name<'a>(e: &'a Expr, name: &str) -> Option<&'a Expr> {
    // Only used on small trees.
    if let ExprKind::Name(n) = &e.kind {
        if n == name {
            return Some(e);
        }
    }
    let children: Vec<&Expr> = match &e.kind {
        ExprKind::JoinedStr(v) | ExprKind::Tuple(v) | ExprKind::List(v) => v.iter().collect(),
        ExprKind::FormattedValue {
            value, format_spec, ..
        } => {
            let mut v = vec![&**value];
            v.extend(format_spec.as_deref());
            v
        }
        ExprKind::BinOp { left, right, .. } => vec![left, right],
        ExprKind::Call { func, args, .. } => std::iter::once(&**func).chain(args).collect(),
        ExprKind::Attribute { value, .. } => vec![value],
        _ => vec![],
    };
    children.into_iter().find_map(|c| find_name(c, name))
}

#[test]
fn syntax_spans() {
    let src = "x = 1\nif x:\n    y = f(a, b=2)\n";
    let m = parse_module(src).unwrap();
    assert_eq!(m.body[0].span.range(), 0..5);
    assert_eq!(m.body[1].span.range(), 6..29);
    let StmtKind::If { body, .. } = &m.body[1].kind else {
        panic!()
    };
    assert_eq!(&src[body[0].span.range()], "y = f(a, b=2)");
    let StmtKind::Assign { value, .. } = &body[0].kind else {
        panic!()
    };
    let ExprKind::Call { keywords, .. } = &value.kind else {
        panic!()
    };
    assert_eq!(&src[keywords[0].span.range()], "b=2");

    // Expressions inside f-string fields point into the same source.
    let src = "s = f'{alpha + 1!r:>{width}}' 'tail'\n";
    let m = parse_module(src).unwrap();
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    let alpha = find_name(value, "alpha").expect("alpha");
    assert_eq!(&src[alpha.span.range()], "alpha");
    let width = find_name(value, "width").expect("width");
    assert_eq!(&src[width.span.range()], "width");

    let src = "def g(self, *, k: int = 3) -> None:\n    return self.k\n";
    let m = parse_module(src).unwrap();
    let StmtKind::FunctionDef(f) = &m.body[0].kind else {
        panic!()
    };
    assert_eq!(&src[f.name_span.range()], "g");
    assert_eq!(&src[f.args.kwonly[0].span.range()], "k: int");
    let StmtKind::Return(Some(r)) = &f.body[0].kind else {
        panic!()
    };
    let ExprKind::Attribute { attr_span, .. } = &r.kind else {
        panic!()
    };
    assert_eq!(&src[attr_span.range()], "k");
}

#[test]
fn syntax_fstring_debug_form() {
    let m = parse_module("f'{x = !r:>10}{y=}'").unwrap();
    assert_eq!(
        dump::dump(&m),
        "Module([Expr(JoinedStr([Constant('x = '), FormattedValue(Name('x'), 114, \
         JoinedStr([Constant('>10')])), Constant('y='), FormattedValue(Name('y'), 114, None)]))])"
    );
}

#[test]
fn syntax_ten_megabyte_string_literal() {
    let body = "ab\\n".repeat(2_500_000);
    let src = format!("x = '{body}'\ny = b'{body}'\n");
    let start = std::time::Instant::now();
    let m = parse_module(&src).unwrap();
    assert!(start.elapsed().as_secs() < 10, "linear time");
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::Constant(Constant::Str(s)) = &value.kind else {
        panic!()
    };
    assert_eq!(s.len(), 7_500_000);
    let plain = format!("x = \"{}\"\n", "z".repeat(10_000_000));
    assert!(parse_module(&plain).is_ok());
}

#[test]
fn syntax_deep_nesting_is_a_clean_error() {
    let recursion = |src: &str| {
        let e = parse_module(src).expect_err("too deep");
        assert_eq!(e.kind.class_name(), "RecursionError", "{}", &src[..40]);
        assert_eq!(e.msg, "maximum recursion depth exceeded during compilation");
    };
    let sum = |n: usize| format!("x = {}\n", vec!["1"; n].join("+"));
    assert!(parse_module(&sum(1000)).is_ok());
    recursion(&sum(3000));
    recursion(&format!("x = {}1\n", "-".repeat(10_000)));
    recursion(&format!("x = {}1\n", "not ".repeat(10_000)));
    recursion(&format!("x = a{}\n", ".b".repeat(10_000)));
    recursion(&format!("x = f{}\n", "()".repeat(10_000)));
    recursion(&format!("x = {}\n", vec!["b"; 10_000].join("**")));
    recursion(&format!("x = {}1\n", "lambda: ".repeat(10_000)));
    recursion(&format!("x = f'{{{}1}}'\n", "-".repeat(10_000)));
    // Brackets and blocks hit CPython's own limits first.
    let e = error_of(&format!(
        "x = {}{}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    ));
    assert_eq!(
        e,
        (
            "SyntaxError".into(),
            "too many nested parentheses".into(),
            1,
            205
        )
    );
    let e = error_of(&format!(
        "x = {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    assert_eq!(e.1, "too many nested parentheses");
    let blocks: String = (0..10_000)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    let e = error_of(&blocks);
    assert_eq!(
        e,
        (
            "IndentationError".into(),
            "too many levels of indentation".into(),
            101,
            1
        )
    );
    // A deep tree followed by a syntax error is dropped without overflowing the stack.
    assert_eq!(
        error_of(&format!("x = {}1 +\n", "-".repeat(200_000))).1,
        "invalid syntax"
    );
    assert!(parse_module(&format!("x = {}\n", vec!["a"; 100_000].join(" or "))).is_ok());
}

#[test]
fn syntax_nesting_limits_match_cpython() {
    let parens = |n: usize| format!("x = {}{}\n", "(".repeat(n), ")".repeat(n));
    assert!(parse_module(&parens(200)).is_ok());
    assert_eq!(error_of(&parens(201)).1, "too many nested parentheses");
    let nest = |n: usize| -> String {
        let mut s: String = (0..n)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        s.push_str(&format!("{}pass\n", " ".repeat(n)));
        s
    };
    assert!(parse_module(&nest(99)).is_ok());
    assert_eq!(error_of(&nest(100)).1, "too many levels of indentation");
}
