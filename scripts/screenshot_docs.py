#!/usr/bin/env python3
"""Build the guide and take a screenshot of a lesson page, with both columns, for the README.

    .venv/bin/python scripts/screenshot_docs.py [--page lessons/count/] [--out docs/img/...]
    .venv/bin/python scripts/screenshot_docs.py --survey /tmp/shots   # every check, not committed

It builds the site with ``mkdocs build --strict`` into a temporary directory, serves it from a
stdlib ``http.server`` on 127.0.0.1 (a free port), and points headless Chromium at the page.
Chromium comes from Debian's packages (``apt-get install -y chromium``); it runs with a fresh
profile and with background networking, updates and sync turned off, so the only request it
makes is to the local server. The window is 1400 px wide: above Material's 76.25em breakpoint,
so the lesson's pair is laid out in two columns.

``--survey DIR`` takes the pictures the guide's layout is checked with (issue 15): the lesson
pages, the concept map and the divergence chapter at 1400 px and at 420 px (a phone), into DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
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
    # Material's end-of-life notice is printed on every build; it is news once, not each time.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=300, env=env)


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
            "--disable-quic",
            "--no-first-run",
            "--hide-scrollbars",
            # let the page settle (fonts, Material's scripts, the scroll to the anchor) first
            "--virtual-time-budget=5000",
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
    parser.add_argument("--survey", type=Path, metavar="DIR",
                        help="take the layout checks (1400 px and 420 px) into DIR instead")
    args = parser.parse_args()

    browser = next((b for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        parser.error("no Chromium found: apt-get install -y chromium")
    if args.survey is not None:
        args.survey.mkdir(parents=True, exist_ok=True)
        shots = [(page, anchor, args.survey / f"{name}-{width}.png", width, height)
                 for name, page, anchor in SURVEY for width, height in ((1400, 1000),
                                                                       (420, 2400))]
    else:
        out = (ROOT / args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        shots = [(args.page, args.anchor, out, args.width, args.height)]
    with tempfile.TemporaryDirectory(prefix="site-") as site:
        build(Path(site))
        with serve(Path(site)) as base:
            for page, anchor, path, width, height in shots:
                url = base + page + (f"#{anchor}" if anchor else "")
                if anchor:
                    # Headless Chromium's --screenshot of a page scrolled to an anchor paints
                    # the scrolled-away part blank; a frame that scrolls inside an unscrolled
                    # page does not.
                    frame = Path(site) / f"_frame-{path.stem}.html"
                    frame.write_text(
                        '<!doctype html><body style="margin:0;overflow:hidden">'
                        f'<iframe src="{url}" style="border:0;width:{width}px;'
                        f'height:{height}px"></iframe></body>', encoding="utf-8")
                    url = base + frame.name
                screenshot(browser, url, path, width, height)
                print(f"wrote {path}")
    return 0


#: (file stem, page, anchor) of the survey's pictures.
SURVEY = (
    ("count", "lessons/count/", "the-pair"),
    ("queue", "lessons/queue/", "the-pair"),
    ("crawler", "lessons/crawler/", "the-pair"),
    ("concepts", "concepts/", ""),
    ("divergences", "divergences/", ""),
)


if __name__ == "__main__":
    sys.exit(main())
