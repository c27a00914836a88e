"""Lesson 7 (notebook 002.007): an async web crawler, the article's areq.py.

``fetch_html`` GETs one URL, ``parse`` finds the links in its HTML, ``write_one`` appends them
to a TSV (``source_url<TAB>parsed_url``) and ``bulk_crawl_and_write`` does that for every URL
at once, at most ``concurrency`` at a time. An error is reported on one line, for that URL,
and never stops the crawl.

The notebook leaves the client's settings to the library's defaults, and aiohttp's and httpx's
defaults differ (redirects, timeouts, the pool, what raises, how text is decoded): httpx's pool
opens at most 100 connections in all and keeps at most 20 of them idle, aiohttp's has at most
100 in use and keeps up to 100 idle for each host besides. Both versions of this lesson set
every one of them explicitly and alike:

- redirects: followed, at most ``MAX_REDIRECTS``, then a "redirect" error;
- timeout: ``timeout`` seconds per URL, from the moment it gets a slot to the last byte,
  measured by the framework (the client library's own timeouts are off);
- concurrency: ``concurrency`` URLs in flight, and a connection pool of the same size;
- status: 400 and above is an error; anything below (a 3xx without Location too) is a page,
  but a status under 100, or a 101 nobody asked for, is no answer (a "connection" error);
- body: read in chunks up to ``max_bytes``; beyond that, a "too large" error for that URL;
  compressed: gzip or deflate only, decoded in bounded steps, so that ``max_bytes`` bounds the
  memory too (any other Content-Encoding is a "decode" error; ``_decode`` says why);
- text: decoded strictly with the charset the server declares (UTF-8 when it declares none);
  a body that does not decode, or an unknown charset, is a "decode" error.

Links: the notebook's ``HREF_RE`` finds ``href="http..."``; ``urljoin`` makes each absolute
(Q: why does it work? ``urljoin`` returns a link that is already absolute, a scheme and a
host, as it is, but for an empty ``?`` or ``#`` it drops when the link has the page's scheme,
and resolves a relative one, such as ``http-guide.html``, against the page's URL, as it does
a link with the page's scheme and no host, ``http:page.html``).
Only links a user can fetch are kept: http or https, a host, a valid port, no whitespace and
no control character. Another http(s) link is *dropped*, with an "Error parsing URL" line: a
tab or a newline would break the TSV row (and ``urljoin`` would silently delete it, inventing
a different URL), a link without a host leads nowhere.

Ending: the summary goes to stderr, and the exit status says how the crawl ended
(``EXIT_STATUS``, listed by ``--help``): a full disk, a closed stdout and Ctrl-C each stop it
with the TSV holding complete rows only.

Run it: ``python -m asyncio_ref.crawler [URL ...]``; with no URL it crawls the notebook's
eight URLs, on the internet. ``walkthrough crawl`` crawls a local demo site instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import heapq
import itertools
import os
import re
import signal
import sys
import textwrap
import threading
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from io import IOBase
from pathlib import Path
from typing import Any, NoReturn, TextIO

import aiofiles
import aiohttp
from aiohttp import ClientSession, http_exceptions

from asyncio_ref._decode import ACCEPT_ENCODING, ContentDecodingError, Decoder

HREF_RE = re.compile(r'href="(http.*?)"')

#: The notebook's eight URLs: what ``python -m`` crawls when given no URL.
URLS = (
    "https://regex101.com/",
    "https://docs.python.org/3/this-url-will-404.html",
    "https://www.nytimes.com/guides/",
    "https://www.mediamatters.org/",
    "https://1.1.1.1/",
    "https://www.politico.com/tipsheets/morning-money",
    "https://www.bloomberg.com/markets/economics",
    "https://www.ietf.org/rfc/rfc2616.txt",
)

HEADER = "source_url\tparsed_url\n"
MAX_REDIRECTS = 10
DEFAULT_CONCURRENCY = 20
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_OUTPUT = "foundurls.tsv"

#: Descriptors a URL in flight may hold: its socket, and the TSV while its rows are appended.
FDS_PER_URL = 2
#: Descriptors kept free besides: the event loop's own, lazy imports, the resolver's
#: threads, a margin.
FDS_SPARE = 32

#: The largest response head, as the sum of its header lines (name, value and 4 bytes each),
#: the most header lines, and the longest line (name and value): one limit for both twins,
#: over which a head is a "connection" error. Five 4 KB Set-Cookie headers, which real sites
#: send, are well under it (h11's and Node.js's 16 KiB in all were not; aiohttp's own limit is
#: 8,190 bytes a line). aiohttp checks a line and the count as it parses, the whole head only
#: once it has it: MAX_LINE keeps what a head costs it below MAX_HEADERS * MAX_LINE, 4 MiB.
MAX_HEAD = 64 * 1024
MAX_HEADERS = 256
MAX_LINE = 16 * 1024

#: Links handled in one step of ``parse``, between two turns of the event loop: about 1.5 ms
#: on the development machine (docs/reliability.md).
LINKS_PER_STEP = 50
#: Rows sorted, or made, in one step of ``page_rows``: a few milliseconds.
ROWS_PER_STEP = 5_000

#: Whitespace and control characters: a tab, CR or newline would break a TSV row (and urljoin
#: would silently delete them); none belongs in a URL a user can fetch.
UNSAFE_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")

#: The exit statuses, as ``--help`` lists them.
EXIT_STATUS = {
    0: "the crawl ended, and at least one page was crawled (a URL that fails is an "
       "'Error' line, and the crawl goes on)",
    1: "no page could be crawled: every URL failed",
    2: "bad usage: a bad option, URL or URL file, or a TSV that cannot be started; nothing "
       "was written",
    74: "the TSV or stdout could not be written (disk full, file too large): the crawl "
        "stopped, and the TSV holds complete rows only",
    130: "interrupted by Ctrl-C (SIGINT): the TSV holds complete rows only; a second Ctrl-C "
         "does not wait for the cleanup",
    141: "stdout was closed (e.g. `| head`): the crawl stopped quietly, as a tool killed by "
         "SIGPIPE does",
}


class BodyTooLarge(Exception):
    """A response body over the ``max_bytes`` cap."""


class OutputError(Exception):
    """The TSV, or stdout, could not be written: this stops the crawl (exit status 74)."""


class StdoutGuard:
    """``sys.stdout`` while the crawl runs: a write it refuses is an OutputError.

    A full disk behind stdout (or EIO) would raise OSError from whichever ``print`` met it
    first: inside ``fetch_html`` a URL's "Error" line for a URL that was fine, then a traceback.
    As an OutputError it stops the crawl as the TSV's own failure does: one line, exit status
    74. A closed pipe stays a BrokenPipeError (quietly, status 141). Once it has failed, stdout's
    descriptor is /dev/null: what it still buffers, and the lines the other tasks print while
    the crawl stops, go nowhere, and Python's final flush at exit does not fail again.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failed = False

    def write(self, text: str) -> int:
        if self.failed:
            return len(text)
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._fail(exc) from exc

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._fail(exc) from exc

    def _fail(self, exc: OSError) -> OutputError:
        self.failed = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.stream.fileno())
            finally:
                os.close(devnull)
            self.stream.flush()
        return OutputError(f"cannot write stdout: {exc.strerror or exc}")

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding...: the stream's
        return getattr(self.stream, name)


@dataclass
class Stats:
    """What the crawl did so far: for the summary line, and the progress line on a terminal.

    ``urls`` counts the URLs done, ``errors`` those that failed: ``pages``, the pages crawled,
    is the difference (a crawl where every URL failed says "pages 0").
    """

    urls: int = 0
    links: int = 0
    errors: int = 0
    started: float = 0.0
    elapsed: float = 0.0
    progress: bool = False
    _shown: float = 0.0

    @property
    def pages(self) -> int:
        return self.urls - self.errors

    def page_done(self, now: float, links: int) -> None:
        self.urls += 1
        self.links += links
        self.elapsed = now - self.started
        if self.progress and now - self._shown >= 0.5:
            self._shown = now
            rate = self.pages / self.elapsed if self.elapsed else 0.0
            print(f"[{self.pages} pages, {self.errors} errors, {rate:.0f} pages/s]",
                  file=sys.stderr, flush=True)

    def summary(self) -> str:
        return (f"pages {self.pages}, links {self.links}, errors {self.errors},"
                f" elapsed {self.elapsed:.2f} s")


def make_client(concurrency: int) -> ClientSession:
    """The one HTTP client of a crawl, its pool sized to the concurrency bound."""
    return ClientSession(
        # A fresh connection for every request ("Connection: close"), never one kept alive:
        # bytes a server sends that no request asked for (a body longer than its
        # Content-Length, an answer sent early) would be read as the next page's response,
        # and its links filed under the wrong URL. No check can tell them from a late answer.
        connector=aiohttp.TCPConnector(limit=concurrency, force_close=True),
        # aiohttp's default is 300 s in total (httpx's: 5 s per operation). Off: the deadline
        # is asyncio.timeout in parse, the same for every URL in both versions.
        timeout=aiohttp.ClientTimeout(total=None),
        # aiohttp's default already (httpx's is True): stated, so that both read alike.
        trust_env=False,
        # aiohttp keeps a site's cookies by default (httpx too), though none from a host given
        # as an IP address, such as 127.0.0.1 (httpx keeps those): a crawl has no use for them.
        cookie_jar=aiohttp.DummyCookieJar(),
        # aiohttp would decode br too, unasked, at up to 16 MiB a body: read_capped decodes
        # (_decode's docstring says why), and asks only for what it decodes with a bound.
        auto_decompress=False,
        # aiohttp reads ahead up to twice this per connection (256 KiB by default: 512 KiB), or
        # twice the chunk a read asks for if that is larger (read_capped's 64 KiB: 128 KiB), then
        # one more read of the socket (up to 256 KiB) while it pauses: 16 KiB keeps what waits
        # unread smaller (bytes of a bomb, for one).
        read_bufsize=16 * 1024,
        # aiohttp's own limits are per line (8,190 bytes) and count (128); MAX_HEAD, on the
        # whole head, is checked in fetch_html, as the twin's transport checks it.
        max_line_size=MAX_HEAD, max_field_size=MAX_LINE, max_headers=MAX_HEADERS,
        headers={"Accept-Encoding": ACCEPT_ENCODING},
    )


def categorise(exc: Exception) -> str:
    """The error's category, the same words in both versions; the library's words differ."""
    if isinstance(exc, aiohttp.TooManyRedirects):  # a ClientResponseError: test it first
        return "redirect"
    # aiohttp reports a response it cannot parse (a bad status line, too many or too long
    # headers) as a ClientResponseError with status 400, made from an HttpProcessingError: not
    # a status the server sent. Its twin's words for it.
    if isinstance(exc.__cause__, http_exceptions.HttpProcessingError):
        return "connection"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "status"
    # asyncio.timeout raises the builtin TimeoutError, not an aiohttp.ClientError.
    if isinstance(exc, TimeoutError):
        return "timeout"
    # Refused, reset, an invalid URL or host (aiohttp.InvalidURL is a ClientError).
    if isinstance(exc, aiohttp.ClientError):
        return "connection"
    if isinstance(exc, BodyTooLarge):
        return "too-large"
    # A bad byte, an unknown charset, a Content-Encoding that cannot be (or is not) decoded.
    if isinstance(exc, UnicodeError | LookupError | ContentDecodingError):
        return "decode"
    return "other"


def describe(exc: BaseException) -> str:
    """The library's own wording of an error: its type, and the first line of its message."""
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, read in chunks, so that a huge one costs ``max_bytes`` and no more.

    Decoded here, in bounded steps, from the raw bytes: the library's decoding would let a
    compressed "bomb" cost far more memory than the cap (``_decode``'s docstring).
    """
    decoder = Decoder(resp.headers.getall("Content-Encoding", []))
    if decoder.identity and (resp.content_length or 0) > max_bytes:
        # Not encoded, and longer than the cap by its own word: refused before a byte is read.
        raise BodyTooLarge(f"body over {max_bytes} bytes")
    pieces: list[bytes] = []  # joined once, at the end: a bytearray grown step by step
    size = 0                  # cost more with 20 bodies at once (docs/reliability.md)
    async for raw in resp.content.iter_chunked(64 * 1024):
        for piece in decoder.feed(raw):
            pieces.append(piece)
            size += len(piece)
            if size > max_bytes:
                raise BodyTooLarge(f"body over {max_bytes} bytes")
            if not decoder.identity:  # a compressed chunk is many steps (a bomb's, about 1,000)
                await asyncio.sleep(0)  # let other tasks run between them
    decoder.end()
    return b"".join(pieces)


async def fetch_html(url: str, session: ClientSession, max_bytes: int) -> str:
    """GET request wrapper to fetch page HTML."""
    # aiohttp raises at its max_redirects-th redirect *response*, so it follows one fewer than
    # httpx with the same number: + 1 makes both follow MAX_REDIRECTS.
    async with session.get(url, allow_redirects=True, max_redirects=MAX_REDIRECTS + 1) as resp:
        if resp.status < 100 or resp.status == 101:
            # No status HTTP has, or a switch to another protocol nobody asked for: not an
            # answer to this request (the twin's transport: a protocol error). Worded as aiohttp
            # words a response it cannot parse.
            raise aiohttp.ClientResponseError(
                resp.request_info, resp.history, status=resp.status,
                message=f"not an HTTP response: status {resp.status}",
            ) from http_exceptions.BadStatusLine(str(resp.status))
        for head in (*resp.history, resp):  # the redirects' heads too
            if sum(len(k) + len(v) + 4 for k, v in head.raw_headers) > MAX_HEAD:
                raise aiohttp.ClientResponseError(
                    head.request_info, head.history, status=head.status,
                    message=f"response head over {MAX_HEAD} bytes",
                ) from http_exceptions.LineTooLong(f"response head over {MAX_HEAD} bytes")
            # aiohttp's max_field_size let a Set-Cookie through whose value alone was the limit
            # (its name not counted): the rule, name and value, is checked here, as by the twin.
            if any(len(k) + len(v) > MAX_LINE for k, v in head.raw_headers):
                raise aiohttp.ClientResponseError(
                    head.request_info, head.history, status=head.status,
                    message=f"a header line over {MAX_LINE} bytes",
                ) from http_exceptions.LineTooLong(f"a header line over {MAX_LINE} bytes")
        resp.raise_for_status()  # raises for status >= 400
        print(f"Got response [{resp.status}] for URL: {url}")
        body = await read_capped(resp, max_bytes)
        return body.decode(declared_charset(resp.headers.get("Content-Type", "")) or "utf-8")


async def parse(
    url: str, session: ClientSession, *, url_timeout: float, max_bytes: int, stats: Stats,
) -> set[str]:
    """Find HREFs in the HTML of `url`."""
    found: set[str] = set()
    try:
        async with asyncio.timeout(url_timeout):
            html = await fetch_html(url, session, max_bytes)
    # Our stdout is closed (`| head`) or cannot be written (StdoutGuard): no error of the
    # URL's; stop.
    except (BrokenPipeError, OutputError):
        raise
    except Exception as e:  # every error is reported, and the crawl goes on
        print(f"Error [{categorise(e)}] for URL: {url} - {describe(e)}")
        stats.errors += 1  # once its line is out: a stdout that fails stops before the count
        return found
    # In steps of LINKS_PER_STEP links, other tasks running in between: a page of 50,000 links
    # took 0.6 s in one go, with the loop held (other URLs' deadlines ran out, Ctrl-C waited).
    for i, match in enumerate(HREF_RE.finditer(html), 1):
        if i % LINKS_PER_STEP == 0:
            await asyncio.sleep(0)
        link = match[1]
        try:
            if UNSAFE_RE.search(link):
                raise ValueError("whitespace or a control character in the link")
            abslink = urllib.parse.urljoin(url, link)
            if urllib.parse.urlsplit(abslink).scheme not in ("http", "https"):
                continue  # mailto:, httpx:...: not a web page, dropped without a word
            check_url(abslink)
        except ValueError:
            print(f"Error parsing URL: {link!r}")  # !r: the line stays one line
        else:
            found.add(abslink)
    print(f"Found {len(found)} links for {url}")
    return found


async def page_rows(url: str, links: set[str]) -> str:
    """The page's rows, its links in order, made in steps of at most ROWS_PER_STEP rows.

    One ``sorted`` of a page's links held the event loop: 0.9 s for a million. Sorted in runs,
    then merged, other tasks run between the steps.
    """
    pending = list(links)
    runs: list[list[str]] = []
    for start in range(0, len(pending), ROWS_PER_STEP):
        if start:
            await asyncio.sleep(0)
        runs.append(sorted(pending[start:start + ROWS_PER_STEP]))
    rows: list[str] = []
    for n, link in enumerate(heapq.merge(*runs), 1):
        rows.append(f"{url}\t{link}\n")
        if n % ROWS_PER_STEP == 0:
            await asyncio.sleep(0)
    return "".join(rows)


async def append_rows(file: Path, rows: str) -> None:
    """Append a page's rows to `file` in one ``write(2)``, the file opened unbuffered.

    So a crawl stopped at any point leaves only complete rows, and pages never interleave.
    A write the disk cuts short (full, or at the file-size limit) is taken back, truncated to
    where this page's rows began, and OutputError stops the crawl.
    """
    data = rows.encode()
    # aiofiles.open runs open() in a worker thread, and an await of it that is cancelled drops
    # what the thread returns. After a second Ctrl-C asyncio.run cancels every task, this one
    # mid-open included: the file would be left open for the garbage collector. A future of the
    # loop's executor is no task, so nothing cancels it: shielded, the file it opens is waited
    # for, and closed if this task was cancelled meanwhile. aiofiles' wrap then makes it the
    # file aiofiles.open would have returned. (trio.open_file always waits for its thread.)
    loop = asyncio.get_running_loop()
    opening = loop.run_in_executor(None, functools.partial(open, file, "ab", buffering=0))
    try:
        raw = await asyncio.shield(opening)
    except asyncio.CancelledError:
        with contextlib.suppress(OSError):  # an open that failed left nothing to close
            (await opening).close()
        raise
    except OSError as exc:  # out of descriptors, say ("Too many open files"): no row written
        raise OutputError(f"cannot open {file}: {exc.strerror or exc}") from exc
    f = aiofiles.threadpool.wrap(raw)
    try:
        try:
            written = await f.write(data)
        except OSError as exc:
            raise OutputError(f"cannot write {file}: {exc.strerror or exc}") from exc
        if written != len(data):  # what fit was written: take it back (O_APPEND: it ends here)
            await f.truncate(await f.tell() - written)
            raise OutputError(f"cannot write {file}: no room for the rows (disk full or the "
                              f"file-size limit)")
    except BaseException:
        await _close_seen_through(raw)
        raise
    # The rows are in the file. A cancellation that lands in the close (asyncio.run's, after a
    # second Ctrl-C) is taken once the file is closed, and not raised: the append is done, so
    # write_one counts the page, then lets its own cancellation go on.
    with contextlib.suppress(asyncio.CancelledError):
        await _close_seen_through(raw)


async def _close_seen_through(raw: IOBase) -> None:
    """Close ``raw`` in the loop's executor, however this task is cancelled meanwhile.

    aiofiles' close is a cancellable await of its thread's job: cancelled before the job ran,
    the file stayed open for the garbage collector (a ResourceWarning after a second Ctrl-C in
    about one loaded run in twenty). A future of the executor is no task, so nothing cancels
    it: shielded, it is waited for again if this task is cancelled, then the cancellation goes
    on."""
    closing = asyncio.get_running_loop().run_in_executor(None, raw.close)
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        await closing
        raise


async def write_one(
    file: Path, url: str, *, session: ClientSession, limit: asyncio.Semaphore,
    url_timeout: float, max_bytes: int, stats: Stats,
) -> None:
    """Write the found HREFs from `url` to `file`."""
    # The slot covers the fetch and the append: URLs in flight and TSV handles open are both
    # bounded (the deadline, in parse, starts once the URL has its slot).
    cancelled: asyncio.CancelledError | None = None
    async with limit:
        res = await parse(url, session, url_timeout=url_timeout, max_bytes=max_bytes,
                          stats=stats)
        if res:
            rows = await page_rows(url, res)
            # aiofiles opens, writes and closes in worker threads, and a cancelled await
            # abandons the thread's result: Ctrl-C during the open would leak the file. So the
            # append is shielded, and seen through before the cancellation goes on; the page
            # is then in the file, and is reported and counted as such.
            appending = asyncio.ensure_future(append_rows(file, rows))
            try:
                await asyncio.shield(appending)
            except asyncio.CancelledError as exc:
                await appending
                cancelled = exc
    # Counted before its line is printed: a stdout that fails then leaves the page in the file
    # and in the summary alike.
    stats.page_done(asyncio.get_running_loop().time(), len(res))
    if res:
        print(f"Wrote results for source URL: {url}")
    if cancelled is not None:
        raise cancelled


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = DEFAULT_CONCURRENCY,
    url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
    stats: Stats | None = None,
) -> Stats:
    """Crawl & write concurrently to `file` for multiple `urls`."""
    stats = stats if stats is not None else Stats()
    stats.started = asyncio.get_running_loop().time()
    limit = asyncio.Semaphore(concurrency)
    todo = unique(urls)  # each URL once, in order, read as the crawl goes
    async with make_client(concurrency) as session:

        async def worker() -> None:
            # The workers share one iterator, each taking the next URL when it is free: as many
            # tasks as the concurrency, not one per URL, whose memory grew with the URL count.
            for url in todo:
                await write_one(file, url, session=session, limit=limit,
                                url_timeout=url_timeout, max_bytes=max_bytes, stats=stats)

        tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            # Ctrl-C, or an error that must stop the crawl (the TSV cannot be written, stdout is
            # closed): gather returns at the first one and leaves the other tasks running, some
            # still writing, others on into a closed session. Cancel them, let them end first.
            # Only once: on Ctrl-C gather has cancelled them already, and a second cancel would
            # break into write_one's wait for its append, which must be seen through.
            for task in tasks:
                if not task.cancelling():
                    task.cancel()
            await asyncio.wait(tasks)
            raise
    return stats


def unique(urls: Iterable[str]) -> Iterator[str]:
    """Each URL once, in order, as the crawl asks for the next: of all the URLs, only the set
    of those already seen is kept (docs/reliability.md measures it)."""
    seen: set[str] = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            yield url


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type, read as HTTP writes it (RFC 9110, 5.6.6).

    A token, or a quoted string in double quotes. The same reading in both twins: the libraries
    differ (``charset='iso-8859-1'``: aiohttp fell back to UTF-8, httpx took ISO-8859-1;
    here it is the token ``'iso-8859-1'``, which Python's codec lookup reads as ISO-8859-1, as
    it ignores punctuation in a codec's name).
    """
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return value or None
    return None


def check_url(url: str) -> str:
    """``url`` if a user can fetch it, else ValueError: a crawl's URLs, and each link kept.

    http or https, a host, a port (if any) from 1 to 65535, no whitespace and no control
    character, no ':' in the user name (``%3A`` included).
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port  # ValueError if it is not a number from 0 to 65535
    except ValueError:
        port = 0
    if (parts.scheme not in ("http", "https") or not parts.hostname or port == 0
            or UNSAFE_RE.search(url)):
        raise ValueError(f"not an http(s) URL: {url!r}")
    if ":" in urllib.parse.unquote(parts.username or ""):
        # Basic auth cannot send it (RFC 7617, 2): aiohttp refuses, httpx sent "a:b:pw", read
        # by the server as the user "a".
        raise ValueError(f"a ':' in the user name of {url!r}")
    return url


def read_urls(path: str) -> list[str]:
    """The URLs of a file, one a line; blank lines and ``#`` comments are skipped.

    UTF-8, with or without the byte-order mark that Windows editors put first. All of them, in
    a list: a crawl reads its file with ``iter_urls``, a line at a time, instead.
    """
    with open_urls(path) as f:
        return list(iter_urls(f))


def open_urls(path: str) -> TextIO:
    """``path``, opened to read its URLs; ValueError, one clear line, if it cannot be."""
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None


def iter_urls(f: TextIO) -> Iterator[str]:
    """The URLs of the open file ``f``, as ``read_urls`` reads them, a line at a time.

    Memory for one line however long the file: a crawl of a million URLs does not hold them.
    """
    try:
        for line in f:
            url = line.strip()
            if url and not url.startswith("#"):
                yield check_url(url)
    except UnicodeDecodeError:
        raise ValueError(f"cannot read {f.name}: not UTF-8 text") from None


async def _until_ctrl_c(fn: Callable[[], Awaitable[object]]) -> bool:
    """Run ``fn``; Ctrl-C cancels it at its next await. True if Ctrl-C came.

    asyncio.run's own SIGINT handler does the same, but from *inside* the signal handler, which
    Python runs between any two bytecodes: the cancellation then lands in the middle of the
    event loop's own code. Seen about once in ten interrupted crawls: in
    ``asyncio.Semaphore.release``, between checking that a waiter's future is pending and
    setting its result, the handler cancelled that future, and the crawl ended in an
    ``InvalidStateError`` traceback. A handler added with ``loop.add_signal_handler`` runs as
    an ordinary callback of the loop, between two steps, as Trio's signal receiver does.
    A second Ctrl-C raises KeyboardInterrupt at once, as asyncio.run's handler does; later
    ones change nothing: the handler stays in place while asyncio.run shuts down, and a third
    KeyboardInterrupt there left tasks destroyed pending and files unclosed.
    """
    if (signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # inherited: keep ignoring it
            or threading.current_thread() is not threading.main_thread()):
        await fn()
        return False
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None
    presses = 0

    def on_sigint() -> None:
        nonlocal presses
        presses += 1
        if presses == 1:  # the first: the crawl winds down, writing whole rows
            task.cancel()
        elif presses == 2:  # the second Ctrl-C: do not wait for the cleanup
            raise KeyboardInterrupt
        # Later ones change nothing: asyncio.run is shutting down after the second.

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        await fn()
    except asyncio.CancelledError:
        if not presses or task.uncancel():  # not ours (or not only ours): let it go on
            raise
    finally:
        # After the second, this runs as asyncio.run cancels every task: the handler stays (the
        # loop's close takes it out), or a later Ctrl-C would break into that cancelling.
        if presses < 2:
            loop.remove_signal_handler(signal.SIGINT)
    return presses > 0


def fit_concurrency(concurrency: int) -> int:
    """``concurrency``, or fewer if the open-files limit (``ulimit -n``) cannot hold that many.

    Each URL in flight holds descriptors (``FDS_PER_URL``); past the limit, opening a socket
    or the TSV fails with "Too many open files". So the soft limit is first raised towards the
    hard one, as far as the crawl needs; if that is not enough, the crawl runs fewer URLs at
    once, and says so on stderr. Counts the descriptors open now; where they cannot be counted
    (no ``/proc`` or ``/dev/fd``, or no such limit, as on Windows), ``concurrency`` is kept.
    """
    try:
        import resource
        in_use = len(os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd")
                                else "/dev/fd"))
    except (ImportError, OSError):
        return concurrency
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = in_use + FDS_SPARE + FDS_PER_URL * concurrency
    if soft == resource.RLIM_INFINITY or need <= soft:
        return concurrency
    raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if raised > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    fitted = max(1, (soft - in_use - FDS_SPARE) // FDS_PER_URL)
    if fitted < concurrency:
        print(f"note: --concurrency {concurrency} lowered to {fitted}: at most {soft} open "
              f"files (ulimit -n)", file=sys.stderr)
        return fitted
    return concurrency


def crawl(urls: Iterable[str], output: Path, *, concurrency: int = DEFAULT_CONCURRENCY,
          url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          progress: bool = False) -> int:
    """Crawl into ``output`` (its header written), print the summary on stderr.

    Returns the exit status (``EXIT_STATUS``).
    """
    concurrency = fit_concurrency(concurrency)
    stats = Stats(progress=progress)
    interrupted = False
    run = _until_ctrl_c(functools.partial(
        bulk_crawl_and_write, output, urls, concurrency=concurrency, url_timeout=url_timeout,
        max_bytes=max_bytes, stats=stats))
    try:
        with contextlib.redirect_stdout(StdoutGuard(sys.stdout)):
            interrupted = asyncio.run(run)
            sys.stdout.flush()  # the last lines, while a failed stdout can still be told apart
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the handler was in place
        run.close()  # if it never started: no "coroutine was never awaited" warning
        interrupted = True
    except OutputError as exc:
        print(f"error: {exc}; {output} holds complete rows only ({stats.summary()})",
              file=sys.stderr)
        return 74
    except BrokenPipeError:
        return stdout_closed()
    if interrupted:
        # Ignored from here to the exit: a later Ctrl-C landing in this print lost the summary.
        # (Outside the main thread Python refuses to change a handler; nothing to ignore there.)
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(f"interrupted: {stats.summary()}", file=sys.stderr)
        return 130
    print(stats.summary(), file=sys.stderr)
    return 1 if stats.pages == 0 and stats.errors else 0


def stdout_closed() -> int:
    """Exit status 141, quietly: stdout is gone, and Python's final flush must not complain."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.crawler",
        description="Fetch each URL, find its links, write them to a TSV "
                    "(source_url, parsed_url). With no URL, crawl the notebook's eight URLs "
                    "(on the internet); `walkthrough crawl` crawls a local demo site instead.",
        epilog=exit_statuses(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", metavar="URL", help="http(s) URLs to crawl")
    parser.add_argument("--urls-file", metavar="F", help="a file of URLs, one a line")
    parser.add_argument("-o", "--output", metavar="OUT", default=DEFAULT_OUTPUT,
                        help=f"the TSV to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--concurrency", metavar="N", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"URLs in flight at once (default: {DEFAULT_CONCURRENCY})")
    parser.add_argument("--timeout", metavar="S", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per URL (default: {DEFAULT_TIMEOUT:g}; "
                             "inf: no limit)")
    parser.add_argument("--max-bytes", metavar="N", type=int, default=DEFAULT_MAX_BYTES,
                        help=f"largest body read (default: {DEFAULT_MAX_BYTES})")
    return parser


def check_options(concurrency: int, timeout: float, max_bytes: int) -> None:
    """ValueError, one line, unless all three are positive. ``--timeout inf`` is no limit;
    ``nan`` is refused (``nan <= 0`` is False: it passed, and then every URL failed)."""
    if concurrency < 1 or not timeout > 0 or max_bytes < 1:
        raise ValueError("--concurrency, --timeout and --max-bytes must be positive")


def write_header(output: Path) -> None:
    """Start the TSV with its header; ValueError, one clear line, if it cannot be written."""
    try:
        output.write_text(HEADER, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot write {output}: {exc.strerror or exc}") from None


def exit_statuses() -> str:
    """``EXIT_STATUS`` as the end of ``--help``."""
    lines = [f"  {code:<4} {text}" for code, text in EXIT_STATUS.items()]
    return "exit status:\n" + "\n".join(textwrap.fill(
        line, 92, subsequent_indent=" " * 7) for line in lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_options(args.concurrency, args.timeout, args.max_bytes)
        urls: Iterable[str] = [check_url(url) for url in args.urls]
        if args.urls_file:
            # Every line checked first (a bad one: nothing written), none kept: the crawl reads
            # the file again, a line at a time.
            with open_urls(args.urls_file) as f:
                if not sum(1 for _ in iter_urls(f)):
                    # a mistake, not a request for the notebook's URLs
                    raise ValueError(f"{args.urls_file}: no URL in the file")
        if args.urls_file and os.path.exists(args.output) and os.path.samefile(
                args.urls_file, args.output):
            # The header would overwrite the URLs before the crawl had read them.
            raise ValueError(f"cannot write {args.output}: it is the URL file")
        write_header(Path(args.output))  # last: nothing half-done
        with contextlib.ExitStack() as files:
            if args.urls_file:
                urls = itertools.chain(urls, iter_urls(files.enter_context(
                    open_urls(args.urls_file))))
            return crawl(urls or URLS, Path(args.output), concurrency=args.concurrency,
                         url_timeout=args.timeout, max_bytes=args.max_bytes,
                         progress=sys.stderr.isatty())
    except ValueError as e:  # the URL file, gone or changed since it was checked, included
        parser.error(str(e))


def exit_quietly(status: int) -> NoReturn:
    """``sys.exit(status)``; after Ctrl-C, one more is ignored, not to kill the exit itself.

    Python hands SIGINT back to the system's default while it shuts down: a second Ctrl-C
    pressed just then would end the process by the signal (status -2), after it had cleaned up.
    """
    if status == 130:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # a Ctrl-C before the crawl began, or after it had ended
        status = 130
    exit_quietly(status)
