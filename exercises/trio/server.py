# Exercise: lesson 'server' (beyond the notebook, A line-echo TCP server), to port to Trio.
# Generated from trio_port/server.py by scripts/make_exercises.py: do not edit it here. Copy it,
# write each body (its comments are this lesson's steps, and our port's reasons), then run:
#     walkthrough check server my_server.py
#     (it plays a session of clients; python my_server.py --port 8888 serves nc 127.0.0.1 8888)
# To see the asyncio version next to ours: walkthrough diff server
"""Lesson 8 (beyond the notebook): a line-echo TCP server, ``trio.serve_tcp``.

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

Run it: ``python -m trio_port.server --port 8888``, then ``nc 127.0.0.1 8888`` in another
terminal, as many times as you like.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import math
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

import trio

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


class _LineReader:
    """``StreamReader.readline`` for a Trio stream: Trio has no readline.

    A Trio stream is bytes in, bytes out (``receive_some``, ``send_all``), whatever carries
    them (TCP, TLS, a pipe, an in-memory pair in a test); where the messages end is the
    protocol's business, so the buffering that asyncio builds into every StreamReader is
    written here, once, for lines. It keeps readline's contract, so ``handle`` reads like its
    twin: a line with its newline; the partial line (maybe b"") at the end of the stream; and
    ValueError once a line's newline is not within ``max_line`` bytes, as start_server(limit=)
    makes readline do.
    """

    def __init__(self, stream: trio.abc.ReceiveStream, max_line: int) -> None:
        self.stream = stream
        self.max_line = max_line
        self.buffer = bytearray()
        self.searched = 0  # bytes already searched for a newline: each byte is looked at once

    async def readline(self) -> bytes:
        while True:
            end = self.buffer.find(b"\n", self.searched)
            if end > self.max_line or (end < 0 and len(self.buffer) > self.max_line):
                raise ValueError(f"line longer than {self.max_line} bytes")
            if end >= 0:
                line = bytes(self.buffer[:end + 1])
                del self.buffer[:end + 1]
                self.searched = 0
                return line
            self.searched = len(self.buffer)
            data = await self.stream.receive_some()
            if not data:  # end of stream
                line = bytes(self.buffer)
                self.buffer.clear()
                return line
            self.buffer += data


def peer(stream: trio.SocketStream) -> str:
    """The client's ``HOST:PORT`` (``?`` if the connection is gone: an OSError escaping a
    handler would end the whole server)."""
    raise NotImplementedError("write peer")


async def handle(stream: trio.SocketStream, *,
                 idle_timeout: float, max_line: int, send_timeout: float) -> None:
    """Echo each line back to its client until it leaves, idles, sends a line too long, or
    stops reading."""
    # The lesson: (lesson 8, beyond the notebook) echo every complete line back to its client; close
    #             it after idle_timeout s without a line, or after a line longer than max_line
    #             bytes, with the error line; once sending it a line has waited send_timeout s (it
    #             is not reading), without one (said on stderr)
    # Our port says: an error line is the last one
    # Our port says: not TimeoutError: Trio's own exception
    # Our port says: the line overran _LineReader's limit
    # Our port says: end of stream: the client left, maybe mid-line
    # Our port says: Trio's other timeout, move_on_after: a flag, not TooSlowError, and without the
    #                generator that fail_after puts around its scope, which every line would pay
    #                for.
    # Our port says: An exception that escapes a handler would cancel serve_tcp and every other
    #                client: a client that vanished must end only its own connection.
    raise NotImplementedError("write handle")
    # No close here: serve_tcp closes the stream when its handler returns, however it ends.


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
    # Our port says: Out of descriptors, serve_tcp logs each failure to accept, with its traceback,
    #                and tries again 0.1 s later: ten tracebacks a second.
    # Our port says: serve_tcp runs the handlers in a nursery of its own: cancelling it stops
    #                accepting and closes every connection, so there is no set of client tasks to
    #                keep and cancel.
    raise NotImplementedError("write serve")


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint. True if Ctrl-C came.

    This is what the twin's ``_until_ctrl_c`` does (it cancels the main task, from a handler
    that runs as a callback of the loop, in place of asyncio.run's own). Left alone, Trio raises
    KeyboardInterrupt wherever the signal lands, which may be in the middle of a send, between
    two lines of bookkeeping.
    """
    # Our port says: inherited: keep ignoring it
    # Our port says: two presses may both be queued: one is enough
    # Our port says: done: stop watching
    raise NotImplementedError("write _until_ctrl_c")


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE, send_timeout: float = DEFAULT_SEND_TIMEOUT) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the server cannot start."""
    # The lesson: Ctrl-C stops accepting, closes every connection, prints stopped, returns 130
    # Our port says: a Ctrl-C before the receiver opened (bare or in a group)
    # Our port says: no return in except*: remember it
    # Our port says: one group for each nursery it left
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
