"""``%%check LESSON``: check the notebook cell just written, as ``walkthrough check`` would.

Load it in a notebook (the exercises notebooks do, in their setup cell)::

    %load_ext walkthrough.notebook_magic

then start a lesson's cell with ``%%check count`` (``%%check count --impl asyncio`` for an
asyncio cell; ``--timeout S`` as the verb's). Running the cell does two things, in this order:

1. it writes the cell to a temporary ``my_LESSON.py`` and checks that file through the
   verb's own machinery (:func:`walkthrough.learner.check_in_child`, or the server's scripted
   session), printing the same report: "equivalent", "NOT equivalent" and why, or the
   skeleton's unfinished bodies;
2. it runs the cell in the notebook, as a cell without the magic would, so the run cells
   below it use what it defines; unless the check could not even import the cell (a syntax
   error, an exception, an exit or a loop at import): run in the kernel, that would only
   repeat the error, or kill or hang the kernel. A cell's own ``if __name__ == "__main__":``
   block (the whole ``my_LESSON.py`` pasted) is checked but not run: in a kernel
   ``__name__`` is ``"__main__"``, and the block's argparse would read the kernel's own
   command line and end the cell in ``SystemExit: 2``.

The report names the cell, not the temporary file ("checking this cell (Trio port) ...",
"at this cell, line 40"): the file is gone when the report is read.

Why a magic and not ``!walkthrough check``: the shell command is found on ``PATH``, and a
Jupyter started as ``.venv/bin/jupyter`` without activating the venv has no ``walkthrough`` on
it. The check runs in a child process of ``sys.executable``, the kernel's own Python, which is
the one that has this project installed.

Why the cell is checked as a file: the check runs your code in a child process (a busy loop,
an ``os._exit`` or a flood cannot take the kernel down), and the child imports a module. The
notebook's cells leave out the lesson's ``if __name__ == "__main__":`` block, so the file gets
the twin's own block after your code (unless your cell has one): it is the file you would have
had by copying the skeleton from ``exercises/``. A comment takes the magic's line, so a line
number in the report is the line of the cell.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib.util
import re
import shlex
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from walkthrough import catalogue

USAGE = "%%check LESSON [--impl asyncio|trio] [--timeout S]"
#: The verb's exit status for a file that could not be checked (``walkthrough check --help``).
CANNOT_CHECK = 2
NOT_RUN = ("(so the cell was not run either; to run it anyway, without a check, remove its "
           "%%check line)")
BLOCK_NOT_RUN = ("the `if __name__ == '__main__':` block was checked, not run: in a notebook, "
                 "run the lesson in the next cell")
#: What the reports call the checked file: it is the cell, and the file is deleted by then.
THIS_CELL = "this cell"
#: Python's messages for an ``await`` (``async for``, ``async with``) at a module's top level.
TOP_LEVEL_AWAIT = re.compile(r"syntax error: '(await|async for|async with)' outside "
                             r"(async )?function")
AWAIT_HINT = ("hint: put the run in the lesson's run cell, or in an async def; in a notebook, "
              "top-level await works only in a cell of its own, not under %%check")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad line raises instead of printing usage and exiting the kernel's
    code (``exit_on_error=False`` still exits for a missing argument)."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(f"{message}; usage: {USAGE}")


def _parser() -> argparse.ArgumentParser:
    from walkthrough.learner import WALL_LIMIT

    parser = _Parser(prog="%%check", add_help=False, exit_on_error=False)
    parser.add_argument("lesson")
    parser.add_argument("--impl", choices=catalogue.IMPLS, default="trio")
    parser.add_argument("--timeout", type=float, default=WALL_LIMIT)
    return parser


def parse_line(line: str) -> argparse.Namespace:
    """The magic's arguments; ValueError, one line, for anything the verb would refuse."""
    try:
        args, extra = _parser().parse_known_args(shlex.split(line))
    except argparse.ArgumentError as exc:
        raise ValueError(f"{exc}; usage: {USAGE}") from None
    if extra:
        raise ValueError(f"unrecognised arguments: {' '.join(extra)}; usage: {USAGE}")
    try:
        args.lesson = catalogue.get(args.lesson)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    if not args.timeout > 0:
        raise ValueError("--timeout must be positive")
    return args


def has_main_block(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False  # the check reports the syntax error itself
    return any(_is_main_block(node) for node in tree.body)


def _is_main_block(node: ast.stmt) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def without_main_block(cell: str) -> tuple[str, bool]:
    """The cell as the kernel runs it: its top-level ``if __name__ == "__main__":`` blocks
    blanked out (line for line, so a traceback's line numbers stay the cell's), and whether
    there was one. The check has already run the block as a script; in the kernel, where
    ``__name__ == "__main__"``, it would run the lesson with the kernel's argv."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return cell, False
    blocks = [node for node in tree.body if _is_main_block(node)]
    if not blocks:
        return cell, False
    lines = cell.splitlines(keepends=True)
    for node in blocks:
        end = node.end_lineno or node.lineno
        for k in range(node.lineno - 1, end):
            lines[k] = "\n"
    return "".join(lines), True


def as_this_cell(text: str, path: Path, lesson: catalogue.Lesson) -> str:
    """A report about the temporary ``path`` as one about the cell.

    The verb's suggestion to check as the other framework becomes the magic's line; a
    command line that runs the file keeps its name (``python my_count.py --help``: "python
    this cell" is no command); anywhere else the path is "this cell", and the other
    framework's hint speaks of "your cell"."""
    names = {str(path), str(path.resolve())}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"walkthrough check {lesson.name} {re.escape(shlex.quote(name))} "
                      r"--impl (\w+)", rf"%%check {lesson.name} --impl \1", text)
        text = text.replace(f"python {name}", f"python {path.name}")
        text = text.replace(name, THIS_CELL)
    return text.replace("hint: your file imports", "hint: your cell imports")  # framework_slip


def main_block(lesson: catalogue.Lesson, impl: str) -> str:
    """The twin's ``if __name__ == "__main__":`` block, as its source has it ("" if none)."""
    spec = importlib.util.find_spec(lesson.module_name(impl))
    if spec is None or spec.origin is None:
        return ""
    source = Path(spec.origin).read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if _is_main_block(node):
            return "\n".join(lines[node.lineno - 1:]) + "\n"
    return ""


def cell_file(line: str, cell: str, lesson: catalogue.Lesson, impl: str) -> str:
    """What is checked: the magic's line as a comment, the cell, the twin's script block."""
    text = f"# %%check {line.strip()}\n{cell}"
    if not text.endswith("\n"):
        text += "\n"
    if not has_main_block(cell):
        block = main_block(lesson, impl)
        if block:
            text += "\n\n" + block
    return text


def check_source(args: argparse.Namespace, source: str,
                 announce: Callable[[str], None] | None = None) -> tuple[int, str]:
    """Check ``source`` as a port of ``args.lesson``: (exit status, report), as the verb.

    ``announce``, as :func:`~walkthrough.learner.check_in_child`'s: given the report's first
    line before the check starts (a port that never awaits holds the rest for the timeout),
    which the report then leaves out. Printed lines' colours are named, not shown: a
    notebook's frontends do not all render terminal colours. The report names the cell, not
    the temporary file (:func:`as_this_cell`), and a top-level ``await`` gets a hint."""
    lesson: catalogue.Lesson = args.lesson
    for impl in ("asyncio", args.impl):
        if not lesson.exists(impl):
            return CANNOT_CHECK, f"{lesson.module_name(impl)} is not written yet"
    with tempfile.TemporaryDirectory(prefix="walkthrough-cell-") as folder:
        path = Path(folder) / f"my_{lesson.name}.py"
        path.write_text(source, encoding="utf-8")
        shown: Callable[[str], None] | None = None
        if announce is not None:
            told = announce

            def shown(line: str) -> None:
                told(as_this_cell(line, path, lesson))
        status, text = _check_file(args, lesson, path, shown)
        text = as_this_cell(text, path, lesson)
    if status == CANNOT_CHECK and TOP_LEVEL_AWAIT.search(text):
        text += f"\n{AWAIT_HINT}"
    return status, text


def _check_file(args: argparse.Namespace, lesson: catalogue.Lesson, path: Path,
                announce: Callable[[str], None] | None) -> tuple[int, str]:
    """:func:`check_source`'s check of the written file, its report naming the file."""
    from walkthrough.learner import PortProblem, check_in_child, read_source

    if lesson.name == "server":  # real sockets on 127.0.0.1: the verb's scripted session
        import contextlib
        import io

        from walkthrough import echo
        from walkthrough.cli import UsageError

        head = echo.header(path, args.impl)
        try:  # the header at once, as the verb prints it, but only for a file that parses
            read_source(path)
        except PortProblem as exc:
            return CANNOT_CHECK, str(exc)
        if announce is not None:
            announce(head)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                status = echo.check_verb(argparse.Namespace(
                    lesson=lesson.name, path=path, impl=args.impl, timeout=args.timeout))
        except UsageError as exc:
            return CANNOT_CHECK, str(exc)
        text = out.getvalue().rstrip("\n")
        if announce is not None:  # already shown: the report leaves it out, as check_in_child's
            text = text.removeprefix(head).lstrip("\n")
        return status, text
    try:
        outcome = check_in_child(lesson, path, args.impl, args.timeout, announce=announce)
    except PortProblem as exc:
        return CANNOT_CHECK, str(exc)
    return outcome.status, outcome.text


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext walkthrough.notebook_magic``: register ``%%check``."""
    from IPython.core.error import UsageError

    def check(line: str, cell: str) -> None:
        try:
            args = parse_line(line)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        source = cell_file(line, cell, args.lesson, args.impl)
        status, text = check_source(args, source, functools.partial(print, flush=True))
        if status == CANNOT_CHECK:
            # Not run here either: what stops a check at import (a loop, an os._exit, an
            # exception) would hang the kernel, kill it, or only repeat the report.
            verdict = text if text.startswith("cannot check") else f"cannot check: {text}"
            print(f"{verdict}\n{NOT_RUN}", flush=True)
            return
        print(text, flush=True)
        # Then the cell's own meaning: define its functions for the run cells below; but not
        # its __main__ block, which the check ran as a script and the kernel would run with
        # the kernel's argv (argparse: SystemExit 2).
        run, dropped = without_main_block(cell)
        if dropped:
            print(BLOCK_NOT_RUN, flush=True)
        ipython.run_cell(run, store_history=False)

    check.__doc__ = f"""Check this cell as a port of LESSON, then run it.

    {USAGE}

    The cell is written to a temporary my_LESSON.py and checked as `walkthrough check LESSON
    my_LESSON.py --impl IMPL` would (a child process of the kernel's own Python), the same
    report printed ("this cell" for the file); then the cell runs as usual, but for its
    `if __name__ == "__main__":` block, which is checked, not run. Default --impl: trio."""
    ipython.register_magic_function(check, magic_kind="cell", magic_name="check")
