"""Data contracts: the Arrow schemas of documents, rejects and stage outputs.

This module owns every table schema that crosses a stage boundary. Stages
import these names; they never spell a schema themselves.

Invariants:
- ``doc_id`` is stable: ``make_doc_id(source, record_key)`` for the same
  source name and record key always gives the same id.
- Provenance columns (source, source_kind, license, url, domain, crawl_date,
  source_file, source_offset, raw_sha256) are set at ingest and never
  rewritten by a later stage.
- Every document that enters a run ends in exactly one place: the kept
  documents of the last stage, or the rejects of one stage.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

import pyarrow as pa

#: Columns that identify a document and where it came from. Rejects carry them too.
PROVENANCE_FIELDS: list[pa.Field] = [
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_kind", pa.string()),  # "crawl" | "licensed"
    pa.field("license", pa.string()),  # SPDX id or contract reference
    pa.field("url", pa.string()),
    pa.field("domain", pa.string()),
    pa.field("crawl_date", pa.string()),  # ISO 8601 date "YYYY-MM-DD" or null
    pa.field("source_file", pa.string()),  # the file (or object) the record came from
    pa.field("record_key", pa.string()),  # key within the source: id field, file:line, WARC-Record-ID; doc_id derives from it
    pa.field("source_offset", pa.int64()),  # line number, row index or byte offset in source_file
    pa.field("raw_sha256", pa.string()),  # of the record's raw bytes / raw text as read
]

#: One row per document, carried through every stage.
DOCUMENT_SCHEMA = pa.schema(
    PROVENANCE_FIELDS
    + [
        pa.field("text", pa.string()),
        pa.field("encoding", pa.string()),  # how the raw bytes were decoded: utf-8, cp949, ...
        pa.field("text_sha256", pa.string()),  # of the text as it now is (every step that edits text resets it)
        pa.field("lang", pa.string()),  # fastText label without prefix, e.g. "ko"
        pa.field("lang_score", pa.float32()),
        pa.field("quality_score", pa.float32()),  # model-based score when enabled, else null
        pa.field("quality_signals", pa.map_(pa.string(), pa.float64())),  # measured rule values
        pa.field("pii_counts", pa.map_(pa.string(), pa.int32())),  # PII detections by type (kept types too)
        pa.field("tdm_reserved", pa.bool_()),  # a TDM reservation / noai signal was seen at ingest
        pa.field("dup_cluster", pa.string()),  # id of the (near-)duplicate cluster, null if unique
        pa.field("run_id", pa.string()),
    ]
)

#: One row per removed document: which stage removed it, why, and the deciding value.
REJECT_SCHEMA = pa.schema(
    PROVENANCE_FIELDS
    + [
        pa.field("stage", pa.string(), nullable=False),  # e.g. "ingest", "langid", "quality"
        pa.field("reason", pa.string(), nullable=False),  # machine-readable reason code
        pa.field("value", pa.string()),  # the measured value that decided, human readable
        pa.field("dup_of", pa.string()),  # surviving doc_id for duplicates
        pa.field("dup_cluster", pa.string()),
        pa.field("text_sha256", pa.string()),
        pa.field("run_id", pa.string()),
    ]
)

#: What a document-step stage writes: documents plus the reject verdict
#: (``reject_stage`` is null for kept rows). Split by ``outcome`` on disk.
STAGE_OUTPUT_SCHEMA = pa.schema(
    list(DOCUMENT_SCHEMA)
    + [
        pa.field("reject_stage", pa.string()),
        pa.field("reject_reason", pa.string()),
        pa.field("reject_value", pa.string()),
        pa.field("dup_of", pa.string()),
    ]
)

DOCUMENT_COLUMNS = DOCUMENT_SCHEMA.names
REJECT_COLUMNS = REJECT_SCHEMA.names


def make_doc_id(source: str, record_key: str) -> str:
    """Stable 96-bit document id (24 hex chars) from source name and record key."""
    h = hashlib.sha256(f"{source}\x1f{record_key}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:24]


def sha256_text(text: str | None) -> str | None:
    """Hex sha256 of a string's UTF-8 bytes; None for None."""
    if text is None:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def conform(batch: pa.RecordBatch | pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    """Return ``batch`` with exactly ``schema``'s columns in order; missing columns are null."""
    n = batch.num_rows
    arrays = []
    for field in schema:
        idx = batch.schema.get_field_index(field.name)
        if idx < 0:
            arrays.append(pa.nulls(n, field.type))
        else:
            col = batch.column(idx)
            if isinstance(col, pa.ChunkedArray):
                col = col.combine_chunks()
            if col.type != field.type:
                col = col.cast(field.type)
            arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, schema=schema.remove_metadata())


def rows_to_batch(rows: Iterable[dict], schema: pa.Schema) -> pa.RecordBatch:
    """Build a batch from dicts; keys absent from a dict become null."""
    return pa.RecordBatch.from_pylist(list(rows), schema=schema)


def spark_ddl(schema: pa.Schema) -> str:
    """Spark DDL string for an Arrow schema (for ``mapInArrow``'s return type)."""
    return ", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in schema)


def _spark_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_int32(t):
        return "int"
    if pa.types.is_float32(t):
        return "float"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_binary(t):
        return "binary"
    if pa.types.is_map(t):
        return f"map<{_spark_type(t.key_type)},{_spark_type(t.item_type)}>"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"array<{_spark_type(t.value_type)}>"
    raise TypeError(f"no Spark type for Arrow type {t}")
