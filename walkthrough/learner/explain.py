"""Explaining: what reaches the report, in words a learner understands.

It owns the text side of every message: :func:`clean` (control characters escaped, long
lines cut, so a port's output cannot drive the terminal), an exception's first line located
at the learner's own file (:func:`_where`, :func:`_located`), each distinct cause inside an
``ExceptionGroup`` (:func:`causes`), and the hints for the usual porting slips
(:data:`HINTS`, :data:`CHECKPOINT`), including the likeliest slip of all, a file written for
the other framework than ``--impl`` says (:func:`framework_slip`). Colour codes in the lines
a port and the reference printed are kept apart from every other control character, and
shown as colours on a terminal or by name otherwise (:func:`render`), never as escapes.

Separate because every other job (loading, guarding, the crawler, the supervisor) speaks
through it, and because it runs nothing: it only turns what happened into words, so the
wording of a hint can change without touching how a port is run.
"""

from __future__ import annotations

import ast
import re
import traceback
from collections import Counter
from pathlib import Path

#: A report line is cut to this many characters.
LINE_WIDTH = 160
#: An exception's own message is cut later: Trio's and asyncio's say what went wrong in their
#: last words ("Are you trying to use a library written for ... asyncio?").
ERROR_WIDTH = 480

#: What a line of a message must look like to get a hint, and the hint. Checked in order.
HINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("trio", re.compile(r"RuntimeError: no running event loop"),
     "an asyncio call left in a Trio port (asyncio.sleep(n) with n > 0, create_task, "
     "wait_for, timeout, get_running_loop...): asyncio needs its own loop, and Trio's is "
     "not one"),
    ("asyncio", re.compile(r"RuntimeError: must be called from async context"),
     "a Trio call left in an asyncio port (trio.sleep(n) with n > 0, trio.current_time, a "
     "channel's send or receive...): it needs a Trio run, and asyncio's loop is not one"),
    ("trio", re.compile(r"trio\.run received unrecognized yield message"),
     "an asyncio await left in a Trio port (asyncio.sleep(0), gather, a Future...): "
     "Trio's loop cannot run what asyncio's awaitables ask of theirs"),
    ("trio", re.compile(r"'NoneType' object has no attribute 'create_future'"),
     "an asyncio primitive that has to wait, left in a Trio port (an asyncio.Queue's get on "
     "an empty queue, an asyncio.Event's wait, a held asyncio.Lock's acquire...): it asks "
     "asyncio's running loop for a future, and a Trio run has none"),
    ("", re.compile(r"Trio was expecting an async function, but instead it got a coroutine"),
     # Reached from a nursery and, since the check runs the __main__ block, from
     # trio.run(demo()) too: both take the function, not its call.
     "trio.run(f(x)) or nursery.start_soon(f(x)) calls f too early: pass the function and "
     "its arguments, trio.run(f, x) / start_soon(f, x)"),
    ("", re.compile(r"coroutine '.*' was never awaited"),
     "a coroutine function was called without await: its body never ran"),
    ("", re.compile(r"NotImplementedError: write "),
     "this body is still the skeleton's: write it"),
    ("", re.compile(r"WouldBlock"),
     "send_nowait on a full channel, or receive_nowait on an empty one: "
     "open_memory_channel(0) is a rendezvous (send_nowait succeeds only while a receiver "
     "waits), asyncio.Queue() is unbounded (open_memory_channel(math.inf))"),
    ("", re.compile(r"EndOfChannel"),
     "a receive after every send channel was closed (and the buffer emptied)"),
    # A socket stream's says why (Trio's words); a memory channel's says nothing.
    ("trio", re.compile(r"BrokenResourceError: socket connection broken"),
     "the client left: a send to a client that closed its end of the connection, or a send "
     "or receive after it reset it: catch trio.BrokenResourceError in that client's handler, "
     "so that it ends that connection only, not every other client's with it"),
    ("trio", re.compile(r"BrokenResourceError"),
     "a send on a channel whose receiving end is closed: the consumer left (a break, the end "
     "of its 'async with'), and the sender was not stopped with it: cancel its nursery then "
     "(nursery.cancel_scope.cancel() in a finally), or use @trio.as_safe_channel"),
    ("", re.compile(r"ClosedResourceError"),
     "a channel (or stream) used after its own 'async with' (or .close(), .aclose()) closed "
     "it"),
    ("", re.compile(r"TypeError: object .* can't be used in 'await' expression"),
     "await on something that is not awaitable: a sync function, or a result"),
    ("", re.compile(r"SystemExit"),
     "sys.exit() ends the whole program: return instead"),
)

#: What a checkpoint is, said once in every message about a wall-clock stop.
CHECKPOINT = (
    "A checkpoint is a point where your task lets the scheduler run other tasks and move the "
    "clock: in Trio every await of a trio function (trio.sleep, a channel's send or receive, "
    "a nursery's end), in asyncio only an await that suspends (asyncio.sleep, even of 0; a "
    "queue.get on an empty queue, but not on one that holds an item). "
    "Between two checkpoints your code runs alone: a loop with no await in it, or a blocking "
    "call such as time.sleep(), stops every task, and the virtual clock with them.")


#: Colour codes (SGR parameters) a printed line may keep, and their names: foreground colours,
#: bold and the resets only. Anything else (a background that hides the text, blinking, a
#: cursor move) is escaped like every other control character.
COLOURS = {
    "": "reset", "0": "reset", "1": "bold", "22": "normal", "39": "default",
    **{str(30 + k): name for k, name in enumerate(
        ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"))},
    **{str(90 + k): f"bright {name}" for k, name in enumerate(
        ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"))},
}
#: One SGR sequence, ``ESC [ params m``.
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _colour(match: re.Match[str] | None) -> bool:
    """Whether ``match`` (of :data:`SGR`) is one of the colour codes a report may keep."""
    return (match is not None and match[1] is not None
            and all(p in COLOURS for p in match[1].split(";")))


def clean(text: str, width: int = LINE_WIDTH, *, colours: bool = False) -> str:
    """One report line: control characters escaped (``\\x1b``, ``\\r``...), at most ``width``.

    A port's output must not drive the terminal (clear it, move the cursor, hide text), and a
    line of a million characters must not become the report. With ``colours``, the colour
    codes of :data:`COLOURS` are kept as they are (and count for no width), for
    :func:`render` to show by name or as colours: nothing else in a cleaned line is a raw
    control character, so :func:`render` can tell them apart.
    """
    out = []
    shown = 0
    cut = 0
    pos = 0
    while pos < len(text):
        if cut:  # the rest is not shown, only counted: no loop over a line of 10 MB (F2)
            cut += _width(text[pos:], colours)
            break
        if colours and _colour(m := SGR.match(text, pos)):
            assert m is not None
            if not cut:
                out.append(m[0])
            pos = m.end()
            continue
        ch = text[pos]
        pos += 1
        piece = ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode(
            "ascii")
        if shown + len(piece) <= width:
            out.append(piece)
        else:
            if not cut:
                out.append(piece[:width - shown])
            cut += min(len(piece), shown + len(piece) - width)
        shown += len(piece)
    line = "".join(out)
    if cut:
        line += f"... ({cut} more characters)"
    return line


#: A colour code that :func:`_colour` keeps, as one regular expression (no Python per match).
_PARAM = "(?:" + "|".join(sorted(map(re.escape, COLOURS), key=len, reverse=True)) + ")"
_KEPT = re.compile(rf"\x1b\[{_PARAM}(?:;{_PARAM})*m")


def _width(text: str, colours: bool) -> int:
    """The width :func:`clean` gives ``text`` uncut (an escape counts its characters, a kept
    colour code none), without a Python loop over each character: a port may print a line of
    ten million, and the report is written after the port's wall-clock watch has ended."""
    if colours:
        text = _KEPT.sub("", text)
    if text.isprintable():
        return len(text)
    return sum(n * (1 if ch.isprintable() else len(ch.encode("unicode_escape")))
               for ch, n in Counter(text).items())


def render(text: str, terminal: bool = False) -> str:
    """``text`` with the colour codes :func:`clean` kept shown by name, never as escapes.

    ``[cyan]Initiated ...[reset]``: a missing or extra reset is as visible as a letter. On a
    ``terminal`` each name is also written in its colour, so the lines look as the program
    printed them; a line that leaves a colour on is reset at its end, so the colour cannot
    run on into the rest of the report. Any other escape character is escaped again.
    """
    def shown(m: re.Match[str]) -> str:
        if not _colour(m):
            return m[0].replace("\x1b", "\\x1b")
        said = "[" + " ".join(COLOURS[p] for p in m[1].split(";")) + "]"
        return f"{m[0]}{said}" if terminal else said

    lines = []
    for line in text.split("\n"):
        codes = [m for m in SGR.finditer(line) if _colour(m)]
        line = _ESCAPE.sub(shown, line)
        if terminal and codes and COLOURS[codes[-1][1].split(";")[-1]] != "reset":
            line += "\x1b[0m"
        lines.append(line)
    return "\n".join(lines)


#: A colour code, or an escape character that is not one.
_ESCAPE = re.compile(r"\x1b\[([0-9;]*)m|\x1b")


#: At most this many lines are shown for one instant.
MAX_SHOWN = 8


def _lines(items: list[str] | tuple[str, ...]) -> str:
    shown = [clean(s, colours=True) for s in items[:MAX_SHOWN]]
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
    return clean(_first_line(exc), ERROR_WIDTH) + _located(exc, path)


def hint(text: str, impl: str) -> str | None:
    for only, pattern, said in HINTS:
        if only in ("", impl) and pattern.search(text):
            return said
    return None


def imported(source: str) -> set[str]:
    """The top-level packages ``source`` imports, anywhere in the file (read with :mod:`ast`:
    a word in a comment or a string is not an import)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def framework_slip(source: str, impl: str, command: str = "") -> str | None:
    """The hint for a file written for the other framework than the one it is checked as.

    The likeliest slip with the first exercise: a correct asyncio solution checked without
    ``--impl asyncio`` fails with Trio's "unrecognized yield message" (or asyncio's "no
    running event loop"), which does not say that the *check* was asked the wrong question.
    Decided by what the file imports: asyncio and not trio (or the reverse). ``command`` is
    the check to run instead, if known.
    """
    other = {"trio": "asyncio", "asyncio": "trio"}.get(impl)
    names = imported(source)
    if other is None or impl in names or other not in names:
        return None
    said = (f"hint: your file imports {other} and not {impl}, and it was checked as "
            f"{'a Trio' if impl == 'trio' else 'an asyncio'} port: did you mean --impl {other}?")
    return said + (f"\n    {command}" if command else "")


def causes(exc: BaseException, path: Path, impl: str) -> list[str]:
    """Each distinct cause inside ``exc`` (groups opened), with how many tasks, and a hint."""
    seen: Counter[str] = Counter()
    for leaf in _leaves(exc):
        seen[clean(_first_line(leaf), ERROR_WIDTH) + _located(leaf, path)] += 1
    out = []
    for text, n in seen.items():
        tasks = f" ({n} tasks)" if n > 1 else ""
        first, _, rest = text.partition("\n")
        entry = f"  {first}{tasks}" + (f"\n{rest}" if rest else "")
        if (said := hint(first, impl)) is not None:
            entry += f"\n    hint: {said}"
        out.append(entry)
    return out
