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
- ``httpx-httptools``: the same over ``trio_port._transport_httptools.TrioHttptoolsTransport``.
- ``crawler-asyncio`` / ``crawler-trio``: the lesson's own ``bulk_crawl_and_write``, as shipped,
  writing its TSV to a temp file (if the lesson exists).
- ``crawler-trio-httpcore``: the shipped Trio crawler over httpx's default transport
  (httpcore's pool) in place of its own.
- ``crawler-trio-h11``: the shipped Trio crawler with h11 parsing, as where httptools is
  not installed.
- ``crawler-asyncio-writer``: the asyncio twin with its per-page append replaced, here only, by
  a writer task fed through a bounded ``asyncio.Queue`` (the Trio twin's idiom), writing each
  batch through a worker thread as the Trio twin's ``trio.open_file`` does, so that both
  sides are measured improved alike.
- ``crawler-bridge``: ``examples/migration/crawler_bridge.py``, the asyncio twin's aiohttp code
  run under Trio through trio-asyncio (the staged migration).
- ``httpx-crawler-asyncio`` / ``httpx-crawler-trio``: ``bench.httpxcrawl``, one httpx crawler
  written on AnyIO, run on each loop: the framework's own cost.
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


def _writer_task_for_asyncio(mod: Any) -> tuple[Callable[[], Awaitable[None]],
                                                Callable[[], Awaitable[None]]]:
    """Swap the asyncio twin's per-page append for a writer task; (start, finish) around a crawl.

    The twin's ``write_one`` still calls ``append_rows(file, rows)``; here that puts the rows on
    a bounded queue, and one task writes whatever is queued in one ``write``, as the Trio
    twin's writer does, and through a worker thread as it does: the Trio writer's file is a
    ``trio.open_file``, whose open, every write and close each run in a worker thread
    (``trio.to_thread.run_sync``), so this one opens, writes each batch and closes in the
    loop's executor, one thread round trip per batch. (Until RV4-bench F10 it wrote each batch
    with a plain ``os.write`` on the loop's own thread: a ceiling more generous to asyncio
    than to Trio.)
    """
    import asyncio

    queue: asyncio.Queue[tuple[Path, str] | None] = asyncio.Queue(64)
    task: asyncio.Task[None] | None = None

    async def append_rows(file: Path, rows: str) -> None:
        await queue.put((file, rows))

    async def writer() -> None:
        import functools
        import os

        loop = asyncio.get_running_loop()
        fd: int | None = None  # the crawl's one file, opened at its first rows
        try:
            done = False
            while not done and (item := await queue.get()) is not None:
                file, rows = item
                batch = [rows]
                while not queue.empty():  # everything queued meanwhile goes in the same write
                    more = queue.get_nowait()
                    if more is None:
                        done = True
                        break
                    batch.append(more[1])
                if fd is None:
                    fd = await loop.run_in_executor(
                        None, functools.partial(os.open, file, os.O_WRONLY | os.O_APPEND))
                await loop.run_in_executor(None, os.write, fd, "".join(batch).encode())
        finally:
            if fd is not None:
                await loop.run_in_executor(None, os.close, fd)

    async def start() -> None:
        nonlocal task
        task = asyncio.ensure_future(writer())

    async def finish() -> None:
        await queue.put(None)
        assert task is not None
        await task

    setattr(mod, "append_rows", append_rows)  # noqa: B010
    return start, finish


async def run_httpx_httptools(urls: list[str], c: int, tally: Tally) -> None:
    import httpx

    from trio_port._transport_httptools import TrioHttptoolsTransport

    async with httpx.AsyncClient(transport=TrioHttptoolsTransport(max_connections=c)) as client:
        await _httpx_workers(client, urls, c, tally)


def _crawler(impl: str, urls: list[str], c: int, tally: Tally, *,
             default_transport: bool = False, module: str | None = None,
             writer_task: bool = False, h11: bool = False) -> Callable[[], Awaitable[None]]:
    """The lesson's own ``bulk_crawl_and_write`` at concurrency ``c``, printing to /dev/null.

    Everything the lesson does per page counts: the three progress lines it prints, urljoin on
    every link, and the TSV rows it appends to a temp file.
    """
    import contextlib
    import importlib
    import os
    import tempfile

    mod = importlib.import_module(
        module or f"{'asyncio_ref' if impl == 'asyncio' else 'trio_port'}.crawler")
    aio = importlib.import_module("asyncio_ref.crawler")
    header = getattr(mod, "HEADER", aio.HEADER)
    out = Path(tempfile.mkdtemp(prefix="bench-crawl-")) / "out.tsv"
    out.write_text(header)
    if default_transport and hasattr(mod, "fast_transport"):
        # The shipped crawler with httpx's own pool in place of ours, as many connections as
        # before. Its keep-alive cap is not ours (0), but make_client's "Connection: close"
        # header still closes each connection after its response (h11 goes to MUST_CLOSE).
        import httpx

        def default(max_connections: int) -> httpx.AsyncHTTPTransport:
            return httpx.AsyncHTTPTransport(limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections))

        setattr(mod, "fast_transport", default)  # noqa: B010
    if h11 and hasattr(mod, "fast_transport"):
        # The shipped crawler as it runs where httptools is not installed: h11 parses.
        from trio_port._transport import TrioH11Transport

        setattr(mod, "fast_transport", TrioH11Transport)  # noqa: B010

    devnull = open(os.devnull, "w")  # noqa: SIM115  # closed by the with in go()

    start, finish = _writer_task_for_asyncio(mod) if writer_task else (None, None)

    async def go() -> None:
        with devnull, contextlib.redirect_stdout(devnull):
            if start is not None:
                await start()
            stats = await mod.bulk_crawl_and_write(out, urls, concurrency=c)
            if finish is not None:
                await finish()
        tally.pages, tally.links, tally.errors = stats.pages, stats.links, stats.errors
        out.unlink()
        out.parent.rmdir()

    return go


def _httpx_crawler(urls: list[str], c: int, tally: Tally) -> Callable[[], Awaitable[None]]:
    """``bench.httpxcrawl`` at concurrency ``c``, printing to /dev/null, rows to a temp file."""
    import contextlib
    import os
    import tempfile

    from bench import httpxcrawl

    out = Path(tempfile.mkdtemp(prefix="bench-crawl-")) / "out.tsv"
    out.write_text("source_url\tparsed_url\n")
    stats = httpxcrawl.Stats()
    devnull = open(os.devnull, "w")  # noqa: SIM115  # closed by the with in go()

    async def go() -> None:
        with devnull, contextlib.redirect_stdout(devnull):
            await httpxcrawl.crawl(out, urls, c, stats)
        tally.pages, tally.links, tally.errors = stats.pages, stats.links, stats.errors
        out.unlink()
        out.parent.rmdir()

    return go


#: The bridge example is a script, not a package module: imported by its path.
BRIDGE = Path(__file__).resolve().parent.parent / "examples" / "migration" / "crawler_bridge.py"


def _import_bridge() -> str:
    import importlib.util

    if "crawler_bridge" not in sys.modules:
        spec = importlib.util.spec_from_file_location("crawler_bridge", BRIDGE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["crawler_bridge"] = module
        spec.loader.exec_module(module)
    return "crawler_bridge"


RUNNERS: dict[str, tuple[str, Callable[[list[str], int, Tally], Awaitable[None]] | None]] = {
    "aiohttp": ("asyncio", run_aiohttp),
    "httpx-default": ("trio", run_httpx_default),
    "httpx-h11": ("trio", run_httpx_h11),
    "httpx-httptools": ("trio", run_httpx_httptools),
    "crawler-asyncio": ("asyncio", None),
    "crawler-trio": ("trio", None),
    "crawler-trio-httpcore": ("trio", None),
    "crawler-trio-h11": ("trio", None),
    "crawler-asyncio-writer": ("asyncio", None),
    "crawler-bridge": ("trio", None),
    "httpx-crawler-asyncio": ("asyncio", None),
    "httpx-crawler-trio": ("trio", None),
}


def _preload(client: str) -> None:
    import importlib

    mods = {"aiohttp": ["asyncio", "aiohttp"], "httpx-default": ["trio", "httpx", "httpcore"],
            "httpx-h11": ["trio", "httpx", "trio_port._transport"],
            "httpx-httptools": ["trio", "httpx", "trio_port._transport_httptools"],
            "crawler-asyncio": ["asyncio", "aiohttp", "asyncio_ref.crawler"],
            "crawler-trio": ["trio", "httpx", "trio_port.crawler"],
            "crawler-trio-httpcore": ["trio", "httpx", "trio_port.crawler"],
            "crawler-trio-h11": ["trio", "httpx", "trio_port.crawler"],
            "crawler-asyncio-writer": ["asyncio", "aiohttp", "asyncio_ref.crawler"],
            "crawler-bridge": ["trio", "trio_asyncio", "aiohttp", "asyncio_ref.crawler"],
            "httpx-crawler-asyncio": ["asyncio", "anyio", "httpx", "httpcore", "bench.httpxcrawl"],
            "httpx-crawler-trio": ["trio", "anyio", "httpx", "httpcore", "bench.httpxcrawl"],
            }[client]
    for name in mods:
        importlib.import_module(name)
    if client == "crawler-bridge":
        _import_bridge()


def run(client: str, c: int, urls: list[str]) -> dict[str, Any]:
    impl, fn = RUNNERS[client]
    _preload(client)  # imports happen before the clock starts
    tally = Tally()
    if client.startswith("httpx-crawler-"):
        go = _httpx_crawler(urls, c, tally)
    elif fn is None:
        go = _crawler(impl, urls, c, tally, default_transport=client.endswith("-httpcore"),
                      module=_import_bridge() if client == "crawler-bridge" else None,
                      writer_task=client == "crawler-asyncio-writer",
                      h11=client == "crawler-trio-h11")
    else:
        def go() -> Awaitable[None]:
            return fn(urls, c, tally)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    if client.startswith("httpx-crawler-"):
        import anyio
        anyio.run(go, backend=impl)
    elif impl == "asyncio":
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
