//! The interactive REPL (minimal line reader; the full rustyline REPL builds on this).
//! Invariant: the session survives every error with its state kept.

use crate::compile::CompileOptions;
use crate::vm::{Config, Vm};
use std::io::{BufRead, Write};

/// Runs the REPL on `vm` (or a fresh interpreter) until end of input; returns the status.
pub fn run(vm: Option<Vm>) -> i32 {
    let mut vm = vm.unwrap_or_else(|| Vm::new(Config::default()));
    let module = vm.new_module("__main__");
    let mods = vm.modules.clone();
    vm.dict_set_str(
        &mods,
        "__main__",
        crate::vm::value::Value::Obj(module.clone()),
    );
    println!("Aio {} (Python 3.11 subset)", env!("CARGO_PKG_VERSION"));
    let stdin = std::io::stdin();
    let mut buf = String::new();
    loop {
        print!("{}", if buf.is_empty() { ">>> " } else { "... " });
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                println!();
                return 0;
            }
            Ok(_) => {}
        }
        buf.push_str(&line);
        match crate::syntax::parse_interactive(&buf) {
            Err(e) if e.incomplete => continue,
            _ => {}
        }
        let src = std::mem::take(&mut buf);
        let opts = CompileOptions { interactive: true };
        match vm.compile_source(&src, "<stdin>", opts) {
            Ok(code) => {
                if let Err(e) = vm.run_module_code(code, &module) {
                    if vm.exc_is(&e, "SystemExit") {
                        return crate::cli::exit_status(&mut vm, &e);
                    }
                    vm.print_exception(&e);
                }
            }
            Err(e) => vm.print_exception(&e),
        }
        vm.run_finalizers();
        vm.flush_output();
    }
}
