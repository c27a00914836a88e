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
- Ctrl-C stops accepting, closes every connection, prints ``stopped`` and exits with status
  130, without a traceback.

Run it: ``python -m asyncio_ref.server --port 8888``, then ``nc 127.0.0.1 8888`` in another
terminal, as many times as you like.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Sequence

HOST = "127.0.0.1"
DEFAULT_PORT = 8888
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_MAX_LINE = 1024
IDLE_ERROR = "error: idle for {idle_timeout:g} s, closing\n"
TOO_LONG_ERROR = "error: line longer than {max_line} bytes, closing\n"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 idle_timeout: float, max_line: int) -> None:
    """Echo each line back to its client until it leaves, idles, or sends a line too long."""
    try:
        while True:
            try:
                async with asyncio.timeout(idle_timeout):
                    line = await reader.readline()
            except TimeoutError:
                writer.write(IDLE_ERROR.format(idle_timeout=idle_timeout).encode())
                break
            except ValueError:  # the line overran the reader's limit, start_server(limit=)
                writer.write(TOO_LONG_ERROR.format(max_line=max_line).encode())
                break
            if not line.endswith(b"\n"):  # end of stream: the client left, maybe mid-line
                break
            writer.write(line)
            await writer.drain()
    except ConnectionError:  # the client vanished: only this connection ends
        pass
    finally:
        writer.close()  # sends what is still buffered (an error line), then closes
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def serve(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                max_line: int = DEFAULT_MAX_LINE) -> None:
    """Listen on ``HOST:port`` and serve every client until cancelled (by Ctrl-C)."""
    clients: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        clients[task] = writer  # start_server keeps no handle on the tasks it starts: we do
        try:
            await handle(reader, writer, idle_timeout=idle_timeout, max_line=max_line)
        finally:
            del clients[task]

    server = await asyncio.start_server(on_connect, HOST, port, limit=max_line)
    print(f"listening on {HOST}:{server.sockets[0].getsockname()[1]}")
    try:
        await asyncio.Future()  # forever: asyncio.run cancels this task on Ctrl-C
    finally:
        # Server.close() stops accepting but leaves the connections open (Python 3.11), and
        # serve_forever() would do no more. Cancelling the handlers' tasks is no better:
        # start_server's done-callback then logs a CancelledError traceback for each (it
        # calls task.exception() on them). Closing each connection ends its handler's
        # readline with the end of the stream instead.
        server.close()
        for writer in clients.values():
            writer.close()
        await asyncio.gather(*clients, return_exceptions=True)
        await server.wait_closed()


def run(port: int = DEFAULT_PORT, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_line: int = DEFAULT_MAX_LINE) -> int:
    """Serve until Ctrl-C. The exit status: 130 after Ctrl-C, 1 if the port cannot be had."""
    try:
        asyncio.run(serve(port, idle_timeout=idle_timeout, max_line=max_line))
    except KeyboardInterrupt:
        print("stopped")
        return 130
    except OSError as e:
        print(f"error: cannot listen on {HOST}:{port}: {os.strerror(e.errno or 0)}",
              file=sys.stderr)
        return 1
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
