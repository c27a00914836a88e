"""Lesson 7's crawler twins: the slips of a third mutation sample (seed 29, issue 27).

``tests/test_mutation_crawler2.py`` was written for the survivors of seed 28; seed 29, drawn
after it, found the slips below untested. Each test runs on both twins (``asyncio_ref`` and
``trio_port``); a crawl talks to a real server on this machine, no client library is mocked.
docs/mutation.md lists the survivors each test kills.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest
import trio
import trio.testing

from tests.hostile_server import HostileServer
from tests.serving import serving
from tests.test_crawler import events, run_crawl
from walkthrough.clocks import VirtualTimeLoop

PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}


def crawler(impl: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGES[impl]}.crawler")


class _Handler(socketserver.BaseRequestHandler):
    """One request a connection, answered by its path:

    - ``/set``: a page that sets a cookie (``Set-Cookie: sid=secret``);
    - ``/echo``: a page whose one link carries the ``Cookie`` header the request came with;
    - ``/status/N``: status N, with a page all the same.
    """

    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        buf = b""
        while b"\r\n\r\n" not in buf:
            data = sock.recv(65536)
            if not data:
                return
            buf += data
        head = buf.partition(b"\r\n\r\n")[0].decode("latin-1")
        with self.server.lock:
            self.server.requests.append(head)
        target = head.split(" ", 2)[1]
        fields = {k.lower(): v for k, _, v in
                  (line.partition(": ") for line in head.split("\r\n")[1:])}
        status, extra = "200", ""
        link = "http://example.org/page"
        if target == "/set":
            extra = "Set-Cookie: sid=secret; Path=/\r\n"
        elif target == "/echo":
            link = "http://example.org/?cookie=" + quote(fields.get("cookie", "none"), safe="")
        elif target.startswith("/status/"):
            status = target.removeprefix("/status/")
        body = f'<a href="{link}">x</a>\n'.encode()
        sock.sendall(f"HTTP/1.1 {status} Whatever\r\nContent-Type: text/html\r\n{extra}"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[str] = []

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as s:
        yield s


def _localhost_is_this_machine() -> bool:
    try:
        return all(info[4][0] == "127.0.0.1" for info in socket.getaddrinfo(
            "localhost", 80, socket.AF_INET, socket.SOCK_STREAM))
    except OSError:
        return False


@pytest.mark.timeout(60)
@pytest.mark.skipif(not _localhost_is_this_machine(), reason="needs localhost at 127.0.0.1")
def test_a_cookie_one_page_sets_is_not_sent_with_the_next_request(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """A crawl keeps no cookie (both clients keep them by default): a page's Set-Cookie is
    not sent back to the same host with the next URL. Served under a host name: aiohttp's
    default jar stores no cookie from an IP address, so 127.0.0.1 would hide the slip."""
    first, second = server.url("/set", "localhost"), server.url("/echo", "localhost")
    crawl = run_crawl(impl, [first, second], tmp_path / "out.tsv", concurrency=1)
    found = events(crawl.lines)
    assert found.by_url[first] == found.by_url[second] == ["got 200", "found 1", "wrote"]
    assert f"{second}\thttp://example.org/?cookie=none\n" in crawl.tsv
    assert [head.split("\r\n")[0] for head in server.requests] == [
        "GET /set HTTP/1.1", "GET /echo HTTP/1.1"]
    assert not any(line.lower().startswith("cookie:")
                   for head in server.requests for line in head.split("\r\n"))


@pytest.mark.timeout(60)
def test_the_error_line_of_a_status_below_100_names_the_status_sent(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """test_crawler_round2.py checks the category (a connection error); the line's words
    name the status the server sent too, first, where each library puts a response's status
    (aiohttp's ClientResponseError prints its ``status`` before its message). The twins word
    it as their libraries do, so each twin's own line is checked."""
    url = server.url("/status/099")
    crawl = run_crawl(impl, [url], tmp_path / "out.tsv", concurrency=1)
    assert events(crawl.lines).by_url[url] == ["error connection"]
    said = {
        "asyncio": "ClientResponseError: 99, message='not an HTTP response: status 99', "
                   f"url='{url}'",
        "trio": "RemoteProtocolError: status 99 is below 100: not an HTTP response",
    }[impl]
    assert crawl.lines == [f"Error [connection] for URL: {url} - {said}"]


#: The URL's time limit in the test below, in seconds of a clock that moves only when told.
LIMIT = 10.0


async def _read_asyncio(url: str) -> object:
    """read_capped under the URL's deadline; the clock is moved past it once the first
    compressed bytes have come in, that is while they are being decoded."""
    mod = crawler("asyncio")
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    async with mod.make_client(1) as session, session.get(url) as resp:

        async def late() -> None:
            # A count aiohttp keeps, with no event to wait on: looked at once a turn.
            while resp.content.total_bytes == 0:  # noqa: ASYNC110
                await asyncio.sleep(0)
            loop.advance(LIMIT + 1)

        jump = asyncio.create_task(late())
        try:
            async with asyncio.timeout(LIMIT):
                return await mod.read_capped(resp, 1 << 40)
        except TimeoutError as exc:
            return exc
        finally:
            await jump


async def _read_trio(url: str, clock: trio.testing.MockClock) -> object:
    """As _read_asyncio, for the Trio twin (httpx counts the raw bytes handed over)."""
    mod = crawler("trio")
    async with mod.make_client(1) as client:
        request = client.build_request("GET", url)
        sent = await client.send(request, stream=True)
        async with contextlib.aclosing(sent) as resp, trio.open_nursery() as nursery:

            async def late() -> None:
                while resp.num_bytes_downloaded == 0:
                    await trio.lowlevel.checkpoint()
                clock.jump(LIMIT + 1)

            nursery.start_soon(late)
            try:
                with trio.fail_after(LIMIT):
                    return await mod.read_capped(resp, 1 << 40)
            except trio.TooSlowError as exc:
                return exc


@pytest.mark.timeout(60)
def test_a_deadline_reached_while_decoding_a_compressed_body_ends_the_read_as_a_timeout(
    impl: str,
) -> None:
    """A gzip bomb (10 GiB inflated) under a cap it never reaches: only the URL's deadline
    ends the read, and it does end it, as the framework's timeout, not with a body. The Trio
    twin stops decoding when it sees the deadline due and lets the cancellation land at the
    stream's next read; stopping there with a return would hand back no body at all. The
    clock is a virtual one, moved past the deadline by the test: no real wait."""
    with HostileServer() as hostile:
        url = hostile.url("/bomb/gzip/10240")
        if impl == "asyncio":
            with asyncio.Runner(loop_factory=lambda: VirtualTimeLoop(
                    autojump_threshold=60.0)) as runner:
                got = runner.run(_read_asyncio(url))
            assert isinstance(got, TimeoutError), got
        else:
            clock = trio.testing.MockClock()
            got = trio.run(_read_trio, url, clock, clock=clock)
            assert isinstance(got, trio.TooSlowError), got
