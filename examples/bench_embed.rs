//! Measures the two crossings an embedding host cares about, for Aio and for Lua 5.4 through
//! mlua, in the same process and run:
//!
//! - host → script: calling a small script function `add(a, b)` from Rust;
//! - script → native: a loop in a script function calling a Rust function `hadd(a, b)`, minus
//!   the same loop doing the addition inline.
//!
//! Run with `cargo run --release --example bench_embed`.

use std::time::Instant;

const N: i64 = 2_000_000;

fn per_call(t: std::time::Duration, n: i64) -> f64 {
    t.as_nanos() as f64 / n as f64
}

fn aio_host_to_script() -> f64 {
    let mut e = aio::embed::Engine::new();
    e.run("def add(a, b):\n    return a + b\n").unwrap();
    let mut s = 0i64;
    for i in 0..1000 {
        s += e.call::<i64>("add", (i, 1)).unwrap();
    }
    let t = Instant::now();
    for i in 0..N {
        s += e.call::<i64>("add", (i, 1)).unwrap();
    }
    let d = t.elapsed();
    assert!(s > 0);
    per_call(d, N)
}

fn aio_script_to_native() -> (f64, f64) {
    let mut e = aio::embed::Engine::new();
    e.register("hadd", |a: i64, b: i64| a + b);
    e.run(
        "def with_native(n):\n    s = 0\n    for i in range(n):\n        s = s + hadd(i, 1)\n    return s\n\
         def inline(n):\n    s = 0\n    for i in range(n):\n        s = s + (i + 1)\n    return s\n",
    )
    .unwrap();
    e.call::<i64>("with_native", (1000,)).unwrap();
    let t = Instant::now();
    let a: i64 = e.call("with_native", (N,)).unwrap();
    let native = t.elapsed();
    let t = Instant::now();
    let b: i64 = e.call("inline", (N,)).unwrap();
    let inline = t.elapsed();
    assert_eq!(a, b);
    (
        per_call(native, N),
        per_call(native.saturating_sub(inline), N),
    )
}

fn lua_host_to_script() -> f64 {
    let lua = mlua::Lua::new();
    lua.load("function add(a, b) return a + b end")
        .exec()
        .unwrap();
    let f: mlua::Function = lua.globals().get("add").unwrap();
    let mut s = 0i64;
    for i in 0..1000 {
        s += f.call::<i64>((i, 1)).unwrap();
    }
    let t = Instant::now();
    for i in 0..N {
        s += f.call::<i64>((i, 1)).unwrap();
    }
    let d = t.elapsed();
    assert!(s > 0);
    per_call(d, N)
}

fn lua_script_to_native() -> (f64, f64) {
    let lua = mlua::Lua::new();
    let hadd = lua
        .create_function(|_, (a, b): (i64, i64)| Ok(a + b))
        .unwrap();
    lua.globals().set("hadd", hadd).unwrap();
    let native = format!(
        "local s = 0 for i = 0, {} do s = s + hadd(i, 1) end return s",
        N - 1
    );
    let inline = format!(
        "local s = 0 for i = 0, {} do s = s + (i + 1) end return s",
        N - 1
    );
    let t = Instant::now();
    let a: i64 = lua.load(&native).eval().unwrap();
    let dn = t.elapsed();
    let t = Instant::now();
    let b: i64 = lua.load(&inline).eval().unwrap();
    let di = t.elapsed();
    assert_eq!(a, b);
    (per_call(dn, N), per_call(dn.saturating_sub(di), N))
}

fn main() {
    let aio_h2s = aio_host_to_script();
    let lua_h2s = lua_host_to_script();
    let (aio_s2n, aio_s2n_net) = aio_script_to_native();
    let (lua_s2n, lua_s2n_net) = lua_script_to_native();
    println!("{N} calls each (ns per call)");
    println!("{:<38} {:>10} {:>14}", "", "aio", "mlua (Lua 5.4)");
    println!(
        "{:<38} {:>10.1} {:>14.1}",
        "host -> script add(a, b)", aio_h2s, lua_h2s
    );
    println!(
        "{:<38} {:>10.1} {:>14.1}",
        "script loop calling native hadd(a, b)", aio_s2n, lua_s2n
    );
    println!(
        "{:<38} {:>10.1} {:>14.1}",
        "  of which the native call", aio_s2n_net, lua_s2n_net
    );
}
