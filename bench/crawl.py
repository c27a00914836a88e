"""Crawler throughput (section 5) and link extraction (section 6).

One site, one server for the whole section (nginx: a master process and one worker; or the
stdlib stand-in, one process). Each run is a fresh client process (``bench.crawlrun``) that
fetches all pages once; its CPU comes from its own ``getrusage``, the server's from ``/proc``
(nginx's master and worker, where the kernel lists a process's children: see
:func:`_proc_cpu`), read before the client process starts and after it ends. Rounds
interleave every row and concurrency, and alternate their order, so a noisy moment on the
shared machine falls on all rows alike; ratios pair the two sides of the same round.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.site import Site, serve_site
from bench.stats import Summary, log, run_worker, summarise

CLIENTS = {
    "crawler-asyncio": "the original: asyncio_ref.crawler (aiohttp on asyncio), as shipped",
    "crawler-trio": "trio_port.crawler (httpx on Trio), as shipped",
    "crawler-trio-httpcore": "trio_port.crawler with httpx's default transport (httpcore pool)",
    "crawler-trio-h11": "trio_port.crawler parsing with h11, as where httptools is not installed",
    "aiohttp": "client layer: aiohttp.ClientSession on asyncio, as many workers as the "
                "concurrency",
    "httpx-default": "client layer: httpx.AsyncClient() on Trio, default settings",
    "httpx-h11": "client layer: httpx.AsyncClient on Trio over TrioH11Transport",
    "httpx-httptools": "client layer: httpx.AsyncClient on Trio over TrioHttptoolsTransport",
    "httpx-crawler-asyncio": "the framework's own cost: one httpx crawler written on AnyIO "
                             "(bench/httpxcrawl.py), run on asyncio",
    "httpx-crawler-trio": "the framework's own cost: the same httpx crawler, run on Trio",
    "crawler-bridge": "the staged migration: the original's aiohttp code under Trio through "
                      "trio-asyncio (examples/migration/crawler_bridge.py)",
    "crawler-asyncio-writer": "the original with a writer task in place of its per-page append "
                              "(bench-only), one worker-thread write a batch as the Trio "
                              "crawler's: both sides improved alike",
}
#: Rows measured at concurrency 50 only (at every one when 50 is not among them): the whole
#: bench is meant to stay under ten minutes (no full run with section 7 is timed yet).
ONLY_AT_50 = frozenset({"crawler-trio-httpcore", "crawler-trio-h11", "httpx-h11",
                        "httpx-crawler-asyncio", "httpx-crawler-trio", "crawler-bridge",
                        "crawler-asyncio-writer"})


@dataclass
class CrawlRow:
    client: str
    concurrency: int
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    pages: int = 0
    errors: int = 0
    links: int = 0

    def rate(self) -> Summary:
        return summarise([self.pages / s for s in self.seconds])

    def cpu_per_page_us(self) -> Summary:
        return summarise([c / self.pages * 1e6 for c in self.cpu]) if self.pages else summarise([])

    def server_share(self) -> Summary:
        return summarise([c / s for c, s in zip(self.server_cpu, self.seconds, strict=True)])


def _proc_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its children (nginx's workers), from /proc.

    The children come from ``/proc/PID/task/PID/children``, which only a kernel built with
    ``CONFIG_PROC_CHILDREN`` has (proc_tid_children(5)); without it this is the master's CPU
    alone, near zero for nginx, with no warning. The stdlib stand-in is one process and
    unaffected.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(_proc_cpu(int(c)) for c in children)


def available_clients() -> list[str]:
    have_trio = importlib.util.find_spec("trio_port.crawler") is not None
    have_aio = importlib.util.find_spec("asyncio_ref.crawler") is not None
    out = []
    for name in CLIENTS:
        if name == "crawler-asyncio" and not have_aio:
            continue
        if name.startswith("crawler-trio") and not have_trio:
            continue
        if name in ("crawler-asyncio-writer", "crawler-bridge") and not have_aio:
            continue
        out.append(name)
    return out


def crawl_rows(site: Site, urlfile: str, concurrencies: tuple[int, ...], reps: int,
               clients: list[str]) -> list[CrawlRow]:
    rows = {(cl, c): CrawlRow(cl, c) for c in concurrencies for cl in clients
            if cl not in ONLY_AT_50 or c == 50 or 50 not in concurrencies}
    for rep in range(reps):
        order = list(rows) if rep % 2 == 0 else list(reversed(rows))
        for key in order:
            row = rows[key]
            before = _proc_cpu(site.pid)
            out = run_worker("bench.crawlrun", row.client, str(row.concurrency), urlfile)
            row.server_cpu.append(_proc_cpu(site.pid) - before)
            row.seconds.append(out["seconds"])
            row.cpu.append(out["cpu"])
            row.pages, row.errors, row.links = out["pages"], out["errors"], out["links"]
        log(f"  crawler round {rep + 1}/{reps} done")
    return list(rows.values())


@dataclass
class Floors:
    h11_us: Summary
    aiohttp_parser_us: Summary
    httpx_client_us: Summary
    raw_trio_us: Summary
    raw_asyncio_us: Summary


def floors(urlfile: str, reps: int, c: int = 50) -> Floors:
    got: dict[str, list[float]] = {k: [] for k in ("h11", "aiop", "httpx", "rt", "ra")}
    for _ in range(reps):
        got["h11"].append(run_worker("bench.worker", "floor-h11-exchange",
                                     json.dumps({"n": 3000}))["result"])
        got["aiop"].append(run_worker("bench.worker", "floor-aiohttp-parser",
                                      json.dumps({"n": 3000}))["result"])
        got["httpx"].append(run_worker("bench.worker", "floor-httpx-client",
                                       json.dumps({"n": 3000}))["result"])
        got["rt"].append(run_worker("bench.worker", "floor-raw-trio",
                                    json.dumps({"urlfile": urlfile, "c": c}))["result"])
        got["ra"].append(run_worker("bench.worker", "floor-raw-asyncio",
                                    json.dumps({"urlfile": urlfile, "c": c}))["result"])
    return Floors(*(summarise(v) for v in got.values()))


#: The crawlers profiled by component (bench/profile.py), one run each.
PROFILED = ("crawler-asyncio", "crawler-trio", "crawler-asyncio-writer")


def crawler_section(pages: int, concurrencies: tuple[int, ...], reps: int
                    ) -> tuple[str, list[CrawlRow], Floors, list[str],
                               dict[str, dict[str, float]] | str]:
    from bench.profile import profile_rows

    clients = available_clients()
    with serve_site(pages) as site, tempfile.TemporaryDirectory(prefix="bench-urls-") as tmp:
        urlfile = str(Path(tmp) / "urls.txt")
        Path(urlfile).write_text("\n".join(site.urls))
        rows = crawl_rows(site, urlfile, concurrencies, reps, clients)
        fl = floors(urlfile, reps)
        log("  profiling the crawlers (py-spy)")
        prof = profile_rows(urlfile, [c for c in PROFILED if c in clients])
        return site.server, rows, fl, clients, prof


# -- section 6 -----------------------------------------------------------------------------

HREF_RE = re.compile(r'href="(http.*?)"')


@dataclass
class LinkCost:
    findall_us: Summary
    full_us: Summary
    links_per_page: float
    bytes_per_page: float


def link_extraction(pages: int, reps: int) -> LinkCost:
    """µs per page: the notebook's regex alone, and with the lesson's urljoin + set."""
    import random

    from bench.site import page_html

    rng = random.Random(3)
    base = "http://127.0.0.1:8080"
    htmls = [page_html(i, pages, base, rng) for i in range(pages)]
    url = base + "/p0.html"
    a: list[float] = []
    b: list[float] = []
    links = 0
    for _ in range(reps):
        t = time.perf_counter()
        for html in htmls:
            HREF_RE.findall(html)
        a.append((time.perf_counter() - t) / len(htmls) * 1e6)
        t = time.perf_counter()
        links = 0
        for html in htmls:
            found = set()
            for link in HREF_RE.findall(html):
                abslink = urllib.parse.urljoin(url, link)
                if urllib.parse.urlsplit(abslink).scheme in ("http", "https"):
                    found.add(abslink)
            links += len(found)
        b.append((time.perf_counter() - t) / len(htmls) * 1e6)
    return LinkCost(summarise(a), summarise(b), links / len(htmls),
                    sum(len(h) for h in htmls) / len(htmls))
