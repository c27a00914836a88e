"""Every sentence of the guide that says what a framework does is a test here.

The concept map (``docs/concepts.md``), the divergence chapter and the FAQ link each claim to
the test that shows it; ``test_every_concept_map_row_names_a_test_that_exists`` keeps those
links honest. Each test runs the smallest asyncio and Trio snippet that shows the stated
behaviour, on the virtual clocks where time matters (asyncio on
:class:`walkthrough.clocks.VirtualTimeLoop`, Trio on ``walkthrough.clocks.mock_clock()``, both
starting at a random reading), and on real sockets to 127.0.0.1 where a library's network
behaviour is the claim.

Checked against the versions the project installs (trio 0.35, httpx 0.28, aiohttp 3.14,
CPython 3.11+). Where a claim depends on a version, its test says which.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing

from tests.conftest import load_file
from tests.signals import default_sigint, interrupt
from tests.virtual import run_asyncio, run_trio

ROOT = Path(__file__).resolve().parent.parent


def python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter: no pytest-trio, no hypothesis, no plugins loaded.

    SIGINT at its default, whatever ours is: a suite started in the background by a script
    inherits it ignored, and a snippet's ``raise_signal(SIGINT)`` would then do nothing.
    """
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code, *args], capture_output=True, text=True,
        timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=default_sigint,
    )


# ---------------------------------------------------------------------------------------------
# The concept map's own check: every row names a test, and the test exists.

CONCEPTS = ROOT / "docs" / "concepts.md"
TEST_REF = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")


def concept_rows() -> list[str]:
    rows = []
    for line in CONCEPTS.read_text().splitlines():
        if not line.startswith("| ") or line.startswith("| asyncio |"):
            continue
        if re.fullmatch(r"\|[\s\-:|]+\|", line):
            continue
        rows.append(line)
    return rows


def test_every_concept_map_row_names_a_test_that_exists() -> None:
    rows = concept_rows()
    assert len(rows) >= 36  # the map as written; fewer means the table no longer parses
    for row in rows:
        refs = TEST_REF.findall(row)
        assert refs, f"concept-map row names no test: {row[:80]}"
        for path, name in refs:
            source = (ROOT / path).read_text()
            assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{path}::{name} missing"


def test_every_test_the_guide_names_exists() -> None:
    """The divergence chapter and the FAQ point at tests by name too."""
    tests = "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    for page in ("divergences.md", "faq.md", "concepts.md"):
        for name in set(re.findall(r"`(test_\w+)", (ROOT / "docs" / page).read_text())):
            name = name.split("[")[0]
            assert re.search(rf"def {name}\(", tests), f"docs/{page} names missing test {name}"


# ---------------------------------------------------------------------------------------------
# Tasks and results


def test_trio_run_takes_the_function_not_a_coroutine() -> None:
    async def main() -> int:
        return 1

    assert asyncio.run(main()) == 1
    assert trio.run(main) == 1
    coro = main()
    with pytest.raises(TypeError, match="expecting an async function"):
        trio.run(coro)  # type: ignore[arg-type]
    coro.close()


def test_trio_has_no_loop_object_to_get_or_set() -> None:
    for name in ("get_event_loop", "get_running_loop", "new_event_loop", "set_event_loop",
                 "set_event_loop_policy"):
        assert hasattr(asyncio, name) and not hasattr(trio, name)

    async def nested() -> None:
        trio.run(trio.sleep, 0)

    with pytest.raises(RuntimeError, match="inside a run"):
        run_trio(nested)


def test_sleep_a_negative_delay_returns_in_asyncio_and_raises_in_trio() -> None:
    """asyncio takes a delay <= 0 for sleep(0): one pass of the loop, so a task and a callback
    that were ready run before it returns (RV35: "returns at once" said too little)."""
    order: list[str] = []

    async def other() -> None:
        order.append("other task")

    async def main_asyncio() -> str:
        asyncio.get_running_loop().call_soon(order.append, "callback")
        task = asyncio.create_task(other())
        result = await asyncio.sleep(-1, result="returned")
        order.append(result)
        await task
        return result

    async def main_trio() -> None:
        await trio.sleep(-1)

    assert run_asyncio(main_asyncio) == "returned"
    assert order == ["callback", "other task", "returned"]
    with pytest.raises(ValueError, match="non-negative"):
        run_trio(main_trio)


def test_start_soon_returns_nothing_and_takes_no_keywords() -> None:
    async def child(x: int, *, y: int = 0) -> int:
        return x + y

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            assert nursery.start_soon(child, 1) is None  # type: ignore[func-returns-value]
            with pytest.raises(TypeError):
                nursery.start_soon(child, 1, y=2)  # type: ignore[call-arg]
            nursery.start_soon(partial(child, 1, y=2))

    run_trio(main)


def test_asyncio_wait_first_completed_leaves_the_pending_task_running() -> None:
    log: list[str] = []

    async def job(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        log.append(name)

    async def main() -> None:
        fast = asyncio.create_task(job("fast", 1))
        slow = asyncio.create_task(job("slow", 5))
        _done, pending = await asyncio.wait({fast, slow}, return_when=asyncio.FIRST_COMPLETED)
        assert pending == {slow} and not slow.cancelled()
        await slow  # nobody cancelled it: it runs to the end

    run_asyncio(main)
    assert log == ["fast", "slow"]


def test_as_completed_without_closing_the_original_send_never_ends() -> None:
    async def main() -> tuple[list[int], bool]:
        send, receive = trio.open_memory_channel[int](math.inf)
        got: list[int] = []
        with trio.move_on_after(60) as scope:
            async with trio.open_nursery() as nursery:
                for n in (1, 2):
                    nursery.start_soon(partial(_send_one, send.clone(), n))
                # forgot `await send.aclose()`: the loop below waits for a sender that never closes
                async for value in receive:
                    got.append(value)
        return sorted(got), scope.cancelled_caught

    assert run_trio(main) == ([1, 2], True)


async def _send_one(send: trio.MemorySendChannel[int], n: int) -> None:
    async with send:
        await trio.sleep(n)
        await send.send(n)


def test_a_trio_timeout_is_a_scope_around_a_block() -> None:
    """One deadline covers every await in the block, not one awaitable."""

    async def main() -> tuple[bool, float]:
        start = trio.current_time()
        with trio.move_on_after(3) as scope:
            await trio.sleep(2)
            await trio.sleep(2)  # cut short at t=3: the deadline is the block's
        return scope.cancelled_caught, trio.current_time() - start

    assert run_trio(main) == (True, 3.0)


def test_fail_after_none_raises_typeerror() -> None:
    async def main() -> None:
        with trio.fail_after(None):  # type: ignore[arg-type]  # noqa: ASYNC100
            pass

    async def main_asyncio() -> str:
        async with asyncio.timeout(None):  # asyncio: None means "no deadline"
            await asyncio.sleep(1)
        return "no timeout"

    with pytest.raises(TypeError):
        run_trio(main)
    assert run_asyncio(main_asyncio) == "no timeout"


def test_a_negative_delay_is_valueerror_in_trio_an_immediate_timeout_in_asyncio() -> None:
    async def main_trio() -> None:
        with trio.fail_after(-1):  # noqa: ASYNC100 (it raises before any await)
            pass

    async def main_asyncio() -> str:
        try:
            async with asyncio.timeout(-1):
                await asyncio.sleep(0)
        except TimeoutError:
            return "timed out at once"
        return "ran"

    with pytest.raises(ValueError, match="non-negative"):
        run_trio(main_trio)
    assert run_asyncio(main_asyncio) == "timed out at once"


def test_reschedule_becomes_setting_the_deadline() -> None:
    async def main_asyncio() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with asyncio.timeout(10) as cm:
                cm.reschedule(loop.time() + 2)
                await asyncio.sleep(5)
        except TimeoutError:
            pass
        return loop.time() - start

    async def main_trio() -> float:
        start = trio.current_time()
        with trio.move_on_after(10) as scope:
            scope.deadline = trio.current_time() + 2
            await trio.sleep(5)
        return trio.current_time() - start

    assert run_asyncio(main_asyncio) == run_trio(main_trio) == 2.0


# TaskGroup vs nursery


def test_taskgroup_reraises_keyboardinterrupt_bare_a_nursery_wraps_it() -> None:
    async def main_asyncio() -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            raise KeyboardInterrupt

    async def main_trio() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep, 10)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # bare
        run_asyncio(main_asyncio)
    with pytest.raises(BaseExceptionGroup) as caught:
        run_trio(main_trio)
    assert caught.group_contains(KeyboardInterrupt)  # type: ignore[attr-defined]


def test_taskgroup_reraises_systemexit_bare_a_nursery_wraps_it() -> None:
    async def main_asyncio() -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            raise SystemExit(3)

    async def main_trio() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep, 10)
            raise SystemExit(3)

    with pytest.raises(SystemExit):
        run_asyncio(main_asyncio)
    with pytest.raises(BaseExceptionGroup) as caught:
        run_trio(main_trio)
    assert caught.group_contains(SystemExit)  # type: ignore[attr-defined]


def test_taskgroup_has_no_cancel_before_315_and_no_start() -> None:
    """``TaskGroup.cancel()`` arrives in Python 3.15; ``start()`` (wait until ready) never has."""
    assert hasattr(asyncio.TaskGroup, "cancel") == (sys.version_info >= (3, 15))
    assert not hasattr(asyncio.TaskGroup, "start")
    assert hasattr(trio.Nursery, "start")


def test_taskgroup_refuses_new_tasks_while_shutting_down_a_nursery_accepts_them() -> None:
    async def bad() -> None:
        raise ValueError

    async def main_asyncio() -> str:
        refused = ""
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(bad())
                try:
                    await asyncio.sleep(1)
                except asyncio.CancelledError:
                    coro = asyncio.sleep(1)
                    try:
                        tg.create_task(coro)
                    except RuntimeError as exc:
                        refused = str(exc)
                        coro.close()
                    raise
        except* ValueError:
            pass
        return refused

    async def main_trio() -> str:
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(bad)
                try:
                    await trio.sleep(1)
                except trio.Cancelled:
                    nursery.start_soon(trio.sleep, 1)  # accepted: it starts already cancelled
                    raise
        except* ValueError:
            pass
        return "accepted"

    assert "is shutting down" in run_asyncio(main_asyncio)
    assert run_trio(main_trio) == "accepted"


def test_a_nursery_in_a_context_manager_wraps_the_callers_exception() -> None:
    """The trap the background-owner FAQ warns about, and its fix (the FAQ's example)."""

    @asynccontextmanager
    async def naive() -> AsyncIterator[None]:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep_forever)
            yield
            nursery.cancel_scope.cancel()

    async def main(cm: Callable[[], Any]) -> None:
        async with cm():
            raise ValueError("the caller's own error")

    with pytest.raises(ExceptionGroup) as caught:
        run_trio(main, naive)
    assert caught.group_contains(ValueError)  # type: ignore[attr-defined]

    fixed = load_file(ROOT / "examples" / "faq" / "background_owner.py", "faq_background_owner")
    with pytest.raises(ValueError, match="the caller's own error"):
        run_trio(main, partial(fixed.open_heartbeat, 1))


def test_strict_groups_cannot_be_turned_off_quietly_and_except_star_forbids_return() -> None:
    """Nurseries are strict since Trio 0.25; the escape hatch warns (it is deprecated)."""

    async def main() -> None:
        pass

    with pytest.warns(trio.TrioDeprecationWarning):
        trio.run(main, strict_exception_groups=False)
    with pytest.raises(SyntaxError):
        compile("def f():\n    try:\n        pass\n    except* ValueError:\n        return 1\n",
                "<except-star>", "exec")
    # groups.md (RV65, SR12): break and continue that would leave the block are refused too,
    # but a loop inside the block may use them, and a def inside it may return
    handler = "for i in range(3):\n    try:\n        pass\n    except* ValueError:\n{}\n"
    for leaves in ("        break", "        continue"):
        with pytest.raises(SyntaxError, match="cannot appear in an except\\* block"):
            compile(handler.format(leaves), "<except-star>", "exec")
    for stays in ("        for j in range(2):\n            break",
                  "        while True:\n            break",
                  "        for j in range(2):\n            continue",
                  "        def g():\n            return 1"):
        compile(handler.format(stays), "<except-star>", "exec")


def test_aiofiles_does_not_run_under_trio(tmp_path: Path) -> None:
    import aiofiles

    async def main() -> None:
        async with aiofiles.open(tmp_path / "x.txt", "w") as f:
            await f.write("hello")

    with pytest.raises(RuntimeError, match="no running event loop"):
        trio.run(main)


# Cancellation


def test_a_bounded_shield_lets_cleanup_await_but_not_forever() -> None:
    async def worker(log: list[str], cleanup_takes: float) -> None:
        try:
            await trio.sleep_forever()
        finally:
            with trio.move_on_after(2, shield=True) as cleanup:
                await trio.sleep(cleanup_takes)
                log.append("cleanup finished")
            if cleanup.cancelled_caught:
                log.append("cleanup gave up")

    async def main(cleanup_takes: float) -> tuple[list[str], float]:
        log: list[str] = []
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker, log, cleanup_takes)
            await trio.sleep(1)
            nursery.cancel_scope.cancel()
        return log, trio.current_time() - start

    assert run_trio(main, 1) == (["cleanup finished"], 2.0)  # awaits despite the cancellation
    assert run_trio(main, math.inf) == (["cleanup gave up"], 3.0)  # a hang is cut at 2 s


def test_asyncio_shield_protects_the_inner_task_not_the_awaiting_one() -> None:
    async def main_asyncio() -> list[str]:
        log: list[str] = []

        async def inner() -> None:
            await asyncio.sleep(2)
            log.append("inner finished")

        inner_task = asyncio.create_task(inner())

        async def awaiting() -> None:
            await asyncio.shield(inner_task)

        outer = asyncio.create_task(awaiting())
        await asyncio.sleep(1)
        outer.cancel()
        try:
            await outer
        except asyncio.CancelledError:
            log.append("outer await cancelled")  # the awaiting side is cancelled at once...
        await inner_task  # ...while the inner task runs on
        return log

    async def main_trio() -> list[str]:
        log: list[str] = []
        with trio.CancelScope() as outer:
            outer.cancel()
            with trio.CancelScope(shield=True):  # the whole block is protected
                await trio.sleep(2)
                log.append("shielded block finished")
            await trio.lowlevel.checkpoint()
            log.append("not reached")
        return log

    assert run_asyncio(main_asyncio) == ["outer await cancelled", "inner finished"]
    assert run_trio(main_trio) == ["shielded block finished"]


def test_both_cancellations_are_baseexceptions_only_asyncios_can_be_raised_by_hand() -> None:
    """asyncio.CancelledError has been a BaseException since 3.8; trio.Cancelled has no
    public constructor, so user code cannot fake a cancellation."""
    assert issubclass(asyncio.CancelledError, BaseException)
    assert not issubclass(asyncio.CancelledError, Exception)
    assert not issubclass(trio.Cancelled, Exception)
    assert isinstance(asyncio.CancelledError(), BaseException)
    with pytest.raises(TypeError, match="no public constructor"):
        trio.Cancelled()


def test_a_parkinglot_batch_runs_forward_or_reversed_when_hypothesis_is_absent() -> None:
    """Trio's default scheduler reverses each batch of woken tasks half the time.

    In a fresh interpreter: with hypothesis imported (as in this pytest run), Trio's hypothesis
    plugin switches the scheduler to a shuffle (seeded only inside a ``@given`` test), which is
    not what users run. The tasks wait on a ParkingLot, which wakes them first-in first-out, so
    that the batch's order is known (``trio.Event`` keeps its waiters in a set, and wakes them
    in no stated order).
    """
    code = """
import trio
async def main():
    order = []
    lot = trio.lowlevel.ParkingLot()
    async def waiter(name):
        await lot.park()
        order.append(name)
    async with trio.open_nursery() as nursery:
        for name in "ABCDE":
            nursery.start_soon(waiter, name)
        while lot.statistics().tasks_waiting < 5:  # not a sleep: a loaded machine may run
            await trio.lowlevel.checkpoint()         # this task before the waiters park
        lot.unpark_all()
    return "".join(order)
print(sorted({trio.run(main) for _ in range(60)}))
"""
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ABCDE', 'EDCBA']"


def test_time_is_read_from_the_framework_inside_the_run() -> None:
    with pytest.raises(RuntimeError):
        trio.current_time()

    async def main() -> float:
        start = trio.current_time()
        await trio.sleep(3600)
        return trio.current_time() - start

    assert run_trio(main) == 3600.0  # a virtual clock: an hour in no time


def test_contextvars_are_copied_at_spawn_and_do_not_leak_back() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def child_asyncio(seen: list[str]) -> None:
        seen.append(var.get())
        var.set("set by child")

    async def main_asyncio() -> list[str]:
        seen: list[str] = []
        var.set("parent")
        await asyncio.create_task(child_asyncio(seen))
        return [*seen, var.get()]

    async def child_trio(seen: list[str]) -> None:
        seen.append(var.get())
        var.set("set by child")

    async def main_trio() -> list[str]:
        seen: list[str] = []
        var.set("parent")
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child_trio, seen)
        return [*seen, var.get()]

    assert run_asyncio(main_asyncio) == run_trio(main_trio) == ["parent", "parent"]


# ---------------------------------------------------------------------------------------------
# Communication and synchronisation


def test_queue_maxsize_zero_or_negative_is_unbounded_channel_zero_is_a_rendezvous() -> None:
    async def main_asyncio() -> list[bool]:
        return [asyncio.Queue(maxsize=n).full() for n in (0, -1)]

    async def main_trio() -> tuple[bool, float]:
        send, _receive = trio.open_memory_channel[int](0)
        with trio.move_on_after(5) as scope:
            await send.send(1)  # nobody receives: a size-0 channel waits for a receiver
        return scope.cancelled_caught, send.statistics().max_buffer_size

    async def fill_asyncio() -> int:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=0)
        for n in range(10_000):
            queue.put_nowait(n)
        return queue.qsize()

    assert run_asyncio(main_asyncio) == [False, False]
    assert run_asyncio(fill_asyncio) == 10_000
    assert run_trio(main_trio) == (True, 0)


def test_an_unbounded_channel_never_pushes_back() -> None:
    """Why Trio's docs warn about math.inf: a fast producer is never slowed down."""

    async def main() -> int:
        send, _receive = trio.open_memory_channel[int](math.inf)
        for n in range(100_000):
            send.send_nowait(n)  # never raises WouldBlock: memory is the only limit
        return send.statistics().current_buffer_used

    assert run_trio(main) == 100_000


def test_channel_errors_endofchannel_brokenresource_closedresource() -> None:
    async def main() -> list[str]:
        seen: list[str] = []
        send, receive = trio.open_memory_channel[int](1)
        await send.aclose()
        try:
            await receive.receive()  # every send side closed, buffer empty
        except trio.EndOfChannel:
            seen.append("receive: EndOfChannel")
        send2, receive2 = trio.open_memory_channel[int](1)
        await receive2.aclose()
        try:
            await send2.send(1)  # every receive side closed: nobody will ever read it
        except trio.BrokenResourceError:
            seen.append("send: BrokenResourceError")
        try:
            await receive2.receive()  # using an end you closed yourself
        except trio.ClosedResourceError:
            seen.append("own closed end: ClosedResourceError")
        return seen

    assert run_trio(main) == [
        "receive: EndOfChannel", "send: BrokenResourceError",
        "own closed end: ClosedResourceError"]


def test_queue_shutdown_arrives_in_python_313() -> None:
    assert hasattr(asyncio.Queue, "shutdown") == (sys.version_info >= (3, 13))


def test_capacitylimiter_is_owned_by_a_task() -> None:
    async def main() -> list[str]:
        seen: list[str] = []
        limiter = trio.CapacityLimiter(2)
        await limiter.acquire()
        try:
            await limiter.acquire()  # the same task again
        except RuntimeError:
            seen.append("second acquire by the same task: RuntimeError")

        async def release_elsewhere() -> None:
            try:
                limiter.release()
            except RuntimeError:
                seen.append("release from another task: RuntimeError")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(release_elsewhere)
        limiter.release()
        return seen

    assert run_trio(main) == [
        "second acquire by the same task: RuntimeError",
        "release from another task: RuntimeError"]


def test_acquire_in_the_parent_release_in_the_child() -> None:
    """asyncio's Semaphore pattern works with trio.Semaphore, or acquire_on_behalf_of."""

    async def main_asyncio() -> int:
        sem = asyncio.Semaphore(3)
        peak = running = 0

        async def job() -> None:
            nonlocal peak, running
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(1)
            running -= 1
            sem.release()

        tasks = []
        for _ in range(10):
            await sem.acquire()  # in the parent
            tasks.append(asyncio.create_task(job()))
        await asyncio.gather(*tasks)
        return peak

    async def main_semaphore() -> int:
        sem = trio.Semaphore(3, max_value=3)  # max_value: a stray extra release raises
        peak = running = 0

        async def job() -> None:
            nonlocal peak, running
            running += 1
            peak = max(peak, running)
            await trio.sleep(1)
            running -= 1
            sem.release()

        async with trio.open_nursery() as nursery:
            for _ in range(10):
                await sem.acquire()
                nursery.start_soon(job)
        with pytest.raises(ValueError):
            sem.release()
        return peak

    async def main_on_behalf() -> int:
        limiter = trio.CapacityLimiter(3)
        peak = running = 0

        async def job(token: object) -> None:
            nonlocal peak, running
            running += 1
            peak = max(peak, running)
            await trio.sleep(1)
            running -= 1
            limiter.release_on_behalf_of(token)

        async with trio.open_nursery() as nursery:
            for _ in range(10):
                token = object()
                await limiter.acquire_on_behalf_of(token)
                nursery.start_soon(job, token)
        return peak

    assert run_asyncio(main_asyncio) == run_trio(main_semaphore) == run_trio(main_on_behalf) == 3


def test_trio_event_has_no_clear() -> None:
    assert hasattr(asyncio.Event, "clear")
    assert not hasattr(trio.Event, "clear")


def test_a_second_acquire_by_the_owner_raises_in_trio_and_deadlocks_in_asyncio() -> None:
    async def main_asyncio() -> str:
        lock = asyncio.Lock()
        await lock.acquire()
        try:
            async with asyncio.timeout(60):
                await lock.acquire()
        except TimeoutError:
            return "waited forever (cut at 60 s)"
        return "acquired"

    async def main_trio() -> str:
        lock = trio.Lock()
        await lock.acquire()
        try:
            await lock.acquire()
        except RuntimeError as exc:
            return str(exc)
        return "acquired"

    assert run_asyncio(main_asyncio) == "waited forever (cut at 60 s)"
    assert run_trio(main_trio) == "attempt to re-acquire an already held Lock"


def test_trio_lock_release_from_another_task_raises() -> None:
    async def main() -> str:
        lock = trio.Lock()
        await lock.acquire()
        result = ""

        async def other() -> None:
            nonlocal result
            try:
                lock.release()
            except RuntimeError:
                result = "RuntimeError"

        async with trio.open_nursery() as nursery:
            nursery.start_soon(other)
        lock.release()
        return result

    assert run_trio(main) == "RuntimeError"


def test_condition_notify_wakes_in_fifo_order() -> None:
    async def main_trio() -> list[int]:
        cond = trio.Condition()
        woke: list[int] = []

        async def waiter(n: int) -> None:
            async with cond:
                await cond.wait()
                woke.append(n)

        async with trio.open_nursery() as nursery:
            for n in range(4):
                nursery.start_soon(waiter, n)
                await trio.sleep(1)  # so the waiting order is known
            for _ in range(4):
                async with cond:
                    cond.notify()
                await trio.sleep(1)
        return woke

    async def main_asyncio() -> list[int]:
        cond = asyncio.Condition()
        woke: list[int] = []

        async def waiter(n: int) -> None:
            async with cond:
                await cond.wait()
                woke.append(n)

        tasks = []
        for n in range(4):
            tasks.append(asyncio.create_task(waiter(n)))
            await asyncio.sleep(1)
        for _ in range(4):
            async with cond:
                cond.notify()
            await asyncio.sleep(1)
        await asyncio.gather(*tasks)
        return woke

    assert run_trio(main_trio) == run_asyncio(main_asyncio) == [0, 1, 2, 3]


# ---------------------------------------------------------------------------------------------
# The outside world


def test_trio_to_thread_run_sync_takes_no_keyword_arguments() -> None:
    def add(x: int, *, y: int) -> int:
        return x + y

    async def main() -> int:
        with pytest.raises(TypeError):
            await trio.to_thread.run_sync(add, 1, y=2)  # type: ignore[call-arg, arg-type]
        return await trio.to_thread.run_sync(partial(add, 1, y=2))

    assert trio.run(main) == 3


def test_run_in_executor_does_not_carry_contextvars_to_thread_and_trio_do() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")

    async def main_asyncio() -> tuple[str, str]:
        var.set("r-1")
        loop = asyncio.get_running_loop()
        in_executor = await loop.run_in_executor(None, var.get)
        in_to_thread = await asyncio.to_thread(var.get)
        return in_executor, in_to_thread

    async def main_trio() -> str:
        var.set("r-1")
        return await trio.to_thread.run_sync(var.get)

    assert asyncio.run(main_asyncio()) == ("unset", "r-1")
    assert trio.run(main_trio) == "r-1"


def test_threads_are_limited_by_a_capacitylimiter_of_40_and_cancellable_was_renamed() -> None:
    import inspect

    async def main() -> float:
        return trio.to_thread.current_default_thread_limiter().total_tokens

    assert trio.run(main) == 40
    params = inspect.signature(trio.to_thread.run_sync).parameters
    assert "limiter" in params and "abandon_on_cancel" in params
    assert "cancellable" not in params  # renamed abandon_on_cancel (trio 0.23), since removed


@pytest.mark.parametrize("abandon", [False, True])
def test_cancelling_to_thread_waits_for_the_thread_unless_abandon_on_cancel(abandon: bool) -> None:
    """A cancelled ``trio.to_thread.run_sync`` leaves its scope only once the thread returns;
    with ``abandon_on_cancel=True``, at once, and the thread runs on unwatched (its result is
    dropped). The canceller lets the thread go only once every task is blocked: with the
    thread still owed, the cancelled task is among them, waiting."""
    order: list[str] = []

    async def main() -> None:
        started, release = threading.Event(), threading.Event()

        def work() -> None:
            started.set()
            release.wait(10)

        async def canceller(scope: trio.CancelScope) -> None:
            await trio.to_thread.run_sync(started.wait, 10)
            scope.cancel()
            await trio.testing.wait_all_tasks_blocked()
            order.append("thread let go")
            release.set()

        async with trio.open_nursery() as nursery:
            with trio.CancelScope() as scope:
                nursery.start_soon(canceller, scope)
                await trio.to_thread.run_sync(work, abandon_on_cancel=abandon)
            order.append("scope left")

    trio.run(main)
    assert order == (["scope left", "thread let go"] if abandon
                     else ["thread let go", "scope left"])


def test_a_custom_limiter_plays_the_part_of_a_custom_executor() -> None:
    async def main() -> int:
        limiter = trio.CapacityLimiter(2)  # like ThreadPoolExecutor(max_workers=2)
        peak = running = 0
        lock = threading.Lock()
        release = threading.Event()

        def blocking() -> None:
            nonlocal peak, running
            with lock:
                running += 1
                peak = max(peak, running)
            release.wait(5)
            with lock:
                running -= 1

        async with trio.open_nursery() as nursery:
            for _ in range(5):
                nursery.start_soon(partial(trio.to_thread.run_sync, blocking, limiter=limiter))
            await trio.sleep(0.05)
            release.set()
        return peak

    assert trio.run(main) <= 2


KI_CODE = """
import sys, time, trio
async def main():
    print("ready", flush=True)
    end = time.monotonic() + 3
    while time.monotonic() < end:   # a loop that never awaits
        pass
    print("loop finished", flush=True)
    await trio.lowlevel.checkpoint()
    print("after the checkpoint", flush=True)
try:
    trio.run(main, restrict_keyboard_interrupt_to_checkpoints=sys.argv[1] == "restrict")
except KeyboardInterrupt:
    print("KeyboardInterrupt, bare", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_trio_raises_keyboardinterrupt_at_once_by_default() -> None:
    result = interrupt(["-c", KI_CODE, "default"], ready=lambda line: line == "ready\n")
    assert result.stdout.splitlines() == ["ready", "KeyboardInterrupt, bare"], result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_restrict_keyboard_interrupt_to_checkpoints_waits_for_one() -> None:
    result = interrupt(["-c", KI_CODE, "restrict"], ready=lambda line: line == "ready\n")
    assert result.stdout.splitlines() == [
        "ready", "loop finished", "KeyboardInterrupt, bare"], result.stderr


ASYNCIO_KI = """
import asyncio
async def main():
    print("ready", flush=True)
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        print("main task cancelled", flush=True)
        await asyncio.sleep(30)   # a cleanup that hangs
try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("KeyboardInterrupt, bare", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_asyncio_run_cancels_main_on_the_first_ctrl_c_and_raises_on_the_second() -> None:
    result = interrupt(["-c", ASYNCIO_KI], ready=lambda line: line == "ready\n",
                       again_on=lambda line: line == "main task cancelled\n")
    assert result.stdout.splitlines() == [
        "ready", "main task cancelled", "KeyboardInterrupt, bare"], result.stderr


KI_SHAPES = """
import signal, trio
async def in_main_task():
    signal.raise_signal(signal.SIGINT)
    await trio.sleep(1)
async def in_nursery():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(trio.sleep, 10)
        signal.raise_signal(signal.SIGINT)
        await trio.sleep(1)
for fn in (in_main_task, in_nursery):
    try:
        trio.run(fn)
    except KeyboardInterrupt:
        print(fn.__name__, "bare")
    except BaseExceptionGroup:
        print(fn.__name__, "in a group")
    try:
        trio.run(fn)
    except* KeyboardInterrupt:
        print(fn.__name__, "caught by except*")
"""


def test_keyboardinterrupt_leaves_trio_run_bare_or_in_a_group_except_star_catches_both() -> None:
    done = python(KI_SHAPES)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "in_main_task bare", "in_main_task caught by except*",
        "in_nursery in a group", "in_nursery caught by except*"]


def test_run_process_checks_by_default() -> None:
    async def main() -> int:
        with pytest.raises(subprocess.CalledProcessError):
            await trio.run_process([sys.executable, "-c", "raise SystemExit(3)"])
        done = await trio.run_process([sys.executable, "-c", "raise SystemExit(3)"], check=False)
        return done.returncode

    assert trio.run(main) == 3
    assert not hasattr(trio, "open_process")
    assert hasattr(trio.lowlevel, "open_process")


RUN_PROCESS_CANCELLED = """
import sys, time, trio

CHILD = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(6)")

async def main():
    start = time.monotonic()
    proc = None
    try:
        with trio.move_on_after(0.5):
            async with trio.open_nursery() as nursery:
                proc = await nursery.start(trio.run_process, [sys.executable, "-c", CHILD])
        print("the with returned")
    except BaseException as e:
        leaves = []
        todo = [e]
        while todo:
            x = todo.pop()
            if isinstance(x, BaseExceptionGroup):
                todo.extend(x.exceptions)
            else:
                leaves.append(type(x).__name__)
        print("raised", type(e).__name__, "of", *leaves)
    print("child", proc.returncode, "after", int(time.monotonic() - start))

trio.run(main)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("warnings", "lines"), [
    ("default", ["the with returned", "child -9 after 5"]),
    ("error", ["raised ExceptionGroup of RuntimeWarning", "child 0 after 6"]),
])
def test_a_cancelled_run_process_terminates_then_kills_unless_warnings_are_errors(
        warnings: str, lines: list[str]) -> None:
    """The concept map's run_process row (RV61): cancelled, it sends SIGTERM; a child that
    ignores it is killed (SIGKILL, with a RuntimeWarning) 5 s later, and the cancelling scope
    returns. Under ``-W error`` the warning is raised instead: no SIGKILL, run_process waits
    for the child to exit on its own (6 s here), then the RuntimeWarning leaves in an
    ExceptionGroup that the cancelling scope does not catch. Real time on purpose: the 5 s is
    Trio's own, in a child process."""
    done = subprocess.run([sys.executable, "-W", warnings, "-c", RUN_PROCESS_CANCELLED],
                          capture_output=True, text=True, timeout=50)
    assert done.stdout.splitlines() == lines, done.stderr


def test_a_trio_stream_is_one_object_with_send_all_and_receive_some() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def echo_once() -> None:
            conn, _ = server.accept()
            with conn:
                conn.sendall(conn.recv(100).upper())

        thread = threading.Thread(target=echo_once, daemon=True)
        thread.start()

        async def main() -> bytes:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            async with stream:
                await stream.send_all(b"hello")
                return await stream.receive_some(100)

        assert trio.run(main) == b"HELLO"
        thread.join(5)


# httpx vs aiohttp defaults, against a real local server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else keep-alive stalls ~40 ms a request
    seen: ClassVar[list[str]] = []
    cookies: ClassVar[list[str | None]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).seen.append(self.requestline)
        type(self).cookies.append(self.headers.get("Cookie"))
        if self.path == "/cookie":
            self._send(200, b"ok", {"Set-Cookie": "a=b; Path=/"})
        elif self.path.startswith("/loop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"/loop/{n + 1}"})
        elif self.path == "/bogus-charset":
            self._send(200, "café".encode(), {"Content-Type": "text/plain; charset=no-such"})
        else:
            self._send(200, b"ok", {"Content-Type": "text/plain"})

    def do_HEAD(self) -> None:
        """The redirect loop only (a 302 has no body, so GET's answer is HEAD's)."""
        assert self.path.startswith("/loop/"), self.path
        self.do_GET()


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 in a thread, for the block: its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen = []
    _Handler.cookies = []
    with serving(_Handler) as url:
        yield url


def test_default_timeouts_httpx_5s_aiohttp_300s_total_30s_connect() -> None:
    async def main() -> aiohttp.ClientTimeout:
        async with aiohttp.ClientSession() as session:
            return session.timeout

    assert httpx.AsyncClient().timeout == httpx.Timeout(5.0)
    assert asyncio.run(main()) == aiohttp.ClientTimeout(total=300, sock_connect=30)


def test_redirects_httpx_follows_none_by_default_then_20_aiohttp_9(server: str) -> None:
    """httpx's max_redirects=20 follows 20 redirects; aiohttp's max_redirects=10 follows 9: it
    counts the redirect responses and raises at the tenth (``redirects >= max_redirects``)."""

    async def main_httpx() -> tuple[int, int]:
        async with httpx.AsyncClient() as client:
            first = await client.get(f"{server}/loop/0")  # not followed by default
            with pytest.raises(httpx.TooManyRedirects):
                await client.get(f"{server}/loop/0", follow_redirects=True)
            return first.status_code, client.max_redirects

    async def main_aiohttp() -> int:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.TooManyRedirects) as caught:
                await session.get(f"{server}/loop/0")
            return len(caught.value.history)

    async def aiohttp_head() -> int:
        # faq.md's table (RV64, SR13): every method follows redirects but session.head()
        async with aiohttp.ClientSession() as session, session.head(f"{server}/loop/0") as r:
            return r.status

    assert trio.run(main_httpx) == (302, 20)
    assert len(_Handler.seen) == 1 + 1 + 20  # the unfollowed request; the first, 20 followed
    _Handler.seen.clear()
    assert asyncio.run(main_aiohttp()) == 10  # ten redirect responses...
    assert len(_Handler.seen) == 1 + 9  # ...of which nine were followed
    _Handler.seen.clear()
    assert asyncio.run(aiohttp_head()) == 302
    assert len(_Handler.seen) == 1  # not followed


def test_cookies_aiohttp_keeps_none_from_an_ip_address_host_httpx_does(server: str) -> None:
    """Both clients keep a site's cookies in a jar by default and send them back, but aiohttp's
    default jar (``CookieJar(unsafe=False)``) keeps none from a host given as an IP address, as
    127.0.0.1 is; httpx's keeps it. Asked by name (localhost), both send it back. (The crawler
    keeps none in either: docs/lessons/crawler.md, the defaults' table.)"""
    port = server.rsplit(":", 1)[1]

    async def aiohttp_twice(host: str) -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.get(f"http://{host}:{port}/cookie") as response:
                    await response.read()

    async def httpx_twice(host: str) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(2):
                await client.get(f"http://{host}:{port}/cookie")

    for host, aiohttp_sends in (("127.0.0.1", None), ("localhost", "a=b")):
        _Handler.cookies = []
        asyncio.run(aiohttp_twice(host))
        assert _Handler.cookies == [None, aiohttp_sends], host
        _Handler.cookies = []
        trio.run(httpx_twice, host)
        assert _Handler.cookies == [None, "a=b"], host


def test_raise_for_status_httpx_raises_on_1xx_and_3xx_aiohttp_only_from_400(server: str) -> None:
    request = httpx.Request("GET", "http://127.0.0.1/")
    for status in (101, 302, 404):
        with pytest.raises(httpx.HTTPStatusError):
            httpx.Response(status, request=request).raise_for_status()
    httpx.Response(200, request=request).raise_for_status()

    async def main_aiohttp() -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{server}/loop/0", allow_redirects=False) as response,
        ):
            response.raise_for_status()  # no exception for a 302
            return response.status

    assert asyncio.run(main_aiohttp()) == 302


def test_an_unknown_charset_falls_back_to_utf8(server: str) -> None:
    async def main_aiohttp() -> str:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{server}/bogus-charset") as response,
        ):
            return await response.text()

    async def main_httpx() -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{server}/bogus-charset")).text

    assert asyncio.run(main_aiohttp()) == trio.run(main_httpx) == "café"


def test_both_libraries_decode_a_br_body_they_did_not_ask_for() -> None:
    """Accept-Encoding says gzip and deflate; the server sends br anyway (Brotli installed):
    aiohttp and httpx both decode it. Not asking is not enough: the crawlers switch their
    library's decoding off and refuse the coding themselves (``_decode.py``)."""
    from tests.hostile_server import PAGE, HostileServer

    asked = {"Accept-Encoding": "gzip, deflate"}
    with HostileServer() as hostile:
        url = hostile.url("/coded/br")

        async def main_aiohttp() -> bytes:
            async with aiohttp.ClientSession() as session, session.get(url,
                                                                       headers=asked) as resp:
                assert resp.headers["Content-Encoding"] == "br"
                return await resp.read()

        async def main_httpx() -> bytes:
            async with httpx.AsyncClient() as client:
                return (await client.get(url, headers=asked)).content

        assert asyncio.run(main_aiohttp()) == trio.run(main_httpx) == PAGE


def test_a_brotli_decoder_holds_its_window_whatever_its_output_limit() -> None:
    """Five decoders, each given a 1 GiB brotli bomb (809 bytes, a 16 MiB window) and asked for
    64 KiB of output: well over 12 MiB of memory each, the output limit notwithstanding. So a
    cap on the decoded bytes (aiohttp's ``max_length``, ours) does not bound brotli's memory."""
    done = python(textwrap.dedent("""
        import brotli
        from tests.hostile_server import brotli_bomb

        def rss_kb():
            with open("/proc/self/status") as f:
                return int(f.read().split("VmRSS:")[1].split()[0])

        bomb = brotli_bomb(1024)
        before, decoders = rss_kb(), []
        for _ in range(5):
            decoder = brotli.Decompressor()
            assert len(decoder.process(bomb, output_buffer_limit=64 * 1024)) < 1 << 20
            decoders.append(decoder)
        print(len(bomb), rss_kb() - before)
    """))
    assert done.returncode == 0, done.stderr
    size, grown_kb = map(int, done.stdout.split())
    assert size < 1024
    assert grown_kb > 5 * 12 * 1024


def test_trio_run_inside_a_running_asyncio_loop_blocks_it() -> None:
    """What happens when a notebook cell calls trio.run: the kernel's asyncio loop stops."""

    async def main() -> list[str]:
        log: list[str] = []

        async def ticker() -> None:
            for _ in range(3):
                log.append("tick")
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        log.append("trio.run starts")
        trio.run(trio.sleep, 0.05)  # blocks this thread, and so the whole asyncio loop
        log.append("trio.run returned")
        await task
        return log

    assert asyncio.run(main()) == ["tick", "trio.run starts", "trio.run returned", "tick", "tick"]


def test_the_claims_page_shows_the_source_of_every_named_test() -> None:
    from walkthrough import claims_hook

    concepts = CONCEPTS.read_text()
    page = claims_hook.build(concepts)
    refs = claims_hook.referenced(concepts)
    assert len(refs) >= 60
    for _, name in refs:
        assert f"{{ #{name} }}" in page and f"def {name}(" in page
    linked = claims_hook.link(concepts, 0)
    assert "(claims.md#test_capacitylimiter_is_owned_by_a_task)" in linked
    with pytest.raises(claims_hook.ClaimError, match="test_no_such_claim"):
        claims_hook.build("`tests/test_claims.py::test_no_such_claim`")
