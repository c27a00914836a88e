"""Lesson 1, count: both versions on the virtual clock, against the spec and each other."""

from __future__ import annotations

import asyncio
import re

import pytest
import trio
import trio.testing

from asyncio_ref import count as aio_count
from tests.broken import SLIPS, diverging_cases
from tests.conftest import load_broken
from trio_port import count as trio_count
from walkthrough import catalogue
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.runner import run_lesson
from walkthrough.trace import compare


def test_traces_are_equivalent() -> None:
    lesson = catalogue.get("count")
    verdict = lesson.compare(run_lesson(lesson, "asyncio"), run_lesson(lesson, "trio"))
    assert verdict.equivalent, verdict.describe()


def test_async_phase_matches_the_spec(impl: str) -> None:
    trace = run_lesson("count", impl)
    assert trace.at("demo_async", 0.0) == ["One Async"] * 3
    assert trace.at("demo_async", 1.0) == ["Two Async"] * 3 + [
        "async version executed in 1.00 seconds."
    ]
    assert trace.durations["demo_async"] == pytest.approx(1.0)


def test_sync_phase_alternates_and_takes_three_seconds(impl: str) -> None:
    trace = run_lesson("count", impl)
    assert trace.lines("demo_sync") == ["One Sync", "Two Sync"] * 3 + [
        "sync version executed in 3.00 seconds."
    ]
    assert [e.time for e in trace.events if e.phase == "demo_sync"] == [0, 1, 1, 2, 2, 3, 3]


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
@pytest.mark.parametrize("broken", ["count_sequential", "count_wrong_sleep"])
def test_known_broken_trio_ports_are_caught(broken: str) -> None:
    good = run_lesson("count", "asyncio")
    bad = run_lesson("count", "trio", module=load_broken(broken))
    verdict = compare(good, bad)
    assert not verdict.equivalent
    assert verdict.divergence is not None and verdict.divergence.phase == "demo_async"


@pytest.mark.trio
async def test_trio_counts_overlap_on_pytest_trios_autojump_clock(
    autojump_clock: trio.testing.MockClock,
) -> None:
    start = trio.current_time()
    await trio_count.main_async()
    assert trio.current_time() - start == pytest.approx(1.0)


@pytest.mark.asyncio_suite
def test_asyncio_counts_overlap_on_the_virtual_loop() -> None:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        loop = runner.get_loop()
        start = loop.time()
        runner.run(aio_count.main_async())
        assert loop.time() - start == pytest.approx(1.0)


# A slip that deadlocks meets the virtual deadline at once; a slip that blocks the real clock
# (time.sleep in a task) meets this timeout, in seconds rather than at the suite's 180 s.
@pytest.mark.timeout(60)
@pytest.mark.parametrize("slip", SLIPS["count"])
def test_realistic_porting_slips_are_caught(slip: str) -> None:
    """Each slip in tests/broken (issue 14) differs from the reference in some shared case."""
    assert diverging_cases("count", load_broken(slip)), f"{slip}: no case tells it apart"


@pytest.mark.parametrize(("slip", "phase"), [("count_forgot_start", "demo_async"),
                                             ("count_sync_forgot_start", "demo_sync")])
def test_a_forgotten_start_prints_the_clocks_reading(slip: str, phase: str) -> None:
    """``elapsed = clock()`` without ``- s``: every virtual clock starts at a random reading of
    10,000 s or more, as Trio's real one does, so the figure cannot pass for 1 or 3 seconds."""
    trace = run_lesson("count", "trio", module=load_broken(slip))
    (line,) = [line for line in trace.lines(phase) if "executed in" in line]
    match = re.fullmatch(r"(a)?sync version executed in (?P<s>\S+) seconds\.", line)
    assert match is not None and float(match["s"]) >= 10_000
