"""Each quality gate passes on a healthy night and fails on the fault it guards against."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kocorpus.orchestration import gates
from kocorpus.orchestration.nightly import Night
from kocorpus.config import parse_config
from kocorpus.provenance.manifest import write_manifest
from kocorpus.tokenizer.shards import ShardWriter

S = gates.GateSettings()


def _night(tmp, date: str) -> Night:
    return Night(parse_config({"run": {"root": str(tmp)}}, base_dir=tmp), date)


def _stats(night: Night, filter_in: int, filter_out: int) -> None:
    lay = night.layout
    lay.mark_done("ingest", {"in": filter_in, "out": filter_in})
    lay.mark_done("filter", {"in": filter_in, "out": filter_out})
    lay.mark_done("dedup", {"in": filter_out, "out": filter_out})


def test_drop_rate_band_against_trailing_nights(tmp_path):
    trailing = [_night(tmp_path, f"2026-11-0{i}") for i in (1, 2, 3)]
    for n, out in zip(trailing, (90, 88, 92)):
        _stats(n, 100, out)  # the filter drops about 10 %
    ok, bad, first = (_night(tmp_path, d) for d in ("2026-11-04", "2026-11-05", "2026-11-06"))
    _stats(ok, 200, 170)  # 15 %
    _stats(bad, 200, 40)  # 80 %: a drop of the wrong language, a broken reader...
    _stats(first, 100, 10)
    assert gates.drop_rate_band(ok, trailing, S).passed
    res = gates.drop_rate_band(bad, trailing, S)
    assert not res.passed and "filter dropped 0.80 vs trailing mean 0.10" in res.detail
    assert gates.drop_rate_band(first, [], S).passed  # nothing to compare with yet
    narrow = gates.GateSettings(drop_rate_band=0.02)
    assert not gates.drop_rate_band(ok, trailing, narrow).passed
    only_last = gates.GateSettings(trailing_runs=1)
    _stats(trailing[-1], 100, 30)  # the last trailing night dropped 70 %
    assert gates.drop_rate_band(bad, trailing, only_last).passed


def test_output_not_empty_and_shard_checksums(tmp_path):
    night = _night(tmp_path, "2026-11-01")
    night.layout.mark_done("shard", {"documents": 0, "shards": 0})
    assert not gates.output_not_empty(night, S).passed
    assert not gates.shard_checksums(night, S).passed  # no manifest at all
    out = night.layout.dataset_dir
    out.mkdir(parents=True)
    (out / "tokenizer.json").write_text("{}")
    writer = ShardWriter(out, seq_len=8, vocab_size=100, eos_id=2, pad_id=0, rows_per_shard=4)
    for i in range(12):
        writer.add(f"d{i}", np.arange(3, 3 + 5 + i % 7))
    shardset = writer.close()
    write_manifest(out, shardset, SimpleNamespace(vocab_size=100, bos_id=1, sha256=""), run_id="r", config_sha256="c", code_version="t")
    night.layout.mark_done("shard", {"documents": 12, "shards": len(shardset.shards)})
    assert gates.output_not_empty(night, S).passed
    assert gates.shard_checksums(night, S).passed
    shard = out / shardset.shards[0].path
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    res = gates.shard_checksums(night, S)
    assert not res.passed and shardset.shards[0].path in res.detail


def test_korean_share_floor(spark, tmp_path):
    ko = "서울시는 올해 시민 공원을 새로 단장하고 산책로를 넓혔다고 밝혔다. AI 기술도 도입했다."
    en = "The city renovated the public park this year and widened the walking paths."
    night = _night(tmp_path, "2026-11-01")
    kept = night.layout.kept_dir("dedup")
    kept.mkdir(parents=True)
    pq.write_table(pa.table({"doc_id": ["a", "b", "c", "d", "e"], "text": [ko, ko, ko, en, en]}), kept / "part-0.parquet")
    res = gates.korean_share(spark, night, S)
    assert not res.passed and res.metadata["share"] == 0.6 and res.metadata["documents"] == 5
    assert gates.korean_share(spark, night, gates.GateSettings(min_korean_share=0.5)).passed
