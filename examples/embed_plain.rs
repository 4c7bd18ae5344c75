//! A plain host: registers functions, a module and a class, runs a script, calls back in.
//!
//! Run with `cargo run --release --example embed_plain`.

use aio::embed::{Engine, Error, UserData};

struct Inventory {
    items: Vec<(String, u32)>,
}
impl UserData for Inventory {}

fn main() -> Result<(), Error> {
    let mut engine = Engine::new();
    engine.register("log", |msg: String| println!("[host] {msg}"));
    engine
        .module("pricing")
        .function("with_tax", |net: f64, rate: Option<f64>| {
            net * (1.0 + rate.unwrap_or(0.2))
        })
        .constant("CURRENCY", "EUR")
        .build()?;
    engine
        .register_class::<Inventory>("Inventory")
        .constructor(|| Inventory { items: Vec::new() })
        .method("add", |inv: &mut Inventory, name: String, qty: u32| {
            inv.items.push((name, qty));
        })
        .method("total", |inv: &mut Inventory| {
            inv.items.iter().map(|(_, q)| *q as u64).sum::<u64>()
        })
        .build();

    engine.run(
        r#"
import pricing

def quote(items):
    inv = Inventory()
    for name, qty in items:
        inv.add(name, qty)
    log(f"{inv.total()} items")
    return round(pricing.with_tax(10.0 * inv.total()), 2), pricing.CURRENCY
"#,
    )?;
    let (amount, currency): (f64, String) =
        engine.call("quote", (vec![("apple", 3), ("pear", 2)],))?;
    println!("quote: {amount} {currency}");

    let squares: Vec<i64> = engine.eval("[n * n for n in range(6)]")?;
    println!("squares: {squares:?}");

    if let Err(e) = engine.run("quote([('x', 'many')])") {
        println!("script error:\n{e}");
    }
    Ok(())
}
