"""``walkthrough timeline``: who ran when, one row per task, on the virtual clock."""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import typing
from pathlib import Path
from typing import Any

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg

# rich and walkthrough.timeline (the runner: trio, asyncio) are imported where used: every
# `walkthrough` command imports this module for its --help line (walkthrough.cli.build_parser).

HELP = "draw who ran when: one row per task, asyncio and Trio on one time axis"
DESCRIPTION = """\
Run a lesson (any but the crawler and the server, which do real network I/O) on the
virtual clock and draw its tasks: one row per task, a bar while it
waits (asleep, or blocked on a queue or a child), a dot for each line it prints. Both
versions share one time axis, so where they behave alike the pictures line up.

The task rows come from the frameworks (a Trio Instrument, an asyncio task factory), not
from the lessons. Trio-only variants of a phase are drawn too: for the queue lesson,
demo_closing shows the consumers running on after the last job, where q.join() ends.

A --param value is checked before anything runs: its type comes from the lesson's own
signature (nprod: int), its range from what a timeline can draw (at most 50 producers).

examples:
  walkthrough timeline count
  walkthrough timeline queue --seed 14 --param nprod=3 --param ncon=1
  walkthrough timeline makerandom --impl trio --svg makerandom.svg"""


#: What the timeline can draw, and what the lessons can run, per parameter: (least, most).
#: The most is a drawing's limit (one row per task, one mark per printed line: past it the
#: picture is a smear and the run takes minutes, as nprod=100000 did); the least is the
#: lesson's (with no consumer, the queue's jobs are never taken and ``join`` never returns).
#: The *type* of a parameter comes from the lesson's own signature, not from here.
RANGES: dict[str, tuple[int, int]] = {
    "nprod": (0, 50),
    "ncon": (1, 50),
    "up_to": (0, 200),
    "args": (0, 50),  # how many chains (chained): one task each
}
#: Why a parameter has its least value, where that is the lesson's own limit.
LEAST_WHY = {"ncon": "with no consumer no job is ever taken, and the run never ends"}
MOST_WHY = "one row per task and one mark per line: past that, no readable picture"


def configure(parser: argparse.ArgumentParser) -> None:
    add_lesson(parser)
    parser.add_argument("--impl", choices=(*catalogue.IMPLS, "both"), default="both",
                        help="which version to draw (default: both)")
    parser.add_argument("--seed", type=int, help="seed for the lessons that draw random numbers")
    parser.add_argument("--param", metavar="NAME=VALUE", action="append", default=[],
                        help="another of the lesson's parameters (e.g. --param ncon=1)")
    parser.add_argument("--svg", metavar="PATH", type=Path, help="also write the drawing as SVG")
    parser.add_argument("--width", type=int, help="draw for this many columns")


def check_writable(path: Path) -> None:
    """A usage error now if ``path`` cannot be written later: its folder is missing or not
    writable, or it is a folder, or a file we may not write."""
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: No such file or directory")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: Is a directory")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise UsageError(f"cannot write {path}: Permission denied")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from walkthrough.timeline import record, render, to_svg

    lesson = lesson_arg(args.lesson)
    if lesson.real_io:
        # each real-I/O lesson has its own verb: the crawler crawls, the server runs a session
        verb = "walkthrough run server" if lesson.name == "server" else "walkthrough crawl"
        raise UsageError(f"{lesson.name} does real network I/O, which the virtual clock "
                         f"cannot run: try '{verb}'")
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
        params[name] = parse_param(lesson, name, value)
    impls = catalogue.IMPLS if args.impl == "both" else (args.impl,)
    for impl in impls:
        if not lesson.exists(impl):
            raise UsageError(f"{lesson.module_name(impl)} is not written yet")
    if args.width is not None and args.width < 40:
        raise UsageError("--width must be at least 40")
    if args.svg is not None:
        check_writable(args.svg)  # before the run: not a whole drawing, then the error
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


def declared_type(lesson: catalogue.Lesson, name: str) -> tuple[str, Any]:
    """(where, type) of parameter ``name``, from the first phase whose signature names it.

    ``*args: str`` is ``tuple[str, ...]``. Both twins declare the same signature; the asyncio
    one is the reference.
    """
    module = lesson.load(catalogue.IMPLS[0])
    for phase in lesson.phases:
        fn = getattr(module, phase)
        parameter = inspect.signature(fn).parameters.get(name)
        if parameter is None:
            continue
        hint = typing.get_type_hints(fn).get(name, Any)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            hint = tuple[hint, ...]  # type: ignore[valid-type]
        return f"{phase}({name}: {_type_name(hint)})", hint
    return f"the lesson's parameter {name}", Any


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) is tuple:
        return f"tuple[{_type_name(typing.get_args(hint)[0])}, ...]"
    return getattr(hint, "__name__", str(hint))


def parse_param(lesson: catalogue.Lesson, name: str, text: str) -> Any:
    """The value of ``--param NAME=TEXT``, checked against the lesson's signature and RANGES.

    An int must be an integer literal; a ``tuple[str, ...]`` (``*args: str``) is a comma-
    separated list (``cannon,laser``) or a Python tuple literal. Anything else: a UsageError
    that names the parameter, what it got and what it needs.
    """
    where, hint = declared_type(lesson, name)
    bad = f"--param {name}={text}"
    if hint is int:
        try:
            # int() reads 1_000 as Python does; stripping every "_" first let 5_, _5 and 1__0 in
            value: Any = int(text, 10)
        except ValueError:
            raise UsageError(f"{bad}: not an integer ({where})") from None
        size = value
    elif typing.get_origin(hint) is tuple:
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            literal = None
        if isinstance(literal, tuple | list):
            value = tuple(literal)
        else:
            value = tuple(part.strip() for part in text.split(",") if part.strip())
        if not all(isinstance(v, str) for v in value):
            raise UsageError(f"{bad}: expected words separated by commas ({where})")
        size = len(value)
    elif hint is str:
        value, size = text, None
    else:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        size = None
    if name in RANGES and size is not None:
        least, most = RANGES[name]
        if not least <= size <= most:
            count = f"{size} items" if isinstance(value, tuple) else str(size)
            why = LEAST_WHY.get(name, "a count is never negative") if size < least else MOST_WHY
            raise UsageError(f"{bad}: {count} is out of range, {least} to {most} ({why})")
    return value
