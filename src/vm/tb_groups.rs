//! Uncaught exception groups, printed as CPython 3.11's `print_exception_group` does: the
//! group's own traceback behind a `| ` margin, then each sub-exception in a numbered box,
//! nested groups indented two more columns per level.
//! Invariant: at depth 0 the output is exactly the plain traceback format.

use super::value::{ObjRef, Value};
use super::Vm;

/// Sub-exceptions shown per group before "and N more exceptions".
const MAX_GROUP_WIDTH: usize = 15;
/// Nesting shown before "... (max_group_depth is 10)".
const MAX_GROUP_DEPTH: usize = 10;

/// The prefix of every line printed at group depth `depth` (`EXC_INDENT` + `EXC_MARGIN`).
pub(crate) fn margin(depth: usize) -> String {
    if depth == 0 {
        String::new()
    } else {
        format!("{}| ", " ".repeat(2 * depth))
    }
}

/// Appends `text` with each line behind the margin for `depth`; the first line of a
/// top-level group's traceback takes `+ ` instead of `| `.
pub(crate) fn indent_into(text: &str, depth: usize, top_group: bool, out: &mut String) {
    let m = margin(depth);
    for (i, line) in text.lines().enumerate() {
        if i == 0 && top_group && depth == 1 && line.starts_with("Exception Group Traceback") {
            out.push_str(&format!("{}+ ", " ".repeat(2 * depth)));
        } else {
            out.push_str(&m);
        }
        out.push_str(line);
        out.push('\n');
    }
}

impl Vm {
    /// A group and its sub-exceptions.
    pub(crate) fn format_group(
        &mut self,
        e: &ObjRef,
        out: &mut String,
        seen: &mut Vec<usize>,
        depth: usize,
    ) {
        if depth > MAX_GROUP_DEPTH {
            out.push_str(&format!(
                "{}... (max_group_depth is {MAX_GROUP_DEPTH})\n",
                margin(depth)
            ));
            return;
        }
        let depth = depth.max(1);
        let mut text = String::new();
        self.format_single(e, &mut text, true);
        indent_into(&text, depth, true, out);
        let excs = self
            .getattr_str(&Value::Obj(e.clone()), "exceptions")
            .ok()
            .and_then(|v| self.collect_iterable(&v).ok())
            .unwrap_or_default();
        let n = excs.len().min(MAX_GROUP_WIDTH + 1);
        let indent = " ".repeat(2 * depth);
        for (i, sub) in excs.iter().take(n).enumerate() {
            let first = if i == 0 { "+-" } else { "  " };
            if i < MAX_GROUP_WIDTH {
                out.push_str(&format!(
                    "{indent}{first}+---------------- {} ----------------\n",
                    i + 1
                ));
                if let Value::Obj(o) = sub {
                    self.format_chain(o, out, seen, depth + 1);
                }
            } else {
                out.push_str(&format!(
                    "{indent}{first}+---------------- ... ----------------\n"
                ));
                let rest = excs.len() - MAX_GROUP_WIDTH;
                let s = if rest > 1 { "s" } else { "" };
                out.push_str(&format!(
                    "{}and {rest} more exception{s}\n",
                    margin(depth + 1)
                ));
            }
            // The closing rule is written once, by the innermost group that ends here.
            if i == n - 1 && !out.ends_with("+------------------------------------\n") {
                let inner = " ".repeat(2 * (depth + 1));
                out.push_str(&format!("{inner}+------------------------------------\n"));
            }
        }
    }
}
