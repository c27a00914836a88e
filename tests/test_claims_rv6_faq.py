"""Sentences of docs/faq.md (and of the examples it includes) that an outside review (RV7-faq,
2026-12-07) found unproven or half-true, now shown; each test here names its finding.

* F3: asyncio's runner and a cleanup that swallows cancellation: Python 3.10 ends at the
  second Ctrl-C (run where a 3.10 is installed, skipped otherwise); on 3.11+ a second Ctrl-C
  that lands while the cleanup's own code runs is raised there and ends it.
* F8: asyncio hands back a bare exception when a task is awaited or comes out of
  ``as_completed``, as from ``gather``; only ``TaskGroup`` wraps it.
* F9: ``open_heartbeat`` leaves a group with a ``BaseException`` in it as Trio raised it, even
  beside a background failure: the caller's KeyboardInterrupt, or an enclosing timeout (which
  takes its ``Cancelled`` out and lets a plain ``ExceptionGroup`` of the failure through).
* F10: httpx reads the proxy variables only for the transport a client builds: a client given
  ``transport=`` goes direct, though its ``trust_env`` is ``True``.
* F6: every test the page names is in the file it names (tests/test_faq.py when none).
* The reviewer's note: the aiofiles example, run as a script, no longer writes ``demo.tsv``
  into the current directory.
"""

from __future__ import annotations

import asyncio
import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.conftest import Recorder, load_file
from tests.signals import default_sigint
from tests.test_faq import THIRD_CTRL_C
from walkthrough.clocks import mock_clock

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "docs" / "faq.md"


def faq_text() -> str:
    return " ".join(FAQ.read_text(encoding="utf-8").split())


# ---------------------------------------------------------------------------------------------
# F3: how many Ctrl-C asyncio's runner needs when a cleanup swallows its cancellation.

#: The script of tests/test_faq.py's third-Ctrl-C test, with 5 s of the cleanup's own code
#: (a busy loop) before each of its waits: a SIGINT sent as soon as the worker says it was
#: cancelled lands in that code, not in a wait.
BUSY_CLEANUP = THIRD_CTRL_C.replace(
    "import asyncio\n", "import asyncio, time\n").replace(
    "        while True:\n",
    "        while True:\n"
    "            begun = time.monotonic()\n"
    "            while time.monotonic() - begun < 5:\n"
    "                pass  # the cleanup's own code, running\n")

CANCELLED = "worker cancelled; its cleanup swallows cancellations"
#: The lines after which the driver sends the next SIGINT.
SEND_AFTER = ("ready", CANCELLED, "worker swallowed another cancel")


def drive(python: str, script: str, pause: float) -> tuple[list[str], int, int]:
    """Run ``script`` under ``python``; send a SIGINT after each line of SEND_AFTER, waiting
    ``pause`` seconds after the worker's first line before the second. Returns the lines, the
    number of SIGINTs sent and the exit status (-9: killed by the 30 s watchdog)."""
    seen: list[str] = []
    sent = 0
    with subprocess.Popen([python, "-W", "error", "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True,
                          preexec_fn=default_sigint) as proc:
        assert proc.stdout is not None
        watchdog = threading.Timer(30, proc.kill)
        watchdog.start()
        try:
            for line in proc.stdout:
                seen.append(line.rstrip("\n"))
                if seen[-1] == CANCELLED:
                    time.sleep(pause)
                if seen[-1] in SEND_AFTER:
                    proc.send_signal(signal.SIGINT)
                    sent += 1
            code = proc.wait(timeout=30)
        finally:
            watchdog.cancel()
            proc.kill()
    return seen, sent, code


def python_310() -> str | None:
    """A CPython 3.10 on this machine (pyenv's, or ``python3.10`` on PATH), if any."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(os.path.join(root, "versions", "3.10.*", "bin", "python")))
    if found:
        return found[-1]
    import shutil
    return shutil.which("python3.10")


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.skipif(python_310() is None, reason="no Python 3.10 installed")
def test_asyncio_3_10_ends_at_the_second_ctrl_c_where_3_11_needs_a_third() -> None:
    """F3 (a): faq.md rule 3 says 3.10 ends at the second Ctrl-C. Its ``asyncio.run`` has no
    SIGINT handler: the first Ctrl-C raises KeyboardInterrupt at once, and the runner's
    closing cancels the worker and waits; the second is raised in that wait and ends it. Same
    script and same driver as the 3.11+ test in tests/test_faq.py."""
    python = python_310()
    assert python is not None
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
    assert version == "(3, 10)"
    assert drive(python, THIRD_CTRL_C, pause=0.5) == (
        ["ready", CANCELLED, "asyncio.run raised KeyboardInterrupt"], 2, 0)
    assert "3.10 ends at the second" in faq_text()


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_second_ctrl_c_in_the_cleanups_own_code_ends_it() -> None:
    """F3 (b): faq.md rule 3, "one that lands while the cleanup's own code runs is raised
    there, and ends it": the second SIGINT is sent at once, while the cleanup's busy loop runs
    (the 3.11+ runner's handler raises KeyboardInterrupt in the running code, the worker's);
    the worker dies of it, closing has nothing left to wait for, and two Ctrl-C are enough."""
    assert drive(sys.executable, BUSY_CLEANUP, pause=0) == (
        ["ready", CANCELLED, "asyncio.run raised KeyboardInterrupt"], 2, 0)
    assert "one that lands while the cleanup's own code runs is raised there, and ends it" in (
        faq_text())


# ---------------------------------------------------------------------------------------------
# F8: where asyncio hands back a bare exception.

def test_asyncio_wraps_a_single_error_only_in_a_task_group() -> None:
    """F8 (a): examples/faq/exceptiongroup_single.py and faq.md: ``TaskGroup`` raises an
    ``ExceptionGroup`` even for one error; ``gather``, awaiting a task, and each item of
    ``as_completed`` hand back the bare ``KeyError``."""

    async def fails() -> None:
        await asyncio.sleep(0)
        raise KeyError("missing")

    async def main() -> dict[str, type[BaseException]]:
        caught: dict[str, type[BaseException]] = {}
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(fails())
        except BaseException as exc:
            caught["TaskGroup"] = type(exc)
        try:
            await asyncio.gather(fails(), fails())
        except BaseException as exc:
            caught["gather"] = type(exc)
        task = asyncio.create_task(fails())
        try:
            await task
        except BaseException as exc:
            caught["await task"] = type(exc)
        for each in asyncio.as_completed([fails()]):
            try:
                await each
            except BaseException as exc:
                caught["as_completed"] = type(exc)
        return caught

    assert asyncio.run(main()) == {"TaskGroup": ExceptionGroup, "gather": KeyError,
                                   "await task": KeyError, "as_completed": KeyError}
    docstring = load_file(ROOT / "examples" / "faq" / "exceptiongroup_single.py",
                          "faq_rv7_exceptiongroup_single").__doc__
    assert docstring is not None and "only ``gather``" not in docstring


# ---------------------------------------------------------------------------------------------
# F9: what open_heartbeat hands back when a BaseException meets a background failure.

@pytest.mark.parametrize(("around", "expected"), [
    ("the caller raises KeyboardInterrupt", (BaseExceptionGroup, ["KeyboardInterrupt", "OSError"])),
    ("an enclosing timeout", (ExceptionGroup, ["OSError"])),
])
def test_a_background_failure_beside_a_baseexception_leaves_as_trios_group(
        monkeypatch: pytest.MonkeyPatch, around: str,
        expected: tuple[type[BaseException], list[str]]) -> None:
    """F9: the heartbeat fails at 1 s while the caller's body is in a shielded 2 s wait. The
    group then holds a BaseException beside the OSError (the caller's KeyboardInterrupt, or
    the ``Cancelled`` of an enclosing ``move_on_after(1.5)``), so ``open_heartbeat`` leaves it
    as Trio raised it: not ``HeartbeatError``. Under the timeout, ``move_on_after`` takes its
    ``Cancelled`` out, and a plain ``ExceptionGroup([OSError])``, with no ``__cause__``,
    escapes it: the timeout does not absorb the failure."""
    module = load_file(ROOT / "examples" / "faq" / "background_owner.py", "faq_rv7_owner")

    async def failing_beat(self: Any) -> None:
        await trio.sleep(1)
        raise OSError("the heartbeat's socket broke")

    monkeypatch.setattr(module.Heartbeat, "_run", failing_beat)

    async def body() -> None:
        async with module.open_heartbeat(1):
            with trio.CancelScope(shield=True):  # the failure cannot cancel this wait
                await trio.sleep(2)
            if around == "the caller raises KeyboardInterrupt":
                raise KeyboardInterrupt
            await trio.sleep(10)

    async def main() -> None:
        if around == "an enclosing timeout":
            with trio.move_on_after(1.5):
                await body()
        else:
            await body()

    with pytest.raises(BaseException) as caught:
        trio.run(main, clock=mock_clock())
    group = caught.value
    assert type(group) is expected[0]
    assert isinstance(group, BaseExceptionGroup)
    assert sorted(type(e).__name__ for e in group.exceptions) == expected[1]
    assert group.__cause__ is None
    assert "under an enclosing timeout the caller then gets an `ExceptionGroup`" in faq_text()


# ---------------------------------------------------------------------------------------------
# F10: the proxy variables and a client given its transport.

@pytest.mark.parametrize(("client", "proxied"), [
    ("httpx trust_env=True, no transport", True),
    ("httpx trust_env=True, transport=AsyncHTTPTransport()", False),
])
def test_http_proxy_is_ignored_by_an_httpx_client_given_its_transport(
        recorder: str, client: str, proxied: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """F10: faq.md's table, the environment row: ``HTTP_PROXY`` names the local server, and
    the request goes to it. The client that builds its own transport sends it as a proxy
    request (the whole URL in the request line); the client given ``transport=`` (as the
    FAQ's example is) goes direct (the path only), though its ``trust_env`` is ``True``."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", recorder)
    url = recorder + "page"

    async def main() -> None:
        transport = httpx.AsyncHTTPTransport() if "transport=" in client else None
        async with httpx.AsyncClient(transport=transport) as c:
            assert c.trust_env
            (await c.get(url)).raise_for_status()

    trio.run(main)
    assert Recorder.requestlines == [f"GET {url if proxied else '/page'} HTTP/1.1"]
    assert "a client given `transport=`, as in the example, ignores them" in faq_text()


# ---------------------------------------------------------------------------------------------
# F6: a test the page names without its file is in tests/test_faq.py (the page's line 5).

def test_every_test_faq_md_names_is_where_it_says() -> None:
    """F6: a name without a file (`test_x`) must be in tests/test_faq.py, which the page says
    runs every answer; a name with one (`tests/f.py::test_x`) must be in that file. Reviewers
    ran `pytest tests/test_faq.py::test_trio_event_has_no_clear` and got "not found"."""
    text = FAQ.read_text(encoding="utf-8")
    wrong = []
    for found in re.finditer(r"`(?:(tests/\w+\.py)::)?(test_\w+)", text):
        path = found.group(1) or "tests/test_faq.py"
        if not re.search(rf"^(async )?def {found.group(2)}\(",
                         (ROOT / path).read_text(encoding="utf-8"), re.M):
            wrong.append(f"{path}::{found.group(2)}")
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# The aiofiles example, run as the page says, leaves nothing in the reader's directory.

def test_the_aiofiles_example_run_as_a_script_writes_nothing_where_it_runs(
        tmp_path: Path) -> None:
    """faq.md line 4 says to run each example with ``python``: run so from the checkout, the
    aiofiles answer used to leave an untracked ``demo.tsv`` there. It now writes into a
    temporary directory, and prints what it read back, as its comment says."""
    done = subprocess.run([sys.executable, "-W", "error",
                           str(ROOT / "examples" / "faq" / "aiofiles_trio.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "['source_url\\tparsed_url', 'http://a\\thttp://b', 'http://a\\thttp://c']\n")
    assert list(tmp_path.iterdir()) == []
