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
    try:
        address = stream.socket.getpeername()
    except OSError:
        return "?"
    return f"{address[0]}:{address[1]}"


async def handle(stream: trio.SocketStream, *,
                 idle_timeout: float, max_line: int, send_timeout: float) -> None:
    """Echo each line back to its client until it leaves, idles, sends a line too long, or
    stops reading."""
    reader = _LineReader(stream, max_line)
    try:
        while True:
            last = True  # an error line is the last one
            try:
                with trio.fail_after(idle_timeout):
                    line = await reader.readline()
            except trio.TooSlowError:  # not TimeoutError: Trio's own exception
                line = IDLE_ERROR.format(idle_timeout=idle_timeout).encode()
            except ValueError:  # the line overran _LineReader's limit
                line = TOO_LONG_ERROR.format(max_line=max_line).encode()
            else:
                if not line.endswith(b"\n"):  # end of stream: the client left, maybe mid-line
                    break
                last = False
            # Trio's other timeout, move_on_after: a flag, not TooSlowError, and without the
            # generator that fail_after puts around its scope, which every line would pay for.
            with trio.move_on_after(send_timeout) as sending:
                await stream.send_all(line)
            if sending.cancelled_caught:
                warn(f"client {peer(stream)}: " + SEND_ERROR.format(send_timeout=send_timeout))
                break
            if last:
                break
    # An exception that escapes a handler would cancel serve_tcp and every other client:
    # a client that vanished must end only its own connection.
    except trio.BrokenResourceError:
        pass
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
    accept_errors = AcceptErrors()

    def on_accept_error(record: logging.LogRecord) -> bool:
        # Out of descriptors, serve_tcp logs each failure to accept, with its traceback, and
        # tries again 0.1 s later: ten tracebacks a second.
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, OSError):
            accept_errors.report(error, trio.current_time())
            return False
        return True

    logger = logging.getLogger("trio.serve_listeners")
    logger.addFilter(on_accept_error)
    try:
        # serve_tcp runs the handlers in a nursery of its own: cancelling it stops accepting and
        # closes every connection, so there is no set of client tasks to keep and cancel.
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(functools.partial(
                trio.serve_tcp, functools.partial(handle, idle_timeout=idle_timeout,
                                                  max_line=max_line, send_timeout=send_timeout),
                port, host=HOST))
            listener = listeners[0].socket
            announce(listener.fileno(), listener.getsockname()[1])
            accept_errors.listening = True
    finally:
        logger.removeFilter(on_accept_error)


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint. True if Ctrl-C came.

    This is what the twin's ``_until_ctrl_c`` does (it cancels the main task, from a handler
    that runs as a callback of the loop, in place of asyncio.run's own). Left alone, Trio raises
    KeyboardInterrupt wherever the signal lands, which may be in the middle of a send, between
    two lines of bookkeeping.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # inherited: keep ignoring it
        await fn()
        return False
    interrupted = False
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                nonlocal interrupted
                async for _ in signals:
                    if not interrupted:  # two presses may both be queued: one is enough
                        hold_ctrl_c()
                        interrupted = True
                        nursery.cancel_scope.cancel()

            nursery.start_soon(watch)
            await fn()
            nursery.cancel_scope.cancel()  # done: stop watching
    return interrupted


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE, send_timeout: float = DEFAULT_SEND_TIMEOUT) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the server cannot start."""
    failed: BaseException | None = None
    try:
        interrupted = trio.run(_until_ctrl_c, functools.partial(
            serve, port, idle_timeout=idle_timeout, max_line=max_line,
            send_timeout=send_timeout))
    except* KeyboardInterrupt:  # a Ctrl-C before the receiver opened (bare or in a group)
        hold_ctrl_c()
        interrupted = True
    except* (Unusable, OSError) as group:  # no return in except*: remember it
        failed = group
    while isinstance(failed, BaseExceptionGroup):  # one group for each nursery it left
        failed = failed.exceptions[0]
    if isinstance(failed, Unusable):
        warn(f"error: {failed}")
        return 1
    if isinstance(failed, OSError):
        warn(f"error: cannot listen on {HOST}:{port}: {os.strerror(failed.errno or 0)}")
        return 1
    if interrupted:
        try:
            print("stopped", flush=True)
        except OSError:
            stdout_gone()
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
