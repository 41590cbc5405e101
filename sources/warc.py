"""WARC reader (warcio): HTTP responses, conversion (WET) and resource records."""

from __future__ import annotations

from typing import Callable, Iterator

from kocorpus import storage
from kocorpus.config import SourceConfig
from kocorpus.sources.decode import DecodeError, decode_bytes
from kocorpus.sources.html_text import HtmlPage, html_to_text, sniff_charset
from kocorpus.sources.records import Quarantine, Record, iso_date, raw_sha256
from kocorpus.sources.streams import STREAM_ERRORS


#: WARC record types that carry a document: HTTP responses, WET conversions, plain resources.
DOCUMENT_RECORDS = ("response", "conversion", "resource")


def read_warc(
    source: SourceConfig, path: str, key_prefix: str, max_bytes: int, extract: Callable[[str], HtmlPage] = html_to_text
) -> Iterator[Record | Quarantine]:
    """Every document record of a WARC/WET file (gzip per record or whole), or a quarantine item saying why not.

    ``extract`` turns a decoded HTML page into its main text (``kocorpus.sources.extract``).
    Records: ``response`` (HTTP; only status 200, HTML or ``text/*``), ``conversion`` (WET
    plain text), ``resource``. ``WARC-Target-URI`` is the url, ``WARC-Date`` the crawl
    date, ``WARC-Record-ID`` the record key (so the doc_id). With the source's
    ``content_languages`` set, Common Crawl's ``WARC-Identified-Content-Language``
    header (when present) pre-filters records by their first language.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    languages = [code.lower() for code in source.content_languages or []]
    offset = 0
    it = None
    seen = 0
    try:
        stream = storage.open_input(path)
        it = ArchiveIterator(stream, check_digests=False)
        for rec in it:
            seen += 1
            if rec.rec_type not in DOCUMENT_RECORDS:
                continue
            length_h = (rec.rec_headers.get_header("Content-Length") or "0").strip()
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
            yield _item(rec, raw, offset, declared_len, key_prefix, max_bytes, extract, languages)
        if not seen:
            yield Quarantine(0, "empty_file", "no WARC records")
    except ArchiveLoadFailed as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"ArchiveLoadFailed: {str(e)[:160]}")
    except STREAM_ERRORS as e:
        yield Quarantine(_warc_pos(it, offset), "truncated_file", f"{type(e).__name__}: {str(e)[:160]}")
    except Exception as e:
        yield Quarantine(_warc_pos(it, offset), "corrupt_file", f"{type(e).__name__}: {str(e)[:160]}")


def _item(
    rec, raw: bytes, offset: int, declared_len: int, key_prefix: str, max_bytes: int, extract, languages: list[str] | None
) -> Record | Quarantine:
    """One document record (already read into ``raw``) as a Record, or the reason it is not one."""
    headers = rec.rec_headers
    key = headers.get_header("WARC-Record-ID") or f"{key_prefix}@{offset}"
    where = dict(key=key, url=headers.get_header("WARC-Target-URI"), date=iso_date(headers.get_header("WARC-Date")))
    missing = getattr(rec.raw_stream, "limit", 0) if len(raw) <= max_bytes else 0
    if missing:
        return Quarantine(offset, "truncated_record", f"{missing} of {declared_len} declared bytes missing")
    if len(raw) > max_bytes:
        return Quarantine(offset, "too_large", f"> {max_bytes} bytes")
    declared_langs = headers.get_header("WARC-Identified-Content-Language")
    if languages and declared_langs and declared_langs.split(",")[0].strip().lower() not in languages:
        return Quarantine(offset, "content_language", f"WARC-Identified-Content-Language {declared_langs}", **where)
    http = rec.http_headers if rec.rec_type == "response" else None
    tdm = False
    if http is not None:
        status = http.get_statuscode()
        if status not in ("200", None):
            return Quarantine(offset, "http_status", f"HTTP {status}", **where)
        ctype = (http.get_header("Content-Type") or "").lower()
        robots = (http.get_header("X-Robots-Tag") or "").lower()
        tdm = (http.get_header("tdm-reservation") or "").strip() == "1" or "noai" in robots
    else:
        ctype = (headers.get_header("Content-Type") or "").lower()
    is_html = "html" in ctype or (rec.rec_type == "response" and raw.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")))
    if rec.rec_type == "response" and not is_html and not ctype.startswith("text/"):
        return Quarantine(offset, "not_text", f"content-type {ctype or 'missing'}", **where)
    declared = ctype.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype else sniff_charset(raw) if is_html else None
    try:
        body, enc = decode_bytes(raw, declared)
    except DecodeError as e:
        return Quarantine(offset, "decode_error", str(e)[:200], **where)
    text = body
    if is_html:
        page = extract(body)
        if not page.text.strip():
            return Quarantine(offset, "empty_extraction", f"no main text in {len(raw)} bytes of HTML", stage="extract", **where)
        text, tdm = page.text, tdm or page.noai
    return Record(offset=offset, text=text, encoding=enc, raw_sha256=raw_sha256(raw), tdm_reserved=tdm, **where)


def _warc_pos(it, last_offset: int) -> int:
    """Byte offset where reading broke: the end of the last whole record, else the last record's start."""
    pos = getattr(it, "offset", None)
    return pos if isinstance(pos, int) and pos > last_offset else last_offset
