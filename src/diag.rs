//! Rendering compile-time errors for people: a rich ariadne report, or CPython's own plain
//! layout. Invariant: both forms end with the line `{Kind}: {msg}` exactly as python3 prints
//! it, and spans are converted from byte offsets only here.

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use crate::source::SourceFile;
use crate::syntax::{SyntaxError, SyntaxErrorKind};

/// The span clamped to the text, widened to one character when empty so a label shows.
fn label_range(err: &SyntaxError, text: &str) -> std::ops::Range<usize> {
    let mut lo = (err.span.lo as usize).min(text.len());
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (err.span.hi as usize).clamp(lo, text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    if hi == lo {
        hi = text[lo..].chars().next().map_or(lo, |c| lo + c.len_utf8());
    }
    lo..hi
}

/// A rich report: file name, line and column in the header, the offending span labelled,
/// the hint (if any) as a note, colour only when `color` is set. The last line is
/// `{Kind}: {msg}` as python3 prints it.
pub fn render_syntax_error(err: &SyntaxError, file: &SourceFile, color: bool) -> String {
    let kind = err.kind.class_name();
    let last = format!("{kind}: {}\n", err.msg);
    if err.kind == SyntaxErrorKind::RecursionError {
        return last;
    }
    let name = file.name.as_str();
    let range = label_range(err, &file.text);
    let line = file.line_of(range.start as u32);
    let col = file.column_of(range.start as u32) + 1;
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte);
    let label_color = if color { Color::Red } else { Color::Primary };
    let mut report = Report::build(ReportKind::Custom(kind, label_color), (name, range.clone()))
        .with_config(config)
        .with_message(format!("{} (line {line}, column {col})", err.msg))
        .with_label(
            Label::new((name, range))
                .with_message(label_text(err))
                .with_color(label_color),
        );
    if let Some(hint) = &err.hint {
        report = report.with_note(hint);
    }
    let mut out = Vec::new();
    let written = report
        .finish()
        .write((name, Source::from(file.text.as_str())), &mut out);
    let mut text = if written.is_ok() {
        let text = String::from_utf8_lossy(&out).into_owned();
        if color {
            text
        } else {
            strip_ansi(&text)
        }
    } else {
        python_style(err, file)
            .lines()
            .filter(|l| !l.starts_with(kind))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&last);
    text
}

/// Removes terminal escape sequences (ariadne colours a custom report kind even when
/// colour is off).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
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

/// The short text attached to the underlined span.
fn label_text(err: &SyntaxError) -> &'static str {
    if err.incomplete {
        "the input ends here"
    } else {
        match err.kind {
            SyntaxErrorKind::IndentationError | SyntaxErrorKind::TabError => "at this indentation",
            _ => "here",
        }
    }
}

/// CPython's plain layout:
///
/// ```text
///   File "t.aio", line 1
///     x = = 1
///         ^
/// SyntaxError: invalid syntax
/// ```
///
/// The source line is shown without its indentation, with carets under the span (one for
/// indentation errors, as CPython prints them).
pub fn python_style(err: &SyntaxError, file: &SourceFile) -> String {
    let kind = err.kind.class_name();
    let last = format!("{kind}: {}\n", err.msg);
    if err.kind == SyntaxErrorKind::RecursionError {
        return last;
    }
    let range = label_range(err, &file.text);
    let line = file.line_of(range.start as u32);
    let mut out = format!("  File \"{}\", line {line}\n", file.name);
    let text = file.line_text(line);
    let stripped = text.trim_start_matches([' ', '\t', '\x0c']);
    let indent = text.chars().count() - stripped.chars().count();
    out.push_str(&format!("    {stripped}\n"));
    let col = file.column_of(range.start as u32);
    if col >= indent {
        let col = col - indent;
        let same_line = file.line_of(err.span.hi) == line;
        let width = match err.kind {
            SyntaxErrorKind::SyntaxError if same_line && err.span.hi > err.span.lo => {
                (file.column_of(err.span.hi) - indent)
                    .saturating_sub(col)
                    .max(1)
            }
            _ => 1,
        };
        out.push_str(&format!("    {}{}\n", " ".repeat(col), "^".repeat(width)));
    }
    out.push_str(&last);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_module;

    fn err(src: &str) -> (SyntaxError, std::rc::Rc<SourceFile>) {
        let e = parse_module(src).expect_err("the source is invalid");
        (e, SourceFile::new("t.aio", src))
    }

    #[test]
    fn python_style_matches_cpython() {
        // Each expected text is what python3 prints for the same file.
        let (e, f) = err("x = 1\nif x = 1:\n    pass\n");
        assert_eq!(
            python_style(&e, &f),
            "  File \"t.aio\", line 2\n    if x = 1:\n       ^^^^^\n\
             SyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='?\n"
        );
        let (e, f) = err("def f():\n\t  y = = 2\n");
        assert_eq!(
            python_style(&e, &f),
            "  File \"t.aio\", line 2\n    y = = 2\n        ^\nSyntaxError: invalid syntax\n"
        );
        let (e, f) = err("x = (1,\n");
        assert_eq!(
            python_style(&e, &f),
            "  File \"t.aio\", line 1\n    x = (1,\n        ^\nSyntaxError: '(' was never closed\n"
        );
        let (e, f) = err("if x:\npass\n");
        assert_eq!(
            python_style(&e, &f),
            "  File \"t.aio\", line 2\n    pass\n    ^\n\
             IndentationError: expected an indented block after 'if' statement on line 1\n"
        );
        let (e, f) = err("x = f(a for a in b, c)\n");
        assert_eq!(
            python_style(&e, &f),
            "  File \"t.aio\", line 1\n    x = f(a for a in b, c)\n          ^^^^^^^^^^^^\n\
             SyntaxError: Generator expression must be parenthesized\n"
        );
    }

    #[test]
    fn rich_report_ends_with_the_python_line() {
        let (e, f) = err("x = 1\ny = = 2\n");
        let text = render_syntax_error(&e, &f, false);
        assert!(text.ends_with("\nSyntaxError: invalid syntax\n"), "{text}");
        assert!(text.contains("t.aio"), "{text}");
        assert!(text.contains("line 2, column 5"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour unless asked: {text}");
        let coloured = render_syntax_error(&e, &f, true);
        assert!(coloured.contains('\u{1b}'));
        assert!(coloured.ends_with("\nSyntaxError: invalid syntax\n"));
    }

    #[test]
    fn hint_becomes_a_note() {
        let (e, f) = err("x = 1j\n");
        assert!(e.hint.is_some());
        let text = render_syntax_error(&e, &f, false);
        assert!(text.contains("no complex type"), "{text}");
    }

    #[test]
    fn errors_at_the_end_of_input_render() {
        for src in ["if x:", "x = (", "'''abc", "x = 1 +", ""] {
            if let Err(e) = parse_module(src) {
                let f = SourceFile::new("t.aio", src);
                let text = render_syntax_error(&e, &f, false);
                assert!(text.ends_with(&format!("{}: {}\n", e.kind.class_name(), e.msg)));
                python_style(&e, &f);
            }
        }
    }
}
