"""What every document stage reads and writes: kept documents in, outcomes out, counts read back.

- ``read_kept(ctx, stage)``: the documents a finished stage kept (``DOCUMENT_COLUMNS``).
- ``write_outcomes(ctx, stage, df)``: ``STAGE_OUTPUT_SCHEMA`` rows split by ``outcome=kept|rejected``.
- ``outcome_stats(ctx, stage, n_in)``: in, out, rejected by reason and by source, counted from
  what was written (a retried Spark task never counts twice); checks ``n_in == kept + rejected``.
- ``fail_first_attempt``: the fault hook of the retry tests (``KOCORPUS_FAIL_FIRST_ATTEMPT``).
"""

from __future__ import annotations

import os
from typing import Iterator, TypeVar

from kocorpus.schemas import DOCUMENT_COLUMNS, DOCUMENT_SCHEMA, spark_ddl

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


def read_kept(ctx, stage: str):
    """Documents kept by ``stage`` as a DataFrame with the document columns."""
    spark = ctx.spark
    path = ctx.layout.kept_dir(stage)
    if not path.exists():
        return spark.createDataFrame([], spark_ddl(DOCUMENT_SCHEMA))
    return spark.read.parquet(str(path)).select(*DOCUMENT_COLUMNS)


def write_outcomes(ctx, stage: str, df) -> None:
    """Write ``STAGE_OUTPUT_SCHEMA`` rows split by outcome (kept / rejected)."""
    from pyspark.sql import functions as F

    out = df.withColumn("outcome", F.when(F.col("reject_stage").isNull(), "kept").otherwise("rejected"))
    out.write.mode("overwrite").partitionBy("outcome").parquet(str(ctx.layout.data_dir(stage)))


def outcome_stats(ctx, stage: str, n_in: int | None = None) -> dict:
    """Counts read back from what ``stage`` wrote: in, out, rejected by reason, by source."""
    from pyspark.sql import functions as F

    path = ctx.layout.data_dir(stage)
    if not path.exists():
        return {"in": n_in or 0, "out": 0, "rejected": {}, "rejected_by_stage": {}, "by_source": []}
    df = ctx.spark.read.parquet(str(path))
    rows = (
        df.groupBy("source", "source_kind", "license", "outcome", "reject_stage", "reject_reason")
        .agg(F.count(F.lit(1)).alias("n"))
        .collect()
    )
    out = sum(r["n"] for r in rows if r["outcome"] == "kept")
    rejected: dict[str, int] = {}
    by_stage: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["outcome"] == "rejected":
            rejected[r["reject_reason"]] = rejected.get(r["reject_reason"], 0) + r["n"]
            s = by_stage.setdefault(r["reject_stage"], {})
            s[r["reject_reason"]] = s.get(r["reject_reason"], 0) + r["n"]
    total = sum(r["n"] for r in rows)
    by_source = sorted(
        (
            {k: r[k] for k in ("source", "source_kind", "license", "outcome", "reject_stage", "reject_reason", "n")}
            for r in rows
        ),
        key=lambda d: tuple(str(d[k]) for k in ("source", "outcome", "reject_stage", "reject_reason")),
    )
    if n_in is not None and n_in != total:
        raise RuntimeError(f"stage {stage}: {n_in} documents in but {total} accounted for (kept + rejected)")
    return {
        "in": total,
        "out": out,
        "rejected": dict(sorted(rejected.items())),
        "rejected_by_stage": by_stage,
        "by_source": by_source,
    }
