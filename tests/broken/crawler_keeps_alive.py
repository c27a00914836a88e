"""Broken on purpose: the Trio crawler keeping its connections alive and reusing them.

What both twins did before issue 23: bytes a server sends that no request asked for (a body
longer than its Content-Length, an early answer) were read as the next page's response, its
links filed under the wrong URL. Caught by tests/test_crawler_round2.py.
"""

from __future__ import annotations

import httpx

from trio_port import crawler
from trio_port.crawler import (  # noqa: F401 - the rest of the lesson, unchanged
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    HEADER,
    Stats,
)

_make_client = crawler.make_client  # the lesson's, before bulk_crawl_and_write swaps it


def make_client(concurrency: int) -> httpx.AsyncClient:
    client = _make_client(concurrency)
    client._transport._max_keepalive = concurrency  # type: ignore[attr-defined]  # BUG: reuse
    del client.headers["Connection"]
    return client


async def bulk_crawl_and_write(*args: object, **kwargs: object) -> Stats:
    crawler.make_client = make_client  # type: ignore[assignment]
    try:
        return await crawler.bulk_crawl_and_write(*args, **kwargs)  # type: ignore[arg-type]
    finally:
        crawler.make_client = _make_client
