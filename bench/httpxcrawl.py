"""One httpx crawler, written once on AnyIO, run on asyncio and on Trio: the framework's own cost.

Why it exists: the question migrators ask first is "is Trio slower than asyncio?", and the
shipped twins cannot answer it, because they differ in their HTTP library too (aiohttp against
httpx). httpx runs on both loops, so this crawler is *the same code* on both: ``anyio.run(...,
backend="asyncio")`` against ``backend="trio"``. The event loop under it changes, and so does
httpcore's network backend, which it picks by sniffio: AnyIO's streams on asyncio, httpcore's
own Trio backend on Trio (docs/migration/anyio.md). Its per-page work follows the lesson's:
GET, status check, body decoded, the notebook's regex, ``urljoin`` on every link, the progress
lines (to /dev/null here), and the rows handed to one writer task through a bounded stream,
which writes whole batches to the TSV with one ``write`` each; it leaves out the lesson's
per-URL deadline, size cap and scheme check.

The client is httpx's own default transport (httpcore) on both sides, sized to the concurrency
as the shipped crawler's pool is, with two of ``trio_port.crawler.make_client``'s settings: no
environment lookups (``trust_env=False``) and no timeouts (``timeout=None``; none fire on a
local nginx). Not its others: it follows no redirect (httpx's default; ``make_client`` follows
up to ``MAX_REDIRECTS``), keeps httpx's own cookie jar and headers, and keeps its connections
alive for the next request (``make_client`` sends ``Connection: close``: one connection a
request).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

HREF_RE = re.compile(r'href="(http.*?)"')
#: Pages' rows (one item a page) queued for the writer before a page's task waits.
WRITER_BUFFER = 64


class Stats:
    def __init__(self) -> None:
        self.pages = 0
        self.links = 0
        self.errors = 0


async def crawl(out: Path, urls: list[str], concurrency: int, stats: Stats) -> None:
    """Fetch every URL with ``concurrency`` workers; rows to ``out`` through one writer task."""
    import anyio
    import httpx

    send, receive = anyio.create_memory_object_stream[str](WRITER_BUFFER)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    it = iter(urls)

    async def writer() -> None:
        # One owner of the file for the whole crawl: whatever is queued goes out in one write.
        fd = os.open(out, os.O_WRONLY | os.O_APPEND)
        try:
            async with receive:
                async for rows in receive:
                    batch = [rows]
                    while True:
                        try:
                            batch.append(receive.receive_nowait())
                        except (anyio.WouldBlock, anyio.EndOfStream):
                            break
                    os.write(fd, "".join(batch).encode())
        finally:
            os.close(fd)

    async def worker(client: httpx.AsyncClient, send: anyio.abc.ObjectSendStream[str]) -> None:
        async with send:
            for url in it:
                try:
                    resp = await client.get(url)
                    resp.raise_for_status()
                    print(f"Got response [{resp.status_code}] for URL: {url}")
                    html = resp.text
                except httpx.HTTPError as exc:
                    stats.errors += 1
                    print(f"Error for URL: {url} - {exc}")
                    continue
                found = set()
                for link in HREF_RE.findall(html):
                    found.add(urllib.parse.urljoin(url, link))
                print(f"Found {len(found)} links for {url}")
                if found:
                    await send.send("".join(f"{url}\t{p}\n" for p in sorted(found)))
                    print(f"Wrote results for source URL: {url}")
                stats.pages += 1
                stats.links += len(found)

    async with (httpx.AsyncClient(limits=limits, trust_env=False, timeout=None) as client,
                anyio.create_task_group() as tg):
        tg.start_soon(writer)
        async with send:
            for _ in range(concurrency):
                tg.start_soon(worker, client, send.clone())
