//! What python3's `site` module adds for interactive use: `help`, and `exit`/`quit` objects
//! whose repr tells how to leave (`exit` typed without parentheses).

use crate::compile::CompileOptions;
use crate::vm::object::ObjKind;
use crate::vm::value::Value;
use crate::vm::Vm;

/// `_sitebuiltins.Quitter`, as CPython defines it.
const QUITTER: &str = "\
class Quitter:
    def __init__(self, name, eof):
        self.name = name
        self.eof = eof
    def __repr__(self):
        return f'Use {self.name}() or {self.eof} to exit'
    def __call__(self, code=None):
        raise SystemExit(code)
";

/// Installs `help`, `exit` and `quit` in the builtins.
pub fn install(vm: &mut Vm) {
    super::help::install(vm);
    let module = vm.new_module("_sitebuiltins");
    let ObjKind::Module(m) = &module.kind else {
        return;
    };
    let globals = m.dict.clone();
    let b = Value::Obj(vm.builtins.clone());
    vm.dict_set_str(&globals, "__builtins__", b);
    let made = vm
        .compile_source(QUITTER, "<_sitebuiltins>", CompileOptions::default())
        .and_then(|code| vm.exec_code(code, globals.clone()));
    let Some(quitter) = made.ok().and_then(|_| vm.dict_get_str(&globals, "Quitter")) else {
        return;
    };
    let ObjKind::Module(bm) = &vm.builtins.kind else {
        return;
    };
    let builtins = bm.dict.clone();
    for name in ["exit", "quit"] {
        let n = vm.new_str(name);
        let eof = vm.new_str("Ctrl-D (i.e. EOF)");
        if let Ok(q) = vm.call(&quitter, &[n, eof]) {
            vm.dict_set_str(&builtins, name, q);
        }
    }
}
