"""Tests that kill mutmut's survivors in ``walkthrough/learner/supervise.py`` and ``guard.py``
(issue 27).

``supervise.py`` is the part of ``walkthrough check`` that runs in the learner's own process,
so mutmut sees it, but the suite reached most of it only through a real child that ends well:
a slip in the watchdog, the kill of the child's process group, the bounded drains or the
words for a crash went unseen. Here each of them is driven in the test process: the child is
a small stand-in (``FAKE``, put in place of ``sys.executable``) that does exactly one of the
things a port's child can do (hang without ever noting progress, hang in a phase, hang while
the report is written, die by a signal, crash with a message, or answer), so every branch of
the supervisor is reached in a fraction of a second, and the words are compared whole.

``guard.py`` runs inside the child; its functions are called here directly, as the child
calls them (the flood limits at their boundaries, the virtual deadline of a phase, the
errors kept, the progress notes).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from walkthrough import catalogue
from walkthrough.learner import guard, supervise
from walkthrough.learner.explain import CHECKPOINT
from walkthrough.learner.guard import (
    MIN_DEADLINE,
    REPORTING,
    OutputFlood,
    _BoundedEvents,
    _Guarded,
    _Watch,
    flood,
    run_port,
)
from walkthrough.learner.report import CANNOT_CHECK, EQUIVALENT, NOT_EQUIVALENT, header
from walkthrough.learner.supervise import (
    KEEP_BYTES,
    Outcome,
    _Drain,
    _finish,
    _interpret,
    _kill,
    _last_note,
    _other_impl_command,
    _running,
    _source_line,
    check_in_child,
)

ROOT = Path(__file__).resolve().parent.parent
COUNT = catalogue.get("count")
TRIO_COUNT = (ROOT / "trio_port" / "count.py").read_text(encoding="utf-8")

#: The stand-in child: ``argv`` as ``_run_child`` gives it (``-m walkthrough.learner LESSON
#: IMPL PATH SHOWN WORKDIR LIMIT``), its behaviour chosen by ``FAKE_MODE``, anything it must
#: tell the test written to ``FAKE_OUT``.
FAKE = '''\
import json, os, signal, subprocess, sys, time
mode, out = os.environ["FAKE_MODE"], os.environ.get("FAKE_OUT", "")
work = sys.argv[7]
def note(text):
    with open(os.path.join(work, "progress.txt"), "a", encoding="utf-8") as f:
        f.write(text + "\\n")
def result(status, text):
    with open(os.path.join(work, "result.json"), "w", encoding="utf-8") as f:
        json.dump({"status": status, "text": text}, f)
if mode == "report":
    seen = {"argv": sys.argv[1:], "cwd": os.getcwd(), "leader": os.getsid(0) == os.getpid(),
            "stdin": sys.stdin.read(), "env": {k: os.environ.get(k) for k in
            ("PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONWARNINGS")}}
    result(0, json.dumps(seen))
elif mode == "hang":  # a grandchild in the same group, one note, then never another
    kid = subprocess.Popen(["sleep", "60"])
    with open(out + ".part", "w") as f:  # then renamed: a reader sees the pid whole or nothing
        f.write(str(kid.pid))
    os.replace(out + ".part", out)
    note(os.environ.get("FAKE_NOTE", "case 1/1 (no parameters), phase demo_async"))
    kid.wait()
elif mode == "silent":  # never a note: still starting up
    time.sleep(60)
elif mode == "slow-start":  # no note for a while, then the answer
    if os.environ.get("FAKE_EMPTY"):  # as the real child's _Watch does at its start
        open(os.path.join(work, "progress.txt"), "a").close()
    time.sleep(float(os.environ["FAKE_DELAY"]))
    result(0, "answered")
elif mode == "slow-phase":  # one note, then quiet for longer than the limit, then the answer
    note("phase demo_async")
    time.sleep(float(os.environ["FAKE_DELAY"]))
    result(0, "answered")
elif mode == "detach":  # a process in its own session, out of _kill's reach, keeps stderr
    kid = subprocess.Popen(["sleep", "60"], stdout=subprocess.DEVNULL, start_new_session=True)
    with open(out, "w") as f:
        f.write(str(kid.pid))
    result(0, "answered")
elif mode == "reporting":  # the port is done; the report takes a while (or forever)
    note("phase demo_async")
    note("''' + REPORTING + '''")
    time.sleep(float(os.environ["FAKE_DELAY"]))
    result(0, "answered")
elif mode == "watchdog":  # the child's own watchdog fired: its dump, then the exit
    note("phase demo_async")
    with open(os.path.join(work, "dump.txt"), "w", encoding="utf-8") as f:
        f.write('Timeout (0:00:05)!\\nThread 0x01 (most recent call first):\\n'
                f'  File "{sys.argv[5]}", line 2 in spin\\n')
    os._exit(1)
elif mode == "colours":
    result(1, "\x1b[36mblue\x1b[0m")
elif mode == "signal":
    note("phase demo_async")
    os.kill(os.getpid(), signal.SIGTERM)
elif mode == "crash":
    note("phase demo_async")
    print("to stdout", flush=True)
    sys.stderr.write("one\\ntwo\\nthree \\x1b[2J\\nfour\\n")
    sys.stderr.flush()
    os._exit(3)
'''


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the stand-in child in place of the interpreter ``_run_child`` starts."""
    script = tmp_path / "fake_child.py"
    script.write_text(FAKE, encoding="utf-8")
    exe = tmp_path / "fake-python"
    exe.write_text(f'#!/bin/sh\nexec {sys.executable} {script} "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setenv("FAKE_OUT", str(tmp_path / "fake.out"))
    return tmp_path / "fake.out"


def port(tmp_path: Path, text: str = TRIO_COUNT, name: str = "my_port.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie not yet reaped counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    """Wait for ``pid`` to end: a killed process needs the kernel a moment (not a clock).
    One left running (the slip under test) is killed here, so that no test leaks it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.01)
    if gone(pid):
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return False


# -- the child is started as the check needs it ---------------------------------------------


@pytest.mark.timeout(30)
def test_the_child_gets_its_arguments_environment_folder_and_no_terminal(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "report")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    for name in ("PYTHONUNBUFFERED", "PYTHONWARNINGS"):  # the child gets them from the check
        monkeypatch.delenv(name, raising=False)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    path = port(tmp_path)
    shown = Path(os.path.relpath(path, here))
    outcome = supervise._run_child(COUNT, shown, "asyncio", 2.5)
    assert outcome.status == 0
    seen = json.loads(outcome.text)
    argv = seen["argv"]
    assert argv[:6] == ["-m", "walkthrough.learner", "count", "asyncio", str(path.resolve()),
                        str(shown)]
    assert Path(argv[6]).name.startswith("walkthrough-check-")
    assert not Path(argv[6]).exists()  # the work folder is removed afterwards
    assert argv[7:] == ["2.5"]
    assert seen["cwd"] == str(here)
    assert seen["leader"] is True  # its own session: _kill can end its whole group
    assert seen["stdin"] == ""  # /dev/null: a port's input() cannot wait for the learner
    assert seen["env"] == {"PYTHONPATH": os.pathsep.join([str(ROOT), "/elsewhere"]),
                           "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "default"}


@pytest.mark.timeout(30)
def test_the_child_never_reads_the_learners_own_input(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the parent's stdin holds (a terminal the learner types in), the child reads
    /dev/null: a port's ``input()`` ends at once instead of waiting for the learner."""
    monkeypatch.setenv("FAKE_MODE", "report")
    read, write = os.pipe()
    os.write(write, b"typed by the learner\n")
    os.close(write)
    saved = os.dup(0)
    try:
        os.dup2(read, 0)
        outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 10.0)
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read)
    assert json.loads(outcome.text)["stdin"] == ""


@pytest.mark.timeout(30)
def test_without_a_pythonpath_the_child_gets_the_project_alone(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "report")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 10.0)
    assert json.loads(outcome.text)["env"]["PYTHONPATH"] == str(ROOT)


# -- the watchdog ends a stuck child, and its whole process group ---------------------------


@pytest.mark.timeout(30)
def test_a_child_stuck_in_a_phase_is_killed_with_its_children_and_blamed_on_the_phase(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's own watchdog did not end it: the parent does, at limit + grace, and the
    grandchild it started (in the same process group) goes with it."""
    monkeypatch.setenv("FAKE_MODE", "hang")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.25)
    assert outcome == Outcome(NOT_EQUIVALENT, "\n".join([
        "NOT equivalent: your port was stopped in case 1/1 (no parameters), phase demo_async, "
        "after 0.25 s of wall-clock time: your code never reached a checkpoint.",
        *textwrap.wrap(CHECKPOINT, 92, initial_indent="  ", subsequent_indent="  ")]))
    grandchild = int(fake.read_text(encoding="utf-8"))
    assert wait_gone(grandchild), "the stuck child's own child was left running"


@pytest.mark.timeout(30)
def test_a_child_stuck_at_import_cannot_be_checked(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "hang")
    monkeypatch.setenv("FAKE_NOTE", "import")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.25)
    assert outcome.status == CANNOT_CHECK
    assert outcome.text.startswith("cannot check: your port was stopped while it was being "
                                   "imported, after 0.25 s of wall-clock time: your code")
    assert outcome.text.endswith(
        "\n  hint: code at the top level of a module runs when it is imported: put it in a "
        "function, or under 'if __name__ == \"__main__\":'")
    assert wait_gone(int(fake.read_text(encoding="utf-8")))


@pytest.mark.timeout(30)
def test_before_any_note_the_child_is_allowed_its_setup_time(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No note yet: the references are being computed, which the limit is not about."""
    monkeypatch.setenv("FAKE_MODE", "slow-start")
    monkeypatch.setenv("FAKE_DELAY", "1.0")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.1)
    assert outcome == Outcome(0, "answered")


@pytest.mark.timeout(30)
def test_an_empty_progress_file_is_still_the_setup_time(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's watch creates the progress file at its start, empty: no note yet."""
    monkeypatch.setenv("FAKE_MODE", "slow-start")
    monkeypatch.setenv("FAKE_EMPTY", "1")
    monkeypatch.setenv("FAKE_DELAY", "1.0")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    assert supervise._run_child(COUNT, port(tmp_path), "trio", 0.1) == Outcome(0, "answered")


@pytest.mark.timeout(30)
def test_once_noted_the_stop_comes_at_the_limit_not_later(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phase quiet for 1.1 s with a limit of 0.25 s (and no grace) is stopped: a watchdog
    that waited even a second more would let it answer."""
    monkeypatch.setenv("FAKE_MODE", "slow-phase")
    monkeypatch.setenv("FAKE_DELAY", "1.1")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.25)
    assert outcome.status == NOT_EQUIVALENT
    assert outcome.text.startswith("NOT equivalent: your port was stopped in phase demo_async")


@pytest.mark.timeout(20)
def test_a_process_the_port_detached_cannot_hold_the_check(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The port started a process in a session of its own, which keeps the child's stderr
    open for a minute: the check still ends, a few seconds after the child did. (The parent
    used to close the pipe while its drain was blocked reading it, which waits for the read.)"""
    monkeypatch.setenv("FAKE_MODE", "detach")
    try:
        outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 5.0)
    finally:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(fake.read_text(encoding="utf-8")), signal.SIGKILL)
    assert outcome == Outcome(0, "answered")


@pytest.mark.timeout(30)
def test_a_child_that_never_notes_anything_is_stopped_after_its_setup_time(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "silent")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    monkeypatch.setattr(supervise, "SETUP_ALLOWANCE", 0.3)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.1)
    assert outcome.status == NOT_EQUIVALENT
    assert outcome.text.startswith("NOT equivalent: your port was stopped in before your "
                                   "module was imported, after 0.1 s of wall-clock time")


@pytest.mark.timeout(30)
def test_the_report_is_given_its_own_allowance_after_the_ports_code(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "reporting")
    monkeypatch.setenv("FAKE_DELAY", "1.0")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    assert supervise._run_child(COUNT, port(tmp_path), "trio", 0.1) == Outcome(0, "answered")


@pytest.mark.timeout(30)
def test_a_report_that_takes_too_long_is_stopped_and_said_to_be_the_checkers(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "reporting")
    monkeypatch.setenv("FAKE_DELAY", "60")
    monkeypatch.setattr(supervise, "GRACE", 0.0)
    monkeypatch.setattr(supervise, "REPORT_ALLOWANCE", 0.5)
    outcome = supervise._run_child(COUNT, port(tmp_path), "trio", 0.1)
    assert outcome == Outcome(CANNOT_CHECK, (
        "cannot check: your port ran to its end, but the checker itself took more than "
        "0.5 s of wall-clock time to write its report. That is the checker's problem, not "
        "your port's: please report it, with your file."))


@pytest.mark.timeout(30)
def test_the_kill_ends_the_whole_group_and_reaps_the_leader(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; kid = subprocess.Popen(['sleep', '60']);"
         " print(kid.pid, flush=True); kid.wait()"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None
        grandchild = int(proc.stdout.readline())
        _kill(proc)
        assert proc.returncode == -signal.SIGKILL  # reaped by _kill itself
        assert wait_gone(grandchild)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]


def test_killing_a_child_already_gone_is_quiet() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    proc.wait()
    _kill(proc)  # no group any more: nothing raised
    assert proc.returncode == 0


# -- what the child's end says ----------------------------------------------------------------


@pytest.mark.timeout(30)
def test_the_childs_own_watchdog_dump_names_the_function_in_the_port(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "watchdog")
    path = port(tmp_path, "def spin():\n    time.sleep(99)\n")
    outcome = supervise._run_child(COUNT, path, "trio", 5.0)
    assert outcome.text.startswith(
        f"NOT equivalent: your port was stopped in phase demo_async, after 5 s of wall-clock "
        f"time: spin ({path}, line 2) never reached a checkpoint.\n    2: time.sleep(99)\n")


@pytest.mark.timeout(30)
def test_a_child_killed_by_a_signal_is_said_by_the_signals_name(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "signal")
    assert supervise._run_child(COUNT, port(tmp_path), "trio", 5.0) == Outcome(
        NOT_EQUIVALENT, "NOT equivalent: the process running your port was killed by SIGTERM "
                        "in phase demo_async.")


@pytest.mark.timeout(30)
def test_a_crash_quotes_the_last_three_lines_of_stderr_escaped(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "crash")
    assert supervise._run_child(COUNT, port(tmp_path), "trio", 5.0) == Outcome(
        NOT_EQUIVALENT, "NOT equivalent: your port ended the process with exit status 3 in "
                        "phase demo_async (os._exit? a crash?): a module or a phase must "
                        "return, never end the program.\n  it said:\n    two\n"
                        "    three \\x1b[2J\n    four")


def interpret(tmp_path: Path, notes: list[str] | None, rc: int = 1, stuck: bool = False,
              dump: str | None = None, stderr: bytes = b"", limit: float = 10.0,
              path: Path | None = None) -> Outcome:
    if notes is not None:
        (tmp_path / "progress.txt").write_text("".join(f"{n}\n" for n in notes),
                                               encoding="utf-8")
    if dump is not None:
        (tmp_path / "dump.txt").write_text(dump, encoding="utf-8")
    drain = _Drain(io.BytesIO(stderr))
    drain.run()
    return _interpret(rc, tmp_path, path or tmp_path / "my_port.py", stuck, limit, drain)


def test_an_unknown_signal_is_said_by_its_number(tmp_path: Path) -> None:
    assert interpret(tmp_path, ["phase x"], rc=-200) == Outcome(
        NOT_EQUIVALENT, "NOT equivalent: the process running your port was killed by "
                        "signal 200 in phase x.")
    assert interpret(tmp_path, ["import"], rc=-9) == Outcome(
        CANNOT_CHECK, "cannot check: the process running your port was killed by SIGKILL "
                      "while it was being imported.")


@pytest.mark.parametrize(("rc", "said"), [
    (-200, "was killed by signal 200 while writing its report"),
    (0, "ended with exit status 0 while writing its report"),
    (None, "ended with exit status None while writing its report"),
])
def test_the_checkers_own_end_is_said_whatever_it_was(tmp_path: Path, rc: int,
                                                      said: str) -> None:
    """With the last three lines of its stderr (not UTF-8 everywhere), escaped."""
    outcome = interpret(tmp_path, ["phase x", REPORTING], rc=rc,
                        stderr=b"zero\none\na\nb\x07\xff\n")
    assert outcome == Outcome(CANNOT_CHECK, (
        f"cannot check: your port ran to its end, but the checker itself {said}. That is the "
        "checker's problem, not your port's: please report it, with your file."
        "\n  it said:\n    one\n    a\n    b\\x07\ufffd"))


def test_the_checkers_own_end_without_a_word_says_nothing_more(tmp_path: Path) -> None:
    assert interpret(tmp_path, ["phase x", REPORTING], rc=1, stderr=b"\n") == Outcome(
        CANNOT_CHECK, "cannot check: your port ran to its end, but the checker itself ended "
                      "with exit status 1 while writing its report. That is the checker's "
                      "problem, not your port's: please report it, with your file.")


def test_an_exit_quotes_stderr_even_when_it_is_not_utf8(tmp_path: Path) -> None:
    assert interpret(tmp_path, ["phase x"], rc=1, stderr=b"zero\none\xff\ntwo\n") == Outcome(
        NOT_EQUIVALENT, "NOT equivalent: your port ended the process with exit status 1 in "
                        "phase x (os._exit? a crash?): a module or a phase must return, never "
                        "end the program.\n  it said:\n    zero\n    one\ufffd\n    two")


def test_an_exit_without_a_word_on_stderr_says_nothing_more(tmp_path: Path) -> None:
    assert interpret(tmp_path, None, rc=0, stderr=b"  \n") == Outcome(
        NOT_EQUIVALENT, "NOT equivalent: your port ended the process with exit status 0 "
                        "in before your module was imported (os._exit? a crash?): a module "
                        "or a phase must return, never end the program.")


def test_an_empty_progress_file_is_before_the_import(tmp_path: Path) -> None:
    assert "in before your module was imported" in interpret(tmp_path, []).text


def test_a_result_is_read_as_written(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps({"status": "1", "text": 7}),
                                          encoding="utf-8")
    assert interpret(tmp_path, ["phase x"], rc=-9, stuck=True) == Outcome(1, "7")


DUMP = """\
Timeout (0:00:10)!
Thread 0x00007f0000000001 (most recent call first):
  File "{other}", line 5 in helper
  File "{port}", line 3 in in_the_thread

Thread 0x00007f0000000002 (most recent call first):
  File "{port}", line {line} in {func}
  File "{port}", line 2 in outer
  File "{root}/walkthrough/learner/guard.py", line 183 in run_port
"""


@pytest.mark.parametrize(("func", "shown"), [("spin", "spin"),
                                             ("<module>", "the module's top level")])
def test_a_timeout_names_the_innermost_function_of_the_main_thread_and_its_line(
        tmp_path: Path, func: str, shown: str) -> None:
    path = port(tmp_path, "def outer():\n    spin()\ndef spin():\n    time.sleep(99)  # \x1b\n")
    dump = DUMP.format(other=tmp_path / "other.py", port=path, line=4, func=func, root=ROOT)
    outcome = interpret(tmp_path, ["phase spin_async"], rc=1, dump=dump, path=path, limit=2.5)
    assert outcome == Outcome(NOT_EQUIVALENT, "\n".join([
        f"NOT equivalent: your port was stopped in phase spin_async, after 2.5 s of wall-clock "
        f"time: {shown} ({path}, line 4) never reached a checkpoint.",
        "    4: time.sleep(99)  # \\x1b",
        *textwrap.wrap(CHECKPOINT, 92, initial_indent="  ", subsequent_indent="  "),
        "  hint: time.sleep blocks the whole thread; await trio.sleep(...) (or asyncio.sleep) "
        "lets the others run"]))


def test_a_dump_without_the_ports_frames_blames_your_code_without_a_line(
        tmp_path: Path) -> None:
    path = port(tmp_path, "x = 1\n")
    # faulthandler writes file names as bytes: one not in UTF-8 must not stop the report.
    (tmp_path / "dump.txt").write_bytes(
        b'Timeout (0:00:10)!\n  File "' + bytes(tmp_path) + b'/\xff.py", line 1 in f\n')
    outcome = interpret(tmp_path, ["phase p"], path=path)
    assert outcome.text.startswith("NOT equivalent: your port was stopped in phase p, after "
                                   "10 s of wall-clock time: your code never reached a "
                                   "checkpoint.\n  A checkpoint is")
    assert "hint" not in outcome.text


def test_running_prefers_the_checkers_thread_whatever_the_order(tmp_path: Path) -> None:
    path = tmp_path / "p.py"
    dump = DUMP.format(other=tmp_path / "o.py", port=path, line=9, func="spin", root=ROOT)
    assert _running(dump, path) == ("spin", 9)
    # The port's own other thread is listed first, but the checker's is the one searched
    # first; without it, the other thread's innermost frame in the port is the one named.
    alone = dump.split("\n\n")[0]
    assert _running(alone, path) == ("in_the_thread", 3)
    assert _running("", path) == ("", 0)
    # Found by the checker's frames, not by the order of the blocks in the dump, nor by their
    # text: here the port's other thread comes first and sorts first too.
    other = f'Thread 0x01 (most recent call first):\n  File "{path}", line 3 in in_the_thread\n'
    main = (f'Thread 0x02 (most recent call first):\n  File "{path}", line 9 in spin\n'
            f'  File "{ROOT}/walkthrough/learner/guard.py", line 183 in run_port\n')
    assert _running(f"{other}\n{main}", path) == ("spin", 9)


def test_a_line_number_is_shown_only_when_it_is_in_the_file(tmp_path: Path) -> None:
    path = port(tmp_path, "one\ntwo\n")
    assert [_source_line(path, n) for n in (0, 1, 2, 3)] == ["", "one", "two", ""]
    assert _source_line(tmp_path / "missing.py", 1) == ""
    (tmp_path / "latin.py").write_bytes(b"\xff\n")
    assert _source_line(tmp_path / "latin.py", 1) == ""


def test_the_last_note_is_read_safely(tmp_path: Path) -> None:
    progress = tmp_path / "progress.txt"
    assert _last_note(progress) == ""
    progress.write_text("", encoding="utf-8")
    assert _last_note(progress) == ""
    progress.write_text("import\nphase a\n", encoding="utf-8")
    assert _last_note(progress) == "phase a"
    progress.write_bytes(b"import\n\xff\n")
    assert _last_note(progress) == ""


# -- the drains keep a bounded head and count the rest --------------------------------------


class Trickle(io.RawIOBase):
    """A pipe that gives at most ``step`` bytes a read, as a real pipe does under load."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.pos = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self.step if size < 0 else min(size, self.step)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk


@pytest.mark.parametrize("step", [65536, 10_000, 1])
def test_a_drain_keeps_exactly_the_first_bytes_and_counts_them_all(step: int) -> None:
    data = bytes(range(256)) * (KEEP_BYTES // 256 * 3 + 1)
    if step == 1:
        data = data[:KEEP_BYTES + 3]
    drain = _Drain(Trickle(data, step))
    drain.run()
    assert bytes(drain.kept) == data[:KEEP_BYTES]
    assert drain.total == len(data)


def test_a_drain_of_a_short_output_keeps_it_whole() -> None:
    drain = _Drain(Trickle(b"abc", 2))
    drain.run()
    assert (bytes(drain.kept), drain.total) == (b"abc", 3)
    assert drain.daemon  # a stuck pipe can never hold the learner's process at exit


# -- what the learner is shown ----------------------------------------------------------------


HEAD = "checking p.py (Trio port) against asyncio_ref/count.py (1 parameter set, ...)"


@pytest.mark.parametrize(("status", "text", "announced", "slip", "shown"), [
    (EQUIVALENT, f"{HEAD}\nok", False, "hint", f"{HEAD}\nok"),
    (EQUIVALENT, f"{HEAD}\nok", True, None, "ok"),
    (NOT_EQUIVALENT, "stopped", False, "hint", f"{HEAD}\nstopped\nhint"),
    (NOT_EQUIVALENT, "stopped", True, "hint", "stopped\nhint"),
    (CANNOT_CHECK, "cannot check: x", False, None, "cannot check: x"),
    (CANNOT_CHECK, f"{HEAD}\ncannot check: x", False, "hint", "cannot check: x\nhint"),
])
def test_the_header_is_shown_once_and_the_slip_only_when_not_equivalent(
        status: int, text: str, announced: bool, slip: str | None, shown: str) -> None:
    assert _finish(Outcome(status, text), HEAD, announced=announced, colours=False,
                   slip=slip) == Outcome(status, shown)


def test_colours_are_named_or_shown_as_asked() -> None:
    text = "\x1b[36mblue\x1b[0m \x1b[2J"
    assert _finish(Outcome(1, text), HEAD, announced=True, colours=False, slip=None).text == \
        "[cyan]blue[reset] \\x1b[2J"
    assert _finish(Outcome(1, text), HEAD, announced=True, colours=True, slip=None).text == \
        "\x1b[36m[cyan]blue\x1b[0m[reset] \\x1b[2J"


@pytest.mark.parametrize(("impl", "other"), [("trio", "asyncio"), ("asyncio", "trio")])
def test_the_other_frameworks_command_is_quoted_for_a_shell(impl: str, other: str) -> None:
    assert _other_impl_command(COUNT, Path("my dir/p.py"), impl) == \
        f"walkthrough check count 'my dir/p.py' --impl {other}"


@pytest.mark.timeout(30)
def test_check_in_child_announces_then_shows_the_childs_report_and_the_slip(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole parent side with the stand-in child: the header announced once, the child's
    report without it, the "did you mean --impl asyncio?" hint for an asyncio file."""
    monkeypatch.setenv("FAKE_MODE", "signal")
    path = port(tmp_path, "import asyncio\n", "my port.py")
    head = header(COUNT, path, "trio")
    heard: list[str] = []
    outcome = check_in_child(COUNT, path, "trio", 5.0, announce=heard.append)
    assert heard == [head]
    assert outcome == Outcome(NOT_EQUIVALENT, (
        "NOT equivalent: the process running your port was killed by SIGTERM in phase "
        "demo_async.\nhint: your file imports asyncio and not trio, and it was checked as a "
        f"Trio port: did you mean --impl asyncio?\n    walkthrough check count '{path}' "
        "--impl asyncio"))
    quiet = check_in_child(COUNT, path, "trio", 5.0)
    assert quiet.text == f"{head}\n{outcome.text}"


@pytest.mark.timeout(30)
def test_check_in_child_passes_the_framework_and_the_limit_on(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODE", "report")
    path = port(tmp_path)
    outcome = check_in_child(COUNT, path, "asyncio", 2.5)
    head, _, said = outcome.text.partition("\n")
    assert head == header(COUNT, path, "asyncio")
    assert json.loads(said)["argv"][3::4] == ["asyncio", "2.5"]
    # By default: Trio, the default wall-clock limit, colours by name.
    head, _, said = check_in_child(COUNT, path).text.partition("\n")
    assert head == header(COUNT, path, "trio")
    assert json.loads(said)["argv"][3::4] == ["trio", repr(supervise.WALL_LIMIT)]
    monkeypatch.setenv("FAKE_MODE", "colours")
    assert check_in_child(COUNT, path).text.endswith("\n[cyan]blue[reset]")


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("colours", "shown"), [
    (False, "[cyan]blue[reset]"), (True, "\x1b[36m[cyan]blue\x1b[0m[reset]")])
def test_check_in_child_shows_colours_as_asked(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, colours: bool,
        shown: str) -> None:
    monkeypatch.setenv("FAKE_MODE", "colours")
    outcome = check_in_child(COUNT, port(tmp_path), "trio", 5.0, announce=lambda _: None,
                             colours=colours)
    assert outcome == Outcome(NOT_EQUIVALENT, shown)


class Interrupted:
    """``supervise``'s clock, with a Ctrl-C at the first wait once the child is running."""

    def __init__(self, started: Path) -> None:
        self.started = started
        self.monotonic, self.time = time.monotonic, time.time

    def sleep(self, seconds: float) -> None:
        while not self.started.exists():  # the child's own child has been started
            time.sleep(0.01)
        raise KeyboardInterrupt


@pytest.mark.timeout(30)
def test_an_interrupt_while_waiting_ends_the_child_and_its_children(
        fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the learner's terminal stops ``walkthrough check``: the child, which has no
    terminal and so never sees it, must not be left running (nor what it started)."""
    monkeypatch.setenv("FAKE_MODE", "hang")
    monkeypatch.setattr(supervise, "time", Interrupted(fake))
    with pytest.raises(KeyboardInterrupt):
        supervise._run_child(COUNT, port(tmp_path), "trio", 10.0)
    assert wait_gone(int(fake.read_text(encoding="utf-8")))


# == guard.py: the limits a port's phases run under (in the child; called here directly) ======


def test_a_flood_is_found_in_the_error_groups_opened_or_in_the_outcome() -> None:
    flood_error = OutputFlood("printed more than 20000 lines")
    nested = BaseExceptionGroup("g", [ValueError("first"),
                                      BaseExceptionGroup("inner", [KeyError("k"), flood_error])])
    assert flood(nested, "raised ValueError: first") == "printed more than 20000 lines"
    assert flood(flood_error, "") == "printed more than 20000 lines"
    # Not raised by the phase's own code: the capture's last flush, written in the outcome.
    assert flood(None, "raised OutputFlood: printed more than 9 lines (inside a "
                       "BaseExceptionGroup)") == "printed more than 9 lines"
    # A group of one inside a group of one is said twice: the message ends at the first.
    assert flood(None, "raised OutputFlood: printed more than 9 lines (inside a "
                       "ExceptionGroup) (inside a BaseExceptionGroup)") == \
        "printed more than 9 lines"
    assert flood(None, "raised OutputFlood: printed a line of 1,001 characters") == \
        "printed a line of 1,001 characters"
    assert flood(ValueError("x"), "raised ValueError: x") is None
    assert flood(BaseExceptionGroup("g", [ValueError("x")]), "None") is None
    assert flood(None, "None") is None
    assert flood(None, "said raised OutputFlood: x") is None


class Line:
    def __init__(self, text: str) -> None:
        self.text = text


def test_the_events_are_bounded_in_lines_at_exactly_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "MAX_EVENTS", 3)
    events = _BoundedEvents()
    for n in range(3):
        events.append(Line(str(n)))
    with pytest.raises(OutputFlood, match=r"^printed more than 3 lines$"):
        events.append(Line("3"))
    assert [e.text for e in events] == ["0", "1", "2"]


def test_the_events_are_bounded_in_characters_at_exactly_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "MAX_CHARS", 1000)
    events = _BoundedEvents()
    events.append(Line("a" * 400))
    events.append(object())  # no text: a line, no characters
    events.append(Line("b" * 600))  # exactly the limit, all together
    assert (len(events), events.chars) == (3, 1000)
    with pytest.raises(OutputFlood, match=r"^printed more than 1,000 characters$"):
        events.append(Line("c"))
    assert (len(events), events.chars) == (3, 1000)  # the refused line is not counted

    alone = _BoundedEvents()
    alone.append(Line("d" * 1000))  # one line of exactly the limit is kept
    fresh = _BoundedEvents()
    with pytest.raises(OutputFlood, match=r"^printed a line of 1,001 characters$"):
        fresh.append(Line("e" * 1001))
    half = _BoundedEvents()
    half.append(Line("f"))
    with pytest.raises(OutputFlood, match=r"^printed more than 1,000 characters$"):
        half.append(Line("g" * 1000))  # the limit's size, but not alone: not "a line of"


def test_the_progress_notes_are_one_line_each_and_on_disk_at_once(tmp_path: Path) -> None:
    watch = _Watch(tmp_path, 2.5)
    assert watch.limit == 2.5
    watch.note("case 1/2 (n=1,\nm=2), phase p")
    # Read while the watch is still open: the child may be killed the next moment.
    assert (tmp_path / "progress.txt").read_text(encoding="utf-8") == \
        "case 1/2 (n=1, m=2), phase p\n"
    with watch.limited("phase q"):
        assert (tmp_path / "progress.txt").read_text(encoding="utf-8").endswith("phase q\n")
    assert (tmp_path / "dump.txt").exists()
    watch._dump.close()
    watch._progress.close()
    again = _Watch(tmp_path, 1.0)  # appended, not truncated: the whole history stays
    again.note("import")
    again._dump.close()
    again._progress.close()
    assert (tmp_path / "progress.txt").read_text(encoding="utf-8").splitlines() == [
        "case 1/2 (n=1, m=2), phase p", "phase q", "import"]


WATCHDOG = """\
import sys, time
from pathlib import Path
from walkthrough.learner.guard import _Watch
watch = _Watch(Path(sys.argv[1]), 0.5)
with watch.limited("phase spin"):
    while True:
        pass
"""


@pytest.mark.timeout(60)
def test_the_watchdog_itself_ends_a_busy_child_and_dumps_its_stack(tmp_path: Path) -> None:
    """The child's own C watchdog, not the parent's backstop (limit + grace), ends a busy loop:
    a ``dump_traceback_later`` without ``exit=True`` would leave it spinning (runs in a child
    process: mutmut never mutates ``limited``, a context manager, and would not see it)."""
    done = subprocess.run([sys.executable, "-c", WATCHDOG, str(tmp_path)], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert done.returncode != 0
    dump = (tmp_path / "dump.txt").read_text(encoding="utf-8")
    assert dump.startswith("Timeout (0:00:00.500000)!")
    assert re.search(r'File "<string>", line [67] in <module>', dump), dump
    assert (tmp_path / "progress.txt").read_text(encoding="utf-8") == "phase spin\n"


def phases(guarded: _Guarded, **fns: Callable[..., Any]) -> list[tuple[str, Callable[..., Any]]]:
    return [(name, guarded.wrap(name, fn)) for name, fn in fns.items()]


@pytest.mark.timeout(30)
def test_a_deadlocked_trio_phase_is_stopped_at_its_virtual_deadline_and_the_error_kept() -> None:
    async def stuck() -> None:
        await trio.sleep_forever()

    async def answers(up_to: int) -> int:
        await trio.sleep(1)
        return up_to

    lesson = catalogue.get("asyncgen")
    guarded = _Guarded(types.ModuleType("port"), "trio", {"stuck": 7.5})
    trace = run_port(lesson, "trio", phases(guarded, stuck=stuck, answers=answers,
                                            other=stuck), {})
    assert trace.outcomes["stuck"] == "raised TooSlowError: "
    assert trace.durations["stuck"] == pytest.approx(7.5)
    assert isinstance(guarded.errors["stuck"], trio.TooSlowError)
    assert trace.outcomes["answers"] == "10"  # the lesson's own parameter
    assert "answers" not in guarded.errors
    assert trace.durations["other"] == pytest.approx(MIN_DEADLINE)  # no reference duration
    assert (trace.impl, trace.lesson) == ("trio", "asyncgen")


@pytest.mark.timeout(30)
def test_a_deadlocked_asyncio_phase_is_stopped_at_its_virtual_deadline_too() -> None:
    """The asyncio port gets the same deadline (``asyncio.timeout``), so its deadlock is told
    as one, not as a hang of the whole check."""
    async def stuck() -> None:
        await asyncio.Event().wait()

    async def answers(up_to: int) -> int:
        await asyncio.sleep(1)
        return up_to

    lesson = catalogue.get("asyncgen")
    guarded = _Guarded(types.ModuleType("port"), "asyncio", {"stuck": 7.5})
    trace = run_port(lesson, "asyncio", phases(guarded, stuck=stuck, answers=answers),
                     {"up_to": 3})
    assert trace.outcomes["stuck"] == "raised TimeoutError: "
    assert trace.durations["stuck"] == pytest.approx(7.5)
    assert isinstance(guarded.errors["stuck"], TimeoutError)
    assert trace.outcomes["answers"] == "3"  # the case's parameter wins over the lesson's


def test_a_sync_phase_keeps_its_error_and_its_answer() -> None:
    def fails() -> None:
        raise KeyError("k")

    def answers(up_to: int) -> int:
        return up_to * 2

    guarded = _Guarded(types.ModuleType("port"), "trio", {})
    trace = run_port(catalogue.get("asyncgen"), "trio",
                     phases(guarded, fails=fails, answers=answers), {})
    assert trace.outcomes == {"fails": "raised KeyError: 'k'", "answers": "20"}
    assert list(guarded.errors) == ["fails"]
    assert isinstance(guarded.errors["fails"], KeyError)
    assert guarded.wrap("answers", answers).__name__ == "answers"


def test_a_flood_in_the_last_fragment_is_the_phases_outcome_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture's last flush (an unended line, after the phase's code) can flood too: the
    run says so in that phase's outcome and goes on with the next phase, noting each one."""
    monkeypatch.setattr(guard, "MAX_EVENTS", 2)

    def floods() -> None:
        print("a\nb\nc", end="")

    def quiet() -> int:
        return 5  # prints nothing: the bound is the whole trace's

    watch = _Watch(tmp_path, 30.0)
    try:
        trace = run_port(COUNT, "trio", [("floods", floods), ("quiet", quiet)], {},
                         watch=watch, where="case 1/1, ")
    finally:
        watch._dump.close()
        watch._progress.close()
    assert trace.outcomes == {"floods": "raised OutputFlood: printed more than 2 lines",
                              "quiet": "5"}
    assert isinstance(trace.events, _BoundedEvents)
    assert [e.text for e in trace.events] == ["a", "b"]
    assert (tmp_path / "progress.txt").read_text(encoding="utf-8") == \
        "case 1/1, phase floods\ncase 1/1, phase quiet\n"


def test_without_a_place_the_note_is_the_phase_alone(tmp_path: Path) -> None:
    watch = _Watch(tmp_path, 30.0)
    try:
        run_port(COUNT, "trio", [("quiet", lambda: 5)], {}, watch=watch)
    finally:
        watch._dump.close()
        watch._progress.close()
    assert (tmp_path / "progress.txt").read_text(encoding="utf-8") == "phase quiet\n"
