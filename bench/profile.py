"""Where a crawler's CPU goes, per page and by component, from a py-spy profile.

``profile_rows(urlfile, clients)`` runs each client once (``bench.crawlrun``, concurrency 50)
under ``py-spy record`` (a sampling profiler outside the process: no tracing inside it, though
it pauses the process for each sample, ``--nonblocking`` not being used, so a profiled run is
slower), sampling the thread that holds the GIL, and attributes every sample to one component
by the innermost frame that names one:
the HTTP parser and transport, the client library's own Python, the writing of the TSV
(through worker threads, or the writer task), the event loop, the crawler's own per-page work
(regex, ``urljoin``, printing), or other. A component's µs/page is its share of the samples
times the run's own CPU per page (``getrusage``): so the system calls, and the threads' GIL
hand-offs, are spread over the components in proportion. Only samples whose stack names one of
``IN_RUN``'s files count, meant as those inside the crawl (under ``trio.run``/``asyncio.run``,
or in a worker thread). The files are matched, not the functions, so a sample taken while one
of those modules is being imported counts too (its ``<module>`` frame names the file): of the
344 samples of ``import trio, asyncio, httpx, aiohttp, anyio, trio_asyncio``, 70 count, most
of them as the event loop. Other start-up does not count.

py-spy comes with the project's ``bench`` extra (``tasks.py`` installs it); without it the section
says so and skips.
It needs the right to read another process's memory (ptrace); where it has none it fails and
the section says that too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

#: (component, substrings of a frame that put a sample in it), the innermost match wins.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TSV writing (threads, files, writer)",
     ("(trio/_file_io", "(trio/_threads", "(aiofiles/", "(concurrent/futures", "(threading.py",
      "(asyncio/threads", "append_rows (", "write_rows (", "writer (")),
    ("HTTP parsing and connection pool",
     ("(trio_port/_transport", "(h11/", "(httptools/", "(httpcore/", "(aiohttp/http_parser",
      "(aiohttp/_http_parser", "(aiohttp/connector", "(aiohttp/client_proto")),
    ("client library (httpx, aiohttp)", ("(httpx/", "(aiohttp/", "(multidict/", "(yarl/",
                                         "(http/cookiejar", "(trio_port/_decode")),
    ("the crawler's fetch code (fetch_html, read_capped)", ("fetch_html (", "read_capped (")),
    ("the crawler's own work (links, urljoin, print)",
     ("(urllib/parse", "(re/", "crawler.py:", "crawler_bridge.py:", "(bench/httpxcrawl.py",
      "Tally.")),
    ("event loop and sockets",
     ("(trio/", "(asyncio/", "(selectors.py", "(anyio/", "(trio_asyncio/", "(socket.py",
      "(ssl.py")),
)
OTHER = "other"
#: Samples a second.
RATE = 500
#: A sample counts only if its stack has one of these: meant as taken inside the crawl, but a
#: sample taken while one of these modules is imported matches too (see the module docstring).
IN_RUN = ("trio/_core/_run.py", "asyncio/runners.py", "asyncio/base_events.py", "threading.py",
          "anyio/_core/_eventloop.py")


def available() -> str | None:
    """The py-spy executable, or None."""
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def attribute(raw: str) -> Counter[str]:
    """Samples per component, from py-spy's ``--format raw`` (``frame;frame;... count``)."""
    out: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or not any(m in stack for m in IN_RUN):
            continue
        frames = stack.split(";")
        component = OTHER
        for frame in reversed(frames):
            found = next((name for name, marks in COMPONENTS if any(m in frame for m in marks)),
                         None)
            if found is not None:
                component = found
                break
        out[component] += int(count)
    return out


def profile_one(client: str, urlfile: str, c: int = 50) -> dict[str, float]:
    """µs of CPU per page, by component, for one profiled run of ``client``."""
    spy = available()
    assert spy is not None
    with tempfile.TemporaryDirectory(prefix="bench-spy-") as tmp:
        raw = Path(tmp) / "raw.txt"
        done = subprocess.run(
            [spy, "record", "--gil", "--rate", str(RATE), "--format", "raw", "--output",
             str(raw), "--", sys.executable, "-m", "bench.crawlrun", client, str(c), urlfile],
            capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not raw.exists():
            raise RuntimeError(f"py-spy failed: {done.stderr.strip()[-300:]}")
        # py-spy prints its own lines on the same stdout: the run's result is the JSON one.
        result = json.loads(next(line for line in done.stdout.splitlines()
                                 if line.startswith("{")))
        samples = attribute(raw.read_text())
    pages, cpu = result["pages"], result["cpu"]
    # Samples come only from the thread holding the GIL (--gil): time running Python, by
    # component. Measured in wall time (a thread holding the GIL while the machine runs
    # something else still counts), so they are shares, scaled to the run's own CPU.
    total = sum(samples.values()) or 1
    names = [name for name, _ in COMPONENTS] + [OTHER]
    row = {name: cpu * samples[name] / total / pages * 1e6 for name in names}
    row["total"] = cpu / pages * 1e6
    return row


def profile_rows(urlfile: str, clients: list[str]) -> dict[str, dict[str, float]] | str:
    """{client: {component: µs/page}}, or why there is no profile."""
    if available() is None:
        return "py-spy is not installed (`pip install py-spy`): no profile this run"
    try:
        return {client: profile_one(client, urlfile) for client in clients}
    except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError,
            StopIteration) as exc:
        return f"no profile this run: {exc}"
