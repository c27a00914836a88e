"""Guarding a run: a port's phases run under limits it cannot escape or swallow.

Three guards, each against a different way a port can fail to finish:

* a flood: :class:`OutputFlood` (a ``BaseException``, so ``except Exception`` in the port
  cannot swallow it) once a phase prints more than :data:`MAX_EVENTS` lines, or more than
  :data:`MAX_CHARS` characters (a few long lines cost as much memory as many short ones);
* a deadlock: :class:`_Guarded` puts a *virtual* deadline on each async phase
  (:data:`DEADLINE_FACTOR` times the reference's duration, at least :data:`MIN_DEADLINE`),
  which the autojump clock reaches at once if the tasks are all blocked, and keeps the error
  each phase raised for the report;
* a busy loop: :class:`_Watch` arms a :mod:`faulthandler` watchdog (a C thread that needs no
  cooperation from Python) with the wall-clock limit, and writes the progress file that tells
  the supervisor which case and phase was running; the last note, :data:`REPORTING`, says
  that the port's code is done and the time left is the checker's own.

Separate because these run inside the child, around the learner's code, and must stay small
and certain; what they caught is put into words elsewhere (:mod:`.explain`, :mod:`.supervise`).
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import functools
import inspect
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.runner import run_phase
from walkthrough.trace import Trace

#: A port's async phase may take this many times the reference's virtual duration...
DEADLINE_FACTOR = 10

#: ... and at least this many virtual seconds, before it counts as stuck.
MIN_DEADLINE = 60.0

#: Lines one phase of your port may print (the references print at most a few hundred).
MAX_EVENTS = 20_000

#: Characters one phase may print, all lines together (the references print a few thousand):
#: a line of ten million characters is checked and shown cut, but a loop of them would fill
#: the memory long before :data:`MAX_EVENTS`. Above the 20 MB of :data:`MAX_EVENTS` lines of a
#: thousand characters, so that such a flood is still told in lines.
MAX_CHARS = 32_000_000

#: The progress note written once the port's code is done (the last phase, its garbage
#: collected): the supervisor gives what follows, the checker's own report, a limit of its own
#: and never says that the port was stopped there.
REPORTING = "the checker's report, after your port ran"


class OutputFlood(BaseException):
    """A phase printed more than :data:`MAX_EVENTS` lines or :data:`MAX_CHARS` characters.

    A BaseException, so that an ``except Exception`` in the port cannot swallow it and keep
    printing. Its message is what the port did, for the report: "printed more than 20000
    lines", "printed a line of 40,000,001 characters", "printed more than ... characters".
    """


def flood(error: BaseException | None, outcome: str) -> str | None:
    """What a flooding phase printed ("printed more than 20000 lines"), or None.

    Found in the error the phase raised, groups opened (a task of a nursery floods: every
    task that prints after it raises too), else in its outcome (a flood when the capture
    flushed the last fragment, after the phase's own code).
    """
    todo = [error] if error is not None else []
    while todo:
        exc = todo.pop(0)
        if isinstance(exc, OutputFlood):
            return str(exc)
        if isinstance(exc, BaseExceptionGroup):
            todo.extend(exc.exceptions)
    if outcome.startswith("raised OutputFlood: "):
        return outcome.removeprefix("raised OutputFlood: ").partition(" (inside a")[0]
    return None


class _BoundedEvents(list[Any]):
    """A trace's events, bounded in lines and in characters (each event's ``text``)."""

    chars = 0

    def append(self, item: Any) -> None:
        if len(self) >= MAX_EVENTS:
            raise OutputFlood(f"printed more than {MAX_EVENTS} lines")
        size = len(getattr(item, "text", ""))
        if self.chars + size > MAX_CHARS:
            raise OutputFlood(f"printed a line of {size:,} characters" if size > MAX_CHARS
                              else f"printed more than {MAX_CHARS:,} characters")
        self.chars += size
        super().append(item)


class _Watch:
    """The wall-clock limit and the progress file, shared by every guarded call in the child.

    ``faulthandler.dump_traceback_later`` arms a C watchdog: if the phase is still running
    after ``limit`` seconds it writes every thread's stack to ``dump`` and exits the process,
    whatever the Python code is doing (a busy loop, ``time.sleep``). The parent then reads the
    stack to name the function, and the progress file to name the case and phase.
    """

    def __init__(self, directory: Path, limit: float) -> None:
        self.limit = limit
        self._dump = open(directory / "dump.txt", "w")  # noqa: SIM115 - lives as long as the child
        # UTF-8, as the parent reads it (supervise.py), whatever the locale: a note can name
        # the learner's file (the script run's), and a file name need not be ASCII.
        self._progress = open(directory / "progress.txt", "a", buffering=1,  # noqa: SIM115
                              encoding="utf-8")

    def note(self, where: str) -> None:
        self._progress.write(where.replace("\n", " ") + "\n")
        self._progress.flush()

    @contextlib.contextmanager
    def limited(self, where: str) -> Iterator[None]:
        self.note(where)
        faulthandler.dump_traceback_later(self.limit, exit=True, file=self._dump)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()


@dataclass
class _Guarded:
    """The learner's module with each phase wrapped: errors kept, a deadline on async ones."""

    module: types.ModuleType
    impl: str
    deadlines: dict[str, float]
    errors: dict[str, BaseException] = field(default_factory=dict)

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            limit = self.deadlines.get(phase, MIN_DEADLINE)

            @functools.wraps(fn)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    if self.impl == "trio":
                        with trio.fail_after(limit):
                            return await fn(*args, **kwargs)
                    async with asyncio.timeout(limit):
                        return await fn(*args, **kwargs)
                except BaseException as exc:
                    self.errors[phase] = exc
                    raise

            return guarded_async

        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                self.errors[phase] = exc
                raise

        return guarded


def run_port(lesson: catalogue.Lesson, impl: str, phases: list[tuple[str, Callable[..., Any]]],
             params: dict[str, Any], *, watch: _Watch | None = None,
             where: str = "") -> Trace:
    """Run ``phases`` on the virtual clock into one trace (bounded), as ``run_lesson`` does."""
    trace = Trace(impl=impl, lesson=lesson.name)
    trace.events = _BoundedEvents()
    merged = {**lesson.params, **params}
    for phase, fn in phases:
        cm = watch.limited(f"{where}phase {phase}") if watch else contextlib.nullcontext()
        with cm:
            try:
                run_phase(trace, phase, fn, impl, merged, virtual=True, tee=None)
            except OutputFlood as exc:
                trace.outcomes[phase] = f"raised OutputFlood: {exc}"
    return trace
