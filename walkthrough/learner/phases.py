"""What a check runs of a module: the lesson's phases, the check's own drivers, the Trio extras.

:func:`phases_of` lists, for a module (the reference or a port), the callables a case runs:
the notebook's phases (``Lesson.phases``), the consumers the check adds to see *when* values
arrive (:data:`DRIVERS`), and for a Trio exercise the functions it asks for beyond the
notebook (:data:`TRIO_EXTRAS`), compared with our own Trio twin's, and the other ways the
shared tests drive those functions (:data:`TRIO_VARIANTS`): a check that skipped a scenario
the suite runs would call "equivalent" a port the suite rejects.

Separate because the reference side (:func:`walkthrough.learner.compare.references`), the
port side (:func:`walkthrough.learner.compare.check`), the report and the search for
unfinished bodies all need the same list, and none of them should own it.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable
from typing import Any

import trio
import trio.testing

from walkthrough import catalogue

#: Functions of a Trio exercise beyond the notebook's phases, compared with trio_port's own.
#: Each entry: (phase label, the function's name in your module, how to call it).
TRIO_EXTRAS: dict[str, tuple[str, ...]] = {
    "queue": ("demo_closing",),
    "asyncgen": ("main_ahead", "mygen_ahead"),
}


#: How the shared tests drive the Trio extras beyond the check's own call of them, each a
#: phase of its own (label -> the function of your module it needs), compared with trio_port's:
#: tests/test_asyncgen.py runs mygen_ahead against a consumer slower than the generator
#: (``ahead_with_a_slow_consumer``, 0.3 s a value: the only consumer that tells a rendezvous
#: channel from a buffer of one), one exactly as fast (0.2 s: the generator works while the
#: consumer works), and one that leaves after three values (the background task must stop
#: then and there, printing nothing more).
TRIO_VARIANTS: dict[str, dict[str, str]] = {
    "asyncgen": {
        "mygen_ahead, consumer at 0.3 s a value": "mygen_ahead",
        "mygen_ahead, consumer at 0.2 s a value": "mygen_ahead",
        "mygen_ahead, consumer leaves after 3 values": "mygen_ahead",
    },
}


def trio_labels(lesson: str) -> tuple[str, ...]:
    """Every Trio-only phase of ``lesson``: the extras, then their variants."""
    return (*TRIO_EXTRAS.get(lesson, ()), *TRIO_VARIANTS.get(lesson, {}))


def _paced(module: types.ModuleType, pace: float) -> Callable[..., Any]:
    async def mygen_ahead_paced(up_to: int = 10) -> list[tuple[float, int]]:
        """Each value of mygen_ahead with the virtual instant it arrived; ``pace`` s of work on
        each (tests/test_asyncgen.py ``ahead_with_a_slow_consumer``)."""
        start, got = trio.current_time(), []
        async with module.mygen_ahead("+", up_to) as powers:
            async for j in powers:
                got.append((round(trio.current_time() - start, 6), j))
                await trio.sleep(pace)
        return got

    return mygen_ahead_paced


def _leaving(module: types.ModuleType) -> Callable[..., Any]:
    async def mygen_ahead_left(up_to: int = 10) -> tuple[list[int], float]:
        """Three values (or fewer), then leave; then 1 s more, in which nothing may print
        (tests/test_asyncgen.py ``test_mygen_ahead_stops_its_task_when_the_consumer_leaves``)."""
        start, got = trio.current_time(), []
        async with module.mygen_ahead("+", up_to) as powers:
            async for j in powers:
                got.append(j)
                if len(got) == 3:
                    break
        left_at = round(trio.current_time() - start, 6)
        await trio.sleep(1)
        return got, left_at

    return mygen_ahead_left


def _extra(module: types.ModuleType, name: str) -> Callable[..., Any]:
    """The callable run for one of :func:`trio_labels` in ``module``."""
    if name == "mygen_ahead, consumer leaves after 3 values":
        return _leaving(module)
    if name.startswith("mygen_ahead, consumer at "):
        return _paced(module, float(name.split()[3]))
    if name != "mygen_ahead":
        return getattr(module, name)  # type: ignore[no-any-return]

    async def mygen_ahead(up_to: int = 10) -> list[int]:
        """mygen_ahead consumed slowly (0.5 s a value): how far ahead it runs shows."""
        got = []
        async with module.mygen_ahead("+", up_to) as powers:
            async for j in powers:
                await trio.sleep(0.5)
                got.append(j)
        return got

    return mygen_ahead


#: Phases ``check`` adds for both frameworks, compared with asyncio_ref's: a consumer that
#: looks at *when* each value arrives, which the lesson's own consumers (they take each value
#: at once) cannot see: a pause moved before the ``yield`` shows only here.
DRIVERS: dict[str, tuple[str, ...]] = {"asyncgen": ("mygen, consumed slowly",)}


def _driver(module: types.ModuleType, name: str, impl: str) -> Callable[..., Any]:
    assert name == "mygen, consumed slowly"

    async def mygen_consumed_slowly(up_to: int = 10) -> list[tuple[int, float]]:
        """Each value of mygen and the virtual instant it arrived; 0.5 s of work on each."""
        now = trio.current_time if impl == "trio" else asyncio.get_running_loop().time
        sleep = trio.sleep if impl == "trio" else asyncio.sleep
        start, got = now(), []
        async for j in module.mygen("+", up_to):
            got.append((j, round(now() - start, 3)))
            await sleep(0.5)
        got.append((-1, round(now() - start, 3)))  # when the generator said it was done
        return got

    return mygen_consumed_slowly


def phases_of(lesson: catalogue.Lesson, module: types.ModuleType,
              impl: str) -> list[tuple[str, Callable[..., Any]]]:
    found = [(p, getattr(module, p)) for p in lesson.phases]
    if callable(getattr(module, "mygen", None)):
        found += [(d, _driver(module, d, impl)) for d in DRIVERS.get(lesson.name, ())]
    if impl == "trio":
        found += [(e, _extra(module, e)) for e in TRIO_EXTRAS.get(lesson.name, ())
                  if callable(getattr(module, e, None))]
        found += [(v, _extra(module, v)) for v, needs in TRIO_VARIANTS.get(lesson.name, {}).items()
                  if callable(getattr(module, needs, None))]
    return found
