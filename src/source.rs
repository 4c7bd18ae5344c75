//! Source files and spans.
//!
//! Every position inside Aio is a byte offset into the text of one `SourceFile`; line and
//! column numbers are derived only when something is shown to a user (tracebacks,
//! diagnostics). Invariant: `line_starts` is sorted, starts with 0 and has one entry per line.

use std::rc::Rc;

/// A half-open byte range `lo..hi` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    /// A span from `lo` to `hi` (byte offsets).
    pub fn new(lo: usize, hi: usize) -> Span {
        Span {
            lo: lo as u32,
            hi: hi as u32,
        }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    /// The span as a `Range` of byte offsets.
    pub fn range(self) -> std::ops::Range<usize> {
        self.lo as usize..self.hi as usize
    }
}

/// One script, module or REPL input: its display name and text.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in tracebacks, e.g. `script.aio` or `<stdin>`.
    pub name: String,
    /// The full text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Wraps `text` under `name`, indexing its lines.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Rc<SourceFile> {
        let text = text.into();
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        Rc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The 1-based line number holding byte offset `pos`.
    pub fn line_of(&self, pos: u32) -> usize {
        match self.line_starts.binary_search(&pos) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The 0-based column (in characters) of byte offset `pos` within its line.
    pub fn column_of(&self, pos: u32) -> usize {
        let line = self.line_of(pos);
        let start = self.line_starts[line - 1] as usize;
        let end = (pos as usize).min(self.text.len());
        self.text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(0)
    }

    /// The text of 1-based line `line`, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.line_starts.len() {
            return "";
        }
        let start = self.line_starts[line - 1] as usize;
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .map(|&s| s as usize)
            .unwrap_or(self.text.len())
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let f = SourceFile::new("t", "ab\ncdé\n\nx");
        assert_eq!(f.line_of(0), 1);
        assert_eq!(f.line_of(2), 1);
        assert_eq!(f.line_of(3), 2);
        assert_eq!(f.line_of(9), 4);
        assert_eq!(f.line_text(2), "cdé");
        assert_eq!(f.column_of(7), 3);
        assert_eq!(f.line_text(3), "");
        assert_eq!(f.line_count(), 4);
    }
}
