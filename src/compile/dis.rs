//! A disassembler for `Code` objects (for debugging the compiler and for `aio --dis`).
//! Invariant: the output names every instruction with its index, operand and source line.

use super::code::Code;
use crate::vm::object::ObjKind;
use std::fmt::Write;

/// A readable listing of `code` and every code object nested in its constants.
pub fn disassemble(code: &Code) -> String {
    let mut out = String::new();
    let mut todo = vec![code];
    let mut nested = Vec::new();
    while let Some(c) = todo.pop() {
        let _ = writeln!(
            out,
            "Disassembly of {} (line {}, {} locals, {} cells, {} free, stack {}):",
            c.qualname, c.first_line, c.nlocals, c.ncells, c.nfree, c.max_stack
        );
        let mut last_line = 0;
        for (i, ins) in c.instrs.iter().enumerate() {
            let line = c.line_of(i as u32);
            let marker = if line != last_line {
                last_line = line;
                format!("{line:>4}")
            } else {
                "    ".to_string()
            };
            let _ = writeln!(out, "{marker} {i:>5} {ins:?}");
        }
        for e in &c.exc_table {
            let _ = writeln!(
                out,
                "  handler: {}..{} -> {} depth {}",
                e.start, e.end, e.target, e.depth
            );
        }
        out.push('\n');
        for k in &c.consts {
            if let Some(ObjKind::Code(inner)) = k.kind() {
                nested.push(inner.clone());
            }
        }
        if todo.is_empty() {
            for n in nested.drain(..) {
                out.push_str(&disassemble(&n));
            }
        }
    }
    out
}
