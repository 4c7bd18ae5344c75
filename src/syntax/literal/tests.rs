//! Number scanning and string decoding, checked against values and messages from python3.

use super::*;

fn num(text: &str) -> NumLit {
    let (len, lit) = scan_number(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    assert_eq!(len, text.len(), "{text:?} scanned whole");
    lit
}

fn num_err(text: &str) -> (usize, String) {
    scan_number(text).expect_err(text)
}

#[test]
fn integers() {
    assert_eq!(num("0"), NumLit::Int(0));
    assert_eq!(num("00"), NumLit::Int(0));
    assert_eq!(num("0_0"), NumLit::Int(0));
    assert_eq!(num("1_000_000"), NumLit::Int(1_000_000));
    assert_eq!(num("0xff"), NumLit::Int(255));
    assert_eq!(num("0XfF"), NumLit::Int(255));
    assert_eq!(num("0x_1"), NumLit::Int(1));
    assert_eq!(num("0o17"), NumLit::Int(15));
    assert_eq!(num("0o_7"), NumLit::Int(7));
    assert_eq!(num("0b101"), NumLit::Int(5));
    assert_eq!(num("9223372036854775807"), NumLit::Int(i64::MAX));
    assert_eq!(
        num("9223372036854775808"),
        NumLit::Big(Box::new("9223372036854775808".parse().unwrap()))
    );
    assert_eq!(
        num("0x1_0000_0000_0000_0000"),
        NumLit::Big(Box::new(BigInt::from(1u128 << 64)))
    );
}

#[test]
fn floats() {
    assert_eq!(num("1."), NumLit::Float(1.0));
    assert_eq!(num(".5"), NumLit::Float(0.5));
    assert_eq!(num("1e-3"), NumLit::Float(0.001));
    assert_eq!(num("1E5"), NumLit::Float(100000.0));
    assert_eq!(num("1.e5"), NumLit::Float(100000.0));
    assert_eq!(num("1_000.5"), NumLit::Float(1000.5));
    assert_eq!(num("1_2.3_4e5_6"), NumLit::Float(12.34e56));
    assert_eq!(num("012.5"), NumLit::Float(12.5));
    assert_eq!(num("09e1"), NumLit::Float(90.0));
    assert_eq!(num("0.1"), NumLit::Float(0.1));
    assert_eq!(num("1e400"), NumLit::Float(f64::INFINITY));
    // Correctly rounded, as CPython's.
    assert_eq!(
        num("2.2250738585072011e-308"),
        NumLit::Float(2.225_073_858_507_201e-308)
    );
    assert_eq!(num("1j"), NumLit::Imaginary);
    assert_eq!(num("1.5J"), NumLit::Imaginary);
}

#[test]
fn number_ends_before_keywords() {
    assert_eq!(scan_number("1if x").unwrap().0, 1);
    assert_eq!(scan_number("1else").unwrap().0, 1);
    assert_eq!(scan_number("0x1for").unwrap().0, 4);
    assert_eq!(scan_number("1..real").unwrap().0, 2);
}

#[test]
fn number_errors() {
    // Offsets are where the span starts (CPython's column, 0-based, minus one).
    assert_eq!(num_err("1_"), (1, "invalid decimal literal".into()));
    assert_eq!(num_err("1__0"), (1, "invalid decimal literal".into()));
    assert_eq!(num_err("1a"), (0, "invalid decimal literal".into()));
    assert_eq!(
        num_err("012"),
        (
            0,
            "leading zeros in decimal integer literals are not permitted; \
             use an 0o prefix for octal integers"
                .into()
        )
    );
    assert_eq!(num_err("0x"), (1, "invalid hexadecimal literal".into()));
    assert_eq!(num_err("0x1g"), (2, "invalid hexadecimal literal".into()));
    assert_eq!(
        num_err("0o8"),
        (2, "invalid digit '8' in octal literal".into())
    );
    assert_eq!(
        num_err("0b12"),
        (3, "invalid digit '2' in binary literal".into())
    );
    assert_eq!(num_err("0b"), (1, "invalid binary literal".into()));
    assert_eq!(num_err("1e"), (0, "invalid decimal literal".into()));
    assert_eq!(num_err("1e+"), (2, "invalid decimal literal".into()));
    assert_eq!(num_err("1._5"), (1, "invalid decimal literal".into()));
    assert_eq!(num_err("1.5j_"), (3, "invalid imaginary literal".into()));
}

fn s(body: &str) -> String {
    let mut out = String::new();
    decode_str_into(body, false, &mut out).unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
    out
}

fn b(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    decode_bytes_into(body, false, &mut out).unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
    out
}

fn str_err(body: &str) -> String {
    let mut out = String::new();
    match decode_str_into(body, false, &mut out) {
        Err(LitError::AtNextToken(msg)) => msg,
        other => panic!("{body:?}: {other:?}"),
    }
}

#[test]
fn every_escape() {
    assert_eq!(
        s(r#"\\ \' \" \a \b \f \n \r \t \v"#),
        "\\ ' \" \x07 \x08 \x0c \n \r \t \x0b"
    );
    assert_eq!(s(r"\101\0\7\777\1234"), "A\0\u{7}\u{1ff}S4");
    assert_eq!(s(r"\x41\u00e9\U0001F600"), "Aé😀");
    assert_eq!(s("a\\\nb"), "ab");
    assert_eq!(s("a\\\r\nb"), "ab");
    // Unknown escapes stay as written.
    assert_eq!(s(r"\d\q\%"), "\\d\\q\\%");
    assert_eq!(s("crlf\r\nline\rend"), "crlf\nline\nend");
}

#[test]
fn escape_errors_match_cpython() {
    assert_eq!(
        str_err(r"\x4"),
        "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape"
    );
    assert_eq!(
        str_err(r"ab\x4g"),
        "(unicode error) 'unicodeescape' codec can't decode bytes in position 2-4: truncated \\xXX escape"
    );
    assert_eq!(
        str_err(r"\u12"),
        "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: truncated \\uXXXX escape"
    );
    assert_eq!(
        str_err(r"\U0011ffff"),
        "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character"
    );
    assert_eq!(
        str_err(r"\N"),
        "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: malformed \\N character escape"
    );
}

#[test]
fn bytes_escapes() {
    assert_eq!(b(r"\x41\101\n\d\u0041"), b"A\x41\n\\d\\u0041".to_vec());
    assert_eq!(b(r"\777\400"), vec![0xff, 0x00]);
    let mut out = Vec::new();
    match decode_bytes_into(r"ab\x4", false, &mut out) {
        Err(LitError::AtNextToken(msg)) => {
            assert_eq!(msg, "(value error) invalid \\x escape at position 2")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn raw_strings_keep_backslashes() {
    let mut out = String::new();
    decode_str_into(r"\n\'", true, &mut out).unwrap();
    assert_eq!(out, "\\n\\'");
}

#[test]
fn prefixes() {
    let (p, start, len) = split_token("Rb'''x'''");
    assert!(p.raw && p.bytes && !p.fstring);
    assert_eq!((start, len), (5, 1));
    let (p, start, len) = split_token("f\"\"");
    assert!(p.fstring && !p.raw);
    assert_eq!((start, len), (2, 0));
    let (p, _, _) = split_token("U'x'");
    assert!(!p.raw && !p.bytes && !p.fstring);
}

#[test]
fn concatenation() {
    let c = |parts: &[(usize, &str)]| {
        let src: String = parts.iter().map(|p| p.1).collect::<Vec<_>>().join(" ");
        concat(&src, parts, Span::default())
    };
    let e = c(&[(0, "'a'"), (4, "\"b\"")]).unwrap();
    assert_eq!(e.kind, ExprKind::Constant(Constant::Str("ab".into())));
    let e = c(&[(0, "b'a'"), (5, "B'b'")]).unwrap();
    assert_eq!(e.kind, ExprKind::Constant(Constant::Bytes(b"ab".to_vec())));
    match c(&[(0, "'a'"), (4, "b'b'")]) {
        Err(LitError::AtNextToken(msg)) => {
            assert_eq!(msg, "cannot mix bytes and nonbytes literals")
        }
        other => panic!("{other:?}"),
    }
    match c(&[(0, "b'\u{e9}'")]) {
        Err(LitError::At(e)) => {
            assert_eq!(e.msg, "bytes can only contain ASCII literal characters")
        }
        other => panic!("{other:?}"),
    }
}
