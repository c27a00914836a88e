"""``TrioH11Transport`` used directly: the slips mutmut planted that the transport tests missed.

``scripts/mutation.py trio_port/_transport.py`` (issue 27, ``docs/mutation.md``) found errors
built without their request or without their message. Through ``httpx.AsyncClient`` neither
shows: the client sets ``exc.request`` again on the way out and its tests look at types. But a
transport is httpx's public interface too (``handle_async_request``, what a retrying or
caching transport wraps), and there an error must say which request failed, and why, as
httpx's own transport does.

Real sockets on 127.0.0.1 and the real clock (a timeout cannot be tested otherwise:
DESIGN.md); ``-W error``.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from trio_port._transport import TrioH11Transport


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """A one-connection server that reads a request and answers ``reply`` (raw bytes), then
    hangs up (``close``) or waits for the client to; returns its base URL."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []
    stop = threading.Event()

    def start(reply: bytes, close: bool = False) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def run() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                if reply:
                    conn.sendall(reply)
                if not close:
                    stop.wait(5)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/"

    yield start
    stop.set()
    for thread in threads:
        thread.join(10)
    for listener in listeners:
        listener.close()


async def failure(request: httpx.Request, transport: TrioH11Transport | None = None,
                  **timeouts: float) -> httpx.HTTPError:
    transport = transport or TrioH11Transport()
    request.extensions["timeout"] = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0,
                                     **timeouts}
    try:
        with pytest.raises(httpx.HTTPError) as caught:
            response = await transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()  # as httpx's client does when a read fails
    finally:
        await transport.aclose()
    return caught.value


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_refused_connect_names_the_request_and_the_address() -> None:
    await check_a_refused_connect(TrioH11Transport())


async def check_a_refused_connect(transport: TrioH11Transport) -> None:
    """Shared with the httptools transport's tests: the same words, the same request."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening
        port = s.getsockname()[1]
        request = httpx.Request("GET", f"http://127.0.0.1:{port}/")
        exc = await failure(request, transport)
    assert type(exc) is httpx.ConnectError
    assert exc.request is request
    assert str(exc) == f"all attempts to connect to 127.0.0.1:{port} failed"


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_no_free_connection_is_a_pool_timeout_that_names_the_request(
        serve: Callable[..., str]) -> None:
    """With its one connection in use (a response whose body is not read yet), a second
    request waits for the pool timeout, and the error names it and says why."""
    url = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    transport = TrioH11Transport(max_connections=1)
    timeout = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    try:
        held = await transport.handle_async_request(
            httpx.Request("GET", url, extensions={"timeout": timeout}))
        try:
            request = httpx.Request("GET", url, extensions={"timeout": {**timeout, "pool": 0.1}})
            with pytest.raises(httpx.PoolTimeout) as caught:
                await transport.handle_async_request(request)
        finally:
            await held.aclose()
    finally:
        await transport.aclose()
    assert caught.value.request is request
    assert str(caught.value) == "no connection free within the pool timeout"


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_silent_server_is_a_read_timeout_named_so(serve: Callable[..., str]
                                                          ) -> None:
    request = httpx.Request("GET", serve(b""))
    exc = await failure(request, read=0.2)
    assert type(exc) is httpx.ReadTimeout
    assert exc.request is request
    assert str(exc) == "ReadTimeout"


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_bad_status_line_is_a_protocol_error_with_h11s_reason(
        serve: Callable[..., str]) -> None:
    request = httpx.Request("GET", serve(b"HTTP/1.1 OK maybe\r\nContent-Length: 0\r\n\r\n"))
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert exc.request is request
    assert "illegal status line" in str(exc)


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_body_cut_short_is_a_protocol_error_that_says_so(
        serve: Callable[..., str]) -> None:
    request = httpx.Request("GET", serve(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
                                         close=True))
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert exc.request is request
    assert "peer closed connection without sending complete message body" in str(exc)


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_both_framings_in_one_response_are_refused(serve: Callable[..., str]) -> None:
    """Transfer-Encoding with Content-Length (a sign of response splitting, RFC 9112 6.3): h11
    accepts it and goes by the chunks; the transport refuses it, as llhttp and aiohttp do."""
    request = httpx.Request("GET", serve(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"))
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert exc.request is request
    assert str(exc) == "Transfer-Encoding can't be present with Content-Length"


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_header_h11_refuses_is_a_local_protocol_error_with_its_reason(
        serve: Callable[..., str]) -> None:
    request = httpx.Request("GET", serve(b""))
    request.headers["X-Placeholder"] = "a"
    request.headers._list[-1] = (b"x-evil", b"x-evil", b"a\rb")  # type: ignore[attr-defined]
    exc = await failure(request)
    assert type(exc) is httpx.LocalProtocolError
    assert exc.request is request
    assert "Illegal header value" in str(exc)


# -- https: the default TLS context -----------------------------------------------------------


def _self_signed(folder: Path, name: str, alt: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (openssl's command line), and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command here")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName={alt}"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    return _self_signed(tmp_path, "127.0.0.1", "IP:127.0.0.1")


def _tls_server(context: ssl.SSLContext, reply: bytes) -> tuple[str, Callable[[], None]]:
    """A one-connection TLS server on 127.0.0.1 that answers ``reply`` and then drops the
    TCP connection *without* TLS's close_notify, as many servers do; a failed handshake ends
    it quietly. Returns the https URL and a function that stops it."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        conn, _ = listener.accept()
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                tls.sendall(reply)
                tls.shutdown(socket.SHUT_RDWR)  # TCP's FIN, no close_notify before it
        except (ssl.SSLError, OSError):
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop() -> None:
        thread.join(10)
        listener.close()

    return f"https://127.0.0.1:{listener.getsockname()[1]}/", stop


@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_https_uses_one_verifying_default_context_that_offers_http11(
        certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """No context given: the transport makes the standard verifying one, once, and offers
    ``http/1.1`` by ALPN (a server that also speaks h2 would otherwise be free to pick it, and
    h11 cannot read HTTP/2). The test's CA is added to that context, nothing else changed."""
    cert, key = certificate
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def spy(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = real(*args, **kwargs)
        context.load_verify_locations(cafile=str(cert))
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", spy)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    server_context.set_alpn_protocols(["h2", "http/1.1"])
    chosen: list[str | None] = []
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def run() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            with server_context.wrap_socket(conn, server_side=True) as tls:
                chosen.append(tls.selected_alpn_protocol())
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                stop.wait(0.5)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    transport = TrioH11Transport()
    try:
        async with httpx.AsyncClient(transport=transport, timeout=10) as c:
            url = f"https://127.0.0.1:{listener.getsockname()[1]}/"
            assert (await c.get(url)).content == b"ok"
            assert (await c.get(url)).content == b"ok"
    finally:
        stop.set()
        thread.join(10)
        listener.close()
    assert chosen == ["http/1.1", "http/1.1"]
    assert len(made) == 1
    assert made[0].verify_mode is ssl.CERT_REQUIRED and made[0].check_hostname



@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_a_trusted_certificate_for_another_host_is_refused(tmp_path: Path) -> None:
    """Verifying a certificate means its chain *and* its name: one the client trusts, but
    made for another host, is refused when the server at 127.0.0.1 presents it, and the error
    says why (Trio's own error for a failed handshake is a bare BrokenResourceError)."""
    cert, key = _self_signed(tmp_path, "other.example", "DNS:other.example")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    url, stop = _tls_server(server_context, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    try:
        request = httpx.Request("GET", url)
        exc = await failure(request, transport=TrioH11Transport(
            ssl_context=ssl.create_default_context(cafile=str(cert))))
    finally:
        stop()
    assert type(exc) is httpx.ConnectError
    assert exc.request is request
    assert "certificate verify failed: IP address mismatch, certificate is not valid for " \
        "'127.0.0.1'" in str(exc)


@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_an_https_body_ended_by_a_close_without_close_notify_is_whole(
        certificate: tuple[Path, Path]) -> None:
    """A body without framing ends when the server closes the connection. Over TLS most
    servers close without sending close_notify first; as browsers and httpx do, that close
    still ends the body (Trio's ``https_compatible``), rather than breaking it."""
    cert, key = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    url, stop = _tls_server(server_context, b"HTTP/1.1 200 OK\r\n\r\nall of it")
    try:
        transport = TrioH11Transport(ssl_context=ssl.create_default_context(cafile=str(cert)))
        async with httpx.AsyncClient(transport=transport, timeout=10) as c:
            assert (await c.get(url)).content == b"all of it"
    finally:
        stop()


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_the_response_says_its_http_version_and_reason(serve: Callable[..., str]) -> None:
    """What httpx shows as ``response.http_version`` and ``reason_phrase`` comes from the
    transport's extensions, as the server sent them."""
    # HTTP/1.0 and a reason of its own: httpx's defaults would say HTTP/1.1 and "Not Found"
    url = serve(b"HTTP/1.0 404 Not Here\r\nContent-Length: 2\r\n\r\nno")
    async with httpx.AsyncClient(transport=TrioH11Transport(), timeout=10) as c:
        response = await c.get(url)
    assert (response.status_code, response.http_version, response.reason_phrase) == (
        404, "HTTP/1.0", "Not Here")


def test_the_default_cap_is_httpxs() -> None:
    """Without arguments the transport caps connections at 100 in use, as httpx's own pool
    does by default, and keeps up to as many idle (httpx's pool keeps at most 20: SR12)."""
    transport = TrioH11Transport()
    assert (transport._limit.value, transport._max_keepalive) == (100, 100)


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_no_more_idle_connections_are_kept_than_max_keepalive() -> None:
    """Two requests at once need two connections; with ``max_keepalive=1`` one is kept and the
    other closed, so the next two at once reuse one and open one."""
    accepted: list[int] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # the acceptor looks at ``stop`` between waits
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            while not stop.is_set():
                try:
                    if not conn.recv(65536):
                        return
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                except OSError:
                    return

    handlers: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            accepted.append(peer[1])
            handler = threading.Thread(target=handle, args=(conn,), daemon=True)
            handler.start()
            handlers.append(handler)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        async with httpx.AsyncClient(transport=TrioH11Transport(max_keepalive=1),
                                     timeout=10) as c:
            for _ in range(2):
                async with trio.open_nursery() as nursery:
                    for _ in range(2):
                        nursery.start_soon(c.get, url)
    finally:
        stop.set()
        acceptor.join(10)
        listener.close()
        for handler in handlers:
            handler.join(10)
    assert len(accepted) == 3


@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_a_kept_alive_https_connection_the_server_closed_is_not_reused(
        certificate: tuple[Path, Path]) -> None:
    """Under TLS the socket to watch for the server's hang-up is the one under the SSLStream.
    A POST is never retried, so if the transport reused the closed connection it would fail;
    it must see the close and open a new one."""
    cert, key = certificate
    client_context = ssl.create_default_context(cafile=str(cert))
    client_context.set_alpn_protocols(["http/1.1"])
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    listener = socket.create_server(("127.0.0.1", 0))
    closed, proceed = threading.Event(), threading.Event()
    accepted = 0

    def run() -> None:
        nonlocal accepted
        for _ in range(2):
            conn, _ = listener.accept()
            accepted += 1
            with server_context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                # Kept alive (no Connection: close), then closed once the client is done.
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                proceed.wait(10)
            closed.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        async with httpx.AsyncClient(transport=TrioH11Transport(ssl_context=client_context),
                                     timeout=10) as c:
            url = f"https://127.0.0.1:{listener.getsockname()[1]}/"
            assert (await c.get(url)).content == b"ok"  # its connection now idle in the pool
            proceed.set()
            await trio.to_thread.run_sync(closed.wait, 10)
            assert (await c.post(url, content=b"once")).content == b"ok"
    finally:
        proceed.set()
        thread.join(10)
        listener.close()
    assert accepted == 2


class _SmallSendBuffers(trio.abc.SocketFactory):
    """Trio's sockets with a send buffer of a few KiB: so that a write can fill it."""

    def socket(self, family: socket.AddressFamily | int = socket.AF_INET,
               type: socket.SocketKind | int = socket.SOCK_STREAM,
               proto: int = 0) -> trio.socket.SocketType:
        sock = trio.socket.from_stdlib_socket(socket.socket(family, type, proto))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return sock


async def _upload(size: int) -> AsyncIterator[bytes]:
    """A streamed request body of ``size`` bytes in 64 KiB chunks, as an upload reads a file."""
    for start in range(0, size, 64 * 1024):
        yield b"x" * min(64 * 1024, size - start)


@pytest.mark.trio
@pytest.mark.timeout(30)
@pytest.mark.parametrize("streamed", [False, True], ids=["last-write", "a-write-mid-body"])
async def test_the_write_timeout_bounds_each_write_of_a_request(streamed: bool) -> None:
    """The write timeout bounds every write, not only one: a body under 64 KiB goes out in the
    request's last write; a streamed body of several 64 KiB chunks is written as it comes, once
    64 KiB are pending, and its first write already waits. A server that reads nothing makes
    that write wait once the (small) buffers are full, and the write timeout ends it. Without
    the bound the write waits for ever: ``fail_after`` turns that into a failure in seconds."""
    await check_the_write_timeout(TrioH11Transport(), streamed)


async def check_the_write_timeout(transport: TrioH11Transport, streamed: bool) -> None:
    """Shared with the httptools transport's tests: a server that reads nothing, small
    socket buffers, and the write timeout ends the write that waits."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before listen: the window
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def run() -> None:
        conn, _ = listener.accept()
        with conn:
            stop.wait(20)  # reads nothing

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    trio.socket.set_custom_socket_factory(_SmallSendBuffers())
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        request = (httpx.Request("POST", url, content=_upload(4 * 64 * 1024)) if streamed
                   else httpx.Request("POST", url, content=b"x" * 60_000))
        with trio.fail_after(10):
            exc = await failure(request, transport, write=0.5)
    finally:
        stop.set()
        thread.join(10)
        listener.close()
    assert type(exc) is httpx.WriteTimeout
    assert exc.request is request


@pytest.mark.trio
@pytest.mark.timeout(60)
async def test_a_broken_tls_record_is_a_read_error_that_names_what_broke(
        certificate: tuple[Path, Path]) -> None:
    """Trio's SSLStream reports a bad record as a bare ``BrokenResourceError()`` (its SSLError
    is only the cause): an error with no message of its own still says what it was."""
    cert, key = certificate
    client_context = ssl.create_default_context(cafile=str(cert))
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def run() -> None:
        conn, _ = listener.accept()
        with server_context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(65536)
            # Plain text under TLS: not a record the client can decrypt.
            os.write(tls.fileno(), b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            stop.wait(10)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    transport = TrioH11Transport(ssl_context=client_context)
    request = httpx.Request("GET", f"https://127.0.0.1:{listener.getsockname()[1]}/",
                            extensions={"timeout": {"connect": 10.0, "read": 10.0,
                                                    "write": 10.0, "pool": 10.0}})
    try:
        with pytest.raises(httpx.ReadError) as caught:
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()
        stop.set()
        thread.join(10)
        listener.close()
    assert caught.value.request is request
    assert str(caught.value) == "BrokenResourceError"
    assert isinstance(caught.value.__cause__, trio.BrokenResourceError)


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_final_head_of_max_head_bytes_after_a_100_continue_is_bounded_alone(
        serve: Callable[..., str]) -> None:
    """Each head is bounded alone (as h11 and aiohttp have it): the ``100 Continue`` before
    a final head of exactly MAX_HEAD bytes does not count against it. The read that ends the
    head is cut there; the rest, and a body longer than it, arrive intact."""
    from trio_port._transport import MAX_HEAD
    body = bytes(range(256)) * 800
    bare = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Pad: \r\n\r\n" % len(body)
    head = bare.replace(b"X-Pad: ", b"X-Pad: " + b"v" * (MAX_HEAD - len(bare)))
    assert len(head) == MAX_HEAD
    url = serve(b"HTTP/1.1 100 Continue\r\n\r\n" + head + body)
    async with httpx.AsyncClient(transport=TrioH11Transport(), timeout=10) as c:
        response = await c.get(url)
    assert response.status_code == 200
    assert response.content == body


@pytest.mark.trio
@pytest.mark.timeout(30)
async def test_a_head_one_byte_over_max_head_is_refused_in_words(
        serve: Callable[..., str]) -> None:
    """The transport's own refusal, not h11's: it names the limit, and the request."""
    from trio_port._transport import MAX_HEAD
    bare = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: \r\n\r\n"
    head = bare.replace(b"X-Pad: ", b"X-Pad: " + b"v" * (MAX_HEAD + 1 - len(bare)))
    request = httpx.Request("GET", serve(head + b"ok"))
    exc = await failure(request)
    assert type(exc) is httpx.RemoteProtocolError
    assert exc.request is request
    assert str(exc) == f"response head over {MAX_HEAD} bytes"
