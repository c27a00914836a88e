"""A real HTTP server on 127.0.0.1 that serves a generated demo site for the crawler lesson.

The crawler (lesson 7) must be runnable offline and testable without the internet and without
mocking either HTTP client library. So this module serves, from a thread of the current
process, a deterministic site of a few hundred pages plus every fault the crawler has to
survive::

    with DemoSite() as site:
        site.url("page/7.html")        # 'http://127.0.0.1:41234/page/7.html'
        site.demo_urls()               # what `walkthrough crawl` crawls with no URL given

Pages (paths relative to ``site.base_url``):

- ``index.html`` and ``page/<i>.html`` for ``i < pages``: HTML whose links are a fixed function
  of ``i`` (absolute links to other pages, links off-site, a relative link the notebook's
  ``href="(http.*?)"`` does not see, a duplicate);
- ``redirect/<n>``: a chain of ``n`` 302s that ends on ``page/0.html``; ``loop/a`` and
  ``loop/b`` redirect to each other forever; ``redirect-nowhere``: a 302 without Location;
- ``status/<code>``: an HTML page (with links) sent with that status, e.g. 404 or 500;
- ``slow.html``: answers after ``slow_seconds`` (set it above the crawler's timeout);
  ``delay/<ms>/<name>``: answers after ``ms`` milliseconds (to watch a concurrency bound:
  ``site.max_in_flight`` is the most of these that have been waiting at once);
- ``plain.txt`` (``text/plain`` with links in it), ``binary.png`` (bytes that are not UTF-8);
- ``latin1.html`` (``charset=iso-8859-1``, a link with a non-ASCII character),
  ``bad-utf8.html`` (declares UTF-8, is not), ``unknown-charset.html`` (a charset Python
  does not know);
- ``big.html``: ``big_bytes`` of HTML (set it above the crawler's cap), and
  ``big-chunked.html``, the same without a Content-Length (chunked transfer encoding);
- ``messy.html``: relative, ``mailto:``, ``javascript:``, malformed hrefs, and hrefs holding a
  tab, a carriage return and a newline.

``site.refused_url`` is a URL on a port where nothing listens.

Why a thread and ``http.server``: no dependency, starts in a millisecond, and real sockets.
Two settings matter (measured, see DESIGN.md): HTTP/1.1 keep-alive, so a client's pool reuses
connections as it would on a real site, and Nagle off, else each keep-alive response stalls
~40 ms waiting for a delayed ACK.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

#: Paths of the fault pages that return quickly, in the order the demo crawls them.
FAULTS = (
    "redirect/3",
    "loop/a",
    "redirect-nowhere",
    "status/404",
    "status/500",
    "plain.txt",
    "binary.png",
    "latin1.html",
    "bad-utf8.html",
    "unknown-charset.html",
    "big.html",
    "big-chunked.html",
    "messy.html",
)

#: ``messy.html``'s body: every kind of href the crawler must handle without breaking a row.
MESSY = """<!doctype html>
<html><head><title>Messy links</title></head><body>
<a href="page/1.html">relative</a>
<a href="/page/2.html">root-relative</a>
<a href="http-guide.html">relative, but starts with "http"</a>
<a href="http:page/3.html">scheme-relative</a>
<a href="mailto:someone@example.org">mail</a>
<a href="javascript:alert('hi')">script</a>
<a href="https://example.org/ok">absolute</a>
<a href="https://example.org/ok">the same again</a>
<a href="https://example.org/query?a=1&amp;b=2">an entity, kept as written</a>
<a href="https://example.org/#frag">fragment</a>
<a href='http://example.org/single-quoted'>not matched by the regex</a>
<a href="HTTP://EXAMPLE.ORG/UPPER">not matched: the regex is case-sensitive</a>
<a href="httpx://example.org/">matched, then dropped: not http or https</a>
<a href="http://[::1/broken">malformed: urljoin raises ValueError</a>
<a href="http://example.org/with\ttab">a tab</a>
<a href="http://example.org/with\rcr">a carriage return</a>
<a href="http://example.org/with
newline">a newline</a>
<a href="https://example.org/caf\u00e9">non-ASCII</a>
</body></html>
"""


def _html(title: str, links: list[str]) -> str:
    items = "\n".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return (f"<!doctype html>\n<html><head><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1>\n<ul>\n{items}\n</ul></body></html>\n")


class DemoSite:
    """The demo site's server: a context manager that serves in a daemon thread.

    ``pages``: how many generated pages. ``slow_seconds``: how long ``slow.html`` waits
    (it wakes early when the server stops, so a slow handler never holds up shutdown).
    ``big_bytes``: the size of ``big.html``.
    """

    def __init__(self, pages: int = 300, *, slow_seconds: float = 2.0,
                 big_bytes: int = 4_000_000) -> None:
        self.pages = pages
        self.slow_seconds = slow_seconds
        self.big_bytes = big_bytes
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/"
        self.refused_url = f"http://127.0.0.1:{_free_port()}/"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="demosite", daemon=True)

    # -- addresses ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (relative, no leading slash) on this site."""
        return self.base_url + path

    def page_urls(self) -> list[str]:
        """The index and every generated page."""
        return [self.url("index.html")] + [self.url(f"page/{i}.html") for i in range(self.pages)]

    def demo_urls(self, *, slow: bool = False) -> list[str]:
        """What the crawler crawls offline: every page, every quick fault, the refused port.

        ``slow=True`` adds ``slow.html``, which costs the crawl a whole timeout.
        """
        urls = self.page_urls() + [self.url(path) for path in FAULTS] + [self.refused_url]
        return [*urls, self.url("slow.html")] if slow else urls

    # -- content -----------------------------------------------------------------------------

    def page_links(self, i: int) -> list[str]:
        """The links of ``page/<i>.html``: a fixed function of ``i`` (and of the port)."""
        n = self.pages
        targets = sorted({(i + 1) % n, (i * 7 + 3) % n, (i * 13 + 5) % n, (i // 2) % n})
        links = [self.url(f"page/{j}.html") for j in targets]
        links += [f"https://example.org/topic/{i % 17}", f"http://example.com/?page={i}",
                  f"/page/{(i + 2) % n}.html",           # relative: the regex skips it
                  self.url(f"page/{(i + 1) % n}.html")]  # a duplicate: one row, not two
        return links

    def page(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        """``(status, headers, body)`` for ``path``, or None for 404 Not Found.

        ``slow.html`` and ``big.html`` are served by the handler itself (they wait, stream).
        """
        html = "text/html; charset=utf-8"
        if path in ("", "index.html"):
            return 200, {"Content-Type": html}, _html("Demo site", [
                self.url(f"page/{i}.html") for i in range(self.pages)]).encode()
        if path.startswith("page/") and path.endswith(".html"):
            num = path[len("page/"):-len(".html")]
            if num.isdigit() and int(num) < self.pages:
                i = int(num)
                return 200, {"Content-Type": html}, _html(f"Page {i}",
                                                          self.page_links(i)).encode()
            return None
        if path.startswith("redirect/") and path[len("redirect/"):].isdigit():
            n = int(path[len("redirect/"):])
            target = "page/0.html" if n == 0 else f"redirect/{n - 1}"
            return 302, {"Location": "/" + target}, b""
        if path in ("loop/a", "loop/b"):
            return 302, {"Location": "/loop/" + ("b" if path == "loop/a" else "a")}, b""
        if path == "redirect-nowhere":
            return 302, {"Content-Type": html}, _html("Moved, but nowhere",
                                                      [self.url("page/0.html")]).encode()
        if path.startswith("status/") and path[len("status/"):].isdigit():
            code = int(path[len("status/"):])
            return code, {"Content-Type": html}, _html(f"Status {code}",
                                                       [self.url("page/0.html")]).encode()
        if path == "plain.txt":
            text = (f"A plain text file. It mentions href=\"{self.url('page/1.html')}\"\n"
                    f"and href=\"https://www.ietf.org/rfc/rfc2616.txt\" in passing.\n")
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()
        if path == "binary.png":
            return 200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + bytes(range(256))
        if path == "latin1.html":
            latin = _html("Caf\u00e9 latin-1", [self.url("caf\u00e9.html"),
                                                self.url("page/2.html")]).encode("latin-1")
            return 200, {"Content-Type": "text/html; charset=iso-8859-1"}, latin
        if path == "bad-utf8.html":
            body = _html("Not UTF-8", [self.url("page/3.html")]).encode() + b"\xff\xfe\xfa"
            return 200, {"Content-Type": html}, body
        if path == "unknown-charset.html":
            body = _html("Unknown charset", [self.url("page/4.html")]).encode()
            return 200, {"Content-Type": "text/html; charset=x-no-such-charset"}, body
        if path == "messy.html":
            return 200, {"Content-Type": html}, MESSY.encode()
        return None

    def reset_counters(self) -> None:
        """Start counting ``max_in_flight`` afresh (from the ``delay/`` requests now waiting)."""
        with self._lock:
            self.max_in_flight = self.in_flight

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    # -- lifetime ----------------------------------------------------------------------------

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow handlers first, so shutdown never waits for them
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _free_port() -> int:
    """A port where nothing listens: bound by the OS, then released at once.

    Another process could take it in between, in principle; on 127.0.0.1 the OS hands out
    ephemeral ports in rotation, so in practice the port stays free for the run.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # The default backlog of 5 drops the SYNs of a crawler that opens 20 connections at once;
    # each dropped SYN costs the client a 1 s retransmission (seen as spurious timeouts).
    request_queue_size = 128
    site: DemoSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up early: the crawler does that on purpose.

        It stops reading ``big.html`` at its cap and drops a connection at its timeout.
        Anything else is a bug in this module and is reported as usual.
        """
        import sys
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as a real site
    disable_nagle_algorithm = True  # else ~40 ms per keep-alive response (delayed ACK)
    server: _Server
    server_version = "demosite/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the crawler prints what matters

    def do_GET(self) -> None:
        self._get(self.server.site, urlsplit(self.path).path.lstrip("/"))

    def _get(self, site: DemoSite, path: str) -> None:
        delay = None
        if path == "slow.html":
            delay = site.slow_seconds
        elif path.startswith("delay/") and path.split("/")[1].isdigit():
            delay = int(path.split("/")[1]) / 1000
        if delay is not None:
            # A delay/ request counts while it waits, and no longer: counted until its response
            # was written, it was still counted when the client, with the whole response in
            # hand, sent its next request on another connection, which another server thread
            # took, whenever this thread was slow to get the CPU back (0 to 13 of 200
            # requests one at a time, 3 in the median, on a loaded 2-core machine), and a
            # crawler bounded to 3 showed 4 at once.
            counted = path.startswith("delay/")
            if counted:
                site._enter()
            try:
                stopped = site._stopping.wait(delay)
            finally:
                if counted:
                    site._leave()
            if stopped:
                self.close_connection = True
                return
            path = "page/0.html"
        if path in ("big.html", "big-chunked.html"):
            self._send_big(site.big_bytes, chunked=path == "big-chunked.html")
            return
        found = site.page(path)
        if found is None:
            found = 404, {"Content-Type": "text/html; charset=utf-8"}, _html("Not found",
                                                                            []).encode()
        status, headers, body = found
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_big(self, size: int, *, chunked: bool) -> None:
        line = b'<p><a href="https://example.org/big">big</a> ' + b"x" * 200 + b"</p>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        for chunk in _chunks(line, size):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


def _chunks(line: bytes, size: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    block = (line * (chunk // len(line) + 1))[:chunk]
    sent = 0
    while sent < size:
        part = block[: min(chunk, size - sent)]
        sent += len(part)
        yield part


def main() -> None:
    """Serve the demo site until Ctrl-C: ``python -m walkthrough.demosite``."""
    with DemoSite() as site, suppress(KeyboardInterrupt):
        print(f"demo site on {site.base_url} (Ctrl-C to stop)", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
