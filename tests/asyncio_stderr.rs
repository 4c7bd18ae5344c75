//! What asyncio reports on stderr, checked against CPython 3.11's wording: coroutines never
//! awaited, exceptions never retrieved, tasks destroyed while pending.

use std::process::Command;

fn run(source: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("aio-stderr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("case{}.aio", source.len()));
    std::fs::write(&path, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg(&path)
        .output()
        .expect("aio runs");
    let _ = std::fs::remove_file(&path);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn coroutine_never_awaited_warns_once_per_line() {
    let (out, err) =
        run("async def f():\n    pass\n\nfor i in range(3):\n    f()\nprint('done')\n");
    assert_eq!(out, "done\n");
    assert_eq!(
        err.matches("RuntimeWarning: coroutine 'f' was never awaited")
            .count(),
        1,
        "{err}"
    );
    assert!(
        err.contains(":5: RuntimeWarning: coroutine 'f' was never awaited\n  f()\n"),
        "{err}"
    );
    assert!(
        err.contains("RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n")
    );
}

#[test]
fn task_exception_never_retrieved() {
    let src = "import asyncio\n\nasync def fails():\n    raise KeyError('lost')\n\nasync def main():\n    t = asyncio.create_task(fails())\n    await asyncio.sleep(0)\n    del t\n    print('after del')\n\nasyncio.run(main())\n";
    let (out, err) = run(src);
    assert_eq!(out, "after del\n");
    assert!(err.starts_with("Task exception was never retrieved\nfuture: <Task finished name='Task-2' coro=<fails() done, defined at "), "{err}");
    assert!(
        err.contains("> exception=KeyError('lost')>\nTraceback (most recent call last):\n"),
        "{err}"
    );
    assert!(
        err.ends_with("    raise KeyError('lost')\nKeyError: 'lost'\n"),
        "{err}"
    );
}

#[test]
fn future_exception_never_retrieved() {
    let src = "import asyncio\n\nasync def main():\n    f = asyncio.get_running_loop().create_future()\n    f.set_exception(ValueError(1))\n    del f\n    print('after')\n\nasyncio.run(main())\n";
    let (out, err) = run(src);
    assert_eq!(out, "after\n");
    assert_eq!(
        err,
        "Future exception was never retrieved\nfuture: <Future finished exception=ValueError(1)>\nValueError: 1\n"
    );
}
