"""Documented trace normalisations: what a lesson's comparison forgives, and why.

A normaliser maps a :class:`~walkthrough.trace.Trace` to one in which the scheduler's free
choices no longer show, and nothing else changes. It is applied to *both* traces before
:func:`~walkthrough.trace.compare`, through the catalogue (``Lesson(normalise=...)``), so
``walkthrough run --impl both`` and ``walkthrough check`` apply the same rule as the shared
tests. Each function's docstring says exactly what it forgives; everything else still has to
match line for line, at the same instant.
"""

from __future__ import annotations

import dataclasses
import re

from walkthrough.trace import STAMP_DECIMALS, Event, Trace

#: A consumer's line in the queue lesson: name, job, and how long the job waited.
CONSUMED = re.compile(r"    > Consumer (?P<name>.*?) got element <(?P<job>.*)>"
                      r" in (?P<waited>\S+) seconds\.")

#: The task number the queue ledger lines are attributed to (no real task is negative).
LEDGER_TASK = -1


def queue(trace: Trace) -> Trace:
    """The queue lesson: forgive *which* consumer took *which* job, never when or how many.

    The notebook sleeps whole seconds, so consumers and producers often wake at one instant,
    and then the scheduler chooses, in both frameworks: Trio runs such a batch in a random
    order (and Trio's own hypothesis plugin shuffles it once hypothesis is imported, as in
    this project's pytest runs), asyncio wakes timers with equal deadlines in heap order, and
    a consumer waiting in ``get`` is handed a job directly by Trio but can lose it to a
    consumer arriving at that instant under asyncio. So:

    * which consumer's name is on a line, whenever several consumers were free, and
    * which of the jobs put at one instant (by different producers) reaches the queue, and
      so a consumer, first

    are choices. The lesson is written so that nothing else depends on them: each producer
    has its own RNG and ``Faker``, and the consumers draw their sleeps from one stream, so
    the draws made at an instant are the same numbers whoever makes them.

    What this normaliser changes: each consumer line becomes
    ``    > Consumer * got element <put at t=P> in W seconds.``, attributed to a task of its
    own (the consumer is forgiven, so its lines at one instant compare one by one); ``P`` is
    the instant the job was put, read from the line (its instant minus ``W``). And for every
    instant ``P`` at which consumed jobs had been put, one ledger line is added at ``P``:
    ``(ledger) consumed, of the jobs put now: <a>, <b>`` (sorted).

    What still has to match: every producer line, exactly, at its instant; at every instant,
    how many jobs were taken and how long each had waited (so from which instant's batch);
    over the run, exactly which jobs of each batch were consumed (the ledger, so a job taken
    twice or never shows); the last line, the end time, and every phase's outcome.
    A line that does not read like a consumer's is left as it is.
    """
    events: list[Event] = []
    ledger: dict[tuple[str, float], list[str]] = {}
    for e in trace.events:
        m = CONSUMED.fullmatch(e.text) if e.newline else None
        if m is None:
            events.append(e)
            continue
        waited = m["waited"]
        try:
            put = round(e.time - float(waited), STAMP_DECIMALS)
        except ValueError:
            events.append(e)
            continue
        text = f"    > Consumer * got element <put at t={put:g}> in {waited} seconds."
        events.append(dataclasses.replace(e, task=LEDGER_TASK - 1 - len(events), text=text))
        ledger.setdefault((e.phase, put), []).append(m["job"])
    for (phase, put), jobs in ledger.items():
        line = "(ledger) consumed, of the jobs put now: " + ", ".join(
            f"<{job}>" for job in sorted(jobs))
        events.append(Event(phase, put, LEDGER_TASK, line))
    return dataclasses.replace(trace, events=events)
