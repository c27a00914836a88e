"""One crawler-benchmark run in a fresh process: ``python -m bench.crawlrun CLIENT C URLFILE``.

Fetches every URL in URLFILE with C concurrent workers, extracts links with the notebook's
regex, and prints one JSON line: pages, errors, links, wall seconds and the process's own CPU
seconds (``resource.getrusage``), so one client's CPU never mixes with another's or with the
server's. A fresh process per run also means no warm connection pool or cache carries over.

Clients:

- ``aiohttp``: aiohttp ``ClientSession`` on asyncio (the original's stack), connector limit C.
- ``httpx-default``: ``httpx.AsyncClient()`` on Trio with default settings (pool limits
  100/20, the default httpcore transport).
- ``httpx-h11``: ``httpx.AsyncClient`` on Trio over :class:`trio_port._transport.TrioH11Transport`.
- ``crawler-asyncio`` / ``crawler-trio``: the lesson's own ``bulk_crawl_and_write``, as shipped,
  writing its TSV to a temp file (if the lesson exists).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HREF_RE = re.compile(r'href="(http.*?)"')


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Tally:
    def __init__(self) -> None:
        self.pages = 0
        self.errors = 0
        self.links = 0

    def page(self, html: str) -> None:
        self.pages += 1
        self.links += len(set(HREF_RE.findall(html)))


async def run_aiohttp(urls: list[str], c: int, tally: Tally) -> None:
    import asyncio

    import aiohttp

    it = iter(urls)
    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for url in it:
                try:
                    async with session.get(url) as resp:
                        resp.raise_for_status()
                        tally.page(await resp.text())
                except (aiohttp.ClientError, TimeoutError):
                    tally.errors += 1

        await asyncio.gather(*(worker() for _ in range(c)))


async def _httpx_workers(client: Any, urls: list[str], c: int, tally: Tally) -> None:
    import httpx
    import trio

    it = iter(urls)

    async def worker() -> None:
        for url in it:
            try:
                resp = await client.get(url)
                resp.raise_for_status()
                tally.page(resp.text)
            except httpx.HTTPError:
                tally.errors += 1

    async with trio.open_nursery() as nursery:
        for _ in range(c):
            nursery.start_soon(worker)


async def run_httpx_default(urls: list[str], c: int, tally: Tally) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        await _httpx_workers(client, urls, c, tally)


async def run_httpx_h11(urls: list[str], c: int, tally: Tally) -> None:
    import httpx

    from trio_port._transport import TrioH11Transport

    async with httpx.AsyncClient(transport=TrioH11Transport(max_connections=c)) as client:
        await _httpx_workers(client, urls, c, tally)


def _crawler(impl: str, urls: list[str], c: int, tally: Tally, *,
             default_transport: bool = False) -> Callable[[], Awaitable[None]]:
    """The lesson's own ``bulk_crawl_and_write`` at concurrency ``c``, printing to /dev/null.

    Everything the lesson does per page counts: the three progress lines it prints, urljoin on
    every link, and the TSV rows it appends to a temp file.
    """
    import contextlib
    import importlib
    import os
    import tempfile

    mod = importlib.import_module(f"{'asyncio_ref' if impl == 'asyncio' else 'trio_port'}.crawler")
    out = Path(tempfile.mkdtemp(prefix="bench-crawl-")) / "out.tsv"
    out.write_text(mod.HEADER)
    if default_transport and hasattr(mod, "TrioH11Transport"):
        # The shipped crawler with httpx's own pool in place of ours, limits as before.
        import httpx

        def default(max_connections: int) -> httpx.AsyncHTTPTransport:
            return httpx.AsyncHTTPTransport(limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections))

        setattr(mod, "TrioH11Transport", default)  # noqa: B010

    devnull = open(os.devnull, "w")  # noqa: SIM115  # closed by the with in go()

    async def go() -> None:
        with devnull, contextlib.redirect_stdout(devnull):
            stats = await mod.bulk_crawl_and_write(out, urls, concurrency=c)
        tally.pages, tally.links, tally.errors = stats.pages, stats.links, stats.errors
        out.unlink()
        out.parent.rmdir()

    return go


RUNNERS: dict[str, tuple[str, Callable[[list[str], int, Tally], Awaitable[None]] | None]] = {
    "aiohttp": ("asyncio", run_aiohttp),
    "httpx-default": ("trio", run_httpx_default),
    "httpx-h11": ("trio", run_httpx_h11),
    "crawler-asyncio": ("asyncio", None),
    "crawler-trio": ("trio", None),
    "crawler-trio-httpcore": ("trio", None),
}


def _preload(client: str) -> None:
    import importlib

    mods = {"aiohttp": ["asyncio", "aiohttp"], "httpx-default": ["trio", "httpx", "httpcore"],
            "httpx-h11": ["trio", "httpx", "trio_port._transport"],
            "crawler-asyncio": ["asyncio", "aiohttp", "asyncio_ref.crawler"],
            "crawler-trio": ["trio", "httpx", "trio_port.crawler"],
            "crawler-trio-httpcore": ["trio", "httpx", "trio_port.crawler"]}[client]
    for name in mods:
        importlib.import_module(name)


def run(client: str, c: int, urls: list[str]) -> dict[str, Any]:
    impl, fn = RUNNERS[client]
    _preload(client)  # imports happen before the clock starts
    tally = Tally()
    if fn is None:
        go = _crawler(impl, urls, c, tally, default_transport=client.endswith("-httpcore"))
    else:
        def go() -> Awaitable[None]:
            return fn(urls, c, tally)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    if impl == "asyncio":
        import asyncio
        asyncio.run(go())  # type: ignore[arg-type]
    else:
        import trio
        trio.run(go)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    return {"client": client, "concurrency": c, "pages": tally.pages, "errors": tally.errors,
            "links": tally.links, "seconds": wall, "cpu": cpu}


def main() -> None:
    client, c, urlfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    urls = Path(urlfile).read_text().split()
    if len(sys.argv) > 4 and sys.argv[4] == "--profile":
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.enable()
        result = run(client, c, urls)
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    else:
        result = run(client, c, urls)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
