//! "Did you mean" hints for uncaught NameError and AttributeError, computed when the
//! exception is printed, with CPython 3.11's edit distance (`Python/suggestions.c`).
//! Invariant: nothing here raises; any failure just means no suggestion.

use super::object::ObjKind;
use super::value::{ObjRef, Value};
use super::{Exc, Vm};

const MAX_CANDIDATE_ITEMS: usize = 750;
const MAX_STRING_SIZE: usize = 40;
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

fn substitution_cost(a: u8, b: u8) -> usize {
    if (a & 31) != (b & 31) {
        return MOVE_COST;
    }
    if a == b {
        return 0;
    }
    if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// CPython's Levenshtein distance over UTF-8 bytes, giving up above `max_cost`.
fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (index, &ch) in a.iter().enumerate() {
            let substitute = distance + substitution_cost(code, ch);
            distance = buffer[index];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[index] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

/// The closest candidate to `name`, if any is close enough.
fn calculate(candidates: &[String], name: &str) -> Option<String> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<&String> = None;
    let mut best_distance = usize::MAX;
    for item in candidates {
        if item == name {
            continue;
        }
        let max = ((name.len() + item.len() + 3) * MOVE_COST / 6).min(best_distance - 1);
        let d = levenshtein(name.as_bytes(), item.as_bytes(), max);
        if d > max {
            continue;
        }
        if best.is_none() || d < best_distance {
            best = Some(item);
            best_distance = d;
        }
    }
    best.cloned()
}

fn dict_keys(vm: &mut Vm, d: &ObjRef) -> Vec<String> {
    vm.dict_items(d)
        .into_iter()
        .filter_map(|(k, _)| k.as_str().map(str::to_string))
        .collect()
}

impl Vm {
    /// The name CPython would suggest for an uncaught NameError or AttributeError.
    pub(crate) fn suggestion_for(&mut self, e: &ObjRef) -> Option<String> {
        let v = Value::Obj(e.clone());
        let exc = Exc(e.clone());
        let name_key = self.intern("name");
        let name = self.exc_get_attr(&exc, &name_key)?;
        let name = name.as_str()?.to_string();
        let name_error = self.types.exc("NameError").clone();
        let attr_error = self.types.exc("AttributeError").clone();
        if self.isinstance(&v, &name_error) {
            let ObjKind::Exception(x) = &e.kind else {
                return None;
            };
            let innermost = x.traceback.borrow().first().cloned()?;
            let code = &innermost.code;
            let locals: Vec<String> = code.varnames[..code.nlocals as usize]
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect();
            if let Some(s) = calculate(&locals, &name) {
                return Some(s);
            }
            let globals = dict_keys(self, &innermost.globals);
            if let Some(s) = calculate(&globals, &name) {
                return Some(s);
            }
            let builtins = match &self.builtins.kind {
                ObjKind::Module(m) => m.dict.clone(),
                _ => return None,
            };
            let builtins = dict_keys(self, &builtins);
            return calculate(&builtins, &name);
        }
        if self.isinstance(&v, &attr_error) {
            let obj_key = self.intern("obj");
            let obj = self.exc_get_attr(&exc, &obj_key)?;
            let dir = self.dir_of(&obj).ok()?;
            let dir: Vec<String> = dir
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect();
            return calculate(&dir, &name);
        }
        None
    }
}
