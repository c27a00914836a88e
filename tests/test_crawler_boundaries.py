"""The crawler at its boundaries, both versions, against a real local site on 127.0.0.1.

``test_crawler`` covers the fault matrix; a mutation run found boundaries no test there
pinned, where a slip in either twin would go unseen (issue 14): a URL given twice, a body of
exactly ``--max-bytes``, a redirect chain of exactly ``MAX_REDIRECTS``, the order of a page's
rows in the TSV, the "other" error category, the first-line rule of error descriptions, and
the defaults of ``--max-bytes`` and ``-o``. Each is checked in both versions, and the two
versions against each other, through :func:`tests.test_crawler.events` (the one
normalisation: an error keeps its category, the libraries' wording is dropped).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_broken
from tests.test_crawler import Crawl, events, lesson, run_crawl
from walkthrough import catalogue
from walkthrough.demosite import DemoSite

#: run_crawl's cap (tests.test_crawler.MAX_BYTES): big.html is served at exactly this size.
CAP = 50_000


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(pages=12, slow_seconds=30, big_bytes=CAP) as s:
        yield s


def crawl_both(urls: list[str], tmp_path: Path) -> dict[str, Crawl]:
    crawls = {impl: run_crawl(impl, urls, tmp_path / f"{impl}.tsv") for impl in catalogue.IMPLS}
    a, t = (events(crawls[impl].lines) for impl in catalogue.IMPLS)
    assert a.unknown == t.unknown == []
    assert a.by_url == t.by_url  # the twins agree, event for event
    assert crawls["asyncio"].tsv == crawls["trio"].tsv or sorted(
        crawls["asyncio"].tsv.splitlines()) == sorted(crawls["trio"].tsv.splitlines())
    return crawls


def page_links(site: DemoSite, i: int) -> list[str]:
    """page/<i>.html's links as the crawler keeps them: absolute http(s), each once."""
    return sorted({link for link in site.page_links(i) if link.startswith("http")})


def assert_crawled_once(crawl: Crawl, site: DemoSite, i: int, pages: int) -> None:
    """page/<i>.html, given twice among ``pages`` distinct pages, fetched and written once."""
    url = site.url(f"page/{i}.html")
    assert events(crawl.lines).by_url[url] == ["got 200", f"found {len(page_links(site, i))}",
                                               "wrote"]
    assert [row for row in crawl.rows if row.startswith(url + "\t")] == [
        f"{url}\t{link}\n" for link in page_links(site, i)]
    assert (crawl.stats.urls, crawl.stats.errors) == (pages, 0)


@pytest.mark.timeout(60)
def test_a_url_given_twice_is_crawled_once(site: DemoSite, tmp_path: Path) -> None:
    url = site.url("page/1.html")
    for crawl in crawl_both([url, site.url("page/2.html"), url], tmp_path).values():
        assert_crawled_once(crawl, site, 1, pages=2)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["big.html", "big-chunked.html"])
def test_a_body_of_exactly_max_bytes_is_read_and_one_byte_less_is_too_large(
    site: DemoSite, path: str, tmp_path: Path,
) -> None:
    """The cap is *inclusive*: ``len(body) > max_bytes`` fails, ``== max_bytes`` is a page."""
    url = site.url(path)
    for impl in catalogue.IMPLS:
        exact = run_crawl(impl, [url], tmp_path / f"{impl}-exact.tsv")
        assert events(exact.lines).by_url[url] == ["got 200", "found 1", "wrote"], impl
        assert exact.rows == [f"{url}\thttps://example.org/big\n"]
    # One byte more than the cap: the same body on a site that serves one byte more.
    with DemoSite(pages=1, big_bytes=CAP + 1) as bigger:
        url = bigger.url(path)
        for impl in catalogue.IMPLS:
            over = run_crawl(impl, [url], tmp_path / f"{impl}-over.tsv")
            assert events(over.lines).by_url[url] == ["got 200", "error too-large"], impl
            assert over.rows == []




@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", ["asyncio", "trio"])
def test_a_redirect_chain_of_exactly_the_maximum_is_followed_and_one_more_is_an_error(
    impl: str, site: DemoSite, tmp_path: Path,
) -> None:
    """``redirect/<n>`` counts down to ``redirect/0``, which redirects to page 0: n + 1
    redirects in all. ``MAX_REDIRECTS`` (10) are followed, as the lesson's docstring says;
    the eleventh is a "redirect" error. (aiohttp raises at its ``max_redirects``-th redirect
    response, so it follows one fewer than httpx with the same number: this test found it, and
    the asyncio twin passes ``MAX_REDIRECTS + 1``.)"""
    assert lesson(impl).MAX_REDIRECTS == 10
    at_max, over = site.url("redirect/9"), site.url("redirect/10")
    by_url = events(run_crawl(impl, [at_max, over], tmp_path / "out.tsv").lines).by_url
    assert by_url == {at_max: ["got 200", f"found {len(page_links(site, 0))}", "wrote"],
                      over: ["error redirect"]}


def assert_rows_in_sorted_blocks(crawl: Crawl, site: DemoSite, urls: list[str]) -> None:
    sources = [row.split("\t")[0] for row in crawl.rows]
    blocks = [s for k, s in enumerate(sources) if k == 0 or sources[k - 1] != s]
    assert sorted(blocks) == sorted(urls) and len(blocks) == len(urls)
    for i, url in enumerate(urls):
        assert [row for row in crawl.rows if row.startswith(url + "\t")] == [
            f"{url}\t{link}\n" for link in page_links(site, i)], url


@pytest.mark.timeout(60)
def test_each_pages_rows_are_together_and_in_link_order(site: DemoSite, tmp_path: Path) -> None:
    """A page's rows are one block (one write), sorted by the link: the file does not depend
    on the order a set happens to iterate, nor on which page finished first."""
    urls = [site.url(f"page/{i}.html") for i in range(site.pages)]
    for crawl in crawl_both(urls, tmp_path).values():
        assert_rows_in_sorted_blocks(crawl, site, urls)


@pytest.mark.timeout(60)
def test_the_boundary_tests_catch_the_crawler_slips(site: DemoSite, tmp_path: Path) -> None:
    """Two realistic slips in tests/broken, each failing the check that names it."""
    url = site.url("page/1.html")
    twice = run_crawl("trio", [url, site.url("page/2.html"), url], tmp_path / "twice.tsv",
                      module=load_broken("crawler_no_dedupe"))
    with pytest.raises(AssertionError):
        assert_crawled_once(twice, site, 1, pages=2)
    urls = [site.url(f"page/{i}.html") for i in range(site.pages)]
    unsorted = run_crawl("trio", urls, tmp_path / "unsorted.tsv",
                         module=load_broken("crawler_rows_in_set_order"))
    with pytest.raises(AssertionError):
        assert_rows_in_sorted_blocks(unsorted, site, urls)


def failing_fetch(message: str) -> object:
    async def fetch_html(*args: object, **kwargs: object) -> str:
        raise RuntimeError(message)
    return fetch_html


@pytest.mark.timeout(60)
@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_an_unforeseen_error_is_other_and_described_by_its_first_line(
    impl: str, site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error no category names (here a RuntimeError out of fetch_html, injected: no real
    server makes one) is "other"; its description is its type and the first line of its
    message only, so the error stays one line of output."""
    module: ModuleType = lesson(impl)
    monkeypatch.setattr(module, "fetch_html",
                        failing_fetch("  the first line\nthe second line\nthe third"))
    url = site.url("page/0.html")
    crawl = run_crawl(impl, [url], tmp_path / "out.tsv")
    assert crawl.lines == [f"Error [other] for URL: {url} - RuntimeError: the first line"]
    assert crawl.rows == [] and (crawl.stats.urls, crawl.stats.errors) == (1, 1)


@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_describe_and_categorise_at_their_edges(impl: str) -> None:
    module = lesson(impl)
    assert module.categorise(RuntimeError("x")) == "other"
    assert module.categorise(module.BodyTooLarge("x")) == "too-large"
    assert module.describe(RuntimeError("")) == "RuntimeError"           # no message: the type
    assert module.describe(RuntimeError("\n\n  ")) == "RuntimeError"     # blank is none
    assert module.describe(ValueError("one\ntwo")) == "ValueError: one"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("impl", catalogue.IMPLS)
def test_the_defaults_of_max_bytes_and_output(impl: str, tmp_path: Path) -> None:
    """Without -o the TSV is ./foundurls.tsv; without --max-bytes the cap is 2 MiB, inclusive:
    a body of exactly 2 MiB is a page, one byte more is "too large". Run as the user runs it."""
    module = lesson(impl)
    assert module.DEFAULT_OUTPUT == "foundurls.tsv"
    assert module.DEFAULT_MAX_BYTES == 2 * 1024 * 1024
    defaults = module.build_parser().parse_args([])
    assert (defaults.output, defaults.max_bytes) == ("foundurls.tsv", 2 * 1024 * 1024)
    cap = module.DEFAULT_MAX_BYTES
    with DemoSite(pages=1, big_bytes=cap) as exact, DemoSite(pages=1, big_bytes=cap + 1) as over:
        urls = [exact.url("big.html"), over.url("big.html")]
        result = subprocess.run(
            [sys.executable, "-W", "error", "-m", module.__name__, *urls], cwd=tmp_path,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=100)
    assert result.returncode == 0, result.stderr
    by_url = events(result.stdout.splitlines()).by_url
    assert by_url == {urls[0]: ["got 200", "found 1", "wrote"],
                      urls[1]: ["got 200", "error too-large"]}
    assert [p.name for p in tmp_path.iterdir()] == ["foundurls.tsv"]
    assert (tmp_path / "foundurls.tsv").read_text(encoding="utf-8") == (
        f"source_url\tparsed_url\n{urls[0]}\thttps://example.org/big\n")
