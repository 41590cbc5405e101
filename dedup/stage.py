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

from kocorpus.dedup.checkpoint import materialize
from kocorpus.dedup.exact import exact_decisions
from kocorpus.dedup.index import PublishedIndex
from kocorpus.dedup.near import lsh_params, near_decisions, signature_table
from kocorpus.dedup.outcome import DECISION_COLUMNS, ensure_document_columns, split_by_decisions
from kocorpus.dedup.settings import DedupSettings

DECISIONS_DDL = "doc_id string, _dup_of string, _cluster string, _value string, _reason string"


def dedup_documents(
    spark: SparkSession,
    docs: DataFrame,
    section: dict[str, Any] | None,
    *,
    index_dir: str | None,
    checkpoint_dir: str,
    run_id: str | None = None,
) -> tuple[DataFrame, DataFrame, dict[str, Any]]:
    """Remove exact and near duplicates from ``docs``.

    Returns ``(kept, rejects, stats)``: kept has ``DOCUMENT_SCHEMA`` columns,
    rejects ``STAGE_OUTPUT_SCHEMA`` columns. ``index_dir`` (or None) holds the
    index of documents published by earlier runs (:mod:`kocorpus.dedup.index`;
    ``[dedup] index_dir`` when None):
    documents matching it are rejected as duplicates of the published ones.
    The index's entries for this run (``run_id``, else the ``run_id`` values
    found in ``docs``) are ignored, so re-running a published run is stable.
    ``checkpoint_dir`` is a scratch folder for this run's intermediate tables;
    ``stats["signatures_path"]`` points at the signatures there, for
    :func:`kocorpus.dedup.index.append_to_index`.
    """
    settings = DedupSettings.from_config(section)
    index_dir = index_dir or settings.index_dir
    docs = ensure_document_columns(docs)
    order = settings.order
    stats: dict[str, Any] = {"settings": settings.to_dict()}

    index = None
    exclude: set[str] = set()
    if index_dir and (settings.exact or settings.near):
        index = PublishedIndex(spark, index_dir)
        index.check_compatible(settings)
        if run_id is not None:
            exclude = {run_id}
        else:
            exclude = {r["run_id"] for r in docs.select("run_id").distinct().collect() if r["run_id"] is not None}
        stats["index_runs"] = index.run_ids(exclude)

    parts: list[DataFrame] = []
    exact = None
    if settings.exact:
        published = index.hashes(exclude) if index is not None else None
        exact = materialize(spark, exact_decisions(docs, order, published), checkpoint_dir, "exact_decisions")
    if settings.near:
        candidates = docs
        if exact is not None:
            candidates = docs.join(exact.where(F.col("_dup_of").isNotNull()).select("doc_id"), "doc_id", "left_anti")
        sigs = materialize(spark, signature_table(candidates, settings), checkpoint_dir, "signatures")
        b, r = lsh_params(settings)
        near, edges = near_decisions(
            spark,
            candidates,
            sigs,
            settings,
            checkpoint_dir,
            published_bands=index.bands(b, r, exclude) if index is not None else None,
            published_sigs=index.signatures(exclude) if index is not None else None,
        )
        near = materialize(spark, near, checkpoint_dir, "near_decisions")
        stats.update(
            bands=b,
            rows=r,
            too_short_to_shingle=sigs.where(F.col("sig").isNull()).count(),
            verified_edges=edges.count(),
            signatures_path=f"{checkpoint_dir.rstrip('/')}/signatures",
        )
        if exact is not None:
            exact = _follow_near_survivors(exact, near)
        parts.append(near)
    if exact is not None:
        parts.append(exact)
    decisions = spark.createDataFrame([], DECISIONS_DDL)
    for p in parts:
        decisions = decisions.unionByName(p.select(*DECISION_COLUMNS))
    decisions = materialize(spark, decisions, checkpoint_dir, "decisions")

    kept, rejects = split_by_decisions(docs, decisions)
    stats.update(decision_stats(decisions, n_input=docs.count()))
    return kept, rejects, stats


def _follow_near_survivors(exact: DataFrame, near: DataFrame) -> DataFrame:
    """Exact decisions re-pointed at the final survivor: when an exact-cluster survivor S
    is itself a near duplicate of T, S's exact duplicates get ``dup_of = T`` and T's cluster;
    when S survives a near cluster, its exact duplicates join that cluster (named S).

    ``_value`` keeps the exact twin (S) that the text hash matched.
    """
    n = near.select(F.col("doc_id").alias("_s"), F.col("_dup_of").alias("_n_dup_of"), F.col("_cluster").alias("_n_cluster"))
    e = exact.join(n, exact["_cluster"] == n["_s"], "left")
    final = F.coalesce(F.col("_n_cluster"), F.col("_cluster"))
    return e.select(
        "doc_id",
        F.when(F.col("_dup_of").isNotNull(), final).alias("_dup_of"),
        final.alias("_cluster"),
        "_value",
        "_reason",
    ).join(near.select("doc_id"), "doc_id", "left_anti")


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
