"""Slips in the six small lesson twins that the lessons' own tests let through (issue 27).

mutmut 3.8.1 measured ``asyncio_ref/`` and ``trio_port/`` ``count``, ``chained``,
``makerandom``, ``generators``, ``asyncgen`` and ``queue`` against ``tests/test_<lesson>.py``
(docs/mutation.md). The lessons' tests run every phase the catalogue names with the
catalogue's parameters, so what they never did was call an entry point *without* them, the
way ``python -m`` and a learner's notebook cell do, or call a Trio-only variant with another
size than its default. These tests do, against both twins wherever both have the function:
a lesson contains no test hook, so everything here goes through the lessons' public names.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import types
from typing import Any

import pytest
import trio
from faker import Faker

from walkthrough import catalogue, normalise
from walkthrough.clocks import VirtualTimeLoop, mock_clock
from walkthrough.runner import run_lesson

#: The lessons whose ``demo`` has parameters of its own with defaults (``chained``'s needs its
#: names as arguments, and ``queue``'s is covered by tests/test_queue.py).
DEFAULTED = ("makerandom", "asyncgen")


@pytest.mark.parametrize("name", DEFAULTED)
def test_demo_with_no_arguments_is_the_notebooks_run(name: str, impl: str) -> None:
    """``demo()`` bare, as ``python -m`` runs it, prints and returns what the catalogue's run
    does (seed 444; ten values): a default seed or size changed by one gives other numbers.

    A stand-in module whose ``demo`` takes no parameter, so the runner hands it none, and the
    lesson's own ``demo`` is called with none.
    """
    lesson = catalogue.get(name)
    module = lesson.load(impl)

    async def bare() -> Any:
        return await module.demo()

    shim = types.ModuleType("shim")
    shim.demo = bare  # type: ignore[attr-defined]
    got = run_lesson(lesson, impl, params={}, module=shim)
    verdict = lesson.compare(run_lesson(lesson, impl), got)
    assert verdict.equivalent, verdict.describe()
    assert got.events, "the stand-in ran nothing"


@pytest.mark.trio_suite
@pytest.mark.parametrize("up_to", [0, 1, 3, 4, 11])
def test_main_ahead_takes_as_many_values_as_it_is_asked_for(
    up_to: int, capsys: pytest.CaptureFixture[str],
) -> None:
    """``main_ahead(up_to)`` (Trio only) is ``main(up_to)``'s ``f``, in half ``main``'s virtual
    time (one list, not two) and with one separator a value: a call that dropped ``up_to``
    would take ten whatever was asked (0 and 4 give ``[]`` and ``[1, 2]``)."""
    module = catalogue.get("asyncgen").load("trio")

    def timed(fn: Any) -> tuple[Any, float]:
        async def call() -> tuple[Any, float]:
            start = trio.current_time()
            result = await fn(up_to)
            return result, trio.current_time() - start
        result: tuple[Any, float] = trio.run(call, clock=mock_clock())
        return result

    ahead, ahead_seconds = timed(module.main_ahead)
    assert capsys.readouterr().out == "\n" + "+ " * up_to
    (_, f), main_seconds = timed(module.main)
    assert ahead == f == [2**i for i in range(up_to) if not 2**i // 3 % 5]
    assert ahead_seconds == pytest.approx(main_seconds / 2) == pytest.approx(0.2 * up_to)


# --- what a run leaves behind: no error logged, no task left running -------------------------


@pytest.mark.parametrize("name", ["count", "makerandom", "chained", "queue", "generators",
                                  "asyncgen"])
def test_a_lesson_logs_nothing(name: str, impl: str, caplog: pytest.LogCaptureFixture) -> None:
    """A run of the lesson logs no warning or error: asyncio reports an exception raised in a
    loop callback (``add_done_callback(None)``, once the task ends) through its logger, as
    "Exception in callback ...", and the run goes on to print every line right."""
    caplog.set_level(logging.WARNING)
    trace = run_lesson(name, impl)
    assert trace.events
    assert [r.getMessage() for r in caplog.records] == []


def _tasks_now(impl: str) -> set[object]:
    """Every task of the running event loop or Trio run, the caller's own included."""
    if impl == "asyncio":
        return set(asyncio.all_tasks())
    tasks: set[object] = set()
    todo = [trio.lowlevel.current_root_task()]
    while todo:
        task = todo.pop()
        if task is not None:
            tasks.add(task)
            todo += [t for n in task.child_nurseries for t in n.child_tasks]
    return tasks


@pytest.mark.parametrize("stop_at", [None, 5.0, 30.0],
                         ids=["to-the-end", "cut-at-5s", "cut-at-30s"])
def test_the_queues_main_leaves_no_task_behind(impl: str, stop_at: float | None) -> None:
    """When ``main`` returns, or is cancelled from outside (a timeout: while the producers
    still work, at 5 s, or later), no producer or consumer is left running: asyncio's ``main``
    cancels its consumers *and waits for them* (its ``finally``); Trio's nurseries cannot end
    before their children. A consumer cancelled and not awaited is still a live task when
    ``main`` has returned."""
    module = catalogue.get("queue").load(impl)

    async def asyncio_run() -> tuple[set[object], set[object], bool]:
        before = _tasks_now(impl)
        try:
            async with asyncio.timeout(stop_at):
                await module.main()
        except TimeoutError:
            return before, _tasks_now(impl), True
        return before, _tasks_now(impl), False

    async def trio_run() -> tuple[set[object], set[object], bool]:
        before = _tasks_now(impl)
        with trio.move_on_after(stop_at if stop_at is not None else math.inf) as scope:
            await module.main()
        return before, _tasks_now(impl), scope.cancelled_caught

    if impl == "trio":
        before, after, cut = trio.run(trio_run, clock=mock_clock())
    else:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            before, after, cut = runner.run(asyncio_run())
    assert cut == (stop_at is not None)  # the notebook's run ends at 59 s
    assert after == before


# --- the queue's lines name the lesson's own producers and consumers -------------------------


def _queue_names(seed: int, nprod: int, ncon: int) -> tuple[set[str], set[str]]:
    """The lesson's rule, restated: a ``Faker`` seeded with the seed names the producers
    (female first names), then the consumers (male)."""
    namer = Faker()
    namer.seed_instance(seed)
    return ({namer.first_name_female() for _ in range(nprod)},
            {namer.first_name_male() for _ in range(ncon)})


@pytest.mark.parametrize(("impl", "phase"), [
    ("asyncio", "demo"), ("trio", "demo"),
    ("trio", "demo_closing"),  # Trio only: the close-the-channel ending
], ids=["asyncio", "trio", "trio-closing"])
def test_every_queue_line_names_one_of_the_lessons_own_workers(impl: str, phase: str) -> None:
    """Which consumer takes a job is the scheduler's choice, so the comparison forgives the
    consumer's *name* (``walkthrough.normalise.queue``); that the name is one of the lesson's
    consumers, it must not: ``Consumer None got element`` is no consumer at all."""
    lesson = catalogue.get("queue")
    module = lesson.load(impl)
    for case in lesson.all_cases():
        producers, consumers = _queue_names(**case)
        shim = types.ModuleType("shim")
        shim.demo = getattr(module, phase)  # type: ignore[attr-defined]
        trace = run_lesson(lesson, impl, params=case, module=shim)
        consumed = [m["name"] for line in trace.lines()
                    if (m := normalise.CONSUMED.fullmatch(line))]
        produced = [m[1] for line in trace.lines()
                    if (m := re.fullmatch(r"Producer (.*?) added <.*> to queue\.", line))]
        assert consumed and len(consumed) == len(produced), case
        assert set(consumed) <= consumers, case
        assert set(produced) <= producers, case
