"""The notebook's own numbers (asyncio notebook mode), and the notebooks in ``notebooks/``.

Golden tests, asyncio only: the seed notebook seeds one global RNG, and its cells, solved as
they ask, print 17 "too low" lines and ``r1: 10, r2: 9, r3: 10`` (makerandom), and loads of
8, 4 and 3 s in a 12 s program (chained). We ran the seed's cells as written (nest_asyncio,
``random.seed``, the real clock) to get these numbers; ``demo_notebook`` reproduces them on
the virtual clock. The Trio twins have no such mode, on purpose (docs/lessons/makerandom.md).
"""

from __future__ import annotations

import asyncio
import itertools as it
import random
import runpy
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from faker import Faker

from asyncio_ref import chained, makerandom
from walkthrough.clocks import VirtualTimeLoop
from walkthrough.runner import run_lesson, run_phase
from walkthrough.trace import Trace

pytestmark = pytest.mark.asyncio_suite

ARGS = ("cannon", "laser", "railgun")


def notebook_run(fn: Callable[..., Any], **params: Any) -> Trace:
    trace = Trace("asyncio", fn.__module__)
    run_phase(trace, "demo_notebook", fn, "asyncio", params, virtual=True, tee=None)
    return trace


def test_makerandom_notebook_mode_prints_the_notebooks_numbers() -> None:
    trace = notebook_run(makerandom.demo_notebook, seed=444)
    lines = trace.lines()
    assert sum("too low; retrying." in line for line in lines) == 17
    assert lines[-1] == "r1: 10, r2: 9, r3: 10"
    assert trace.outcomes["demo_notebook"] == "[10, 9, 10]"
    # The default, one stream per task: the same results, other retries (what the twins share).
    default = run_lesson("makerandom", "asyncio")
    assert sum("too low" in line for line in default.lines()) == 5
    assert default.durations["demo"] == 9.0 and default.lines()[-1] == lines[-1]


def test_chained_notebook_mode_prints_the_notebooks_numbers() -> None:
    trace = notebook_run(chained.demo_notebook, seed=1672, args=ARGS)
    loads = [line for line in trace.lines() if line.startswith("loading ")]
    assert loads == ["loading cannon: (will take 8 seconds)",
                     "loading laser: (will take 4 seconds)",
                     "loading railgun: (will take 3 seconds)"]
    assert trace.lines()[-1] == "Program finished in 12.00 seconds."
    assert trace.durations["demo_notebook"] == 12.0
    default = run_lesson("chained", "asyncio")
    assert default.lines()[-1] == "Program finished in 9.00 seconds."


@pytest.mark.parametrize(("fn", "params"), [
    (makerandom.demo_notebook, {"seed": 444}),
    (chained.demo_notebook, {"seed": 1672, "args": ARGS}),
])
def test_notebook_mode_is_reproducible_on_asyncios_virtual_clock(
        fn: Callable[..., Any], params: dict[str, Any]) -> None:
    """FIFO wake-ups and no clock jitter: the one shared stream is drawn in one order."""
    runs = [notebook_run(fn, **params) for _ in range(3)]
    assert runs[0].text() == runs[1].text() == runs[2].text()
    assert [e.time for e in runs[0].events] == [e.time for e in runs[2].events]


def test_the_trio_twins_have_no_notebook_mode() -> None:
    """One shared stream under Trio: other numbers from run to run (test_divergences pins it)."""
    from trio_port import chained as trio_chained
    from trio_port import makerandom as trio_makerandom

    assert not hasattr(trio_makerandom, "demo_notebook")
    assert not hasattr(trio_chained, "demo_notebook")


@pytest.mark.parametrize(("module", "argv", "last"), [
    ("asyncio_ref.makerandom", ["--global-rng"], "r1: 10, r2: 9, r3: 10"),
    ("asyncio_ref.chained", ["--global-rng"], "Program finished in 12.00 seconds."),
    ("asyncio_ref.chained", [], "Program finished in 9.00 seconds."),
])
def test_global_rng_on_the_command_line(module: str, argv: list[str], last: str,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m asyncio_ref.makerandom --global-rng``, run here on the virtual loop."""

    def virtual_run(coro: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(coro)

    monkeypatch.setattr(asyncio, "run", virtual_run)
    monkeypatch.setattr(sys, "argv", [module, *argv])
    monkeypatch.delitem(sys.modules, module)  # run it as __main__, fresh
    runpy.run_module(module, run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == last
    assert ("--global-rng" in out[0]) is False  # the flag is not taken for a chain's name


# -- the queue with a global RNG is not reproducible, even under asyncio -----------------------

def notebook_queue(unit: float, now: Callable[[], float]) -> Callable[[], Coroutine[Any, Any,
                                                                                   list[str]]]:
    """The notebook's queue cells as written: ``random.seed(444)``, one ``Faker``, the module
    functions; sleeps of ``randint(0, 10) * unit`` seconds. Returns what it would print."""

    async def run() -> list[str]:
        out: list[str] = []
        rng = random.Random(444)  # random.seed(444), without touching the global
        fake = Faker()
        fake.seed_instance(444)

        async def rand_sleep() -> None:
            await asyncio.sleep(rng.randint(0, 10) * unit)

        async def produce(name: str, q: asyncio.Queue[tuple[str, float]]) -> None:
            for _ in it.repeat(None, rng.randint(0, 10)):
                await rand_sleep()
                await q.put((str(fake.job()), now()))
                out.append(f"Producer {name} added a job")

        async def consume(name: str, q: asyncio.Queue[tuple[str, float]]) -> None:
            while True:
                await rand_sleep()
                i, _ = await q.get()
                out.append(f"    > Consumer {name} got element <{i}>")
                q.task_done()

        q: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        producers = [asyncio.create_task(produce(fake.first_name_female(), q))
                     for _ in range(5)]
        consumers = [asyncio.create_task(consume(fake.first_name_male(), q))
                     for _ in range(2)]
        await asyncio.gather(*producers)
        await q.join()
        for c in consumers:
            c.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        return out

    return run


def test_the_queue_with_a_global_rng_is_reproducible_only_without_clock_jitter() -> None:
    """On the virtual loop (no jitter) the notebook's queue gives one output every time ..."""
    outputs = set()
    for _ in range(3):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            loop = runner.get_loop()
            outputs.add(tuple(runner.run(notebook_queue(1.0, loop.time)())))
    assert len(outputs) == 1


@pytest.mark.timeout(300)
def test_the_queue_with_a_global_rng_is_not_reproducible_even_under_asyncio() -> None:
    """... but on the real clock it is not: timers due at nearly the same instant wake in the
    order of their real deadlines, which differ by the microseconds each task spent getting
    to its sleep, so the tasks take numbers from the one stream in a jitter order.

    The sleeps are scaled to 1/100 (the mechanism is the same; the seed's own 1 s run gave 4
    different outputs in 4 runs, docs/lessons/queue.md). We run until two outputs differ; 60
    identical runs in a row would mean the order does not depend on jitter.
    """
    outputs: set[tuple[str, ...]] = set()
    for _ in range(60):
        outputs.add(tuple(asyncio.run(notebook_queue(0.01, time.perf_counter)())))
        if len(outputs) > 1:
            break
    assert len(outputs) > 1, "60 real-clock runs gave one output: jitter-blind?"
