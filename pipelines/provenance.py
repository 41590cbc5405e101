"""Provenance figures of a run: what went in, what came out, what was removed and why.

Computed with Spark from the run's own outputs (stage data, rejects, lineage),
so they hold for any corpus size; the result is a plain dict that the report
renders as JSON, HTML and Croissant.
"""

from __future__ import annotations

import json
from pathlib import Path

from kocorpus.pipelines.runner import RunContext

LANG_SCORE_BINS = [i / 20 for i in range(21)]  # 0.00, 0.05, ... 1.00


def _read(ctx: RunContext, path: Path):
    return ctx.spark.read.parquet(str(path)) if path.exists() else None


def collect_provenance(ctx: RunContext) -> dict:
    """Aggregate the run's provenance figures (all counts are documents unless named tokens)."""
    from pyspark.sql import functions as F

    lay = ctx.layout
    out: dict = {}
    kept = _read(ctx, lay.kept_dir("dedup"))
    lineage_path = lay.dataset_dir / "lineage.parquet"
    tokens_by_doc = None
    if lineage_path.exists() and kept is not None:
        lineage = ctx.spark.read.parquet(str(lineage_path))
        tokens_by_doc = lineage.groupBy("doc_id").agg(F.sum(F.col("end") - F.col("start")).alias("tokens"))
        docs = kept.join(tokens_by_doc, "doc_id", "left").fillna({"tokens": 0})
    elif kept is not None:
        docs = kept.withColumn("tokens", F.lit(0))
    else:
        docs = None

    def grouped(keys: list[str]) -> list[dict]:
        if docs is None:
            return []
        rows = docs.groupBy(*keys).agg(F.count(F.lit(1)).alias("documents"), F.sum("tokens").alias("tokens")).collect()
        return sorted((r.asDict() for r in rows), key=lambda d: (-(d["tokens"] or 0), str(d[keys[0]])))

    out["by_source"] = grouped(["source", "source_kind", "license"])
    out["by_license"] = grouped(["license"])
    out["by_source_kind"] = grouped(["source_kind"])
    domains = [d for d in grouped(["domain"]) if d["domain"]]
    out["domains_total"] = len(domains)
    top_n = max(1, -(-len(domains) // 10)) if domains else 0  # the top 10% of domains, at least one
    out["top_domains"] = domains[: max(top_n, min(20, len(domains)))]
    out["top_10_percent_domains"] = domains[:top_n]

    filt = _read(ctx, lay.data_dir("filter"))
    if filt is not None:
        scores = filt.where(F.col("lang_score").isNotNull()).select("lang_score")
        bins = [0] * (len(LANG_SCORE_BINS) - 1)
        for r in scores.select(F.least(F.floor(F.col("lang_score") * 20), F.lit(19)).cast("int").alias("b")).groupBy("b").count().collect():
            bins[r["b"]] = r["count"]
        out["lang_score_histogram"] = {"edges": LANG_SCORE_BINS, "counts": bins}
        pii = (
            filt.where(F.col("pii_counts").isNotNull())
            .select(F.explode("pii_counts").alias("type", "n"))
            .groupBy("type")
            .agg(F.sum("n").alias("n"), F.count(F.lit(1)).alias("documents"))
            .collect()
        )
        out["pii"] = sorted(({"type": r["type"], "count": int(r["n"]), "documents": int(r["documents"])} for r in pii), key=lambda d: -d["count"])
        langs = filt.groupBy("lang").count().collect()
        out["languages"] = sorted(({"lang": r["lang"], "documents": r["count"]} for r in langs), key=lambda d: -d["documents"])
    rejects = _read(ctx, lay.stage_dir("report") / "rejects")
    if rejects is not None:
        rows = rejects.groupBy("stage", "reason").count().collect()
        out["reject_reasons"] = sorted(({"stage": r["stage"], "reason": r["reason"], "documents": r["count"]} for r in rows), key=lambda d: -d["documents"])
    dedup = (ctx.stats.get("dedup") or {}).get("dedup") or {}
    out["dedup_cluster_sizes"] = dedup.get("cluster_sizes") or dedup.get("cluster_size_histogram") or {}
    manifest = lay.shard_manifest
    out["dataset"] = json.loads(manifest.read_text()) if manifest.exists() else None
    return out
