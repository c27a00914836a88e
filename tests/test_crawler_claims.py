"""Where the crawler twins still part on a hostile server: review D of the crawler pages.

Each test crawls a raw server on 127.0.0.1 (bytes ``http.server`` cannot send), in process and
under ``-W error``, with the asyncio twin, the Trio twin on its default transport (httptools)
and the Trio twin on h11. Each pins a sentence of docs/reliability.md ("Where the twins still
part"): the events each prints. A twin that changes so that they agree fails here, and the page
must then say so.
"""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import trio

from tests.serving import serving
from tests.test_crawler import TIMEOUT, events, run_crawl

ROOT = Path(__file__).resolve().parent.parent
PAGE = b'<a href="http://example.org/ok">ok</a>'


def _head(status: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = b"".join(b"%s: %s\r\n" % kv for kv in headers)
    return b"HTTP/1.1 " + status + b"\r\n" + lines + b"\r\n"


def _page_head(status: bytes = b"200 OK") -> bytes:
    return _head(status, [(b"Content-Type", b"text/html"),
                          (b"Content-Length", b"%d" % len(PAGE))])


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                data = sock.recv(65536)
                if not data:
                    return
                buf += data
            path = buf.split(b" ", 2)[1].decode()
            self.server.routes[path](sock, self.server.stopping)
        except OSError:
            return  # the client hung up (its timeout)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, routes: dict[str, Callable[[socket.socket, threading.Event], None]]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.stopping = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


def fast_continue(sock: socket.socket, stopping: threading.Event) -> None:
    """``100 Continue`` heads as fast as the client takes them (1 KB a millisecond), never an
    answer: the hostile matrix's route sends one every 10 ms."""
    while not stopping.wait(0.001):
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 40)


def long_reason(reason: int) -> Callable[[socket.socket, threading.Event], None]:
    """A status line with a reason phrase of ``reason`` bytes, then 200 headers whose size by
    the crawlers' rule (name + value + 4 a line) is 64,000 bytes plus the page's two, under
    MAX_HEAD (65,536); sent in 2 KiB pieces, as a slow server sends them."""
    def route(sock: socket.socket, stopping: threading.Event) -> None:
        head = _head(b"200 " + b"R" * reason,
                     [(b"X-H%03d" % i, b"v" * 310) for i in range(200)]
                     + [(b"Content-Type", b"text/html"), (b"Content-Length", b"%d" % len(PAGE))])
        for i in range(0, len(head), 2048):
            sock.sendall(head[i:i + 2048])
            if stopping.wait(0.002):
                return
        sock.sendall(PAGE)
    return route


def junk_after(status: bytes) -> Callable[[socket.socket, threading.Event], None]:
    """A complete response (with its Content-Length body), then bytes that are no response,
    in the same write."""
    def route(sock: socket.socket, stopping: threading.Event) -> None:
        sock.sendall(_page_head(status) + PAGE + b"garbage here\r\n")
    return route


def both_framings(sock: socket.socket, stopping: threading.Event) -> None:
    """Content-Length 100 and chunked framing at once, then 320 KiB of chunks (the tests' cap is
    50,000 bytes): h11 frames by the chunks, and the Trio crawler, trusting Content-Length,
    read the whole body in one call (100 MiB cost 344 MB)."""
    sock.sendall(_head(b"200 OK", [(b"Content-Type", b"text/html"), (b"Content-Length", b"100"),
                                   (b"Transfer-Encoding", b"chunked")]))
    chunk = PAGE + b" " * (65536 - len(PAGE))
    for _ in range(5):
        sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    sock.sendall(b"0\r\n\r\n")


def redirect(location: bytes) -> Callable[[socket.socket, threading.Event], None]:
    """A 302 to ``location``."""
    def route(sock: socket.socket, stopping: threading.Event) -> None:
        sock.sendall(_head(b"302 Found", [(b"Location", location), (b"Content-Length", b"0")]))
    return route


def page(sock: socket.socket, stopping: threading.Event) -> None:
    sock.sendall(_page_head() + PAGE)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    s = _Server({
        "/fast-continue": fast_continue,
        "/reason/500": long_reason(500),
        "/reason/4000": long_reason(4000),
        "/junk-after/200": junk_after(b"200 OK"),
        "/junk-after/204": junk_after(b"204 No Content"),
        "/both-framings": both_framings,
        "/tab-location": redirect(b"/pa\tge"),
        "/scheme-and-path": redirect(b"http:/page"),
        "/scheme-only": redirect(b"http:page"),
        "/empty-host": redirect(b"http:///page"),
        "/page": page,
    })
    with serving(s):
        try:
            yield s
        finally:
            s.stopping.set()  # a route that waits lets go, before the shutdown waits for it


@pytest.fixture(params=["asyncio", "trio-httptools", "trio-h11"])
def crawler(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The asyncio twin, or the Trio twin on one of its two transports."""
    name = str(request.param)
    if name == "trio-h11":
        from trio_port import _transport_httptools
        monkeypatch.setattr(_transport_httptools, "httptools", None)  # transport() picks h11
    return name


def crawled(crawler: str, url: str, tmp_path: Path, *, url_timeout: float = TIMEOUT,
            ) -> list[str]:
    crawl = run_crawl(crawler.split("-")[0], [url], tmp_path / "out.tsv", concurrency=1,
                      url_timeout=url_timeout)
    found = events(crawl.lines)
    assert found.unknown == []
    return found.by_url[url]


PAGE_EVENTS = ["got 200", "found 1", "wrote"]


@pytest.mark.timeout(60)
def test_an_endless_fast_100_continue_is_a_timeout_except_on_the_httptools_transport(
    crawler: str, server: _Server, tmp_path: Path,
) -> None:
    """The httptools transport counts every byte before the final head, 1xx heads included,
    against its 65 KiB: 100s at 1 KB a millisecond are refused at once as a head too long.
    aiohttp and h11 bound each head alone, and wait for the answer until the URL's timeout."""
    expected = {"asyncio": ["error timeout"], "trio-httptools": ["error connection"],
                "trio-h11": ["error timeout"]}
    assert crawled(crawler, server.url("/fast-continue"), tmp_path) == expected[crawler]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("reason", [500, 4000])
def test_a_status_line_over_a_kib_parts_the_twins_on_a_head_near_the_limit(
    crawler: str, reason: int, server: _Server, tmp_path: Path,
) -> None:
    """The head's headers are under MAX_HEAD by the crawlers' count. The Trio transports read
    at most MAX_HEAD + 1 KiB of a head, status line and line ends included: a 500-byte reason
    fits that margin, a 4,000-byte one does not. aiohttp takes a status line up to 64 KiB.

    The URL's timeout is far above the pacing (35 pieces, 2 ms apart): the test examines the
    head's size, not the clock, and the server thread shares the GIL with the crawl, so on a
    loaded machine the head took longer than the tests' usual 0.5 s. How the reads coalesce
    does not matter either (``test_a_head_s_limit_holds_however_its_bytes_arrive``)."""
    got = crawled(crawler, server.url(f"/reason/{reason}"), tmp_path, url_timeout=30)
    if reason <= 1000 or crawler == "asyncio":
        assert got == PAGE_EVENTS
    else:
        assert got == ["error connection"]


class _Scripted(trio.abc.Stream):
    """A connection whose server wrote ``writes``, each arriving as reads of up to
    ``piece`` bytes (and never more than the reader asks): how the bytes coalesce, set."""

    def __init__(self, writes: list[bytes], piece: int) -> None:
        self.pending = [w[i:i + piece] for w in writes for i in range(0, len(w), piece)]

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        await trio.lowlevel.checkpoint()

    async def wait_send_all_might_not_block(self) -> None:
        await trio.lowlevel.checkpoint()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        await trio.lowlevel.checkpoint()
        if not self.pending:
            return b""
        data = self.pending.pop(0)
        if max_bytes is not None and len(data) > max_bytes:
            data, rest = data[:max_bytes], data[max_bytes:]
            self.pending.insert(0, rest)
        return data

    async def aclose(self) -> None:
        await trio.lowlevel.checkpoint()


def _head_of(size: int, reason: bytes = b"OK") -> bytes:
    """A page's head of exactly ``size`` bytes, padded by one long header."""
    bare = _head(b"200 " + reason, [(b"X-Pad", b""), (b"Content-Type", b"text/html"),
                                    (b"Content-Length", b"%d" % len(PAGE))])
    head = bare.replace(b"X-Pad: ", b"X-Pad: " + b"v" * (size - len(bare)))
    assert len(head) == size
    return head


@pytest.mark.timeout(60)
@pytest.mark.parametrize("transport", ["h11", "httptools"])
@pytest.mark.parametrize("continue_first", [False, True], ids=["alone", "after-100"])
@pytest.mark.parametrize("over", [0, 1, 4000])
def test_a_head_s_limit_holds_however_its_bytes_arrive(
    transport: str, continue_first: bool, over: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A head of MAX_HEAD + ``over`` bytes: h11 refused it only while still incomplete after
    a read, and the httptools transport counted it after each whole read, so a head over the
    limit passed when it came in one or two reads and was refused in many small ones (a
    4,000-byte reason on a loaded machine: a page instead of ``Error [connection]``). Now the
    outcome is the same for one write (read 64 KiB at a time), 2 KiB reads, 1,000-byte reads,
    and a split one byte before the head's end: MAX_HEAD bytes pass, one more is refused.
    After a ``100 Continue`` (in the same write) h11 bounds the final head alone; the httptools
    transport counts both heads, and refuses even MAX_HEAD then."""
    from trio_port import _transport, _transport_httptools
    head = _head_of(_transport.MAX_HEAD + over)
    first = b"HTTP/1.1 100 Continue\r\n\r\n" if continue_first else b""
    body = head + PAGE
    deliveries = {
        "one write": ([first + body], 64 * 1024),
        "2 KiB reads": ([first + body], 2048),
        "1,000-byte reads": ([first + body], 1000),
        "a split before the head's end": ([first + body[:len(head) - 1], body[len(head) - 1:]],
                                          len(body)),
    }
    passes = over == 0 and not (continue_first and transport == "httptools")

    async def fetch(writes: list[bytes], piece: int) -> str:
        stream = _Scripted(writes, piece)

        async def open_tcp_stream(host: str, port: int) -> trio.abc.Stream:
            await trio.lowlevel.checkpoint()
            return stream

        monkeypatch.setattr(trio, "open_tcp_stream", open_tcp_stream)
        kind = (_transport.TrioH11Transport if transport == "h11"
                else _transport_httptools.TrioHttptoolsTransport)
        async with httpx.AsyncClient(transport=kind()) as client:
            try:
                r = await client.get("http://127.0.0.1/")
            except httpx.RemoteProtocolError:
                return "refused"
        return f"{r.status_code} {len(r.content)}"

    outcomes = {name: trio.run(fetch, *how) for name, how in deliveries.items()}
    expected = f"200 {len(PAGE)}" if passes else "refused"
    assert outcomes == dict.fromkeys(deliveries, expected)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("status", ["200", "204"])
def test_junk_after_a_response_fails_the_page_in_asyncio_only(
    crawler: str, status: str, server: _Server, tmp_path: Path,
) -> None:
    """aiohttp parses what follows a response in the same read as the next response, even on a
    connection it will close, and the parse error fails the response whose head came with it.
    The Trio transports keep a complete response, and never reuse its connection."""
    got = crawled(crawler, server.url(f"/junk-after/{status}"), tmp_path)
    if crawler == "asyncio":
        assert got == ["error connection"]
    else:
        assert got == (PAGE_EVENTS if status == "200" else ["got 204", "found 0"])


@pytest.mark.timeout(60)
def test_content_length_and_chunked_at_once_is_refused_by_every_transport(
    crawler: str, server: _Server, tmp_path: Path,
) -> None:
    """aiohttp and llhttp refuse a response framed both ways (RFC 9112, 6.3); the h11 transport
    now does too. Before, h11 read it by its chunks and the Trio crawler, checking only the
    Content-Length against the cap, read a body of any size: a page."""
    assert crawled(crawler, server.url("/both-framings"), tmp_path) == ["error connection"]


@pytest.mark.timeout(60)
def test_a_tab_in_a_location_is_deleted_by_aiohttp_and_refused_by_httpx(
    crawler: str, server: _Server, tmp_path: Path,
) -> None:
    """``Location: /pa<TAB>ge``: yarl deletes the tab, as a browser's URL parser does, and the
    asyncio twin gets /page; httpx refuses a URL with an ASCII control character."""
    expected = PAGE_EVENTS if crawler == "asyncio" else ["error connection"]
    assert crawled(crawler, server.url("/tab-location"), tmp_path) == expected


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("route", "location"), [("/scheme-and-path", "http:/page"),
                                                 ("/scheme-only", "http:page"),
                                                 ("/empty-host", "http:///page")])
def test_a_location_with_a_scheme_and_no_host_is_followed_by_aiohttp_and_refused_by_trio(
    crawler: str, route: str, location: str, server: _Server, tmp_path: Path,
) -> None:
    """``Location: http:/page`` or ``http:page``: yarl resolves it against the page's URL, as
    a browser does (RFC 3986, 5.2.2: a reference with the base's scheme and no authority takes
    the base's), and the asyncio twin follows it on the same host (to /page here: the
    redirecting pages sit at the root, where ``http:page`` is /page too); the Trio twin's own
    redirect policy (``fetch_html``) refuses a Location that names a scheme but no host, rather
    than let httpx move it to the same host: ``Error [connection]``. ``http:///page`` (an
    empty host) both refuse (RV28)."""
    follows = crawler == "asyncio" and location != "http:///page"
    expected = PAGE_EVENTS if follows else ["error connection"]
    assert crawled(crawler, server.url(route), tmp_path) == expected


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["the same path", "a symlink to it"])
@pytest.mark.parametrize("entry", ["python -m", "walkthrough crawl"])
def test_an_output_that_is_the_url_file_is_a_usage_error_and_writes_nothing(
    impl: str, how: str, entry: str, server: _Server, tmp_path: Path,
) -> None:
    """``--urls-file F -o F``: the header used to overwrite the URL file before the crawl read
    it, then the crawl met the header as a URL: exit 2 with the URLs gone (asyncio), or an
    ExceptionGroup traceback and exit 1 (Trio). Now a usage error before anything is written."""
    urls = tmp_path / "urls.txt"
    listed = server.url("/page") + "\n"
    urls.write_text(listed, encoding="utf-8")
    out = urls
    if how == "a symlink to it":
        out = tmp_path / "out.tsv"
        out.symlink_to(urls)
    package = "asyncio_ref" if impl == "asyncio" else "trio_port"
    command = ([f"{package}.crawler"] if entry == "python -m"
               else ["walkthrough", "crawl", "--impl", impl])
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", *command, "--urls-file", str(urls),
         "-o", str(out)],
        capture_output=True, text=True, timeout=50, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1].endswith(f"cannot write {out}: it is the URL file")
    assert done.stdout == ""
    assert urls.read_text(encoding="utf-8") == listed


@pytest.mark.parametrize("package", ["asyncio_ref", "trio_port"])
def test_a_gzip_stream_cut_short_is_read_as_far_as_it_goes_and_a_deflate_one_refused(
    package: str,
) -> None:
    """The decoder (the same file in both packages) ends a gzip body without asking whether its
    stream ended, as aiohttp's and httpx's do; a deflate stream cut short is an error."""
    import gzip
    import importlib
    import zlib

    decode = importlib.import_module(f"{package}._decode")
    whole = b"".join(b'<a href="http://example.org/%d">x</a>' % i for i in range(5000))
    packed = gzip.compress(whole)
    cut = packed[:len(packed) // 2]
    decoder = decode.Decoder(["gzip"])
    got = b"".join(decoder.feed(cut))
    decoder.end()
    assert 0 < len(got) < len(whole) and whole.startswith(got)
    deflate = decode.Decoder(["deflate"])
    list(deflate.feed(zlib.compress(whole)[:len(packed) // 2]))
    with pytest.raises(decode.ContentDecodingError, match="ended early"):
        deflate.end()


@pytest.mark.timeout(60)
def test_crawl_runs_outside_the_main_thread_in_both_twins(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """No signal handler can be installed outside the main thread: the asyncio twin runs there
    without one, and the Trio twin raised RuntimeError (open_signal_receiver refuses)."""
    import importlib

    module = importlib.import_module(
        f"{'asyncio_ref' if impl == 'asyncio' else 'trio_port'}.crawler")
    out = tmp_path / "out.tsv"
    out.write_text(module.HEADER, encoding="utf-8")
    url = server.url("/page")
    result: list[object] = []

    def run() -> None:
        try:
            result.append(module.crawl([url], out, concurrency=2, url_timeout=5.0))
        except BaseException as exc:  # reported below, on the test's thread
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(50)
    assert result == [0]
    assert out.read_text(encoding="utf-8") == module.HEADER + f"{url}\thttp://example.org/ok\n"


@pytest.mark.timeout(60)
def test_a_url_file_that_turns_bad_mid_crawl_comes_out_bare_in_both_twins(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """``main`` checks the URL file, then the crawl reads it again: a line changed in between
    raises ValueError from the URL iterator. Out of asyncio.run it comes bare, and ``main``
    makes it a usage error (exit 2); out of the Trio twin's nurseries it came in nested
    groups, an uncaught traceback and exit 1."""
    import importlib

    module = importlib.import_module(
        f"{'asyncio_ref' if impl == 'asyncio' else 'trio_port'}.crawler")
    out = tmp_path / "out.tsv"
    out.write_text(module.HEADER, encoding="utf-8")

    def urls() -> Iterator[str]:
        yield server.url("/page")
        raise ValueError("cannot read urls.txt: not UTF-8 text")

    with pytest.raises(ValueError, match="not UTF-8 text"):
        module.crawl(urls(), out, concurrency=1, url_timeout=5.0)
