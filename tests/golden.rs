//! Golden tests: every `tests/golden/<area>/<name>.aio` runs under the `aio` binary and its
//! stdout must equal `<name>.out`, produced by CPython 3.11 (see `tests/golden/README.md`).
//! A first line `# exit: N` gives the expected exit status (default 0; death by signal S
//! counts as 128 + S, as a shell reports it); an optional `<name>.err` must equal stderr; an optional `<name>.errline` must equal the last line of
//! stderr; `<name>.in` is fed to standard input; `<name>.args` holds
//! extra command-line arguments, one per line. Cases in a `repl` directory run as
//! `aio -i <name>.aio` with `<name>.in` typed at the prompt.
//!
//! Set `GOLDEN_FILTER=substring` to run a subset.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "aio") {
            // Modules imported by tests live under `_modules` directories.
            if !p.components().any(|c| c.as_os_str() == "_modules") {
                out.push(p);
            }
        }
    }
}

fn expected_exit(src: &str) -> i32 {
    src.lines()
        .next()
        .and_then(|l| l.strip_prefix("# exit:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Runs one case; returns a description of the mismatch, if any.
fn run_case(bin: &Path, path: &Path) -> Option<String> {
    let src = std::fs::read_to_string(path).ok()?;
    let want_out = std::fs::read_to_string(path.with_extension("out")).unwrap_or_else(|_| {
        panic!("{} has no .out file", path.display());
    });
    let want_err = std::fs::read_to_string(path.with_extension("err")).ok();
    let want_errline = std::fs::read_to_string(path.with_extension("errline")).ok();
    let input = std::fs::read(path.with_extension("in")).ok();
    let extra: Vec<String> = std::fs::read_to_string(path.with_extension("args"))
        .map(|s| s.lines().map(String::from).collect())
        .unwrap_or_default();
    let dir = path.parent().expect("file has a directory");
    let name = path.file_name().expect("file has a name");
    // A REPL case types its `.in` at the prompt after running the (comment-only) file.
    let repl = dir.file_name().is_some_and(|d| d == "repl");
    let mut child = Command::new(bin)
        .args(repl.then_some("-i"))
        .arg(name)
        .args(&extra)
        .current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio starts");
    if let Some(data) = input {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("piped");
        let _ = stdin.write_all(&data);
    }
    // Drain the pipes while the case runs: output larger than a pipe buffer would
    // otherwise block the child until the deadline.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_reader = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err_reader = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() > deadline => {
                let _ = child.kill();
                return Some(format!("{}: timed out", path.display()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Some(format!("{}: {e}", path.display())),
        }
    }
    let status = child.wait().expect("exit status");
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    let got_out = String::from_utf8_lossy(&stdout);
    // The main script is named by its absolute path in tracebacks, as python3 does; the
    // expectations name it relative to its directory.
    let abs_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let got_err = String::from_utf8_lossy(&stderr)
        .replace(&format!("\"{}/", abs_dir.display()), "\"")
        .replace(&format!("\"{}/", dir.display()), "\"");
    // Death by a signal counts as a shell reports it (128 + the signal): python3 ends an
    // uncaught KeyboardInterrupt by SIGINT, status 130.
    let code = {
        use std::os::unix::process::ExitStatusExt;
        status
            .code()
            .or_else(|| status.signal().map(|s| 128 + s))
            .unwrap_or(-1)
    };
    let mut problems = Vec::new();
    if got_out != want_out {
        problems.push(format!(
            "stdout differs:\n--- expected\n{want_out}--- got\n{got_out}"
        ));
    }
    if code != expected_exit(&src) {
        problems.push(format!(
            "exit status {code}, expected {}",
            expected_exit(&src)
        ));
    }
    if let Some(w) = want_err {
        if got_err != w {
            problems.push(format!(
                "stderr differs:\n--- expected\n{w}--- got\n{got_err}"
            ));
        }
    }
    if let Some(w) = want_errline {
        let last = got_err.lines().last().unwrap_or("");
        if last != w.trim_end_matches('\n') {
            problems.push(format!(
                "last stderr line differs:\n--- expected\n{w}--- got\n{last}\n"
            ));
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "{}:\n{}\n--- stderr\n{}",
            path.display(),
            problems.join("\n"),
            got_err
        ))
    }
}

#[test]
fn golden() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_aio"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases = Vec::new();
    collect(&root, &mut cases);
    if let Ok(f) = std::env::var("GOLDEN_FILTER") {
        cases.retain(|c| c.to_string_lossy().contains(&f));
    }
    assert!(!cases.is_empty(), "no golden cases found");
    let total = cases.len();
    let queue = Arc::new(Mutex::new(cases));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let queue = queue.clone();
            let failures = failures.clone();
            let bin = bin.clone();
            std::thread::spawn(move || loop {
                let next = queue.lock().expect("queue").pop();
                let Some(case) = next else { break };
                if let Some(f) = run_case(&bin, &case) {
                    failures.lock().expect("failures").push(f);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let failures = failures.lock().expect("failures");
    if !failures.is_empty() {
        let mut report = failures.clone();
        report.sort();
        panic!(
            "{} of {} golden cases failed:\n\n{}",
            failures.len(),
            total,
            report.join("\n\n")
        );
    }
    println!("{total} golden cases passed");
}
