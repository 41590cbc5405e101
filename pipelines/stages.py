"""The pipeline's stages as Spark jobs: each adapts plain-Python Arrow logic with ``mapInArrow``.

Stages, in order:

- ``ingest``   read declared sources; quarantine unreadable records.
- ``filter``   per-document steps fused into one pass: normalize, licence
               policy and opt-out, language ID, quality, PII. Each reject names
               the step that removed it.
- ``dedup``    exact (text hash) then MinHash near-duplicate removal.
- ``tokenize`` train or load the tokenizer; encode documents (``encode_batch``).
- ``shard``    pack tokens in the seeded order into Parquet shards + lineage + manifest.
- ``report``   run summary: the per-stage funnel, by source and licence.
"""

from __future__ import annotations

import importlib
from typing import Iterator

import pyarrow as pa

from kocorpus.filters.base import DocumentStep, run_steps
from kocorpus.pipelines import ingest as ingest_mod
from kocorpus.pipelines.runner import RunContext, Stage
from kocorpus.pipelines.schemas import (
    DOCUMENT_COLUMNS,
    DOCUMENT_SCHEMA,
    REJECT_SCHEMA,
    STAGE_OUTPUT_SCHEMA,
    conform,
    spark_ddl,
)

#: Document steps of the ``filter`` stage: config name -> (module, class). Order is the default order.
STEP_REGISTRY: dict[str, tuple[str, str]] = {
    "normalize": ("kocorpus.filters.normalize", "TextNormalizer"),
    "policy": ("kocorpus.filters.policy", "LicensePolicy"),
    "langid": ("kocorpus.filters.langid", "FastTextLanguageId"),
    "quality": ("kocorpus.filters.quality", "QualityFilter"),
    "pii": ("kocorpus.filters.pii", "KoreanPiiRedactor"),
}
DEFAULT_STEPS = list(STEP_REGISTRY)


def build_steps(cfg) -> list[DocumentStep]:
    """The filter stage's steps from ``[filter] steps`` (default: all, in registry order)."""
    names = cfg.section("filter").get("steps", DEFAULT_STEPS)
    steps = []
    for name in names:
        if name not in STEP_REGISTRY:
            raise ValueError(f"[filter] steps: unknown step {name!r}; known: {list(STEP_REGISTRY)}")
        module, cls = STEP_REGISTRY[name]
        steps.append(getattr(importlib.import_module(module), cls).from_config(cfg.section(name)))
    return steps


# --------------------------------------------------------------------------- helpers


def read_kept(ctx: RunContext, stage: str):
    """Documents kept by ``stage`` as a DataFrame with the document columns."""
    spark = ctx.spark
    path = ctx.layout.kept_dir(stage)
    if not path.exists():
        return spark.createDataFrame([], spark_ddl(DOCUMENT_SCHEMA))
    return spark.read.parquet(str(path)).select(*DOCUMENT_COLUMNS)


def write_outcomes(ctx: RunContext, stage: str, df) -> None:
    """Write ``STAGE_OUTPUT_SCHEMA`` rows split by outcome (kept / rejected)."""
    from pyspark.sql import functions as F

    out = df.withColumn("outcome", F.when(F.col("reject_stage").isNull(), "kept").otherwise("rejected"))
    out.write.mode("overwrite").partitionBy("outcome").parquet(str(ctx.layout.data_dir(stage)))


def outcome_stats(ctx: RunContext, stage: str, n_in: int | None = None) -> dict:
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


# --------------------------------------------------------------------------- ingest


def run_ingest(ctx: RunContext) -> dict:
    tasks, snapshot = ingest_mod.plan_tasks(ctx.cfg.sources)
    missing = [s.name for s in ctx.cfg.sources if not any(t.source == s.name for t in tasks)]
    df = ingest_mod.ingest_dataframe(ctx.spark, ctx.cfg, ctx.run_id, tasks)
    write_outcomes(ctx, "ingest", df)
    derived_ids = ingest_mod.make_ids_unique(ctx.spark, ctx.layout.data_dir("ingest"))
    stats = outcome_stats(ctx, "ingest")
    stats.update(files=len(snapshot), tasks=len(tasks), inputs=snapshot, sources_without_files=missing)
    stats["repeated_record_keys"] = derived_ids
    return stats


# --------------------------------------------------------------------------- filter


def filter_batches(steps: list[DocumentStep]):
    """The mapInArrow function of the filter stage: documents in, kept + rejects out."""

    def fn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            kept, rejected = run_steps(conform(b, DOCUMENT_SCHEMA), steps)
            if kept.num_rows:
                yield conform(kept, STAGE_OUTPUT_SCHEMA)
            for stage, rows, verdicts in rejected:
                rows = conform(rows, STAGE_OUTPUT_SCHEMA)
                n = rows.num_rows
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_stage"), "reject_stage", pa.array([stage] * n, pa.string())
                )
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_reason"),
                    "reject_reason",
                    pa.array([v.reason for v in verdicts], pa.string()),
                )
                rows = rows.set_column(
                    rows.schema.get_field_index("reject_value"),
                    "reject_value",
                    pa.array([v.value for v in verdicts], pa.string()),
                )
                yield rows

    return lambda batches: ingest_mod.fail_first_attempt("filter", fn(batches))  # no-op unless KOCORPUS_FAIL_FIRST_ATTEMPT names it


def run_filter(ctx: RunContext) -> dict:
    steps = build_steps(ctx.cfg)
    docs = read_kept(ctx, "ingest")
    n_in = ctx.stats["ingest"]["out"]
    df = docs.mapInArrow(filter_batches(steps), spark_ddl(STAGE_OUTPUT_SCHEMA))
    write_outcomes(ctx, "filter", df)
    stats = outcome_stats(ctx, "filter", n_in)
    stats["steps"] = [{"stage": s.stage, "settings": s.describe()} for s in steps]
    return stats


# --------------------------------------------------------------------------- dedup


def run_dedup(ctx: RunContext) -> dict:
    from kocorpus.dedup.stage import dedup_documents

    docs = read_kept(ctx, "filter")
    n_in = ctx.stats["filter"]["out"]
    section = ctx.cfg.section("dedup")
    index_dir = section.pop("index_dir", None)
    checkpoint = ctx.layout.stage_dir("dedup") / "_checkpoints"
    kept, rejects, dstats = dedup_documents(
        ctx.spark, docs, section, index_dir=index_dir, checkpoint_dir=str(checkpoint), run_id=ctx.run_id
    )
    from pyspark.sql import functions as F

    out_cols = STAGE_OUTPUT_SCHEMA.names
    kept_out = kept.select(
        *[F.col(c) if c in DOCUMENT_COLUMNS else F.lit(None).cast("string").alias(c) for c in out_cols]
    )
    write_outcomes(ctx, "dedup", kept_out.unionByName(rejects.select(*out_cols)))
    stats = outcome_stats(ctx, "dedup", n_in)
    stats["dedup"] = dstats
    return stats


# --------------------------------------------------------------------------- tokenize + shard + report


def run_tokenize(ctx: RunContext) -> dict:
    from kocorpus.pipelines.tokenize_job import tokenize

    return tokenize(ctx)


def run_shard(ctx: RunContext) -> dict:
    from kocorpus.pipelines.tokenize_job import shard

    return shard(ctx)


def run_report(ctx: RunContext) -> dict:
    from kocorpus.pipelines.summary import write_summary

    return write_summary(ctx)


PIPELINE: list[Stage] = [
    Stage("ingest", run_ingest, "read sources, quarantine unreadable records"),
    Stage("filter", run_filter, "normalize, licence policy, language ID, quality, PII"),
    Stage("dedup", run_dedup, "exact and MinHash near-duplicate removal"),
    Stage("tokenize", run_tokenize, "train/load the tokenizer and encode documents"),
    Stage("shard", run_shard, "pack token shards, lineage and manifest"),
    Stage("report", run_report, "run summary and provenance report"),
]
STAGE_NAMES = [s.name for s in PIPELINE]

__all__ = ["PIPELINE", "STAGE_NAMES", "build_steps", "REJECT_SCHEMA"]
