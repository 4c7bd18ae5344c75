//! Traceback entries as CPython 3.11's C traceback printer writes them: the `File` line, the
//! source line without its indentation, and a line of carets under the failing expression.
//!
//! The carets follow `tb_displayline`: a span over several lines is highlighted up to the
//! last non-blank character of its first line; a binary operation or a subscript on one line
//! is re-parsed to mark the operator (`~~^~~`) or the brackets (`~~~^^^^`); and the caret
//! line is left out when plain carets would cover the whole stripped line.

use super::object::TbEntry;
use crate::syntax::ast::{ExprKind, StmtKind};

/// Writes one `File "...", line N, in name` block with its source line and carets.
pub(crate) fn format_tb_entry(entry: &TbEntry, out: &mut String) {
    let code = &entry.code;
    let file = &code.file;
    let span = code
        .spans
        .get(entry.ip as usize)
        .copied()
        .unwrap_or_default();
    let line = file.line_of(span.lo);
    out.push_str(&format!(
        "  File \"{}\", line {}, in {}\n",
        file.name, line, code.name
    ));
    // Like CPython's linecache, there is no source to show for `<string>` or `<stdin>`.
    if file.name.starts_with('<') && file.name.ends_with('>') {
        return;
    }
    let text = file.line_text(line);
    let text = text.trim_end_matches(['\n', '\r']);
    let stripped = text.trim_start();
    if stripped.is_empty() {
        return;
    }
    out.push_str(&format!("    {}\n", stripped.trim_end()));
    let line_start = file.line_start(line);
    let lo = span.lo as usize;
    let hi = span.hi as usize;
    if lo < line_start || hi <= lo || lo > line_start + text.len() {
        return;
    }
    let indent = text[..text.len() - stripped.len()].chars().count();
    let start_col = text[..lo - line_start].chars().count();
    let one_line = hi <= line_start + text.len();
    let (end_col, anchors) = if one_line {
        let segment = &text[lo - line_start..hi - line_start];
        let anchors = anchors(segment).map(|(l, r)| {
            (
                start_col + segment[..l].chars().count(),
                start_col + segment[..r].chars().count(),
            )
        });
        (text[..hi - line_start].chars().count(), anchors)
    } else {
        (text.trim_end().chars().count(), None)
    };
    let content_end = text.trim_end().chars().count();
    if start_col <= indent && end_col >= content_end && anchors.is_none() {
        return;
    }
    let (primary, secondary) = if anchors.is_some() {
        ('~', '^')
    } else {
        ('^', '^')
    };
    let mut carets = String::from("    ");
    for offset in indent + 1..=end_col {
        let c = match anchors {
            _ if offset <= start_col => ' ',
            Some((l, r)) if l < offset && offset <= r => secondary,
            _ => primary,
        };
        carets.push(c);
    }
    carets.push('\n');
    out.push_str(&carets);
}

/// Byte offsets in `segment` bounding the part to mark with `^`: the operator of a binary
/// operation or the brackets of a subscript (`extract_anchors_from_expr`).
fn anchors(segment: &str) -> Option<(usize, usize)> {
    let module = crate::syntax::parse_module(segment).ok()?;
    let [stmt] = module.body.as_slice() else {
        return None;
    };
    let StmtKind::Expr(expr) = &stmt.kind else {
        return None;
    };
    let b = segment.as_bytes();
    match &expr.kind {
        ExprKind::BinOp { left, right, .. } => {
            let (from, to) = (left.span.hi as usize, right.span.lo as usize);
            let mut found = None;
            let mut i = from;
            while i < to {
                if b[i].is_ascii_whitespace() {
                    i += 1;
                    continue;
                }
                let mut r = i + 1;
                if i + 1 < to && !b[i + 1].is_ascii_whitespace() {
                    r += 1;
                }
                found = Some((i, r));
                // A closing parenthesis of the left operand is not the operator.
                if i + 1 < to && b[i] == b')' {
                    i += 1;
                    continue;
                }
                break;
            }
            found
        }
        ExprKind::Subscript { value, slice } => {
            let mut l = value.span.hi as usize;
            let mut r = slice.span.hi as usize + 1;
            while l < b.len() && b[l] != b'[' {
                l += 1;
            }
            while r < b.len() && b[r] != b']' {
                r += 1;
            }
            if r < b.len() {
                r += 1;
            }
            Some((l, r.min(b.len())))
        }
        _ => None,
    }
}
