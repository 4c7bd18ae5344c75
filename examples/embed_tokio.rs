//! An async host on tokio: scripts `await host.fetch(...)` while tokio does the work.
//!
//! The engine runs on its own thread (it is `Send`, not `Sync`); each async native starts a
//! tokio task and hands it the `Completer`, which wakes the engine's loop when done. Tokio
//! code talks to the engine through an `EngineHandle` and awaits the `Waitable` it returns.
//!
//! Run with `cargo run --release --example embed_tokio`.

use aio::embed::{pending, Engine, Error};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rt = tokio::runtime::Handle::current();
    let mut engine = Engine::new();
    engine
        .module("host")
        .function("fetch", move |url: String, delay_ms: u64| {
            let (result, done) = pending::<String>();
            rt.spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                if url.contains("missing") {
                    done.complete(Err(Error::raise("LookupError", format!("404: {url}"))));
                } else {
                    done.complete(Ok(format!("contents of {url}")));
                }
            });
            result
        })
        .build()?;
    engine.run(
        r#"
import asyncio
import host

async def crawl(urls):
    pages = await asyncio.gather(*(host.fetch(u, 50 * i) for i, u in enumerate(urls)),
                                 return_exceptions=True)
    return [p if isinstance(p, str) else f"error: {p}" for p in pages]
"#,
    )?;
    let handle = engine.handle();
    // The engine lives on a thread of its own and serves calls until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let server = std::thread::spawn(move || {
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            engine.poll(Some(Duration::from_millis(20)))?;
        }
        Ok::<_, Error>(())
    });

    let urls = vec!["a.example/1", "b.example/missing", "c.example/3"];
    let t = std::time::Instant::now();
    let pages: Vec<String> = handle.call("crawl", (urls,)).await?;
    for p in &pages {
        println!("{p}");
    }
    println!(
        "fetched {} pages in {:?} (concurrently)",
        pages.len(),
        t.elapsed()
    );

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    server.join().expect("engine thread")?;
    Ok(())
}
