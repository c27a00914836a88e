"""AnyIO as the destination: the crawler written once, run on asyncio or on Trio.

AnyIO is Trio's model (task groups that are nurseries, level-triggered cancel scopes,
``fail_after``) offered on top of either event loop. The async code below names no framework:
``anyio.create_task_group``, ``anyio.fail_after``, ``anyio.CapacityLimiter``,
``anyio.open_file``, a memory object stream, and httpx (which runs on both). ``anyio.run(...,
backend="asyncio")`` or ``backend="trio"`` picks the loop; called from inside a run of either
(``asyncio.run`` or ``trio.run``), the same functions just work.

The design is the Trio twin's (one writer task owns the TSV: each page's rows go through a
bounded memory object stream to it, so pages never interleave and only that task holds the file
open), with two changes: one task per URL, where the twin runs ``concurrency`` workers, and one
append per page, where the twin's writer batches the pages already queued into one. The
framework-neutral parts (``Stats``, ``check_url``, the link regexes, the command line's
options) are the Trio twin's own, imported. Not the twin's hardening against a hostile server,
nor its exit statuses for a TSV or stdout that cannot be written (``EXIT_STATUS`` below).

Run it: ``python examples/migration/crawler_anyio.py --backend trio URL ...``
"""

from __future__ import annotations

import functools
import signal
import sys
import textwrap
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

import anyio
import httpx
from anyio.abc import ObjectReceiveStream, ObjectSendStream

import trio_port.crawler as neutral  # only its framework-neutral helpers are used

BACKENDS = ("asyncio", "trio")
HEADER = neutral.HEADER
#: The end of ``--help``: the twin's exit statuses, less those of what this example lacks.
EXIT_STATUS = {
    0: "the crawl ended, and at least one page was crawled (a URL that fails is an 'Error' "
       "line, and the crawl goes on)",
    1: "no page could be crawled: every URL failed; or the crawl stopped with a traceback, "
       "as when the TSV cannot be written (the TSV holds complete rows only) or stdout is "
       "closed (the Trio twin's 74 and 141)",
    2: "bad usage: a bad option, URL or URL file, no URL, or a TSV that cannot be started; "
       "nothing was written",
    130: "interrupted by Ctrl-C (SIGINT): the TSV holds complete rows only",
}
EPILOG = "exit status:\n" + "\n".join(textwrap.fill(
    f"  {code:<4} {text}", 92, subsequent_indent=" " * 7) for code, text in EXIT_STATUS.items())


class BodyTooLarge(Exception):
    pass


def make_client(concurrency: int) -> httpx.AsyncClient:
    """One client, its pool sized to the bound, its defaults set as both lessons set them."""
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency),
        timeout=None,  # the deadline is anyio.fail_after in parse, per URL
        follow_redirects=True, max_redirects=neutral.MAX_REDIRECTS,
    )


def categorise(exc: Exception) -> str:
    """The error's category, in the lessons' words."""
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirect"
    if isinstance(exc, httpx.HTTPStatusError):
        return "status"
    if isinstance(exc, TimeoutError | httpx.TimeoutException):  # anyio: the builtin, on both
        return "timeout"
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return "connection"
    if isinstance(exc, BodyTooLarge):
        return "too-large"
    if isinstance(exc, UnicodeError | LookupError):
        return "decode"
    return "other"


async def fetch_html(url: str, client: httpx.AsyncClient, max_bytes: int) -> str:
    """GET `url`, following redirects; the body read in chunks up to ``max_bytes``."""
    async with client.stream("GET", url) as resp:
        if resp.is_error:  # httpx's raise_for_status raises on 3xx too; aiohttp's from 400
            resp.raise_for_status()
        print(f"Got response [{resp.status_code}] for URL: {url}")
        body = bytearray()
        # Not a raise inside the loop: httpx streams through nested async generators that,
        # left early, Trio finalizes with a ResourceWarning (encode/httpx#3686; seen here on
        # the Trio backend, not on asyncio). A cancelled scope ends them at their next read.
        with anyio.CancelScope() as scope:
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    scope.cancel()
        if scope.cancelled_caught:
            raise BodyTooLarge(f"body over {max_bytes} bytes")
        # Not resp.text: httpx would replace undecodable bytes; decode strictly, as aiohttp.
        return bytes(body).decode(resp.charset_encoding or "utf-8")


async def parse(url: str, client: httpx.AsyncClient, *, url_timeout: float, max_bytes: int,
                stats: neutral.Stats) -> set[str]:
    """Find HREFs in the HTML of `url`; an error is one line, and the crawl goes on."""
    found: set[str] = set()
    try:
        with anyio.fail_after(url_timeout):  # a cancel scope, as in Trio
            html = await fetch_html(url, client, max_bytes)
    except Exception as e:
        stats.errors += 1
        print(f"Error [{categorise(e)}] for URL: {url} - {neutral.describe(e)}")
        return found
    for link in neutral.HREF_RE.findall(html):
        try:
            if neutral.UNSAFE_RE.search(link):
                raise ValueError("whitespace or a control character in the link")
            abslink = urllib.parse.urljoin(url, link)
            if urllib.parse.urlsplit(abslink).scheme not in ("http", "https"):
                continue
            neutral.check_url(abslink)
        except ValueError:
            print(f"Error parsing URL: {link!r}")
        else:
            found.add(abslink)
    print(f"Found {len(found)} links for {url}")
    return found


async def writer(file: Path, rows: ObjectReceiveStream[tuple[str, str]]) -> None:
    """The TSV's one owner: each page's rows in one unbuffered append, in arrival order."""
    async with rows, await anyio.open_file(file, "ab", buffering=0) as f:
        whole = await f.tell()  # where the last whole page's rows end
        async for url, text in rows:
            data, done = text.encode(), 0
            try:
                while done < len(data):  # a short write (a file-size limit): write the rest,
                    done += await f.write(data[done:])  # which raises the OSError
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await f.truncate(whole)  # the page's rows whole, or none of them
                raise
            whole += len(data)
            print(f"Wrote results for source URL: {url}")


async def write_one(url: str, *, client: httpx.AsyncClient, limit: anyio.CapacityLimiter,
                    rows: ObjectSendStream[tuple[str, str]], url_timeout: float,
                    max_bytes: int, stats: neutral.Stats) -> None:
    async with rows, limit:
        res = await parse(url, client, url_timeout=url_timeout, max_bytes=max_bytes,
                          stats=stats)
        if res:
            await rows.send((url, "".join(f"{url}\t{p}\n" for p in sorted(res))))
    stats.page_done(anyio.current_time(), len(res))


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = neutral.DEFAULT_CONCURRENCY,
    url_timeout: float = neutral.DEFAULT_TIMEOUT, max_bytes: int = neutral.DEFAULT_MAX_BYTES,
    stats: neutral.Stats | None = None,
) -> neutral.Stats:
    """Crawl & write concurrently to `file` for multiple `urls`, on whichever loop runs us."""
    stats = stats if stats is not None else neutral.Stats()
    stats.started = anyio.current_time()
    limit = anyio.CapacityLimiter(concurrency)
    send, receive = anyio.create_memory_object_stream[tuple[str, str]](concurrency)
    async with make_client(concurrency) as client, anyio.create_task_group() as tg:
        tg.start_soon(writer, file, receive)
        async with send:  # each task holds a clone; the writer ends when the last is closed
            for url in dict.fromkeys(urls):
                tg.start_soon(functools.partial(
                    write_one, url, client=client, limit=limit, rows=send.clone(),
                    url_timeout=url_timeout, max_bytes=max_bytes, stats=stats))
    return stats


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint, on either backend."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started with SIGINT ignored (in the background, by a shell without job control):
        # keep ignoring it, as the lessons do.
        await fn()
        return False
    interrupted = False
    with anyio.open_signal_receiver(signal.SIGINT) as signals:
        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                nonlocal interrupted
                async for _ in signals:
                    interrupted = True
                    tg.cancel_scope.cancel()

            tg.start_soon(watch)
            await fn()
            tg.cancel_scope.cancel()
    # Closed, the receiver gives SIGINT back to Python's handler, and a Ctrl-C becomes a
    # KeyboardInterrupt wherever it lands. On asyncio, one in asyncio.Runner's teardown left
    # the main task unfinished, so AnyIO never stopped its worker thread, and the process hung
    # at exit waiting for it. Until anyio.run has returned, a Ctrl-C is only noted (crawl).
    signal.signal(signal.SIGINT, _note_ctrl_c)
    return interrupted


_held: list[int] = []  # the Ctrl-Cs noted while anyio.run winds down


def _note_ctrl_c(signum: int, frame: object) -> None:
    _held.append(signum)


def crawl(urls: Sequence[str], output: Path, *, backend: str, concurrency: int,
          url_timeout: float, max_bytes: int) -> int:
    stats = neutral.Stats()
    previous = signal.getsignal(signal.SIGINT)
    _held.clear()
    try:
        try:
            interrupted = anyio.run(_until_ctrl_c, functools.partial(
                bulk_crawl_and_write, output, urls, concurrency=concurrency,
                url_timeout=url_timeout, max_bytes=max_bytes, stats=stats), backend=backend)
        except* KeyboardInterrupt:  # before the receiver opened: bare or in a group
            interrupted = True
            signal.signal(signal.SIGINT, _note_ctrl_c)
        # Python's own handler comes back only once the summary is written: a Ctrl-C held
        # down raised KeyboardInterrupt inside this print, and the run ended 130 without it.
        if interrupted or _held:
            print(f"interrupted: {stats.summary()}", file=sys.stderr)
            return 130
        print(stats.summary(), file=sys.stderr)
        return 1 if stats.pages == 0 and stats.errors else 0
    finally:
        if signal.getsignal(signal.SIGINT) is _note_ctrl_c:
            signal.signal(signal.SIGINT, previous)


def main(argv: Sequence[str] | None = None) -> int:
    parser = neutral.build_parser()  # the twin's options, with this example's own text
    parser.prog = "python examples/migration/crawler_anyio.py"
    parser.description = ("Fetch each URL, find its links, write them to a TSV (source_url, "
                          "parsed_url). Give at least one URL.")
    parser.epilog = EPILOG
    parser.add_argument("--backend", choices=BACKENDS, default="trio",
                        help="the event loop to run on (default: trio)")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or not args.timeout > 0 or args.max_bytes < 1:  # nan too
        parser.error("--concurrency, --timeout and --max-bytes must be positive")
    try:
        urls = [neutral.check_url(url) for url in args.urls]
        if args.urls_file:
            urls += neutral.read_urls(args.urls_file)
        if not urls:
            raise ValueError("give at least one URL")
        neutral.write_header(Path(args.output))  # last: nothing written before an error
    except ValueError as e:
        parser.error(str(e))
    return crawl(urls, Path(args.output), backend=args.backend, concurrency=args.concurrency,
                 url_timeout=args.timeout, max_bytes=args.max_bytes)


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # a Ctrl-C before the crawl began, or after it had ended
        status = 130
    # As the lesson ends: after 130 it ignores SIGINT, or a Ctrl-C pressed again as Python
    # shuts down would end the process by the signal (status -2).
    neutral.exit_quietly(status)
