"""Bench-only: lesson 8's handler with one deadline per connection, moved before each wait.

The twins open a timeout for each wait, two a line: ``trio.fail_after`` around the read and
``trio.move_on_after`` around the send in the Trio twin, ``asyncio.timeout`` around both in
the asyncio twin. These handlers keep the same two deadlines (``idle_timeout`` for a line to
come, ``send_timeout`` for it to go back) on one Trio cancel scope, or one asyncio ``Timeout``,
per connection, moved before each wait. Run against each other, they measure what opening and
closing a timeout per wait costs each framework: that is what they change, with the little the
single scope lets them drop (the twins' per-line ``try``/``except`` around the read and their
``last`` flag; see below for the error lines), and, once per connection, the asyncio one ends
with ``transport.abort()`` where its twin closes and waits (``close``, ``wait_closed``).

``bench.echoserve`` puts them in place of the twin's ``handle`` before it calls ``serve``, for
the ``-deadline`` rows only: the Trio twin's ``serve`` looks the name up once, as it starts
(``functools.partial(handle, ...)`` for ``serve_tcp``), the asyncio twin's at each connection.
They are the echo path, not the lesson: a deadline that expires or a line too long closes the
connection without the twins' error lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import trio


async def trio_handle(stream: trio.SocketStream, *,
                      idle_timeout: float, max_line: int, send_timeout: float) -> None:
    import trio  # here, not above: the asyncio rows' servers do not load Trio

    from trio_port.server import _LineReader

    reader = _LineReader(stream, max_line)
    try:
        with trio.CancelScope() as deadline:  # expired: the scope catches it, the handler returns
            while True:
                deadline.deadline = trio.current_time() + idle_timeout
                line = await reader.readline()
                if not line.endswith(b"\n"):
                    return
                deadline.deadline = trio.current_time() + send_timeout
                await stream.send_all(line)
    except (trio.BrokenResourceError, ValueError):
        pass


async def asyncio_handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                         idle_timeout: float, max_line: int, send_timeout: float) -> None:
    # The twin's own set-up, so that only the deadlines differ.
    writer.transport.set_write_buffer_limits(0)
    with contextlib.suppress(OSError, AttributeError):
        writer.get_extra_info("socket").setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, 16 * 1024)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(None) as deadline:
            while True:
                deadline.reschedule(loop.time() + idle_timeout)
                line = await reader.readline()
                if not line.endswith(b"\n"):
                    break
                writer.write(line)
                deadline.reschedule(loop.time() + send_timeout)
                await writer.drain()
                await asyncio.sleep(0)  # as the twin: one yield a line
    except (ConnectionError, TimeoutError, ValueError):
        pass
    finally:
        writer.transport.abort()  # close() could wait on a client that does not read
