"""``walkthrough diff``: the two twins of a lesson side by side, aligned function by function."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from walkthrough import catalogue
from walkthrough.cli import UsageError
from walkthrough.commands import add_lesson, lesson_arg

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

# rich (and walkthrough.sidebyside, which draws with it) are imported where used: every
# `walkthrough` command imports this module for its --help line (walkthrough.cli.build_parser).

HELP = "show the asyncio and Trio versions of a lesson side by side"
DESCRIPTION = """\
Show the asyncio and Trio twins of a lesson in two syntax-highlighted columns, aligned
function by function. Changed lines are marked (- asyncio, + Trio), and the Trio file's own
comment that says why a change was made is highlighted where it stands.

With --plain, or not on a terminal with --layout auto (the default), it prints a unified
diff instead. A terminal narrower than 140 columns gets the stacked view (each change as
asyncio lines, then Trio lines).
Output taller than the terminal goes through a pager, as git does: $WALKTHROUGH_PAGER, else
$PAGER, else "less" (with LESS=FRX unless LESS is set); --no-pager, or a pager of "cat" or
"", prints it directly. A pager that cannot be run is named in one line on stderr, and the
output is printed directly instead.

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
    parser.add_argument("--no-pager", action="store_true",
                        help="print directly, even when the output is taller than the terminal")


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
    from rich.console import Console

    from walkthrough.sidebyside import align, columns, stacked, unified

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
    view = columns(pair, console.width) if layout == "columns" else stacked(pair)
    command = None if args.no_pager or not sys.stdout.isatty() else pager_command()
    if command is None:
        console.print(view)
        return 0
    text = render(view, console)
    if text.count("\n") <= shutil.get_terminal_size().lines:
        sys.stdout.write(text)
        return 0
    page(text, command)
    return 0


def pager_command() -> str | None:
    """The pager to use, git's way: ours, then $PAGER, then less; None for none at all."""
    for name in ("WALKTHROUGH_PAGER", "PAGER"):
        if name in os.environ:
            chosen = os.environ[name].strip()
            return None if chosen in ("", "cat") else chosen
    return "less" if shutil.which("less") else None


def render(view: RenderableType, console: Console) -> str:
    """The view as the terminal would show it, colours included, for a pager."""
    with console.capture() as captured:
        console.print(view)
    return captured.get()


def page(text: str, command: str) -> None:
    """Feed ``text`` to the pager; like git, -R keeps the colours and -F quits on one screen.

    A pager that cannot be run (``PAGER=nonexistent``) must not swallow the output: it is
    printed directly, after one line on stderr. The pager's program is looked up first; a
    shell line too clever for that (``PAGER='LESS=S less'``) is run, and the shell's 127 or
    126 ("not found", "cannot execute") is taken as the same failure (the shell has said so
    on stderr, in its one line).
    """
    missing = _missing_program(command)
    if missing is not None:
        print(f"walkthrough diff: pager {missing!r} not found; printing directly",
              file=sys.stderr)
        sys.stdout.write(text)
        return
    env = {**os.environ}
    env.setdefault("LESS", "FRX")
    try:
        # A shell line, as git runs $PAGER: "less -S" or "most" both work.
        with subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env,
                              text=True) as proc:
            assert proc.stdin is not None
            try:
                proc.stdin.write(text)
                proc.stdin.close()
            except BrokenPipeError:  # the reader quit the pager early (or it never started)
                pass
            status = proc.wait()
    except OSError:
        status = 127
    if status in (126, 127):  # the shell could not find or run it: nothing was shown
        sys.stdout.write(text)


def _missing_program(command: str) -> str | None:
    """The pager's program when ``command`` plainly names one that is not on $PATH, else None
    (found, or a shell line that only the shell can read: assignments, quotes left open)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or "=" in words[0] or shutil.which(words[0]) is not None:
        return None
    return words[0]
