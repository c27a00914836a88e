"""Fallback server for the crawler benchmark: stdlib, threaded, keep-alive, Nagle off.

``python -m bench.pyserver PORT ROOT``. Nagle must be off: with keep-alive and Nagle on, each
response stalls ~44 ms waiting for the client's delayed ACK.
"""

from __future__ import annotations

import functools
import http.server
import sys


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


def main() -> None:
    port, root = int(sys.argv[1]), sys.argv[2]
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=root))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
