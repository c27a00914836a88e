"""The benchmark page: configuration, collected results, and the Markdown written from them.

The tables are generated; the explanations are written here by hand, next to the code that
measures what they explain, and quote the run's own figures wherever they name one. Edit this
file, not ``docs/benchmarks.md``: ``python -m bench`` overwrites the page.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field

from bench.crawl import CLIENTS, CrawlRow, Floors, LinkCost
from bench.echoserve import GC_THRESHOLD
from bench.framework import Row
from bench.lessons import LessonRow, VirtualRow
from bench.server import LABELS, NAMES, EchoResults
from bench.stats import Summary, ratios, summarise


@dataclass(frozen=True)
class Config:
    name: str
    reps: int
    tasks: int
    items: int
    profile_items: int
    pages: int
    concurrencies: tuple[int, ...]
    crawl_reps: int
    lesson_budget: float
    lesson_max_plan: float | None
    virtual_reps: int
    #: Section 7: client counts, rounds, measured seconds per run, and whether the twins are
    #: profiled (py-spy, at each client count).
    echo_clients: tuple[int, ...] = (50, 1000)
    echo_rounds: int = 5
    echo_seconds: float = 2.0
    echo_profile: bool = True
    #: The twins with a raised GC threshold too, at the largest count (bench-only rows).
    echo_gc: bool = True

    @classmethod
    def full(cls) -> Config:
        return cls("full", reps=3, tasks=100_000, items=1_000_000, profile_items=100_000,
                   pages=2000, concurrencies=(10, 50, 100), crawl_reps=3,
                   lesson_budget=150.0, lesson_max_plan=None, virtual_reps=3)

    @classmethod
    def quick(cls) -> Config:
        # The server part stays a few seconds: three servers, 50 clients, one short round.
        return cls("quick", reps=1, tasks=10_000, items=100_000, profile_items=20_000,
                   pages=500, concurrencies=(50,), crawl_reps=1,
                   lesson_budget=10.0, lesson_max_plan=5.0, virtual_reps=1,
                   echo_clients=(50,), echo_rounds=1, echo_seconds=0.5,
                   echo_profile=False, echo_gc=False)


@dataclass
class Results:
    cfg: Config
    machine: dict[str, str]
    lessons: list[LessonRow] = field(default_factory=list)
    lessons_skipped: list[str] = field(default_factory=list)
    virtual: list[VirtualRow] = field(default_factory=list)
    spawn: list[Row] = field(default_factory=list)
    queues: list[Row] = field(default_factory=list)
    batching: list[Row] = field(default_factory=list)
    channel_profile: list[tuple[str, float]] = field(default_factory=list)
    server: str = ""
    crawl: list[CrawlRow] = field(default_factory=list)
    floors: Floors | None = None
    profile: dict[str, dict[str, float]] | str = ""
    links: LinkCost | None = None
    echo: EchoResults | None = None
    elapsed: float = 0.0


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    nginx = "not installed"
    for path in ("/usr/sbin/nginx", "nginx"):
        try:
            done = subprocess.run([path, "-v"], capture_output=True, text=True, check=False)
            nginx = done.stderr.strip().split("/")[-1]
            break
        except OSError:
            continue
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    info = {
        "date (UTC)": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "load average at start (1, 5, 15 min)": load,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "nginx": nginx,
    }
    for dist in ("trio", "httpx", "httpcore", "h11", "anyio", "aiohttp", "aiofiles",
                 "trio-util", "uvloop"):
        info[dist] = _version(dist)
    return info


# -- helpers -------------------------------------------------------------------------------

def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _rate(s: Summary) -> str:
    """Items per second, readable: 1.23M, 456k."""
    def one(x: float) -> str:
        return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k" if x >= 1e4 else f"{x:.0f}"
    if s.n <= 1:
        return one(s.median)
    return f"{one(s.median)} ({one(s.low)}–{one(s.high)})"


def _find(rows: list[Row], label: str) -> Row | None:
    return next((r for r in rows if r.label == label), None)


def _paired_rate_ratio(a: Row, b: Row) -> Summary:
    """(a's items/s) / (b's items/s), paired by round: b's seconds over a's."""
    return ratios(b.seconds, a.seconds)


# -- sections ------------------------------------------------------------------------------

def _machine(r: Results) -> str:
    rows = [[k, v] for k, v in r.machine.items()]
    return ("## The machine\n\n" + _table(["", ""], rows) + "\n"
            "Absolute figures depend on the machine and on whatever else it runs (see the load "
            "average above); that is why every comparison in the tables is measured side by "
            "side in the same run and repeated, the rows interleaved round by round, and shown as "
            "**median (min–max)** over the repeats (section 2's rows are totals over their runs, "
            "each row's runs back to back; the profiles one run each), and why ratios are paired "
            "round by round.\n")


def _lessons(r: Results) -> str:
    if not r.lessons:
        return ""
    rows = []
    for row in sorted(r.lessons, key=lambda x: (x.name, x.impl)):
        ratio = row.ratio()
        verdict = "n/a (no sleeps)" if not row.plan else (
            "yes" if ratio.median <= 1.01 else "**no**")
        rows.append([row.name, row.impl, f"{row.plan:.2f}", row.makespan().fmt(".3f"),
                     ratio.fmt(".4f") if row.plan else "–", verdict,
                     "yes" if row.outcomes_match else "**no**"])
    skipped = (f"\n*Skipped in this run (plan longer than the `--quick` budget):* "
               f"{', '.join(r.lessons_skipped)}.\n" if r.lessons_skipped else "")
    worst = max((x.ratio().median for x in r.lessons if x.plan), default=float("nan"))
    return f"""## 1. Lessons on the real clock, against their critical path

Goal: makespan / critical path ≤ 1.01 for every lesson in both versions. Worst median here:
**{worst:.4f}**.

{_table(["lesson", "framework", "critical path (s)", "real makespan (s)", "ratio",
         "≤ 1.01", "same result as the plan"], rows)}{skipped}
*How.* The critical path is the sum of the sleeps along the longest chain, for the lesson's
seed and the notebook's parameters. It is computed by running the lesson on the virtual clock:
that clock moves only when every task sleeps and only to the next deadline, so the virtual
makespan *is* the longest chain of sleeps (count: 3 s sync + 1 s async, the article's
figures). The real run is the lesson's unchanged code, sleeping for real, in its own process;
all lessons of a round start together after their imports, and rounds repeat within a time
budget. "Same result" checks that the real run returned what the plan did.

*Reading it.* What is above 1.00 is the time the run spends between its sleeps (the
framework's, the lesson's own work, such as its printing and, in the queue lesson, making its
Faker instances, and the capture of each printed line) plus the machine's scheduling latency:
each sleep ends a little after its deadline, and the lateness adds up along a chain.
Lessons that wake often (asyncgen: a 0.2 s pause per item) collect more of it than those that
sleep whole seconds. A lesson without sleeps (generators) has no critical path to compare with.
"""


def _virtual(r: Results) -> str:
    if not r.virtual:
        return ""
    rows = [[v.label, str(v.runs), f"{v.simulated:,.1f}", f"{v.wall * 1000:,.1f}",
             f"{v.speed:,.0f}", f"{v.lines / v.wall:,.0f}" if v.wall else "–"]
            for v in r.virtual]
    suite = r.virtual[0].speed
    worst = min(r.virtual, key=lambda v: v.speed)
    return f"""## 2. The virtual clock

Goal: ≥ 1,000 simulated seconds per wall second. The shared suite's runs: **{suite:,.0f}**;
slowest row: **{worst.speed:,.0f}** ({worst.label}).

{_table(["runs", "count", "simulated s", "wall ms", "simulated s per wall s",
         "printed lines per wall s"], rows)}
The first row is every parameter set the catalogue gives the shared suite, run under both
frameworks exactly as the tests run them. The other rows scale one lesson up (many chains, many
producers, a long generator). A virtual clock costs nothing per simulated second: it costs per
*event* (a task waking, a line printed and captured with its timestamp). So the figure depends
on how much simulated time separates the events. A run of 200 chains packs about 1,000 printed
lines and 400 wake-ups into 20 simulated seconds, and the queue with 100 producers about 500
jobs (two printed lines each) into two minutes: there the simulated-seconds figure can fall near
or under 1,000 while the clock still handles thousands of printed lines per wall second, each
with its wake-ups (last column), which is what bounds a test's wall time. Each run also pays a
fixed setup (new event loop or Trio run, capture, and in the queue lesson one seeded Faker
instance per producer, the largest share: most of a queue run's wall time at 100 producers),
which is why the suite row, many short runs, prints fewer lines per second than the chained and
asyncgen runs, and the queue rows fewest of all. For the suite as it runs, the goal holds.
"""


def _spawn(r: Results) -> str:
    if not r.spawn:
        return ""
    base = r.spawn[0]
    rows = []
    for row in r.spawn:
        rel = _paired_rate_ratio(row, base)
        rows.append([row.label, _rate(row.rate(row.params["n"])), rel.fmt(".2f"),
                     row.mem().fmt(".1f")])
    # TaskGroup's ratio is quoted from this run, not written into the text: whether its
    # guarantees come at gather's price is what the table measures, and a run may say otherwise.
    group = next((row for row in r.spawn if row.label == "asyncio.TaskGroup"), None)
    taskgroup = (f", at {_paired_rate_ratio(group, base).median:.2f}× gather's rate here"
                 if group is not None and group is not base else "")
    return f"""## 3. Framework costs

### Spawning and joining {r.cfg.tasks:,} tasks

{_table(["how", "tasks/s", "× asyncio.gather", "peak memory over baseline (MB)"], rows)}
Each task is an empty coroutine: this is the price of a task, not of its work. A Trio task
costs more than an asyncio one: it is a Python object where asyncio's `Task` is written in C,
and it carries more bookkeeping (it joins the nursery's set of children and the set of tasks
that the nursery's cancel status reaches; both copy the context). What the bookkeeping buys
is not the two guarantees `asyncio.TaskGroup` gives too{taskgroup} (the block
cannot exit while a child runs, and an error in one child cancels its siblings), but cancel
scopes that stay in force: a cancellation or a deadline on any block of code reaches every
task started under it directly, at each of its checkpoints until the block is left (an
`asyncio.timeout` around a `TaskGroup` cancels the task that entered it, once, and the group
passes that on to each child, once: a child that catches it can wait on;
`tests/test_divergences.py::test_a_timeout_reaches_each_child_once_in_asyncio_and_at_every_checkpoint_in_trio`).
A crawler that
starts a task per URL (the bridge of section 5 does) pays microseconds per URL for it, far
below one HTTP request; both twins start one task per slot of their concurrency instead.
"""


def _queues(r: Results) -> str:
    if not r.queues:
        return ""
    rows = []
    for row in r.queues:
        pc = row.params["p"]
        base = _find(r.queues, f"asyncio.Queue() unbounded, {pc}P/{pc}C")
        rel = _paired_rate_ratio(row, base).fmt(".2f") if base else "–"
        rows.append([row.label, _rate(row.rate(row.params["n"])), rel, row.mem().fmt(".1f")])
    return f"""### {r.cfg.items:,} items through a queue or a channel

{_table(["queue or channel, producers/consumers", "items/s", "× asyncio.Queue() unbounded",
         "peak memory over baseline (MB)"], rows)}
Trio checkpoints on every `send` and every `receive`: each is a trip through the scheduler,
where another task may run and cancellation is delivered. `asyncio.Queue.put` on a queue with
room and `get` on a non-empty queue return without yielding at all, so a producer can fill an
unbounded queue in one go. That is the gap in the table, not the data structure: both are a
deque underneath. Capacity 0 is a rendezvous (every item is a handover between two tasks);
`math.inf` matches `asyncio.Queue()`; a bounded buffer adds back-pressure to both.

Memory tells the same story from the other side: an unbounded asyncio.Queue with a producer that
never has to yield holds the whole backlog at once (peak grows with the item count), while a
Trio producer yields at each `send` and the consumer keeps the buffer near empty.
"""


def _batching(r: Results) -> str:
    if not r.batching:
        return ""
    rows = []
    best = 0.0
    for row in r.batching:
        pc = row.params["p"]
        base = _find(r.queues, f"asyncio.Queue() unbounded, {pc}P/{pc}C")
        rel = _paired_rate_ratio(row, base) if base else summarise([])
        if row.impl == "trio" and rel.n:
            best = max(best, rel.median)
        rows.append([row.label, _rate(row.rate(row.params["n"])), rel.fmt(".2f"),
                     row.mem().fmt(".1f")])
    prof = _table(["function (by own time)", "share"],
                  [[f"`{name}`", f"{share:.0%}"] for name, share in r.channel_profile])
    verdict = "met" if best >= 0.8 else "**not met**"
    return f"""## 4. Closing the channel gap

Goal: ≥ 0.8× an unbounded asyncio.Queue (item by item), keeping structured concurrency.
Best Trio technique here: **{best:.2f}×** — goal {verdict}.

{_table(["technique", "items/s", "× asyncio.Queue() unbounded, item by item",
         "peak memory over baseline (MB)"], rows)}
Where an item-by-item channel spends its time ({r.cfg.profile_items:,} items, one producer and
one consumer, cProfile):

{prof}
The profile shows the cost is the scheduler round trip per item, not the channel's buffer. So
the techniques pay it once per *batch*, and both stay inside one nursery, so the producers and
consumers still cannot outlive it and an error still cancels the rest:

- **`send_nowait` / `receive_nowait`.** The producer calls `send_nowait` while the buffer has
  room and falls back to `await send` only when it is full; the consumer awaits one item, then
  drains what is buffered with `receive_nowait` until `WouldBlock`. A bounded buffer (1024 here)
  keeps back-pressure: a fast producer still waits for a slow consumer. Items arrive in the
  same order; the difference is that a task now yields once per buffer-full, not per item, so
  other tasks wait longer between turns (about a buffer's worth of work).
- **Lists.** The producer sends a list of 256 items per `send`. Simplest of all, and the fastest,
  but the consumer sees items in bursts, and a batch must be filled before it is sent (latency).
  asyncio gains from lists too (last rows), so the comparison with item-by-item asyncio is the
  one the migration question asks ("is Trio too slow for my pipeline?"), not a claim that Trio
  beats asyncio at equal batching.
"""


#: (Trio-side row, the row it is paired with): the paired-ratio table, in this order.
PAIRS = (("httpx-crawler-trio", "httpx-crawler-asyncio"), ("crawler-trio", "crawler-asyncio"),
         ("crawler-trio", "crawler-asyncio-writer"), ("crawler-trio-h11", "crawler-asyncio"),
         ("crawler-trio-httpcore", "crawler-asyncio"), ("crawler-bridge", "crawler-asyncio"),
         ("httpx-httptools", "aiohttp"), ("httpx-h11", "aiohttp"), ("httpx-default", "aiohttp"))


def _ratio(by: dict[tuple[str, int], CrawlRow], name: str, against: str, c: int = 50
           ) -> Summary | None:
    a, b = by.get((against, c)), by.get((name, c))
    return ratios(a.seconds, b.seconds) if a and b else None


def _met(x: Summary | None) -> str:
    if x is None:
        return "not measured"
    return f"**{x.median:.2f}×** ({'met' if x.median >= 1.0 else '**not met**'})"


def _writer_note(ceiling: Summary | None) -> str:
    """What the ceiling says of the writer task: the wording follows the ratio, since a claim that
    the writer is "most" of the Trio crawler's gain was false once the original with a writer
    outran the Trio crawler (0.74x)."""
    if ceiling is not None and ceiling.median < 1.0:
        return ("The writer\n  task alone makes the original faster than the Trio crawler: it is "
                "more than the whole of\n  the Trio crawler's gain, and what is left between the "
                "two is httpx against aiohttp,\n  not Trio against asyncio.")
    return ("The writer\n  task is part of the Trio crawler's gain, and it would help the asyncio "
            "original too; the\n  rest of the gap is httpx against aiohttp, not Trio against "
            "asyncio.")


def _profile(r: Results) -> str:
    prof = r.profile
    if isinstance(prof, str):
        return f"### Where the CPU goes\n\n{prof or 'not profiled in this run'}.\n"
    clients = list(prof)
    names = [k for k in next(iter(prof.values())) if k != "total"] if prof else []
    rows = [[name, *(f"{prof[c][name]:.0f}" for c in clients)] for name in names]
    rows.append(["**total (the run's CPU per page)**",
                 *(f"**{prof[c]['total']:.0f}**" for c in clients)])
    diff = _profile_diff(prof)
    return f"""### Where the CPU goes: the floor, from a profile

One run of each crawler at concurrency 50 under py-spy (`bench/profile.py`: a sampling
profiler outside the process, sampling whichever thread holds the GIL), each sample attributed
to the innermost frame that names a component; µs of CPU per page, the component's share of
the samples times the run's own CPU per page (so the columns sum to the total, up to
rounding, and system calls are spread over the components in proportion):

{_table(["component", *[f"`{c}`" for c in clients]], rows)}
{diff}How to read it. *TSV writing* is the Python side of the per-page append: the original opens
the file, writes it (through aiofiles) and closes it (the open and the close in the loop's
executor, shielded) for every page:
three worker-thread round trips;
the Trio crawler's writer task holds the file open and writes a batch per round trip, so the
row nearly vanishes. The append's full price is larger than its row, because the GIL handed
back and forth with each round trip, and the system calls, are spread over every row: compare
the totals of `crawler-asyncio` and `crawler-asyncio-writer`, the same crawler but for the
writer task. *HTTP parsing and connection pool* is llhttp on both sides
now (aiohttp's own binding; httptools under the Trio transport), plus each side's pool.
*Client library* is what httpx's rich `Request`/`Response`/`URL`/`Headers` objects and its
cookie plumbing cost against aiohttp's leaner path (Cython and multidict): no transport removes
it while httpx stays the API. *The crawler's fetch code* is each twin's `fetch_html` and
`read_capped`: the limits on a response head and the bounded decoding in both, and the Trio
twin's own redirect loop: what makes them safe against hostile servers.
*The crawler's own work* (the regex, `urljoin` and `check_url` on every link, three printed
lines) is the same code on both sides; the *event loop and sockets* row is each framework's
scheduler and socket layer, where, with a connection of its own for every request, the
framework's part of making, connecting and closing each one lands too (Trio's
`open_tcp_stream` under the Trio transport, asyncio's `create_connection` under aiohttp's
connector; the connector's own Python is in the pool's row). Samples are attributed by file
and function name, so a cost paid inside C (a `print`, a `str.join`) lands on the Python
function that called it.
"""


def _profile_diff(prof: dict[str, dict[str, float]]) -> str:
    """The shipped Trio crawler's CPU per page against the original's, in this profile, and the
    components that differ most: from the figures as the table prints them, so that the
    reader's subtraction agrees (as section 7's profile does)."""
    trio, aio = prof.get("crawler-trio"), prof.get("crawler-asyncio")
    if not trio or not aio:
        return ""
    t, a = ({k: round(v) for k, v in x.items()} for x in (trio, aio))
    names = [k for k in t if k != "total" and k in a]
    most = sorted(names, key=lambda n: abs(t[n] - a[n]), reverse=True)[:3]
    return ("`crawler-trio`'s CPU per page against `crawler-asyncio`'s, in this profile: "
            f"**{t['total'] - a['total']:+d} µs** (the largest differences: "
            + "; ".join(f"{n.split(' (')[0]} {t[n] - a[n]:+d}" for n in most) + ").\n\n")


def _crawl(r: Results) -> str:
    if not r.crawl:
        return ""
    rows = []
    for row in r.crawl:
        rows.append([row.client, str(row.concurrency), row.rate().fmt(".0f"),
                     row.cpu_per_page_us().fmt(".0f"), row.server_share().fmt(".2f"),
                     str(row.errors), f"{row.links:,}"])
    by = {(x.client, x.concurrency): x for x in r.crawl}
    goal_lines = []
    for c in r.cfg.concurrencies:
        for name, against in PAIRS:
            x = _ratio(by, name, against, c)
            if x is not None:
                goal_lines.append([name, against, str(c), x.fmt(".2f")])
    legend = "\n".join(f"- `{k}`: {v}" for k, v in CLIENTS.items())
    framework = _ratio(by, "httpx-crawler-trio", "httpx-crawler-asyncio")
    shipped = _ratio(by, "crawler-trio", "crawler-asyncio")
    ceiling = _ratio(by, "crawler-trio", "crawler-asyncio-writer")
    bridge = _ratio(by, "crawler-bridge", "crawler-asyncio")
    h11 = _ratio(by, "crawler-trio-h11", "crawler-asyncio")
    writer_note = _writer_note(ceiling)
    summary = f"""### Is Trio slower? The framework's own cost

The same httpx crawler (`bench/httpxcrawl.py`, written once on AnyIO: the same client, the same
per-page work, a writer task on both sides) run on Trio and on asyncio, paired by round, at
concurrency 50: Trio ÷ asyncio = {_met(framework)} pages/s (goal ≥ 1.0). That is the answer to
the question migrators ask: with the HTTP library held fixed, the event loop under it is not
where a port loses speed. Both rows are slow in absolute terms because httpx's default pool
(httpcore) is, on both loops alike (see the note on that pool below); the *ratio* is the framework,
with the network layer that httpcore picks for it (AnyIO's streams on asyncio, httpcore's own
Trio backend on Trio: [AnyIO chapter](migration/anyio.md)). That crawler keeps its
connections alive, where both twins open one for every request: what making a connection costs
each framework is not in this ratio (the profile below shows where it lands in the twins).

### The goals, and what the shipped crawler reaches

- The shipped Trio crawler against the aiohttp original (`crawler-trio | crawler-asyncio | 50`):
  {_met(shipped)} pages/s (goal ≥ 1.0).
- The same httpx crawler, Trio ÷ asyncio: {_met(framework)} (goal ≥ 1.0).
- Both sides improved alike (the original with a writer task too, bench-only):
  {f"{ceiling.median:.2f}×" if ceiling else "not measured"}: the honest ceiling. {writer_note}
- Where httptools is missing (h11 parses): {f"{h11.median:.2f}×" if h11 else "not measured"}.
- The staged migration (aiohttp under Trio through trio-asyncio):
  {f"{bridge.median:.2f}×" if bridge else "not measured"} the original: every fetch crosses
  the bridge (an asyncio task per call, and trio-asyncio's loop runs inside Trio's), a price
  paid until the HTTP code is ported too.
"""
    return f"""## 5. Crawler throughput

Site: {r.cfg.pages:,} generated pages of about 5 KB with about 20 links each, served by
**{r.server}** in its own process on 127.0.0.1. Every run is a fresh client process that fetches
every page once; client CPU is that process's own `getrusage`; server CPU is the server's
(its process and children: nginx's master and worker), from `/proc`, as a share of one core
during the run.{_crawl_when(r)} Rows (some at concurrency 50 only: the bench is meant to stay
under ten minutes):

{legend}

{_table(["client", "concurrency", "pages/s", "client CPU µs/page", "server CPU (cores)",
         "errors", "links found"], rows)}
{summary}
Paired ratios of pages/s (both runs of a pair from the same round, in which every row runs once,
in an order reversed from one round to the next; median (min–max) over the rounds); crawler rows
against the original crawler (and once against the original with a writer task), the httpx
crawler on Trio against the same on asyncio, client-layer rows against aiohttp's client layer:

{_table(["Trio row", "against", "concurrency", "× pages/s"], goal_lines)}
### What changed in the Trio crawler, and why

1. **One writer task owns the TSV** (`write_rows`, in the crawl's nursery). The pages hand it
   their rows through a memory channel of `concurrency` slots; it writes whatever is queued in
   one append. A profile of the previous version showed about half of the Trio crawler's extra
   CPU per page there: three worker-thread round trips per page (open, write, close) through
   `trio.open_file`, and the GIL handed back and forth with each.
2. **A C parser under the transport**: `trio_port/_transport_httptools.py` keeps everything of
   `TrioH11Transport` (the O(1) idle stack per origin, the cap and pool timeout, the stale
   connection retry, the timeouts, HEAD and 1xx, never reusing a connection with bytes beyond
   its response) and hands the parsing to llhttp through httptools; h11 stays the fallback
   (`crawler-trio-h11`).
3. **A lean client through httpx's public API**: `trust_env=False` (as aiohttp), a cookie jar
   that keeps nothing (aiohttp's `DummyCookieJar` on the other side), the `Connection` header
   aiohttp sends (`Connection: close` in both, now that every request has a connection of its
   own), and a body of known length and no encoding read in one call after the cap check,
   without a step of the crawler's per chunk.

Earlier, the O(1) pool itself: httpx's default pool (`crawler-trio-httpcore`) spends a busy
crawl choosing a connection, scanning every connection and waiter on every request and release
(`AsyncConnectionPool._assign_requests_to_connections`, encode/httpx#3215). Measured apart, not
by this bench (a review, RV16, 2026-12-06: 3,000 requests to a local keep-alive server, as many
connections kept alive as the concurrency, as `crawler-trio-httpcore` sets them, three
interleaved rounds), that scan took under cProfile a quarter of the client's time at
concurrency 10, nearly half at 50, more than half at 100, and the client's CPU per request was
about 0.7, 2.1 and 2.6 ms at 10, 50 and 100, where our transport stayed at 0.2 ms. This bench
runs that pool with those limits at concurrency 50 only (`crawler-trio-httpcore`, above), but
with the crawler's `Connection: close`: each connection ends after its response, so the pool
keeps none alive{_httpcore_ratio(by)}; {_httpx_default_cpu(by, r.cfg.concurrencies)}

{_profile(r)}{_pieces(r)}"""


def _crawl_when(r: Results) -> str:
    """When the run that measured this section began, and the machine's load then: the page's
    machine table is a full run's, which a section rerun alone (``--update-published``) does
    not replace, so the section says which run it is from itself, as section 7 does."""
    when, load = r.machine.get("date (UTC)"), r.machine.get("load average at start (1, 5, 15 min)")
    if not when or not load:
        return ""
    return f" Measured {when} UTC, load average {load} (1, 5, 15 min) as the run began."


def _httpcore_ratio(by: dict[tuple[str, int], CrawlRow]) -> str:
    """What this run's ``crawler-trio-httpcore`` reached against the original: once a pool
    scanning kept-alive connections (0.25x in the run before every request got a connection of
    its own), it is quoted from the run, not written into the text."""
    x = _ratio(by, "crawler-trio-httpcore", "crawler-asyncio")
    return "" if x is None else f" (in this run {x.median:.2f}× the original's pages/s)"


def _httpx_default_cpu(by: dict[tuple[str, int], CrawlRow], concurrencies: tuple[int, ...]
                       ) -> str:
    """The same pool with its default limits, at every concurrency of this run: what the table
    itself shows of its CPU per page (RV4-bench F7: the prose quoted only figures measured
    apart)."""
    got = [(c, row.cpu_per_page_us().median) for c in concurrencies
           if (row := by.get(("httpx-default", c))) is not None and row.pages]
    if not got:
        return "the same pool with its default limits (`httpx-default`) is not in this run."
    figures = ", ".join(f"{x:.0f}" for _, x in got[:-1])  # as the table prints them
    figures = f"{figures} and {got[-1][1]:.0f}" if figures else f"{got[-1][1]:.0f}"
    counts = ", ".join(str(c) for c, _ in got[:-1])
    counts = f"{counts} and {got[-1][0]}" if counts else str(got[-1][0])
    return ("in this run the same pool with its default limits (`httpx-default`: 100\n"
            f"connections, 20 kept alive) cost {figures} µs of client CPU a page at\n"
            f"{counts}.")


def _pieces(r: Results) -> str:
    fl = r.floors
    if fl is None:
        return ""
    return f"""
The pieces of one fetch, each alone, in µs per page (median (min–max) of the repeats): what
the parsers cost by themselves, and what each framework's bare sockets cost.

{_table(["piece", "µs per page"], [
    ["httpx.AsyncClient: get + raise_for_status + .text over a transport that answers at once "
     "(no I/O)", fl.httpx_client_us.fmt(".0f")],
    ["h11: frame the GET, parse the 5 KB response (pure Python)", fl.h11_us.fmt(".0f")],
    ["llhttp (aiohttp's C parser): parse the same response", fl.aiohttp_parser_us.fmt(".1f")],
    ["Trio sockets, no HTTP library, 50 workers, all pages (wall per page)",
     fl.raw_trio_us.fmt(".0f")],
    ["asyncio streams, no HTTP library, 50 workers, all pages (wall per page)",
     fl.raw_asyncio_us.fmt(".0f")],
])}"""


def _links(r: Results) -> str:
    if r.links is None:
        return ""
    lc = r.links
    table = _table(["step", "µs per page"], [
        ["`HREF_RE.findall(html)`, the notebook's regex `href=\"(http.*?)\"`",
         lc.findall_us.fmt(".1f")],
        ["findall + `urljoin` + scheme check + set: the lesson's `parse` without its link checks",
         lc.full_us.fmt(".1f")],
    ])
    times = (lc.full_us.median - lc.findall_us.median) / lc.findall_us.median
    return f"""## 6. Link extraction

{table}
Pages average {lc.bytes_per_page:,.0f} bytes and {lc.links_per_page:.1f} distinct links. The
regex itself is cheap (a lazy `.*?` stops at the first quote); the steps after it cost
{times:.0f} times as much as the regex: `urljoin` on every link most of that, the scheme
check's `urlsplit` most of the rest. The lesson's `parse` also checks each link (`UNSAFE_RE`,
then `check_url`: another `urlsplit`, its port and host), which the second row leaves out:
about a third as much again, measured apart (247 against 188 µs a page over 200
pages, RV45, 2026-12-06). All of it is the same code in the two versions, so
it dilutes the HTTP layer's difference in the crawler rows rather than adds to it.
"""


def _echo_goal(x: Summary | None) -> str:
    if x is None:
        return "not measured"
    verdict = "met" if x.median >= 1.0 else "**not met**"
    # Three decimals: a median of 0.996 shown as "1.00, not met" reads as a contradiction.
    return f"**{x.median:.3f}×** ({x.low:.2f}–{x.high:.2f}; {verdict})"


def _echo_profile(e: EchoResults) -> str:
    prof = e.profile
    if isinstance(prof, str):
        return f"*Profile.* {prof or 'not profiled in this run (`--quick`)'}.\n"
    keys = list(prof)
    rows = [[name, *(f"{prof[k][name]:.1f}" for k in keys)] for name in NAMES]
    rows.append(["**total (server CPU per line)**",
                 *(f"**{prof[k]['total']:.1f}**" for k in keys)])
    notes = []
    for c in sorted({c for _, c in keys}):
        t, a = prof.get(("trio", c)), prof.get(("asyncio", c))
        if t and a:
            # Differences of the figures as printed, so that the reader's subtraction agrees.
            t, a = ({k: round(v, 1) for k, v in x.items()} for x in (t, a))
            worse = sorted(((t[n] - a[n], n) for n in NAMES), reverse=True)[:3]
            notes.append(f"at {c:,} clients, **{t['total'] - a['total']:+.1f} µs** (most in: "
                         + "; ".join(f"{n.split(' (')[0].split(':')[0]} {d:+.1f}"
                                     for d, n in worse) + ")")
    diff = ("The Trio twin's CPU per line against the asyncio twin's, in this profile: "
            + "; ".join(notes) + ".") if notes else ""
    return f"""### Where the server's CPU goes, from a profile

One run of each twin at each client count under py-spy (`bench/server.py`: a sampling
profiler outside the process), each sample charged to its innermost frame (past `contextlib`'s
frames, to the code that wrote the `with`), in µs of server CPU per line (the component's
share of the samples times the run's CPU per line, from the server's CPU-time clock). py-spy
pauses the process
for each sample, and it samples {max(1, round(e.seconds))} s from the client's start, the connecting
and the warm-up included, while the CPU per line is the measured window's: these totals
differ from the rows measured without it, above or below; read the shares. Some rows are
not alike: *socket calls* is, for Trio, the system call's own line, for asyncio also the
transport's Python around `send` and `recv`
(`write`, `_read_ready__data_received`); *the lesson's own code* holds, for Trio,
`_LineReader`, which asyncio has in its stream layer (`StreamReader.readline`).

{_table(["component", *[f"{i}, {c:,} clients" for i, c in keys]], rows)}
{diff}

What the rows say:

- **Try-first reads.** Trio's socket methods call `recv` (and `send`) first and wait for
  readiness only if it raised `BlockingIOError`; a call that succeeds is followed by a
  checkpoint instead (`_try_sync`'s cancel-shielded one). A failed first call costs an
  exception, its unwinding, and re-arming the descriptor in epoll (Trio registers it one-shot,
  per wait); asyncio never reads before epoll says so: its descriptors stay registered, and
  `readline` just waits on a future. Failures are fewer with more clients, and at 50 they
  depend on how busy the machine is: counted outside this bench (Trio's waits for readability
  against its first tries, that is its `recv` calls less the retries after a wait, in the last
  2 s of a run), 1–6% of the reads failed first at 50 clients in three runs on a quiet
  machine, 5–64% in seven under a load average of 4 to 5, and under 1% at 1,000 (three runs
  under that load too), where each handler waits longer for its turn and
  its next line is nearly always there by then. Most of this row is the helper's own
  `async with _try_sync()` around every `send` and `recv`, failed or not (py-spy outside this
  bench, 1,000 clients: 3.3–5.3% of the samples on that line in three runs, 0–0.1% on the
  wait that follows a failure). The row holds the helper's own lines only: the bodies of
  `_try_sync`'s `__aenter__` and `__aexit__` (another 2.5–3.4% of the samples, py-spy outside
  bench, three runs at 50 and 1,000 clients) are charged to the stream layer, and the
  checkpoints they await to the event loop. This is in Trio's socket layer
  (`trio.socket`, under `SocketStream`), below the lesson: the only way around the first try
  from the handler is `trio.lowlevel.wait_readable` on the raw socket, which would tie
  `_LineReader` (written for any `trio.abc.ReceiveStream`) to sockets, for a lesson about
  streams, and does not pay: `receive_some` still checkpoints after a read that succeeds, so
  that is a third trip through the scheduler a line (in eighteen paired rounds outside this
  bench, 1,000 clients, it spent more CPU per line in every one, 2–33% more, not less).
- **Timeouts.** Two per line in both twins: the idle timeout around the read and the send
  timeout around the write. Each side puts a deadline in a heap, but a Trio cancel scope also
  makes a node in the task's tree of cancel statuses (a `CancelStatus` and its two sets),
  linked into its parent's set of children on entry and unlinked on exit, all of it Python;
  the heap keeps each closed scope alive until it reaches the heap's top or a bulk prune drops
  it (once the heap holds over twice the live deadlines plus 1,000), so the collector walks
  the scopes too (the paragraph on the garbage collector above), and py-spy charges that to
  whatever frame allocated, not to this row. The rows with one deadline per connection
  (above) measure what opening and closing a timeout per wait costs beyond moving one
  deadline per wait: both forms still put a deadline in the heap for every wait (Trio's
  `scope.deadline = ...` pushes a new entry on its deadline heap, asyncio's `reschedule`
  cancels its timer and makes a new one with `call_at`). The Trio twin opens its send timeout with
  `trio.move_on_after` and tests `cancelled_caught` (Trio's other timeout: no generator around
  the scope, as `fail_after` has, no exception); its idle timeout stays `fail_after` and
  `TooSlowError`, which the lesson teaches (its page shows the slip of catching `TimeoutError`
  there instead: the `TooSlowError` escapes the handler and ends the whole server).
- **Socket calls** are the same `send` and `recv` into the kernel on both sides (on loopback,
  `send` also runs the receiving side's TCP and wakes the client), and `uvloop` does them in C
  with no Python frames around them: that, and its C event loop, is its lead. One difference
  is the size asked of `recv`: Python 3.11's selector transport asks for 256 KiB, a buffer
  that malloc maps and unmaps for every call (`mmap`, `mremap`, `munmap`: 5–13 µs a 64-byte
  read on a socketpair here in five runs on a quiet machine, 8–20 µs in ten under a load
  average of 4 to 5, against 0.5–0.7 µs, and 0.8–1.9 µs under that load, for the 64 KiB of
  Trio's `receive_some`){_socket_note(prof)}.
"""


def _socket_note(prof: dict[tuple[str, int], dict[str, float]]) -> str:
    """Whether this profile shows asyncio's socket calls costlier than Trio's, the figures as
    printed: a rerun (2026-12-07) had Trio's the costlier at 1,000 clients, where the words
    written for an earlier run said "at both client counts"."""
    calls = NAMES[0]
    both = [(c, round(t[calls], 1), round(a[calls], 1)) for c in sorted({c for _, c in prof})
            if (t := prof.get(("trio", c))) and (a := prof.get(("asyncio", c)))]
    if not both:
        return ""
    more = [c for c, t, a in both if a > t]
    if len(more) == len(both):
        where = "at both client counts" if len(both) == 2 else "at every client count"
        return f": part of what offsets the Trio twin's costlier timeouts, {where}"
    others = "; ".join(f"at {c:,} clients Trio's socket calls took {t:.1f} µs a line against "
                       f"asyncio's {a:.1f}" for c, t, a in both if c not in more)
    if more:
        return (": part of what offsets the Trio twin's costlier timeouts at "
                + " and ".join(f"{c:,}" for c in more) + f" clients in this profile; {others}")
    return f", though not in this profile: {others}"


def _echo_gc(e: EchoResults) -> str:
    """The bench-only rows with a raised GC threshold, if this run has them."""
    counts = [c for c in sorted({x.clients for x in e.rows}) if e.row("trio-gc", c)]
    if not counts:
        return ""
    c = counts[-1]
    cpu = {i: summarise(row.cpu_us).median for i in ("trio", "asyncio", "trio-gc", "asyncio-gc")
           if (row := e.row(i, c))}
    both, against = e.ratio("trio-gc", c, "asyncio-gc"), e.ratio("trio-gc", c)
    both_cpu = e.cpu_ratio("trio-gc", c, "asyncio-gc")
    if len(cpu) < 4 or both is None or against is None or both_cpu is None:
        return ""
    return f"""*The garbage collector.* The `GC threshold {GC_THRESHOLD:,}` rows are the same
twins with the cyclic garbage collector's first threshold at {GC_THRESHOLD:,} net allocations
instead of {e.gc_default:,} (`gc.set_threshold`, set by `bench/echoserve.py` in the server
process, not by the lessons). At {c:,} clients it takes the Trio twin from {cpu["trio"]:.1f} to
{cpu["trio-gc"]:.1f} µs of CPU per line, and the asyncio twin from {cpu["asyncio"]:.1f} to
{cpu["asyncio-gc"]:.1f}: with it, Trio ÷ asyncio is **{both.fmt(".2f")}** in lines/s,
{both_cpu.fmt(".2f")} per CPU second (and {against.fmt(".2f")} in lines/s against the asyncio
twin as shipped). A waiting Trio handler holds more
objects made for its current line than an asyncio one: a coroutine per layer below `handle`
(`_LineReader.readline`, `SocketStream.receive_some`, the socket's `recv`, its try-first helper,
then three more inside Trio for the checkpoint after a call that succeeds, five for the wait
after one that fails), the timeout's generator, context manager, cancel scope and status
(with its two sets); asyncio's handler waits three coroutines deep (`readline`, `readuntil`,
`_wait_for_data`) on a future. A handler makes them anew for each line, so they are young
when the next generation-0 collection comes (every {e.gc_default:,} net allocations, the
default of {e.python or "this Python"}): it walks them, finds them alive and promotes them, to
be walked again in generation 1. A generation-0 collection walks only the objects made since
the one before, not every waiting handler's; with {c:,} handlers waking in turn, that is
thousands of objects per collection (counted outside this bench at 1,000 clients, as
generation 0's length at the start of each generation-0 collection in a run's last 2 s: a
median of 5,900 to 8,800 for the Trio twin in seven runs, 1,100 to 1,500 for the asyncio
twin in four). py-spy charges a
collection to whatever frame allocated at the time, so it shows no row of its own in the profile
below. The threshold is a setting of the whole process, for whoever deploys a server with many
connections (so is `gc.freeze()` after start-up, for the old objects), not a line of the lesson:
both twins leave it at Python's default.

"""


def _echo_versions(e: EchoResults) -> str:
    """What this section ran on, which the machine table (a full run's) may not say: a section
    rerun alone keeps the old table (RV4-bench F8: it had no uvloop)."""
    return f", with {e.versions}" if e.versions else ""


def _echo_why(e: EchoResults) -> str:
    """A pointer from a goal not met to the rows that say why, if this run has them."""
    missed = [c for c in sorted({x.clients for x in e.rows})
              if (x := e.ratio("trio", c)) is not None and x.median < 1.0]
    if not missed or not any(r.impl == "trio-deadline" for r in e.rows):
        return ""
    return (" Where it is not met: *One deadline per connection*, below, measures what the "
            "twins' timeouts opened per wait, which the lesson keeps, cost beyond one deadline "
            "moved along each connection.")


def _less(d: float) -> str:
    """A saving, said the right way round when it is a cost."""
    return f"{d:.1f} less" if d >= 0 else f"{-d:.1f} more"


def _paired_saving(e: EchoResults, c: int) -> tuple[Summary, Summary]:
    """Round by round at ``c`` clients: how much more CPU per line the deadline handler saved
    Trio than asyncio ((trio - trio-deadline) - (asyncio - asyncio-deadline)), and the twins'
    gap (trio - asyncio), each summarised over the rounds. Every server runs once a round, so
    the i-th figure of each row is the same round's."""
    rows = [e.row(i, c) for i in ("trio", "trio-deadline", "asyncio", "asyncio-deadline")]
    if any(r is None for r in rows):
        return summarise([]), summarise([])
    t, td, a, ad = (r.cpu_us for r in rows if r is not None)
    saved = [(x - xd) - (y - yd) for x, xd, y, yd in zip(t, td, a, ad, strict=True)]
    gap = [x - y for x, y in zip(t, a, strict=True)]
    return summarise(saved), summarise(gap)


def _echo_deadline(e: EchoResults) -> str:
    """The bench-only rows with one deadline per connection, if this run has them."""
    counts = [c for c in sorted({x.clients for x in e.rows}) if e.row("trio-deadline", c)]
    if not counts:
        return ""
    c = counts[-1]
    # Rounded as printed, so that the differences quoted agree with the figures quoted.
    cpu = {i: round(summarise(row.cpu_us).median, 1)
           for i in ("trio", "asyncio", "trio-deadline", "asyncio-deadline")
           if (row := e.row(i, c))}
    both, against = e.ratio("trio-deadline", c, "asyncio-deadline"), e.ratio("trio-deadline", c)
    both_cpu = e.cpu_ratio("trio-deadline", c, "asyncio-deadline")
    if len(cpu) < 4 or both is None or against is None or both_cpu is None:
        return ""
    shipped = x.fmt(".2f") if (x := e.cpu_ratio("trio", c)) else "–"
    d_trio, d_asyncio = cpu["trio"] - cpu["trio-deadline"], cpu["asyncio"] - cpu["asyncio-deadline"]
    # The comparison itself round by round (paired), from what each round recorded: a
    # difference of the four rows' medians is not paired, and their spreads are wider than it
    # (RV4-bench F4: 15.3 against 10.8 µs, read as exact).
    saved, gap = _paired_saving(e, c)
    verdict = ("Round by round (paired), the deadline handlers saved Trio "
               f"{saved.fmt('.1f')} µs a line more than they saved asyncio, against "
               f"{gap.fmt('.1f')} µs a line by which the Trio twin's CPU exceeded the asyncio "
               "twin's in the same rounds (what the handlers change is the timeouts opened per "
               "wait, with the little the single scope lets them drop)"
               if saved.median > 0 and gap.median > 0 else
               "In this run the deadline handlers do not explain a gap between the twins: "
               f"round by round (paired) they saved Trio {saved.fmt('.1f')} µs a line more than "
               f"they saved asyncio, and the Trio twin's CPU per line exceeded the asyncio "
               f"twin's by {gap.fmt('.1f')} µs in the same rounds")
    return f"""*One deadline per connection.* The `one deadline per connection, moved` rows are
bench-only handlers (`bench/echodeadline.py`, put in place of each twin's `handle`) that keep
the same two deadlines, the idle one before each read and the send one before each write, on
one Trio cancel scope or one asyncio `Timeout` per connection, moved before each wait
(`scope.deadline = ...`, `timeout.reschedule(...)`), instead of opening a timeout for each wait.
At {c:,} clients that takes the Trio handler's median from {cpu["trio"]:.1f} to
{cpu["trio-deadline"]:.1f} µs of CPU per line ({_less(d_trio)}), and the asyncio one's from
{cpu["asyncio"]:.1f} to {cpu["asyncio-deadline"]:.1f} ({_less(d_asyncio)}: medians of
separate rows). Per CPU
second, Trio ÷ asyncio goes from {shipped} for the twins to **{both_cpu.fmt(".2f")}** with
both in that form; in lines/s, which a busy machine blurs more, {both.fmt(".2f")}, and
{against.fmt(".2f")} against the asyncio twin as shipped. {verdict}. The lessons keep a
timeout per wait, in both twins: it is the idiom of both frameworks and what lesson 8 teaches
(`asyncio.timeout` → `trio.fail_after`; `TooSlowError` is not a `TimeoutError`), and one
deadline moved along a connection is a longer handler, not a smaller one: a variable to say
which wait ran out, and the error lines sent after the scope, outside the loop (the bench's
handlers leave them out).

"""


def _echo(r: Results) -> str:
    e = r.echo
    if e is None:
        return ""
    rows = []
    for c in sorted({x.clients for x in e.rows}):
        for impl in LABELS:
            row = e.row(impl, c)
            if row is None:
                if impl in e.skipped:
                    rows.append([LABELS[impl], f"{c:,}", e.skipped[impl], "–", "–", "–", "–"])
                continue
            grow = summarise([(p - s) * 1024 / c for p, s in zip(row.peak_mb, row.start_mb,
                                                                     strict=True)])
            rows.append([LABELS[impl], f"{c:,}", _rate(row.rate()),
                         summarise(row.cpu_us).fmt(".1f"), summarise(row.peak_mb).fmt(".1f"),
                         grow.fmt(".1f"), summarise(row.client_share).fmt(".2f")])
    pairs = []
    for c in sorted({x.clients for x in e.rows}):
        for impl, against in (("trio", "asyncio"), ("uvloop", "asyncio"), ("trio", "uvloop"),
                              ("trio-gc", "asyncio-gc"), ("trio-gc", "asyncio"),
                              ("trio-deadline", "asyncio-deadline"),
                              ("trio-deadline", "asyncio")):
            x, cpu = e.ratio(impl, c, against), e.cpu_ratio(impl, c, against)
            if x is not None and cpu is not None:
                pairs.append([f"{impl} ÷ {against}", f"{c:,}", x.fmt(".2f"), cpu.fmt(".2f")])
            elif "uvloop" in (impl, against) and "uvloop" in e.skipped:
                pairs.append([f"{impl} ÷ {against}", f"{c:,}", e.skipped["uvloop"], "–"])
    goals = "; ".join(f"at {c:,} clients {_echo_goal(e.ratio('trio', c))}, per CPU second "
                      + (x.fmt(".2f") if (x := e.cpu_ratio("trio", c)) else "–")
                      for c in sorted({x.clients for x in e.rows}))
    return f"""## 7. Lesson 8: the echo server

Goal: the Trio twin echoes at least as many lines per second as the asyncio twin (≥ 1.0×,
paired), at 50 and at 1,000 clients. This run: {goals}.{_echo_why(e)}

{_table(["server", "clients", "lines/s", "server CPU µs/line", "peak RSS (MB)",
         "RSS growth per client (KB)", "client CPU (cores)"], rows)}
Paired ratios of lines per second (each round runs every server back to back; median (min–max)
over {e.rounds} round{"s" if e.rounds != 1 else ""}):

{_table(["ratio", "clients", "× lines/s", "× lines per server CPU second"], pairs)}
The last column divides CPU per line instead (the other server's over this
one's): what the ratio of lines/s would be if each server had a whole core to itself, and on a
shared machine the steadier of the two (another program's load delays a round trip, and adds
much less to the server's CPU per line). The goal is the first.

{_echo_gc(e)}{_echo_deadline(e)}*How.* Each run starts one server in a process of its own
(`bench/echoserve.py`: the twin's own `serve`, unchanged, but for the bench-only rows: the
deadline rows replace its `handle`, the GC rows raise the process's collector threshold; the
uvloop row is the asyncio twin's `serve` run by `uvloop.run`) and one client process
(`bench/echoclient.py`: plain sockets on epoll, no framework, so it costs the 2-core machine
little, its *client CPU* column, and about the same per line for every server). The client
opens its connections one at a time, each checked with one line and its echo; then each
keeps one 64-byte line in flight (send, wait for the echo, check it, send the next), {e.seconds:g} s
measured after a warm-up. *Server CPU* is the server process's own, from its CPU-time clock,
within the measured window. *Peak RSS* is the server's `VmHWM`; *growth per
client* is that peak less the RSS when it began listening, per client. {e.fd_limit}.
Measured {e.when} (the load average as the run began){_echo_versions(e)}.

The asyncio twin yields once per line on purpose (`await asyncio.sleep(0)`, so that one fast
client cannot hold the loop: Trio's `send_all` is a checkpoint, and so is its `receive_some`
after a read that succeeds); the twins otherwise do the
same work per line: two timeouts (the Trio twin's send timeout is `move_on_after`, see the
profile below), one read, one write. uvloop is the anchor people quote for asyncio servers:
the same file, unchanged, on a loop written in Cython over libuv.

{_echo_profile(e)}"""


#: The section headings each ``--only`` name writes (the page's own numbering).
HEADINGS = {"lessons": ("## 1. ",), "virtual": ("## 2. ",), "framework": ("## 3. ", "## 4. "),
            "crawler": ("## 5. ",), "links": ("## 6. ",), "server": ("## 7. ",)}


def _sections(page: str) -> list[str]:
    """The page cut before every ``## `` heading: the head, then one piece per section."""
    pieces: list[str] = []
    current: list[str] = []
    for line in page.splitlines(keepends=True):
        if line.startswith("## ") and current:
            pieces.append("".join(current))
            current = []
        current.append(line)
    pieces.append("".join(current))
    return pieces


#: A note written by hand in the published page's head (``render`` never writes one) that the
#: sections it names are stale: from ``<!-- stale until rerun: crawler -->`` to
#: ``<!-- /stale -->``. ``splice`` keeps the head, so it drops such a note once it replaces
#: every section the note names: freshly measured rows never sit under a note calling them
#: stale (RV4-bench F13). A full run writes a new head, without it.
STALE_NOTE = re.compile(r"<!-- stale until rerun: (?P<names>[a-z ,]+) -->\n.*?<!-- /stale -->\n+",
                        re.S)


def drop_stale_notes(head: str, names: list[str]) -> str:
    """``head`` without the stale notes whose sections are all among ``names``."""
    return STALE_NOTE.sub(
        lambda m: "" if set(m["names"].replace(",", " ").split()) <= set(names) else m[0], head)


def splice(published: str, partial: str, names: list[str], command: str) -> str:
    """``published`` with the sections ``names`` taken from ``partial`` (a page from
    ``--only``), each marked with the command and date that wrote it; every other section
    stays as it was, but for a stale note in the head that names only sections replaced
    (:func:`drop_stale_notes`). A section the published page lacks goes before
    ``## Reproduce``."""
    wanted = tuple(h for name in names for h in HEADINGS[name])
    new = {}
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    for piece in _sections(partial):
        if piece.startswith(wanted):
            head, _, body = piece.partition("\n")
            new[piece[:6]] = (f"{head}\n\n*This section alone: `{command}`, {stamp}; the "
                              f"rest of the page is from the run named at the top.*\n{body}")
    out: list[str] = []
    done: set[str] = set()
    for piece in _sections(published):
        if not out and not piece.startswith("## "):  # the head
            piece = drop_stale_notes(piece, names)
        key = piece[:6]
        if key in new:
            out.append(new[key])
            done.add(key)
            continue
        if piece.startswith("## Reproduce"):
            out += [new[k] for k in sorted(new) if k not in done]
            done |= set(new)
        out.append(piece)
    out += [new[k] for k in sorted(new) if k not in done]
    return "".join(p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n" for p in out
                   ).rstrip("\n") + "\n"


def _lesson_rounds(r: Results) -> str:
    """Section 1's rounds: as many as fit its time budget, not the page's repeat count (with a
    59 s lesson, two rounds of the 150 s budget, where the page said 3)."""
    n = min((len(x.real) for x in r.lessons), default=0)
    if not n:
        return "not run"
    return (f"{n} round{'s' if n != 1 else ''}, as many as fit in {r.cfg.lesson_budget:.0f} s, "
            "at most 3")


def render(r: Results) -> str:
    head = f"""# Benchmarks

*Generated by `python -m bench`{" --quick" if r.cfg.name == "quick" else ""} in
{r.elapsed:.0f} s ({r.cfg.name} run). Do not edit: change `bench/report.py` and rerun
(`make bench` or `python3 tasks.py bench`).*

What migrating from asyncio to Trio costs, measured side by side. Every comparison in the
tables is a pair or a ratio of figures measured in the same run on the same machine (a section
rerun alone says so under its heading; a figure the prose quotes from a measurement outside
the bench says so where it quotes it). Speed goals are checked here, never as timed tests:
`tests/test_bench.py` checks that this code runs and writes its page where it should (and never
installs anything), not how fast it runs.

"""
    parts = [head, _machine(r), _lessons(r), _virtual(r), _spawn(r), _queues(r), _batching(r),
             _crawl(r), _links(r), _echo(r)]
    parts.append(f"""## Reproduce

```
make bench                        # or: python3 tasks.py bench / .venv/bin/python -m bench
.venv/bin/python -m bench --quick # 40 s, into build/benchmarks-quick.md: not for quoting
.venv/bin/python -m bench --only crawler links  # those sections, into build/benchmarks-partial.md
.venv/bin/python -m bench --only server --update-published  # and replace them on this page
```

The crawler section serves its site with nginx when it is installed (`python3 tasks.py system`
installs it; the bench itself never installs anything); otherwise with a threaded stdlib
server in a subprocess, and the page names the server it used. Sizes in this run:
{r.cfg.tasks:,} tasks, {r.cfg.items:,} items, {r.cfg.pages:,} pages,
concurrency {", ".join(map(str, r.cfg.concurrencies))},
repeats: {r.cfg.reps} ({r.cfg.crawl_reps} for the crawler; section 1: {_lesson_rounds(r)}).
""")
    return "\n".join(p for p in parts if p)


