"""Load: crawl a local site of many pages at high concurrency, with both crawlers, and measure.

Usage::

    python scripts/load_crawl.py                      # 10,000 pages, concurrency 100, both
    python scripts/load_crawl.py --pages 300 --impl trio

What it does, per version: serves the demo site (``walkthrough.demosite``) with ``--pages``
generated pages plus its quick fault pages (404, 500, redirect loop, bad charset, body over the
cap, a refused port...) from a thread of this process; runs the crawler as a *child process*
(``python -m asyncio_ref.crawler`` / ``python -m trio_port.crawler``) on that URL list, so that
what we measure is the crawler alone, with a desktop's limit of 1,024 open descriptors;
samples the child's open file descriptors (``/proc/<pid>/fd``) every few milliseconds, and
its peak RSS from the kernel's high-water mark (``VmHWM`` in ``/proc/<pid>/status``). Then
it checks what must hold at any size:

* every page's rows appear exactly once: each page's set of links, no row twice, no page
  missing;
* the error count in the summary line equals the error lines printed: no error swallowed.

It prints one line of figures per version and exits 1 if a check fails. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from walkthrough import demosite
from walkthrough.demosite import FAULTS, DemoSite

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
#: How often the sampler counts the child's file descriptors.
SAMPLE_EVERY = 0.005


@dataclass
class LoadResult:
    impl: str
    pages: int
    concurrency: int
    returncode: int = -1
    seconds: float = 0.0
    rows: int = 0
    peak_fds: int = 0
    #: the most sockets open at once (the connection pool's bound: about the concurrency)
    peak_sockets: int = 0
    peak_fd_kinds: Counter[str] = field(default_factory=Counter)
    peak_rss_mb: float = 0.0
    error_lines: int = 0
    summary_errors: int = -1
    summary: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.peak_fd_kinds.most_common())
        return (f"{self.impl:8} {self.pages:6d} pages  concurrency {self.concurrency}  "
                f"{self.seconds:7.2f} s  {self.pages / self.seconds if self.seconds else 0:6.0f}"
                f" pages/s  {self.rows} rows  peak fds {self.peak_fds} ({kinds}; "
                f"sockets at most {self.peak_sockets})  "
                f"peak RSS {self.peak_rss_mb:.1f} MB  errors {self.summary_errors} summary /"
                f" {self.error_lines} lines  {'ok' if self.ok else 'FAILED'}")


def peak_rss_kib(pid: int) -> int:
    """The child's high-water mark of resident memory so far (``VmHWM``), in KiB; 0 if gone.

    Not ``wait4``'s ``ru_maxrss``: that counts the moments between ``fork`` and ``exec``,
    when the child is still a copy of *this* process; run from pytest, it reported the size
    of pytest (116 MB) instead of the crawler's (69 MB). ``VmHWM`` starts over at ``exec``.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def fd_kinds(pid: int) -> Counter[str]:
    """The child's open file descriptors by kind: socket, pipe, anon_inode, file."""
    kinds: Counter[str] = Counter()
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return kinds
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        kind = target.split(":", 1)[0] if ":" in target and not target.startswith("/") else (
            "file")
        kinds[kind] += 1
    return kinds


#: The crawler runs with this many file descriptors at most: the usual soft limit of a Linux
#: desktop (``ulimit -n``). A crawler that holds a descriptor per page fails here, not in a
#: CI container whose limit is twenty times larger.
NOFILE = 1024


def run_one(impl: str, site: DemoSite, *, concurrency: int, workdir: Path,
            timeout: float = 30.0, nofile: int = NOFILE) -> LoadResult:
    """Crawl every page of ``site`` and its quick faults with one version; check and measure."""
    result = LoadResult(impl, site.pages, concurrency)
    urls = site.page_urls() + [site.url(path) for path in FAULTS] + [site.refused_url]
    url_file = workdir / f"urls-{impl}.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    out = workdir / f"out-{impl}.tsv"
    stdout_path = workdir / f"stdout-{impl}.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(stdout_path, "wb") as stdout:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", f"{PACKAGES[impl]}.crawler", "--urls-file", str(url_file),
             "-o", str(out), "--concurrency", str(concurrency), "--timeout", str(timeout)],
            cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE,
            preexec_fn=lambda: _limit_fds(nofile),
        )
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                kinds = fd_kinds(proc.pid)
                result.peak_sockets = max(result.peak_sockets, kinds["socket"])
                if sum(kinds.values()) > result.peak_fds:
                    result.peak_fds, result.peak_fd_kinds = sum(kinds.values()), kinds
                result.peak_rss_mb = max(result.peak_rss_mb, peak_rss_kib(proc.pid) / 1024)
                time.sleep(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stderr is not None
        stderr = proc.stderr.read().decode("utf-8", "replace")
        # Waited for here, not with proc.wait(): the sampler reads /proc/<pid> until the child
        # is reaped, so its last VmHWM is the peak.
        _, status = os.waitpid(proc.pid, 0)
        result.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
    result.returncode = proc.returncode
    if result.returncode != 0:
        raised = re.findall(r"^[\s|]*(\w+(?:Error|Exception|Group)\b.*)$", stderr, re.M)
        result.problems.append(f"exit status {result.returncode}: "
                               f"{raised[-1] if raised else stderr[-300:]}")

    # No error swallowed: the summary's count is the number of error lines.
    printed = stdout_path.read_text(encoding="utf-8", errors="replace").splitlines()
    result.error_lines = sum(1 for line in printed if line.startswith("Error ["))
    summaries = [line for line in stderr.splitlines() if "pages" in line and "errors" in line]
    counts = re.findall(r"(?:\b(\d+) errors?\b|\berrors:? (\d+)\b)", summaries[-1]) if (
        summaries) else []
    if counts:
        result.summary = summaries[-1]
        result.summary_errors = int(counts[-1][0] or counts[-1][1])
    else:
        result.problems.append("no summary line on stderr")
    if result.summary_errors != result.error_lines:
        result.problems.append(
            f"summary says {result.summary_errors} errors, {result.error_lines} lines printed")
    if result.error_lines == 0:
        result.problems.append("no error at all: the fault pages were not crawled")

    # Every page's rows exactly once.
    text = out.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines[-1] != "":
        result.problems.append("the TSV does not end with a newline")
    rows = [line.split("\t") for line in lines[1:-1]]
    result.rows = len(rows)
    if lines[0] != "source_url\tparsed_url":
        result.problems.append(f"header is {lines[0]!r}")
    bad = [row for row in rows if len(row) != 2]
    if bad:
        result.problems.append(f"{len(bad)} rows without exactly two fields, e.g. {bad[0]!r}")
    pairs = [(row[0], row[1]) for row in rows if len(row) == 2]
    if len(set(pairs)) != len(pairs):
        result.problems.append(f"{len(pairs) - len(set(pairs))} rows written twice")
    written: dict[str, set[str]] = {}
    for source, link in pairs:
        written.setdefault(source, set()).add(link)
    missing = []
    for i in range(site.pages):
        source = site.url(f"page/{i}.html")
        want = {link for link in site.page_links(i) if link.startswith(("http://", "https://"))}
        if written.get(source) != want:
            missing.append(source)
    if missing:
        result.problems.append(f"{len(missing)} pages without exactly their rows, "
                               f"e.g. {missing[0]}")
    return result


def deep_backlog(concurrency: int) -> None:
    """Let the demo site queue ``concurrency`` connections at once.

    ``socketserver``'s listen backlog is 5. A crawler opening 100 connections at once overflows
    it, and the kernel drops the extra SYNs; the client retries after 1 s, then 3 s: the crawl
    then measures TCP's retry timer, not the crawler (measured: 300 pages took 14.7 s, 0.4 s
    with a deep backlog). A real site has a deep backlog; so does the demo site, from here.
    """
    server = demosite._Server
    server.request_queue_size = max(server.request_queue_size, 2 * concurrency, 128)


def _limit_fds(nofile: int) -> None:
    """In the child, before exec: at most ``nofile`` open descriptors (never above the hard
    limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    soft = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--impl", choices=(*PACKAGES, "both"), default="both")
    parser.add_argument("--nofile", type=int, default=NOFILE,
                        help=f"the crawler's limit of open descriptors (default: {NOFILE})")
    args = parser.parse_args(argv)
    impls = list(PACKAGES) if args.impl == "both" else [args.impl]
    failed = False
    deep_backlog(args.concurrency)
    with tempfile.TemporaryDirectory() as tmp, DemoSite(pages=args.pages) as site:
        for impl in impls:
            result = run_one(impl, site, concurrency=args.concurrency, workdir=Path(tmp),
                             nofile=args.nofile)
            print(result.line(), flush=True)
            for problem in result.problems:
                print(f"    {problem}", flush=True)
            failed |= not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
