"""Lesson 6, asyncgen: both versions on the virtual clock, against the spec and each other;
then the Trio-only generator that needs a background task, and why it needs
``@trio.as_safe_channel`` (a bare ``yield`` inside a nursery, pinned as the installed Trio
actually behaves)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncGenerator, Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncio_ref import asyncgen as aio_asyncgen
from tests.broken import SLIPS, diverging_cases
from tests.conftest import load_broken
from trio_port import asyncgen as trio_asyncgen
from walkthrough import catalogue
from walkthrough.capture import capturing, trio_task
from walkthrough.clocks import VirtualTimeLoop, mock_clock
from walkthrough.runner import run_lesson
from walkthrough.trace import STAMP_DECIMALS, Trace

LESSON = catalogue.get("asyncgen")
PAUSE = 0.2


def expected_events(up_to: int) -> list[tuple[float, str, bool]]:
    """The spec as (time, text, newline): a newline, one ". " fragment every 0.2 s for ``g``,
    a newline, one "+ " every 0.2 s for ``f``, then the two lists, after 2 x up_to pauses."""
    r = lambda t: round(t, STAMP_DECIMALS)  # noqa: E731
    g = [2**i for i in range(up_to)]
    f = [j for j in g if not j // 3 % 5]
    half = up_to * PAUSE
    events = [(0.0, "", True)]
    events += [(r(k * PAUSE), ". ", False) for k in range(up_to)]
    events += [(r(half), "", True)]
    events += [(r(half + k * PAUSE), "+ ", False) for k in range(up_to)]
    events += [(r(2 * half), "", True), (r(2 * half), f"g = {g}", True),
               (r(2 * half), f"f = {f}", True)]
    return events


def observed(trace: Trace) -> list[tuple[float, str, bool]]:
    return [(round(e.time, STAMP_DECIMALS), e.text, e.newline) for e in trace.events]


# --- the lesson, both ways -----------------------------------------------------------------


@pytest.mark.parametrize("case", LESSON.all_cases(), ids=lambda c: f"up_to={c['up_to']}")
def test_traces_are_equivalent(case: dict[str, Any]) -> None:
    verdict = LESSON.compare(run_lesson(LESSON, "asyncio", params=case),
                             run_lesson(LESSON, "trio", params=case))
    assert verdict.equivalent, verdict.describe()


@settings(max_examples=13, deadline=None)
@given(up_to=st.integers(0, 12))
def test_traces_are_equivalent_for_any_size(up_to: int) -> None:
    params = {"up_to": up_to}
    verdict = LESSON.compare(run_lesson(LESSON, "asyncio", params=params),
                             run_lesson(LESSON, "trio", params=params))
    assert verdict.equivalent, verdict.describe()


def test_demo_matches_the_spec(impl: str) -> None:
    """The notebook's values, each separator at its own instant, 4 s in all."""
    trace = run_lesson(LESSON, impl)
    assert trace.lines("demo")[-2:] == [
        "g = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]",
        "f = [1, 2, 16, 32, 256, 512]",
    ]
    assert trace.at("demo", 2.2) == ["+ "]
    assert observed(trace) == expected_events(10)
    assert trace.durations["demo"] == pytest.approx(4.0)


@pytest.mark.parametrize("impl", catalogue.IMPLS)
@settings(max_examples=13, deadline=None)
@given(up_to=st.integers(0, 12))
def test_demo_matches_the_spec_for_any_size(impl: str, up_to: int) -> None:
    trace = run_lesson(LESSON, impl, params={"up_to": up_to})
    assert observed(trace) == expected_events(up_to)
    assert trace.durations["demo"] == pytest.approx(2 * up_to * PAUSE)


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
@pytest.mark.parametrize("broken", ["asyncgen_slow_pause", "asyncgen_no_filter"])
def test_known_broken_trio_ports_are_caught(broken: str) -> None:
    good = run_lesson(LESSON, "asyncio")
    bad = run_lesson(LESSON, "trio", module=load_broken(broken))
    verdict = LESSON.compare(good, bad)
    assert not verdict.equivalent
    d = verdict.divergence
    assert d is not None and d.phase == "demo"
    if broken == "asyncgen_slow_pause":  # the second separator is late
        assert (d.time, d.expected) == (pytest.approx(0.2), (". ",))
    else:  # every separator on time, the filtered list wrong
        assert d.time == pytest.approx(4.0)
        assert d.expected == ("f = [1, 2, 16, 32, 256, 512]",)


def test_the_functions_default_to_ten_values(impl: str) -> None:
    """``mygen(sep)`` and ``main()`` without ``up_to``: the notebook's ten values (``demo()``'s
    default is what ``python -m`` runs: tests/test_scripts.py)."""
    module = LESSON.load(impl)

    async def calls() -> tuple[list[int], tuple[list[int], list[int]]]:
        alone = [i async for i in module.mygen("+")]
        both = await module.main()
        return alone, both

    if impl == "trio":
        alone, (g, f) = trio.run(calls, clock=mock_clock())
    else:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            alone, (g, f) = runner.run(calls())
    assert alone == g == [2**i for i in range(10)]
    assert f == [1, 2, 16, 32, 256, 512]


# --- mygen alone, on each framework's virtual clock ----------------------------------------


async def _stamped(agen: AsyncGenerator[int, None], now: Callable[[], float],
                   ) -> list[tuple[float, int]]:
    return [(round(now(), 6), value) async for value in agen]


def trio_mygen_stamps(module: ModuleType, up_to: int = 4) -> tuple[list[tuple[float, int]], float]:
    """When each value of ``module.mygen`` reaches a consumer that takes it at once, and when
    the generator says it is done (seconds from the start, on a virtual clock)."""
    async def consume() -> tuple[list[tuple[float, int]], float]:
        start = trio.current_time()
        got = await _stamped(module.mygen("+", up_to), lambda: trio.current_time() - start)
        return got, trio.current_time() - start

    return trio.run(consume, clock=mock_clock())


MYGEN_SPEC = [(0.0, 1), (0.2, 2), (0.4, 4), (0.6, 8)]


def test_trio_mygen_yields_then_pauses() -> None:
    """A value at once, then 0.2 s before each next one, and 0.2 s before it says it is done."""
    got, done = trio_mygen_stamps(trio_asyncgen)
    assert got == MYGEN_SPEC
    assert done == pytest.approx(0.8)


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_a_pause_moved_before_the_yield_is_caught() -> None:
    """The slip the lesson's own output cannot show (its consumers take each value at once, so
    every separator still prints on time): each value reaches its consumer 0.2 s late."""
    got, done = trio_mygen_stamps(load_broken("asyncgen_sleep_before_yield"))
    assert got != MYGEN_SPEC
    assert got == [(0.2, 1), (0.4, 2), (0.6, 4), (0.8, 8)] and done == pytest.approx(0.8)


@pytest.mark.asyncio_suite
def test_asyncio_mygen_yields_then_pauses() -> None:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        loop = runner.get_loop()
        start = loop.time()
        got = runner.run(_stamped(aio_asyncgen.mygen("+", 4), lambda: loop.time() - start))
        assert got == [(0.0, 1), (0.2, 2), (0.4, 4), (0.6, 8)]
        assert loop.time() - start == pytest.approx(0.8)


# --- Trio only: mygen_ahead, a generator with a background task, done right ---------------


@pytest.mark.trio
async def test_mygen_ahead_gives_mygens_values_in_mygens_time(
    autojump_clock: trio.testing.MockClock, capsys: pytest.CaptureFixture[str],
) -> None:
    start = trio.current_time()
    assert await trio_asyncgen.main_ahead() == [1, 2, 16, 32, 256, 512]
    assert trio.current_time() - start == pytest.approx(2.0)
    assert capsys.readouterr().out == "\n" + "+ " * 10


#: A consumer slower than the generator: 0.3 s of work on each value, against 0.2 s pauses.
SLOW = 0.3


def ahead_with_a_slow_consumer(module: ModuleType, up_to: int,
                               ) -> tuple[list[tuple[float, str]], list[tuple[float, int]]]:
    """``module.mygen_ahead`` feeding a consumer slower than itself: when each separator was
    printed (the background task preparing a value), and when each value reached the consumer.

    Only here does the channel's buffer show: the generator must wait for the consumer, so a
    rendezvous prints each separator 0.2 s after the previous value was *taken*; a buffer of 1
    lets it print one more while the consumer still works. A consumer at exactly 0.2 s a value
    keeps both in step and cannot tell them apart.
    """
    received: list[tuple[float, int]] = []

    async def consumer() -> None:
        start = trio.current_time()
        async with module.mygen_ahead("+", up_to) as powers:
            async for j in powers:
                received.append((round(trio.current_time() - start, 6), j))
                await trio.sleep(SLOW)

    trace, ended = run_naive(consumer)
    assert ended == "returned None", ended
    return stamped(trace), received


@pytest.mark.parametrize("up_to", [1, 2, 3, 10])
def test_mygen_ahead_stays_one_value_ahead_of_a_slower_consumer(up_to: int) -> None:
    """Taken at 0, 0.3, 0.6 ...; value k (k >= 1) prepared 0.2 s after value k - 1 was taken."""
    printed, received = ahead_with_a_slow_consumer(trio_asyncgen, up_to)
    assert received == [(round(SLOW * k, 6), 2**k) for k in range(up_to)]
    assert printed == [(0.0, "")] + [(0.0, "+ ")] + [
        (round(SLOW * (k - 1) + PAUSE, 6), "+ ") for k in range(1, up_to)]


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_a_buffer_of_one_is_caught_by_a_slower_consumer() -> None:
    """The slip ``open_memory_channel(1)``: the third separator comes at 0.4 s, not 0.5 s."""
    printed, _ = ahead_with_a_slow_consumer(load_broken("asyncgen_ahead_buffer_one"), 3)
    reference, _ = ahead_with_a_slow_consumer(trio_asyncgen, 3)
    assert printed != reference
    assert printed[3] == (0.4, "+ ") and reference[3] == (0.5, "+ ")


def running_tasks() -> set[str]:
    """Every task alive in this run, by name and identity."""
    tasks, todo = set(), [trio.lowlevel.current_root_task()]
    while todo:
        task = todo.pop()
        if task is not None:
            tasks.add(f"{task.name} {id(task)}")
            todo += [t for n in task.child_nurseries for t in n.child_tasks]
    return tasks


async def _slow_consumer(powers: Any) -> list[int]:
    out = []
    async for j in powers:
        await trio.sleep(PAUSE)  # the consumer's own work on each value
        out.append(j)
    return out


@pytest.mark.trio
@pytest.mark.parametrize("up_to", [1, 5, 10])
async def test_mygen_ahead_works_while_the_consumer_works(
    autojump_clock: trio.testing.MockClock, up_to: int,
) -> None:
    """Why one wants a background task here: a consumer that spends 0.2 s per value takes
    0.4 s per value from mygen (it waits for each pause in turn), 0.2 s from mygen_ahead."""
    start = trio.current_time()
    plain = await _slow_consumer(trio_asyncgen.mygen("+", up_to))
    middle = trio.current_time()
    async with trio_asyncgen.mygen_ahead("+", up_to) as powers:
        ahead = await _slow_consumer(powers)
    end = trio.current_time()
    assert plain == ahead == [2**i for i in range(up_to)]
    assert middle - start == pytest.approx(2 * PAUSE * up_to)
    assert end - middle == pytest.approx(PAUSE * up_to)


@pytest.mark.trio
async def test_as_safe_channel_alone_does_not_look_ahead(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The page's "the decorator's task asks the generator for a value only when the consumer
    asks for one" (RV4-gen F4): ``@trio.as_safe_channel`` over plain ``mygen`` still gives a
    consumer that spends 0.2 s per value one value every 0.4 s, as ``mygen`` alone does; the
    look-ahead is ``mygen_ahead``'s own ``produce`` task (0.2 s a value)."""
    async def taken_at(channel: Any) -> tuple[list[float], float]:
        start, taken = trio.current_time(), []
        async with channel as values:
            async for _ in values:
                taken.append(round(trio.current_time() - start, 6))
                await trio.sleep(PAUSE)  # the consumer's own work on each value
        return taken, trio.current_time() - start

    decorated, decorated_total = await taken_at(trio.as_safe_channel(trio_asyncgen.mygen)("+", 5))
    ahead, ahead_total = await taken_at(trio_asyncgen.mygen_ahead("+", 5))
    assert decorated == [0.0, 0.4, 0.8, 1.2, 1.6] and decorated_total == pytest.approx(2.0)
    assert ahead == [0.0, 0.2, 0.4, 0.6, 0.8] and ahead_total == pytest.approx(1.0)


@pytest.mark.trio
async def test_mygen_ahead_stops_its_task_when_the_consumer_leaves(
    autojump_clock: trio.testing.MockClock, capsys: pytest.CaptureFixture[str],
) -> None:
    """Leaving the ``async with`` after three values ends the background task then and there:
    no separator is printed after the consumer left, and nothing is left running."""
    before = running_tasks()
    start = trio.current_time()
    async with trio_asyncgen.mygen_ahead("+") as powers:
        first = [await powers.receive() for _ in range(3)]
        during = running_tasks()
    left_at = trio.current_time()
    printed = capsys.readouterr().out
    await trio.sleep(1)
    assert first == [1, 2, 4]
    assert left_at - start == pytest.approx(0.4)
    assert printed == "\n+ + + "
    assert capsys.readouterr().out == ""
    assert len(during - before) == 2  # as_safe_channel's task, and produce
    assert running_tasks() == before


async def failing_produce(sep: str, up_to: int, send: trio.MemorySendChannel[int]) -> None:
    """``produce`` that hands over one value, then fails 0.3 s later."""
    async with send:
        print(sep, end=" ")
        await send.send(1)
        await trio.sleep(0.3)
        raise ValueError("producer failed")


@pytest.mark.trio
async def test_mygen_ahead_delivers_its_tasks_error_to_the_consumer(
    autojump_clock: trio.testing.MockClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error comes out of the consumer's ``async with``, like any nursery child's."""
    monkeypatch.setattr(trio_asyncgen, "produce", failing_produce)
    start = trio.current_time()
    with pytest.RaisesGroup(pytest.RaisesExc(ValueError, match="producer failed")):
        async with trio_asyncgen.mygen_ahead("+") as powers:
            await _slow_consumer(powers)
    assert trio.current_time() - start == pytest.approx(0.3)


# --- why not a bare ``yield`` inside a nursery: pinned on the installed Trio ----------------
#
# tests/broken/asyncgen_yield_in_nursery.py is mygen_ahead without the decorator. Between two
# values it is suspended inside its nursery, and that nursery sits in the consumer's task.
# These runs corrupt Trio's state on purpose, so each gets a trio.run of its own (on a
# MockClock), never pytest-trio's; what Trio reports through sys.unraisablehook and its
# logger is collected and checked here rather than left to fail a later test.


@pytest.fixture
def naive() -> ModuleType:
    """A fresh import each time: one test swaps its ``produce``."""
    return load_broken("asyncgen_yield_in_nursery")


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Trio reports where nobody can catch it (garbage collection, finalizers)."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}"))
    return seen


def run_naive(consumer: Callable[[], Awaitable[object]]) -> tuple[Trace, str]:
    """Run ``consumer`` under Trio on a MockClock; what it printed (stamped), how it ended."""
    clock = mock_clock()
    base = clock.current_time()  # a random reading: stamps count from the start
    trace = Trace(impl="trio", lesson="asyncgen")
    hooks = sys.get_asyncgen_hooks()
    with capturing(trace, "naive", lambda: clock.current_time() - base, trio_task):
        try:
            ended = f"returned {trio.run(consumer, clock=clock)!r}"
        except BaseException as exc:
            ended = f"{type(exc).__name__}: {exc}"
            cause = exc.__cause__ or exc.__context__
            if cause is not None:
                ended += f" <- {type(cause).__name__}"
            if isinstance(exc, BaseExceptionGroup):
                ended += f" {exc.exceptions!r}"
            del exc, cause
    gc.collect()  # let the abandoned generator's finalizer report now, not in a later test
    assert sys.get_asyncgen_hooks() == hooks  # even a crashed run gave the hooks back
    return trace, ended


def stamped(trace: Trace) -> list[tuple[float, str]]:
    return [(round(e.time, 6), e.text) for e in trace.events]


GC_WARNING = ("ResourceWarning: Async generator 'broken_asyncgen_yield_in_nursery.mygen_ahead'"
              " was garbage collected before it had been exhausted.")


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_naive_break_leaves_the_background_task_running(
    naive: ModuleType, unraisable: list[str],
) -> None:
    """The consumer breaks out at 0.4 s, but the generator's nursery is still open in the
    consumer's task: its producer prints again at 0.6 s. When the consumer's task ends with
    that nursery still open, Trio finds its nursery stack corrupted. Which of two errors it
    raises depends on the order in which Trio runs the last tasks (its scheduler randomises
    that): a RuntimeError, or a TrioInternalError over an AssertionError (measured: about
    half each in 200 runs)."""

    async def consumer() -> list[int]:
        out = []
        gen = naive.mygen_ahead("+")  # kept alive: nothing closes it
        async for j in gen:
            out.append(j)
            if len(out) == 3:
                break
        print("broke out")
        await trio.sleep(1)
        print("consumer done")
        return out

    trace, ended = run_naive(consumer)
    after_break = [e for e in stamped(trace) if e[0] > 0.4]
    assert after_break == [(0.6, "+ "), (1.4, "consumer done")]
    assert ended.startswith((
        "RuntimeError: Nursery stack corrupted: Nursery surrounding <Task",
        "TrioInternalError: internal error in Trio - please file a bug! <- ExceptionGroup",
    )), ended
    assert any(u.startswith(GC_WARNING) for u in unraisable)


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_naive_break_without_a_name_crashes_trio(
    naive: ModuleType, unraisable: list[str],
) -> None:
    """The usual way to write it: ``async for j in mygen_ahead(...)`` then ``break``. CPython
    frees the generator on the spot, Trio's finalizer tries to close it from another task
    (where its nursery is not), and the whole run dies with TrioInternalError: the consumer
    never finishes its own next line of work. Deterministic: 200 runs out of 200."""

    async def consumer() -> list[int]:
        out = []
        async for j in naive.mygen_ahead("+"):
            out.append(j)
            if len(out) == 3:
                break
        print("broke out")
        await trio.sleep(1)
        print("consumer done")
        return out

    trace, ended = run_naive(consumer)
    assert stamped(trace)[-1] == (0.4, "broke out")
    assert ended.startswith("TrioInternalError: internal error in Trio") and ended.endswith(
        "<- KeyError"), ended
    assert any(u.startswith(GC_WARNING) for u in unraisable)


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_naive_aclosing_raises_generatorexit_in_a_group(
    naive: ModuleType, unraisable: list[str],
) -> None:
    """The textbook fix for generators (``contextlib.aclosing``) is not enough: closing throws
    GeneratorExit in at the ``yield``, the nursery wraps it in an exception group, and the
    consumer gets a BaseExceptionGroup([GeneratorExit()]) out of its ``async with``."""

    async def consumer() -> list[int]:
        out = []
        async with contextlib.aclosing(naive.mygen_ahead("+")) as gen:
            async for j in gen:
                out.append(j)
                if len(out) == 3:
                    break
        print("consumer done")
        return out

    trace, ended = run_naive(consumer)
    assert ended == ("BaseExceptionGroup: Exceptions from Trio nursery (1 sub-exception)"
                     " (GeneratorExit(),)")
    assert "consumer done" not in trace.lines()
    assert unraisable == []


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_naive_background_error_cancels_the_consumers_code_and_is_lost(
    naive: ModuleType, unraisable: list[str], caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The producer fails while the consumer is busy with a value, outside the generator. The
    nursery's cancellation lands in the consumer's own ``trio.sleep`` (the generator is not
    even running), the run ends in "Nursery stack corrupted", and the ValueError reaches
    nobody: it only shows up in Trio's log when the generator is finalised. Compare
    test_mygen_ahead_delivers_its_tasks_error_to_the_consumer."""
    monkeypatch.setattr(naive, "produce", failing_produce)

    async def consumer() -> list[int]:
        out = []
        start = trio.current_time()
        async for j in naive.mygen_ahead("+"):
            try:
                await trio.sleep(1)
            except trio.Cancelled:
                print(f"the consumer's sleep was cancelled at {trio.current_time() - start:.1f}")
                raise
            out.append(j)
        return out

    with caplog.at_level(logging.ERROR, logger="trio.async_generator_errors"):
        trace, ended = run_naive(consumer)
    assert stamped(trace)[-1] == (0.3, "the consumer's sleep was cancelled at 0.3")
    assert ended.startswith("RuntimeError: Nursery stack corrupted"), ended
    assert ended.endswith("<- Cancelled"), ended
    assert "producer failed" not in ended
    logged = [r for r in caplog.records if r.exc_info and "producer failed" in repr(r.exc_info[1])]
    assert len(logged) == 1
    assert any(u.startswith(GC_WARNING) for u in unraisable)


#: Slips the lesson's own run shows; the other two have tests of their own above
#: (a pause moved before the yield; a buffer of one in mygen_ahead).
SHOWN_BY_THE_DEMO = tuple(slip for slip in SLIPS["asyncgen"]
                          if slip not in ("asyncgen_sleep_before_yield",
                                          "asyncgen_ahead_buffer_one"))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("slip", SHOWN_BY_THE_DEMO)
def test_realistic_porting_slips_are_caught(slip: str) -> None:
    """Each slip in tests/broken (issue 14) differs from the reference in some shared case."""
    assert diverging_cases("asyncgen", load_broken(slip)), f"{slip}: no case tells it apart"
