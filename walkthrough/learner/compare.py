"""Comparing: every shared case of a lesson, the reference's trace against the port's.

:func:`references` runs asyncio_ref's phases (and trio_port's extras) for every parameter
set of ``Lesson.all_cases()``, the shared tests' own; :func:`check` runs the port's phases,
guarded (:mod:`.guard`), on the same cases, compares each pair with the lesson's own
``compare``, and stops at the first that diverges, keeping its cause for the report.

Separate because it is the in-process core: the child (:mod:`.child`) calls it for a module
it does not trust, the tests call it directly for modules they do.
"""

from __future__ import annotations

import inspect
import types
from pathlib import Path

import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.learner.explain import causes
from walkthrough.learner.guard import (
    DEADLINE_FACTOR,
    MIN_DEADLINE,
    _Guarded,
    _Watch,
    flood,
    run_port,
)
from walkthrough.learner.phases import TRIO_EXTRAS, _extra, phases_of, trio_labels
from walkthrough.learner.report import CaseResult, Report, _params
from walkthrough.learner.skeleton import _needed, unfinished
from walkthrough.trace import Trace


def references(lesson: catalogue.Lesson, impl: str) -> list[Trace]:
    """The expected trace of every case: asyncio_ref's phases, then trio_port's extras."""
    out = []
    ref = lesson.load("asyncio")
    twin = lesson.load("trio") if impl == "trio" and lesson.name in TRIO_EXTRAS else None
    for params in lesson.all_cases():
        trace = run_port(lesson, "asyncio", phases_of(lesson, ref, "asyncio"), params)
        if twin is not None:
            extra = run_port(lesson, "trio", [(e, _extra(twin, e))
                                              for e in trio_labels(lesson.name)], params)
            trace.events.extend(extra.events)
            trace.outcomes.update(extra.outcomes)
            trace.durations.update(extra.durations)
        out.append(trace)
    return out


def check(lesson: catalogue.Lesson, module: types.ModuleType, path: Path,
          *, impl: str = "trio", stop_at_first: bool = True,
          expected: list[Trace] | None = None, watch: _Watch | None = None,
          source: str | None = None) -> Report:
    """Run every shared case against the reference; stop at the first that diverges.

    In-process: use :func:`check_in_child` for a module you do not trust.
    """
    cases = lesson.all_cases()
    expected = expected if expected is not None else references(lesson, impl)
    report = Report(lesson, path, impl, total=len(cases))
    if source is not None:
        report.unfinished = [name for name in unfinished(source, _needed(lesson, impl))
                             if name in {n for n, _ in _defs(module)}]
    if impl == "trio":
        for name in TRIO_EXTRAS.get(lesson.name, ()):
            if not callable(getattr(module, name, None)):
                report.notes.append(f"NOT equivalent: the Trio exercise also asks for {name} "
                                    f"(see exercises/trio/{lesson.name}.py); your module has "
                                    "none")
    for k, (params, want) in enumerate(zip(cases, expected, strict=True), 1):
        deadlines = {p: max(MIN_DEADLINE, DEADLINE_FACTOR * want.durations.get(p, 0.0))
                     for p in want.durations}
        guard = _Guarded(module, impl, deadlines)
        phases = [(p, guard.wrap(p, fn)) for p, fn in phases_of(lesson, module, impl)]
        got = run_port(lesson, impl, phases, params, watch=watch,
                       where=f"case {k}/{len(cases)} {_params(params)}, ")
        verdict = lesson.compare(want, got)
        error = None
        if not verdict.equivalent and verdict.divergence is not None:
            phase = verdict.divergence.phase
            exc = guard.errors.get(phase)
            said = flood(exc, got.outcomes.get(phase, ""))  # too many lines, or characters
            if said is not None:
                error = (f"your port {said} in phase {phase!r} and was stopped there (the "
                         f"reference prints {len(want.lines(phase))} lines, of at most "
                         f"{max(map(len, want.lines(phase)), default=0)} characters): a print in a "
                         "loop that never ends, or a string that keeps growing?")
            elif isinstance(exc, trio.TooSlowError | TimeoutError):
                error = (f"your port was still running after {deadlines.get(phase, 0):g} "
                         f"virtual seconds in phase {phase!r} and was stopped there "
                         "(a deadlock? a nursery whose children never end? a consumer "
                         "never stopped?)")
            elif exc is not None:
                error = "your port raised:\n" + "\n".join(causes(exc, path, impl))
        report.results.append(CaseResult(params, verdict, want, got, error))
        if stop_at_first and not verdict.equivalent:
            break
    return report


def _defs(module: types.ModuleType) -> list[tuple[str, object]]:
    return [(n, v) for n, v in vars(module).items() if inspect.isfunction(v)]
