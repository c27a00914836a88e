"""What a check runs of a module: the lesson's phases, the check's own drivers, the Trio extras.

:func:`phases_of` lists, for a module (the reference or a port), the callables a case runs:
the notebook's phases (``Lesson.phases``), the consumers the check adds to see *when* values
arrive (:data:`DRIVERS`), and for a Trio exercise the functions it asks for beyond the
notebook (:data:`TRIO_EXTRAS`), compared with our own Trio twin's.

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


def _extra(module: types.ModuleType, name: str) -> Callable[..., Any]:
    """The callable run for one of :data:`TRIO_EXTRAS` in ``module``."""
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
    return found
