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
import io
import time
import types
from collections.abc import Generator
from typing import Any

import pytest
import trio
from rich.console import Console
from rich.style import Style

from walkthrough import catalogue
from walkthrough.activity import (
    Activity,
    AsyncioRecorder,
    RecordingSyncClock,
    TaskRecord,
    TrioRecorder,
    _SteppedCoroutine,
)
from walkthrough.render import side_by_side
from walkthrough.runner import run_lesson, run_phase
from walkthrough.trace import Event, Trace, compare

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


# -- render.side_by_side -------------------------------------------------------------------------


def _pair() -> tuple[Trace, Trace]:
    """Two phases; fragments run on into one line (``print("+", end=" ")``), a blank line is
    shown, a fragment closed by ``print()`` is not a blank line, a line carries ANSI colour, a
    long line folds, and the Trio side has an instant the asyncio side lacks, listed after it."""
    a = Trace(impl="asyncio", lesson="count", events=[
        Event("demo_sync", 0.0, 0, "One"),
        Event("demo_sync", 1.0, 0, "+", False), Event("demo_sync", 1.0, 0, " done"),
        Event("demo_async", 0.0, 1, ""), Event("demo_async", 0.0, 2, "x", False),
        Event("demo_async", 0.0, 2, ""),
        Event("demo_async", 0.5, 2, "\x1b[1mbold\x1b[0m"),
        Event("demo_async", 2.5, 1, "a long line " * 4)],
        outcomes={"demo_sync": "None", "demo_async": "None"})
    b = Trace(impl="trio", lesson="count", events=[
        Event("demo_sync", 0.0, 0, "One"), Event("demo_sync", 1.0, 0, "+ done"),
        Event("demo_async", 0.0, 1, ""), Event("demo_async", 0.0, 1, ""),
        Event("demo_async", 1.5, 1, "early")],
        outcomes={"demo_sync": "None", "demo_async": "None"})
    return a, b


SIDE_BY_SIDE = """\
count: asyncio and trio, on the virtual clock
┏━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ t (s) ┃ asyncio                 ┃ trio                   ┃
┡━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩
│       │ phase demo_sync         │ phase demo_sync        │
├───────┼─────────────────────────┼────────────────────────┤
│  0.00 │ One                     │ One                    │
├───────┼─────────────────────────┼────────────────────────┤
│  1.00 │ + done                  │ + done                 │
├───────┼─────────────────────────┼────────────────────────┤
│       │ phase demo_async        │ phase demo_async       │
├───────┼─────────────────────────┼────────────────────────┤
│  0.00 │ ⏎                       │ ⏎                      │
│       │ x                       │ ⏎                      │
├───────┼─────────────────────────┼────────────────────────┤
│  0.50 │ bold                    │                        │
├───────┼─────────────────────────┼────────────────────────┤
│  1.50 │                         │ early                  │
├───────┼─────────────────────────┼────────────────────────┤
│  2.50 │ a long line a long line │                        │
│       │ a long line a long line │                        │
└───────┴─────────────────────────┴────────────────────────┘
verdict: first divergence in phase 'demo_sync' at t=1.00s:
different lines here
  expected: + |  done
  got:      + done
"""


def _plain(renderable: object, width: int) -> str:
    console = Console(width=width, color_system=None)
    with console.capture() as captured:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"


def test_side_by_side_one_row_per_instant_under_each_phase_and_the_verdict_below() -> None:
    """The whole table as a terminal 60 columns wide shows it: the title and the verdict at the
    left, the times right-aligned to two decimals, a line between rows, the phases in the order
    they ran with a heading each, the instants in order, both code columns as wide."""
    a, b = _pair()
    assert _plain(side_by_side(a, b, compare(a, b)), 60) == SIDE_BY_SIDE


def test_side_by_side_of_one_phase_has_no_heading_and_without_a_verdict_no_caption() -> None:
    a, b = _pair()
    a.events = [e for e in a.events if e.phase == "demo_sync"]
    b.events = [e for e in b.events if e.phase == "demo_sync"]
    assert _plain(side_by_side(a, b, clock="real clock"), 50) == """\
count: asyncio and trio, on the real clock
┏━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ t (s) ┃ asyncio            ┃ trio              ┃
┡━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│  0.00 │ One                │ One               │
├───────┼────────────────────┼───────────────────┤
│  1.00 │ + done             │ + done            │
└───────┴────────────────────┴───────────────────┘
"""


def test_side_by_side_is_as_wide_as_asked_or_as_the_terminal() -> None:
    a, b = _pair()
    assert {len(line) for line in _plain(side_by_side(a, b), 100).splitlines()[1:5]} == {100}
    narrow = _plain(side_by_side(a, b, width=50), 100).splitlines()[1:5]
    assert {len(line) for line in narrow} == {50}


def test_side_by_side_styles_the_time_the_blank_line_the_headings_and_keeps_ansi() -> None:
    """The time column and the blank line's mark are dim, the phase headings bold cyan, and a
    lesson's own ANSI colour is kept; the time never wraps, even in a narrow table."""
    a, b = _pair()
    console = Console(width=60, color_system="truecolor", force_terminal=True)
    segments = list(console.render(side_by_side(a, b)))

    def styles(text: str) -> list[Style]:
        """The style of every piece of the table that shows ``text`` (in either column)."""
        found = [s.style or Style() for s in segments if s.text.strip() == text]
        assert found, text
        return found

    assert all(style.dim for style in styles("0.50") + styles("⏎"))
    headings = styles("phase demo_async")
    assert len(headings) == 2  # one in each column
    assert all(h.bold and h.color is not None and h.color.name == "cyan" for h in headings)
    assert all(style.bold for style in styles("bold"))


def test_side_by_side_folds_a_long_word_whole_and_never_cuts_the_time() -> None:
    """A line with no space to break at (a URL) is folded onto the next lines in each column,
    never cut with an ellipsis; and in a narrow terminal the code columns give way, not the
    time, which stays whole."""
    url = "https://example.com/a/very/long/path/without/a/space"
    a = Trace(impl="asyncio", lesson="crawl", events=[Event("demo", 12.5, 0, url)])
    b = Trace(impl="trio", lesson="crawl", events=[Event("demo", 12.5, 0, url)])
    wide = _plain(side_by_side(a, b), 40)
    assert "…" not in wide
    rows = [line.split("│") for line in wide.splitlines() if line.startswith("│")]
    assert ["".join(row[col].strip() for row in rows) for col in (2, 3)] == [url, url]
    narrow = _plain(side_by_side(a, b), 16)
    assert "│ 12.50 │" in narrow and "…" not in narrow


# -- runner ---------------------------------------------------------------------------------------


BUSY = 0.002


def _lesson_module(impl: str, seen: dict[str, object]) -> types.ModuleType:
    """A stand-in for the count lesson's twin (``module=``): the same phases, no sleeping, and
    each phase notes which clock it ran on."""
    module = types.ModuleType(f"stand_in_{impl}")

    def busy() -> None:
        """Two real milliseconds of work (not a sleep; ``time.monotonic``, which no virtual
        clock replaces): on the real clock, time passes during a phase."""
        start = time.monotonic()
        while time.monotonic() - start < BUSY:
            pass

    def demo_sync() -> str:
        seen["sleep"] = time.sleep
        busy()
        print("sync line")
        return "sync done"

    if impl == "trio":
        async def demo_async() -> int:
            seen["clock"] = type(trio.lowlevel.current_clock()).__name__
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.lowlevel.checkpoint)
            busy()
            print("async line")
            return 7
    else:
        async def demo_async() -> int:
            seen["clock"] = type(asyncio.get_running_loop()).__name__
            await asyncio.create_task(asyncio.sleep(0))
            busy()
            print("async line")
            return 7

    module.demo_sync = demo_sync  # type: ignore[attr-defined]
    module.demo_async = demo_async  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("virtual", [True, False], ids=["virtual", "real"])
def test_a_run_on_either_clock_uses_that_clock_shows_its_lines_live_and_records_its_tasks(
        impl: str, virtual: bool, caplog: pytest.LogCaptureFixture) -> None:
    """``walkthrough run`` without ``--virtual`` runs the lessons on the real clock: the phases
    must see the real ``time.sleep`` and the frameworks' own clocks, stamp lines in seconds
    since the phase began, and still tee them live; with ``--virtual``, the virtual clocks."""
    seen: dict[str, object] = {}
    tee, activity = io.StringIO(), Activity()
    real_sleep = time.sleep
    trace = run_lesson("count", impl, module=_lesson_module(impl, seen), virtual=virtual,
                       tee=tee, activity=activity)
    assert time.sleep is real_sleep
    assert (seen["sleep"] is real_sleep) is not virtual
    virtual_clock = {"trio": "MockClock", "asyncio": "VirtualTimeLoop"}[impl]
    assert (seen["clock"] == virtual_clock) is virtual
    assert tee.getvalue() == "sync line\nasync line\n"
    # On the real clock a line may reach the trace in pieces (the clock moved between the
    # text and its newline): what the phase printed is what its pieces say together.
    assert {phase: "".join(e.text + "\n" * e.newline for e in trace.events if e.phase == phase)
            for phase in ("demo_sync", "demo_async")} == {
        "demo_sync": "sync line\n", "demo_async": "async line\n"}
    assert trace.outcomes == {"demo_sync": "'sync done'", "demo_async": "7"}
    # Seconds since the phase began: none pass on a virtual clock (no sleep), at least the
    # busy milliseconds on the real one, and never the machine's uptime.
    low, high = (0.0, 0.0) if virtual else (BUSY, 30.0)
    assert trace.events and all(low <= e.time <= high for e in trace.events)
    assert set(trace.durations) == {"demo_sync", "demo_async"}
    assert all(low <= d <= high for d in trace.durations.values())
    assert 0.0 < trace.wall_seconds < 30.0
    assert (trace.impl, trace.lesson) == (impl, "count")
    names = [(r.phase, r.name.rsplit(".", 1)[-1]) for r in activity.records]
    # A sync phase is recorded on the virtual clock only (its waits are the virtual sleeps).
    assert names[0] == (("demo_sync", "demo_sync") if virtual else ("demo_async", "demo_async"))
    assert {r.phase for r in activity.records if r.trace_task is not None} == (
        {"demo_sync", "demo_async"} if virtual else {"demo_async"})
    if virtual:
        sync = activity.records[0]
        assert (sync.spawned, sync.steps, sync.exited) == (0.0, [(0.0, 0.0)], 0.0)
    # Without an activity nothing is recorded, and no instrument fails on the way (Trio only
    # logs an instrument's error, and disables it).
    again = run_lesson("count", impl, module=_lesson_module(impl, seen), virtual=virtual)
    assert again.text() == trace.text() if virtual else again.outcomes == trace.outcomes
    assert [r.getMessage() for r in caplog.records] == []


def test_run_lesson_refuses_an_unknown_impl_and_takes_params_over_the_lessons() -> None:
    with pytest.raises(ValueError, match=r"impl must be one of \('asyncio', 'trio'\), "
                                         r"not 'curio'"):
        run_lesson("count", "curio")
    got: list[tuple[object, ...]] = []

    def demo(*args: str, seed: int) -> None:  # the chained lesson's signature
        got.append((seed, *args))

    module = types.ModuleType("stand_in")
    module.demo = demo  # type: ignore[attr-defined]
    lesson = catalogue.get("chained")
    run_lesson(lesson, "asyncio", module=module, params={"args": ("laser",)})
    assert got == [(lesson.params["seed"], "laser")]


def test_a_phase_that_raises_is_an_outcome_and_an_interrupt_stops_the_run() -> None:
    """An error is the phase's outcome, in words; a nursery's group of one is said to be one;
    an interrupt (Ctrl-C) is recorded and then stops the run, the next phase not run."""
    def fails() -> None:
        raise ValueError("no")

    async def fails_in_a_nursery() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.lowlevel.checkpoint)
            raise ValueError("no")

    async def fails_twice() -> None:
        async def boom() -> None:
            raise KeyError("k")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(boom)
            nursery.start_soon(boom)

    async def fails_on_asyncio() -> None:
        await asyncio.sleep(0)
        raise ValueError("no")

    trace = Trace(impl="trio", lesson="t")
    for phase, fn in (("a", fails), ("b", fails_in_a_nursery), ("c", fails_twice)):
        run_phase(trace, phase, fn, "trio", {}, virtual=True, tee=None)
    run_phase(trace, "e", fails_on_asyncio, "asyncio", {}, virtual=True, tee=None)
    assert trace.outcomes["a"] == trace.outcomes["e"] == "raised ValueError: no"
    assert trace.outcomes["b"] == "raised ValueError: no (inside a ExceptionGroup)"
    assert trace.outcomes["c"] == ("raised ExceptionGroup: Exceptions from Trio nursery "
                                   "(2 sub-exceptions)")

    def interrupted() -> None:
        print("before")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_phase(trace, "d", interrupted, "trio", {}, virtual=True, tee=None)
    assert trace.outcomes["d"] == "raised KeyboardInterrupt: "
    assert trace.durations["d"] == 0.0
    assert [e.text for e in trace.events] == ["before"]
    module = types.ModuleType("stand_in")
    ran: list[str] = []
    module.demo_sync = interrupted  # type: ignore[attr-defined]
    module.demo_async = lambda: ran.append("demo_async")  # type: ignore[attr-defined]
    with pytest.raises(KeyboardInterrupt):
        run_lesson("count", "trio", module=module)
    assert ran == []
