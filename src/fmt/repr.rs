//! `repr()` of str and bytes, and the `ascii()` escaping, as CPython 3.11 writes them.
//! Invariant: a character is written as itself exactly when CPython's `str.isprintable` says
//! so (and it is neither the chosen quote nor a backslash); everything else is escaped with the
//! shortest of `\xhh`, `\uhhhh`, `\Uhhhhhhhh`, except `\t`, `\n` and `\r`.

use std::fmt::Write as _;

use super::unicode::is_printable;

/// `repr(s)`: quoted with `'` unless the text contains `'` and no `"`.
pub fn str_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str_repr(&mut out, s);
    out
}

/// Appends `repr(s)` to `out`.
pub fn write_str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    // Copy runs of characters that need no escape in one go.
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        let plain = if c.is_ascii() {
            (' '..='~').contains(&c) && c != quote && c != '\\'
        } else {
            is_printable(c)
        };
        if plain {
            continue;
        }
        out.push_str(&s[run_start..i]);
        run_start = i + c.len_utf8();
        push_escape(out, c);
    }
    out.push_str(&s[run_start..]);
    out.push(quote);
}

/// Writes the escape for a character that is not shown as itself.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\\' | '\'' | '"' => {
            out.push('\\');
            out.push(c);
        }
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => push_hex_escape(out, c),
    }
}

/// `\xhh`, `\uhhhh` or `\Uhhhhhhhh`, lower-case hex, by the size of the code point.
fn push_hex_escape(out: &mut String, c: char) {
    let u = c as u32;
    let _ = if u <= 0xFF {
        write!(out, "\\x{u:02x}")
    } else if u <= 0xFFFF {
        write!(out, "\\u{u:04x}")
    } else {
        write!(out, "\\U{u:08x}")
    };
}

/// `ascii()`'s second step: escapes every non-ASCII character of `repr_text` (the result of
/// `repr(obj)`) with `\x`, `\u` or `\U`.
pub fn ascii_escape(repr_text: &str) -> String {
    if repr_text.is_ascii() {
        return repr_text.to_owned();
    }
    let mut out = String::with_capacity(repr_text.len() + 8);
    for c in repr_text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            push_hex_escape(&mut out, c);
        }
    }
    out
}

/// `repr(b)` of a bytes object: `b'...'`, printable ASCII as itself, the rest as `\xhh`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            _ if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b' '..=b'~' => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_repr_matches_cpython() {
        let cases: &[(&str, &str)] = &[
            ("abc", "'abc'"),
            ("it's", "\"it's\""),
            ("it's \"x\"", "'it\\'s \"x\"'"),
            ("say \"hi\"", "'say \"hi\"'"),
            ("a\\b", "'a\\\\b'"),
            ("\n\r\t\x00\x1f\x7f", "'\\n\\r\\t\\x00\\x1f\\x7f'"),
            ("é😀中", "'é😀中'"),
            ("e\u{301}", "'e\u{301}'"),
            (
                "\u{a0}\u{ad}\u{2028}\u{ffff}\u{e000}",
                "'\\xa0\\xad\\u2028\\uffff\\ue000'",
            ),
            ("\u{10ffff}\u{e0001}", "'\\U0010ffff\\U000e0001'"),
            ("\u{85}\u{3000} ", "'\\x85\\u3000 '"),
            ("", "''"),
        ];
        for &(s, want) in cases {
            assert_eq!(str_repr(s), want, "{s:?}");
        }
    }

    #[test]
    fn ascii_and_bytes() {
        assert_eq!(
            ascii_escape(&str_repr("é😀\u{2028}x")),
            "'\\xe9\\U0001f600\\u2028x'"
        );
        assert_eq!(bytes_repr(b"ab'\x00\xff\\\n"), "b\"ab'\\x00\\xff\\\\\\n\"");
        assert_eq!(bytes_repr(b"'\""), "b'\\'\"'");
        assert_eq!(bytes_repr(b""), "b''");
    }
}
