"""The report of a check: each case's verdict, then the first divergence explained.

:class:`Report` holds what :func:`walkthrough.learner.compare.check` found (a
:class:`CaseResult` per case run, the unfinished functions, the notes from outside any
phase) and :meth:`Report.describe` writes it: a header, one line per case, then the lines
expected and the lines the port printed at the first instant they differ. The exit statuses
of ``walkthrough check`` (:data:`EQUIVALENT`, :data:`NOT_EQUIVALENT`, :data:`CANNOT_CHECK`)
live here too, as the report's last word.

Separate from :mod:`.compare` because it runs nothing: the same data could be reported
another way (the notebook, a test) without running a port again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from walkthrough import catalogue
from walkthrough.learner.explain import _lines
from walkthrough.learner.phases import DRIVERS, TRIO_EXTRAS, trio_labels
from walkthrough.normalise import CONSUMED
from walkthrough.trace import STAMP_DECIMALS, Trace, Verdict

#: Exit statuses of ``walkthrough check`` (its --help states them).
EQUIVALENT, NOT_EQUIVALENT, CANNOT_CHECK = 0, 1, 2


def header(lesson: catalogue.Lesson, path: Path, impl: str, cases: int | None = None) -> str:
    """The first line of every report: what is checked, against what, how.

    :func:`walkthrough.learner.supervise.check_in_child` prints it before the child starts
    (a port that never awaits holds the report for ``--timeout`` seconds: the learner sees at
    once that the check began), and the child's report starts with the same line.
    """
    kind = "Trio" if impl == "trio" else "asyncio"
    what = f"checking {path} ({kind} port) against asyncio_ref/{lesson.name}.py"
    if lesson.real_io:
        return f"{what} (offline, on the local demo site)"
    n = len(lesson.all_cases()) if cases is None else cases
    return f"{what} ({n} parameter set{'s' if n != 1 else ''}, on the virtual clock)"


def unfinished_note(names: list[str]) -> str:
    """The report's line for functions still left as the skeleton's (every lesson words it so)."""
    return ("NOT equivalent: still the skeleton's 'raise NotImplementedError' "
            f"(write {'it' if len(names) == 1 else 'them'}): " + ", ".join(names))


@dataclass(frozen=True)
class CaseResult:
    params: dict[str, Any]
    verdict: Verdict
    expected: Trace
    got: Trace
    #: Each distinct cause your port raised in the diverging phase, located in your file.
    error: str | None = None


@dataclass
class Report:
    lesson: catalogue.Lesson
    path: Path
    impl: str = "trio"
    results: list[CaseResult] = field(default_factory=list)
    #: How many parameter sets there are; ``results`` stops at the first that diverges.
    total: int = 0
    #: Functions still left as the skeleton's ``raise NotImplementedError``.
    unfinished: list[str] = field(default_factory=list)
    #: Problems found outside any phase (a thread left running, warnings).
    notes: list[str] = field(default_factory=list)
    #: What :func:`.script.check` ran once every case passed, and found the same as the
    #: reference's: the script's command lines, the entry points called with their defaults.
    #: Said under "equivalent", which would otherwise speak of the cases only.
    scripts: list[tuple[str, ...]] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return (all(r.verdict.equivalent for r in self.results) and not self.unfinished
                and not self.notes)

    def describe(self) -> str:
        """The whole report, in words: each case, then the first divergence explained.

        The colour codes of printed lines are kept raw (:func:`.explain.clean` with
        ``colours``), for the caller to show by name or as colours with
        :func:`.explain.render`, as :func:`.supervise.check_in_child` does.
        """
        n = self.total or len(self.results)
        lines = [header(self.lesson, self.path, self.impl, n)]
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
        if first is not None:
            lines.append("")
            lines.extend(self._divergence(first))
        if self.unfinished:
            lines.append(unfinished_note(self.unfinished))
        lines.extend(self.notes)
        if self.equivalent:
            extras = TRIO_EXTRAS.get(self.lesson.name, ()) if self.impl == "trio" else ()
            if extras:
                lines.append(f"  (in each case also {', '.join(extras)}, Trio only, against "
                             f"trio_port/{self.lesson.name}.py)")
            lines.append("equivalent: your port prints the same lines at the same virtual "
                         "times as the reference, in every case.")
            if self.scripts:
                lines.append(self._also())
        return "\n".join(lines)

    def _also(self) -> str:
        """The line under "equivalent" for the script run and the defaults (a second line:
        the first words of the verdict are what every caller looks for)."""
        argvs = ", ".join(" ".join(argv) or "(none)" for argv in self.scripts)
        said = (f"  and does the same run as a script (python -m, with the shared tests' command "
                f"lines: {argvs})")
        if self.defaults:
            said += (f" and with {', '.join(self.defaults)} called with their default "
                     "parameters")
        return said + "."

    def _divergence(self, first: CaseResult) -> list[str]:
        d = first.verdict.divergence
        assert d is not None
        # The variants too ("mygen_ahead, consumer leaves after 3 values"): trio_port runs them.
        extra = d.phase in trio_labels(self.lesson.name)
        prefix = f"with {_params(first.params)}: " if first.params else ""
        where = f"in phase {d.phase!r}" + (f" at t={d.time:.2f}s" if d.time is not None else "")
        reason = d.reason
        ledger = any(s.startswith("(ledger)") for s in (*d.expected, *d.got))
        if ledger:
            reason = "the jobs put at this instant were not consumed as in the reference"
        lines = [f"{prefix}first divergence {where}: {reason}"]
        if d.phase in DRIVERS.get(self.lesson.name, ()):
            lines.append("  (this phase is the check's own consumer of your mygen: each value "
                         "with the virtual time it arrived, 0.5 s of work after each)")
        if extra:
            lines.append(f"  ({d.phase} is Trio only: the reference is "
                         f"trio_port/{self.lesson.name}.py)")
        if self.lesson.normalise is None or d.time is None:
            # The lines themselves: yours and the reference's, as printed.
            if d.expected:
                lines.append("  expected: " + _lines(d.expected))
            if d.got:
                lines.append("  got:      " + _lines(d.got))
        if d.time is not None:
            who_ref = "the reference"
            for who, trace in ((who_ref, first.expected), ("your port", first.got)):
                said = trace.at(d.phase, d.time)
                if ledger:
                    said = said + _consumed_from(trace, d.phase, d.time)
                lines.append(f"  at t={d.time:.2f}s {who} printed: {_lines(said)}")
            if ledger:
                lines.append("  (lines taking a job put at this instant are listed with it)")
            lines.append("  (t is virtual time: seconds since the phase began, the same clock "
                         "for both versions)")
        if first.error:
            lines.append(first.error)
        return lines


def _consumed_from(trace: Trace, phase: str, put: float) -> list[str]:
    """Consumer lines (raw, as printed) that took a job put at ``put``."""
    out = []
    for e in trace.events:
        m = CONSUMED.fullmatch(e.text) if e.phase == phase and e.newline else None
        if m is None:
            continue
        with contextlib.suppress(ValueError):
            same = round(e.time, STAMP_DECIMALS) == round(put, STAMP_DECIMALS)  # shown already
            if not same and round(e.time - float(m["waited"]),
                                  STAMP_DECIMALS) == round(put, STAMP_DECIMALS):
                out.append(f"{e.text} (at t={e.time:.2f}s)")
    return out


def _params(params: dict[str, Any]) -> str:
    if not params:
        return "(no parameters)"
    return "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
