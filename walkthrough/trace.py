"""What a run printed, when, and by which task; and how two such traces compare.

A :class:`Trace` is what a user can observe of a lesson: the lines it prints, in order, each
stamped with the clock time of its phase, plus what each phase returned or raised.

:func:`compare` forgives exactly one thing: lines stamped with the *same* instant compare as a
multiset, because Trio deliberately runs a batch of tasks that became runnable together
forward or reversed at random (and shuffled, once hypothesis is imported), while asyncio runs
them in an order of its own (its ready queue, timers due together in heap order). Each task's
own lines at that instant stay in exact order: the unit of the multiset is "the lines one task
printed at this instant", in order.

Example::

    verdict = compare(run_lesson("count", "asyncio"), run_lesson("count", "trio"))
    print(verdict.describe())        # "equivalent" or the first divergence, in words
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

#: Stamps are rounded to this many decimals before they are compared: Trio's MockClock and
#: the virtual asyncio loop add the same floats in a different order, and may differ by an ulp.
STAMP_DECIMALS = 6


@dataclass(frozen=True)
class Event:
    """One printed line (or a fragment printed with ``end=...`` that is not a line yet)."""

    phase: str
    time: float
    task: int
    text: str
    newline: bool = True

    @property
    def instant(self) -> tuple[str, float]:
        return (self.phase, round(self.time, STAMP_DECIMALS))


@dataclass
class Trace:
    """Everything observable of one run of a lesson under one framework."""

    impl: str
    lesson: str
    events: list[Event] = field(default_factory=list)
    #: phase name -> repr of what it returned, or "raised Type: message"
    outcomes: dict[str, str] = field(default_factory=dict)
    #: phase name -> virtual (or real) seconds the phase took
    durations: dict[str, float] = field(default_factory=dict)
    #: task number -> the framework's name for the task
    task_names: dict[int, str] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def simulated_seconds(self) -> float:
        return sum(self.durations.values())

    def text(self) -> str:
        """The output as the user saw it in a terminal."""
        return "".join(e.text + ("\n" if e.newline else "") for e in self.events)

    def lines(self, phase: str | None = None) -> list[str]:
        return [e.text for e in self.events if phase is None or e.phase == phase]

    def at(self, phase: str, time: float) -> list[str]:
        """The lines printed at one instant of one phase, in the order they came."""
        key = (phase, round(time, STAMP_DECIMALS))
        return [e.text for e in self.events if e.instant == key]


@dataclass(frozen=True)
class Divergence:
    """The first place two traces differ, in words a learner understands."""

    phase: str
    time: float | None
    expected: tuple[str, ...]
    got: tuple[str, ...]
    reason: str

    def describe(self) -> str:
        where = f"in phase {self.phase!r}"
        if self.time is not None:
            where += f" at t={self.time:.2f}s"
        parts = [f"first divergence {where}: {self.reason}"]
        if self.expected:
            parts.append("  expected: " + " | ".join(self.expected))
        if self.got:
            parts.append("  got:      " + " | ".join(self.got))
        return "\n".join(parts)


@dataclass(frozen=True)
class Verdict:
    divergence: Divergence | None

    @property
    def equivalent(self) -> bool:
        return self.divergence is None

    def describe(self) -> str:
        return "equivalent" if self.divergence is None else self.divergence.describe()

    def __bool__(self) -> bool:
        return self.equivalent


Bag = Counter[tuple[tuple[str, bool], ...]]


def _instants(events: Iterable[Event]) -> dict[tuple[str, float], Bag]:
    """Group events by instant; within it, one ordered tuple of lines per task, as a multiset."""
    per_task: dict[tuple[str, float], dict[int, list[tuple[str, bool]]]] = {}
    for e in events:
        per_task.setdefault(e.instant, {}).setdefault(e.task, []).append((e.text, e.newline))
    return {k: Counter(tuple(seq) for seq in tasks.values()) for k, tasks in per_task.items()}


def _flatten(bag: Bag) -> Counter[str]:
    return Counter(text for seq, n in bag.items() for text, _ in seq for _ in range(n))


def _phase_order(*traces: Trace) -> Iterator[str]:
    seen: dict[str, None] = {}
    for t in traces:
        for e in t.events:
            seen.setdefault(e.phase, None)
        for p in t.outcomes:
            seen.setdefault(p, None)
    yield from seen


def compare(expected: Trace, got: Trace, *, decimals: int = STAMP_DECIMALS) -> Verdict:
    """Compare two traces; the first divergence in time order, or equivalence."""

    def rounded(events: list[Event]) -> list[Event]:
        if decimals == STAMP_DECIMALS:
            return events
        return [Event(e.phase, round(e.time, decimals), e.task, e.text, e.newline) for e in events]

    a, b = _instants(rounded(expected.events)), _instants(rounded(got.events))
    phases = list(_phase_order(expected, got))
    for key in sorted(set(a) | set(b), key=lambda k: (phases.index(k[0]), k[1])):
        bag_a, bag_b = a.get(key, Counter()), b.get(key, Counter())
        if bag_a == bag_b:
            continue
        lines_a, lines_b = _flatten(bag_a), _flatten(bag_b)
        missing = tuple((lines_a - lines_b).elements())
        extra = tuple((lines_b - lines_a).elements())
        if missing or extra:
            reason = (
                "a line is missing here" if not extra else
                "a line came that was not expected here" if not missing else
                "different lines here"
            )
            return Verdict(Divergence(key[0], key[1], missing, extra, reason))
        return Verdict(Divergence(
            key[0], key[1],
            tuple(" / ".join(t for t, _ in seq) for seq in bag_a),
            tuple(" / ".join(t for t, _ in seq) for seq in bag_b),
            "the same lines, but one task printed them in another order (or another task did)",
        ))
    for phase in phases:
        want, have = expected.outcomes.get(phase), got.outcomes.get(phase)
        if want != have:
            return Verdict(Divergence(
                phase, None, (str(want),), (str(have),), "the phase ended differently"))
    return Verdict(None)
