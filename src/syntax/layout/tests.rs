//! Layout tokens: NEWLINE/INDENT/DEDENT placement, brackets, continuations, tabs.

use super::*;

/// The layout tokens as short names, with other tokens as their source text.
fn names(src: &str) -> String {
    let t = tokenize(src, 0, Mode::Module);
    assert_eq!(t.end, End::Eof, "{src:?}");
    t.toks
        .iter()
        .map(|(lo, tok, hi)| match tok {
            Tok::Newline => "NL".to_string(),
            Tok::Indent => "IN".to_string(),
            Tok::Dedent => "DE".to_string(),
            _ => src[*lo..*hi].to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn end_error(src: &str, mode: Mode) -> SyntaxError {
    match tokenize(src, 0, mode).end {
        End::Eager(e) | End::Lazy(e) | End::Unclosed(e, _) => e,
        End::Eof => panic!("{src:?} lexed cleanly"),
    }
}

#[test]
fn blocks_indent_and_dedent() {
    assert_eq!(names("if x:\n    y\nz\n"), "if x : NL IN y NL DE z NL");
    assert_eq!(
        names("if a:\n  if b:\n    c\nd"),
        "if a : NL IN if b : NL IN c NL DE DE d NL"
    );
    // At the end of input: NEWLINE if needed, then every DEDENT.
    assert_eq!(
        names("if a:\n  if b:\n    c"),
        "if a : NL IN if b : NL IN c NL DE DE"
    );
    assert_eq!(names(""), "");
}

#[test]
fn blank_and_comment_lines_make_no_tokens() {
    assert_eq!(
        names("x = 1\n\n   \n# c\n    # indented comment\nif x:  # c\n\n    y\n"),
        "x = 1 NL if x : NL IN y NL DE"
    );
}

#[test]
fn dedent_is_zero_width_at_the_next_token() {
    let src = "if x:\n  y\nz\n";
    let t = tokenize(src, 0, Mode::Module);
    let dedent = t.toks.iter().find(|t| t.1 == Tok::Dedent).unwrap();
    assert_eq!((dedent.0, dedent.2), (10, 10));
    let indent = t.toks.iter().find(|t| t.1 == Tok::Indent).unwrap();
    assert_eq!((indent.0, indent.2), (6, 8));
}

#[test]
fn brackets_join_lines() {
    assert_eq!(
        names("x = (1,\n  2,\n\n 3)\ny"),
        "x = ( 1 , 2 , 3 ) NL y NL"
    );
    assert_eq!(
        names("if x:\n  f(a,\nb)\n  g\n"),
        "if x : NL IN f ( a , b ) NL g NL DE"
    );
}

#[test]
fn backslash_continuation() {
    assert_eq!(names("x = 1 + \\\n    2\ny"), "x = 1 + 2 NL y NL");
    assert_eq!(
        names("if x:\n  a = \\\n1\n  b\n"),
        "if x : NL IN a = 1 NL b NL DE"
    );
    let e = end_error("x = 1 \\ y", Mode::Module);
    assert_eq!(
        e.msg,
        "unexpected character after line continuation character"
    );
    let e = end_error("x = \\\n", Mode::Module);
    assert_eq!(e.msg, "unexpected EOF while parsing");
    assert!(!e.incomplete);
    assert!(end_error("x = \\\n", Mode::Interactive).incomplete);
}

#[test]
fn tabs_count_to_multiples_of_eight() {
    assert_eq!(names("if x:\n\ty\n\tz\n"), "if x : NL IN y NL z NL DE");
    assert_eq!(
        names("if 1:\n\tif 1:\n\t        pass\n"),
        "if 1 : NL IN if 1 : NL IN pass NL DE DE"
    );
    let e = end_error("if x:\n\ty\n        z\n", Mode::Module);
    assert_eq!(e.kind, SyntaxErrorKind::TabError);
    assert_eq!(e.msg, "inconsistent use of tabs and spaces in indentation");
    let e = end_error("if 1:\n        if 1:\n\t\tpass\n", Mode::Module);
    assert_eq!(e.kind, SyntaxErrorKind::TabError);
}

#[test]
fn form_feed_resets_the_column() {
    assert_eq!(names("\x0cx = 1\n"), "x = 1 NL");
    assert_eq!(names("if 1:\n  x\n\x0c  y\n"), "if 1 : NL IN x NL y NL DE");
}

#[test]
fn indentation_errors() {
    let e = end_error("if x:\n    a\n  b\n", Mode::Module);
    assert_eq!(e.kind, SyntaxErrorKind::IndentationError);
    assert_eq!(e.msg, "unindent does not match any outer indentation level");
    assert_eq!(e.span.lo, 15);
    let deep: String = (0..100)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    let e = end_error(&format!("{deep}{}pass\n", " ".repeat(100)), Mode::Module);
    assert_eq!(e.msg, "too many levels of indentation");
}

#[test]
fn bracket_errors() {
    assert_eq!(end_error("x = )", Mode::Module).msg, "unmatched ')'");
    assert_eq!(
        end_error("(]", Mode::Module).msg,
        "closing parenthesis ']' does not match opening parenthesis '('"
    );
    assert_eq!(
        end_error("(\n]", Mode::Module).msg,
        "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
    );
    let e = end_error("x = [1, (2,\n", Mode::Module);
    assert_eq!(e.msg, "'(' was never closed");
    assert_eq!(e.span.lo, 8);
    assert!(end_error("x = [1, (2,\n", Mode::Interactive).incomplete);
    let ok = format!("{}{}", "(".repeat(MAX_BRACKETS), ")".repeat(MAX_BRACKETS));
    assert_eq!(tokenize(&ok, 0, Mode::Module).end, End::Eof);
    let e = end_error(&"(".repeat(MAX_BRACKETS + 1), Mode::Module);
    assert_eq!(e.msg, "too many nested parentheses");
    assert_eq!(e.span.lo as usize, MAX_BRACKETS);
}

#[test]
fn strings_and_characters() {
    let e = end_error("x = 'abc\ny", Mode::Module);
    assert_eq!(e.msg, "unterminated string literal (detected at line 1)");
    assert_eq!(e.span.lo, 4);
    let e = end_error("x = '''abc\n\ndef\n", Mode::Interactive);
    assert_eq!(
        e.msg,
        "unterminated triple-quoted string literal (detected at line 3)"
    );
    assert!(e.incomplete);
    assert_eq!(
        end_error("x = €", Mode::Module).msg,
        "invalid character '€' (U+20AC)"
    );
    assert_eq!(
        end_error("x = \u{a0}", Mode::Module).msg,
        "invalid non-printable character U+00A0"
    );
    // `$` and friends reach the parser as an unknown token, as in CPython.
    let t = tokenize("x = $ + `y` <> z", 0, Mode::Module);
    assert_eq!(t.end, End::Eof);
    let unknown = t.toks.iter().filter(|t| t.1 == Tok::Unknown).count();
    assert_eq!(unknown, 4);
}

#[test]
fn byte_order_mark_is_skipped() {
    assert_eq!(names("\u{feff}x = 1\n"), "x = 1 NL");
}

#[test]
fn expression_mode_has_no_layout_tokens() {
    let t = tokenize("(a +\n   b)\n  * c\n", 0, Mode::Expression);
    assert!(t
        .toks
        .iter()
        .all(|t| !matches!(t.1, Tok::Newline | Tok::Indent | Tok::Dedent)));
}

#[test]
fn offsets_are_shifted_by_the_base() {
    let t = tokenize("a+b", 10, Mode::Expression);
    assert_eq!(t.toks[0], (10, Tok::Name("a"), 11));
    assert_eq!(t.toks[2], (12, Tok::Name("b"), 13));
}

#[test]
fn soft_syntax_rewrites() {
    let t = tokenize("with (a as b, c):\n  pass\n", 0, Mode::Module);
    assert_eq!(t.toks[1].1, Tok::WithLParen);
    let t = tokenize("with (a, b) as c:\n  pass\n", 0, Mode::Module);
    assert_eq!(t.toks[1].1, Tok::LParen);
    let e = end_error("x = 1\nmatch x:\n  case 1: pass\n", Mode::Module);
    assert_eq!(e.msg, "'match' statements are not supported by Aio");
    assert_eq!(
        tokenize("match(x)\nmatch = 1\n", 0, Mode::Module).end,
        End::Eof
    );
}

#[test]
fn depth_bound_counts_operator_chains() {
    let bound = |s: &str| tokenize(s, 0, Mode::Module).depth_bound;
    assert!(bound("x = [1, -2, -3, -4, -5, -6, -7, -8, -9]\n") < 8);
    assert!(bound(&format!("x = {}1\n", "-".repeat(500))) >= 500);
    assert!(bound(&format!("x = lambda a, b: {}1\n", "-".repeat(500))) >= 500);
}
