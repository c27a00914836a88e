"""Ctrl-C: a real SIGINT to a real child process running a lesson, in both versions.

This is the one place the suite runs lessons on the real clock: a signal arrives at a real
instant, between real syscalls, and no virtual clock can stand in for that. Each wait is
bounded, and each test takes a few seconds at most.

What must hold after the signal, for both frameworks:

* the process exits promptly (within ``PROMPT`` seconds) with status 130, the shell's code
  for "ended by SIGINT";
* stderr carries no traceback wall, no "Task was destroyed but it is pending", no
  "coroutine ... was never awaited", no ResourceWarning, no "Exception ignored": the child
  runs with ``-W error`` and ``PYTHONDEVMODE=1``, so a leaked socket or file, or an
  un-awaited coroutine, would show there;
* for the crawler, the TSV holds complete rows only: each page's rows are all there or none.

How the frameworks get there differs (DESIGN.md, "Facts about the stack"): ``asyncio.run``
cancels the main task and re-raises a bare ``KeyboardInterrupt``; ``trio.run`` delivers it
inside the run, where a nursery wraps it in a ``BaseExceptionGroup``, so a lesson catches it
with ``except* KeyboardInterrupt``.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from walkthrough.demosite import DemoSite

ROOT = Path(__file__).resolve().parent.parent
#: Seconds a process may take to exit after SIGINT.
PROMPT = 5.0
#: Seconds we wait for the first line of output before giving up.
FIRST_LINE = 20.0

NOISE = (
    "Traceback",
    "Task was destroyed but it is pending",
    "was never awaited",
    "ResourceWarning",
    "Exception ignored",
    "Unclosed",
    "unclosed",
)


@dataclass
class Interrupted:
    returncode: int
    stdout: str
    stderr: str
    #: seconds from SIGINT to exit
    exit_after: float


def _default_sigint() -> None:
    """Give the child the default SIGINT disposition even if ours is ignored.

    A shell running this suite in the background without job control starts it with SIGINT
    ignored, and a child inherits that: Python then installs no KeyboardInterrupt handler.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(
    args: list[str], *, ready: Callable[[str], bool] = lambda line: True,
    cwd: Path = ROOT, settle: float = 0.0,
) -> Interrupted:
    """Start ``python <args>``, wait for a stdout line that ``ready`` accepts, send SIGINT."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",      # lines reach us as printed, not at exit
        "PYTHONDEVMODE": "1",         # ResourceWarning and unawaited coroutines are reported
        "PYTHONWARNINGS": "error",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "100",
    }
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_default_sigint,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    out: list[str] = []
    err: list[str] = []

    # One reader thread per pipe, started at once: nothing else ever reads the pipes (not
    # communicate(), which would race with the readers), and neither pipe can fill up and
    # block the child.
    def pump_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.append(line)
            lines.put(line)
        lines.put(None)

    def pump_stderr() -> None:
        assert proc.stderr is not None
        err.extend(proc.stderr)

    readers = [threading.Thread(target=pump_stdout, daemon=True),
               threading.Thread(target=pump_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + FIRST_LINE
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no ready line within {FIRST_LINE} s: {''.join(out)[-2000:]}")
            if line is None:
                pytest.fail(f"the child ended before the signal: {''.join(out)[-2000:]}")
            if ready(line):
                break
        time.sleep(settle)  # real time on purpose: the signal must land mid-run
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=PROMPT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {PROMPT} s after SIGINT; stderr: {''.join(err)[-2000:]}")
        exit_after = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for reader in readers:
            reader.join(timeout=PROMPT)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    stderr = "".join(err)
    return Interrupted(proc.returncode, "".join(out), stderr, exit_after)


def assert_clean_exit(result: Interrupted) -> None:
    noise = [word for word in NOISE if word in result.stderr]
    assert not noise, f"noise on stderr {noise}:\n{result.stderr[-3000:]}"
    assert result.returncode == 130, (
        f"exit status {result.returncode} (-2 means killed by the signal, uncaught); "
        f"stderr:\n{result.stderr[-3000:]}")
    assert result.exit_after < PROMPT


def module_or_skip(name: str) -> str:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not written yet")
    return name


PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}


# --------------------------------------------------------------------------------------------
# The queue lesson: producers and consumers that would run for a minute; Ctrl-C after the
# first line.


def test_ctrl_c_stops_the_queue_lesson_cleanly(impl: str, request: pytest.FixtureRequest) -> None:
    module = module_or_skip(f"{PACKAGES[impl]}.queue")
    known_bug(request, "queue", impl)
    result = interrupt(["-m", module])
    assert_clean_exit(result)


# --------------------------------------------------------------------------------------------
# The crawler: a site whose pages keep it busy, Ctrl-C after the first rows are written.


def _rows(tsv: Path) -> list[list[str]]:
    text = tsv.read_text(encoding="utf-8")
    assert text.endswith("\n"), "the TSV ends in the middle of a row"
    return [line.split("\t") for line in text.split("\n")[:-1]]


#: Known failures of a lesson, waiting for its owner's fix: (test, impl) -> what and the fix.
#: Temporary by design: the xfail is strict, so the fix turns it into a failure to remove here.
KNOWN: dict[tuple[str, str], str] = {}


def known_bug(request: pytest.FixtureRequest, test: str, impl: str) -> None:
    reason = KNOWN.get((test, impl))
    if reason:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("entry", ["python -m", "walkthrough crawl"])
def test_ctrl_c_stops_the_crawler_leaving_complete_rows(
    impl: str, entry: str, tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    module = module_or_skip(f"{PACKAGES[impl]}.crawler")
    if entry == "walkthrough crawl":
        module_or_skip("walkthrough.commands.crawl")
    command = (["-m", module] if entry == "python -m"
               else ["-m", "walkthrough", "crawl", "--impl", impl])
    known_bug(request, "crawler", impl)
    out = tmp_path / "out.tsv"
    # Enough pages that the crawl is in full flow when the signal lands, plus one page that
    # answers only after a minute, so the crawl cannot simply finish first.
    with DemoSite(pages=3000, slow_seconds=60) as site:
        urls = [*site.page_urls(), site.url("slow.html")]
        url_file = tmp_path / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        result = interrupt(
            [*command, "--urls-file", str(url_file), "-o", str(out),
             "--concurrency", "50", "--timeout", "120"],
            ready=lambda line: line.startswith("Wrote results"),
        )
        expected = {
            site.url(f"page/{i}.html"): {
                link for link in site.page_links(i) if link.startswith(("http://", "https://"))
            }
            for i in range(site.pages)
        }
    assert_clean_exit(result)
    rows = _rows(out)
    assert rows[0] == ["source_url", "parsed_url"]
    assert all(len(row) == 2 for row in rows), [row for row in rows if len(row) != 2][:3]
    written: dict[str, set[str]] = {}
    for source, link in rows[1:]:
        written.setdefault(source, set()).add(link)
    assert written, "the signal came after rows were written: some must be there"
    assert len(written) < len(expected), "the crawl finished: the signal came too late"
    # Complete rows, and complete pages: a page written at all is written in full.
    for source, links in written.items():
        if source in expected:
            assert links == expected[source], source
    assert len(rows) - 1 == sum(len(links) for links in written.values()), "a row twice"
