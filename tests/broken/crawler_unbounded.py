"""Broken on purpose: the Trio crawler with a limiter per URL, so nothing bounds the crawl.

A classic slip when moving a semaphore into the task that uses it: each task gets its own
``CapacityLimiter(concurrency)``, and every URL is in flight at once.
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
    unique = list(dict.fromkeys(urls))
    rows_out, rows_in = trio.open_memory_channel[tuple[str, str, int]](concurrency)
    async with make_client(len(unique)) as client, trio.open_nursery() as writer:
        writer.start_soon(write_rows, file, rows_in, stats)
        async with rows_out, trio.open_nursery() as nursery:
            for url in unique:
                nursery.start_soon(functools.partial(
                    write_one, file, url, client=client,
                    limit=trio.CapacityLimiter(concurrency),  # BUG: one limiter per URL
                    url_timeout=url_timeout, max_bytes=max_bytes, stats=stats, rows_out=rows_out))
    return stats
