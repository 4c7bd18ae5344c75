//! Native modules: a host builds a module of functions and constants that scripts `import`.
//! Invariant: the module is registered in `sys.modules` when built, so `import name` finds it
//! before the standard library and the module path.

use super::convert::IntoScript;
use super::error::Error;
use super::native::{make_function, HostFunction};
use super::{Ctx, Engine};
use crate::vm::value::{ObjRef, Value};

/// Builds a native module; see [`Engine::module`].
///
/// ```
/// let mut engine = aio::embed::Engine::new();
/// engine
///     .module("geometry")
///     .function("area", |w: f64, h: f64| w * h)
///     .constant("UNIT", 1.0)
///     .build()
///     .unwrap();
/// engine.run("import geometry\nx = geometry.area(geometry.UNIT, 4)").unwrap();
/// assert_eq!(engine.get::<f64>("x").unwrap(), 4.0);
/// ```
pub struct ModuleBuilder<'e> {
    engine: &'e mut Engine,
    module: ObjRef,
    name: String,
    error: Option<Error>,
}

impl<'e> ModuleBuilder<'e> {
    pub(crate) fn new(engine: &'e mut Engine, name: &str) -> ModuleBuilder<'e> {
        let module = engine.vm.new_module(name);
        ModuleBuilder {
            engine,
            module,
            name: name.to_string(),
            error: None,
        }
    }

    fn dict(&self) -> ObjRef {
        match &self.module.kind {
            crate::vm::object::ObjKind::Module(m) => m.dict.clone(),
            _ => unreachable!("a module"),
        }
    }

    /// Adds a native function.
    pub fn function<M>(self, name: &str, f: impl HostFunction<M>) -> Self {
        let boxed = f.into_boxed(name);
        let v = make_function(&mut self.engine.vm, name, boxed);
        let d = self.dict();
        self.engine.vm.dict_set_str(&d, name, v);
        self
    }

    /// Adds a constant.
    pub fn constant(mut self, name: &str, value: impl IntoScript) -> Self {
        match value.into_script(&mut Ctx {
            vm: &mut self.engine.vm,
        }) {
            Ok(c) => {
                let d = self.dict();
                self.engine.vm.dict_set_str(&d, name, c.0);
            }
            Err(e) => self.error = Some(e),
        }
        self
    }

    /// Registers the module in `sys.modules`.
    pub fn build(self) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mods = self.engine.vm.modules.clone();
        self.engine
            .vm
            .dict_set_str(&mods, &self.name, Value::Obj(self.module.clone()));
        Ok(())
    }
}
