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

Run it: ``python -m trio_port.crawler [URL ...]``; with no URL it crawls the notebook's
eight URLs, on the internet. ``walkthrough crawl`` crawls a local demo site instead.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import heapq
import http.cookiejar
import itertools
import os
import re
import signal
import sys
import textwrap
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import current_thread, main_thread
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import httpx
import trio

from trio_port._decode import ACCEPT_ENCODING, ContentDecodingError, Decoder
from trio_port._transport import TrioH11Transport
from trio_port._transport_httptools import transport as fast_transport

if TYPE_CHECKING:
    from io import FileIO

    from trio._file_io import AsyncIOWrapper  # what trio.open_file returns (not exported)

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

#: Descriptors a URL in flight may hold: its socket (the one writer task holds the TSV, one
#: handle for the whole crawl, counted in FDS_SPARE).
FDS_PER_URL = 1
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


def make_client(concurrency: int) -> httpx.AsyncClient:
    """The one HTTP client of a crawl, its pool sized to the concurrency bound."""
    client = httpx.AsyncClient(
        # Our transport, not httpx's pool: that pool slows as connections grow (httpx#3215).
        # It parses with httptools (llhttp, aiohttp's C parser) where installed, else h11.
        transport=fast_transport(max_connections=concurrency),
        # httpx's default is 5 s per operation (aiohttp's: 300 s in total). Off: the deadline
        # is trio.fail_after in parse, the same for every URL in both versions.
        timeout=None,
        # httpx follows no redirect unless asked; aiohttp follows up to 10 (set in its twin).
        # fetch_html applies this policy itself (see there why).
        follow_redirects=True, max_redirects=MAX_REDIRECTS,
        # httpx reads proxies and certificates from the environment by default; aiohttp not.
        trust_env=False,
        # httpx keeps a site's cookies by default (aiohttp too, though none from a host given
        # as an IP address, such as 127.0.0.1): a crawl has no use for them.
        cookies=_NoCookies(),
        # What read_capped decodes with a bound; no br, no zstd (_decode's docstring says why).
        headers={"Accept-Encoding": ACCEPT_ENCODING},
    )
    # A fresh connection for every request, never one kept alive, as the twin's force_close
    # (see there why): our transport keeps no idle connection, and says "Connection: close".
    transport = client._transport
    if isinstance(transport, TrioH11Transport):  # the httptools one is one too (a subclass)
        transport._max_keepalive = 0
    client.headers["Connection"] = "close"
    return client


class _NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing, as the twin's ``aiohttp.DummyCookieJar``."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


def categorise(exc: Exception) -> str:
    """The error's category, the same words in both versions; the library's words differ."""
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirect"
    if isinstance(exc, httpx.HTTPStatusError):
        return "status"
    # trio.fail_after raises trio.TooSlowError, which is not the builtin TimeoutError.
    if isinstance(exc, trio.TooSlowError | httpx.TimeoutException):
        return "timeout"
    # Refused, reset, an invalid URL or host (httpx.InvalidURL is not an httpx.HTTPError).
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
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


async def read_capped(resp: httpx.Response, max_bytes: int) -> bytes:
    """The body, read in chunks, so that a huge one costs ``max_bytes`` and no more.

    Decoded here, in bounded steps, from the raw bytes: the library's decoding would let a
    compressed "bomb" cost far more memory than the cap (``_decode``'s docstring).
    """
    decoder = Decoder(resp.headers.get_list("Content-Encoding"))
    length = resp.headers.get("Content-Length", "")
    if decoder.identity and length.isdigit():
        # Not encoded, its length known (a typical page): the cap is checked before a byte is
        # read, and the body cannot be longer (the transport frames it by that length), so it
        # is read in one call, without a step of ours per chunk.
        if int(length) > max_bytes:
            raise BodyTooLarge(f"body over {max_bytes} bytes")
        return await resp.aread()
    pieces: list[bytes] = []  # joined once, at the end: a bytearray grown step by step
    size = 0                  # cost more with 20 bodies at once (docs/reliability.md)
    failure: Exception | None = None
    late = False  # a deadline or Ctrl-C came while decoding
    # Not a raise inside the loop: httpx streams through nested async generators that, left
    # early, Trio finalizes with a ResourceWarning (encode/httpx#3686). A cancelled scope ends
    # them all at their next read instead; for the same reason the loop's body never raises
    # Cancelled, it only looks whether one is due.
    with trio.CancelScope() as scope:
        async for raw in resp.aiter_raw():
            if failure is not None or late:
                continue  # on to the generators' next read, where the cancellation lands
            try:
                for piece in decoder.feed(raw):
                    pieces.append(piece)
                    size += len(piece)
                    if size > max_bytes:
                        raise BodyTooLarge(f"body over {max_bytes} bytes")
                    # Let other tasks run between steps (a bomb is many steps), and stop
                    # decoding once this task is due to be cancelled.
                    await trio.lowlevel.cancel_shielded_checkpoint()
                    if trio.current_effective_deadline() <= trio.current_time():
                        late = True
                        break
            except (BodyTooLarge, ContentDecodingError) as exc:
                failure = exc
                scope.cancel()
    if failure is not None:
        raise failure
    await trio.lowlevel.checkpoint()  # a cancellation seen while decoding is raised here
    decoder.end()
    return b"".join(pieces)


async def fetch_html(url: str, client: httpx.AsyncClient, max_bytes: int) -> str:
    """GET request wrapper to fetch page HTML."""
    # The client's redirect policy, applied here rather than by httpx: httpx reads a redirect's
    # body whole, with its unbounded decoder, and turns a Location without a host into one on
    # the same host. aiohttp reads no redirect's body, and refuses "http:///ok"; but it
    # resolves "http:/ok" and "http:ok" against the page's URL, as browsers do, where this
    # check refuses them too (the twins differ there).
    request = client.build_request("GET", url)
    for _ in range(client.max_redirects + 1):
        sent = await client.send(request, stream=True, follow_redirects=False)
        async with contextlib.aclosing(sent) as resp:
            # The twin's limits on a head (our transport reads at most 1 KiB more than MAX_HEAD
            # of a head, the status line's share: this check is the one that refuses).
            if len(resp.headers.raw) > MAX_HEADERS:
                raise httpx.RemoteProtocolError(f"more than {MAX_HEADERS} header lines",
                                                request=request)
            if any(len(k) + len(v) > MAX_LINE for k, v in resp.headers.raw):
                raise httpx.RemoteProtocolError(f"a header line over {MAX_LINE} bytes",
                                                request=request)
            if sum(len(k) + len(v) + 4 for k, v in resp.headers.raw) > MAX_HEAD:
                raise httpx.RemoteProtocolError(f"response head over {MAX_HEAD} bytes",
                                                request=request)
            # An empty Location is no Location (aiohttp's reading): the 3xx is the page.
            if (resp.next_request is not None and client.follow_redirects
                    and resp.headers["Location"]):
                location = httpx.URL(resp.headers["Location"])
                if location.scheme and not location.host:  # "http:///ok"; "/ok" is fine
                    raise httpx.UnsupportedProtocol(
                        f"redirect to a URL without a host: {resp.headers['Location']!r}",
                        request=request)
                request = resp.next_request
                continue
            # httpx's raise_for_status raises on 3xx too, and its is_error stops at 599;
            # aiohttp's raises from 400 up.
            if resp.status_code >= 400:
                resp.raise_for_status()
            print(f"Got response [{resp.status_code}] for URL: {url}")
            body = await read_capped(resp, max_bytes)
            # Not resp.text: httpx would replace undecodable bytes; decode strictly, as aiohttp.
            return body.decode(declared_charset(resp.headers.get("Content-Type", "")) or "utf-8")
    raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)


async def parse(
    url: str, client: httpx.AsyncClient, *, url_timeout: float, max_bytes: int, stats: Stats,
) -> set[str]:
    """Find HREFs in the HTML of `url`."""
    found: set[str] = set()
    try:
        with trio.fail_after(url_timeout):  # a cancel scope: a plain `with`, no await
            html = await fetch_html(url, client, max_bytes)
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
            await trio.lowlevel.checkpoint()
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
            await trio.lowlevel.checkpoint()
        runs.append(sorted(pending[start:start + ROWS_PER_STEP]))
    rows: list[str] = []
    for n, link in enumerate(heapq.merge(*runs), 1):
        rows.append(f"{url}\t{link}\n")
        if n % ROWS_PER_STEP == 0:
            await trio.lowlevel.checkpoint()
    return "".join(rows)


async def append_rows(out: AsyncIOWrapper[FileIO], rows: str) -> None:
    """Append rows to the open TSV in one ``write(2)``, the file opened unbuffered.

    So a crawl stopped at any point leaves only complete rows, and pages never interleave.
    A write the disk cuts short (full, or at the file-size limit) is taken back, truncated to
    where these rows began, and OutputError stops the crawl.
    """
    data = rows.encode()
    try:
        written = await out.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {out.name}: {exc.strerror or exc}") from exc
    if written != len(data):  # what fit was written: take it back (O_APPEND: it ends here)
        # Shielded, not to leave half a row if Ctrl-C comes now; bounded, as every shield.
        with trio.move_on_after(5, shield=True):
            await out.truncate(await out.tell() - written)
        raise OutputError(f"cannot write {out.name}: no room for the rows (disk full or the "
                          f"file-size limit)")


async def write_rows(file: Path, pages: trio.MemoryReceiveChannel[tuple[str, str, int]],
                     stats: Stats) -> None:
    """The TSV's one owner: open it once, write each batch of pages' rows in one append.

    The asyncio twin opens, writes and closes the file for every page, three worker-thread
    round trips each, from whichever of its ``concurrency`` worker tasks fetched it. Here one
    task in the crawl's nursery holds the file for the whole crawl, and ``write_one`` sends it
    each page's rows through a memory channel of ``concurrency`` slots (a full channel makes
    pages wait: the disk's pace, not the network's, then bounds the crawl). Whatever is queued
    when a write ends goes out in the next single write, so a busy crawl costs one thread
    round trip per batch, not three per page. "Wrote results" is printed, and the page
    counted, once its rows are in the file, as in the twin. Only pages with rows come here:
    ``write_one`` counts the others itself.
    """
    try:
        out = await trio.open_file(file, "ab", buffering=0)
    except OSError as exc:  # out of descriptors, say ("Too many open files"): no row written
        raise OutputError(f"cannot open {file}: {exc.strerror or exc}") from exc
    async with out:
        async for page in pages:
            batch = [page]
            while True:
                try:
                    batch.append(pages.receive_nowait())
                except (trio.WouldBlock, trio.EndOfChannel):
                    break
            await append_rows(out, "".join(page_rows for _, page_rows, _ in batch))
            # Counted before their lines are printed: a stdout that fails then leaves the pages
            # in the file and in the summary alike.
            for _, _, links in batch:
                stats.page_done(trio.current_time(), links)
            for url, _, _ in batch:
                print(f"Wrote results for source URL: {url}")


async def write_one(
    file: Path, url: str, *, client: httpx.AsyncClient, limit: trio.CapacityLimiter,
    url_timeout: float, max_bytes: int, stats: Stats,
    rows_out: trio.MemorySendChannel[tuple[str, str, int]],
) -> None:
    """Write the found HREFs from `url` to `file`, through the writer task that holds it."""
    # The slot covers the fetch and the hand-over: URLs in flight are bounded, and a writer
    # that falls behind holds the crawl back (the deadline, in parse, starts with the slot).
    async with limit:
        res = await parse(url, client, url_timeout=url_timeout, max_bytes=max_bytes,
                          stats=stats)
        if not res:
            # Nothing for the file (a failed URL, or a page without links): counted here, in
            # the step that counted its error, as in the twin. Counted by the writer, it was
            # missing from the summary when the crawl stopped before the writer took it.
            stats.page_done(trio.current_time(), 0)
            return
        rows = await page_rows(url, res)
        await rows_out.send((url, rows, len(res)))


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = DEFAULT_CONCURRENCY,
    url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
    stats: Stats | None = None,
) -> Stats:
    """Crawl & write concurrently to `file` for multiple `urls`."""
    stats = stats if stats is not None else Stats()
    stats.started = trio.current_time()
    limit = trio.CapacityLimiter(concurrency)
    # One writer owns the file (write_rows); the pages hand it their rows through a channel.
    rows_out, rows_in = trio.open_memory_channel[tuple[str, str, int]](concurrency)
    todo = unique(urls)  # each URL once, in order, read as the crawl goes
    # A nursery instead of gather: the crawl cannot end while a page is still in flight.
    async with make_client(concurrency) as client, trio.open_nursery() as nursery:
        nursery.start_soon(write_rows, file, rows_in, stats)

        async def worker() -> None:
            # The workers share one iterator, each taking the next URL when it is free: as many
            # tasks as the concurrency, not one per URL, whose memory grew with the URL count.
            # (With a task per URL, they also raced for the limiter in Trio's scheduling order:
            # at concurrency 1 the URLs went in input order or all reversed, a coin toss a run.)
            for url in todo:
                await write_one(file, url, client=client, limit=limit, url_timeout=url_timeout,
                                max_bytes=max_bytes, stats=stats, rows_out=rows_out)

        # Closing the send side, once every page is in, ends the writer after its last batch.
        async with rows_out, trio.open_nursery() as pages:
            for _ in range(concurrency):
                pages.start_soon(worker)
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
    """Run ``fn``; Ctrl-C cancels it at its next checkpoint. True if Ctrl-C came.

    This is what the twin's ``_until_ctrl_c`` does (it cancels the main task, from a handler
    that runs as a callback of the loop, in place of asyncio.run's own). Left alone, Trio
    raises KeyboardInterrupt wherever the signal lands, which may be in the middle of httpx or
    the stdlib, between opening a socket and owning it.

    The receiver is read until the end, cleanup included: a second Ctrl-C raises
    KeyboardInterrupt at once, as asyncio.run does on a second Ctrl-C, and nothing waits for
    the crawl any more. Nothing but the crawl's three shields, on purpose: closing a socket,
    closing a request body's iterator left mid-way (both in the transport) and taking back a
    short write (so the TSV keeps whole rows). None waits on the network, each takes
    microseconds, and each is bounded all the same (``move_on_after(T, shield=True)``):
    an unbounded shield around a cleanup that hangs would make even this second Ctrl-C wait.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN or current_thread() is not main_thread():
        # Started with SIGINT ignored (in the background, by a shell without job control):
        # keep ignoring it, as asyncio.run and trio.run do and as Unix programs should. Outside
        # the main thread no signal reaches us (open_signal_receiver refuses): run as the twin.
        await fn()
        return False
    interrupted = False
    crawl_scope = trio.CancelScope()
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:

            async def watch() -> None:
                nonlocal interrupted
                async for _ in signals:
                    if interrupted:  # the second Ctrl-C: do not wait for the cleanup
                        raise KeyboardInterrupt
                    interrupted = True
                    crawl_scope.cancel()  # the first: the crawl winds down, writing whole rows

            nursery.start_soon(watch)
            with crawl_scope:
                await fn()
            nursery.cancel_scope.cancel()  # done: stop watching
    # Leaving the receiver re-delivers a signal it had not handed out yet: trio.run then raises
    # KeyboardInterrupt, and crawl() turns it into the same exit 130.
    return interrupted


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
    failed: BaseException | None = None
    interrupted = closed = False
    try:
        with contextlib.redirect_stdout(StdoutGuard(sys.stdout)):
            interrupted = trio.run(_until_ctrl_c, functools.partial(
                bulk_crawl_and_write, output, urls, concurrency=concurrency,
                url_timeout=url_timeout, max_bytes=max_bytes, stats=stats))
            sys.stdout.flush()  # the last lines, while a failed stdout can still be told apart
    # A nursery wraps these in an ExceptionGroup (nested ones, too): except* sees through.
    except* KeyboardInterrupt:  # a Ctrl-C before the receiver opened, a second one, a late one
        interrupted = True
    except* OutputError as group:
        failed = _first(group)
    except* BrokenPipeError:
        closed = True
    # The URL file, turned bad since main checked it: bare, as out of asyncio.run (exit 2).
    except* ValueError as group:
        raise _first(group) from None
    if interrupted:
        # Ignored from here to the exit: a later Ctrl-C landing in this print lost the summary.
        # (Outside the main thread Python refuses to change a handler; nothing to ignore there.)
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(f"interrupted: {stats.summary()}", file=sys.stderr)
        return 130
    if failed is not None:
        print(f"error: {failed}; {output} holds complete rows only ({stats.summary()})",
              file=sys.stderr)
        return 74
    if closed:
        return stdout_closed()
    print(stats.summary(), file=sys.stderr)
    return 1 if stats.pages == 0 and stats.errors else 0


def _first(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


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
