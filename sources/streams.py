"""Byte streams of input files: transparent gzip/zstd decompression and bounded line reading.

Memory stays bounded: a line longer than ``max_bytes`` is skipped without being held whole,
and a zstd stream hands out every valid byte before it raises on a corrupt frame.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import Iterator

from kocorpus import storage

READ_CHUNK = 1 << 16


def open_decompressed(path: str):
    raw = storage.open_input(path)
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw)
    if path.endswith(".zst") or path.endswith(".zstd"):
        return io.BufferedReader(_ZstdStream(raw), buffer_size=READ_CHUNK)
    return raw


class _ZstdStream(io.RawIOBase):
    """Multi-frame zstd decompression that hands out every valid byte before raising.

    A corrupt frame (or garbage after the last frame) raises only once the
    data decoded before it has been read, so readers keep the good records.
    Memory is bounded even for extreme compression ratios (a 50 MB run of one
    character fits in 2 KB): compressed input is fed in pieces sized so that
    one step decodes about ``OUT_STEP`` bytes at the last observed ratio.
    """

    OUT_STEP = 1 << 20
    MIN_IN = 64

    def __init__(self, raw):
        import zstandard

        self._zstd = zstandard
        self._raw = raw
        self._obj = zstandard.ZstdDecompressor().decompressobj()
        self._buf = b""
        self._pos = 0
        self._pending = memoryview(b"")  # compressed bytes read but not yet fed
        self._in_size = 256
        self._error: Exception | None = None
        self._eof = False
        self._started = False

    def readable(self) -> bool:
        return True

    def _feed(self, chunk) -> bytes:
        """Decode one piece; an error after good output is kept for the next call."""
        out = self._obj.decompress(chunk)
        while self._obj.eof and self._obj.unused_data:
            rest = self._obj.unused_data
            self._obj = self._zstd.ZstdDecompressor().decompressobj()
            try:
                out += self._obj.decompress(rest)
            except self._zstd.ZstdError as e:
                self._error = e
                break
        ratio = max(1, len(out) // max(1, len(chunk)))
        self._in_size = max(self.MIN_IN, min(READ_CHUNK, self.OUT_STEP // ratio))
        return out

    def readinto(self, b) -> int:
        while self._pos >= len(self._buf) and not self._eof and self._error is None:
            if not len(self._pending):
                self._pending = memoryview(self._raw.read(READ_CHUNK))
            if not len(self._pending):
                self._eof = True
                if self._started and not self._obj.eof:
                    self._error = EOFError("zstd stream ends inside a frame")
                break
            self._started = True
            chunk, self._pending = self._pending[: self._in_size].tobytes(), self._pending[self._in_size :]
            try:
                self._buf, self._pos = self._feed(chunk), 0
            except self._zstd.ZstdError as e:
                self._error = e
        if self._pos >= len(self._buf):
            if self._error is not None:
                error, self._error = self._error, None
                self._eof = True
                raise error
            return 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = memoryview(self._buf)[self._pos : self._pos + n]
        self._pos += n
        return n


def iter_lines(stream, max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """Yield ``(line_no, line_bytes or None if too long, length)``; bounded memory."""
    buf = io.BufferedReader(stream, buffer_size=READ_CHUNK) if not hasattr(stream, "peek") else stream
    line_no = 0
    while True:
        line = buf.readline(max_bytes + 1)
        if not line:
            return
        line_no += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            size = len(line)
            while True:  # skip the rest of the oversized line
                more = buf.readline(READ_CHUNK)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield line_no, None, size
            continue
        yield line_no, line.rstrip(b"\r\n"), len(line)


STREAM_ERRORS = (EOFError, OSError, zlib.error, gzip.BadGzipFile)
