"""Print the figures of docs/reliability.md's bomb table: ``python -m tests.measure_bombs``.

Each crawl runs as a child process against ``tests/hostile_server.py``: peak RSS is the child's
own ``VmHWM`` (``tests/peak_rss.py``), open descriptors are sampled from ``/proc/<pid>/fd``
every 5 ms, time is wall time from start to exit. For Ctrl-C, the time is from the signal
(sent once the first response is in) to the exit. The tests assert sizes, never these times.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.hostile_server import HostileServer, brotli_bomb, zstd_bomb

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"asyncio": "asyncio_ref", "trio": "trio_port"}


def measure(impl: str, urls: list[str], *flags: str, ctrl_c: bool = False) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "peak_rss.py"), str(peak),
             f"{PACKAGES[impl]}.crawler", *urls, "-o", str(Path(tmp) / "o.tsv"), *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        fds = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                with contextlib.suppress(OSError):
                    fds[0] = max(fds[0], len(os.listdir(f"/proc/{proc.pid}/fd")))
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stdout is not None
        if ctrl_c:
            for line in proc.stdout:
                if line.startswith("Got response"):
                    break
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=300)
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        errors = sorted({line.split(" for URL")[0] for line in out.splitlines()
                         if line.startswith("Error")})
        return (f"{impl:<8} exit {proc.returncode:<4} {int(peak.read_text()) / 1024:7.1f} MB "
                f"{seconds:6.2f} s  fds {fds[0]:<4} {', '.join(errors)}")


def main() -> None:
    brotli_bomb(1024), zstd_bomb(1024)  # built before the clock runs
    with HostileServer() as server:
        cases = {
            "20 gzip bombs (10 GiB each), c=20":
                ([server.url("/bomb/gzip/10240") for _ in range(20)], ["--concurrency", "20"]),
            "20 deflate bombs (10 GiB each), c=20":
                ([server.url("/bomb/deflate/10240") for _ in range(20)], ["--concurrency", "20"]),
            "1 brotli bomb (1 GiB)": ([server.url("/bomb/br/1024")], []),
            "20 brotli bombs (1 GiB each), c=20":
                ([server.url("/bomb/br/1024") for _ in range(20)], ["--concurrency", "20"]),
            "20 zstd bombs (1 GiB each), c=20":
                ([server.url("/bomb/zstd/1024") for _ in range(20)], ["--concurrency", "20"]),
            "5 dripping gzip bombs, --timeout 1":
                ([server.url("/bomb/gzip/10240/slow") for _ in range(5)],
                 ["--timeout", "1", "--max-bytes", "100000000"]),
        }
        for name, (urls, flags) in cases.items():
            print(name)
            for impl in PACKAGES:
                print("  " + measure(impl, urls, *flags), flush=True)
        print("Ctrl-C during 20 dripping gzip bombs, c=20 (time: signal to exit)")
        urls = [server.url("/bomb/gzip/10240/slow") for _ in range(20)]
        for impl in PACKAGES:
            print("  " + measure(impl, urls, "--concurrency", "20", "--max-bytes", "100000000",
                                 ctrl_c=True), flush=True)


if __name__ == "__main__":
    main()
