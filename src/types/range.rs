//! `range` and `slice`, and the index arithmetic every sequence shares.
//! Invariant: `RangeObj::len` is always the exact element count, computed once at creation.

use crate::vm::object::{Args, ObjKind, RangeObj};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Resolved slice bounds for a sequence of a given length.
#[derive(Clone, Copy, Debug)]
pub struct SliceIndices {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
    pub len: usize,
}

impl SliceIndices {
    /// The selected indices in order.
    pub fn indices(&self) -> impl Iterator<Item = usize> {
        let (start, step) = (self.start, self.step);
        (0..self.len).map(move |i| (start + i as i64 * step) as usize)
    }
}

/// Number of elements of `range(start, stop, step)`.
pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    let (lo, hi, st) = if step > 0 {
        (start as i128, stop as i128, step as i128)
    } else {
        (stop as i128, start as i128, -(step as i128))
    };
    if lo >= hi {
        0
    } else {
        ((hi - lo - 1) / st + 1) as i64
    }
}

impl Vm {
    /// Normalises a possibly negative index; None when out of range.
    pub fn norm_index(&self, i: i64, len: usize) -> Option<usize> {
        let i = if i < 0 { i + len as i64 } else { i };
        if i < 0 || i >= len as i64 {
            None
        } else {
            Some(i as usize)
        }
    }

    /// The bounds a slice selects in a sequence of length `len` (CPython's `PySlice_AdjustIndices`).
    pub fn slice_indices(&mut self, s: &Value, len: usize) -> PyResult<SliceIndices> {
        let Some(ObjKind::Slice(parts)) = s.kind() else {
            return Err(self.type_error("expected a slice".into()));
        };
        let [start, stop, step] = [parts[0].clone(), parts[1].clone(), parts[2].clone()];
        let step = match &step {
            Value::None => 1,
            v => self.slice_bound(v)?,
        };
        if step == 0 {
            return Err(self.value_error("slice step cannot be zero".into()));
        }
        let len = len as i64;
        let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
        let (lo_default, hi_default) = if step < 0 { (len - 1, -1) } else { (0, len) };
        let start = match &start {
            Value::None => lo_default,
            v => {
                let mut i = self.slice_bound(v)?;
                if i < 0 {
                    i += len;
                }
                if step < 0 {
                    clamp(i, -1, len - 1)
                } else {
                    clamp(i, 0, len)
                }
            }
        };
        let stop = match &stop {
            Value::None => hi_default,
            v => {
                let mut i = self.slice_bound(v)?;
                if i < 0 {
                    i += len;
                }
                if step < 0 {
                    clamp(i, -1, len - 1)
                } else {
                    clamp(i, 0, len)
                }
            }
        };
        let count = if step < 0 {
            if stop < start {
                (start - stop - 1) / (-step) + 1
            } else {
                0
            }
        } else if start < stop {
            (stop - start - 1) / step + 1
        } else {
            0
        };
        Ok(SliceIndices {
            start,
            stop,
            step,
            len: count as usize,
        })
    }

    fn slice_bound(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(b.get() as i64),
            _ => match v.kind() {
                Some(ObjKind::BigInt(b)) => {
                    use num_traits::Signed;
                    Ok(if b.is_negative() {
                        i64::MIN / 2
                    } else {
                        i64::MAX / 2
                    })
                }
                _ => match self.index_value(v) {
                    Ok(i) => Ok(i),
                    Err(_) => Err(self.type_error(
                        "slice indices must be integers or None or have an __index__ method".into(),
                    )),
                },
            },
        }
    }

    /// A `range` object.
    pub fn new_range(&mut self, start: i64, stop: i64, step: i64) -> Value {
        Value::Obj(self.alloc(ObjKind::Range(Box::new(RangeObj {
            start,
            stop,
            step,
            len: range_len(start, stop, step),
        }))))
    }
}

fn range_new(vm: &mut Vm, args: Args) -> PyResult {
    args.no_kwargs(vm, "range")?;
    let a = &args.pos[1..];
    let mut nums = Vec::with_capacity(a.len());
    for v in a {
        nums.push(vm.index_value(v)?);
    }
    let (start, stop, step) = match nums.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => {
            if *step == 0 {
                return Err(vm.value_error("range() arg 3 must not be zero".into()));
            }
            (*start, *stop, *step)
        }
        [] => return Err(vm.type_error("range expected at least 1 argument, got 0".into())),
        _ => {
            let n = a.len();
            return Err(vm.type_error(format!("range expected at most 3 arguments, got {n}")));
        }
    };
    Ok(vm.new_range(start, stop, step))
}

fn range_of(v: &Value) -> (i64, i64, i64, i64) {
    match v.kind() {
        Some(ObjKind::Range(r)) => (r.start, r.stop, r.step, r.len),
        _ => (0, 0, 1, 0),
    }
}

/// `range[i]` and `range[a:b:c]`.
pub fn getitem(vm: &mut Vm, r: &Value, key: &Value) -> PyResult {
    let (start, _stop, step, len) = range_of(r);
    if let Some(ObjKind::Slice(_)) = key.kind() {
        let s = vm.slice_indices(key, len as usize)?;
        let new_start = start + s.start * step;
        let new_step = step * s.step;
        let new_stop = new_start + s.len as i64 * new_step;
        return Ok(vm.new_range(new_start, new_stop, new_step));
    }
    let i = match vm.index_value(key) {
        Ok(i) => i,
        Err(_) => {
            let msg = format!(
                "range indices must be integers or slices, not {}",
                vm.type_name(key)
            );
            return Err(vm.type_error(msg));
        }
    };
    match vm.norm_index(i, len as usize) {
        Some(i) => Ok(Value::Int(start + i as i64 * step)),
        None => Err(vm.index_error("range object index out of range".into())),
    }
}

/// `x in range(...)`.
pub fn contains(vm: &mut Vm, r: &Value, item: &Value) -> PyResult<bool> {
    let (start, stop, step, _) = range_of(r);
    let x = match item {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ => {
            for i in range_items(r) {
                if vm.eq(&Value::Int(i), item)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
    };
    let inside = if step > 0 {
        x >= start && x < stop
    } else {
        x <= start && x > stop
    };
    Ok(inside && (x - start) % step == 0)
}

fn range_items(r: &Value) -> impl Iterator<Item = i64> {
    let (start, _, step, len) = range_of(r);
    (0..len).map(move |i| start + i * step)
}

/// `range == range`: equal when they produce the same sequence.
pub fn range_eq(a: &Value, b: &Value) -> bool {
    let (s1, _, st1, l1) = range_of(a);
    let (s2, _, st2, l2) = range_of(b);
    l1 == l2 && (l1 == 0 || (s1 == s2 && (l1 == 1 || st1 == st2)))
}

fn getter(field: usize) -> crate::vm::object::Getter {
    match field {
        0 => |_vm, v| Ok(Value::Int(range_of(v).0)),
        1 => |_vm, v| Ok(Value::Int(range_of(v).1)),
        _ => |_vm, v| Ok(Value::Int(range_of(v).2)),
    }
}

fn range_index(vm: &mut Vm, args: Args) -> PyResult {
    let r = &args.pos[0];
    let item = args.pos.get(1).cloned().unwrap_or(Value::None);
    if contains(vm, r, &item)? {
        if let Some(x) = item.as_i64() {
            let (start, _, step, _) = range_of(r);
            return Ok(Value::Int((x - start) / step));
        }
    }
    let s = vm.repr(&item)?;
    Err(vm.value_error(format!("{s} is not in range")))
}

fn range_count(vm: &mut Vm, args: Args) -> PyResult {
    let item = args.pos.get(1).cloned().unwrap_or(Value::None);
    Ok(Value::Int(contains(vm, &args.pos[0], &item)? as i64))
}

fn range_reversed(vm: &mut Vm, args: Args) -> PyResult {
    let (start, _, step, len) = range_of(&args.pos[0]);
    let last = start + (len - 1) * step;
    let r = vm.new_range(last, start - step, -step);
    let r = if len == 0 { vm.new_range(0, 0, 1) } else { r };
    vm.get_iter(&r)
}

fn slice_new(vm: &mut Vm, args: Args) -> PyResult {
    let a = &args.pos[1..];
    let (start, stop, step) = match a {
        [stop] => (Value::None, stop.clone(), Value::None),
        [start, stop] => (start.clone(), stop.clone(), Value::None),
        [start, stop, step] => (start.clone(), stop.clone(), step.clone()),
        _ => {
            return Err(vm.type_error(format!(
                "slice expected at least 1 argument, got {}",
                a.len()
            )))
        }
    };
    Ok(Value::Obj(
        vm.alloc(ObjKind::Slice(Box::new([start, stop, step]))),
    ))
}

fn slice_part(v: &Value, i: usize) -> Value {
    match v.kind() {
        Some(ObjKind::Slice(p)) => p[i].clone(),
        _ => Value::None,
    }
}

fn slice_indices_m(vm: &mut Vm, args: Args) -> PyResult {
    let len = vm.index_value(&args.pos[1])?;
    let s = vm.slice_indices(&args.pos[0], len.max(0) as usize)?;
    Ok(vm.new_tuple(vec![
        Value::Int(s.start),
        Value::Int(s.stop),
        Value::Int(s.step),
    ]))
}

/// Installs range and slice methods.
pub fn init(vm: &mut Vm) {
    let t = vm.types.range.clone();
    vm.add_staticmethod(&t, "__new__", range_new);
    vm.add_getset(&t, "start", getter(0), None);
    vm.add_getset(&t, "stop", getter(1), None);
    vm.add_getset(&t, "step", getter(2), None);
    vm.add_method(&t, "index", range_index);
    vm.add_method(&t, "count", range_count);
    vm.add_method(&t, "__reversed__", range_reversed);
    let s = vm.types.slice.clone();
    vm.add_staticmethod(&s, "__new__", slice_new);
    vm.add_getset(&s, "start", |_vm, v| Ok(slice_part(v, 0)), None);
    vm.add_getset(&s, "stop", |_vm, v| Ok(slice_part(v, 1)), None);
    vm.add_getset(&s, "step", |_vm, v| Ok(slice_part(v, 2)), None);
    vm.add_method(&s, "indices", slice_indices_m);
}
