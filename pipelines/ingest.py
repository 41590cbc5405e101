"""Ingest: declared sources in, documents with provenance (and quarantine rejects) out.

The driver lists every source's files into *file tasks* (one per file, one
per row group for Parquet); Spark spreads the tasks and each task reads its
file with the format reader, in plain Python, emitting ``STAGE_OUTPUT_SCHEMA``
batches. Unreadable input becomes a reject with stage ``ingest``, its
location (``source_file`` + ``source_offset``) and a reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from kocorpus.pipelines import readers, storage
from kocorpus.pipelines.config import Config, SourceConfig
from kocorpus.pipelines.schemas import DOCUMENT_SCHEMA, STAGE_OUTPUT_SCHEMA, conform, make_doc_id, spark_ddl

BATCH_ROWS = 1000

#: Fault injection for retry tests: a comma-separated list of stages (``ingest``, ``filter``) whose
#: Spark tasks with an even partition id fail on their first attempt, after emitting one batch.
#: Unset (the default), it does nothing. Needs a master that retries, e.g. ``local[2,4]``.
FAULT_ENV = "KOCORPUS_FAIL_FIRST_ATTEMPT"

T = TypeVar("T")


def fail_first_attempt(stage: str, items: Iterator[T]) -> Iterator[T]:
    """Pass ``items`` through; raise after the first one when ``FAULT_ENV`` names ``stage`` (first attempts only)."""
    if stage not in os.environ.get(FAULT_ENV, "").split(","):
        yield from items
        return
    from pyspark import TaskContext

    tc = TaskContext.get()
    fail = tc is not None and tc.attemptNumber() == 0 and tc.partitionId() % 2 == 0
    for i, item in enumerate(items):
        yield item
        if fail and i == 0:
            raise RuntimeError(f"{FAULT_ENV}: injected failure in {stage} task {tc.partitionId()}, attempt 0")


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


def read_task(task: FileTask, source: SourceConfig, run_id: str, max_doc_bytes: int) -> Iterator[pa.RecordBatch]:
    """Read one file task into ``STAGE_OUTPUT_SCHEMA`` batches (documents and quarantine rows)."""
    if source.format == "jsonl":
        items = readers.read_jsonl(source, task.path, task.key_prefix, max_doc_bytes)
    elif source.format == "text":
        items = readers.read_text_file(source, task.path, task.key_prefix, max_doc_bytes, task.size)
    elif source.format == "parquet":
        items = readers.read_parquet(source, task.path, task.key_prefix, max_doc_bytes, task.row_group)
    elif source.format == "warc":
        items = readers.read_warc(source, task.path, task.key_prefix, max_doc_bytes)
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
    if isinstance(item, readers.Quarantine):
        return {
            **base,
            "doc_id": make_doc_id(base["source"], f"{task.key_prefix}@quarantine:{item.offset}"),
            "source_offset": item.offset,
            "reject_stage": "ingest",
            "reject_reason": item.reason,
            "reject_value": item.value,
        }
    return {
        **base,
        "doc_id": make_doc_id(base["source"], item.key),
        "source_offset": item.offset,
        "url": item.url,
        "domain": readers.domain_of(item.url),
        "crawl_date": item.date,
        "raw_sha256": item.raw_sha256,
        "text": item.text,
        "encoding": item.encoding,
        "tdm_reserved": item.tdm_reserved,
    }


def read_source(source: SourceConfig, max_doc_bytes: int = 8 << 20, run_id: str = "") -> Iterator[pa.RecordBatch]:
    """All readable documents of one source as ``DOCUMENT_SCHEMA`` batches, in the driver (no Spark)."""
    tasks, _ = plan_tasks([source])
    for task in tasks:
        for batch in read_task(task, source, run_id, max_doc_bytes):
            kept = batch.filter(pc.is_null(batch.column("reject_stage")))
            if kept.num_rows:
                yield conform(kept, DOCUMENT_SCHEMA)


def ingest_dataframe(spark, cfg: Config, run_id: str, tasks: list[FileTask]):
    """The ingest stage as a Spark DataFrame of ``STAGE_OUTPUT_SCHEMA`` rows."""
    sources = {s.name: s for s in cfg.sources}
    max_doc_bytes = cfg.run.max_doc_bytes
    task_rows = [
        {"source": t.source, "path": t.path, "key_prefix": t.key_prefix, "size": t.size, "row_group": t.row_group}
        for t in tasks
    ]
    ddl = "source string, path string, key_prefix string, size bigint, row_group int"
    tasks_df = spark.createDataFrame([tuple(r.values()) for r in task_rows], ddl)
    parts = max(1, min(len(task_rows), 4 * spark.sparkContext.defaultParallelism))
    tasks_df = tasks_df.repartition(parts, "path")

    def read_tasks(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            for t in b.to_pylist():
                task = FileTask(t["source"], t["path"], t["key_prefix"], t["size"], t["row_group"])
                yield from read_task(task, sources[task.source], run_id, max_doc_bytes)

    def read_tasks_or_fail(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return fail_first_attempt("ingest", read_tasks(batches))

    return tasks_df.mapInArrow(read_tasks_or_fail, spark_ddl(STAGE_OUTPUT_SCHEMA))



def make_ids_unique(spark, data_dir) -> int:
    """Give every ingested row its own ``doc_id``; returns how many rows got a derived id.

    A record key can repeat within a source (JSONL ids numbered per file, a WARC-Record-ID reused
    by a broken crawler). The first copy, in (``source_file``, ``source_offset``) order, keeps its
    id; copy *n* becomes ``sha256(doc_id \\x1f copy \\x1f n)[:24]`` and is still a document (dedup
    decides whether it is a duplicate). Reads only ``doc_id`` when no key repeats (the usual case);
    otherwise rewrites the stage's data folder (the stage's marker is not written yet, so a crash
    here redoes the stage).
    """
    import shutil
    from pathlib import Path

    from pyspark.sql import Window
    from pyspark.sql import functions as F

    data_dir = Path(data_dir)
    if not data_dir.exists():
        return 0
    df = spark.read.parquet(str(data_dir))
    repeated = df.groupBy("doc_id").count().where(F.col("count") > 1).select("doc_id")
    if not repeated.take(1):
        return 0
    n_repeated = df.join(F.broadcast(repeated), "doc_id").count() - repeated.count()
    copy = F.row_number().over(Window.partitionBy("doc_id").orderBy("source_file", "source_offset"))
    derived = F.substring(F.sha2(F.concat_ws("\x1f", F.col("doc_id"), F.lit("copy"), copy.cast("string")), 256), 1, 24)
    flagged = df.join(F.broadcast(repeated.withColumn("_repeated", F.lit(True))), "doc_id", "left")
    fixed = flagged.withColumn("doc_id", F.when(F.col("_repeated") & (copy > 1), derived).otherwise(F.col("doc_id")))
    columns = [c for c in STAGE_OUTPUT_SCHEMA.names] + ["outcome"]
    tmp = data_dir.with_name(data_dir.name + ".unique-ids")
    shutil.rmtree(tmp, ignore_errors=True)
    fixed.select(*columns).write.mode("overwrite").partitionBy("outcome").parquet(str(tmp))
    shutil.rmtree(data_dir)
    tmp.rename(data_dir)
    return n_repeated
