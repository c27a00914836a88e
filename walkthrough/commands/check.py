"""``walkthrough check``: learner mode, your own Trio port against the asyncio reference."""

from __future__ import annotations

import argparse
from pathlib import Path

from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.learner import PortProblem, check, load

HELP = "check your own Trio port of a lesson against the asyncio reference"
DESCRIPTION = """\
Learner mode. Write your own Trio version of a lesson (exercises/<lesson>.py is a
skeleton to start from), then check it: the asyncio reference and your module run on the
virtual clock with the same parameter sets the project's own tests use, and their output
is compared line by line, instant by instant.

It says "equivalent", or shows the first divergence: the line expected, the line your
port printed, and the virtual time. Exit status: 0 equivalent, 1 not equivalent (or your
port raised), 2 your file could not be loaded (unreadable, syntax error, missing function).

examples:
  cp exercises/count.py my_count.py      # ... then fill in the bodies
  walkthrough check count my_count.py"""


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("path", metavar="PATH", type=Path, help="your port: a .py file")


def run(args: argparse.Namespace) -> int:
    lesson = lesson_arg(args.lesson)
    if lesson.real_io:
        raise UsageError(f"{lesson.name} does real network I/O: 'check' runs lessons on the "
                         "virtual clock only")
    if not lesson.exists("asyncio"):
        raise UsageError(f"{lesson.module_name('asyncio')} is not written yet")
    try:
        module = load(args.path, lesson)
    except PortProblem as exc:
        raise UsageError(str(exc)) from None
    report = check(lesson, module, args.path)
    print(report.describe())
    return 0 if report.equivalent else 1
