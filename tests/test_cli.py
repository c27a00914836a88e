"""The first verbs of ``walkthrough``: list, run, tour; help on every verb; exit status 2 on
bad input. Run in-process through ``walkthrough.cli.main``, on the virtual clock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from walkthrough import catalogue, cli
from walkthrough.trace import Event, Trace


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse and parser.exit
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_list_names_every_lesson_with_its_section(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["list"], capsys)
    assert status == 0
    for lesson in catalogue.LESSONS:
        assert re.search(rf"{lesson.name}\s.*{re.escape(lesson.section)}", out), lesson.name


@pytest.mark.parametrize("verb", cli.VERBS)
def test_every_verb_has_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli([verb, "--help"], capsys)
    assert status == 0
    assert out.startswith("usage: walkthrough " + verb)


def test_run_one_impl_prints_the_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["run", "count", "--impl", "trio", "--virtual"], capsys)
    assert status == 0
    assert out.count("One Async") == 3
    assert "async version executed in 1.00 seconds." in out


def test_run_both_shows_both_columns_and_the_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_cli(["run", "makerandom", "--impl", "both", "--virtual", "--seed", "31"],
                             capsys)
    assert status == 0
    assert "asyncio" in out and "trio" in out
    assert "verdict: equivalent" in out


def test_tour_compares_every_virtual_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["tour"], capsys)
    assert status == 0
    for lesson in catalogue.available():
        if not lesson.real_io:
            assert re.search(rf"{lesson.name}\s.*equivalent", out), lesson.name


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "nope"], "unknown lesson 'nope'"),
    (["run", "count", "--impl", "curio"], "invalid choice"),
    (["run", "count", "--seed", "x"], "invalid int value"),
    (["run", "count", "--seed", "3"], "draws no random numbers"),
    (["run", "crawler"], "walkthrough crawl"),
    # on the real clock the virtual one is not the reason (issue 26: it was blamed)
    (["run", "crawler"], "does real network I/O: its two versions are compared by what"),
    (["run", "crawler", "--virtual"], "a virtual clock cannot run it"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_is_one_clear_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run_cli(argv, capsys)
    assert status == 2
    assert message in err
    assert "Traceback" not in err + out


# -- the other entry points: tasks.py and python -m bench ----------------------------------------

TASKS_SERVE = """
import sys
sys.path.insert(0, {root!r})
import tasks
tasks.ensure_env = lambda: None   # no venv work in a test
# stands in for mkdocs serve: it stops quietly on Ctrl-C, as mkdocs does
child = ("import signal, sys, time; signal.signal(signal.SIGINT, lambda *a: sys.exit(0)); "
         "print('serving', flush=True); time.sleep(60)")
tasks.VERBS["serve"] = lambda args: tasks.sh(sys.executable, "-c", child)
sys.argv = ["tasks.py", "serve"]
tasks.main()
"""


@pytest.mark.timeout(60)
def test_ctrl_c_on_tasks_serve_is_quiet() -> None:
    """Ctrl-C in a terminal reaches the whole foreground group: tasks.py and its child."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", TASKS_SERVE.format(root=root)], text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        # the child's own line, not tasks.py's echo of its command ("+ ... print('serving'"): a
        # Ctrl-C before the child has started finds it initialising (a fatal error, a traceback)
        while "serving\n" not in lines:
            line = proc.stdout.readline()
            assert line, "the stand-in server never started"
            lines.append(line)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_a_quick_bench_never_overwrites_the_published_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench import __main__ as bench_main

    with pytest.raises(SystemExit) as exc:
        bench_main.main(["--quick", "--out", str(bench_main.PUBLISHED)])
    assert exc.value.code == 2
    assert "may not overwrite docs/benchmarks.md" in capsys.readouterr().err
    # by default a quick run writes under build/, which git ignores
    assert bench_main.QUICK_OUT.parent.name == "build"
    assert bench_main.QUICK_OUT != bench_main.PUBLISHED


# -- run --impl both on the real clock -----------------------------------------------------------

def _trace(impl: str, lines: list[tuple[float, int, str]], newline: bool = True) -> Trace:
    trace = Trace(impl=impl, lesson="count")
    trace.events = [Event("demo", t, task, text, newline) for t, task, text in lines]
    trace.outcomes = {"demo": "None"}
    return trace


def test_real_clock_stamps_within_the_tolerance_are_one_instant() -> None:
    from walkthrough.commands import run as verb

    lesson = catalogue.get("count")
    a = _trace("asyncio", [(0.000, 0, "One"), (0.001, 1, "One"), (1.003, 0, "Two"),
                           (1.004, 1, "Two")])
    b = _trace("trio", [(0.002, 0, "One"), (0.030, 1, "One"), (1.049, 1, "Two"),
                        (1.012, 0, "Two")])
    assert verb.compare_within(lesson, a, b, 0.05)
    # the same runs, compared exactly as on the virtual clock: every stamp differs
    assert not lesson.compare(a, b)


def test_real_clock_a_line_outside_the_tolerance_is_a_divergence() -> None:
    from walkthrough.commands import run as verb

    lesson = catalogue.get("count")
    a = _trace("asyncio", [(0.0, 0, "One"), (1.0, 0, "Two")])
    late = _trace("trio", [(0.0, 0, "One"), (1.2, 0, "Two")])
    verdict = verb.compare_within(lesson, a, late, 0.05)
    assert not verdict and "Two" in verdict.describe()
    # the window is fixed from an instant's first stamp: 51 ms later is another instant
    edge = _trace("trio", [(0.0, 0, "One"), (1.051, 0, "Two")])
    assert verb.compare_within(lesson, a, edge, 0.05) == verb.compare_within(lesson, a, edge, 0.05)
    assert not verb.compare_within(lesson, a, edge, 0.05)
    assert verb.compare_within(lesson, a, edge, 0.06)


def test_real_clock_a_slow_drift_does_not_merge_a_whole_run() -> None:
    """Stamps 30 ms apart, one after another, are not one long instant."""
    from walkthrough.commands import run as verb

    a = _trace("asyncio", [(0.03 * k, 0, f"line {k}") for k in range(10)])
    snapped, _ = verb.snap(a, a, 0.05)
    assert len({e.time for e in snapped.events}) == 5


def test_real_clock_fragments_are_joined_as_the_screen_showed_them() -> None:
    """print("+", end=" ") is two writes; on the real clock each got a stamp of its own."""
    from walkthrough.commands import run as verb

    lesson = catalogue.get("count")
    pieces = _trace("asyncio", [(0.2000, 0, "+"), (0.2001, 0, " ")], newline=False)
    whole = _trace("trio", [(0.2005, 0, "+ ")], newline=False)
    a, b = verb.snap(pieces, whole, 0.05)
    assert [e.text for e in a.events] == [e.text for e in b.events] == ["+ "]
    assert verb.compare_within(lesson, pieces, whole, 0.05)


def test_the_columns_have_one_row_per_instant(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from walkthrough.render import side_by_side

    a = _trace("asyncio", [(0.0, 0, "One"), (0.0, 1, "One"), (0.0, 2, ""), (1.0, 0, "Two")])
    b = _trace("trio", [(0.0, 0, "One"), (0.0, 1, "One"), (0.0, 2, ""), (1.0, 0, "Two")])
    Console(width=80, color_system=None).print(side_by_side(a, b, clock="real clock"))
    out = capsys.readouterr().out
    assert "on the real clock" in out and "…" not in out
    times = [row.split("│")[1].strip() for row in out.splitlines() if row.startswith("│")]
    assert [t for t in times if t] == ["t (s)", "0.00", "1.00"] or \
        [t for t in times if t] == ["0.00", "1.00"]
    assert out.count("⏎") == 2  # a blank printed line is visible, in each column


@pytest.mark.timeout(180)
def test_run_both_on_the_real_clock_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    """Both versions of the shortest lesson, at once, on the real clock (about 4 s). Timing is
    not asserted (the machine may be loaded): the verdict is printed, in words, either way."""
    status, out, _ = run_cli(["run", "count", "--tolerance", "0.2"], capsys)
    assert status in (0, 1)
    assert "on the real clock" in out and "instants within 200 ms count as one" in out
    assert out.count("One Async") >= 6 and "simulated" not in out
    assert ("equivalent (" in out) == (status == 0)


@pytest.mark.parametrize("value", ["-1", "2", "x"])
def test_run_tolerance_is_checked(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(["run", "count", "--tolerance", value], capsys)
    assert status == 2 and ("--tolerance" in err)


def test_real_clock_printed_durations_within_the_tolerance_are_one() -> None:
    from walkthrough.commands import run as verb

    lesson = catalogue.get("count")
    a = _trace("asyncio", [(3.0, 0, "sync version executed in 3.01 seconds.")])
    b = _trace("trio", [(3.0, 0, "sync version executed in 3.00 seconds.")])
    assert verb.compare_within(lesson, a, b, 0.05)
    far = _trace("trio", [(3.0, 0, "sync version executed in 3.20 seconds.")])
    assert not verb.compare_within(lesson, a, far, 0.05)
    # a number that is not a duration must still match exactly
    c = _trace("asyncio", [(0.0, 0, "loading cannon: (will take 3 seconds)")])
    d = _trace("trio", [(0.0, 0, "loading cannon: (will take 4 seconds)")])
    assert not verb.compare_within(lesson, c, d, 0.05)


def test_real_clock_drift_adds_up_but_one_late_interval_is_caught() -> None:
    """Each real sleep ends a little late and the lateness adds up: 10 ms per step over 20
    steps is 200 ms in all, and still equivalent. One step 130 ms late is not."""
    from walkthrough.commands import run as verb

    lesson = catalogue.get("count")
    a = _trace("asyncio", [(0.2 * k, 0, f"step {k}") for k in range(20)])
    drifting = _trace("trio", [(0.21 * k, 0, f"step {k}") for k in range(20)])
    assert verb.compare_within(lesson, a, drifting, 0.05)
    stalled = _trace("trio", [(0.2 * k + (0.13 if k >= 10 else 0), 0, f"step {k}")
                              for k in range(20)])
    verdict = verb.compare_within(lesson, a, stalled, 0.05)
    assert not verdict and "step 10" in verdict.describe()


def test_real_clock_the_queue_normaliser_still_forgives_which_job_came_first() -> None:
    """Two jobs put at one instant and taken 6 s and 8 s later, in either order: the queue's
    documented freedom, which the normaliser forgives on the virtual clock, is forgiven on the
    real clock too, where the put instant it computes carries jitter."""
    from walkthrough.commands import run as verb

    lesson = catalogue.get("queue")

    def run(first: str, second: str, jitter: float, put: tuple[str, str] = ("A", "B"),
            ) -> Trace:
        return _trace("x", [
            (37.080 + jitter, 0, f"Producer Kari added <{put[0]}> to queue."),
            (37.081 + jitter, 1, f"Producer Nat added <{put[1]}> to queue."),
            (43.0828 + 2 * jitter, 2, f"    > Consumer Mark got element <{first}> in "
                                      f"{6.0028 + jitter:.5f} seconds."),
            (45.0901 + 2 * jitter, 3, f"    > Consumer Jon got element <{second}> in "
                                      f"{8.0091 + jitter:.5f} seconds."),
        ])

    assert verb.compare_within(lesson, run("A", "B", 0.0), run("B", "A", 0.004), 0.05)
    verdict = verb.compare_within(lesson, run("A", "B", 0.0),
                                  run("A", "A", 0.004), 0.05)
    assert not verdict  # a job taken twice (and one never) is still caught


def test_real_clock_the_table_shows_what_was_printed() -> None:
    from walkthrough.commands import run as verb

    a = _trace("asyncio", [(3.0, 0, "sync version executed in 3.01 seconds.")])
    b = _trace("trio", [(3.001, 0, "sync version executed in 3.00 seconds.")])
    shown_a, shown_b = verb.snap(a, b, 0.05, figures=False)
    assert [e.text for e in shown_a.events] == ["sync version executed in 3.01 seconds."]
    assert [e.text for e in shown_b.events] == ["sync version executed in 3.00 seconds."]
    assert shown_a.events[0].time == shown_b.events[0].time  # one row


def test_tasks_help_exits_0_and_an_unknown_verb_is_named() -> None:
    """Issue 26: `tasks.py --help` exited 2, and `tasks.py tset` printed the usage without
    saying what was wrong."""
    import subprocess
    import sys
    from pathlib import Path

    tasks = str(Path(__file__).resolve().parent.parent / "tasks.py")
    done = subprocess.run([sys.executable, tasks, "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "python3 tasks.py test" in done.stdout
    done = subprocess.run([sys.executable, tasks, "tset"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("tasks.py: unknown verb 'tset' (did you mean 'test'?)")


#: What a verb that does not run a lesson, a crawl or a port must not import: each costs tens of
#: milliseconds at every start (aiohttp and trio.testing, which imports pytest, the most).
HEAVY = ("rich", "trio", "asyncio", "aiohttp", "httpx", "pytest", "walkthrough.runner",
         "walkthrough.learner", "walkthrough.port")
IMPORTED = """
import json, sys
from walkthrough import cli
try:
    cli.main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(("argv", "allowed"), [
    (["--help"], []),
    (["port", "--help"], []),
    (["check", "--help"], ["asyncio", "pytest", "trio", "walkthrough.learner",
                           "walkthrough.runner"]),  # its --timeout default is the learner's
    (["list"], ["rich"]),
])
def test_a_verb_imports_only_what_it_uses(argv: list[str], allowed: list[str]) -> None:
    """Issue 26, item 2: every command imported every verb's libraries (0.45 s of CPU for
    `walkthrough --help`), and the suite starts hundreds of them. A verb module imports its
    heavy libraries where it uses them, and only the chosen verb is configured."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IMPORTED.format(argv=argv, heavy=HEAVY)],
                          capture_output=True, text=True, timeout=60)
    imported = json.loads(done.stderr.splitlines()[-1])
    assert set(imported) <= set(allowed), imported
    assert done.stdout  # the verb did its work: the help, the table


def test_tasks_test_runs_the_suite_on_workers_unless_told_otherwise() -> None:
    """`tasks.py test` adds pytest-xdist's workers, one file to a worker, unless the arguments
    choose: -n 0 (one process), -p no:xdist, or a --dist of their own."""
    from tests.conftest import ROOT, load_file

    tasks = load_file(ROOT / "tasks.py", "tasks_for_test")
    assert tasks.parallel([]) == ["-n", str(tasks.WORKERS), "--dist", "loadfile",
                                 "--no-loadscope-reorder"]
    assert tasks.parallel(["tests/test_cli.py", "-x"]) == tasks.parallel([])
    for own in (["-n", "0"], ["-n0"], ["--numprocesses=2"], ["-p", "no:xdist"],
                ["--dist", "load"]):
        assert tasks.parallel(own) == [], own


def test_tasks_test_keeps_bytecode_outside_the_tree(tmp_path: Path) -> None:
    """Issue 26, item 2: with PYTHONDONTWRITEBYTECODE set, each of the suite's interpreters
    compiled the project again. `tasks.py test` writes bytecode, to a prefix in .venv (or the
    user's own), so that the source tree stays free of __pycache__ as that variable wants."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, load_file

    tasks = load_file(ROOT / "tasks.py", "tasks_for_bytecode")
    env = tasks.bytecode_env({"PYTHONDONTWRITEBYTECODE": "1"})
    assert env == {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(tasks.PYCACHE)}
    assert tasks.PYCACHE.parent == ROOT / ".venv"
    assert tasks.bytecode_env({"PYTHONPYCACHEPREFIX": "/elsewhere"})["PYTHONPYCACHEPREFIX"] \
        == "/elsewhere"
    # What the variables do to a child: the module it imports is compiled into the prefix.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "compiled_once.py").write_text("VALUE = 1\n")
    prefix = tmp_path / "prefix"
    child = {**os.environ, **tasks.bytecode_env({"PYTHONPYCACHEPREFIX": str(prefix)})}
    subprocess.run([sys.executable, "-c", "import compiled_once"], cwd=tmp_path / "src",
                   env=child, check=True, timeout=60)
    assert not (tmp_path / "src" / "__pycache__").exists()
    assert list(prefix.rglob("compiled_once.*.pyc"))


def test_tasks_test_keeps_the_corpus_results_in_the_venv_or_where_the_user_says() -> None:
    """`tasks.py test` names the folder where tests/test_port_corpus.py keeps the tool's results
    between runs (issue 26, item 2): in .venv, beside the bytecode, or the user's own."""
    from tests.conftest import ROOT, load_file
    from tests.test_port_corpus import CACHE_VARIABLE

    tasks = load_file(ROOT / "tasks.py", "tasks_for_corpus_cache")
    env = tasks.test_env({})
    assert env[CACHE_VARIABLE] == str(ROOT / ".venv" / "port-corpus-cache")
    assert env["PYTHONPYCACHEPREFIX"] == str(tasks.PYCACHE)  # bytecode_env's too
    assert tasks.test_env({CACHE_VARIABLE: "/elsewhere"})[CACHE_VARIABLE] == "/elsewhere"
