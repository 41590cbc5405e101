"""What a format reader yields: a :class:`Record` (one document) or a :class:`Quarantine`.

Readers never raise for bad input: a corrupt file yields the records read so far
and then one quarantine item that says where it broke (offset and reason).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit


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
    stage: str = "ingest"  # the step that could not go on: ``ingest`` (reading), ``extract`` (HTML main text)
    key: str | None = None  # record key, when the record itself was readable (its doc_id is then the usual one)
    url: str | None = None
    date: str | None = None


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


def raw_sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()
