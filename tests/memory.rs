//! Memory stays bounded while a script builds and drops a million objects in reference
//! cycles: the cycle collector must reclaim them. Runs the `aio` binary and samples its
//! peak resident set size (`VmHWM` in `/proc/<pid>/status`) while it runs.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Peak RSS in kB of a process, if the system exposes it.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `src` and returns (stdout, the largest peak RSS seen, in kB).
fn run_sampled(src: &str) -> (String, u64) {
    // One directory per case: tests run in parallel and each removes its own at the end.
    static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CASE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("aio-memory-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("case{}.aio", src.len()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(src.as_bytes()))
        .expect("script written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("aio starts");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut peak = 0;
    while child.try_wait().expect("wait").is_none() {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        assert!(Instant::now() < deadline, "script timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success(), "script failed: {:?}", out.status);
    let _ = std::fs::remove_dir_all(&dir);
    (String::from_utf8_lossy(&out.stdout).into_owned(), peak)
}

/// Without collection these loops would hold hundreds of megabytes; with it the process
/// stays near its starting size.
const LIMIT_KB: u64 = 64 * 1024;

#[test]
fn self_referencing_lists_are_reclaimed() {
    let (out, peak) =
        run_sampled("for i in range(1000000):\n    l = [i]\n    l.append(l)\nprint('done')\n");
    assert_eq!(out, "done\n");
    assert!(peak < LIMIT_KB, "peak RSS {peak} kB");
}

#[test]
fn instance_cycles_are_reclaimed() {
    let (out, peak) = run_sampled(
        "class Node:\n    def __init__(self):\n        self.peer = None\n\
         for i in range(1000000):\n    a = Node()\n    b = Node()\n    a.peer = b\n    b.peer = a\n\
         print('done')\n",
    );
    assert_eq!(out, "done\n");
    assert!(peak < LIMIT_KB, "peak RSS {peak} kB");
}

#[test]
fn self_capturing_closures_are_reclaimed() {
    let (out, peak) = run_sampled(
        "def make(n):\n    def f():\n        return f, n\n    return f\n\
         for i in range(1000000):\n    make(i)\nprint('done')\n",
    );
    assert_eq!(out, "done\n");
    assert!(peak < LIMIT_KB, "peak RSS {peak} kB");
}

#[test]
fn suspended_generators_in_cycles_are_closed_and_reclaimed() {
    let (out, peak) = run_sampled(
        "closed = 0\n\
         def gen(box):\n    global closed\n    try:\n        yield box\n    finally:\n        closed += 1\n\
         for i in range(200000):\n    box = []\n    g = gen(box)\n    box.append(g)\n    next(g)\n\
         del box, g\n\
         print(closed > 199000)\n",
    );
    assert_eq!(out, "True\n");
    assert!(peak < LIMIT_KB, "peak RSS {peak} kB");
}
