"""The benchmark code runs, at tiny sizes. Not a timed test: speed goals live in bench/.

Each check would fail if the bench broke: a worker that crashes, a row that loses items, a
crawler run that fetches fewer pages than the site has, a page that misses a section.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bench import crawl, framework, lessons, profile, report
from bench import site as bench_site
from bench.stats import run_worker, summarise

ROOT = Path(__file__).resolve().parent.parent


def test_summary_and_paired_ratio() -> None:
    s = summarise([3.0, 1.0, 2.0])
    assert (s.median, s.low, s.high, s.n) == (2.0, 1.0, 3.0, 3)
    assert s.fmt(".1f") == "2.0 (1.0–3.0)"


@pytest.mark.parametrize("how", ["gather", "taskgroup", "nursery"])
def test_spawn_worker(how: str) -> None:
    out = run_worker("bench.worker", "spawn", json.dumps({"how": how, "n": 200}))
    assert out["result"] > 0
    assert out["rss_peak_mb"] >= out["rss_base_mb"] > 0


@pytest.mark.parametrize(("kind", "params"), [
    ("queue-asyncio", {"maxsize": 0}), ("queue-asyncio", {"maxsize": 10, "batch": 7}),
    ("queue-trio", {"buffer": 0}), ("queue-trio", {"buffer": -1}),
    ("queue-trio", {"buffer": 8, "how": "nowait"}),
    ("queue-trio", {"buffer": 2, "how": "lists", "batch": 7}),
])
def test_queue_workers_deliver_every_item(kind: str, params: dict[str, object]) -> None:
    # The workers assert that consumers got exactly n items; a lost item fails the run.
    for pc in (1, 4):
        out = run_worker("bench.worker", kind, json.dumps({"n": 400, "p": pc, "c": pc, **params}))
        assert out["result"] > 0


def test_rows_cover_the_issue() -> None:
    labels = [r.label for r in framework.queue_rows(10) + framework.batching_rows(10)]
    for needle in ("asyncio.Queue() unbounded", "asyncio.Queue(100)", "trio channel 0,",
                   "trio channel 100,", "trio channel inf", "send_nowait", "lists of 256"):
        assert any(needle in label for label in labels), needle


def test_virtual_clock_section() -> None:
    rows = lessons.virtual_clock(1)
    assert rows[0].runs >= 2 and rows[0].simulated > 0 and rows[0].speed > 0


def test_site_and_crawl_runs_fetch_every_page(tmp_path: Path) -> None:
    clients = ["aiohttp", "httpx-h11", "httpx-httptools", "httpx-crawler-asyncio",
               "httpx-crawler-trio"] + [
        c for c in ("crawler-asyncio", "crawler-trio", "crawler-trio-h11", "crawler-bridge",
                    "crawler-asyncio-writer") if c in crawl.available_clients()]
    with crawl.serve_site(20, prefer_nginx=False) as site:
        urlfile = tmp_path / "urls.txt"
        urlfile.write_text("\n".join(site.urls))
        rows = crawl.crawl_rows(site, str(urlfile), (3,), 1, clients)
    for row in rows:
        assert (row.client, row.pages, row.errors) == (row.client, 20, 0)
        assert row.links > 0


def test_render_writes_every_section() -> None:
    cfg = report.Config.quick()
    res = report.Results(cfg=cfg, machine={"CPU": "test"})
    res.virtual = lessons.virtual_clock(1)
    res.spawn = [framework.Row("asyncio.gather", "asyncio", "spawn", {"n": 10}, [1.0], [1.0])]
    res.links = crawl.link_extraction(5, 1)
    page = report.render(res)
    for heading in ("## The machine", "## 2. The virtual clock", "## 3. Framework costs",
                    "## 6. Link extraction", "## Reproduce"):
        assert heading in page


def test_profile_attributes_each_sample_to_its_innermost_component() -> None:
    from bench import profile

    raw = "\n".join([
        "main (x.py:1);run (trio/_core/_run.py:9);write_rows (trio_port/crawler.py:5);"
        "write (trio/_file_io.py:2) 3",
        "run (trio/_core/_run.py:9);fetch_html (trio_port/crawler.py:7);"
        "send (httpx/_client.py:1);feed (trio_port/_transport_httptools.py:4) 2",
        "run (trio/_core/_run.py:9);parse (trio_port/crawler.py:9);urljoin (urllib/parse.py:3) 4",
        "run (trio/_core/_run.py:9);unrun_task (trio/_core/_run.py:20) 1",
        "<module> (bench/crawlrun.py:3);_find_and_load (<frozen importlib>:1) 50",  # start-up
    ])
    got = profile.attribute(raw)
    assert got == {"TSV writing (threads, files, writer)": 3,
                   "HTTP parsing and connection pool": 2,
                   "the crawler's own work (links, urljoin, print)": 4,
                   "event loop and sockets": 1}


def test_a_partial_run_never_overwrites_the_published_page(
    capsys: pytest.CaptureFixture[str]) -> None:
    """``--only crawler`` wrote a page of one section over docs/benchmarks.md, dropping the
    other four: it refuses that page, as ``--quick`` does (and defaults to build/)."""
    from bench.__main__ import PUBLISHED, main

    before = PUBLISHED.read_bytes()
    with pytest.raises(SystemExit) as exc:
        main(["--only", "links", "--out", str(PUBLISHED)])
    assert exc.value.code == 2
    assert "may not overwrite docs/benchmarks.md" in capsys.readouterr().err
    assert PUBLISHED.read_bytes() == before


def test_the_bench_never_installs_nginx_and_says_how_to(tmp_path: Path) -> None:
    """Issue 26: `bench --quick` once ran `apt-get install nginx-light` as root, unasked. On a
    PATH with no nginx and an apt-get that records its calls, serving the site must not call
    it, and must print the one line that names `python3 tasks.py system`."""
    if Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is installed here: find_nginx finds it, nothing to install")
    fake = tmp_path / "bin"
    fake.mkdir()
    called = tmp_path / "apt-get-was-called"
    for name in ("apt-get", "apt", "sudo"):
        (fake / name).write_text(f"#!/bin/sh\necho \"$0 $*\" >> {called}\n")
        (fake / name).chmod(0o755)
    code = ("from bench.site import serve_site\n"
            "with serve_site(3) as site: print(site.server)\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PATH": str(fake)})
    assert done.returncode == 0, done.stderr
    assert not called.exists(), called.read_text()
    assert "python http.server (fallback: nginx not found)" in done.stdout
    [line] = [x for x in done.stderr.splitlines() if "nginx" in x]
    assert "python3 tasks.py system" in line


def test_tasks_system_says_what_it_installs_before_it_does() -> None:
    """The one step that installs system programs names each one and why, first."""
    done = subprocess.run([sys.executable, str(ROOT / "tasks.py"), "system"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": ""})  # no apt-get: stops before it
    assert done.returncode == 2
    assert done.stdout.startswith("tasks.py system: will install nginx-light: ")
    assert "apt-get not found" in done.stderr


@pytest.mark.timeout(60)
def test_the_stand_in_server_says_nothing_of_a_client_that_hangs_up(tmp_path: Path) -> None:
    """Without nginx the bench serves its site with ``bench.pyserver`` and says so in one
    line. A client that leaves before its page is sent (a reset mid-page) used to add a
    BrokenPipeError or ConnectionResetError traceback per hang-up to that output (five in a
    --quick run, RV17); the next client must still be served."""
    (tmp_path / "big.html").write_bytes(b"x" * 8_000_000)  # more than the socket buffers take
    (tmp_path / "p0.html").write_bytes(b"<p>ok</p>")
    port = bench_site.free_port()
    proc = subprocess.Popen([sys.executable, "-W", "error", "-m", "bench.pyserver", str(port),
                             str(tmp_path)], stderr=subprocess.PIPE)
    try:
        bench_site._wait_listening(port, proc)  # as the bench waits for it
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"GET /big.html HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)  # the page has begun
            # SO_LINGER 0: close() resets the connection, the server's next send fails
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /p0.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := client.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:80]
        assert reply.endswith(b"<p>ok</p>")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert err == b"", err.decode(errors="replace")


def test_the_asyncio_writer_task_writes_each_batch_through_one_worker_thread(
        tmp_path: Path) -> None:
    """The ceiling row ``crawler-asyncio-writer`` improves the original as the Trio crawler is
    improved: its writer, like the Trio twin's ``trio.open_file`` (whose open, write and close
    each run in a worker thread), opens the file, writes each batch and closes it through the
    loop's executor: one thread round trip per batch, not a plain ``os.write`` on the loop
    (RV4-bench F10: it had none)."""
    import asyncio
    import types
    from concurrent.futures import Future, ThreadPoolExecutor
    from typing import Any

    from bench import crawlrun

    submitted: list[str] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            submitted.append(getattr(fn, "func", fn).__name__)
            return super().submit(fn, *args, **kwargs)

    out = tmp_path / "out.tsv"
    out.write_text("head\n")
    mod = types.SimpleNamespace()

    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(Counting(1))
        start, finish = crawlrun._writer_task_for_asyncio(mod)
        await start()
        for rows in ("a\n", "b\n", "c\n"):  # queued before the writer runs: one batch
            await mod.append_rows(out, rows)
        for _ in range(500):
            if out.read_text() != "head\n":
                break
            await asyncio.sleep(0.01)
        assert out.read_text() == "head\na\nb\nc\n"
        for rows in ("d\n", "e\n"):  # the second batch, taken with the end of the crawl
            await mod.append_rows(out, rows)
        await finish()

    asyncio.run(main())
    assert out.read_text() == "head\na\nb\nc\nd\ne\n"
    assert submitted == ["open", "write", "write", "close"]


def test_the_httpcore_note_quotes_this_runs_default_pool_rows() -> None:
    """The note on httpx's default pool quotes figures measured apart, and says by whom and
    when; beside them it quotes this run's own rows of that pool (``httpx-default``) at every
    concurrency, which the table shows (RV4-bench F7: 0.78, 1.30 and 1.29 ms, where the
    prose said 0.7, 2.1 and 2.6 with no source)."""
    cfg = report.Config.full()
    res = report.Results(cfg=cfg, machine={}, server="nginx")
    res.crawl = [crawl.CrawlRow("httpx-default", c, [1.0], [cpu], [0.1], 1000, 0, 1)
                 for c, cpu in zip(cfg.concurrencies, (0.778, 1.304, 1.291), strict=True)]
    page = " ".join(report.render(res).split())
    assert "Measured apart, not by this bench (a review, RV16, 2026-12-06:" in page
    assert ("in this run the same pool with its default limits (`httpx-default`: 100 "
            "connections, 20 kept alive) cost 778, 1304 and 1291 µs of client CPU a page at "
            "10, 50 and 100.") in page
    assert "(some at concurrency 50 only: the bench is meant to stay under ten minutes)" in page


def test_the_crawler_section_names_the_run_that_measured_it() -> None:
    """A section rerun alone keeps the page's machine table, a full run's: the crawler section
    says itself when its run began and the load then (its rows were measured under another
    load than the table's), from the run's own machine figures."""
    cfg = report.Config.full()
    machine = {"date (UTC)": "2026-12-07 07:40", "load average at start (1, 5, 15 min)":
               "1.23, 2.34, 3.45"}
    res = report.Results(cfg=cfg, machine=machine, server="nginx")
    res.crawl = [crawl.CrawlRow("crawler-trio", 50, [1.0], [1.0], [0.1], 1000, 0, 1)]
    page = " ".join(report.render(res).split())
    assert ("Measured 2026-12-07 07:40 UTC, load average 1.23, 2.34, 3.45 (1, 5, 15 min) as "
            "the run began.") in page
    res.machine = {}
    assert "Measured" not in report._crawl(res).split("Rows (some")[0]


def test_the_profile_says_where_the_trio_crawlers_cpu_differs_from_the_originals() -> None:
    """Under the profile table, the shipped Trio crawler's CPU per page against the original's
    and the three components that differ most, from the figures as the table prints them (so
    the reader's subtraction agrees); nothing when either crawler was not profiled."""
    names = [name for name, _ in profile.COMPONENTS] + [profile.OTHER]
    aio = dict.fromkeys(names, 0.0) | {"event loop and sockets": 175.4,
                                       "the crawler's own work (links, urljoin, print)": 497.0,
                                       "TSV writing (threads, files, writer)": 68.0,
                                       "total": 960.2}
    trio = dict.fromkeys(names, 0.0) | {"event loop and sockets": 324.4,
                                        "the crawler's own work (links, urljoin, print)": 364.0,
                                        "TSV writing (threads, files, writer)": 7.0,
                                        "client library (httpx, aiohttp)": 1.0, "total": 895.3}
    res = report.Results(cfg=report.Config.full(), machine={}, server="nginx")
    res.profile = {"crawler-asyncio": aio, "crawler-trio": trio}
    text = " ".join(report._profile(res).split())
    assert ("`crawler-trio`'s CPU per page against `crawler-asyncio`'s, in this profile: "
            "**-65 µs** (the largest differences: event loop and sockets +149; the crawler's "
            "own work -133; TSV writing -61).") in text
    res.profile = {"crawler-asyncio": aio}
    assert "in this profile" not in report._profile(res)


def test_the_httpcore_row_is_quoted_from_the_run() -> None:
    """The note on httpx's default pool says its row sends ``Connection: close`` and quotes
    what that row reached in this run against the original, paired by round."""
    cfg = report.Config.full()
    res = report.Results(cfg=cfg, machine={}, server="nginx")
    res.crawl = [crawl.CrawlRow("crawler-asyncio", 50, [2.0, 2.0], [1.0, 1.0], [0.1, 0.1], 1000),
                 crawl.CrawlRow("crawler-trio-httpcore", 50, [2.5, 2.5], [1.0, 1.0], [0.1, 0.1],
                                1000)]
    page = " ".join(report.render(res).split())
    assert ("so the pool keeps none alive (in this run 0.80× the original's pages/s); the same "
            "pool with its default limits (`httpx-default`) is not in this run.") in page
