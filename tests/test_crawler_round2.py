"""The crawler against issue 23's second round of attacks, both twins, real local servers.

Each case is a crawl of ``walkthrough.demosite`` or ``tests/hostile_server.py`` on 127.0.0.1,
in process (``-W error``) or as a child process where a process-wide limit is the fault (open
files) or a signal is sent. docs/reliability.md gives the figures and names these tests.
"""

from __future__ import annotations

import errno
import os
import re
import resource
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_broken
from tests.hostile_server import HostileServer, many_links
from tests.signals import assert_clean_exit, interrupt
from tests.test_crawler import assert_whole_rows, events, run_crawl
from walkthrough import catalogue
from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent


def lesson(impl: str) -> ModuleType:
    return catalogue.get("crawler").load(impl)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1",
            "PYTHONWARNINGS": "error"}


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=300) as s:
        yield s


# -- 7: out of descriptors -------------------------------------------------------------------

NOFILE = 64  # open files allowed: a desktop's 1,024 at concurrency 550, scaled down


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


@pytest.mark.timeout(120)
def test_a_concurrency_the_descriptor_limit_cannot_hold_is_lowered_and_every_page_crawled(
    impl: str, site: DemoSite, tmp_path: Path,
) -> None:
    """``ulimit -n 64`` and ``--concurrency 100``: each URL in flight holds a socket (and, in
    the asyncio twin, the TSV while it appends), so 100 cannot fit. The asyncio crawler used to
    die with an uncaught "Too many open files" (exit 1, no summary, no row); the Trio one lost
    half the URLs as connection errors. Now the crawl runs fewer at once, says so, and crawls
    every page."""
    urls = site.page_urls()
    listed = tmp_path / "urls.txt"
    listed.write_text("\n".join(urls) + "\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", lesson(impl).__name__, "--urls-file", str(listed),
         "-o", str(out), "--concurrency", "100"],
        capture_output=True, text=True, timeout=100, check=False, cwd=ROOT, env=env(),
        preexec_fn=_limit_open_files)
    assert done.returncode == 0, done.stderr
    err = done.stderr.strip().splitlines()
    per_url = lesson(impl).FDS_PER_URL
    fitted = re.fullmatch(r"note: --concurrency 100 lowered to (\d+): at most 64 open files "
                          r"\(ulimit -n\)", err[0])
    assert fitted, err
    assert 1 <= int(fitted[1]) <= (NOFILE - lesson(impl).FDS_SPARE) // per_url
    assert re.fullmatch(rf"pages {len(urls)}, links \d+, errors 0, elapsed .*", err[-1]), err
    by_url = events(done.stdout.splitlines()).by_url
    assert all(by_url[u][-1] == "wrote" for u in urls)
    tsv = out.read_text(encoding="utf-8")
    assert_whole_rows(tsv)
    assert {row.split("\t")[0] for row in tsv.splitlines()[1:]} == set(urls)


def test_a_concurrency_that_fits_is_kept(impl: str) -> None:
    assert lesson(impl).fit_concurrency(3) == 3


def test_the_tsv_that_cannot_be_opened_mid_crawl_is_exit_74_with_a_summary(
    impl: str, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Should descriptors still run out (idle kept-alive sockets to many hosts are not counted
    by the connection limit), opening the TSV fails: one line, the summary, exit 74, never a
    traceback. (The asyncio twin opens it for each page, the Trio twin once.)"""
    mod = lesson(impl)

    def no_descriptor(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    if impl == "asyncio":
        monkeypatch.setattr(mod, "open", no_descriptor, raising=False)  # in the executor
    else:
        monkeypatch.setattr(mod.trio, "open_file", no_descriptor)
    out = tmp_path / "out.tsv"
    mod.write_header(out)
    assert mod.crawl(site.page_urls()[:5], out, concurrency=2, url_timeout=5) == 74
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"error: cannot open {out}: Too many open files; {out} holds "
                              f"complete rows only (pages "), err
    assert out.read_text(encoding="utf-8") == mod.HEADER


# -- 13: a page written while Ctrl-C winds the crawl down -------------------------------------


def test_a_page_written_during_the_interrupt_is_in_the_summary(
    impl: str, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C (here: the cancellation it causes) lands while a page's rows are being appended.
    The asyncio twin sees its append through (the rows go in whole) but used to skip the count
    and the "Wrote results" line: the summary said "pages 0, links 0" over a TSV that held the
    page. Whatever each twin does with that page, the summary and the lines match the file."""
    import asyncio

    import trio

    mod = lesson(impl)
    original = mod.append_rows
    started: list[asyncio.Event | trio.Event] = []  # made inside the run, by its framework

    async def slow_append(*args: object) -> None:
        started[0].set()
        if impl == "asyncio":
            await asyncio.sleep(0.3)
        else:
            await trio.sleep(0.3)
        await original(*args)

    monkeypatch.setattr(mod, "append_rows", slow_append)
    out = tmp_path / "out.tsv"
    mod.write_header(out)
    stats = mod.Stats()
    urls = site.page_urls()[:3]
    crawl = mod.bulk_crawl_and_write(out, urls, concurrency=1, url_timeout=5, stats=stats)

    async def asyncio_main() -> None:
        started.append(asyncio.Event())
        task = asyncio.ensure_future(crawl)
        await started[0].wait()
        task.cancel()  # what the twin's Ctrl-C handler does
        with pytest.raises(asyncio.CancelledError):
            await task

    async def trio_main() -> None:
        started.append(trio.Event())
        with trio.CancelScope() as scope:
            async with trio.open_nursery() as nursery:
                async def cancel_when_started() -> None:
                    await started[0].wait()
                    scope.cancel()  # what the twin's Ctrl-C handler does
                nursery.start_soon(cancel_when_started)
                await crawl

    if impl == "asyncio":
        asyncio.run(asyncio_main())
    else:
        trio.run(trio_main)
    printed = capsys.readouterr().out.splitlines()
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    written = {row.split("\t")[0] for row in rows}
    assert stats.links == len(rows)
    assert stats.pages == len(written)
    assert [line for line in printed if line.startswith("Wrote results")] == [
        f"Wrote results for source URL: {url}" for url in urls if url in written]
    if impl == "asyncio":  # its append is shielded: the page went in, and now it is counted
        assert written == {urls[0]}


# -- 14: a URL file that starts with a byte-order mark ----------------------------------------


def test_a_url_file_with_a_utf8_byte_order_mark_is_read(
    impl: str, site: DemoSite, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Notepad writes UTF-8 with a BOM first: both twins used to refuse the first URL as
    "not an http(s) URL: '\\ufeffhttp://...'" (exit 2). A BOM anywhere else is still refused."""
    urls = site.page_urls()[:2]
    listed = tmp_path / "urls.txt"
    listed.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(urls).encode() + b"\r\n")
    mod = lesson(impl)
    assert mod.read_urls(str(listed)) == urls
    out = tmp_path / "out.tsv"
    assert mod.main(["--urls-file", str(listed), "-o", str(out), "--timeout", "5"]) == 0
    assert capsys.readouterr().err.startswith("pages 2, ")
    assert {row.split("\t")[0] for row in out.read_text(encoding="utf-8").splitlines()[1:]} == (
        set(urls))
    listed.write_text(f"{urls[0]}\n\ufeff{urls[1]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an http"):
        mod.read_urls(str(listed))


# -- 10 and 15: statuses, and the smaller divergences ----------------------------------------
# (status 600 and 999, 101, an empty Location, charset='iso-8859-1', an endless 100 Continue
# and a huge Content-Length with a slow body are cases of the hostile matrix in
# tests/test_crawler.py, where both twins must print the same events)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as s:
        yield s


@pytest.mark.parametrize("status", ["000", "099"])
def test_a_status_below_100_is_no_response(impl: str, status: str, hostile: HostileServer,
                                           tmp_path: Path) -> None:
    """HTTP's statuses are 100 to 999 (RFC 9110, 15). The asyncio twin took 000 and 099 for a
    page, the Trio transport for a 1xx (it waited for another head until the URL's timeout):
    both now report them as a response they cannot use, a connection error, at once."""
    url = hostile.url(f"/status/{status}")
    crawl = run_crawl(impl, [url], tmp_path / "out.tsv")
    assert events(crawl.lines).by_url[url] == ["error connection"]


@pytest.mark.parametrize("userinfo", ["a%3Ab:pw@", "a%3Ab@", "a%3ab:pw@"])
def test_a_colon_in_the_user_name_is_refused_by_both(impl: str, userinfo: str) -> None:
    """``http://a%3Ab:pw@host/``: Basic auth cannot send a ':' in a user name (RFC 7617, 2).
    aiohttp refused it as an error of kind "other"; httpx sent "a:b:pw", which the server reads
    as the user "a". Both now refuse the URL: on the command line (exit 2), and as a link (an
    "Error parsing URL" line)."""
    mod = lesson(impl)
    with pytest.raises(ValueError, match="user name"):
        mod.check_url(f"http://{userinfo}127.0.0.1:8/")
    assert mod.check_url("http://us%40er:p%3Aw@127.0.0.1:8/")  # a ':' in the password is fine


# -- 11 and 15: as many tasks as the concurrency, URLs read as the crawl goes, in order -------


def _tasks_now(impl: str) -> int:
    if impl == "asyncio":
        import asyncio

        return len(asyncio.all_tasks())
    import trio

    def count(task: trio.lowlevel.Task) -> int:
        return 1 + sum(count(child) for nursery in task.child_nurseries
                       for child in nursery.child_tasks)

    return count(trio.lowlevel.current_root_task())


def test_tasks_stay_bounded_by_the_concurrency_not_the_url_count(
    impl: str, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 URLs at concurrency 4: there used to be a task per URL, all created at once (with
    their coroutines, 1.7 KB a URL in asyncio, 3.7 KB in Trio). Now 4 workers take the URLs
    one after another, from an iterator the crawl advances as it goes."""
    # The main task, 4 workers and what each runs besides (asyncio: a shielded append; Trio:
    # the writer task, the run's system tasks): a few per worker, nothing per URL.
    assert _most_tasks(lesson(impl), impl, site, tmp_path, monkeypatch) <= 3 * 4 + 4


def _most_tasks(mod: ModuleType, impl: str, site: DemoSite, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> int:
    original = mod.write_one
    seen: list[int] = []
    pulled: list[str] = []

    async def counting(*args: object, **kwargs: object) -> None:
        seen.append(_tasks_now(impl))
        await original(*args, **kwargs)

    def lazily(urls: list[str]) -> Iterator[str]:
        for url in urls:
            pulled.append(url)
            yield url

    monkeypatch.setattr(mod, "write_one", counting)
    urls = site.page_urls()[:300]
    crawl = mod.bulk_crawl_and_write(tmp_path / "out.tsv", lazily(urls), concurrency=4,
                                     url_timeout=5)
    if impl == "asyncio":
        import asyncio

        stats = asyncio.run(crawl)
    else:
        import trio

        stats = trio.run(lambda: crawl)
    assert stats.urls == len(pulled) == 300
    return max(seen)


def test_one_url_at_a_time_goes_in_input_order(impl: str, tmp_path: Path) -> None:
    """At --concurrency 1 the Trio crawler fetched in reverse order, 9 runs in 10: its tasks
    raced for the limiter in the scheduler's order. Now both fetch the URLs as listed."""
    with HostileServer() as server:
        urls = [server.url("/page") for _ in range(12)]
        run_crawl(impl, urls, tmp_path / "out.tsv", concurrency=1)
        assert [target for target, _ in server.requests] == [
            url.removeprefix(server.base) for url in urls]


PEAK_RSS = ROOT / "tests" / "peak_rss.py"


def _peak_rss_kb(impl: str, urls: int, tmp_path: Path) -> int:
    listed = tmp_path / f"urls-{urls}.txt"
    with socket.socket() as s:  # a port where nothing listens: every URL refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    listed.write_text("".join(f"http://127.0.0.1:{port}/{i}\n" for i in range(urls)),
                      encoding="utf-8")
    report = tmp_path / f"rss-{urls}.txt"
    done = subprocess.run(
        [sys.executable, str(PEAK_RSS), str(report), lesson(impl).__name__,
         "--urls-file", str(listed), "-o", str(tmp_path / "out.tsv"), "--concurrency", "20"],
        capture_output=True, text=True, timeout=280, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr  # every URL failed
    assert done.stderr.startswith(f"pages 0, links 0, errors {urls},"), done.stderr
    return int(report.read_text(encoding="ascii"))


@pytest.mark.timeout(600)
def test_peak_memory_grows_with_the_seen_set_only(impl: str, tmp_path: Path) -> None:
    """1,000 and then 9,000 refused URLs: the 8,000 more used to cost 1.7 KB each (asyncio)
    and 3.7 KB (Trio), 14 and 30 MB. Now the one thing that grows is the set of URLs seen,
    about 125 bytes each: under 5 MB in all, 600 bytes a URL, is the bound here."""
    small, large = _peak_rss_kb(impl, 1_000, tmp_path), _peak_rss_kb(impl, 9_000, tmp_path)
    assert large - small < 8_000 * 600 / 1024, (small, large)


def _peak_rss_of_copies(command: list[str], copies: int, tmp_path: Path) -> int:
    """Peak RSS in kB of ``command`` crawling a file of one refused URL, ``copies`` times."""
    listed = tmp_path / f"copies-{copies}.txt"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    listed.write_text(f"http://127.0.0.1:{port}/same\n" * copies, encoding="utf-8")
    report = tmp_path / f"rss-copies-{copies}.txt"
    done = subprocess.run(
        [sys.executable, str(PEAK_RSS), str(report), *command, "--urls-file", str(listed),
         "-o", str(tmp_path / "out.tsv")],
        capture_output=True, text=True, timeout=280, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr  # the one URL failed
    assert done.stderr.startswith("pages 0, links 0, errors 1,"), done.stderr
    return int(report.read_text(encoding="ascii"))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("entry", ["python -m", "walkthrough crawl"])
def test_the_url_file_is_read_as_the_crawl_goes_by_every_entry_point(
    impl: str, entry: str, tmp_path: Path,
) -> None:
    """One URL, 1,000 and then 200,000 times: the seen set holds one, so only a list of the
    file's lines could grow. ``walkthrough crawl`` kept one (18.5 MB more, about 93 bytes a
    line, in both twins), where ``python -m`` read its file a line at a time; both entry points
    now do (0.1 MB more at most, measured). The bound here: 4 MB."""
    command = ([f"{lesson(impl).__name__}"] if entry == "python -m" else
               ["walkthrough", "crawl", "--impl", impl])
    small = _peak_rss_of_copies(command, 1_000, tmp_path)
    large = _peak_rss_of_copies(command, 200_000, tmp_path)
    assert large - small < 4 * 1024, (small, large)


@pytest.mark.timeout(300)
def test_heads_at_the_limits_stay_bounded_in_memory(impl: str, hostile: HostileServer,
                                                   tmp_path: Path) -> None:
    """Item 12: 40 heads at once of 254 Set-Cookie lines, half at MAX_LINE (4 MB a head, the
    most a head can hold before the crawler's check refuses it), half at 64 KiB a line. aiohttp
    checks the whole head only once it has it: with its per-line limit at MAX_HEAD rather than
    MAX_LINE, 16 MB a head, the asyncio twin peaked at 93-207 MB; now 46 MB (Trio 40 MB, its
    transport reads at most MAX_HEAD + 1 KiB of a head). Each URL an error; the bound: 80 MB."""
    mod = lesson(impl)
    listed = tmp_path / "urls.txt"
    listed.write_text("".join(hostile.url(f"/cookies/254/{size}") + "\n" for _ in range(20)
                              for size in (mod.MAX_LINE - 10, mod.MAX_HEAD)), encoding="utf-8")
    report = tmp_path / "rss.txt"
    done = subprocess.run(
        [sys.executable, str(PEAK_RSS), str(report), mod.__name__, "--urls-file", str(listed),
         "-o", str(tmp_path / "out.tsv"), "--concurrency", "40"],
        capture_output=True, text=True, timeout=280, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr  # every URL failed
    assert done.stderr.startswith("pages 0, links 0, errors 40,"), done.stderr
    assert done.stdout.count("Error [connection]") == 40, done.stdout[-2000:]
    assert int(report.read_text(encoding="ascii")) < 80 * 1024


# -- 9: finding a page's links lets the loop run ----------------------------------------------


def test_finding_links_gives_the_loop_back_every_links_per_step_links(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page of 5,000 links: ``parse`` used to find and check them all in one step (0.6 s
    for 2 MiB of links, 15 s for a million, other URLs' deadlines running out and Ctrl-C
    waiting). A task that counts its own turns meanwhile now gets one at least every
    LINKS_PER_STEP links."""
    mod = lesson(impl)
    assert _turns_while_parsing(mod, impl, 5_000, monkeypatch) >= 5_000 // mod.LINKS_PER_STEP - 1


def _turns_while_parsing(mod: ModuleType, impl: str, links: int,
                         monkeypatch: pytest.MonkeyPatch) -> int:
    import asyncio

    import trio

    html = many_links(links).decode()

    async def fetched(*args: object) -> str:  # the page, as if fetched: parse's own work alone
        return html

    monkeypatch.setattr(mod, "fetch_html", fetched)
    turns = 0
    done = False

    async def count_turns(checkpoint: Callable[[], Awaitable[object]]) -> None:
        nonlocal turns
        while not done:
            turns += 1
            await checkpoint()

    async def parse() -> set[str]:
        nonlocal done
        try:
            found: set[str] = await mod.parse("http://127.0.0.1:8/", None, url_timeout=5,
                                              max_bytes=1 << 20, stats=mod.Stats())
            return found
        finally:
            done = True

    async def asyncio_main() -> set[str]:
        counter = asyncio.ensure_future(count_turns(lambda: asyncio.sleep(0)))
        found = await parse()
        await counter
        return found

    async def trio_main() -> set[str]:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(count_turns, trio.lowlevel.checkpoint)
            return await parse()

    found = asyncio.run(asyncio_main()) if impl == "asyncio" else trio.run(trio_main)
    assert len(found) == links
    return turns


@pytest.mark.parametrize("links", [0, 1, 4_999, 5_000, 5_001, 20_000])
def test_a_pages_rows_are_made_in_steps_and_in_link_order(impl: str, links: int) -> None:
    """``page_rows``: the rows a single ``sorted`` and ``join`` made (0.9 s for a million
    links, the loop held), now sorted in runs of ROWS_PER_STEP and merged, the loop given back
    between steps; the same rows, in the same order."""
    import asyncio

    import trio

    mod = lesson(impl)
    found = {f"http://example.org/{i * 7919 % 100_003}" for i in range(links)}
    url = "http://127.0.0.1:8/page"
    turns = 0
    done = False

    async def count_turns(checkpoint: Callable[[], Awaitable[object]]) -> None:
        nonlocal turns
        while not done:
            turns += 1
            await checkpoint()

    async def rows() -> str:
        nonlocal done
        try:
            made: str = await mod.page_rows(url, found)
            return made
        finally:
            done = True

    async def asyncio_main() -> str:
        counter = asyncio.ensure_future(count_turns(lambda: asyncio.sleep(0)))
        made = await rows()
        await counter
        return made

    async def trio_main() -> str:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(count_turns, trio.lowlevel.checkpoint)
            return await rows()

    made = asyncio.run(asyncio_main()) if impl == "asyncio" else trio.run(trio_main)
    assert made == "".join(f"{url}\t{link}\n" for link in sorted(found))
    steps = -(-links // mod.ROWS_PER_STEP)  # the runs, then as many steps of merging
    assert turns >= 2 * steps - 3, turns  # the counter may start after the first step


# -- known-broken ports these tests must catch (tests/broken/) --------------------------------


def test_the_round_two_tests_catch_the_slips(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each slip is what both twins did before issue 23, on the Trio side."""
    assert _most_tasks(load_broken("crawler_task_per_url"), "trio", site, tmp_path,
                       monkeypatch) > 100
    assert _turns_while_parsing(load_broken("crawler_parse_in_one_go"), "trio", 5_000,
                                monkeypatch) <= 2
    keeps_alive = load_broken("crawler_keeps_alive")
    with HostileServer() as server:
        urls = [server.url(p) for _ in range(5) for p in ("/overlong", "/page", "/page")]
        crawl = run_crawl("trio", urls, tmp_path / "out.tsv", module=keeps_alive,
                          concurrency=1)
    assert any("unsolicited" in row for row in crawl.rows)


@pytest.mark.timeout(120)
def test_ctrl_c_stops_a_crawl_parsing_pages_of_many_links_promptly(
    impl: str, hostile: HostileServer, tmp_path: Path,
) -> None:
    """Two pages of 600,000 links each (27 MB, ``--max-bytes`` 32 MiB), the signal a second
    after the first response, while they are parsed. Before, Ctrl-C waited for the parse: 8.3 s
    (asyncio) and 6.7 s (Trio) here without debug mode, more than PROMPT. Now exit 130, quietly,
    within PROMPT (0.06 s measured; docs/reliability.md)."""
    if sys.platform == "win32":
        pytest.skip("SIGINT to a child process is POSIX")
    many_links(600_000)  # built before the crawl asks for it
    urls = [hostile.url("/many-links/600000") for _ in range(2)]
    result = interrupt(
        ["-m", lesson(impl).__name__, *urls, "-o", str(tmp_path / "out.tsv"),
         "--max-bytes", str(32 << 20), "--concurrency", "2", "--timeout", "60"],
        ready=lambda line: line.startswith("Got response"), settle=1.0)
    assert_clean_exit(result)
    assert result.stderr.strip().splitlines()[-1].startswith("interrupted: ")
