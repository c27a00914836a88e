"""Send a real SIGINT to a real child process, with every wait bounded.

Shared by the Ctrl-C tests of the lessons (``test_sigint.py``), of the divergence pairs and of
the FAQ's graceful-shutdown answer: one place knows the two traps. A child inherits an
*ignored* SIGINT from a shell that runs the suite in the background without job control
(Python then installs no KeyboardInterrupt handler at all), so the child resets it; and the
pipes are read by threads from the start, so neither can fill up and block the child.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Seconds a process may take to exit after SIGINT.
PROMPT = 5.0
#: Seconds we wait for the first line of output before giving up.
FIRST_LINE = 20.0

NOISE = (
    "Traceback",
    "Task was destroyed but it is pending",
    "was never awaited",
    "ResourceWarning",
    "Exception ignored",
    "Unclosed",
    "unclosed",
)


#: asyncio debug mode's report of a slow callback (base_events.py, slow_callback_duration).
SLOW_CALLBACK = re.compile(r"Executing <.*> took \d+\.\d+ seconds\n?$")


@dataclass
class Interrupted:
    returncode: int
    stdout: str
    stderr: str
    #: seconds from SIGINT to exit
    exit_after: float


def default_sigint() -> None:
    """Give the child the default SIGINT disposition even if ours is ignored.

    A shell running this suite in the background without job control starts it with SIGINT
    ignored, and a child inherits that: Python then installs no KeyboardInterrupt handler.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ignored_sigint() -> None:
    """Start the child as a shell without job control starts a background job: SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def child_env() -> dict[str, str]:
    """The environment of a child that a test interrupts: noise made visible on stderr."""
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",      # lines reach us as printed, not at exit
        "PYTHONDEVMODE": "1",         # ResourceWarning and unawaited coroutines are reported
        "PYTHONWARNINGS": "error",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "100",
    }


def interrupt(
    args: list[str], *, ready: Callable[[str], bool] = lambda line: True,
    cwd: Path = ROOT, settle: float = 0.0, again_after: float | None = None,
    again_on: Callable[[str], bool] | None = None, inherit_ignored: bool = False,
    flood: float | None = None,
) -> Interrupted:
    """Start ``python <args>``, wait for a stdout line that ``ready`` accepts, send SIGINT.

    ``again_after``: send a second SIGINT that many seconds after the first, as an impatient
    user does (the second Ctrl-C must end the program at once, without a traceback).
    ``again_on``: send the second SIGINT once a stdout line that it accepts arrives (the
    program has taken the first one), not after a fixed time: on a loaded machine the child may
    not have handled the first within any fixed time, and the two would arrive as one.
    ``inherit_ignored``: start the child with SIGINT ignored, as a non-interactive shell starts
    a background job; then the signal must change nothing.
    ``flood``: after the first, a SIGINT every ``flood`` seconds until the child exits (for
    ``PROMPT`` seconds at most), as a user who holds Ctrl-C down: one lands in each stage of
    the wind-down, Python's own shutdown included.
    """
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", *args], cwd=cwd, env=child_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_ignored_sigint if inherit_ignored else default_sigint,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    out: list[str] = []
    err: list[str] = []

    # One reader thread per pipe, started at once: nothing else ever reads the pipes (not
    # communicate(), which would race with the readers), and neither pipe can fill up and
    # block the child.
    def pump_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.append(line)
            lines.put(line)
        lines.put(None)

    def pump_stderr() -> None:
        assert proc.stderr is not None
        err.extend(proc.stderr)

    readers = [threading.Thread(target=pump_stdout, daemon=True),
               threading.Thread(target=pump_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + FIRST_LINE
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no ready line within {FIRST_LINE} s: {''.join(out)[-2000:]}")
            if line is None:
                pytest.fail(f"the child ended before the signal: {''.join(out)[-2000:]}")
            if ready(line):
                break
        time.sleep(settle)  # real time on purpose: the signal must land mid-run
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        if again_after is not None:
            time.sleep(again_after)  # real time on purpose: two real key presses
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        if again_on is not None:
            taken = time.monotonic() + PROMPT
            while True:
                try:
                    line = lines.get(timeout=max(0.0, taken - time.monotonic()))
                except queue.Empty:
                    pytest.fail(f"no sign of the first SIGINT within {PROMPT} s: "
                                f"{''.join(out)[-2000:]}")
                if line is None or again_on(line):
                    break
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        if flood is not None:
            held_until = time.monotonic() + PROMPT
            while proc.poll() is None and time.monotonic() < held_until:
                time.sleep(flood)  # real time on purpose: key repeats
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=PROMPT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {PROMPT} s after SIGINT; stderr: {''.join(err)[-2000:]}")
        exit_after = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for reader in readers:
            reader.join(timeout=PROMPT)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    # PYTHONDEVMODE puts asyncio in debug mode, which logs every callback that runs for more
    # than 0.1 s ("Executing <Task ...> took 0.102 seconds"). That line reports how loaded the
    # machine is, not what the program did: drop it, and nothing else.
    return Interrupted(proc.returncode, "".join(out), without_slow_callbacks("".join(err)),
                       exit_after)


def without_slow_callbacks(stderr: str) -> str:
    """``stderr`` less asyncio debug mode's slow-callback reports (see SLOW_CALLBACK)."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not SLOW_CALLBACK.match(line))


def assert_clean_exit(result: Interrupted) -> None:
    noise = [word for word in NOISE if word in result.stderr]
    assert not noise, f"noise on stderr {noise}:\n{result.stderr[-3000:]}"
    assert result.returncode == 130, (
        f"exit status {result.returncode} (-2 means killed by the signal, uncaught); "
        f"stderr:\n{result.stderr[-3000:]}")
    assert result.exit_after < PROMPT
