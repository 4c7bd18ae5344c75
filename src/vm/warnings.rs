//! Warnings written to stderr the way CPython's `warnings` module shows them with its default
//! filters: once per location and text, as `file:line: Category: message` followed by the
//! source line.

use super::Vm;
use std::collections::HashSet;

/// Locations that already showed a warning (the "default" action shows each one once).
#[derive(Default)]
pub struct WarningRegistry {
    shown: HashSet<(String, u32, String)>,
}

impl Vm {
    /// Shows a warning attributed to the innermost running frame (or `sys:1` when no frame
    /// runs), once per location. `extra` lines follow the source line, except at `sys:1`:
    /// CPython shows those warnings (at shutdown) with its C fallback, message only.
    pub fn warn(&mut self, category: &str, message: &str, extra: &str) {
        let location = self.fiber.last().map(|f| {
            let code = &f.code;
            let span = code
                .spans
                .get(f.lasti() as usize)
                .copied()
                .unwrap_or_default();
            let line = code.file.line_of(span.lo);
            let text = code.file.line_text(line).trim().to_string();
            (code.file.name.to_string(), line as u32, text)
        });
        let at_top = location.is_none();
        let (file, line, source) = location.unwrap_or_else(|| ("sys".into(), 1, String::new()));
        let key = (file.clone(), line, format!("{category}: {message}"));
        if !self.warnings.shown.insert(key) {
            return;
        }
        let mut out = format!("{file}:{line}: {category}: {message}\n");
        if !source.is_empty() {
            out.push_str(&format!("  {source}\n"));
        }
        if !at_top {
            out.push_str(extra);
        }
        self.write_stderr(&out);
    }
}
