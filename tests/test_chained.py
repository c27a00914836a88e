"""Lesson 3, chained: both versions on the virtual clock, against the spec and each other.

The oracle is the *seeded plan*: chain number ``k`` draws from its own ``random.Random``,
seeded with the ``k``-th ``getrandbits(64)`` of ``random.Random(seed)`` (the rule both twins
follow, restated here rather than imported), first its load time, then its fire time. From the
plan alone we know every line, its instant, the results and the program's total time.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import string
from collections import Counter
from typing import Any

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.broken import SLIPS, diverging_cases
from tests.conftest import load_broken
from walkthrough import catalogue
from walkthrough.clocks import VirtualTimeLoop, mock_clock
from walkthrough.runner import run_lesson
from walkthrough.trace import Trace

LESSON = catalogue.get("chained")
NAMES = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
ARGS = st.lists(NAMES, min_size=1, max_size=8)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)

Timeline = tuple[tuple[float, str], ...]


def plan(seed: int, args: tuple[str, ...]) -> list[tuple[int, int]]:
    """(load seconds, fire seconds) for each chain, in argument order."""
    master = random.Random(seed)
    rngs = [random.Random(master.getrandbits(64)) for _ in args]
    return [(rng.randint(0, 10), rng.randint(0, 10)) for rng in rngs]


def expected_timeline(n: str, load: int, fire: int) -> Timeline:
    return (
        (0.0, f"loading {n}: (will take {load} seconds)"),
        (load, f"{n} loaded.."),
        (load, f"firing {n}: (will take {fire} seconds)"),
        (load + fire, f"{n} fired!"),
        (load + fire,
         f"--> Timing for {n}: total {load + fire:0.2f} seconds, partial {(load, fire)}."),
    )


def chain_timelines(trace: Trace) -> Counter[Timeline]:
    """Each chain task's own lines with their instants (the main task's line left out)."""
    tasks: dict[int, list[tuple[float, str]]] = {}
    for e in trace.events:
        if not e.text.startswith("Program finished"):
            tasks.setdefault(e.task, []).append((e.time, e.text))
    return Counter(tuple(lines) for lines in tasks.values())


def check_against_plan(trace: Trace, seed: int, args: tuple[str, ...]) -> None:
    steps = plan(seed, args)
    want = Counter(expected_timeline(n, *p) for n, p in zip(args, steps, strict=True))
    assert chain_timelines(trace) == want, f"under {trace.impl}"
    longest = max(load + fire for load, fire in steps)
    assert trace.at("demo", longest)[-1] == f"Program finished in {longest:0.2f} seconds."
    assert trace.durations["demo"] == pytest.approx(longest)
    assert trace.outcomes["demo"] == repr(steps)  # in argument order, whoever finished first


def check_total_is_longest_chain(trace: Trace) -> None:
    """Read from the trace alone: the program's figure is the largest chain figure."""
    totals = [float(m[1]) for line in trace.lines("demo")
              if (m := re.fullmatch(r"--> Timing for .*: total (\S+) seconds, .*", line))]
    (program,) = [float(m[1]) for line in trace.lines("demo")
                  if (m := re.fullmatch(r"Program finished in (\S+) seconds\.", line))]
    assert program == max(totals)


@pytest.mark.parametrize("case", LESSON.all_cases(), ids=repr)
def test_traces_are_equivalent(case: dict[str, Any]) -> None:
    verdict = LESSON.compare(run_lesson(LESSON, "asyncio", params=case),
                             run_lesson(LESSON, "trio", params=case))
    assert verdict.equivalent, verdict.describe()


def test_notebook_run_seed_1672(impl: str) -> None:
    trace = run_lesson(LESSON, impl)
    args = ("cannon", "laser", "railgun")
    check_against_plan(trace, 1672, args)
    check_total_is_longest_chain(trace)
    assert trace.outcomes["demo"] == "[(1, 3), (8, 1), (2, 2)]"
    assert trace.lines("demo")[-1] == "Program finished in 9.00 seconds."
    # cannon and railgun both finish at 4 s: the one instant whose order is the scheduler's.
    assert sorted(trace.at("demo", 4.0)) == sorted([
        "cannon fired!", "--> Timing for cannon: total 4.00 seconds, partial (1, 3).",
        "railgun fired!", "--> Timing for railgun: total 4.00 seconds, partial (2, 2).",
    ])


def test_the_entry_points_default_to_the_notebooks_seed(impl: str) -> None:
    """``main(*args)`` and ``demo(*args)`` with no seed are the notebook's run, seed 1672."""
    args = ("cannon", "laser", "railgun")
    module = LESSON.load(impl)
    for fn in (module.main, module.demo):
        if impl == "trio":
            got = trio.run(functools.partial(fn, *args), clock=mock_clock())
        else:
            with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
                got = runner.run(fn(*args))
        assert got == plan(1672, args) == [(1, 3), (8, 1), (2, 2)]


@pytest.mark.asyncio_suite
def test_notebook_mode_defaults_to_the_notebooks_seed() -> None:
    """``demo_notebook(*args)`` (``--global-rng``) with no seed: the notebook cells' numbers."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        got = runner.run(LESSON.load("asyncio").demo_notebook("cannon", "laser", "railgun"))
    assert [load for load, _ in got] == [8, 4, 3]


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS, args=ARGS)
def test_any_seed_and_chains_same_behaviour_and_follows_the_plan(
    seed: int, args: list[str],
) -> None:
    """Equivalent traces, and in both versions: every chain's lines at the planned instants,
    results in argument order, and a total equal to the longest chain (not the sum)."""
    params = {"seed": seed, "args": tuple(args)}
    traces = [run_lesson(LESSON, impl, params=params) for impl in catalogue.IMPLS]
    verdict = LESSON.compare(*traces)
    assert verdict.equivalent, verdict.describe()
    for trace in traces:
        check_against_plan(trace, seed, tuple(args))
        check_total_is_longest_chain(trace)


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_known_broken_sequential_port_is_caught() -> None:
    good = run_lesson(LESSON, "asyncio")
    bad = run_lesson(LESSON, "trio", module=load_broken("chained_sequential"))
    verdict = LESSON.compare(good, bad)
    # laser and railgun do not start loading at t=0; the program takes 4 + 9 + 4 = 17 s.
    assert verdict.divergence is not None and verdict.divergence.time == 0.0
    assert bad.lines("demo")[-1] == "Program finished in 17.00 seconds."


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_known_broken_completion_order_port_is_caught() -> None:
    """Every line right, at the right instant: only the returned list gives it away."""
    good = run_lesson(LESSON, "asyncio")
    bad = run_lesson(LESSON, "trio", module=load_broken("chained_completion_order"))
    verdict = LESSON.compare(good, bad)
    assert verdict.divergence is not None
    assert verdict.divergence.time is None
    assert verdict.divergence.reason == "the phase ended differently"
    assert bad.outcomes["demo"] in ("[(1, 3), (2, 2), (8, 1)]", "[(2, 2), (1, 3), (8, 1)]")


# A slip that deadlocks meets the virtual deadline at once; a slip that blocks the real clock
# (time.sleep in a task) meets this timeout, in seconds rather than at the suite's 180 s.
@pytest.mark.timeout(60)
@pytest.mark.parametrize("slip", SLIPS["chained"])
def test_realistic_porting_slips_are_caught(slip: str) -> None:
    """Each slip in tests/broken (issue 14) differs from the reference in some shared case."""
    assert diverging_cases("chained", load_broken(slip)), f"{slip}: no case tells it apart"
