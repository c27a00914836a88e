"""Unfinished bodies: functions still left as the skeleton's ``raise NotImplementedError``.

A skeleton's function that raises ``NotImplementedError`` would make a port fail in a way
that can look like an error of the learner's; worse, a phase nobody calls would pass. So the
report is never "equivalent" while a function that the reference's checked phases reach, or
its script (its ``if __name__ == "__main__":`` block), is still the skeleton's (:func:`_needed`,
by :func:`reachable` over the twin's source). The script's part matters where the check does
not run all of it: the crawler's check crawls with ``bulk_crawl_and_write``, and its ``crawl``
and ``_until_ctrl_c`` (Ctrl-C, the exit statuses), which only ``main`` reaches, used to pass
as the skeleton's raise (review F1 of docs/lessons/crawler.md).

Separate because it reads source with :mod:`ast` and runs nothing: it is a static question
about the file, asked of the reference twin and of the port alike.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from walkthrough import catalogue
from walkthrough.learner.phases import DRIVERS, TRIO_EXTRAS
from walkthrough.learner.script import NOTEBOOK_MODE, main_blocks


def reachable(source: str, roots: tuple[str, ...]) -> set[str]:
    """The functions of ``source`` that ``roots`` reach by name, the roots included."""
    defs = {node.name: node for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    reach: set[str] = set()
    todo = [r for r in roots if r in defs]
    while todo:
        name = todo.pop()
        if name not in reach:
            reach.add(name)
            todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name)
                     and n.id in defs and n.id not in reach]
    return reach


def unfinished(source: str, only: set[str] | None = None) -> list[str]:
    """Functions whose whole body is still a ``raise NotImplementedError``: the skeleton's.

    With ``only`` (what the reference's checked functions and its script reach,
    :func:`_needed`), just those: a skeleton function that neither needs (the asyncio
    reference's notebook-mode ``demo_notebook``) is yours to write or not.
    """
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
                exc = body[0].exc
                target = exc.func if isinstance(exc, ast.Call) else exc
                if (isinstance(target, ast.Name) and target.id == "NotImplementedError"
                        and (only is None or node.name in only)):
                    names.append(node.name)
    return names


#: Python's warning for a coroutine collected before it ran; the name is its ``__qualname__``.
NEVER_AWAITED = re.compile(r"coroutine '(?:[^']*\.)?(?P<name>[^'.]+)' was never awaited")


def stub_warning(warning: str, stubs: set[str] | list[str]) -> bool:
    """Whether ``warning`` is a never-awaited coroutine of a function still the skeleton's.

    A skeleton's ``async def`` whose body is only ``raise NotImplementedError`` has no
    ``yield``: it is a coroutine function, not the async generator it will be once written,
    so a consumer's ``async for x in mygen()`` makes a coroutine that nothing awaits, and
    Python warns "coroutine 'mygen' was never awaited". That is the unfinished body, which
    the report names already (:func:`unfinished`), not a call the learner forgot to await.
    """
    m = NEVER_AWAITED.search(warning)
    return m is not None and m["name"] in stubs


def _needed(lesson: catalogue.Lesson, impl: str) -> set[str]:
    """What the reference twin's checked functions reach, and what its script runs (the
    names its ``if __name__ == "__main__":`` block calls, but the optional notebook mode,
    :data:`.script.NOTEBOOK_MODE`): the functions a port must write."""
    twin = Path(inspect.getfile(lesson.load(impl))).read_text(encoding="utf-8")
    script = [n.id for block in main_blocks(twin) for n in ast.walk(block)
              if isinstance(n, ast.Name) and n.id != NOTEBOOK_MODE[0]]
    roots = (*lesson.phases, *(TRIO_EXTRAS.get(lesson.name, ()) if impl == "trio" else ()),
             *(("mygen",) if lesson.name in DRIVERS else ()), *script)
    return reachable(twin, roots)
