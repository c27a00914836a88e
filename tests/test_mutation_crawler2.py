"""Lesson 7's crawler twins: the slips of a second, independent mutation sample (issue 27).

``tests/test_mutation_crawler.py`` was written for the survivors of a first sample (seed 27);
a second sample (seed 28), drawn after it, found the slips below untested. Each test runs on
both twins (``asyncio_ref/crawler.py`` and ``trio_port/crawler.py``); a crawl talks to a real
server on 127.0.0.1, no client library is mocked, and the limits of open files and of file
size are the process's own, set for real. docs/mutation.md lists the survivors each test kills.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import io
import math
import os
import socket
import socketserver
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import trio

from tests.serving import serving
from tests.test_crawler import events, run_crawl
from walkthrough.clocks import VirtualTimeLoop, mock_clock

PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}


def crawler(impl: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGES[impl]}.crawler")


def _page(links: int) -> bytes:
    return b"".join(b'<a href="http://example.org/%d">%d</a>\n' % (i, i) for i in range(links))


class _Handler(socketserver.BaseRequestHandler):
    """An HTTP/1.1 server as most are: it keeps a connection open for the next request
    (no ``Connection: close`` of its own), and answers every request on it."""

    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        with self.server.lock:
            self.server.connections += 1
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                with self.server.lock:
                    self.server.requests.append(head.decode("latin-1"))
                body = _page(2)
                if b" /silent " in head:  # never a byte back: only a timeout ends the wait
                    self.server.stopping.wait()
                    return
                if b" /late " in head:  # the head now, the body a moment later
                    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                    threading.Event().wait(0.05)
                    sock.sendall(body)
                    continue
                # /untyped: no Content-Type at all, as some servers answer.
                kind = b"" if b" /untyped " in head else b"Content-Type: text/html\r\n"
                # /status/N: that status, with a page all the same (as error pages have).
                status = head.split(b" ", 2)[1].removeprefix(b"/status/") if (
                    b" /status/" in head) else b"200"
                sock.sendall(b"HTTP/1.1 %s Whatever\r\n%sContent-Length: %d\r\n\r\n%s"
                             % (status, kind, len(body), body))
        except OSError:
            return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[str] = []
        self.stopping = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as s:
        try:
            yield s
        finally:
            s.stopping.set()  # a handler that waits lets go, before the shutdown waits for it


@pytest.mark.timeout(60)
def test_every_page_is_fetched_on_a_connection_of_its_own(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """make_client's docstring: a fresh connection for every request, never one kept alive
    (bytes a server sends that no request asked for would otherwise be read as the next
    page's answer). Here the server would keep each connection: one URL at a time, three
    URLs, three connections."""
    urls = [server.url(f"/p{i}") for i in range(3)]
    crawl = run_crawl(impl, urls, tmp_path / "out.tsv", concurrency=1)
    found = events(crawl.lines)
    assert [found.by_url[url] for url in urls] == [["got 200", "found 2", "wrote"]] * 3
    assert len(server.requests) == 3
    assert server.connections == 3
    # What each asks for: the encodings read_capped decodes with a bound, and no other.
    for head in server.requests:
        fields = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
        assert {k.lower(): v for k, v in fields.items()}["accept-encoding"] == "gzip, deflate"


@pytest.mark.timeout(60)
def test_a_page_without_a_content_type_is_read_as_utf8(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    url = server.url("/untyped")
    crawl = run_crawl(impl, [url], tmp_path / "out.tsv", concurrency=1)
    assert events(crawl.lines).by_url[url] == ["got 200", "found 2", "wrote"]


@pytest.mark.timeout(60)
def test_a_proxy_set_in_the_environment_is_not_used(
    impl: str, server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both twins state ``trust_env=False``: a crawl goes to the URL's own host, whatever
    ``http_proxy`` says (aiohttp's default, not httpx's). The proxy here is a second server of
    the same kind: it must see no request."""
    with serving(_Server()) as proxy:
        for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        for name in ("http_proxy", "HTTP_PROXY"):
            monkeypatch.setenv(name, proxy.url(""))
        url = server.url("/page")
        crawl = run_crawl(impl, [url], tmp_path / "out.tsv", concurrency=1)
    assert events(crawl.lines).by_url[url] == ["got 200", "found 2", "wrote"]
    assert proxy.requests == [] and proxy.connections == 0
    assert len(server.requests) == 1


@pytest.mark.parametrize(("content_type", "charset"), [
    # A quoted string may hold any character a token may not, '=' included (RFC 9110, 5.6.4).
    ('text/html; charset="x=y"', "x=y"),
    ("text/html; charset=utf-8", "utf-8"),
])
def test_a_charset_is_the_text_after_the_first_equals_sign(
    impl: str, content_type: str, charset: str,
) -> None:
    assert crawler(impl).declared_charset(content_type) == charset


def test_the_progress_line_comes_again_after_half_a_second_exactly(
    impl: str, capsys: pytest.CaptureFixture[str],
) -> None:
    """At most twice a second: a page done 0.5 s after the last line shown gets a new line
    (``>= 0.5``). A page done at the very start (the framework's clock reads the same; Trio's
    does not start near 0) is shown at 0 pages/s, not a rate made up."""
    stats = crawler(impl).Stats(progress=True, started=100.0)
    for now in (100.0, 100.5, 100.75, 101.0):
        stats.page_done(now, links=1)
    assert capsys.readouterr().err.splitlines() == [
        "[1 pages, 0 errors, 0 pages/s]", "[2 pages, 0 errors, 4 pages/s]",
        "[4 pages, 0 errors, 4 pages/s]"]



def test_an_output_that_cannot_be_created_is_a_usage_error_that_says_why(
    impl: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """``-o`` in a folder that does not exist: exit 2 before any URL is fetched, and the
    one line says which file and why, in the system's words."""
    out = tmp_path / "no-such-folder" / "out.tsv"
    with pytest.raises(SystemExit) as done:
        crawler(impl).main(["http://127.0.0.1:9/", "-o", str(out)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].endswith(f"error: cannot write {out}: No such file or directory")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_the_soft_open_files_limit_is_really_raised_for_the_crawl(impl: str) -> None:
    """The process's own limit, lowered for real: ``fit_concurrency`` raises the soft limit
    of open files (``RLIMIT_NOFILE``, not another) to what the crawl needs, and keeps the
    concurrency. The test's limits are restored after."""
    import resource

    mod = crawler(impl)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    need = in_use + mod.FDS_SPARE + mod.FDS_PER_URL * 10
    if hard != resource.RLIM_INFINITY and hard < need + 10:
        pytest.skip(f"a hard limit of {hard} open files leaves no room to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + mod.FDS_SPARE, hard))
    try:
        fitted = mod.fit_concurrency(10)
        raised, kept_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert fitted == 10
    assert kept_hard == hard
    assert need - 2 <= raised <= need + 2, (raised, need)  # the descriptors open may move by one


async def _append(impl: str, file: Path, rows: str) -> None:
    """One page's rows appended as each twin does it (the Trio twin's writer task holds the
    file open for the whole crawl)."""
    mod = crawler(impl)
    if impl == "asyncio":
        await mod.append_rows(file, rows)
    else:
        async with await trio.open_file(file, "ab", buffering=0) as out:
            await mod.append_rows(out, rows)


def test_a_write_cut_short_by_the_file_size_limit_is_taken_back(
    impl: str, tmp_path: Path,
) -> None:
    """``ulimit -f``, for real: the kernel writes what fits under the limit and no more (a
    short write(2)). The part written is taken back, the TSV ends on its last whole row, and
    OutputError (exit 74) says why."""
    import resource

    mod = crawler(impl)
    path = tmp_path / "out.tsv"
    path.write_text(mod.HEADER, encoding="utf-8")
    rows = "http://a/\thttp://b/\n" * 3
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = len(mod.HEADER) + 10  # room for 10 bytes of the rows
    if hard != resource.RLIM_INFINITY and hard < limit:
        pytest.skip("the file-size limit is lower than the test needs")
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(mod.OutputError) as raised:
            if impl == "asyncio":
                asyncio.run(_append(impl, path, rows))
            else:
                trio.run(_append, impl, path, rows)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(raised.value) == (
        f"cannot write {path}: no room for the rows (disk full or the file-size limit)")
    assert path.read_text(encoding="utf-8") == mod.HEADER


def _turns_while_making_rows(impl: str, links: set[str]) -> tuple[str, int]:
    """``page_rows`` run beside a task that counts the turns the loop gives it."""
    mod = crawler(impl)
    turns = 0
    done = False

    async def count(checkpoint: Callable[[], Awaitable[object]]) -> None:
        nonlocal turns
        while not done:
            turns += 1
            await checkpoint()

    async def asyncio_main() -> str:
        nonlocal done
        counter = asyncio.create_task(count(lambda: asyncio.sleep(0)))
        await asyncio.sleep(0)  # the counter starts
        try:
            rows: str = await mod.page_rows("http://127.0.0.1:8/", links)
            return rows
        finally:
            done = True
            await counter

    async def trio_main() -> str:
        nonlocal done
        async with trio.open_nursery() as nursery:
            nursery.start_soon(count, trio.lowlevel.checkpoint)
            await trio.lowlevel.checkpoint()
            try:
                rows: str = await mod.page_rows("http://127.0.0.1:8/", links)
            finally:
                done = True
        return rows

    rows = asyncio.run(asyncio_main()) if impl == "asyncio" else trio.run(trio_main)
    return rows, turns


@pytest.mark.timeout(60)
def test_making_a_pages_rows_gives_the_loop_back_every_rows_per_step_rows_not_every_row(
    impl: str,
) -> None:
    """test_crawler_round2.py checks the rows are made in steps; not in far more steps either:
    a turn per row is a scheduler round trip per row. Two runs of ROWS_PER_STEP links: one
    step between the sorts, one after each run of rows merged (give or take the counter's
    own start and end)."""
    mod = crawler(impl)
    links = {f"http://example.org/{i:05d}" for i in range(2 * mod.ROWS_PER_STEP)}
    rows, turns = _turns_while_making_rows(impl, links)
    assert rows == "".join(f"http://127.0.0.1:8/\t{link}\n" for link in sorted(links))
    assert 3 <= turns <= 6, turns


@pytest.mark.timeout(60)
def test_with_no_time_limit_a_page_may_take_longer_than_any_librarys_default(
    impl: str, server: _Server, tmp_path: Path,
) -> None:
    """``--timeout inf``: no limit, the libraries' own timeouts included (aiohttp's default is
    300 s in total, httpx's 5 s per operation). The crawl runs on a clock that jumps ahead
    whenever every task waits, so a timer anyone left would fire while the server pauses
    between the head and the body; none may."""
    mod = crawler(impl)
    url = server.url("/late")
    out = tmp_path / "out.tsv"
    out.write_text(mod.HEADER, encoding="utf-8")
    crawl = functools.partial(mod.bulk_crawl_and_write, out, [url], concurrency=1,
                              url_timeout=math.inf, max_bytes=1 << 20)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if impl == "asyncio":
            with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
                runner.run(crawl())
        else:
            trio.run(crawl, clock=mock_clock())
    assert events(printed.getvalue().splitlines()).by_url[url] == ["got 200", "found 2", "wrote"]


@pytest.mark.timeout(60)
def test_the_timeout_given_on_the_command_line_is_the_one_the_crawl_waits(
    impl: str, server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """``--timeout 0.5`` for a server that never answers: a timeout error after half a second,
    not after the default's 10 s (the summary's elapsed time says which; loose, for a busy
    machine)."""
    mod = crawler(impl)
    url = server.url("/silent")
    status = mod.main([url, "-o", str(tmp_path / "out.tsv"), "--timeout", "0.5"])
    out, err = capsys.readouterr()
    assert status == 1, err
    assert any(line.startswith(f"Error [timeout] for URL: {url} - ")
               for line in out.splitlines()), out
    summary = err.splitlines()[-1]
    assert summary.startswith("pages 0, links 0, errors 1, elapsed "), summary
    assert 0.5 <= float(summary.split()[-2]) < mod.DEFAULT_TIMEOUT / 2, summary


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("status", "seen"), [
    (400, ["error status"]), (399, ["got 399", "found 2", "wrote"])])
def test_a_status_from_400_up_is_an_error_below_it_a_page(
    impl: str, server: _Server, tmp_path: Path, status: int, seen: list[str],
) -> None:
    """The module's docstring: "status: 400 and above is an error; anything below (a 3xx
    without Location too) is a page", at its edge, with a body of links either way."""
    url = server.url(f"/status/{status}")
    crawl = run_crawl(impl, [url], tmp_path / "out.tsv", concurrency=1)
    assert events(crawl.lines).by_url[url] == seen
