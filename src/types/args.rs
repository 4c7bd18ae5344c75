//! Argument parsing for native functions, with CPython's error messages.
//! Invariant: parsing never runs Aio code; conversions that might are left to the caller.

use crate::vm::object::Args;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

impl<'a> Args<'a> {
    /// Rejects keyword arguments: `name() takes no keyword arguments`.
    pub fn no_kwargs(&self, vm: &mut Vm, name: &str) -> PyResult<()> {
        if !self.kwnames.is_empty() {
            return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
        }
        Ok(())
    }

    /// The keyword argument `name`, if given.
    pub fn kw(&self, name: &str) -> Option<&'a Value> {
        self.kwnames
            .iter()
            .position(|k| k.as_str() == Some(name))
            .map(|i| &self.kwvalues[i])
    }

    /// Checks the positional count (`self` excluded by the caller's choice of `pos`).
    pub fn expect_range(&self, vm: &mut Vm, name: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len();
        if n >= min && n <= max {
            return Ok(());
        }
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({n} given)"),
                1 => format!("{name}() takes exactly one argument ({n} given)"),
                _ => format!("{name}() takes exactly {min} arguments ({n} given)"),
            }
        } else if n < min {
            format!(
                "{name}() takes at least {min} argument{} ({n} given)",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{name}() takes at most {max} argument{} ({n} given)",
                if max == 1 { "" } else { "s" }
            )
        };
        Err(vm.type_error(msg))
    }

    /// CPython's `_PyArg_CheckPositional` wording (`divmod expected 2 arguments, got 1`),
    /// used by builtins whose parameters are positional-only.
    pub fn check_positional(
        &self,
        vm: &mut Vm,
        name: &str,
        min: usize,
        max: usize,
    ) -> PyResult<()> {
        let n = self.pos.len();
        let (bound, qual) = if n < min {
            (min, "at least ")
        } else if n > max {
            (max, "at most ")
        } else {
            return Ok(());
        };
        let qual = if min == max { "" } else { qual };
        let s = if bound == 1 { "" } else { "s" };
        Err(vm.type_error(format!(
            "{name} expected {qual}{bound} argument{s}, got {n}"
        )))
    }

    /// Method form: `pos[0]` is self; checks the remaining count with CPython's wording
    /// (`list.append() takes exactly one argument (0 given)`).
    pub fn method_range(
        &self,
        vm: &mut Vm,
        qualname: &str,
        min: usize,
        max: usize,
    ) -> PyResult<()> {
        self.no_kwargs(vm, qualname)?;
        let rest = Args {
            pos: &self.pos[1.min(self.pos.len())..],
            ..*self
        };
        rest.expect_range(vm, qualname, min, max)
    }

    /// Binds positional and keyword arguments to `names` (argument-clinic style). The first
    /// `required` names must be present. Missing optional ones are None.
    pub fn bind<const N: usize>(
        &self,
        vm: &mut Vm,
        fname: &str,
        names: [&str; N],
        required: usize,
    ) -> PyResult<[Option<Value>; N]> {
        let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
        if self.pos.len() > N {
            let msg = if required == N {
                format!(
                    "{fname}() takes exactly {N} argument{} ({} given)",
                    if N == 1 { "" } else { "s" },
                    self.pos.len()
                )
            } else {
                format!(
                    "{fname}() takes at most {N} argument{} ({} given)",
                    if N == 1 { "" } else { "s" },
                    self.pos.len()
                )
            };
            return Err(vm.type_error(msg));
        }
        for (i, v) in self.pos.iter().enumerate() {
            out[i] = Some(v.clone());
        }
        for (k, v) in self.kwnames.iter().zip(self.kwvalues) {
            let k = k.as_str().unwrap_or("");
            match names.iter().position(|n| *n == k) {
                Some(i) => {
                    if out[i].is_some() {
                        return Err(vm.type_error(format!(
                            "argument for {fname}() given by name ('{k}') and position ({})",
                            i + 1
                        )));
                    }
                    out[i] = Some(v.clone());
                }
                None => {
                    return Err(vm.type_error(format!(
                        "{fname}() got an unexpected keyword argument '{k}'"
                    )))
                }
            }
        }
        for (i, slot) in out.iter().enumerate().take(required) {
            if slot.is_none() {
                return Err(vm.type_error(format!(
                    "{fname}() missing required argument '{}' (pos {})",
                    names[i],
                    i + 1
                )));
            }
        }
        Ok(out)
    }
}

impl Vm {
    /// An argument that must be a str.
    pub fn arg_str<'v>(&mut self, v: &'v Value, fname: &str, what: &str) -> PyResult<&'v str> {
        match v.as_str() {
            Some(s) => Ok(s),
            None => {
                let msg = format!("{fname}() {what} must be str, not {}", self.type_name(v));
                Err(self.type_error(msg))
            }
        }
    }

    /// An optional integer argument (None accepted as "absent").
    pub fn arg_opt_index(&mut self, v: Option<&Value>) -> PyResult<Option<i64>> {
        match v {
            None | Some(Value::None) => Ok(None),
            Some(v) => self.index_value(v).map(Some),
        }
    }
}
