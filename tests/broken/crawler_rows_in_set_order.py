"""Broken on purpose: writes a page's rows in the order its set of links iterates.

The links are a ``set``, and a set of strings iterates in an order that changes from run to
run (hash randomisation): the TSV would differ between two crawls of the same site. The twins
write ``sorted(res)``. Caught by tests/test_crawler_boundaries.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import httpx
import trio

from trio_port.crawler import (  # noqa: F401
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    HEADER,
    Stats,
    make_client,
    parse,
    write_rows,
)


async def write_one(
    file: Path, url: str, *, client: httpx.AsyncClient, limit: trio.CapacityLimiter,
    url_timeout: float, max_bytes: int, stats: Stats,
    rows_out: trio.MemorySendChannel[tuple[str, str, int]],
) -> None:
    async with limit:
        res = await parse(url, client, url_timeout=url_timeout, max_bytes=max_bytes,
                          stats=stats)
        rows = "".join(f"{url}\t{p}\n" for p in res)  # BUG: set order, not sorted
        await rows_out.send((url, rows, len(res)))


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
