"""The first verbs of ``walkthrough``: list, run, tour; help on every verb; exit status 2 on
bad input. Run in-process through ``walkthrough.cli.main``, on the virtual clock."""

from __future__ import annotations

import re

import pytest

from walkthrough import catalogue, cli


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
        lines = []
        while not any("serving" in line for line in lines):
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
