"""The harness itself: clocks, capture and comparison. Each rule here is one the lessons lean on."""

from __future__ import annotations

import asyncio
import time

import pytest
import trio

from walkthrough.capture import capturing
from walkthrough.clocks import SyncVirtualClock, VirtualTimeLoop
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


def test_virtual_loop_jumps_over_sleeps_and_keeps_asyncio_scheduling() -> None:
    order: list[str] = []

    async def sleeper(name: str, s: float) -> None:
        await asyncio.sleep(s)
        order.append(name)

    async def main() -> float:
        await asyncio.gather(sleeper("b", 2), sleeper("a", 1), sleeper("c", 3600))
        return asyncio.get_running_loop().time()

    wall = time.perf_counter()
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        assert runner.run(main()) == pytest.approx(3600)
    assert order == ["a", "b", "c"]
    assert time.perf_counter() - wall < 1


def test_sync_clock_patches_and_restores_time() -> None:
    real_sleep = time.sleep
    with SyncVirtualClock().installed() as clock:
        time.sleep(5)
        assert time.perf_counter() == clock.now == 5
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
