"""Turning duplicate decisions into kept documents and stage rejects (Spark adapter).

A *decisions* frame has one row per document that belongs to a duplicate
cluster (singletons are absent):

- ``doc_id``: the document;
- ``_dup_of``: the surviving ``doc_id`` (null for the survivor itself);
- ``_cluster``: the cluster id (the survivor's ``doc_id``);
- ``_value``: the measured value recorded on the reject (null for survivors);
- ``_reason``: the reject reason code (null for survivors).

Only the decisions are shuffled; documents meet them in one join on ``doc_id``.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kocorpus.schemas import DOCUMENT_COLUMNS

STAGE = "dedup"

DECISION_COLUMNS = ("doc_id", "_dup_of", "_cluster", "_value", "_reason")


def ensure_document_columns(docs: DataFrame) -> DataFrame:
    """Add any missing ``DOCUMENT_SCHEMA`` column as null (so callers may pass a subset)."""
    import pyarrow as pa

    from kocorpus.schemas import DOCUMENT_SCHEMA, spark_ddl

    have = set(docs.columns)
    for field in DOCUMENT_SCHEMA:
        if field.name not in have:
            spark_type = spark_ddl(pa.schema([field])).split(" ", 1)[1]
            docs = docs.withColumn(field.name, F.lit(None).cast(spark_type))
    return docs


def split_by_decisions(docs: DataFrame, decisions: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Kept documents (``DOCUMENT_SCHEMA`` columns, ``dup_cluster`` set on survivors)
    and rejects (``STAGE_OUTPUT_SCHEMA`` columns)."""
    d = decisions.select(*DECISION_COLUMNS)
    joined = docs.join(d, on="doc_id", how="left")
    cluster = F.coalesce(F.col("_cluster"), F.col("dup_cluster"))
    kept_cols = [cluster.alias("dup_cluster") if c == "dup_cluster" else F.col(c) for c in DOCUMENT_COLUMNS]
    kept = joined.where(F.col("_dup_of").isNull()).select(*kept_cols)
    rejects = joined.where(F.col("_dup_of").isNotNull()).select(
        *kept_cols,
        F.lit(STAGE).alias("reject_stage"),
        F.col("_reason").alias("reject_reason"),
        F.col("_value").cast("string").alias("reject_value"),
        F.col("_dup_of").alias("dup_of"),
    )
    return kept, rejects
