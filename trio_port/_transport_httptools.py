"""The crawler's transport with a C parser: httptools (llhttp, aiohttp's parser) in place of h11.

Why it exists: with the O(1) pool of ``_transport`` in place, what is left of the HTTP cost of
a Trio crawl is h11's pure-Python parsing, about 100 µs a page on the benchmark's 5 KB pages
(``docs/benchmarks.md``). aiohttp parses in C with llhttp; httptools is the same llhttp behind
callbacks. This module keeps everything else of :class:`~trio_port._transport.TrioH11Transport`
(it subclasses it): the last-in-first-out idle stack per origin, the cap on connections in use
and its pool timeout, the four timeouts, the one retry of an idempotent request on a kept-alive
connection the server had closed, and the rule that a connection with any byte beyond its
response (junk, or the "body" of a 204) is never reused. Only the framing changes.

What llhttp does not do, and how this module does it instead:

- It cannot be told that a response to ``HEAD`` has no body (httptools exposes no
  ``on_headers_complete`` return value). For ``HEAD`` the parser stops itself at the end of the
  head; bytes after it in the same read mean no reuse, and the connection gets a fresh parser.
- It has no limit on a response head: the one here is the h11 transport's (``MAX_HEAD``), so
  an endless header fails the same way on both transports.
- It is never told about EOF (httptools has no ``llhttp_finish``): a body that ends with the
  connection is complete only when the response had neither ``Content-Length`` nor chunked
  framing; any other body ended by a close is an error, as in h11.
- It skips blank lines between responses, as aiohttp does: a stray CRLF after a response does
  not by itself stop a connection's reuse; anything else does.

``available()`` says whether httptools is installed; :func:`transport` picks this transport
when it is and the h11 one when it is not, so the crawler runs either way.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import trio

from trio_port._transport import (
    _MAPPED,
    MAX_HEAD,
    TrioH11Transport,
    _abandon,
    _Connection,
    _deadline,
    _map_error,
    _StaleConnection,
)

try:
    import httptools
except ImportError:  # pragma: no cover - httptools is a dependency; the fallback is tested
    httptools = None  # type: ignore[assignment]

_READ_SIZE = 64 * 1024


def available() -> bool:
    """True when httptools can be imported (it is a dependency, but a C extension)."""
    return httptools is not None


def transport(*, max_connections: int = 100) -> TrioH11Transport:
    """The fastest transport this install has: httptools if it is there, else h11."""
    if available():
        return TrioHttptoolsTransport(max_connections=max_connections)
    return TrioH11Transport(max_connections=max_connections)  # pragma: no cover


class _ProtocolError(Exception):
    """The response breaks HTTP/1.1 framing (llhttp's error, or a rule of this module)."""


class _HeadDone(Exception):
    """Raised from the callback to stop llhttp at the end of a HEAD response's head."""


class _Parser:
    """One connection's llhttp parser and what it has parsed of the current response.

    httptools calls back into this object from ``feed``; the callbacks record, and raise to
    stop llhttp (a framing rule broken, or the end of a HEAD response's head).
    """

    __slots__ = ("body", "chunked", "complete", "extra", "head", "head_bytes", "head_size",
                 "headers", "headers_done", "heads", "keep_alive", "length", "parser", "raw",
                 "reason", "status")

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.reset()

    def reset(self, *, head: bool = False) -> None:
        self.head = head  # the request was HEAD: the response has no body, whatever it says
        self.raw = bytearray()  # HEAD only: the bytes fed, to find where the head ended
        self.heads = 0  # heads parsed (1xx ones included)
        self.keep_alive = True
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.complete = False
        self.extra = False  # bytes beyond the response: the connection must not be reused
        self.status = 0
        self.reason = b""
        self.head_bytes = 0  # bytes fed before the head was complete (an endless header)
        self.head_size = 0  # the parsed head's size
        self.length = False  # Content-Length given
        self.chunked = False
        self.body: list[bytes] = []

    # -- httptools callbacks ----------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.complete:  # a second response nobody asked for: stop parsing here
            self.extra = True
            raise _ProtocolError("bytes after the response")

    def on_status(self, reason: bytes) -> None:
        self.reason += reason  # llhttp may hand it over in pieces

    def on_header(self, name: bytes, value: bytes) -> None:
        # The head's size, counted as parsed: a whole oversized head can arrive in one read.
        self.head_size += len(name) + len(value) + 4
        if self.head_size > MAX_HEAD:
            raise _ProtocolError(f"response head over {MAX_HEAD} bytes")
        self.headers.append((name, value))
        lower = name.lower()
        if lower == b"content-length":
            self.length = True
        elif lower == b"transfer-encoding":
            self.chunked = value.rsplit(b",", 1)[-1].strip().lower() == b"chunked"

    def on_headers_complete(self) -> None:
        self.heads += 1
        status = self.parser.get_status_code()
        if status < 100:  # llhttp takes 000 to 099; HTTP has no such status (h11 refuses it)
            raise _ProtocolError(f"status {status} is below 100: not an HTTP response")
        if status < 200:  # 1xx: informational, another head follows; keep reading (as h11)
            self.headers = []
            self.reason = b""
            self.head_size = 0
            self.length = self.chunked = False
            return
        self.status = status
        self.headers_done = True
        # Asked now: once the message is complete llhttp has cleared the flags it answers from.
        self.keep_alive = self.parser.should_keep_alive()
        if self.head:  # stop llhttp before it waits for a body that never comes
            raise _HeadDone

    def on_body(self, data: bytes) -> None:
        self.body.append(data)

    def on_message_complete(self) -> None:
        if self.headers_done:
            self.complete = True

    # -- feeding ---------------------------------------------------------------------------

    def feed(self, data: bytes | bytearray) -> None:
        """Parse ``data``; a framing error raises :class:`_ProtocolError`.

        Before the final head, at most MAX_HEAD bytes are fed before the count is checked: a
        head (1xx heads included) of more than MAX_HEAD bytes is refused however the reads
        coalesce. Fed whole, a 70 KB head that came in a 64 KiB read and a short one was
        complete before its count was checked, and passed.
        """
        room = MAX_HEAD - self.head_bytes  # >= 1 before the final head: refused otherwise
        if not self.headers_done and len(data) > room:
            self._feed(data[:room])  # refuses a head still incomplete at MAX_HEAD bytes
            if self.complete:  # the whole response came before: the rest is extra
                self.extra = True
                return
            data = data[room:]
        self._feed(data)

    def _feed(self, data: bytes | bytearray) -> None:
        if not self.headers_done:
            self.head_bytes += len(data)
            if self.head:
                self.raw += data
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            raise _ProtocolError("unexpected protocol upgrade") from exc
        except httptools.HttpParserError as exc:
            if self.complete:  # junk after a complete response: the response stands
                self.extra = True
                return
            if isinstance(exc.__context__, _HeadDone):
                self._end_head()
                return
            if isinstance(exc.__context__, _ProtocolError):
                raise exc.__context__ from None
            raise _ProtocolError(str(exc) or type(exc).__name__) from exc
        if not self.headers_done and self.head_bytes >= MAX_HEAD:
            raise _ProtocolError(f"response head over {MAX_HEAD} bytes")

    def _end_head(self) -> None:
        """A HEAD response ended with its head: anything after it is extra; a fresh parser."""
        end = -4
        for _ in range(self.heads):
            end = self.raw.find(b"\r\n\r\n", end + 4)
            if end < 0:  # llhttp took a head this cannot find: do not reuse, to be safe
                self.extra = True
                break
        else:
            self.extra = end + 4 != len(self.raw)
        self.complete = True
        self.parser = httptools.HttpResponseParser(self)

    def eof(self) -> None:
        """The server closed the connection: complete the body if the close is its end."""
        if self.headers_done and not self.complete:
            if self.head:
                return
            if self.length or self.chunked or self.status in (204, 304):
                raise _ProtocolError("server closed the connection before the body ended")
            self.complete = True
            self.extra = True  # closed: nothing to reuse


class _HtConnection(_Connection):
    """A connection of the base transport that parses with llhttp; ``h11`` stays unused."""

    __slots__ = ("eof", "ht")

    def __init__(self, stream: trio.abc.Stream, origin: Any) -> None:
        super().__init__(stream, origin)
        self.ht = _Parser()
        self.eof = False

    def reusable(self) -> bool:
        ht = self.ht
        if not ht.complete or ht.extra or self.eof:
            return False
        if not ht.keep_alive:
            return False
        return self.sock is None or not self.sock.is_readable()

    async def receive(self, deadline: float) -> None:
        """Read once from the socket into the parser (EOF included)."""
        if deadline == math.inf:
            data = await self.stream.receive_some(_READ_SIZE)
        else:
            with trio.CancelScope(deadline=deadline) as scope:
                data = await self.stream.receive_some(_READ_SIZE)
            if scope.cancelled_caught:
                raise trio.TooSlowError
        if not data:
            self.eof = True
            self.ht.eof()
        else:
            self.ht.feed(data)


class _HtResponseStream(httpx.AsyncByteStream):
    """The body of one response; closing it returns the connection to the pool or closes it."""

    def __init__(self, transport: TrioHttptoolsTransport, conn: _HtConnection,
                 request: httpx.Request, read_timeout: float | None) -> None:
        self._transport = transport
        self._conn = conn
        self._request = request
        self._read_timeout = read_timeout
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        ht = conn.ht
        try:
            while True:
                if ht.body:
                    # Everything parsed so far as one piece: fewer, larger chunks for httpx.
                    data = ht.body[0] if len(ht.body) == 1 else b"".join(ht.body)
                    ht.body.clear()
                    yield data
                if ht.complete:
                    return
                await conn.receive(_deadline(self._read_timeout))
        except _ProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=self._request) from exc
        except _MAPPED as exc:
            raise _map_error(exc, httpx.ReadTimeout, httpx.ReadError, self._request) from exc

    @trio.lowlevel.enable_ki_protection
    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._transport._release(self._conn)


def _request_head(request: httpx.Request) -> bytes:
    """The request line and headers, checked for the bytes h11 would refuse to send."""
    parts = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        parts += (name, b": ", value, b"\r\n")
    head = b"".join(parts) + b"\r\n"
    # Every CR and LF is one this function wrote, and there is no NUL: else a value smuggled a
    # line of its own into the request. Counting is C; a check per field would be Python.
    lines = len(request.headers.raw) + 2
    if head.count(b"\n") != lines or head.count(b"\r") != lines or b"\x00" in head:
        raise httpx.LocalProtocolError("illegal byte in the request head", request=request)
    return head


class TrioHttptoolsTransport(TrioH11Transport):
    """:class:`TrioH11Transport` with llhttp (through httptools) parsing the responses.

    Same constructor, same behaviour; see the module docstring for what differs underneath.
    """

    def __init__(self, *, max_connections: int = 100, max_keepalive: int | None = None,
                 **kwargs: Any) -> None:
        if httptools is None:  # pragma: no cover
            raise RuntimeError("httptools is not installed: use TrioH11Transport")
        super().__init__(max_connections=max_connections, max_keepalive=max_keepalive,
                         **kwargs)

    async def _connect(self, origin: Any, request: httpx.Request,
                       connect_timeout: float | None) -> _Connection:
        conn = await super()._connect(origin, request, connect_timeout)
        return _HtConnection(conn.stream, origin)

    async def _exchange(self, conn: _Connection, request: httpx.Request,  # type: ignore[override]
                        timeouts: dict[str, float | None], *, stale_ok: bool) -> httpx.Response:
        """Send ``request`` on ``conn`` and read the response head; the body streams later."""
        assert isinstance(conn, _HtConnection)
        ht = conn.ht
        ht.reset(head=request.method == "HEAD")
        try:
            try:
                write_timeout = timeouts.get("write")  # each write's, as httpcore's
                out = _request_head(request)
                chunked = b"chunked" in request.headers.get("transfer-encoding", "").encode()
                chunks = aiter(request.stream)  # type: ignore[arg-type]
                try:
                    async for chunk in chunks:
                        if chunk:
                            out += b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
                            if len(out) >= _READ_SIZE:
                                await conn.send(out, _deadline(write_timeout))
                                out = b""
                except BaseException:
                    await _abandon(chunks)
                    raise
                if chunked:
                    out += b"0\r\n\r\n"
                await conn.send(out, _deadline(write_timeout))
            except _MAPPED as exc:
                raise _map_error(exc, httpx.WriteTimeout, httpx.WriteError, request) from exc
            read_timeout = timeouts.get("read")
            try:
                while not ht.headers_done:
                    if conn.eof:
                        raise _StaleConnection if stale_ok and not ht.head_bytes else \
                            httpx.RemoteProtocolError(
                                "server disconnected without sending a response",
                                request=request)
                    await conn.receive(_deadline(read_timeout))
            except _ProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            except _MAPPED as exc:
                raise _map_error(exc, httpx.ReadTimeout, httpx.ReadError, request) from exc
        # As in the base class: a failure on a reused connection is retried once.
        except (_StaleConnection, httpx.ReadError, httpx.WriteError,
                httpx.RemoteProtocolError) as exc:
            await conn.aclose()
            if stale_ok and not isinstance(exc, _StaleConnection):
                raise _StaleConnection from exc
            raise
        except BaseException:
            await conn.aclose()
            raise
        conn.requests += 1
        return httpx.Response(
            status_code=ht.status,
            headers=ht.headers,
            stream=_HtResponseStream(self, conn, request, read_timeout),
            extensions={"http_version": b"HTTP/" + ht.parser.get_http_version().encode(),
                        "reason_phrase": ht.reason},
        )

    async def _release(self, conn: _Connection) -> None:
        """Back to the idle stack if the response was read whole and nothing follows it."""
        assert isinstance(conn, _HtConnection)
        try:
            if not self._closed and conn.reusable():
                stack = self._idle[conn.origin]
                if len(stack) < self._max_keepalive:
                    stack.append(conn)
                    return
            await conn.aclose()
        finally:
            self._limit.release()


__all__ = ["MAX_HEAD", "TrioHttptoolsTransport", "available", "transport"]
