# Exercise: lesson 'server' (beyond the notebook, A line-echo TCP server), to write in asyncio, as
# the reference. Generated from asyncio_ref/server.py by scripts/make_exercises.py: do not edit it
# here. Copy it, write each body (its comments are this lesson's steps, and the reference's notes),
# then run:
#     walkthrough check server my_server.py --impl asyncio
#     (it plays a session of clients; python my_server.py --port 8888 serves nc 127.0.0.1 8888)
# To see the Trio port next to it: walkthrough diff server
"""Lesson 8 (beyond the notebook): a line-echo TCP server, ``asyncio.start_server``.

Every line a client sends comes back to it unchanged, for many clients at once. The server
listens on 127.0.0.1 and prints ``listening on 127.0.0.1:PORT`` on a line of its own (with
``--port 0`` the system picks a free port: read it from that line).

- A line is echoed once its newline arrives; bytes that never get one (a client that leaves
  mid-line) are dropped.
- A client that sends no complete line for ``idle_timeout`` seconds gets ``IDLE_ERROR`` and is
  disconnected.
- A line longer than ``max_line`` bytes (its newline not counted) gets ``TOO_LONG_ERROR`` and
  closes that client, and only that one; the lines before it were already echoed.
- A client that does not take what it is sent for ``send_timeout`` seconds (it sends lines and
  never reads the echoes) is disconnected, and the server says so on stderr: the client cannot
  be told, since it is not reading. The other clients are served as before.
- Out of descriptors (``ulimit -n``), new clients wait in the listen queue, and stderr says so
  once per episode (``ACCEPT_ERROR``), not once per retry. With not even one descriptor left
  for a client, the server does not start: one line on stderr, status 1.
- Ctrl-C stops accepting, closes every connection at once (what the server still held for a
  client is dropped; what the kernel had taken still reaches one that reads), prints
  ``stopped`` and exits with status 130, with nothing on stderr. Further Ctrl-Cs change
  nothing: the shutdown waits on no client.

Run it: ``python -m asyncio_ref.server --port 8888``, then ``nc 127.0.0.1 8888`` in another
terminal, as many times as you like.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import math
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence

HOST = "127.0.0.1"
DEFAULT_PORT = 8888
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_MAX_LINE = 1024
DEFAULT_SEND_TIMEOUT = 30.0
IDLE_ERROR = "error: idle for {idle_timeout:g} s, closing\n"
TOO_LONG_ERROR = "error: line longer than {max_line} bytes, closing\n"
#: On stderr, after ``client HOST:PORT: ``.
SEND_ERROR = "error: not reading for {send_timeout:g} s, closing"
#: On stderr, once per episode: accept failures less than EPISODE_GAP seconds apart.
ACCEPT_ERROR = "error: cannot accept clients for now ({reason}): they wait in the queue"
EPISODE_GAP = 5.0


class Unusable(Exception):
    """The server listens but cannot serve: the message says why."""


def warn(line: str) -> None:
    """Print ``line`` on stderr. A stderr that is gone (a pipe whose reader left) must end
    neither a connection nor, in Trio, the whole server: the line is lost, nothing else."""
    if sys.stderr is None:  # started with stderr closed (2>&-): print would write to stdout
        return
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr, flush=True)


class AcceptErrors:
    """Failures to accept (out of descriptors): one line per episode, not one per retry."""

    def __init__(self) -> None:
        self.last = -math.inf
        self.listening = False

    def report(self, error: OSError, now: float) -> None:
        if not self.listening:  # not yet: announce() will say more, in one line
            return
        if now - self.last > EPISODE_GAP:
            warn(ACCEPT_ERROR.format(reason=os.strerror(error.errno or 0)))
        self.last = now


def peer(writer: asyncio.StreamWriter) -> str:
    """The client's ``HOST:PORT``, as its connection knew it (``?`` if it never did)."""
    raise NotImplementedError("write peer")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 idle_timeout: float, max_line: int, send_timeout: float) -> None:
    """Echo each line back to its client until it leaves, idles, sends a line too long, or
    stops reading."""
    # The lesson: (lesson 8, beyond the notebook) echo every complete line back to its client; close
    #             it after idle_timeout s without a line, or after a line longer than max_line
    #             bytes, with the error line; once sending it a line has waited send_timeout s (it
    #             is not reading), without one (said on stderr)
    # The reference says: drain() returns once the buffer is empty (by default it returns at once
    #                     while the buffer holds at most 64 KiB, and past that once it is down to 16
    #                     KiB): as Trio's send_all does, and so that close() below never waits on
    #                     bytes a client will not read.
    # The reference says: And the kernel takes a write only while under 16 KiB is not yet sent, as
    #                     Trio's SocketStream makes it (a write it takes can go past that: on
    #                     loopback, for a client that reads nothing, 17 KiB stayed unsent in this
    #                     twin, 18 to 47 KiB in Trio's, always under 64 KiB): by default it takes up
    #                     to its whole send buffer (MiBs) from a client that does not read, and
    #                     drain() waits, and the send deadline starts, only once that is full.
    # The reference says: gone already; no such option here
    # The reference says: an error line is the last one
    # The reference says: the line overran the reader's limit, start_server(limit=)
    # The reference says: end of stream: the client left, maybe mid-line
    # The reference says: close() would wait for the buffer to drain: forever
    # The reference says: Trio's send_all is a checkpoint even when the kernel takes the bytes at
    #                     once; drain() and readline() do not yield then, and a client that sent
    #                     many lines at once held the loop, and every other client, until all were
    #                     echoed.
    # The reference says: the client vanished: only this connection ends
    # The reference says: the buffer is empty (drained or aborted): this closes at once
    raise NotImplementedError("write handle")


def announce(fd: int, port: int) -> None:
    """Print the listening line, once a client could be served; Unusable if not."""
    try:  # a client takes one descriptor: if none is left, no client ever will be served
        os.close(os.dup(fd))
    except OSError as exc:
        raise Unusable(f"listening on {HOST}:{port}, but no descriptor is left for a client: "
                       f"{os.strerror(exc.errno or 0)}") from None
    if sys.stdout is None:  # started with stdout closed (>&-): print would drop the line
        raise Unusable(f"listening on {HOST}:{port}, but cannot print that line: no stdout")
    try:
        print(f"listening on {HOST}:{port}", flush=True)
    except OSError as exc:
        stdout_gone()
        raise Unusable(f"listening on {HOST}:{port}, but cannot print that line: "
                       f"{os.strerror(exc.errno or 0)}") from None


def stdout_gone() -> None:
    """Write stdout to /dev/null from now on: Python's final flush would fail again, loudly."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _no_socket() -> None:
    """create_server skips an address whose socket() fails, taking it for an unsupported
    family: Python 3.11 and 3.12 then return a server with no socket, 3.13 raises an OSError
    without an errno. The usual cause is a lack of descriptors: open a socket to raise it."""
    socket.socket().close()


def hold_ctrl_c() -> None:
    """Block SIGINT until the process exits: the server is stopping, and its shutdown waits on
    no client, so a second Ctrl-C has nothing to cut short. Delivered, it could only land in the
    middle of the cleanup, or kill the process as it exits (status -2, not 130)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


async def serve(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                max_line: int = DEFAULT_MAX_LINE,
                send_timeout: float = DEFAULT_SEND_TIMEOUT) -> None:
    """Listen on ``HOST:port`` and serve every client until cancelled (by Ctrl-C)."""
    # The lesson: listen on HOST:port, print the listening line, serve many clients at once until
    #             cancelled
    # The reference says: accepted just before the server closed: not in `clients` in time
    # The reference says: start_server gives us no handle on its tasks: we keep one
    # The reference says: Out of descriptors, the loop stops accepting for 1 s and reports each
    #                     failure, with its traceback: about 100 a batch (the accept loop does not
    #                     stop at the first, CPython issue 151615, in 3.11 to 3.13), and each
    #                     failure schedules a retry of its own.
    # The reference says: "could not bind on any address" (3.13): see _no_socket
    # The reference says: 3.11, 3.12: see _no_socket
    # The reference says: forever: cancelled on Ctrl-C
    # The reference says: Server.close() stops accepting but leaves the connections open (Python
    #                     3.11), and serve_forever() would do no more. Cancelling the handlers'
    #                     tasks is no better: start_server's done-callback then logs a
    #                     CancelledError traceback for each (it calls task.exception() on them).
    #                     Aborting each connection wakes its handler: in readline (the end of the
    #                     stream), or in drain, which returns; its next line goes nowhere, and the
    #                     drain after it raises ConnectionResetError. close() would not wake a
    #                     drain: it waits for the buffer to empty, which a client that does not read
    #                     never lets happen.
    raise NotImplementedError("write serve")


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next await. True if Ctrl-C came.

    asyncio.run's own SIGINT handler cancels the main task too, but from *inside* the signal
    handler, between any two bytecodes, and a second Ctrl-C raises KeyboardInterrupt there,
    in the middle of the cleanup (``gather`` included). A handler added with
    ``loop.add_signal_handler`` runs as an ordinary callback of the loop, between two steps,
    as Trio's signal receiver does.
    """
    # The reference says: inherited: keep ignoring it
    # The reference says: two presses may both be queued: the second changes nothing
    # The reference says: not ours (or not only ours): let it go on
    raise NotImplementedError("write _until_ctrl_c")


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE, send_timeout: float = DEFAULT_SEND_TIMEOUT) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the server cannot start."""
    # The lesson: Ctrl-C stops accepting, closes every connection, prints stopped, returns 130
    # The reference says: a Ctrl-C before the handler was in place
    # The reference says: if it never started: no "coroutine was never awaited" warning
    # The reference says: if the loop could not even start: no "never awaited" warning
    # It prints exactly (the check compares every line):
    #     print("stopped", flush=True)
    raise NotImplementedError("write run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.server",
        description="A line-echo TCP server on 127.0.0.1: every line a client sends comes "
                    "back to it. Ctrl-C stops it.")
    parser.add_argument("--port", metavar="N", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on; 0 picks a free one (default: {DEFAULT_PORT})")
    parser.add_argument("--idle-timeout", metavar="S", type=float, default=DEFAULT_IDLE_TIMEOUT,
                        help="seconds a client may send no complete line "
                             f"(default: {DEFAULT_IDLE_TIMEOUT:g})")
    parser.add_argument("--max-line", metavar="N", type=int, default=DEFAULT_MAX_LINE,
                        help=f"longest line in bytes, newline not counted "
                             f"(default: {DEFAULT_MAX_LINE})")
    parser.add_argument("--send-timeout", metavar="S", type=float, default=DEFAULT_SEND_TIMEOUT,
                        help="seconds a line may wait to be sent to a client that reads "
                             f"nothing (default: {DEFAULT_SEND_TIMEOUT:g})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if not args.idle_timeout > 0 or args.max_line < 1 or not args.send_timeout > 0:
        parser.error("--idle-timeout, --max-line and --send-timeout must be positive")
    return run(args.port, idle_timeout=args.idle_timeout, max_line=args.max_line,
               send_timeout=args.send_timeout)


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # a Ctrl-C before the server began
        hold_ctrl_c()
        status = 130
    sys.exit(status)
