"""Section 7 of the benchmark page (lesson 8's echo server): the code runs, at tiny sizes.

Not a timed test: the speed goal lives in ``python -m bench``. Each check would fail if the
section broke: a server or client that does not run, rounds that stop pairing, a client that
counts a wrong echo, a missing uvloop that fails the bench instead of skipping its row, a
profile charged to the wrong component, a splice that drops or duplicates a section, or a
published section that no longer has the shape the bench writes.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench import echoclient, report, server
from bench.echoclient import run

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "docs" / "benchmarks.md"


def _stat_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_BURN = "import time\nend = time.process_time() + 0.15\nwhile time.process_time() < end: pass\n"


@pytest.mark.timeout(60)
def test_the_server_cpu_is_read_to_below_a_tick_and_agrees_with_proc() -> None:
    """Another process's CPU, from its CPU-time clock: within a tick (10 ms) of what
    /proc/PID/stat counts, and finer, so that a round short of a tick is not read as zero.
    Where the clock cannot be read, /proc's ticks themselves."""
    child = subprocess.Popen([sys.executable, "-c", _BURN + "import sys\nsys.stdin.read()\n"],
                             stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while _stat_seconds(child.pid) < 0.15 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # idle now, reading stdin: its CPU stands still
        clock, ticks = echoclient.process_cpu(child.pid), _stat_seconds(child.pid)
        assert clock >= 0.15
        assert abs(clock - ticks) <= 0.02, (clock, ticks)
        assert clock * 100 % 1 != 0  # not whole ticks: nanoseconds
        with pytest.MonkeyPatch.context() as patch:
            def refuse(clock_id: int) -> float:
                raise OSError(22, "Invalid argument")
            patch.setattr(echoclient.time, "clock_gettime", refuse)
            assert echoclient.process_cpu(child.pid) == ticks
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


@pytest.mark.timeout(120)
def test_every_server_runs_and_each_round_is_paired() -> None:
    res = server.section((3,), 2, 0.2, profiled=False, gc_variants=True)
    impls = [r.impl for r in res.rows]
    expected = [i for i in server.IMPLS + server.VARIANTS if i not in res.skipped]
    assert impls == expected and "trio" in impls and "asyncio" in impls
    assert set(res.skipped) <= {"uvloop"}
    for row in res.rows:
        assert len(row.rates) == 2 and all(x > 0 for x in row.rates), row
        # The server's CPU-time clock counts nanoseconds: a round that echoed a line used some
        # (/proc/PID/stat's 10 ms ticks once gave a 0.2 s round on a loaded machine none).
        assert all(x > 0 for x in row.cpu_us) and len(row.cpu_us) == 2, row
        assert all(p >= s > 0 for p, s in zip(row.peak_mb, row.start_mb, strict=True)), row
    for x in (res.ratio("trio", 3), res.cpu_ratio("trio", 3),
              res.ratio("trio-gc", 3, "asyncio-gc"),
              res.ratio("trio-deadline", 3, "asyncio-deadline")):
        assert x is not None and x.n == 2
    page = report.render(report.Results(cfg=report.Config.quick(), machine={}, echo=res))
    section = page[page.index("## 7. "):page.index("## Reproduce")]
    for impl in impls:
        assert server.LABELS[impl] in section
    # What the section ran on, which the page's machine table may not say (RV4-bench F8).
    assert res.versions.startswith("CPython ") and ", trio " in res.versions
    assert f"with {res.versions}." in section


def test_the_quick_run_keeps_the_server_part_short() -> None:
    """``--quick``: three servers, 50 clients, one round of half a second, no profile."""
    quick, full = report.Config.quick(), report.Config.full()
    assert (quick.echo_clients, quick.echo_rounds, quick.echo_profile, quick.echo_gc) == (
        (50,), 1, False, False)
    assert quick.echo_seconds <= 1.0
    assert full.echo_clients == (50, 1000) and full.echo_rounds >= 3


class _Echo(socketserver.BaseRequestHandler):
    corrupt_after = -1  # echo this many chunks faithfully, then change a byte of each

    def handle(self) -> None:
        n = 0
        while data := self.request.recv(65536):
            if 0 <= self.corrupt_after <= n:
                data = data.replace(b"hello", b"HELLO")
            self.request.sendall(data)
            n += 1


@contextmanager
def _echo_server(corrupt_after: int) -> Iterator[int]:
    handler = type("Handler", (_Echo,), {"corrupt_after": corrupt_after})
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as srv:
        srv.daemon_threads = True
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        try:
            yield srv.server_address[1]
        finally:
            srv.shutdown()


@pytest.mark.timeout(60)
def test_the_client_counts_echoes_and_keeps_depth_lines_in_flight() -> None:
    with _echo_server(corrupt_after=-1) as port:
        out = run(port, 3, 0.2, depth=4)
    assert out["lines"] > 0 and out["seconds"] >= 0.2
    assert out["clients"] == 3 and out["cpu_share"] > 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize("corrupt_after", [0, 2])
def test_the_client_fails_on_a_wrong_echo(corrupt_after: int) -> None:
    """A wrong byte fails the run: in the connection check (0), or while measuring (2)."""
    with _echo_server(corrupt_after) as port, pytest.raises(RuntimeError, match="is not"):
        run(port, 2, 0.2)


def test_without_uvloop_its_rows_are_skipped_with_the_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "uvloop" else real(name, *a))
    ran: list[str] = []

    def fake_run(impl: str, clients: int, seconds: float) -> dict[str, float]:
        ran.append(impl)
        return {"rate": 1000.0, "cpu_us": 40.0, "peak_mb": 30.0, "start_mb": 25.0,
                "client_share": 0.2}

    monkeypatch.setattr(server, "one_run", fake_run)
    res = server.measure((5,), 2, 0.1)
    assert sorted(ran) == ["asyncio", "asyncio", "trio", "trio"]
    assert "pip install uvloop" in res.skipped["uvloop"]
    page = report.render(report.Results(cfg=report.Config.quick(), machine={}, echo=res))
    section = page[page.index("## 7. "):page.index("## Reproduce")]
    assert f"| {server.LABELS['uvloop']} | 5 | skipped: uvloop is not installed (" in section
    assert "| uvloop ÷ asyncio | 5 | skipped:" in section


def _helper_lines() -> tuple[int, int]:
    """The lines of Trio's ``_nonblocking_helper`` with the system call and the try."""
    spec = importlib.util.find_spec("trio")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "_socket.py").read_text().splitlines()
    start = next(i for i, x in enumerate(source) if "def _nonblocking_helper(" in x)
    call = next(i for i in range(start, len(source))
                if source[i].strip().startswith("return fn("))
    try_ = next(i for i in range(start, len(source)) if "async with _try_sync()" in source[i])
    return call + 1, try_ + 1


def test_the_profile_charges_each_sample_to_its_component() -> None:
    call, try_ = _helper_lines()
    run_ = "run (trio/_core/_run.py:9);handle (trio_port/server.py:149)"
    raw = "\n".join([
        f"{run_};_nonblocking_helper (trio/_socket.py:{call}) 5",
        f"{run_};_nonblocking_helper (trio/_socket.py:{try_}) 3",
        "run (trio/_core/_run.py:9);handle (trio_port/server.py:137);"
        "__enter__ (contextlib.py:137) 2",  # `with trio.fail_after(...)`: a timeout
        f"{run_};send_all (trio/_highlevel_socket.py:113);__exit__ (contextlib.py:144) 4",
        "Handle._run (asyncio/events.py:80);handle (asyncio_ref/server.py:103);"
        "timeout (asyncio/timeouts.py:145) 1",
        "Handle._run (asyncio/events.py:80);write (asyncio/selector_events.py:1057) 6",
        "run (trio/_core/_run.py:9);readline (trio_port/server.py:105) 7",
        "run (trio/_core/_run.py:9);get_events (trio/_core/_io_epoll.py:243) 8",
        "<module> (elsewhere.py:1) 1",
    ])
    names = dict(zip(("calls", "try", "timeouts", "stream", "loop", "own", "other"),
                     server.NAMES, strict=True))
    assert server.attribute(raw) == {names["calls"]: 11, names["try"]: 3,
                                     names["timeouts"]: 3, names["stream"]: 4,
                                     names["own"]: 7, names["loop"]: 8, names["other"]: 1}


@pytest.mark.timeout(120)
def test_the_profile_runs_both_twins_under_py_spy() -> None:
    from bench.profile import available

    if available() is None:
        pytest.skip("py-spy is not installed (the bench extra): the section says so")
    got = server.profile((3,), 1.0)
    if isinstance(got, str) and "py-spy failed" in got:
        pytest.skip(f"py-spy cannot read another process here (ptrace): {got}")
    assert isinstance(got, dict), got
    assert set(got) == {("trio", 3), ("asyncio", 3)}
    for row in got.values():
        assert row["total"] > 0
        assert sum(row[n] for n in server.NAMES) == pytest.approx(row["total"])


PUBLISHED_PAGE = """# Benchmarks

*Generated by the full run.*

## The machine

m

## 1. Lessons

one

## 6. Link extraction

six

## Reproduce

published reproduce
"""


def _partial(body: str) -> str:
    return (f"# Benchmarks\n\n*partial*\n\n## The machine\n\nother\n\n"
            f"## 7. Lesson 8: the echo server\n\n{body}\n\n## Reproduce\n\npartial reproduce\n")


def test_splice_replaces_only_the_sections_run() -> None:
    once = report.splice(PUBLISHED_PAGE, _partial("first"), ["server"], "python -m bench X")
    assert once.index("## 6. ") < once.index("## 7. ") < once.index("## Reproduce")
    assert "*This section alone: `python -m bench X`, " in once
    for kept in ("*Generated by the full run.*", "\nm\n", "one", "six", "published reproduce"):
        assert kept in once
    for dropped in ("*partial*", "other", "partial reproduce"):
        assert dropped not in once
    twice = report.splice(once, _partial("second"), ["server"], "python -m bench X")
    assert twice.count("## 7. ") == 1 and "second" in twice and "first" not in twice
    assert twice.replace("second", "first").split("## 7. ")[0] == once.split("## 7. ")[0]


def test_splice_drops_a_stale_note_once_its_sections_are_measured_again() -> None:
    """A note written by hand in the head, saying the crawler section is stale, survived a rerun
    of that section alone (the head is kept), above the fresh rows (RV4-bench F13): splice
    drops it when it replaces every section the note names, and keeps it otherwise."""
    note = ("<!-- stale until rerun: crawler -->\n\n!!! warning \"stale\"\n    Section 5 is "
            "old.\n\n<!-- /stale -->\n\n")
    published = PUBLISHED_PAGE.replace("## The machine", note + "## The machine")
    partial = _partial("fresh").replace("## 7. Lesson 8: the echo server",
                                        "## 5. Crawler throughput")
    kept = report.splice(published, _partial("fresh"), ["server"], "python -m bench X")
    assert note in kept and "fresh" in kept
    dropped = report.splice(published, partial, ["crawler"], "python -m bench Y")
    assert "stale" not in dropped and "Section 5 is old" not in dropped
    assert dropped.split("## The machine")[0] == PUBLISHED_PAGE.split("## The machine")[0]
    assert "## 5. Crawler throughput" in dropped and "fresh" in dropped
    # The published page's own note names the crawler section, in the form splice drops.
    head = PUBLISHED.read_text(encoding="utf-8").split("\n## ")[0]
    if "stale" in head:
        assert report.drop_stale_notes(head, ["crawler"]).count("!!! warning") == \
            head.count("!!! warning") - 1


@pytest.mark.parametrize("argv", [["--quick", "--only", "server", "--update-published"],
                                  ["--update-published"]])
def test_update_published_needs_only_and_a_full_run(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from bench.__main__ import main

    before = PUBLISHED.read_bytes()
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "--update-published needs --only" in capsys.readouterr().err
    assert PUBLISHED.read_bytes() == before


def _fake_results() -> Any:
    res = server.EchoResults(seconds=report.Config.full().echo_seconds,
                             rounds=report.Config.full().echo_rounds)
    counts = report.Config.full().echo_clients
    for c in counts:
        for impl in server.IMPLS + (server.VARIANTS if c == max(counts) else ()):
            res.rows.append(server.EchoRow(impl, c, [1.0], [1.0], [2.0], [1.0], [0.1]))
    return res


def test_the_published_section_is_what_the_bench_writes() -> None:
    """docs/benchmarks.md's section 7 has the tables the bench renders now (same headers,
    every server at every client count of a full run), and its goal line quotes its own
    paired-ratio table."""
    page = PUBLISHED.read_text(encoding="utf-8")
    assert page.count("## 7. Lesson 8: the echo server") == 1
    published = page[page.index("## 7. "):page.index("## Reproduce")]
    fake = report.render(report.Results(cfg=report.Config.full(), machine={},
                                        echo=_fake_results()))
    rendered = fake[fake.index("## 7. "):fake.index("## Reproduce")]
    headers = [head for head, rule in itertools.pairwise(rendered.splitlines())
               if rule.startswith("|---")]
    assert len(headers) == 2  # the runs, the ratios (the profile's depends on the run)
    for header in headers:
        assert header in published
    full = report.Config.full()
    prose = " ".join(published.split())  # the page wraps its lines
    assert f"over {full.echo_rounds} rounds" in prose
    assert f"{full.echo_seconds:g} s measured" in prose
    assert full.echo_gc and "*The garbage collector.*" in published
    assert "*One deadline per connection.*" in published
    for impl in server.VARIANTS:  # at the largest count only
        big = max(full.echo_clients)
        assert re.search(rf"^\| {re.escape(server.LABELS[impl])} \| {big:,} \|", published, re.M)
    for c in full.echo_clients:
        for impl in server.IMPLS:
            assert re.search(rf"^\| {re.escape(server.LABELS[impl])} \| {c:,} \|", published,
                             re.M), (impl, c)
        goal = re.search(rf"at {c:,} clients \*\*(\d\.\d\d\d)×\*\* \((\d\.\d\d)–(\d\.\d\d); "
                         r"(met|\*\*not met\*\*)\)", published)
        assert goal, c
        median, low, high, verdict = goal.groups()
        assert (verdict == "met") == (float(median) >= 1.0)
        row = re.search(rf"^\| trio ÷ asyncio \| {c:,} \| (\d\.\d\d) \({low}–{high}\) \|",
                        published, re.M)
        assert row and abs(float(row[1]) - float(median)) <= 0.0051, (row, median)
    # A full run profiles both twins: the published section has the profile's table.
    assert "### Where the server's CPU goes, from a profile" in published
    assert "| **total (server CPU per line)** |" in published


def _profiled(res: Any) -> Any:
    res.profile = {(i, c): {**dict.fromkeys(server.NAMES, 1.0), "total": len(server.NAMES)}
                   for c in report.Config.full().echo_clients for i in ("trio", "asyncio")}
    return res


def _section7(res: Any) -> str:
    page = report.render(report.Results(cfg=report.Config.full(), machine={}, echo=res))
    return " ".join(page[page.index("## 7. "):page.index("## Reproduce")].split())


def test_section_7_reads_the_servers_cpu_from_its_clock_never_from_proc() -> None:
    """The bench reads the server's CPU from its CPU-time clock (echoclient.process_cpu), and
    section 7 says so where it says where the CPU comes from, in *How* and in the profile's
    paragraph: the profile's once said "from `/proc`" in the template itself (RV4-bench F2).
    The GC paragraph names the interpreter's own default threshold (F3: 700 is 3.11's)."""
    import gc

    section = _section7(_profiled(_fake_results()))
    assert "/proc" not in section
    assert "*Server CPU* is the server process's own, from its CPU-time clock" in section
    assert "the run's CPU per line, from the server's CPU-time clock" in section
    assert f"instead of {gc.get_threshold()[0]:,} (`gc.set_threshold`" in section
    assert "walks only the objects made since the one before" in section


def test_the_deadline_rows_compare_the_twins_round_by_round() -> None:
    """What the deadline handlers saved Trio beyond asyncio, and the twins' gap, are paired
    round by round from each round's CPU per line, not differences of four rows' medians
    (RV4-bench F4). Here the medians' difference of differences is (60-42)-(50-46) = 14 and
    the medians' gap 10, but the rounds' are 16 (4-23) and 10 (5-15)."""
    res = server.EchoResults(seconds=2.0, rounds=3, versions="CPython 3.x, trio 0.x")
    cpu = {"trio": [60.0, 50.0, 70.0], "trio-deadline": [40.0, 45.0, 42.0],
           "asyncio": [50.0, 45.0, 55.0], "asyncio-deadline": [46.0, 44.0, 50.0]}
    for impl in server.IMPLS + server.VARIANTS:
        res.rows.append(server.EchoRow(impl, 1000, [1.0] * 3, cpu.get(impl, [40.0] * 3),
                                       [2.0] * 3, [1.0] * 3, [0.1] * 3))
    section = _section7(res)
    assert ("Round by round (paired), the deadline handlers saved Trio 16.0 (4.0–23.0) µs a "
            "line more than they saved asyncio, against 10.0 (5.0–15.0) µs a line by which "
            "the Trio twin's CPU exceeded the asyncio twin's in the same rounds") in section
    assert "(18.0 less), and the asyncio one's from 50.0 to 46.0 (4.0 less: medians" in section
    assert "(the load average as the run began), with CPython 3.x, trio 0.x." in section


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="3.14's collector is incremental: "
                    "its young generation is not the one the page describes")
def test_a_generation_0_collection_promotes_the_live_young_objects_out_of_generation_0() -> None:
    """Section 7's GC paragraph (RV4-bench F3): a generation-0 collection walks generation 0
    only, and moves what it finds alive to generation 1; so later generation-0 collections do
    not walk those objects again, only what was made since. 1,000 live objects, as a waiting
    handler's: none is left in generation 0 after one collection, nor after the automatic
    ones that further allocations start."""
    import gc

    held = [[[] for _ in range(5)] for _ in range(1000)]
    ids = {id(x) for x in held}

    def in_gen(g: int) -> int:
        return sum(1 for o in gc.get_objects(generation=g) if id(o) in ids)

    gc.collect(0)
    assert in_gen(0) == 0 and in_gen(1) + in_gen(2) == 1000
    gens: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gens.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        junk = [[] for _ in range(20 * gc.get_threshold()[0])]
    finally:
        gc.callbacks.remove(seen)
    assert 0 in gens and in_gen(0) == 0 and len(junk) > 0


def test_the_published_socket_calls_bullet_follows_its_own_profile() -> None:
    """The socket-calls bullet says where asyncio's 256 KiB reads offset Trio's costlier
    timeouts from the profile's own table: the words "at both client counts", written for
    an earlier run, outlived a rerun whose profile had Trio's socket calls the costlier at
    1,000 clients (2026-12-07)."""
    page = PUBLISHED.read_text(encoding="utf-8")
    published = page[page.index("## 7. "):page.index("## Reproduce")]
    header = next(line for line in published.splitlines()
                  if line.startswith("| component | trio, "))
    keys = [(cell.split(", ")[0], int(cell.split(", ")[1].split()[0].replace(",", "")))
            for cell in (c.strip() for c in header.strip("|").split("|")[1:])]
    row = next(line for line in published.splitlines()
               if line.startswith(f"| {server.NAMES[0]} |"))
    figures = [float(c) for c in row.strip("|").split("|")[1:]]
    prof = {k: {server.NAMES[0]: x} for k, x in zip(keys, figures, strict=True)}
    expected = f"Trio's `receive_some`){report._socket_note(prof)}."
    assert expected in " ".join(published.split()), expected
