"""Exact duplicate removal on the normalized text hash (``text_sha256``).

Documents with the same ``text_sha256`` form a cluster; the first by the
survivor order (:mod:`kocorpus.dedup.survivor`) is kept, the others are
rejected with reason ``exact_duplicate``, ``dup_of`` = the survivor and
``reject_value`` = the survivor's ``doc_id``. When ``published`` text hashes
are given (from the cross-run index), a document whose hash was published in
an earlier run is rejected as a duplicate of the published document, which
always wins. A null ``text_sha256`` is computed from ``text`` (UTF-8 sha256);
documents with no text are left alone.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kocorpus.dedup.outcome import ensure_document_columns, split_by_decisions
from kocorpus.dedup.survivor import SurvivorOrder

REASON = "exact_duplicate"


def exact_decisions(
    docs: DataFrame,
    order: SurvivorOrder | list[str] | None = None,
    published: DataFrame | None = None,
) -> DataFrame:
    """Decisions frame (see :mod:`kocorpus.dedup.outcome`) for exact duplicates.

    ``published``: optional frame with columns ``doc_id`` and ``text_sha256``
    of documents published in earlier runs; they rank before every new document.
    """
    order = SurvivorOrder.from_config(order)
    cols = order.columns()
    keys = docs.select(
        "doc_id",
        F.coalesce(F.col("text_sha256"), F.sha2(F.col("text"), 256)).alias("_h"),
        *[c for c in cols if c != "doc_id"],
    ).where(F.col("_h").isNotNull())
    keys = keys.withColumn("_published", F.lit(False))
    if published is not None:
        pub = published.select("doc_id", F.col("text_sha256").alias("_h"))
        for c in cols:
            if c != "doc_id":
                pub = pub.withColumn(c, F.lit(None).cast(keys.schema[c].dataType))
        keys = keys.unionByName(pub.withColumn("_published", F.lit(True)))
    by_hash = Window.partitionBy("_h")
    ranked_w = by_hash.orderBy(F.col("_published").desc(), *order.spark_sort())
    ranked = (
        keys.withColumn("_size", F.count(F.lit(1)).over(by_hash))
        .where(F.col("_size") > 1)
        .withColumn("_rank", F.row_number().over(ranked_w))
        .withColumn("_survivor", F.first("doc_id").over(ranked_w))
        .where(~F.col("_published"))
    )
    return ranked.select(
        "doc_id",
        F.when(F.col("_rank") > 1, F.col("_survivor")).alias("_dup_of"),
        F.col("_survivor").alias("_cluster"),
        F.when(F.col("_rank") > 1, F.col("_survivor")).alias("_value"),
        F.when(F.col("_rank") > 1, F.lit(REASON)).alias("_reason"),
    )


def exact_dedup(
    docs: DataFrame,
    order: SurvivorOrder | list[str] | None = None,
    published: DataFrame | None = None,
) -> tuple[DataFrame, DataFrame]:
    """Split ``docs`` into (kept ``DOCUMENT_SCHEMA`` rows, ``STAGE_OUTPUT_SCHEMA`` rejects)."""
    docs = ensure_document_columns(docs)
    return split_by_decisions(docs, exact_decisions(docs, order, published))
