"""Section 7: lesson 8's echo server, the Trio twin against the asyncio twin (and uvloop).

Each run starts one server in a process of its own (``bench.echoserve``: the twin's own
``serve``, unchanged) and loads it from a client in another process (``bench.echoclient``: N
connections, one line in flight on each). A round runs every server once at a client count,
back to back, in an order that rotates from round to round; ratios divide the two servers'
lines per second round by round (paired), then take the median. Per run: lines echoed per
second, the server's CPU per line (its CPU-time clock, inside the measured window), its
peak RSS (the kernel's high-water mark ``VmHWM``, read just before the server is ended) and
its RSS when it started listening.

The asyncio twin under uvloop is the anchor people quote for asyncio servers: the same file,
run by ``uvloop.run`` around its ``serve``. Without uvloop the row says how to install it.

In a full run, bench-only rows join the same rounds at the largest count (VARIANTS): each twin
with the cyclic GC's first threshold raised, and each with ``bench.echodeadline``'s handler
(one deadline per connection, moved before each wait, for a timeout opened per wait), to
measure what each costs.
"""

from __future__ import annotations

import datetime
import gc
import importlib.metadata
import importlib.util
import json
import linecache
import os
import platform
import re
import select
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.echoserve import DEADLINE_VARIANTS, GC_THRESHOLD, GC_VARIANTS, IMPLS, raise_fd_limit
from bench.stats import Summary, log, ratios, summarise

#: How to get uvloop, when it is missing.
UVLOOP_INSTALL = ".venv/bin/pip install uvloop  (or: pip install -e '.[bench]')"
#: What each IMPL is, on the page.
LABELS = {"trio": "Trio twin (`trio_port/server.py`)",
          "asyncio": "asyncio twin (`asyncio_ref/server.py`), asyncio's loop",
          "uvloop": "asyncio twin, unchanged, on uvloop",
          "trio-gc": f"Trio twin, GC threshold {GC_THRESHOLD:,} (bench-only)",
          "asyncio-gc": f"asyncio twin, GC threshold {GC_THRESHOLD:,} (bench-only)",
          "trio-deadline": "Trio twin, one deadline per connection, moved (bench-only)",
          "asyncio-deadline": "asyncio twin, one deadline per connection, moved (bench-only)"}
#: The bench-only rows, run at the largest client count when asked (``gc_variants``).
VARIANTS = GC_VARIANTS + DEADLINE_VARIANTS


@dataclass
class EchoRow:
    impl: str
    clients: int
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    start_mb: list[float] = field(default_factory=list)
    client_share: list[float] = field(default_factory=list)

    def rate(self) -> Summary:
        return summarise(self.rates)


@dataclass
class EchoResults:
    rows: list[EchoRow] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    rounds: int = 0
    fd_limit: str = ""
    when: str = ""
    #: {(impl, clients): {component: µs per line}}, or why there is none.
    profile: dict[tuple[str, int], dict[str, float]] | str = ""
    #: The Python the servers ran on, and its cyclic GC's first threshold by default (the
    #: servers are this interpreter, ``sys.executable``; the bench never changes its own).
    python: str = field(default_factory=lambda: (f"{platform.python_implementation()} "
                                                 f"{platform.python_version()}"))
    gc_default: int = field(default_factory=lambda: gc.get_threshold()[0])
    #: What the section ran with, for its "Measured" line: a section rerun alone keeps the
    #: page's machine table, from another run.
    versions: str = ""

    def row(self, impl: str, clients: int) -> EchoRow | None:
        return next((r for r in self.rows if (r.impl, r.clients) == (impl, clients)), None)

    def ratio(self, impl: str, clients: int, against: str = "asyncio") -> Summary | None:
        """impl's lines/s over against's, paired by round."""
        a, b = self.row(impl, clients), self.row(against, clients)
        return ratios(a.rates, b.rates) if a and b and a.rates and b.rates else None

    def cpu_ratio(self, impl: str, clients: int, against: str = "asyncio") -> Summary | None:
        """impl's lines per server CPU second over against's (against's CPU per line over
        impl's), paired by round: what lines/s would be with a whole core each."""
        a, b = self.row(impl, clients), self.row(against, clients)
        return ratios(b.cpu_us, a.cpu_us) if a and b and a.cpu_us and b.cpu_us else None


def versions() -> str:
    """The Python and the libraries the servers ran on, for the section's own line."""
    def one(dist: str) -> str:
        try:
            return f"{dist} {importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            return f"{dist} not installed"
    return ", ".join([f"{platform.python_implementation()} {platform.python_version()}",
                      *(one(d) for d in ("trio", "uvloop"))])


def uvloop_missing() -> str | None:
    if importlib.util.find_spec("uvloop") is None:
        return f"skipped: uvloop is not installed ({UVLOOP_INSTALL})"
    return None


def _status_kb(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


class Server:
    """One twin in its own process, listening on a free port until closed."""

    def __init__(self, impl: str, timeout: float = 30.0) -> None:
        self.stderr = ""
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.echoserve", impl],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            self.close()
            raise RuntimeError(f"{impl} server did not start: {line!r} "
                               f"{self.stderr[-1000:]}")
        self.port = int(line.rsplit(":", 1)[1])
        self.start_kb = _status_kb(self.proc.pid, "VmRSS")

    def peak_kb(self) -> float:
        return _status_kb(self.proc.pid, "VmHWM")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        self.stderr = err or ""


def one_run(impl: str, clients: int, seconds: float) -> dict[str, float]:
    """One server, one client process: the run's figures."""
    server = Server(impl)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.echoclient", str(server.port), str(clients),
             str(seconds), str(server.proc.pid)],
            capture_output=True, text=True, timeout=seconds * 2 + 120, check=False)
        if done.returncode != 0 or server.proc.poll() is not None:
            raise RuntimeError(f"echo run {impl} x{clients} failed: {done.stderr[-1500:]}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        peak = server.peak_kb()
    finally:
        server.close()
    return {"rate": out["lines"] / out["seconds"],
            "cpu_us": out["server_cpu"] / out["lines"] * 1e6 if out["lines"] else 0.0,
            "peak_mb": peak / 1024, "start_mb": server.start_kb / 1024,
            "client_share": out["cpu_share"]}


def measure(client_counts: tuple[int, ...], rounds: int, seconds: float,
            impls: tuple[str, ...] = IMPLS, gc_variants: bool = False) -> EchoResults:
    """Every server at every client count, ``rounds`` times, the order rotating each round;
    with ``gc_variants``, at the largest count the bench-only VARIANTS (a raised GC threshold,
    one deadline per connection) run in the same rounds."""
    soft = raise_fd_limit()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    res = EchoResults(seconds=seconds, rounds=rounds, when=f"{when}, load average {load}",
                      versions=versions(),
                      fd_limit=f"The client and the server raise their soft limit on open "
                               f"descriptors to the hard one ({soft:,} here; 1,000 clients "
                               "need over 1,000, and the usual soft limit is 1,024)")
    missing = uvloop_missing()
    if "uvloop" in impls and missing:
        res.skipped["uvloop"] = missing
        impls = tuple(i for i in impls if i != "uvloop")
    need = max(client_counts) + 64
    if soft < need:
        raise RuntimeError(f"{max(client_counts)} clients need about {need} descriptors; "
                           f"the hard limit (ulimit -Hn) is {soft}")
    for clients in client_counts:
        these = impls + VARIANTS if gc_variants and clients == max(client_counts) else impls
        rows = {impl: EchoRow(impl, clients) for impl in these}
        res.rows += rows.values()
        for r in range(rounds):
            order = these[r % len(these):] + these[:r % len(these)]
            for impl in order:
                got = one_run(impl, clients, seconds)
                row = rows[impl]
                row.rates.append(got["rate"])
                row.cpu_us.append(got["cpu_us"])
                row.peak_mb.append(got["peak_mb"])
                row.start_mb.append(got["start_mb"])
                row.client_share.append(got["client_share"])
                log(f"   echo {impl} x{clients} round {r + 1}: {got['rate']:,.0f} lines/s, "
                    f"{got['cpu_us']:.1f} µs/line, peak {got['peak_mb']:.1f} MB")
    return res


# -- profile ---------------------------------------------------------------------------------

#: (component, substrings of the innermost frame: where the sampled CPU was spent). The first
#: match wins; a sample of Trio's socket helper goes to TRY_FIRST or to the socket calls by the
#: statement it was sampled on (see :func:`component`).
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("socket calls (send, recv: the kernel's loopback TCP)",
     ("(socket.py", "write (asyncio/selector_events.py",
      "_read_ready__data_received (asyncio/selector_events.py")),
    ("timeouts (fail_after / asyncio.timeout: cancel scopes, timers)",
     ("(trio/_timeouts.py", "CancelScope", "CancelStatus", "Deadlines",
      "(asyncio/timeouts.py", "TimerHandle", "call_at (asyncio/base_events.py")),
    ("stream layer (SocketStream, StreamReader / StreamWriter)",
     ("(trio/_highlevel_socket.py", "(trio/_socket.py", "(asyncio/streams.py",
      "(asyncio/selector_events.py", "(asyncio/transports.py")),
    ("event loop (scheduler, epoll, wake-ups)",
     ("(trio/", "(asyncio/", "(selectors.py", "(outcome/", "(sniffio/", "attrs generated")),
    ("the lesson's own code (handle, readline)",
     ("(trio_port/server.py", "(asyncio_ref/server.py")),
)
#: Trio's socket methods try the call first and wait for readiness only if it raised
#: BlockingIOError: the samples in that helper outside the call itself. Most are its
#: ``async with _try_sync()``, which every send and recv runs through; a failed first try is
#: rare at 1,000 clients, where a handler's next line is usually there when it asks (RV15;
#: counted again by RV60 over one client run, connecting included: 1,108 of 22,001 first recvs
#: failed at 1,000 clients, 5%, a little over one per connection, against 2,506 of 28,920 at
#: 50 clients, 9%, 50 per connection).
TRY_FIRST = ("Trio's try-first helper: `async with _try_sync()` around every send and recv, "
             "and a failed first try")
OTHER = "other"
NAMES = (COMPONENTS[0][0], TRY_FIRST, *(name for name, _ in COMPONENTS[1:]), OTHER)
RATE = 500  # samples a second
_FRAME = re.compile(r"^(?P<func>\S+) \((?P<file>[^()]+\.py):(?P<line>\d+)\)$")


def _statement(file: str, line: int) -> str:
    """The source line py-spy names as ``pkg/module.py:LINE``, from the installed package."""
    spec = importlib.util.find_spec(file.split("/", 1)[0])
    if spec is None or not spec.submodule_search_locations:
        return ""
    path = Path(next(iter(spec.submodule_search_locations))).parent / file
    return linecache.getline(str(path), line)


def component(frame: str) -> str:
    """The component one innermost frame (``func (file.py:LINE)``) is charged to."""
    match = _FRAME.match(frame)
    if match and match["func"].endswith("_nonblocking_helper") and match["file"].startswith(
            "trio/"):
        # `return fn(self._sock, ...)`: the system call. Any other line of the helper is the
        # try-first path around it: its `async with _try_sync()` (every call), and on a
        # BlockingIOError, the exception caught and unwound and the wait for readiness.
        if _statement(match["file"], int(match["line"])).strip().startswith("return fn("):
            return COMPONENTS[0][0]
        return TRY_FIRST
    return next((n for n, marks in COMPONENTS if any(m in frame for m in marks)), OTHER)


def attribute(raw: str) -> Counter[str]:
    """Samples per component, by the innermost frame of each (py-spy ``--format raw``).

    A ``@contextmanager``'s machinery (``contextlib.py``) is charged to whoever wrote the
    ``with``: in the lesson's handler that is ``trio.fail_after`` (a timeout); inside Trio's
    streams, their error translation (the stream layer). Any ``contextlib.py`` frame in the
    handlers goes to timeouts, so the asyncio twin's ``contextlib.suppress`` around its
    ``setsockopt`` (once per connection, not per line) is charged there too."""
    out: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        inner = len(frames) - 1
        while inner > 0 and "(contextlib.py:" in frames[inner]:
            inner -= 1
        name = component(frames[inner])
        if inner < len(frames) - 1 and name == COMPONENTS[-1][0]:  # `with trio.fail_after`
            name = COMPONENTS[1][0]
        out[name] += int(count)
    return out


def profile_one(impl: str, clients: int, seconds: float, spy: str) -> dict[str, float]:
    """µs of server CPU per line, by component, from one run sampled by py-spy.

    py-spy samples the server for ``seconds`` from when it starts, pausing it for each sample
    (no ``--nonblocking``); the client connects, warms up and measures in that time and after
    it, so the samples take in the connecting and the warm-up and end before the measured
    window does (at 1,000 clients and 2 s, the client ran 3.3 s after py-spy started). The
    shares are the sampled time's, scaled to the CPU per line of the client's measured window.
    """
    server = Server(impl)
    with tempfile.TemporaryDirectory(prefix="bench-echo-spy-") as tmp:
        raw = Path(tmp) / "raw.txt"
        try:
            spied = subprocess.Popen(
                [spy, "record", "--rate", str(RATE), "--format", "raw", "--output", str(raw),
                 "--duration", str(max(1, round(seconds))), "--pid", str(server.proc.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            done = subprocess.run(
                [sys.executable, "-m", "bench.echoclient", str(server.port), str(clients),
                 str(seconds), str(server.proc.pid)],
                capture_output=True, text=True, timeout=seconds * 2 + 120, check=False)
            _, err = spied.communicate(timeout=seconds + 60)
        finally:
            server.close()
        if done.returncode != 0:
            raise RuntimeError(f"echo client failed under the profile: {done.stderr[-500:]}")
        if spied.returncode != 0 or not raw.exists():
            raise RuntimeError(f"py-spy failed: {err.strip()[-300:]}")
        samples = attribute(raw.read_text())
    out = json.loads(done.stdout.strip().splitlines()[-1])
    per_line = out["server_cpu"] / out["lines"] * 1e6
    total = sum(samples.values()) or 1
    row = {name: per_line * samples[name] / total for name in NAMES}
    row["total"] = per_line
    return row


def profile(client_counts: tuple[int, ...], seconds: float
            ) -> dict[tuple[str, int], dict[str, float]] | str:
    """{(impl, clients): {component: µs/line}} for the two twins on their own loops, or why
    there is no profile."""
    from bench.profile import available

    spy = available()
    if spy is None:
        return "py-spy is not installed (`pip install py-spy`): no profile this run"
    try:
        return {(impl, c): profile_one(impl, c, seconds, spy)
                for c in client_counts for impl in ("trio", "asyncio")}
    except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
        return f"no profile this run: {exc}"


def section(client_counts: tuple[int, ...], rounds: int, seconds: float,
            profiled: bool, gc_variants: bool = False) -> EchoResults:
    """The measured rows, then (if ``profiled``) both twins under py-spy at each count."""
    res = measure(client_counts, rounds, seconds, gc_variants=gc_variants)
    if profiled:
        log("   echo: profiling both twins")
        res.profile = profile(client_counts, seconds)
    return res
