"""``walkthrough timeline``: who ran when, one row per task, on the virtual clock."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

from rich.console import Console

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg
from walkthrough.timeline import record, render, to_svg

HELP = "draw who ran when: one row per task, asyncio and Trio on one time axis"
DESCRIPTION = """\
Run a lesson on the virtual clock and draw its tasks: one row per task, a bar while it
waits (asleep, or blocked on a queue or a child), a dot for each line it prints. Both
versions share one time axis, so where they behave alike the pictures line up.

The task rows come from the frameworks (a Trio Instrument, an asyncio task factory), not
from the lessons. Trio-only variants of a phase are drawn too: for the queue lesson,
demo_closing shows the consumers running on after the last job, where q.join() ends.

examples:
  walkthrough timeline count
  walkthrough timeline queue --seed 14 --param nprod=3 --param ncon=1
  walkthrough timeline makerandom --impl trio --svg makerandom.svg"""


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("--impl", choices=(*catalogue.IMPLS, "both"), default="both",
                        help="which version to draw (default: both)")
    parser.add_argument("--seed", type=int, help="seed for the lessons that draw random numbers")
    parser.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                        help="another of the lesson's parameters (e.g. --param ncon=1)")
    parser.add_argument("--svg", metavar="PATH", type=Path, help="also write the drawing as SVG")
    parser.add_argument("--width", type=int, help="draw for this many columns")


def run(args: argparse.Namespace) -> int:
    lesson = lesson_arg(args.lesson)
    if lesson.real_io:
        raise UsageError(f"{lesson.name} does real network I/O, which the virtual clock "
                         "cannot run: try 'walkthrough crawl'")
    params = {}
    if args.seed is not None:
        if "seed" not in lesson.params:
            raise UsageError(f"lesson {lesson.name!r} draws no random numbers: --seed has no use")
        params["seed"] = args.seed
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or name not in lesson.params:
            known = ", ".join(lesson.params) or "none"
            raise UsageError(f"--param {item!r}: expected NAME=VALUE with NAME one of the "
                             f"lesson's parameters ({known})")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    impls = catalogue.IMPLS if args.impl == "both" else (args.impl,)
    for impl in impls:
        if not lesson.exists(impl):
            raise UsageError(f"{lesson.module_name(impl)} is not written yet")
    if args.width is not None and args.width < 40:
        raise UsageError("--width must be at least 40")
    panels = record(lesson, impls, params)
    console = Console(width=args.width) if args.width else Console()
    console.print(render(panels, console.width))
    if args.svg is not None:
        try:
            args.svg.write_text(to_svg(panels), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.svg}: {exc.strerror or exc}") from None
        console.print(f"wrote {args.svg}")
    return 0
