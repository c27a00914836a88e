"""The lessons, in the notebook's order: names, sections, entry points and default parameters.

A lesson is a pair of twin modules with the same name, ``asyncio_ref.<name>`` and
``trio_port.<name>``. Its *phases* are the module-level callables that the notebook's last cell
runs, in order: a plain function runs on a patched ``time`` clock, a coroutine function under
the framework. ``params`` are the notebook's parameters; a phase receives those its signature
names.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from walkthrough.normalise import queue as normalise_queue
from walkthrough.trace import Trace, Verdict, compare

IMPLS = ("asyncio", "trio")
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}


@dataclass(frozen=True)
class Lesson:
    name: str
    section: str
    title: str
    phases: tuple[str, ...] = ("demo",)
    params: dict[str, Any] = field(default_factory=dict)
    #: True when the lesson talks to the network and cannot run on the virtual clock.
    real_io: bool = False
    #: More parameter sets (merged over ``params``) that the shared tests *and*
    #: ``walkthrough check`` run, so a learner's port meets the same cases as ours.
    cases: tuple[dict[str, Any], ...] = ()
    #: Applied to both traces before comparing, for a difference the lesson's docs name and
    #: justify (a scheduler's choice, not behaviour). None: traces compare as they are.
    normalise: Callable[[Trace], Trace] | None = None

    def all_cases(self) -> list[dict[str, Any]]:
        """The default parameters first, then each extra case merged over them."""
        return [dict(self.params)] + [{**self.params, **case} for case in self.cases]

    def compare(self, expected: Trace, got: Trace, **kwargs: Any) -> Verdict:
        """Compare two runs of this lesson, after its documented normalisation if any."""
        if self.normalise is not None:
            expected, got = self.normalise(expected), self.normalise(got)
        return compare(expected, got, **kwargs)

    def module_name(self, impl: str) -> str:
        return f"{PACKAGES[impl]}.{self.name}"

    def exists(self, impl: str) -> bool:
        return importlib.util.find_spec(self.module_name(impl)) is not None

    def load(self, impl: str) -> ModuleType:
        return importlib.import_module(self.module_name(impl))


LESSONS: tuple[Lesson, ...] = (
    Lesson("count", "002.001", "The async/await syntax and native coroutines",
           phases=("demo_sync", "demo_async")),
    Lesson("makerandom", "002.002", "The rules of async IO", params={"seed": 444},
           cases=({"seed": 31}, {"seed": 37},  # tasks retry at the same instants
                  # Boundary draws of randint(0, 10): 949 opens with a 10 (randrange(0, 10)
                  # never gives one) and a 0; in 2750 each task draws its exact threshold
                  # (9, 8, 7), which must retry (``<=``, not ``<``).
                  {"seed": 949}, {"seed": 2750})),
    Lesson("chained", "002.003", "Chaining coroutines",
           params={"seed": 1672, "args": ("cannon", "laser", "railgun")},
           cases=({"seed": 7, "args": ("cannon",)},
                  # Boundary draws: loads of 0 and 10 s, fires of 0 and 10 s (the other
                  # seeds draw only 1-9, so randint(0, 10) vs randrange or (1, 10) went unseen).
                  {"seed": 164, "args": ("cannon", "laser", "railgun")},
                  {"seed": 5, "args": ("cannon", "laser", "railgun", "phaser", "trebuchet",
                                       "catapult", "ballista", "cannon")})),
    Lesson("queue", "002.004", "Using a queue", params={"seed": 444, "nprod": 5, "ncon": 2},
           cases=({"seed": 3, "nprod": 1, "ncon": 10}, {"seed": 4, "nprod": 10, "ncon": 1},
                  {"seed": 5, "nprod": 10, "ncon": 10}),
           normalise=normalise_queue),  # which consumer took which job: the scheduler's choice
    Lesson("generators", "002.005", "Async IO's roots in generators"),
    Lesson("asyncgen", "002.006", "Asynchronous generators", params={"up_to": 10},
           cases=({"up_to": 0}, {"up_to": 1}, {"up_to": 16})),
    Lesson("crawler", "002.007", "Async web scraper", phases=("bulk_crawl_and_write",),
           real_io=True),
    # Beyond the notebook: run and check play a session of real clients (walkthrough/echo.py).
    Lesson("server", "beyond", "A line-echo TCP server", phases=("serve",), real_io=True),
)

BY_NAME = {lesson.name: lesson for lesson in LESSONS}


def get(name: str) -> Lesson:
    """The lesson called ``name``; a KeyError that lists the known names otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown lesson {name!r}; known: {', '.join(BY_NAME)}") from None


def available() -> list[Lesson]:
    """Lessons written in both versions, ready to compare."""
    return [lesson for lesson in LESSONS if all(lesson.exists(i) for i in IMPLS)]
