"""``_decode`` at its edges, where a one-character slip would still pass the bomb tests.

The crawlers decode gzip and deflate themselves, in bounded steps (``_decode.py``, one file in
two packages). ``tests/test_bombs.py`` shows the bound holds for 10 GiB bodies; these tests pin
the edges a slip would move without a bomb noticing: the cap on gzip members (exactly
``MAX_MEMBERS`` decode, one more is refused), stacked codings (refused, however they are
spelt), a deflate stream cut short (an error at its end, as aiohttp says), the bytes after a
member (the next gzip member, decoded; junk, refused; after a deflate stream, ignored), each
step's bound, and the checkpoint each crawler takes between two steps (without it, one network
read of a bomb holds every other task of the crawl for hundreds of steps).

Every test runs against both copies of the module: a slip planted in one copy is caught even
though ``tests/test_crawler.py`` also checks that the copies are the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import zlib
from collections.abc import Iterator
from types import ModuleType

import pytest
import trio

import asyncio_ref._decode
import asyncio_ref.crawler
import trio_port._decode
import trio_port.crawler
from tests.hostile_server import HostileServer

MODULES = {"asyncio": asyncio_ref._decode, "trio": trio_port._decode}
HTML = b'<html><a href="http://example.org/a">a</a></html>'


@pytest.fixture
def dec(impl: str) -> ModuleType:
    return MODULES[impl]


def gzip(data: bytes) -> bytes:
    return zlib.compress(data, wbits=31)


def decode(module: ModuleType, codings: list[str], *feeds: bytes) -> bytes:
    """Feed each of ``feeds`` in turn, end the body, return what was decoded."""
    decoder = module.Decoder(codings)
    out = [piece for data in feeds for piece in decoder.feed(data)]
    decoder.end()
    return b"".join(out)


# -- the cap on gzip members --------------------------------------------------------------------


@pytest.mark.parametrize("one_feed", [True, False], ids=["one-feed", "a-feed-each"])
def test_exactly_max_members_decode_and_one_more_is_refused(dec: ModuleType,
                                                            one_feed: bool) -> None:
    """aiohttp's cap: ``MAX_MEMBERS`` gzip members in one body are fine, the next is refused.

    Counted across feeds too: a member a read, as a server that flushes each one sends them.
    """
    member = gzip(b"m")
    cap = dec.MAX_MEMBERS
    feeds = [member * cap] if one_feed else [member] * cap
    assert decode(dec, ["gzip"], *feeds) == b"m" * cap
    with pytest.raises(dec.ContentDecodingError, match=f"more than {cap} gzip members"):
        decode(dec, ["gzip"], *feeds, member)


# -- stacked codings ----------------------------------------------------------------------------


@pytest.mark.parametrize("codings", [
    ["gzip, gzip"], ["gzip", "gzip"], ["deflate, gzip"], ["gzip,deflate"], ["gzip, br"],
    ["br, gzip"], ["x-gzip", "deflate"], ["identity, gzip, gzip"],
])
def test_stacked_codings_are_refused(dec: ModuleType, codings: list[str]) -> None:
    """Two codings, in one header or two, are refused before any byte is decoded.

    Only one coding was offered (``ACCEPT_ENCODING``: each alone); a decoder that undid the
    outer one would hand gzip bytes on as the page.
    """
    with pytest.raises(dec.ContentDecodingError, match="cannot decode content-encoding"):
        dec.Decoder(codings)


@pytest.mark.parametrize("codings", [
    ["gzip"], ["GZIP"], [" x-gzip "], ["identity, gzip"], ["gzip", "identity"], ["gzip, "],
])
def test_one_coding_among_identities_and_blanks_decodes(dec: ModuleType,
                                                        codings: list[str]) -> None:
    assert decode(dec, codings, gzip(HTML)) == HTML


def test_stacked_codings_through_a_crawl_are_a_decode_error(impl: str) -> None:
    """The same at the crawler: ``gzip, gzip`` (the page gzipped twice) is a "decode" error."""
    with HostileServer() as server:
        url = server.url("/coded/gzip-twice")
        out = crawl_one(impl, url)
    errors = [line for line in out.splitlines() if line.startswith("Error")]
    assert [e.split(" - ")[0] for e in errors] == [f"Error [decode] for URL: {url}"], out


# -- a deflate stream cut short -----------------------------------------------------------------


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw"])
@pytest.mark.parametrize("cut", [1, 4, 10])
def test_a_deflate_stream_cut_short_is_an_error_at_its_end(dec: ModuleType, wbits: int,
                                                           cut: int) -> None:
    """A deflate body whose end never came: what arrived decodes, ``end()`` refuses the body.

    aiohttp does the same (``DeflateBuffer.feed_eof``). Cut by 1 byte (the checksum), by 4
    (the whole Adler-32) or by 10 (into the last block).
    """
    body = zlib.compress(HTML * 50, wbits=wbits) if wbits == 15 else raw_deflate(HTML * 50)
    decoder = dec.Decoder(["deflate"])
    got = b"".join(decoder.feed(body[:-cut]))
    assert (HTML * 50).startswith(got)
    with pytest.raises(dec.ContentDecodingError, match="ended early"):
        decoder.end()


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw"])
def test_a_whole_deflate_stream_ends_cleanly(dec: ModuleType, wbits: int) -> None:
    body = zlib.compress(HTML, wbits=wbits) if wbits == 15 else raw_deflate(HTML)
    assert decode(dec, ["deflate"], body) == HTML
    assert decode(dec, ["deflate"], *(body[i:i + 1] for i in range(len(body)))) == HTML


def test_an_empty_deflate_body_is_no_error(dec: ModuleType) -> None:
    """A 204-like empty body sent with ``Content-Encoding: deflate``: nothing to decode."""
    assert decode(dec, ["deflate"]) == b""
    assert decode(dec, ["deflate"], b"") == b""


@pytest.mark.parametrize("cut", [1, 8, 30])
def test_a_gzip_body_cut_short_is_not_refused_at_its_end(dec: ModuleType, cut: int) -> None:
    """Unlike deflate, a gzip body cut short ends without an error: what arrived is the page.

    That is what both libraries do (aiohttp checks only deflate at EOF; httpx checks
    neither), so the twins keep it; whether the body was whole is the transport's framing to
    say (Content-Length, the last chunk).
    """
    body = gzip(HTML * 50)
    decoder = dec.Decoder(["gzip"])
    got = b"".join(decoder.feed(body[:-cut]))
    decoder.end()
    assert got and (HTML * 50).startswith(got)


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


# -- bytes after a member -----------------------------------------------------------------------


@pytest.mark.parametrize("split", [None, 3, -3], ids=["one-feed", "split-in-head", "split-at-end"])
def test_a_second_gzip_member_is_decoded(dec: ModuleType, split: int | None) -> None:
    """Concatenated members are one gzip body (RFC 1952): the bytes after a member are the next.

    In one feed; split inside the second member's header; split just before the first ends.
    """
    body = gzip(b"first ") + gzip(b"second")
    first = len(gzip(b"first "))
    feeds = [body] if split is None else [body[:first + split], body[first + split:]]
    assert decode(dec, ["gzip"], *feeds) == b"first second"


@pytest.mark.parametrize("junk", [b"junk", b"\x00" * 8, b"<html>"])
def test_junk_after_a_gzip_member_is_refused(dec: ModuleType, junk: bytes) -> None:
    with pytest.raises(dec.ContentDecodingError, match="corrupt compressed data"):
        decode(dec, ["gzip"], gzip(HTML) + junk)
    with pytest.raises(dec.ContentDecodingError, match="corrupt compressed data"):
        decode(dec, ["gzip"], gzip(HTML), junk)


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw"])
def test_bytes_after_a_deflate_stream_are_ignored(dec: ModuleType, wbits: int) -> None:
    """A deflate stream has one end: what follows it is not decoded, and is no error (aiohttp)."""
    body = zlib.compress(HTML, wbits=wbits) if wbits == 15 else raw_deflate(HTML)
    assert decode(dec, ["deflate"], body + b"trailing junk") == HTML
    assert decode(dec, ["deflate"], body, b"trailing junk", zlib.compress(b"more")) == HTML


# -- each step's bound --------------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_every_step_is_at_most_step_bytes_and_nothing_is_lost(dec: ModuleType,
                                                              coding: str) -> None:
    """4 MiB of zeros (4 KiB compressed) in one feed: 64 pieces of ``STEP``, all of it."""
    data = bytes(4 << 20)
    body = gzip(data) + gzip(b"tail") if coding == "gzip" else zlib.compress(data) + b"x"
    decoder = dec.Decoder([coding])
    pieces = list(decoder.feed(body))
    decoder.end()
    assert max(map(len, pieces)) == dec.STEP
    assert b"".join(pieces) == data + (b"tail" if coding == "gzip" else b"")
    assert len(pieces) >= len(data) // dec.STEP


# -- the checkpoint between two steps -----------------------------------------------------------


def counting_decoder(module: ModuleType, ticks: list[int], marks: list[int]) -> type:
    """The crawler's Decoder, recording how often another task had run at each piece."""

    class Counting(module.Decoder):  # type: ignore[name-defined,misc]
        def feed(self, data: bytes) -> Iterator[bytes]:
            for piece in super().feed(data):
                marks.append(ticks[0])
                yield piece

    return Counting


CAP = 8 << 20  # 128 steps of a bomb's first network read, then "too large"


def test_a_crawler_lets_other_tasks_run_between_two_decoding_steps(
    impl: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a crawler decodes a bomb, every other task still runs between two of its steps.

    A ticker task loops on the framework's own checkpoint, counting; at each piece decoded the
    count is recorded. With a checkpoint after each step, the ticker runs at least once
    between any piece and the piece after the next, whatever order the scheduler picks within
    a batch (Trio shuffles under hypothesis). Without it, the ~128 steps of one network read
    run back to back and the count stands still.
    """
    ticks = [0]
    marks: list[int] = []
    crawler = asyncio_ref.crawler if impl == "asyncio" else trio_port.crawler
    monkeypatch.setattr(crawler, "Decoder", counting_decoder(MODULES[impl], ticks, marks))
    with HostileServer() as server:
        url = server.url("/bomb/gzip/64")
        if impl == "asyncio":
            asyncio.run(_asyncio_read(url, ticks))
        else:
            trio.run(_trio_read, url, ticks)
    assert len(marks) > CAP // MODULES[impl].STEP
    stalled = [i for i in range(len(marks) - 2) if marks[i + 2] == marks[i]]
    assert not stalled, f"no other task ran across steps {stalled[:10]} of {len(marks)}"


async def _trio_read(url: str, ticks: list[int]) -> None:
    async def tick() -> None:
        while True:
            ticks[0] += 1
            await trio.lowlevel.checkpoint()

    async with trio_port.crawler.make_client(2) as client, trio.open_nursery() as nursery:
        nursery.start_soon(tick)
        request = client.build_request("GET", url)
        async with contextlib.aclosing(await client.send(request, stream=True)) as resp:
            with pytest.raises(trio_port.crawler.BodyTooLarge):
                await trio_port.crawler.read_capped(resp, CAP)
        nursery.cancel_scope.cancel()


async def _asyncio_read(url: str, ticks: list[int]) -> None:
    async def tick() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(0)

    ticker = asyncio.ensure_future(tick())
    try:
        async with asyncio_ref.crawler.make_client(2) as session, session.get(url) as resp:
            with pytest.raises(asyncio_ref.crawler.BodyTooLarge):
                await asyncio_ref.crawler.read_capped(resp, CAP)
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


def crawl_one(impl: str, url: str) -> str:
    """Fetch one URL with the crawler's own client and ``parse``: what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if impl == "asyncio":
            async def run_asyncio() -> None:
                async with asyncio_ref.crawler.make_client(1) as session:
                    await asyncio_ref.crawler.parse(
                        url, session, url_timeout=10, max_bytes=1 << 20,
                        stats=asyncio_ref.crawler.Stats())
            asyncio.run(run_asyncio())
        else:
            async def run_trio() -> None:
                async with trio_port.crawler.make_client(1) as client:
                    await trio_port.crawler.parse(
                        url, client, url_timeout=10, max_bytes=1 << 20,
                        stats=trio_port.crawler.Stats())
            trio.run(run_trio)
    return out.getvalue()

