"""Content-Encoding, decoded in bounded steps: a compressed body cannot inflate past its cap.

Why it exists: httpx's own decoders (``Response.aiter_bytes``) inflate each network chunk in
one call, with no output limit. A 64 KiB chunk of a gzip "bomb" becomes 64 MiB before the
crawler's ``max_bytes`` cap is ever checked, and a brotli bomb of a few kilobytes becomes
gigabytes in one call that holds the event loop for tens of seconds: no timeout, no Ctrl-C
(measured in docs/reliability.md). aiohttp decodes with ``max_length`` and so holds; this module
does the same for the Trio twin, which reads the *raw* bytes (``Response.aiter_raw``) and
decodes them here, at most ``STEP`` bytes of output per call, so the caller can check its cap
and reach a checkpoint between steps.

It decodes what aiohttp decodes, under the same rule, so the twins agree: the first
Content-Encoding header, if it is exactly ``gzip``, ``deflate``, ``br`` (when Brotli is
installed) or ``zstd`` (when a decoder with an output limit is: Python 3.14's
``compression.zstd`` or ``backports.zstd``, as aiohttp requires; the ``zstandard`` package has
none). Any other value leaves the body as it came. An encoding it cannot decode, and data that
does not decompress, raise :class:`ContentDecodingError`.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from typing import Any

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is installed with the test extra
    brotli = None

_zstd: Any
try:
    if sys.version_info >= (3, 14):
        from compression import zstd as _zstd  # pragma: no cover
    else:
        from backports import zstd as _zstd  # type: ignore[import-not-found, no-redef]
except ImportError:
    _zstd = None

#: The most output one decoding step produces.
STEP = 64 * 1024
#: The same cap aiohttp puts on concatenated gzip members in one body.
MAX_MEMBERS = 1024


class ContentDecodingError(Exception):
    """A body whose Content-Encoding cannot be decoded: unsupported, or corrupt data."""


def supported() -> list[str]:
    """The encodings decoded here, for the request's Accept-Encoding."""
    return ["gzip", "deflate", *(["br"] if brotli else []), *(["zstd"] if _zstd else [])]


class _Zlib:
    def __init__(self, encoding: str) -> None:
        self._gzip = encoding == "gzip"
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


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._obj.process(data, output_buffer_limit=STEP)
        while True:
            if out:
                yield out
            if self._obj.can_accept_more_data():
                return
            out = self._obj.process(b"", output_buffer_limit=STEP)

    def end(self) -> None:
        pass


class _Zstd:  # pragma: no cover - only where compression.zstd or backports.zstd exists
    def __init__(self) -> None:
        self._obj = _zstd.ZstdDecompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            if self._obj.eof:  # the next frame
                data, self._obj = self._obj.unused_data + data, _zstd.ZstdDecompressor()
            out = self._obj.decompress(data, STEP)
            data = b""
            if out:
                yield out
            if self._obj.needs_input and not self._obj.eof:
                return

    def end(self) -> None:
        pass


class Decoder:
    """Decode one body: ``feed(raw)`` yields pieces of at most about ``STEP`` bytes."""

    def __init__(self, content_encoding: str | None) -> None:
        encoding = (content_encoding or "").lower() if (content_encoding or "").isascii() else ""
        self._codec: _Zlib | _Brotli | _Zstd | None = None
        if encoding in ("gzip", "deflate"):
            self._codec = _Zlib(encoding)
        elif encoding == "br":
            if brotli is None:  # pragma: no cover
                raise ContentDecodingError("cannot decode content-encoding br: no Brotli")
            self._codec = _Brotli()
        elif encoding == "zstd":
            if _zstd is None:
                raise ContentDecodingError(
                    "cannot decode content-encoding zstd: no compression.zstd")
            self._codec = _Zstd()  # pragma: no cover

    @property
    def identity(self) -> bool:
        """True when bodies pass through unchanged (no Content-Encoding decoded here)."""
        return self._codec is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._codec is None:
            if data:
                yield data
            return
        try:
            yield from self._codec.feed(data)
        except (zlib.error, EOFError, ValueError) as exc:
            raise ContentDecodingError(f"corrupt compressed data: {exc}") from exc
        except Exception as exc:
            if brotli is not None and isinstance(exc, brotli.error):
                raise ContentDecodingError(f"corrupt compressed data: {exc}") from exc
            raise

    def end(self) -> None:
        if self._codec is not None:
            self._codec.end()
