//! Command-line handling shared by the `aio` binary: option parsing, running the main
//! module, and turning its outcome into an exit status the way python3 does.
//! Invariant: every path flushes script output before returning the status.

use crate::compile::CompileOptions;
use crate::source::SourceFile;
use crate::vm::object::ObjKind;
use crate::vm::value::Value;
use crate::vm::{Config, Exc, Vm};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

const USAGE: &str = "usage: aio [option] ... [-c cmd | file | -] [arg] ...
Options:
-c cmd : program passed in as string (terminates option list)
-i     : inspect interactively after running script
-h     : print this help message and exit (also -? or --help)
-V     : print the Aio version number and exit (also --version)
file   : program read from script file
-      : program read from stdin (default; interactive mode if a tty)
arg ...: arguments passed to program in sys.argv[1:]
";

/// What to run.
enum Program {
    File(PathBuf),
    Command(String),
    Stdin,
    Repl,
}

/// Runs the command line `args` (program name first) and returns the exit status.
pub fn main(args: Vec<String>) -> i32 {
    if let Err(e) = crate::hash::HashSecret::from_env() {
        eprintln!("Fatal Python error: {e}");
        return 1;
    }
    let mut i = 1;
    let mut inspect = false;
    let program = loop {
        let Some(a) = args.get(i) else {
            // As python3: `-i` asks for the prompt even when stdin is not a terminal.
            break if inspect || std::io::stdin().is_terminal() {
                Program::Repl
            } else {
                Program::Stdin
            };
        };
        match a.as_str() {
            "-h" | "-?" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            "-V" | "--version" => {
                println!("Aio {}", env!("CARGO_PKG_VERSION"));
                return 0;
            }
            "-i" => {
                inspect = true;
                i += 1;
            }
            "-c" => match args.get(i + 1) {
                Some(c) => {
                    i += 1;
                    break Program::Command(c.clone());
                }
                None => {
                    eprintln!("Argument expected for the -c option");
                    eprint!("{USAGE}");
                    return 2;
                }
            },
            "-" => break Program::Stdin,
            s if s.starts_with('-') && s.len() > 1 => {
                eprintln!("Unknown option: {s}");
                eprint!("{USAGE}");
                return 2;
            }
            _ => break Program::File(PathBuf::from(a)),
        }
    };
    let rest: Vec<String> = args.get(i + 1..).map(|r| r.to_vec()).unwrap_or_default();
    run(program, rest, inspect)
}

fn run(program: Program, rest: Vec<String>, inspect: bool) -> i32 {
    let (text, filename, argv0, dir) = match &program {
        Program::File(p) => match std::fs::read(p) {
            Ok(bytes) => {
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        eprintln!(
                            "SyntaxError: Non-UTF-8 code in file '{}'; Aio source must be UTF-8",
                            p.display()
                        );
                        return 1;
                    }
                };
                let dir = p
                    .parent()
                    .map(|d| {
                        if d.as_os_str().is_empty() {
                            PathBuf::from(".")
                        } else {
                            d.to_path_buf()
                        }
                    })
                    .unwrap_or_else(|| PathBuf::from("."));
                // Like CPython, the main script's file name (tracebacks, `__file__`) is
                // the path joined to the working directory, without normalisation.
                let shown = match std::env::current_dir() {
                    Ok(cwd) if p.is_relative() => cwd.join(p),
                    _ => p.clone(),
                };
                let name = p.to_string_lossy().to_string();
                (text, shown.to_string_lossy().to_string(), name, dir)
            }
            Err(e) => {
                let code = e.raw_os_error().unwrap_or(2);
                eprintln!(
                    "aio: can't open file '{}': [Errno {}] {}",
                    p.display(),
                    code,
                    crate::cli::os_error_text(&e)
                );
                return 2;
            }
        },
        Program::Command(c) => (
            c.clone(),
            "<string>".into(),
            "-c".into(),
            PathBuf::from("."),
        ),
        Program::Stdin => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("aio: cannot read standard input: {e}");
                return 1;
            }
            (s, "<stdin>".into(), "-".into(), PathBuf::from("."))
        }
        Program::Repl => {
            let opts = crate::repl::Options { banner: !inspect };
            return crate::repl::run(None, opts);
        }
    };
    let mut argv = vec![argv0];
    argv.extend(rest);
    let config = Config {
        argv,
        module_path: vec![dir],
        ..Config::default()
    };
    let mut vm = Vm::new(config);
    // The REPL watches SIGINT itself; a script run before it keeps the default action.
    if !inspect {
        crate::event_loop::io_signal::install_cli_sigint(&mut vm);
    }
    let status = run_main_with(&mut vm, &text, &filename, inspect);
    if inspect {
        return crate::repl::run(Some(vm), crate::repl::Options::default());
    }
    status
}

/// Runs `text` as the `__main__` module and returns the exit status.
pub fn run_main(vm: &mut Vm, text: &str, filename: &str) -> i32 {
    run_main_with(vm, text, filename, false)
}

/// `run_main`; with `inspect` (`-i`), SystemExit is shown as a traceback like any other
/// exception, since the REPL follows.
fn run_main_with(vm: &mut Vm, text: &str, filename: &str, inspect: bool) -> i32 {
    let file = SourceFile::new(filename, text);
    vm.sources.insert(filename.to_string(), file.clone());
    let module_ast = match crate::syntax::parse_module(text) {
        Ok(m) => m,
        Err(e) => return report_syntax_error(vm, &e, &file),
    };
    let code = match crate::compile::compile_module(
        vm,
        &module_ast,
        file.clone(),
        CompileOptions::default(),
    ) {
        Ok(c) => c,
        Err(e) => return report_syntax_error(vm, &e, &file),
    };
    drop(module_ast);
    if std::env::var_os("AIO_DIS").is_some() {
        eprint!("{}", crate::compile::dis::disassemble(&code));
    }
    let module = vm.new_module("__main__");
    if let ObjKind::Module(m) = &module.kind {
        let d = m.dict.clone();
        let f = vm.new_str(filename);
        vm.dict_set_str(&d, "__file__", f);
        let b = Value::Obj(vm.builtins.clone());
        vm.dict_set_str(&d, "__builtins__", b);
    }
    let mods = vm.modules.clone();
    vm.dict_set_str(&mods, "__main__", Value::Obj(module.clone()));
    let result = vm.run_module_code(code, &module);
    let status = match result {
        Ok(_) => 0,
        Err(e) if inspect => {
            vm.print_exception(&e);
            1
        }
        Err(e) => exit_status(vm, &e),
    };
    vm.run_finalizers();
    if inspect {
        // The REPL goes on with these globals; shutdown happens when it ends.
        vm.flush_output();
        return status;
    }
    let status = shutdown(vm, status, &module);
    vm.flush_output();
    status
}

/// Final cleanup at exit: runs pending finalizers, then drops `__main__`'s globals in
/// insertion order (what CPython's collection of the module dict amounts to), so objects
/// still alive at exit are finalized, and in that order.
fn shutdown(vm: &mut Vm, status: i32, module: &crate::vm::value::ObjRef) -> i32 {
    vm.run_finalizers();
    vm.collect_garbage();
    vm.run_finalizers();
    if let ObjKind::Module(m) = &module.kind {
        let d = m.dict.clone();
        // Keys only: holding the values would keep them alive past their turn.
        let keys: Vec<Value> = vm.dict_items(&d).into_iter().map(|(k, _)| k).collect();
        for k in keys {
            if k.as_str() == Some("__builtins__") {
                continue;
            }
            let _ = vm.dict_set(&d, k, Value::None);
            vm.run_finalizers();
        }
    }
    vm.collect_garbage();
    vm.run_finalizers();
    vm.flush_output();
    status
}

fn report_syntax_error(vm: &mut Vm, e: &crate::syntax::SyntaxError, file: &SourceFile) -> i32 {
    let color = std::io::stderr().is_terminal();
    let text = crate::diag::render_syntax_error(e, file, color);
    vm.write_stderr(&text);
    if !text.ends_with('\n') {
        vm.write_stderr("\n");
    }
    vm.flush_output();
    1
}

/// The exit status for an exception that ended the program (printing it as python3 does).
pub fn exit_status(vm: &mut Vm, e: &Exc) -> i32 {
    if vm.exc_is(e, "SystemExit") {
        let ev = Value::Obj(e.0.clone());
        let code = vm.getattr_str(&ev, "code").unwrap_or(Value::None);
        return match &code {
            Value::None => 0,
            Value::Int(i) => *i as i32,
            Value::Bool(b) => b.get() as i32,
            other => {
                let s = vm.str_of(other).unwrap_or_default();
                vm.write_stderr(&format!("{s}\n"));
                1
            }
        };
    }
    vm.print_exception(e);
    if vm.exc_is(e, "KeyboardInterrupt") {
        KEYBOARD_INTERRUPT.store(true, std::sync::atomic::Ordering::SeqCst);
        return 130;
    }
    1
}

/// Set when the program ended with an uncaught KeyboardInterrupt: like python3, the process
/// then ends by SIGINT (see `finish`).
static KEYBOARD_INTERRUPT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Ends the process with `code`, or by SIGINT after an uncaught KeyboardInterrupt, as python3
/// does (the shell then reports 130).
pub fn finish(code: i32) -> ! {
    if KEYBOARD_INTERRUPT.load(std::sync::atomic::Ordering::SeqCst) {
        crate::event_loop::io_signal::exit_by_sigint();
    }
    std::process::exit(code)
}

/// The strerror text of an I/O error, without Rust's " (os error N)" suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
