"""What the lesson twins' comments say the client libraries and the kernel do, as tests.

The crawler and server twins explain their settings by what the libraries would do without
them. People copy those settings, so each explanation is shown here under the condition it
names:

- the connection pools' defaults (``asyncio_ref/crawler.py``'s docstring): aiohttp's
  connector counts only connections in use against its 100, and keeps up to 100 idle for each
  host besides; httpx's pool opens at most 100 in all and keeps at most 20 idle;
- aiohttp's read-ahead (``make_client``'s ``read_bufsize`` comment): twice ``read_bufsize``
  before the first read, twice the chunk ``iter_chunked`` asks for once that is larger, and at
  most one more read of the transport (256 KiB) while it pauses;
- ``TCP_NOTSENT_LOWAT`` (``asyncio_ref/server.py``'s ``handle``): with the option, the
  kernel holds a few tens of KiB unsent for a client that reads nothing, in both twins; without
  it, MiBs.

Real sockets on 127.0.0.1; the waits are for the kernel's buffers, not for time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import socket
import struct
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
import httpx
import pytest

from tests.test_server_hostile import accepted, handle_in_process

#: A burst of requests at once, the pools' default bound (aiohttp's ``limit``, httpx's
#: ``max_connections``).
BURST = 100


class KeepAliveServer:
    """An HTTP/1.1 server that keeps connections open and answers only once ``release`` is
    set: with it held, every request of a burst is in flight at once, and ``open`` counts the
    connections the client holds (in use or idle), as the server sees them."""

    def __init__(self) -> None:
        self.open = 0
        self.waiting = 0
        self.release = asyncio.Event()
        self.changed = asyncio.Condition()  # notified when open or waiting changes
        self.server: asyncio.Server | None = None

    async def count(self, open: int = 0, waiting: int = 0) -> None:
        async with self.changed:
            self.open += open
            self.waiting += waiting
            self.changed.notify_all()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.count(open=1)
        try:
            while True:
                try:
                    await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                await self.count(waiting=1)
                await self.release.wait()
                await self.count(waiting=-1)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        finally:
            await self.count(open=-1)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=2 * BURST)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/"

    async def all_arrived(self, n: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self.waiting == n)

    async def settle(self, n: int) -> None:
        """Until the server counts ``n`` open connections (a client's close reaches it as an
        end of stream, a step of the loop later)."""
        async with asyncio.timeout(20), self.changed:
            await self.changed.wait_for(lambda: self.open == n)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def burst(get: Callable[[str], Coroutine[Any, Any, object]], url: str,
                server: KeepAliveServer) -> None:
    """``BURST`` requests at once: all of them reach the server before any is answered."""
    async with asyncio.TaskGroup() as tg:
        for _ in range(BURST):
            tg.create_task(get(url))
        async with asyncio.timeout(20):
            await server.all_arrived(BURST)
        server.release.set()
    server.release.clear()


@pytest.mark.timeout(60)
def test_aiohttp_keeps_100_idle_per_host_beyond_its_limit_httpx_20_in_a_pool_of_100() -> None:
    """aiohttp's ``limit`` (100) counts connections in use: after a burst of 100 to one host,
    100 stay open idle, and a burst of 100 to a second host runs at once beside them (200 open).
    httpx's pool keeps 20 of a burst's 100 idle, and its 100 count the idle ones: the second
    host's burst closes them (100 open)."""

    async def main() -> tuple[list[int], list[int]]:
        counts: dict[str, list[int]] = {}
        for library in ("aiohttp", "httpx"):
            one, two = KeepAliveServer(), KeepAliveServer()
            first, second = await one.start(), await two.start()
            seen = counts[library] = []
            if library == "aiohttp":
                async with aiohttp.ClientSession() as session:

                    async def get(url: str) -> object:
                        async with session.get(url) as response:
                            return await response.read()

                    for server, url in ((one, first), (two, second)):
                        await burst(get, url, server)
                        await asyncio.sleep(0)
                        seen.append(one.open + two.open)
            else:
                async with httpx.AsyncClient() as client:

                    async def get_httpx(url: str) -> object:
                        return (await client.get(url)).content

                    await burst(get_httpx, first, one)
                    await one.settle(20)
                    seen.append(one.open + two.open)
                    await burst(get_httpx, second, two)
                    await one.settle(0)
                    seen.append(one.open + two.open)
            await one.settle(0)
            await two.settle(0)
            await one.stop()
            await two.stop()
        return counts["aiohttp"], counts["httpx"]

    aiohttp_open, httpx_open = asyncio.run(main())
    assert aiohttp_open == [BURST, 2 * BURST]
    assert httpx_open == [20, BURST]


def _body_server(body: int) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter],
                                         Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                     % body)
        with contextlib.suppress(ConnectionError):
            writer.write(b"x" * body)
            await writer.drain()
        writer.close()

    return handle


#: asyncio's selector transport reads at most this much a time (``max_size``).
TRANSPORT_READ = 256 * 1024


@pytest.mark.timeout(60)
@pytest.mark.parametrize("read_bufsize", [16 * 1024, None], ids=["16KiB", "default"])
def test_aiohttp_reads_ahead_twice_its_limit_then_one_read_more(read_bufsize: int | None) -> None:
    """Before the first read, aiohttp buffers up to twice ``read_bufsize`` (256 KiB by
    default); ``iter_chunked(64 KiB)`` raises a smaller limit to the chunk (64 and 128 KiB);
    and what waits unread passes the high mark by at most one read of the transport, the one
    that made it pause. So ``read_bufsize=16 KiB`` holds less than the default while
    ``read_capped`` reads, though not 16 KiB."""
    body = 8 << 20

    async def main() -> tuple[tuple[int, int], tuple[int, int], int]:
        server = await asyncio.start_server(_body_server(body), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        session = (aiohttp.ClientSession(auto_decompress=False) if read_bufsize is None else
                   aiohttp.ClientSession(auto_decompress=False, read_bufsize=read_bufsize))
        peak = 0
        async with session, \
                session.get(f"http://127.0.0.1:{port}/") as response:
            content = response.content
            before = content.get_read_buffer_limits()
            while not content.is_eof() and content.total_bytes < body // 2:
                if content._protocol._reading_paused:  # type: ignore[attr-defined]
                    break  # the buffer is full: it waits for a read
                await asyncio.sleep(0)
            peak = content._size  # type: ignore[attr-defined]
            chunks = content.iter_chunked(64 * 1024)
            during = content.get_read_buffer_limits()
            got = 0
            async for chunk in chunks:
                got += len(chunk)
                for _ in range(20):  # let the transport refill what was read
                    await asyncio.sleep(0)
                peak = max(peak, content._size)  # type: ignore[attr-defined]
            assert got == body
        server.close()
        await server.wait_closed()
        return before, during, peak

    before, during, peak = asyncio.run(main())
    limit = read_bufsize or 256 * 1024
    assert before == (limit, 2 * limit)
    assert during == (max(limit, 64 * 1024), 2 * max(limit, 64 * 1024))
    assert peak <= during[1] + TRANSPORT_READ
    if read_bufsize is not None:
        assert peak <= 128 * 1024 + TRANSPORT_READ < 2 * 256 * 1024
    assert peak > during[1]  # it does pass the mark: "then more while it pauses"


SIOCOUTQNSD = 0x894B  # Linux: bytes written to a TCP socket and not yet sent


def unsent(sock: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(sock.fileno(), SIOCOUTQNSD, b"\0" * 4))[0])


@pytest.mark.timeout(60)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIOCOUTQNSD is Linux's")
@pytest.mark.parametrize("impl", ["asyncio", "trio"])
def test_with_notsent_lowat_a_client_that_reads_nothing_leaves_tens_of_kib_unsent(
    impl: str,
) -> None:
    """Each twin's handler (Trio's SocketStream sets TCP_NOTSENT_LOWAT to 16 KiB, the asyncio
    twin sets it itself) echoes to a client that sends lines and reads nothing: what the kernel
    holds unsent for it passes 16 KiB (a write it takes can go past the mark: 17,000 bytes in
    the asyncio twin, 18 to 47 KiB in Trio's, here) and stays under 64 KiB. The comparison
    without the option is the next test."""
    most = 0
    with accepted() as (client, conn):
        payload = (b"y" * 999 + b"\n") * 64

        async def body(pause: Callable[[float], Awaitable[object]],
                       done: Callable[[], bool]) -> None:
            nonlocal most
            blocked = 0
            while blocked < 200 and not done():  # the server stopped reading: all is full
                await pause(0)
                with contextlib.suppress(OSError):
                    most = max(most, unsent(conn))
                try:
                    client.send(payload)
                    blocked = 0
                except BlockingIOError:
                    blocked += 1
            client.close()

        handle_in_process(impl, conn, body, idle_timeout=20, max_line=1024, send_timeout=20)
    assert 16 * 1024 < most < 64 * 1024


@pytest.mark.timeout(60)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIOCOUTQNSD is Linux's")
def test_without_notsent_lowat_the_kernel_holds_mibs_unsent() -> None:
    """A client that reads nothing, with a 4 KiB receive buffer (as in lessons/server.md and
    the send-deadline test of test_server_hostile.py), served by a plain socket without the
    option: the kernel takes writes until its send buffer (MiBs, ``tcp_wmem``) is full."""
    with accepted(rcvbuf=4096) as (_, conn), conn:
        conn.setblocking(False)
        chunk = b"y\n" * 32 * 1024
        with contextlib.suppress(BlockingIOError):
            while True:
                conn.send(chunk)
        assert unsent(conn) > 1 << 20
