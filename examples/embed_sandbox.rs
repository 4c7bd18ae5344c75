//! A sandboxed host running untrusted code: an infinite loop, a memory bomb, a file read and
//! other reaches outside the sandbox (environment, network, processes, clock, stdin), each
//! stopped with an error the script cannot catch.
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
    (
        "file read",
        "try:\n    print(open('/etc/passwd').read())\nexcept BaseException:\n    print('caught')\n",
    ),
    ("directory list", "import os\nprint(os.listdir('/'))\n"),
    ("environment", "import os\nprint(os.environ['HOME'])\n"),
    (
        "network",
        "import asyncio\nasyncio.run(asyncio.open_connection('example.com', 80))\n",
    ),
    (
        "subprocess",
        "import asyncio\nasyncio.run(asyncio.create_subprocess_shell('rm -rf ~'))\n",
    ),
    ("wall clock", "import time\nprint(time.ctime())\n"),
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
