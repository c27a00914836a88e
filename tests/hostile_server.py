"""A hostile HTTP server on 127.0.0.1: raw bytes on a real socket, for the crawler's faults.

``http.server`` cannot send a bad status line, a 204 with a body, 10,000 headers or a body that
inflates to gigabytes, so this server writes the bytes itself. Each path is one fault (the
module's ``ROUTES``); the server answers on a keep-alive connection, as a real one would, so a
fault that poisons a connection can reach the next, innocent, request.

Run alone (``python -m tests.hostile_server``) it prints its address and serves until Ctrl-C:
that is how the figures in docs/reliability.md were measured by hand.

Bombs: a body of zeros compressed ``gzip``, ``deflate``, ``br`` or ``zstd`` that inflates to
``GIB`` GiB; built from one compressed MiB repeated after a full flush (deflate) or, for
brotli, compressed once and cached, so serving a 10 GiB bomb costs the server no time.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import random
import socket
import socketserver
import threading
import zlib
from collections.abc import Iterator
from types import TracebackType

MIB = 1 << 20
ZEROS = bytes(MIB)


@functools.cache
def _deflate_parts(wbits: int) -> tuple[bytes, bytes]:
    """(the stream's first MiB, each next MiB): after a full flush every MiB is the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = c.compress(ZEROS) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(ZEROS) + c.flush(zlib.Z_FULL_FLUSH)
    return first, again


def deflate_bomb(mib: int, wbits: int) -> Iterator[bytes]:
    """A gzip (wbits 31) or zlib (15) stream of ``mib`` MiB of zeros, streamed, never stored."""
    first, again = _deflate_parts(wbits)
    yield first
    for _ in range(mib - 1):
        yield again
    # The end: an empty final block and the trailer (the checksum of the zeros, computed late:
    # a client that respects its cap never asks for it).
    crc, adler = 0, 1
    for _ in range(mib):
        crc, adler = zlib.crc32(ZEROS, crc), zlib.adler32(ZEROS, adler)
    tail = b"\x03\x00"
    if wbits == 31:
        yield tail + crc.to_bytes(4, "little") + (mib * MIB & 0xFFFFFFFF).to_bytes(4, "little")
    else:
        yield tail + adler.to_bytes(4, "big")


_BUILD = threading.Lock()  # one thread builds a bomb, the others wait for it (then cached)


def brotli_bomb(mib: int) -> bytes:
    with _BUILD:
        return _brotli_bomb(mib)


def zstd_bomb(mib: int) -> bytes:
    with _BUILD:
        return _zstd_bomb(mib)


@functools.cache
def _brotli_bomb(mib: int) -> bytes:
    import brotli

    c = brotli.Compressor(quality=5, lgwin=24)
    return b"".join([*(c.process(ZEROS) for _ in range(mib)), c.finish()])


@functools.cache
def _zstd_bomb(mib: int) -> bytes:
    import zstandard

    c = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join([*(c.compress(ZEROS) for _ in range(mib)), c.flush()])


def bomb_body(encoding: str, mib: int) -> Iterator[bytes]:
    if encoding == "gzip":
        return deflate_bomb(mib, 31)
    if encoding == "deflate":
        return deflate_bomb(mib, 15)
    if encoding == "br":
        return iter([brotli_bomb(mib)])
    if encoding == "zstd":
        return iter([zstd_bomb(mib)])
    raise ValueError(encoding)


def _brotli(data: bytes) -> bytes:
    import brotli

    return brotli.compress(data)  # type: ignore[no-any-return]


#: ``/coded/<name>``: the page, compressed; name -> (Content-Encoding sent, encode the page).
CODED = {
    "gzip": ("gzip", lambda b: zlib.compress(b, wbits=31)),
    "x-gzip": ("x-gzip", lambda b: zlib.compress(b, wbits=31)),
    "GZIP": ("GZIP", lambda b: zlib.compress(b, wbits=31)),
    "deflate": ("deflate", zlib.compress),
    "raw-deflate": ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # no zlib header
    "identity": ("identity", lambda b: b),
    "br": ("br", _brotli),
    "gzip-twice": ("gzip, gzip", lambda b: zlib.compress(zlib.compress(b, wbits=31), wbits=31)),
}


def corrupt_gzip() -> bytes:
    """A gzip body that starts well (real HTML) and turns to garbage after 4,000 bytes."""
    noise = random.Random(12).randbytes(150_000).hex().encode()  # does not compress away
    html = b'<html><a href="http://example.org/a">a</a>' + noise + b"</html>"
    good = zlib.compress(html, 9, wbits=31)
    return good[:4_000] + bytes(range(256)) * 40


def _head(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


PAGE = b'<html><a href="http://example.org/ok">ok</a></html>'
#: What a server sends that no request asked for: a page whose link shows where it landed.
UNSOLICITED = b'<html><a href="http://example.org/unsolicited">surplus</a></html>'
#: Links a user cannot fetch (item 5 of issue 12), and the one the crawler must keep.
BAD_LINKS = ("https://", "http://a b/space", "http://example.org/nul\x00byte",
             "http://example.org:99999/", "http://example.org:-1/", "http://:80/",
             "http://example.org/\x7f", "http://example.org/\x1b[31m")
GOOD_LINK = "http://example.org:8080/fine"


@functools.cache
def many_links(n: int) -> bytes:
    """A page of ``n`` distinct links, 47 bytes each: 46,000 of them are 2,162,000 bytes, just
    over the crawlers' default ``--max-bytes`` (2 MiB holds 44,620)."""
    return b"".join(b'<a href="http://example.org/p/%09d">x</a>\n' % i for i in range(n))


class _Handler(socketserver.BaseRequestHandler):
    server: HostileServer
    head: str  # the request's line and headers, for the route that echoes them

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                self.head = head.decode("latin-1")
                target = head.split(b"\r\n")[0].split(b" ")[1].decode("latin-1")
                with self.server.lock:
                    self.server.requests.append((target, self.client_address[1]))
                if not self.answer(sock, target.split("?")[0]):
                    return
        except OSError:
            return  # the client hung up: it does that at its cap, and at its timeout

    def answer(self, sock: socket.socket, path: str) -> bool:
        """Send the reply for ``path``; False to close the connection after it."""
        send = sock.sendall
        if path.startswith(("/bomb/", "/redirect-bomb/")):  # /bomb/<encoding>/<mib>[/slow]
            kind, encoding, mib, *slow = path.split("/")[1:]
            redirect = [("Location", "/page")] if kind == "redirect-bomb" else []
            send(_head("302 Found" if redirect else "200 OK",
                       [*redirect, ("Content-Type", "text/html"),
                        ("Content-Encoding", encoding), ("Transfer-Encoding", "chunked")]))
            step = 256 if slow else 16384  # slow: 256 bytes (about 256 KiB inflated) a tick
            for part in bomb_body(encoding, int(mib)):
                for i in range(0, len(part), step):
                    piece = part[i:i + step]
                    send(b"%x\r\n%s\r\n" % (len(piece), piece))
                    if slow and self.server.stopping.wait(0.05):
                        return False
            send(b"0\r\n\r\n")
            return True
        if path.startswith("/coded/"):
            encoding, encode = CODED[path.removeprefix("/coded/")]
            body = encode(PAGE)
            send(_head("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", encoding),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path in ("/accept-encoding", "/authorization"):
            # A page whose one link names what the client sent in that header.
            asked = [line.split(":", 1)[1].strip() for line in self.head.split("\r\n")[1:]
                     if line.lower().startswith(path[1:] + ":")]
            body = b'<a href="http://example.org/%s">x</a>' % "|".join(asked).encode().replace(
                b" ", b"+")
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path == "/page":
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(PAGE)))]) + PAGE)
            return True
        if path.startswith("/many-links/"):  # /many-links/<n>: a page of n distinct links
            body = many_links(int(path.removeprefix("/many-links/")))
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path.startswith("/cookies/"):  # /cookies/<n>/<bytes>[/<bytes>]: n Set-Cookie
            n, size, *last = (int(x) for x in path.split("/")[2:])  # headers, and one more
            cookies = [("Set-Cookie", f"c{i}=" + "v" * (length - len(f"c{i}=")))
                       for i, length in enumerate([size] * n + last)]
            send(_head("200 OK", [("Content-Type", "text/html"), *cookies,
                                  ("Content-Length", str(len(PAGE)))]) + PAGE)
            return True
        if path == "/empty-location":
            send(_head("302 Found", [("Location", ""), ("Content-Type", "text/html"),
                                     ("Content-Length", str(len(PAGE)))]) + PAGE)
            return True
        if path == "/quoted-charset":  # charset='iso-8859-1': quotes HTTP does not use
            body = '<a href="http://example.org/caf\u00e9">x</a>'.encode("latin-1")
            send(_head("200 OK", [("Content-Type", "text/html; charset='iso-8859-1'"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path == "/continue-forever":  # 100 Continue, again and again, never an answer
            while not self.server.stopping.wait(0.01):
                send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return False
        if path == "/huge-length-slow":  # a valid, huge Content-Length; the body drips
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(1 << 40))]))
            while not self.server.stopping.wait(0.05):
                send(b"<p>" * 100)
            return False
        if path.startswith("/status/"):  # /status/<code>: that status line, and a page
            send(_head(f"{path.removeprefix('/status/')} Whatever",
                       [("Content-Type", "text/html"), ("Content-Length", str(len(PAGE)))])
                 + PAGE)
            return True
        if path in ("/overlong", "/early"):
            # /overlong: a body longer than its Content-Length, the surplus 50 ms later (a
            # whole response of its own); /early: an answer sent before any request asked for
            # it, 20 ms after a good page. Either sits on a kept-alive connection: a client
            # that reuses it reads it as the next page's response.
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(PAGE)))]) + PAGE)
            if self.server.stopping.wait(0.05 if path == "/overlong" else 0.02):
                return False
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(UNSOLICITED)))]) + UNSOLICITED)
            return True
        if path in ("/204-with-body", "/304-with-body"):
            # No body is allowed after a 204 or 304: the client must ignore these bytes, and
            # must not reuse the connection they now sit on.
            status = "204 No Content" if path.startswith("/204") else "304 Not Modified"
            send(_head(status, [("Content-Length", "44")]) + b"HTTP/1.1 999 poison" + b"x" * 25)
            return True
        if path == "/bad-status-line":
            send(b"HTTP/1.1 OK maybe\r\nContent-Length: 0\r\n\r\n")
            return False
        if path == "/garbage":
            send(bytes(range(256)) * 8)
            return False
        if path == "/huge-header":
            send(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * MIB + b"\r\nContent-Length: 0\r\n\r\n")
            return False
        if path == "/many-headers":
            send(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(10_000))
                 + b"Content-Length: 0\r\n\r\n")
            return False
        if path in ("/unsupported-encoding", "/zstd"):
            body = zlib.compress(PAGE)
            send(_head("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Encoding", "zstd" if path == "/zstd" else "snappy"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path == "/corrupt-gzip":
            body = corrupt_gzip()
            send(_head("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path == "/redirect-no-host":
            send(_head("302 Found", [("Location", "http:///ok"), ("Content-Length", "0")]))
            return True
        if path == "/bad-links":
            links = [*BAD_LINKS, GOOD_LINK]
            body = "".join(f'<a href="{link}">x</a>\n' for link in links).encode()
            send(_head("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(body)))]) + body)
            return True
        if path == "/stall":  # the head, then nothing until the server stops
            send(_head("200 OK", [("Content-Type", "text/html"), ("Content-Length", "100")]))
            self.server.stopping.wait()
            return False
        send(_head("404 Not Found", [("Content-Length", "0")]))
        return True


class HostileServer(socketserver.ThreadingTCPServer):
    """``with HostileServer() as s: s.url("/garbage")``: serves in a daemon thread."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        #: (target, client port) of every request, in arrival order
        self.requests: list[tuple[str, int]] = []
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._n = itertools.count()

    def url(self, path: str) -> str:
        """The URL of ``path``, made unique (a query) so that each crawl URL is its own."""
        return f"{self.base}{path}?{next(self._n)}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join()


def main() -> None:
    """Serve until Ctrl-C: ``python -m tests.hostile_server``."""
    with HostileServer() as server, contextlib.suppress(KeyboardInterrupt):
        print(f"hostile server on {server.base}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
