"""Cancellation from outside: a deadline around a lesson's ``main``, in both frameworks.

What must hold in both: the deadline stops the lesson at the deadline, not later; every task
the lesson started has run its cleanup (its ``finally``) by the time the deadline block exits;
and nothing is left running afterwards. In asyncio that means ``asyncio.all_tasks()`` holds
only the current task; in Trio, that no task is left below the current one (the lesson's
nursery is gone).

Where the frameworks differ, and these tests pin it:

* the exception: ``asyncio.timeout``/``wait_for`` raise the builtin ``TimeoutError``;
  ``trio.fail_after`` raises ``trio.TooSlowError``, which is *not* a ``TimeoutError``, so an
  ``except TimeoutError`` ported as it is lets it through. ``trio.move_on_after`` raises
  nothing at all: check ``cancelled_caught``.
* cleanup that awaits: asyncio delivers ``CancelledError`` once (edge-triggered), so a
  ``finally`` may await freely and the deadline block ends only when that cleanup is done.
  Trio's cancellation is level-triggered: inside the cancelled scope *every* checkpoint raises
  ``Cancelled`` again, so an await in ``finally`` is cut short at once, unless the cleanup
  runs in a shielded scope, bounded so that a hung cleanup cannot hold the program forever:
  ``trio.move_on_after(t, shield=True)``.

Faults and cleanup are injected from here (the lessons carry no hooks): each test wraps the
function every task of the lesson runs (``count_async``, ``makerandom``, ``chain``, the
queue's ``consume``) with a ``try/finally`` that records the cleanup.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.testing

from tests.test_faults import lesson_module, run_virtual, sleep_for
from walkthrough import catalogue
from walkthrough.clocks import VirtualTimeLoop, mock_clock


@dataclass(frozen=True)
class Case:
    """How to call a lesson's ``main``, which function each task runs, and a deadline that
    falls while tasks are still asleep (off the whole seconds the lessons sleep)."""

    lesson: str
    main: Callable[[ModuleType], Callable[[], Awaitable[Any]]]
    task_fn: str
    tasks: int
    deadline: float


def _chained_main(mod: ModuleType) -> Callable[[], Awaitable[Any]]:
    args = catalogue.get("chained").params["args"]
    return lambda: mod.main(*args)


def _queue_main(mod: ModuleType) -> Callable[[], Awaitable[Any]]:
    params = catalogue.get("queue").params
    return lambda: mod.main(**{k: params[k] for k in ("nprod", "ncon")}, seed=params["seed"])


CASES = {
    "count": Case("count", lambda mod: mod.main_async, "count_async", 3, 0.5),
    "makerandom": Case("makerandom", lambda mod: mod.main, "makerandom", 2, 2.5),
    "chained": Case("chained", _chained_main, "chain", 3, 3.5),
    "queue": Case("queue", _queue_main, "consume", 2, 3.5),
}


def watch_cleanup(
    mod: ModuleType, case: Case, impl: str, monkeypatch: pytest.MonkeyPatch,
    *, cleanup_sleep: float = 0.0, shield: bool = False,
) -> list[tuple[str, float]]:
    """Wrap ``case.task_fn`` so that each call records when its cleanup starts and ends.

    ``cleanup_sleep`` makes the cleanup await (an async close, a final flush); ``shield``
    runs it in a shielded cancel scope (Trio only).
    """
    original = getattr(mod, case.task_fn)
    log: list[tuple[str, float]] = []
    numbers = itertools.count()
    now: Callable[[], float] = (
        _asyncio_elapsed if impl == "asyncio" else trio.current_time
    )

    async def cleanup(n: int) -> None:
        log.append((f"cleanup {n} started", now()))
        if cleanup_sleep:
            if shield:
                with trio.move_on_after(10 * cleanup_sleep, shield=True):  # bounded
                    await trio.sleep(cleanup_sleep)
            else:
                await sleep_for(impl)(cleanup_sleep)
        log.append((f"cleanup {n} done", now()))

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        n = next(numbers)
        try:
            return await original(*args, **kwargs)
        finally:
            await cleanup(n)

    monkeypatch.setattr(mod, case.task_fn, wrapped)
    return log


def _asyncio_elapsed() -> float:
    """Virtual seconds since the loop started: ``VirtualTimeLoop`` starts at a random reading."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    return loop.time() - loop.offset


def in_deadline(impl: str, kind: str, deadline: float, call: Callable[[], Awaitable[Any]]
                ) -> Callable[[], Awaitable[Any]]:
    """``call()`` inside one of the frameworks' deadline constructs."""

    async def aio_timeout() -> Any:
        async with asyncio.timeout(deadline):
            return await call()

    async def aio_wait_for() -> Any:
        return await asyncio.wait_for(call(), deadline)

    async def trio_move_on() -> Any:
        with trio.move_on_after(deadline) as scope:
            await call()
        return f"cancelled_caught={scope.cancelled_caught}"

    async def trio_fail_after() -> Any:
        with trio.fail_after(deadline):
            return await call()

    return {
        ("asyncio", "timeout"): aio_timeout,
        ("asyncio", "wait_for"): aio_wait_for,
        ("trio", "move_on_after"): trio_move_on,
        ("trio", "fail_after"): trio_fail_after,
    }[impl, kind]


#: Known failures of a lesson, waiting for its owner's fix: (lesson, impl) -> what and the fix.
#: Temporary by design: the xfail is strict, so the fix turns it into a failure to remove here.
KNOWN: dict[tuple[str, str], str] = {}

DEADLINES = [("asyncio", "timeout"), ("asyncio", "wait_for"),
             ("trio", "move_on_after"), ("trio", "fail_after")]


@pytest.mark.parametrize("lesson", list(CASES))
@pytest.mark.parametrize(("impl", "kind"), DEADLINES)
def test_a_deadline_stops_the_lesson_cleans_up_and_leaves_nothing_running(
    lesson: str, impl: str, kind: str, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    case = CASES[lesson]
    mod = lesson_module(lesson, impl)
    if (lesson, impl) in KNOWN:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN[lesson, impl]))
    log = watch_cleanup(mod, case, impl, monkeypatch)
    run = run_virtual(impl, in_deadline(impl, kind, case.deadline, case.main(mod)), linger=60)

    # It stopped at the deadline, and said so in the framework's own way.
    assert run.ended_at == pytest.approx(case.deadline)
    if kind == "move_on_after":
        assert run.error is None and run.result == "cancelled_caught=True"
    elif kind == "fail_after":
        assert isinstance(run.error, trio.TooSlowError)
        assert not isinstance(run.error, TimeoutError)  # the divergence: see module docstring
    else:
        assert isinstance(run.error, TimeoutError), run.error

    # Every task that was still running ran its cleanup, before the deadline block exited.
    started = [entry for entry in log if entry[0].endswith("started")]
    done = [entry for entry in log if entry[0].endswith("done")]
    assert len(started) == len(done) >= case.tasks
    assert all(t <= case.deadline + 1e-9 for _, t in log)

    # Nothing left running, and nothing printed after the deadline.
    assert run.alive_after == 0
    assert run.lines_after(case.deadline) == []


# --------------------------------------------------------------------------------------------
# Cleanup that awaits: edge-triggered (asyncio) vs level-triggered (Trio) cancellation.


def test_asyncio_cleanup_may_await_after_cancellation(monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncio cancels once: each count's ``finally`` sleeps its full second, and the
    ``timeout`` block ends only when they are done, at 0.5 + 1."""
    case = CASES["count"]
    mod = lesson_module("count", "asyncio")
    log = watch_cleanup(mod, case, "asyncio", monkeypatch, cleanup_sleep=1.0)
    run = run_virtual("asyncio", in_deadline("asyncio", "timeout", 0.5, case.main(mod)))
    assert isinstance(run.error, TimeoutError)
    assert run.ended_at == pytest.approx(1.5)
    assert sorted(t for what, t in log if what.endswith("done")) == pytest.approx([1.5] * 3)
    assert run.alive_after == 0


def test_trio_cleanup_await_is_cut_short_unless_shielded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trio cancels at every checkpoint of the cancelled scope: the ``finally``'s sleep raises
    ``Cancelled`` at once, so "cleanup done" is never reached and the block ends at 0.5. The
    port of an awaiting cleanup needs a bounded shield, ``trio.move_on_after(t, shield=True)``."""
    case = CASES["count"]
    mod = lesson_module("count", "trio")
    log = watch_cleanup(mod, case, "trio", monkeypatch, cleanup_sleep=1.0)
    run = run_virtual("trio", in_deadline("trio", "move_on_after", 0.5, case.main(mod)))
    assert run.ended_at == pytest.approx(0.5)
    assert [what for what, _ in log if what.endswith("done")] == []
    assert len([what for what, _ in log if what.endswith("started")]) == 3


def test_trio_shielded_cleanup_completes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same cleanup in a (bounded) shielded scope runs to the end, as asyncio's did."""
    case = CASES["count"]
    mod = lesson_module("count", "trio")
    log = watch_cleanup(mod, case, "trio", monkeypatch, cleanup_sleep=1.0, shield=True)
    run = run_virtual("trio", in_deadline("trio", "move_on_after", 0.5, case.main(mod)))
    assert run.ended_at == pytest.approx(1.5)
    assert sorted(t for what, t in log if what.endswith("done")) == pytest.approx([1.5] * 3)
    assert run.alive_after == 0


def test_except_timeouterror_does_not_catch_trios_tooslowerror() -> None:
    """A port that keeps ``except TimeoutError`` around ``fail_after`` lets the error escape."""

    async def main() -> str:
        try:
            with trio.fail_after(1):
                await trio.sleep(2)
        except TimeoutError:
            return "caught as TimeoutError"
        except trio.TooSlowError:
            return "caught as TooSlowError"
        return "not cancelled"

    assert trio.run(main, clock=mock_clock()) == (
        "caught as TooSlowError"
    )
