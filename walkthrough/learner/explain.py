"""Explaining: what reaches the report, in words a learner understands.

It owns the text side of every message: :func:`clean` (control characters escaped, long
lines cut, so a port's output cannot drive the terminal), an exception's first line located
at the learner's own file (:func:`_where`, :func:`_located`), each distinct cause inside an
``ExceptionGroup`` (:func:`causes`), and the hints for the usual porting slips
(:data:`HINTS`, :data:`CHECKPOINT`).

Separate because every other job (loading, guarding, the crawler, the supervisor) speaks
through it, and because it runs nothing: it only turns what happened into words, so the
wording of a hint can change without touching how a port is run.
"""

from __future__ import annotations

import re
import traceback
from collections import Counter
from pathlib import Path

#: A report line is cut to this many characters.
LINE_WIDTH = 160

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
