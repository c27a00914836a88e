"""trio_port._transport_httptools: the same contract as the h11 transport, with llhttp underneath.

Every test of ``tests/test_transport.py`` runs here again, unchanged, with
:class:`TrioHttptoolsTransport` in place of :class:`TrioH11Transport` (the autouse fixture swaps
the name those tests build their client from). The tests after them cover what only this
transport has to do by hand, because llhttp does not: stop at a HEAD response's head, bound a
response head's size, tell a body ended by close from a truncated one, never reuse a connection
with bytes beyond its response, keep a header from smuggling a line into the request. Each one
talks to a real server on 127.0.0.1 (``-W error``: an unclosed socket fails the test).
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
import trio

import tests.test_transport as base
from tests.hostile_server import HostileServer
from tests.test_transport import (  # noqa: F401  # collected here again, with httptools
    BODY,
    Server,
    server,
    test_a_body_after_a_bodiless_status_never_reaches_the_next_request,
    test_a_dropped_idle_connection_is_replaced,
    test_an_error_status_is_a_response_not_an_exception,
    test_cancelled_request_frees_its_slot,
    test_concurrent_requests_open_at_most_max_connections,
    test_get_reads_body_and_headers,
    test_keep_alive_reuses_one_connection,
    test_no_timeout_configured,
    test_post_sends_the_body,
    test_redirects_are_followed_by_httpx,
    test_refused_connection_is_connect_error,
    test_silent_server_is_read_timeout,
    test_truncated_body_is_remote_protocol_error,
    test_unsupported_scheme,
    test_waiting_for_a_connection_is_pool_timeout,
)
from trio_port import _transport_httptools
from trio_port._transport import TrioH11Transport
from trio_port._transport_httptools import MAX_HEAD, TrioHttptoolsTransport

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def _httptools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "TrioH11Transport", TrioHttptoolsTransport)


def client(**kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=TrioHttptoolsTransport(**kwargs),  # type: ignore[arg-type]
                             timeout=2.0)


# -- a server that sends exactly the bytes a test gives it --------------------------------------


class _Raw(socketserver.ThreadingTCPServer):
    """Answers each request on a connection with the next reply of ``replies`` (raw bytes).

    A reply of ``None`` closes the connection instead; a reply followed by ``None`` closes it
    right after the reply. Records the connection of each request.
    """

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, replies: list[bytes | None]) -> None:
        self.replies = replies
        self.lock = threading.Lock()
        self.seen: list[int] = []  # the client port of each request
        super().__init__(("127.0.0.1", 0), _RawHandler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RawHandler(socketserver.BaseRequestHandler):
    server: _Raw

    def handle(self) -> None:
        sock: socket.socket = self.request
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buf += data
                _, buf = buf.split(b"\r\n\r\n", 1)
                with self.server.lock:
                    self.server.seen.append(self.client_address[1])
                    reply = self.server.replies.pop(0) if self.server.replies else None
                    hang_up = reply is not None and self.server.replies[:1] == [None]
                if reply is not None:
                    sock.sendall(reply)
                if reply is None or hang_up:
                    return
        except OSError:
            return


@pytest.fixture
def raw() -> Iterator[Callable[[list[bytes | None]], _Raw]]:
    servers: list[_Raw] = []

    def start(replies: list[bytes | None]) -> _Raw:
        srv = _Raw(replies)
        threading.Thread(target=srv.serve_forever, args=(0.01,), daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.trio
async def test_the_transport_in_use_is_httptools(server: Server) -> None:  # noqa: F811
    # The swap above took: the reused tests did not silently run on h11 again.
    async with base.client() as c:
        assert type(c._transport) is TrioHttptoolsTransport  # type: ignore[attr-defined]
        assert (await c.get(server.base + "/page")).content == BODY


@pytest.mark.trio
async def test_head_does_not_wait_for_the_body_its_length_announces(raw: Callable[..., _Raw]
                                                                      ) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", OK, OK])
    async with client() as c:
        head = await c.head(srv.base + "/")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == "5000"
        # The same connection serves the next request: the head was all there was.
        assert (await c.get(srv.base + "/")).content == b"ok"
        assert (await c.head(srv.base + "/")).status_code == 200
    assert len(set(srv.seen)) == 1


@pytest.mark.trio
async def test_bytes_after_a_head_response_stop_reuse(raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", OK])
    async with client() as c:
        assert (await c.head(srv.base + "/")).status_code == 200
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 2


@pytest.mark.trio
async def test_informational_responses_are_skipped(raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
               b"HTTP/1.1 100 Continue\r\n\r\n" + OK, OK])
    async with client() as c:
        r = await c.get(srv.base + "/")
        assert (r.status_code, r.content, "link" in r.headers) == (200, b"ok", False)
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 1


@pytest.mark.trio
async def test_a_body_ended_by_close_without_framing_is_complete(raw: Callable[..., _Raw]
                                                                 ) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\n\r\nall of it", None])
    async with client() as c:
        assert (await c.get(srv.base + "/")).content == b"all of it"


@pytest.mark.trio
@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
])
async def test_a_framed_body_ended_by_close_is_an_error(raw: Callable[..., _Raw], reply: bytes
                                                        ) -> None:
    srv = raw([reply, None])
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="before the body ended"):
            await c.get(srv.base + "/")


@pytest.mark.trio
async def test_a_chunked_body_arrives_whole(raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", OK])
    async with client() as c:
        assert (await c.get(srv.base + "/")).content == b"hello world"
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 1


@pytest.mark.trio
async def test_a_head_over_the_limit_is_a_protocol_error(raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * MAX_HEAD + b"\r\n\r\n"])
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="head over"):
            await c.get(srv.base + "/")


@pytest.mark.trio
@pytest.mark.parametrize("reply", [b"HTTP/1.1 OK maybe\r\n\r\n", bytes(range(256)) * 8,
                                   b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2"
                                   b"\r\n\r\nok"])
async def test_a_malformed_response_is_a_protocol_error(raw: Callable[..., _Raw], reply: bytes
                                                        ) -> None:
    srv = raw([reply])
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(srv.base + "/")


@pytest.mark.trio
async def test_junk_after_a_response_stops_reuse_but_not_the_response(raw: Callable[..., _Raw]
                                                                      ) -> None:
    srv = raw([OK + b"\x00junk", OK])
    async with client() as c:
        assert (await c.get(srv.base + "/")).content == b"ok"
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 2


@pytest.mark.trio
async def test_connection_close_is_honoured(raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", OK])
    async with client() as c:
        assert (await c.get(srv.base + "/")).content == b"ok"
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 2


@pytest.mark.trio
async def test_a_header_cannot_smuggle_a_line_into_the_request(raw: Callable[..., _Raw]
                                                               ) -> None:
    srv = raw([OK])
    async with client() as c:
        request = c.build_request("GET", srv.base + "/")
        request.headers["X-Evil"] = "a"
        # httpx refuses CR and LF itself; bypass it the way a careless caller might.
        request.headers._list[-1] = (b"x-evil", b"x-evil", b"a\r\nHost: elsewhere")  # type: ignore[attr-defined]
        with pytest.raises(httpx.LocalProtocolError):
            await c.send(request)
    assert srv.seen == []


@pytest.mark.trio
async def test_the_hostile_servers_poison_never_reaches_the_next_page() -> None:
    with HostileServer() as hostile:
        async with client(max_connections=1) as c:
            for path in ("/huge-header", "/many-headers", "/bad-status-line", "/garbage"):
                with pytest.raises(httpx.RemoteProtocolError):
                    await c.get(f"{hostile.base}{path}")
                assert (await c.get(f"{hostile.base}/page")).status_code == 200


@pytest.mark.trio
async def test_the_h11_fallback_when_httptools_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                          server: Server  # noqa: F811
                                                          ) -> None:
    assert type(_transport_httptools.transport()) is TrioHttptoolsTransport
    monkeypatch.setattr(_transport_httptools, "httptools", None)
    assert not _transport_httptools.available()
    fallback = _transport_httptools.transport(max_connections=2)
    assert type(fallback) is TrioH11Transport
    async with httpx.AsyncClient(transport=fallback) as c:
        assert (await c.get(server.base + "/page")).content == BODY


@pytest.mark.trio
async def test_many_concurrent_requests_all_arrive_whole(server: Server) -> None:  # noqa: F811
    got: list[bytes] = []
    async with client(max_connections=4) as c:
        async def one() -> None:
            got.append((await c.get(server.base + "/page")).content)

        async with trio.open_nursery() as nursery:
            for _ in range(40):
                nursery.start_soon(one)
    assert got == [BODY] * 40


@pytest.mark.trio
@pytest.mark.parametrize("kind", [TrioH11Transport, TrioHttptoolsTransport])
@pytest.mark.parametrize("status", [b"000", b"099"])
async def test_a_status_below_100_is_a_protocol_error(raw: Callable[..., _Raw],
                                                      kind: type[TrioH11Transport],
                                                      status: bytes) -> None:
    """HTTP's statuses are 100 to 999 (RFC 9110, 15). llhttp parses 000 and 099; this transport
    took them for a 1xx and waited for another head until the read timeout. h11 refuses them:
    both transports now raise the same protocol error at once."""
    srv = raw([b"HTTP/1.1 " + status + b" Odd\r\nContent-Length: 2\r\n\r\nok"])
    async with httpx.AsyncClient(transport=kind(), timeout=5.0) as c:  # type: ignore[arg-type]
        with pytest.raises(httpx.RemoteProtocolError, match="status"):
            await c.get(srv.base + "/")
