"""Claims of the guide's pages that issue 22 found wrong or half true, each tested where it
could break.

One section per page: porting.md (the rewrites are not "always safe"), lessons/count.md (an
unawaited Trio call does warn), notebooks.md (what survives a ``trio.run``; nest_asyncio is
archived), migration/threads.md (a failing ``run_sync_soon`` callback crashes the run),
migration/bridge.md (what importing trio_asyncio replaces; the two sides stay apart),
old-names.md (a deprecated low-level queue; ``trio.Process``; ``trio.hazmat``),
migration/anyio.md (httpx's Trio path does not go through AnyIO) and index.md (every lesson).

Each test states the condition it covers in its docstring, and tries the conditions under which
the claim could fail (main task or child, a channel, a lock or an event, created inside a run or
outside). Snippets that would change this process for good (importing trio_asyncio) run in a
fresh interpreter with ``-W error``, as ``tests/test_claims.py`` does.

Checked against trio 0.35, trio-asyncio 0.16, httpx 0.28 / httpcore 1.0, anyio 4.16,
ipykernel 7.4 and CPython 3.11+.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import importlib.metadata
import inspect
import io
import logging
import math
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from IPython.core.async_helpers import _trio_runner
from packaging.requirements import Requirement

from tests.signals import default_sigint
from tests.virtual import run_asyncio, run_trio
from walkthrough import port
from walkthrough.catalogue import LESSONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def page(name: str) -> str:
    """A page of the guide, its whitespace folded so that a sentence reads as one line."""
    return " ".join((DOCS / name).read_text(encoding="utf-8").split())


#: trio-asyncio 0.16 subclasses asyncio.AbstractChildWatcher, which Python 3.12 deprecates: under
#: -W error its import fails there (tests/test_migration.py shows it). Its snippets ignore that
#: one warning on 3.12 and later, as the bridge's children do.
AIO_WATCHER = ["-W", "ignore:'AbstractChildWatcher' is deprecated:DeprecationWarning"] \
    if sys.version_info >= (3, 12) else []


def python(code: str, timeout: float = 60, bridge: bool = False) \
        -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``-W error``: no pytest, no hypothesis."""
    return subprocess.run(
        [sys.executable, "-W", "error", *(AIO_WATCHER if bridge else []), "-c",
         textwrap.dedent(code)], capture_output=True,
        text=True, timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=default_sigint,
    )


# ---------------------------------------------------------------------------------------------
# porting.md: the three rewrites of ``walkthrough port --rewrite`` are not "always safe".


async def fails_at_once() -> None:
    raise ValueError("bad input")


async def fails_after_a_checkpoint() -> None:
    if trio.lowlevel.in_trio_run():
        await trio.lowlevel.checkpoint()
    else:
        await asyncio.sleep(0)
    raise ValueError("bad input")


FINISHED: list[str] = []


async def finishes() -> None:
    if trio.lowlevel.in_trio_run():
        await trio.sleep(1)
    else:
        await asyncio.sleep(1)
    FINISHED.append("the sibling finished")


@pytest.mark.parametrize("failing", [fails_at_once, fails_after_a_checkpoint],
                         ids=["raises-at-once", "raises-after-a-checkpoint"])
@pytest.mark.parametrize("position", ["first", "second"])
def test_the_gather_rewrite_turns_a_bare_error_into_a_group_that_except_valueerror_misses(
        failing: Callable[[], Awaitable[None]], position: str) -> None:
    """``await asyncio.gather(f(), g())`` -> a nursery with ``start_soon(f)``, ``start_soon(g)``:
    the asyncio code's ``except ValueError`` catches the error; after the rewrite the nursery
    raises an ExceptionGroup, which that clause does not match. Whichever child fails, at once
    or after a checkpoint. And the sibling: gather leaves it running, the nursery cancels it."""
    calls = [failing, finishes] if position == "first" else [finishes, failing]

    async def before() -> str:
        try:
            await asyncio.gather(*(fn() for fn in calls))
        except ValueError:
            await asyncio.sleep(2)  # the sibling, left running, finishes meanwhile
            return "caught by except ValueError"
        return "no error"

    async def after() -> str:
        try:
            async with trio.open_nursery() as nursery:
                for fn in calls:
                    nursery.start_soon(fn)
        except ValueError:
            return "caught by except ValueError"
        return "no error"

    FINISHED.clear()
    assert run_asyncio(before) == "caught by except ValueError"
    assert FINISHED == ["the sibling finished"]
    FINISHED.clear()
    with pytest.raises(ExceptionGroup) as caught:
        run_trio(after)
    assert [type(e) for e in caught.value.exceptions] == [ValueError]
    assert FINISHED == []


@pytest.mark.parametrize("delay", [-0.1, -1, -1e-9])
def test_a_negative_sleep_returns_at_once_in_asyncio_and_raises_valueerror_in_trio(
        delay: float) -> None:
    """``asyncio.sleep(t)`` -> ``trio.sleep(t)``: code that computes ``deadline - now`` and
    sleeps it relies on asyncio returning at once for a negative delay; Trio raises.
    ``trio.sleep_until`` a deadline already past returns at once."""

    async def on_asyncio() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(delay)
        return loop.time() - start

    async def until_a_past_deadline() -> float:  # the page's fix: returns at once
        start = trio.current_time()
        await trio.sleep_until(start + delay)
        return trio.current_time() - start

    assert run_asyncio(on_asyncio) == 0
    with pytest.raises(ValueError, match="must be non-negative"):
        run_trio(trio.sleep, delay)
    assert run_trio(until_a_past_deadline) == 0


def test_a_deadline_from_another_clock_is_long_past_for_trio_sleep_until() -> None:
    """porting.md's negative-delay advice (RV4-porting F12): ``trio.sleep_until`` takes a
    deadline on Trio's clock, ``perf_counter()`` plus a random offset of 10,000 to 200,000 s.
    A deadline from asyncio's clock (``loop.time()`` is ``time.monotonic()``) is long past
    there: the sleep returns at once, where ``asyncio.sleep(deadline - loop.time())`` slept."""

    async def on_asyncio() -> float:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.2
        start = time.monotonic()
        await asyncio.sleep(deadline - loop.time())
        return time.monotonic() - start

    async def until_a_monotonic_deadline() -> tuple[float, float]:
        deadline = time.monotonic() + 0.2  # what loop.time() gave
        start = time.monotonic()
        await trio.sleep_until(deadline)
        return time.monotonic() - start, trio.current_time() - time.monotonic()

    # the real clocks, not tests.virtual's: the offset is the real clock's
    assert asyncio.run(on_asyncio()) >= 0.15
    slept, offset = trio.run(until_a_monotonic_deadline)
    assert slept < 0.1 and 9_000 < offset < 201_000, (slept, offset)
    text = " ".join(page("porting.md").split())
    assert "with the deadline taken from `trio.current_time()`" in text


LEFTOVERS: dict[str, Callable[[], Awaitable[Any]]] = {
    "asyncio.sleep(1)": lambda: asyncio.sleep(1),
    "asyncio.sleep(0)": lambda: asyncio.sleep(0),
    "asyncio.Queue().get()": lambda: asyncio.Queue[int]().get(),
    "asyncio.Event().wait()": lambda: asyncio.Event().wait(),
}


@pytest.mark.parametrize(("awaited", "error"), [
    ("asyncio.sleep(1)", "RuntimeError: no running event loop"),
    ("asyncio.sleep(0)", "TypeError: trio.run received unrecognized yield message None"),
    ("asyncio.Queue().get()", "AttributeError: 'NoneType' object has no attribute"),
    ("asyncio.Event().wait()", "AttributeError: 'NoneType' object has no attribute"),
])
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_an_asyncio_await_left_in_a_trio_run_fails(awaited: str, error: str, where: str) -> None:
    """``asyncio.run(main())`` -> ``trio.run(main)``: an asyncio await left in ``main`` (under
    its TODO) fails under Trio, in the main task or a child; how depends on the call."""
    failures: list[str] = []

    async def leftover() -> None:
        try:
            await LEFTOVERS[awaited]()
        except (RuntimeError, TypeError, AttributeError) as e:
            failures.append(f"{type(e).__name__}: {e}")

    async def main() -> None:
        if where == "main task":
            await leftover()
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(leftover)

    with recorded_warnings():  # asyncio.sleep(1) never started: it warns, as it should
        run_trio(main)
    assert len(failures) == 1 and failures[0].startswith(error), failures


async def _made_a_task() -> None:
    coroutine = asyncio.sleep(0)
    try:
        task = asyncio.create_task(coroutine)
        await task  # pragma: no cover - the claim would be false
    finally:
        coroutine.close()  # never started: no "never awaited" warning


async def _entered_a_timeout() -> None:
    async with asyncio.timeout(5):
        await asyncio.sleep(0)  # pragma: no cover - the claim would be false


async def _asked_for_the_loop() -> None:
    asyncio.get_running_loop()


ASKS_FOR_THE_LOOP: dict[str, Callable[[], Awaitable[None]]] = {
    "asyncio.timeout(5)": _entered_a_timeout,
    "asyncio.create_task(...)": _made_a_task,
    "asyncio.get_running_loop()": _asked_for_the_loop,
}


@pytest.mark.parametrize("call", ASKS_FOR_THE_LOOP)
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_a_call_that_asks_for_the_loop_raises_at_once_in_a_trio_run(call: str, where: str) -> None:
    """porting.md, the run rewrite (RV4-porting F7): a call that asks for the running loop
    before anything waits raises ``RuntimeError: no running event loop`` at once under Trio,
    in the main task or a child, before any checkpoint."""
    failures: list[str] = []

    async def leftover() -> None:
        try:
            await ASKS_FOR_THE_LOOP[call]()
        except RuntimeError as e:
            failures.append(f"{type(e).__name__}: {e}")

    async def main() -> None:
        if where == "main task":
            await leftover()
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(leftover)

    run_trio(main)
    assert failures == ["RuntimeError: no running event loop"]
    text = " ".join(page("porting.md").split())
    assert f"`{call}`" in text


async def free_then_waiting(kind: str) -> list[str]:
    """Use an asyncio primitive inside a Trio run, first where it need not wait, then where it
    must: only the second reaches for the (absent) asyncio loop."""
    seen: list[str] = []

    async def must_wait(awaitable: Awaitable[Any]) -> None:
        try:
            await awaitable
            seen.append("waited: no error")  # pragma: no cover - the claim would be false
        except AttributeError as e:
            seen.append(f"waited: AttributeError: {e}")

    if kind == "Queue.get":
        queue = asyncio.Queue[int]()
        queue.put_nowait(1)
        seen.append(f"free: got {await queue.get()}")
        await must_wait(queue.get())  # now empty
    elif kind == "Queue.put":
        unbounded, bounded = asyncio.Queue[int](), asyncio.Queue[int](1)
        await unbounded.put(1)
        await bounded.put(1)
        seen.append(f"free: {unbounded.qsize()} and {bounded.qsize()} queued")
        await must_wait(bounded.put(2))  # now full
    elif kind in ("Semaphore", "Lock"):
        held = asyncio.Semaphore(1) if kind == "Semaphore" else asyncio.Lock()
        async with held:
            seen.append(f"free: locked={held.locked()}")
            await must_wait(held.acquire())  # now taken
    else:
        event = asyncio.Event()
        event.set()
        await event.wait()
        seen.append("free: the set event returned")
        event.clear()
        await must_wait(event.wait())  # now unset
    return seen


@pytest.mark.parametrize("kind", ["Queue.get", "Queue.put", "Semaphore", "Lock", "Event"])
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_an_asyncio_primitive_that_need_not_wait_passes_silently_in_a_trio_run(
        kind: str, where: str) -> None:
    """The other half of the run rewrite: an asyncio await left under a TODO fails only when it
    has to wait. A queue with an item, an unbounded (or not yet full) queue, a free semaphore or
    lock and a set event all work under ``trio.run``, in the main task or a child; the same
    object fails the first time it must wait, because only then does it look for its loop."""
    results: list[list[str]] = []

    async def main() -> None:
        if where == "main task":
            results.append(await free_then_waiting(kind))
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(record, results, kind)

    run_trio(main)
    [(free, waited)] = [tuple(r) for r in results]
    assert free.startswith("free: ")
    assert waited == "waited: AttributeError: 'NoneType' object has no attribute 'create_future'"
    text = page("porting.md")
    assert "every asyncio await that the patch left under a TODO fails" not in text
    assert "as soon as it has to wait" in text


async def record(results: list[list[str]], kind: str) -> None:
    results.append(await free_then_waiting(kind))


def test_the_porting_page_no_longer_promises_safe_rewrites() -> None:
    """The page names both hazards next to the table, and says the patch is a first step."""
    text = page("porting.md")
    assert "always safe" not in text
    assert "`except ValueError:`" in text and "ExceptionGroup" in text
    assert "`asyncio.sleep(-0.1)`" in text and "`trio.sleep(-0.1)` raises `ValueError`" in text
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "always safe" not in readme


# ---------------------------------------------------------------------------------------------
# lessons/count.md: a Trio coroutine can be left unawaited, and then warns as asyncio's does.


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        yield got
        gc.collect()


def never_awaited(got: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in got
            if issubclass(w.category, RuntimeWarning) and "was never awaited" in str(w.message)]


@pytest.mark.parametrize("where", ["main task", "child task"])
def test_a_trio_call_without_await_warns_coroutine_was_never_awaited(where: str) -> None:
    """``trio.sleep(1)`` without ``await``, in the main task or in a child: the coroutine object
    exists, is never awaited, and CPython warns exactly as for ``asyncio.sleep(1)``."""

    async def forgets() -> None:
        trio.sleep(1)  # noqa: ASYNC105 - the mistake under test

    async def main() -> None:
        if where == "main task":
            await forgets()
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(forgets)

    async def forgets_asyncio() -> None:
        asyncio.sleep(1)  # type: ignore[unused-coroutine]  # the same mistake, for comparison

    with recorded_warnings() as got:
        run_trio(main)
    assert never_awaited(got) == ["coroutine 'sleep' was never awaited"]
    with recorded_warnings() as got:
        run_asyncio(forgets_asyncio)
    assert never_awaited(got) == ["coroutine 'sleep' was never awaited"]


async def child() -> None:
    await trio.lowlevel.checkpoint()


@pytest.mark.parametrize("where", ["trio.run", "nursery.start_soon"])
def test_trio_refuses_a_coroutine_object_where_it_takes_a_function_and_closes_it(
        where: str) -> None:
    """What Trio does add: ``trio.run`` and ``start_soon`` take an async function, and a
    coroutine object there is a TypeError that shows the fix; Trio closes that coroutine, so
    it does not warn as well. (Inside a nursery block the error leaves in the group.)"""
    coro = child()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(coro)  # type: ignore[arg-type]  # the mistake under test

    with recorded_warnings() as got, pytest.raises((TypeError, ExceptionGroup)) as caught:
        if where == "trio.run":
            trio.run(coro)  # type: ignore[arg-type]
        else:
            run_trio(main)
    error = caught.value
    if where == "nursery.start_soon":
        assert isinstance(error, ExceptionGroup)
        error = error.exceptions[0]
    assert isinstance(error, TypeError)
    assert "expecting an async function, but instead it got a coroutine object" in str(error)
    assert "nursery.start_soon(child, ...)  # correct!" in str(error)
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED
    assert never_awaited(got) == []


def test_nursery_start_with_a_coroutine_object_neither_explains_nor_closes_it() -> None:
    """``await nursery.start(coro)``: a terse "must be callable" TypeError, and the coroutine,
    left open, warns "was never awaited" on top."""

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(child())  # type: ignore[arg-type]  # the mistake under test

    def errors() -> list[str]:  # the group (and the coroutine its traceback holds) ends here
        try:
            run_trio(main)
        except ExceptionGroup as group:
            return [str(e) for e in group.exceptions]
        return []  # pragma: no cover - it raises

    with recorded_warnings() as got:
        assert errors() == ["the first argument must be callable"]
    assert never_awaited(got) == ["coroutine 'child' was never awaited"]


FORGOTTEN = """
import trio


async def main() -> None:
    trio.sleep(1)


def test_it() -> None:
    trio.run(main)
"""


@pytest.mark.timeout(120)
def test_pytest_w_error_and_ruff_catch_a_forgotten_await(tmp_path: Path) -> None:
    """The count page's two nets: under pytest with ``-W error`` the warning fails the test;
    ruff's ASYNC105 flags the line without running it."""
    (tmp_path / "test_forgotten.py").write_text(FORGOTTEN)
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "error", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", str(tmp_path / "test_forgotten.py")],
        capture_output=True, text=True, timeout=100, cwd=tmp_path)
    assert tested.returncode == 1, tested.stdout
    assert "coroutine 'sleep' was never awaited" in tested.stdout
    linted = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "--isolated",
         "--select", "ASYNC105", "--output-format", "concise", "--stdin-filename",
         "forgotten.py", "-"],
        input=FORGOTTEN, capture_output=True, text=True, timeout=60)
    assert linted.returncode == 1
    assert "forgotten.py:6:5: ASYNC105 Call to `trio.sleep` is not immediately awaited" in \
        linted.stdout


FORGOTTEN_TWO = """
import trio


async def count_async() -> None:
    await trio.sleep(1)


async def main() -> None:
    count_async()
    trio.sleep(1)
"""


@pytest.mark.timeout(180)
def test_ruff_flags_only_trios_own_calls_and_mypy_flags_both(tmp_path: Path) -> None:
    """The count page's static nets, on the lesson's own mistake (``count_async()`` without
    await) and on a Trio call: ruff's ASYNC rules know only Trio's functions; mypy's
    ``unused-coroutine`` flags both, but only in annotated functions."""
    bindir = Path(sys.executable).parent
    linted = subprocess.run(
        [str(bindir / "ruff"), "check", "--no-cache", "--isolated", "--select", "ASYNC",
         "--output-format", "concise", "--stdin-filename", "forgotten.py", "-"],
        input=FORGOTTEN_TWO, capture_output=True, text=True, timeout=60)
    flagged = re.findall(r"^forgotten\.py:(\d+):\d+: (ASYNC\d+)", linted.stdout, re.M)
    assert flagged == [("11", "ASYNC105")], linted.stdout  # trio.sleep(1); count_async() is not

    def mypy(source: str) -> list[str]:
        (tmp_path / "forgotten.py").write_text(source)
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--no-incremental", "--config-file", os.devnull,
             "--cache-dir", str(tmp_path / "cache"), "forgotten.py"],
            capture_output=True, text=True, timeout=150, cwd=tmp_path)
        return re.findall(r"^forgotten\.py:(\d+): error: .*\[unused-coroutine\]$",
                          done.stdout, re.M)

    assert mypy(FORGOTTEN_TWO) == ["10", "11"]
    assert mypy(FORGOTTEN_TWO.replace(" -> None", "")) == []  # unannotated: not checked
    text = page("lessons/count.md")
    assert "`ASYNC105`" in text and "but not to yours (`count_async()`)" in text
    assert "`unused-coroutine`" in text


class StepCounter(trio.abc.Instrument):
    """Counts the steps of one task: each time it yields to the scheduler, a step ends."""

    def __init__(self) -> None:
        self.task: trio.lowlevel.Task | None = None
        self.steps = 0

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        if task is self.task:
            self.steps += 1


@pytest.mark.parametrize("where", ["main task", "child task"])
def test_leaving_a_nursery_lets_others_run_but_never_raises_cancelled(where: str) -> None:
    """count.md: every Trio function you await is a checkpoint, but leaving a nursery block
    with no child running is only a schedule point (``open_nursery``'s docstring): in an
    already cancelled scope the task yields to the scheduler there (one step ends), and no
    Cancelled is raised; the next ``trio.lowlevel.checkpoint()`` raises it."""
    counter = StepCounter()
    seen: list[str] = []

    async def leave_a_nursery() -> None:
        counter.task = trio.lowlevel.current_task()
        with trio.CancelScope() as scope:
            scope.cancel()
            before = counter.steps
            async with trio.open_nursery():
                pass
            seen.append(f"yielded {counter.steps - before} time(s), no Cancelled")
            await trio.lowlevel.checkpoint()
            seen.append("never")  # pragma: no cover - checkpoint() is a cancel point
        seen.append(f"the scope caught Cancelled: {scope.cancelled_caught}")

    async def main() -> None:
        trio.lowlevel.add_instrument(counter)
        if where == "main task":
            await leave_a_nursery()
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(leave_a_nursery)

    run_trio(main)
    assert seen == ["yielded 1 time(s), no Cancelled", "the scope caught Cancelled: True"]
    assert "never raises `Cancelled` itself" in page("lessons/count.md")


def test_the_count_page_says_an_unawaited_call_warns() -> None:
    text = page("lessons/count.md")
    assert "cannot happen" not in text
    assert "`trio.sleep(1)` without `await`" in text and "was never awaited" in text


# ---------------------------------------------------------------------------------------------
# notebooks.md: what a cell (one trio.run) hands to the next.


def cells(*bodies: Callable[[], Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run each body as IPython runs a cell after ``%autoawait trio``: one ``trio.run`` each."""
    return [_trio_runner(body()) for body in bodies]


def make(kind: str) -> dict[str, Any]:
    if kind == "memory channel":
        send, receive = trio.open_memory_channel[str](1)
        return {"send": send, "receive": receive}
    factories: dict[str, Callable[[], Any]] = {
        "Lock": trio.Lock, "Event": trio.Event, "Semaphore": lambda: trio.Semaphore(1),
        "Condition": trio.Condition, "CapacityLimiter": lambda: trio.CapacityLimiter(1),
    }
    return {"obj": factories[kind]()}


async def use_once(kind: str, made: dict[str, Any], first: bool) -> str:
    """Use the object as a program would, in a child task that the main task waits for."""
    result: list[str] = []

    async def use() -> None:
        if kind == "memory channel":  # sent in the first cell, received in the next
            if first:
                await made["send"].send("from the first cell")
                result.append("sent")
            else:
                result.append(await made["receive"].receive())
        elif kind == "Event":
            if first:
                made["obj"].set()
            await made["obj"].wait()
            result.append("set")
        elif kind == "Condition":
            async with made["obj"]:
                made["obj"].notify_all()
            result.append("held")
        else:
            async with made["obj"]:
                await trio.lowlevel.checkpoint()
            result.append("held")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(use)
    return result[0]


KINDS = ["memory channel", "Lock", "Event", "Semaphore", "Condition", "CapacityLimiter"]


@pytest.mark.parametrize("created", ["inside the first cell", "outside any run"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_channel_lock_or_event_from_one_cell_works_in_the_next(kind: str, created: str) -> None:
    """notebooks.md: synchronisation objects are not bound to a run. Made in one cell (one
    ``trio.run``), or in a plain cell outside any run, they work in the next cell's run."""
    kept: dict[str, Any] = make(kind) if created == "outside any run" else {}  # the namespace

    async def first() -> str:
        if not kept:
            kept.update(make(kind))
        return await use_once(kind, kept, first=True)

    async def second() -> str:
        return await use_once(kind, kept, first=False)

    expected = {"memory channel": ["sent", "from the first cell"], "Event": ["set", "set"]}
    assert cells(first, second) == expected.get(kind, ["held", "held"])


def test_what_belongs_to_a_run_does_not_outlive_it() -> None:
    """What *is* bound to a run: its nurseries, its token, RunVar values, its clock (and so
    every deadline read from it), and a lock that one of its tasks still held."""
    var = trio.lowlevel.RunVar[str]("var", default="unset")
    kept: dict[str, Any] = {}

    async def first() -> None:
        kept["token"] = trio.lowlevel.current_trio_token()
        kept["clock"] = trio.lowlevel.current_clock()
        var.set("set in the first cell")
        lock = kept["lock"] = trio.Lock()
        await lock.acquire()  # and never released: its task ends with the cell
        async with trio.open_nursery() as nursery:
            kept["nursery"] = nursery

    async def second() -> list[str]:
        seen = [var.get()]
        with pytest.raises(trio.RunFinishedError):
            kept["token"].run_sync_soon(print, "never")
        with pytest.raises(RuntimeError, match="closed to new arrivals"):
            kept["nursery"].start_soon(trio.sleep, 0)
        with pytest.raises(trio.BrokenResourceError, match="exited without releasing"):
            await kept["lock"].acquire()
        clock = trio.lowlevel.current_clock()
        assert clock is not kept["clock"]
        assert clock.offset != kept["clock"].offset  # type: ignore[attr-defined]
        return seen

    assert cells(first, second)[1] == ["unset"]


def wake_order(tasks: int, source: str) -> list[int]:
    """Start ``tasks`` sleepers in order 0, 1, ... at one instant of asyncio's virtual clock, all
    due at the same later instant; the order in which they wake."""
    woke: list[int] = []

    async def sleeper(i: int) -> None:
        await asyncio.sleep(1)
        woke.append(i)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        if source == "asyncio.sleep(1)":
            await asyncio.gather(*(sleeper(i) for i in range(tasks)))
        else:
            when = loop.time() + 1
            for i in range(tasks):
                loop.call_at(when, woke.append, i)
            await asyncio.sleep(2)

    run_asyncio(main)
    return woke


@pytest.mark.parametrize("source", ["asyncio.sleep(1)", "loop.call_at(one when)"])
def test_asyncio_wakes_timers_due_at_one_instant_in_heap_order_not_fifo(source: str) -> None:
    """notebooks.md and index.md: asyncio's ready queue is first-in first-out, but timers due at
    exactly one instant reach it in the order of the timer heap (a TimerHandle compares its
    deadline only), which need not be the order they were set: it depends on what else is in
    the heap. The order is the same every run, which is what makes the virtual clock
    reproducible. The five sleepers' order is the page's example."""
    five = wake_order(5, source)
    assert sorted(five) == [0, 1, 2, 3, 4] and five != [0, 1, 2, 3, 4]
    measured = {"asyncio.sleep(1)": [0, 2, 4, 1, 3], "loop.call_at(one when)": [0, 2, 1, 3, 4]}
    assert five == measured[source]  # CPython 3.11 to 3.13's heapq
    assert all(wake_order(5, source) == five for _ in range(3))
    notebooks, index = page("notebooks.md"), page("index.md")
    assert "asyncio's first-in first-out wake-ups" not in notebooks
    assert "while asyncio runs them first-in first-out" not in index
    assert "0, 2, 4, 1, 3" in notebooks and "timer heap" in index


def test_trio_wakes_sleepers_due_at_one_instant_in_any_order() -> None:
    """index.md (RV53): three sleepers started in order 0, 1, 2 and due at one instant wake in
    all six orders, in a fresh interpreter without Hypothesis (which would shuffle every
    batch). Reversing a batch at random gives only two; the other four come from the deadline
    heap, which breaks a tie by ``id(cancel_scope)``, an address, not by when the scope was
    made. Measured three times: each order 24 to 85 times in 300 runs."""
    done = python("""
        import sys, trio, trio.testing
        assert "hypothesis" not in sys.modules
        orders = set()
        for _ in range(300):
            woke = []
            async def sleeper(i):
                await trio.sleep(1)
                woke.append(i)
            async def main():
                async with trio.open_nursery() as nursery:
                    for i in range(3):
                        nursery.start_soon(sleeper, i)
            trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
            orders.add(tuple(woke))
        print(len(orders))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["6"]
    assert "timers due at one instant leave its deadline heap" in " ".join(
        page("index.md").split())


@pytest.mark.parametrize(("base", "link", "joined"), [
    # absolute, a scheme and a host: kept, whatever the base, `.` and `..` as written
    ("https://a.org/x/", "https://b.org/y", "https://b.org/y"),
    ("https://a.org/x/", "https://b.org/./y/../z", "https://b.org/./y/../z"),
    # an empty `?` or `#` dropped with the page's scheme, kept with another
    ("https://a.org/x/", "https://b.org/y?", "https://b.org/y"),
    ("https://a.org/x/", "https://b.org/y#", "https://b.org/y"),
    ("https://a.org/x/", "http://b.org/y?", "http://b.org/y?"),
    # relative: against the page, "/top" replacing the whole path
    ("https://a.org/guide/", "http-guide.html", "https://a.org/guide/http-guide.html"),
    ("https://a.org/guide/x", "/top", "https://a.org/top"),
    # the page's scheme and no host: resolved; another scheme and no host: kept as written
    ("http://a.org/x/", "http:page.html", "http://a.org/x/page.html"),
    ("https://a.org/x/", "http:page.html", "http:page.html"),
    # tabs, carriage returns and newlines inside a link: silently deleted
    ("https://a.org/x/", "https://b.org/a\tb\r\nc", "https://b.org/abc"),
])
def test_urljoin_does_what_the_crawler_page_says(base: str, link: str, joined: str) -> None:
    """lessons/crawler.md's answer to the notebook's urljoin question, case by case, as RV49
    and SR3 corrected it (the nox sessions run it on each CPython from 3.11)."""
    assert urllib.parse.urljoin(base, link) == joined
    text = " ".join(page("lessons/crawler.md").split())
    assert "an empty `?` or `#` at its end is dropped when the link has the page's scheme" in text


def test_urljoin_raises_on_a_malformed_link() -> None:
    with pytest.raises(ValueError, match="Invalid IPv6 URL"):
        urllib.parse.urljoin("https://a.org/", "http://[::1/broken")


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.version_info < (3, 11, 7),
                    reason="the fix came in 3.11.7 and 3.12.1: before it the client hangs")
def test_asyncio_logs_a_handler_that_raises_closes_its_connection_and_serves_on(
        caplog: pytest.LogCaptureFixture) -> None:
    """lessons/server.md, "An exception in one handler": a ``start_server`` callback that
    raises is logged as "Unhandled exception in client_connected_cb" and its connection is
    closed (the client reads end of stream, not a hang), since 3.11.7 and 3.12.1 (CPython
    issue 110894); the next client is served. The nox sessions run it on each CPython from
    3.11 (SR2: on 3.10.13 the client hangs)."""
    async def main() -> tuple[bytes, bytes]:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            line = await reader.readline()
            if line == b"boom\n":
                raise RuntimeError("a bug in one handler")
            writer.write(line)
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        host, port = server.sockets[0].getsockname()[:2]
        got = []
        async with asyncio.timeout(20):  # a hang guard: the bug left clients hanging
            for line in (b"boom\n", b"hello\n"):
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(line)
                got.append(await reader.read())
                writer.close()
                await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return got[0], got[1]

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        assert asyncio.run(main()) == (b"", b"hello\n")
    # this handler's error only: a task another test left behind may be logged as it is freed
    logged = [r for r in caplog.records if r.name == "asyncio" and r.exc_info
              and str(r.exc_info[1]) == "a bug in one handler"]
    assert [r.getMessage().splitlines()[0] for r in logged] == [
        "Unhandled exception in client_connected_cb"]  # then the transport, on a line of its own
    assert "Unhandled exception in client_connected_cb" in page("lessons/server.md")


_SCOPES = """import asyncio
import collections
from collections import deque
import foo
from foo import make


def helper():
    return []


def typed_helper() -> list:
    return []


async def a():
    q = asyncio.Queue()
    await q.put(1)


async def b({params}):
    {form}
    await q.get()
"""


@pytest.mark.parametrize(("params", "form", "still_a_queue"), [
    # bound only by a plain list, dict, set, string or number: not the queue
    ("x", "q = []", False), ("x", "q = {}", False), ("x", "q = 5", False),
    ("x", "q = 'x'", False),
    ("x", "q = -1", True),  # not a literal to Python's parser: an operation on 1 (RV67)
    # not None, not a tuple, not a comprehension (RV4-porting F11)
    ("x", "q = None", True), ("x", "q = (1, 2)", True), ("x", "q = [i for i in x]", True),
    ("x", "q = {i: i for i in x}", True),
    # one of the fourteen builtins the page lists; not max(), not range()
    ("x", "q = list()", False), ("x", "q = len(x)", False), ("x", "q = sorted(x)", False),
    ("x", "q = open(x)", False), ("x", "q = max(x)", True), ("x", "q = range(3)", True),
    # a call into the standard library or another package
    ("x", "q = deque()", False), ("x", "q = collections.deque()", False),
    ("x", "q = foo.make()", False), ("x", "q = make()", False),
    # any other binding keeps it a queue
    ("x", "q: list = []", True), ("x", "q = x", True), ("x", "for q in x:\n        pass", True),
    ("x", "q = helper()", True), ("x", "q = typed_helper()", False), ("x", "pass", True),
    # a with block on a call neither the file's own nor asyncio's
    ("x", "with open(x) as q:\n        await q.get()\n    return", False),
    ("x", "with foo.open() as q:\n        await q.get()\n    return", False),
    ("x", "with helper() as q:\n        await q.get()\n    return", True),
    # a parameter: not the queue, unless an annotation (or a call in the file) gives it one
    ("q", "pass", False), ("q: asyncio.Queue", "pass", True),
])
def test_a_name_is_followed_through_the_file_as_the_porting_page_says(
        params: str, form: str, still_a_queue: bool) -> None:
    """porting.md, "What it does not do", as SR7 rewrote it: a name that is a queue in one
    function (``a``) is the queue in another (``b``) unless ``b`` binds it in one of the ways
    the page lists. Each example the page gives is a case here: is ``b``'s ``await q.get()``
    reported as a queue's?"""
    source = _SCOPES.format(params=params, form=form)
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "await q.get()" in text)
    rows = [finding.row for finding in port.scan(source, "app.py") if finding.line == line]
    assert (rows == ["queue"]) if still_a_queue else (rows == []), rows
    text = " ".join(page("porting.md").split())
    assert ("(`q = []`, `q = 5`; not `None`, not `(1, 2)`, not a comprehension "
            "`[i for i in x]`)") in text
    assert ("`dict`, `list`, `set`, `tuple`, `frozenset`, `str`, `bytes`, `bytearray`, `int`, "
            "`float`, `bool`, `len`, `sorted` and `open`") in text


_PROPERTY = """import asyncio


class Svc:
    def __init__(self):
        self._lp = asyncio.get_event_loop()

    @property
    def lp(self):
        return self._lp

    def later(self):
        self.lp.call_later(1, print)


s = Svc()
s.lp.call_later(1, print)
Svc().lp.call_later(1, print)
t = s.lp
t.call_later(1, print)
"""


def test_what_a_property_returns_is_followed_on_self_and_a_new_instance_only() -> None:
    """porting.md's opening (RV4-porting F4): a property's loop is followed where it is read on
    ``self`` or on a new instance, not through an instance kept in a name."""
    constructs: dict[int, list[str]] = {}
    for finding in port.scan(_PROPERTY, "app.py"):
        constructs.setdefault(finding.line, []).append(finding.construct)
    assert "loop.call_later" in constructs[13]  # self.lp
    assert "loop.call_later" in constructs[18]  # Svc().lp
    assert 17 not in constructs and 20 not in constructs  # s.lp, t = s.lp
    text = " ".join(page("porting.md").split())
    assert "not when it is read on an instance kept in a name" in text


def test_the_corpus_counts_the_cpython_docs_apart_from_the_packages() -> None:
    """porting.md, "How well it does" (RV4-porting F8): the corpus's projects (its
    ``projects.toml``, one key per package, both parts) are the packages on the index and the
    CPython docs, which are not a package on it."""
    import tomllib

    projects = tomllib.loads((ROOT / "tests" / "port_corpus" / "projects.toml").read_text(
        encoding="utf-8"))
    assert "CPython docs" in projects
    text = " ".join(page("porting.md").split())
    assert (f"from the sdists of {len(projects) - 1} packages on the package index and from "
            "the CPython docs' own examples") in text


def test_the_builtins_that_make_a_value_are_the_fourteen_the_porting_page_lists() -> None:
    from walkthrough.port import constructs

    assert sorted(constructs.BUILTIN_VALUES) == sorted(
        ["dict", "list", "set", "tuple", "frozenset", "str", "bytes", "bytearray", "int",
         "float", "bool", "len", "sorted", "open"])


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.version_info < (3, 11, 7),
                    reason="before 3.11.7 start_server attaches no callback to its tasks")
def test_a_cancelled_start_server_handler_logs_a_traceback_before_3_13(
        caplog: pytest.LogCaptureFixture) -> None:
    """lessons/server.md, "Shutdown" (RV63, SR12): the callback ``start_server`` attaches to
    each handler's task (since 3.11.7 and 3.12.1) calls ``task.exception()``, which raises for
    a cancelled task, so cancelling a handler logs an "Exception in callback" traceback; 3.13
    checks for a cancelled task first and logs nothing. The nox sessions run it on each."""
    async def main() -> bool:
        handlers: list[asyncio.Task[Any]] = []
        started = asyncio.Event()

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            handlers.append(asyncio.current_task())  # type: ignore[arg-type]
            started.set()
            try:
                await reader.readline()
            finally:
                writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        host, port = server.sockets[0].getsockname()[:2]
        _reader, writer = await asyncio.open_connection(host, port)
        async with asyncio.timeout(20):
            await started.wait()
            handlers[0].cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await handlers[0]
            await asyncio.sleep(0)  # the done callbacks run
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return handlers[0].cancelled()

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        assert asyncio.run(main())
    logged = [r.getMessage().splitlines()[0] for r in caplog.records if r.name == "asyncio"
              and r.exc_info and isinstance(r.exc_info[1], asyncio.CancelledError)]
    if sys.version_info >= (3, 13):
        assert logged == []
    else:
        assert len(logged) == 1 and logged[0].startswith("Exception in callback"), logged
    assert "3.13.0 checks for a cancelled task first" in " ".join(
        page("lessons/server.md").split())


_GATHER = """import asyncio


async def f(x):
    await asyncio.sleep(x)


async def main(xs):
    await asyncio.gather({arg})


asyncio.run(main([1, 2]))
"""


@pytest.mark.parametrize(("arg", "rewritten"), [
    ("*(f(x) for x in xs)", True),
    ("*[f(x) for x in xs]", False),  # a list comprehension
    ("*(f(x) for x in xs if x)", False),  # an if
    ("*(f(x) for y in xs for x in y)", False),  # two fors
])
def test_a_starred_gather_becomes_a_loop_only_in_its_plain_form(arg: str, rewritten: bool) -> None:
    """porting.md's gather row (RV67, SR14): ``*(f(x) for x in xs)`` becomes a ``for`` loop of
    ``start_soon`` only as a generator expression with one ``for`` and no ``if``; any other
    form is kept as it was, with its TODO."""
    new, _ = port.rewrite(_GATHER.format(arg=arg), "app.py")
    assert ("trio.open_nursery()" in new) is rewritten, new
    assert ("asyncio.gather(" in new) is not rewritten, new


def test_the_notebooks_page_states_what_survives_a_cell() -> None:
    text = page("notebooks.md")
    assert "cannot be used in the next run" not in text
    assert "nothing Trio survives a cell" not in text.lower()
    for name in ("memory channel", "`trio.Lock`", "`trio.Event`", "`TrioToken`", "`RunVar`"):
        assert name in text, name


def test_ipykernel_has_moved_from_nest_asyncio_to_nest_asyncio2() -> None:
    """nest_asyncio is archived (its last release is 1.6.0); ipykernel 7
    depends on the maintained fork, nest-asyncio2, and no longer on nest-asyncio."""
    requires = [Requirement(r) for r in importlib.metadata.requires("ipykernel") or []]
    names = {r.name.replace("_", "-").lower() for r in requires if r.marker is None}
    assert "nest-asyncio2" in names and "nest-asyncio" not in names
    source = importlib.util.find_spec("ipykernel.eventloops")
    assert source is not None and source.origin is not None
    assert "import nest_asyncio2" in Path(source.origin).read_text(encoding="utf-8")
    text = page("notebooks.md")
    assert "archived" in text and "nest_asyncio2.apply()" in text


def test_nest_asyncio2_lets_asyncio_run_reenter_a_running_loop() -> None:
    """The page's recipe, in a fresh interpreter: without it ``asyncio.run`` inside a running
    loop is a RuntimeError; after ``nest_asyncio2.apply()`` it runs."""
    done = python("""
        import asyncio
        import nest_asyncio2

        async def inner():
            await asyncio.sleep(0)
            return "inner ran"

        async def main():
            coro = inner()
            try:
                asyncio.run(coro)
            except RuntimeError as e:
                coro.close()
                print(e)
            nest_asyncio2.apply()
            print(asyncio.run(inner()))

        asyncio.run(main())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "asyncio.run() cannot be called from a running event loop", "inner ran"]


@pytest.mark.timeout(300)
def test_the_nest_asyncio2_recipe_runs_in_a_real_kernel(tmp_path: Path) -> None:
    """notebooks.md's asyncio table, the ``nest_asyncio2`` row, where the page says every row is
    checked: in a real kernel, ``asyncio.run`` fails on the kernel's running loop until
    ``nest_asyncio2.apply()``, and then runs."""
    from tests.test_notebooks import run_cells, text_of

    outputs = run_cells([
        "import asyncio\nasync def f():\n    await asyncio.sleep(0)\n    return 'ok'",
        "asyncio.run(f())",
        "import nest_asyncio2\nnest_asyncio2.apply()\nprint(asyncio.run(f()))",
    ], tmp_path)
    assert "asyncio.run() cannot be called from a running event loop" in text_of(outputs[1])
    assert text_of(outputs[2]) == "ok\n"
    assert "test_the_nest_asyncio2_recipe_runs_in_a_real_kernel" in page("notebooks.md")


# ---------------------------------------------------------------------------------------------
# migration/threads.md: a failing run_sync_soon callback crashes the whole run.


def boom() -> None:
    raise ValueError("the callback failed")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("caller", ["a foreign thread", "the Trio thread"])
def test_a_run_sync_soon_callback_that_raises_crashes_the_whole_run(
        caller: str, caplog: pytest.LogCaptureFixture) -> None:
    """``token.run_sync_soon(fn)``: if ``fn`` raises, Trio cancels every task and ``trio.run``
    raises TrioInternalError, whether the call came from another thread or from the run's own.
    asyncio's ``call_soon_threadsafe(fn)`` logs the error and the program goes on."""
    finished: list[str] = []

    async def bystander() -> None:
        try:
            await trio.sleep(3600)
        finally:
            finished.append("the bystander was cancelled")

    async def main() -> None:
        token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(bystander)
            if caller == "a foreign thread":
                thread = threading.Thread(target=token.run_sync_soon, args=(boom,))
                thread.start()
                await trio.to_thread.run_sync(thread.join)
            else:
                token.run_sync_soon(boom)
            await trio.sleep(3600)
            finished.append("main went on")  # pragma: no cover - it must not

    async def on_asyncio() -> str:  # the asyncio call it replaces: logged, and the run goes on
        loop = asyncio.get_running_loop()
        if caller == "a foreign thread":
            await asyncio.to_thread(loop.call_soon_threadsafe, boom)
        else:
            loop.call_soon_threadsafe(boom)
        for _ in range(3):  # the callback was queued before these: it runs among them
            await asyncio.sleep(0)
        return "main went on"

    # The real loop: a worker thread and a virtual clock do not mix (on 3.13 the runner's
    # executor shutdown waits 300 virtual seconds at once and warns).
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        assert asyncio.run(on_asyncio()) == "main went on"
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info and r.exc_info[1]] == [
        ("the callback failed",)]

    with pytest.raises(trio.TrioInternalError) as caught:
        trio.run(main)  # the real clock: the cancellation, not a jump, ends the sleeps
    assert finished == ["the bystander was cancelled"]
    cause = caught.value.__cause__
    assert isinstance(cause, BaseExceptionGroup)
    assert [str(e) for e in leaves(cause)] == ["the callback failed"]
    assert "`TrioInternalError`" in page("migration/threads.md")


def leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    out: list[BaseException] = []
    for e in group.exceptions:
        out.extend(leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out


# ---------------------------------------------------------------------------------------------
# migration/bridge.md: importing trio_asyncio, and keeping the two sides apart.


def test_importing_trio_asyncio_replaces_asyncio_functions_and_the_policy_for_the_process() -> None:
    """Fresh interpreter: the import alone (no loop opened) replaces eight asyncio functions,
    ``get_running_loop``, ``_get_running_loop`` and ``current_task`` among them, and installs a
    TrioPolicy as the process's loop policy, while ``get_event_loop_policy()`` still shows the
    old one outside Trio."""
    done = python("""
        import asyncio, asyncio.events, asyncio.tasks
        names = ["get_running_loop", "_get_running_loop", "current_task",
                 "get_event_loop_policy", "set_event_loop_policy", "get_event_loop",
                 "set_event_loop", "new_event_loop"]
        before = {n: getattr(asyncio, n) for n in names}
        policy = asyncio.events._event_loop_policy
        import trio_asyncio
        print(*[n for n in names if getattr(asyncio, n) is not before[n]])
        print(asyncio.tasks.current_task is asyncio.current_task)
        print(policy, type(asyncio.events._event_loop_policy).__name__)
        print(type(asyncio.get_event_loop_policy()).__name__)
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    replaced, tasks_too, policies, shown = done.stdout.splitlines()
    assert replaced.split() == ["get_running_loop", "_get_running_loop", "current_task",
                                "get_event_loop_policy", "set_event_loop_policy",
                                "get_event_loop", "set_event_loop", "new_event_loop"]
    assert tasks_too == "True"
    assert policies == "None TrioPolicy"
    assert shown != "TrioPolicy"
    text = page("migration/bridge.md")
    for name in ("`get_running_loop`", "`_get_running_loop`", "`current_task`", "`TrioPolicy`"):
        assert name in text, name


@pytest.mark.timeout(120)
@pytest.mark.parametrize("stop", ["a Trio timeout", "Ctrl-C, Trio's default handling",
                                  "Ctrl-C, the call awaited in a child task"])
def test_a_bridged_asyncio_call_is_cancelled_by_a_timeout_and_by_default_ctrl_c(
        stop: str) -> None:
    """Bridge fact 1, by what stops the call. Either way the asyncio side is cancelled and its
    ``except CancelledError`` and ``finally`` run. After a Trio timeout the Trio side sees
    ``trio.Cancelled`` (the scope catches it); after a real SIGINT, with no signal receiver,
    it sees ``KeyboardInterrupt``, which ``trio.run`` raises in a group, where the call is
    awaited in the main task; in a child task (where the crawler's calls run) it sees
    ``trio.Cancelled``, since Trio raises the interrupt in the main task, which cancels the
    nursery it leaves (RV52). The signal lands while every task waits, so Trio delivers it to
    the main task, not to whichever task was running."""
    done = python(f"""
        import asyncio, signal, threading, time
        import trio, trio_asyncio
        from trio_asyncio import aio_as_trio

        async def asyncio_side():
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                print("asyncio side: CancelledError")
                raise
            finally:
                print("asyncio side: finally")

        def press_ctrl_c():
            time.sleep(0.5)  # real time on purpose: the signal must land mid-await
            signal.raise_signal(signal.SIGINT)

        async def bridged():
            try:
                await aio_as_trio(asyncio_side)()
            except BaseException as e:
                print("Trio side:", type(e).__name__)
                raise

        async def main():
            async with trio_asyncio.open_loop():
                with trio.move_on_after(0.5 if {stop!r} == "a Trio timeout" else 60):
                    if {stop!r} != "a Trio timeout":
                        threading.Thread(target=press_ctrl_c, daemon=True).start()
                    if "child" in {stop!r}:
                        async with trio.open_nursery() as nursery:
                            nursery.start_soon(bridged)
                    else:
                        await bridged()

        try:
            trio.run(main)
            print("trio.run returned")
        except BaseExceptionGroup as group:
            matched, rest = group.split(KeyboardInterrupt)
            print("trio.run raised a group of", "KeyboardInterrupt" if matched and not rest
                  else repr(group))
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["asyncio side: CancelledError", "asyncio side: finally"]
    if stop == "a Trio timeout":
        assert lines[2:] == ["Trio side: Cancelled", "trio.run returned"]
    else:
        side = "Cancelled" if "child" in stop else "KeyboardInterrupt"
        assert lines[2] == f"Trio side: {side}"
        assert lines[3:] == ["trio.run raised a group of KeyboardInterrupt"]
    text = " ".join(page("migration/bridge.md").split())
    assert "the Trio side gets the `KeyboardInterrupt`" in text
    assert "awaited in a child task, as the crawler's calls are, the Trio side gets a " \
        "`trio.Cancelled`" in text


#: bridge.md: a default Ctrl-C that lands while the bridged asyncio side runs a busy loop (not a
#: wait), the call awaited in the main task or a child (argv[1]); argv[2], seconds of a
#: ``trio.move_on_after`` around the call, or "none". Shared with tests/test_claims_unpinned.py.
CTRL_C_IN_RUNNING_ASYNCIO = """
import asyncio, contextlib, signal, sys, threading, time
import trio, trio_asyncio
from trio_asyncio import aio_as_trio

WHERE, DEADLINE = sys.argv[1], sys.argv[2]
running = threading.Event()

async def asyncio_side():
    try:
        running.set()
        # a loop with a body: on 3.13 a signal's exception raised at a tight
        # `while cond: pass` can skip the handlers around it (python/cpython#130279)
        end = time.monotonic() + 1
        while True:  # running, not waiting: the signal lands here
            if time.monotonic() >= end:
                break
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        print("asyncio side: CancelledError")
        raise
    except BaseException as e:
        print("asyncio side:", type(e).__name__)
        raise

def press_ctrl_c():
    running.wait()  # once the busy loop has begun, however loaded the machine
    time.sleep(0.2)
    signal.raise_signal(signal.SIGINT)

async def main():
    async with trio_asyncio.open_loop():
        threading.Thread(target=press_ctrl_c, daemon=True).start()
        with (contextlib.nullcontext() if DEADLINE == "none"
              else trio.move_on_after(float(DEADLINE))):
            if WHERE == "child task":
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(aio_as_trio(asyncio_side))
            else:
                await aio_as_trio(asyncio_side)()
        if DEADLINE != "none":
            print("the deadline passed")

trio.run(main)
print("trio.run returned")
"""


def killed_after(where: str, deadline: str, timeout: float) -> list[str]:
    """Run CTRL_C_IN_RUNNING_ASYNCIO (``where``, ``deadline``), check that it is still running
    ``timeout`` seconds after its start (then it is killed), and return the lines it printed."""
    with pytest.raises(subprocess.TimeoutExpired) as hung:
        subprocess.run([sys.executable, "-u", "-W", "error", *AIO_WATCHER, "-c",
                        CTRL_C_IN_RUNNING_ASYNCIO, where, deadline],
                       capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=default_sigint)
    out = hung.value.stdout
    out = out.decode() if isinstance(out, bytes) else out or ""
    return out.splitlines()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_a_ctrl_c_that_lands_in_running_asyncio_code_is_raised_there_and_trio_run_hangs(
        where: str) -> None:
    """bridge.md (SR1): default Ctrl-C that lands while the bridged asyncio side is *running*
    (a busy loop, not a wait) is raised in that code, on 3.11, 3.12 and 3.13: the asyncio side
    gets the ``KeyboardInterrupt`` itself, not a ``CancelledError``; and
    with trio-asyncio 0.16 ``trio.run`` then hangs, in the main task and in a child alike, on
    every version. The run is given 4 s
    after a 1 s busy loop and killed: this test asserts the hang the page warns of, and fails
    the day trio-asyncio ends such a run (then the page changes)."""
    lines = killed_after(where, "none", timeout=5)
    # Every version: the page's old "(on 3.13, in some runs, nothing)" was CPython's #130279
    # in this script's old tight `while cond: pass` (6 runs of 12 on 3.13.0), not trio or
    # trio-asyncio; with a loop that has a body, 36 of 36 printed the line
    assert lines == ["asyncio side: KeyboardInterrupt"]
    assert "(measured, not a test)" not in " ".join(page("migration/bridge.md").split())


def test_after_importing_trio_asyncio_asyncio_run_runs_on_trio_asyncios_loop() -> None:
    """Fresh interpreter: before the import, ``asyncio.run`` runs on asyncio's own loop; after
    it, outside any Trio run, on trio-asyncio's ``SyncTrioEventLoop``, and
    ``new_event_loop()`` makes one too, while the policy shown is still the default."""
    done = python("""
        import asyncio

        async def which_loop():
            return type(asyncio.get_running_loop()).__name__

        print(asyncio.run(which_loop()))
        import trio_asyncio
        print(asyncio.run(which_loop()))
        loop = asyncio.new_event_loop()
        print(type(loop).__name__)
        loop.close()
        print(type(asyncio.get_event_loop_policy()).__name__)
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    before, after, new, shown = done.stdout.splitlines()
    assert before == "_UnixSelectorEventLoop"
    assert after == new == "SyncTrioEventLoop"
    assert shown == "_UnixDefaultEventLoopPolicy"
    assert "`SyncTrioEventLoop`" in page("migration/bridge.md")


def test_a_bridged_call_in_a_cancelled_scope_never_starts_and_a_shielded_one_runs_whole(
) -> None:
    """bridge.md: a cancelled scope cancels the asyncio call it awaits before that call runs a
    line (nothing logged, not even its ``finally``), and the Trio side gets ``Cancelled``; in a
    bounded shield the same call runs whole (an outside reviewer's run, RV-bridge)."""
    done = python("""
        import asyncio, trio, trio_asyncio
        from trio_asyncio import aio_as_trio

        log = []

        async def side():
            log.append("started")
            try:
                await asyncio.sleep(0)
                log.append("after sleep")
            finally:
                log.append("finally")

        async def main():
            async with trio_asyncio.open_loop():
                with trio.CancelScope() as scope:
                    scope.cancel()
                    try:
                        await aio_as_trio(side)()
                    except BaseException as e:
                        log.append("trio side " + type(e).__name__)
                        raise
                with trio.CancelScope() as scope:
                    scope.cancel()
                    with trio.move_on_after(5, shield=True):
                        await aio_as_trio(side)()
                        log.append("shielded call returned")

        trio.run(main)
        print(log)
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(["trio side Cancelled", "started", "after sleep", "finally",
                                       "shielded call returned"])


def test_inside_a_bridged_call_cancellation_is_edge_triggered_and_gather_orphans() -> None:
    """bridge.md: code behind ``aio_as_trio`` keeps asyncio's semantics: ``gather`` raises and
    leaves the sibling running (it finishes later), and a cancellation is delivered once, the
    next await going through (an outside reviewer's run, RV-bridge)."""
    done = python("""
        import asyncio, trio, trio_asyncio
        from trio_asyncio import aio_as_trio

        log = []

        async def sibling():
            await asyncio.sleep(0.05)
            log.append("sibling finished")

        async def boom():
            raise ValueError("x")

        async def gathered():
            task = asyncio.ensure_future(sibling())
            try:
                await asyncio.gather(boom(), task)
            except ValueError:
                log.append(f"gather raised; sibling done? {task.done()}")
            await asyncio.sleep(0.1)

        async def edge():
            asyncio.current_task().cancel()
            try:
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                log.append("cancelled once")
            await asyncio.sleep(0.01)
            log.append("next await went through")

        async def main():
            async with trio_asyncio.open_loop():
                await aio_as_trio(gathered)()
                await aio_as_trio(edge)()

        trio.run(main)
        print(*log, sep="\\n")
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["gather raised; sibling done? False", "sibling finished",
                                        "cancelled once", "next await went through"]


def test_loops_made_by_class_factory_or_after_a_policy_stay_asyncios_own() -> None:
    """The page: after the import, a loop made by its class or a factory is still asyncio's,
    and so is every loop ``asyncio.run`` and ``new_event_loop`` make in the thread that then set
    a policy of asyncio's; a policy set *before* the import is the one shown, but
    ``asyncio.run`` still runs on trio-asyncio's loop (an outside reviewer's cases, RV-bridge)."""
    done = python("""
        import asyncio

        class Mine(asyncio.DefaultEventLoopPolicy):
            pass

        asyncio.set_event_loop_policy(Mine())
        import trio_asyncio

        async def which_loop():
            return type(asyncio.get_running_loop()).__name__

        print(type(asyncio.get_event_loop_policy()).__name__, asyncio.run(which_loop()))
        loop = asyncio.SelectorEventLoop()
        print(type(loop).__name__)
        loop.close()
        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            print(runner.run(which_loop()))
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
        print(asyncio.run(which_loop()))
        loop = asyncio.new_event_loop()
        print(type(loop).__name__)
        loop.close()
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Mine SyncTrioEventLoop", "_UnixSelectorEventLoop", "_UnixSelectorEventLoop",
        "_UnixSelectorEventLoop", "_UnixSelectorEventLoop"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("awaited", ["asyncio.sleep(0.01)", "a loop future"])
@pytest.mark.parametrize("where", ["main task", "child task"])
def test_an_asyncio_awaitable_in_trio_code_fails_even_inside_open_loop(
        awaited: str, where: str) -> None:
    """Bridge fact 4 says Trio code sees a running asyncio loop. That does not make asyncio's
    awaitables work there: awaited from Trio code, in the main task or a child, they fail with
    "trio.run received unrecognized yield message"; through ``aio_as_trio`` they work."""
    done = python(f"""
        import asyncio
        import trio, trio_asyncio
        from trio_asyncio import aio_as_trio

        async def sleep_briefly():
            if {awaited!r} == "asyncio.sleep(0.01)":
                await asyncio.sleep(0.01)
            else:
                loop = asyncio.get_running_loop()
                future = loop.create_future()
                loop.call_soon(future.set_result, None)
                await future

        async def from_trio():
            try:
                await sleep_briefly()
            except TypeError as e:
                print(str(e).split(" <")[0])

        async def main():
            async with trio_asyncio.open_loop():
                if {where!r} == "main task":
                    await from_trio()
                else:
                    async with trio.open_nursery() as nursery:
                        nursery.start_soon(from_trio)
                await aio_as_trio(sleep_briefly)()
                print("through aio_as_trio: fine")

        trio.run(main)
    """, bridge=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "trio.run received unrecognized yield message", "through aio_as_trio: fine"]
    text = page("migration/bridge.md")
    assert "rigidly separate" in text and "unrecognized yield message" in text


# ---------------------------------------------------------------------------------------------
# old-names.md: a deprecated queue, trio.Process, trio.hazmat.


def test_lowlevel_unboundedqueue_is_deprecated_and_fails_under_w_error() -> None:
    with pytest.warns(trio.TrioDeprecationWarning, match=r"deprecated since Trio 0\.9\.0"):
        trio.lowlevel.UnboundedQueue[int]()
    done = python("import trio.lowlevel; trio.lowlevel.UnboundedQueue()")
    assert done.returncode == 1 and "TrioDeprecationWarning" in done.stderr
    text = page("old-names.md")
    assert "lives on" not in text
    deprecated = text.split("still there but deprecated")[1]
    assert "`trio.lowlevel.UnboundedQueue`" in deprecated


@pytest.mark.timeout(60)
def test_trio_process_has_no_public_constructor() -> None:
    """Old answers build a process with ``trio.Process(cmd)``: today that is a TypeError."""
    process_class: Any = trio.Process
    with pytest.raises(TypeError, match="no public constructor"):
        process_class([sys.executable, "-c", "pass"])

    async def the_ways_today() -> list[int]:  # the page's replacements: each gives a Process
        command = [sys.executable, "-c", "pass"]
        done = await trio.run_process(command)
        async with trio.open_nursery() as nursery:
            live = await nursery.start(trio.run_process, command)
            assert isinstance(live, trio.Process)
        low = await trio.lowlevel.open_process(command)
        assert isinstance(low, trio.Process)
        return [done.returncode, live.returncode, await low.wait()]

    assert trio.run(the_ways_today) == [0, 0, 0]
    assert "`trio.Process(...)`" in page("old-names.md")


@pytest.mark.timeout(60)
def test_a_process_is_not_an_async_context_manager() -> None:
    """Old answers write ``async with process:``; a Process has neither ``__aenter__`` nor
    ``aclose`` today: ``await process.wait()`` (or ``run_process``) instead."""

    async def main() -> int:
        process = await trio.lowlevel.open_process([sys.executable, "-c", "pass"])
        try:
            managed: Any = process
            with pytest.raises(TypeError, match="asynchronous context manager"):
                async with managed:
                    pass  # pragma: no cover
            assert not isinstance(process, AbstractAsyncContextManager)
            assert not hasattr(process, "aclose")
        finally:
            code = await process.wait()
        return code

    assert trio.run(main) == 0
    assert "`async with process:`" in page("old-names.md")


def test_trio_hazmat_is_gone_and_trio_lowlevel_has_its_functions() -> None:
    """``trio.hazmat.current_task()`` and friends: no alias, no deprecation, just gone."""
    with pytest.raises(AttributeError):
        trio.hazmat  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("trio.hazmat")
    for name in ("current_task", "current_trio_token", "checkpoint", "wait_readable",
                 "spawn_system_task", "open_process"):
        assert callable(getattr(trio.lowlevel, name)), name
    assert "`trio.hazmat.current_task()`" in page("old-names.md")


# ---------------------------------------------------------------------------------------------
# migration/anyio.md: httpx runs on both loops through httpcore's two backends.


class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def stream_class(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        assert response.text == "ok"
        stream = response.extensions["network_stream"]
        return f"{type(stream).__module__}.{type(stream).__name__}"


@pytest.mark.timeout(60)
def test_httpx_uses_httpcores_own_trio_backend_and_anyio_only_on_asyncio(local_url: str) -> None:
    """httpcore picks its backend by sniffio: under Trio (plain ``trio.run`` or AnyIO's Trio
    backend) its own TrioBackend, on Trio sockets; under asyncio, AnyIO's."""
    trio_stream = "httpcore._backends.trio.TrioStream"
    anyio_stream = "httpcore._backends.anyio.AnyIOStream"
    assert trio.run(stream_class, local_url) == trio_stream
    assert anyio.run(stream_class, local_url, backend="trio") == trio_stream
    assert asyncio.run(stream_class(local_url)) == anyio_stream
    assert anyio.run(stream_class, local_url, backend="asyncio") == anyio_stream
    text = page("migration/anyio.md")
    assert "built this way" not in text
    assert "its own Trio backend" in text


# ---------------------------------------------------------------------------------------------
# index.md: the lesson table lists every lesson of the catalogue, in order.


def test_the_index_lists_every_lesson_of_the_catalogue() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = re.findall(r"^\| \[[^\]]+\]\(lessons/(\w+)\.md\) \|", index, re.M)
    assert linked == [lesson.name for lesson in LESSONS]
    for name in linked:
        assert (DOCS / "lessons" / f"{name}.md").exists(), name


def test_trios_streams_have_no_readline_but_its_files_do() -> None:
    """index.md's server row: it is Trio's *streams* that have no ``readline`` (the server
    lesson writes its own); Trio's async file objects do have one."""
    for stream in (trio.SocketStream, trio.SSLStream, trio.StapledStream, trio.abc.ReceiveStream):
        assert not hasattr(stream, "readline"), stream
    assert "readline" in dir(trio.wrap_file(io.StringIO("a line\n")))
    index = page("index.md")
    assert "Trio's streams have no `readline`" in index and "Trio has no `readline`" not in index


def test_the_index_says_which_tests_use_the_real_clock() -> None:
    """index.md: the network lessons' shared tests use no virtual clock, and a few other tests
    wait on the real clock on purpose, so "no test waits on the real clock" would be false."""
    virtual = re.compile(r"mock_clock|MockClock|VirtualTimeLoop|autojump")
    for name in ("test_crawler.py", "test_server.py"):
        assert not virtual.search((ROOT / "tests" / name).read_text(encoding="utf-8")), name
    cli = (ROOT / "tests" / "test_cli.py").read_text(encoding="utf-8")
    assert "def test_run_both_on_the_real_clock_smoke(" in cli
    index = page("index.md")
    assert "No test waits on the real clock" not in index
    assert "the crawler and the server, are the exception" in index


# ---------------------------------------------------------------------------------------------
# The helpers above must not hide what they test.


def test_recorded_warnings_sees_a_warning_from_a_finalised_coroutine() -> None:
    async def nothing() -> None:
        pass

    with recorded_warnings() as got:
        nothing()  # type: ignore[unused-coroutine]
    assert never_awaited(got) == ["coroutine 'test_recorded_warnings_sees_a_warning_from_a_"
                                  "finalised_coroutine.<locals>.nothing' was never awaited"]


def test_math_inf_is_what_an_unbounded_channel_takes() -> None:
    """old-names.md's replacement for the deprecated queue: an unbounded memory channel."""
    send, receive = trio.open_memory_channel[int](math.inf)
    for i in range(1000):
        send.send_nowait(i)
    assert [receive.receive_nowait() for _ in range(1000)] == list(range(1000))
    send.close()
    receive.close()


# ---------------------------------------------------------------------------------------------
# Every test these pages name exists (the migration chapters have their own such check).


@pytest.mark.parametrize("name", ["porting.md", "lessons/count.md", "notebooks.md"])
def test_every_test_a_page_names_exists(name: str) -> None:
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    named = set(re.findall(r"`(?:tests/test_\w+\.py::)?(test_\w+)", page(name)))
    assert named, f"{name} names no test"
    for test in named:
        assert re.search(rf"^def {test}\(", tests, re.M), f"{name} names missing {test}"
