"""Lessons on the real clock against their plan (section 1), and the virtual clock's speed (2).

**The plan.** A lesson's critical path is the sum of the sleeps along its longest chain, given
its seed. We do not re-derive it by hand per lesson: the virtual clock *is* that computation.
``MockClock(autojump_threshold=0)`` and ``VirtualTimeLoop`` (``SyncVirtualClock`` for a plain
``time.sleep`` phase) advance only when every task sleeps, and only to the next deadline, so a
lesson's virtual makespan is exactly its longest chain of sleeps, for any lesson
``walkthrough.catalogue.available()`` lists now or later, except those that do real I/O
(``real_io``: the crawler, the server), which are left out. A lesson's plan is the sum of its
phases'. (For count, the article's own figures: 3 s sync, 1 s async; the page shows that they
agree.)

**The real run.** Each (lesson, framework) runs in its own process with the lesson's code and
sleeps untouched. The processes first compute the plan and import everything, then wait for one
"go" line and start their real-clock runs together, so a round takes as long as the longest
lesson, not the sum: the lessons sleep, they hardly compete for the two cores. Rounds repeat
as many times as fit the time budget at the longest plan plus 1 s each, at least once and at
most three times; ``--quick`` skips the lessons whose plan is over 5 s
(``Config.lesson_max_plan``), and its 10 s budget then fits one or two rounds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.stats import Summary, log, summarise

#: Bigger-than-test cases for the virtual clock's throughput, applied where a lesson's phases
#: take the parameter (unknown names are ignored by the runner).
LARGE: dict[str, dict[str, Any]] = {
    "chained": {"args": tuple(f"gun{i}" for i in range(200))},
    "queue": {"nprod": 100, "ncon": 20},
    "asyncgen": {"up_to": 500},
}


@dataclass
class LessonRow:
    name: str
    impl: str
    plan: float = 0.0
    real: list[float] = field(default_factory=list)
    outcomes_match: bool = True

    def ratio(self) -> Summary:
        return summarise([r / self.plan for r in self.real]) if self.plan else summarise([])

    def makespan(self) -> Summary:
        return summarise(self.real)


def plans() -> dict[str, float]:
    """Each available lesson's critical path (notebook parameters), from the virtual clock."""
    from walkthrough import catalogue
    from walkthrough.runner import run_lesson

    out: dict[str, float] = {}
    for lesson in catalogue.available():
        if lesson.real_io:
            continue
        out[lesson.name] = max(sum(run_lesson(lesson, impl).durations.values())
                               for impl in catalogue.IMPLS)
    return out


def real_clock(budget: float, max_plan: float | None) -> tuple[list[LessonRow], list[str]]:
    """Rounds of every (lesson, framework) pair on the real clock: as many as fit ``budget``
    seconds, at least one, at most three."""
    from walkthrough import catalogue

    plan = plans()
    skipped = [n for n, p in plan.items() if max_plan is not None and p > max_plan]
    names = [n for n in plan if n not in skipped]
    rows = {(n, impl): LessonRow(n, impl) for n in names for impl in catalogue.IMPLS}
    longest = max((plan[n] for n in names), default=0.0) + 1.0
    rounds = max(1, min(3, int(budget // longest)))
    for rnd in range(rounds):
        procs = {key: subprocess.Popen(
            [sys.executable, "-m", "bench.worker", "lesson",
             json.dumps({"name": key[0], "impl": key[1]})],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for key in rows}
        for proc in procs.values():  # each prints "ready" once its plan and imports are done
            assert proc.stdout is not None
            proc.stdout.readline()
        time.sleep(0.2)
        for proc in procs.values():
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for key, proc in procs.items():
            out, _ = proc.communicate(timeout=longest * 3 + 30)
            data = json.loads(out.strip().splitlines()[-1])["result"]
            row = rows[key]
            row.plan = sum(data["plan"].values())
            row.real.append(sum(data["real"].values()))
            row.outcomes_match = row.outcomes_match and data["outcomes_match"]
        log(f"  lessons round {rnd + 1}/{rounds} done")
    return list(rows.values()), skipped


@dataclass
class VirtualRow:
    label: str
    simulated: float
    wall: float
    runs: int
    lines: int = 0

    @property
    def speed(self) -> float:
        return self.simulated / self.wall if self.wall else float("inf")


def virtual_clock(reps: int) -> list[VirtualRow]:
    """Simulated seconds per wall second: the shared suite's lesson runs, then large cases."""
    from walkthrough import catalogue
    from walkthrough.runner import run_lesson

    rows: list[VirtualRow] = []
    suite = VirtualRow("every catalogue case, both frameworks (what the shared suite runs)",
                       0.0, 0.0, 0)
    for _ in range(reps):
        for lesson in catalogue.available():
            if lesson.real_io:
                continue
            for case in lesson.all_cases():
                for impl in catalogue.IMPLS:
                    t = run_lesson(lesson, impl, params=case)
                    suite.simulated += sum(t.durations.values())
                    suite.wall += t.wall_seconds
                    suite.runs += 1
                    suite.lines += len(t.events)
    rows.append(suite)
    for lesson in catalogue.available():
        if lesson.name not in LARGE:
            continue
        for impl in catalogue.IMPLS:
            big = VirtualRow(f"{lesson.name} {impl}, {_fmt_params(LARGE[lesson.name])}",
                             0.0, 0.0, 0)
            for _ in range(reps):
                t = run_lesson(lesson, impl, params=LARGE[lesson.name])
                big.simulated += sum(t.durations.values())
                big.wall += t.wall_seconds
                big.runs += 1
                big.lines += len(t.events)
            rows.append(big)
    return rows


def _fmt_params(params: dict[str, Any]) -> str:
    parts = []
    for k, v in params.items():
        parts.append(f"{k}: {len(v)} names" if isinstance(v, tuple) else f"{k}={v}")
    return ", ".join(parts)
