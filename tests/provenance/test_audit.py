"""Auditing a real run: trace, shard contents, summary, takedown with verification."""

from __future__ import annotations

import hashlib
import re
import json
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from realparts import require_module

from kocorpus.provenance.audit import shard_contents, trace
from kocorpus.provenance.takedown import TakedownRequest, run_targets, takedown

pytestmark = pytest.mark.e2e


def rejects(ctx):
    return pq.read_table(ctx.layout.run_dir / "report" / "rejects").to_pylist()


def test_trace_kept_document_ends_in_shard_rows(demo_run):
    _, ctx, _ = demo_run
    kept = ds.dataset(ctx.layout.kept_dir("dedup")).to_table(columns=["doc_id", "url"]).to_pylist()
    ingested = ds.dataset(ctx.layout.data_dir("ingest"), partitioning="hive").to_table(columns=["url"]).column("url").to_pylist()
    # a URL that only this document has (the sample also holds edited copies under their original's URL)
    doc = min((d for d in kept if d["url"] and ingested.count(d["url"]) == 1), key=lambda d: d["doc_id"])
    [t] = trace(ctx.layout.run_dir, doc["url"])
    assert t.doc_id == doc["doc_id"]
    assert [s.stage for s in t.steps] == ["ingest", "filter", "dedup"] and all(s.outcome == "kept" for s in t.steps)
    assert t.shard_rows and t.final == "in shards"


@pytest.mark.parametrize("stage,reason", [("langid", "language"), ("dedup", "exact_duplicate"), ("policy", "license"), ("ingest", "json_error")])
def test_trace_removed_document_names_stage_and_reason(demo_run, stage, reason):
    _, ctx, _ = demo_run
    r = next(x for x in rejects(ctx) if x["stage"] == stage and x["reason"] == reason)
    [t] = trace(ctx.layout.run_dir, r["doc_id"])
    last = t.steps[-1]
    assert last.outcome == "rejected" and last.reason == reason
    assert last.details.get("step", last.stage) == stage
    assert not t.shard_rows and reason in t.final
    if stage == "dedup":
        assert last.details["dup_of"] and last.details["dup_cluster"]


def test_trace_pii_redacted_document_shows_counts(demo_run):
    _, ctx, _ = demo_run
    docs = ds.dataset(ctx.layout.kept_dir("dedup")).to_table(columns=["doc_id", "pii_counts"]).to_pylist()
    doc = next(d for d in docs if d["pii_counts"] and any(n for _, n in d["pii_counts"]))
    [t] = trace(ctx.layout.run_dir, doc["doc_id"])
    assert t.final == "in shards"
    assert any(s.details.get("pii_counts") for s in t.steps)


def test_forbidden_licence_never_reaches_shards(demo_run):
    _, ctx, _ = demo_run
    lineage = pq.read_table(ctx.layout.dataset_dir / "lineage.parquet").column("doc_id").to_pylist()
    nc = [r["doc_id"] for r in rejects(ctx) if r["license"] == "CC-BY-NC-4.0"]
    assert len(nc) == 5 and not set(nc) & set(lineage)
    assert all(r["reason"] == "license" for r in rejects(ctx) if r["license"] == "CC-BY-NC-4.0")


def test_shard_contents_lists_sources_and_licences(demo_run):
    _, ctx, _ = demo_run
    manifest = json.loads(ctx.layout.shard_manifest.read_text())
    rows = shard_contents(ctx.layout.run_dir, manifest["shards"][0]["path"])
    assert rows and all(r["source"] and r["license"] for r in rows)
    assert sum(r["tokens"] for r in rows) == manifest["shards"][0]["tokens"]


def test_report_forms_exist(demo_run):
    _, ctx, _ = demo_run
    rep = ctx.layout.stage_dir("report")
    html = (rep / "report.html").read_text()
    assert html.count("<svg") >= 6
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the report loads nothing from the network"
    data = json.loads((rep / "report.json").read_text())
    assert data["provenance"]["by_license"] and data["accounting_holds"]
    cr = json.loads((rep / "croissant.json").read_text())
    assert "rai:personalSensitiveInformation" in cr and "rai:dataCollection" in cr


def test_croissant_validates_with_mlcroissant(demo_run, caplog):
    mlc = require_module("mlcroissant", "mlcroissant is not installed (pip install -e '.[dev]')")
    _, ctx, _ = demo_run
    path = ctx.layout.stage_dir("report") / "croissant.json"
    dataset = mlc.Dataset(jsonld=str(path))  # raises ValidationError on an invalid file
    assert dataset.metadata.name == f"kocorpus-{ctx.run_id}"
    assert "@context" not in caplog.text  # the context is the standard one


def _hashes(dataset: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (dataset / "shards").glob("*.parquet")}


def test_takedown_rebuilds_only_affected_shards_and_verifies(demo_run, tmp_path):
    _, ctx, _ = demo_run
    run_copy = tmp_path / "runs" / ctx.run_id
    shutil.copytree(ctx.layout.run_dir, run_copy)
    dataset = run_copy / "shard" / "dataset"
    before = _hashes(dataset)
    manifest = json.loads((dataset / "manifest.json").read_text())
    lineage = pq.read_table(dataset / "lineage.parquet").to_pylist()
    kept = ds.dataset(run_copy / "dedup" / "data" / "outcome=kept").to_table(columns=["doc_id", "domain"]).to_pylist()
    shards_of: dict[str, set] = {}
    for d in kept:
        if d["domain"]:
            shards_of.setdefault(d["domain"], set()).update(r["shard"] for r in lineage if r["doc_id"] == d["doc_id"])
    domain = min(shards_of, key=lambda k: (len(shards_of[k]), k))  # the domain that touches the fewest shards
    gone = {d["doc_id"] for d in kept if d["domain"] == domain}
    affected = shards_of[domain]
    result = takedown(run_targets(run_copy), TakedownRequest(domain=domain, requested_by="test"))
    assert result["verified"] and set(result["documents_removed"]) == gone
    assert [t["target"] for t in result["targets"]] == [str(dataset / "manifest.json")]
    assert set(result["targets"][0]["shards_rebuilt"]) == affected and 0 < len(affected) < len(manifest["shards"])
    new = json.loads((dataset / "manifest.json").read_text())
    assert new["version"] == manifest["version"] + 1
    untouched = [s for s in manifest["shards"] if s["path"] not in affected]
    for s in untouched:
        assert s in new["shards"]
        assert hashlib.sha256((dataset / s["path"]).read_bytes()).hexdigest() == before[Path(s["path"]).name]
    new_lineage = pq.read_table(dataset / new["lineage"]["path"]).column("doc_id").to_pylist()
    assert not gone & set(new_lineage)
    assert set(new_lineage) == {r["doc_id"] for r in lineage} - gone
    assert new["totals"]["documents"] == manifest["totals"]["documents"] - len(gone)
    log = [json.loads(line) for line in (dataset / "takedown-log.jsonl").read_text().splitlines()]
    assert log[-1]["request"]["domain"] == domain and log[-1]["verified"]
