"""One module per verb of the ``walkthrough`` command (see :mod:`walkthrough.cli`)."""

from __future__ import annotations

import argparse

from walkthrough import catalogue
from walkthrough.cli import UsageError


def lesson_arg(name: str) -> catalogue.Lesson:
    """Resolve a LESSON argument, or raise a UsageError that lists the lessons."""
    try:
        return catalogue.get(name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


def add_lesson(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(lesson.name for lesson in catalogue.LESSONS)
    parser.add_argument("lesson", metavar="LESSON", help=f"one of: {names}")
