"""One Ctrl-C ends the suite with pytest's summary (issue 26, item 3).

A Ctrl-C at the terminal reaches pytest and everything in its process group. Code under test
that catches KeyboardInterrupt, as ``walkthrough.cli.main`` does to exit 130, used to turn it
into one failed test, and the run went on. The canary in ``tests/conftest.py`` notices the
user's Ctrl-C whoever caught it; these tests run a small pytest session, with that conftest as a
plugin, in a process group of its own, and press Ctrl-C on the whole group as a terminal does.

A SIGINT a test sends on purpose, to pytest itself or to a child, is not the user's: the
session goes on.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.signals import default_sigint

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")

ROOT = Path(__file__).resolve().parent.parent

#: Seconds from the Ctrl-C to pytest's exit: the swallowing test returns at once, so the
#: summary follows within the time it takes to print it and close the workers. A bound on a
#: hang, not a speed: under the whole suite on a loaded 2-core machine (load average 5.5) one
#: run took over 10 s, the bound before. Still below the 60 s the swallowed test would sleep
#: had its Ctrl-C not reached it.
PROMPT = 40.0

SWALLOWING = '''
import time

import walkthrough.commands.list as verb
from walkthrough import cli


def test_a_command_catches_the_ctrl_c(monkeypatch):
    """The verb waits; cli.main turns the KeyboardInterrupt into 130, as a command should."""
    def wait(args):
        print("ready", flush=True)
        time.sleep(60)
        return 1
    monkeypatch.setattr(verb, "run", wait)
    assert cli.main(["list"]) == 1


def test_after():
    print("the run went on", flush=True)
'''

DELIBERATE = '''
import signal
import subprocess
import sys

import pytest


def test_a_sigint_to_pytest_itself():
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_a_sigint_to_a_child_in_our_group():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             stderr=subprocess.DEVNULL)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) != 0


def test_after():
    print("the run went on", flush=True)
'''


def session(tmp_path: Path, tests: str) -> subprocess.Popen[str]:
    """Start ``pytest -s`` on ``tests`` with the suite's conftest, leading a group of its own."""
    # This folder is the rootdir; the conftest marks every test with a suite.
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    trio_suite\n    asyncio_suite\n")
    (tmp_path / "test_inner.py").write_text(tests)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-W", "error", "-p", "no:cacheprovider",
         "-p", "tests.conftest", "test_inner.py"],
        cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=default_sigint,
    )


@contextlib.contextmanager
def killed_at_the_end(proc: subprocess.Popen[str]) -> Iterator[None]:
    """However the test ends, the session and whatever it started are gone after it."""
    try:
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.timeout(60)
def test_one_ctrl_c_ends_the_run_with_the_summary_though_a_test_caught_it(
        tmp_path: Path) -> None:
    with session(tmp_path, SWALLOWING) as proc, killed_at_the_end(proc):
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].rstrip().endswith("ready"):  # "test_inner.py ready"
            line = proc.stdout.readline()
            assert line, "the session ended before its test was ready:\n" + "".join(lines)
            lines.append(line)
        pressed = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # a Ctrl-C at the terminal: the whole group
        rest, _ = proc.communicate(timeout=30)
        took = time.monotonic() - pressed
    out = "".join(lines) + rest
    assert proc.returncode == 2, out  # pytest's "interrupted"
    assert "KeyboardInterrupt" in out and "Ctrl-C during the " in out, out
    assert "the run went on" not in out
    assert " failed" not in out  # the Ctrl-C is no test failure
    assert "no tests ran" in out or "passed" in out or "interrupted" in out.lower(), out
    assert took < PROMPT, out


@pytest.mark.timeout(60)
def test_a_sigint_a_test_sends_on_purpose_does_not_stop_the_run(tmp_path: Path) -> None:
    with session(tmp_path, DELIBERATE) as proc, killed_at_the_end(proc):
        out, _ = proc.communicate(timeout=50)
    assert proc.returncode == 0, out
    assert "the run went on" in out and "3 passed" in out, out


# -- on pytest-xdist's workers (as `python3 tasks.py test` runs the suite) ----------------------
#
# The Ctrl-C reaches the controller and its workers alike (one process group). A worker's output
# is not the terminal's, so the inner test says it is ready in a file.

SWALLOWING_ON_A_WORKER = '''
import os
import pathlib
import time

import walkthrough.commands.list as verb
from walkthrough import cli


def test_a_command_catches_the_ctrl_c(monkeypatch):
    def wait(args):
        pathlib.Path(os.environ["READY_FILE"]).touch()
        time.sleep(60)
        return 1
    monkeypatch.setattr(verb, "run", wait)
    assert cli.main(["list"]) == 1


def test_after():
    pathlib.Path(os.environ["READY_FILE"] + ".after").touch()
'''


@pytest.mark.timeout(90)
def test_one_ctrl_c_ends_a_run_on_xdist_workers_with_the_summary(tmp_path: Path) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is in the test extra")
    ready = tmp_path / "ready"
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    trio_suite\n    asyncio_suite\n")
    (tmp_path / "test_inner.py").write_text(SWALLOWING_ON_A_WORKER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "READY_FILE": str(ready)}
    with subprocess.Popen(
        [sys.executable, "-m", "pytest", "-W", "error", "-p", "no:cacheprovider",
         "-p", "tests.conftest", "-n", "1", "test_inner.py"],
        cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=default_sigint,
    ) as proc, killed_at_the_end(proc):
        deadline = time.monotonic() + 60
        while not ready.exists():  # the worker has started its test
            assert proc.poll() is None, "the session ended before its test was ready"
            assert time.monotonic() < deadline, "the test never got ready"
            time.sleep(0.05)
        pressed = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - pressed
    assert proc.returncode == 2, out  # pytest's "interrupted"
    assert "KeyboardInterrupt" in out, out
    assert re.search(r"^=+ .* in \d+\.\d+s", out, re.M), out  # the summary line
    assert " failed" not in out, out  # the Ctrl-C is no test failure
    assert not Path(f"{ready}.after").exists(), "the run went on"
    assert took < PROMPT, out


# -- under `python3 tasks.py test` -----------------------------------------------------------------
#
# tasks.py runs pytest as a child in its own process group, so a Ctrl-C reaches both. It used to
# give the child 10 s and then kill it, which cut off a summary that came later; now it waits for
# the child however long it takes, and a second Ctrl-C kills it.

TASKS = """
import sys
sys.path.insert(0, {root!r})
import tasks
tasks.ensure_env = lambda: None  # no venv work in a test
tasks.VERBS["test"] = lambda args: tasks.sh(sys.executable, "-c", {child!r})
sys.argv = ["tasks.py", "test"]
tasks.main()
"""

#: Stands in for pytest: on Ctrl-C it takes its time, then prints its summary.
SLOW_SUMMARY = """
import signal, sys, time
def summary(*args):
    time.sleep(1)
    print("the summary", flush=True)
    sys.exit(2)
signal.signal(signal.SIGINT, summary)
print("ready", flush=True)
time.sleep(60)
"""

#: Stands in for a child that does not stop on Ctrl-C at all.
DEAF = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


def tasks_until_ready(child: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", TASKS.format(root=str(ROOT), child=child)], text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=default_sigint)
    assert proc.stdout is not None
    while (line := proc.stdout.readline()) != "ready\n":  # not the "+ python -c ..." echo
        assert line, "the child never started"
    return proc


@pytest.mark.timeout(60)
def test_tasks_waits_for_the_childs_own_end_after_a_ctrl_c() -> None:
    with tasks_until_ready(SLOW_SUMMARY) as proc, killed_at_the_end(proc):
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "the summary" in out, err
    assert proc.returncode == 130 and "Traceback" not in err, err


@pytest.mark.timeout(60)
def test_a_second_ctrl_c_on_tasks_kills_a_child_that_does_not_stop() -> None:
    with tasks_until_ready(DEAF) as proc, killed_at_the_end(proc):
        os.killpg(proc.pid, signal.SIGINT)
        # After the first Ctrl-C, Popen.wait itself waits a quarter second before it lets the
        # KeyboardInterrupt through; a second Ctrl-C within it would count as the first.
        time.sleep(1)
        pressed = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - pressed
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert took < PROMPT


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.timeout(150)
def test_a_run_started_with_sigint_ignored_passes_the_tests_that_press_ctrl_c_themselves() -> None:
    """A suite started in the background by a shell without job control inherits SIGINT
    ignored. The crawler's Ctrl-C tests send their own process a SIGINT: they used to wait for
    it until their timeout, and a worker stayed stuck in asyncio's cleanup for good, so the run
    never ended. (Children are another matter: ``tests/signals.py`` resets SIGINT in them.)"""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "--timeout", "20",
         "-o", "timeout_method=thread", "tests/test_mutation_crawler.py", "-k", "ctrl_c"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_ignore_sigint)
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\b1[0-9] passed\b", done.stdout), done.stdout[-3000:]
