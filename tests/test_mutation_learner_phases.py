"""What ``walkthrough check`` runs of a module: the slips mutmut planted that the tests let through.

``scripts/mutation.py walkthrough/learner/phases.py`` (issue 27, ``docs/mutation.md``). The check
runs the drivers and the Trio variants of :mod:`walkthrough.learner.phases` in its child
process, where mutmut cannot see what a test reaches; the in-process tests reached them only
through one slow consumer. So a slipped pace, a consumer that leaves after the wrong count, a
driver that reads the wrong clock, or a phase list that drops a variant passed every test. The
tests here call the functions in this process, on the virtual clocks, against the twins (and a
slipped ``mygen_ahead``), and compare what each consumer returns, when each line printed, and
how long the phase took, with instants worked out by hand from the lesson's 0.2 s pause.
"""

from __future__ import annotations

import contextlib
import math
import types
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import trio
import trio.lowlevel

from walkthrough import catalogue
from walkthrough.learner.phases import (
    DRIVERS,
    TRIO_EXTRAS,
    TRIO_VARIANTS,
    _extra,
    phases_of,
    trio_labels,
)
from walkthrough.runner import run_phase
from walkthrough.trace import Trace

ASYNCGEN = catalogue.get("asyncgen")
SLOWLY = "mygen, consumed slowly"
AT_03 = "mygen_ahead, consumer at 0.3 s a value"
AT_02 = "mygen_ahead, consumer at 0.2 s a value"
LEAVES = "mygen_ahead, consumer leaves after 3 values"


def run(fn: Callable[..., Any], impl: str,
        **params: Any) -> tuple[str, float, list[tuple[float, str]]]:
    """``fn`` run as the check runs a phase (virtual clock): what it returned (its repr), the
    virtual seconds it took, and each printed fragment with the instant it was printed."""
    trace = Trace(impl=impl, lesson="asyncgen")
    run_phase(trace, "p", fn, impl, params, virtual=True, tee=None)
    printed = [(round(e.time, 6), e.text) for e in trace.events]
    return trace.outcomes["p"], round(trace.durations["p"], 6), printed


def labels(lesson: catalogue.Lesson, module: types.ModuleType, impl: str) -> list[str]:
    return [label for label, _ in phases_of(lesson, module, impl)]


def fake(**functions: Any) -> types.ModuleType:
    """A port with just these module-level names."""
    module = types.ModuleType("learner_fake_port")
    for name, value in functions.items():
        setattr(module, name, value)
    return module


async def _noop(up_to: int = 10) -> None:
    """A phase that does nothing: only its name matters to the phase list."""


# -- phases_of and trio_labels: which phases a check runs --------------------------------------


def test_the_trio_labels_are_the_extras_then_their_variants() -> None:
    assert trio_labels("asyncgen") == ("main_ahead", "mygen_ahead", AT_03, AT_02, LEAVES)
    assert trio_labels("queue") == ("demo_closing",)
    assert trio_labels("count") == ()


def test_the_asyncgen_twins_run_the_notebook_the_driver_and_for_trio_every_extra() -> None:
    """The asyncio reference gets the slow consumer but no Trio extra; the Trio twin gets the
    extras and all three of the suite's consumers of mygen_ahead, in that order."""
    trio_twin, aio_twin = ASYNCGEN.load("trio"), ASYNCGEN.load("asyncio")
    assert labels(ASYNCGEN, aio_twin, "asyncio") == ["demo", SLOWLY]
    assert labels(ASYNCGEN, trio_twin, "trio") == [
        "demo", SLOWLY, "main_ahead", "mygen_ahead", AT_03, AT_02, LEAVES]
    # The notebook's phases are the module's own functions, not wrappers.
    found = dict(phases_of(ASYNCGEN, trio_twin, "trio"))
    assert found["demo"] is trio_twin.demo
    assert found["main_ahead"] is trio_twin.main_ahead


def test_a_lesson_without_drivers_or_extras_runs_its_phases_only() -> None:
    """count has neither drivers nor Trio extras: its phases, and nothing looked up for it
    (a ``None`` in place of the empty default would fail here)."""
    count = catalogue.get("count")
    for impl in ("trio", "asyncio"):
        twin = count.load(impl)
        assert phases_of(count, twin, impl) == [
            ("demo_sync", twin.demo_sync), ("demo_async", twin.demo_async)]
    # A module of another lesson that happens to have a ``mygen`` gets no driver for it.
    port = fake(demo_sync=_noop, demo_async=_noop, mygen=_noop)
    assert labels(count, port, "trio") == ["demo_sync", "demo_async"]


def test_queue_runs_demo_closing_under_trio_only_and_only_when_it_is_written() -> None:
    queue = catalogue.get("queue")
    twin = queue.load("trio")
    assert labels(queue, twin, "trio") == [*queue.phases, "demo_closing"]
    assert dict(phases_of(queue, twin, "trio"))["demo_closing"] is twin.demo_closing
    assert labels(queue, queue.load("asyncio"), "asyncio") == list(queue.phases)
    port = fake(**{p: _noop for p in queue.phases}, demo_closing="not a function")
    assert labels(queue, port, "trio") == list(queue.phases)


def test_a_port_runs_only_the_extras_and_variants_it_has_written() -> None:
    """No mygen: no slow consumer. No mygen_ahead: none of its variants (each needs it),
    main_ahead still run. mygen_ahead alone: it and its three variants."""
    assert labels(ASYNCGEN, fake(demo=_noop), "trio") == ["demo"]
    assert labels(ASYNCGEN, fake(demo=_noop, mygen=_noop), "asyncio") == ["demo", SLOWLY]
    assert labels(ASYNCGEN, fake(demo=_noop, main_ahead=_noop), "trio") == ["demo", "main_ahead"]
    assert labels(ASYNCGEN, fake(demo=_noop, mygen_ahead=_noop), "trio") == [
        "demo", "mygen_ahead", AT_03, AT_02, LEAVES]
    assert labels(ASYNCGEN, fake(demo=_noop, mygen_ahead=None), "trio") == ["demo"]
    assert list(TRIO_VARIANTS["asyncgen"].values()) == ["mygen_ahead"] * 3
    assert DRIVERS == {"asyncgen": (SLOWLY,)}
    assert TRIO_EXTRAS == {"queue": ("demo_closing",), "asyncgen": ("main_ahead", "mygen_ahead")}


# -- the slow consumer of mygen (both frameworks) ----------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_the_slow_consumer_sees_each_value_arrive_on_its_frameworks_clock(impl: str) -> None:
    """0.5 s of work on each value, then mygen's 0.2 s pause: a value every 0.7 s, and the
    end 0.7 s after the last one, on the clock of the framework it runs on."""
    driver = dict(phases_of(ASYNCGEN, ASYNCGEN.load(impl), impl))[SLOWLY]
    outcome, took, printed = run(driver, impl, up_to=3)
    assert outcome == "[(1, 0.0), (2, 0.7), (4, 1.4), (-1, 2.1)]"
    assert took == pytest.approx(2.1)
    # The lesson's own "\n", then mygen's separator before each value: the "+" of the
    # notebook's filtered loop, as the reference prints it.
    assert printed == [(0.0, ""), (0.0, "+ "), (0.7, "+ "), (1.4, "+ ")]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", ["trio", "asyncio"])
def test_the_slow_consumer_takes_ten_values_by_default(impl: str) -> None:
    driver = dict(phases_of(ASYNCGEN, ASYNCGEN.load(impl), impl))[SLOWLY]
    outcome, _, _ = run(driver, impl)
    expected = [(2**i, round(0.7 * i, 3)) for i in range(10)] + [(-1, 7.0)]
    assert outcome == repr(expected)


# -- the Trio variants: the suite's consumers of mygen_ahead -----------------------------------
#
# The twin's mygen_ahead hands each value over a rendezvous channel and pauses 0.2 s after
# each hand-over, printing its separator before it: a consumer that takes longer than 0.2 s a
# value sets the pace, one that takes less waits for the generator.

TRIO_TWIN = ASYNCGEN.load("trio")

#: label -> (up_to, what the consumer returned, the seconds the phase took, when each
#: fragment printed: the opening newline, then each separator).
VARIANTS = {
    AT_03: (3, "[(0.0, 1), (0.3, 2), (0.6, 4)]", 0.9, [0.0, 0.0, 0.2, 0.5]),
    AT_02: (3, "[(0.0, 1), (0.2, 2), (0.4, 4)]", 0.6, [0.0, 0.0, 0.2, 0.4]),
    "mygen_ahead": (3, "[1, 2, 4]", 1.5, [0.0, 0.0, 0.2, 0.7]),
    LEAVES: (10, "([1, 2, 4], 0.4)", 1.4, [0.0, 0.0, 0.2, 0.4]),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("label", list(VARIANTS))
def test_each_consumer_of_mygen_ahead_keeps_its_own_pace(label: str) -> None:
    """The pace read from the label (0.3 s, 0.2 s), the check's own 0.5 s consumer, and the
    consumer that leaves after exactly three values, then waits 1 s more (a producer left
    running would print in that second)."""
    up_to, outcome, took, printed = VARIANTS[label]
    variant = dict(phases_of(ASYNCGEN, TRIO_TWIN, "trio"))[label]
    assert run(variant, "trio", up_to=up_to) == (outcome, took, [(t, s) for t, s in zip(
        printed, ["", "+ ", "+ ", "+ "], strict=True)])


@pytest.mark.timeout(60)
def test_the_trio_consumers_take_ten_values_by_default() -> None:
    found = dict(phases_of(ASYNCGEN, TRIO_TWIN, "trio"))
    values = [2**i for i in range(10)]
    assert run(found[AT_03], "trio")[0] == repr([(round(0.3 * i, 6), v)
                                                 for i, v in enumerate(values)])
    assert run(found[AT_02], "trio")[0] == repr([(round(0.2 * i, 6), v)
                                                 for i, v in enumerate(values)])
    assert run(found["mygen_ahead"], "trio")[0] == repr(values)


@pytest.mark.timeout(60)
def test_a_consumer_that_leaves_early_keeps_what_it_got_when_the_generator_ends_first() -> None:
    """Fewer than three values: the generator's end, not the count, ends the loop."""
    leaving = _extra(TRIO_TWIN, LEAVES)
    assert run(leaving, "trio", up_to=2)[:2] == ("([1, 2], 0.4)", 1.4)
    assert run(leaving, "trio", up_to=0)[:2] == ("([], 0.0)", 1.0)


@pytest.mark.timeout(60)
def test_a_producer_that_outlives_its_consumer_prints_in_the_second_after_it_left() -> None:
    """The realistic slip the leaving consumer is there for: a producer started where the
    consumer's exit cannot stop it (here a system task) goes on printing, and the phase's
    extra second shows every separator it printed after the consumer left at 0.4 s."""

    @contextlib.asynccontextmanager
    async def mygen_ahead(sep: str, up_to: int = 10) -> AsyncIterator[
            trio.MemoryReceiveChannel[int]]:
        print()
        send, receive = trio.open_memory_channel[int](math.inf)

        async def produce() -> None:
            for i in range(up_to):
                print(sep, end=" ")
                await send.send(2**i)
                await trio.sleep(0.2)

        trio.lowlevel.spawn_system_task(produce)
        yield receive

    leaving = _extra(fake(mygen_ahead=mygen_ahead), LEAVES)
    outcome, took, printed = run(leaving, "trio")
    assert (outcome, took) == ("([1, 2, 4], 0.4)", 1.4)
    # (At 1.4 s the producer's pause and the phase's second end together: whether its last
    # separator comes before the phase ends is the scheduler's choice.)
    assert [t for t, s in printed if s == "+ " and t < 1.4] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2]


def test_the_extras_that_are_not_consumers_are_the_ports_own_functions() -> None:
    assert _extra(TRIO_TWIN, "main_ahead") is TRIO_TWIN.main_ahead
    queue = catalogue.get("queue").load("trio")
    assert _extra(queue, "demo_closing") is queue.demo_closing
    # mygen_ahead itself is wrapped in the 0.5 s consumer, never run bare.
    assert _extra(TRIO_TWIN, "mygen_ahead") is not TRIO_TWIN.mygen_ahead
