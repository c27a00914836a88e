"""Broken on purpose: the Trio crawler with httpx's default redirect policy (none followed).

httpx, unlike aiohttp, follows no redirect unless asked. A port that forgets to ask gets the
302 itself: ``resp.is_error`` is False for it, so the "page" is the redirect's empty body,
"Found 0 links", no rows, and a redirect loop is no longer an error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import httpx
import trio

from trio_port.crawler import (  # noqa: F401 - the rest of the lesson, unchanged
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    HEADER,
    Stats,
    write_one,
    write_rows,
)


def make_client(concurrency: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        timeout=None,
        # BUG: no follow_redirects=True
    )


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = DEFAULT_CONCURRENCY,
    url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
    stats: Stats | None = None,
) -> Stats:
    stats = stats if stats is not None else Stats()
    stats.started = trio.current_time()
    limit = trio.CapacityLimiter(concurrency)
    rows_out, rows_in = trio.open_memory_channel[tuple[str, str, int]](concurrency)
    async with make_client(concurrency) as client, trio.open_nursery() as writer:
        writer.start_soon(write_rows, file, rows_in, stats)
        async with rows_out, trio.open_nursery() as nursery:
            for url in dict.fromkeys(urls):
                nursery.start_soon(functools.partial(
                    write_one, file, url, client=client, limit=limit, url_timeout=url_timeout,
                    max_bytes=max_bytes, stats=stats, rows_out=rows_out))
    return stats
