"""Who ran when: task activity recorded from the frameworks themselves, not from the lessons.

A :class:`~walkthrough.trace.Trace` says what was printed; an :class:`Activity` says which
tasks existed, when each was spawned and exited, and when each *ran* (took a step). The gaps
between a task's steps are the time it spent asleep or waiting: the bars of
``walkthrough timeline``.

The lessons get no hook for this. Each framework is asked directly:

* Trio: a :class:`trio.abc.Instrument` (``task_spawned``, ``before_task_step``,
  ``after_task_step``, ``task_exited``) passed to ``trio.run(instruments=...)``. Trio's own
  system tasks (its ``<init>`` task, the ``run_sync_soon`` task) are left out: the user never
  wrote them.
* asyncio: a task factory on the loop that wraps each task's coroutine in a thin
  :class:`collections.abc.Coroutine` which notes the time around every ``send``/``throw`` the
  task makes into it: that is exactly one step of ``asyncio.Task``. The scheduler itself is
  untouched, so the order in which tasks run is asyncio's own.
* Synchronous phases have one "task", the phase itself; its waits are its ``time.sleep`` calls
  on the virtual clock (:class:`RecordingSyncClock`).

Example::

    activity = Activity()
    trace = run_lesson("count", "trio", activity=activity)
    [(r.name, r.waits()) for r in activity.in_phase("demo_async")]
    # [('demo_async', [(0.0, 1.0)]), ('count_async', [(0.0, 1.0)]), ...]
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextvars
import os
from collections.abc import Callable, Coroutine, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import trio

from walkthrough.clocks import SyncVirtualClock

T = TypeVar("T")

_TRIO_DIR = os.path.dirname(trio.__file__)
_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)


def _written_in(coro: object, directory: str) -> bool:
    code = getattr(coro, "cr_code", None)
    return code is not None and code.co_filename.startswith(directory)


@dataclass
class TaskRecord:
    """One task's life: spawned, steps taken (start, end), exited, and its printed-line id."""

    phase: str
    name: str
    spawned: float
    steps: list[tuple[float, float]] = field(default_factory=list)
    exited: float | None = None
    #: The number this task's printed lines carry in the trace (``Event.task``), if it printed.
    trace_task: int | None = None
    _step_start: float | None = field(default=None, repr=False, compare=False)

    def begin_step(self, now: float) -> None:
        self._step_start = now

    def end_step(self, now: float) -> None:
        start = self._step_start if self._step_start is not None else now
        self._step_start = None
        self.steps.append((start, now))

    def waits(self) -> list[tuple[float, float]]:
        """The intervals between two steps in which time passed: asleep, or waiting."""
        gaps: list[tuple[float, float]] = []
        if self.steps and self.steps[0][0] > self.spawned:
            gaps.append((self.spawned, self.steps[0][0]))  # spawned, not run yet
        for (_, end), (start, _) in zip(self.steps, self.steps[1:], strict=False):
            if start > end:
                gaps.append((end, start))
        return gaps

    def run_instants(self) -> list[float]:
        """The instants at which the task ran (distinct, in order)."""
        return sorted({start for start, _ in self.steps})


@dataclass
class Activity:
    """Every task of every phase of one run, in the order the tasks were spawned."""

    records: list[TaskRecord] = field(default_factory=list)

    def spawn(self, phase: str, name: str, now: float) -> TaskRecord:
        record = TaskRecord(phase, name, now)
        self.records.append(record)
        return record

    def in_phase(self, phase: str) -> list[TaskRecord]:
        return [r for r in self.records if r.phase == phase]

    def phases(self) -> list[str]:
        return list(dict.fromkeys(r.phase for r in self.records))


def _short_name(coro: object) -> str:
    return str(getattr(coro, "__qualname__", type(coro).__name__))


class TrioRecorder(trio.abc.Instrument):
    """A Trio instrument that records the user's tasks of one phase into an :class:`Activity`."""

    def __init__(self, activity: Activity, phase: str, now: Callable[[], float]) -> None:
        self._activity = activity
        self._phase = phase
        self._now = now
        self.by_task: dict[trio.lowlevel.Task, TaskRecord] = {}

    def task_spawned(self, task: trio.lowlevel.Task) -> None:
        if not _written_in(task.coro, _TRIO_DIR):
            self.by_task[task] = self._activity.spawn(
                self._phase, _short_name(task.coro), self._now())

    def before_task_step(self, task: trio.lowlevel.Task) -> None:
        record = self.by_task.get(task)
        if record is not None:
            record.begin_step(self._now())

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        record = self.by_task.get(task)
        if record is not None:
            record.end_step(self._now())

    def task_exited(self, task: trio.lowlevel.Task) -> None:
        record = self.by_task.get(task)
        if record is not None:
            record.exited = self._now()


class _SteppedCoroutine(collections.abc.Coroutine):  # type: ignore[type-arg]
    """A coroutine that forwards everything to ``coro`` and notes when each step ran.

    ``asyncio.Task`` drives its coroutine with ``send`` and ``throw``, one call per step;
    wrapping the coroutine is the one task-level hook asyncio offers without patching it.
    ``__qualname__`` is the wrapped coroutine's, so task names stay what the lesson wrote.
    """

    def __init__(self, coro: Generator[Any, None, Any] | Coroutine[Any, Any, Any],
                 record: TaskRecord, now: Callable[[], float]) -> None:
        self._coro = coro
        self._record = record
        self._now = now
        self.__qualname__ = _short_name(coro)

    def _step(self, call: Callable[[], Any]) -> Any:
        self._record.begin_step(self._now())
        try:
            return call()
        except BaseException:
            self._record.exited = self._now()
            raise
        finally:
            self._record.end_step(self._now())

    def send(self, value: Any) -> Any:
        return self._step(lambda: self._coro.send(value))

    def throw(self, *args: Any) -> Any:
        return self._step(lambda: self._coro.throw(*args))

    def close(self) -> None:
        self._coro.close()

    def __getattr__(self, name: str) -> Any:
        """``cr_frame``, ``cr_await``, ...: the wrapped coroutine's, for debuggers and reprs."""
        return getattr(self._coro, name)

    def __await__(self) -> Generator[Any, None, Any]:
        coro = self._coro
        return coro.__await__() if isinstance(coro, Coroutine) else coro


class AsyncioRecorder:
    """A task factory (``loop.set_task_factory(recorder)``) recording every task of a phase."""

    def __init__(self, activity: Activity, phase: str, now: Callable[[], float]) -> None:
        self._activity = activity
        self._phase = phase
        self._now = now
        self.by_task: dict[asyncio.Task[Any], TaskRecord] = {}

    def __call__(self, loop: asyncio.AbstractEventLoop,
                 coro: Generator[Any, None, T] | Coroutine[Any, Any, T],
                 context: contextvars.Context | None = None) -> asyncio.Task[T]:
        if _written_in(coro, _ASYNCIO_DIR):  # the runner's own shutdown tasks
            return asyncio.Task(coro, loop=loop, context=context)
        record = self._activity.spawn(self._phase, _short_name(coro), self._now())
        wrapped: Coroutine[Any, Any, T] = _SteppedCoroutine(coro, record, self._now)
        task = asyncio.Task(wrapped, loop=loop, context=context)
        self.by_task[task] = record
        return task


class RecordingSyncClock(SyncVirtualClock):
    """The virtual ``time.sleep`` clock, noting each sleep as a wait of the phase's one task."""

    def __init__(self, record: TaskRecord) -> None:
        super().__init__()
        self.record = record
        record.begin_step(0.0)

    def sleep(self, seconds: float) -> None:
        self.record.end_step(self.now)
        super().sleep(seconds)
        self.record.begin_step(self.now)

    def finish(self) -> None:
        self.record.end_step(self.now)
        self.record.exited = self.now


def link_printers(printers: Iterable[tuple[object, int]], by_task: Mapping[Any, TaskRecord],
                  ) -> None:
    """Tell each record which task number its printed lines carry in the trace."""
    for task, number in printers:
        record = by_task.get(task)
        if record is not None:
            record.trace_task = number
