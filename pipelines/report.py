"""The ``report`` stage: one rejects table, the accounting check, the summary and the provenance report.

Writes ``<run>/report/summary.json``, ``<run>/report/rejects/`` (Parquet,
``REJECT_SCHEMA``: every document that did not reach the shards, exactly once,
with stage, reason and value), and the report (JSON, HTML, Croissant) from
figures aggregated with Spark over the run's own outputs, so they hold for any
corpus size. Lineage is read where the shard manifest says it is. Checks the
accounting identity: documents in = documents in shards + rejects.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kocorpus.files import write_json_atomic
from kocorpus.layout import DOCUMENT_STAGES
from kocorpus.pipelines.runner import RunContext
from kocorpus.provenance.lineage import lineage_url
from kocorpus.provenance.report import write_report
from kocorpus.provenance.summary import by_source, funnel, outputs
from kocorpus.schemas import REJECT_COLUMNS, REJECT_SCHEMA, spark_ddl

LANG_SCORE_BINS = [i / 20 for i in range(21)]  # 0.00, 0.05, ... 1.00


def consolidated_rejects(ctx: RunContext):
    """All rejects of the run as one DataFrame with the ``REJECT_SCHEMA`` columns."""
    from pyspark.sql import functions as F

    frames = []
    for stage in DOCUMENT_STAGES:
        path = ctx.layout.rejected_dir(stage)
        if not path.exists():
            continue
        df = ctx.spark.read.parquet(str(path))
        df = (
            df.withColumnRenamed("reject_stage", "stage")
            .withColumnRenamed("reject_reason", "reason")
            .withColumnRenamed("reject_value", "value")
        )
        frames.append(df.select(*[F.col(c) for c in REJECT_COLUMNS]))
    if not frames:
        return ctx.spark.createDataFrame([], spark_ddl(REJECT_SCHEMA))
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def run_report(ctx: RunContext) -> dict:
    from pyspark.sql import functions as F

    report_dir = ctx.layout.stage_dir("report")
    rejects = consolidated_rejects(ctx)
    rejects.write.mode("overwrite").parquet(str(report_dir / "rejects"))
    n_rejects = ctx.spark.read.parquet(str(report_dir / "rejects")).agg(F.count(F.lit(1))).first()[0]
    stats = ctx.stats
    n_in = stats["ingest"]["in"]
    n_kept = stats["dedup"]["out"]
    shard = stats.get("shard") or {}
    summary = {
        "run_id": ctx.run_id,
        "config_sha256": ctx.cfg.sha256(),
        "documents_in": n_in,
        "documents_kept": n_kept,
        "documents_rejected": n_rejects,
        "accounting_holds": n_in == n_kept + n_rejects,
        "documents_in_shards": shard.get("documents"),
        "tokens": shard.get("tokens"),
        "funnel": funnel(stats),
        "by_source": by_source(stats),
        "filter_settings": (stats.get("filter") or {}).get("steps"),
        "dedup": (stats.get("dedup") or {}).get("dedup"),
        "outputs": outputs(ctx.layout),
    }
    write_json_atomic(report_dir / "summary.json", summary)
    files = write_report(report_dir, summary, collect_provenance(ctx), summary["filter_settings"])
    if ctx.layout.dataset_dir.exists():
        shutil.copyfile(files["croissant"], ctx.layout.dataset_dir / "croissant.json")
    if not summary["accounting_holds"]:
        raise RuntimeError(f"accounting identity broken: {n_in} in != {n_kept} kept + {n_rejects} rejected")
    return {"in": n_in, "out": n_kept, "rejected_total": n_rejects, "summary": str(report_dir / "summary.json")}


def _read(ctx: RunContext, path: Path):
    return ctx.spark.read.parquet(str(path)) if path.exists() else None


def collect_provenance(ctx: RunContext) -> dict:
    """Aggregate the run's provenance figures (all counts are documents unless named tokens)."""
    from pyspark.sql import functions as F

    lay = ctx.layout
    out: dict = {}
    kept = _read(ctx, lay.kept_dir("dedup"))
    lineage_path = lineage_url(lay.shard_manifest) if lay.shard_manifest.exists() else None  # follows takedowns
    if lineage_path is not None and kept is not None:
        lineage = ctx.spark.read.parquet(lineage_path)
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
