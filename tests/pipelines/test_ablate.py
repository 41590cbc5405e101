"""`kocorpus ablate` on the bundled sample: two arms, a few training steps each, one table."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow.dataset as ds

from kocorpus.pipelines.ablate import COLUMNS, PRESETS, Ablation, parse_arm, render
from kocorpus.sample import config_path
from kocorpus.schemas import sha256_text


def test_two_arms_train_on_the_same_budget_and_never_see_the_held_out_text(spark, tmp_path):
    preset = replace(PRESETS["cpu"], tokens=4096, seeds=1, vocab_size=2000)
    ablation = Ablation(
        str(config_path()), [parse_arm("raw", {}), parse_arm("default", {})], preset, tmp_path / "abl",
        eval_sources=["news-archive", "essays"], eval_fraction=0.25, progress=lambda m: None,
    )  # fmt: skip
    report = ablation.run(spark=spark, seeds=1)
    rows = {r["arm"]: r for r in report["arms"]}
    assert list(rows) == ["raw", "default"]
    for r in rows.values():
        assert set(COLUMNS) <= set(r)
        assert r["train_tokens"] == 4096 and r["seeds"] == 1
        assert 0 < r["bits_per_byte"] < 20 and r["loss_per_token"] > 0
    assert rows["raw"]["documents"] > rows["default"]["documents"] > 0  # the filters removed documents

    # the held-out texts were rejected in every arm and appear in no arm's training documents
    held = [json.loads(line)["text"] for line in (tmp_path / "abl" / "eval" / "texts.jsonl").read_text().splitlines()]
    hashes = {sha256_text(t) for t in held}
    assert len(held) == report["eval"]["texts"] > 0
    for arm in rows:
        run = tmp_path / "abl" / "runs" / f"ablate-{arm}"
        kept = ds.dataset(run / "dedup" / "data" / "outcome=kept").to_table(columns=["text_sha256"]).column("text_sha256").to_pylist()
        assert not hashes & set(kept)
        rejected = ds.dataset(run / "filter" / "data" / "outcome=rejected").to_table(columns=["reject_stage", "reject_reason"]).to_pylist()
        assert sum(r == {"reject_stage": "holdout", "reject_reason": "held_out"} for r in rejected) == rows[arm]["held_out_rejected"] > 0
    table = render(report)
    assert table.splitlines()[2] == "| " + " | ".join(COLUMNS) + " |"
    assert (tmp_path / "abl" / "ablation.md").read_text().strip() == table
