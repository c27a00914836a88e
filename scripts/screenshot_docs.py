#!/usr/bin/env python3
"""Build the guide and take a screenshot of a lesson page, with both columns, for the README.

    .venv/bin/python scripts/screenshot_docs.py [--page lessons/count.html] [--out docs/img/...]
    .venv/bin/python scripts/screenshot_docs.py --survey /tmp/shots   # every check, not committed
    .venv/bin/python scripts/screenshot_docs.py --check               # the layout, measured

It builds the site with ``mkdocs build --strict`` into a temporary directory, serves it from a
stdlib ``http.server`` on 127.0.0.1 (a free port), and points headless Chromium at the page.
Chromium comes from Debian's packages (``python3 tasks.py system`` installs it); it runs with a
fresh profile and with background networking, updates and sync turned off, so the only request
it makes is to the local server. The window is 1400 px wide: above Material's 76.25em
breakpoint, so the lesson's pair is laid out in two columns.

``--survey DIR`` takes the pictures the guide's layout is checked with (issue 15): the lesson
pages, the concept map and the divergence chapter at 1400 px and at 420 px (a phone), into DIR.

``--check`` measures, instead of pictures, what the pictures of issue 26 (item 9) showed: every
page at 1400 px and at 420 px, in the browser (scripts/layout_probe.js), for tables and code
blocks wider than their room, a copy button over a first line, names in the concept map's
asyncio and Trio columns broken across lines, and pictures (SVG) drawn so small that their text
is under 8 px or wider than their paragraph (a sideways scroll). It prints what it finds and
exits 1 if anything; tests/test_pages_layout.py runs the same measurement.

Headless Chromium will not make its window narrower than 500 px, so a 420 px page is laid out
in a 420 px frame inside a wider window (the picture then has a blank strip on its right).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import http.server
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: The widths the guide is checked at: a desktop (the pair in two columns) and a phone.
WIDTHS = (1400, 420)
#: Headless Chromium's narrowest window; a narrower page is laid out in a frame.
MIN_WINDOW = 500
PROBE = Path(__file__).resolve().with_name("layout_probe.js")
PROBE_MARK = "<!-- layout-probe -->"


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


def find_browser() -> str | None:
    return next((b for b in BROWSERS if shutil.which(b)), None)


def chromium(browser: str, profile: str, width: int, height: int, budget_ms: int) -> list[str]:
    """The command line common to pictures and measurements, without the URL."""
    return [
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
        f"--virtual-time-budget={budget_ms}",
        f"--user-data-dir={profile}",
        f"--window-size={max(width, MIN_WINDOW)},{height}",
    ]


def screenshot(browser: str, url: str, out: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [*chromium(browser, profile, width, height, 5000), f"--screenshot={out}", url]
        subprocess.run(cmd, check=True, timeout=120, capture_output=True)


def pages(site: Path) -> list[str]:
    """Every page of a built site, as paths relative to it (not the 404 page)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.name != "404.html" and not p.name.startswith("_"))


def measure(browser: str, site: Path, width: int) -> dict[str, dict[str, Any]]:
    """Every page of the built ``site`` laid out ``width`` px wide, measured by
    scripts/layout_probe.js: {page: its findings}. The probe is written into the pages (a
    throwaway build), each page is framed at ``width`` in one page of frames, and Chromium
    prints that page once every frame has reported (``--dump-dom``). A page that never
    reports is missing from the result."""
    probe = PROBE.read_text(encoding="utf-8")
    names = pages(site)
    for name in names:
        page = site / name
        text = page.read_text(encoding="utf-8")
        if PROBE_MARK not in text:
            page.write_text(text.replace("</body>", f"{PROBE_MARK}<script>{probe}</script></body>",
                                         1), encoding="utf-8")
    frames = "".join(f'<iframe src="{name}" style="display:block;border:0;width:{width}px;'
                     f'height:900px"></iframe>' for name in names)
    frame = site / f"_probe-{width}.html"
    # Each report replaces the last list, so what Chromium prints is every report so far.
    frame.write_text(
        '<!doctype html><body style="margin:0">' + frames + "<script>var got = [];"
        'window.addEventListener("message", function (e) { got.push(JSON.parse(e.data));'
        ' var old = document.getElementById("layout-probe"); if (old) { old.remove(); }'
        ' var pre = document.createElement("pre"); pre.id = "layout-probe";'
        " pre.textContent = JSON.stringify(got); document.body.appendChild(pre); });"
        "</script></body>", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        # Virtual time: 25 pages' scripts and the probe's second run in seconds of real time.
        cmd = [*chromium(browser, profile, width, 900, 30000), "--dump-dom", frame.as_uri()]
        done = subprocess.run(cmd, timeout=300, capture_output=True, text=True)
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', done.stdout, re.DOTALL)
    if found is None:
        raise RuntimeError(f"no page reported at {width} px: {done.stderr[-2000:]}")
    reports: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    results = {Path(unquote(str(r["page"]))).relative_to(site).as_posix(): r for r in reports}
    root = site.resolve()
    for r in results.values():
        for image in r["images"]:
            # the file drawn (the probe gives its URL), as a path in the site
            image["src"] = Path(unquote(urlsplit(image["src"]).path)).resolve() \
                .relative_to(root).as_posix()
        r["small_text"] = [
            {"src": image["src"], "px": round(px, 1)} for image in r["images"]
            if image["src"].endswith(".svg")
            and (px := smallest_text(site / image["src"], image["width"])) < MIN_TEXT_PX]
        r["wide_pictures"] = [image["src"] for image in r["images"] if image["wider"]]
    return results


#: The smallest text a picture may be drawn with, in CSS px: below it, labels are a blur.
MIN_TEXT_PX = 8.0
FONT_SIZE = re.compile(r"font(?:-size)?:[^;}\"]*?(\d+(?:\.\d+)?)px")


def smallest_text(path: Path, drawn_width: float) -> float:
    """The smallest font of the SVG picture at ``path``, in px as drawn ``drawn_width`` px
    wide: its smallest font-size scaled by drawn width / viewBox width."""
    svg = path.read_text(encoding="utf-8")
    view_box = re.search(r'viewBox="[\d.\s-]*?\s([\d.]+)\s+[\d.]+"', svg)
    assert view_box is not None, f"{path} has no viewBox"
    sizes = [float(size) for size in FONT_SIZE.findall(svg)]
    return min(sizes, default=math.inf) * drawn_width / float(view_box.group(1))


def problems(width: int, results: dict[str, dict[str, Any]]) -> list[str]:
    """The findings of :func:`measure`, one line each."""
    lines = []
    for page, r in sorted(results.items()):
        if r["page_wider"]:
            lines.append(f"{width} px {page}: the page is wider than the window")
        for kind, what in (("tables", "table wider than its room"),
                           ("code", "code block wider than its room"),
                           ("covered", "copy button over the first line"),
                           ("broken", "name broken across lines"),
                           ("small_text", "picture whose text is too small to read"),
                           ("wide_pictures", "picture wider than its room (a sideways scroll)")):
            for item in r[kind]:
                lines.append(f"{width} px {page}: {what}: {json.dumps(item, ensure_ascii=False)}")
    return lines


def check(browser: str) -> int:
    with tempfile.TemporaryDirectory(prefix="site-") as site:
        build(Path(site))
        found = []
        for width in WIDTHS:
            results = measure(browser, Path(site), width)
            found += [f"{width} px {page}: never reported (did it load?)"
                      for page in pages(Path(site)) if page not in results]
            found += problems(width, results)
    print("\n".join(found) or f"every page reads at {' and '.join(map(str, WIDTHS))} px")
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="lessons/count.html",
                        help="the page, relative to the site")
    parser.add_argument("--anchor", default="the-pair", help="scroll to this heading")
    parser.add_argument("--out", default="docs/img/lesson-count.png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--survey", type=Path, metavar="DIR",
                        help="take the layout checks (1400 px and 420 px) into DIR instead")
    parser.add_argument("--check", action="store_true",
                        help="measure every page at 1400 px and 420 px; exit 1 on a problem")
    args = parser.parse_args()

    browser = find_browser()
    if browser is None:
        parser.error("no Chromium found: python3 tasks.py system")
    if args.check:
        return check(browser)
    if args.survey is not None:
        args.survey.mkdir(parents=True, exist_ok=True)
        shots = [(page, anchor, args.survey / f"{name}-{width}.png", width, height)
                 for name, page, anchor in SURVEY for width, height in zip(WIDTHS,
                                                                          (1000, 2400),
                                                                          strict=True)]
    else:
        out = (ROOT / args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        shots = [(args.page, args.anchor, out, args.width, args.height)]
    with tempfile.TemporaryDirectory(prefix="site-") as site:
        build(Path(site))
        with serve(Path(site)) as base:
            for page, anchor, path, width, height in shots:
                url = base + page + (f"#{anchor}" if anchor else "")
                if anchor or width < MIN_WINDOW:
                    # Headless Chromium's --screenshot of a page scrolled to an anchor paints
                    # the scrolled-away part blank; a frame that scrolls inside an unscrolled
                    # page does not. A frame is also how a page gets narrower than the window.
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
    ("count", "lessons/count.html", "the-pair"),
    ("queue", "lessons/queue.html", "the-pair"),
    ("crawler", "lessons/crawler.html", "the-pair"),
    ("concepts", "concepts.html", ""),
    ("divergences", "divergences.html", ""),
    ("benchmarks", "benchmarks.html", ""),
    ("bridge", "migration/bridge.html", ""),
)


if __name__ == "__main__":
    sys.exit(main())
