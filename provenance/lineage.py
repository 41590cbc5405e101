"""Lineage of a dataset: which documents are in which rows, and where each document came from.

Two tables, both listed by the manifest (every reader follows the manifest, never a
fixed file name, so a takedown's new version is what everyone reads):

- lineage (``manifest["lineage"]``, ``LINEAGE_SCHEMA``): ``shard``, ``row``, ``doc_id``,
  ``start``, ``end`` (the document's token span in that row, end exclusive, EOS included);
- documents (``manifest["documents"]``, ``DOCUMENTS_SCHEMA``): one row per document in the
  shards with its provenance (source, kind, licence, url, domain, crawl date, run).

Both are read from local folders or ``s3://`` alike, with pyarrow (no Spark).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus import storage
from kocorpus.provenance.manifest import dataset_root, load_manifest
from kocorpus.tokenizer.shards import LINEAGE_SCHEMA

#: doc_id -> provenance, for every document that reached the shards.
DOCUMENTS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string()),
        pa.field("source_kind", pa.string()),
        pa.field("license", pa.string()),
        pa.field("url", pa.string()),
        pa.field("domain", pa.string()),
        pa.field("crawl_date", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("record_key", pa.string()),  # doc_id = make_doc_id(source, record_key) unless the key repeated
    ]
)

__all__ = ["DOCUMENTS_SCHEMA", "LINEAGE_SCHEMA", "lineage_url", "documents_url", "read_lineage", "read_documents"]


def lineage_url(location: str | Path, manifest: dict | None = None) -> str | None:
    """Where the current version's lineage is (None when the manifest lists none)."""
    manifest = manifest or load_manifest(location)
    entry = manifest.get("lineage")
    return storage.join(dataset_root(location), entry["path"]) if entry else None


def documents_url(location: str | Path, manifest: dict | None = None) -> str | None:
    """Where the current version's documents table is (None for datasets written before it existed)."""
    manifest = manifest or load_manifest(location)
    entry = manifest.get("documents")
    return storage.join(dataset_root(location), entry["path"]) if entry else None


def _read(url: str, columns: list[str] | None, schema: pa.Schema) -> pa.Table:
    fs, inner = storage.filesystem(url)
    return pq.read_table(fs.open_input_file(inner), columns=columns).cast(
        schema if columns is None else pa.schema([schema.field(c) for c in columns])
    )


def read_lineage(location: str | Path, columns: list[str] | None = None, manifest: dict | None = None) -> pa.Table:
    """The lineage table of the manifest at ``location`` (empty when it lists none)."""
    url = lineage_url(location, manifest)
    if url is None:
        return LINEAGE_SCHEMA.empty_table() if columns is None else LINEAGE_SCHEMA.empty_table().select(columns)
    return _read(url, columns, LINEAGE_SCHEMA)


def read_documents(location: str | Path, columns: list[str] | None = None, manifest: dict | None = None) -> pa.Table | None:
    """The documents table of the manifest at ``location``; None when the dataset has none."""
    url = documents_url(location, manifest)
    return None if url is None else _read(url, columns, DOCUMENTS_SCHEMA)
