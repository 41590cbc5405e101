"""Plain text files (optionally compressed): one document per file, keyed by its relative path."""

from __future__ import annotations

from typing import Iterator

from kocorpus.config import SourceConfig
from kocorpus.sources.decode import DecodeError, decode_bytes
from kocorpus.sources.records import Quarantine, Record, raw_sha256
from kocorpus.sources.streams import STREAM_ERRORS, open_decompressed


def read_text_file(source: SourceConfig, path: str, key_prefix: str, max_bytes: int, size: int) -> Iterator[Record | Quarantine]:
    if size > max_bytes:
        yield Quarantine(0, "too_large", f"{size} bytes > {max_bytes}")
        return
    try:
        with open_decompressed(path) as f:
            raw = f.read(max_bytes + 1)
    except STREAM_ERRORS as e:
        yield Quarantine(0, "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
        return
    except Exception as e:  # zstd frame errors and other decoder failures
        yield Quarantine(0, "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")
        return
    if len(raw) > max_bytes:
        yield Quarantine(0, "too_large", f"> {max_bytes} bytes after decompression")
        return
    if not raw.strip():
        yield Quarantine(0, "empty_record", "empty file")
        return
    try:
        text, enc = decode_bytes(raw, source.encoding)
    except DecodeError as e:
        yield Quarantine(0, "decode_error", str(e)[:200])
        return
    yield Record(key_prefix, 0, text, enc, raw_sha256(raw))
