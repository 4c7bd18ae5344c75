//! Syntax colouring of the line being edited, from the same logos lexer the parser uses.
//!
//! Invariant: the coloured text has exactly the characters of the input, in order, with
//! only SGR escape sequences added (rustyline lays the line out from the plain text).

use crate::syntax::token::Tok;
use logos::Logos;

const RESET: &str = "\x1b[0m";
const KEYWORD: &str = "\x1b[1;35m";
const CONSTANT: &str = "\x1b[35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[2;37m";
const BUILTIN: &str = "\x1b[34m";
const DEFINED: &str = "\x1b[1;33m";
/// The style of the `>>>` and `...` prompts.
pub const PROMPT: &str = "\x1b[1;32m";
/// The style of hints (the rest of a matching history entry).
pub const HINT: &str = "\x1b[2m";

/// Builtin names worth a colour of their own.
const BUILTINS: &[&str] = &[
    "print",
    "len",
    "range",
    "enumerate",
    "zip",
    "map",
    "filter",
    "sorted",
    "reversed",
    "min",
    "max",
    "sum",
    "abs",
    "round",
    "int",
    "float",
    "str",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "repr",
    "isinstance",
    "issubclass",
    "type",
    "id",
    "hash",
    "iter",
    "next",
    "aiter",
    "anext",
    "getattr",
    "setattr",
    "hasattr",
    "callable",
    "any",
    "all",
    "divmod",
    "pow",
    "chr",
    "ord",
    "hex",
    "bin",
    "format",
    "input",
    "super",
    "object",
    "help",
    "dir",
    "exit",
    "quit",
];

/// Wraps `text` in `style`.
pub fn paint(style: &str, text: &str) -> String {
    format!("{style}{text}{RESET}")
}

/// The style of one token, if it has one.
fn style_of(tok: &Tok<'_>, prev: Option<&Tok<'_>>) -> Option<&'static str> {
    match tok {
        Tok::Str(_) => Some(STRING),
        Tok::Number(_) => Some(NUMBER),
        Tok::True | Tok::False | Tok::None => Some(CONSTANT),
        Tok::Name(n) => {
            if matches!(prev, Some(Tok::Def | Tok::Class)) {
                Some(DEFINED)
            } else if matches!(prev, Some(Tok::Dot)) {
                None
            } else if BUILTINS.contains(n) {
                Some(BUILTIN)
            } else {
                None
            }
        }
        t if is_keyword(t) => Some(KEYWORD),
        _ => None,
    }
}

fn is_keyword(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::And
            | Tok::As
            | Tok::Assert
            | Tok::Async
            | Tok::Await
            | Tok::Break
            | Tok::Class
            | Tok::Continue
            | Tok::Def
            | Tok::Del
            | Tok::Elif
            | Tok::Else
            | Tok::Except
            | Tok::Finally
            | Tok::For
            | Tok::From
            | Tok::Global
            | Tok::If
            | Tok::Import
            | Tok::In
            | Tok::Is
            | Tok::Lambda
            | Tok::Nonlocal
            | Tok::Not
            | Tok::Or
            | Tok::Pass
            | Tok::Raise
            | Tok::Return
            | Tok::Try
            | Tok::While
            | Tok::With
            | Tok::Yield
    )
}

/// Appends the gap between two tokens: whitespace, and a comment if it holds one.
fn push_gap(out: &mut String, gap: &str) {
    match gap.find('#') {
        Some(i) => {
            out.push_str(&gap[..i]);
            let end = gap[i..].find(['\n', '\r']).map_or(gap.len(), |j| i + j);
            out.push_str(&paint(COMMENT, &gap[i..end]));
            push_gap(out, &gap[end..]);
        }
        None => out.push_str(gap),
    }
}

/// `line` with ANSI colours for keywords, strings, numbers, comments and builtins.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut lex = Tok::lexer(line);
    let mut done = 0;
    let mut prev: Option<Tok<'_>> = None;
    while let Some(item) = lex.next() {
        let span = lex.span();
        if span.start < done {
            continue;
        }
        push_gap(&mut out, &line[done..span.start]);
        let text = &line[span.clone()];
        match item {
            Ok(tok) => {
                match style_of(&tok, prev.as_ref()) {
                    Some(style) => out.push_str(&paint(style, text)),
                    None => out.push_str(text),
                }
                prev = Some(tok);
                done = span.end;
            }
            Err(_) => {
                // An unterminated string runs to the end of the line: colour it as one.
                let quote = text.contains(['\'', '"']);
                let end = if quote {
                    line[span.start..]
                        .find(['\n', '\r'])
                        .map_or(line.len(), |i| span.start + i)
                } else {
                    span.end
                        .max(span.start + text.chars().next().map_or(1, char::len_utf8))
                };
                let end = end.min(line.len()).max(span.end);
                if quote {
                    out.push_str(&paint(STRING, &line[span.start..end]));
                } else {
                    out.push_str(&line[span.start..end]);
                }
                done = end;
                if end > span.end {
                    lex.bump(end - span.end);
                }
            }
        }
    }
    push_gap(&mut out, &line[done..]);
    out
}

/// Removes SGR escape sequences.
#[cfg(test)]
fn strip(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_keep_the_text() {
        for src in [
            "async def f(x=1.5):  # note",
            "s = 'unterminated",
            "x = \"\"\"doc",
            "print(f'{a!r}') $ ? é",
            "a.print = None",
            "",
            "'''",
            "\"\\",
            "é'x",
            "#",
            "x = \\\n  y",
            "\u{feff}x",
            "0x 1e 1_ 0b2",
            "f'{",
            "\t\x0c\r\n",
            "def f():\n    '''doc\n    more",
            "$€ \0 `",
        ] {
            assert_eq!(strip(&highlight(src)), src, "{src:?}");
        }
    }

    #[test]
    fn keywords_and_strings_are_coloured() {
        let h = highlight("await x  # c");
        assert!(h.starts_with(&paint(KEYWORD, "await")));
        assert!(h.ends_with(&paint(COMMENT, "# c")));
        assert!(highlight("'a'").contains(&paint(STRING, "'a'")));
    }
}
