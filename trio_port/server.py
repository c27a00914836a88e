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
- Ctrl-C stops accepting, closes every connection, prints ``stopped`` and exits with status
  130, without a traceback.

Run it: ``python -m trio_port.server --port 8888``, then ``nc 127.0.0.1 8888`` in another
terminal, as many times as you like.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

import trio

HOST = "127.0.0.1"
DEFAULT_PORT = 8888
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_MAX_LINE = 1024
IDLE_ERROR = "error: idle for {idle_timeout:g} s, closing\n"
TOO_LONG_ERROR = "error: line longer than {max_line} bytes, closing\n"


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


async def handle(stream: trio.SocketStream, *,
                 idle_timeout: float, max_line: int) -> None:
    """Echo each line back to its client until it leaves, idles, or sends a line too long."""
    reader = _LineReader(stream, max_line)
    try:
        while True:
            try:
                with trio.fail_after(idle_timeout):
                    line = await reader.readline()
            except trio.TooSlowError:  # not TimeoutError: Trio's own exception
                await stream.send_all(IDLE_ERROR.format(idle_timeout=idle_timeout).encode())
                break
            except ValueError:  # the line overran _LineReader's limit
                await stream.send_all(TOO_LONG_ERROR.format(max_line=max_line).encode())
                break
            if not line.endswith(b"\n"):  # end of stream: the client left, maybe mid-line
                break
            await stream.send_all(line)
    # An exception that escapes a handler would cancel serve_tcp and every other client:
    # a client that vanished must end only its own connection.
    except trio.BrokenResourceError:
        pass
    # No close here: serve_tcp closes the stream when its handler returns, however it ends.


async def serve(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                max_line: int = DEFAULT_MAX_LINE) -> None:
    """Listen on ``HOST:port`` and serve every client until cancelled (by Ctrl-C)."""
    # serve_tcp runs each handler in its own nursery: cancelling it stops accepting and
    # closes every connection, so there is no set of client tasks to keep and cancel.
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(functools.partial(
            trio.serve_tcp, functools.partial(handle, idle_timeout=idle_timeout,
                                              max_line=max_line), port, host=HOST))
        print(f"listening on {HOST}:{listeners[0].socket.getsockname()[1]}")


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint. True if Ctrl-C came.

    This is what asyncio.run's own SIGINT handler does for its twin (it cancels the main
    task). Left alone, Trio raises KeyboardInterrupt wherever the signal lands, which may be in
    the middle of a send, between two lines of bookkeeping.
    """
    interrupted = False
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                nonlocal interrupted
                async for _ in signals:
                    interrupted = True
                    nursery.cancel_scope.cancel()

            nursery.start_soon(watch)
            await fn()
            nursery.cancel_scope.cancel()  # done: stop watching
    return interrupted


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the port cannot be had."""
    failed: BaseException | None = None
    try:
        interrupted = trio.run(_until_ctrl_c, functools.partial(
            serve, port, idle_timeout=idle_timeout, max_line=max_line))
    except* KeyboardInterrupt:  # a Ctrl-C before the receiver opened, inside a group
        interrupted = True
    except* OSError as group:  # no return in except*: remember it
        failed = group
    while isinstance(failed, BaseExceptionGroup):  # one group for each nursery it left
        failed = failed.exceptions[0]
    if isinstance(failed, OSError):
        print(f"error: cannot listen on {HOST}:{port}: {os.strerror(failed.errno or 0)}",
              file=sys.stderr)
        return 1
    if interrupted:
        print("stopped")
        return 130
    return 0


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if not args.idle_timeout > 0 or args.max_line < 1:
        parser.error("--idle-timeout and --max-line must be positive")
    return run(args.port, idle_timeout=args.idle_timeout, max_line=args.max_line)


if __name__ == "__main__":
    sys.exit(main())
