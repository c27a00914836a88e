"""Lesson 5, generators: both twins against the spec and each other, and the proof that they
are the same program (a generator is plain Python: Trio has nothing to change)."""

from __future__ import annotations

import ast
import inspect
import itertools
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncio_ref import generators as aio_generators
from tests.broken import SLIPS, diverging_cases
from tests.conftest import load_broken
from trio_port import generators as trio_generators
from walkthrough import catalogue
from walkthrough.runner import run_lesson

TWINS = {"asyncio": aio_generators, "trio": trio_generators}
CYCLE = (9, 8, 7, 6)


def test_traces_are_equivalent() -> None:
    lesson = catalogue.get("generators")
    verdict = lesson.compare(run_lesson(lesson, "asyncio"), run_lesson(lesson, "trio"))
    assert verdict.equivalent, verdict.describe()


def test_demo_matches_the_spec(impl: str) -> None:
    """The loop stops once the total reaches 40 (39 + 8 = 47 is the last sum it prints), throws
    the next value away, and the hand-taken values resume after it: 6, 9, 8."""
    trace = run_lesson("generators", impl)
    assert trace.lines("demo") == [
        "09/09 08/17 07/24 06/30 09/39 08/47 ",
        "discarding 7",
        "6 9 8",
    ]
    assert trace.outcomes["demo"] == "None"
    assert trace.durations["demo"] == 0  # nothing waits: no clock is involved at all


@pytest.mark.parametrize("impl", catalogue.IMPLS)
@given(taken=st.integers(0, 50), more=st.integers(1, 12))
def test_endless_cycles_and_resumes_where_it_paused(impl: str, taken: int, more: int) -> None:
    """Whatever was taken before a pause, the next values continue the cycle."""
    e = TWINS[impl].endless()
    before = list(itertools.islice(e, taken))
    after = [next(e) for _ in range(more)]
    assert before + after == [CYCLE[k % 4] for k in range(taken + more)]


def _code_without_docstring(module: ModuleType) -> str:
    tree = ast.parse(inspect.getsource(module))
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return "\n".join(ast.dump(node) for node in body)


def test_the_twins_hold_the_same_code() -> None:
    """Only the docstring differs: the Trio twin says why, and changes nothing."""
    assert _code_without_docstring(aio_generators) == _code_without_docstring(trio_generators)
    assert aio_generators.__doc__ != trio_generators.__doc__
    assert "no event loop" in (trio_generators.__doc__ or "")


@pytest.mark.timeout(60)  # a port that hangs fails in seconds, not at 180 s
def test_known_broken_port_is_caught() -> None:
    """A fresh ``endless()`` starts over: the last line reads 9 8 7, and the suite says so."""
    lesson = catalogue.get("generators")
    good = run_lesson(lesson, "asyncio")
    bad = run_lesson(lesson, "trio", module=load_broken("generators_fresh_generator"))
    verdict = lesson.compare(good, bad)
    assert not verdict.equivalent
    assert verdict.divergence is not None
    assert verdict.divergence.expected == ("6 9 8",)
    assert verdict.divergence.got == ("9 8 7",)


# A slip that deadlocks meets the virtual deadline at once; a slip that blocks the real clock
# (time.sleep in a task) meets this timeout, in seconds rather than at the suite's 180 s.
@pytest.mark.timeout(60)
@pytest.mark.parametrize("slip", SLIPS["generators"])
def test_realistic_porting_slips_are_caught(slip: str) -> None:
    """Each slip in tests/broken (issue 14) differs from the reference in some shared case."""
    assert diverging_cases("generators", load_broken(slip)), f"{slip}: no case tells it apart"
