"""The demo site itself: each page, header and fault as its docstring promises (issue 27).

``walkthrough/demosite.py`` is the server every crawler test talks to. A slip in it does not
fail those tests so much as change what they test: a redirect chain one hop short, a
``big.html`` a few bytes under the cap, a ``slow.html`` that does not wait, a concurrency
counter that never counts, and the crawler tests still pass, for the wrong reason.
``scripts/mutation.py`` run on it with the crawler tests found such slips unnoticed; these
tests pin the site's contract directly, over real sockets on 127.0.0.1.

No test sleeps: where the site waits (``slow.html``, ``delay/<ms>/``), its stop event is
replaced by a stand-in that records the wait asked for and answers at once, or blocks on a
barrier the test controls.
"""

from __future__ import annotations

import http.client
import io
import itertools
import re
import socket
import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from trio_port import crawler
from walkthrough import demosite
from walkthrough.demosite import FAULTS, MESSY, DemoSite, _chunks, _free_port

Response = tuple[int, dict[str, str], bytes]


def fetch(site: DemoSite, path: str, *, timeout: float = 10) -> Response:
    """GET ``/path`` over a fresh connection: status, headers (lower-case names), body."""
    port = int(site.base_url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/" + path)
        with conn.getresponse() as resp:
            body = resp.read()
            headers = {name.lower(): value for name, value in resp.getheaders()}
            return resp.status, headers, body
    finally:
        conn.close()


def fetch_settled(site: DemoSite, path: str) -> int:
    """GET ``/path``, then the index on the same keep-alive connection: the status of the first.

    A response arrives before its handler has returned; the server's thread for this
    connection takes the second request only once the first's handler has, so after the
    second response everything the first did is done.
    """
    port = int(site.base_url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        statuses = []
        for each in (path, "index.html"):
            conn.request("GET", "/" + each)
            with conn.getresponse() as resp:
                resp.read()
                statuses.append(resp.status)
        assert statuses[1] == 200
        return statuses[0]
    finally:
        conn.close()


def html(title: str, links: list[str]) -> bytes:
    """A generated page, written out by hand (not with the module's ``_html``)."""
    items = "".join(f'<li><a href="{link}">{link}</a></li>\n' for link in links)
    return (f"<!doctype html>\n<html><head><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1>\n<ul>\n{items}</ul></body></html>\n").encode()


NOT_FOUND = html("Not found", []).replace(b"<ul>\n</ul>", b"<ul>\n\n</ul>")
HTML = "text/html; charset=utf-8"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=40, slow_seconds=30, big_bytes=200_000) as s:
        yield s


class _Waits:
    """Stands in for the site's stop event: records each wait asked for, answers ``result``.

    ``then`` (if given) runs inside the wait, in the handler's thread, before it answers.
    """

    def __init__(self, result: bool, then: Callable[[], None] | None = None) -> None:
        self.result = result
        self.then = then
        self.waits: list[float] = []

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        if self.then is not None:
            self.then()
        return self.result

    def set(self) -> None:
        pass


@pytest.fixture
def waits(site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> _Waits:
    stand_in = _Waits(False)
    monkeypatch.setattr(site, "_stopping", stand_in)
    return stand_in


# -- addresses ------------------------------------------------------------------------------------


def test_the_addresses_of_the_site_in_the_order_the_demo_crawls_them() -> None:
    with DemoSite(pages=3) as site:
        port = site._server.server_address[1]
        assert site.base_url == f"http://127.0.0.1:{port}/"
        assert site.url("page/7.html") == f"http://127.0.0.1:{port}/page/7.html"
        pages = [site.base_url + p for p in ("index.html", "page/0.html", "page/1.html",
                                             "page/2.html")]
        assert site.page_urls() == pages
        quick = pages + [site.base_url + path for path in FAULTS] + [site.refused_url]
        assert site.demo_urls() == quick
        assert site.demo_urls(slow=True) == [*quick, site.base_url + "slow.html"]
        # The site serves from a daemon thread, named, so a test that forgets to stop it does
        # not hold the interpreter open.
        assert site._thread.name == "demosite"
        assert site._thread.daemon
        assert site._thread.is_alive()
    assert not site._thread.is_alive()


def test_the_refused_url_is_a_port_where_nothing_listens() -> None:
    with DemoSite(pages=1) as site:
        refused = site.refused_url
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/", refused)
        assert match is not None
        assert int(match[1]) != site._server.server_address[1]
        # One the OS handed out: not a fixed port, and not a privileged one (below 1024),
        # which only a test run as root could even bind.
        assert 1024 <= int(match[1]) <= 65535
    for port in (int(match[1]), _free_port()):
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", port))


# -- the generated pages --------------------------------------------------------------------------


def test_a_pages_links_are_the_documented_function_of_its_number() -> None:
    site = DemoSite(pages=40)
    try:
        u = site.url
        # (i + 1) % n, (7i + 3) % n, (13i + 5) % n, (i // 2) % n: sorted, without repeats;
        # then two off-site links, a root-relative one, and the first link again.
        assert site.page_links(7) == [
            u("page/3.html"), u("page/8.html"), u("page/12.html"), u("page/16.html"),
            "https://example.org/topic/7", "http://example.com/?page=7", "/page/9.html",
            u("page/8.html")]
        # Every modulo wraps here: 40 % 40, 276 % 40, 512 % 40, 41 % 40, 39 % 17.
        assert site.page_links(39) == [
            u("page/0.html"), u("page/19.html"), u("page/32.html"), u("page/36.html"),
            "https://example.org/topic/5", "http://example.com/?page=39", "/page/1.html",
            u("page/0.html")]
    finally:
        site._server.server_close()
    one = DemoSite(pages=1)
    try:
        # All four targets are page 0: one link, not four.
        assert one.page_links(0) == [
            one.url("page/0.html"), "https://example.org/topic/0", "http://example.com/?page=0",
            "/page/0.html", one.url("page/0.html")]
    finally:
        one._server.server_close()


def test_the_index_and_each_page_are_served_as_written(site: DemoSite) -> None:
    index = html("Demo site", [site.url(f"page/{i}.html") for i in range(40)])
    for path in ("", "index.html"):
        status, headers, body = fetch(site, path)
        assert (status, headers["content-type"], body) == (200, HTML, index)
        assert headers["content-length"] == str(len(index))
    for i in (0, 39):
        status, headers, body = fetch(site, f"page/{i}.html")
        assert (status, headers["content-type"]) == (200, HTML)
        assert body == html(f"Page {i}", site.page_links(i))
        assert headers["content-length"] == str(len(body))
    assert fetch(site, "page/0.html")[1]["server"].startswith("demosite/1 ")


@pytest.mark.parametrize("path", [
    "X", "Xpage/1.html", "page/40.html", "page/x.html", "page/-1.html", "page/1.htm",
    "pages/1.html", "nothing", "redirect/x", "redirect/", "status/x", "status/", "loop/c",
    "index.htm"])
def test_a_path_the_site_does_not_have_is_404_not_found(site: DemoSite, path: str) -> None:
    assert site.page(path) is None
    status, headers, body = fetch(site, path)
    assert (status, headers["content-type"], body) == (404, HTML, NOT_FOUND)
    assert headers["content-length"] == str(len(NOT_FOUND))


# -- the faults -----------------------------------------------------------------------------------


def test_redirects_chain_down_to_page_0_loop_or_go_nowhere(site: DemoSite) -> None:
    def location(path: str) -> str | None:
        status, headers, body = fetch(site, path)
        assert (status, body) == (302, b"")
        return headers.get("location")

    # redirect/3 is three hops, each one shorter, then the page: the crawler's chain test
    # counts on it.
    assert [location(f"redirect/{n}") for n in (3, 2, 1, 0)] == [
        "/redirect/2", "/redirect/1", "/redirect/0", "/page/0.html"]
    assert location("redirect/12") == "/redirect/11"
    assert (location("loop/a"), location("loop/b")) == ("/loop/b", "/loop/a")
    status, headers, body = fetch(site, "redirect-nowhere")
    assert (status, "location" in headers) == (302, False)
    assert (headers["content-type"], body) == (
        HTML, html("Moved, but nowhere", [site.url("page/0.html")]))


@pytest.mark.parametrize("code", [404, 500, 503])
def test_status_pages_carry_their_code_and_a_link(site: DemoSite, code: int) -> None:
    status, headers, body = fetch(site, f"status/{code}")
    assert (status, headers["content-type"]) == (code, HTML)
    assert body == html(f"Status {code}", [site.url("page/0.html")])


def test_the_pages_that_are_not_utf8_html_say_what_they_are(site: DemoSite) -> None:
    status, headers, body = fetch(site, "plain.txt")
    assert (status, headers["content-type"]) == (200, "text/plain; charset=utf-8")
    assert body == (f'A plain text file. It mentions href="{site.url("page/1.html")}"\n'
                    'and href="https://www.ietf.org/rfc/rfc2616.txt" in passing.\n').encode()

    status, headers, body = fetch(site, "binary.png")
    assert (status, headers["content-type"]) == (200, "image/png")
    assert body == b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    status, headers, body = fetch(site, "latin1.html")
    assert (status, headers["content-type"]) == (200, "text/html; charset=iso-8859-1")
    assert body == html("Caf\xe9 latin-1", [site.url("caf\xe9.html"),
                                            site.url("page/2.html")]).decode().encode("latin-1")
    assert b"Caf\xe9" in body  # one byte: latin-1, which UTF-8 cannot decode
    with pytest.raises(UnicodeDecodeError):
        body.decode()

    status, headers, body = fetch(site, "bad-utf8.html")
    assert (status, headers["content-type"]) == (200, HTML)
    assert body == html("Not UTF-8", [site.url("page/3.html")]) + b"\xff\xfe\xfa"

    status, headers, body = fetch(site, "unknown-charset.html")
    assert (status, headers["content-type"]) == (200, "text/html; charset=x-no-such-charset")
    assert body == html("Unknown charset", [site.url("page/4.html")])

    status, headers, body = fetch(site, "messy.html")
    assert (status, headers["content-type"], body) == (200, HTML, MESSY.encode())
    assert headers["content-length"] == str(len(body))


def test_big_pages_are_exactly_their_size_with_or_without_a_length(site: DemoSite) -> None:
    # 200_000 is three 64 KiB chunks and a part: the last chunk is cut, not whole.
    status, headers, body = fetch(site, "big.html")
    assert (status, headers["content-type"]) == (200, HTML)
    assert (headers["content-length"], "transfer-encoding" in headers) == ("200000", False)
    assert len(body) == 200_000
    line = b'<p><a href="https://example.org/big">big</a> ' + b"x" * 200 + b"</p>\n"
    assert body.startswith(line + line)
    assert body == b"".join(_chunks(line, 200_000))

    status, headers, chunked = fetch(site, "big-chunked.html")  # http.client undoes the chunks
    assert (status, headers["content-type"]) == (200, HTML)
    assert (headers["transfer-encoding"], "content-length" in headers) == ("chunked", False)
    assert chunked == body


def test_the_chunked_body_is_framed_as_http_says() -> None:
    """On the wire: each chunk's size in hex, the chunk, CRLF; then the last chunk, ``0``."""
    with DemoSite(pages=1, big_bytes=70_000) as site:
        port = site._server.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /big-chunked.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            raw = b""
            # Until the server closes, or well past the body: a server that never stops
            # sending (chunk after empty chunk) fails the comparison below, not the timeout.
            while len(raw) < 80_000 and (chunk := s.recv(65536)):
                raw += chunk
    head, _, framed = raw.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked\r\n" in head + b"\r\n"
    body = b"".join(_chunks(b'<p><a href="https://example.org/big">big</a> ' + b"x" * 200
                            + b"</p>\n", 70_000))
    # 70_000 = 65536 + 4464: 0x10000 and 0x1170.
    assert framed == (b"10000\r\n" + body[:65536] + b"\r\n"
                      + b"1170\r\n" + body[65536:] + b"\r\n" + b"0\r\n\r\n")


def test_chunks_cut_the_repeated_line_into_parts_of_the_size_asked() -> None:
    def parts(size: int, chunk: int = 4) -> list[bytes]:
        # At most 20 parts: a slip that never ends (an empty part forever) fails, not hangs.
        return list(itertools.islice(_chunks(b"abc", size, chunk=chunk), 20))

    assert parts(0) == []
    assert parts(3) == [b"abc"]
    assert parts(4) == [b"abca"]
    assert parts(9) == [b"abca", b"abca", b"a"]
    assert parts(7, chunk=3) == [b"abc", b"abc", b"a"]
    # The default chunk is 64 KiB.
    assert [len(part) for part in itertools.islice(_chunks(b"0123456789", 150_000), 20)] == [
        65536, 65536, 18928]


# -- waiting, in flight, stopping -----------------------------------------------------------------


def test_slow_and_delayed_pages_wait_as_long_as_asked_then_serve_page_0(
    site: DemoSite, waits: _Waits,
) -> None:
    page0 = html("Page 0", site.page_links(0))
    assert fetch(site, "slow.html")[::2] == (200, page0)
    assert fetch(site, "delay/250/a.html")[::2] == (200, page0)
    assert fetch(site, "delay/0/b")[::2] == (200, page0)
    assert waits.waits == [30, 0.25, 0]
    # Not a number of milliseconds: no wait, and no such page.
    assert fetch(site, "delay/soon/c")[0] == 404
    assert fetch(site, "delay")[0] == 404
    assert waits.waits == [30, 0.25, 0]


def test_a_page_still_waiting_when_the_site_stops_hangs_up_at_once(
    site: DemoSite, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(site, "_stopping", _Waits(True))  # "the site stopped while I waited"
    for path in ("slow.html", "delay/5000/x"):
        with pytest.raises(http.client.RemoteDisconnected):
            fetch(site, path, timeout=10)


@pytest.mark.timeout(60)
def test_stopping_the_site_wakes_a_slow_page_instead_of_leaving_it_to_answer_later() -> None:
    site = DemoSite(pages=1, slow_seconds=120).start()
    real = site._stopping
    waiting = threading.Event()

    class Signals:
        def wait(self, timeout: float) -> bool:
            waiting.set()
            return real.wait(timeout)

        def set(self) -> None:
            real.set()

    site._stopping = Signals()  # type: ignore[assignment]
    outcome: list[BaseException | Response] = []

    def client() -> None:
        try:
            outcome.append(fetch(site, "slow.html", timeout=30))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    assert waiting.wait(10)
    site.stop()
    thread.join(40)
    assert not thread.is_alive()
    [got] = outcome
    assert isinstance(got, http.client.RemoteDisconnected)  # not a timeout, not a page


def test_a_delayed_request_leaves_the_count_before_its_response_is_written(
    waits: _Waits, site: DemoSite, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counted until after the write, it was still counted when the client, response in hand,
    # sent its next request on another connection (another server thread): a crawler bounded
    # to 3 read as 4 (test_crawler.py::test_concurrency_is_bounded, in the suite, under load).
    at_headers: list[int] = []
    end_headers = demosite._Handler.end_headers

    def recording(handler: demosite._Handler) -> None:
        at_headers.append(site.in_flight)
        end_headers(handler)

    monkeypatch.setattr(demosite._Handler, "end_headers", recording)
    assert fetch(site, "delay/5/x")[0] == 200
    assert site.in_flight == 0  # no race left: it was 0 before the first byte was sent
    assert at_headers == [0] and waits.waits == [0.005]


def test_only_delayed_requests_count_in_flight_and_each_is_counted_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A site of its own: the counts must start at zero, not only after a reset.
    with DemoSite(pages=1) as site:
        assert (site.in_flight, site.max_in_flight) == (0, 0)
        both = threading.Barrier(2, timeout=10)
        seen: list[tuple[int, int]] = []

        def together() -> None:
            seen.append((site.in_flight, site.max_in_flight))
            both.wait()

        monkeypatch.setattr(site, "_stopping", _Waits(False, together))
        threads = [threading.Thread(target=fetch_settled, args=(site, f"delay/1/{n}"))
                   for n in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert (site.in_flight, site.max_in_flight) == (0, 2)
        assert sorted(seen)[-1] == (2, 2)  # the second in saw both

        # A slow page waits too, but it is not a delay/ request: it is not counted.
        site.reset_counters()
        assert site.max_in_flight == 0
        monkeypatch.setattr(site, "_stopping", _Waits(False, lambda: seen.append(
            (site.in_flight, site.max_in_flight))))
        assert fetch_settled(site, "slow.html") == 200
        assert seen[-1] == (0, 0)

        # reset_counters starts from the requests running now, not from zero.
        def reset_while_one_runs() -> None:
            site.max_in_flight = 5
            site.reset_counters()
            seen.append((site.in_flight, site.max_in_flight))

        monkeypatch.setattr(site, "_stopping", _Waits(False, reset_while_one_runs))
        assert fetch_settled(site, "delay/1/c") == 200
        assert seen[-1] == (1, 1)
        assert (site.in_flight, site.max_in_flight) == (0, 1)


# -- errors and main ------------------------------------------------------------------------------


@pytest.mark.parametrize("exc", [ConnectionResetError(), BrokenPipeError(), TimeoutError()])
def test_a_client_hanging_up_is_not_reported(
    site: DemoSite, exc: BaseException, capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        raise exc
    except BaseException:
        site._server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""


def test_any_other_error_in_a_handler_is_reported(
    site: DemoSite, capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        raise ValueError("a bug in the demo site")
    except ValueError:
        site._server.handle_error(None, ("127.0.0.1", 1))
    err = capsys.readouterr().err
    assert "Exception occurred during processing of request from ('127.0.0.1', 1)" in err
    assert "ValueError: a bug in the demo site" in err


class _Pipe(io.StringIO):
    """Standard output as a pipe sees it: only what was flushed has left the process."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = ""

    def flush(self) -> None:
        self.sent = self.getvalue()


def test_main_serves_until_ctrl_c_then_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[DemoSite] = []
    pipe = _Pipe()
    announced: list[str] = []

    class CtrlC(threading.Event):
        """``main``'s endless wait gets Ctrl-C at once; the site's own waits are left alone."""

        def wait(self, timeout: float | None = None) -> bool:
            if timeout is None:
                assert served[0]._thread.is_alive()  # serving while it waits
                # A script that reads the address from a pipe gets it before the wait.
                announced.append(pipe.sent)
                raise KeyboardInterrupt
            return super().wait(timeout)

    real_init = DemoSite.__init__

    def init(self: DemoSite, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        served.append(self)

    monkeypatch.setattr(DemoSite, "__init__", init)
    monkeypatch.setattr(demosite, "threading", types.SimpleNamespace(
        Event=CtrlC, Lock=threading.Lock, Thread=threading.Thread))
    monkeypatch.setattr(sys, "stdout", pipe)
    demosite.main()  # returns: Ctrl-C is the way out, not an error
    [site] = served
    # What `python -m walkthrough.demosite` serves: a few hundred pages, slow.html two seconds
    # late, and a big.html of 4 MB, over the crawlers' default cap (2 MiB) as it must be.
    assert (site.pages, site.slow_seconds, site.big_bytes) == (300, 2.0, 4_000_000)
    assert site.big_bytes > crawler.DEFAULT_MAX_BYTES
    assert not site._thread.is_alive()  # stopped on the way out
    assert announced == [f"demo site on {site.base_url} (Ctrl-C to stop)\n"]
