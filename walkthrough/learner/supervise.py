"""The parent side: run the child, never hang, say what happened.

:func:`check_in_child` starts ``python -m walkthrough.learner`` in a new session (no
controlling terminal, stdin from /dev/null), drains its stdout and stderr into bounded
buffers (:class:`_Drain`), watches the progress file, and kills the child's process group if
it goes quiet for longer than the limit allows. :func:`_interpret` then turns what is left
(``result.json``, or a faulthandler dump, a signal, an exit status) into an :class:`Outcome`.
The report's first line is announced before the child starts (:func:`.report.header`), and
the outcome is shown as the learner will see it: colour codes by name or as colours
(:func:`.explain.render`), and a file written for the other framework asked "did you mean
--impl asyncio?" (:func:`.explain.framework_slip`, from the file's imports, read here
without running it).

Separate because it is the only code of the check that runs in the learner's own
``walkthrough`` process: it imports none of the learner's code and must return whatever the
child does.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from walkthrough import catalogue
from walkthrough.learner.explain import CHECKPOINT, _same_file, clean, framework_slip, render
from walkthrough.learner.guard import REPORTING
from walkthrough.learner.loading import read_source
from walkthrough.learner.report import CANNOT_CHECK, EQUIVALENT, NOT_EQUIVALENT, header

#: Wall-clock seconds one phase (or the import) of your module may run: only code that never
#: reaches a checkpoint gets near it, since sleeps are virtual. ``check --timeout`` sets it.
WALL_LIMIT = 10.0

#: Extra wall seconds the parent allows the child beyond the limit, to write its report.
GRACE = 5.0

#: Extra wall seconds for the child to start and compute the references, before any note.
SETUP_ALLOWANCE = 60.0

#: Wall seconds the child may take to write its report once the port's code is done (the
#: :data:`.guard.REPORTING` note): the checker's own work, so not ``--timeout``'s business,
#: and a stop there is said to be the checker's problem, never the port's.
REPORT_ALLOWANCE = 60.0

#: Bytes of the child's own stdout/stderr kept (the rest is read and dropped).
KEEP_BYTES = 64 * 1024


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
        try:
            while chunk := self.pipe.read(65536):
                self.total += len(chunk)
                if len(self.kept) < KEEP_BYTES:
                    self.kept += chunk[:KEEP_BYTES - len(self.kept)]
        finally:
            # Closed here, at its end, never by the parent: a close from another thread waits
            # for this read, which a process the port detached (its own session, out of reach
            # of _kill) can hold open as long as it lives.
            self.pipe.close()


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
                   limit: float = WALL_LIMIT, *,
                   announce: Callable[[str], None] | None = None,
                   colours: bool = False) -> Outcome:
    """Check ``path`` in a child process; an :class:`Outcome` whatever the child does.

    ``announce`` is given the report's first line (:func:`.report.header`) once the file is
    known to be Python, before the child starts: a port that never awaits holds the rest for
    ``limit`` seconds, and the learner should see at once that the check began. The outcome
    then leaves that line out; without ``announce`` it starts with it, whatever stopped the
    port (but a "cannot check" message, which is an error, not a report). ``colours``: show
    the colour codes of printed lines as colours (for a terminal), else by their names
    (:func:`.explain.render`); never as raw escapes.
    """
    source = read_source(path)  # unreadable or not Python: say so before starting anything
    head = header(lesson, path, impl)
    if announce is not None:
        announce(head)
    outcome = _run_child(lesson, path, impl, limit)
    return _finish(outcome, head, announced=announce is not None, colours=colours,
                   slip=framework_slip(source, impl, _other_impl_command(lesson, path, impl)))


def _other_impl_command(lesson: catalogue.Lesson, path: Path, impl: str) -> str:
    other = "asyncio" if impl == "trio" else "trio"
    return f"walkthrough check {lesson.name} {shlex.quote(str(path))} --impl {other}"


def _finish(outcome: Outcome, head: str, *, announced: bool, colours: bool,
            slip: str | None) -> Outcome:
    """The outcome as shown: the header once, the framework hint, colours by name or as such."""
    lines = outcome.text.split("\n")
    if lines[0] == head:
        lines = lines[1:]
    if not announced and outcome.status != CANNOT_CHECK:
        lines = [head, *lines]
    if outcome.status != EQUIVALENT and slip is not None:
        lines.append(slip)
    return Outcome(outcome.status, render("\n".join(lines), colours))


def _run_child(lesson: catalogue.Lesson, path: Path, impl: str, limit: float) -> Outcome:
    """Start ``python -m walkthrough.learner`` for ``path``, wait for it, interpret the end."""
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
                if quiet > limit + GRACE + (0 if noted else SETUP_ALLOWANCE) and not (
                        _last_note(progress) == REPORTING and quiet < REPORT_ALLOWANCE):
                    stuck = True
                    _kill(proc)
        finally:
            if proc.poll() is None:
                _kill(proc)
            for d in drains:
                d.join(5)  # still reading after that: a detached process holds the pipe
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
    if where == REPORTING:
        return _checker_failed(rc, stuck, stderr)
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


def _last_note(progress: Path) -> str:
    try:
        steps = progress.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return steps[-1] if steps else ""


def _checker_failed(rc: int, stuck: bool, stderr: _Drain) -> Outcome:
    """The child ended without a result after the port's code was done: the checker's fault.

    Said as such (exit status 2, "cannot check"), because the port ran to its end: blaming a
    busy loop that does not exist sends the learner after a bug they did not write.
    """
    if stuck:
        what = f"took more than {REPORT_ALLOWANCE:g} s of wall-clock time to write its report"
    elif rc is not None and rc < 0:
        try:
            what = f"was killed by {signal.Signals(-rc).name} while writing its report"
        except ValueError:
            what = f"was killed by signal {-rc} while writing its report"
    else:
        what = f"ended with exit status {rc} while writing its report"
    tail = bytes(stderr.kept).decode("utf-8", "replace").strip().splitlines()[-3:]
    said = "".join(f"\n    {clean(s)}" for s in tail)
    return Outcome(CANNOT_CHECK, f"cannot check: your port ran to its end, but the checker "
                                 f"itself {what}. That is the checker's problem, not your "
                                 "port's: please report it, with your file."
                   + (f"\n  it said:{said}" if said else ""))


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
