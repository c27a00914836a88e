"""Lesson 7 (notebook 002.007): an async web crawler, the article's areq.py.

``fetch_html`` GETs one URL, ``parse`` finds the links in its HTML, ``write_one`` appends them
to a TSV (``source_url<TAB>parsed_url``) and ``bulk_crawl_and_write`` does that for every URL
at once, at most ``concurrency`` at a time. An error is reported on one line, for that URL,
and never stops the crawl.

The notebook leaves the client's settings to the library's defaults, and aiohttp's and httpx's
defaults differ (redirects, timeouts, pool size, what raises, how text is decoded). Both
versions of this lesson set every one of them explicitly and alike:

- redirects: followed, at most ``MAX_REDIRECTS``, then a "redirect" error;
- timeout: ``timeout`` seconds per URL, from the moment it gets a slot to the last byte,
  measured by the framework (the client library's own timeouts are off);
- concurrency: ``concurrency`` URLs in flight, and a connection pool of the same size;
- status: 400 and above is an error; anything below (a 3xx without Location too) is a page;
- body: read in chunks up to ``max_bytes``; beyond that, a "too large" error for that URL;
- text: decoded strictly with the charset the server declares (UTF-8 when it declares none);
  a body that does not decode, or an unknown charset, is a "decode" error.

Links: the notebook's ``HREF_RE`` finds ``href="http..."``; ``urljoin`` makes each absolute
(Q: why does it work? ``urljoin`` returns a link that is already absolute unchanged, and
resolves a relative one, such as ``http-guide.html``, against the page's URL). Only http and
https links are kept. A link holding a tab, a carriage return or a newline is *dropped*, with
an "Error parsing URL" line: it would break the TSV row, and ``urljoin`` would silently delete
those characters and so invent a different URL.

Run it: ``python -m asyncio_ref.crawler [URL ...]``; with no URL it crawls the notebook's
eight URLs, on the internet. ``walkthrough crawl`` crawls a local demo site instead.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiofiles
import aiohttp
from aiohttp import ClientSession, http_exceptions

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

#: Characters that would break a TSV row (or that urljoin would silently delete).
UNSAFE_RE = re.compile(r"[\t\r\n]")


class BodyTooLarge(Exception):
    """A response body over the ``max_bytes`` cap."""


@dataclass
class Stats:
    """What the crawl did so far: for the summary line, and the progress line on a terminal."""

    pages: int = 0
    links: int = 0
    errors: int = 0
    started: float = 0.0
    elapsed: float = 0.0
    progress: bool = False
    _shown: float = 0.0

    def page_done(self, now: float, links: int) -> None:
        self.pages += 1
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
        connector=aiohttp.TCPConnector(limit=concurrency),
        # aiohttp's default is 300 s in total (httpx's: 5 s per operation). Off: the deadline
        # is asyncio.timeout in parse, the same for every URL in both versions.
        timeout=aiohttp.ClientTimeout(total=None),
    )


def categorise(exc: Exception) -> str:
    """The error's category, the same words in both versions; the library's words differ."""
    if isinstance(exc, aiohttp.TooManyRedirects):  # a ClientResponseError: test it first
        return "redirect"
    # aiohttp reports a response it cannot parse (a bad status line, too many or too long
    # headers, a Content-Encoding it cannot decode) as a ClientResponseError with status 400,
    # made from an HttpProcessingError: not a status the server sent. Its twin's words for it.
    causes = (exc.__cause__, getattr(exc.__cause__, "__cause__", None))
    if any(isinstance(c, http_exceptions.ContentEncodingError) for c in causes):
        return "decode"  # also a body that does not decompress (a ClientPayloadError)
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
    if isinstance(exc, UnicodeError | LookupError):
        return "decode"
    return "other"


def describe(exc: BaseException) -> str:
    """The library's own wording of an error: its type, and the first line of its message."""
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, read in chunks, so that a huge one costs ``max_bytes`` and no more."""
    body = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise BodyTooLarge(f"body over {max_bytes} bytes")
    return bytes(body)


async def fetch_html(url: str, session: ClientSession, max_bytes: int) -> str:
    """GET request wrapper to fetch page HTML."""
    async with session.get(url, allow_redirects=True, max_redirects=MAX_REDIRECTS) as resp:
        resp.raise_for_status()  # raises for status >= 400
        print(f"Got response [{resp.status}] for URL: {url}")
        body = await read_capped(resp, max_bytes)
        return body.decode(resp.charset or "utf-8")


async def parse(
    url: str, session: ClientSession, *, url_timeout: float, max_bytes: int, stats: Stats,
) -> set[str]:
    """Find HREFs in the HTML of `url`."""
    found: set[str] = set()
    try:
        async with asyncio.timeout(url_timeout):
            html = await fetch_html(url, session, max_bytes)
    except Exception as e:  # every error is reported, and the crawl goes on
        stats.errors += 1
        print(f"Error [{categorise(e)}] for URL: {url} - {describe(e)}")
        return found
    for link in HREF_RE.findall(html):
        try:
            if UNSAFE_RE.search(link):
                raise ValueError("a tab, carriage return or newline in the link")
            abslink = urllib.parse.urljoin(url, link)
        except ValueError:
            print(f"Error parsing URL: {link!r}")  # !r: the line stays one line
        else:
            if urllib.parse.urlsplit(abslink).scheme in ("http", "https"):
                found.add(abslink)
    print(f"Found {len(found)} links for {url}")
    return found


async def append_rows(file: Path, rows: str) -> None:
    """Append a page's rows to `file` in one ``write(2)``, the file opened unbuffered.

    So a crawl stopped at any point leaves only complete rows, and pages never interleave.
    """
    async with aiofiles.open(file, "ab", buffering=0) as f:
        await f.write(rows.encode())


async def write_one(
    file: Path, url: str, *, session: ClientSession, limit: asyncio.Semaphore,
    url_timeout: float, max_bytes: int, stats: Stats,
) -> None:
    """Write the found HREFs from `url` to `file`."""
    # The slot covers the fetch and the append: URLs in flight and TSV handles open are both
    # bounded (the deadline, in parse, starts once the URL has its slot).
    async with limit:
        res = await parse(url, session, url_timeout=url_timeout, max_bytes=max_bytes,
                          stats=stats)
        if res:
            rows = "".join(f"{url}\t{p}\n" for p in sorted(res))
            # aiofiles opens, writes and closes in worker threads, and a cancelled await
            # abandons the thread's result: Ctrl-C during the open would leak the file. So the
            # append is shielded, and seen through before the cancellation goes on.
            appending = asyncio.ensure_future(append_rows(file, rows))
            try:
                await asyncio.shield(appending)
            except asyncio.CancelledError:
                await appending
                raise
            print(f"Wrote results for source URL: {url}")
    stats.page_done(asyncio.get_running_loop().time(), len(res))


async def bulk_crawl_and_write(
    file: Path, urls: Iterable[str], *, concurrency: int = DEFAULT_CONCURRENCY,
    url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
    stats: Stats | None = None,
) -> Stats:
    """Crawl & write concurrently to `file` for multiple `urls`."""
    stats = stats if stats is not None else Stats()
    stats.started = asyncio.get_running_loop().time()
    limit = asyncio.Semaphore(concurrency)
    async with make_client(concurrency) as session:
        tasks = [
            asyncio.ensure_future(write_one(file, url, session=session, limit=limit,
                                            url_timeout=url_timeout, max_bytes=max_bytes,
                                            stats=stats))
            for url in dict.fromkeys(urls)  # each URL once, in order
        ]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            # Ctrl-C: gather cancels every task, but returns at the first one that ends and
            # leaves the others winding down, some still writing. Let them end first.
            await asyncio.wait(tasks)
            raise
    return stats


def check_url(url: str) -> str:
    """``url`` if it can start a crawl (http or https, a host, no whitespace); else ValueError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", url):
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def read_urls(path: str) -> list[str]:
    """The URLs of a file, one a line; blank lines and ``#`` comments are skipped."""
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    return [check_url(line) for line in lines if line and not line.startswith("#")]


def crawl(urls: Sequence[str], output: Path, *, concurrency: int = DEFAULT_CONCURRENCY,
          url_timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          progress: bool = False) -> int:
    """Crawl into ``output`` (its header written), print the summary on stderr.

    The exit status: 0, or 130 after Ctrl-C (the TSV then holds complete rows only).
    """
    stats = Stats(progress=progress)
    try:
        asyncio.run(bulk_crawl_and_write(output, urls, concurrency=concurrency,
                                         url_timeout=url_timeout, max_bytes=max_bytes, stats=stats))
    except KeyboardInterrupt:
        print(f"interrupted: {stats.summary()}", file=sys.stderr)
        return 130
    print(stats.summary(), file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.crawler",
        description="Fetch each URL, find its links, write them to a TSV "
                    "(source_url, parsed_url). With no URL, crawl the notebook's eight URLs "
                    "(on the internet); `walkthrough crawl` crawls a local demo site instead.")
    parser.add_argument("urls", nargs="*", metavar="URL", help="http(s) URLs to crawl")
    parser.add_argument("--urls-file", metavar="F", help="a file of URLs, one a line")
    parser.add_argument("-o", "--output", metavar="OUT", default=DEFAULT_OUTPUT,
                        help=f"the TSV to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--concurrency", metavar="N", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"URLs in flight at once (default: {DEFAULT_CONCURRENCY})")
    parser.add_argument("--timeout", metavar="S", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per URL (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--max-bytes", metavar="N", type=int, default=DEFAULT_MAX_BYTES,
                        help=f"largest body read (default: {DEFAULT_MAX_BYTES})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.timeout <= 0 or args.max_bytes < 1:
        parser.error("--concurrency, --timeout and --max-bytes must be positive")
    try:
        urls = [check_url(url) for url in args.urls]
        if args.urls_file:
            from_file = read_urls(args.urls_file)
            if not from_file:  # a mistake, not a request for the notebook's URLs
                raise ValueError(f"{args.urls_file}: no URL in the file")
            urls += from_file
        Path(args.output).write_text(HEADER, encoding="utf-8")  # last: nothing half-done
    except (OSError, ValueError) as e:
        parser.error(str(e))
    return crawl(urls or URLS, Path(args.output), concurrency=args.concurrency,
                 url_timeout=args.timeout, max_bytes=args.max_bytes, progress=sys.stderr.isatty())


if __name__ == "__main__":
    sys.exit(main())
