"""Capture ``print`` output as :class:`~walkthrough.trace.Event` objects, stamped and attributed.

The lessons print with plain ``print`` and know nothing of this: we swap ``sys.stdout`` for a
:class:`TraceWriter` while a phase runs. Each write is stamped with the phase's clock and
attributed to the framework task that made it (``trio.lowlevel.current_task()`` or
``asyncio.current_task()``), so no lesson needs a hook.

A fragment printed with ``end=" "`` becomes an event of its own when the clock moves or another
task writes before the line is finished: the async-generator lesson prints one ``+`` every
0.2 s, and *when* each appears is part of what the user sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Callable, Iterator
from typing import TextIO

import trio

from walkthrough.trace import Event, Trace


def trio_task() -> object | None:
    try:
        return trio.lowlevel.current_task()
    except RuntimeError:
        return None


def asyncio_task() -> object | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def task_name(task: object | None) -> str:
    if task is None:
        return "main"
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        return getattr(coro, "__qualname__", task.get_name())
    return str(getattr(task, "name", task))


class TraceWriter(io.TextIOBase):
    """A text stream that turns writes into events of ``trace``, optionally echoing them."""

    def __init__(
        self,
        trace: Trace,
        phase: str,
        now: Callable[[], float],
        current_task: Callable[[], object | None],
        tee: TextIO | None = None,
    ) -> None:
        self._trace = trace
        self._phase = phase
        self._now = now
        self._current_task = current_task
        self._tee = tee
        self._tasks: dict[int, tuple[object | None, int]] = {}  # id -> (task kept alive, number)
        self._pending: tuple[float, int, str] | None = None  # a fragment not ended by "\n" yet

    def writable(self) -> bool:
        return True

    def _task_number(self) -> int:
        task = self._current_task()
        entry = self._tasks.get(id(task))
        if entry is None or entry[0] is not task:
            number = len(self._trace.task_names)
            self._trace.task_names[number] = task_name(task)
            entry = self._tasks[id(task)] = (task, number)
        return entry[1]

    def _emit(self, time: float, task: int, text: str, newline: bool) -> None:
        self._trace.events.append(Event(self._phase, time, task, text, newline))

    def write(self, s: str) -> int:
        if self._tee is not None:
            self._tee.write(s)
            self._tee.flush()
        if not s:
            return 0
        now, task = self._now(), self._task_number()
        if self._pending is not None and self._pending[:2] != (now, task):
            self.flush_fragment()
        for piece in s.splitlines(keepends=True):
            start, _, text = self._pending or (now, task, "")
            self._pending = None
            if piece.endswith("\n"):
                self._emit(start, task, text + piece[:-1], newline=True)
            else:
                self._pending = (start, task, text + piece)
        return len(s)

    def printers(self) -> list[tuple[object | None, int]]:
        """Every task that printed, with the number its events carry (``Event.task``)."""
        return [entry for entry in self._tasks.values()]

    def flush_fragment(self) -> None:
        """Record an unfinished line as a fragment event (newline=False)."""
        if self._pending is not None:
            start, task, text = self._pending
            self._pending = None
            self._emit(start, task, text, newline=False)


@contextlib.contextmanager
def capturing(
    trace: Trace,
    phase: str,
    now: Callable[[], float],
    current_task: Callable[[], object | None],
    tee: TextIO | None = None,
) -> Iterator[TraceWriter]:
    writer = TraceWriter(trace, phase, now, current_task, tee)
    with contextlib.redirect_stdout(writer):
        try:
            yield writer
        finally:
            writer.flush_fragment()


