"""Broken on purpose: the Trio crawler with a task per URL, all started at once.

What both twins did before issue 23: memory grew with the URL count (3.7 KB a URL in Trio), and
the tasks raced for the limiter in the scheduler's order, so at concurrency 1 the URLs went
mostly in reverse. Caught by tests/test_crawler_round2.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import trio

from trio_port.crawler import (  # noqa: F401 - the rest of the lesson, unchanged
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
            for url in dict.fromkeys(urls):  # BUG: a task per URL, every one at once
                nursery.start_soon(functools.partial(
                    write_one, file, url, client=client, limit=limit, url_timeout=url_timeout,
                    max_bytes=max_bytes, stats=stats, rows_out=rows_out))
    return stats
