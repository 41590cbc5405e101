"""File tasks: what one ingest task reads, and the plain-Python reading of it (no Spark).

The driver lists every source's files into *file tasks* (one per file, one per
row group for Parquet). A task is read by its format's reader into
``STAGE_OUTPUT_SCHEMA`` batches: documents with provenance, and quarantine rows
(stage ``ingest``, location ``source_file`` + ``source_offset``, a reason).
``read_source`` reads a whole source in one process (tools, classifier training).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from kocorpus import storage
from kocorpus.config import SourceConfig
from kocorpus.schemas import DOCUMENT_SCHEMA, STAGE_OUTPUT_SCHEMA, conform, make_doc_id
from kocorpus.sources.extract import HtmlExtractor
from kocorpus.sources.jsonl import read_jsonl
from kocorpus.sources.parquet import read_parquet
from kocorpus.sources.records import Quarantine, domain_of
from kocorpus.sources.text import read_text_file
from kocorpus.sources.warc import read_warc

BATCH_ROWS = 1000


@dataclass(frozen=True)
class FileTask:
    source: str
    path: str
    key_prefix: str  # path relative to the source's glob root: stable across machines
    size: int
    row_group: int | None = None


def plan_tasks(sources: Iterable[SourceConfig]) -> tuple[list[FileTask], list[dict]]:
    """File tasks for every source, plus snapshot entries (path, size, mtime-free) for the run manifest."""
    tasks: list[FileTask] = []
    snapshot: list[dict] = []
    for src in sources:
        root = storage.glob_root(src.path)
        files = storage.list_files(src.path)
        for path, size in files:
            key = storage.relative_key(path, root)
            snapshot.append({"source": src.name, "path": path, "size": size})
            if src.format == "parquet":
                groups = _row_groups(path)
                if groups > 1:
                    tasks.extend(FileTask(src.name, path, key, size, g) for g in range(groups))
                    continue
            tasks.append(FileTask(src.name, path, key, size))
    return tasks, snapshot


def _row_groups(path: str) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(storage.open_random_access(path)).num_row_groups
    except Exception:
        return 1  # the reader quarantines the file with the real error


def read_task(
    task: FileTask, source: SourceConfig, run_id: str, max_doc_bytes: int, extractor: HtmlExtractor | None = None
) -> Iterator[pa.RecordBatch]:
    """Read one file task into ``STAGE_OUTPUT_SCHEMA`` batches (documents and quarantine rows).

    ``extractor`` turns HTML pages of WARC sources into their main text (default: the default engine).
    """
    if source.format == "jsonl":
        items = read_jsonl(source, task.path, task.key_prefix, max_doc_bytes)
    elif source.format == "text":
        items = read_text_file(source, task.path, task.key_prefix, max_doc_bytes, task.size)
    elif source.format == "parquet":
        items = read_parquet(source, task.path, task.key_prefix, max_doc_bytes, task.row_group)
    elif source.format == "warc":
        items = read_warc(source, task.path, task.key_prefix, max_doc_bytes, (extractor or HtmlExtractor()).extract)
    else:  # config validation prevents this
        raise ValueError(f"unknown format {source.format}")
    base = {
        "source": source.name,
        "source_kind": source.kind,
        "license": source.license,
        "source_file": task.path,
        "run_id": run_id,
    }
    rows: list[dict] = []
    for item in items:
        rows.append(_row(item, base, task))
        if len(rows) >= BATCH_ROWS:
            yield pa.RecordBatch.from_pylist(rows, schema=STAGE_OUTPUT_SCHEMA)
            rows = []
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=STAGE_OUTPUT_SCHEMA)


def _row(item, base: dict, task: FileTask) -> dict:
    if isinstance(item, Quarantine):
        key = item.key or f"{task.key_prefix}@quarantine:{item.offset}"
        return {
            **base,
            "doc_id": make_doc_id(base["source"], key),
            "record_key": item.key,
            "source_offset": item.offset,
            "url": item.url,
            "domain": domain_of(item.url),
            "crawl_date": item.date,
            "reject_stage": item.stage,
            "reject_reason": item.reason,
            "reject_value": item.value,
        }
    return {
        **base,
        "doc_id": make_doc_id(base["source"], item.key),
        "record_key": item.key,
        "source_offset": item.offset,
        "url": item.url,
        "domain": domain_of(item.url),
        "crawl_date": item.date,
        "raw_sha256": item.raw_sha256,
        "text": item.text,
        "encoding": item.encoding,
        "tdm_reserved": item.tdm_reserved,
    }


def read_source(
    source: SourceConfig, max_doc_bytes: int = 8 << 20, run_id: str = "", extractor: HtmlExtractor | None = None
) -> Iterator[pa.RecordBatch]:
    """All readable documents of one source as ``DOCUMENT_SCHEMA`` batches, in the driver (no Spark)."""
    tasks, _ = plan_tasks([source])
    for task in tasks:
        for batch in read_task(task, source, run_id, max_doc_bytes, extractor):
            kept = batch.filter(pc.is_null(batch.column("reject_stage")))
            if kept.num_rows:
                yield conform(kept, DOCUMENT_SCHEMA)
