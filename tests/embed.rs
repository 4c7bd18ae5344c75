//! Integration tests for the embedding API: running, conversions, natives, modules, classes,
//! async natives, loop driving, cross-thread handles, limits, capabilities, output and errors.

use aio::embed::{pending, Capability, Dynamic, Engine, Error, LimitKind, Raw, UserData};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn quiet() -> Engine {
    Engine::builder().capture_output().build()
}

fn last_line(e: &Error) -> String {
    e.to_string().lines().last().unwrap_or("").to_string()
}

#[test]
fn run_eval_get_set() {
    let mut e = quiet();
    e.run("x = 2 ** 10\nname = 'aio'").unwrap();
    assert_eq!(e.get::<i64>("x").unwrap(), 1024);
    assert_eq!(e.get::<String>("name").unwrap(), "aio");
    e.set("y", 5).unwrap();
    assert_eq!(e.eval::<i64>("x + y").unwrap(), 1029);
    assert_eq!(e.eval::<f64>("1 / 4").unwrap(), 0.25);
    assert!(e.eval::<bool>("x > 1000").unwrap());
    assert_eq!(e.eval::<Option<i64>>("None").unwrap(), None);
    assert_eq!(
        e.eval::<(i64, String)>("(1, 'a')").unwrap(),
        (1, "a".into())
    );
    let m: HashMap<String, Vec<i64>> = e.eval("{'a': [1, 2], 'b': []}").unwrap();
    assert_eq!(m["a"], vec![1, 2]);
    let d: Dynamic = e.eval("{'k': (1, 2.5, b'x', 10**30)}").unwrap();
    assert_eq!(
        d.to_string(),
        "{'k': (1, 2.5, b'x', 1000000000000000000000000000000)}"
    );
    e.set("d", d).unwrap();
    assert_eq!(
        e.eval::<String>("repr(d)").unwrap(),
        "{'k': (1, 2.5, b'x', 1000000000000000000000000000000)}"
    );
    let err = e.get::<i64>("missing").unwrap_err();
    assert_eq!(err.kind(), "NameError");
}

#[test]
fn run_file_and_output_capture() {
    let dir = std::env::temp_dir().join(format!("aio-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("script.aio");
    std::fs::write(
        &path,
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\n",
    )
    .unwrap();
    let mut e = quiet();
    e.run_file(&path).unwrap();
    assert_eq!(e.take_output(), "out\n");
    assert_eq!(e.take_errors(), "err\n");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn output_callbacks() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(String::new()));
    let s2 = seen.clone();
    let mut e = Engine::builder()
        .output(move |t| s2.lock().unwrap().push_str(t), |_| {})
        .build();
    e.run("print('a', 1)").unwrap();
    assert_eq!(&*seen.lock().unwrap(), "a 1\n");
}

#[test]
fn call_sync_and_coroutine_functions() {
    let mut e = quiet();
    e.run(
        "import asyncio\n\
         def add(a, b):\n    return a + b\n\
         async def later(x):\n    await asyncio.sleep(0.001)\n    return x * 2\n",
    )
    .unwrap();
    assert_eq!(e.call::<i64>("add", (2, 3)).unwrap(), 5);
    assert_eq!(e.call::<String>("add", ("a", "b")).unwrap(), "ab");
    assert_eq!(e.call::<i64>("later", (21,)).unwrap(), 42);
    let args = vec![Dynamic::Int(1), Dynamic::Int(2)];
    assert_eq!(e.call::<i64>("add", args).unwrap(), 3);
}

#[test]
fn native_functions_convert_and_raise_type_errors() {
    let mut e = quiet();
    e.register("add", |a: i64, b: i64| a + b);
    e.register("scale", |xs: Vec<f64>, k: Option<f64>| {
        xs.into_iter()
            .map(|x| x * k.unwrap_or(2.0))
            .collect::<Vec<_>>()
    });
    e.register("count", |m: HashMap<String, i64>| m.values().sum::<i64>());
    e.register("checked", |x: i64| -> Result<i64, Error> {
        if x < 0 {
            Err(Error::raise("ValueError", "negative"))
        } else {
            Ok(x)
        }
    });
    e.register("pair", |p: (String, bool)| format!("{}{}", p.0, p.1));
    e.register("small", |x: u8| x);
    assert_eq!(e.eval::<i64>("add(2, 40)").unwrap(), 42);
    assert_eq!(
        e.eval::<Vec<f64>>("scale([1, 2.5])").unwrap(),
        vec![2.0, 5.0]
    );
    assert_eq!(e.eval::<Vec<f64>>("scale((1,), 3)").unwrap(), vec![3.0]);
    assert_eq!(e.eval::<i64>("count({'a': 1, 'b': 2})").unwrap(), 3);
    assert_eq!(e.eval::<String>("pair(('x', True))").unwrap(), "xtrue");
    let cases = [
        (
            "add('a', 1)",
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        ("add(1)", "TypeError: add expected 2 arguments, got 1"),
        ("add(1, 2, 3)", "TypeError: add expected 2 arguments, got 3"),
        (
            "scale()",
            "TypeError: scale expected at least 1 argument, got 0",
        ),
        (
            "scale([1], 2, 3)",
            "TypeError: scale expected at most 2 arguments, got 3",
        ),
        (
            "scale(5)",
            "TypeError: scale() argument 1 must be list, not int",
        ),
        ("scale(['a'])", "TypeError: must be real number, not str"),
        (
            "count([])",
            "TypeError: count() argument must be dict, not list",
        ),
        (
            "add(a=1, b=2)",
            "TypeError: add() takes no keyword arguments",
        ),
        ("checked(-1)", "ValueError: negative"),
        (
            "small(300)",
            "OverflowError: Python int too large to convert to Rust u8",
        ),
    ];
    for (src, want) in cases {
        let err = e.run(src).unwrap_err();
        assert_eq!(last_line(&err), want, "{src}");
    }
    // The script can catch them like any exception.
    e.run("try:\n    add('a', 1)\nexcept TypeError as ex:\n    msg = str(ex)\n")
        .unwrap();
    assert_eq!(
        e.get::<String>("msg").unwrap(),
        "'str' object cannot be interpreted as an integer"
    );
}

#[test]
fn raw_values_and_callbacks() {
    let mut e = quiet();
    e.register_raw("apply", |cx, args: &[Raw]| -> Result<i64, Error> {
        let n: i64 = cx.call(args[0], (10,))?;
        Ok(n + 1)
    });
    e.register_raw("kind", |cx, args: &[Raw]| cx.type_name(args[0]));
    assert_eq!(e.eval::<i64>("apply(lambda x: x * 3)").unwrap(), 31);
    assert_eq!(e.eval::<String>("kind(object())").unwrap(), "object");
    e.register("same", |r: Raw| r);
    assert!(e
        .eval::<bool>("(lambda o: same(o) is o)(object())")
        .unwrap());
}

#[test]
fn native_modules() {
    let mut e = quiet();
    e.module("host")
        .function("version", || "1.0")
        .function("mul", |a: f64, b: f64| a * b)
        .constant("LIMIT", 7)
        .build()
        .unwrap();
    e.run("import host\nfrom host import mul\nr = (host.version(), mul(host.LIMIT, 2))")
        .unwrap();
    assert_eq!(e.get::<(String, f64)>("r").unwrap(), ("1.0".into(), 14.0));
}

struct Account {
    balance: i64,
}
impl UserData for Account {}

#[test]
fn rust_types_as_classes() {
    let mut e = quiet();
    e.register_class::<Account>("Account")
        .constructor(|initial: i64| Account { balance: initial })
        .method("deposit", |a: &mut Account, n: i64| {
            a.balance += n;
            a.balance
        })
        .method(
            "withdraw",
            |a: &mut Account, n: i64| -> Result<i64, Error> {
                if n > a.balance {
                    return Err(Error::raise("ValueError", "insufficient funds"));
                }
                a.balance -= n;
                Ok(a.balance)
            },
        )
        .getter("balance", |a: &Account| a.balance)
        .build();
    e.register("open_account", || Account { balance: 1 });
    e.run("a = Account(10)\na.deposit(5)\nb = open_account()\nb.deposit(1)")
        .unwrap();
    assert_eq!(e.eval::<i64>("a.balance").unwrap(), 15);
    assert_eq!(e.eval::<i64>("b.balance").unwrap(), 2);
    assert!(e.eval::<bool>("isinstance(b, Account)").unwrap());
    let err = e.run("a.withdraw(100)").unwrap_err();
    assert_eq!(last_line(&err), "ValueError: insufficient funds");
    let err = e.run("Account.deposit(3, 1)").unwrap_err();
    assert_eq!(
        last_line(&err),
        "TypeError: descriptor 'deposit' for 'Account' objects doesn't apply to a 'int' object"
    );
}

#[test]
fn async_natives_completed_from_other_threads() {
    let mut e = quiet();
    e.register("fetch", |url: String, ms: u64| {
        let (p, done) = pending::<String>();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            if url == "bad" {
                done.complete(Err(Error::raise("ConnectionError", "refused")));
            } else {
                done.complete(Ok(format!("<{url}>")));
            }
        });
        p
    });
    e.register("forgotten", || pending::<i64>().0);
    e.run(
        "import asyncio\n\
         async def main():\n\
         \x20   a, b = await asyncio.gather(fetch('a', 20), fetch('b', 1))\n\
         \x20   try:\n\
         \x20       await fetch('bad', 0)\n\
         \x20   except ConnectionError as ex:\n\
         \x20       c = str(ex)\n\
         \x20   return [a, b, c]\n\
         async def lost():\n\
         \x20   return await forgotten()\n",
    )
    .unwrap();
    let t = Instant::now();
    let r: Vec<String> = e.call("main", ()).unwrap();
    assert_eq!(r, ["<a>", "<b>", "refused"]);
    assert!(t.elapsed() < Duration::from_secs(2));
    let err = e.call::<i64>("lost", ()).unwrap_err();
    assert_eq!(
        last_line(&err),
        "RuntimeError: the host dropped a pending result without completing it"
    );
}

#[test]
fn run_until_idle_and_poll() {
    let mut e = quiet();
    e.run(
        "import asyncio\n\
         log = []\n\
         async def worker(n):\n\
         \x20   await asyncio.sleep(0.001 * n)\n\
         \x20   log.append(n)\n\
         loop = asyncio.get_event_loop()\n\
         for i in (3, 1, 2):\n\
         \x20   loop.create_task(worker(i))\n",
    )
    .unwrap();
    e.run_until_idle().unwrap();
    assert_eq!(e.get::<Vec<i64>>("log").unwrap(), vec![1, 2, 3]);
    e.run("loop.call_later(0.01, log.append, 9)").unwrap();
    let mut polls = 0;
    while e.poll(Some(Duration::from_millis(2))).unwrap() {
        polls += 1;
        assert!(polls < 1000);
    }
    assert_eq!(e.get::<Vec<i64>>("log").unwrap(), vec![1, 2, 3, 9]);
}

#[test]
fn handle_submits_calls_from_other_threads() {
    let mut e = quiet();
    e.run(
        "import asyncio\n\
         total = 0\n\
         async def add(n):\n\
         \x20   global total\n\
         \x20   await asyncio.sleep(0)\n\
         \x20   total += n\n\
         \x20   return total\n\
         def boom():\n    raise KeyError('k')\n",
    )
    .unwrap();
    let h = e.handle();
    let threads: Vec<_> = (1..=4)
        .map(|i| {
            let h = h.clone();
            std::thread::spawn(move || h.call::<i64, _>("add", (i,)).wait().unwrap())
        })
        .collect();
    let h2 = h.clone();
    let err = std::thread::spawn(move || h2.call::<i64, _>("boom", ()).wait());
    let cb = h.submit(|cx| cx.get::<i64>("total").map(|t| t >= 0));
    while threads.iter().any(|t| !t.is_finished()) || !err.is_finished() {
        e.poll(Some(Duration::from_millis(5))).unwrap();
    }
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(e.get::<i64>("total").unwrap(), 10);
    assert_eq!(err.join().unwrap().unwrap_err().kind(), "KeyError");
    assert!(cb.wait().unwrap().unwrap());
}

#[test]
fn waitable_is_a_future() {
    // A minimal executor: poll the Waitable with a thread-unparking waker.
    use std::future::Future;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let mut e = quiet();
    e.run("def f(x):\n    return x + 1\n").unwrap();
    let h = e.handle();
    let t = std::thread::spawn(move || {
        let mut w = Box::pin(h.call::<i64, _>("f", (1,)));
        let waker = Arc::new(Unpark(std::thread::current())).into();
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(r) = w.as_mut().poll(&mut cx) {
                return r;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
    });
    while !t.is_finished() {
        e.poll(Some(Duration::from_millis(5))).unwrap();
    }
    assert_eq!(t.join().unwrap().unwrap(), 2);
}

fn limit_of(r: Result<(), Error>) -> LimitKind {
    match r {
        Err(Error::Limit(k)) => k,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn instruction_budget_is_uncatchable() {
    let mut e = Engine::builder()
        .instruction_limit(200_000)
        .capture_output()
        .build();
    let k = limit_of(e.run(
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n    finally:\n        print('finally')\n",
    ));
    assert_eq!(k, LimitKind::Instructions(200_000));
    assert_eq!(e.take_output(), "");
    // Loops made of calls are counted too.
    e.set_instruction_limit(Some(5_000));
    let k = limit_of(e.run(
        "def f(n):\n    try:\n        return f(n + 1)\n    except RecursionError:\n        return f(0)\nf(0)\n",
    ));
    assert_eq!(k, LimitKind::Instructions(5_000));
    // The engine is usable again afterwards.
    e.run("x = sum(range(100))").unwrap();
    assert_eq!(e.get::<i64>("x").unwrap(), 4950);
}

#[test]
fn deadline_and_interrupt() {
    let mut e = Engine::builder().timeout(Duration::from_millis(50)).build();
    let t = Instant::now();
    assert_eq!(limit_of(e.run("while True: pass")), LimitKind::Deadline);
    assert!(t.elapsed() < Duration::from_secs(2));
    // A deadline also ends a run that waits on the loop.
    let t = Instant::now();
    assert_eq!(
        limit_of(e.run("import asyncio\nasyncio.run(asyncio.sleep(10))")),
        LimitKind::Deadline
    );
    assert!(t.elapsed() < Duration::from_secs(2));
    e.set_timeout(None);
    let h = e.handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        h.interrupt();
    });
    assert_eq!(
        limit_of(e.run("n = 0\nwhile True:\n    try:\n        n += 1\n    except KeyboardInterrupt:\n        pass\n")),
        LimitKind::Interrupted
    );
    stopper.join().unwrap();
    e.run("ok = True").unwrap();
}

#[test]
fn memory_bombs_are_stopped() {
    let bombs = [
        "x = 'a' * 10**10",
        "x = [0] * 10**10",
        "l = []\nwhile True:\n    l.append(l[:])",
        "b = bytearray(b'x')\nwhile True:\n    b += b",
        "b = bytearray()\nwhile True:\n    b.extend(b'x' * 4096)",
        "s = 'ab'\nwhile True:\n    s = s + s",
        "d = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1",
        "l = []\nwhile True:\n    l.append('x' * 1000 + str(len(l)))",
    ];
    for src in bombs {
        let mut e = Engine::builder().memory_limit(32 << 20).build();
        let k = limit_of(e.run(src));
        assert_eq!(k, LimitKind::Memory(32 << 20), "{src}");
    }
    // Ordinary programs fit, and garbage does not count.
    let mut e = Engine::builder().memory_limit(32 << 20).build();
    e.run("for i in range(200000):\n    t = [i] * 50\n")
        .unwrap();
}

#[test]
fn recursion_cap_is_uncatchable() {
    let mut e = Engine::builder().max_call_depth(100).build();
    let k = limit_of(e.run(
        "import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    try:\n        return f(n + 1)\n    except BaseException:\n        return 0\nf(0)\n",
    ));
    assert_eq!(k, LimitKind::Recursion(100));
    // Without a host cap, RecursionError is an ordinary exception.
    let mut e = Engine::new();
    e.run("def f():\n    return f()\ntry:\n    f()\nexcept RecursionError:\n    ok = 1\n")
        .unwrap();
    assert_eq!(e.get::<i64>("ok").unwrap(), 1);
}

#[test]
fn capabilities_are_denied_by_default() {
    let mut e = Engine::new();
    let k = limit_of(e.run("try:\n    input()\nexcept BaseException:\n    pass\n"));
    assert_eq!(k, LimitKind::Denied(Capability::Stdin));
    let mut e = Engine::builder().grant(Capability::Stdin).build();
    // Granted: input() reaches stdin (empty under the test harness: EOFError).
    let r = e.run("try:\n    input()\nexcept EOFError:\n    pass\n");
    assert!(
        r.is_ok() || matches!(r, Err(Error::Exception { .. })),
        "{r:?}"
    );
}

#[test]
fn errors_carry_kind_message_traceback_and_syntax_rendering() {
    let mut e = quiet();
    e.run("def inner():\n    raise ValueError('bad value')\ndef outer():\n    inner()\n")
        .unwrap();
    match e.call::<()>("outer", ()) {
        Err(Error::Exception {
            kind,
            message,
            traceback,
        }) => {
            assert_eq!(kind, "ValueError");
            assert_eq!(message, "bad value");
            assert!(traceback.starts_with("Traceback (most recent call last):\n"));
            assert!(traceback.contains("in outer\n"));
            assert!(traceback.contains("in inner\n"));
        }
        other => panic!("{other:?}"),
    }
    match e.run("x = (1,\ny = 2\n") {
        Err(Error::Syntax {
            kind,
            line,
            rendered,
            ..
        }) => {
            assert_eq!(kind, "SyntaxError");
            assert_eq!(line, 1);
            assert!(rendered.contains("<string>"), "{rendered}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(e.eval::<i64>("1 +"), Err(Error::Syntax { .. })));
    assert!(matches!(e.eval::<i64>("'a'"), Err(Error::Conversion(_))));
}

#[test]
fn engines_are_isolated_and_movable() {
    let mut a = quiet();
    let mut b = quiet();
    a.run("x = 1").unwrap();
    b.run("x = 2").unwrap();
    a.register("who", || "a");
    assert_eq!(a.get::<i64>("x").unwrap(), 1);
    assert_eq!(b.get::<i64>("x").unwrap(), 2);
    assert!(b.run("who()").is_err());
    // Move an engine to another thread between runs, and back.
    let a = std::thread::spawn(move || {
        a.run("x += 10").unwrap();
        a
    })
    .join()
    .unwrap();
    let mut a = a;
    assert_eq!(a.get::<i64>("x").unwrap(), 11);
    // Engines running at once on several threads.
    let ts: Vec<_> = (0..3)
        .map(|i| {
            std::thread::spawn(move || {
                let mut e = quiet();
                e.run(&format!("r = sum(range({i} * 1000))")).unwrap();
                e.get::<i64>("r").unwrap()
            })
        })
        .collect();
    let rs: Vec<i64> = ts.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(rs, vec![0, 499500, 1999000]);
}

#[test]
fn tutorial_run_coroutine_threadsafe_from_a_host_thread() {
    // The tutorial's `run_coroutine_threadsafe(asyncio.sleep(1, result=3), loop)` followed
    // by `future.result(timeout) == 3`, with the second OS thread being the host's.
    let mut e = quiet();
    e.run("import asyncio\ndef coro():\n    return asyncio.sleep(0.01, result=3)\n")
        .unwrap();
    let h = e.handle();
    let worker = std::thread::spawn(move || {
        h.call::<i64, _>("coro", ())
            .wait_timeout(Duration::from_secs(5))
    });
    while !worker.is_finished() {
        e.poll(Some(Duration::from_millis(5))).unwrap();
    }
    let got = worker.join().unwrap();
    assert_eq!(got.map(|r| r.unwrap()), Some(3));
}

// ----- capabilities --------------------------------------------------------------------------

/// Runs `code` (statements, or an `async def main()` run with `asyncio.run` when it defines
/// one) inside `try/except BaseException` in an engine without capabilities, and checks that
/// the run stops with `cap` denied and the script could not catch it.
fn assert_denied(cap: Capability, code: &str) {
    let mut e = quiet();
    let body: String = code.lines().map(|l| format!("    {l}\n")).collect();
    let run_main = if code.contains("async def main") {
        "    asyncio.run(main())\n"
    } else {
        ""
    };
    let script = format!(
        "import asyncio, os, time, socket, signal\ncaught = 0\ntry:\n{body}{run_main}except BaseException:\n    caught = 1\n"
    );
    let r = e.run(&script);
    let msg = format!("{cap:?} for {code:?}: {r:?}");
    let err = r.expect_err(&msg);
    assert_eq!(err, Error::Limit(LimitKind::Denied(cap)), "{msg}");
    assert_eq!(
        err.to_string(),
        format!("script stopped: {} access is not permitted", cap.name())
    );
    assert_eq!(e.get::<i64>("caught").unwrap(), 0, "{msg}");
}

fn granted(caps: &[Capability]) -> Engine {
    let mut b = Engine::builder().capture_output();
    for c in caps {
        b = b.grant(*c);
    }
    b.build()
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("aio-embed-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn files_are_denied_by_default() {
    let dir = temp_dir("files-denied");
    let f = dir.join("secret.txt");
    std::fs::write(&f, "secret").unwrap();
    let p = f.to_str().unwrap();
    let d = dir.to_str().unwrap();
    for code in [
        format!("open({p:?}).read()"),
        format!("open({p:?}, 'w')"),
        format!("import io\nio.open({p:?})"),
        format!("os.listdir({d:?})"),
        format!("os.stat({p:?})"),
        format!("os.path.exists({p:?})"),
        format!("os.path.isfile({p:?})"),
        format!("os.mkdir({d:?} + '/new')"),
        format!("os.makedirs({d:?} + '/a/b')"),
        format!("os.remove({p:?})"),
        format!("os.unlink({p:?})"),
        format!("os.rename({p:?}, {p:?} + '.bak')"),
        format!("os.rmdir({d:?})"),
    ] {
        assert_denied(Capability::Files, &code);
    }
    // Nothing was touched.
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "secret");
    assert!(!dir.join("new").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_work_when_granted() {
    let dir = temp_dir("files-granted");
    let mut e = granted(&[Capability::Files]);
    e.set("d", dir.to_str().unwrap()).unwrap();
    e.run(
        "import os\n\
         p = os.path.join(d, 'a.txt')\n\
         with open(p, 'w') as f:\n    f.write('hello\\nworld\\n')\n\
         with open(p) as f:\n    lines = f.readlines()\n\
         os.mkdir(os.path.join(d, 'sub'))\n\
         names = sorted(os.listdir(d))\n\
         size = os.stat(p).st_size\n\
         before = os.path.exists(p) and os.path.isdir(os.path.join(d, 'sub'))\n\
         os.rename(p, p + '.bak')\n\
         os.remove(p + '.bak')\n\
         os.rmdir(os.path.join(d, 'sub'))\n\
         after = os.path.exists(p)\n",
    )
    .unwrap();
    assert_eq!(
        e.get::<Vec<String>>("lines").unwrap(),
        ["hello\n", "world\n"]
    );
    assert_eq!(e.get::<Vec<String>>("names").unwrap(), ["a.txt", "sub"]);
    assert_eq!(e.get::<i64>("size").unwrap(), 12);
    assert!(e.get::<bool>("before").unwrap());
    assert!(!e.get::<bool>("after").unwrap());
    // Files alone do not reveal the working directory.
    assert_eq!(
        limit_of(e.run("os.path.abspath('x')")),
        LimitKind::Denied(Capability::Environment)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn environment_is_denied_by_default() {
    for code in [
        "os.environ",
        "from os import environ",
        "os.getenv('PATH')",
        "os.getcwd()",
        "os.chdir('/')",
        "os.getpid()",
        "os.path.expanduser('~')",
        "socket.gethostname()",
    ] {
        assert_denied(Capability::Environment, code);
    }
    // Harmless host facts stay available.
    let mut e = quiet();
    e.run("import os\nsep = os.sep\nn = os.cpu_count()\nr = len(os.urandom(4))")
        .unwrap();
    assert_eq!(e.get::<i64>("r").unwrap(), 4);
    // A missing attribute is still an AttributeError.
    let err = e.run("os.nothing").unwrap_err();
    assert_eq!(
        last_line(&err),
        "AttributeError: module 'os' has no attribute 'nothing'"
    );
}

#[test]
fn environment_works_when_granted() {
    let mut e = granted(&[Capability::Environment]);
    e.run(
        "import os\n\
         path = os.environ.get('PATH')\n\
         path2 = os.getenv('PATH')\n\
         cwd = os.getcwd()\n\
         pid = os.getpid()\n",
    )
    .unwrap();
    let path = std::env::var("PATH").ok();
    assert_eq!(e.get::<Option<String>>("path").unwrap(), path);
    assert_eq!(e.get::<Option<String>>("path2").unwrap(), path);
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(e.get::<String>("cwd").unwrap(), cwd.to_str().unwrap());
    assert_eq!(e.get::<u32>("pid").unwrap(), std::process::id());
}

#[test]
fn clock_is_denied_by_default() {
    for code in [
        "time.time()",
        "time.time_ns()",
        "time.localtime()",
        "time.gmtime()",
        "time.strftime('%Y')",
        "time.ctime()",
        "time.asctime()",
    ] {
        assert_denied(Capability::Clock, code);
    }
    // The monotonic clocks, sleeping, the loop's clock and calendar arithmetic on given
    // timestamps stay available; the local zone is UTC.
    let mut e = quiet();
    e.run(
        "import asyncio, time\n\
         a = time.monotonic(); b = time.perf_counter(); time.sleep(0.001)\n\
         ok = time.monotonic() > a and time.perf_counter() > b\n\
         year = time.gmtime(0).tm_year\n\
         day = time.strftime('%Y-%m-%d', time.gmtime(86400))\n\
         zone = (time.timezone, time.localtime(0).tm_hour)\n\
         async def main():\n\
         \x20   t = asyncio.get_running_loop().time()\n\
         \x20   await asyncio.sleep(0.001)\n\
         \x20   return asyncio.get_running_loop().time() > t\n\
         later = asyncio.run(main())\n",
    )
    .unwrap();
    assert!(e.get::<bool>("ok").unwrap());
    assert!(e.get::<bool>("later").unwrap());
    assert_eq!(e.get::<i64>("year").unwrap(), 1970);
    assert_eq!(e.get::<String>("day").unwrap(), "1970-01-02");
    assert_eq!(e.get::<(i64, i64)>("zone").unwrap(), (0, 0));
}

#[test]
fn clock_works_when_granted() {
    let mut e = granted(&[Capability::Clock]);
    e.run("import time\nt = time.time()\nns = time.time_ns()\ny = time.localtime().tm_year")
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((e.get::<f64>("t").unwrap() - now).abs() < 60.0);
    assert!((e.get::<i64>("ns").unwrap() as f64 / 1e9 - now).abs() < 60.0);
    assert!(e.get::<i64>("y").unwrap() >= 2024);
}

#[test]
fn sleep_is_bounded_by_the_deadline() {
    let mut e = Engine::builder()
        .timeout(Duration::from_millis(200))
        .capture_output()
        .build();
    let t = Instant::now();
    let k =
        limit_of(e.run("import time\ntry:\n    time.sleep(30)\nexcept BaseException:\n    pass\n"));
    assert_eq!(k, LimitKind::Deadline);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn network_is_denied_by_default() {
    for code in [
        "socket.socket()",
        "socket.socket(socket.AF_UNIX)",
        "socket.getaddrinfo('127.0.0.1', 80)",
        "socket.gethostbyname('localhost')",
        "async def main():\n    await asyncio.open_connection('127.0.0.1', 9)",
        "async def main():\n    await asyncio.start_server(lambda r, w: None, '127.0.0.1', 0)",
        "async def main():\n    await asyncio.open_unix_connection('/tmp/nothing.sock')",
        "async def main():\n    await asyncio.get_running_loop().getaddrinfo('localhost', 80)",
        "async def main():\n    await asyncio.get_running_loop().sock_connect(None, ('127.0.0.1', 9))",
        "async def main():\n    await asyncio.get_running_loop().sock_recv(None, 1)",
        "async def main():\n    await asyncio.to_thread(socket.getaddrinfo, 'localhost', 80)",
        "import aiohttp\nasync def main():\n    async with aiohttp.ClientSession() as s:\n        await s.get('http://127.0.0.1:9/')",
        "from aiohttp import web\nasync def main():\n    app = web.Application()\n    runner = web.AppRunner(app)\n    await runner.setup()\n    await web.TCPSite(runner, '127.0.0.1', 0).start()",
    ] {
        assert_denied(Capability::Network, code);
    }
}

/// A script TCP echo server and client on 127.0.0.1; `main(n)` echoes `n` lines.
const ECHO: &str = "import asyncio\n\
async def handle(reader, writer):\n\
\x20   while line := await reader.readline():\n\
\x20       writer.write(line.upper())\n\
\x20       await writer.drain()\n\
\x20   writer.close()\n\
async def main(n):\n\
\x20   server = await asyncio.start_server(handle, '127.0.0.1', 0)\n\
\x20   port = server.sockets[0].getsockname()[1]\n\
\x20   reader, writer = await asyncio.open_connection('127.0.0.1', port)\n\
\x20   got = []\n\
\x20   for i in range(n):\n\
\x20       writer.write(f'line {i} from port {port}\\n'.encode())\n\
\x20       await writer.drain()\n\
\x20       got.append((await reader.readline()).decode())\n\
\x20   writer.close()\n\
\x20   await writer.wait_closed()\n\
\x20   server.close()\n\
\x20   await server.wait_closed()\n\
\x20   return port, got\n";

fn check_echo(port: i64, got: &[String], n: usize) {
    assert_eq!(got.len(), n);
    for (i, line) in got.iter().enumerate() {
        assert_eq!(line, &format!("LINE {i} FROM PORT {port}\n"));
    }
}

#[test]
fn network_works_when_granted() {
    let mut e = granted(&[Capability::Network]);
    e.run(ECHO).unwrap();
    let (port, got): (i64, Vec<String>) = e.call("main", (3,)).unwrap();
    check_echo(port, &got, 3);
}

#[test]
fn subprocesses_are_denied_by_default() {
    for code in [
        "async def main():\n    await asyncio.create_subprocess_exec('true')",
        "async def main():\n    await asyncio.create_subprocess_shell('true')",
        "async def main():\n    await asyncio.get_running_loop().subprocess_exec(asyncio.SubprocessProtocol, 'true')",
    ] {
        assert_denied(Capability::Subprocess, code);
    }
}

#[test]
fn subprocesses_work_when_granted() {
    let mut e = granted(&[Capability::Subprocess]);
    e.run(
        "import asyncio\n\
         async def main():\n\
         \x20   p = await asyncio.create_subprocess_exec('echo', 'hi', stdout=asyncio.subprocess.PIPE)\n\
         \x20   out, _ = await p.communicate()\n\
         \x20   return out.decode(), p.returncode\n",
    )
    .unwrap();
    let (out, rc): (String, i64) = e.call("main", ()).unwrap();
    assert_eq!((out.as_str(), rc), ("hi\n", 0));
}

#[test]
fn signals_are_denied_by_default() {
    for code in [
        "signal.signal(signal.SIGUSR1, lambda *a: None)",
        "signal.signal(signal.SIGINT, signal.SIG_IGN)",
        "signal.raise_signal(signal.SIGUSR1)",
        "async def main():\n    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, print)",
    ] {
        assert_denied(Capability::Signals, code);
    }
    // asyncio.run leaves SIGINT alone instead of failing, as CPython does off the main thread.
    // (What SIGINT's handler is to begin with depends on how the test process was started: a
    // shell starts background jobs with SIGINT ignored.)
    let mut e = quiet();
    e.run(
        "import asyncio, signal\n\
         before = signal.getsignal(signal.SIGINT)\n\
         async def main():\n\
         \x20   return signal.getsignal(signal.SIGINT)\n\
         untouched = asyncio.run(main()) is before\n\
         known = before is signal.default_int_handler or before == signal.SIG_IGN\n",
    )
    .unwrap();
    assert!(e.get::<bool>("untouched").unwrap());
    assert!(e.get::<bool>("known").unwrap());
}

#[test]
fn signals_work_when_granted() {
    let mut e = granted(&[Capability::Signals]);
    e.run(
        "import signal\n\
         got = []\n\
         old = signal.signal(signal.SIGUSR2, lambda n, f: got.append(n))\n\
         signal.raise_signal(signal.SIGUSR2)\n\
         signal.signal(signal.SIGUSR2, signal.SIG_IGN)\n",
    )
    .unwrap();
    assert_eq!(e.get::<Vec<i64>>("got").unwrap(), [12]);
}

#[test]
fn stdin_is_denied_by_default() {
    for code in [
        "input()",
        "input('password: ')",
        "import sys\nsys.stdin.readline()",
        "import sys\nsys.stdin.read()",
    ] {
        assert_denied(Capability::Stdin, code);
    }
}

#[test]
fn capabilities_can_change_between_runs() {
    let mut e = quiet();
    assert_eq!(
        limit_of(e.run("import time\nt = time.time()")),
        LimitKind::Denied(Capability::Clock)
    );
    e.set_capabilities(aio::embed::Capabilities::none().with(Capability::Clock));
    e.run("t = time.time()").unwrap();
    assert!(e.get::<f64>("t").unwrap() > 1e9);
}

// ----- isolation ------------------------------------------------------------------------------

#[test]
fn engines_run_event_loops_concurrently_on_two_threads() {
    let threads: Vec<_> = (0..2)
        .map(|i| {
            std::thread::spawn(move || {
                let mut e = granted(&[Capability::Network]);
                e.run(ECHO).unwrap();
                e.run(&format!("ident = {i}")).unwrap();
                let (port, got): (i64, Vec<String>) = e.call("main", (200,)).unwrap();
                check_echo(port, &got, 200);
                (e.get::<i64>("ident").unwrap(), port)
            })
        })
        .collect();
    let rs: Vec<(i64, i64)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!((rs[0].0, rs[1].0), (0, 1));
    assert_ne!(rs[0].1, rs[1].1);
}

#[test]
fn every_engine_hears_the_signals_it_handles() {
    // Two engines on two threads handle SIGUSR1 with loop.add_signal_handler; one signal to
    // the process reaches both (no engine consumes another's), and a third engine that does
    // not handle it sees nothing.
    let script = "import asyncio, signal\n\
         heard = 0\n\
         async def main():\n\
         \x20   global heard\n\
         \x20   loop = asyncio.get_running_loop()\n\
         \x20   done = asyncio.Event()\n\
         \x20   def on_signal():\n\
         \x20       global heard\n\
         \x20       heard += 1\n\
         \x20       done.set()\n\
         \x20   loop.add_signal_handler(signal.SIGUSR1, on_signal)\n\
         \x20   ready()\n\
         \x20   await asyncio.wait_for(done.wait(), 10)\n\
         \x20   loop.remove_signal_handler(signal.SIGUSR1)\n\
         \x20   return heard\n";
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut e = granted(&[Capability::Signals]);
                e.register("ready", move || {
                    let _ = tx.send(());
                });
                e.run(script).unwrap();
                e.call::<i64>("main", ()).unwrap()
            })
        })
        .collect();
    let mut bystander = granted(&[Capability::Signals]);
    bystander
        .run("import signal\ngot = []\nsignal.signal(signal.SIGUSR2, lambda n, f: got.append(n))\n")
        .unwrap();
    rx.recv().unwrap();
    rx.recv().unwrap();
    signal_hook::low_level::raise(signal_hook::consts::SIGUSR1).unwrap();
    let heard: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(heard, [1, 1]);
    bystander.run("x = sum(range(100000))").unwrap();
    assert_eq!(bystander.get::<Vec<i64>>("got").unwrap(), Vec::<i64>::new());
}

#[test]
fn one_engine_going_back_to_the_default_leaves_another_handling() {
    // An engine that stops handling a signal (SIG_DFL) or goes away must not let the process
    // take the default action (termination) while another engine still handles it. (SIGHUP:
    // no other test raises it.)
    let mut keeper = granted(&[Capability::Signals]);
    keeper
        .run("import signal\ngot = []\nsignal.signal(signal.SIGHUP, lambda n, f: got.append(n))\n")
        .unwrap();
    let mut gone = granted(&[Capability::Signals]);
    gone.run("import signal\nsignal.signal(signal.SIGHUP, signal.SIG_IGN)\n")
        .unwrap();
    drop(gone);
    let mut other = granted(&[Capability::Signals]);
    other
        .run("import signal\nsignal.signal(signal.SIGHUP, print)\nsignal.signal(signal.SIGHUP, signal.SIG_DFL)\n")
        .unwrap();
    signal_hook::low_level::raise(signal_hook::consts::SIGHUP).unwrap();
    keeper.run("for i in range(1000):\n    pass\n").unwrap();
    assert_eq!(keeper.get::<Vec<i64>>("got").unwrap(), [1]);
}

// ----- run_coroutine_threadsafe -------------------------------------------------------------

/// Drives `e` until `done` holds (or panics after a few seconds).
fn drive_until(e: &mut Engine, mut done: impl FnMut(&mut Engine) -> bool) {
    let t = Instant::now();
    while !done(e) {
        e.poll(Some(Duration::from_millis(5))).unwrap();
        assert!(t.elapsed() < Duration::from_secs(10), "gave up waiting");
    }
}

#[test]
fn host_calls_go_through_run_coroutine_threadsafe() {
    let mut e = quiet();
    e.run(
        "import asyncio, concurrent.futures\n\
         seen = []\n\
         _original = asyncio.tasks.run_coroutine_threadsafe\n\
         def spy(coro, loop):\n\
         \x20   fut = _original(coro, loop)\n\
         \x20   seen.append(type(fut) is concurrent.futures.Future)\n\
         \x20   return fut\n\
         asyncio.tasks.run_coroutine_threadsafe = spy\n\
         async def add(a, b):\n\
         \x20   await asyncio.sleep(0)\n\
         \x20   return a + b\n\
         async def fail():\n\
         \x20   raise KeyError('nope')\n",
    )
    .unwrap();
    let h = e.handle();
    let t = std::thread::spawn(move || {
        let ok = h.call::<i64, _>("add", (2, 3)).wait();
        let err = h.call::<i64, _>("fail", ()).wait();
        (ok, err)
    });
    drive_until(&mut e, |_| t.is_finished());
    let (ok, err) = t.join().unwrap();
    assert_eq!(ok.unwrap(), 5);
    let err = err.unwrap_err();
    assert_eq!(err.kind(), "KeyError");
    assert!(err.to_string().contains("in fail"), "{err}");
    assert_eq!(e.get::<Vec<bool>>("seen").unwrap(), [true, true]);
}

#[test]
fn cancelling_a_waitable_cancels_the_task() {
    let mut e = quiet();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = std::sync::Mutex::new(tx);
    e.register("started", move || {
        let _ = tx.lock().unwrap().send(());
    });
    e.run(
        "import asyncio\n\
         log = []\n\
         async def slow():\n\
         \x20   started()\n\
         \x20   try:\n\
         \x20       await asyncio.sleep(30)\n\
         \x20   except asyncio.CancelledError:\n\
         \x20       log.append('cancelled')\n\
         \x20       raise\n",
    )
    .unwrap();
    let h = e.handle();
    let w = h.call::<(), _>("slow", ());
    let (done_tx, done_rx) = std::sync::mpsc::channel::<String>();
    w.add_done_callback(move |r| {
        let _ = done_tx.send(format!(
            "{:?}",
            r.as_ref().map_err(|e| e.kind().to_string())
        ));
    });
    let t = std::thread::spawn(move || {
        rx.recv().unwrap();
        assert!(!w.is_done());
        assert!(w.cancel());
        assert!(w.is_done() && w.is_cancelled());
        assert!(w.cancel(), "cancelling again still reports cancelled");
        w.wait()
    });
    drive_until(&mut e, |e| e.get::<Vec<String>>("log").unwrap().len() == 1);
    assert_eq!(t.join().unwrap().unwrap_err().kind(), "CancelledError");
    assert_eq!(done_rx.recv().unwrap(), "Err(\"CancelledError\")");
    assert_eq!(e.get::<Vec<String>>("log").unwrap(), ["cancelled"]);
    // A finished call cannot be cancelled; its callbacks run at once.
    e.run("async def quick():\n    return 7\n").unwrap();
    let w = h.call::<i64, _>("quick", ());
    drive_until(&mut e, |_| w.is_done());
    assert!(!w.cancel());
    let (cb_tx, cb_rx) = std::sync::mpsc::channel::<i64>();
    w.add_done_callback(move |r| cb_tx.send(*r.as_ref().unwrap()).unwrap());
    assert_eq!(cb_rx.recv().unwrap(), 7);
    assert_eq!(w.wait().unwrap(), 7);
}

#[test]
fn waiting_on_the_engine_thread_fails_instead_of_hanging() {
    let mut e = quiet();
    e.run("async def f():\n    return 1\n").unwrap();
    let h = e.handle();
    e.register("reenter", move || -> Result<i64, Error> {
        let w = h.call::<i64, _>("f", ());
        assert!(w.wait_timeout(Duration::from_secs(5)).is_none());
        w.wait()
    });
    let t = Instant::now();
    e.run("try:\n    reenter()\nexcept RuntimeError as e:\n    msg = str(e)\n")
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(
        e.get::<String>("msg").unwrap(),
        "waiting on the engine's own thread would never end"
    );
    // In a script, result() without a timeout on an unfinished future raises at once.
    e.run(
        "import asyncio\n\
         async def main():\n\
         \x20   fut = asyncio.run_coroutine_threadsafe(asyncio.sleep(0, 'x'), asyncio.get_running_loop())\n\
         \x20   try:\n\
         \x20       fut.result()\n\
         \x20   except RuntimeError as e:\n\
         \x20       first = str(e)\n\
         \x20   return first, await asyncio.wrap_future(fut), fut.result()\n",
    )
    .unwrap();
    let (first, awaited, after): (String, String, String) = e.call("main", ()).unwrap();
    assert!(
        first.starts_with("result() of an unfinished concurrent.futures.Future"),
        "{first}"
    );
    assert_eq!((awaited.as_str(), after.as_str()), ("x", "x"));
}
