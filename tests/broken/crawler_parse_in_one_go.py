"""Broken on purpose: the Trio crawler's ``parse`` finds and checks every link in one step.

What both twins did before issue 23: 0.6 s for a page of 2 MiB of links, the event loop held
(other URLs' deadlines ran out, Ctrl-C waited). Caught by tests/test_crawler_round2.py.
"""

from __future__ import annotations

import urllib.parse

import httpx
import trio

from trio_port.crawler import (  # noqa: F401 - the rest of the lesson, unchanged
    HREF_RE,
    LINKS_PER_STEP,
    UNSAFE_RE,
    Stats,
    categorise,
    check_url,
    describe,
    fetch_html,
)


async def parse(
    url: str, client: httpx.AsyncClient, *, url_timeout: float, max_bytes: int, stats: Stats,
) -> set[str]:
    found: set[str] = set()
    try:
        with trio.fail_after(url_timeout):
            html = await fetch_html(url, client, max_bytes)
    except Exception as e:
        stats.errors += 1
        print(f"Error [{categorise(e)}] for URL: {url} - {describe(e)}")
        return found
    for link in HREF_RE.findall(html):  # BUG: one step, however many links
        try:
            if UNSAFE_RE.search(link):
                raise ValueError("whitespace or a control character in the link")
            abslink = urllib.parse.urljoin(url, link)
            if urllib.parse.urlsplit(abslink).scheme not in ("http", "https"):
                continue
            check_url(abslink)
        except ValueError:
            print(f"Error parsing URL: {link!r}")
        else:
            found.add(abslink)
    print(f"Found {len(found)} links for {url}")
    return found
