//! When REPL input is complete, decided by the real parser.
//!
//! Input typed line by line follows CPython's interactive rules (one statement; a compound
//! statement ends at a blank line; open brackets, triple-quoted strings and a trailing
//! backslash ask for more). A block that arrived as one multi-line buffer — pasted, or
//! recalled from history — may hold several statements and runs as it was written.
//! Invariant: the text handed to `parse` and `classify` is the accumulated lines, each
//! ending in `\n`.

use crate::syntax::{ast, SyntaxError};

/// What the parser makes of the input so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputState {
    /// More lines are needed: show the `...` prompt.
    Incomplete,
    /// Ready to run (possibly empty).
    Complete,
    /// A syntax error: report it at once, with no further lines.
    Invalid,
}

/// Parses complete input: one interactive statement, or with `block` every statement of a
/// multi-line buffer.
pub fn parse(src: &str, block: bool) -> Result<ast::Module, SyntaxError> {
    if block {
        crate::syntax::parse_interactive_block(src)
    } else {
        crate::syntax::parse_interactive(src)
    }
}

/// Whether `src` is complete, needs more lines, or is wrong already.
pub fn classify(src: &str, block: bool) -> InputState {
    match parse(src, block) {
        Ok(_) => InputState::Complete,
        Err(e) if e.incomplete => InputState::Incomplete,
        Err(_) => InputState::Invalid,
    }
}

/// True when nothing but blank lines and comments has been entered.
pub fn is_blank(src: &str) -> bool {
    src.lines().all(|l| {
        let t = l.trim_start();
        t.is_empty() || t.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lines_follow_cpython() {
        assert_eq!(classify("x = 1\n", false), InputState::Complete);
        assert_eq!(classify("for i in x:\n", false), InputState::Incomplete);
        assert_eq!(
            classify("for i in x:\n    pass\n", false),
            InputState::Incomplete
        );
        assert_eq!(
            classify("for i in x:\n    pass\n\n", false),
            InputState::Complete
        );
        assert_eq!(classify("x = (1,\n", false), InputState::Incomplete);
        assert_eq!(classify("s = '''a\n", false), InputState::Incomplete);
        assert_eq!(classify("1 +\n", false), InputState::Invalid);
        assert_eq!(classify("x = 1\ny = 2\n", false), InputState::Invalid);
    }

    #[test]
    fn blocks_run_as_written() {
        let paste = "def f():\n    x = 1\n\n    return x\n\nprint(f())\n";
        assert_eq!(classify(paste, true), InputState::Complete);
        assert_eq!(parse(paste, true).map(|m| m.body.len()).ok(), Some(2));
        assert_eq!(
            classify("x = 1\nfor i in y:\n    pass\n", true),
            InputState::Incomplete
        );
        assert_eq!(
            classify("x = 1\nfor i in y:\n    pass\n\n", true),
            InputState::Complete
        );
        assert_eq!(
            classify("if x:\n    pass\nelse:\n", true),
            InputState::Incomplete
        );
    }

    #[test]
    fn blank_input() {
        assert!(is_blank("\n"));
        assert!(is_blank("  # note\n"));
        assert!(!is_blank("x\n"));
    }
}
