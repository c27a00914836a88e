#!/usr/bin/env python3
"""Build the guide and take a screenshot of a lesson page, with both columns, for the README.

    .venv/bin/python scripts/screenshot_docs.py [--page lessons/count/] [--out docs/img/...]

It builds the site with ``mkdocs build --strict`` into a temporary directory, serves it from a
stdlib ``http.server`` on 127.0.0.1 (a free port), and points headless Chromium at the page.
Chromium comes from Debian's packages (``apt-get install -y chromium``); it runs with a fresh
profile and with background networking, updates and sync turned off, so the only request it
makes is to the local server. The window is 1400 px wide: above Material's 76.25em breakpoint,
so the lesson's pair is laid out in two columns.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yield the base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build(site: Path) -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)]
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=300)


def screenshot(browser: str, url: str, out: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            url,
        ]
        subprocess.run(cmd, check=True, timeout=120, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="lessons/count/", help="the page, relative to the site")
    parser.add_argument("--anchor", default="the-pair", help="scroll to this heading")
    parser.add_argument("--out", default="docs/img/lesson-count.png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()

    browser = next((b for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        parser.error("no Chromium found: apt-get install -y chromium")
    out = (ROOT / args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="site-") as site:
        build(Path(site))
        with serve(Path(site)) as base:
            url = base + args.page + (f"#{args.anchor}" if args.anchor else "")
            screenshot(browser, url, out, args.width, args.height)
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
