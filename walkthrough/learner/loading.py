"""Loading a port: read the learner's file, then import it as a module of its own.

:func:`read_source` runs nothing (the supervisor calls it first, in the checking process, so
an unreadable file or a syntax error is said before any child starts); :func:`load` *runs*
the file, so only the child calls it. Either way a file that cannot be checked becomes a
:class:`PortProblem` with a message that says why and where, never a traceback.

Separate because it is the one place where the learner's code starts to run, and the
boundary between "cannot check" (exit status 2) and a verdict.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from walkthrough import catalogue
from walkthrough.learner.explain import _located, _where, clean


class PortProblem(Exception):
    """Your module could not be checked: the message says why and where."""


def read_source(path: Path) -> str:
    """The file's text, if it is readable Python; a :class:`PortProblem` otherwise.

    Safe to call in the checking process: nothing of the file is run.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise PortProblem(f"{path} is a directory: give the path of your .py file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PortProblem(f"cannot read {path}: {reason}") from None
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        where = f"{path}, line {exc.lineno}" if exc.lineno else str(path)
        text = (exc.text or "").rstrip("\n")
        pointer = ""
        if text and exc.offset:
            before = text.lstrip()[:max(exc.offset - 1 - (len(text) - len(text.lstrip())), 0)]
            # The line is shown with its control characters escaped (clean): the caret moves
            # right by what the escapes add before the place, so it stays under it.
            pointer = "\n    " + " " * len(clean(before, width=10 * len(before))) + "^"
        shown = f"\n    {clean(text.strip())}{pointer}" if text else ""
        raise PortProblem(f"{where}: syntax error: {exc.msg}{shown}") from None
    return source


def required(lesson: catalogue.Lesson, impl: str) -> tuple[str, ...]:
    """The functions your module must have: the lesson's phases (the notebook's last cell).

    The Trio exercise's extras (:data:`TRIO_EXTRAS`) are checked when present; a missing one
    makes the report "NOT equivalent" (it is part of the exercise), not a load error.
    """
    return lesson.phases


def load(path: Path, lesson: catalogue.Lesson, impl: str = "trio") -> types.ModuleType:
    """Import the learner's file as a module of its own; a :class:`PortProblem` if it can't.

    This *runs* the file: :func:`check_in_child` calls it in a child process only.
    """
    source = read_source(path)
    code = compile(source, str(path), "exec")
    name = f"learner_{lesson.name}_port"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses and typing look their module up here
    try:
        exec(code, module.__dict__)
    except BaseException as exc:
        del sys.modules[name]
        if isinstance(exc, KeyboardInterrupt):
            raise
        if isinstance(exc, SystemExit):
            raise PortProblem(
                f"{path} calls sys.exit({exc.code!r}) when it is imported: a module that "
                "exits at import cannot be checked (put the call under "
                "'if __name__ == \"__main__\":')" + _located(exc, path)) from None
        raise PortProblem(f"importing {path} raised {_where(exc, path)}") from None
    missing = [p for p in required(lesson, impl) if not callable(getattr(module, p, None))]
    if missing:
        twin = f"{catalogue.PACKAGES[impl]}/{lesson.name}.py"
        raise PortProblem(
            f"{path} has no function {', '.join(missing)}: lesson {lesson.name!r} runs "
            f"{', '.join(required(lesson, impl))} (the same names as {twin})")
    return module
