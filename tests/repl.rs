//! The interactive REPL driven through a pseudo-terminal, as a person would use it: blocks
//! typed and pasted, top-level await, a background task printing while the prompt waits,
//! errors and recovery, Ctrl-C, completion, help, history across sessions, and exit status.
//! Every step waits for the output it needs; none sleeps and hopes.

mod repl_pty;

use repl_pty::{temp_history, Repl};

#[test]
fn repl_banner_blocks_and_echo() {
    let mut r = Repl::start(&[], None);
    r.expect("asyncio REPL");
    r.prompt();
    r.line("def add(a, b=1):");
    r.expect("... ");
    r.line("    total = a + b");
    r.line("    return total");
    r.line("");
    r.prompt();
    r.run("add(40, 2)", "42\n");
    r.run("_ + 1", "43\n");
    r.run("for i in range(3):\n    print('row', i * 11)\n", "row 22\n");
    r.enter("x = [1,\n2]");
    r.run("x", "[1, 2]\n");
    r.enter("s = '''one\ntwo'''");
    r.run("s", "'one\\ntwo'\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_top_level_await() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.run(
        "await asyncio.sleep(0.01, result='sl' + 'ept')",
        "'slept'\n",
    );
    r.enter("r = await asyncio.sleep(0, result=6 * 7)");
    r.run("r", "42\n");
    r.line("async def agen():");
    r.line("    for i in range(3):");
    r.line("        await asyncio.sleep(0)");
    r.line("        yield i * 100");
    r.line("");
    r.run("async for v in agen():\n    print('got', v)\n", "got 200\n");
    r.line("class Res:");
    r.line("    async def __aenter__(self):");
    r.line("        print('enter' + 'ed')");
    r.line("        return 5");
    r.line("    async def __aexit__(self, *exc):");
    r.line("        print('exit' + 'ed')");
    r.line("");
    r.run(
        "async with Res() as v:\n    print('inside', v * 2)\n",
        "exited\n",
    );
    r.run(
        "asyncio.get_running_loop() is asyncio.get_event_loop()",
        "True\n",
    );
    r.run("asyncio.current_task() is None", "True\n");
    r.run(
        "(await asyncio.gather(asyncio.sleep(0, 1), asyncio.sleep(0, 2)))",
        "[1, 2]\n",
    );
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_background_task_prints_while_prompt_waits() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.line("async def ticker():");
    r.line("    await asyncio.sleep(0.3)");
    r.line("    for i in range(3):");
    r.line("        print('tick', i * 10)");
    r.line("        await asyncio.sleep(0.05)");
    r.line("    return 'ticked'");
    r.line("");
    r.enter("t = asyncio.create_task(ticker())");
    // A half-typed line stays in the editor while the task prints above it.
    r.send("6 *");
    r.expect("tick 0\n");
    r.expect("tick 10\n");
    r.expect("tick 20\n");
    r.run(" 7", "42\n");
    r.run("await t", "'ticked'\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_errors_then_recovery() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.enter("x = 21");
    r.run("1/0", "ZeroDivisionError: division by zero\n");
    r.line("1 +");
    r.expect("<stdin>:1:4");
    r.expect("SyntaxError: invalid syntax\n");
    r.prompt();
    r.run(
        "undefined_name",
        "NameError: name 'undefined_name' is not defined\n",
    );
    r.line("async def boom():");
    r.line("    raise ValueError('bad ' + 'value')");
    r.line("");
    r.run("await boom()", "ValueError: bad value\n");
    r.run("raise KeyError('k')", "KeyError: 'k'\n");
    r.run("x * 2", "42\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_ctrl_c_cancels_await_and_clears_line() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.line("beats = 0");
    r.line("async def heart():");
    r.line("    global beats");
    r.line("    while True:");
    r.line("        beats += 1");
    r.line("        await asyncio.sleep(0.01)");
    r.line("");
    r.enter("h = asyncio.create_task(heart())");
    r.line("print('wait' + 'ing'); await asyncio.sleep(60)");
    r.expect("waiting\n");
    r.send("\x03");
    r.expect("KeyboardInterrupt\n");
    r.prompt();
    r.run("h.done(), beats > 0", "(False, True)\n");
    r.send("abc def");
    r.send("\x03");
    r.expect("KeyboardInterrupt\n");
    r.prompt();
    r.line("def spin():");
    r.line("    print('sp' + 'in')");
    r.line("    while True: pass");
    r.line("");
    r.line("spin()");
    r.expect("spin\n");
    r.send("\x03");
    r.expect("Traceback (most recent call last):");
    r.expect("KeyboardInterrupt\n");
    r.prompt();
    r.run(
        "before = beats; await asyncio.sleep(0.1); beats > before",
        "True\n",
    );
    // Work that swallows the cancellation: a second Ctrl-C gives the prompt back.
    r.line("async def stubborn():");
    r.line("    while True:");
    r.line("        try:");
    r.line("            await asyncio.sleep(60)");
    r.line("        except asyncio.CancelledError:");
    r.line("            print('ignored ' + 'cancel')");
    r.line("");
    r.line("print('stub' + 'born'); await stubborn()");
    r.expect("stubborn\n");
    r.send("\x03");
    r.expect("ignored cancel\n");
    r.send("\x03");
    r.expect("still runs in the background)\n");
    r.prompt();
    r.run("len(asyncio.all_tasks()) >= 2", "True\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_chatty_background_task_never_blocks_the_prompt() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.line("async def chatter():");
    r.line("    for i in range(100000):");
    r.line("        print('chat', i)");
    r.line("        await asyncio.sleep(0.0005)");
    r.line("");
    r.enter("c = asyncio.create_task(chatter())");
    for k in 0..15 {
        r.run(&format!("'ans' + str({k})"), &format!("'ans{k}'\n"));
    }
    r.run("c.cancel()", "True\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_tab_completion_and_help() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.line("class Zoo:");
    r.line("    def feed(self, animal, *, amount=2):");
    r.line("        'Feed one animal.'");
    r.line("        return amount");
    r.line("");
    r.enter("z = Zoo(); z.zebra_count = 2 * 2");
    r.send("z.zeb\t");
    r.expect("z.zebra_count");
    r.run("", "4\n");
    r.send("z.fe\t");
    r.expect("z.feed(");
    r.run("'x', amount=5)", "5\n");
    r.send("await asyncio.slee\t");
    r.expect("asyncio.sleep(");
    r.run("0, result='done')", "'done'\n");
    r.line("help(Zoo.feed)");
    r.expect("feed(self, animal, *, amount=2)\n");
    r.expect("    Feed one animal.\n");
    r.prompt();
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_pasted_block_runs_as_pasted() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    let paste = "def f():\r    x = 20\r\r    return x * 2\r\rprint(f() + 2)\r";
    r.send(&format!("\x1b[200~{paste}\x1b[201~"));
    r.run("", "42\n");
    assert_eq!(r.quit(), 0);
}

#[test]
fn repl_history_persists_across_sessions() {
    let hist = temp_history("history");
    let mut r = Repl::start(&[], Some(&hist));
    r.prompt();
    r.run("1234 + 1", "1235\n");
    assert_eq!(r.quit(), 0);
    let saved = std::fs::read_to_string(&hist).expect("history file written");
    assert!(saved.contains("1234 + 1"), "history file: {saved:?}");
    let mut r = Repl::start(&[], Some(&hist));
    r.prompt();
    r.send("\x1b[A");
    r.expect("1234 + 1");
    r.run("", "1235\n");
    assert_eq!(r.quit(), 0);
    let _ = std::fs::remove_file(&hist);
}

#[test]
fn repl_exit_status_and_inspect() {
    let mut r = Repl::start(&[], None);
    r.prompt();
    r.line("exit(3)");
    assert_eq!(r.wait(), 3);

    let dir = std::env::temp_dir().join(format!("aio-repl-{}-inspect", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("script.aio");
    std::fs::write(&script, "answer = 41\nprint('script ran')\n").expect("script");
    let mut r = Repl::start(&["-i", script.to_str().expect("utf-8 path")], None);
    r.expect("script ran\n");
    r.prompt();
    r.run("answer + 1", "42\n");
    assert_eq!(r.quit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn repl_piped_stdin_runs_as_a_script() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio starts");
    let script = b"import asyncio\nasync def main():\n    print(1)\n\nasyncio.run(main())\n";
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(script)
        .expect("write the script");
    let out = child.wait_with_output().expect("aio ends");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}
