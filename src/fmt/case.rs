//! Case of str as CPython 3.11 sees it (`Objects/unicodeobject.c`: `do_lower`, `do_upper`,
//! `do_casefold`, `do_capitalize`, `do_title`, `do_swapcase` and the `is*` predicates): full
//! mappings (one character may become up to three), the Final_Sigma rule for a capital sigma
//! being lowered, title-case mappings for the first letter of a word and full case folding.
//! Everything comes from tables generated from CPython's Unicode database (`case_tables.rs`,
//! UCD 14.0), not from Rust's std, whose newer Unicode version maps characters python3 leaves
//! alone. ASCII characters never reach the tables.

use super::case_tables::{
    CASED, CASE_IGNORABLE, FOLD, LOWER, LOWERCASE, TITLE, TITLECASE, UPPER, UPPERCASE,
};

fn in_ranges(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    let i = table.partition_point(|&(_, hi)| hi < c);
    i < table.len() && table[i].0 <= c
}

fn mapped(table: &'static [(u32, [u32; 3])], c: char) -> Option<&'static [u32; 3]> {
    let c = c as u32;
    table
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .map(|i| &table[i].1)
}

/// Appends `c`'s mapping in `table`, or `c` itself when the table does not list it.
fn push_mapped(out: &mut String, table: &'static [(u32, [u32; 3])], c: char) {
    match mapped(table, c) {
        Some(m) => {
            for &x in m.iter().take_while(|&&x| x != 0) {
                out.push(char::from_u32(x).expect("a table holds characters"));
            }
        }
        None => out.push(c),
    }
}

/// The Lowercase property (`'a'.islower()`).
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    in_ranges(LOWERCASE, c)
}

/// The Uppercase property (`'A'.isupper()`).
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    in_ranges(UPPERCASE, c)
}

/// A title-case letter (category Lt, such as 'ǅ').
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && in_ranges(TITLECASE, c)
}

/// The Cased property (lower-case, upper-case or title-case letters and a few others).
pub fn is_cased(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_ranges(CASED, c)
}

/// The Case_Ignorable property (apostrophes, combining marks, modifier letters...).
pub fn is_case_ignorable(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\'' | '.' | ':' | '^' | '`');
    }
    in_ranges(CASE_IGNORABLE, c)
}

/// Appends the full upper-case mapping of `c`.
pub fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        return out.push(c.to_ascii_uppercase());
    }
    push_mapped(out, UPPER, c)
}

/// Appends the full title-case mapping of `c`.
pub fn push_title(out: &mut String, c: char) {
    if c.is_ascii() {
        return out.push(c.to_ascii_uppercase());
    }
    match mapped(TITLE, c) {
        Some(_) => push_mapped(out, TITLE, c),
        None => push_mapped(out, UPPER, c),
    }
}

/// Appends the full case folding of `c`.
pub fn push_fold(out: &mut String, c: char) {
    if c.is_ascii() {
        return out.push(c.to_ascii_lowercase());
    }
    match mapped(FOLD, c) {
        Some(_) => push_mapped(out, FOLD, c),
        None => push_mapped(out, LOWER, c),
    }
}

/// Appends the lower case of the character `c` found at byte offset `i` of `text`: a capital
/// sigma becomes a final sigma when a cased letter precedes it and none follows it (skipping
/// case-ignorable characters both ways), as CPython's `lower_ucs4`.
pub fn push_lower_at(out: &mut String, text: &str, i: usize, c: char) {
    if c.is_ascii() {
        return out.push(c.to_ascii_lowercase());
    }
    if c != '\u{3A3}' {
        return push_mapped(out, LOWER, c);
    }
    let before = text[..i].chars().rev().find(|&c| !is_case_ignorable(c));
    let after = text[i + c.len_utf8()..]
        .chars()
        .find(|&c| !is_case_ignorable(c));
    let is_final = before.is_some_and(is_cased) && !after.is_some_and(is_cased);
    out.push(if is_final { '\u{3C2}' } else { '\u{3C3}' });
}

/// `str.lower()`.
pub fn lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        push_lower_at(&mut out, text, i, c);
    }
    out
}

/// `str.upper()`.
pub fn upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_upper(&mut out, c);
    }
    out
}

/// `str.casefold()`.
pub fn casefold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_fold(&mut out, c);
    }
    out
}

/// `str.capitalize()`: the first character in title case, the rest in lower case.
pub fn capitalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if i == 0 {
            push_title(&mut out, c);
        } else {
            push_lower_at(&mut out, text, i, c);
        }
    }
    out
}

/// `str.title()`: a character after a cased one goes to lower case, any other to title case.
pub fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_cased = false;
    for (i, c) in text.char_indices() {
        if prev_cased {
            push_lower_at(&mut out, text, i, c);
        } else {
            push_title(&mut out, c);
        }
        prev_cased = is_cased(c);
    }
    out
}

/// `str.swapcase()`: upper case to lower case (final sigma included) and lower to upper.
pub fn swapcase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if is_upper(c) {
            push_lower_at(&mut out, text, i, c);
        } else if is_lower(c) {
            push_upper(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `str.isupper()`: no lower-case or title-case letter, and at least one upper-case one.
pub fn is_upper_text(text: &str) -> bool {
    let mut cased = false;
    for c in text.chars() {
        if is_lower(c) || is_title(c) {
            return false;
        }
        cased |= is_upper(c);
    }
    cased
}

/// `str.islower()`: no upper-case or title-case letter, and at least one lower-case one.
pub fn is_lower_text(text: &str) -> bool {
    let mut cased = false;
    for c in text.chars() {
        if is_upper(c) || is_title(c) {
            return false;
        }
        cased |= is_lower(c);
    }
    cased
}

/// `str.istitle()`: upper- and title-case letters only after uncased characters, lower-case
/// ones only after cased characters, and at least one cased character.
pub fn is_title_text(text: &str) -> bool {
    let mut prev_cased = false;
    let mut any = false;
    for c in text.chars() {
        if is_upper(c) || is_title(c) {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            any = true;
        } else if is_lower(c) {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            any = true;
        } else {
            prev_cased = false;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cpython() {
        assert_eq!(lower("ΣΑΣ"), "σας");
        assert_eq!(lower("Σ"), "σ");
        assert_eq!(lower("AΣ'"), "aς'");
        assert_eq!(lower("ΑΣ.Α"), "ασ.α");
        assert_eq!(lower("İ"), "i\u{307}");
        assert_eq!(upper("ßﬁ"), "SSFI");
        assert_eq!(casefold("ßﬁΣς"), "ssfiσσ");
        assert_eq!(capitalize("ǆemal ΣΑΣ"), "ǅemal σας");
        assert_eq!(title("ǆemal o'neil ßa"), "ǅemal O'Neil Ssa");
        assert_eq!(swapcase("ΣΑΣ ß"), "σας SS");
        assert!(is_case_ignorable('\u{301}') && !is_case_ignorable('a'));
        assert!(is_title('ǅ') && !is_title('A'));
        assert!(!is_upper_text("Aǅ") && is_title_text("ǅemal") && is_lower_text("ª"));
        // Letters newer than Unicode 14 have no case in python3.
        assert_eq!(upper("\u{19B}"), "\u{19B}");
    }
}
