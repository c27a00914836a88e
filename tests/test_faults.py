"""Faults: an exception in *one* task of a lesson, and what it does to the others.

This is the divergence users trip over first when they move from asyncio to Trio:

* ``asyncio.gather`` re-raises the first exception *bare* and returns at once, but the sibling
  tasks are **not** cancelled: they keep running (and printing) in the background, orphans that
  nobody awaits. Only ``asyncio.run`` cancels them, when it shuts the loop down.
* A Trio nursery **cancels** every sibling the moment one child raises, waits for them to
  unwind, and raises an ``ExceptionGroup`` holding the error: catch it with ``except*``.

The lessons carry no test hooks, so each fault is injected from here: we replace one of the
lesson module's own functions (the one every task looks up at call time: ``count_async``,
``makerandom``, ``fire``, ``produce``, ``consume``) with a wrapper that raises for *one* task
and behaves like the original for every other. Everything runs on the virtual clocks, so the
tests also see *when* each line was printed, and whether a sibling printed after the fault.

The helpers below (``run_virtual``, ``Run``) are shared with ``test_cancellation.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.capture import asyncio_task, capturing, trio_task
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.trace import Trace, Verdict, compare


class Boom(Exception):
    """The injected fault: a plain ``Exception`` subclass no lesson catches by accident."""


@dataclass
class Run:
    """What one virtual-clock run of a lesson showed: lines, the error, what outlived it."""

    trace: Trace
    error: BaseException | None = None
    result: Any = None
    #: virtual time at which the awaited call returned or raised
    ended_at: float = math.nan
    #: framework tasks still alive (not done) right after the call returned or raised
    alive_after: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return self.trace.lines()

    def lines_after(self, t: float) -> list[str]:
        """Lines printed strictly after virtual time ``t`` (by anyone)."""
        return [e.text for e in self.trace.events if e.time > t + 1e-9]

    def when(self, text: str) -> list[float]:
        return [round(e.time, 6) for e in self.trace.events if e.text == text]


def run_virtual(
    impl: str,
    call: Callable[[], Awaitable[Any]],
    *,
    linger: float = 0.0,
) -> Run:
    """Await ``call()`` on the virtual clock of ``impl``, capturing prints and the outcome.

    ``linger`` keeps the run going that many virtual seconds *after* ``call()`` raised or
    returned, inside the same event loop. That is how a real program behaves when it catches
    the error and carries on: it is the window in which asyncio's orphaned siblings keep
    printing, and in which Trio has nothing left to run.
    """
    trace = Trace(impl=impl, lesson="fault")
    run = Run(trace)
    if impl == "asyncio":

        async def outer_aio() -> None:
            loop = asyncio.get_running_loop()
            try:
                run.result = await call()
            except Exception as exc:
                run.error = exc
            run.ended_at = loop.time() - base
            me = asyncio.current_task()
            run.alive_after = sum(
                1 for t in asyncio.all_tasks() if t is not me and not t.done()
            )
            await asyncio.sleep(linger)

        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            loop = runner.get_loop()
            base = loop.time()  # the virtual loop starts at a random reading, as a real one
            with capturing(trace, "main", lambda: loop.time() - base, asyncio_task):
                runner.run(outer_aio())
    elif impl == "trio":
        clock = trio.testing.MockClock(autojump_threshold=0)

        async def outer_trio() -> None:
            try:
                run.result = await call()
            except Exception as exc:
                run.error = exc
            run.ended_at = trio.current_time()
            run.alive_after = _trio_tasks_besides_me()
            await trio.sleep(linger)

        with capturing(trace, "main", clock.current_time, trio_task):
            trio.run(outer_trio, clock=clock)
    else:  # pragma: no cover - a typo in a test
        raise ValueError(impl)
    return run


def _trio_tasks_besides_me() -> int:
    """Tasks still running below the current one: the lesson's children, if any outlived it.

    The lesson was awaited directly in the current task, so every task it spawned sits in a
    nursery below us; Trio's own system tasks sit beside us and are not counted.
    """

    def descendants(task: trio.lowlevel.Task) -> Iterator[trio.lowlevel.Task]:
        for nursery in task.child_nurseries:
            for child in nursery.child_tasks:
                yield child
                yield from descendants(child)

    return sum(1 for _ in descendants(trio.lowlevel.current_task()))


def sleep_for(impl: str) -> Callable[[float], Awaitable[None]]:
    return asyncio.sleep if impl == "asyncio" else trio.sleep


def single_boom(error: BaseException | None) -> Boom:
    """The one injected Boom inside a group, however deeply nested.

    Nested nurseries nest the groups: the Trio queue lesson opens the producers' nursery
    inside the consumers', so a producer's error comes out as ``ExceptionGroup[ExceptionGroup
    [Boom]]``. ``except* Boom`` sees through any depth; so does this helper.
    """
    assert isinstance(error, BaseExceptionGroup), f"expected a group, got {error!r}"
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(error)
    assert len(leaves) == 1 and isinstance(leaves[0], Boom), leaves
    return leaves[0]


def assert_arrives_as(impl: str, error: BaseException | None) -> Boom:
    """asyncio re-raises the task's own exception; Trio wraps it in an ExceptionGroup."""
    if impl == "asyncio":
        assert isinstance(error, Boom), f"gather should re-raise Boom bare, got {error!r}"
        return error
    assert isinstance(error, ExceptionGroup), f"a nursery raises a group, got {error!r}"
    return single_boom(error)


def lesson_module(name: str, impl: str) -> ModuleType:
    lesson = catalogue.get(name)
    if not lesson.exists(impl):
        pytest.skip(f"{lesson.module_name(impl)} is not written yet")
    return lesson.load(impl)


# --------------------------------------------------------------------------------------------
# count: the model pair. One of the three counts raises half-way through its sleep.


def faulty_count(mod: ModuleType, impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second ``count_async`` prints "One Async", sleeps 0.5 s, and raises."""
    original = mod.count_async
    calls = itertools.count()

    async def count_async() -> None:
        if next(calls) == 1:
            print("One Async")
            await sleep_for(impl)(0.5)
            raise Boom("count #1 failed")
        await original()

    monkeypatch.setattr(mod, "count_async", count_async)


def test_count_fault_asyncio_gather_leaves_the_siblings_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gather raises Boom bare at t=0.5, but the two healthy counts are *orphaned*, not
    cancelled: they are still alive when main has already failed, and half a second later, at
    t=1, they print "Two Async" in the background. (``asyncio.run`` would cancel them only at
    exit.)"""
    mod = lesson_module("count", "asyncio")
    faulty_count(mod, "asyncio", monkeypatch)
    run = run_virtual("asyncio", mod.main_async, linger=5)
    assert_arrives_as("asyncio", run.error)
    assert run.ended_at == pytest.approx(0.5)
    assert run.alive_after == 2
    assert run.when("Two Async") == [1.0, 1.0]


def test_count_fault_trio_nursery_cancels_the_siblings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The nursery cancels the two healthy counts at t=0.5 and raises an ExceptionGroup: no
    "Two Async" is ever printed, and nothing of the lesson is left running."""
    mod = lesson_module("count", "trio")
    faulty_count(mod, "trio", monkeypatch)
    run = run_virtual("trio", mod.main_async, linger=5)
    assert_arrives_as("trio", run.error)
    assert run.ended_at == pytest.approx(0.5)
    assert run.alive_after == 0
    assert run.lines() == ["One Async"] * 3


def test_trio_group_is_caught_with_except_star(monkeypatch: pytest.MonkeyPatch) -> None:
    """The migration recipe: ``except* Boom`` catches the error out of the nursery's group,
    where a plain ``except Boom`` would let it through."""
    mod = lesson_module("count", "trio")
    faulty_count(mod, "trio", monkeypatch)
    caught: list[BaseException] = []
    plain_missed: list[BaseException] = []

    async def main() -> None:
        try:
            try:
                await mod.main_async()
            except Boom:  # never matches: the nursery wraps the error
                pytest.fail("a plain except caught a nursery's error")
        except BaseExceptionGroup as group:
            plain_missed.append(group)
        faulty_count(mod, "trio", monkeypatch)  # arm the fault again for the second run
        try:
            await mod.main_async()
        except* Boom as group:
            caught.extend(group.exceptions)

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert len(plain_missed) == 1 and len(caught) == 1
    assert str(caught[0]) == "count #1 failed"


# --------------------------------------------------------------------------------------------
# The general shape: a clean run, then the same run with one task failing at time T.


def fail_at(impl: str, original: Callable[..., Awaitable[Any]], t: float, what: str
            ) -> Callable[..., Awaitable[Any]]:
    """``original`` unchanged until ``t`` virtual seconds have passed, then ``Boom``.

    The task prints exactly what it would have printed up to ``t``, then fails mid-sleep: the
    fault is the only difference from a clean run. ``t`` is chosen off the whole seconds the
    lessons sleep, so no other line is printed at the same instant.
    """
    if impl == "asyncio":

        async def aio(*args: Any, **kwargs: Any) -> Any:
            try:
                async with asyncio.timeout(t):
                    return await original(*args, **kwargs)
            except TimeoutError:
                raise Boom(what) from None

        return aio

    async def tr(*args: Any, **kwargs: Any) -> Any:
        with trio.move_on_after(t):
            return await original(*args, **kwargs)
        raise Boom(what)

    return tr


def subtrace(run: Run, keep: Callable[[float, str], bool]) -> Trace:
    """The events of ``run`` that ``keep(time, text)`` accepts, as a trace to compare."""
    t = Trace(impl=run.trace.impl, lesson="expected")
    t.events = [e for e in run.trace.events if keep(e.time, e.text)]
    return t


def assert_fault_shape(
    impl: str, clean: Run, faulty: Run, t: float, is_faulty_task: Callable[[str], bool],
) -> None:
    """What one task failing at ``t`` must look like, by framework.

    asyncio: every sibling prints exactly what it printed in the clean run, *after* ``t`` too
    (they were never cancelled); the failed task stops at ``t``; gather raised Boom bare at t.
    Trio: the output is the clean run's up to ``t`` and nothing after; the nursery raised an
    ExceptionGroup at ``t`` and left no task behind.
    """
    assert clean.error is None, clean.error
    boom = assert_arrives_as(impl, faulty.error)
    assert faulty.ended_at == pytest.approx(t)
    if impl == "asyncio":
        expected = subtrace(clean, lambda time, text: time < t or not is_faulty_task(text))
        still_running = len({
            e.task for e in clean.trace.events if e.time > t and not is_faulty_task(e.text)
        })
        assert faulty.alive_after == still_running
    else:
        expected = subtrace(clean, lambda time, text: time < t)
        assert faulty.alive_after == 0
        assert faulty.lines_after(t) == []
    verdict = compare_events(expected, faulty.trace)
    assert verdict.equivalent, verdict.describe()
    assert str(boom)


def compare_events(expected: Trace, got: Trace) -> Verdict:
    """Compare printed lines only (same-instant lines of different tasks as a multiset)."""
    a, b = Trace(impl="x", lesson="x"), Trace(impl="x", lesson="x")
    a.events, b.events = expected.events, got.events
    return compare(a, b)


# --------------------------------------------------------------------------------------------
# makerandom: one of the three draws fails at t=2.5 (makerandom(2), mid-way through its
# second "too low" sleep); makerandom(0) would run on to t=9.

MAKERANDOM_FAULT_IDX, MAKERANDOM_FAULT_T = 2, 2.5


def test_makerandom_one_task_fails(impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncio: makerandom(0) keeps drawing and printing until t=9 after gather has already
    raised; Trio: it is cancelled at t=2.5 with the failed one."""
    mod = lesson_module("makerandom", impl)
    clean = run_virtual(impl, mod.main, linger=20)
    original = mod.makerandom
    faulty = fail_at(impl, original, MAKERANDOM_FAULT_T, "makerandom(2) failed")

    async def makerandom(idx: int, *args: Any, **kwargs: Any) -> int:
        fn = faulty if idx == MAKERANDOM_FAULT_IDX else original
        return int(await fn(idx, *args, **kwargs))

    monkeypatch.setattr(mod, "makerandom", makerandom)
    run = run_virtual(impl, mod.main, linger=20)
    colour = mod.c[MAKERANDOM_FAULT_IDX + 1]
    assert_fault_shape(impl, clean, run, MAKERANDOM_FAULT_T, lambda text: colour in text)
    # The point of the lesson, in one line: is makerandom(0)'s result still printed?
    finished_0 = [line for line in run.lines() if "---> Finished: makerandom(0)" in line]
    assert len(finished_0) == (1 if impl == "asyncio" else 0)


# --------------------------------------------------------------------------------------------
# chained: cannon's ``fire`` fails half a second after it starts (t=1.5).

CHAIN_FAULT = "cannon"


def test_chained_one_fire_fails(impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncio: laser and railgun go on loading, firing and printing their timings after
    gather raised; Trio: they are cancelled when cannon's fire fails."""
    mod = lesson_module("chained", impl)
    args = catalogue.get("chained").params["args"]
    clean = run_virtual(impl, lambda: mod.main(*args), linger=20)
    fired_at = clean.when(f"firing {CHAIN_FAULT}: (will take 3 seconds)")
    assert fired_at, "the seed changed: pick the fault again"
    t = fired_at[0] + 0.5
    original = mod.fire

    async def fire(n: str, *rest: Any, **kwargs: Any) -> Any:
        if n == CHAIN_FAULT:
            print(f"firing {n}: (will take 3 seconds)")
            await sleep_for(impl)(0.5)
            raise Boom(f"{n} misfired")
        return await original(n, *rest, **kwargs)

    monkeypatch.setattr(mod, "fire", fire)
    run = run_virtual(impl, lambda: mod.main(*args), linger=20)
    assert_fault_shape(impl, clean, run, t, lambda text: CHAIN_FAULT in text)
    timings = [line for line in run.lines() if line.startswith("--> Timing")]
    assert len(timings) == (2 if impl == "asyncio" else 0)


# --------------------------------------------------------------------------------------------
# generators and async generators: no second task, so no divergence. A fault in the generator
# reaches the code that iterates it, bare, in both frameworks, as in any Python loop.


def test_generators_fault_is_plain_python_in_both(impl: str, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    """Lesson 5 has no event loop at all: its two twins are the same code, so a fault in
    ``endless`` is a plain exception from the ``for`` loop, the same in both."""
    mod = lesson_module("generators", impl)
    original = mod.endless

    def endless() -> Iterator[int]:
        for n, value in enumerate(original()):
            if n == 3:
                raise Boom("endless ran dry")
            yield value

    monkeypatch.setattr(mod, "endless", endless)
    phases = catalogue.get("generators").phases
    with pytest.raises(Boom):
        for phase in phases:
            getattr(mod, phase)()


def failing_mygen(mod: ModuleType, after: int) -> Callable[..., Any]:
    """``mygen`` that raises after ``after`` values, closing the real generator properly."""
    import contextlib

    original = mod.mygen

    async def mygen(*args: Any, **kwargs: Any) -> Any:
        async with contextlib.aclosing(original(*args, **kwargs)) as gen:
            n = 0
            async for value in gen:
                if n == after:
                    raise Boom(f"mygen failed after {after} values")
                n += 1
                yield value

    return mygen


def test_asyncgen_fault_reaches_the_loop_bare_in_both(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An async comprehension is one task: Boom arrives bare, at 3 x 0.2 s, in both versions;
    no group, because no nursery is involved."""
    mod = lesson_module("asyncgen", impl)
    monkeypatch.setattr(mod, "mygen", failing_mygen(mod, 3))
    run = run_virtual(impl, mod.main, linger=5)
    assert isinstance(run.error, Boom), run.error
    assert run.ended_at == pytest.approx(0.6)
    assert run.alive_after == 0
    assert "".join(run.lines()).count(".") == 4  # the fourth "." is printed, then it fails


def test_trio_mygen_ahead_background_fault_reaches_the_consumer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Trio only: ``mygen_ahead``'s producer runs in its own task. When it fails, the error
    reaches the consumer's ``async with`` in an ExceptionGroup (it crossed the generator's
    nursery: catch it with ``except*``), the consumer
    stops, and no task is left."""
    mod = lesson_module("asyncgen", "trio")
    original = mod.produce

    async def produce(sep: str, up_to: int, send: Any) -> None:
        await original(sep, min(up_to, 3), send)  # hands over 3 values, then fails
        raise Boom("producer failed")

    monkeypatch.setattr(mod, "produce", produce)
    run = run_virtual("trio", mod.main_ahead, linger=5)
    assert isinstance(run.error, ExceptionGroup), run.error  # from the generator's nursery
    assert str(single_boom(run.error)) == "producer failed"
    assert run.ended_at == pytest.approx(0.6)
    assert run.alive_after == 0
    assert run.lines_after(run.ended_at) == []


def test_trio_mygen_ahead_consumer_fault_cancels_the_producer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Trio only: the consumer fails in the middle of its ``async for``; the producer task
    is cancelled with it, and the consumer's error comes out of the ``async with`` bare."""
    mod = lesson_module("asyncgen", "trio")

    async def consumer() -> list[int]:
        got = []
        async with mod.mygen_ahead("+", 10) as powers:
            async for j in powers:
                got.append(j)
                if len(got) == 3:
                    raise Boom("consumer failed")
        return got

    run = run_virtual("trio", consumer, linger=5)
    # The consumer's own error comes out bare: as_safe_channel does not wrap it.
    assert isinstance(run.error, Boom) and str(run.error) == "consumer failed"
    assert run.ended_at == pytest.approx(0.4)
    assert run.alive_after == 0
    assert run.lines_after(run.ended_at) == []


# --------------------------------------------------------------------------------------------
# crawler: an error the crawl does *not* expect (the disk is full) in one page's task. Real
# I/O against the local demo site, on the real clock (virtual time and sockets do not mix).
#
# ``parse`` reports every HTTP error and goes on; this fault is past it, in ``write_one``:
# the kind of bug that must stop a crawl. The difference is what the *other* pages do then.


def crawl_with_one_failing_page(impl: str, monkeypatch: pytest.MonkeyPatch, tmp: Path
                                ) -> tuple[BaseException | None, list[str], list[str]]:
    """Crawl 60 demo pages at concurrency 5; page 5's task raises. (error, stdout, TSV)."""
    import contextlib
    import functools
    import io

    from walkthrough.demosite import DemoSite

    mod = lesson_module("crawler", impl)
    out = tmp / "out.tsv"
    out.write_text(mod.HEADER, encoding="utf-8")
    stdout = io.StringIO()
    error: BaseException | None = None
    with DemoSite(pages=60) as site:
        bad = site.url("page/5.html")
        original = mod.write_one

        async def write_one(file: Path, url: str, **kwargs: Any) -> None:
            if url == bad:
                raise Boom("disk full")
            await original(file, url, **kwargs)

        monkeypatch.setattr(mod, "write_one", write_one)
        crawl = functools.partial(mod.bulk_crawl_and_write, out, site.page_urls(),
                                  concurrency=5)
        try:
            with contextlib.redirect_stdout(stdout):
                if impl == "asyncio":
                    asyncio.run(crawl())
                else:
                    trio.run(crawl)
        except Exception as exc:
            error = exc
    return error, stdout.getvalue().splitlines(), out.read_text("utf-8").split("\n")[:-1]


def test_crawler_fault_asyncio_cancels_the_other_pages_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """gather re-raises Boom bare and would leave the other pages' tasks running: on into the
    closed session, each printing an error line ("Connector is closed") that is no error of
    theirs (this test caught exactly that). So ``bulk_crawl_and_write`` cancels them and waits
    for them before it re-raises, by hand, what a nursery does by itself: no page prints an
    error that is not its own, and the TSV holds complete rows only."""
    error, stdout, tsv = crawl_with_one_failing_page("asyncio", monkeypatch, tmp_path)
    assert isinstance(error, Boom), error
    assert [line for line in stdout if line.startswith("Error [")] == []
    assert all(len(row.split("\t")) == 2 for row in tsv)


def test_crawler_fault_trio_nursery_cancels_the_crawl_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """The nursery cancels every other page at once: the error comes out in an
    ExceptionGroup, no page prints an error that is not its own, the client closes after
    its users are gone, and the TSV holds complete rows only."""
    error, stdout, tsv = crawl_with_one_failing_page("trio", monkeypatch, tmp_path)
    assert_arrives_as("trio", error)
    assert [line for line in stdout if line.startswith("Error [")] == []
    assert all(len(row.split("\t")) == 2 for row in tsv)


# --------------------------------------------------------------------------------------------
# queue: producers and consumers that know nothing of each other. Here asyncio's notebook
# pattern (create_task + a done-callback set, gather of the producers, q.join(), cancel the
# consumers) and a nursery differ the most: a failed consumer is *silent* in asyncio.


def queue_params() -> dict[str, int]:
    params = catalogue.get("queue").params
    return {k: int(params[k]) for k in ("nprod", "ncon", "seed")}


def named_task_fails_at(mod: ModuleType, fn: str, impl: str, name: str, t: float,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The task running ``mod.<fn>(name, ...)`` behaves normally until ``t``, then fails.

    Chosen by its name argument, not by call order: a wrapper's body runs at the task's
    first step, and Trio runs the first steps of tasks started together in random order.
    """
    original = getattr(mod, fn)
    failing = fail_at(impl, original, t, f"{fn} {name} failed")

    async def wrapped(who: str, *args: Any, **kwargs: Any) -> Any:
        return await (failing if who == name else original)(who, *args, **kwargs)

    monkeypatch.setattr(mod, fn, wrapped)


def queue_names(mod: ModuleType) -> tuple[list[str], list[str]]:
    """(producer names, consumer names), as the lesson draws them from its seed."""
    p = queue_params()
    names: tuple[list[str], list[str]] = mod.names(p["seed"], p["nprod"], p["ncon"])
    return names


def jobs(lines: list[str], verb: str) -> list[str]:
    """The jobs in lines like "Producer X added <job> ..." (verb "added") or "... got"."""
    import re

    return [m.group(1) for line in lines if (m := re.search(rf"{verb} (?:element )?<(.*?)>",
                                                             line))]


# The second consumer fails at t=6.5; in asyncio it has taken no job yet (the first took the
# jobs put at t=1 and t=6: tests/test_claims_reliability_a.py).
QUEUE_CONSUMER_FAULT_T = 6.5


def test_queue_consumer_fault_asyncio_is_silent_the_other_consumer_takes_over(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """asyncio: the consumer task dies with Boom and *nobody notices*. main does not await
    consumers (it cancels them at the end), and the done-callback only drops the task from
    its set: ``main`` returns normally, the surviving consumer does all the remaining work,
    and the error surfaces only as a "Task exception was never retrieved" log line when the
    dead task is garbage-collected. With one consumer fewer, the program also ends later."""
    import gc

    mod = lesson_module("queue", "asyncio")
    params = queue_params()
    clean = run_virtual("asyncio", lambda: mod.main(**params))
    named_task_fails_at(mod, "consume", "asyncio", queue_names(mod)[1][1],
                        QUEUE_CONSUMER_FAULT_T, monkeypatch)
    run = run_virtual("asyncio", lambda: mod.main(**params))
    gc.collect()
    assert run.error is None  # the fault is swallowed
    assert sorted(jobs(run.lines(), "got")) == sorted(jobs(clean.lines(), "got"))
    assert run.ended_at > clean.ended_at  # 98 s instead of 59 s, with the default seed
    assert any("Task exception was never retrieved" in r.getMessage() for r in caplog.records)


def test_queue_consumer_fault_trio_stops_everything_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Trio: the consumer runs in the nursery, so its Boom cancels the producers and the
    other consumer at t=6.5 and comes out of ``main`` in an ExceptionGroup."""
    mod = lesson_module("queue", "trio")
    params = queue_params()
    named_task_fails_at(mod, "consume", "trio", queue_names(mod)[1][1],
                        QUEUE_CONSUMER_FAULT_T, monkeypatch)
    run = run_virtual("trio", lambda: mod.main(**params), linger=100)
    assert_arrives_as("trio", run.error)
    assert run.ended_at == pytest.approx(QUEUE_CONSUMER_FAULT_T)
    assert run.lines_after(QUEUE_CONSUMER_FAULT_T) == []
    assert run.alive_after == 0


def test_queue_only_consumer_fault_asyncio_waits_forever(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """asyncio with a single consumer: it dies, nobody notices, the producers go on filling
    the queue, and ``q.join()`` waits for ever for jobs no one will take. (Here an hour's
    deadline ends it.) Trio raises at the fault instead: see the test below."""
    mod = lesson_module("queue", "asyncio")
    params = {**queue_params(), "ncon": 1}
    named_task_fails_at(mod, "consume", "asyncio", queue_names(mod)[1][0], 1.5, monkeypatch)

    async def an_hour_at_most() -> None:
        async with asyncio.timeout(3600):
            await mod.main(**params)

    run = run_virtual("asyncio", an_hour_at_most)
    assert isinstance(run.error, TimeoutError)
    assert run.ended_at == pytest.approx(3600)
    assert [line for line in run.lines_after(1.5) if "Consumer" in line] == []


def test_queue_only_consumer_fault_trio_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = lesson_module("queue", "trio")
    params = {**queue_params(), "ncon": 1}
    named_task_fails_at(mod, "consume", "trio", queue_names(mod)[1][0], 1.5, monkeypatch)
    run = run_virtual("trio", lambda: mod.main(**params))
    assert_arrives_as("trio", run.error)
    assert run.ended_at == pytest.approx(1.5)


QUEUE_PRODUCER_FAULT_T = 11.5  # the first producer added its second job at t=11


def test_queue_producer_fault(impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A producer fails at t=11.5. asyncio: ``gather`` raises Boom bare, and ``main``'s
    ``finally`` cancels the consumers, but ``gather`` never cancels the *other producers*:
    orphans, they go on adding jobs after ``main`` has failed, jobs that no consumer will ever
    take. Trio: everything is cancelled at t=11.5 and the error comes in a group."""
    mod = lesson_module("queue", impl)
    params = queue_params()
    # The producer that added a job at t=11 (some producers draw zero jobs and end at once).
    clean = run_virtual(impl, lambda: mod.main(**params))
    added = [e.text.split()[1] for e in clean.trace.events
             if e.time == 11.0 and e.text.startswith("Producer ")]
    assert len(added) == 1, "the seed changed: pick the fault again"
    named_task_fails_at(mod, "produce", impl, added[0], QUEUE_PRODUCER_FAULT_T, monkeypatch)
    run = run_virtual(impl, lambda: mod.main(**params), linger=100)
    assert_arrives_as(impl, run.error)
    assert run.ended_at == pytest.approx(QUEUE_PRODUCER_FAULT_T)
    after = run.lines_after(QUEUE_PRODUCER_FAULT_T)
    if impl == "asyncio":
        assert jobs(after, "added"), after  # the orphaned producers carry on
        assert jobs(after, "got") == [], after  # the consumers were cancelled by main
        assert run.alive_after >= 1
    else:
        assert after == []
        assert run.alive_after == 0
