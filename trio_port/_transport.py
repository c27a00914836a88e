"""A small, fast HTTP/1.1 transport for httpx on Trio: h11 for the protocol, Trio for the sockets.

Why it exists: the crawler keeps httpx as its API, but httpx's default async transport (httpcore's
connection pool, through anyio) spends most of a busy crawl *choosing a connection*, not moving
bytes. Profiling 2,000 fetches at concurrency 50 against a local nginx showed
``AsyncConnectionPool._assign_requests_to_connections`` and the ``is_idle``/``has_expired`` checks
it runs over every connection for every request taking more CPU than the HTTP itself
(encode/httpx#3215: the cost grows with the number of connections). This transport keeps a
last-in-first-out stack of idle connections per origin, so picking one costs O(1), and hands the
HTTP framing to h11, the same pure-Python parser httpcore uses. It does not parse HTTP by hand.

What it does: HTTP/1.1 over TCP (and TLS through ``trio.SSLStream`` for ``https``), keep-alive
reuse, a cap on connections in use (``max_connections``; waiting for one is the *pool* timeout),
httpx's four timeouts, and errors mapped to httpx's exception types so code written against httpx
cannot tell the difference. Redirects, cookies, auth, decoding stay in ``httpx.AsyncClient``.
What it does not do: HTTP/2, proxies, ``Expect: 100-continue``.

Example::

    async with httpx.AsyncClient(transport=TrioH11Transport(max_connections=50)) as client:
        r = await client.get("http://127.0.0.1:8000/")
"""

from __future__ import annotations

import math
import ssl
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx
import trio

#: Methods retried once on a fresh connection when a kept-alive one turns out dead: the safe
#: ones (RFC 9110, 9.2.1), which rarely carry a body; PUT and DELETE, idempotent too, are not.
#: The retry does not look for a body: one streamed from a generator cannot be sent twice, and
#: httpx raises StreamConsumed rather than resend it.
_RETRYABLE = frozenset({b"GET", b"HEAD", b"OPTIONS", b"TRACE"})
_READ_SIZE = 64 * 1024
#: The most bytes of a response head read before it is complete, the bound on its memory (h11's
#: ``max_incomplete_event_size``, 16 KiB by default): the crawler's limit, 64 KiB counted as
#: name + value + 4 a header line, and 1 KiB more for the status line and the line ends, so
#: that the crawler's own check is the one that refuses a head, whatever the reads' sizes.
#: h11 checks it only on a head still incomplete after a read, so a longer head that came
#: whole in one or two reads passed: ``_Connection.next_event`` hands h11 at most MAX_HEAD
#: bytes of a head, and a head of more is refused, however its bytes arrive.
MAX_HEAD = 65 * 1024
_Origin = tuple[bytes, bytes, int]


def _map_error(exc: BaseException, timeout_exc: type[httpx.TimeoutException],
               error_exc: type[httpx.TransportError], request: httpx.Request) -> BaseException:
    """The httpx exception a caller of httpx expects for a Trio, OS or h11 failure."""
    if isinstance(exc, trio.TooSlowError):
        return timeout_exc(timeout_exc.__name__, request=request)
    if isinstance(exc, h11.RemoteProtocolError):
        return httpx.RemoteProtocolError(str(exc), request=request)
    if isinstance(exc, h11.LocalProtocolError):
        return httpx.LocalProtocolError(str(exc), request=request)
    if isinstance(exc, OSError | trio.BrokenResourceError | trio.ClosedResourceError):
        return error_exc(str(exc) or type(exc).__name__, request=request)
    return exc


#: What ``_map_error`` translates; anything else (Cancelled, KeyboardInterrupt...) passes through.
_MAPPED = (trio.TooSlowError, h11.RemoteProtocolError, h11.LocalProtocolError, OSError,
           trio.BrokenResourceError, trio.ClosedResourceError)


def _deadline(timeout: float | None) -> float:
    return trio.current_time() + timeout if timeout is not None else math.inf


class _Connection:
    """One socket and its h11 state machine."""

    __slots__ = ("buffered", "h11", "held", "origin", "requests", "sock", "stream")

    def __init__(self, stream: trio.abc.Stream, origin: _Origin) -> None:
        self.stream = stream
        self.origin = origin
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.requests = 0
        # While a head is awaited: the bytes in h11's buffer (all of them the head's), and the
        # bytes read but not yet handed to h11 (see next_event).
        self.buffered = 0
        self.held: bytes | bytearray = b""
        # The TCP socket (under TLS, the one under the SSLStream): to see if the server hung up.
        self.sock: Any = getattr(stream, "socket", None) or getattr(
            getattr(stream, "transport_stream", None), "socket", None)

    def reusable(self) -> bool:
        """A clean IDLE: nothing unread, and the server has not closed it or sent more.

        A server may send bytes no request asked for: a 204 or 304 "with a body", which HTTP
        says has none. Left on the connection, they would be read as the *next* response's
        status line, failing an innocent URL. So a connection with any byte beyond its
        response (in h11's buffer, or readable on the socket: EOF or junk) is never reused.
        """
        h = self.h11
        if h.our_state is not h11.IDLE or h.their_state is not h11.IDLE:
            return False
        if self.held or h.trailing_data != (b"", False):
            return False
        return self.sock is None or not self.sock.is_readable()

    async def next_event(self, per_read: float | None, *, head: bool = False) -> Any:
        """The next h11 event, reading from the socket as h11 asks.

        ``per_read`` (seconds) bounds each read, not the event (httpx's read timeout, as
        httpcore applies it): a head that arrives in many slow pieces is waited for as long
        as each piece comes in time. A plain CancelScope with a deadline, not ``fail_at``: this
        runs several times per request, and the generator-based context manager costs as much
        as the h11 call.

        ``head``: a response head (a 1xx or the final one) is awaited: h11 gets at most
        MAX_HEAD bytes of it, the rest of a read is held for after the head, and a head still
        incomplete at MAX_HEAD bytes is refused. h11 refuses a head only while it is
        incomplete after a read, so without this the limit depended on how the reads
        coalesced: a 70 KB head in 2 KiB reads was refused, in two reads taken.
        """
        h = self.h11
        while True:
            event = h.next_event()
            if event is not h11.NEED_DATA:
                if head and type(event) is h11.InformationalResponse:
                    # Each head is bounded alone (as h11 and aiohttp have it): what is left
                    # in the buffer starts the next one. A rare event, so the copy is cheap.
                    self.buffered = len(h.trailing_data[0])
                return event
            if head and self.buffered >= MAX_HEAD:
                raise h11.RemoteProtocolError(f"response head over {MAX_HEAD} bytes")
            if self.held:
                data: bytes | bytearray = self.held
                self.held = b""
            elif per_read is None:  # no timeout (the crawler's case): no scope to pay for
                data = await self.stream.receive_some(_READ_SIZE)
            else:
                with trio.CancelScope(deadline=trio.current_time() + per_read) as scope:
                    data = await self.stream.receive_some(_READ_SIZE)
                if scope.cancelled_caught:
                    raise trio.TooSlowError
            if head:
                room = MAX_HEAD - self.buffered  # >= 1: refused above otherwise
                if len(data) > room:
                    data, self.held = data[:room], data[room:]
                self.buffered += len(data)
            h.receive_data(data)  # type: ignore[arg-type]  # a bytearray is fine for h11

    async def send(self, data: bytes, deadline: float) -> None:
        if deadline == math.inf:
            await self.stream.send_all(data)
            return
        with trio.CancelScope(deadline=deadline) as scope:
            await self.stream.send_all(data)
        if scope.cancelled_caught:
            raise trio.TooSlowError

    async def aclose(self) -> None:
        # Shielded, so that a cancelled request still closes its socket; bounded, so that a
        # close can never hang a shutdown (aclose_forcefully does not wait for the peer).
        with trio.move_on_after(1, shield=True):
            await trio.aclose_forcefully(self.stream)

    def close_now(self) -> None:
        """Close without awaiting: for a dead idle connection, its socket is all there is."""
        if self.sock is not None:
            self.sock.close()


class _ResponseStream(httpx.AsyncByteStream):
    """The body of one response; closing it returns the connection to the pool or closes it."""

    def __init__(self, transport: TrioH11Transport, conn: _Connection, request: httpx.Request,
                 read_timeout: float | None) -> None:
        self._transport = transport
        self._conn = conn
        self._request = request
        self._read_timeout = read_timeout
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        try:
            while True:
                event = await conn.next_event(self._read_timeout)
                if type(event) is h11.Data:
                    yield bytes(event.data)
                elif type(event) is h11.EndOfMessage:
                    return
                elif type(event) is h11.ConnectionClosed:
                    raise httpx.RemoteProtocolError(
                        "server closed the connection before the body ended",
                        request=self._request)
        except _MAPPED as exc:
            raise _map_error(exc, httpx.ReadTimeout, httpx.ReadError, self._request) from exc

    @trio.lowlevel.enable_ki_protection
    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._transport._release(self._conn)


class TrioH11Transport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` for Trio built on h11 and Trio streams.

    ``max_connections`` caps connections *in use* (requests beyond it wait, up to httpx's pool
    timeout); ``max_keepalive`` caps idle connections kept per origin (default: the same).
    """

    def __init__(self, *, max_connections: int = 100, max_keepalive: int | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._limit = trio.Semaphore(max_connections)
        self._max_keepalive = max_connections if max_keepalive is None else max_keepalive
        self._idle: defaultdict[_Origin, list[_Connection]] = defaultdict(list)
        self._ssl_context = ssl_context
        self._closed = False

    # -- the httpx interface ------------------------------------------------------------

    # KI protection: Ctrl-C is delivered at the next checkpoint, never between two lines of the
    # bookkeeping (a socket opened but not yet owned, a connection popped but not yet pushed),
    # which would leak a socket and print "ResourceWarning: unclosed" on the way out.
    @trio.lowlevel.enable_ki_protection
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}", request=request)
        port = url.port or (443 if url.scheme == "https" else 80)
        origin: _Origin = (url.raw_scheme, url.raw_host, port)

        await self._acquire(timeouts.get("pool"), request)
        try:
            # A kept-alive connection can be closed by the server just as we send on it: then
            # retry once on a fresh one, but only for the safe methods (_RETRYABLE).
            conn = self._pop_idle(origin)
            if conn is not None and request.method.encode() in _RETRYABLE:
                try:
                    return await self._exchange(conn, request, timeouts, stale_ok=True)
                except _StaleConnection:
                    pass
            elif conn is not None:
                return await self._exchange(conn, request, timeouts, stale_ok=False)
            conn = await self._connect(origin, request, timeouts.get("connect"))
            return await self._exchange(conn, request, timeouts, stale_ok=False)
        except BaseException:
            self._limit.release()
            raise

    @trio.lowlevel.enable_ki_protection
    async def aclose(self) -> None:
        self._closed = True
        idle = [c for conns in self._idle.values() for c in conns]
        self._idle.clear()
        for conn in idle:
            await conn.aclose()

    # -- internals ----------------------------------------------------------------------

    async def _acquire(self, pool_timeout: float | None, request: httpx.Request) -> None:
        """A slot among ``max_connections``; waiting longer than ``timeout`` is a PoolTimeout.

        The free-slot path does not checkpoint here: the socket send right after does.
        """
        try:
            self._limit.acquire_nowait()
            return
        except trio.WouldBlock:
            pass
        with trio.move_on_after(_or_inf(pool_timeout)):
            await self._limit.acquire()
            return
        raise httpx.PoolTimeout("no connection free within the pool timeout", request=request)

    def _pop_idle(self, origin: _Origin) -> _Connection | None:
        stack = self._idle.get(origin)
        while stack:
            conn = stack.pop()
            if conn.reusable():
                return conn
            conn.close_now()
        return None

    async def _connect(self, origin: _Origin, request: httpx.Request,
                       connect_timeout: float | None) -> _Connection:
        scheme, host, port = origin
        try:
            with trio.fail_after(_or_inf(connect_timeout)):
                stream: trio.abc.Stream = await trio.open_tcp_stream(host.decode("ascii"), port)
                if scheme == b"https":
                    tls = trio.SSLStream(stream, self._tls_context(),
                                         server_hostname=host.decode("ascii"),
                                         https_compatible=True)
                    try:
                        await tls.do_handshake()
                    except BaseException:
                        await trio.aclose_forcefully(stream)
                        raise
                    stream = tls
        except (*_MAPPED, ssl.SSLError) as exc:
            # Trio reports a failed handshake (a certificate refused) as a bare
            # BrokenResourceError caused by the SSLError: the reason is the SSLError's.
            reason = exc if isinstance(exc, ssl.SSLError) else exc.__cause__
            if isinstance(reason, ssl.SSLError):
                raise httpx.ConnectError(str(reason), request=request) from exc
            raise _map_error(exc, httpx.ConnectTimeout, httpx.ConnectError, request) from exc
        return _Connection(stream, origin)

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
            self._ssl_context.set_alpn_protocols(["http/1.1"])
        return self._ssl_context

    async def _exchange(self, conn: _Connection, request: httpx.Request,
                        timeouts: dict[str, float | None], *, stale_ok: bool) -> httpx.Response:
        """Send ``request`` on ``conn`` and read the response head; the body streams later."""
        h = conn.h11
        try:
            try:
                write_timeout = timeouts.get("write")  # each write's, as httpcore's
                out = h.send(h11.Request(method=request.method, target=request.url.raw_path,
                                         headers=request.headers.raw)) or b""
                chunks = aiter(request.stream)  # type: ignore[arg-type]
                try:
                    async for chunk in chunks:
                        if chunk:
                            out += h.send(h11.Data(data=chunk)) or b""
                            if len(out) >= _READ_SIZE:
                                await conn.send(out, _deadline(write_timeout))
                                out = b""
                except BaseException:
                    await _abandon(chunks)
                    raise
                out += h.send(h11.EndOfMessage()) or b""
                await conn.send(out, _deadline(write_timeout))
            except _MAPPED as exc:
                raise _map_error(exc, httpx.WriteTimeout, httpx.WriteError, request) from exc
            read_timeout = timeouts.get("read")
            # h11's buffer is empty: a new connection, or a reused one with nothing unread
            # (_Connection.reusable).
            conn.buffered = 0
            try:
                while True:
                    event = await conn.next_event(read_timeout, head=True)
                    if type(event) is h11.Response:
                        break
                    if type(event) is h11.ConnectionClosed:
                        raise _StaleConnection if stale_ok else httpx.RemoteProtocolError(
                            "server disconnected without sending a response", request=request)
                    # h11.InformationalResponse (1xx): keep reading.
            except _MAPPED as exc:
                raise _map_error(exc, httpx.ReadTimeout, httpx.ReadError, request) from exc
            # Both framings: h11 goes by the chunks, and a reader that trusts Content-Length
            # (the crawler's read_capped) read a body of any size. llhttp and aiohttp refuse it,
            # as RFC 9112 (6.3) advises: a sign of response splitting.
            names = {name for name, _ in event.headers}  # lower case, from h11
            if b"transfer-encoding" in names and b"content-length" in names:
                raise httpx.RemoteProtocolError(
                    "Transfer-Encoding can't be present with Content-Length", request=request)
        # A protocol error on a reused connection too: junk that arrived on it after the last
        # check (see _Connection.reusable) is not this request's fault.
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
            status_code=event.status_code,
            headers=list(event.headers),
            stream=_ResponseStream(self, conn, request, read_timeout),
            extensions={"http_version": b"HTTP/" + event.http_version,
                        "reason_phrase": bytes(event.reason)},
        )

    async def _release(self, conn: _Connection) -> None:
        """Back to the idle stack if the exchange ended cleanly, else close; free a slot."""
        try:
            h = conn.h11
            if (not self._closed and h.our_state is h11.DONE and h.their_state is h11.DONE):
                h.start_next_cycle()
                stack = self._idle[conn.origin]
                if len(stack) < self._max_keepalive and conn.reusable():
                    stack.append(conn)
                    return
            await conn.aclose()
        finally:
            self._limit.release()


class _StaleConnection(Exception):
    """A reused connection failed before the server answered: safe to retry on a new one."""


async def _abandon(chunks: object) -> None:
    """Close a request body's iterator left mid-way (a send failed, or was cancelled).

    httpx's bodies are async generators: left suspended, Trio's finalizer reports each one,
    garbage-collected, as a ResourceWarning ("... was garbage collected before it had been
    exhausted"), an error under ``-W error``.
    """
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        with trio.move_on_after(1, shield=True):  # bounded, as every shield here
            await aclose()


def _or_inf(timeout: float | None) -> float:
    return math.inf if timeout is None else timeout
