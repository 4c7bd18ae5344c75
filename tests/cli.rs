//! The `aio` command line: how programs are given (file, `-c`, `-`), `sys.argv`, version and
//! help, exit statuses as python3 gives them, and behaviour at the limits (closed pipes,
//! huge or deeply nested sources) that must end in an error message, never a crash.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn aio() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aio"));
    c.env("PYTHONHASHSEED", "0");
    c
}

/// A scratch file holding `src`, removed when the test's directory is.
fn script(name: &str, src: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aio-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, src).expect("script written");
    path
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio starts");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("stdin written");
    }
    child.wait_with_output().expect("aio finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn no_panic(o: &Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(
        o.status.code().is_some(),
        "killed by a signal: {:?}",
        o.status
    );
}

#[test]
fn file_arguments_become_sys_argv() {
    let p = script("argv.aio", "import sys\nprint(sys.argv[1:])\n");
    let o = run(aio().arg(&p).args(["a", "b c", "-x"]), None);
    assert_eq!(stdout(&o), "['a', 'b c', '-x']\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn dash_c_runs_a_string() {
    let o = run(
        aio().args(["-c", "import sys; print(sys.argv, 6 * 7)", "x"]),
        None,
    );
    assert_eq!(stdout(&o), "['-c', 'x'] 42\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn dash_reads_the_program_from_stdin() {
    let o = run(
        aio().args(["-", "arg"]),
        Some("import sys\nprint('stdin', sys.argv)\n"),
    );
    assert_eq!(stdout(&o), "stdin ['-', 'arg']\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn stdin_that_is_not_a_terminal_is_a_program() {
    let o = run(&mut aio(), Some("print(1 + 1)\n"));
    assert_eq!(stdout(&o), "2\n");
}

#[test]
fn version_and_help() {
    for flag in ["-V", "--version"] {
        let o = run(aio().arg(flag), None);
        assert!(stdout(&o).starts_with("Aio "), "{flag}: {}", stdout(&o));
        assert_eq!(o.status.code(), Some(0));
    }
    for flag in ["-h", "--help"] {
        let o = run(aio().arg(flag), None);
        assert!(stdout(&o).starts_with("usage: aio"), "{flag}");
        assert_eq!(o.status.code(), Some(0));
    }
}

#[test]
fn bad_usage_exits_2() {
    let o = run(aio().arg("--no-such-option"), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("usage: aio"));
    let o = run(aio().arg("-c"), None);
    assert_eq!(o.status.code(), Some(2));
    let o = run(aio().arg("/nonexistent/dir/x.aio"), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("can't open file '/nonexistent/dir/x.aio': [Errno 2]"));
}

#[test]
fn sys_exit_statuses_follow_python() {
    let cases = [
        ("import sys; sys.exit()", 0, ""),
        ("import sys; sys.exit(None)", 0, ""),
        ("import sys; sys.exit(3)", 3, ""),
        ("import sys; sys.exit(True)", 1, ""),
        ("import sys; sys.exit(False)", 0, ""),
        ("raise SystemExit(256)", 0, ""),
        ("raise SystemExit(-1)", 255, ""),
        (
            "import sys; sys.exit('fatal: giving up')",
            1,
            "fatal: giving up\n",
        ),
        ("import sys; sys.exit([1, 2])", 1, "[1, 2]\n"),
    ];
    for (src, code, err) in cases {
        let o = run(aio().args(["-c", src]), None);
        assert_eq!(o.status.code(), Some(code), "{src}");
        assert_eq!(stderr(&o), err, "{src}");
    }
}

#[test]
fn uncaught_exceptions_exit_1_with_a_traceback() {
    let o = run(aio().args(["-c", "print('out')\n1/0"]), None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "out\n");
    assert_eq!(
        stderr(&o),
        "Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\n\
         ZeroDivisionError: division by zero\n"
    );
}

#[test]
fn keyboard_interrupt_ends_by_sigint() {
    // As python3: the process kills itself with SIGINT, so a shell reports status 130.
    use std::os::unix::process::ExitStatusExt;
    let o = run(aio().args(["-c", "raise KeyboardInterrupt"]), None);
    assert_eq!(o.status.code(), None);
    assert_eq!(o.status.signal(), Some(2));
    assert!(stderr(&o).ends_with("KeyboardInterrupt\n"));
}

#[test]
fn syntax_errors_exit_1() {
    let o = run(aio().args(["-c", "x = (1,"]), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).ends_with("SyntaxError: '(' was never closed\n"));
}

#[test]
fn output_is_flushed_at_exit_and_ordered_with_stderr_on_error() {
    let o = run(
        aio().args(["-c", "import sys\nprint('a', end='')\nsys.exit(4)"]),
        None,
    );
    assert_eq!(stdout(&o), "a");
    assert_eq!(o.status.code(), Some(4));
}

#[test]
fn closed_stdout_pipe_is_a_broken_pipe_error_not_a_panic() {
    let p = script("pipe.aio", "for i in range(1000000):\n    print(i)\n");
    let mut child = aio()
        .arg(&p)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio starts");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 2];
    std::io::Read::read_exact(&mut out, &mut first).expect("some output");
    drop(out);
    let o = child.wait_with_output().expect("finishes");
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).ends_with("BrokenPipeError: [Errno 32] Broken pipe\n"));
}

#[test]
fn a_million_lines_print_fast() {
    let p = script("million.aio", "for i in range(1000000):\n    print(i)\n");
    let start = Instant::now();
    let o = run(aio().arg(&p), None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout.iter().filter(|&&b| b == b'\n').count(), 1_000_000);
    assert!(stdout(&o).ends_with("999999\n"));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_ten_megabyte_string_literal_works() {
    let src = format!(
        "x = \"{}\"\nprint(len(x), x[-2:])\n",
        "ab".repeat(5_000_000)
    );
    let p = script("bigliteral.aio", &src);
    let o = run(aio().arg(&p), None);
    assert_eq!(stdout(&o), "10000000 ab\n");
}

/// Deeply nested sources end in python3's error (or a RecursionError) and exit 1.
#[test]
fn deeply_nested_sources_are_clean_errors() {
    let mut blocks = String::new();
    for i in 0..10_000 {
        blocks.push_str(&" ".repeat(i));
        blocks.push_str("if True:\n");
    }
    blocks.push_str(&" ".repeat(10_000));
    blocks.push_str("pass\n");
    let cases = [
        (
            format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000)),
            "SyntaxError: too many nested parentheses",
        ),
        (
            format!("x = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
            "SyntaxError: too many nested parentheses",
        ),
        (
            format!("x = {}{}\n", "f(".repeat(10_000), ")".repeat(10_000)),
            "SyntaxError: too many nested parentheses",
        ),
        (blocks, "IndentationError: too many levels of indentation"),
        (
            format!("x = 1{}\n", " + 1".repeat(100_000)),
            "RecursionError: maximum recursion depth exceeded during compilation",
        ),
        (format!("x = {}1\n", "-".repeat(100_000)), "RecursionError"),
        (
            format!("x = {}1\n", "lambda: ".repeat(10_000)),
            "RecursionError",
        ),
    ];
    for (i, (src, want)) in cases.iter().enumerate() {
        let p = script(&format!("nested{i}.aio"), src);
        let o = run(aio().arg(&p), None);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "case {i}");
        let err = stderr(&o);
        let last = err.lines().last().unwrap_or("");
        assert!(last.starts_with(want), "case {i}: {last}");
    }
}

/// Outside the subset: a clear TypeError, never a crash.
#[test]
fn multiple_inheritance_and_metaclasses_are_clear_errors() {
    let cases = [
        (
            "class A: pass\nclass B: pass\nclass C(A, B): pass\n",
            "TypeError: multiple inheritance is not supported by Aio",
        ),
        (
            "class M(type): pass\n",
            "TypeError: metaclasses (subclasses of type) are not supported by Aio",
        ),
        (
            "class M: pass\nclass D(metaclass=M): pass\n",
            "TypeError: metaclasses are not supported by Aio",
        ),
    ];
    for (src, want) in cases {
        let o = run(aio().args(["-c", src]), None);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{src}");
        assert_eq!(stderr(&o).lines().last(), Some(want), "{src}");
    }
}
