"""Fallback server for the crawler benchmark: stdlib, threaded, keep-alive, Nagle off.

``python -m bench.pyserver PORT ROOT``. Nagle must be off: with keep-alive and Nagle on, each
response stalls ~44 ms waiting for the client's delayed ACK.
"""

from __future__ import annotations

import functools
import http.server
import socket
import sys
from typing import Any


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/p0.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    #: The listen backlog. socketserver's default, 5, held 6 finished handshakes: a crawl's
    #: burst of 50 or 100 connections lost the rest's SYNs, whose retries back off for seconds
    #: (a quick bench without nginx took 258 s, its httpx rows stalled with timeouts). The
    #: kernel caps it at net.core.somaxconn.
    request_queue_size = 1024

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: Any) -> None:
        """A client that hangs up before its page is sent (a crawl stopped at its limit, a
        timeout, Connection: close read early) is the client's business: socketserver would
        print a traceback for each, where the bench promises one line for the stand-in server.
        Anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset, ...
            return
        super().handle_error(request, client_address)


def main() -> None:
    port, root = int(sys.argv[1]), sys.argv[2]
    server = Server(("127.0.0.1", port), functools.partial(Handler, directory=root))
    server.serve_forever()


if __name__ == "__main__":
    main()
