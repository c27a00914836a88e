"""``walkthrough list``: the lessons, with their notebook sections."""

from __future__ import annotations

import argparse

from walkthrough import catalogue

HELP = "list the lessons with their notebook sections"
DESCRIPTION = """\
List the eight lessons: the notebook's seven in its order, with the section each follows,
then the server (lesson 8, beyond the notebook); and which versions exist (asyncio_ref/ and
trio_port/)."""


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    # rich here, not at the top: every `walkthrough` command imports this module for its
    # --help line (walkthrough.cli.build_parser), and most never draw a table.
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Lessons of the asyncio walkthrough")
    for col in ("lesson", "section", "title", "asyncio", "trio"):
        table.add_column(col)
    for lesson in catalogue.LESSONS:
        marks = ["yes" if lesson.exists(impl) else "-" for impl in catalogue.IMPLS]
        table.add_row(lesson.name, lesson.section, lesson.title, *marks)
    Console().print(table)
    return 0
