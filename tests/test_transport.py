"""trio_port._transport.TrioH11Transport against a real local server (127.0.0.1, real clock).

What a caller of httpx relies on, checked end to end through ``httpx.AsyncClient``: bodies and
headers arrive intact, one connection serves many requests (keep-alive), a connection the server
dropped is replaced without an error, redirects are httpx's job and work, and each failure
arrives as the httpx exception type the httpx docs promise (ConnectError, ReadTimeout,
PoolTimeout, RemoteProtocolError). ``-W error`` is on: an unclosed socket fails the test.

The server is the stdlib's, in a thread; the only real waits are the timeouts, a few tenths
of a second, because a timeout cannot be tested without real I/O (see DESIGN: virtual time and
real sockets do not mix).
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import trio

from tests.hostile_server import HostileServer
from trio_port._transport import TrioH11Transport

BODY = b"<html>" + b"x" * 10_000 + b"</html>"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def reply(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/page":
            self.reply(200, BODY, Content_Type="text/html")
        elif self.path == "/redirect":
            self.reply(302, b"", Location="/page")
        elif self.path == "/missing":
            self.reply(404, b"nope")
        elif self.path == "/drop-after":
            # Answer with keep-alive, then hang up: the client's idle connection goes stale.
            self.reply(200, b"ok")
            self.close_connection = True
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"short")
            self.close_connection = True
        elif self.path == "/hang":
            self.server.release.wait(5)
            self.close_connection = True

    def do_HEAD(self) -> None:
        # The length of the GET body, and no body: the client must not wait for one.
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.reply(200, self.rfile.read(length)[::-1])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        srv.shutdown()
        srv.server_close()
        thread.join()


def client(**kwargs: object) -> httpx.AsyncClient:
    transport = TrioH11Transport(**kwargs)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, timeout=2.0)


@pytest.mark.trio
async def test_get_reads_body_and_headers(server: Server) -> None:
    async with client() as c:
        r = await c.get(server.base + "/page")
    assert r.status_code == 200
    assert r.content == BODY
    assert r.headers["content-type"] == "text/html"
    assert r.http_version == "HTTP/1.1"
    assert r.reason_phrase == "OK"


@pytest.mark.trio
async def test_post_sends_the_body(server: Server) -> None:
    async with client() as c:
        r = await c.post(server.base + "/echo", content=b"abc" * 50_000)
    assert r.content == (b"abc" * 50_000)[::-1]


@pytest.mark.trio
async def test_keep_alive_reuses_one_connection(server: Server) -> None:
    async with client() as c:
        for _ in range(5):
            assert (await c.get(server.base + "/page")).content == BODY
    assert server.connections == 1


@pytest.mark.trio
async def test_concurrent_requests_open_at_most_max_connections(server: Server) -> None:
    async with client(max_connections=3) as c, trio.open_nursery() as nursery:
        for _ in range(12):
            nursery.start_soon(c.get, server.base + "/page")
    assert 1 <= server.connections <= 3


@pytest.mark.trio
async def test_a_dropped_idle_connection_is_replaced(server: Server) -> None:
    async with client() as c:
        assert (await c.get(server.base + "/drop-after")).content == b"ok"
        with trio.fail_after(2):  # wait (really) until the server's hang-up reaches us
            while True:
                conns = [conn for stack in c._transport._idle.values()  # type: ignore[attr-defined]
                         for conn in stack]
                if not conns or not conns[0].reusable():
                    break
                await trio.sleep(0.01)
        assert (await c.get(server.base + "/page")).content == BODY
    assert server.connections == 2


@pytest.mark.trio
async def test_redirects_are_followed_by_httpx(server: Server) -> None:
    async with client() as c:
        r = await c.get(server.base + "/redirect", follow_redirects=True)
        assert r.status_code == 200
        assert r.content == BODY
        assert [h.status_code for h in r.history] == [302]
        not_followed = await c.get(server.base + "/redirect")
        assert not_followed.status_code == 302
        assert not_followed.headers["location"] == "/page"


@pytest.mark.trio
async def test_an_error_status_is_a_response_not_an_exception(server: Server) -> None:
    async with client() as c:
        r = await c.get(server.base + "/missing")
        assert r.status_code == 404
        with pytest.raises(httpx.HTTPStatusError):
            r.raise_for_status()
        # The connection went back to the pool and still works.
        assert (await c.get(server.base + "/page")).status_code == 200
    assert server.connections == 1


@pytest.mark.trio
async def test_refused_connection_is_connect_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connecting is refused
        async with client() as c:
            with pytest.raises(httpx.ConnectError):
                await c.get(f"http://127.0.0.1:{port}/")


@pytest.mark.trio
async def test_silent_server_is_read_timeout(server: Server) -> None:
    async with client() as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(server.base + "/hang", timeout=0.2)


@pytest.mark.trio
async def test_waiting_for_a_connection_is_pool_timeout(server: Server) -> None:
    async with client(max_connections=1) as c:
        async with c.stream("GET", server.base + "/page") as held:
            with pytest.raises(httpx.PoolTimeout):
                await c.get(server.base + "/page", timeout=httpx.Timeout(2.0, pool=0.1))
            await held.aread()
        # Released on close: the next request gets the slot.
        assert (await c.get(server.base + "/page")).status_code == 200


@pytest.mark.trio
async def test_truncated_body_is_remote_protocol_error(server: Server) -> None:
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(server.base + "/truncated")


@pytest.mark.trio
async def test_cancelled_request_frees_its_slot(server: Server) -> None:
    async with client(max_connections=1) as c:
        with trio.move_on_after(0.1):
            await c.get(server.base + "/hang")
        assert (await c.get(server.base + "/page")).content == BODY


@pytest.mark.trio
async def test_unsupported_scheme() -> None:
    async with client() as c:
        with pytest.raises(httpx.UnsupportedProtocol):
            await c.get("ftp://127.0.0.1/")


@pytest.mark.trio
async def test_no_timeout_configured(server: Server) -> None:
    # The crawler turns httpx's timeouts off (its deadline is trio.fail_after): no scope path.
    transport = TrioH11Transport(max_connections=2)
    async with httpx.AsyncClient(transport=transport, timeout=None) as c:
        for _ in range(3):
            assert (await c.get(server.base + "/page")).content == BODY
        head = await c.head(server.base + "/page")
        assert head.status_code == 200 and head.content == b""
        assert (await c.get(server.base + "/page")).content == BODY
    assert server.connections == 1


# -- a connection poisoned by bytes no request asked for (issue 12, item 2) -----------------


@pytest.mark.trio
@pytest.mark.parametrize("status", [204, 304])
async def test_a_body_after_a_bodiless_status_never_reaches_the_next_request(status: int) -> None:
    """A 204 or 304 "with a body": HTTP says it has none, so the bytes stay on the connection.

    Reused, the connection would hand them to the next request as its status line ("illegal
    status line", or here the poison's own "999"). Each innocent request must get its 200, and
    the connection that carried the poison must never serve another request.
    """
    with HostileServer() as server:
        async with client(max_connections=1) as c:
            for _ in range(5):
                assert (await c.get(f"{server.base}/{status}-with-body")).status_code == status
                assert (await c.get(f"{server.base}/page")).status_code == 200
        ports = [port for _, port in server.requests]
    after_poison = [(prev, port) for (t, prev), (_, port) in
                    zip(server.requests, server.requests[1:], strict=False)
                    if t.startswith(f"/{status}")]
    assert all(prev != port for prev, port in after_poison), server.requests
    # A page reuses the clean connection before it: poison, page, poison, page... on 6 sockets.
    assert len(set(ports)) == 6
