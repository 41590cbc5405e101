"""The run summary: the per-stage funnel, by source and licence, and one rejects table.

Writes ``<run>/report/summary.json`` and ``<run>/report/rejects/`` (Parquet,
``REJECT_SCHEMA``: every document that did not reach the shards, exactly
once, with stage, reason and value). Checks the accounting identity:
documents in = documents in shards + rejects.
"""

from __future__ import annotations

from kocorpus.pipelines.layout import write_json_atomic
from kocorpus.pipelines.runner import RunContext
from kocorpus.pipelines.schemas import REJECT_COLUMNS

DOC_STAGES = ("ingest", "filter", "dedup")


def consolidated_rejects(ctx: RunContext):
    """All rejects of the run as one DataFrame with the ``REJECT_SCHEMA`` columns."""
    from pyspark.sql import functions as F

    frames = []
    for stage in DOC_STAGES:
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
        from kocorpus.pipelines.schemas import REJECT_SCHEMA, spark_ddl

        return ctx.spark.createDataFrame([], spark_ddl(REJECT_SCHEMA))
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def funnel(stats: dict[str, dict]) -> list[dict]:
    rows = []
    for stage in DOC_STAGES + ("tokenize",):
        s = stats.get(stage)
        if not s:
            continue
        rows.append(
            {
                "stage": stage,
                "in": s.get("in"),
                "out": s.get("out"),
                "rejected": sum((s.get("rejected") or {}).values()),
                "rejected_by_reason": s.get("rejected_by_stage") or {},
            }
        )
    return rows


def by_source(stats: dict[str, dict]) -> list[dict]:
    """Per source: licence, kind, documents in, kept to the end, rejected by stage."""
    table: dict[str, dict] = {}
    for stage in DOC_STAGES:
        for r in (stats.get(stage) or {}).get("by_source", []):
            row = table.setdefault(
                r["source"],
                {"source": r["source"], "source_kind": r["source_kind"], "license": r["license"], "in": 0, "kept": 0, "rejected": {}},
            )
            if stage == "ingest":
                row["in"] += r["n"]
            if r["outcome"] == "rejected":
                key = f"{r['reject_stage']}:{r['reject_reason']}"
                row["rejected"][key] = row["rejected"].get(key, 0) + r["n"]
            elif stage == DOC_STAGES[-1]:
                row["kept"] += r["n"]
    return sorted(table.values(), key=lambda r: r["source"])


def write_summary(ctx: RunContext) -> dict:
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
        "outputs": outputs(ctx),
    }
    write_json_atomic(report_dir / "summary.json", summary)
    from kocorpus.pipelines.provenance import collect_provenance
    from kocorpus.pipelines.report import write_report

    files = write_report(report_dir, summary, collect_provenance(ctx), summary["filter_settings"])
    if ctx.layout.dataset_dir.exists():
        import shutil

        shutil.copyfile(files["croissant"], ctx.layout.dataset_dir / "croissant.json")
    if not summary["accounting_holds"]:
        raise RuntimeError(f"accounting identity broken: {n_in} in != {n_kept} kept + {n_rejects} rejected")
    return {"in": n_in, "out": n_kept, "rejected_total": n_rejects, "summary": str(report_dir / "summary.json")}


def outputs(ctx: RunContext) -> dict[str, str]:
    """Where a user finds each output of the run."""
    lay = ctx.layout
    return {
        "cleaned_documents": str(lay.kept_dir("dedup")),
        "rejects": str(lay.stage_dir("report") / "rejects"),
        "shard_manifest": str(lay.shard_manifest),
        "summary": str(lay.stage_dir("report") / "summary.json"),
        "report": str(lay.stage_dir("report") / "report.html"),
        "run_manifest": str(lay.run_manifest),
    }
