"""Learner mode: check your own Trio port of a lesson against the asyncio reference.

You write ``my_queue.py`` (start from ``exercises/queue.py``), then::

    walkthrough check queue my_queue.py

:func:`load` imports the file; any problem that stops it from running (cannot read it, a
syntax error, an exception at import, a phase function missing) becomes a
:class:`PortProblem` with a message that points at the line, never a traceback wall.
:func:`check` then runs, for every parameter set the project's own shared tests use
(``Lesson.all_cases()``), the asyncio reference and your module on the virtual clock, and
compares them with the lesson's own rule (``Lesson.compare``). The first difference is
reported as the line expected, the line got, and the virtual time.

Two guards keep a broken port from hanging the check: each async phase of the port runs
under a virtual deadline (:data:`DEADLINE_FACTOR` times the reference's duration, at least
:data:`MIN_DEADLINE` s), which the autojump clock reaches at once if the port deadlocks; and
an exception in the port is reported with the line of *your* file it came from.
"""

from __future__ import annotations

import functools
import inspect
import sys
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from walkthrough import catalogue
from walkthrough.runner import run_lesson
from walkthrough.trace import Trace, Verdict

#: A port's async phase may take this many times the reference's virtual duration...
DEADLINE_FACTOR = 10
#: ... and at least this many virtual seconds, before it counts as stuck.
MIN_DEADLINE = 60.0


class PortProblem(Exception):
    """Your module could not be checked: the message says why and where."""


def load(path: Path, lesson: catalogue.Lesson) -> types.ModuleType:
    """Import the learner's file as a module of its own; a :class:`PortProblem` if it can't."""
    try:
        source = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise PortProblem(f"{path} is a directory: give the path of your .py file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PortProblem(f"cannot read {path}: {reason}") from None
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"{path}, line {exc.lineno}" if exc.lineno else str(path)
        text = (exc.text or "").rstrip("\n")
        pointer = ""
        if text and exc.offset:
            pointer = "\n    " + " " * (exc.offset - 1 - (len(text) - len(text.lstrip()))) + "^"
        shown = f"\n    {text.strip()}{pointer}" if text else ""
        raise PortProblem(f"{where}: syntax error: {exc.msg}{shown}") from None
    name = f"learner_{lesson.name}_port"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and typing look their module up here
    try:
        exec(code, module.__dict__)
    except BaseException as exc:
        del sys.modules[name]
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise PortProblem(f"importing {path} raised {_where(exc, path)}") from None
    missing = [p for p in lesson.phases if not callable(getattr(module, p, None))]
    if missing:
        raise PortProblem(
            f"{path} has no function {', '.join(missing)}: lesson {lesson.name!r} runs "
            f"{', '.join(lesson.phases)} (the same names as trio_port/{lesson.name}.py)")
    return module


def _where(exc: BaseException, path: Path) -> str:
    """``Type: message (your file, line N: code)``, for the innermost frame in the port."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename).resolve() == path.resolve()]
    if frames:
        f = frames[-1]
        text += f"\n    at {path}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}"
    return text


@dataclass
class _Guarded:
    """The learner's module with each phase wrapped: errors kept, a deadline on async ones."""

    module: types.ModuleType
    path: Path
    deadlines: dict[str, float]
    errors: dict[str, BaseException] = field(default_factory=dict)

    def wrapped(self) -> types.ModuleType:
        proxy = types.ModuleType(self.module.__name__)
        proxy.__dict__.update(self.module.__dict__)
        for phase in self.deadlines:
            setattr(proxy, phase, self._wrap(phase, getattr(self.module, phase)))
        return proxy

    def _wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            limit = self.deadlines[phase]

            @functools.wraps(fn)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    with trio.fail_after(limit):
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


@dataclass(frozen=True)
class CaseResult:
    params: dict[str, Any]
    verdict: Verdict
    expected: Trace
    got: Trace
    #: The exception your port raised in the diverging phase, located in your file.
    error: str | None = None


@dataclass
class Report:
    lesson: catalogue.Lesson
    path: Path
    results: list[CaseResult] = field(default_factory=list)
    #: How many parameter sets there are; ``results`` stops at the first that diverges.
    total: int = 0

    @property
    def equivalent(self) -> bool:
        return all(r.verdict.equivalent for r in self.results)

    def describe(self) -> str:
        """The whole report, in words: each case, then the first divergence explained."""
        n = self.total or len(self.results)
        lines = [f"checking {self.path} against asyncio_ref/{self.lesson.name}.py "
                 f"({n} parameter set{'s' if n != 1 else ''}, on the virtual clock)"]
        first: CaseResult | None = None
        for k, r in enumerate(self.results, 1):
            state = "equivalent" if r.verdict.equivalent else "NOT equivalent"
            lines.append(f"  case {k}/{n} {_params(r.params)}: {state}")
            if first is None and not r.verdict.equivalent:
                first = r
        if len(self.results) < n:
            lines.append(f"  (cases {len(self.results) + 1}-{n} not run: fix this one first)"
                         if len(self.results) + 1 < n else
                         f"  (case {n} not run: fix this one first)")
        if first is None:
            lines.append("equivalent: your port prints the same lines at the same virtual "
                         "times as the reference, in every case.")
            return "\n".join(lines)
        lines.append("")
        prefix = f"with {_params(first.params)}: " if first.params else ""
        lines.append(prefix + first.verdict.describe())
        d = first.verdict.divergence
        if d is not None and d.time is not None:
            for who, trace in (("the reference", first.expected), ("your port", first.got)):
                said = trace.at(d.phase, d.time)
                shown = " | ".join(said) if said else "(nothing)"
                lines.append(f"  at t={d.time:.2f}s {who} printed: {shown}")
            lines.append("  (t is virtual time: seconds since the phase began, the same clock "
                         "for both versions)")
        if first.error:
            lines.append(first.error)
        return "\n".join(lines)


def _params(params: dict[str, Any]) -> str:
    if not params:
        return "(no parameters)"
    return "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"


def check(lesson: catalogue.Lesson, module: types.ModuleType, path: Path,
          *, stop_at_first: bool = True) -> Report:
    """Run every shared case against the reference; stop at the first that diverges."""
    cases = lesson.all_cases()
    report = Report(lesson, path, total=len(cases))
    for params in cases:
        expected = run_lesson(lesson, "asyncio", params=params)
        deadlines = {p: max(MIN_DEADLINE, DEADLINE_FACTOR * expected.durations.get(p, 0.0))
                     for p in lesson.phases}
        guard = _Guarded(module, path, deadlines)
        got = run_lesson(lesson, "trio", module=guard.wrapped(), params=params)
        verdict = lesson.compare(expected, got)
        error = None
        if not verdict.equivalent and verdict.divergence is not None:
            exc = guard.errors.get(verdict.divergence.phase)
            if isinstance(exc, trio.TooSlowError):
                error = (f"your port was still running after "
                         f"{deadlines[verdict.divergence.phase]:g} virtual seconds and was "
                         f"stopped there (a deadlock? a nursery whose children never end?)")
            elif exc is not None:
                error = "your port raised " + _where(exc, path)
        report.results.append(CaseResult(params, verdict, expected, got, error))
        if stop_at_first and not verdict.equivalent:
            break
    return report
