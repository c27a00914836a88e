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
    address = writer.get_extra_info("peername")
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else "?"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 idle_timeout: float, max_line: int, send_timeout: float) -> None:
    """Echo each line back to its client until it leaves, idles, sends a line too long, or
    stops reading."""
    # drain() returns once the buffer is empty (by default it returns at once while the buffer
    # holds at most 64 KiB, and past that once it is down to 16 KiB): as Trio's send_all does,
    # and so that close() below never waits on bytes a client will not read.
    writer.transport.set_write_buffer_limits(0)
    # And the kernel takes a write only while under 16 KiB is not yet sent, as Trio's
    # SocketStream makes it (a write it takes can go past that: on loopback, for a client
    # that reads nothing, 17 KiB stayed unsent in this twin, 18 to 47 KiB in Trio's, always
    # under 64 KiB):
    # by default it takes up to its whole send buffer (MiBs) from a client that does not read,
    # and drain() waits, and the send deadline starts, only once that is full.
    with contextlib.suppress(OSError, AttributeError):  # gone already; no such option here
        writer.get_extra_info("socket").setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, 16 * 1024)
    try:
        while True:
            last = True  # an error line is the last one
            try:
                async with asyncio.timeout(idle_timeout):
                    line = await reader.readline()
            except TimeoutError:
                line = IDLE_ERROR.format(idle_timeout=idle_timeout).encode()
            except ValueError:  # the line overran the reader's limit, start_server(limit=)
                line = TOO_LONG_ERROR.format(max_line=max_line).encode()
            else:
                if not line.endswith(b"\n"):  # end of stream: the client left, maybe mid-line
                    break
                last = False
            writer.write(line)
            try:
                async with asyncio.timeout(send_timeout):
                    await writer.drain()
            except TimeoutError:
                warn(f"client {peer(writer)}: " + SEND_ERROR.format(send_timeout=send_timeout))
                writer.transport.abort()  # close() would wait for the buffer to drain: forever
                break
            if last:
                break
            # Trio's send_all is a checkpoint even when the kernel takes the bytes at once;
            # drain() and readline() do not yield then, and a client that sent many lines at
            # once held the loop, and every other client, until all were echoed.
            await asyncio.sleep(0)
    except ConnectionError:  # the client vanished: only this connection ends
        pass
    finally:
        writer.close()  # the buffer is empty (drained or aborted): this closes at once
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


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
    clients: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
    stopping = False
    accept_errors = AcceptErrors()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if stopping:  # accepted just before the server closed: not in `clients` in time
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        clients[task] = writer  # start_server gives us no handle on its tasks: we keep one
        try:
            await handle(reader, writer, idle_timeout=idle_timeout, max_line=max_line,
                         send_timeout=send_timeout)
        finally:
            del clients[task]

    def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # Out of descriptors, the loop stops accepting for 1 s and reports each failure, with
        # its traceback: about 100 a batch (the accept loop does not stop at the first, CPython
        # issue 151615, in 3.11 to 3.13), and each failure schedules a retry of its own.
        error = context.get("exception")
        if (context.get("message") == "socket.accept() out of system resource"
                and isinstance(error, OSError)):
            accept_errors.report(error, loop.time())
        else:
            loop.default_exception_handler(context)

    asyncio.get_running_loop().set_exception_handler(on_loop_error)
    try:
        server = await asyncio.start_server(on_connect, HOST, port, limit=max_line)
    except OSError as exc:
        if exc.errno is None:  # "could not bind on any address" (3.13): see _no_socket
            _no_socket()
        raise
    try:
        if not server.sockets:  # 3.11, 3.12: see _no_socket
            _no_socket()
        listener = server.sockets[0]
        announce(listener.fileno(), listener.getsockname()[1])
        accept_errors.listening = True
        await asyncio.Future()  # forever: cancelled on Ctrl-C
    finally:
        # Server.close() stops accepting but leaves the connections open (Python 3.11), and
        # serve_forever() would do no more. Cancelling the handlers' tasks is no better:
        # start_server's done-callback then logs a CancelledError traceback for each (it
        # calls task.exception() on them). Aborting each connection wakes its handler: in
        # readline (the end of the stream), or in drain, which returns; its next line goes
        # nowhere, and the drain after it raises ConnectionResetError. close() would not wake
        # a drain: it waits for the buffer to empty, which a client that does not read never
        # lets happen.
        stopping = True
        server.close()
        for writer in clients.values():
            writer.transport.abort()
        await asyncio.gather(*clients, return_exceptions=True)
        await server.wait_closed()


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next await. True if Ctrl-C came.

    asyncio.run's own SIGINT handler cancels the main task too, but from *inside* the signal
    handler, between any two bytecodes, and a second Ctrl-C raises KeyboardInterrupt there,
    in the middle of the cleanup (``gather`` included). A handler added with
    ``loop.add_signal_handler`` runs as an ordinary callback of the loop, between two steps,
    as Trio's signal receiver does.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # inherited: keep ignoring it
        await fn()
        return False
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None
    presses = 0

    def on_sigint() -> None:
        nonlocal presses
        presses += 1
        if presses == 1:  # two presses may both be queued: the second changes nothing
            hold_ctrl_c()
            task.cancel()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        await fn()
    except asyncio.CancelledError:
        if not presses or task.uncancel():  # not ours (or not only ours): let it go on
            raise
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    return presses > 0


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE, send_timeout: float = DEFAULT_SEND_TIMEOUT) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the server cannot start."""
    main = _until_ctrl_c(functools.partial(
        serve, port, idle_timeout=idle_timeout, max_line=max_line, send_timeout=send_timeout))
    try:
        interrupted = asyncio.run(main)
    except KeyboardInterrupt:  # a Ctrl-C before the handler was in place
        hold_ctrl_c()
        main.close()  # if it never started: no "coroutine was never awaited" warning
        interrupted = True
    except Unusable as e:
        warn(f"error: {e}")
        return 1
    except OSError as e:
        main.close()  # if the loop could not even start: no "never awaited" warning
        warn(f"error: cannot listen on {HOST}:{port}: {os.strerror(e.errno or 0)}")
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
