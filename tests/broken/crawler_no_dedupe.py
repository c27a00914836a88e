"""Broken on purpose: crawls every URL it is given, a URL given twice twice.

``gather`` over a list has no notion of "the same URL"; the twins dedupe with ``unique``
(order kept). Without it, a repeated URL is fetched twice and its rows are
written twice. Caught by tests/test_crawler_boundaries.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import trio

from trio_port.crawler import (  # noqa: F401
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    HEADER,
    Stats,
    make_client,
    write_one,
    write_rows,
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
            for url in urls:  # BUG: a URL given twice is crawled twice
                nursery.start_soon(functools.partial(
                    write_one, file, url, client=client, limit=limit, url_timeout=url_timeout,
                    max_bytes=max_bytes, stats=stats, rows_out=rows_out))
    return stats
