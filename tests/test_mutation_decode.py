"""``_decode``: the slips mutmut planted that the decoding tests let through (issue 27).

``scripts/mutation.py trio_port/_decode.py`` found three kinds (``docs/mutation.md``):

* the *container* of a coding: gzip decoded with zlib's auto-detecting window (``wbits`` 32 and
  up) still decodes gzip, and also takes a zlib stream sent as "gzip", a body that is not what
  the header says;
* the *no coding* path: a decoder with nothing to undo must say so (``identity``, which lets
  the crawler read a plain page of known length in one call) and hand bytes on unchanged;
* the *wording* a user reads: the crawler's report shows the error's message
  (``crawler.describe``), so the coding a server sent, and what went wrong with a deflate
  stream, are part of the behaviour.

Each test runs against both copies of the module, as ``tests/test_slips_decode.py`` does.
"""

from __future__ import annotations

import zlib
from types import ModuleType

import pytest

import asyncio_ref._decode
import trio_port._decode

MODULES = {"asyncio": asyncio_ref._decode, "trio": trio_port._decode}
PAGE = b"<html><body>" + b"a page, long enough to compress " * 40 + b"</body></html>"


@pytest.fixture
def dec(impl: str) -> ModuleType:
    return MODULES[impl]


def test_a_zlib_stream_sent_as_gzip_is_refused(dec: ModuleType) -> None:
    """"gzip" means the gzip container: a zlib-wrapped body under that name is corrupt data.

    The same bytes under "deflate" decode (that is the zlib container), so the refusal is about
    the label, not the data.
    """
    body = zlib.compress(PAGE)  # zlib container, not gzip
    decoder = dec.Decoder(["gzip"])
    with pytest.raises(dec.ContentDecodingError, match="corrupt compressed data"):
        list(decoder.feed(body))
    assert b"".join(dec.Decoder(["deflate"]).feed(body)) == PAGE


@pytest.mark.parametrize("codings", [[], ["identity"], [""], ["identity, "]])
def test_no_coding_passes_the_body_through_unchanged(dec: ModuleType,
                                                     codings: list[str]) -> None:
    """Nothing to decode: ``identity`` is true and every chunk comes out as it went in."""
    decoder = dec.Decoder(codings)
    assert decoder.identity is True
    assert [piece for chunk in (PAGE[:10], b"", PAGE[10:]) for piece in decoder.feed(chunk)] \
        == [PAGE[:10], PAGE[10:]]
    decoder.end()


def test_a_coding_to_decode_is_not_identity(dec: ModuleType) -> None:
    assert dec.Decoder(["gzip"]).identity is False


def test_the_messages_name_the_codings_and_the_cut(dec: ModuleType) -> None:
    """The report's wording: the codings as the server listed them, and a cut deflate stream."""
    with pytest.raises(dec.ContentDecodingError) as refused:
        dec.Decoder(["gzip", "br"])
    assert str(refused.value) == ("cannot decode content-encoding 'gzip, br': not in the "
                                  "request's Accept-Encoding (gzip, deflate)")
    decoder = dec.Decoder(["deflate"])
    list(decoder.feed(zlib.compress(PAGE)[:-8]))
    with pytest.raises(dec.ContentDecodingError) as cut:
        decoder.end()
    assert str(cut.value) == "the deflate stream ended early"
