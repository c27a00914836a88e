"""``walkthrough check`` (learner mode) and the exercise skeletons it is meant for.

Every hostile-module case of issue 13 has a test here, run through the real command (which
runs the module in a child process); each must end well under 30 s of wall time, so the
wall-clock limit is set low (:data:`LIMIT`) and each test has a per-test timeout.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import load_script
from walkthrough import catalogue
from walkthrough.cli import main
from walkthrough.learner import (
    CHECKPOINT,
    MAX_EVENTS,
    MIN_DEADLINE,
    PortProblem,
    check,
    clean,
    load,
    reachable,
    unfinished,
)

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
VIRTUAL = [lesson for lesson in catalogue.available() if not lesson.real_io]

#: Known-broken modules that ``check`` is not the tool for, and why.
NOT_FOR_CHECK = {
    # Its bug is in mygen_ahead, a Trio-only extra no phase calls; test_asyncgen pins it.
    "asyncgen_yield_in_nursery",
    # An asyncio module (the notebook's global RNG, kept as a reference), not a Trio port.
    "makerandom_global_rng_asyncio",
}


#: The wall-clock limit the hostile-module tests pass to ``check --timeout``.
LIMIT = 3.0


def broken_ports() -> list[object]:
    names = {lesson.name for lesson in VIRTUAL}
    found: list[object] = []
    for path in sorted(BROKEN.glob("*.py")):
        lesson = path.stem.split("_", 1)[0]
        if lesson in names and path.stem not in NOT_FOR_CHECK:
            found.append(pytest.param(lesson, path, id=path.stem))
    return found


def run_check(capsys: pytest.CaptureFixture[str], lesson: str, path: Path,
              *extra: str) -> tuple[int, str]:
    """Exit status and everything printed, usage errors (exit 2) included."""
    try:
        status = main(["check", lesson, str(path), *extra])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


# -- our own twins pass, the known-broken ports fail -----------------------------------------

@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_our_trio_twins_are_equivalent(lesson: catalogue.Lesson,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, lesson.name, ROOT / "trio_port" / f"{lesson.name}.py")
    assert status == 0, out
    n = len(lesson.all_cases())
    assert out.count(": equivalent") == n and "NOT" not in out
    # The verdict, then what else was run (issue 25, item 8): the script, its command lines.
    assert out.rstrip().splitlines()[-2].endswith("in every case.")
    assert out.rstrip().splitlines()[-1].startswith("  and does the same run as a script")


@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_our_asyncio_references_are_equivalent_under_impl_asyncio(
        lesson: catalogue.Lesson, capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "asyncio_ref" / f"{lesson.name}.py"
    status, out = run_check(capsys, lesson.name, path, "--impl", "asyncio")
    assert status == 0, out
    assert "(asyncio port)" in out and out.rstrip().splitlines()[-2].endswith("in every case.")
    assert out.rstrip().splitlines()[-1].startswith("  and does the same run as a script")


def test_an_asyncio_solution_is_checked_as_asyncio_and_a_trio_one_is_not(
        capsys: pytest.CaptureFixture[str]) -> None:
    """--impl picks the framework: the same file fails under the other one, with the hint."""
    status, out = run_check(capsys, "count", ROOT / "asyncio_ref" / "count.py")
    assert status == 1
    assert "RuntimeError: no running event loop" in out and "asyncio call left in a Trio" in out
    status, out = run_check(capsys, "count", ROOT / "trio_port" / "count.py",
                            "--impl", "asyncio")
    assert status == 1
    assert "must be called from async context" in out and "Trio call left in an asyncio" in out


@pytest.mark.parametrize(("lesson", "path"), broken_ports())
def test_known_broken_ports_fail_naming_the_divergence(
    lesson: str, path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run_check(capsys, lesson, path)
    assert status == 1, out
    assert "NOT equivalent" in out and "first divergence in phase" in out
    assert "expected:" in out or "your port printed:" in out  # the lines, not a verdict
    assert "Traceback" not in out


def test_every_known_broken_port_is_accounted_for() -> None:
    """A new broken port is checked by the test above unless it is listed, with a reason."""
    stems = {p.stem for p in BROKEN.glob("*.py")} - {"__init__"}
    network = {s for s in stems if catalogue.get(s.split("_", 1)[0]).real_io}
    assert stems >= NOT_FOR_CHECK
    assert len(broken_ports()) == len(stems - network - NOT_FOR_CHECK)


def test_divergence_is_reported_with_expected_got_and_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run_check(capsys, "count", BROKEN / "count_sequential.py")
    assert status == 1
    assert "first divergence in phase 'demo_async' at t=0.00s" in out
    assert "at t=0.00s the reference printed: One Async | One Async | One Async" in out
    assert "at t=0.00s your port printed: One Async" in out
    assert "virtual time" in out


def test_every_case_of_the_shared_tests_is_run(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A port right for the default seed only is caught by the next case."""
    source = (ROOT / "trio_port" / "makerandom.py").read_text()
    old = "    r1, r2, r3 = await main(seed)"
    assert old in source
    port = tmp_path / "my_makerandom.py"
    port.write_text(source.replace(old, "    r1, r2, r3 = await main(444)"))
    status, out = run_check(capsys, "makerandom", port)
    cases = catalogue.get("makerandom").all_cases()
    assert len(cases) >= 2 and cases[0]["seed"] == 444 and cases[1]["seed"] != 444
    assert status == 1
    assert f"case 1/{len(cases)} (seed=444): equivalent" in out
    second = f"(seed={cases[1]['seed']})"
    assert f"case 2/{len(cases)} {second}: NOT equivalent" in out and f"with {second}:" in out


# -- a broken learner module: a clear message, no traceback wall --------------------------------

def write(tmp_path: Path, text: str, name: str = "my_port.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


COUNT = (ROOT / "trio_port" / "count.py").read_text()


def test_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "import trio\n\nasync def demo_async(:\n    pass\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert f"{path}, line 3: syntax error" in out and "async def demo_async(:" in out
    assert "Traceback" not in out


def test_missing_function(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace("def demo_sync()", "def demo_sink()"))
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert "has no function demo_sync" in out and "runs demo_sync, demo_async" in out


def test_exception_at_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "import trio\nx = 1 / 0\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert "raised ZeroDivisionError: division by zero" in out and "line 2" in out
    assert "Traceback" not in out


def test_exception_while_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace('    print("Two Async")',
                                         '    raise ValueError("oops")'))
    line = path.read_text().splitlines().index('    raise ValueError("oops")') + 1
    status, out = run_check(capsys, "count", path)
    assert status == 1
    assert "your port raised:\n  ValueError: oops" in out
    assert f"line {line}, in count_async: raise ValueError(\"oops\")" in out
    assert "Traceback" not in out


def test_each_distinct_cause_is_shown_with_its_hint(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Three tasks fail two ways: both causes, each once, with a count and its own hint."""
    path = write(tmp_path, COUNT.replace("    await trio.sleep(1)", (
        "    CALLS.append(1)\n"
        "    if len(CALLS) == 1:\n"
        "        raise ValueError('first')\n"
        "    await asyncio.sleep(1)")).replace("import trio\n", "import asyncio\nimport trio\n"
                                               "\nCALLS: list[int] = []\n", 1))
    status, out = run_check(capsys, "count", path)
    assert status == 1, out
    assert out.count("ValueError: first") == 1
    assert out.count("RuntimeError: no running event loop (2 tasks)") == 1
    assert "hint: an asyncio call left in a Trio port" in out


def test_a_coroutine_started_too_early_gets_its_hint(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace("nursery.start_soon(count_async)",
                                         "nursery.start_soon(count_async())"))
    assert "start_soon(count_async())" in path.read_text()
    status, out = run_check(capsys, "count", path)
    assert status == 1
    assert "Trio was expecting an async function" in out
    assert "hint: trio.run(f(x)) or nursery.start_soon(f(x)) calls f too early" in out


def test_a_deadlocked_port_is_stopped_on_the_virtual_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, COUNT.replace("await trio.sleep(1)", "await trio.sleep_forever()"))
    status, out = run_check(capsys, "count", path)
    assert status == 1
    assert f"still running after {MIN_DEADLINE:g} virtual seconds" in out


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8"])
def test_unreadable_path(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "my_port.py"
    if kind == "directory":
        path.mkdir()
    elif kind == "not utf-8":
        path.write_bytes(b"print('\xff')\n")
    status, out = run_check(capsys, "count", path)
    assert status == 2
    assert ("is a directory" if kind == "directory" else "cannot read") in out
    assert "Traceback" not in out


def test_help_states_every_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for said in ('0  "equivalent"', '1  "NOT equivalent"', "2  your file could not be checked",
                 "never reaches a checkpoint", "what a checkpoint is", "os._exit",
                 "--impl {asyncio,trio}", "--timeout S"):
        assert said in out, said


def test_a_bad_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, "count", ROOT / "trio_port" / "count.py", "--timeout", "0")
    assert status == 2 and "--timeout must be positive" in out


@pytest.mark.parametrize(("lesson", "message"), [
    ("nope", "unknown lesson 'nope'"),
])
def test_lesson_errors(lesson: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_check(capsys, lesson, ROOT / "trio_port" / "count.py")
    assert status == 2 and message in out


def test_load_and_check_as_a_library(tmp_path: Path) -> None:
    lesson = catalogue.get("count")
    module = load(ROOT / "trio_port" / "count.py", lesson)
    assert check(lesson, module, Path("count.py")).equivalent
    with pytest.raises(PortProblem, match="syntax error"):
        load(write(tmp_path, "def (:\n"), lesson)


# -- a hostile module: the check ends, in bounded time, and says why ------------------------

QUEUE = (ROOT / "trio_port" / "queue.py").read_text()


def timed_check(capsys: pytest.CaptureFixture[str], lesson: str, path: Path,
                *extra: str) -> tuple[int, str]:
    """``run_check`` with the low wall-clock limit, asserting it took under 30 s of wall time."""
    start = time.monotonic()
    status, out = run_check(capsys, lesson, path, "--timeout", str(LIMIT), *extra)
    assert time.monotonic() - start < 30, out
    return status, out


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "old", "new", "function", "hint"), [
    ("busy", "    await trio.sleep(1)", "    while True:\n        pass", "count_async", ""),
    ("blocking", "    await trio.sleep(1)", "    time.sleep(30)", "count_async",
     "hint: time.sleep blocks the whole thread"),
])
def test_a_port_that_never_awaits_is_stopped_on_the_wall_clock(
    name: str, old: str, new: str, function: str, hint: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert old in COUNT
    path = write(tmp_path, COUNT.replace(old, new), f"{name}.py")
    first = path.read_text().splitlines().index(new.splitlines()[0]) + 1
    lines = range(first, first + len(new.splitlines()))  # a busy loop is caught on any of them
    status, out = timed_check(capsys, "count", path)
    assert status == 1, out
    assert f"stopped in case 1/1 (no parameters), phase demo_async, after {LIMIT:g} s" in out
    assert any(f"{function} ({path}, line {n}) never reached a checkpoint" in out
               for n in lines), out
    assert " ".join(out.split()).count(CHECKPOINT) == 1  # what a checkpoint is
    assert hint in out


@pytest.mark.timeout(120)
def test_a_busy_consumer_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = "        await rand_sleep(rng)\n        i, t = await receive_channel.receive()\n"
    assert QUEUE.count(old) == 1
    new = ("        try:\n            i, t = receive_channel.receive_nowait()\n"
           "        except trio.WouldBlock:\n            continue\n")
    status, out = timed_check(capsys, "queue", write(tmp_path, QUEUE.replace(old, new)))
    assert status == 1, out
    assert "consume (" in out and "never reached a checkpoint" in out, out


@pytest.mark.timeout(120)
def test_a_loop_at_import_is_stopped_and_cannot_be_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "import trio\n\nwhile True:\n    pass\n")
    status, out = timed_check(capsys, "count", path)
    assert status == 2, out
    assert "while it was being imported" in out and "the module's top level" in out
    # Stopped anywhere in the loop: the `while` line or its body (which, on a loaded machine,
    # is where the sampled frame sometimes stands).
    assert any(f"({path}, line {n})" in out for n in (3, 4)), out
    assert "equivalent" not in out.replace("NOT equivalent", "")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("code", "said"), [
    ("import os\nos._exit(0)\n", "ended the process with exit status 0 while it was being "
                                   "imported"),
    ("import sys\nsys.exit(0)\n", "calls sys.exit(0) when it is imported"),
])
def test_a_module_that_exits_at_import_is_an_error(
        code: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = timed_check(capsys, "count", write(tmp_path, code))
    assert status == 2, out
    assert said in out and "equivalent" not in out


@pytest.mark.timeout(120)
def test_os_exit_in_a_phase(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace('    print("Two Async")', "    os._exit(3)")
                 .replace("import time", "import os\nimport time"))
    status, out = timed_check(capsys, "count", path)
    assert status == 1, out
    assert "ended the process with exit status 3 in case 1/1 (no parameters), phase " \
           "demo_async" in out


@pytest.mark.timeout(120)
def test_a_non_daemon_thread_neither_hangs_the_check_nor_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    thread = ("import threading\nthreading.Thread(target=threading.Event().wait, "
              "name='forever').start()\n")
    path = write(tmp_path, COUNT.replace("import trio\n", "import trio\n" + thread, 1))
    status, out = timed_check(capsys, "count", path)
    assert status == 1, out
    assert "case 1/1 (no parameters): equivalent" in out  # its output is right ...
    assert "left 1 thread(s) running (forever)" in out    # ... but it would never exit


@pytest.mark.timeout(120)
def test_a_monkeypatched_trio_is_named(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace(
        "import trio\n", "import trio\ntrio.sleep = lambda s: trio.lowlevel.checkpoint()\n", 1))
    status, out = timed_check(capsys, "count", path)
    assert status == 2, out
    assert "replaced trio.sleep" in out


@pytest.mark.timeout(120)
def test_a_flood_of_output_is_stopped_and_bounded(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, COUNT.replace('    print("One Sync")',
                                         '    while True:\n        print("x" * 1000)'))
    status, out = timed_check(capsys, "count", path)
    assert status == 1, out
    assert f"printed more than {MAX_EVENTS} lines in phase 'demo_sync'" in out
    assert "more lines)" in out and len(out) < 20_000


@pytest.mark.timeout(120)
def test_control_characters_are_escaped_and_lines_bounded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = '    print("\\x1b[2J\\x1b]0;pwned\\x07\\rOne Sync" + "y" * 5000)'
    path = write(tmp_path, COUNT.replace('    print("One Sync")', evil))
    status, out = timed_check(capsys, "count", path)
    assert status == 1, out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[2J\\x1b]0;pwned\\x07\\rOne Sync" in out
    assert max(len(line) for line in out.splitlines()) < 400
    assert clean("a\tb\x00") == "a\\tb\\x00"


def _on_terminal(terminal: int, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` with the pseudo-terminal as its stdio *and* controlling terminal."""
    import fcntl
    import termios

    def adopt() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    return subprocess.run(argv, stdin=terminal, stdout=terminal, stderr=terminal, timeout=60,
                          cwd=ROOT, preexec_fn=adopt)


@pytest.mark.timeout(120)
def test_the_terminal_mode_is_kept(tmp_path: Path) -> None:
    """A module that puts its terminal in raw mode, checked on a pseudo-terminal."""
    import pty
    import termios

    path = write(tmp_path, "import os, tty\nfd = os.open('/dev/tty', os.O_RDWR)\n"
                           "tty.setraw(fd)\n")
    controller, terminal = pty.openpty()
    before = termios.tcgetattr(terminal)
    try:
        # The control: run as a script, the module does change the terminal's mode ...
        _on_terminal(terminal, [sys.executable, str(path)])
        assert termios.tcgetattr(terminal) != before
        termios.tcsetattr(terminal, termios.TCSANOW, before)
        # ... checked, it cannot: its process has no terminal, and ours is restored anyway.
        proc = _on_terminal(terminal, [sys.executable, "-m", "walkthrough", "check", "count",
                                       str(path), "--timeout", str(LIMIT)])
        assert termios.tcgetattr(terminal) == before
        assert proc.returncode == 2
        os.set_blocking(controller, False)
        said = os.read(controller, 65536).decode()
        assert "No such device or address: '/dev/tty'" in said
    finally:
        os.close(controller)
        os.close(terminal)


def test_the_queue_divergence_shows_only_printed_lines(
        capsys: pytest.CaptureFixture[str]) -> None:
    """No normaliser wording (consumer '*', 'put at t=', the ledger) reaches the learner."""
    status, out = run_check(capsys, "queue", BROKEN / "queue_rng_per_consumer.py")
    assert status == 1, out
    assert "(ledger)" not in out and "put at t=" not in out and "Consumer *" not in out
    assert "your port printed:" in out


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("lesson", "old", "new", "phase"), [
    ("queue", 'a later "Program completed"."""\n',
     'a later "Program completed"."""\n    raise NotImplementedError("write it")\n',
     "demo_closing"),
    ("queue", "            except trio.EndOfChannel:\n                return\n",
     "            except trio.EndOfChannel:\n                await trio.sleep_forever()\n",
     "demo_closing"),
    ("asyncgen", "trio.open_memory_channel[int](0)", "trio.open_memory_channel[int](1)",
     "mygen_ahead"),
])
def test_the_trio_extras_of_an_exercise_are_checked(
        lesson: str, old: str, new: str, phase: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Functions no notebook phase calls (main_closing, the generator with a background task)
    are run against trio_port's own: a slip there is never 'equivalent'."""
    source = (ROOT / "trio_port" / f"{lesson}.py").read_text()
    assert source.count(old) == 1
    status, out = timed_check(capsys, lesson, write(tmp_path, source.replace(old, new)))
    assert status == 1, out
    assert f"first divergence in phase {phase!r}" in out
    assert f"({phase} is Trio only: the reference is trio_port/{lesson}.py)" in out


def test_the_notebook_mode_left_unwritten_is_still_equivalent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """demo_notebook is in the asyncio skeleton, but no checked phase needs it."""
    source = (ROOT / "asyncio_ref" / "makerandom.py").read_text()
    old = "    shared = random.Random(seed)  # the global RNG"
    assert source.count(old) == 1
    path = write(tmp_path, source.replace(old, "    raise NotImplementedError('write it')\n" + old))
    status, out = run_check(capsys, "makerandom", path, "--impl", "asyncio")
    assert status == 0, out


def test_unfinished_finds_skeleton_bodies_only() -> None:
    assert unfinished("def f():\n    'doc'\n    raise NotImplementedError('x')\n"
                      "async def g():\n    raise NotImplementedError\n"
                      "def h():\n    if 1:\n        raise NotImplementedError\n    return 1\n"
                      ) == ["f", "g"]
    # Only what the reference's checked functions reach: here demo reaches g, not f.
    reference = "def f():\n    pass\nasync def g():\n    pass\nasync def demo():\n    await g()\n"
    assert reachable(reference, ("demo",)) == {"demo", "g"}
    skeleton = "".join(f"def {n}():\n    raise NotImplementedError\n" for n in ("f", "g", "demo"))
    assert unfinished(skeleton, reachable(reference, ("demo",))) == ["g", "demo"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("impl", "path", "status"), [
    ("trio", ROOT / "trio_port" / "crawler.py", 0),
    ("asyncio", ROOT / "asyncio_ref" / "crawler.py", 0),
    ("trio", BROKEN / "crawler_no_redirects.py", 1),
])
def test_the_crawler_is_checked_offline_on_the_demo_site(
        impl: str, path: Path, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    got, out = run_check(capsys, "crawler", path, "--impl", impl)
    assert got == status, out
    assert "URLs of the local demo site (http://127.0.0.1:" in out
    if status:
        assert "NOT equivalent" in out and "redirect" in out
    else:
        assert "equivalent: the same" in out and "rows and the same events for every URL" in out


# -- the exercise skeletons -------------------------------------------------------------------

IMPLS = catalogue.IMPLS


def test_exercises_are_up_to_date() -> None:
    """Each exercise still says what scripts/make_exercises.py makes of its twin now: the same
    functions, signatures, blanks, steps and docstrings (rerun the script if not).

    Only what the skeleton decides is compared (``outline``), not the code it keeps verbatim
    from the twin: an edit to a twin's helper is the twin's behaviour, which the twin's own
    tests name, and must not turn this test red (issue 14: it masked 14 mutants).
    """
    script = load_script("make_exercises")
    expected = script.expected()
    committed = set((ROOT / "exercises").glob("*/*.py"))
    assert committed == set(expected), "run scripts/make_exercises.py"
    assert not list((ROOT / "exercises").glob("*.py")), "skeletons live in exercises/<impl>/"
    for path, text in expected.items():
        assert script.outline(path.read_text(encoding="utf-8")) == script.outline(text), \
            f"{path.relative_to(ROOT)} is stale: run scripts/make_exercises.py"


def test_the_outline_ignores_kept_code_but_not_a_changed_step() -> None:
    script = load_script("make_exercises")
    text = script.render(catalogue.get("crawler"), "trio")
    assert "MAX_REDIRECTS = 10" in text
    assert script.outline(text.replace("MAX_REDIRECTS = 10", "MAX_REDIRECTS = 11")) == \
        script.outline(text)
    assert script.outline(text.replace("# The notebook: ", "# The notebook says: ", 1)) != \
        script.outline(text)
def _functions(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text())
    return [(node.name, ast.unparse(node.args)) for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("lesson", catalogue.LESSONS, ids=lambda lesson: lesson.name)
def test_a_skeleton_has_the_twins_signatures_and_no_solution(lesson: catalogue.Lesson,
                                                             impl: str) -> None:
    skeleton = ROOT / "exercises" / impl / f"{lesson.name}.py"
    twin = ROOT / catalogue.PACKAGES[impl] / f"{lesson.name}.py"
    assert _functions(skeleton) == _functions(twin)
    text = skeleton.read_text()
    # The steps to follow: the notebook's, or, for lesson 8 (beyond it), the lesson's own.
    assert "NotImplementedError" in text
    assert ("The lesson:" if lesson.name == "server" else "The notebook:") in text
    # The notebook's questions are asked, not answered (the answers are in the twin).
    doc = ast.get_docstring(ast.parse(twin.read_text())) or ""
    for bullet in doc.split("\n* ")[1:]:
        question, _, answer = bullet.partition("?* ")
        if answer:
            assert question in text and answer.split("\n")[0] not in text
    for node in ast.parse(text).body:
        if isinstance(node, ast.AsyncFunctionDef):  # every async body is left to write
            body = node.body[1:] if ast.get_docstring(node) else node.body
            assert len(body) == 1 and isinstance(body[0], ast.Raise), node.name


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("lesson", VIRTUAL, ids=lambda lesson: lesson.name)
def test_an_untouched_skeleton_fails_check_clearly(
    lesson: catalogue.Lesson, impl: str, capsys: pytest.CaptureFixture[str],
) -> None:
    path = ROOT / "exercises" / impl / f"{lesson.name}.py"
    status, out = run_check(capsys, lesson.name, path, "--impl", impl)
    assert status == 1, out
    assert "  NotImplementedError: write " in out and "still the skeleton's" in out
    assert "hint: this body is still the skeleton's" in out
    assert "Traceback" not in out
