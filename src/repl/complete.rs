//! Tab completion: keywords, global and builtin names, module members and attributes of
//! live objects, in the manner of CPython's `rlcompleter`, plus module names after `import`
//! and a module's names after `from module import`.
//!
//! What is being completed is worked out on the reader thread (`target`); names that need
//! the interpreter are looked up on the interpreter thread (`candidates`), where only plain
//! names and attribute lookups are evaluated — never calls or subscripts — properties are not
//! run, and only standard modules or modules already imported are imported.
//! Invariant: every candidate starts with the completed word.

use crate::vm::object::ObjKind;
use crate::vm::value::{ObjRef, Value};
use crate::vm::Vm;

/// Python's keywords, with what rlcompleter appends to each.
const KEYWORDS: &[&str] = &[
    "False",
    "None",
    "True",
    "and ",
    "as ",
    "assert ",
    "async ",
    "await ",
    "break",
    "class ",
    "continue",
    "def ",
    "del ",
    "elif ",
    "else",
    "except ",
    "finally:",
    "for ",
    "from ",
    "global ",
    "if ",
    "import ",
    "in ",
    "is ",
    "lambda ",
    "nonlocal ",
    "not ",
    "or ",
    "pass",
    "raise ",
    "return ",
    "try:",
    "while ",
    "with ",
    "yield ",
];

/// Standard modules offered after `import` (those this build has).
const STANDARD_MODULES: &[&str] = &[
    "asyncio",
    "collections",
    "concurrent",
    "contextlib",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "json",
    "math",
    "operator",
    "os",
    "pprint",
    "random",
    "string",
    "sys",
    "textwrap",
    "time",
    "types",
    "aiohttp",
];

/// What the word before the cursor is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A name or a dotted attribute chain in an expression.
    Expr(String),
    /// A module name after `import` or `from`.
    Module(String),
    /// A name after `from module import`.
    FromImport { module: String, prefix: String },
}

impl Target {
    /// The text being completed (every candidate starts with it).
    pub fn word(&self) -> &str {
        match self {
            Target::Expr(w) | Target::Module(w) => w,
            Target::FromImport { prefix, .. } => prefix,
        }
    }
}

/// What to complete in `line[..pos]`, and where its word starts.
pub fn target(line: &str, pos: usize) -> (usize, Target) {
    let line_start = line[..pos].rfind('\n').map_or(0, |i| i + 1);
    let start = word_at(line, pos).max(line_start);
    let word = line[start..pos].to_string();
    let head: Vec<&str> = line[line_start..start].split_whitespace().collect();
    let t = match head.as_slice() {
        ["import", ..] | ["from"] => Target::Module(word),
        ["from", module, "import", ..] if !word.contains('.') => Target::FromImport {
            module: module.to_string(),
            prefix: word,
        },
        _ => Target::Expr(word),
    };
    (start, t)
}

/// Where the word to complete starts in `line[..pos]`: a dotted name such as `task.ca`.
pub fn word_at(line: &str, pos: usize) -> usize {
    let before = &line[..pos];
    let mut start = pos;
    for (i, c) in before.char_indices().rev() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            start = i;
        } else {
            break;
        }
    }
    start
}

/// Keywords starting with `word`.
pub fn keywords(word: &str) -> Vec<String> {
    if word.is_empty() {
        return Vec::new();
    }
    KEYWORDS
        .iter()
        .filter(|k| k.starts_with(word))
        .map(|k| k.to_string())
        .collect()
}

/// Completions of `target` against the live session, sorted, without duplicates.
pub fn candidates(vm: &mut Vm, globals: &ObjRef, target: &Target) -> Vec<String> {
    let mut out = match target {
        Target::Expr(word) => match word.rsplit_once('.') {
            Some((base, prefix)) => attributes(vm, globals, base, prefix),
            None => names(vm, globals, word),
        },
        Target::Module(prefix) => modules(vm, prefix),
        Target::FromImport { module, prefix } => module_names(vm, module, prefix),
    };
    out.sort();
    out.dedup();
    out
}

/// Modules already imported, and the standard ones, whose names start with `prefix`.
fn modules(vm: &mut Vm, prefix: &str) -> Vec<String> {
    let mods = vm.modules.clone();
    let mut out: Vec<String> = vm
        .dict_items(&mods)
        .into_iter()
        .filter_map(|(k, _)| k.as_str().map(str::to_string))
        .filter(|n| n.starts_with(prefix) && !n.starts_with('_'))
        .collect();
    for name in STANDARD_MODULES {
        if name.starts_with(prefix) && is_standard(vm, name) {
            out.push(name.to_string());
        }
    }
    out
}

/// Whether this build has the standard module `name`.
fn is_standard(vm: &mut Vm, name: &str) -> bool {
    crate::modules::stdlib_source(name).is_some()
        || matches!(crate::modules::native_module(vm, name), Ok(Some(_)))
}

/// Public names of `module` starting with `prefix` (the module imported only if it is
/// loaded already or standard: completing must not run a user's module).
fn module_names(vm: &mut Vm, module: &str, prefix: &str) -> Vec<String> {
    let mods = vm.modules.clone();
    let loaded = vm.dict_get_str(&mods, module).is_some();
    let top = module.split('.').next().unwrap_or(module);
    if !loaded && !is_standard(vm, top) {
        return Vec::new();
    }
    let Ok(m) = vm.import_module(module) else {
        return Vec::new();
    };
    let Ok(names) = vm.dir_of(&Value::Obj(m)) else {
        return Vec::new();
    };
    names
        .into_iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .filter(|n| n.starts_with(prefix) && !hidden(n, prefix))
        .collect()
}

/// Global and builtin names starting with `prefix`; callables get a `(`.
fn names(vm: &mut Vm, globals: &ObjRef, prefix: &str) -> Vec<String> {
    let builtins = match &vm.builtins.kind {
        ObjKind::Module(m) => Some(m.dict.clone()),
        _ => None,
    };
    let mut out = Vec::new();
    for d in std::iter::once(globals.clone()).chain(builtins) {
        for (k, v) in vm.dict_items(&d) {
            let Some(name) = k.as_str() else { continue };
            if name.starts_with(prefix) && is_identifier(name) {
                out.push(with_paren(vm, name, &v));
            }
        }
    }
    out
}

/// Attributes of the object named by `base` starting with `prefix`, as `base.attr`.
fn attributes(vm: &mut Vm, globals: &ObjRef, base: &str, prefix: &str) -> Vec<String> {
    let Some(obj) = lookup(vm, globals, base) else {
        return Vec::new();
    };
    let Ok(names) = vm.dir_of(&obj) else {
        return Vec::new();
    };
    let ty = match &obj {
        Value::Obj(o) if o.as_type().is_some() => o.clone(),
        _ => vm.type_of(&obj).clone(),
    };
    let mut out = Vec::new();
    for n in names {
        let Some(name) = n.as_str().map(str::to_string) else {
            continue;
        };
        if !name.starts_with(prefix) || hidden(&name, prefix) {
            continue;
        }
        let key = vm.intern(&name);
        let on_type = vm.lookup_type(&ty, &key);
        let full = format!("{base}.{name}");
        if on_type
            .as_ref()
            .is_some_and(|d| matches!(d.kind(), Some(ObjKind::Property(_))))
        {
            out.push(full);
            continue;
        }
        match vm.getattr_opt(&obj, &name) {
            Ok(Some(v)) => out.push(with_paren(vm, &full, &v)),
            _ => out.push(full),
        }
    }
    out
}

/// rlcompleter hides `_private` names unless the prefix asks for them (and `__dunder__`
/// names unless it starts with two underscores).
fn hidden(name: &str, prefix: &str) -> bool {
    if prefix.starts_with("__") {
        return false;
    }
    if prefix.starts_with('_') {
        return name.starts_with("__");
    }
    name.starts_with('_')
}

/// Evaluates a dotted name (`a`, `a.b.c`) by plain lookups; None when any part fails.
fn lookup(vm: &mut Vm, globals: &ObjRef, dotted: &str) -> Option<Value> {
    let mut parts = dotted.split('.');
    let first = parts.next()?;
    if !is_identifier(first) {
        return None;
    }
    let mut v = match vm.dict_get_str(globals, first) {
        Some(v) => v,
        None => match &vm.builtins.kind {
            ObjKind::Module(m) => {
                let d = m.dict.clone();
                vm.dict_get_str(&d, first)?
            }
            _ => return None,
        },
    };
    for part in parts {
        if !is_identifier(part) {
            return None;
        }
        v = vm.getattr_opt(&v, part).ok()??;
    }
    Some(v)
}

fn with_paren(vm: &mut Vm, word: &str, v: &Value) -> String {
    if crate::builtins::callable_value(vm, v) {
        format!("{word}(")
    } else {
        word.to_string()
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(word_at("x = task.ca", 11), 4);
        assert_eq!(word_at("print(asyncio.sl", 16), 6);
        assert_eq!(word_at("", 0), 0);
        assert_eq!(keywords("aw"), vec!["await ".to_string()]);
        assert_eq!(keywords("tr"), vec!["try:".to_string()]);
    }

    #[test]
    fn targets() {
        let t = |s: &str| target(s, s.len());
        assert_eq!(t("x = task.ca"), (4, Target::Expr("task.ca".into())));
        assert_eq!(t("import asy"), (7, Target::Module("asy".into())));
        assert_eq!(t("import os, asy"), (11, Target::Module("asy".into())));
        assert_eq!(
            t("from asyncio.ta"),
            (5, Target::Module("asyncio.ta".into()))
        );
        assert_eq!(
            t("from asyncio import sl"),
            (
                20,
                Target::FromImport {
                    module: "asyncio".into(),
                    prefix: "sl".into()
                }
            )
        );
        assert_eq!(t("for x in\n    im"), (13, Target::Expr("im".into())));
    }

    #[test]
    fn privacy() {
        assert!(hidden("_x", ""));
        assert!(!hidden("_x", "_"));
        assert!(hidden("__x__", "_"));
        assert!(!hidden("__x__", "__"));
    }
}
