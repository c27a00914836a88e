"""``TrioHttptoolsTransport``: the slips mutmut planted that its tests missed, one test per kind.

``scripts/mutation.py trio_port/_transport_httptools.py`` (issue 27, ``docs/mutation.md``)
found what llhttp leaves to this module and no test looked at closely: where a ``HEAD``
response's head ends when 1xx heads came first or more bytes follow it, what a 1xx head must
not leave behind for the final one (its reason, its share of the head's bound), a reason
that comes in two reads, a response that ends right at the head's bound, the exact words of
the close-before-the-end error and the request an error names, which statuses may end a body
with a close, the cap on idle connections, and the factory's default.

Real servers on 127.0.0.1 (``tests/test_transport_httptools.py``'s raw one, and one in the
test's own Trio run that decides where the client's reads end), the real clock (a timeout
cannot be tested otherwise: DESIGN.md), ``-W error``.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import httptools
import httpx
import pytest
import trio
import trio.testing

from tests.test_mutation_transport import (
    _self_signed,
    _tls_server,
    check_a_refused_connect,
    check_the_write_timeout,
)
from tests.test_mutation_transport import failure as _failure
from tests.test_transport_httptools import OK, _Raw
from trio_port import _transport_httptools
from trio_port._transport import TrioH11Transport
from trio_port._transport_httptools import MAX_HEAD, TrioHttptoolsTransport

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def raw() -> Iterator[Callable[[list[bytes | None]], _Raw]]:
    """Servers that answer each request with the next of ``replies`` (raw bytes, ``None``:
    hang up), as in ``tests/test_transport_httptools.py``; shut down after the test."""
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


class Stepped:
    """A server in the test's own Trio run, on 127.0.0.1, that writes each reply in steps.

    Between two steps it waits until every task, the client's too, has been blocked for a
    moment: the client has read all of the step before, so its reads end where the steps do
    (a reason cut in two, a head per read), which threads and sleeps only make likely.
    """

    def __init__(self, replies: list[list[bytes]]) -> None:
        self.replies = replies
        self.seen: list[int] = []  # the connection (numbered from 0) of each request
        self.base = ""
        self._accepted = 0

    async def handle(self, stream: trio.SocketStream) -> None:
        number, self._accepted = self._accepted, self._accepted + 1
        async with stream:
            buf = b""
            while self.replies:
                while b"\r\n\r\n" not in buf:
                    data = await stream.receive_some(65536)
                    if not data:
                        return
                    buf += data
                _, buf = buf.split(b"\r\n\r\n", 1)
                self.seen.append(number)
                for i, step in enumerate(self.replies.pop(0)):
                    if i:
                        await trio.testing.wait_all_tasks_blocked(0.02)
                    await stream.send_all(step)


@asynccontextmanager
async def stepped(replies: list[list[bytes]]) -> AsyncIterator[Stepped]:
    srv = Stepped(replies)
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(partial(trio.serve_tcp, host="127.0.0.1"), srv.handle, 0)
        srv.base = f"http://127.0.0.1:{listeners[0].socket.getsockname()[1]}"
        yield srv
        nursery.cancel_scope.cancel()


def client(**kwargs: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=TrioHttptoolsTransport(**kwargs), timeout=5.0)


async def failure(request: httpx.Request, **timeouts: float) -> httpx.HTTPError:
    """The error ``request`` ends in, through the transport itself: a transport
    is httpx's public interface too (what a retrying or caching transport wraps), and there an
    error must name its request, since no client sets it again on the way out."""
    return await _failure(request, TrioHttptoolsTransport(), **timeouts)


# -- a HEAD response: where its head ends ----------------------------------------------------------


@pytest.mark.trio
@pytest.mark.parametrize("reads", ["one-read", "a-read-per-head"])
async def test_a_head_response_after_1xx_heads_keeps_its_connection(reads: str) -> None:
    """llhttp is stopped at the end of a HEAD response's head, and the transport finds that end
    itself, one blank line per head parsed, in every byte read for the response: after a 103
    and a 100 it is the third, and nothing follows it, so the connection serves the next
    request. The same when each head comes in a read of its own."""
    heads = [b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
             b"HTTP/1.1 100 Continue\r\n\r\n",
             b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"]
    async with stepped([[b"".join(heads)] if reads == "one-read" else heads, [OK]]) as srv, \
            client() as c:
        head = await c.head(srv.base + "/")
        assert (head.status_code, head.content, head.headers["content-length"]) == (
            200, b"", "5000")
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert srv.seen == [0, 0]


@pytest.mark.trio
@pytest.mark.parametrize("after", [b"hello", b"HTTP/1.1 204 No Content\r\n\r\n"],
                         ids=["a-body", "a-whole-bodiless-response"])
async def test_any_bytes_after_a_head_response_stop_reuse(raw: Callable[..., _Raw],
                                                          after: bytes) -> None:
    """Bytes after a HEAD response's head, in the same read, are not the next request's: the
    connection is not reused, even when they end with a blank line as a head does (a whole
    204 sent unasked), which a search for the *last* blank line would take for the head's end."""
    srv = raw([b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + after, OK])
    async with client() as c:
        head = await c.head(srv.base + "/")
        assert (head.status_code, head.content) == (200, b"")
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert len(set(srv.seen)) == 2


# -- what a 1xx head leaves behind --------------------------------------------------------------


@pytest.mark.trio
@pytest.mark.parametrize(("steps", "version"), [
    ([b"HTTP/1.0 404 Not Here\r\nContent-Length: 2\r\n\r\nno"], "HTTP/1.0"),
    ([b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 404 Not Here\r\n"
      b"Content-Length: 2\r\n\r\nno"], "HTTP/1.1"),
    ([b"HTTP/1.1 404 Not ", b"Here\r\nContent-Length: 2\r\n\r\nno"], "HTTP/1.1"),
], ids=["http-1.0", "after-a-1xx", "in-two-reads"])
async def test_the_version_and_reason_are_the_final_response_s_whole(steps: list[bytes],
                                                                      version: str) -> None:
    """What httpx shows as ``http_version`` and ``reason_phrase`` comes from the transport's
    extensions, as the server sent them (httpx's defaults would say HTTP/1.1 and "Not
    Found"): the final response's reason, not a 1xx head's before it, and whole when llhttp
    hands it over in two pieces (a read ended in it)."""
    async with stepped([steps]) as srv, client() as c:
        r = await c.get(srv.base + "/")
    assert (r.status_code, r.http_version, r.reason_phrase, r.content) == (
        404, version, "Not Here", b"no")


def _fields(total: int) -> bytes:
    """Header lines whose fields count ``total`` as the bound counts them (name + value + 4),
    written without the optional space after the colon, so that each line is one byte shorter
    than it counts: the bytes of the head stay under MAX_HEAD and its count decides alone."""
    lines = [b"content-length:2\r\n"]
    left = total - (len(b"content-length") + 1 + 4)
    while left > 0:
        value = b"v" * min(60, left - 5)  # the name "x" and 4: a field counts at least 5
        lines.append(b"x:" + value + b"\r\n")
        left -= 1 + len(value) + 4
    assert left == 0
    return b"".join(lines)


@pytest.mark.trio
@pytest.mark.parametrize("first", [b"", b"HTTP/1.1 100 Continue\r\n\r\n"],
                         ids=["alone", "after-a-100-continue"])
@pytest.mark.parametrize("over", [0, 1], ids=["max-head", "one-over"])
async def test_a_head_s_fields_are_counted_from_zero(raw: Callable[..., _Raw], first: bytes,
                                                      over: int) -> None:
    """The fields of each head are counted alone, from zero: a head whose fields count exactly
    MAX_HEAD is a page, one more is the transport's refusal, and a 1xx head before it changes
    neither."""
    head = b"HTTP/1.1 200 OK\r\n" + _fields(MAX_HEAD + over) + b"\r\n"
    reply = first + head + b"ok"
    assert len(reply) < MAX_HEAD  # the bytes' own bound is not the one tested
    srv = raw([reply])
    async with client() as c:
        if over:
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await c.get(srv.base + "/")
            assert str(caught.value) == f"response head over {MAX_HEAD} bytes"
        else:
            assert (await c.get(srv.base + "/")).content == b"ok"


@pytest.mark.trio
@pytest.mark.parametrize("after", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison"],
                         ids=["nothing-after-it", "bytes-after-it"])
async def test_a_response_that_ends_at_the_head_s_bound_is_reused_only_if_nothing_follows(
        after: bytes) -> None:
    """At most MAX_HEAD bytes are fed before the head is complete; the rest of that read waits.
    A response (a big header, then the rest of its head and a short body, in the next read)
    that ends right at that cut is whole, and its connection is reused; bytes after it in the
    same read are beyond the response, and the connection is not."""
    start = b"HTTP/1.1 200 OK\r\nSet-Cookie: " + b"c" * (MAX_HEAD - 200)
    end = b"\r\nContent-Length: 2\r\n\r\nok"
    rest = b"c" * (MAX_HEAD - len(start) - len(end)) + end  # start + rest: MAX_HEAD bytes
    async with stepped([[start, rest + after], [OK]]) as srv, client() as c:
        r = await c.get(srv.base + "/")
        assert (len(r.headers["set-cookie"]), r.content) == (MAX_HEAD - 200 + len(rest) - len(end),
                                                             b"ok")
        assert (await c.get(srv.base + "/")).content == b"ok"
    assert srv.seen == ([0, 0] if not after else [0, 1])


def _llhttp_reason(reply: bytes) -> str:
    """What llhttp itself says of ``reply``: its reason, not this module's wording."""
    class Callbacks:
        pass

    try:
        httptools.HttpResponseParser(Callbacks()).feed_data(reply)
    except httptools.HttpParserError as exc:
        return str(exc)
    raise AssertionError("llhttp took it")


@pytest.mark.trio
@pytest.mark.parametrize(("reply", "words"), [
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
     "unexpected protocol upgrade"),
    (b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", None),  # bare LFs: llhttp's reason
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", None),
], ids=["an-upgrade", "bare-line-feeds", "two-lengths"])
async def test_a_framing_error_says_what_broke(raw: Callable[..., _Raw], reply: bytes,
                                               words: str | None) -> None:
    """The error a crawler reports says why: the transport's words for what it refuses itself
    (a protocol upgrade nobody asked for), llhttp's own reason for what llhttp refuses."""
    srv = raw([reply])
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await c.get(srv.base + "/")
    assert str(caught.value) == (words or _llhttp_reason(reply))


# -- a body ended by a close ----------------------------------------------------------------------


@pytest.mark.trio
@pytest.mark.parametrize("first", [b"", b"HTTP/1.1 100 Continue\r\n\r\n"],
                         ids=["alone", "after-a-100-continue"])
@pytest.mark.parametrize("status", [b"205 Reset Content", b"305 Use Proxy", b"404 Not Found"])
async def test_a_close_ends_an_unframed_body_whatever_the_status(raw: Callable[..., _Raw],
                                                                 first: bytes, status: bytes
                                                                 ) -> None:
    """Only 1xx, 204 and 304 responses are bodiless by their status (llhttp ends them at the
    head); any other response without framing has a body that the close ends, complete. A
    1xx head before it leaves no framing behind."""
    srv = raw([first + b"HTTP/1.1 " + status + b"\r\n\r\nthe end", None])
    async with client() as c:
        r = await c.get(srv.base + "/")
    assert (r.status_code, r.content) == (int(status[:3]), b"the end")


@pytest.mark.trio
@pytest.mark.parametrize("coding", [b"chunked", b"gzip,chunked", b"gzip, deflate, chunked"])
async def test_a_chunked_body_cut_by_a_close_is_an_error_whatever_codings_precede(
        raw: Callable[..., _Raw], coding: bytes) -> None:
    """A body is chunked when chunked is the last of its transfer codings, however they are
    listed (RFC 9112, 6.3): then a close before the last chunk cuts it, an error, not a body
    ended by the close."""
    srv = raw([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + coding + b"\r\n\r\n5\r\nhello\r\n",
               None])
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await c.get(srv.base + "/")
    assert str(caught.value) == "server closed the connection before the body ended"


@pytest.mark.trio
@pytest.mark.parametrize(("reply", "words"), [
    (None, "server disconnected without sending a response"),
    (b"HTTP/1.1 OK maybe\r\n\r\n", None),  # no status code: llhttp's reason
], ids=["no-answer", "a-bad-status-line"])
async def test_a_failure_before_the_head_is_in_words_that_name_its_request(
        raw: Callable[..., _Raw], reply: bytes | None, words: str | None) -> None:
    """A server that hangs up without answering (a new connection: nothing to retry), or
    answers with a status line llhttp refuses: the error says which, and names the request."""
    srv = raw([reply])
    request = httpx.Request("GET", srv.base + "/")
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert str(exc) == (words or _llhttp_reason(reply or b""))
    assert exc.request is request


@pytest.mark.trio
async def test_a_silent_server_is_a_read_timeout_that_names_its_request(
        raw: Callable[..., _Raw]) -> None:
    srv = raw([b""])  # reads the request, answers nothing
    request = httpx.Request("GET", srv.base + "/")
    with trio.fail_after(10):
        exc = await failure(request, read=0.5)
    assert type(exc) is httpx.ReadTimeout
    assert exc.request is request


@pytest.mark.trio
async def test_a_body_cut_short_is_an_error_in_words_that_names_its_request(
        raw: Callable[..., _Raw]) -> None:
    """What a crawler's report shows, word for word, and the request it is about."""
    srv = raw([b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", None])
    request = httpx.Request("GET", srv.base + "/")
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert str(exc) == "server closed the connection before the body ended"
    assert exc.request is request


@pytest.mark.trio
async def test_a_body_that_stops_coming_is_a_read_timeout_that_names_its_request(
        raw: Callable[..., _Raw]) -> None:
    srv = raw([b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"])  # then silence
    request = httpx.Request("GET", srv.base + "/")
    with trio.fail_after(10):
        exc = await failure(request, read=0.5)
    assert type(exc) is httpx.ReadTimeout
    assert exc.request is request


# -- the request ------------------------------------------------------------------------------


@pytest.mark.trio
@pytest.mark.parametrize("value", [b"a\r\nHost: elsewhere", b"a\nb", b"a\rb", b"a\x00b"],
                         ids=["a-line-smuggled", "lf", "cr", "nul"])
async def test_a_header_with_an_illegal_byte_is_refused_in_words_that_name_the_request(
        raw: Callable[..., _Raw], value: bytes) -> None:
    """The request head is checked before it leaves, through the transport itself: the error
    says why and names the request, and the server sees nothing."""
    srv = raw([OK])
    request = httpx.Request("GET", srv.base + "/", headers={"X-Evil": "a"},
                            extensions={"timeout": {"connect": 5.0, "read": 5.0,
                                                    "write": 5.0, "pool": 5.0}})
    # httpx refuses CR, LF and NUL itself; bypass it the way a careless caller might.
    request.headers._list[-1] = (b"x-evil", b"x-evil", value)  # type: ignore[attr-defined]
    transport = TrioHttptoolsTransport()
    try:
        with pytest.raises(httpx.LocalProtocolError) as caught:
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()
    assert str(caught.value) == "illegal byte in the request head"
    assert caught.value.request is request
    assert srv.seen == []


@pytest.mark.trio
@pytest.mark.parametrize("streamed", [False, True], ids=["last-write", "a-write-mid-body"])
async def test_the_write_timeout_bounds_each_write_and_names_the_request(streamed: bool) -> None:
    """As for the h11 transport (``tests/test_mutation_transport.py``): a server that reads
    nothing, small socket buffers, and the write timeout ends the write that waits, whether
    it is the request's last or one in the middle of a streamed body."""
    await check_the_write_timeout(TrioHttptoolsTransport(), streamed)


@pytest.mark.trio
async def test_a_refused_connect_names_the_request_and_the_address() -> None:
    await check_a_refused_connect(TrioHttptoolsTransport())


# -- the pool ---------------------------------------------------------------------------------


@pytest.mark.trio
async def test_no_more_idle_connections_are_kept_than_max_keepalive(raw: Callable[..., _Raw]
                                                                     ) -> None:
    """Two requests at once need two connections; with ``max_keepalive=1`` one is kept and the
    other closed, so the next two at once reuse one and open one: three in all."""
    srv = raw([OK] * 4)
    async with client(max_keepalive=1) as c:
        for _ in range(2):
            async with trio.open_nursery() as nursery:
                for _ in range(2):
                    nursery.start_soon(c.get, srv.base + "/")
    assert len(srv.seen) == 4 and len(set(srv.seen)) == 3


def test_without_httptools_the_class_says_what_to_use(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """httptools is a C extension: where it did not install, the class says so and names the
    transport to use instead (``transport()`` picks that one itself)."""
    monkeypatch.setattr(_transport_httptools, "httptools", None)
    with pytest.raises(RuntimeError) as caught:
        TrioHttptoolsTransport()
    assert str(caught.value) == "httptools is not installed: use TrioH11Transport"


@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_https_uses_the_callers_tls_context(tmp_path: Path) -> None:
    """The class takes the h11 transport's other arguments as they are: with the caller's
    context (trusting a self-signed certificate), https works; the default context would
    refuse that certificate."""
    cert, key = _self_signed(tmp_path, "127.0.0.1", "IP:127.0.0.1")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    url, stop = _tls_server(server_context, OK)
    try:
        transport = TrioHttptoolsTransport(ssl_context=ssl.create_default_context(
            cafile=str(cert)))
        async with httpx.AsyncClient(transport=transport, timeout=10) as c:
            assert (await c.get(url)).content == b"ok"
    finally:
        stop()


def test_the_default_cap_is_the_h11_transports() -> None:
    """``transport()`` and the class, without arguments, cap connections as the h11 transport
    does by default (httpx's own default, 100), in use and idle."""
    h11 = TrioH11Transport()
    for made in (_transport_httptools.transport(), TrioHttptoolsTransport()):
        assert type(made) is TrioHttptoolsTransport
        assert (made._limit.value, made._max_keepalive) == (
            h11._limit.value, h11._max_keepalive) == (100, 100)
