//! The `aio` command line: run a script, a `-c` string, standard input, or the REPL.
//!
//! The interpreter runs on a thread with a large stack so that native re-entry (a `__repr__`
//! calling `repr`, a sort key calling back into Aio) is bounded by the recursion limit and
//! never by the Rust stack. Exit codes follow python3: 0, `sys.exit(n)`, 1 for an uncaught
//! exception, death by SIGINT for KeyboardInterrupt.

use aio::cli;

mod alloc;

#[global_allocator]
static ALLOC: alloc::ObjAlloc = alloc::ObjAlloc;

/// Stack for the interpreter thread (reserved address space; pages are touched on demand).
const STACK_SIZE: usize = 1 << 30;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let handle = std::thread::Builder::new()
        .name("aio".into())
        .stack_size(STACK_SIZE)
        .spawn(move || cli::main(args));
    let code = match handle {
        Ok(h) => h.join().unwrap_or(101),
        Err(e) => {
            eprintln!("aio: cannot start the interpreter thread: {e}");
            2
        }
    };
    cli::finish(code);
}
