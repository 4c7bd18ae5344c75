//! Where a traceback line puts `^` under a binary operator or a subscript and `~` under
//! the rest, as CPython 3.11 does for the failing expression.

use crate::syntax::ast::ExprKind;

/// Byte offsets within `segment` of the part drawn with `^` (the operator of a binary
/// operation, or the brackets of a subscript); None when the whole segment is primary.
pub fn anchors(segment: &str) -> Option<(usize, usize)> {
    let expr = crate::syntax::parse_expression(segment).ok()?;
    let bytes = segment.as_bytes();
    match &expr.kind {
        ExprKind::BinOp { left, right, .. } => {
            let op_start = left.span.hi as usize;
            let op_end = (right.span.lo as usize).max(op_start);
            let op = segment.get(op_start..op_end)?;
            let offset = op.len() - op.trim_start().len();
            let mut l = op_start + offset;
            let mut r = l + 1;
            if offset + 1 < op.len() && !op.as_bytes()[offset + 1].is_ascii_whitespace() {
                r += 1;
            }
            while l < bytes.len() && (bytes[l].is_ascii_whitespace() || b")#".contains(&bytes[l])) {
                l += 1;
                r += 1;
            }
            Some((l, r.min(bytes.len())))
        }
        ExprKind::Subscript { value, slice } => {
            let mut l = value.span.hi as usize;
            let mut r = slice.span.hi as usize + 1;
            while l < bytes.len() && bytes[l] != b'[' {
                l += 1;
            }
            while r < bytes.len() && bytes[r] != b']' {
                r += 1;
            }
            if r < bytes.len() {
                r += 1;
            }
            Some((l, r.min(bytes.len())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::anchors;

    #[test]
    fn binary_operator_and_subscript() {
        assert_eq!(anchors("1/0"), Some((1, 2)));
        assert_eq!(anchors("a ** b"), Some((2, 4)));
        assert_eq!(anchors("(a + b) * c"), Some((8, 9)));
        assert_eq!(anchors("d[\"a\"][\"c\"]"), Some((6, 11)));
        assert_eq!(anchors("f(x)"), None);
    }
}
