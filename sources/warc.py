"""WARC reader (warcio): HTTP responses, conversion (WET) and resource records."""

from __future__ import annotations

from typing import Iterator

from kocorpus import storage
from kocorpus.config import SourceConfig
from kocorpus.sources.decode import DecodeError, decode_bytes
from kocorpus.sources.html_text import html_to_text, sniff_charset
from kocorpus.sources.records import Quarantine, Record, iso_date, raw_sha256
from kocorpus.sources.streams import STREAM_ERRORS


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
            yield Record(rid, offset, text, enc, raw_sha256(raw), url=url, date=date, tdm_reserved=tdm)
        if not seen:
            yield Quarantine(0, "empty_file", "no WARC records")
    except ArchiveLoadFailed as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"ArchiveLoadFailed: {str(e)[:160]}")
    except STREAM_ERRORS as e:
        yield Quarantine(_warc_pos(it, offset), "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
    except Exception as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")


def _warc_pos(it, last_offset: int) -> int:
    """Byte offset where reading broke: the end of the last whole record, else the last record's start."""
    pos = getattr(it, "offset", None)
    return pos if isinstance(pos, int) and pos > last_offset else last_offset
