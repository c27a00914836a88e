"""Content-Encoding, decoded in bounded steps: a compressed body cannot inflate past its cap.

Why it exists, and why it is the same file in both packages: neither library's own decoding
bounds the memory of a hostile body.

- httpx (``Response.aiter_bytes``) inflates each network chunk in one call, with no output
  limit: a 64 KiB chunk of a gzip "bomb" becomes 64 MiB before the crawler's ``max_bytes`` cap
  is checked, and a brotli bomb of a few kilobytes becomes gigabytes in one call that holds
  the event loop for tens of seconds (measured in docs/reliability.md).
- aiohttp decodes with an output limit, but also decodes ``br`` when Brotli is installed, and
  even when it was not asked for. A brotli decoder allocates its window (up to 16 MiB, RFC 7932)
  on its first byte of output, whatever the limit: twenty brotli bombs at concurrency 20
  cost 366 MB, so ``--max-bytes`` bounded the bytes but not the memory.

So both crawlers switch their library's decoding off, read the *raw* bytes, and decode them
here, at most ``STEP`` bytes of output per call, so the caller checks its cap, and reaches a
checkpoint, between steps. They ask only for codings whose decoder's memory is small and
fixed (``ACCEPT_ENCODING``): gzip and deflate, whose zlib window is 32 KiB. Any other coding, br and
zstd included, is refused before a decoder for it exists (:class:`ContentDecodingError`), as
is data that does not decompress: a server that sends a coding it was not offered has broken
HTTP's rule (RFC 9110, section 12.5.3), and a crawler loses nothing by skipping the page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Any

#: The request's Accept-Encoding: what ``Decoder`` decodes.
ACCEPT_ENCODING = "gzip, deflate"
#: The most output one decoding step produces.
STEP = 64 * 1024
#: aiohttp's cap on concatenated gzip members (it counts them in one decompress call, a
#: network chunk; here they are counted in the whole body).
MAX_MEMBERS = 1024
#: "x-gzip" is gzip (RFC 9110, section 8.4.1.3); "identity" is no coding at all.
_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}


class ContentDecodingError(Exception):
    """A body whose Content-Encoding cannot be decoded: not asked for, or corrupt data."""


class _Zlib:
    def __init__(self, coding: str) -> None:
        self._gzip = coding == "gzip"
        self._wbits = 16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        self._obj: Any = None
        self._members = 0

    def _new(self, first: bytes) -> None:
        if not self._gzip and first and first[0] & 0x0F != 8:
            self._wbits = -zlib.MAX_WBITS  # a raw deflate stream, no zlib header (as aiohttp)
        self._obj = zlib.decompressobj(self._wbits)
        self._members += 1
        if self._members > MAX_MEMBERS:
            raise ContentDecodingError(f"more than {MAX_MEMBERS} gzip members")

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._obj is None or (self._obj.eof and self._gzip):
                self._new(data)
            elif self._obj.eof:  # deflate: bytes after the end of the stream are ignored
                return
            out = self._obj.decompress(data, STEP)
            data = self._obj.unconsumed_tail or (self._obj.unused_data if self._obj.eof
                                                 else b"")
            if out:
                yield out

    def end(self) -> None:
        if not self._gzip and self._obj is not None and not self._obj.eof:
            raise ContentDecodingError("the deflate stream ended early")


class Decoder:
    """Decode one body: ``feed(raw)`` yields pieces of at most ``STEP`` bytes.

    ``content_encoding`` is the response's Content-Encoding values, each header as sent:
    ``Decoder(["gzip"])``. No value, or ``identity``, passes the body through unchanged.
    """

    def __init__(self, content_encoding: Iterable[str]) -> None:
        codings = [c.strip().lower() for value in content_encoding for c in value.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        self._codec: _Zlib | None = None
        if len(codings) == 1 and codings[0] in _CODINGS:
            self._codec = _Zlib(_CODINGS[codings[0]])
        elif codings:  # br, zstd, anything not offered, or one coding over another
            raise ContentDecodingError(
                f"cannot decode content-encoding {', '.join(codings)!r}:"
                f" not in the request's Accept-Encoding ({ACCEPT_ENCODING})")

    @property
    def identity(self) -> bool:
        """True when bodies pass through unchanged (no Content-Encoding to decode)."""
        return self._codec is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._codec is None:
            if data:
                yield data
            return
        try:
            yield from self._codec.feed(data)
        except zlib.error as exc:
            raise ContentDecodingError(f"corrupt compressed data: {exc}") from exc

    def end(self) -> None:
        if self._codec is not None:
            self._codec.end()
