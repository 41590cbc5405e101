"""Nightly runs through Dagster, in process (``materialize``): two nights, a rerun, a failing gate."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from realparts import require_module

dg = require_module("dagster", "the orchestration extra (Dagster) is not installed")

# Three nights of the whole pipeline: about 50 s on a quiet 2-core machine (4 minutes on a busy one).
# In `make test`: these are the nightly issue's acceptance tests.

from kocorpus.dedup.index import PublishedIndex  # noqa: E402
from kocorpus.orchestration.definitions import ASSETS, GATES  # noqa: E402
from kocorpus.pipelines.nightly import nightly_ops  # noqa: E402
from kocorpus.orchestration.published import PublishRefused  # noqa: E402
from kocorpus.provenance.manifest import verify_shards  # noqa: E402

from .fixtures import english_doc, korean_doc, near_copy, write_config, write_drop  # noqa: E402

D1, D2, D3 = "2026-11-01", "2026-11-02", "2026-11-03"


def _materialize(ops, date, instance, raise_on_error=True):
    return dg.materialize(
        [*ASSETS, *GATES],
        partition_key=date,
        resources={"kocorpus": ops},
        instance=instance,
        raise_on_error=raise_on_error,
    )


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def nightly(spark, tmp_path_factory):
    """Drops of two nights (the second with exact and near copies of the first), both nights run."""
    tmp = tmp_path_factory.mktemp("nightly")
    rng = random.Random(11)
    night1 = [(f"a{i}", korean_doc(rng)) for i in range(24)]
    night1 += [("a-dup", night1[0][1])]  # a duplicate within the night
    night1 += [(f"a-en{i}", english_doc(rng)) for i in range(2)]
    night2 = [(f"b{i}", korean_doc(rng)) for i in range(18)]
    exact = [night1[i] for i in (1, 2, 3)]
    near = [night1[i] for i in (4, 5, 6)]
    night2 += [(f"b-exact-{i}", t) for i, t in exact]
    night2 += [(f"b-near-{i}", near_copy(t)) for i, t in near]
    night2 += [(f"b-en{i}", english_doc(rng)) for i in range(2)]
    write_drop(tmp / "drops", D1, night1)
    write_drop(tmp / "drops", D2, night2)  # already there while night 1 runs: it must wait for its night
    ops = nightly_ops(write_config(tmp), spark=spark, progress=lambda m: None)
    instance = dg.DagsterInstance.ephemeral()
    r1 = _materialize(ops, D1, instance)
    v1 = json.loads((tmp / "published" / "manifest.json").read_text())
    r2 = _materialize(ops, D2, instance)
    return {
        "tmp": tmp,
        "ops": ops,
        "instance": instance,
        "results": (r1, r2),
        "v1": v1,
        "exact": {i for i, _ in exact},
        "near": {i for i, _ in near},
        "night2_inputs": len(night2),
    }


def test_two_nights_append_versions_and_dedup_against_published(nightly):
    tmp, ops = nightly["tmp"], nightly["ops"]
    assert all(r.success for r in nightly["results"])
    v1 = nightly["v1"]
    assert v1["version"] == 1 and [n["date"] for n in v1["nights"]] == [D1]
    # night 1 consumed its own drop only; night 2's objects waited for night 2
    assert [Path(f["path"]).parent.name for f in v1["nights"][0]["inputs"]] == [D1]

    v2 = json.loads((tmp / "published" / "manifest.json").read_text())
    assert v2["version"] == 2 and v2["previous"] == "manifests/manifest-v000001.json"
    assert [n["date"] for n in v2["nights"]] == [D1, D2]
    assert v2["shards"][: len(v1["shards"])] == v1["shards"]  # v1's shards are kept as they were
    assert len(v2["shards"]) > len(v1["shards"])
    assert (tmp / "published" / "manifests" / "manifest-v000002.json").read_bytes() == (
        tmp / "published" / "manifest.json"
    ).read_bytes()
    assert verify_shards(tmp / "published" / "manifest.json").ok
    assert v2["totals"]["documents"] == sum(n["documents"] for n in v2["nights"])

    # night 2 removed the copies of night 1's published documents, pointing at them
    night2 = ops.night(D2)
    rejects = pq.read_table(night2.layout.rejected_dir("dedup")).to_pylist()
    a_ids = {r["doc_id"]: r for r in pq.read_table(ops.night(D1).layout.kept_dir("dedup")).to_pylist()}
    by_reason: dict[str, int] = {}
    for r in rejects:
        assert r["dup_of"] in a_ids, "every duplicate of night 2 is a copy of a published night-1 document"
        by_reason[r["reject_reason"]] = by_reason.get(r["reject_reason"], 0) + 1
    assert by_reason == {"exact_duplicate": len(nightly["exact"]), "near_duplicate": len(nightly["near"])}
    dedup = night2.layout.read_marker("dedup")
    assert dedup["dedup"]["index_runs"] == ["nightly-2026-11-01"]
    # after publishing, both nights' documents are in the index, and the lineage covers both nights
    assert PublishedIndex(ops.spark, ops.settings.index_dir).run_ids() == ["nightly-2026-11-01", "nightly-2026-11-02"]
    lineage = pq.read_table(tmp / "published" / v2["lineage"]["path"])
    kept2 = {r["doc_id"] for r in pq.read_table(night2.layout.kept_dir("dedup"), columns=["doc_id"]).to_pylist()}
    assert kept2 <= set(lineage.column("doc_id").to_pylist())
    assert set(lineage.column("shard").to_pylist()) == {s["path"] for s in v2["shards"]}
    # the night recorded what it consumed: every object of its drop, with size and mtime
    plan = night2.read_plan()
    assert [Path(f["path"]).parent.name for f in plan["inputs"]] == [D2]
    assert all(f["size"] > 0 and f["mtime"] for f in plan["inputs"])


def test_rerun_of_a_published_night_changes_nothing(nightly):
    tmp, ops = nightly["tmp"], nightly["ops"]
    before = _snapshot(tmp / "published")
    index_before = _snapshot(Path(ops.settings.index_dir))
    runs_before = _snapshot(tmp / "out" / "runs" / "nightly-2026-11-02")
    result = _materialize(ops, D2, nightly["instance"])
    assert result.success
    assert _snapshot(tmp / "published") == before  # byte-identical manifest, no new version
    assert _snapshot(Path(ops.settings.index_dir)) == index_before
    assert _snapshot(tmp / "out" / "runs" / "nightly-2026-11-02") == runs_before


def test_a_failing_gate_blocks_publishing(nightly):
    tmp, ops = nightly["tmp"], nightly["ops"]
    rng = random.Random(3)
    # a drop that is mostly English: the language filter drops far more than on earlier nights
    docs = [(f"c-en{i}", english_doc(rng)) for i in range(20)] + [(f"c{i}", korean_doc(rng)) for i in range(4)]
    write_drop(tmp / "drops", D3, docs)
    before = (tmp / "published" / "manifest.json").read_bytes()
    result = _materialize(ops, D3, nightly["instance"], raise_on_error=False)
    assert not result.success
    checks = {e.asset_check_key.name: e for e in result.get_asset_check_evaluations()}
    assert checks["drop_rate_band"].passed is False
    assert "filter dropped" in checks["drop_rate_band"].description
    assert checks["shard_checksums"].passed and checks["output_not_empty"].passed
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "shard" in materialized and "published_dataset" not in materialized
    assert (tmp / "published" / "manifest.json").read_bytes() == before
    # publishing the night directly (its report done) is refused too, naming the gate
    ops.run_stage(D3, "report")
    with pytest.raises(PublishRefused, match="drop_rate_band"):
        ops.publish(D3)
    assert (tmp / "published" / "manifest.json").read_bytes() == before
    assert "nightly-2026-11-03" not in PublishedIndex(ops.spark, ops.settings.index_dir).run_ids()

