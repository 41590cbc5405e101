"""Auditing: trace a document through a run, list a shard's contents.

``trace`` works from the run folder (stage data, rejects, and the lineage its
manifest lists); ``shard_contents`` from a manifest alone (local or ``s3://``,
its lineage and documents table) or a run folder. pyarrow on one machine: an
auditor needs no Spark session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from kocorpus.layout import DOCUMENT_STAGES, RunLayout
from kocorpus.provenance.lineage import read_documents, read_lineage

TRACE_COLUMNS = [
    "doc_id", "source", "source_kind", "license", "url", "domain", "crawl_date", "source_file", "record_key", "source_offset",
    "lang", "lang_score", "pii_counts", "dup_cluster", "reject_stage", "reject_reason", "reject_value", "dup_of",
]  # fmt: skip


def _stage_table(lay: RunLayout, stage: str, flt) -> pa.Table:
    path = lay.data_dir(stage)
    if not path.exists():
        return pa.table({})
    d = ds.dataset(path, partitioning="hive")
    cols = [c for c in TRACE_COLUMNS + ["outcome"] if c in d.schema.names]
    return d.to_table(columns=cols, filter=flt)


def dataset_manifest(location: str | Path) -> str:
    """The shard manifest of ``location``: a run folder's dataset, else ``location`` itself (a manifest or its folder)."""
    text = str(location)
    if "://" not in text and (Path(text) / "shard" / "dataset").is_dir():
        return str(RunLayout.of(text).shard_manifest)
    return text


@dataclass
class TraceStep:
    stage: str
    outcome: str  # kept | rejected
    reason: str | None = None
    value: str | None = None
    details: dict = field(default_factory=dict)


@dataclass
class Trace:
    doc_id: str
    provenance: dict
    steps: list[TraceStep]
    shard_rows: list[dict]  # {shard, row, start, end} when the document reached the shards

    @property
    def final(self) -> str:
        if self.shard_rows:
            return "in shards"
        last = self.steps[-1] if self.steps else None
        return f"removed at {last.stage}: {last.reason}" if last and last.outcome == "rejected" else "not in shards"


def trace(run_dir: str | Path, key: str) -> list[Trace]:
    """Every document whose ``doc_id`` or ``url`` is ``key``, with its path through the stages."""
    lay = RunLayout.of(run_dir)
    flt = (ds.field("doc_id") == key) | (ds.field("url") == key)
    first = _stage_table(lay, "ingest", flt)
    ids = sorted(set(first.column("doc_id").to_pylist())) if first.num_rows else []
    if not ids:
        return []
    lineage = read_lineage(lay.shard_manifest) if lay.shard_manifest.exists() else None
    out = []
    for doc_id in ids:
        steps: list[TraceStep] = []
        prov: dict = {}
        for stage in DOCUMENT_STAGES:
            t = _stage_table(lay, stage, ds.field("doc_id") == doc_id)
            if not t.num_rows:
                break
            row = t.to_pylist()[0]
            prov = prov or {k: row.get(k) for k in ("source", "source_kind", "license", "url", "domain", "crawl_date", "source_file", "record_key", "source_offset")}
            details = {k: row[k] for k in ("lang", "lang_score", "pii_counts", "dup_cluster", "dup_of") if row.get(k) not in (None, [], {})}
            if isinstance(details.get("pii_counts"), list):
                details["pii_counts"] = dict(details["pii_counts"])
            steps.append(TraceStep(stage, row["outcome"], row.get("reject_reason"), row.get("reject_value"), details))
            if row["outcome"] == "rejected":
                sub = row.get("reject_stage")
                if sub and sub != stage:
                    steps[-1].details["step"] = sub
                break
        rows = []
        if lineage is not None and steps and steps[-1].outcome == "kept":
            hit = lineage.filter(pc.equal(lineage.column("doc_id"), doc_id))
            rows = [{k: r[k] for k in ("shard", "row", "start", "end")} for r in hit.to_pylist()]
        out.append(Trace(doc_id, prov, steps, rows))
    return out


def shard_contents(location: str | Path, shard: str) -> list[dict]:
    """Documents inside one shard (by path as listed in the manifest, or its file name).

    ``location`` is a run folder or a manifest (local or ``s3://``). Provenance comes from the
    dataset's documents table, or from the run's cleaned documents for datasets without one.
    """
    manifest = dataset_manifest(location)
    lineage = read_lineage(manifest)
    names = set(lineage.column("shard").to_pylist())
    match = [n for n in names if n == shard or Path(n).name == Path(shard).name]
    if not match:
        raise KeyError(f"shard {shard!r} is not in the manifest {manifest}")
    hit = lineage.filter(pc.equal(lineage.column("shard"), match[0]))
    tokens: dict[str, int] = {}
    for r in hit.to_pylist():
        tokens[r["doc_id"]] = tokens.get(r["doc_id"], 0) + r["end"] - r["start"]
    docs = read_documents(manifest)
    if docs is not None:
        docs = docs.filter(pc.is_in(docs.column("doc_id"), pa.array(list(tokens), pa.string())))
    else:
        docs = _stage_table(RunLayout.of(location), "dedup", ds.field("doc_id").isin(list(tokens)))
    info = {r["doc_id"]: r for r in docs.to_pylist()}
    return [
        {
            "doc_id": d,
            "tokens": n,
            **{k: info.get(d, {}).get(k) for k in ("source", "source_kind", "license", "url", "crawl_date")},
        }
        for d, n in sorted(tokens.items())
    ]
