"""``walkthrough tour``: every lesson, both ways, with a verdict each.

The six lessons without network I/O run on the virtual clock, in milliseconds. The two that do
real I/O run for real, on 127.0.0.1 only, in a few seconds: the crawler crawls the local demo
site with both versions (the comparison of ``walkthrough check crawler``), the server plays the
same session of real clients against both twins (that of ``walkthrough run server``). Before
issue 25 the tour left both out, the server without a word: a tour of "every lesson" that ran
six of eight.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from walkthrough import catalogue

# rich and the runner (trio, asyncio) are imported where used: every `walkthrough` command imports
# this module for its --help line (walkthrough.cli.build_parser).

HELP = "run all eight lessons both ways and compare (the virtual clock, or 127.0.0.1)"
DESCRIPTION = """\
Run all eight lessons (the notebook's seven, then the server) under asyncio and under Trio,
and print a table: lesson, notebook section, simulated time, wall time (both runs together),
equivalent or not. The lessons without
network I/O run on the virtual clock, in milliseconds. The crawler and the server do real
network I/O, so they run on the real clock, on 127.0.0.1 only, in a few seconds: the
crawler crawls a local demo site with both versions (as 'walkthrough check crawler' does), the
server plays one session of real clients against both (as 'walkthrough run server' does).
The exit status is 1 if any lesson diverges (0 if stdout is closed while the tour still
writes: see below)."""

#: A row of the table after the lesson's name and section: simulated, wall, verdict.
Row = tuple[str, str, str, bool]


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def _verdict(equivalent: bool, why: str) -> str:
    from rich.markup import escape

    return "[green]equivalent[/green]" if equivalent else f"[red]{escape(why)}[/red]"


def _virtual(lesson: catalogue.Lesson) -> Row:
    from walkthrough.runner import run_lesson

    a, b = (run_lesson(lesson, impl) for impl in catalogue.IMPLS)
    verdict = lesson.compare(a, b)
    return (f"{a.simulated_seconds:.2f} s", f"{(a.wall_seconds + b.wall_seconds) * 1000:.0f} ms",
            _verdict(verdict.equivalent, verdict.describe()), verdict.equivalent)


def _crawler(lesson: catalogue.Lesson) -> Row:
    """The Trio twin checked as a learner's port would be: both crawl the local demo site."""
    from walkthrough.learner import check_crawler

    module = lesson.load("trio")
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="walkthrough-tour-") as workdir:
        status, text = check_crawler(module, Path(module.__file__ or lesson.name), "trio",
                                     Path(workdir))
    seconds = time.perf_counter() - wall
    # The report's last lines are its verdict (its first two say what was checked).
    why = " ".join(line.strip() for line in text.splitlines()[2:])
    return "real I/O", f"{seconds * 1000:.0f} ms", _verdict(status == 0, why), status == 0


def _server(lesson: catalogue.Lesson) -> Row:
    """Both twins, one session of real clients each: their transcripts must be equal."""
    from walkthrough import echo

    wall = time.perf_counter()
    expected, got = (echo.session(echo.twin_command(catalogue.PACKAGES[impl]))
                     for impl in catalogue.IMPLS)
    seconds = time.perf_counter() - wall
    n = echo.first_difference(expected, got)
    why = "" if n is None else (
        f"NOT equivalent at entry {n + 1} of the session: expected "
        f"{expected[n] if n < len(expected) else '(nothing)'}, got "
        f"{got[n] if n < len(got) else '(nothing)'}")
    return "real I/O", f"{seconds * 1000:.0f} ms", _verdict(n is None, why), n is None


#: How each lesson with real I/O is toured; the others run on the virtual clock.
REAL: dict[str, Callable[[catalogue.Lesson], Row]] = {"crawler": _crawler, "server": _server}


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="The walkthrough, asyncio vs Trio")
    for col, justify in (("lesson", "left"), ("section", "left"), ("simulated", "right"),
                         ("wall", "right"), ("verdict", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    ok = True
    for lesson in catalogue.available():
        if lesson.real_io and lesson.name not in REAL:
            raise NotImplementedError(f"the tour has no way to run {lesson.name!r}: add it "
                                      "to tour.REAL")  # a new real-I/O lesson must say how
        simulated, wall, verdict, equivalent = (REAL[lesson.name] if lesson.real_io
                                                else _virtual)(lesson)
        ok = ok and equivalent
        table.add_row(lesson.name, lesson.section, simulated, wall, verdict)
    table.caption = ("The crawler and the server do real network I/O, on 127.0.0.1: the "
                     "crawler crawls a local demo site, the server serves a session of real "
                     "clients. The others run on the virtual clock.")
    Console().print(table)
    return 0 if ok else 1
