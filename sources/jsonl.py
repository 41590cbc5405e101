"""JSON Lines reader (plain, .gz, .zst): one record per line, a quarantine item per bad line."""

from __future__ import annotations

import json
import re
from typing import Iterator

from kocorpus.config import SourceConfig
from kocorpus.sources.decode import DecodeError, decode_bytes
from kocorpus.sources.records import Quarantine, Record, iso_date, raw_sha256
from kocorpus.sources.streams import STREAM_ERRORS, iter_lines, open_decompressed

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _encodable(text: str) -> bool:
    """False for text Arrow cannot store (lone surrogates from ``\\udXXX`` JSON escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_jsonl(source: SourceConfig, path: str, key_prefix: str, max_bytes: int) -> Iterator[Record | Quarantine]:
    text_f, id_f, url_f, date_f = (source.field_name(r) for r in ("text", "id", "url", "date"))
    line_no = 0
    try:
        stream = open_decompressed(path)
        for line_no, line, size in iter_lines(stream, max_bytes):
            if line is None:
                yield Quarantine(line_no, "too_large", f"{size} bytes > {max_bytes}")
                continue
            if not line.strip():
                yield Quarantine(line_no, "empty_record", "blank line")
                continue
            try:
                s, enc = decode_bytes(line, source.encoding)
            except DecodeError as e:
                yield Quarantine(line_no, "decode_error", str(e)[:200])
                continue
            try:
                obj = json.loads(s)
            except json.JSONDecodeError as e:
                yield Quarantine(line_no, "json_error", f"{e.msg} at col {e.colno}")
                continue
            except RecursionError:
                yield Quarantine(line_no, "json_error", "nested too deeply")
                continue
            if not isinstance(obj, dict):
                yield Quarantine(line_no, "wrong_type", f"record is {type(obj).__name__}, not an object")
                continue
            text = obj.get(text_f)
            if not isinstance(text, str):
                yield Quarantine(line_no, "wrong_type", f"field {text_f!r} is {type(text).__name__}, not a string")
                continue
            if _SURROGATE_ESCAPE.search(line) and not _encodable(text):
                yield Quarantine(line_no, "decode_error", "lone UTF-16 surrogate escape in text")
                continue
            rid = obj.get(id_f)
            key = str(rid) if isinstance(rid, (str, int)) and str(rid) else f"{key_prefix}:{line_no}"
            url = obj.get(url_f) if isinstance(obj.get(url_f), str) else None
            yield Record(key, line_no, text, enc, raw_sha256(line), url=url, date=iso_date(obj.get(date_f)))
        if line_no == 0:
            yield Quarantine(0, "empty_file", "no records")
    except STREAM_ERRORS as e:
        yield Quarantine(line_no + 1, "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
    except Exception as e:  # zstd frame errors and other decoder failures
        yield Quarantine(line_no + 1, "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")
