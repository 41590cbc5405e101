"""Materialising intermediate frames as Parquet (cuts Spark lineage, lets a frame be read twice cheaply)."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession


def materialize(spark: SparkSession, df: DataFrame, checkpoint_dir: str, name: str) -> DataFrame:
    """Write ``df`` as Parquet under ``checkpoint_dir/name`` (replacing it) and read it back."""
    path = f"{checkpoint_dir.rstrip('/')}/{name}"
    df.write.mode("overwrite").parquet(path)
    return spark.read.parquet(path)
