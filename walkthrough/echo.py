"""Lesson 8 in ``walkthrough run`` and ``walkthrough check``: one scripted session of clients.

The line-echo server does real network I/O, so it cannot run on the virtual clock like the
notebook's lessons, and what it "prints" is what its clients receive. So ``run server`` and
``check server`` start a server (a twin, or a learner's file) as a child process on an
ephemeral port of 127.0.0.1, play the same script of real clients against it, send it a real
SIGINT, and write down a transcript: the bytes each client got, in order, and how the process
ended. Two servers are equivalent when their transcripts are equal, line for line.

The script covers each rule of the lesson once: lines split across packets, several lines in
one packet, a line too long (closes that client only), a client that vanishes mid-line, an
idle client, and Ctrl-C with a client still connected. ``tests/test_server.py`` covers each
rule in depth; this is the short tour a learner's port must pass.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The server's options in the session: short enough that the idle client is closed quickly.
OPTIONS = ("--idle-timeout", "1", "--max-line", "32")
#: Seconds a client waits for bytes, and the server to start or exit, before giving up.
WAIT = 10.0
#: Real sleep between two sends that must travel as two packets.
GAP = 0.05
#: Words on stderr that mean the server did not end cleanly.
NOISE = ("Traceback", "Task was destroyed", "never awaited", "ResourceWarning",
         "Exception ignored", "nclosed")


class _NoServer(Exception):
    """The process never said where it listens."""


def twin_command(package: str) -> list[str]:
    return [sys.executable, "-W", "error", "-m", f"{package}.server"]


def file_command(path: Path) -> list[str]:
    return [sys.executable, "-W", "error", str(path)]


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
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDEVMODE": "1",
           "PYTHONWARNINGS": "error", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*command, "--port", "0", *OPTIONS], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint)
    lines: queue.Queue[str | None] = queue.Queue()
    err: list[str] = []

    def pump_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def pump_stderr() -> None:
        assert proc.stderr is not None
        err.extend(proc.stderr)

    readers = [threading.Thread(target=pump_stdout, daemon=True),
               threading.Thread(target=pump_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    clients: list[socket.socket] = []
    out: list[str] = []
    interrupted = False
    try:
        try:
            first = lines.get(timeout=WAIT)
        except queue.Empty:
            first = None
        prefix = "listening on 127.0.0.1:"
        if first is None or not first.startswith(prefix) or not first[len(prefix):].strip(
                ).isdigit():
            raise _NoServer(f"server: no 'listening on 127.0.0.1:PORT' line (got {first!r})")
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
        out.append(f"the idle client got {_received(idle, None)}")
        a.sendall(b"mid-li")
        time.sleep(GAP)
        proc.send_signal(signal.SIGINT)
        interrupted = True
        out.append(f"A (mid-line at Ctrl-C) got {_received(a, None)}")
    except _NoServer as e:
        out.append(str(e))
    except OSError as e:
        out.append(f"a client failed: {e}")
    finally:
        for sock in clients:
            sock.close()
        if not interrupted and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            out.append(f"server: still running {WAIT:g} s after Ctrl-C, killed")
        for reader in readers:
            reader.join(timeout=WAIT)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    rest = []
    while (line := lines.get_nowait() if not lines.empty() else None) is not None:
        rest.append(line)
    out.append(f"server: printed {''.join(rest)!r} after Ctrl-C, exit status {proc.returncode}")
    noise = [word for word in NOISE if word in "".join(err)]
    said = [line.strip() for line in err if line.strip()]
    out.append("server: stderr " + ("clean" if not said else
                                    f"shows {', '.join(noise) or 'text'}, ending {said[-1]!r}"))
    return out


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


def check_verb(args: argparse.Namespace) -> int:
    """``walkthrough check server PATH``: the learner's server against the asyncio twin.

    Either framework: the session only sees bytes on sockets, so ``--impl`` changes nothing.
    """
    from walkthrough.cli import UsageError

    path: Path = args.path
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    expected = session(twin_command("asyncio_ref"))
    # Run a copy, alone in a folder: the folder of a script is the first entry of sys.path, and
    # next to the twins a learner's file would import trio_port/queue.py as the stdlib's queue.
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "learner_server.py"
        shutil.copyfile(path, copy)
        got = session(file_command(copy))
    n = first_difference(expected, got)
    if n is None:
        print(f"equivalent: your server answered the session's clients the same bytes as the "
              f"reference ({len(expected)} transcript entries)")
        return 0
    print("\n".join([
        f"NOT equivalent: first difference at entry {n + 1} of the session",
        f"expected: {expected[n] if n < len(expected) else '(nothing more)'}",
        f"got:      {got[n] if n < len(got) else '(nothing more)'}",
    ]))
    return 1
