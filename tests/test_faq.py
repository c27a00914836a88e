"""Every FAQ answer in examples/faq/ runs, on Trio's virtual clock, and says what the page says.

The graceful-shutdown answer gets a real SIGINT in a subprocess (bounded by a timeout); the
"both frameworks in one pytest run" answer is itself a pytest file, run in a subprocess so it
meets this project's own pytest configuration (``-W error`` included).
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.testing

from tests.conftest import load_file
from tests.signals import default_sigint, interrupt
from walkthrough.clocks import mock_clock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "faq"


def load(name: str) -> ModuleType:
    """Import ``examples/faq/<name>.py`` (the examples are scripts, not a package)."""
    return load_file(EXAMPLES / f"{name}.py", f"faq_{name}")


def run(fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    return trio.run(fn, *args, clock=mock_clock())


def test_return_values_come_back_in_call_order() -> None:
    assert run(load("return_values").main) == [9, 1, 4]


def test_as_completed_yields_in_completion_order() -> None:
    assert run(load("as_completed").main) == [1, 2, 3]


def test_race_returns_the_winner_and_cancels_the_loser() -> None:
    assert run(load("race").main) == ("fast", 1.0)


def test_cancel_one_task_through_its_handle() -> None:
    assert run(load("cancel_one").main) == ["tick", "tick", "tick", "ticker stopped"]


def test_call_later_and_periodic_timers() -> None:
    assert run(load("call_later").main) == [
        "periodic at 0",
        "one-shot fired",
        "periodic at 2",
        "periodic at 4",
    ]


def test_background_task_owned_by_an_object_stops_with_it() -> None:
    assert run(load("background_owner").main) == 3


@pytest.mark.parametrize("body", ["waits", "raises after the failure"])
def test_a_background_failure_arrives_as_the_librarys_error_from_the_group(
        monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """The fix unwraps only the caller's own error: a background failure is never hidden, and
    never handed back bare. It arrives as ``HeartbeatError`` raised from the nursery's group
    (Trio's ``raise MyError from group``), whether the caller's body was waiting or raised an
    error of its own (then that error is in the group too)."""
    module = load("background_owner")

    async def failing_beat(self: Any) -> None:
        await trio.sleep(1)
        raise OSError("the heartbeat's socket broke")

    monkeypatch.setattr(module.Heartbeat, "_run", failing_beat)

    async def main() -> None:
        async with module.open_heartbeat(1):
            if body == "waits":
                await trio.sleep(5)
            else:
                with trio.CancelScope(shield=True):  # the failure cannot cancel this wait
                    await trio.sleep(2)
                raise ValueError("the caller's own error")

    with pytest.raises(module.HeartbeatError) as caught:
        run(main)
    group = caught.value.__cause__
    assert isinstance(group, ExceptionGroup)
    expected = [OSError] if body == "waits" else [ValueError, OSError]
    assert sorted(type(e).__name__ for e in group.exceptions) == sorted(
        t.__name__ for t in expected)


def test_a_keyboardinterrupt_in_the_background_task_is_left_as_trio_raised_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not every group becomes ``HeartbeatError``: one that holds a BaseException that is not
    an Exception (here a KeyboardInterrupt landing in the background task) leaves unchanged,
    so that ``except* KeyboardInterrupt`` around ``trio.run`` still sees it."""
    module = load("background_owner")

    async def interrupted_beat(self: Any) -> None:
        await trio.sleep(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(module.Heartbeat, "_run", interrupted_beat)

    async def main() -> None:
        async with module.open_heartbeat(1):
            await trio.sleep(5)

    with pytest.raises(BaseExceptionGroup) as caught:
        run(main)
    assert not isinstance(caught.value, ExceptionGroup)
    assert [type(e) for e in caught.value.exceptions] == [KeyboardInterrupt]


@pytest.mark.parametrize("owner", ["faq/background_owner.py", "migration/services_trio.py"])
def test_an_outer_timeout_cancels_the_block_as_it_would_a_plain_async_with(owner: str) -> None:
    """The cancellation of an enclosing scope passes through the owner's nursery as a group of
    ``Cancelled``, which is neither the caller's error nor a failure: it is left alone, and the
    enclosing ``move_on_after`` catches it, as it would around a plain ``async with``."""
    module = load_file(ROOT / "examples" / owner, "faq_timeout_" + owner.split("/")[1][:-3])

    def make() -> Any:
        if owner.startswith("faq"):
            return module.open_heartbeat(1)
        log: list[str] = []
        return module.open_flusher(module.Store(log), 1.0, log)

    async def main() -> tuple[bool, float]:
        start = trio.current_time()
        with trio.move_on_after(2.5) as scope:
            async with make():
                await trio.sleep(10)
        return scope.cancelled_caught, trio.current_time() - start

    assert run(main) == (True, 2.5)


def test_limit_concurrency() -> None:
    assert run(load("limit_concurrency").main) == (3, 4.0)


def test_async_generator_with_a_nursery_through_as_safe_channel() -> None:
    assert run(load("asyncgen_nursery").main) == [20, 10, 0]


def test_a_single_error_arrives_in_a_group() -> None:
    assert run(load("exceptiongroup_single").main) == "caught 1 KeyError in a ExceptionGroup"


def test_event_clear_replaced_by_an_async_value() -> None:
    assert run(load("event_clear").main) == ["up at 1", "down at 2"]


def test_httpx_clients_share_the_work() -> None:
    assert run(load("httpx_client").main) == 40


def test_trio_files_instead_of_aiofiles(tmp_path: Path) -> None:
    path = tmp_path / "out.tsv"
    # No sleeps here, and worker-thread I/O does not mix with an autojump clock: plain trio.run.
    assert trio.run(load("aiofiles_trio").main, str(path)) == [
        "source_url\tparsed_url",
        "http://a\thttp://b",
        "http://a\thttp://c",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_graceful_shutdown_on_sigint() -> None:
    result = interrupt([str(EXAMPLES / "graceful_shutdown.py")],
                       ready=lambda line: line == "ready\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "got SIGINT, shutting down"
    assert set(lines[2:]) == {"w1 flushed and closed", "w2 flushed and closed"}
    assert "KeyboardInterrupt" not in result.stderr


def test_a_second_sigint_ends_a_hung_cleanup_at_once() -> None:
    """The cleanup hangs; a second Ctrl-C 30 ms after the first ends the program: exit 130,
    no traceback, and no KeyboardInterrupt re-raised as the signal receiver closes."""
    result = interrupt([str(EXAMPLES / "graceful_shutdown.py"), "--hang"],
                       ready=lambda line: line == "ready\n", again_after=0.03)
    assert result.returncode == 130, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "got SIGINT, shutting down", "got SIGINT again, stopping now"]
    assert result.stderr == ""


def test_a_hung_cleanup_is_cut_at_the_grace_deadline() -> None:
    """No second signal: the bounded shield ends a cleanup that hangs after GRACE seconds."""
    module = load("graceful_shutdown")

    async def press_ctrl_c_after_one_second(send: trio.MemorySendChannel[int]) -> None:
        await trio.sleep(1)
        await send.send(signal.SIGINT)

    async def main() -> tuple[int, float]:
        send, receive = trio.open_memory_channel[int](1)
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(press_ctrl_c_after_one_second, send)
            status = await module.run(receive, cleanup_takes=math.inf)
        return status, trio.current_time() - start

    assert run(main) == (130, 1 + module.GRACE)


def test_every_cleanup_finishes_within_the_grace_period() -> None:
    module = load("graceful_shutdown")

    async def main() -> int:
        send, receive = trio.open_memory_channel[int](1)
        await send.send(signal.SIGTERM)
        return int(await module.run(receive, cleanup_takes=1))

    assert run(main) == 0


def test_one_pytest_run_covers_both_frameworks() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "anyio",
            str(EXAMPLES / "both_frameworks_test.py"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_trio_mode_runs_the_anyio_tests_asyncio_case_on_trio() -> None:
    """With pytest-trio's ``trio_mode = true``, every ``async def`` test is marked as a Trio
    test, the AnyIO test's ``"asyncio"`` run too: it then runs on Trio and fails (the example
    asserts which library runs it). The project leaves ``trio_mode`` off."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "anyio",
         "-o", "trio_mode=true", str(EXAMPLES / "both_frameworks_test.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout, done.stdout
    assert "test_task_group_collects_both[asyncio]" in done.stdout
    assert "assert 'trio' == 'asyncio'" in done.stdout


# -- the figures the FAQ quotes are the benchmark page's ---------------------------------------

def _bench_rows(header: str) -> list[list[str]]:
    """The cells of each row of the table under ``header`` (its first line) in benchmarks.md."""
    lines = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _median(cell: str) -> str:
    """``1304 (1185-1401)``, with an en dash: ``1304``, the median before its range."""
    return cell.split(" (")[0]


def test_the_httpx_answer_quotes_the_benchmark_pages_figures() -> None:
    """The answer to "Is httpx slower than aiohttp?" quotes the crawler benchmark: a run of
    `python -m bench` rewrites that page, and the FAQ must follow (this fails until it does)."""
    runs = {(r[0], r[1]): r for r in _bench_rows(
        "| client | concurrency | pages/s | client CPU µs/page | server CPU (cores) | errors "
        "| links found |")}
    ratios = {(r[0], r[1], r[2]): _median(r[3]) for r in _bench_rows(
        "| Trio row | against | concurrency | × pages/s |")}

    def per_s(client: str, n: int) -> str:
        return f"{int(_median(runs[client, str(n)][2])):,}"

    def cpu(client: str, n: int) -> str:
        return f"{int(_median(runs[client, str(n)][3])):,}"

    expected = (
        f"on Trio fetched {ratios['httpx-default', 'aiohttp', '10']}× aiohttp's pages/s at 10 "
        f"concurrent fetches and {ratios['httpx-default', 'aiohttp', '50']}× at 50 "
        f"({per_s('httpx-default', 50)} pages/s against {per_s('aiohttp', 50)}), its CPU per "
        f"page growing from {cpu('httpx-default', 10)} to {cpu('httpx-default', 50)} µs while "
        f"aiohttp's stayed near {cpu('aiohttp', 50)}; over this repository's own transport "
        f"(below) it reached {ratios['httpx-httptools', 'aiohttp', '10']}× and "
        f"{ratios['httpx-httptools', 'aiohttp', '50']}×.")
    faq = " ".join((ROOT / "docs" / "faq.md").read_text(encoding="utf-8").split())
    assert expected in faq, expected


@pytest.mark.timeout(120)
def test_import_trio_alone_leaves_trio_testing_unloaded_and_pytest_trio_hides_it(
        tmp_path: Path) -> None:
    """faq.md (SR5): ``trio.testing.MockClock`` after ``import trio`` alone is an
    AttributeError in a script; under pytest with pytest-trio installed its plugin imports
    ``trio.testing`` (``from trio.testing import MockClock``), so the same test file passes,
    and fails again with the plugin turned off (``-p no:trio``). Run in a folder of its own,
    away from this project's conftest, which imports ``trio.testing`` itself."""
    script = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import trio; trio.testing"],
        capture_output=True, text=True, timeout=60)
    assert script.returncode == 1
    assert "AttributeError: module 'trio' has no attribute 'testing'" in script.stderr
    (tmp_path / "test_only_import_trio.py").write_text(
        "import trio\n\n\ndef test_clock():\n    assert trio.testing.MockClock\n",
        encoding="utf-8")
    outcomes = {}
    for plugin in ([], ["-p", "no:trio"]):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
             "-p", "no:randomly", *plugin, "test_only_import_trio.py"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path)
        outcomes[" ".join(plugin) or "with pytest-trio"] = done.returncode
    assert outcomes == {"with pytest-trio": 0, "-p no:trio": 1}
    assert "(after `import trio.testing`" in " ".join(
        (ROOT / "docs" / "faq.md").read_text(encoding="utf-8").split())


THIRD_CTRL_C = """
import asyncio

async def cleanup():
    try:
        await asyncio.sleep(100)
    except asyncio.CancelledError:
        print("worker cancelled; its cleanup swallows cancellations", flush=True)
        while True:
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                print("worker swallowed another cancel", flush=True)

async def main():
    task = asyncio.create_task(cleanup())
    await asyncio.sleep(0)
    print("ready", flush=True)
    await task

try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("asyncio.run raised KeyboardInterrupt", flush=True)
"""


@pytest.mark.timeout(60)
def test_asyncio_runs_closing_waits_for_a_task_that_swallows_cancellation_until_a_third_ctrl_c(
    tmp_path: Path,
) -> None:
    """faq.md rule 3 and divergences.md (RV50, RV64): asyncio's runner cancels main on the
    first Ctrl-C; on the second it raises KeyboardInterrupt, but closing first cancels the
    tasks left and waits for them, and a task that swallows that cancellation holds the
    program: only a third Ctrl-C ends it. Each SIGINT is sent once the line that shows the
    previous one was handled has arrived (the second, half a second later: it must land while
    the worker waits, not while its own code runs, where it would end the worker)."""
    seen = []
    errors = tmp_path / "stderr"
    # SIGINT at its default in the child: a run started in the background inherits it ignored
    with errors.open("w") as stderr, \
            subprocess.Popen([sys.executable, "-W", "error", "-c", THIRD_CTRL_C],
                             stdout=subprocess.PIPE, stderr=stderr, text=True,
                             preexec_fn=default_sigint) as proc:
        assert proc.stdout is not None
        # It hung once in a suite run (pytest-timeout, nothing seen): a child that waits on a
        # Ctrl-C that went astray is killed at 30 s, so the failure shows the lines it got.
        watchdog = threading.Timer(30, proc.kill)
        watchdog.start()
        try:
            for line in proc.stdout:
                seen.append(line.rstrip("\n"))
                if seen[-1] == "worker cancelled; its cleanup swallows cancellations":
                    # Let the worker reach its next wait: a second Ctrl-C that lands while its
                    # own code runs is raised there and ends it, and the program with it.
                    time.sleep(0.5)
                if seen[-1] in ("ready", "worker cancelled; its cleanup swallows cancellations",
                                "worker swallowed another cancel"):
                    proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)  # -9: the watchdog's
        finally:
            watchdog.cancel()
            proc.kill()
    assert (seen, code) == (["ready", "worker cancelled; its cleanup swallows cancellations",
                             "worker swallowed another cancel",
                             "asyncio.run raised KeyboardInterrupt"], 0), errors.read_text()


PENDING_AT_CLOSE = """
import signal, sys, trio

async def main():
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM):
        signal.raise_signal(getattr(signal, sys.argv[1]))  # caught by the receiver, never read
        await trio.sleep(0)
    print("the receiver closed", flush=True)

try:
    trio.run(main)
except* KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("signame", "returncode", "last"), [
    ("SIGINT", 0, "KeyboardInterrupt"),
    ("SIGTERM", -signal.SIGTERM, None),
])
def test_a_signal_still_pending_when_the_receiver_closes_is_raised_again(
        signame: str, returncode: int, last: str | None) -> None:
    """faq.md rule 3 (RV64, SR13): signals a receiver took and nobody read are raised again
    when it closes, under the handlers it puts back: a SIGINT becomes a KeyboardInterrupt
    (caught here by ``except*``), a SIGTERM gets its default action and kills the process.
    (A signal still on its way to the receiver when it closes, as under load, is raised again
    when it arrives: the line after the close may or may not be printed first.)"""
    done = subprocess.run([sys.executable, "-W", "error", "-c", PENDING_AT_CLOSE, signame],
                          capture_output=True, text=True, timeout=50, preexec_fn=default_sigint)
    lines = done.stdout.splitlines()
    assert done.returncode == returncode, done.stderr
    assert (lines[-1] if lines else None) in ((last,) if last else (None, "the receiver closed"))
