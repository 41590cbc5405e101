"""Format readers: one input file in, a stream of records and quarantine items out.

Each reader yields :class:`Record` (one document) or :class:`Quarantine`
(something unreadable, with its location and reason). Readers never raise
for bad input: a corrupt file yields the records read so far and then one
quarantine item that says where it broke. Memory stays bounded: a record
larger than ``max_doc_bytes`` is skipped without being held whole.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

from kocorpus.filters.decode import DecodeError, decode_bytes
from kocorpus.filters.html_text import html_to_text, sniff_charset
from kocorpus.pipelines import storage
from kocorpus.pipelines.config import SourceConfig

READ_CHUNK = 1 << 16


@dataclass
class Record:
    key: str  # record key within the source: the id field, else file:line / file / record id
    offset: int  # line number (jsonl), row index (parquet), byte offset (warc), 0 (text)
    text: str
    encoding: str | None
    raw_sha256: str
    url: str | None = None
    date: str | None = None
    tdm_reserved: bool = False


@dataclass
class Quarantine:
    offset: int
    reason: str  # machine-readable: truncated_file, decode_error, json_error, wrong_type, ...
    value: str  # what was seen, short


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


def iso_date(value) -> str | None:
    """First 10 characters of an ISO-like date (``YYYY-MM-DD``) or None."""
    if value is None:
        return None
    s = str(value).strip()
    if len(s) >= 10 and s[4] in "-./" and s[7] in "-./":
        return f"{s[0:4]}-{s[5:7]}-{s[8:10]}"
    if len(s) == 8 and s.isdigit():
        return f"{s[0:4]}-{s[4:6]}-{s[6:8]}"
    return None


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _open_decompressed(path: str):
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


def _lines(stream, max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
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


_STREAM_ERRORS = (EOFError, OSError, zlib.error, gzip.BadGzipFile)
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
        stream = _open_decompressed(path)
        for line_no, line, size in _lines(stream, max_bytes):
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
            yield Record(key, line_no, text, enc, _sha(line), url=url, date=iso_date(obj.get(date_f)))
        if line_no == 0:
            yield Quarantine(0, "empty_file", "no records")
    except _STREAM_ERRORS as e:
        yield Quarantine(line_no + 1, "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
    except Exception as e:  # zstd frame errors and other decoder failures
        yield Quarantine(line_no + 1, "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")


def read_text_file(source: SourceConfig, path: str, key_prefix: str, max_bytes: int, size: int) -> Iterator[Record | Quarantine]:
    if size > max_bytes:
        yield Quarantine(0, "too_large", f"{size} bytes > {max_bytes}")
        return
    try:
        with _open_decompressed(path) as f:
            raw = f.read(max_bytes + 1)
    except _STREAM_ERRORS as e:
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
    yield Record(key_prefix, 0, text, enc, _sha(raw))


def read_parquet(source: SourceConfig, path: str, key_prefix: str, max_bytes: int, row_group: int | None) -> Iterator[Record | Quarantine]:
    import pyarrow.parquet as pq

    text_f, id_f, url_f, date_f = (source.field_name(r) for r in ("text", "id", "url", "date"))
    try:
        pf = pq.ParquetFile(storage.open_random_access(path))
    except Exception as e:
        yield Quarantine(0, "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")
        return
    schema = pf.schema_arrow
    if text_f not in schema.names or not (
        str(schema.field(text_f).type) in ("string", "large_string", "string_view")
    ):
        found = str(schema.field(text_f).type) if text_f in schema.names else "missing"
        yield Quarantine(0, "unexpected_schema", f"text column {text_f!r}: {found}; columns {schema.names[:12]}")
        return
    cols = [c for c in (text_f, id_f, url_f, date_f) if c and c in schema.names]
    if row_group is None and pf.metadata.num_rows == 0:
        yield Quarantine(0, "empty_file", "no rows")
        return
    groups = [row_group] if row_group is not None else range(pf.num_row_groups)
    for g in groups:
        base = sum(pf.metadata.row_group(i).num_rows for i in range(g))
        try:
            table = pf.read_row_group(g, columns=sorted(set(cols)))
            texts, sizes = _bounded_texts(table.column(text_f), max_bytes)
            data = {c: table.column(c).to_pylist() for c in set(cols) if c != text_f}
        except Exception as e:
            yield Quarantine(base, "corrupt_file", f"row group {g}: {type(e).__name__}: {str(e)[:120]}")
            continue
        del table
        for i in range(len(texts)):
            offset = base + i
            raw = texts[i]
            if sizes[i] is None:
                yield Quarantine(offset, "empty_record", f"{text_f} is null")
                continue
            if sizes[i] > max_bytes:
                yield Quarantine(offset, "too_large", f"{sizes[i]} bytes > {max_bytes}")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield Quarantine(offset, "decode_error", f"string column is not UTF-8: {str(e)[:160]}")
                continue
            rid = data[id_f][i] if id_f in data else None
            key = str(rid) if rid is not None and str(rid) else f"{key_prefix}:{offset}"
            url = data[url_f][i] if url_f in data else None
            date = iso_date(data[date_f][i]) if date_f in data else None
            yield Record(key, offset, text, "utf-8", _sha(raw), url=url if isinstance(url, str) else None, date=date)


def _bounded_texts(column, max_bytes: int) -> tuple[list[bytes | None], list[int | None]]:
    """Byte strings of a string column and their lengths; values over ``max_bytes`` never become Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    binary = column.cast(pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary())
    sizes = pc.binary_length(binary)
    fits = pc.fill_null(pc.less_equal(sizes, max_bytes), True)
    small = pc.if_else(fits, binary, pa.scalar(None, binary.type))
    return small.to_pylist(), sizes.to_pylist()


def read_warc(source: SourceConfig, path: str, key_prefix: str, max_bytes: int) -> Iterator[Record | Quarantine]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    offset = 0
    it = None
    seen = 0
    try:
        stream = storage.open_input(path)
        it = ArchiveIterator(stream, check_digests=False)
        for rec in it:
            seen += 1
            rtype = rec.rec_type
            if rtype not in ("response", "conversion", "resource"):
                continue
            headers = rec.rec_headers
            length_h = (headers.get_header("Content-Length") or "0").strip()
            declared_len = int(length_h) if length_h.isdigit() else 0
            errors_before = it.err_count
            if declared_len > max_bytes:  # skipped by streaming past it, never held
                offset = it.get_record_offset()
                yield Quarantine(offset, "too_large", f"{declared_len} bytes > {max_bytes}")
                continue
            raw = rec.content_stream().read(max_bytes + 1)  # before get_record_offset, which consumes the record
            offset = it.get_record_offset()
            if it.err_count > errors_before:
                yield Quarantine(offset, "bad_content_length", f"Content-Length {length_h} does not end at a record boundary")
                continue
            url = headers.get_header("WARC-Target-URI")
            rid = headers.get_header("WARC-Record-ID") or f"{key_prefix}@{offset}"
            date = iso_date(headers.get_header("WARC-Date"))
            ctype = ""
            tdm = False
            if rtype == "response" and rec.http_headers is not None:
                if rec.http_headers.get_statuscode() not in ("200", None):
                    continue
                ctype = (rec.http_headers.get_header("Content-Type") or "").lower()
                tdm_h = rec.http_headers.get_header("tdm-reservation")
                robots_h = (rec.http_headers.get_header("X-Robots-Tag") or "").lower()
                tdm = (tdm_h or "").strip() == "1" or "noai" in robots_h
            else:
                ctype = (headers.get_header("Content-Type") or "").lower()
            missing = getattr(rec.raw_stream, "limit", 0) if len(raw) <= max_bytes else 0
            if missing:
                yield Quarantine(offset, "truncated_record", f"{missing} of {declared_len} declared bytes missing")
                continue
            if len(raw) > max_bytes:
                yield Quarantine(offset, "too_large", f"> {max_bytes} bytes")
                continue
            is_html = "html" in ctype or (rtype == "response" and raw.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")))
            declared = None
            if "charset=" in ctype:
                declared = ctype.split("charset=", 1)[1].split(";")[0].strip()
            elif is_html:
                declared = sniff_charset(raw)
            if rtype == "response" and not is_html and not ctype.startswith("text/"):
                yield Quarantine(offset, "not_text", f"content-type {ctype or 'missing'}")
                continue
            try:
                body, enc = decode_bytes(raw, declared)
            except DecodeError as e:
                yield Quarantine(offset, "decode_error", str(e)[:200])
                continue
            if is_html:
                page = html_to_text(body)
                text, tdm = page.text, tdm or page.noai
            else:
                text = body
            yield Record(rid, offset, text, enc, _sha(raw), url=url, date=date, tdm_reserved=tdm)
        if not seen:
            yield Quarantine(0, "empty_file", "no WARC records")
    except ArchiveLoadFailed as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"ArchiveLoadFailed: {str(e)[:160]}")
    except _STREAM_ERRORS as e:
        yield Quarantine(_warc_pos(it, offset), "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
    except Exception as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")


def _warc_pos(it, last_offset: int) -> int:
    """Byte offset where reading broke: the end of the last whole record, else the last record's start."""
    pos = getattr(it, "offset", None)
    return pos if isinstance(pos, int) and pos > last_offset else last_offset
