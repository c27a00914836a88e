"""The concept map's rows as an outside review corrected them (issue 26), each claim tested.

An outside reviewer read ``docs/concepts.md`` row by row and found sentences that were false,
half true, or shown by no test the row named: the ``max_value=n`` advice that breaks a plain
``asyncio.Semaphore``'s counting use, a worker-thread call that asyncio abandons on
cancellation and Trio waits for, ``gather(..., return_exceptions=True)``, a nursery's exit (a
schedule point, never a cancel point), ``Condition.wait_for``, ``wait_for``'s ``None`` and
``t <= 0``, the queue's ``_nowait`` calls, asyncio's legacy coroutine marker, the ``True`` that
asyncio's waits return, when ``fail_after`` checks its argument, a NaN delay, and the bridge's,
WebSocket's and pytest-trio's claims. Each test here asserts the corrected sentence on both
sides, so it fails if either library stops doing what the row says.

Timing claims run on the virtual clocks (:mod:`tests.virtual`); a real worker thread is
sequenced with ``threading.Event``, never a sleep. Checked against trio 0.35, trio-asyncio 0.16,
trio-websocket 0.12, pytest-trio 0.8 and CPython 3.11 to 3.13 (version-dependent facts are
asserted per ``sys.version_info``).
"""

from __future__ import annotations

import asyncio
import asyncio.coroutines
import collections
import inspect
import math
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.lowlevel
import trio.testing
import trio_util

from tests.test_claims_pages import python
from tests.virtual import run_asyncio, run_trio

# ---------------------------------------------------------------------------------------------
# asyncio.Semaphore(n): trio.Semaphore(n); BoundedSemaphore(n) is trio.Semaphore(n, max_value=n).


def test_a_plain_semaphore_may_be_released_past_its_start_max_value_makes_that_an_error(
) -> None:
    """The counting-signal pattern: ``Semaphore(0)`` released once per item by a producer,
    acquired once per item by a consumer. asyncio's plain Semaphore and ``trio.Semaphore(0)``
    allow it; ``max_value=0`` (the literal ``max_value=n``) raises at the first release, as
    ``asyncio.BoundedSemaphore`` does only past its start."""

    async def asyncio_side() -> bool:
        signal = asyncio.Semaphore(0)
        for _ in range(3):
            signal.release()  # one per item: above the initial value, no error
        for _ in range(3):
            assert await signal.acquire()
        bounded = asyncio.BoundedSemaphore(1)
        with pytest.raises(ValueError, match="released too many times"):
            bounded.release()
        return signal.locked()

    async def trio_side() -> int:
        signal = trio.Semaphore(0)
        for _ in range(3):
            signal.release()
        for _ in range(3):
            await signal.acquire()
        literal = trio.Semaphore(0, max_value=0)  # what "max_value=n" makes of Semaphore(0)
        with pytest.raises(ValueError, match="released too many times"):
            literal.release()
        bounded = trio.Semaphore(1, max_value=1)  # the port of BoundedSemaphore(1)
        with pytest.raises(ValueError, match="released too many times"):
            bounded.release()
        return signal.value

    assert run_asyncio(asyncio_side) is True
    assert run_trio(trio_side) == 0


# ---------------------------------------------------------------------------------------------
# run_in_executor / to_thread: asyncio's cancelled await returns at once, Trio waits.


class Blocker:
    """A blocking call for a worker thread: it says when it has started and ends when told."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self) -> str:
        self.started.set()
        assert self.release.wait(20)
        self.finished.set()
        return "done"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("call", ["asyncio.to_thread", "loop.run_in_executor"])
def test_a_cancelled_asyncio_thread_call_returns_at_once_and_leaves_the_thread_running(
        call: str) -> None:
    blocker = Blocker()

    async def main() -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(asyncio.to_thread(blocker) if call == "asyncio.to_thread"
                                     else loop.run_in_executor(None, blocker))
        try:
            assert await asyncio.to_thread(blocker.started.wait, 20)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return task.cancelled(), blocker.finished.is_set()
        finally:
            blocker.release.set()  # asyncio.run waits for the executor's threads at its end

    assert asyncio.run(main()) == (True, False)  # cancelled, the thread still running
    assert blocker.finished.is_set()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("abandon", [False, True])
def test_a_cancelled_trio_thread_call_waits_for_the_thread_unless_abandon_on_cancel(
        abandon: bool) -> None:
    blocker = Blocker()

    async def main() -> list[Any]:
        log: list[Any] = []
        scope = trio.CancelScope()

        async def caller() -> None:
            with scope:
                await trio.to_thread.run_sync(blocker, abandon_on_cancel=abandon)
            log.append(("returned; the thread had finished:", blocker.finished.is_set()))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(caller)
            assert await trio.to_thread.run_sync(blocker.started.wait, 20)
            scope.cancel()
            await trio.testing.wait_all_tasks_blocked()  # the caller has returned, or waits
            log.append("cancelled")
            blocker.release.set()
        return log

    try:
        log = trio.run(main)
    finally:
        blocker.release.set()
    if abandon:  # asyncio's timing: back at once, the thread runs on unseen
        assert log == [("returned; the thread had finished:", False), "cancelled"]
    else:  # the literal port: the cancelled call returns only when the thread ends
        assert log == ["cancelled", ("returned; the thread had finished:", True)]
    assert blocker.finished.wait(20)


# ---------------------------------------------------------------------------------------------
# gather(..., return_exceptions=True): each child catches Exception into its slot.


async def ok() -> str:
    if trio.lowlevel.in_trio_run():
        await trio.sleep(1)
    else:
        await asyncio.sleep(1)
    return "ok"


async def bad() -> str:
    raise ValueError("bad")


def test_gather_return_exceptions_keeps_every_result_a_nursery_port_catches_into_the_slot(
) -> None:
    async def asyncio_side() -> list[Any]:
        return await asyncio.gather(ok(), bad(), return_exceptions=True)

    async def literal_port() -> tuple[list[Any], BaseException | None]:
        results: list[Any] = [None, None]

        async def store(i: int, fn: Callable[[], Awaitable[str]]) -> None:
            results[i] = await fn()

        try:
            async with trio.open_nursery() as nursery:
                for i, fn in enumerate((ok, bad)):
                    nursery.start_soon(store, i, fn)
        except BaseException as exc:  # the group, for the assertion
            return results, exc
        return results, None

    async def catching_port() -> list[Any]:
        results: list[Any] = [None, None]

        async def store(i: int, fn: Callable[[], Awaitable[str]]) -> None:
            try:
                results[i] = await fn()
            except Exception as exc:  # what return_exceptions=True does
                results[i] = exc

        async with trio.open_nursery() as nursery:
            for i, fn in enumerate((ok, bad)):
                nursery.start_soon(store, i, fn)
        return results

    def shown(results: list[Any]) -> list[str]:
        return [repr(r) if isinstance(r, BaseException) else r for r in results]

    assert shown(run_asyncio(asyncio_side)) == ["ok", "ValueError('bad')"]
    results, group = run_trio(literal_port)
    assert isinstance(group, ExceptionGroup)
    assert [repr(e) for e in group.exceptions] == ["ValueError('bad')"]
    assert results == [None, None]  # "ok" was cancelled by the first error
    assert shown(run_trio(catching_port)) == ["ok", "ValueError('bad')"]


# ---------------------------------------------------------------------------------------------
# await asyncio.sleep(0): what is a checkpoint in Trio; a nursery's exit.


class Steps(trio.abc.Instrument):
    """Counts each task's steps: a schedule point ends one."""

    def __init__(self) -> None:
        self.count: collections.Counter[trio.lowlevel.Task] = collections.Counter()

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        self.count[task] += 1


def test_a_nursery_exit_is_a_schedule_point_and_never_raises_cancelled_itself() -> None:
    """Trio's ``open_nursery`` docstring: with no child running on exit "it will insert a
    schedule point (but no cancellation point)", so "a nursery is never the source of a
    cancellation exception, it only propagates it from sub-tasks"."""

    async def main() -> list[str]:
        me = trio.lowlevel.current_task()
        steps = Steps()
        trio.lowlevel.add_instrument(steps)
        log: list[str] = []

        async def schedule_points(block: Callable[[], Awaitable[object]]) -> int:
            before = steps.count[me]
            await block()
            return steps.count[me] - before

        async def empty_nursery() -> None:
            async with trio.open_nursery():
                pass

        assert await schedule_points(empty_nursery) == 1
        assert await schedule_points(trio.lowlevel.checkpoint) == 1
        # trio.lowlevel's deliberate exceptions: no schedule point when not cancelled...
        assert await schedule_points(trio.lowlevel.checkpoint_if_cancelled) == 0

        async def shielded_child() -> None:
            with trio.CancelScope(shield=True):
                await trio.sleep(1)
            log.append("the shielded child ended")

        with trio.CancelScope() as scope:
            scope.cancel()
            await trio.lowlevel.cancel_shielded_checkpoint()  # ...no cancel point when it is
            log.append("cancel_shielded_checkpoint returned")
            await empty_nursery()
            log.append("the empty nursery exited")
            async with trio.open_nursery() as nursery:
                nursery.start_soon(shielded_child)
            log.append("the nursery waited for its child and exited")
            await trio.lowlevel.checkpoint()
            log.append("never")
        assert scope.cancelled_caught

        with trio.CancelScope() as scope:  # a child's Cancelled is what reaches the parent
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.sleep, 1)
                scope.cancel()
            log.append("never")
        assert scope.cancelled_caught
        return log

    assert run_trio(main) == ["cancel_shielded_checkpoint returned", "the empty nursery exited",
                              "the shielded child ended",
                              "the nursery waited for its child and exited"]


# ---------------------------------------------------------------------------------------------
# asyncio.Condition: no wait_for on trio.Condition; it takes only a trio.Lock.


def test_trio_condition_has_no_wait_for_the_port_loops_on_wait() -> None:
    assert hasattr(asyncio.Condition, "wait_for") and not hasattr(trio.Condition, "wait_for")
    with pytest.raises(TypeError, match=r"must be a trio\.Lock"):
        trio.Condition(trio.StrictFIFOLock())
    trio.Condition(trio.Lock())

    async def asyncio_side() -> list[int]:
        cond, items = asyncio.Condition(), []

        async def producer() -> None:
            for i in range(3):
                await asyncio.sleep(1)
                async with cond:
                    items.append(i)
                    cond.notify_all()

        task = asyncio.create_task(producer())
        async with cond:
            assert await cond.wait_for(lambda: len(items) >= 2) is True
            seen = list(items)
        await task
        return seen

    async def trio_side() -> tuple[list[int], int]:
        cond, items = trio.Condition(), []
        value = trio_util.AsyncValue(0)

        async def producer() -> None:
            for i in range(3):
                await trio.sleep(1)
                async with cond:
                    items.append(i)
                    value.value = len(items)
                    cond.notify_all()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(producer)
            async with cond:
                while not len(items) >= 2:  # what asyncio's wait_for does
                    await cond.wait()
                seen = list(items)
        async with trio.open_nursery() as nursery:
            value.value = 0
            items.clear()
            nursery.start_soon(producer)
            await value.wait_value(lambda n: n >= 2)  # the same wait, said directly
            reached = value.value
        return seen, reached

    assert run_asyncio(asyncio_side) == [0, 1]
    assert run_trio(trio_side) == ([0, 1], 2)


# ---------------------------------------------------------------------------------------------
# asyncio.wait_for(aw, t): t=None, t <= 0.


async def started_flag(flag: list[str]) -> str:
    flag.append("started")
    return "result"


def test_wait_for_none_waits_without_limit_fail_after_none_refuses() -> None:
    async def asyncio_side() -> str:
        return await asyncio.wait_for(asyncio.sleep(10**6, result="after a long wait"), None)

    assert run_asyncio(asyncio_side) == "after a long wait"
    with pytest.raises(TypeError):
        trio.move_on_after(None)  # type: ignore[arg-type]

    async def trio_side() -> str:
        with pytest.raises(TypeError):
            with trio.fail_after(None):  # type: ignore[arg-type]  # noqa: ASYNC100
                raise AssertionError("the block never runs")
        with trio.fail_after(math.inf):
            await trio.sleep(10**6)
        return "after a long wait"

    assert run_trio(trio_side) == "after a long wait"


@pytest.mark.parametrize("t", [0, -1])
def test_wait_for_a_t_at_or_below_zero_times_out_at_once_fail_after_refuses_a_negative(
        t: float) -> None:
    """asyncio 3.11 to 3.13: the awaitable, wrapped in a task, is cancelled before it runs a
    line. Trio: ``fail_after(0)`` runs the block to its first checkpoint, a negative ``t`` is
    a ``ValueError``; ``max(t, 0)`` is the clamp."""
    flag: list[str] = []

    async def asyncio_side() -> None:
        await asyncio.wait_for(started_flag(flag), t)

    with pytest.raises(TimeoutError):
        run_asyncio(asyncio_side)
    assert flag == []

    async def trio_side() -> None:
        if t < 0:
            with pytest.raises(ValueError, match="must be non-negative"):
                with trio.fail_after(t):  # noqa: ASYNC100
                    raise AssertionError("the block never runs")
        with pytest.raises(trio.TooSlowError):
            with trio.fail_after(max(t, 0)):
                await started_flag(flag)  # no checkpoint in it: it runs
                await trio.lowlevel.checkpoint()
                flag.append("never")

    run_trio(trio_side)
    assert flag == ["started"]


# ---------------------------------------------------------------------------------------------
# asyncio.Queue: put_nowait/get_nowait, QueueFull/QueueEmpty, qsize/empty/full.


def test_the_nowait_calls_raise_wouldblock_for_both_queuefull_and_queueempty() -> None:
    q: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()
    q.put_nowait(1)
    with pytest.raises(asyncio.QueueFull):
        q.put_nowait(2)
    assert (q.qsize(), q.empty(), q.full()) == (1, False, True)

    assert not issubclass(trio.WouldBlock, (asyncio.QueueEmpty, asyncio.QueueFull))

    async def trio_side() -> None:
        send, receive = trio.open_memory_channel[int](1)
        with send, receive:
            with pytest.raises(trio.WouldBlock):
                receive.receive_nowait()
            send.send_nowait(1)
            with pytest.raises(trio.WouldBlock):
                send.send_nowait(2)
            for end in (send, receive):
                assert not any(hasattr(end, name) for name in ("qsize", "empty", "full"))
            stats = receive.statistics()
            assert (stats.current_buffer_used, stats.max_buffer_size) == (1, 1)
            with pytest.raises(trio.WouldBlock):  # an `except QueueEmpty` left in lets it by
                try:
                    send.send_nowait(3)
                except (asyncio.QueueEmpty, asyncio.QueueFull):
                    raise AssertionError("caught") from None
            assert receive.receive_nowait() == 1

    run_trio(trio_side)


# ---------------------------------------------------------------------------------------------
# iscoroutinefunction: asyncio's legacy _is_coroutine marker.


def asyncio_iscoroutinefunction(fn: object) -> bool:
    with warnings.catch_warnings():  # deprecated since 3.14
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.iscoroutinefunction(fn)


def test_a_sync_function_with_asyncios_legacy_marker_is_a_coroutine_function_to_asyncio_only(
) -> None:
    """The marker asgiref's ``markcoroutinefunction`` set before Python 3.12, and async class-based
    views set by hand: ``view._is_coroutine = asyncio.coroutines._is_coroutine``."""

    def view() -> Awaitable[None]:  # a sync callable that returns an awaitable; never called
        raise AssertionError

    view._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]
    assert asyncio_iscoroutinefunction(view) is True
    assert inspect.iscoroutinefunction(view) is False

    def marked() -> Awaitable[None]:
        raise AssertionError

    if sys.version_info >= (3, 12):
        inspect.markcoroutinefunction(marked)
        assert asyncio_iscoroutinefunction(marked) is inspect.iscoroutinefunction(marked) is True
    else:
        assert not hasattr(inspect, "markcoroutinefunction")


# ---------------------------------------------------------------------------------------------
# Event.wait(), Lock.acquire(), Semaphore.acquire(): True in asyncio, None in Trio.


def test_asyncios_waits_return_true_trios_return_none() -> None:
    async def asyncio_side() -> list[object]:
        event = asyncio.Event()
        event.set()
        return [await event.wait(), await asyncio.Lock().acquire(),
                await asyncio.Semaphore(1).acquire()]

    async def trio_side() -> list[object]:
        event = trio.Event()
        event.set()
        return [await event.wait(), await trio.Lock().acquire(),
                await trio.Semaphore(1).acquire()]

    assert run_asyncio(asyncio_side) == [True, True, True]
    assert run_trio(trio_side) == [None, None, None]


# ---------------------------------------------------------------------------------------------
# asyncio.timeout(t): fail_after checks its argument when the `with` is entered.


@pytest.mark.parametrize("t", [None, -1, math.nan])
def test_fail_after_checks_its_argument_at_the_with_move_on_after_at_the_call(t: Any) -> None:
    error = TypeError if t is None else ValueError
    manager = trio.fail_after(t)  # built ahead: no error yet
    with pytest.raises(error):
        manager.__enter__()
    with pytest.raises(error):
        trio.move_on_after(t)

    async def asyncio_side() -> str:
        async with asyncio.timeout(None):  # None: no deadline
            await asyncio.sleep(10**6)
        return "no deadline"

    assert run_asyncio(asyncio_side) == "no deadline"


# ---------------------------------------------------------------------------------------------
# asyncio.sleep(nan): a ValueError in Trio; asyncio sleeps for ever before 3.13.


def test_a_nan_sleep_is_valueerror_in_trio_and_from_313_in_asyncio_before_it_ends_anywhen(
) -> None:
    """Before 3.13 asyncio takes a NaN delay, and the sleep ends when its timer reaches the top
    of the loop's heap (NaN compares false with every time): at the loop's next pass when no
    other timer waits, or only after a later timer scheduled before it."""

    async def trio_side() -> None:
        with pytest.raises(ValueError, match="NaN"):
            await trio.sleep(math.nan)

    run_trio(trio_side)

    async def asyncio_side(other_timer_first: bool) -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        if other_timer_first:
            loop.call_later(3600, lambda: None)
        await asyncio.sleep(math.nan)
        return loop.time() - start

    for other_timer_first in (False, True):
        if sys.version_info >= (3, 13):
            with pytest.raises(ValueError, match="Invalid delay: NaN"):
                run_asyncio(asyncio_side, other_timer_first)
        else:
            assert run_asyncio(asyncio_side, other_timer_first) == (
                3600 if other_timer_first else 0)


# ---------------------------------------------------------------------------------------------
# trio-asyncio: asyncio's own CancelledError arrives bare; a Trio cancel arrives as Cancelled.


def test_an_asyncio_side_cancellation_reaches_trio_as_a_bare_asyncio_cancellederror() -> None:
    done = python("""
        import asyncio, trio, trio_asyncio
        from trio_asyncio import aio_as_trio

        async def cancelled_by_asyncio():
            task = asyncio.ensure_future(asyncio.sleep(10))
            await asyncio.sleep(0)
            task.cancel()
            await task

        async def main():
            async with trio_asyncio.open_loop():
                try:
                    await aio_as_trio(cancelled_by_asyncio)()
                except BaseException as e:
                    print(type(e).__module__, type(e).__name__, isinstance(e, trio.Cancelled),
                          isinstance(e, Exception))
                with trio.CancelScope() as scope:
                    scope.cancel()
                    try:
                        await aio_as_trio(asyncio.sleep)(10)
                    except BaseException as e:
                        print(type(e).__module__, type(e).__name__)
                        raise
                print("caught by the Trio scope:", scope.cancelled_caught)

        trio.run(main)
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["asyncio.exceptions CancelledError False False",
                                        "trio Cancelled", "caught by the Trio scope: True"]


# ---------------------------------------------------------------------------------------------
# trio-websocket: the socket left to the GC under `python -W error` and under pytest -W error.

WEBSOCKET_SERVER_CLOSES_FIRST = """
import trio, trio_websocket

async def handler(request):
    ws = await request.accept()
    await ws.send_message("hello")
    await ws.aclose()

async def server_closes_first():
    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            server = await nursery.start(trio_websocket.serve_websocket, handler,
                                         "127.0.0.1", 0, None)
            async with trio_websocket.open_websocket_url(
                    f"ws://127.0.0.1:{server.port}/") as ws:
                assert await ws.get_message() == "hello"
                try:
                    await ws.get_message()
                except trio_websocket.ConnectionClosed:
                    pass
            nursery.cancel_scope.cancel()
"""


@pytest.mark.timeout(120)
def test_the_websocket_left_to_the_gc_is_a_message_under_python_w_error_a_failure_in_pytest(
        tmp_path: Path) -> None:
    done = python(WEBSOCKET_SERVER_CLOSES_FIRST + textwrap.dedent("""
        import gc
        trio.run(server_closes_first)
        gc.collect()
        print("the program went on")
    """))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the program went on\n"
    assert "Exception ignored" in done.stderr
    assert "ResourceWarning: unclosed <socket.socket" in done.stderr

    (tmp_path / "test_ws.py").write_text(WEBSOCKET_SERVER_CLOSES_FIRST + textwrap.dedent("""
        def test_server_closes_first():
            trio.run(server_closes_first)
    """), encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-W", "error", "-p",
                          "no:cacheprovider", "test_ws.py"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=100)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "1 failed" in ran.stdout and "PytestUnraisableExceptionWarning" in ran.stdout
    assert "unclosed <socket.socket" in ran.stdout


# ---------------------------------------------------------------------------------------------
# pytest-trio's trio_mode runs even an @pytest.mark.asyncio test under trio.run.


@pytest.mark.timeout(120)
def test_trio_mode_runs_a_pytest_mark_asyncio_test_under_trio_run(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntrio_mode = true\nmarkers = asyncio\n",
                                         encoding="utf-8")
    (tmp_path / "test_asyncio_case.py").write_text(textwrap.dedent("""
        import asyncio, pytest

        @pytest.mark.asyncio
        async def test_sleep_zero():
            await asyncio.sleep(0)

        @pytest.mark.asyncio
        async def test_sleep_short():
            await asyncio.sleep(0.01)
    """), encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "test_asyncio_case.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=100)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "2 failed" in ran.stdout
    assert "FAILED test_asyncio_case.py::test_sleep_zero - TypeError" in ran.stdout
    assert "trio.run received unrecognized yield message" in ran.stdout
    assert "FAILED test_asyncio_case.py::test_sleep_short - RuntimeError" in ran.stdout
    assert "RuntimeError: no running event loop" in ran.stdout
