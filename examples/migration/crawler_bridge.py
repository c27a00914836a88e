"""Migrating in stages: the crawler under Trio, its HTTP still aiohttp, through trio-asyncio.

Stage 1 of a port that cannot move every library at once. Trio owns the run: ``trio.run``,
the nursery of one task per URL, the concurrency bound, the file writes, Ctrl-C. The HTTP
part stays the asyncio lesson's own code, unchanged (``asyncio_ref.crawler.parse``, which uses
aiohttp and ``asyncio.timeout``), and runs in an asyncio loop that lives *inside* the Trio run:
``trio_asyncio.open_loop()`` opens it, ``aio_as_trio(fn)`` calls an asyncio function (or enters
an asyncio context manager) from Trio code. Stage 2 replaces ``parse`` with the Trio twin's
httpx version and drops the bridge.

Across the bridge:

- a Trio cancellation (a timeout, a nursery cancelled, Ctrl-C) cancels the asyncio task that
  ``aio_as_trio`` awaits: its ``except CancelledError`` and ``finally`` run, and the Trio
  side sees ``trio.Cancelled``;
- an asyncio task that cancels *itself* hands Trio a bare ``asyncio.CancelledError``, which
  Trio does not treat as a cancellation: catch it at the bridge;
- Ctrl-C is Trio's: asyncio's ``run`` is not running, so nothing turns SIGINT into a
  cancellation unless we do (``_until_ctrl_c``, as in the Trio twin);
- cleanup that must reach the asyncio side after a cancellation (closing the aiohttp session)
  needs a shield: the cancelled Trio scope would cancel that call too;
- the two sides stay apart: every asyncio await goes through ``aio_as_trio``. Trio code that
  awaits an asyncio awaitable directly fails ("trio.run received unrecognized yield message"),
  even inside ``open_loop()``.

Run it: ``python examples/migration/crawler_bridge.py URL ...`` (the lesson's options).
"""

from __future__ import annotations

import asyncio
import functools
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

import aiohttp
import trio
import trio_asyncio
from trio_asyncio import aio_as_trio

import asyncio_ref.crawler as aio  # stage 1: the asyncio lesson's HTTP code, as it is


async def _new_session(concurrency: int) -> aiohttp.ClientSession:
    return aio.make_client(concurrency)  # aiohttp wants its loop running when it is made


async def append_rows(file: Path, rows: str) -> None:
    """A page's rows in one unbuffered append: an interrupted crawl leaves complete rows."""
    async with await trio.open_file(file, "ab", buffering=0) as f:
        await f.write(rows.encode())


async def write_one(
    file: Path, url: str, *, session: aiohttp.ClientSession, limit: trio.Semaphore,
    url_timeout: float, max_bytes: int, stats: aio.Stats,
) -> None:
    """Write the found HREFs from `url` to `file`: the fetch in asyncio, the rest in Trio."""
    async with limit:
        try:
            res = await aio_as_trio(aio.parse)(url, session, url_timeout=url_timeout,
                                               max_bytes=max_bytes, stats=stats)
        except asyncio.CancelledError:  # the asyncio side cancelled itself: not Trio's
            stats.errors += 1
            print(f"Error [other] for URL: {url} - cancelled on the asyncio side")
            res = set()
        if res:
            await append_rows(file, "".join(f"{url}\t{p}\n" for p in sorted(res)))
            print(f"Wrote results for source URL: {url}")
    stats.page_done(trio.current_time(), len(res))


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = aio.DEFAULT_CONCURRENCY,
    url_timeout: float = aio.DEFAULT_TIMEOUT, max_bytes: int = aio.DEFAULT_MAX_BYTES,
    stats: aio.Stats | None = None,
) -> aio.Stats:
    """Crawl & write concurrently to `file` for multiple `urls`, under Trio."""
    stats = stats if stats is not None else aio.Stats()
    stats.started = trio.current_time()
    limit = trio.Semaphore(concurrency)
    async with trio_asyncio.open_loop():  # an asyncio loop inside this Trio run
        session = await aio_as_trio(_new_session)(concurrency)
        try:
            async with trio.open_nursery() as nursery:
                for url in dict.fromkeys(urls):  # each URL once, in order
                    nursery.start_soon(functools.partial(
                        write_one, file, url, session=session, limit=limit,
                        url_timeout=url_timeout, max_bytes=max_bytes, stats=stats))
        finally:
            # Not `async with aio_as_trio(session)`: after Ctrl-C this block runs cancelled,
            # and a cancelled Trio scope cancels the asyncio call it awaits at once, so the
            # session's close would be cancelled before it closed a socket. Shielded, bounded.
            with trio.move_on_after(5, shield=True):
                await aio_as_trio(session.close)()
    return stats


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint, and so the asyncio side too."""
    interrupted = False
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                nonlocal interrupted
                async for _ in signals:
                    interrupted = True
                    nursery.cancel_scope.cancel()

            nursery.start_soon(watch)
            await fn()
            nursery.cancel_scope.cancel()
    return interrupted


def crawl(urls: Sequence[str], output: Path, *, concurrency: int, url_timeout: float,
          max_bytes: int) -> int:
    """Crawl into ``output`` (its header written); the exit status, as the lesson's."""
    stats = aio.Stats()
    try:
        interrupted = trio.run(_until_ctrl_c, functools.partial(
            bulk_crawl_and_write, output, urls, concurrency=concurrency,
            url_timeout=url_timeout, max_bytes=max_bytes, stats=stats))
    except* KeyboardInterrupt:  # a Ctrl-C before the receiver opened
        interrupted = True
    if interrupted:
        print(f"interrupted: {stats.summary()}", file=sys.stderr)
        return 130
    print(stats.summary(), file=sys.stderr)
    return 1 if stats.pages == 0 and stats.errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = aio.build_parser()
    parser.prog = "python examples/migration/crawler_bridge.py"
    args = parser.parse_args(argv)
    if args.concurrency < 1 or not args.timeout > 0 or args.max_bytes < 1:  # nan too
        parser.error("--concurrency, --timeout and --max-bytes must be positive")
    try:
        urls = [aio.check_url(url) for url in args.urls]
        if args.urls_file:
            urls += aio.read_urls(args.urls_file)
        aio.write_header(Path(args.output))
    except ValueError as e:
        parser.error(str(e))
    if not urls:
        parser.error("give at least one URL (the bridge never crawls the internet by itself)")
    return crawl(urls, Path(args.output), concurrency=args.concurrency,
                 url_timeout=args.timeout, max_bytes=args.max_bytes)


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # a Ctrl-C before the crawl began, or after it had ended
        status = 130
    # As the lesson ends: after 130 it ignores SIGINT, or a Ctrl-C pressed again as Python
    # shuts down would end the process by the signal (status -2).
    aio.exit_quietly(status)
