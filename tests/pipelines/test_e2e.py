"""End to end: the real pipeline on the bundled sample with a real local Spark session."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from kocorpus.sample import config_path as sample_config_path
from kocorpus.pipelines.pipeline import run_pipeline

pytestmark = pytest.mark.e2e

SAMPLE = sample_config_path().parent


def read_outcomes(run_dir: Path, stage: str):
    return ds.dataset(run_dir / stage / "data", partitioning="hive").to_table().to_pylist()


def shard_bytes(dataset: Path) -> dict[str, str]:
    return {
        str(p.relative_to(dataset)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dataset.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_accounting_identity_every_document_exactly_once(demo_run):
    cfg, ctx, _ = demo_run
    run_dir = ctx.layout.run_dir
    ingested = read_outcomes(run_dir, "ingest")
    kept = [r for r in read_outcomes(run_dir, "dedup") if r["outcome"] == "kept"]
    rejects = pq.read_table(run_dir / "report" / "rejects").to_pylist()
    in_ids = [r["doc_id"] for r in ingested]
    out_ids = [r["doc_id"] for r in kept] + [r["doc_id"] for r in rejects]
    assert len(in_ids) == len(set(in_ids)), "doc ids are unique at ingest"
    assert sorted(in_ids) == sorted(out_ids), "every input document is kept or rejected, exactly once"
    assert all(r["stage"] and r["reason"] for r in rejects)
    summary = json.loads((run_dir / "report" / "summary.json").read_text())
    assert summary["accounting_holds"] and summary["documents_in"] == len(in_ids)
    sources = {s["source"] for s in summary["by_source"]}
    assert sources == {s.name for s in cfg.sources}


def test_broken_records_are_quarantined_with_location_and_reason(demo_run):
    _, ctx, _ = demo_run
    rejects = pq.read_table(ctx.layout.run_dir / "report" / "rejects").to_pylist()
    ingest = {(Path(r["source_file"]).name, r["reason"]) for r in rejects if r["stage"] == "ingest"}
    assert ("2024-01.jsonl.gz", "json_error") in ingest
    assert ("2024-01.jsonl.gz", "wrong_type") in ingest
    assert ("2024-02.jsonl.zst", "decode_error") in ingest
    assert ("post-empty.txt", "empty_record") in ingest
    assert ("crawl-0001.warc.gz", "not_text") in ingest
    for r in rejects:
        if r["stage"] == "ingest":
            assert r["source_file"] and r["source_offset"] is not None and r["value"]
    reasons = {(r["stage"], r["reason"]) for r in rejects}
    assert ("policy", "license") in reasons  # the CC-BY-NC-4.0 source
    assert ("policy", "opt_out") in reasons  # opted-out domain and the noai page
    assert ("langid", "language") in reasons  # English page, Japanese post
    assert ("dedup", "exact_duplicate") in reasons


def test_cp949_inputs_are_decoded_correctly(demo_run):
    _, ctx, _ = demo_run
    docs = read_outcomes(ctx.layout.run_dir, "ingest")
    post = next(d for d in docs if d["source_file"].endswith("post-cp949.txt"))
    raw = (SAMPLE / "data" / "community" / "post-cp949.txt").read_bytes()
    assert post["encoding"] == "cp949" and post["text"] == raw.decode("cp949")
    page = next(d for d in docs if (d["url"] or "").endswith("/legacy/1"))
    assert page["encoding"] == "cp949" and any("\uac00" <= ch <= "\ud7a3" for ch in page["text"])


def test_shards_decode_back_to_the_kept_documents(demo_run):
    from tokenizers import Tokenizer

    _, ctx, _ = demo_run
    dataset = ctx.layout.dataset_dir
    manifest = json.loads((dataset / "manifest.json").read_text())
    tok = Tokenizer.from_file(str(dataset / "tokenizer.json"))
    kept = {r["doc_id"]: r["text"] for r in read_outcomes(ctx.layout.run_dir, "dedup") if r["outcome"] == "kept"}
    rows = {}
    for shard in manifest["shards"]:
        table = pq.read_table(dataset / shard["path"])
        rows[shard["path"]] = table.column("tokens").to_pylist()
    pieces: dict[str, list[int]] = {}
    order: list[str] = []
    for r in pq.read_table(dataset / "lineage.parquet").to_pylist():
        if r["doc_id"] not in pieces:
            order.append(r["doc_id"])
        pieces.setdefault(r["doc_id"], []).extend(rows[r["shard"]][r["row"]][r["start"] : r["end"]])
    assert set(pieces) == set(kept)
    eos = manifest["eos_id"]
    for doc_id, ids in pieces.items():
        assert ids[-1] == eos
        assert tok.decode(ids[:-1], skip_special_tokens=False) == kept[doc_id]
    assert manifest["totals"]["documents"] == len(kept)


def test_rerun_skips_finished_stages_and_force_gives_identical_shards(demo_run, spark):
    cfg, ctx, _ = demo_run
    before = shard_bytes(ctx.layout.dataset_dir)
    manifest_before = json.loads(ctx.layout.shard_manifest.read_text())
    messages: list[str] = []
    run_pipeline(cfg, run_id="e2e", spark=spark, progress=messages.append)
    assert sum("skipped" in m for m in messages) == 6
    messages.clear()
    run_pipeline(cfg, run_id="e2e", spark=spark, force=True, progress=messages.append)
    assert not any("skipped" in m for m in messages)
    assert shard_bytes(ctx.layout.dataset_dir) == before
    manifest_after = json.loads(ctx.layout.shard_manifest.read_text())
    assert manifest_after["shards"] == manifest_before["shards"]


def test_run_manifest_records_inputs_checksums_config_and_tokenizer(demo_run):
    _, ctx, _ = demo_run
    run = json.loads(ctx.layout.run_manifest.read_text())
    assert run["run_id"] == "e2e" and run["config_sha256"] and run["code_version"]
    assert run["started_at"] <= run["finished_at"]
    assert run["inputs"] and run["input_snapshot_id"]
    for entry in run["inputs"]:
        data = Path(entry["path"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    manifest = json.loads(ctx.layout.shard_manifest.read_text())
    tok = ctx.layout.dataset_dir / "tokenizer.json"
    assert run["tokenizer"]["sha256"] == manifest["tokenizer"]["sha256"] == hashlib.sha256(tok.read_bytes()).hexdigest()
    assert set(run["outputs"]) >= {"shard_manifest", "summary", "report"}
