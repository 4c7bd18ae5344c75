//! Source text to AST: tokens (logos), the layout pass, the LALRPOP parser.

pub mod ast;
pub mod error;

pub use error::{SyntaxError, SyntaxErrorKind};

use crate::source::Span;

/// Parses a whole module (a file).
pub fn parse_module(_src: &str) -> Result<ast::Module, SyntaxError> {
    Err(SyntaxError::new("parser not built yet", Span::default()))
}

/// Parses interactive input: one statement (simple or compound) or several simple ones.
pub fn parse_interactive(_src: &str) -> Result<ast::Module, SyntaxError> {
    Err(SyntaxError::new("parser not built yet", Span::default()))
}

/// Parses a single expression.
pub fn parse_expression(_src: &str) -> Result<ast::Expr, SyntaxError> {
    Err(SyntaxError::new("parser not built yet", Span::default()))
}
