"""Run a lesson under asyncio or Trio, on a virtual or the real clock, and capture its trace.

Example::

    trace = run_lesson("count", "trio")             # virtual clock: instant
    trace.at("demo_async", 1.0)                      # ['Two Async', 'Two Async', ...]
    live = run_lesson("count", "asyncio", virtual=False, tee=sys.stdout)

``module=`` runs any module in place of the lesson's own twin (a learner's port, or one of the
known-broken ports in ``tests/broken``): it must offer the same phase functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, TextIO

import trio

from walkthrough import catalogue
from walkthrough.activity import (
    Activity,
    AsyncioRecorder,
    RecordingSyncClock,
    TrioRecorder,
    link_printers,
)
from walkthrough.capture import asyncio_task, capturing, trio_task
from walkthrough.clocks import SyncVirtualClock, VirtualTimeLoop, mock_clock
from walkthrough.trace import Trace


def phase_kwargs(fn: Callable[..., Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that ``fn``'s signature names (``*args`` takes a param called ``args``)."""
    sig = inspect.signature(fn)
    kwargs: dict[str, Any] = {}
    for name, p in sig.parameters.items():
        if name in params and p.kind is not inspect.Parameter.VAR_POSITIONAL:
            kwargs[name] = params[name]
    return kwargs


def _call(fn: Callable[..., Any], params: Mapping[str, Any]) -> Callable[[], Any]:
    kwargs = phase_kwargs(fn, params)
    args: tuple[Any, ...] = ()
    for name, p in inspect.signature(fn).parameters.items():
        if p.kind is inspect.Parameter.VAR_POSITIONAL and name in params:
            args = tuple(params[name])
    return functools.partial(fn, *args, **kwargs)


def run_phase(
    trace: Trace, phase: str, fn: Callable[..., Any], impl: str, params: Mapping[str, Any],
    *, virtual: bool, tee: TextIO | None, activity: Activity | None = None,
) -> None:
    """Run one phase into ``trace``; with ``activity``, also record who ran when."""
    call = _call(fn, params)
    wall = time.perf_counter()
    outcome: str
    if inspect.iscoroutinefunction(fn) and impl == "trio":
        # The virtual clock starts at a random reading (walkthrough.clocks.start_offset): the
        # lesson sees that reading, the trace counts from the start of the phase.
        clock = mock_clock() if virtual else None
        if clock is not None:
            base = clock.current_time()
            now = lambda: clock.current_time() - base  # noqa: E731
        else:
            now = lambda: time.perf_counter() - wall  # noqa: E731
        recorder = TrioRecorder(activity, phase, now) if activity is not None else None
        with capturing(trace, phase, now, trio_task, tee) as writer:
            try:
                outcome = repr(trio.run(call, clock=clock,
                                        instruments=[recorder] if recorder else []))
            except BaseException as exc:
                outcome = _raised(exc)
        end = now()
        if recorder is not None:
            link_printers(writer.printers(), recorder.by_task)
    elif inspect.iscoroutinefunction(fn):
        with asyncio.Runner(loop_factory=VirtualTimeLoop if virtual else None) as runner:
            loop = runner.get_loop()
            base = loop.time()
            now = lambda: loop.time() - base  # noqa: E731
            aio_recorder = AsyncioRecorder(activity, phase, now) if activity is not None else None
            if aio_recorder is not None:
                loop.set_task_factory(aio_recorder)
            with capturing(trace, phase, now, asyncio_task, tee) as writer:
                try:
                    outcome = repr(runner.run(call()))
                except BaseException as exc:
                    outcome = _raised(exc)
            end = now()
            if aio_recorder is not None:
                link_printers(writer.printers(), aio_recorder.by_task)
    else:
        clock_cm = SyncVirtualClock()
        if activity is not None and virtual:
            clock_cm = RecordingSyncClock(activity.spawn(phase, fn.__name__, 0.0))
        # clock_cm.now counts from 0; the lesson's time.perf_counter() reads offset + now.
        now = (lambda: clock_cm.now) if virtual else (lambda: time.perf_counter() - wall)
        with (clock_cm.installed() if virtual else contextlib.nullcontext()), \
                capturing(trace, phase, now, lambda: None, tee) as writer:
            try:
                outcome = repr(call())
            except BaseException as exc:
                outcome = _raised(exc)
        end = now()
        if isinstance(clock_cm, RecordingSyncClock):
            clock_cm.finish()
            link_printers(writer.printers(), {None: clock_cm.record})
    trace.outcomes[phase] = outcome
    trace.durations[phase] = end
    if outcome.startswith("raised KeyboardInterrupt"):
        raise KeyboardInterrupt


def _raised(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        # A nursery wraps even a single error. Say so: that is a real difference to the user.
        return _raised(exc.exceptions[0]) + f" (inside a {type(exc).__name__})"
    return f"raised {type(exc).__name__}: {exc}"


def run_lesson(
    lesson: str | catalogue.Lesson,
    impl: str,
    *,
    module: ModuleType | None = None,
    virtual: bool = True,
    params: Mapping[str, Any] | None = None,
    tee: TextIO | None = None,
    activity: Activity | None = None,
) -> Trace:
    """Run every phase of ``lesson`` under ``impl`` and return what it printed, when.

    With ``activity``, each phase's tasks are recorded into it too (see
    :mod:`walkthrough.activity`): what ``walkthrough timeline`` draws.
    """
    if isinstance(lesson, str):
        lesson = catalogue.get(lesson)
    if impl not in catalogue.IMPLS:
        raise ValueError(f"impl must be one of {catalogue.IMPLS}, not {impl!r}")
    module = module or lesson.load(impl)
    merged = {**lesson.params, **(params or {})}
    trace = Trace(impl=impl, lesson=lesson.name)
    wall = time.perf_counter()
    for phase in lesson.phases:
        fn = getattr(module, phase)
        run_phase(trace, phase, fn, impl, merged, virtual=virtual, tee=tee, activity=activity)
    trace.wall_seconds = time.perf_counter() - wall
    return trace
