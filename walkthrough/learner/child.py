"""The child side: ``python -m walkthrough.learner ...`` runs :func:`child_main`.

In order: every reference trace (before the port is imported, so a monkeypatch cannot reach
them), the port's import under the wall-clock watch, a check that trio, asyncio, time and
builtins are what they were (:data:`WATCHED`), then the cases (or the offline crawl), and
last the problems found outside any phase (threads left running, warnings; not the
never-awaited coroutine of a body still the skeleton's: :func:`.skeleton.stub_warning`). The
report is written after the :data:`.guard.REPORTING` note: from there on the time is the
checker's, and the supervisor never blames the port for it. The result goes
to ``result.json`` in the work folder, written atomically, and the process ends with
``os._exit``: the port's threads and ``atexit`` hooks cannot hold it.

Separate because this code runs in the same process as the learner's, and the supervisor
(:mod:`.supervise`) in another: nothing here may assume the parent's state, nor the reverse.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import json
import os
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.learner import script
from walkthrough.learner.compare import check, references
from walkthrough.learner.crawler import check_crawler, short_of_unfinished
from walkthrough.learner.explain import clean, hint
from walkthrough.learner.guard import REPORTING, _Watch
from walkthrough.learner.loading import PortProblem, load
from walkthrough.learner.report import (
    CANNOT_CHECK,
    EQUIVALENT,
    NOT_EQUIVALENT,
    unfinished_note,
)
from walkthrough.learner.skeleton import _needed, stub_warning, unfinished

#: Modules a port must not change: a check of a program that rewired them proves nothing.
WATCHED = ("trio", "trio.testing", "asyncio", "time", "builtins")


def _snapshot() -> dict[str, dict[str, int]]:
    mods = {"trio": trio, "trio.testing": trio.testing, "asyncio": asyncio, "time": time,
            "builtins": builtins}
    return {name: {k: id(v) for k, v in vars(m).items() if not k.startswith("_")}
            for name, m in mods.items()}


def _changed(before: dict[str, dict[str, int]]) -> list[str]:
    after = _snapshot()
    return [f"{mod}.{k}" for mod, names in before.items() for k, ident in names.items()
            if after[mod].get(k) != ident]


def child_main(argv: list[str]) -> None:
    """``python -m walkthrough.learner LESSON IMPL PATH SHOWN WORKDIR LIMIT``: check, write JSON.

    PATH is the file's absolute path; SHOWN, the path as the learner typed it (for messages).
    """
    name, impl, raw_path, shown, raw_dir, raw_limit = argv
    lesson, workdir = catalogue.get(name), Path(raw_dir)
    path = Path(shown) if Path(shown).resolve() == Path(raw_path) else Path(raw_path)
    watch = _Watch(workdir, float(raw_limit))
    caught: list[str] = []

    def showwarning(message: Warning | str, category: type[Warning], filename: str,
                    lineno: int, file: Any = None, line: str | None = None) -> None:
        caught.append(f"{category.__name__}: {message}")

    warnings.simplefilter("default")
    warnings.showwarning = showwarning
    result: dict[str, Any]
    try:
        expected = None if lesson.real_io else references(lesson, impl)
        scripts = script.references(lesson, impl)  # item 8: python -m, the defaults
        before = _snapshot()
        sys.path.insert(0, str(Path(raw_path).parent))
        with watch.limited("import"):
            module = load(path, lesson, impl)
        if changed := _changed(before):
            raise PortProblem(f"importing {path} replaced {', '.join(changed[:5])}: the check "
                              "cannot trust a program that rewires the framework it runs on")
        if lesson.real_io:
            status, text = check_crawler(module, path, impl, workdir, watch)
            if left := unfinished(path.read_text(encoding="utf-8"), _needed(lesson, impl)):
                status = NOT_EQUIVALENT
                text = short_of_unfinished(text) + "\n" + unfinished_note(left)
        else:
            report = check(lesson, module, path, impl=impl, expected=expected, watch=watch,
                           source=path.read_text(encoding="utf-8"))
            script.check(report, module, path, impl, scripts, watch)
            # The collection may run the port's own code (a __del__, an async generator's
            # finally): still under the watch. After it, only the checker's work is left: the
            # note tells the supervisor so, which gives it a limit of its own (F2: three lines
            # of 10 MB were reported as a busy loop "in done" while the report was written).
            with watch.limited("garbage collection, after your port ran"):
                _gc_and_collect()
            watch.note(REPORTING)
            if changed := _changed(before):
                report.notes.append(f"NOT equivalent: your port replaced "
                                    f"{', '.join(changed[:5])} while it ran")
            left = [t.name for t in threading.enumerate()
                    if t is not threading.main_thread() and not t.daemon and t.is_alive()]
            if left:
                report.notes.append(
                    f"NOT equivalent: your module left {len(left)} thread(s) running "
                    f"({', '.join(clean(n, 40) for n in left[:3])}): the real program would "
                    "never exit (a non-daemon thread keeps Python alive)")
            # Not the learner's slip: the coroutine of a body still the skeleton's (F5).
            stubs = set(unfinished(path.read_text(encoding="utf-8")))
            seen = [w for w in dict.fromkeys(caught) if not stub_warning(w, stubs)]
            for w in seen[:5]:
                said = hint(w, impl)
                report.notes.append(f"warning from your port: {clean(w)}" +
                                    (f"\n    hint: {said}" if said else ""))
            text = report.describe()
            status = EQUIVALENT if report.equivalent else NOT_EQUIVALENT
        result = {"status": status, "text": text}
    except PortProblem as exc:
        result = {"status": CANNOT_CHECK, "text": str(exc)}
    tmp = workdir / "result.tmp"
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(workdir / "result.json")
    sys.stdout.flush()
    os._exit(0)  # no atexit, no waiting for the port's threads: the result is written


def _gc_and_collect() -> None:
    """Collect garbage now, so that "coroutine was never awaited" warnings are emitted."""
    import gc

    gc.collect()


def _parse(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m walkthrough.learner")
    parser.add_argument("args", nargs=6)
    return list(parser.parse_args(argv).args)
