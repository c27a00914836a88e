"""``walkthrough tour``: every lesson, both ways, on the virtual clock, with a verdict each."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from walkthrough import catalogue
from walkthrough.runner import run_lesson

HELP = "run every lesson both ways on the virtual clock and compare"
DESCRIPTION = """\
Run every lesson that exists in both versions, under asyncio and under Trio, on the
virtual clock, and print a table: lesson, simulated time, wall time, equivalent or not.
The exit status is 1 if any lesson diverges (0 if stdout is closed before the table is
read: see below). The crawler is left to 'walkthrough crawl'."""


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    table = Table(title="The walkthrough, asyncio vs Trio, on the virtual clock")
    for col, justify in (("lesson", "left"), ("section", "left"), ("simulated", "right"),
                         ("wall", "right"), ("verdict", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    ok = True
    for lesson in catalogue.available():
        if lesson.real_io:
            continue
        a, b = (run_lesson(lesson, impl) for impl in catalogue.IMPLS)
        verdict = lesson.compare(a, b)
        ok = ok and verdict.equivalent
        table.add_row(
            lesson.name, lesson.section, f"{a.simulated_seconds:.2f} s",
            f"{(a.wall_seconds + b.wall_seconds) * 1000:.0f} ms",
            "[green]equivalent[/green]" if verdict else f"[red]{verdict.describe()}[/red]",
        )
    table.caption = ("The crawler does real network I/O: 'walkthrough crawl' runs it, and "
                     "tests/test_crawler.py compares the two versions.")
    Console().print(table)
    return 0 if ok else 1
