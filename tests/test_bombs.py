"""Decompression bombs: ``--max-bytes`` bounds the decoded bytes *and* the memory, in both twins.

A bomb is a small compressed body that inflates to gigabytes (``tests/hostile_server.py``
streams 10 GiB of zeros as a 10 MB gzip body, or 1 GiB of them as an 800-byte brotli body).
httpx's own decoder inflated each network chunk whole before the crawler's cap was checked:
one gzip bomb cost the Trio crawler 281 MB, twenty of them 2.7 GB, and a brotli bomb held
the event loop for 44 s, past ``--timeout`` and Ctrl-C. aiohttp decoded with a limit, but a
brotli decoder allocates its window (up to 16 MiB) whatever the limit: twenty brotli bombs cost
the asyncio twin 366 MB. Both twins now read raw bytes, decode gzip and deflate in bounded steps
(``_decode.py``, the same file in both) and ask for nothing else; br and zstd are refused
before a decoder for them exists.

Each crawl runs as a real child process (``-W error``), wrapped by ``tests/peak_rss.py``,
which reads the child's own peak RSS (``VmHWM``) at exit. Sizes, not speeds, are asserted;
the time each run took is in docs/reliability.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile_server import HostileServer
from tests.signals import assert_clean_exit, interrupt

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}
BOMBS = 20
#: The goal of issue 12: twenty bombs at concurrency 20 stay under this.
LIMIT_KB = 100 * 1024


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_kb: int
    seconds: float


def crawl_measured(impl: str, urls: list[str], tmp: Path, *flags: str) -> Measured:
    out, peak = tmp / "out.tsv", tmp / "peak.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "tests" / "peak_rss.py"), str(peak),
         f"{PACKAGES[impl]}.crawler", *urls, "-o", str(out), *flags],
        capture_output=True, text=True, env=env, timeout=150, check=False)
    seconds = time.monotonic() - started
    return Measured(done.returncode, done.stdout, done.stderr,
                    int(peak.read_text(encoding="ascii")), seconds)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with HostileServer() as s:
        yield s


def errors(stdout: str) -> list[str]:
    return [line.split(" for URL")[0] for line in stdout.splitlines() if line.startswith("Error")]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_twenty_bombs_stay_under_100_mb(impl: str, encoding: str, server: HostileServer,
                                        tmp_path: Path) -> None:
    """20 bodies of 10 GiB each (10 MB on the wire) at concurrency 20: each is "too large"."""
    urls = [server.url(f"/bomb/{encoding}/10240") for _ in range(BOMBS)]
    run = crawl_measured(impl, urls, tmp_path, "--concurrency", "20", "--timeout", "60")
    assert errors(run.stdout) == ["Error [too-large]"] * BOMBS, run.stdout[-2000:]
    assert "Traceback" not in run.stderr
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb} kB in {run.seconds:.1f} s"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_twenty_bombs_not_asked_for_are_refused_under_100_mb(
    impl: str, encoding: str, server: HostileServer, tmp_path: Path,
) -> None:
    """20 brotli bodies of 1 GiB (800 bytes on the wire), or zstd ones, at concurrency 20.

    A brotli decoder keeps a ring buffer as large as the stream's window, up to 16 MiB, from
    its first output, however small its steps: twenty cost 366 MB (asyncio) and 400 MB (Trio)
    while they were decoded. Neither twin asks for br or zstd, and a body sent anyway is a
    "decode" error, refused before any decoder for it exists.
    """
    urls = [server.url(f"/bomb/{encoding}/1024") for _ in range(BOMBS)]
    run = crawl_measured(impl, urls, tmp_path, "--concurrency", "20", "--timeout", "60")
    assert errors(run.stdout) == ["Error [decode]"] * BOMBS, run.stdout[-2000:]
    assert "Traceback" not in run.stderr
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb} kB"


def test_a_bomb_in_a_redirect_is_never_read(impl: str, server: HostileServer,
                                            tmp_path: Path) -> None:
    """A 302 whose body is a 10 GiB bomb: the redirect is followed, its body left unread."""
    run = crawl_measured(impl, [server.url("/redirect-bomb/gzip/10240")], tmp_path)
    assert errors(run.stdout) == [], run.stdout
    assert "Wrote results" in run.stdout
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb} kB"


def test_slow_bombs_hit_the_timeout(impl: str, server: HostileServer, tmp_path: Path) -> None:
    """Bombs that drip in (256 KiB inflated every 50 ms) under a cap they never reach."""
    urls = [server.url("/bomb/gzip/10240/slow") for _ in range(5)]
    run = crawl_measured(impl, urls, tmp_path, "--timeout", "1", "--max-bytes", "100000000")
    assert errors(run.stdout) == ["Error [timeout]"] * 5, run.stdout[-2000:]


def test_ctrl_c_during_bombs_exits_130_quietly(impl: str, server: HostileServer,
                                               tmp_path: Path) -> None:
    urls = [server.url("/bomb/gzip/10240/slow") for _ in range(BOMBS)]
    result = interrupt(["-m", f"{PACKAGES[impl]}.crawler", *urls, "-o", str(tmp_path / "o.tsv"),
                        "--timeout", "60", "--max-bytes", "100000000"],
                       ready=lambda line: line.startswith("Got response"), settle=0.2)
    assert_clean_exit(result)
