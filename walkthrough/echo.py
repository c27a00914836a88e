"""Lesson 8 in ``walkthrough run`` and ``walkthrough check``: one scripted session of clients.

The line-echo server does real network I/O, so it cannot run on the virtual clock like the
notebook's lessons, and what it "prints" is what its clients receive. So ``run server`` and
``check server`` start a server (a twin, or a learner's file) as a child process on an
ephemeral port of 127.0.0.1, play the same script of real clients against it, send it a real
SIGINT, and write down a transcript: the bytes each client got, in order, and how the process
ended. Two servers are equivalent when their transcripts are equal, line for line.

The script covers each rule of the lesson once: lines split across packets, several lines in
one packet, a line too long (closes that client only), a client that vanishes mid-line, an
idle client, and Ctrl-C with a client still connected. Only the idle client ever waits the
idle timeout (1 s): every other client sends a line, or is sent Ctrl-C, well within it, so
a slow, loaded machine changes no entry. ``tests/test_server.py`` covers each
rule in depth; this is the short tour a learner's port must pass.

A port that fails is explained as every other lesson's check explains it (:func:`explain`):
the exceptions on its stderr, each at the line of the learner's file and with the lessons'
hints, and the bodies still left as the skeleton's ``raise NotImplementedError``. A server that
never starts is said as such: exited (with its status), or silent for ``--timeout`` seconds,
then stopped by Ctrl-C (killed if it ignores that too). A silent server is asked where it is
first (:data:`BOOTSTRAP`, :func:`_where`): its own code running, a loop that never awaits, is
named with its function and line, as every other lesson's check names it; a server idle in its
event loop is told to print its listening line. What the server prints is read to its
end but kept bounded (:data:`KEEP_BYTES`), so neither a flood nor one endless line can block
it, fill the checker's memory, or become the report. ``tests/test_check_server.py`` tests it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The server's options in the session: short enough that the idle client is closed quickly.
OPTIONS = ("--idle-timeout", "1", "--max-line", "32")
#: Seconds a client waits for bytes, and the server to start or exit, before giving up.
WAIT = 10.0
#: Real sleep between two sends that must travel as two packets.
GAP = 0.05
#: Seconds a server whose client just failed (refused, reset) may take to end by itself before
#: the session sends Ctrl-C. Such a server is usually dying of its own exception and still
#: writing the traceback the report quotes: a Ctrl-C in the middle of that cuts it short
#: ("lost sys.stderr"), and the report would miss the cause.
GONE_WAIT = 2.0
#: Seconds a server that was busy in its own code (:attr:`Stack.busy`) may take to end after
#: Ctrl-C: such a loop answers Ctrl-C only at a checkpoint it never reaches, so waiting the
#: whole :data:`WAIT` for it only delays the report.
BUSY_WAIT = 3.0
#: Seconds the server may take to write its stack once asked (it is written by a C signal
#: handler, at once, whatever the Python code is doing).
STACK_WAIT = 2.0
#: Words on stderr that mean the server did not end cleanly.
NOISE = ("Traceback", "Task was destroyed", "never awaited", "ResourceWarning",
         "Exception ignored", "nclosed")


class _NoServer(Exception):
    """The process never said where it listens."""


#: The listening line, as the transcript and the report name it.
LISTENING = "'listening on 127.0.0.1:PORT'"
#: Bytes of the server's stderr kept for the report: this many from its start, as many from its
#: end (where a traceback is). The rest is read and counted, so the server never blocks on a
#: full pipe, and a flood fills neither the checker's memory nor the report.
KEEP_BYTES = 64 * 1024
#: Lines of the server's stdout kept after the listening line, and bytes kept of each line.
KEEP_LINES = 100
LINE_BYTES = 4096


@dataclass
class Stack:
    """Where a server that never printed its listening line was, when it was asked."""

    #: The innermost function of the port's file on the main thread, and its line.
    func: str
    line: int
    #: True if the port's own code was running, or blocked in a call it made (time.sleep, a
    #: blocking socket), with no event loop between it and the innermost frame: it never
    #: reached a checkpoint. False if the event loop was waiting: every task was awaiting.
    busy: bool


@dataclass
class Played:
    """One session: the transcript, and what a report needs to explain it."""

    transcript: list[str]
    #: The process's exit status (negative: the signal that ended it).
    returncode: int
    #: Why the session never began, when it did not: "exited", "silent" (no line within
    #: the wait), "closed" (stdout closed, process still running) or "other" (a wrong line).
    no_server: str | None
    #: stderr as kept: its first and last :data:`KEEP_BYTES` (see :class:`_Kept`).
    stderr: str
    #: How many bytes the process wrote on stderr in all.
    stderr_bytes: int
    #: Where the server was when it had printed no listening line in time (:func:`_where`):
    #: None if it did print one, ended, or could not be asked.
    stack: Stack | None = None


class _Kept(threading.Thread):
    """Read a pipe to its end, keeping its first and its last :data:`KEEP_BYTES`."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def run(self) -> None:
        while chunk := os.read(self.fd, 65536):
            self.total += len(chunk)
            room = KEEP_BYTES - len(self.head)
            self.head += chunk[:room]
            self.tail += chunk[room:] if room > 0 else chunk
            if len(self.tail) > 2 * KEEP_BYTES:
                del self.tail[:-KEEP_BYTES]

    def text(self) -> str:
        """What was kept, decoded; a gap in the middle is marked where it is, mid-line maybe
        (the lines after it, a traceback at the end, are whole)."""
        tail = bytes(self.tail[-KEEP_BYTES:])
        skipped = self.total - len(self.head) - len(tail)
        gap = f" [... {skipped:,} bytes not kept ...] ".encode() if skipped else b""
        return (bytes(self.head) + gap + tail).decode("utf-8", "replace")


def twin_command(package: str) -> list[str]:
    return [sys.executable, "-W", "error", "-m", f"{package}.server"]


#: Runs a learner's server as ``python FILE`` would, but first registers :mod:`faulthandler`
#: on SIGUSR1 with the file to write the stack in: that dump is written by a C signal handler,
#: so a loop that never awaits cannot keep it from being written, as ``_Watch`` does for every
#: other lesson. A file, not stderr: stderr is the server's, and the report shows it. An fd, not
#: a file object, so that nothing is left to finalize (a ResourceWarning, under ``-W error``).
#: ``sys.argv`` is ``["-c", STACK_FILE, FILE, options...]``: what follows the file stays as a
#: script gets it, and the file's folder is ``sys.path[0]``, as for a script.
BOOTSTRAP = """\
import faulthandler, os, runpy, signal, sys
stack, script = sys.argv[1:3]
del sys.argv[:2]
if hasattr(signal, "SIGUSR1"):  # POSIX only: elsewhere a silent server is not asked
    faulthandler.register(signal.SIGUSR1, all_threads=True,
                          file=os.open(stack, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
sys.path[0] = os.path.dirname(os.path.abspath(script))
runpy.run_path(script, run_name="__main__")
"""


def file_command(path: Path, stack: Path | None = None) -> list[str]:
    """The command that runs ``path`` as a script; with ``stack``, under :data:`BOOTSTRAP`,
    which writes its stack to ``stack`` on SIGUSR1 (see :func:`play`)."""
    if stack is None:
        return [sys.executable, "-W", "error", str(path)]
    return [sys.executable, "-W", "error", "-c", BOOTSTRAP, str(stack), str(path)]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # never inherit an ignored SIGINT


def _received(sock: socket.socket, want: int | None) -> str:
    """What a client got: ``want`` bytes (None: until closed), said as one transcript entry."""
    got = b""
    try:
        while want is None or len(got) < want:
            chunk = sock.recv(65536)
            if not chunk:
                return f"{got!r}, then closed"
            got += chunk
    except TimeoutError:
        return f"{got!r}, then nothing for {WAIT:g} s"
    except ConnectionError as e:
        return f"{got!r}, then {type(e).__name__}"
    return repr(got)


def session(command: Sequence[str]) -> list[str]:
    """Start ``command --port 0 ...``, play the clients, Ctrl-C it: the transcript."""
    return play(command).transcript


def play(command: Sequence[str], start_wait: float = WAIT, *, stack: Path | None = None,
         script: Path | None = None) -> Played:
    """:func:`session`, with what the process wrote on stderr and how it ended.

    ``start_wait``: seconds the process may take to print its listening line. ``stack``: the
    file that ``command`` (:func:`file_command`) writes its stack to on SIGUSR1; a server still
    running with no listening line is then asked where it is before its Ctrl-C, and the frames
    of ``script`` in that stack say whether it was stuck in its own code (:func:`_where`).
    """
    from walkthrough.learner import clean

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDEVMODE": "1",
           "PYTHONWARNINGS": "error", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*command, "--port", "0", *OPTIONS], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint)
    assert proc.stdout is not None and proc.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def pump_stdout() -> None:
        # Bounded like stderr: at most KEEP_LINES lines of at most LINE_BYTES are kept; the
        # rest is read (the server must not block on a full pipe) and dropped.
        assert proc.stdout is not None
        kept = 0
        while line := proc.stdout.readline(LINE_BYTES):
            if not line.endswith(b"\n"):  # cut: drop the rest of this line
                while (more := proc.stdout.readline(LINE_BYTES)) and not more.endswith(b"\n"):
                    pass
            if kept < KEEP_LINES:
                lines.put(line.decode("utf-8", "replace"))
                kept += 1
        lines.put(None)

    out_reader = threading.Thread(target=pump_stdout, daemon=True)
    err_reader = _Kept(proc.stderr.fileno())
    for reader in (out_reader, err_reader):
        reader.start()
    clients: list[socket.socket] = []
    out: list[str] = []
    no_server: str | None = None
    interrupted = False
    try:
        try:
            first = lines.get(timeout=start_wait)
        except queue.Empty:
            no_server = "silent"
            raise _NoServer(f"server: printed no line in {start_wait:g} s, and was still "
                            f"running") from None
        if first is None:  # stdout closed: the process is ending, or closed it
            try:
                status = proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                no_server = "closed"
                raise _NoServer(f"server: closed its stdout without printing {LISTENING}, "
                                "and kept running") from None
            no_server = "exited"
            raise _NoServer(f"server: {_ended(status)} before printing {LISTENING}")
        prefix = "listening on 127.0.0.1:"
        if not first.startswith(prefix) or not first[len(prefix):].strip().isdigit():
            no_server = "other"
            raise _NoServer(f"server: no {LISTENING} line (got {clean(repr(first))})")
        out.append("server: listening on 127.0.0.1:PORT")
        port = int(first[len(prefix):])

        def connect() -> socket.socket:
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            clients.append(sock)
            return sock

        a, idle = connect(), connect()
        parts = (b"hel", b"lo\nwor", b"ld\none\n\ntwo\n")
        for part in parts:
            a.sendall(part)
            time.sleep(GAP)
        out.append(f"A (a line in three packets, then three in one) got "
                   f"{_received(a, len(b''.join(parts)))}")
        b = connect()
        b.sendall(b"=" * 32 + b"\n" + b"x" * 33 + b"\nnever read\n")
        out.append(f"B (a line of 32 bytes, then one of 33) got {_received(b, None)}")
        gone = connect()
        gone.sendall(b"half a li")
        gone.close()
        a.sendall(b"after the others\n")
        out.append(f"A (one more line) got {_received(a, 17)}")
        # A leaves (all it was sent is read: a clean close), and a new client is the one
        # mid-line at Ctrl-C. The idle timeout is the same for every client, and A sent its
        # last line some 0.2 s after the idle client connected: waiting out the idle client's
        # 1 s idled A too, so A, mid-line at Ctrl-C, got the idle error instead whenever the
        # Ctrl-C came 0.2 s late (a loaded machine). C connects once the idle client is
        # closed, and is idle only for GAP before Ctrl-C.
        a.close()
        out.append(f"the idle client got {_received(idle, None)}")
        c = connect()
        c.sendall(b"mid-li")
        time.sleep(GAP)
        proc.send_signal(signal.SIGINT)
        interrupted = True
        out.append(f"C (connected then, mid-line at Ctrl-C) got {_received(c, None)}")
    except _NoServer as e:
        out.append(str(e))
    except OSError as e:
        out.append(f"a client failed: {e}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=GONE_WAIT)
    finally:
        for sock in clients:
            sock.close()
        where: Stack | None = None
        if not interrupted and proc.poll() is None:
            if (no_server in ("silent", "closed") and stack is not None
                    and script is not None and hasattr(signal, "SIGUSR1")):
                where = _where(_ask_stack(proc, stack), script)
            proc.send_signal(signal.SIGINT)
            interrupted = True
        wait = BUSY_WAIT if where is not None and where.busy else WAIT
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            out.append(f"server: still running {wait:g} s after Ctrl-C, killed")
        for reader in (out_reader, err_reader):
            reader.join(timeout=WAIT)
        for pipe in (proc.stdout, proc.stderr):
            pipe.close()
    rest = []
    while (line := lines.get_nowait() if not lines.empty() else None) is not None:
        rest.append(line)
    when = "after Ctrl-C" if interrupted else "before it ended"
    out.append(f"server: printed {clean(repr(''.join(rest)))} {when}, exit status "
               f"{proc.returncode}")
    err = err_reader.text()
    noise = [word for word in NOISE if word in err]
    said = [line.strip() for line in err.splitlines() if line.strip()]
    out.append("server: stderr " + ("clean" if not said else
                                    f"shows {', '.join(noise) or 'text'}, ending "
                                    f"{clean(repr(said[-1]))}"))
    return Played(out, proc.returncode, no_server, err, err_reader.total, where)


def _ask_stack(proc: subprocess.Popen[bytes], stack: Path) -> str:
    """Send SIGUSR1 and read the stack that :data:`BOOTSTRAP` writes: complete once its size
    stops changing (a C handler writes it in one go), "" if none came in :data:`STACK_WAIT`."""
    proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + STACK_WAIT
    size = -1
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            now = stack.stat().st_size
        except OSError:
            return ""
        if now and now == size:
            break
        size = now
    try:
        return stack.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


#: A frame of a :mod:`faulthandler` dump, most recent first.
DUMP_FRAME = re.compile(r'^\s*File "(?P<file>.*)", line (?P<line>\d+) in (?P<func>.*)$')


#: The functions of Trio's and asyncio's event loops (trio/_core/_run.py, asyncio/base_events.py
#: and runners.py) that are on the stack while the loop waits for I/O, or runs a task.
LOOP_FUNCS = frozenset({"run", "unrolled_run", "run_forever", "_run_once", "run_until_complete"})


def _where(dump: str, script: Path) -> Stack | None:
    """From a dump of every thread: the main thread's innermost frame of ``script``, and
    whether the event loop lay between it and the innermost frame (None: no such frame).

    The main thread is the one that :data:`BOOTSTRAP` (``-c``, so ``<string>``) started. An idle
    server's innermost frame of its own file is the call of ``trio.run`` or ``asyncio.run``,
    under the loop's wait for I/O (its tasks, all awaiting, are on no stack); a busy one's is
    the line it loops on, with at most a library's blocking call above it.
    """
    for block in dump.split("\n\n"):
        frames = [m for text in block.splitlines() if (m := DUMP_FRAME.match(text))]
        if not frames or frames[-1]["file"] != "<string>":
            continue
        for k, frame in enumerate(frames):
            if _same_path(frame["file"], script):
                idle = any(m["func"] in LOOP_FUNCS and {"trio", "asyncio"} & set(
                    Path(m["file"]).parts[:-1]) for m in frames[:k])
                func = frame["func"]
                return Stack("the module's top level" if func == "<module>" else func,
                             int(frame["line"]), busy=not idle)
    return None


def _ended(status: int) -> str:
    """How a process ended, from its exit status."""
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with status {status}"


def first_difference(expected: list[str], got: list[str]) -> int | None:
    """The index of the first entry that differs, None if the transcripts are equal."""
    for n in range(max(len(expected), len(got))):
        if n >= len(expected) or n >= len(got) or expected[n] != got[n]:
            return n
    return None



def run_verb(args: argparse.Namespace) -> int:
    """``walkthrough run server``: each twin's transcript; with both, the verdict too."""
    from walkthrough import catalogue
    from walkthrough.cli import UsageError

    if args.virtual:
        raise UsageError("server does real network I/O, which a virtual clock cannot run: "
                         "drop --virtual")
    if args.seed is not None:
        raise UsageError("lesson 'server' draws no random numbers: --seed has no use")
    impls = catalogue.IMPLS if args.impl == "both" else (args.impl,)
    transcripts = {impl: session(twin_command(catalogue.PACKAGES[impl])) for impl in impls}
    for impl, transcript in transcripts.items():
        print(f"{impl}:")
        print("\n".join(f"  {entry}" for entry in transcript))
    if len(transcripts) < 2:
        return 0
    expected, got = transcripts.values()
    n = first_difference(expected, got)
    if n is None:
        print(f"equivalent: the same {len(expected)} transcript entries")
        return 0
    print(f"NOT equivalent at entry {n + 1}")
    return 1


def header(path: Path, impl: str) -> str:
    """The first line of ``check server``'s report: what is checked, against what, how.

    Worded as every lesson's (:func:`walkthrough.learner.report.header`), whose "how" fits only
    the lessons it runs: the virtual clock, or the crawler's local demo site. The server's is a
    session of real clients on the loopback.
    """
    kind = "Trio" if impl == "trio" else "asyncio"
    return (f"checking {path} ({kind} port) against asyncio_ref/server.py (a scripted session "
            "of real clients on 127.0.0.1)")


def check_verb(args: argparse.Namespace) -> int:
    """``walkthrough check server PATH``: the learner's server against the asyncio twin.

    Either framework: the session only sees bytes on sockets, so ``--impl`` changes nothing in
    it; it picks the hints, as in every lesson's check. ``--timeout`` is how long the server
    may take to print its listening line. The report's first line (:func:`header`) is printed
    and flushed once the file is known to be Python, before any server starts: a server that
    never reaches a checkpoint holds the rest for ``--timeout`` seconds, and the learner should
    see at once that the check began. When the transcripts differ, the report explains the
    difference as every other lesson's does: the exceptions on the server's stderr, each at the
    line of the learner's file, with the lessons' hints (:func:`explain`), and the bodies still
    left as the skeleton's ``raise NotImplementedError``, which are never "equivalent".
    """
    from walkthrough.cli import UsageError
    from walkthrough.learner import PortProblem, read_source, unfinished_note

    path: Path = args.path
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:  # a syntax error is said as every lesson says it, before any server starts
        source = read_source(path)
    except PortProblem as exc:
        raise UsageError(str(exc)) from None
    print(header(path, getattr(args, "impl", "trio")), flush=True)
    expected = session(twin_command("asyncio_ref"))
    # Run a copy, alone in a folder: the folder of a script is the first entry of sys.path, and
    # next to the twins a learner's file would import trio_port/queue.py as the stdlib's queue.
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "learner_server.py"
        shutil.copyfile(path, copy)
        stack = Path(folder) / "stack.txt"
        played = play(file_command(copy, stack), start_wait=getattr(args, "timeout", WAIT),
                      stack=stack, script=copy)
    got = played.transcript
    n = first_difference(expected, got)
    left = unfinished_bodies(source)
    if n is None and not left:
        print(f"equivalent: your server answered the session's clients the same bytes as the "
              f"reference ({len(expected)} transcript entries)")
        return 0
    lines = []
    if n is not None:
        lines += [f"NOT equivalent: first difference at entry {n + 1} of the session",
                  f"expected: {expected[n] if n < len(expected) else '(nothing more)'}",
                  f"got:      {got[n] if n < len(got) else '(nothing more)'}"]
        if played.no_server in ("silent", "closed"):  # how it ended, when Ctrl-C came
            lines += [f"{'then:' if k == n + 1 else '':10}{entry}"
                      for k, entry in enumerate(got[n + 1:], n + 1)]
        lines += explain(played, copy, path, source, getattr(args, "impl", "trio"))
    if left:
        lines.append(unfinished_note(left))
    print("\n".join(lines))
    return 1


# -- explaining a session that went wrong -------------------------------------------------------

#: At most this many distinct exceptions are shown, and this many of stderr's last lines.
MAX_CAUSES = 5
MAX_SAID = 5
#: An exception's message is shown up to this many characters (as every lesson's check shows
#: it), wrapped: Trio's "unrecognized yield message" explains itself only in its second sentence.
MESSAGE_WIDTH = 480

#: Hints used when the lessons' own (``learner.hint``) have none: a Trio checkpoint awaited in
#: asyncio (``await trio.sleep(0)``: the lessons' hint covers only calls that need a Trio run
#: to start with), and the check's own Ctrl-C, which only the server is sent.
SERVER_HINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("asyncio", re.compile(r"RuntimeError: Task got bad yield"),
     "a Trio call left in an asyncio port: it yields to Trio's loop, and asyncio's is not one"),
    ("", re.compile(r"^KeyboardInterrupt"),
     "the check's Ctrl-C escaped as KeyboardInterrupt: a server stops on Ctrl-C, prints "
     "'stopped' and exits with status 130, without a traceback"),
)

#: A line of a traceback that names a frame (a SyntaxError's has no function).
FRAME = re.compile(r'^  File "(?P<file>[^"]*)", line (?P<line>\d+)(?:, in (?P<func>.*))?$')
#: The margin of an exception group's traceback: spaces, then "|" or "+", then a space.
MARGIN = re.compile(r"^ *[|+] ")
#: The line that ends a traceback: the exception, ``Type`` or ``Type: message``.
EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::(?: (?P<message>.*))?)?$")
HEADERS = ("Traceback (most recent call last):", "Exception Group Traceback (most recent call "
           "last):")


def _hint(text: str, impl: str) -> str | None:
    """The lessons' hint for ``text``; failing that, the server's own."""
    from walkthrough.learner import hint

    said = hint(text, impl)
    if said is None:
        said = next((h for only, pattern, h in SERVER_HINTS
                     if only in ("", impl) and pattern.search(text)), None)
    return said


def tracebacks(stderr: str, copy: Path, shown: Path, source: str) -> list[str]:
    """Each exception of the tracebacks in ``stderr``, with the innermost line of the port.

    The port ran as ``copy``; the report names ``shown``, the file the learner gave, whose
    text is ``source``. An exception group's own line is left out: its leaves are the causes,
    and each has a traceback of its own inside the group's. An exception is said as
    ``Type: message`` and, if a frame of the port led to it,
    ``at FILE, line N, in FUNCTION: CODE``.
    """
    from walkthrough.learner import clean

    code = source.splitlines()
    found: list[str] = []
    inside = False
    place = ""
    for raw in stderr.splitlines():
        line = raw[margin.end():] if (margin := MARGIN.match(raw)) else raw
        if line in HEADERS:
            inside, place = True, ""
            continue
        if not inside:
            continue
        if (frame := FRAME.match(line)) is not None:
            if _same_path(frame["file"], copy):
                number = int(frame["line"])
                func = frame["func"] or ""
                func = "the module's top level" if func == "<module>" else func
                text = code[number - 1].strip() if 0 < number <= len(code) else ""
                place = (f"\n    at {shown}, line {number}"
                         + (f", in {func}" if func else "") + f": {clean(text)}")
            continue
        if line.startswith(" ") or not line:
            continue  # a frame's code, its carets, a SyntaxError's pointer
        exception = EXCEPTION.match(line)
        inside = False
        if exception is None or exception["type"].endswith("ExceptionGroup"):
            continue
        found.append(clean(line, MESSAGE_WIDTH) + place)
    return found


def _same_path(name: str, path: Path) -> bool:
    try:
        return Path(name).resolve() == path.resolve()
    except OSError:
        return False


def explain(played: Played, copy: Path, shown: Path, source: str, impl: str) -> list[str]:
    """Why a session differs, in the words every lesson's check uses: the port's exceptions at
    its own lines with hints; failing those, the end of its stderr; and how to start."""
    from walkthrough.learner import clean

    lines: list[str] = []
    stuck = played.stack if played.stack is not None and played.stack.busy else None
    if stuck is not None and played.no_server in ("silent", "closed"):
        lines += _stuck(stuck, shown, source)
    causes = Counter(tracebacks(played.stderr, copy, shown, source))
    if causes:
        lines.append("your server raised:")
        for text, count in list(causes.items())[:MAX_CAUSES]:
            first, _, rest = text.partition("\n")
            entry = textwrap.wrap(first, 96, initial_indent="  ", subsequent_indent="    ")
            if count > 1:
                entry[-1] += f" ({count} times)"
            lines += entry + ([rest] if rest else [])
            if (said := _hint(first, impl)) is not None:
                lines.append(f"    hint: {said}")
        if len(causes) > MAX_CAUSES:
            lines.append(f"  (and {len(causes) - MAX_CAUSES} more)")
    else:
        told = [s for s in played.stderr.splitlines() if s.strip()]
        if told:
            lines.append("your server said on stderr" + (
                f" (its last {MAX_SAID} lines):" if len(told) > MAX_SAID else ":"))
            lines += [f"    {clean(s)}" for s in told[-MAX_SAID:]]
    if played.stderr_bytes > 2 * KEEP_BYTES:
        lines.append(f"  (your server wrote {played.stderr_bytes:,} bytes on stderr: the first "
                     f"and the last {KEEP_BYTES // 1024} KiB were read for this report)")
    if played.no_server == "exited" and not causes:
        lines.append("  hint: a server serves until Ctrl-C: main() must call run(), and run() "
                     "return only once serve() was cancelled by Ctrl-C")
    elif played.no_server in ("silent", "closed") and stuck is None:
        lines.append(f"  hint: print {LISTENING} (the port the system picked for --port 0) "
                     "once the socket listens, before serving: that line is how the check, "
                     "and a user, learn where to connect")
    return lines


def _stuck(stack: Stack, shown: Path, source: str) -> list[str]:
    """A server stuck in its own code, said as every other lesson's check says it (the
    lessons' :data:`~walkthrough.learner.CHECKPOINT`, less its virtual clock: a server's is
    real), with the lessons' hint for time.sleep."""
    from walkthrough.learner import CHECKPOINT, clean

    code = source.splitlines()
    text = code[stack.line - 1].strip() if 0 < stack.line <= len(code) else ""
    lines = [f"your server never reached a checkpoint: stuck in {stack.func} ({shown}, line "
             f"{stack.line}): {clean(text)}"]
    lines += textwrap.wrap(CHECKPOINT.replace(", and the virtual clock with them", ""), 92,
                           initial_indent="  ", subsequent_indent="  ")
    if "time.sleep" in text:
        lines.append("  hint: time.sleep blocks the whole thread; await trio.sleep(...) "
                     "(or asyncio.sleep) lets the others run")
    return lines


def unfinished_bodies(source: str) -> list[str]:
    """The functions of ``source`` still left as the skeleton's ``raise NotImplementedError``,
    among those that either twin's ``main`` reaches (what a finished server runs)."""
    from walkthrough import catalogue
    from walkthrough.learner import reachable, unfinished

    needed: set[str] = set()
    for package in catalogue.PACKAGES.values():
        twin = ROOT / package / "server.py"
        needed |= reachable(twin.read_text(encoding="utf-8"), ("main",))
    return unfinished(source, needed)

