"""``walkthrough run``: run one lesson under asyncio, Trio, or both side by side."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.render import side_by_side
from walkthrough.runner import run_lesson

HELP = "run a lesson under asyncio, Trio, or both"
DESCRIPTION = """\
Run one lesson. With --impl both, the two outputs are shown side by side on one time
axis, followed by the verdict: equivalent, or the first divergence.

With --virtual the lesson runs on a virtual clock that jumps ahead whenever every task
sleeps: the output is the same, in milliseconds instead of seconds.

examples:
  walkthrough run count --impl trio
  walkthrough run queue --impl both --virtual --seed 7"""


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("--impl", choices=(*catalogue.IMPLS, "both"), default="both",
                        help="which version to run (default: both)")
    parser.add_argument("--virtual", action="store_true",
                        help="run on the virtual clock (instant) instead of the real one")
    parser.add_argument("--seed", type=int, help="seed for the lessons that draw random numbers")


def run(args: argparse.Namespace) -> int:
    lesson = lesson_arg(args.lesson)
    if lesson.real_io:
        raise UsageError(f"{lesson.name} does real network I/O, which a virtual clock cannot "
                         "run: use 'walkthrough crawl'")
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
        run_lesson(lesson, args.impl, virtual=args.virtual, params=params, tee=sys.stdout)
        return 0
    a, b = (run_lesson(lesson, impl, virtual=args.virtual, params=params) for impl in impls)
    # On the real clock the stamps jitter by milliseconds: compare them to a tenth of a second.
    verdict = lesson.compare(a, b) if args.virtual else lesson.compare(a, b, decimals=1)
    console = Console()
    console.print(side_by_side(a, b, verdict))
    console.print(f"[bold]{'equivalent' if verdict else 'NOT equivalent'}[/bold]"
                  f" ({a.simulated_seconds:.2f} s simulated, "
                  f"{a.wall_seconds + b.wall_seconds:.3f} s wall)")
    return 0 if verdict else 1
