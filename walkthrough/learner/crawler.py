"""Checking the crawler, offline: the reference and the port crawl the local demo site.

The crawler is the one lesson with real I/O, so it has no virtual trace to compare:
:func:`check_crawler` serves :class:`walkthrough.demosite.DemoSite` on 127.0.0.1, crawls it
with asyncio_ref's crawler and with the port, and compares the TSV (header, rows as a set:
pages finish in any order) and, per URL, the events in order (an error by its category only,
the normalisation of tests/test_crawler.py).

Separate because nothing else here touches sockets or files, and its comparison and its
report are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import types
from collections import Counter
from pathlib import Path

import trio
import trio.testing

from walkthrough import catalogue
from walkthrough.learner.explain import _lines, causes, clean
from walkthrough.learner.guard import _Watch
from walkthrough.learner.report import EQUIVALENT, NOT_EQUIVALENT, header

#: The lines a crawl prints, and the event each stands for: the normalisation of
#: tests/test_crawler.py (an error keeps its category; the libraries word it differently).
CRAWL_FORMS = (
    (re.compile(r"Got response \[(\d+)\] for URL: (\S+)$"), "got {0}"),
    (re.compile(r"Found (\d+) links for (\S+)$"), "found {0}"),
    (re.compile(r"Wrote results for source URL: ()(\S+)$"), "wrote"),
    (re.compile(r"Error \[([a-z-]+)\] for URL: (\S+) - .+$"), "error {0}"),
)

#: Seconds per URL and bytes per body for the offline check (the demo site is local).
CRAWL_TIMEOUT, CRAWL_MAX_BYTES, CRAWL_PAGES = 5.0, 50_000, 30

#: A link dropped by ``parse`` (it would break a TSV row): compared as printed.
BAD_LINK = re.compile(r"Error parsing URL: (.+)$")


def crawl_events(lines: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Per URL, its events in order; and the other lines, sorted ("Error parsing URL")."""
    by_url: dict[str, list[str]] = {}
    other = []
    for line in lines:
        for form, event in CRAWL_FORMS:
            if m := form.match(line):
                by_url.setdefault(m[2], []).append(event.format(m[1]))
                break
        else:
            other.append(line)
    return by_url, sorted(other)


def _crawl(module: types.ModuleType, impl: str, urls: list[str], out: Path) -> tuple[str,
                                                                                      list[str]]:
    import io

    out.write_text("source_url\tparsed_url\n", encoding="utf-8")
    crawl = functools.partial(module.bulk_crawl_and_write, out, list(urls), concurrency=8,
                              url_timeout=CRAWL_TIMEOUT, max_bytes=CRAWL_MAX_BYTES)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if impl == "asyncio":
            asyncio.run(crawl())
        else:
            trio.run(crawl)
    return out.read_text(encoding="utf-8"), printed.getvalue().splitlines()


def check_crawler(module: types.ModuleType, path: Path, impl: str, workdir: Path,
                  watch: _Watch | None = None) -> tuple[int, str]:
    """Crawl the local demo site with asyncio_ref's crawler and with ``module``; compare.

    What must match: the TSV's header, its rows (as a set: pages finish in any order), and
    per URL the same events in the same order, an error by its category only.
    """
    from walkthrough.demosite import DemoSite

    with DemoSite(pages=CRAWL_PAGES, big_bytes=4 * CRAWL_MAX_BYTES) as site:
        urls = site.page_urls() + [site.url(p) for p in _faults()] + [site.refused_url]
        ref_tsv, ref_lines = _crawl(catalogue.get("crawler").load("asyncio"), "asyncio", urls,
                                    workdir / "reference.tsv")
        head = [header(catalogue.get("crawler"), path, impl),
                f"  {len(urls)} URLs of the local demo site ({site.base_url})"]
        cm = watch.limited("crawl") if watch else contextlib.nullcontext()
        try:
            with cm:
                tsv, lines = _crawl(module, impl, urls, workdir / "yours.tsv")
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return NOT_EQUIVALENT, "\n".join(
                [*head, "NOT equivalent: your crawl raised:", *causes(exc, path, impl)])
    problems = []
    if tsv.splitlines()[:1] != ref_tsv.splitlines()[:1]:
        problems.append(f"the TSV's header: expected {clean(ref_tsv.splitlines()[0])!s}, "
                        f"got {_lines(tsv.splitlines()[:1])}")
    want_rows, got_rows = Counter(ref_tsv.splitlines()[1:]), Counter(tsv.splitlines()[1:])
    for row in sorted((want_rows - got_rows).elements())[:5]:
        problems.append(f"a row is missing: {clean(row)}")
    for row in sorted((got_rows - want_rows).elements())[:5]:
        problems.append(f"a row that should not be there: {clean(row)}")
    want_events, want_other = crawl_events(ref_lines)
    got_events, other = crawl_events(lines)
    for url in list(dict.fromkeys([*want_events, *got_events])):
        if want_events.get(url) != got_events.get(url):
            mine = [s for s in lines if url in s]
            problems.append(f"for {clean(url)}: expected events "
                            f"{', '.join(want_events.get(url, [])) or '(none)'}; your port "
                            f"printed: {_lines(mine)}")
    for line in sorted((Counter(want_other) - Counter(other)).elements())[:3]:
        problems.append(f"a line is missing: {clean(line)}")
    for line in sorted((Counter(other) - Counter(want_other)).elements())[:3]:
        problems.append(f"a line that should not be there: {clean(line)}")
    if problems:
        return NOT_EQUIVALENT, "\n".join(
            [*head, f"NOT equivalent ({len(problems)} difference"
             f"{'s' if len(problems) != 1 else ''}; the first 10):",
             *(f"  {p}" for p in problems[:10])])
    return EQUIVALENT, "\n".join(
        [*head, f"equivalent: the same {len(want_rows)} rows and the same events for every "
                "URL (an error compared by its category)."])


def short_of_unfinished(text: str) -> str:
    """The crawl's report, for a port with bodies still the skeleton's: its last line, if it
    is the verdict "equivalent: the same N rows...", said as what it is, the crawl's result.

    The check crawls with ``bulk_crawl_and_write`` only: a port can match there with ``crawl``
    or ``_until_ctrl_c`` unwritten, and the report's verdict is then the note that names them
    (NOT equivalent), which a line beginning "equivalent" above it must not contradict.
    """
    lines = text.splitlines()
    if lines and lines[-1].startswith("equivalent: "):
        lines[-1] = "  bulk_crawl_and_write on the demo site: " + lines[-1][len("equivalent: "):]
    return "\n".join(lines)


def _faults() -> tuple[str, ...]:
    from walkthrough.demosite import FAULTS

    return FAULTS
