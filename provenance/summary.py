"""The run summary's figures, computed from the stages' recorded stats (plain Python, no Spark).

- ``funnel``: per document stage, documents in, out and rejected by reason.
- ``by_source``: per source, its licence and kind, documents in, kept to the end, rejected by stage.
- ``outputs``: where a user finds each output of a run.
"""

from __future__ import annotations

from kocorpus.layout import DOCUMENT_STAGES, RunLayout


def funnel(stats: dict[str, dict]) -> list[dict]:
    rows = []
    for stage in DOCUMENT_STAGES + ("tokenize",):
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
    for stage in DOCUMENT_STAGES:
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
            elif stage == DOCUMENT_STAGES[-1]:
                row["kept"] += r["n"]
    return sorted(table.values(), key=lambda r: r["source"])


def outputs(lay: RunLayout) -> dict[str, str]:
    """Where a user finds each output of the run."""
    return {
        "cleaned_documents": str(lay.kept_dir("dedup")),
        "rejects": str(lay.stage_dir("report") / "rejects"),
        "shard_manifest": str(lay.shard_manifest),
        "summary": str(lay.stage_dir("report") / "summary.json"),
        "report": str(lay.stage_dir("report") / "report.html"),
        "run_manifest": str(lay.run_manifest),
    }
