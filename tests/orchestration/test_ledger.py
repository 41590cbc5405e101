"""The nightly ledger without Spark: input planning, versioned publishing, the drop sensor."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from realparts import require_module

from kocorpus.orchestration import published
from kocorpus.orchestration.nightly import Night, NightOrderError
from kocorpus.config import parse_config
from kocorpus.provenance.manifest import verify_shards, write_manifest
from kocorpus.tokenizer.shards import ShardWriter


def _config(tmp: Path):
    raw = {
        "run": {"root": str(tmp / "out")},
        "sources": [
            {"name": "web", "kind": "crawl", "license": "CC0-1.0", "format": "jsonl", "path": str(tmp / "drops/**/*.jsonl")}
        ],
        "nightly": {"publish_dir": str(tmp / "published"), "drops": str(tmp / "drops")},
    }
    return parse_config(raw, base_dir=tmp)


def _drop(tmp: Path, date: str, name: str, lines: int = 3) -> Path:
    p = tmp / "drops" / date / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("".join(json.dumps({"id": f"{name}{i}", "text": "가나다"}) + "\n" for i in range(lines)))
    return p


def test_plan_takes_unconsumed_objects_up_to_its_date_and_is_recorded_once(tmp_path):
    cfg = _config(tmp_path)
    a = _drop(tmp_path, "2026-11-01", "a.jsonl")
    _drop(tmp_path, "2026-11-02", "b.jsonl")
    night1 = Night(cfg, "2026-11-01")
    plan = night1.plan(consumed=set(), tokenizer=None, base_version=0)
    assert [f["path"] for f in plan["inputs"]] == [str(a)]  # the 11-02 drop waits for its night
    assert plan["inputs"][0]["size"] == a.stat().st_size and plan["inputs"][0]["mtime"]
    _drop(tmp_path, "2026-11-01", "late.jsonl")  # arrives after planning: the rerun ignores it
    assert night1.plan(consumed=set(), tokenizer=None, base_version=0) == plan

    # night 2 may not plan while night 1 consumed inputs but is unpublished
    night2 = Night(cfg, "2026-11-02")
    with pytest.raises(NightOrderError, match="2026-11-01"):
        night2.plan(consumed=set(), tokenizer=None, base_version=0)
    night1.mark_published({"version": 1})
    consumed = {(f["path"], f["size"], f["mtime"]) for f in plan["inputs"]}
    plan2 = night2.plan(consumed=consumed, tokenizer="tok.json", base_version=1)
    names = [Path(f["path"]).name for f in plan2["inputs"]]
    assert names == ["late.jsonl", "b.jsonl"] or sorted(names) == ["b.jsonl", "late.jsonl"]
    assert "a.jsonl" not in names and plan2["tokenizer"] == "tok.json"

    # an object rewritten in place is new again
    os.utime(a, (1, 1))
    night3 = Night(cfg, "2026-11-03")
    night2.mark_published({"version": 2})
    consumed |= {(f["path"], f["size"], f["mtime"]) for f in plan2["inputs"]}
    assert [Path(f["path"]).name for f in night3.plan(consumed, None, 2)["inputs"]] == ["a.jsonl"]


def _night_dataset(tmp: Path, run_id: str, docs: int, seed: int, tokenizer: bytes = b'{"tok": 1}') -> Path:
    out = tmp / run_id / "dataset"
    out.mkdir(parents=True)
    (out / "tokenizer.json").write_bytes(tokenizer)
    writer = ShardWriter(out, seq_len=16, vocab_size=300, eos_id=2, pad_id=0, rows_per_shard=4)
    rng = np.random.default_rng(seed)
    for i in range(docs):
        writer.add(f"{run_id}-d{i}", rng.integers(5, 300, size=int(rng.integers(5, 40))))
    info = SimpleNamespace(vocab_size=300, bos_id=1, sha256="")
    return write_manifest(out, writer.close(), info, run_id=run_id, config_sha256="c", code_version="t")


def test_versions_append_shards_and_publish_is_idempotent(tmp_path):
    target = str(tmp_path / "pub")
    m1 = _night_dataset(tmp_path, "nightly-2026-11-01", 30, 1)
    m2 = _night_dataset(tmp_path, "nightly-2026-11-02", 20, 2)
    inputs = [{"source": "web", "path": "/x/a.jsonl", "size": 3, "mtime": "t"}]
    v1 = published.append_night(target, m1, date="2026-11-01", inputs=inputs)
    v2 = published.append_night(target, m2, date="2026-11-02", inputs=[])
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v2["shards"][: len(v1["shards"])] == v1["shards"]
    assert all(s["path"].startswith("shards/nightly-2026-11-0") for s in v2["shards"])
    assert v2["totals"]["documents"] == 50
    report = verify_shards(Path(target) / "manifest.json")
    assert report.ok, report.problems
    assert published.consumed(v2) == {("/x/a.jsonl", 3, "t")}
    before = (Path(target) / "manifest.json").read_bytes()
    assert published.append_night(target, m2, date="2026-11-02", inputs=[]) == v2
    assert (Path(target) / "manifest.json").read_bytes() == before


def test_incompatible_night_is_refused(tmp_path):
    target = str(tmp_path / "pub")
    published.append_night(target, _night_dataset(tmp_path, "nightly-2026-11-01", 10, 1), date="2026-11-01", inputs=[])
    other = _night_dataset(tmp_path, "nightly-2026-11-02", 10, 2, tokenizer=b'{"tok": 2}')
    with pytest.raises(published.PublishRefused, match="tokenizer"):
        published.append_night(target, other, date="2026-11-02", inputs=[])
    assert published.latest(target)["version"] == 1


def test_publish_that_dies_before_the_pointer_leaves_the_previous_version(tmp_path, monkeypatch):
    target = str(tmp_path / "pub")
    published.append_night(target, _night_dataset(tmp_path, "nightly-2026-11-01", 10, 1), date="2026-11-01", inputs=[])
    before = (tmp_path / "pub" / "manifest.json").read_bytes()
    m2 = _night_dataset(tmp_path, "nightly-2026-11-02", 10, 2)
    from kocorpus.provenance import manifest as manifest_mod

    real = manifest_mod.write_bytes_atomic

    def dies_at_pointer(path, data):
        if str(path).endswith("/manifest.json"):
            raise OSError("connection lost")
        real(path, data)

    monkeypatch.setattr(manifest_mod, "write_bytes_atomic", dies_at_pointer)
    with pytest.raises(OSError):
        published.append_night(target, m2, date="2026-11-02", inputs=[])
    assert (tmp_path / "pub" / "manifest.json").read_bytes() == before
    assert verify_shards(tmp_path / "pub" / "manifest.json").ok
    monkeypatch.setattr(manifest_mod, "write_bytes_atomic", real)
    assert published.append_night(target, m2, date="2026-11-02", inputs=[])["version"] == 2


def test_sensor_requests_each_drop_in_date_order(tmp_path):
    dg = require_module("dagster", "the orchestration extra (Dagster) is not installed")
    from kocorpus.orchestration.definitions import new_drop_sensor
    from kocorpus.pipelines.nightly import nightly_ops

    cfg = _config(tmp_path)
    toml = tmp_path / "nightly.toml"
    toml.write_text(
        f'[run]\nroot = "{tmp_path / "out"}"\n[nightly]\ndrops = "{tmp_path / "drops"}"\n', encoding="utf-8"
    )
    _drop(tmp_path, "2026-11-02", "b.jsonl")
    _drop(tmp_path, "2026-11-01", "a.jsonl")
    (tmp_path / "drops" / "not-a-date").mkdir()
    (tmp_path / "drops" / "not-a-date" / "x.jsonl").write_text("{}\n")
    ops = nightly_ops(toml)
    with dg.build_sensor_context(resources={"kocorpus": ops}) as ctx:
        requests = new_drop_sensor(ctx)
    assert [r.partition_key for r in requests] == ["2026-11-01", "2026-11-02"]
    first = {r.partition_key: r.run_key for r in requests}
    _drop(tmp_path, "2026-11-02", "c.jsonl")  # the drop grows: a new run key for its night
    with dg.build_sensor_context(resources={"kocorpus": ops}) as ctx:
        again = {r.partition_key: r.run_key for r in new_drop_sensor(ctx)}
    assert again["2026-11-01"] == first["2026-11-01"] and again["2026-11-02"] != first["2026-11-02"]
    assert cfg  # the config helper parses


def test_a_night_refuses_while_an_earlier_drop_has_not_been_processed(tmp_path):
    cfg = _config(tmp_path)
    _drop(tmp_path, "2026-11-01", "a.jsonl")
    b = _drop(tmp_path, "2026-11-02", "b.jsonl")
    with pytest.raises(NightOrderError, match="drop 2026-11-01 has not been processed"):
        Night(cfg, "2026-11-02").plan(set(), None, 0)
    night1 = Night(cfg, "2026-11-01")
    consumed = {(f["path"], f["size"], f["mtime"]) for f in night1.plan(set(), None, 0)["inputs"]}
    night1.mark_published({"version": 1})
    late = _drop(tmp_path, "2026-11-01", "late.jsonl")  # after night 1 was published: night 2 takes it
    got = [f["path"] for f in Night(cfg, "2026-11-02").plan(consumed, None, 1)["inputs"]]
    assert sorted(got) == sorted([str(late), str(b)])


def test_empty_night_is_planned_again_when_its_drop_arrives_late(tmp_path):
    cfg = _config(tmp_path)
    night = Night(cfg, "2026-11-05")
    assert night.plan(set(), None, 0)["inputs"] == [] and night.empty
    late = _drop(tmp_path, "2026-11-05", "late.jsonl")
    assert [f["path"] for f in night.plan(set(), None, 0)["inputs"]] == [str(late)]


def test_schedule_runs_the_day_that_just_ended():
    dg = require_module("dagster", "the orchestration extra (Dagster) is not installed")
    import datetime as dt

    from kocorpus.orchestration.definitions import nightly_schedule

    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.timezone.utc))
    assert nightly_schedule(ctx).partition_key == "2026-11-02"


def test_definitions_load_as_dagster_dev_loads_them():
    require_module("dagster", "the orchestration extra (Dagster) is not installed")
    from kocorpus.pipelines.nightly import defs  # the code location `dagster dev -m` loads

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"night_inputs", "ingest", "dedup", "shard", "report", "published_dataset"} <= keys
    checks = {k.name for k in graph.asset_check_keys}
    assert checks == {"korean_share", "drop_rate_band", "output_not_empty", "shard_checksums"}
    assert defs.resolve_job_def("nightly") is not None
    assert defs.resolve_schedule_def("nightly_schedule") and defs.resolve_sensor_def("new_drop_sensor")
