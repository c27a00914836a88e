"""The crawlers' Ctrl-C and option checks, where a realistic slip would still pass.

``tests/test_sigint.py`` shows that one Ctrl-C, and two 30 ms apart, end a crawl with 130. But
the first alone ends that crawl promptly, so a crawler whose *second* Ctrl-C did nothing (a
third needed) passes it too. Here the crawl's cleanup hangs after the first, so only the second
can end it. The asyncio twin cancels its pages on the way out only if gather has not already
(a second cancel breaks into a page's wait for its append and leaks the TSV's handle); here
the appends are held in the kernel (the output is a FIFO nobody reads yet) when Ctrl-C comes,
so a page cancelled twice shows. And ``--timeout 0`` (or any value that is not a positive
number) is a usage error, not a crawl where every URL times out.

Each crawl is a real child process (``-W error``, ``PYTHONDEVMODE=1``) with a real SIGINT,
against a real server on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile_server import HostileServer
from tests.signals import NOISE, PROMPT, ROOT, assert_clean_exit, default_sigint, interrupt

PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
ENTRIES = ["python -m", "walkthrough crawl"]

pytestmark = pytest.mark.timeout(120)


# -- a second Ctrl-C that needs a third ---------------------------------------------------------

#: The crawl replaced by one whose cleanup, after the first Ctrl-C, takes long. asyncio: 60 s
#: of an ordinary await, which only the second Ctrl-C can end. Trio: a shield bounded at 2 s,
#: as the crawler bounds its own two (a cancelled Trio task cannot wait anywhere else, and a
#: KeyboardInterrupt raised in the watcher task cannot cut a shield short: there the second
#: Ctrl-C must end the run as soon as the shield ends, quietly, with 130).
_STUBBORN = """
import sys
from pathlib import Path

impl, out = sys.argv[1], sys.argv[2]
if impl == "trio":
    import trio
    from trio_port import crawler

    async def stubborn(*args, **kwargs):
        print("crawling", flush=True)
        try:
            await trio.sleep_forever()
        finally:
            with trio.move_on_after(2, shield=True):
                print("cleaning up", flush=True)
                await trio.sleep(60)
else:
    import asyncio
    from asyncio_ref import crawler

    async def stubborn(*args, **kwargs):
        print("crawling", flush=True)
        try:
            await asyncio.sleep(3600)
        finally:
            print("cleaning up", flush=True)
            await asyncio.sleep(60)

crawler.bulk_crawl_and_write = stubborn
crawler.exit_quietly(crawler.crawl(["http://127.0.0.1:1/"], Path(out)))
"""


def test_the_second_ctrl_c_ends_a_crawl_whose_cleanup_hangs(impl: str, tmp_path: Path) -> None:
    """First Ctrl-C: the crawl is cancelled and its cleanup hangs. Second, a second later:
    exit 130 (within ``PROMPT``, 5 s, of the first), quietly, with the summary. A third is
    never needed: in asyncio, a crawler that waited for one would wait out the 60 s."""
    result = interrupt(["-c", _STUBBORN, impl, str(tmp_path / "out.tsv")],
                       ready=lambda line: line == "crawling\n", again_after=1.0)
    assert "cleaning up" in result.stdout, "the first Ctrl-C did not reach the crawl"
    assert_clean_exit(result)
    assert "interrupted: pages 0" in result.stderr


# -- tasks cancelled twice ----------------------------------------------------------------------

_TO_FIFO = """
import sys
from pathlib import Path

impl, out, *urls = sys.argv[1:]
if impl == "trio":
    from trio_port import crawler
else:
    from asyncio_ref import crawler
crawler.exit_quietly(crawler.crawl(urls, Path(out), concurrency=len(urls)))
"""

PAGES = 5


def test_ctrl_c_while_appends_wait_leaks_nothing_and_writes_whole_pages(
    impl: str, tmp_path: Path,
) -> None:
    """Ctrl-C while five pages' rows wait to be written (the TSV is a FIFO no one reads yet,
    so each open waits in the kernel, in a worker thread) and a sixth page is still arriving
    (its server stalls). Then the reader comes.

    The stalled page ends at once on Ctrl-C; in asyncio, gather then returns, and the crawl
    cancels what is left. The pages waiting for their append had been cancelled already (by
    gather): cancelled again, their wait breaks, the thread's file is never closed
    ("ResourceWarning: unclosed file" on stderr). Each page must see its append through, and
    only whole pages be written. Exit 130, quietly.
    """
    fifo = tmp_path / "out.tsv"
    os.mkfifo(fifo)
    with HostileServer() as server:
        urls = [server.url("/page") for _ in range(PAGES)] + [server.url("/stall")]
        proc = subprocess.Popen(
            [sys.executable, "-W", "error", "-c", _TO_FIFO, impl, str(fifo), *urls],
            cwd=ROOT, env=_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=default_sigint)
        try:
            out, err, data = _interrupt_then_read(proc, fifo)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    noise = [word for word in NOISE if word in err]
    assert not noise, f"noise on stderr {noise}:\n{err[-3000:]}"
    assert proc.returncode == 130, err[-3000:]
    rows = data.decode().split("\n")
    assert rows[-1] == "", f"half a row at the end: {rows[-1]!r}"
    written = [row.split("\t") for row in rows[:-1]]
    assert all(len(row) == 2 and row[0] in urls for row in written), written
    assert all(link == "http://example.org/ok" for _, link in written), written
    assert len({url for url, _ in written}) == len(written), "a page written twice"
    assert out.count("Found 1 links") == PAGES


def _interrupt_then_read(proc: subprocess.Popen[str], fifo: Path) -> tuple[str, str, bytes]:
    """Wait for every page to be parsed, send SIGINT, let it land, then read the FIFO (kept
    open until the child exits, so no late writer can block on an absent reader)."""
    assert proc.stdout is not None and proc.stderr is not None
    out: list[str] = []
    err: list[str] = []
    found = threading.Event()

    def pump_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.append(line)
            if (sum(x.startswith("Found") for x in out) == PAGES
                    and any(x.startswith("Got response") and "/stall" in x for x in out)):
                found.set()

    def pump_stderr() -> None:
        assert proc.stderr is not None
        err.extend(proc.stderr)

    readers = [threading.Thread(target=pump_stdout, daemon=True),
               threading.Thread(target=pump_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    assert found.wait(30), "".join(out)
    time.sleep(0.3)  # real time: the appends are now waiting in their threads
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)  # real time: the cancellation reaches every page before the reader comes
    data = b""
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + PROMPT
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = b""
            data += chunk
            if not chunk:
                if proc.poll() is not None:
                    break
                time.sleep(0.01)
        else:
            pytest.fail(f"still running {PROMPT} s after the reader came: {''.join(err)[-2000:]}")
    finally:
        os.close(fd)
    proc.wait(timeout=PROMPT)
    for reader in readers:
        reader.join(timeout=PROMPT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()
    return "".join(out), "".join(err), data


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1",
            "PYTHONWARNINGS": "error", "PYTHONUNBUFFERED": "1"}


# -- --timeout 0 --------------------------------------------------------------------------------


def _command(impl: str, entry: str) -> list[str]:
    if entry == "python -m":
        return [sys.executable, "-W", "error", "-m", f"{PACKAGES[impl]}.crawler"]
    return [sys.executable, "-W", "error", "-m", "walkthrough", "crawl", "--impl", impl]


NOT_POSITIVE = [
    ("--timeout", "0"), ("--timeout", "-0.5"), ("--timeout", "-0"), ("--concurrency", "0"),
    ("--max-bytes", "0"), ("--timeout", "nan"), ("--timeout", "NaN"),
]


@dataclass
class Refused:
    """One run with a value that is not positive: the child, its URL's target, its TSV."""
    proc: subprocess.Popen[str]
    target: str
    out: Path


@pytest.fixture(scope="module")
def refused_runs(tmp_path_factory: pytest.TempPathFactory,
                 ) -> Iterator[tuple[HostileServer, dict[tuple[str, str, tuple[str, str]],
                                                          Refused]]]:
    """Every (impl, entry, option) run of the test below, started at once against one server
    (each its own URL, so each test sees its own requests, if any): 28 children that only
    start, read their arguments and stop, one after another, were 17 s of the suite."""
    runs: dict[tuple[str, str, tuple[str, str]], Refused] = {}
    with HostileServer() as server:
        try:
            for impl in PACKAGES:
                for entry in ENTRIES:
                    for option in NOT_POSITIVE:
                        url = server.url("/page")
                        out = tmp_path_factory.mktemp("refused") / "out.tsv"
                        proc = subprocess.Popen(
                            [*_command(impl, entry), url, "-o", str(out), *option],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())
                        runs[impl, entry, option] = Refused(
                            proc, url.removeprefix(server.base), out)
            yield server, runs
        finally:
            for run in runs.values():  # a test that ran has read and closed its pipes
                if run.proc.poll() is None:
                    run.proc.kill()
                for pipe in (run.proc.stdout, run.proc.stderr):
                    if pipe is not None:
                        pipe.close()
                run.proc.wait()


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("option", NOT_POSITIVE,
                         ids=lambda o: "=".join(o) if isinstance(o, tuple) else o)
def test_a_value_that_is_not_positive_is_a_usage_error(
    impl: str, entry: str, option: tuple[str, str],
    refused_runs: tuple[HostileServer, dict[tuple[str, str, tuple[str, str]], Refused]],
) -> None:
    """``--timeout 0`` would fail every URL at once (``fail_after(0)``, ``timeout(0)``): exit 2,
    one line naming the rule, nothing crawled, no TSV started. ``nan`` passed ``nan <= 0``, and
    every URL failed: ``[timeout]`` in asyncio, ``[other]`` (Trio's ValueError) in Trio."""
    server, runs = refused_runs
    run = runs[impl, entry, option]
    try:
        stdout, stderr = run.proc.communicate(timeout=60)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.communicate()
    requests = [target for target, _ in list(server.requests) if target == run.target]
    assert run.proc.returncode == 2, stdout + stderr
    assert "--concurrency, --timeout and --max-bytes must be positive" in stderr
    assert "Traceback" not in stderr
    assert requests == [] and not run.out.exists()


@pytest.mark.parametrize("entry", ENTRIES)
def test_the_smallest_sensible_values_crawl(impl: str, entry: str, tmp_path: Path) -> None:
    """A timeout that is not a whole number, one URL at a time, a cap just over the page:
    accepted, and the page is crawled (a slip that reads ``--timeout`` as an integer, or
    refuses a concurrency of 1, shows)."""
    out = tmp_path / "out.tsv"
    with HostileServer() as server:
        url = server.url("/page")
        done = subprocess.run([*_command(impl, entry), url, "-o", str(out), "--timeout", "2.5",
                               "--concurrency", "1", "--max-bytes", "100"],
                              capture_output=True, text=True, env=_env(), timeout=60,
                              check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [f"{url}\thttp://example.org/ok"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_timeout_of_inf_is_no_limit(impl: str, entry: str, tmp_path: Path) -> None:
    """``--timeout inf`` is what ``--help`` says, no limit: the page is crawled, in both (a check
    that refused every value that is not finite, or one that took inf for 0, shows)."""
    out = tmp_path / "out.tsv"
    with HostileServer() as server:
        url = server.url("/page")
        done = subprocess.run([*_command(impl, entry), url, "-o", str(out), "--timeout", "inf"],
                              capture_output=True, text=True, env=_env(), timeout=60,
                              check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "inf: no limit" in subprocess.run([*_command(impl, entry), "--help"],
                                             capture_output=True, text=True, env=_env(),
                                             timeout=60, check=True).stdout
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [f"{url}\thttp://example.org/ok"]
