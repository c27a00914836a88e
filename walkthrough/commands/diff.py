"""``walkthrough diff``: the two twins of a lesson side by side, aligned function by function."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.sidebyside import align, columns, stacked, unified

HELP = "show the asyncio and Trio versions of a lesson side by side"
DESCRIPTION = """\
Show the asyncio and Trio twins of a lesson in two syntax-highlighted columns, aligned
function by function. Changed lines are marked (- asyncio, + Trio), and under each change
the Trio file's own comment says why it differs.

Not on a terminal, or with --plain, it prints a unified diff instead. A terminal narrower
than 140 columns gets the stacked view (each change as asyncio lines, then Trio lines).

examples:
  walkthrough diff count
  walkthrough diff queue --layout stacked
  walkthrough diff chained --plain | less"""

#: Below this many columns, two columns of code are too narrow to read: stack them.
MIN_COLUMNS_WIDTH = 140


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("--plain", action="store_true",
                        help="print a unified diff (the default when not on a terminal)")
    parser.add_argument("--layout", choices=("auto", "columns", "stacked"), default="auto",
                        help="columns or stacked; auto picks by terminal width (default)")
    parser.add_argument("--width", type=int, help="draw for this many columns")


def sources(lesson: catalogue.Lesson) -> tuple[tuple[str, str], tuple[str, str]]:
    """(path shown, text) of the asyncio twin and of the Trio twin."""
    found = []
    for impl in catalogue.IMPLS:
        if not lesson.exists(impl):
            raise UsageError(f"{lesson.module_name(impl)} is not written yet")
        module = lesson.load(impl)
        path = Path(str(module.__file__))
        found.append((f"{catalogue.PACKAGES[impl]}/{path.name}", path.read_text()))
    return found[0], found[1]


def run(args: argparse.Namespace) -> int:
    lesson = lesson_arg(args.lesson)
    (left_file, left), (right_file, right) = sources(lesson)
    if args.width is not None and args.width < 40:
        raise UsageError("--width must be at least 40")
    if args.plain or (args.layout == "auto" and not sys.stdout.isatty()):
        sys.stdout.write(unified(left, right, left_file, right_file))
        return 0
    console = Console(width=args.width) if args.width else Console()
    pair = align(left, right, left_file, right_file)
    layout = args.layout
    if layout == "auto":
        layout = "columns" if console.width >= MIN_COLUMNS_WIDTH else "stacked"
    console.print(columns(pair, console.width) if layout == "columns" else stacked(pair))
    return 0
