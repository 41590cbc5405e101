"""The ``ingest`` stage: declared sources in, documents with provenance and quarantine rejects out.

The driver plans file tasks (``kocorpus.sources.tasks``); Spark spreads them and
each task reads its file in plain Python. ``run_ingest`` is the one ingest job:
``kocorpus run`` reads every planned task, a nightly run passes ``paths`` to read
only the objects its plan chose. Both give every row a unique ``doc_id``.
"""

from __future__ import annotations

from typing import Collection, Iterator

import pyarrow as pa

from kocorpus.config import Config
from kocorpus.pipelines.outcomes import fail_first_attempt, outcome_stats, write_outcomes
from kocorpus.pipelines.runner import RunContext
from kocorpus.schemas import STAGE_OUTPUT_SCHEMA, spark_ddl
from kocorpus.sources.extract import HtmlExtractor
from kocorpus.sources.tasks import FileTask, plan_tasks, read_task


def run_ingest(ctx: RunContext, paths: Collection[str] | None = None) -> dict:
    """Read the config's sources (only the files in ``paths`` when given) and write the stage's outcomes.

    Raises ``FileNotFoundError`` when a path in ``paths`` no longer matches any source.
    """
    tasks, snapshot = plan_tasks(ctx.cfg.sources)
    if paths is not None:
        wanted = set(paths)
        tasks = [t for t in tasks if t.path in wanted]
        snapshot = [e for e in snapshot if e["path"] in wanted]
        gone = sorted(wanted - {t.path for t in tasks})
        if gone:
            raise FileNotFoundError(f"planned inputs of {ctx.run_id} are gone: {gone[:5]}")
    missing = [s.name for s in ctx.cfg.sources if not any(t.source == s.name for t in tasks)]
    df = ingest_dataframe(ctx.spark, ctx.cfg, ctx.run_id, tasks)
    write_outcomes(ctx, "ingest", df)
    derived_ids = make_ids_unique(ctx.spark, ctx.layout.data_dir("ingest"))
    stats = outcome_stats(ctx, "ingest")
    stats.update(files=len(snapshot), tasks=len(tasks), inputs=snapshot, sources_without_files=missing)
    stats["repeated_record_keys"] = derived_ids
    stats["extract"] = HtmlExtractor.from_config(ctx.cfg.section("extract")).describe()
    return stats


def ingest_dataframe(spark, cfg: Config, run_id: str, tasks: list[FileTask]):
    """The ingest stage as a Spark DataFrame of ``STAGE_OUTPUT_SCHEMA`` rows."""
    sources = {s.name: s for s in cfg.sources}
    max_doc_bytes = cfg.run.max_doc_bytes
    extractor = HtmlExtractor.from_config(cfg.section("extract"))
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
                yield from read_task(task, sources[task.source], run_id, max_doc_bytes, extractor)

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
