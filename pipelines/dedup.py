"""The ``dedup`` stage: exact (text hash) then MinHash LSH near-duplicate removal (``kocorpus.dedup``)."""

from __future__ import annotations

from kocorpus.pipelines.outcomes import outcome_stats, read_kept, write_outcomes
from kocorpus.pipelines.runner import RunContext
from kocorpus.schemas import DOCUMENT_COLUMNS, STAGE_OUTPUT_SCHEMA


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
