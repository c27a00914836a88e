"""Learner mode: check your own port of a lesson, Trio or asyncio, against the references.

You write ``my_queue.py`` (start from ``exercises/trio/queue.py``), then::

    walkthrough check queue my_queue.py                  # a Trio port
    walkthrough check queue my_queue.py --impl asyncio   # the notebook's own exercise

Nothing your module does can break the check or your terminal, because it never runs in the
checking process: :func:`check_in_child` starts ``python -m walkthrough.learner`` in a new
session (no controlling terminal, stdin from /dev/null), drains its output into a bounded
buffer, and waits for one of two files the child writes, a JSON result or a progress line.
The child (:func:`child_main`) runs, in order:

1. every reference trace, *before* your module is imported (a monkeypatch cannot reach them);
2. your module's import, then a comparison of ``trio``, ``asyncio`` and ``time`` with what
   they were before it (a replaced ``trio.run`` is named, not silently obeyed);
3. for every parameter set of ``Lesson.all_cases()`` (the shared tests' own), your phases on
   the virtual clock, each under two limits: a *virtual* deadline (:data:`DEADLINE_FACTOR`
   times the reference's duration, at least :data:`MIN_DEADLINE` s), which the autojump clock
   reaches at once if your tasks deadlock; and a *wall-clock* limit, which only a task that
   never reaches a checkpoint can hit, enforced by :mod:`faulthandler` (a C thread that needs
   no cooperation from Python) and reported with the line of your file that was running;
4. the functions the Trio exercise asks for beyond the notebook (:data:`TRIO_EXTRAS`),
   compared with our own Trio twin's.

The report names each distinct cause (an ``ExceptionGroup`` is opened up, and the usual
porting slips get a hint: :data:`HINTS`), shows only lines your program and the reference
printed (control characters escaped, long lines cut: :func:`clean`), and is never
"equivalent" for a function still left as the skeleton's ``raise NotImplementedError``.
The crawler is checked offline against the local demo site (:func:`check_crawler`).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import builtins
import contextlib
import faulthandler
import functools
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.normalise import CONSUMED
from walkthrough.runner import run_phase
from walkthrough.trace import STAMP_DECIMALS, Trace, Verdict

#: A port's async phase may take this many times the reference's virtual duration...
DEADLINE_FACTOR = 10
#: ... and at least this many virtual seconds, before it counts as stuck.
MIN_DEADLINE = 60.0
#: Wall-clock seconds one phase (or the import) of your module may run: only code that never
#: reaches a checkpoint gets near it, since sleeps are virtual. ``check --timeout`` sets it.
WALL_LIMIT = 10.0
#: Extra wall seconds the parent allows the child beyond the limit, to write its report.
GRACE = 5.0
#: Extra wall seconds for the child to start and compute the references, before any note.
SETUP_ALLOWANCE = 60.0
#: Lines one phase of your port may print (the references print at most a few hundred).
MAX_EVENTS = 20_000
#: A report line is cut to this many characters.
LINE_WIDTH = 160
#: Bytes of the child's own stdout/stderr kept (the rest is read and dropped).
KEEP_BYTES = 64 * 1024

#: Exit statuses of ``walkthrough check`` (its --help states them).
EQUIVALENT, NOT_EQUIVALENT, CANNOT_CHECK = 0, 1, 2

#: Functions of a Trio exercise beyond the notebook's phases, compared with trio_port's own.
#: Each entry: (phase label, the function's name in your module, how to call it).
TRIO_EXTRAS: dict[str, tuple[str, ...]] = {
    "queue": ("demo_closing",),
    "asyncgen": ("main_ahead", "mygen_ahead"),
}

#: What a line of a message must look like to get a hint, and the hint. Checked in order.
HINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("trio", re.compile(r"RuntimeError: no running event loop"),
     "an asyncio call left in a Trio port (asyncio.sleep, gather, create_task, "
     "get_running_loop...): asyncio needs its own loop, and Trio's is not one"),
    ("asyncio", re.compile(r"RuntimeError: must be called from async context"),
     "a Trio call left in an asyncio port (trio.sleep, trio.current_time...): it needs a "
     "Trio run, and asyncio's loop is not one"),
    ("", re.compile(r"Trio was expecting an async function, but instead it got a coroutine"),
     "nursery.start_soon(f(x)) calls f too early: pass the function and its arguments, "
     "start_soon(f, x)"),
    ("", re.compile(r"coroutine '.*' was never awaited"),
     "a coroutine function was called without await: its body never ran"),
    ("", re.compile(r"NotImplementedError: write "),
     "this body is still the skeleton's: write it"),
    ("", re.compile(r"WouldBlock"),
     "send_nowait on a full channel: open_memory_channel(0) is a rendezvous, "
     "asyncio.Queue() is unbounded (math.inf)"),
    ("", re.compile(r"EndOfChannel"),
     "a receive after every send channel was closed (and the buffer emptied)"),
    ("", re.compile(r"ClosedResourceError"),
     "a channel used after its own 'async with' (or .close()) closed it"),
    ("", re.compile(r"TypeError: object .* can't be used in 'await' expression"),
     "await on something that is not awaitable: a sync function, or a result"),
    ("", re.compile(r"SystemExit"),
     "sys.exit() ends the whole program: return instead"),
)

#: What a checkpoint is, said once in every message about a wall-clock stop.
CHECKPOINT = (
    "A checkpoint is a point where your task lets the scheduler run other tasks and move the "
    "clock: in Trio every await of a trio function (trio.sleep, a channel's send or receive, "
    "a nursery's end), in asyncio an await that suspends (asyncio.sleep, queue.get...). "
    "Between two checkpoints your code runs alone: a loop with no await in it, or a blocking "
    "call such as time.sleep(), stops every task, and the virtual clock with them.")


class PortProblem(Exception):
    """Your module could not be checked: the message says why and where."""


# -- text that reaches the report ------------------------------------------------------------

def clean(text: str, width: int = LINE_WIDTH) -> str:
    """One report line: control characters escaped (``\\x1b``, ``\\r``...), at most ``width``.

    A port's output must not drive the terminal (clear it, move the cursor, hide text), and a
    line of a million characters must not become the report.
    """
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    line = "".join(out)
    if len(line) > width:
        line = line[:width] + f"... ({len(line) - width} more characters)"
    return line


#: At most this many lines are shown for one instant.
MAX_SHOWN = 8


def _lines(items: list[str] | tuple[str, ...]) -> str:
    shown = [clean(s) for s in items[:MAX_SHOWN]]
    more = f" | ... ({len(items) - MAX_SHOWN} more lines)" if len(items) > MAX_SHOWN else ""
    return (" | ".join(shown) + more) if shown else "(nothing)"


# -- loading ---------------------------------------------------------------------------------

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
            pointer = "\n    " + " " * (exc.offset - 1 - (len(text) - len(text.lstrip()))) + "^"
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

    With ``only`` (what the reference's checked functions reach, :func:`reachable`), just
    those: a skeleton function that no checked phase needs (the asyncio reference's
    notebook-mode ``demo_notebook``) is yours to write or not.
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


def _needed(lesson: catalogue.Lesson, impl: str) -> set[str]:
    """What the reference twin's checked functions reach: the functions a port must write."""
    roots = (*lesson.phases, *(TRIO_EXTRAS.get(lesson.name, ()) if impl == "trio" else ()),
             *(("mygen",) if lesson.name in DRIVERS else ()))
    twin = Path(inspect.getfile(lesson.load(impl)))
    return reachable(twin.read_text(encoding="utf-8"), roots)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def _located(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if _same_file(f.filename, path)]
    if not frames:
        return ""
    f = frames[-1]
    return f"\n    at {path}, line {f.lineno}, in {f.name}: {clean((f.line or '').strip())}"


def _same_file(filename: str, path: Path) -> bool:
    try:
        return Path(filename).resolve() == path.resolve()
    except OSError:
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _where(exc: BaseException, path: Path) -> str:
    """``Type: message (your file, line N: code)``, for the innermost frame in the port."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return clean(_first_line(exc)) + _located(exc, path)


def hint(text: str, impl: str) -> str | None:
    for only, pattern, said in HINTS:
        if only in ("", impl) and pattern.search(text):
            return said
    return None


def causes(exc: BaseException, path: Path, impl: str) -> list[str]:
    """Each distinct cause inside ``exc`` (groups opened), with how many tasks, and a hint."""
    seen: Counter[str] = Counter()
    for leaf in _leaves(exc):
        seen[clean(_first_line(leaf)) + _located(leaf, path)] += 1
    out = []
    for text, n in seen.items():
        tasks = f" ({n} tasks)" if n > 1 else ""
        first, _, rest = text.partition("\n")
        entry = f"  {first}{tasks}" + (f"\n{rest}" if rest else "")
        if (said := hint(first, impl)) is not None:
            entry += f"\n    hint: {said}"
        out.append(entry)
    return out


# -- running a port, guarded -----------------------------------------------------------------

class OutputFlood(BaseException):
    """A phase printed more than :data:`MAX_EVENTS` lines. A BaseException, so that an
    ``except Exception`` in the port cannot swallow it and keep printing."""


class _BoundedEvents(list[Any]):
    def append(self, item: Any) -> None:
        if len(self) >= MAX_EVENTS:
            raise OutputFlood(f"more than {MAX_EVENTS} lines printed")
        super().append(item)


class _Watch:
    """The wall-clock limit and the progress file, shared by every guarded call in the child.

    ``faulthandler.dump_traceback_later`` arms a C watchdog: if the phase is still running
    after ``limit`` seconds it writes every thread's stack to ``dump`` and exits the process,
    whatever the Python code is doing (a busy loop, ``time.sleep``). The parent then reads the
    stack to name the function, and the progress file to name the case and phase.
    """

    def __init__(self, directory: Path, limit: float) -> None:
        self.limit = limit
        self._dump = open(directory / "dump.txt", "w")  # noqa: SIM115 - lives as long as the child
        self._progress = open(directory / "progress.txt", "a", buffering=1)  # noqa: SIM115

    def note(self, where: str) -> None:
        self._progress.write(where.replace("\n", " ") + "\n")
        self._progress.flush()

    @contextlib.contextmanager
    def limited(self, where: str) -> Iterator[None]:
        self.note(where)
        faulthandler.dump_traceback_later(self.limit, exit=True, file=self._dump)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()


@dataclass
class _Guarded:
    """The learner's module with each phase wrapped: errors kept, a deadline on async ones."""

    module: types.ModuleType
    impl: str
    deadlines: dict[str, float]
    errors: dict[str, BaseException] = field(default_factory=dict)

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            limit = self.deadlines.get(phase, MIN_DEADLINE)

            @functools.wraps(fn)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    if self.impl == "trio":
                        with trio.fail_after(limit):
                            return await fn(*args, **kwargs)
                    async with asyncio.timeout(limit):
                        return await fn(*args, **kwargs)
                except BaseException as exc:
                    self.errors[phase] = exc
                    raise

            return guarded_async

        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                self.errors[phase] = exc
                raise

        return guarded


def _extra(module: types.ModuleType, name: str) -> Callable[..., Any]:
    """The callable run for one of :data:`TRIO_EXTRAS` in ``module``."""
    if name != "mygen_ahead":
        return getattr(module, name)  # type: ignore[no-any-return]

    async def mygen_ahead(up_to: int = 10) -> list[int]:
        """mygen_ahead consumed slowly (0.5 s a value): how far ahead it runs shows."""
        got = []
        async with module.mygen_ahead("+", up_to) as powers:
            async for j in powers:
                await trio.sleep(0.5)
                got.append(j)
        return got

    return mygen_ahead


#: Phases ``check`` adds for both frameworks, compared with asyncio_ref's: a consumer that
#: looks at *when* each value arrives, which the lesson's own consumers (they take each value
#: at once) cannot see: a pause moved before the ``yield`` shows only here.
DRIVERS: dict[str, tuple[str, ...]] = {"asyncgen": ("mygen, consumed slowly",)}


def _driver(module: types.ModuleType, name: str, impl: str) -> Callable[..., Any]:
    assert name == "mygen, consumed slowly"

    async def mygen_consumed_slowly(up_to: int = 10) -> list[tuple[int, float]]:
        """Each value of mygen and the virtual instant it arrived; 0.5 s of work on each."""
        now = trio.current_time if impl == "trio" else asyncio.get_running_loop().time
        sleep = trio.sleep if impl == "trio" else asyncio.sleep
        start, got = now(), []
        async for j in module.mygen("+", up_to):
            got.append((j, round(now() - start, 3)))
            await sleep(0.5)
        got.append((-1, round(now() - start, 3)))  # when the generator said it was done
        return got

    return mygen_consumed_slowly


def phases_of(lesson: catalogue.Lesson, module: types.ModuleType,
              impl: str) -> list[tuple[str, Callable[..., Any]]]:
    found = [(p, getattr(module, p)) for p in lesson.phases]
    if callable(getattr(module, "mygen", None)):
        found += [(d, _driver(module, d, impl)) for d in DRIVERS.get(lesson.name, ())]
    if impl == "trio":
        found += [(e, _extra(module, e)) for e in TRIO_EXTRAS.get(lesson.name, ())
                  if callable(getattr(module, e, None))]
    return found


def run_port(lesson: catalogue.Lesson, impl: str, phases: list[tuple[str, Callable[..., Any]]],
             params: dict[str, Any], *, watch: _Watch | None = None,
             where: str = "") -> Trace:
    """Run ``phases`` on the virtual clock into one trace (bounded), as ``run_lesson`` does."""
    trace = Trace(impl=impl, lesson=lesson.name)
    trace.events = _BoundedEvents()
    merged = {**lesson.params, **params}
    for phase, fn in phases:
        cm = watch.limited(f"{where}phase {phase}") if watch else contextlib.nullcontext()
        with cm:
            try:
                run_phase(trace, phase, fn, impl, merged, virtual=True, tee=None)
            except OutputFlood:
                trace.outcomes[phase] = f"raised OutputFlood: more than {MAX_EVENTS} lines"
    return trace


# -- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseResult:
    params: dict[str, Any]
    verdict: Verdict
    expected: Trace
    got: Trace
    #: Each distinct cause your port raised in the diverging phase, located in your file.
    error: str | None = None


@dataclass
class Report:
    lesson: catalogue.Lesson
    path: Path
    impl: str = "trio"
    results: list[CaseResult] = field(default_factory=list)
    #: How many parameter sets there are; ``results`` stops at the first that diverges.
    total: int = 0
    #: Functions still left as the skeleton's ``raise NotImplementedError``.
    unfinished: list[str] = field(default_factory=list)
    #: Problems found outside any phase (a thread left running, warnings).
    notes: list[str] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return (all(r.verdict.equivalent for r in self.results) and not self.unfinished
                and not self.notes)

    def describe(self) -> str:
        """The whole report, in words: each case, then the first divergence explained."""
        n = self.total or len(self.results)
        kind = "Trio" if self.impl == "trio" else "asyncio"
        lines = [f"checking {self.path} ({kind} port) against asyncio_ref/{self.lesson.name}.py "
                 f"({n} parameter set{'s' if n != 1 else ''}, on the virtual clock)"]
        first: CaseResult | None = None
        for k, r in enumerate(self.results, 1):
            state = "equivalent" if r.verdict.equivalent else "NOT equivalent"
            lines.append(f"  case {k}/{n} {_params(r.params)}: {state}")
            if first is None and not r.verdict.equivalent:
                first = r
        if len(self.results) < n:
            lines.append(f"  (cases {len(self.results) + 1}-{n} not run: fix this one first)"
                         if len(self.results) + 1 < n else
                         f"  (case {n} not run: fix this one first)")
        if first is not None:
            lines.append("")
            lines.extend(self._divergence(first))
        if self.unfinished:
            lines.append("NOT equivalent: still the skeleton's 'raise NotImplementedError' "
                         f"(write {'it' if len(self.unfinished) == 1 else 'them'}): "
                         + ", ".join(self.unfinished))
        lines.extend(self.notes)
        if self.equivalent:
            extras = TRIO_EXTRAS.get(self.lesson.name, ()) if self.impl == "trio" else ()
            if extras:
                lines.append(f"  (in each case also {', '.join(extras)}, Trio only, against "
                             f"trio_port/{self.lesson.name}.py)")
            lines.append("equivalent: your port prints the same lines at the same virtual "
                         "times as the reference, in every case.")
        return "\n".join(lines)

    def _divergence(self, first: CaseResult) -> list[str]:
        d = first.verdict.divergence
        assert d is not None
        extra = d.phase in TRIO_EXTRAS.get(self.lesson.name, ())
        prefix = f"with {_params(first.params)}: " if first.params else ""
        where = f"in phase {d.phase!r}" + (f" at t={d.time:.2f}s" if d.time is not None else "")
        reason = d.reason
        ledger = any(s.startswith("(ledger)") for s in (*d.expected, *d.got))
        if ledger:
            reason = "the jobs put at this instant were not consumed as in the reference"
        lines = [f"{prefix}first divergence {where}: {reason}"]
        if d.phase in DRIVERS.get(self.lesson.name, ()):
            lines.append("  (this phase is the check's own consumer of your mygen: each value "
                         "with the virtual time it arrived, 0.5 s of work after each)")
        if extra:
            lines.append(f"  ({d.phase} is Trio only: the reference is "
                         f"trio_port/{self.lesson.name}.py)")
        if self.lesson.normalise is None or d.time is None:
            # The lines themselves: yours and the reference's, as printed.
            if d.expected:
                lines.append("  expected: " + _lines(d.expected))
            if d.got:
                lines.append("  got:      " + _lines(d.got))
        if d.time is not None:
            who_ref = "the reference"
            for who, trace in ((who_ref, first.expected), ("your port", first.got)):
                said = trace.at(d.phase, d.time)
                if ledger:
                    said = said + _consumed_from(trace, d.phase, d.time)
                lines.append(f"  at t={d.time:.2f}s {who} printed: {_lines(said)}")
            if ledger:
                lines.append("  (lines taking a job put at this instant are listed with it)")
            lines.append("  (t is virtual time: seconds since the phase began, the same clock "
                         "for both versions)")
        if first.error:
            lines.append(first.error)
        return lines


def _consumed_from(trace: Trace, phase: str, put: float) -> list[str]:
    """Consumer lines (raw, as printed) that took a job put at ``put``."""
    out = []
    for e in trace.events:
        m = CONSUMED.fullmatch(e.text) if e.phase == phase and e.newline else None
        if m is None:
            continue
        with contextlib.suppress(ValueError):
            same = round(e.time, STAMP_DECIMALS) == round(put, STAMP_DECIMALS)  # shown already
            if not same and round(e.time - float(m["waited"]),
                                  STAMP_DECIMALS) == round(put, STAMP_DECIMALS):
                out.append(f"{e.text} (at t={e.time:.2f}s)")
    return out


def _params(params: dict[str, Any]) -> str:
    if not params:
        return "(no parameters)"
    return "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"


def references(lesson: catalogue.Lesson, impl: str) -> list[Trace]:
    """The expected trace of every case: asyncio_ref's phases, then trio_port's extras."""
    out = []
    ref = lesson.load("asyncio")
    twin = lesson.load("trio") if impl == "trio" and lesson.name in TRIO_EXTRAS else None
    for params in lesson.all_cases():
        trace = run_port(lesson, "asyncio", phases_of(lesson, ref, "asyncio"), params)
        if twin is not None:
            extra = run_port(lesson, "trio", [(e, _extra(twin, e))
                                              for e in TRIO_EXTRAS[lesson.name]], params)
            trace.events.extend(extra.events)
            trace.outcomes.update(extra.outcomes)
            trace.durations.update(extra.durations)
        out.append(trace)
    return out


def check(lesson: catalogue.Lesson, module: types.ModuleType, path: Path,
          *, impl: str = "trio", stop_at_first: bool = True,
          expected: list[Trace] | None = None, watch: _Watch | None = None,
          source: str | None = None) -> Report:
    """Run every shared case against the reference; stop at the first that diverges.

    In-process: use :func:`check_in_child` for a module you do not trust.
    """
    cases = lesson.all_cases()
    expected = expected if expected is not None else references(lesson, impl)
    report = Report(lesson, path, impl, total=len(cases))
    if source is not None:
        report.unfinished = [name for name in unfinished(source, _needed(lesson, impl))
                             if name in {n for n, _ in _defs(module)}]
    if impl == "trio":
        for name in TRIO_EXTRAS.get(lesson.name, ()):
            if not callable(getattr(module, name, None)):
                report.notes.append(f"NOT equivalent: the Trio exercise also asks for {name} "
                                    f"(see exercises/trio/{lesson.name}.py); your module has "
                                    "none")
    for k, (params, want) in enumerate(zip(cases, expected, strict=True), 1):
        deadlines = {p: max(MIN_DEADLINE, DEADLINE_FACTOR * want.durations.get(p, 0.0))
                     for p in want.durations}
        guard = _Guarded(module, impl, deadlines)
        phases = [(p, guard.wrap(p, fn)) for p, fn in phases_of(lesson, module, impl)]
        got = run_port(lesson, impl, phases, params, watch=watch,
                       where=f"case {k}/{len(cases)} {_params(params)}, ")
        verdict = lesson.compare(want, got)
        error = None
        if not verdict.equivalent and verdict.divergence is not None:
            phase = verdict.divergence.phase
            exc = guard.errors.get(phase)
            flood = got.outcomes.get(phase, "").startswith("raised OutputFlood")
            if flood:
                error = (f"your port printed more than {MAX_EVENTS} lines in phase {phase!r} "
                         f"and was stopped there (the reference prints "
                         f"{len(want.lines(phase))}): a print in a loop that never ends?")
            elif isinstance(exc, trio.TooSlowError | TimeoutError):
                error = (f"your port was still running after {deadlines.get(phase, 0):g} "
                         f"virtual seconds in phase {phase!r} and was stopped there "
                         "(a deadlock? a nursery whose children never end? a consumer "
                         "never stopped?)")
            elif exc is not None:
                error = "your port raised:\n" + "\n".join(causes(exc, path, impl))
        report.results.append(CaseResult(params, verdict, want, got, error))
        if stop_at_first and not verdict.equivalent:
            break
    return report


def _defs(module: types.ModuleType) -> list[tuple[str, object]]:
    return [(n, v) for n, v in vars(module).items() if inspect.isfunction(v)]


# -- the crawler, offline --------------------------------------------------------------------

#: The lines a crawl prints, and the event each stands for: the normalisation of
#: tests/test_crawler.py (an error keeps its category; the libraries word it differently).
CRAWL_FORMS = (
    (re.compile(r"Got response \[(\d+)\] for URL: (\S+)$"), "got {0}"),
    (re.compile(r"Found (\d+) links for (\S+)$"), "found {0}"),
    (re.compile(r"Wrote results for source URL: ()(\S+)$"), "wrote"),
    (re.compile(r"Error \[([a-z-]+)\] for URL: (\S+) - .+$"), "error {0}"),
)
#: Seconds per URL and bytes per body for the offline check (the demo site is local).
CRAWL_TIMEOUT, CRAWL_MAX_BYTES, CRAWL_PAGES = 5.0, 50_000, 30


#: A link dropped by ``parse`` (it would break a TSV row): compared as printed.
BAD_LINK = re.compile(r"Error parsing URL: (.+)$")


def crawl_events(lines: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Per URL, its events in order; and the other lines, sorted ("Error parsing URL")."""
    by_url: dict[str, list[str]] = {}
    other = []
    for line in lines:
        for form, event in CRAWL_FORMS:
            if m := form.match(line):
                by_url.setdefault(m[2], []).append(event.format(m[1]))
                break
        else:
            other.append(line)
    return by_url, sorted(other)


def _crawl(module: types.ModuleType, impl: str, urls: list[str], out: Path) -> tuple[str,
                                                                                      list[str]]:
    import io

    out.write_text("source_url\tparsed_url\n", encoding="utf-8")
    crawl = functools.partial(module.bulk_crawl_and_write, out, list(urls), concurrency=8,
                              url_timeout=CRAWL_TIMEOUT, max_bytes=CRAWL_MAX_BYTES)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if impl == "asyncio":
            asyncio.run(crawl())
        else:
            trio.run(crawl)
    return out.read_text(encoding="utf-8"), printed.getvalue().splitlines()


def check_crawler(module: types.ModuleType, path: Path, impl: str, workdir: Path,
                  watch: _Watch | None = None) -> tuple[int, str]:
    """Crawl the local demo site with asyncio_ref's crawler and with ``module``; compare.

    What must match: the TSV's header, its rows (as a set: pages finish in any order), and
    per URL the same events in the same order, an error by its category only.
    """
    from walkthrough.demosite import DemoSite

    with DemoSite(pages=CRAWL_PAGES, big_bytes=4 * CRAWL_MAX_BYTES) as site:
        urls = site.page_urls() + [site.url(p) for p in _faults()] + [site.refused_url]
        ref_tsv, ref_lines = _crawl(catalogue.get("crawler").load("asyncio"), "asyncio", urls,
                                    workdir / "reference.tsv")
        head = [f"checking {path} ({'Trio' if impl == 'trio' else 'asyncio'} port) against "
                f"asyncio_ref/crawler.py: {len(urls)} URLs of the local demo site "
                f"({site.base_url})"]
        cm = watch.limited("crawl") if watch else contextlib.nullcontext()
        try:
            with cm:
                tsv, lines = _crawl(module, impl, urls, workdir / "yours.tsv")
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return NOT_EQUIVALENT, "\n".join(
                [*head, "NOT equivalent: your crawl raised:", *causes(exc, path, impl)])
    problems = []
    if tsv.splitlines()[:1] != ref_tsv.splitlines()[:1]:
        problems.append(f"the TSV's header: expected {clean(ref_tsv.splitlines()[0])!s}, "
                        f"got {_lines(tsv.splitlines()[:1])}")
    want_rows, got_rows = Counter(ref_tsv.splitlines()[1:]), Counter(tsv.splitlines()[1:])
    for row in sorted((want_rows - got_rows).elements())[:5]:
        problems.append(f"a row is missing: {clean(row)}")
    for row in sorted((got_rows - want_rows).elements())[:5]:
        problems.append(f"a row that should not be there: {clean(row)}")
    want_events, want_other = crawl_events(ref_lines)
    got_events, other = crawl_events(lines)
    for url in list(dict.fromkeys([*want_events, *got_events])):
        if want_events.get(url) != got_events.get(url):
            mine = [s for s in lines if url in s]
            problems.append(f"for {clean(url)}: expected events "
                            f"{', '.join(want_events.get(url, [])) or '(none)'}; your port "
                            f"printed: {_lines(mine)}")
    for line in sorted((Counter(want_other) - Counter(other)).elements())[:3]:
        problems.append(f"a line is missing: {clean(line)}")
    for line in sorted((Counter(other) - Counter(want_other)).elements())[:3]:
        problems.append(f"a line that should not be there: {clean(line)}")
    if problems:
        return NOT_EQUIVALENT, "\n".join(
            [*head, f"NOT equivalent ({len(problems)} difference"
             f"{'s' if len(problems) != 1 else ''}; the first 10):",
             *(f"  {p}" for p in problems[:10])])
    return EQUIVALENT, "\n".join(
        [*head, f"equivalent: the same {len(want_rows)} rows and the same events for every "
                "URL (an error compared by its category)."])


def _faults() -> tuple[str, ...]:
    from walkthrough.demosite import FAULTS

    return FAULTS


# -- the child process -----------------------------------------------------------------------

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
                text += ("\nNOT equivalent: still the skeleton's 'raise NotImplementedError': "
                         + ", ".join(left))
        else:
            report = check(lesson, module, path, impl=impl, expected=expected, watch=watch,
                           source=path.read_text(encoding="utf-8"))
            watch.note("done")
            _gc_and_collect()
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
            seen = list(dict.fromkeys(caught))
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


# -- the parent: run the child, never hang, say what happened ---------------------------------

@dataclass
class Outcome:
    status: int
    text: str


class _Drain(threading.Thread):
    """Read a pipe to its end, keeping the first :data:`KEEP_BYTES` (a flood cannot block
    the child on a full pipe, nor fill the parent's memory)."""

    def __init__(self, pipe: Any) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        while chunk := self.pipe.read(65536):
            self.total += len(chunk)
            if len(self.kept) < KEEP_BYTES:
                self.kept += chunk[:KEEP_BYTES - len(self.kept)]


@contextlib.contextmanager
def _terminal_kept() -> Iterator[None]:
    """Restore the terminal's mode afterwards, whatever happened (belt and braces: the child
    has no controlling terminal, so it cannot put ours in raw mode in the first place)."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (ImportError, OSError, ValueError, AttributeError):
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            with contextlib.suppress(OSError):
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own group: its children too
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def check_in_child(lesson: catalogue.Lesson, path: Path, impl: str = "trio",
                   limit: float = WALL_LIMIT) -> Outcome:
    """Check ``path`` in a child process; an :class:`Outcome` whatever the child does."""
    read_source(path)  # unreadable or not Python: say so before starting anything
    root = Path(__file__).resolve().parents[2]  # walkthrough/learner/ -> the project
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "default"}
    with tempfile.TemporaryDirectory(prefix="walkthrough-check-") as raw, _terminal_kept():
        workdir = Path(raw)
        proc = subprocess.Popen(
            [sys.executable, "-m", "walkthrough.learner", lesson.name, impl,
             str(path.resolve()), str(path), raw, repr(limit)],
            cwd=os.getcwd(),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=env)
        drains = [_Drain(proc.stdout), _Drain(proc.stderr)]
        for d in drains:
            d.start()
        progress = workdir / "progress.txt"
        stuck = False
        try:
            started = time.monotonic()
            while proc.poll() is None:
                time.sleep(0.05)
                try:
                    info = progress.stat()
                    quiet, noted = time.time() - info.st_mtime, info.st_size > 0
                except FileNotFoundError:
                    quiet, noted = time.monotonic() - started, False
                # Before the first note the child is starting up and running the references
                # (our code, not yours): slow only on a loaded machine, so allow more.
                if quiet > limit + GRACE + (0 if noted else SETUP_ALLOWANCE):
                    stuck = True
                    _kill(proc)
        finally:
            if proc.poll() is None:
                _kill(proc)
            for d in drains:
                d.join(5)
                d.pipe.close()
        return _interpret(proc.returncode, workdir, path, stuck, limit, drains[1])


def _interpret(rc: int, workdir: Path, path: Path, stuck: bool, limit: float,
               stderr: _Drain) -> Outcome:
    result = workdir / "result.json"
    if result.exists():
        data = json.loads(result.read_text(encoding="utf-8"))
        return Outcome(int(data["status"]), str(data["text"]))
    steps = (workdir / "progress.txt").read_text(encoding="utf-8").splitlines() \
        if (workdir / "progress.txt").exists() else []
    where = steps[-1] if steps else "before your module was imported"
    at_import = where == "import"
    status = CANNOT_CHECK if at_import else NOT_EQUIVALENT
    place = "while it was being imported" if at_import else f"in {where}"
    dump = (workdir / "dump.txt").read_text(encoding="utf-8", errors="replace") \
        if (workdir / "dump.txt").exists() else ""
    verdict = "cannot check" if at_import else "NOT equivalent"
    if dump.startswith("Timeout") or stuck:
        func, line = _running(dump, path)
        what = f"{func} ({path}, line {line})" if func else "your code"
        text = [f"{verdict}: your port was stopped {place}, after {limit:g} s of wall-clock "
                f"time: {what} never reached a checkpoint."]
        code = _source_line(path, line) if line else ""
        if code:
            text.append(f"    {line}: {clean(code.strip())}")
        text.extend(textwrap.wrap(CHECKPOINT, 92, initial_indent="  ", subsequent_indent="  "))
        if "time.sleep" in code:
            text.append("  hint: time.sleep blocks the whole thread; await trio.sleep(...) "
                        "(or asyncio.sleep) lets the others run")
        elif at_import:
            text.append("  hint: code at the top level of a module runs when it is imported: "
                        "put it in a function, or under 'if __name__ == \"__main__\":'")
        return Outcome(status, "\n".join(text))
    if rc is not None and rc < 0:
        try:
            signame = signal.Signals(-rc).name
        except ValueError:
            signame = f"signal {-rc}"
        return Outcome(status, f"{verdict}: the process running your port was killed by "
                               f"{signame} {place}.")
    tail = bytes(stderr.kept).decode("utf-8", "replace").strip().splitlines()[-3:]
    said = "".join(f"\n    {clean(s)}" for s in tail)
    return Outcome(status, f"{verdict}: your port ended the process with exit status {rc} "
                           f"{place} (os._exit? a crash?): a module or a phase must return, "
                           "never end the program." + (f"\n  it said:{said}" if said else ""))


def _running(dump: str, path: Path) -> tuple[str, int]:
    """From a faulthandler dump: the innermost frame in ``path`` of the main thread."""
    frame = re.compile(r'^\s*File "(?P<file>.*)", line (?P<line>\d+) in (?P<func>.*)$')
    blocks = dump.split("\n\n")
    # The main thread is the one running the checker itself.
    blocks.sort(key=lambda b: "walkthrough/learner/" not in b.replace(os.sep, "/"))
    for block in blocks:
        for text in block.splitlines():  # most recent call first
            m = frame.match(text)
            if m and _same_file(m["file"], path):
                return ("the module's top level" if m["func"] == "<module>" else m["func"],
                        int(m["line"]))
    return "", 0


def _source_line(path: Path, line: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _parse(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m walkthrough.learner")
    parser.add_argument("args", nargs=6)
    return list(parser.parse_args(argv).args)
