"""The pieces of one fetch, each measured alone: where a Trio + httpx crawler's floor is.

Run through ``bench.worker floor-NAME`` (a fresh process each). All return microseconds per
page. The response is a generated 5 KB page with nginx's usual headers.

- ``h11_exchange``: h11 frames one GET and parses its response (pure Python).
- ``aiohttp_parser``: aiohttp's C parser (llhttp) parses the same response.
- ``httpx_client``: ``httpx.AsyncClient.get`` + ``raise_for_status`` + ``.text`` on Trio over a
  transport that returns the response at once: what httpx's own Python costs, no I/O at all.
- ``raw_trio`` / ``raw_asyncio``: GET every page over kept-alive sockets with ``c`` workers,
  no HTTP library (the response is complete when its known size has arrived): what the
  framework's socket layer costs.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from bench.site import page_html

HEADERS = [(b"Server", b"nginx/1.22.1"), (b"Date", b"Tue, 24 Nov 2026 16:00:00 GMT"),
           (b"Content-Type", b"text/html"), (b"Last-Modified", b"Tue, 24 Nov 2026 15:00:00 GMT"),
           (b"Connection", b"keep-alive"), (b"ETag", b'"6744c8a0-1383"'),
           (b"Accept-Ranges", b"bytes")]


def _page() -> tuple[bytes, bytes]:
    body = page_html(1, 2000, "http://127.0.0.1:8080", random.Random(1)).encode()
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in HEADERS)
    head += b"Content-Length: %d\r\n\r\n" % len(body)
    return body, head + body


def h11_exchange(n: int) -> float:
    import h11

    _, raw = _page()
    conn = h11.Connection(h11.CLIENT)
    headers = [(b"Host", b"127.0.0.1:8080"), (b"Accept", b"*/*"),
               (b"Accept-Encoding", b"gzip, deflate"), (b"Connection", b"keep-alive"),
               (b"User-Agent", b"python-httpx/0.28.1")]
    t = time.perf_counter()
    for _ in range(n):
        conn.send(h11.Request(method="GET", target="/p1.html", headers=headers))
        conn.send(h11.EndOfMessage())
        conn.receive_data(raw)
        while type(conn.next_event()) is not h11.EndOfMessage:
            pass
        conn.start_next_cycle()
    return (time.perf_counter() - t) / n * 1e6


def aiohttp_parser(n: int) -> float:
    import asyncio

    from aiohttp.http_parser import HttpResponseParser

    _, raw = _page()

    class Protocol:
        _reading_paused = False

        def pause_reading(self, *args: Any, **kwargs: Any) -> None:
            pass

        def resume_reading(self, *args: Any, **kwargs: Any) -> None:
            pass

    async def main() -> float:
        parser = HttpResponseParser(Protocol(), asyncio.get_running_loop(), 2**16,  # type: ignore[arg-type]
                                    max_line_size=8190, max_field_size=8190)
        t = time.perf_counter()
        for _ in range(n):
            messages, _upgraded, _tail = parser.feed_data(raw)
            messages[0][1].read_nowait(-1)
        return (time.perf_counter() - t) / n * 1e6

    return asyncio.run(main())


def httpx_client(n: int) -> float:
    import httpx
    import trio

    body, _ = _page()
    headers = [*HEADERS, (b"Content-Length", str(len(body)).encode())]

    class Canned(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    async def main() -> float:
        async with httpx.AsyncClient(transport=Canned()) as client:
            t = time.perf_counter()
            for i in range(n):
                r = await client.get(f"http://127.0.0.1:8080/p{i % 2000}.html")
                r.raise_for_status()
                _ = r.text
            return (time.perf_counter() - t) / n * 1e6

    return trio.run(main)


def _targets(urlfile: str) -> tuple[int, list[bytes], dict[bytes, int]]:
    urls = Path(urlfile).read_text().split()
    port = int(urls[0].split(":")[2].split("/")[0])
    paths = [u.split(f":{port}", 1)[1].encode() for u in urls]
    return port, paths, {}


def _request(path: bytes) -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _complete(buf: bytes) -> bool:
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def raw_trio(urlfile: str, c: int) -> float:
    import trio

    port, paths, _ = _targets(urlfile)

    async def main() -> float:
        it = iter(paths)

        async def worker() -> None:
            async with await trio.open_tcp_stream("127.0.0.1", port) as s:
                for path in it:
                    await s.send_all(_request(path))
                    buf = b""
                    while not _complete(buf):
                        buf += await s.receive_some(65536)

        t = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(c):
                nursery.start_soon(worker)
        return (time.perf_counter() - t) / len(paths) * 1e6

    return trio.run(main)


def raw_asyncio(urlfile: str, c: int) -> float:
    import asyncio

    port, paths, _ = _targets(urlfile)

    async def main() -> float:
        it = iter(paths)

        async def worker() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for path in it:
                writer.write(_request(path))
                buf = b""
                while not _complete(buf):
                    buf += await reader.read(65536)
            writer.close()
            await writer.wait_closed()

        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(c)))
        return (time.perf_counter() - t) / len(paths) * 1e6

    return asyncio.run(main())
