//! A sandboxed host running untrusted code: an infinite loop, a memory bomb and a file read,
//! each stopped with an error the script cannot catch.
//!
//! Run with `cargo run --release --example embed_sandbox`.

use aio::embed::{Engine, Error};
use std::time::{Duration, Instant};

const UNTRUSTED: &[(&str, &str)] = &[
    (
        "infinite loop",
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n",
    ),
    (
        "memory bomb",
        "hoard = []\nwhile True:\n    hoard.append('x' * 1_000_000)\n",
    ),
    ("file read", "print(open('/etc/passwd').read())\n"),
    ("stdin read", "secret = input('password: ')\n"),
    (
        "deep recursion",
        "def down(n):\n    try:\n        return down(n + 1)\n    except BaseException:\n        return down(n + 1)\ndown(0)\n",
    ),
];

fn main() {
    let mut engine = Engine::builder()
        .instruction_limit(50_000_000)
        .memory_limit(64 << 20)
        .max_call_depth(500)
        .timeout(Duration::from_secs(5))
        .capture_output()
        .build();
    for (what, code) in UNTRUSTED {
        let t = Instant::now();
        match engine.run(code) {
            Err(Error::Limit(reason)) => {
                println!("{what:>15}: stopped ({reason}) after {:?}", t.elapsed())
            }
            Err(e) => println!(
                "{what:>15}: failed: {}",
                e.to_string().lines().last().unwrap_or("")
            ),
            Ok(()) => println!("{what:>15}: finished?!"),
        }
    }
    // The engine is still usable for well-behaved code.
    engine
        .run("print(sum(range(10)))")
        .expect("a small script runs");
    print!("script output: {}", engine.take_output());
}
