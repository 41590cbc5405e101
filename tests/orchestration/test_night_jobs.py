"""A night runs the pipeline's own jobs: unique doc_ids, its plan apart from the checksum cache, takedown reach."""

from __future__ import annotations

import json
import random

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from kocorpus.pipelines.nightly import nightly_ops
from kocorpus.pipelines.pipeline import INPUT_CHECKSUMS, run_pipeline
from kocorpus.provenance.lineage import read_documents, read_lineage
from kocorpus.provenance.manifest import load_manifest
from kocorpus.provenance.takedown import TakedownRequest, run_targets, takedown

from .fixtures import korean_doc, write_config, write_drop

D1 = "2026-10-01"


@pytest.fixture(scope="module")
def night(spark, tmp_path_factory):
    """One published night whose drop holds two files that number their records from 1 (keys repeat)."""
    tmp = tmp_path_factory.mktemp("night-jobs")
    rng = random.Random(5)
    write_drop(tmp / "drops", D1, [(str(i), korean_doc(rng)) for i in range(1, 13)], name="part-0.jsonl")
    write_drop(tmp / "drops", D1, [(str(i), korean_doc(rng)) for i in range(1, 9)], name="part-1.jsonl")
    ops = nightly_ops(write_config(tmp), spark=spark, progress=lambda m: None)
    result = ops.run_night(D1)
    return tmp, ops, result


def test_repeated_record_keys_get_their_own_doc_ids(night):
    _, ops, result = night
    lay = ops.night(D1).layout
    rows = ds.dataset(lay.data_dir("ingest"), partitioning="hive").to_table(columns=["doc_id"]).column("doc_id").to_pylist()
    assert len(rows) == 20 and len(set(rows)) == 20
    assert lay.read_marker("ingest")["repeated_record_keys"] == 8
    assert result["publish"]["status"] == "published"


def test_report_on_a_nightly_run_keeps_the_plan_and_the_checksum_cache_apart(night, spark):
    _, ops, _ = night
    n = ops.night(D1)
    plan_before = n.plan_path.read_bytes()
    cfg = n.run_config()
    run_pipeline(cfg, run_id=n.run_id, stages=["report"], force=["report"], spark=spark, progress=lambda m: None)
    assert n.plan_path.read_bytes() == plan_before  # the plan is never read or written as the cache
    assert n.plan_path.name != INPUT_CHECKSUMS
    run = json.loads(n.layout.run_manifest.read_text())
    assert len(run["input_snapshot_id"]) == 32
    assert sorted(e["path"] for e in run["inputs"]) == sorted(f["path"] for f in json.loads(plan_before)["inputs"])
    assert all(len(e["sha256"]) == 64 for e in run["inputs"])


def test_takedown_of_a_night_reaches_the_published_dataset(night):
    tmp, ops, _ = night
    n = ops.night(D1)
    published = tmp / "published" / "manifest.json"
    targets = run_targets(n.layout.run_dir)
    assert targets == [str(n.layout.shard_manifest), str(published)]
    before = load_manifest(published)
    victim = read_documents(published).column("doc_id").to_pylist()[0]
    result = takedown(targets, TakedownRequest(doc_id=victim, requested_by="test"))
    assert result["verified"] and result["documents_removed"] == [victim]
    assert [t["verified"] for t in result["targets"]] == [True, True]
    after = load_manifest(published)
    assert after["version"] == before["version"] + 1
    assert after["nights"][0]["shards"] == [s["path"] for s in after["shards"]]
    for target in targets:
        assert victim not in read_lineage(target).column("doc_id").to_pylist()
        assert victim not in read_documents(target).column("doc_id").to_pylist()
    log = [json.loads(x) for x in (tmp / "published" / "takedown-log.jsonl").read_text().splitlines()]
    assert log[-1]["documents_removed"] == [victim] and log[-1]["verified"]
    # the next night appends to the version the takedown made
    assert pq.read_table(tmp / "published" / after["lineage"]["path"]).num_rows == read_lineage(published).num_rows
