"""``walkthrough run``: run one lesson under asyncio, Trio, or both side by side."""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

from walkthrough import catalogue
from walkthrough.cli import UsageError, discard_when_closed
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.trace import Event, Trace, Verdict, compare

# rich, the runner (trio, asyncio) and multiprocessing are imported where they are used: every
# `walkthrough` command imports this module for its --help line (walkthrough.cli.build_parser).

HELP = "run a lesson under asyncio, Trio, or both"
DESCRIPTION = """\
Run one lesson (any but the crawler: 'walkthrough crawl' runs that one). With --impl both,
the two versions run at the same time (one process each),
and their outputs are shown side by side, one row per instant, followed by the verdict:
equivalent, or the first divergence.

On the real clock, two runs never print at exactly the same microsecond: stamps within
--tolerance seconds of each other (default 0.05) count as one instant, and so do the
durations a lesson measures and prints ("executed in 3.01 seconds"). With --virtual the
lesson runs on a virtual clock that jumps ahead whenever every task sleeps: the output is
the same (the durations it prints are virtual seconds), the run takes milliseconds instead
of seconds, and instants compare exactly. A real-clock
run with both versions shows nothing until both are done (the queue's takes a minute): on a
terminal, a line on stderr says meanwhile for about how long, and counts the seconds.

examples:
  walkthrough run count --impl trio
  walkthrough run count                      # both at once, real clock: about 4 s
  walkthrough run queue --impl both --virtual --seed 7"""

#: Two stamps of one phase this close together (seconds) are one instant on the real clock.
TOLERANCE = 0.05
#: A duration a lesson measured and printed ("executed in 3.01 seconds", "in 0.00102
#: seconds"), or a time a normaliser wrote into a line ("put at t=37.0772", the queue's).
FIGURE = re.compile(r"\d+\.\d+(?= seconds)|(?<=\bt=)\d+(?:\.\d+)?")
#: A measured duration only (group 1).
DURATION = re.compile(r"(\d+\.\d+)(?= seconds)")


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("--impl", choices=(*catalogue.IMPLS, "both"), default="both",
                        help="which version to run (default: both)")
    parser.add_argument("--virtual", action="store_true",
                        help="run on the virtual clock (instant) instead of the real one")
    parser.add_argument("--seed", type=int, help="seed for the lessons that draw random numbers")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, metavar="SECONDS",
                        help="real clock: stamps this close are one instant (default: "
                             f"{TOLERANCE})")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from walkthrough.render import side_by_side
    from walkthrough.runner import run_lesson

    lesson = lesson_arg(args.lesson)
    if lesson.name == "server":  # real sockets: a scripted session of clients
        from walkthrough import echo
        return echo.run_verb(args)
    if lesson.real_io:
        # on either clock: `run` compares event timelines, and a crawl is compared page by page
        clock = "a virtual clock cannot run it, and " if args.virtual else ""
        raise UsageError(f"{lesson.name} does real network I/O: {clock}its two versions are "
                         "compared by what they fetch, not by a timeline: use "
                         "'walkthrough crawl'")
    if not 0 <= args.tolerance < 1:
        raise UsageError("--tolerance must be at least 0 and less than 1 second")
    params = {}
    if args.seed is not None:
        if "seed" not in lesson.params:
            raise UsageError(f"lesson {lesson.name!r} draws no random numbers: --seed has no use")
        params["seed"] = args.seed
    impls = catalogue.IMPLS if args.impl == "both" else (args.impl,)
    for impl in impls:
        if not lesson.exists(impl):
            raise UsageError(f"{lesson.module_name(impl)} is not written yet")
    if args.impl != "both":
        # The lesson's own prints reach stdout from inside its tasks: a BrokenPipeError raised
        # there would kill one task and leave its partners waiting (the queue's consumers
        # deadlocked). So a closed stdout drops them instead, and the lesson runs to its end.
        with discard_when_closed():
            run_lesson(lesson, args.impl, virtual=args.virtual, params=params, tee=sys.stdout)
        return 0
    console = Console(stderr=False)
    started = time.perf_counter()
    if args.virtual:
        a, b = (run_lesson(lesson, impl, virtual=True, params=params) for impl in impls)
        verdict = lesson.compare(a, b)
        clock = "virtual clock"
        how = f"{a.simulated_seconds:.2f} s simulated"
    else:
        with waiting_notice(lesson, params):
            a, b = run_both_real(lesson, params)
        verdict = compare_within(lesson, a, b, args.tolerance)
        a, b = snap(a, b, args.tolerance, figures=False)  # one row per instant, as printed
        clock = "real clock"
        how = (f"real clock, instants within {args.tolerance * 1000:g} ms count as one; "
               f"{max(a.simulated_seconds, b.simulated_seconds):.2f} s per version")
    wall = time.perf_counter() - started
    console.print(side_by_side(a, b, verdict, clock=clock))
    console.print(f"[bold]{'equivalent' if verdict else 'NOT equivalent'}[/bold] ({how}, "
                  f"{wall:.2f} s wall)")
    return 0 if verdict else 1


# -- the real clock ------------------------------------------------------------------------------

def expected_seconds(lesson: catalogue.Lesson, params: Mapping[str, Any]) -> float | None:
    """How long a real-clock run of ``lesson`` should take: what its asyncio twin sleeps in
    all, measured on the virtual clock (a few milliseconds of work). A lesson that draws
    random numbers without ``--seed`` draws others on the real run: hence "about". None if
    the virtual run cannot say (a phase raised)."""
    from walkthrough.runner import run_lesson

    try:
        trace = run_lesson(lesson, "asyncio", virtual=True, params=params)
    except Exception:  # an estimate is a courtesy: never a reason to fail
        return None
    if any(outcome.startswith("raised") for outcome in trace.outcomes.values()):
        return None
    return trace.simulated_seconds


def notice(lesson: catalogue.Lesson, expected: float | None, elapsed: float) -> str:
    """The line a real-clock run keeps on stderr while it goes (:func:`waiting_notice`)."""
    about = f": about {expected:.0f} s" if expected is not None else ""
    return (f"running {lesson.name} under asyncio and Trio at once, on the real clock{about} "
            f"({elapsed:.0f} s so far); 'walkthrough run {lesson.name} --virtual' shows the "
            "same in an instant")


@contextlib.contextmanager
def waiting_notice(lesson: catalogue.Lesson, params: Mapping[str, Any]) -> Iterator[None]:
    """While the block runs, say on stderr what runs, for about how long, and the fast way.

    A real-clock run prints nothing until both versions are done (the queue's takes a
    minute), and a silent minute reads as a hang. Only on a terminal: a log or a pipe gets
    no progress line to wade through. The line counts the seconds, and goes when the run
    ends (transient), so the screen keeps only the table. It is drawn before the run starts.
    """
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    started = time.monotonic()
    expected = expected_seconds(lesson, params)
    # The lesson's table goes to stdout after the run: neither stream is redirected by rich.
    live = Live(console=Console(stderr=True), transient=True, refresh_per_second=2,
                redirect_stdout=False, redirect_stderr=False,
                get_renderable=lambda: Text(notice(lesson, expected,
                                                   time.monotonic() - started), style="dim"))
    live.start(refresh=True)  # now, not at the first tick
    try:
        yield
    finally:
        live.stop()


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle: it terminates the workers (the pool's exit does).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_real(name: str, impl: str, params: Mapping[str, Any]) -> Trace:
    from walkthrough.runner import run_lesson

    return run_lesson(name, impl, virtual=False, params=params)


def run_both_real(lesson: catalogue.Lesson, params: Mapping[str, Any]) -> tuple[Trace, Trace]:
    """Run both versions on the real clock at the same time, each in a process of its own.

    Processes, not threads: each run swaps ``sys.stdout`` to capture what it prints, and a
    process has one ``sys.stdout``. Spawned, not forked, so neither inherits the other's state.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(len(catalogue.IMPLS), initializer=_ignore_sigint) as pool:
        pending = [pool.apply_async(_run_real, (lesson.name, impl, dict(params)))
                   for impl in catalogue.IMPLS]
        a, b = (result.get() for result in pending)
    return a, b


def snap(a: Trace, b: Trace, tolerance: float, *, figures: bool = True,
         ) -> tuple[Trace, Trace]:
    """Both traces with real-clock stamps grouped into instants, and fragments rejoined.

    Each run's stamps, phase by phase, are first cut into that run's own instants: an instant
    starts at a stamp and takes every later stamp within ``tolerance`` of that start (a fixed
    window, so a run of stamps cannot chain into one long instant). Then the two runs'
    instants are matched in order: one of Trio's matches asyncio's next one when the time
    since the last matched pair agrees within ``tolerance``. Measuring from the last match, not
    from the start, lets both runs drift apart slowly (each real sleep ends a little late, and
    the lateness adds up) without forgiving a single interval that is wrong. Matched instants
    take asyncio's time; an unmatched one keeps its own (shifted by the drift so far), and the
    comparison then reports it. The pieces of a line that a task printed in several writes
    (``print("+", end=" ")`` is two writes, and on the real clock each gets its own stamp) are
    joined again when they fall in one instant, as they were on the screen. Instants are
    kept to the millisecond. A duration the lesson printed ("in 6.00283 seconds") that reaches
    back to within ``tolerance`` of an instant becomes exactly the time since that instant
    (so a job's put time, its line's instant minus its wait, *is* an instant); other figures
    (:data:`FIGURE`) within ``tolerance`` of their neighbour are printed as one.
    ``figures=False`` leaves the text as it was printed (for showing it to the user).
    """

    def own_instants(trace: Trace, phase: str) -> list[float]:
        cuts: list[float] = []
        for t in sorted(e.time for e in trace.events if e.phase == phase):
            if not cuts or t - cuts[-1] > tolerance:
                cuts.append(t)
        return cuts

    def start_of(cuts: list[float], t: float) -> float:
        return max(c for c in cuts if c <= t)

    retime: dict[tuple[str, str, float], float] = {}  # (impl side, phase, own start) -> time
    for phase in dict.fromkeys(e.phase for e in a.events + b.events):
        ia, ib = own_instants(a, phase), own_instants(b, phase)
        i = j = 0
        drift = 0.0
        while i < len(ia) or j < len(ib):
            ta = ia[i] if i < len(ia) else None
            tb = ib[j] - drift if j < len(ib) else None
            if ta is not None and tb is not None and abs(tb - ta) <= tolerance:
                retime["a", phase, ia[i]] = retime["b", phase, ib[j]] = round(ta, 3)
                drift = ib[j] - ia[i]
                i, j = i + 1, j + 1
            elif tb is not None and (ta is None or tb < ta):
                retime["b", phase, ib[j]] = round(tb, 3)
                j += 1
            else:
                assert ta is not None
                retime["a", phase, ia[i]] = round(ta, 3)
                i += 1
    cuts_of = {(side, phase): own_instants(trace, phase)
               for side, trace in (("a", a), ("b", b))
               for phase in dict.fromkeys(e.phase for e in trace.events)}
    instants: dict[str, list[float]] = {}
    for (_, phase, _), t in retime.items():
        instants.setdefault(phase, []).append(t)

    def on_instants(trace: Trace, side: str) -> list[Event]:
        """Events at their instant's time; a printed duration that reaches back to within the
        tolerance of an instant is made exactly the time since that instant."""
        out = []
        for e in trace.events:
            t = retime[side, e.phase, start_of(cuts_of[side, e.phase], e.time)]

            def exact(m: re.Match[str], t: float = t, phase: str = e.phase) -> str:
                since = min(instants[phase], key=lambda s: abs(t - float(m.group()) - s))
                if abs(t - float(m.group()) - since) > tolerance:
                    return m.group()
                decimals = len(m.group().partition(".")[2])
                return f"{t - since:.{decimals}f}"

            text = DURATION.sub(exact, e.text) if figures else e.text
            out.append(Event(e.phase, t, e.task, text, e.newline))
        return out

    events_a, events_b = on_instants(a, "a"), on_instants(b, "b")

    # Other figures (a duration that does not reach back to an instant, a time a normaliser
    # wrote) jitter the same way: figures within the tolerance of their neighbour are printed
    # as one (the first seen). Neighbours, not a fixed window: such a figure can be any number,
    # and a window's edge could fall between the two runs' figures for one line.
    values = sorted({float(m) for e in events_a + events_b for m in FIGURE.findall(e.text)})
    figure_cuts: list[float] = []
    for k, value in enumerate(values):
        if k == 0 or value - values[k - 1] > tolerance:
            figure_cuts.append(value)
    first_text: dict[float, str] = {}
    for e in events_a + events_b:
        for m in FIGURE.findall(e.text):
            first_text.setdefault(max(c for c in figure_cuts if c <= float(m)), m)

    def same_figures(text: str) -> str:
        if not figures:
            return text
        return FIGURE.sub(
            lambda m: first_text[max(c for c in figure_cuts if c <= float(m.group()))], text)

    def snapped(trace: Trace, timed: list[Event]) -> Trace:
        events: list[Event] = []
        open_at: dict[tuple[int, str], int] = {}  # (task, phase) -> index of its open line
        for e in timed:
            t, text = e.time, same_figures(e.text)
            k = open_at.pop((e.task, e.phase), None)
            if k is not None and events[k].time == t:
                previous = events[k]
                events[k] = Event(e.phase, t, e.task, previous.text + text, e.newline)
            else:
                events.append(Event(e.phase, t, e.task, text, e.newline))
                k = len(events) - 1
            if not events[k].newline:
                open_at[(e.task, e.phase)] = k
        return Trace(trace.impl, trace.lesson, events, dict(trace.outcomes),
                     dict(trace.durations), dict(trace.task_names), trace.wall_seconds)

    return snapped(a, events_a), snapped(b, events_b)


def compare_within(lesson: catalogue.Lesson, a: Trace, b: Trace, tolerance: float) -> Verdict:
    """The lesson's comparison, with stamps within ``tolerance`` of each other as one instant.

    A lesson's normaliser computes times of its own (the queue's: when a consumed job was
    put, its line's instant minus the wait it printed); on the real clock those carry jitter
    too, so they are grouped again, by the same rule, after it ran.
    """
    a, b = snap(a, b, tolerance)
    if lesson.normalise is not None:
        a, b = snap(lesson.normalise(a), lesson.normalise(b), tolerance)
    return compare(a, b)
