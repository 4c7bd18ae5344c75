//! Tokens: the logos lexer for one physical stream of Aio source, and the token type the
//! parser consumes.
//!
//! The lexer only recognises tokens; it knows nothing about lines, indentation or brackets.
//! `layout` drives it and adds NEWLINE/INDENT/DEDENT. Invariant: every token the lexer
//! produces covers exactly the bytes it was built from, so `(lo, tok, hi)` spans are exact.
//! Numbers and strings are scanned by hand in callbacks (following CPython's tokenizer rules)
//! so that errors carry CPython's messages and positions, and a string of any size is
//! scanned in one linear pass.

use logos::{Lexer, Logos};

use super::literal::{self, NumLit};

/// A lexer failure. `Default` is what logos produces for a byte that starts no token; the
/// layout pass turns that into CPython's message for the offending character.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LexError {
    /// CPython's message; empty for "no token starts here".
    pub msg: String,
    /// Byte offset (relative to the lexed text) the error points at.
    pub pos: usize,
    /// Where the problem was detected (for "detected at line N"); equals `pos` otherwise.
    pub detected: usize,
    /// What kind of failure this is.
    pub what: LexFailure,
}

/// The classes of lexer failure the layout pass treats differently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexFailure {
    /// No token starts at this character.
    #[default]
    BadChar,
    /// A malformed number or similar: the message is final.
    Message,
    /// An unterminated single-quoted string.
    UnterminatedString,
    /// An unterminated triple-quoted string (the REPL reads more input).
    UnterminatedTriple,
}

impl LexError {
    fn at(pos: usize, what: LexFailure, msg: impl Into<String>) -> LexError {
        LexError {
            msg: msg.into(),
            pos,
            detected: pos,
            what,
        }
    }
}

/// A token. Variants without a logos attribute are made by the layout pass.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\x0c]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
pub enum Tok<'a> {
    /// Synthetic first token selecting the module grammar.
    StartModule,
    /// Synthetic first token selecting the interactive grammar.
    StartInteractive,
    /// Synthetic first token selecting the expression grammar.
    StartExpression,
    /// A physical line break; the layout pass keeps only logical ones.
    #[regex(r"\r\n|\n|\r")]
    Newline,
    /// Start of a deeper block (spans the indentation whitespace).
    Indent,
    /// End of a block (zero width, at the next token).
    Dedent,
    /// A backslash followed by a line break: joins two physical lines.
    #[regex(r"\\(\r\n|\n|\r)")]
    Continuation,
    /// A backslash not followed by a line break (always an error).
    #[token("\\")]
    Backslash,
    /// `(` when it opens the parenthesised item list of a `with` statement (made by layout).
    WithLParen,
    /// A printable ASCII character that starts no token (`$`, `?`, `!`, backquote): CPython
    /// passes it to its parser, which rejects it (made by layout). `<>` is such a token too.
    #[token("<>")]
    Unknown,

    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*", |lex| lex.slice())]
    Name(&'a str),
    #[regex(r"[0-9]|\.[0-9]", scan_number)]
    Number(NumLit),
    /// The complete text of one string literal, prefix and quotes included.
    #[regex(
        r#"([rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])?['"]"#,
        scan_string
    )]
    Str(&'a str),

    #[token("False")]
    False,
    #[token("None")]
    None,
    #[token("True")]
    True,
    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("assert")]
    Assert,
    #[token("async")]
    Async,
    #[token("await")]
    Await,
    #[token("break")]
    Break,
    #[token("class")]
    Class,
    #[token("continue")]
    Continue,
    #[token("def")]
    Def,
    #[token("del")]
    Del,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("except")]
    Except,
    #[token("finally")]
    Finally,
    #[token("for")]
    For,
    #[token("from")]
    From,
    #[token("global")]
    Global,
    #[token("if")]
    If,
    #[token("import")]
    Import,
    #[token("in")]
    In,
    #[token("is")]
    Is,
    #[token("lambda")]
    Lambda,
    #[token("nonlocal")]
    Nonlocal,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("pass")]
    Pass,
    #[token("raise")]
    Raise,
    #[token("return")]
    Return,
    #[token("try")]
    Try,
    #[token("while")]
    While,
    #[token("with")]
    With,
    #[token("yield")]
    Yield,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LSqb,
    #[token("]")]
    RSqb,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("|")]
    Vbar,
    #[token("&")]
    Amper,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("=")]
    Equal,
    #[token(".")]
    Dot,
    #[token("%")]
    Percent,
    #[token("==")]
    EqEqual,
    #[token("!=")]
    NotEqual,
    #[token("<=")]
    LessEqual,
    #[token(">=")]
    GreaterEqual,
    #[token("~")]
    Tilde,
    #[token("^")]
    Circumflex,
    #[token("<<")]
    LeftShift,
    #[token(">>")]
    RightShift,
    #[token("**")]
    DoubleStar,
    #[token("+=")]
    PlusEqual,
    #[token("-=")]
    MinEqual,
    #[token("*=")]
    StarEqual,
    #[token("/=")]
    SlashEqual,
    #[token("%=")]
    PercentEqual,
    #[token("&=")]
    AmperEqual,
    #[token("|=")]
    VbarEqual,
    #[token("^=")]
    CircumflexEqual,
    #[token("<<=")]
    LeftShiftEqual,
    #[token(">>=")]
    RightShiftEqual,
    #[token("**=")]
    DoubleStarEqual,
    #[token("//")]
    DoubleSlash,
    #[token("//=")]
    DoubleSlashEqual,
    #[token("@")]
    At,
    #[token("@=")]
    AtEqual,
    #[token("->")]
    RArrow,
    #[token("...")]
    Ellipsis,
    #[token(":=")]
    ColonEqual,
}

impl Tok<'_> {
    /// Whether this token opens a bracket.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            Tok::LParen | Tok::LSqb | Tok::LBrace | Tok::WithLParen
        )
    }

    /// Whether this token closes a bracket.
    pub fn is_close(&self) -> bool {
        matches!(self, Tok::RParen | Tok::RSqb | Tok::RBrace)
    }
}

/// Scans the rest of a number whose first character (or `.` and digit) logos matched.
fn scan_number<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> Result<NumLit, LexError> {
    let start = lex.span().start;
    let text = &lex.source()[start..];
    match literal::scan_number(text) {
        Ok((len, lit)) => {
            lex.bump(len - lex.span().len());
            Ok(lit)
        }
        Err((pos, msg)) => Err(LexError::at(start + pos, LexFailure::Message, msg)),
    }
}

/// Scans a string literal from its opening quote to its closing quote (escapes skipped, no
/// decoding: that is `literal`'s job). One pass over the bytes, so huge literals are cheap.
fn scan_string<'a>(lex: &mut Lexer<'a, Tok<'a>>) -> Result<&'a str, LexError> {
    let start = lex.span().start;
    let src = lex.source();
    let bytes = src.as_bytes();
    let quote_at = lex.span().end - 1;
    let quote = bytes[quote_at];
    let triple = bytes.get(quote_at + 1) == Some(&quote) && bytes.get(quote_at + 2) == Some(&quote);
    let mut i = if triple { quote_at + 3 } else { quote_at + 1 };
    loop {
        let Some(&b) = bytes.get(i) else {
            let what = if triple {
                LexFailure::UnterminatedTriple
            } else {
                LexFailure::UnterminatedString
            };
            return Err(LexError {
                detected: bytes.len(),
                ..LexError::at(start, what, "")
            });
        };
        if b == quote {
            if !triple {
                i += 1;
                break;
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                i += 3;
                break;
            }
        } else if b == b'\\' {
            // The escaped character never ends the string; `\` + CRLF skips both bytes.
            i += 1;
            if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else if (b == b'\n' || b == b'\r') && !triple {
            return Err(LexError {
                detected: i,
                ..LexError::at(start, LexFailure::UnterminatedString, "")
            });
        }
        i += 1;
    }
    let end = i.min(bytes.len());
    lex.bump(end - lex.span().end);
    Ok(&src[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        Tok::lexer(src).map(|t| t.expect("lexes")).collect()
    }

    #[test]
    fn keywords_names_and_operators() {
        assert_eq!(
            kinds("if iff async await match _x é"),
            vec![
                Tok::If,
                Tok::Name("iff"),
                Tok::Async,
                Tok::Await,
                Tok::Name("match"),
                Tok::Name("_x"),
                Tok::Name("é"),
            ]
        );
        assert_eq!(
            kinds("**= //= ... -> := != <<="),
            vec![
                Tok::DoubleStarEqual,
                Tok::DoubleSlashEqual,
                Tok::Ellipsis,
                Tok::RArrow,
                Tok::ColonEqual,
                Tok::NotEqual,
                Tok::LeftShiftEqual,
            ]
        );
    }

    #[test]
    fn strings_are_single_tokens() {
        assert_eq!(
            kinds(r#"'a' "b\"" rb'x' f"{x}" '''a'b''' u"""x""""#),
            vec![
                Tok::Str("'a'"),
                Tok::Str(r#""b\"""#),
                Tok::Str("rb'x'"),
                Tok::Str("f\"{x}\""),
                Tok::Str("'''a'b'''"),
                Tok::Str("u\"\"\"x\"\"\""),
            ]
        );
        // `ub` is not a prefix: a name followed by a string.
        assert_eq!(kinds("ub''"), vec![Tok::Name("ub"), Tok::Str("''")]);
    }

    #[test]
    fn comments_and_continuations() {
        assert_eq!(
            kinds("x # c\n\\\ny"),
            vec![
                Tok::Name("x"),
                Tok::Newline,
                Tok::Continuation,
                Tok::Name("y")
            ]
        );
    }

    #[test]
    fn unterminated_strings() {
        let err = Tok::lexer("x = 'abc\n").nth(2).unwrap().unwrap_err();
        assert_eq!(err.what, LexFailure::UnterminatedString);
        assert_eq!(err.pos, 4);
        let err = Tok::lexer("'''abc\n").next().unwrap().unwrap_err();
        assert_eq!(err.what, LexFailure::UnterminatedTriple);
    }
}
