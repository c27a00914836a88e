"""The harness itself: clocks, capture and comparison. Each rule here is one the lessons lean on."""

from __future__ import annotations

import asyncio
import time

import pytest
import trio

from walkthrough import catalogue
from walkthrough.capture import capturing
from walkthrough.clocks import (
    OFFSET_ENV,
    SyncVirtualClock,
    VirtualTimeLoop,
    mock_clock,
    start_offset,
)
from walkthrough.runner import run_lesson
from walkthrough.trace import Event, Trace, compare


def trace(*events: tuple[float, int, str], outcome: str = "None") -> Trace:
    t = Trace(impl="x", lesson="x")
    t.events = [Event("p", time, task, text) for time, task, text in events]
    t.outcomes = {"p": outcome}
    return t


def test_same_instant_lines_from_different_tasks_compare_as_a_multiset() -> None:
    a = trace((0, 0, "a"), (0, 1, "b"), (1, 0, "c"))
    b = trace((0, 5, "b"), (0, 6, "a"), (1, 6, "c"))
    assert compare(a, b).equivalent


def test_one_tasks_own_order_at_an_instant_stays_exact() -> None:
    a = trace((0, 0, "One"), (0, 0, "Two"))
    b = trace((0, 0, "Two"), (0, 0, "One"))
    verdict = compare(a, b)
    assert not verdict.equivalent
    assert "another order" in verdict.describe()


def test_a_line_at_another_instant_is_a_divergence_naming_the_time() -> None:
    a = trace((0, 0, "One"), (1, 0, "Two"))
    b = trace((0, 0, "One"), (1.5, 0, "Two"))
    d = compare(a, b).divergence
    assert d is not None and d.time == 1.0 and d.expected == ("Two",) and d.got == ()
    assert "t=1.00s" in d.describe()


def test_different_outcomes_diverge() -> None:
    assert not compare(trace(outcome="[1, 2]"), trace(outcome="[2, 1]")).equivalent


@pytest.mark.timeout(30)  # an hour of sleep on the real clock would meet this instead
def test_virtual_loop_jumps_over_sleeps_and_keeps_asyncio_scheduling() -> None:
    order: list[str] = []

    async def sleeper(name: str, s: float) -> None:
        await asyncio.sleep(s)
        order.append(name)

    async def main() -> float:
        start = asyncio.get_running_loop().time()
        await asyncio.gather(sleeper("b", 2), sleeper("a", 1), sleeper("c", 3600))
        return asyncio.get_running_loop().time() - start

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        assert runner.run(main()) == pytest.approx(3600)
    assert order == ["a", "b", "c"]


def test_sync_clock_patches_and_restores_time() -> None:
    real_sleep = time.sleep
    with SyncVirtualClock().installed() as clock:
        start = time.perf_counter()
        time.sleep(5)
        assert time.perf_counter() - start == clock.now == 5
    assert time.sleep is real_sleep


def test_capture_stamps_fragments_when_the_clock_moves() -> None:
    t = Trace(impl="trio", lesson="x")
    clock = trio.testing.MockClock(autojump_threshold=0)

    async def dots() -> None:
        for _ in range(3):
            print("+", end=" ")
            await trio.sleep(0.2)
        print()
        print("done")

    with capturing(t, "p", clock.current_time, lambda: None):
        trio.run(dots, clock=clock)
    assert [(round(e.time, 6), e.text, e.newline) for e in t.events] == [
        (0.0, "+ ", False), (0.2, "+ ", False), (0.4, "+ ", False), (0.6, "", True),
        (0.6, "done", True),
    ]
    assert t.text() == "+ + + \ndone\n"


# -- every virtual clock starts at a random, non-zero reading ----------------------------------


def _loop_reading() -> float:
    loop = VirtualTimeLoop()
    try:
        return loop.time()
    finally:
        loop.close()


def test_every_virtual_clock_starts_at_a_random_nonzero_reading() -> None:
    """Like Trio's real clock: a lesson that prints a reading as an elapsed time shows it."""
    readings = [[_loop_reading(), mock_clock().current_time(), SyncVirtualClock().perf_counter()]
                for _ in range(2)]
    for loop_reading, trio_reading, sync_reading in readings:
        assert min(loop_reading, trio_reading, sync_reading) >= 10_000
    first, second = readings
    assert all(a != b for a, b in zip(first, second, strict=True))  # ~1 in 250M to collide


def test_the_offset_keeps_whole_second_sums_exact() -> None:
    """Ties must stay ties: (offset + 1) + 2 is exactly offset + 3, for any offset drawn."""
    for _ in range(1000):
        offset = start_offset()
        assert (offset + 1) + 2 == offset + 3 and offset + 0.5 + 0.5 == offset + 1


def test_the_offset_can_be_fixed_to_replay_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OFFSET_ENV, "12345.5")
    assert _loop_reading() == mock_clock().current_time() == 12345.5
    monkeypatch.setenv(OFFSET_ENV, "soon")
    with pytest.raises(ValueError, match=f"^{OFFSET_ENV} must be a number of seconds, not 'soon'$"):
        start_offset()


def test_a_trace_counts_from_the_start_of_each_phase_on_every_clock() -> None:
    """The lesson sees the offset reading; the trace, and so every comparison, starts at 0."""
    for impl in catalogue.IMPLS:
        trace = run_lesson("count", impl)
        assert next(e.time for e in trace.events if e.phase == "demo_sync") == 0
        assert trace.at("demo_async", 0.0) == ["One Async"] * 3
        assert trace.durations == pytest.approx({"demo_sync": 3.0, "demo_async": 1.0})
