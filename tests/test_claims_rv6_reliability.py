"""Claims of docs/reliability.md that an outside review (RV7-rel-a, RV7-rel-b) found unshown or
half-true, each under the condition that could make it false.

- aiohttp's C parser counts a header's name against ``max_field_size`` on the head's first
  line only (a later line's value alone may be the limit); its pure-Python parser counts the
  whole line, ``: `` included, and the status line among the header lines. So under
  ``AIOHTTP_NO_EXTENSIONS=1`` the asyncio crawler refuses a header line of exactly
  ``MAX_LINE`` and exactly ``MAX_HEADERS`` lines, which the Trio twin reads as pages: a known
  gap (``xfail(strict=True)``, the fix in its reason).
- The page of many links makes 47-byte links: 46,000 of them are over the default
  ``--max-bytes``.
- A full disk, or a full stdout, with a 404 after each page: the summary's pages are the TSV's,
  in both twins, both entry points, with errors counted.
- A ':' in a URL's user name: exit 2 on the command line, an "Error parsing URL" line as a link.
- A soft descriptor limit too low for the concurrency, under a hard one high enough: the crawl
  raises the soft one and lowers nothing (no note).
- Ctrl-C: count's, sent inside its event loop (once, held down); a press while ``crawl()``
  prints its "interrupted:" line keeps the line; Trio's main task is not cancelled by Ctrl-C,
  a child is; asyncio's accept reports on each Python 3.11 to 3.13 found here. (A third press
  as asyncio.run closes its loop: tests/test_sigint.py.)
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import aiohttp
import aiohttp.client_proto
import aiohttp.http_parser
import pytest

from tests.hostile_server import HostileServer, many_links
from tests.signals import assert_clean_exit, child_env, default_sigint, interrupt
from tests.test_crawler import events, lesson, run_crawl
from tests.test_crawler_exits import ENTRIES, LIMIT, command, complete_rows, env
from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
MAX_LINE = 16 * 1024


# -- RV7-rel-b F2: aiohttp's own line check -----------------------------------------------------


async def _fetch_with_cookie(value_bytes: int, *, first: bool) -> str:
    """One response whose Set-Cookie value is ``value_bytes`` long, the head's first header line
    or after a Content-Type; aiohttp limited as the asyncio crawler limits it. "page" or
    "refused"."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        cookie = b"Set-Cookie: " + b"v" * value_bytes + b"\r\n"
        other = b"Content-Type: text/html\r\n"
        writer.write(b"HTTP/1.1 200 OK\r\n" + (cookie + other if first else other + cookie)
                     + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession(max_field_size=MAX_LINE, max_line_size=64 * 1024,
                                         max_headers=256) as session:
            try:
                async with session.get(f"http://127.0.0.1:{port}/") as resp:
                    await resp.read()
                    return "page"
            except aiohttp.ClientResponseError as exc:
                assert exc.status == 400 and f"Got more than {MAX_LINE} bytes" in exc.message
                return "refused"
    finally:
        server.close()
        await server.wait_closed()


def test_aiohttps_c_parser_counts_a_headers_name_on_the_first_line_only() -> None:
    """The C parser means name + value (``Set-Cookie`` is 10 bytes), but from the second header
    line on it forgets the name: a value of exactly the limit passes there, which is why the
    asyncio crawler checks name + value itself."""
    if aiohttp.http_parser.HttpResponseParser is aiohttp.http_parser.HttpResponseParserPy:
        pytest.skip("aiohttp's C parser is not in use here")
    assert aiohttp.client_proto.HttpResponseParser is aiohttp.http_parser.HttpResponseParserC
    seen = {(n, first): asyncio.run(_fetch_with_cookie(n, first=first))
            for n, first in [(MAX_LINE - 10, True), (MAX_LINE - 9, True),
                             (MAX_LINE, False), (MAX_LINE + 1, False)]}
    assert seen == {(MAX_LINE - 10, True): "page", (MAX_LINE - 9, True): "refused",
                    (MAX_LINE, False): "page", (MAX_LINE + 1, False): "refused"}


def test_aiohttps_pure_python_parser_counts_the_whole_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``AIOHTTP_NO_EXTENSIONS`` (or no wheel) gives the pure-Python parser, which counts the
    line as sent, ``: `` included: a name + value of exactly the limit is refused, first line or
    not."""
    monkeypatch.setattr(aiohttp.client_proto, "HttpResponseParser",
                        aiohttp.http_parser.HttpResponseParserPy)
    for first in (True, False):
        assert asyncio.run(_fetch_with_cookie(MAX_LINE - 12, first=first)) == "page"
        assert asyncio.run(_fetch_with_cookie(MAX_LINE - 11, first=first)) == "refused"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


BOUNDARIES = {  # the hostile matrix's two cases that the pure-Python parser refuses
    "a header line of exactly MAX_LINE bytes": f"/cookies/1/{MAX_LINE - 10}",
    "MAX_HEADERS header lines": "/cookies/254/10",
}


@pytest.mark.parametrize("impl", [
    pytest.param("asyncio", marks=pytest.mark.xfail(strict=True, reason=(
        "known gap: aiohttp's pure-Python parser refuses these two heads itself, counting a "
        "line's ': ' and the status line as a header line, before the crawler's own checks. "
        "Fix in asyncio_ref/crawler.py: give aiohttp limits above the crawler's "
        "(max_field_size=MAX_LINE + 2 or more, max_headers=MAX_HEADERS + 2) and count the "
        "header lines in fetch_html, as the Trio twin does"))),
    "trio",
])
def test_the_head_limits_boundaries_are_pages_under_aiohttps_pure_python_parser(
        impl: str, hostile: HostileServer, tmp_path: Path) -> None:
    """The matrix's boundary cases, run under ``AIOHTTP_NO_EXTENSIONS=1`` as a child process:
    each is a page in both twins (with the C parser they are: ``test_hostile_fault_matrix``)."""
    urls = [hostile.url(path) for path in BOUNDARIES.values()]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", lesson(impl).__name__, *urls,
         "-o", str(tmp_path / "o.tsv")],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "AIOHTTP_NO_EXTENSIONS": "1"})
    by_url = events(done.stdout.splitlines()).by_url
    assert [by_url[url] for url in urls] == [["got 200", "found 1", "wrote"]] * 2, done.stdout
    assert done.returncode == 0, done.stderr


# -- RV7-rel-b F6: the page of many links ----------------------------------------------------


def test_the_many_links_page_of_46000_links_is_over_the_default_cap(impl: str) -> None:
    """47 bytes a link: 46,000 are 2,162,000 bytes, over the default 2 MiB, which holds 44,620,
    so the page's table of 40 such pages was crawled with the cap raised."""
    assert len(many_links(1)) == 47
    assert len(many_links(46_000)) == 2_162_000 > lesson(impl).DEFAULT_MAX_BYTES == 2 * 1024 * 1024
    assert lesson(impl).DEFAULT_MAX_BYTES // 47 == 44_620


# -- RV7-rel-b F10: a full disk or stdout, failed URLs among the pages ------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=200) as s:
        yield s


def pages_and_404s(site: DemoSite) -> list[str]:
    return [url for i in range(site.pages)
            for url in (site.url(f"page/{i}.html"), site.url(f"status/404?{i}"))]


SUMMARY = re.compile(r"\(pages (\d+), links (\d+), errors (\d+), elapsed ")


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def assert_summary_is_the_tsvs(line: str, tsv: Path, site: DemoSite, *, some: bool) -> None:
    """The summary in ``line`` counts the TSV's pages and links; with ``some``, the crawl got
    far enough for pages and 404s both (an unbuffered stdout may fail at the first line)."""
    pages = complete_rows(tsv, site)
    found = SUMMARY.search(line)
    assert found, line
    summary_pages, links, errors = (int(x) for x in found.groups())
    assert (summary_pages, links) == (len(pages), sum(map(len, pages.values()))), line
    if some:
        assert summary_pages > 0 and errors > 0, line  # the 404s before the stop counted too


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_full_disk_with_failed_urls_leaves_a_summary_of_what_the_tsv_holds(
        impl: str, entry: str, site: DemoSite, tmp_path: Path) -> None:
    """Each page followed by a 404, the TSV limited to 6,000 bytes, concurrency 5: the one
    ``error:`` line's pages and links are those of the TSV, its errors more than none (the Trio
    twin used to count a failed URL's error before its writer task took it: "pages 8" over
    13 pages in the file)."""
    out = tmp_path / "out.tsv"
    done = subprocess.run(
        [*command(impl, entry), *pages_and_404s(site), "-o", str(out), "--concurrency", "5"],
        capture_output=True, text=True, env=env(), timeout=120, check=False,
        preexec_fn=_limit_file_size)
    assert done.returncode == 74, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"cannot write {out}" in errors[0], done.stderr
    assert_summary_is_the_tsvs(errors[0], out, site, some=True)


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("entry", ENTRIES)
def test_a_full_stdout_with_failed_urls_leaves_a_summary_of_what_the_tsv_holds(
        impl: str, entry: str, buffered: bool, site: DemoSite, tmp_path: Path) -> None:
    """``> /dev/full``, each page followed by a 404: the summary's pages and links are the
    TSV's; block-buffered, errors among them (unbuffered, ``walkthrough crawl`` fails at its
    first line, "crawling...": pages 0)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    out = tmp_path / "out.tsv"
    environ = env()
    environ.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        environ["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*command(impl, entry), *pages_and_404s(site), "-o", str(out), "--concurrency", "5"],
            stdout=full, stderr=subprocess.PIPE, text=True, env=environ, timeout=120,
            check=False)
    assert done.returncode == 74, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: cannot write stdout"), done.stderr
    assert_summary_is_the_tsvs(errors[0], out, site, some=buffered)


# -- RV7-rel-b F11: a ':' in the user name, on the command line and as a link ------------------

COLON_USER = "http://a%3Ab:pw@127.0.0.1:9/"


def test_a_colon_in_the_user_name_on_the_command_line_is_exit_2(impl: str,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "o.tsv"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", lesson(impl).__name__, COLON_USER, "-o", str(out)],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert "a ':' in the user name" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()  # nothing written


class _LinkPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (f'<a href="{COLON_USER}">colon</a> <a href="http://example.org/fine">ok</a>'
                .encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_colon_in_the_user_name_of_a_link_is_an_error_parsing_url(impl: str,
                                                                    tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LinkPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        crawl = run_crawl(impl, [url], tmp_path / "out.tsv")
    finally:
        server.shutdown()
        server.server_close()
    assert events(crawl.lines).bad_links == {COLON_USER: 1}, crawl.lines
    assert [row.split("\t")[1] for row in crawl.rows] == ["http://example.org/fine\n"]


# -- RV7-rel-b F4: a desktop's soft limit, with a higher hard one, is raised ------------------


def test_a_soft_limit_below_the_need_under_a_high_hard_one_is_raised_and_nothing_lowered(
        impl: str, site: DemoSite, tmp_path: Path) -> None:
    """Soft 64, hard as this machine's: ``--concurrency 100`` needs more than 64 descriptors,
    which the crawl takes by raising its soft limit: no note, every page crawled. (Soft and hard
    both 64: ``test_a_concurrency_the_descriptor_limit_cannot_hold_is_lowered_...``.)"""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1024:
        pytest.skip(f"a hard limit of {hard} descriptors here")

    def soft_64() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))

    urls = site.page_urls()
    out = tmp_path / "out.tsv"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", lesson(impl).__name__, *urls, "-o", str(out),
         "--concurrency", "100"],
        capture_output=True, text=True, timeout=100, check=False, cwd=ROOT, env=env(),
        preexec_fn=soft_64)
    assert done.returncode == 0, done.stderr
    assert "note:" not in done.stderr and "lowered" not in done.stderr, done.stderr
    assert re.fullmatch(rf"pages {len(urls)}, links \d+, errors 0, elapsed .*",
                        done.stderr.strip().splitlines()[-1]), done.stderr


# -- RV7-rel-a F1: count's Ctrl-C inside its event loop, not in its synchronous part ----------


@pytest.mark.parametrize("flood", [None, 0.01], ids=["once", "held down"])
def test_ctrl_c_inside_counts_event_loop_is_a_quiet_130(impl: str, flood: float | None) -> None:
    """count prints "One Sync" first, from three blocking seconds before ``asyncio.run`` or
    ``trio.run``, so a signal sent after its first line lands there
    (``test_ctrl_c_stops_every_lesson_cleanly``). Sent after "One Async", it lands in the run:
    asyncio.run's handler, or Trio's delivery, ends it with 130, quietly, once or held down."""
    module = f"{PACKAGES[impl]}.count"
    assert_clean_exit(interrupt(["-m", module], ready=lambda line: "One Async" in line,
                                settle=0.1, flood=flood))


# -- RV7-rel-a F2: a Ctrl-C while crawl() prints its summary ----------------------------------

LATE_PRESS = """
import importlib, signal, sys, threading, os
from walkthrough import cli
from walkthrough.demosite import DemoSite

# Imported before the first press's timer starts: on a loaded machine the import that
# walkthrough crawl does itself took over the 1.5 s, and the press landed in it.
importlib.import_module(("asyncio_ref" if sys.argv[1] == "asyncio" else "trio_port") + ".crawler")


class Stderr:
    def __init__(self, inner):
        self.inner, self.fired = inner, False

    def write(self, text):
        if text.startswith("interrupted:") and not self.fired:
            self.fired = True  # the press lands as crawl() writes its summary
            signal.raise_signal(signal.SIGINT)
        return self.inner.write(text)

    def __getattr__(self, name):
        return getattr(self.inner, name)


with DemoSite(pages=5, slow_seconds=60) as site:
    threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    sys.stderr = Stderr(sys.stderr)
    status = cli.main(["crawl", "--impl", sys.argv[1], site.url("slow.html"),
                       "-o", sys.argv[2]])
sys.stdout.write(f"status {status}\\n")
"""


def test_a_ctrl_c_while_the_interrupted_summary_is_printed_keeps_the_summary(
        impl: str, tmp_path: Path) -> None:
    """RV7-rel-a F2: crawl() decided on 130, then printed its "interrupted:" line with SIGINT
    back at Python's handler: a press there raised KeyboardInterrupt out of the print, and
    walkthrough crawl said a bare "interrupted", the summary lost (a strict xfail until both
    crawlers' crawl() ignored SIGINT before the summary)."""
    script = tmp_path / "late_press.py"
    script.write_text(LATE_PRESS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script), impl, str(tmp_path / "o.tsv")],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=default_sigint)
    assert "status 130" in done.stdout, (done.stdout, done.stderr[-3000:])
    assert re.search(r"(?m)^interrupted: pages \d+, links \d+, errors \d+", done.stderr), (
        done.stderr[-3000:])


# -- RV7-rel-a F3: Trio's main task is not cancelled by Ctrl-C, its children are --------------

MAIN_TASK_CLEANUP = """
import os, signal, sys, threading, trio


async def in_main_task():
    try:
        await trio.sleep(10)
    finally:
        start = trio.current_time()
        await trio.sleep(0.5)
        print(f"main {trio.current_time() - start:.1f}")


async def in_a_child():
    async def child():
        try:
            await trio.sleep(10)
        finally:
            start = trio.current_time()
            try:
                await trio.sleep(0.5)
                print("child 0.5")
            except trio.Cancelled:
                print(f"child cut short {trio.current_time() - start:.1f}")
                raise

    async with trio.open_nursery() as nursery:
        nursery.start_soon(child)
        await trio.sleep(10)


for where in (in_main_task, in_a_child):
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        trio.run(where)
    except BaseException as exc:
        print(where.__name__, type(exc).__name__)
"""


def test_trio_a_ctrl_c_lets_the_main_tasks_cleanup_await_and_cuts_a_childs_short(
        tmp_path: Path) -> None:
    """Ctrl-C raises KeyboardInterrupt in Trio's main task, it cancels no scope of it: the main
    task's ``finally`` awaits its half second to the end, as asyncio's cleanup does after one
    Ctrl-C; a child of the nursery is cancelled, and its ``finally`` cut short at once."""
    script = tmp_path / "main_task_cleanup.py"
    script.write_text(MAIN_TASK_CLEANUP, encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True,
                          text=True, timeout=60, check=False, env=child_env(),
                          preexec_fn=default_sigint)
    assert done.stdout.splitlines() == [
        "main 0.5", "in_main_task KeyboardInterrupt",
        "child cut short 0.0", "in_a_child BaseExceptionGroup"], (done.stdout, done.stderr)


# -- RV7-rel-a F6: asyncio's accept reports, on every Python the page names ----------------------

PYENV = Path("/root/.pyenv/versions")


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_asyncio_reports_a_failed_accept_a_hundred_times_a_retry_on_each_python(
        version: str) -> None:
    """The stdlib script of ``test_asyncio_reports_a_failed_accept_a_hundred_times_a_retry``
    (which runs the project's Python only), under each interpreter of that version found here:
    one batch of about a hundred reports (two, if a loaded CPU let the 1 s retry in)."""
    from tests.test_server_hostile import ASYNCIO_ACCEPT_REPORTS, WAIT

    found = sorted(PYENV.glob(f"{version}.*/bin/python{version}")) if PYENV.is_dir() else []
    if not found:
        if sys.version_info[:2] != tuple(map(int, version.split("."))):
            pytest.skip(f"no Python {version} here")
        found = [Path(sys.executable)]
    proc = subprocess.run([str(found[-1]), "-c", ASYNCIO_ACCEPT_REPORTS], cwd=ROOT,
                          capture_output=True, text=True, timeout=WAIT, check=False)
    assert proc.returncode == 0, proc.stderr
    reports = int(proc.stdout)
    assert 99 <= reports <= 100 or 198 <= reports <= 200, (found[-1], proc.stdout)
