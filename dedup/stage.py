"""The dedup stage: exact then near-duplicate removal, the single entry point the pipeline calls.

:func:`dedup_documents` returns kept documents, rejects and a stats dict.
Invariant: every input document is in exactly one of kept / rejects
(input = kept + rejected). Every reject has ``reject_stage="dedup"``, a
reason (``exact_duplicate`` | ``near_duplicate``), ``dup_of`` = the final
survivor of its cluster and ``dup_cluster`` = the cluster id (the
survivor's ``doc_id``). A kept document that survived a cluster has
``dup_cluster`` set to its own ``doc_id``.

Only small frames (ids, hashes, signatures, band keys) are shuffled; the
documents meet the decisions in one join at the end.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kocorpus.dedup.exact import exact_decisions
from kocorpus.dedup.outcome import DECISION_COLUMNS, ensure_document_columns, split_by_decisions
from kocorpus.dedup.settings import DedupSettings


def materialize(spark: SparkSession, df: DataFrame, checkpoint_dir: str, name: str) -> DataFrame:
    """Write ``df`` as Parquet under ``checkpoint_dir/name`` and read it back (cuts the lineage)."""
    path = f"{checkpoint_dir.rstrip('/')}/{name}"
    df.write.mode("overwrite").parquet(path)
    return spark.read.parquet(path)


def dedup_documents(
    spark: SparkSession,
    docs: DataFrame,
    section: dict[str, Any] | None,
    *,
    index_dir: str | None,
    checkpoint_dir: str,
) -> tuple[DataFrame, DataFrame, dict[str, Any]]:
    """Remove exact and near duplicates from ``docs``.

    Returns ``(kept, rejects, stats)``: kept has ``DOCUMENT_SCHEMA`` columns,
    rejects ``STAGE_OUTPUT_SCHEMA`` columns. ``index_dir`` (or None) holds the
    index of documents published by earlier runs: documents matching it are
    rejected as duplicates of the published ones. ``checkpoint_dir`` is a
    scratch folder for this run's intermediate tables.
    """
    settings = DedupSettings.from_config(section)
    docs = ensure_document_columns(docs)
    order = settings.order

    empty = spark.createDataFrame([], "doc_id string, _dup_of string, _cluster string, _value string, _reason string")
    decisions = empty
    if settings.exact:
        decisions = materialize(spark, exact_decisions(docs, order), checkpoint_dir, "exact_decisions")

    kept, rejects = split_by_decisions(docs, decisions.select(*DECISION_COLUMNS))
    stats = decision_stats(decisions, n_input=docs.count())
    stats["settings"] = settings.to_dict()
    return kept, rejects, stats


def decision_stats(decisions: DataFrame, n_input: int) -> dict[str, Any]:
    """Counts by reason and the distribution of cluster sizes (documents of this run per cluster,
    plus one when the survivor is a published document)."""
    by_reason = {
        r["_reason"]: int(r["n"])
        for r in decisions.where(F.col("_reason").isNotNull()).groupBy("_reason").agg(F.count("*").alias("n")).collect()
    }
    sizes = (
        decisions.groupBy("_cluster")
        .agg(
            F.count("*").alias("n"),
            F.sum(F.when(F.col("_dup_of").isNull(), 1).otherwise(0)).alias("has_survivor"),
        )
        .select((F.col("n") + F.when(F.col("has_survivor") == 0, 1).otherwise(0)).alias("size"))
        .groupBy("size")
        .agg(F.count("*").alias("clusters"))
        .orderBy("size")
        .collect()
    )
    n_rejected = sum(by_reason.values())
    return {
        "input": n_input,
        "kept": n_input - n_rejected,
        "rejected": n_rejected,
        "rejected_by_reason": by_reason,
        "clusters": sum(int(r["clusters"]) for r in sizes),
        "cluster_sizes": {str(int(r["size"])): int(r["clusters"]) for r in sizes},
        "largest_cluster": max((int(r["size"]) for r in sizes), default=0),
    }
