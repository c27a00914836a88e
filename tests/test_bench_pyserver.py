"""The bench's stand-in HTTP server (``bench/pyserver.py``, used where nginx is missing) takes
a crawl's burst of connections at once.

Its listen backlog was socketserver's default, 5: of the 50 or 100 connections a crawler opens
together, the kernel finished 6 handshakes ahead of the accepting thread and dropped the other
SYNs, whose retries back off for one second, then three...: a quick bench without nginx took
258 s instead of about 40, and its httpx rows stalled into timeouts (an outside review of the
README, RV4-home F12).
"""

from __future__ import annotations

import functools
import http.client
import selectors
import socket
import threading
import time
from pathlib import Path

import pytest

from bench import pyserver

BURST = 100  # the bench's largest concurrency


@pytest.mark.timeout(60)
def test_a_burst_of_connections_is_taken_whole_before_any_accept(tmp_path: Path) -> None:
    (tmp_path / "p0.html").write_text("<html>page</html>", encoding="utf-8")
    server = pyserver.Server(("127.0.0.1", 0),
                             functools.partial(pyserver.Handler, directory=str(tmp_path)))
    port = server.server_address[1]
    socks: list[socket.socket] = []
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        with selectors.DefaultSelector() as selector:
            for _ in range(BURST):
                sock = socket.socket()
                socks.append(sock)
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
                selector.register(sock, selectors.EVENT_WRITE)
            # Nothing accepts yet: only the backlog can hold the finished handshakes.
            connected: set[socket.socket] = set()
            deadline = time.monotonic() + 10
            while len(connected) < BURST and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=0.1):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        connected.add(sock)
                        selector.unregister(sock)
        assert len(connected) == BURST
        serving.start()
        for sock in socks:  # every one of them is then served
            sock.setblocking(True)
            sock.settimeout(10)
            sock.sendall(b"GET /p0.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            response = http.client.HTTPResponse(sock)
            response.begin()
            assert (response.status, response.read()) == (200, b"<html>page</html>")
            response.close()
    finally:
        for sock in socks:
            sock.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
