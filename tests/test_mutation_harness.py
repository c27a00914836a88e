"""The recorder, the side-by-side table, the runner: slips mutmut planted that no test noticed.

``scripts/mutation.py`` (issue 27, ``docs/mutation.md``) run on ``walkthrough/activity.py``
(and ``render.py``, ``runner.py``) found, per kind of slip:

* ``activity``: the lessons run on the virtual clock, where a task's step takes no time, so a
  step's *start* could be lost (taken as its end) and nothing noticed; on the real clock a step
  does take time, and ``walkthrough timeline`` draws it. Here the recorders are driven by a clock
  the test moves by hand inside a step, as a busy step moves the real one. Also: a task
  spawned before its first step (its first wait), a cancelled asyncio task (``throw``), a
  task started in a context of its own (``create_task(..., context=)``), a coroutine that is not
  a native one (no ``cr_code``, no ``__qualname__``), the wrapper driven or awaited directly,
  the sync phase's last step and exit, and ``Activity.phases``.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextlib
import contextvars
from collections.abc import Generator
from typing import Any

import pytest
import trio

from walkthrough.activity import (
    Activity,
    AsyncioRecorder,
    RecordingSyncClock,
    TaskRecord,
    TrioRecorder,
    _SteppedCoroutine,
)

# -- activity -------------------------------------------------------------------------------------


class _Hand:
    """A clock the test moves by hand, inside a task's step: as a busy step moves the real one."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _spans(activity: Activity) -> dict[str, tuple[float, list[tuple[float, float]], float | None]]:
    return {r.name.rsplit(".", 1)[-1]: (r.spawned, r.steps, r.exited) for r in activity.records}


def test_trio_recorder_notes_when_each_step_began_and_ended() -> None:
    """A step that takes time is drawn from its start: the start must be the one noted before
    the step, not its end; a task spawned at 1.0 that first runs at 2.0 waited in between."""
    hand, activity = _Hand(), Activity()

    async def child() -> None:
        hand.t += 0.5  # the child's one step takes half a second

    async def main() -> None:
        hand.t = 1.0
        async with trio.open_nursery() as nursery:
            nursery.start_soon(child)  # spawned at 1.0
            hand.t = 2.0  # main's first step goes on until 2.0

    trio.run(main, instruments=[TrioRecorder(activity, "p", hand)])
    spans = _spans(activity)
    assert set(spans) == {"main", "child"}
    assert spans["child"] == (1.0, [(2.0, 2.5)], 2.5)
    assert spans["main"][1][0] == (0.0, 2.0)
    late = next(r for r in activity.records if r.name.endswith("child"))
    assert late.waits() == [(1.0, 2.0)]
    assert late.run_instants() == [2.0]


def test_asyncio_recorder_notes_when_each_step_began_and_ended() -> None:
    """The same on asyncio's task factory: each ``send`` is one step, from its start to its end,
    and the task's last step (its return) is its exit."""
    hand, activity = _Hand(), Activity()

    async def child() -> None:
        hand.t += 0.5
        await asyncio.sleep(0)
        hand.t += 0.25

    async def main() -> None:
        hand.t = 1.0
        task = asyncio.create_task(child())  # spawned at 1.0
        hand.t = 2.0
        await task
        hand.t += 1.0

    with asyncio.Runner() as runner:
        runner.get_loop().set_task_factory(AsyncioRecorder(activity, "p", hand))
        runner.run(main())
    spans = _spans(activity)
    assert spans["child"] == (1.0, [(2.0, 2.5), (2.5, 2.75)], 2.75)
    assert spans["main"] == (0.0, [(0.0, 2.0), (2.75, 3.75)], 3.75)
    main_record = next(r for r in activity.records if r.name.endswith("main"))
    assert main_record.waits() == [(2.0, 2.75)]


def test_a_cancelled_asyncio_task_is_thrown_into_and_exits_then() -> None:
    """Cancellation reaches the task through the wrapper's ``throw``: the task sees it, may
    clean up (a step that takes time), and its exit is when it finished doing so."""
    hand, activity = _Hand(), Activity()
    seen: list[str] = []

    async def sleeper() -> None:
        try:
            await asyncio.sleep(3600)  # cancelled at once: no real waiting
        except asyncio.CancelledError:
            seen.append("cancelled")
            hand.t += 0.5
            raise

    async def main() -> bool:
        task = asyncio.create_task(sleeper())
        await asyncio.sleep(0)
        hand.t = 1.0
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return task.cancelled()

    with asyncio.Runner() as runner:
        runner.get_loop().set_task_factory(AsyncioRecorder(activity, "p", hand))
        assert runner.run(main()) is True
    assert seen == ["cancelled"]
    assert _spans(activity)["sleeper"] == (0.0, [(0.0, 0.0), (1.0, 1.5)], 1.5)


_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("_VAR", default="outside")


def test_a_task_started_in_a_context_of_its_own_runs_in_it() -> None:
    """``create_task(..., context=ctx)`` must run the task in ``ctx``, for the user's coroutines
    and for asyncio's own (``to_thread`` copies the task's context into its thread)."""
    activity = Activity()
    ctx = contextvars.copy_context()
    ctx.run(_VAR.set, "inside")

    async def read() -> str:
        return _VAR.get()

    async def main() -> tuple[str, str]:
        user = asyncio.create_task(read(), context=ctx)
        own = asyncio.create_task(asyncio.to_thread(_VAR.get), context=ctx)
        return await user, await own

    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        loop.set_task_factory(AsyncioRecorder(activity, "p", loop.time))
        assert runner.run(main()) == ("inside", "inside")
    assert sorted(r.name.rsplit(".", 1)[-1] for r in activity.records) == ["main", "read"]


class _Compiled(collections.abc.Coroutine):  # type: ignore[type-arg]
    """A coroutine that is not a native one (as Cython compiles them): no ``cr_code``, and its
    instances have no ``__qualname__``."""

    def __init__(self, value: int) -> None:
        self._value = value

    def send(self, value: Any) -> Any:
        raise StopIteration(self._value)

    def throw(self, *args: Any) -> Any:
        raise args[0]

    def close(self) -> None:
        pass

    def __await__(self) -> Generator[Any, None, Any]:
        return self._value
        yield  # never reached: it makes this method a generator


def test_a_coroutine_that_is_not_a_native_one_is_recorded_by_its_class_name() -> None:
    activity = Activity()

    async def main() -> object:
        return await asyncio.create_task(_Compiled(5))  # type: ignore[arg-type]

    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        loop.set_task_factory(AsyncioRecorder(activity, "p", loop.time))
        assert runner.run(main()) == 5
    assert [r.name.rsplit(".", 1)[-1] for r in activity.records] == ["main", "_Compiled"]


def test_the_asyncio_wrapper_forwards_sends_and_can_be_awaited() -> None:
    """The wrapper is transparent: a value sent in reaches the coroutine, ``close`` closes it,
    and awaiting the wrapper (of a coroutine or a plain generator) gives the coroutine's result.
    (Of a ``@types.coroutine`` generator it fails: Python refuses such an ``__await__`` result.
    Nothing awaits the wrapper, asyncio.Task drives it by ``send``, so that is left as it is.)"""

    class Ask:
        def __await__(self) -> Generator[str, int, int]:
            return (yield "ask")

    async def asker() -> int:
        return await Ask()

    hand = _Hand()
    record = TaskRecord("p", "asker", 0.0)
    wrapper = _SteppedCoroutine(asker(), record, hand)
    assert wrapper.send(None) == "ask"
    hand.t = 1.0
    with pytest.raises(StopIteration) as stop:
        wrapper.send(42)
    assert stop.value.value == 42
    assert (record.steps, record.exited) == ([(0.0, 0.0), (1.0, 1.0)], 1.0)

    async def waiting() -> None:
        await asyncio.sleep(0)

    idle = _SteppedCoroutine(waiting(), TaskRecord("p", "idle", 0.0), hand)
    idle.send(None)
    idle.close()
    assert idle.cr_frame is None  # closed: the wrapped coroutine's own attribute says so

    async def seven() -> int:
        await asyncio.sleep(0)
        return 7

    def eight() -> Generator[None, None, int]:  # a generator, as asyncio.Task accepts one
        yield
        return 8

    async def outer() -> tuple[int, int]:
        a = await _SteppedCoroutine(seven(), TaskRecord("p", "seven", 0.0), hand)
        b = await _SteppedCoroutine(eight(), TaskRecord("p", "eight", 0.0), hand)
        return a, b

    assert asyncio.run(outer()) == (7, 8)


def test_a_sync_phase_records_each_sleep_and_its_last_step_and_exit() -> None:
    record = TaskRecord("demo_sync", "demo_sync", 0.0)
    clock = RecordingSyncClock(record)
    clock.sleep(1)
    clock.sleep(2)
    clock.finish()
    assert record.steps == [(0.0, 0.0), (1.0, 1.0), (3.0, 3.0)]
    assert record.exited == 3.0
    assert record.waits() == [(0.0, 1.0), (1.0, 3.0)]


def test_a_step_ended_without_a_noted_start_is_an_instant_and_a_start_is_used_once() -> None:
    """A record can be asked to end a step it did not see begin (an instrument added while a
    task ran): that step is the instant it ended, and a start once used is not used again."""
    record = TaskRecord("p", "t", 0.0)
    record.end_step(1.0)
    record.begin_step(2.0)
    record.end_step(3.0)
    record.end_step(4.0)
    assert record.steps == [(1.0, 1.0), (2.0, 3.0), (4.0, 4.0)]


def test_activity_phases_in_the_order_they_first_ran() -> None:
    activity = Activity()
    for phase in ("demo_sync", "demo_async", "demo_sync", "other"):
        activity.spawn(phase, "t", 0.0)
    assert activity.phases() == ["demo_sync", "demo_async", "other"]
    assert [r.phase for r in activity.in_phase("demo_sync")] == ["demo_sync", "demo_sync"]
