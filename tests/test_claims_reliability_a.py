"""Claims of docs/reliability.md's first half (down to "Ctrl-C") that no other test showed.

An outside review (issue 26) tried to make each sentence of the page false; where a sentence
about a framework or a lesson stood on no test, or was corrected, the test is here, one a
claim:

* the rule table's Ctrl-C row, asyncio: ``asyncio.run`` turns Ctrl-C into a
  ``KeyboardInterrupt`` only when the main task ends *cancelled*; a main that swallows the
  ``CancelledError`` returns normally, and the Ctrl-C is lost;
* the table's "cleanup that awaits" row, asyncio: it runs to the end after a deadline or one
  Ctrl-C, but a second Ctrl-C under ``asyncio.run`` raises ``KeyboardInterrupt`` in the middle
  of it;
* the same row, Trio: an unbounded shield in a child task holds the main task's
  ``KeyboardInterrupt`` in the nursery until the shielded cleanup ends (a second Ctrl-C
  included); a bounded one lets it out at its bound; a shield in the main task itself holds
  nothing (the interrupt is delivered through it);
* lesson 4, asyncio: the consumer that fails at t=6.5 has taken no job yet (the page said
  "after its first job");
* lesson 4, Trio: a producer's error comes out as exactly ``ExceptionGroup[ExceptionGroup
  [Boom]]`` (the producers' nursery inside the consumers'), and ``except* Boom`` catches it
  (``tests/test_faults.py`` looks through any depth, so it did not show the nesting).

Everything runs on virtual clocks; Ctrl-C is a real SIGINT the process sends itself, with
Python's default handler put in place first (the frameworks install theirs only over it).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import signal
from collections.abc import Iterator
from typing import Any

import pytest
import trio
import trio.testing

from tests.test_faults import (
    Boom,
    lesson_module,
    named_task_fails_at,
    queue_names,
    queue_params,
    run_virtual,
)
from walkthrough.clocks import VirtualTimeLoop


@contextlib.contextmanager
def default_sigint() -> Iterator[None]:
    """Python's own SIGINT handler, as in a program run from a shell, restored afterwards:
    ``asyncio.Runner`` and ``trio.run`` install their handlers only over that one."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def press_ctrl_c() -> None:
    signal.raise_signal(signal.SIGINT)


# --------------------------------------------------------------------------------------------
# The rule table, asyncio.


@pytest.mark.timeout(60)
def test_asyncio_run_turns_ctrl_c_into_keyboardinterrupt_only_if_main_ends_cancelled() -> None:
    """One press cancels the main task. Let out, the CancelledError becomes a bare
    KeyboardInterrupt; swallowed, ``run`` returns the main's value and the press is lost."""

    async def lets_it_out() -> str:
        press_ctrl_c()
        await asyncio.sleep(10)
        return "not interrupted"

    async def swallows_it() -> str:
        press_ctrl_c()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "swallowed"
        return "not interrupted"

    with default_sigint():
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner, \
                pytest.raises(KeyboardInterrupt):
            runner.run(lets_it_out())
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            assert runner.run(swallows_it()) == "swallowed"


@pytest.mark.timeout(60)
def test_asyncio_cleanup_that_awaits_is_cut_short_by_a_second_ctrl_c() -> None:
    """The first press is a cancellation, delivered once: the ``finally`` may await. A second
    press during that await is asyncio.run's ``KeyboardInterrupt``, raised where it lands: the
    cleanup never ends, and the KeyboardInterrupt comes out of ``run``."""
    log: list[str] = []

    async def main() -> None:
        try:
            press_ctrl_c()
            await asyncio.sleep(10)
        finally:
            log.append("cleanup started")
            asyncio.get_running_loop().call_later(0.5, press_ctrl_c)  # the second press
            await asyncio.sleep(1)
            log.append("cleanup done")

    with default_sigint(), asyncio.Runner(loop_factory=VirtualTimeLoop) as runner, \
            pytest.raises(KeyboardInterrupt):
        runner.run(main())
    assert log == ["cleanup started"]


@pytest.mark.timeout(60)
def test_asyncio_cleanup_that_awaits_runs_to_the_end_after_one_ctrl_c() -> None:
    """The control of the test above: one press only, and the awaiting cleanup finishes."""
    log: list[str] = []

    async def main() -> None:
        try:
            press_ctrl_c()
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(1)
            log.append("cleanup done")

    with default_sigint(), asyncio.Runner(loop_factory=VirtualTimeLoop) as runner, \
            pytest.raises(KeyboardInterrupt):
        runner.run(main())
    assert log == ["cleanup done"]


# --------------------------------------------------------------------------------------------
# The rule table, Trio: a shielded cleanup in a child task, and Ctrl-C.


def trio_ctrl_c_with_a_shielded_child(bound: float, presses: list[float]
                                      ) -> tuple[BaseException | None, list[tuple[str, float]]]:
    """A child whose ``finally`` sleeps 1000 s in a shield (``bound``: ``move_on_after``'s,
    or ``math.inf`` for a bare ``CancelScope(shield=True)``); Ctrl-C at each of ``presses``.

    Returns what came out of ``trio.run`` and when the child's cleanup and the run ended.
    """
    log: list[tuple[str, float]] = []

    async def child() -> None:
        try:
            await trio.sleep_forever()
        finally:
            with trio.move_on_after(bound, shield=True):
                await trio.sleep(1000)  # a hung close, a peer that never answers
            log.append(("cleanup ended", trio.current_time()))

    @trio.lowlevel.enable_ki_protection  # so the KeyboardInterrupt goes to the main task
    async def presser() -> None:
        for at in presses:
            await trio.sleep_until(at)
            press_ctrl_c()

    async def main() -> None:
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(child)
                nursery.start_soon(presser)
                await trio.sleep_forever()
        finally:
            log.append(("run ended", trio.current_time()))

    error: BaseException | None = None
    with default_sigint():
        try:
            trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
        except BaseException as exc:  # the KeyboardInterrupt, in its groups, is the subject
            error = exc
    return error, log


def only_keyboardinterrupts(error: BaseException | None) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(only_keyboardinterrupts(inner) for inner in error.exceptions)
    return isinstance(error, KeyboardInterrupt)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("presses", [[1.0], [1.0, 2.0]], ids=["one press", "two presses"])
def test_trio_an_unbounded_shield_in_a_child_holds_ctrl_c_until_its_cleanup_ends(
    presses: list[float],
) -> None:
    """Ctrl-C at t=1 reaches the main task, whose nursery cancels the child and waits for
    it: the shielded 1000 s wait runs on, and the KeyboardInterrupt comes out of the run at
    t=1001, not t=1. A second press changes nothing."""
    error, log = trio_ctrl_c_with_a_shielded_child(math.inf, presses)
    assert isinstance(error, BaseExceptionGroup) and only_keyboardinterrupts(error), error
    assert log == [("cleanup ended", pytest.approx(1001)), ("run ended", pytest.approx(1001))]


@pytest.mark.timeout(60)
def test_trio_a_bounded_shield_lets_ctrl_c_out_at_its_bound() -> None:
    """``move_on_after(5, shield=True)``: the same Ctrl-C comes out at t=1+5."""
    error, log = trio_ctrl_c_with_a_shielded_child(5, [1.0])
    assert isinstance(error, BaseExceptionGroup) and only_keyboardinterrupts(error), error
    assert log == [("cleanup ended", pytest.approx(6)), ("run ended", pytest.approx(6))]


@pytest.mark.timeout(60)
def test_trio_a_shield_in_the_main_task_does_not_hold_ctrl_c() -> None:
    """Why the table says *in a child task*: Trio delivers KeyboardInterrupt to the main task
    through a shield, so the main task's own shielded 1000 s wait ends at the press, t=1."""
    left_at: list[float] = []

    @trio.lowlevel.enable_ki_protection
    async def presser() -> None:
        await trio.sleep(1)
        press_ctrl_c()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(presser)
            try:
                with trio.CancelScope(shield=True):
                    await trio.sleep(1000)
            finally:
                left_at.append(trio.current_time())

    with default_sigint(), pytest.raises(BaseExceptionGroup) as caught:
        trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert only_keyboardinterrupts(caught.value), caught.value
    assert left_at == [pytest.approx(1)]


# --------------------------------------------------------------------------------------------
# Lesson 4, queue.


def test_queue_the_asyncio_consumer_that_fails_at_6_5_had_taken_no_job(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """The fault of ``test_queue_consumer_fault_asyncio_is_silent_the_other_consumer_takes_over``
    (the second consumer, at t=6.5): asyncio runs the same steps each time, and the jobs put
    at t=1 and t=6 both went to the first consumer, so the one that fails has printed no
    line at all. (In Trio which consumer takes a job is the scheduler's choice.)"""
    import gc

    mod = lesson_module("queue", "asyncio")
    params = queue_params()
    first, second = queue_names(mod)[1]
    named_task_fails_at(mod, "consume", "asyncio", second, 6.5, monkeypatch)
    run = run_virtual("asyncio", lambda: mod.main(**params))
    gc.collect()  # the dead task's "never retrieved" log line, here and not in another test
    assert run.error is None
    before = [e.text for e in run.trace.events if e.time < 6.5 and "Consumer" in e.text]
    assert len(before) == 2 and all(f"Consumer {first} " in line for line in before), before
    assert not any(f"Consumer {second} " in line for line in run.lines())
    assert run.ended_at == pytest.approx(98)


def test_queue_a_trio_producer_error_is_exactly_two_groups_deep() -> None:
    """The producers' nursery sits inside the consumers': the producer's Boom comes out of
    ``main`` as ``ExceptionGroup[ExceptionGroup[Boom]]``, one error in each, and ``except*
    Boom`` catches it at that depth."""
    mod = lesson_module("queue", "trio")
    params = queue_params()
    clean = run_virtual("trio", lambda: mod.main(**params))
    added = [e.text.split()[1] for e in clean.trace.events
             if e.time == 11.0 and e.text.startswith("Producer ")]
    assert len(added) == 1, "the seed changed: pick the fault again"
    with pytest.MonkeyPatch.context() as monkeypatch:
        named_task_fails_at(mod, "produce", "trio", added[0], 11.5, monkeypatch)
        run = run_virtual("trio", lambda: mod.main(**params))
        outer = run.error
        assert type(outer) is ExceptionGroup and len(outer.exceptions) == 1, outer
        inner = outer.exceptions[0]
        assert type(inner) is ExceptionGroup and len(inner.exceptions) == 1, inner
        assert type(inner.exceptions[0]) is Boom

        caught: list[Any] = []

        async def catch() -> None:
            try:
                await mod.main(**params)
            except* Boom as group:
                caught.append(group)

        trio.run(catch, clock=trio.testing.MockClock(autojump_threshold=0))
    assert len(caught) == 1
